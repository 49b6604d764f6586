"""The L2 penalty and its gradient: values, finite differences, shapes, scaling with m."""

import numpy as np
import pytest

from nnscratch.gradcheck import numerical_gradient, relative_error
from nnscratch.regularization import l2_backward, l2_penalty
from tests.conftest import ELEMENTWISE_BOUND as BOUND


@pytest.mark.parametrize("lam, m", [(0.1, 1), (0.7, 6), (5.0, 1000)])
def test_l2_backward_matches_finite_differences_of_the_penalty(lam, m):
    rng = np.random.default_rng(0)
    weights = [rng.standard_normal(shape) for shape in ((4, 5), (3, 4), (2, 3))]
    for W in weights:
        numerical = numerical_gradient(lambda: l2_penalty(weights, lam, m), W)
        err = relative_error(l2_backward(W, lam, m), numerical)
        print(f"lam={lam} m={m} W{W.shape}: relative error {err:.2e}")
        assert err <= BOUND


def test_penalty_value_by_hand():
    W1, W2 = np.array([[1.0, -2.0], [0.0, 3.0]]), np.array([[4.0]])
    # (λ / 2m) (1 + 4 + 0 + 9 + 16) = (2 / 10) * 30
    assert l2_penalty([W1, W2], lam=2.0, m=5) == pytest.approx(6.0)


def test_zero_lambda_and_no_weights():
    W = np.ones((3, 2))
    assert l2_penalty([W], 0.0, 10) == 0.0
    assert l2_penalty([], 1.0, 10) == 0.0
    assert not l2_backward(W, 0.0, 10).any()


def test_gradient_shape_dtype_and_scaling():
    W = np.arange(6, dtype=np.float32).reshape(2, 3)
    dW = l2_backward(W, 0.5, 4)
    assert dW.shape == W.shape and dW.dtype == np.float32
    np.testing.assert_allclose(dW, W / 8)
    # Twice the examples, half the gradient: the penalty is per example, like the data term.
    np.testing.assert_allclose(l2_backward(W, 0.5, 8), dW / 2)


def test_weight_decay_form_of_a_gradient_step():
    """W - η (dW_data + (λ/m) W) == (1 - ηλ/m) W - η dW_data."""
    rng = np.random.default_rng(3)
    W, dW_data = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    eta, lam, m = 0.1, 2.0, 50
    step = W - eta * (dW_data + l2_backward(W, lam, m))
    np.testing.assert_allclose(step, (1 - eta * lam / m) * W - eta * dW_data)
