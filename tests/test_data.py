"""Tests for nnscratch.data: Kaggle CSVs, the sample, IDX folders, load() and the split."""

import gzip
import hashlib
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from nnscratch.data import (
    PIXEL_COLUMNS,
    SAMPLE_SHA256,
    Dataset,
    download,
    kaggle_csv,
    load,
    load_sample,
    read_idx_folder,
    read_kaggle_csv,
    train_test_split,
)
from nnscratch.errors import InputError

HEADER = ["label", *PIXEL_COLUMNS]


def idx_bytes(array: np.ndarray) -> bytes:
    """An unsigned-byte IDX file holding ``array`` (magic 0x0000080<ndim>)."""
    array = np.asarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(n).to_bytes(4, "big") for n in array.shape
    )
    return header + array.tobytes()


class IdxPart:
    def __init__(self, images, labels):
        self.images, self.labels = images, labels


def write_idx_folder(folder, prefix, n, gz=False, seed=0, dotted=False, n_labels=None,
                     labels=None, size=(28, 28)) -> IdxPart:
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


def make_rows(m: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, size=(m, 784)), rng.integers(0, 10, size=m)


def csv_text(pixels, labels=None, header=None, sep=",", eol="\n") -> str:
    header = header if header is not None else (HEADER if labels is not None else PIXEL_COLUMNS)
    lines = [sep.join(header)]
    for i, row in enumerate(pixels):
        cells = [str(v) for v in row]
        if labels is not None:
            cells = [str(labels[i]), *cells]
        lines.append(sep.join(cells))
    return eol.join(lines) + eol


def write(tmp_path, text: str | bytes, name: str = "train.csv"):
    path = tmp_path / name
    data = text.encode() if isinstance(text, str) else text
    if name.endswith(".gz"):
        data = gzip.compress(data)
    path.write_bytes(data)
    return path


def expected_X(pixels) -> np.ndarray:
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


def test_row_with_too_many_fields(tmp_path):
    path = _one_row(tmp_path, lambda cells: cells[1].append("7"))
    with raises_input_error(path, "malformed CSV"):
        read_kaggle_csv(path)


def test_row_with_too_few_fields(tmp_path):
    path = _one_row(tmp_path, lambda cells: cells[1].pop())
    with raises_input_error(path, r"row 2 \(line 3\), column pixel783: empty or missing"):
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


# ------------------------------------------------------------------ sample


def test_sample():
    d = load_sample()
    assert d.X.shape == (784, 10_000) and d.X.dtype == np.float32
    assert d.y.shape == (10_000,) and d.y.dtype == np.int64
    assert d.sha256 == SAMPLE_SHA256
    assert d.source == "sample"
    counts = np.bincount(d.y, minlength=10)
    assert counts.tolist() == [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]
    assert d.X.min() == 0 and d.X.max() == 1


def test_sample_cannot_be_corrupted_by_callers():
    d = load_sample()
    d.X[:] = 7
    d.y[:] = 7
    again = load_sample()
    assert again.X.max() == 1 and again.y[0] == 3


def test_sample_float64():
    assert load_sample(np.float64).X.dtype == np.float64


def test_dataset_is_frozen_and_repr_is_short():
    d = Dataset(np.zeros((784, 1), np.float32), None, "x.csv", "a" * 64)
    with pytest.raises(AttributeError):
        d.source = "y"
    assert "y=None" in repr(d) and len(repr(d)) < 120


# ------------------------------------------------------------------ IDX folders


def test_idx_folder_train_and_test(tmp_path):
    tr = write_idx_folder(tmp_path, "train", n=3, gz=True, seed=1)
    te = write_idx_folder(tmp_path, "t10k", n=2, gz=False, seed=2)
    d = read_idx_folder(tmp_path)
    np.testing.assert_array_equal(d.X, expected_X(tr.images.reshape(3, 784)))
    np.testing.assert_array_equal(d.y, tr.labels)
    assert d.y.dtype == np.int64 and d.X.flags.c_contiguous
    files = [tmp_path / "train-images-idx3-ubyte.gz", tmp_path / "train-labels-idx1-ubyte.gz"]
    digests = "".join(hashlib.sha256(p.read_bytes()).hexdigest() for p in files)
    assert d.sha256 == hashlib.sha256(digests.encode()).hexdigest()
    t = read_idx_folder(tmp_path, part="test")
    np.testing.assert_array_equal(t.y, te.labels)
    assert load(tmp_path, part="test").X.shape == (784, 2)


def test_idx_folder_dotted_names(tmp_path):
    tr = write_idx_folder(tmp_path, "train", n=2, gz=False, dotted=True)
    np.testing.assert_array_equal(read_idx_folder(tmp_path).y, tr.labels)


def test_idx_folder_errors(tmp_path):
    with raises_input_error(tmp_path / "none", "no such file or directory"):
        read_idx_folder(tmp_path / "none")
    (tmp_path / "f").write_text("x")
    with raises_input_error(tmp_path / "f", "not a directory"):
        read_idx_folder(tmp_path / "f")
    write_idx_folder(tmp_path, "train", n=2, gz=False)
    with raises_input_error(tmp_path, r"missing t10k-images-idx3-ubyte \(or t10k-images"):
        read_idx_folder(tmp_path, part="test")
    (tmp_path / "train-labels-idx1-ubyte").unlink()
    with raises_input_error(tmp_path, "missing train-labels-idx1-ubyte"):
        read_idx_folder(tmp_path)
    with pytest.raises(ValueError, match="part must be"):
        read_idx_folder(tmp_path, part="validation")


def test_idx_folder_count_mismatch_and_bad_labels(tmp_path):
    write_idx_folder(tmp_path, "train", n=3, n_labels=2)
    with raises_input_error(tmp_path, "3 images in train-images-idx3-ubyte but 2 labels"):
        read_idx_folder(tmp_path)
    write_idx_folder(tmp_path, "train", n=3, labels=[1, 12, 3])
    with raises_input_error(tmp_path / "train-labels-idx1-ubyte", "label 12 at index 1"):
        read_idx_folder(tmp_path)
    write_idx_folder(tmp_path, "train", n=3, size=(27, 28))
    with raises_input_error(tmp_path / "train-images-idx3-ubyte", r"shape \(n, 28, 28\)"):
        read_idx_folder(tmp_path)


def test_idx_folder_swapped_files(tmp_path):
    write_idx_folder(tmp_path, "train", n=2)
    a, b = tmp_path / "train-images-idx3-ubyte", tmp_path / "train-labels-idx1-ubyte"
    data_a, data_b = a.read_bytes(), b.read_bytes()
    a.write_bytes(data_b)
    b.write_bytes(data_a)
    with raises_input_error(a, "expected images of shape"):
        read_idx_folder(tmp_path)


# ------------------------------------------------------------------ load()


def test_load_dispatch(tmp_path, monkeypatch):
    monkeypatch.setenv("NNSCRATCH_CACHE", str(tmp_path / "cache"))
    assert load(None).source == "sample"
    assert load("sample").source == "sample"
    pixels, labels = make_rows(1)
    csv = write(tmp_path, csv_text(pixels, labels))
    assert load(csv).m == 1 and load(str(csv)).m == 1
    with raises_input_error("mnist", r"not downloaded yet; run `nnscratch download mnist`"):
        load("mnist")
    with raises_input_error("Fashion-MNIST", r"nnscratch download fashion-mnist"):
        load("Fashion-MNIST")
    with raises_input_error("nonsense", "no such file or directory"):
        load("nonsense")


def test_load_downloaded_dataset(tmp_path, monkeypatch):
    monkeypatch.setenv("NNSCRATCH_CACHE", str(tmp_path))
    folder = tmp_path / "mnist"
    folder.mkdir()
    tr = write_idx_folder(folder, "train", n=2, gz=True)
    write_idx_folder(folder, "t10k", n=1, gz=True)
    assert download.is_downloaded("mnist")
    d = load("mnist")
    assert d.source == "mnist"
    np.testing.assert_array_equal(d.y, tr.labels)
    assert load("mnist", part="test").m == 1


def test_existing_path_wins_over_dataset_name(tmp_path, monkeypatch):
    monkeypatch.setenv("NNSCRATCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mnist").mkdir()
    tr = write_idx_folder(tmp_path / "mnist", "train", n=2)
    d = load("mnist")
    assert d.source == "mnist"
    np.testing.assert_array_equal(d.y, tr.labels)
    pixels, labels = make_rows(1)
    write(tmp_path, csv_text(pixels, labels), "sample")
    assert load("sample").m == 1  # a file named "sample" here beats the packaged sample


# ------------------------------------------------------------------ train_test_split


def test_split_is_a_partition_and_deterministic():
    X = np.arange(3 * 10).reshape(3, 10)
    y = np.arange(10)
    X_tr, y_tr, X_te, y_te = train_test_split(X, y, 0.3, seed=5)
    assert X_te.shape == (3, 3) and X_tr.shape == (3, 7)
    assert sorted([*y_tr, *y_te]) == list(range(10))
    np.testing.assert_array_equal(X_tr[0], y_tr)  # columns and labels stay together
    np.testing.assert_array_equal(X_te[0], y_te)
    again = train_test_split(X, y, 0.3, seed=5)
    np.testing.assert_array_equal(again[3], y_te)
    assert not np.array_equal(train_test_split(X, y, 0.3, seed=6)[3], y_te)
    np.testing.assert_array_equal(X, np.arange(30).reshape(3, 10))  # inputs untouched


def test_split_edge_cases():
    X, y = np.zeros((784, 4), np.float32), np.arange(4)
    X_tr, y_tr, X_te, y_te = train_test_split(X, y, 0.0)
    assert X_te.shape == (784, 0) and y_te.shape == (0,) and X_tr.shape == (784, 4)
    X_tr, y_tr, X_te, y_te = train_test_split(X, y, 1.0)
    assert X_tr.shape == (784, 0) and X_te.shape == (784, 4)
    assert train_test_split(X, None, 0.5)[1] is None
    with pytest.raises(ValueError, match="test_fraction"):
        train_test_split(X, y, 1.5)
    with pytest.raises(ValueError, match="shape"):
        train_test_split(X, np.arange(3), 0.5)
