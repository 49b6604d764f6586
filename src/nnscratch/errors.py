"""One exception for everything a user can get wrong about their input files.

A reader of the book will sooner or later point ``nnscratch`` at the wrong file: a CSV
without a header, a truncated download, a folder that lacks the labels. Such mistakes
are not bugs in the program, so they should not end in a traceback. Every reader in
``nnscratch.data`` (and its ``idx`` and ``download`` modules) raises
:class:`InputError` instead, and the command line prints ``str(error)``: one line that
names the file *as the user typed it* and says what is wrong with it.

>>> e = InputError("digits/train.csv", "missing columns: pixel782, pixel783")
>>> str(e)
'digits/train.csv: missing columns: pixel782, pixel783'
>>> e.path, e.problem
('digits/train.csv', 'missing columns: pixel782, pixel783')
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager


# --8<-- [start:as_typed]
def as_typed(path: str | os.PathLike) -> str:
    """``path`` as the user typed it: a ``str`` unchanged, an ``os.PathLike`` as its string.

    Messages name this, not some resolved absolute path, so they point at what was typed.

    >>> from pathlib import Path
    >>> as_typed(Path("data") / "train.csv"), as_typed("mnist")
    ('data/train.csv', 'mnist')
    """
    return os.fspath(path) if isinstance(path, os.PathLike) else str(path)
# --8<-- [end:as_typed]


# --8<-- [start:input_error]
class InputError(Exception):
    """Bad user input: ``str(e) == f"{path}: {problem}"``, on one line.

    ``path`` is kept exactly as the user gave it (a ``str`` or ``os.PathLike``; a URL or a
    dataset name also works), so the message points at what they typed rather than at
    some resolved absolute path. Line breaks in ``problem`` are folded into spaces so the
    message always fits on one line.

    >>> from pathlib import Path
    >>> str(InputError(Path("data") / "t10k-labels-idx1-ubyte", "truncated:\\n8 bytes"))
    'data/t10k-labels-idx1-ubyte: truncated: 8 bytes'
    """

    def __init__(self, path: str | os.PathLike, problem: str):
        self.path = as_typed(path)
        self.problem = " ".join(str(problem).split("\n")).replace("\r", " ")
        super().__init__(f"{self.path}: {self.problem}")

    def __reduce__(self):
        # Exceptions are pickled as ``cls(*self.args)``; ours takes two arguments, not one.
        return (type(self), (self.path, self.problem))
# --8<-- [end:input_error]


# --8<-- [start:opening]
@contextmanager
def opening(path: str | os.PathLike, kind: str = "file", doing: str = "read") -> Iterator[None]:
    """Inside the block, the operating system's refusals become an :class:`InputError`.

    Every reader opens its files inside ``with opening(path, "CSV file"):`` (and every
    writer inside ``opening(path, doing="write")``), so a missing file, a folder given for
    a file or a permission problem reads the same wherever it happens.

    >>> with opening("no/such.csv", "CSV file"):
    ...     open("no/such.csv")
    Traceback (most recent call last):
    ...
    nnscratch.errors.InputError: no/such.csv: no such file or directory
    """
    try:
        yield
    except FileNotFoundError:
        raise InputError(path, "no such file or directory") from None
    except IsADirectoryError:
        raise InputError(path, f"is a directory, not a {kind}") from None
    except PermissionError:
        raise InputError(path, "permission denied") from None
    except OSError as e:
        raise InputError(path, f"cannot {doing}: {e.strerror or e}") from None
# --8<-- [end:opening]
