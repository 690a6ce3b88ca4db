"""Out-of-distribution bounds for a compressed PDE surrogate under parameter shift.

A small Fourier neural operator learns the solution operator of viscous Burgers,
(u₀, log ν) ↦ u(·, 0.5), with log ν uniform on the training range. It is compressed (uniform
8- and 4-bit quantization, magnitude pruning with masked fine-tuning, Fourier-mode truncation)
and deployed under shifts of the law of log ν with a known density ratio: the piecewise design
with ratio bound B ∈ {1, 2, 4, 8}, a Gaussian shift in log ν, and extrapolation above the
training range. For each, the source and target risks (clipped relative error, fresh samples)
are measured next to every change-of-measure bound, including the certified bound that uses
only a held-out source set. Extrapolation (viscosities above the training range) has no density ratio: the bounds are reported as
vacuous (1). Concept shift — the surrogate queried at ν₀ while the system runs at ν′ — is bounded
by the triangle inequality with a label-free solver term.
"""

from __future__ import annotations

import math

import numpy as np

from theory import catalog
from theory.claims import make_row
from theory.testbeds import protocols

from . import _style

NAME = "pde_shift"
ORDER = 90
VERSION = 1
USES_DEVICE = True
CLAIMS = (catalog.SHIFT_CERTIFIED, catalog.SHIFT_RATIO, catalog.SHIFT_CHI2, catalog.SHIFT_DV,
          catalog.SHIFT_KL_CLOSED_FORM, catalog.SHIFT_CONCEPT, catalog.SHIFT_AMPLIFICATION)

SHIFTS = tuple(protocols.PDE_SHIFTS)
COMPRESSIONS = tuple(protocols.PDE_COMPRESSIONS)
BOUNDS = ("ratio_bound", "chi2_bound", "dv_bound", "certified_bound")
PROFILES = {
    "smoke": {"seeds": [0], "n_train": 100, "n_val": 60, "n_fresh": 60, "concept": [0.04],
              "compressions": ["none", "quant-8", "modes-3"], "shifts": ["piecewise-2", "extrapolation"]},
    "quick": {"seeds": [0], "n_train": 800, "n_val": 300, "n_fresh": 500, "concept": [0.03, 0.04, 0.09, 0.12],
              "compressions": list(COMPRESSIONS), "shifts": list(SHIFTS)},
    "full": {"seeds": [0, 1, 2], "n_train": 10000, "n_val": 2000, "n_fresh": 5000,
             "concept": [0.02, 0.03, 0.04, 0.09, 0.12, 0.2], "compressions": list(COMPRESSIONS),
             "shifts": list(SHIFTS)},
}


def grid(profile):
    p = PROFILES[profile]
    return [{"seed": s, "n_train": p["n_train"], "n_val": p["n_val"], "n_fresh": p["n_fresh"], "concept": p["concept"],
             "compressions": p["compressions"], "shifts": p["shifts"]} for s in p["seeds"]]


def run(config):
    import torch

    torch.set_num_threads(1)
    c = dict(config)
    return protocols.pde_shift(c["seed"], shifts=c["shifts"], compressions=c["compressions"], n_train=c["n_train"],
                               n_val=c["n_val"], n_fresh=c["n_fresh"], concept=c["concept"],
                               device=c.get("device", "cpu"))


def _cov(rows):
    return [r for r in rows if r["kind"] == "covariate"]


def plot(rows, out_dir):
    C = _style.COLORS
    bcol = {"ratio_bound": C["alt"], "chi2_bound": C["gen"], "dv_bound": C["empirical"],
            "certified_bound": C["bound"]}
    blab = {"ratio_bound": "sup-ratio", "chi2_bound": "χ² (Cauchy–Schwarz)", "dv_bound": "Donsker–Varadhan",
            "certified_bound": "certified (source data only)"}
    cov = _cov(rows)
    with _style.style():
        # two panels on top, the amplification bars across the full width under them, and one legend
        # for the compression colours (shared by the right panel and the bars) at the bottom
        fig, axd = _style.figure(mosaic=[["scatter", "curves"], ["bars", "bars"]], height=5.6,
                                 height_ratios=[1.25, 1])
        axes = [axd["scatter"], axd["curves"], axd["bars"]]
        ax = axes[0]
        for key in BOUNDS:
            x = [r["target_risk"] for r in cov]
            y = [r[key] for r in cov]
            ax.scatter(x, y, s=10, color=bcol[key], label=blab[key], alpha=0.8)
        ax.plot([0, 1], [0, 1], color=C["reference"], lw=0.8)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.05)
        ax.set_xlabel("measured target risk")
        ax.set_ylabel("bound")
        ax.set_title("every bound vs measured risk")
        ax.legend(loc="lower right", handletextpad=0.2)  # bounds lie above the diagonal

        ax = axes[1]
        pw = [s for s in SHIFTS if s.startswith("piecewise") and any(r["shift"] == s for r in cov)]
        Bs = [float(s.split("-")[1]) for s in pw]
        comps = [k for k in COMPRESSIONS if any(r["compression"] == k for r in cov)]
        ccol = dict(zip(comps, [C["reference"], C["empirical"], C["alt2"], C["population"], C["alt"], C["gen"],
                                C["bound"]]))
        for comp in comps:
            sel = {r["shift"]: r for r in cov if r["compression"] == comp}
            if not all(s in sel for s in pw):
                continue
            ax.plot(Bs, [sel[s]["target_risk"] for s in pw], "o-", ms=3, color=ccol[comp], label=comp)
            ax.plot(Bs, [sel[s]["certified_bound"] for s in pw], "s--", ms=3, color=ccol[comp], alpha=0.7)
        ax.plot([], [], "ks--", ms=3, label="certified bound")
        ax.axhline(1.0, color=C["reference"], lw=0.8, ls=":")
        ax.set_xscale("log", base=2)
        ax.set_xlabel("ratio bound B (piecewise shift)")
        ax.set_ylabel("target risk")
        ax.set_title("target risk and certified bound")

        ax = axes[2]
        shifts = [s for s in SHIFTS if any(r["shift"] == s for r in cov)]
        x = np.arange(len(shifts))
        w = 0.8 / max(1, len(comps))
        for j, comp in enumerate(comps):
            sel = {r["shift"]: r for r in cov if r["compression"] == comp}
            ax.bar(x + (j - (len(comps) - 1) / 2) * w, [sel[s]["amplification"] if s in sel else np.nan for s in shifts],
                   w, color=ccol[comp], label=comp)
        ax.axhline(1.0, color=C["reference"], lw=0.8)
        ax.set_xticks(x)
        ax.set_xticklabels(shifts)
        ax.set_ylabel("target / source risk")
        ax.set_title("amplification by the shift")
        fig.legend(*axes[1].get_legend_handles_labels(), loc="outside lower center", ncol=4,
                   columnspacing=1.2)
        _style.save(fig, out_dir, NAME)


def claims(rows):
    out = []
    for r in _cov(rows):
        setting = {"seed": r["seed"], "shift": r["shift"], "compression": r["compression"]}
        for claim, key in ((catalog.SHIFT_CERTIFIED, "certified_bound"), (catalog.SHIFT_RATIO, "ratio_bound"),
                           (catalog.SHIFT_CHI2, "chi2_bound"), (catalog.SHIFT_DV, "dv_bound")):
            b, m = catalog.shift.bound_sides(r, key)
            out.append(make_row(claim, setting, b, m.value, m.se))
        if r["compression"] == "none":
            out.append(make_row(catalog.SHIFT_KL_CLOSED_FORM, {"seed": r["seed"], "shift": r["shift"]},
                                r["kl_target_source"], r["kl_mc"], r["kl_mc_se"]))
    base = {(r["seed"], r["shift"]): r for r in _cov(rows) if r["compression"] == "none"}
    for r in _cov(rows):
        b = base.get((r["seed"], r["shift"]))
        if b is not None and r["compression"] != "none" and math.isfinite(b["amplification"]):
            out.append(make_row(catalog.SHIFT_AMPLIFICATION,
                                {"seed": r["seed"], "shift": r["shift"], "compression": r["compression"]},
                                b["amplification"], r["amplification"]))
    for r in rows:
        if r["kind"] == "concept":
            out.append(make_row(catalog.SHIFT_CONCEPT, {"seed": r["seed"], "compression": r["compression"],
                                                        "nu1": r["nu1"]}, r["concept_bound"], r["target_rmse"]))
    return out
