"""The book's functions drawn as curves and bars: softmax, cross-entropy, activations.

The values are computed by the library's own functions (``nnscratch.softmax``,
``nnscratch.loss``, ``nnscratch.activations``) in the caller; these functions only draw them.
"""

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from nnscratch.plots.style import GREY, OKABE_ITO, book_style

_COLOURS = [OKABE_ITO[c] for c in ("blue", "vermillion", "bluish_green", "orange")]


# --8<-- [start:plot_softmax_two_scores]
def plot_softmax_two_scores(
    d: np.ndarray, A: np.ndarray, slope: np.ndarray | None = None, fig: Figure | None = None
) -> Figure:
    """The two probabilities of a two-class softmax against the difference of the scores.

    ``d`` ``(n,)`` holds ``z_0 - z_1``; ``A`` ``(2, n)`` is ``softmax`` of the scores, one
    column per entry of ``d``. Both curves are logistic functions of ``d``. ``slope`` ``(n,)``,
    if given, is the Jacobian entry ``∂a_0/∂z_0 = a_0 (1 - a_0)``, drawn dotted.

    >>> d = np.linspace(-2.0, 2.0, 5)
    >>> a0 = 1 / (1 + np.exp(-d))
    >>> f = plot_softmax_two_scores(d, np.vstack([a0, 1 - a0]), slope=a0 * (1 - a0))
    >>> [line.get_label() for line in f.axes[0].lines][:3]
    ['$a_0$', '$a_1$', '$\\\\partial a_0 / \\\\partial z_0 = a_0(1 - a_0)$']
    >>> plt.close(f)
    """
    d, A = np.asarray(d, dtype=float), np.asarray(A, dtype=float)
    if d.ndim != 1 or A.shape != (2, d.size):
        raise ValueError(f"d must be (n,) and A (2, n), got {d.shape} and {A.shape}")
    if fig is None:
        fig = plt.figure(figsize=(6.4, 3.4))
    ax = fig.subplots()
    ax.plot(d, A[0], color=_COLOURS[0], lw=2, label="$a_0$")
    ax.plot(d, A[1], color=_COLOURS[1], lw=2, linestyle="--", label="$a_1$")
    if slope is not None:
        ax.plot(d, slope, color=_COLOURS[2], lw=1.5, linestyle=":",
                label=r"$\partial a_0 / \partial z_0 = a_0(1 - a_0)$")
    ax.axvline(0.0, color=GREY, lw=0.8, linestyle=":")
    ax.annotate(r"$z_0 = z_1$: both $\frac{1}{2}$", xy=(0.0, 0.5),
                xytext=(0.25 * float(d.max()), 0.5), va="center", color=GREY, fontsize=9,
                arrowprops={"arrowstyle": "-", "color": GREY, "lw": 0.8})
    ax.set_xlim(d.min(), d.max())
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlabel(r"score difference $z_0 - z_1$")
    ax.set_ylabel("probability")
    ax.set_title(r"$a = \mathrm{softmax}(z)$ of two scores")
    ax.grid(True, color=GREY, alpha=0.25)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=9)
    fig.tight_layout()
    return book_style(fig)
# --8<-- [end:plot_softmax_two_scores]


# --8<-- [start:plot_cross_entropy_curve]
def plot_cross_entropy_curve(
    p: np.ndarray,
    loss: np.ndarray,
    marks: Mapping[str, tuple[float, float]] | None = None,
    fig: Figure | None = None,
) -> Figure:
    """The loss of one example, ``ℓ = -log a_y``, against ``a_y``, the true class's probability.

    ``p`` and ``loss`` have shape ``(n,)``: ``loss[i]`` is the cross-entropy of a prediction
    that gives ``p[i]`` to the true class. ``marks`` maps a label to a point ``(p, loss)`` to
    pick out, e.g. the loss of a uniform guess.

    >>> p = np.linspace(0.1, 1.0, 10)
    >>> f = plot_cross_entropy_curve(p, -np.log(p), marks={"guess": (0.5, float(np.log(2)))})
    >>> f.axes[0].get_xlabel(), [t.get_text() for t in f.axes[0].texts]
    ('$a_y$, the probability given to the true class', ['guess'])
    >>> plt.close(f)
    """
    p, loss = np.asarray(p, dtype=float), np.asarray(loss, dtype=float)
    if p.ndim != 1 or loss.shape != p.shape:
        raise ValueError(f"p and loss must both be (n,), got {p.shape} and {loss.shape}")
    if fig is None:
        fig = plt.figure(figsize=(6.4, 3.4))
    ax = fig.subplots()
    ax.plot(p, loss, color=_COLOURS[0], lw=2, label=r"$\ell = -\log a_y$")
    for (label, (px, py)), colour in zip((marks or {}).items(), _COLOURS[1:] * 4, strict=False):
        ax.plot([px], [py], marker="o", markersize=6, linestyle="None", color=colour)
        right = px > 0.5 * float(p.max())
        ax.annotate(label, xy=(px, py), xytext=(-4, 26) if right else (8, 8),
                    textcoords="offset points", ha="right" if right else "left",
                    color=GREY, fontsize=9)
    ax.set_xlim(0.0, 1.03 * float(p.max()))
    ax.set_ylim(-0.04 * float(loss.max()), float(loss.max()) * 1.05)
    ax.set_xlabel("$a_y$, the probability given to the true class")
    ax.set_ylabel(r"loss $\ell$")
    ax.set_title("cross-entropy of one example")
    ax.grid(True, color=GREY, alpha=0.25)
    fig.tight_layout()
    return book_style(fig)
# --8<-- [end:plot_cross_entropy_curve]


# --8<-- [start:plot_class_bars]
def plot_class_bars(
    columns: Mapping[str, np.ndarray], true_class: int | None = None, fig: Figure | None = None
) -> Figure:
    """One bar chart per named column of ``K`` classes, side by side on one vertical scale.

    Each value of ``columns`` is a ``(K,)`` or ``(K, 1)`` column (e.g. ``A``, ``Y`` and
    ``A - Y`` of one example); its name is the panel's title. ``true_class``, if given, is
    outlined in every panel and its tick label is drawn bold.

    >>> a = np.full(3, 1 / 3); y = np.eye(3)[1]
    >>> f = plot_class_bars({"A": a, "Y": y, "A - Y": a - y}, true_class=1)
    >>> [ax.get_title() for ax in f.axes], len(f.axes[2].patches)
    (['A', 'Y', 'A - Y'], 3)
    >>> plt.close(f)
    """
    values = {name: np.asarray(v, dtype=float).reshape(-1) for name, v in columns.items()}
    k = {v.size for v in values.values()}
    if len(k) != 1:
        raise ValueError(f"every column must have the same number of classes, got {sorted(k)}")
    classes = np.arange(k.pop())
    low = min(0.0, *(float(v.min()) for v in values.values()))
    high = max(0.0, *(float(v.max()) for v in values.values()))
    if fig is None:
        fig = plt.figure(figsize=(3.0 * len(values) + 0.4, 2.9))
    axes = fig.subplots(1, len(values), sharey=True, squeeze=False)[0]
    for ax, (name, v), colour in zip(axes, values.items(), _COLOURS * 2, strict=False):
        bars = ax.bar(classes, v, width=0.7, color=colour)
        ax.axhline(0.0, color=GREY, lw=0.8)
        ax.set_xticks(classes, [str(c) for c in classes])
        if true_class is not None:
            bars[true_class].set_edgecolor(GREY)
            bars[true_class].set_linewidth(1.5)
            ax.get_xticklabels()[true_class].set_fontweight("bold")
        ax.set_xlabel("class $k$")
        ax.set_title(name, fontsize=10)
        ax.grid(True, axis="y", color=GREY, alpha=0.25)
    pad = 0.06 * (high - low or 1.0)
    axes[0].set_ylim(low - pad, high + pad)
    fig.tight_layout()
    return book_style(fig)
# --8<-- [end:plot_class_bars]


# --8<-- [start:plot_activations]
def plot_activations(
    z: np.ndarray,
    curves: Mapping[str, tuple[np.ndarray, np.ndarray, float]],
    fig: Figure | None = None,
) -> Figure:
    """Activations (top row) above their derivatives (bottom row), one column each.

    ``z`` ``(n,)`` is an increasing grid of pre-activations; ``curves`` maps a name to
    ``(g(z), g'(z), s0)``: the function and its slope on the grid (both ``(n,)``) and ``s0``,
    the slope the code takes at exactly ``z = 0``. The slope is drawn as a step: its two
    sides end in open circles at 0, and a filled dot marks ``s0``.

    >>> z = np.linspace(-1.0, 1.0, 5)
    >>> f = plot_activations(z, {"relu": (np.maximum(z, 0), (z > 0) * 1.0, 0.0)})
    >>> [ax.get_title() for ax in f.axes], f.axes[1].texts[0].get_text()
    (['relu', "relu'"], "relu'(0) := 0")
    >>> plt.close(f)
    """
    z = np.asarray(z, dtype=float)
    if fig is None:
        fig = plt.figure(figsize=(3.6 * len(curves) + 0.4, 5.0))
    axes = fig.subplots(2, len(curves), sharex=True, squeeze=False)
    left, right = z < 0, z > 0
    for col, ((name, (g, slope, s0)), colour) in enumerate(zip(curves.items(), _COLOURS,
                                                                   strict=False)):
        g, slope = np.asarray(g, dtype=float), np.asarray(slope, dtype=float)
        ax_g, ax_d = axes[0, col], axes[1, col]
        ax_g.plot(z, g, color=colour, lw=2)
        ax_g.set_title(name, fontsize=10)
        ax_d.plot(z[left], slope[left], color=colour, lw=2)
        ax_d.plot(z[right], slope[right], color=colour, lw=2)
        ends = [float(slope[left][-1]), float(slope[right][0])]
        ax_d.plot([0.0, 0.0], ends, marker="o", markersize=7, markerfacecolor="none",
                  linestyle="None", color=colour)
        ax_d.plot([0.0], [s0], marker="o", markersize=7, linestyle="None", color=colour)
        ax_d.annotate(f"{name}'(0) := {s0:g}", xy=(0.0, s0), xytext=(10, 12),
                      textcoords="offset points", color=GREY, fontsize=9,
                      arrowprops={"arrowstyle": "-", "color": GREY, "lw": 0.8})
        ax_d.set_title(f"{name}'", fontsize=10)
        ax_d.set_xlabel("$z$")
        ax_d.set_ylim(-0.15, 1.25)
        for ax in (ax_g, ax_d):
            ax.axvline(0.0, color=GREY, lw=0.8, linestyle=":")
            ax.grid(True, color=GREY, alpha=0.25)
    axes[0, 0].set_ylabel("$g(z)$")
    axes[1, 0].set_ylabel("$g'(z)$")
    fig.tight_layout()
    return book_style(fig)
# --8<-- [end:plot_activations]
