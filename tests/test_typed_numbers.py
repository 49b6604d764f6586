"""No measured number is typed into the book: measurements come from code or results files.

The test reads the BUILT pages (``built_site()`` of test_site_build.py) the way a reader
meets them: the text of each page's article (prose, headings, lists, tables, admonitions,
captions, the Markdown cells of the example pages) and the alt text of every image. It
leaves out what code printed or what is rendered from a results file:

- ``<pre>``, ``<code>``, ``<kbd>``, ``<script>``, ``<style>``, ``<svg>``; the code and the
  output areas of the example pages (``jp-CodeMirrorEditor``, ``jp-OutputArea``, prompts);
- math (``.arithmatex``, and ``$...$``, ``\\(...\\)`` in the example pages' Markdown);
- values rendered by docs/hooks/values.py (``span.nn-value``; in alt text, the strings its
  element lists in ``data-values``).

Expected output in a pycon block is code, so it is left out too (the doctests check it).

In what is left, every percentage, decimal, ``N×``, "N times" (also "twice as", "several
times slower"), "N-fold", and every time, duration, size or FLOP count is a typed
measurement, unless
tests/typed_numbers_allowlist.toml lists it: the page, a piece of the page's text that
contains it, and why it is not a measurement (a definition such as 784 pixels, a default
learning rate, the test fraction; a version number; a fact of a published file). An entry
that no longer matches anything fails too, so the list stays the list of what is there.

``python tests/test_typed_numbers.py [SITE] [--markdown OUT.md]`` prints (or writes) every
typed measurement of a built site, page by page, with its context.
"""

from __future__ import annotations

import re
import sys
import tomllib
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ALLOWLIST = Path(__file__).resolve().parent / "typed_numbers_allowlist.toml"

SKIP_TAGS = {"pre", "code", "kbd", "samp", "script", "style", "svg", "math", "mjx-container",
             "textarea", "clipboard-copy", "button"}
SKIP_CLASSES = {"arithmatex", "nn-value", "headerlink", "anchor-link", "jp-CodeMirrorEditor",
                "jp-OutputArea", "jp-InputPrompt", "jp-OutputPrompt", "highlight"}
REPLACEMENT = {"arithmatex": "⟨math⟩", "nn-value": "⟨value⟩"}
BLOCK_TAGS = {"p", "div", "li", "ul", "ol", "td", "th", "tr", "table", "h1", "h2", "h3", "h4",
              "h5", "h6", "figcaption", "figure", "blockquote", "details", "summary", "dt", "dd",
              "section", "br", "hr", "caption"}
VOID_TAGS = {"img", "br", "hr", "input", "meta", "link", "source", "wbr", "area", "col",
             "embed", "track"}

NUMBER = r"(?<![\w.])\d+(?:,\d{3})*(?:\.\d+)?"
WORD_NUMBER = (r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|"
               r"thirty|forty|fifty|hundred|thousand|a hundred|a thousand)")
PATTERNS = {
    "percentage": rf"{NUMBER}\s*(?:%|per\s?cent\b)",
    "points": rf"{NUMBER}\s*(?:percentage\s+)?points?\b",
    "N×": rf"{NUMBER}\s*×(?!\s*\d)|(?<![\w.])\d+(?:\.\d+)?x\b",
    "N times": rf"(?:{NUMBER}|\b{WORD_NUMBER})\s+times\b|\b(?:twice|thrice|half)\s+as\b"
               r"|\b(?:several|many|dozens of|hundreds of|thousands of)\s+times\s+(?:faster|"
               r"slower|larger|smaller|longer|shorter|more|less|as)\b",
    "N-fold": rf"(?:{NUMBER}|\b{WORD_NUMBER})[-\s]?fold\b",
    # "s" and "h" only after a space: "86 s", not the plural of "the four 2s" or "SHA-256s".
    "time": rf"{NUMBER}(?:\s*(?:ns|µs|μs|us|ms|secs?|seconds?|min|mins|minutes?|hrs?|hours?|"
            r"days?)|\s+[sh])\b",
    "size": rf"{NUMBER}\s*(?:[kKMGT]i?B|bytes?|B)\b(?!-)",
    "FLOP": rf"{NUMBER}\s*[kMGT]?FLOPs?\b(?:/s)?",
    # Last: the alternatives above, which hold a unit, win where they match.
    "decimal": r"(?<![\w.])\d+(?:\.\d+)?[eE][-+−]?\d+\b|(?<![\w.])\d*\.\d+(?!\w|\.\d)",
}
MEASUREMENT = re.compile("|".join(f"(?P<{re.sub(r'[^a-z]', '_', k.lower())}>{p})"
                                  for k, p in PATTERNS.items()), re.IGNORECASE)
KIND = {re.sub(r"[^a-z]", "_", k.lower()): k for k in PATTERNS}
NOTEBOOK_MATH = re.compile(r"\$\$.+?\$\$|\$[^$\n]+\$|\\\(.+?\\\)|\\\[.+?\\\]", re.DOTALL)


class _Article(HTMLParser):
    """The reader's text of a page's ``<article>``, and the alt text of its images."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.alts: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, skipping from here down)
        self.depth_in_article = 0

    @property
    def skipping(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = set((attrs.get("class") or "").split())
        if not self.depth_in_article:
            if tag == "article":
                self.depth_in_article = 1
                self.stack = [("article", False)]
            return
        if tag == "img":
            if not self.skipping_alt():
                self.alts.append(_alt_text(attrs))
            return
        if tag in VOID_TAGS:
            if tag in BLOCK_TAGS and not self.skipping:
                self.parts.append("\n")
            return
        skip = self.skipping or tag in SKIP_TAGS or bool(classes & SKIP_CLASSES)
        if not self.skipping and skip:
            marker = next((REPLACEMENT[c] for c in classes if c in REPLACEMENT), "")
            if tag == "code":
                marker = "⟨code⟩"
            self.parts.append(f" {marker} " if marker else " ")
        if tag in BLOCK_TAGS and not self.skipping:
            self.parts.append("\n")
        self.stack.append((tag, skip))

    def skipping_alt(self) -> bool:
        # Images inside code output are figures the example drew: their alt text was typed
        # in the example, so it is read too. Only images inside <pre>/<code> are skipped.
        return any(t in ("pre", "code") for t, _ in self.stack)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS and self.depth_in_article:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if not self.depth_in_article or tag in VOID_TAGS:
            return
        if not any(t == tag for t, _ in self.stack):
            return  # a stray end tag
        while self.stack:
            t, _ = self.stack.pop()
            if t == tag:
                break
        if tag in BLOCK_TAGS and not self.skipping:
            self.parts.append("\n")
        if not self.stack:
            self.depth_in_article = 0

    def handle_data(self, data):
        if self.depth_in_article and not self.skipping:
            self.parts.append(data)


def _alt_text(attrs: dict) -> str:
    alt = attrs.get("alt") or ""
    for text in filter(None, (attrs.get("data-values") or "").split(" ; ")):
        alt = alt.replace(text, "⟨value⟩", 1)
    return alt


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class Unit:
    """One piece of a page's text: its prose, or one image's alt text."""

    page: str
    where: str  # "text" or "alt"
    text: str


@dataclass(frozen=True)
class Typed:
    page: str
    where: str
    match: str
    kind: str
    context: str
    start: int  # in text
    end: int
    text: str   # the prose of the page, or the one alt text, that holds it


def page_name(site: Path, html_path: Path) -> str:
    """The source of a built page: ``notebook.md``, ``examples/digits.py``, ``index.md``."""
    rel = html_path.parent.relative_to(site).as_posix()
    if rel == ".":
        return "index.md"
    docs = ROOT / "docs"
    if (docs / f"{rel}.py").is_file():
        return f"{rel}.py"
    if (docs / rel / "index.md").is_file():
        return f"{rel}/index.md"
    return f"{rel}.md"


def units(site: Path) -> list[Unit]:
    out = []
    for html_path in sorted(site.rglob("index.html")):
        if "assets" in html_path.relative_to(site).parts:
            continue
        parser = _Article()
        parser.feed(html_path.read_text(encoding="utf-8"))
        page = page_name(site, html_path)
        text = NOTEBOOK_MATH.sub(" ⟨math⟩ ", "".join(parser.parts))
        out.append(Unit(page, "text", _normal(text)))
        out += [Unit(page, "alt", _normal(a)) for a in parser.alts if a.strip()]
    return out


def typed_numbers(unit_list: list[Unit]) -> list[Typed]:
    found = []
    for u in unit_list:
        for m in MEASUREMENT.finditer(u.text):
            kind = KIND[m.lastgroup]
            a, b = max(0, m.start() - 70), min(len(u.text), m.end() + 70)
            context = (("…" if a else "") + u.text[a:m.start()] + "[[" + m[0] + "]]"
                       + u.text[m.end():b] + ("…" if b < len(u.text) else ""))
            found.append(Typed(u.page, u.where, m[0], kind, context, m.start(), m.end(),
                               u.text))
    return found


def load_allowlist(path: Path = ALLOWLIST) -> list[dict]:
    entries = tomllib.loads(path.read_text(encoding="utf-8")).get("allow", [])
    for e in entries:
        assert set(e) == {"page", "text", "reason"}, f"allowlist entry {e}: page, text, reason"
        assert e["reason"].strip() and e["text"].strip(), e
    return entries


def split(found: list[Typed], allow: list[dict]):
    """(typed measurements no allowlist entry covers, allowlist entries that cover nothing).

    An entry covers a match when its text occurs in the match's prose or alt text around it.
    """
    used = [False] * len(allow)
    offenders = []
    for t in found:
        covered = False
        for i, e in enumerate(allow):
            if e["page"] != t.page:
                continue
            for m in re.finditer(re.escape(_normal(e["text"])), t.text):
                if m.start() <= t.start and t.end <= m.end():
                    covered = used[i] = True
        if not covered:
            offenders.append(t)
    return offenders, [e for e, u in zip(allow, used, strict=True) if not u]


def report(offenders: list[Typed]) -> str:
    lines, page = [], None
    for t in offenders:
        if t.page != page:
            page = t.page
            lines.append(f"\n{page}")
        lines.append(f"  [{t.kind}] ({t.where}) {t.context}")
    return "\n".join(lines)


def test_no_typed_measurements():
    from tests.test_site_build import built_site

    unit_list = units(built_site())
    assert any(u.page == "notebook.md" for u in unit_list)
    offenders, unused = split(typed_numbers(unit_list), load_allowlist())
    problems = []
    if offenders:
        problems.append(f"{len(offenders)} typed measurement(s): render them from a results "
                        "file (docs/hooks/values.py), or list a definition in "
                        f"{ALLOWLIST.name}:{report(offenders)}")
    if unused:
        problems.append("allowlist entries that match nothing on their page:\n"
                        + "\n".join(f"  {e['page']}: {e['text']!r}" for e in unused))
    assert not problems, "\n\n".join(problems)


# --- the finder's own checks (no site needed) ------------------------------------------


def _typed(html: str) -> list[str]:
    parser = _Article()
    parser.feed(f"<html><body><nav>12 %</nav><article>{html}</article><p>3.5 s</p></body></html>")
    u = [Unit("p.md", "text", _normal(NOTEBOOK_MATH.sub(" ⟨math⟩ ", "".join(parser.parts))))]
    u += [Unit("p.md", "alt", _normal(a)) for a in parser.alts]
    return [t.match for t in typed_numbers(u)]


def test_finder_finds_each_kind():
    text = ("<p>It reached 94.67 % (0.9467), 3–6× slower, four times longer, a 100-fold drop, "
            "twice as fast, 1.9 s, 28 minutes, 12ms, 2 h, 576 KiB, 9,912,422 bytes, 22.8 GFLOP, "
            "205 GFLOP/s, 3.2 points, 40 percent, several times slower, 1e-6.</p>")
    assert _typed(text) == ["94.67 %", "0.9467", "6×", "four times", "100-fold", "twice as",
                            "1.9 s", "28 minutes", "12ms", "2 h", "576 KiB", "9,912,422 bytes",
                            "22.8 GFLOP", "205 GFLOP/s", "3.2 points", "40 percent",
                            "several times slower", "1e-6"]


def test_finder_leaves_plurals_of_digits_and_compound_words():
    assert _typed("<p>the four 2s taken for 0s, SHA-256s, a UTF-8 byte-order mark</p>") == []


def test_finder_reads_tables_captions_admonitions_and_alt_text():
    text = ('<table><tr><td>85 %</td></tr></table><div class="admonition"><p>0.5</p></div>'
            '<figure><img alt="bars, 94.67 % best"><figcaption>in 3 s</figcaption></figure>')
    assert _typed(text) == ["85 %", "0.5", "3 s", "94.67 %"]


def test_finder_skips_code_math_values_and_definitions_of_shape():
    text = ('<pre><code>89.48 % ± 0.16</code></pre><p><code>lr=0.1</code> '
            '<span class="arithmatex">\\(z \\approx 709.8\\)</span> '
            '<span class="nn-value" data-source="x">92.81 % ± 0.66</span> $0.5$ '
            '28×28 images, Python 3.11.7, OpenBLAS 0.3.31, 784 pixels, 500 iterations</p>'
            '<div class="jp-OutputArea"><p>95.1 %</p></div>'
            '<img alt="best ⟨x⟩: 94.67 %" data-values="94.67 %">')
    assert _typed(text) == []


def test_allowlist_entries_cover_only_their_text():
    text = "the first 30 % as its test set, and 30 % faster"
    allow = [{"page": "p.md", "text": "first 30 % as its  test", "reason": "definition"},
             {"page": "q.md", "text": "30 % faster", "reason": "another page"}]
    offenders, unused = split(typed_numbers([Unit("p.md", "text", text)]), allow)
    assert [(t.match, t.start) for t in offenders] == [("30 %", text.rindex("30 %"))]
    assert unused == [allow[1]]


def test_the_allowlist_is_well_formed():
    entries = load_allowlist()
    docs = ROOT / "docs"
    for e in entries:
        assert (docs / e["page"]).is_file(), f"allowlist: no page docs/{e['page']}"


if __name__ == "__main__":
    import argparse

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    ap = argparse.ArgumentParser(description="List the typed measurements of a built site.")
    ap.add_argument("site", nargs="?", default=str(ROOT / "site"))
    ap.add_argument("--markdown", metavar="OUT", help="write the list as Markdown to OUT")
    ap.add_argument("--all", action="store_true", help="also list what the allowlist allows")
    cli = ap.parse_args()
    unit_list = units(Path(cli.site))
    found = typed_numbers(unit_list)
    offenders, unused = split(found, [] if cli.all else load_allowlist())
    if cli.markdown:
        pages: dict[str, list[Typed]] = {}
        for t in offenders:
            pages.setdefault(t.page, []).append(t)
        out = [f"# Typed measurements: {len(offenders)} on {len(pages)} pages\n"]
        for page, items in pages.items():
            out.append(f"\n## {page} ({len(items)})\n")
            out += [f"- **{t.match}** ({t.kind}, {t.where}): "
                    f"{t.context.replace('[[', '**⟦').replace(']]', '⟧**')}" for t in items]
        Path(cli.markdown).write_text("\n".join(out) + "\n", encoding="utf-8")
    else:
        print(report(offenders))
    print(f"{len(offenders)} typed measurement(s); {len(unused)} unused allowlist entries",
          file=sys.stderr)
