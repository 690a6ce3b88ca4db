"""Spectral pruning under covariate shift: covariance from source or from target activations.

A student trained on the source inputs N(0, I) is deployed on shifted target inputs N(m·1, s²I)
(same teacher, so only the input law changes). Spectral pruning needs only unlabelled inputs, so
Σ̂ can be built from target activations, as Dillard, Shinya and Suzuki (arXiv:1912.11853)
propose: the pruned net then keeps the nodes that matter on the target. Greedy spectral pruning
(both hidden layers to width w) with Σ̂ from the source training inputs, from n_t unlabelled
target inputs, or from both, is evaluated by the population risk on fresh target samples, and on
fresh source samples to show what the target-aware choice costs on the source.
"""

from __future__ import annotations

import numpy as np

from theory import catalog
from theory.claims import make_row
from theory.testbeds import configs, protocols

from . import _style

NAME = "spectral_shift"
ORDER = 32
VERSION = 1
USES_DEVICE = True
CLAIMS = (catalog.SPECTRAL_OUTPUT_DISTORTION, catalog.SPECTRAL_TARGET_COVARIANCE)  # the claims this experiment emits

SHIFT = configs.SPECTRAL_SHIFT
THETA = 0.5
COVS = ("source", "target", "mixed")
PROFILES = {
    "smoke": {"seeds": [0], "hidden": [24, 24], "n": 300, "n_target": 300, "epochs": 20, "widths": [4, 12],
              "n_fresh": 4000},
    "quick": {"seeds": [0, 1], "hidden": [64, 64], "n": 1000, "n_target": 500, "epochs": 150,
              "widths": [2, 4, 6, 8, 12, 16, 24, 32, 48], "n_fresh": 20000},
    "full": {"seeds": [0, 1, 2, 3, 4], "hidden": [128, 128], "n": 2000, "n_target": 1000, "epochs": 400,
             "widths": [2, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96], "n_fresh": 100000},
}


def grid(profile):
    p = PROFILES[profile]
    return [{"seed": s, "hidden": p["hidden"], "n": p["n"], "n_target": p["n_target"], "epochs": p["epochs"],
             "widths": p["widths"], "n_fresh": p["n_fresh"], **SHIFT, "theta": THETA} for s in p["seeds"]]


def run(config):
    import torch

    torch.set_num_threads(1)
    return protocols.spectral_shift(config["hidden"], config["n"], config["n_target"], config["epochs"],
                                    int(config["seed"]), config["widths"], config["n_fresh"], config["input_mean"],
                                    config["input_scale"], config["theta"], covs=COVS,
                                    device=config.get("device", "cpu"))


def _curve(rows, key, cov):
    sel = [r for r in rows if r["cov"] == cov]
    ws = sorted({r["width"] for r in sel})
    return np.array(ws), np.array([np.mean([r[key] for r in sel if r["width"] == w]) for w in ws])


def _mean_se(rows, key, cov):
    """Standard error of the mean over seeds of independently measured values, per width."""
    sel = [r for r in rows if r["cov"] == cov]
    ws = sorted({r["width"] for r in sel})
    out = []
    for w in ws:
        ses = np.array([r[key] for r in sel if r["width"] == w])
        out.append(np.sqrt(np.sum(ses ** 2)) / ses.size)
    return np.array(out)


def plot(rows, out_dir):
    import matplotlib.ticker as mticker

    C = _style.COLORS
    col = {"source": C["empirical"], "target": C["population"], "mixed": C["gen"]}
    lab = {"source": r"$\hat\Sigma$ from source inputs", "target": r"$\hat\Sigma$ from target inputs",
           "mixed": r"$\hat\Sigma$ from both"}
    with _style.style():
        fig, axes = _style.figure(ncols=2, height=3.6)
        ax = axes[0]
        for cov in COVS:
            w, y = _curve(rows, "target_risk", cov)
            se = _mean_se(rows, "target_risk_se", cov)
            ax.errorbar(w, y, yerr=3 * se, fmt="o-", ms=3, color=col[cov], label=lab[cov])
        ax.axhline(np.mean([r["target_risk_full"] for r in rows]), color=C["reference"], ls=":", lw=1,
                   label="unpruned")
        ax.axhline(rows[0]["bayes_risk"], color=C["reference"], lw=0.8, label="Bayes risk")
        ax.set_yscale("log")
        ax.set_ylabel("target risk (fresh samples)")
        ax.set_title("risk on target $N(0.7\\cdot 1,\\,1.4^2I)$")
        ax2 = axes[1]
        for cov in ("target", "mixed"):
            for key, ls, where in (("target_risk", "-", "on target"), ("source_risk", "--", "on source")):
                w, y = _curve(rows, key, cov)
                _, y0 = _curve(rows, key, "source")
                se, se0 = _mean_se(rows, key + "_se", cov), _mean_se(rows, key + "_se", "source")
                ratio = y / y0
                # delta method on the ratio of the seed means; the two risks are measured on the same
                # fresh samples (positively correlated), so ignoring the covariance overstates the SE
                rse = np.sqrt(se ** 2 + (ratio * se0) ** 2) / y0
                ax2.errorbar(w, ratio, yerr=3 * rse, ls=ls, marker="o", ms=3, color=col[cov], capsize=1.5,
                             label=f"{cov} $\\hat\\Sigma$, {where}")
        ax2.axhline(1.0, color=C["reference"], lw=0.8)
        ax2.set_ylabel("risk ratio (seed mean, ±3 SE)")
        ax2.set_title("relative to source $\\hat\\Sigma$")
        ax2.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, columnspacing=1.0)
        for a in axes:
            a.set_xscale("log")
            ticks = [t for t in (2, 4, 8, 16, 32, 64, 128) if w[0] <= t <= w[-1]]
            a.xaxis.set_major_locator(mticker.FixedLocator(ticks))
            a.xaxis.set_major_formatter(mticker.FixedFormatter([str(t) for t in ticks]))
            a.xaxis.set_minor_formatter(mticker.NullFormatter())
            a.set_xlabel("kept width $w$ per hidden layer")
        axes[0].legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, columnspacing=1.0)
        _style.save(fig, out_dir, NAME)


def claims(rows):
    out = []
    by = {}
    for r in rows:
        by.setdefault((r["seed"], r["width"]), {})[r["cov"]] = r
        setting = {"cov": r["cov"], "width": r["width"], "seed": r["seed"]}
        bound, measured = protocols.spectral_distortion_sides(r)
        out.append(make_row(catalog.SPECTRAL_OUTPUT_DISTORTION, setting, bound, measured,
                            extra={"measured_on": f"{r['cov']} inputs"}))
    for (seed, w), d in sorted(by.items()):
        if "source" in d and "target" in d and w < min(d["target"]["hidden"]):
            # both nets are evaluated on the same fresh target sample: the SE is that of the paired
            # per-sample difference, and measured - bound equals the mean paired difference.
            bound, measured, se = protocols.spectral_target_covariance_sides(d["source"], d["target"])
            out.append(make_row(catalog.SPECTRAL_TARGET_COVARIANCE, {"width": w, "seed": seed}, bound, measured, se))
    return out
