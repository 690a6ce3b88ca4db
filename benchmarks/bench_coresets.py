"""CoreNet: ``theory.coresets.corenet`` against a plain vectorized torch implementation of it.

Sparsifies a 784-300-100-10 ReLU MLP (the LeNet-300-100 shape of Baykal et al., ICLR 2019, built
with ``make_mlp`` and a seeded random init, on synthetic image-like inputs in [0, 1] with a
zero border, so no MNIST download) to 10% of its weights (budget mode, layerwise allocation).

The peer (``_torch_corenet``, this file) runs the same algorithm written plainly in torch
(float64, one thread): the forward pass for the layer inputs, the Delta terms by two matmuls per
layer, the empirical sensitivities batched over neurons (one matmul for the group
pre-activations, then the max over the points of S of the broadcast products, in chunks of
neurons), the same per-layer bisection of the budget scale vectorized over the whole layer, and
one multinomial draw per layer and sign group batched over neurons. The draws use the same numpy
generator in the same order as ours (torch has no seeded multinomial with numpy's stream), so
the peer returns the same network; the note reports the largest weight difference (ours is
stored in float32). Values are the fraction of weights kept (reference: the 10% target).

Rows: |S| = 300 points (quick: 100), and a scaling series over the hidden width (784-w-w/3-10,
w = 150, 300, 600; quick: 75, 150). Timing: ``benchmarks._timing.compare`` (one warm-up call
each, then interleaved calls, medians of 5).
"""

from __future__ import annotations

import copy
import math

import numpy as np
import torch

from ._timing import compare

NAME = "corenet"
_PEER = "plain vectorized torch CoreNet (this file)"
# Most entries of one chunk of broadcast products (neurons x points x inputs) in the peer.
_CHUNK = 2 ** 17


def _torch_sensitivity(W, A):
    """Sensitivities s (out, in) and the group totals (out, 2) of one layer, in torch."""
    if bool((A < 0).any()):
        A = torch.cat([A.clamp(min=0), (-A).clamp(min=0)])
    sens = torch.zeros_like(W)
    step = max(1, _CHUNK // (A.shape[0] * A.shape[1]))
    for sign in (1.0, -1.0):
        Wg = (sign * W).clamp(min=0)
        Z = A @ Wg.T                                                   # (n, out)
        inv = torch.where(Z > 0, 1.0 / Z, torch.zeros_like(Z)).T       # (out, n)
        M = torch.cat([(inv[i:i + step, :, None] * A[None]).amax(dim=1) for i in range(0, W.shape[0], step)])
        sens += Wg * M
    sens.clamp_(0.0, 1.0)
    tot = torch.stack([torch.where(W > 0, sens, 0.0).sum(1), torch.where(W < 0, sens, 0.0).sum(1)], dim=1)
    return sens, tot


def _torch_budget_scale(rate, q_pos, q_neg, target):
    """Smallest t with E#distinct edges(ceil(rate * t)) >= target: the library's bisection, in torch."""
    lq = [torch.where(q > 0, torch.log1p(-q.clamp(max=1.0)), 0.0) for q in (q_pos, q_neg)]
    sup = [q > 0 for q in (q_pos, q_neg)]

    def nnz(t):
        return sum(float(torch.where(s, -torch.expm1(torch.ceil(rate[:, k] * t)[:, None] * l), 0.0).sum())
                   for k, (l, s) in enumerate(zip(lq, sup)))
    target = min(target, float(sum(int(s.sum()) for s in sup)))
    rmax = float(rate.max())
    if rmax <= 0:
        return 0.0
    lo, hi = 0.0, 1.0 / rmax
    while nnz(hi) < target and hi < 1e300:
        lo, hi = hi, hi * 4.0
    for _ in range(80):
        mid = 0.5 * (lo + hi) if lo > 0 else hi / 2.0
        if lo == 0 and mid < 1e-300:
            break
        if nnz(mid) < target:
            lo = mid
        else:
            hi = mid
        if lo > 0 and hi / lo < 1 + 1e-4:
            break
    return hi


def _draw(w_abs, q, m, rng):
    """w c / (m q), c ~ Multinomial(m_i, q_i) drawn for all neurons at once (numpy generator)."""
    m = np.where(q.sum(1) > 0, m, 0)
    law = np.where(m[:, None] > 0, q, 0.0)
    law[m == 0, 0] = 1.0                                               # any law for rows drawn 0 times
    law /= law.sum(1, keepdims=True)
    counts = rng.multinomial(m, law)
    denom = m[:, None] * law
    return w_abs * np.divide(counts, denom, out=np.zeros(counts.shape), where=denom > 0)


def _torch_corenet(net, X, fraction, delta, rng):
    """CoreNet in budget mode (layerwise allocation), written plainly in torch; returns the new net."""
    lins = [m for m in net if isinstance(m, torch.nn.Linear)]
    L = len(lins)
    acts = []
    with torch.no_grad():
        h = X
        for mod in net:
            if isinstance(mod, torch.nn.Linear):
                acts.append(h.double())
            h = mod(h)
    Ws = [lin.weight.detach().double() for lin in lins]
    bs = [lin.bias.detach().double() for lin in lins]
    eta = sum(lin.out_features for lin in lins)
    eta_star = max(lin.in_features for lin in lins)
    r = math.sqrt(math.log(eta * eta_star))
    kappa = r * (1.0 + r * math.log(8.0 * eta * eta_star / delta))
    dhat = []
    for W, b, A in zip(Ws, bs, acts):
        num = A.abs() @ W.abs().T + b.abs()
        z = A @ W.T + b
        dhat.append(float(torch.where(num > 0, num / z.abs(), 1.0).mean(0).max()))
    d = np.array(dhat) + kappa
    fwd = np.cumprod(d[::-1])[::-1]
    lg = math.log(8.0 * eta / delta)
    new = copy.deepcopy(net)
    for l, (W, A, lin) in enumerate(zip(Ws, acts, [m for m in new if isinstance(m, torch.nn.Linear)])):
        sens, tot = _torch_sensitivity(W, A)
        rate = 8.0 * tot * 2.0 * lg * (2.0 * L * float(fwd[l])) ** 2
        qs = []
        for k, mask in enumerate((W > 0, W < 0)):
            s = torch.where(mask, sens, 0.0)
            qs.append(torch.where(tot[:, k:k + 1] > 0, s / tot[:, k:k + 1], 0.0))
        t = _torch_budget_scale(rate, qs[0], qs[1], fraction * W.numel())
        m = torch.ceil(rate * t).long().numpy()
        Wn = W.numpy()
        What = (_draw(np.maximum(Wn, 0.0), qs[0].numpy(), m[:, 0], rng)
                - _draw(np.maximum(-Wn, 0.0), qs[1].numpy(), m[:, 1], rng))
        with torch.no_grad():
            lin.weight.copy_(torch.as_tensor(What, dtype=lin.weight.dtype))
    return new


def _images(n, side, seed=0):
    g = np.random.default_rng(seed)
    img = g.uniform(0.0, 1.0, (n, side, side))
    img[:, :4, :] = img[:, -4:, :] = img[:, :, :4] = img[:, :, -4:] = 0.0   # a zero border, as in MNIST
    return torch.as_tensor(img.reshape(n, side * side), dtype=torch.float32)


def _case(widths, n, repeats):
    from theory.coresets import corenet
    from theory.testbeds.nets import make_mlp

    net = make_mlp(784, widths, 10, seed=0)
    X = _images(n, 28)
    tm = compare(lambda: corenet(net, X, fraction=0.1, delta=0.1, rng=0),
                 lambda: _torch_corenet(net, X, 0.1, 0.1, np.random.default_rng(0)), repeats=repeats)
    res, peer = tm.ours_value, tm.peer_value
    ours_W = [lin.weight.detach().double() for lin in res.model if isinstance(lin, torch.nn.Linear)]
    peer_W = [lin.weight.detach().double() for lin in peer if isinstance(lin, torch.nn.Linear)]
    diff = max(float((a - b).abs().max()) for a, b in zip(ours_W, peer_W))
    kept_peer = sum(int(torch.count_nonzero(w)) for w in peer_W) / sum(w.numel() for w in peer_W)
    return tm, res.kept_fraction, kept_peer, diff


def run(quick: bool = False) -> list[dict]:
    """Time CoreNet at 10% kept on a 784-300-100-10 MLP, ours against a plain vectorized torch CoreNet.

    Parameters
    ----------
    quick : bool, default False
        100 points in S instead of 300; scaling widths 75 and 150.

    Returns
    -------
    list of dict
        One comparison row (benchmark, case, ours_value, peer_value, reference_value,
        ours_time_s, peer_time_s, ratio = ours / peer, goal, peer, note) and one scaling row
        (time against the first hidden width, ours and the peer).
    """
    torch.set_num_threads(1)
    n = 100 if quick else 300
    tm, kept, kept_peer, diff = _case((300, 100), n, 5)
    rows = [{
        "benchmark": NAME, "case": f"784-300-100-10 MLP, |S|={n}, 10% of weights kept",
        "ours_value": kept, "peer_value": kept_peer, "reference_value": 0.1,
        "ours_time_s": tm.ours_s, "peer_time_s": tm.peer_s, "ratio": tm.ratio,
        "speedup": 1.0 / tm.ratio if tm.ratio > 0 else float("inf"), "goal": 1.2, "peer": _PEER,
        "note": (f"values: fraction of weights kept; same network: max |W_ours - W_peer| = {diff:.2g} "
                 "(ours is stored in float32); same sensitivities, budget bisection and draws (the "
                 "peer draws from the same numpy generator in the same order)"),
    }]
    widths = (75, 150) if quick else (150, 300, 600)
    ours_t, peer_t, diffs = [], [], []
    for w in widths:
        tm, _, _, diff = _case((w, w // 3), 100 if quick else 200, 3)
        ours_t.append(tm.ours_s)
        peer_t.append(tm.peer_s)
        diffs.append(diff)
    rows.append({
        "scaling": True, "benchmark": NAME, "series": "CoreNet 784-w-w/3-10, 10% kept",
        "variable": "width", "sizes": list(widths), "ours_times": ours_t, "peer": _PEER,
        "peer_times": peer_t,
        "note": f"|S| = {100 if quick else 200}; largest weight difference ours vs peer {max(diffs):.2g}",
    })
    return rows
