"""The off-host guard: which resources a page would load from another host.

The book must work offline, so no page may *load* anything from another host. What counts
is what a browser fetches to show the page, not where the page merely points:

- loads: ``<script src>``, ``<img src|srcset>``, ``<source src|srcset>``, ``<audio>``,
  ``<video src|poster>``, ``<track>``, ``<embed>``, ``<iframe>``/``<frame>`` (and the HTML of
  an ``<iframe srcdoc>``), ``<object data>``, ``<input type=image>``, a ``background``
  attribute, SVG ``<image>``/``<use>``/``<feImage>`` hrefs, ``<base href>`` (every relative
  URL would then come from that host), ``<link href>`` for the rels that fetch (stylesheet,
  icon, apple-touch-icon, preload, modulepreload, prefetch, preconnect, manifest, ...), CSS
  ``url()``/``image-set()``/``@import`` in ``<style>`` and ``style=""``, and JavaScript
  ``import(...)``/``import ... from "//..."`` in inline scripts;
- not loads: ``<a href>``, ``<link rel>`` canonical, alternate, prev, next, search, ...
  (``mkdocs serve`` sets ``site_url`` to its own address, so every served page has an
  absolute canonical link).

A URL is off-host when it names a host: ``https://cdn/...``, ``http://...``, or
protocol-relative ``//cdn/...`` (any ``scheme://``). Relative URLs and ``data:`` URIs are not.

Used by the build hook (``docs/hooks/notebooks.py``, which imports it as a sibling module:
MkDocs puts the hook's folder on ``sys.path`` while it loads the hook) and by the tests, which
load this file by its path. Only the standard library is used.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import NamedTuple


class Load(NamedTuple):
    """One resource a page loads: where (1-based line of the HTML), how, which URL."""

    line: int
    what: str
    url: str
    snippet: str


#: ``<link rel>`` tokens whose ``href`` the browser fetches (or connects to). A ``rel`` holds
#: space-separated tokens: "shortcut icon" and "alternate stylesheet" count through "icon"
#: and "stylesheet". Every other rel (canonical, alternate, prev, next, search, ...) is a
#: reference, not a load.
LINK_LOAD_RELS = frozenset({
    "stylesheet", "icon", "apple-touch-icon", "apple-touch-icon-precomposed",
    "apple-touch-startup-image", "mask-icon", "preload", "modulepreload", "prefetch",
    "preconnect", "dns-prefetch", "prerender", "manifest",
})

_OFF_HOST = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)

# Attributes that load their URL, on any element (``src`` is a load wherever it appears:
# script, img, source, audio, video, track, embed, iframe, frame, input type=image, ...).
_SRC_ATTRS = ("src", "poster", "background")
_SRCSET_ATTRS = ("srcset", "imagesrcset")
_SVG_HREF_TAGS = frozenset({"image", "use", "feimage"})

_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_CSS_LOADS = re.compile(
    r"""(?P<fn>\b(?:url|src))\(\s*(?P<q>["']?)(?P<url>.*?)(?P=q)\s*\)"""
    r"""|@import\s+(?P<iq>["'])(?P<iurl>.*?)(?P=iq)"""
    r"""|\bimage-set\((?P<set>[^)]*)\)""",
    re.IGNORECASE | re.DOTALL,
)
_CSS_STRING = re.compile(r"""(["'])(.*?)\1""", re.DOTALL)
_JS_IMPORTS = re.compile(
    r"""\bimport\s*\(\s*(?P<q1>["'`])(?P<u1>.*?)(?P=q1)"""
    r"""|\bfrom\s*(?P<q2>["'])(?P<u2>.*?)(?P=q2)"""
    r"""|\bimport\s*(?P<q3>["'])(?P<u3>.*?)(?P=q3)"""
    r"""|\bimportScripts\(\s*(?P<q4>["'])(?P<u4>.*?)(?P=q4)""",
    re.DOTALL,
)


def is_off_host(url: str) -> bool:
    """True when ``url`` names a host (``https://h/``, ``//h/``, any ``scheme://``).

    >>> [is_off_host(u) for u in ("https://far.example/x.js", "//far.example/x.js", "x.js",
    ...                           "/assets/x.js", "data:image/png;base64,iVBO", "#top")]
    [True, True, False, False, False, False]
    """
    return bool(_OFF_HOST.match(url))


def _snippet(text: str, start: int) -> str:
    return text[start : start + 160].replace("\n", " ")


def css_loads(css: str, *, line: int = 1, what: str = "CSS") -> list[Load]:
    """The URLs a style sheet (or a ``style`` attribute) loads, comments left out.

    ``line`` is the line of the text's first character in the file it comes from.

    >>> [(x.what, x.url) for x in css_loads('@import "a.css"; b { background: url(//h/i.png) }')]
    [('CSS @import', 'a.css'), ('CSS url()', '//h/i.png')]
    """
    # Comments become blanks of the same length (and the same newlines): positions stay put.
    clean = _CSS_COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m[0]), css)
    out = []
    for m in _CSS_LOADS.finditer(clean):
        where = line + clean.count("\n", 0, m.start())
        snippet = _snippet(clean, m.start())
        if m["fn"]:
            out.append(Load(where, f"{what} {m['fn'].lower()}()", m["url"].strip(), snippet))
        elif m["iurl"] is not None:
            out.append(Load(where, f"{what} @import", m["iurl"].strip(), snippet))
        else:
            for s in _CSS_STRING.finditer(m["set"]):
                out.append(Load(where, f"{what} image-set()", s[2].strip(), snippet))
    return out


def js_loads(js: str, *, line: int = 1) -> list[Load]:
    """The modules a script imports by a literal URL (``import()``, ``from``, ``import "x"``).

    >>> [x.url for x in js_loads('import("//h/m.js"); import {a} from "./a.js";')]
    ['//h/m.js', './a.js']
    """
    out = []
    for m in _JS_IMPORTS.finditer(js):
        url = next(u for u in (m["u1"], m["u2"], m["u3"], m["u4"]) if u is not None)
        where = line + js.count("\n", 0, m.start())
        out.append(Load(where, "JS import", url.strip(), _snippet(js, m.start())))
    return out


def srcset_urls(value: str) -> list[str]:
    """The URLs of a ``srcset`` (candidates ``url [descriptor]``, separated by commas).

    A URL may itself hold commas (``data:`` URIs), as in the HTML standard's parser.

    >>> srcset_urls("a.png 1x, //h/b.png 2x,data:image/png;base64,iV,BO 3x")
    ['a.png', '//h/b.png', 'data:image/png;base64,iV,BO']
    """
    urls, pos, n = [], 0, len(value)
    while pos < n:
        while pos < n and (value[pos].isspace() or value[pos] == ","):
            pos += 1
        start = pos
        while pos < n and not value[pos].isspace():
            pos += 1
        url = value[start:pos]
        if url.endswith(","):
            url = url.rstrip(",")
        else:  # skip the descriptors, up to a comma outside parentheses
            depth = 0
            while pos < n and (value[pos] != "," or depth):
                depth += {"(": 1, ")": -1}.get(value[pos], 0)
                pos += 1
        if url:
            urls.append(url)
    return urls


class _LoadParser(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.html = html
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", html)]
        self.loads: list[Load] = []
        self._raw: tuple[str, int, list[str]] | None = None  # <script>/<style> being read

    def _offset(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    def _add(self, what: str, url: str) -> None:
        line = self.getpos()[0]
        self.loads.append(Load(line, what, url.strip(), _snippet(self.html, self._offset())))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v for k, v in reversed(attrs) if v is not None}  # the first one wins
        for name in _SRC_ATTRS:
            if name in a:
                self._add(f"<{tag} {name}>", a[name])
        for name in _SRCSET_ATTRS:
            for url in srcset_urls(a.get(name, "")):
                self._add(f"<{tag} {name}>", url)
        if tag == "object" and "data" in a:
            self._add("<object data>", a["data"])
        if tag == "base" and "href" in a:
            self._add("<base href>", a["href"])
        if tag == "link" and "href" in a:
            rels = set(a.get("rel", "").lower().split())
            loading = rels & LINK_LOAD_RELS
            if loading:
                self._add(f'<link rel="{" ".join(sorted(loading))}" href>', a["href"])
        if tag in _SVG_HREF_TAGS:
            for name in ("href", "xlink:href"):
                if name in a:
                    self._add(f"<{tag} {name}>", a[name])
        if "style" in a:
            line = self.getpos()[0]
            self.loads += css_loads(a["style"], line=line, what="style attribute CSS")
        if tag == "iframe" and "srcdoc" in a:
            line = self.getpos()[0]
            for inner in find_loads(a["srcdoc"]):
                self.loads.append(inner._replace(line=line, what=f"<iframe srcdoc> {inner.what}"))
        if tag in ("script", "style"):
            self._raw = (tag, self.getpos()[0], [])

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in ("script", "style"):
            self._raw = None

    def handle_data(self, data: str) -> None:
        if self._raw is not None:
            if not self._raw[2]:
                self._raw = (self._raw[0], self.getpos()[0], self._raw[2])
            self._raw[2].append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._raw is not None and tag == self._raw[0]:
            kind, line, chunks = self._raw
            text = "".join(chunks)
            if kind == "style":
                self.loads += css_loads(text, line=line, what="<style> CSS")
            else:
                self.loads += js_loads(text, line=line)
            self._raw = None


def find_loads(html: str) -> list[Load]:
    """Every resource the page ``html`` loads, in document order (local ones included)."""
    parser = _LoadParser(html)
    parser.feed(html)
    parser.close()
    return parser.loads


def find_remote_loads(html: str) -> list[Load]:
    """The resources the page ``html`` would load from another host (empty: it loads none).

    >>> find_remote_loads('<link rel="canonical" href="http://127.0.0.1:8000/">')
    []
    >>> [(x.line, x.what) for x in find_remote_loads('<p>\\n<script src="//cdn/x.js"></script>')]
    [(2, '<script src>')]
    """
    return [load for load in find_loads(html) if is_off_host(load.url)]


def find_remote_loads_in_css(css: str) -> list[Load]:
    """The resources a style sheet file would load from another host."""
    return [load for load in css_loads(css) if is_off_host(load.url)]
