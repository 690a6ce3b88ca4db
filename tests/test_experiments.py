"""Each experiment smoke-runs on a tiny grid; the runner caches, resumes and fails on broken claims."""

import csv
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from experiments import _runner
from experiments.__main__ import main
from theory.claims import ClaimRow

SMOKE = dict(profile="smoke", progress=False)


@pytest.mark.parametrize("name", _runner.EXPERIMENTS)
def test_experiment_smoke(name, tmp_path):
    """Every discovered experiment runs its `smoke` grid, writes its outputs and its claims hold."""
    out, cache = tmp_path / "fig", tmp_path / "cache"
    res = _runner.run_experiment(name, out_dir=out, cache_dir=cache, **SMOKE)
    assert res.computed > 0 and res.cached == 0
    for ext in ("pdf", "png"):
        assert (out / f"{name}.{ext}").stat().st_size > 1000
    with open(out / "data" / f"{name}.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(res.rows) > 0
    for col in ("config_hash", "git_sha", "versions", "device", "seed", "wall_time_s"):
        assert col in rows[0] and rows[0][col] != ""
    assert res.claims, "every experiment contributes claim rows"
    assert all(isinstance(c, ClaimRow) for c in res.claims)
    bad = [c for c in res.claims if c.must_hold and not c.holds]
    assert not bad, bad
    # it emits exactly the claims it declares, stamped with its name by the runner
    assert {c.claim_id for c in res.claims} == {c.id for c in _runner.load(name).CLAIMS}
    assert {c.experiment for c in res.claims} == {name}
    # a second run is served entirely from the cache, with identical rows
    again = _runner.run_experiment(name, out_dir=out, cache_dir=cache, **SMOKE)
    assert again.computed == 0 and again.cached == res.computed
    assert json.dumps(again.rows, default=str) == json.dumps(res.rows, default=str)


def test_resume_after_kill(tmp_path):
    name = "gaussian_mean_bounds"
    cache = tmp_path / "cache"
    res = _runner.run_experiment(name, out_dir=tmp_path / "f", cache_dir=cache, **SMOKE)
    files = sorted((cache / name).glob("*.json"))
    assert len(files) == res.computed
    files[0].unlink()                      # as if the run had been killed before this config
    files[1].write_text("{truncated")      # a torn write is recomputed, not trusted
    again = _runner.run_experiment(name, out_dir=tmp_path / "f", cache_dir=cache, **SMOKE)
    assert again.computed == 2 and again.cached == res.computed - 2
    assert not list((cache / name).glob(".*.tmp"))


def test_parallel_equals_sequential(tmp_path):
    name = "gaussian_mean_bounds"
    a = _runner.run_experiment(name, out_dir=tmp_path / "a", cache_dir=tmp_path / "ca", **SMOKE)
    b = _runner.run_experiment(name, out_dir=tmp_path / "b", cache_dir=tmp_path / "cb", jobs=2, **SMOKE)
    strip = ("wall_time_s",)
    ra = [{k: v for k, v in r.items() if k not in strip} for r in a.rows]
    rb = [{k: v for k, v in r.items() if k not in strip} for r in b.rows]
    assert ra == rb


def test_experiments_share_one_pool(tmp_path):
    """Several experiments in one pool (longest configs first) give each experiment the rows it
    gets alone, report each as soon as it is done, and keep the order of the names."""
    names = ["gaussian_mean_bounds", "linear_tradeoff"]
    alone = [_runner.run_experiment(n, out_dir=tmp_path / "a", cache_dir=tmp_path / "ca", **SMOKE) for n in names]
    # recorded wall times steer the order; a config slower last time goes first this time
    seen = []
    pooled = _runner.run_experiments(names, out_dir=tmp_path / "a", cache_dir=tmp_path / "cb", jobs=2,
                                     on_done=lambda r: seen.append(r.name), **SMOKE)
    assert [r.name for r in pooled] == names and sorted(seen) == sorted(names)
    strip = ("wall_time_s",)
    for a, b in zip(alone, pooled):
        assert b.computed == a.computed
        assert [{k: v for k, v in r.items() if k not in strip} for r in a.rows] == \
               [{k: v for k, v in r.items() if k not in strip} for r in b.rows]
    times = _runner._previous_seconds(tmp_path / "a", names[0])
    assert len(times) == len({r["config_hash"] for r in alone[0].rows}) and all(t >= 0 for t in times.values())


def test_config_hash_stable_and_sensitive():
    h = _runner.config_hash("x", 1, {"a": 1, "b": [1, 2]})
    assert h == _runner.config_hash("x", 1, {"b": [1, 2], "a": 1})
    assert h != _runner.config_hash("x", 2, {"a": 1, "b": [1, 2]})
    assert h != _runner.config_hash("x", 1, {"a": 2, "b": [1, 2]})


def test_cli_list(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for name in _runner.EXPERIMENTS:
        assert name in out


def test_cli_run_writes_claims_and_fails_on_broken_claim(tmp_path, monkeypatch, capsys):
    args = ["--profile", "smoke", "--out", str(tmp_path / "fig"), "--tables", str(tmp_path / "tab"),
            "--cache", str(tmp_path / "cache"), "--no-progress"]
    assert main(["run", "gaussian_mean_bounds", *args]) == 0
    text = (tmp_path / "fig" / "claims.md").read_text()
    assert "gaussian_mean.individual_sample_bound" in text
    assert (tmp_path / "tab" / "claims.tex").read_text().count("\\begin{longtable}") == 1
    # a second experiment's rows are merged, not overwriting the first's
    assert main(["run", "rate_distortion_curves", *args]) == 0
    with open(tmp_path / "fig" / "claims.csv") as fh:
        exps = {r["experiment"] for r in csv.DictReader(fh)}
    assert exps == {"gaussian_mean_bounds", "rate_distortion_curves"}

    mod = _runner.load("rate_distortion_curves")
    real = mod.claims

    def broken(rows):
        out = real(rows)
        c = out[0]
        return out + [ClaimRow(**{**c.__dict__, "claim_id": "deliberately.broken", "holds": False})]

    monkeypatch.setattr(mod, "claims", broken)
    assert main(["run", "rate_distortion_curves", *args]) == 1
    assert "deliberately.broken" in capsys.readouterr().err


def test_runner_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="`name`"):
        _runner.load("nope")
    with pytest.raises(ValueError, match="`profile`"):
        _runner.run_experiment("linear_tradeoff", profile="huge", out_dir=tmp_path)
    assert set(_runner.EXPERIMENTS) >= {"linear_tradeoff", "gaussian_mean_bounds", "rate_distortion_curves"}
    with pytest.raises(ValueError, match="`jobs`"):
        _runner.run_experiment("linear_tradeoff", jobs=0, out_dir=tmp_path)
    with pytest.raises(ValueError, match="`device`"):
        _runner.resolve_device("tpu")


# ---- a cache you can trust -------------------------------------------------------------------

@pytest.mark.parametrize("content", [b"", b"{truncated", b"null", b"[]", b'{"rows": 1}', b'[{"a": 1}]',
                                     b"[1, 2]", b"\xff\xfe\x00not utf-8"],
                         ids=["empty", "torn", "null", "empty-list", "dict", "wrong-keys", "not-rows", "bad-utf8"])
def test_invalid_cache_entry_is_a_miss_with_a_warning(tmp_path, content):
    name = "gaussian_mean_bounds"
    cache = tmp_path / "cache"
    res = _runner.run_experiment(name, out_dir=tmp_path / "f", cache_dir=cache, **SMOKE)
    victim = sorted((cache / name).glob("*.json"))[0]
    victim.write_bytes(content)
    with pytest.warns(RuntimeWarning, match="invalid"):
        again = _runner.run_experiment(name, out_dir=tmp_path / "f", cache_dir=cache, **SMOKE)
    assert again.computed == 1 and again.cached == res.computed - 1
    assert len(again.rows) == len(res.rows)            # never a silently dropped config
    assert json.loads(victim.read_text())                # and the entry is repaired


def test_code_fingerprint_follows_the_bytes_of_theory_and_the_experiment(tmp_path, monkeypatch):
    (tmp_path / "theory" / "sub").mkdir(parents=True)
    (tmp_path / "experiments").mkdir()
    (tmp_path / "theory" / "a.py").write_text("X = 1\n")
    (tmp_path / "theory" / "sub" / "b.py").write_text("Y = 2\n")
    (tmp_path / "experiments" / "e.py").write_text("NAME = 'e'\n")
    (tmp_path / "experiments" / "other.py").write_text("NAME = 'other'\n")
    monkeypatch.setattr(_runner, "REPO", tmp_path)
    f0 = _runner.code_fingerprint("e")
    assert f0 == _runner.code_fingerprint("e")
    (tmp_path / "experiments" / "other.py").write_text("NAME = 'other'  # edited\n")
    assert _runner.code_fingerprint("e") == f0            # another experiment's code is not ours
    (tmp_path / "theory" / "sub" / "b.py").write_text("Y = 3\n")   # a formula changes
    f1 = _runner.code_fingerprint("e")
    assert f1 != f0
    (tmp_path / "experiments" / "e.py").write_text("NAME = 'e'\n\n")
    assert _runner.code_fingerprint("e") != f1


def test_changed_code_recomputes(tmp_path, monkeypatch):
    name = "gaussian_mean_bounds"
    cache = tmp_path / "cache"
    res = _runner.run_experiment(name, out_dir=tmp_path / "f", cache_dir=cache, **SMOKE)
    real = _runner.code_fingerprint
    monkeypatch.setattr(_runner, "code_fingerprint", lambda n: real(n)[::-1])   # as if a file changed
    again = _runner.run_experiment(name, out_dir=tmp_path / "f", cache_dir=cache, **SMOKE)
    assert again.computed == res.computed and again.cached == 0


def test_rerun_leaves_tracked_csvs_untouched(tmp_path):
    path = tmp_path / "x.csv"
    rows = [{"a": 1.5, "git_sha": "abc", "wall_time_s": 0.1}]
    assert _runner.write_csv(rows, path)
    before = path.read_bytes()
    assert not _runner.write_csv([{"a": 1.5, "git_sha": "def", "wall_time_s": 9.9}], path)
    assert path.read_bytes() == before
    assert _runner.write_csv([{"a": 2.5, "git_sha": "def", "wall_time_s": 9.9}], path)   # a result changed
    assert "2.5" in path.read_text()


# ---- the command line ------------------------------------------------------------------------

def _cli_args(tmp_path, **over):
    a = {"--profile": "smoke", "--out": str(tmp_path / "fig"), "--tables": str(tmp_path / "tab"),
         "--cache": str(tmp_path / "cache")}
    a.update(over)
    return [x for kv in a.items() for x in kv] + ["--no-progress"]


@pytest.mark.parametrize("over, message", [
    ({"--jobs": "0"}, "--jobs"),
    ({"--jobs": "-3"}, "--jobs"),
    ({"--out": "FILE/sub"}, "--out"),
    ({"--cache": "FILE/sub"}, "--cache"),
    ({"--tables": "FILE/sub"}, "--tables"),
])
def test_cli_bad_arguments_exit_2_before_any_work(tmp_path, capsys, over, message):
    (tmp_path / "FILE").write_text("a file, not a directory")
    over = {k: v.replace("FILE", str(tmp_path / "FILE")) for k, v in over.items()}
    assert main(["run", "gaussian_mean_bounds", *_cli_args(tmp_path, **over)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err
    assert not (tmp_path / "cache" / "gaussian_mean_bounds").exists()    # nothing was computed


def test_cli_device_cuda_without_gpu_exits_2(tmp_path, capsys):
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    assert main(["run", "gaussian_mean_bounds", *_cli_args(tmp_path, **{"--device": "cuda"})]) == 2
    assert "--device" in capsys.readouterr().err


def test_cli_help_shows_defaults_and_version(capsys):
    with pytest.raises(SystemExit) as e:
        main(["run", "--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert "(default: quick)" in out and "(default: .cache)" in out
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0 and "compression-theory" in capsys.readouterr().out


# ---- an honest claims table ------------------------------------------------------------------

def test_claims_table_counts_kinds_separately():
    def row(cid, relation, bound, measured, holds, kind=""):
        return {"experiment": "e", "claim_id": cid, "setting": "", "relation": relation, "kind": kind,
                "bound": bound, "measured": measured, "se": 0, "slack": bound / measured if measured else "inf",
                "holds": holds, "must_hold": True, "reference": "", "statement": ""}
    rows = [row("a", "==", 1.0, 1.0, True), row("b", "<=", 2.0, 1.0, True), row("b", "<=", 8.0, 2.0, True),
            row("b", "<=", 3.0, 1.0, True), row("c", "<=", 1.0, 2.0, False),
            row("d", "<=", float("inf"), 1.0, True), row("e", "<=", 1.5, 0.5, True, kind="trivial")]
    s = _runner.claims_summary(rows)
    assert s["kinds"] == {"identity": 1, "inequality": 4, "vacuous": 1, "trivial": 1}
    assert s["held"]["inequality"] == 3
    assert s["claims"]["b"]["slack"] == (2.0, 3.0, 4.0)
    md = _runner.claims_markdown(rows)
    assert "**3 of 4 finite inequalities hold**" in md and "1 must-hold rows FAIL" in md


def _children(pid: int) -> set[int]:
    """PIDs whose parent is ``pid`` (Linux /proc)."""
    out = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.add(int(stat.parent.name))
    return out


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_killing_the_cli_leaves_no_worker_behind(tmp_path):
    cmd = [sys.executable, "-m", "experiments", "run", "gaussian_mean_bounds", "--jobs", "2",
           *_cli_args(tmp_path, **{"--profile": "quick"})]
    proc = subprocess.Popen(cmd, cwd=_runner.REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        workers: set[int] = set()
        while time.monotonic() < deadline and len(workers) < 2:
            workers = {p for p in _children(proc.pid)
                       if "loky" in Path(f"/proc/{p}/cmdline").read_bytes().decode(errors="replace")}
            time.sleep(0.2)
        assert workers, "the run never started its workers"
        time.sleep(2.0)                       # the workers are computing
        proc.send_signal(signal.SIGKILL)      # the hardest kill: no handler runs in the main process
        proc.wait(timeout=10)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in workers):
            time.sleep(0.2)
        left = [p for p in workers if Path(f"/proc/{p}").exists()
                and Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"]
        assert not left, f"workers {left} outlived the killed run"
    finally:
        if proc.poll() is None:
            proc.kill()


# ---- Dask ------------------------------------------------------------------------------------

def _csv_without_volatile(path):
    with open(path) as fh:
        return [{k: v for k, v in r.items() if k not in _runner.VOLATILE} for r in csv.DictReader(fh)]


def test_dask_localcluster_matches_local_run_and_resumes(tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")
    name = "gaussian_mean_bounds"
    local = _runner.run_experiment(name, out_dir=tmp_path / "local", cache_dir=tmp_path / "lc", **SMOKE)
    monkeypatch.chdir(tmp_path)               # a relative cache must still land in one place
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, protocol="tcp", host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        addr = cluster.scheduler_address
        res = _runner.run_experiment(name, out_dir=tmp_path / "dask", cache_dir="dc", scheduler=addr, **SMOKE)
        assert res.computed == local.computed
        files = sorted((tmp_path / "dc" / name).glob("*.json"))
        assert len(files) == res.computed
        files[0].unlink()                     # as if the distributed run had been killed there
        again = _runner.run_experiment(name, out_dir=tmp_path / "dask", cache_dir="dc", scheduler=addr, **SMOKE)
        assert again.computed == 1 and again.cached == res.computed - 1
    assert (_csv_without_volatile(tmp_path / "dask" / "data" / f"{name}.csv")
            == _csv_without_volatile(tmp_path / "local" / "data" / f"{name}.csv"))
    assert all(r["git_sha"] and r["code_fingerprint"] for r in again.rows)
