"""The page runner of the book (docs/pagerunner.py, docs/conftest.py) and its guards.

- Every python/pycon fence is collected: the fences are counted here with a plain regex,
  independently of the runner's parser, and the two counts must agree page by page.
- The runner runs what a reader pastes: a fresh ``python`` per page in an empty folder, no
  ``from __future__`` inherited from anywhere, blocks in page order in one process, pycon
  output compared, files left behind reported, blocks titled "does not run" counted, blocks
  titled "needs torch" run where ``import torch`` works and skipped (and counted) where not.
- "As the copy button copies" is checked, not assumed: what the runner runs is what each
  code block of the built site copies (a python block's text; for a pycon block the
  ``data-copy`` text of docs/hooks/copytext.py: the input lines of exactly the examples the
  runner runs), and (with Chromium) what Material's own copy button puts on the clipboard.
  A copied pycon block, and a page of the book pasted up to one, run in a real ``python -i``.
"""

import doctest
import functools
import html
import http.server
import importlib.util
import logging
import os
import re
import subprocess
import sys
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.conftest import load_by_path
from tests.test_site_build import built_site

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted(p for p in DOCS.rglob("*.md") if "overrides" not in p.parts)

pytest_plugins = ["pytester"]

# Any fence line whose language is python-ish: ```python, ~~~py, ```{.python ...}, indented.
FENCE = re.compile(
    r"^[ \t]*(?:`{3,}|~{3,})[ \t]*\{?[ \t]*\.?(?:python3?|py3?|pycon)(?=[\s{}]|$)",
    re.MULTILINE | re.IGNORECASE,
)
SKIP = re.compile(r"""title\s*=\s*["']does not run["']""")
TORCH = re.compile(r"""title\s*=\s*["']needs torch["']""")


PR = load_by_path("nnscratch_docs_pagerunner", DOCS / "pagerunner.py")
CONF = load_by_path("nnscratch_docs_conftest", DOCS / "conftest.py")
CT = PR.copytext  # docs/hooks/copytext.py, as the runner loaded it
PAGE_IDS = [str(p.relative_to(DOCS)) for p in PAGES]


def write_page(folder: Path, text: str, name: str = "page.md") -> Path:
    page = folder / name
    page.write_text(text, encoding="utf-8")
    return page


def statuses(run) -> list[str]:
    return [r.status for r in run.results]


# --- Every fence is collected ----------------------------------------------------------


def test_there_are_pages():
    assert PAGES, "no Markdown pages under docs/"


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_every_python_fence_is_collected(page):
    text = page.read_text(encoding="utf-8")
    fences = FENCE.findall(text)
    blocks = PR.page_blocks(page)
    assert len(blocks) == len(fences), (
        f"{page.name}: {len(fences)} python/pycon fences in the Markdown, "
        f"but the runner collected {len(blocks)}: some block would silently not be tested"
    )
    for marker, counted in ((SKIP, lambda b: b.kind == "skip"), (TORCH, lambda b: b.needs_torch)):
        in_text = sum(1 for line in text.splitlines() if FENCE.match(line) and marker.search(line))
        assert sum(1 for b in blocks if counted(b)) == in_text, (page.name, marker.pattern)


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_no_doctest_prompt_outside_a_fence(page):
    """A ``>>>`` line in prose would look tested but never run."""
    text = page.read_text(encoding="utf-8")
    inside = [False] * (text.count("\n") + 1)
    for start, end, *_ in PR.iter_fences(text):
        for n in range(text.count("\n", 0, start), text.count("\n", 0, end) + 1):
            inside[n] = True
    stray = [
        n + 1 for n, line in enumerate(text.splitlines())
        if line.lstrip().startswith(">>>") and not inside[n]
    ]
    assert not stray, f"{page.name}: '>>>' outside any code fence on lines {stray}"


KINDS_PAGE = (
    "```python\nA = 1\n```\n\n"
    '```python title="x.py"\nA += 1\n```\n\n'
    '```python hl_lines="1" linenums="1"\nA += 1\n```\n\n'
    "```{.python .extra}\nA += 1\n```\n\n"
    "~~~py\nA += 1\n~~~\n\n"
    "!!! note\n    ```python\n    A += 1\n    ```\n\n"
    '??? note "Details"\n    ````python\n    A += 1\n    ````\n\n'
    '=== "Tab"\n\n    ```pycon\n    >>> A\n    7\n    ```\n\n'
    "```{.pycon .extra}\n>>> A + 1\n8\n```\n\n"
    '```pycon title="t" linenums="1"\n>>> for _ in range(1):\n...     print(A)\n7\n```\n\n'
    '```python title="does not run"\nraise SystemExit\n```\n\n'
    "```bash\necho not python\n```\n"
)


def test_the_parser_sees_every_kind_of_fence(tmp_path):
    """Attributes, ``{.python}``, ``~~~``, admonitions, details, tabs: all collected, and run."""
    page = write_page(tmp_path, KINDS_PAGE)
    blocks = PR.page_blocks(page)
    assert [b.kind for b in blocks] == ["python"] * 7 + ["pycon"] * 3 + ["skip"]
    assert len(FENCE.findall(KINDS_PAGE)) == len(blocks)
    run = PR.run_page(page)
    assert statuses(run) == ["passed"] * 10 + ["skipped"], [r.message for r in run.results]


# --- The runner runs what a reader pastes ----------------------------------------------


def test_an_annotation_name_the_page_never_imports_fails(tmp_path):
    """No ``from __future__ import annotations`` is inherited (this runner's modules may have
    one; a reader's fresh python has none): the annotation is evaluated, NameError."""
    page = write_page(tmp_path, (
        "```python\nfrom collections.abc import Sequence\n\n\n"
        "def total(xs: Sequence[float]) -> Callable:\n    return sum(xs)\n```\n\n"
        "```pycon\n>>> total([1.0, 2.0])\n3.0\n```\n"
    ))
    run = PR.run_page(page)
    assert statuses(run) == ["failed", "not run"]
    first, second = run.results
    assert "NameError: name 'Callable' is not defined" in first.message
    assert f"{page}:1" in first.message and f"{page}:5" in first.message  # block, failing line
    assert f"the python block at {page}:1 failed before it" in second.message


def test_a_future_import_of_the_page_itself_applies_to_its_later_blocks(tmp_path):
    """As at the prompt: the page's own ``from __future__`` carries over, nothing else does."""
    page = write_page(tmp_path, (
        "```python\nfrom __future__ import annotations\n```\n\n"
        "```python\ndef total(xs: Sequence[float]) -> Callable:\n    return sum(xs)\n```\n\n"
        "```pycon\n>>> total.__annotations__['return']\n'Callable'\n```\n"
    ))
    assert statuses(PR.run_page(page)) == ["passed"] * 3


def test_a_wrong_pycon_output_fails_and_the_page_goes_on(tmp_path):
    page = write_page(tmp_path, (
        "# A page\n\n```pycon\n>>> x = 2\n>>> x + 1\n4\n>>> print('a\\nb')\na\nc\n```\n\n"
        "```pycon\n>>> x\n2\n```\n"
    ))
    run = PR.run_page(page)
    assert statuses(run) == ["failed", "passed"]
    message = run.results[0].message
    assert f"{page}:3: pycon block: 2 of 3 example(s) failed" in message
    assert f"{page}:5: pycon example: output differs" in message
    assert "Expected:\n    4\nGot:\n    3" in message
    assert f"{page}:7: pycon example" in message
    assert "Diff (- expected, + got):" in message and "    -c\n    +b" in message


def test_a_page_that_leaves_a_file_behind_fails(tmp_path):
    page = write_page(tmp_path, (
        "```python\nimport os\nfrom pathlib import Path\n\n"
        "Path('model.npz').write_bytes(b'')\nos.mkdir('out')\n"
        f"Path({str(tmp_path / 'cwd.txt')!r}).write_text(os.getcwd())\n```\n"
    ))
    run = PR.run_page(page)
    assert statuses(run) == ["passed"]
    assert run.leftovers == ["model.npz", "out"]
    (problem,) = run.end_problems()
    assert "left 2 name(s)" in problem and "model.npz, out" in problem
    cwd = Path((tmp_path / "cwd.txt").read_text())
    assert cwd != tmp_path and not cwd.exists(), "the page's folder is removed anyway"


def test_a_page_that_cleans_up_passes_its_end_of_page_check(tmp_path):
    page = write_page(tmp_path, (
        "```python\nfrom pathlib import Path\n\nPath('m.npz').write_bytes(b'')\n```\n\n"
        "```pycon\n>>> Path('m.npz').unlink()\n```\n"
    ))
    run = PR.run_page(page)
    assert statuses(run) == ["passed", "passed"]
    assert run.end_problems() == [] and run.returncode == 0


def test_blocks_run_in_order_in_one_fresh_process(tmp_path):
    """One new ``python`` per page, its namespace the prompt's, its folder new and empty,
    the blocks in page order; pycon statements as at the prompt (values echoed, ``_`` set,
    exceptions matched as doctest matches them)."""
    page = write_page(tmp_path, (
        "```pycon\n>>> sorted(globals())\n"
        "['__annotations__', '__builtins__', '__doc__', '__loader__', '__name__', "
        "'__package__', '__spec__']\n"
        ">>> import os, sys\n>>> os.listdir(), sys.path[0], sys.argv, __name__\n"
        "([], '', [''], '__main__')\n"
        f">>> os.getpid() != {os.getpid()}\nTrue\n"
        ">>> sys.modules['__main__'].__dict__ is globals()\nTrue\n```\n\n"
        "```python\ntrail = [1]\npid = os.getpid()\n```\n\n"
        "!!! note\n\n    ```pycon\n    >>> trail.append(2); trail\n    [1, 2]\n"
        "    >>> _\n    [1, 2]\n    >>> 1 / 0\n    Traceback (most recent call last):\n"
        "      ...\n    ZeroDivisionError: division by zero\n    ```\n\n"
        "```python\ntrail.append(3)\nassert os.getpid() == pid\n```\n\n"
        "```pycon\n>>> trail\n[1, 2, 3]\n```\n"
    ))
    run = PR.run_page(page)
    assert statuses(run) == ["passed"] * 5, [r.message for r in run.results]


def test_a_process_that_dies_or_hangs_is_reported_at_its_block(tmp_path):
    page = write_page(tmp_path, (
        "```python\nx = 1\n```\n\n```python\nimport os\nos._exit(3)\n```\n\n"
        "```pycon\n>>> x\n1\n```\n"
    ))
    run = PR.run_page(page)
    assert statuses(run) == ["passed", "failed", "not run"]
    assert "exit status 3 while it ran" in run.results[1].message
    hang = write_page(tmp_path, "```python\nimport time\ntime.sleep(60)\n```\n", "hang.md")
    run = PR.run_page(hang, timeout=2)
    assert statuses(run) == ["failed"]
    assert "stopped after 2 s (timeout)" in run.results[0].message


def test_snippets_run_as_the_page_shows_them_and_tracebacks_name_the_source():
    """``--8<--`` is expanded with mkdocs.yml's configuration; each line knows its origin."""
    blocks = [b for p in PAGES for b in PR.page_blocks(p) if "--8<--" in b.body]
    assert blocks, "no page includes source with --8<--"
    for block in blocks:
        assert "--8<--" not in block.text, block.where
        for origin, text in block.source_lines():
            if origin.startswith("src/"):
                path, _, line = origin.rpartition(":")
                assert line.isdigit(), (block.where, origin)
                assert (ROOT / path).read_text().splitlines()[int(line) - 1] == text


def test_the_doctest_flags_are_the_ones_of_doctest_modules(request):
    """One definition: pyproject's ``doctest_optionflags``, as pytest itself reads it."""
    from _pytest.doctest import get_optionflags

    assert PR.doctest_flags() == get_optionflags(request.config)


SKIP_PAGE = (
    "```python\nx = 41\n```\n\n"
    '```python title="does not run"\nraise SystemExit("never")\n```\n\n'
    "```pycon\n>>> x + 1\n42\n```\n"
)


def test_a_skipped_block_is_counted_and_items_name_page_and_line(pytester):
    """Through pytest itself: the items, the skip reason with page:line, the summary line."""
    page = pytester.makefile(".md", page=SKIP_PAGE)
    result = pytester.runpytest_inprocess(str(page), "-rs", "-v", plugins=[CONF])
    result.assert_outcomes(passed=3, skipped=1)
    result.stdout.fnmatch_lines([
        "*page.md::line:1:python PASSED*",
        "*page.md::line:5:python SKIPPED*",
        "*page.md::line:9:pycon PASSED*",
        "*page.md::end-of-page PASSED*",
        'docs: 1 pages, ran 1 python blocks and 1 pycon blocks, 0 examples; '
        'skipped 1 blocks marked "does not run" and 0 marked "needs torch"',
        'SKIPPED [[]1[]] *page.md*: marked "does not run" (*page.md:5)',
    ])


def test_a_failed_block_is_reported_by_pytest_with_the_blocks_after_it(pytester):
    page = pytester.makefile(".md", page=(
        "```python\nimport math\nmath.floor(None)\n```\n\n```pycon\n>>> 1\n1\n```\n"
    ))
    result = pytester.runpytest_inprocess(str(page), plugins=[CONF])
    result.assert_outcomes(failed=2, passed=1)
    result.stdout.fnmatch_lines([
        "*page.md:1: python block raised TypeError*",
        '*File "*page.md:1", line 2, in <module>*[[]*page.md:3[]]',
        "*math.floor(None)",
        "*page.md:6: not run: the python block at *page.md:1 failed before it (TypeError)*",
        "docs: 1 pages, ran 0 python blocks and 0 pycon blocks, 0 examples; "
        'skipped 0 blocks marked "does not run" and 0 marked "needs torch"; '
        "1 blocks failed, 1 not run after a failure",
    ])


# --- Blocks that need torch -------------------------------------------------------------

TORCH_IMPORTS = importlib.util.find_spec("torch") is not None
TORCH_PAGE = (
    "```pycon\n>>> import sys\n>>> 'torch' in sys.modules\nFalse\n```\n\n"
    '```python title="needs torch"\nimport torch\n\nt = torch.ones(3)\n```\n\n'
    '```pycon title="needs torch"\n>>> int(t.sum())\n3\n```\n\n'
    "```python\nx = 2\n```\n\n"
    '```python title="does not run"\nraise SystemExit\n```\n'
)


def test_the_import_probe_is_read_as_installed_missing_or_broken():
    assert PR.import_problem(0, "") is None
    missing = "Traceback (most recent call last):\n  File \"<string>\", line 1, in <module>\n" \
              "ModuleNotFoundError: No module named 'torch'\n"
    assert PR.import_problem(1, missing) == "not installed"
    broken = "ModuleNotFoundError: No module named 'torch._C'\n"
    assert PR.import_problem(1, broken) == (
        "import torch failed: ModuleNotFoundError: No module named 'torch._C'")
    assert PR.import_problem(1, "OSError: libtorch_cpu.so: cannot open shared object\n\n") == (
        "import torch failed: OSError: libtorch_cpu.so: cannot open shared object")
    assert PR.import_problem(-9, "") == "import torch failed: exit status -9"


def test_only_blocks_titled_needs_torch_wait_for_torch(tmp_path):
    """The decision, both ways: with torch missing only the "needs torch" blocks (python and
    pycon) are skipped, with the reason and page:line; with torch there they run."""
    page = write_page(tmp_path, TORCH_PAGE)
    blocks = PR.page_blocks(page)
    assert [(b.kind, b.needs_torch) for b in blocks] == [
        ("pycon", False), ("python", True), ("pycon", True), ("python", False), ("skip", False)]
    dont = f'marked "does not run" ({page}:22)'
    assert [PR.skip_reason(b, "not installed") for b in blocks] == [
        None, f"needs torch (not installed) ({page}:7)", f"needs torch (not installed) ({page}:13)",
        None, dont]
    assert [PR.skip_reason(b, None) for b in blocks] == [None] * 4 + [dont]
    steps, early = PR.plan(blocks, PR.doctest_flags(), "not installed")
    assert [s.block.index for s in steps] == [0, 3] and sorted(early) == [1, 2, 4]
    steps, early = PR.plan(blocks, PR.doctest_flags(), None)
    assert [s.block.index for s in steps] == [0, 1, 2, 3] and sorted(early) == [4]


def test_the_torch_probe_is_asked_only_for_a_page_with_a_needs_torch_block(tmp_path, monkeypatch):
    asked = []
    monkeypatch.setattr(PR, "torch_problem", lambda env=None: asked.append(env) or "not installed")
    plain = PR.page_blocks(write_page(tmp_path, "```python\nx = 1\n```\n", "plain.md"))
    assert PR.skip_reasons(plain) == [None] and asked == []
    assert PR.skip_reasons(PR.page_blocks(write_page(tmp_path, TORCH_PAGE)))[1:3] == [
        f"needs torch (not installed) ({tmp_path / 'page.md'}:{n})" for n in (7, 13)]
    assert asked == [None]


@pytest.mark.skipif(TORCH_IMPORTS, reason="torch is importable here")
def test_without_torch_the_needs_torch_blocks_are_skipped_and_counted(tmp_path, pytester):
    page = write_page(tmp_path, TORCH_PAGE)
    assert PR.torch_problem() == "not installed"
    run = PR.run_page(page)
    assert statuses(run) == ["passed", "skipped", "skipped", "passed", "skipped"]
    assert run.results[1].message == f"needs torch (not installed) ({page}:7)"
    page = pytester.makefile(".md", page=TORCH_PAGE)
    result = pytester.runpytest_inprocess(str(page), "-rs", "-v", plugins=[CONF])
    result.assert_outcomes(passed=3, skipped=3)
    result.stdout.fnmatch_lines_random([
        "*page.md::line:7:python SKIPPED*",
        "*page.md::line:13:pycon SKIPPED*",
        "SKIPPED [[]1[]] *page.md: needs torch (not installed) (*page.md:7)",
        "SKIPPED [[]1[]] *page.md: needs torch (not installed) (*page.md:13)",
        'docs: 1 pages, ran 1 python blocks and 1 pycon blocks, 0 examples; '
        'skipped 1 blocks marked "does not run" and 2 marked "needs torch"',
    ])


@pytest.mark.skipif(not TORCH_IMPORTS, reason="torch is not installed here")
def test_with_torch_the_needs_torch_blocks_run_like_any_block(tmp_path, pytester):
    """Also: the probe imported nothing into the page (``torch`` is not in its modules
    before the page imports it)."""
    page = write_page(tmp_path, TORCH_PAGE)
    assert PR.torch_problem() is None
    run = PR.run_page(page)
    assert statuses(run) == ["passed"] * 4 + ["skipped"], [r.message for r in run.results]
    page = pytester.makefile(".md", page=TORCH_PAGE)
    result = pytester.runpytest_inprocess(str(page), "-rs", plugins=[CONF])
    result.assert_outcomes(passed=5, skipped=1)
    result.stdout.fnmatch_lines([
        'docs: 1 pages, ran 2 python blocks and 2 pycon blocks, 0 examples; '
        'skipped 1 blocks marked "does not run" and 0 marked "needs torch"',
    ])


# --- "As the copy button copies": checked against the rendered blocks -------------------

COPY_PAGE = (
    '```python hl_lines="2 3" linenums="1" title="x.py"\n\n\na = 1  \nb = "<&>"\n\n'
    "def f():\n\treturn a\n   \n\n```\n\n"
    '```pycon linenums="5" hl_lines="1"\n>>> a = 1\n>>> a\n1\n```\n\n'
    '=== "Tab"\n\n    ```python title="in a tab"\n    if True:\n        x = 2\n    ```\n'
)


def _rendered_blocks(html_text: str) -> list[tuple[str, str | None, str]]:
    """``(language, data-copy attribute or None, inner HTML of <code>)`` of each python/pycon
    code block, in page order."""
    out = []
    for m in re.finditer(r'<div class="([^"]*)"(?: data-copy="([^"]*)")?>', html_text):
        classes = m.group(1).split()
        lang = next((c.removeprefix("language-") for c in classes
                     if c.startswith("language-")), None)
        if "highlight" not in classes or lang not in PR.PYTHON_LANGS | PR.PYCON_LANGS:
            continue
        start = html_text.index("<code", m.end())
        start = html_text.index(">", start) + 1
        out.append(("pycon" if lang in PR.PYCON_LANGS else "python", m.group(2),
                    html_text[start : html_text.index("</code>", start)]))
    return out


def test_the_code_text_of_hl_lines_linenums_and_title_fences_is_the_block_body(tmp_path):
    """Rendered with mkdocs.yml's Markdown extensions: line numbers, highlighted lines,
    titles and tabs add nothing to the text of ``<code>``, which is the body minus its
    leading empty lines and trailing whitespace."""
    import markdown

    names, configs = PR.markdown_extensions()
    configs = {**configs, "pymdownx.snippets": PR.snippets_config()}
    rendered = markdown.Markdown(extensions=names, extension_configs=configs).convert(COPY_PAGE)
    assert 'class="linenos"' in rendered and 'class="hll"' in rendered
    assert '<span class="filename">x.py</span>' in rendered
    blocks = PR.page_blocks(write_page(tmp_path, COPY_PAGE))
    code = _rendered_blocks(rendered)
    assert [lang for lang, _, _ in code] == ["python", "pycon", "python"]
    assert [PR.static_copy_text(c) for _, _, c in code] == [b.text for b in blocks]
    # Python-Markdown expands tabs (4 columns) before anything reads the page.
    assert blocks[0].text == 'a = 1  \nb = "<&>"\n\ndef f():\n    return a'
    assert blocks[1].text == ">>> a = 1\n>>> a\n1"
    assert blocks[2].text == "if True:\n    x = 2"
    # What the copy button copies: a python block's text, a pycon block's input lines.
    assert [b.copied for b in blocks] == [blocks[0].text, "a = 1\na", blocks[2].text]
    # The hook puts the pycon copy on the block's container, where Material looks for it.
    hooked = CT.on_page_content(rendered, page=SimpleNamespace(file=SimpleNamespace(
        src_uri="page.md")), config=None, files=None)
    assert [(lang, copy) for lang, copy, _ in _rendered_blocks(hooked)] == [
        ("python", None), ("pycon", "a = 1&#10;a"), ("python", None)]
    kinds = markdown.Markdown(extensions=names, extension_configs=configs).convert(KINDS_PAGE)
    hooked = CT.on_page_content(kinds, page=SimpleNamespace(file=SimpleNamespace(
        src_uri="page.md")), config=None, files=None)
    assert [(lang, copy) for lang, copy, _ in _rendered_blocks(hooked)] == [
        ("python", None)] * 7 + [("pycon", "A"), ("pycon", "A + 1"),
                                 ("pycon", "for _ in range(1):&#10;    print(A)"),
                                 ("python", None)]


REPL_BLOCK = """\
>>> import math
>>> for k in range(2):
...     print(k)
0
1
>>> total = sum([1,
...              2])
>>> total
3
>>> text = \"\"\"a
...
... b\"\"\"
>>> text
'a\\n\\nb'
>>> @staticmethod
... def half(x):
...     return x / 2
>>> if total > 2:
...     sign = "+"
... else:
...     sign = "-"
>>> sign, math.floor(half.__func__(total))
('+', 1)
>>> class Box:
...     size = 2
...     def area(self):
...         return self.size ** 2
>>> Box().area()
4
>>> 1 / 0
Traceback (most recent call last):
  ...
ZeroDivisionError: division by zero
>>> while False:
...     pass"""


def test_a_pycon_copy_is_its_inputs_with_a_blank_line_after_each_compound_statement():
    examples = CT.pycon_examples(REPL_BLOCK)
    copied = CT.paste_text(examples)
    assert copied == (
        "import math\nfor k in range(2):\n    print(k)\n\ntotal = sum([1,\n             2])\n"
        'total\ntext = """a\n\nb"""\ntext\n@staticmethod\ndef half(x):\n    return x / 2\n\n'
        'if total > 2:\n    sign = "+"\nelse:\n    sign = "-"\n\n'
        "sign, math.floor(half.__func__(total))\n"
        "class Box:\n    size = 2\n    def area(self):\n        return self.size ** 2\n\n"
        "Box().area()\n1 / 0\nwhile False:\n    pass"  # trimEnd: the last blank line goes
    )
    assert CT.repl_statements(copied) == [e.source.rstrip("\n") for e in examples]


@pytest.mark.parametrize("body, why", [
    (">>> def f():\n...     x = 1\n...\n...     return x\n>>> f()\n1",
     "an empty line inside a compound statement ends it at the prompt"),
    (">>> x = 1\n... y = 2\n>>> x\n1", "the prompt reads one statement at a time"),
    (">>> 1  # doctest: +SKIP\n1", 'a block titled "does not run" is the one way'),
])
def test_a_pycon_block_no_prompt_could_show_fails_and_has_no_copy_text(tmp_path, caplog, body,
                                                                      why):
    """The runner fails it (with the reason), the hook leaves its copy alone and warns (which
    fails a ``--strict`` build)."""
    page = write_page(tmp_path, f"```pycon\n{body}\n```\n")
    run = PR.run_page(page)
    assert statuses(run) == ["failed"]
    assert run.results[0].message.startswith(f"{page}:1: pycon block: ") and why in (
        run.results[0].message)
    html_in = f'<div class="language-pycon highlight"><pre><code>{html.escape(body)}</code></pre>'
    with caplog.at_level(logging.WARNING, logger=CT.log.name):
        assert CT._with_copy_text(html_in, "page.md") == html_in
    (record,) = caplog.records
    assert record.getMessage().startswith("page.md: a pycon block keeps its plain copy: ")
    assert why in record.getMessage()


def _paste_into_python(text: str, cwd: Path) -> subprocess.CompletedProcess:
    """``text`` typed into an interactive ``python -i`` (the reader's Enter at the end):
    prompts and errors go to stderr, values and prints to stdout."""
    return subprocess.run(
        [sys.executable, "-i", "-q"], input=text + "\n", cwd=cwd, env=PR.START_ENV,
        capture_output=True, text=True, timeout=300,
    )


def test_a_copied_pycon_block_runs_in_an_interactive_python(tmp_path):
    """Pasted into the real ``>>>`` prompt, the copy runs without a syntax error and prints
    what the block shows (the traceback aside, which goes to stderr)."""
    examples = CT.pycon_examples(REPL_BLOCK)
    result = _paste_into_python(CT.paste_text(examples), tmp_path)
    errors = [line for line in result.stderr.splitlines() if "Error" in line]
    assert errors == ["ZeroDivisionError: division by zero"], result.stderr
    assert result.stdout == "".join(e.want for e in examples if e.exc_msg is None)


def test_a_page_of_the_book_pastes_into_an_interactive_python(tmp_path):
    """A page of the built book as a reader pastes it, up to its first pycon block with a
    compound statement: python blocks as copied (each run with one ``exec`` line), pycon
    blocks as the real copy button copies them (the built page's ``data-copy``)."""
    page = DOCS / "gradient-checking.md"
    blocks = PR.page_blocks(page)
    copies = [PR.static_copy_text(inner, data_copy) for _, data_copy, inner
              in _rendered_blocks(_site_html(built_site(), page).read_text(encoding="utf-8"))]
    typed, want = [], ""
    for block, copied in zip(blocks, copies, strict=True):
        if block.kind == "python":
            typed.append(f"exec({copied!r})")
            continue
        typed.append(copied)
        examples = CT.pycon_examples(block.text)
        want += "".join(e.want for e in examples if e.exc_msg is None)
        if len(CT.repl_statements(copied)) < len(copied.splitlines()):  # a compound one
            break
    else:
        pytest.fail(f"{page.name} has no pycon block with a compound statement")
    result = _paste_into_python("\n".join(typed), tmp_path)
    assert 'File "<stdin>"' not in result.stderr, result.stderr
    assert doctest.OutputChecker().check_output(want, result.stdout, PR.doctest_flags()), (
        want, result.stdout)


def _site_html(site: Path, page: Path) -> Path:
    rel = page.relative_to(DOCS).with_suffix("")
    return site / ("index.html" if rel.name == "index" else rel / "index.html")


def assert_runs_what_is_copied(block, copied: str) -> None:
    """What the runner runs for ``block`` is ``copied``: for a python block the source itself;
    for a pycon block the input lines of exactly the examples that the runner runs (their
    expected output is compared with what they print), which the interactive prompt, given
    the copied text, reads as those same statements in the same order."""
    assert copied == block.copied, block.where
    if block.kind == "skip":
        return
    steps, early = PR.plan([block], PR.doctest_flags())  # "needs torch" blocks planned too
    assert not early, early
    (step,) = steps
    if block.kind == "python":
        assert step.source == copied + "\n", block.where
    else:
        assert copied == CT.paste_text(step.examples), block.where
        assert CT.repl_statements(copied) == [e.source.rstrip("\n") for e in step.examples], (
            block.where)


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_each_code_block_of_the_built_site_is_what_the_runner_runs(page):
    """Same count, same text, block by block: the built page against the runner."""
    html_text = _site_html(built_site(), page).read_text(encoding="utf-8")
    code = _rendered_blocks(html_text)
    blocks = PR.page_blocks(page)
    assert [lang for lang, _, _ in code] == [
        "pycon" if b.lang in PR.PYCON_LANGS else "python" for b in blocks
    ]
    for (lang, data_copy, inner), block in zip(code, blocks, strict=True):
        assert (data_copy is not None) == (lang == "pycon"), block.where
        assert PR.static_copy_text(inner) == block.text, block.where  # what the page shows
        assert_runs_what_is_copied(block, PR.static_copy_text(inner, data_copy))


# --- The real copy button, in Chromium --------------------------------------------------

COPY_ALL_JS = """() => {
  const out = [];
  for (const block of document.querySelectorAll(
      'article div.language-python.highlight, article div.language-pycon.highlight')) {
    // What a reader does first: open the details, pick the tab the block is in.
    for (let d = block.closest('details'); d; d = d.parentElement.closest('details')) d.open = true;
    for (let t = block.closest('.tabbed-block'); t; t = t.parentElement.closest('.tabbed-block')) {
      const i = [...t.parentElement.children].indexOf(t);
      t.closest('.tabbed-set').querySelectorAll(':scope > input')[i].checked = true;
    }
    const button = block.querySelector('button[data-md-type="copy"]');
    let copied = null;
    const grab = () => {
      const el = document.activeElement;  // clipboard.js copies from a selected textarea
      copied = el && 'value' in el ? el.value : String(getSelection());
    };
    document.addEventListener('copy', grab, true);
    if (button) button.click();
    document.removeEventListener('copy', grab, true);
    out.push({visible: block.checkVisibility(), button: !!button, copied});
  }
  return out;
}"""


def _page_url(page: Path) -> str:
    rel = page.relative_to(DOCS).with_suffix("")
    return "/" if rel.name == "index" else f"/{rel.as_posix()}/"


@pytest.fixture(scope="module")
def copied_by_the_button():
    """For each page: what clicking each block's copy button copied, and the clipboard after.

    Chromium runs in a thread of its own: Playwright's sync API refuses to start a second
    time in a thread where it already runs (tests/test_browser.py's session browser).
    """
    from tests import test_browser  # here, not at the top: importing it builds the site

    if not Path(test_browser.CHROMIUM).exists():
        test_browser._unavailable(f"{test_browser.CHROMIUM} is missing")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        test_browser._unavailable("the playwright package is not installed")
    handler = functools.partial(test_browser._Quiet, directory=str(built_site()))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    copied, errors = {}, []

    def visit_every_page() -> None:
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=test_browser.CHROMIUM, args=test_browser.CHROMIUM_ARGS
                )
                context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
                tab = context.new_page()
                for page in PAGES:
                    tab.goto(base + _page_url(page), wait_until="load")
                    blocks = tab.evaluate(COPY_ALL_JS)
                    clipboard = tab.evaluate("() => navigator.clipboard.readText()")
                    copied[page] = (blocks, clipboard)
                browser.close()
        except BaseException as err:  # re-raised in the test's thread
            errors.append(err)

    try:
        worker = threading.Thread(target=visit_every_page)
        worker.start()
        worker.join()
    finally:
        httpd.shutdown()
        httpd.server_close()
    if errors:
        raise errors[0]
    return copied


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_materials_copy_button_copies_what_the_runner_runs(copied_by_the_button, page):
    copies, clipboard = copied_by_the_button[page]
    blocks = PR.page_blocks(page)
    assert len(copies) == len(blocks), f"{page.name}: {len(copies)} code blocks on the page"
    for copy, block in zip(copies, blocks, strict=True):
        assert copy["button"] and copy["visible"], (block.where, copy)
        assert_runs_what_is_copied(block, copy["copied"])
    if copies:  # what the copy event saw is what landed on the clipboard
        assert clipboard == copies[-1]["copied"]


def test_static_copy_text_unescapes_and_drops_tags():
    inner = ('<a id="x"></a><span class="gp">&gt;&gt;&gt; </span>'
             '<span class="hll">a &amp; b\n</span>')
    assert PR.static_copy_text(inner) == ">>> a & b"
    assert PR.static_copy_text(inner, "a &amp; b&#10;&#10;") == "a & b"  # data-copy wins

