"""Softmax (``nnscratch.softmax``): the forward properties and both backward functions.

Every gradient is checked against centred finite differences in float64
(``nnscratch.gradcheck``); the relative error must stay below ``BOUND`` and is shown in the
assertion message when it does not.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nnscratch.gradcheck import numerical_gradient, relative_error
from nnscratch.softmax import softmax, softmax_backward, softmax_jacobian
from tests.conftest import LAYER_BOUND as BOUND

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
def test_jacobian_matches_finite_differences(K, seed):
    z = 2.0 * np.random.default_rng(seed).standard_normal(K)
    J = softmax_jacobian(softmax(z.reshape(K, 1))[:, 0])
    assert J.shape == (K, K)
    err = relative_error(J, numerical_jacobian(z))
    assert err <= BOUND, f"Jacobian: relative error {err:.2e} > {BOUND:.0e}"


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
def test_backward_matches_finite_differences(shape, seed):
    """``softmax_backward(G, softmax(Z))`` is the gradient of ``sum(G * softmax(Z))`` in ``Z``."""
    rng = np.random.default_rng(seed)
    Z = 2.0 * rng.standard_normal(shape)
    G = rng.standard_normal(shape)                   # a random upstream gradient dA
    analytic = softmax_backward(G, softmax(Z))
    numerical = numerical_gradient(lambda: float(np.sum(G * softmax(Z))), Z)
    assert analytic.shape == Z.shape
    err = relative_error(analytic, numerical)
    assert err <= BOUND, f"softmax_backward: relative error {err:.2e} > {BOUND:.0e}"


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
