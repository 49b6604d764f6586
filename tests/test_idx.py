"""Tests for nnscratch.data.idx: reading single IDX files, plain and gzipped."""

import gzip
import struct

import numpy as np
import pytest

from nnscratch.data.idx import parse_idx, read_idx, read_idx_with_sha256
from nnscratch.errors import InputError


def idx_bytes(array: np.ndarray) -> bytes:
    """An unsigned-byte IDX file holding ``array`` (magic 0x0000080<ndim>)."""
    array = np.asarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(n).to_bytes(4, "big") for n in array.shape
    )
    return header + array.tobytes()


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
