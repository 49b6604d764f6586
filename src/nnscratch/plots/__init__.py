"""Figures for the book, one small module per kind of figure.

Only this package imports matplotlib; the math core never does. Every figure has a
transparent background and mid-grey text and axes, so it reads on the book's light and
dark palettes alike, and its lines use the colour-blind-safe Okabe–Ito palette
(``style.py``). Every drawing function takes the data (in the book's layout: ``X`` is
``(784, m)``) and an optional ``fig`` to draw into, and returns the figure.

* ``style.py``: the palette and :func:`book_style`, which every figure ends with;
* ``show.py``: :func:`show` and :func:`figure_html`, a figure on a page with its alt text;
* ``digits.py``: :func:`plot_digits`, :func:`plot_variants`, :func:`plot_one_hot`, digits
  drawn back as pictures (in ink on the page, by :func:`draw_digit`);
* ``curves.py``: :func:`plot_history`, :func:`plot_loss_agreement`, training curves;
* ``graph.py``: :func:`plot_network_graph`, the network as a computational graph, forward or
  backward, from any layer sizes;
* ``functions.py``: :func:`plot_softmax_two_scores`, :func:`plot_cross_entropy_curve`,
  :func:`plot_class_bars`, :func:`plot_activations`, the book's functions as curves and bars;
* ``checks.py``: :func:`plot_gradcheck_errors`, :func:`plot_layer_stds`, derivations checked
  by measurement;
* ``evaluation.py``: :func:`plot_confusion`, :func:`plot_mistakes`, :func:`plot_weights`,
  the evaluation chapter;
* ``generalisation.py``: :func:`plot_inverse_mapping`, :func:`plot_gains`,
  :func:`plot_paired_runs`, :func:`plot_dropout`, the augmentation and dropout chapters;
* ``sweeps.py``: :func:`plot_runs`, :func:`plot_l2_sweep`, :func:`plot_weight_histograms`,
  :func:`plot_lr_sweep`, runs compared and sweeps drawn from their results files;
* ``results.py``: :func:`plot_fix_effects`, :func:`plot_reproduction`, :func:`plot_bench`,
  :func:`plot_accuracies`, :func:`plot_run_curves`: the results pages' figures, from the
  loaded results files.
"""

# --8<-- [start:imports]
from nnscratch.plots.checks import plot_gradcheck_errors, plot_layer_stds
from nnscratch.plots.curves import plot_history, plot_loss_agreement
from nnscratch.plots.digits import INK, draw_digit, plot_digits, plot_one_hot, plot_variants
from nnscratch.plots.evaluation import plot_confusion, plot_mistakes, plot_weights
from nnscratch.plots.functions import (
    plot_activations,
    plot_class_bars,
    plot_cross_entropy_curve,
    plot_softmax_two_scores,
)
from nnscratch.plots.generalisation import (
    plot_dropout,
    plot_gains,
    plot_inverse_mapping,
    plot_paired_runs,
)
from nnscratch.plots.graph import plot_network_graph
from nnscratch.plots.results import (
    plot_accuracies,
    plot_bench,
    plot_fix_effects,
    plot_reproduction,
    plot_run_curves,
)
from nnscratch.plots.show import figure_html, show
from nnscratch.plots.style import BACKGROUNDS, GREY, OKABE_ITO, book_style, contrast_ratio
from nnscratch.plots.sweeps import plot_l2_sweep, plot_lr_sweep, plot_runs, plot_weight_histograms

# --8<-- [end:imports]

__all__ = [
    "BACKGROUNDS",
    "GREY",
    "INK",
    "OKABE_ITO",
    "book_style",
    "contrast_ratio",
    "draw_digit",
    "figure_html",
    "plot_accuracies",
    "plot_activations",
    "plot_bench",
    "plot_class_bars",
    "plot_confusion",
    "plot_cross_entropy_curve",
    "plot_digits",
    "plot_dropout",
    "plot_fix_effects",
    "plot_gains",
    "plot_gradcheck_errors",
    "plot_history",
    "plot_inverse_mapping",
    "plot_l2_sweep",
    "plot_layer_stds",
    "plot_loss_agreement",
    "plot_lr_sweep",
    "plot_mistakes",
    "plot_network_graph",
    "plot_one_hot",
    "plot_paired_runs",
    "plot_reproduction",
    "plot_run_curves",
    "plot_runs",
    "plot_softmax_two_scores",
    "plot_variants",
    "plot_weight_histograms",
    "plot_weights",
    "show",
]
