"""Every code block of the book is a test, run as a reader runs it (docs/pagerunner.py).

Each page ``docs/**/*.md`` runs in its own fresh ``python`` process, in an empty temporary
folder, with the environment pytest was started with: its ```` ```python ```` blocks as the
copy button copies them, and the input lines of its ```` ```pycon ```` blocks (what their
copy button copies, docs/hooks/copytext.py) at a ``>>>`` prompt, their output compared
with the page's (doctest's comparison, with the
``doctest_optionflags`` of pyproject.toml that ``--doctest-modules`` uses). ``--8<--``
lines are expanded as the build expands them. pagerunner.py's docstring has the details.

pytest items, for a page ``docs/x.md``:

- ``docs/x.md::line:N:python`` / ``docs/x.md::line:N:pycon``: the block whose fence opens on
  line N. A failure says which block (and which example, page:line), shows expected and
  got, the traceback with each frame's page or ``src/`` line, and the block's source;
- blocks after a python block that failed are failures too, "not run": a reader who
  pastes the page stops at the first block that fails;
- a block titled ``title="does not run"`` (the one way to keep a block from running) is
  a skipped item, counted in the summary line;
- a block titled ``title="needs torch"`` runs like any block where ``import torch`` works
  in the page's python; where it does not, it is a skipped item, reason
  "needs torch (not installed)", counted apart in the summary line;
- ``docs/x.md::end-of-page``: the page's process ended normally and left the folder it
  ran in empty (a page removes what it creates).

Blocks indented inside admonitions, ``???`` details and content tabs are found too; no
attribute makes a python/pycon fence disappear, and ``tests/test_docs_blocks.py`` counts
the fences again with a plain regex. The folders that are not pages (hooks, examples,
theme overrides) and pagerunner.py are kept away from ``--doctest-modules``; the examples
run in ``tests/test_examples.py``.
"""

import importlib.util
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent

collect_ignore = ["pagerunner.py"]
collect_ignore_glob = ["hooks/*", "examples/*", "overrides/*", "javascripts/*"]


def _load_pagerunner():
    """docs/ is no package: load pagerunner.py by path, once (tests load the same module)."""
    name = "nnscratch_docs_pagerunner"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, DOCS / "pagerunner.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up there
        spec.loader.exec_module(module)
    return sys.modules[name]


pagerunner = _load_pagerunner()
SKIP_TITLE = pagerunner.SKIP_TITLE
TORCH_TITLE = pagerunner.TORCH_TITLE


class BlockFailed(Exception):
    """A block of a page failed; the message is the whole report."""


class MarkdownPage(pytest.File):
    """A page: one item per python/pycon fence, then ``end-of-page``."""

    _run = None

    def collect(self):
        blocks = pagerunner.page_blocks(self.path)
        reasons = pagerunner.skip_reasons(blocks)  # the ones run_page decides on
        for block, reason in zip(blocks, reasons, strict=True):
            label = "pycon" if block.lang in pagerunner.PYCON_LANGS else "python"
            yield BlockItem.from_parent(self, name=f"line:{block.line}:{label}", block=block,
                                        skip_reason=reason)
        if any(reason is None for reason in reasons):
            yield EndOfPageItem.from_parent(self, name="end-of-page")

    def page_run(self):
        """The page's process, run once, when its first item runs."""
        if self._run is None:
            self._run = pagerunner.run_page(self.path)
        return self._run


class BlockItem(pytest.Item):
    def __init__(self, *, block, skip_reason=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.block = block
        self.user_properties.append(("docs-block", block.kind))
        self.user_properties.append(("docs-page", pagerunner.page_name(block.page)))
        if skip_reason is not None:  # a marker, so that the report points at the page's line
            self.add_marker(pytest.mark.skip(reason=skip_reason))

    def runtest(self) -> None:
        result = self.parent.page_run().results[self.block.index]
        if result.status == "skipped":  # never reached: the item carries the skip marker
            pytest.skip(result.message)
        if result.status == "failed":
            raise BlockFailed(result.message)
        if result.status == "not run":
            raise BlockFailed(result.message)
        assert result.status == "passed", result

    def repr_failure(self, excinfo, style=None):
        if excinfo.errisinstance(BlockFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, self.block.line - 1, f"{self.block.where} ({self.block.kind} block)"


class EndOfPageItem(pytest.Item):
    def runtest(self) -> None:
        problems = self.parent.page_run().end_problems()
        if problems:
            raise BlockFailed("\n".join(problems))

    def repr_failure(self, excinfo, style=None):
        if excinfo.errisinstance(BlockFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, None, f"{pagerunner.page_name(self.path)}: end of the page"


def pytest_collect_file(file_path: Path, parent):
    if file_path.suffix == ".md":
        return MarkdownPage.from_parent(parent, path=file_path)
    return None


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    stats = terminalreporter.stats
    ran = {"python": 0, "pycon": 0}
    failed = not_run = 0
    pages = set()
    for outcome in ("passed", "failed"):
        for report in stats.get(outcome, []):
            props = dict(getattr(report, "user_properties", ()))
            if report.when != "call" or "docs-block" not in props:
                continue
            not_run_here = outcome == "failed" and ": not run: " in str(report.longrepr)
            if not not_run_here:
                pages.add(props["docs-page"])
            if outcome == "passed":
                ran[props["docs-block"]] += 1
            elif not_run_here:
                not_run += 1
            else:
                failed += 1
    skipped = {SKIP_TITLE: 0, TORCH_TITLE: 0}
    for report in stats.get("skipped", []):
        reason = str(getattr(report, "longrepr", ""))
        if f'marked "{SKIP_TITLE}"' in reason:
            skipped[SKIP_TITLE] += 1
        elif f"{TORCH_TITLE} (" in reason:
            skipped[TORCH_TITLE] += 1
    examples = sum(
        1
        for report in stats.get("passed", [])
        if report.when == "call" and "test_examples.py::test_example_runs" in report.nodeid
    )
    line = (
        f"docs: {len(pages)} pages, ran {ran['python']} python blocks and {ran['pycon']} pycon "
        f"blocks, {examples} examples; skipped {skipped[SKIP_TITLE]} blocks marked "
        f"\"{SKIP_TITLE}\" and {skipped[TORCH_TITLE]} marked \"{TORCH_TITLE}\""
    )
    if failed or not_run:
        line += f"; {failed} blocks failed, {not_run} not run after a failure"
    terminalreporter.write_line(line)
