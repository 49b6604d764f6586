"""The notebook's mistakes, one test each: it fails on the mistaken version, passes on the fix.

Plus: the results file that ``docs/errata.md`` reads is checked against a fresh run of its
stored short configuration, and the command's errors are one line with exit code 2.
"""

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from nnscratch.data import SAMPLE_SHA256, load_sample, train_test_split
from nnscratch.notebook import (
    CHECK,
    MISTAKES,
    VARIANTS,
    fixed,
    gradient_check,
    init_params,
    main,
    notebook_forward,
    notebook_softmax,
    run_notebook,
    scalar_bias_gradient,
    score_stds,
    unit_similarity,
    version1,
    version2,
)
from nnscratch.softmax import softmax

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "docs" / "results" / "errata.json"
TOLERANCE = 0.002
"""Accuracy tolerance against the file: 6 of the 3,000 test digits. Runs are deterministic
on one machine with one BLAS thread; another CPU may round float32 sums differently."""


def tiny_problem(seed: int = 0, m: int = 12):
    """A 6-input, 10-class problem in float64."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((6, m))
    y = rng.integers(0, 10, m)
    return X, y, np.eye(10)[:, y]


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


# --- the configurations and the results file -------------------------------------------


def test_versions_match_the_notebook():
    v1, v2 = version1(), version2()
    assert (v1.hidden, v1.lr, v1.iterations, v1.activation, v1.l2) == ((100,), 0.1, 500, "relu", 0)
    assert (v2.hidden, v2.lr, v2.iterations, v2.activation, v2.alpha, v2.l2) == (
        (100, 100), 0.1, 900, "leaky_relu", 0.01, 0.01)
    assert all(getattr(v1, k) for k in MISTAKES if k != "wrong_fan_in")
    assert all(getattr(v2, k) for k in MISTAKES if k not in ("uniform_init", "naive_softmax"))
    assert not any(getattr(fixed(v2), k) for k in MISTAKES)


@pytest.fixture(scope="module")
def results():
    return json.loads(RESULTS.read_text(encoding="utf-8"))


def test_results_file_is_complete(results):
    assert results["data"]["sha256"] == SAMPLE_SHA256 and results["data"]["m"] == 10_000
    assert results["machine"]["OPENBLAS_NUM_THREADS"] == "1"
    assert len(results["seeds"]) >= 3
    assert not [r for r in results["runs"] if "error" in r]
    done = {(r["name"], r["seed"]) for r in results["runs"]}
    assert done == {(n, s) for n in [*VARIANTS, "modern"] for s in results["seeds"]}


def test_stored_check_run_is_reproduced(results):
    """Re-run the file's short configuration (v1 as written, 50 iterations, seed 0)."""
    name, iterations, seed = CHECK
    stored = results["check"]
    assert (stored["name"], stored["config"]["iterations"], stored["seed"]) == CHECK
    data = load_sample()
    X_train, y_train, X_test, y_test = train_test_split(data.X, data.y, 0.3, seed)
    config = dataclasses.replace(VARIANTS[name], iterations=iterations)
    with threadpool_limits(1):
        fresh = run_notebook(X_train, y_train, X_test, y_test, config, seed)
    for key in ("train_accuracy", "test_accuracy", "reported_train_accuracy"):
        assert fresh[key] == pytest.approx(stored[key], abs=TOLERANCE), key
    assert fresh["train_loss"] == pytest.approx(stored["train_loss"], rel=1e-3)
    assert [h["iteration"] for h in fresh["history"]] == [h["iteration"] for h in
                                                          stored["history"]]


# --- the command ---------------------------------------------------------------------------


def test_command_reports_a_missing_file_on_one_line(tmp_path, capsys):
    assert main(["--data", str(tmp_path / "train.csv"), "--out", str(tmp_path / "r.json")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "train.csv: no such file or directory" in err


def test_command_rejects_bad_seeds(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--seeds", "zero"])
    assert exit_info.value.code == 2
    assert "expected seeds like 0,1,2" in capsys.readouterr().err


def test_command_add_needs_an_existing_file(tmp_path, capsys):
    assert main(["--add", "--out", str(tmp_path / "none.json")]) == 2
    assert "no results file to --add to" in capsys.readouterr().err
