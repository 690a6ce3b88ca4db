"""The information bottleneck of compressed representations, checked against exact quantities.

An MLP maps the input to a 16-dimensional representation X̃; a soft-cluster head
φ(x̃, a) ∝ exp(−β‖x̃/‖x̃‖ − c_a‖²) with K learned centroids and a learned table q(y|a) predicts
p(y|x) = Σ_a φ(x̃, a) q(y|a). It is trained with cross-entropy alone or plus λ times an IB term:
the released form of IB-based compression methods (Wang, Li, Yang, ICML 2024), the corrected
bound U₁, or the variational bound U₂. The representation is then compressed (channels kept by
magnitude or greedy spectral selection, a per-channel b-bit grid, clusters merged K → K/2 → K/4),
and with X uniform over the points every information quantity is exact: I(X;A), I(A;Y),
I(X;A|Y) = IB, H(A|X). Each bound is compared with them, and the hard bottleneck classifier
argmax_y q(y|a(x)) (table fitted on held-back points) with its finite-class risk bound.
"""

from __future__ import annotations


from theory import catalog
from theory.claims import make_row
from theory.testbeds import protocols

from . import _style

NAME = "bottleneck"
ORDER = 80
VERSION = 1
USES_DEVICE = True
CLAIMS = (catalog.BN_U1_BOUND, catalog.BN_U1_EQUALITY, catalog.BN_RELEASED_TRAINABLE,
          catalog.BN_RELEASED_INPUT_GRADIENT, catalog.BN_U2_BOUND, catalog.BN_MERGE_I_XA, catalog.BN_MERGE_I_AY,
          catalog.BN_CLASSIFIER_BOUND, catalog.BN_GAP_TRACKS_IB)

TASKS = ("digits", "teacher_student")
OBJECTIVES = protocols.BOTTLENECK_OBJECTIVES
PROFILES = {
    "smoke": {"seeds": [0], "Ks": [8], "lams": [0.1], "n_train": 200, "n_table": 100,
              "compressions": ["none", "keep-spectral-0.5", "quant-2", "merge-2", "merge-4"]},
    "quick": {"seeds": [0], "Ks": [16, 32, 64], "lams": [0.03], "n_train": 1000, "n_table": 400,
              "compressions": list(protocols.BOTTLENECK_COMPRESSIONS)},
    "full": {"seeds": [0, 1, 2], "Ks": [8, 16, 32, 64, 128], "lams": [0.01, 0.03, 0.1, 0.3], "n_train": 1000,
             "n_table": 400, "compressions": list(protocols.BOTTLENECK_COMPRESSIONS)},
}


def grid(profile):
    p = PROFILES[profile]
    out = []
    for task in TASKS:
        for K in p["Ks"]:
            for seed in p["seeds"]:
                for obj in OBJECTIVES:
                    for lam in ([0.0] if obj == "ce" else p["lams"]):
                        out.append({"task": task, "K": K, "seed": seed, "objective": obj, "lam": lam,
                                    "n_train": p["n_train"], "n_table": p["n_table"],
                                    "compressions": p["compressions"]})
    return out


def run(config):
    import torch

    torch.set_num_threads(1)
    c = dict(config)
    return protocols.bottleneck_run(c["task"], c["seed"], K=c["K"], objective=c["objective"], lam=c["lam"],
                                    n_train=c["n_train"], n_table=c["n_table"], compressions=c["compressions"],
                                    device=c.get("device", "cpu"))


def _groups(rows):
    g = {}
    for r in rows:
        g.setdefault((r["task"], r["K"], r["seed"], r["objective"], r["lam"], r["n_train"], r["n_table"]), []).append(r)
    return g


def plot(rows, out_dir):
    from matplotlib.lines import Line2D

    C = _style.COLORS
    ocol = {"ce": C["reference"], "released": C["population"], "u1": C["empirical"], "u2": C["gen"]}
    tasks = [t for t in TASKS if any(r["task"] == t for r in rows)]
    with _style.style():
        # one column per task, one row (a subfigure) per panel kind; each row has its line-style key
        # under it, and the colours (the training objective) are keyed once at the bottom
        fig = _style.blank_figure(height=7.3)
        subs = fig.subfigures(3, 1, height_ratios=[2.75, 2.75, 2.7])
        grid = [sf.subplots(1, max(1, len(tasks)), squeeze=False)[0] for sf in subs]
        for col, task in enumerate(tasks):
            name = task.replace("_", " ")
            sel = [r for r in rows if r["task"] == task and r["compression"] == "none"]
            Ks = sorted({r["K"] for r in sel})
            ax = grid[0][col]
            for obj in OBJECTIVES:
                s = sorted([r for r in sel if r["objective"] == obj], key=lambda r: r["K"])
                if not s:
                    continue
                ax.plot([r["K"] for r in s], [r["test_ib"] for r in s], "o-", ms=3, color=ocol[obj],
                        label=f"{obj}: I(X;A|Y)")
                ax.plot([r["K"] for r in s], [r["u1_test"] for r in s], "s--", ms=3, color=ocol[obj], alpha=0.7)
                ax.plot([r["K"] for r in s], [r["released_trainable_test"] for r in s], "^:", ms=3, color=ocol[obj],
                        alpha=0.7)
            ax.set_xscale("log", base=2)
            ax.set_xlabel("clusters K")
            ax.set_ylabel("nats (test points)")
            ax.set_title(f"{name}: IB and its bounds")

            ax = grid[1][col]
            for obj in OBJECTIVES:
                s = sorted([r for r in sel if r["objective"] == obj], key=lambda r: r["K"])
                if not s:
                    continue
                ax.errorbar([r["K"] for r in s], [r["bn_test_err"] for r in s], yerr=[r["bn_test_err_se"] for r in s],
                            fmt="o-", ms=3, color=ocol[obj], label=f"{obj}: measured")
                ax.plot([r["K"] for r in s], [min(r["bn_bound"], 1.05) for r in s], "s--", ms=3, color=ocol[obj],
                        alpha=0.7)
            ax.axhline(1.0, color=C["reference"], lw=0.8, ls=":")
            ax.set_xscale("log", base=2)
            ax.set_xlabel("clusters K")
            ax.set_ylabel("0-1 error")
            ax.set_title(f"{name}: bottleneck classifier")

            ax = grid[2][col]
            K = max(Ks)
            for obj in OBJECTIVES:
                s = [r for r in rows if r["task"] == task and r["K"] == K and r["objective"] == obj]
                if not s:
                    continue
                ax.scatter([r["train_ib"] for r in s], [r["bn_test_err"] - r["bn_table_err"] for r in s], s=12,
                           color=ocol[obj], label=obj)
            ax.set_xlabel("I(X;A|Y), training points (nats)")
            ax.set_ylabel("gap: test − table error")
            ax.set_title(f"{name}: compressions, K = {K}")
        key = dict(color="k", ms=3)
        subs[0].legend([Line2D([], [], ls="-", marker="o", **key), Line2D([], [], ls="--", marker="s", **key),
                        Line2D([], [], ls=":", marker="^", **key)],
                       ["I(X;A|Y)", "U₁ (q from train)", "released trainable term"],
                       loc="outside lower center", ncol=3)
        subs[1].legend([Line2D([], [], ls="-", marker="o", **key), Line2D([], [], ls="--", marker="s", **key)],
                       ["measured 0-1 error of argmax q(y|a(x)) (±1 SE)", "finite-class bound (δ = 0.05)"],
                       loc="outside lower center", ncol=2)
        subs[2].legend([Line2D([], [], ls="-", marker="o", ms=3, color=ocol[o]) for o in OBJECTIVES],
                       [f"objective {o}" for o in OBJECTIVES], loc="outside lower center", ncol=len(OBJECTIVES))
        _style.save(fig, out_dir, NAME)


def claims(rows):
    out = []
    for r in rows:
        setting = {k: r[k] for k in ("task", "seed", "K", "objective", "lam", "n_train", "n_table", "compression")}
        out.append(make_row(catalog.BN_U1_BOUND, setting, r["u1_test"], r["test_ib"]))
        out.append(make_row(catalog.BN_U1_EQUALITY, setting, r["train_ib"], r["u1_train"]))
        b, m = catalog.bottleneck.released_sides(r)
        out.append(make_row(catalog.BN_RELEASED_TRAINABLE, setting, b, m.value))
        out.append(make_row(catalog.BN_U2_BOUND, setting, r["u2_test"], r["test_ib"]))
        out.append(make_row(catalog.BN_CLASSIFIER_BOUND, setting, r["bn_bound"], r["bn_test_err"], r["bn_test_err_se"]))
        if r["compression"] == "none":
            out.append(make_row(catalog.BN_RELEASED_INPUT_GRADIENT, setting, 0.0, r["input_grad"]))
        if "premerge_train_I_XA" in r:
            out.append(make_row(catalog.BN_MERGE_I_XA, setting, r["premerge_train_I_XA"], r["train_I_XA"]))
            out.append(make_row(catalog.BN_MERGE_I_AY, setting, r["premerge_train_I_AY"], r["train_I_AY"]))
    for key, group in sorted(_groups(rows).items(), key=lambda kv: str(kv[0])):
        if len(group) >= 3:
            rho = protocols.bottleneck_gap_ib_correlation(group)
            task, K, seed, obj, lam, n_train, n_table = key
            out.append(make_row(catalog.BN_GAP_TRACKS_IB, {"task": task, "K": K, "seed": seed, "objective": obj,
                                                           "lam": lam, "n_train": n_train, "n_table": n_table},
                                0.0, -rho, extra={"rho": round(rho, 4)}))
    return out
