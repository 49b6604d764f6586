# %% [markdown]
# # Comparing the optimizers
#
# The chapter [Training](../training.md) derives four ways to turn gradients into steps.
# Here each trains the same 784-100-10 ReLU network, from the same He initialisation (seed
# 0), on the same 70 % of the embedded sample, for the same 5 epochs, and is measured on the
# same 30 % held out:
#
# | run | optimizer | learning rate $\eta$ | batch size $B$ | steps per epoch |
# |---|---|---|---|---|
# | GD, full batch | `gd` | 0.3 | all $m$ | 1 |
# | mini-batch SGD | `gd` | 0.05 | 64 | $\lceil m / 64 \rceil$ |
# | momentum | `momentum` ($\beta = 0.9$) | 0.01 | 64 | $\lceil m / 64 \rceil$ |
# | Adam | `adam` | 0.001 | 64 | $\lceil m / 64 \rceil$ |
#
# Momentum's rate is a tenth of mini-batch SGD's because its velocity sums about
# $1/(1-\beta) = 10$ gradients. The learning rate is constant, so that the curves show the
# optimizers and not a schedule.

# %%
import os

# One BLAS thread: the matrices are small, and on a busy 2-core machine threads fighting
# over the cores make the loop much slower. (Must precede numpy.)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import time

from nnscratch.data import load_sample, train_test_split
from nnscratch.plots import plot_runs, show
from nnscratch.training import TrainConfig, train

data = load_sample()
X_train, y_train, X_test, y_test = train_test_split(data.X, data.y, 0.3, 0)
print("train:", X_train.shape, " test:", X_test.shape)

RUNS = {
    "GD, full batch": dict(optimizer="gd", lr=0.3, batch_size=None),
    "mini-batch SGD": dict(optimizer="gd", lr=0.05, batch_size=64),
    "momentum": dict(optimizer="momentum", lr=0.01, batch_size=64),
    "Adam": dict(optimizer="adam", lr=0.001, batch_size=64),
}

histories = {}
for name, settings in RUNS.items():
    config = TrainConfig(hidden=(100,), epochs=5, schedule="constant", seed=0, **settings)
    start = time.perf_counter()
    result = train(X_train, y_train, config, X_test=X_test, y_test=y_test, progress=False)
    histories[name] = result.history
    print(f"{name:<15} trained in {time.perf_counter() - start:4.1f} s")

# %% [markdown]
# ## The numbers
#
# The training objective (mean cross-entropy on the whole training set) and the test
# accuracy after each epoch:

# %%
print(f"{'epoch':>5}  " + "  ".join(f"{name:>15}" for name in RUNS))
for i in range(len(histories["Adam"])):
    cells = [f"{h[i]['loss']:.3f} {h[i]['test_accuracy']:6.1%}" for h in histories.values()]
    print(f"{i + 1:>5}  " + "  ".join(f"{c:>15}" for c in cells))

# %% [markdown]
# ## Learning curves
#
# The same numbers on shared axes: training loss on the left (lower is better), test
# accuracy on the right (higher is better), drawn by `nnscratch.plots.plot_runs`. Each
# optimizer has its own colour *and* its own line style and marker, so the curves stay apart
# in greyscale too.

# %%
fig = plot_runs(histories)
show(fig, name="training-compare-curves",
     alt="Learning curves of four optimizers training the same 784-100-10 network for "
         "5 epochs. Left, training loss per epoch; right, test accuracy per epoch. One line "
         "per optimizer: full-batch gradient descent (blue, solid, circles), mini-batch SGD "
         "(vermillion, dashed, squares), momentum (green, dash-dot, triangles) and Adam "
         "(orange, dotted, diamonds).")

# %% [markdown]
# ## What the curves say
#
# Per **epoch**, full-batch gradient descent is far behind: it takes one step per pass over
# the data, where the mini-batch methods take one per 64 examples. Per **step** it is the
# most accurate, but steps are what training is short of. Among the mini-batch methods,
# momentum and Adam reach a lower loss than plain SGD in the same number of steps; the
# final row of the table gives the exact numbers of this run.

# %%
for name, history in histories.items():
    last = history[-1]
    print(f"{name:<15} loss {last['loss']:.4f}  train {last['train_accuracy']:.2%}  "
          f"test {last['test_accuracy']:.2%}")
