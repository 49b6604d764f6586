"""Every expected output of the book shows only digits that hold on any CPU.

The same code does not print the same float on every machine. OpenBLAS picks its kernels by
processor, NumPy's SIMD loops (``exp``, ``sum``) depend on the instruction set, and each
adds and rounds in its own order, so the last bits of a result differ from one CPU to
another (measured on this book: a gradient-check error ``0.176470557475`` on one machine,
``0.176470551723`` on another). An expected output that prints such a digit is a test that
fails on somebody else's computer, and a page that shows the reader a number their
``python`` will not print.

**The rule.** In an expected output — the output lines of every ``pycon`` block (and of
every python block written with ``>>>``) of ``docs/**/*.md``, and of every doctest in the
docstrings of ``src/nnscratch/**/*.py`` — a decimal number shows at most
``MAX_DECIMAL_DIGITS`` = 6 significant digits, and a number in e-notation at most
``MAX_E_DIGITS`` = 3. The reasons:

- a printed digit changes when the rounding noise crosses a rounding boundary, with a
  probability of about (relative noise) × 10^(digits shown). float64 results of the small
  computations on these pages carry a relative noise of 1e-16 to 1e-12, so 6 digits change
  with a probability of 1e-6 or less; every digit past that is a gamble;
- e-notation is what small *differences* print in (errors, residuals, tiny probabilities),
  and a difference loses the leading digits its operands shared: its own relative noise is
  far larger, so 3 digits;
- float32 results carry a noise of 1e-7 to 1e-5 (more after many training steps), so the
  pages round them further (``round(x, 4)``) or print a bound (``err < 1e-6`` → ``True``);
  results of training runs are shown as bounds, computed in float64, or read from a results
  file. This test cannot tell a float32 from a float64 number: it enforces the ceiling, and
  review enforces the rest.

Numbers that are exact by construction could print more digits; they are listed in
``EXACT`` with the page and the reason (there are none today: rounding them too reads
better). The same outputs must not depend on the NumPy version either (``pyproject.toml``
accepts ``numpy>=1.24``): NumPy 2 prints scalars as ``np.float64(0.7)`` where NumPy 1 prints
``0.7``, so an expected output never contains such a repr (convert with ``float``, ``int``,
``bool`` or ``.tolist()``). And ``...`` (doctest's ELLIPSIS) may stand for what varies by
nature — a duration, a path, a port, a checksum, a date — never for the digits of a
number: the contexts where it may appear are listed in ``ELLIPSIS_ALLOWED``.

The examples (``docs/examples/*.py``) print at build time, on the machine that builds the
book; their outputs are not compared with anything, but the same ceiling applies to the
format specifications they use (``FORMAT_SPEC``).
"""

from __future__ import annotations

import ast
import doctest
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import load_by_path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SRC = ROOT / "src" / "nnscratch"
PAGES = sorted(p for p in DOCS.rglob("*.md") if "overrides" not in p.parts)
MODULES = sorted(SRC.rglob("*.py"))
EXAMPLES = sorted((DOCS / "examples").glob("*.py"))
PAGE_RUNNER = load_by_path("nnscratch_docs_pagerunner", DOCS / "pagerunner.py")

MAX_DECIMAL_DIGITS = 6
MAX_E_DIGITS = 3

#: Numbers allowed more digits than the rule, because they are exact by construction:
#: ``(file name, number as printed): reason``. Empty: every such number is rounded too.
EXACT: dict[tuple[str, str], str] = {}

#: Where ``...`` may appear in an expected output: a regex matched against the text around
#: it (the ``...`` itself written as ``ELL``), and what it stands for.
ELLIPSIS_ALLOWED: list[tuple[str, str]] = [
    (r"in ELL s\b", "a duration in seconds"),
    (r"(/ELL|ELL/)", "a part of a path that depends on the machine (a temporary folder)"),
    (r"127\.0\.0\.1:ELL/", "the port the page's local server was given"),
    (r"sha256 ELL \(|expected ELL the partial", "the SHA-256 of bytes that zlib compressed"),
    (r"after 100 of ELL bytes", "the size of a gzip file, which depends on the zlib library"),
    (r"'ELL'\)$", "the date a results file was written (notebook.md)"),
    (r"pixel0,ELL,pixel783", "literal text of an error message, naming the columns"),
    (r"InputError: ELL: missing|\(or ELLgz\)", "a temporary folder, a file name (data.py)"),
]

#: A number: a decimal with a point, or e-notation; not a version (1.2.3) or an address.
NUMBER = re.compile(
    r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+(?=[eE][-+]?\d))(?:[eE][-+]?\d+)?(?![\w]|\.\d)"
)
#: A scalar repr that NumPy 2 prints and NumPy 1 does not.
NUMPY2_REPR = re.compile(
    r"\bnp\.(?:float|int|uint|complex|bool|longdouble|clongdouble|str_|bytes_|void|datetime64"
    r"|timedelta64)\w*\(|\bnp\.(?:True_|False_)"
)
#: A format specification with a precision: ``:.3e``, ``:9.4f``, ``:.2%``, ``:.6g``.
FORMAT_SPEC = re.compile(r":[^:{}'\"]*?\.(\d+)([eEfFgG%])\}")


def significant_digits(number: str) -> int:
    """How many significant digits a printed number shows: ``"0.0505"`` → 3, ``"2.0"`` → 2,
    ``"2.40249e-07"`` → 6 (leading zeros do not count, trailing ones do)."""
    mantissa = re.split(r"[eE]", number.lstrip("+-"))[0]
    digits = mantissa.replace(".", "").lstrip("0")
    return max(len(digits), 1)


def too_many_digits(text: str) -> list[str]:
    """The numbers of ``text`` that show more digits than the rule allows."""
    bad = []
    for number in NUMBER.findall(text):
        limit = MAX_E_DIGITS if re.search(r"[eE]", number) else MAX_DECIMAL_DIGITS
        if significant_digits(number) > limit:
            bad.append(number)
    return bad


def unexplained_ellipses(text: str) -> list[str]:
    """Each ``...`` of ``text`` whose context is not one of ``ELLIPSIS_ALLOWED``."""
    bad = []
    for line in text.splitlines():
        for m in re.finditer(r"\.\.\.", line):
            marked = line[: m.start()] + "ELL" + line[m.end():]
            if not any(re.search(pattern, marked.strip()) for pattern, _ in ELLIPSIS_ALLOWED):
                bad.append(line.strip())
    return bad


# --- collecting the expected outputs ---------------------------------------------------


@dataclass
class Expected:
    """One doctest example's expected output: where it is and what it says."""

    where: str  # "page.md:line" or "module.py:line"
    source: str
    want: str

    def __str__(self) -> str:
        return f"{self.where}: {self.source.strip().splitlines()[0][:70]}"


def fences(text: str) -> Iterator[tuple[int, str, str]]:
    """Every fenced block of a page: ``(first line, info string, dedented body)``, read by
    the page runner's own fence reader (docs/pagerunner.py), so both see the same blocks."""
    for start, _end, _indent, info, body in PAGE_RUNNER.iter_fences(text):
        yield text.count("\n", 0, start) + 1, info, body


def examples_of(text: str, name: str, first_line: int) -> Iterator[Expected]:
    for ex in doctest.DocTestParser().get_examples(text, name):
        # For an exception doctest compares only the last part, the exception's message.
        want = ex.want if ex.exc_msg is None else ex.exc_msg
        yield Expected(f"{name}:{first_line + ex.lineno + 1}", ex.source, want)


def page_outputs(page: Path) -> list[Expected]:
    out = []
    for line, info, body in fences(page.read_text(encoding="utf-8")):
        lang = PAGE_RUNNER.fence_language(info)
        if lang == "pycon" or (lang in {"python", "py", "python3", "py3"}
                               and body.lstrip().startswith(">>>")):
            out.extend(examples_of(body, page.name, line))
    return out


def docstring_outputs(module: Path) -> list[Expected]:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    out = []
    nodes = [tree] + [n for n in ast.walk(tree)
                      if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)]
    for node in nodes:
        doc = ast.get_docstring(node, clean=True)
        if doc and ">>>" in doc:
            out.extend(examples_of(doc, module.name, node.body[0].lineno - 1))
    return out


ALL = [e for p in PAGES for e in page_outputs(p)]
ALL += [e for m in MODULES for e in docstring_outputs(m)]
#: The expected outputs by file, page or module: one test each.
BY_FILE: dict[str, list[Expected]] = {}
for _e in ALL:
    BY_FILE.setdefault(_e.where.split(":")[0], []).append(_e)


# --- the checker, on the cases that made it necessary ----------------------------------


@pytest.mark.parametrize(("number", "digits"), [
    ("0.176470557475", 12), ("2.40249e-07", 6), ("9.66e-10", 3), ("0.0505", 3), ("2.0", 2),
    ("-0.1192", 4), ("1e-06", 1), ("+1.12", 3), ("709.782712893384", 15), ("0.", 1),
])
def test_significant_digits(number, digits):
    assert significant_digits(number) == digits


def test_the_checker_flags_what_failed_on_another_cpu():
    """The outputs that broke on another machine, and what replaced them."""
    failed = ("{'W1': 0.176470557475, 'b1': 0.17647059469, 'W2': 0.176470576928, "
              "'b2': 0.176470588351}\n{'W1': 2.40249e-07, 'b1': 1.06375e-07, 'W2': 7.3526e-08}\n"
              "(709.782712893384, 88.72283935546875)\n19.504987716674805\n")
    assert len(too_many_digits(failed)) == 10
    fixed = ("({'W1': 0.17647, 'b1': 0.17647}, 0.17647)\n{'W1': '< 1e-6', 'b1': 0.656}\n"
             "(709.78, 88.72)\n19.5\narray([0.6667, 1.    ,    nan])\n")
    assert too_many_digits(fixed) == []


def test_the_checker_leaves_versions_addresses_and_integers_alone():
    text = "numpy 2.4.6 with openblas 0.3.31; 127.0.0.1:8000; 32970000 cells; (784, 10000)"
    assert too_many_digits(text) == []


def test_the_checker_flags_numpy2_reprs_and_numbers_behind_an_ellipsis():
    assert NUMPY2_REPR.search("(array([-0.1192,  0.8808]), np.float64(0.7616))")
    assert NUMPY2_REPR.search("(np.int64(6), np.int64(10))")
    assert NUMPY2_REPR.search("np.True_")
    assert not NUMPY2_REPR.search("array([0.7 , 0.85], dtype=float32)")
    assert unexplained_ellipses("train accuracy: ...") == ["train accuracy: ..."]
    assert unexplained_ellipses("1,...") == ["1,..."]
    assert unexplained_ellipses("trained 784-16-10 for 1 epochs on 7000 examples in ... s") == []
    assert unexplained_ellipses("/...edited.npz: array W1 does not match") == []


def test_there_is_something_to_check():
    pages = {e.where.split(":")[0] for e in ALL if ".md:" in e.where}
    assert len(pages) >= 15, pages
    assert sum(".py:" in e.where for e in ALL) >= 50


# --- the rule, on every expected output ------------------------------------------------


@pytest.mark.parametrize("file", sorted(BY_FILE))
def test_expected_output_digits(file):
    bad = [f"{e}: prints {n}" for e in BY_FILE[file] for n in too_many_digits(e.want)
           if (file, n) not in EXACT]
    assert not bad, (
        f"more significant digits than hold on every CPU (at most {MAX_DECIMAL_DIGITS}, "
        f"{MAX_E_DIGITS} in e-notation); round the value, or print a bound:\n"
        + "\n".join(bad)
    )


@pytest.mark.parametrize("file", sorted(BY_FILE))
def test_expected_output_is_the_same_under_numpy_1(file):
    bad = [f"{e}: {m.group(0)}" for e in BY_FILE[file] if (m := NUMPY2_REPR.search(e.want))]
    assert not bad, (
        "NumPy 2's scalar repr (NumPy 1 prints the bare number); convert with float(), "
        "int(), bool() or .tolist():\n" + "\n".join(bad)
    )


@pytest.mark.parametrize("file", sorted(BY_FILE))
def test_ellipsis_never_stands_for_a_number(file):
    bad = [f"{e}: {line}" for e in BY_FILE[file] for line in unexplained_ellipses(e.want)]
    assert not bad, (
        "'...' where ELLIPSIS_ALLOWED lists nothing it may stand for; print the value "
        "rounded, or a bound, instead:\n" + "\n".join(bad)
    )


def test_exact_exceptions_are_still_used():
    """An entry of EXACT whose number no longer appears is stale."""
    printed = {(e.where.split(":")[0], n) for e in ALL for n in NUMBER.findall(e.want)}
    assert set(EXACT) <= printed, set(EXACT) - printed


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_format_specs(script):
    """The examples' prints: at most 3 significant digits in e-notation (``.2e``), and no
    more decimals than 4 (``.4f``, ``.2%``: accuracies and losses)."""
    text = script.read_text(encoding="utf-8")
    bad = []
    for m in FORMAT_SPEC.finditer(text):
        decimals, kind = int(m.group(1)), m.group(2)
        limit = {"e": MAX_E_DIGITS - 1, "E": MAX_E_DIGITS - 1, "%": 2, "g": MAX_DECIMAL_DIGITS,
                 "G": MAX_DECIMAL_DIGITS}.get(kind, 4)
        if decimals > limit:
            bad.append(m.group(0))
    assert not bad, f"{script.name}: {bad}"
