"""The reproduction's figure: the notebook's printed curve and stated figures beside the
reproduction's runs, from ``docs/results/notebook.json`` and ``docs/results/errata.json``."""

from nnscratch.experiments import load_json, results_path
from nnscratch.experiments.errata import load_results
from nnscratch.plots import plot_reproduction


def training_curves():
    return plot_reproduction(load_json(results_path("notebook.json")), load_results())


FIGURES = {"notebook-training-curves": training_curves}
