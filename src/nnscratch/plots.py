"""Figures for the book: a grid of digits and a learning curve.

Only this module imports matplotlib; the math core never does. Every figure has a
transparent background and mid-grey text and axes, so it reads on the book's light and
dark palettes alike, and its lines use the colour-blind-safe Okabe–Ito palette.
"""

# --8<-- [start:imports]
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

# --8<-- [end:imports]

# --8<-- [start:palette]
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
"""The Okabe–Ito colours (black left out: it vanishes on the dark palette)."""

GREY = "#888888"
"""Text, ticks and spines: mid-grey, readable on white and on near-black."""
# --8<-- [end:palette]


# --8<-- [start:style]
def _style(fig: Figure) -> Figure:
    """Make ``fig`` transparent with mid-grey text, ticks, spines and legends."""
    fig.patch.set_alpha(0.0)
    for ax in fig.axes:
        ax.patch.set_alpha(0.0)
        ax.tick_params(colors=GREY, which="both")
        for spine in ax.spines.values():
            spine.set_color(GREY)
        ax.xaxis.label.set_color(GREY)
        ax.yaxis.label.set_color(GREY)
        ax.title.set_color(GREY)
        legend = ax.get_legend()
        if legend is not None:
            legend.get_frame().set_alpha(0.0)
            legend.get_frame().set_edgecolor(GREY)
            for text in legend.get_texts():
                text.set_color(GREY)
    return fig
# --8<-- [end:style]


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
    for i, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if i >= n:
            continue
        # grey_r: ink is dark on a light square, the way the digits were written.
        ax.imshow(X[:, i].reshape(28, 28), cmap="gray_r", interpolation="nearest")
        if labels is not None:
            ax.set_title(str(int(labels[i])), fontsize=10)
    # Remove the unused cells so len(fig.axes) is the number of digits drawn.
    for ax in axes.flat[n:]:
        fig.delaxes(ax)
    fig.tight_layout(pad=0.3)
    return _style(fig)
# --8<-- [end:plot_digits]


# --8<-- [start:plot_history]
def plot_history(history: Sequence[Mapping[str, float]], fig: Figure | None = None) -> Figure:
    """Plot a learning curve: loss (left) and accuracies (right) against the epoch.

    ``history`` is a list of dicts with the keys ``epoch``, ``loss``, ``train_accuracy``
    and ``test_accuracy`` (the last two in ``[0, 1]``), one dict per epoch; a missing or
    ``None`` accuracy is left out of its line.

    >>> h = [{"epoch": e, "loss": 1 / e, "train_accuracy": 0.9, "test_accuracy": 0.8}
    ...      for e in (1, 2, 3)]
    >>> f = plot_history(h)
    >>> [ax.get_ylabel() for ax in f.axes]
    ['loss', 'accuracy']
    >>> plt.close(f)
    """
    if not history:
        raise ValueError("history is empty")
    epochs = [row["epoch"] for row in history]
    if fig is None:
        fig = plt.figure(figsize=(8, 3.2))
    ax_loss, ax_acc = fig.subplots(1, 2)
    ax_loss.plot(epochs, [row["loss"] for row in history], marker="o", markersize=3,
                 color=OKABE_ITO["vermillion"], label="training loss")
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("loss")
    ax_loss.set_title("cross-entropy")
    for key, colour, style, name in (
        ("train_accuracy", OKABE_ITO["blue"], "-", "train"),
        ("test_accuracy", OKABE_ITO["orange"], "--", "test"),
    ):
        points = [(row["epoch"], row[key]) for row in history if row.get(key) is not None]
        if points:
            xs, ys = zip(*points, strict=True)
            ax_acc.plot(xs, ys, linestyle=style, marker="o", markersize=3, color=colour, label=name)
    ax_acc.set_xlabel("epoch")
    ax_acc.set_ylabel("accuracy")
    ax_acc.set_title("accuracy")
    if ax_acc.lines:
        ax_acc.legend()
    for ax in (ax_loss, ax_acc):
        ax.grid(True, color=GREY, alpha=0.25)
    fig.tight_layout()
    return _style(fig)
# --8<-- [end:plot_history]


# --8<-- [start:show]
def figure_html(fig: Figure, alt: str, dpi: int = 100) -> str:
    """The figure as an ``<img>`` tag with ``alt`` text and the PNG inlined (base64).

    >>> f = plt.figure(figsize=(1, 1))
    >>> figure_html(f, alt='An empty "figure"')[:60]
    '<img alt="An empty &quot;figure&quot;" src="data:image/png;b'
    >>> plt.close(f)
    """
    import base64
    import html
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, transparent=True)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def show(fig: Figure, alt: str) -> None:
    """Show ``fig`` with its alt text in a notebook (or on a book page); close it.

    In a Jupyter kernel the figure is displayed as HTML (an ``<img>`` with ``alt``), so the
    book's example pages describe their figures to screen readers. Run as a plain script,
    it prints the alt text instead. Either way the figure is closed, so the notebook does
    not draw it a second time.
    """
    import sys

    try:
        if "ipykernel" in sys.modules:
            from IPython.display import HTML, display

            display(HTML(figure_html(fig, alt)))
        else:
            print(f"[figure: {alt}]")
    finally:
        plt.close(fig)
# --8<-- [end:show]


# --8<-- [start:plot_loss_agreement]
def plot_loss_agreement(
    losses: Mapping[str, Sequence[float]], reference: str, fig: Figure | None = None
) -> Figure:
    """Loss curves of several runs over the same steps, and how far each is from ``reference``.

    ``losses`` maps a run's name (the legend) to its loss at steps 1, 2, ...; all runs must
    have the same number of steps. Left: the losses. Right, on a log scale: the relative
    difference ``|loss - loss_ref| / loss_ref`` of every other run; steps where it is exactly
    0 are left out of its line (a log scale has no 0).

    >>> f = plot_loss_agreement({"a": [2.0, 1.0, 0.5], "b": [2.0, 1.1, 0.5]}, reference="a")
    >>> [ax.get_yscale() for ax in f.axes], [line.get_label() for line in f.axes[1].lines]
    (['linear', 'log'], ['b'])
    >>> plt.close(f)
    """
    if reference not in losses:
        raise ValueError(f"reference {reference!r} is not one of the runs {sorted(losses)}")
    ref = np.asarray(losses[reference], dtype=float)
    if any(len(v) != ref.size for v in losses.values()):
        raise ValueError("every run must have the same number of steps")
    steps = np.arange(1, ref.size + 1)
    if fig is None:
        fig = plt.figure(figsize=(9, 3.4))
    ax_loss, ax_diff = fig.subplots(1, 2)
    colours = [OKABE_ITO[c] for c in ("blue", "vermillion", "bluish_green", "orange")]
    for (name, values), colour in zip(losses.items(), colours * len(losses), strict=False):
        values = np.asarray(values, dtype=float)
        ref_run = name == reference
        ax_loss.plot(steps, values, color=colour, label=name, lw=2.5 if ref_run else 1.2,
                     linestyle="-" if ref_run else "--")
        if not ref_run:
            rel = np.abs(values - ref) / np.abs(ref)
            ax_diff.plot(steps, np.where(rel > 0, rel, np.nan), color=colour, label=name, lw=1.2)
    ax_loss.set_xlabel("step")
    ax_loss.set_ylabel("loss")
    ax_loss.set_title("loss at each step")
    ax_loss.legend()
    ax_diff.set_yscale("log")
    ax_diff.set_xlabel("step")
    ax_diff.set_ylabel(f"|loss − loss({reference})| / loss")
    ax_diff.set_title(f"relative difference from {reference}")
    ax_diff.legend()
    for ax in (ax_loss, ax_diff):
        ax.grid(True, color=GREY, alpha=0.25)
    fig.tight_layout()
    return _style(fig)
# --8<-- [end:plot_loss_agreement]


# --8<-- [start:plot_variants]
def plot_variants(rows: Mapping[str, np.ndarray], fig: Figure | None = None) -> Figure:
    """One row of 28×28 images per entry of ``rows``, its name on the left.

    Each value is an ``X`` ``(784, k)``: the ``k`` columns are drawn left to right, on one
    grey scale from 0 to 1 for the whole figure (so that a faint stroke looks faint). Made
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
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set_visible(False)
            if j < X.shape[1]:
                ax.imshow(X[:, j].reshape(28, 28), cmap="gray_r", vmin=0, vmax=1,
                          interpolation="nearest")
        row[0].set_ylabel(name, rotation=0, ha="right", va="center", fontsize=9)
    fig.tight_layout(pad=0.3)
    return _style(fig)
# --8<-- [end:plot_variants]
