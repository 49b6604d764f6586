# %% [markdown]
# # Activations through depth
#
# A stack of 10 ReLU layers of 100 units (784-100-100-...-100) applied to digits of the
# sample, with four ways of drawing the initial weights (all biases 0):
#
# - **He**: $W^{[l]} \sim \mathcal{N}(0, 2/n_{l-1})$, `he_init`;
# - **the notebook's version 1**: `rand(n_l, n_{l-1}) * 0.01`, uniform on $[0, 0.01)$,
#   `uniform_init`;
# - **the notebook's version 2, wrong fan-in**: He for $W^{[1]}$, but the later layers scaled by
#   $\sqrt{2/10}$ instead of $\sqrt{2/100}$;
# - **standard normal**: $W^{[l]} \sim \mathcal{N}(0, 1)$.
#
# For each, the standard deviation of every layer's output $A^{[l]}$ (over all its units and
# examples), layer by layer. The initialisation chapter derives what to expect: a factor of
# $\sqrt{n_{l-1} \operatorname{Var}(W)/2}$ per layer.

# %%
import os

# One BLAS thread: the matrices are small (must precede numpy).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from nnscratch.activations import relu  # noqa: E402
from nnscratch.data import load_sample  # noqa: E402
from nnscratch.initialization import he_init, uniform_init  # noqa: E402
from nnscratch.plots import plot_layer_stds, show  # noqa: E402

DEPTH, WIDTH, M = 10, 100, 1000
sizes = [784] + [WIDTH] * DEPTH
X = load_sample(np.float64).X[:, :M]  # (784, M), float64 so that nothing overflows
print("layer sizes:", sizes, " X:", X.shape)

# %% [markdown]
# The four initialisations, each a parameter dict `{"W1", "b1", ..., "W10", "b10"}`:

# %%
def wrong_fan_in(layer_sizes, rng):
    """The notebook's version 2: He for W1, then sqrt(2/10) where sqrt(2/100) was meant."""
    params = he_init(layer_sizes, rng, dtype=np.float64)
    for l in range(2, len(layer_sizes)):
        params[f"W{l}"] = rng.standard_normal(params[f"W{l}"].shape) * np.sqrt(2 / 10)
    return params


def standard_normal(layer_sizes, rng):
    """W ~ N(0, 1), whatever the layer's fan-in."""
    params = he_init(layer_sizes, rng, dtype=np.float64)
    for l in range(1, len(layer_sizes)):
        params[f"W{l}"] = rng.standard_normal(params[f"W{l}"].shape)
    return params


inits = {
    "He, N(0, 2/n)": lambda s, rng: he_init(s, rng, dtype=np.float64),
    "rand * 0.01": lambda s, rng: uniform_init(s, rng, dtype=np.float64),
    "wrong fan-in, N(0, 2/10)": wrong_fan_in,
    "N(0, 1)": standard_normal,
}


def std_per_layer(params, X):
    """The std of A[1], ..., A[L] of a ReLU stack with these params, on X (n_0, m)."""
    A, stds = X, []
    for l in range(1, len(params) // 2 + 1):
        A = relu(params[f"W{l}"] @ A + params[f"b{l}"])
        stds.append(float(A.std()))
    return stds


stds = {
    name: std_per_layer(init(sizes, np.random.default_rng(0)), X) for name, init in inits.items()
}

print("layer " + "".join(f"{name:>26}" for name in stds))
for l in range(DEPTH):
    print(f"{l + 1:5d} " + "".join(f"{s[l]:26.2e}" for s in stds.values()))

# %% [markdown]
# The ratio from one layer to the next, averaged over layers 2 to 10 (geometric mean),
# beside the prediction: $\sqrt{n_{l-1} \operatorname{Var}(W)/2}$ for the zero-mean
# initialisations, and $n_{l-1} \operatorname{E}[W] = 100 \cdot 0.005$ for `rand * 0.01`,
# whose weights are all positive (so every $z$ is positive, ReLU passes everything and each
# layer is a plain averaging map).

# %%
predicted = {"He, N(0, 2/n)": np.sqrt(WIDTH * (2 / WIDTH) / 2),
             "rand * 0.01": WIDTH * 0.01 / 2,
             "wrong fan-in, N(0, 2/10)": np.sqrt(WIDTH * (2 / 10) / 2),
             "N(0, 1)": np.sqrt(WIDTH * 1.0 / 2)}
for name, s in stds.items():
    ratio = (s[-1] / s[0]) ** (1 / (DEPTH - 1))
    print(f"{name:>26}: measured {ratio:.2f} per layer, predicted {predicted[name]:.2f}")

# %% [markdown]
# The figure: one line per initialisation, the standard deviation on a log scale.

# %%
fig = plot_layer_stds(stds, title=f"ReLU stack 784-{WIDTH}×{DEPTH}, {M} digits of the sample")
show(fig, alt="Standard deviation of each layer's activations A[l] for layers 1 to 10 of a "
              "ReLU stack, log scale, one line per initialisation: He, rand times 0.01, the "
              "wrong fan-in and the standard normal.", name="init-depth-stds")
