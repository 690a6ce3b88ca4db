"""Training many small nets: ``theory.testbeds.nets.train_many`` against a Python loop of ``train``.

200 MLPs ``make_mlp(64, [32], 2)`` (each with its own init seed), each trained on its own 100
points of scikit-learn's digits (standardised; label = digit parity), 30 epochs of Adam
(lr 1e-3) with batch size 32, shuffling seed ``k`` for net ``k``. The peer is the loop
``for k: train(net_k, X[index[k]], Y[index[k]], ..., seed=k)`` on copies of the same nets;
``train_many`` does the same arithmetic on stacked weights with batched matrix products and one
optimizer over the stacked tensors, so both return the same nets up to rounding
(``reference_value`` = the largest parameter difference; most nets agree to ~1e-7, a few to
~1e-4, where a ReLU input lands within float32 rounding of 0 and the two summation orders switch
it on and off). Values are the mean over nets of the
final training loss (cross-entropy in nats) on each net's own 100 points. ``quick``: 20 nets,
5 epochs. Timed with ``compare``: one warm-up each, then ``_REPEATS`` interleaved runs, medians.
A context row (no goal): the loop is not a peer library but the obvious way to do it.
"""

from __future__ import annotations

import copy

import numpy as np
import torch

from ._timing import compare

NAME = "train_many_vs_loop"

_REPEATS = 3
_WARMUP_NETS = 8


def _mean_train_loss(models, X, Y, index):
    from theory.testbeds.nets import loss_fn

    lf = loss_fn("classification")
    with torch.no_grad():
        return float(np.mean([float(lf(m(X[idx]), Y[idx]).mean()) for m, idx in zip(models, index)]))


def run(quick: bool = False) -> list[dict]:
    """Run the benchmark; one row.

    Parameters
    ----------
    quick : bool, default False
        20 nets and 5 epochs instead of 200 nets and 30 epochs.

    Returns
    -------
    list of dict
        Keys: benchmark, case, ours_value, peer_value, reference_value, ours_time_s,
        peer_time_s, ratio (ours_time / peer_time), goal (None), peer, note.
    """
    from sklearn.datasets import load_digits

    from theory.testbeds.nets import make_mlp, train, train_many

    M, epochs = (20, 5) if quick else (200, 30)
    n, batch_size, lr = 100, 32, 1e-3
    digits = load_digits()
    Xn = (digits.data - digits.data.mean(0)) / np.where(digits.data.std(0) > 0, digits.data.std(0), 1.0)
    X = torch.tensor(Xn, dtype=torch.float32)
    Y = torch.tensor(digits.target % 2)
    rng = np.random.default_rng(0)
    index = np.stack([rng.choice(X.shape[0], n, replace=False) for _ in range(M)])
    seeds = list(range(M))
    init = [make_mlp(64, [32], 2, seed=1000 + k) for k in range(M)]
    kw = dict(epochs=epochs, lr=lr, batch_size=batch_size, optimizer="adam")

    def ours(count=M, **over):
        models = copy.deepcopy(init[:count])
        return train_many(models, X, Y, index[:count], "classification", seeds=seeds[:count], **{**kw, **over})

    def loop(count=M, **over):
        models = copy.deepcopy(init[:count])
        for k, m in enumerate(models):
            train(m, X[index[k]], Y[index[k]], "classification", seed=seeds[k], **{**kw, **over})
        return models

    # warm-up on a few nets for one epoch (the full loop is tens of thousands of optimizer steps)
    ours(_WARMUP_NETS, epochs=1)
    loop(_WARMUP_NETS, epochs=1)
    timing = compare(ours, loop, repeats=_REPEATS, warmup=0)
    many, looped, t_ours, t_loop = timing.ours_value, timing.peer_value, timing.ours_s, timing.peer_s
    per_net = [max(float((p - q).abs().max()) for p, q in zip(a.parameters(), b.parameters()))
               for a, b in zip(many, looped)]
    diff = max(per_net)
    return [{
        "benchmark": NAME,
        "case": f"{M} nets 64-32-2, n={n} digits each, {epochs} epochs Adam, batch {batch_size}",
        "ours_value": _mean_train_loss(many, X, Y, index),
        "peer_value": _mean_train_loss(looped, X, Y, index),
        "reference_value": diff,
        "ours_time_s": t_ours, "peer_time_s": t_loop,
        "ratio": timing.ratio, "goal": None, "peer": "Python loop of theory.testbeds.nets.train",
        "note": (f"values: mean final training cross-entropy [nats]; reference = max |theta_many - theta_loop| "
                 f"over all parameters (float32; median over nets {float(np.median(per_net)):.1e}: a net differs "
                 f"more when a ReLU input falls within rounding of 0 and the two summation orders flip it); "
                 f"torch threads = {torch.get_num_threads()}"),
    }]
