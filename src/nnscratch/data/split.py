"""Holding out part of a dataset for testing: one seeded permutation of the columns."""

# --8<-- [start:imports]
import numpy as np

# --8<-- [end:imports]


# --8<-- [start:train_test_split]
def train_test_split(
    X: np.ndarray, y: np.ndarray | None, test_fraction: float = 0.3, seed: int = 0
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray, np.ndarray | None]:
    """Shuffle the ``m`` columns of ``X`` ``(n, m)`` and the labels ``y`` ``(m,)``, then split.

    The permutation is ``np.random.default_rng(seed).permutation(m)``; its first
    ``round(test_fraction * m)`` entries are the test examples, the rest the training
    examples. The same ``seed`` always gives the same split, and the inputs are not
    modified. Returns ``(X_train, y_train, X_test, y_test)``; ``y`` may be ``None``.

    >>> X = np.arange(10).reshape(2, 5)        # 5 examples with 2 features each
    >>> y = np.array([0, 1, 2, 3, 4])
    >>> np.random.default_rng(0).permutation(5)
    array([2, 4, 3, 0, 1])
    >>> X_train, y_train, X_test, y_test = train_test_split(X, y, test_fraction=0.4)
    >>> X_test, y_test                          # round(0.4 * 5) = 2 columns: 2 and 4
    (array([[2, 4],
           [7, 9]]), array([2, 4]))
    >>> y_train
    array([3, 0, 1])
    >>> train_test_split(X, y, test_fraction=0)[2].shape
    (2, 0)
    """
    if not 0 <= test_fraction <= 1:
        raise ValueError(f"test_fraction must lie in [0, 1], got {test_fraction}")
    m = X.shape[1]
    if y is not None and y.shape != (m,):
        raise ValueError(f"y must have shape ({m},) to match X {X.shape}, got {y.shape}")
    order = np.random.default_rng(seed).permutation(m)
    n_test = round(test_fraction * m)
    test, train = order[:n_test], order[n_test:]
    return (
        X[:, train], None if y is None else y[train],
        X[:, test], None if y is None else y[test],
    )
# --8<-- [end:train_test_split]


# --8<-- [start:train_val_test_split]
def train_val_test_split(
    X: np.ndarray, y: np.ndarray | None, test_fraction: float = 0.3,
    val_fraction: float = 0.0, seed: int = 0,
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray, np.ndarray | None,
           np.ndarray, np.ndarray | None]:
    """Training, validation and test parts of ``X`` ``(n, m)`` and ``y`` ``(m,)`` from one seed.

    The test part is exactly :func:`train_test_split`'s (the first ``round(test_fraction·m)``
    entries of the same permutation), whatever ``val_fraction`` is; the validation part is
    the next ``round(val_fraction · m_rest)`` entries, a fraction of what is left for
    training, and the training part the rest. No column is in two parts. Returns
    ``(X_train, y_train, X_val, y_val, X_test, y_test)``.

    >>> X, y = np.arange(10).reshape(2, 5), np.array([0, 1, 2, 3, 4])
    >>> parts = train_val_test_split(X, y, test_fraction=0.4, val_fraction=1 / 3)
    >>> [p.tolist() for p in parts[1::2]]     # permutation [2, 4, 3, 0, 1]: test 2, 4; val 3
    [[0, 1], [3], [2, 4]]
    """
    if not 0 <= val_fraction < 1:
        raise ValueError(f"val_fraction must lie in [0, 1), got {val_fraction}")
    X_rest, y_rest, X_test, y_test = train_test_split(X, y, test_fraction, seed)
    n_val = round(val_fraction * X_rest.shape[1])
    return (X_rest[:, n_val:], None if y is None else y_rest[n_val:],
            X_rest[:, :n_val], None if y is None else y_rest[:n_val], X_test, y_test)
# --8<-- [end:train_val_test_split]
