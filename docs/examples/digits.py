# %% [markdown]
# # The digits of the sample
#
# The first 24 digits of the embedded sample, drawn from the columns of $X$, with their
# labels as titles. Each column of $X \in [0,1]^{784 \times m}$ is one digit: its 784
# pixels, row by row, which `reshape(28, 28)` turns back into the picture.

# %%
import numpy as np

from nnscratch.data import load_sample
from nnscratch.plots import plot_digits, show

data = load_sample()
print("X:", data.X.shape, data.X.dtype, "  y:", data.y.shape, data.y.dtype)
print("first labels:", data.y[:10].tolist())

# %% [markdown]
# The grid is `plot_digits(X, labels=y)`: 24 columns of `X`, each reshaped to 28×28.

# %%
fig = plot_digits(data.X, labels=data.y, n=24, ncols=8)
show(fig, alt="The first 24 handwritten digits of the sample in 3 rows of 8, "
              "each in a thin grey square and titled with its label.", name="first-digits")

# %% [markdown]
# How many digits of each class the sample holds:

# %%
counts = np.bincount(data.y, minlength=10)
for digit, count in enumerate(counts):
    print(f"{digit}: {count:5d}")
print("total:", counts.sum())
