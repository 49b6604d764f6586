"""Writing whole files so that a crash never leaves half of one.

Every file ``nnscratch`` writes whole (model files, submissions, results files) goes through
:func:`atomic_open`: the bytes go to a temporary file in the target's own folder, are
flushed to the disk (``fsync``), and only then is the temporary file renamed over the
target. A rename within one folder is atomic, so a reader sees the old file or the new one,
never a mixture; an error on the way deletes the temporary file and leaves the target as it
was. The download, which must keep its partial ``.part`` file to resume, ends the same way
through :func:`rename_into_place`.
"""

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from nnscratch.errors import opening


# --8<-- [start:rename_into_place]
def rename_into_place(src: str | os.PathLike, dst: str | os.PathLike) -> None:
    """Flush ``src`` to the disk, then rename it to ``dst`` (same folder), replacing ``dst``.

    Renaming before the bytes are on the disk could, after a power cut, leave ``dst``
    naming an empty file; hence the ``fsync`` first. The folder is synced too where the
    system allows it, so that the rename itself survives.
    """
    with open(src, "rb") as f:
        os.fsync(f.fileno())
    os.replace(src, dst)
    if hasattr(os, "O_DIRECTORY"):  # POSIX: make the new directory entry durable
        fd = os.open(Path(dst).parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
# --8<-- [end:rename_into_place]


def _mode_for(target: Path) -> int:
    """The permissions ``target`` would get from a plain ``open``: its own if it exists,
    else ``0o666`` less the umask. (``mkstemp`` makes its file ``0o600``: a model file
    written through it would be private to its writer.)"""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


# --8<-- [start:atomic_open]
@contextmanager
def atomic_open(
    path: str | os.PathLike, mode: str = "w", *, encoding: str | None = None,
    newline: str | None = None,
) -> Iterator[IO]:
    """Open a temporary file beside ``path`` for writing; on leaving the block without an
    error it replaces ``path`` (see the module docstring), otherwise it is deleted.

    ``mode`` is ``"w"`` (text, ``encoding`` defaults to UTF-8) or ``"wb"``. A folder that
    does not exist or cannot be written is an :class:`~nnscratch.errors.InputError`.

    >>> import pathlib, tempfile
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_open(target) as f:
    ...     _ = f.write("all or nothing\\n")
    >>> target.read_text(), [p.name for p in target.parent.iterdir()]
    ('all or nothing\\n', ['out.txt'])
    """
    target = Path(path)
    with opening(path, "file", doing="write"):
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    if "b" not in mode and encoding is None:
        encoding = "utf-8"
    try:
        with os.fdopen(fd, mode, encoding=encoding, newline=newline) as f:
            os.chmod(tmp, _mode_for(target))
            yield f
        rename_into_place(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
# --8<-- [end:atomic_open]
