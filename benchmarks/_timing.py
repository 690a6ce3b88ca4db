"""The timers every benchmark uses: warm-up, interleaved repeats, medians.

``compare`` times the project's function and a peer's side by side: each is called ``warmup``
times untimed (imports, JIT compilation, caches), then the two alternate for ``repeats`` rounds
(A B, B A, A B, ... so that neither always runs on a cooler or hotter machine), and the median of
each is reported. ``median_time`` does the same for one function (scaling tables).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Timing:
    """Result of :func:`compare`: the last values returned and the median wall seconds."""

    ours_value: object
    peer_value: object
    ours_s: float
    peer_s: float
    ours_all: tuple
    peer_all: tuple

    @property
    def ratio(self) -> float:
        """Our median time / the peer's (< 1: ours is faster)."""
        return self.ours_s / self.peer_s if self.peer_s > 0 else float("inf")


def _check(repeats, warmup):
    if not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"`repeats` must be an int >= 1; got {repeats!r}")
    if not isinstance(warmup, int) or warmup < 0:
        raise ValueError(f"`warmup` must be an int >= 0; got {warmup!r}")


def _timed(fn):
    t0 = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - t0


def compare(ours: Callable, peer: Callable, *, repeats: int = 5, warmup: int = 1) -> Timing:
    """Time ``ours()`` and ``peer()`` interleaved; medians of ``repeats`` after ``warmup`` calls each."""
    _check(repeats, warmup)
    for _ in range(warmup):
        ours()
        peer()
    to, tp = [], []
    vo = vp = None
    for r in range(repeats):
        order = ((ours, to), (peer, tp)) if r % 2 == 0 else ((peer, tp), (ours, to))
        for fn, times in order:
            value, t = _timed(fn)
            times.append(t)
            if fn is ours:
                vo = value
            else:
                vp = value
    return Timing(vo, vp, statistics.median(to), statistics.median(tp), tuple(to), tuple(tp))


def median_time(fn: Callable, *, repeats: int = 5, warmup: int = 1):
    """Call ``fn`` ``warmup`` times untimed, then ``repeats`` times; return ``(last value, median s)``."""
    _check(repeats, warmup)
    for _ in range(warmup):
        fn()
    times, value = [], None
    for _ in range(repeats):
        value, t = _timed(fn)
        times.append(t)
    return value, statistics.median(times)


def best_time(fn: Callable, repeats: int = 3):
    """Median wall time of ``repeats`` calls after one warm-up (kept for older benchmark modules)."""
    return median_time(fn, repeats=repeats, warmup=1)


def fit_exponent(sizes: Sequence[float], times: Sequence[float]) -> float:
    """Least-squares slope of log(time) against log(size): time ~ size**exponent."""
    s = np.log(np.asarray(sizes, dtype=float))
    t = np.log(np.asarray(times, dtype=float))
    if s.size < 2 or np.ptp(s) == 0:
        return float("nan")
    return float(np.polyfit(s, t, 1)[0])
