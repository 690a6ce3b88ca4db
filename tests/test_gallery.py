"""The example gallery runs: every ``examples/plot_*.py`` script is executed as a test.

Each example asserts what it computes (a closed form, a brute force, a Monte Carlo check), so an
example that no longer agrees with the library fails here, not only in ``make docs``.
"""

from __future__ import annotations

import runpy
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("plot_*.py"))


def test_there_are_examples_for_every_line_of_work():
    text = " ".join(p.read_text() for p in EXAMPLES)
    for module in ("theory.rate_distortion", "theory.spectral", "theory.coresets", "theory.kernels",
                   "theory.shift", "theory.quantization", "theory.testbeds.linear"):
        assert f"from {module} import" in text, module


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs(path):
    try:
        runpy.run_path(str(path), run_name="__main__")
    finally:
        plt.close("all")
