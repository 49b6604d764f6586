"""Loading handwritten digits into the book's layout: ``X`` is ``(784, m)``, ``y`` is ``(m,)``.

Every loader here returns a :class:`Dataset`. Column ``i`` of ``X`` is the ``i``-th image,
its 28x28 pixels flattened row by row into 784 numbers and scaled from the integers
``0..255`` to ``[0, 1]``; ``y[i]`` is its label ``0..9``. Three sources are understood:

* the **sample** packaged with ``nnscratch``: 10,000 real MNIST digits (:func:`load_sample`);
* a **Kaggle CSV** ("digit-recognizer"): ``train.csv`` with a ``label`` column and
  ``pixel0..pixel783``, or ``test.csv`` with the pixels only (:func:`read_kaggle_csv`);
* an **IDX folder** as distributed for MNIST and Fashion-MNIST (:func:`read_idx_folder`).

:func:`load` picks the right one from a single string, as the command line does, and
:func:`train_test_split` holds out part of a dataset for testing. Files that cannot be
read raise :class:`~nnscratch.errors.InputError` with a one-line message naming the file.
"""

# --8<-- [start:imports]
import dataclasses
import functools
import gzip
import hashlib
import os
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from typing import IO

import numpy as np
import pandas as pd

from nnscratch import download
from nnscratch.download import sha256_file
from nnscratch.errors import InputError, opening
from nnscratch.idx import GZIP_MAGIC, read_idx_with_sha256

# --8<-- [end:imports]

# --8<-- [start:constants]
N_PIXELS = 784
"""28 * 28 pixels per image, i.e. the number of rows of ``X``."""

PIXEL_COLUMNS = [f"pixel{j}" for j in range(N_PIXELS)]
"""The pixel column names of a Kaggle CSV, in the order they become rows of ``X``."""

SAMPLE_SHA256 = "af9fe47f8ef747122a87c3cbf98c1f6adfccc4237a5de720907db84aea43ad05"
"""SHA-256 of the packaged ``data/mnist10k.csv.gz`` (see ``data/PROVENANCE.md``)."""

_CHUNK_ROWS = 4096
"""Rows parsed at a time: bounds the memory of the float64 parse buffer to ~25 MB."""
# --8<-- [end:constants]


# --8<-- [start:dataset]
@dataclass(frozen=True, eq=False)
class Dataset:
    """Images and labels in the book's layout, plus where they came from.

    ``X`` is ``(784, m)`` (float32 unless another float dtype was asked for) with values
    in ``[0, 1]``, one column per example; ``y`` is ``(m,)`` int64 labels ``0..9``, or
    ``None`` for an unlabelled file such as Kaggle's ``test.csv``. ``source`` is the path
    as given (or ``"sample"``, or a dataset name like ``"mnist"``) and ``sha256`` the
    checksum of the bytes read, so a result can always be traced to its exact input.

    >>> d = Dataset(np.zeros((784, 2), np.float32), np.array([3, 1]), "two.csv", "0" * 64)
    >>> d.m
    2
    >>> d
    Dataset(source='two.csv', X=(784, 2) float32, y=(2,) int64, sha256='000000000000…')
    """

    X: np.ndarray
    y: np.ndarray | None
    source: str
    sha256: str

    @property
    def m(self) -> int:
        """The number of examples, ``X.shape[1]``."""
        return self.X.shape[1]

    def __repr__(self) -> str:
        y = "None" if self.y is None else f"{self.y.shape} {self.y.dtype}"
        return (
            f"Dataset(source={self.source!r}, X={self.X.shape} {self.X.dtype}, y={y}, "
            f"sha256='{self.sha256[:12]}…')"
        )
# --8<-- [end:dataset]


# --8<-- [start:scale]
def _check_float_dtype(dtype: type | np.dtype) -> np.dtype:
    dt = np.dtype(dtype)
    if dt.kind != "f":
        raise ValueError(f"dtype must be a floating point type such as np.float32, got {dt}")
    return dt


def _scale(pixels: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """``(m, 784)`` uint8 pixels to the ``(784, m)`` C-contiguous matrix ``pixels.T / 255``.

    The transpose is done once, while converting, and the division is in place, so
    the only large array allocated is the result itself.

    >>> _scale(np.array([[0, 51, 255]], dtype=np.uint8), np.dtype(np.float32))
    array([[0. ],
           [0.2],
           [1. ]], dtype=float32)
    """
    X = np.ascontiguousarray(pixels.T, dtype=dtype)
    X /= 255
    return X
# --8<-- [end:scale]


# ---------------------------------------------------------------------------------------
# Kaggle CSV
# ---------------------------------------------------------------------------------------


# --8<-- [start:open_text_bytes]
@contextmanager
def _open_text_bytes(path: str | os.PathLike, shown: str) -> Iterator[IO[bytes]]:
    """Open ``path`` for reading bytes, transparently gunzipping when it is a gzip file."""
    with opening(shown, "CSV file"):
        f = open(path, "rb")  # closed in the finally below
    try:
        magic = f.read(2)
        f.seek(0)
        if magic == GZIP_MAGIC:
            with gzip.GzipFile(fileobj=f, mode="rb") as g:
                yield g
        elif os.fspath(path).endswith(".gz") and magic:
            raise InputError(shown, "not a valid gzip file (it does not start with 1f 8b)")
        else:
            yield f
    finally:
        f.close()
# --8<-- [end:open_text_bytes]


# --8<-- [start:header]
def _parse_header(line: bytes, shown: str) -> list[str]:
    """Column names from the header line: BOM, quotes, whitespace and CR stripped."""
    if b"\x00" in line:
        raise InputError(shown, "not a text file (it contains NUL bytes)")
    try:
        text = line.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(shown, "not a text file (the first line is not valid UTF-8)") from None
    names = [name.strip().strip('"').strip() for name in text.rstrip("\r\n").split(",")]
    if all(_looks_numeric(n) for n in names):
        raise InputError(
            shown, "no header row: the first line should name the columns "
            "(label,pixel0,...,pixel783 or pixel0,...,pixel783)"
        )
    return names


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _list_some(names: list[str], limit: int = 3) -> str:
    """``"a, b, c and 12 more"``: a few names for a one-line message."""
    shown = ", ".join(names[:limit])
    return shown if len(names) <= limit else f"{shown} and {len(names) - limit} more"


def _check_columns(names: list[str], shown: str) -> bool:
    """Validate the header; return whether it has a ``label`` column (train vs test file)."""
    duplicates = [n for n, count in Counter(names).items() if count > 1]
    if duplicates:
        raise InputError(shown, f"duplicate columns: {_list_some(duplicates)}")
    known = set(PIXEL_COLUMNS) | {"label"}
    unknown = [n if n else "(empty name)" for n in names if n not in known]
    if unknown:
        raise InputError(
            shown, f"unknown columns: {_list_some(unknown)} "
            "(expected label and pixel0..pixel783)"
        )
    missing = [c for c in PIXEL_COLUMNS if c not in set(names)]
    if missing:
        raise InputError(shown, f"missing columns: {_list_some(missing)}")
    return "label" in names
# --8<-- [end:header]


# --8<-- [start:validate_chunk]
def _describe_cell(value: float, column: str) -> str:
    if np.isnan(value):
        return "empty or missing value"
    if column == "label":
        if not 0 <= value <= 9:
            return f"label {value:g} is outside 0..9"
        return f"label {value:g} is not a whole number"
    if not 0 <= value <= 255:
        return f"pixel value {value:g} is outside 0..255"
    return f"pixel value {value:g} is not a whole number"


def _validate_chunk(values: np.ndarray, names: list[str], first_row: int, shown: str) -> None:
    """Raise for the first cell (row-major order) that is not a whole number in range.

    Labels must lie in ``0..9`` and pixels in ``0..255``. NaN fails every comparison, so
    one mask catches empty cells, out-of-range values and fractions together.
    """
    hi = np.array([9.0 if n == "label" else 255.0 for n in names])
    ok = (values >= 0) & (values <= hi) & (values == np.round(values))
    if ok.all():
        return
    r, c = np.argwhere(~ok)[0]
    row = first_row + int(r)
    raise InputError(
        shown, f"row {row} (line {row + 1}), column {names[c]}: "
        f"{_describe_cell(float(values[r, c]), names[c])}"
    )
# --8<-- [end:validate_chunk]


# --8<-- [start:first_non_numeric]
def _first_non_numeric(
    path: str | os.PathLike, names: list[str], shown: str
) -> InputError | None:
    """Find the first cell pandas could not read as a number (slow path, errors only).

    Returns the error to raise, or ``None`` if the re-read finds no such cell (or fails
    in another way, e.g. on a gzip stream that is also corrupt further on).
    """
    try:
        with _open_text_bytes(path, shown) as f:
            f.readline()
            chunks = pd.read_csv(
                f, header=None, names=names, dtype=str, chunksize=_CHUNK_ROWS,
                skipinitialspace=True, encoding="utf-8", engine="c", index_col=False,
            )
            first_row = 1
            for chunk in chunks:
                # One flat Series of all cells (row-major), converted in one call.
                cells = pd.Series(chunk.to_numpy(dtype=object).ravel(), dtype=object)
                numeric = pd.to_numeric(cells.str.strip(), errors="coerce")
                bad = (numeric.isna() & cells.notna()).to_numpy().reshape(chunk.shape)
                if bad.any():
                    r, c = np.argwhere(bad)[0]
                    row = first_row + int(r)
                    cell = str(chunk.iat[r, c])[:20]
                    return InputError(
                        shown, f"row {row} (line {row + 1}), column {names[c]}: "
                        f"{cell!r} is not a number"
                    )
                first_row += len(chunk)
    except (pd.errors.ParserError, ValueError, EOFError, zlib.error, OSError):
        return None
    return None
# --8<-- [end:first_non_numeric]


# --8<-- [start:read_csv_uint8]
def _read_csv_uint8(
    path: str | os.PathLike, shown: str
) -> tuple[np.ndarray, np.ndarray | None]:
    """Parse and validate a Kaggle CSV into ``(m, 784)`` uint8 pixels and ``(m,)`` labels.

    Memory is the point here. A 42,000-row ``train.csv`` has 33 million cells; parsed
    whole as int64 (pandas' default) that is 264 MB before any copy. Instead we parse
    ``_CHUNK_ROWS`` rows at a time as float64, check them, and keep each chunk as uint8
    (1 byte per cell), so the data is held compactly and validated on the way in.
    """
    with _open_text_bytes(path, shown) as f:
        try:
            header = f.readline()
        except (EOFError, OSError, zlib.error) as e:
            raise InputError(shown, f"not a valid gzip file ({e or 'truncated'})") from None
        if not header.strip(b"\xef\xbb\xbf \t\r\n"):
            raise InputError(shown, "the file is empty")
        names = _parse_header(header, shown)
        has_label = _check_columns(names, shown)
        parts: list[np.ndarray] = []
        first_row = 1
        try:
            chunks = pd.read_csv(
                f, header=None, names=names, dtype=np.float64, chunksize=_CHUNK_ROWS,
                skipinitialspace=True, encoding="utf-8", engine="c", index_col=False,
            )
            for chunk in chunks:
                values = chunk.to_numpy()
                _validate_chunk(values, names, first_row, shown)
                parts.append(values.astype(np.uint8))
                first_row += len(values)
        except pd.errors.EmptyDataError:
            pass  # nothing after the header; reported below
        except pd.errors.ParserError as e:
            raise InputError(shown, f"malformed CSV: {str(e).strip()}") from None
        except UnicodeDecodeError:
            raise InputError(shown, "not a text file (it is not valid UTF-8)") from None
        except (EOFError, zlib.error, gzip.BadGzipFile) as e:
            raise InputError(shown, f"not a valid gzip file ({e or 'truncated'})") from None
        except ValueError as e:
            # A cell that is not a number at all; re-read as text to say which one.
            found = _first_non_numeric(path, names, shown)
            raise (found or InputError(shown, f"cannot read numbers: {e}")) from None
        except OSError as e:
            raise InputError(shown, f"cannot read: {e}") from None
    if not parts or first_row == 1:
        raise InputError(shown, "the file has a header but no data rows")
    table = np.concatenate(parts) if len(parts) > 1 else parts[0]
    del parts
    # Reorder the pixel columns by name: columns may come in any order in the file.
    pixels = table[:, [names.index(c) for c in PIXEL_COLUMNS]]
    labels = table[:, names.index("label")].astype(np.int64) if has_label else None
    return pixels, labels
# --8<-- [end:read_csv_uint8]


# --8<-- [start:read_kaggle_csv]
def read_kaggle_csv(path: str | os.PathLike, dtype: type = np.float32) -> Dataset:
    """Read a Kaggle "digit-recognizer" CSV (plain or ``.gz``) into a :class:`Dataset`.

    The header names the columns: ``label,pixel0,...,pixel783`` for ``train.csv`` or
    ``pixel0,...,pixel783`` for the unlabelled ``test.csv`` (then ``y`` is ``None``).
    Each row is one image. Columns may come in any order; they are matched by name.
    A UTF-8 byte-order mark, CRLF line ends, spaces around values, quoted numbers and
    whole numbers written as floats (``12.0``) are all accepted. Anything else (missing,
    extra or duplicate columns, a non-numeric or empty cell, a pixel outside 0..255, a
    label outside 0..9, a fraction, a corrupt gzip, a binary file) raises
    :class:`~nnscratch.errors.InputError` saying what is wrong and, for a bad cell, where.

    Returns ``X`` of shape ``(784, m)``, C-contiguous, ``pixels / 255`` in ``dtype``,
    and ``y`` of shape ``(m,)`` int64.

    >>> import tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "train.csv"
    >>> header = "label," + ",".join(PIXEL_COLUMNS)
    >>> rows = ["7," + ",".join(["0"] * 783 + ["255"]), "2," + ",".join(["51"] * 784)]
    >>> _ = path.write_text("\\n".join([header, *rows]) + "\\n")
    >>> d = read_kaggle_csv(path)
    >>> d.X.shape, d.y
    ((784, 2), array([7, 2]))
    >>> d.X[-1]                                    # the last pixel of both images
    array([1. , 0.2], dtype=float32)
    >>> _ = path.write_text(header + "\\n")
    >>> read_kaggle_csv(path)                       # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    nnscratch.errors.InputError: .../train.csv: the file has a header but no data rows
    """
    dt = _check_float_dtype(dtype)
    shown = os.fspath(path) if isinstance(path, os.PathLike) else str(path)
    pixels, labels = _read_csv_uint8(path, shown)
    return Dataset(_scale(pixels, dt), labels, shown, sha256_file(path))
# --8<-- [end:read_kaggle_csv]


# ---------------------------------------------------------------------------------------
# The packaged sample
# ---------------------------------------------------------------------------------------


# --8<-- [start:sample]
@functools.lru_cache(maxsize=4)
def _sample_arrays(dtype_name: str) -> tuple[np.ndarray, np.ndarray, str]:
    """Parse the packaged sample once per dtype; the arrays are frozen read-only."""
    resource = resources.files("nnscratch") / "data" / "mnist10k.csv.gz"
    with resources.as_file(resource) as path:
        digest = sha256_file(path)
        if digest != SAMPLE_SHA256:
            raise InputError(
                "sample", f"the packaged mnist10k.csv.gz is damaged (sha256 {digest}, "
                f"expected {SAMPLE_SHA256}); reinstall nnscratch"
            )
        pixels, labels = _read_csv_uint8(path, "sample")
    X = _scale(pixels, np.dtype(dtype_name))
    assert labels is not None  # the sample is a train.csv
    X.setflags(write=False)
    labels.setflags(write=False)
    return X, labels, digest


def load_sample(dtype: type = np.float32) -> Dataset:
    """The 10,000 MNIST digits in the package: ``X`` is ``(784, 10000)``, ``y`` ``(10000,)``.

    The file (``nnscratch/data/mnist10k.csv.gz``, described in ``PROVENANCE.md`` beside
    it) is found with :mod:`importlib.resources`, so this works from an installed wheel.
    It is parsed once per process; every call returns fresh copies, so changing the
    arrays you get back cannot change what the next caller sees.

    >>> d = load_sample()
    >>> d.X.shape, d.X.dtype, d.y[:10]
    ((784, 10000), dtype('float32'), array([3, 8, 1, 0, 4, 0, 9, 3, 4, 9]))
    >>> d.source, float(d.X.min()), float(d.X.max())
    ('sample', 0.0, 1.0)
    """
    dt = _check_float_dtype(dtype)
    X, y, digest = _sample_arrays(dt.name)
    return Dataset(X.copy(), y.copy(), "sample", digest)
# --8<-- [end:sample]


# ---------------------------------------------------------------------------------------
# IDX folders (MNIST, Fashion-MNIST)
# ---------------------------------------------------------------------------------------

# --8<-- [start:read_idx_folder]
_IDX_PREFIX = {"train": "train", "test": "t10k"}


def _find_idx_file(folder: str, prefix: str, kind: str) -> str | None:
    """The first existing spelling of e.g. ``train-images-idx3-ubyte`` in ``folder``.

    The official name, then the gzipped one, then the dotted variant some copies use
    (``train-images.idx3-ubyte``). Returns the path as ``folder`` + name, or ``None``.
    """
    stem = f"{prefix}-{kind}"
    dotted = stem.replace("-idx", ".idx")
    for name in (stem, f"{stem}.gz", dotted, f"{dotted}.gz"):
        candidate = os.path.join(folder, name)
        if os.path.isfile(candidate):
            return candidate
    return None


def read_idx_folder(
    path: str | os.PathLike, part: str = "train", dtype: type = np.float32
) -> Dataset:
    """Read the images and labels of one part of an MNIST-style IDX folder.

    ``part="train"`` reads ``train-images-idx3-ubyte`` and ``train-labels-idx1-ubyte``,
    ``part="test"`` the ``t10k-`` pair; each may also be gzipped (``.gz``). Images
    ``(n, 28, 28)`` uint8 become ``X`` ``(784, n)`` = ``pixels / 255``; labels ``(n,)``
    become ``y`` int64. ``sha256`` is the SHA-256 of the two files' own SHA-256 hex
    digests concatenated, images first, as ASCII: one checksum for the pair.

    >>> import struct, tempfile
    >>> from pathlib import Path
    >>> folder = tempfile.mkdtemp()
    >>> images = struct.pack(">IIII", 0x803, 2, 28, 28) + bytes(range(2)) * 784
    >>> labels = struct.pack(">II", 0x801, 2) + bytes([4, 9])
    >>> for name, data in [("t10k-images-idx3-ubyte", images), ("t10k-labels-idx1-ubyte", labels)]:
    ...     _ = (Path(folder) / name).write_bytes(data)
    >>> d = read_idx_folder(folder, part="test")
    >>> d.X.shape, d.y, d.X[:2, 0]
    ((784, 2), array([4, 9]), array([0.        , 0.00392157], dtype=float32))
    >>> read_idx_folder(folder)                    # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    nnscratch.errors.InputError: ...: missing train-images-idx3-ubyte (or ...gz)
    """
    dt = _check_float_dtype(dtype)
    shown = os.fspath(path) if isinstance(path, os.PathLike) else str(path)
    if part not in _IDX_PREFIX:
        raise ValueError(f"part must be 'train' or 'test', got {part!r}")
    if not os.path.exists(shown):
        raise InputError(shown, "no such file or directory")
    if not os.path.isdir(shown):
        raise InputError(shown, "not a directory (expected a folder of IDX files)")
    prefix = _IDX_PREFIX[part]
    found = {}
    for kind in ("images-idx3-ubyte", "labels-idx1-ubyte"):
        file = _find_idx_file(shown, prefix, kind)
        if file is None:
            name = f"{prefix}-{kind}"
            raise InputError(shown, f"missing {name} (or {name}.gz)")
        found[kind] = file
    images_path, labels_path = found["images-idx3-ubyte"], found["labels-idx1-ubyte"]
    images, images_sha = read_idx_with_sha256(images_path)
    labels, labels_sha = read_idx_with_sha256(labels_path)
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise InputError(images_path, f"expected images of shape (n, 28, 28), got {images.shape}")
    if labels.ndim != 1:
        raise InputError(labels_path, f"expected labels of shape (n,), got {labels.shape}")
    if len(images) != len(labels):
        raise InputError(
            shown, f"{len(images)} images in {os.path.basename(images_path)} but "
            f"{len(labels)} labels in {os.path.basename(labels_path)}"
        )
    if labels.size and labels.max() > 9:
        i = int(np.argmax(labels > 9))
        raise InputError(labels_path, f"label {labels[i]} at index {i} is outside 0..9")
    X = _scale(images.reshape(len(images), N_PIXELS), dt)
    digest = hashlib.sha256((images_sha + labels_sha).encode("ascii")).hexdigest()
    return Dataset(X, labels.astype(np.int64), shown, digest)
# --8<-- [end:read_idx_folder]


# ---------------------------------------------------------------------------------------
# One entry point
# ---------------------------------------------------------------------------------------


# --8<-- [start:load]
def load(
    spec: str | os.PathLike | None, part: str = "train", dtype: type = np.float32
) -> Dataset:
    """Load whatever ``spec`` names: the sample, a CSV, an IDX folder or a downloaded dataset.

    The rules, in order:

    1. an existing **path** always wins: a directory is read with :func:`read_idx_folder`
       (``part`` chooses train or test), a file with :func:`read_kaggle_csv`;
    2. ``None`` or ``"sample"`` is the packaged sample (:func:`load_sample`);
    3. a dataset **name** from ``nnscratch.download.DATASETS`` (``"mnist"``,
       ``"fashion-mnist"``) is read from its download folder, ``cache_dir() / name``;
       if it is not there yet, the error says to run ``nnscratch download NAME``;
    4. anything else is ``InputError(spec, "no such file or directory")``.

    ``part`` only matters for IDX folders and dataset names; a CSV or the sample is one
    single part (split it with :func:`train_test_split`).

    >>> load("sample").X.shape
    (784, 10000)
    >>> load("no/such/train.csv")
    Traceback (most recent call last):
    ...
    nnscratch.errors.InputError: no/such/train.csv: no such file or directory
    """
    if spec is not None:
        shown = os.fspath(spec) if isinstance(spec, os.PathLike) else str(spec)
        if os.path.isdir(shown):
            return read_idx_folder(shown, part, dtype)
        if os.path.exists(shown):
            return read_kaggle_csv(shown, dtype)
    if spec is None or shown == "sample":
        return load_sample(dtype)
    name = shown.lower()
    if name in download.DATASETS:
        folder = download.cache_dir() / name
        if not download.is_downloaded(name, folder):
            raise InputError(
                shown, f"dataset not downloaded yet; run `nnscratch download {name}` "
                f"(it will be saved in {folder})"
            )
        return dataclasses.replace(read_idx_folder(folder, part, dtype), source=name)
    raise InputError(shown, "no such file or directory")
# --8<-- [end:load]


# --8<-- [start:train_test_split]
def train_test_split(
    X: np.ndarray, y: np.ndarray | None, test_fraction: float = 0.3, seed: int = 0
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray, np.ndarray | None]:
    """Shuffle the ``m`` columns of ``X`` ``(n, m)`` and the labels ``y`` ``(m,)``, then split.

    The permutation is ``np.random.default_rng(seed).permutation(m)``; its first
    ``round(test_fraction * m)`` entries are the test examples, the rest the training
    examples. The same ``seed`` always gives the same split, and the inputs are not
    modified. Returns ``(X_train, y_train, X_test, y_test)``; ``y`` may be ``None``.

    >>> X = np.arange(10).reshape(2, 5)        # 5 examples with 2 features each
    >>> y = np.array([0, 1, 2, 3, 4])
    >>> np.random.default_rng(0).permutation(5)
    array([2, 4, 3, 0, 1])
    >>> X_train, y_train, X_test, y_test = train_test_split(X, y, test_fraction=0.4)
    >>> X_test, y_test                          # round(0.4 * 5) = 2 columns: 2 and 4
    (array([[2, 4],
           [7, 9]]), array([2, 4]))
    >>> y_train
    array([3, 0, 1])
    >>> train_test_split(X, y, test_fraction=0)[2].shape
    (2, 0)
    """
    if not 0 <= test_fraction <= 1:
        raise ValueError(f"test_fraction must lie in [0, 1], got {test_fraction}")
    m = X.shape[1]
    if y is not None and y.shape != (m,):
        raise ValueError(f"y must have shape ({m},) to match X {X.shape}, got {y.shape}")
    order = np.random.default_rng(seed).permutation(m)
    n_test = round(test_fraction * m)
    test, train = order[:n_test], order[n_test:]
    return (
        X[:, train], None if y is None else y[train],
        X[:, test], None if y is None else y[test],
    )
# --8<-- [end:train_test_split]
