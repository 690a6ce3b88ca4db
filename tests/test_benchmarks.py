"""The benchmark harness: interleaved timing with warm-up and medians, exponent fits, the report.

The benchmarks themselves are run by ``make bench`` (their peers are installed only there); here
the timer is checked against scripted clocks and the runner is smoke-tested on the one benchmark
whose peer ships with the test environment.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import _timing

ROOT = Path(__file__).resolve().parent.parent


class _Clock:
    """A fake ``perf_counter`` advanced by the functions under test."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def _scripted(monkeypatch):
    clock = _Clock()
    monkeypatch.setattr(_timing.time, "perf_counter", clock)
    return clock


def test_compare_warms_up_interleaves_and_takes_medians(monkeypatch):
    clock = _scripted(monkeypatch)
    calls = []
    durations = {"A": iter([100.0, 1.0, 5.0, 2.0, 9.0, 3.0]), "B": iter([100.0, 4.0, 6.0, 8.0, 7.0, 5.0])}

    def make(name):
        def fn():
            calls.append(name)
            clock.now += next(durations[name])
            return name.lower()
        return fn

    t = _timing.compare(make("A"), make("B"), repeats=5, warmup=1)
    # one warm-up each, then A B, B A, A B, B A, A B
    assert calls == ["A", "B", "A", "B", "B", "A", "A", "B", "B", "A", "A", "B"]
    assert t.ours_all == (1.0, 5.0, 2.0, 9.0, 3.0)       # the 100 s warm-ups are not timed
    assert t.peer_all == (4.0, 6.0, 8.0, 7.0, 5.0)
    assert t.ours_s == 3.0 and t.peer_s == 6.0
    assert t.ratio == 0.5
    assert (t.ours_value, t.peer_value) == ("a", "b")


def test_median_time_skips_warmup(monkeypatch):
    clock = _scripted(monkeypatch)
    steps = iter([50.0, 3.0, 1.0, 2.0])

    def fn():
        clock.now += next(steps)
        return 7

    assert _timing.median_time(fn, repeats=3, warmup=1) == (7, 2.0)


@pytest.mark.parametrize("p", [0.5, 1.0, 1.27, 2.0])
def test_fit_exponent_recovers_a_power_law(p):
    sizes = [1e3, 3e3, 1e4, 3e4, 1e5]
    times = [2e-6 * n ** p for n in sizes]
    assert math.isclose(_timing.fit_exponent(sizes, times), p, rel_tol=1e-12)


def test_n_log_n_fits_between_1_and_1_2():
    sizes = [1e3, 1e4, 1e5, 1e6]
    p = _timing.fit_exponent(sizes, [n * math.log(n) for n in sizes])
    assert 1.0 < p < 1.2


@pytest.mark.parametrize("kw", [dict(repeats=0), dict(repeats=2.5), dict(warmup=-1)])
def test_bad_repeat_counts_are_refused(kw):
    with pytest.raises(ValueError, match="repeats|warmup"):
        _timing.compare(lambda: 0, lambda: 0, **kw)


def test_runner_writes_a_report_with_machine_threads_and_ratio(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "benchmarks", "--quick", "--only", "bench_train_many",
                           "--out", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    report = (tmp_path / "report.md").read_text()
    for needle in ("Machine:", "Threads: 1 per pool", "Load average", "Versions:", "| ratio |",
                   "train_many_vs_loop"):
        assert needle in report
    csv = (tmp_path / "report.csv").read_text().splitlines()
    assert csv[0].startswith("benchmark,case,") and len(csv) == 2
