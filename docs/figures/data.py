"""The data chapter's figure: the first digits of the packaged sample with their labels."""

from nnscratch.data import load_sample
from nnscratch.plots import plot_digits


def first_digits():
    data = load_sample()
    return plot_digits(data.X, labels=data.y, n=16, ncols=8)


FIGURES = {"data-first-digits": first_digits}
