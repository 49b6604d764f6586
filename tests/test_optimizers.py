"""Tests for nnscratch.optimizers: each rule on a known quadratic, its state, in-place updates."""

import numpy as np
import pytest

from nnscratch.optimizers import OPTIMIZERS, Adam, GradientDescent, Momentum, make_optimizer

# f(θ) = ½ Σ a_i θ_i², gradient a ⊙ θ, minimum at 0.
A = np.array([1.0, 10.0, 0.1])
THETA0 = np.array([1.0, -2.0, 3.0])


def grad(theta: np.ndarray) -> np.ndarray:
    return A * theta


def run(opt, steps: int, theta0: np.ndarray = THETA0) -> np.ndarray:
    params = {"w": theta0.copy()}
    for _ in range(steps):
        opt.step(params, {"w": grad(params["w"])})
    return params["w"]


def test_gradient_descent_matches_closed_form():
    # θ_t = (1 - η a)^t θ_0 on a quadratic.
    lr, t = 0.05, 7
    np.testing.assert_allclose(run(GradientDescent(lr=lr), t), (1 - lr * A) ** t * THETA0,
                               rtol=1e-12)


def test_momentum_matches_the_recurrence():
    lr, beta = 0.05, 0.9
    theta, v = THETA0.copy(), np.zeros(3)
    for _ in range(20):
        v = beta * v + grad(theta)
        theta = theta - lr * v
    np.testing.assert_allclose(run(Momentum(lr=lr, beta=beta), 20), theta, rtol=1e-12)


def test_adam_matches_the_papers_efficient_form():
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    theta, m, v = THETA0.copy(), np.zeros(3), np.zeros(3)
    for t in range(1, 31):
        g = grad(theta)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        theta = theta - lr * np.sqrt(1 - b2**t) / (1 - b1**t) * m / (np.sqrt(v) + eps)
    np.testing.assert_allclose(run(Adam(lr=lr), 30), theta, rtol=1e-12)


@pytest.mark.parametrize(
    ("opt", "steps"),
    [(GradientDescent(lr=0.19), 400), (Momentum(lr=0.02, beta=0.9), 400), (Adam(lr=0.05), 2000)],
)
def test_each_optimizer_reaches_the_minimum(opt, steps):
    assert np.abs(run(opt, steps)).max() < 1e-2


def test_updates_are_in_place_and_state_is_reused():
    params = {"W1": np.ones((3, 2), np.float32), "b1": np.zeros((3, 1), np.float32)}
    grads = {k: np.full_like(v, 0.5) for k, v in params.items()}
    for opt in (GradientDescent(), Momentum(), Adam()):
        arrays = {k: id(v) for k, v in params.items()}
        opt.step(params, grads)
        state = {k: id(v) for k, v in opt.state.items() if isinstance(v, np.ndarray) and v.ndim}
        opt.step(params, grads)
        assert {k: id(v) for k, v in params.items()} == arrays      # the same arrays, updated
        assert all(id(opt.state[k]) == i for k, i in state.items())  # running state reused
        assert all(v.dtype == np.float32 for v in params.values())   # float32 stays float32
        np.testing.assert_array_equal(grads["W1"], 0.5)               # gradients untouched


def test_state_names():
    params = {"W1": np.ones(2), "b1": np.zeros(1)}
    grads = {k: np.ones_like(v) for k, v in params.items()}
    assert GradientDescent().state == {}
    m = Momentum()
    m.step(params, grads)
    assert sorted(m.state) == ["v_W1", "v_b1"]
    a = Adam()
    a.step(params, grads)
    a.step(params, grads)
    assert sorted(a.state) == ["m_W1", "m_b1", "t", "v_W1", "v_b1"]
    assert int(a.state["t"]) == 2


def test_adam_resumes_from_saved_state():
    """A new Adam given a copy of the state continues exactly like the original."""
    a = Adam(lr=0.01)
    params = {"w": THETA0.copy()}
    for _ in range(5):
        a.step(params, {"w": grad(params["w"])})
    b = Adam(lr=0.01, state={k: np.array(v) for k, v in a.state.items()})
    p2 = {"w": params["w"].copy()}
    for _ in range(5):
        a.step(params, {"w": grad(params["w"])})
        b.step(p2, {"w": grad(p2["w"])})
    np.testing.assert_array_equal(params["w"], p2["w"])


def test_scratch_is_not_state_and_not_in_repr():
    a = Adam()
    a.step({"w": np.ones(3)}, {"w": np.ones(3)})
    assert "_tmp" not in a.state
    assert "_tmp" not in repr(a)


def test_make_optimizer():
    assert set(OPTIMIZERS) == {"gd", "momentum", "adam"}
    assert make_optimizer("momentum", 0.5).lr == 0.5
    with pytest.raises(ValueError, match="unknown optimizer"):
        make_optimizer("sgd", 0.1)
