"""Tests for nnscratch.data.kaggle_csv: what a Kaggle CSV reader accepts, rejects, and costs."""

import gzip
import hashlib
import os
import re
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest

from nnscratch.data import kaggle_csv, load, read_kaggle_csv
from tests.conftest import HEADER, csv_text, expected_X, make_rows, raises_input_error, write

# ------------------------------------------------------------------ accepted inputs


def test_train_csv_roundtrip(tmp_path):
    pixels, labels = make_rows(3)
    path = write(tmp_path, csv_text(pixels, labels))
    d = read_kaggle_csv(path)
    assert d.X.shape == (784, 3) and d.X.dtype == np.float32 and d.X.flags.c_contiguous
    np.testing.assert_array_equal(d.X, expected_X(pixels))
    assert d.y.dtype == np.int64
    np.testing.assert_array_equal(d.y, labels)
    assert d.source == str(path)
    assert d.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_source_is_path_as_given(tmp_path, monkeypatch):
    pixels, labels = make_rows(1)
    write(tmp_path, csv_text(pixels, labels))
    monkeypatch.chdir(tmp_path)
    assert read_kaggle_csv("train.csv").source == "train.csv"
    assert load("./train.csv").source == "./train.csv"


def test_test_csv_has_no_labels(tmp_path):
    pixels, _ = make_rows(2)
    d = read_kaggle_csv(write(tmp_path, csv_text(pixels), "test.csv"))
    assert d.y is None
    np.testing.assert_array_equal(d.X, expected_X(pixels))


def test_float64_dtype(tmp_path):
    pixels, labels = make_rows(2)
    d = read_kaggle_csv(write(tmp_path, csv_text(pixels, labels)), dtype=np.float64)
    assert d.X.dtype == np.float64
    np.testing.assert_array_equal(d.X, pixels.T / 255.0)


def test_non_float_dtype_is_a_programming_error(tmp_path):
    pixels, labels = make_rows(1)
    with pytest.raises(ValueError, match="floating point"):
        read_kaggle_csv(write(tmp_path, csv_text(pixels, labels)), dtype=np.int32)


@pytest.mark.parametrize(
    "transform",
    [
        pytest.param(lambda t: "\ufeff" + t, id="bom"),
        pytest.param(lambda t: t.replace("\n", "\r\n"), id="crlf"),
        pytest.param(lambda t: t.replace(",", " , "), id="spaces"),
        pytest.param(lambda t: "\n".join(" " + ln + "\t" for ln in t.split("\n")), id="pad"),
        pytest.param(
            lambda t: "\n".join(",".join(f'"{c}"' for c in ln.split(",")) if ln else ln
                                for ln in t.split("\n")),
            id="quoted",
        ),
        pytest.param(
            lambda t: t.split("\n", 1)[0] + "\n" + t.split("\n", 1)[1].replace(",", ".0,"),
            id="floats",
        ),
        pytest.param(lambda t: t + "\n\n", id="blank-lines-at-end"),
    ],
)
def test_accepted_variants(tmp_path, transform):
    pixels, labels = make_rows(3)
    d = read_kaggle_csv(write(tmp_path, transform(csv_text(pixels, labels))))
    np.testing.assert_array_equal(d.X, expected_X(pixels))
    np.testing.assert_array_equal(d.y, labels)


def test_gzip_csv(tmp_path):
    pixels, labels = make_rows(4)
    path = write(tmp_path, "\ufeff" + csv_text(pixels, labels, eol="\r\n"), "train.csv.gz")
    d = read_kaggle_csv(path)
    np.testing.assert_array_equal(d.X, expected_X(pixels))
    np.testing.assert_array_equal(d.y, labels)
    assert d.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_columns_reordered_by_name(tmp_path):
    pixels, labels = make_rows(2)
    order = np.random.default_rng(1).permutation(785)
    table = np.column_stack([labels, pixels])[:, order]
    header = [HEADER[j] for j in order]
    text = ",".join(header) + "\n" + "\n".join(",".join(map(str, r)) for r in table) + "\n"
    d = read_kaggle_csv(write(tmp_path, text))
    np.testing.assert_array_equal(d.X, expected_X(pixels))
    np.testing.assert_array_equal(d.y, labels)


def test_rows_spanning_several_parse_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(kaggle_csv, "_CHUNK_ROWS", 2)
    pixels, labels = make_rows(5, seed=3)
    path = write(tmp_path, csv_text(pixels, labels), "big.csv.gz")
    d = read_kaggle_csv(path)
    np.testing.assert_array_equal(d.X, expected_X(pixels))
    np.testing.assert_array_equal(d.y, labels)
    # Row numbers in messages count from the file's first data row, not the chunk's.
    text = csv_text(pixels, labels).split("\n")
    text[4] = text[4].replace(",", ",x", 1)   # data row 4 (line 5) is in the second chunk
    path = write(tmp_path, "\n".join(text), "bad.csv")
    with raises_input_error(path, r"row 4 \(line 5\), column pixel0: 'x"):
        read_kaggle_csv(path)
    text[4] = text[4].replace(",x", ",300", 1)
    path = write(tmp_path, "\n".join(text), "bad.csv")
    with raises_input_error(path, r"row 4 \(line 5\), column pixel0: pixel value 300"):
        read_kaggle_csv(path)


# ------------------------------------------------------------------ rejected inputs


def _one_row(tmp_path, row_edit=None, header=None, name="train.csv"):
    pixels, labels = make_rows(2)
    cells = [[str(labels[i]), *map(str, pixels[i])] for i in range(2)]
    if row_edit:
        row_edit(cells)
    head = header if header is not None else HEADER
    text = ",".join(head) + "\n" + "\n".join(",".join(r) for r in cells) + "\n"
    return write(tmp_path, text, name)


def _set(r, c, v):
    def edit(cells):
        cells[r][c] = v
    return edit


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (_set(1, 5, "abc"), r"row 2 \(line 3\), column pixel4: 'abc' is not a number"),
        (_set(0, 0, "seven"), r"row 1 \(line 2\), column label: 'seven' is not a number"),
        (_set(1, 3, ""), r"row 2 \(line 3\), column pixel2: empty or missing value"),
        (_set(0, 9, "NaN"), r"column pixel8: empty or missing value"),
        (_set(0, 2, "12.5"), r"column pixel1: pixel value 12.5 is not a whole number"),
        (_set(0, 2, "256"), r"column pixel1: pixel value 256 is outside 0..255"),
        (_set(1, 784, "-1"), r"row 2 \(line 3\), column pixel783: pixel value -1 is outside"),
        (_set(0, 1, "1e300"), r"pixel value 1e\+300 is outside 0..255"),
        (_set(0, 1, "99999999999999999999999"), r"is outside 0..255"),
        (_set(0, 0, "10"), r"column label: label 10 is outside 0..9"),
        (_set(0, 0, "2.5"), r"column label: label 2.5 is not a whole number"),
        (_set(0, 0, "-3"), r"label -3 is outside 0..9"),
        (_set(0, 0, "inf"), r"label inf is outside 0..9"),
    ],
)
def test_bad_cells(tmp_path, edit, match):
    path = _one_row(tmp_path, edit)
    with raises_input_error(path, match):
        read_kaggle_csv(path)


def test_missing_file(tmp_path):
    path = tmp_path / "nope.csv"
    with raises_input_error(path, "no such file or directory"):
        read_kaggle_csv(path)


def test_directory_is_not_a_csv(tmp_path):
    with raises_input_error(tmp_path, "is a directory"):
        read_kaggle_csv(tmp_path)


@pytest.mark.parametrize("content", ["", "\n\n", "\ufeff", "   \r\n"])
def test_empty_file(tmp_path, content):
    path = write(tmp_path, content)
    with raises_input_error(path, "the file is empty"):
        read_kaggle_csv(path)


@pytest.mark.parametrize("eol", ["\n", "\r\n", ""])
def test_header_only(tmp_path, eol):
    path = write(tmp_path, ",".join(HEADER) + eol)
    with raises_input_error(path, "header but no data rows"):
        read_kaggle_csv(path)


def test_missing_columns_are_named(tmp_path):
    path = _one_row(tmp_path, lambda cells: [r.pop() for r in cells], header=HEADER[:-1])
    with raises_input_error(path, r"missing columns: pixel783$"):
        read_kaggle_csv(path)
    header = HEADER[:700]
    path = write(tmp_path, ",".join(header) + "\n" + ",".join(["1"] * 700) + "\n")
    with raises_input_error(path, r"missing columns: pixel699, pixel700, pixel701 and 82 more"):
        read_kaggle_csv(path)


def test_unknown_and_duplicate_columns(tmp_path):
    path = _one_row(tmp_path, lambda cells: [r.append("0") for r in cells],
                    header=[*HEADER, "extra"])
    with raises_input_error(path, r"unknown columns: extra \(expected label and"):
        read_kaggle_csv(path)
    header = [*HEADER[:-1], "pixel5"]
    path = _one_row(tmp_path, header=header)
    with raises_input_error(path, r"duplicate columns: pixel5"):
        read_kaggle_csv(path)


def test_headerless_csv(tmp_path):
    pixels, labels = make_rows(2)
    text = csv_text(pixels, labels).split("\n", 1)[1]
    path = write(tmp_path, text)
    with raises_input_error(path, "no header row"):
        read_kaggle_csv(path)


# Each row must have as many values as the header names. pandas drops the first row's
# extra values (silently for a trailing comma, else with only a ParserWarning) and fills a
# short row with NaN; before the reader counted them, a 786-value row loaded as 785.
WRONG_LENGTH = {
    "one value too many, first row": (0, lambda r: r.append("7"), 786, ""),
    "one value too many, second row": (1, lambda r: r.append("7"), 786, ""),
    "two values too many, first row": (0, lambda r: r.extend(["7", "8"]), 787, ""),
    "one value too few, first row": (0, lambda r: r.pop(), 784, ""),
    "one value too few, second row": (1, lambda r: r.pop(), 784, ""),
    "a trailing comma, first row": (0, lambda r: r.append(""), 786,
                                    ", the last one empty (a trailing comma?)"),
    "a trailing comma, second row": (1, lambda r: r.append(""), 786,
                                     ", the last one empty (a trailing comma?)"),
}


@pytest.mark.parametrize("case", sorted(WRONG_LENGTH))
def test_a_row_of_the_wrong_length_is_named(tmp_path, case):
    row, edit, n, extra = WRONG_LENGTH[case]
    path = _one_row(tmp_path, lambda cells: edit(cells[row]))
    with raises_input_error(path, f"^{path}: row {row + 1} \\(line {row + 2}\\) has {n} values"
                                  f"{re.escape(extra)}; the header names 785 columns$"):
        read_kaggle_csv(path)


def test_a_trailing_comma_on_every_row_is_refused_too(tmp_path):
    pixels, labels = make_rows(3)
    lines = csv_text(pixels, labels).splitlines()
    path = write(tmp_path, "\n".join([lines[0], *(line + "," for line in lines[1:])]) + "\n")
    with raises_input_error(path, r"row 1 \(line 2\) has 786 values, the last one empty"):
        read_kaggle_csv(path)


def test_a_row_too_long_in_a_later_chunk_is_named_in_file_order(tmp_path, monkeypatch):
    """Rows are counted as pandas reads ahead; the first bad row in the file is named,
    whether a cell or a row length is wrong, and in any chunk."""
    monkeypatch.setattr(kaggle_csv, "_CHUNK_ROWS", 2)
    pixels, labels = make_rows(6, seed=1)
    lines = csv_text(pixels, labels).splitlines()
    lines[5] += ",7"                               # data row 5 (line 6): third chunk
    path = write(tmp_path, "\n".join(lines) + "\n", "long.csv.gz")
    with raises_input_error(path, r"row 5 \(line 6\) has 786 values"):
        read_kaggle_csv(path)
    cells = lines[2].split(",")
    lines[2] = ",".join([cells[0], "300", *cells[2:]])  # data row 2: a bad pixel, earlier
    path = write(tmp_path, "\n".join(lines) + "\n", "both.csv")
    with raises_input_error(path, r"row 2 \(line 3\), column pixel0: pixel value 300"):
        read_kaggle_csv(path)


def test_a_wrong_length_row_gives_no_pandas_warning(tmp_path):
    path = _one_row(tmp_path, lambda cells: cells[0].append("7"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with raises_input_error(path, r"row 1 \(line 2\) has 786 values"):
            read_kaggle_csv(path)


def test_corrupt_gzip(tmp_path):
    pixels, labels = make_rows(50)
    good = gzip.compress(csv_text(pixels, labels).encode())
    path = tmp_path / "train.csv.gz"
    path.write_bytes(good[: len(good) // 2])
    with raises_input_error(path, "not a valid gzip file"):
        read_kaggle_csv(path)
    path.write_bytes(good[:10] + bytes(200) + good[210:])
    with raises_input_error(path, "not a valid gzip file"):
        read_kaggle_csv(path)
    path.write_bytes(csv_text(pixels, labels).encode())  # named .gz, but plain text
    with raises_input_error(path, "not a valid gzip file"):
        read_kaggle_csv(path)


def test_binary_file(tmp_path):
    path = write(tmp_path, bytes(range(256)) * 4, "train.csv")
    with raises_input_error(path, "not a text file"):
        read_kaggle_csv(path)
    path = write(tmp_path, b"\xff\xfelabel,pixel0\n", "latin.csv")
    with raises_input_error(path, "not a text file"):
        read_kaggle_csv(path)


def test_invalid_utf8_in_body(tmp_path):
    path = _one_row(tmp_path, _set(1, 4, "INVALID"))
    path.write_bytes(path.read_bytes().replace(b"INVALID", b"\xff\xfe"))
    with raises_input_error(path, "not a text file|not a number"):
        read_kaggle_csv(path)


# ------------------------------------------------------------------ memory


def test_42000_row_file_peak_rss_under_600_mb(tmp_path):
    """The full Kaggle train.csv (42,000 rows, ~73 MB) must load in <= 600 MB of RAM."""
    m = 42_000
    rng = np.random.default_rng(0)
    # Realistic rows (~80% zeros, like the real file, which is ~73 MB): 1,000 distinct
    # rows written 42 times over, which makes the file in well under a second.
    distinct = 1_000
    pixels = rng.integers(0, 256, size=(distinct, 784), dtype=np.uint8)
    pixels[rng.random((distinct, 784)) < 0.8] = 0
    labels = rng.integers(0, 10, size=distinct, dtype=np.uint8)
    words = [str(v).encode() for v in range(256)]
    block = b"".join(
        b",".join(words[v] for v in row) + b"\n" for row in np.column_stack([labels, pixels])
    )
    path = tmp_path / "train.csv"
    with open(path, "wb") as f:
        f.write((",".join(HEADER) + "\n").encode())
        for _ in range(m // distinct):
            f.write(block)
    size_mb = os.path.getsize(path) / 1e6
    child = textwrap.dedent(
        f"""
        import resource, sys
        from nnscratch.data import read_kaggle_csv
        d = read_kaggle_csv({str(path)!r})
        assert d.X.shape == (784, {m}), d.X.shape
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        """
    )
    out = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True,
                         check=True, timeout=120)
    peak_mb = int(out.stdout.strip()) / 1024  # ru_maxrss is in KiB on Linux
    print(f"\nKaggle-size CSV: {size_mb:.1f} MB on disk, peak RSS {peak_mb:.0f} MB")
    assert peak_mb <= 600
