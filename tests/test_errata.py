"""The errata runs: the results file that ``docs/errata.md`` reads, and its command.

The file is checked against a fresh run of its stored short configuration; the command's
errors are one line with exit code 2; every command recorded in the file still runs.
"""

import dataclasses
import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from threadpoolctl import threadpool_limits

from nnscratch.data import SAMPLE_SHA256, load_sample, train_test_split
from nnscratch.experiments.errata import CHECK, VARIANTS, build_parser, main
from nnscratch.experiments.reproduction import run_notebook

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "docs" / "results" / "errata.json"
TOLERANCE = 0.002
"""Accuracy tolerance against the file: 6 of the 3,000 test digits. Runs are deterministic
on one machine with one BLAS thread; another CPU may round float32 sums differently."""


@pytest.fixture(scope="module")
def results():
    return json.loads(RESULTS.read_text(encoding="utf-8"))


def test_results_file_is_complete(results):
    assert results["data"]["sha256"] == SAMPLE_SHA256 and results["data"]["m"] == 10_000
    assert results["machine"]["OPENBLAS_NUM_THREADS"] == "1"
    assert len(results["seeds"]) >= 3
    assert not [r for r in results["runs"] if "error" in r]
    done = {(r["name"], r["seed"]) for r in results["runs"]}
    assert done == {(n, s) for n in [*VARIANTS, "modern"] for s in results["seeds"]}


def test_stored_check_run_is_reproduced(results):
    """Re-run the file's short configuration (v1 as written, 50 iterations, seed 0)."""
    name, iterations, seed = CHECK
    stored = results["check"]
    assert (stored["name"], stored["config"]["iterations"], stored["seed"]) == CHECK
    data = load_sample()
    X_train, y_train, X_test, y_test = train_test_split(data.X, data.y, 0.3, seed)
    config = dataclasses.replace(VARIANTS[name], iterations=iterations)
    with threadpool_limits(1):
        fresh = run_notebook(X_train, y_train, X_test, y_test, config, seed)
    for key in ("train_accuracy", "test_accuracy", "reported_train_accuracy"):
        assert fresh[key] == pytest.approx(stored[key], abs=TOLERANCE), key
    assert fresh["train_loss"] == pytest.approx(stored["train_loss"], rel=1e-3)
    assert [h["iteration"] for h in fresh["history"]] == [h["iteration"] for h in
                                                          stored["history"]]


# --- the command ---------------------------------------------------------------------------


def test_command_reports_a_missing_file_on_one_line(tmp_path, capsys):
    assert main(["--data", str(tmp_path / "train.csv"), "--out", str(tmp_path / "r.json")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "train.csv: no such file or directory" in err


def test_command_rejects_bad_seeds(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--seeds", "zero"])
    assert exit_info.value.code == 2
    assert "expected seeds like 0,1,2" in capsys.readouterr().err


def test_command_add_needs_an_existing_file(tmp_path, capsys):
    assert main(["--add", "--out", str(tmp_path / "none.json")]) == 2
    assert "no results file to --add to" in capsys.readouterr().err


def recorded_commands(results: dict) -> list[list[str]]:
    return [shlex.split(c) for c in {results["command"], *results.get("commands", [])}]


def test_every_recorded_command_still_parses_and_runs(results):
    """``python -m nnscratch.notebook ...`` as recorded: the options parse, the entry point runs."""
    for argv in recorded_commands(results):
        assert argv[:2] == ["python", "-m"], argv
        build_parser().parse_args(argv[3:])           # every recorded option still exists
        proc = subprocess.run([sys.executable, "-m", *argv[2:], "--help"],
                              capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stderr
        assert "--seeds" in proc.stdout

