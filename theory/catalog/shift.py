r"""Claims of out-of-distribution bounds for compressed PDE surrogates (change of measure).

Both sides come from :func:`theory.testbeds.protocols.pde_shift` (train an FNO on Burgers,
compress it, evaluate it under shifts of the law of log ν with a known density ratio), the
recipe the experiment ``pde_shift`` calls. The loss is the clipped relative error in [0, 1].

- ``shift.certified_bound`` (must hold, statistical): the source-only bound
  :func:`theory.shift.certified_target_bound` from a held-out source set (valid with probability
  at least 1 − δ) against the measured target risk within 3 SE;
- ``shift.ratio_bound`` and ``shift.chi2_bound`` (must hold, statistical): the bounded-ratio and
  χ² (Cauchy–Schwarz) bounds from the measured source moments, with the delta-method SE of the
  bound and the SE of the target risk combined;
- ``shift.dv_bound`` (reported): Donsker–Varadhan with the empirical source CGF (its plug-in
  error is not in the SE);
- ``shift.kl_closed_form`` (must hold, identity): the closed-form D(μ′‖μ) of the design against
  the Monte Carlo mean of log w under the target;
- ``shift.concept_triangle`` (must hold, exact): the concept-shift triangle bound on the RMSE;
- ``shift.compression_amplification`` (reported): a compressed surrogate's target/source risk
  ratio is at most the uncompressed one's.
"""

from __future__ import annotations

import math

from ..claims import Claim, Measurement, register
from ..testbeds import protocols

__all__ = ["SHIFT_CERTIFIED", "SHIFT_RATIO", "SHIFT_CHI2", "SHIFT_DV", "SHIFT_KL_CLOSED_FORM", "SHIFT_CONCEPT",
           "SHIFT_AMPLIFICATION"]

PARAMS = ("seed", "shift", "compression")
DEFAULTS = {"n_train": 200, "n_val": 100, "n_fresh": 200}
CHANGE_OF_MEASURE = "change of measure for g ∈ [0,1] (standard); Bernoulli data processing for the certified form [derived]"


def _row(p, concept=()):
    rows = protocols.pde_shift(p["seed"], shifts=[p["shift"]] if not concept else [],
                               compressions=[p["compression"]], n_train=p["n_train"], n_val=p["n_val"],
                               n_fresh=p["n_fresh"], concept=concept)
    return rows[0]


def bound_sides(row, key) -> tuple:
    r"""``(bound, Measurement)`` of a change-of-measure claim: the bound against the target risk,
    the SE the combination of the target risk's and (for plug-in bounds) the bound's."""
    se = math.hypot(row["target_risk_se"], row.get(key + "_se", 0.0))
    return row[key], Measurement(row["target_risk"], se)


def _bound(key):
    return lambda p, rng: bound_sides(_row(p), key)


SHIFT_CERTIFIED = register(Claim(
    id="shift.certified_bound",
    reference=CHANGE_OF_MEASURE + "; p̄ = kl⁻¹(R̂_val, ln(1/δ)/n_val) (Chernoff for [0,1] losses)",
    statement="E_μ′ g ≤ min{B p̄, p̄ + √(χ² p̄(1−p̄)), sup{q : kl(q‖p̄) ≤ D(μ′‖μ)}, sup{q : kl(p̄‖q) ≤ D(μ‖μ′)}} "
              "(w.p. ≥ 1−δ; 3 SE)",
    params=PARAMS, defaults=DEFAULTS, evaluate=_bound("certified_bound"), ceiling=1.0,
))

SHIFT_RATIO = register(Claim(
    id="shift.ratio_bound",
    reference=CHANGE_OF_MEASURE,
    statement="E_μ′ g ≤ (sup w) E_μ g (source mean measured; 3 combined SE)",
    params=PARAMS, defaults=DEFAULTS, evaluate=_bound("ratio_bound"), ceiling=1.0,
))

SHIFT_CHI2 = register(Claim(
    id="shift.chi2_bound",
    reference=CHANGE_OF_MEASURE + " (Cauchy–Schwarz)",
    statement="E_μ′ g ≤ √((1 + χ²(μ′‖μ)) E_μ g²) (source moment measured; 3 combined SE)",
    params=PARAMS, defaults=DEFAULTS, evaluate=_bound("chi2_bound"), ceiling=1.0,
))

SHIFT_DV = register(Claim(
    id="shift.dv_bound",
    reference="Donsker–Varadhan variational formula (standard)",
    statement="E_μ′ g ≤ inf_t [D(μ′‖μ) + log E_μ e^{tg}]/t with the empirical source CGF (reported)",
    params=PARAMS, defaults=DEFAULTS, evaluate=_bound("dv_bound"), ceiling=1.0, must_hold=False,
))


def _kl(p, rng):
    r = _row(p)
    return r["kl_target_source"], Measurement(r["kl_mc"], r["kl_mc_se"])


SHIFT_KL_CLOSED_FORM = register(Claim(
    id="shift.kl_closed_form",
    reference="closed forms of the piecewise-ratio and Gaussian designs (theory.shift) [derived]",
    statement="D(μ′‖μ) (closed form) = E_μ′ log w (Monte Carlo over the target draws of log ν)",
    params=PARAMS, defaults=DEFAULTS, evaluate=_kl, relation="==",
))


def _concept(p, rng):
    r = _row(p, concept=(p["nu1"],))
    return r["concept_bound"], Measurement(r["target_rmse"])


SHIFT_CONCEPT = register(Claim(
    id="shift.concept_triangle",
    reference="triangle inequality in L²(P) [std]",
    statement="√E‖f̂ − G_ν′‖² ≤ √E‖f̂ − G_ν₀‖² + √E‖G_ν₀ − G_ν′‖² (the second term from the solver, label-free)",
    params=("seed", "compression", "nu1"), defaults=DEFAULTS, evaluate=_concept,
))


def _amp(p, rng):
    rows = protocols.pde_shift(p["seed"], shifts=[p["shift"]], compressions=["none", p["compression"]],
                               n_train=p["n_train"], n_val=p["n_val"], n_fresh=p["n_fresh"])
    return rows[0]["amplification"], Measurement(rows[1]["amplification"])


SHIFT_AMPLIFICATION = register(Claim(
    id="shift.compression_amplification",
    reference="observation (no theorem): does compression change the sensitivity to the shift?",
    statement="target/source risk ratio of the compressed surrogate ≤ that of the uncompressed one (reported)",
    params=PARAMS, defaults=DEFAULTS, evaluate=_amp, must_hold=False,
))
