"""Runs compared: learning curves side by side, and sweeps of λ or of the learning rate.

The sweep functions take a results file of ``python -m nnscratch.experiments.sweeps`` as
loaded (a dict; each function's docstring names the keys it reads), so that a chapter's
figure is drawn from the stored numbers without training anything.
"""

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from nnscratch.plots.style import GREY, OKABE_ITO, book_style

COLOURS = [OKABE_ITO[c] for c in ("blue", "vermillion", "bluish_green", "orange",
                                  "reddish_purple", "sky_blue")] + [GREY]
LINES = ["-", "--", "-.", ":"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X"]
NAMES = {"gd": "mini-batch SGD", "momentum": "momentum", "adam": "Adam"}


def _style(i: int) -> dict:
    """Colour, line style and marker of the ``i``-th run: apart in greyscale too."""
    return {"color": COLOURS[i % len(COLOURS)], "linestyle": LINES[i % len(LINES)],
            "marker": MARKERS[i % len(MARKERS)], "markersize": 4, "linewidth": 1.8}


def _finish(fig: Figure) -> Figure:
    for ax in fig.axes:
        ax.grid(True, color=GREY, alpha=0.25)
    fig.tight_layout()
    return book_style(fig)


# --8<-- [start:plot_runs]
def plot_runs(histories: Mapping[str, Sequence[Mapping[str, float]]],
              fig: Figure | None = None) -> Figure:
    """Learning curves of several runs on shared axes: training loss (left) and test
    accuracy (right) per epoch, each run with its own colour, line style and marker.

    ``histories`` maps a run's name (the legend) to its ``train`` history: one dict per
    epoch with the keys ``epoch``, ``loss`` and ``test_accuracy``.

    >>> h = [{"epoch": e, "loss": 1 / e, "test_accuracy": 0.5 + e / 10} for e in (1, 2, 3)]
    >>> f = plot_runs({"GD": h, "Adam": h})
    >>> [ax.get_ylabel() for ax in f.axes], [t.get_text() for t in f.axes[1].get_legend().texts]
    (['training loss', 'test accuracy'], ['GD', 'Adam'])
    >>> plt.close(f)
    """
    if fig is None:
        fig = plt.figure(figsize=(9, 3.4))
    ax_loss, ax_acc = fig.subplots(1, 2)
    for i, (name, history) in enumerate(histories.items()):
        epochs = [row["epoch"] for row in history]
        ax_loss.plot(epochs, [row["loss"] for row in history], label=name, **_style(i))
        ax_acc.plot(epochs, [row["test_accuracy"] for row in history], label=name, **_style(i))
    ax_loss.set(xlabel="epoch", ylabel="training loss", title="cross-entropy (train)")
    ax_acc.set(xlabel="epoch", ylabel="test accuracy", title="accuracy (test)")
    ax_acc.legend(loc="lower right", fontsize=8)
    return _finish(fig)
# --8<-- [end:plot_runs]


def _by_lam(sweep: Mapping) -> dict[float, Mapping]:
    return {entry["lam"]: entry for entry in sweep["summary"]}


# --8<-- [start:plot_l2_sweep]
def plot_l2_sweep(sweep: Mapping, fig: Figure | None = None) -> Figure:
    """Train and validation accuracy (left) and validation cross-entropy (right) against λ.

    Reads ``sweep["summary"]``: one entry per λ with the means over seeds ``train_accuracy``,
    ``val_accuracy``, ``val_loss`` and their ``*_sd`` (drawn as error bars), and
    ``sweep["chosen"]["lam"]``, marked on the right. λ is on a log axis; λ = 0, which a log
    axis has no place for, is drawn as a dotted horizontal line of the same colour.

    >>> s = {"summary": [{"lam": lam, "train_accuracy": 1 - lam / 100, "train_accuracy_sd": 0,
    ...                   "val_accuracy": 0.9, "val_accuracy_sd": 0.01, "val_loss": 0.4,
    ...                   "val_loss_sd": 0.01} for lam in (0.0, 1.0, 10.0)],
    ...      "chosen": {"lam": 1.0}}
    >>> f = plot_l2_sweep(s)
    >>> [ax.get_xscale() for ax in f.axes], f.axes[0].get_legend().texts[0].get_text()
    (['log', 'log'], 'train')
    >>> plt.close(f)
    """
    entries = _by_lam(sweep)
    lams = sorted(lam for lam in entries if lam > 0)
    if fig is None:
        fig = plt.figure(figsize=(9, 3.4))
    ax_acc, ax_loss = fig.subplots(1, 2)
    panels = [(ax_acc, "train_accuracy", "train", 0), (ax_acc, "val_accuracy", "validation", 1),
              (ax_loss, "val_loss", "validation", 1)]
    for ax, key, label, i in panels:
        ys = [entries[lam][key] for lam in lams]
        ax.errorbar(lams, ys, yerr=[entries[lam][key + "_sd"] for lam in lams], label=label,
                    capsize=2, **_style(i))
        if 0.0 in entries:
            ax.axhline(entries[0.0][key], color=COLOURS[i], linestyle=":", linewidth=1.5,
                       label=f"{label}, λ = 0")
    chosen = sweep["chosen"]["lam"]
    ax_loss.axvline(chosen, color=GREY, linestyle="--", linewidth=1.2,
                    label=f"chosen λ = {chosen:g}")
    for ax, ylabel, title in ((ax_acc, "accuracy", "accuracy after training"),
                              (ax_loss, "cross-entropy", "validation cross-entropy")):
        ax.set(xscale="log", xlabel="λ (log scale)", ylabel=ylabel, title=title)
        handles, labels = ax.get_legend_handles_labels()   # the sweep first, then λ = 0
        order = sorted(range(len(labels)), key=lambda j: "λ = 0" in labels[j])
        ax.legend([handles[j] for j in order], [labels[j] for j in order], fontsize=8)
    return _finish(fig)
# --8<-- [end:plot_l2_sweep]


# --8<-- [start:plot_weight_histograms]
def plot_weight_histograms(sweep: Mapping, lams: Sequence[float],
                           fig: Figure | None = None) -> Figure:
    """The distribution of the first layer's weights after training with each λ of ``lams``,
    beside the He initialisation they all started from (grey), on a log count axis.

    Reads ``sweep["hist_edges"]`` (bin edges), ``sweep["init_W1_histogram"]`` and, for each
    λ, ``W1_histogram`` and ``norm`` (of all weights, mean over seeds) of its entry in
    ``sweep["summary"]``.

    >>> s = {"hist_edges": [-1, 0, 1], "init_W1_histogram": [5, 5],
    ...      "summary": [{"lam": 0.0, "W1_histogram": [4, 6], "norm": 3.0}]}
    >>> f = plot_weight_histograms(s, [0.0])
    >>> [t.get_text() for t in f.axes[0].get_legend().texts]
    ['initialisation', 'λ = 0 (‖W‖ = 3.0)']
    >>> plt.close(f)
    """
    entries = _by_lam(sweep)
    edges = np.asarray(sweep["hist_edges"], dtype=float)
    if fig is None:
        fig = plt.figure(figsize=(7, 3.6))
    ax = fig.subplots()
    ax.stairs(sweep["init_W1_histogram"], edges, color=GREY, linewidth=1.5, linestyle=":",
              label="initialisation")
    for i, lam in enumerate(lams):
        style = _style(i)
        ax.stairs(entries[lam]["W1_histogram"], edges, color=style["color"],
                  linestyle=style["linestyle"], linewidth=1.8,
                  label=f"λ = {lam:g} (‖W‖ = {entries[lam]['norm']:.1f})")
    ax.set(yscale="log", xlabel="weight value", ylabel="number of weights (log scale)",
           title="first-layer weights after training")
    ax.legend(fontsize=8)
    return _finish(fig)
# --8<-- [end:plot_weight_histograms]


# --8<-- [start:plot_lr_sweep]
def plot_lr_sweep(sweep: Mapping, optimizer: str = "gd", fig: Figure | None = None) -> Figure:
    """Left: the training loss per epoch of ``optimizer`` for each learning rate (a run that
    diverged ends with ×). Right: the final validation accuracy against the learning rate, on
    a log axis, one line per optimizer (rates where a seed diverged are left out).

    Reads ``sweep["summary"]``: one entry per (``optimizer``, ``lr``) with ``mean_loss`` (per
    epoch, mean over seeds), ``diverged``, ``val_accuracy`` and ``val_accuracy_sd``.

    >>> s = {"summary": [{"optimizer": "gd", "lr": lr, "mean_loss": [1.0, 0.5],
    ...                   "diverged": lr > 1, "val_accuracy": None if lr > 1 else 0.9,
    ...                   "val_accuracy_sd": None if lr > 1 else 0.01} for lr in (0.1, 1, 10)]}
    >>> f = plot_lr_sweep(s)
    >>> [ax.get_xscale() for ax in f.axes], f.axes[1].lines[0].get_xdata().tolist()
    (['linear', 'log'], [0.1, 1])
    >>> plt.close(f)
    """
    if fig is None:
        fig = plt.figure(figsize=(9, 3.6))
    ax_loss, ax_acc = fig.subplots(1, 2)
    mine = [e for e in sweep["summary"] if e["optimizer"] == optimizer]
    for i, entry in enumerate(mine):
        epochs = np.arange(1, len(entry["mean_loss"]) + 1)
        ax_loss.plot(epochs, entry["mean_loss"], label=f"η = {entry['lr']:g}", **_style(i))
        if entry["diverged"] and len(epochs):
            ax_loss.plot(epochs[-1], entry["mean_loss"][-1], marker="x", markersize=9,
                         color=COLOURS[i % len(COLOURS)], linestyle="none")
    ax_loss.set(yscale="log", xlabel="epoch", ylabel="training loss (log scale)",
                title=f"loss per epoch, {NAMES.get(optimizer, optimizer)}")
    ax_loss.legend(fontsize=7, ncol=2)
    for i, name in enumerate(dict.fromkeys(e["optimizer"] for e in sweep["summary"])):
        done = [e for e in sweep["summary"] if e["optimizer"] == name and not e["diverged"]]
        ax_acc.errorbar([e["lr"] for e in done], [e["val_accuracy"] for e in done],
                        yerr=[e["val_accuracy_sd"] for e in done], capsize=2,
                        label=NAMES.get(name, name), **_style(i))
    ax_acc.set(xscale="log", xlabel="learning rate η (log scale)",
               ylabel="validation accuracy", title="after the last epoch")
    ax_acc.legend(fontsize=8)
    return _finish(fig)
# --8<-- [end:plot_lr_sweep]
