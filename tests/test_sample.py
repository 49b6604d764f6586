"""Tests for nnscratch.data.sample: the 10,000 digits packaged with the library."""

import numpy as np

from nnscratch.data import SAMPLE_SHA256, load_sample

# ------------------------------------------------------------------ sample


def test_sample():
    d = load_sample()
    assert d.X.shape == (784, 10_000) and d.X.dtype == np.float32
    assert d.y.shape == (10_000,) and d.y.dtype == np.int64
    assert d.sha256 == SAMPLE_SHA256
    assert d.source == "sample"
    counts = np.bincount(d.y, minlength=10)
    assert counts.tolist() == [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]
    assert d.X.min() == 0 and d.X.max() == 1


def test_sample_cannot_be_corrupted_by_callers():
    d = load_sample()
    d.X[:] = 7
    d.y[:] = 7
    again = load_sample()
    assert again.X.max() == 1 and again.y[0] == 3


def test_sample_float64():
    assert load_sample(np.float64).X.dtype == np.float64
