"""Model files that cannot lie: round trip, checksums, architecture checks, atomic writes,
and damaged or hostile files, which end in one InputError and never allocate much."""

import io
import json
import struct
import tracemalloc
import warnings
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnscratch import modelfile
from nnscratch.errors import InputError
from nnscratch.modelfile import load_checkpoint, load_model, save_model


def params_784_4_10(dtype=np.float32) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    return {"W1": rng.standard_normal((4, 784)).astype(dtype), "b1": np.zeros((4, 1), dtype),
            "W2": rng.standard_normal((10, 4)).astype(dtype), "b2": np.ones((10, 1), dtype)}


def rewrite(src: Path, dst: Path, change) -> Path:
    """Copy a model file, letting ``change(arrays, meta)`` edit it on the way."""
    with np.load(src, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files if k != "meta"}
        meta = json.loads(str(npz["meta"]))
    change(arrays, meta)
    np.savez(dst, meta=np.array(json.dumps(meta)), **arrays)
    return dst


@pytest.fixture
def saved(tmp_path) -> Path:
    path = tmp_path / "m.npz"
    save_model(path, params_784_4_10(), {"activation": "relu"},
               state={"t": np.array(3), "m_W1": np.zeros((4, 784), np.float32)})
    return path


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_round_trip_is_exact(tmp_path, dtype):
    params = params_784_4_10(dtype)
    save_model(tmp_path / "m.npz", params, {"activation": "leaky_relu", "alpha": 0.01})
    loaded, meta = load_model(tmp_path / "m.npz")
    assert list(loaded) == ["W1", "b1", "W2", "b2"]
    for k in params:
        assert loaded[k].dtype == dtype
        np.testing.assert_array_equal(loaded[k], params[k])
    assert meta["layer_sizes"] == [784, 4, 10]
    assert meta["arrays"]["W1"] == {"shape": [4, 784], "dtype": np.dtype(dtype).name,
                                    "sha256": modelfile.array_digest(params["W1"])}


def test_state_round_trip(saved):
    params, meta, state = load_checkpoint(saved)
    assert int(state["t"]) == 3 and state["t"].shape == ()
    assert state["m_W1"].shape == (4, 784)
    assert set(params) == {"W1", "b1", "W2", "b2"}


def test_edited_array_is_refused(saved, tmp_path):
    def edit(arrays, meta):
        arrays["b2"] = arrays["b2"] * 2
    bad = rewrite(saved, tmp_path / "edited.npz", edit)
    with pytest.raises(InputError, match="b2 does not match its checksum"):
        load_model(bad)


def test_array_shape_differs_from_metadata(saved, tmp_path):
    def edit(arrays, meta):
        arrays["W2"] = arrays["W2"][:, :3]
    with pytest.raises(InputError, match="W2 has shape"):
        load_model(rewrite(saved, tmp_path / "shape.npz", edit))


def test_different_architecture_is_refused(saved, tmp_path):
    def edit(arrays, meta):
        arrays["W2"] = np.zeros((10, 5), np.float32)   # takes 5 inputs, layer 1 gives 4
        meta["arrays"]["W2"] = {"shape": [10, 5], "dtype": "float32",
                                "sha256": modelfile.array_digest(arrays["W2"])}
    with pytest.raises(InputError, match="W2 does not take the output of layer 1"):
        load_model(rewrite(saved, tmp_path / "arch.npz", edit))


def test_missing_and_extra_arrays_are_refused(saved, tmp_path):
    def drop(arrays, meta):
        del arrays["b1"]
    with pytest.raises(InputError, match="do not match its metadata"):
        load_model(rewrite(saved, tmp_path / "drop.npz", drop))

    def extra(arrays, meta):
        arrays["X"] = np.zeros(1)
        meta["arrays"]["X"] = {"shape": [1], "dtype": "float64",
                               "sha256": modelfile.array_digest(arrays["X"])}
    with pytest.raises(InputError, match="expected arrays W1, b1"):
        load_model(rewrite(saved, tmp_path / "extra.npz", extra))


class Payload:
    """Unpickling this creates ``marker``: if the file exists, the loader ran the pickle."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return Path.touch, (self.marker,)


@pytest.mark.parametrize("claimed", ["object", "float32"])
def test_a_pickled_object_array_is_never_loaded(tmp_path, claimed):
    """An object array must be refused, not unpickled (it could run code), whether or not
    the metadata admits what it is."""
    marker = tmp_path / "the pickle ran"
    path = tmp_path / "evil.npz"
    np.savez(path, meta=np.array(json.dumps({
        "format": "nnscratch-model", "format_version": 1,
        "arrays": {"W1": {"shape": [1], "dtype": claimed, "sha256": ""}}})),
        W1=np.array([Payload(marker)], dtype=object))
    expected = "not a shape, a numeric dtype" if claimed == "object" else "holds Python objects"
    with pytest.raises(InputError, match=expected):
        load_model(path)
    assert not marker.exists()


def test_foreign_npz_and_truncated_files(saved, tmp_path):
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, W1=np.zeros((2, 2)))
    with pytest.raises(InputError, match="no metadata"):
        load_model(foreign)
    cut = tmp_path / "cut.npz"
    cut.write_bytes(saved.read_bytes()[: saved.stat().st_size // 2])
    with pytest.raises(InputError):
        load_model(cut)
    assert zipfile.is_zipfile(saved)


def test_newer_format_is_refused(saved, tmp_path):
    def edit(arrays, meta):
        meta["format_version"] = 99
    with pytest.raises(InputError, match="newer nnscratch"):
        load_model(rewrite(saved, tmp_path / "new.npz", edit))


def test_a_failed_write_leaves_the_old_file_and_no_temporary(saved, tmp_path, monkeypatch):
    before = saved.read_bytes()

    def crash(*args, **kwargs):
        raise OSError("disk full")
    monkeypatch.setattr(modelfile.np, "savez", crash)
    with pytest.raises(OSError, match="disk full"):
        save_model(saved, params_784_4_10(), {"activation": "relu"})
    assert saved.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.npz"]


@pytest.mark.parametrize("version", [(1, 0), (2, 0)])
@pytest.mark.parametrize("dtype", [*modelfile.NUMBER_DTYPES, ">f4", ">i8", "<U7", ">U3"])
def test_the_npy_header_reader_agrees_with_numpys_on_what_numpy_writes(dtype, version):
    """The loader reads .npy headers by its own rules; on every header NumPy writes (each
    number dtype, both byte orders, C and Fortran order, 0-d and empty arrays, .npy 1.0
    and 2.0) it must find what NumPy's own reader finds, and the data where NumPy puts it."""
    for shape in [(), (0,), (5,), (2, 3), (3, 0, 2)]:
        for fortran in (False, True):
            a = np.zeros(shape, dtype)
            a = np.asfortranarray(a) if fortran else a
            buf = io.BytesIO()
            np.lib.format.write_array(buf, a, version=version, allow_pickle=False)
            blob = buf.getvalue()
            buf.seek(0)
            assert np.lib.format.read_magic(buf) == version
            read = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                    else np.lib.format.read_array_header_2_0)
            expected = (*read(buf), buf.tell())
            assert modelfile._npy_header("f.npz", "a.npy", blob) == expected
            assert len(blob) - expected[3] == a.nbytes


# ---------------------------------------------------------------------------------------
# Property: whatever happens to the bytes, loading gives the saved arrays or an InputError.
# ---------------------------------------------------------------------------------------


_SMALL = {"W1": np.arange(6, dtype=np.float32).reshape(2, 3), "b1": np.ones((2, 1), np.float32)}


def _small_model_bytes(tmp: Path) -> bytes:
    save_model(tmp / "small.npz", _SMALL, {"activation": "relu"})
    return (tmp / "small.npz").read_bytes()


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # examples: conftest
@given(data=st.data())
def test_damaged_model_files_load_correctly_or_raise_input_error(tmp_path, data):
    good = _small_model_bytes(tmp_path)
    kind = data.draw(st.sampled_from(["truncate", "flip", "garbage", "append", "overwrite",
                                      "prepend"]))
    if kind == "truncate":
        damaged = good[: data.draw(st.integers(0, len(good) - 1))]
    elif kind == "flip":
        i = data.draw(st.integers(0, len(good) - 1))
        damaged = good[:i] + bytes([good[i] ^ data.draw(st.integers(1, 255))]) + good[i + 1:]
    elif kind == "garbage":
        damaged = data.draw(st.binary(max_size=2000))
    elif kind == "append":
        damaged = good + data.draw(st.binary(min_size=1, max_size=100))
    elif kind == "overwrite":  # a whole field of a zip header: a size, an offset, a count
        width = data.draw(st.sampled_from([1, 2, 4, 8]))
        i = data.draw(st.integers(0, len(good) - width))
        value = data.draw(st.integers(0, 2 ** (8 * width) - 1)).to_bytes(width, "little")
        damaged = good[:i] + value + good[i + width:]
    else:
        damaged = data.draw(st.binary(min_size=1, max_size=100)) + good
    path = tmp_path / "damaged.npz"
    path.write_bytes(damaged)
    try:
        params, _ = load_model(path)
    except InputError as e:
        assert str(path) in str(e)
        return
    for k, v in _SMALL.items():   # it loaded: then it must be exactly what was saved
        np.testing.assert_array_equal(params[k], v)


def test_every_flipped_or_missing_byte_of_a_small_model_file(tmp_path):
    """Exhaustive where the property samples: every byte of the file flipped (several
    ways) and the file cut at every length. Each must load exactly or be refused."""
    good = _small_model_bytes(tmp_path)
    path = tmp_path / "damaged.npz"
    refused = 0
    damaged = [good[:i] for i in range(len(good))] + [
        good[:i] + bytes([good[i] ^ mask]) + good[i + 1:]
        for i in range(len(good)) for mask in (0x01, 0x40, 0xFF)]
    for data in damaged:
        path.write_bytes(data)
        try:
            params, _ = load_model(path)
        except InputError as e:
            assert str(e).startswith(f"{path}: ") and "\n" not in str(e)
            refused += 1
            continue
        for k, v in _SMALL.items():
            np.testing.assert_array_equal(params[k], v)
    assert refused > 0.9 * len(damaged)  # most damage is seen (a flipped timestamp is not)


# ---------------------------------------------------------------------------------------
# Each way the zip and .npy layers can fail, made on purpose. test_cli.py runs the same
# cases through `nnscratch evaluate --model`, `predict --model` and `train --resume`.
# ---------------------------------------------------------------------------------------


def central_directory(data: bytes) -> dict[str, int]:
    """Where each member's entry in the zip's central directory (its index) starts.

    An entry is 46 bytes, then the name; at +6 the version needed to extract, +8 the
    flags, +10 the compression method, +16 the CRC-32, +20 and +24 the sizes.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        pos, entries = zf.start_dir, {}
        for info in zf.infolist():
            entries[info.filename] = pos
            name, extra, comment = struct.unpack_from("<HHH", data, pos + 28)
            pos += 46 + name + extra + comment
    return entries


def local_header(data: bytes, name: str) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.getinfo(name).header_offset


def data_start(data: bytes, name: str) -> int:
    """Where the bytes of member ``name`` start (after its local header)."""
    at = local_header(data, name)
    name_length, extra_length = struct.unpack_from("<HH", data, at + 26)
    return at + 30 + name_length + extra_length


def put(data: bytes, offset: int, fmt: str, value: int) -> bytes:
    out = bytearray(data)
    struct.pack_into(fmt, out, offset, value)
    return bytes(out)


def xor(data: bytes, offset: int, mask: int) -> bytes:
    return data[:offset] + bytes([data[offset] ^ mask]) + data[offset + 1:]


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def rezip(data: bytes, replace: dict[str, bytes] | None = None,
          compress: dict[str, int] | None = None, add: tuple = ()) -> bytes:
    """The archive written anew, with correct CRCs and sizes, some members replaced."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Duplicate name": wanted, when added
        for name, blob in [*{**members(data), **(replace or {})}.items(), *add]:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = (compress or {}).get(name, zipfile.ZIP_STORED)
            zf.writestr(info, blob)
    return buf.getvalue()


def npy(a: np.ndarray, allow_pickle: bool = False) -> bytes:
    buf = io.BytesIO()
    np.save(buf, a, allow_pickle=allow_pickle)
    return buf.getvalue()


def npy_header_edit(blob: bytes, old: bytes, new: bytes) -> bytes:
    """``blob`` with ``old`` replaced by ``new`` in its .npy header, keeping its length."""
    (length,) = struct.unpack_from("<H", blob, 8)
    header = blob[10:10 + length]
    assert old in header, (old, header)
    header = header.replace(old, new, 1).rstrip(b" \n")
    header += b" " * (length - 1 - len(header)) + b"\n"
    assert len(header) == length
    return blob[:10] + header + blob[10 + length:]


def with_header(blob: bytes, header: bytes) -> bytes:
    """``blob`` (a .npy 1.0 file) with its header replaced by ``header``, of any length."""
    (length,) = struct.unpack_from("<H", blob, 8)
    return blob[:8] + struct.pack("<H", len(header)) + header + blob[10 + length:]


def edit_member(name: str, change: Callable[[bytes], bytes]) -> Callable[[bytes, Path], bytes]:
    return lambda data, _: rezip(data, {name: change(members(data)[name])})


def edit_meta(change: Callable[[dict], object]) -> Callable[[bytes, Path], bytes]:
    def make(data: bytes, _: Path) -> bytes:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            meta = json.loads(str(npz["meta"]))
        return rezip(data, {"meta.npy": npy(np.array(json.dumps(change(meta))))})
    return make


def at_cd(name: str, field: int, change: Callable[[bytes, int], bytes]) -> Callable:
    """A builder that edits ``field`` of member ``name``'s central directory entry."""
    return lambda data, _: change(data, central_directory(data)[name] + field)


def bomb(method: int) -> Callable[[bytes, Path], bytes]:
    """W1.npy compressed with ``method``: it inflates to 32 MiB, while the directory
    declares the size (and CRC) of the real W1.npy, the first bytes of the stream."""
    def make(data: bytes, _: Path) -> bytes:
        real = members(data)["W1.npy"]
        out = rezip(data, {"W1.npy": real + bytes(32 << 20)}, {"W1.npy": method})
        at = central_directory(out)["W1.npy"]
        out = put(out, at + 16, "<I", zlib.crc32(real))
        return put(out, at + 24, "<I", len(real))
    return make


def past_the_end(data: bytes, _: Path) -> bytes:
    """The last member's local header claims an extra field so long that its bytes
    would start 10 bytes before the end of the file: reading them runs out (EOFError)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        last = max(zf.infolist(), key=lambda i: i.header_offset)
    at = last.header_offset
    return put(data, at + 28, "<H", len(data) - 10 - (at + 30 + len(last.filename)))


def replace_data(blob: bytes, offset: int, new: bytes) -> bytes:
    (length,) = struct.unpack_from("<H", blob, 8)
    start = 10 + length + offset
    return blob[:start] + new + blob[start + len(new):]


def huge_shape(blob: bytes) -> bytes:
    """Same data, but a header claiming a (10^6, 10^6) float32 array: 4 TB."""
    (length,) = struct.unpack_from("<H", blob, 8)
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f4", "fortran_order": False, "shape": (10**6, 10**6)})
    return header.getvalue() + blob[10 + length:]


def object_array(data: bytes, folder: Path) -> bytes:
    return rezip(data, {"W1.npy": npy(np.array([Payload(folder / "the pickle ran")],
                                                dtype=object), allow_pickle=True)})


#: name -> (make the damaged file from a good one's bytes and a scratch folder,
#:          what the one-line error must say)
DAMAGED: dict[str, tuple[Callable[[bytes, Path], bytes], str]] = {
    # --- the zip layer: the central directory -----------------------------------------
    # Found by Hypothesis: offset 2170 of the small test model, XOR 64, turns W1.npy's
    # "version needed to extract" 45 (4.5, zip64) into 109, which zipfile cannot read.
    "zip version 10.9": (at_cd("W1.npy", 6, lambda d, at: xor(d, at, 64)),
                         "not a readable model file (NotImplementedError: zip file version 10.9)"),
    "unknown compression method": (at_cd("W1.npy", 10, lambda d, at: put(d, at, "<H", 99)),
                                   "W1.npy uses compression method 99"),
    "encrypted flag": (at_cd("W1.npy", 8, lambda d, at: xor(d, at, 0x1)),
                       "W1.npy is encrypted"),
    "patched-data flag (bit 5)": (at_cd("W1.npy", 8, lambda d, at: xor(d, at, 0x20)),
                                  "(NotImplementedError: compressed patched data (flag bit 5))"),
    "strong-encryption flag (bit 6)": (at_cd("W1.npy", 8, lambda d, at: xor(d, at, 0x40)),
                                       "(NotImplementedError: strong encryption (flag bit 6))"),
    "CRC in the directory": (at_cd("W1.npy", 16, lambda d, at: xor(d, at, 0x1)),
                             "(BadZipFile: Bad CRC-32 for file 'W1.npy')"),
    "sizes beyond the end of the file": (
        at_cd("W1.npy", 20, lambda d, at: put(put(d, at, "<I", 2**31), at + 4, "<I", 2**31)),
        "W1.npy has sizes that do not fit the file"),
    "sizes that disagree": (at_cd("W1.npy", 24, lambda d, at: xor(d, at, 0x1)),
                            "W1.npy has sizes that do not fit the file"),
    "UTF-8 flag on a name that is not UTF-8": (
        at_cd("W1.npy", 8, lambda d, at: put(put(d, at, "<H", 0x800), at + 38, "B", 0xFF)),
        "(UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff"),
    "a control character in a member name": (  # an ESC would reach the user's terminal
        at_cd("W1.npy", 46, lambda d, at: put(d, at, "B", 0x1B)),
        "has a member whose name is not printable"),
    "directory offset one past the truth": (
        lambda d, _: put(d, len(d) - 6, "<I", struct.unpack_from("<I", d, len(d) - 6)[0] + 1),
        "(OSError: [Errno 22] Invalid argument)"),
    "two members of the same name": (
        lambda d, _: rezip(d, add=[("W1.npy", members(d)["W1.npy"])]),
        "lists the same array twice"),
    # --- the zip layer: the members ------------------------------------------------------
    "a flipped byte in an array": (lambda d, _: xor(d, data_start(d, "W1.npy") + 130, 0x4),
                                   "(BadZipFile: Bad CRC-32 for file 'W1.npy')"),
    "cut inside an array": (lambda d, _: d[: data_start(d, "W1.npy") + 130],
                            "(BadZipFile: File is not a zip file)"),
    "member runs past the end of the file": (past_the_end, "(EOFError)"),
    "deflate bomb": (bomb(zipfile.ZIP_DEFLATED), "W1.npy uses compression method 8"),
    "bzip2 bomb": (bomb(zipfile.ZIP_BZIP2), "W1.npy uses compression method 12"),
    "member larger than its metadata allows": (
        edit_member("W1.npy", lambda _: npy(np.zeros((1000, 1000), np.float32))),
        "W1.npy declares 4000128 bytes; its metadata allows at most"),
    # --- the .npy layer (each member rebuilt with a correct CRC, so NumPy parses it) -----
    "bad .npy magic": (edit_member("W1.npy", lambda b: b"\x00" + b[1:]),
                       "W1.npy is not a valid .npy array (it does not start with the .npy "
                       "magic string)"),
    "only the .npy magic": (edit_member("W1.npy", lambda b: b[:6]),
                            "W1.npy is not a valid .npy array (it does not start with the "
                            ".npy magic string)"),
    ".npy version 3.0": (edit_member("W1.npy", lambda b: b[:6] + b"\x03" + b[7:]),
                         "W1.npy is a .npy file of version (3, 0)"),
    ".npy header length too short": (edit_member("W1.npy", lambda b: b[:8] + b"\x01" + b[9:]),
                                     "W1.npy is not a valid .npy array (its header is not a "
                                     "Python literal: SyntaxError)"),
    ".npy member cut inside its header": (edit_member("W1.npy", lambda b: b[:40]),
                                          "W1.npy is not a valid .npy array (its header is "
                                          "cut short)"),
    ".npy member cut inside its header's length": (
        edit_member("W1.npy", lambda b: b[:6] + b"\x02\x00\x01"),
        "W1.npy is not a valid .npy array (its header is cut short)"),
    ".npy 2.0 header of 4 GB": (
        edit_member("W1.npy", lambda b: b[:6] + b"\x02\x00" + b"\xff" * 4 + b[10:]),
        "W1.npy is not a valid .npy array (its header is longer than 4096 bytes)"),
    ".npy header longer than 4096 bytes": (  # the metadata's member may be that long
        edit_member("meta.npy", lambda b: with_header(b, b"{" + b" " * 5000 + b"}")),
        "meta.npy is not a valid .npy array (its header is longer than 4096 bytes)"),
    ".npy header with a bytes key": (
        edit_member("W1.npy", lambda b: npy_header_edit(b, b"'shape'", b"b'shape'")),
        "W1.npy is not a valid .npy array (its header is not a dict of descr, fortran_order "
        "and shape)"),
    ".npy header with a key more": (
        edit_member("W1.npy", lambda b: npy_header_edit(b, b"}", b"'x': 1, }")),
        "W1.npy is not a valid .npy array (its header is not a dict of descr"),
    ".npy header with an unhashable key": (
        edit_member("W1.npy", lambda b: npy_header_edit(b, b"'shape'", b"['shape']")),
        "W1.npy is not a valid .npy array (its header is not a Python literal: TypeError)"),
    ".npy header nested too deep": (
        edit_member("W1.npy", lambda b: with_header(
            b, b"{'descr': '<f4', 'fortran_order': False, 'shape': %s}"
            % (b"(" * 300 + b")" * 300))),
        "W1.npy is not a valid .npy array (its header is not a Python literal: SyntaxError)"),
    ".npy header with a NUL byte": (
        edit_member("W1.npy", lambda b: npy_header_edit(b, b"False", b"Fals\0")),
        "W1.npy is not a valid .npy array (its header is not a Python literal:"),
    # NumPy 1.x reads Python 2's "3L" without a word, 2.x with a warning: read by our own
    # rules, it is refused the same way on both (a regression case from the oldest-versions
    # CI step, where NumPy 1.24 loaded it).
    ".npy header in Python 2's syntax": (
        edit_member("W1.npy", lambda b: npy_header_edit(b, b"), }", b"L), }")),
        "W1.npy is not a valid .npy array (its header is not a Python literal: SyntaxError)"),
    ".npy shape with a negative size": (
        edit_member("W1.npy", lambda b: npy_header_edit(b, b"'shape': (", b"'shape': (-")),
        "W1.npy is not a valid .npy array (its shape is not a tuple of sizes)"),
    ".npy shape as a list": (
        edit_member("W1.npy", lambda b: npy_header_edit(
            npy_header_edit(b, b"'shape': (", b"'shape': ["), b"), }", b"], }")),
        "W1.npy is not a valid .npy array (its shape is not a tuple of sizes)"),
    ".npy shape with a bool": (
        edit_member("W1.npy", lambda b: npy_header_edit(b, b"'shape': (", b"'shape': (True, ")),
        "W1.npy is not a valid .npy array (its shape is not a tuple of sizes)"),
    ".npy fortran_order that is a number": (
        edit_member("W1.npy", lambda b: npy_header_edit(b, b"False", b"0")),
        "W1.npy is not a valid .npy array (its fortran_order is not True or False)"),
    ".npy dtype NumPy cannot parse": (
        edit_member("W1.npy", lambda b: npy_header_edit(b, b"'<f4'", b"',f4'")),
        "W1.npy is not a valid .npy array (its dtype ',f4' is neither a number nor text)"),
    ".npy dtype by a deprecated alias": (  # NumPy 1.x reads it as |S4, 2.x warns
        edit_member("W1.npy", lambda b: npy_header_edit(b, b"'<f4'", b"'<a4'")),
        "W1.npy is not a valid .npy array (its dtype '<a4' is neither a number nor text)"),
    ".npy dtype of a record": (
        edit_member("W1.npy", lambda b: npy_header_edit(b, b"'<f4'", b"[('a', '<f4')]")),
        "W1.npy is not a valid .npy array (its dtype [('a', '<f4')] is neither a number"),
    ".npy dtype of a long text": (
        edit_member("W1.npy", lambda b: npy_header_edit(b, b"'<f4'", b"'" + b"x" * 45 + b"'")),
        "(its dtype '" + "x" * 36 + "... is neither a number nor text)"),
    ".npy dtype of text longer than metadata may be": (
        edit_member("meta.npy", lambda b: npy_header_edit(b, b"'<U", b"'<U999999999#")),
        "meta.npy is not a valid .npy array (its dtype '<U999999999"),
    ".npy header claims 4 TB": (edit_member("W1.npy", huge_shape),
                                "array W1 has shape (1000000, 1000000) float32"),
    ".npy data shorter than its shape": (edit_member("W1.npy", lambda b: b[:-4]),
                                         "array W1 has"),
    "an object array (a pickle)": (object_array, "array W1 holds Python objects (a pickle)"),
    "metadata as an object array": (
        edit_member("meta.npy", lambda _: npy(np.array([{}], dtype=object), allow_pickle=True)),
        "its metadata is not a text"),
    # --- the metadata --------------------------------------------------------------------
    "metadata is not text": (edit_member("meta.npy", lambda _: npy(np.arange(3))),
                             "its metadata is not a text"),
    "metadata with an invalid code point": (
        edit_member("meta.npy", lambda b: replace_data(b, 0, b"\xff\xff\xff\xff")),
        "its metadata is not valid JSON (UnicodeDecodeError)"),
    "metadata that is not JSON": (edit_member("meta.npy", lambda _: npy(np.array("{nnscratch"))),
                                  "its metadata is not valid JSON (JSONDecodeError)"),
    "metadata nested 100000 deep": (
        edit_member("meta.npy", lambda _: npy(np.array("[" * 100_000 + "]" * 100_000))),
        "its metadata is not valid JSON (RecursionError)"),
    "metadata is a JSON list": (edit_meta(lambda meta: [meta]), "not an nnscratch model file"),
    "metadata's version is text": (edit_meta(lambda meta: {**meta, "format_version": "1"}),
                                   "not an nnscratch model file (incomplete metadata)"),
    "metadata gives an array a list as dtype": (
        edit_meta(lambda meta: {**meta, "arrays": {**meta["arrays"], "W1": {
            **meta["arrays"]["W1"], "dtype": ["<f4"]}}}),
        "the metadata of array W1 is not a shape, a numeric dtype and a checksum"),
}


@pytest.fixture(scope="module")
def small_model(tmp_path_factory) -> bytes:
    return _small_model_bytes(tmp_path_factory.mktemp("small"))


def test_the_byte_hypothesis_found_is_the_version_field(small_model):
    """The failure Hypothesis reported, byte for byte: offset 2170 XOR 64 of this file."""
    assert central_directory(small_model)["W1.npy"] + 6 == 2170
    assert small_model[2170] == 45
    assert xor(small_model, 2170, 64) == DAMAGED["zip version 10.9"][0](small_model, Path())


@pytest.mark.parametrize("case", sorted(DAMAGED))
def test_damaged_or_hostile_file_is_one_input_error(case, small_model, tmp_path):
    make, says = DAMAGED[case]
    path = tmp_path / "damaged.npz"
    path.write_bytes(make(small_model, tmp_path))
    with pytest.raises(InputError) as e:
        load_checkpoint(path)
    assert str(e.value).startswith(f"{path}: ") and "\n" not in str(e.value)
    assert says in str(e.value)
    assert not (tmp_path / "the pickle ran").exists()


HUGE = ["deflate bomb", "bzip2 bomb", "member larger than its metadata allows",
        "sizes beyond the end of the file", ".npy header claims 4 TB"]


@pytest.mark.parametrize("case", HUGE)
def test_a_member_claiming_much_is_refused_before_it_is_read(case, small_model, tmp_path):
    """The bombs inflate to 32 MiB and the large member holds 4 MB; refusing them must
    take less than 1 MiB of memory (so the checks run before anything is read)."""
    path = tmp_path / "huge.npz"
    path.write_bytes(DAMAGED[case][0](small_model, tmp_path))
    tracemalloc.start()
    try:
        with pytest.raises(InputError):
            load_checkpoint(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20, f"{peak} bytes allocated"


def test_bomb_is_real(small_model):
    """The bzip2 bomb does inflate: zipfile itself would decompress 32 MiB for it."""
    data = DAMAGED["bzip2 bomb"][0](small_model, Path())
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo("W1.npy")
        assert info.compress_size < 1000 and info.file_size < 200
        with zf.open(info) as f:
            tracemalloc.start()
            try:
                f.read(info.file_size)
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
    assert peak > 30 << 20


def test_metadata_larger_than_16_mib_is_refused_unread(small_model, tmp_path):
    big = rezip(small_model, {"meta.npy": npy(np.array("x" * (4 << 20)))})
    path = tmp_path / "bigmeta.npz"
    path.write_bytes(big)
    tracemalloc.start()
    try:
        with pytest.raises(InputError, match="meta.npy declares 16777344 bytes; its metadata "
                                             "allows at most 16777216"):
            load_model(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20


def test_a_file_from_np_savez_compressed_is_refused(tmp_path):
    params = params_784_4_10()
    save_model(tmp_path / "m.npz", params, {"activation": "relu"})
    data = (tmp_path / "m.npz").read_bytes()
    compressed = rezip(data, compress={name: zipfile.ZIP_DEFLATED for name in members(data)})
    (tmp_path / "c.npz").write_bytes(compressed)
    with pytest.raises(InputError, match="meta.npy uses compression method 8; model files "
                                         "are not compressed"):
        load_model(tmp_path / "c.npz")


def test_fortran_order_member_loads(tmp_path):
    """np.savez writes an F-contiguous array in Fortran order; the checksum is of C order."""
    path = tmp_path / "m.npz"
    save_model(path, _SMALL, {"activation": "relu"})
    data = rezip(path.read_bytes(), {"W1.npy": npy(np.asfortranarray(_SMALL["W1"]))})
    path.write_bytes(data)
    params, _ = load_model(path)
    np.testing.assert_array_equal(params["W1"], _SMALL["W1"])
    params["W1"] += 1  # the loaded arrays are writable (training resumes in place)


def test_missing_file_and_directory_read_like_every_other_reader(tmp_path):
    with pytest.raises(InputError, match="no such file or directory$"):
        load_model(tmp_path / "none.npz")
    with pytest.raises(InputError, match="is a directory, not a model file$"):
        load_model(tmp_path)
