"""Spectral pruning: eigenvalue decay, degrees of freedom and reconstruction error of trained small MLPs.

Suzuki et al. (IJCAI 2020) observe that the covariance of a layer's outputs has rapidly decaying
eigenvalues, so its degrees of freedom N̂(λ) = Tr[Σ̂(Σ̂+λI)⁻¹] are far below the width, and a few
nodes reconstruct the layer. For a teacher–student regression MLP and a digits classifier (two
hidden layers of 64) this experiment shows the spectra, N̂(λ), and the output-aware reconstruction
error e(J) = (1/n)Σ‖W⁽ˡ⁺¹⁾(φ − Â_Jφ_J)‖² of one layer against the kept width for greedy spectral
selection, ridge-leverage sampling, random and magnitude (outgoing-weight norm) selection — all
with the same optimal Â_J — with the leverage-sampling guarantee 4λ♯(w)‖W⁽ˡ⁺¹⁾‖²_F overlaid
(λ♯(w): the λ whose sampling width m♯(λ, δ) equals w).
"""

from __future__ import annotations

import numpy as np

from theory import catalog
from theory.claims import make_row
from theory.testbeds import protocols

from . import _style

NAME = "spectral_dof"
ORDER = 30
VERSION = 2
USES_DEVICE = True
CLAIMS = (catalog.SPECTRAL_LEVERAGE_GUARANTEE, catalog.SPECTRAL_GREEDY_VS_MAGNITUDE,
          catalog.SPECTRAL_GREEDY_VS_RANDOM)  # the claims this experiment emits

HIDDEN = [64, 64]

PROFILES = {
    "smoke": {"seeds": [0], "nets": ["teacher_student"], "hidden": [24, 24], "n": 300, "epochs": 20,
              "prune_widths": [2, 6, 12], "claim_widths": [6], "n_random": 4, "n_leverage": 2, "reps": 8,
              "n_lams": 8},
    "quick": {"seeds": [0, 1], "nets": ["teacher_student", "digits"], "hidden": HIDDEN, "n": 1200,
              "epochs": 120, "prune_widths": [2, 4, 6, 8, 12, 16, 24, 32, 48], "claim_widths": [4, 8, 16],
              "n_random": 10, "n_leverage": 5, "reps": 20, "n_lams": 30},
    "full": {"seeds": [0, 1, 2, 3, 4], "nets": ["teacher_student", "digits"], "hidden": [128, 128],
             "n": 1400, "epochs": 400, "prune_widths": [2, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96],
             "claim_widths": [4, 8, 16, 32], "n_random": 50, "n_leverage": 30, "reps": 200, "n_lams": 60},
}
DELTA = 0.1


def grid(profile):
    p = PROFILES[profile]
    return [{"net": net, "seed": s, "hidden": p["hidden"], "n": p["n"], "epochs": p["epochs"],
             "prune_widths": p["prune_widths"], "claim_widths": p["claim_widths"], "n_random": p["n_random"],
             "n_leverage": p["n_leverage"], "reps": p["reps"], "n_lams": p["n_lams"], "delta": DELTA}
            for net in p["nets"] for s in p["seeds"]]


def run(config):
    import torch

    torch.set_num_threads(1)
    return protocols.spectral_dof(config["net"], config["hidden"], config["n"], config["epochs"], int(config["seed"]),
                                  config["prune_widths"], config["n_random"], config["n_leverage"], config["reps"],
                                  config["n_lams"], config["delta"], device=config.get("device", "cpu"))


# ---- figure ------------------------------------------------------------------------------------

NET_LABEL = {"teacher_student": "teacher–student", "digits": "digits"}
LAYER_STYLE = {0: "-", 1: "--"}


def _mean_over_seeds(rows, key):
    by = {}
    for r in rows:
        by.setdefault(r["width"], []).append(r[key])
    w = np.array(sorted(by))
    return w, np.array([np.mean(by[x]) for x in w])


def plot(rows, out_dir):
    import matplotlib.ticker as mticker

    C = _style.COLORS
    nets = [n for n in ("teacher_student", "digits") if any(r["net"] == n for r in rows)]
    net_color = {"teacher_student": C["empirical"], "digits": C["population"]}
    method_color = {"greedy": C["empirical"], "leverage": C["gen"], "random": C["reference"],
                    "magnitude": C["alt"]}
    with _style.style():
        fig, axes = _style.figure(ncols=2, nrows=2, height=5.6)
        ax_eig, ax_dof = axes[0]
        seed0 = min(r["seed"] for r in rows)
        for net in nets:
            for r in rows:
                if r["net"] != net or r["kind"] != "spectrum" or r["seed"] != seed0:
                    continue
                lab = f"{NET_LABEL[net]}, layer {r['layer'] + 1}"
                eig = np.array(r["eig_rel"])
                ax_eig.semilogy(np.arange(1, eig.size + 1), np.maximum(eig, 1e-16), color=net_color[net],
                                ls=LAYER_STYLE.get(r["layer"], ":"), label=lab)
                ax_dof.semilogx(r["lam_rel"], np.array(r["dof"]), color=net_color[net],
                                ls=LAYER_STYLE.get(r["layer"], ":"), label=lab)
        ax_eig.set_ylim(1e-8, 2)
        ax_eig.set_xlabel("index $j$")
        ax_eig.set_ylabel(r"$\hat\mu_j/\hat\mu_1$")
        ax_eig.set_title("eigenvalues of $\\hat\\Sigma$ (uncentred)")
        ax_eig.legend(loc="lower left")
        w_full = max(r["width"] for r in rows if r["kind"] == "spectrum")
        ax_dof.axhline(w_full, color=C["reference"], lw=0.8, ls=":")
        # above the dotted line at the right, where the curves have fallen away from it
        ax_dof.annotate("width $m$", (1, w_full), xycoords=("axes fraction", "data"), xytext=(-2, 2),
                        textcoords="offset points", ha="right", va="bottom", fontsize=7.5,
                        color=C["reference"])
        ax_dof.set_ylim(top=1.18 * w_full)
        ax_dof.set_xlabel(r"$\lambda/\hat\mu_1$")
        ax_dof.set_ylabel(r"$\hat N(\lambda)$")
        ax_dof.set_title(r"d.o.f. $\mathrm{Tr}[\hat\Sigma(\hat\Sigma+\lambda I)^{-1}]$")
        for ax, net in zip(axes[1], nets + [None] * (2 - len(nets))):
            if net is None:
                ax.set_visible(False)
                continue
            pr = [r for r in rows if r["net"] == net and r["kind"] == "prune" and r["layer"] == 0]
            e0 = np.mean([r["e0"] for r in pr])
            for meth in ("magnitude", "random", "leverage", "greedy"):
                wx, ys = _mean_over_seeds(pr, f"{meth}_error")
                ax.plot(wx, ys / e0, "o-", ms=3, color=method_color[meth],
                        label={"greedy": "greedy spectral", "random": "random (mean)",
                               "magnitude": "magnitude (outgoing norm)",
                               "leverage": r"leverage sampling, $\hat N(\lambda)=w$"}[meth])
            _, xs = _mean_over_seeds(pr, "guarantee_distinct")
            _, gl = _mean_over_seeds(pr, "guarantee_loss")
            _, bd = _mean_over_seeds(pr, "leverage_bound")
            ax.plot(xs, gl / e0, "s", ms=3.5, mfc="white", color=C["bound"],
                    label=r"leverage, $m^\sharp(\lambda^\sharp)=w$ draws: $L_B$, $\tau_j=\lambda^\sharp s q_j/c_j$")
            ax.plot(xs, bd / e0, ls="--", color=C["bound"],
                    label=r"its guarantee $4\lambda^\sharp\|W^{(2)}\|_F^2$ (w.p. $1-\delta$)")
            ax.set_xscale("log")
            ax.set_yscale("log")
            ticks = [t for t in (2, 4, 8, 16, 32, 64) if t <= max(wx) * 1.01]
            ax.xaxis.set_major_locator(mticker.FixedLocator(ticks))
            ax.xaxis.set_major_formatter(mticker.FixedFormatter([str(t) for t in ticks]))
            ax.xaxis.set_minor_formatter(mticker.NullFormatter())
            ax.set_xlabel("kept nodes of layer 1")
            ax.set_ylabel(r"$e(J)/e(\emptyset)$")
            ax.set_title(f"{NET_LABEL[net]}: output error")
            ax.set_ylim(top=max(30.0, 1.5 * float(np.max(bd / e0))))
        handles, labels = axes[1][0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncol=2)
        _style.save(fig, out_dir, NAME)


def claims(rows):
    out = []
    for r in rows:
        if r["kind"] != "prune":
            continue
        setting = {"net": r["net"], "layer": r["layer"] + 1, "width": r["width"], "seed": r["seed"]}
        out.append(make_row(catalog.SPECTRAL_LEVERAGE_GUARANTEE, {**setting, "delta": r["delta"], "reps": r["reps"]},
                            r["delta"], r["guarantee_fail_rate"], r["guarantee_fail_se"],
                            extra={"lam_sharp": r["lam_sharp"]}))
        if r["width"] not in r["claim_widths"]:
            continue
        out.append(make_row(catalog.SPECTRAL_GREEDY_VS_MAGNITUDE, setting, r["magnitude_error"], r["greedy_error"]))
        out.append(make_row(catalog.SPECTRAL_GREEDY_VS_RANDOM, {**setting, "n_random": r["n_random"]},
                            r["random_error"], r["greedy_error"]))
    return out
