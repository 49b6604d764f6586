"""The L2 chapter's figures, drawn from ``docs/results/l2-sweep.json``.

That file is written by ``python -m nnscratch.experiments.sweeps l2`` (too slow for the
build: it trains the chapter's network for every λ and seed); these functions only read it.
"""

from nnscratch.experiments import load_json, results_path
from nnscratch.plots import plot_l2_sweep, plot_weight_histograms


def sweep() -> dict:
    return load_json(results_path("l2-sweep.json"))


def weights():
    results = sweep()
    return plot_weight_histograms(results, [0.0, results["chosen"]["lam"], max(results["lambdas"])])


def accuracy():
    return plot_l2_sweep(sweep())


FIGURES = {"l2-weights": weights, "l2-sweep": accuracy}
