"""The L2 penalty and its gradient: values, finite differences, shapes, scaling with m.

The gradient is checked against centred differences of the whole penalty with the suite's
criterion (``tests.test_gradcheck.assert_agrees_with_differences``): its terms are all
positive, so the scale of the rounding floor is the penalty itself. The floor matters when
one small matrix sits among larger ones: the penalty, and so its rounding, is that of all of
them, the gradient only that of the one.
"""

import numpy as np
import pytest

from nnscratch.gradcheck import numerical_gradient, relative_error
from nnscratch.regularization import l2_backward, l2_penalty
from tests.conftest import ELEMENTWISE_BOUND as BOUND
from tests.test_gradcheck import assert_agrees_with_differences

SHAPES = ((4, 5), (3, 4), (2, 3))


# The last eleven were found by a local loop over random draws: relative errors up to 1.3e-7
# against the bound 1e-8, each with a 1x1 or 1x2 matrix beside larger ones.
@pytest.mark.parametrize("lam, m, shapes, seed", [
    (0.1, 1, SHAPES, 0), (0.7, 6, SHAPES, 0), (5.0, 1000, SHAPES, 0),
    (5.0, 1, ((8, 2), (1, 2), (7, 5)), 635470586),
    (5.0, 6, ((1, 2), (2, 6), (7, 7)), 4273790701),
    (5.0, 6, ((1, 1), (5, 7), (4, 8)), 4094046433),
    (5.0, 6, ((7, 1), (8, 8), (1, 3)), 2889985518),
    (5.0, 4865, ((1, 2), (6, 8), (5, 2)), 361213602),
    (5.0, 1000, ((1, 1), (6, 3), (4, 7)), 3414884632),
    (5.0, 1000, ((7, 3), (1, 1), (8, 6)), 3299697239),
    (5.0, 6, ((8, 6), (5, 8), (1, 1)), 1908062119),
    (0.7, 6, ((2, 7), (7, 8), (2, 1)), 3748621515),
    (0.7, 1751, ((7, 2), (1, 1), (2, 4)), 3325757401),
    (0.7, 1, ((1, 1), (5, 5), (7, 6)), 1261637977),
])
def test_l2_backward_matches_finite_differences_of_the_penalty(lam, m, shapes, seed):
    rng = np.random.default_rng(seed)
    weights = [rng.standard_normal(shape) for shape in shapes]
    scale = l2_penalty(weights, lam, m)
    for W in weights:
        numerical = numerical_gradient(lambda: l2_penalty(weights, lam, m), W)
        analytic = l2_backward(W, lam, m)
        print(f"lam={lam} m={m} W{W.shape}: relative error "
              f"{relative_error(analytic, numerical):.2e}")
        assert_agrees_with_differences(analytic, numerical, BOUND, scale, f"W{W.shape}")


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
