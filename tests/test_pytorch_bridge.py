"""Tests for nnscratch.experiments.pytorch_bridge and the results file of the PyTorch chapter.

The module must import, and its library half must run, without PyTorch; the tests that need
PyTorch are skipped (with the reason) where it is not installed, and CI runs them in a
venv of their own that has it. ``test_command_slice_reproduces_the_file`` re-runs the first
steps of the recorded command and compares them with the file that the book draws from.
"""

import importlib.util
import json
import math
import shlex
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest

from nnscratch.experiments import pytorch_bridge as bridge
from nnscratch.gradcheck import relative_error
from nnscratch.initialization import he_init
from nnscratch.network import backward, forward, loss
from nnscratch.onehot import one_hot
from nnscratch.optimizers import Adam

RESULTS = Path(__file__).resolve().parents[1] / "docs" / "results" / "pytorch.json"
HAVE_TORCH = importlib.util.find_spec("torch") is not None
needs_torch = pytest.mark.skipif(
    not HAVE_TORCH, reason="PyTorch is not installed (pip install 'nnscratch[torch]')")
SLICE = 30  # steps of the recorded command re-run by the suite: a few seconds


@pytest.fixture(scope="module")
def results() -> dict:
    return json.loads(RESULTS.read_text(encoding="utf-8"))


def recorded_settings(results: dict) -> bridge.BridgeSettings:
    settings = dict(results["settings"])
    settings["hidden"] = tuple(settings["hidden"])
    return bridge.BridgeSettings(**settings)


def relative_differences(a, b) -> np.ndarray:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.abs(a - b) / np.abs(b)


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)


# --- Without PyTorch ----------------------------------------------------------------------


def test_the_module_does_not_import_torch():
    proc = run_python("import sys, nnscratch.experiments.pytorch_bridge; "
                      "print('torch' in sys.modules)")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"


def test_the_command_without_torch_says_what_to_install():
    # sys.modules["torch"] = None makes `import torch` fail, as where it is not installed.
    proc = run_python("import sys; sys.modules['torch'] = None\n"
                      "from nnscratch.experiments.pytorch_bridge import main\n"
                      "sys.exit(main(['--steps', '1']))")
    assert proc.returncode == 2, proc.stderr
    assert "pip install 'nnscratch[torch]'" in proc.stderr


def test_help_lists_the_options():
    proc = subprocess.run([sys.executable, "-m", "nnscratch.experiments.pytorch_bridge",
                           "--help"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    for option in ("--hidden", "--l2", "--lr", "--batch-size", "--epochs", "--steps", "--out"):
        assert option in proc.stdout, option


def test_results_file_schema(results):
    assert results["schema"] == bridge.SCHEMA
    settings = recorded_settings(results)
    assert settings.steps is None, "the book's file holds whole runs, not a slice"
    steps = settings.epochs * math.ceil(7000 / settings.batch_size)
    assert set(results["losses"]) == set(bridge.RUNS)
    for name, losses in results["losses"].items():
        assert len(losses) == steps, name
        assert all(math.isfinite(v) and v > 0 for v in losses), name
    assert set(results["max_param_difference"]) == {"torch", "torch_library_eps"}
    assert results["test_size"] == 3000
    assert all(0.8 < acc <= 1 for acc in results["test_accuracy"].values())
    assert results["versions"]["torch"], "the file was written with PyTorch"


def test_recorded_command_parses_to_the_recorded_settings(results):
    argv = shlex.split(results["command"])
    assert argv[:3] == ["python", "-m", "nnscratch.experiments.pytorch_bridge"], argv
    args = bridge.build_parser().parse_args(argv[3:])
    assert bridge.settings_from(args) == recorded_settings(results)
    assert recorded_settings(results).command() == results["command"]


def test_the_library_half_reproduces_the_file(results):
    """The library's first steps, without PyTorch, are the file's to rounding."""
    settings = bridge.BridgeSettings(**{**asdict(recorded_settings(results)), "steps": SLICE})
    X, y, _, _ = bridge.bridge_data()
    losses = bridge.library_train(bridge.initial_params(settings), X, y, settings)
    assert len(losses) == SLICE
    assert relative_differences(losses, results["losses"]["nnscratch"][:SLICE]).max() < 1e-10


def test_library_batches_are_the_trainers_batches():
    batches = bridge.LibraryBatches(seed=3, m=10, batch_size=4)
    epochs = [[b.tolist() for b in batches] for _ in range(3)]
    orders = bridge.epoch_orders(3, 10, 4)
    for epoch in epochs:
        order = next(orders).tolist()
        assert epoch == [order[0:4], order[4:8], order[8:10]]
    assert epochs[0] != epochs[1] and len(batches) == 3


def test_library_eps_turns_one_form_of_adam_into_the_other():
    """The library's step = PyTorch's form with ε/√(1-β₂ᵗ), written out in NumPy."""
    rng = np.random.default_rng(0)
    theta = rng.standard_normal(50)
    grads = [rng.standard_normal(50) * 10.0 ** rng.uniform(-10, 0, 50) for _ in range(4)]
    book = {"w": theta.copy()}
    opt = Adam(lr=0.01)
    hand, m, v = theta.copy(), np.zeros(50), np.zeros(50)
    for t, g in enumerate(grads, start=1):
        opt.step(book, {"w": g})
        m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
        eps = bridge.library_eps(1e-8, 0.999, t)
        hand -= 0.01 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + eps)
    assert np.max(np.abs(hand - book["w"])) < 1e-14


# --- With PyTorch -------------------------------------------------------------------------


@needs_torch
def test_command_slice_reproduces_the_file(results, tmp_path):
    """The recorded command's first steps, with PyTorch: all three runs, to rounding."""
    out = tmp_path / "slice.json"
    argv = shlex.split(results["command"])[3:] + ["--steps", str(SLICE), "--out", str(out)]
    assert bridge.main(argv) == 0
    again = json.loads(out.read_text(encoding="utf-8"))
    assert again["settings"]["steps"] == SLICE
    for name in bridge.RUNS:
        got, recorded = again["losses"][name], results["losses"][name][:SLICE]
        assert len(got) == SLICE, name
        assert relative_differences(got, recorded).max() < 1e-9, name
    # The library's ε in PyTorch: the same run as the library's, step for step.
    assert relative_differences(again["losses"]["torch_library_eps"],
                                again["losses"]["nnscratch"]).max() < 1e-12
    assert again["max_param_difference"]["torch_library_eps"] < 1e-12


@needs_torch
@pytest.mark.parametrize("activation, alpha", [("relu", 0.01), ("leaky_relu", 0.2)])
def test_torch_gives_the_librarys_loss_and_gradients(activation, alpha):
    rng = np.random.default_rng(1)
    params = he_init([20, 7, 5, 4], rng, dtype=np.float64)
    params = {k: v + 0.1 * rng.standard_normal(v.shape) for k, v in params.items()}
    X, y = rng.standard_normal((20, 30)), rng.integers(0, 4, 30)
    Y = one_hot(y, 4, np.float64)
    AL, cache = forward(params, X, activation, alpha)
    grads = backward(params, cache, AL, Y, activation, alpha, lam=2.0)
    model = bridge.to_sequential(params, activation, alpha)
    J = bridge.torch_objective(model, X, y, 2.0)
    J.backward()
    torch_grads = bridge.params_of(model, grad=True)
    book_J = loss(params, X, Y, activation, alpha, lam=2.0)
    assert abs(J.item() - book_J) / book_J < 1e-12
    assert {k: v.shape for k, v in torch_grads.items()} == {k: v.shape for k, v in grads.items()}
    for k in grads:
        assert relative_error(torch_grads[k], grads[k]) < 1e-12, k
    # The comparison can fail: without the L2 term the weights' gradients are off.
    model.zero_grad()
    bridge.torch_objective(model, X, y, 0.0).backward()
    without_l2 = bridge.params_of(model, grad=True)
    assert relative_error(without_l2["W1"], grads["W1"]) > 1e-3
    assert relative_error(without_l2["b1"], grads["b1"]) < 1e-12


@needs_torch
def test_to_sequential_round_trip_and_layout():
    import torch

    params = he_init([6, 4, 3], np.random.default_rng(2), dtype=np.float64)
    params["b1"][:] = np.arange(4)[:, None]
    model = bridge.to_sequential(params, "leaky_relu", 0.3)
    assert model[0].weight.shape == (4, 6) and model[0].bias.shape == (4,)
    assert model[0].weight.dtype == torch.float64
    assert model[1].negative_slope == 0.3 and len(model) == 3
    back = bridge.params_of(model)
    assert all(np.array_equal(back[k], params[k]) for k in params)
    back["W1"][0, 0] = 99.0                           # a copy: the model is not changed
    assert model[0].weight[0, 0].item() != 99.0


@needs_torch
def test_torch_adam_leaves_the_biases_out_of_weight_decay():
    params = he_init([6, 4, 3], np.random.default_rng(3), dtype=np.float64)
    model = bridge.to_sequential(params)
    opt = bridge.torch_adam(model, lr=0.1, weight_decay=0.5)
    decayed = [(g["weight_decay"], [p.dim() for p in g["params"]]) for g in opt.param_groups]
    assert decayed == [(0.5, [2, 2]), (0.0, [1, 1])]


@needs_torch
def test_torch_adam_with_library_eps_is_the_librarys_adam():
    rng = np.random.default_rng(4)
    params = he_init([12, 8, 3], rng, dtype=np.float64)
    X, y = rng.random((12, 40)), rng.integers(0, 3, 40)
    Y = one_hot(y, 3, np.float64)
    book, opt = {k: v.copy() for k, v in params.items()}, Adam(lr=0.01)
    model = bridge.to_sequential(params)
    torch_opt = bridge.torch_adam(model, lr=0.01, weight_decay=1.5 / 40)
    for t in range(1, 6):
        AL, cache = forward(book, X)
        opt.step(book, backward(book, cache, AL, Y, lam=1.5))
        torch_opt.zero_grad()
        bridge.torch_objective(model, X, y, 0.0).backward()
        for group in torch_opt.param_groups:
            group["eps"] = bridge.library_eps(1e-8, 0.999, t)
        torch_opt.step()
    assert bridge.max_abs_difference(bridge.params_of(model), book) < 1e-12
