"""Experiments: one module per figure family, plus the runner (`_runner`) and the CLI.

Run ``python -m experiments list`` to see them, ``python -m experiments all --profile quick``
to regenerate every figure and the claims table.
"""

from ._runner import EXPERIMENTS, load, run_experiment, run_experiments

__all__ = ["EXPERIMENTS", "load", "run_experiment", "run_experiments"]
