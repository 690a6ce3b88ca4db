r"""Claims of kernel complexity under compression (Raskutti, Wainwright, Yu, JMLR 2014; Weyl).

Every claim computes both sides through a recipe of :mod:`theory.testbeds.protocols`, the one
the experiment ``kernel_complexity`` calls:

- ``kernels.compression_lowers_spectrum`` and ``kernels.compression_lowers_critical_radius``
  (must hold, derived): pruning neurons of the two-layer net or freezing parameters gives
  :math:`K_S = K - J_{S^c}J_{S^c}^\top \preceq K`, so every eigenvalue and the critical radius
  can only decrease (:func:`~theory.testbeds.protocols.kernel_compression`);
- ``kernels.quantization_weyl`` (must hold): :math:`|\lambda_i(K_q) - \lambda_i(K)| \le
  \|K_q - K\|_2` (Weyl's inequality);
- ``kernels.tnn_surrogate_at_refresh`` and ``kernels.tnn_surrogate_unbiased`` (must hold): the
  separable surrogate equals the truncated nuclear norm at the refresh point, and its minibatch
  version is unbiased (:func:`~theory.testbeds.protocols.tnn_surrogate_check`);
- ``kernels.early_stopping`` (not must hold: the constants 2e and 12 are as recalled): kernel
  GD stopped at :math:`\hat T` has :math:`\|f_{\hat T} - f^*\|_n^2 \le 12\hat\varepsilon_n^2`
  (:func:`~theory.testbeds.protocols.kernel_rates`);
- ``kernels.rate_slope`` (not must hold: an asymptotic rate checked at finite n): the fitted
  slope of :math:`\hat\varepsilon_n^2` against n is within 0.1 of :math:`-d/(2d-1)`;
- ``kernels.bbm_bound`` (not must hold: form and constants as recalled): the local-Rademacher
  excess-risk bound of :func:`theory.kernels.bbm_excess_risk_bound` against the measured excess
  risk of kernel GD, reported with its slack.

Parameters of the net and sample: ``d`` (input dimension), ``n``, ``width``, ``seed``.
"""

from __future__ import annotations

from ..claims import Claim, Measurement, register
from ..testbeds import protocols

__all__ = ["KERNEL_COMPRESSION_SPECTRUM", "KERNEL_COMPRESSION_RADIUS", "KERNEL_QUANTIZATION_WEYL",
           "KERNEL_TNN_REFRESH", "KERNEL_TNN_UNBIASED", "KERNEL_EARLY_STOPPING", "KERNEL_RATE_SLOPE",
           "KERNEL_BBM"]

RWY = ("Raskutti, Wainwright, Yu, JMLR 15 (2014), 'Early stopping and non-parametric regression', "
       "Thm. 1 (constants 2e and 12 as recalled, not checked against its text)")
NET = ("d", "n", "width", "seed")


def _compressed(p):
    (row,) = [r for r in protocols.kernel_compression(p["d"], p["n"], p["width"], p["seed"], kinds=[p["kind"]],
                                                      fractions=[p["fraction"]], n_fresh=p["n_fresh"])
              if r["kind"] != "none"]
    return row


def spectrum_sides(row) -> tuple:
    r"""``(bound, Measurement)`` of ``kernels.compression_lowers_spectrum`` from a compression row:
    0 against :math:`\max_i \lambda_i(K_S/n) - \lambda_i(K/n)` over the initial and trained
    weights, its SE the floating-point error bound :math:`n u \hat\lambda_1` of the eigensolver."""
    inc = max(row["max_eig_increase_init"], row["max_eig_increase_trained"])
    return 0.0, Measurement(inc, max(row["roundoff_init"], row["roundoff_trained"]))


def _spectrum(p, rng):
    return spectrum_sides(_compressed(p))


KERNEL_COMPRESSION_SPECTRUM = register(Claim(
    id="kernels.compression_lowers_spectrum",
    reference="Weyl's monotonicity theorem applied to K_S = K − J_{S^c}J_{S^c}ᵀ [derived]",
    statement="pruning neurons / freezing parameters: λ_i(K_S) ≤ λ_i(K) for every i "
              "(max_i λ_i(K_S/n) − λ_i(K/n) ≤ 0, up to the eigensolver's error n·u·λ̂_1)",
    params=NET + ("kind", "fraction"),
    defaults={"n_fresh": 1000},
    evaluate=_spectrum,
))


def _radius(p, rng):
    row = _compressed(p)
    return row["eps_trained"], Measurement(row["eps_trained_after"])


KERNEL_COMPRESSION_RADIUS = register(Claim(
    id="kernels.compression_lowers_critical_radius",
    reference="RWY critical radius is monotone in each eigenvalue; K_S ≼ K [derived]",
    statement="ε̂_n(K_S) ≤ ε̂_n(K) for pruned neurons or frozen parameters (trained weights)",
    params=NET + ("kind", "fraction"),
    defaults={"n_fresh": 1000},
    evaluate=_radius,
))


def weyl_sides(row) -> tuple:
    r"""``(bound, Measurement)`` of ``kernels.quantization_weyl`` from a quantization row:
    :math:`\|K_q - K\|_2/n` plus the eigensolvers' error bound, against
    :math:`\max_i |\lambda_i(K_q/n) - \lambda_i(K/n)|`."""
    return row["weyl_bound"] + row["weyl_roundoff"], Measurement(row["weyl_shift"])


def _weyl(p, rng):
    (row,) = [r for r in protocols.kernel_compression(p["d"], p["n"], p["width"], p["seed"], kinds=[p["kind"]],
                                                      bits=[p["bits"]], n_fresh=p["n_fresh"])
              if r["kind"] != "none"]
    return weyl_sides(row)


KERNEL_QUANTIZATION_WEYL = register(Claim(
    id="kernels.quantization_weyl",
    reference="Weyl's inequality for Hermitian matrices (Weyl 1912; Horn & Johnson, Matrix Analysis, Cor. 4.3.15)",
    statement="quantized first layer: max_i |λ_i(K_q) − λ_i(K)| ≤ ‖K_q − K‖₂",
    params=NET + ("kind", "bits"),
    defaults={"n_fresh": 1000},
    evaluate=_weyl,
))


def _tnn(p):
    return protocols.tnn_surrogate_check(p["task"], p["seed"], rank=p["rank"], batch_size=p["batch_size"],
                                         draws=p["draws"], n_train=p["n_train"])


TNN_PARAMS = ("task", "seed", "rank", "batch_size", "draws", "n_train")


def _tnn_refresh(p, rng):
    r = _tnn(p)
    return r["exact"], Measurement(r["refresh"])


KERNEL_TNN_REFRESH = register(Claim(
    id="kernels.tnn_surrogate_at_refresh",
    reference="Goel et al., NeurIPS 2024 (separable surrogate); σ_j = u_jᵀFv_j for the SVD F = UΣVᵀ [std]",
    statement="Σ_{j>r} Σ_i U_ij⟨F_i, v_j⟩ = Σ_{j>r} σ_j(F) at the refresh point (V = Vhᵀ)",
    params=TNN_PARAMS,
    evaluate=_tnn_refresh,
    relation="==",
))


def _tnn_unbiased(p, rng):
    r = _tnn(p)
    return r["exact"], Measurement(r["minibatch_mean"], r["minibatch_se"])


KERNEL_TNN_UNBIASED = register(Claim(
    id="kernels.tnn_surrogate_unbiased",
    reference="Goel et al., NeurIPS 2024 (minibatch surrogate); uniform sampling without replacement [std]",
    statement="E_B[(n/B) Σ_{i∈B} Σ_{j>r} U_ij⟨F_i, v_j⟩] = Σ_{j>r} σ_j(F) (Monte Carlo over batches)",
    params=TNN_PARAMS,
    evaluate=_tnn_unbiased,
    relation="==",
))


def _rates(p):
    return protocols.kernel_rates(p["d"], p["n"], p["width"], p["seed"], n_fresh=p["n_fresh"])


def _early(p, rng):
    r = _rates(p)
    return 12.0 * r["eps_n2"], Measurement(r["kgd_insample"])


KERNEL_EARLY_STOPPING = register(Claim(
    id="kernels.early_stopping",
    reference=RWY,
    statement="kernel GD stopped at T̂: ‖f_T̂ − f*‖²_n ≤ 12 ε̂_n² (w.h.p.; sup k ≤ 1, ‖f*‖_H ≤ 1, α ≤ min(1, 1/λ̂_1))",
    params=NET,
    defaults={"n_fresh": 1000},
    evaluate=_early,
    must_hold=False,
))


def _slope(p, rng):
    rows = [protocols.kernel_rates(p["d"], n, p["width"], s, n_fresh=p["n_fresh"])
            for n in p["ns"] for s in range(p["seeds"])]
    f = protocols.rate_slope(rows, p["d"])
    return 0.1, Measurement(abs(f["slope"] - f["theory"]))


KERNEL_RATE_SLOPE = register(Claim(
    id="kernels.rate_slope",
    reference="Yang, ICML 2025 (two-layer nets on S^{d−1} by GD with early stopping: ε_n² ≍ n^{−d/(2d−1)}, "
              "from λ_j ≍ j^{−d/(d−1)}); " + RWY,
    statement="|fitted slope of log ε̂_n² against log n − (−d/(2d−1))| ≤ 0.1",
    params=("d", "ns", "width", "seeds"),
    defaults={"n_fresh": 1000},
    evaluate=_slope,
    must_hold=False,
))


def _bbm(p, rng):
    r = _rates(p)
    return r["bbm_bound"], Measurement(r["kgd_risk"], r["kgd_risk_se"])


KERNEL_BBM = register(Claim(
    id="kernels.bbm_bound",
    reference="Bartlett, Bousquet, Mendelson, Ann. Statist. 33 (2005), kernel classes (form and constants "
              "704, 11, 26 as recalled, not checked; theory.kernels.bbm_excess_risk_bound)",
    statement="excess risk ≤ 704 r̂* + 37 log(1/δ)/n, r̂* = min_h (h/n + √(Σ_{j>h} λ̂_j / n)) (reported, not enforced)",
    params=NET,
    defaults={"n_fresh": 1000},
    evaluate=_bbm,
    must_hold=False,
))
