"""Hessian-weighted quantization of overfitted small nets: when does it lower population risk?

The neural part of Bu, Gao, Zou, Veeravalli (AAAI 2020) at small scale. An MLP is trained to
near-zero training loss on a subsample (the overfitting regime) of (i) scikit-learn's digits and
(ii) a teacher–student classification task with label noise (softmax teacher at temperature T,
population risk measured on fresh samples). Each trained net is quantized layer by layer
(biases kept in float) at 2–5 bits by k-means, Hessian-weighted (HW) k-means, the exact optimal
HW clustering (dynamic programming) and diameter-regularized HW k-means (DRHW, a λ sweep). For
every quantized net: training loss, test loss (the population-risk estimate), test accuracy and
entropy-coded compression ratio, over seeds; differences against the unquantized net are paired
by seed. The information-theoretic bound on the 0-1 generalization gap,
gen ≤ sqrt(2·(1/4)·R/n) with I(S;Ŵ) ≤ H(Ŵ) ≤ R = Σ m_l log K_l + (float codebook/bias bits), is
overlaid on the measured gap.
"""

from __future__ import annotations

import numpy as np

from theory import quantization
from theory.bounds import quantizer_rate_bound
from theory.catalog import (COMPRESSION_LOWERS_RISK, HUTCHINSON_TRACE, OPTIMAL_LE_LLOYD, QUANTIZATION_BEATS_TEMPERATURE,
                            QUANTIZED_GEN_BOUND)
from theory.claims import make_row
from theory.testbeds import protocols
from theory.testbeds.configs import QUANTIZATION_TRAINING
from theory.testbeds.protocols import mean_se, select_rows

from . import _style

NAME = "quantization_population_risk"
ORDER = 50
VERSION = 2   # 2: a temperature-scaling baseline row per seed
CLAIMS = (HUTCHINSON_TRACE, OPTIMAL_LE_LLOYD, QUANTIZED_GEN_BOUND,
          COMPRESSION_LOWERS_RISK, QUANTIZATION_BEATS_TEMPERATURE)  # the claims this experiment emits
USES_DEVICE = True

TASKS = ("digits", "teacher_student")   # theory.testbeds.configs.QUANTIZATION_TASKS
BASE_METHODS = ("kmeans", "hw", "optimal_hw")
BASELINES = ("original", "temperature")   # the unquantized net, and it after temperature scaling
# DRHW strength ρ: λ_l = ρ · 4 · std(W_l) · Σ_i h_i / K per layer (protocols.drhw_strengths).
RHOS = (0.1, 0.25, 0.5, 1.0)
RHO_MAIN = 0.5          # the pre-declared DRHW setting whose claim rows are emitted

PROFILES = {
    "smoke": {"seeds": 2, "bits": (2, 3), "rhos": (0.5,), "epochs": 100, "n_train": 100, "width": 16,
              "n_test_ts": 2000, "n_probes": 40},
    "quick": {"seeds": 8, "bits": (2, 3, 4, 5), "rhos": RHOS, "epochs": 300, "n_train": 200, "width": 64,
              "n_test_ts": 20000, "n_probes": 100},
    "full": {"seeds": 30, "bits": (2, 3, 4, 5), "rhos": RHOS, "epochs": 500, "n_train": 200, "width": 128,
             "n_test_ts": 100000, "n_probes": 200},
}


def grid(profile):
    p = PROFILES[profile]
    return [{"task": task, "seed": seed, "bits": list(p["bits"]), "rhos": list(p["rhos"]),
             "epochs": p["epochs"], "n_train": p["n_train"], "width": p["width"],
             "n_test_ts": p["n_test_ts"], "n_probes": p["n_probes"], "lr": QUANTIZATION_TRAINING["lr"]}
            for task in TASKS for seed in range(p["seeds"])]


def run(config):
    import torch

    torch.set_num_threads(1)
    return protocols.quantized_classifier_risks(
        config["task"], int(config["seed"]), width=config["width"], epochs=config["epochs"],
        n_train=config["n_train"], n_test_ts=config["n_test_ts"], bits=config["bits"], methods=BASE_METHODS,
        rhos=config["rhos"], n_probes=config["n_probes"], lr=config["lr"], device=config.get("device", "cpu"))


# ---------------------------------------------------------------------------------------------
# Aggregation, plot, claims
# ---------------------------------------------------------------------------------------------

def summarize(rows):
    """Per (task, method, bits, ρ): seed means and seed standard errors of the key metrics."""
    keys = sorted({(r["task"], r["method"], int(r["bits"]), float(r["rho"])) for r in rows})
    out = []
    for task, method, bits, rho in keys:
        g = select_rows(rows, task, method, bits, rho)
        s = {"task": task, "method": method, "bits": bits, "rho": rho, "seeds": len(g)}
        for key in ("train_loss", "test_loss", "d_test_loss", "test_err", "train_err", "compression_ratio",
                    "rate_nats"):
            s[key], s[key + "_se"] = mean_se([r[key] for r in g])
        s["gap_err"], s["gap_err_se"] = mean_se([r["test_err"] - r["train_err"] for r in g])
        s["n"] = int(g[0]["n"])
        s["num_params"] = int(g[0]["num_params"])
        s["num_quantized"] = int(g[0]["num_quantized"])
        out.append(s)
    return out


def _clip_outliers(ax, St, curves, bits):
    """Zoom on the bulk of the test-loss changes; points far above it are marked at the top edge."""
    # the quantizers, and the temperature-scaling band (kept in view: it is the baseline)
    vals = np.array([s["d_test_loss"] for s in St if s["method"] != "original"])
    spread = np.array([3 * s["d_test_loss_se"] for s in St if s["method"] != "original"])
    lo = float(np.min(vals - spread))
    bulk = np.sort(vals + spread)
    hi = float(bulk[int(0.9 * (bulk.size - 1))])
    span = max(hi - lo, 1e-3)
    top = hi + 0.35 * span
    if float((vals + spread).max()) <= top:
        return
    ax.set_ylim(lo - 0.08 * span, top)
    k = 0
    for m, rho, col, _ in curves:
        for b in bits:
            s = next(x for x in St if x["method"] == m and x["bits"] == b and x["rho"] == rho)
            if s["d_test_loss"] > top:
                # in the top-right corner, clear of the steep segment that leaves the panel
                ax.annotate(f"↑ {_label(m, rho)}, {b} bits:\n{s['d_test_loss']:+.2f} (off scale)", (1, 1),
                            xycoords="axes fraction", xytext=(-2, -2 - 20 * k), textcoords="offset points",
                            ha="right", va="top", fontsize=7.5, color=col, linespacing=1.0)
                k += 1


def _label(method, rho):
    return {"kmeans": "k-means", "hw": "HW k-means", "optimal_hw": "optimal HW (DP)",
            "original": "original"}.get(method, f"DRHW ρ={rho:g}")


def plot(rows, out_dir):
    S = summarize(rows)
    C = _style.COLORS
    colors = {"kmeans": C["reference"], "hw": C["empirical"], "optimal_hw": C["alt2"]}
    rhos = sorted({s["rho"] for s in S if s["method"] == "drhw"})
    drhw_cols = dict(zip(rhos, ["#F0C987", C["alt"], C["population"], "#8B2E00"][-len(rhos):] if rhos else []))
    titles = {"digits": "digits (n=%d)", "teacher_student": "teacher–student (n=%d)"}
    tasks = [t for t in TASKS if any(s["task"] == t for s in S)]
    with _style.style():
        # one column per task (a subfigure titled with the task), one row per panel kind; the method
        # legend is shared at the bottom
        fig = _style.blank_figure(height=7.3)
        cols = fig.subfigures(1, len(tasks), squeeze=False)[0]
        axes = np.array([sf.subplots(4, 1) for sf in cols]).reshape(len(tasks), 4)
        for row, task in enumerate(tasks):
            St = [s for s in S if s["task"] == task]
            orig = next(s for s in St if s["method"] == "original")
            n = orig["n"]
            cols[row].suptitle(titles[task] % n, fontsize=9.5, fontweight="bold")
            bits = sorted({s["bits"] for s in St if s["method"] not in BASELINES})
            curves = [(m, 0.0, colors[m], "o") for m in BASE_METHODS] + [("drhw", r, drhw_cols[r], "s") for r in rhos]
            ax = axes[row, 0]
            for j, (m, rho, col, mk) in enumerate(curves):
                pts = [next(s for s in St if s["method"] == m and s["bits"] == b and s["rho"] == rho) for b in bits]
                x = np.array(bits) + (j - len(curves) / 2) * 0.05
                ax.errorbar(x, [p["d_test_loss"] for p in pts], yerr=[3 * p["d_test_loss_se"] for p in pts],
                            color=col, marker=mk, ms=3.5, lw=1.1, label=_label(m, rho))
            ax.axhline(0, color="k", lw=0.7)
            temp = next((s for s in St if s["method"] == "temperature"), None)
            if temp is not None:   # the calibration baseline: temperature scaling of the unquantized net
                ax.axhspan(temp["d_test_loss"] - 3 * temp["d_test_loss_se"],
                           temp["d_test_loss"] + 3 * temp["d_test_loss_se"], color="#9467BD", alpha=0.15, lw=0)
                ax.axhline(temp["d_test_loss"], color="#9467BD", lw=1.0, ls="--",
                           label="temperature scaling (±3 SE)")
            _clip_outliers(ax, St, curves, bits)
            ax.set_xticks(bits)
            ax.set_xlabel("bits per weight (per layer $K=2^b$)")
            ax.set_ylabel(r"$\Delta$ test CE")
            ax.set_title(r"test-loss change $\hat L_\mu(\hat W)-\hat L_\mu(W)$")
            ax = axes[row, 1]
            for j, (m, rho, col, mk) in enumerate(curves):
                pts = [next(s for s in St if s["method"] == m and s["bits"] == b and s["rho"] == rho) for b in bits]
                x = np.array(bits) + (j - len(curves) / 2) * 0.05
                ax.errorbar(x, [1 - p["test_err"] for p in pts], yerr=[3 * p["test_err_se"] for p in pts],
                            color=col, marker=mk, ms=3.5, lw=1.1)
            ax.axhline(1 - orig["test_err"], color="k", lw=0.8, ls="--", label="original")
            ax.axhspan(1 - orig["test_err"] - 3 * orig["test_err_se"], 1 - orig["test_err"] + 3 * orig["test_err_se"],
                       color="k", alpha=0.08, lw=0)
            ax.set_xticks(bits)
            ax.set_xlabel("bits per weight")
            ax.set_ylabel("test accuracy")
            ax.set_title("test accuracy (band: original ±3 SE)")
            # decomposition along the DRHW sweep at the lowest bit width
            b0 = bits[0]
            ax = axes[row, 2]
            xs, dist, gdrop, dpop = [], [], [], []
            seq = [("hw", 0.0)] + [("drhw", r) for r in rhos]
            for m, rho in seq:
                g = select_rows(rows, task, m, b0, rho)
                o = {r["seed"]: r for r in rows if r["task"] == task and r["method"] == "original"}
                d_emp = [r["train_loss"] - o[r["seed"]]["train_loss"] for r in g]
                gen_q = [r["test_loss"] - r["train_loss"] for r in g]
                gen_o = [o[r["seed"]]["test_loss"] - o[r["seed"]]["train_loss"] for r in g]
                xs.append(rho)
                dist.append(mean_se(d_emp))
                gdrop.append(mean_se(np.subtract(gen_o, gen_q)))
                dpop.append(mean_se([r["d_test_loss"] for r in g]))
            xpos = np.arange(len(seq))
            ax.errorbar(xpos - 0.08, [v for v, _ in dist], yerr=[3 * s for _, s in dist], color=C["empirical"],
                        marker="o", ms=3.5, label="distortion $L_S(\\hat W)-L_S(W)$")
            ax.errorbar(xpos, [v for v, _ in gdrop], yerr=[3 * s for _, s in gdrop], color=C["gen"],
                        marker="^", ms=3.5, label="gen$(W)-$gen$(\\hat W)$")
            ax.errorbar(xpos + 0.08, [v for v, _ in dpop], yerr=[3 * s for _, s in dpop], color=C["population"],
                        marker="s", ms=3.5, label="$L_\\mu(\\hat W)-L_\\mu(W)$")
            ax.axhline(0, color="k", lw=0.7)
            ax.set_xticks(xpos)
            ax.set_xticklabels(["HW"] + [f"{r:g}" for r in rhos])
            ax.set_xlabel(f"DRHW strength ρ ({b0} bits)")
            ax.set_ylabel("risk change (CE)")
            ax.set_title("helps iff distortion < gen drop")
            if row == 0:
                ax.legend(loc="best", handlelength=1.5)
            # bound overlay on the 0-1 generalization gap
            ax = axes[row, 3]
            pts = [next(s for s in St if s["method"] == "optimal_hw" and s["bits"] == b) for b in bits]
            rate = np.array([p["rate_nats"] for p in pts] + [orig["rate_nats"]])
            xb = np.array(bits + [32])
            gap = [p["gap_err"] for p in pts] + [orig["gap_err"]]
            gse = [p["gap_err_se"] for p in pts] + [orig["gap_err_se"]]
            bound = quantization.zero_one_mi_bound(rate, n)
            ax.errorbar(xb, gap, yerr=3 * np.array(gse), color=C["gen"], marker="o", ms=3.5,
                        label="measured (optimal HW; 32 = original)")
            ax.plot(xb, bound, color=C["bound"], ls="--", marker="x", ms=3.5,
                    label="$\\sqrt{R/(2n)}$, $I(S;\\hat W)\\leq H(\\hat W)\\leq R$")
            m_log_k = [quantizer_rate_bound(orig["num_quantized"], 2 ** b) for b in bits]
            ax.plot(xb[:-1], quantization.zero_one_mi_bound(m_log_k, n),
                    color=C["bound"], ls=":", lw=1.0, label="same, $R=m\\log K$ (fixed codebook)")
            ax.axhline(1.0, color="k", lw=0.6, ls=":")
            ax.set_yscale("log")
            pos = [g for g in gap if g > 0]
            # four decades of room below the data for the legend, so that it covers nothing
            ax.set_ylim((min(pos) if pos else 0.05) / 30000, 3 * float(bound.max()))
            ax.set_xscale("log", base=2)
            ax.set_xticks(xb)
            ax.set_xticklabels([str(b) for b in xb])
            ax.set_xlabel("bits per weight")
            ax.set_ylabel(r"0-1 gap err$_\mu-$err$_S$")
            ax.set_title("MI bound (vacuous above 1)")
            if row == 0:
                ax.legend(loc="lower right", handlelength=1.8)
        handles, labels = axes[0, 0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncol=4, columnspacing=1.2)
        _style.save(fig, out_dir, NAME)


def claims(rows):
    out = []
    tasks = [t for t in TASKS if any(r["task"] == t for r in rows)]
    for task in tasks:
        # Hutchinson trace: mean of the estimates over seeds against the mean exact trace
        t = protocols.hutchinson_trace_summary(rows, task)
        out.append(make_row(HUTCHINSON_TRACE, {"task": task, "seeds": t["seeds"]}, t["exact_trace"],
                            t["hutchinson_trace"], t["hutchinson_trace_se"]))
        bits_all = sorted({int(r["bits"]) for r in rows if r["task"] == task and r["method"] not in BASELINES})
        for b in bits_all:
            o = protocols.optimal_vs_lloyd_summary(rows, task, b)
            out.append(make_row(OPTIMAL_LE_LLOYD, {"task": task, "bits": b, "worst_seed": o["worst_seed"]},
                                o["lloyd_objective"], o["optimal_objective"]))
            g = protocols.zero_one_gap_summary(rows, task, b)
            out.append(make_row(QUANTIZED_GEN_BOUND, {"task": task, "bits": b, "n": g["n"]}, g["bound"], g["gap"],
                                g["gap_se"]))
            for method, rho in (("hw", 0.0), ("drhw", RHO_MAIN)):
                d = protocols.risk_change_summary(rows, task, b, method, rho)
                if d is None:
                    continue
                out.append(make_row(COMPRESSION_LOWERS_RISK, {"task": task, "bits": b, "method": method, "rho": rho},
                                    0.0, d["d_test_loss"], d["d_test_loss_se"]))
                t = protocols.risk_change_summary(rows, task, 32, "temperature", 0.0)
                if t is not None:
                    out.append(make_row(QUANTIZATION_BEATS_TEMPERATURE,
                                        {"task": task, "bits": b, "method": method, "rho": rho},
                                        t["d_test_loss"], d["d_test_loss"], d["d_test_loss_se"]))
    return out
