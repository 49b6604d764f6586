"""Data augmentation: random affine maps and elastic distortions of 28×28 digits, in NumPy.

Every function works on a whole batch at once: a stack of images ``(B, h, w)`` (image ``k``
is ``images[k]``, its pixels row by row, as in a column of the book's ``X``), and never
loops in Python over pixels or images. The one idea behind all of it is the **inverse
mapping**: to make output pixel ``p`` of a distorted image, ask where ``p`` came from in the
original, ``q = T⁻¹(p)``, and read the original there by bilinear interpolation. Every
output pixel gets exactly one value and no holes appear, whatever ``T`` does.

* :func:`affine_maps` draws one random map per image: a shift, a rotation, a scale and a
  shear about the image centre, within the strengths of an :class:`Augmentation`;
* :func:`affine_sources` inverts them in closed form and lists the source coordinates;
* :func:`elastic_displacements` draws random displacement fields, smoothed by a Gaussian of
  width ``σ`` (:func:`gaussian_matrix`, written here: no SciPy) and scaled by ``α``
  (Simard, Steinkraus and Platt, 2003);
* :func:`bilinear_sample` reads the images at those coordinates (0 outside the image);
* :func:`augment_images` chains them; :func:`augment` does it for the book's ``X``
  ``(784, m)``, :func:`augment_rows` for a batch stored with examples as rows, as the fast
  path of training stores it.

Coordinates are ``(row, column)`` pairs measured in pixels from the image centre
``((h - 1) / 2, (w - 1) / 2)``, rows pointing down. The labels are never touched: a
distortion small enough keeps a 7 a 7, which is the whole bet of augmentation.
"""

# --8<-- [start:imports]
import math
from dataclasses import asdict, dataclass, replace

import numpy as np

SIDE = 28
"""Height and width of an MNIST image: ``X`` holds ``SIDE * SIDE = 784`` pixels per column."""
# --8<-- [end:imports]


# --8<-- [start:augmentation]
@dataclass(frozen=True)
class Augmentation:
    """How strong each random distortion may be; 0 switches that one off.

    Per image, each quantity is drawn uniformly: the shift in ``[-shift, shift]`` pixels
    along each axis, the angle in ``[-rotation, rotation]`` degrees, the zoom factor in
    ``[1 - scale, 1 + scale]``, the shear factor in ``[-shear, shear]``. ``elastic_alpha``
    (``α``, in pixels) scales a displacement field smoothed by a Gaussian of width
    ``elastic_sigma`` (``σ``, in pixels).

    >>> Augmentation(shift=2).is_identity(), Augmentation().is_identity()
    (False, True)
    """

    shift: float = 0.0
    rotation: float = 0.0
    scale: float = 0.0
    shear: float = 0.0
    elastic_alpha: float = 0.0
    elastic_sigma: float = 4.0

    def is_identity(self) -> bool:
        """Whether every distortion is switched off (the images pass through unchanged)."""
        return not (self.shift or self.rotation or self.scale or self.shear
                    or self.elastic_alpha)

    def to_dict(self) -> dict:
        """The strengths as plain JSON values, for a model file's metadata."""
        return asdict(self)

    def one_at_a_time(self) -> dict[str, "Augmentation"]:
        """Each distortion alone at this strength, then the affine ones together, then all.

        >>> list(Augmentation(shift=2, elastic_alpha=20).one_at_a_time())
        ['shift', 'rotation', 'scale', 'shear', 'elastic', 'affine', 'all']
        >>> rotation = Augmentation(shift=2, rotation=5).one_at_a_time()["rotation"]
        >>> rotation.shift, rotation.rotation
        (0.0, 5)
        """
        alone = {name: Augmentation(**{name: getattr(self, name)})
                 for name in ("shift", "rotation", "scale", "shear")}
        elastic = Augmentation(elastic_alpha=self.elastic_alpha, elastic_sigma=self.elastic_sigma)
        affine = replace(self, elastic_alpha=0.0)
        return {**alone, "elastic": elastic, "affine": affine, "all": self}
# --8<-- [end:augmentation]


# --8<-- [start:affine]
def affine_maps(n: int, aug: Augmentation, rng: np.random.Generator) -> tuple[np.ndarray,
                                                                               np.ndarray]:
    """``n`` random affine maps ``p ↦ A p + t`` about the centre: ``A`` ``(n, 2, 2)``, ``t``
    ``(n, 2)``.

    ``A = R(θ) · H(s) · k I`` rotates by ``θ`` (counter-clockwise on the screen), shears by
    ``s`` (``column += s · row``) and zooms by ``k``; ``t`` shifts. One call
    ``rng.uniform(-1, 1, (n, 5))`` draws everything, so the draws do not depend on which
    strengths are 0.

    >>> A, t = affine_maps(3, Augmentation(), np.random.default_rng(0))
    >>> bool(np.all(A == np.eye(2))), bool(np.all(t == 0))      # all strengths 0: identity
    (True, True)
    """
    u = rng.uniform(-1.0, 1.0, (n, 5))
    theta = np.deg2rad(aug.rotation) * u[:, 0]
    s, k = aug.shear * u[:, 1], 1.0 + aug.scale * u[:, 2]
    cos, sin = np.cos(theta), np.sin(theta)
    # R(θ) = [[cos, -sin], [sin, cos]] in (row, column) with rows pointing down, which turns
    # the screen counter-clockwise; H(s) = [[1, 0], [s, 1]]. A = k R H, multiplied out:
    A = np.empty((n, 2, 2))
    A[:, 0, 0], A[:, 0, 1] = k * (cos - sin * s), -k * sin
    A[:, 1, 0], A[:, 1, 1] = k * (sin + cos * s), k * cos
    return A, aug.shift * u[:, 3:5]


def affine_sources(A: np.ndarray, t: np.ndarray, h: int = SIDE,
                   w: int = SIDE) -> tuple[np.ndarray, np.ndarray]:
    """Where each output pixel comes from under ``p ↦ A p + t``: rows and columns ``(n, h, w)``.

    The inverse map ``q = A⁻¹ (p - t)``, with ``A⁻¹ = [[d, -b], [-c, a]] / (ad - bc)`` for
    ``A = [[a, b], [c, d]]``, in absolute pixel coordinates (the centre added back).

    >>> rows, cols = affine_sources(np.eye(2)[None], np.array([[1.0, 0.0]]), 3, 3)
    >>> rows[0]                       # shifted down by one: pixel (1, j) comes from (0, j)
    array([[-1., -1., -1.],
           [ 0.,  0.,  0.],
           [ 1.,  1.,  1.]], dtype=float32)
    """
    a, b, c, d = A[:, 0, 0], A[:, 0, 1], A[:, 1, 0], A[:, 1, 1]
    det = a * d - b * c
    inv = np.stack([d, -b, -c, a], axis=1) / det[:, None]            # (n, 4): A⁻¹ row by row
    cr, cc = (h - 1) / 2, (w - 1) / 2
    pr = (np.arange(h) - cr)[None, :, None] - t[:, 0, None, None]    # (n, h, 1)
    pc = (np.arange(w) - cc)[None, None, :] - t[:, 1, None, None]    # (n, 1, w)
    inv = inv.astype(np.float32)[:, :, None, None]
    pr, pc = pr.astype(np.float32), pc.astype(np.float32)
    rows = inv[:, 0] * pr + inv[:, 1] * pc + np.float32(cr)
    cols = inv[:, 2] * pr + inv[:, 3] * pc + np.float32(cc)
    return rows, cols
# --8<-- [end:affine]


# --8<-- [start:elastic]
def gaussian_kernel(sigma: float, radius: int | None = None) -> np.ndarray:
    """The weights ``exp(-x² / 2σ²)`` for ``x = -radius..radius``, scaled to sum to 1: ``(2r+1,)``.

    The default radius is ``ceil(3σ)``: beyond three widths the weights are below 1.2 %
    of the centre's.

    >>> gaussian_kernel(1.0, 1).round(4)
    array([0.2741, 0.4519, 0.2741])
    """
    r = math.ceil(3 * sigma) if radius is None else radius
    x = np.arange(-r, r + 1, dtype=np.float64)
    k = np.exp(-(x**2) / (2 * sigma**2))
    return k / k.sum()


def gaussian_matrix(n: int, sigma: float) -> np.ndarray:
    """``G`` ``(n, n)`` with ``G @ v`` = ``v`` ``(n,)`` convolved with :func:`gaussian_kernel`.

    ``G[i, j]`` is the weight of ``x = j - i``; values beyond the ends count as 0 (the
    field is 0 outside the image). Smoothing a field ``F`` ``(n, n)`` along both axes is
    ``G @ F @ Gᵀ``: two matrix products instead of a loop over pixels.

    >>> gaussian_matrix(3, 1.0).round(4)       # rows of gaussian_kernel(1.0), radius 3
    array([[0.3991, 0.242 , 0.054 ],
           [0.242 , 0.3991, 0.242 ],
           [0.054 , 0.242 , 0.3991]])
    """
    k = gaussian_kernel(sigma)
    r = k.size // 2
    offset = np.arange(n)[None, :] - np.arange(n)[:, None]        # x = j - i
    return np.where(np.abs(offset) <= r, k[np.clip(offset + r, 0, 2 * r)], 0.0)


def smooth(F: np.ndarray, sigma: float) -> np.ndarray:
    """Each field of ``F`` ``(n, h, w)`` smoothed by a Gaussian of width ``sigma`` along both axes.

    ``G_h F[k] G_wᵀ`` for every ``k``, as two products over the whole stack.

    >>> F = np.zeros((1, 9, 9), np.float32); F[0, 4, 4] = 1.0   # one unit of displacement
    >>> S = smooth(F, 0.8)                                      # spread over the neighbours
    >>> round(float(S.sum()), 4), round(float(S[0, 4, 4]), 4)
    (1.0, 0.2487)
    """
    n, h, w = F.shape
    Gh = gaussian_matrix(h, sigma).astype(F.dtype)
    Gw = gaussian_matrix(w, sigma).astype(F.dtype)
    F = (F.reshape(n * h, w) @ Gw.T).reshape(n, h, w)             # along each row
    return Gh @ F                                                 # along each column


def elastic_displacements(n: int, alpha: float, sigma: float, rng: np.random.Generator,
                          h: int = SIDE, w: int = SIDE) -> tuple[np.ndarray, np.ndarray]:
    """``n`` random displacement fields, rows and columns ``(n, h, w)`` in pixels.

    Simard et al.: every pixel draws a displacement uniform in ``[-1, 1]`` along each
    axis; the field is smoothed by a Gaussian of width ``sigma`` (neighbours then move
    together) and multiplied by ``alpha``.

    >>> dr, dc = elastic_displacements(2, 0.0, 4.0, np.random.default_rng(0))
    >>> dr.shape, float(abs(dr).max())
    ((2, 28, 28), 0.0)
    """
    field = rng.random((2 * n, h, w), dtype=np.float32)     # uniform in [0, 1) ...
    field -= np.float32(0.5)                                # ... in [-1/2, 1/2)
    field = np.float32(2 * alpha) * smooth(field, sigma)    # [-1, 1) smoothed, times α
    return field[:n], field[n:]
# --8<-- [end:elastic]


# --8<-- [start:bilinear]
def bilinear_sample(images: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``images`` ``(n, h, w)`` read at the real coordinates ``rows``, ``cols`` ``(n, H, W)``.

    Between the four pixels around ``(r, c)``, with ``f_r = r - ⌊r⌋`` and ``f_c = c - ⌊c⌋``:
    first along the columns, ``top = I[r₀, c₀] + f_c (I[r₀, c₀+1] - I[r₀, c₀])`` and the same
    for ``bottom`` one row lower, then ``top + f_r (bottom - top)``. Outside the image the
    pixels are 0 (blank paper): the images get a border of zeros, one pixel wide before the
    first row and column and two after the last, and coordinates beyond the border are
    clipped onto it. The result is clipped to the range of the pixels and 0 (rounding could
    otherwise leave it an ulp outside).

    >>> ramp = np.arange(4.0)[None, None, :].repeat(4, axis=1)     # I[r, c] = c
    >>> bilinear_sample(ramp, np.full((1, 1, 2), 1.5), np.array([[[0.25, 2.5]]]))
    array([[[0.25, 2.5 ]]])
    """
    n, h, w = images.shape
    W = w + 3                                          # width of a padded image
    padded = np.zeros((n, h + 3, W), images.dtype)
    padded[:, 1:h + 1, 1:w + 1] = images               # I[r, c] is padded[r + 1, c + 1]
    r = np.clip(rows + 1, 0, h + 1)                    # padded coordinates, on the border
    c = np.clip(cols + 1, 0, w + 1)                    # at most
    r0, c0 = np.floor(r), np.floor(c)
    r -= r0                                            # r, c become the fractions f_r, f_c
    c -= c0
    # Flat index of the top-left neighbour: (image · (h + 3) + row) · W + column. Computed
    # in the coordinates' float type, exact while it stays below 2²⁴ for float32.
    big = n * (h + 3) * W >= 2**24
    k = np.arange(n, dtype=np.float64 if big else r0.dtype)[:, None, None]
    at = ((k * (h + 3) + r0) * W + c0).astype(np.intp)
    flat = padded.reshape(-1)
    top, right = np.take(flat, at), np.take(flat, at + 1)
    bottom, corner = np.take(flat, at + W), np.take(flat, at + W + 1)
    top += c * (right - top)                           # along the row above ...
    bottom += c * (corner - bottom)                    # ... and the row below,
    top += r * (bottom - top)                          # then between the two rows
    lo, hi = min(0, images.min(initial=0)), max(0, images.max(initial=0))
    return np.clip(top, lo, hi, out=top)
# --8<-- [end:bilinear]


# --8<-- [start:augment]
def augment_images(images: np.ndarray, aug: Augmentation,
                   rng: np.random.Generator) -> np.ndarray:
    """Every image of ``images`` ``(n, h, w)`` under its own random distortion: ``(n, h, w)``.

    The affine map is drawn first, then (if ``elastic_alpha``) the displacement field; the
    output pixel ``p`` reads the original at ``A⁻¹ (p - t) + d(p)``. The same ``rng`` state
    gives the same distortions; an identity :class:`Augmentation` returns a copy.
    """
    if aug.is_identity():
        return images.copy()
    n, h, w = images.shape
    rows, cols = affine_sources(*affine_maps(n, aug, rng), h, w)
    if aug.elastic_alpha:
        dr, dc = elastic_displacements(n, aug.elastic_alpha, aug.elastic_sigma, rng, h, w)
        rows += dr
        cols += dc
    return bilinear_sample(images, rows, cols)


def augment_rows(X_rows: np.ndarray, aug: Augmentation, rng: np.random.Generator,
                 side: int = SIDE) -> np.ndarray:
    """A batch stored with **examples as rows**, ``(B, side²)``, distorted: ``(B, side²)``.

    The fast path of training keeps its batch this way; each row is one image, row-major.
    """
    B = X_rows.shape[0]
    return augment_images(X_rows.reshape(B, side, side), aug, rng).reshape(B, side * side)


def augment(X: np.ndarray, aug: Augmentation, rng: np.random.Generator,
            side: int = SIDE) -> np.ndarray:
    """The columns of ``X`` ``(side², m)``, each a row-major image, distorted: ``(side², m)``.

    The book's layout; it computes exactly what :func:`augment_rows` computes on ``X.T``.

    >>> X = np.random.default_rng(1).random((784, 5)).astype(np.float32)
    >>> X_aug = augment(X, Augmentation(rotation=15, elastic_alpha=8), np.random.default_rng(2))
    >>> X_aug.shape, X_aug.dtype, bool(X_aug.min() >= 0 and X_aug.max() <= 1)
    ((784, 5), dtype('float32'), True)
    """
    return augment_rows(np.ascontiguousarray(X.T), aug, rng, side).T
# --8<-- [end:augment]
