"""Inverted dropout: during training each hidden unit is switched off with probability ``p``.

``dropout_forward`` multiplies a hidden layer's activations ``A`` ``(n_l, m)`` by a random
keep-mask and by ``1/(1 - p)``, so that the expected activation of every unit is what it
was without dropout; ``dropout_backward`` sends the gradient back through the same units
with the same factor. At evaluation nothing is dropped and nothing is scaled: the network
of ``network.forward`` is the one that was trained. ``forward_dropout`` and
``backward_dropout`` are ``network.forward`` and ``network.backward`` with a dropout layer
after every hidden activation (the output layer is never dropped).
"""

# --8<-- [start:imports]
import numpy as np

from nnscratch.activations import activation_pair
from nnscratch.linear import linear_backward, linear_forward
from nnscratch.loss import softmax_cross_entropy_backward
from nnscratch.network import Cache, Params, n_layers
from nnscratch.regularization import l2_backward
from nnscratch.softmax import softmax

# --8<-- [end:imports]


# --8<-- [start:pair]
def keep_mask(shape: tuple[int, ...], p: float, rng: np.random.Generator) -> np.ndarray:
    """A boolean mask of ``shape``, each entry ``True`` (kept) with probability ``1 - p``.

    One float32 uniform per entry, ``u >= p``; the training paths draw their masks through
    this function, so the same generator state gives the same mask on both.

    >>> keep_mask((2, 4), 0.5, np.random.default_rng(1))
    array([[False,  True,  True,  True],
           [False, False,  True,  True]])
    """
    return rng.random(shape, dtype=np.float32) >= p


def dropout_forward(A: np.ndarray, p: float, rng: np.random.Generator) -> tuple[np.ndarray,
                                                                                np.ndarray]:
    """``(A_drop, mask)``: ``A`` ``(n, m)`` with each entry kept with probability ``1 - p``.

    ``A_drop = A · mask / (1 - p)`` (``mask`` boolean, ``(n, m)``): a kept entry is scaled
    up so that ``E[A_drop] = A``.

    >>> A = np.array([[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]])
    >>> A_drop, mask = dropout_forward(A, 0.5, np.random.default_rng(1))
    >>> A_drop                                 # kept entries doubled, the others 0
    array([[ 0.,  4.,  6.,  8.],
           [ 0.,  0., 14., 16.]])
    """
    mask = keep_mask(A.shape, p, rng)
    return masked(A, mask, p), mask


def dropout_backward(dA: np.ndarray, mask: np.ndarray, p: float) -> np.ndarray:
    """``∂L/∂A`` ``(n, m)`` from ``dA = ∂L/∂A_drop``: ``dA · mask / (1 - p)``.

    The forward pass is linear in ``A`` with the diagonal factor ``mask / (1 - p)``, so the
    gradient is multiplied by the same factor: a dropped unit gets no gradient.

    >>> mask = np.array([[True, False], [False, True]])
    >>> dropout_backward(np.array([[1.0, 1.0], [3.0, -2.0]]), mask, 0.75)
    array([[ 4.,  0.],
           [ 0., -8.]])
    """
    return masked(dA, mask, p)


def masked(A: np.ndarray, mask: np.ndarray, p: float) -> np.ndarray:
    """``A · mask / (1 - p)`` for ``A`` and ``mask`` of the same shape, in ``A``'s dtype.

    The forward pass and the backward pass are this one product: first by the 0/1 mask
    (exact), then by ``1/(1 - p)`` (one rounding), in this order on every path.

    >>> masked(np.array([1.0, 2.0], np.float32), np.array([True, False]), 0.2)
    array([1.25, 0.  ], dtype=float32)
    """
    out = A * mask
    out *= A.dtype.type(1 / (1 - p))
    return out
# --8<-- [end:pair]


# --8<-- [start:network]
def forward_dropout(
    params: Params, X: np.ndarray, p: float, rng: np.random.Generator | None = None,
    activation: str = "relu", alpha: float = 0.01, masks: list[np.ndarray] | None = None,
) -> tuple[np.ndarray, Cache, list[np.ndarray]]:
    """``network.forward`` with dropout after each hidden layer: ``(A[L], cache, masks)``.

    ``X`` is ``(n_0, m)``; ``masks[l - 1]`` ``(n_l, m)`` is the keep-mask of hidden layer
    ``l``, drawn from ``rng`` in layer order, or given (``masks``) to repeat a pass with
    the same units dropped, as a gradient check must. The cache holds the *dropped*
    activations: they are what the next layer multiplied.

    >>> params = {"W1": np.array([[1.0], [2.0]]), "b1": np.zeros((2, 1)),
    ...           "W2": np.array([[1.0, 1.0]]), "b2": np.zeros((1, 1))}
    >>> AL, cache, masks = forward_dropout(params, np.array([[1.0]]), 0.5,
    ...                                    masks=[np.array([[False], [True]])])
    >>> cache[1][0]                           # unit 1 dropped, unit 2 doubled: 2 · 2
    array([[0.],
           [4.]])
    """
    g, _ = activation_pair(activation, alpha)
    L, cache, drawn = n_layers(params), [], []
    A = X
    for l in range(1, L + 1):
        Z = linear_forward(A, params[f"W{l}"], params[f"b{l}"])
        cache.append((A, Z))
        if l == L:
            return softmax(Z), cache, drawn
        if masks is None:
            A, mask = dropout_forward(g(Z), p, rng)
        else:
            mask = masks[l - 1]
            A = masked(g(Z), mask, p)
        drawn.append(mask)
    raise ValueError("params holds no layers")


def backward_dropout(
    params: Params, cache: Cache, masks: list[np.ndarray], AL: np.ndarray, Y: np.ndarray,
    p: float, activation: str = "relu", alpha: float = 0.01, lam: float = 0.0,
) -> Params:
    """``network.backward`` through the dropout layers of :func:`forward_dropout`.

    Between layers, ``dZ[l] = g'(Z[l]) · dropout_backward(W[l+1]ᵀ dZ[l+1], mask[l], p)``;
    ``dW`` and ``db`` are computed from the cached (dropped) activations as usual. Returns
    the gradients with the keys of ``params``.
    """
    _, g_backward = activation_pair(activation, alpha)
    grads: Params = {}
    dZ = softmax_cross_entropy_backward(AL, Y)
    for l in reversed(range(1, n_layers(params) + 1)):
        dA_prev, grads[f"W{l}"], grads[f"b{l}"] = linear_backward(dZ, cache[l - 1][0],
                                                                 params[f"W{l}"])
        if lam:
            grads[f"W{l}"] = grads[f"W{l}"] + l2_backward(params[f"W{l}"], lam, Y.shape[1])
        if l > 1:
            dZ = g_backward(dropout_backward(dA_prev, masks[l - 2], p), cache[l - 2][1])
    return grads
# --8<-- [end:network]
