"""Digits drawn back as pictures: the columns of ``X`` ``(784, m)`` as 28×28 images."""

# --8<-- [start:imports]
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from nnscratch.plots.style import GREY, OKABE_ITO, book_style

# --8<-- [end:imports]

# --8<-- [start:draw_digit]
INK = OKABE_ITO["sky_blue"]
"""The colour of a digit's strokes; the paper is transparent, so it is the page's own."""


def draw_digit(ax: Axes, x: np.ndarray, vmax: float | None = None) -> None:
    """Draw one digit ``x`` (784 pixels, ``(784,)`` or ``(784, 1)``) into ``ax`` as ink.

    Each pixel is :data:`INK` with an opacity of ``x / vmax`` (``vmax``: the digit's own
    maximum unless given), so an empty pixel is the page itself and the 28×28 square is a
    thin grey frame: a white box would glare on the dark palette.
    """
    img = np.asarray(x, dtype=float).reshape(28, 28)
    top = float(vmax if vmax is not None else img.max()) or 1.0
    rgba = np.zeros((28, 28, 4))
    rgba[..., :3] = to_rgb(INK)
    rgba[..., 3] = np.clip(img / top, 0.0, 1.0)
    ax.imshow(rgba, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_color(GREY)
        spine.set_linewidth(0.6)
# --8<-- [end:draw_digit]


# --8<-- [start:plot_digits]
def plot_digits(
    X: np.ndarray,
    labels: Sequence[int] | np.ndarray | None = None,
    n: int = 24,
    ncols: int = 8,
    fig: Figure | None = None,
) -> Figure:
    """Draw the first ``n`` columns of ``X`` as 28×28 images in a grid of ``ncols`` columns.

    ``X`` has shape ``(784, m)``: one digit per column, pixels in row-major order, values in
    ``[0, 1]`` (or 0–255; each image is scaled to its own range). ``labels`` of shape
    ``(m,)``, if given, become the titles. Returns the figure (a new one unless ``fig``).

    >>> X = np.zeros((784, 3)); X[::29, 1] = 1.0
    >>> f = plot_digits(X, labels=[0, 1, 2], n=3, ncols=3)
    >>> len(f.axes), [ax.get_title() for ax in f.axes]
    (3, ['0', '1', '2'])
    >>> plt.close(f)
    """
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[0] != 784:
        raise ValueError(f"X must have shape (784, m), got {X.shape}")
    n = min(n, X.shape[1])
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    if fig is None:
        fig = plt.figure(figsize=(1.1 * ncols, 1.25 * nrows if labels is not None else 1.1 * nrows))
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for i, ax in enumerate(axes.flat[:n]):
        draw_digit(ax, X[:, i])
        if labels is not None:
            ax.set_title(str(int(labels[i])), fontsize=10)
    # Remove the unused cells so len(fig.axes) is the number of digits drawn.
    for ax in axes.flat[n:]:
        fig.delaxes(ax)
    fig.tight_layout(pad=0.6)
    return book_style(fig)
# --8<-- [end:plot_digits]


# --8<-- [start:plot_variants]
def plot_variants(rows: Mapping[str, np.ndarray], fig: Figure | None = None) -> Figure:
    """One row of 28×28 images per entry of ``rows``, its name on the left.

    Each value is an ``X`` ``(784, k)``: the ``k`` columns are drawn left to right, on one
    ink scale from 0 to 1 for the whole figure (so that a faint stroke looks faint). Made
    for the augmentation chapter: one digit under many random draws of each distortion.

    >>> f = plot_variants({"a": np.zeros((784, 3)), "b": np.ones((784, 3))})
    >>> len(f.axes), f.axes[0].get_ylabel(), f.axes[3].get_ylabel()
    (6, 'a', 'b')
    >>> plt.close(f)
    """
    k = max(X.shape[1] for X in rows.values())
    if fig is None:
        fig = plt.figure(figsize=(0.9 * k + 1.2, 0.95 * len(rows)))
    axes = fig.subplots(len(rows), k, squeeze=False)
    for row, (name, X) in zip(axes, rows.items(), strict=True):
        for j, ax in enumerate(row):
            if j < X.shape[1]:
                draw_digit(ax, X[:, j], vmax=1.0)
            else:
                ax.set_axis_off()
        row[0].set_ylabel(name, rotation=0, ha="right", va="center", fontsize=9)
    fig.tight_layout(pad=0.3)
    return book_style(fig)
# --8<-- [end:plot_variants]


# --8<-- [start:plot_one_hot]
def plot_one_hot(x: np.ndarray, y: np.ndarray, fig: Figure | None = None) -> Figure:
    """A digit beside its one-hot label: ``x`` ``(784, 1)`` and ``y`` ``(K, 1)``, a column of ``Y``.

    The column is drawn as ``K`` cells, row ``k`` labelled ``k``, the one 1 picked out in
    colour, so the picture reads as the vector: the label is a position.

    >>> f = plot_one_hot(np.zeros((784, 1)), np.eye(10)[:, [3]])
    >>> len(f.axes), f.axes[1].get_yticklabels()[3].get_text()
    (2, '3')
    >>> plt.close(f)
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.shape != (784, 1) or y.ndim != 2 or y.shape[1] != 1:
        raise ValueError(f"x must be (784, 1) and y (K, 1), got {x.shape} and {y.shape}")
    k = y.shape[0]
    if fig is None:
        fig = plt.figure(figsize=(4.2, 2.6))
    ax_x, ax_y = fig.subplots(1, 2, gridspec_kw={"width_ratios": [2.8, 1]})
    draw_digit(ax_x, x)
    ax_x.set_title("x: 784 pixels, (784, 1)", fontsize=9)
    hot = OKABE_ITO["vermillion"]
    for row, value in enumerate(y[:, 0]):
        ax_y.add_patch(Rectangle((0.05, row + 0.05), 0.9, 0.9, fill=False, linewidth=0.8,
                                 edgecolor=GREY))
        ax_y.text(0.5, row + 0.5, f"{value:g}", ha="center", va="center", fontsize=9,
                  color=hot if value else GREY, fontweight="bold" if value else "normal")
    ax_y.add_patch(Rectangle((0.05, float(np.argmax(y[:, 0])) + 0.05), 0.9, 0.9, fill=False,
                             linewidth=2, edgecolor=hot))
    ax_y.set_xlim(0, 1)
    ax_y.set_ylim(k, 0)
    ax_y.set_yticks(np.arange(k) + 0.5, [str(r) for r in range(k)])
    ax_y.set_xticks([])
    ax_y.tick_params(length=0, labelsize=8)
    for spine in ax_y.spines.values():
        spine.set_visible(False)
    ax_y.set_title(f"y: ({k}, 1)", fontsize=9)
    fig.tight_layout(pad=0.4)
    return book_style(fig)
# --8<-- [end:plot_one_hot]
