"""CoreNet: ``theory.coresets.corenet`` (vectorized over neurons) against a per-neuron loop.

Sparsifies a 784-300-100-10 ReLU MLP (the LeNet-300-100 shape of Baykal et al., ICLR 2019, built
with ``make_mlp`` and a seeded random init, on synthetic image-like inputs in [0, 1] with a
zero border, so no MNIST download) to 10% of its weights. The peer is a straightforward
implementation of the same algorithm with a Python loop over neurons and sign groups: for each
neuron, the sensitivities max_x w_j a_j(x) / sum_k w_k a_k(x), then the same per-layer budget
bisection (the library's helper) and a multinomial draw per neuron. Both draw from the same
generator in the same order, so they return the same network; values are the fraction of weights kept (reference: the 10% target). Times are the best
of 3 runs of ``time.perf_counter``; ``quick`` uses 100 points in S instead of 300.
"""

from __future__ import annotations


import numpy as np
import torch

from ._timing import best_time

NAME = "corenet_vectorized_vs_loop"
_REPEATS = 3


def _loop_corenet(net, X, fraction, delta, rng):
    """The same algorithm as ``corenet(..., fraction=...)``, with Python loops over neurons.

    Sensitivities and draws are computed neuron by neuron and sign group by sign group; the
    network-level quantities (Delta terms, the per-layer budget bisection) reuse the library's
    helpers, so the timing difference is the vectorization over neurons.
    """
    from theory import coresets as cs
    from theory.coresets._corenet import _budget_scale
    from theory.testbeds.nets import linear_layers

    lins = linear_layers(net)
    L = len(lins)
    Ws = [l.weight.detach().double().numpy() for l in lins]
    bs = [l.bias.detach().double().numpy() for l in lins]
    acts = cs.layer_inputs(net, X)
    eta = sum(l.out_features for l in lins)
    eta_star = max(l.in_features for l in lins)
    consts = cs.corenet_constants(eta, eta_star, delta)
    dterms = cs.delta_terms(Ws, acts, kappa=consts.kappa, biases=bs)
    lg = np.log(8.0 * eta / delta)
    out = []
    for l, (W, A) in enumerate(zip(Ws, acts)):
        if np.any(A < 0):
            A = np.concatenate([np.maximum(A, 0), np.maximum(-A, 0)])
        S = np.zeros((W.shape[0], 2))
        Q = [np.zeros_like(W), np.zeros_like(W)]
        for k, sign in enumerate((1.0, -1.0)):
            for i in range(W.shape[0]):
                w = np.where(sign * W[i] > 0, sign * W[i], 0.0)
                z = A @ w
                ok = z > 0
                s = (A[ok] * w / z[ok, None]).max(axis=0) if ok.any() else np.zeros_like(w)
                S[i, k] = s.sum()
                if S[i, k] > 0:
                    Q[k][i] = s / S[i, k]
        rate = 8.0 * S * 2.0 * lg * (2.0 * L * dterms.delta_forward[l]) ** 2
        t = _budget_scale([rate[:, 0], rate[:, 1]], Q, fraction * W.size)
        m = np.ceil(rate * t).astype(np.int64)
        What = np.zeros_like(W)
        for k, sign in enumerate((1.0, -1.0)):
            for i in range(W.shape[0]):
                w = np.where(sign * W[i] > 0, sign * W[i], 0.0)
                if m[i, k] == 0 or S[i, k] == 0:
                    q, mi = np.eye(1, len(w))[0], 0
                else:
                    q, mi = Q[k][i], int(m[i, k])
                c = rng.multinomial(mi, q)
                denom = mi * q
                What[i] += sign * np.divide(w * c, denom, out=np.zeros_like(w), where=denom > 0)
        out.append(What)
    return out


def run(quick: bool = False) -> list[dict]:
    """Time CoreNet at 10% kept on a 784-300-100-10 MLP, ours against a per-neuron loop.

    Parameters
    ----------
    quick : bool, default False
        100 points in S instead of 300.

    Returns
    -------
    list of dict
        One row: benchmark, case, ours_value, peer_value, reference_value, ours_time_s,
        peer_time_s, speedup (peer / ours), note.
    """
    from theory.coresets import corenet
    from theory.testbeds.nets import linear_layers, make_mlp

    n = 100 if quick else 300
    net = make_mlp(784, (300, 100), 10, seed=0)
    g = np.random.default_rng(0)
    img = g.uniform(0.0, 1.0, (n, 28, 28))
    img[:, :4, :] = img[:, -4:, :] = img[:, :, :4] = img[:, :, -4:] = 0.0   # a zero border, as in MNIST
    X = torch.as_tensor(img.reshape(n, 784), dtype=torch.float32)
    torch.set_num_threads(1)
    res, t_ours = best_time(lambda: corenet(net, X, fraction=0.1, delta=0.1, rng=0), _REPEATS)
    Ws = [l.weight.detach().double().numpy() for l in linear_layers(net)]
    loop, t_loop = best_time(lambda: _loop_corenet(net, X, 0.1, 0.1, np.random.default_rng(0)), _REPEATS)
    ours_W = [l.weight.detach().double().numpy() for l in linear_layers(res.model)]
    diff = max(float(np.max(np.abs(a - b))) for a, b in zip(ours_W, loop))
    kept_loop = sum(int(np.count_nonzero(W)) for W in loop) / sum(W.size for W in Ws)
    return [{
        "benchmark": NAME,
        "case": f"784-300-100-10 MLP, |S|={n}, 10% of weights kept",
        "ours_value": res.kept_fraction,
        "peer_value": kept_loop,
        "reference_value": 0.1,
        "ours_time_s": t_ours,
        "peer_time_s": t_loop,
        "speedup": t_loop / t_ours if t_ours > 0 else float("inf"),
        "note": (f"values: fraction of weights kept; max |W_ours - W_loop| = {diff:.2g} (ours is "
                 "stored in float32); both run the whole algorithm (Delta terms, per-layer budget "
                 "bisection shared), the peer loops over neurons for sensitivities and draws"),
    }]
