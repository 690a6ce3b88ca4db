"""Gaussian mean estimation: the true generalization error against the information-theoretic bounds, over n.

W = sample mean of n i.i.d. N(m, σ²I_d) points, squared loss. The true gen is 2σ²d/n (closed form
and Monte Carlo). Xu–Raginsky needs I(S;W), which is infinite for this deterministic estimator:
the bound is vacuous. The individual-sample bound of Bu, Zou, Veeravalli (JSAIT 2020) needs only
I(W;Z_i) = (d/2)log(n/(n−1)) and, through the lower-tail CGF of the loss (squared loss is not
sub-Gaussian), is finite but decays as O(1/√n) against the true O(1/n): its slack grows as √n.
For the Gibbs posterior the identity gen = I_SKL(W;S)/γ (Aminian et al., NeurIPS 2021) is exact.
"""

from __future__ import annotations

import numpy as np

from theory import catalog
from theory.claims import make_row
from theory.testbeds.configs import gaussian_mean_model, gibbs_model
from theory.testbeds.gaussian_mean import GaussianMeanEstimation, GibbsGaussianMean

from . import _style

NAME = "gaussian_mean_bounds"
ORDER = 11  # position in `python -m experiments list` and the claims table
VERSION = 1
CLAIMS = (catalog.GM_GEN, catalog.GM_INDIVIDUAL, catalog.GM_XU_RAGINSKY, catalog.GIBBS_IDENTITY)  # the claims this experiment emits

SETTING = {"d": 1, "sigma2": 1.0, "gamma": 1.0, "prior_var": 1.0}
PROFILES = {
    "smoke": {"ns": [2, 10, 50], "reps": 2000},
    "quick": {"ns": [2, 3, 5, 10, 20, 50, 100, 200, 500, 1000], "reps": 20000},
    "full": {"ns": [int(x) for x in np.unique(np.geomspace(2, 5000, 25).round())], "reps": 100000},
}


def grid(profile):
    # The Monte Carlo gen has relative standard error ~ sqrt(n / (2 reps)): scale reps with n
    # (up to 10x) so that the points stay readable on log axes at large n.
    p = PROFILES[profile]
    # Each rep samples n*d normals twice (plain and Gibbs); keep reps*n <= 1e9 per config.
    return [{**SETTING, "n": int(n),
             "reps": int(min(p["reps"] * min(10.0, max(1.0, n / 50)), 1e9 / n)),
             "seed": 2000 + i} for i, n in enumerate(p["ns"])]


def run(config):
    n = config["n"]
    rng = np.random.default_rng(config["seed"])
    gm = gaussian_mean_model(config)
    gibbs = gibbs_model(config)
    mc = gm.simulate(config["reps"], rng)
    mc_gibbs = gibbs.simulate(config["reps"], rng)
    return {
        "n": n,
        "gen_true": gm.generalization_error(),
        "gen_mc": mc.value, "gen_mc_se": mc.se,
        "mi_individual": gm.mutual_information_individual(),
        "bound_individual": gm.individual_sample_bound(),
        "bound_individual_asymptotic": gm.individual_sample_bound_asymptotic(),
        "bound_xu_raginsky": gm.xu_raginsky_bound(),
        "gibbs_gen": gibbs.generalization_error(),
        "gibbs_iskl_over_gamma": gibbs.symmetrized_kl_information() / config["gamma"],
        "gibbs_gen_mc": mc_gibbs.value, "gibbs_gen_mc_se": mc_gibbs.se,
    }


def plot(rows, out_dir):
    rows = sorted(rows, key=lambda r: r["n"])
    n = np.array([r["n"] for r in rows], dtype=float)
    C = _style.COLORS
    s = rows[0]
    fine = np.unique(np.geomspace(n.min(), n.max(), 200).round()).astype(int)
    fine = fine[fine >= 2]
    gms = [GaussianMeanEstimation(int(k), d=s["d"], sigma2=s["sigma2"]) for k in fine]
    gen_f = np.array([g.generalization_error() for g in gms])
    ind_f = np.array([g.individual_sample_bound() for g in gms])
    asym_f = np.array([g.individual_sample_bound_asymptotic() for g in gms])
    gib_f = np.array([GibbsGaussianMean(int(k), s["gamma"], d=s["d"], sigma2=s["sigma2"],
                                        prior_var=s["prior_var"]).generalization_error() for k in fine])
    with _style.style():
        fig, (ax, ax2) = _style.figure(ncols=2, height=3.3)
        ax.loglog(fine, ind_f, color=C["bound"], label="individual-sample bound (CGF)")
        ax.loglog(fine, asym_f, color=C["bound"], ls=":", lw=1, label=r"$\sigma^2 d\sqrt{2/n}$")
        ax.loglog(fine, gen_f, color=C["gen"], label=r"true gen $=2\sigma^2 d/n$")
        ax.errorbar(n, [r["gen_mc"] for r in rows], yerr=[3 * r["gen_mc_se"] for r in rows], fmt="o",
                    ms=3, mfc="white", color=C["gen"], label="Monte Carlo (±3 SE)")
        ax.loglog(fine, gib_f, color=C["alt"], label=rf"Gibbs gen ($\gamma={s['gamma']:g}$)")
        ax.plot(n, [r["gibbs_iskl_over_gamma"] for r in rows], "x", color=C["alt"], ms=5,
                label=r"$I_{SKL}(W;S)/\gamma$")
        ax.errorbar(n, [r["gibbs_gen_mc"] for r in rows], yerr=[3 * r["gibbs_gen_mc_se"] for r in rows],
                    fmt="s", ms=2.5, mfc="white", color=C["alt"])
        ax.annotate("Xu–Raginsky: $I(S;W)=\\infty$, vacuous", xy=(0.5, 0.985), xycoords="axes fraction",
                    ha="center", va="top", fontsize=7.5, color=C["reference"])
        ax.set_xlabel("$n$")
        ax.set_ylabel("generalization error")
        ax.set_title("Gaussian mean, squared loss")
        # below the panels: inside, it would cover the curves
        fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncol=3,
                   columnspacing=1.2)
        ratio = np.array([r["bound_individual"] / r["gen_true"] for r in rows])
        ax2.loglog(n, ratio, "o-", color=C["bound"], ms=3, label="bound / true gen")
        ref = ratio[-1] * np.sqrt(n / n[-1])
        ax2.loglog(n, ref, ":", color=C["reference"], lw=1, label=r"$\propto\sqrt{n}$")
        ax2.set_xlabel("$n$")
        ax2.set_ylabel("slack (bound / true)")
        ax2.set_title(r"$O(1/\sqrt{n})$ bound vs $O(1/n)$ truth")
        ax2.legend(loc="upper left")
        _style.save(fig, out_dir, NAME)


def claims(rows):
    out = []
    for r in sorted(rows, key=lambda r: r["n"]):
        setting = {"n": r["n"], "d": r["d"], "sigma2": r["sigma2"], "reps": r["reps"], "seed": r["seed"]}
        out.append(make_row(catalog.GM_GEN, setting, r["gen_true"], r["gen_mc"], r["gen_mc_se"]))
        out.append(make_row(catalog.GM_INDIVIDUAL, setting, r["bound_individual"], r["gen_mc"], r["gen_mc_se"]))
        out.append(make_row(catalog.GM_XU_RAGINSKY, setting, r["bound_xu_raginsky"], r["gen_mc"],
                            r["gen_mc_se"]))
        gsetting = {**setting, "gamma": r["gamma"], "prior_var": r["prior_var"]}
        out.append(make_row(catalog.GIBBS_IDENTITY, gsetting, r["gibbs_iskl_over_gamma"], r["gibbs_gen_mc"],
                            r["gibbs_gen_mc_se"]))
    return out


