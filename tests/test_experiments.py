"""Each experiment smoke-runs on a tiny grid; the runner caches, resumes and fails on broken claims."""

import csv
import json

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
    assert (tmp_path / "tab" / "claims.tex").read_text().count("\\begin{tabular}") == 1
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
