"""Run every ``benchmarks/bench_*.py`` and write ``benchmarks/report.md`` (and ``report.csv``).

Each benchmark module exposes ``NAME`` and ``run(quick=False) -> list[dict]`` with the keys
``benchmark, case, ours_value, peer_value, reference_value, ours_time_s, peer_time_s, speedup,
note`` (speedup = peer time / our time: > 1 means ours is faster). Peer libraries (scikit-learn,
dit, ...) are installed by ``make bench`` only; a benchmark whose peer is missing is reported as
skipped, not silently dropped.

Usage: ``python -m benchmarks [--quick] [--only NAME ...] [--out DIR]``
"""

from __future__ import annotations

import argparse
import csv
import importlib
import io
import math
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
COLUMNS = ("benchmark", "case", "ours_value", "peer_value", "reference_value", "ours_time_s",
           "peer_time_s", "speedup", "note")


def discover():
    return sorted(p.stem for p in HERE.glob("bench_*.py"))


def _fmt(v):
    if isinstance(v, float):
        if math.isnan(v):
            return "–"
        return f"{v:.4g}"
    return "" if v is None else str(v)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks")
    ap.add_argument("--quick", action="store_true", help="small sizes (for a smoke run)")
    ap.add_argument("--only", nargs="*", default=None, help="module names (bench_xxx) to run")
    ap.add_argument("--out", default=str(HERE), help="where report.md / report.csv go")
    args = ap.parse_args(argv)
    mods = discover() if not args.only else args.only
    rows, skipped = [], []
    t0 = time.perf_counter()
    for name in mods:
        try:
            mod = importlib.import_module(f"benchmarks.{name}")
            t = time.perf_counter()
            out = mod.run(quick=args.quick)
            print(f"{name}: {len(out)} rows in {time.perf_counter() - t:.1f} s", flush=True)
            rows.extend(out)
        except ImportError as exc:
            skipped.append(f"{name}: skipped, a peer library is missing ({exc})")
            print(skipped[-1], file=sys.stderr)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.csv").write_text(buf.getvalue())
    lines = ["# Benchmarks", "",
             f"Machine: {platform.machine()}, {platform.processor() or 'cpu'}, Python "
             f"{platform.python_version()}; {'quick' if args.quick else 'full'} sizes; "
             f"total {time.perf_counter() - t0:.1f} s. Times are the best wall seconds of a few repeats "
             "(each benchmark's docstring says how many); "
             "speedup = peer time / our time (> 1: ours is faster).", "",
             "| benchmark | case | ours | peer | reference | ours [s] | peer [s] | speedup | note |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append("| " + " | ".join(_fmt(r.get(k)) for k in COLUMNS) + " |")
    lines += [""] + [f"- {s}" for s in skipped]
    (out / "report.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
