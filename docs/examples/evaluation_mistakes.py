# %% [markdown]
# # Mistakes, confusions and first-layer weights
#
# The chapter [Evaluation](../evaluation.md) defines the accuracy, the confusion matrix and
# the most confident mistakes. Here they are computed for a quickly trained 784-100-10
# network (Adam, 3 epochs, mini-batches of 64) on 70 % of the embedded sample, and measured
# on the other 30 %: the confusion matrix as a heatmap, the mistakes the network was most
# sure of as images, and the weights of the first layer, each row of $W^{[1]}$
# (shape $(100, 784)$) drawn as a 28×28 picture.

# %%
import os

# One BLAS thread: the matrices are small, and on a busy 2-core machine threads fighting
# over the cores make the loop much slower. (Must precede numpy.)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LogNorm

from nnscratch.data import load_sample, train_test_split
from nnscratch.evaluation import accuracy, confusion_matrix, per_class_accuracy, worst_mistakes
from nnscratch.initialization import he_init
from nnscratch.network import forward
from nnscratch.onehot import predictions
from nnscratch.plots import GREY, plot_digits, show
from nnscratch.training import TrainConfig, train

data = load_sample()
X_train, y_train, X_test, y_test = train_test_split(data.X, data.y, 0.3, 0)
config = TrainConfig(hidden=(100,), optimizer="adam", lr=0.001, epochs=3, batch_size=64,
                     schedule="constant", seed=0)
# The initial weights are kept (train updates them in place) to see what training changed.
params = he_init(config.layer_sizes(), np.random.default_rng(config.seed))
W1_init = params["W1"].copy()
params = train(X_train, y_train, config, params=params, progress=False).params

A, _ = forward(params, X_test)       # (10, m_test) probabilities, one column per digit
y_pred = predictions(A)              # (m_test,)
print("A:", A.shape, " y_pred:", y_pred.shape)
print(f"test accuracy: {accuracy(y_pred, y_test):.2%} on {y_test.size} digits")


def grey_text(fig):
    """Transparent background, mid-grey text and ticks: readable on light and dark pages."""
    fig.patch.set_alpha(0.0)
    for ax in fig.axes:
        ax.patch.set_alpha(0.0)
        ax.tick_params(colors=GREY)
        for text in (ax.title, ax.xaxis.label, ax.yaxis.label):
            text.set_color(GREY)
        for spine in ax.spines.values():
            spine.set_color(GREY)
    return fig


# %% [markdown]
# ## The confusion matrix
#
# `C[i, j]` counts the test digits of true class `i` predicted as `j`; the diagonal holds the
# correct ones. Each row sums to the number of test digits of its class.

# %%
C = confusion_matrix(y_test, y_pred)
print(C)
for digit, acc in enumerate(per_class_accuracy(C)):
    print(f"class {digit}: {acc:.1%} of {C[digit].sum()} correct")

# %% [markdown]
# As a heatmap, with a logarithmic colour scale (`cividis`, readable with every form of
# colour blindness) so that the few confusions off the diagonal are not drowned by the
# hundreds of correct predictions on it; every cell also shows its count.

# %%
fig, ax = plt.subplots(figsize=(5.2, 4.6))
image = ax.imshow(np.maximum(C, 0.5), cmap="cividis", norm=LogNorm(vmin=0.5, vmax=C.max()))
for i in range(10):
    for j in range(10):
        if C[i, j]:
            light = np.log(C[i, j] / 0.5) > 0.6 * np.log(C.max() / 0.5)
            ax.text(j, i, str(C[i, j]), ha="center", va="center", fontsize=7,
                    color="black" if light else "white")
ax.set(xticks=range(10), yticks=range(10), xlabel="predicted class j",
       ylabel="true class i", title="confusion matrix C (test)")
colorbar = fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
colorbar.ax.tick_params(colors=GREY, which="both")
colorbar.outline.set_edgecolor(GREY)
fig.tight_layout()
show(grey_text(fig), alt="Heatmap of the 10 by 10 confusion matrix on the test digits: true "
     "class down the rows, predicted class along the columns, each cell labelled with its "
     "count, brighter for larger counts; the diagonal holds the correct predictions.")

# %% [markdown]
# ## The most confident mistakes
#
# `worst_mistakes(A, y_test, k=16)`: the misclassified test digits, ordered by the probability
# the network gave to its wrong answer. Each title reads *true → predicted (probability)*.
# `plot_digits` draws the digits; the titles are then replaced by these longer ones.

# %%
worst = worst_mistakes(A, y_test, k=16)
fig = plot_digits(X_test[:, worst], n=16, ncols=8)
fig.set_size_inches(9, 2.9)
for ax, i in zip(fig.axes, worst, strict=True):
    ax.set_title(f"{y_test[i]}→{y_pred[i]} ({A[y_pred[i], i]:.2f})", fontsize=8, color=GREY)
fig.tight_layout(pad=0.3)
for i in worst:
    print(f"test digit {i:4d}: true {y_test[i]}, predicted {y_pred[i]} "
          f"with probability {A[y_pred[i], i]:.3f}")
show(fig, alt="The 16 test digits the network misclassified most confidently, in 2 rows of "
     "8, each titled with its true label, an arrow, the predicted label and the probability "
     "of the prediction. Several are badly written or ambiguous even to a person.")

# %% [markdown]
# ## What the first layer looks for
#
# Hidden unit $j$ computes $z_j = W^{[1]}_{j,:}\, x + b^{[1]}_j$: a weighted sum of the 784
# pixels. After 3 epochs, though, $W^{[1]}$ is still mostly its random He initialisation, and
# its pictures look like noise. What training *wrote* into the weights is the difference
# $\Delta W^{[1]} = W^{[1]} - W^{[1]}_{\text{init}}$. A pixel that is 0 in every training
# image never receives a gradient, since $dW^{[1]} = dZ^{[1]} X^\top$ and its row of $X$ is
# zero, so its weights do not change at all:

# %%
W1 = params["W1"]                    # (100, 784)
delta = W1 - W1_init                 # (100, 784)
blank = ~X_train.any(axis=1)         # (784,) pixels that are 0 in every training image
print("W1:", W1.shape, f" pixels blank in every training image: {blank.sum()} of 784")
print("largest change of their weights:", float(np.abs(delta[:, blank]).max()))

# %% [markdown]
# Row $j$ of $\Delta W^{[1]}$, reshaped to 28×28, shows which pixels training taught unit $j$
# to be turned on by (red) and off by (blue). The colour map `RdBu_r` is diverging and
# colour-blind safe, with white at 0 and the same limits $\pm \max |\Delta W^{[1]}|$ for
# every image, so the colours compare across units.

# %%
limit = float(np.abs(delta[:24]).max())
fig, axes = plt.subplots(3, 8, figsize=(9, 3.6))
for j, ax in enumerate(axes.flat):
    image = ax.imshow(delta[j].reshape(28, 28), cmap="RdBu_r", vmin=-limit, vmax=limit,
                      interpolation="nearest")
    ax.set_axis_off()
    ax.set_title(f"unit {j}", fontsize=8, color=GREY)
colorbar = fig.colorbar(image, ax=axes, fraction=0.02, pad=0.02)
colorbar.ax.tick_params(colors=GREY)
colorbar.outline.set_edgecolor(GREY)
fig.patch.set_alpha(0.0)
print(f"colour limits: ±{limit:.3f}")
show(fig, alt="What training changed in the weights of the first 24 hidden units: each row "
     "of W1 minus its initial value, drawn as a 28 by 28 image in a red-white-blue colour "
     "map with white at zero. Smooth blotches of red and blue, stroke-like shapes, fill the "
     "centre of each image, where the digits are written; the border, where the pixels are "
     "always blank, stays white.")
