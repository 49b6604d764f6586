"""The whole network: forward shapes and probabilities, and backward against finite differences.

Every parameter of 2- and 3-layer networks (ReLU and Leaky ReLU hidden layers, with and
without the L2 term) is checked against centred finite differences of ``network.loss`` in
float64. The inputs are chosen so that no pre-activation lies within ``KINK_MARGIN`` of 0:
the finite differences then never straddle a ReLU kink, and a correct gradient agrees to
about 1e-9. The criterion asserted is the suite's
(``tests.test_gradcheck.assert_agrees_with_differences``) with ``BOUND``: relative error below
it, or within the rounding floor for a gradient too small beside the loss, whose scale is
``1 + loss`` (the log-probabilities' rounding, as for the cross-entropy alone; the scores'
own rounding reaches the loss multiplied by ``dZ``, of order ``1/m``). The notebook's scalar
bias gradient (``np.sum(dZ)``) misses it by orders of magnitude.
"""

import numpy as np
import pytest

from nnscratch.gradcheck import check_gradients, numerical_gradient, relative_error
from nnscratch.network import backward, forward, layer_sizes, loss
from nnscratch.onehot import one_hot
from tests.conftest import NETWORK_BOUND as BOUND
from tests.conftest import tiny_network
from tests.test_gradcheck import assert_agrees_with_differences

KINK_MARGIN = 1e-3  # ≫ the finite-difference step 1e-6 times any weight
M = 6


def assert_away_from_kinks(cache):
    for l, (_, Z) in enumerate(cache[:-1], start=1):
        assert np.abs(Z).min() > KINK_MARGIN, f"Z{l} has an entry near the kink; change the seed"


CASES = [
    (sizes, activation, lam)
    for sizes in ([5, 4, 3], [5, 4, 3, 3])
    for activation in ("relu", "leaky_relu")
    for lam in (0.0, 0.7)
]
SEEDED = [(*case, 0) for case in CASES] + [
    # Found by a local loop over random seeds: relative error 3.5e-6 > 1e-6.
    ([5, 4, 3, 3], "relu", 0.0, 174790283),
]


@pytest.mark.parametrize(
    "sizes, activation, lam, seed", SEEDED,
    ids=[f"{len(s) - 1}layer-{a}-lam{lam}-seed{seed}" for s, a, lam, seed in SEEDED],
)
def test_every_gradient_matches_finite_differences(sizes, activation, lam, seed):
    params, X, Y = tiny_network(sizes, seed)
    AL, cache = forward(params, X, activation)
    assert_away_from_kinks(cache)
    grads = backward(params, cache, AL, Y, activation, lam=lam)
    assert set(grads) == set(params)

    def f():
        return loss(params, X, Y, activation, lam=lam)

    scale = 1 + f()
    shown = []
    for k in params:
        numerical = numerical_gradient(f, params[k])
        shown.append(f"{k} {relative_error(grads[k], numerical):.1e}")
        assert_agrees_with_differences(grads[k], numerical, BOUND, scale, k)
    print(f"{sizes} {activation} lam={lam}: {', '.join(shown)}")


@pytest.mark.parametrize("sizes", [[784, 100, 10], [784, 100, 100, 10]])
def test_shapes_of_every_gradient(sizes):
    rng = np.random.default_rng(0)
    params = {}
    for l in range(1, len(sizes)):
        params[f"W{l}"] = rng.standard_normal((sizes[l], sizes[l - 1])).astype(np.float32) * 0.05
        params[f"b{l}"] = np.zeros((sizes[l], 1), np.float32)
    X = rng.random((784, 7), dtype=np.float32)
    Y = one_hot(np.arange(7) % 10, 10, np.float32)
    AL, cache = forward(params, X)
    assert AL.shape == (10, 7) and AL.dtype == np.float32
    assert len(cache) == len(sizes) - 1
    for l, (A_prev, Z) in enumerate(cache, start=1):
        assert A_prev.shape == (sizes[l - 1], 7) and Z.shape == (sizes[l], 7)
    grads = backward(params, cache, AL, Y, lam=0.1)
    assert set(grads) == set(params)
    for k, v in params.items():
        assert grads[k].shape == v.shape, k
        assert grads[k].dtype == np.float32, k
    assert layer_sizes(params) == sizes


@pytest.mark.parametrize("activation", ["relu", "leaky_relu"])
def test_forward_columns_are_distributions(activation):
    params, X, _ = tiny_network([5, 4, 3, 3], seed=2)
    X = 30 * X  # large scores too: softmax must stay finite
    AL, _ = forward(params, X, activation)
    assert np.isfinite(AL).all() and (AL >= 0).all()
    np.testing.assert_allclose(AL.sum(axis=0), np.ones(M), rtol=0, atol=1e-12)


def test_l2_adds_lambda_over_m_times_w_to_weights_only():
    params, X, Y = tiny_network([5, 4, 3])
    AL, cache = forward(params, X)
    plain = backward(params, cache, AL, Y)
    reg = backward(params, cache, AL, Y, lam=0.7)
    for l in (1, 2):
        np.testing.assert_allclose(reg[f"W{l}"] - plain[f"W{l}"], 0.7 / M * params[f"W{l}"])
        np.testing.assert_array_equal(reg[f"b{l}"], plain[f"b{l}"])


@pytest.mark.parametrize("sizes", [[5, 4, 3], [5, 4, 3, 3]])
def test_scalar_bias_gradient_fails_the_check(sizes):
    """The notebook's ``db = np.sum(dZ)`` gives every unit of a layer one shared number."""
    params, X, Y = tiny_network(sizes)
    AL, cache = forward(params, X)
    grads = backward(params, cache, AL, Y)
    wrong = dict(grads)
    # Rebuild dZ[l] from db: the right db[l] is dZ[l] summed over examples, so its total is
    # np.sum(dZ[l]); the notebook adds that one scalar to every bias of the layer.
    for l in range(1, len(sizes)):
        wrong[f"b{l}"] = np.full_like(grads[f"b{l}"], grads[f"b{l}"].sum())
    errors = check_gradients(lambda: loss(params, X, Y), params, wrong)
    print(f"{sizes} scalar db: " + ", ".join(f"{k} {e:.1e}" for k, e in errors.items()))
    bias_errors = [errors[f"b{l}"] for l in range(1, len(sizes))]
    assert min(bias_errors) > 1e-2
    assert max(errors[f"W{l}"] for l in range(1, len(sizes))) <= BOUND
