"""The look every figure shares: a transparent background, mid-grey text, Okabe–Ito lines.

A figure is an image: it cannot follow the reader's switch between the book's light and dark
palettes. So every figure is drawn transparent, with text, ticks and frames in one mid-grey
that reads on white and on near-black alike, and lines in the colour-blind-safe Okabe–Ito
colours. Every drawing function of this package ends with ``return book_style(fig)``.
"""

# --8<-- [start:imports]
from matplotlib.figure import Figure

# --8<-- [end:imports]

# --8<-- [start:palette]
BACKGROUNDS = {"light": "#ffffff", "dark": "#1e2129"}
"""The page behind a figure: Material's default scheme and its dark ``slate`` scheme."""

OKABE_ITO = {
    "orange": "#B87F00",
    "sky_blue": "#3C8DC0",
    "bluish_green": "#009E73",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
"""The Okabe–Ito colours that read on both backgrounds (a contrast of at least 3:1).

Black vanishes on the dark page and yellow on the light one, so both are left out; orange
and sky blue are darkened from ``#E69F00`` and ``#56B4E9`` until they pass on white.
"""

GREY = "#888888"
"""Text, ticks and spines: mid-grey, readable on white and on near-black."""


def contrast_ratio(colour: str, background: str) -> float:
    """WCAG contrast ratio ``(L1 + 0.05) / (L2 + 0.05)`` of two ``#rrggbb`` colours, L1 ≥ L2.

    ``L`` is the relative luminance ``0.2126 R + 0.7152 G + 0.0722 B`` of the linearised
    sRGB channels. Text and lines of the book's figures keep at least 3:1 on both pages:

    >>> round(contrast_ratio("#000000", "#ffffff"), 1)
    21.0
    >>> [round(contrast_ratio(GREY, bg), 1) for bg in BACKGROUNDS.values()]
    [3.5, 4.5]
    """
    def luminance(hex_colour: str) -> float:
        r, g, b = (int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4))
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    high, low = sorted((luminance(colour), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)
# --8<-- [end:palette]


# --8<-- [start:style]
def book_style(fig: Figure) -> Figure:
    """Make ``fig`` transparent with mid-grey text, ticks, spines and legends."""
    fig.patch.set_alpha(0.0)
    for ax in fig.axes:
        ax.patch.set_alpha(0.0)
        ax.tick_params(colors=GREY, which="both")
        for spine in ax.spines.values():
            spine.set_color(GREY)
        ax.xaxis.label.set_color(GREY)
        ax.yaxis.label.set_color(GREY)
        ax.title.set_color(GREY)
        legend = ax.get_legend()
        if legend is not None:
            legend.get_frame().set_alpha(0.0)
            legend.get_frame().set_edgecolor(GREY)
            for text in legend.get_texts():
                text.set_color(GREY)
    return fig
# --8<-- [end:style]
