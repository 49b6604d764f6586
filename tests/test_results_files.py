"""Every file in docs/results/ says what wrote it, and the suite re-checks it.

A results file is either the output of a command of this repository, named in its
``command`` (and ``commands``, when later runs were added to it), or a quotation
(``"kind": "quotation"``), whose ``source`` says what it quotes; a hand-written file of
numbers that is neither is refused here and by the book's build (docs/hooks/values.py).

For a command's file the suite does two things: it parses the recorded command with the
repository's own argument parser and checks that the file's settings are the command's
(so the command still exists, and it is the one that wrote those settings); and it re-runs a
cheap slice of that command and compares (``RECHECKS`` names the test; a new results file
without one fails ``test_every_results_file_has_a_recheck``).
"""

import ast
import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from nnscratch import cli
from nnscratch.experiments import errata

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "docs" / "results"

#: results file -> (test file, test function) that re-runs a slice of its command, or, for a
#: quotation, checks it against what can be recomputed from it.
RECHECKS = {
    "errata.json": ("tests/test_errata.py", "test_stored_check_run_is_reproduced"),
    "bench.json": ("tests/test_results_files.py", "test_bench_slice_has_the_file_s_structure"),
    # Needs torch (it runs in .ci/run's PyTorch step); without torch the library's half of the
    # file is still re-run by test_the_library_half_reproduces_the_file.
    "pytorch.json": ("tests/test_pytorch_bridge.py", "test_command_slice_reproduces_the_file"),
    "notebook.json": ("tests/test_results_files.py",
                      "test_quoted_accuracies_fit_the_notebook_s_split"),
    "augmentation.json": ("tests/test_generalisation.py", "test_stored_check_run_is_reproduced"),
    "fashion-mnist.json": ("tests/test_generalisation.py",
                           "test_fashion_results_follow_the_scaling_rule"),
    "l2-sweep.json": ("tests/test_sweeps.py", "test_l2_check_run_is_reproduced"),
    "lr-sweep.json": ("tests/test_sweeps.py", "test_lr_check_run_is_reproduced"),
}
# A second, slower re-check of bench.json (it retrains the accuracy run): tests/test_bench.py,
# test_results_file_accuracy_is_reproducible.


def results_files() -> list[Path]:
    return sorted(RESULTS.glob("*.json"))


def read(name: str) -> dict:
    return json.loads((RESULTS / name).read_text(encoding="utf-8"))


def test_there_are_results_files():
    assert {"errata.json", "bench.json", "notebook.json"} <= {p.name for p in results_files()}


@pytest.mark.parametrize("path", results_files(), ids=lambda p: p.name)
def test_every_results_file_names_what_wrote_it(path):
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("kind") == "quotation":
        assert "command" not in data and "commands" not in data
        assert "not known to us" in data["source"] or len(data["source"]) > 40
    else:
        assert isinstance(data.get("command"), str) and data["command"].strip()
        commands = data.get("commands", [data["command"]])
        assert commands[0] == data["command"]
        for command in commands:
            assert command.startswith(("nnscratch ", "python -m nnscratch.")), command


@pytest.mark.parametrize("path", results_files(), ids=lambda p: p.name)
def test_every_results_file_has_a_recheck(path):
    assert path.name in RECHECKS, f"{path.name}: add its re-check to RECHECKS"
    test_file, test_name = RECHECKS[path.name]
    tree = ast.parse((ROOT / test_file).read_text(encoding="utf-8"))
    names = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    assert test_name in names, f"{test_file} has no {test_name}"


def _argv(command: str, prefix: str) -> list[str]:
    words = shlex.split(command)
    assert " ".join(words[: len(prefix.split())]) == prefix, command
    return words[len(prefix.split()):]


# --- errata.json: python -m nnscratch.notebook -------------------------------------------


def test_errata_commands_parse_and_match_the_file():
    results = read("errata.json")
    names = {r["name"] for r in results["runs"]}
    for i, command in enumerate(results["commands"]):
        args = errata.build_parser().parse_args(_argv(command, "python -m nnscratch.notebook"))
        assert args.data == results["data"]["source"]
        assert set(args.seeds) <= set(results["seeds"])
        if i == 0:
            assert not args.add and args.only is None and args.seeds == results["seeds"]
        else:
            assert args.add, "a later command must add to the file"
            assert set(args.only.split(",")) <= names
    assert results["machine"]["OPENBLAS_NUM_THREADS"] == "1"


# --- bench.json: nnscratch bench ------------------------------------------------------------


def _bench_args(command: str):
    args = cli.build_parser().parse_args(_argv(command, "nnscratch"))
    assert args.command == "bench"
    return args


def test_bench_command_parses_and_matches_the_file():
    results = read("bench.json")
    args = _bench_args(results["command"])
    for key in ("epochs", "accuracy_epochs", "repeats", "train_size", "seed"):
        assert getattr(args, key) == results[key], key
    assert [int(t) for t in args.threads.split(",")] == [c["threads"]
                                                          for c in results["configurations"]]
    for config in results["configurations"]:
        assert set(config["results"]) == {*args.frameworks, "gemm"}


def _keys(d: dict) -> dict:
    """The key structure of a results file, with the type of each leaf. The frameworks and
    ratios compared depend on the run; a framework not installed has version None."""
    return {k: (sorted(v) if k == "versions"
                else _keys(v) if isinstance(v, dict) and k not in ("results", "ratios",
                                                                   "round_ratios")
                else type(v).__name__)
            for k, v in d.items()}


def test_bench_slice_has_the_file_s_structure(tmp_path):
    """Re-run the file's own command, shrunk (one framework, one thread, 7,000 images, one
    epoch, one repeat), through the command line; the fresh file must have the stored file's
    structure, the command it records must be the one that ran, and the FLOP count of the
    stored file must be what the code computes for its size."""
    stored = read("bench.json")
    args = _bench_args(stored["command"])
    tiny = ["bench", "--frameworks", "nnscratch", "--threads", "1", "--epochs", "1",
            "--accuracy-epochs", "1", "--repeats", "1", "--train-size", "7000",
            "--seed", str(args.seed)]
    out = tmp_path / "bench.json"
    proc = subprocess.run([sys.executable, "-m", "nnscratch", *tiny, "--out", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    fresh = json.loads(out.read_text())
    assert fresh["command"] == "nnscratch " + " ".join(tiny)
    assert _keys(fresh) == _keys(stored)
    assert [_keys(c) for c in fresh["configurations"]] == [_keys(stored["configurations"][0])]
    assert (sorted(fresh["configurations"][0]["results"]["nnscratch"])
            == sorted(stored["configurations"][0]["results"]["nnscratch"]))
    # FLOP per epoch is linear in the number of images: the stored count, recomputed.
    assert stored["flop_per_epoch"] * 7000 == fresh["flop_per_epoch"] * stored["train_size"]
    assert fresh["network"] == stored["network"]


# --- notebook.json: a quotation -----------------------------------------------------------

KAGGLE_ROWS = 42_000   # rows of the competition's train.csv
TEST_FRACTION = 0.3    # the notebook holds out the first 30 % of the shuffled rows


def test_quotation_names_the_notebook_and_what_it_does_not_know():
    q = read("notebook.json")
    assert q["kind"] == "quotation"
    assert q["notebook"]["title"] == "Neural Network from scratch"
    assert q["notebook"]["platform"] == "Kaggle"
    assert q["notebook"]["competition"] == "digit-recognizer"
    assert q["notebook"]["author"] == q["notebook"]["address"] == "not known to us"
    assert "not known to us" in q["source"] and "Not measured by this repository" in q["source"]


def test_quoted_history_is_a_printout_every_10_iterations():
    v2 = read("notebook.json")["v2"]
    iterations = [h["iteration"] for h in v2["history"]]
    assert iterations == list(range(0, v2["printout_ends_at_iteration"] + 1, v2["print_every"]))
    assert all(0 < h["train_accuracy"] < 1 for h in v2["history"])
    assert v2["iterations"] == 900 and read("notebook.json")["v1"]["iterations"] == 500


def test_quoted_accuracies_fit_the_notebook_s_split():
    """Each accuracy version 2 printed, to its 5 decimals, is k / 29,400 (training rows of the
    notebook's 70/30 split of 42,000) for a whole k, and its test accuracy k / 12,600.

    A mistyped digit breaks this for about 70 % (train) or 87 % (test) of typos, since only
    29,400 (12,600) of the 100,000 five-decimal numbers are such fractions.
    """
    v2 = read("notebook.json")["v2"]
    n_test = round(TEST_FRACTION * KAGGLE_ROWS)
    n_train = KAGGLE_ROWS - n_test
    digits = v2["printed_decimals"]
    for n, accuracies in ((n_train, [h["train_accuracy"] for h in v2["history"]]),
                          (n_test, [v2["test_accuracy"]])):
        for a in accuracies:
            k = round(a * n)
            assert round(k / n, digits) == a, (a, n)
