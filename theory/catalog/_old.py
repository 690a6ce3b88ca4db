"""The registered claims: each theorem of THEORY.md §1–5 paired with a measurement.

Importing this module fills :data:`theory.claims.REGISTRY`. Tests drive each claim with
hypothesis over its parameter space (:func:`theory.claims.check`); experiments sweep the same
claims and turn their results into rows with :func:`theory.claims.make_row`, so a claim's
statement and reference are written once, here.

Parameter dictionaries
----------------------
linear.*          ``d, n, noise_var, feature_eigs, prior_vars, rate, reps``
gaussian_mean.*   ``n, d, sigma2, reps``
gibbs.*           ``n, d, sigma2, gamma, prior_var, reps``
rd.bernoulli_*    ``p, beta``
"""

from __future__ import annotations

import math

from .claims import Claim, Measurement, register
from .rate_distortion import bernoulli_hamming_rate_distortion, blahut_arimoto
from .testbeds.gaussian_mean import GaussianMeanEstimation, GibbsGaussianMean
from .testbeds.linear import CompressedLinearRegression

__all__ = ["linear_model", "LINEAR_EMPIRICAL", "LINEAR_POPULATION", "LINEAR_GEN", "LINEAR_BOUND",
           "LINEAR_COMPRESSION_HELPS", "LINEAR_XU_RAGINSKY", "GM_GEN", "GM_INDIVIDUAL", "GM_XU_RAGINSKY",
           "GIBBS_IDENTITY", "RD_BERNOULLI"]

BU_AAAI = ("Bu, Gao, Zou, Veeravalli, AAAI 2020 (population-risk decomposition); "
           "testbed THEORY.md §4 [derived]")


def linear_model(p) -> CompressedLinearRegression:
    """The :class:`CompressedLinearRegression` described by a parameter dict."""
    return CompressedLinearRegression(p["d"], p["n"], p["noise_var"], p["feature_eigs"], p["prior_vars"])


def _linear_sim(p, rng):
    return linear_model(p).simulate(p["rate"], p["reps"], rng)


LINEAR_EMPIRICAL = register(Claim(
    id="linear.empirical_risk",
    reference=BU_AAAI,
    statement="E L_S(Ŵ) = σ²(1−d/n) + D(R) (closed form = Monte Carlo)",
    bound=lambda p: linear_model(p).empirical_risk(p["rate"]),
    measure=lambda p, rng: _linear_sim(p, rng).empirical_risk,
    relation="==",
))

LINEAR_POPULATION = register(Claim(
    id="linear.population_risk",
    reference=BU_AAAI,
    statement="E L_μ(Ŵ) = σ² + Σ[t_i λ_i τ_i² + (1−t_i)σ²/n] (closed form = Monte Carlo)",
    bound=lambda p: linear_model(p).population_risk(p["rate"]),
    measure=lambda p, rng: _linear_sim(p, rng).population_risk,
    relation="==",
))

LINEAR_GEN = register(Claim(
    id="linear.generalization_error",
    reference=BU_AAAI,
    statement="gen(Ŵ) = Σ(1−t_i)·2σ²/n (closed form = Monte Carlo)",
    bound=lambda p: linear_model(p).generalization_error(p["rate"]),
    measure=lambda p, rng: _linear_sim(p, rng).generalization_error,
    relation="==",
))

LINEAR_BOUND = register(Claim(
    id="linear.population_risk_bound",
    reference="Xu & Raginsky, NeurIPS 2017, Thm 1, with a lower-tail CGF condition; "
              "I(S;Ŵ) ≤ R by data processing (THEORY.md §2) [derived]",
    statement="E L_μ(Ŵ) ≤ E L_S(Ŵ) + c + √(c(2E L_S(Ŵ)+c−σ²)), c = 4σ²R/n",
    bound=lambda p: linear_model(p).population_risk_bound(p["rate"]),
    measure=lambda p, rng: _linear_sim(p, rng).population_risk,
))

LINEAR_COMPRESSION_HELPS = register(Claim(
    id="linear.compression_lowers_risk",
    reference="Bu, Gao, Zou, Veeravalli, AAAI 2020 (linear-regression example)",
    statement="E L_μ(Ŵ) at the optimal rate ≤ E L_μ(W) = σ²(1+d/n) (strictly when some SNR < 1)",
    bound=lambda p: linear_model(p).uncompressed_population_risk(),
    measure=lambda p, rng: linear_model(p).simulate(linear_model(p).optimal_rate().rate, p["reps"],
                                                    rng).population_risk,
))

LINEAR_XU_RAGINSKY = register(Claim(
    id="linear.xu_raginsky_uncompressed",
    reference="Xu & Raginsky, NeurIPS 2017, Thm 1: I(S;W) = ∞ for OLS (vacuous)",
    statement="gen(W) ≤ √(2σ²I(S;W)/n) = ∞",
    bound=lambda p: math.inf,
    measure=lambda p, rng: _linear_sim({**p, "rate": math.inf}, rng).uncompressed_generalization_error,
    must_hold=False,
))


def _gm(p) -> GaussianMeanEstimation:
    return GaussianMeanEstimation(p["n"], p.get("d", 1), p.get("sigma2", 1.0))


GM_GEN = register(Claim(
    id="gaussian_mean.generalization_error",
    reference="Gaussian mean estimation, THEORY.md §5 [derived]",
    statement="gen = 2σ²d/n (closed form = Monte Carlo)",
    bound=lambda p: _gm(p).generalization_error(),
    measure=lambda p, rng: _gm(p).simulate(p["reps"], rng),
    relation="==",
))

GM_INDIVIDUAL = register(Claim(
    id="gaussian_mean.individual_sample_bound",
    reference="Bu, Zou, Veeravalli, IEEE JSAIT 2020 (arXiv 1901.04609), main theorem, CGF form (numbering not checked)",
    statement="gen ≤ (1/n)Σ ψ*⁻¹(I(W;Z_i)), ψ the lower-tail CGF of c·χ²_d",
    bound=lambda p: _gm(p).individual_sample_bound(),
    measure=lambda p, rng: _gm(p).simulate(p["reps"], rng),
))

GM_XU_RAGINSKY = register(Claim(
    id="gaussian_mean.xu_raginsky",
    reference="Xu & Raginsky, NeurIPS 2017, Thm 1: I(S;W) = ∞ for the sample mean (vacuous)",
    statement="gen ≤ √(2σ²I(S;W)/n) = ∞",
    bound=lambda p: _gm(p).xu_raginsky_bound(),
    measure=lambda p, rng: _gm(p).simulate(p["reps"], rng),
    must_hold=False,
))


def _gibbs(p) -> GibbsGaussianMean:
    return GibbsGaussianMean(p["n"], p["gamma"], d=p.get("d", 1), sigma2=p.get("sigma2", 1.0),
                             prior_var=p.get("prior_var", 1.0))


GIBBS_IDENTITY = register(Claim(
    id="gibbs.generalization_identity",
    reference="Aminian, Bu, Toni, Rodrigues, Wornell, NeurIPS 2021, main theorem (numbering not checked)",
    statement="gen = I_SKL(W;S)/γ for the Gibbs algorithm (identity = Monte Carlo)",
    bound=lambda p: _gibbs(p).symmetrized_kl_information() / p["gamma"],
    measure=lambda p, rng: _gibbs(p).simulate(p["reps"], rng),
    relation="==",
))


def _ba_bernoulli(p):
    import numpy as np

    px = np.array([1 - p["p"], p["p"]])
    return blahut_arimoto(px, 1.0 - np.eye(2), p["beta"])


def _bernoulli_measure(p, rng):
    # The certified bracket [rate_lower, rate_upper] as a measurement: midpoint ± half-gap,
    # expressed as 3 "standard errors" so that `holds` means truth ∈ bracket.
    res = _ba_bernoulli(p)
    return Measurement((res.rate_lower + res.rate_upper) / 2, max(res.gap, 0.0) / 6)


RD_BERNOULLI = register(Claim(
    id="rd.blahut_arimoto_bernoulli",
    reference="Blahut, IEEE Trans. IT 1972; Cover & Thomas 2006, §10.3.1 and §10.8",
    statement="h(p) − h(D) ∈ [R_lower, R_upper], BA's certified bracket at its distortion D",
    bound=lambda p: bernoulli_hamming_rate_distortion(p["p"], _ba_bernoulli(p).distortion),
    measure=_bernoulli_measure,
    relation="==",
))
