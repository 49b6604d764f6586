"""One-hot encoding: labels ``y`` of shape ``(m,)`` to a matrix ``Y`` of shape ``(K, m)``.

Column ``i`` of ``Y`` is the ``y_i``-th standard basis vector of R^K: a 1 in row ``y_i`` and
0 elsewhere. This is the target distribution that cross-entropy compares the softmax to.
"""

import numpy as np


# --8<-- [start:one_hot]
def one_hot(y: np.ndarray, n_classes: int = 10, dtype: type = np.float64) -> np.ndarray:
    """Encode integer labels as the columns of a one-hot matrix.

    ``y`` has shape ``(m,)`` with values in ``0..K-1``; the result ``Y`` has shape
    ``(K, m)`` with ``Y[k, i] = 1`` exactly when ``y[i] == k``.

    >>> one_hot(np.array([2, 0, 1]), n_classes=3)
    array([[0., 1., 0.],
           [0., 0., 1.],
           [1., 0., 0.]])
    """
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"labels must have shape (m,), got {y.shape}")
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(f"labels must lie in 0..{n_classes - 1}")
    Y = np.zeros((n_classes, y.size), dtype=dtype)
    # Fancy indexing sets one entry per column: row y[i], column i.
    Y[y, np.arange(y.size)] = 1
    return Y
# --8<-- [end:one_hot]


# --8<-- [start:from_one_hot]
def predictions(A: np.ndarray) -> np.ndarray:
    """The predicted label of each column: the row with the largest value.

    ``A`` has shape ``(K, m)`` (probabilities or scores); the result has shape ``(m,)``.
    It inverts :func:`one_hot` on one-hot columns.

    >>> predictions(np.array([[0.1, 0.7], [0.9, 0.3]]))
    array([1, 0])
    """
    return np.argmax(A, axis=0)
# --8<-- [end:from_one_hot]
