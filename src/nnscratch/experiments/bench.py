"""``nnscratch bench``: how fast is the from-scratch trainer next to PyTorch and scikit-learn?

Every framework trains the same network (784-100-100-10, ReLU, softmax, mini-batches of 128,
Adam with a constant learning rate of 0.001, no L2) for the same number of epochs, on the
same 60,000 images: the full MNIST training set if it was downloaded (``nnscratch download
mnist``), else synthetic images of MNIST's shape (the packaged sample tiled six times, with
noise). Test accuracy comes from a second, short run on the packaged sample (7,000 training
and 3,000 test images, split seed 0), or from MNIST's own test set.

Each measurement runs in a **fresh subprocess** with the BLAS/OpenMP thread variables set
before NumPy is imported, and the frameworks take turns (round-robin, ``--repeats`` rounds):
a neighbour that slows the machine down slows every framework alike, and the medians and
their ratios stay meaningful. Each worker warms up on a few batches before it is timed.
The run also times the matrix products of an epoch alone (``gemm``), the floor that no
framework on this BLAS can beat.

PyTorch and scikit-learn are optional: they are imported only inside their own workers, and
a framework that is not installed is reported as missing. ``--out FILE`` writes the results
as JSON (the book's performance page reads ``docs/results/bench.json``).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nnscratch.experiments import load_json, results_path, write_json

# --8<-- [start:constants]
SIZES = [784, 100, 100, 10]
BATCH = 128
LR = 1e-3
FRAMEWORKS = ("nnscratch", "torch", "sklearn")
THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
SCHEMA = 1
# --8<-- [end:constants]


@dataclass(frozen=True)
class BenchSettings:
    """What one benchmark run measures: which frameworks, on how many threads, how long."""

    frameworks: tuple[str, ...] = FRAMEWORKS
    threads: tuple[int, ...] = (1, 2)
    epochs: int = 2
    accuracy_epochs: int = 10
    repeats: int = 3
    train_size: int = 60_000
    seed: int = 0
    worker_options: list[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """The options every worker process is started with."""
        options = ["--epochs", str(self.epochs), "--accuracy-epochs", str(self.accuracy_epochs),
                   "--train-size", str(self.train_size), "--seed", str(self.seed)]
        object.__setattr__(self, "worker_options", options)

    def command(self) -> str:
        """The ``nnscratch bench`` command line that measures this (recorded in the file)."""
        options = {"frameworks": ",".join(self.frameworks),
                   "threads": ",".join(map(str, self.threads)), "epochs": self.epochs,
                   "accuracy-epochs": self.accuracy_epochs, "repeats": self.repeats,
                   "train-size": self.train_size, "seed": self.seed}
        return "nnscratch bench " + " ".join(f"--{k} {v}" for k, v in options.items())


# --8<-- [start:epoch_flops]
def epoch_flops(m: int, sizes: list[int] = SIZES) -> int:
    """Floating-point operations of the matrix products of one epoch of ``m`` examples.

    Forward ``Z = W A`` costs ``2·n_l·n_{l-1}`` per example and layer; backward ``dW = dZ Aᵀ``
    costs the same again, and ``dA = Wᵀ dZ`` too, except for the first layer (nobody needs
    the gradient of the pixels).

    >>> epoch_flops(60_000) / 1e9
    22.776
    """
    products = [a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    return 2 * m * (3 * sum(products) - products[0])
# --8<-- [end:epoch_flops]


# ---------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------


def timing_data(train_size: int = 60_000, seed: int = 0) -> tuple[np.ndarray, np.ndarray, str]:
    """``(X, y, source)`` to time on: ``X`` is ``(m, 784)`` float32, **examples as rows**.

    Full MNIST when it has been downloaded, otherwise the packaged sample tiled up to
    ``train_size`` images with Gaussian noise (σ = 0.1, clipped to [0, 1]).
    """
    from nnscratch.data import download, load, load_sample

    if train_size == 60_000 and download.is_downloaded("mnist"):
        d = load("mnist", "train")
        return np.ascontiguousarray(d.X.T), d.y, "mnist"
    d = load_sample()
    reps = -(-train_size // d.m)
    X = np.tile(d.X.T, (reps, 1))[:train_size]
    y = np.tile(d.y, reps)[:train_size]
    noise = np.random.default_rng(seed).standard_normal(X.shape, dtype=np.float32)
    X += np.float32(0.1) * noise
    np.clip(X, 0, 1, out=X)
    return X, y, "synthetic"


def accuracy_data(source: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(X_train, y_train, X_test, y_test)``, examples as rows: MNIST's own test set for
    ``source == "mnist"``, else the packaged sample split 7,000/3,000 with split seed 0."""
    from nnscratch.data import load, load_sample, train_test_split

    if source == "mnist":
        tr, te = load("mnist", "train"), load("mnist", "test")
        return tr.X.T, tr.y, te.X.T, te.y
    d = load_sample()
    X_train, y_train, X_test, y_test = train_test_split(d.X, d.y, test_fraction=0.3, seed=0)
    return X_train.T, y_train, X_test.T, y_test


# ---------------------------------------------------------------------------------------
# One framework: train for `epochs` epochs on (X, y), return the predicted labels of X_test
# ---------------------------------------------------------------------------------------


def fit_nnscratch(
    X: np.ndarray, y: np.ndarray, X_test: np.ndarray, epochs: int, seed: int
) -> np.ndarray:
    """Train nnscratch's trainer as timed; return the labels predicted for ``X_test``."""
    from nnscratch.network import predict
    from nnscratch.training import TrainConfig, train

    config = TrainConfig(hidden=tuple(SIZES[1:-1]), batch_size=BATCH, epochs=epochs, lr=LR,
                         schedule="constant", seed=seed, eval_every=0)
    params = train(X.T, y, config, progress=False).params
    return predict(params, np.ascontiguousarray(X_test.T, dtype=np.float32))


def fit_torch(
    X: np.ndarray, y: np.ndarray, X_test: np.ndarray, epochs: int, seed: int
) -> np.ndarray:
    """The same network in PyTorch (CPU): Linear/ReLU layers, Adam, cross-entropy."""
    import torch

    torch.manual_seed(seed)
    layers: list = []
    for n_in, n_out in zip(SIZES[:-1], SIZES[1:], strict=True):
        layers += [torch.nn.Linear(n_in, n_out), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    Xt = torch.from_numpy(np.ascontiguousarray(X, dtype=np.float32))
    yt = torch.from_numpy(np.asarray(y, dtype=np.int64))
    m = yt.numel()
    for _ in range(epochs):
        perm = torch.randperm(m)
        for start in range(0, m, BATCH):
            idx = perm[start:start + BATCH]
            opt.zero_grad(set_to_none=True)
            loss = torch.nn.functional.cross_entropy(model(Xt[idx]), yt[idx])
            loss.backward()
            opt.step()
    with torch.no_grad():
        scores = model(torch.from_numpy(np.ascontiguousarray(X_test, dtype=np.float32)))
    return scores.argmax(dim=1).numpy()


def fit_sklearn(
    X: np.ndarray, y: np.ndarray, X_test: np.ndarray, epochs: int, seed: int
) -> np.ndarray:
    """The same network as scikit-learn's ``MLPClassifier`` (Adam, no L2, no early stop)."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(hidden_layer_sizes=tuple(SIZES[1:-1]), solver="adam", batch_size=BATCH,
                        learning_rate_init=LR, alpha=0.0, max_iter=epochs, shuffle=True,
                        tol=0.0, n_iter_no_change=epochs + 1, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(np.asarray(X, dtype=np.float32), y)
    return clf.predict(np.asarray(X_test, dtype=np.float32))


FITS = {"nnscratch": fit_nnscratch, "torch": fit_torch, "sklearn": fit_sklearn}


# --8<-- [start:gemm_epoch]
def gemm_epoch(m: int, sizes: list[int] = SIZES, B: int = BATCH, seed: int = 0) -> float:
    """Seconds for the matrix products of one epoch alone (same shapes, layouts, float32)."""
    rng = np.random.default_rng(seed)
    L = len(sizes) - 1
    W = [rng.standard_normal((sizes[l], sizes[l - 1]), dtype=np.float32) for l in range(1, L + 1)]
    seconds = 0.0
    for b in sorted({B, m % B or B}):
        n_batches = m // B if b == B else 1
        Xb = rng.random((b, sizes[0]), dtype=np.float32)
        A = [Xb.T] + [np.empty((n, b), np.float32) for n in sizes[1:]]
        dW = [np.empty_like(w) for w in W]
        dA = [None] + [np.empty((n, b), np.float32) for n in sizes[1:]]
        t0 = time.perf_counter()
        for _ in range(n_batches):
            for l in range(1, L + 1):
                np.matmul(W[l - 1], A[l - 1], out=A[l])
            for l in range(L, 0, -1):
                np.matmul(A[l], A[l - 1].T, out=dW[l - 1])        # dW = dZ A_prevᵀ
                if l > 1:
                    np.matmul(W[l - 1].T, A[l], out=dA[l - 1])   # dA_prev = Wᵀ dZ
        seconds += time.perf_counter() - t0
    return seconds
# --8<-- [end:gemm_epoch]


# ---------------------------------------------------------------------------------------
# Workers (one subprocess per measurement) and the round-robin driver
# ---------------------------------------------------------------------------------------


def blas_info() -> list[dict]:
    """The BLAS libraries NumPy uses here (threadpoolctl's report), for the file."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return [{"numpy_config": "threadpoolctl not installed"}]
    keep = ("user_api", "internal_api", "version", "architecture", "num_threads", "prefix")
    return [{k: d.get(k) for k in keep} for d in threadpool_info()]


def worker(framework: str, epochs: int, accuracy_epochs: int, train_size: int, seed: int,
           threads: int) -> dict:
    """One measurement, in this process: time ``epochs`` epochs, then the accuracy run."""
    if framework == "torch":
        import torch

        torch.set_num_threads(threads)
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(threads)
    except ImportError:
        pass
    X, y, source = timing_data(train_size, seed)
    out: dict = {"framework": framework, "threads": threads, "data": source}
    if framework == "gemm":
        gemm_epoch(BATCH * 4)  # warm up
        out["seconds_per_epoch"] = sum(gemm_epoch(y.size) for _ in range(epochs)) / epochs
    else:
        fit = FITS[framework]
        # Warm up first: PyTorch spends seconds on its first steps (lazy initialisation).
        fit(X[:BATCH * 8], y[:BATCH * 8], X[:1], 1, seed)
        t0 = time.perf_counter()
        fit(X, y, X[:1], epochs, seed)
        out["seconds_per_epoch"] = (time.perf_counter() - t0) / epochs
        if accuracy_epochs:
            X_tr, y_tr, X_te, y_te = accuracy_data(source)
            t0 = time.perf_counter()
            pred = fit(X_tr, y_tr, X_te, accuracy_epochs, seed)
            out["accuracy_seconds"] = time.perf_counter() - t0
            out["test_accuracy"] = float(np.mean(pred == y_te))
    out["blas"] = blas_info()
    return out


def available(framework: str) -> bool:
    """Whether ``framework`` is installed (nnscratch and gemm always are)."""
    import importlib.util

    module = {"torch": "torch", "sklearn": "sklearn"}.get(framework)
    return module is None or importlib.util.find_spec(module) is not None


def spawn(framework: str, settings: BenchSettings, threads: int) -> dict:
    """One measurement in a fresh process, its thread variables set before NumPy loads."""
    env = dict(os.environ, **{v: str(threads) for v in THREAD_VARS})
    cmd = [sys.executable, "-m", "nnscratch.experiments.bench", "--worker", framework,
           *settings.worker_options, "--threads", str(threads)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{framework} worker failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def cpu_model() -> str:
    """The processor's name, for the results file."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def versions() -> dict:
    """Python's and each framework's version (``None`` if not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for name, dist in (("numpy", "numpy"), ("torch", "torch"), ("sklearn", "scikit-learn"),
                       ("nnscratch", "nnscratch")):
        try:
            out[name] = version(dist)
        except PackageNotFoundError:
            out[name] = None
    return out


# --8<-- [start:measure]
def measure(settings: BenchSettings, threads: int, log: Callable[..., None] = print) -> dict:
    """Round-robin ``settings.repeats`` times over the frameworks (and ``gemm``) for ``threads``."""
    frameworks = [f for f in settings.frameworks if available(f)]
    missing = [f for f in settings.frameworks if not available(f)]
    runs: dict[str, list[dict]] = {f: [] for f in [*frameworks, "gemm"]}
    load_before = os.getloadavg()
    for r in range(settings.repeats):
        for f in runs:
            res = spawn(f, settings, threads)
            runs[f].append(res)
            log(f"  threads={threads} round {r + 1}/{settings.repeats} {f:9s} "
                f"{res['seconds_per_epoch']:.3f} s/epoch"
                + (f", test accuracy {res['test_accuracy']:.4f}" if "test_accuracy" in res else ""))
    flops = epoch_flops(settings.train_size)
    results = {}
    for f, rs in runs.items():
        secs = [x["seconds_per_epoch"] for x in rs]
        med = statistics.median(secs)
        results[f] = {"seconds_per_epoch": med, "runs": secs, "gflops": flops / med / 1e9}
        if rs and "test_accuracy" in rs[0]:
            results[f]["test_accuracy"] = statistics.median(x["test_accuracy"] for x in rs)
    # Ratios of medians, and the median of each round's own ratio (the frameworks of one
    # round ran back to back, so a neighbour's load hits them alike).
    ratios, round_ratios = {}, {}
    if "nnscratch" in results:
        for f in results:
            if f != "nnscratch":
                ratios[f"nnscratch/{f}"] = (results["nnscratch"]["seconds_per_epoch"]
                                            / results[f]["seconds_per_epoch"])
                round_ratios[f"nnscratch/{f}"] = statistics.median(
                    a["seconds_per_epoch"] / b["seconds_per_epoch"]
                    for a, b in zip(runs["nnscratch"], runs[f], strict=True))
    return {"threads": threads, "data": runs["gemm"][0]["data"], "results": results,
            "ratios": ratios, "round_ratios": round_ratios, "missing": missing,
            "blas": runs["gemm"][0]["blas"],
            "loadavg_before": list(load_before), "loadavg_after": list(os.getloadavg())}
# --8<-- [end:measure]


def report(config: dict, flops: int) -> str:
    """A table of one thread configuration's measurements, for the terminal."""
    lines = [f"threads={config['threads']}  data={config['data']}  "
             f"(load average before {config['loadavg_before'][0]:.2f}, "
             f"after {config['loadavg_after'][0]:.2f})",
             f"{'':10s} {'s/epoch':>8s} {'GFLOP/s':>8s} {'test acc':>9s}   runs"]
    for f, r in config["results"].items():
        acc = f"{r['test_accuracy']:.4f}" if "test_accuracy" in r else "-"
        runs = " ".join(f"{s:.3f}" for s in r["runs"])
        lines.append(f"{f:10s} {r['seconds_per_epoch']:8.3f} {r['gflops']:8.1f} {acc:>9s}   {runs}")
    for k, v in config["ratios"].items():
        lines.append(f"ratio {k}: {v:.2f} (median of per-round ratios "
                     f"{config['round_ratios'][k]:.2f})")
    if config["missing"]:
        lines.append(f"not installed: {', '.join(config['missing'])}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# Reading a results file (the book's performance page prints these)
# ---------------------------------------------------------------------------------------


def load_results(path: str | os.PathLike | None = None) -> dict:
    """The results file of ``nnscratch bench --out`` (default ``docs/results/bench.json``)."""
    return load_json(path or results_path("bench.json"))


def describe(results: dict) -> str:
    """One paragraph: when, on what, with which versions, how much work per epoch."""
    v, machine = results["versions"], results["machine"]
    blas = next((b for b in results["configurations"][0]["blas"]
                 if b.get("user_api") == "blas"), {})
    peers = ", ".join(f"{name} {v[key]}" for name, key in (("PyTorch", "torch"),
                      ("scikit-learn", "sklearn")) if v.get(key))
    return (f"{results['date'][:10]}, {machine['cpu']} ({machine['cores']} cores); "
            f"numpy {v['numpy']} with {blas.get('internal_api', 'BLAS')} "
            f"{'.'.join(str(blas.get('version', '')).split('.')[:3])} "
            f"({blas.get('architecture', '?')} kernels){', ' + peers if peers else ''}.\n"
            f"{results['epochs']} timed epochs on {results['train_size']:,} "
            f"{results['configurations'][0]['data']} images, "
            f"{results['flop_per_epoch'] / 1e9:.1f} GFLOP of matrix products per epoch; "
            f"medians of {results['repeats']} interleaved rounds.")


def table(results: dict) -> str:
    """Seconds per epoch, GFLOP/s, test accuracy and the ratio nnscratch / the others."""
    lines = [f"{'threads':>7} {'':10} {'s/epoch':>8} {'GFLOP/s':>8} {'test acc':>8} "
             f"{'nnscratch/it':>12}"]
    for c in results["configurations"]:
        for name, r in c["results"].items():
            acc = f"{r['test_accuracy']:.3f}" if "test_accuracy" in r else "-"
            ratio = c["round_ratios"].get(f"nnscratch/{name}")
            lines.append(f"{c['threads']:>7} {name:10} {r['seconds_per_epoch']:8.2f} "
                         f"{r['gflops']:8.1f} {acc:>8} "
                         f"{'-' if ratio is None else format(ratio, '.2f'):>12}")
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``nnscratch bench``."""
    parser.add_argument("--frameworks", type=lambda s: [f for f in s.split(",") if f],
                        default=list(FRAMEWORKS),
                        help="comma-separated, from nnscratch,torch,sklearn (default: all; "
                             "those not installed are skipped)")
    parser.add_argument("--threads", default="1,2",
                        help="BLAS/torch threads: 1, 2 or 1,2 for both (default: %(default)s)")
    parser.add_argument("--epochs", type=int, default=2,
                        help="timed epochs on the 60,000 images (default: %(default)s)")
    parser.add_argument("--accuracy-epochs", type=int, default=10,
                        help="epochs of the accuracy run on the sample (default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=3,
                        help="round-robin rounds; medians are reported (default: %(default)s)")
    parser.add_argument("--train-size", type=int, default=60_000,
                        help="images to time on (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--out", metavar="FILE", help="also write the results to FILE (JSON)")
    parser.add_argument("--worker", choices=[*FRAMEWORKS, "gemm"], help=argparse.SUPPRESS)


def results_file(settings: BenchSettings, configs: list[dict]) -> dict:
    """The results file's content: the settings, the machine, the versions, the measurements."""
    return {
        "schema": SCHEMA,
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "command": settings.command(),
        "machine": {"cpu": cpu_model(), "cores": os.cpu_count(), "platform": platform.platform()},
        "versions": versions(),
        "network": {"sizes": SIZES, "batch_size": BATCH, "optimizer": "adam", "lr": LR,
                    "dtype": "float32"},
        "epochs": settings.epochs, "accuracy_epochs": settings.accuracy_epochs,
        "repeats": settings.repeats, "train_size": settings.train_size, "seed": settings.seed,
        "split_seed": 0, "flop_per_epoch": epoch_flops(settings.train_size),
        "configurations": configs,
    }


def settings_from(args: argparse.Namespace) -> BenchSettings:
    """The command line's options as :class:`BenchSettings` (the only reader of ``args``)."""
    return BenchSettings(
        frameworks=tuple(args.frameworks), threads=tuple(int(t) for t in
                                                         str(args.threads).split(",") if t),
        epochs=args.epochs, accuracy_epochs=args.accuracy_epochs, repeats=args.repeats,
        train_size=args.train_size, seed=args.seed)


def run(args: argparse.Namespace) -> int:
    """``nnscratch bench``: print a table (or JSON), write ``--out``. Returns the exit code."""
    settings = settings_from(args)
    if args.worker:
        print(json.dumps(worker(args.worker, settings.epochs, settings.accuracy_epochs,
                                settings.train_size, settings.seed, settings.threads[0])))
        return 0
    unknown = sorted(set(settings.frameworks) - set(FRAMEWORKS))
    if unknown:
        print(f"nnscratch: error: unknown framework {unknown[0]!r}; choose from "
              f"{', '.join(FRAMEWORKS)}", file=sys.stderr)
        return 2
    log = (lambda *a: print(*a, file=sys.stderr)) if args.json else print
    flops = epoch_flops(settings.train_size)
    log(f"784-100-100-10, batch {BATCH}, Adam lr {LR}; {settings.epochs} timed epoch(s) on "
        f"{settings.train_size:,} images = {flops / 1e9:.2f} GFLOP of matrix products per epoch")
    configs = [measure(settings, t, log) for t in settings.threads]
    result = results_file(settings, configs)
    for c in configs:
        log(report(c, flops))
    if args.json:
        print(json.dumps(result, indent=1))
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        write_json(args.out, result)
        log(f"wrote {args.out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m nnscratch.experiments.bench``: the same command as ``nnscratch bench``."""
    parser = argparse.ArgumentParser(prog="nnscratch bench", description=__doc__.split("\n")[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
