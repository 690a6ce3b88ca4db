"""Claims of Hessian-weighted network quantization (Choi, El-Khamy, Lee, ICLR 2017; Bu, Gao, Zou,
Veeravalli, AAAI 2020).

Every claim runs :func:`theory.testbeds.protocols.quantized_classifier_risks`, the recipe of the
figure ``quantization_population_risk``: a one-hidden-layer student trained to (near) zero
training loss on ``n_train`` samples of ``task`` ("digits" or "teacher_student"), quantized
layer by layer at ``bits`` bits, for the seeds ``first_seed``, ..., ``first_seed + seeds − 1``;
then the same summary over seeds as the experiment's claim rows
(:func:`~theory.testbeds.protocols.optimal_vs_lloyd_summary`,
:func:`~theory.testbeds.protocols.zero_one_gap_summary`,
:func:`~theory.testbeds.protocols.risk_change_summary`).

Parameters: ``task, bits, seeds, width, epochs, n_train, n_test_ts`` (fresh teacher–student test
samples; unused for digits); optionally ``lr``, ``first_seed`` (0) and ``device`` ("cpu"), and
for ``quantization.compression_lowers_population_risk`` the ``method`` ("hw", "kmeans",
"optimal_hw" or "drhw") and its DRHW strength ``rho`` (0 unless ``method`` is "drhw").
"""

from __future__ import annotations

from ..claims import Claim, Measurement, register
from ..testbeds.configs import QUANTIZATION_TRAINING
from ..testbeds.protocols import (optimal_vs_lloyd_summary, quantized_classifier_risks, risk_change_summary,
                                  zero_one_gap_summary)

__all__ = ["OPTIMAL_LE_LLOYD", "QUANTIZED_GEN_BOUND", "COMPRESSION_LOWERS_RISK", "QUANTIZATION_BEATS_TEMPERATURE"]

NET_PARAMS = ("task", "bits", "seeds", "width", "epochs", "n_train", "n_test_ts")
NET_DEFAULTS = {"lr": QUANTIZATION_TRAINING["lr"], "first_seed": 0, "device": "cpu"}


def _rows(p, methods=(), rhos=()):
    """Rows of quantized_classifier_risks over the claim's seeds, each with its task and seed."""
    rows = []
    for seed in range(int(p["first_seed"]), int(p["first_seed"]) + int(p["seeds"])):
        for r in quantized_classifier_risks(p["task"], seed, width=p["width"], epochs=p["epochs"],
                                            n_train=p["n_train"], n_test_ts=p["n_test_ts"], bits=[int(p["bits"])],
                                            methods=methods, rhos=rhos, lr=p["lr"], device=p["device"]):
            rows.append({"task": p["task"], "seed": seed, **r})
    return rows


def _optimal_le_lloyd(p, rng):
    s = optimal_vs_lloyd_summary(_rows(p, methods=("hw", "optimal_hw")), p["task"], p["bits"])
    return s["lloyd_objective"], Measurement(s["optimal_objective"])


def _gen_bound(p, rng):
    s = zero_one_gap_summary(_rows(p, methods=("optimal_hw",)), p["task"], p["bits"])
    return s["bound"], Measurement(s["gap"], s["gap_se"])


def _risk_change(p, rng):
    method, rho = p["method"], float(p["rho"])
    if method == "drhw":
        rows = _rows(p, rhos=(rho,))
    elif rho != 0.0:
        raise ValueError(f"`rho` must be 0 unless `method` is 'drhw'; got {rho} with {method!r}")
    else:
        rows = _rows(p, methods=(method,))
    s = risk_change_summary(rows, p["task"], p["bits"], method, rho)
    return 0.0, Measurement(s["d_test_loss"], s["d_test_loss_se"])


def _vs_temperature(p, rng):
    method, rho = p["method"], float(p["rho"])
    if method != "drhw" and rho != 0.0:
        raise ValueError(f"`rho` must be 0 unless `method` is 'drhw'; got {rho} with {method!r}")
    rows = _rows(p, rhos=(rho,)) if method == "drhw" else _rows(p, methods=(method,))
    s = risk_change_summary(rows, p["task"], p["bits"], method, rho)
    t = risk_change_summary(rows, p["task"], 32, "temperature", 0.0)
    return t["d_test_loss"], Measurement(s["d_test_loss"], s["d_test_loss_se"])


OPTIMAL_LE_LLOYD = register(Claim(
    id="quantization.optimal_le_lloyd",
    reference="Wang & Song, The R Journal 2011; Grønlund et al., arXiv:1701.07204 (exact 1-D DP)",
    statement="HW objective of the exact DP ≤ HW objective of Lloyd's k-means (same weights, same k)",
    params=NET_PARAMS,
    defaults=NET_DEFAULTS,
    evaluate=_optimal_le_lloyd,
))

QUANTIZED_GEN_BOUND = register(Claim(
    id="quantization.mi_generalization_bound",
    ceiling=1.0,  # a 0-1 error / a probability: a bound >= 1 cannot fail
    reference="Xu & Raginsky, NeurIPS 2017, Thm 1 (0-1 loss is 1/2-sub-Gaussian) with I(S;Ŵ) ≤ H(Ŵ) ≤ R "
              "(Bu, Gao, Zou, Veeravalli, AAAI 2020)",
    statement="E[err_μ(Ŵ) − err_S(Ŵ)] ≤ √(2·¼·R/n), R = Σ m_l log K_l + (codebook and bias floats)·32 log 2",
    params=NET_PARAMS,
    defaults=NET_DEFAULTS,
    evaluate=_gen_bound,
))

COMPRESSION_LOWERS_RISK = register(Claim(
    id="quantization.compression_lowers_population_risk",
    reference="Bu, Gao, Zou, Veeravalli, AAAI 2020, §6 (experiments): observed, not a theorem",
    statement="L_μ(Ŵ) − L_μ(W) ≤ 0 for an overfitted net (test cross-entropy, paired by seed)",
    params=NET_PARAMS,
    defaults={**NET_DEFAULTS, "method": "hw", "rho": 0.0},
    evaluate=_risk_change,
    must_hold=False,
))


QUANTIZATION_BEATS_TEMPERATURE = register(Claim(
    id="quantization.beats_temperature_scaling",
    reference=("Bu, Gao, Zou, Veeravalli, AAAI 2020, §6, against the calibration baseline of Guo, Pleiss, Sun, "
               "Weinberger, ICML 2017 (temperature scaling): observed, not a theorem"),
    statement=("L_μ(Ŵ) − L_μ(W) ≤ L_μ(W/T) − L_μ(W): quantizing lowers the test cross-entropy at least as much as "
               "temperature scaling of the unquantized net (T cross-fitted on the test halves; seed means)"),
    params=NET_PARAMS,
    defaults={**NET_DEFAULTS, "method": "drhw", "rho": 0.5},
    evaluate=_vs_temperature,
    must_hold=False,
))
