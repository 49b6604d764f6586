"""L2 regularisation: the penalty ``(λ/2m) Σ_l ||W[l]||_F²`` and its gradient ``(λ/m) W[l]``.

Only weights are penalised, not biases: a bias shifts a unit's threshold and does not make
the function any less smooth, and there are too few of them to overfit with.
"""

# --8<-- [start:imports]
from collections.abc import Iterable

import numpy as np

# --8<-- [end:imports]


# --8<-- [start:l2]
def l2_penalty(weights: Iterable[np.ndarray], lam: float, m: int) -> float:
    """``(λ / 2m) Σ_l ||W[l]||_F²``, the sum of every squared weight, scaled.

    ``weights`` are the matrices ``W[1..L]`` (any shapes); ``m`` is the number of examples
    the data term averages over. ``m`` times the objective is the summed loss plus
    ``(λ/2) Σ_l ||W[l]||_F²``, so against the mean data term the penalty falls as ``1/m``:
    the same ``λ`` regularises less when there are more examples.

    >>> l2_penalty([np.array([[1.0, 2.0]]), np.array([[3.0]])], lam=0.5, m=2)
    1.75
    """
    return float(lam / (2 * m) * sum(np.sum(W * W) for W in weights))


def l2_backward(W: np.ndarray, lam: float, m: int) -> np.ndarray:
    """``∂/∂W of the penalty = (λ/m) W``, same shape as ``W``: add it to ``dW``.

    >>> l2_backward(np.array([[1.0, -2.0]]), lam=0.5, m=2)
    array([[ 0.25, -0.5 ]])
    """
    return (lam / m) * W
# --8<-- [end:l2]


# --8<-- [start:batch_lam]
def batch_lam(lam: float, batch: int, m: int) -> float:
    """The ``lam`` to hand ``backward`` for a batch of ``batch`` of the ``m`` examples.

    ``backward`` adds ``(lam / batch) W`` for the batch it sees; passing ``λ·batch/m``
    makes that ``(λ/m) W``, the gradient of the penalty of the whole objective, whatever
    the batch size.

    >>> batch_lam(10.0, 64, 1000), batch_lam(10.0, 64, 1000) / 64 == 10.0 / 1000
    (0.64, True)
    """
    return lam * batch / m
# --8<-- [end:batch_lam]
