"""MkDocs hook for the executed example pages (``docs/examples/*.py``, run by mkdocs-jupyter).

1. nbconvert's template writes its own MathJax ``<script>`` (and a MathJax 2 config) into each
   example page. Every page already loads the site's MathJax through ``extra_javascript``,
   so those tags are removed: MathJax is loaded once, from this site.
2. Every page is checked for resources it would load from another host (scripts, style
   sheets, icons, images, fonts, frames, CSS ``@import``/``url()``, JS imports; see
   ``offhost.py``): the build fails if one is found, because the book must work offline.
   Links that load nothing (``<a href>``, ``<link rel="canonical">``, which ``mkdocs serve``
   makes absolute, prev/next) are fine.
3. The inline PNG figures of each example are written as files beside its page, and the page
   shows them from there (``<img src="<file>">``, not a base64 ``data:`` URI), so a chapter
   can show an example's figure too: ``<name>.png`` for a figure shown with a name
   (``show(fig, alt, name=...)``, an ``<img data-name>``), else ``<stem>-<n>.png`` by its
   position.
4. nbconvert inlines its JupyterLab and Pygments style sheets (~590 KB) into every example
   page. Each run of adjacent ``<style>`` blocks before the notebook is written once into the
   site as ``assets/stylesheets/notebook-<hash>.css`` (the blocks in their order, so the
   cascade is unchanged) and replaced, in place, by a ``<link>`` to it: an example page weighs
   tens of KB instead of ~700 KB, and the browser caches the shared sheet.
5. After the build, each example script is also written as a notebook (``.ipynb``, via
   jupytext) beside the copied ``.py`` in ``site/``, so the page can offer both for download
   (see ``docs/overrides/main.html``). No ``.ipynb`` is ever written into the repository.
"""

import base64
import hashlib
import logging
import posixpath
import re
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.utils import get_relative_url

# A sibling module: MkDocs puts this folder on sys.path only while it loads the hook, so the
# import must stay at module level (an import inside a function would not find it).
from offhost import find_remote_loads, find_remote_loads_in_css

log = logging.getLogger("mkdocs.hooks.notebooks")

_NBCONVERT_MATHJAX = re.compile(
    r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.DOTALL
)
# nbconvert's lab template adds a module script that would import mermaid.js from a CDN when
# a notebook has a mermaid diagram. The examples draw none; the script is removed.
_NBCONVERT_MERMAID = re.compile(
    r'<script type="module">\s*document\.addEventListener\("DOMContentLoaded", async \(\) => \{'
    r'\s*const diagrams = document\.querySelectorAll\("\.jp-Mermaid.*?</script>',
    re.DOTALL,
)
_PNG = re.compile(r'<img\b([^>]*)\bsrc="data:image/png;base64,([A-Za-z0-9+/=\s]+)"')
_NAME = re.compile(r'\bdata-name="([a-z0-9-]+)"')


def _is_example(page) -> bool:
    return page.file.src_uri.startswith("examples/") and page.file.src_uri.endswith(".py")


def _figures_to_files(html: str, page) -> str:
    """Write the page's inline PNG figures beside it, and point their ``<img>`` at the files.

    A figure is ``<name>.png`` when it has a ``data-name``, else ``<stem>-<n>.png`` (its
    position on the page). Other pages can then show an example's figure (e.g.
    ``../examples/digits/digits-1.png`` from the data chapter) without running the example
    a second time.
    """
    dest_dir = Path(page.file.abs_dest_path).parent
    dest_dir.mkdir(parents=True, exist_ok=True)
    stem = Path(page.file.src_uri).stem
    written: set[str] = set()

    def to_file(m: re.Match) -> str:
        named = _NAME.search(m[1])
        file = f"{named[1]}.png" if named else f"{stem}-{len(written) + 1}.png"
        if file in written:
            raise PluginError(f"{page.file.src_uri}: two figures are named {file!r}")
        written.add(file)
        (dest_dir / file).write_bytes(base64.b64decode("".join(m[2].split())))
        return f'<img{m[1]}src="{file}"'

    return _PNG.sub(to_file, html)


# A run of <style> blocks with nothing but white space between them.
_STYLE_RUN = re.compile(r"<style\b[^>]*>.*?</style>(?:\s*<style\b[^>]*>.*?</style>)*",
                        re.DOTALL | re.IGNORECASE)
_STYLE_BODY = re.compile(r"<style\b[^>]*>(.*?)</style>", re.DOTALL | re.IGNORECASE)
_NOTEBOOK_START = '<div class="jupyter-wrapper">'
STYLESHEET_DIR = "assets/stylesheets"
_CHECKED_SHEETS: set[str] = set()  # named by the hash of their text


def _styles_to_files(html: str, page, config) -> str:
    """Move nbconvert's ``<style>`` blocks into shared style sheets, linked where they stood.

    nbconvert writes its style blocks inside the page's article, just before the notebook's
    ``<div class="jupyter-wrapper">``. Each run of adjacent blocks becomes one file, named by
    the hash of its text, so every example page links the same file and it is written once.
    The file starts with ``@charset "UTF-8"`` (the sheets hold non-ASCII text); the blocks'
    own ``@charset`` rules, ignored inside a ``<style>``, are ignored in the middle of the
    file as well. The sheet is checked by the off-host guard before it is written.
    """
    start = html.find("<article")
    end = html.find(_NOTEBOOK_START, start)
    if start < 0 or end < 0:
        log.warning("%s: no notebook found in the page", page.file.src_uri)
        return html

    def to_link(m: re.Match) -> str:
        css = '@charset "UTF-8";\n' + "\n".join(_STYLE_BODY.findall(m[0]))
        name = f"{STYLESHEET_DIR}/notebook-{hashlib.sha256(css.encode()).hexdigest()[:12]}.css"
        if name not in _CHECKED_SHEETS:  # the guard reads ~590 KB: once per sheet, not page
            remote = find_remote_loads_in_css(css)
            if remote:
                raise PluginError(f"{page.file.src_uri}: nbconvert's style sheet would load "
                                  f"{remote[0].url} from another host")
            _CHECKED_SHEETS.add(name)
        target = Path(config["site_dir"]) / name
        if not target.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(css, encoding="utf-8")
        return f'<link rel="stylesheet" href="{get_relative_url(name, page.url)}">'

    head, styles, tail = html[:start], html[start:end], html[end:]
    styles, n = _STYLE_RUN.subn(to_link, styles)
    if n == 0:
        log.warning("%s: no nbconvert <style> block found", page.file.src_uri)
    return head + styles + tail


_MD_LINK = re.compile(r'href="(?![a-z]+:|/|#)([^"#]+\.md)(#[^"]*)?"')


def on_page_content(html: str, page, config, files, **kwargs) -> str:
    """Turn ``.md`` links in an example's Markdown cells into links to the built pages.

    MkDocs rewrites such links only on Markdown pages; a notebook's HTML is left alone, so
    ``[chapter](../softmax-gradient.md)`` would point at a file that is not in the site.
    A link to a page that does not exist fails the build.
    """
    if not _is_example(page):
        return html

    def fix(m: re.Match) -> str:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page.file.src_uri), m[1]))
        file = files.get_file_from_path(target)
        if file is None:
            raise PluginError(f"{page.file.src_uri}: link to a missing page {m[1]!r}")
        return f'href="{file.url_relative_to(page.file)}{m[2] or ""}"'

    return _MD_LINK.sub(fix, html)


def on_post_page(output: str, page, config, **kwargs) -> str:
    if _is_example(page):
        output, n = _NBCONVERT_MATHJAX.subn("", output)
        if n == 0:
            log.warning("no nbconvert MathJax block found in %s", page.file.src_uri)
        output = _NBCONVERT_MERMAID.sub("", output)
        output = _figures_to_files(output, page)
        output = _styles_to_files(output, page, config)
    remote = find_remote_loads(output)
    if remote:
        found = "\n".join(f"  line {r.line}: {r.what} {r.url}\n    {r.snippet}"
                          for r in remote[:10])
        raise PluginError(
            f"{page.file.src_uri}: the page would load {len(remote)} resource(s) from another "
            f"host:\n{found}"
        )
    return output


def on_post_build(config, **kwargs) -> None:
    import jupytext  # imported here: only builds need it

    docs, site = Path(config["docs_dir"]), Path(config["site_dir"])
    for script in sorted((docs / "examples").glob("*.py")):
        # mkdocs-jupyter copies the script to site/examples/<name>/<name>.py (include_source).
        target_dir = site / "examples" / script.stem
        if not target_dir.is_dir():
            target_dir = site / "examples"
        nb = jupytext.read(script, fmt="py:percent")
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}
        jupytext.write(nb, target_dir / f"{script.stem}.ipynb", fmt="ipynb")
        log.info("wrote %s", target_dir / f"{script.stem}.ipynb")
