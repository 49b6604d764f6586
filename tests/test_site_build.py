"""The built book: pages, offline assets, examples, downloads; no browser needed.

``built_site()`` is shared with tests/test_browser.py: it reuses ``site/`` when that is newer
than every source of the book (the README's test command builds it just before pytest),
and otherwise builds the book once per test session into a temporary folder with
``mkdocs build --strict``. ``NNSCRATCH_SITE_DIR`` points it at an already built site.
``OFFHOST`` is the build hook's off-host guard (``docs/hooks/offhost.py``), shared with
tests/test_serve.py, which checks the pages ``mkdocs serve`` serves with it.
"""

import doctest
import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from functools import cache
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.test_lint import project_files

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "mkdocs.yml", ROOT / "docs", ROOT / "src" / "nnscratch"]


def _load_offhost():
    """The build hook's off-host guard, ``docs/hooks/offhost.py``, loaded by its path."""
    path = ROOT / "docs" / "hooks" / "offhost.py"
    spec = importlib.util.spec_from_file_location("offhost", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["offhost"] = module  # the name the hook imports it by
    spec.loader.exec_module(module)
    return module


#: The one off-host guard (the hook's): ``OFFHOST.find_remote_loads(html)``.
OFFHOST = _load_offhost()


def _newest_source_mtime() -> float:
    newest = 0.0
    for src in SOURCES:
        paths = [src] if src.is_file() else (p for p in src.rglob("*") if p.is_file())
        for p in paths:
            if "__pycache__" not in p.parts:
                newest = max(newest, p.stat().st_mtime)
    return newest


@cache
def built_site() -> Path:
    """The folder of a built, up-to-date book (built at most once per session)."""
    if os.environ.get("NNSCRATCH_SITE_DIR"):
        return Path(os.environ["NNSCRATCH_SITE_DIR"])
    site = ROOT / "site"
    index = site / "index.html"
    if index.is_file() and index.stat().st_mtime > _newest_source_mtime():
        return site
    out = Path(tempfile.mkdtemp(prefix="nnscratch-site-"))
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    env.setdefault("NB_CACHE", "false")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    if result.returncode != 0:
        pytest.fail(
            f"mkdocs build --strict failed:\n{result.stdout[-4000:]}\n{result.stderr[-8000:]}"
        )
    return out


@pytest.fixture(scope="session")
def site() -> Path:
    return built_site()


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("index.html"))


def example_pages(site: Path) -> list[Path]:
    return sorted((site / "examples").glob("*/index.html"))


def test_every_markdown_page_is_built(site):
    docs = ROOT / "docs"
    for md in docs.rglob("*.md"):
        rel = md.relative_to(docs).with_suffix("")
        html = site / ("index.html" if rel.name == "index" else rel / "index.html")
        assert html.is_file(), f"{md} was not built ({html})"
    for script in (docs / "examples").glob("*.py"):
        assert (site / "examples" / script.stem / "index.html").is_file()


# --- The off-host guard ---------------------------------------------------------------------
# What a page *loads* from another host fails the build; where it merely *points* does not.

PASSES = {
    "canonical link (mkdocs serve)": '<link rel="canonical" href="http://127.0.0.1:8000/x/">',
    "alternate, prev, next, search": '<link rel="alternate" type="application/rss+xml" '
    'href="https://h.example/feed.xml"><link rel="prev" href="https://h.example/a/">'
    '<link rel="next" href="//h.example/b/"><link rel="search" href="https://h.example/s">',
    "plain link": '<a href="https://github.com/">source</a>',
    "local loads": '<script src="assets/x.js"></script><link rel="stylesheet" href="/s.css">'
    '<img src="../f.png" srcset="f.png 1x, f2.png 2x"><style>b{background:url(i.png)}</style>',
    "data URIs": '<img src="data:image/png;base64,iVBORw0KGgo=" '
    'srcset="data:image/png;base64,iV,BO 1x">',
    "URL in a CSS comment": "<style>/* url(https://h.example/i.png) */ b { color: red }</style>",
    "URL as text": "<p>https://cdn.example/x.js and url(//h.example/i.png)</p>",
}

FAILS = {
    "script": ('<script src="https://cdn.example/x.js"></script>', "<script src>"),
    "protocol-relative script": ('<script src="//cdn.example/x.js"></script>', "<script src>"),
    "entity-encoded script": ('<script src="&#x2F;&#x2F;cdn.example/x.js"></script>',
                              "<script src>"),
    "stylesheet": ('<link rel="stylesheet" href="https://fonts.example/css">',
                   '<link rel="stylesheet" href>'),
    "alternate stylesheet": ('<link rel="alternate stylesheet" href="//h.example/a.css">',
                             '<link rel="stylesheet" href>'),
    "icon": ('<link rel="icon" href="https://h.example/favicon.png">', '<link rel="icon" href>'),
    "shortcut icon": ('<link rel="SHORTCUT ICON" href="//h.example/f.ico">',
                      '<link rel="icon" href>'),
    "apple-touch-icon": ('<link rel="apple-touch-icon" href="https://h.example/t.png">',
                         '<link rel="apple-touch-icon" href>'),
    "preload": ('<link rel="preload" as="font" href="https://h.example/f.woff2">',
                '<link rel="preload" href>'),
    "modulepreload": ('<link rel="modulepreload" href="//h.example/m.js">',
                      '<link rel="modulepreload" href>'),
    "manifest": ('<link rel="manifest" href="https://h.example/m.json">',
                 '<link rel="manifest" href>'),
    "img": ('<p><img alt="x" src="https://h.example/i.png"></p>', "<img src>"),
    "srcset": ('<img src="a.png" srcset="a.png 1x, https://h.example/b.png 2x">',
               "<img srcset>"),
    "picture source srcset": ('<picture><source srcset="//h.example/b.webp"></picture>',
                              "<source srcset>"),
    "audio": ('<audio src="https://h.example/a.mp3"></audio>', "<audio src>"),
    "video poster": ('<video src="v.mp4" poster="//h.example/p.png"></video>', "<video poster>"),
    "embed": ('<embed src="https://h.example/e.swf">', "<embed src>"),
    "iframe": ('<iframe src="https://www.youtube.example/embed/x"></iframe>', "<iframe src>"),
    "frame": ('<frameset><frame src="//h.example/f.html"></frameset>', "<frame src>"),
    "object data": ('<object data="https://h.example/o.svg"></object>', "<object data>"),
    "base href": ('<base href="https://cdn.example/">', "<base href>"),
    "CSS url() in <style>": ("<style>\n@font-face { src: url('https://h.example/f.woff2') }"
                             "</style>", "<style> CSS url()"),
    "CSS @import in <style>": ('<style>@import "//fonts.example/css";</style>',
                               "<style> CSS @import"),
    "CSS @import url()": ("<style>@import url(https://h.example/a.css);</style>",
                          "<style> CSS url()"),
    "CSS url() in a style attribute": ('<div style="background: url(//h.example/i.png)"></div>',
                                       "style attribute CSS url()"),
    "JS import()": ('<script type="module">await import("https://cdn.example/m.js")</script>',
                    "JS import"),
    "JS import from": ('<script type="module">import m from "//cdn.example/m.js"</script>',
                       "JS import"),
    "SVG image": ('<svg><image href="https://h.example/i.png"/></svg>', "<image href>"),
}


@pytest.mark.parametrize("html", PASSES.values(), ids=PASSES.keys())
def test_guard_lets_a_page_point_elsewhere(html):
    assert OFFHOST.find_remote_loads(html) == []


@pytest.mark.parametrize(("html", "what"), FAILS.values(), ids=FAILS.keys())
def test_guard_finds_a_load_from_another_host(html, what):
    page = f"<!doctype html>\n<html><head>\n<title>t</title>\n</head><body>\n{html}\n</body>"
    found = OFFHOST.find_remote_loads(page)
    assert [f.what for f in found] == [what], found
    load = found[0]
    assert OFFHOST.is_off_host(load.url)
    # The line is the line of the offending tag (or CSS/JS text) in the page, and the snippet
    # shows the page's own text from there.
    lines = page.splitlines()
    assert 5 <= load.line <= len(lines) - 1
    assert load.snippet.replace(" ", "") in " ".join(lines[load.line - 1 :]).replace(" ", "")


def test_guard_reports_every_load_with_its_line():
    page = ('<link rel="canonical" href="https://h.example/">\n'
            '<script src="https://a.example/1.js"></script>\n'
            '<p>text</p>\n'
            '<img src="//b.example/2.png">\n')
    found = OFFHOST.find_remote_loads(page)
    assert [(f.line, f.url) for f in found] == [
        (2, "https://a.example/1.js"), (4, "//b.example/2.png")]
    assert found[0].snippet.startswith('<script src="https://a.example/1.js">')


def test_the_build_hook_uses_the_guard():
    """The hook fails the build on a page that loads from another host, names the line, and
    lets through the absolute canonical link that ``mkdocs serve`` writes into every page."""
    from mkdocs.exceptions import PluginError

    path = ROOT / "docs" / "hooks" / "notebooks.py"
    spec = importlib.util.spec_from_file_location("nnscratch_notebooks_hook", path)
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    page = SimpleNamespace(file=SimpleNamespace(src_uri="chapter.md"))
    served = '<head>\n<link rel="canonical" href="http://127.0.0.1:8000/chapter/">\n</head>'
    assert hook.on_post_page(served, page=page, config={}) == served
    loading = served.replace("</head>", '<script src="https://cdn.example/x.js"></script>')
    with pytest.raises(PluginError, match=r"chapter\.md: (?s:.*)line 3: <script src> https://cdn"):
        hook.on_post_page(loading, page=page, config={})


def test_guard_examples_in_its_docstrings():
    result = doctest.testmod(OFFHOST)
    assert result.attempted >= 5 and result.failed == 0


def test_no_page_loads_anything_from_another_host(site):
    """The hook's check, run again on every file of the built book (and its CSS and JS)."""
    offenders, seen = {}, Counter()
    for f in sorted(site.rglob("*")):
        if f.suffix not in (".html", ".css", ".js"):
            continue
        text = f.read_text(encoding="utf-8", errors="replace")
        if f.suffix == ".html":
            loads = OFFHOST.find_loads(text)
            seen.update(load.what for load in loads)
        elif f.suffix == ".css":
            loads = OFFHOST.css_loads(text)
            seen.update(load.what for load in loads)
        else:
            loads = OFFHOST.js_loads(text)
        remote = [f"line {r.line}: {r.snippet}" for r in loads if OFFHOST.is_off_host(r.url)]
        if remote:
            offenders[str(f.relative_to(site))] = remote[:3]
    assert not offenders
    # The guard saw what the pages load (it is not blind): every page loads scripts and style
    # sheets, the examples' notebook style sheet has url()s, and some pages show images.
    n_pages = len(pages(site))
    assert seen["<script src>"] >= n_pages and seen['<link rel="stylesheet" href>'] >= n_pages
    assert seen["CSS url()"] > 0 and seen["<img src>"] > 0, seen


def test_mathjax_is_served_by_the_site(site):
    es5 = site / "assets" / "mathjax" / "es5"
    assert (es5 / "tex-mml-chtml.js").is_file()
    assert list((es5 / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff"))
    assert (es5 / "input" / "tex" / "extensions" / "boldsymbol.js").is_file()
    for page in pages(site):
        html = page.read_text(encoding="utf-8")
        # Loaded exactly once, after its configuration.
        scripts = re.findall(r'<script[^>]*src="([^"]*)"', html)
        mj = [s for s in scripts if s.endswith("tex-mml-chtml.js")]
        cfg = [s for s in scripts if s.endswith("mathjax-config.js")]
        assert len(mj) == 1 and len(cfg) == 1, f"{page}: {scripts}"
        assert scripts.index(cfg[0]) < scripts.index(mj[0])


def test_no_mathjax_in_the_repository():
    files = project_files()
    assert "pyproject.toml" in files and "docs/hooks/notebooks.py" in files
    assert not [f for f in files if f.endswith("tex-mml-chtml.js")]
    assert not [f for f in files if f.endswith(".ipynb")]


def test_included_source_is_on_the_page(site):
    html = (site / "one-hot" / "index.html").read_text(encoding="utf-8")
    assert "--8&lt;--" not in html and "--8<--" not in html
    code = re.findall(r'<div class="language-python highlight">(.*?)</div>', html, re.DOTALL)
    text = [re.sub(r"<[^>]+>", "", block) for block in code]
    assert any("def one_hot(" in t for t in text), "one_hot's source is missing from its page"
    assert any("def predictions(" in t for t in text)


def test_code_blocks_say_their_language(site):
    html = (site / "data" / "index.html").read_text(encoding="utf-8")
    assert 'class="language-python highlight"' in html
    assert 'class="language-pycon highlight"' in html


def test_does_not_run_is_the_visible_title(site):
    html = (site / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<span class="filename">does not run</span>', html)


EXAMPLES = sorted(p.stem for p in (ROOT / "docs" / "examples").glob("*.py"))


def test_internal_links_and_images_resolve(site):
    broken = []
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for url in re.findall(r'(?:href|src)="([^"]+)"', html):
            if re.match(r"[a-z][a-z0-9+.-]*:|#|//", url):
                continue
            path = url.split("#")[0].split("?")[0]
            target = (site / path.lstrip("/")) if path.startswith("/") else page.parent / path
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(site)} -> {url}")
    assert not broken, "\n".join(broken[:20])


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_page_offers_script_and_notebook(site, name):
    folder = site / "examples" / name
    html = (folder / "index.html").read_text(encoding="utf-8")
    assert f'href="{name}.py"' in html and f'href="{name}.ipynb"' in html
    source = ROOT / "docs" / "examples" / f"{name}.py"
    assert (folder / f"{name}.py").read_bytes() == source.read_bytes()
    nb = json.loads((folder / f"{name}.ipynb").read_text(encoding="utf-8"))
    assert nb["nbformat"] == 4 and nb["metadata"]["kernelspec"]["language"] == "python"
    assert any(cell["cell_type"] == "code" for cell in nb["cells"])
    # Executed: outputs and a figure (with alt text) are on the page, no error output.
    assert "jp-OutputArea-output" in html
    # The figure is shown from its file (docs/hooks/notebooks.py), not inlined as base64.
    assert re.search(r'<img alt="[^"]{20,}"[^>]* src="[a-z0-9_-]+\.png"', html)
    assert "data:image/png;base64," not in html
    # Regression: tqdm.auto's "IProgress not found" warning printed the builder's venv path.
    assert "site-packages" not in html and "TqdmWarning" not in html
    assert "application/vnd.jupyter.stderr" not in html or "Traceback" not in html
    assert list(folder.glob("*.png")), f"{name}: no figure file beside the page"


def test_readme_commands_are_the_books_and_ci_runs_the_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"```(?:bash|sh)\n(.*?)\n```", readme, re.DOTALL)
    assert len(commands) >= 2
    serve, test = commands[0].strip(), commands[1].strip()
    assert "mkdocs serve" in serve and "pytest" in test and "mkdocs build --strict" in test
    index = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    assert serve in index and test in index, "docs/index.md must show the README's two commands"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test in ci, ".ci/run must run exactly the README's test command"
