"""He initialisation and the notebook's uniform one: scale, shapes, dtype, seeds."""

import numpy as np
import pytest

from nnscratch.initialization import he_init, uniform_init

SIZES = [784, 100, 100, 10]


@pytest.mark.parametrize("init", [he_init, uniform_init])
def test_shapes_and_keys(init):
    p = init(SIZES, np.random.default_rng(0))
    assert list(p) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    for l in range(1, len(SIZES)):
        assert p[f"W{l}"].shape == (SIZES[l], SIZES[l - 1])
        assert p[f"b{l}"].shape == (SIZES[l], 1)
        assert not p[f"b{l}"].any()


@pytest.mark.parametrize("init", [he_init, uniform_init])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype(init, dtype):
    p = init(SIZES, np.random.default_rng(0), dtype=dtype)
    assert all(v.dtype == dtype for v in p.values())


def test_he_std_and_mean_per_layer():
    p = he_init(SIZES, np.random.default_rng(0), dtype=np.float64)
    for l in range(1, len(SIZES)):
        W = p[f"W{l}"]
        target = np.sqrt(2.0 / SIZES[l - 1])
        # The sample std of N = W.size normal draws is off by about target / sqrt(2N).
        tol = 5 * target / np.sqrt(2 * W.size)
        print(f"W{l}: std {W.std():.5f}, target {target:.5f}, tolerance {tol:.5f}")
        assert abs(W.std() - target) < tol
        assert abs(W.mean()) < 5 * target / np.sqrt(W.size)


@pytest.mark.parametrize("init", [he_init, uniform_init])
def test_same_seed_same_weights_other_seed_other_weights(init):
    a = init(SIZES, np.random.default_rng(42))
    b = init(SIZES, np.random.default_rng(42))
    c = init(SIZES, np.random.default_rng(43))
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])
    assert not np.array_equal(a["W1"], c["W1"])


def test_uniform_init_is_positive_and_below_scale():
    for scale in (0.01, 0.5):
        p = uniform_init(SIZES, np.random.default_rng(0), scale=scale, dtype=np.float64)
        for l in range(1, len(SIZES)):
            W = p[f"W{l}"]
            assert (W >= 0).all() and (W < scale).all()
            assert (W > 0).mean() > 0.999  # rand() hits exactly 0 with probability ~2**-53
            assert W.mean() == pytest.approx(scale / 2, rel=0.1)
