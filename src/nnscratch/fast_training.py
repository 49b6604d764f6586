"""The fast path of training: the same arithmetic as ``forward``/``backward``, in place.

``training.train`` runs this module unless asked for the teaching path. It changes nothing
in the math; it only avoids work that the derivation does not need:

* ``Workspace``: every array one step needs, allocated once (the teaching path returns
  new arrays at every step);
* ``fast_step``: forward and backward written into those arrays, with the batch's images
  as rows, so that gathering a shuffled batch is one contiguous copy;
* ``FlatState``: the parameters, their gradients and the optimizer's running averages as
  one flat array each, so that one call of the optimizer's elementwise ``update`` moves the
  whole network (the dicts keep their keys, as views into the flat arrays).

``tests/test_fast_training.py`` checks, to the last bit in float64, that both paths train
to the same parameters and optimizer state.
"""

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from nnscratch.dropout import keep_mask
from nnscratch.network import Params, n_layers
from nnscratch.optimizers import Optimizer
from nnscratch.regularization import batch_lam


# --8<-- [start:fast_step]
class Workspace:
    """Every array one training step needs, allocated once and reused by all the steps.

    The teaching path (``forward``/``backward``) returns new arrays at every step; this one
    writes into these. ``Xb`` holds the batch with **examples as rows** ``(B, n_0)``, so that
    ``Xb.T`` is the book's ``A[0]`` ``(n_0, B)`` without a copy. ``A[l]`` holds ``Z[l]`` and
    then, in place, ``g(Z[l])``: the activation's backward pass reads the mask ``A > 0``,
    which is ``Z > 0`` for ReLU and Leaky ReLU (``alpha >= 0``).
    """

    def __init__(self, sizes: list[int], B: int, dtype: np.dtype):
        self.Xb = np.empty((B, sizes[0]), dtype)
        self.A = [np.empty((n, B), dtype) for n in sizes[1:]]      # A[1] .. A[L]
        self.dA = [np.empty((n, B), dtype) for n in sizes[1:-1]]   # dA[1] .. dA[L-1]
        self.cols = np.arange(B)


def make_grads(params: Params) -> Params:
    """Gradient buffers with the keys of ``backward``'s dict (``W_L, b_L, ..., W1, b1``)."""
    L = n_layers(params)
    return {f"{p}{l}": np.empty_like(params[f"{p}{l}"]) for l in range(L, 0, -1) for p in "Wb"}


def fast_step(
    params: Params, grads: Params, ws: Workspace, yb: np.ndarray,
    activation: str = "relu", alpha: float = 0.01, lam: float = 0.0,
    masks: list[np.ndarray] | None = None, p: float = 0.0,
) -> None:
    """``grads`` ← the gradients of ``backward`` for the batch in ``ws.Xb`` with labels ``yb``.

    The same arithmetic as ``forward`` then ``backward``, written into preallocated arrays;
    with ``masks`` (one keep-mask ``(n_l, B)`` per hidden layer) that of
    ``dropout.forward_dropout`` and ``dropout.backward_dropout``.
    """
    L, B = n_layers(params), yb.size
    scale = ws.Xb.dtype.type(1 / (1 - p))
    A_prev = ws.Xb.T                                  # (n_0, B), a view
    for l in range(1, L + 1):                         # forward
        A = ws.A[l - 1]
        np.matmul(params[f"W{l}"], A_prev, out=A)     # Z = W A_prev ...
        A += params[f"b{l}"]                          # ... + b
        if l < L and activation == "relu":
            np.maximum(A, 0, out=A)
        elif l < L:                                   # leaky ReLU: αZ where Z <= 0
            np.multiply(A, alpha, out=A, where=A <= 0)
        if l < L and masks:                           # dropout: A · mask / (1 - p)
            np.multiply(A, masks[l - 1], out=A)
            A *= scale
        A_prev = A
    dZ = ws.A[L - 1]                                  # softmax, in place
    dZ -= dZ.max(axis=0, keepdims=True)
    np.exp(dZ, out=dZ)
    dZ /= dZ.sum(axis=0, keepdims=True)
    dZ[yb, ws.cols[:B]] -= 1                          # A - Y without forming Y ...
    dZ /= B                                           # ... and the mean's 1/m
    for l in range(L, 0, -1):                         # backward
        A_prev = ws.Xb.T if l == 1 else ws.A[l - 2]
        np.matmul(dZ, A_prev.T, out=grads[f"W{l}"])   # dW = dZ A_prevᵀ
        np.sum(dZ, axis=1, keepdims=True, out=grads[f"b{l}"])
        if lam:
            grads[f"W{l}"] += (lam / B) * params[f"W{l}"]
        if l == 1:
            break                                     # nobody needs dA[0] = W1ᵀ dZ1
        dA = ws.dA[l - 2]
        np.matmul(params[f"W{l}"].T, dZ, out=dA)      # dA_prev = Wᵀ dZ
        if masks:                                     # back through the dropout
            np.multiply(dA, masks[l - 2], out=dA)
            dA *= scale
        if activation == "relu":                      # (a dropped unit has A_prev = 0)
            np.multiply(dA, A_prev > 0, out=dA)       # dZ = dA · 1[Z > 0]
        else:
            np.multiply(dA, alpha, out=dA, where=A_prev <= 0)
        dZ = dA
# --8<-- [end:fast_step]


# --8<-- [start:flat_state]
def flatten_into(arrays: dict, names: list[str], like: list[np.ndarray]) -> np.ndarray:
    """One flat array holding ``arrays[names[i]]`` end to end (zeros where one is missing);
    ``arrays[names[i]]`` becomes a view into it, shaped like ``like[i]``.

    >>> d = {"a": np.ones((2, 2)), "b": np.full(1, 5.0)}
    >>> flat = flatten_into(d, ["a", "b"], [d["a"], d["b"]])
    >>> flat, np.shares_memory(d["a"], flat)
    (array([1., 1., 1., 1., 5.]), True)
    """
    parts = [np.asarray(arrays[n]) if n in arrays else np.zeros_like(a)
             for n, a in zip(names, like, strict=True)]
    flat = np.concatenate([p.ravel() for p in parts])
    start = 0
    for n, a in zip(names, like, strict=True):
        arrays[n] = flat[start:start + a.size].reshape(a.shape)
        start += a.size
    return flat


class FlatState:
    """The parameters, the gradients and each of the optimizer's running averages as
    **one** flat array each; the dicts keep their keys, whose arrays become views.

    An update rule acts elementwise, so one ``update`` on the flat arrays computes exactly
    what one ``update`` per parameter computes, with six times fewer NumPy calls per step.
    The optimizer's ``state`` keeps its per-parameter names (``m_W1``, ...) as views, so a
    checkpoint, or a later ``opt.step(params, grads)``, sees nothing different.
    """

    def __init__(self, params: Params, grads: Params, opt: Optimizer):
        keys = list(grads)
        like = [grads[k] for k in keys]
        self.opt = opt
        self.theta = flatten_into(params, keys, like)
        self.grad = flatten_into(grads, keys, like)
        self.averages = [flatten_into(opt.state, [f"{s}_{k}" for k in keys], like)
                         for s in opt.state_slots]

    def step(self) -> None:
        """One optimizer step for the whole network: a single ``update`` call."""
        self.opt.begin_step()
        self.opt.update(self.theta, self.grad, *self.averages)
# --8<-- [end:flat_state]


def fast_path_applies(activation: str, alpha: float) -> bool:
    """Whether ``fast_step`` computes this activation: ReLU, or Leaky ReLU with ``alpha >= 0``
    (its backward pass reads the sign of ``Z`` from ``g(Z)``)."""
    return activation == "relu" or (activation == "leaky_relu" and alpha >= 0)


# --8<-- [start:fast_batch_step]
class Noise(NamedTuple):
    """The random generators of one epoch's batches: one for the augmentation of the
    images, one for the dropout masks (separate, so that switching one on changes nothing
    in the draws of the other)."""

    augment: np.random.Generator
    dropout: np.random.Generator


BatchTransform = Callable[[np.ndarray, np.random.Generator], np.ndarray]
"""``transform(Xb, rng) -> Xb'``: a batch hook (augmentation), in the layout its path stores
a batch: rows ``(B, n_0)`` on the fast path, columns ``(n_0, B)`` on the teaching path."""


def fast_batch_step(
    X_rows: np.ndarray, y: np.ndarray, params: Params, opt: Optimizer, batch: int,
    activation: str = "relu", alpha: float = 0.01, l2: float = 0.0,
    transform: BatchTransform | None = None, dropout: float = 0.0,
) -> Callable[[np.ndarray, Noise | None], None]:
    """The step function of the fast path: ``step(idx, noise)`` trains on the examples ``idx``.

    ``X_rows`` is ``(m, n_0)``, **examples as rows** (``X.T``, contiguous); ``batch`` is the
    usual batch size (the last batch of an epoch may be shorter). ``transform`` rewrites
    the gathered batch (rows ``(B, n_0)``) with ``noise.augment``; ``dropout`` is the ``p``
    of the hidden layers, their masks drawn from ``noise.dropout`` in layer order. An
    optimizer of this module's kind steps on flat arrays (``FlatState``); any other gets
    ``opt.step``.
    """
    m = y.size
    sizes = [X_rows.shape[1], *(params[f"W{l}"].shape[0] for l in range(1, n_layers(params) + 1))]
    grads = make_grads(params)
    workspaces = {b: Workspace(sizes, b, X_rows.dtype) for b in {batch, m % batch or batch}}
    flat = FlatState(params, grads, opt) if isinstance(opt, Optimizer) else None

    def step(idx: np.ndarray, noise: Noise | None = None) -> None:
        """One step on the examples ``idx``: gather, transform, gradients, update."""
        ws = workspaces[idx.size]
        np.take(X_rows, idx, axis=0, out=ws.Xb)      # gather the batch: contiguous rows
        if transform is not None:
            ws.Xb[...] = transform(ws.Xb, noise.augment)
        masks = [keep_mask((n, idx.size), dropout, noise.dropout)
                 for n in sizes[1:-1]] if dropout else None
        fast_step(params, grads, ws, y[idx], activation, alpha, batch_lam(l2, idx.size, m),
                  masks, dropout)
        if flat is not None:
            flat.step()
        else:
            opt.step(params, grads)

    return step
# --8<-- [end:fast_batch_step]
