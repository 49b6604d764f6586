"""Gradient checking (``nnscratch.gradcheck``): the checker must itself be checked.

Finite differences are tried on functions whose derivative is known in closed form: a
quadratic (for which the centred difference is exact up to rounding), a cubic (whose centred
error is exactly ``ε²`` times a known constant, so it shrinks 100× when ε shrinks 10×) and
the one-sided difference it is compared against. ``relative_error`` is tried on its edge
cases, and ``check_gradients`` must flag a deliberately wrong gradient.
"""

import numpy as np
import pytest

from nnscratch.gradcheck import check_gradients, numerical_gradient, relative_error
from tests.conftest import LAYER_BOUND as BOUND

"""A correct float64 gradient agrees with finite differences at least this well."""


def test_exact_for_a_quadratic():
    # f(θ) = ½ θᵀ Q θ + cᵀ θ has ∇f = Q θ + c; the centred difference of a quadratic has
    # no truncation error at all, only rounding.
    rng = np.random.default_rng(0)
    M = rng.standard_normal((5, 5))
    Q, c = M @ M.T, rng.standard_normal(5)
    theta = rng.standard_normal(5)
    f = lambda: float(0.5 * theta @ Q @ theta + c @ theta)  # noqa: E731
    numerical = numerical_gradient(f, theta, eps=1e-3)   # a large step: still exact
    np.testing.assert_allclose(numerical, Q @ theta + c, rtol=1e-9, atol=1e-9)


def test_works_on_matrices_and_restores_theta():
    theta = np.arange(6.0).reshape(2, 3)
    before = theta.copy()
    grad = numerical_gradient(lambda: float(np.sum(theta**2)), theta)
    assert grad.shape == (2, 3) and grad.dtype == np.float64
    np.testing.assert_allclose(grad, 2 * before, atol=1e-6)
    assert np.array_equal(theta, before), "every entry must be put back after its nudge"


def test_centred_error_shrinks_like_eps_squared():
    # f = sin: the centred error is -(ε²/6) cos(θ) + O(ε⁴); one-sided is -(ε/2) sin(θ) + O(ε²).
    theta = np.array([0.7])
    f = lambda: float(np.sin(theta[0]))  # noqa: E731
    exact = np.cos(0.7)
    errors = {eps: abs(numerical_gradient(f, theta, eps)[0] - exact) for eps in (1e-2, 1e-3)}
    assert errors[1e-2] / errors[1e-3] == pytest.approx(100, rel=0.01)
    assert errors[1e-2] == pytest.approx(1e-4 / 6 * np.cos(0.7), rel=1e-3)

    def one_sided(eps):
        return (np.sin(0.7 + eps) - np.sin(0.7)) / eps

    one_sided_errors = {eps: abs(one_sided(eps) - exact) for eps in (1e-2, 1e-3)}
    assert one_sided_errors[1e-2] / one_sided_errors[1e-3] == pytest.approx(10, rel=0.01)
    assert errors[1e-3] < one_sided_errors[1e-3] / 100


def test_relative_error_edge_cases():
    a = np.array([1.0, -2.0, 3.0])
    assert relative_error(a, a) == 0.0
    assert relative_error(a, -a) == 1.0
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0        # no division by zero
    assert relative_error(a, np.zeros(3)) == 1.0                  # a gradient forgotten
    assert relative_error(np.zeros(3), a) == 1.0
    # Scale-free: multiplying both arrays by the same factor changes nothing.
    b = a + np.array([1e-3, 0.0, -1e-3])
    assert relative_error(1e6 * a, 1e6 * b) == pytest.approx(relative_error(a, b), rel=1e-9)
    # Symmetric, in [0, 1], and a float.
    assert relative_error(a, b) == relative_error(b, a)
    assert isinstance(relative_error(a, b), float)
    assert 0.0 < relative_error(a, b) < 1.0


def test_relative_error_of_a_tiny_but_correct_gradient_is_small():
    a = np.array([1e-12, 2e-12])
    assert relative_error(a, a * (1 + 1e-9)) < 1e-9


def _least_squares():
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((3, 8)), rng.standard_normal((1, 8))   # (n, m), (1, m)
    params = {"W": rng.standard_normal((1, 3)), "b": rng.standard_normal((1, 1))}

    def f():
        return float(np.mean((params["W"] @ X + params["b"] - y) ** 2) / 2)

    r = params["W"] @ X + params["b"] - y
    grads = {"W": r @ X.T / X.shape[1], "b": r.sum(axis=1, keepdims=True) / X.shape[1]}
    return f, params, grads


def test_check_gradients_accepts_a_correct_gradient():
    f, params, grads = _least_squares()
    errors = check_gradients(f, params, grads)
    assert set(errors) == {"W", "b"}
    assert max(errors.values()) < BOUND, errors


@pytest.mark.parametrize("mistake", ["forgot 1/m", "wrong sign", "sum over all of dZ"])
def test_check_gradients_catches_a_wrong_gradient(mistake):
    f, params, grads = _least_squares()
    if mistake == "forgot 1/m":
        grads["W"] = grads["W"] * 8
    elif mistake == "wrong sign":
        grads["b"] = -grads["b"]
    else:
        grads["W"] = np.full_like(grads["W"], grads["W"].sum())
    errors = check_gradients(f, params, grads)
    assert max(errors.values()) > 1e-2, (mistake, errors)


def test_check_gradients_leaves_params_unchanged():
    f, params, grads = _least_squares()
    before = {k: v.copy() for k, v in params.items()}
    check_gradients(f, params, grads)
    assert all(np.array_equal(params[k], before[k]) for k in params)
