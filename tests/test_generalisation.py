"""The results files of the generalisation runs: what wrote them, and a cheap re-check.

``docs/results/augmentation.json`` holds four parts (tune, kinds, final, each with its own
command); ``docs/results/fashion-mnist.json`` the Fashion-MNIST run. The file's check run
is repeated here; the commands are parsed with the parsers that ran them, and the numbers
the book reads are checked against the runs they summarise.
"""

import os
import shlex

import numpy as np
import pytest

from nnscratch import cli
from nnscratch.augment import Augmentation
from nnscratch.experiments import generalisation as g
from nnscratch.experiments import load_json
from nnscratch.training import AUGMENTED, TrainConfig

PREFIX = "python -m nnscratch.experiments.generalisation"


@pytest.fixture(scope="module")
def results():
    return load_json(g.RESULTS)


def _argv(command: str, prefix: str) -> list[str]:
    words = shlex.split(command)
    assert " ".join(words[: len(prefix.split())]) == prefix, command
    return words[len(prefix.split()):]


def test_every_part_names_the_command_that_wrote_it(results):
    assert results["commands"][0] == results["command"]
    for part in ("tune", "kinds", "final"):
        args = g.build_parser().parse_args(_argv(results[part]["command"], PREFIX))
        assert args.part == part
        assert results[part]["command"] in results["commands"]


def test_stored_check_run_is_reproduced(results):
    """The check run of ``kinds`` (2 epochs of the recipe's full augmentation), again; the
    same numbers up to the rounding of this machine's BLAS."""
    stored = results["kinds"]["check"]
    fresh = g.validation_run(g.check_task())
    assert fresh["curve"][-1][0] == stored["curve"][-1][0]
    assert abs(fresh["val_accuracy"] - stored["val_accuracy"]) <= 0.003
    assert abs(fresh["val_loss"] - stored["val_loss"]) <= 0.01


def test_tuning_tried_at_most_a_dozen_and_chose_the_recipe(results):
    tune = results["tune"]
    configs = tune["configs"]
    assert len(configs) <= 12
    chosen = next(c for c in configs if c["name"] == tune["chosen"])
    assert chosen["mean_val_accuracy"] == max(c["mean_val_accuracy"] for c in configs)
    for c in configs:
        assert c["mean_val_accuracy"] == pytest.approx(
            np.mean([r["val_accuracy"] for r in c["runs"]]), abs=1e-12)
        assert sorted(r["seed"] for r in c["runs"]) == list(g.SEEDS)
    # The defaults of --augment are the chosen configuration.
    config = TrainConfig.from_dict(chosen["config"])
    for name in cli.RECIPE:
        assert getattr(AUGMENTED, name) == getattr(config, name), name
    assert AUGMENTED.augment == config.augment and AUGMENTED.lr == config.lr


def test_kinds_are_the_recipe_s_distortions(results):
    kinds = {k["name"]: k for k in results["kinds"]["kinds"]}
    assert list(kinds) == list(g.kinds())
    for name, aug in g.kinds().items():
        recorded = kinds[name]["config"]["augment"]
        assert (None if recorded is None else Augmentation(**recorded)) == aug, name


def test_final_runs_are_the_documented_commands(results):
    final = results["final"]
    assert sorted((r["seed"], r["augment"]) for r in final["runs"]) == sorted(
        (s, a) for s in g.SEEDS for a in (True, False))
    for r in final["runs"]:
        args = cli.build_parser().parse_args(_argv(r["command"], "nnscratch"))
        assert args.command == "train" and args.augment == r["augment"] and args.seed == r["seed"]
        config = TrainConfig.from_dict(r["training"])
        assert config.augment == (AUGMENTED.augment if r["augment"] else None)
        assert config.hidden == AUGMENTED.hidden and config.epochs == AUGMENTED.epochs
        assert r["data"]["n_test"] == 3000 and r["data"]["split_seed"] == 0
    for key, augmented in (("augment", True), ("plain", False)):
        acc = [r["test_accuracy"] for r in final["runs"] if r["augment"] == augmented]
        assert final["summary"][key]["mean"] == pytest.approx(np.mean(acc), abs=1e-12)
        assert final["summary"][key]["min"] == min(acc)
    cost = final["epoch_cost"]
    assert cost["ratio"] == pytest.approx(cost["median"]["augment"] / cost["median"]["plain"])
    assert len(cost["seconds"]["plain"]) == cost["repeats"] * cost["epochs_per_repeat"]


def test_fashion_results_follow_the_scaling_rule():
    fashion = load_json(g.FASHION_RESULTS)
    assert fashion["commands"][0] == fashion["command"]
    args = g.build_parser().parse_args(_argv(fashion["command"], PREFIX))
    assert args.part == "fashion"
    part = fashion["fashion"]
    assert part["epochs"] == max(1, round(AUGMENTED.epochs * 7000 / part["m_train"]))
    train_args = cli.build_parser().parse_args(_argv(part["run"]["command"], "nnscratch"))
    assert train_args.augment and train_args.epochs == part["epochs"]
    assert train_args.test_fraction == 0 and part["n_test"] == 10000


@pytest.mark.skipif(not os.path.isdir(g.FASHION_FOLDER),
                    reason="Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)")
def test_fashion_folder_is_the_one_measured():
    from nnscratch.data import read_idx_folder

    part = load_json(g.FASHION_RESULTS)["fashion"]
    data = read_idx_folder(g.FASHION_FOLDER, "train")
    assert data.m == part["m_train"] and data.sha256 == part["run"]["data"]["sha256"]
