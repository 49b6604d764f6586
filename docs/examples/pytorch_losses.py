# %% [markdown]
# # nnscratch and PyTorch, step by step
#
# The figure of the chapter [From scratch to PyTorch](../pytorch.md#the-training-loop): one
# network, trained in three runs from the same initial parameters on the same mini-batches:
# by the library, by PyTorch, and by PyTorch with its Adam's ε placed as the library places
# it. Nothing is trained here, and PyTorch is not needed: this page reads
# `docs/results/pytorch.json`, written by the command printed below (with
# `--out docs/results/pytorch.json`), which needs PyTorch.

# %%
from nnscratch.experiments.pytorch_bridge import load_results
from nnscratch.plots import plot_loss_agreement, show

results = load_results()
print("made by:", results["command"], "--out docs/results/pytorch.json")
print("on:", results["date"][:10], results["machine"]["platform"])
print("versions:", ", ".join(f"{k} {v}" for k, v in results["versions"].items()))
losses = results["losses"]
print("steps:", {name: len(values) for name, values in losses.items()})

# %% [markdown]
# Left, the loss of each step (the batch's cross-entropy plus the L2 term, before the
# step's update); right, on a log scale, how far each PyTorch run is from the library's,
# relative to it.

# %%
fig = plot_loss_agreement(
    {"nnscratch": losses["nnscratch"], "PyTorch": losses["torch"],
     "PyTorch, library's ε": losses["torch_library_eps"]},
    reference="nnscratch",
)
show(fig, name="pytorch-losses",
     alt="Two panels over the same training steps. Left: the loss of the three runs "
         "against the step, falling; the curves lie on top of each other. Right, on a "
         "log scale: the relative difference of each PyTorch run from nnscratch; "
         "PyTorch's own Adam moves away within the first steps and stays apart, while "
         "PyTorch with the library's ε stays at the level of rounding errors.")

# %% [markdown]
# After the last step, how far apart the parameters are (the largest difference over all
# of them) and how many of the held-out digits the networks classify differently:

# %%
for name, diff in results["max_param_difference"].items():
    print(f"{name:18s} largest parameter difference {diff:.1e}, "
          f"{results['predictions_differ'][name]} of {results['test_size']} test predictions "
          "differ from nnscratch's")
