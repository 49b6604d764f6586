"""The Kaggle notebook our readers come from, reproduced with this library's pieces.

The notebook trains two networks by full-batch gradient descent on Kaggle's ``train.csv``
(shuffled, first 30 % held out as the test set):

* **version 1**: 784-100-10, ReLU, ``W = rand(...) * 0.01``, softmax without the max-shift,
  learning rate 0.1, 500 iterations;
* **version 2**: 784-100-100-10, Leaky ReLU (α = 0.01), ``W1`` He-scaled but ``W2, W3``
  scaled by ``√(2/10)``, stable softmax, L2 with λ = 0.01, learning rate 0.1, 900 iterations.

Both share four more slips: gradients divide by ``m`` = the rows of the **whole** file;
bias gradients sum ``dZ`` over **all** axes (one number for every bias of a layer); the
accuracy printed every 10 iterations is that of the parameters *before* the step; and the
loop runs ``iterations + 1`` times. Each mistake is one switch of :class:`NotebookConfig`,
``True`` meaning "as the notebook wrote it", so that every one can be turned off alone and
its effect measured (``docs/errata.md``). Nothing here is the notebook's code: it is the
book's ``linear``, ``activations``, ``softmax``, ``loss`` and ``regularization`` composed the
notebook's way, in the book's layout (``X`` is ``(784, m)``, ``W[l]`` is ``(n_l, n_{l-1})``,
``b[l]`` is ``(n_l, 1)``).

:mod:`nnscratch.experiments.errata` runs every variant over several seeds and writes the
results file the errata chapter reads.
"""

import dataclasses
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nnscratch.activations import activation_pair
from nnscratch.evaluation import accuracy
from nnscratch.gradcheck import check_gradients
from nnscratch.initialization import he_init, uniform_init
from nnscratch.linear import linear_forward
from nnscratch.loss import cross_entropy
from nnscratch.network import Params, n_layers
from nnscratch.onehot import one_hot, predictions
from nnscratch.optimizers import GradientDescent
from nnscratch.regularization import l2_backward, l2_penalty
from nnscratch.softmax import softmax

MISTAKES = (
    "m_whole_file", "scalar_bias_grad", "uniform_init", "wrong_fan_in",
    "naive_softmax", "accuracy_before_update", "iterations_plus_one",
)
"""The notebook's mistakes, in the order of the errata chapter: the switches of the config."""


# --8<-- [start:config]
@dataclass(frozen=True)
class NotebookConfig:
    """One full-batch run the notebook's way; each mistake is a switch (``True`` = as written).

    ``softmax_whole_matrix`` chooses the reading of ``exp(Z) / sum(exp(Z))``: Python's
    built-in ``sum`` adds the rows of ``(K, m)`` and so normalises each column (``False``,
    the default); ``np.sum`` without an axis would normalise over the whole matrix (``True``).
    ``dtype`` is float32 for speed (the notebook's pandas arrays were float64).

    >>> version1().hidden, version2().hidden, version2().iterations
    ((100,), (100, 100), 900)
    """

    hidden: tuple[int, ...] = (100,)
    activation: str = "relu"
    alpha: float = 0.01
    lr: float = 0.1
    iterations: int = 500
    l2: float = 0.0
    print_every: int = 10
    dtype: str = "float32"
    softmax_whole_matrix: bool = False
    m_whole_file: bool = True
    scalar_bias_grad: bool = True
    uniform_init: bool = True
    wrong_fan_in: bool = False
    naive_softmax: bool = True
    accuracy_before_update: bool = True
    iterations_plus_one: bool = True
# --8<-- [end:config]


def version1(**changes) -> NotebookConfig:
    """The notebook's version 1 (784-100-10, ReLU, uniform init, naive softmax, 500 its).

    >>> version1(lr=0.5).lr
    0.5
    """
    return dataclasses.replace(NotebookConfig(), **changes)


def version2(**changes) -> NotebookConfig:
    """The notebook's version 2 (784-100-100-10, Leaky ReLU, wrong fan-in, L2, 900 its).

    >>> c = version2(); (c.activation, c.l2, c.uniform_init, c.wrong_fan_in, c.naive_softmax)
    ('leaky_relu', 0.01, False, True, False)
    """
    base = NotebookConfig(
        hidden=(100, 100), activation="leaky_relu", iterations=900, l2=0.01,
        uniform_init=False, wrong_fan_in=True, naive_softmax=False,
    )
    return dataclasses.replace(base, **changes)


def fixed(config: NotebookConfig, *mistakes: str) -> NotebookConfig:
    """``config`` with the named mistakes switched off (all of them if none is named).

    >>> fixed(version1(), "m_whole_file").m_whole_file, fixed(version1()).scalar_bias_grad
    (False, False)
    """
    unknown = set(mistakes) - set(MISTAKES)
    if unknown:
        raise ValueError(f"unknown mistakes {sorted(unknown)}; choose from {list(MISTAKES)}")
    return dataclasses.replace(config, **{k: False for k in (mistakes or MISTAKES)})


# ---------------------------------------------------------------------------------------
# The pieces written the notebook's way
# ---------------------------------------------------------------------------------------


# --8<-- [start:notebook_softmax]
def notebook_softmax(Z: np.ndarray, whole_matrix: bool = False) -> np.ndarray:
    """``exp(Z) / sum(exp(Z))`` with no max-shift: ``exp`` overflows once a score passes
    ~709.8 (float64) or ~88.7 (float32), and ``inf / inf`` is ``nan``.

    ``whole_matrix=False`` divides each column of ``(K, m)`` by its own sum (what Python's
    built-in ``sum`` does); ``True`` divides by the sum of all ``K·m`` entries (``np.sum``).

    >>> notebook_softmax(np.array([[0.0, 0.0], [0.0, 0.0]]))
    array([[0.5, 0.5],
           [0.5, 0.5]])
    >>> notebook_softmax(np.array([[0.0, 0.0], [0.0, 0.0]]), whole_matrix=True)
    array([[0.25, 0.25],
           [0.25, 0.25]])
    >>> with np.errstate(over="ignore", invalid="ignore"):
    ...     notebook_softmax(np.array([[1000.0], [0.0]]))
    array([[nan],
           [ 0.]])
    """
    E = np.exp(Z)
    return E / (E.sum() if whole_matrix else E.sum(axis=0, keepdims=True))
# --8<-- [end:notebook_softmax]


# --8<-- [start:scalar_bias_gradient]
def scalar_bias_gradient(dZ: np.ndarray) -> np.ndarray:
    """The notebook's ``db = np.sum(dZ)``: one sum over units *and* examples, given to every
    unit. The right gradient sums over the examples only (``linear_backward``).

    ``dZ`` is ``(n_l, m)`` (already divided by ``m``); the result is ``(n_l, 1)``, every
    entry the same number.

    >>> scalar_bias_gradient(np.array([[1.0, 2.0], [0.0, 1.0]]))   # right: [[3.], [1.]]
    array([[4.],
           [4.]])
    """
    return np.full((dZ.shape[0], 1), dZ.sum(), dtype=dZ.dtype)
# --8<-- [end:scalar_bias_gradient]


# --8<-- [start:notebook_init]
def notebook_init_v1(layer_sizes: Sequence[int], rng: np.random.Generator,
                     dtype: type = np.float32) -> Params:
    """Version 1: ``W[l] = rand(n_l, n_{l-1}) * 0.01``, all positive; zero biases.

    >>> p = notebook_init_v1([784, 100, 10], np.random.default_rng(0))
    >>> bool(p["W1"].min() >= 0), float(p["b1"].sum())
    (True, 0.0)
    """
    return uniform_init(layer_sizes, rng, scale=0.01, dtype=dtype)


def notebook_init_v2(layer_sizes: Sequence[int], rng: np.random.Generator,
                     dtype: type = np.float32) -> Params:
    """Version 2: ``W1 ~ N(0,1)·√(2/n_0)`` (He), but every later ``W[l] ~ N(0,1)·√(2/10)``:
    the fan-in is taken as 10 instead of ``n_{l-1}`` (100). Zero biases.

    >>> p = notebook_init_v2([784, 100, 100, 10], np.random.default_rng(0))
    >>> [round(float(p[f"W{l}"].std()), 2) for l in (1, 2, 3)]   # √(2/784), √(2/10), √(2/10)
    [0.05, 0.45, 0.46]
    """
    params = he_init(layer_sizes, rng, dtype=dtype)
    for l in range(2, len(layer_sizes)):
        params[f"W{l}"] = (params[f"W{l}"] * np.sqrt(layer_sizes[l - 1] / 10)).astype(dtype)
    return params
# --8<-- [end:notebook_init]


def init_params(config: NotebookConfig, layer_sizes: Sequence[int],
                rng: np.random.Generator) -> Params:
    """The initial parameters a config asks for: v1's uniform, v2's wrong fan-in, or He.

    >>> sorted(init_params(version2(), [4, 3, 3, 2], np.random.default_rng(0)))
    ['W1', 'W2', 'W3', 'b1', 'b2', 'b3']
    """
    dtype = np.dtype(config.dtype).type
    if config.uniform_init:
        return notebook_init_v1(layer_sizes, rng, dtype)
    if config.wrong_fan_in:
        return notebook_init_v2(layer_sizes, rng, dtype)
    return he_init(layer_sizes, rng, dtype=dtype)


# --8<-- [start:notebook_forward]
def notebook_forward(
    params: Params, X: np.ndarray, config: NotebookConfig
) -> tuple[np.ndarray, list]:
    """``A[L]`` ``(10, m)`` and the cache ``[(A[l-1], Z[l])]``; the output softmax is the
    notebook's (:func:`notebook_softmax`) when ``config.naive_softmax``, else the library's.

    >>> p = {"W1": np.ones((2, 3)), "b1": np.zeros((2, 1))}
    >>> notebook_forward(p, np.ones((3, 1)), version1())[0]
    array([[0.5],
           [0.5]])
    """
    g, _ = activation_pair(config.activation, config.alpha)
    L = n_layers(params)
    A, cache = X, []
    for l in range(1, L + 1):
        Z = linear_forward(A, params[f"W{l}"], params[f"b{l}"])
        cache.append((A, Z))
        if l < L:
            A = g(Z)
        elif config.naive_softmax:
            A = notebook_softmax(Z, config.softmax_whole_matrix)
        else:
            A = softmax(Z)
    return A, cache
# --8<-- [end:notebook_forward]


# --8<-- [start:notebook_backward]
def notebook_backward(params: Params, cache: list, AL: np.ndarray, Y: np.ndarray,
                      config: NotebookConfig, m: int) -> Params:
    """The notebook's gradients: ``dZ[L] = (A[L] - Y) / m`` with the ``m`` it is given, the
    L2 term ``(λ/m) W``, and the scalar bias gradient when ``config.scalar_bias_grad``.

    With ``m = Y.shape[1]`` and ``scalar_bias_grad=False`` this is ``network.backward``.
    Layer 1 skips ``dA[0] = W1ᵀ dZ1``, which nothing uses: a third of the time saved.

    >>> p = {"W1": np.array([[1.0, -1.0]]), "b1": np.zeros((1, 1)),
    ...      "W2": np.array([[1.0], [-1.0]]), "b2": np.zeros((2, 1))}
    >>> X, Y = np.array([[2.0], [1.0]]), np.array([[0.0], [1.0]])
    >>> AL, cache = notebook_forward(p, X, version1())
    >>> notebook_backward(p, cache, AL, Y, version1(), m=1)["b2"].round(4)  # Σ(A - Y) = 0
    array([[0.],
           [0.]])
    """
    _, g_backward = activation_pair(config.activation, config.alpha)
    grads: Params = {}
    dZ = (AL - Y) / m                                     # the m it is given
    for l in range(n_layers(params), 0, -1):
        W, A_prev = params[f"W{l}"], cache[l - 1][0]
        dW = dZ @ A_prev.T                                # linear_backward's dW and db ...
        db = (scalar_bias_gradient(dZ) if config.scalar_bias_grad
              else np.sum(dZ, axis=1, keepdims=True))
        grads[f"W{l}"] = dW + l2_backward(W, config.l2, m) if config.l2 else dW
        grads[f"b{l}"] = db
        if l > 1:                                         # ... and its dA, not for layer 1
            dZ = g_backward(W.T @ dZ, cache[l - 2][1])
    return grads
# --8<-- [end:notebook_backward]


def gradient_m(config: NotebookConfig, m_train: int, m_test: int) -> int:
    """The ``m`` the gradients divide by: the whole file's rows, or the training batch's.

    >>> gradient_m(version1(), 7000, 3000), gradient_m(fixed(version1()), 7000, 3000)
    (10000, 7000)
    """
    return m_train + m_test if config.m_whole_file else m_train


def n_updates(config: NotebookConfig) -> int:
    """How many gradient steps the loop takes: ``iterations + 1`` as written.

    >>> n_updates(version1()), n_updates(fixed(version1(), "iterations_plus_one"))
    (501, 500)
    """
    return config.iterations + (1 if config.iterations_plus_one else 0)


# --8<-- [start:measures]
def unit_similarity(A: np.ndarray) -> float:
    """Mean correlation between the rows (units) of ``A`` ``(n, m)`` over the ``m`` examples:
    near 1 when the units are copies of one another, near 0 when they differ.

    >>> A = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.1], [3.0, 1.0, 2.0]])
    >>> round(unit_similarity(A[:2]), 3), round(unit_similarity(A), 2)
    (1.0, 0.0)
    """
    C = np.corrcoef(A.astype(np.float64))
    n = C.shape[0]
    return float((C.sum() - np.trace(C)) / (n * (n - 1)))


def score_stds(params: Params, X: np.ndarray, config: NotebookConfig) -> list[float]:
    """The standard deviation of ``Z[l]`` for ``l = 1..L`` at the given parameters.

    >>> p = {"W1": np.array([[2.0, 0.0]]), "b1": np.zeros((1, 1))}
    >>> score_stds(p, np.array([[1.0, -1.0], [5.0, 5.0]]), version1())
    [2.0]
    """
    _, cache = notebook_forward(params, X, config)
    return [float(Z.std()) for _, Z in cache]
# --8<-- [end:measures]


# --8<-- [start:gradient_check]
def gradient_check(config: NotebookConfig, m: int = 14, m_test: int = 6, seed: int = 0
                   ) -> dict[str, float]:
    """The library's finite-difference check applied to the notebook's gradients.

    A tiny float64 network (6 inputs, hidden layers of 5, 10 classes) on ``m`` random
    examples; ``m_test`` only enters through the whole-file ``m``. The objective is the one
    the notebook means to minimise: the mean cross-entropy over the ``m`` training columns
    plus ``(λ/2m) Σ ||W||²``. Returns each parameter's relative error: ~1e-9 when right.

    >>> errors = gradient_check(fixed(version1()))
    >>> all(e < 1e-7 for e in errors.values())
    True
    """
    config = dataclasses.replace(config, dtype="float64")
    rng = np.random.default_rng(seed)
    X, y = rng.standard_normal((6, m)), rng.integers(0, 10, m)
    Y = one_hot(y, 10)
    params = init_params(config, [6, *[5] * len(config.hidden), 10], rng)
    AL, cache = notebook_forward(params, X, config)
    grads = notebook_backward(params, cache, AL, Y, config, gradient_m(config, m, m_test))

    def objective() -> float:
        """The notebook's objective at the current ``params``."""
        weights = [params[k] for k in params if k.startswith("W")]
        return (cross_entropy(notebook_forward(params, X, config)[0], Y)
                + l2_penalty(weights, config.l2, m))

    return check_gradients(objective, params, grads)
# --8<-- [end:gradient_check]


# ---------------------------------------------------------------------------------------
# The loop
# ---------------------------------------------------------------------------------------


def evaluate(AL: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """``(mean cross-entropy, accuracy)`` of the output ``AL`` ``(10, m)`` against ``y`` ``(m,)``:
    the order of ``training.evaluate_loss``.

    >>> evaluate(np.array([[0.5, 0.25], [0.5, 0.75]]), np.array([0, 1]))[1]
    1.0
    """
    with np.errstate(invalid="ignore"):
        return cross_entropy(AL, one_hot(y, AL.shape[0], AL.dtype)), accuracy(predictions(AL), y)


# --8<-- [start:run_notebook]
def run_notebook(X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray,
                 y_test: np.ndarray, config: NotebookConfig, seed: int = 0) -> dict:
    """Train the notebook's way by full-batch gradient descent; return what it measured.

    ``X_*`` are ``(784, m_*)``, ``y_*`` ``(m_*,)``. The gradients divide by
    :func:`gradient_m` (``m_train + m_test`` as written). Every ``print_every`` iterations
    ``history`` records the train accuracy the notebook prints (before or after that step,
    as the config says), the train loss and the test accuracy *of the same parameters*.
    ``train_accuracy``, ``test_accuracy`` and the losses are measured on the final
    parameters; ``max_score`` is the largest ``|Z[L]|`` met (for the softmax overflow).

    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.random((4, 40)), np.arange(40) % 2
    >>> X[0] += y
    >>> r = run_notebook(X[:, :30], y[:30], X[:, 30:], y[30:], version1(iterations=20), seed=0)
    >>> len(r["history"]), r["updates"], r["history"][-1]["iteration"]
    (3, 21, 20)
    """
    dtype = np.dtype(config.dtype)
    X_train, X_test = X_train.astype(dtype, copy=False), X_test.astype(dtype, copy=False)
    Y = one_hot(y_train, 10, dtype)
    m = gradient_m(config, y_train.size, y_test.size)
    params = init_params(config, [X_train.shape[0], *config.hidden, 10],
                         np.random.default_rng(seed))
    opt, history, max_score = GradientDescent(lr=config.lr), [], 0.0
    n = n_updates(config)

    def record(i: int, AL: np.ndarray) -> None:
        """Append the printed numbers of iteration ``i`` to ``history``."""
        loss, acc = evaluate(AL, y_train)
        _, test_acc = evaluate(notebook_forward(params, X_test, config)[0], y_test)
        history.append({"iteration": i, "train_accuracy": acc, "loss": loss,
                        "test_accuracy": test_acc})

    start = time.perf_counter()
    with np.errstate(over="ignore", invalid="ignore"):
        for i in range(n):
            AL, cache = notebook_forward(params, X_train, config)
            max_score = max(max_score, float(np.abs(cache[-1][1]).max()))
            if config.accuracy_before_update and i % config.print_every == 0:
                record(i, AL)  # the parameters before this step
            opt.step(params, notebook_backward(params, cache, AL, Y, config, m))
            if not config.accuracy_before_update and (i % config.print_every == 0 or i == n - 1):
                record(i, notebook_forward(params, X_train, config)[0])
        seconds = time.perf_counter() - start
        train_loss, train_acc = evaluate(notebook_forward(params, X_train, config)[0], y_train)
        test_loss, test_acc = evaluate(notebook_forward(params, X_test, config)[0], y_test)
    return {"history": history, "train_accuracy": train_acc, "test_accuracy": test_acc,
            "train_loss": train_loss, "test_loss": test_loss, "seconds": seconds,
            "updates": n, "m_gradient": m, "max_score": max_score,
            "reported_train_accuracy": history[-1]["train_accuracy"], "params": params}
# --8<-- [end:run_notebook]
