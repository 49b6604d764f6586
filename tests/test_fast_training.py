"""The fast path (``fast_step``, ``FlatState``) computes what the teaching path computes.

``forward``/``backward`` are what the book derives; ``train`` runs ``fast_step`` by default.
Here both run on the same batches in float64 and must agree to the last bit or to rounding.
"""

import numpy as np
import pytest

from nnscratch.fast_training import FlatState, Workspace, fast_step, flatten_into, make_grads
from nnscratch.initialization import he_init
from nnscratch.network import backward, forward
from nnscratch.onehot import one_hot
from nnscratch.optimizers import Adam, GradientDescent, Momentum
from nnscratch.training import TrainConfig, train
from tests.conftest import tiny_network, toy

SIZES = [12, 9, 7, 4]


def batch(B: int, seed: int = 0):
    """A float64 network of ``SIZES``, a batch ``X`` ``(12, B)`` and its labels ``y``."""
    params, X, Y = tiny_network(SIZES, seed, m=B)
    return params, X, Y.argmax(axis=0)


@pytest.mark.parametrize("activation,alpha", [("relu", 0.01), ("leaky_relu", 0.01),
                                              ("leaky_relu", 0.0), ("leaky_relu", 0.3)])
@pytest.mark.parametrize("lam", [0.0, 0.7])
@pytest.mark.parametrize("B", [1, 5, 32])
def test_fast_step_gradients_equal_backward(activation, alpha, lam, B):
    params, X, y = batch(B)
    AL, cache = forward(params, X, activation, alpha)
    expected = backward(params, cache, AL, one_hot(y, SIZES[-1]), activation, alpha, lam)
    ws = Workspace(SIZES, B, np.dtype(np.float64))
    ws.Xb[...] = X.T
    grads = make_grads(params)
    fast_step(params, grads, ws, y, activation, alpha, lam)
    assert list(grads) == list(expected)  # same keys, same order (W3, b3, ..., W1, b1)
    for k in expected:
        np.testing.assert_allclose(grads[k], expected[k], rtol=1e-13, atol=1e-15, err_msg=k)
    # The hidden activations left in the workspace are forward's.
    for l in (1, 2):
        np.testing.assert_allclose(ws.A[l - 1], cache[l][0], rtol=1e-13, atol=1e-15)


def test_fast_step_float32_close_to_float64():
    params, X, y = batch(64)
    AL, cache = forward(params, X)
    expected = backward(params, cache, AL, one_hot(y, SIZES[-1]))
    p32 = {k: v.astype(np.float32) for k, v in params.items()}
    ws = Workspace(SIZES, 64, np.dtype(np.float32))
    ws.Xb[...] = X.T
    grads = make_grads(p32)
    fast_step(p32, grads, ws, y)
    for k in expected:
        assert grads[k].dtype == np.float32
        np.testing.assert_allclose(grads[k], expected[k], rtol=1e-4, atol=1e-5, err_msg=k)


@pytest.mark.parametrize("optimizer", ["adam", "momentum", "gd"])
@pytest.mark.parametrize("activation", ["relu", "leaky_relu"])
def test_train_fast_equals_teaching_path(optimizer, activation):
    rng = np.random.default_rng(1)
    X, y = rng.random((20, 300)), rng.integers(0, 4, 300)   # 300 = 4 batches of 64 + 44
    cfg = TrainConfig(hidden=(16, 8), epochs=3, batch_size=64, dtype="float64", l2=0.3,
                      optimizer=optimizer, lr=0.01, activation=activation)
    fast = train(X, y, cfg, progress=False, fast=True)
    slow = train(X, y, cfg, progress=False, fast=False)
    for k in slow.params:
        np.testing.assert_array_equal(fast.params[k], slow.params[k], err_msg=k)
    assert set(fast.optimizer.state) == set(slow.optimizer.state)
    for k, v in slow.optimizer.state.items():
        np.testing.assert_array_equal(fast.optimizer.state[k], v, err_msg=k)
    for a, b in zip(fast.history, slow.history, strict=True):
        assert a["loss"] == b["loss"] and a["train_accuracy"] == b["train_accuracy"]


def test_train_fast_equals_teaching_path_float32_full_batch():
    rng = np.random.default_rng(2)
    X, y = rng.random((20, 100)), rng.integers(0, 3, 100)
    cfg = TrainConfig(hidden=(8,), epochs=5, batch_size=None, optimizer="gd", lr=0.5)
    fast = train(X, y, cfg, progress=False)
    slow = train(X, y, cfg, progress=False, fast=False)
    for k in slow.params:
        np.testing.assert_allclose(fast.params[k], slow.params[k], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("opt_class", [Adam, Momentum, GradientDescent])
def test_flat_state_keeps_names_views_and_numbers(opt_class):
    rng = np.random.default_rng(3)
    params = he_init([5, 4, 3], rng, dtype=np.float64)
    grads = {k: rng.standard_normal(v.shape) for k, v in reversed(params.items())}
    ref_params = {k: v.copy() for k, v in params.items()}
    ref = opt_class(lr=0.1)
    flat_opt = opt_class(lr=0.1)
    flat = FlatState(params, grads, flat_opt)
    for _ in range(3):
        ref.step(ref_params, {k: g.copy() for k, g in grads.items()})
        flat.step()
    for k in ref_params:
        np.testing.assert_array_equal(params[k], ref_params[k])
        assert np.shares_memory(params[k], flat.theta)
    assert set(flat_opt.state) == set(ref.state)
    for k, v in ref.state.items():
        np.testing.assert_array_equal(flat_opt.state[k], v)
    # The per-parameter state is a view: a plain step afterwards continues consistently.
    ref.step(ref_params, grads)
    flat_opt.step(params, grads)
    for k in ref_params:
        np.testing.assert_array_equal(params[k], ref_params[k])


def test_flat_state_adopts_existing_state():
    """Resuming: state arrays that exist before flattening are copied into the flat arrays."""
    rng = np.random.default_rng(4)
    params = he_init([5, 4, 3], rng, dtype=np.float64)
    grads = {k: rng.standard_normal(v.shape) for k, v in reversed(params.items())}
    a = Adam(lr=0.1)
    a.step(params, grads)
    b = Adam(lr=0.1, state={k: np.array(v) for k, v in a.state.items()})
    p2 = {k: v.copy() for k, v in params.items()}
    g2 = {k: v.copy() for k, v in grads.items()}
    flat = FlatState(p2, g2, b)
    a.step(params, grads)
    flat.step()
    for k in params:
        np.testing.assert_array_equal(p2[k], params[k])
    m_flat = flat.averages[Adam.state_slots.index("m")]
    assert int(b.state["t"]) == 2 and np.shares_memory(b.state["m_W1"], m_flat)


def test_flatten_into_orders_and_fills_missing_with_zeros():
    like = [np.ones((2, 3)), np.ones((3, 1))]
    d = {"b": np.full((3, 1), 7.0)}
    flat = flatten_into(d, ["a", "b"], like)
    assert flat.tolist() == [0.0] * 6 + [7.0] * 3
    assert list(d) == ["b", "a"] and d["a"].shape == (2, 3)
    flat[0] = 1.0
    assert d["a"][0, 0] == 1.0  # a view, not a copy


def test_custom_optimizer_is_not_packed():
    class Halve:
        lr, state = 0.0, {}

        def step(self, params, grads):
            for k in grads:
                params[k] *= 0.5

    X, y = toy(10, n=4, classes=2)
    r = train(X, y, TrainConfig(hidden=(3,), epochs=1, batch_size=5), optimizer=Halve(),
              progress=False)
    assert r.params["b1"].base is None or r.params["b1"].base.size == r.params["b1"].size
