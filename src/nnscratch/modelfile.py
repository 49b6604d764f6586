"""Model files: one ``.npz`` with the parameter arrays and a JSON metadata string.

The file holds ``W1, b1, ..., WL, bL`` as plain arrays and ``meta``, a 0-d unicode array
with a JSON object: layer sizes, activation, data scaling, library version, where the
training data came from (path and SHA-256, split seed and test fraction), the training
configuration, whether training completed, and for every array its shape, dtype and the
SHA-256 of its C-order bytes.

Reading trusts nothing in the file. The zip archive is opened with ``zipfile`` and its
members are accepted only as ``np.savez`` writes them (stored, not compressed or
encrypted, inside the file); the metadata is read first, within a size limit; then each
array's size is computed from the metadata's shape and dtype and compared with what the
archive declares *before* it is read, its ``.npy`` header is compared with the metadata,
and its bytes with the checksum. Python objects (pickles) are never loaded, so a model
file from someone else can never run code. Whatever is wrong, from a flipped byte to a
file built to exhaust memory, ends in one :class:`InputError` naming the file.

Writes are atomic: the file is written under a temporary name in the same folder and
renamed over the target, so a crash leaves the old file or the new one, never half of one.
"""

# --8<-- [start:imports]
import ast
import hashlib
import json
import math
import os
import re
import struct
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import numpy as np

from nnscratch import __version__
from nnscratch.errors import InputError, opening
from nnscratch.files import atomic_open

FORMAT = "nnscratch-model"
FORMAT_VERSION = 1
# --8<-- [end:imports]


# --8<-- [start:digest]
def array_digest(a: np.ndarray) -> str:
    """SHA-256 of the array's C-order bytes.

    >>> array_digest(np.zeros(2, dtype=np.uint8))[:16]
    '96a296d224f285c6'
    """
    return hashlib.sha256(np.asarray(a, order="C").tobytes()).hexdigest()
# --8<-- [end:digest]


# --8<-- [start:save]
def save_model(
    path: str | os.PathLike, params: dict[str, np.ndarray], meta: dict,
    state: dict[str, np.ndarray] | None = None,
) -> None:
    """Write ``params`` and ``meta`` to ``path`` atomically (see the module docstring).

    ``state`` holds extra arrays needed to resume training (the optimizer's running
    averages); they are stored as ``state/<name>`` and checked like the parameters.

    >>> import tempfile, pathlib
    >>> params = {"W1": np.ones((2, 3)), "b1": np.zeros((2, 1))}
    >>> with tempfile.TemporaryDirectory() as folder:   # removed again after the block
    ...     save_model(pathlib.Path(folder) / "m.npz", params, {"activation": "relu"})
    ...     loaded, meta = load_model(pathlib.Path(folder) / "m.npz")
    >>> loaded["W1"].shape, meta["activation"], meta["layer_sizes"]
    ((2, 3), 'relu', [3, 2])
    """
    path = Path(path)
    state = {f"state/{k}": np.asarray(v) for k, v in (state or {}).items()}
    L = len(params) // 2
    meta = {
        **meta,
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "library_version": __version__,
        "layer_sizes": [int(params["W1"].shape[1])]
        + [int(params[f"W{l}"].shape[0]) for l in range(1, L + 1)],
        "arrays": {
            k: {"shape": list(v.shape), "dtype": str(v.dtype), "sha256": array_digest(v)}
            for k, v in {**params, **state}.items()
        },
    }
    arrays = {k: np.asarray(v, order="C") for k, v in {**params, **state}.items()}
    with atomic_open(path, "wb") as f:
        np.savez(f, meta=np.array(json.dumps(meta)), **arrays)
# --8<-- [end:save]


# --8<-- [start:load]
# --8<-- [start:read]
def load_model(path: str | os.PathLike) -> tuple[dict[str, np.ndarray], dict]:
    """Read a model file; return ``(params, meta)`` or raise ``InputError`` saying what is wrong."""
    params, meta, _ = load_checkpoint(path)
    return params, meta


def load_checkpoint(
    path: str | os.PathLike,
) -> tuple[dict[str, np.ndarray], dict, dict[str, np.ndarray]]:
    """Like :func:`load_model`, and also return the saved training state (may be empty)."""
    with opening(path, "model file"), open(path, "rb") as f:
        meta, arrays = _read_file(path, f)
    state = {k.removeprefix("state/"): a for k, a in arrays.items() if k.startswith("state/")}
    params = {k: a for k, a in arrays.items() if not k.startswith("state/")}
    _check_architecture(path, params)
    in_order = sorted(params.items(), key=lambda kv: (int(kv[0][1:]), kv[0][0] == "b"))
    return dict(in_order), meta, state


def _read_file(path: str | os.PathLike, f: BinaryIO) -> tuple[dict, dict[str, np.ndarray]]:
    """The metadata and every array of the open model file ``f``, each checked."""
    with _zip_damage(path):
        zf = zipfile.ZipFile(f)
    with zf:
        members = _members(path, zf, file_size=os.fstat(f.fileno()).st_size)
        meta = _read_meta(path, zf, members["meta.npy"])
        expected = meta["arrays"]
        if set(members) != {"meta.npy", *(f"{k}.npy" for k in expected)}:
            raise InputError(path, "its arrays do not match its metadata")
        arrays = {k: _read_array(path, zf, members[f"{k}.npy"], k, want)
                  for k, want in expected.items()}
    return meta, arrays
# --8<-- [end:read]


# --8<-- [start:members]
# What zipfile raises on a damaged archive: a flipped or missing byte anywhere in a model
# file ends in one of these (tests/test_modelfile.py keeps a case of each).
ZIP_DAMAGE = (zipfile.BadZipFile, NotImplementedError, EOFError, OSError, ValueError)


@contextmanager
def _zip_damage(path: str | os.PathLike) -> Iterator[None]:
    """Inside the block, zipfile's complaints about damaged bytes become an InputError."""
    try:
        yield
    except ZIP_DAMAGE as e:
        detail = f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
        raise InputError(path, f"not a readable model file ({detail})") from None


def _members(
    path: str | os.PathLike, zf: zipfile.ZipFile, file_size: int,
) -> dict[str, zipfile.ZipInfo]:
    """The archive's members by name, each as ``np.savez`` writes it: stored, not encrypted.

    A stored member's bytes lie in the file itself, so checking that they fit inside it
    bounds whatever a damaged directory claims: nothing larger is ever read.
    """
    infos = zf.infolist()
    names = [info.filename for info in infos]
    if not all(name.isprintable() for name in names):  # they end up in our messages
        raise InputError(path, "has a member whose name is not printable (damaged)")
    if len(set(names)) != len(names):
        raise InputError(path, "lists the same array twice")
    if "meta.npy" not in names:
        raise InputError(path, "not an nnscratch model file (no metadata)")
    for info in infos:
        if info.flag_bits & 0x1:
            raise InputError(path, f"{info.filename} is encrypted; model files never are")
        if info.compress_type != zipfile.ZIP_STORED:
            raise InputError(path, f"{info.filename} uses compression method "
                                   f"{info.compress_type}; model files are not compressed")
        if info.compress_size != info.file_size or info.header_offset + info.file_size > file_size:
            raise InputError(path, f"{info.filename} has sizes that do not fit the file "
                                   "(damaged)")
    return dict(zip(names, infos, strict=True))


def _member_bytes(
    path: str | os.PathLike, zf: zipfile.ZipFile, info: zipfile.ZipInfo, at_most: int,
) -> bytes:
    """All bytes of one member; refused unread if it declares more than ``at_most``."""
    if info.file_size > at_most:
        raise InputError(path, f"{info.filename} declares {info.file_size} bytes; "
                               f"its metadata allows at most {at_most}")
    with _zip_damage(path), zf.open(info) as member:
        data = member.read(info.file_size)  # zipfile checks the CRC-32 after the last byte
    if len(data) != info.file_size:
        raise InputError(path, f"{info.filename} is truncated")
    return data
# --8<-- [end:members]


# --8<-- [start:npy]
# The dtypes an array may have: numbers, never Python objects (which would be a pickle),
# and how a .npy header names each, in either byte order ('<f4', '>f4', '|u1', ...).
NUMBER_DTYPES = ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                 "uint64", "float16", "float32", "float64")
NPY_DESCRS = {np.dtype(name).newbyteorder(order).str: np.dtype(name).newbyteorder(order)
              for name in NUMBER_DTYPES for order in "<>"}
NPY_KEYS = {"descr", "fortran_order", "shape"}
MAX_NPY_HEADER = 4096  # an array's .npy header: 128 bytes in practice
# What Python's literal parser raises on a damaged or hostile literal (nesting included).
LITERAL_DAMAGE = (SyntaxError, ValueError, TypeError, MemoryError, RecursionError)


def _npy_header(
    path: str | os.PathLike, name: str, data: bytes,
) -> tuple[tuple[int, ...], bool, np.dtype, int]:
    """Shape, Fortran order and dtype from the .npy header of ``data``, and where it ends.

    The header is read here, by the same rules on every NumPy, not by NumPy's reader,
    whose rules change between versions (NumPy 1.x silently reads Python 2's ``2L``,
    2.x reads it with a warning): a magic string, version 1.0 or 2.0, a length, then a
    Python literal that must be a dict of exactly a dtype, a bool and a tuple of sizes.
    """
    def invalid(why: str) -> InputError:
        return InputError(path, f"{name} is not a valid .npy array ({why})")
    if data[:6] != b"\x93NUMPY" or len(data) < 8:
        raise invalid("it does not start with the .npy magic string")
    version = (data[6], data[7])
    if version not in ((1, 0), (2, 0)):
        raise InputError(path, f"{name} is a .npy file of version {version}; "
                               "model files use 1.0 or 2.0")
    size = "<H" if version == (1, 0) else "<I"   # the header's length, little-endian
    start = 8 + struct.calcsize(size)
    if len(data) < start:
        raise invalid("its header is cut short")
    end = start + struct.unpack_from(size, data, 8)[0]
    if end - start > MAX_NPY_HEADER:
        raise invalid(f"its header is longer than {MAX_NPY_HEADER} bytes")
    if end > len(data):
        raise invalid("its header is cut short")
    try:
        header = ast.literal_eval(data[start:end].decode("latin-1"))
    except LITERAL_DAMAGE as e:
        raise invalid(f"its header is not a Python literal: {type(e).__name__}") from None
    if not (isinstance(header, dict) and header.keys() == NPY_KEYS):
        raise invalid("its header is not a dict of descr, fortran_order and shape")
    shape, fortran = header["shape"], header["fortran_order"]
    if not (type(shape) is tuple and all(type(n) is int and n >= 0 for n in shape)):
        raise invalid("its shape is not a tuple of sizes")
    if type(fortran) is not bool:
        raise invalid("its fortran_order is not True or False")
    return shape, fortran, _npy_dtype(path, name, header["descr"]), end


def _npy_dtype(path: str | os.PathLike, name: str, descr: object) -> np.dtype:
    """The dtype a .npy header's ``descr`` names: a number, text (the metadata's), or
    Python objects, which the caller refuses by name (naming the dtype unpickles nothing)."""
    if descr in ("|O", "<O", ">O"):
        return np.dtype(object)
    if isinstance(descr, str) and descr in NPY_DESCRS:
        return NPY_DESCRS[descr]
    text = re.fullmatch(r"([<>])U([0-9]{1,9})", descr) if isinstance(descr, str) else None
    if text and 4 * int(text[2]) <= MAX_META_BYTES:
        return np.dtype(descr)
    shown = repr(descr) if len(repr(descr)) <= 40 else repr(descr)[:37] + "..."
    raise InputError(path, f"{name} is not a valid .npy array (its dtype {shown} is "
                           "neither a number nor text)")
# --8<-- [end:npy]


# --8<-- [start:arrays]
MAX_META_BYTES = 16 << 20  # the JSON metadata; even a long run's history is far smaller


def _read_meta(path: str | os.PathLike, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> dict:
    """The metadata: a JSON object in a 0-d unicode array, for this format and version."""
    data = _member_bytes(path, zf, info, MAX_META_BYTES)
    shape, _, dtype, start = _npy_header(path, "meta.npy", data)
    if shape != () or dtype.kind != "U" or start + dtype.itemsize != len(data):
        raise InputError(path, "its metadata is not a text")
    try:  # NumPy stores the text as UTF-32 in the dtype's byte order, padded with NULs
        text = data[start:].decode("utf-32-be" if dtype.str[0] == ">" else "utf-32-le")
        meta = json.loads(text.rstrip("\0"))
    except (ValueError, RecursionError) as e:  # UnicodeDecodeError, JSONDecodeError; nesting
        raise InputError(path, f"its metadata is not valid JSON ({type(e).__name__})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise InputError(path, "not an nnscratch model file")
    version = meta.get("format_version")
    if not isinstance(version, int) or not isinstance(meta.get("arrays"), dict):
        raise InputError(path, "not an nnscratch model file (incomplete metadata)")
    if version > FORMAT_VERSION:
        raise InputError(path, "made by a newer nnscratch; upgrade to read it")
    return meta


def _declared(path: str | os.PathLike, name: str, want: object) -> tuple[tuple[int, ...],
                                                                       np.dtype]:
    """The shape and dtype the metadata records for array ``name``, if they make sense."""
    if not (isinstance(want, dict) and isinstance(want.get("shape"), list)
            and all(type(n) is int and n >= 0 for n in want["shape"])
            and want.get("dtype") in NUMBER_DTYPES and isinstance(want.get("sha256"), str)):
        raise InputError(path, f"the metadata of array {name} is not a shape, a numeric "
                               "dtype and a checksum")
    return tuple(want["shape"]), np.dtype(want["dtype"])


def _read_array(
    path: str | os.PathLike, zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str,
    want: object,
) -> np.ndarray:
    """Array ``name``, checked against its metadata ``want`` before and after reading."""
    shape, dtype = _declared(path, name, want)
    nbytes = math.prod(shape) * dtype.itemsize
    data = _member_bytes(path, zf, info, at_most=MAX_NPY_HEADER + nbytes)
    found, fortran, found_dtype, start = _npy_header(path, info.filename, data)
    if found_dtype.hasobject:
        raise InputError(path, f"array {name} holds Python objects (a pickle); "
                               "nnscratch never loads them")
    if found != shape or found_dtype != dtype:
        raise InputError(path, f"array {name} has shape {found} {found_dtype}, "
                               f"metadata says {shape} {dtype}")
    if start + nbytes != len(data):
        raise InputError(path, f"array {name} has {len(data) - start} bytes of data; "
                               f"its shape needs {nbytes}")
    flat = np.frombuffer(data, dtype, count=math.prod(shape), offset=start)
    a = flat.reshape(shape, order="F" if fortran else "C").copy()  # copy: writable, ours
    if array_digest(a) != want["sha256"]:
        raise InputError(path, f"array {name} does not match its checksum (edited or corrupt)")
    return a
# --8<-- [end:arrays]
# --8<-- [end:load]


# --8<-- [start:architecture]
def _check_architecture(path: str | os.PathLike, params: dict[str, np.ndarray]) -> None:
    L = len(params) // 2
    if not all(k[:1] in "Wb" and k[1:].isdigit() for k in params):
        raise InputError(path, "expected arrays W1, b1, ..., WL, bL")
    if L == 0 or set(params) != {f"{p}{l}" for l in range(1, L + 1) for p in "Wb"}:
        raise InputError(path, "expected arrays W1, b1, ..., WL, bL")
    for l in range(1, L + 1):
        W, b = params[f"W{l}"], params[f"b{l}"]
        if W.ndim != 2 or b.shape != (W.shape[0], 1):
            raise InputError(path, f"W{l} {W.shape} and b{l} {b.shape} do not fit together")
        if l > 1 and W.shape[1] != params[f"W{l - 1}"].shape[0]:
            raise InputError(path, f"W{l} does not take the output of layer {l - 1}")
# --8<-- [end:architecture]
