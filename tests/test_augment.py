"""Tests for nnscratch.augment: each transform against its closed form, the interpolation,
the smoothing, and what augmentation must keep (labels, pixel range, reproducibility)."""

import math

import numpy as np
import pytest

from nnscratch.augment import (
    Augmentation,
    affine_maps,
    affine_sources,
    augment,
    augment_images,
    augment_rows,
    bilinear_sample,
    elastic_displacements,
    gaussian_kernel,
    gaussian_matrix,
    smooth,
)
from nnscratch.data import load_sample

N = 28
C = (N - 1) / 2                                   # the centre, 13.5
PR, PC = np.meshgrid(np.arange(N) - C, np.arange(N) - C, indexing="ij")  # centred coordinates


def ramp(a: float = 0.3, b: float = 0.02, c: float = 0.01) -> np.ndarray:
    """``I[r, c] = a + b·r + c·col`` as one float64 image ``(1, 28, 28)``, inside [0, 1]."""
    r, col = np.meshgrid(np.arange(N), np.arange(N), indexing="ij")
    return (a + b * r + c * col)[None].astype(np.float64)


def apply(A: np.ndarray, t=(0.0, 0.0), image: np.ndarray | None = None) -> np.ndarray:
    """The image ``(28, 28)`` under the one map ``p ↦ A p + t``."""
    image = ramp() if image is None else image
    rows, cols = affine_sources(np.asarray(A, float)[None], np.asarray(t, float)[None])
    return bilinear_sample(image, rows.astype(np.float64), cols.astype(np.float64))[0]


def closed_form(Ainv: np.ndarray, t=(0.0, 0.0)) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ramp read at ``q = A⁻¹ (p - t)``, computed by hand, and where ``q`` is inside."""
    qr = Ainv[0, 0] * (PR - t[0]) + Ainv[0, 1] * (PC - t[1]) + C
    qc = Ainv[1, 0] * (PR - t[0]) + Ainv[1, 1] * (PC - t[1]) + C
    inside = (qr >= 0) & (qr <= N - 1) & (qc >= 0) & (qc <= N - 1)
    return 0.3 + 0.02 * qr + 0.01 * qc, inside, (qr, qc)


# --------------------------------------------------------------- one test per transform


@pytest.mark.parametrize("degrees", [30.0, -12.5, 90.0])
def test_rotation_of_a_ramp_matches_its_closed_form(degrees):
    th = math.radians(degrees)
    R = np.array([[math.cos(th), -math.sin(th)], [math.sin(th), math.cos(th)]])
    expected, inside, _ = closed_form(R.T)                 # R⁻¹ = Rᵀ
    got = apply(R)
    assert inside.sum() > 300
    np.testing.assert_allclose(got[inside], expected[inside], atol=2e-6)


def test_rotation_by_90_degrees_is_rot90():
    """Counter-clockwise on the screen, as documented: np.rot90 turns the same way."""
    image = np.random.default_rng(0).random((1, N, N))
    R = np.array([[0.0, -1.0], [1.0, 0.0]])                # R(90°), exactly
    np.testing.assert_allclose(apply(R, image=image), np.rot90(image[0]), atol=1e-6)


@pytest.mark.parametrize("k", [0.8, 1.25])
def test_scale_of_a_ramp_matches_its_closed_form(k):
    expected, inside, _ = closed_form(np.eye(2) / k)
    np.testing.assert_allclose(apply(k * np.eye(2))[inside], expected[inside], atol=2e-6)


def test_shear_of_a_ramp_matches_its_closed_form():
    s = 0.2                                                 # column += s · row
    H, Hinv = np.array([[1.0, 0.0], [s, 1.0]]), np.array([[1.0, 0.0], [-s, 1.0]])
    expected, inside, _ = closed_form(Hinv)
    np.testing.assert_allclose(apply(H)[inside], expected[inside], atol=2e-6)


def test_integer_shift_moves_every_pixel_and_fills_with_zeros():
    image = np.random.default_rng(1).random((1, N, N))
    got = apply(np.eye(2), t=(2.0, -3.0), image=image)
    expected = np.zeros((N, N))
    expected[2:, :N - 3] = image[0, :N - 2, 3:]             # down 2, left 3; blank elsewhere
    np.testing.assert_allclose(got, expected, atol=1e-6)


def test_affine_maps_compose_rotation_shear_and_scale():
    aug = Augmentation(rotation=20, scale=0.2, shear=0.3, shift=1.5)
    rng = np.random.default_rng(3)
    u = np.random.default_rng(3).uniform(-1, 1, (4, 5))     # the draws affine_maps makes
    A, t = affine_maps(4, aug, rng)
    for i in range(4):
        th, s, k = math.radians(20) * u[i, 0], 0.3 * u[i, 1], 1 + 0.2 * u[i, 2]
        R = np.array([[math.cos(th), -math.sin(th)], [math.sin(th), math.cos(th)]])
        np.testing.assert_allclose(A[i], k * R @ np.array([[1.0, 0.0], [s, 1.0]]), atol=1e-12)
        np.testing.assert_allclose(t[i], 1.5 * u[i, 3:5], atol=1e-12)
    assert np.all(np.abs(np.rad2deg(np.arctan2(A[:, 1, 0] - 0, A[:, 1, 1]))) < 40)


def test_affine_sources_invert_the_map():
    A, t = affine_maps(6, Augmentation(rotation=15, scale=0.1, shear=0.1, shift=2),
                       np.random.default_rng(4))
    rows, cols = affine_sources(A, t)
    # Mapping the sources forward again gives back the output grid.
    q = np.stack([rows - C, cols - C], axis=-1).astype(np.float64)      # (6, 28, 28, 2)
    p = np.einsum("nij,nrcj->nrci", A, q) + t[:, None, None, :]
    np.testing.assert_allclose(p[..., 0], np.broadcast_to(PR, (6, N, N)), atol=1e-4)
    np.testing.assert_allclose(p[..., 1], np.broadcast_to(PC, (6, N, N)), atol=1e-4)


def test_elastic_field_is_smoothed_uniform_noise_with_its_closed_form_spread():
    """Interior std of α · (Gaussian-smoothed U(-1, 1)) is α · sqrt(1/3) · Σk² (separable)."""
    alpha, sigma = 10.0, 3.0
    dr, dc = elastic_displacements(400, alpha, sigma, np.random.default_rng(5))
    k = gaussian_kernel(sigma)
    expected = alpha * math.sqrt(1 / 3) * float(np.sum(k**2))
    r = k.size // 2
    interior = np.concatenate([dr[:, r:N - r, r:N - r].ravel(), dc[:, r:N - r, r:N - r].ravel()])
    assert abs(interior.std() / expected - 1) < 0.03
    assert abs(interior.mean()) < 0.05 * expected
    # Neighbours move together: the field is smooth, unlike the raw noise.
    assert np.corrcoef(dr[:, 10, 10], dr[:, 10, 11])[0, 1] > 0.9


def test_elastic_displacement_of_a_constant_field_is_a_shift():
    """The elastic step reads the image at p + d(p): a constant d is a plain shift."""
    image = ramp()
    rows = np.broadcast_to(PR + C + 0.5, (1, N, N)).copy()
    cols = np.broadcast_to(PC + C - 0.25, (1, N, N)).copy()
    got = bilinear_sample(image, rows, cols)[0]
    inner = (slice(0, N - 1), slice(1, N))
    expected = 0.3 + 0.02 * (PR + C + 0.5) + 0.01 * (PC + C - 0.25)
    np.testing.assert_allclose(got[inner], expected[inner], atol=1e-12)


# --------------------------------------------------------------- interpolation, smoothing


def test_bilinear_is_exact_on_a_linear_ramp():
    rng = np.random.default_rng(6)
    rows = rng.uniform(0, N - 1, (3, 40, 40))
    cols = rng.uniform(0, N - 1, (3, 40, 40))
    image = np.repeat(ramp(), 3, axis=0)
    got = bilinear_sample(image, rows, cols)
    np.testing.assert_allclose(got, 0.3 + 0.02 * rows + 0.01 * cols, rtol=0, atol=1e-12)


def test_bilinear_on_the_grid_returns_the_pixels_and_zero_outside():
    image = np.random.default_rng(7).random((2, N, N)).astype(np.float32)
    r, c = np.meshgrid(np.arange(N), np.arange(N), indexing="ij")
    grid = np.broadcast_to(r, (2, N, N)).astype(np.float32)
    same = bilinear_sample(image, grid, np.broadcast_to(c, (2, N, N)).astype(np.float32))
    np.testing.assert_array_equal(same, image)
    far = np.full((2, 3, 3), 500.0, np.float32)
    assert not bilinear_sample(image, far, -far).any()
    half = bilinear_sample(image, np.full((2, 1, 1), -0.5), np.zeros((2, 1, 1)))
    np.testing.assert_allclose(half[:, 0, 0], image[:, 0, 0] / 2, rtol=1e-6)  # half off paper


def test_gaussian_kernel_and_matrix_match_their_closed_form():
    k = gaussian_kernel(2.0)
    x = np.arange(-6, 7)
    np.testing.assert_allclose(k, np.exp(-x**2 / 8) / np.exp(-x**2 / 8).sum())
    G = gaussian_matrix(N, 2.0)
    np.testing.assert_allclose(G[14, 8:21], k)                    # an interior row is k
    np.testing.assert_allclose(G, G.T)
    F = np.zeros((1, N, N))
    F[0, 14, 14] = 1.0
    np.testing.assert_allclose(smooth(F, 2.0)[0, 8:21, 8:21], np.outer(k, k), atol=1e-15)


# --------------------------------------------------------------- what augmentation keeps


@pytest.fixture(scope="module")
def digits():
    data = load_sample()
    return data.X[:, :256], data.y[:256]


STRONG = Augmentation(shift=2, rotation=10, scale=0.1, shear=0.1, elastic_alpha=34,
                      elastic_sigma=4)


def test_augment_keeps_shape_dtype_and_pixel_range(digits):
    X, _ = digits
    X_aug = augment(X, STRONG, np.random.default_rng(8))
    assert X_aug.shape == X.shape and X_aug.dtype == X.dtype
    assert X_aug.min() >= 0 and X_aug.max() <= 1
    assert not np.array_equal(X_aug, X)
    assert np.array_equal(X, load_sample().X[:, :256])              # input untouched


def test_augment_keeps_each_digit_in_its_column_so_labels_stay_true(digits):
    """Output column j depends on input column j only: changing one digit changes that
    column of the batch and no other, so ``y[j]`` is still the label of column j."""
    X, _ = digits
    before = augment(X, STRONG, np.random.default_rng(9))
    X2 = X.copy()
    X2[:, 17] = X[:, 42]                                    # digit 17 replaced
    after = augment(X2, STRONG, np.random.default_rng(9))
    changed = np.flatnonzero(np.any(after != before, axis=0))
    assert changed.tolist() == [17]


def test_mildly_augmented_digits_are_still_nearest_their_originals(digits):
    X, y = digits
    mild = Augmentation(shift=0.5, rotation=5, scale=0.05, shear=0.05)
    X_aug = augment(X, mild, np.random.default_rng(9))
    a = (X - X.mean(0)) / X.std(0)
    b = (X_aug - X_aug.mean(0)) / X_aug.std(0)
    nearest = np.argmax(b.T @ a, axis=1)                    # (256,) most correlated original
    assert np.mean(nearest == np.arange(X.shape[1])) > 0.9


def test_same_seed_same_distortions_and_rows_equal_columns(digits):
    X, _ = digits
    one = augment(X, STRONG, np.random.default_rng(10))
    np.testing.assert_array_equal(one, augment(X, STRONG, np.random.default_rng(10)))
    assert not np.array_equal(one, augment(X, STRONG, np.random.default_rng(11)))
    rows = augment_rows(np.ascontiguousarray(X.T), STRONG, np.random.default_rng(10))
    np.testing.assert_array_equal(rows, one.T)


def test_identity_augmentation_is_a_copy(digits):
    X, _ = digits
    images = np.ascontiguousarray(X.T).reshape(-1, N, N)
    out = augment_images(images, Augmentation(), np.random.default_rng(0))
    assert np.array_equal(out, images) and out is not images
    zero_elastic = Augmentation(rotation=1e-9)                  # tiny, but goes all the way
    close = augment_images(images, zero_elastic, np.random.default_rng(0))
    np.testing.assert_allclose(close, images, atol=1e-5)
