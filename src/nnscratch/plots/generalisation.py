"""Figures of the augmentation and dropout chapters: what a distortion and a mask do, and
what each buys on validation data."""

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from nnscratch.plots.digits import draw_digit
from nnscratch.plots.style import GREY, OKABE_ITO, book_style

SEED_STYLES = [(OKABE_ITO["blue"], "o"), (OKABE_ITO["vermillion"], "s"),
               (OKABE_ITO["bluish_green"], "^"), (OKABE_ITO["reddish_purple"], "D")]
"""Colour and marker of seed 0, 1, ...: the marker tells them apart without colour."""


# --8<-- [start:plot_inverse_mapping]
def plot_inverse_mapping(
    image: np.ndarray, rows: np.ndarray, cols: np.ndarray, output: np.ndarray,
    step: int = 3, fig: Figure | None = None,
) -> Figure:
    """Inverse mapping: where in the input each output pixel is read, and the output.

    ``image`` and ``output`` are 28×28 digits (``(28, 28)`` or ``(784,)``); ``rows`` and
    ``cols`` ``(28, 28)`` hold the source ``q`` of each output pixel ``p`` (one image of what
    ``augment.affine_sources`` returns). Left: the input, with every ``step``-th row and column
    of sample points ``q`` joined into a (warped) grid. Right: the output, with the same rows
    and columns of ``p``, a straight grid: each of its points reads the input at its twin.

    >>> r, c = np.meshgrid(np.arange(28.0), np.arange(28.0), indexing="ij")
    >>> f = plot_inverse_mapping(np.zeros((28, 28)), r, c, np.zeros((28, 28)))
    >>> len(f.axes), len(f.axes[0].lines) == len(f.axes[1].lines) > 0
    (2, True)
    >>> plt.close(f)
    """
    rows, cols = np.asarray(rows, dtype=float), np.asarray(cols, dtype=float)
    if rows.shape != (28, 28) or cols.shape != (28, 28):
        raise ValueError(f"rows and cols must be (28, 28), got {rows.shape} and {cols.shape}")
    if fig is None:
        fig = plt.figure(figsize=(6.4, 3.3), layout="constrained")
    ax_in, ax_out = fig.subplots(1, 2)
    draw_digit(ax_in, np.asarray(image).reshape(784), vmax=1.0)
    draw_digit(ax_out, np.asarray(output).reshape(784), vmax=1.0)
    pick = np.arange(1, 28, step)
    grid = np.meshgrid(np.arange(28.0), np.arange(28.0), indexing="ij")
    for ax, (r, c) in ((ax_in, (rows, cols)), (ax_out, grid)):
        style = {"color": OKABE_ITO["vermillion"], "lw": 0.8, "marker": "o", "markersize": 2}
        for i in pick:
            ax.plot(c[i, :][pick], r[i, :][pick], **style)  # one row of points p
            ax.plot(c[:, i][pick], r[:, i][pick], **style)  # one column
        ax.add_patch(Rectangle((-0.5, -0.5), 28, 28, fill=False, edgecolor=GREY, lw=0.8))
        for spine in ax.spines.values():
            spine.set_visible(False)  # the paper's own frame is drawn instead
        ax.set_xlim(-4.5, 31.5)
        ax.set_ylim(31.5, -4.5)
    ax_in.set_title("input I, read at the points q", fontsize=9)
    ax_out.set_title("output: I′[p] = I[q]", fontsize=9)
    return book_style(fig)
# --8<-- [end:plot_inverse_mapping]


# --8<-- [start:plot_gains]
def plot_gains(
    gains: Mapping[str, Sequence[float]], xlabel: str, fig: Figure | None = None
) -> Figure:
    """Horizontal bars: the mean of each entry's paired differences, in points, with its seeds.

    ``gains`` maps a name (top to bottom) to its differences from a baseline over the seeds
    ``(s,)``, as fractions (``0.012`` is 1.2 points); the bar is their mean, the error bar
    their sample standard deviation, and each seed is a dot on the bar.

    >>> f = plot_gains({"shift": [0.02, 0.01], "shear": [0.0, 0.004]}, "gain (points)")
    >>> [t.get_text() for t in f.axes[0].get_yticklabels()], f.axes[0].get_xlabel()
    (['shift', 'shear'], 'gain (points)')
    >>> plt.close(f)
    """
    names = list(gains)
    points = [100 * np.asarray(gains[n], dtype=float) for n in names]
    means = np.array([p.mean() for p in points])
    sds = np.array([p.std(ddof=1) if p.size > 1 else 0.0 for p in points])
    if fig is None:
        fig = plt.figure(figsize=(6.8, 0.45 * len(names) + 1.2))
    ax = fig.subplots()
    y = np.arange(len(names))
    ax.barh(y, means, xerr=sds, height=0.6, color=OKABE_ITO["sky_blue"], ecolor=GREY,
            capsize=3)
    for i, p in enumerate(points):
        ax.plot(p, np.full(p.size, i), linestyle="none", marker="o", markersize=3.5,
                markerfacecolor="none", markeredgecolor=GREY)
        ax.text(max(means[i] + sds[i], p.max(), 0) + 0.08, i, f"{means[i]:+.2f}",
                va="center", fontsize=8, color=GREY)
    ax.axvline(0, color=GREY, lw=0.8)
    ax.set_yticks(y, names)
    ax.set_ylim(len(names) - 0.4, -0.6)
    ax.set_xlabel(xlabel)
    ax.grid(True, axis="x", color=GREY, alpha=0.25)
    ax.set_xlim(right=max(float((means + sds).max()), 0) * 1.15 + 0.4)
    fig.tight_layout()
    return book_style(fig)
# --8<-- [end:plot_gains]


# --8<-- [start:plot_paired_runs]
def plot_paired_runs(
    runs: Mapping[str, Mapping[int, float]], ylabel: str, fig: Figure | None = None
) -> Figure:
    """Accuracies of a few configurations, seed by seed, the same seed joined by a line.

    ``runs`` maps a configuration's name (left to right) to ``{seed: accuracy}`` (fractions,
    drawn in %); a short bar marks each configuration's mean, also written under its name.
    Seeds are told apart by colour and marker, so a line that falls is a seed for which the
    change hurt.

    >>> f = plot_paired_runs({"a": {0: 0.95, 1: 0.96}, "b": {0: 0.97, 1: 0.965}}, "accuracy")
    >>> [line.get_label() for line in f.axes[0].lines][:2], f.axes[0].get_ylabel()
    (['seed 0', 'seed 1'], 'accuracy')
    >>> f.axes[0].get_xticklabels()[1].get_text().split()
    ['b', 'mean', '96.75']
    >>> plt.close(f)
    """
    names = list(runs)
    seeds = sorted({s for r in runs.values() for s in r})
    if fig is None:
        fig = plt.figure(figsize=(1.6 * len(names) + 2.2, 3.4))
    ax = fig.subplots()
    x = np.arange(len(names))
    for k, seed in enumerate(seeds):
        colour, marker = SEED_STYLES[k % len(SEED_STYLES)]
        ys = [100 * runs[n][seed] if seed in runs[n] else np.nan for n in names]
        ax.plot(x, ys, color=colour, marker=marker, lw=1.2, markersize=5, label=f"seed {seed}")
    means = [100 * float(np.mean(list(runs[n].values()))) for n in names]
    for i, mean in enumerate(means):
        ax.plot([i - 0.22, i + 0.22], [mean, mean], color=GREY, lw=2.5, solid_capstyle="butt")
    ax.set_xticks(x, [f"{n}\nmean {m:.2f}" for n, m in zip(names, means, strict=True)],
                  fontsize=8)
    ax.set_xlim(-0.5, len(names) - 0.5)
    ax.set_ylabel(ylabel)
    ax.grid(True, axis="y", color=GREY, alpha=0.25)
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    return book_style(fig)
# --8<-- [end:plot_paired_runs]


# --8<-- [start:plot_dropout]
def plot_dropout(
    A: np.ndarray, A_drop: np.ndarray, mask: np.ndarray, fig: Figure | None = None
) -> Figure:
    """A keep-mask and what it does: the mask, then each example's units before and after.

    ``A`` ``(n, m)`` are a hidden layer's activations, ``mask`` ``(n, m)`` the boolean
    keep-mask and ``A_drop`` ``(n, m)`` the dropped activations ``A · mask / (1 - p)``
    (``dropout.dropout_forward``). Left: the mask, unit down, example across, a kept unit
    filled. Then one panel per example: the units' activations before (outlined bars) and
    after (filled bars); a dropped unit is a cross at 0, a kept one is ``1/(1 - p)`` taller.

    >>> A = np.array([[1.0, 2.0], [3.0, 0.5]]); mask = np.array([[True, False], [True, True]])
    >>> f = plot_dropout(A, A * mask * 2, mask)
    >>> len(f.axes), f.axes[0].get_title()
    (3, 'keep-mask M')
    >>> plt.close(f)
    """
    A, A_drop, mask = np.asarray(A, float), np.asarray(A_drop, float), np.asarray(mask, bool)
    if not A.shape == A_drop.shape == mask.shape or A.ndim != 2:
        raise ValueError(f"A, A_drop and mask must be (n, m) alike: {A.shape}, {A_drop.shape}, "
                         f"{mask.shape}")
    (n, m), units = A.shape, np.arange(A.shape[0])
    if fig is None:
        fig = plt.figure(figsize=(2.0 + 2.1 * m, 3.0))
    axes = fig.subplots(1, m + 1, gridspec_kw={"width_ratios": [0.5 * m] + [1.0] * m})
    ax_mask, bars = axes[0], axes[1:]
    for (i, j), kept in np.ndenumerate(mask):
        ax_mask.add_patch(Rectangle((j + 0.1, i + 0.1), 0.8, 0.8, fill=bool(kept),
                                    facecolor=OKABE_ITO["blue"], lw=0.8,
                                    edgecolor=OKABE_ITO["blue"] if kept else GREY))
    ax_mask.set(xlim=(0, m), ylim=(n, 0), title="keep-mask M", xlabel="example")
    ax_mask.set_xticks(np.arange(m) + 0.5, [str(j) for j in range(m)])
    ax_mask.set_yticks(units + 0.5, [str(i) for i in units])
    ax_mask.set_ylabel("unit")
    kept = mask & (A != 0)
    factor = float(np.median(A_drop[kept] / A[kept])) if kept.any() else 1.0
    for j, ax in enumerate(bars):
        ax.bar(units, A[:, j], width=0.8, fill=False, edgecolor=GREY, lw=1, label="A (before)")
        ax.bar(units, A_drop[:, j], width=0.45, color=OKABE_ITO["blue"],
               label=f"after: kept ×{factor:g}")
        dropped = ~mask[:, j]
        ax.plot(units[dropped], np.zeros(dropped.sum()), linestyle="none", marker="x",
                color=OKABE_ITO["vermillion"], markersize=6, label="dropped")
        ax.set_xticks(units, [str(i) for i in units], fontsize=7)
        ax.set(title=f"example {j}", xlabel="unit")
        if j:
            ax.sharey(bars[0])
            ax.tick_params(labelleft=False)
    bars[0].set_ylim(0, 1.08 * max(A_drop.max(), A.max(), 1e-12))
    bars[0].set_ylabel("activation")
    bars[-1].legend(fontsize=7, loc="upper right")
    fig.tight_layout(pad=0.4)
    return book_style(fig)
# --8<-- [end:plot_dropout]
