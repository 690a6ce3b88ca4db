"""CoreNet coresets: output error and risk against the fraction of weights kept, the guarantee, and the bound.

Baykal, Liebenwein et al. (ICLR 2019) sparsify a trained network by sampling the incoming edges of
every neuron with probabilities proportional to their empirical sensitivity (theory.coresets).
Three parts:

- *pruning*: trained MLPs (a teacher–student regression net on fresh Gaussian inputs, and an MLP
  on scikit-learn's digits), compressed without retraining by CoreNet, CoreNet+, CoreNet++, CoreNet
  with the theorem's split of the budget across layers, uniform edge sampling, magnitude
  thresholding, truncated SVD and spectral pruning; relative output error and population risk
  (fresh samples / held-out digits) against the fraction of weights kept, mean ± standard error
  over seeds.
- *guarantee*: on a small random ReLU net the theoretical sample size is finite; the fraction of
  fresh (input, output unit) pairs with f̂_k(x) ∉ (1±ε)f_k(x) is compared with δ over a grid of
  (ε, δ), and against a multiple ``sample_scale`` < 1 of the theoretical sample size (how
  conservative the theorem is).
- *bound*: a compression (Occam) bound in the style of Arora et al. (ICML 2018) for the quantized
  CoreNet net on a teacher–student classification task, against its population 0-1 error.

The testbeds are named in :mod:`theory.testbeds.configs` (``CORESET_*``) and every number comes
from a protocol of :mod:`theory.testbeds.protocols` (``coreset_pruning``, ``coreset_guarantee``,
``coreset_compression_bound``), the recipes the claims of :mod:`theory.catalog.coresets` call.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np

from theory.catalog.coresets import (CORESET_BEATS_UNIFORM, CORESET_COMPRESSION_BOUND, CORESET_GUARANTEE_INPUTS,
                                     CORESET_GUARANTEE_PAIRS)
from theory.claims import make_row
from theory.testbeds.configs import CORESET_BOUND_NET, CORESET_GUARANTEE_NET
from theory.testbeds.protocols import (CORESET_METHODS, coreset_compression_bound, coreset_guarantee,
                                       coreset_pruning, mean_se)

from . import _style

NAME = "coreset_pruning"
ORDER = 40
VERSION = 3
CLAIMS = (CORESET_GUARANTEE_PAIRS, CORESET_GUARANTEE_INPUTS, CORESET_COMPRESSION_BOUND,
          CORESET_BEATS_UNIFORM)  # the claims this experiment emits
USES_DEVICE = True

PROFILES = {
    "smoke": {"testbeds": ["teacher_student"], "seeds": 1, "fractions": [0.1, 0.5], "n_train": 600,
              "widths": [48, 48], "epochs": 8, "n_s": 100, "n_fresh": 1000,
              "guarantee": [(0.2, 0.1)], "scales": [1.0, 1e-6], "bound_seeds": 1,
              "bound_n": 2000, "bound_fractions": [0.1], "bound_epochs": 8},
    "quick": {"testbeds": ["teacher_student", "digits"], "seeds": 3,
              "fractions": [0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9], "n_train": 3000,
              "widths": [200, 200], "epochs": 30, "n_s": 300, "n_fresh": 4000,
              "guarantee": [(e, d) for e in (0.05, 0.2, 0.5) for d in (0.05, 0.2)],
              "scales": [1.0, 1e-2, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9], "bound_seeds": 2,
              "bound_n": 20000, "bound_fractions": [0.1, 0.2, 0.3, 0.5, 0.7], "bound_epochs": 20},
    "full": {"testbeds": ["teacher_student", "digits"], "seeds": 10,
             "fractions": [0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.7, 0.9], "n_train": 10000,
             "widths": [300, 300], "epochs": 60, "n_s": 500, "n_fresh": 20000,
             "guarantee": [(e, d) for e in (0.02, 0.05, 0.1, 0.2, 0.5) for d in (0.01, 0.05, 0.1, 0.2)],
             "scales": [1.0, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10],
             "bound_seeds": 5, "bound_n": 100000, "bound_fractions": [0.05, 0.1, 0.2, 0.3, 0.5, 0.7],
             "bound_epochs": 30},
}

METHODS = CORESET_METHODS


def grid(profile):
    p = PROFILES[profile]
    cfgs = []
    for tb in p["testbeds"]:
        for s in range(p["seeds"]):
            cfgs.append({"kind": "pruning", "testbed": tb, "fractions": p["fractions"],
                         "n_train": p["n_train"], "widths": p["widths"], "epochs": p["epochs"],
                         "n_s": p["n_s"], "n_fresh": p["n_fresh"], "seed": 100 + s})
    for i, (eps, delta) in enumerate(p["guarantee"]):
        cfgs.append({"kind": "guarantee", **CORESET_GUARANTEE_NET, "eps": eps, "delta": delta,
                     "scales": p["scales"], "seed": 200 + i})
    for s in range(p["bound_seeds"]):
        cfgs.append({"kind": "bound", **CORESET_BOUND_NET, "n_train": p["bound_n"],
                     "fractions": p["bound_fractions"], "epochs": p["bound_epochs"], "seed": 300 + s})
    return cfgs


def run(config):
    kw = {k: v for k, v in config.items() if k != "kind"}
    kind = config["kind"]
    if kind == "pruning":
        return coreset_pruning(**kw)
    if kind == "guarantee":
        return coreset_guarantee(**kw)
    return coreset_compression_bound(**kw)


# ---- summaries, plot, claims -----------------------------------------------------------------

def _summary(rows, testbed, key):
    """{method: (fractions, kept, mean, se over seeds)}."""
    out = {}
    sel = [r for r in rows if r["kind"] == "pruning" and r["testbed"] == testbed and
           not (isinstance(r.get(key), float) and math.isnan(r[key]))]
    for m in METHODS:
        rs = [r for r in sel if r["method"] == m]
        if not rs:
            continue
        fr = sorted({r["fraction"] for r in rs})
        kept, mean, se = [], [], []
        for f in fr:
            kk = np.array([r["kept_fraction"] for r in rs if r["fraction"] == f], dtype=float)
            kept.append(kk.mean())
            v, v_se = mean_se([r[key] for r in rs if r["fraction"] == f])
            mean.append(v)
            se.append(v_se)
        out[m] = (np.array(fr), np.array(kept), np.array(mean), np.array(se))
    return out


STYLE = {
    "CoreNet": dict(color="#0072B2", marker="o"),
    "CoreNet+": dict(color="#56B4E9", marker="^"),
    "CoreNet++": dict(color="#009E73", marker="s"),
    "CoreNet (theory split)": dict(color="#0072B2", marker="o", ls=":", mfc="white"),
    "uniform": dict(color="#D55E00", marker="v"),
    "magnitude": dict(color="#E69F00", marker="D"),
    "truncated SVD": dict(color="#CC79A7", marker="x"),
    "spectral": dict(color="#555555", marker="P"),
}


def _panel(ax, summ, ylabel, title, base=None, logy=True):
    for m, (fr, kept, mean, se) in summ.items():
        st = dict(STYLE[m])
        ax.errorbar(100 * kept, mean, yerr=se, ms=3.5, lw=1.2, label=m, **st)
    if base is not None and np.isfinite(base):
        ax.axhline(base, color="k", lw=0.8, ls="--", label="uncompressed")
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel("weights kept [%]")
    ax.set_ylabel(ylabel)
    ax.set_title(title)


def plot(rows, out_dir):
    C = _style.COLORS
    testbeds = [t for t in ("teacher_student", "digits") if any(r.get("testbed") == t for r in rows)]
    with _style.style():
        # top: the four method comparisons (2 x 2) with the method legend under them; bottom: the
        # guarantee and the bound, each with its own legend under it
        fig = _style.blank_figure(height=7.3)
        top, bottom = fig.subfigures(2, 1, height_ratios=[4.75, 3.45])
        ax = list(top.subplots(2, 2).ravel()) + list(bottom.subplots(1, 2))
        if "teacher_student" in testbeds:
            base = np.mean([r["base_risk"] for r in rows if r.get("testbed") == "teacher_student"])
            _panel(ax[0], _summary(rows, "teacher_student", "rel_error"), "relative output error",
                   "teacher–student: output error")
            ax[0].axhline(1.0, color=C["reference"], lw=0.8, ls=":")
            _panel(ax[1], _summary(rows, "teacher_student", "risk"), "population risk (fresh)",
                   "teacher–student: risk", base=base)
        if "digits" in testbeds:
            base = np.mean([r["base_error"] for r in rows if r.get("testbed") == "digits"])
            _panel(ax[2], _summary(rows, "digits", "error"), "test 0-1 error", "digits MLP: test error",
                   base=base, logy=False)
            ax[2].axhline(0.9, color=C["reference"], lw=0.8, ls=":")
            _panel(ax[3], _summary(rows, "digits", "rel_error"), "relative output error",
                   "digits MLP: output error")
            ax[3].axhline(1.0, color=C["reference"], lw=0.8, ls=":")
        else:
            ax[2].set_axis_off()
            ax[3].set_axis_off()
        # guarantee: failure fraction against the fraction of the theoretical sample size
        gs = [r for r in rows if r["kind"] == "guarantee"]
        settings = sorted({(r["eps"], r["delta"]) for r in gs})
        # (eps, delta) settings are not methods: shades of one sequential map for eps, line style
        # and marker for delta, so that no colour of the method legend is reused
        eps_values = sorted({e for e, _ in settings})
        deltas = sorted({d for _, d in settings})
        shade = {e: plt.get_cmap("viridis")(0.15 + 0.7 * i / max(1, len(eps_values) - 1))
                 for i, e in enumerate(eps_values)}
        dstyle = {d: (("-", "o") if j == 0 else ("--", "s") if j == 1 else (":", "^"))
                  for j, d in enumerate(deltas)}
        for e, d in settings:
            rs = sorted([r for r in gs if (r["eps"], r["delta"]) == (e, d)], key=lambda r: r["scale"])
            sc = np.array([r["scale"] for r in rs])
            y = np.array([r["pair_failure"] for r in rs])
            ls, mk = dstyle[d]
            ax[4].errorbar(sc, np.maximum(y, 1e-5), yerr=[3 * r["pair_failure_se"] for r in rs],
                           color=shade[e], marker=mk, ms=3, lw=1.1, ls=ls, mfc="white" if ls != "-" else None,
                           label=rf"$\varepsilon$={e:g}, $\delta$={d:g}")
        for d in deltas:
            ax[4].axhline(d, color=C["reference"], lw=0.7, ls=dstyle[d][0])
        ax[4].set_xscale("log")
        ax[4].set_yscale("log")
        ax[4].set_xlabel("samples / theoretical sample size")
        ax[4].set_ylabel(r"fresh pairs with $\hat f_k\notin(1\pm\varepsilon)f_k$")
        ax[4].set_title("guarantee (grey lines: $\\delta$)")
        if gs:
            ax[4].legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2, columnspacing=1.0)
        # bound: Occam/Arora bound against measured population error
        bs = [r for r in rows if r["kind"] == "bound"]
        if bs:
            fr = sorted({r["fraction"] for r in bs})

            def agg(key):
                v = [np.mean([r[key] for r in bs if r["fraction"] == f]) for f in fr]
                return np.array(v)
            kept = 100 * agg("kept_fraction")
            # black and greys: these series are not methods, so no method colour is reused; the
            # training error nearly equals the fresh error, so it is drawn on top with open markers
            ax[5].plot(kept, agg("bound"), "o-", color="k", ms=3.5,
                       label=r"bound: $\hat L_0(\hat g)$ + complexity")
            ax[5].plot(kept, agg("bound_arora"), "o--", color="k", ms=3.5, mfc="white",
                       label=r"bound with $\hat L_\gamma(f)$ (Arora)")
            ax[5].errorbar(kept, agg("pop_error"), yerr=3 * agg("pop_error_se"), fmt="s-", color="#888888",
                           ms=5, lw=2.2, label=r"measured $L_0(\hat g)$ (fresh)", zorder=2)
            ax[5].plot(kept, agg("train_error"), "^:", color="k", ms=3.5, mfc="white", lw=1.0, zorder=3,
                       label=r"training $\hat L_0(\hat g)$")
            ax[5].axhline(np.mean([r["base_pop_error"] for r in bs]), color=C["reference"], lw=0.9, ls="-.",
                          label="uncompressed (fresh)")
            ax[5].axhline(1.0, color=C["reference"], lw=0.8, ls=":")
            ax[5].set_xlabel("parameters kept [%], 255 levels")
            ax[5].set_ylabel("0-1 error")
            ax[5].set_title(f"compression bound, n = {bs[0]['n_train']}")
            ax[5].set_ylim(0, max(2.2, float(np.nanmax(agg("bound_arora"))) * 1.05))
            ax[5].legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=1)
        # the methods, and the dashed "uncompressed" level of the risk and test-error panels
        handles, labels = ax[1].get_legend_handles_labels()
        if not handles:
            handles, labels = ax[2].get_legend_handles_labels()
        top.legend(handles, labels, loc="outside lower center", ncol=5, columnspacing=1.0)
        _style.save(fig, out_dir, NAME)


def claims(rows):
    out = []
    for r in rows:
        if r["kind"] == "guarantee" and r["scale"] == 1.0:
            net = "-".join(str(h) for h in (r["in_dim"], *r["widths"], r["out_dim"]))
            setting = {"eps": r["eps"], "delta": r["delta"], "net": net, "n_fresh": r["n_fresh"],
                       "seed": r["seed"]}
            extra = {"max_samples": r["max_samples"], "kept_fraction": r["kept_fraction"]}
            out.append(make_row(CORESET_GUARANTEE_PAIRS, setting, r["delta"], r["pair_failure"],
                                r["pair_failure_se"], extra=extra))
            out.append(make_row(CORESET_GUARANTEE_INPUTS, setting, r["delta"], r["input_failure"],
                                r["input_failure_se"], extra=extra))
        elif r["kind"] == "bound":
            setting = {"fraction": r["fraction"], "n_train": r["n_train"], "levels": r["levels"],
                       "seed": r["seed"]}
            out.append(make_row(CORESET_COMPRESSION_BOUND, setting, r["bound"], r["pop_error"],
                                r["pop_error_se"],
                                extra={"bound_arora": r["bound_arora"], "nonzero": r["nonzero"]}))
    for tb in ("teacher_student", "digits"):
        summ = _summary(rows, tb, "rel_error")
        if "CoreNet" not in summ or "uniform" not in summ:
            continue
        fr, _, mc, sc = summ["CoreNet"]
        fu, _, mu, su = summ["uniform"]
        for f in (0.1,):
            if f in fr and f in fu:
                i, j = list(fr).index(f), list(fu).index(f)
                out.append(make_row(CORESET_BEATS_UNIFORM, {"testbed": tb, "fraction": f},
                                    mu[j], mc[i], sc[i],
                                    extra={"uniform_se": su[j]}))
    return out
