"""Tests for nnscratch.data.split: holding out a test set."""

import numpy as np
import pytest

from nnscratch.data import train_test_split

# ------------------------------------------------------------------ train_test_split


def test_split_is_a_partition_and_deterministic():
    X = np.arange(3 * 10).reshape(3, 10)
    y = np.arange(10)
    X_tr, y_tr, X_te, y_te = train_test_split(X, y, 0.3, seed=5)
    assert X_te.shape == (3, 3) and X_tr.shape == (3, 7)
    assert sorted([*y_tr, *y_te]) == list(range(10))
    np.testing.assert_array_equal(X_tr[0], y_tr)  # columns and labels stay together
    np.testing.assert_array_equal(X_te[0], y_te)
    again = train_test_split(X, y, 0.3, seed=5)
    np.testing.assert_array_equal(again[3], y_te)
    assert not np.array_equal(train_test_split(X, y, 0.3, seed=6)[3], y_te)
    np.testing.assert_array_equal(X, np.arange(30).reshape(3, 10))  # inputs untouched


def test_split_edge_cases():
    X, y = np.zeros((784, 4), np.float32), np.arange(4)
    X_tr, y_tr, X_te, y_te = train_test_split(X, y, 0.0)
    assert X_te.shape == (784, 0) and y_te.shape == (0,) and X_tr.shape == (784, 4)
    X_tr, y_tr, X_te, y_te = train_test_split(X, y, 1.0)
    assert X_tr.shape == (784, 0) and X_te.shape == (784, 4)
    assert train_test_split(X, None, 0.5)[1] is None
    with pytest.raises(ValueError, match="test_fraction"):
        train_test_split(X, y, 1.5)
    with pytest.raises(ValueError, match="shape"):
        train_test_split(X, np.arange(3), 0.5)
