"""Command line: ``python -m experiments {list, run NAME..., all} [options]``.

Examples
--------
python -m experiments list
python -m experiments all --profile quick --jobs 2
python -m experiments run linear_tradeoff --profile full --device cuda --out figures

Exit status: 0 when every must-hold claim holds, 1 when one fails (each is named), 2 on bad
arguments (checked before any work: an unknown experiment or profile, ``--jobs`` 0, an
unwritable ``--out``, ``--cache`` or ``--tables``, ``--device cuda`` without a GPU).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from theory import __version__

from ._runner import (DEVICES, EXPERIMENTS, PROFILES, load, must_hold_failures, resolve_device, run_experiments,
                      write_claims)

PROG = "python -m experiments"


def _parser() -> argparse.ArgumentParser:
    fmt = argparse.ArgumentDefaultsHelpFormatter
    p = argparse.ArgumentParser(prog=PROG, formatter_class=fmt,
                                description="Regenerate the figures and the claims table.")
    p.add_argument("--version", action="version", version=f"%(prog)s (compression-theory {__version__})")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list the experiments", formatter_class=fmt)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--profile", choices=PROFILES, default="quick",
                        help="quick: CPU, minutes; full: paper-grade sizes, meant for a GPU; smoke: tiny, for tests")
    common.add_argument("--device", choices=DEVICES, default="auto",
                        help="where the neural experiments run; auto: cuda when torch sees a GPU")
    common.add_argument("--jobs", type=int, default=1, help="parallel workers (joblib); -1: all cores")
    common.add_argument("--scheduler", default=None, help="Dask scheduler address (optional)")
    common.add_argument("--out", default="figures", help="figures directory")
    common.add_argument("--tables", default="paper/generated", help="LaTeX tables directory")
    common.add_argument("--cache", default=".cache", help="per-config result cache")
    common.add_argument("--force", action="store_true", help="recompute, ignoring the cache")
    common.add_argument("--no-progress", action="store_true", help="no progress bars")
    common.add_argument("--summary", default=None, metavar="PATH",
                        help="also write a one-screen summary of the run (rows, times, claims) here")
    r = sub.add_parser("run", parents=[common], help="run the named experiments", formatter_class=fmt)
    r.add_argument("names", nargs="+", choices=EXPERIMENTS, metavar="NAME")
    sub.add_parser("all", parents=[common], help="run every experiment", formatter_class=fmt)
    return p


def _writable_dir(path: str, flag: str) -> str | None:
    """None if ``path`` is (or can be made) a directory we can write to, else the reason."""
    try:
        Path(path).mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-check-"):
            pass
    except OSError as exc:
        return f"{flag} {path!r} is not a writable directory ({exc.strerror or exc})"
    return None


def _argument_error(args) -> str | None:
    """The first bad argument, as one line, or None; checked before any work starts."""
    if args.jobs == 0 or args.jobs < -1:
        return f"--jobs must be a positive number of workers or -1 (all cores); got {args.jobs}"
    try:
        resolve_device(args.device)
    except ValueError as exc:
        return f"--device {args.device}: {exc}"
    for path, flag in ((args.out, "--out"), (args.cache, "--cache"), (args.tables, "--tables")):
        err = _writable_dir(path, flag)
        if err:
            return err
    return None


def write_summary(results, claim_rows, args, seconds) -> None:
    """One screen on what this run did (rows, times, claims), written to ``--summary``."""
    from ._runner import _atomic_write_text, claims_summary

    summ = claims_summary(claim_rows)
    k, h = summ["kinds"], summ["held"]
    lines = [f"# {PROG} {args.command}: profile {args.profile}, device {resolve_device(args.device)}", "",
             "| experiment | rows | computed | cached | compute [s] | claim rows | hold |", "|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r.name} | {len(r.rows)} | {r.computed} | {r.cached} | {r.seconds:.1f} | {len(r.claims)} | "
                     f"{sum(c.holds for c in r.claims)} |")
    fails = must_hold_failures(claim_rows)
    lines += ["", f"Total {seconds:.1f} s. Claims (all rows in {args.out}/claims.md): {h['inequality']} of "
              f"{k['inequality']} finite inequalities hold; {h['identity']} of {k['identity']} identities; "
              f"{k['vacuous']} vacuous and {k['trivial']} trivial rows; "
              f"{len(fails)} must-hold failures."]
    lines += [f"- FAILED: {r['claim_id']} [{r['experiment']}] at {r['setting']}" for r in fails[:10]]
    _atomic_write_text(Path(args.summary), "\n".join(lines) + "\n")


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "list":
        for name in EXPERIMENTS:
            doc = (load(name).__doc__ or "").strip().splitlines()
            print(f"{name:28s} {doc[0] if doc else ''}")
        return 0
    err = _argument_error(args)
    if err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 2
    names = EXPERIMENTS if args.command == "all" else tuple(dict.fromkeys(args.names))
    t0 = time.perf_counter()

    def report(res):
        n_hold = sum(r.holds for r in res.claims)
        print(f"{res.name}: {len(res.rows)} rows ({res.computed} computed, {res.cached} cached) in "
              f"{res.seconds:.1f} s of compute; claims {n_hold}/{len(res.claims)} hold", flush=True)

    done = run_experiments(names, profile=args.profile, jobs=args.jobs, out_dir=args.out, cache_dir=args.cache,
                           device=args.device, force=args.force, progress=not args.no_progress,
                           scheduler=args.scheduler, on_done=report)
    claim_rows = [r for res in done for r in res.claims]
    rows = write_claims(claim_rows, out_dir=args.out, tables_dir=args.tables,
                        replace_experiments=names)
    print(f"wrote {args.out}/claims.csv, claims.md and {args.tables}/claims.tex "
          f"({len(rows)} rows) in {time.perf_counter() - t0:.1f} s total")
    if args.summary:
        write_summary(done, rows, args, time.perf_counter() - t0)
    failures = must_hold_failures(rows)
    if failures:
        for r in failures:
            print(f"MUST-HOLD CLAIM FAILED: {r['claim_id']} [{r['experiment']}] at {r['setting']}: "
                  f"measured {r['measured']} (SE {r['se']}) vs bound {r['bound']}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
