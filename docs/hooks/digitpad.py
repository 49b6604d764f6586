"""MkDocs hook for the digit pad (``docs/digit-pad.md``): the model the page runs, made by the
library itself during the build.

1. ``on_files``: the model is trained by nnscratch's own command line, ``nnscratch train``
   with :data:`RECIPE` (fixed seeds, one BLAS thread), and scored by ``nnscratch evaluate
   --json`` on the digits the training held out; below :data:`MIN_ACCURACY` the build fails.
   Both commands run in this process through ``nnscratch.cli.main``, so the model file is
   exactly what the command line writes. The model file and its export for the page
   (``nnscratch.export.model_to_js``: float32, base64, a ``.js`` file the page loads with
   ``<script src>``) are cached in ``.cache/digit-pad/<key>/``, ``key`` being the SHA-256 of
   the imported library's files (source and packaged data), the recipe and the NumPy
   version: ``mkdocs serve`` reloads and later builds reuse them, a change to the library
   trains again. Nothing is written into ``docs/`` and nothing is committed; the two files
   join the site as :data:`MODEL_URI` and :data:`WEIGHTS_URI`.
2. ``on_page_markdown``: the page must show the recipe's command exactly as it is run.
3. ``on_page_content``: the page's ``<span data-digit-pad="accuracy"></span>`` (and
   ``"held-out"``) become the measured numbers, with their source in a ``title``; every
   ``<script src>`` of the page must name a file of the site.
"""

import contextlib
import hashlib
import io
import json
import logging
import os
import posixpath
import re
import shutil
import tempfile
import time
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

log = logging.getLogger("mkdocs.hooks.digitpad")

PAGE = "digit-pad.md"
MODEL_URI = "models/digit-pad.npz"
WEIGHTS_URI = "models/digit-pad.js"
MODEL_NAME = posixpath.basename(MODEL_URI)
#: ``nnscratch train``'s arguments (without ``--out``): the library's default network and
#: optimizer, 784-256-128-10 with ReLU and Adam, written out; one BLAS thread is fastest
#: on a busy machine and gives the same model from run to run.
RECIPE = (
    "--data", "sample", "--test-fraction", "0.3", "--split-seed", "0",
    "--layers", "256,128", "--activation", "relu", "--optimizer", "adam",
    "--epochs", "20", "--batch-size", "64", "--seed", "0", "--threads", "1",
)
COMMAND = f"nnscratch train {' '.join(RECIPE)} --out {MODEL_NAME}"
"""The command the page shows, which a reader can run to get the same model file."""
MIN_ACCURACY = 0.95
CACHE = Path(".cache", "digit-pad")

_model: dict = {}
"""This build's model: ``{"key", "dir", "evaluation"}`` (kept across ``mkdocs serve`` reloads)."""


def cache_key() -> str:
    """SHA-256 of the library's files, the recipe and the NumPy version."""
    import numpy

    import nnscratch

    h = hashlib.sha256(json.dumps([RECIPE, numpy.__version__]).encode())
    package = Path(nnscratch.__file__).parent
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            h.update(path.relative_to(package).as_posix().encode() + b"\0")
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def _cli(*argv: str) -> str:
    """Run ``nnscratch *argv`` in this process; return its stdout, fail the build on error."""
    from nnscratch.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    if code != 0:
        raise PluginError(f"nnscratch {' '.join(argv)} exited with {code}:\n{err.getvalue()}")
    return out.getvalue()


def _make(folder: Path) -> None:
    """Train, evaluate and export into ``folder``: the three files of a cache entry."""
    from nnscratch.export import model_to_js
    from nnscratch.modelfile import load_model

    model = folder / MODEL_NAME
    t0 = time.perf_counter()
    log.info("digit pad: %s", _cli("train", *RECIPE, "--out", str(model)).strip().replace(
        "\n", "; "))
    evaluation = json.loads(_cli("evaluate", "--model", str(model), "--json"))
    params, meta = load_model(model)
    page_meta = {
        "activation": meta["activation"], "alpha": meta["alpha"],
        "input_scaling": meta["input_scaling"], "layer_sizes": meta["layer_sizes"],
        "library_version": meta["library_version"], "model_file": MODEL_NAME,
        "model_sha256": hashlib.sha256(model.read_bytes()).hexdigest(), "command": COMMAND,
    }
    (folder / posixpath.basename(WEIGHTS_URI)).write_text(model_to_js(params, page_meta))
    (folder / "evaluation.json").write_text(json.dumps(evaluation))
    log.info("digit pad: model made in %.1f s", time.perf_counter() - t0)


def ensure_model(root: Path) -> dict:
    """The cache entry for this library and recipe, made first if there is none."""
    key = cache_key()
    if _model.get("key") == key:
        return _model
    cache = root / CACHE
    folder = cache / key
    if not (folder / "evaluation.json").is_file():
        cache.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix="tmp-", dir=cache))
        try:
            _make(tmp)
            os.replace(tmp, folder)
        except OSError:
            if not (folder / "evaluation.json").is_file():  # not made by a parallel build
                raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        for old in cache.iterdir():  # entries of earlier versions of the library
            if re.fullmatch(r"[0-9a-f]{64}", old.name) and old.name != key:
                shutil.rmtree(old, ignore_errors=True)
    else:
        log.info("digit pad: model from the cache (%s)", folder)
    evaluation = json.loads((folder / "evaluation.json").read_text())
    if evaluation["accuracy"] < MIN_ACCURACY:
        raise PluginError(f"the digit pad's model reaches only {evaluation['accuracy']:.4f} "
                          f"on {evaluation['data']} (at least {MIN_ACCURACY} wanted)")
    _model.update(key=key, dir=folder, evaluation=evaluation)
    return _model


def on_files(files, config, **kwargs):
    model = ensure_model(Path(config["config_file_path"]).parent)
    for uri in (MODEL_URI, WEIGHTS_URI):
        path = model["dir"] / posixpath.basename(uri)
        files.append(File.generated(config, uri, abs_src_path=str(path)))
    return files


def on_page_markdown(markdown: str, page, config, files, **kwargs) -> str:
    if page.file.src_uri == PAGE and COMMAND not in markdown:
        raise PluginError(f"{PAGE} must show the command that makes its model:\n  {COMMAND}")
    return markdown


_SCRIPT_SRC = re.compile(r'<script\b[^>]*\bsrc="([^"]+)"')


def on_page_content(html: str, page, config, files, **kwargs) -> str:
    if page.file.src_uri != PAGE:
        return html
    ev = _model["evaluation"]
    correct = round(ev["accuracy"] * ev["n"])
    source = (f"nnscratch evaluate --model {MODEL_NAME}: {correct} of {ev['n']} digits right, "
              f"{ev['data']}")
    rendered = {
        # class nn-value: a measured value with its source, like those of docs/hooks/values.py.
        "accuracy": f'<span class="nn-value" data-digit-pad="accuracy" '
                    f'data-source="{MODEL_NAME}" title="{source}">'
                    f"{100 * ev['accuracy']:.1f}%</span>",
        "held-out": f'<span class="nn-value" data-digit-pad="held-out" '
                    f'data-source="{MODEL_NAME}" title="{source}">{ev["n"]:,}</span>',
    }
    for name, value in rendered.items():
        html, n = re.subn(rf'<span data-digit-pad="{name}"></span>', value, html)
        if n == 0:
            raise PluginError(f'{PAGE}: no <span data-digit-pad="{name}"></span> to fill in')
    urls = {f.url for f in files}
    for src in _SCRIPT_SRC.findall(html):
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page.url + "x"), src))
        if target not in urls:
            raise PluginError(f"{PAGE}: <script src={src!r}> names no file of the site")
    return html
