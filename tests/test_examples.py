"""Every executable example of the book runs as a plain script (``python docs/examples/x.py``).

mkdocs-jupyter executes the same files when the book is built; this test makes sure they
also work outside a notebook, as the page promises, with matplotlib's non-interactive backend.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "docs" / "examples").glob("*.py"))
TIME_LIMIT_S = 60  # each example is meant to take seconds; this only stops a hang


def test_there_are_examples():
    assert EXAMPLES


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(script, tmp_path):
    env = {**os.environ, "MPLBACKEND": "Agg"}
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=env,
        capture_output=True, text=True, timeout=TIME_LIMIT_S,
    )
    seconds = time.perf_counter() - start
    assert result.returncode == 0, (
        f"{script.name} failed (exit {result.returncode}) after {seconds:.1f} s\n"
        f"--- stdout ---\n{result.stdout[-3000:]}\n--- stderr ---\n{result.stderr[-5000:]}"
    )
    assert result.stdout.strip(), f"{script.name} printed nothing"
    assert not list(tmp_path.iterdir()), "an example must not write files where it is run"


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_is_a_percent_script(script):
    """mkdocs-jupyter and jupytext read cells from ``# %%`` markers; the page needs a title."""
    text = script.read_text(encoding="utf-8")
    assert text.startswith("# %% [markdown]\n# # "), f"{script.name}: begin with a title cell"
    assert "\n# %%\n" in text, f"{script.name}: no code cell"
