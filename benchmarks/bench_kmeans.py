"""Exact 1-D k-means: ``theory.quantization.kmeans_1d(method="optimal")`` against peers.

Data: network-like weights (a Laplace(0, 0.05) bulk plus 1 % wide N(0, 0.5) outliers) with
Hessian-like importances (Gamma(2, 1)) for the weighted rows, unit weights for the unweighted ones.

- ckwrap ``ckmeans(x, k, weights)`` (the C++ Ckmeans.1d.dp of Wang & Song, exact, weighted):
  n = 10^4, 10^5, 10^6 and k = 4, 16, 64, weighted and unweighted. The issue's goal is a time
  ratio ≤ 1 at n = 10^6 for k = 16 and 64.
- kmeans1d ``cluster(x, k)`` (C++ SMAWK of Grønlund et al., exact, unweighted only): a peer row
  per (n, k) of the unweighted grid.
- scikit-learn ``KMeans(n_clusters=k, n_init=10, random_state=0)`` with ``sample_weight``: a local
  method, context only (n = 10^5, k = 16); its objective can only be ≥ the exact one.

Every row reports both objectives :math:`\\sum_i h_i (w_i - c_{a_i})^2`, recomputed here by
:func:`theory.quantization.kmeans_objective` from each method's labels and centres, and
``reference_value`` = their relative difference (ours − peer) / peer: 0 to rounding for the exact
peers. Times come from :func:`benchmarks._timing.compare` (warm-up calls, then interleaved calls;
medians); the first (warm-up) call also loads or compiles the numba kernels. Scaling rows: time
against n at k = 16 and against k at n = 10^5 (weighted, with ckwrap alongside).
"""

from __future__ import annotations

from importlib.metadata import version

import numpy as np

from ._timing import compare, median_time

NAME = "kmeans_1d_optimal"


def _data(n, seed=0):
    rng = np.random.default_rng(seed)
    w = rng.laplace(0.0, 0.05, n)
    out = rng.random(n) < 0.01
    w[out] = rng.normal(0.0, 0.5, int(out.sum()))
    h = rng.gamma(2.0, 1.0, n)
    return w, h


def _repeats(n, quick):
    if quick:
        return 2
    return 3 if n >= 1_000_000 else 5


def run(quick: bool = False) -> list[dict]:
    """Run the benchmark: comparison rows (ckwrap, kmeans1d, scikit-learn) and scaling rows.

    Parameters
    ----------
    quick : bool, default False
        n = 10^4 with k in {4, 16} (and small scaling series) instead of the full grid.

    Returns
    -------
    list of dict
        Comparison rows (benchmark, case, ours_value, peer_value, reference_value, ours_time_s,
        peer_time_s, ratio, goal, peer, note) and scaling rows (scaling=True, series, variable,
        sizes, ours_times, peer, peer_times, note).
    """
    import ckwrap
    import kmeans1d
    from sklearn.cluster import KMeans

    from theory.quantization import kmeans_1d, kmeans_objective

    ck_name = f"ckwrap {version('ckwrap')}"
    k1_name = f"kmeans1d {version('kmeans1d')}"
    sizes = [10_000] if quick else [10_000, 100_000, 1_000_000]
    ks = (4, 16) if quick else (4, 16, 64)
    rows = []
    times = {}  # (weighted, n, k) -> (ours_s, ckwrap_s), reused by the scaling rows

    def ours(x, k, h):
        return lambda: kmeans_1d(x, k, weights=h, method="optimal")

    def row(case, t, f_ours, f_peer, peer, goal, note):
        return {"benchmark": NAME, "case": case, "ours_value": f_ours, "peer_value": f_peer,
                "reference_value": (f_ours - f_peer) / f_peer if f_peer else f_ours - f_peer,
                "ours_time_s": t.ours_s, "peer_time_s": t.peer_s, "ratio": t.ratio, "goal": goal,
                "peer": peer, "note": note}

    for n in sizes:
        x, hw = _data(n)
        reps = _repeats(n, quick)
        # the numba kernels are compiled (or loaded from the cache) by the first, warm-up call;
        # at n = 10^6 the smaller sizes have done that already
        warm = 0 if n >= 1_000_000 else 1
        for weighted in (True, False):
            h = hw if weighted else None
            label = "weighted" if weighted else "unweighted"
            for k in ks:
                peer = (lambda x=x, k=k, h=h: ckwrap.ckmeans(x, k, weights=h)) if weighted else \
                       (lambda x=x, k=k: ckwrap.ckmeans(x, k))
                t = compare(ours(x, k, h), peer, repeats=reps, warmup=warm)
                times[(weighted, n, k)] = (t.ours_s, t.peer_s)
                r, c = t.ours_value, t.peer_value
                f_ours = kmeans_objective(x, r.centroids, r.labels, h)
                f_peer = kmeans_objective(x, np.asarray(c.centers, float), np.asarray(c.labels), h)
                same = np.array_equal(r.labels, np.asarray(c.labels))
                goal = 1.0 if (n == 1_000_000 and k in (16, 64)) else None
                rows.append(row(f"vs ckwrap ckmeans {label} n={n} k={k}", t, f_ours, f_peer, ck_name, goal,
                                "both exact; values: (weighted) SSE; reference = relative objective difference "
                                f"(ours - peer)/peer; identical labels: {same}"))
                if not weighted:
                    t = compare(ours(x, k, None), lambda x=x, k=k: kmeans1d.cluster(x, k), repeats=reps, warmup=warm)
                    r, c = t.ours_value, t.peer_value
                    f_ours = kmeans_objective(x, r.centroids, r.labels)
                    f_peer = kmeans_objective(x, np.asarray(c.centroids, float), np.asarray(c.clusters))
                    same = np.array_equal(r.labels, np.asarray(c.clusters))
                    rows.append(row(f"vs kmeans1d cluster unweighted n={n} k={k}", t, f_ours, f_peer, k1_name, None,
                                    "both exact (kmeans1d: SMAWK, unweighted only); values: SSE; reference = "
                                    f"relative objective difference; identical labels: {same}"))

    if not quick:
        n, k = 100_000, 16
        x, h = _data(n)
        t = compare(ours(x, k, h), lambda: KMeans(n_clusters=k, n_init=10, random_state=0).fit(
            x[:, None], sample_weight=h), repeats=3)
        km = t.peer_value
        f_ours = kmeans_objective(x, t.ours_value.centroids, t.ours_value.labels, h)
        f_peer = kmeans_objective(x, km.cluster_centers_[:, 0], km.labels_, h)
        rows.append(row(f"context: vs sklearn KMeans(n_init=10) weighted n={n} k={k}", t, f_ours, f_peer,
                        f"scikit-learn {version('scikit-learn')}", None,
                        "context only: sklearn is a local method (k-means++ + Lloyd, 10 starts); reference = "
                        "relative objective difference, must be <= 0 (ours exact)"))

    # scaling: time against n at k = 16, and against k at n = 10^5 (weighted; ckwrap alongside)
    def series(points):
        ot, pt = [], []
        for n, k in points:
            if (True, n, k) not in times:
                x, h = _data(n)
                reps = _repeats(n, quick)
                ot.append(median_time(ours(x, k, h), repeats=reps)[1])
                pt.append(median_time(lambda x=x, k=k, h=h: ckwrap.ckmeans(x, k, weights=h), repeats=reps)[1])
            else:
                ot.append(times[(True, n, k)][0])
                pt.append(times[(True, n, k)][1])
        return ot, pt

    n_sizes = [2_000, 5_000, 10_000] if quick else [10_000, 30_000, 100_000, 300_000, 1_000_000]
    ot, pt = series([(n, 16) for n in n_sizes])
    rows.append({"scaling": True, "benchmark": NAME, "series": "exact weighted k-means, k=16", "variable": "n",
                 "sizes": n_sizes, "ours_times": ot, "peer": ck_name, "peer_times": pt,
                 "note": "divide and conquer: O(k n log n) after the sort; ckwrap's default is its O(k n) SMAWK"})
    n_k = 10_000 if quick else 100_000
    k_sizes = [4, 8, 16] if quick else [4, 8, 16, 32, 64]
    ot, pt = series([(n_k, k) for k in k_sizes])
    rows.append({"scaling": True, "benchmark": NAME, "series": f"exact weighted k-means, n={n_k}", "variable": "k",
                 "sizes": k_sizes, "ours_times": ot, "peer": ck_name, "peer_times": pt,
                 "note": "k - 1 layers of the dynamic programme after one O(n log n) table"})
    return rows
