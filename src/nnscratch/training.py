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
from nnscratch.optimizers import make_optimizer
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
    test_loss, test_accuracy, seconds`` (test entries are NaN without test data)."""

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
    params: Params, X: np.ndarray, y: np.ndarray, config: TrainConfig
) -> tuple[float, float]:
    """``(objective, accuracy)`` of ``params`` on ``X`` ``(n_0, m)`` with labels ``y`` ``(m,)``."""
    AL, _ = forward(params, X, config.activation, config.alpha)
    weights = [params[f"W{l}"] for l in range(1, n_layers(params) + 1)]
    m = y.size
    obj = cross_entropy(AL, one_hot(y, AL.shape[0], AL.dtype)) + l2_penalty(weights, config.l2, m)
    return obj, accuracy(predictions(AL), y)


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
) -> TrainResult:
    """Train a network on ``X`` ``(784, m)`` with labels ``y`` ``(m,)``.

    Pass ``params``/``optimizer``/``start_epoch`` to continue an earlier run. ``callback``
    is called after every evaluated epoch with that epoch's record and the result so far.
    ``progress=None`` shows a tqdm bar only on a terminal. Raises ``TrainingDiverged`` when
    the loss stops being finite.

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
    X = np.ascontiguousarray(X, dtype=dtype)
    n_out = 10 if y.max(initial=0) < 10 else int(y.max()) + 1
    Y = one_hot(y, n_out, dtype)
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

    bar = tqdm(range(start_epoch, config.epochs), disable=(not progress) if progress is not None
               else None, unit="epoch", desc="train")
    for epoch in bar:
        t0 = time.perf_counter()
        opt.lr = learning_rate(config, epoch)
        if B < m:
            perm = shuffle_rng.permutation(m)
            Xs, Ys = X[:, perm], Y[:, perm]  # one gather per epoch; batches are then slices
        else:
            Xs, Ys = X, Y
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
                evaluate_loss(params, X_test, y_test, config)
                if X_test is not None and y_test is not None and y_test.size
                else (float("nan"), float("nan"))
            )
            result.history.append(record)
            bar.set_postfix(loss=f"{record['loss']:.4f}", acc=f"{record['train_accuracy']:.4f}")
            if callback is not None:
                callback(record, result)
    return result
