"""Loading handwritten digits into the book's layout: ``X`` is ``(784, m)``, ``y`` is ``(m,)``.

Every loader here returns a :class:`Dataset`. Column ``i`` of ``X`` is the ``i``-th image,
its 28x28 pixels flattened row by row into 784 numbers and scaled from the integers
``0..255`` to ``[0, 1]``; ``y[i]`` is its label ``0..9``. Three sources are understood, each
read by the module named for it:

* the **sample** packaged with ``nnscratch``: 10,000 real MNIST digits
  (:func:`load_sample`, ``sample.py``; the file lies in this folder);
* a **Kaggle CSV** ("digit-recognizer"): ``train.csv`` with a ``label`` column and
  ``pixel0..pixel783``, or ``test.csv`` with the pixels only (:func:`read_kaggle_csv`,
  ``kaggle_csv.py``);
* an **IDX folder** as distributed for MNIST and Fashion-MNIST (:func:`read_idx_folder`,
  ``idx.py``), fetched by ``download.py``.

:func:`load` picks the right one from a single string, as the command line does, and
:func:`train_test_split` (``split.py``) holds out part of a dataset for testing
(:func:`train_val_test_split`: a validation part too). Files that
cannot be read raise :class:`~nnscratch.errors.InputError` with a one-line message naming
the file.
"""

# --8<-- [start:imports]
import dataclasses
import os

import numpy as np

from nnscratch.data import download

# --8<-- [end:imports]
# The readers, re-exported: ``from nnscratch.data import load_sample`` and so on.
from nnscratch.data.dataset import N_PIXELS, Dataset
from nnscratch.data.idx import read_idx_folder
from nnscratch.data.kaggle_csv import PIXEL_COLUMNS, read_kaggle_csv
from nnscratch.data.sample import SAMPLE_SHA256, load_sample
from nnscratch.data.split import train_test_split, train_val_test_split
from nnscratch.errors import InputError, as_typed

__all__ = [
    "N_PIXELS", "PIXEL_COLUMNS", "SAMPLE_SHA256", "Dataset", "load", "load_sample",
    "read_idx_folder", "read_kaggle_csv", "train_test_split", "train_val_test_split",
]


# --8<-- [start:load]
def load(
    spec: str | os.PathLike | None, part: str = "train", dtype: type = np.float32
) -> Dataset:
    """Load whatever ``spec`` names: the sample, a CSV, an IDX folder or a downloaded dataset.

    The rules, in order:

    1. an existing **path** always wins: a directory is read with :func:`read_idx_folder`
       (``part`` chooses train or test), a file with :func:`read_kaggle_csv`;
    2. ``None`` or ``"sample"`` is the packaged sample (:func:`load_sample`);
    3. a dataset **name** from ``nnscratch.data.download.DATASETS`` (``"mnist"``,
       ``"fashion-mnist"``) is read from its download folder, ``cache_dir() / name``;
       if it is not there yet, the error says to run ``nnscratch download NAME``;
    4. anything else is ``InputError(spec, "no such file or directory")``.

    ``part`` only matters for IDX folders and dataset names; a CSV or the sample is one
    single part (split it with :func:`train_test_split`).

    >>> load("sample").X.shape
    (784, 10000)
    >>> load("no/such/train.csv")
    Traceback (most recent call last):
    ...
    nnscratch.errors.InputError: no/such/train.csv: no such file or directory
    """
    if spec is not None:
        shown = as_typed(spec)
        if os.path.isdir(shown):
            return read_idx_folder(shown, part, dtype)
        if os.path.exists(shown):
            return read_kaggle_csv(shown, dtype)
    if spec is None or shown == "sample":
        return load_sample(dtype)
    name = shown.lower()
    if name in download.DATASETS:
        folder = download.cache_dir() / name
        if not download.is_downloaded(name, folder):
            raise InputError(
                shown, f"dataset not downloaded yet; run `nnscratch download {name}` "
                f"(it will be saved in {folder})"
            )
        return dataclasses.replace(read_idx_folder(folder, part, dtype), source=name)
    raise InputError(shown, "no such file or directory")
# --8<-- [end:load]
