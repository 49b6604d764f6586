"""Helpers shared by the test files: gradient-check bounds, IDX and CSV builders, tiny
networks and problems. Import them as ``from tests.conftest import ...`` (``tests`` is a
package, so this ``conftest`` is never confused with ``docs/conftest.py``).

Hypothesis profiles: ``ci`` (the default) is derandomised, so every run draws the same
examples and the README's test command gives the same result on every machine; ``dev``
explores (new random examples each run, many more of them, with the example database)::

    HYPOTHESIS_PROFILE=dev .venv/bin/pytest tests/test_modelfile.py tests/test_data_properties.py

Every failure ``dev`` finds becomes an explicit regression case (``@example``) beside the
property, which sets no ``max_examples`` or ``derandomize`` of its own.
"""

import gzip
import importlib.util
import os
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import settings

from nnscratch.data import PIXEL_COLUMNS
from nnscratch.errors import InputError
from nnscratch.onehot import one_hot

settings.register_profile(
    "ci", derandomize=True, database=None, max_examples=50, deadline=None, print_blob=True,
)
settings.register_profile("dev", max_examples=2000, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# --- gradient-check bounds: the largest relative error allowed against centred differences
# (float64, ε = 1e-6). Each test keeps the bound it always had; the names say why they differ.

ELEMENTWISE_BOUND = 1e-8
"""Elementwise functions (activations, the L2 term): one rounding per entry."""

LAYER_BOUND = 1e-7
"""One layer, softmax, the loss, the checker itself: sums over a row add rounding."""

NETWORK_BOUND = 1e-6
"""A whole network: the errors of every layer add up."""


# --- IDX files ---------------------------------------------------------------------------


def idx_bytes(array: np.ndarray) -> bytes:
    """An unsigned-byte IDX file holding ``array`` (magic 0x0000080<ndim>)."""
    array = np.asarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(n).to_bytes(4, "big") for n in array.shape
    )
    return header + array.tobytes()


class IdxPart:
    """The arrays written into one part (train or t10k) of an IDX folder."""

    def __init__(self, images: np.ndarray, labels: np.ndarray):
        self.images, self.labels = images, labels


def write_idx_folder(folder, prefix, n, gz=False, seed=0, dotted=False, n_labels=None,
                     labels=None, size=(28, 28)) -> IdxPart:
    """Random images and labels as ``{prefix}-images-idx3-ubyte`` and ``-labels-idx1-ubyte``."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, *size), dtype=np.uint8)
    labels = np.array(labels if labels is not None else
                      rng.integers(0, 10, size=n if n_labels is None else n_labels))
    for kind, array in [("images-idx3-ubyte", images), ("labels-idx1-ubyte", labels)]:
        name = f"{prefix}-{kind}".replace("-idx", ".idx" if dotted else "-idx")
        data = idx_bytes(array)
        if gz:
            name, data = name + ".gz", gzip.compress(data)
        (folder / name).write_bytes(data)
    return IdxPart(images, labels)


# --- Kaggle CSVs -------------------------------------------------------------------------

HEADER = ["label", *PIXEL_COLUMNS]
"""The columns of a Kaggle ``train.csv``."""


def make_rows(m: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Random ``(m, 784)`` pixels in 0..255 and ``(m,)`` labels in 0..9."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, size=(m, 784)), rng.integers(0, 10, size=m)


def csv_text(pixels, labels=None, header=None, sep=",", eol="\n") -> str:
    """A Kaggle CSV: ``train.csv`` with ``labels``, ``test.csv`` without."""
    header = header if header is not None else (HEADER if labels is not None else PIXEL_COLUMNS)
    lines = [sep.join(header)]
    for i, row in enumerate(pixels):
        cells = [str(v) for v in row]
        if labels is not None:
            cells = [str(labels[i]), *cells]
        lines.append(sep.join(cells))
    return eol.join(lines) + eol


def write(tmp_path: Path, text: str | bytes, name: str = "train.csv") -> Path:
    """``text`` written to ``tmp_path / name``, gzipped when the name ends in ``.gz``."""
    path = tmp_path / name
    data = text.encode() if isinstance(text, str) else text
    if name.endswith(".gz"):
        data = gzip.compress(data)
    path.write_bytes(data)
    return path


def expected_X(pixels) -> np.ndarray:
    """The ``X`` a reader must return for ``(m, 784)`` pixels: ``pixels.T / 255``, float32."""
    return (np.asarray(pixels, dtype=np.float32) / np.float32(255)).T


def raises_input_error(path, match: str):
    """Assert an InputError whose message starts with the path and matches ``match``."""

    class _Ctx:
        def __enter__(self):
            self.ctx = pytest.raises(InputError, match=match)
            self.info = self.ctx.__enter__()
            return self.info

        def __exit__(self, *exc):
            suppressed = self.ctx.__exit__(*exc)
            assert str(self.info.value).startswith(f"{path}: ")
            assert "\n" not in str(self.info.value)
            return suppressed

    return _Ctx()


# --- tiny networks and problems ----------------------------------------------------------


def tiny_network(sizes, seed=0, m=6):
    """Float64 params with small random biases, inputs ``X`` ``(n_0, m)`` and one-hot ``Y``."""
    rng = np.random.default_rng(seed)
    params = {}
    for l in range(1, len(sizes)):
        params[f"W{l}"] = rng.standard_normal((sizes[l], sizes[l - 1])) * np.sqrt(2 / sizes[l - 1])
        params[f"b{l}"] = rng.standard_normal((sizes[l], 1)) * 0.1
    X = rng.standard_normal((sizes[0], m))
    Y = one_hot(np.arange(m) % sizes[-1], sizes[-1])
    return params, X, Y


def toy(m: int = 200, n: int = 10, seed: int = 0, classes: int = 3):
    """``X`` ``(n, m)`` in [0, 2) and labels ``y`` ``(m,)`` that feature 0 tells apart."""
    rng = np.random.default_rng(seed)
    X, y = rng.random((n, m)), rng.integers(0, classes, m)
    X[0] += y  # learnable
    return X, y


# --- modules that are files, not packages (docs/pagerunner.py, docs/conftest.py) ----------


def load_by_path(name: str, path: Path):
    """Import the file ``path`` as module ``name``, once per session."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up there
        spec.loader.exec_module(module)
    return sys.modules[name]


def ctrl_c_after_epoch(monkeypatch, epoch: int) -> None:
    """Make ``nnscratch.cli``'s ``train`` raise KeyboardInterrupt after ``epoch`` ends (its
    callback has run, so the CLI has the epoch to save), as a Ctrl-C at that moment would."""
    from nnscratch import cli

    real = cli.train

    def train_then_interrupt(*args, callback=None, **kwargs):
        def after_epoch(record, result):
            if callback is not None:
                callback(record, result)
            if record["epoch"] == epoch:
                raise KeyboardInterrupt
        return real(*args, callback=after_epoch, **kwargs)

    monkeypatch.setattr(cli, "train", train_then_interrupt)
