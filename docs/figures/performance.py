"""The performance chapter's figure: seconds per epoch, from ``docs/results/bench.json``."""

from nnscratch.experiments.bench import load_results
from nnscratch.plots import plot_bench


def seconds_per_epoch():
    return plot_bench(load_results())


FIGURES = {"performance-seconds-per-epoch": seconds_per_epoch}
