"""The book's figures: every one drawn, and readable on the light and the dark page.

``docs/figures/*.py`` name the chapters' figures (``docs/hooks/figures.py`` draws them into
the site); here each is drawn as the build draws it and checked the way a reader would see
it: a transparent background, text and lines with a contrast of at least 3:1 on both of the
book's backgrounds (``nnscratch.plots.BACKGROUNDS``), and no light box on the dark page.
Every drawing function of ``nnscratch.plots`` also runs in its own doctest on small data.
"""

import doctest
import importlib.util
import io
from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import to_hex, to_rgba  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402
from matplotlib.text import Text  # noqa: E402

import nnscratch.plots  # noqa: E402
from nnscratch.plots import BACKGROUNDS, contrast_ratio  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
HOOK = ROOT / "docs" / "hooks" / "figures.py"
MIN_CONTRAST = 3.0
# A figure is a "light box" on the dark page when more than this share of it is near-white
# once drawn over the dark background.
MAX_LIGHT_SHARE = 0.10


def _hook():
    spec = importlib.util.spec_from_file_location("nnscratch_figures_hook", HOOK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FIGURES = _hook().registry()


def _seen(artist) -> bool:
    alpha = artist.get_alpha()
    return artist.get_visible() and (alpha is None or alpha >= 0.5)


def _decoration(ax) -> set:
    """Grid lines and the axes' own background: drawn faint on purpose, not content."""
    return {*ax.xaxis.get_gridlines(), *ax.yaxis.get_gridlines(), ax.patch}


def low_contrast(fig) -> list[str]:
    """Every text, line and filled patch whose colour has less than 3:1 on either page."""
    found = []

    def check(what: str, colour) -> None:
        rgba = to_rgba(colour)
        if rgba[3] < 0.5:
            return
        for scheme, bg in BACKGROUNDS.items():
            ratio = contrast_ratio(to_hex(rgba), bg)
            if ratio < MIN_CONTRAST:
                found.append(f"{what} {to_hex(rgba)}: {ratio:.2f}:1 on the {scheme} page")

    for artist in fig.findobj(Text):
        if _seen(artist) and artist.get_text().strip():
            check(f"text {artist.get_text()[:30]!r}", artist.get_color())
    for ax in fig.axes:
        skip = _decoration(ax)
        for line in ax.findobj(Line2D):
            if line not in skip and _seen(line) and line.get_linestyle() not in ("None", ""):
                check(f"line {line.get_label()!r}", line.get_color())
        for patch in ax.findobj(Rectangle):
            if patch not in skip and _seen(patch) and patch.get_fill():
                check("filled patch", patch.get_facecolor())
    return found


def light_share(fig) -> float:
    """Share of the figure that is near-white when drawn over the dark page."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=50, transparent=True)
    buf.seek(0)
    rgba = plt.imread(buf)
    dark = np.array(to_rgba(BACKGROUNDS["dark"])[:3])
    rgb = rgba[..., :3] * rgba[..., 3:] + dark * (1 - rgba[..., 3:])
    return float(np.mean(rgb.mean(axis=-1) > 0.8))


@pytest.fixture(params=sorted(FIGURES))
def drawn(request):
    fig = FIGURES[request.param]()
    yield request.param, fig
    plt.close(fig)


def test_there_are_chapter_figures():
    assert len(FIGURES) >= 1


def test_figure_has_a_transparent_background(drawn):
    name, fig = drawn
    assert fig.patch.get_alpha() == 0.0, f"{name}: the figure's background is not transparent"
    for ax in fig.axes:
        if ax.patch.get_visible():
            assert ax.patch.get_alpha() == 0.0, f"{name}: an axes background is not transparent"


def test_figure_reads_on_both_pages(drawn):
    name, fig = drawn
    assert low_contrast(fig) == [], name


def test_figure_is_no_light_box_on_the_dark_page(drawn):
    name, fig = drawn
    assert light_share(fig) <= MAX_LIGHT_SHARE, name


# The checks themselves must catch what they look for.

def test_low_contrast_finds_a_yellow_line_and_white_text():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], color="#F0E442", label="yellow")
    ax.set_title("white", color="#ffffff")
    found = low_contrast(fig)
    plt.close(fig)
    assert any("yellow" in f and "light page" in f for f in found)
    assert any("'white'" in f and "light page" in f for f in found)


def test_light_share_finds_an_opaque_white_image():
    fig, ax = plt.subplots()
    ax.imshow(np.zeros((28, 28)), cmap="gray_r", vmin=0, vmax=1)
    ax.set_axis_off()
    share = light_share(fig)
    plt.close(fig)
    assert share > MAX_LIGHT_SHARE


def test_every_drawing_function_has_a_doctest_that_calls_it():
    finder = doctest.DocTestFinder()
    for name in nnscratch.plots.__all__:
        if not name.startswith("plot_"):
            continue
        tests = finder.find(getattr(nnscratch.plots, name), name)
        calls = [ex for t in tests for ex in t.examples if f"{name}(" in ex.source]
        assert calls, f"{name} has no doctest that draws with it"
