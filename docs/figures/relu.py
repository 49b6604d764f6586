"""The ReLU chapter's figure: both activations and their slopes, by ``nnscratch.activations``."""

import numpy as np

from nnscratch.activations import activation_pair
from nnscratch.plots import plot_activations

# The slope of Leaky ReLU below 0, as in the chapter's worked example: the default 0.01
# would be too flat to see at this scale.
ALPHA = 0.1


def derivatives():
    z = np.linspace(-2.0, 2.0, 401)                      # includes z = 0 exactly
    curves = {}
    for name, title in (("relu", "relu"), ("leaky_relu", rf"$\mathrm{{leaky}}_{{{ALPHA:g}}}$")):
        g, g_backward = activation_pair(name, alpha=ALPHA)
        slope = g_backward(np.ones_like(z), z)           # dA = 1: the backward pass gives g'
        at_zero = float(g_backward(np.ones(1), np.zeros(1))[0])
        curves[title] = (g(z), slope, at_zero)
    return plot_activations(z, curves)


FIGURES = {"relu-derivatives": derivatives}
