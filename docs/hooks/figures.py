"""MkDocs hook: the chapters' figures, drawn by the library during the build.

A chapter shows a figure by its name, as an ordinary Markdown image with alt text::

    ![ReLU and Leaky ReLU, each beside its derivative](figures/relu-derivatives.png)

and ``docs/figures/<chapter>.py`` says how it is drawn: a dict ``FIGURES`` from each name to
a function of no arguments that returns a matplotlib figure, made by a drawing function of
``nnscratch.plots`` from that chapter's functions or data (a results file for anything too
slow for the build). This hook:

1. ``on_files``: runs every function of every ``docs/figures/*.py`` and adds its PNG to the
   site as ``figures/<name>.png`` (transparent, like every figure of the book). The PNGs are
   cached in ``.cache/figures/<key>/``, ``key`` being the SHA-256 of the library's source,
   the figure modules and the results files, so ``mkdocs serve`` reloads and later builds
   draw nothing again until one of them changes. Nothing is written into ``docs/``.
2. ``on_page_content``: every image of a built figure must have alt text.
3. ``on_post_build``: a figure no page shows fails the build (a name typed wrong on a page
   fails it already: MkDocs' link validation finds no such image).
"""

import hashlib
import importlib.util
import io
import logging
import re
from collections.abc import Callable
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

log = logging.getLogger("mkdocs.hooks.figures")

FIGURES_DIR = Path(__file__).resolve().parents[1] / "figures"
ROOT = FIGURES_DIR.parents[1]
CACHE = ROOT / ".cache" / "figures"
NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
DPI = 110
_IMG = re.compile(r"<img\b[^>]*>")
_shown: set[str] = set()


def registry() -> dict[str, Callable]:
    """Every figure of ``docs/figures/*.py``: name -> function drawing it."""
    found: dict[str, Callable] = {}
    for path in sorted(FIGURES_DIR.glob("*.py")):
        spec = importlib.util.spec_from_file_location(f"nnscratch_figures_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for name, draw in getattr(module, "FIGURES", {}).items():
            if not NAME.fullmatch(name):
                raise PluginError(f"{path.name}: figure name {name!r} is not lower-case-words")
            if name in found:
                raise PluginError(f"{path.name}: figure {name!r} is defined twice")
            found[name] = draw
    return found


def cache_key() -> str:
    """SHA-256 of everything a figure depends on: library, figure modules, results files."""
    digest = hashlib.sha256()
    import nnscratch

    sources = [Path(nnscratch.__file__).parent, FIGURES_DIR, ROOT / "docs" / "results"]
    for folder in sources:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(folder)).encode() + b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def png(draw: Callable) -> bytes:
    """Draw one figure and return its transparent PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = draw()
    try:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=DPI, transparent=True)
        return buf.getvalue()
    finally:
        plt.close(fig)


def on_files(files, config, **kwargs):
    figures = registry()
    folder = CACHE / cache_key()
    folder.mkdir(parents=True, exist_ok=True)
    for name, draw in figures.items():
        cached = folder / f"{name}.png"
        if not cached.is_file():
            data = png(draw)
            tmp = cached.with_suffix(".tmp")
            tmp.write_bytes(data)
            tmp.replace(cached)
            log.info("drew figures/%s.png", name)
        files.append(File.generated(config, f"figures/{name}.png", abs_src_path=str(cached)))
    _shown.clear()
    return files


def on_page_content(html: str, page, config, files, **kwargs) -> str:
    for tag in _IMG.findall(html):
        m = re.search(r'src="(?:[^"]*/)?figures/([a-z0-9-]+)\.png"', tag)
        if not m:
            continue
        alt = re.search(r'alt="([^"]*)"', tag)
        if not alt or not alt[1].strip():
            raise PluginError(f"{page.file.src_uri}: figure {m[1]!r} has no alt text")
        _shown.add(m[1])
    return html


def on_post_build(config, **kwargs) -> None:
    unused = sorted(set(registry()) - _shown)
    if unused:
        raise PluginError(f"figures that no page shows: {', '.join(unused)}")
