"""Softmax: turning the output layer's scores ``Z`` into probabilities ``A``.

``softmax(z)_k = exp(z_k) / sum_j exp(z_j)``, applied to each column of ``Z`` (shape ``(K, m)``),
so that every column of ``A`` is positive and sums to 1.
"""

import numpy as np


# --8<-- [start:softmax]
def softmax(Z: np.ndarray) -> np.ndarray:
    """Column-wise softmax of ``Z`` (shape ``(K, m)``), computed without overflow.

    Subtracting each column's maximum changes nothing mathematically (the factor
    ``exp(-max)`` cancels between numerator and denominator) but keeps every exponent
    ``<= 0``, so ``exp`` never overflows and the largest term is exactly 1.

    >>> softmax(np.array([[1.0, 1000.0], [1.0, 1000.0]]))
    array([[0.5, 0.5],
           [0.5, 0.5]])
    """
    E = np.exp(Z - Z.max(axis=0, keepdims=True))
    return E / E.sum(axis=0, keepdims=True)
# --8<-- [end:softmax]


# --8<-- [start:softmax_backward]
def softmax_jacobian(a: np.ndarray) -> np.ndarray:
    """The Jacobian ``D[k, j] = ∂a_k/∂z_j = a_k (δ_kj - a_j)`` of one softmax column ``a``.

    ``a`` has shape ``(K,)``; the result is the ``(K, K)`` symmetric matrix ``diag(a) - a aᵀ``.

    >>> softmax_jacobian(np.array([0.5, 0.5]))
    array([[ 0.25, -0.25],
           [-0.25,  0.25]])
    """
    return np.diag(a) - np.outer(a, a)


def softmax_backward(dA: np.ndarray, A: np.ndarray) -> np.ndarray:
    """Carry ``dA = ∂L/∂A`` back through softmax: ``dZ = A * (dA - sum_k A_k dA_k)`` per column.

    This is the Jacobian-vector product ``Dᵀ dA`` of :func:`softmax_jacobian`, done for all
    ``m`` columns at once without forming any ``(K, K)`` matrix. ``dA``, ``A`` and ``dZ`` have
    shape ``(K, m)``.

    >>> softmax_backward(np.array([[1.0], [0.0]]), np.array([[0.5], [0.5]]))
    array([[ 0.25],
           [-0.25]])
    """
    return A * (dA - np.sum(A * dA, axis=0, keepdims=True))
# --8<-- [end:softmax_backward]
