"""Property tests: whatever bytes the readers are given, they either load them correctly
or raise InputError naming the file. No other exception may escape.

For CSVs we build a file from a random small table (1-5 rows) and apply random edits whose
effect an *oracle* knows: a cell token that is valid has a known value, an invalid one must
be rejected; column order, BOM, CRLF, gzip and quoting must not change the result. Other
inputs (random bytes, truncations, arbitrary text cells) have no oracle: there we only
require "loads with sane shapes, or InputError naming the file".
"""

import gzip
import struct

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnscratch.data import PIXEL_COLUMNS, read_kaggle_csv
from nnscratch.data.idx import read_idx
from nnscratch.errors import InputError
from tests.conftest import idx_bytes

# How many examples, and whether they are derandomised: tests/conftest.py's profile.
SETTINGS = settings(suppress_health_check=[HealthCheck.too_slow])

# Tokens whose meaning is certain: value (a whole number) or None (must be rejected).
VALID_TOKENS = {
    "0": 0, "7": 7, "255": 255, " 7": 7, "7 ": 7, "  9  ": 9, '"7"': 7, '"255"': 255,
    "7.0": 7, "9.000": 9, "07": 7, "1e2": 100, "2.55e2": 255, "0.0": 0,
}
INVALID_TOKENS = [
    "12.5", "0.1", "-1", "256", "1000", "1e400", "9" * 25, "-0.5", "abc", "x1", "", "nan",
    "NA", "0x10", "one", "inf", "-inf", '"12.5"', "#",
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("props")


def must_load_or_input_error(read, path):
    """Call ``read(path)``; return the result, or None after checking an InputError."""
    try:
        return read(path)
    except InputError as e:
        assert str(e).startswith(f"{path}: "), str(e)
        assert "\n" not in str(e)
        return None


def build_csv(table, names, *, bom, crlf, quote_all, pad) -> bytes:
    rows = [",".join(names)] + [",".join(r) for r in table]
    if quote_all:
        rows = [",".join(f'"{c}"' if '"' not in c else c for c in r.split(",")) for r in rows]
    if pad:
        rows = [",".join(f" {c} " for c in r.split(",")) for r in rows]
    text = ("\r\n" if crlf else "\n").join(rows) + ("\r\n" if crlf else "\n")
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode()


@st.composite
def csv_case(draw):
    """A CSV file's bytes plus what reading it must give (or None: must be rejected)."""
    m = draw(st.integers(1, 5))
    labelled = draw(st.booleans())
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 256, size=(m, 784))
    labels = rng.integers(0, 10, size=m)
    names = (["label"] if labelled else []) + list(PIXEL_COLUMNS)
    values = np.column_stack([labels, pixels]) if labelled else pixels.copy()
    cells = [[str(v) for v in row] for row in values]
    # Edits to cells with a known outcome; the last edit of a cell wins.
    edits = {}
    for _ in range(draw(st.integers(0, 3))):
        r = draw(st.integers(0, m - 1))
        c = draw(st.integers(0, len(names) - 1))
        pool = sorted(VALID_TOKENS) if draw(st.booleans()) else INVALID_TOKENS
        edits[r, c] = draw(st.sampled_from(pool))
    # Column edits: shuffle (harmless), drop, duplicate or add one.
    order = list(range(len(names)))
    if draw(st.booleans()):
        order = list(np.random.default_rng(seed + 1).permutation(len(names)))
    column_edit = draw(st.sampled_from(["none", "none", "drop", "duplicate", "extra"]))
    valid, dropped = True, None
    if column_edit == "drop":
        dropped = order.pop(draw(st.integers(0, len(order) - 1)))
        if names[dropped] == "label":
            labelled = False  # dropping the label leaves a valid unlabelled file
        else:
            valid = False
    for (r, c), token in edits.items():
        cells[r][c] = token
        if c == dropped:
            continue
        if token in VALID_TOKENS:
            values[r, c] = VALID_TOKENS[token]
            valid &= not (names[c] == "label" and VALID_TOKENS[token] > 9)
        else:
            valid = False
    header = [names[j] for j in order]
    table = [[row[j] for j in order] for row in cells]
    if column_edit in ("duplicate", "extra"):
        name = header[0] if column_edit == "duplicate" else draw(
            st.sampled_from(["id", "pixel784", "Label", "pixel-1", "x"]))
        header.append(name)
        for row in table:
            row.append("0")
        valid = False
    data = build_csv(table, header, bom=draw(st.booleans()), crlf=draw(st.booleans()),
                     quote_all=draw(st.booleans()), pad=draw(st.booleans()))
    gz = draw(st.booleans())
    if gz:
        data = gzip.compress(data)
    expected = None
    if valid:
        pix = values[:, 1:] if "label" in names else values
        lab = values[:, 0] if labelled else None
        expected = ((pix.astype(np.float32) / np.float32(255)).T, lab)
    return data, gz, expected


@SETTINGS
@given(case=csv_case())
def test_csv_oracle(folder, case):
    data, gz, expected = case
    path = folder / ("my train.csv.gz" if gz else "my train.csv")
    path.write_bytes(data)
    result = must_load_or_input_error(read_kaggle_csv, path)
    if expected is None:
        assert result is None, "an invalid file was accepted"
        return
    assert result is not None, "a valid file was rejected"
    X, y = expected
    np.testing.assert_array_equal(result.X, X)
    assert result.X.flags.c_contiguous and result.X.dtype == np.float32
    if y is None:
        assert result.y is None
    else:
        np.testing.assert_array_equal(result.y, y)


def check_sane(result, rows_at_most=None):
    if result is None:
        return
    assert result.X.shape[0] == 784 and result.X.dtype == np.float32
    assert np.all((result.X >= 0) & (result.X <= 1))
    if result.y is not None:
        assert result.y.shape == (result.X.shape[1],)
        assert np.all((result.y >= 0) & (result.y <= 9))
    if rows_at_most is not None:
        assert result.X.shape[1] <= rows_at_most


@SETTINGS
@given(
    cell=st.text(max_size=8),
    where=st.tuples(st.integers(0, 2), st.integers(0, 784)),
    gz=st.booleans(),
)
def test_csv_arbitrary_cell_text(folder, cell, where, gz):
    rng = np.random.default_rng(0)
    rows = [[str(v) for v in r] for r in np.column_stack(
        [rng.integers(0, 10, 3), rng.integers(0, 256, (3, 784))])]
    rows[where[0]][where[1]] = cell
    data = build_csv(rows, ["label", *PIXEL_COLUMNS], bom=False, crlf=False,
                     quote_all=False, pad=False)
    path = folder / ("cell.csv.gz" if gz else "cell.csv")
    path.write_bytes(gzip.compress(data) if gz else data)
    check_sane(must_load_or_input_error(read_kaggle_csv, path))


@SETTINGS
@given(cut=st.floats(0, 1), gz=st.booleans())
def test_csv_truncated_anywhere(folder, cut, gz):
    rng = np.random.default_rng(1)
    rows = [[str(v) for v in r] for r in np.column_stack(
        [rng.integers(0, 10, 4), rng.integers(0, 256, (4, 784))])]
    data = build_csv(rows, ["label", *PIXEL_COLUMNS], bom=True, crlf=True,
                     quote_all=False, pad=False)
    if gz:
        data = gzip.compress(data)
    data = data[: int(cut * len(data))]
    path = folder / ("cut.csv.gz" if gz else "cut.csv")
    path.write_bytes(data)
    check_sane(must_load_or_input_error(read_kaggle_csv, path), rows_at_most=4)


@SETTINGS
@given(data=st.binary(max_size=2000), name=st.sampled_from(["junk.csv", "junk.csv.gz"]),
       compress=st.booleans())
def test_csv_random_bytes(folder, data, name, compress):
    path = folder / name
    path.write_bytes(gzip.compress(data) if compress else data)
    check_sane(must_load_or_input_error(read_kaggle_csv, path))


@SETTINGS
@given(prefix=st.sampled_from([b"", b"\xef\xbb\xbf", b"label,", b"pixel0,pixel1\n"]),
       data=st.binary(max_size=300))
def test_csv_header_then_garbage(folder, prefix, data):
    path = folder / "garbage.csv"
    path.write_bytes(prefix + ",".join(["label", *PIXEL_COLUMNS]).encode() + b"\n" + data)
    check_sane(must_load_or_input_error(read_kaggle_csv, path))


# ------------------------------------------------------------------ IDX


idx_arrays = st.one_of(
    st.integers(0, 6).map(lambda n: np.arange(n, dtype=np.uint8) % 10),
    st.tuples(st.integers(0, 3), st.integers(1, 4), st.integers(1, 4), st.integers(0, 99)).map(
        lambda t: np.random.default_rng(t[3]).integers(0, 256, t[:3], dtype=np.uint8)),
)


@SETTINGS
@given(array=idx_arrays, gz=st.booleans())
def test_idx_roundtrip(folder, array, gz):
    data = idx_bytes(array)
    path = folder / ("a.idx.gz" if gz else "a.idx")
    path.write_bytes(gzip.compress(data) if gz else data)
    out = read_idx(path)
    assert out.shape == array.shape and out.dtype == np.uint8
    np.testing.assert_array_equal(out, array)


@SETTINGS
@given(array=idx_arrays, cut=st.floats(0, 1), gz=st.booleans())
def test_idx_truncated(folder, array, cut, gz):
    data = idx_bytes(array)
    if gz:
        data = gzip.compress(data)
    short = data[: int(cut * len(data))]
    path = folder / "cut.idx"
    path.write_bytes(short)
    if len(short) == len(data):
        np.testing.assert_array_equal(read_idx(path), array)
    else:
        with pytest.raises(InputError) as info:
            read_idx(path)
        assert str(info.value).startswith(f"{path}: ")


@SETTINGS
@given(array=idx_arrays, extra=st.binary(min_size=1, max_size=20))
def test_idx_trailing_garbage(folder, array, extra):
    path = folder / "long.idx"
    path.write_bytes(idx_bytes(array) + extra)
    with pytest.raises(InputError, match="trailing garbage") as info:
        read_idx(path)
    assert str(info.value).startswith(f"{path}: ")


@SETTINGS
@given(array=idx_arrays, pos=st.integers(0, 15), byte=st.integers(0, 255), gz=st.booleans())
def test_idx_header_byte_flipped(folder, array, pos, byte, gz):
    data = bytearray(idx_bytes(array))
    if pos < len(data):
        data[pos] = byte
    path = folder / "flip.idx"
    path.write_bytes(gzip.compress(bytes(data)) if gz else bytes(data))
    out = must_load_or_input_error(read_idx, path)
    if out is not None:  # only possible if the header still describes the data exactly
        ndim = data[3]
        shape = struct.unpack(f">{ndim}I", bytes(data[4:4 + 4 * ndim]))
        assert out.shape == shape and out.size == len(data) - 4 - 4 * ndim


@SETTINGS
@given(data=st.binary(max_size=600))
def test_idx_random_bytes(folder, data):
    path = folder / "random.idx"
    path.write_bytes(data)
    out = must_load_or_input_error(read_idx, path)
    if out is not None:
        assert out.dtype == np.uint8 and out.ndim in (1, 3)
