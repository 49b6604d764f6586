"""Gradient checking (``nnscratch.gradcheck``): the checker must itself be checked.

Finite differences are tried on functions whose derivative is known in closed form: a
quadratic (for which the centred difference is exact up to rounding), a cubic (whose centred
error is exactly ``ε²`` times a known constant, so it shrinks 100× when ε shrinks 10×) and
the one-sided difference it is compared against. ``relative_error`` is tried on its edge
cases, and ``check_gradients`` must flag a deliberately wrong gradient.

This file also holds the criterion that every gradient test of the suite asserts,
:func:`assert_agrees_with_differences`; its docstring has the error analysis behind it.
"""

import numpy as np
import pytest

from nnscratch.gradcheck import check_gradients, numerical_gradient, relative_error
from nnscratch.softmax import softmax, softmax_backward
from tests.conftest import LAYER_BOUND as BOUND

"""A correct float64 gradient agrees with finite differences at least this well."""

U = np.finfo(np.float64).eps / 2
"""The unit roundoff of float64, 2**-53: one rounding changes a number by at most ``u`` of it."""

EPS = 1e-6
"""``numerical_gradient``'s default step."""

ROUNDINGS = 4
"""κ: one evaluation of ``f`` is off by at most κ roundings of the size of its terms."""


def rounding_floor(scale, size, eps=EPS):
    """``√N κ u S / ε``: how far rounding alone can move ``N`` centred differences (2-norm)
    of an ``f`` whose terms add up to ``S`` in magnitude (see
    :func:`assert_agrees_with_differences`)."""
    return float(np.sqrt(size) * ROUNDINGS * U * scale / eps)


def assert_agrees_with_differences(analytic, numerical, bound, scale, what="gradient", eps=EPS):
    """Assert ``‖a − n‖ ≤ bound · (‖a‖ + ‖n‖) + √N κ u S / ε`` (2-norms over the N entries).

    ``a`` is the analytic gradient, ``n`` the centred differences of ``f`` with step ``ε``,
    ``S`` (``scale``) the sum of the magnitudes of the terms that ``f`` adds up, ``u = 2⁻⁵³``.

    Why not ``relative_error(a, n) ≤ bound`` alone. The centred difference of ``f`` as it is
    computed, ``f̂ = f + r`` with a rounding error ``|r| ≤ ρ``, is
    ``n_i = ∂f/∂θ_i + (ε²/6) ∂³f/∂θ_i³ + (r₊ − r₋) / 2ε``. For every function checked in
    this suite the third derivative is a modest multiple of the first (ReLU pieces are linear,
    softmax's derivatives all carry its ``a (1 − a)``, and ``cross_entropy_backward``'s test
    keeps ``A`` far from 0), so the truncation term, ``ε² = 1e-12`` times it, is covered by the
    relative part. The rounding term is not relative to the derivative at all:
    ``|r₊ − r₋| / 2ε ≤ ρ / ε``, and ``ρ ≤ κ u S`` (a floating-point sum is off by a few
    roundings of the size of its terms; a ``log`` turns its argument's relative error into an
    absolute one, hence the ``1 +`` in the scale of a cross-entropy). ``relative_error``
    divides this floor by ``‖a‖ + ‖n‖`` and so is ill-conditioned when the gradient is small
    beside ``S``: a correct gradient fails ``bound`` as soon as
    ``‖∇f‖ < √N ρ / (2 ε bound)``, up to ``2e-3 · √N · S`` for ``bound = 1e-7``. A
    saturated softmax is such a case: scores 10 apart give gradient entries near ``5e-5``
    while ``f`` stays near 1 (Hypothesis found two, kept as examples in tests/test_softmax.py
    and tests/test_loss.py). Another ``ε`` does not cure it: the error
    ``ε² M / 6 + κ u S / ε`` is smallest at ``ε = (3 κ u S / M)^(1/3)``, about ``1e-5`` for
    unit scales, where it is still ``≈ 6e-11`` in absolute terms; ``ε = 1e-6`` is within an
    order of magnitude of that, and no step brings the floor under ``bound`` times every
    gradient.

    What the criterion keeps. Where the gradient is well above the floor it is the
    relative-error test, loosened a little (the floor adds about an eighth to
    ``bound · (‖a‖ + ‖n‖)`` for a unit-scale softmax of 80 entries). Below that, a gradient
    passes if it lies within ``√N κ u S / ε ≈ 4.4e-10 · √N · S`` of the differences: a
    derivative that is wrong (a factor, a sign, a missing term) is wrong by an amount of the
    gradient's own size, far above it, unless the true gradient is itself at the level of the
    rounding noise, where no centred difference in float64 can tell it from zero.

    κ = 4 roundings: the term's own (a product, an ``exp`` or a ``log``) and those of the sum.
    Over 5,000 random draws of each gradient test of the suite, the largest
    ``‖a − n‖ ε / (√N u S)`` measured was 1.9 (a saturated softmax), leaving out
    ``cross_entropy_backward``, whose differences are off by truncation, ``ε² / 3A²`` of the
    gradient (the relative part's business). The plain relative error rejected 17 of those
    draws (softmax 1, its Jacobian 3, the linear layer 1, the L2 term 11, the network 1, and
    none of cross-entropy, activations); this criterion none. They are kept as examples.
    """
    assert analytic.shape == numerical.shape, (what, analytic.shape, numerical.shape)
    diff = float(np.linalg.norm(analytic - numerical))
    size = float(np.linalg.norm(analytic) + np.linalg.norm(numerical))
    floor = rounding_floor(scale, analytic.size, eps)
    assert diff <= bound * size + floor, (
        f"{what}: |a - n| = {diff:.2e} > {bound:.0e} (|a| + |n|) + rounding floor = "
        f"{bound * size:.2e} + {floor:.2e} (relative error "
        f"{relative_error(analytic, numerical):.2e})"
    )


def _saturated_softmax():
    """The case Hypothesis found (tests/test_softmax.py): ``K = 2``, scores 9.8 apart."""
    rng = np.random.default_rng(13)
    Z = 2.0 * rng.standard_normal((2, 1))
    G = rng.standard_normal((2, 1))

    def f():
        return float(np.sum(G * softmax(Z)))

    return Z, G, f


def test_the_rounding_floor_is_what_separates_a_saturated_gradient_from_its_differences():
    """The gradient is ~5e-5 while ``f`` is ~1: its plain relative error is at the mercy of
    rounding (the floor over ``2 ‖∇f‖`` is above ``BOUND``), the criterion is not."""
    Z, G, f = _saturated_softmax()
    analytic = softmax_backward(G, softmax(Z))
    scale = float(np.sum(np.abs(G * softmax(Z))))
    assert np.abs(analytic).max() < 1e-4 and 0.5 < scale < 1.5
    floor = rounding_floor(scale, analytic.size)
    assert floor / (2 * np.linalg.norm(analytic)) > BOUND       # ill-conditioned here
    assert_agrees_with_differences(analytic, numerical_gradient(f, Z), BOUND, scale)


@pytest.mark.parametrize("mistake", ["factor 2", "wrong sign", "no A factor", "1e-3 off"])
def test_the_criterion_catches_wrong_derivatives_where_the_floor_applies(mistake):
    Z, G, f = _saturated_softmax()
    A = softmax(Z)
    right = softmax_backward(G, A)
    wrong = {"factor 2": 2 * right, "wrong sign": -right,
             "no A factor": G - np.sum(A * G, axis=0), "1e-3 off": right * (1 + 1e-3)}[mistake]
    numerical = numerical_gradient(f, Z)
    with pytest.raises(AssertionError, match="rounding floor"):
        assert_agrees_with_differences(wrong, numerical, BOUND, float(np.sum(np.abs(G * A))))


def test_the_floor_is_small_beside_an_ordinary_gradient():
    """Unit-scale scores, 80 entries: the floor adds about an eighth to what ``BOUND`` alone
    allows; a wrong derivative is wrong by far more (1e-2 or more, relative)."""
    rng = np.random.default_rng(0)
    Z, G = rng.standard_normal((10, 8)), rng.standard_normal((10, 8))
    analytic = softmax_backward(G, softmax(Z))
    floor = rounding_floor(float(np.sum(np.abs(G * softmax(Z)))), analytic.size)
    assert floor < 0.2 * BOUND * 2 * np.linalg.norm(analytic)


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
