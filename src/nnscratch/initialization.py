"""Initial weights: He initialisation, and the notebook's ``rand * 0.01`` for comparison.

A layer's output variance is ``n_{l-1} · Var(W) · E[a²]``. ReLU zeroes half of a symmetric
input, so ``E[a²] = Var(z)/2``; choosing ``Var(W) = 2/n_{l-1}`` keeps ``Var(z)`` the same from
layer to layer (He et al., 2015). A gain below 1 per layer and the signal dies with depth;
above 1 and it explodes.
"""

# --8<-- [start:imports]
from collections.abc import Sequence

import numpy as np

from nnscratch.network import Params

# --8<-- [end:imports]


# --8<-- [start:he_init]
def he_init(
    layer_sizes: Sequence[int], rng: np.random.Generator, dtype: type = np.float32
) -> Params:
    """He-normal weights ``W[l] ~ N(0, 2/n_{l-1})``, ``(n_l, n_{l-1})``; zero biases ``(n_l, 1)``.

    ``layer_sizes`` is ``[n_0, n_1, ..., n_L]``, e.g. ``[784, 100, 10]``. Returns the
    parameter dict ``{"W1", "b1", ..., "WL", "bL"}``.

    >>> p = he_init([784, 100, 10], np.random.default_rng(0))
    >>> {k: v.shape for k, v in p.items()}
    {'W1': (100, 784), 'b1': (100, 1), 'W2': (10, 100), 'b2': (10, 1)}
    >>> bool(abs(p["W1"].std() - np.sqrt(2 / 784)) < 0.001)
    True
    """
    params = {}
    for l in range(1, len(layer_sizes)):
        n_in, n_out = layer_sizes[l - 1], layer_sizes[l]
        params[f"W{l}"] = (rng.standard_normal((n_out, n_in)) * np.sqrt(2.0 / n_in)).astype(dtype)
        params[f"b{l}"] = np.zeros((n_out, 1), dtype=dtype)
    return params
# --8<-- [end:he_init]


# --8<-- [start:uniform_init]
def uniform_init(
    layer_sizes: Sequence[int], rng: np.random.Generator, scale: float = 0.01,
    dtype: type = np.float32,
) -> Params:
    """The notebook's version 1: ``W[l] = rand(n_l, n_{l-1}) * scale``, uniform on ``[0, scale)``.

    Every weight is positive, so every unit of a layer starts as a near-copy of the others,
    and each layer multiplies the mean of its (non-negative) input by about
    ``n_{l-1} · scale / 2``: whether the signal grows or shrinks depends on the fan-in.
    For ``scale = 0.01``, the first layer of 784 pixels amplifies, a layer of 100 inputs halves:

    >>> [round(n_in * 0.01 / 2, 2) for n_in in (784, 100)]
    [3.92, 0.5]
    >>> p = uniform_init([4, 3, 2], np.random.default_rng(0))
    >>> bool((p["W1"] >= 0).all() and (p["W1"] < 0.01).all()), p["b2"].shape
    (True, (2, 1))
    """
    params = {}
    for l in range(1, len(layer_sizes)):
        n_in, n_out = layer_sizes[l - 1], layer_sizes[l]
        params[f"W{l}"] = (rng.random((n_out, n_in)) * scale).astype(dtype)
        params[f"b{l}"] = np.zeros((n_out, 1), dtype=dtype)
    return params
# --8<-- [end:uniform_init]


INITS = {"he": he_init, "uniform": uniform_init}
"""Name -> initialisation, the names accepted by ``TrainConfig.init`` and the command line."""
