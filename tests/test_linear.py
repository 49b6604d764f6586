"""The linear layer (``nnscratch.linear``): ``Z = W A_prev + b`` and its three gradients.

Each gradient of ``linear_backward`` is checked against centred finite differences in float64
(``nnscratch.gradcheck``) of the scalar ``sum(G * linear_forward(A_prev, W, b))``, whose
gradient with respect to ``Z`` is the random array ``G``, with the suite's criterion
(``tests.test_gradcheck.assert_agrees_with_differences``): relative error below ``BOUND``, or
within the rounding floor for a gradient too small beside the terms of ``f``, whose scale is
``sum |G| * (|W| |A_prev| + |b|)`` (each ``Z`` entry is a sum of those products). The
notebook's scalar bias gradient ``np.sum(dZ)`` is shown to fail that check.
"""

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from nnscratch.gradcheck import numerical_gradient, relative_error
from nnscratch.linear import linear_backward, linear_forward
from tests.conftest import LAYER_BOUND as BOUND
from tests.test_gradcheck import assert_agrees_with_differences

"""Largest accepted relative error of an analytic gradient against finite differences."""

FAST = settings(max_examples=40, deadline=None)

# (n_l, n_{l-1}, m): units, inputs, examples.
sizes = st.tuples(st.integers(1, 7), st.integers(1, 7), st.integers(1, 6))
seeds = st.integers(0, 2**32 - 1)


def layer(n, n_prev, m, seed):
    """Random ``A_prev (n_prev, m)``, ``W (n, n_prev)``, ``b (n, 1)`` and upstream ``G (n, m)``."""
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((n_prev, m)), rng.standard_normal((n, n_prev)),
            rng.standard_normal((n, 1)), rng.standard_normal((n, m)))


# -- forward -----------------------------------------------------------------------------------

@FAST
@given(sizes, seeds)
def test_forward_shape_and_one_column_per_example(size, seed):
    n, n_prev, m = size
    A_prev, W, b, _ = layer(n, n_prev, m, seed)
    Z = linear_forward(A_prev, W, b)
    assert Z.shape == (n, m)
    for i in range(m):
        np.testing.assert_allclose(Z[:, i], W @ A_prev[:, i] + b[:, 0], rtol=1e-12, atol=1e-12)


def test_the_bias_is_added_to_every_column():
    Z = linear_forward(np.zeros((2, 4)), np.ones((3, 2)), np.array([[1.0], [2.0], [3.0]]))
    np.testing.assert_array_equal(Z, np.repeat([[1.0], [2.0], [3.0]], 4, axis=1))


# -- backward ----------------------------------------------------------------------------------

@FAST
@given(sizes, seeds)
def test_backward_shapes(size, seed):
    n, n_prev, m = size
    A_prev, W, b, G = layer(n, n_prev, m, seed)
    dA_prev, dW, db = linear_backward(G, A_prev, W)
    assert dA_prev.shape == A_prev.shape == (n_prev, m)
    assert dW.shape == W.shape == (n, n_prev)
    assert db.shape == b.shape == (n, 1)               # one number per unit, as a column


@FAST
@given(sizes, seeds)
@example(size=(1, 4, 4), seed=1841980238)  # found by a local loop over seeds: 3.6e-7 > 1e-7
def test_backward_matches_finite_differences(size, seed):
    n, n_prev, m = size
    A_prev, W, b, G = layer(n, n_prev, m, seed)
    dA_prev, dW, db = linear_backward(G, A_prev, W)

    def f():
        return float(np.sum(G * linear_forward(A_prev, W, b)))

    scale = float(np.sum(np.abs(G) * (np.abs(W) @ np.abs(A_prev) + np.abs(b))))
    for name, analytic, theta in (("dW", dW, W), ("db", db, b), ("dA_prev", dA_prev, A_prev)):
        assert_agrees_with_differences(analytic, numerical_gradient(f, theta), BOUND, scale, name)


# -- the notebook's bias gradient --------------------------------------------------------------

@pytest.mark.parametrize("seed", range(5))
def test_the_scalar_bias_gradient_fails_the_check(seed):
    """``db = np.sum(dZ)`` (no axis) adds every unit's gradient into one number.

    Applied as ``b -= lr * db`` it moves every bias by the same amount, which is the
    gradient of a layer with a single shared bias, not of ``b`` ``(n_l, 1)``.
    """
    n, n_prev, m = 4, 3, 5
    A_prev, W, b, G = layer(n, n_prev, m, seed)
    numerical = numerical_gradient(lambda: float(np.sum(G * linear_forward(A_prev, W, b))), b)
    scalar = np.sum(G)                                  # the notebook's db, for dZ = G
    err = relative_error(np.full_like(b, scalar), numerical)
    assert err > 0.1, f"the scalar bias gradient passed with relative error {err:.2e}"
    _, _, db = linear_backward(G, A_prev, W)            # while the column sum passes
    assert relative_error(db, numerical) <= BOUND


def test_the_scalar_bias_gradient_is_only_right_for_a_single_unit():
    A_prev, W, b, G = layer(1, 3, 5, 0)                 # n_l = 1: the two sums coincide
    _, _, db = linear_backward(G, A_prev, W)
    np.testing.assert_allclose(db, [[np.sum(G)]], rtol=1e-15)
