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

import math

import numpy as np

from theory import spectral as sp
from theory.claims import Measurement, make_row

from . import _style

NAME = "spectral_dof"
ORDER = 30
VERSION = 2
USES_DEVICE = True

HIDDEN = [64, 64]
TS = {"in_dim": 10, "teacher_widths": [32, 32], "noise_std": 0.3, "teacher_seed": 7, "activation": "relu"}

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
REL_TAU = 1e-4  # ridge τ of greedy / random / magnitude, relative to the mean eigenvalue


def grid(profile):
    p = PROFILES[profile]
    return [{"net": net, "seed": s, "hidden": p["hidden"], "n": p["n"], "epochs": p["epochs"],
             "prune_widths": p["prune_widths"], "claim_widths": p["claim_widths"], "n_random": p["n_random"],
             "n_leverage": p["n_leverage"], "reps": p["reps"], "n_lams": p["n_lams"], "delta": DELTA}
            for net in p["nets"] for s in p["seeds"]]


# ---- shared by the spectral experiments --------------------------------------------------------

def teacher_student(device="cpu", **overrides):
    """The teacher–student regression distribution of the spectral experiments."""
    from theory.testbeds.nets import TeacherStudent

    cfg = {**TS, **overrides}
    return TeacherStudent(in_dim=cfg["in_dim"], teacher_widths=cfg["teacher_widths"], out_dim=1,
                          task="regression", activation=cfg["activation"], noise_std=cfg["noise_std"],
                          teacher_seed=cfg["teacher_seed"], device=device)


def train_student(ts, n, hidden, epochs, seed, device="cpu", lr=3e-3, batch_size=256):
    """Sample n training points (seeded) and train a student MLP on them; returns (model, X, Y)."""
    from theory.testbeds.nets import make_mlp, train

    X, Y = ts.sample(n, rng=seed)
    model = make_mlp(ts.in_dim, hidden, 1, activation="relu", seed=seed, device=device)
    train(model, X, Y, "regression", epochs=epochs, lr=lr, batch_size=batch_size, seed=seed, device=device)
    return model, X, Y


def train_digits(n, hidden, epochs, seed, device="cpu"):
    """Train a digits MLP on n training images (seeded split); returns (model, X_train)."""
    from theory.testbeds.data import load_digits_split
    from theory.testbeds.nets import make_mlp, train

    split = load_digits_split(n_train=min(n, 1437), seed=seed, device=device)
    model = make_mlp(64, hidden, 10, activation="relu", seed=seed, device=device)
    train(model, split.X_train, split.y_train, "classification", epochs=epochs, lr=2e-3, batch_size=256,
          seed=seed, device=device, weight_decay=1e-4)
    return model, split.X_train


def _lam_for_dof(mu, target):
    """λ with N̂(λ) = target (bisection on log λ; N̂ decreases in λ)."""
    lo, hi = 1e-14 * mu[0], 1e6 * mu.sum()
    for _ in range(200):
        mid = math.sqrt(lo * hi)
        if sp.degrees_of_freedom(mu, mid) > target:
            lo = mid
        else:
            hi = mid
        if hi / lo < 1 + 1e-9:
            break
    return hi


# ---- one config --------------------------------------------------------------------------------

def _layer_analysis(S, Z, cfg, rng):
    m = S.shape[0]
    mu = np.sort(np.clip(np.linalg.eigvalsh(S), 0, None))[::-1]
    lam_rel = np.geomspace(1e-6, 1.0, cfg["n_lams"])
    dof = sp.degrees_of_freedom(mu, lam_rel * mu[0])
    tau = REL_TAU * float(np.trace(S)) / m
    e0 = float(np.trace(Z @ S @ Z.T))
    rows = []
    for w in cfg["prune_widths"]:
        if w >= m:
            continue
        g = sp.spectral_prune(S, w, tau, theta=0.0, next_weight=Z, method="greedy")
        mag = sp.spectral_prune(S, w, tau, theta=0.0, next_weight=Z, method="magnitude")
        err = {"greedy": sp.reconstruction_error(S, g.keep, g.A, Z),
               "magnitude": sp.reconstruction_error(S, mag.keep, mag.A, Z)}
        rnd = []
        for _ in range(cfg["n_random"]):
            r = sp.spectral_prune(S, w, tau, theta=0.0, next_weight=Z, method="random", rng=rng)
            rnd.append(sp.reconstruction_error(S, r.keep, r.A, Z))
        # leverage sampling in practice: q from the λ with N̂(λ) = w, w distinct nodes, same τ
        lam_n = _lam_for_dof(mu, w)
        lev = []
        for _ in range(cfg["n_leverage"]):
            r = sp.spectral_prune(S, w, lam_n, theta=0.0, next_weight=Z, method="leverage", rng=rng, tau=tau)
            lev.append(sp.reconstruction_error(S, r.keep, r.A, Z))
        # the guarantee regime: λ♯(w) (m♯(λ♯, δ) = w), w i.i.d. draws, derived τ_j = λ s q_j / c_j
        lam_w = sp.lambda_for_width(mu, w, delta=cfg["delta"])
        distinct, pen, lb = [], [], []
        fails = []
        for _ in range(cfg["reps"]):
            smp = sp.leverage_sample(S, lam=lam_w, draws=w, rng=rng)
            top = float(np.linalg.eigvalsh(sp.residual_covariance(S, smp.keep, smp.tau))[-1])
            fails.append(float(top > sp.leverage_reconstruction_guarantee(lam_w)))
            pen.append(top / lam_w)
            distinct.append(smp.keep.size)
            lb.append(sp.pruning_loss(S, smp.keep, smp.tau, theta=0.0, next_weight=Z))
        fm = Measurement.from_samples(fails)
        rows.append({"kind": "prune", "width": int(w), "e0": e0,
                     "greedy_error": err["greedy"], "magnitude_error": err["magnitude"],
                     "random_error": float(np.mean(rnd)), "random_error_se": float(np.std(rnd, ddof=1) / math.sqrt(len(rnd))),
                     "leverage_error": float(np.mean(lev)), "lam_dof": float(lam_n),
                     "guarantee_distinct": float(np.mean(distinct)), "guarantee_loss": float(np.mean(lb)),
                     "lam_sharp": float(lam_w), "n_dof_at_lam_sharp": float(sp.degrees_of_freedom(mu, lam_w)),
                     "leverage_bound": sp.leverage_reconstruction_guarantee(lam_w, next_weight=Z),
                     "guarantee_fail_rate": fm.value, "guarantee_fail_se": fm.se,
                     "max_ratio_lmax_over_lam": float(np.max(pen))})
    spec = {"kind": "spectrum", "width": m, "eig_rel": (mu / mu[0]).tolist(), "lam_rel": lam_rel.tolist(),
            "dof": np.asarray(dof).tolist(), "trace": float(np.trace(S))}
    return spec, rows


def run(config):
    import torch

    from theory.testbeds.nets import linear_layers

    dev = config.get("device", "cpu")
    seed = int(config["seed"])
    torch.set_num_threads(1)
    if config["net"] == "teacher_student":
        ts = teacher_student(device=dev)
        model, X, _ = train_student(ts, config["n"], config["hidden"], config["epochs"], seed, device=dev)
    else:
        model, X = train_digits(config["n"], config["hidden"], config["epochs"], seed, device=dev)
    lins = linear_layers(model)
    out = []
    rng = np.random.default_rng(seed + 10_000)
    for layer in range(len(lins) - 1):
        S = sp.activation_covariance(model, X, layer)
        Z = lins[layer + 1].weight.detach().double().cpu().numpy()
        spec, rows = _layer_analysis(S, Z, config, rng)
        out.append({**spec, "layer": layer})
        out.extend({**r, "layer": layer} for r in rows)
    return out


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
        fig, axes = _style.figure(ncols=2, nrows=2, width=3.5, height=2.7)
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
        ax_dof.annotate("width $m$", (1e-6, w_full), xytext=(2, -10), textcoords="offset points", fontsize=7.5,
                        color=C["reference"])
        ax_dof.set_xlabel(r"$\lambda/\hat\mu_1$")
        ax_dof.set_ylabel(r"$\hat N(\lambda)$")
        ax_dof.set_title(r"degrees of freedom $\mathrm{Tr}[\hat\Sigma(\hat\Sigma+\lambda I)^{-1}]$")
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
                    label=r"leverage, $m^\sharp(\lambda^\sharp)=w$ draws: $L_B$ with $\tau_j=\lambda^\sharp s q_j/c_j$")
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
            ax.set_title(f"{NET_LABEL[net]}: output reconstruction error")
            ax.set_ylim(top=max(30.0, 1.5 * float(np.max(bd / e0))))
        handles, labels = axes[1][0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncol=3)
        _style.save(fig, out_dir, NAME)


def claims(rows):
    out = []
    for r in rows:
        if r["kind"] != "prune":
            continue
        setting = {"net": r["net"], "layer": r["layer"] + 1, "width": r["width"], "seed": r["seed"]}
        out.append(make_row(sp.SPECTRAL_LEVERAGE_GUARANTEE, {**setting, "delta": r["delta"], "reps": r["reps"]},
                            r["delta"], r["guarantee_fail_rate"], r["guarantee_fail_se"], experiment=NAME,
                            extra={"lam_sharp": r["lam_sharp"]}))
        if r["width"] not in r["claim_widths"]:
            continue
        out.append(make_row(sp.SPECTRAL_GREEDY_VS_MAGNITUDE, setting, r["magnitude_error"], r["greedy_error"],
                            experiment=NAME))
        out.append(make_row(sp.SPECTRAL_GREEDY_VS_RANDOM, {**setting, "n_random": r["n_random"]},
                            r["random_error"], r["greedy_error"], experiment=NAME))
    return out
