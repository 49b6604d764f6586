"""Hidden-layer activations and their derivatives: ReLU and Leaky ReLU.

Each activation ``g`` comes as a pair: the forward function ``A = g(Z)`` and the backward
function ``dZ = dA * g'(Z)``, which carries the gradient ``dA = ∂L/∂A`` back through ``g``.
All arrays have the shape of ``Z``, ``(n_l, m)``; the functions act elementwise.

At exactly ``z = 0`` neither function is differentiable. We take the left-hand slope (the
slope for ``z < 0``), the convention of most libraries: ``relu'(0) = 0`` and
``leaky_relu'(0) = alpha``. Any value between the two one-sided slopes is a valid
subgradient; the textbook's ReLU chapter counts how rarely ``z == 0`` happens in practice.
"""

from collections.abc import Callable

import numpy as np


# --8<-- [start:relu]
def relu(Z: np.ndarray) -> np.ndarray:
    """``A = max(0, Z)``, elementwise; shape of ``Z``.

    >>> relu(np.array([[-2.0, 0.0, 3.0]]))
    array([[0., 0., 3.]])
    """
    return np.maximum(Z, 0)


def relu_backward(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """``dZ = dA * 1[Z > 0]``: the gradient passes where the unit was on, and stops elsewhere.

    ``dA`` and ``Z`` have the same shape ``(n_l, m)``; so does ``dZ``. At ``Z == 0`` the
    slope taken is 0.

    >>> relu_backward(np.array([[5.0, 5.0, 5.0]]), np.array([[-2.0, 0.0, 3.0]]))
    array([[0., 0., 5.]])
    """
    return dA * (Z > 0)
# --8<-- [end:relu]


# --8<-- [start:leaky_relu]
def leaky_relu(Z: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    """``A = Z`` where ``Z > 0``, else ``alpha * Z``; shape of ``Z``.

    >>> leaky_relu(np.array([[-2.0, 0.0, 3.0]]), alpha=0.5)
    array([[-1.,  0.,  3.]])
    """
    return np.where(Z > 0, Z, alpha * Z)


def leaky_relu_backward(dA: np.ndarray, Z: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    """``dZ = dA * (1 if Z > 0 else alpha)``; the slope at ``Z == 0`` is ``alpha``.

    >>> leaky_relu_backward(np.array([[4.0, 4.0, 4.0]]), np.array([[-2.0, 0.0, 3.0]]), alpha=0.5)
    array([[2., 2., 4.]])
    """
    return dA * np.where(Z > 0, 1.0, alpha).astype(dA.dtype, copy=False)
# --8<-- [end:leaky_relu]


# --8<-- [start:registry]
ACTIVATIONS = {
    "relu": (relu, relu_backward),
    "leaky_relu": (leaky_relu, leaky_relu_backward),
}
"""Name -> (forward, backward), the names accepted by the model and the command line."""
# --8<-- [end:registry]


# --8<-- [start:activation_pair]
def activation_pair(name: str, alpha: float = 0.01) -> tuple[Callable, Callable]:
    """The pair ``(g, g_backward)`` called ``name`` in :data:`ACTIVATIONS`, ``alpha`` fixed.

    ``g(Z)`` and ``g_backward(dA, Z)`` then take the same arguments for every activation,
    so the network's loops need not know which one they run.

    >>> g, g_backward = activation_pair("leaky_relu", alpha=0.5)
    >>> g(np.array([-2.0, 3.0])), g_backward(np.array([1.0, 1.0]), np.array([-2.0, 3.0]))
    (array([-1.,  3.]), array([0.5, 1. ]))
    >>> activation_pair("tanh")
    Traceback (most recent call last):
    ...
    ValueError: unknown activation 'tanh'; choose from ['leaky_relu', 'relu']
    """
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose from {sorted(ACTIVATIONS)}")
    g, g_backward = ACTIVATIONS[name]
    if name == "leaky_relu":
        return (lambda Z: g(Z, alpha)), (lambda dA, Z: g_backward(dA, Z, alpha))
    return g, g_backward
# --8<-- [end:activation_pair]
