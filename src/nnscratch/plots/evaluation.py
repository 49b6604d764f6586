"""Figures of the evaluation chapter: the confusion matrix, the most confident mistakes, and
the first layer's weights drawn as pictures.

Nothing here is an opaque box: a cell or a pixel is a colour whose opacity carries the value,
so an empty cell or a zero weight is the page itself, light or dark.
"""

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LinearSegmentedColormap, to_rgb
from matplotlib.figure import Figure

from nnscratch.plots.digits import draw_digit
from nnscratch.plots.style import GREY, OKABE_ITO, book_style

COUNT_INK = OKABE_ITO["blue"]
"""The colour of the confusion matrix's cells; their opacity grows with the count."""

SIGNED_INK = LinearSegmentedColormap.from_list("signed_ink", [
    (*to_rgb(OKABE_ITO["blue"] if x < 0 else OKABE_ITO["vermillion"]), abs(x) ** 0.5)
    for x in np.linspace(-1, 1, 65)])
"""A diverging colour map made of ink: blue for negative, vermillion for positive, with the
square root of the size as the opacity (so that small values still show); 0 is fully
transparent (the page), not white."""


# --8<-- [start:plot_confusion]
def plot_confusion(C: np.ndarray, title: str = "confusion matrix", fig: Figure | None = None
                   ) -> Figure:
    """The confusion matrix ``C`` ``(K, K)`` (true class down, predicted across) as a heatmap.

    A cell's opacity grows with ``log(1 + C[i, j])²``, so that the few confusions off the
    diagonal show beside its hundreds of correct predictions and stay light enough for their
    counts to read; an empty cell is transparent.
    Every non-zero cell also shows its count: in mid-grey on a faint cell, in white where the
    cell is nearly opaque (there the cell, not the page, is behind the text).

    >>> f = plot_confusion(np.array([[5, 1], [0, 7]]))
    >>> sorted(t.get_text() for t in f.axes[0].texts), f.axes[0].get_xlabel()
    (['1', '5', '7'], 'predicted class j')
    >>> plt.close(f)
    """
    C = np.asarray(C)
    if C.ndim != 2 or C.shape[0] != C.shape[1]:
        raise ValueError(f"C must be square (K, K), got {C.shape}")
    k = C.shape[0]
    opacity = (np.log1p(C) / max(np.log1p(C.max()), 1e-12)) ** 2
    rgba = np.zeros((k, k, 4))
    rgba[..., :3] = to_rgb(COUNT_INK)
    rgba[..., 3] = np.where(C > 0, 0.08 + 0.92 * opacity, 0.0)
    if fig is None:
        fig = plt.figure(figsize=(4.6, 4.4))
    ax = fig.subplots()
    ax.imshow(rgba, interpolation="nearest")
    for (i, j), count in np.ndenumerate(C):
        if count:
            strong = rgba[i, j, 3] > 0.6
            ax.text(j, i, str(count), ha="center", va="center", fontsize=7,
                    color="white" if strong else GREY, fontweight="bold" if strong else "normal")
    ax.set_xticks(range(k))
    ax.set_yticks(range(k))
    ax.set(xlabel="predicted class j", ylabel="true class i", title=title)
    ax.tick_params(length=0)
    fig.tight_layout()
    return book_style(fig)
# --8<-- [end:plot_confusion]


# --8<-- [start:plot_mistakes]
def plot_mistakes(
    X: np.ndarray, y_true: Sequence[int], y_pred: Sequence[int], confidence: Sequence[float],
    ncols: int = 8, fig: Figure | None = None,
) -> Figure:
    """Misclassified digits, each titled *true → predicted (probability)*.

    ``X`` ``(784, k)`` holds the digits (e.g. ``X[:, evaluation.worst_mistakes(A, y)]``),
    ``y_true``, ``y_pred`` and ``confidence`` ``(k,)`` their labels, the network's answers
    and the probability it gave its answer; drawn in rows of ``ncols``.

    >>> f = plot_mistakes(np.zeros((784, 2)), [3, 5], [8, 6], [0.97, 0.8])
    >>> [ax.get_title() for ax in f.axes]
    ['3→8 (0.97)', '5→6 (0.80)']
    >>> plt.close(f)
    """
    X = np.asarray(X)
    k = X.shape[1]
    if X.shape[0] != 784 or not len(y_true) == len(y_pred) == len(confidence) == k:
        raise ValueError(f"X must be (784, k) with k labels, answers and probabilities, "
                         f"got {X.shape}")
    ncols = max(1, min(ncols, k))
    nrows = -(-k // ncols)
    if fig is None:
        fig = plt.figure(figsize=(1.15 * ncols, 1.4 * nrows))
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for i, ax in enumerate(axes.flat[:k]):
        draw_digit(ax, X[:, i])
        ax.set_title(f"{int(y_true[i])}→{int(y_pred[i])} ({float(confidence[i]):.2f})",
                     fontsize=8)
    for ax in axes.flat[k:]:
        fig.delaxes(ax)
    fig.tight_layout(pad=0.3)
    return book_style(fig)
# --8<-- [end:plot_mistakes]


# --8<-- [start:plot_weights]
def plot_weights(W: np.ndarray, ncols: int = 8, title: str = "unit",
                 fig: Figure | None = None) -> Figure:
    """Rows of a first-layer weight matrix ``W`` ``(k, 784)`` as 28×28 pictures, with a scale.

    Positive weights are vermillion, negative ones blue, the opacity growing with their size
    on one scale ``±max|W|`` for every picture (:data:`SIGNED_INK`), so the pictures
    compare and a zero weight is the page itself. Each picture is titled ``f"{title} {j}"``.

    >>> f = plot_weights(np.linspace(-1, 1, 2 * 784).reshape(2, 784), ncols=2)
    >>> [ax.get_title() for ax in f.axes[:2]], len(f.axes)          # two pictures, a scale
    (['unit 0', 'unit 1'], 3)
    >>> plt.close(f)
    """
    W = np.asarray(W, dtype=float)
    if W.ndim != 2 or W.shape[1] != 784:
        raise ValueError(f"W must be (k, 784), got {W.shape}")
    k = W.shape[0]
    ncols = max(1, min(ncols, k))
    nrows = -(-k // ncols)
    limit = float(np.abs(W).max()) or 1.0
    if fig is None:
        fig = plt.figure(figsize=(1.1 * ncols + 0.9, 1.25 * nrows))
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for j, ax in enumerate(axes.flat):
        if j >= k:
            ax.set_axis_off()
            continue
        image = ax.imshow(W[j].reshape(28, 28), cmap=SIGNED_INK, vmin=-limit, vmax=limit,
                          interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"{title} {j}", fontsize=8)
        for spine in ax.spines.values():
            spine.set_linewidth(0.6)
    bar = fig.colorbar(image, ax=axes, fraction=0.025, pad=0.02)
    bar.outline.set_edgecolor(GREY)
    bar.ax.tick_params(labelsize=7)
    return book_style(fig)
# --8<-- [end:plot_weights]
