"""The one timer every benchmark uses: best wall time of a few repeats."""

from __future__ import annotations

import time
from collections.abc import Callable


def best_time(fn: Callable, repeats: int = 3):
    """Call ``fn`` ``repeats`` times; return ``(last value, best wall time in seconds)``."""
    if repeats < 1:
        raise ValueError(f"`repeats` must be >= 1; got {repeats}")
    best, value = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - t0)
    return value, best
