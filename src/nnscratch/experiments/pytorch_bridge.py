"""The book's network in PyTorch: the same parameters, the same batches, the same steps.

``python -m nnscratch.experiments.pytorch_bridge --out docs/results/pytorch.json`` trains one
network three times on the packaged sample, from the same initial parameters and on the same
mini-batches: with the library (``forward``, ``backward``, ``Adam``), with PyTorch
(``nn.Sequential``, ``cross_entropy``, ``torch.optim.Adam`` with ``weight_decay`` on the
weights only, a ``DataLoader``), and with PyTorch again, its ε placed where the library's
Adam places it. It records the loss of every step of the three runs, and what the trained
networks predict on the held-out digits; the chapter "From scratch to PyTorch" draws the
losses from that file.

PyTorch is optional (``pip install 'nnscratch[torch]'``): the functions that need it import
it when they are called, so this module, :func:`library_train` and :class:`LibraryBatches`
work without it. Layout: the library's ``W[l]`` is ``(n_l, n_{l-1})``, as ``nn.Linear.weight``
is; its ``b[l]`` is ``(n_l, 1)`` where ``nn.Linear.bias`` is ``(n_l,)``; and PyTorch puts the
examples in rows, so its input is ``Xᵀ`` ``(m, n_0)`` and its scores are ``Z[L]ᵀ`` ``(m, n_L)``.
"""

import argparse
import datetime
import math
import platform
import shlex
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import numpy as np

from nnscratch.data import load_sample, train_test_split
from nnscratch.experiments import load_json, results_path, write_json
from nnscratch.initialization import he_init
from nnscratch.loss import cross_entropy
from nnscratch.network import Params, backward, forward, n_layers, predict
from nnscratch.onehot import one_hot
from nnscratch.optimizers import Adam
from nnscratch.regularization import batch_lam, l2_penalty
from nnscratch.training import epoch_orders

if TYPE_CHECKING:  # annotations only: PyTorch is imported where it is used
    import torch

SCHEMA = 1
"""Version of the results file's layout."""
RUNS = ("nnscratch", "torch", "torch_library_eps")
"""The three runs of the results file: the library, PyTorch, PyTorch with the library's ε."""


@dataclass(frozen=True)
class BridgeSettings:
    """One comparison run: the network, the objective, Adam's settings and the batches.

    ``l2`` is the book's ``λ`` (the penalty ``(λ/2m) Σ ||W||²`` over the ``m`` training
    examples); PyTorch's ``weight_decay`` is then ``λ/m``. ``steps`` stops every run after
    that many steps (``None``: all the steps of ``epochs`` epochs), a cheap slice of the run.
    """

    hidden: tuple[int, ...] = (100, 100)
    activation: str = "relu"
    alpha: float = 0.01
    l2: float = 3.0
    lr: float = 0.001
    batch_size: int = 64
    epochs: int = 3
    steps: int | None = None
    seed: int = 0

    def command(self) -> str:
        """The command that runs these settings (without ``--out``).

        >>> BridgeSettings(steps=5).command()
        'python -m nnscratch.experiments.pytorch_bridge --hidden 100,100 --activation relu \
--alpha 0.01 --l2 3.0 --lr 0.001 --batch-size 64 --epochs 3 --steps 5 --seed 0'
        """
        words = ["python", "-m", "nnscratch.experiments.pytorch_bridge",
                 "--hidden", ",".join(map(str, self.hidden)), "--activation", self.activation,
                 "--alpha", str(self.alpha), "--l2", str(self.l2), "--lr", str(self.lr),
                 "--batch-size", str(self.batch_size), "--epochs", str(self.epochs)]
        if self.steps is not None:
            words += ["--steps", str(self.steps)]
        return shlex.join([*words, "--seed", str(self.seed)])


# --8<-- [start:to_sequential]
def to_sequential(
    params: Params, activation: str = "relu", alpha: float = 0.01
) -> "torch.nn.Sequential":
    """The network of ``params`` as an ``nn.Sequential`` of ``nn.Linear`` layers, same numbers.

    ``nn.Linear(n_in, n_out).weight`` is ``(n_out, n_in)``: the book's ``W[l]``, copied as it
    is; the bias ``(n_l, 1)`` loses its column. Hidden layers get ``nn.ReLU()`` or
    ``nn.LeakyReLU(negative_slope=alpha)``. No softmax at the end: the model returns the
    scores ``Z[L]ᵀ`` ``(m, n_L)``, which is what ``nn.CrossEntropyLoss`` takes. The dtype is
    that of the arrays (float64 stays float64).
    """
    import torch
    from torch import nn

    L = n_layers(params)
    layers = []
    for l in range(1, L + 1):
        W = torch.tensor(params[f"W{l}"])                  # (n_l, n_{l-1}), a copy
        b = torch.tensor(params[f"b{l}"][:, 0])            # (n_l,)
        linear = nn.Linear(W.shape[1], W.shape[0], dtype=W.dtype)
        with torch.no_grad():
            linear.weight.copy_(W)
            linear.bias.copy_(b)
        layers.append(linear)
        if l < L:
            layers.append(nn.ReLU() if activation == "relu"
                          else nn.LeakyReLU(negative_slope=alpha))
    return nn.Sequential(*layers)
# --8<-- [end:to_sequential]


# --8<-- [start:params_of]
def params_of(model: "torch.nn.Sequential", grad: bool = False) -> Params:
    """The book's parameter dict of ``model`` (``{"W1", "b1", ...}``, biases ``(n_l, 1)``).

    With ``grad``, the gradients that ``loss.backward()`` left in ``.grad`` instead, in the
    same layout: the dict ``backward`` returns.
    """
    from torch import nn

    out: Params = {}
    linears = [layer for layer in model if isinstance(layer, nn.Linear)]
    for l, linear in enumerate(linears, start=1):
        W, b = (linear.weight.grad, linear.bias.grad) if grad else (linear.weight, linear.bias)
        out[f"W{l}"] = W.detach().numpy().copy()
        out[f"b{l}"] = b.detach().numpy()[:, None].copy()
    return out
# --8<-- [end:params_of]


# --8<-- [start:torch_objective]
def torch_objective(
    model: "torch.nn.Sequential", X: np.ndarray, y: np.ndarray, lam: float
) -> "torch.Tensor":
    """The book's objective in PyTorch: mean cross-entropy of the scores + ``(λ/2m) Σ ||W||²``.

    ``X`` is the book's ``(n_0, m)``; PyTorch gets its rows, ``Xᵀ``. ``cross_entropy`` takes
    the scores and the labels ``y`` ``(m,)`` (no one-hot, no softmax: it computes
    ``log softmax`` by log-sum-exp itself). Call ``.backward()`` on the result for the
    gradients.
    """
    import torch
    from torch import nn

    m = y.size
    scores = model(torch.from_numpy(np.ascontiguousarray(X.T)))          # (m, n_L)
    data_term = nn.functional.cross_entropy(scores, torch.from_numpy(y.astype(np.int64)))
    weights = [layer.weight for layer in model if isinstance(layer, nn.Linear)]
    return data_term + lam / (2 * m) * sum((W * W).sum() for W in weights)
# --8<-- [end:torch_objective]


# --8<-- [start:torch_adam]
def torch_adam(
    model: "torch.nn.Sequential", lr: float, weight_decay: float, eps: float = 1e-8
) -> "torch.optim.Adam":
    """``torch.optim.Adam`` with ``weight_decay`` on the weights and none on the biases.

    ``Adam(weight_decay=w)`` adds ``w θ`` to the gradient of every parameter it is given
    (the ordinary L2 gradient, ``(λ/m) W`` for ``w = λ/m``), biases included: two parameter
    groups keep the biases out, as the book's penalty does.
    """
    import torch

    named = list(model.named_parameters())
    weights = [p for name, p in named if name.endswith("weight")]
    biases = [p for name, p in named if name.endswith("bias")]
    return torch.optim.Adam([{"params": weights, "weight_decay": weight_decay},
                             {"params": biases, "weight_decay": 0.0}], lr=lr, eps=eps)
# --8<-- [end:torch_adam]


# --8<-- [start:library_eps]
def library_eps(eps: float, beta2: float, t: int) -> float:
    """The ε that makes PyTorch's step ``t`` (1, 2, ...) the library's Adam step.

    PyTorch divides by ``√v̂ + ε`` with ``v̂ = v / (1 - β₂ᵗ)``; the library by ``√v + ε``,
    which is ``√v̂ + ε / √(1 - β₂ᵗ)`` once the step size carries the ``√(1 - β₂ᵗ)``. Larger
    than ``eps`` (``√1000 ≈ 31.6`` times ``eps`` at ``t = 1``), it tends to ``eps`` as ``t`` grows.

    >>> round(library_eps(1e-8, 0.999, 1) / 1e-8, 2), round(library_eps(1e-8, 0.999, 10**5), 12)
    (31.62, 1e-08)
    """
    return eps / math.sqrt(1 - beta2**t)
# --8<-- [end:library_eps]


# --8<-- [start:library_batches]
class LibraryBatches:
    """The library's mini-batches, epoch after epoch, for a ``DataLoader``'s ``batch_sampler``.

    ``iter()`` gives one epoch: the next order of ``epoch_orders(seed, m, batch_size)`` cut
    into batches of ``batch_size`` indices, as ``train`` cuts it. A ``DataLoader`` iterates
    its ``batch_sampler`` once per epoch, so it then sees the library's batches.

    >>> batches = LibraryBatches(seed=0, m=4, batch_size=2)
    >>> [b.tolist() for b in batches], [b.tolist() for b in batches], len(batches)
    ([[3, 0], [2, 1]], [[1, 3], [2, 0]], 2)
    """

    def __init__(self, seed: int, m: int, batch_size: int):
        self.m, self.batch_size = m, batch_size
        self.orders = epoch_orders(seed, m, batch_size)

    def __iter__(self) -> Iterator[np.ndarray]:
        order = next(self.orders)
        return (order[s:s + self.batch_size] for s in range(0, self.m, self.batch_size))

    def __len__(self) -> int:
        return -(-self.m // self.batch_size)
# --8<-- [end:library_batches]


# --8<-- [start:library_train]
def library_train(
    params: Params, X: np.ndarray, y: np.ndarray, settings: BridgeSettings
) -> list[float]:
    """Train ``params`` in place with the library's Adam; the objective at every step.

    The batches are ``LibraryBatches``; each step records the batch's cross-entropy plus
    the penalty ``(λ/2m) Σ ||W||²`` before it updates, then takes ``backward`` with the
    batch's share of ``λ`` (``batch_lam``) and ``Adam.step``.
    """
    m, s = y.size, settings
    Y = one_hot(y, params[f"W{n_layers(params)}"].shape[0], X.dtype)
    weights = [params[f"W{l}"] for l in range(1, n_layers(params) + 1)]
    opt, batches, losses = Adam(lr=s.lr), LibraryBatches(s.seed, m, s.batch_size), []
    for _ in range(s.epochs):
        for idx in batches:
            AL, cache = forward(params, X[:, idx], s.activation, s.alpha)
            losses.append(cross_entropy(AL, Y[:, idx]) + l2_penalty(weights, s.l2, m))
            lam = batch_lam(s.l2, idx.size, m)
            opt.step(params, backward(params, cache, AL, Y[:, idx], s.activation, s.alpha, lam))
            if len(losses) == s.steps:
                return losses
    return losses
# --8<-- [end:library_train]


# --8<-- [start:torch_train]
def torch_train(
    model: "torch.nn.Sequential", X: np.ndarray, y: np.ndarray, settings: BridgeSettings,
    match_library_eps: bool = False,
) -> list[float]:
    """Train ``model`` with ``torch.optim.Adam`` on the library's batches; the objective per step.

    ``weight_decay = λ/m`` on the weights (``torch_adam``) is the book's L2 gradient, so the
    loss that ``backward()`` differentiates is the cross-entropy alone; the penalty is added
    to the recorded number only. With ``match_library_eps`` every step gets the ε of
    :func:`library_eps`.
    """
    import torch
    from torch.utils.data import DataLoader, TensorDataset

    m, s = y.size, settings
    data = TensorDataset(torch.from_numpy(np.ascontiguousarray(X.T)), torch.from_numpy(y))
    batches = DataLoader(data, batch_sampler=LibraryBatches(s.seed, m, s.batch_size))
    opt = torch_adam(model, s.lr, weight_decay=s.l2 / m)
    weights = [p for name, p in model.named_parameters() if name.endswith("weight")]
    losses: list[float] = []
    for _ in range(s.epochs):
        for xb, yb in batches:
            loss = torch.nn.functional.cross_entropy(model(xb), yb.long())
            with torch.no_grad():
                penalty = s.l2 / (2 * m) * sum((W * W).sum() for W in weights)
            losses.append(float(loss.detach() + penalty))
            opt.zero_grad()
            loss.backward()
            if match_library_eps:
                for group in opt.param_groups:
                    group["eps"] = library_eps(1e-8, 0.999, len(losses))
            opt.step()
            if len(losses) == s.steps:
                return losses
    return losses
# --8<-- [end:torch_train]


def bridge_data() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The sample in float64, split as everywhere in the book (30 % test, seed 0)."""
    data = load_sample(np.float64)
    return train_test_split(data.X, data.y, test_fraction=0.3, seed=0)


def initial_params(settings: BridgeSettings, n_in: int = 784, n_out: int = 10) -> Params:
    """He-initialised float64 parameters from ``default_rng(settings.seed)``."""
    sizes = [n_in, *settings.hidden, n_out]
    return he_init(sizes, np.random.default_rng(settings.seed), dtype=np.float64)


def torch_run(
    settings: BridgeSettings, match_library_eps: bool, threads: int | None = None
) -> dict:
    """One PyTorch run of the comparison: its losses, parameters and test predictions."""
    import torch

    if threads is not None:
        torch.set_num_threads(threads)
    X, y, X_test, _ = bridge_data()
    model = to_sequential(initial_params(settings), settings.activation, settings.alpha)
    losses = torch_train(model, X, y, settings, match_library_eps)
    with torch.no_grad():
        scores = model(torch.from_numpy(np.ascontiguousarray(X_test.T)))
    return {"losses": losses, "params": params_of(model),
            "predictions": scores.argmax(dim=1).numpy()}


def library_run(settings: BridgeSettings) -> dict:
    """The library's run of the comparison: its losses, parameters and test predictions."""
    X, y, X_test, _ = bridge_data()
    params = initial_params(settings)
    losses = library_train(params, X, y, settings)
    return {"losses": losses, "params": params,
            "predictions": predict(params, X_test, settings.activation, settings.alpha)}


def max_abs_difference(a: Params, b: Params) -> float:
    """The largest ``|a[k] - b[k]|`` over every entry of every parameter ``k``.

    >>> max_abs_difference({"w": np.array([1.0, 2.0])}, {"w": np.array([1.5, 2.0])})
    0.5
    """
    return max(float(np.max(np.abs(a[k] - b[k]))) for k in a)


def compare(settings: BridgeSettings, log: Callable[..., None] = print) -> dict:
    """Run the three trainings of :data:`RUNS`; their losses and how far they end apart."""
    runs, seconds = {}, {}
    for name in RUNS:
        t0 = time.perf_counter()
        runs[name] = (library_run(settings) if name == "nnscratch"
                      else torch_run(settings, match_library_eps=name == "torch_library_eps"))
        seconds[name] = time.perf_counter() - t0
        log(f"{name:18s} {len(runs[name]['losses'])} steps in {seconds[name]:.2f} s, "
            f"last loss {runs[name]['losses'][-1]:.6f}")
    _, _, _, y_test = bridge_data()
    reference = runs["nnscratch"]
    return {
        "losses": {name: r["losses"] for name, r in runs.items()},
        "seconds": seconds,
        "max_param_difference": {name: max_abs_difference(r["params"], reference["params"])
                                 for name, r in runs.items() if name != "nnscratch"},
        "test_accuracy": {name: float(np.mean(r["predictions"] == y_test))
                          for name, r in runs.items()},
        "predictions_differ": {name: int(np.sum(r["predictions"] != reference["predictions"]))
                               for name, r in runs.items() if name != "nnscratch"},
        "test_size": int(y_test.size),
    }


def versions() -> dict:
    """Python's, NumPy's, PyTorch's and nnscratch's versions (``None``: not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for name in ("numpy", "torch", "nnscratch"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def results_file(settings: BridgeSettings, comparison: dict) -> dict:
    """The results file's content: the command, the settings, the versions, the runs."""
    settings_dict = asdict(settings)
    settings_dict["hidden"] = list(settings.hidden)
    return {
        "schema": SCHEMA,
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "command": settings.command(),
        "settings": settings_dict,
        "machine": {"platform": platform.platform(), "processor": platform.machine()},
        "versions": versions(),
        **comparison,
    }


def load_results(path: str | None = None) -> dict:
    """The results file of this command (default ``docs/results/pytorch.json``)."""
    return load_json(path or results_path("pytorch.json"))


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``python -m nnscratch.experiments.pytorch_bridge``."""
    d = BridgeSettings()
    p = argparse.ArgumentParser(
        prog="python -m nnscratch.experiments.pytorch_bridge",
        description="Train one network with nnscratch and with PyTorch (needs torch) from the "
                    "same parameters on the same batches; record the loss of every step.")
    p.add_argument("--hidden", default=",".join(map(str, d.hidden)),
                   help="hidden layer widths, comma-separated (default: %(default)s)")
    p.add_argument("--activation", choices=["relu", "leaky_relu"], default=d.activation)
    p.add_argument("--alpha", type=float, default=d.alpha, help="Leaky ReLU slope")
    p.add_argument("--l2", type=float, default=d.l2, help="λ (default: %(default)s)")
    p.add_argument("--lr", type=float, default=d.lr, help="Adam's learning rate")
    p.add_argument("--batch-size", type=int, default=d.batch_size)
    p.add_argument("--epochs", type=int, default=d.epochs)
    p.add_argument("--steps", type=int, default=None,
                   help="stop every run after this many steps (default: all epochs)")
    p.add_argument("--seed", type=int, default=d.seed)
    p.add_argument("--out", metavar="FILE", help="write the results to FILE (JSON)")
    return p


def settings_from(args: argparse.Namespace) -> BridgeSettings:
    """The parsed options as :class:`BridgeSettings`."""
    return BridgeSettings(
        hidden=tuple(int(h) for h in args.hidden.split(",") if h), activation=args.activation,
        alpha=args.alpha, l2=args.l2, lr=args.lr, batch_size=args.batch_size,
        epochs=args.epochs, steps=args.steps, seed=args.seed)


def main(argv: list[str] | None = None) -> int:
    """Run the comparison, print a summary, write ``--out``; the exit code."""
    args = build_parser().parse_args(argv)
    try:
        import torch  # noqa: F401  (only to fail early, with a clear message)
    except ImportError:
        print("this command needs PyTorch: pip install 'nnscratch[torch]'", file=sys.stderr)
        return 2
    settings = settings_from(args)
    result = results_file(settings, compare(settings))
    for name, diff in result["max_param_difference"].items():
        print(f"{name:18s} largest parameter difference from nnscratch: {diff:.3g}, "
              f"{result['predictions_differ'][name]} of {result['test_size']} test "
              "predictions differ")
    if args.out:
        write_json(args.out, result)
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
