"""Every figure is legible at print size: re-plotted from its committed data (figures/data/NAME.csv,
nothing recomputed), it is at most 7.2 in wide and 8.5 in tall, no text reaches past its edge, and
its smallest text still prints at >= 7 pt once the paper scales it to the 6.5 in text width."""

import csv
import importlib
import json
import warnings
from pathlib import Path

import matplotlib.figure
import matplotlib.pyplot as plt
import pytest

from experiments import _runner, _style

DATA = Path(__file__).resolve().parents[1] / "figures" / "data"


def _conv(v):
    """A CSV cell back to the value the experiment wrote (the runner stores non-strings as JSON)."""
    try:
        return json.loads(v) if v not in ("inf", "-inf", "nan") else float(v)
    except Exception:
        return v


def _rows(name):
    with open(DATA / f"{name}.csv", newline="") as fh:
        return [{k: _conv(v) for k, v in r.items()} for r in csv.DictReader(fh)]


@pytest.mark.parametrize("name", _runner.EXPERIMENTS)
def test_figure_legible_at_text_width(name, tmp_path, monkeypatch):
    if not (DATA / f"{name}.csv").exists():
        pytest.skip(f"no committed data for {name}")
    rows = _rows(name)
    # `_style.save` measures the figure (recorded in `_style.SAVED`) before it writes; skipping the
    # PDF/PNG encoding keeps this test fast and writes nothing
    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", lambda self, *a, **k: None)
    monkeypatch.setitem(_style.RC, "figure.dpi", 50)  # sizes are in inches and points: dpi is moot
    _style.SAVED.pop(name, None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        importlib.import_module(f"experiments.{name}").plot(rows, tmp_path)
    collapsed = [str(w.message) for w in caught if "constrained_layout" in str(w.message)]
    assert not collapsed, collapsed
    m = _style.SAVED[name]
    assert m["width"] <= _style.MAX_WIDTH <= 7.2
    assert m["height"] <= _style.MAX_HEIGHT
    assert m["min_pt"] * 6.5 / m["width"] >= 7.0, m
    assert not m["cut_off"], m["cut_off"]


def test_check_flags_small_wide_and_cut_off_text():
    fig, ax = _style.figure(width=6.5, height=2.0)
    ax.set_title("ok")
    assert _style.check(fig)["printed_pt"] >= 7
    ax.text(0.5, 0.5, "tiny", fontsize=5)
    with pytest.raises(AssertionError, match="prints at"):
        _style.check(fig)
    fig2, ax2 = _style.figure(width=6.5, height=2.0)
    ax2.annotate("off the edge", (1.0, 0.5), xycoords="figure fraction")
    with pytest.raises(AssertionError, match="cut off"):
        _style.check(fig2)
    with pytest.raises(ValueError):
        _style.figure(ncols=3, width=9.9)
    # tick labels of ticks outside the view are not drawn and are not counted
    fig3, ax3 = _style.figure(width=6.5, height=2.0)
    ax3.set_xlim(0.05, 0.95)
    assert not _style.measure(fig3)["cut_off"]
    for f in (fig, fig2, fig3):
        plt.close(f)
