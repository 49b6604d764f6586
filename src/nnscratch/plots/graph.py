"""The network as a computational graph: every array a box with its shape, every step an arrow.

The graph reads from top to bottom, like the chapters' equations: the main column holds
``X = A[0]`` ``(n_0, m)``, then ``Z[l]`` and ``A[l]`` ``(n_l, m)`` of each layer
``l = 1, ..., L``, then the loss ``ℒ`` (a scalar); the column on the left holds the
parameters ``W[l]`` ``(n_l, n_{l-1})`` and ``b[l]`` ``(n_l, 1)``, each beside the ``Z[l]``
it enters, and the one-hot targets ``Y`` ``(n_L, m)`` beside the loss. Every shape is
computed from the layer sizes, with ``m`` for the batch.

:func:`plot_network_graph` draws it in three stages, one per chapter: the boxes alone (the
notation), the forward arrows with the operation each one performs, and the backward arrows
with the gradient each one carries (``dZ[l]``, ``dW[l]``, ``db[l]``, ``dA[l-1]``: the book
writes ``dM`` for ``∂J/∂M``, an array of the shape of ``M``).
"""

from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from nnscratch.plots.style import GREY, OKABE_ITO, book_style

EDGE_MODES = ("none", "forward", "backward")
"""What :func:`plot_network_graph` draws besides the boxes: nothing, the forward pass, or the
backward pass."""

# Layout, in inches (the axes' data coordinates are inches, y growing downwards).
NODE_W, NODE_H = 0.95, 0.46     # one box
ROW = 0.86                      # from one row of the main column to the next
GAP = 1.1                       # between the parameter column's boxes and the main column's
MARGIN = 0.1
RIGHT = 1.75                    # room for the labels right of the main column
LABEL_PAD = 0.12                # from a box or an arrow to its label

COLOURS = {
    "data": OKABE_ITO["bluish_green"],
    "value": OKABE_ITO["sky_blue"],
    "param": OKABE_ITO["orange"],
    "loss": OKABE_ITO["vermillion"],
}
BACKWARD = OKABE_ITO["vermillion"]


@dataclass(frozen=True)
class Node:
    """One array of the graph: its ``key`` (``"Z2"``), TeX ``symbol``, ``shape`` text, kind."""

    key: str
    symbol: str
    shape: str
    kind: str
    x: float
    y: float


@dataclass(frozen=True)
class Edge:
    """An arrow from node ``src`` to node ``dst``, its ``label`` at ``at`` (x, y, ha, va)."""

    src: str
    dst: str
    label: str = ""
    at: tuple[float, float, str, str] | None = None
    rad: float = 0.0


def _columns() -> tuple[float, float]:
    """x of the parameter column and of the main column."""
    param_x = MARGIN + NODE_W / 2
    return param_x, param_x + NODE_W + GAP


def _row(r: float) -> float:
    return MARGIN + NODE_H / 2 + r * ROW


def _shape(rows: int | str, cols: int | str) -> str:
    return f"({rows}, {cols})"


def _sup(letter: str, l: int) -> str:
    """``Z^{[l]}`` in TeX, or ``X`` for ``A^{[0]}``."""
    return "X" if letter == "A" and l == 0 else f"{letter}^{{[{l}]}}"


def network_nodes(layer_sizes: Sequence[int]) -> dict[str, Node]:
    """The boxes of the graph, by key: ``X``, ``W1``, ``b1``, ``Z1``, ``A1``, ..., ``Y``, ``L``.

    ``layer_sizes`` is ``[n_0, ..., n_L]``; each node's ``shape`` is computed from it.

    >>> nodes = network_nodes([784, 100, 10])
    >>> [(key, node.shape) for key, node in nodes.items()]
    [('X', '(784, m)'), ('W1', '(100, 784)'), ('b1', '(100, 1)'), ('Z1', '(100, m)'),
     ('A1', '(100, m)'), ('W2', '(10, 100)'), ('b2', '(10, 1)'), ('Z2', '(10, m)'),
     ('A2', '(10, m)'), ('Y', '(10, m)'), ('L', 'scalar')]
    """
    n, L = list(layer_sizes), len(layer_sizes) - 1
    px, mx = _columns()
    nodes = {"X": Node("X", "$X$", _shape(n[0], "m"), "data", mx, _row(0))}
    for l in range(1, L + 1):
        nodes[f"W{l}"] = Node(f"W{l}", f"${_sup('W', l)}$", _shape(n[l], n[l - 1]), "param",
                              px, _row(2 * l - 1.5))
        nodes[f"b{l}"] = Node(f"b{l}", f"${_sup('b', l)}$", _shape(n[l], 1), "param",
                              px, _row(2 * l - 0.5))
        for letter, r in (("Z", 2 * l - 1), ("A", 2 * l)):
            nodes[f"{letter}{l}"] = Node(f"{letter}{l}", f"${_sup(letter, l)}$",
                                         _shape(n[l], "m"), "value", mx, _row(r))
    nodes["Y"] = Node("Y", "$Y$", _shape(n[L], "m"), "data", px, _row(2 * L + 1))
    nodes["L"] = Node("L", r"$\mathcal{L}$", "scalar", "loss", mx, _row(2 * L + 1))
    return nodes


def _beside(nodes: dict[str, Node], src: str, dst: str) -> tuple[float, float, str, str]:
    """A label right of the main column, half-way down the arrow from ``src`` to ``dst``."""
    return (nodes[src].x + NODE_W / 2 + LABEL_PAD, (nodes[src].y + nodes[dst].y) / 2,
            "left", "center")


def _across(nodes: dict[str, Node], a: str, b: str, above: bool) -> tuple[float, float, str, str]:
    """A label above (or below) the middle of the slanted arrow between ``a`` and ``b``."""
    x = (nodes[a].x + nodes[b].x) / 2
    y = (nodes[a].y + nodes[b].y) / 2 + (-LABEL_PAD if above else LABEL_PAD)
    return (x, y, "center", "bottom" if above else "top")


def forward_edges(layer_sizes: Sequence[int]) -> list[Edge]:
    """The forward arrows, each labelled with the operation it performs.

    ``A[l-1] -> Z[l]`` is ``W[l] A[l-1] + b[l]`` (fed by ``W[l]`` and ``b[l]``); ``Z[l] ->
    A[l]`` is ``g``, ReLU or Leaky ReLU, for a hidden layer and softmax for the last; the
    cross-entropy of ``A[L]`` against ``Y`` is the loss.

    >>> for e in forward_edges([784, 10]):
    ...     print(e.src, "->", e.dst, e.label)
    X -> Z1 $W^{[1]}X + b^{[1]}$
    W1 -> Z1
    b1 -> Z1
    Z1 -> A1 $\\mathrm{softmax}(Z^{[1]})$
    A1 -> L cross-entropy
    Y -> L
    """
    L = len(layer_sizes) - 1
    nodes = network_nodes(layer_sizes)
    edges = []
    for l in range(1, L + 1):
        prev, z, a = ("X" if l == 1 else f"A{l - 1}"), f"Z{l}", f"A{l}"
        linear = f"${_sup('W', l)}{_sup('A', l - 1)} + {_sup('b', l)}$"
        act = (rf"$\mathrm{{softmax}}({_sup('Z', l)})$" if l == L
               else f"$g({_sup('Z', l)})$\nReLU or Leaky ReLU")
        edges += [Edge(prev, z, linear, _beside(nodes, prev, z)), Edge(f"W{l}", z),
                  Edge(f"b{l}", z), Edge(z, a, act, _beside(nodes, z, a))]
    last = f"A{L}"
    return edges + [Edge(last, "L", "cross-entropy", _beside(nodes, last, "L")), Edge("Y", "L")]


def backward_edges(layer_sizes: Sequence[int]) -> list[Edge]:
    """The backward arrows, each labelled with the gradient it carries and its shape.

    From the loss straight to ``dZ[L] = (A[L] - Y) / m`` (softmax and cross-entropy together),
    then per layer, from ``L`` down to 1: ``dW[l]`` and ``db[l]`` to the parameters, and,
    below the first layer, ``dA[l-1]`` to the activations and ``dZ[l-1]`` through ``g'``.

    >>> for e in backward_edges([784, 10]):
    ...     print(e.src, "->", e.dst, e.label.replace("\\n", " | "))
    L -> Z1 $dZ^{[1]}$  (10, m) | $= (A^{[1]} - Y)\\,/\\,m$
    Z1 -> W1 $dW^{[1]}$ | (10, 784)
    Z1 -> b1 $db^{[1]}$ | (10, 1)
    """
    n, L = list(layer_sizes), len(layer_sizes) - 1
    nodes = network_nodes(layer_sizes)
    top = nodes[f"Z{L}"]
    arc_x = top.x + NODE_W / 2 + 0.45 + LABEL_PAD
    dZ = f"${_sup('dZ', L)}$  {_shape(n[L], 'm')}\n$= (A^{{[{L}]}} - Y)\\,/\\,m$"
    edges = [Edge("L", f"Z{L}", dZ,
                  (arc_x, (top.y + nodes["L"].y) / 2, "left", "center"), rad=0.55)]
    for l in range(L, 0, -1):
        z = f"Z{l}"
        edges += [Edge(z, f"W{l}", f"${_sup('dW', l)}$\n{_shape(n[l], n[l - 1])}",
                       _across(nodes, z, f"W{l}", above=True)),
                  Edge(z, f"b{l}", f"${_sup('db', l)}$\n{_shape(n[l], 1)}",
                       _across(nodes, z, f"b{l}", above=False))]
        if l > 1:
            a = f"A{l - 1}"
            edges += [Edge(z, a, f"${_sup('dA', l - 1)}$  {_shape(n[l - 1], 'm')}",
                           _beside(nodes, a, z)),
                      Edge(a, f"Z{l - 1}", f"${_sup('dZ', l - 1)}$  {_shape(n[l - 1], 'm')}",
                           _beside(nodes, f"Z{l - 1}", a))]
    return edges


def _draw_node(ax: Axes, node: Node) -> FancyBboxPatch:
    colour = COLOURS[node.kind]
    box = FancyBboxPatch((node.x - NODE_W / 2, node.y - NODE_H / 2), NODE_W, NODE_H,
                         boxstyle="round,pad=0,rounding_size=0.08", fill=False,
                         edgecolor=colour, linewidth=1.3, gid=f"box:{node.key}")
    ax.add_patch(box)
    ax.text(node.x, node.y - 0.085, node.symbol, color=colour, fontsize=11, ha="center",
            va="center", gid=f"node:{node.key}")
    ax.text(node.x, node.y + 0.125, node.shape, color=GREY, fontsize=8, ha="center",
            va="center", gid=f"shape:{node.key}")
    return box


def _draw_edge(ax: Axes, edge: Edge, boxes: dict, colour: str) -> None:
    a, b = boxes[edge.src], boxes[edge.dst]
    start = (a.get_x() + a.get_width() / 2, a.get_y() + a.get_height() / 2)
    end = (b.get_x() + b.get_width() / 2, b.get_y() + b.get_height() / 2)
    if edge.rad:   # an arc from the right side of one box to the right side of another
        start, end = (start[0] + NODE_W / 2, start[1]), (end[0] + NODE_W / 2, end[1])
        a = b = None
    ax.add_patch(FancyArrowPatch(start, end, patchA=a, patchB=b, arrowstyle="-|>",
                                 mutation_scale=11, color=colour, linewidth=1.1,
                                 shrinkA=1, shrinkB=1, gid=f"edge:{edge.src}-{edge.dst}",
                                 connectionstyle=f"arc3,rad={edge.rad}"))
    if edge.label:
        x, y, ha, va = edge.at
        ax.text(x, y, edge.label, color=colour, fontsize=9, ha=ha, va=va,
                gid=f"label:{edge.src}-{edge.dst}", linespacing=1.25)


def graph_size(layer_sizes: Sequence[int], edges: str = "none") -> tuple[float, float]:
    """Width and height in inches of the graph of a network with these layer sizes.

    Without arrows (``edges="none"``) there are no labels right of the main column.

    >>> [round(v, 2) for v in graph_size([784, 10])]
    [3.2, 3.24]
    >>> [round(v, 2) for v in graph_size([784, 10], edges="forward")]
    [4.97, 3.24]
    """
    _, mx = _columns()
    right = MARGIN if edges == "none" else LABEL_PAD + RIGHT
    rows = 2 * (len(layer_sizes) - 1) + 1          # row spacings from X (row 0) to L (2L + 1)
    return mx + NODE_W / 2 + right, 2 * MARGIN + NODE_H + rows * ROW


def plot_network_graph(
    layer_sizes: Sequence[int], edges: str = "none", fig: Figure | None = None
) -> Figure:
    """Draw the network ``layer_sizes = [n_0, ..., n_L]`` as a computational graph.

    One box per array, with its shape: ``X`` ``(n_0, m)``, per layer ``l`` the parameters
    ``W[l]`` ``(n_l, n_{l-1})`` and ``b[l]`` ``(n_l, 1)`` and the values ``Z[l]``, ``A[l]``
    ``(n_l, m)``, the targets ``Y`` ``(n_L, m)`` and the loss ``ℒ``. ``edges`` is ``"none"``
    (the boxes only), ``"forward"`` (arrows labelled with their operation) or ``"backward"``
    (arrows labelled with the gradient they carry and its shape). The figure (a new one
    unless ``fig``, which is resized) is :func:`graph_size` inches.

    >>> f = plot_network_graph([784, 10], edges="forward")
    >>> sorted(t.get_text() for t in f.axes[0].texts if t.get_gid().startswith("label:"))
    ['$W^{[1]}X + b^{[1]}$', '$\\\\mathrm{softmax}(Z^{[1]})$', 'cross-entropy']
    >>> plt.close(f)
    """
    if edges not in EDGE_MODES:
        raise ValueError(f"edges must be one of {EDGE_MODES}, got {edges!r}")
    if len(layer_sizes) < 2 or any(int(n) < 1 for n in layer_sizes):
        raise ValueError(f"layer_sizes needs n_0 and at least one layer, got {layer_sizes}")
    width, height = graph_size(layer_sizes, edges)
    if fig is None:
        fig = plt.figure(figsize=(width, height))
    else:
        fig.set_size_inches(width, height)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.set_axis_off()
    boxes = {key: _draw_node(ax, node) for key, node in network_nodes(layer_sizes).items()}
    drawn = {"forward": (forward_edges, GREY), "backward": (backward_edges, BACKWARD)}
    if edges in drawn:
        make, colour = drawn[edges]
        for edge in make(layer_sizes):
            _draw_edge(ax, edge, boxes, colour)
    return book_style(fig)
