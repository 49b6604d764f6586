"""`ruff check` is part of the suite, so a lint error fails CI like any other test; so are
the size limits of the source: no function over 50 lines of code, ``train()`` within 40,
no class over 80, and no six lines repeated between two functions.

Lines of code exclude blank lines, comment-only lines and docstrings (doctests included):
they never need shortening to fit.

Lint looks at the project's files only, in a git checkout as in a copy without ``.git`` (a
source archive), where ruff cannot use .gitignore and the built ``site/`` (which holds copies
of the example scripts) sits in the tree: pyproject.toml's ``[tool.ruff] extend-exclude``
leaves the outputs out, and the test checks that ruff's files are exactly the project's.
"""

import ast
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "nnscratch"
FUNCTION_LIMIT, TRAIN_LIMIT, CLASS_LIMIT, REPEAT_LIMIT = 50, 40, 80, 6
DOCS = ROOT / "docs"

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


def _docstring_lines(tree: ast.AST) -> set[int]:
    """Line numbers of every string statement (docstrings, attribute docstrings)."""
    lines = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        for child in body if isinstance(body, list) else []:
            if (isinstance(child, ast.Expr) and isinstance(child.value, ast.Constant)
                    and isinstance(child.value.value, str)):
                lines.update(range(child.lineno, child.end_lineno + 1))
    return lines


def _code_lines(source: list[str], first: int, last: int, skip: set[int]) -> list[str]:
    """The stripped lines of code between ``first`` and ``last`` (1-based, inclusive)."""
    out = []
    for i in range(first, last + 1):
        text = source[i - 1].strip()
        if text and not text.startswith("#") and i not in skip:
            out.append(re.sub(r"\s+#.*$", "", text))
    return out


def _definitions():
    """``(where, node, code lines, own body lines)`` for every function and class in src/."""
    for path in sorted(SRC.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        tree, lines = ast.parse(source), source.splitlines()
        docs = _docstring_lines(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                nested = {i for child in ast.walk(node) if child is not node
                          and isinstance(child, ast.FunctionDef | ast.ClassDef)
                          for i in range(child.lineno, child.end_lineno + 1)}
                where = f"{path.relative_to(SRC)}:{node.lineno} {node.name}"
                yield (where, node, _code_lines(lines, node.lineno, node.end_lineno, docs),
                       _code_lines(lines, node.body[0].lineno, node.end_lineno, docs | nested))


DEFINITIONS = list(_definitions())


def test_the_counter_ignores_docstrings_and_comments():
    source = 'def f(x):\n    """Doc.\n\n    >>> f(1)\n    1\n    """\n    # note\n\n    return x\n'
    tree = ast.parse(source)
    node = tree.body[0]
    assert _code_lines(source.splitlines(), node.lineno, node.end_lineno,
                       _docstring_lines(tree)) == ["def f(x):", "return x"]


def test_no_function_or_class_over_its_limit():
    too_long = []
    for where, node, code, _ in DEFINITIONS:
        limit = (CLASS_LIMIT if isinstance(node, ast.ClassDef) else
                 TRAIN_LIMIT if where.startswith("training.py") and node.name == "train"
                 else FUNCTION_LIMIT)
        if len(code) > limit:
            too_long.append(f"{where}: {len(code)} > {limit}")
    assert not too_long, too_long
    assert any(node.name == "train" for _, node, _, _ in DEFINITIONS)


def test_no_two_functions_repeat_six_lines():
    seen = defaultdict(set)
    for where, node, _, body in DEFINITIONS:
        if isinstance(node, ast.ClassDef):
            continue
        for i in range(len(body) - REPEAT_LIMIT + 1):
            seen[tuple(body[i:i + REPEAT_LIMIT])].add(where)
    repeated = {window: places for window, places in seen.items() if len(places) > 1}
    assert not repeated, repeated


@pytest.mark.parametrize("page", sorted(DOCS.rglob("*.md")) + sorted(DOCS.glob("examples/*.py")),
                         ids=lambda p: str(p.relative_to(DOCS)))
def test_no_page_imports_a_private_name(page):
    imports = re.findall(r"^\s*(?:>>> |\.\.\. )?from\s+nnscratch[\w.]*\s+import\s+\(?([^)\n]*)",
                         page.read_text(encoding="utf-8"), re.M)
    private = [name.strip() for names in imports for name in names.split(",")
               if name.strip().startswith("_")]
    assert not private, private


# --- imports run one way: core <- training <- CLI; data, model files, plots beside the core;
# the experiments apart (the CLI may import them lazily, inside the function that runs one).

CORE = {"onehot", "activations", "linear", "softmax", "loss", "regularization",
        "initialization", "network", "gradcheck", "optimizers", "evaluation", "augment",
        "dropout"}
BESIDE = {"errors", "files", "modelfile", "plots", "data", "export"}
TRAINING = {"training", "fast_training"}
MAY_IMPORT = {
    "core": {"core"},
    "beside": {"core", "beside"},
    "training": {"core", "training"},
    "cli": {"core", "beside", "training", "cli"},
    "experiments": {"core", "beside", "training", "experiments"},
}


def _group(module: str) -> str:
    """The layer of ``nnscratch.<module>`` (a dotted name below ``nnscratch``)."""
    top = module.split(".")[0]
    if top in CORE:
        return "core"
    if top in BESIDE:
        return "beside"
    if top in TRAINING:
        return "training"
    if top in ("cli", "console", "__main__"):
        return "cli"
    if top in ("experiments", "notebook"):
        return "experiments"
    raise AssertionError(f"nnscratch.{module} belongs to no layer: add it to test_lint.py")


def _nnscratch_imports(tree: ast.AST) -> list[tuple[str, bool]]:
    """``(module below nnscratch, imported at module level)`` for every import of ours."""
    top_level = {id(n) for n in tree.body}
    found = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "nnscratch":
                names = [a.name for a in node.names if a.name != "__version__"]
            elif node.module.startswith("nnscratch."):
                names = [node.module.removeprefix("nnscratch.")]
        elif isinstance(node, ast.Import):
            names = [a.name.removeprefix("nnscratch.") for a in node.names
                     if a.name.startswith("nnscratch.")]
        found += [(name, id(node) in top_level) for name in names]
    return found


def test_imports_run_one_way():
    wrong = []
    for path in sorted(SRC.rglob("*.py")):
        module = ".".join(path.relative_to(SRC).with_suffix("").parts)
        if module == "__init__":
            continue
        group = _group(module.removesuffix(".__init__"))
        for imported, at_top in _nnscratch_imports(ast.parse(path.read_text(encoding="utf-8"))):
            allowed = MAY_IMPORT[group] | ({"experiments"} if group == "cli" and not at_top
                                           else set())
            if _group(imported) not in allowed:
                wrong.append(f"{module} ({group}) imports {imported} ({_group(imported)})")
    assert not wrong, wrong
