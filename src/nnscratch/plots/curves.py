"""Training curves: loss and accuracy against the epoch, and runs compared step by step."""

# --8<-- [start:imports]
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from nnscratch.plots.style import GREY, OKABE_ITO, book_style

# --8<-- [end:imports]


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
    return book_style(fig)
# --8<-- [end:plot_history]


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
    return book_style(fig)
# --8<-- [end:plot_loss_agreement]
