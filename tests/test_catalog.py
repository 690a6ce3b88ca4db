"""The claim catalog: complete, registered by one import, each claim checked here and emitted by an experiment.

``CASES`` holds, for every registered claim, one small parameter setting at which the claim is
checked through :func:`theory.claims.check` (the same protocol the experiments call, at sizes that
run in seconds). A claim added to the catalog without a case here, or without an experiment that
emits its rows, fails :func:`test_every_claim_has_a_case` or
:func:`test_every_claim_is_emitted_by_an_experiment`.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import theory.catalog  # noqa: F401  (registers every claim)
from experiments import _runner
from theory import claims

ROOT = Path(__file__).resolve().parent.parent

ST = {"hidden": [16, 12], "n": 200, "epochs": 10, "seed": 0}
GUARANTEE = {"in_dim": 6, "widths": [12], "out_dim": 2, "n_s": 60, "n_fresh": 2000, "eps": 0.3, "delta": 0.1, "seed": 0}
QUANT = {"task": "teacher_student", "bits": 2, "width": 16, "epochs": 80, "n_train": 60, "n_test_ts": 2000}
PDE = {"seed": 0, "n_train": 60, "n_val": 60, "n_fresh": 200}
BN = {"task": "digits", "seed": 0, "K": 8, "lam": 0.1, "n_train": 100, "n_table": 60}
CMI = {"task": "digits_binary", "n": 30, "m": 10, "supersamples": 2, "n_fresh": 500}
KNET = {"d": 3, "n": 60, "width": 64, "seed": 0}
TNN = {"task": "digits", "seed": 0, "rank": 5, "batch_size": 32, "draws": 200, "n_train": 200}
LINEAR = {"d": 2, "n": 20, "noise_var": 1.0, "feature_eigs": [1.0, 1.0], "prior_vars": [0.5, 0.001]}

CASES = {
    # foundation (THEORY.md §2–5)
    "linear.empirical_risk": {**LINEAR, "rate": 1.0, "reps": 3000},
    "linear.population_risk": {**LINEAR, "rate": 1.0, "reps": 3000},
    "linear.generalization_error": {**LINEAR, "rate": 1.0, "reps": 3000},
    "linear.population_risk_bound": {**LINEAR, "rate": 1.0, "reps": 3000},
    "linear.compression_lowers_risk": {**LINEAR, "reps": 3000},
    "linear.xu_raginsky_uncompressed": {**LINEAR, "reps": 3000},
    "gaussian_mean.generalization_error": {"n": 10, "d": 2, "reps": 5000},
    "gaussian_mean.individual_sample_bound": {"n": 10, "d": 2, "reps": 5000},
    "gaussian_mean.xu_raginsky": {"n": 10, "reps": 2000},
    "gibbs.generalization_identity": {"n": 10, "gamma": 0.5, "reps": 5000},
    "rd.blahut_arimoto_bernoulli": {"p": 0.25, "beta": 2.0},
    # spectral pruning (THEORY.md §7): a small teacher–student student
    "spectral.output_distortion_bound": {**ST, "width": 4, "theta": 0.5},
    "spectral.generalization_bound": {**ST, "width": 4, "theta": 0.5, "n_fresh": 2000},
    "spectral.greedy_beats_magnitude": {"net": "teacher_student", **ST, "layer": 1, "width": 4, "n_leverage": 2,
                                        "reps": 4},
    "spectral.greedy_beats_random": {"net": "teacher_student", **ST, "layer": 1, "width": 4, "n_random": 4,
                                     "n_leverage": 2, "reps": 4},
    "spectral.target_covariance_helps": {**ST, "width": 4, "n_target": 200, "n_fresh": 2000},
    "spectral.leverage_guarantee": {"cov": np.diag(2.0 ** -np.arange(8)).tolist(), "width": 40, "delta": 0.1,
                                    "reps": 20},
    # CoreNet (THEORY.md §8)
    "coresets.guarantee_pairs": GUARANTEE,
    "coresets.guarantee_inputs": GUARANTEE,
    "coresets.compression_bound": {"in_dim": 6, "teacher_widths": [8], "widths": [16], "out_dim": 3, "levels": 63,
                                   "delta_bound": 0.05, "n_fresh": 3000, "n_train": 1500, "epochs": 5,
                                   "fraction": 0.5, "seed": 0},
    "coresets.beats_uniform": {"testbed": "teacher_student", "fraction": 0.1, "seeds": [0, 1], "n_train": 400,
                               "widths": [32, 32], "epochs": 3, "n_s": 50, "n_fresh": 400},
    # Hessian-weighted quantization and curvature (THEORY.md §6)
    "curvature.hutchinson_trace": {"task": "teacher_student", "seeds": 2, "width": 8, "epochs": 50, "n_train": 40,
                                   "n_probes": 200},
    "quantization.optimal_le_lloyd": {**QUANT, "seeds": 2},
    "quantization.mi_generalization_bound": {**QUANT, "seeds": 3},
    "quantization.compression_lowers_population_risk": {**QUANT, "seeds": 3},
    "quantization.beats_temperature_scaling": {**QUANT, "seeds": 2},
    # kernel complexity (THEORY.md §9): a small two-layer NTK net on the sphere
    "kernels.compression_lowers_spectrum": {**KNET, "kind": "spectral", "fraction": 0.25},
    "kernels.compression_lowers_critical_radius": {**KNET, "kind": "mask", "fraction": 0.25},
    "kernels.quantization_weyl": {**KNET, "kind": "uniform", "bits": 2},
    "kernels.tnn_surrogate_at_refresh": TNN,
    "kernels.tnn_surrogate_unbiased": TNN,
    "kernels.early_stopping": {"d": 2, "n": 200, "width": 256, "seed": 0},
    "kernels.rate_slope": {"d": 2, "ns": [200, 400, 800], "width": 256, "seeds": 1},
    "kernels.bbm_bound": {"d": 2, "n": 200, "width": 256, "seed": 0},
    # evaluated CMI (THEORY.md §12): a tiny supersample experiment
    "cmi.fcmi_bound": {**CMI, "compression": "none"},
    "cmi.ecmi_bound": {**CMI, "compression": "uniform-4"},
    "cmi.ldcmi_bound": {**CMI, "compression": "prune-80"},
    "cmi.binary_kl_bound": {**CMI, "compression": "none"},
    "cmi.single_loss_bound": {**CMI, "compression": "none"},
    "cmi.plugin_ordering_ld_e": {**CMI, "compression": "prune-80"},
    "cmi.plugin_ordering_e_f": {**CMI, "compression": "hw-3"},
    "cmi.interpolation_identity": {**CMI, "compression": "none"},
    "cmi.bound_within_2_5x": {**CMI, "compression": "none"},
    "cmi.nonvacuous": {**CMI, "compression": "none"},
    # information bottleneck (THEORY.md §10): a small bottleneck net
    "bottleneck.u1_upper_bound": {**BN, "objective": "u1", "compression": "quant-2"},
    "bottleneck.u1_equality": {**BN, "objective": "ce", "compression": "none"},
    "bottleneck.released_trainable": {**BN, "objective": "released", "compression": "keep-spectral-0.5"},
    "bottleneck.released_input_gradient": {**BN, "objective": "released", "compression": "none"},
    "bottleneck.u2_upper_bound": {**BN, "objective": "u2", "compression": "keep-magnitude-0.5"},
    "bottleneck.merge_lowers_I_XA": {**BN, "objective": "ce", "compression": "merge-2"},
    "bottleneck.merge_lowers_I_AY": {**BN, "objective": "u1", "compression": "merge-4"},
    "bottleneck.classifier_bound": {**BN, "objective": "ce", "compression": "none"},
    "shift.certified_bound": {**PDE, "shift": "piecewise-2", "compression": "none"},
    "shift.ratio_bound": {**PDE, "shift": "piecewise-4", "compression": "quant-8"},
    "shift.chi2_bound": {**PDE, "shift": "gaussian", "compression": "none"},
    "shift.dv_bound": {**PDE, "shift": "piecewise-2", "compression": "modes-6"},
    "shift.kl_closed_form": {**PDE, "shift": "piecewise-4", "compression": "none"},
    "shift.concept_triangle": {**PDE, "compression": "none", "nu1": 0.04},
    "shift.compression_amplification": {**PDE, "shift": "piecewise-2", "compression": "quant-8"},
    "bottleneck.gap_tracks_ib": {k: v for k, v in BN.items() if k != "lam"} | {"objective": "ce", "lam": 0.0},
}


def _catalog_ids_in_source() -> set[str]:
    """Claim ids written in theory/catalog/*.py, read as text (independent of the registry)."""
    ids = set()
    for path in (ROOT / "theory" / "catalog").glob("*.py"):
        ids |= set(re.findall(r'^\s*id="([^"]+)"', path.read_text(), flags=re.MULTILINE))
    return ids


def _registry_after(code: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport json, theory.claims as c; "
                          "print(json.dumps(sorted(c.REGISTRY)))"],
                         capture_output=True, text=True, cwd=ROOT, timeout=120, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_import_catalog_registers_every_claim():
    """`import theory.catalog` alone, in a fresh interpreter, registers every claim of its source."""
    assert set(_registry_after("import theory.catalog")) == _catalog_ids_in_source()


def test_math_and_testbeds_register_nothing():
    """Registration happens in the catalog only, never as a side effect of the math or testbeds."""
    code = ("import theory.spectral, theory.coresets, theory.quantization, theory.curvature, theory.kernels, "
            "theory.bounds, theory.rate_distortion, theory.testbeds.protocols, theory.testbeds.configs, "
            "theory.testbeds.sphere, theory.cmi, theory.bottleneck, theory.shift, theory.testbeds.pde, "
            "theory.testbeds.surrogates")
    assert _registry_after(code) == []


def test_every_claim_has_a_case():
    assert set(CASES) == set(claims.REGISTRY)


@pytest.mark.parametrize("claim_id", sorted(CASES))
def test_claim_checks_at_its_case(claim_id):
    claim = claims.get(claim_id)
    assert claim.params or claim.defaults, f"{claim_id} declares no parameters"
    row = claims.check(claim_id, CASES[claim_id], rng=0)
    assert row.claim_id == claim_id and row.setting
    if claim.must_hold:
        assert row.holds, row


@pytest.mark.parametrize("claim_id", sorted(CASES))
def test_claim_refuses_unknown_and_missing_params(claim_id):
    with pytest.raises(ValueError, match="unknown"):
        claims.check(claim_id, {**CASES[claim_id], "no_such_param": 1}, rng=0)
    required = claims.get(claim_id).params
    if required:
        with pytest.raises(ValueError, match=f"missing \\['{required[0]}'\\]"):
            claims.check(claim_id, {k: v for k, v in CASES[claim_id].items() if k != required[0]}, rng=0)


def test_every_claim_is_emitted_by_an_experiment():
    """Each experiment declares the claims it emits (`CLAIMS`); together they cover the catalog.

    ``tests/test_experiments.py`` checks that each experiment's smoke run emits exactly its
    declared claims, so the declaration cannot drift from what is written to claims.csv.
    """
    emitted = {}
    for name in _runner.EXPERIMENTS:
        for c in _runner.load(name).CLAIMS:
            emitted.setdefault(c.id, []).append(name)
    assert set(emitted) == set(claims.REGISTRY), sorted(set(claims.REGISTRY) ^ set(emitted))
