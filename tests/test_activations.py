"""ReLU and Leaky ReLU: forward values, backward passes against finite differences, z = 0.

The backward functions compute ``dZ = dA * g'(Z)``. Their check: for a random upstream
gradient ``dA``, ``dZ`` must be the gradient of the scalar ``f(Z) = Σ dA ⊙ g(Z)``, which
centred finite differences approximate, with the suite's criterion
(``tests.test_gradcheck.assert_agrees_with_differences``; the scale of its rounding floor is
``Σ |dA ⊙ g(Z)|``, the terms of ``f``). Entries of ``Z`` are kept away from 0, where ``g``
has its kink and the difference quotient straddles two slopes.
"""

import numpy as np
import pytest

from nnscratch.activations import (
    ACTIVATIONS,
    leaky_relu,
    leaky_relu_backward,
    relu,
    relu_backward,
)
from nnscratch.gradcheck import numerical_gradient, relative_error
from tests.conftest import ELEMENTWISE_BOUND as BOUND
from tests.test_gradcheck import assert_agrees_with_differences


def _away_from_zero(shape, rng, margin=1e-3):
    """Standard normal entries, each pushed at least ``margin`` away from 0."""
    Z = rng.standard_normal(shape)
    return np.where(Z >= 0, Z + margin, Z - margin)


@pytest.mark.parametrize(
    "name, g, g_backward",
    [
        ("relu", relu, relu_backward),
        ("leaky_relu", lambda Z: leaky_relu(Z, 0.1), lambda dA, Z: leaky_relu_backward(dA, Z, 0.1)),
        ("leaky_relu_default", leaky_relu, leaky_relu_backward),
    ],
)
@pytest.mark.parametrize("shape, seed", [((7, 5), 1)])
def test_backward_matches_finite_differences(name, g, g_backward, shape, seed):
    rng = np.random.default_rng(seed)
    Z = _away_from_zero(shape, rng)
    dA = rng.standard_normal(shape)
    analytic = g_backward(dA, Z)
    numerical = numerical_gradient(lambda: float(np.sum(dA * g(Z))), Z)
    print(f"{name}: relative error {relative_error(analytic, numerical):.2e}")
    assert analytic.shape == Z.shape
    scale = float(np.sum(np.abs(dA * g(Z))))
    assert_agrees_with_differences(analytic, numerical, BOUND, scale, name)


def test_forward_values():
    Z = np.array([[-3.0, -0.5, 0.0, 0.5, 3.0]])
    np.testing.assert_array_equal(relu(Z), [[0.0, 0.0, 0.0, 0.5, 3.0]])
    np.testing.assert_allclose(leaky_relu(Z, 0.1), [[-0.3, -0.05, 0.0, 0.5, 3.0]], rtol=1e-15)
    np.testing.assert_array_equal(leaky_relu(Z, 0.5), [[-1.5, -0.25, 0.0, 0.5, 3.0]])


def test_the_slope_at_zero_is_the_convention():
    """relu'(0) = 0 and leaky_relu'(0) = alpha, also for -0.0; the slopes either side too."""
    Z = np.array([[-1.0, -0.0, 0.0, 1.0]])
    ones = np.ones_like(Z)
    np.testing.assert_array_equal(relu_backward(ones, Z), [[0.0, 0.0, 0.0, 1.0]])
    np.testing.assert_array_equal(leaky_relu_backward(ones, Z, 0.2), [[0.2, 0.2, 0.2, 1.0]])


def test_one_sided_differences_at_zero_bracket_the_convention():
    """At z = 0 the left slope is 0 (alpha), the right one 1: the convention takes the left."""
    eps = 1e-6
    for g, slope_at_0, left in ((relu, relu_backward(np.ones(1), np.zeros(1))[0], 0.0),
                                (lambda z: leaky_relu(z, 0.2),
                                 leaky_relu_backward(np.ones(1), np.zeros(1), 0.2)[0], 0.2)):
        right_slope = (g(np.array([eps]))[0] - g(np.array([0.0]))[0]) / eps
        left_slope = (g(np.array([0.0]))[0] - g(np.array([-eps]))[0]) / eps
        assert left_slope == pytest.approx(left)
        assert right_slope == pytest.approx(1.0)
        assert slope_at_0 == pytest.approx(left)
        assert min(left_slope, right_slope) <= slope_at_0 <= max(left_slope, right_slope)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_backward_keeps_shape_and_dtype(dtype):
    Z = np.linspace(-2, 2, 12, dtype=dtype).reshape(3, 4)
    dA = np.ones_like(Z)
    for name, (g, g_backward) in ACTIVATIONS.items():
        assert g(Z).shape == Z.shape, name
        dZ = g_backward(dA, Z)
        assert dZ.shape == Z.shape and dZ.dtype == dtype, name


def test_backward_scales_with_the_upstream_gradient():
    Z = np.array([[-2.0, 3.0]])
    dA = np.array([[7.0, -4.0]])
    np.testing.assert_array_equal(relu_backward(dA, Z), [[0.0, -4.0]])
    np.testing.assert_allclose(leaky_relu_backward(dA, Z, 0.5), [[3.5, -4.0]])
