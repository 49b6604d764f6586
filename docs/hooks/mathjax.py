"""MkDocs hook: serve MathJax 3 from the site itself, so no page loads it from a CDN.

At the end of every build the whole ``es5/`` tree of MathJax 3 (the fonts and the TeX
extensions that MathJax autoloads on demand live there too) is copied from the installed
``django-static-mathjax`` package into ``site/assets/mathjax/es5/``. Nothing of it is
committed. ``extra_javascript`` in mkdocs.yml then loads ``assets/mathjax/es5/tex-mml-chtml.js``
after ``javascripts/mathjax-config.js``.

This file must not ``import mathjax`` at module level: MkDocs puts this folder first on
``sys.path`` while it loads the hook, and the import would find this file instead.
"""

import logging
import shutil
from importlib import metadata
from pathlib import Path

log = logging.getLogger("mkdocs.hooks.mathjax")

DEST = Path("assets", "mathjax", "es5")
"""Where the tree goes, relative to the site directory."""


def mathjax_es5() -> Path:
    """The ``es5/`` folder of the installed MathJax 3 (package ``django-static-mathjax``)."""
    try:
        dist = metadata.distribution("django-static-mathjax")
        src = Path(str(dist.locate_file("mathjax/static/mathjax/es5")))
    except metadata.PackageNotFoundError as err:
        raise RuntimeError(
            "MathJax is missing: install the docs extra (pip install -e '.[docs]'), "
            "which brings django-static-mathjax"
        ) from err
    if not (src / "tex-mml-chtml.js").is_file():
        raise RuntimeError(f"no MathJax 3 es5 tree at {src}")
    return src


def _copy_if_changed(src: str, dst: str) -> None:
    """Copy one file unless an identical-looking copy (same size and mtime) is there."""
    s, d = Path(src), Path(dst)
    if d.exists():
        ss, ds = s.stat(), d.stat()
        if ss.st_size == ds.st_size and int(ss.st_mtime) == int(ds.st_mtime):
            return
    shutil.copy2(s, d)


def on_post_build(config, **kwargs) -> None:
    src = mathjax_es5()
    dest = Path(config["site_dir"]) / DEST
    shutil.copytree(src, dest, dirs_exist_ok=True, copy_function=_copy_if_changed)
    log.info("MathJax copied from %s to %s", src, dest)
