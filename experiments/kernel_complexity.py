"""Kernel complexity of compressed two-layer nets: rates, compression, and training that lowers it.

Three parts, all on the recipes of ``theory.testbeds.protocols``:

- **rates** — regression on the sphere S^{d−1} (teacher in the RKHS of the limiting NTK, noise
  σ = 0.5); a two-layer ReLU net in the NTK parametrization with antisymmetric initialization
  (f₀ ≡ 0) trained by full-batch GD, stopped at the data-dependent time T̂ of Raskutti,
  Wainwright and Yu (JMLR 2014), next to kernel GD on its NTK Gram matrix. The critical radius
  ε̂_n² and the excess risk on fresh inputs are plotted against n for d = 2, 3, 5 with the fitted
  slope next to the theoretical −d/(2d−1); the spectrum of K_n/n against j^{−d/(d−1)}.
- **compression** — neuron-pair pruning (random, magnitude, greedy spectral), freezing a random
  fraction of first-layer entries, and quantizing the trained first layer (uniform, HW k-means):
  ε̂_n before and after (pruning and freezing can only lower it: K_S ≼ K), Weyl's bound for
  quantization, and the excess risk of the compressed net retrained with its own T̂.
- **tnn** — an MLP on digits and on teacher–student regression trained with the task loss plus
  η·(truncated nuclear norm of its features)/√n (Goel et al., NeurIPS 2024): test error, the
  tail fraction of the feature spectrum and its kernel complexity against η.
"""

from __future__ import annotations

import numpy as np

from theory import catalog
from theory.claims import make_row
from theory.testbeds import protocols
from theory.testbeds.protocols import mean_se

from . import _style

NAME = "kernel_complexity"
ORDER = 60
VERSION = 1
USES_DEVICE = True
CLAIMS = (catalog.KERNEL_COMPRESSION_SPECTRUM, catalog.KERNEL_COMPRESSION_RADIUS, catalog.KERNEL_QUANTIZATION_WEYL,
          catalog.KERNEL_TNN_REFRESH, catalog.KERNEL_TNN_UNBIASED, catalog.KERNEL_EARLY_STOPPING,
          catalog.KERNEL_RATE_SLOPE, catalog.KERNEL_BBM)  # the claims this experiment emits

DIMS = (2, 3, 5)
FRACTIONS = (0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625)
PRUNE = ("random", "magnitude", "spectral", "mask")
QUANT = ("uniform", "hw_kmeans")
TASKS = protocols.KERNEL_TNN_TASKS

PROFILES = {
    "smoke": {"seeds": [0], "dims": [2, 3], "ns": [50, 100], "width": 64, "n_fresh": 500,
              "width_sweep": [32, 64], "sweep_n": 50,
              "comp_ns": [60], "comp_width": 64, "fractions": [0.5, 0.25], "bits": [2],
              "ranks": [5], "etas": [0.0, 0.1], "epochs": 2, "n_train": 200, "draws": 40},
    "quick": {"seeds": [0, 1], "dims": list(DIMS), "ns": [100, 200, 400, 800, 1600], "width": 1024,
              "n_fresh": 4000, "width_sweep": [64, 256, 1024, 4096], "sweep_n": 400,
              "comp_ns": [100, 400], "comp_width": 1024, "fractions": list(FRACTIONS), "bits": [2, 3, 4, 8],
              "ranks": [10], "etas": [0.0, 0.03, 0.1, 0.3, 1.0], "epochs": 30, "n_train": 1000, "draws": 400},
    "full": {"seeds": [0, 1, 2], "dims": list(DIMS), "ns": [100, 200, 400, 800, 1600, 3200, 6400, 10000],
             "width": 4096, "n_fresh": 10000, "width_sweep": [64, 256, 1024, 4096, 16384, 65536], "sweep_n": 1600,
             "comp_ns": [50, 100, 400, 1600], "comp_width": 4096, "fractions": list(FRACTIONS),
             "bits": [2, 3, 4, 6, 8], "ranks": [5, 10, 20], "etas": [0.0, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0],
             "epochs": 60, "n_train": 1437, "draws": 2000},
}
SWEEP_D = 3
COMP_D = 3


def grid(profile):
    p = PROFILES[profile]
    g = [{"part": "rates", "d": d, "n": n, "width": p["width"], "seed": s, "n_fresh": p["n_fresh"]}
         for d in p["dims"] for n in p["ns"] for s in p["seeds"]]
    g += [{"part": "rates", "d": SWEEP_D, "n": p["sweep_n"], "width": w, "seed": s, "n_fresh": p["n_fresh"]}
          for w in p["width_sweep"] if w != p["width"] or p["sweep_n"] not in p["ns"] for s in p["seeds"]]
    g += [{"part": "compression", "d": COMP_D, "n": n, "width": p["comp_width"], "seed": s, "n_fresh": p["n_fresh"],
           "fractions": p["fractions"], "bits": p["bits"]} for n in p["comp_ns"] for s in p["seeds"]]
    g += [{"part": "tnn", "task": t, "seed": s, "rank": r, "eta": e, "epochs": p["epochs"], "n_train": p["n_train"]}
          for t in TASKS for r in p["ranks"] for e in p["etas"] for s in p["seeds"]]
    g += [{"part": "tnn_check", "task": t, "seed": 0, "rank": r, "batch_size": 128, "draws": p["draws"],
           "n_train": p["n_train"]} for t in TASKS for r in p["ranks"]]
    return g


def run(config):
    import torch

    torch.set_num_threads(1)
    c = dict(config)
    part = c.pop("part")
    dev = c.pop("device", "cpu")
    if part == "rates":
        return {"part": part, **protocols.kernel_rates(c["d"], c["n"], c["width"], c["seed"], n_fresh=c["n_fresh"],
                                                       device=dev)}
    if part == "compression":
        rows = protocols.kernel_compression(c["d"], c["n"], c["width"], c["seed"], kinds=PRUNE + QUANT,
                                            fractions=c["fractions"], bits=c["bits"], n_fresh=c["n_fresh"], device=dev)
        return [{"part": part, **r} for r in rows]
    if part == "tnn":
        return {"part": part, **protocols.tnn_training(c["task"], c["seed"], rank=c["rank"], eta=c["eta"],
                                                       epochs=c["epochs"], n_train=c["n_train"], device=dev)}
    return {"part": part, **protocols.tnn_surrogate_check(c["task"], c["seed"], rank=c["rank"],
                                                          batch_size=c["batch_size"], draws=c["draws"],
                                                          n_train=c["n_train"], device=dev)}


def _part(rows, part):
    return [r for r in rows if r["part"] == part]


def _rate_rows(rows):
    """Rates rows at the main width (the width the rate grid uses, the most common one)."""
    r = _part(rows, "rates")
    widths = [x["width"] for x in r]
    main = max(set(widths), key=widths.count)
    return [x for x in r if x["width"] == main], main


def _mean(sel, key):
    return mean_se([x[key] for x in sel])


def plot(rows, out_dir):
    C = _style.COLORS
    dcol = {2: C["empirical"], 3: C["population"], 5: C["gen"]}
    rates, width = _rate_rows(rows)
    dims = sorted({r["d"] for r in rates})
    with _style.style():
        # 3 x 2 panels, read row by row; legends go under their panel unless a corner of it is empty
        fig, grid = _style.figure(ncols=2, nrows=3, height=7.3)
        axes = np.array(grid.ravel()).reshape(2, 3)
        ax = axes[0, 0]
        for d in dims:
            sel = [r for r in rates if r["d"] == d]
            ns = sorted({r["n"] for r in sel})
            fit = protocols.rate_slope(sel, d)
            e2 = [_mean([r for r in sel if r["n"] == n], "eps_n2")[0] for n in ns]
            risk = [_mean([r for r in sel if r["n"] == n], "net_risk") for n in ns]
            col = dcol.get(d, C["reference"])
            ax.plot(ns, e2, "o-", color=col, label=f"$\\hat\\varepsilon_n^2$, d={d}: slope {fit['slope']:.2f} "
                                                   f"(theory {fit['theory']:.2f})")
            ax.errorbar(ns, [m for m, _ in risk], yerr=[s for _, s in risk], fmt="s--", ms=3, color=col,
                        alpha=0.8)
            ref = np.array(ns, float)
            ax.plot(ref, e2[0] * (ref / ref[0]) ** fit["theory"], ":", color=col, lw=1)
        ax.plot([], [], "s--", color=C["reference"], label="net excess risk at $\\hat T$ (±1 SE, seeds)")
        ax.plot([], [], ":", color=C["reference"], label="slope $-d/(2d-1)$")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("n")
        ax.set_title(f"critical radius and risk (width {width})")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.33), ncol=1)

        ax = axes[0, 1]
        for d in dims:
            sel = [r for r in rates if r["d"] == d and r["seed"] == min(x["seed"] for x in rates)]
            r = max(sel, key=lambda x: x["n"])
            j, lam = np.array(r["spectrum_j"]), np.array(r["spectrum"])
            ok = lam > 0
            col = dcol.get(d, C["reference"])
            ax.plot(j[ok], lam[ok], "o-", ms=2.5, color=col, label=f"d={d}, n={r['n']}")
            k = min(10, len(j) - 1)
            ax.plot(j, lam[k] * (j / j[k]) ** (-d / (d - 1)), ":", color=col, lw=1)
        ax.plot([], [], ":", color=C["reference"], label="$j^{-d/(d-1)}$")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_ylim(bottom=1e-8)
        ax.set_xlabel("index j")
        ax.set_ylabel("eigenvalue of $K_n/n$")
        ax.set_title("NTK spectrum (values ≥ 1e-8)")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.33), ncol=1)

        ax = axes[0, 2]
        for d in dims:
            sel = [r for r in rates if r["d"] == d]
            ns = sorted({r["n"] for r in sel})
            col = dcol.get(d, C["reference"])
            ax.plot(ns, [np.mean([r["net_risk"] / r["eps_n2"] for r in sel if r["n"] == n]) for n in ns], "s-",
                    color=col, label=f"net, d={d}")
            ax.plot(ns, [np.mean([r["kgd_risk"] / r["eps_n2"] for r in sel if r["n"] == n]) for n in ns], "x:",
                    color=col, label=f"kernel GD, d={d}")
        ax.set_xscale("log")
        ax.set_xlabel("n")
        ax.set_ylabel("excess risk / $\\hat\\varepsilon_n^2$")
        ax.set_title("risk at $\\hat T$ in units of $\\hat\\varepsilon_n^2$")
        ax.set_ylim(0, 2.3 * ax.get_ylim()[1])  # room above the data for the inset
        h, lab = ax.get_legend_handles_labels()  # nets in the left column, kernel GD in the right
        order = list(range(0, len(h), 2)) + list(range(1, len(h), 2))
        ax.legend([h[i] for i in order], [lab[i] for i in order], loc="upper center",
                  bbox_to_anchor=(0.5, -0.33), ncol=2)
        sweep = [r for r in _part(rows, "rates") if r["d"] == SWEEP_D]
        sweep_n = max({r["n"] for r in sweep}, key=lambda n: len({r["width"] for r in sweep if r["n"] == n}))
        sw = sorted({r["width"] for r in sweep if r["n"] == sweep_n})
        if len(sw) > 1:
            ins = ax.inset_axes([0.52, 0.58, 0.45, 0.28])
            ins.plot(sw, [np.mean([r["net_kgd_gap"] / r["kgd_risk"] for r in sweep if r["n"] == sweep_n
                                   and r["width"] == w]) for w in sw], "o-", ms=2.5, color=C["reference"])
            ins.set_xscale("log")
            ins.set_yscale("log")
            ins.set_title(f"‖net − kGD‖²/risk (n={sweep_n})", fontsize=7.5, pad=2)
            ins.tick_params(labelsize=7, pad=1)
            ins.set_xlabel("width", fontsize=7.5, labelpad=0)

        comp = _part(rows, "compression")
        kcol = {"random": C["reference"], "magnitude": C["alt"], "spectral": C["empirical"], "mask": C["gen"]}
        comp_ns = sorted({r["n"] for r in comp})
        ax = axes[1, 0]
        n_main = comp_ns[-1]
        for kind in PRUNE:
            sel = [r for r in comp if r["kind"] == kind and r["n"] == n_main]
            fr = sorted({r["fraction"] for r in sel})
            ax.plot(fr, [np.mean([r["eps_trained_after"] / r["eps_trained"] for r in sel if r["fraction"] == f])
                         for f in fr], "o-", ms=3, color=kcol[kind], label=kind)
        for kind, mk in zip(QUANT, ("^", "v")):
            sel = [r for r in comp if r["kind"] == kind and r["n"] == n_main]
            bs = sorted({r["bits"] for r in sel})
            for b in bs:
                v = np.mean([r["eps_trained_after"] / r["eps_trained"] for r in sel if r["bits"] == b])
                ax.plot([1.0], [v], mk, color=C["bound"], alpha=0.4 + 0.6 * b / max(bs))
        ax.plot([], [], "^", color=C["bound"], label="quantized: uniform ▲, HW ▼\n(darker = more bits)")
        ax.axhline(1.0, color=C["reference"], lw=0.8)
        ax.set_xscale("log", base=2)
        ax.set_xlabel("kept fraction (pairs / trainable entries)")
        ax.set_ylabel("$\\hat\\varepsilon_n$ after / before")
        ax.set_title(f"compression never raises $\\hat\\varepsilon_n$ (n={n_main})")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.33), ncol=2)

        ax = axes[1, 1]
        styles = dict(zip(comp_ns, ("--", "-", "-.", ":")))
        for n, ls in styles.items():
            for kind in PRUNE:
                sel = [r for r in comp if r["kind"] == kind and r["n"] == n]
                base = {r["seed"]: r["risk"] for r in comp if r["kind"] == "none" and r["n"] == n}
                fr = sorted({r["fraction"] for r in sel})
                ax.plot(fr + [1.0], [np.mean([r["risk"] / base[r["seed"]] for r in sel if r["fraction"] == f])
                                     for f in fr] + [1.0], ls, marker="o", ms=2.5, color=kcol[kind])
        for kind in PRUNE:
            ax.plot([], [], "-", color=kcol[kind], label=kind)
        for n, ls in styles.items():
            ax.plot([], [], ls, color=C["reference"], label=f"n = {n}")
        ax.axhline(1.0, color=C["reference"], lw=0.8)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("kept fraction")
        ax.set_ylabel("risk / uncompressed risk")
        ax.set_title("retrained with early stopping at $\\hat T_S$")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.33), ncol=3, columnspacing=1.0)

        ax = axes[1, 2]
        tnn = _part(rows, "tnn")
        tcol = {"digits": C["empirical"], "teacher_student": C["population"]}
        ax2 = ax.twinx()
        for task in TASKS:
            for rank in sorted({r["rank"] for r in tnn}):
                sel = [r for r in tnn if r["task"] == task and r["rank"] == rank]
                etas = sorted({r["eta"] for r in sel})
                te = [np.mean([r["test_err"] for r in sel if r["eta"] == e]) for e in etas]
                tf = [np.mean([r["tail_fraction"] for r in sel if r["eta"] == e]) for e in etas]
                base = te[0] if te[0] > 0 else 1.0
                ax.plot(etas, np.array(te) / base, "o-", ms=3, color=tcol[task],
                        label=f"{task.replace('_', '–')}, r={rank}: test error")
                ax2.plot(etas, tf, "s:", ms=2.5, color=tcol[task])
        ax2.plot([], [], "s:", color=C["reference"],
                 label=r"tail fraction $\Sigma_{j>r}\sigma_j/\Sigma_j\sigma_j$ (right axis)")
        ax.set_xscale("symlog", linthresh=0.01)
        ax.set_xlabel("penalty η")
        ax.set_ylabel("test error / error at η = 0")
        ax2.set_ylabel("feature tail fraction")
        ax2.spines["right"].set_visible(True)
        ax2.grid(False)
        ax.set_title("truncated-nuclear-norm penalty")
        h1, l1 = ax.get_legend_handles_labels()
        h2, l2 = ax2.get_legend_handles_labels()
        ax.legend(h1 + h2, l1 + l2, loc="upper center", bbox_to_anchor=(0.5, -0.33), ncol=1)
        _style.save(fig, out_dir, NAME)


def claims(rows):
    out = []
    for r in _part(rows, "compression"):
        if r["kind"] in PRUNE:
            setting = {"d": r["d"], "n": r["n"], "width": r["width"], "seed": r["seed"], "kind": r["kind"],
                       "fraction": r["fraction"]}
            b, m = catalog.kernels.spectrum_sides(r)
            out.append(make_row(catalog.KERNEL_COMPRESSION_SPECTRUM, setting, b, m.value, m.se))
            out.append(make_row(catalog.KERNEL_COMPRESSION_RADIUS, setting, r["eps_trained"], r["eps_trained_after"]))
        elif r["kind"] in QUANT:
            setting = {"d": r["d"], "n": r["n"], "width": r["width"], "seed": r["seed"], "kind": r["kind"],
                       "bits": r["bits"]}
            b, m = catalog.kernels.weyl_sides(r)
            out.append(make_row(catalog.KERNEL_QUANTIZATION_WEYL, setting, b, m.value))
    for r in _part(rows, "tnn_check"):
        setting = {k: r[k] for k in ("task", "seed", "rank", "batch_size", "draws")} | {"n_train": r["n"]}
        out.append(make_row(catalog.KERNEL_TNN_REFRESH, setting, r["exact"], r["refresh"]))
        out.append(make_row(catalog.KERNEL_TNN_UNBIASED, setting, r["exact"], r["minibatch_mean"], r["minibatch_se"]))
    rates, width = _rate_rows(rows)
    for r in rates:
        setting = {"d": r["d"], "n": r["n"], "width": r["width"], "seed": r["seed"]}
        out.append(make_row(catalog.KERNEL_EARLY_STOPPING, setting, 12.0 * r["eps_n2"], r["kgd_insample"]))
        out.append(make_row(catalog.KERNEL_BBM, setting, r["bbm_bound"], r["kgd_risk"], r["kgd_risk_se"]))
    for d in sorted({r["d"] for r in rates}):
        sel = [r for r in rates if r["d"] == d]
        f = protocols.rate_slope(sel, d)
        setting = {"d": d, "ns": f["ns"], "width": width, "seeds": len({r["seed"] for r in sel})}
        out.append(make_row(catalog.KERNEL_RATE_SLOPE, setting, 0.1, abs(f["slope"] - f["theory"]),
                            extra={"slope": round(f["slope"], 4), "theory": round(f["theory"], 4)}))
    return out
