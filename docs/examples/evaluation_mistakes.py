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

import numpy as np

from nnscratch.data import load_sample, train_test_split
from nnscratch.evaluation import accuracy, confusion_matrix, per_class_accuracy, worst_mistakes
from nnscratch.initialization import he_init
from nnscratch.network import forward
from nnscratch.onehot import predictions
from nnscratch.plots import plot_confusion, plot_mistakes, plot_weights, show
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
# As a heatmap (`plot_confusion`): a cell's opacity grows with the logarithm of its count,
# so that the few confusions off the diagonal are not drowned by the hundreds of correct
# predictions on it, and an empty cell is left blank; every other cell also shows its count.

# %%
show(plot_confusion(C, title="confusion matrix C (test)"), name="evaluation-confusion-matrix",
     alt="Heatmap of the 10 by 10 confusion matrix on the test digits: true class down the "
         "rows, predicted class along the columns, each non-empty cell labelled with its "
         "count and darker for larger counts; the diagonal, the correct predictions, is the "
         "darkest.")

# %% [markdown]
# ## The most confident mistakes
#
# `worst_mistakes(A, y_test, k=16)`: the misclassified test digits, ordered by the probability
# the network gave to its wrong answer; `plot_mistakes` titles each *true → predicted
# (probability)*.

# %%
worst = worst_mistakes(A, y_test, k=16)
for i in worst:
    print(f"test digit {i:4d}: true {y_test[i]}, predicted {y_pred[i]} "
          f"with probability {A[y_pred[i], i]:.3f}")
fig = plot_mistakes(X_test[:, worst], y_test[worst], y_pred[worst], A[y_pred[worst], worst])
show(fig, name="evaluation-worst-mistakes",
     alt="The 16 test digits the network misclassified most confidently, in 2 rows of 8, "
         "each titled with its true label, an arrow, the predicted label and the probability "
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
# to be turned on by (vermillion) and off by (blue): `plot_weights` draws a weight as ink of
# its sign's colour with its size as the opacity, on one scale $\pm \max |\Delta W^{[1]}|$
# for every picture, so the pictures compare and a weight that did not change is blank.

# %%
shown = delta[:24]                   # (24, 784): the first 24 units
print(f"colour limits: ±{float(np.abs(shown).max()):.3f}")
show(plot_weights(shown, ncols=8), name="evaluation-first-layer-changes",
     alt="What training changed in the weights of the first 24 hidden units: each row of W1 "
         "minus its initial value, drawn as a 28 by 28 picture, vermillion where the weight "
         "grew and blue where it shrank, the stronger the larger the change, blank where it "
         "did not change. Smooth blotches of both colours, stroke-like shapes, fill the "
         "centre of each picture, where the digits are written; the border, where the pixels "
         "are always blank, stays empty.")
