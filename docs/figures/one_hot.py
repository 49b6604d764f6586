"""The one-hot chapter's figure: a digit of the sample beside its column of ``Y``."""

from nnscratch.data import load_sample
from nnscratch.onehot import one_hot
from nnscratch.plots import plot_one_hot


def digit_and_label():
    data = load_sample()
    Y = one_hot(data.y)
    return plot_one_hot(data.X[:, [0]], Y[:, [0]])


FIGURES = {"one-hot-digit-and-label": digit_and_label}
