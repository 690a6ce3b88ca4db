"""Claims of the compressed linear-regression testbed (Bu, Gao, Zou, Veeravalli, AAAI 2020).

Parameters: ``d, n, noise_var, feature_eigs, prior_vars`` (the model), ``rate`` (nats; ``inf`` is
OLS) and ``reps`` (Monte Carlo repetitions). The Monte Carlo side is
:meth:`theory.testbeds.linear.CompressedLinearRegression.simulate`, the call the experiment
``linear_tradeoff`` makes.
"""

from __future__ import annotations

import math

from ..claims import Claim, register
from ..testbeds.configs import linear_model

__all__ = ["linear_model", "LINEAR_EMPIRICAL", "LINEAR_POPULATION", "LINEAR_GEN", "LINEAR_BOUND",
           "LINEAR_COMPRESSION_HELPS", "LINEAR_XU_RAGINSKY"]

MODEL_PARAMS = ("d", "n", "noise_var", "feature_eigs", "prior_vars")

BU_AAAI = ("Bu, Gao, Zou, Veeravalli, AAAI 2020 (population-risk decomposition); "
           "testbed: a reconstruction of the paper's linear example, its exact parameters are not "
           "published [closed forms derived here; checked by Monte Carlo in the tests]")


def _linear_sim(p, rng):
    return linear_model(p).simulate(p["rate"], p["reps"], rng)


LINEAR_EMPIRICAL = register(Claim(
    id="linear.empirical_risk",
    reference=BU_AAAI,
    params=MODEL_PARAMS + ("rate", "reps"),
    statement="E L_S(Ŵ) = σ²(1−d/n) + D(R) (closed form = Monte Carlo)",
    bound=lambda p: linear_model(p).empirical_risk(p["rate"]),
    measure=lambda p, rng: _linear_sim(p, rng).empirical_risk,
    relation="==",
))

LINEAR_POPULATION = register(Claim(
    id="linear.population_risk",
    reference=BU_AAAI,
    params=MODEL_PARAMS + ("rate", "reps"),
    statement="E L_μ(Ŵ) = σ² + Σ[t_i λ_i τ_i² + (1−t_i)σ²/n] (closed form = Monte Carlo)",
    bound=lambda p: linear_model(p).population_risk(p["rate"]),
    measure=lambda p, rng: _linear_sim(p, rng).population_risk,
    relation="==",
))

LINEAR_GEN = register(Claim(
    id="linear.generalization_error",
    reference=BU_AAAI,
    params=MODEL_PARAMS + ("rate", "reps"),
    statement="gen(Ŵ) = Σ(1−t_i)·2σ²/n (closed form = Monte Carlo)",
    bound=lambda p: linear_model(p).generalization_error(p["rate"]),
    measure=lambda p, rng: _linear_sim(p, rng).generalization_error,
    relation="==",
))

LINEAR_BOUND = register(Claim(
    id="linear.population_risk_bound",
    params=MODEL_PARAMS + ("rate", "reps"),
    reference="Xu & Raginsky, NeurIPS 2017, Thm 1, with a lower-tail CGF condition; "
              "I(S;Ŵ) ≤ R by data processing [combination derived here]",
    statement="E L_μ(Ŵ) ≤ E L_S(Ŵ) + c + √(c(2E L_S(Ŵ)+c−σ²)), c = 4σ²R/n",
    bound=lambda p: linear_model(p).population_risk_bound(p["rate"]),
    measure=lambda p, rng: _linear_sim(p, rng).population_risk,
))

LINEAR_COMPRESSION_HELPS = register(Claim(
    id="linear.compression_lowers_risk",
    reference="Bu, Gao, Zou, Veeravalli, AAAI 2020 (linear-regression example)",
    params=MODEL_PARAMS + ("reps",),
    statement="E L_μ(Ŵ) at the optimal rate ≤ E L_μ(W) = σ²(1+d/n) (strictly iff Σ(s_i−1)/(s_i+1) < 0)",
    bound=lambda p: linear_model(p).uncompressed_population_risk(),
    measure=lambda p, rng: linear_model(p).simulate(linear_model(p).optimal_rate().rate, p["reps"],
                                                    rng).population_risk,
))

LINEAR_XU_RAGINSKY = register(Claim(
    id="linear.xu_raginsky_uncompressed",
    reference="Xu & Raginsky, NeurIPS 2017, Thm 1: I(S;W) = ∞ for OLS (vacuous)",
    params=MODEL_PARAMS + ("reps",),
    statement="gen(W) ≤ √(2σ²I(S;W)/n) = ∞",
    bound=lambda p: math.inf,
    measure=lambda p, rng: _linear_sim({**p, "rate": math.inf}, rng).uncompressed_generalization_error,
    must_hold=False,
))
