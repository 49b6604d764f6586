"""Tests for nnscratch.data.idx: single IDX files, plain and gzipped, and IDX folders."""

import gzip
import hashlib
import struct

import numpy as np
import pytest

from nnscratch.data import load, read_idx_folder
from nnscratch.data.idx import parse_idx, read_idx, read_idx_with_sha256
from nnscratch.errors import InputError
from tests.conftest import expected_X, idx_bytes, raises_input_error, write_idx_folder


def check_error(path, match):
    with pytest.raises(InputError, match=match) as info:
        read_idx(path)
    assert str(info.value).startswith(f"{path}: ")
    return info.value


@pytest.fixture
def images():
    return np.random.default_rng(0).integers(0, 256, size=(3, 28, 28), dtype=np.uint8)


@pytest.mark.parametrize("gz", [False, True])
def test_images_and_labels_roundtrip(tmp_path, images, gz):
    labels = np.array([7, 0, 9], dtype=np.uint8)
    for name, array in [("images", images), ("labels", labels)]:
        data = idx_bytes(array)
        path = tmp_path / (name + (".gz" if gz else ""))
        path.write_bytes(gzip.compress(data) if gz else data)
        out = read_idx(path)
        assert out.dtype == np.uint8 and out.shape == array.shape
        np.testing.assert_array_equal(out, array)
        out[...] = 0  # the result is writable


def test_header_magic_numbers_are_big_endian(images):
    data = idx_bytes(images)
    assert data[:4] == b"\x00\x00\x08\x03"
    assert struct.unpack(">I", data[4:8]) == (3,)


def test_gzip_detected_by_content_not_name(tmp_path, images):
    path = tmp_path / "train-images-idx3-ubyte"  # no .gz, but gzipped
    path.write_bytes(gzip.compress(idx_bytes(images)))
    np.testing.assert_array_equal(read_idx(path), images)


def test_sha256_is_of_stored_bytes(tmp_path, images):
    import hashlib

    path = tmp_path / "a.gz"
    path.write_bytes(gzip.compress(idx_bytes(images)))
    _, digest = read_idx_with_sha256(path)
    assert digest == hashlib.sha256(path.read_bytes()).hexdigest()


def test_empty_dataset_is_fine(tmp_path):
    path = tmp_path / "labels"
    path.write_bytes(idx_bytes(np.zeros(0, np.uint8)))
    assert read_idx(path).shape == (0,)


def test_missing_file(tmp_path):
    check_error(tmp_path / "nope", "no such file or directory")


def test_directory(tmp_path):
    check_error(tmp_path, "is a directory")


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"", "too short for a header"),
        (b"\x00\x00", "too short for a header"),
        (b"PK\x03\x04" + bytes(20), r"not an IDX file: magic number 0x504B0304"),
        (b"\x00\x01\x08\x01" + bytes(8), "not an IDX file"),
        (b"\x00\x00\x0d\x01" + struct.pack(">I", 1) + bytes(4), r"data type code 0x0D"),
        (b"\x00\x00\x08\x02" + struct.pack(">II", 1, 1) + bytes(1), r"0x00000802: 2 dimensions"),
        (b"\x00\x00\x08\x03" + struct.pack(">I", 1), "truncated: the header needs 16 bytes"),
        (struct.pack(">II", 0x801, 5) + bytes(4), "truncated: the header promises 5 data bytes"),
        (struct.pack(">II", 0x801, 2) + bytes(5), "trailing garbage: 3 extra bytes"),
        (struct.pack(">IIII", 0x803, 2**31, 28, 28), "truncated"),
    ],
)
def test_malformed(tmp_path, data, match):
    path = tmp_path / "bad-idx1-ubyte"
    path.write_bytes(data)
    check_error(path, match)


def test_truncated_images(tmp_path, images):
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(idx_bytes(images)[:-100])
    check_error(path, "truncated: the header promises 2352 data bytes, but only 2252 follow")


def test_bad_gzip(tmp_path, images):
    good = gzip.compress(idx_bytes(images))
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(good[:-20])
    check_error(path, r"not a valid gzip file \(truncated gzip data\)")
    path.write_bytes(good[:12] + bytes(50) + good[62:])
    check_error(path, "not a valid gzip file")
    path.write_bytes(idx_bytes(images))  # named .gz but not gzipped
    check_error(path, r"not a valid gzip file \(it does not start with 1f 8b\)")
    path.write_bytes(good + b"junk after the gzip member")
    check_error(path, "not a valid gzip file")


def test_parse_idx_reports_given_path():
    with pytest.raises(InputError) as info:
        parse_idx(b"\x00\x00\x08", "whatever/name")
    assert info.value.path == "whatever/name"


def test_input_error_pickles_and_is_one_line():
    import pickle

    e = InputError("a/b", "line one\nline two")
    assert str(e) == "a/b: line one line two"
    again = pickle.loads(pickle.dumps(e))
    assert (again.path, again.problem, str(again)) == (e.path, e.problem, str(e))


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
