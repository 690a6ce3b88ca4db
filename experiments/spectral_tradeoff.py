"""Spectral pruning: population risk of the compressed teacher–student net against the kept width, with the bound.

A student MLP (two hidden layers of 64) is trained on n noisy teacher–student samples, then both
hidden layers are pruned to width w by greedy spectral pruning (Suzuki et al., IJCAI 2020); the
pruned net's population risk is measured on 20 000 fresh samples. The bias–variance bound
(√L̂_S(f) + Σ_ℓ Lip_ℓ√e_ℓ)² + √((Σ_ℓ(m♯_ℓ+1)m♯_{ℓ+1} log n + log 1/δ)/n) falls with w through its
bias term and rises through its variance term: the compression-induced tradeoff. The θ ablation
compares input-aware (θ = 1), mixed (θ = 0.5) and output-aware (θ = 0) selection with random and
magnitude selection at equal width (all with the optimal reconstruction Â_J).
"""

from __future__ import annotations

import math

import numpy as np

from theory import catalog
from theory.claims import make_row
from theory.testbeds import protocols

from . import _style

NAME = "spectral_tradeoff"
ORDER = 31
VERSION = 1
USES_DEVICE = True
CLAIMS = (catalog.SPECTRAL_OUTPUT_DISTORTION, catalog.SPECTRAL_GENERALIZATION)  # the claims this experiment emits

MAIN_THETA = 0.5
PROFILES = {
    "smoke": {"seeds": [0], "hidden": [24, 24], "n": 300, "epochs": 20, "widths": [3, 8, 24],
              "thetas": [1.0, 0.5], "baselines": ["random"], "n_fresh": 4000},
    "quick": {"seeds": [0, 1], "hidden": [64, 64], "n": 1000, "epochs": 150,
              "widths": [2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64], "thetas": [1.0, 0.5, 0.0],
              "baselines": ["random", "magnitude"], "n_fresh": 20000},
    "full": {"seeds": [0, 1, 2, 3, 4], "hidden": [128, 128], "n": 2000, "epochs": 400,
             "widths": [2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128], "thetas": [1.0, 0.75, 0.5, 0.25, 0.0],
             "baselines": ["random", "magnitude"], "n_fresh": 100000},
}
DELTA = 0.05


def grid(profile):
    p = PROFILES[profile]
    return [{"seed": s, "hidden": p["hidden"], "n": p["n"], "epochs": p["epochs"], "widths": p["widths"],
             "thetas": p["thetas"], "baselines": p["baselines"], "n_fresh": p["n_fresh"], "delta": DELTA}
            for s in p["seeds"]]


def run(config):
    import torch

    torch.set_num_threads(1)
    variants = [("greedy", th) for th in config["thetas"]] + [(b, 1.0) for b in config["baselines"]]
    return protocols.spectral_tradeoff(config["hidden"], config["n"], config["epochs"], int(config["seed"]),
                                       config["widths"], variants, config["n_fresh"], config["delta"],
                                       device=config.get("device", "cpu"))


def _curve(rows, key, **match):
    sel = [r for r in rows if all(r[k] == v for k, v in match.items())]
    ws = sorted({r["width"] for r in sel})
    y = np.array([np.mean([r[key] for r in sel if r["width"] == w]) for w in ws])
    return np.array(ws), y


def plot(rows, out_dir):
    import matplotlib.ticker as mticker

    C = _style.COLORS
    main = [r for r in rows if r["method"] == "greedy" and r["theta"] == MAIN_THETA] or \
        [r for r in rows if r["method"] == "greedy"]
    th0 = main[0]["theta"]
    with _style.style():
        fig, (ax, ax2) = _style.figure(ncols=2, height=4.0)
        w, pop = _curve(main, "population_risk", theta=th0)
        _, se = _curve(main, "population_risk_se", theta=th0)
        _, tr = _curve(main, "train_risk", theta=th0)
        _, bd = _curve(main, "bound", theta=th0)
        _, bias = _curve(main, "bound_bias", theta=th0)
        _, var = _curve(main, "bound_variance", theta=th0)
        trf = np.mean([r["train_risk_full"] for r in main])
        popf = np.mean([r["population_risk_full"] for r in main])
        ax.errorbar(w, pop, yerr=3 * se, fmt="o-", ms=3, color=C["population"], label=r"$L_\mu(f^\sharp)$ (fresh)")
        ax.plot(w, tr, "o-", ms=3, color=C["empirical"], label=r"$\hat L_S(f^\sharp)$ training")
        ax.plot(w, bd, ls="--", color=C["bound"], label="bound = bias + variance")
        ax.plot(w, (math.sqrt(trf) + bias) ** 2, ls=":", color=C["bound"],
                label=r"bias $(\sqrt{\hat L_S(f)}+\sum\mathrm{Lip}\sqrt{e})^2$")
        ax.plot(w, var, ls="-.", color=C["bound"], lw=1, label="variance")
        ax.axhline(popf, color=C["population"], lw=0.8, ls=":")
        ax.axhline(main[0]["bayes_risk"], color=C["reference"], lw=0.8)
        # labels under their lines at the left, where no curve runs
        ax.annotate("unpruned $L_\\mu(f)$", (0, popf), xycoords=("axes fraction", "data"), xytext=(3, -2),
                    textcoords="offset points", ha="left", va="top", fontsize=7.5, color=C["population"])
        ax.annotate("Bayes risk", (0, main[0]["bayes_risk"]), xycoords=("axes fraction", "data"),
                    xytext=(3, -2), textcoords="offset points", ha="left", va="top", fontsize=7.5,
                    color=C["reference"])
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(f"greedy spectral pruning, $\\theta={th0:g}$")
        ax.set_xlabel("kept width $w$ per hidden layer")
        ax.set_ylabel("risk (squared error)")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=1)

        colors = [C["empirical"], C["gen"], C["alt2"], C["alt"], C["reference"], C["bound"]]
        variants = []
        for r in rows:
            key = (r["method"], r["theta"])
            if key not in variants:
                variants.append(key)
        for (meth, th), col in zip(variants, colors):
            ww, p = _curve(rows, "population_risk", method=meth, theta=th)
            lab = {1.0: "input-aware", 0.0: "output-aware"}.get(th, "mixed")
            lab = f"greedy $\\theta={th:g}$ ({lab})" if meth == "greedy" else {"random": "random",
                                                                             "magnitude": "magnitude"}[meth]
            ax2.plot(ww, p, "o-" if meth == "greedy" else "s--", ms=3, color=col, label=lab)
        ax2.axhline(popf, color=C["population"], lw=0.8, ls=":", label="unpruned $L_\\mu(f)$")
        ax2.set_xscale("log")
        ax2.set_yscale("log")
        ax2.set_xlabel("kept width $w$ per hidden layer")
        ax2.set_ylabel(r"$L_\mu(f^\sharp)$")
        ax2.set_title(r"$\theta$ ablation and baselines")
        ax2.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=1)
        for a in (ax, ax2):
            ticks = [t for t in (2, 4, 8, 16, 32, 64, 128) if w[0] <= t <= w[-1]]
            a.xaxis.set_major_locator(mticker.FixedLocator(ticks))
            a.xaxis.set_major_formatter(mticker.FixedFormatter([str(t) for t in ticks]))
            a.xaxis.set_minor_formatter(mticker.NullFormatter())
        _style.save(fig, out_dir, NAME)


def claims(rows):
    out = []
    for r in rows:
        setting = {"method": r["method"], "theta": r["theta"], "width": r["width"], "n": r["n"], "seed": r["seed"]}
        bound, measured = protocols.spectral_distortion_sides(r)
        out.append(make_row(catalog.SPECTRAL_OUTPUT_DISTORTION, setting, bound, measured))
        if r["method"] == "greedy" and r["theta"] == MAIN_THETA:
            out.append(make_row(catalog.SPECTRAL_GENERALIZATION, {**setting, "n_params": r["n_params"]}, r["bound"],
                                r["population_risk"], r["population_risk_se"],
                                extra={"bias": r["bound_bias"], "variance": r["bound_variance"]}))
    return out
