"""Tests for nnscratch.training: seeds, history, GD by hand, resume, divergence, accuracy."""

import math
import os
import subprocess
import sys

import numpy as np
import pytest

from nnscratch.initialization import he_init
from nnscratch.network import backward, forward
from nnscratch.onehot import one_hot
from nnscratch.optimizers import make_optimizer
from nnscratch.training import TrainConfig, TrainingDiverged, learning_rate, train
from tests.conftest import toy

HISTORY_KEYS = {"epoch", "lr", "loss", "train_accuracy", "test_loss", "test_accuracy", "seconds"}


SMALL = TrainConfig(hidden=(8, 6), epochs=3, batch_size=32, lr=0.01)


@pytest.mark.parametrize("fast", [True, False])
def test_same_seed_same_run_other_seed_other_run(fast):
    X, y = toy()
    a = train(X, y, SMALL, progress=False, fast=fast)
    b = train(X, y, SMALL, progress=False, fast=fast)
    c = train(X, y, TrainConfig(**{**SMALL.to_dict(), "hidden": (8, 6), "seed": 1}),
              progress=False, fast=fast)
    for k in a.params:
        np.testing.assert_array_equal(a.params[k], b.params[k])
    assert not np.array_equal(a.params["W1"], c.params["W1"])
    assert [r["loss"] for r in a.history] == [r["loss"] for r in b.history]


def test_history_keys_and_eval_every():
    X, y = toy()
    Xt, yt = toy(50, seed=1)
    r = train(X, y, TrainConfig(hidden=(5,), epochs=5, eval_every=2), X_test=Xt, y_test=yt,
              progress=False)
    assert [h["epoch"] for h in r.history] == [2, 4, 5]   # and always the last epoch
    for h in r.history:
        assert set(h) == HISTORY_KEYS
        assert 0 <= h["test_accuracy"] <= 1 and h["seconds"] >= 0
    r = train(X, y, TrainConfig(hidden=(5,), epochs=2), progress=False)
    assert math.isnan(r.history[-1]["test_accuracy"])
    assert train(X, y, TrainConfig(hidden=(5,), epochs=2, eval_every=0),
                 progress=False).history == []


@pytest.mark.parametrize("fast", [True, False])
def test_full_batch_gd_equals_manual_steps(fast):
    X, y = toy(60)
    cfg = TrainConfig(hidden=(7,), optimizer="gd", lr=0.3, batch_size=None, epochs=4,
                      schedule="constant", dtype="float64", l2=0.1, seed=5)
    r = train(X, y, cfg, progress=False, fast=fast)
    # Ten output units: labels below 10 are read as digits, whatever classes occur.
    params = he_init([10, 7, 10], np.random.default_rng(5), dtype=np.float64)
    Y = one_hot(y, 10)
    for _ in range(4):
        AL, cache = forward(params, X)
        grads = backward(params, cache, AL, Y, lam=0.1)
        for k in params:
            params[k] = params[k] - 0.3 * grads[k]
    for k in params:
        np.testing.assert_allclose(r.params[k], params[k], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize("optimizer", ["adam", "momentum"])
def test_resume_equals_uninterrupted_run(fast, optimizer):
    X, y = toy(150)
    cfg = TrainConfig(hidden=(8,), epochs=5, batch_size=40, optimizer=optimizer, lr=0.01)
    full = train(X, y, cfg, progress=False, fast=fast)

    saved = {}

    def checkpoint(record, result):  # what the command line saves after epoch 2
        if record["epoch"] == 2:
            saved["params"] = {k: np.array(v) for k, v in result.params.items()}
            saved["state"] = {k: np.array(v) for k, v in result.optimizer.state.items()}

    train(X, y, cfg, progress=False, fast=fast, callback=checkpoint)
    opt = make_optimizer(optimizer, cfg.lr)
    opt.state = saved["state"]
    resumed = train(X, y, cfg, params=saved["params"], optimizer=opt, start_epoch=2,
                    progress=False, fast=fast)
    for k in full.params:
        np.testing.assert_array_equal(resumed.params[k], full.params[k], err_msg=k)
    assert [h["epoch"] for h in resumed.history] == [3, 4, 5]
    assert resumed.history[-1]["loss"] == full.history[-1]["loss"]


def test_huge_learning_rate_raises_training_diverged():
    X, y = toy()
    with pytest.raises(TrainingDiverged) as info, np.errstate(all="ignore"):
        train(X * 1e3, y, TrainConfig(hidden=(8,), optimizer="gd", lr=1e30, epochs=5),
              progress=False)
    assert info.value.epoch >= 1 and not math.isfinite(info.value.loss)
    assert "--lr" in str(info.value)


def test_learning_rate_schedules():
    assert learning_rate(TrainConfig(lr=0.1, schedule="constant"), 7) == 0.1
    cos = TrainConfig(lr=0.1, epochs=10)
    assert learning_rate(cos, 0) == 0.1 and learning_rate(cos, 5) == pytest.approx(0.05)
    with pytest.raises(ValueError, match="unknown schedule"):
        learning_rate(TrainConfig(schedule="step"), 0)


DEFAULTS_RUN = """
from nnscratch.data import load_sample, train_test_split
from nnscratch.evaluation import accuracy
from nnscratch.network import predict
from nnscratch.training import TrainConfig, train
d = load_sample()
X_train, y_train, X_test, y_test = train_test_split(d.X, d.y, 0.3, seed=0)
r = train(X_train, y_train, TrainConfig(eval_every=0), progress=False)
print(accuracy(predict(r.params, X_test), y_test))
"""


def test_defaults_beat_95_percent_on_the_sample():
    """The command line's defaults on the sample's 7,000/3,000 split (about 5-10 s).

    In a subprocess with one BLAS thread: the number is the same with two, but two BLAS
    threads that share the machine with other busy processes can run ten times slower.
    """
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    out = subprocess.run([sys.executable, "-c", DEFAULTS_RUN], env=env, capture_output=True,
                         text=True, check=True).stdout
    assert float(out) > 0.95


def test_test_loss_is_the_cross_entropy_alone_and_loss_is_the_objective():
    """With L2 on, the held-out loss must not include the penalty (scaled by the test size)."""
    from nnscratch.loss import cross_entropy
    from nnscratch.regularization import l2_penalty

    rng = np.random.default_rng(0)
    X, y = rng.random((5, 40)), rng.integers(0, 3, 40)
    X_test, y_test = rng.random((5, 10)), rng.integers(0, 3, 10)
    cfg = TrainConfig(hidden=(4,), epochs=2, l2=5.0, batch_size=8, dtype="float64")
    result = train(X, y, cfg, X_test=X_test, y_test=y_test, progress=False)
    p, last = result.params, result.history[-1]
    ce = lambda X_, y_: cross_entropy(forward(p, X_)[0], one_hot(y_, 10))  # noqa: E731
    assert last["test_loss"] == pytest.approx(ce(X_test, y_test), rel=1e-12)
    assert last["loss"] == pytest.approx(
        ce(X, y) + l2_penalty([p["W1"], p["W2"]], 5.0, 40), rel=1e-12)


def test_divergence_is_one_exception_not_a_stream_of_warnings():
    """train() owns the NaN check, so NumPy's overflow warnings stay inside it."""
    import warnings

    X, y = toy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any RuntimeWarning escaping train() fails here
        with pytest.raises(TrainingDiverged):
            train(X * 1e3, y, TrainConfig(hidden=(8,), optimizer="gd", lr=1e30, epochs=5),
                  progress=False)
