"""Evaluation (``nnscratch.evaluation``): accuracy, confusion matrix, per-class accuracy and
the most confident mistakes, including the traps: repeated (true, predicted) pairs, classes
absent from the data, ties, and empty inputs."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnscratch.evaluation import accuracy, confusion_matrix, per_class_accuracy, worst_mistakes


def test_accuracy():
    assert accuracy(np.array([0, 1, 2, 3]), np.array([0, 1, 2, 3])) == 1.0
    assert accuracy(np.array([1, 1, 1, 1]), np.array([0, 1, 2, 3])) == 0.25
    assert isinstance(accuracy(np.array([1]), np.array([1])), float)


def test_accuracy_of_nothing_is_nan():
    assert np.isnan(accuracy(np.array([], dtype=int), np.array([], dtype=int)))


def test_confusion_matrix_counts_repeated_pairs():
    # (0, 1) occurs three times: a plain `C[y, p] += 1` would count it once.
    y_true = np.array([0, 0, 0, 1, 2, 2])
    y_pred = np.array([1, 1, 1, 1, 2, 0])
    C = confusion_matrix(y_true, y_pred, n_classes=3)
    assert C.tolist() == [[0, 3, 0], [0, 1, 0], [1, 0, 1]]
    assert C.dtype.kind == "i"
    naive = np.zeros((3, 3), dtype=int)
    naive[y_true, y_pred] += 1
    assert not np.array_equal(naive, C), "the test must be able to tell the naive version"


def test_confusion_matrix_rows_are_class_counts():
    rng = np.random.default_rng(0)
    y_true, y_pred = rng.integers(0, 10, 500), rng.integers(0, 10, 500)
    C = confusion_matrix(y_true, y_pred)
    assert C.shape == (10, 10)
    assert C.sum() == 500
    assert np.array_equal(C.sum(axis=1), np.bincount(y_true, minlength=10))
    assert np.array_equal(C.sum(axis=0), np.bincount(y_pred, minlength=10))
    assert np.trace(C) / 500 == accuracy(y_pred, y_true)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), max_size=40))
def test_confusion_matrix_matches_counting_by_hand(pairs):
    y_true = np.array([t for t, _ in pairs], dtype=int)
    y_pred = np.array([p for _, p in pairs], dtype=int)
    C = confusion_matrix(y_true, y_pred, n_classes=5)
    for i in range(5):
        for j in range(5):
            assert C[i, j] == pairs.count((i, j))


def test_confusion_matrix_of_nothing_is_zero():
    C = confusion_matrix(np.array([], dtype=int), np.array([], dtype=int), n_classes=4)
    assert C.shape == (4, 4) and C.sum() == 0


def test_per_class_accuracy_with_an_absent_class():
    C = confusion_matrix(np.array([0, 0, 2, 2]), np.array([0, 1, 2, 2]), n_classes=3)
    acc = per_class_accuracy(C)
    assert acc.shape == (3,)
    assert acc[0] == 0.5 and acc[2] == 1.0
    assert np.isnan(acc[1]), "class 1 has no examples: its accuracy is undefined, not 0"


def test_per_class_accuracy_warns_about_nothing():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        per_class_accuracy(np.zeros((3, 3), dtype=int))


def _probs():
    # (K=3, m=5): columns 0, 2, 3 are wrong with confidence 0.5, 0.9, 0.7; 1 and 4 right.
    A = np.array([[0.5, 0.8, 0.05, 0.2, 0.1],
                  [0.3, 0.1, 0.9, 0.1, 0.1],
                  [0.2, 0.1, 0.05, 0.7, 0.8]])
    y = np.array([1, 0, 0, 1, 2])
    return A, y


def test_worst_mistakes_most_confident_first():
    A, y = _probs()
    assert worst_mistakes(A, y).tolist() == [2, 3, 0]


@pytest.mark.parametrize("k, expected", [(0, []), (1, [2]), (2, [2, 3]), (99, [2, 3, 0])])
def test_worst_mistakes_returns_at_most_k(k, expected):
    A, y = _probs()
    assert worst_mistakes(A, y, k=k).tolist() == expected


def test_worst_mistakes_ties_keep_example_order():
    A = np.array([[0.6, 0.6, 0.6], [0.4, 0.4, 0.4]])
    assert worst_mistakes(A, np.array([1, 1, 1])).tolist() == [0, 1, 2]


def test_worst_mistakes_when_everything_is_right_or_empty():
    A, _ = _probs()
    assert worst_mistakes(A, np.argmax(A, axis=0)).size == 0
    empty = worst_mistakes(np.zeros((3, 0)), np.array([], dtype=int))
    assert empty.size == 0 and empty.dtype.kind == "i"
