"""The sweep results files (docs/results/l2-sweep.json, lr-sweep.json): a cheap re-check.

Each file stores a check run, one point of its sweep; here it is trained again (one run of
about a second or a few) and must give the stored numbers within bounds that allow for
another CPU's rounding: the runs are in float64, so two machines differ only in the last
bits of their matrix products, which can move a validation digit or two across a decision
boundary. The bounds: 2 of the 1,400 validation digits (and 2 of the 1,000 or 5,600
training digits), 0.002 in a cross-entropy, 0.1 % in a weight norm. The commands are parsed
with the parser that ran them, and what the chapters read (the summaries, the chosen λ, the
best learning rates) is checked against the runs it summarises.
"""

import shlex

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from nnscratch.experiments import load_json
from nnscratch.experiments import sweeps as s

VAL_DIGITS = 1400
ACCURACY_SLACK = 2.5 / VAL_DIGITS   # two digits (and a little for the float comparison)
LOSS_SLACK = 0.002


@pytest.fixture(scope="module")
def l2():
    return load_json(s.RESULTS["l2"])


@pytest.fixture(scope="module")
def lr():
    return load_json(s.RESULTS["lr"])


def _args(command: str):
    words = shlex.split(command)
    assert words[:3] == s.PROG.split(), command
    return s.build_parser().parse_args(words[3:])


def test_commands_parse_and_match_the_files(l2, lr):
    assert _args(l2["command"]).sweep == "l2" and _args(lr["command"]).sweep == "lr"
    assert l2["lambdas"] == list(s.LAMBDAS) and l2["recipe"] == s.L2_RECIPE.to_dict()
    assert l2["hist_edges"] == s.HIST_EDGES.tolist() and l2["train_size"] == s.L2_TRAIN_SIZE
    assert lr["learning_rates"] == {k: list(v) for k, v in s.LEARNING_RATES.items()}
    assert lr["recipe"] == s.LR_RECIPE.to_dict()
    for results in (l2, lr):
        assert results["split"] == s.SPLIT and results["seeds"] == list(s.SEEDS)
        assert results["machine"]["blas_threads"] == 1


def test_l2_check_run_is_reproduced(l2):
    """The stored check run (λ = 10, seed 0: 40 epochs on 1,000 digits), trained again."""
    stored = l2["check"]
    assert {"lam": stored["lam"], "seed": stored["seed"]} == s.CHECK["l2"]
    with threadpool_limits(limits=1, user_api="blas"):
        fresh = s.l2_run(stored["lam"], stored["seed"])
    assert abs(fresh["val_accuracy"] - stored["val_accuracy"]) <= ACCURACY_SLACK
    assert abs(fresh["train_accuracy"] - stored["train_accuracy"]) <= 2.5 / s.L2_TRAIN_SIZE
    assert abs(fresh["val_loss"] - stored["val_loss"]) <= LOSS_SLACK
    for key, norm in stored["norms"].items():
        assert fresh["norms"][key] == pytest.approx(norm, rel=1e-3), key
    # The check is the sweep's own point: the same command trained it twice, identically.
    (twin,) = [r for r in l2["runs"] if (r["lam"], r["seed"]) == (stored["lam"], stored["seed"])]
    assert {k: v for k, v in twin.items() if k != "seconds"} == {
        k: v for k, v in stored.items() if k != "seconds"}


def test_lr_check_run_is_reproduced(lr):
    """The stored check run (SGD, η = 0.1, seed 0: 10 epochs on 5,600 digits), again,
    epoch by epoch."""
    stored = lr["check"]
    key = {k: stored[k] for k in ("optimizer", "lr", "seed")}
    assert key == s.CHECK["lr"]
    with threadpool_limits(limits=1, user_api="blas"):
        fresh = s.lr_run(**key)
    assert fresh["diverged_at"] == stored["diverged_at"] is None
    assert fresh["epochs"] == stored["epochs"] == list(range(1, s.LR_RECIPE.epochs + 1))
    np.testing.assert_allclose(fresh["val_accuracy"], stored["val_accuracy"], rtol=0,
                               atol=ACCURACY_SLACK)
    np.testing.assert_allclose(fresh["loss"], stored["loss"], rtol=0, atol=LOSS_SLACK)
    np.testing.assert_allclose(fresh["val_loss"], stored["val_loss"], rtol=0, atol=LOSS_SLACK)


def test_l2_summary_is_the_runs_and_the_chosen_lambda_follows_the_rule(l2):
    assert sorted((r["lam"], r["seed"]) for r in l2["runs"]) == sorted(
        (lam, seed) for lam in s.LAMBDAS for seed in s.SEEDS)
    for entry in l2["summary"]:
        runs = [r for r in l2["runs"] if r["lam"] == entry["lam"]]
        for key in ("train_accuracy", "val_accuracy", "val_loss"):
            assert entry[key] == pytest.approx(np.mean([r[key] for r in runs]), abs=1e-12)
        seed0 = next(r for r in runs if r["seed"] == 0)
        assert entry["W1_histogram"] == seed0["W1_histogram"]
        assert sum(entry["W1_histogram"]) == 784 * 100   # every weight of W1, ends clipped
    assert sum(l2["init_W1_histogram"]) == 784 * 100
    chosen = min(l2["summary"], key=lambda e: e["val_loss"])
    assert l2["chosen"]["lam"] == chosen["lam"] and l2["chosen"]["lam_text"] == f"{chosen['lam']:g}"
    assert all(l2["chosen"][k] == chosen[k] for k in ("val_loss", "val_accuracy", "norm"))
    top = max(l2["summary"], key=lambda e: e["val_accuracy"])
    assert l2["by_val_accuracy"] == {"lam": top["lam"], "lam_text": f"{top['lam']:g}",
                                     "val_accuracy": top["val_accuracy"]}


def test_lr_summary_is_the_runs_and_the_best_rates_follow_the_rule(lr):
    assert sorted((r["optimizer"], r["lr"], r["seed"]) for r in lr["runs"]) == sorted(
        (o, rate, seed) for o, rates in s.LEARNING_RATES.items() for rate in rates
        for seed in s.SEEDS)
    for entry in lr["summary"]:
        runs = [r for r in lr["runs"] if (r["optimizer"], r["lr"]) == (entry["optimizer"],
                                                                       entry["lr"])]
        assert entry["diverged"] == any(r["diverged_at"] is not None for r in runs)
        if not entry["diverged"]:
            assert entry["val_accuracy"] == pytest.approx(
                np.mean([r["val_accuracy"][-1] for r in runs]), abs=1e-12)
    for optimizer, best in lr["best"].items():
        finished = [e for e in lr["summary"] if e["optimizer"] == optimizer
                    and not e["diverged"]]
        assert best["lr"] == max(finished, key=lambda e: e["val_accuracy"])["lr"]
        assert best["lr_text"] == f"{best['lr']:g}"


def test_histogram_clips_into_the_end_bins():
    W = np.array([[-10.0, s.HIST_EDGES[0]], [s.HIST_EDGES[-1], 10.0]])
    counts = s.histogram(W)
    assert counts[0] == 2 and counts[-1] == 2 and sum(counts) == 4
