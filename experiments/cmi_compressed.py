"""Evaluated-CMI generalization bounds of compressed networks on hundreds of training runs.

The supersample protocol of Steinke and Zakynthinou (COLT 2020) as evaluated by Harutyunyan et
al. (f-CMI, NeurIPS 2021), Hellström and Durisi (e-CMI, NeurIPS 2022) and Wang and Mao (ld-CMI,
ICML 2023): a supersample of n pairs, m selectors in complementary pairs, one one-hidden-layer
MLP trained to interpolation per selector (all at once, ``train_many``), each then compressed
from its own training half — uniform quantization (8/4/3 bits), Hessian-weighted k-means
(4/3/2 bits), layer-wise magnitude pruning (50/80/90 %) with and without masked fine-tuning.
Plug-in MI of the prediction pair, the loss pair and the loss difference with each selector bit
gives the three bounds; the measured gap is the held-out minus the training 0-1 error. Tasks:
binary digits (≥ 5 against < 5), 10-class digits, and teacher–student classification. The
weight-rate bound √(2 min(n log 2, H(Ŵ))/n) of the quantized nets is drawn beside them.
"""

from __future__ import annotations

import math

import numpy as np

from theory import catalog
from theory.claims import make_row
from theory.testbeds import protocols

from . import _style

NAME = "cmi_compressed"
ORDER = 70
VERSION = 1
USES_DEVICE = True
CLAIMS = (catalog.CMI_FCMI, catalog.CMI_ECMI, catalog.CMI_LDCMI, catalog.CMI_BINARY_KL, catalog.CMI_SINGLE_LOSS,
          catalog.CMI_ORDER_LD_E, catalog.CMI_ORDER_E_F, catalog.CMI_INTERPOLATION, catalog.CMI_WITHIN_2_5X,
          catalog.CMI_NONVACUOUS)

TASKS = ("digits_binary", "digits", "teacher_student")
COMPRESSIONS = tuple(protocols.CMI_COMPRESSIONS)
SHOWN = ("none", "uniform-4", "uniform-3", "hw-3", "prune-80", "prune-80-ft")

PROFILES = {
    "smoke": {"tasks": ["digits_binary", "teacher_student"], "ns": [20, 40], "m": 8, "supersamples": 2,
              "m_grid": [4, 8], "n_fresh": 2000, "compressions": ["none", "uniform-4", "hw-3", "prune-80-ft"]},
    "quick": {"tasks": list(TASKS), "ns": [50, 100, 200], "m": 40, "supersamples": 2,
              "m_grid": [4, 8, 16, 24, 32, 40], "n_fresh": 10000, "compressions": list(COMPRESSIONS)},
    "full": {"tasks": list(TASKS), "ns": [50, 100, 200, 400, 800], "m": 400, "supersamples": 5,
             "m_grid": [10, 20, 50, 100, 200, 400], "n_fresh": 50000, "compressions": list(COMPRESSIONS)},
}


def grid(profile):
    p = PROFILES[profile]
    return [{"task": t, "n": n, "m": p["m"], "supersamples": p["supersamples"], "seed": 0, "m_grid": p["m_grid"],
             "n_fresh": p["n_fresh"], "compressions": p["compressions"]} for t in p["tasks"] for n in p["ns"]]


def run(config):
    import torch

    torch.set_num_threads(1)
    c = dict(config)
    return protocols.cmi_supersample(c["task"], c["n"], c["m"], c["supersamples"], seed=c["seed"],
                                     compressions=c["compressions"], n_fresh=c["n_fresh"], m_grid=c["m_grid"],
                                     device=c.get("device", "cpu"))


def _sel(rows, task, comp):
    return sorted([r for r in rows if r["task"] == task and r["compression"] == comp], key=lambda r: r["n"])


def plot(rows, out_dir):
    C = _style.COLORS
    ccol = {"none": C["reference"], "uniform-4": C["empirical"], "uniform-3": C["alt2"], "hw-3": C["gen"],
            "prune-80": C["population"], "prune-80-ft": C["alt"]}
    tasks = [t for t in TASKS if any(r["task"] == t for r in rows)]
    comps = [k for k in SHOWN if any(r["compression"] == k for r in rows)]
    with _style.style():
        # top: one panel per task with the shared compression legend under them; middle: the
        # tightness bars across the full width; bottom: convergence in m and the weight-rate bound
        fig = _style.blank_figure(height=7.3)
        top, mid, bottom = fig.subfigures(3, 1, height_ratios=[2.85, 2.15, 3.1])
        row0 = top.subplots(1, 3)
        axes = np.empty((2, 3), dtype=object)
        axes[0, :] = row0
        axes[1, 0] = mid.subplots(1, 1)
        axes[1, 1], axes[1, 2] = bottom.subplots(1, 2)
        for ax, task in zip(axes[0], tasks):
            for comp in comps:
                sel = _sel(rows, task, comp)
                if not sel:
                    continue
                ns = [r["n"] for r in sel]
                ax.errorbar(ns, [r["gap"] for r in sel], yerr=[r["gap_se"] for r in sel], fmt="o-", ms=3,
                            color=ccol[comp], label=comp)
                ax.plot(ns, [catalog.cmi.best_bound(r) for r in sel], "s--", ms=3, color=ccol[comp], alpha=0.8)
            ax.plot([], [], "k-", label="measured gap (±1 SE)")
            ax.plot([], [], "k--", label="best evaluated-CMI bound")
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel("n (pairs)")
            ax.set_title(task.replace("_", " "))
        for ax in axes[0, len(tasks):]:
            ax.set_visible(False)  # fewer tasks than panels (small profiles)
        axes[0, 0].set_ylabel("0-1 generalization gap")
        top.legend(*axes[0, 0].get_legend_handles_labels(), loc="outside lower center", ncol=4,
                   columnspacing=1.2)
        n_top = max(r["n"] for r in rows)

        ax = axes[1, 0]
        width = 0.8 / max(1, len(tasks))
        comps_all = [k for k in COMPRESSIONS if any(r["compression"] == k for r in rows)]
        x = np.arange(len(comps_all))
        tcol = {"digits_binary": C["empirical"], "digits": C["population"], "teacher_student": C["gen"]}
        for j, task in enumerate(tasks):
            ratios = []
            for comp in comps_all:
                sel = [r for r in rows if r["task"] == task and r["compression"] == comp and r["n"] == n_top]
                ratios.append(catalog.cmi.best_bound(sel[0]) / sel[0]["gap"] if sel and sel[0]["gap"] > 0 else np.nan)
            ax.bar(x + (j - (len(tasks) - 1) / 2) * width, ratios, width, color=tcol.get(task), label=task)
        ax.axhline(2.5, color=C["bound"], lw=1, ls="--", label="2.5×")
        ax.axhline(1.0, color=C["reference"], lw=0.8)
        ax.set_xticks(x)
        ax.set_xticklabels(comps_all, rotation=30, ha="right", rotation_mode="anchor")
        ax.set_ylabel("best bound / gap")
        ax.set_title(f"tightness at n = {n_top}")
        ax.set_ylim(0, 1.3 * ax.get_ylim()[1])  # a strip above the bars for the one-row legend
        ax.legend(loc="upper left", ncol=4)

        ax = axes[1, 1]
        task = tasks[0]
        for comp, mk in (("none", "o"), ("prune-80", "s")):
            sel = [r for r in rows if r["task"] == task and r["compression"] == comp and r["n"] == n_top]
            if not sel or not sel[0]["m_grid"]:
                continue
            r = sel[0]
            ax.plot(r["m_grid"], r["fcmi_m"], mk + "-", ms=3, color=ccol[comp], label=f"f-CMI, {comp}")
            ax.plot(r["m_grid"], r["ldcmi_m"], mk + ":", ms=3, color=ccol[comp], label=f"ld-CMI, {comp}")
            ax.axhline(r["gap"], color=ccol[comp], lw=0.8, alpha=0.6)
        mm = np.geomspace(min(min(r["m_grid"] or [2]) for r in rows), max(max(r["m_grid"] or [2]) for r in rows), 50)
        for k, ls in ((2, "-."), (4, (0, (1, 3)))):
            ax.plot(mm, np.sqrt(2 * (k - 1) / (2 * mm)), ls=ls, color=C["bound"], lw=0.9,
                    label=f"plug-in floor, {k} symbols")
        ax.set_xscale("log")
        ax.set_yscale("log")
        import matplotlib.ticker as mticker

        ticks = sorted({x for r in rows for x in (r["m_grid"] or [])})
        ax.xaxis.set_major_locator(mticker.FixedLocator(ticks))
        ax.xaxis.set_major_formatter(mticker.FixedFormatter([str(t) for t in ticks]))
        ax.xaxis.set_minor_formatter(mticker.NullFormatter())
        ax.set_xlabel("masks m")
        ax.set_ylabel("bound")
        ax.set_title(f"convergence in m ({task.replace('_', ' ')})")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2, columnspacing=1.0)

        ax = axes[1, 2]
        qs = [k for k in COMPRESSIONS if protocols.CMI_COMPRESSIONS[k][0] in ("uniform", "hw")
              and any(r["compression"] == k for r in rows)]
        sel = {k: [r for r in rows if r["task"] == task and r["compression"] == k and r["n"] == n_top] for k in qs}
        qs = [k for k in qs if sel[k]]
        x = np.arange(len(qs))
        ax.bar(x - 0.27, [sel[k][0]["rate_bound"] for k in qs], 0.27, color=C["bound"],
               label=r"$\sqrt{2\min(n\log 2,\,H(\hat W))/n}$")
        ax.bar(x, [catalog.cmi.best_bound(sel[k][0]) for k in qs], 0.27, color=C["empirical"],
               label="best evaluated CMI")
        ax.bar(x + 0.27, [sel[k][0]["gap"] for k in qs], 0.27, color=C["reference"], label="measured gap")
        ax.axhline(1.0, color=C["reference"], lw=0.8, ls=":")
        ax.set_xticks(x)
        ax.set_xticklabels(qs, rotation=30, ha="right", rotation_mode="anchor")
        ax.set_title(f"weight-rate bound vs CMI (n = {n_top})")
        ax.set_ylim(0, 1.6)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=1)
        _style.save(fig, out_dir, NAME)


def claims(rows):
    out = []
    for r in rows:
        setting = {"task": r["task"], "n": r["n"], "m": r["m"], "supersamples": r["supersamples"],
                   "compression": r["compression"]}
        for claim, key in ((catalog.CMI_FCMI, "fcmi"), (catalog.CMI_ECMI, "ecmi"), (catalog.CMI_LDCMI, "ldcmi"),
                           (catalog.CMI_SINGLE_LOSS, "single_loss")):
            out.append(make_row(claim, setting, r[key], r["gap"], r["gap_se"]))
        out.append(make_row(catalog.CMI_BINARY_KL, setting, r["binary_kl_risk"], r["heldout_err"], r["heldout_err_se"]))
        out.append(make_row(catalog.CMI_ORDER_LD_E, setting, r["ecmi"], r["ldcmi"]))
        out.append(make_row(catalog.CMI_ORDER_E_F, setting, r["fcmi"], r["ecmi"]))
        if not math.isnan(r["interpolation"]):
            b, mm = catalog.cmi.interpolation_sides(r)
            out.append(make_row(catalog.CMI_INTERPOLATION, setting, b, mm.value, mm.se,
                                extra={"plugin_excess": round(b - mm.value, 6)}))
        best = catalog.cmi.best_bound(r)
        extra = {"floor_share": round(r["floor_share"], 4), "ratio": round(best / r["gap"], 3) if r["gap"] > 0 else None}
        out.append(make_row(catalog.CMI_WITHIN_2_5X, setting, 2.5 * r["gap"], best, extra=extra))
        out.append(make_row(catalog.CMI_NONVACUOUS, setting, 1.0, best, extra=extra))
    return out
