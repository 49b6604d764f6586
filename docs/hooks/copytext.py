"""MkDocs hook: the copy button of a ```` ```pycon ```` block copies code that runs.

Material's copy button copies the text of a block's ``<code>``; for a pycon block that is
the ``>>>`` prompts and the outputs too, a SyntaxError when pasted into ``python``. Its
clipboard code takes the text from a ``data-copy`` attribute of an ancestor instead when
there is one (``e.closest("[data-copy]")``, then ``trimEnd()``). This hook gives the
highlight container of every pycon block of every page such an attribute: the block's
input lines, prompts stripped, in the statements that the page runner runs for the block
(docs/pagerunner.py runs exactly :func:`pycon_examples`), each compound statement followed
by a blank line so that the text also pastes into the interactive ``python`` prompt, where
an empty line ends a compound statement (:func:`paste_text`).

A pycon block whose examples could not come from a ``>>>`` prompt (an empty ``...`` line in
the middle of a compound statement, two statements in one example, doctest's ``+SKIP``)
gets no attribute and a warning, which fails a ``--strict`` build; the page runner reports
the same block as failed.

MkDocs puts this folder on ``sys.path`` only while it loads the hook, so this module imports
only the standard library; the page runner loads it by its path.
"""

import codeop
import doctest
import html
import logging
import re
import warnings

log = logging.getLogger("mkdocs.hooks.copytext")

# The container pymdownx.highlight writes around a pycon block (``pygments_lang_class``), up
# to the end of its class attribute: ``language-pycon``, the fence's other classes, ``highlight``.
_PYCON_DIV = re.compile(
    r'<div class="(?=[^"]*(?<![\w-])language-pycon(?![\w-]))(?=[^"]*(?<![\w-])highlight(?![\w-]))'
    r'[^"]*"'
)
_TAG = re.compile(r"<[^>]+>")


def _complete(source: str) -> bool:
    """Would the ``>>>`` prompt run ``source`` (the lines typed so far) now, rather than wait
    for more (``...``)? A syntax error also ends the statement: the prompt reports it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return codeop.compile_command(source, "<stdin>", "single") is not None
        except (SyntaxError, ValueError, OverflowError):
            return True


def repl_statements(text: str) -> list[str]:
    """The statements the interactive prompt runs, in order, when ``text`` is typed (or
    pasted) into it line by line: a statement ends as soon as it is complete, a compound
    one at an empty line, and the end of the input ends the last one. Empty lines between
    statements run nothing and are left out; each statement is returned without its
    trailing newlines."""
    statements, buffer = [], []
    for line in text.split("\n"):
        buffer.append(line)
        source = "\n".join(buffer)
        if _complete(source):
            if source.strip():
                statements.append(source.rstrip("\n"))
            buffer = []
    if "\n".join(buffer).strip():
        statements.append("\n".join(buffer).rstrip("\n"))
    return statements


def paste_text(examples: list[doctest.Example]) -> str:
    """What the copy button copies for a pycon block of these examples: each example's input
    lines, prompts stripped, and an empty line after each one at which the prompt would
    still wait for more (a compound statement), trailing whitespace removed."""
    lines = []
    for example in examples:
        source = example.source.rstrip("\n")
        lines += source.split("\n")
        if not _complete(source):
            lines.append("")
    return "\n".join(lines).rstrip()


def pycon_examples(text: str, name: str = "<pycon block>") -> list[doctest.Example]:
    """The examples of a pycon block's text, in order: what the page runner runs and compares,
    and what :func:`paste_text` makes the copy button copy.

    ``text`` is the block's code as the page shows it (prompts and outputs). ``ValueError``
    if doctest cannot read it, if an example is marked ``+SKIP`` (the one way to keep page
    code from running is a block titled "does not run"), or if its input, typed at the
    interactive prompt, would not run as these examples (:func:`repl_statements`).
    """
    examples = doctest.DocTestParser().get_examples(text + "\n", name)
    for example in examples:
        if example.options.get(doctest.SKIP):
            raise ValueError(
                f"the example on line {example.lineno + 1} of the block is marked "
                '+SKIP; a block titled "does not run" is the one way to keep code from running'
            )
    sources = [example.source.rstrip("\n") for example in examples]
    ran = repl_statements(paste_text(examples))
    if ran != sources:
        k = next((k for k, (a, b) in enumerate(zip(ran, sources, strict=False)) if a != b),
                 min(len(ran), len(sources)))
        where = (f"the example on line {examples[k].lineno + 1} of the block"
                 if k < len(examples) else "the end of the block")
        why = ("an empty line inside a compound statement ends it at the prompt"
               if k < len(sources) and "\n\n" in sources[k] else
               "the prompt reads one statement at a time")
        raise ValueError(
            f"typed at the >>> prompt, the input of {where} would not run as that "
            f"example: the prompt would run {ran[k] if k < len(ran) else 'nothing'!r} instead "
            f"of it ({why})"
        )
    return examples


def code_text(inner_html: str) -> str:
    """The text of a ``<code>`` element of pymdownx.highlight's markup (spans and empty line
    anchors), given its inner HTML: what the page shows in the block."""
    return html.unescape(_TAG.sub("", inner_html))


def _with_copy_text(output: str, where: str) -> str:
    out, pos = [], 0
    for m in _PYCON_DIV.finditer(output):
        start = output.index("<code", m.end())
        start = output.index(">", start) + 1
        end = output.index("</code>", start)
        try:
            copied = paste_text(pycon_examples(code_text(output[start:end]).rstrip(), where))
        except ValueError as err:
            log.warning("%s: a pycon block keeps its plain copy: %s", where, err)
            continue
        attribute = html.escape(copied, quote=True).replace("\n", "&#10;")
        out += [output[pos:m.end()], f' data-copy="{attribute}"']
        pos = m.end()
    out.append(output[pos:])
    return "".join(out)


def on_page_content(content: str, page, config, files, **kwargs) -> str:
    """Give each pycon block of the page its ``data-copy`` text."""
    return _with_copy_text(content, page.file.src_uri)
