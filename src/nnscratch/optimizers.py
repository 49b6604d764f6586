"""Update rules: gradient descent, momentum and Adam.

An optimizer turns gradients into a parameter update. Each one here has a ``step(params,
grads)`` that updates the arrays of ``params`` **in place** (no new arrays per step: the
training loop calls it thousands of times) and keeps whatever running state its rule needs
in ``state``, a dict of arrays shaped like the parameters, so that a checkpoint can save it.
The learning rate ``lr`` is a plain attribute, so a schedule can change it between steps.

The rule itself is ``update(theta, g, *averages)``: elementwise, on the arrays of one
parameter, its gradient and its running averages, passed explicitly. ``step`` calls it once
per parameter; the fast path (``nnscratch.fast_training``) calls it once on all parameters
laid end to end in one flat array, which computes the same numbers.
"""

# --8<-- [start:imports]
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from nnscratch.network import Params

# --8<-- [end:imports]


# --8<-- [start:gd]
class Optimizer:
    """What the update rules share: an elementwise ``update`` and a ``step`` that applies it.

    ``state_slots`` names the running averages the rule keeps per parameter (none for
    gradient descent, ``v`` for momentum, ``m`` and ``v`` for Adam); parameter ``k``'s
    average ``s`` lives in ``state[f"{s}_{k}"]``, created as zeros on the first step.
    """

    lr: float
    state: dict[str, np.ndarray]
    state_slots: ClassVar[tuple[str, ...]] = ()

    def begin_step(self) -> None:
        """Bookkeeping done once per step, before the updates (Adam counts its steps)."""

    def update(self, theta: np.ndarray, g: np.ndarray, *averages: np.ndarray) -> None:
        """The rule, in place and elementwise: ``theta``, ``g`` and ``averages`` share a shape."""
        raise NotImplementedError

    def step(self, params: Params, grads: Params) -> None:
        """One step: ``update`` on every parameter, with its own running averages."""
        self.begin_step()
        for k, g in grads.items():
            averages = [self.state.setdefault(f"{s}_{k}", np.zeros_like(g))
                        for s in self.state_slots]
            self.update(params[k], g, *averages)


@dataclass
class GradientDescent(Optimizer):
    """``θ ← θ - η ∇θ``: the notebook's update, one step per batch.

    >>> p, g = {"W1": np.array([1.0, 2.0])}, {"W1": np.array([10.0, -10.0])}
    >>> GradientDescent(lr=0.1).step(p, g); p["W1"]
    array([0., 3.])
    """

    lr: float = 0.1
    state: dict[str, np.ndarray] = field(default_factory=dict)

    def update(self, theta: np.ndarray, g: np.ndarray) -> None:
        """``θ ← θ - η g``."""
        theta -= self.lr * g
# --8<-- [end:gd]


# --8<-- [start:momentum]
@dataclass
class Momentum(Optimizer):
    """Heavy-ball momentum: ``v ← β v + ∇θ``, then ``θ ← θ - η v``.

    ``v`` is a running sum of past gradients that decays by ``β`` per step: directions
    that agree from step to step build up speed (up to ``1/(1-β)`` times), and directions
    that flip sign cancel out.

    >>> p, g = {"w": np.array([0.0])}, {"w": np.array([1.0])}
    >>> opt = Momentum(lr=1.0, beta=0.5)
    >>> opt.step(p, g); opt.step(p, g); p["w"]   # steps of 1, then 1.5
    array([-2.5])
    """

    lr: float = 0.1
    beta: float = 0.9
    state: dict[str, np.ndarray] = field(default_factory=dict)
    state_slots: ClassVar[tuple[str, ...]] = ("v",)

    def update(self, theta: np.ndarray, g: np.ndarray, v: np.ndarray) -> None:
        """``v ← β v + g``, then ``θ ← θ - η v``."""
        v *= self.beta
        v += g
        theta -= self.lr * v
# --8<-- [end:momentum]


# --8<-- [start:adam]
@dataclass
class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015): momentum on the gradient, scaled per weight by its RMS.

    ``m ← β₁ m + (1-β₁) g``, ``v ← β₂ v + (1-β₂) g²``, then, with both bias corrections
    folded into one step size ``η_t = η √(1 - β₂ᵗ) / (1 - β₁ᵗ)``,
    ``θ ← θ - η_t m / (√v + ε)``: the paper's efficient form. It is the textbook
    ``θ ← θ - η m̂ / (√v̂ + ε)`` except that ``ε`` is added to ``√v`` instead of ``√v̂``.
    Each weight's step is about ``η`` whatever the scale of its gradient, which is why Adam
    needs little tuning.

    >>> p, g = {"w": np.array([0.0, 0.0])}, {"w": np.array([100.0, -0.01])}
    >>> Adam(lr=0.1).step(p, g); p["w"].round(4)   # first step: ±lr, whatever |g|
    array([-0.1,  0.1])
    """

    lr: float = 0.001
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    state: dict[str, np.ndarray] = field(default_factory=dict)
    state_slots: ClassVar[tuple[str, ...]] = ("m", "v")
    # Per step: the bias-corrected step size. Per shape: one scratch array, reused by every
    # step (neither is state: never saved).
    _step_size: float = field(default=0.0, init=False, repr=False, compare=False)
    _tmp: dict[tuple, np.ndarray] = field(default_factory=dict, init=False, repr=False,
                                          compare=False)

    def begin_step(self) -> None:
        """Count the step (``t``, saved with the state) and fix this step's step size."""
        t = self.state["t"] = self.state.get("t", np.array(0)) + 1
        # Fold both bias corrections into the step size: one scalar instead of two arrays.
        # (This is the paper's own efficient form; ε then acts on √v rather than √v̂.)
        # A Python float, so that float32 arithmetic stays float32.
        self._step_size = float(self.lr * np.sqrt(1 - self.beta2**t) / (1 - self.beta1**t))

    def update(self, theta: np.ndarray, g: np.ndarray, m: np.ndarray, v: np.ndarray) -> None:
        """``m`` and ``v`` move towards ``g`` and ``g²``; ``θ ← θ - step · m / (√v + ε)``."""
        tmp = self._tmp.get((g.shape, g.dtype))
        if tmp is None:
            tmp = self._tmp[g.shape, g.dtype] = np.empty_like(g)
        # Every line below updates an existing array in place: no new arrays per step.
        m *= self.beta1                               # m ← β₁ m + (1-β₁) g
        np.multiply(g, 1 - self.beta1, out=tmp)
        m += tmp
        v *= self.beta2                               # v ← β₂ v + (1-β₂) g²
        np.multiply(g, g, out=tmp)
        tmp *= 1 - self.beta2
        v += tmp
        np.sqrt(v, out=tmp)                           # θ ← θ - step m / (√v + ε)
        tmp += self.eps
        np.divide(m, tmp, out=tmp)
        tmp *= self._step_size
        theta -= tmp
# --8<-- [end:adam]


OPTIMIZERS = {"gd": GradientDescent, "momentum": Momentum, "adam": Adam}
"""The names accepted by ``train`` and the command line."""


def make_optimizer(name: str, lr: float | None = None) -> Optimizer:
    """The optimizer called ``name``, with learning rate ``lr`` (``None``: the rule's default).

    >>> make_optimizer("adam", 0.01)
    Adam(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-08, state={})
    >>> make_optimizer("gd").lr, make_optimizer("adam").lr
    (0.1, 0.001)
    """
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose from {sorted(OPTIMIZERS)}")
    return OPTIMIZERS[name]() if lr is None else OPTIMIZERS[name](lr=lr)
