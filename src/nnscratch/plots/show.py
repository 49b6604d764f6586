"""Putting a figure on a page: as an ``<img>`` with alt text, or its alt text in a terminal."""

# --8<-- [start:imports]
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

# --8<-- [end:imports]


# --8<-- [start:show]
def figure_html(fig: Figure, alt: str, name: str | None = None, dpi: int = 100) -> str:
    """The figure as an ``<img>`` tag with ``alt`` text and the PNG inlined (base64).

    ``name`` (lower-case words joined by ``-``) becomes ``data-name``: the book's build saves
    the figure of an example page as ``<name>.png`` beside it, so a chapter can show it by
    that name.

    >>> f = plt.figure(figsize=(1, 1))
    >>> figure_html(f, alt='An empty "figure"', name="empty")[:78]
    '<img alt="An empty &quot;figure&quot;" data-name="empty" src="data:image/png;b'
    >>> plt.close(f)
    """
    import base64
    import html
    import io
    import re

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, transparent=True)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    named = ""
    if name is not None:
        if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", name):
            raise ValueError(f"figure name {name!r}: use lower-case words joined by '-'")
        named = f' data-name="{name}"'
    return f'<img alt="{html.escape(alt)}"{named} src="data:image/png;base64,{data}">'


def show(fig: Figure, alt: str, name: str | None = None) -> None:
    """Show ``fig`` with its alt text in a notebook (or on a book page); close it.

    In a Jupyter kernel the figure is displayed as HTML (an ``<img>`` with ``alt``, and
    ``name`` for the build: see :func:`figure_html`), so the book's example pages describe
    their figures to screen readers. Run as a plain script,
    it prints the alt text instead. Either way the figure is closed, so the notebook does
    not draw it a second time.
    """
    import sys

    try:
        if "ipykernel" in sys.modules:
            from IPython.display import HTML, display

            display(HTML(figure_html(fig, alt, name)))
        else:
            print(f"[figure: {alt}]")
    finally:
        plt.close(fig)
# --8<-- [end:show]
