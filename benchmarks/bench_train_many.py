"""Training many small nets: ``theory.testbeds.nets.train_many`` against a Python loop of ``train``.

400 MLPs ``make_mlp(64, [32], 2)`` (each with its own init seed), each trained on its own 100
points of scikit-learn's digits (standardised; label = digit parity), 50 epochs of Adam
(lr 1e-3) with batch size 32, shuffling seed ``k`` for net ``k``. The peer is the loop
``for k: train(net_k, X[index[k]], Y[index[k]], ..., seed=k)`` on copies of the same 400 nets;
``train_many`` does the same arithmetic on stacked weights with batched matrix products and one
optimizer over the stacked tensors, so both return the same nets up to rounding
(``reference_value`` = the largest parameter difference; most nets agree to ~1e-7, a few to
~1e-4, where a ReLU input lands within float32 rounding of 0 and the two summation orders switch
it on and off). Values are the mean over nets of the
final training loss (cross-entropy in nats) on each net's own 100 points. ``quick``: 100 nets,
20 epochs. Times are ``time.perf_counter`` wall seconds: best of ``_REPEATS`` runs for
``train_many``, one run for the loop (tens of thousands of optimizer steps, so warm).
"""

from __future__ import annotations

import copy

import numpy as np
import torch

from ._timing import best_time

NAME = "train_many_vs_loop"

_REPEATS = 3


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
        100 nets and 20 epochs instead of 400 nets and 50 epochs.

    Returns
    -------
    list of dict
        Keys: benchmark, case, ours_value, peer_value, reference_value, ours_time_s,
        peer_time_s, speedup (peer_time / ours_time), note.
    """
    from sklearn.datasets import load_digits

    from theory.testbeds.nets import make_mlp, train, train_many

    M, epochs = (100, 20) if quick else (400, 50)
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

    def ours():
        models = copy.deepcopy(init)
        return train_many(models, X, Y, index, "classification", seeds=seeds, **kw)

    def loop():
        models = copy.deepcopy(init)
        for k, m in enumerate(models):
            train(m, X[index[k]], Y[index[k]], "classification", seed=seeds[k], **kw)
        return models

    many, t_ours = best_time(ours, _REPEATS)
    looped, t_loop = best_time(loop, 1)
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
        "speedup": t_loop / t_ours if t_ours > 0 else float("inf"),
        "note": (f"values: mean final training cross-entropy [nats]; reference = max |theta_many - theta_loop| "
                 f"over all parameters (float32; median over nets {float(np.median(per_net)):.1e}: a net differs "
                 f"more when a ReLU input falls within rounding of 0 and the two summation orders flip it); "
                 f"torch threads = {torch.get_num_threads()}"),
    }]
