# %% [markdown]
# # Augmentation and dropout, measured
#
# Nothing is trained here: this page reads `docs/results/augmentation.json` and
# `docs/results/fashion-mnist.json`, written by the commands printed with each table
# (`python -m nnscratch.experiments.generalisation tune | kinds | final | fashion`), and
# prints what they hold. The [augmentation chapter](../augmentation.md) and the
# [dropout chapter](../dropout.md) explain the runs.
#
# Every choice was made on **validation data**: the sample's training part (split seed 0,
# 7,000 digits) less a fifth of it (1,400 digits), over seeds 0, 1 and 2. The 3,000 test
# digits were used once per seed, by the final runs. Accuracies are mean ± sample standard
# deviation over the seeds. The seconds were measured on a machine shared with other jobs;
# compare them only roughly.

# %%
import json

import numpy as np

from nnscratch.experiments.generalisation import FASHION_RESULTS, RESULTS
from nnscratch.plots import plot_gains, show


def pct(values) -> str:
    """``"97.12 % ± 0.20"`` for fractions, mean ± sample sd."""
    v = np.asarray(values, dtype=float)
    sd = v.std(ddof=1) if v.size > 1 else 0.0
    return f"{100 * v.mean():6.2f} % ± {100 * sd:4.2f}"


with open(RESULTS, encoding="utf-8") as f:
    results = json.load(f)
with open(FASHION_RESULTS, encoding="utf-8") as f:
    fashion = json.load(f)
for part in ("kinds", "tune", "final"):
    print(f"{part}: made by `{results[part]['command']}` on {results[part]['created']}, "
          f"{results[part]['seconds'] / 60:.0f} min")

# %% [markdown]
# ## What each kind of distortion buys
#
# The short fixed recipe (784-256-128-10, 30 epochs, Adam, cosine schedule, no dropout),
# with each distortion of the `--augment` recipe alone, the affine ones together, and all of
# them; validation accuracy after the last epoch, and the difference to no augmentation
# (paired by seed).

# %%
kinds = results["kinds"]["kinds"]
base = [r["val_accuracy"] for r in kinds[0]["runs"]]
print(f"{'augmentation':<12} {'validation accuracy':>20}  {'vs none':>16}  {'s / run':>7}")
for entry in kinds:
    acc = [r["val_accuracy"] for r in entry["runs"]]
    diff = np.subtract(acc, base)
    print(f"{entry['name']:<12} {pct(acc):>20}  {100 * diff.mean():+6.2f} ± "
          f"{100 * diff.std(ddof=1):4.2f} pts  {entry['mean_seconds']:7.0f}")

# %% [markdown]
# The same, drawn (`plot_gains`): the gain over no augmentation of each kind, in accuracy
# points, with the sample standard deviation of the paired differences over the seeds as
# error bars and each seed's difference as a dot.

# %%
gains = {e["name"]: np.subtract([r["val_accuracy"] for r in e["runs"]], base)
         for e in kinds[1:]}
order = sorted(gains, key=lambda name: gains[name].mean())
show(plot_gains(gains, "validation accuracy gained over no augmentation (points)"),
     name="augmentation-kinds", alt="Horizontal bars, one per kind of distortion ("
     + ", ".join(gains) + "), of the validation accuracy each gains over no augmentation on "
     "the short recipe, with error bars and a dot for each seed. The largest gain is that of "
     f"{order[-1]}, the smallest that of {order[0]}.")

# %% [markdown]
# ## The configurations tried for `--augment`
#
# Stage 1 varies the augmentation on 784-256-128-10 trained for 40 epochs; stage 2 varies
# the network and its training with stage 1's best augmentation. The best mean validation
# accuracy of all became the defaults of `nnscratch train --augment`
# (`nnscratch.training.AUGMENTED`).

# %%
tune = results["tune"]
print(f"{'stage':<5} {'configuration':<44} {'validation accuracy':>20}  {'s / run':>7}")
for entry in tune["configs"]:
    print(f"{entry['stage']:<5} {entry['name']:<44} "
          f"{pct([r['val_accuracy'] for r in entry['runs']]):>20}  {entry['mean_seconds']:7.0f}")
print("stage 1's best:", tune["stage1_winner"], "  chosen:", tune["chosen"])

# %% [markdown]
# ## The test, once per seed
#
# `nnscratch train --augment --seed S` trains on all 7,000 training digits and is scored
# once on the 3,000 test digits; beside it, the same recipe without `--augment` (every
# option of the recipe given, no augmentation). "seconds" is the whole command, data
# loading included, on one BLAS thread.

# %%
final = results["final"]
for augmented in (True, False):
    runs = [r for r in final["runs"] if r["augment"] == augmented]
    print("with --augment" if augmented else "without --augment", "  e.g.", runs[0]["command"])
    for r in runs:
        print(f"  seed {r['seed']}: test accuracy {100 * r['test_accuracy']:.2f} %, "
              f"{r['seconds']:.0f} s")
    print(f"  mean ± sd: {pct([r['test_accuracy'] for r in runs])}, "
          f"lowest {100 * min(r['test_accuracy'] for r in runs):.2f} %")

# %% [markdown]
# The cost of an epoch with and without augmentation, on the recipe's network, one BLAS
# thread, the two interleaved (training steps only; the median over the repeats):

# %%
cost = final["epoch_cost"]
print(f"network 784-{'-'.join(map(str, cost['network']))}-10, {cost['m']} examples, "
      f"{cost['repeats']} repeats of {cost['epochs_per_repeat']} epochs each")
print(f"seconds per epoch: without {cost['median']['plain']:.2f}, "
      f"with {cost['median']['augment']:.2f}; ratio {cost['ratio']:.2f}")

# %% [markdown]
# ## Fashion-MNIST
#
# The same recipe on a real IDX folder (Debian's `dataset-fashion-mnist`): all 60,000
# training images, the epochs scaled to the same number of updates as on the sample, one
# seed, scored once on the 10,000 test images.

# %%
f_run = fashion["fashion"]
print("made by:", fashion["fashion"]["command"])
print("  ", f_run["run"]["command"])
print("  ", f_run["evaluate_command"])
print(f"{f_run['m_train']} training images, {f_run['epochs']} epochs: test accuracy "
      f"{100 * f_run['test_accuracy']:.2f} % on {f_run['n_test']} images; training took "
      f"{f_run['run']['seconds'] / 60:.1f} min")
