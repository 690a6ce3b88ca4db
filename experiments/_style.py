"""One matplotlib style for every figure, and the one way figures are saved (PDF + PNG)."""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.axis  # noqa: E402
import matplotlib.text  # noqa: E402
import numpy as np  # noqa: E402

# Colour-blind-safe palette (Okabe & Ito), named by role so every figure uses colours alike.
COLORS = {
    "empirical": "#0072B2",   # blue
    "population": "#D55E00",  # vermillion
    "gen": "#009E73",         # green
    "bound": "#CC79A7",       # purple
    "reference": "#555555",   # grey
    "alt": "#E69F00",         # orange
    "alt2": "#56B4E9",        # sky blue
}

RC = {
    "figure.dpi": 110,
    "savefig.dpi": 200,
    "font.size": 9,
    "axes.titlesize": 9.5,
    "axes.labelsize": 9,
    "legend.fontsize": 7.5,
    "legend.frameon": False,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.25,
    "lines.linewidth": 1.6,
    "lines.markersize": 4,
    "errorbar.capsize": 2,
    "pdf.fonttype": 42,
}


# The paper sets every figure at ``width=\textwidth``: 6.5 in (11pt article, 1 in margins). A figure
# drawn W inches wide prints scaled by 6.5 / W, so its text prints at ``size * 6.5 / W`` points. The
# rule (checked by tests/test_style.py for every experiment): a saved figure is at most MAX_WIDTH
# inches wide, at most MAX_HEIGHT inches tall, and its smallest text prints at >= MIN_PRINT_PT.
TEXT_WIDTH = 6.5
MAX_WIDTH = 7.2
MAX_HEIGHT = 8.5
MIN_PRINT_PT = 7.0

# What ``save`` measured for every figure it wrote in this process, by name (see ``measure``).
SAVED: dict[str, dict] = {}


def figure(ncols: int = 1, nrows: int = 1, width: float = TEXT_WIDTH, height: float | None = None,
           panel_height: float = 2.3, mosaic=None, **kw):
    """A new figure with the project style.

    ``width`` and ``height`` are the TOTAL figure size in inches (not per panel): ``width`` defaults
    to the paper's text width and may not exceed ``MAX_WIDTH``; ``height`` defaults to
    ``panel_height * nrows``. Keep ``width`` near ``TEXT_WIDTH`` so the style's font sizes (7.5 pt
    and up) print at their own size. With ``mosaic`` (a ``subplot_mosaic`` layout) the axes come
    back as a dict keyed by the mosaic's labels, and ``nrows`` only sets the default height.
    """
    if height is None:
        height = panel_height * nrows
    if width > MAX_WIDTH or height > MAX_HEIGHT:
        raise ValueError(f"figure {width:.2f} x {height:.2f} in exceeds {MAX_WIDTH} x {MAX_HEIGHT} in")
    with plt.rc_context(RC):
        if mosaic is not None:
            fig, axes = plt.subplot_mosaic(mosaic, figsize=(width, height), layout="constrained", **kw)
        else:
            fig, axes = plt.subplots(nrows, ncols, figsize=(width, height), layout="constrained", **kw)
    return fig, axes


def blank_figure(width: float = TEXT_WIDTH, height: float = 4.0):
    """An empty styled figure of TOTAL size ``width`` x ``height`` inches, for ``fig.subfigures``."""
    if width > MAX_WIDTH or height > MAX_HEIGHT:
        raise ValueError(f"figure {width:.2f} x {height:.2f} in exceeds {MAX_WIDTH} x {MAX_HEIGHT} in")
    with plt.rc_context(RC):
        return plt.figure(figsize=(width, height), layout="constrained")


def _drawn_ticks(axis):
    """The ticks of ``axis`` that are drawn: those inside the view interval (matplotlib keeps more)."""
    tr = axis.get_transform()
    lo, hi = sorted(tr.transform(np.asarray(axis.get_view_interval(), float).reshape(-1, 1)).ravel())
    tol = 1e-6 * max(hi - lo, 1e-12)
    for tick in axis.get_major_ticks() + axis.get_minor_ticks():
        loc = tick.get_loc()
        if loc is None:
            continue
        v = float(tr.transform(np.array([[loc]], float))[0, 0])
        if np.isfinite(v) and lo - tol <= v <= hi + tol:
            yield tick


def _texts(artist):
    """Every visible, non-empty text artist under ``artist`` that is drawn (skipping hidden subtrees)."""
    if not artist.get_visible():
        return
    if isinstance(artist, matplotlib.text.Text):
        if artist.get_text().strip():
            yield artist
        return
    if isinstance(artist, matplotlib.axis.Axis):
        for child in artist.get_children():
            if not isinstance(child, matplotlib.axis.Tick):
                yield from _texts(child)  # the axis label and the offset text
        for tick in _drawn_ticks(artist):
            yield from _texts(tick)
        return
    for child in artist.get_children():
        yield from _texts(child)


def measure(fig) -> dict:
    r"""Size of ``fig`` in inches and the smallest font size in it, drawn and as printed.

    ``min_pt`` is the smallest font size (points) of any visible text artist (tick labels, axis
    labels, titles, legends, annotations); ``printed_pt`` is that size once the figure is scaled to
    ``TEXT_WIDTH`` inches wide, as ``\includegraphics[width=\textwidth]`` does; ``cut_off`` lists
    the texts that reach past the figure's edge.
    """
    fig.draw_without_rendering()  # lay out, realise ticks and legends, before reading them
    renderer = fig.canvas.get_renderer()
    w, h = fig.get_size_inches()
    texts = list(_texts(fig))
    sizes = [t.get_fontsize() for t in texts]
    mn = min(sizes) if sizes else float("nan")
    # text reaching past the figure's edge (more than 1 px) is cut off in the saved file
    W, H = fig.bbox.width, fig.bbox.height
    cut = []
    for t in texts:
        e = t.get_window_extent(renderer)
        if e.x0 < -1 or e.y0 < -1 or e.x1 > W + 1 or e.y1 > H + 1:
            cut.append(t.get_text())
    return {"width": float(w), "height": float(h), "min_pt": float(mn),
            "printed_pt": float(mn * TEXT_WIDTH / w), "cut_off": cut}


def problems(m: dict) -> list[str]:
    """How a ``measure`` result breaks the legibility rule above (empty when it does not)."""
    out = []
    if m["width"] > MAX_WIDTH + 1e-9:
        out.append(f"{m['width']:.2f} in wide > {MAX_WIDTH}")
    if m["height"] > MAX_HEIGHT + 1e-9:
        out.append(f"{m['height']:.2f} in tall > {MAX_HEIGHT}")
    if not m["printed_pt"] >= MIN_PRINT_PT:
        out.append(f"smallest text prints at {m['printed_pt']:.2f} pt < {MIN_PRINT_PT}")
    if m["cut_off"]:
        out.append(f"text cut off at the figure's edge: {m['cut_off']}")
    return out


def check(fig, name: str = "figure") -> dict:
    """``measure(fig)``, raising ``AssertionError`` when it breaks the legibility rule above."""
    m = measure(fig)
    bad = problems(m)
    assert not bad, f"{name}: " + "; ".join(bad)
    return m


def save(fig, out_dir, name: str) -> list[Path]:
    """Write ``NAME.pdf`` and ``NAME.png`` under ``out_dir`` and close the figure.

    What the figure measures (``measure``) is recorded in ``SAVED[NAME]`` first, with a warning when
    it breaks the legibility rule (see ``problems``).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    SAVED[name] = m = measure(fig)
    bad = problems(m)
    if bad:  # written anyway; tests/test_style.py fails on it
        warnings.warn(f"figure {name} is not legible at {TEXT_WIDTH} in: " + "; ".join(bad), stacklevel=2)
    with plt.rc_context(RC):
        for ext in ("pdf", "png"):
            p = out / f"{name}.{ext}"
            fig.savefig(p, metadata={"CreationDate": None} if ext == "pdf" else None)
            paths.append(p)
    plt.close(fig)
    return paths


def style():
    """Context manager applying the style (use around plotting code)."""
    return plt.rc_context(RC)
