"""nnscratch: a neural network from scratch in NumPy, in the notation of its textbook.

Arrays follow one layout everywhere: ``X`` is ``(784, m)`` (one column per example),
``W[l]`` is ``(n_l, n_{l-1})`` and ``b[l]`` is ``(n_l, 1)``. Parameters live in a dict
keyed ``"W1", "b1", ..., "WL", "bL"``, as in the notebook this book grew from.
"""

__version__ = "0.1.0"
