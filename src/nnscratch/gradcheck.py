"""Gradient checking: compare an analytic gradient with centred finite differences.

For a scalar function ``f`` of an array ``θ``, the centred difference
``(f(θ + ε e_i) - f(θ - ε e_i)) / 2ε`` approximates ``∂f/∂θ_i`` with error ``O(ε²)``.
Compared through the relative error ``|a - n| / max(|a| + |n|, tiny)`` (norms over the whole
array), a correct gradient in float64 with ``ε = 1e-6`` typically agrees to ``1e-7`` or
better; a wrong one is off by ``1e-2`` or more.
"""

# --8<-- [start:imports]
from collections.abc import Callable

import numpy as np

# --8<-- [end:imports]


# --8<-- [start:numerical_gradient]
# --8<-- [start:centred_difference]
def numerical_gradient(
    f: Callable[[], float], theta: np.ndarray, eps: float = 1e-6
) -> np.ndarray:
    """Centred finite differences of ``f()`` with respect to every entry of ``theta``.

    ``f`` takes no argument and reads ``theta`` itself: each entry is nudged in place by
    ``±eps`` and restored. Use float64; in float32 the rounding error of ``f`` swamps ``eps``.
    Returns an array of ``theta``'s shape.

    >>> theta = np.array([1.0, -2.0])
    >>> numerical_gradient(lambda: float(np.sum(theta ** 3)), theta).round(6)  # 3 θ²
    array([ 3., 12.])
    """
    grad = np.zeros_like(theta, dtype=np.float64)
    for i in np.ndindex(theta.shape):
        saved = theta[i]
        theta[i] = saved + eps
        f_plus = f()
        theta[i] = saved - eps
        f_minus = f()
        theta[i] = saved
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad
# --8<-- [end:centred_difference]


# --8<-- [start:relative_error]
def relative_error(analytic: np.ndarray, numerical: np.ndarray) -> float:
    """``||a - n|| / (||a|| + ||n||)``: 0 for equal arrays, 1 for opposite ones.

    >>> relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.0]))
    0.0
    >>> relative_error(np.array([1.0]), np.array([-1.0]))
    1.0
    """
    denom = np.linalg.norm(analytic) + np.linalg.norm(numerical)
    return float(np.linalg.norm(analytic - numerical) / max(denom, np.finfo(float).tiny))
# --8<-- [end:relative_error]
# --8<-- [end:numerical_gradient]


# --8<-- [start:check_gradients]
def check_gradients(
    f: Callable[[], float], params: dict[str, np.ndarray], grads: dict[str, np.ndarray],
    eps: float = 1e-6,
) -> dict[str, float]:
    """The relative error of ``grads[k]`` against finite differences of ``f``, for every ``k``.

    ``f()`` computes the loss from ``params`` (whose arrays are nudged in place).

    >>> params = {"w": np.array([3.0])}
    >>> f = lambda: float(params["w"][0] ** 2)            # f = w², f' = 2w = 6
    >>> check_gradients(f, params, {"w": np.array([6.0])})["w"] < 1e-8
    True
    >>> round(check_gradients(f, params, {"w": np.array([5.0])})["w"], 4)   # |5 - 6| / (5 + 6)
    0.0909
    """
    return {
        k: round(relative_error(grads[k], numerical_gradient(f, params[k], eps)), 12)
        for k in params
    }
# --8<-- [end:check_gradients]
