"""Reading IDX files, the binary format MNIST and Fashion-MNIST are distributed in.

An IDX file is a tiny header followed by raw bytes. All header numbers are 32-bit
unsigned integers, big-endian (most significant byte first)::

    offset  bytes  meaning
    0       2      always 0x00 0x00
    2       1      data type code: 0x08 = unsigned byte (the only one MNIST uses)
    3       1      number of dimensions d: 3 for images (n, 28, 28), 1 for labels (n,)
    4       4*d    the size of each dimension
    4+4d    ...    n * 28 * 28 (or n) data bytes, in C (row-major) order

so the *magic number* at offset 0 reads ``0x00000803`` for an image file and
``0x00000801`` for a label file. The files are usually gzipped (``.gz``); we accept both.

>>> import gzip, struct
>>> labels = struct.pack(">IIBBB", 0x00000801, 3, 7, 2, 1)   # header, then 3 label bytes
>>> parse_idx(labels, "labels.idx")
array([7, 2, 1], dtype=uint8)
>>> parse_idx(gzip.decompress(gzip.compress(labels)), "labels.idx.gz")
array([7, 2, 1], dtype=uint8)
"""

# --8<-- [start:imports]
import gzip
import hashlib
import os
import struct
import zlib

import numpy as np

from nnscratch.errors import InputError, opening

# --8<-- [end:imports]

# --8<-- [start:constants]
GZIP_MAGIC = b"\x1f\x8b"
"""The first two bytes of every gzip stream."""

UBYTE = 0x08
"""The IDX data type code for unsigned bytes, ``np.uint8``."""

SUPPORTED_DIMS = (1, 3)
"""Labels are 1-dimensional ``(n,)``, images 3-dimensional ``(n, rows, cols)``."""
# --8<-- [end:constants]


# --8<-- [start:read_file_bytes]
def read_file_bytes(path: str | os.PathLike) -> bytes:
    """The bytes of the file at ``path``; a missing or unreadable file is an :class:`InputError`.

    >>> read_file_bytes("no/such/file")
    Traceback (most recent call last):
    ...
    nnscratch.errors.InputError: no/such/file: no such file or directory
    """
    with opening(path), open(path, "rb") as f:
        return f.read()
# --8<-- [end:read_file_bytes]


# --8<-- [start:gunzip]
def gunzip(data: bytes, path: str | os.PathLike) -> bytes:
    """Decompress gzip ``data``, turning every kind of corruption into an :class:`InputError`.

    >>> gunzip(gzip.compress(b"hello"), "x.gz")
    b'hello'
    >>> gunzip(gzip.compress(b"hello")[:-3], "x.gz")
    Traceback (most recent call last):
    ...
    nnscratch.errors.InputError: x.gz: not a valid gzip file (truncated gzip data)
    """
    if not data.startswith(GZIP_MAGIC):
        raise InputError(path, "not a valid gzip file (it does not start with 1f 8b)")
    try:
        return gzip.decompress(data)
    except EOFError:
        raise InputError(path, "not a valid gzip file (truncated gzip data)") from None
    except (OSError, zlib.error) as e:
        raise InputError(path, f"not a valid gzip file ({e})") from None
# --8<-- [end:gunzip]


# --8<-- [start:parse_idx]
def parse_idx(data: bytes, path: str | os.PathLike) -> np.ndarray:
    """Parse the (already decompressed) bytes of one IDX file into a ``uint8`` array.

    The shape is read from the header: ``(n,)`` for labels, ``(n, rows, cols)`` for
    images. ``path`` is used only in error messages. The header must promise exactly as
    many data bytes as follow it: fewer means the file was truncated, more means
    something else was appended to it.

    >>> parse_idx(struct.pack(">IIII", 0x00000803, 1, 2, 2) + bytes([0, 255, 128, 1]), "im")
    array([[[  0, 255],
            [128,   1]]], dtype=uint8)
    >>> parse_idx(struct.pack(">II", 0x00000801, 5) + bytes(3), "lab")
    Traceback (most recent call last):
    ...
    nnscratch.errors.InputError: lab: truncated: the header promises 5 data bytes, but only 3 follow
    """
    if len(data) < 4:
        raise InputError(path, f"not an IDX file: only {len(data)} bytes, too short for a header")
    zero, dtype_code, ndim = struct.unpack(">HBB", data[:4])
    magic = int.from_bytes(data[:4], "big")
    if zero != 0:
        raise InputError(
            path, f"not an IDX file: magic number 0x{magic:08X} "
            "(expected 0x00000803 for images or 0x00000801 for labels)"
        )
    if dtype_code != UBYTE:
        raise InputError(
            path, f"unsupported IDX data type code 0x{dtype_code:02X} "
            "(only 0x08, unsigned byte, is supported)"
        )
    if ndim not in SUPPORTED_DIMS:
        raise InputError(
            path, f"unsupported IDX magic number 0x{magic:08X}: {ndim} dimensions "
            "(expected 0x00000803 for images or 0x00000801 for labels)"
        )
    header_size = 4 + 4 * ndim
    if len(data) < header_size:
        raise InputError(
            path, f"truncated: the header needs {header_size} bytes, the file has {len(data)}"
        )
    shape = struct.unpack(f">{ndim}I", data[4:header_size])
    expected = int(np.prod(shape, dtype=np.int64))
    actual = len(data) - header_size
    if actual < expected:
        raise InputError(
            path, f"truncated: the header promises {expected} data bytes, but only {actual} follow"
        )
    if actual > expected:
        raise InputError(
            path, f"trailing garbage: {actual - expected} extra bytes after the "
            f"{expected} data bytes the header promises"
        )
    # bytearray makes the result writable (np.frombuffer on bytes would be read-only).
    return np.frombuffer(bytearray(data[header_size:]), dtype=np.uint8).reshape(shape)
# --8<-- [end:parse_idx]


# --8<-- [start:read_idx]
def read_idx_with_sha256(path: str | os.PathLike) -> tuple[np.ndarray, str]:
    """:func:`read_idx`, plus the SHA-256 hex digest of the file's bytes as stored on disk.

    For a ``.gz`` file the digest is of the compressed bytes, i.e. what ``sha256sum``
    prints for that file.
    """
    raw = read_file_bytes(path)
    digest = hashlib.sha256(raw).hexdigest()
    if raw.startswith(GZIP_MAGIC) or os.fspath(path).endswith(".gz"):
        raw = gunzip(raw, path)
    return parse_idx(raw, path), digest


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read one IDX file, plain or gzipped, into a ``uint8`` array of the shape in its header.

    Images come back as ``(n, rows, cols)`` (``(n, 28, 28)`` for MNIST), labels as
    ``(n,)``. A gzip file is recognised by its first two bytes, ``1f 8b``, whatever its
    name. Anything that is not a well-formed unsigned-byte IDX file with 1 or 3
    dimensions (wrong magic number, another data type, truncated data, trailing bytes,
    a corrupt gzip stream) raises :class:`~nnscratch.errors.InputError` naming ``path``.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "labels").write_bytes(struct.pack(">II", 0x801, 4) + bytes([5, 0, 4, 1]))
    >>> read_idx(folder / "labels")
    array([5, 0, 4, 1], dtype=uint8)
    """
    return read_idx_with_sha256(path)[0]
# --8<-- [end:read_idx]
