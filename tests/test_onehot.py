"""One-hot encoding (``nnscratch.onehot``): shape, values and dtype of ``one_hot``, the round
trip through ``predictions``, and the inputs it must refuse."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nnscratch.onehot import one_hot, predictions


def test_shape_values_and_dtype():
    Y = one_hot(np.array([3, 0, 3]), n_classes=4)
    assert Y.shape == (4, 3)
    assert Y.dtype == np.float64
    assert Y.tolist() == [[0, 1, 0], [0, 0, 0], [0, 0, 0], [1, 0, 1]]


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int8])
def test_dtype_is_honoured(dtype):
    assert one_hot(np.array([1, 0]), 2, dtype=dtype).dtype == dtype


def test_default_is_ten_classes_and_lists_are_accepted():
    Y = one_hot([9, 0])
    assert Y.shape == (10, 2) and Y[9, 0] == 1 and Y[0, 1] == 1


def test_no_labels_give_an_empty_matrix():
    assert one_hot(np.array([], dtype=int), n_classes=3).shape == (3, 0)


@pytest.mark.parametrize(
    "y, K", [([0, 3], 3), ([-1, 0], 3), ([10], 10)], ids=["too big", "negative", "K itself"]
)
def test_rejects_labels_outside_the_range(y, K):
    with pytest.raises(ValueError, match=rf"labels must lie in 0\.\.{K - 1}"):
        one_hot(np.array(y), n_classes=K)


@pytest.mark.parametrize("y", [np.zeros((2, 3), int), np.array(1)], ids=["2-D", "scalar"])
def test_rejects_anything_but_a_vector(y):
    with pytest.raises(ValueError, match=r"shape \(m,\)"):
        one_hot(y)


def test_predictions_picks_the_largest_row():
    A = np.array([[0.1, 0.5, 0.2], [0.7, 0.2, 0.2], [0.2, 0.3, 0.6]])
    assert predictions(A).tolist() == [1, 0, 2]


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 12).flatmap(
        lambda K: st.tuples(
            st.just(K),
            hnp.arrays(np.int64, st.integers(0, 50), elements=st.integers(0, K - 1)),
        )
    )
)
def test_round_trip_and_columns_are_distributions(case):
    K, y = case
    Y = one_hot(y, n_classes=K)
    assert Y.shape == (K, y.size)
    assert set(np.unique(Y)) <= {0.0, 1.0}
    assert np.array_equal(Y.sum(axis=0), np.ones(y.size))
    assert np.array_equal(Y.sum(axis=1), np.bincount(y, minlength=K))
    assert np.array_equal(predictions(Y), y)
    assert np.array_equal(Y[y, np.arange(y.size)], np.ones(y.size))
