"""Optimal weighted 1-D k-means: ``theory.quantization.kmeans_1d(method="optimal")`` against peers.

Data: network-like weights (a Laplace bulk plus a few wide outliers) with Hessian-like positive
importances (Gamma(2, 1)), n = 10^5 and 10^6, k = 4..64 (``quick``: n = 10^4, k = 4, 16).

- scikit-learn ``KMeans(n_clusters=k, n_init=10, random_state=0)`` with ``sample_weight``: a
  local method (k-means++ seeding + Lloyd), so the objective ratio ours / sklearn must be ≤ 1
  (``reference_value`` holds the ratio);
- ckwrap ``ckmeans(x, k, weights)`` (the C++ Ckmeans.1d.dp of Wang & Song, also exact): the
  objectives must agree (``reference_value`` = relative difference).

Objectives are :math:`\\sum_i h_i (w_i - c_{a_i})^2` recomputed from each method's labels and
centres. Times are ``time.perf_counter`` wall times, best of ``_REPEATS`` for n ≤ 10^5 and one
run above.
"""

from __future__ import annotations

import numpy as np

from ._timing import best_time

NAME = "kmeans_1d_optimal"

_REPEATS = 2


def _data(n, seed=0):
    rng = np.random.default_rng(seed)
    w = rng.laplace(0.0, 0.05, n)
    out = rng.random(n) < 0.01
    w[out] = rng.normal(0.0, 0.5, int(out.sum()))
    h = rng.gamma(2.0, 1.0, n)
    return w, h


def _objective(x, h, centers, labels):
    return float(np.sum(h * (x - np.asarray(centers, float)[np.asarray(labels)]) ** 2))


def run(quick: bool = False) -> list[dict]:
    """Run the benchmark; two rows (sklearn, ckwrap) per (n, k).

    Parameters
    ----------
    quick : bool, default False
        n = 10^4 and k in {4, 16} instead of the full grid.

    Returns
    -------
    list of dict
        Keys: benchmark, case, ours_value, peer_value, reference_value, ours_time_s,
        peer_time_s, speedup (peer_time / ours_time), note.
    """
    import ckwrap
    from sklearn.cluster import KMeans

    from theory.quantization import kmeans_1d

    if quick:
        grid = [(10_000, k) for k in (4, 16)]
    else:
        grid = [(100_000, k) for k in (4, 8, 16, 32, 64)] + [(1_000_000, k) for k in (4, 16, 64)]
    rows = []
    for n, k in grid:
        x, h = _data(n)
        reps = _REPEATS if n <= 100_000 else 1
        ours, t_ours = best_time(lambda: kmeans_1d(x, k, weights=h, method="optimal"), reps)
        f_ours = _objective(x, h, ours.centroids, ours.labels)
        km, t_sk = best_time(lambda: KMeans(n_clusters=k, n_init=10, random_state=0).fit(x[:, None], sample_weight=h), reps)
        f_sk = _objective(x, h, km.cluster_centers_[:, 0], km.labels_)
        rows.append({
            "benchmark": NAME, "case": f"vs sklearn KMeans(n_init=10) n={n} k={k}",
            "ours_value": f_ours, "peer_value": f_sk, "reference_value": f_ours / f_sk,
            "ours_time_s": t_ours, "peer_time_s": t_sk,
            "speedup": t_sk / t_ours if t_ours > 0 else float("inf"),
            "note": "values: weighted SSE; reference = ours/sklearn objective ratio (must be <= 1)",
        })
        ck, t_ck = best_time(lambda: ckwrap.ckmeans(x, k, weights=h), reps)
        f_ck = _objective(x, h, ck.centers, ck.labels)
        rows.append({
            "benchmark": NAME, "case": f"vs ckwrap ckmeans n={n} k={k}",
            "ours_value": f_ours, "peer_value": f_ck, "reference_value": (f_ours - f_ck) / f_ck,
            "ours_time_s": t_ours, "peer_time_s": t_ck,
            "speedup": t_ck / t_ours if t_ours > 0 else float("inf"),
            "note": "both exact; reference = relative objective difference (should be ~0)",
        })
    return rows
