"""Command line: ``python -m experiments {list, run NAME..., all} [options]``.

Examples
--------
python -m experiments list
python -m experiments all --profile quick --jobs 2
python -m experiments run linear_tradeoff --profile full --device cuda --out figures

Exit status: 0 when every must-hold claim holds, 1 when one fails (each is named), 2 on bad
arguments.
"""

from __future__ import annotations

import argparse
import sys
import time

from ._runner import (DEVICES, EXPERIMENTS, PROFILES, load, must_hold_failures, run_experiment,
                      write_claims)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m experiments",
                                description="Regenerate the figures and the claims table.")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list the experiments")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--profile", choices=PROFILES, default="quick",
                        help="quick: CPU, minutes; full: paper-grade sizes, meant for a GPU; smoke: tiny, for tests")
    common.add_argument("--device", choices=DEVICES, default="auto")
    common.add_argument("--jobs", type=int, default=1, help="parallel workers (joblib); -1: all cores")
    common.add_argument("--scheduler", default=None, help="Dask scheduler address (optional)")
    common.add_argument("--out", default="figures", help="figures directory (default: figures)")
    common.add_argument("--tables", default="paper/generated", help="LaTeX tables directory")
    common.add_argument("--cache", default=".cache", help="per-config result cache")
    common.add_argument("--force", action="store_true", help="recompute, ignoring the cache")
    common.add_argument("--no-progress", action="store_true", help="no progress bars")
    r = sub.add_parser("run", parents=[common], help="run the named experiments")
    r.add_argument("names", nargs="+", choices=EXPERIMENTS, metavar="NAME")
    sub.add_parser("all", parents=[common], help="run every experiment")
    return p


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "list":
        for name in EXPERIMENTS:
            doc = (load(name).__doc__ or "").strip().splitlines()
            print(f"{name:28s} {doc[0] if doc else ''}")
        return 0
    names = EXPERIMENTS if args.command == "all" else tuple(dict.fromkeys(args.names))
    claim_rows = []
    t0 = time.perf_counter()
    for name in names:
        res = run_experiment(name, profile=args.profile, jobs=args.jobs, out_dir=args.out,
                             cache_dir=args.cache, device=args.device, force=args.force,
                             progress=not args.no_progress, scheduler=args.scheduler)
        n_hold = sum(r.holds for r in res.claims)
        print(f"{name}: {len(res.rows)} rows ({res.computed} computed, {res.cached} cached) in "
              f"{res.seconds:.1f} s; claims {n_hold}/{len(res.claims)} hold", flush=True)
        claim_rows.extend(res.claims)
    rows = write_claims(claim_rows, out_dir=args.out, tables_dir=args.tables,
                        replace_experiments=names)
    print(f"wrote {args.out}/claims.csv, claims.md and {args.tables}/claims.tex "
          f"({len(rows)} rows) in {time.perf_counter() - t0:.1f} s total")
    failures = must_hold_failures(rows)
    if failures:
        for r in failures:
            print(f"MUST-HOLD CLAIM FAILED: {r['claim_id']} [{r['experiment']}] at {r['setting']}: "
                  f"measured {r['measured']} (SE {r['se']}) vs bound {r['bound']}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
