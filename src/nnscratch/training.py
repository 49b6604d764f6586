"""The training loop: epochs of mini-batches, an optimizer, a schedule and a history.

``train`` composes the pieces of the book: ``he_init`` (or the notebook's init), ``forward``,
``backward`` and an optimizer's ``step``. Full-batch gradient descent, the notebook's method,
is the special case ``batch_size=None`` with ``optimizer="gd"``: one step per epoch.

The objective is the same whatever the batch size: the mean cross-entropy over the ``m``
training examples plus ``(λ/2m) Σ ||W||²``. A batch of ``B`` examples estimates the data term
by its own mean, so its share of the penalty is scaled by ``B/m`` (see ``_batch_lam``).
"""

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np

from nnscratch.evaluation import accuracy
from nnscratch.initialization import he_init, uniform_init
from nnscratch.loss import cross_entropy
from nnscratch.network import Params, backward, forward, n_layers
from nnscratch.onehot import one_hot, predictions
from nnscratch.optimizers import OPTIMIZERS, make_optimizer
from nnscratch.regularization import l2_penalty

INITS = {"he": he_init, "uniform": uniform_init}


@dataclass
class TrainConfig:
    """Everything that defines a training run; saved into the model file's metadata.

    ``hidden`` lists the hidden layer widths (``(100,)`` is the notebook's 784-100-10).
    ``batch_size=None`` means full batch. ``schedule`` is ``"constant"`` or ``"cosine"``
    (the learning rate falls from ``lr`` to 0 along half a cosine over the epochs).
    """

    hidden: tuple[int, ...] = (256, 128)
    activation: str = "relu"
    alpha: float = 0.01
    init: str = "he"
    optimizer: str = "adam"
    lr: float = 0.001
    epochs: int = 20
    batch_size: int | None = 64
    l2: float = 0.0
    schedule: str = "cosine"
    seed: int = 0
    dtype: str = "float32"
    eval_every: int = 1

    def layer_sizes(self, n_in: int = 784, n_out: int = 10) -> list[int]:
        """``[n_0, n_1, ..., n_L]``.

        >>> TrainConfig(hidden=(100, 100)).layer_sizes()
        [784, 100, 100, 10]
        """
        return [n_in, *self.hidden, n_out]

    def to_dict(self) -> dict:
        d = asdict(self)
        d["hidden"] = list(self.hidden)
        return d


class TrainingDiverged(ArithmeticError):
    """The loss became NaN or infinite: the learning rate is usually too high."""

    def __init__(self, epoch: int, loss: float):
        self.epoch, self.loss = epoch, loss
        super().__init__(
            f"the loss became {loss} at epoch {epoch}; try a lower learning rate (--lr)"
        )


@dataclass
class TrainResult:
    """What ``train`` returns: the trained parameters, the optimizer (with its state) and
    the history, one dict per evaluated epoch with keys ``epoch, lr, loss, train_accuracy,
    test_loss, test_accuracy, seconds`` (test entries are NaN without test data). ``loss``
    is the training objective, L2 term included; ``test_loss`` is the cross-entropy alone."""

    params: Params
    optimizer: object
    history: list[dict] = field(default_factory=list)


def learning_rate(config: TrainConfig, epoch: int) -> float:
    """The learning rate used during ``epoch`` (0-based).

    >>> [round(learning_rate(TrainConfig(lr=1.0, epochs=4), e), 3) for e in range(4)]
    [1.0, 0.854, 0.5, 0.146]
    """
    if config.schedule == "constant":
        return config.lr
    if config.schedule == "cosine":
        return config.lr * 0.5 * (1 + math.cos(math.pi * epoch / config.epochs))
    raise ValueError(f"unknown schedule {config.schedule!r}; choose constant or cosine")


def _batch_lam(lam: float, batch: int, m: int) -> float:
    # backward() adds (lam/batch) W; we want (λ/m) W whatever the batch size.
    return lam * batch / m


def evaluate_loss(
    params: Params, X: np.ndarray, y: np.ndarray, config: TrainConfig, penalty: bool = True
) -> tuple[float, float]:
    """``(loss, accuracy)`` of ``params`` on ``X`` ``(n_0, m)`` with labels ``y`` ``(m,)``.

    With ``penalty`` the loss is the training objective (cross-entropy + L2 term); without,
    the cross-entropy alone, which is what a held-out loss should measure.
    """
    AL, _ = forward(params, X, config.activation, config.alpha)
    loss = cross_entropy(AL, one_hot(y, AL.shape[0], AL.dtype))
    if penalty:
        weights = [params[f"W{l}"] for l in range(1, n_layers(params) + 1)]
        loss += l2_penalty(weights, config.l2, y.size)
    return loss, accuracy(predictions(AL), y)


# --8<-- [start:fast_step]
class Workspace:
    """Every array one training step needs, allocated once and reused by all the steps.

    The teaching path (``forward``/``backward``) returns new arrays at every step; this one
    writes into these. ``Xb`` holds the batch with **examples as rows** ``(B, n_0)``, so that
    ``Xb.T`` is the book's ``A[0]`` ``(n_0, B)`` without a copy. ``A[l]`` holds ``Z[l]`` and
    then, in place, ``g(Z[l])``: the activation's backward pass reads the mask ``A > 0``,
    which is ``Z > 0`` for ReLU and Leaky ReLU (``alpha >= 0``).
    """

    def __init__(self, sizes: list[int], B: int, dtype: np.dtype):
        self.Xb = np.empty((B, sizes[0]), dtype)
        self.A = [np.empty((n, B), dtype) for n in sizes[1:]]      # A[1] .. A[L]
        self.dA = [np.empty((n, B), dtype) for n in sizes[1:-1]]   # dA[1] .. dA[L-1]
        self.cols = np.arange(B)


def make_grads(params: Params) -> Params:
    """Gradient buffers with the keys of ``backward``'s dict (``W_L, b_L, ..., W1, b1``)."""
    L = n_layers(params)
    return {f"{p}{l}": np.empty_like(params[f"{p}{l}"]) for l in range(L, 0, -1) for p in "Wb"}


def fast_step(
    params: Params, grads: Params, ws: Workspace, yb: np.ndarray,
    activation: str = "relu", alpha: float = 0.01, lam: float = 0.0,
) -> None:
    """``grads`` ← the gradients of ``backward`` for the batch in ``ws.Xb`` with labels ``yb``.

    The same arithmetic as ``forward`` then ``backward``, written into preallocated arrays.
    """
    L, B = n_layers(params), yb.size
    A_prev = ws.Xb.T                                  # (n_0, B), a view
    for l in range(1, L + 1):                         # forward
        A = ws.A[l - 1]
        np.matmul(params[f"W{l}"], A_prev, out=A)     # Z = W A_prev ...
        A += params[f"b{l}"]                          # ... + b
        if l < L and activation == "relu":
            np.maximum(A, 0, out=A)
        elif l < L:                                   # leaky ReLU: αZ where Z <= 0
            np.multiply(A, alpha, out=A, where=A <= 0)
        A_prev = A
    dZ = ws.A[L - 1]                                  # softmax, in place
    dZ -= dZ.max(axis=0, keepdims=True)
    np.exp(dZ, out=dZ)
    dZ /= dZ.sum(axis=0, keepdims=True)
    dZ[yb, ws.cols[:B]] -= 1                          # A - Y without forming Y ...
    dZ /= B                                           # ... and the mean's 1/m
    for l in range(L, 0, -1):                         # backward
        A_prev = ws.Xb.T if l == 1 else ws.A[l - 2]
        np.matmul(dZ, A_prev.T, out=grads[f"W{l}"])   # dW = dZ A_prevᵀ
        np.sum(dZ, axis=1, keepdims=True, out=grads[f"b{l}"])
        if lam:
            grads[f"W{l}"] += (lam / B) * params[f"W{l}"]
        if l == 1:
            break                                     # nobody needs dA[0] = W1ᵀ dZ1
        dA = ws.dA[l - 2]
        np.matmul(params[f"W{l}"].T, dZ, out=dA)      # dA_prev = Wᵀ dZ
        if activation == "relu":
            np.multiply(dA, A_prev > 0, out=dA)       # dZ = dA · 1[Z > 0]
        else:
            np.multiply(dA, alpha, out=dA, where=A_prev <= 0)
        dZ = dA
# --8<-- [end:fast_step]


class Packed:
    """The parameters, the gradients and the optimizer's running averages as **one** flat
    array each; the dicts keep their keys, whose arrays become views into the flat ones.

    An update rule acts elementwise, so one call on the flat arrays computes exactly what
    one call per parameter did, with six times fewer NumPy calls per step. The optimizer's
    ``state`` keeps its per-parameter names (``m_W1``, ...) as views, so a checkpoint, or a
    later ``opt.step(params, grads)``, sees nothing different.
    """

    def __init__(self, params: Params, grads: Params, opt: object):
        self.opt, self.slots, start = opt, [], 0
        for k, g in grads.items():
            self.slots.append((k, slice(start, start + g.size), g.shape))
            start += g.size
        self.theta = self._pack(params, "{}")
        self.grad = self._pack(grads, "{}")
        self.prefixes = {name[: -len(k) - 1] for name in opt.state for k, _, _ in self.slots
                         if name.endswith(f"_{k}")}   # "m" and "v" for Adam's m_W1, v_W1
        self.state = {f"{p}_θ": self._pack(opt.state, p + "_{}") for p in self.prefixes}

    def _pack(self, arrays: dict, name: str) -> np.ndarray:
        parts = [np.asarray(arrays[name.format(k)]) for k, _, _ in self.slots]
        flat = np.concatenate([a.ravel() for a in parts])
        self._unpack(flat, arrays, name)
        return flat

    def _unpack(self, flat: np.ndarray, arrays: dict, name: str) -> None:
        for k, where, shape in self.slots:
            arrays[name.format(k)] = flat[where].reshape(shape)

    def step(self) -> None:
        """``opt.step`` once on the flat arrays, with the flat state swapped in for the call."""
        outer = self.opt.state
        per_key = {f"{p}_{k}" for p in self.prefixes for k, _, _ in self.slots}
        self.state.update((n, v) for n, v in outer.items() if n not in per_key)  # Adam's t
        self.opt.state = self.state
        try:
            self.opt.step({"θ": self.theta}, {"θ": self.grad})
        finally:
            self.opt.state = outer
        born = [n[:-2] for n in self.state if n.endswith("_θ") and n[:-2] not in self.prefixes]
        outer.update((n, v) for n, v in self.state.items() if not n.endswith("_θ"))
        for k, where, shape in self.slots:   # state born in this (first) step: in the
            for p in born:                     # per-parameter order step() would have used
                outer[f"{p}_{k}"] = self.state[f"{p}_θ"][where].reshape(shape)
        self.prefixes.update(born)


def _fast_ok(config: TrainConfig) -> bool:
    return config.activation == "relu" or (config.activation == "leaky_relu"
                                           and config.alpha >= 0)


# train() watches the loss itself and raises TrainingDiverged when it stops being finite;
# NumPy's overflow warnings on the way there would only bury that one clear message.
@np.errstate(over="ignore", invalid="ignore")
def train(
    X: np.ndarray,
    y: np.ndarray,
    config: TrainConfig | None = None,
    *,
    X_test: np.ndarray | None = None,
    y_test: np.ndarray | None = None,
    params: Params | None = None,
    optimizer: object | None = None,
    start_epoch: int = 0,
    callback: Callable[[dict, TrainResult], None] | None = None,
    progress: bool | None = None,
    fast: bool = True,
) -> TrainResult:
    """Train a network on ``X`` ``(784, m)`` with labels ``y`` ``(m,)``.

    Pass ``params``/``optimizer``/``start_epoch`` to continue an earlier run. ``callback``
    is called after every evaluated epoch with that epoch's record and the result so far.
    ``progress=None`` shows a tqdm bar only on a terminal. Raises ``TrainingDiverged`` when
    the loss stops being finite. ``fast=False`` runs the teaching path, ``forward`` and
    ``backward``, instead of ``fast_step`` (same batches, same arithmetic); the fast path
    turns the arrays of ``params`` (and of the optimizer's state) into views into one flat
    array each (see ``Packed``): same keys, same values.

    >>> X, y = np.random.default_rng(0).random((4, 60)), np.arange(60) % 2
    >>> X[0] += 2 * y   # feature 0 tells the classes apart
    >>> cfg = TrainConfig(hidden=(8,), epochs=40, lr=0.05, batch_size=None)
    >>> result = train(X, y, cfg, progress=False)
    >>> result.history[-1]["train_accuracy"]
    1.0
    """
    from tqdm.auto import tqdm  # the math core never needs tqdm; only the loop does

    config = config or TrainConfig()
    dtype = np.dtype(config.dtype)
    rng = np.random.default_rng(config.seed)
    m = y.size
    fast = fast and _fast_ok(config)
    # The fast path reads examples as rows: X.T made contiguous (free if X came as (m, n_0)ᵀ).
    Xr = np.ascontiguousarray(X.T, dtype=dtype) if fast else None
    X = Xr.T if fast else np.ascontiguousarray(X, dtype=dtype)
    n_out = 10 if y.max(initial=0) < 10 else int(y.max()) + 1
    Y = None if fast else one_hot(y, n_out, dtype)
    if params is None:
        params = INITS[config.init](config.layer_sizes(X.shape[0], n_out), rng, dtype=dtype)
        # Keep the shuffling stream independent of how many numbers init drew.
    shuffle_rng = np.random.default_rng([config.seed, 1])
    for _ in range(start_epoch):
        shuffle_rng.permutation(m)  # replay the shuffles so a resumed run sees the same batches
    opt = optimizer or make_optimizer(config.optimizer, config.lr)
    result = TrainResult(params, opt)
    B = m if config.batch_size is None else min(config.batch_size, m)
    lam = _batch_lam(config.l2, B, m)
    if fast:
        sizes = [X.shape[0], *(params[f"W{l}"].shape[0] for l in range(1, n_layers(params) + 1))]
        grads = make_grads(params)
        workspaces = {b: Workspace(sizes, b, dtype) for b in {B, m % B or B}}
        packed = Packed(params, grads, opt) if type(opt) in OPTIMIZERS.values() else None

    bar = tqdm(range(start_epoch, config.epochs), disable=(not progress) if progress is not None
               else None, unit="epoch", desc="train")
    for epoch in bar:
        t0 = time.perf_counter()
        opt.lr = learning_rate(config, epoch)
        perm = shuffle_rng.permutation(m) if B < m else np.arange(m)
        if fast:
            for start in range(0, m, B):
                idx = perm[start:start + B]
                ws = workspaces[idx.size]
                np.take(Xr, idx, axis=0, out=ws.Xb)  # gather the batch: contiguous rows
                fast_step(params, grads, ws, y[idx], config.activation, config.alpha,
                          lam if idx.size == B else _batch_lam(config.l2, idx.size, m))
                packed.step() if packed else opt.step(params, grads)
        else:
            Xs, Ys = (X[:, perm], Y[:, perm]) if B < m else (X, Y)
            for start in range(0, m, B):
                Xb, Yb = Xs[:, start:start + B], Ys[:, start:start + B]
                AL, cache = forward(params, Xb, config.activation, config.alpha)
                grads = backward(params, cache, AL, Yb, config.activation, config.alpha,
                                 lam if Yb.shape[1] == B else _batch_lam(config.l2, Yb.shape[1], m))
                opt.step(params, grads)
        seconds = time.perf_counter() - t0
        last = epoch + 1 == config.epochs
        if config.eval_every and ((epoch + 1) % config.eval_every == 0 or last):
            record = {"epoch": epoch + 1, "lr": opt.lr, "seconds": seconds}
            record["loss"], record["train_accuracy"] = evaluate_loss(params, X, y, config)
            if not math.isfinite(record["loss"]):
                raise TrainingDiverged(epoch + 1, record["loss"])
            record["test_loss"], record["test_accuracy"] = (
                evaluate_loss(params, X_test, y_test, config, penalty=False)
                if X_test is not None and y_test is not None and y_test.size
                else (float("nan"), float("nan"))
            )
            result.history.append(record)
            bar.set_postfix(loss=f"{record['loss']:.4f}", acc=f"{record['train_accuracy']:.4f}")
            if callback is not None:
                callback(record, result)
    return result
