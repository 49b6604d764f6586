"""`ruff check` is part of the suite, so a lint error fails CI like any other test.

Lint looks at the project's files only, in a git checkout as in a copy without ``.git`` (a
source archive), where ruff cannot use .gitignore and the built ``site/`` (which holds copies
of the example scripts) sits in the tree: pyproject.toml's ``[tool.ruff] extend-exclude``
leaves the outputs out, and the test checks that ruff's files are exactly the project's.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Folders of a checkout that are not the project's files but outputs of building, installing
#: and testing it (all in .gitignore). Used where there is no git to ask (a source archive).
NOT_PROJECT = {".git", ".venv", "site", ".cache", "build", "dist", "__pycache__",
               ".pytest_cache", ".ruff_cache", ".hypothesis", "results-tmp"}
LINTED_SUFFIXES = {".py", ".pyi", ".ipynb"}


def project_files() -> list[str]:
    """The project's files, relative to the root: in a git checkout the files git tracks or
    would track (not ignored), else the tree without the build, install and test outputs
    (``NOT_PROJECT``, ``*.egg-info``)."""
    if shutil.which("git"):
        top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=ROOT,
                             capture_output=True, text=True)
        if top.returncode == 0 and Path(top.stdout.strip()).resolve() == ROOT:
            listed = subprocess.run(
                ["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                capture_output=True, text=True, check=True).stdout.splitlines()
            return sorted(f for f in set(listed) if (ROOT / f).is_file())
    files = []
    for folder, dirs, names in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in NOT_PROJECT and not d.endswith(".egg-info")]
        rel = Path(folder).relative_to(ROOT)
        files += [(rel / n).as_posix() for n in names]
    return sorted(files)


def _ruff() -> str:
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff is part of the test extra: pip install -e '.[test]'"
    return ruff


def test_ruff_is_clean():
    proc = subprocess.run([_ruff(), "check", "--no-cache", "."], cwd=ROOT, capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_checks_exactly_the_project_files():
    proc = subprocess.run([_ruff(), "check", "--no-cache", "--show-files", "."], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    linted = {Path(line).resolve().relative_to(ROOT).as_posix()
              for line in proc.stdout.splitlines() if line.strip()}
    linted = {f for f in linted if Path(f).suffix in LINTED_SUFFIXES}
    ours = {f for f in project_files() if Path(f).suffix in LINTED_SUFFIXES}
    assert "src/nnscratch/network.py" in ours and "docs/examples/digits.py" in ours
    assert linted == ours, (f"linted but not the project's: {sorted(linted - ours)[:10]}; "
                            f"the project's but not linted: {sorted(ours - linted)[:10]}")
