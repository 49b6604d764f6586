"""The training chapter's figure, drawn from ``docs/results/lr-sweep.json``.

That file is written by ``python -m nnscratch.experiments.sweeps lr`` (too slow for the
build: it trains the chapter's network for every optimizer, learning rate and seed); this
function only reads it.
"""

from nnscratch.experiments import load_json, results_path
from nnscratch.plots import plot_lr_sweep


def lr_sweep():
    return plot_lr_sweep(load_json(results_path("lr-sweep.json")), optimizer="gd")


FIGURES = {"training-lr-sweep": lr_sweep}
