"""The network as a computational graph, in the notation, forward and backprop chapters.

The notebook's two networks: 784-100-10 (its version 1) and 784-100-100-10, the running
example of the derivations. The notation chapter shows the arrays and their shapes, the
forward chapter adds the operations, the backprop chapter the gradients.
"""

from functools import partial

from nnscratch.plots import plot_network_graph

TWO_LAYERS = [784, 100, 10]
THREE_LAYERS = [784, 100, 100, 10]

FIGURES = {
    "notation-network-shapes": partial(plot_network_graph, THREE_LAYERS, edges="none"),
    "forward-network-graph": partial(plot_network_graph, THREE_LAYERS, edges="forward"),
    "backprop-graph-2-layer": partial(plot_network_graph, TWO_LAYERS, edges="backward"),
    "backprop-graph-3-layer": partial(plot_network_graph, THREE_LAYERS, edges="backward"),
}
