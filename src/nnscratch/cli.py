"""The command line: ``nnscratch train | evaluate | predict | download | bench``.

This is the only module that prints results or exits. Every mistake in the user's input
ends as one line ``nnscratch: error: <file as given>: <what is wrong>`` on stderr and exit
code 2 (argparse's own usage errors keep argparse's format, also exit 2); a training run
whose loss stops being finite exits 3; Ctrl-C exits 130. No command leaves a half-written
output file: models and submissions are written to a temporary name and renamed.

The choices and defaults of the options come from the library's registries
(``ACTIVATIONS``, ``INITS``, ``OPTIMIZERS``, ``SCHEDULES``, ``TrainConfig``'s defaults); no
function below this module sees the parsed options.
"""

# --8<-- [start:imports]
import argparse
import contextlib
import dataclasses
import json
import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np

from nnscratch import __version__
from nnscratch.activations import ACTIVATIONS
from nnscratch.augment import Augmentation
from nnscratch.data import Dataset, load, train_test_split
from nnscratch.data.split import train_val_test_split
from nnscratch.errors import InputError
from nnscratch.evaluation import accuracy, confusion_matrix, per_class_accuracy
from nnscratch.files import atomic_open
from nnscratch.initialization import INITS
from nnscratch.modelfile import load_checkpoint, load_model, save_model
from nnscratch.network import Params, forward, n_layers
from nnscratch.onehot import predictions
from nnscratch.optimizers import OPTIMIZERS, Optimizer, make_optimizer
from nnscratch.training import (
    AUGMENTED,
    SCHEDULES,
    KeepBest,
    TrainConfig,
    TrainingDiverged,
    TrainResult,
    evaluate_loss,
    train,
)

EXIT_INPUT, EXIT_DIVERGED, EXIT_INTERRUPTED = 2, 3, 130
DEFAULTS = TrainConfig()
RECIPE = ("hidden", "epochs", "schedule", "batch_size", "l2", "dropout")
"""The options whose defaults ``--augment`` changes (to those of ``training.AUGMENTED``)."""
OPTION_NAMES = {"hidden": "layers"}
# --8<-- [end:imports]


# ---------------------------------------------------------------------------------------
# Argument types: each rejects a bad value with argparse's usual message and exit code 2.
# ---------------------------------------------------------------------------------------


def _layers(text: str) -> tuple[int, ...]:
    """An argparse type: ``"100,100"`` -> ``(100, 100)``, positive widths only."""
    try:
        sizes = tuple(int(s) for s in text.split(",") if s.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected widths like 100,100, got {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"expected positive widths like 100,100, got {text!r}")
    return sizes


def _batch_size(text: str) -> int | None:
    """An argparse type: a positive integer, or ``"full"`` (``None``: full batch)."""
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
    """An argparse type: a finite ``kind`` number above 0."""
    return _number(kind, lambda v: v > 0, "a positive number")


DATA_HELP = ("a Kaggle CSV (train.csv / test.csv, plain or .gz), an MNIST-format IDX folder, "
             "a downloaded dataset name (mnist, fashion-mnist) or 'sample' "
             "(default: the embedded 10,000-digit sample)")


def _default_lrs() -> str:
    """``"0.001 for adam, 0.1 for gd, 0.1 for momentum"``: each optimizer's own default."""
    return ", ".join(f"{make_optimizer(name).lr:g} for {name}" for name in sorted(OPTIMIZERS))


def _defaults(name: str, show: Callable = str) -> str:
    """``"default: 20; with --augment: 60"``: both defaults of a ``RECIPE`` option.

    >>> _defaults("dropout")
    'default: 0.0; with --augment: 0.2'
    """
    plain, augmented = getattr(DEFAULTS, name), getattr(AUGMENTED, name)
    return f"default: {show(plain)}; with --augment: {show(augmented)}"


def _strengths(aug: Augmentation) -> str:
    """``"shift 2 px, rotation 10°, ..."``: the augmentation of ``--augment``, for ``--help``.

    >>> _strengths(Augmentation(shift=2, elastic_alpha=8))
    'shift 2 px, rotation 0°, scale ±0, shear ±0, elastic α 8 px, σ 4 px'
    """
    return (f"shift {aug.shift:g} px, rotation {aug.rotation:g}°, scale ±{aug.scale:g}, "
            f"shear ±{aug.shear:g}, elastic α {aug.elastic_alpha:g} px, "
            f"σ {aug.elastic_sigma:g} px")


def _widths(hidden: tuple[int, ...]) -> str:
    """``(256, 128)`` -> ``"256,128"``, as ``--layers`` takes it."""
    return ",".join(str(n) for n in hidden)


def add_model_options(t: argparse.ArgumentParser) -> None:
    """``nnscratch train``'s options for the network and its training."""
    t.add_argument("--layers", type=_layers, dest="hidden", metavar="LAYERS",
                   default=argparse.SUPPRESS,
                   help=f"hidden layer widths, comma-separated ({_defaults('hidden', _widths)}; "
                        "the notebook used 100 and 100,100)")
    t.add_argument("--activation", choices=sorted(ACTIVATIONS), default=DEFAULTS.activation)
    t.add_argument("--alpha", type=_positive(float), default=DEFAULTS.alpha,
                   help="Leaky ReLU slope for z < 0 (default: %(default)s)")
    t.add_argument("--init", choices=sorted(INITS), default=DEFAULTS.init,
                   help="weight initialisation (uniform is the notebook's rand*0.01)")
    t.add_argument("--optimizer", choices=sorted(OPTIMIZERS), default=DEFAULTS.optimizer)
    t.add_argument("--lr", type=_positive(float),
                   help=f"learning rate (default: {_default_lrs()})")
    t.add_argument("--schedule", choices=sorted(SCHEDULES), default=argparse.SUPPRESS,
                   help=_defaults("schedule"))
    t.add_argument("--epochs", type=_positive(int), default=argparse.SUPPRESS,
                   help=f"passes over the training data ({_defaults('epochs')}; "
                        "with --resume: the new total)")
    t.add_argument("--batch-size", type=_batch_size, default=argparse.SUPPRESS,
                   help="examples per step, or 'full' for full-batch gradient descent "
                        f"({_defaults('batch_size')})")
    t.add_argument("--l2", type=_non_negative_float, default=argparse.SUPPRESS,
                   help=f"L2 penalty λ in (λ/2m)·Σ‖W‖² ({_defaults('l2')})")
    t.add_argument("--dropout", type=_fraction, default=argparse.SUPPRESS,
                   help="probability of dropping a hidden unit in training "
                        f"({_defaults('dropout')})")
    t.add_argument("--augment", action="store_true",
                   help="distort every training batch (random shifts, rotations, scalings, "
                        "shears and elastic distortions) and change the defaults of the "
                        "options not given to the recipe chosen for it: "
                        + ", ".join(f"--{OPTION_NAMES.get(n, n).replace('_', '-')}"
                                    for n in RECIPE)
                        + f" (strengths: {_strengths(AUGMENTED.augment)})")
    t.add_argument("--seed", type=int, default=DEFAULTS.seed,
                   help="drives initialisation and shuffling")
    t.add_argument("--dtype", choices=["float32", "float64"], default=DEFAULTS.dtype)


def add_train(sub: argparse._SubParsersAction) -> None:
    """``nnscratch train``: the data and run options, then :func:`add_model_options`."""
    t = sub.add_parser("train", help="train a network and save it to a model file",
                       description="Train a network and save it to a model file (.npz).")
    t.add_argument("--data", help=DATA_HELP)
    add_model_options(t)
    t.add_argument("--split-seed", type=int, default=0, help="fixes the train/test split")
    t.add_argument("--test-fraction", type=_fraction, default=0.3,
                   help="held-out fraction; 0 trains on everything (default: %(default)s)")
    t.add_argument("--val-fraction", type=_fraction, default=0.0,
                   help="fraction of the training part held out as validation data, scored "
                        "after every epoch; the test part stays the same (default: %(default)s)")
    t.add_argument("--keep", choices=["best", "last"],
                   help="save the parameters of the best validation epoch or of the last "
                        "(default: best with --val-fraction, last without)")
    t.add_argument("--resume", metavar="MODEL",
                   help="continue an interrupted run from its checkpoint")
    t.add_argument("--quiet", action="store_true", help="no progress bar")
    t.add_argument("--threads", type=_positive(int),
                   help="BLAS threads for training (default: the BLAS library's own choice; "
                        "1 is often fastest for small networks on a busy machine)")
    t.add_argument("--out", required=True, metavar="MODEL", help="where to write the model")


def add_evaluate_and_predict(sub: argparse._SubParsersAction) -> None:
    """``nnscratch evaluate`` and ``nnscratch predict``: the commands that use a model."""
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


def add_download_and_bench(sub: argparse._SubParsersAction) -> None:
    """``nnscratch download`` and ``nnscratch bench`` (whose options live with the bench)."""
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
    from nnscratch.experiments import bench  # its peers (torch, sklearn) load only when run

    bench.add_arguments(b)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``nnscratch`` command."""
    parser = argparse.ArgumentParser(
        prog="nnscratch",
        description="Train, evaluate and use a neural network written from scratch in NumPy.",
    )
    parser.add_argument("--version", action="version", version=f"nnscratch {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_train(sub)
    add_evaluate_and_predict(sub)
    add_download_and_bench(sub)
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
    """The labels of ``data``; an ``InputError`` for an unlabelled file."""
    if data.y is None:
        raise InputError(data.source, "has no label column; this command needs labels")
    return data.y


def _check_fits(model_path: str, params: dict[str, np.ndarray], data: Dataset) -> None:
    """Refuse data whose examples have another size than the model's input."""
    n_in = params["W1"].shape[1]
    if data.X.shape[0] != n_in:
        raise InputError(model_path, f"the model takes {n_in} inputs per example, "
                                     f"but {data.source} has {data.X.shape[0]}")


def _probabilities(params: dict[str, np.ndarray], meta: dict, X: np.ndarray) -> np.ndarray:
    """``A[L]`` of the model on ``X``, in the model's dtype and activation."""
    X = X.astype(params["W1"].dtype, copy=False)
    AL, _ = forward(params, X, meta.get("activation", "relu"), meta.get("alpha", 0.01))
    return AL


def _model_meta(plan: "TrainPlan", data: Dataset, n_train: int, n_val: int, n_test: int) -> dict:
    """What a model file records besides its arrays: the network, the data and the run."""
    return {
        "activation": plan.config.activation,
        "alpha": plan.config.alpha,
        "input_scaling": "pixel / 255",
        "data": {
            "source": data.source,
            "sha256": data.sha256,
            "split_seed": plan.split_seed,
            "test_fraction": plan.test_fraction,
            "val_fraction": plan.val_fraction,
            "n_train": n_train,
            "n_val": n_val,
            "n_test": n_test,
        },
        "training": plan.config.to_dict(),
        "keep": plan.keep,
        "threads": plan.threads,
    }


# --8<-- [start:snapshot]
def _blas_threads(n: int | None):
    """Limit NumPy's BLAS to ``n`` threads for the duration of a ``with`` block."""
    if n is None:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits  # env vars would be too late: numpy is loaded

    return threadpool_limits(limits=n, user_api="blas")


def _snapshot(result: TrainResult) -> tuple[dict, dict]:
    """Copies of the parameters and the optimizer's state, safe from the steps that follow."""
    params = {k: v.copy() for k, v in result.params.items()}
    state = {k: np.array(v, copy=True) for k, v in result.optimizer.state.items()}
    return params, state
# --8<-- [end:snapshot]


# ---------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------


# --8<-- [start:cmd_train]
@dataclass
class TrainPlan:
    """What one ``nnscratch train`` run needs besides its output: a new one, or the rest of
    a checkpoint's (then with its parameters, optimizer, epochs done, data checksum and,
    with ``keep="best"``, the best epoch so far). ``threads`` is ``--threads``, recorded in
    the file, so a resumed run uses the BLAS thread count of the run it continues: OpenBLAS
    may split a product's columns by thread, and round them differently."""

    config: TrainConfig
    data: str | None
    split_seed: int
    test_fraction: float
    val_fraction: float = 0.0
    keep: str = "last"
    params: Params | None = None
    optimizer: Optimizer | None = None
    start_epoch: int = 0
    history: list[dict] = field(default_factory=list)
    sha256: str | None = None
    best: KeepBest | None = None
    threads: int | None = None


def fresh_config(args: argparse.Namespace) -> TrainConfig:
    """The command line's options as a config: each ``RECIPE`` option not given takes its
    default from ``AUGMENTED`` with ``--augment``, from ``TrainConfig()`` without."""
    base = AUGMENTED if args.augment else DEFAULTS
    given = vars(args)        # the RECIPE options are in it only when given (SUPPRESS)
    recipe = {k: given[k] if k in given else getattr(base, k) for k in RECIPE}
    lr = args.lr if args.lr is not None else make_optimizer(args.optimizer).lr
    return TrainConfig(
        **recipe, activation=args.activation, alpha=args.alpha, init=args.init,
        optimizer=args.optimizer, lr=lr, seed=args.seed, dtype=args.dtype,
        augment=base.augment if args.augment else None,
    )


def fresh_plan(args: argparse.Namespace) -> TrainPlan:
    """A new run, configured by the command line's options."""
    keep = args.keep or ("best" if args.val_fraction else "last")
    if keep == "best" and not args.val_fraction:
        raise InputError("--keep best", "needs validation data; give --val-fraction")
    return TrainPlan(fresh_config(args), args.data, args.split_seed, args.test_fraction,
                     args.val_fraction, keep, threads=args.threads)


def resume_plan(path: str, epochs: int | None, data: str | None,
                threads: int | None = None) -> TrainPlan:
    """The rest of the run saved in the checkpoint at ``path``, up to ``epochs`` in total
    (default: the recorded total), on ``data`` (default: the recorded source), with
    ``threads`` BLAS threads (default: the recorded ``--threads``)."""
    params, meta, state = load_checkpoint(path)
    if "training" not in meta or "data" not in meta:
        raise InputError(path, "has no training record to resume from")
    config = TrainConfig.from_dict(meta["training"])
    config = dataclasses.replace(config, epochs=epochs or config.epochs)
    start_epoch = meta.get("epoch", 0)
    if start_epoch >= config.epochs:
        raise InputError(path, f"already trained for {start_epoch} epochs; "
                               "pass a larger --epochs to continue")
    last = {k.removeprefix("last/"): v for k, v in state.items() if k.startswith("last/")}
    optimizer = make_optimizer(config.optimizer, config.lr)
    optimizer.state.update({k: v for k, v in state.items() if not k.startswith("last/")})
    recorded, history, best = meta["data"], meta.get("history", []), None
    if meta.get("keep") == "best":   # the file holds the best epoch's; training goes on from
        best = KeepBest(history[meta["best_epoch"] - 1], params)   # the last epoch's
        params = last
    return TrainPlan(config, data or recorded["source"], recorded["split_seed"],
                     recorded["test_fraction"], recorded.get("val_fraction", 0.0),
                     meta.get("keep", "last"), params, optimizer, start_epoch, history,
                     recorded["sha256"], best, threads or meta.get("threads"))


class Split(NamedTuple):
    """The three parts of the data: training, validation (maybe empty) and test."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


def split_data(plan: TrainPlan) -> tuple[Dataset, Split]:
    """The plan's data and its training, validation and test parts."""
    data = load(plan.data, part="train", dtype=np.dtype(plan.config.dtype))
    y = _require_labels(data)
    if plan.sha256 is not None and data.sha256 != plan.sha256:
        raise InputError(data.source, "is not the data this checkpoint was trained on "
                                      "(SHA-256 differs)")
    split = Split(*train_val_test_split(data.X, y, plan.test_fraction, plan.val_fraction,
                                        plan.split_seed))
    if split.y_train.size == 0:
        raise InputError(data.source, "leaves no training examples after the split")
    if plan.val_fraction and split.y_val.size == 0:
        raise InputError(data.source, "leaves no validation examples after the split")
    return data, split


class LastEpoch:
    """``train``'s callback: a copy of the parameters and the optimizer's state after each
    completed epoch, with the history so far (``earlier``: a checkpoint's epochs), and,
    with ``best``, the best validation epoch's parameters too."""

    def __init__(self, earlier: list[dict], best: KeepBest | None = None):
        self.earlier, self.saved, self.best = earlier, None, best

    def __call__(self, record: dict, result: TrainResult) -> None:
        """Keep this epoch's copy (called by ``train`` after every evaluated epoch)."""
        if self.best is not None:
            self.best(record, result)
        params, state = _snapshot(result)
        self.saved = {"params": params, "state": state, "epoch": record["epoch"],
                      "history": self.earlier + result.history}


def _kept(meta: dict, params: Params, state: dict, best: KeepBest | None) -> tuple[dict, ...]:
    """What a file holds: with ``best``, the best epoch's parameters, and the last epoch's
    under ``state/last/`` (where ``--resume`` goes on from); else the last epoch's."""
    if best is None:
        return meta, params, state
    state = {**state, **{f"last/{k}": v for k, v in params.items()}}
    return {**meta, "best_epoch": best.record["epoch"]}, best.params, state


def save_interrupted(out: str, last: LastEpoch, meta: dict, epochs: int) -> int:
    """After Ctrl-C: save the last complete epoch's checkpoint, if there is one."""
    if last.saved is None:
        print("nnscratch: interrupted before the first epoch ended; no model written",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    saved = last.saved
    meta, params, state = _kept({**meta, "complete": False, "epoch": saved["epoch"],
                                 "history": saved["history"]}, saved["params"], saved["state"],
                                last.best)
    save_model(out, params, meta, state=state)
    print(f"nnscratch: interrupted; saved the checkpoint of epoch {saved['epoch']} "
          f"of {epochs} to {out} (complete: false); continue with "
          f"nnscratch train --resume {out} --out {out}", file=sys.stderr)
    return EXIT_INTERRUPTED


def run_plan(plan: TrainPlan, split: Split, last: LastEpoch, threads: int | None,
             quiet: bool) -> tuple[TrainResult, float]:
    """Train as planned on ``split``; return the result and the seconds it took.

    With validation data, every epoch is scored on it and the test part is left alone
    (it is scored once, at the end, by :func:`final_scores`)."""
    validating = split.y_val.size > 0
    t0 = time.perf_counter()
    with _blas_threads(threads):
        result = train(split.X_train, split.y_train, plan.config,
                       X_test=None if validating else split.X_test,
                       y_test=None if validating else split.y_test,
                       X_val=split.X_val if validating else None,
                       y_val=split.y_val if validating else None,
                       params=plan.params, optimizer=plan.optimizer,
                       start_epoch=plan.start_epoch, callback=last,
                       progress=False if quiet else None)
    return result, time.perf_counter() - t0


def final_scores(plan: TrainPlan, split: Split, params: Params, kept: dict) -> dict:
    """The kept epoch's record with the test part scored once, by the kept parameters."""
    scores = dict(kept)
    if split.y_test.size:
        scores["test_loss"], scores["test_accuracy"] = evaluate_loss(
            params, split.X_test, split.y_test, plan.config, penalty=False)
    return scores


def report_trained(plan: TrainPlan, n_inputs: int, split: Split, scores: dict,
                   seconds: float, out: str) -> None:
    """The lines a finished ``nnscratch train`` prints."""
    sizes = "-".join(str(n) for n in plan.config.layer_sizes(n_inputs))
    n_train, n_val, n_test = split.y_train.size, split.y_val.size, split.y_test.size
    print(f"trained {sizes} for {plan.config.epochs} epochs on {n_train} examples "
          f"in {seconds:.1f} s")
    print(f"train accuracy: {scores['train_accuracy']:.4f}")
    if n_val:
        print(f"validation accuracy: {scores['val_accuracy']:.4f} ({n_val} examples; "
              f"kept epoch {scores['epoch']}: {plan.keep})")
    if n_test:
        print(f"test accuracy: {scores['test_accuracy']:.4f} ({n_test} held-out examples)")
    print(f"saved: {out}")


def cmd_train(args: argparse.Namespace) -> int:
    """``nnscratch train``: plan (fresh or resumed), load and split, train, save, report."""
    _check_out_path(args.out)
    plan = (resume_plan(args.resume, getattr(args, "epochs", None), args.data, args.threads)
            if args.resume else fresh_plan(args))
    data, split = split_data(plan)
    meta = _model_meta(plan, data, split.y_train.size, split.y_val.size, split.y_test.size)
    best = plan.best or (KeepBest() if plan.keep == "best" else None)
    last = LastEpoch(plan.history, best)
    try:
        result, seconds = run_plan(plan, split, last, plan.threads, args.quiet)
    except KeyboardInterrupt:
        return save_interrupted(args.out, last, meta, plan.config.epochs)
    except TrainingDiverged as e:
        print(f"nnscratch: error: training diverged: {e}; no model written", file=sys.stderr)
        return EXIT_DIVERGED
    history = plan.history + result.history
    meta, params, state = _kept({**meta, "complete": True, "epoch": plan.config.epochs,
                                 "history": history, "train_seconds": seconds},
                                result.params, result.optimizer.state, best)
    scores = final_scores(plan, split, params, best.record if best else history[-1])
    save_model(args.out, params, {**meta, "final": scores}, state=state)
    report_trained(plan, data.X.shape[0], split, scores, seconds, args.out)
    return 0
# --8<-- [end:cmd_train]


def _evaluation_data(args: argparse.Namespace, meta: dict) -> tuple[Dataset, np.ndarray,
                                                                     np.ndarray, str]:
    """What ``evaluate`` scores: ``--data`` whole, or the held-out part of the
    recorded training data; with the description printed beside the numbers."""
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
    """``nnscratch evaluate``: accuracy, count and confusion matrix (or one JSON object)."""
    params, meta = load_model(args.model)
    data, X, y, described = _evaluation_data(args, meta)
    _check_fits(args.model, params, data)
    if y.size == 0:
        raise InputError(data.source, "has no examples to evaluate")
    y_pred = predictions(_probabilities(params, meta, X))
    n_classes = max(10, params[f"W{n_layers(params)}"].shape[0])
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
    """``nnscratch predict``: one label per row, written as a Kaggle submission."""
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
    """``nnscratch download``: list the datasets, or fetch one into the cache."""
    from nnscratch.data import download

    if args.list or not args.name:
        for name in download.list_datasets():
            print(name)
        return 0
    folder = download.download(args.name, mirror=args.mirror)
    print(f"{args.name}: {folder}")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    """``nnscratch bench``: the benchmark of :mod:`nnscratch.experiments.bench`."""
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
