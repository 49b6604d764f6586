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

``python -m nnscratch.notebook [--data PATH] [--seeds 0,1,2] [--out FILE]`` runs every
variant over several seeds and writes the results file the errata chapter reads.
"""

import argparse
import dataclasses
import datetime
import json
import os
import platform
import shlex
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from nnscratch.activations import ACTIVATIONS
from nnscratch.errors import InputError
from nnscratch.evaluation import accuracy
from nnscratch.gradcheck import check_gradients
from nnscratch.initialization import he_init, uniform_init
from nnscratch.linear import linear_backward, linear_forward
from nnscratch.loss import cross_entropy
from nnscratch.onehot import one_hot, predictions
from nnscratch.optimizers import GradientDescent
from nnscratch.regularization import l2_backward, l2_penalty
from nnscratch.softmax import softmax

Params = dict[str, np.ndarray]

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


def _hidden(config: NotebookConfig) -> tuple[Callable, Callable]:
    g, g_backward = ACTIVATIONS[config.activation]
    if config.activation == "leaky_relu":
        return (lambda Z: g(Z, config.alpha)), (lambda dA, Z: g_backward(dA, Z, config.alpha))
    return g, g_backward


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
    g, _ = _hidden(config)
    L = len(params) // 2
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
    _, g_backward = _hidden(config)
    L = len(params) // 2
    grads: Params = {}
    dZ = (AL - Y) / m
    for l in range(L, 0, -1):
        A_prev, Z = cache[l - 1]
        W = params[f"W{l}"]
        if l < L:
            dZ = g_backward(dA, Z)  # noqa: F821 - dA comes from the layer above
        if l > 1:
            dA, dW, db = linear_backward(dZ, A_prev, W)
        else:
            dW, db = dZ @ A_prev.T, np.sum(dZ, axis=1, keepdims=True)
        if config.scalar_bias_grad:
            db = scalar_bias_gradient(dZ)
        if config.l2:
            dW = dW + l2_backward(W, config.l2, m)
        grads[f"W{l}"], grads[f"b{l}"] = dW, db
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
    >>> round(unit_similarity(A[:2]), 3), round(unit_similarity(A), 3)
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
        weights = [params[k] for k in params if k.startswith("W")]
        return (cross_entropy(notebook_forward(params, X, config)[0], Y)
                + l2_penalty(weights, config.l2, m))

    return check_gradients(objective, params, grads)
# --8<-- [end:gradient_check]


# ---------------------------------------------------------------------------------------
# The loop
# ---------------------------------------------------------------------------------------


def evaluate(AL: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """``(accuracy, mean cross-entropy)`` of the output ``AL`` ``(10, m)`` against ``y`` ``(m,)``.

    >>> evaluate(np.array([[0.5, 0.25], [0.5, 0.75]]), np.array([0, 1]))[0]
    1.0
    """
    with np.errstate(invalid="ignore"):
        return accuracy(predictions(AL), y), cross_entropy(AL, one_hot(y, AL.shape[0], AL.dtype))


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
        acc, loss = evaluate(AL, y_train)
        test_acc, _ = evaluate(notebook_forward(params, X_test, config)[0], y_test)
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
        train_acc, train_loss = evaluate(notebook_forward(params, X_train, config)[0], y_train)
        test_acc, test_loss = evaluate(notebook_forward(params, X_test, config)[0], y_test)
    return {"history": history, "train_accuracy": train_acc, "test_accuracy": test_acc,
            "train_loss": train_loss, "test_loss": test_loss, "seconds": seconds,
            "updates": n, "m_gradient": m, "max_score": max_score,
            "reported_train_accuracy": history[-1]["train_accuracy"], "params": params}
# --8<-- [end:run_notebook]


# ---------------------------------------------------------------------------------------
# The results file: every variant, several seeds
# ---------------------------------------------------------------------------------------

VARIANTS: dict[str, NotebookConfig] = {
    "v1 as written": version1(),
    "v2 as written": version2(),
    "v1 all fixes": fixed(version1()),
    "v2 all fixes": fixed(version2()),
    "v1 fix scalar_bias_grad": fixed(version1(), "scalar_bias_grad"),
    "v2 fix scalar_bias_grad": fixed(version2(), "scalar_bias_grad"),
    "v1 fix uniform_init": fixed(version1(), "uniform_init"),
    "v2 fix wrong_fan_in": fixed(version2(), "wrong_fan_in"),
    "v1 fix m_whole_file": fixed(version1(), "m_whole_file"),
    "v2 fix m_whole_file": fixed(version2(), "m_whole_file"),
    "v1 whole-matrix softmax": version1(softmax_whole_matrix=True),
    "v1 fix naive_softmax": fixed(version1(), "naive_softmax"),
    "v1 whole-matrix softmax float64": version1(softmax_whole_matrix=True, dtype="float64"),
}
"""Every configuration the results command runs, by name (plus ``"modern"``, see below).

The reporting mistakes (``accuracy_before_update``, ``iterations_plus_one``) change no
update before the last one, so their effect is read off the as-written runs' histories."""

CHECK = ("v1 as written", 50, 0)
"""(variant, iterations, seed) of the short run stored in the file for the tests to repeat."""


def run_modern(X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray,
               y_test: np.ndarray, seed: int) -> dict:
    """The modern recipe: ``nnscratch.training.train`` with ``TrainConfig(seed=seed)``
    (mini-batches of 64, Adam, cosine schedule, He init, 784-256-128-10)."""
    from nnscratch.training import TrainConfig, train

    config = TrainConfig(seed=seed)
    start = time.perf_counter()
    result = train(X_train, y_train, config, X_test=X_test, y_test=y_test, progress=False)
    seconds = time.perf_counter() - start
    last = result.history[-1]
    return {"train_accuracy": last["train_accuracy"], "test_accuracy": last["test_accuracy"],
            "train_loss": last["loss"], "test_loss": last["test_loss"], "seconds": seconds,
            "config": config.to_dict()}


def _run_task(task: tuple) -> dict:
    """One (variant, seed, iterations) run on the split of ``seed``; picklable for a pool.

    A run that fails is recorded with its error instead of losing every other run."""
    try:
        return _run_one(*task)
    except Exception as e:  # noqa: BLE001 - reported in the file and by the exit code
        return {"name": task[0], "seed": task[1], "error": f"{type(e).__name__}: {e}"}


def _run_one(name: str, seed: int, iterations: int | None, data_spec: str) -> dict:
    from nnscratch.data import load, train_test_split

    data = load(data_spec)
    X_train, y_train, X_test, y_test = train_test_split(data.X, data.y, 0.3, seed)
    if name == "modern":
        out = run_modern(X_train, y_train, X_test, y_test, seed)
    else:
        config = VARIANTS[name]
        if iterations is not None:
            config = dataclasses.replace(config, iterations=iterations)
        out = run_notebook(X_train, y_train, X_test, y_test, config, seed)
        del out["params"]
        out["config"] = dataclasses.asdict(config)
    return {"name": name, "seed": seed, **out}


RESULTS_PATH = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "results",
                            "errata.json")
"""Where the results command writes by default, found from this file (a source checkout)."""


def load_results(path: str | os.PathLike = RESULTS_PATH) -> dict:
    """The results file written by ``python -m nnscratch.notebook``."""
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def runs_of(results: dict, name: str) -> list[dict]:
    """The runs of one variant, in seed order; ``KeyError`` if the file has none."""
    runs = sorted((r for r in results["runs"] if r["name"] == name), key=lambda r: r["seed"])
    if not runs:
        raise KeyError(f"no runs of {name!r} in the results file")
    return runs


def mean_sd(values: Sequence[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (``ddof=1``; 0 for a single value).

    >>> mean_sd([0.8, 0.9, 1.0])
    (0.9, 0.1)
    """
    v = np.asarray(values, dtype=np.float64)
    sd = float(v.std(ddof=1)) if v.size > 1 else 0.0
    return round(float(v.mean()), 12), round(sd, 12)


def pct(values: Sequence[float]) -> str:
    """``"84.57 % ± 0.21"``: a mean ± sd of fractions, in percent.

    >>> pct([0.8, 0.9, 1.0])
    '90.00 % ± 10.00'
    """
    mean, sd = mean_sd(values)
    return f"{100 * mean:.2f} % ± {100 * sd:.2f}"


def compare(results: dict, written: str, fix: str, key: str = "test_accuracy") -> None:
    """Print ``key`` of two variants (mean ± sd over the seeds) and their paired difference."""
    a, b = runs_of(results, written), runs_of(results, fix)
    assert [r["seed"] for r in a] == [r["seed"] for r in b]
    diff = [rb[key] - ra[key] for ra, rb in zip(a, b, strict=True)]
    mean, sd = mean_sd(diff)
    print(f"{key}, seeds {', '.join(str(r['seed']) for r in a)} (mean ± sd):")
    print(f"  {written:<32} {pct([r[key] for r in a])}")
    print(f"  {fix:<32} {pct([r[key] for r in b])}")
    print(f"  {'difference (2nd - 1st)':<32} {100 * mean:+.2f} points ± {100 * sd:.2f}")


def _seeds(text: str) -> list[int]:
    try:
        seeds = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seeds like 0,1,2, got {text!r}") from None
    if not seeds:
        raise argparse.ArgumentTypeError("expected at least one seed")
    return seeds


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``python -m nnscratch.notebook``."""
    p = argparse.ArgumentParser(
        prog="python -m nnscratch.notebook",
        description="Run the Kaggle notebook's two networks as written, with each mistake "
                    "fixed alone, with all fixed, and the modern recipe; write a JSON file.")
    p.add_argument("--data", default="sample",
                   help="Kaggle train.csv (or any labelled data nnscratch loads); default: "
                        "the embedded sample")
    p.add_argument("--seeds", type=_seeds, default=[0, 1, 2], help="default: 0,1,2")
    p.add_argument("--out", default="docs/results/errata.json", help="default: %(default)s")
    p.add_argument("--jobs", type=int, default=1, help="processes to run at once (default: 1)")
    p.add_argument("--only", help="comma-separated variant names (default: all, and modern)")
    p.add_argument("--add", action="store_true",
                   help="add the runs to the existing --out file, replacing those of the same "
                        "variant and seed (the command is appended to its 'commands')")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run every variant and seed, write the results file; one-line errors exit 2."""
    args = build_parser().parse_args(argv)
    from nnscratch.data import load

    try:
        data = load(args.data)  # fail early, before any training
        if data.y is None:
            raise InputError(args.data, "has no label column; the notebook needs train.csv")
        out_dir = os.path.dirname(os.path.abspath(args.out))
        if not os.path.isdir(out_dir):
            raise InputError(args.out, "its folder does not exist")
        if args.add and not os.path.isfile(args.out):
            raise InputError(args.out, "no results file to --add to")
    except InputError as e:
        print(f"python -m nnscratch.notebook: error: {e}", file=sys.stderr)
        return 2
    names = args.only.split(",") if args.only else [*list(VARIANTS)[:4], "modern",
                                                     *list(VARIANTS)[4:]]
    # The short check run first, then variant by variant (all seeds), so that a file written
    # part-way already holds complete variants.
    tasks = [] if args.add else [(CHECK[0], CHECK[2], CHECK[1], args.data)]
    tasks += [(n, s, None, args.data) for n in names for s in args.seeds]
    command = shlex.join(["python", "-m", "nnscratch.notebook", *(argv or sys.argv[1:])])
    if args.add:
        results = load_results(args.out)
        if results["data"]["sha256"] != data.sha256:
            print(f"python -m nnscratch.notebook: error: {args.out}: made from other data",
                  file=sys.stderr)
            return 2
        replaced = {(t[0], t[1]) for t in tasks}
        results["runs"] = [r for r in results["runs"] if (r["name"], r["seed"]) not in replaced]
        results.setdefault("commands", [results["command"]]).append(command)
    else:
        results = {
            "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "command": command,
            "machine": {"platform": platform.platform(), "processor": platform.machine(),
                        "cpus": os.cpu_count(), "python": platform.python_version(),
                        "numpy": np.__version__, "jobs": args.jobs,
                        "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS")},
            "data": {"source": data.source, "sha256": data.sha256, "m": data.m,
                     "test_fraction": 0.3},
            "seeds": args.seeds, "complete": False, "total_seconds": 0.0,
            "check": None, "runs": [],
        }
    start, elapsed = time.perf_counter(), results["total_seconds"]
    for r in _map(_run_task, tasks, args.jobs):
        print(f"{r['name']:<26} seed {r['seed']}  " + (
            f"error: {r['error']}" if "error" in r else
            f"test {r['test_accuracy']:.4f}  {r['seconds']:.1f} s"), file=sys.stderr, flush=True)
        if not args.add and results["check"] is None:
            results["check"] = r
        else:
            results["runs"].append(r)
        results["total_seconds"] = elapsed + time.perf_counter() - start
        results["complete"] = {(r["name"], r["seed"]) for r in results["runs"]} >= {
            (n, s) for n in [*VARIANTS, "modern"] for s in results["seeds"]}
        _write_json(args.out, results)
    return 1 if any("error" in r for r in [results["check"], *results["runs"]]) else 0


def _map(function: Callable, tasks: list, jobs: int):
    """``map(function, tasks)`` in order, on ``jobs`` processes when ``jobs > 1``."""
    if jobs <= 1:
        yield from map(function, tasks)
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(jobs) as pool:
        yield from pool.map(function, tasks)


def _write_json(path: str, obj: dict) -> None:
    """Write ``obj`` to ``path`` through a temporary file, so a reader never sees half."""
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")
    os.replace(tmp, path)


if __name__ == "__main__":
    sys.exit(main())
