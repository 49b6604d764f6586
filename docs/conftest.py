"""Every code block of the book is a test (Sybil).

For each page ``docs/**/*.md``, in page order and in one namespace per page:

- a ```` ```python ```` block (also ``py``, ``python3``, ``{.python ...}``; with or without
  attributes such as ``title=``, ``hl_lines=``, ``linenums=``) is executed. ``--8<--`` lines
  in it are first expanded by pymdownx.snippets itself, with the same ``base_path`` as
  mkdocs.yml, so the code included from ``src/`` runs exactly as the page shows it;
- a ```` ```pycon ```` block, or a python block whose first line starts with ``>>>``, is a
  doctest: its output must match;
- the one way to keep a python/pycon block from running is the fence title
  ``title="does not run"``, which the page shows as the block's title; such a block is
  reported as a skipped test and counted.

Blocks indented inside admonitions, ``???`` details and content tabs are found too. The
parser below recognises every fence whose language is python or pycon: there is no
attribute that makes a block silently disappear. ``tests/test_docs_blocks.py`` counts the
fences again with a plain regex and fails if the numbers differ.

The folders that are not pages (hooks, examples, theme overrides) are kept away from
pytest's ``--doctest-modules``: the examples run in ``tests/test_examples.py``.
"""

from __future__ import annotations

import doctest
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sybil import Document, Example, Region, Sybil

os.environ.setdefault("MPLBACKEND", "Agg")

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent

collect_ignore_glob = ["hooks/*", "examples/*", "overrides/*", "javascripts/*"]

PYTHON_LANGS = {"python", "py", "python3", "py3"}
PYCON_LANGS = {"pycon"}
SKIP_TITLE = "does not run"
DOCTEST_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE

OPEN_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>.*)$")
TITLE = re.compile(r"""\btitle\s*=\s*(?:"([^"]*)"|'([^']*)')""")

#: What ran, counted by kind; reported by ``pytest_terminal_summary``.
RAN: Counter[str] = Counter()


@dataclass
class Block:
    """One fenced block: its language, title, first line (1-based) and dedented source."""

    lang: str
    title: str | None
    line: int
    source: str
    path: Path

    @property
    def kind(self) -> str:
        """``"skip"``, ``"doctest"`` or ``"python"``."""
        if self.title is not None and self.title.strip() == SKIP_TITLE:
            return "skip"
        if self.lang in PYCON_LANGS or self.source.lstrip().startswith(">>>"):
            return "doctest"
        return "python"


def fence_language(info: str) -> str:
    """The language of a fence's info string: ``python title="x"`` and ``{.python}`` → python."""
    info = info.strip()
    if info.startswith("{"):
        m = re.search(r"\.([\w+-]+)", info)
        return m.group(1).lower() if m else ""
    m = re.match(r"[^\s{]+", info)
    return m.group(0).lower() if m else ""


def iter_fences(text: str) -> Iterator[tuple[int, int, str, str, str]]:
    """Every fenced block: ``(start offset, end offset, indent, info, body)``.

    A fence closes on a line with the same character, at least as long, and nothing after
    it; the body loses the opening fence's indentation (admonitions, tabs, details).
    """
    lines = text.splitlines(keepends=True)
    offsets, pos = [], 0
    for line in lines:
        offsets.append(pos)
        pos += len(line)
    i = 0
    while i < len(lines):
        m = OPEN_FENCE.match(lines[i].rstrip("\r\n"))
        if not m:
            i += 1
            continue
        indent, fence, info = m.group("indent"), m.group("fence"), m.group("info")
        if fence[0] == "`" and "`" in info:  # not a fence: inline code such as ```x```
            i += 1
            continue
        close = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        j = i + 1
        while j < len(lines) and not close.match(lines[j].rstrip("\r\n")):
            j += 1
        body_lines = []
        for raw in lines[i + 1 : j]:
            # Remove the fence's indentation (never more than the line has).
            k = 0
            while k < len(indent) and k < len(raw) and raw[k] in " \t":
                k += 1
            body_lines.append(raw[k:])
        end = offsets[j] + len(lines[j]) if j < len(lines) else len(text)
        yield offsets[i], end, indent, info, "".join(body_lines)
        i = j + 1


def find_blocks(text: str, path: Path) -> Iterator[tuple[int, int, Block]]:
    """The python and pycon blocks of a page, as ``(start, end, Block)``."""
    for start, end, _indent, info, body in iter_fences(text):
        lang = fence_language(info)
        if lang not in PYTHON_LANGS | PYCON_LANGS:
            continue
        m = TITLE.search(info)
        title = (m.group(1) if m.group(1) is not None else m.group(2)) if m else None
        line = text.count("\n", 0, start) + 1
        yield start, end, Block(lang, title, line, body, path)


def expand_snippets(source: str) -> str:
    """Expand ``--8<--`` lines exactly as the book's build does (pymdownx.snippets)."""
    if "8<-" not in source:
        return source
    import markdown

    md = markdown.Markdown(
        extensions=["pymdownx.snippets"],
        extension_configs={
            "pymdownx.snippets": {"base_path": [str(ROOT)], "check_paths": True}
        },
    )
    return "\n".join(md.preprocessors["snippet"].run(source.splitlines())) + "\n"


def evaluate_python(example: Example) -> None:
    block: Block = example.parsed
    expanded = expand_snippets(block.source)
    # Pad with blank lines so a traceback names the line of the page (when nothing expanded).
    pad = "\n" * block.line if expanded == block.source else ""
    code = compile(pad + expanded, str(block.path), "exec")
    exec(code, example.namespace)
    RAN["python"] += 1


def evaluate_doctest(example: Example) -> str | None:
    block: Block = example.parsed
    parser = doctest.DocTestParser()
    name = f"{block.path.name}:{block.line}"
    test = parser.get_doctest(block.source, example.namespace, name, str(block.path), block.line)
    test.globs = example.namespace  # share the page's namespace (get_doctest copies it)
    runner = doctest.DocTestRunner(optionflags=DOCTEST_FLAGS)
    out: list[str] = []
    runner.run(test, out=out.append, clear_globs=False)
    if runner.failures:
        return "".join(out)
    RAN["doctest"] += 1
    return None


def evaluate_skip(example: Example) -> None:
    pytest.skip(f'marked "{SKIP_TITLE}" ({example.parsed.path.name}:{example.parsed.line})')


EVALUATORS = {"python": evaluate_python, "doctest": evaluate_doctest, "skip": evaluate_skip}


def parse_blocks(document: Document) -> Iterable[Region]:
    """Sybil parser: one region per python/pycon fence, whatever its attributes."""
    path = Path(document.path)
    for start, end, block in find_blocks(document.text, path):
        yield Region(start, end, block, EVALUATORS[block.kind])


sybil = Sybil(parsers=[parse_blocks], patterns=["*.md"])
pytest_collect_file = sybil.pytest()


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    stats = terminalreporter.stats
    skipped = sum(
        1
        for report in stats.get("skipped", [])
        if f'marked "{SKIP_TITLE}"' in str(getattr(report, "longrepr", ""))
    )
    examples = sum(
        1
        for report in stats.get("passed", [])
        if report.when == "call" and "test_examples.py::test_example_runs" in report.nodeid
    )
    terminalreporter.write_line(
        f"docs: ran {RAN['python']} python blocks, {RAN['doctest']} doctest blocks, "
        f"{examples} examples; skipped {skipped} blocks marked \"{SKIP_TITLE}\""
    )
