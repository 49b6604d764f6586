"""What every reader returns: a :class:`Dataset`, ``X`` ``(784, m)`` in ``[0, 1]``, ``y`` ``(m,)``.

The readers (``kaggle_csv``, ``idx``, ``sample``) all end the same way: ``(m, 784)``
unsigned-byte pixels become the book's ``X`` with :func:`_scale`.
"""

# --8<-- [start:imports]
from dataclasses import dataclass

import numpy as np

# --8<-- [end:imports]

# --8<-- [start:constants]
N_PIXELS = 784
"""28 * 28 pixels per image, i.e. the number of rows of ``X``."""
# --8<-- [end:constants]


# --8<-- [start:dataset]
@dataclass(frozen=True, eq=False)
class Dataset:
    """Images and labels in the book's layout, plus where they came from.

    ``X`` is ``(784, m)`` (float32 unless another float dtype was asked for) with values
    in ``[0, 1]``, one column per example; ``y`` is ``(m,)`` int64 labels ``0..9``, or
    ``None`` for an unlabelled file such as Kaggle's ``test.csv``. ``source`` is the path
    as given (or ``"sample"``, or a dataset name like ``"mnist"``) and ``sha256`` the
    checksum of the bytes read, so a result can always be traced to its exact input.

    >>> d = Dataset(np.zeros((784, 2), np.float32), np.array([3, 1]), "two.csv", "0" * 64)
    >>> d.m
    2
    >>> d
    Dataset(source='two.csv', X=(784, 2) float32, y=(2,) int64, sha256='000000000000…')
    """

    X: np.ndarray
    y: np.ndarray | None
    source: str
    sha256: str

    @property
    def m(self) -> int:
        """The number of examples, ``X.shape[1]``."""
        return self.X.shape[1]

    def __repr__(self) -> str:
        y = "None" if self.y is None else f"{self.y.shape} {self.y.dtype}"
        return (
            f"Dataset(source={self.source!r}, X={self.X.shape} {self.X.dtype}, y={y}, "
            f"sha256='{self.sha256[:12]}…')"
        )
# --8<-- [end:dataset]


# --8<-- [start:scale]
def _check_float_dtype(dtype: type | np.dtype) -> np.dtype:
    """``dtype`` as a NumPy dtype; a ``ValueError`` unless it is a float type."""
    dt = np.dtype(dtype)
    if dt.kind != "f":
        raise ValueError(f"dtype must be a floating point type such as np.float32, got {dt}")
    return dt


def _scale(pixels: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """``(m, 784)`` uint8 pixels to the ``(784, m)`` C-contiguous matrix ``pixels.T / 255``.

    The transpose is done once, while converting, and the division is in place, so
    the only large array allocated is the result itself.

    >>> _scale(np.array([[0, 51, 255]], dtype=np.uint8), np.dtype(np.float32))
    array([[0. ],
           [0.2],
           [1. ]], dtype=float32)
    """
    X = np.ascontiguousarray(pixels.T, dtype=dtype)
    X /= 255
    return X
# --8<-- [end:scale]
