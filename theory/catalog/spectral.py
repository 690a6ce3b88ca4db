r"""Claims of spectral pruning (Suzuki et al., IJCAI 2020; Bach, JMLR 2017).

Every claim computes both sides from its declared parameters through a recipe of
:mod:`theory.testbeds.protocols`, the one the experiments call:

- ``spectral.leverage_guarantee``: :func:`~theory.testbeds.protocols.spectral_leverage_guarantee`
  on a covariance ``cov`` (``spectral_dof`` calls it on each trained layer's covariance);
- ``spectral.greedy_beats_magnitude`` and ``spectral.greedy_beats_random``:
  :func:`~theory.testbeds.protocols.spectral_dof` (train the net, reconstruction errors of one
  layer at one width);
- ``spectral.output_distortion_bound``:
  :func:`~theory.testbeds.protocols.spectral_student_distortion` (train the teacher–student
  student of ``spectral_tradeoff`` and ``spectral_shift``, prune it once);
- ``spectral.generalization_bound`` (a heuristic, not a theorem; not must-hold):
  :func:`~theory.testbeds.protocols.spectral_tradeoff`;
- ``spectral.target_covariance_helps``: :func:`~theory.testbeds.protocols.spectral_shift`.

The student's sizes (``hidden``, ``n``, ``epochs``) are parameters, so tests check the claims on
small nets; ``seed`` seeds the sample, the initialisation and the selections.
"""

from __future__ import annotations

from ..claims import Claim, Measurement, register
from ..testbeds import protocols
from ..testbeds.configs import SPECTRAL_SHIFT

__all__ = ["SPECTRAL_OUTPUT_DISTORTION", "SPECTRAL_LEVERAGE_GUARANTEE", "SPECTRAL_GENERALIZATION",
           "SPECTRAL_GREEDY_VS_MAGNITUDE", "SPECTRAL_GREEDY_VS_RANDOM", "SPECTRAL_TARGET_COVARIANCE"]

SUZUKI = ("Suzuki, Abe, Murata, Horiuchi, Ito, Wachi, Hirai, Yukishima, Nishimura, IJCAI 2020, "
          "'Spectral pruning'")
BACH = "Bach, JMLR 18 (2017), 'On the equivalence between kernel quadrature rules and random feature expansions'"

# The trained teacher–student student (spectral_tradeoff, spectral_shift): hidden widths, sample
# size, epochs, seed.
STUDENT = ("hidden", "n", "epochs", "seed")


def _distortion(p, rng):
    r = protocols.spectral_student_distortion(p["hidden"], p["n"], p["epochs"], p["seed"], p["width"], p["theta"],
                                              method=p["method"], cov=p["cov"], n_target=p["n_target"],
                                              input_mean=p["input_mean"], input_scale=p["input_scale"])
    return r["bound"], Measurement(r["measured"])


SPECTRAL_OUTPUT_DISTORTION = register(Claim(
    id="spectral.output_distortion_bound",
    reference=SUZUKI + ", Thm. 2 bias term (form); telescoping + Lipschitz derivation, "
                       "theory.spectral.compression_bias_bound [derived]",
    statement="‖f♯ − f‖_{L²(P_n)} ≤ Σ_ℓ Lip_ℓ √e_ℓ (layer-wise output-aware reconstruction errors)",
    params=STUDENT + ("width", "theta"),
    defaults={"method": "greedy", "cov": "source", "n_target": 500, **SPECTRAL_SHIFT},
    evaluate=_distortion,
))


def _leverage(p, rng):
    r = protocols.spectral_leverage_guarantee(p["cov"], p["width"], p["delta"], p["reps"], rng=rng)
    return float(p["delta"]), Measurement(r["fail_rate"], r["fail_se"])


SPECTRAL_LEVERAGE_GUARANTEE = register(Claim(
    id="spectral.leverage_guarantee",
    reference=BACH + ", Prop. 1; " + SUZUKI + ", Thm. 1 (constants 5, 80, 4 as recalled from the papers, "
                                              "not checked against their text)",
    statement="P[λ_max(R_τ(J)) > 4λ] ≤ δ for m♯ = 5N̂(λ)log(80N̂(λ)/δ) leverage draws",
    params=("cov", "width", "delta", "reps"),
    evaluate=_leverage,
))


def _generalization(p, rng):
    (r,) = protocols.spectral_tradeoff(p["hidden"], p["n"], p["epochs"], p["seed"], [p["width"]],
                                       [(p["method"], p["theta"])], p["n_fresh"], p["delta"])
    return r["bound"], Measurement(r["population_risk"], r["population_risk_se"])


SPECTRAL_GENERALIZATION = register(Claim(
    id="spectral.generalization_bound",
    reference=SUZUKI + ", Thm. 2 (bias–variance form, as recalled from the paper, not checked against its "
                       "text). Heuristic, not a theorem: the variance term takes unit constants "
                       "(c_bias = c_var = 1) and a unit loss scale for an unbounded (squared) loss; only "
                       "the bias part, spectral.output_distortion_bound, is a proved inequality",
    statement="heuristic: L_μ(f♯) ≤ (√L̂_S(f) + Σ_ℓ Lip_ℓ√e_ℓ)² + √((Σ_ℓ(m♯_ℓ+1)m♯_{ℓ+1} log n + log 1/δ)/n) "
              "(unit constants and loss scale in the variance term; not a theorem)",
    params=STUDENT + ("width", "theta"),
    defaults={"method": "greedy", "n_fresh": 20000, "delta": 0.05},
    evaluate=_generalization,
    must_hold=False,
))

# spectral_dof: the net, its training, the hidden layer (counted from 1) and the kept width.
DOF = ("net",) + STUDENT + ("layer", "width")
DOF_DEFAULTS = {"n_random": 10, "prune_widths": None, "n_leverage": 5, "reps": 20, "n_lams": 30, "delta": 0.1}


def _dof_row(p) -> dict:
    """The spectral_dof row of hidden layer ``layer`` (from 1) at ``width``.

    ``prune_widths`` (default ``[width]``) are the widths analysed before and after it with the
    same selection generator, so that the experiment's list reproduces its random subsets.
    """
    widths = p["prune_widths"] if p["prune_widths"] is not None else [p["width"]]
    if p["width"] not in widths:
        raise ValueError(f"`width` {p['width']} must be one of `prune_widths` {widths}")
    rows = protocols.spectral_dof(p["net"], p["hidden"], p["n"], p["epochs"], p["seed"], widths, p["n_random"],
                                  p["n_leverage"], p["reps"], p["n_lams"], p["delta"])
    for r in rows:
        if r["kind"] == "prune" and r["layer"] == p["layer"] - 1 and r["width"] == p["width"]:
            return r
    raise ValueError(f"`layer` {p['layer']} and `width` {p['width']} must name a hidden layer (from 1) "
                     f"wider than `width`")


def _greedy_against(baseline):
    """``evaluate`` of greedy selection against ``baseline``: (baseline error, greedy error)."""
    def evaluate(p, rng):
        r = _dof_row(p)
        return r[f"{baseline}_error"], Measurement(r["greedy_error"])

    return evaluate


SPECTRAL_GREEDY_VS_MAGNITUDE = register(Claim(
    id="spectral.greedy_beats_magnitude",
    reference=SUZUKI + ", §5 (experiments: spectral pruning against magnitude-based pruning)",
    statement="output reconstruction error e(J) of greedy spectral selection ≤ that of magnitude (outgoing-norm) selection, equal width",
    params=DOF,
    defaults=DOF_DEFAULTS,
    evaluate=_greedy_against("magnitude"),
    must_hold=False,
))

SPECTRAL_GREEDY_VS_RANDOM = register(Claim(
    id="spectral.greedy_beats_random",
    reference=SUZUKI + ", §5 (experiments: spectral pruning against random pruning)",
    statement="output reconstruction error e(J) of greedy spectral selection ≤ mean over random subsets, equal width",
    params=DOF,
    defaults=DOF_DEFAULTS,
    evaluate=_greedy_against("random"),
    must_hold=False,
))


def _target_covariance(p, rng):
    s, t = protocols.spectral_shift(p["hidden"], p["n"], p["n_target"], p["epochs"], p["seed"], [p["width"]],
                                    p["n_fresh"], p["input_mean"], p["input_scale"], p["theta"],
                                    covs=("source", "target"))
    bound, measured, se = protocols.spectral_target_covariance_sides(s, t)
    return bound, Measurement(measured, se)


SPECTRAL_TARGET_COVARIANCE = register(Claim(
    id="spectral.target_covariance_helps",
    reference="Dillard, Shinya, Suzuki, arXiv:1912.11853 (Σ̂ from target-domain activations)",
    statement="target population risk of the net pruned with target Σ̂ ≤ with source Σ̂, equal width",
    params=STUDENT + ("width", "n_target"),
    defaults={"theta": 0.5, "n_fresh": 20000, **SPECTRAL_SHIFT},
    evaluate=_target_covariance,
    must_hold=False,
))
