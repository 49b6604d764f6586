"""The sample packaged with ``nnscratch``: 10,000 real MNIST digits (``mnist10k.csv.gz``).

The file lies beside this module, with ``PROVENANCE.md`` saying where it comes from; it is a
Kaggle-format CSV, gzipped, read by :mod:`nnscratch.data.kaggle_csv` and checked against
:data:`SAMPLE_SHA256` first.
"""

# --8<-- [start:imports]
import functools
from importlib import resources

import numpy as np

# --8<-- [end:imports]
# The CSV reader and the scaling of kaggle_csv.py and dataset.py:
from nnscratch.data.dataset import Dataset, _check_float_dtype, _scale
from nnscratch.data.download import sha256_file
from nnscratch.data.kaggle_csv import _read_csv_uint8
from nnscratch.errors import InputError

# --8<-- [start:constants]
SAMPLE_SHA256 = "af9fe47f8ef747122a87c3cbf98c1f6adfccc4237a5de720907db84aea43ad05"
"""SHA-256 of the packaged ``data/mnist10k.csv.gz`` (see ``data/PROVENANCE.md``)."""
# --8<-- [end:constants]


# --8<-- [start:sample]
@functools.lru_cache(maxsize=4)
def _sample_arrays(dtype_name: str) -> tuple[np.ndarray, np.ndarray, str]:
    """Parse the packaged sample once per dtype; the arrays are frozen read-only."""
    resource = resources.files("nnscratch.data") / "mnist10k.csv.gz"
    with resources.as_file(resource) as path:
        digest = sha256_file(path)
        if digest != SAMPLE_SHA256:
            raise InputError(
                "sample", f"the packaged mnist10k.csv.gz is damaged (sha256 {digest}, "
                f"expected {SAMPLE_SHA256}); reinstall nnscratch"
            )
        pixels, labels = _read_csv_uint8(path, "sample")
    X = _scale(pixels, np.dtype(dtype_name))
    assert labels is not None  # the sample is a train.csv
    X.setflags(write=False)
    labels.setflags(write=False)
    return X, labels, digest


def load_sample(dtype: type = np.float32) -> Dataset:
    """The 10,000 MNIST digits in the package: ``X`` is ``(784, 10000)``, ``y`` ``(10000,)``.

    The file (``nnscratch/data/mnist10k.csv.gz``, described in ``PROVENANCE.md`` beside
    it) is found with :mod:`importlib.resources`, so this works from an installed wheel.
    It is parsed once per process; every call returns fresh copies, so changing the
    arrays you get back cannot change what the next caller sees.

    >>> d = load_sample()
    >>> d.X.shape, d.X.dtype, d.y[:10]
    ((784, 10000), dtype('float32'), array([3, 8, 1, 0, 4, 0, 9, 3, 4, 9]))
    >>> d.source, float(d.X.min()), float(d.X.max())
    ('sample', 0.0, 1.0)
    """
    dt = _check_float_dtype(dtype)
    X, y, digest = _sample_arrays(dt.name)
    return Dataset(X.copy(), y.copy(), "sample", digest)
# --8<-- [end:sample]
