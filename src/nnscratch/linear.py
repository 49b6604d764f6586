"""The linear (fully connected) layer: ``Z = W A_prev + b``, and its backward pass.

Shapes: ``A_prev`` is ``(n_{l-1}, m)``, ``W`` is ``(n_l, n_{l-1})``, ``b`` is ``(n_l, 1)``
and ``Z`` is ``(n_l, m)``. The bias column is broadcast across the ``m`` columns.
"""

import numpy as np


# --8<-- [start:linear_forward]
def linear_forward(A_prev: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``Z = W A_prev + b``; ``(n_l, n_{l-1}) @ (n_{l-1}, m) + (n_l, 1) -> (n_l, m)``.

    >>> W = np.array([[1.0, 2.0], [0.0, -1.0]])
    >>> b = np.array([[10.0], [20.0]])
    >>> linear_forward(np.array([[1.0, 0.0], [1.0, 3.0]]), W, b)
    array([[13., 16.],
           [19., 17.]])
    """
    return W @ A_prev + b
# --8<-- [end:linear_forward]


# --8<-- [start:linear_backward]
def linear_backward(
    dZ: np.ndarray, A_prev: np.ndarray, W: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of the loss through ``Z = W A_prev + b``, given ``dZ = ∂L/∂Z`` ``(n_l, m)``.

    Returns ``(dA_prev, dW, db)``:

    - ``dW = dZ A_prevᵀ``, shape ``(n_l, n_{l-1})``: each example adds its outer product;
    - ``db = Σ_i dZ[:, i]``, shape ``(n_l, 1)``: the bias touches every example, so its
      gradient sums over the examples (axis 1) — and only over them, one sum per unit;
    - ``dA_prev = Wᵀ dZ``, shape ``(n_{l-1}, m)``: what flows on to the layer below.

    The ``1/m`` of the mean loss is already inside ``dZ``.

    >>> dZ = np.array([[1.0, 2.0], [0.0, 1.0]])
    >>> A_prev = np.array([[1.0, 0.0], [1.0, 3.0]])
    >>> dA_prev, dW, db = linear_backward(dZ, A_prev, np.array([[1.0, 2.0], [0.0, -1.0]]))
    >>> dW
    array([[1., 7.],
           [0., 3.]])
    >>> db
    array([[3.],
           [1.]])
    >>> dA_prev
    array([[1., 2.],
           [2., 3.]])
    """
    dW = dZ @ A_prev.T
    db = np.sum(dZ, axis=1, keepdims=True)
    dA_prev = W.T @ dZ
    return dA_prev, dW, db
# --8<-- [end:linear_backward]
