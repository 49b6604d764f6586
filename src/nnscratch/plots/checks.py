"""Derivations checked by measurement: a gradient check's error, activations through depth.

A gradient check compares the derived gradient with finite differences at many steps; an
initialisation's variance argument predicts how the activations' spread changes from layer
to layer. Both are drawn on log scales, where the predicted powers are straight lines.
"""

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from nnscratch.plots.style import GREY, OKABE_ITO, book_style

# One look per line, so that lines stay apart in grey print and for colour-blind readers.
_LOOKS = [
    (OKABE_ITO["blue"], "-", "o"),
    (OKABE_ITO["orange"], "--", "s"),
    (OKABE_ITO["bluish_green"], "-.", "^"),
    (OKABE_ITO["vermillion"], ":", "D"),
]


# --8<-- [start:plot_gradcheck_errors]
def plot_gradcheck_errors(
    steps: Sequence[float] | np.ndarray,
    errors: Mapping[str, Sequence[float]],
    bound: float = 1e-7,
    step: float = 1e-6,
    title: str = "",
    fig: Figure | None = None,
) -> Figure:
    """Relative error of a gradient check against the finite-difference step, log-log.

    ``steps`` ``(n,)`` are the steps ``ε``; ``errors`` maps a name (e.g. a dtype) to its
    ``n`` relative errors, one per step. The x axis runs from large steps to small, the
    ``bound`` the check demands is dotted and the default ``step`` marked.

    >>> f = plot_gradcheck_errors([1e-2, 1e-4, 1e-6], {"float64": [1e-5, 1e-9, 1e-8]})
    >>> ax = f.axes[0]
    >>> ax.get_xscale(), ax.get_yscale(), [line.get_label() for line in ax.lines]
    ('log', 'log', ['float64', 'bound 1e-7', 'step 1e-6'])
    >>> plt.close(f)
    """
    steps = np.asarray(steps, dtype=float)
    if any(len(e) != steps.size for e in errors.values()):
        raise ValueError(f"every run needs one error per step ({steps.size})")
    if fig is None:
        fig = plt.figure(figsize=(6.4, 3.6))
    ax = fig.subplots()
    for (name, errs), (colour, line, marker) in zip(errors.items(), _LOOKS * 2, strict=False):
        ax.loglog(steps, errs, color=colour, linestyle=line, marker=marker, markersize=3,
                  label=name)
    def short(x: float) -> str:
        return f"{x:.0e}".replace("e-0", "e-").replace("e+0", "e")

    ax.axhline(bound, color=GREY, linestyle=":", label=f"bound {short(bound)}")
    ax.axvline(step, color=OKABE_ITO["bluish_green"], linestyle="-.", label=f"step {short(step)}")
    ax.invert_xaxis()
    ax.set_xlabel(r"finite-difference step $\varepsilon$")
    ax.set_ylabel("relative error")
    ax.set_title(title)
    ax.grid(True, color=GREY, alpha=0.25)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return book_style(fig)
# --8<-- [end:plot_gradcheck_errors]


# --8<-- [start:plot_layer_stds]
def plot_layer_stds(
    stds: Mapping[str, Sequence[float]], title: str = "", fig: Figure | None = None
) -> Figure:
    """The standard deviation of ``A[l]`` against the layer ``l = 1, ..., L``, log scale.

    ``stds`` maps a name (e.g. an initialisation) to its ``L`` standard deviations, one
    per layer. A constant gain per layer is a straight line; a gain of 1 is flat.

    >>> f = plot_layer_stds({"He": [0.3, 0.3, 0.3], "too small": [0.2, 0.1, 0.05]})
    >>> f.axes[0].get_yscale(), [t.get_text() for t in f.axes[0].get_legend().get_texts()]
    ('log', ['He', 'too small'])
    >>> plt.close(f)
    """
    depth = {len(s) for s in stds.values()}
    if len(depth) != 1:
        raise ValueError(f"every run needs one value per layer, got lengths {sorted(depth)}")
    layers = np.arange(1, depth.pop() + 1)
    if fig is None:
        fig = plt.figure(figsize=(7, 4))
    ax = fig.subplots()
    for (name, s), (colour, line, marker) in zip(stds.items(), _LOOKS * 2, strict=False):
        ax.semilogy(layers, s, color=colour, linestyle=line, marker=marker, markersize=5,
                    linewidth=2, label=name)
    ax.set_xlabel("layer $l$")
    ax.set_ylabel("standard deviation of $A^{[l]}$")
    ax.set_title(title)
    ax.set_xticks(layers)
    ax.grid(True, which="major", color=GREY, alpha=0.25)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.tight_layout()
    return book_style(fig)
# --8<-- [end:plot_layer_stds]
