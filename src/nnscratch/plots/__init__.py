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
* ``generalisation.py``: :func:`plot_inverse_mapping`, :func:`plot_gains`,
  :func:`plot_paired_runs`, :func:`plot_dropout`, the augmentation and dropout chapters;
* ``evaluation.py``: :func:`plot_confusion`, :func:`plot_mistakes`, :func:`plot_weights`,
  the evaluation chapter.
"""

# --8<-- [start:imports]
from nnscratch.plots.curves import plot_history, plot_loss_agreement
from nnscratch.plots.digits import INK, draw_digit, plot_digits, plot_one_hot, plot_variants
from nnscratch.plots.evaluation import plot_confusion, plot_mistakes, plot_weights
from nnscratch.plots.generalisation import (
    plot_dropout,
    plot_gains,
    plot_inverse_mapping,
    plot_paired_runs,
)
from nnscratch.plots.show import figure_html, show
from nnscratch.plots.style import BACKGROUNDS, GREY, OKABE_ITO, book_style, contrast_ratio

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
    "plot_confusion",
    "plot_digits",
    "plot_dropout",
    "plot_gains",
    "plot_history",
    "plot_inverse_mapping",
    "plot_loss_agreement",
    "plot_mistakes",
    "plot_one_hot",
    "plot_paired_runs",
    "plot_variants",
    "plot_weights",
    "show",
]
