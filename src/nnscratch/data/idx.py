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
:func:`read_idx_folder` reads a folder's images-and-labels pair into a ``Dataset``.

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

# --8<-- [end:imports]
# nnscratch's own: the Dataset every reader returns (dataset.py), and the errors.
from nnscratch.data.dataset import N_PIXELS, Dataset, _check_float_dtype, _scale
from nnscratch.errors import InputError, as_typed, opening

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
    shown = as_typed(path)
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
