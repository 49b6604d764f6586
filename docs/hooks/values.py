"""MkDocs hook: every measured value on a page is rendered from a results file at build time.

A page writes a call between ``{@`` and ``@}``; the call is replaced by the value, formatted,
read from ``docs/results/<file>.json``::

    Version 2 reached {@ value("errata.json", "runs[name=v2 as written].test_accuracy") @}.

renders (mean ± sample sd over the runs the key selects; ``nnscratch.experiments.errata.mean_sd``)::

    <span class="nn-value"
          data-source="docs/results/errata.json#runs[name=v2 as written].test_accuracy"
          data-call="value('errata.json', 'runs[name=v2 as written].test_accuracy', fmt='pct:2')"
          title="92.81 % ± 0.66: docs/results/errata.json, key runs[name=v2 as written]...
                 Written by: python -m nnscratch.notebook --seeds 0,1,2 --jobs 2; ...">
      92.81 % ± 0.66</span>

The ``title`` (hover text) names the file, the key and the command recorded in the file that
wrote it (or, for a quotation, what it quotes); ``data-source`` names file and key for the
tests, and ``data-call`` is the complete call, which the tests evaluate again.

The calls (arguments are Python literals; nothing else is evaluated):

``value(file, key, fmt="pct:2", stat=None, unit=None, scale=1)``
    One value. ``key`` is a path: ``a.b``, a list index ``history.-1``, and a selector
    ``runs[name=v1 as written,seed=0]`` that keeps every element of a list whose fields
    match (``[*]`` keeps all). After a selector the path continues in every kept element;
    two or more numbers are shown as mean ± sd, or one statistic with ``stat`` ("mean",
    "sd", "min", "max").
``diff(file, key_b, key_a, fmt="points:2")``
    The paired difference ``b - a`` (element by element, after checking both keys select
    the same seeds), as mean ± sd.
``table(file, rows, columns, corner="")``
    A whole Markdown table (rendered as an HTML ``<table>``), every cell a value with its
    source. ``columns`` is a list of ``[header, key]``, ``[header, key, fmt]`` or
    ``[header, key, fmt, options]``; ``options`` may hold ``stat``, ``unit``, ``scale`` (as
    for ``value``), ``minus`` (another key, taken as it is unless it holds ``{row}`` or a
    ``{name}``: the cell is the paired ``diff`` of the cell's key minus that one) and ``file``
    (the column reads another results file). ``rows`` is a list of
    ``[label, rowkey]`` or ``[label, rowkey, overrides]``. A cell's key is the column's key
    with ``{row}`` replaced by ``rowkey``, or ``rowkey.key`` when the column's key has no
    ``{row}``; a ``rowkey`` may instead be a dict of names, each ``{name}`` of the column's
    key (and of its ``minus``) being replaced by its value. ``overrides`` maps a column's
    header to ``None`` (the cell is "—"), to another key, or to a dict of options (with
    ``key``, ``fmt``) that replace the column's for this cell. A table call starts its own
    line; its lines keep that line's indentation (so it works inside an admonition).

``stat="n"`` shows how many values a key selects (the seeds of a mean ± sd).

Formats ``fmt`` are ``name:digits``: ``pct`` (a fraction, as ``94.67 %``), ``points`` (a
difference of fractions, ``+3.21 points``), ``fixed``, ``int`` (``10,000``), ``seconds``
(``86.1 s``), ``minutes`` (from seconds), ``times`` (``2.0×``), ``sci`` (``1.2 × 10⁻⁷``),
``text`` (a string as it is).

Inside an HTML attribute (``alt="..."``) or the alt text of a Markdown image a ``<span>``
cannot stand: there the call renders the plain value, and the element that holds it gets
``data-source`` and ``data-values`` (each entry separated by `` ; ``) and, unless it has
one, a ``title`` naming the sources.

Strict by construction: a missing file or key, an unknown call or format, a results file
that names no command (and is not a quotation), a call in a fenced code block or on an
example page fails the build with the page and line.
"""

from __future__ import annotations

import ast
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

from mkdocs.exceptions import PluginError

CALL = re.compile(r"\{@(?P<expr>.*?)@\}", re.DOTALL)
PLACEHOLDER = "NNVALUE{}ZZ"
PLACEHOLDER_RE = re.compile(r"NNVALUE(\d+)ZZ")
FILE_NAME = re.compile(r"[A-Za-z0-9_.-]+\.json")
FENCE = re.compile(r"^[ \t]*(?:>[ \t]*)*(?P<fence>`{3,}|~{3,})")
# The text from a tag's "<" up to the cursor, when the cursor is inside a quoted attribute.
IN_ATTRIBUTE = re.compile(
    r"""<[A-Za-z][\w:-]*(?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*"""
    r"""\s+[^\s"'>/=]+\s*=\s*(?:"[^"]*|'[^']*)""",
    re.DOTALL,
)
IN_IMAGE_ALT = re.compile(r"!\[[^\]]*$")
TAG_WITH_PLACEHOLDER = re.compile(r"<[A-Za-z][^<>]*NNVALUE\d+ZZ[^<>]*>")
SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
STATS = {None, "mean", "sd", "min", "max", "n"}
DEFAULT_DIGITS = {"pct": 2, "points": 2, "fixed": 2, "int": 0, "seconds": 1, "minutes": 1,
                  "times": 1, "sci": 1, "text": 0}

#: Where the results files are; set from mkdocs.yml in ``on_config`` (tests may change it).
RESULTS_DIR = Path(__file__).resolve().parents[1] / "results"
ROOT = RESULTS_DIR.parents[1]
_cache: dict[str, dict] = {}
_plain: dict[str, list[Rendered]] = {}  # page src_uri -> values rendered in plain mode


class ValueProblem(Exception):
    """A call that cannot be rendered; the hook turns it into a PluginError with the page."""


@dataclass(frozen=True)
class Rendered:
    text: str
    source: str  # "docs/results/x.json#key" (a diff: "...#b minus ...#a")
    call: str    # the call that gives it, with every argument: tests evaluate it again
    title: str

    def span(self) -> str:
        attrs = {"class": "nn-value", "data-source": self.source, "data-call": self.call,
                 "title": self.title}
        return f"<span {_attributes(attrs)}>{html.escape(self.text, quote=False)}</span>"


def _call(name: str, *args: object, **kwargs: object) -> str:
    parts = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"


def _attributes(attrs: dict[str, str]) -> str:
    # "|" is escaped too, so that a value can sit in a Markdown table cell.
    return " ".join(f'{k}="{html.escape(v).replace("|", "&#124;")}"' for k, v in attrs.items())


# --- the results files ---------------------------------------------------------------------


def load(file: str) -> dict:
    """The results file ``docs/results/<file>``, checked to name what wrote it."""
    if file in _cache:
        return _cache[file]
    if not FILE_NAME.fullmatch(file):
        raise ValueProblem(f"a results file is named like 'errata.json', not {file!r}")
    path = RESULTS_DIR / file
    if not path.is_file():
        raise ValueProblem(f"no results file {_rel(path)}")
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("kind") == "quotation":
        if not isinstance(data.get("source"), str) or "command" in data:
            raise ValueProblem(f"{_rel(path)}: a quotation has a 'source' and no 'command'")
    elif not (isinstance(data.get("command"), str) and data["command"].strip()):
        raise ValueProblem(f"{_rel(path)} names no 'command' that wrote it")
    _cache[file] = data
    return data


def _rel(path: Path) -> str:
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return path.as_posix()


def origin(data: dict) -> str:
    """What wrote a results file: its command(s), or what a quotation quotes."""
    if data.get("kind") == "quotation":
        return "Quoted from " + data["source"]
    commands = data.get("commands") or [data["command"]]
    dated = data.get("created") or data.get("date")
    return ("Written by: " + "; ".join(commands)
            + (f" (file dated {dated[:10]})" if isinstance(dated, str) else ""))


_SEGMENT = re.compile(r"(?P<name>[^.\[\]]+)|\[(?P<select>[^\]]*)\]|(?P<dot>\.)")


def _tokens(key: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    while pos < len(key):
        m = _SEGMENT.match(key, pos)
        if not m:
            raise ValueProblem(f"cannot read the key {key!r} at {key[pos:]!r}")
        if m["name"] is not None:
            tokens.append(("name", m["name"].strip()))
        elif m["select"] is not None:
            tokens.append(("select", m["select"]))
        pos = m.end()
    if not tokens:
        raise ValueProblem("an empty key")
    return tokens


def _matches(element: object, select: str) -> bool:
    if select.strip() == "*":
        return True
    if not isinstance(element, dict):
        return False
    for cond in select.split(","):
        field, eq, wanted = cond.partition("=")
        if not eq:
            raise ValueProblem(f"a selector is [field=value,...] or [*], not [{select}]")
        if str(element.get(field.strip(), object())) != wanted.strip():
            return False
    return True


def resolve(file: str, key: str) -> tuple[object, list[object] | None]:
    """The value at ``key``: ``(value, None)``, or ``(list of values, their seeds)`` when a
    selector was applied (the seeds are the kept elements' ``seed`` fields, if they have
    them, else their positions)."""
    nodes: list[object] = [load(file)]
    seeds: list[object] | None = None
    where = ""
    for kind, token in _tokens(key):
        new: list[object] = []
        if kind == "name":
            for node in nodes:
                if isinstance(node, dict) and token in node:
                    new.append(node[token])
                elif isinstance(node, list) and re.fullmatch(r"-?\d+", token):
                    try:
                        new.append(node[int(token)])
                    except IndexError:
                        raise ValueProblem(f"{file}: {where or 'the file'} has no item {token} "
                                          f"(it has {len(node)})") from None
                else:
                    have = sorted(node)[:12] if isinstance(node, dict) else type(node).__name__
                    raise ValueProblem(f"{file}: no key {token!r} in {where or 'the file'} "
                                      f"(it has: {have})")
            where = f"{where}.{token}" if where else token
        else:
            seen: list[object] = []
            for node in nodes:
                if not isinstance(node, list):
                    raise ValueProblem(f"{file}: {where} is not a list, [{token}] cannot select")
                kept = [e for e in node if _matches(e, token)]
                new.extend(kept)
                seen.extend(e.get("seed", i) if isinstance(e, dict) else i
                            for i, e in enumerate(kept))
            if not new:
                raise ValueProblem(f"{file}: nothing in {where} matches [{token}]")
            seeds = seen if seeds is None else seeds
            where = f"{where}[{token}]"
        nodes = new
    return (nodes, seeds) if seeds is not None else (nodes[0], None)


# --- formatting ----------------------------------------------------------------------------


def _spec(fmt: str) -> tuple[str, int]:
    name, _, digits = fmt.partition(":")
    if name not in DEFAULT_DIGITS:
        raise ValueProblem(f"unknown format {fmt!r} (known: {', '.join(DEFAULT_DIGITS)})")
    if digits and not digits.isdigit():
        raise ValueProblem(f"the digits of {fmt!r} are not a number")
    return name, int(digits) if digits else DEFAULT_DIGITS[name]


def _number(x: object) -> float:
    if isinstance(x, bool) or not isinstance(x, int | float):
        raise ValueProblem(f"{x!r} is not a number")
    return float(x)


def _one(x: float, name: str, d: int) -> str:
    if name == "pct":
        return f"{100 * x:.{d}f} %"
    if name == "points":
        return f"{100 * x:+.{d}f} points"
    if name == "int":
        return f"{round(x):,}"
    if name == "seconds":
        return f"{x:.{d}f} s"
    if name == "minutes":
        return f"{x / 60:.{d}f} min"
    if name == "times":
        return f"{x:.{d}f}×"
    if name == "sci":
        mantissa, _, exponent = f"{x:.{d}e}".partition("e")
        return f"{mantissa} × 10{str(int(exponent)).translate(SUPERSCRIPT)}"
    return f"{x:.{d}f}"


def _spread(sd: float, name: str, d: int) -> str:
    scale = {"pct": 100, "points": 100, "minutes": 1 / 60}.get(name, 1)
    return f"{scale * sd:.{0 if name == 'int' else d}f}"


def format_value(value: object, fmt: str = "pct:2", stat: str | None = None,
                 unit: str | None = None, scale: float = 1) -> str:
    """``value`` (a number, a string, or a list of numbers) as the page shows it."""
    from nnscratch.experiments.errata import mean_sd

    name, d = _spec(fmt)
    if stat not in STATS:
        raise ValueProblem(f"unknown stat {stat!r} (known: mean, sd, min, max, n)")
    if stat == "n":
        if not isinstance(value, list):
            raise ValueProblem("stat='n' counts the values of a key that selects several")
        return f"{len(value)} {unit}" if unit else str(len(value))
    if name == "text":
        if isinstance(value, list) or stat:
            raise ValueProblem("fmt='text' shows one value as it is")
        text = str(value)
    elif isinstance(value, list):
        numbers = [scale * _number(v) for v in value]
        mean, sd = mean_sd(numbers)
        if len(numbers) == 1 and not stat:
            text = _one(numbers[0], name, d)
        elif stat is None:
            if name == "sci":
                raise ValueProblem("fmt='sci' shows one number: choose a stat")
            text = f"{_one(mean, name, d)} ± {_spread(sd, name, d)}"
        elif stat == "sd":  # the sd of accuracies is in percentage points
            text = (f"{100 * sd:.{d}f} points" if name in ("pct", "points")
                    else _one(sd, name, d))
        else:
            text = _one({"mean": mean, "min": min(numbers), "max": max(numbers)}[stat], name, d)
    else:
        if stat:
            raise ValueProblem(f"stat={stat!r} needs a key that selects several values")
        text = _one(scale * _number(value), name, d)
    return f"{text} {unit}" if unit else text


def _title(file: str, key: str, text: str, n: int | None, stat: str | None) -> str:
    over = ""
    if n and n > 1:
        over = f", {stat or 'mean ± sample sd'} over {n} values"
    return f"{text}: docs/results/{file}, key {key}{over}. {origin(load(file))}"


# --- the calls -----------------------------------------------------------------------------


def value(file: str, key: str, fmt: str = "pct:2", stat: str | None = None,
          unit: str | None = None, scale: float = 1) -> Rendered:
    v, seeds = resolve(file, key)
    if seeds is not None and len(v) == 1 and isinstance(v[0], list):
        v = v[0]  # one element selected, whose value is a list: its values
    text = format_value(v, fmt, stat, unit, scale)
    options = {"stat": stat, "unit": unit, "scale": scale}
    defaults = {"stat": None, "unit": None, "scale": 1}
    call = _call("value", file, key, fmt=fmt,
                 **{k: o for k, o in options.items() if o != defaults[k]})
    return Rendered(text, f"docs/results/{file}#{key}", call,
                    _title(file, key, text, len(seeds) if seeds is not None else None, stat))


def diff(file: str, key_b: str, key_a: str, fmt: str = "points:2",
         stat: str | None = None) -> Rendered:
    (b, seeds_b), (a, seeds_a) = resolve(file, key_b), resolve(file, key_a)
    if seeds_a is None or seeds_b is None:
        a, b = [a] if seeds_a is None else a, [b] if seeds_b is None else b
    else:  # pair the runs by seed
        if sorted(map(str, seeds_a)) != sorted(map(str, seeds_b)) \
                or len(set(map(str, seeds_a))) != len(seeds_a):
            raise ValueProblem(f"{file}: the two keys do not select the same seeds once each: "
                               f"{seeds_b} / {seeds_a}")
        by_seed = dict(zip(map(str, seeds_a), a, strict=True))
        a = [by_seed[str(s)] for s in seeds_b]
    if len(a) != len(b):
        raise ValueProblem(f"{file}: the two keys select {len(b)} and {len(a)} values")
    differences = [_number(vb) - _number(va) for vb, va in zip(b, a, strict=True)]
    text = format_value(differences if len(differences) > 1 else differences[0], fmt, stat)
    over = f", {stat or 'mean ± sample sd'} over {len(differences)} pairs" \
        if len(differences) > 1 else ""
    call = _call("diff", file, key_b, key_a, fmt=fmt, **({"stat": stat} if stat else {}))
    return Rendered(
        text, f"docs/results/{file}#{key_b} minus docs/results/{file}#{key_a}", call,
        f"{text}: paired difference, docs/results/{file}, key {key_b} minus key {key_a}"
        f"{over}. {origin(load(file))}",
    )


CELL_OPTIONS = {"key", "fmt", "stat", "unit", "scale", "minus", "file"}


def _fill(template: str, rowkey: str | dict, prefix: bool = True) -> str:
    """A column's key for one row (see ``table``); ``prefix=False``: a key without
    ``{row}`` stays as it is (a ``minus`` key)."""
    if isinstance(rowkey, dict):
        try:
            return template.format_map({k: str(v) for k, v in rowkey.items()})
        except (KeyError, ValueError, IndexError) as err:
            raise ValueProblem(f"the key {template!r} names {err} that the row "
                               f"{rowkey} does not give") from None
    if "{row}" in template:
        return template.replace("{row}", rowkey)
    return f"{rowkey}.{template}" if rowkey and prefix else template


def _cell(file: str, rowkey: str | dict, options: dict) -> Rendered:
    """One cell of a table: a value, or a paired difference when ``minus`` is given."""
    unknown = set(options) - CELL_OPTIONS
    if unknown:
        raise ValueProblem(f"unknown cell options {sorted(unknown)} "
                           f"(known: {', '.join(sorted(CELL_OPTIONS))})")
    file, key = options.get("file", file), _fill(options["key"], rowkey)
    if options.get("minus") is not None:
        if options.get("unit") or options.get("scale", 1) != 1:
            raise ValueProblem("a difference cell takes no unit or scale")
        return diff(file, key, _fill(options["minus"], rowkey, prefix=False), options["fmt"],
                    options.get("stat"))
    return value(file, key, options["fmt"], options.get("stat"), options.get("unit"),
                 options.get("scale", 1))


def _columns(columns: list) -> list[tuple[str, dict]]:
    """``(header, options)`` of each column, options with ``key`` and ``fmt``."""
    out = []
    for column in columns:
        if not isinstance(column, list | tuple) or len(column) not in (2, 3, 4):
            raise ValueProblem("a column is [header, key], [header, key, fmt] or "
                               "[header, key, fmt, options]")
        head, key = column[0], column[1]
        fmt = column[2] if len(column) > 2 else "pct:2"
        options = column[3] if len(column) > 3 else {}
        if not isinstance(options, dict):
            raise ValueProblem(f"column {head!r}: its options are a dict")
        out.append((str(head), {**options, "key": key, "fmt": fmt}))
    return out


def table(file: str, rows: list, columns: list, corner: str = "") -> str:
    cols = _columns(columns)
    lines = ["| " + " | ".join([corner] + [h for h, _ in cols]) + " |",
             "|:--|" + "--:|" * len(cols)]
    for row in rows:
        if not isinstance(row, list | tuple) or len(row) not in (2, 3):
            raise ValueProblem("a row is [label, rowkey] or [label, rowkey, {header: key}]")
        label, rowkey, overrides = row[0], row[1], (row[2] if len(row) == 3 else {})
        unknown = set(overrides) - {h for h, _ in cols}
        if unknown:
            raise ValueProblem(f"row {label!r} overrides unknown columns {sorted(unknown)}")
        cells = [str(label)]
        for head, options in cols:
            override = overrides.get(head, options)
            if override is None:
                cells.append("—")
                continue
            if isinstance(override, str):
                override = {**options, "key": override}
            elif override is not options:
                override = {**options, **override}
            cells.append(_cell(file, rowkey, override).span())
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


FUNCTIONS = {"value": value, "diff": diff, "table": table}


def evaluate(expr: str) -> Rendered | str:
    """Run one call: a function of ``FUNCTIONS`` with literal arguments, nothing else."""
    try:
        node = ast.parse(expr.strip(), mode="eval").body
    except SyntaxError as err:
        raise ValueProblem(f"not a call: {expr.strip()!r} ({err.msg})") from None
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id in FUNCTIONS):
        raise ValueProblem(f"not one of {', '.join(FUNCTIONS)}(...): {expr.strip()!r}")
    try:
        args = [ast.literal_eval(a) for a in node.args]
        kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords if k.arg}
    except ValueError:
        raise ValueProblem(f"the arguments must be literals: {expr.strip()!r}") from None
    try:
        return FUNCTIONS[node.func.id](*args, **kwargs)
    except TypeError as err:
        raise ValueProblem(f"{node.func.id}(): {err}") from None


# --- the page ------------------------------------------------------------------------------


def _fenced_spans(markdown: str) -> list[tuple[int, int]]:
    """Character ranges of the fenced code blocks."""
    spans, pos, open_fence, start = [], 0, None, 0
    for line in markdown.splitlines(keepends=True):
        m = FENCE.match(line)
        if m:
            fence = m["fence"]
            if open_fence is None:
                open_fence, start = fence, pos
            elif fence[0] == open_fence[0] and len(fence) >= len(open_fence) \
                    and not line[m.end():].strip():
                spans.append((start, pos + len(line)))
                open_fence = None
        pos += len(line)
    if open_fence is not None:
        spans.append((start, pos))
    return spans


def render_markdown(markdown: str, where: str) -> tuple[str, list[Rendered]]:
    """Replace every call of a page; return the page and the values rendered in plain mode."""
    fences = _fenced_spans(markdown)
    plain: list[Rendered] = []
    out, last = [], 0
    for m in CALL.finditer(markdown):
        line = markdown.count("\n", 0, m.start()) + 1
        here = f"{where}:{line}"
        if any(a <= m.start() < b for a, b in fences):
            raise PluginError(f"{here}: a value call in a code block; code prints its own output")
        try:
            result = evaluate(m["expr"])
        except ValueProblem as err:
            raise PluginError(f"{here}: {err}") from None
        # The page up to here as rendered so far: earlier calls (and their quotes) are gone.
        before = "".join(out) + markdown[last : m.start()]
        line_start = before.rfind("\n") + 1
        lt = before.rfind("<")
        in_attribute = lt > before.rfind(">") and IN_ATTRIBUTE.fullmatch(before[lt:])
        in_alt = IN_IMAGE_ALT.search(before[line_start:])
        if isinstance(result, str):  # a table
            indent = before[line_start:]
            if indent.strip() or in_attribute:
                raise PluginError(f"{here}: a table call must start its own line")
            text = result.replace("\n", "\n" + indent)
        elif in_attribute or in_alt:
            text = PLACEHOLDER.format(len(plain))
            plain.append(result)
        else:
            text = result.span()
        out += [markdown[last : m.start()], text]
        last = m.end()
    out.append(markdown[last:])
    rendered = "".join(out)
    if "{@" in rendered or "@}" in rendered:
        line = rendered.count("\n", 0, max(rendered.find("{@"), rendered.find("@}"))) + 1
        raise PluginError(f"{where}: an unclosed value call ('{{@' without '@}}') near "
                          f"line {line}")
    return rendered, plain


def attach_plain(content: str, plain: list[Rendered], where: str) -> str:
    """Put the plain values into their tags, and their sources onto those tags."""

    def fill(m: re.Match) -> str:
        tag = m.group(0)
        used = [plain[int(n)] for n in PLACEHOLDER_RE.findall(tag)]
        tag = PLACEHOLDER_RE.sub(lambda p: html.escape(plain[int(p[1])].text), tag)
        if re.search(r"\sdata-(?:source|values)=", tag):
            raise PluginError(f"{where}: a tag with a value in an attribute has its own "
                              f"data-source: {tag[:80]}")
        attrs = {"data-source": " ; ".join(r.source for r in used),
                 "data-values": " ; ".join(r.text for r in used)}
        if not re.search(r"\stitle=", tag):
            attrs["title"] = "Values in this text: " + " — ".join(r.title for r in used)
        end = len(tag) - (2 if tag.endswith("/>") else 1)
        return f"{tag[:end].rstrip()} {_attributes(attrs)}{tag[end:]}"

    content = TAG_WITH_PLACEHOLDER.sub(fill, content)
    stray = PLACEHOLDER_RE.search(content)
    if stray:
        raise PluginError(f"{where}: a value meant for an attribute ended up in the text: "
                          f"{content[max(0, stray.start() - 60): stray.end() + 20]!r}")
    return content


# --- MkDocs events -------------------------------------------------------------------------


def on_config(config, **kwargs):
    global RESULTS_DIR, ROOT
    RESULTS_DIR = Path(config["docs_dir"]) / "results"
    ROOT = Path(config.config_file_path).resolve().parent
    return config


def on_pre_build(config, **kwargs) -> None:
    _cache.clear()
    _plain.clear()


def on_page_markdown(markdown: str, page, config, files, **kwargs) -> str:
    where = page.file.src_uri
    if not where.endswith(".md"):
        if "{@" in markdown:
            raise PluginError(f"{where}: value calls work on Markdown pages; an example "
                              f"prints its own values")
        return markdown
    rendered, plain = render_markdown(markdown, f"docs/{where}")
    _plain[where] = plain
    return rendered


def on_page_content(content: str, page, config, files, **kwargs) -> str:
    plain = _plain.pop(page.file.src_uri, None)
    if plain:
        content = attach_plain(content, plain, f"docs/{page.file.src_uri}")
    return content
