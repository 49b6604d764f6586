"""Softmax (``nnscratch.softmax``): the forward properties and both backward functions.

Every gradient is checked against centred finite differences in float64
(``nnscratch.gradcheck``) with the suite's criterion,
``tests.test_gradcheck.assert_agrees_with_differences``: relative error below ``BOUND`` or,
for a gradient too small beside the terms of ``f`` for a ratio to mean anything, a
difference within the rounding floor of the differences. Random cases that failed once
are kept as ``@example`` regression cases.
"""

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nnscratch.gradcheck import numerical_gradient
from nnscratch.softmax import softmax, softmax_backward, softmax_jacobian
from tests.conftest import LAYER_BOUND as BOUND
from tests.test_gradcheck import assert_agrees_with_differences

"""Largest accepted relative error of an analytic gradient against finite differences."""

FAST = settings(max_examples=40, deadline=None)

shapes = st.tuples(st.integers(2, 12), st.integers(1, 8))          # (K, m)
seeds = st.integers(0, 2**32 - 1)


def scores(shape, bound=1e3):
    """Arrays of finite float64 scores of ``shape`` in ``[-bound, bound]``."""
    return arrays(np.float64, shape, elements=st.floats(-bound, bound))


# -- forward -----------------------------------------------------------------------------------

@FAST
@given(shapes.flatmap(scores))
def test_columns_are_distributions(Z):
    A = softmax(Z)
    assert A.shape == Z.shape
    assert np.all(np.isfinite(A)) and np.all(A >= 0) and np.all(A <= 1)
    np.testing.assert_allclose(A.sum(axis=0), 1.0, rtol=1e-12)


@FAST
@given(shapes.flatmap(lambda s: st.tuples(scores(s, 50.0), scores((1, s[1]), 100.0))))
def test_invariant_to_a_constant_per_column(Z_and_c):
    Z, c = Z_and_c                                   # c: (1, m), one shift per example
    np.testing.assert_allclose(softmax(Z + c), softmax(Z), rtol=1e-9, atol=1e-15)


def test_a_constant_per_row_does_change_it():
    Z = np.zeros((3, 2))
    assert not np.allclose(softmax(Z + np.array([[0.0], [1.0], [2.0]])), softmax(Z))


def test_matches_the_definition_on_small_scores():
    Z = np.random.default_rng(0).standard_normal((5, 4))
    E = np.exp(Z)
    np.testing.assert_allclose(softmax(Z), E / E.sum(axis=0, keepdims=True), rtol=1e-14)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_no_overflow_at_1e4(dtype):
    Z = np.array([[1e4, -1e4, 0.0], [1e4 - 1, -1e4 + 2, 1e4], [-1e4, -1e4, 1.0]], dtype=dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        A = softmax(Z)                               # underflow to 0 is fine; nothing else
    assert A.dtype == dtype
    assert np.all(np.isfinite(A))
    np.testing.assert_allclose(A.sum(axis=0), 1.0, rtol=1e-6)
    expected_first = 1 / (1 + np.exp(-1.0))          # scores 1e4 and 1e4 - 1: sigmoid(1)
    assert A[0, 0] == pytest.approx(expected_first, rel=1e-6)
    assert A[1, 2] == 1.0                           # 1e4 against 0 and 1: all the mass


def test_the_naive_version_does_overflow():
    """The reason for the shift: without it, 1e4 gives inf / inf = nan."""
    Z = np.array([[1e4], [0.0]])
    with np.errstate(over="ignore", invalid="ignore"):
        naive = np.exp(Z) / np.sum(np.exp(Z))
    assert np.isnan(naive[0, 0])


# -- Jacobian ----------------------------------------------------------------------------------

def numerical_jacobian(z):
    """``J[i, j] = ∂ softmax(z)_i / ∂ z_j`` by centred differences, one row per output."""
    K = z.size
    col = z.reshape(K, 1).copy()
    return np.array([
        numerical_gradient(lambda i=i: float(softmax(col)[i, 0]), col)[:, 0] for i in range(K)
    ])


@FAST
@given(st.integers(2, 10), seeds)
# Found by a local loop over random seeds: relative errors 1.1e-7 to 1.6e-7 > 1e-7.
@example(K=2, seed=3063260582)
@example(K=4, seed=2699380640)
@example(K=2, seed=971006553)
def test_jacobian_matches_finite_differences(K, seed):
    """Row ``i`` differentiates the probability ``softmax(z)_i``: scale 1 (a probability,
    computed to a few roundings of 1)."""
    z = 2.0 * np.random.default_rng(seed).standard_normal(K)
    J = softmax_jacobian(softmax(z.reshape(K, 1))[:, 0])
    assert J.shape == (K, K)
    assert_agrees_with_differences(J, numerical_jacobian(z), BOUND, 1.0, "Jacobian")


@FAST
@given(st.integers(2, 10), seeds)
def test_jacobian_is_symmetric_and_rows_sum_to_zero(K, seed):
    a = softmax(np.random.default_rng(seed).standard_normal((K, 1)))[:, 0]
    J = softmax_jacobian(a)
    np.testing.assert_allclose(J, J.T, atol=1e-15)
    np.testing.assert_allclose(J.sum(axis=1), 0.0, atol=1e-15)
    np.testing.assert_allclose(np.diag(J), a * (1 - a), rtol=1e-12)


# -- backward ----------------------------------------------------------------------------------

@FAST
@given(shapes, seeds)
@example(shape=(2, 1), seed=13)  # relative error 1.46e-07 > 1e-07: gradient ~5e-5, f ~ 1
@example(shape=(2, 1), seed=2214686427)  # found by a local loop over random seeds
def test_backward_matches_finite_differences(shape, seed):
    """``softmax_backward(G, softmax(Z))`` is the gradient of ``f = sum(G * softmax(Z))`` in
    ``Z``; the scale of the rounding floor is ``sum |G * softmax(Z)|``, the terms of ``f``.

    The example: two scores 9.8 apart, so the gradient entries are ``±4.9e-5`` while ``f``
    is 0.96. Rounding puts ``~1e-11`` between the differences and the exact gradient, a
    relative error above ``BOUND`` for a correct gradient; within the floor ``6e-10``.
    """
    rng = np.random.default_rng(seed)
    Z = 2.0 * rng.standard_normal(shape)
    G = rng.standard_normal(shape)                   # a random upstream gradient dA
    analytic = softmax_backward(G, softmax(Z))
    numerical = numerical_gradient(lambda: float(np.sum(G * softmax(Z))), Z)
    assert analytic.shape == Z.shape
    scale = float(np.sum(np.abs(G * softmax(Z))))
    assert_agrees_with_differences(analytic, numerical, BOUND, scale, "softmax_backward")


@FAST
@given(shapes, seeds)
def test_backward_is_the_jacobian_product_per_column(shape, seed):
    rng = np.random.default_rng(seed)
    A = softmax(rng.standard_normal(shape))
    dA = rng.standard_normal(shape)
    dZ = softmax_backward(dA, A)
    for i in range(shape[1]):
        np.testing.assert_allclose(dZ[:, i], softmax_jacobian(A[:, i]).T @ dA[:, i],
                                   rtol=1e-10, atol=1e-15)


def test_backward_ignores_a_constant_upstream_gradient():
    """``dA`` constant in a column changes no loss (the probabilities sum to 1): ``dZ = 0``."""
    A = softmax(np.random.default_rng(1).standard_normal((4, 3)))
    dA = np.ones((4, 1)) * np.array([[1.0, -2.0, 5.0]])
    np.testing.assert_allclose(softmax_backward(dA, A), 0.0, atol=1e-15)
