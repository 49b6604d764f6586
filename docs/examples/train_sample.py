# %% [markdown]
# # Training on the sample
#
# A 784-100-10 network (one hidden ReLU layer of 100 units, softmax output) trained with
# plain mini-batch gradient descent on the embedded sample: 70 % of it to train, 30 % to
# test. Every step is the update
#
# $$W^{[l]} \leftarrow W^{[l]} - \eta \, \frac{\partial \mathcal{L}}{\partial W^{[l]}}, \qquad
#   b^{[l]} \leftarrow b^{[l]} - \eta \, \frac{\partial \mathcal{L}}{\partial b^{[l]}}$$
#
# with the gradients from `backward`. The whole loop is written out below.

# %%
import os

# One BLAS thread: these matrices are small, and on a busy 2-core machine two threads
# fighting over the cores made this loop dozens of times slower. (Must precede numpy.)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import time

import numpy as np

from nnscratch.data import load_sample, train_test_split
from nnscratch.initialization import he_init
from nnscratch.network import backward, forward, loss, predict
from nnscratch.onehot import one_hot
from nnscratch.plots import plot_history, show

data = load_sample()
X_train, y_train, X_test, y_test = train_test_split(data.X, data.y, test_fraction=0.3, seed=0)
Y_train = one_hot(y_train, 10, dtype=np.float32)
Y_test = one_hot(y_test, 10, dtype=np.float32)
print("train:", X_train.shape, " test:", X_test.shape)

# %% [markdown]
# The settings, then the loop: shuffle, step through mini-batches, and after each epoch
# record the loss on the training set and both accuracies.

# %%
layer_sizes = [784, 100, 10]
learning_rate, batch_size, epochs = 0.05, 64, 15
rng = np.random.default_rng(0)
params = he_init(layer_sizes, rng)

history = []
start = time.perf_counter()
for epoch in range(1, epochs + 1):
    order = rng.permutation(X_train.shape[1])
    for i in range(0, order.size, batch_size):
        batch = order[i : i + batch_size]
        AL, cache = forward(params, X_train[:, batch])
        grads = backward(params, cache, AL, Y_train[:, batch])
        for key in params:
            params[key] -= learning_rate * grads[key]
    history.append({
        "epoch": epoch,
        "loss": loss(params, X_train, Y_train),
        "train_accuracy": float(np.mean(predict(params, X_train) == y_train)),
        "test_accuracy": float(np.mean(predict(params, X_test) == y_test)),
    })
seconds = time.perf_counter() - start

for row in history:
    print("epoch {epoch:2d}  loss {loss:.4f}  train {train_accuracy:.4f}  "
          "test {test_accuracy:.4f}".format(**row))
print(f"{epochs} epochs in {seconds:.1f} s")

# %% [markdown]
# The learning curve: the training loss falls epoch by epoch; the test accuracy climbs
# quickly, then levels off below the training accuracy.

# %%
fig = plot_history(history)
show(fig, name="train-sample-curve",
     alt="Learning curve of the 784-100-10 network on the sample: on the left the training "
         "loss per epoch; on the right the train accuracy (solid) and test accuracy (dashed) "
         "per epoch.")

# %%
final = history[-1]
print(f"final test accuracy: {final['test_accuracy']:.2%} on {X_test.shape[1]} test digits")
