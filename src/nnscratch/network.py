"""The whole network: forward and backward passes through any number of layers.

A network with layer sizes ``[n_0, n_1, ..., n_L]`` (e.g. ``[784, 100, 100, 10]``) is its
parameter dict ``params = {"W1", "b1", ..., "WL", "bL"}`` plus the name of its hidden
activation. Hidden layers compute ``A[l] = g(W[l] A[l-1] + b[l])``; the output layer
uses softmax. ``X = A[0]`` is ``(n_0, m)``; the output ``A[L]`` is ``(n_L, m)``.

This module only composes the pieces derived in the book: ``linear``, ``activations``,
``softmax``, ``loss`` and ``regularization``.
"""

import numpy as np

from nnscratch.activations import activation_pair
from nnscratch.linear import linear_backward, linear_forward
from nnscratch.loss import cross_entropy, softmax_cross_entropy_backward
from nnscratch.onehot import predictions
from nnscratch.regularization import l2_backward, l2_penalty
from nnscratch.softmax import softmax

Params = dict[str, np.ndarray]
"""``{"W1": W[1], "b1": b[1], ..., "WL": W[L], "bL": b[L]}``: a network's parameters (and,
with the same keys, their gradients)."""
Cache = list[tuple[np.ndarray, np.ndarray]]
"""Per layer ``l = 1..L``: the pair ``(A[l-1], Z[l])`` that the backward pass needs."""


def n_layers(params: Params) -> int:
    """``L``, the number of weight layers (hidden layers + output layer).

    >>> n_layers({"W1": 0, "b1": 0, "W2": 0, "b2": 0})
    2
    """
    return len(params) // 2


def layer_sizes(params: Params) -> list[int]:
    """``[n_0, n_1, ..., n_L]`` read off the weight shapes.

    >>> layer_sizes({"W1": np.zeros((3, 4)), "b1": np.zeros((3, 1)),
    ...              "W2": np.zeros((2, 3)), "b2": np.zeros((2, 1))})
    [4, 3, 2]
    """
    L = n_layers(params)
    return [params["W1"].shape[1]] + [params[f"W{l}"].shape[0] for l in range(1, L + 1)]


# --8<-- [start:forward]
def forward(
    params: Params, X: np.ndarray, activation: str = "relu", alpha: float = 0.01
) -> tuple[np.ndarray, Cache]:
    """Run ``X`` ``(n_0, m)`` through the network; return ``A[L]`` ``(n_L, m)`` and the cache.

    >>> params = {"W1": np.array([[1.0, -1.0]]), "b1": np.array([[0.0]]),
    ...           "W2": np.array([[1.0], [-1.0]]), "b2": np.array([[0.0], [0.0]])}
    >>> AL, cache = forward(params, np.array([[2.0, 0.0], [1.0, 1.0]]))
    >>> AL.round(4)   # column 1: hidden unit is 1, scores (1, -1); column 2: ReLU stops it
    array([[0.8808, 0.5   ],
           [0.1192, 0.5   ]])
    """
    g, _ = activation_pair(activation, alpha)
    L = n_layers(params)
    A, cache = X, []
    for l in range(1, L + 1):
        Z = linear_forward(A, params[f"W{l}"], params[f"b{l}"])
        cache.append((A, Z))
        A = softmax(Z) if l == L else g(Z)
    return A, cache
# --8<-- [end:forward]


# --8<-- [start:backward]
def backward(
    params: Params, cache: Cache, AL: np.ndarray, Y: np.ndarray,
    activation: str = "relu", alpha: float = 0.01, lam: float = 0.0,
) -> Params:
    """Gradients of the mean cross-entropy (+ L2 penalty ``lam``) for every parameter.

    ``AL`` and the one-hot ``Y`` are ``(n_L, m)``. Returns a dict with the keys of
    ``params``: ``grads["W3"]`` is ``∂J/∂W[3]`` with the shape of ``W[3]``, and so on, where
    ``J`` is the objective of ``loss`` (with ``lam=0``, the mean cross-entropy alone).

    >>> params = {"W1": np.array([[1.0, -1.0]]), "b1": np.array([[0.0]]),
    ...           "W2": np.array([[1.0], [-1.0]]), "b2": np.array([[0.0], [0.0]])}
    >>> X, Y = np.array([[2.0], [1.0]]), np.array([[0.0], [1.0]])
    >>> AL, cache = forward(params, X)
    >>> grads = backward(params, cache, AL, Y)
    >>> grads["b2"].round(4)    # A - Y for the one example
    array([[ 0.8808],
           [-0.8808]])
    >>> grads["W1"].round(4)    # dZ1 = W2ᵀ dZ2 = 1.7616, times Xᵀ
    array([[3.5232, 1.7616]])
    """
    _, g_backward = activation_pair(activation, alpha)
    L, m = n_layers(params), Y.shape[1]
    grads: Params = {}
    dZ = softmax_cross_entropy_backward(AL, Y)            # dZ[L]
    for l in range(L, 0, -1):
        A_prev, _ = cache[l - 1]
        dA_prev, dW, db = linear_backward(dZ, A_prev, params[f"W{l}"])
        if lam:
            dW = dW + l2_backward(params[f"W{l}"], lam, m)
        grads[f"W{l}"], grads[f"b{l}"] = dW, db
        if l > 1:                                         # dZ[l-1] = dA[l-1] · g'(Z[l-1])
            dZ = g_backward(dA_prev, cache[l - 2][1])
    return grads
# --8<-- [end:backward]


# --8<-- [start:loss]
def loss(
    params: Params, X: np.ndarray, Y: np.ndarray,
    activation: str = "relu", alpha: float = 0.01, lam: float = 0.0,
) -> float:
    """The training objective ``J``: mean cross-entropy of ``forward(X)`` against ``Y`` plus L2.

    >>> params = {"W1": np.zeros((2, 3)), "b1": np.zeros((2, 1))}
    >>> round(loss(params, np.ones((3, 4)), np.eye(2)[:, [0, 1, 0, 1]]), 6)  # log 2
    0.693147
    """
    AL, _ = forward(params, X, activation, alpha)
    weights = [params[f"W{l}"] for l in range(1, n_layers(params) + 1)]
    return cross_entropy(AL, Y) + l2_penalty(weights, lam, Y.shape[1])
# --8<-- [end:loss]


def predict(
    params: Params, X: np.ndarray, activation: str = "relu", alpha: float = 0.01
) -> np.ndarray:
    """Predicted labels ``(m,)`` for the columns of ``X`` ``(n_0, m)``.

    >>> params = {"W1": np.array([[1.0], [-1.0]]), "b1": np.zeros((2, 1))}
    >>> predict(params, np.array([[3.0, -2.0]]))
    array([0, 1])
    """
    AL, _ = forward(params, X, activation, alpha)
    return predictions(AL)
