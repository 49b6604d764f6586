"""The dropout chapter's figures: keep-masks over a small hidden layer, and validation
accuracy with and without dropout (``docs/results/augmentation.json``, the tuning runs)."""

import json
from pathlib import Path

import numpy as np

from nnscratch.activations import relu
from nnscratch.data import load_sample
from nnscratch.dropout import dropout_forward
from nnscratch.initialization import he_init
from nnscratch.plots import plot_dropout, plot_paired_runs

RESULTS = Path(__file__).resolve().parents[1] / "results" / "augmentation.json"
# The tuning runs (stage 2) that differ in dropout alone, or in dropout and the epochs.
COMPARED = ["512-256, 60 epochs", "512-256, 60 epochs, dropout 0.2",
            "512-256, 120 epochs, dropout 0.2"]


def masks():
    """Dropout with p = 1/2 after a He-initialised ReLU layer, on 4 digits of the sample.

    Of the layer's 64 units, the 8 active on most of the 4 digits are drawn (a ReLU unit
    that outputs 0 looks the same dropped or kept).
    """
    params = he_init([784, 64, 10], np.random.default_rng(0))
    X = load_sample().X[:, :4]                                      # (784, 4)
    A_all = relu(params["W1"] @ X + params["b1"])                   # (64, 4)
    A = A_all[np.sort(np.argsort(-(A_all > 0).sum(axis=1), kind="stable")[:8])]   # (8, 4)
    A_drop, mask = dropout_forward(A, 0.5, np.random.default_rng(1))
    return plot_dropout(A, A_drop, mask)


def validation():
    """Validation accuracy of each seed, with and without dropout, from the tuning runs."""
    configs = json.loads(RESULTS.read_text(encoding="utf-8"))["tune"]["configs"]
    by_name = {c["name"]: c for c in configs}
    runs = {name.replace(", ", "\n"): {r["seed"]: r["val_accuracy"] for r in by_name[name]["runs"]}
            for name in COMPARED}
    return plot_paired_runs(runs, "validation accuracy (%)")


FIGURES = {"dropout-masks": masks, "dropout-validation": validation}

