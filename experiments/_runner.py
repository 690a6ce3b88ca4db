"""The experiment runner: grid expansion, per-config cache, parallel map, provenance, outputs.

An experiment module exposes

- ``NAME`` (str) and optionally ``VERSION`` (int; bump it to invalidate cached results) and
  ``USES_DEVICE`` (bool; the runner then puts ``device`` into each config);
- ``grid(profile) -> list[dict]``: JSON-able configs, each with a ``seed``, for the profiles
  ``quick`` (CPU, minutes for everything), ``full`` (paper-grade, meant for a GPU) and ``smoke``
  (a tiny grid that the tests run);
- ``run(config) -> dict | list[dict]``: pure and seeded from ``config["seed"]``; returns one row
  or several (JSON-able scalars, or lists that the CSV stores as JSON);
- ``plot(rows, out_dir)``: writes ``NAME.pdf`` and ``NAME.png``;
- ``claims(rows) -> list[theory.claims.ClaimRow]``.

The runner owns everything else. Each config's result is cached as one JSON file
``<cache>/<NAME>/<hash>.json`` written atomically (temporary file + ``os.replace``) by the worker
that computed it, so a killed sweep resumes where it stopped. Configs run in parallel with joblib
(``jobs``) or on a Dask cluster (``scheduler``), under a tqdm progress bar. Every CSV row carries
provenance: config hash, git commit, package versions, device, seed and wall time.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import importlib
import io
import json
import math
import os
import platform
import subprocess
import re
import tempfile
import threading
import time
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from theory.claims import ClaimRow, failed_must_hold

PROFILES = ("quick", "full", "smoke")  # smoke: a tiny grid, for the tests
DEVICES = ("auto", "cpu", "cuda")
REPO = Path(__file__).resolve().parent.parent


def discover() -> tuple[str, ...]:
    """Experiment modules: every ``experiments/*.py`` not starting with ``_``.

    Ordered by the module-level ``ORDER = <int>`` (read from the source, so nothing is imported;
    default 100), then by name. Adding an experiment is adding a module: no list to edit.
    """
    here = Path(__file__).resolve().parent
    found = []
    for path in here.glob("*.py"):
        if path.name.startswith("_"):
            continue
        m = re.search(r"^ORDER\s*=\s*(\d+)", path.read_text(), flags=re.MULTILINE)
        found.append((int(m.group(1)) if m else 100, path.stem))
    return tuple(name for _, name in sorted(found))


EXPERIMENTS = discover()


def load(name: str):
    """Import the experiment module ``experiments.<name>``."""
    if name not in EXPERIMENTS:
        raise ValueError(f"`name` must be one of {EXPERIMENTS}; got {name!r}")
    return importlib.import_module(f"experiments.{name}")


# ---- provenance ----------------------------------------------------------------------------

def git_revision() -> str:
    """Commit of the working tree, with ``+dirty`` when it has uncommitted changes."""
    try:
        sha = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=REPO, capture_output=True,
                             text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return (sha or "unknown") + ("+dirty" if dirty and sha else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def package_versions() -> str:
    """``python=…;numpy=…;…`` for the distributions the results depend on (installed versions)."""
    from importlib.metadata import PackageNotFoundError, version

    out = [f"python={platform.python_version()}"]
    for dist in ("compression-theory", "numpy", "scipy", "sympy", "torch", "scikit-learn"):
        try:
            out.append(f"{dist}={version(dist)}")
        except PackageNotFoundError:
            out.append(f"{dist}=absent")
    return ";".join(out)


def resolve_device(device: str) -> str:
    """``auto`` → ``cuda`` when torch sees a GPU, else ``cpu``."""
    if device not in DEVICES:
        raise ValueError(f"`device` must be one of {DEVICES}; got {device!r}")
    if device != "auto":
        if device == "cuda":
            import torch
            if not torch.cuda.is_available():
                raise ValueError("`device` is 'cuda' but torch sees no CUDA device")
        return device
    try:
        import torch
        return "cuda" if torch.cuda.is_available() else "cpu"
    except ImportError:
        return "cpu"


# ---- caching -------------------------------------------------------------------------------

def config_hash(name: str, version: int, config: dict) -> str:
    """Stable 16-hex-digit hash of an experiment's config (sorted-key JSON)."""
    blob = json.dumps({"experiment": name, "version": version, "config": config}, sort_keys=True,
                      default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def code_fingerprint(name: str) -> str:
    """16-hex-digit hash of the code behind an experiment's numbers.

    The bytes of ``experiments/<name>.py`` and of every ``theory/**/*.py`` (path and content, in
    sorted order). It is part of the cache key, so that editing a formula recomputes every
    experiment that could depend on it instead of serving a stale result.
    """
    h = hashlib.sha256()
    files = [REPO / "experiments" / f"{name}.py", *sorted((REPO / "theory").rglob("*.py"))]
    for f in files:
        h.update(str(f.relative_to(REPO)).encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def cache_path(cache_dir, name: str, chash: str, fingerprint: str) -> Path:
    """Absolute path of one config's cache entry: ``<cache>/<name>/<config hash>-<code fingerprint>.json``."""
    return Path(cache_dir).resolve() / name / f"{chash}-{fingerprint}.json"


def load_cached(path: Path, name: str, chash: str) -> list | None:
    """The rows of a cache entry, or None (with a warning) if it is missing, unreadable or invalid.

    A valid entry is UTF-8 JSON holding a non-empty list of row dicts, each stamped with this
    experiment's name and config hash. Anything else (a torn write, an empty file, ``null``,
    ``[]``, rows of another config, bytes that are not UTF-8) is a miss, never a crash and never
    a silently dropped config.
    """
    if not path.exists():
        return None
    try:
        rows = _unjson(json.loads(path.read_bytes().decode("utf-8")))
        if not isinstance(rows, list) or not rows:
            raise ValueError("not a non-empty list of rows")
        for r in rows:
            if not isinstance(r, dict) or r.get("experiment") != name or r.get("config_hash") != chash:
                raise ValueError("a row is not a dict stamped with this experiment and config")
        return rows
    except (OSError, UnicodeDecodeError, ValueError) as exc:  # JSONDecodeError is a ValueError
        warnings.warn(f"cache entry {path} is invalid ({exc}); recomputing", RuntimeWarning, stacklevel=2)
        return None


def _atomic_write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _jsonable(x):
    if isinstance(x, float) and not math.isfinite(x):
        return repr(x)  # "inf", "-inf", "nan" survive a JSON round trip as strings
    if isinstance(x, dict):
        return {k: _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if hasattr(x, "item") and getattr(x, "ndim", 1) == 0:  # numpy scalar
        return _jsonable(x.item())
    if hasattr(x, "tolist"):
        return _jsonable(x.tolist())
    return x


def _unjson(x):
    if isinstance(x, str) and x in ("inf", "-inf", "nan"):
        return float(x)
    if isinstance(x, dict):
        return {k: _unjson(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_unjson(v) for v in x]
    return x


_WATCHDOG: list = []


def _exit_with_parent() -> None:
    """In a worker process: exit as soon as the process that started it is gone.

    A killed ``python -m experiments`` must not leave its joblib workers computing for minutes;
    each worker watches its parent and exits when it has been re-parented.
    """
    if _WATCHDOG or str(os.getpid()) == os.environ.get(_MAIN_PID_VAR, str(os.getpid())):
        return
    parent = os.getppid()

    def watch():
        while True:
            if os.getppid() != parent:
                os._exit(1)
            time.sleep(0.5)

    t = threading.Thread(target=watch, name="exit-with-parent", daemon=True)
    t.start()
    _WATCHDOG.append(t)


# Set by the process that runs a sweep, inherited by its workers: a worker knows it is one.
_MAIN_PID_VAR = "COMPRESSION_THEORY_RUNNER_PID"


def _compute(module_name: str, config: dict, path: str, meta: dict) -> list[dict]:
    """Worker: run one config, stamp provenance, write the cache file atomically.

    Provenance (commit, code fingerprint, package versions) is read where the row is computed,
    so a row computed by a Dask worker carries the worker's code, not the client's.
    """
    _exit_with_parent()
    module = importlib.import_module(module_name)
    t0 = time.perf_counter()
    out = module.run(dict(config))
    wall = time.perf_counter() - t0
    rows = out if isinstance(out, list) else [out]
    prov = {"git_sha": git_revision(), "code_fingerprint": code_fingerprint(meta["experiment"]),
            "versions": package_versions()}
    stamped = []
    for r in rows:
        row = dict(r)
        row.update(meta)
        row.update(prov)
        row["wall_time_s"] = round(wall, 4)
        stamped.append(row)
    _atomic_write_text(Path(path), json.dumps(_jsonable(stamped)))
    return stamped


def _indexed(i, *args):
    return i, _compute(*args)


@dataclass(frozen=True)
class ExperimentResult:
    """One experiment's rows and claim rows; ``seconds``: the wall time of the configs computed
    in this run (each timed in its worker) plus writing the outputs."""
    name: str
    rows: list
    claims: list
    computed: int
    cached: int
    seconds: float


def run_experiment(name: str, *, profile: str = "quick", jobs: int = 1, out_dir="figures",
                   cache_dir=".cache", device: str = "auto", force: bool = False,
                   progress: bool = True, scheduler: str | None = None) -> ExperimentResult:
    """Run (or resume) one experiment's sweep, then write its CSV, figure and claim rows."""
    return run_experiments([name], profile=profile, jobs=jobs, out_dir=out_dir, cache_dir=cache_dir,
                           device=device, force=force, progress=progress, scheduler=scheduler)[0]


@dataclass
class _Sweep:
    """One experiment between its cache lookup and its outputs."""
    name: str
    module: object
    configs: list
    todo: list
    results: dict


def _prepare(name, profile, cache_dir, device, force):
    module = load(name)
    version = int(getattr(module, "VERSION", 1))
    dev = resolve_device(device) if getattr(module, "USES_DEVICE", False) else "cpu"
    configs = [dict(c) for c in module.grid(profile)]
    if not configs:
        raise ValueError(f"experiment {name!r} has an empty grid for profile {profile!r}")
    if getattr(module, "USES_DEVICE", False):
        for c in configs:
            c["device"] = dev
    fingerprint = code_fingerprint(name)
    todo, results = [], {}
    for i, cfg in enumerate(configs):
        if "seed" not in cfg:
            raise ValueError(f"experiment {name!r}: config {cfg} has no `seed`")
        h = config_hash(name, version, cfg)
        path = cache_path(cache_dir, name, h, fingerprint)
        cached = None if force else load_cached(path, name, h)
        if cached is not None:
            results[i] = cached
            continue
        meta = {"experiment": name, "profile": profile, "config_hash": h, "device": dev, "seed": cfg["seed"]}
        todo.append((i, cfg, str(path), meta))
    return _Sweep(name, module, configs, todo, results)


def _finish(sw, out_dir):
    t0 = time.perf_counter()
    rows = []
    for i, cfg in enumerate(sw.configs):
        for r in sw.results[i]:
            rows.append({**{k: v for k, v in cfg.items()}, **r})
    out_dir = Path(out_dir)
    write_csv(rows, out_dir / "data" / f"{sw.name}.csv")
    sw.module.plot(rows, out_dir)
    # The runner stamps the experiment on every claim row; experiments build rows with
    # theory.claims.make_row from the numbers their protocols returned.
    claim_rows = [dataclasses.replace(r, experiment=sw.name) for r in sw.module.claims(rows)]
    # its own cost: the configs computed now (each timed in its worker) and its outputs
    compute = sum(float(sw.results[i][0].get("wall_time_s", 0.0)) for i, *_ in sw.todo if sw.results[i])
    return ExperimentResult(sw.name, rows, claim_rows, computed=len(sw.todo), cached=len(sw.configs) - len(sw.todo),
                            seconds=compute + time.perf_counter() - t0)


def _previous_seconds(out_dir, name):
    """Wall time per config hash recorded in the experiment's last CSV (for scheduling only)."""
    path = Path(out_dir) / "data" / f"{name}.csv"
    try:
        with path.open() as fh:
            return {r["config_hash"]: float(r["wall_time_s"]) for r in csv.DictReader(fh)
                    if r.get("config_hash") and r.get("wall_time_s")}
    except (OSError, ValueError, KeyError, csv.Error):
        return {}


def run_experiments(names: Sequence[str], *, profile: str = "quick", jobs: int = 1, out_dir="figures",
                    cache_dir=".cache", device: str = "auto", force: bool = False, progress: bool = True,
                    scheduler: str | None = None, on_done=None) -> list[ExperimentResult]:
    """Run (or resume) several experiments' sweeps as one pool of configs.

    The configs of all experiments share the ``jobs`` workers, longest first (by the wall time
    recorded in each experiment's last CSV; configs never timed go first), so that no worker
    idles while one experiment's last config runs. Each experiment's CSV, figure and claim rows
    are written as soon as its last config returns (``on_done(result)`` is then called), while
    the workers go on with the others. Results are returned in the order of ``names``.
    """
    if profile not in PROFILES:
        raise ValueError(f"`profile` must be one of {PROFILES}; got {profile!r}")
    if int(jobs) < 1 and int(jobs) != -1:
        raise ValueError(f"`jobs` must be >= 1 or -1 (all cores); got {jobs}")
    os.environ[_MAIN_PID_VAR] = str(os.getpid())
    sweeps = [_prepare(name, profile, cache_dir, device, force) for name in names]
    done = {}

    def finish(k):
        done[k] = _finish(sweeps[k], out_dir)
        if on_done is not None:
            on_done(done[k])

    tasks = []
    for k, sw in enumerate(sweeps):
        seconds = _previous_seconds(out_dir, sw.name)
        tasks += [(-seconds.get(meta["config_hash"], math.inf), k, i, cfg, path, meta) for i, cfg, path, meta in sw.todo]
        if not sw.todo:
            finish(k)
    tasks.sort(key=lambda t: (t[0], t[1]))            # stable: longest first, then experiment order
    left = {k: len(sw.todo) for k, sw in enumerate(sweeps)}
    label = sweeps[0].name if len(sweeps) == 1 else f"{len(sweeps)} experiments"
    for (k, i), res in _parallel_map([((k, i), f"experiments.{sweeps[k].name}", cfg, path, meta)
                                      for _, k, i, cfg, path, meta in tasks], jobs, scheduler, progress, label):
        sweeps[k].results[i] = res
        left[k] -= 1
        if left[k] == 0:
            finish(k)
    return [done[k] for k in range(len(sweeps))]


def _parallel_map(todo, jobs, scheduler, progress, label):
    """Yield ``(key, rows)`` for each ``(key, module name, config, cache path, meta)`` of ``todo``
    as the workers return them."""
    if not todo:
        return
    from joblib import Parallel, delayed, parallel_config
    from tqdm.auto import tqdm

    tasks = (delayed(_indexed)(key, module_name, cfg, path, meta) for key, module_name, cfg, path, meta in todo)
    bar = tqdm(total=len(todo), desc=label, disable=not progress, unit="cfg", leave=False)
    if scheduler:
        try:
            from dask.distributed import Client
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ValueError("`scheduler` needs dask.distributed: pip install 'dask[distributed]'") from exc
        client = Client(scheduler)
        ctx = parallel_config(backend="dask")
    else:
        client = None
        ctx = parallel_config(backend="loky" if jobs != 1 else "sequential", n_jobs=jobs)
    try:
        with ctx, warnings.catch_warnings():
            # With psutil installed, loky restarts a worker whose memory grew by a few hundred MB
            # (torch allocations look like a leak to it) and warns; the task is resubmitted and the
            # results are unchanged, so the warning is noise here.
            warnings.filterwarnings("ignore", message="A worker stopped while some jobs were given")
            for key, res in Parallel(return_as="generator_unordered")(tasks):
                bar.update()
                yield key, res
    finally:
        bar.close()
        if client is not None:
            client.close()


# ---- outputs -------------------------------------------------------------------------------

def _cell(v):
    if isinstance(v, (list, dict)):
        return json.dumps(_jsonable(v))
    if isinstance(v, float):
        return repr(float(v))          # np.float64 is a float, but its repr is "np.float64(...)"
    if hasattr(v, "item") and getattr(v, "ndim", 1) == 0:
        return _cell(v.item())          # other numpy scalars
    return v


#: Provenance columns that change on every recomputation (when, on which commit, with which code
#: and packages) without the results changing.
VOLATILE = ("git_sha", "code_fingerprint", "versions", "wall_time_s")


def _without_volatile(text: str) -> list[dict]:
    return [{k: v for k, v in r.items() if k not in VOLATILE} for r in csv.DictReader(io.StringIO(text))]


def write_csv(rows: Sequence[dict], path, *, keep_if_same: bool = True) -> bool:
    """Write dict rows (union of keys, first-seen order) to ``path`` atomically.

    With ``keep_if_same``, an existing file whose rows differ from the new ones only in the
    :data:`VOLATILE` provenance columns is left untouched, so re-running unchanged experiments
    does not churn tracked files. Returns whether the file was written.
    """
    keys: list[str] = []
    for r in rows:
        for k in r:
            if k not in keys:
                keys.append(k)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=keys, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: _cell(r.get(k, "")) for k in keys})
    text = buf.getvalue()
    path = Path(path)
    if keep_if_same and path.exists():
        try:
            if _without_volatile(path.read_text()) == _without_volatile(text):
                return False
        except (OSError, UnicodeDecodeError, csv.Error):
            pass
    _atomic_write_text(path, text)
    return True


CLAIM_COLUMNS = ("experiment", "claim_id", "setting", "relation", "kind", "bound", "measured", "se", "slack",
                 "holds", "must_hold", "reference", "statement")


def read_claims_csv(path) -> list[dict]:
    path = Path(path)
    if not path.exists():
        return []
    with path.open() as fh:
        return list(csv.DictReader(fh))


def write_claims(claim_rows: Iterable[ClaimRow], out_dir="figures", tables_dir="paper/generated",
                 replace_experiments: Iterable[str] | None = None) -> list[dict]:
    """Write claims.csv, claims.md and claims.tex.

    Rows of experiments not in ``replace_experiments`` that already stand in claims.csv are kept,
    so ``run NAME`` refreshes one experiment's rows without dropping the others'.
    """
    out_dir = Path(out_dir)
    new = [{k: r.to_dict()[k] for k in CLAIM_COLUMNS} for r in claim_rows]
    replace = set(replace_experiments or {r["experiment"] for r in new})
    kept = [r for r in read_claims_csv(out_dir / "claims.csv") if r.get("experiment") not in replace]
    rows = kept + new
    rows.sort(key=lambda r: (EXPERIMENTS.index(r["experiment"]) if r["experiment"] in EXPERIMENTS else 99))
    write_csv(rows, out_dir / "claims.csv")
    _atomic_write_text(out_dir / "claims.md", claims_markdown(rows))
    _atomic_write_text(Path(tables_dir) / "claims.tex", claims_latex(rows))
    return rows


def _fmt(x) -> str:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x)
    if math.isinf(v):
        return "∞" if v > 0 else "-∞"
    if math.isnan(v):
        return "nan"
    return f"{v:.4g}"


def _truthy(x) -> bool:
    return x is True or str(x) == "True"


def _kind(r: dict) -> str:
    """A row's kind (claims.csv written before kinds existed has none: derive it)."""
    if r.get("kind"):
        return r["kind"]
    from theory.claims import row_kind
    return row_kind(r["relation"], float(r["bound"]))


def claims_summary(rows: Sequence[dict]) -> dict:
    """Counts by kind, and per claim: rows, holds, and min/median/max slack of its finite inequalities."""
    import statistics

    kinds = {k: 0 for k in ("identity", "inequality", "vacuous", "trivial")}
    held = dict(kinds)
    per: dict[str, dict] = {}
    for r in rows:
        k = _kind(r)
        kinds[k] = kinds.get(k, 0) + 1
        held[k] = held.get(k, 0) + _truthy(r["holds"])
        c = per.setdefault(r["claim_id"], {"rows": 0, "holds": 0, "slacks": [], "must_hold": _truthy(r["must_hold"]),
                                           "kinds": set()})
        c["rows"] += 1
        c["holds"] += _truthy(r["holds"])
        c["kinds"].add(k)
        if k == "inequality" and math.isfinite(float(r["slack"])) and float(r["bound"]) != 0:  # a ratio to 0 says nothing
            c["slacks"].append(float(r["slack"]))
    for c in per.values():
        sl = c.pop("slacks")
        c["slack"] = (min(sl), statistics.median(sl), max(sl)) if sl else None
        c["kinds"] = "+".join(sorted(c["kinds"]))
    return {"kinds": kinds, "held": held, "claims": per}


def claims_markdown(rows: Sequence[dict]) -> str:
    """A human-readable claims table: a per-claim summary, then one section per experiment."""
    summ = claims_summary(rows)
    kinds, held = summ["kinds"], summ["held"]
    n_fail = sum(1 for r in rows if _truthy(r["must_hold"]) and not _truthy(r["holds"]))
    lines = ["# Claims: each theorem checked by measurement", "",
             "`holds` means measured ≤ bound (or = for identities) within 3 standard errors; "
             "slack = bound / measured. Claims marked must-hold fail `make figures` if violated.", "",
             f"**{held['inequality']} of {kinds['inequality']} finite inequalities hold** "
             f"(median slack over claims below); {must_hold_note(n_fail)}. Besides these: "
             f"{held['identity']} of {kinds['identity']} identities (closed form = measurement) hold; "
             f"{kinds['vacuous']} rows have an infinite bound (vacuous: true, and say nothing); "
             f"{kinds['trivial']} rows have a bound at or above the largest value the measured "
             "quantity can take (they cannot fail, and are not counted as holding).", "",
             "| claim | kind | rows | hold | slack min | median | max | must |",
             "|---|---|---|---|---|---|---|---|"]
    for cid, c in summ["claims"].items():
        sl = c["slack"]
        lines.append("| {} | {} | {} | {} | {} | {} | {} | {} |".format(
            cid, c["kinds"], c["rows"], c["holds"], *(_fmt(x) for x in (sl or ("–",) * 3)),
            "yes" if c["must_hold"] else "no"))
    lines.append("")
    current = None
    for r in rows:
        if r["experiment"] != current:
            current = r["experiment"]
            lines += [f"## {current}", "",
                      "| claim | setting | rel | kind | bound | measured | SE | slack | holds | must |",
                      "|---|---|---|---|---|---|---|---|---|---|"]
        lines.append("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |".format(
            r["claim_id"], r["setting"], r["relation"], _kind(r), _fmt(r["bound"]), _fmt(r["measured"]),
            _fmt(r["se"]), _fmt(r["slack"]), "yes" if _truthy(r["holds"]) else "**NO**",
            "yes" if _truthy(r["must_hold"]) else "no"))
    lines.append("")
    lines.append("## References")
    seen = {}
    for r in rows:
        seen.setdefault(r["claim_id"], (r["reference"], r["statement"]))
    for cid, (ref, st) in seen.items():
        lines.append(f"- `{cid}`: {st} — {ref}")
    return "\n".join(lines) + "\n"


def must_hold_note(n_fail: int) -> str:
    return "no must-hold claim fails" if n_fail == 0 else f"**{n_fail} must-hold rows FAIL**"


def _tex(s: str) -> str:
    rep = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
           "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\^{}", "∞": r"$\infty$",
           "≤": r"$\le$", "≥": r"$\ge$", "σ": r"$\sigma$", "γ": r"$\gamma$", "θ": r"$\theta$",
           "μ": r"$\mu$", "Ŵ": r"$\hat W$", "–": "--", "—": "---", "λ": r"$\lambda$", "√": r"$\surd$",
           "β": r"$\beta$", "ψ": r"$\psi$", "Σ": r"$\Sigma$", "−": "-", "·": r"$\cdot$", "²": r"$^2$"}
    return "".join(rep.get(ch, ch) for ch in str(s))


def claims_latex(rows: Sequence[dict]) -> str:
    """The paper's claims table: one line per claim (rows, how many hold, slack range), grouped by
    experiment; every row with its setting is in ``figures/claims.md`` and ``claims.csv``."""
    summ = claims_summary(rows)
    kinds, held = summ["kinds"], summ["held"]
    first_exp: dict[str, str] = {}
    for r in rows:
        first_exp.setdefault(r["claim_id"], r["experiment"])
    n_fail = sum(1 for r in rows if _truthy(r["must_hold"]) and not _truthy(r["holds"]))
    caption = (r"Every claim, summarized over its settings: rows checked, rows that hold (measured "
               r"$\le$ bound, or $=$ for identities, within 3 standard errors; bold where some do not) and "
               r"the range of slack over its finite inequalities. "
               + f"{held['inequality']} of {kinds['inequality']} finite inequalities and "
               + f"{held['identity']} of {kinds['identity']} identities hold; " + _tex(must_hold_note(n_fail))
               + r". Every row, with its setting, is in \texttt{figures/claims.md}.")
    head = [r"claim & kind & must & rows & hold & \multicolumn{3}{c}{slack = bound/measured} \\",
            r"\cmidrule(l){6-8}", r" & & & & & min & median & max \\", r"\midrule"]
    # a longtable (package longtable): it runs over pages, with the header repeated
    out = [r"% generated by `python -m experiments`; do not edit (needs \usepackage{longtable,booktabs})",
           r"\begingroup\footnotesize\setlength{\tabcolsep}{3pt}\setlength{\LTcapwidth}{\textwidth}",
           r"\begin{longtable}{@{}lllrrrrr@{}}", r"\caption{" + caption + r"}\label{tab:claims}\\",
           r"\toprule", *head, r"\endfirsthead", r"\caption[]{(continued)}\\", r"\toprule", *head,
           r"\endhead", r"\bottomrule", r"\endlastfoot"]
    current, current_first = None, True
    for cid, c in summ["claims"].items():
        exp = first_exp[cid]
        if exp != current:
            current = exp
            if current_first:
                current_first = False
            else:
                out.append(r"\midrule")
            out.append(r"\multicolumn{8}{@{}l}{\emph{" + _tex(exp) + r"}} \\")
        sl = c["slack"]
        kind = c["kinds"].replace("inequality", "ineq.").replace("identity", "ident.")
        slack = [_tex(_fmt(x)) for x in sl] if sl else ["--", "--", "--"]
        hold = str(c["holds"]) if c["holds"] == c["rows"] else r"\textbf{" + str(c["holds"]) + "}"
        out.append(" & ".join([r"\texttt{" + _tex(cid) + "}", _tex(kind), "yes" if c["must_hold"] else "no",
                               str(c["rows"]), hold, *slack]) + r" \\")
    out += [r"\end{longtable}", r"\endgroup"]
    return "\n".join(out) + "\n"


def must_hold_failures(rows: Sequence[dict]) -> list[dict]:
    """Rows (dicts from claims.csv) of must-hold claims that do not hold."""
    return [r for r in rows if _truthy(r["must_hold"]) and not _truthy(r["holds"])]


__all__ = ["EXPERIMENTS", "load", "run_experiment", "write_claims", "write_csv", "config_hash",
           "must_hold_failures", "failed_must_hold", "ExperimentResult"]
