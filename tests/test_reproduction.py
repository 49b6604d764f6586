"""The notebook's mistakes, one test each: it fails on the mistaken version, passes on the fix.

Tests for ``nnscratch.experiments.reproduction`` (the page "The notebook, reproduced").
"""

import dataclasses

import numpy as np
import pytest

from nnscratch.data import load_sample
from nnscratch.experiments.reproduction import (
    MISTAKES,
    evaluate,
    fixed,
    gradient_check,
    init_params,
    notebook_backward,
    notebook_forward,
    notebook_softmax,
    run_notebook,
    scalar_bias_gradient,
    score_stds,
    unit_similarity,
    version1,
    version2,
)
from nnscratch.network import backward, forward
from nnscratch.softmax import softmax
from tests.conftest import tiny_network


def tiny_problem(seed: int = 0, m: int = 12):
    """A 6-input, 10-class problem in float64: ``X`` ``(6, m)``, labels and one-hot."""
    _, X, Y = tiny_network([6, 10], seed, m)
    return X, Y.argmax(axis=0), Y


BOTH = pytest.mark.parametrize("version", [version1, version2], ids=["v1", "v2"])


# --- the wrong m ----------------------------------------------------------------------


@BOTH
def test_whole_file_m_fails_the_gradient_check_by_exactly_the_ratio(version):
    config = fixed(version(), "scalar_bias_grad")
    r = 14 / 20                                      # m_train / (m_train + m_test)
    wrong = gradient_check(config)
    assert all(abs(e - (1 - r) / (1 + r)) < 1e-6 for e in wrong.values()), wrong
    right = gradient_check(fixed(config, "m_whole_file"))
    assert max(right.values()) < 1e-6, right


@BOTH
def test_whole_file_m_is_the_fixed_m_with_the_learning_rate_times_the_ratio(version):
    """Harmless: every step is the fixed step scaled by m_train/m_total, L2 included."""
    X, y, _ = tiny_problem(m=30)
    X_test, y_test = X[:, :10], y[:10]           # only its size matters to the gradient
    base = dataclasses.replace(fixed(version(), "scalar_bias_grad"), dtype="float64",
                               iterations=5)
    wrong = run_notebook(X, y, X_test, y_test, base, seed=3)
    ratio = 30 / 40
    scaled = dataclasses.replace(fixed(base, "m_whole_file"), lr=base.lr * ratio)
    right = run_notebook(X, y, X_test, y_test, scaled, seed=3)
    for k in wrong["params"]:
        np.testing.assert_allclose(wrong["params"][k], right["params"][k], rtol=1e-12,
                                   atol=1e-14)
    unscaled = run_notebook(X, y, X_test, y_test, fixed(base, "m_whole_file"), seed=3)
    assert not np.allclose(unscaled["params"]["W1"], wrong["params"]["W1"])


# --- the scalar bias gradient ------------------------------------------------------------


@BOTH
def test_scalar_bias_gradient_fails_the_gradient_check(version):
    config = fixed(version(), "m_whole_file")
    wrong = gradient_check(config)
    assert min(wrong[k] for k in wrong if k.startswith("b")) > 0.1, wrong
    assert wrong[f"b{len(config.hidden) + 1}"] == 1.0  # the output bias gets Σ(A - Y) = 0
    assert max(wrong[k] for k in wrong if k.startswith("W")) < 1e-6, wrong
    right = gradient_check(fixed(config, "scalar_bias_grad"))
    assert max(right.values()) < 1e-6, right


def test_scalar_bias_gradient_is_one_number_per_layer():
    dZ = np.random.default_rng(0).standard_normal((5, 7))
    db = scalar_bias_gradient(dZ)
    assert db.shape == (5, 1) and np.ptp(db) == 0 and np.isclose(db[0, 0], dZ.sum())


# --- uniform positive initialisation ------------------------------------------------------


def test_uniform_init_makes_hidden_units_near_copies():
    X = load_sample(np.float64).X[:, :1000]
    similarity = {}
    for name, config in [("v1", version1(dtype="float64")),
                         ("he", fixed(version1(dtype="float64"), "uniform_init"))]:
        params = init_params(config, [784, 100, 10], np.random.default_rng(0))
        _, cache = notebook_forward(params, X, config)
        similarity[name] = unit_similarity(cache[1][0])   # A[1], the hidden activations
    assert similarity["v1"] > 0.9, similarity
    assert similarity["he"] < 0.1, similarity


# --- the wrong fan-in --------------------------------------------------------------------


def test_wrong_fan_in_inflates_the_scores_of_layers_2_and_3():
    """W2, W3 scaled by √(2/10) instead of √(2/100): Z2 is √10 and Z3 about 10 times He's."""
    X = load_sample(np.float64).X[:, :1000]
    wrong_config = version2(dtype="float64")
    right_config = fixed(wrong_config, "wrong_fan_in")
    sizes = [784, 100, 100, 10]
    wrong = score_stds(init_params(wrong_config, sizes, np.random.default_rng(0)), X, wrong_config)
    right = score_stds(init_params(right_config, sizes, np.random.default_rng(0)), X, right_config)
    assert wrong[0] == pytest.approx(right[0])           # W1 is the same He draw
    assert wrong[1] / right[1] > 2.5 and wrong[2] / right[2] > 5, (wrong, right)
    assert max(right) / min(right) < 1.5, right           # He keeps the scale layer to layer


# --- the unstable softmax ----------------------------------------------------------------


@pytest.mark.parametrize("dtype,z", [(np.float64, 1000.0), (np.float32, 100.0)])
def test_naive_softmax_overflows_where_the_library_does_not(dtype, z):
    Z = np.array([[z, 1.0], [0.0, 1.0]], dtype=dtype)
    with np.errstate(over="ignore", invalid="ignore"):
        naive = notebook_softmax(Z)
    assert np.isnan(naive[0, 0])
    stable = softmax(Z)
    assert np.isfinite(stable).all() and stable[0, 0] == 1


def test_whole_matrix_reading_does_not_make_columns_distributions():
    Z = np.random.default_rng(0).standard_normal((10, 5))
    column, whole = notebook_softmax(Z), notebook_softmax(Z, whole_matrix=True)
    np.testing.assert_allclose(column, softmax(Z))
    np.testing.assert_allclose(whole.sum(), 1.0)
    assert not np.allclose(whole.sum(axis=0), 1.0)
    assert (whole.argmax(axis=0) == column.argmax(axis=0)).all()   # same predictions


# --- the reporting: accuracy before the update, and the 501st iteration --------------------


def separable_problem(m: int = 200):
    rng = np.random.default_rng(0)
    X, y = rng.random((20, m)), rng.integers(0, 10, m)
    X[y, np.arange(m)] += 1.0                 # feature k lights up for class k
    return X[:, :150], y[:150], X[:, 150:], y[150:]


def test_accuracy_before_the_update_reports_the_previous_parameters():
    data = separable_problem()
    base = version1(iterations=30, print_every=1, hidden=(16,), lr=2.0)
    before = run_notebook(*data, base, seed=0)["history"]
    after = run_notebook(*data, fixed(base, "accuracy_before_update"), seed=0)["history"]
    reported = {h["iteration"]: h["train_accuracy"] for h in before}
    true = {h["iteration"]: h["train_accuracy"] for h in after}
    assert any(reported[i] != true[i] for i in true)          # the printed number is stale
    assert all(reported[i + 1] == true[i] for i in true if i + 1 in reported)  # by one step


def test_the_loop_takes_one_update_too_many():
    data = separable_problem()
    written = run_notebook(*data, version1(iterations=7, hidden=(16,)), seed=0)
    right = run_notebook(*data, fixed(version1(iterations=8, hidden=(16,)),
                                      "iterations_plus_one"), seed=0)
    assert written["updates"] == 8 and right["updates"] == 8
    for k in written["params"]:
        np.testing.assert_array_equal(written["params"][k], right["params"][k])
    shorter = run_notebook(*data, fixed(version1(iterations=7, hidden=(16,)),
                                        "iterations_plus_one"), seed=0)
    assert shorter["updates"] == 7


# --- the configurations -----------------------------------------------------------------


def test_versions_match_the_notebook():
    v1, v2 = version1(), version2()
    assert (v1.hidden, v1.lr, v1.iterations, v1.activation, v1.l2) == ((100,), 0.1, 500, "relu", 0)
    assert (v2.hidden, v2.lr, v2.iterations, v2.activation, v2.alpha, v2.l2) == (
        (100, 100), 0.1, 900, "leaky_relu", 0.01, 0.01)
    assert all(getattr(v1, k) for k in MISTAKES if k != "wrong_fan_in")
    assert all(getattr(v2, k) for k in MISTAKES if k not in ("uniform_init", "naive_softmax"))
    assert not any(getattr(fixed(v2), k) for k in MISTAKES)


@pytest.mark.parametrize("activation", ["relu", "leaky_relu"])
def test_backward_with_every_slip_fixed_is_the_library_backward(activation):
    """With m = the batch's m and the right bias gradient, the notebook's gradients are
    ``network.backward``'s (the docstring's claim)."""
    X, y, Y = tiny_problem(m=9)
    config = fixed(version2(activation=activation, l2=0.0, dtype="float64"))
    params = init_params(config, [6, 5, 5, 10], np.random.default_rng(1))
    AL, cache = notebook_forward(params, X, config)
    ours = notebook_backward(params, cache, AL, Y, config, m=9)
    AL_lib, cache_lib = forward(params, X, activation, config.alpha)
    theirs = backward(params, cache_lib, AL_lib, Y, activation, config.alpha)
    assert list(ours) == list(theirs)
    for k in theirs:
        np.testing.assert_allclose(ours[k], theirs[k], rtol=1e-12, atol=1e-15, err_msg=k)


def test_evaluate_returns_loss_then_accuracy():
    AL = np.array([[0.5, 0.25], [0.5, 0.75]])
    loss, acc = evaluate(AL, np.array([0, 1]))
    assert acc == 1.0 and loss == pytest.approx(-(np.log(0.5) + np.log(0.75)) / 2)
