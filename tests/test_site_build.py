"""The built book: pages, offline assets, examples, downloads; no browser needed.

``built_site()`` is shared with tests/test_browser.py: it reuses ``site/`` when that is newer
than every source of the book (the README's test command builds it just before pytest),
and otherwise builds the book once per test session into a temporary folder with
``mkdocs build --strict``. ``NNSCRATCH_SITE_DIR`` points it at an already built site.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "mkdocs.yml", ROOT / "docs", ROOT / "src" / "nnscratch"]

REMOTE = re.compile(
    r"""<(?:script|img|iframe|source|audio|video|embed)\b[^>]*\bsrc\s*=\s*["']?(?:https?:)?//"""
    r"""|<link\b[^>]*\bhref\s*=\s*["']?(?:https?:)?//"""
    r"""|@import\s+(?:url\()?\s*["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//"""
    r"""|\bimport\s*\(\s*["'](?:https?:)?//""",
    re.IGNORECASE,
)


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


def test_no_page_loads_anything_from_another_host(site):
    files = [*site.rglob("*.html"), *site.rglob("*.css")]
    files = [f for f in files if "mathjax" not in f.parts]
    offenders = {}
    for f in files:
        text = f.read_text(encoding="utf-8", errors="replace")
        hits = [m.group(0) for m in REMOTE.finditer(text)]
        if hits:
            offenders[str(f.relative_to(site))] = hits[:3]
    assert not offenders


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
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout
    assert "tex-mml-chtml.js" not in tracked
    assert not [line for line in tracked.splitlines() if line.endswith(".ipynb")]


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
    assert re.search(r'<img alt="[^"]{20,}" src="data:image/png;base64,', html)
    assert "application/vnd.jupyter.stderr" not in html or "Traceback" not in html
    assert (folder / f"{name}-1.png").is_file()


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
