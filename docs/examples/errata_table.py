# %% [markdown]
# # The errata in one table
#
# Every configuration of the [errata chapter](../errata.md), side by side: the notebook's
# two networks as written, each mistake fixed alone, all fixed, and a modern recipe
# (`nnscratch.training.train` with its defaults: mini-batches of 64, Adam, cosine
# schedule, 784-256-128-10). All run on the embedded sample, split the notebook's way
# (shuffled, first 30 % held out), for each seed in the file.
#
# Nothing is trained here: this page reads `docs/results/errata.json`, written by
#
#     OPENBLAS_NUM_THREADS=1 python -m nnscratch.notebook --seeds 0,1,2 --jobs 2
#
# (and a second command that added the float64 variant, printed below), and prints what it
# holds. Accuracies are mean ± sample standard deviation over the seeds;
# "reported" is the last train accuracy the notebook's loop prints. The seconds are the
# training time of one run, averaged over the seeds; the runs shared a busy machine two at
# a time, so compare them only roughly.

# %%
from nnscratch.experiments.errata import load_results, mean_sd, pct, runs_of
from nnscratch.plots import plot_accuracies, plot_run_curves, show

results = load_results()
print("created:", results["created"], "  complete:", results["complete"])
print("data:", results["data"]["source"], f"({results['data']['m']} rows),",
      "sha256", results["data"]["sha256"][:16] + "…")
print("seeds:", results["seeds"], "  machine:", results["machine"]["platform"],
      f"({results['machine']['cpus']} cpus, OPENBLAS_NUM_THREADS="
      f"{results['machine']['OPENBLAS_NUM_THREADS']}, {results['machine']['jobs']} jobs)")
for command in results.get("commands", [results["command"]]):
    print("made by:", "OPENBLAS_NUM_THREADS=1", command)
print(f"the runs took {results['total_seconds'] / 60:.1f} min in all")

# %% [markdown]
# The two reporting mistakes change no update before the last one, so their rows are read
# off the as-written runs: fixing `accuracy_before_update` alone reports the accuracy of
# the parameters after the last (501st) step, and fixing `iterations_plus_one` alone stops
# after 500 steps, i.e. at the parameters the as-written loop evaluates at `i = 500`.

# %%
names = sorted({r["name"] for r in results["runs"]},
               key=lambda n: (n == "modern", n[:2], "written" not in n, "all" in n, n))
rows = []
for name in names:
    runs = runs_of(results, name)
    reported = [r.get("reported_train_accuracy", r["train_accuracy"]) for r in runs]
    rows.append((name, reported, [r["train_accuracy"] for r in runs],
                 [r["test_accuracy"] for r in runs], [r["seconds"] for r in runs]))
    if name.endswith("as written"):
        version = name[:2]
        rows.append((f"{version} fix accuracy_before_update*", [r["train_accuracy"] for r in runs],
                     [r["train_accuracy"] for r in runs], [r["test_accuracy"] for r in runs],
                     None))
        last = [r["history"][-1] for r in runs]   # i = iterations: after exactly 500 (900) steps
        rows.append((f"{version} fix iterations_plus_one*", [h["train_accuracy"] for h in last],
                     [h["train_accuracy"] for h in last], [h["test_accuracy"] for h in last],
                     None))

print(f"{'configuration':<34}{'reported train':>18}{'train':>18}{'test':>18}{'seconds':>10}")
for name, reported, train, test, seconds in rows:
    time = "—" if seconds is None else f"{mean_sd(seconds)[0]:.1f}"
    print(f"{name:<34}{pct(reported):>18}{pct(train):>18}{pct(test):>18}{time:>10}")
print("* read off the as-written runs, not run separately")

# %% [markdown]
# The test accuracies as bars (mean ± sd over the seeds); the grey line is version 1 as
# written.

# %%
shown = [name for name, *_, seconds in rows if seconds is not None]
fig = plot_accuracies(results, shown, reference="v1 as written")
show(fig, name="errata-test-accuracies",
     alt="Horizontal bars of test accuracy, one per configuration: the modern recipe in "
         "green, the version 1 variants in blue and the version 2 variants in vermillion, "
         "each with its standard deviation over the seeds as an error bar; a grey "
         "vertical line marks version 1 as written.")

# %% [markdown]
# The test accuracy the loop would print, every 10 iterations, for seed 0: as written, and
# with every mistake fixed.

# %%
fig = plot_run_curves(results, {"version 1": ["v1 as written", "v1 all fixes"],
                                "version 2": ["v2 as written", "v2 all fixes"]}, seed=0)
show(fig, name="errata-learning-curves",
     alt="Two panels, version 1 on the left and version 2 on the right: test accuracy "
         "against the iteration for seed 0, as written (solid vermillion line) and with "
         "every mistake fixed (dashed blue line).")
