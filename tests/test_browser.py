"""Every page of the built book in a real browser (Debian's Chromium, driven by Playwright).

The site is served from 127.0.0.1 by ``http.server``; any request to another host is
blocked and reported. For each page: no console error, no failed request, MathJax
finished with no raw TeX left and no error node, display formulas have a real height,
figures are loaded and have alt text. Search finds "softmax".

Without ``/usr/bin/chromium`` (or the playwright package) these tests are skipped, with the
reason shown, unless ``NNSCRATCH_REQUIRE_BROWSER=1`` makes that a failure (CI sets it).
Never ``playwright install``: the browser is Debian's (``apt-get install -y chromium``).
"""

import functools
import http.server
import os
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.test_site_build import built_site

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
REQUIRE = os.environ.get("NNSCRATCH_REQUIRE_BROWSER") == "1"
LOCAL_HOSTS = {"127.0.0.1"}


def _unavailable(reason: str):
    if REQUIRE:
        pytest.fail(f"NNSCRATCH_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason} (apt-get install -y chromium)")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="session")
def server():
    site = built_site()
    handler = functools.partial(_Quiet, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield site, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


# One Playwright and one browser per process: a second sync_playwright() while one runs
# fails ("Sync API inside the asyncio loop"), and tests/test_look.py uses this fixture too
# (under its own name, so pytest holds one instance of it per module).
_PLAYWRIGHT: dict = {"users": 0}


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} is missing")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    if not _PLAYWRIGHT["users"]:
        _PLAYWRIGHT["playwright"] = sync_playwright().start()
        _PLAYWRIGHT["browser"] = _PLAYWRIGHT["playwright"].chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    _PLAYWRIGHT["users"] += 1
    yield _PLAYWRIGHT["browser"]
    _PLAYWRIGHT["users"] -= 1
    if not _PLAYWRIGHT["users"]:
        _PLAYWRIGHT.pop("browser").close()
        _PLAYWRIGHT.pop("playwright").stop()


def _page_urls(site: Path) -> list[str]:
    return sorted(
        "/" + str(p.parent.relative_to(site)).replace(os.sep, "/").removeprefix(".") + "/"
        for p in site.rglob("index.html")
        if "assets" not in p.relative_to(site).parts
    )


def _site_pages() -> list[str]:
    try:
        return [u.replace("//", "/") for u in _page_urls(built_site())]
    except BaseException as err:  # noqa: BLE001 - a failed build shows up in test_site_build
        return [f"<no site: {err}>"]


class Visit:
    """A page opened in a fresh context, with everything that went wrong recorded."""

    def __init__(self, browser, base: str, path: str):
        self.context = browser.new_context()
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.context.route("**/*", self._route)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda err: self.problems.append(f"page error: {err}"))
        self.page.on("requestfailed", lambda r: self.problems.append(
            f"request failed: {r.url} ({r.failure})"))
        self.page.on("response", self._response)
        self.page.goto(base + path, wait_until="load")

    def _route(self, route):
        url = route.request.url
        scheme, host = urlsplit(url).scheme, urlsplit(url).hostname
        if scheme in ("data", "blob", "about") or host in LOCAL_HOSTS:
            route.continue_()
        else:
            self.problems.append(f"request to another host: {url}")
            route.abort()

    def _console(self, msg) -> None:
        if msg.type == "error":
            self.problems.append(f"console error: {msg.text}")

    def _response(self, response) -> None:
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def wait_for_mathjax(self) -> None:
        self.page.wait_for_function(
            "() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=15000
        )
        self.page.evaluate("() => MathJax.startup.promise.then(() => true)")

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser, server):
    site, base = server
    opened = []

    def open_page(path: str) -> Visit:
        v = Visit(browser, base, path)
        opened.append(v)
        return v

    yield open_page
    for v in opened:
        v.close()


RAW_TEX_JS = """() => {
  // Text of math-bearing elements (the navigation and table of contents included: headings
  // with math appear there), outside code and outside rendered math.
  const out = [];
  for (const el of document.querySelectorAll('.arithmatex, .jp-RenderedMarkdown, .md-nav')) {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT, {
      acceptNode: (n) => n.parentElement.closest('pre, code, mjx-container, mjx-assistive-mml')
        ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
    });
    let text = '';
    while (walker.nextNode()) text += walker.currentNode.nodeValue;
    for (const d of ['\\\\[', '\\\\(', '$$', '\\\\frac', '\\\\begin']) {
      if (text.includes(d)) out.push(d + ' in: ' + text.trim().slice(0, 120));
    }
  }
  return out;
}"""


@pytest.mark.parametrize("path", _site_pages())
def test_page_renders_cleanly(visit, path):
    v = visit(path)
    v.wait_for_mathjax()
    page = v.page
    raw = page.evaluate(RAW_TEX_JS)
    assert not raw, f"raw TeX left on {path}: {raw}"
    errors = page.evaluate(
        "() => [...document.querySelectorAll('mjx-merror, [data-mjx-error]')]"
        ".map(e => e.getAttribute('data-mjx-error') || e.textContent)"
    )
    assert not errors, f"MathJax errors on {path}: {errors}"
    # A typeset display formula is drawn glyph by glyph (mjx-c nodes) in a box of its own;
    # a one-line formula such as \[ W \leftarrow W - \eta\, dW \] is legitimately ~18 px tall,
    # so the height bound only rules out empty or collapsed boxes.
    boxes = page.evaluate(
        "() => [...document.querySelectorAll('mjx-container[display=\"true\"]')]"
        ".map(e => ({h: e.getBoundingClientRect().height,"
        "            glyphs: e.querySelectorAll('mjx-c').length}))"
    )
    flat = [b for b in boxes if b["h"] < 12 or b["glyphs"] == 0]
    assert not flat, f"display formulas without real height on {path}: {boxes}"
    images = page.evaluate(
        "() => [...document.querySelectorAll('article img')]"
        ".map(i => ({w: i.naturalWidth, alt: i.alt, src: i.src.slice(0, 60)}))"
    )
    broken = [i for i in images if i["w"] == 0 or not i["alt"].strip()]
    assert not broken, f"images not loaded or without alt text on {path}: {broken}"
    if path.startswith("/examples/"):
        assert images, f"the example page {path} shows no figure"
        assert page.locator(".jp-OutputArea-output").count() > 0
        assert page.locator('a[href$=".ipynb"]').count() == 1
        assert page.locator('a[href$=".py"]').count() >= 1
    page.wait_for_timeout(200)  # late console errors and requests
    assert not v.problems, f"{path}: " + "\n".join(v.problems)


def test_math_is_rendered_on_text_and_notebook_pages(visit):
    for path, minimum in (("/one-hot/", 3), ("/examples/train_sample/", 1)):
        v = visit(path)
        v.wait_for_mathjax()
        n = v.page.locator('mjx-container[display="true"]').count()
        assert n >= minimum, f"{path}: {n} display formulas rendered, expected ≥ {minimum}"


def test_multiline_derivation_is_typeset_on_several_lines(visit):
    """An `aligned` derivation must stand as several rows, not one line with literal `&`."""
    v = visit("/softmax-gradient/")
    v.wait_for_mathjax()
    tallest = v.page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('mjx-container[display=\"true\"]')]"
        ".map(e => e.getBoundingClientRect().height))"
    )
    assert tallest > 80, f"the tallest derivation is only {tallest} px high"


def test_data_page_shows_the_digits_figure(visit):
    v = visit("/data/")
    img = v.page.locator("figure img")
    assert img.count() == 1
    assert v.page.evaluate("() => document.querySelector('figure img').naturalWidth") > 100


def test_search_finds_softmax(visit):
    v = visit("/")
    page = v.page
    page.set_viewport_size({"width": 1280, "height": 800})  # the header search box is shown
    page.locator("input.md-search__input").click()
    page.keyboard.type("softmax", delay=30)
    page.wait_for_selector(".md-search-result__item", timeout=15000)
    links = page.eval_on_selector_all(
        ".md-search-result__item a", "els => els.map(a => a.getAttribute('href'))"
    )
    assert any("softmax" in href for href in links), links
    assert not v.problems, "\n".join(v.problems)


ARTICLE_RAW_TEX_JS = """() => {
  // Every text node of the page's article (prose, tables, admonitions, figure captions),
  // outside code and outside typeset math. The check above reads only the elements that
  // carry math when Markdown saw it; a formula Markdown never processed (a <figcaption>
  // without markdown="span") has no such element, and only this one sees it.
  const article = document.querySelector('article');
  if (!article) return ['no <article> on the page'];
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT, {
    acceptNode: (n) => n.parentElement.closest(
      'pre, code, script, style, textarea, mjx-container, mjx-assistive-mml')
      ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
  });
  const out = [];
  while (walker.nextNode()) {
    const node = walker.currentNode;
    for (const d of ['\\\\(', '\\\\[']) {
      if (node.nodeValue.includes(d)) {
        const where = node.parentElement.closest('figcaption') ? 'caption'
          : node.parentElement.tagName.toLowerCase();
        out.push(d + ' in ' + where + ': ' + node.nodeValue.trim().slice(0, 120));
      }
    }
  }
  return out;
}"""


def test_no_raw_tex_in_any_page_text_captions_included(browser, server):
    """After MathJax, no page's visible text (captions included) holds a raw \\( or \\[."""
    _, base = server
    raw = {}
    for path in _site_pages():
        v = Visit(browser, base, path)
        try:
            v.wait_for_mathjax()
            found = v.page.evaluate(ARTICLE_RAW_TEX_JS)
        finally:
            v.close()
        if found:
            raw[path] = found
    assert not raw, f"raw TeX left in the text of {len(raw)} page(s): {raw}"
