"""CoreNet coresets: output error and risk against the fraction of weights kept, the guarantee, and the bound.

Baykal, Liebenwein et al. (ICLR 2019) sparsify a trained network by sampling the incoming edges of
every neuron with probabilities proportional to their empirical sensitivity (theory.coresets).
Three parts:

- *pruning*: trained MLPs (a teacher–student regression net on fresh Gaussian inputs, and an MLP
  on scikit-learn's digits), compressed without retraining by CoreNet, CoreNet+, CoreNet++, CoreNet
  with the theorem's split of the budget across layers, uniform edge sampling, magnitude
  thresholding, truncated SVD (and spectral pruning when ``theory.spectral`` exists); relative
  output error and population risk (fresh samples / held-out digits) against the fraction of
  weights kept, mean ± standard error over seeds.
- *guarantee*: on a small random ReLU net the theoretical sample size is finite; the fraction of
  fresh (input, output unit) pairs with f̂_k(x) ∉ (1±ε)f_k(x) is compared with δ over a grid of
  (ε, δ), and against a multiple ``sample_scale`` < 1 of the theoretical sample size (how
  conservative the theorem is).
- *bound*: a compression (Occam) bound in the style of Arora et al. (ICML 2018) for the quantized
  CoreNet net on a teacher–student classification task, against its population 0-1 error.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from theory import coresets
from theory.claims import Measurement, make_row
from theory.coresets import (corenet, guarantee_failure, magnitude_prune, margin_loss, quantize_weights, relative_output_error,
                             truncated_svd, uniform_sparsify)
from theory.testbeds.data import load_digits_split
from theory.testbeds.nets import TeacherStudent, make_mlp, train

from . import _style

NAME = "coreset_pruning"
ORDER = 40
VERSION = 3
USES_DEVICE = True

try:  # spectral pruning (theory/spectral.py) is written by another issue; use it when present
    from theory.spectral import prune_network as _spectral_prune
except ImportError:  # pragma: no cover - depends on the tree
    _spectral_prune = None

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

METHODS = ("CoreNet", "CoreNet+", "CoreNet++", "CoreNet (theory split)", "uniform", "magnitude",
           "truncated SVD", "spectral")
# Teacher–student regression testbed: 64 Gaussian inputs, a one-hidden-layer teacher with four
# unit-variance outputs, noise σ = 0.3 (Bayes risk 4·0.09 = 0.36).
TS = {"in_dim": 64, "teacher_widths": [64], "out_dim": 4, "noise_std": 0.3}
# Guarantee testbed: an untrained 10-30-3 ReLU net (normal init) on standard Gaussian inputs.
GUARANTEE_NET = {"in_dim": 10, "widths": [30], "out_dim": 3, "n_s": 200, "n_fresh": 5000}
# Bound testbed: a 10-32-32-5 student of a noiseless (T = 0) teacher–student classification task.
BOUND_NET = {"in_dim": 10, "teacher_widths": [16], "widths": [32, 32], "out_dim": 5, "levels": 255,
             "delta_bound": 0.05, "n_fresh": 20000}


def grid(profile):
    p = PROFILES[profile]
    cfgs = []
    for tb in p["testbeds"]:
        for s in range(p["seeds"]):
            cfgs.append({"kind": "pruning", "testbed": tb, "fractions": p["fractions"],
                         "n_train": p["n_train"], "widths": p["widths"], "epochs": p["epochs"],
                         "n_s": p["n_s"], "n_fresh": p["n_fresh"], "seed": 100 + s})
    for i, (eps, delta) in enumerate(p["guarantee"]):
        cfgs.append({"kind": "guarantee", **GUARANTEE_NET, "eps": eps, "delta": delta,
                     "scales": p["scales"], "seed": 200 + i})
    for s in range(p["bound_seeds"]):
        cfgs.append({"kind": "bound", **BOUND_NET, "n_train": p["bound_n"],
                     "fractions": p["bound_fractions"], "epochs": p["bound_epochs"], "seed": 300 + s})
    return cfgs


# ---- pruning ---------------------------------------------------------------------------------

def _testbed(cfg, device):
    """Train the net of one pruning config; returns (model, S, S_val, X_eval, risk_fn)."""
    seed = cfg["seed"]
    if cfg["testbed"] == "teacher_student":
        ts = TeacherStudent(TS["in_dim"], tuple(TS["teacher_widths"]), TS["out_dim"], task="regression",
                            noise_std=TS["noise_std"], teacher_seed=seed, device=device)
        X, Y = ts.sample(cfg["n_train"], seed + 1)
        net = make_mlp(TS["in_dim"], cfg["widths"], TS["out_dim"], seed=seed, device=device)
        train(net, X, Y, "regression", epochs=cfg["epochs"], lr=2e-3, batch_size=128, seed=seed)
        X_eval, _ = ts.sample(cfg["n_fresh"], seed + 2)

        def risk(model):
            r = ts.population_risk(model, n_fresh=cfg["n_fresh"], rng=seed + 3)
            return r.loss.value, r.loss.se, math.nan, math.nan
        extra = {"bayes_risk": ts.bayes_risk()}
    else:
        ds = load_digits_split(n_train=1000, n_test=797, seed=seed, device=device)
        X = ds.X_train
        net = make_mlp(ds.n_features, cfg["widths"], ds.n_classes, seed=seed, device=device)
        train(net, X, ds.y_train, "classification", epochs=max(cfg["epochs"], 40), lr=2e-3, batch_size=64,
              seed=seed)
        X_eval = ds.X_test
        yt = ds.y_test

        def risk(model):
            with torch.no_grad():
                out = model(X_eval)
                wrong = (out.argmax(dim=1) != yt).double().cpu().numpy()
                ce = torch.nn.functional.cross_entropy(out, yt, reduction="none").double().cpu().numpy()
            ce_m, err_m = Measurement.from_samples(ce), Measurement.from_samples(wrong)
            return ce_m.value, ce_m.se, err_m.value, err_m.se
        extra = {"bayes_risk": math.nan}
    n_s = cfg["n_s"]
    return net, X[:n_s], X[n_s:2 * n_s], X_eval, risk, extra


def _compress(method, net, f, S, S_val, rng):
    if method == "CoreNet":
        r = corenet(net, S, fraction=f, rng=rng)
    elif method == "CoreNet+":
        r = corenet(net, S, fraction=f, rng=rng, variant="plus")
    elif method == "CoreNet++":
        r = corenet(net, S, fraction=f, rng=rng, variant="plusplus", validation_inputs=S_val)
    elif method == "CoreNet (theory split)":
        r = corenet(net, S, fraction=f, rng=rng, allocation="theory")
    elif method == "uniform":
        c = uniform_sparsify(net, f, rng=rng)
        return c.model, c.kept_fraction, math.nan
    elif method == "magnitude":
        c = magnitude_prune(net, f)
        return c.model, c.kept_fraction, math.nan
    elif method == "truncated SVD":
        c = truncated_svd(net, f)
        return c.model, c.kept_fraction, math.nan
    else:
        return None
    return r.model, r.kept_fraction, r.eps


def _run_pruning(cfg):
    dev = cfg.get("device", "cpu")
    torch.manual_seed(0)
    net, S, S_val, X_eval, risk, extra = _testbed(cfg, dev)
    base_loss, base_se, base_err, base_err_se = risk(net)
    rows = []
    methods = [m for m in METHODS if m != "spectral" or _spectral_prune is not None]
    for f in cfg["fractions"]:
        for k, method in enumerate(methods):
            rng = np.random.default_rng([cfg["seed"], int(round(f * 1000)), k])
            out = _compress(method, net, f, S, S_val, rng) if method != "spectral" else _spectral(net, S, f)
            if out is None:
                continue
            model, kept, cert = out
            rel = relative_output_error(net, model, X_eval)
            loss, loss_se, err, err_se = risk(model)
            rows.append({"method": method, "fraction": f, "kept_fraction": kept, "rel_error": rel.value,
                         "rel_error_se": rel.se, "risk": loss, "risk_se": loss_se, "error": err,
                         "error_se": err_se, "certified_eps": cert, "base_risk": base_loss,
                         "base_risk_se": base_se, "base_error": base_err, **extra})
    return rows


def _spectral(net, S, f):
    """Spectral pruning to hidden widths round(r·h), with r the largest ratio keeping <= f of the weights."""
    from theory.testbeds.nets import linear_layers
    lins = linear_layers(net)
    hidden = [l.out_features for l in lins[:-1]]
    total = sum(l.weight.numel() for l in lins)

    def widths(r):
        return [max(1, int(round(r * h))) for h in hidden]

    def n_weights(ws):
        dims = [lins[0].in_features, *ws, lins[-1].out_features]
        return sum(a * b for a, b in zip(dims[:-1], dims[1:]))
    lo, hi = 0.0, 1.0
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if n_weights(widths(mid)) <= f * total else (lo, mid)
    small = _spectral_prune(net, S, widths=widths(max(lo, 1e-9))).model
    kept = sum(int(torch.count_nonzero(l.weight)) for l in linear_layers(small))
    return small, kept / total, math.nan


# ---- guarantee -------------------------------------------------------------------------------

def _run_guarantee(cfg):
    g = np.random.default_rng(cfg["seed"])
    net = make_mlp(cfg["in_dim"], cfg["widths"], cfg["out_dim"], seed=cfg["seed"], init="normal")
    X = torch.as_tensor(g.standard_normal((cfg["n_s"] + cfg["n_fresh"], cfg["in_dim"])), dtype=torch.float32)
    S, fresh = X[:cfg["n_s"]], X[cfg["n_s"]:]
    rows = []
    for k, sc in enumerate(cfg["scales"]):
        r = corenet(net, S, eps=cfg["eps"], delta=cfg["delta"], rng=np.random.default_rng([cfg["seed"], k]),
                    sample_scale=sc)
        chk = guarantee_failure(net, r.model, fresh, cfg["eps"])
        rows.append({"scale": sc, "pair_failure": chk.pair_failure.value, "pair_failure_se": chk.pair_failure.se,
                     "input_failure": chk.input_failure.value, "input_failure_se": chk.input_failure.se,
                     "max_samples": float(max(m.max() for m in r.samples)), "kept_fraction": r.kept_fraction,
                     "delta_forward": float(r.delta_terms.delta_forward[0]), "kappa": r.constants.kappa})
    return rows


# ---- bound -----------------------------------------------------------------------------------

def _run_bound(cfg):
    seed = cfg["seed"]
    dev = cfg.get("device", "cpu")
    ts = TeacherStudent(cfg["in_dim"], tuple(cfg["teacher_widths"]), cfg["out_dim"], task="classification",
                        temperature=0.0, teacher_seed=seed, device=dev)
    X, Y = ts.sample(cfg["n_train"], seed + 1)
    net = make_mlp(cfg["in_dim"], cfg["widths"], cfg["out_dim"], seed=seed, device=dev)
    train(net, X, Y, "classification", epochs=cfg["epochs"], lr=3e-3, batch_size=256, seed=seed)
    n_layers = len(cfg["widths"]) + 1
    total = sum(p.numel() for p in net.parameters())
    base = ts.population_risk(net, n_fresh=cfg["n_fresh"], rng=seed + 2).error
    rows = []
    with torch.no_grad():
        f_train = net(X)
    for k, f in enumerate(cfg["fractions"]):
        r = corenet(net, X[:300], fraction=f, rng=np.random.default_rng([seed, k]))
        gq = quantize_weights(r.model, cfg["levels"])
        emp = margin_loss(gq, X, Y)
        with torch.no_grad():
            gamma = 2.0 * float((gq(X) - f_train).abs().max()) * (1 + 1e-6)
        emp_arora = margin_loss(net, X, Y, gamma=gamma)
        nnz = sum(int(torch.count_nonzero(p)) for p in gq.parameters())
        b = coresets.compression_bound(emp, cfg["n_train"], nnz, total, levels=cfg["levels"],
                                       n_layers=n_layers, delta=cfg["delta_bound"])
        b_arora = coresets.compression_bound(emp_arora, cfg["n_train"], nnz, total, levels=cfg["levels"],
                                             n_layers=n_layers, delta=cfg["delta_bound"])
        pop = ts.population_risk(gq, n_fresh=cfg["n_fresh"], rng=seed + 3).error
        rows.append({"fraction": f, "kept_fraction": nnz / total, "nonzero": nnz, "bound": b.bound,
                     "bound_arora": b_arora.bound, "train_error": emp, "margin_loss_gamma": emp_arora,
                     "gamma": gamma, "complexity": b.complexity, "pop_error": pop.value,
                     "pop_error_se": pop.se, "base_pop_error": base.value})
    return rows


def run(config):
    kind = config["kind"]
    if kind == "pruning":
        return _run_pruning(config)
    if kind == "guarantee":
        return _run_guarantee(config)
    return _run_bound(config)


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
            v = np.array([r[key] for r in rs if r["fraction"] == f], dtype=float)
            kk = np.array([r["kept_fraction"] for r in rs if r["fraction"] == f], dtype=float)
            kept.append(kk.mean())
            mean.append(v.mean())
            se.append(v.std(ddof=1) / math.sqrt(v.size) if v.size > 1 else 0.0)
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
        fig, axes = _style.figure(ncols=3, nrows=2, width=3.3, height=2.7)
        ax = axes.ravel()
        if "teacher_student" in testbeds:
            base = np.mean([r["base_risk"] for r in rows if r.get("testbed") == "teacher_student"])
            _panel(ax[0], _summary(rows, "teacher_student", "rel_error"), "relative output error",
                   "teacher–student: output error")
            ax[0].axhline(1.0, color=C["reference"], lw=0.8, ls=":")
            _panel(ax[1], _summary(rows, "teacher_student", "risk"), "population risk (fresh samples)",
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
        cols = [C["empirical"], C["gen"], C["alt"], C["population"], C["bound"], C["alt2"]]
        for i, (e, d) in enumerate(settings):
            rs = sorted([r for r in gs if (r["eps"], r["delta"]) == (e, d)], key=lambda r: r["scale"])
            sc = np.array([r["scale"] for r in rs])
            y = np.array([r["pair_failure"] for r in rs])
            ax[4].errorbar(sc, np.maximum(y, 1e-5), yerr=[3 * r["pair_failure_se"] for r in rs],
                           color=cols[i % len(cols)], marker="o", ms=3, lw=1.1,
                           label=rf"$\varepsilon$={e:g}, $\delta$={d:g}")
            ax[4].axhline(d, color=cols[i % len(cols)], lw=0.7, ls=":")
        ax[4].set_xscale("log")
        ax[4].set_yscale("log")
        ax[4].set_xlabel("samples / theoretical sample size")
        ax[4].set_ylabel(r"fresh pairs with $\hat f_k\notin(1\pm\varepsilon)f_k$")
        ax[4].set_title("guarantee (dotted: $\\delta$)")
        if gs:
            ax[4].legend(loc="upper right", fontsize=6.5, ncol=1)
        # bound: Occam/Arora bound against measured population error
        bs = [r for r in rows if r["kind"] == "bound"]
        if bs:
            fr = sorted({r["fraction"] for r in bs})

            def agg(key):
                v = [np.mean([r[key] for r in bs if r["fraction"] == f]) for f in fr]
                return np.array(v)
            kept = 100 * agg("kept_fraction")
            ax[5].plot(kept, agg("bound"), "o-", color=C["bound"], ms=3.5,
                       label=r"bound: $\hat L_0(\hat g)$ + complexity")
            ax[5].plot(kept, agg("bound_arora"), "o--", color=C["bound"], ms=3.5, mfc="white",
                       label=r"bound with $\hat L_\gamma(f)$ (Arora et al.)")
            ax[5].errorbar(kept, agg("pop_error"), yerr=3 * agg("pop_error_se"), fmt="s-", color=C["population"],
                           ms=3.5, label=r"measured $L_0(\hat g)$ (fresh)")
            ax[5].plot(kept, agg("train_error"), "^-", color=C["empirical"], ms=3.5,
                       label=r"training $\hat L_0(\hat g)$")
            ax[5].axhline(np.mean([r["base_pop_error"] for r in bs]), color="k", lw=0.8, ls="--",
                          label="uncompressed (fresh)")
            ax[5].axhline(1.0, color=C["reference"], lw=0.8, ls=":")
            ax[5].set_xlabel("parameters kept [%] (quantized, 255 levels)")
            ax[5].set_ylabel("0-1 error")
            ax[5].set_title(f"compression bound, n = {bs[0]['n_train']}")
            ax[5].set_ylim(0, max(2.2, float(np.nanmax(agg("bound_arora"))) * 1.05))
            ax[5].legend(loc="upper right", fontsize=6.5, ncol=1)
        handles, labels = ax[0].get_legend_handles_labels()
        if not handles:
            handles, labels = ax[2].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncol=5)
        _style.save(fig, out_dir, NAME)


def claims(rows):
    out = []
    for r in rows:
        if r["kind"] == "guarantee" and r["scale"] == 1.0:
            setting = {"eps": r["eps"], "delta": r["delta"], "net": "10-30-3", "n_fresh": r["n_fresh"],
                       "seed": r["seed"]}
            extra = {"max_samples": r["max_samples"], "kept_fraction": r["kept_fraction"]}
            out.append(make_row(coresets.CORESET_GUARANTEE_PAIRS, setting, r["delta"], r["pair_failure"],
                                r["pair_failure_se"], experiment=NAME, extra=extra))
            out.append(make_row(coresets.CORESET_GUARANTEE_INPUTS, setting, r["delta"], r["input_failure"],
                                r["input_failure_se"], experiment=NAME, extra=extra))
        elif r["kind"] == "bound":
            setting = {"fraction": r["fraction"], "n_train": r["n_train"], "levels": r["levels"],
                       "seed": r["seed"]}
            out.append(make_row(coresets.CORESET_COMPRESSION_BOUND, setting, r["bound"], r["pop_error"],
                                r["pop_error_se"], experiment=NAME,
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
                out.append(make_row(coresets.CORESET_BEATS_UNIFORM, {"testbed": tb, "fraction": f},
                                    mu[j], mc[i], sc[i], experiment=NAME,
                                    extra={"uniform_se": su[j]}))
    return out
