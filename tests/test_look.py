"""How the built book looks, measured in a real browser (Debian's Chromium, via Playwright).

- The example pages are light: nbconvert's style sheets live in one shared file and the
  figures in PNG files (docs/hooks/notebooks.py), and that changes nothing on screen: the
  computed styles of a code cell, an output, a table and a figure, and of the page around
  them, are those of the page with nbconvert's own ``<style>`` blocks and base64 figures put
  back, in the light and in the dark scheme.
- Every chapter shows a figure; no figure is a light box on the dark scheme; the results
  pages hold a table.
- Code fits the page at a 1280 px window (docs/stylesheets/book.css, ``toc.integrate``): no
  listing scrolls sideways, and no line of up to 100 characters (the library's limit) wraps.

The browser, the server and the skip rules are those of tests/test_browser.py.
"""

import base64
import importlib.util
import io
import re
from functools import cache
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import yaml

from tests import test_browser
from tests.test_browser import Visit
from tests.test_site_build import ROOT, built_site

# The browser and the served site of tests/test_browser.py (fixtures are found by name).
browser, server = test_browser.browser, test_browser.server

MAX_EXAMPLE_HTML = 250_000  # bytes of HTML per example page, figures included
WIDE = {"width": 1280, "height": 900}
CHAPTER_SECTIONS = ("Foundations", "The network", "Training", "The notebook", "Beyond")
RESULTS_PAGES = ("/errata/", "/notebook/", "/performance/")
# A figure is a light box on the dark page when more than this share of its pixels, as the
# browser draws them there, is near-white (the bound of tests/test_figures.py).
MAX_LIGHT_SHARE = 0.10
LIBRARY_LINE = 100  # the longest line ruff allows in src/


class _Loader(yaml.SafeLoader):
    """mkdocs.yml with its ``!ENV`` tags read as plain values."""


_Loader.add_constructor("!ENV", lambda loader, node: None)


def _url(src: str) -> str:
    stem = src.removesuffix(".md").removesuffix(".py")
    return "/" if stem == "index" else f"/{stem}/"


@cache
def nav_pages(*sections: str) -> list[str]:
    """The URLs of the pages under the given top-level sections of the navigation."""
    nav = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Loader)["nav"]
    out = []
    for entry in nav:
        (title, value), = entry.items()
        if title in sections:
            out += [_url(src) for item in value for src in item.values()]
    return out


CHAPTERS = nav_pages(*CHAPTER_SECTIONS)
LISTING_PAGES = CHAPTERS + nav_pages("The library")


def test_the_chapter_list_is_the_navigation():
    assert "/data/" in CHAPTERS and "/errata/" in CHAPTERS and "/pytorch/" in CHAPTERS
    assert len(CHAPTERS) == len(set(CHAPTERS)) > 10, CHAPTERS
    assert "/plots/" in LISTING_PAGES and "/examples/digits/" not in LISTING_PAGES


def _context(browser, dark: bool = False):
    return browser.new_context(viewport=WIDE, color_scheme="dark" if dark else "light")


# --- Light example pages ---------------------------------------------------------------------

def _example_pages() -> list[Path]:
    return sorted((built_site() / "examples").glob("*/index.html"))


def test_example_pages_are_light():
    pages = _example_pages()
    assert len(pages) == len(list((ROOT / "docs" / "examples").glob("*.py")))
    sizes = {p.parent.name: p.stat().st_size for p in pages}
    heavy = {name: size for name, size in sizes.items() if size > MAX_EXAMPLE_HTML}
    assert not heavy, f"example pages over {MAX_EXAMPLE_HTML} bytes of HTML: {heavy}"
    sheets = set()
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "data:image/png;base64," not in html, f"{page}: a figure is still inlined"
        assert "<style" not in html, f"{page}: a <style> block is still inlined"
        links = re.findall(r'<link rel="stylesheet" href="([^"]*notebook-[0-9a-f]+\.css)">', html)
        assert len(links) == 1, f"{page}: {links}"
        sheets.add((page.parent / links[0]).resolve())
        for src in re.findall(r'<img\b[^>]*\bsrc="([^"]+)"', html):
            assert (page.parent / src).is_file(), f"{page}: missing figure file {src}"
    assert len(sheets) == 1, f"the example pages do not share one style sheet: {sheets}"
    (sheet,) = sheets
    assert sheet.is_file() and sheet.stat().st_size > 100_000  # JupyterLab's CSS is in it


def _notebooks_hook():
    """docs/hooks/notebooks.py, loaded by its path (its sibling ``offhost`` is loaded by
    tests/test_site_build.py)."""
    path = ROOT / "docs" / "hooks" / "notebooks.py"
    spec = importlib.util.spec_from_file_location("nnscratch_notebooks_hook_look", path)
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    return hook


def _example(tmp_path: Path, css: str) -> tuple[str, SimpleNamespace, dict]:
    png = base64.b64encode(b"\x89PNG not really").decode()
    html = ('<head></head><article class="md-content__inner">\n<script>let a = 1;</script>\n'
            f'<style type="text/css">\n{css}\n</style>\n<style>b {{ color: red }}</style>\n'
            '<div class="jupyter-wrapper"><p>text</p>'
            f'<img alt="A figure" data-name="a-figure" src="data:image/png;base64,{png}">'
            f'<img alt="Another" src="data:image/png;base64,{png}"></div></article>')
    page = SimpleNamespace(url="examples/ex/", file=SimpleNamespace(
        src_uri="examples/ex.py", abs_dest_path=str(tmp_path / "examples/ex/index.html")))
    return html, page, {"site_dir": str(tmp_path)}


def test_the_hook_links_one_sheet_in_place_and_shows_figures_from_files(tmp_path):
    hook = _notebooks_hook()
    html, page, config = _example(tmp_path, "a { color: blue }")
    out = hook.on_post_page(html, page=page, config=config)
    link = re.search(r'\n<link rel="stylesheet" href="(\.\./\.\./assets/stylesheets/'
                     r'notebook-[0-9a-f]{12}\.css)">\n<div class="jupyter-wrapper">', out)
    assert link and "<style" not in out and "<script>let a = 1;</script>" in out, out
    sheet = (tmp_path / "examples/ex" / link[1]).resolve()
    assert sheet.read_text(encoding="utf-8") == (
        '@charset "UTF-8";\n\na { color: blue }\n\nb { color: red }')
    assert 'data-name="a-figure" src="a-figure.png"' in out and 'src="ex-2.png"' in out
    assert (tmp_path / "examples/ex/a-figure.png").read_bytes() == b"\x89PNG not really"
    assert "base64" not in out
    # A second page with the same sheets links the same file.
    page.url, page.file.src_uri = "examples/ex2/", "examples/ex2.py"
    assert link[1] in hook.on_post_page(html, page=page, config=config)
    assert len(list((tmp_path / "assets/stylesheets").iterdir())) == 1


def test_the_hook_guards_the_sheet_it_moves_out_of_the_page(tmp_path):
    from mkdocs.exceptions import PluginError

    hook = _notebooks_hook()
    html, page, config = _example(tmp_path, '@import url("https://cdn.example/x.css");')
    with pytest.raises(PluginError, match=r"examples/ex\.py: .*https://cdn\.example/x\.css"):
        hook.on_post_page(html, page=page, config=config)
    assert not (tmp_path / "assets").exists()


@cache
def _nbconvert_styles(stem: str) -> str:
    """The ``<style>`` blocks nbconvert (through mkdocs-jupyter) writes into an example."""
    from mkdocs_jupyter import convert

    body = convert.nb2html(str(ROOT / "docs" / "examples" / f"{stem}.py"), execute=False,
                           theme="", include_requirejs=False, custom_mathjax_url="mathjax.js")
    blocks = re.findall(r"<style\b[^>]*>.*?</style>", body, re.DOTALL)
    assert len(blocks) >= 2 and sum(map(len, blocks)) > 100_000, [b[:60] for b in blocks]
    return "\n".join(blocks)


def _as_nbconvert_wrote_it(page: Path) -> str:
    """The built page with nbconvert's style blocks and base64 figures put back."""
    html = page.read_text(encoding="utf-8")
    html, n = re.subn(r'<link rel="stylesheet" href="[^"]*notebook-[0-9a-f]+\.css">',
                      lambda m: _nbconvert_styles(page.parent.name), html)
    assert n == 1

    def inline(m: re.Match) -> str:
        data = base64.b64encode((page.parent / m[2]).read_bytes()).decode()
        return f'<img{m[1]}src="data:image/png;base64,{data}"'

    html, n = re.subn(r'<img\b([^>]*)\bsrc="([a-z0-9_-]+\.png)"', inline, html)
    assert n >= 1
    return html


# The elements compared: the notebook's code, output, table and figure, and the page around
# them (nbconvert's sheets hold unscoped rules such as `pre {...}` and `table {...}`).
STYLED = {
    "code cell": ".jp-CodeCell .jp-InputArea-editor",
    "code text": ".jp-CodeCell .jp-InputArea-editor pre",
    "code token": ".jp-CodeCell .jp-InputArea-editor pre span",
    "output cell": ".jp-OutputArea-output",
    "output text": ".jp-OutputArea-output pre",
    "markdown text": ".jp-RenderedMarkdown p",
    "table": ".jupyter-wrapper table",
    "table head": ".jupyter-wrapper table th",
    "table cell": ".jupyter-wrapper table td",
    "figure": ".jp-OutputArea-output img",
    "download box": ".nb-downloads",
    "page title": ".md-header__title",
    "navigation link": ".md-nav__link",
    "article": "article.md-content__inner",
}

COMPUTED_JS = """(selectors) => {
  const out = {};
  for (const [what, sel] of Object.entries(selectors)) {
    const el = document.querySelector(sel);
    if (!el) continue;
    const cs = getComputedStyle(el), style = {};
    for (const prop of cs) style[prop] = cs.getPropertyValue(prop);
    out[what] = style;
  }
  out.scheme = document.body.getAttribute('data-md-color-scheme');
  return out;
}"""


def _computed(browser, base: str, path: str, dark: bool, html: str | None = None):
    context = _context(browser, dark)
    try:
        page = context.new_page()
        if html is not None:
            context.route(base + path, lambda route: route.fulfill(
                status=200, body=html, content_type="text/html; charset=utf-8"))
        page.goto(base + path, wait_until="load")
        page.wait_for_function("() => window.MathJax && MathJax.startup && "
                               "MathJax.startup.promise", timeout=15000)
        page.evaluate("() => MathJax.startup.promise.then(() => true)")
        return page.evaluate(COMPUTED_JS, STYLED)
    finally:
        context.close()


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("stem", ["training_compare", "evaluation_mistakes"])
def test_shared_style_sheet_and_figure_files_change_no_style(browser, server, stem, dark):
    site, base = server
    path = f"/examples/{stem}/"
    before = _computed(browser, base, path, dark, _as_nbconvert_wrote_it(site / path[1:] /
                                                                        "index.html"))
    after = _computed(browser, base, path, dark)
    assert after["scheme"] == ("slate" if dark else "default") == before["scheme"]
    assert {"code cell", "code token", "output text", "figure", "article"} <= set(after)
    if stem == "training_compare":
        assert {"table", "table head", "table cell"} <= set(after)
    assert set(after) == set(before)
    diffs = {what: {p: (before[what].get(p), style.get(p))
                    for p in before[what].keys() | style.keys()
                    if before[what].get(p) != style.get(p)}
             for what, style in after.items() if what != "scheme"}
    diffs = {what: d for what, d in diffs.items() if d}
    assert not diffs, f"{path}: computed styles differ (before, after): {diffs}"
    # The comparison sees the notebook's sheets: without them a code cell looks different.
    assert after["code cell"]["background-color"] != "rgba(0, 0, 0, 0)"


# --- Figures ---------------------------------------------------------------------------------

FIGURES_JS = """() => [...document.querySelectorAll('.md-content img')].map(i => ({
  src: i.getAttribute('src').slice(0, 80), alt: i.alt.trim(), w: i.naturalWidth}))"""


@pytest.mark.parametrize("path", CHAPTERS)
def test_every_chapter_shows_a_figure(browser, server, path):
    _, base = server
    v = Visit(browser, base, path)
    try:
        images = v.page.evaluate(FIGURES_JS)
    finally:
        v.close()
    figures = [i for i in images if i["alt"] and i["w"] > 0]
    assert figures, f"{path} shows no loaded figure with alt text: {images}"


def _light_share(png: bytes) -> float:
    from PIL import Image

    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float) / 255
    return float(np.mean(rgb.mean(axis=-1) > 0.8))


def test_light_share_tells_a_white_box_from_ink():
    from PIL import Image

    def png(colour) -> bytes:
        buf = io.BytesIO()
        Image.new("RGB", (20, 10), colour).save(buf, format="PNG")
        return buf.getvalue()

    assert _light_share(png((255, 255, 255))) == 1.0
    assert _light_share(png((0x1e, 0x21, 0x29))) == 0.0


@pytest.mark.parametrize("path", CHAPTERS + nav_pages("The library", "Examples"))
def test_no_figure_is_a_light_box_on_the_dark_scheme(browser, server, path):
    _, base = server
    context = _context(browser, dark=True)
    try:
        page = context.new_page()
        page.goto(base + path, wait_until="load")
        assert page.evaluate("() => document.body.getAttribute('data-md-color-scheme')") == "slate"
        light = {}
        images = page.locator(".md-content img")
        for k in range(images.count()):
            img = images.nth(k)
            if not img.is_visible():
                continue
            share = _light_share(img.screenshot(animations="disabled"))
            if share > MAX_LIGHT_SHARE:
                light[img.get_attribute("src")[:80]] = round(share, 3)
    finally:
        context.close()
    assert not light, f"{path}: figures that are light boxes on the dark page: {light}"


@pytest.mark.parametrize("path", RESULTS_PAGES)
def test_results_pages_hold_a_table(browser, server, path):
    _, base = server
    v = Visit(browser, base, path)
    try:
        tables = v.page.locator(".md-content table").count()
    finally:
        v.close()
    assert tables >= 1, f"{path} holds no table"


# --- Code that fits the page -----------------------------------------------------------------

FIT_JS = """(libraryLine) => {
  const out = {blocks: 0, scrolls: [], wrapped: []};
  for (const code of document.querySelectorAll('.md-content pre > code')) {
    out.blocks++;
    const longest = Math.max(...code.textContent.split('\\n').map(l => l.length));
    const text = code.textContent.trim().split('\\n')[0].slice(0, 60);
    if (code.scrollWidth > code.clientWidth)
      out.scrolls.push({text, longest, over: code.scrollWidth - code.clientWidth});
    // Would the block fit without wrapping? A line the library could hold must not wrap.
    code.style.whiteSpace = 'pre';
    if (longest <= libraryLine && code.scrollWidth > code.clientWidth)
      out.wrapped.push({text, longest, over: code.scrollWidth - code.clientWidth});
    code.style.whiteSpace = '';
  }
  return out;
}"""


@pytest.mark.parametrize("path", LISTING_PAGES)
def test_code_fits_the_column_at_1280_px(browser, server, path):
    _, base = server
    context = _context(browser)
    try:
        page = context.new_page()
        page.goto(base + path, wait_until="load")
        fit = page.evaluate(FIT_JS, LIBRARY_LINE)
    finally:
        context.close()
    assert fit["blocks"] > 0, f"{path} has no code block"
    assert not fit["scrolls"], f"{path}: code blocks scroll sideways at 1280 px: {fit['scrolls']}"
    assert not fit["wrapped"], f"{path}: lines of <= {LIBRARY_LINE} chars wrap: {fit['wrapped']}"
