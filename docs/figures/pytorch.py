"""The PyTorch chapter's figure: the loss of every training step, nnscratch against PyTorch,
from ``docs/results/pytorch.json`` (written by ``python -m nnscratch.experiments.pytorch_bridge``,
which needs PyTorch; drawing it does not)."""

from nnscratch.experiments.pytorch_bridge import load_results
from nnscratch.plots import plot_loss_agreement


def loss_agreement():
    losses = load_results()["losses"]
    return plot_loss_agreement(
        {"nnscratch": losses["nnscratch"], "PyTorch": losses["torch"],
         "PyTorch, library's ε": losses["torch_library_eps"]},
        reference="nnscratch",
    )


FIGURES = {"pytorch-loss-agreement": loss_agreement}
