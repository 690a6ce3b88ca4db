"""Claims of Gaussian mean estimation and of the Gibbs algorithm (Aminian et al., NeurIPS 2021).

Parameters: ``n, reps`` and optionally ``d`` (1), ``sigma2`` (1.0); the Gibbs claim also takes
``gamma`` and optionally ``prior_var`` (1.0). The Monte Carlo side is the testbeds' ``simulate``,
the call the experiment ``gaussian_mean_bounds`` makes.
"""

from __future__ import annotations

from ..claims import Claim, register
from ..testbeds.configs import gaussian_mean_model, gibbs_model

__all__ = ["GM_GEN", "GM_INDIVIDUAL", "GM_XU_RAGINSKY", "GIBBS_IDENTITY"]

GM_PARAMS = {"params": ("n", "reps"), "defaults": {"d": 1, "sigma2": 1.0}}
GIBBS_PARAMS = {"params": ("n", "gamma", "reps"), "defaults": {"d": 1, "sigma2": 1.0, "prior_var": 1.0}}


GM_GEN = register(Claim(
    id="gaussian_mean.generalization_error",
    **GM_PARAMS,
    reference="Gaussian mean estimation, closed form [derived here; checked by Monte Carlo in the tests]",
    statement="gen = 2σ²d/n (closed form = Monte Carlo)",
    bound=lambda p: gaussian_mean_model(p).generalization_error(),
    measure=lambda p, rng: gaussian_mean_model(p).simulate(p["reps"], rng),
    relation="==",
))

GM_INDIVIDUAL = register(Claim(
    id="gaussian_mean.individual_sample_bound",
    **GM_PARAMS,
    reference="Bu, Zou, Veeravalli, IEEE JSAIT 2020 (arXiv 1901.04609), main theorem, CGF form (numbering not checked)",
    statement="gen ≤ (1/n)Σ ψ*⁻¹(I(W;Z_i)), ψ the lower-tail CGF of c·χ²_d",
    bound=lambda p: gaussian_mean_model(p).individual_sample_bound(),
    measure=lambda p, rng: gaussian_mean_model(p).simulate(p["reps"], rng),
))

GM_XU_RAGINSKY = register(Claim(
    id="gaussian_mean.xu_raginsky",
    **GM_PARAMS,
    reference="Xu & Raginsky, NeurIPS 2017, Thm 1: I(S;W) = ∞ for the sample mean (vacuous)",
    statement="gen ≤ √(2σ²I(S;W)/n) = ∞",
    bound=lambda p: gaussian_mean_model(p).xu_raginsky_bound(),
    measure=lambda p, rng: gaussian_mean_model(p).simulate(p["reps"], rng),
    must_hold=False,
))


GIBBS_IDENTITY = register(Claim(
    id="gibbs.generalization_identity",
    **GIBBS_PARAMS,
    reference="Aminian, Bu, Toni, Rodrigues, Wornell, NeurIPS 2021, main theorem (numbering not checked)",
    statement="gen = I_SKL(W;S)/γ for the Gibbs algorithm (identity = Monte Carlo)",
    bound=lambda p: gibbs_model(p).symmetrized_kl_information() / p["gamma"],
    measure=lambda p, rng: gibbs_model(p).simulate(p["reps"], rng),
    relation="==",
))
