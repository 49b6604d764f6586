"""Run a page of the book the way a reader does: in a fresh ``python``, block after block.

A reader copies a code block with the page's copy button and pastes it into a ``python``
started in an empty folder. This module does the same for every page ``docs/**/*.md``:

- one new process per page (``sys.executable``), its working folder a new empty
  temporary folder, its environment the one pytest was started with (nothing added);
- in page order, each ```` ```python ```` block runs as the copy button copies it, and the
  input lines of each ```` ```pycon ```` block (``>>> `` / ``... `` stripped, which is what
  its copy button copies: docs/hooks/copytext.py) run one statement at a time, as at the
  ``>>>`` prompt, their output compared with the page's;
- ``--8<--`` lines are first expanded by pymdownx.snippets with the configuration of
  mkdocs.yml, so the code included from ``src/`` runs as it appears on the built page;
- the one way to keep a block from running is the fence title ``title="does not run"``;
- a block titled ``title="needs torch"`` runs like any other when ``import torch`` works in
  the page's python (``sys.executable`` with the page's environment, tried in a process of
  its own, so nothing is imported into the page), and is skipped, reason
  "needs torch (not installed)", when it does not.

The process runs :func:`_driver` (its source is passed with ``python -c``, so nothing of
this module is importable there and ``sys.path[0]`` is the empty folder, as at a prompt).
The page's code runs in a namespace equal to the prompt's ``__main__`` (the names
``__name__``, ``__builtins__``, ``__doc__``, ``__loader__``, ``__package__``, ``__spec__``,
``__annotations__``), which is installed as ``sys.modules["__main__"]``; every block is
compiled with ``dont_inherit=True``, so no ``from __future__`` of this module, of pytest or
of the driver applies. Like the prompt (and doctest), a ``from __future__`` import that
the page itself executes applies to the page's later blocks.

The process only executes and records; the comparison happens here, with the stdlib
doctest machinery (``DocTestParser``, and pytest's ``OutputChecker`` subclass, so that the
``NUMBER`` flag means what it means for ``--doctest-modules``) and the option flags of
``doctest_optionflags`` in pyproject.toml, the list ``--doctest-modules`` uses too.

How the copy button copies (mkdocs-material 9.8): the button's target is the block's
``<code>`` element; the text is its ``innerText`` while the element carries
``data-md-copying`` (which makes ``.hll`` line highlights ``display: contents`` and hides
``.md-annotation``), with trailing whitespace removed (``trimEnd()``). Line numbers are
outside ``<code>`` (a separate table cell, or a CSS ``::before``), the title is outside
too, and the line anchors are empty. Pygments drops the leading and trailing empty lines.
So the text of ``<code>`` is the fence's body (after ``--8<--`` expansion) without its
leading empty lines and its trailing whitespace: :attr:`Block.text`, which is what the button
copies from a python block. Unless an ancestor of ``<code>`` has a ``data-copy`` attribute:
then the button copies that attribute (``trimEnd()`` too). The build hook
docs/hooks/copytext.py gives every pycon block one: its input lines, prompts stripped, a
blank line after each compound statement, computed from the examples that
``copytext.pycon_examples`` reads from the block, the very examples this runner runs.
:attr:`Block.copied` is the copy of either kind. tests/test_docs_blocks.py checks this
against the built site and, when Chromium is available, against the real button, and pastes
a copied pycon block into an interactive ``python``.
"""

import difflib
import doctest
import html
import importlib.util
import inspect
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent


def _load_copytext():
    """The build hook that gives pycon blocks their copy text (docs/hooks/copytext.py), loaded
    by its path: the runner runs the examples that its ``pycon_examples`` reads."""
    name = "nnscratch_docs_copytext"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, DOCS / "hooks" / "copytext.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


copytext = _load_copytext()

PYTHON_LANGS = {"python", "py", "python3", "py3"}
PYCON_LANGS = {"pycon"}
SKIP_TITLE = "does not run"
#: The title of a block that needs PyTorch: run when ``import torch`` works, else skipped.
TORCH_TITLE = "needs torch"
#: Stops a hung page; a page is meant to take seconds to a minute or two.
PAGE_TIMEOUT_S = 900
#: The environment pytest was started with (read when this module is first imported, at
#: the start of the session, before any test could change ``os.environ``).
START_ENV = dict(os.environ)

OPEN_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>.*)$")
TITLE = re.compile(r"""\btitle\s*=\s*(?:"([^"]*)"|'([^']*)')""")
SNIPPET_LINE = re.compile(r"""^\s*-{1,}8<-{1,}\s+(["'])(?P<spec>[^"']+)\1\s*$""")
TB_FILE = re.compile(r'^(?P<lead>\s*)File "(?P<file>[^"]+)", line (?P<line>\d+)(?P<rest>.*)$')


# --- Fences ---------------------------------------------------------------------------

#: Python-Markdown's tab length (mkdocs does not change it).
TAB_LENGTH = 4


def normalize_whitespace(text: str) -> str:
    """What Python-Markdown does to a page before anything reads its fences (its
    ``NormalizeWhitespace`` preprocessor): line ends made ``\\n``, tabs expanded, lines of
    spaces emptied. The copy button therefore copies spaces where the Markdown has a tab."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").expandtabs(TAB_LENGTH)
    return re.sub(r"(?<=\n) +\n", "\n", text)


def _normalize_included(lines: list[str], indent: str) -> list[str]:
    """:func:`normalize_whitespace` for lines included by ``--8<--`` into a fence indented by
    ``indent`` (snippets run before the normalization, so included text gets it too)."""
    out = []
    for line in lines:
        full = (indent + line).expandtabs(TAB_LENGTH)
        out.append("" if full.strip(" ") == "" else full[len(indent):])
    return out



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


# --- What the page builds: snippets ----------------------------------------------------


def _load_yaml(text: str) -> dict:
    """mkdocs.yml read with a safe loader, its ``!ENV`` and ``!!python/...`` tags as None."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
    return yaml.load(text, Loader=Loader)  # a SafeLoader subclass


@cache
def markdown_extensions() -> tuple[list[str], dict[str, dict]]:
    """mkdocs.yml's ``markdown_extensions``: names and configurations."""
    config = _load_yaml((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    names, configs = [], {}
    for entry in config.get("markdown_extensions") or []:
        if isinstance(entry, str):
            names.append(entry)
        else:
            (name, options), = entry.items()
            names.append(name)
            configs[name] = dict(options or {})
    return names, configs


@cache
def snippets_config() -> dict:
    """pymdownx.snippets' configuration in mkdocs.yml, base paths made absolute.

    mkdocs runs from the folder of mkdocs.yml, against which relative base paths resolve.
    """
    _, configs = markdown_extensions()
    config = dict(configs.get("pymdownx.snippets", {}))
    base = config.get("base_path", ["."])
    base = [base] if isinstance(base, str) else list(base)
    config["base_path"] = [str((ROOT / b).resolve()) for b in base]
    return config


def expand_snippets(source: str) -> str:
    """Expand ``--8<--`` lines exactly as the book's build does (pymdownx.snippets)."""
    if "8<-" not in source:
        return source
    import markdown

    md = markdown.Markdown(
        extensions=["pymdownx.snippets"],
        extension_configs={"pymdownx.snippets": snippets_config()},
    )
    out = "\n".join(md.preprocessors["snippet"].run(source.splitlines()))
    return out + "\n" if source.endswith("\n") else out


def _snippet_origins(spec: str, lines: list[str], indent: str) -> list[str]:
    """Where each line included by ``--8<-- "spec"`` comes from (``file:line`` if found)."""
    path, _, section = spec.partition(":")
    section = section if re.fullmatch(r"[a-z][-_0-9a-z]*", section) else ""
    file = next(
        (Path(b) / path for b in snippets_config()["base_path"] if (Path(b) / path).is_file()),
        None,
    )
    if file is None:
        return [spec] * len(lines)
    rel = file.relative_to(ROOT).as_posix() if file.is_relative_to(ROOT) else str(file)
    source = _normalize_included(file.read_text(encoding="utf-8").splitlines(), indent)
    k = 0
    if section:
        marker = re.compile(rf"\[\s*start\s*:\s*{re.escape(section)}\s*\]")
        k = next((n + 1 for n, text in enumerate(source) if "8<-" in text and marker.search(text)),
                 0)
    origins = []
    for line in lines:
        while k < len(source) and source[k] != line:
            k += 1
        if k == len(source):
            return [f"{rel} ({section or spec})"] * len(lines)
        origins.append(f"{rel}:{k + 1}")
        k += 1
    return origins


# --- Blocks ----------------------------------------------------------------------------


def page_name(page: Path) -> str:
    """The name a report uses for a page: relative to the repository when it is in it."""
    page = page.resolve()
    return page.relative_to(ROOT).as_posix() if page.is_relative_to(ROOT) else str(page)


@dataclass
class Block:
    """One python or pycon fence of a page."""

    page: Path
    index: int  #: position among the page's python/pycon fences
    line: int  #: line of the opening fence (1-based)
    lang: str
    title: str | None
    body: str  #: the fence's body, without the fence's indentation (whitespace normalized)
    indent: str = ""  #: the fence's indentation

    @property
    def kind(self) -> str:
        """``"skip"`` (titled "does not run"), ``"pycon"`` or ``"python"``."""
        if self.title is not None and self.title.strip() == SKIP_TITLE:
            return "skip"
        return "pycon" if self.lang in PYCON_LANGS else "python"

    @property
    def needs_torch(self) -> bool:
        """Titled "needs torch": run only where ``import torch`` works."""
        return self.title is not None and self.title.strip() == TORCH_TITLE

    @property
    def where(self) -> str:
        return f"{page_name(self.page)}:{self.line}"

    @cached_property
    def expanded(self) -> str:
        """The body with ``--8<--`` lines expanded, as the built page has it."""
        text = expand_snippets(self.body)
        if text == self.body:
            return text
        lines = _normalize_included(text.split("\n"), self.indent)
        return "\n".join(lines)

    @cached_property
    def text(self) -> str:
        """The text of the block's ``<code>`` on the built page (see the module's docstring):
        a python block's copy, a pycon block's prompts, inputs and outputs."""
        return self.expanded.strip("\n").rstrip()

    @cached_property
    def copied(self) -> str:
        """What the page's copy button copies: :attr:`text` for a python block, the input
        lines of the examples for a pycon block (``ValueError`` if it has none that can run
        at a prompt; see docs/hooks/copytext.py)."""
        if self.lang in PYCON_LANGS:
            return copytext.paste_text(copytext.pycon_examples(self.text, self.where))
        return self.text

    @cached_property
    def origins(self) -> list[str]:
        """For each line of :attr:`text`: ``page:line`` or ``src/...:line`` it comes from."""
        rel = page_name(self.page)
        lines, origins = [], []
        for k, raw in enumerate(self.body.splitlines()):
            here = f"{rel}:{self.line + 1 + k}"
            m = SNIPPET_LINE.match(raw)
            if "8<-" in raw:
                included = _normalize_included(expand_snippets(raw).splitlines(), self.indent)
                lines += included
                origins += (_snippet_origins(m.group("spec"), included, self.indent) if m
                            else [here] * len(included))
            else:
                lines.append(raw)
                origins.append(here)
        if lines != self.expanded.splitlines():  # a multi-line snippet block: no exact map
            origins = [f"{self.where} (after --8<-- expansion)"] * len(self.expanded.splitlines())
        lead = len(self.expanded) - len(self.expanded.lstrip("\n"))
        n = len(self.text.splitlines())
        return origins[lead : lead + n]

    def source_lines(self) -> list[tuple[str, str]]:
        """``(origin, text)`` for each line of :attr:`text`."""
        return list(zip(self.origins, self.text.splitlines(), strict=True))


def page_blocks(page: Path) -> list[Block]:
    """The python and pycon fences of a page, in page order, whatever their attributes."""
    page = Path(page).resolve()
    text = normalize_whitespace(page.read_text(encoding="utf-8"))
    blocks = []
    for start, _end, indent, info, body in iter_fences(text):
        lang = fence_language(info)
        if lang not in PYTHON_LANGS | PYCON_LANGS:
            continue
        m = TITLE.search(info)
        title = (m.group(1) if m.group(1) is not None else m.group(2)) if m else None
        line = text.count("\n", 0, start) + 1
        blocks.append(Block(page, len(blocks), line, lang, title, body, indent))
    return blocks


# --- Why a block is not run: "does not run", or "needs torch" where torch is missing -------

#: Stops a hung ``import torch`` probe.
PROBE_TIMEOUT_S = 300


def import_problem(returncode: int, stderr: str, module: str = "torch") -> str | None:
    """Why ``python -c "import module"`` failed, from its exit status and its stderr: None
    if it worked, ``"not installed"`` if there is no such module, else the error's last line
    (a broken install, a missing shared library: ``"import torch failed: OSError: ..."``)."""
    if returncode == 0:
        return None
    last = next((line.strip() for line in reversed(stderr.splitlines()) if line.strip()), "")
    if last == f"ModuleNotFoundError: No module named '{module}'":
        return "not installed"
    return f"import {module} failed: {last or f'exit status {returncode}'}"


@cache
def _torch_problem(executable: str, env: tuple[tuple[str, str], ...]) -> str | None:
    with tempfile.TemporaryDirectory(prefix="nnscratch-torch-probe-") as cwd:
        try:
            proc = subprocess.run(
                [executable, "-c", "import torch"], cwd=cwd, env=dict(env),
                stdin=subprocess.DEVNULL, capture_output=True, text=True,
                timeout=PROBE_TIMEOUT_S,
            )
        except subprocess.TimeoutExpired:
            return f"import torch failed: no answer after {PROBE_TIMEOUT_S} s"
    return import_problem(proc.returncode, proc.stderr)


def torch_problem(env: dict | None = None) -> str | None:
    """None if ``import torch`` works in the page's python, else why not (:func:`import_problem`).

    The page's python is ``sys.executable`` with the page's environment (``START_ENV``
    unless given) in an empty folder; the import is tried in a ``python`` of its own, once
    per environment, so that nothing is imported into any page's process.
    """
    env = START_ENV if env is None else env
    return _torch_problem(sys.executable, tuple(sorted(env.items())))


def skip_reason(block: Block, torch: str | None) -> str | None:
    """Why ``block`` is not run, or None if it is. ``torch`` is :func:`torch_problem`'s answer
    (only read for a block titled "needs torch")."""
    if block.kind == "skip":
        return f'marked "{SKIP_TITLE}" ({block.where})'
    if block.needs_torch and torch is not None:
        return f"{TORCH_TITLE} ({torch}) ({block.where})"
    return None


def skip_reasons(blocks: list[Block], env: dict | None = None) -> list[str | None]:
    """:func:`skip_reason` of each block; ``import torch`` is tried only for a page that has
    a block titled "needs torch"."""
    torch = torch_problem(env) if any(b.needs_torch for b in blocks) else None
    return [skip_reason(block, torch) for block in blocks]


# --- Doctest flags and checker, shared with --doctest-modules ----------------------------


def doctest_flag_names() -> list[str]:
    """``doctest_optionflags`` of pyproject.toml's [tool.pytest.ini_options] (pytest's default
    when it is absent), the list that ``--doctest-modules`` reads."""
    with open(ROOT / "pyproject.toml", "rb") as f:
        ini = tomllib.load(f).get("tool", {}).get("pytest", {}).get("ini_options", {})
    names = ini.get("doctest_optionflags", ["ELLIPSIS"])
    return shlex.split(names) if isinstance(names, str) else list(names)


def doctest_flags() -> int:
    """The flags of :func:`doctest_flag_names`, looked up exactly as pytest looks them up."""
    from _pytest.doctest import _get_flag_lookup

    lookup = _get_flag_lookup()
    flags = 0
    for name in doctest_flag_names():
        flags |= lookup[name]
    return flags


def output_checker() -> doctest.OutputChecker:
    """pytest's OutputChecker (the stdlib's plus NUMBER, ALLOW_UNICODE, ALLOW_BYTES)."""
    from _pytest.doctest import _get_checker

    return _get_checker()


# --- The process ------------------------------------------------------------------------


def _driver(repl_globals: dict) -> None:
    """What runs in the page's process (passed as source with ``python -c``).

    ``repl_globals`` is a copy of ``__main__``'s namespace taken before anything of the
    driver existed: the namespace of a fresh ``>>>`` prompt. The page's code runs in a new
    module with that namespace, never in the driver's globals.
    """
    import __future__

    import builtins
    import io
    import json
    import os
    import sys
    import time
    import traceback
    import types

    steps_path, events_path = sys.argv[1], sys.argv[2]
    sys.argv[:] = [""]  # as at the prompt
    with open(steps_path, encoding="utf-8") as f:
        steps = json.load(f)
    events = open(events_path, "w", encoding="utf-8")  # open until the end

    main = types.ModuleType("__main__")
    ns = main.__dict__
    ns.update(repl_globals)
    ns["__annotations__"] = {}
    ns["__builtins__"] = builtins
    driver_main = sys.modules["__main__"]  # kept alive: this function's globals live in it
    sys.modules["__main__"] = main

    def emit(**event: object) -> None:
        events.write(json.dumps(event) + "\n")
        events.flush()

    def output_position() -> int | None:
        for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
            try:
                stream.flush()
            except Exception:  # a page may have replaced or closed a stream
                pass
        try:
            return os.lseek(1, 0, os.SEEK_CUR)
        except OSError:
            return None

    def future_flags() -> int:
        # What the prompt (and doctest) carry over: future imports the page has executed.
        flags = 0
        for name in __future__.all_feature_names:
            feature = getattr(__future__, name)
            if ns.get(name) is feature:
                flags |= feature.compiler_flag
        return flags

    def failure(exc: BaseException) -> dict:
        tb = exc.__traceback__.tb_next if exc.__traceback__ is not None else None  # not ours
        return {
            "type": type(exc).__qualname__,
            "only": traceback.format_exception_only(type(exc), exc),
            "traceback": "".join(traceback.format_exception(type(exc), exc, tb)),
        }

    for n, step in enumerate(steps):
        emit(event="start", step=n, at=output_position())
        start = time.perf_counter()
        if step["kind"] == "python":
            try:
                code = compile(step["source"], step["filename"], "exec", future_flags(), True)
                exec(code, ns)
                exc = None
            except BaseException as e:  # SystemExit too: the prompt would end
                exc = failure(e)
            emit(event="python", step=n, exc=exc, at=output_position(),
                 seconds=time.perf_counter() - start)
            if exc is not None:
                break  # a reader stops pasting at the first block that fails
        else:
            for j, example in enumerate(step["examples"]):
                captured = io.StringIO()
                saved = sys.stdout
                sys.stdout = captured
                try:
                    code = compile(example["source"], example["filename"], "single",
                                   future_flags(), True)
                    exec(code, ns)
                    exc = None
                except BaseException as e:
                    exc = failure(e)
                finally:
                    sys.stdout = saved
                emit(event="example", step=n, example=j, got=captured.getvalue(), exc=exc)
            emit(event="pycon", step=n, at=output_position(),
                 seconds=time.perf_counter() - start)
    emit(event="done")
    events.close()
    del driver_main


def driver_command() -> str:
    """The ``python -c`` program: snapshot the prompt's namespace, then run the driver."""
    return (
        "_repl_globals = dict(globals())\n"
        + inspect.getsource(_driver)
        + "\n_driver(_repl_globals)\n"
    )


# --- Steps (what the process runs) and results -------------------------------------------


@dataclass
class Step:
    """One block as the process runs it."""

    block: Block
    source: str = ""  #: python: the copied text
    examples: list[doctest.Example] = field(default_factory=list)  #: pycon
    flags: list[int] = field(default_factory=list)  #: pycon: each example's option flags

    def filename(self, example: doctest.Example | None = None) -> str:
        """The name the code is compiled under: ``page:line`` of the fence or the example."""
        line = self.block.line if example is None else self.example_line(example)
        return f"{page_name(self.block.page)}:{line}"

    def example_line(self, example: doctest.Example) -> int:
        """The page line of an example's ``>>>`` line."""
        page, _, line = self.block.origins[example.lineno].rpartition(":")
        if page == page_name(self.block.page) and line.isdigit():
            return int(line)
        return self.block.line + 1 + example.lineno

    def payload(self) -> dict:
        if self.block.kind == "python":
            return {"kind": "python", "source": self.source, "filename": self.filename()}
        return {
            "kind": "pycon",
            "examples": [
                {"source": ex.source, "filename": self.filename(ex)} for ex in self.examples
            ],
        }


@dataclass
class BlockResult:
    status: str  #: "passed", "failed", "not run" or "skipped"
    message: str = ""
    seconds: float = 0.0
    examples: int = 0  #: pycon: examples compared


@dataclass
class PageRun:
    page: Path
    blocks: list[Block]
    results: list[BlockResult]  #: one per block, in page order
    leftovers: list[str]  #: names left in the working folder
    returncode: int | None
    finished: bool  #: the driver ran to its end
    seconds: float
    output: str  #: everything the process wrote to stdout and stderr

    @property
    def ran(self) -> bool:
        return any(r.status in ("passed", "failed") for r in self.results)

    def end_problems(self) -> list[str]:
        """What is wrong once the last block has run: files left behind, a bad exit."""
        problems = []
        if self.leftovers:
            problems.append(
                f"{page_name(self.page)} left {len(self.leftovers)} name(s) in the folder it was "
                f"run in: {', '.join(self.leftovers)} (a page must remove what it creates)"
                + ("; the page stopped early, so its own clean-up may not have run"
                   if any(r.status == "not run" for r in self.results) else "")
            )
        if self.finished and self.returncode != 0:
            problems.append(
                f"{page_name(self.page)}: the process exited with {self.returncode} after the "
                f"page's last block\n{_tail(self.output)}"
            )
        return problems


def plan(blocks: list[Block], flags: int, torch: str | None = None
         ) -> tuple[list[Step], dict[int, BlockResult]]:
    """The steps to run; blocks that are skipped (:func:`skip_reason`; ``torch`` is
    :func:`torch_problem`'s answer) or cannot be run at all get their result at once."""
    steps, early = [], {}
    for block in blocks:
        reason = skip_reason(block, torch)
        if reason is not None:
            early[block.index] = BlockResult("skipped", reason)
            continue
        step = Step(block)
        if block.kind == "python":
            step.source = block.text + "\n"
        else:
            try:  # the examples whose input lines the copy button copies
                step.examples = copytext.pycon_examples(block.text, block.where)
            except ValueError as e:
                early[block.index] = BlockResult("failed", f"{block.where}: pycon block: {e}")
                continue
            for ex in step.examples:
                ex_flags = flags
                for flag, on in ex.options.items():
                    ex_flags = ex_flags | flag if on else ex_flags & ~flag
                step.flags.append(ex_flags)
            if any(f & doctest.SKIP for f in step.flags):  # SKIP in doctest_optionflags
                early[block.index] = BlockResult(
                    "failed", f"{block.where}: pycon block: the doctest flags skip its examples"
                )
                continue
            if not step.examples:
                early[block.index] = BlockResult(
                    "failed", f"{block.where}: pycon block with no example to run"
                )
                continue
        steps.append(step)
    return steps, early


def run_page(page: Path, timeout: float = PAGE_TIMEOUT_S, env: dict | None = None) -> PageRun:
    """Run a page in a fresh ``python``; see the module's docstring."""
    page = Path(page).resolve()
    blocks = page_blocks(page)
    flags = doctest_flags()
    torch = torch_problem(env) if any(b.needs_torch for b in blocks) else None
    steps, early = plan(blocks, flags, torch)
    results: list[BlockResult | None] = [early.get(b.index) for b in blocks]
    if not steps:
        return PageRun(page, blocks, results, [], None, False, 0.0, "")

    private = Path(tempfile.mkdtemp(prefix="nnscratch-pagerun-"))
    workdir = Path(tempfile.mkdtemp(prefix="nnscratch-page-"))
    try:
        steps_path, events_path = private / "steps.json", private / "events.jsonl"
        steps_path.write_text(json.dumps([s.payload() for s in steps]), encoding="utf-8")
        start = time.perf_counter()
        timed_out = False
        with open(private / "output", "wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-c", driver_command(), str(steps_path), str(events_path)],
                cwd=workdir, env=START_ENV if env is None else env,
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
            finally:
                if proc.poll() is None:  # timed out, or pytest was interrupted
                    _kill_group(proc)
        seconds = time.perf_counter() - start
        output_bytes = (private / "output").read_bytes()
        events = _read_events(events_path)
    finally:
        leftovers = sorted(os.listdir(workdir))
        shutil.rmtree(workdir, onerror=_force_remove)
        shutil.rmtree(private, ignore_errors=True)

    output = output_bytes.decode("utf-8", errors="replace")
    finished = any(e["event"] == "done" for e in events)
    if timed_out:
        death = f"the page's process was stopped after {timeout:.0f} s (timeout)"
    elif not finished:
        death = f"the page's process ended with exit status {proc.returncode}"
    else:
        death = ""
    sources = _source_map(steps)
    checker = output_checker()
    by_step: dict[int, list[dict]] = {}
    for e in events:
        if "step" in e:
            by_step.setdefault(e["step"], []).append(e)

    stopped_by = None
    for n, step in enumerate(steps):
        block, evs = step.block, by_step.get(n, [])
        if stopped_by is not None or not evs:
            why = stopped_by or death or "the page's process did not reach it"
            results[block.index] = BlockResult("not run", f"{block.where}: not run: {why}")
            continue
        start_at = evs[0].get("at")
        end = next((e for e in evs if e["event"] in ("python", "pycon")), None)
        segment = _segment(output_bytes, start_at, end.get("at") if end else None)
        seconds_block = end.get("seconds", 0.0) if end else 0.0
        if step.block.kind == "python":
            if end is None:
                results[block.index] = BlockResult(
                    "failed", _report_python(step, None, segment, sources, death)
                )
                stopped_by = f"{death} while {block.where} ran"
            elif end["exc"] is not None:
                results[block.index] = BlockResult(
                    "failed", _report_python(step, end["exc"], segment, sources), seconds_block
                )
                stopped_by = (f"the python block at {block.where} failed before it "
                              f"({end['exc']['type']}); a reader who pastes the page stops there")
            else:
                results[block.index] = BlockResult("passed", seconds=seconds_block)
            continue
        got = {e["example"]: e for e in evs if e["event"] == "example"}
        reports = []
        for j, (ex, ex_flags) in enumerate(zip(step.examples, step.flags, strict=True)):
            if j not in got:
                reports.append(f"{step.filename(ex)}: {death} while this example ran\n"
                               f"{_tail(segment)}")
                stopped_by = f"{death} while {block.where} ran"
                break
            report = judge(step, ex, ex_flags, got[j]["got"], got[j]["exc"], checker, sources)
            if report:
                reports.append(report)
        if reports:
            results[block.index] = BlockResult(
                "failed", _report_pycon(step, reports, segment), seconds_block, len(got)
            )
        else:
            results[block.index] = BlockResult("passed", seconds=seconds_block,
                                               examples=len(step.examples))
    return PageRun(page, blocks, results, leftovers, proc.returncode, finished, seconds, output)


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.wait()


def _force_remove(func, path, exc_info) -> None:  # shutil's onerror signature
    try:
        os.chmod(os.path.dirname(path), 0o700)
        os.chmod(path, 0o700)
        func(path)
    except OSError:
        pass


def _read_events(path: Path) -> list[dict]:
    if not path.exists():
        return []
    events = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:  # the last line of a process that was killed
            break
    return events


def _segment(output: bytes, start: int | None, end: int | None) -> str:
    if start is None:
        return ""
    return output[start:end].decode("utf-8", errors="replace")


def _tail(text: str, limit: int = 3000) -> str:
    if not text.strip():
        return "(no output)"
    return text if len(text) <= limit else "...\n" + text[-limit:]


# --- Judging and reporting ---------------------------------------------------------------


def _source_map(steps: list[Step]) -> dict[str, list[tuple[str, str]]]:
    """For each compiled filename, the ``(origin, text)`` of its lines (tracebacks use it)."""
    sources = {}
    for step in steps:
        lines = step.block.source_lines()
        if step.block.kind == "python":
            sources[step.filename()] = lines
        else:
            for ex in step.examples:
                n = len(ex.source.splitlines())
                sources[step.filename(ex)] = [
                    (origin, text) for (origin, _), text in
                    zip(lines[ex.lineno : ex.lineno + n], ex.source.splitlines(), strict=False)
                ]
    return sources


def annotate_traceback(text: str, sources: dict[str, list[tuple[str, str]]]) -> str:
    """Add, under each ``File "page:line", line n`` of a traceback, the source line and where it
    is (a page line, or a line of ``src/`` included with ``--8<--``)."""
    out = []
    lines = text.splitlines()
    for k, line in enumerate(lines):
        m = TB_FILE.match(line)
        if not m or m.group("file") not in sources:
            out.append(line)
            continue
        src = sources[m.group("file")]
        n = int(m.group("line"))
        if not 1 <= n <= len(src):
            out.append(line)
            continue
        origin, code = src[n - 1]
        out.append(f"{line}    [{origin}]")
        following = lines[k + 1].strip() if k + 1 < len(lines) else ""
        if following != code.strip():  # a SyntaxError already shows the line
            out.append(f"{m.group('lead')}    {code.strip()}")
    return "\n".join(out)


def _listing(step: Step, marked: set[int], context: int = 4) -> str:
    lines = step.block.source_lines()
    if marked:
        keep = {k for m in marked for k in range(m - context, m + context + 1)}
    else:
        keep = set(range(len(lines))) if len(lines) <= 40 else set(range(context * 2))
    width = max(len(origin) for origin, _ in lines)
    out, gap = [], False
    for k, (origin, text) in enumerate(lines):
        if k not in keep:
            if not gap:
                out.append("   ...")
            gap = True
            continue
        gap = False
        out.append(f"{'>' if k in marked else ' '} {origin:<{width}} | {text}")
    return "\n".join(out)


def _report_python(step: Step, exc: dict | None, output: str,
                   sources: dict[str, list[tuple[str, str]]], death: str = "") -> str:
    block = step.block
    if exc is None:
        head = f"{block.where}: python block: {death} while it ran"
        tb, marked = "", set()
    else:
        head = f"{block.where}: python block raised {exc['only'][-1].strip()}"
        tb = annotate_traceback(exc["traceback"], sources)
        marked = {
            int(m.group("line")) - 1
            for m in map(TB_FILE.match, exc["traceback"].splitlines())
            if m and m.group("file") == step.filename()
        }
    parts = [head]
    if tb:
        parts.append(tb)
    parts.append("--- the block, as the copy button copies it (where each line comes from) ---")
    parts.append(_listing(step, marked))
    parts.append("--- what the block printed (stdout and stderr) ---")
    parts.append(_tail(output))
    return "\n".join(parts)


def judge(step: Step, example: doctest.Example, flags: int, got: str, exc: dict | None,
          checker: doctest.OutputChecker, sources: dict[str, list[tuple[str, str]]]) -> str:
    """Compare one example as doctest's ``DocTestRunner`` does; a report if it failed."""
    if got and not got.endswith("\n"):  # as doctest's captured output does
        got += "\n"
    if exc is None:
        if checker.check_output(example.want, got, flags):
            return ""
        kind = "output differs"
    else:
        exc_msg = exc["only"][-1]
        got += exc["traceback"]
        if example.exc_msg is None:
            kind = f"raised {exc_msg.strip()}"
        elif checker.check_output(example.exc_msg, exc_msg, flags):
            return ""
        elif flags & doctest.IGNORE_EXCEPTION_DETAIL and checker.check_output(
            _strip_exception_details(example.exc_msg), _strip_exception_details(exc_msg), flags
        ):
            return ""
        else:
            kind = "raised a different exception"
    where = step.filename(example)
    source = "\n".join("    " + line for line in example.source.rstrip("\n").splitlines())
    plain = flags & ~(doctest.REPORT_UDIFF | doctest.REPORT_CDIFF | doctest.REPORT_NDIFF)
    got_shown = annotate_traceback(got, sources) + ("\n" if got.endswith("\n") else "")
    parts = [f"{where}: pycon example: {kind}", "Failed example:", source,
             checker.output_difference(example, got_shown, plain).rstrip("\n")]
    want_lines, got_lines = example.want.splitlines(), got.splitlines()
    if exc is None and (len(want_lines) > 1 or len(got_lines) > 1):
        diff = difflib.unified_diff(want_lines, got_lines, "expected", "got", lineterm="")
        parts.append("Diff (- expected, + got):")
        parts.extend("    " + line for line in diff)
    return "\n".join(parts)


def _strip_exception_details(msg: str) -> str:
    return doctest._strip_exception_details(msg)  # what doctest itself uses


def _report_pycon(step: Step, reports: list[str], output: str) -> str:
    n = len(step.examples)
    parts = [f"{step.block.where}: pycon block: {len(reports)} of {n} example(s) failed"]
    parts += reports
    if output.strip():
        parts += ["--- printed outside the examples' captured output ---", _tail(output)]
    return "\n\n".join(parts)


def static_copy_text(code_html: str, data_copy: str | None = None) -> str:
    """The copy button's text of a block, without a browser: the ``data-copy`` attribute of
    its container when it has one (as found in the HTML), else the text of its ``<code>``
    element (``code_html``, the element's inner HTML), trailing whitespace removed.

    Valid for the markup Pygments and pymdownx.highlight write (tags are spans and empty line
    anchors; the browser check in tests/test_docs_blocks.py confirms it on the built site).
    """
    if data_copy is not None:
        return html.unescape(data_copy).rstrip()
    code_html = re.sub(r'<span class="md-annotation.*?</span>', "", code_html, flags=re.S)
    return copytext.code_text(code_html).rstrip()
