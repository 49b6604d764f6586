"""Tests for nnscratch.experiments.bench and the results file the book's performance page reads.

No timing is asserted anywhere: the machine may be shared. What is checked is the file's
shape, and that the nnscratch accuracy it reports is what the code still produces.
"""

import argparse
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from nnscratch import cli
from nnscratch.experiments import bench

RESULTS = Path(__file__).resolve().parents[1] / "docs" / "results" / "bench.json"
ACCURACY_TOLERANCE = 0.01  # 30 of the 3,000 test images: BLAS kernels and threads may differ
ONE_THREAD = {v: "1" for v in bench.THREAD_VARS}


def check_schema(result: dict, frameworks: set[str]) -> None:
    assert result["schema"] == bench.SCHEMA
    for key in ("date", "command", "epochs", "accuracy_epochs", "repeats", "train_size",
                "seed", "split_seed", "flop_per_epoch", "network"):
        assert key in result, key
    assert result["flop_per_epoch"] == bench.epoch_flops(result["train_size"])
    assert result["network"]["sizes"] == [784, 100, 100, 10]
    assert result["machine"]["cores"] >= 1 and result["machine"]["cpu"]
    assert result["versions"]["numpy"]
    assert result["configurations"]
    for config in result["configurations"]:
        assert config["threads"] in (1, 2)
        assert config["data"] in ("mnist", "synthetic")
        assert frameworks | {"gemm"} <= set(config["results"])
        for name, r in config["results"].items():
            assert len(r["runs"]) == result["repeats"]
            assert r["seconds_per_epoch"] > 0 and r["gflops"] > 0
            if name != "gemm":
                assert 0 <= r["test_accuracy"] <= 1
        assert "nnscratch/gemm" in config["ratios"] and "nnscratch/gemm" in config["round_ratios"]
        assert len(config["loadavg_before"]) == 3


def test_epoch_flops():
    # forward 2·(784·100 + 100·100 + 100·10) per image, ×3 for backward, less W1ᵀ dZ1.
    per_image = 2 * (78_400 + 10_000 + 1_000)
    assert bench.epoch_flops(60_000) == 60_000 * (3 * per_image - 2 * 78_400)


def test_tiny_bench_writes_a_valid_file(tmp_path):
    parser = argparse.ArgumentParser()
    bench.add_arguments(parser)
    out = tmp_path / "r.json"
    args = parser.parse_args(["--frameworks", "nnscratch", "--threads", "1", "--epochs", "1",
                              "--accuracy-epochs", "1", "--repeats", "1", "--train-size",
                              "7000", "--out", str(out)])
    assert bench.run(args) == 0
    result = json.loads(out.read_text())
    check_schema(result, {"nnscratch"})
    assert result["configurations"][0]["data"] == "synthetic"


def test_unknown_framework_is_an_error(capsys):
    parser = argparse.ArgumentParser()
    bench.add_arguments(parser)
    assert bench.run(parser.parse_args(["--frameworks", "jax"])) == 2
    assert "unknown framework 'jax'" in capsys.readouterr().err


def test_optional_frameworks_are_not_imported():
    code = ("import sys, nnscratch.experiments.bench; "
            "print(sorted({'torch', 'sklearn'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


@pytest.fixture(scope="module")
def results() -> dict:
    return json.loads(RESULTS.read_text())


def test_recorded_command_still_parses_and_runs(results):
    """``nnscratch bench ...`` as recorded in the file: the options parse, the command runs."""
    argv = shlex.split(results["command"])
    assert argv[:2] == ["nnscratch", "bench"], argv
    cli.build_parser().parse_args(argv[1:])            # every recorded option still exists
    proc = subprocess.run([sys.executable, "-m", "nnscratch", *argv[1:], "--help"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "--frameworks" in proc.stdout


def test_settings_record_the_command_they_measure():
    settings = bench.BenchSettings(frameworks=("nnscratch",), threads=(1,), repeats=5)
    assert settings.command() == ("nnscratch bench --frameworks nnscratch --threads 1 "
                                  "--epochs 2 --accuracy-epochs 10 --repeats 5 "
                                  "--train-size 60000 --seed 0")


def test_results_file_schema(results):
    check_schema(results, {"nnscratch"})


def test_results_file_accuracy_is_reproducible(results):
    """Retrain nnscratch as the file's run did and compare its test accuracy."""
    config = results["configurations"][0]
    if config["data"] == "mnist":
        from nnscratch.data import download

        if not download.is_downloaded("mnist"):
            pytest.skip("the results file was made on MNIST, which is not downloaded here")
    code = (
        "import numpy as np\n"
        "from nnscratch.experiments.bench import accuracy_data, fit_nnscratch\n"
        f"Xtr, ytr, Xte, yte = accuracy_data({config['data']!r})\n"
        f"print(np.mean(fit_nnscratch(Xtr, ytr, Xte, {results['accuracy_epochs']}, "
        f"{results['seed']}) == yte))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, **ONE_THREAD),
                         capture_output=True, text=True, check=True).stdout
    for c in results["configurations"]:
        assert float(out) == pytest.approx(c["results"]["nnscratch"]["test_accuracy"],
                                           abs=ACCURACY_TOLERANCE)
