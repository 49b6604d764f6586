"""Update rules: gradient descent, momentum and Adam.

An optimizer turns gradients into a parameter update. Each one here has a ``step(params,
grads)`` that updates the arrays of ``params`` **in place** (no new arrays per step: the
training loop calls it thousands of times) and keeps whatever running state its rule needs
in ``state``, a dict of arrays shaped like the parameters, so that a checkpoint can save it.
The learning rate ``lr`` is a plain attribute, so a schedule can change it between steps.
"""

from dataclasses import dataclass, field

import numpy as np

Params = dict[str, np.ndarray]

# --8<-- [start:gd]
@dataclass
class GradientDescent:
    """``θ ← θ - η ∇θ``: the notebook's update, one step per batch.

    >>> p, g = {"W1": np.array([1.0, 2.0])}, {"W1": np.array([10.0, -10.0])}
    >>> GradientDescent(lr=0.1).step(p, g); p["W1"]
    array([0., 3.])
    """

    lr: float = 0.1
    state: dict[str, np.ndarray] = field(default_factory=dict)

    def step(self, params: Params, grads: Params) -> None:
        for k, g in grads.items():
            params[k] -= self.lr * g
# --8<-- [end:gd]


# --8<-- [start:momentum]
@dataclass
class Momentum:
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

    def step(self, params: Params, grads: Params) -> None:
        for k, g in grads.items():
            v = self.state.setdefault(f"v_{k}", np.zeros_like(g))
            v *= self.beta
            v += g
            params[k] -= self.lr * v
# --8<-- [end:momentum]


# --8<-- [start:adam]
@dataclass
class Adam:
    """Adam (Kingma & Ba, 2015): momentum on the gradient, scaled per weight by its RMS.

    ``m ← β₁ m + (1-β₁) g``, ``v ← β₂ v + (1-β₂) g²``, bias-corrected by ``1 - βᵗ``, then
    ``θ ← θ - η m̂ / (√v̂ + ε)``. Each weight's step is about ``η`` whatever the scale of its
    gradient, which is why Adam needs little tuning.

    >>> p, g = {"w": np.array([0.0, 0.0])}, {"w": np.array([100.0, -0.01])}
    >>> Adam(lr=0.1).step(p, g); p["w"].round(4)   # first step: ±lr, whatever |g|
    array([-0.1,  0.1])
    """

    lr: float = 0.001
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    state: dict[str, np.ndarray] = field(default_factory=dict)
    # One scratch array per parameter, reused by every step (not state: never saved).
    _tmp: dict[str, np.ndarray] = field(default_factory=dict, init=False, repr=False,
                                        compare=False)

    def step(self, params: Params, grads: Params) -> None:
        t = self.state["t"] = self.state.get("t", np.array(0)) + 1
        # Fold both bias corrections into the step size: one scalar instead of two arrays.
        # (This is the paper's own efficient form; ε then acts on √v rather than √v̂.)
        # A Python float, so that float32 arithmetic stays float32.
        step_size = float(self.lr * np.sqrt(1 - self.beta2**t) / (1 - self.beta1**t))
        for k, g in grads.items():
            m = self.state.setdefault(f"m_{k}", np.zeros_like(g))
            v = self.state.setdefault(f"v_{k}", np.zeros_like(g))
            tmp = self._tmp.get(k)
            if tmp is None or tmp.shape != g.shape or tmp.dtype != g.dtype:
                tmp = self._tmp[k] = np.empty_like(g)
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
            tmp *= step_size
            params[k] -= tmp
# --8<-- [end:adam]


OPTIMIZERS = {"gd": GradientDescent, "momentum": Momentum, "adam": Adam}
"""The names accepted by ``train`` and the command line."""


def make_optimizer(name: str, lr: float) -> GradientDescent | Momentum | Adam:
    """The optimizer called ``name`` with learning rate ``lr``.

    >>> make_optimizer("adam", 0.01)
    Adam(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-08, state={})
    """
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose from {sorted(OPTIMIZERS)}")
    return OPTIMIZERS[name](lr=lr)
