"""Reading a Kaggle "digit-recognizer" CSV (``train.csv``, ``test.csv``, plain or gzipped).

Parsed in chunks of a compact dtype and validated cell by cell on the way in: every problem
becomes one :class:`~nnscratch.errors.InputError` naming the file and, for a bad cell, where.
"""

# --8<-- [start:imports]
import gzip
import io
import os
import warnings
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

import numpy as np
import pandas as pd

from nnscratch.data.dataset import N_PIXELS, Dataset, _check_float_dtype, _scale
from nnscratch.data.download import sha256_file
from nnscratch.data.idx import GZIP_MAGIC
from nnscratch.errors import InputError, as_typed, opening

# --8<-- [end:imports]

# --8<-- [start:constants]
PIXEL_COLUMNS = [f"pixel{j}" for j in range(N_PIXELS)]
"""The pixel column names of a Kaggle CSV, in the order they become rows of ``X``."""

_CHUNK_ROWS = 4096
"""Rows parsed at a time: bounds the memory of the float64 parse buffer to ~25 MB."""
# --8<-- [end:constants]


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
    """Whether ``text`` parses as a number (a header of numbers is a data row)."""
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
    """What is wrong with one cell's value, in words."""
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
class _RowLengths(io.BufferedIOBase):
    """The byte stream pandas reads, counting each data row's comma-separated values.

    pandas does not check a row's length everywhere: with ``index_col=False`` it drops
    what the *first* row has beyond the header (a trailing comma silently, a value with
    only a ``ParserWarning``), and it fills a short row with NaN. So each row's length is
    counted here, on the way in, and the first wrong one kept (``wrong``) for the reader
    to raise in file order. Blank lines are skipped as pandas skips them.
    """

    def __init__(self, f: IO[bytes], fields: int):
        super().__init__()
        self.f, self.fields = f, fields
        self.line, self.row, self.rest = 1, 0, b""  # the header was line 1
        self.wrong: tuple[int, str] | None = None   # (row, what is wrong with it)

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        data = self.f.read(size)
        lines = (self.rest + data).split(b"\n")
        self.rest = lines.pop() if data else b""    # at the end, the last line is whole
        for line in lines if self.wrong is None else ():
            self.line += 1
            line = line.rstrip(b" \t\r")
            if line:
                self.row += 1
                n = line.count(b",") + 1
                if n != self.fields:
                    self.wrong = (self.row, self._says(n, line.endswith(b",")))
                    break
        return data

    read1 = read  # pandas 2.0 reads through io.TextIOWrapper, which calls read1

    def _says(self, n: int, trailing_comma: bool) -> str:
        empty = ", the last one empty (a trailing comma?)" if trailing_comma else ""
        return (f"row {self.row} (line {self.line}) has {n} values{empty}; "
                f"the header names {self.fields} columns")

    def check(self, shown: str, through_row: float = float("inf")) -> None:
        """Raise for the first row of the wrong length, if it is at most ``through_row``."""
        if self.wrong is not None and self.wrong[0] <= through_row:
            raise InputError(shown, self.wrong[1])


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
        rows = _RowLengths(f, len(names))
        try:
            with warnings.catch_warnings():  # pandas' "data lost" warning: a row too long
                warnings.simplefilter("error", pd.errors.ParserWarning)
                chunks = pd.read_csv(
                    rows, header=None, names=names, dtype=np.float64, chunksize=_CHUNK_ROWS,
                    skipinitialspace=True, encoding="utf-8", engine="c", index_col=False,
                )
                for chunk in chunks:
                    values = chunk.to_numpy()
                    rows.check(shown, through_row=first_row + len(values) - 1)
                    _validate_chunk(values, names, first_row, shown)
                    parts.append(values.astype(np.uint8))
                    first_row += len(values)
            rows.check(shown)
        except pd.errors.EmptyDataError:
            rows.check(shown)
        except (pd.errors.ParserError, pd.errors.ParserWarning) as e:
            rows.check(shown)
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
    extra or duplicate columns, a row with more or fewer values than the header names (a
    trailing comma included), a non-numeric or empty cell, a pixel outside 0..255, a
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
    shown = as_typed(path)
    pixels, labels = _read_csv_uint8(path, shown)
    return Dataset(_scale(pixels, dt), labels, shown, sha256_file(path))
# --8<-- [end:read_kaggle_csv]
