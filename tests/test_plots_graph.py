"""The network drawn as a computational graph (``nnscratch.plots.graph``).

Each figure is read back the way a reader reads it: the text of every box and every arrow
label, with the shapes worked out here again from the layer sizes (not taken from the
module), and, once drawn, no two labels on top of each other, no arrow through a label,
nothing outside the figure.
"""

import itertools

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch  # noqa: E402
from matplotlib.path import Path  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402

from nnscratch.plots import plot_network_graph  # noqa: E402

# One layer, the notebook's two networks (the ones the chapters show), and five layers.
NETWORKS = [[784, 10], [784, 100, 10], [784, 100, 100, 10], [784, 64, 32, 16, 10]]
MODES = ["none", "forward", "backward"]


def expected_nodes(sizes):
    """``key -> (symbol, shape)`` for every box, from the book's table of shapes."""
    L = len(sizes) - 1
    nodes = {"X": ("$X$", f"({sizes[0]}, m)"), "Y": ("$Y$", f"({sizes[L]}, m)"),
             "L": (r"$\mathcal{L}$", "scalar")}
    for l in range(1, L + 1):
        n, n_prev = sizes[l], sizes[l - 1]
        nodes[f"W{l}"] = (f"$W^{{[{l}]}}$", f"({n}, {n_prev})")
        nodes[f"b{l}"] = (f"$b^{{[{l}]}}$", f"({n}, 1)")
        nodes[f"Z{l}"] = (f"$Z^{{[{l}]}}$", f"({n}, m)")
        nodes[f"A{l}"] = (f"$A^{{[{l}]}}$", f"({n}, m)")
    return nodes


def expected_forward(sizes):
    """``(src, dst) -> label`` of the forward arrows (``""``: an arrow with no label)."""
    L = len(sizes) - 1
    edges = {(f"A{L}", "L"): "cross-entropy", ("Y", "L"): ""}
    for l in range(1, L + 1):
        prev = "X" if l == 1 else f"A{l - 1}"
        prev_tex = "X" if l == 1 else f"A^{{[{l - 1}]}}"
        edges[(prev, f"Z{l}")] = f"$W^{{[{l}]}}{prev_tex} + b^{{[{l}]}}$"
        edges[(f"W{l}", f"Z{l}")] = edges[(f"b{l}", f"Z{l}")] = ""
        edges[(f"Z{l}", f"A{l}")] = (rf"$\mathrm{{softmax}}(Z^{{[{l}]}})$" if l == L
                                     else f"$g(Z^{{[{l}]}})$\nReLU or Leaky ReLU")
    return edges


def expected_backward(sizes):
    """``(src, dst) -> (gradient, shape)`` of the backward arrows."""
    L = len(sizes) - 1
    edges = {("L", f"Z{L}"): (f"$dZ^{{[{L}]}}$", f"({sizes[L]}, m)")}
    for l in range(1, L + 1):
        n, n_prev = sizes[l], sizes[l - 1]
        edges[(f"Z{l}", f"W{l}")] = (f"$dW^{{[{l}]}}$", f"({n}, {n_prev})")
        edges[(f"Z{l}", f"b{l}")] = (f"$db^{{[{l}]}}$", f"({n}, 1)")
        if l > 1:
            edges[(f"Z{l}", f"A{l - 1}")] = (f"$dA^{{[{l - 1}]}}$", f"({n_prev}, m)")
            edges[(f"A{l - 1}", f"Z{l - 1}")] = (f"$dZ^{{[{l - 1}]}}$", f"({n_prev}, m)")
    return edges


def by_gid(fig, kind):
    """``{name: artist}`` for the artists whose gid is ``kind:name``."""
    found = {}
    for artist in fig.findobj(lambda a: (a.get_gid() or "").startswith(f"{kind}:")):
        found[artist.get_gid().split(":", 1)[1]] = artist
    return found


def edge_key(name):
    src, dst = name.split("-")
    return src, dst


@pytest.fixture(scope="module", params=[(s, m) for s in NETWORKS for m in MODES],
                ids=lambda p: f"{'-'.join(map(str, p[0]))}-{p[1]}")
def graph(request):
    """Each network in each mode, drawn once for all the tests that read it."""
    sizes, mode = request.param
    fig = plot_network_graph(sizes, edges=mode)
    fig.canvas.draw()
    yield sizes, mode, fig
    plt.close(fig)


def test_every_box_has_its_symbol_and_shape(graph):
    sizes, _, fig = graph
    symbols = {k: t.get_text() for k, t in by_gid(fig, "node").items()}
    shapes = {k: t.get_text() for k, t in by_gid(fig, "shape").items()}
    want = expected_nodes(sizes)
    assert symbols == {k: sym for k, (sym, _) in want.items()}
    assert shapes == {k: shape for k, (_, shape) in want.items()}
    assert set(by_gid(fig, "box")) == set(want)


def test_the_arrows_and_their_labels(graph):
    sizes, mode, fig = graph
    arrows = {edge_key(k) for k in by_gid(fig, "edge")}
    labels = {edge_key(k): t.get_text() for k, t in by_gid(fig, "label").items()}
    if mode == "none":
        assert arrows == set() and labels == {}
    elif mode == "forward":
        want = expected_forward(sizes)
        assert arrows == set(want)
        assert labels == {k: v for k, v in want.items() if v}
    else:
        want = expected_backward(sizes)
        assert arrows == set(want) == set(labels)
        for key, (gradient, shape) in want.items():
            assert labels[key].startswith(gradient), (key, labels[key])
            assert labels[key][len(gradient):].strip().split("\n")[0] == shape, labels[key]


def test_the_loss_gradient_is_the_softmax_cross_entropy_one():
    fig = plot_network_graph([784, 100, 10], edges="backward")
    label = by_gid(fig, "label")["L-Z2"].get_text()
    plt.close(fig)
    assert label == "$dZ^{[2]}$  (10, m)\n$= (A^{[2]} - Y)\\,/\\,m$"


def polylines(arrow):
    """The arrow, drawn, as polylines in display coordinates: its shaft, then its head."""
    path = arrow.get_transform().transform_path(arrow.get_path())
    return path.to_polygons(closed_only=False)


def test_every_arrow_runs_from_its_source_to_its_target(graph):
    _, _, fig = graph
    boxes = {k: b.get_window_extent().padded(3) for k, b in by_gid(fig, "box").items()}
    for name, arrow in by_gid(fig, "edge").items():
        src, dst = edge_key(name)
        shaft, head = polylines(arrow)[0], polylines(arrow)[-1]
        tip = head[1]                     # "-|>": one side, the tip, the other side
        assert boxes[src].contains(*shaft[0]) and not boxes[src].contains(*tip), name
        assert boxes[dst].contains(*tip) and not boxes[dst].contains(*shaft[0]), name


def overlaps(fig):
    """Pairs of visible texts whose bounding boxes intersect once drawn."""
    texts = [t for t in fig.findobj(matplotlib.text.Text) if t.get_visible() and t.get_text()]
    boxes = [(t.get_text(), t.get_window_extent().shrunk(0.98, 0.98)) for t in texts]
    return [(a, b) for (a, ba), (b, bb) in itertools.combinations(boxes, 2) if ba.overlaps(bb)]


def test_no_two_labels_overlap(graph):
    _, _, fig = graph
    assert overlaps(fig) == []


def test_no_label_sits_on_a_box_or_under_an_arrow(graph):
    _, _, fig = graph
    boxes = by_gid(fig, "box")
    for name, label in by_gid(fig, "label").items():
        extent = label.get_window_extent()
        for key, box in boxes.items():
            assert not extent.overlaps(box.get_window_extent()), (name, key)
        for other, arrow in by_gid(fig, "edge").items():
            for line in polylines(arrow):
                assert not Path(line).intersects_bbox(extent, filled=False), (name, other)


def test_a_box_holds_its_own_symbol_and_shape_and_no_one_elses(graph):
    _, _, fig = graph
    boxes = {k: b.get_window_extent() for k, b in by_gid(fig, "box").items()}
    for kind in ("node", "shape"):
        for key, text in by_gid(fig, kind).items():
            extent = text.get_window_extent()
            assert Bbox.intersection(extent, boxes[key]).bounds == pytest.approx(extent.bounds)
            assert [k for k, b in boxes.items() if b.overlaps(extent)] == [key]


def test_everything_is_inside_the_figure(graph):
    _, _, fig = graph
    frame = fig.bbox
    artists = [*fig.findobj(matplotlib.text.Text), *fig.findobj(FancyBboxPatch),
               *fig.findobj(FancyArrowPatch)]
    for artist in artists:
        if isinstance(artist, matplotlib.text.Text) and not artist.get_text():
            continue
        e = artist.get_window_extent()
        assert frame.x0 <= e.x0 and e.x1 <= frame.x1 and frame.y0 <= e.y0 and e.y1 <= frame.y1, (
            artist.get_gid(), e.bounds, frame.bounds)


def test_the_overlap_check_finds_two_labels_on_top_of_each_other():
    fig = plot_network_graph([784, 10], edges="forward")
    fig.axes[0].text(*by_gid(fig, "node")["Z1"].get_position(), "on top", fontsize=11)
    fig.canvas.draw()
    found = overlaps(fig)
    plt.close(fig)
    assert ("$Z^{[1]}$", "on top") in found


def test_draws_into_a_given_figure_and_resizes_it():
    fig = plt.figure(figsize=(2, 2))
    assert plot_network_graph([784, 100, 10], fig=fig) is fig
    width, height = fig.get_size_inches()
    plt.close(fig)
    assert width > 2 and height > 2


@pytest.mark.parametrize("sizes, mode", [([784], "none"), ([784, 0, 10], "none"),
                                         ([784, 10], "sideways")])
def test_rejects_what_it_cannot_draw(sizes, mode):
    with pytest.raises(ValueError):
        plot_network_graph(sizes, edges=mode)
