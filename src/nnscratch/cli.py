"""The command line: ``nnscratch train | evaluate | predict | download``.

This is the only module that prints results or exits. Every mistake in the user's input
ends as one line ``nnscratch: error: <file as given>: <what is wrong>`` on stderr and exit
code 2 (argparse's own usage errors keep argparse's format, also exit 2); a training run
whose loss stops being finite exits 3; Ctrl-C exits 130. No command leaves a half-written
output file: models and submissions are written to a temporary name and renamed.
"""

# --8<-- [start:imports]
import argparse
import contextlib
import json
import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from nnscratch import __version__
from nnscratch.activations import ACTIVATIONS
from nnscratch.data import Dataset, load, train_test_split
from nnscratch.errors import InputError
from nnscratch.evaluation import accuracy, confusion_matrix, per_class_accuracy
from nnscratch.files import atomic_open
from nnscratch.modelfile import load_checkpoint, load_model, save_model
from nnscratch.network import forward
from nnscratch.onehot import predictions
from nnscratch.optimizers import OPTIMIZERS, make_optimizer
from nnscratch.training import TrainConfig, TrainingDiverged, TrainResult, train

EXIT_INPUT, EXIT_DIVERGED, EXIT_INTERRUPTED = 2, 3, 130
DEFAULTS = TrainConfig()
# --8<-- [end:imports]


# ---------------------------------------------------------------------------------------
# Argument types: each rejects a bad value with argparse's usual message and exit code 2.
# ---------------------------------------------------------------------------------------


def _layers(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(s) for s in text.split(",") if s.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected widths like 100,100, got {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"expected positive widths like 100,100, got {text!r}")
    return sizes


def _batch_size(text: str) -> int | None:
    if text == "full":
        return None
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer or 'full', got {text!r}")
    return n


def _number(kind: type, accept: Callable[[float], bool], expected: str) -> Callable:
    """An argparse type: ``kind(text)`` if it parses, is finite and ``accept`` holds."""
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or not math.isfinite(value) or not accept(value):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
        return value
    return parse


_fraction = _number(float, lambda f: 0 <= f < 1, "a number in [0, 1)")
_non_negative_float = _number(float, lambda v: v >= 0, "a number >= 0")


def _positive(kind: type) -> Callable:
    return _number(kind, lambda v: v > 0, "a positive number")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``nnscratch`` command."""
    parser = argparse.ArgumentParser(
        prog="nnscratch",
        description="Train, evaluate and use a neural network written from scratch in NumPy.",
    )
    parser.add_argument("--version", action="version", version=f"nnscratch {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    data_help = ("a Kaggle CSV (train.csv / test.csv, plain or .gz), an MNIST-format IDX folder, "
                 "a downloaded dataset name (mnist, fashion-mnist) or 'sample' "
                 "(default: the embedded 10,000-digit sample)")

    t = sub.add_parser("train", help="train a network and save it to a model file",
                       description="Train a network and save it to a model file (.npz).")
    t.add_argument("--data", help=data_help)
    t.add_argument("--layers", type=_layers, default=DEFAULTS.hidden,
                   help="hidden layer widths, comma-separated (default: %(default)s; "
                        "the notebook used 100 and 100,100)")
    t.add_argument("--activation", choices=sorted(ACTIVATIONS), default=DEFAULTS.activation)
    t.add_argument("--alpha", type=_positive(float), default=DEFAULTS.alpha,
                   help="Leaky ReLU slope for z < 0 (default: %(default)s)")
    t.add_argument("--init", choices=["he", "uniform"], default=DEFAULTS.init,
                   help="weight initialisation (uniform is the notebook's rand*0.01)")
    t.add_argument("--optimizer", choices=sorted(OPTIMIZERS), default=DEFAULTS.optimizer)
    t.add_argument("--lr", type=_positive(float),
                   help="learning rate (default: 0.001 for adam, 0.1 for gd and momentum)")
    t.add_argument("--schedule", choices=["cosine", "constant"], default=DEFAULTS.schedule)
    t.add_argument("--epochs", type=_positive(int),
                   help=f"passes over the training data (default: {DEFAULTS.epochs}; "
                        "with --resume: the new total)")
    t.add_argument("--batch-size", type=_batch_size, default=DEFAULTS.batch_size,
                   help="examples per step, or 'full' for full-batch gradient descent "
                        "(default: %(default)s)")
    t.add_argument("--l2", type=_non_negative_float, default=DEFAULTS.l2,
                   help="L2 penalty λ in (λ/2m)·Σ‖W‖² (default: %(default)s)")
    t.add_argument("--seed", type=int, default=0, help="drives initialisation and shuffling")
    t.add_argument("--split-seed", type=int, default=0, help="fixes the train/test split")
    t.add_argument("--test-fraction", type=_fraction, default=0.3,
                   help="held-out fraction; 0 trains on everything (default: %(default)s)")
    t.add_argument("--dtype", choices=["float32", "float64"], default=DEFAULTS.dtype)
    t.add_argument("--resume", metavar="MODEL",
                   help="continue an interrupted run from its checkpoint")
    t.add_argument("--quiet", action="store_true", help="no progress bar")
    t.add_argument("--threads", type=_positive(int),
                   help="BLAS threads for training (default: the BLAS library's own choice; "
                        "1 is often fastest for small networks on a busy machine)")
    t.add_argument("--out", required=True, metavar="MODEL", help="where to write the model")

    e = sub.add_parser("evaluate", help="score a model on labelled data",
                       description="Score a model: accuracy, example count, confusion matrix. "
                                   "Without --data, on the held-out part of its training data.")
    e.add_argument("--model", required=True)
    e.add_argument("--data", help="labelled data (all rows of a CSV; the t10k files of an IDX "
                                  "folder or dataset name)")
    e.add_argument("--json", action="store_true", help="print one JSON object instead")

    p = sub.add_parser("predict", help="write a Kaggle submission",
                       description="Predict a label for every row and write ImageId,Label.")
    p.add_argument("--model", required=True)
    p.add_argument("--data", required=True, help="test.csv (labels, if present, are ignored)")
    p.add_argument("--out", required=True, help="the submission CSV to write")

    d = sub.add_parser("download", help="fetch a full dataset (needs a network)",
                       description="Download a dataset's IDX files into the cache folder, "
                                   "verifying each file's SHA-256.")
    d.add_argument("name", nargs="?", help="dataset name (see --list)")
    d.add_argument("--list", action="store_true", help="list the dataset names")
    d.add_argument("--mirror", help="base URL to fetch the files from "
                                    "(default: $NNSCRATCH_MIRROR or the dataset's own)")
    d.epilog = ("Files go to $NNSCRATCH_CACHE/NAME (default ~/.cache/nnscratch/NAME), where "
                "--data NAME finds them.")
    b = sub.add_parser("bench", help="time nnscratch against PyTorch and scikit-learn",
                       description="Train the same 784-100-100-10 MLP in nnscratch and, when "
                                   "installed, PyTorch (CPU) and scikit-learn, interleaved; "
                                   "print seconds per epoch, accuracy and ratios.")
    from nnscratch.experiments import bench  # its peers (torch, sklearn) are imported only when run

    bench.add_arguments(b)
    return parser


# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------


# --8<-- [start:check_out_path]
def _check_out_path(out: str) -> None:
    """Refuse an output path we could not write, before spending time on training."""
    path = Path(out)
    if path.is_dir():
        raise InputError(out, "is a directory; give a file name")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(out, f"folder {str(parent)!r} does not exist")
    if not os.access(parent, os.W_OK):
        raise InputError(out, f"folder {str(parent)!r} is not writable")
# --8<-- [end:check_out_path]


def _require_labels(data: Dataset) -> np.ndarray:
    if data.y is None:
        raise InputError(data.source, "has no label column; this command needs labels")
    return data.y


def _check_fits(model_path: str, params: dict[str, np.ndarray], data: Dataset) -> None:
    n_in = params["W1"].shape[1]
    if data.X.shape[0] != n_in:
        raise InputError(model_path, f"the model takes {n_in} inputs per example, "
                                     f"but {data.source} has {data.X.shape[0]}")


def _probabilities(params: dict[str, np.ndarray], meta: dict, X: np.ndarray) -> np.ndarray:
    X = X.astype(params["W1"].dtype, copy=False)
    AL, _ = forward(params, X, meta.get("activation", "relu"), meta.get("alpha", 0.01))
    return AL


def _model_meta(config: TrainConfig, data: Dataset, args: argparse.Namespace,
                n_train: int, n_test: int) -> dict:
    return {
        "activation": config.activation,
        "alpha": config.alpha,
        "input_scaling": "pixel / 255",
        "data": {
            "source": data.source,
            "sha256": data.sha256,
            "split_seed": args.split_seed,
            "test_fraction": args.test_fraction,
            "n_train": n_train,
            "n_test": n_test,
        },
        "training": config.to_dict(),
    }


# --8<-- [start:snapshot]
def _blas_threads(n: int | None):
    """Limit NumPy's BLAS to ``n`` threads for the duration of a ``with`` block."""
    if n is None:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits  # env vars would be too late: numpy is loaded

    return threadpool_limits(limits=n, user_api="blas")


def _snapshot(result: TrainResult) -> tuple[dict, dict]:
    params = {k: v.copy() for k, v in result.params.items()}
    state = {k: np.array(v, copy=True) for k, v in result.optimizer.state.items()}
    return params, state
# --8<-- [end:snapshot]


# ---------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------


# --8<-- [start:cmd_train]
def cmd_train(args: argparse.Namespace) -> int:
    _check_out_path(args.out)
    params = optimizer = None
    start_epoch, history = 0, []
    if args.resume:
        params, old_meta, state = load_checkpoint(args.resume)
        if "training" not in old_meta or "data" not in old_meta:
            raise InputError(args.resume, "has no training record to resume from")
        cfg = dict(old_meta["training"], hidden=tuple(old_meta["training"]["hidden"]))
        config = TrainConfig(**cfg)
        config.epochs = args.epochs or config.epochs
        start_epoch, history = old_meta.get("epoch", 0), old_meta.get("history", [])
        if start_epoch >= config.epochs:
            raise InputError(args.resume, f"already trained for {start_epoch} epochs; "
                                          "pass a larger --epochs to continue")
        optimizer = make_optimizer(config.optimizer, config.lr)
        optimizer.state.update(state)
        recorded = old_meta["data"]
        args.data = args.data or recorded["source"]
        args.split_seed, args.test_fraction = recorded["split_seed"], recorded["test_fraction"]
    else:
        lr = args.lr if args.lr is not None else (0.001 if args.optimizer == "adam" else 0.1)
        config = TrainConfig(
            hidden=args.layers, activation=args.activation, alpha=args.alpha, init=args.init,
            optimizer=args.optimizer, lr=lr, epochs=args.epochs or DEFAULTS.epochs,
            batch_size=args.batch_size, l2=args.l2, schedule=args.schedule, seed=args.seed,
            dtype=args.dtype,
        )
    data = load(args.data, part="train", dtype=np.dtype(config.dtype))
    y = _require_labels(data)
    if args.resume and data.sha256 != old_meta["data"]["sha256"]:
        raise InputError(data.source, "is not the data this checkpoint was trained on "
                                      "(SHA-256 differs)")
    X_train, y_train, X_test, y_test = train_test_split(data.X, y, args.test_fraction,
                                                        args.split_seed)
    if y_train.size == 0:
        raise InputError(data.source, "leaves no training examples after the split")
    meta = _model_meta(config, data, args, y_train.size, y_test.size)
    snapshot: dict = {}

    def keep_last_epoch(record: dict, result: TrainResult) -> None:
        snapshot["params"], snapshot["state"] = _snapshot(result)
        snapshot["epoch"] = record["epoch"]
        snapshot["history"] = history + result.history

    t0 = time.perf_counter()
    try:
        with _blas_threads(args.threads):
            result = train(X_train, y_train, config, X_test=X_test, y_test=y_test,
                           params=params, optimizer=optimizer, start_epoch=start_epoch,
                           callback=keep_last_epoch, progress=False if args.quiet else None)
    except KeyboardInterrupt:
        if not snapshot:
            print("nnscratch: interrupted before the first epoch ended; no model written",
                  file=sys.stderr)
            return EXIT_INTERRUPTED
        save_model(args.out, snapshot["params"], {**meta, "complete": False,
                   "epoch": snapshot["epoch"], "history": snapshot["history"]},
                   state=snapshot["state"])
        print(f"nnscratch: interrupted; saved the checkpoint of epoch {snapshot['epoch']} "
              f"of {config.epochs} to {args.out} (complete: false); continue with "
              f"nnscratch train --resume {args.out} --out {args.out}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except TrainingDiverged as e:
        print(f"nnscratch: error: training diverged: {e}; no model written", file=sys.stderr)
        return EXIT_DIVERGED
    seconds = time.perf_counter() - t0
    full_history = history + result.history
    save_model(args.out, result.params, {**meta, "complete": True, "epoch": config.epochs,
               "history": full_history, "train_seconds": seconds},
               state=result.optimizer.state)
    last = full_history[-1]
    sizes = "-".join(str(n) for n in config.layer_sizes(data.X.shape[0]))
    print(f"trained {sizes} for {config.epochs} epochs on {y_train.size} examples "
          f"in {seconds:.1f} s")
    print(f"train accuracy: {last['train_accuracy']:.4f}")
    if y_test.size:
        print(f"test accuracy: {last['test_accuracy']:.4f} ({y_test.size} held-out examples)")
    print(f"saved: {args.out}")
    return 0
# --8<-- [end:cmd_train]


def _evaluation_data(args: argparse.Namespace, meta: dict) -> tuple[Dataset, np.ndarray,
                                                                     np.ndarray, str]:
    if args.data is not None:
        data = load(args.data, part="test")
        described = f"all of {data.source}"
        recorded = meta.get("data", {})
        if data.sha256 == recorded.get("sha256") and recorded.get("n_train"):
            described += f" (including the {recorded['n_train']} examples it was trained on)"
        return data, data.X, _require_labels(data), described
    recorded = meta.get("data")
    if not recorded:
        raise InputError(args.model, "records no training data; give --data")
    if recorded["test_fraction"] == 0:
        raise InputError(args.model, "was trained on all of its data (test fraction 0); "
                                     "give --data to evaluate it")
    data = load(recorded["source"], part="train")
    if data.sha256 != recorded["sha256"]:
        raise InputError(recorded["source"], "has changed since the model was trained "
                                             "(SHA-256 differs); give --data explicitly")
    _, _, X_test, y_test = train_test_split(data.X, _require_labels(data),
                                            recorded["test_fraction"], recorded["split_seed"])
    return data, X_test, y_test, (f"held-out {recorded['test_fraction']:g} of {data.source} "
                                  f"(split seed {recorded['split_seed']})")


def cmd_evaluate(args: argparse.Namespace) -> int:
    params, meta = load_model(args.model)
    data, X, y, described = _evaluation_data(args, meta)
    _check_fits(args.model, params, data)
    if y.size == 0:
        raise InputError(data.source, "has no examples to evaluate")
    y_pred = predictions(_probabilities(params, meta, X))
    n_classes = max(10, params[f"W{len(params) // 2}"].shape[0])
    C = confusion_matrix(y, y_pred, n_classes)
    acc = accuracy(y_pred, y)
    if args.json:
        print(json.dumps({
            "accuracy": acc, "n": int(y.size), "data": described,
            "confusion": C.tolist(),
            "per_class_accuracy": [None if np.isnan(a) else float(a)
                                   for a in per_class_accuracy(C)],
        }))
        return 0
    print(f"accuracy: {acc:.4f}")
    print(f"n: {y.size}")
    print(f"data: {described}")
    print("confusion matrix (rows: true label, columns: predicted):")
    width = max(5, len(str(C.max())) + 1)
    print("     " + "".join(f"{j:>{width}}" for j in range(n_classes)))
    for i, row in enumerate(C):
        print(f"{i:>5}" + "".join(f"{c:>{width}}" for c in row))
    return 0


# --8<-- [start:predict]
def cmd_predict(args: argparse.Namespace) -> int:
    _check_out_path(args.out)
    params, meta = load_model(args.model)
    data = load(args.data, part="test")
    _check_fits(args.model, params, data)
    y_pred = predictions(_probabilities(params, meta, data.X))
    lines = ["ImageId,Label"] + [f"{i},{label}" for i, label in enumerate(y_pred, start=1)]
    with atomic_open(args.out, "w", newline="") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {y_pred.size} predictions to {args.out}")
    return 0
# --8<-- [end:predict]


def cmd_download(args: argparse.Namespace) -> int:
    from nnscratch.data import download

    if args.list or not args.name:
        for name in download.list_datasets():
            print(name)
        return 0
    folder = download.download(args.name, mirror=args.mirror)
    print(f"{args.name}: {folder}")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from nnscratch.experiments import bench

    return bench.run(args)


COMMANDS = {"train": cmd_train, "evaluate": cmd_evaluate, "predict": cmd_predict,
            "download": cmd_download, "bench": cmd_bench}


# --8<-- [start:main]
def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (the console script exits with it)."""
    args = build_parser().parse_args(argv)
    try:
        code = COMMANDS[args.command](args)
        sys.stdout.flush()  # a closed pipe surfaces here, inside the try, not at exit
        return code
    except BrokenPipeError:
        # Whoever read our output stopped early (`nnscratch evaluate ... | head`): not an
        # error of ours. Point stdout at /dev/null so the flush at exit stays quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except InputError as e:
        print(f"nnscratch: error: {e}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("nnscratch: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
# --8<-- [end:main]


if __name__ == "__main__":
    sys.exit(main())
