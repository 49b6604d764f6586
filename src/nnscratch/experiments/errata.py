"""The errata runs: every variant of the notebook over several seeds, and their results file.

``python -m nnscratch.experiments.errata [--data PATH] [--seeds 0,1,2] [--out FILE]`` trains
each configuration of :data:`VARIANTS` (the notebook as written, each mistake fixed alone,
all fixed) and the modern recipe, on the split of each seed, and writes
``docs/results/errata.json``, which the errata chapter reads. ``python -m
nnscratch.notebook``, the command recorded in that file, runs the same ``main``.
"""

import argparse
import dataclasses
import datetime
import os
import platform
import shlex
import sys
import time
from collections.abc import Callable, Iterator, Sequence

import numpy as np

from nnscratch.data import Dataset, load, train_test_split
from nnscratch.errors import InputError
from nnscratch.experiments import load_json, results_path, write_json
from nnscratch.experiments.reproduction import (
    NotebookConfig,
    fixed,
    run_notebook,
    version1,
    version2,
)

PROG = "python -m nnscratch.experiments.errata"

# ---------------------------------------------------------------------------------------
# The results file: every variant, several seeds
# ---------------------------------------------------------------------------------------

VARIANTS: dict[str, NotebookConfig] = {
    "v1 as written": version1(),
    "v2 as written": version2(),
    "v1 all fixes": fixed(version1()),
    "v2 all fixes": fixed(version2()),
    "v1 fix scalar_bias_grad": fixed(version1(), "scalar_bias_grad"),
    "v2 fix scalar_bias_grad": fixed(version2(), "scalar_bias_grad"),
    "v1 fix uniform_init": fixed(version1(), "uniform_init"),
    "v2 fix wrong_fan_in": fixed(version2(), "wrong_fan_in"),
    "v1 fix m_whole_file": fixed(version1(), "m_whole_file"),
    "v2 fix m_whole_file": fixed(version2(), "m_whole_file"),
    "v1 whole-matrix softmax": version1(softmax_whole_matrix=True),
    "v1 fix naive_softmax": fixed(version1(), "naive_softmax"),
    "v1 whole-matrix softmax float64": version1(softmax_whole_matrix=True, dtype="float64"),
}
"""Every configuration the results command runs, by name (plus ``"modern"``, see below).

The reporting mistakes (``accuracy_before_update``, ``iterations_plus_one``) change no
update before the last one, so their effect is read off the as-written runs' histories."""

CHECK = ("v1 as written", 50, 0)
"""(variant, iterations, seed) of the short run stored in the file for the tests to repeat."""


def run_modern(X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray,
               y_test: np.ndarray, seed: int) -> dict:
    """The modern recipe: ``nnscratch.training.train`` with ``TrainConfig(seed=seed)``
    (mini-batches of 64, Adam, cosine schedule, He init, 784-256-128-10)."""
    from nnscratch.training import TrainConfig, train  # the modern recipe only

    config = TrainConfig(seed=seed)
    start = time.perf_counter()
    result = train(X_train, y_train, config, X_test=X_test, y_test=y_test, progress=False)
    seconds = time.perf_counter() - start
    last = result.history[-1]
    return {"train_accuracy": last["train_accuracy"], "test_accuracy": last["test_accuracy"],
            "train_loss": last["loss"], "test_loss": last["test_loss"], "seconds": seconds,
            "config": config.to_dict()}


def _run_task(task: tuple) -> dict:
    """One (variant, seed, iterations) run on the split of ``seed``; picklable for a pool.

    A run that fails is recorded with its error instead of losing every other run."""
    try:
        return _run_one(*task)
    except Exception as e:  # noqa: BLE001 - reported in the file and by the exit code
        return {"name": task[0], "seed": task[1], "error": f"{type(e).__name__}: {e}"}


def _run_one(name: str, seed: int, iterations: int | None, data_spec: str) -> dict:
    """Load the data, split it by ``seed``, and run one variant (or the modern recipe)."""
    data = load(data_spec)
    X_train, y_train, X_test, y_test = train_test_split(data.X, data.y, 0.3, seed)
    if name == "modern":
        out = run_modern(X_train, y_train, X_test, y_test, seed)
    else:
        config = VARIANTS[name]
        if iterations is not None:
            config = dataclasses.replace(config, iterations=iterations)
        out = run_notebook(X_train, y_train, X_test, y_test, config, seed)
        del out["params"]
        out["config"] = dataclasses.asdict(config)
    return {"name": name, "seed": seed, **out}


RESULTS_PATH = results_path("errata.json")
"""Where the results command writes by default: ``docs/results/errata.json``."""


def load_results(path: str | os.PathLike = RESULTS_PATH) -> dict:
    """The results file written by ``main``."""
    return load_json(path)


def runs_of(results: dict, name: str) -> list[dict]:
    """The runs of one variant, in seed order; ``KeyError`` if the file has none."""
    runs = sorted((r for r in results["runs"] if r["name"] == name), key=lambda r: r["seed"])
    if not runs:
        raise KeyError(f"no runs of {name!r} in the results file")
    return runs


def mean_sd(values: Sequence[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (``ddof=1``; 0 for a single value).

    >>> mean_sd([0.8, 0.9, 1.0])
    (0.9, 0.1)
    """
    v = np.asarray(values, dtype=np.float64)
    sd = float(v.std(ddof=1)) if v.size > 1 else 0.0
    return round(float(v.mean()), 12), round(sd, 12)


def pct(values: Sequence[float]) -> str:
    """``"84.57 % ± 0.21"``: a mean ± sd of fractions, in percent.

    >>> pct([0.8, 0.9, 1.0])
    '90.00 % ± 10.00'
    """
    mean, sd = mean_sd(values)
    return f"{100 * mean:.2f} % ± {100 * sd:.2f}"


def compare(results: dict, written: str, fix: str, key: str = "test_accuracy") -> None:
    """Print ``key`` of two variants (mean ± sd over the seeds) and their paired difference."""
    a, b = runs_of(results, written), runs_of(results, fix)
    assert [r["seed"] for r in a] == [r["seed"] for r in b]
    diff = [rb[key] - ra[key] for ra, rb in zip(a, b, strict=True)]
    mean, sd = mean_sd(diff)
    print(f"{key}, seeds {', '.join(str(r['seed']) for r in a)} (mean ± sd):")
    print(f"  {written:<32} {pct([r[key] for r in a])}")
    print(f"  {fix:<32} {pct([r[key] for r in b])}")
    print(f"  {'difference (2nd - 1st)':<32} {100 * mean:+.2f} points ± {100 * sd:.2f}")


def _seeds(text: str) -> list[int]:
    """An argparse type: ``"0,1,2"`` -> ``[0, 1, 2]``."""
    try:
        seeds = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seeds like 0,1,2, got {text!r}") from None
    if not seeds:
        raise argparse.ArgumentTypeError("expected at least one seed")
    return seeds


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``python -m nnscratch.experiments.errata``."""
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Run the Kaggle notebook's two networks as written, with each mistake "
                    "fixed alone, with all fixed, and the modern recipe; write a JSON file.")
    p.add_argument("--data", default="sample",
                   help="Kaggle train.csv (or any labelled data nnscratch loads); default: "
                        "the embedded sample")
    p.add_argument("--seeds", type=_seeds, default=[0, 1, 2], help="default: 0,1,2")
    p.add_argument("--out", default=RESULTS_PATH,
                   help="default: docs/results/errata.json of the source tree")
    p.add_argument("--jobs", type=int, default=1, help="processes to run at once (default: 1)")
    p.add_argument("--only", help="comma-separated variant names (default: all, and modern)")
    p.add_argument("--add", action="store_true",
                   help="add the runs to the existing --out file, replacing those of the same "
                        "variant and seed (the command is appended to its 'commands')")
    return p


def check_inputs(data_spec: str, out: str, add: bool) -> Dataset:
    """Load the data and check the output path before any training; ``InputError`` if not."""
    data = load(data_spec)
    if data.y is None:
        raise InputError(data_spec, "has no label column; the notebook needs train.csv")
    if not os.path.isdir(os.path.dirname(os.path.abspath(out))):
        raise InputError(out, "its folder does not exist")
    if add and not os.path.isfile(out):
        raise InputError(out, "no results file to --add to")
    return data


def plan(names: list[str] | None, seeds: list[int], data_spec: str, add: bool) -> list[tuple]:
    """The runs, in order: the short check run first (unless adding), then variant by
    variant (all seeds), so that a file written part-way already holds complete variants."""
    names = names or [*list(VARIANTS)[:4], "modern", *list(VARIANTS)[4:]]
    tasks = [] if add else [(CHECK[0], CHECK[2], CHECK[1], data_spec)]
    return tasks + [(n, s, None, data_spec) for n in names for s in seeds]


def new_results(command: str, data: Dataset, seeds: list[int], jobs: int) -> dict:
    """An empty results file: when, on what, from which data; no runs yet."""
    return {
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "command": command,
        "machine": {"platform": platform.platform(), "processor": platform.machine(),
                    "cpus": os.cpu_count(), "python": platform.python_version(),
                    "numpy": np.__version__, "jobs": jobs,
                    "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS")},
        "data": {"source": data.source, "sha256": data.sha256, "m": data.m,
                 "test_fraction": 0.3},
        "seeds": seeds, "complete": False, "total_seconds": 0.0,
        "check": None, "runs": [],
    }


def added_to(out: str, data: Dataset, tasks: list[tuple], command: str) -> dict:
    """The existing results file at ``out`` without the runs ``tasks`` will redo."""
    results = load_results(out)
    if results["data"]["sha256"] != data.sha256:
        raise InputError(out, "made from other data")
    redone = {(t[0], t[1]) for t in tasks}
    results["runs"] = [r for r in results["runs"] if (r["name"], r["seed"]) not in redone]
    results.setdefault("commands", [results["command"]]).append(command)
    return results


def run_all(tasks: list[tuple], results: dict, out: str, jobs: int, add: bool) -> int:
    """Run ``tasks``, rewriting ``out`` after each; exit code 1 if any run failed."""
    start, elapsed = time.perf_counter(), results["total_seconds"]
    for r in _map(_run_task, tasks, jobs):
        print(f"{r['name']:<26} seed {r['seed']}  " + (
            f"error: {r['error']}" if "error" in r else
            f"test {r['test_accuracy']:.4f}  {r['seconds']:.1f} s"), file=sys.stderr, flush=True)
        if not add and results["check"] is None:
            results["check"] = r
        else:
            results["runs"].append(r)
        results["total_seconds"] = elapsed + time.perf_counter() - start
        results["complete"] = {(r["name"], r["seed"]) for r in results["runs"]} >= {
            (n, s) for n in [*VARIANTS, "modern"] for s in results["seeds"]}
        write_json(out, results)
    return 1 if any("error" in r for r in [results["check"], *results["runs"]]) else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run every variant and seed, write the results file; one-line errors exit 2."""
    args = build_parser().parse_args(argv)
    command = shlex.join(["python", "-m", "nnscratch.experiments.errata",
                          *(sys.argv[1:] if argv is None else argv)])
    names = args.only.split(",") if args.only else None
    try:
        data = check_inputs(args.data, args.out, args.add)
        tasks = plan(names, args.seeds, args.data, args.add)
        results = (added_to(args.out, data, tasks, command) if args.add
                   else new_results(command, data, args.seeds, args.jobs))
    except InputError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 2
    return run_all(tasks, results, args.out, args.jobs, args.add)


def _map(function: Callable, tasks: list, jobs: int) -> Iterator:
    """``map(function, tasks)`` in order, on ``jobs`` processes when ``jobs > 1``."""
    if jobs <= 1:
        yield from map(function, tasks)
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(jobs) as pool:
        yield from pool.map(function, tasks)


if __name__ == "__main__":
    sys.exit(main())
