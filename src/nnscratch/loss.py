"""Cross-entropy loss and its gradient, alone and combined with softmax.

For predicted probabilities ``A`` and one-hot targets ``Y`` (both ``(K, m)``) the mean
cross-entropy is ``L = -(1/m) sum_i sum_k Y_ki log A_ki`` (examples ``i``, classes ``k``).
The ``1/m`` of the mean ends up in every gradient of the network: we carry it in ``dZ``. (The
objective ``J = L +`` the L2 penalty has a second one of its own: the penalty's gradient
``(λ/m) W``, which ``network.backward`` adds to each weight gradient; see ``regularization``.)
The derivation of ``dZ = (A - Y)/m`` is the textbook's page on the softmax gradient.
"""

import numpy as np


# --8<-- [start:cross_entropy]
def cross_entropy(A: np.ndarray, Y: np.ndarray) -> float:
    """Mean cross-entropy ``L = -(1/m) Σ Y log A`` of probabilities ``A`` against targets ``Y``.

    ``A`` and ``Y`` have shape ``(K, m)``. Probabilities that underflowed to 0 are read as
    the smallest positive normal number of their dtype (``np.finfo(dtype).tiny``), so the
    loss stays finite (about 708 per example in float64) instead of becoming ``inf``.

    >>> A = np.array([[0.5, 0.25], [0.5, 0.75]])
    >>> Y = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> round(cross_entropy(A, Y), 6)  # (log 2 + log 4/3) / 2
    0.490415
    """
    m = Y.shape[1]
    tiny = np.finfo(A.dtype).tiny if np.issubdtype(A.dtype, np.floating) else 1e-300
    return float(-np.sum(Y * np.log(np.maximum(A, tiny))) / m)


def cross_entropy_backward(A: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """``dA = ∂L/∂A = -Y / (m A)``, shape ``(K, m)``.

    Only the entry of the true class is non-zero in each column. Composed with
    ``softmax_backward`` it gives the same result as :func:`softmax_cross_entropy_backward`.

    >>> cross_entropy_backward(np.array([[0.5], [0.5]]), np.array([[1.0], [0.0]]))
    array([[-2.],
           [-0.]])
    """
    m = Y.shape[1]
    return -Y / (m * A)
# --8<-- [end:cross_entropy]


# --8<-- [start:softmax_cross_entropy_backward]
def softmax_cross_entropy_backward(A: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """The gradient of the mean cross-entropy with respect to the scores: ``dZ = (A - Y) / m``.

    ``A = softmax(Z)`` and ``Y`` have shape ``(K, m)``; so does ``dZ``. The softmax Jacobian
    and the ``-Y/A`` of cross-entropy cancel to this difference; the ``1/m`` is the mean's.

    >>> softmax_cross_entropy_backward(np.array([[0.7, 0.2], [0.3, 0.8]]),
    ...                                np.array([[1.0, 1.0], [0.0, 0.0]]))
    array([[-0.15, -0.4 ],
           [ 0.15,  0.4 ]])
    """
    m = Y.shape[1]
    return (A - Y) / m
# --8<-- [end:softmax_cross_entropy_backward]
