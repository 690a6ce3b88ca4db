"""Run every ``benchmarks/bench_*.py`` and write ``benchmarks/report.md`` (and ``report.csv``).

Each benchmark module exposes ``NAME`` and ``run(quick=False) -> list[dict]``. A comparison row has
the keys ``benchmark, case, ours_value, peer_value, reference_value, ours_time_s, peer_time_s,
ratio, goal, peer, note``: ``ratio`` is our median time over the peer's (< 1: ours is faster),
measured side by side in this process with ``benchmarks._timing.compare`` (warm-up, interleaved
repeats, medians); ``goal`` is the ratio the project commits to (None for context rows). A
scaling row (``scaling=True``) carries ``series, variable, sizes, ours_times, peer, peer_times``;
the report fits ``time ~ size**exponent`` to each.

Threads are pinned before any numerical library loads (``--threads``, default 1: every BLAS,
OpenMP, numba and torch pool) and recorded in the report with the machine, its load average and
the versions of every peer. Peer libraries (dit, ckwrap, kmeans1d, npeet-plus, infomeasure, ...)
are installed by ``make bench`` only; a benchmark whose peer is missing is reported as skipped,
not silently dropped.

Usage: ``python -m benchmarks [--quick] [--only NAME ...] [--out DIR] [--threads N]``
"""

from __future__ import annotations

import argparse
import os
import sys

_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
                "VECLIB_MAXIMUM_THREADS", "NUMBA_NUM_THREADS")


def _parse(argv):
    ap = argparse.ArgumentParser(prog="python -m benchmarks")
    ap.add_argument("--quick", action="store_true", help="small sizes (a smoke run, seconds)")
    ap.add_argument("--only", nargs="*", default=None, help="module names (bench_xxx) to run")
    ap.add_argument("--out", default=None, help="where report.md / report.csv go (default: benchmarks/)")
    ap.add_argument("--threads", type=int, default=1, help="threads of every numerical pool (default 1)")
    args = ap.parse_args(argv)
    if args.threads < 1:
        ap.error(f"--threads must be >= 1; got {args.threads}")
    return args


def _pin_threads(n: int) -> None:
    # Must run before numpy/scipy/torch/numba are imported to take full effect; the thread pools
    # already loaded are limited again with threadpoolctl below.
    for var in _THREAD_VARS:
        os.environ[var] = str(n)


def main(argv=None) -> int:
    args = _parse(argv)
    _pin_threads(args.threads)

    import csv
    import importlib
    import io
    import math
    import platform
    import time
    from importlib import metadata
    from pathlib import Path

    from ._timing import fit_exponent

    here = Path(__file__).resolve().parent
    limits = None
    try:
        from threadpoolctl import threadpool_limits
        limits = threadpool_limits(args.threads)
    except ImportError:  # pragma: no cover - scikit-learn brings threadpoolctl
        pass
    try:
        import torch
        torch.set_num_threads(args.threads)
    except ImportError:  # pragma: no cover
        torch = None

    columns = ("benchmark", "case", "ours_value", "peer_value", "reference_value", "ours_time_s",
               "peer_time_s", "ratio", "goal", "peer", "note")

    def fmt(v):
        if isinstance(v, float):
            return "–" if math.isnan(v) else f"{v:.4g}"
        return "" if v is None else str(v).replace("|", "\\|")

    mods = sorted(p.stem for p in here.glob("bench_*.py")) if not args.only else args.only
    load0 = os.getloadavg()
    rows, scaling, skipped = [], [], []
    t0 = time.perf_counter()
    for name in mods:
        try:
            mod = importlib.import_module(f"benchmarks.{name}")
            t = time.perf_counter()
            out = mod.run(quick=args.quick)
        except ImportError as exc:
            skipped.append(f"{name}: skipped, a peer library is missing ({exc})")
            print(skipped[-1], file=sys.stderr)
            continue
        print(f"{name}: {len(out)} rows in {time.perf_counter() - t:.1f} s", flush=True)
        for r in out:
            if r.get("scaling"):
                scaling.append(r)
                continue
            if r.get("ratio") is None and r.get("peer_time_s"):
                r["ratio"] = r["ours_time_s"] / r["peer_time_s"]
            rows.append(r)
    total = time.perf_counter() - t0
    load1 = os.getloadavg()

    def version(dist):
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "not installed"

    cpu = platform.processor() or "cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    pools = ""
    if limits is not None:
        from threadpoolctl import threadpool_info
        pools = ", ".join(sorted({f"{p['internal_api']}={p['num_threads']}" for p in threadpool_info()}))
    versions = ", ".join(f"{d} {version(d)}" for d in
                         ("numpy", "scipy", "torch", "numba", "scikit-learn", "dit", "ckwrap",
                          "kmeans1d", "npeet-plus", "infomeasure"))

    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    out = Path(args.out) if args.out else here
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.csv").write_text(buf.getvalue())

    goals = [r for r in rows if r.get("goal") is not None]
    met = sum(1 for r in goals if r["ratio"] <= r["goal"])
    lines = [
        "# Benchmarks", "",
        f"- Machine: {platform.machine()}, {cpu}, {os.cpu_count()} logical CPUs; Python "
        f"{platform.python_version()} on {platform.system()} {platform.release()}.",
        f"- Threads: {args.threads} per pool (environment {', '.join(_THREAD_VARS)} = {args.threads}"
        f"{'; torch ' + str(torch.get_num_threads()) if torch is not None else ''}"
        f"{'; ' + pools if pools else ''}).",
        f"- Load average (1, 5, 15 min): {load0[0]:.2f}, {load0[1]:.2f}, {load0[2]:.2f} at the start; "
        f"{load1[0]:.2f}, {load1[1]:.2f}, {load1[2]:.2f} at the end.",
        f"- Versions: {versions}.",
        f"- {'Quick' if args.quick else 'Full'} sizes; total {total:.1f} s.",
        "",
        "Every comparison runs ours and the peer side by side in this process: one untimed warm-up "
        "call each (imports, JIT compilation, caches), then interleaved timed calls (A B, B A, ...), "
        "and the medians are compared. **ratio = our median time / the peer's** (< 1: ours is "
        "faster); **goal** is the ratio the project commits to (blank: a context row). Values say "
        "what was computed, so that equal accuracy can be read off each row.", "",
        f"Goals met: **{met} of {len(goals)}**.", "",
        "| benchmark | case | peer | ours [s] | peer [s] | ratio | goal | met | ours | peer value | reference | note |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        g = r.get("goal")
        ok = "" if g is None else ("yes" if r["ratio"] <= g else "**no**")
        lines.append("| " + " | ".join(fmt(v) for v in (
            r.get("benchmark"), r.get("case"), r.get("peer"), r.get("ours_time_s"), r.get("peer_time_s"),
            r.get("ratio"), g, ok, r.get("ours_value"), r.get("peer_value"), r.get("reference_value"),
            r.get("note"))) + " |")
    if scaling:
        lines += ["", "## Scaling", "",
                  "Median seconds at each size, and the least-squares exponent of time ~ size^p "
                  "(log-log fit over all sizes).", "",
                  "| benchmark | series | variable | sizes | ours [s] | ours p | peer | peer [s] | peer p | note |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for s in scaling:
            pt = s.get("peer_times")
            lines.append("| " + " | ".join(fmt(v) for v in (
                s.get("benchmark"), s.get("series"), s.get("variable"),
                ", ".join(f"{x:g}" for x in s["sizes"]),
                ", ".join(f"{x:.3g}" for x in s["ours_times"]),
                fit_exponent(s["sizes"], s["ours_times"]),
                s.get("peer") or "",
                ", ".join(f"{x:.3g}" for x in pt) if pt else "",
                fit_exponent(s["sizes"], pt) if pt else float("nan"),
                s.get("note"))) + " |")
    lines += [""] + [f"- {s}" for s in skipped]
    (out / "report.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
