"""Guard against code blocks of the book that silently do not run.

The fences are counted here with a plain regex, independently of the Sybil parser in
docs/conftest.py, and the two counts must agree page by page: a python/pycon fence that
Sybil does not collect (an unusual attribute, an indentation it missed) fails this test.
"""

import importlib.util
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted(p for p in DOCS.rglob("*.md") if "overrides" not in p.parts)

# Any fence line whose language is python-ish: ```python, ~~~py, ```{.python ...}, indented.
FENCE = re.compile(
    r"^[ \t]*(?:`{3,}|~{3,})[ \t]*\{?[ \t]*\.?(?:python3?|py3?|pycon)(?=[\s{}]|$)",
    re.MULTILINE | re.IGNORECASE,
)
SKIP = re.compile(r"""title\s*=\s*["']does not run["']""")


def _sybil_conftest():
    spec = importlib.util.spec_from_file_location("nnscratch_docs_conftest", DOCS / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


CONF = _sybil_conftest()


def test_there_are_pages():
    assert PAGES, "no Markdown pages under docs/"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_every_python_fence_is_collected(page):
    text = page.read_text(encoding="utf-8")
    fences = FENCE.findall(text)
    regions = list(CONF.sybil.parse(page))
    assert len(regions) == len(fences), (
        f"{page.name}: {len(fences)} python/pycon fences in the Markdown, "
        f"but Sybil collected {len(regions)}: some block would silently not be tested"
    )
    skips_in_text = sum(1 for line in text.splitlines() if FENCE.match(line) and SKIP.search(line))
    skips_collected = sum(1 for r in regions if r.parsed.kind == "skip")
    assert skips_collected == skips_in_text


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_no_doctest_prompt_outside_a_fence(page):
    """A ``>>>`` line in prose would look tested but never run."""
    text = page.read_text(encoding="utf-8")
    inside = [False] * (text.count("\n") + 1)
    for start, end, *_ in CONF.iter_fences(text):
        for n in range(text.count("\n", 0, start), text.count("\n", 0, end) + 1):
            inside[n] = True
    stray = [
        n + 1 for n, line in enumerate(text.splitlines())
        if line.lstrip().startswith(">>>") and not inside[n]
    ]
    assert not stray, f"{page.name}: '>>>' outside any code fence on lines {stray}"


def test_the_parser_sees_every_kind_of_fence(tmp_path):
    """The fences that Sybil's default Markdown parser skipped are collected here."""
    page = tmp_path / "kinds.md"
    page.write_text(
        "```python\nA = 1\n```\n\n"
        '```python title="x.py"\nA += 1\n```\n\n'
        '```python hl_lines="1" linenums="1"\nA += 1\n```\n\n'
        "```{.python .extra}\nA += 1\n```\n\n"
        "~~~py\nA += 1\n~~~\n\n"
        '!!! note\n    ```python\n    A += 1\n    ```\n\n'
        '=== "Tab"\n\n    ```pycon\n    >>> A\n    6\n    ```\n\n'
        '```python title="does not run"\nraise SystemExit\n```\n\n'
        "```bash\necho not python\n```\n",
        encoding="utf-8",
    )
    kinds = [r.parsed.kind for r in CONF.sybil.parse(page)]
    assert kinds == ["python"] * 6 + ["doctest", "skip"]
    assert len(FENCE.findall(page.read_text())) == len(kinds)
    document = CONF.sybil.parse(page)
    for example in document:
        if example.parsed.kind != "skip":
            example.evaluate()
    assert document.namespace["A"] == 6
