"""Measuring a classifier: accuracy, the confusion matrix, per-class accuracy, worst mistakes.

Labels are ``(m,)`` integer arrays; probabilities ``A`` are ``(K, m)``, one column per example.
"""

import numpy as np


# --8<-- [start:accuracy]
def accuracy(y_pred: np.ndarray, y_true: np.ndarray) -> float:
    """The fraction of examples whose predicted label equals the true one.

    >>> accuracy(np.array([1, 2, 3, 4]), np.array([1, 2, 0, 4]))
    0.75
    """
    if y_true.size == 0:
        return float("nan")
    return float(np.mean(y_pred == y_true))
# --8<-- [end:accuracy]


# --8<-- [start:confusion_matrix]
def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int = 10) -> np.ndarray:
    """``C[i, j]`` = how many examples of true class ``i`` were predicted as ``j``; ``(K, K)`` int.

    The diagonal holds the correct predictions; each row sums to the class's count.

    >>> confusion_matrix(np.array([0, 0, 1, 2]), np.array([0, 1, 1, 2]), n_classes=3)
    array([[1, 1, 0],
           [0, 1, 0],
           [0, 0, 1]])
    """
    C = np.zeros((n_classes, n_classes), dtype=np.int64)
    # np.add.at counts repeated (i, j) pairs; plain C[y_true, y_pred] += 1 would count each once.
    np.add.at(C, (y_true, y_pred), 1)
    return C


def per_class_accuracy(C: np.ndarray) -> np.ndarray:
    """Recall of each class: ``C[i, i] / Σ_j C[i, j]``, shape ``(K,)``; NaN for an absent class.

    >>> per_class_accuracy(np.array([[3, 1], [0, 2]]))
    array([0.75, 1.  ])
    """
    totals = C.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, np.diag(C) / totals, np.nan)
# --8<-- [end:confusion_matrix]


# --8<-- [start:worst_mistakes]
def worst_mistakes(A: np.ndarray, y_true: np.ndarray, k: int = 10) -> np.ndarray:
    """Indices of the ``k`` misclassified examples the model was most confident about.

    ``A`` is ``(K, m)`` probabilities. Confidence is the probability given to the (wrong)
    predicted class; the most confident mistakes often reveal mislabelled digits.

    >>> A = np.array([[0.9, 0.4, 0.2], [0.1, 0.6, 0.8]])
    >>> worst_mistakes(A, np.array([1, 0, 1]), k=5)   # example 0 (0.9 wrong), then 1 (0.6)
    array([0, 1])
    """
    y_pred = np.argmax(A, axis=0)
    wrong = np.flatnonzero(y_pred != y_true)
    confidence = A[y_pred[wrong], wrong]
    return wrong[np.argsort(-confidence, kind="stable")][:k]
# --8<-- [end:worst_mistakes]
