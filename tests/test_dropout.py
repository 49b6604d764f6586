"""Tests for nnscratch.dropout: the expectation, a gradient check with fixed masks, the fast
path against the teaching path, and dropout switched off at evaluation."""

import numpy as np
import pytest

from nnscratch.augment import Augmentation
from nnscratch.dropout import (
    backward_dropout,
    dropout_backward,
    dropout_forward,
    forward_dropout,
    keep_mask,
)
from nnscratch.fast_training import Workspace, fast_step, make_grads
from nnscratch.gradcheck import check_gradients
from nnscratch.loss import cross_entropy
from nnscratch.network import forward
from nnscratch.onehot import one_hot
from nnscratch.training import TrainConfig, evaluate_loss, train
from tests.conftest import NETWORK_BOUND, tiny_network

SIZES = [12, 9, 7, 4]


def test_scaling_keeps_the_expected_activation():
    A = np.random.default_rng(0).random((50, 40))
    rng = np.random.default_rng(1)
    draws = np.stack([dropout_forward(A, 0.3, rng)[0] for _ in range(2000)])
    # Each entry is A / 0.7 with probability 0.7, else 0: mean A, sd A·sqrt(0.3/0.7).
    mean = draws.mean(axis=0)
    bound = 5 * A * np.sqrt(0.3 / 0.7) / np.sqrt(2000)
    assert np.all(np.abs(mean - A) <= bound + 1e-12)
    kept = np.mean(draws > 0)
    assert abs(kept - 0.7) < 0.005


def test_forward_and_backward_use_the_same_mask_and_factor():
    A = np.arange(1.0, 9.0).reshape(2, 4)
    A_drop, mask = dropout_forward(A, 0.5, np.random.default_rng(3))
    np.testing.assert_array_equal(A_drop, np.where(mask, 2 * A, 0))
    np.testing.assert_array_equal(dropout_backward(np.ones_like(A), mask, 0.5),
                                  np.where(mask, 2.0, 0.0))
    assert keep_mask((3, 3), 0.0, np.random.default_rng(0)).all()


@pytest.mark.parametrize("activation", ["relu", "leaky_relu"])
@pytest.mark.parametrize("lam", [0.0, 0.7])
def test_gradient_check_with_a_fixed_mask(activation, lam):
    params, X, Y = tiny_network(SIZES, 4, m=6)
    _, _, masks = forward_dropout(params, X, 0.4, np.random.default_rng(5), activation)
    assert any(not m.all() for m in masks)               # some units really are dropped

    def loss() -> float:
        AL, _, _ = forward_dropout(params, X, 0.4, activation=activation, masks=masks)
        weights = sum(float(np.sum(params[f"W{l}"] ** 2)) for l in (1, 2, 3))
        return cross_entropy(AL, Y) + lam / (2 * 6) * weights

    AL, cache, _ = forward_dropout(params, X, 0.4, activation=activation, masks=masks)
    grads = backward_dropout(params, cache, masks, AL, Y, 0.4, activation, lam=lam)
    errors = check_gradients(loss, params, grads)
    assert max(errors.values()) < NETWORK_BOUND, errors


def test_no_dropout_is_the_plain_network():
    params, X, _ = tiny_network(SIZES, 6, m=5)
    AL, _, masks = forward_dropout(params, X, 0.0, np.random.default_rng(0))
    np.testing.assert_array_equal(AL, forward(params, X)[0])
    assert all(m.all() for m in masks)


@pytest.mark.parametrize("activation,alpha", [("relu", 0.01), ("leaky_relu", 0.2)])
def test_fast_step_with_masks_equals_backward_dropout(activation, alpha):
    params, X, Y = tiny_network(SIZES, 7, m=16)
    y = Y.argmax(axis=0)
    AL, cache, masks = forward_dropout(params, X, 0.3, np.random.default_rng(8), activation,
                                       alpha)
    expected = backward_dropout(params, cache, masks, AL, Y, 0.3, activation, alpha, 0.5)
    ws = Workspace(SIZES, 16, np.dtype(np.float64))
    ws.Xb[...] = X.T
    grads = make_grads(params)
    fast_step(params, grads, ws, y, activation, alpha, 0.5, masks, 0.3)
    for k in expected:
        np.testing.assert_allclose(grads[k], expected[k], rtol=1e-13, atol=1e-15, err_msg=k)


def _toy(m: int = 300, n: int = 784):
    rng = np.random.default_rng(9)
    return rng.random((n, m)), rng.integers(0, 4, m)


@pytest.mark.parametrize("optimizer", ["adam", "momentum"])
def test_train_fast_equals_teaching_path_with_dropout_and_augmentation(optimizer):
    X, y = _toy()
    cfg = TrainConfig(hidden=(16, 8), epochs=2, batch_size=64, dtype="float64", l2=0.3,
                      optimizer=optimizer, lr=0.01, dropout=0.25,
                      augment=Augmentation(shift=1, rotation=8, elastic_alpha=10))
    fast = train(X, y, cfg, progress=False, fast=True)
    slow = train(X, y, cfg, progress=False, fast=False)
    for k in slow.params:
        np.testing.assert_array_equal(fast.params[k], slow.params[k], err_msg=k)


def test_dropout_is_off_at_evaluation():
    X, y = _toy(n=20)
    cfg = TrainConfig(hidden=(16,), epochs=3, dropout=0.5, dtype="float64")
    result = train(X, y, cfg, progress=False)
    once = evaluate_loss(result.params, X, y, cfg)
    assert once == evaluate_loss(result.params, X, y, cfg)      # no randomness left
    AL, _ = forward(result.params, X)
    assert result.history[-1]["train_accuracy"] == float(np.mean(AL.argmax(0) == y))
    Y = one_hot(y, 10)                                  # n_classes: 10 for digits
    assert abs(evaluate_loss(result.params, X, y, cfg, penalty=False)[0]
               - cross_entropy(AL, Y)) < 1e-12


def test_dropout_changes_training_and_is_reproducible():
    X, y = _toy(n=20)
    base = TrainConfig(hidden=(16,), epochs=2, dtype="float64")
    plain = train(X, y, base, progress=False)
    dropped = train(X, y, TrainConfig(**{**base.to_dict(), "hidden": (16,), "dropout": 0.5}),
                    progress=False)
    again = train(X, y, TrainConfig(**{**base.to_dict(), "hidden": (16,), "dropout": 0.5}),
                  progress=False)
    assert not np.array_equal(plain.params["W1"], dropped.params["W1"])
    np.testing.assert_array_equal(dropped.params["W1"], again.params["W1"])


@pytest.mark.parametrize("p", [1.0, -0.1])
def test_dropout_outside_its_range_is_refused(p):
    X, y = _toy(n=20)
    with pytest.raises(ValueError, match="dropout"):
        train(X, y, TrainConfig(hidden=(4,), epochs=1, dropout=p), progress=False)
