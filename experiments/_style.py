"""One matplotlib style for every figure, and the one way figures are saved (PDF + PNG)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

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


def figure(ncols: int = 1, nrows: int = 1, width: float = 3.4, height: float = 2.6, **kw):
    """A new figure with the project style; ``width``/``height`` are per panel, in inches."""
    with plt.rc_context(RC):
        fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows),
                                 layout="constrained", **kw)
    return fig, axes


def save(fig, out_dir, name: str) -> list[Path]:
    """Write ``NAME.pdf`` and ``NAME.png`` under ``out_dir`` and close the figure."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
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
