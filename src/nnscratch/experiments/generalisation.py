"""Generalisation runs: augmentation and dropout chosen on validation data, then tested once.

``python -m nnscratch.experiments.generalisation PART [--jobs N]`` runs one part and writes
it into ``docs/results/augmentation.json`` (``fashion`` into ``fashion-mnist.json``), each
part with the command that made it:

* ``tune``: at most a dozen configurations of augmented training, scored on validation data
  (a fifth of the sample's training part, split seed 0) over seeds 0, 1, 2. Stage 1 varies
  the augmentation on a small network, stage 2 the network and its training with stage 1's
  best augmentation. The test part is never looked at;
* ``kinds``: what each kind of distortion buys, alone and together, on a short fixed recipe
  (validation data again);
* ``final``: ``nnscratch train --augment --seed S`` for seeds 0, 1, 2, the same recipe without
  ``--augment`` beside it, each scored once on the 3,000 test digits; and the cost of an
  epoch with and without augmentation (same network, 1 thread, interleaved repeats);
* ``fashion``: the recipe on Fashion-MNIST's IDX folder, one seed, its epochs scaled to the
  same number of updates as on the sample.
"""

import argparse
import dataclasses
import datetime
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence

import numpy as np

from nnscratch.augment import Augmentation
from nnscratch.data import load
from nnscratch.data.split import train_val_test_split
from nnscratch.errors import InputError
from nnscratch.experiments import load_json, results_path, write_json
from nnscratch.training import AUGMENTED, TrainConfig, train

PROG = "python -m nnscratch.experiments.generalisation"
RESULTS = results_path("augmentation.json")
FASHION_RESULTS = results_path("fashion-mnist.json")
FASHION_FOLDER = "/usr/share/datasets/fashion-mnist"
SEEDS = (0, 1, 2)
VAL_FRACTION = 0.2
"""Validation data for every choice: this fraction of the training part (split seed 0)."""

# --8<-- [start:tuning]
MODERATE = Augmentation(shift=2, rotation=10, scale=0.1, shear=0.1)
ELASTIC = {"elastic_alpha": 34.0, "elastic_sigma": 4.0}     # Simard et al.'s values for MNIST
SMALL_NET = TrainConfig(hidden=(256, 128), epochs=40)
STAGE1 = {
    "no augmentation": None,
    "affine": MODERATE,
    "affine + elastic": dataclasses.replace(MODERATE, **ELASTIC),
    "weak affine + elastic": Augmentation(shift=1, rotation=5, scale=0.05, shear=0.05, **ELASTIC),
    "strong affine + elastic": Augmentation(shift=3, rotation=15, scale=0.15, shear=0.15,
                                            **ELASTIC),
    "affine + weak elastic": dataclasses.replace(MODERATE, elastic_alpha=20.0, elastic_sigma=4.0),
}
"""Stage 1: the augmentation, on ``SMALL_NET``."""

STAGE2 = {
    "512-256, 60 epochs": {"hidden": (512, 256), "epochs": 60},
    "512-256, 60 epochs, dropout 0.2": {"hidden": (512, 256), "epochs": 60, "dropout": 0.2},
    "512-256, 120 epochs, dropout 0.2": {"hidden": (512, 256), "epochs": 120, "dropout": 0.2},
    "1024-512, 60 epochs, dropout 0.2": {"hidden": (1024, 512), "epochs": 60, "dropout": 0.2},
    "512-256, 60 epochs, dropout 0.2, lr 0.002": {"hidden": (512, 256), "epochs": 60,
                                                  "dropout": 0.2, "lr": 0.002},
    "512-256, 60 epochs, dropout 0.2, λ 5": {"hidden": (512, 256), "epochs": 60,
                                             "dropout": 0.2, "l2": 5.0},
}
"""Stage 2: the network and its training, with stage 1's best augmentation."""
# --8<-- [end:tuning]

KINDS_RECIPE = TrainConfig(hidden=(256, 128), epochs=30)
"""The short fixed recipe on which each kind of distortion is measured."""

CHECK_EPOCHS = 2
"""The check run stored with ``kinds``: the ``all`` kind, seed 0, for this many epochs, cheap
enough for the test suite to repeat (``tests/test_generalisation.py``)."""


def check_task() -> tuple[str, TrainConfig, int]:
    """The task of the check run (see :data:`CHECK_EPOCHS`)."""
    return ("check", dataclasses.replace(KINDS_RECIPE, epochs=CHECK_EPOCHS,
                                         augment=AUGMENTED.augment), 0)


def kinds() -> dict[str, Augmentation | None]:
    """Each distortion of the ``--augment`` recipe alone, the affine ones together, all.

    >>> list(kinds())[:3]
    ['none', 'shift', 'rotation']
    """
    return {"none": None, **AUGMENTED.augment.one_at_a_time()}


def validation_split(spec: str = "sample") -> tuple[np.ndarray, ...]:
    """``(X_train, y_train, X_val, y_val)``: the training part of split seed 0 (test
    fraction 0.3), less :data:`VAL_FRACTION` of it for validation. No test digit."""
    data = load(spec)
    X_train, y_train, X_val, y_val, _, _ = train_val_test_split(data.X, data.y, 0.3,
                                                                VAL_FRACTION, 0)
    return X_train, y_train, X_val, y_val


def validation_run(task: tuple[str, TrainConfig, int]) -> dict:
    """One (name, config, seed) trained on the validation split, 1 BLAS thread; its last
    epoch's validation scores and the validation accuracy every fifth epoch."""
    from threadpoolctl import threadpool_limits

    name, config, seed = task
    X_train, y_train, X_val, y_val = validation_split()
    config = dataclasses.replace(config, seed=seed, eval_every=5)
    start = time.perf_counter()
    with threadpool_limits(limits=1, user_api="blas"):
        result = train(X_train, y_train, config, X_val=X_val, y_val=y_val, progress=False)
    last = result.history[-1]
    return {"name": name, "seed": seed, "val_accuracy": last["val_accuracy"],
            "val_loss": last["val_loss"], "train_accuracy": last["train_accuracy"],
            "seconds": time.perf_counter() - start,
            "curve": [[r["epoch"], r["val_accuracy"]] for r in result.history]}


def run_tasks(tasks: list[tuple], jobs: int) -> list[dict]:
    """:func:`validation_run` for every task, on ``jobs`` processes, in task order."""
    if jobs <= 1:
        return [validation_run(t) for t in tasks]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(jobs) as pool:
        return list(pool.map(validation_run, tasks))


def summarise(name: str, config: TrainConfig, runs: list[dict], stage: int) -> dict:
    """One configuration's entry: its config, its runs, mean and sd of validation accuracy."""
    acc = np.array([r["val_accuracy"] for r in runs])
    return {"name": name, "stage": stage, "config": config.to_dict(), "runs": runs,
            "mean_val_accuracy": float(acc.mean()), "sd_val_accuracy": float(acc.std(ddof=1)),
            "mean_seconds": float(np.mean([r["seconds"] for r in runs]))}


def run_stage(configs: dict[str, TrainConfig], stage: int, jobs: int) -> list[dict]:
    """Every configuration of one stage over :data:`SEEDS`, summarised."""
    tasks = [(name, config, seed) for name, config in configs.items() for seed in SEEDS]
    runs = run_tasks(tasks, jobs)
    for r in runs:
        print(f"{r['name']:<46} seed {r['seed']}  val {r['val_accuracy']:.4f}  "
              f"{r['seconds']:.0f} s", file=sys.stderr, flush=True)
    return [summarise(name, config, [r for r in runs if r["name"] == name], stage)
            for name, config in configs.items()]


def best_of(entries: list[dict]) -> dict:
    """The entry with the highest mean validation accuracy."""
    return max(entries, key=lambda e: e["mean_val_accuracy"])


def tune(jobs: int) -> dict:
    """Stage 1, then stage 2 with stage 1's best augmentation; ``chosen``: the best of all."""
    first = run_stage({name: dataclasses.replace(SMALL_NET, augment=aug)
                       for name, aug in STAGE1.items()}, 1, jobs)
    winner = best_of(first)
    aug = winner["config"]["augment"]
    aug = None if aug is None else Augmentation(**aug)
    second = run_stage({name: dataclasses.replace(SMALL_NET, augment=aug, **changes)
                        for name, changes in STAGE2.items()}, 2, jobs)
    return {"val_fraction": VAL_FRACTION, "split_seed": 0, "test_fraction": 0.3,
            "seeds": list(SEEDS), "stage1_winner": winner["name"],
            "chosen": best_of(first + second)["name"], "configs": first + second}


def measure_kinds(jobs: int) -> dict:
    """Every entry of :func:`kinds` on :data:`KINDS_RECIPE` over :data:`SEEDS`."""
    entries = run_stage({name: dataclasses.replace(KINDS_RECIPE, augment=aug)
                         for name, aug in kinds().items()}, 0, jobs)
    check = validation_run(check_task())
    return {"recipe": KINDS_RECIPE.to_dict(), "val_fraction": VAL_FRACTION,
            "seeds": list(SEEDS), "kinds": entries, "check": check}


def cli_train(options: list[str], folder: str) -> dict:
    """Run ``nnscratch train OPTIONS --quiet --out MODEL`` as a user would; its model file's
    final scores, its configuration and the wall-clock seconds of the whole command."""
    from nnscratch.modelfile import load_model

    out = os.path.join(folder, "model.npz")
    command = [sys.executable, "-m", "nnscratch", "train", *options, "--quiet", "--out", out]
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    seconds = time.perf_counter() - start
    meta = load_model(out)[1]
    final = meta["final"]
    return {"command": shlex.join(["nnscratch", "train", *options, "--out", "model.npz"]),
            "test_accuracy": final.get("test_accuracy"),
            "train_accuracy": final["train_accuracy"], "seconds": seconds,
            "train_seconds": meta["train_seconds"], "training": meta["training"],
            "data": meta["data"], "model": out}


def plain_options() -> list[str]:
    """The ``--augment`` recipe's options spelled out, for the same run without augmentation."""
    a = AUGMENTED
    return ["--layers", ",".join(map(str, a.hidden)), "--epochs", str(a.epochs),
            "--schedule", a.schedule, "--batch-size", str(a.batch_size), "--l2", f"{a.l2:g}",
            "--dropout", f"{a.dropout:g}"]


def epoch_cost(repeats: int = 5, epochs: int = 2) -> dict:
    """Seconds per training epoch of the recipe's network with and without augmentation:
    1 BLAS thread, the two interleaved ``repeats`` times, ``epochs`` epochs each (the
    training steps only: ``history``'s ``seconds``, evaluation left out)."""
    from threadpoolctl import threadpool_limits

    X_train, y_train, _, _ = validation_split()
    with_aug = dataclasses.replace(AUGMENTED, epochs=epochs)
    plain = dataclasses.replace(with_aug, augment=None)
    seconds: dict[str, list[float]] = {"plain": [], "augment": []}
    with threadpool_limits(limits=1, user_api="blas"):
        for _ in range(repeats):
            for key, config in (("plain", plain), ("augment", with_aug)):
                result = train(X_train, y_train, config, progress=False)
                seconds[key] += [r["seconds"] for r in result.history]
    median = {k: float(np.median(v)) for k, v in seconds.items()}
    return {"repeats": repeats, "epochs_per_repeat": epochs, "m": int(y_train.size),
            "network": list(AUGMENTED.hidden), "seconds": seconds, "median": median,
            "ratio": median["augment"] / median["plain"]}


def final(folder: str) -> dict:
    """``nnscratch train --augment --seed S`` and the same recipe without ``--augment``,
    seeds 0, 1, 2, alternating; then the cost of an epoch."""
    runs = []
    for seed in SEEDS:
        for augmented in (True, False):
            options = (["--augment"] if augmented else plain_options()) + [
                "--seed", str(seed), "--threads", "1"]
            run = cli_train(options, folder)
            run.update(augment=augmented, seed=seed)
            print(f"augment {augmented!s:<5} seed {seed}  test {run['test_accuracy']:.4f}  "
                  f"{run['seconds']:.0f} s", file=sys.stderr, flush=True)
            runs.append(run)
    summary = {}
    for augmented in (True, False):
        acc = [r["test_accuracy"] for r in runs if r["augment"] == augmented]
        summary["augment" if augmented else "plain"] = {
            "mean": float(np.mean(acc)), "sd": float(np.std(acc, ddof=1)),
            "min": float(min(acc)), "max_seconds": max(r["seconds"] for r in runs
                                                       if r["augment"] == augmented)}
    return {"runs": runs, "summary": summary, "epoch_cost": epoch_cost()}


def fashion(folder: str, data: str = FASHION_FOLDER) -> dict:
    """The recipe on Fashion-MNIST: all 60,000 training images, the epochs scaled so that
    it takes as many steps as on the sample's 7,000 digits, tested once on the 10,000."""
    from nnscratch.data import read_idx_folder

    m = read_idx_folder(data, "train").m
    epochs = max(1, round(AUGMENTED.epochs * 7000 / m))
    run = cli_train(["--augment", "--data", data, "--test-fraction", "0", "--epochs",
                     str(epochs), "--seed", "0", "--threads", "1"], folder)
    start = time.perf_counter()
    evaluated = subprocess.run([sys.executable, "-m", "nnscratch", "evaluate", "--model",
                                run["model"], "--data", data, "--json"], check=True,
                               capture_output=True, text=True)
    scores = json.loads(evaluated.stdout)
    return {"data": data, "m_train": m, "epochs": epochs, "run": run,
            "evaluate_command": f"nnscratch evaluate --model model.npz --data {data}",
            "test_accuracy": scores["accuracy"], "n_test": scores["n"],
            "evaluate_seconds": time.perf_counter() - start}


def machine() -> dict:
    """Where the numbers were measured."""
    return {"platform": platform.platform(), "processor": platform.machine(),
            "cpus": os.cpu_count(), "python": platform.python_version(),
            "numpy": np.__version__}


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``python -m nnscratch.experiments.generalisation``."""
    p = argparse.ArgumentParser(prog=PROG, description="Tune and measure augmentation and "
                                "dropout on validation data; test the chosen recipe once.")
    p.add_argument("part", choices=["tune", "kinds", "final", "fashion"])
    p.add_argument("--jobs", type=int, default=1, help="processes for tune and kinds")
    p.add_argument("--out", help="results file (default: docs/results/augmentation.json, "
                                 "fashion-mnist.json for fashion)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run one part and write it, with its command, into the results file."""
    args = build_parser().parse_args(argv)
    command = shlex.join(["python", "-m", "nnscratch.experiments.generalisation",
                          *(sys.argv[1:] if argv is None else argv)])
    out = args.out or (FASHION_RESULTS if args.part == "fashion" else RESULTS)
    start = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory() as folder:
            part = {"tune": lambda: tune(args.jobs), "kinds": lambda: measure_kinds(args.jobs),
                    "final": lambda: final(folder), "fashion": lambda: fashion(folder)}[
                        args.part]()
    except InputError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 2
    for run in [part.get("run", {}), *part.get("runs", [])]:
        run.pop("model", None)
    # Read the file only now: another part may have been written while this one ran.
    results = load_json(out) if os.path.exists(out) else {}
    results[args.part] = {
        "command": command, "machine": machine(), "seconds": time.perf_counter() - start,
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"), **part}
    # What wrote the file: every part's command, the first one also as "command".
    commands = [results[k]["command"] for k in ("tune", "kinds", "final", "fashion")
                if k in results]
    results = {"command": commands[0], "commands": commands,
               **{k: v for k, v in results.items() if k not in ("command", "commands")}}
    write_json(out, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
