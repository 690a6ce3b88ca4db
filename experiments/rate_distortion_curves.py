"""Rate–distortion: closed forms against Blahut–Arimoto, and BA's certified gap.

Left: the Gaussian R(D) = ½log(σ²/D) against Blahut–Arimoto run on a finely discretized Gaussian
source (reproduction on the same grid), one point per slope β. Middle: Bernoulli(p) with Hamming
distortion, R(D) = h(p) − h(D), against BA for three values of p. Right: the certified gap
R_upper − R_lower of BA's stopping rule (Blahut 1972) against the iteration count: it bounds the
distance to the true R(D) at every iteration, so BA's answer comes with a certificate.
"""

from __future__ import annotations

import numpy as np

from theory import catalog
from theory.claims import make_row
from theory.testbeds.protocols import bernoulli_blahut_arimoto
from theory.rate_distortion import (bernoulli_hamming_rate_distortion, blahut_arimoto,
                                    discretized_gaussian_source, gaussian_rate_distortion,
                                    rate_distortion_curve, squared_error_matrix)

from . import _style

NAME = "rate_distortion_curves"
ORDER = 12  # position in `python -m experiments list` and the claims table
VERSION = 2
CLAIMS = (catalog.RD_BERNOULLI,)  # the claims this experiment emits

PROFILES = {
    "smoke": {"num_points": 41, "n_betas": 3, "trace_iters": [1, 4, 16]},
    "quick": {"num_points": 161, "n_betas": 14, "trace_iters": [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]},
    "full": {"num_points": 401, "n_betas": 30,
             "trace_iters": [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096]},
}
BERNOULLI_P = (0.1, 0.25, 0.5)
TRACE_BETAS = (1.0, 5.0)


def grid(profile):
    p = PROFILES[profile]
    # Gaussian, σ² = 1: slope −β = −1/(2D), so D ∈ [0.04, 0.9] needs β ∈ [0.55, 12.5].
    g_betas = [float(b) for b in np.geomspace(0.55, 12.5, p["n_betas"])]
    b_betas = [float(b) for b in np.linspace(0.05, 5.5, p["n_betas"])]
    cfgs = [{"kind": "gaussian", "variance": 1.0, "num_points": p["num_points"], "betas": g_betas,
             "seed": 0}]
    cfgs += [{"kind": "bernoulli", "p": q, "betas": b_betas, "seed": 0} for q in BERNOULLI_P]
    cfgs += [{"kind": "trace", "variance": 1.0, "num_points": p["num_points"], "beta": b,
              "iters": p["trace_iters"], "seed": 0} for b in TRACE_BETAS]
    return cfgs


def _gaussian_problem(cfg):
    px, x = discretized_gaussian_source(cfg["variance"], cfg["num_points"])
    return px, x, squared_error_matrix(x, x)


def run(config):
    kind = config["kind"]
    if kind == "gaussian":
        px, x, dmat = _gaussian_problem(config)
        var_disc = float(np.sum(px * x ** 2) - np.sum(px * x) ** 2)
        # BA converges sublinearly here (the optimal reproduction law has compact support on the
        # grid), so stop at a certified gap of 1e-5 nats, far below what the figure resolves.
        curve = rate_distortion_curve(px, dmat, config["betas"], tol=1e-5, warm_start=False)
        return [{"beta": b, "rate": r, "distortion": d, "gap": g,
                 "closed_form": gaussian_rate_distortion([var_disc], d), "source_variance": var_disc}
                for b, r, d, g in zip(curve.betas, curve.rates, curve.distortions, curve.gaps)]
    if kind == "bernoulli":
        return [{"beta": b, **bernoulli_blahut_arimoto(config["p"], b)} for b in config["betas"]]
    if kind == "trace":
        px, x, dmat = _gaussian_problem(config)
        rows = []
        for k in config["iters"]:
            res = blahut_arimoto(px, dmat, config["beta"], tol=1e-300, max_iter=k)  # run exactly k iterations
            rows.append({"iterations": res.iterations, "gap": res.gap, "rate": res.rate,
                         "rate_lower": res.rate_lower, "rate_upper": res.rate_upper,
                         "distortion": res.distortion})
        return rows
    raise ValueError(f"`kind` must be gaussian, bernoulli or trace; got {kind!r}")


def plot(rows, out_dir):
    C = _style.COLORS
    pcol = {0.1: C["empirical"], 0.25: C["gen"], 0.5: C["population"]}
    with _style.style():
        fig, (a1, a2, a3) = _style.figure(ncols=3, height=2.5)
        g = sorted((r for r in rows if r["kind"] == "gaussian"), key=lambda r: r["distortion"])
        var = g[0]["source_variance"]
        D = np.linspace(0.02, 1.0, 300)
        a1.plot(D, [gaussian_rate_distortion([var], d) for d in D], color=C["reference"],
                label=r"$\frac{1}{2}\log(\sigma^2/D)$")
        a1.plot([r["distortion"] for r in g], [r["rate"] for r in g], "o", ms=3.5, mfc="white",
                color=C["bound"], label=f"BA, {g[0]['num_points']}-pt grid")
        a1.set_xlabel("distortion $D$ (squared)")
        a1.set_ylabel("rate [nats]")
        a1.set_title("Gaussian, $\\sigma^2=1$")
        a1.legend()
        for p in BERNOULLI_P:
            b = sorted((r for r in rows if r["kind"] == "bernoulli" and r["p"] == p), key=lambda r: r["distortion"])
            Dg = np.linspace(1e-4, 0.5, 400)
            a2.plot(Dg, [bernoulli_hamming_rate_distortion(p, d) for d in Dg], color=pcol[p], lw=1.2)
            a2.plot([r["distortion"] for r in b], [r["rate"] for r in b], "o", ms=3, mfc="white",
                    color=pcol[p], label=f"$p={p:g}$")
        a2.set_xlabel("distortion $D$ (Hamming)")
        a2.set_title("Bernoulli source")
        a2.legend(title="lines: $h(p)-h(D)$\npoints: BA", title_fontsize=7.5, alignment="left")
        for b, ls in zip(TRACE_BETAS, ("-", "--")):
            t = sorted((r for r in rows if r["kind"] == "trace" and r["beta"] == b), key=lambda r: r["iterations"])
            a3.loglog([r["iterations"] for r in t], [max(r["gap"], 1e-16) for r in t], ls, marker="o", ms=3,
                      color=C["bound"], label=fr"$\beta={b:g}$")
        a3.set_xlabel("iterations")
        a3.set_ylabel(r"gap $R_{up}-R_{low}$ [nats]")
        a3.set_title("BA stopping certificate")
        a3.legend(handlelength=2.6)
        _style.save(fig, out_dir, NAME)


def claims(rows):
    out = []
    for r in rows:
        if r["kind"] != "bernoulli":
            continue
        setting = {"p": r["p"], "beta": round(r["beta"], 4), "D": round(r["distortion"], 5)}
        out.append(make_row(catalog.RD_BERNOULLI, setting, r["closed_form"], r["bracket_mid"], r["bracket_se"]))
    return out
