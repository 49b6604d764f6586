"""Cross-entropy (``nnscratch.loss``): its value, its gradient, and the fused softmax gradient.

Every gradient is checked against centred finite differences in float64
(``nnscratch.gradcheck``) with the suite's criterion,
``tests.test_gradcheck.assert_agrees_with_differences``: relative error below ``BOUND`` or,
for a gradient too small beside the terms of the loss for a ratio to mean anything, a
difference within the rounding floor of the differences. The scale of that floor is
``1 + L``: each term ``-log A`` of the loss carries the relative rounding error of ``A`` as
an absolute one, besides its own. The ``1/m`` of the mean loss is part of what is checked.
Random cases that failed once are kept as ``@example`` regression cases.
"""

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from nnscratch.gradcheck import numerical_gradient, relative_error
from nnscratch.loss import cross_entropy, cross_entropy_backward, softmax_cross_entropy_backward
from nnscratch.onehot import one_hot
from nnscratch.softmax import softmax, softmax_backward
from tests.conftest import LAYER_BOUND as BOUND
from tests.test_gradcheck import assert_agrees_with_differences

"""Largest accepted relative error of an analytic gradient against finite differences."""

FAST = settings(max_examples=40, deadline=None)

shapes = st.tuples(st.integers(2, 10), st.integers(1, 8))          # (K, m)
seeds = st.integers(0, 2**32 - 1)


def batch(shape, seed, scale=2.0):
    """Random scores ``Z`` and one-hot targets ``Y``, both ``(K, m)``, float64."""
    K, m = shape
    rng = np.random.default_rng(seed)
    return scale * rng.standard_normal((K, m)), one_hot(rng.integers(0, K, size=m), K)


# -- value -------------------------------------------------------------------------------------

def test_value_of_a_small_batch():
    A = np.array([[0.5, 0.25], [0.5, 0.75]])
    Y = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert cross_entropy(A, Y) == pytest.approx((np.log(2) + np.log(4 / 3)) / 2, rel=1e-15)


@FAST
@given(shapes, seeds)
def test_value_is_the_mean_negative_log_probability_of_the_true_class(shape, seed):
    Z, Y = batch(shape, seed)
    A = softmax(Z)
    y = np.argmax(Y, axis=0)
    expected = -np.mean(np.log(A[y, np.arange(shape[1])]))
    assert cross_entropy(A, Y) == pytest.approx(expected, rel=1e-12)


def test_uniform_prediction_costs_log_k_and_a_certain_one_costs_nothing():
    Y = one_hot(np.array([0, 3, 1]), 4)
    assert cross_entropy(np.full((4, 3), 0.25), Y) == pytest.approx(np.log(4), rel=1e-15)
    assert cross_entropy(Y.copy(), Y) == 0.0


def test_it_is_a_mean_not_a_sum():
    """Repeating the batch leaves the loss unchanged: the ``1/m`` is in it."""
    Z, Y = batch((5, 3), 0)
    A = softmax(Z)
    doubled = cross_entropy(np.hstack([A, A]), np.hstack([Y, Y]))
    assert doubled == pytest.approx(cross_entropy(A, Y), rel=1e-14)


def test_a_probability_of_zero_gives_a_finite_loss():
    A = np.array([[1.0], [0.0]])
    Y = np.array([[0.0], [1.0]])
    loss = cross_entropy(A, Y)
    assert np.isfinite(loss)
    assert loss == pytest.approx(-np.log(np.finfo(np.float64).tiny), rel=1e-12)


# -- cross_entropy_backward --------------------------------------------------------------------

@FAST
@given(shapes, seeds)
def test_cross_entropy_backward_matches_finite_differences(shape, seed):
    """``dA = -Y / (m A)`` is the gradient of the mean loss in ``A`` (A kept away from 0)."""
    Z, Y = batch(shape, seed, scale=0.5)            # probabilities well above eps = 1e-6
    A = softmax(Z)
    analytic = cross_entropy_backward(A, Y)
    numerical = numerical_gradient(lambda: cross_entropy(A, Y), A)
    assert analytic.shape == A.shape
    assert_agrees_with_differences(analytic, numerical, BOUND, 1 + cross_entropy(A, Y),
                                   "cross_entropy_backward")


# -- softmax_cross_entropy_backward ------------------------------------------------------------

@FAST
@given(shapes, seeds)
def test_fused_gradient_equals_the_composition(shape, seed):
    Z, Y = batch(shape, seed)
    A = softmax(Z)
    np.testing.assert_allclose(
        softmax_cross_entropy_backward(A, Y),
        softmax_backward(cross_entropy_backward(A, Y), A),
        rtol=1e-10, atol=1e-14,
    )


@FAST
@given(shapes, seeds)
@example(shape=(2, 1), seed=3)  # relative error 1.07e-07 > 1e-07: gradient ~1e-4, A_y ~ 1
def test_fused_gradient_matches_finite_differences_of_the_whole_loss(shape, seed):
    """``(A - Y) / m`` is the gradient of ``cross_entropy(softmax(Z), Y)`` in ``Z``.

    The example: the true class's score is 9.2 above the other, so ``A_y = 1 - 1.0e-4`` and
    the gradient entries are ``±1.0e-4``, while the rounding of ``A_y`` (``~1e-16``, absolute)
    reaches ``log A_y`` unchanged: ``~2e-11`` between differences and gradient, a relative
    error above ``BOUND`` for a correct gradient; within the floor ``6e-10``.
    """
    Z, Y = batch(shape, seed)
    analytic = softmax_cross_entropy_backward(softmax(Z), Y)
    numerical = numerical_gradient(lambda: cross_entropy(softmax(Z), Y), Z)
    assert analytic.shape == Z.shape
    assert_agrees_with_differences(analytic, numerical, BOUND, 1 + cross_entropy(softmax(Z), Y),
                                   "(A - Y) / m")


@pytest.mark.parametrize("m", [2, 5, 32])
def test_without_the_1_over_m_the_check_fails(m):
    """``A - Y`` is ``m`` times the gradient: relative error exactly ``(m - 1) / (m + 1)``."""
    Z, Y = batch((10, m), m)
    numerical = numerical_gradient(lambda: cross_entropy(softmax(Z), Y), Z)
    err = relative_error(softmax(Z) - Y, numerical)
    assert err == pytest.approx((m - 1) / (m + 1), abs=1e-6)
    assert err > 1e-2


@FAST
@given(shapes, seeds, st.floats(0.0, 0.5))
def test_fused_gradient_holds_for_any_target_distribution(shape, seed, smoothing):
    """The derivation only needs each column of ``Y`` to sum to 1 (e.g. label smoothing)."""
    Z, Y = batch(shape, seed)
    Y = (1 - smoothing) * Y + smoothing / shape[0]
    analytic = softmax_cross_entropy_backward(softmax(Z), Y)
    numerical = numerical_gradient(lambda: cross_entropy(softmax(Z), Y), Z)
    assert_agrees_with_differences(analytic, numerical, BOUND, 1 + cross_entropy(softmax(Z), Y),
                                   "smoothed targets")


def test_fused_gradient_stays_finite_where_the_composition_does_not():
    A = softmax(np.array([[0.0], [-800.0]]))        # the true class's probability underflows
    Y = np.array([[0.0], [1.0]])
    with np.errstate(divide="ignore", invalid="ignore"):
        composed = softmax_backward(cross_entropy_backward(A, Y), A)
    assert np.all(np.isnan(composed))
    np.testing.assert_array_equal(softmax_cross_entropy_backward(A, Y), [[1.0], [-1.0]])
