"""Compressed linear regression: empirical risk, generalization error and population risk against the rate.

Bu, Gao, Zou, Veeravalli (AAAI 2020): E L_μ(Ŵ) = E L_S(W) + D(R) + gen(Ŵ). Compression raises the
empirical risk by the distortion D(R) and lowers the generalization error; with a spectrum whose
per-coordinate SNRs n λ_i τ_i²/σ² straddle 1, the population risk is minimized at an interior
rate R* < ∞ (the uncompressed OLS estimator is R = ∞) whenever Σ (s_i−1)/(s_i+1) < 0. Closed forms (theory.testbeds.linear) are
drawn as curves, Monte Carlo (data sampled, OLS fitted, compressed through the test channel) as
points with 3-standard-error bars, and the information-theoretic bound on E L_μ(Ŵ) — Xu–Raginsky
with a lower-tail CGF condition, since the squared loss is not sub-Gaussian — as a dashed curve.
"""

from __future__ import annotations

import math

import numpy as np

from theory import catalog
from theory.testbeds import configs
from theory.claims import make_row

from . import _style

NAME = "linear_tradeoff"
ORDER = 10  # position in `python -m experiments list` and the claims table
VERSION = 1
CLAIMS = (catalog.LINEAR_EMPIRICAL, catalog.LINEAR_POPULATION, catalog.LINEAR_GEN, catalog.LINEAR_BOUND,
          catalog.LINEAR_COMPRESSION_HELPS, catalog.LINEAR_XU_RAGINSKY)  # the claims this experiment emits

MODEL = configs.LINEAR_TRADEOFF

PROFILES = {
    "smoke": {"n_rates": 3, "reps": 300},
    "quick": {"n_rates": 12, "reps": 4000},
    "full": {"n_rates": 30, "reps": 40000},
}


def _model(cfg=None):
    return configs.linear_model(cfg or MODEL)


def rate_range(model) -> float:
    """A rate large enough that the risks are within a few percent of OLS (water level v_min/4)."""
    v = model.whitened_variances
    theta = float(v.min()) / 4
    return float(np.sum(0.5 * np.log(v / theta)))


def grid(profile):
    p = PROFILES[profile]
    model = _model()
    r_max = rate_range(model)
    rates = [(float(r), "grid") for r in np.linspace(0.0, r_max, p["n_rates"])]
    rates.append((model.optimal_rate().rate, "optimal"))
    rates.append((math.inf, "uncompressed"))
    return [{**MODEL, "rate": r, "role": role, "reps": p["reps"], "seed": 1000 + i}
            for i, (r, role) in enumerate(rates)]


def run(config):
    model = _model(config)
    rate = float(config["rate"])
    sim = model.simulate(rate, config["reps"], rng=config["seed"])
    row = {"rate": rate, "role": config["role"]}
    for key in ("empirical_risk", "population_risk", "generalization_error", "distortion",
                "uncompressed_empirical_risk", "uncompressed_population_risk",
                "uncompressed_generalization_error"):
        m = getattr(sim, key)
        row[f"mc_{key}"] = m.value
        row[f"mc_{key}_se"] = m.se
    row["cf_empirical_risk"] = model.empirical_risk(rate)
    row["cf_population_risk"] = model.population_risk(rate)
    row["cf_generalization_error"] = model.generalization_error(rate)
    row["cf_distortion"] = model.distortion(rate)
    row["bound_population_risk"] = model.population_risk_bound(rate)
    cmi = model.conditional_mutual_information(rate)
    row["conditional_mi"] = cmi
    row["bound_population_risk_cmi"] = model.population_risk_bound(rate, mi=cmi)
    return row


def plot(rows, out_dir):
    model = _model()
    r_max = rate_range(model)
    fine = np.linspace(0.0, r_max, 300)
    emp, pop, gen = model.empirical_risk(fine), model.population_risk(fine), model.generalization_error(fine)
    dist = model.distortion(fine)
    bound = model.population_risk_bound(fine)
    bound_cmi = model.population_risk_bound(fine, mi=model.conditional_mutual_information(fine))
    opt = model.optimal_rate()
    C = _style.COLORS
    pts = [r for r in rows if math.isfinite(r["rate"])]
    pts.sort(key=lambda r: r["rate"])
    x = np.array([r["rate"] for r in pts])

    with _style.style():
        fig, (ax, ax2) = _style.figure(ncols=2, height=3.3)
        ax.plot(fine, pop, color=C["population"], label=r"$\mathbb{E}L_\mu(\hat W)$ population")
        ax.plot(fine, emp, color=C["empirical"], label=r"$\mathbb{E}L_S(\hat W)$ empirical")
        ax.plot(fine, gen, color=C["gen"], label=r"gen$(\hat W)$")
        ax.plot(fine, bound, color=C["bound"], ls="--", label=r"bound, $I(S;\hat W)\leq R$")
        ax.plot(fine, bound_cmi, color=C["bound"], ls=":", label=r"bound, exact $I(S;\hat W|w^*)$")
        for key, col in (("population_risk", "population"), ("empirical_risk", "empirical"),
                         ("generalization_error", "gen")):
            ax.errorbar(x, [r[f"mc_{key}"] for r in pts], yerr=[3 * r[f"mc_{key}_se"] for r in pts],
                        fmt="o", ms=3, color=C[col], mfc="white", zorder=3)
        # OLS (R = inf) levels: thin dash-dot, a style used for nothing else in the figure
        ols_style = dict(ls=(0, (5, 2, 1, 2)), lw=0.9)
        ax.axhline(model.uncompressed_population_risk(), color=C["population"], **ols_style)
        ax.axhline(model.uncompressed_empirical_risk(), color=C["empirical"], **ols_style)
        ax.axhline(model.uncompressed_generalization_error(), color=C["gen"], **ols_style)
        ax.plot([], [], color=C["reference"], label="OLS levels ($R=\\infty$)", **ols_style)
        ax.axvline(opt.rate, color=C["reference"], lw=0.8)
        ax.annotate(f"$R^*={opt.rate:.2f}$ nats", (opt.rate, 0.02), xycoords=("data", "axes fraction"),
                    xytext=(4, 0), textcoords="offset points", fontsize=7.5, color=C["reference"])
        ax.set_ylim(0, 3.2)
        ax.set_xlabel("rate $R = I(S;\\hat W)$ [nats]")
        ax.set_ylabel("risk")
        ax.set_title("compressed OLS")

        # Right: the decomposition. Compression helps iff D(R) < gen(W) − gen(Ŵ).
        gen_drop = model.uncompressed_generalization_error() - gen
        ax2.plot(fine, dist, color=C["empirical"], label="distortion $D(R)$")
        ax2.plot(fine, gen_drop, color=C["gen"], label=r"gen$(W)-$gen$(\hat W)$")
        ax2.plot(fine, pop - model.uncompressed_population_risk(), color=C["population"],
                 label=r"$\mathbb{E}L_\mu(\hat W)-\mathbb{E}L_\mu(W)$")
        ax2.errorbar(x, [r["mc_population_risk"] - model.uncompressed_population_risk() for r in pts],
                     yerr=[3 * r["mc_population_risk_se"] for r in pts], fmt="o", ms=3,
                     color=C["population"], mfc="white", zorder=3)
        ax2.axhline(0, color="k", lw=0.6)
        ax2.axvline(opt.rate, color=C["reference"], lw=0.8)
        ax2.set_ylim(-0.3, 1.15)
        ax2.set_xlabel("rate $R$ [nats]")
        ax2.set_title("risk falls where $D(R)<$ gen drop")
        ax2.legend(loc="upper right")
        fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncol=3,
                   columnspacing=1.2, handlelength=1.8)
        _style.save(fig, out_dir, NAME)


def claims(rows):
    out = []
    for r in rows:
        setting = {"rate": round(r["rate"], 4) if math.isfinite(r["rate"]) else r["rate"],
                   "reps": r["reps"], "seed": r["seed"]}
        if r["role"] == "uncompressed":
            out.append(make_row(catalog.LINEAR_XU_RAGINSKY, setting, math.inf,
                                r["mc_uncompressed_generalization_error"],
                                r["mc_uncompressed_generalization_error_se"]))
            continue
        for claim, key in ((catalog.LINEAR_EMPIRICAL, "empirical_risk"),
                           (catalog.LINEAR_POPULATION, "population_risk"),
                           (catalog.LINEAR_GEN, "generalization_error")):
            out.append(make_row(claim, setting, r[f"cf_{key}"], r[f"mc_{key}"], r[f"mc_{key}_se"]))
        out.append(make_row(catalog.LINEAR_BOUND, setting, r["bound_population_risk"],
                            r["mc_population_risk"], r["mc_population_risk_se"]))
        if r["role"] == "optimal":
            out.append(make_row(catalog.LINEAR_COMPRESSION_HELPS, setting,
                                _model(r).uncompressed_population_risk(), r["mc_population_risk"],
                                r["mc_population_risk_se"]))
    return out
