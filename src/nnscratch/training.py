"""The training loop: epochs of mini-batches, an optimizer, a schedule and a history.

``train`` composes the pieces of the book: ``he_init`` (or the notebook's init), ``forward``,
``backward`` and an optimizer's ``step``; by default it runs the same arithmetic through the
in-place fast path of ``nnscratch.fast_training``. Full-batch gradient descent, the
notebook's method, is the special case ``batch_size=None`` with ``optimizer="gd"``: one step
per epoch.

The objective is the same whatever the batch size: the mean cross-entropy over the ``m``
training examples plus ``(λ/2m) Σ ||W||²``. A batch of ``B`` examples estimates the data term
by its own mean, so its share of the penalty is scaled by ``B/m`` (see
``regularization.batch_lam``).
"""

import math
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field

import numpy as np

from nnscratch.augment import Augmentation, augment, augment_rows
from nnscratch.dropout import backward_dropout, forward_dropout
from nnscratch.evaluation import accuracy
from nnscratch.fast_training import BatchTransform, Noise, fast_batch_step, fast_path_applies
from nnscratch.initialization import INITS
from nnscratch.loss import cross_entropy
from nnscratch.network import Params, backward, forward, n_layers
from nnscratch.onehot import one_hot, predictions
from nnscratch.optimizers import Optimizer, make_optimizer
from nnscratch.regularization import batch_lam, l2_penalty


@dataclass
class TrainConfig:
    """Everything that defines a training run; saved into the model file's metadata.

    ``hidden`` lists the hidden layer widths (``(100,)`` is the notebook's 784-100-10).
    ``batch_size=None`` means full batch. ``init`` names one of ``INITS``, ``optimizer``
    one of ``OPTIMIZERS``, ``schedule`` one of :data:`SCHEDULES`. ``dropout`` is the
    probability ``p`` of dropping a hidden unit during training (0: none); ``augment``, if
    given, distorts every training batch (``nnscratch.augment``).

    >>> TrainConfig.from_dict(TrainConfig(augment=Augmentation(shift=2)).to_dict()).augment
    Augmentation(shift=2, rotation=0.0, scale=0.0, shear=0.0, elastic_alpha=0.0, elastic_sigma=4.0)
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
    dropout: float = 0.0
    augment: Augmentation | None = None

    def layer_sizes(self, n_in: int = 784, n_out: int = 10) -> list[int]:
        """``[n_0, n_1, ..., n_L]``.

        >>> TrainConfig(hidden=(100, 100)).layer_sizes()
        [784, 100, 100, 10]
        """
        return [n_in, *self.hidden, n_out]

    def to_dict(self) -> dict:
        """The config as plain JSON values, for a model file's metadata."""
        d = asdict(self)
        d["hidden"] = list(self.hidden)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "TrainConfig":
        """The config :meth:`to_dict` wrote (a model file's ``training`` record)."""
        augmentation = d.get("augment")
        return cls(**{**d, "hidden": tuple(d["hidden"]),
                      "augment": None if augmentation is None else Augmentation(**augmentation)})


# --8<-- [start:augmented]
AUGMENTED = TrainConfig(
    hidden=(512, 256), epochs=120, dropout=0.2,
    augment=Augmentation(shift=2, rotation=10, scale=0.1, shear=0.1, elastic_alpha=20,
                         elastic_sigma=4),
)
"""The recipe of ``nnscratch train --augment``: the defaults it changes, chosen for augmented
training on validation data (``python -m nnscratch.experiments.generalisation tune``)."""
# --8<-- [end:augmented]


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
    test_loss, test_accuracy, seconds`` (test entries are NaN without test data), and
    ``val_loss, val_accuracy`` with validation data. ``loss`` is the training objective,
    L2 term included; ``test_loss`` and ``val_loss`` are the cross-entropy alone."""

    params: Params
    optimizer: Optimizer
    history: list[dict] = field(default_factory=list)


# --8<-- [start:schedules]
def constant(lr: float, epoch: int, epochs: int) -> float:
    """The same learning rate in every epoch.

    >>> constant(0.1, 3, 10)
    0.1
    """
    return lr


def cosine(lr: float, epoch: int, epochs: int) -> float:
    """From ``lr`` at epoch 0 towards 0 along half a cosine over the ``epochs`` epochs.

    >>> [round(cosine(1.0, e, 4), 3) for e in range(4)]
    [1.0, 0.854, 0.5, 0.146]
    """
    return lr * 0.5 * (1 + math.cos(math.pi * epoch / epochs))


SCHEDULES = {"constant": constant, "cosine": cosine}
"""Name -> ``schedule(lr, epoch, epochs)``: the schedules ``TrainConfig.schedule`` accepts."""


def learning_rate(config: TrainConfig, epoch: int) -> float:
    """The learning rate used during ``epoch`` (0-based).

    >>> [round(learning_rate(TrainConfig(lr=1.0, epochs=4), e), 3) for e in range(4)]
    [1.0, 0.854, 0.5, 0.146]
    """
    if config.schedule not in SCHEDULES:
        raise ValueError(f"unknown schedule {config.schedule!r}; choose from {sorted(SCHEDULES)}")
    return SCHEDULES[config.schedule](config.lr, epoch, config.epochs)
# --8<-- [end:schedules]


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


# --8<-- [start:train]
def teaching_batch_step(
    X: np.ndarray, y: np.ndarray, params: Params, opt: Optimizer,
    activation: str = "relu", alpha: float = 0.01, l2: float = 0.0,
    transform: BatchTransform | None = None, dropout: float = 0.0,
) -> Callable[[np.ndarray, Noise | None], None]:
    """The step function of the teaching path: ``step(idx, noise)`` trains on the columns ``idx``.

    ``forward``, ``backward`` and ``opt.step``, exactly as the chapters derive them, on
    ``X[:, idx]`` ``(n_0, B)`` with the L2 strength scaled to the batch (``batch_lam``);
    ``transform(Xb, noise.augment)`` rewrites the batch first, and with ``dropout`` the
    passes are ``forward_dropout``/``backward_dropout`` with masks from ``noise.dropout``.
    """
    Y = one_hot(y, params[f"W{n_layers(params)}"].shape[0], X.dtype)

    def step(idx: np.ndarray, noise: Noise | None = None) -> None:
        """One step on the columns ``idx``: transform, forward, backward, update."""
        Xb = X[:, idx] if transform is None else transform(X[:, idx], noise.augment)
        lam = batch_lam(l2, idx.size, y.size)
        if dropout:
            AL, cache, masks = forward_dropout(params, Xb, dropout, noise.dropout,
                                               activation, alpha)
            grads = backward_dropout(params, cache, masks, AL, Y[:, idx], dropout,
                                     activation, alpha, lam)
        else:
            AL, cache = forward(params, Xb, activation, alpha)
            grads = backward(params, cache, AL, Y[:, idx], activation, alpha, lam)
        opt.step(params, grads)

    return step


def batch_transforms(aug: Augmentation | None) -> tuple[BatchTransform | None,
                                                        BatchTransform | None]:
    """The augmentation hook for each layout, ``(rows, columns)``; ``None`` for no augmentation.

    >>> batch_transforms(None)
    (None, None)
    """
    if aug is None or aug.is_identity():
        return None, None
    return (lambda Xb, rng: augment_rows(Xb, aug, rng)), (lambda Xb, rng: augment(Xb, aug, rng))


def choose_step(
    X: np.ndarray, y: np.ndarray, params: Params, opt: Optimizer, config: TrainConfig,
    batch: int, fast: bool,
) -> tuple[Callable[[np.ndarray, Noise | None], None], np.ndarray]:
    """The run's step function (fast or teaching path) and ``X`` as that path stores it.

    The fast path reads examples as rows: ``X.T`` made contiguous (free if ``X`` came as
    ``(m, n_0)ᵀ``); it covers ReLU and Leaky ReLU with ``alpha >= 0``. Both paths get the
    same augmentation (in their layout) and the same dropout.
    """
    dtype, g, alpha = np.dtype(config.dtype), config.activation, config.alpha
    if not 0 <= config.dropout < 1:
        raise ValueError(f"dropout must lie in [0, 1), got {config.dropout}")
    rows, columns = batch_transforms(config.augment)
    if fast and fast_path_applies(g, alpha):
        X_rows = np.ascontiguousarray(X.T, dtype=dtype)
        return fast_batch_step(X_rows, y, params, opt, batch, g, alpha, config.l2, rows,
                               config.dropout), X_rows.T
    X = np.ascontiguousarray(X, dtype=dtype)
    return teaching_batch_step(X, y, params, opt, g, alpha, config.l2, columns,
                               config.dropout), X


def epoch_noise(seed: int, epoch: int) -> Noise:
    """The generators of epoch ``epoch``'s augmentation and dropout: streams of their own,
    ``default_rng([seed, 2, epoch])`` and ``default_rng([seed, 3, epoch])``, so a resumed
    run draws what the whole run would have drawn without replaying anything.

    >>> float(epoch_noise(0, 5).augment.random()) == float(epoch_noise(0, 5).augment.random())
    True
    """
    return Noise(np.random.default_rng([seed, 2, epoch]), np.random.default_rng([seed, 3, epoch]))


def epoch_orders(seed: int, m: int, batch: int, start_epoch: int = 0) -> Iterator[np.ndarray]:
    """The order of the ``m`` examples in each epoch from ``start_epoch`` on.

    A fresh shuffle per epoch (none when one batch holds everything), from its own stream
    ``default_rng([seed, 1])``: independent of how many numbers the initialisation drew,
    and replayed for the epochs before ``start_epoch``, so a resumed run sees the batches
    the whole run would have seen.

    >>> [o.tolist() for o, _ in zip(epoch_orders(0, 4, 2), range(2))]
    [[3, 0, 2, 1], [1, 3, 2, 0]]
    """
    rng = np.random.default_rng([seed, 1])
    for _ in range(start_epoch):
        rng.permutation(m)
    while True:
        yield rng.permutation(m) if batch < m else np.arange(m)


def n_classes(y: np.ndarray) -> int:
    """Output units for the labels ``y``: 10 for digits, more if a label says so.

    >>> n_classes(np.array([3, 9])), n_classes(np.array([12]))
    (10, 13)
    """
    return 10 if y.max(initial=0) < 10 else int(y.max()) + 1


def epoch_bar(epochs: range, progress: bool | None) -> Iterable[int]:
    """``epochs`` with a tqdm bar: on a terminal when ``progress`` is ``None``."""
    import warnings

    # The math core never needs tqdm; only the loop does. In a notebook without ipywidgets,
    # tqdm.auto warns once on import (with the path of the reader's venv) and falls back to
    # a text bar, which is what we want anyway.
    from tqdm import TqdmWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TqdmWarning)
        from tqdm.auto import tqdm

    return tqdm(epochs, disable=None if progress is None else not progress, unit="epoch",
                desc="train")


def epoch_record(
    epoch: int, lr: float, seconds: float, params: Params, config: TrainConfig,
    train_set: tuple[np.ndarray, np.ndarray], test_set: tuple, val_set: tuple = (None, None),
) -> dict:
    """The history entry of ``epoch`` (0-based); ``TrainingDiverged`` if the loss is not finite.

    ``loss`` is the training objective, L2 term included; ``test_loss`` the cross-entropy
    alone, NaN (like ``test_accuracy``) without test data; ``val_loss`` and
    ``val_accuracy`` only with validation data.
    """
    record = {"epoch": epoch + 1, "lr": lr, "seconds": seconds}
    record["loss"], record["train_accuracy"] = evaluate_loss(params, *train_set, config)
    if not math.isfinite(record["loss"]):
        raise TrainingDiverged(epoch + 1, record["loss"])
    record["test_loss"], record["test_accuracy"] = (
        evaluate_loss(params, *test_set, config, penalty=False)
        if test_set[0] is not None and test_set[1] is not None and test_set[1].size
        else (float("nan"), float("nan"))
    )
    if val_set[1] is not None:
        record["val_loss"], record["val_accuracy"] = evaluate_loss(params, *val_set, config,
                                                                   penalty=False)
    return record


def is_evaluated(config: TrainConfig, epoch: int) -> bool:
    """Whether ``epoch`` (0-based) gets a history entry: every ``eval_every``-th, and the last.

    >>> [e for e in range(5) if is_evaluated(TrainConfig(epochs=5, eval_every=2), e)]
    [1, 3, 4]
    """
    last = epoch + 1 == config.epochs
    return bool(config.eval_every) and ((epoch + 1) % config.eval_every == 0 or last)


def better(record: dict, than: dict | None) -> bool:
    """Whether ``record`` is a better validation epoch than ``than``: a higher
    ``val_accuracy``, or the same and a lower ``val_loss`` (``None`` is beaten by any).

    >>> better({"val_accuracy": 0.9, "val_loss": 0.3}, {"val_accuracy": 0.9, "val_loss": 0.4})
    True
    """
    if "val_accuracy" not in record:
        raise ValueError("keeping the best epoch needs validation data (X_val, y_val)")
    if than is None:
        return True
    return (record["val_accuracy"], -record["val_loss"]) > (than["val_accuracy"],
                                                             -than["val_loss"])


class KeepBest:
    """``train``'s callback: a copy of the parameters of the best validation epoch so far.

    ``record`` is that epoch's history entry and ``params`` its parameters (start from a
    checkpoint's, to resume). Best means :func:`better`: accuracy first, loss for ties.
    """

    def __init__(self, record: dict | None = None, params: Params | None = None):
        self.record, self.params = record, params

    def __call__(self, record: dict, result: TrainResult) -> None:
        """Keep this epoch's parameters if it beats the best so far."""
        if better(record, self.record):
            self.record = record
            self.params = {k: v.copy() for k, v in result.params.items()}


# train() watches the loss itself and raises TrainingDiverged when it stops being finite;
# NumPy's overflow warnings on the way there would only bury that one clear message.
@np.errstate(over="ignore", invalid="ignore")
def train(
    X: np.ndarray, y: np.ndarray, config: TrainConfig | None = None, *,
    X_test: np.ndarray | None = None, y_test: np.ndarray | None = None,
    X_val: np.ndarray | None = None, y_val: np.ndarray | None = None,
    params: Params | None = None, optimizer: Optimizer | None = None, start_epoch: int = 0,
    callback: Callable[[dict, TrainResult], None] | None = None,
    progress: bool | None = None, fast: bool = True,
) -> TrainResult:
    """Train a network on ``X`` ``(784, m)`` with labels ``y`` ``(m,)``.

    ``X_val``/``y_val`` (validation data) add ``val_loss`` and ``val_accuracy`` to every
    record. Pass ``params``/``optimizer``/``start_epoch`` to continue an earlier run. ``callback``
    is called after every evaluated epoch with that epoch's record and the result so far.
    ``progress=None`` shows a tqdm bar only on a terminal. Raises ``TrainingDiverged`` when
    the loss stops being finite. ``fast=False`` runs the teaching path, ``forward`` and
    ``backward``, instead of ``fast_step`` (same batches, same arithmetic); the fast path
    turns the arrays of ``params`` (and of the optimizer's state) into views into one flat
    array each (see ``fast_training.FlatState``): same keys, same values.

    >>> X, y = np.random.default_rng(0).random((4, 60)), np.arange(60) % 2
    >>> X[0] += 2 * y   # feature 0 tells the classes apart
    >>> cfg = TrainConfig(hidden=(8,), epochs=40, lr=0.05, batch_size=None)
    >>> result = train(X, y, cfg, progress=False)
    >>> result.history[-1]["train_accuracy"]
    1.0
    """
    config = config or TrainConfig()
    m = y.size
    if params is None:
        sizes = config.layer_sizes(X.shape[0], n_classes(y))
        params = INITS[config.init](sizes, np.random.default_rng(config.seed),
                                    dtype=np.dtype(config.dtype))
    result = TrainResult(params, optimizer or make_optimizer(config.optimizer, config.lr))
    opt = result.optimizer
    B = m if config.batch_size is None else min(config.batch_size, m)
    step, X = choose_step(X, y, params, opt, config, B, fast)
    orders = epoch_orders(config.seed, m, B, start_epoch)
    bar = epoch_bar(range(start_epoch, config.epochs), progress)
    for epoch in bar:
        t0 = time.perf_counter()
        opt.lr = learning_rate(config, epoch)
        order, noise = next(orders), epoch_noise(config.seed, epoch)
        for start in range(0, m, B):
            step(order[start:start + B], noise)
        if is_evaluated(config, epoch):
            record = epoch_record(epoch, opt.lr, time.perf_counter() - t0, params, config,
                                  (X, y), (X_test, y_test), (X_val, y_val))
            result.history.append(record)
            bar.set_postfix(loss=f"{record['loss']:.4f}", acc=f"{record['train_accuracy']:.4f}")
            if callback is not None:
                callback(record, result)
    return result
# --8<-- [end:train]
