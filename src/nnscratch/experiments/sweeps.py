"""Sweeps for the figures of the L2 and training chapters: one setting varied, all else fixed.

``python -m nnscratch.experiments.sweeps l2`` trains the L2 chapter's network (784-100-10,
plain mini-batch gradient descent, the first 1,000 training digits of the packaged sample,
float64) for each λ of :data:`LAMBDAS` and each seed of :data:`SEEDS`, scores it on the
validation digits, and writes ``docs/results/l2-sweep.json``: per run the train and
validation accuracy and cross-entropy and the norm of each weight matrix, and per λ a
histogram of the first layer's weights (seed 0). ``chosen`` is the λ of the lowest mean
validation cross-entropy, the rule of the chapter.

``python -m nnscratch.experiments.sweeps lr`` trains the training chapter's 784-100-10
network with mini-batch SGD and with Adam, for each learning rate of :data:`LEARNING_RATES`
and each seed, on the training part of the validation split, and writes
``docs/results/lr-sweep.json``: per run the loss and validation scores of every epoch (a run
whose loss stops being finite is kept, with the epoch where it diverged). ``best`` is, per
optimizer, the rate of the highest mean final validation accuracy.

Both use the split of :func:`nnscratch.data.train_val_test_split` (test fraction 0.3,
validation a fifth of the rest, seed 0) and never look at the test digits; they run on one
BLAS thread. Each file stores a check run, one point of its sweep, which
``tests/test_sweeps.py`` repeats.
"""

import argparse
import dataclasses
import datetime
import os
import platform
import shlex
import sys
import time
from collections.abc import Sequence

import numpy as np

from nnscratch.data import load_sample
from nnscratch.data.split import train_val_test_split
from nnscratch.experiments import results_path, write_json
from nnscratch.training import TrainConfig, TrainingDiverged, train

PROG = "python -m nnscratch.experiments.sweeps"
RESULTS = {"l2": results_path("l2-sweep.json"), "lr": results_path("lr-sweep.json")}
SEEDS = (0, 1, 2)
"""Initialisation and shuffling seeds of every setting (the split is always seed 0)."""
SPLIT = {"test_fraction": 0.3, "val_fraction": 0.2, "seed": 0}

# --8<-- [start:settings]
LAMBDAS = (0.0, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
L2_RECIPE = TrainConfig(hidden=(100,), optimizer="gd", lr=0.2, batch_size=100, epochs=40,
                        schedule="constant", dtype="float64")
L2_TRAIN_SIZE = 1000
"""The L2 sweep trains on the first 1,000 training digits, as the chapter does."""
HIST_EDGES = np.linspace(-0.32, 0.32, 129)
"""Bin edges of the weight histograms; a weight outside them counts in the end bin."""

LEARNING_RATES = {
    "gd": (0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0),
    "adam": (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1),
}
LR_RECIPE = TrainConfig(hidden=(100,), batch_size=64, epochs=10, schedule="constant",
                        dtype="float64")
# --8<-- [end:settings]

CHECK = {"l2": {"lam": 10.0, "seed": 0}, "lr": {"optimizer": "gd", "lr": 0.1, "seed": 0}}
"""The sweep point stored again as ``check``, for the tests to repeat."""


def split() -> tuple[np.ndarray, ...]:
    """``(X_train, y_train, X_val, y_val)`` of the packaged sample (:data:`SPLIT`)."""
    data = load_sample()
    X_train, y_train, X_val, y_val, _, _ = train_val_test_split(data.X, data.y, **SPLIT)
    return X_train, y_train, X_val, y_val


def histogram(W: np.ndarray) -> list[int]:
    """Counts of the entries of ``W`` in the bins of :data:`HIST_EDGES`, ends clipped.

    >>> counts = histogram(np.array([[-1.0, 0.0], [0.001, 1.0]]))   # 128 bins of 0.005
    >>> counts[0], counts[64], counts[-1], sum(counts)
    (1, 2, 1, 4)
    """
    clipped = np.clip(W.ravel(), HIST_EDGES[0], HIST_EDGES[-1])
    return np.histogram(clipped, bins=HIST_EDGES)[0].tolist()


def norms(params: dict) -> dict:
    """The Frobenius norm of each weight matrix, and of all of them together."""
    each = {k: float(np.sqrt(np.sum(v ** 2))) for k, v in params.items() if k.startswith("W")}
    return {**each, "all": float(np.sqrt(sum(n ** 2 for n in each.values())))}


def l2_run(lam: float, seed: int, data: tuple | None = None) -> dict:
    """One point of the L2 sweep: its last epoch's scores, weight norms, ``W1`` histogram."""
    X_train, y_train, X_val, y_val = data or split()
    X_small, y_small = X_train[:, :L2_TRAIN_SIZE], y_train[:L2_TRAIN_SIZE]
    config = dataclasses.replace(L2_RECIPE, l2=lam, seed=seed, eval_every=L2_RECIPE.epochs)
    start = time.perf_counter()
    result = train(X_small, y_small, config, X_val=X_val, y_val=y_val, progress=False)
    last = result.history[-1]
    return {"lam": lam, "seed": seed, "train_accuracy": last["train_accuracy"],
            "train_loss": last["loss"], "val_accuracy": last["val_accuracy"],
            "val_loss": last["val_loss"], "norms": norms(result.params),
            "W1_histogram": histogram(result.params["W1"]),
            "seconds": time.perf_counter() - start}


def l2_sweep() -> dict:
    """Every (λ, seed) of the L2 sweep; per λ the mean scores; ``chosen``; the check."""
    from nnscratch.initialization import he_init

    data = split()
    runs = []
    for lam in LAMBDAS:
        for seed in SEEDS:
            runs.append(l2_run(lam, seed, data))
            log(f"λ {lam:<6g} seed {seed}  val {runs[-1]['val_accuracy']:.4f}  "
                f"{runs[-1]['seconds']:.1f} s")
    summary = [{"lam": lam, **means([r for r in runs if r["lam"] == lam])} for lam in LAMBDAS]
    for entry in summary:
        entry["W1_histogram"] = next(r["W1_histogram"] for r in runs
                                     if r["lam"] == entry["lam"] and r["seed"] == 0)
    chosen = min(summary, key=lambda e: e["val_loss"])
    top = max(summary, key=lambda e: e["val_accuracy"])
    init = he_init(L2_RECIPE.layer_sizes(), np.random.default_rng(0), dtype=np.float64)
    return {"recipe": L2_RECIPE.to_dict(), "train_size": L2_TRAIN_SIZE, "split": SPLIT,
            "seeds": list(SEEDS), "lambdas": list(LAMBDAS), "hist_edges": HIST_EDGES.tolist(),
            "init_W1_histogram": histogram(init["W1"]), "init_norms": norms(init),
            "chosen": {"lam": chosen["lam"], "lam_text": f"{chosen['lam']:g}",
                       "rule": "lowest mean validation cross-entropy",
                       **{k: chosen[k] for k in ("val_loss", "val_accuracy", "norm")}},
            "by_val_accuracy": {"lam": top["lam"], "lam_text": f"{top['lam']:g}",
                                "val_accuracy": top["val_accuracy"]},
            "summary": summary, "runs": runs, "check": l2_run(**CHECK["l2"], data=data)}


def means(runs: list[dict]) -> dict:
    """Mean and sd over seeds of each score, and the mean weight norm."""
    out = {}
    for key in ("train_accuracy", "val_accuracy", "val_loss"):
        values = np.array([r[key] for r in runs])
        out[key], out[key + "_sd"] = float(values.mean()), float(values.std(ddof=1))
    out["norm"] = float(np.mean([r["norms"]["all"] for r in runs]))
    return out


def lr_run(optimizer: str, lr: float, seed: int, data: tuple | None = None) -> dict:
    """One point of the learning-rate sweep: loss and validation scores of every epoch."""
    X_train, y_train, X_val, y_val = data or split()
    config = dataclasses.replace(LR_RECIPE, optimizer=optimizer, lr=lr, seed=seed)
    history: list[dict] = []
    start, diverged = time.perf_counter(), None
    try:
        train(X_train, y_train, config, X_val=X_val, y_val=y_val, progress=False,
              callback=lambda record, _: history.append(record))
    except TrainingDiverged as e:
        diverged = e.epoch
    return {"optimizer": optimizer, "lr": lr, "seed": seed, "diverged_at": diverged,
            "epochs": [r["epoch"] for r in history], "loss": [r["loss"] for r in history],
            "val_accuracy": [r["val_accuracy"] for r in history],
            "val_loss": [r["val_loss"] for r in history],
            "seconds": time.perf_counter() - start}


def lr_sweep() -> dict:
    """Every (optimizer, rate, seed); per optimizer and rate the mean curves; ``best``."""
    data = split()
    runs, summary, best = [], [], {}
    for optimizer, rates in LEARNING_RATES.items():
        for lr in rates:
            group = [lr_run(optimizer, lr, seed, data) for seed in SEEDS]
            for r in group:
                log(f"{optimizer:<5} lr {lr:<7g} seed {r['seed']}  diverged {r['diverged_at']}"
                    f"  val {r['val_accuracy'][-1] if r['val_accuracy'] else None}"
                    f"  {r['seconds']:.1f} s")
            runs += group
            summary.append(lr_summary(optimizer, lr, group))
        finished = [e for e in summary if e["optimizer"] == optimizer and not e["diverged"]]
        top = max(finished, key=lambda e: e["val_accuracy"])
        best[optimizer] = {"lr": top["lr"], "lr_text": f"{top['lr']:g}",
                           "val_accuracy": top["val_accuracy"]}
    return {"recipe": LR_RECIPE.to_dict(), "split": SPLIT, "seeds": list(SEEDS),
            "learning_rates": {k: list(v) for k, v in LEARNING_RATES.items()},
            "best": best, "best_rule": "highest mean validation accuracy after the last epoch",
            "summary": summary, "runs": runs, "check": lr_run(**CHECK["lr"], data=data)}


def lr_summary(optimizer: str, lr: float, group: list[dict]) -> dict:
    """Mean curves over the seeds of one (optimizer, rate); ``diverged`` if any seed did."""
    diverged = any(r["diverged_at"] is not None for r in group)
    entry = {"optimizer": optimizer, "lr": lr, "diverged": diverged,
             "diverged_at": min((r["diverged_at"] for r in group if r["diverged_at"]),
                                default=None)}
    n = min(len(r["loss"]) for r in group)
    for key in ("loss", "val_accuracy", "val_loss"):
        entry[f"mean_{key}"] = [float(np.mean([r[key][i] for r in group])) for i in range(n)]
    entry["val_accuracy"] = None if diverged else entry["mean_val_accuracy"][-1]
    entry["val_accuracy_sd"] = None if diverged else float(
        np.std([r["val_accuracy"][-1] for r in group], ddof=1))
    return entry


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def machine() -> dict:
    """Where the numbers were measured."""
    return {"platform": platform.platform(), "processor": platform.machine(),
            "cpus": os.cpu_count(), "python": platform.python_version(),
            "numpy": np.__version__, "blas_threads": 1}


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``python -m nnscratch.experiments.sweeps``."""
    p = argparse.ArgumentParser(prog=PROG, description="Sweep λ (l2) or the learning rate "
                                "(lr) on the packaged sample; write a results file.")
    p.add_argument("sweep", choices=sorted(RESULTS))
    p.add_argument("--out", help="results file (default: docs/results/l2-sweep.json or "
                                 "lr-sweep.json)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run one sweep on one BLAS thread and write it, with its command, into its file."""
    from threadpoolctl import threadpool_limits

    args = build_parser().parse_args(argv)
    command = shlex.join([*PROG.split(), *(sys.argv[1:] if argv is None else argv)])
    start = time.perf_counter()
    with threadpool_limits(limits=1, user_api="blas"):
        part = l2_sweep() if args.sweep == "l2" else lr_sweep()
    write_json(args.out or RESULTS[args.sweep], {
        "command": command, "machine": machine(), "seconds": time.perf_counter() - start,
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"), **part})
    return 0


if __name__ == "__main__":
    sys.exit(main())
