"""KSG mutual information: ``theory.information.ksg_mutual_information`` against its peers.

Rows (k = 3, correlated Gaussian data: ``y = rho x + sqrt(1 - rho^2) e`` coordinate-wise, so the
closed form ``-d/2 log(1 - rho^2)`` is the reference value):

* 1-D, against the limit: one ``cKDTree`` build + k-NN query (max-norm, k + 1 with self) of the
  same 2-D points, the least any KSG implementation on a k-d tree must do (goal 1.5);
* 1-D, context: scikit-learn ``mutual_info_regression`` and infomeasure's KSG estimator;
* x and y each 5-D and each 20-D, against npeet-plus ``mi`` (goal 1.0).

Equal work: everything runs on one thread (our cKDTree queries are switched from ``workers=-1``
to 1 for the benchmark; npeet's scikit-learn trees and the limit use one). Against npeet ours
runs with ``standardize=False`` (npeet does not standardize; the columns have unit variance
anyway), so both compute the same estimator on the same points: KSG algorithm 1 with the
max-norm and ``psi(n_x + 1)``. What still differs: the tie-breaking noise (ours Gaussian,
relative sd 1e-10, seeded; npeet uniform [0, 1e-10) from numpy's global generator, which is
seeded before each call) and the strict radius (ours ``nextafter(eps, 0)``, npeet
``eps - 1e-15``), so the estimates agree to about 1e-6, not bit for bit. npeet switches to a
ball tree from 20 joint dimensions on. Timings: ``compare`` (warm-up, interleaved medians).

Which path of ours runs (numba installed): in 1-D a ``cKDTree`` k-NN + sorted counts; in 5-D and
20-D (10 and 40 joint dimensions) at every size here the compiled all-pairs kernel
``_ksg_brute`` (one pass over the points per point: both marginal distances, the k-th joint
distance and both counts; vectorized over columns), which beats any tree there because trees in
10-40 max-norm dimensions prune little. The estimates are bit for bit those of the tree paths.

Not included: x, y each 20-D at n = 30000. npeet-plus alone needs well over a minute per call
there (its 40-D ball-tree search is close to all pairs: about 9x its n = 10000 time; one call
did not finish within 400 s wall on the shared 2-core test machine), so with the warm-up call
the row would take several minutes, beyond this module's budget of 2-3 minutes.
"""

from __future__ import annotations

import contextlib
from importlib.metadata import version

import numpy as np

from ._timing import compare, median_time

NAME = "ksg"

_K = 3
_RHO = 0.5


def _pairs(n, d, rho, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d))
    y = rho * x + np.sqrt(1.0 - rho * rho) * rng.standard_normal((n, d))
    return x, y


@contextlib.contextmanager
def _one_thread():
    from theory import information as info
    saved = info._WORKERS
    info._WORKERS = 1
    try:
        yield
    finally:
        info._WORKERS = saved


def _limit(xy):
    from scipy.spatial import cKDTree
    return cKDTree(xy).query(xy, k=_K + 1, p=np.inf, workers=1)[0][:, -1]


def _row(case, t, reference, goal, peer, note, peer_value=None):
    return {
        "benchmark": NAME, "case": case,
        "ours_value": float(t.ours_value),
        "peer_value": peer_value if peer_value is not None else (
            float(t.peer_value) if np.ndim(t.peer_value) == 0 else None),
        "reference_value": reference,
        "ours_time_s": t.ours_s, "peer_time_s": t.peer_s, "ratio": t.ratio,
        "goal": goal, "peer": peer, "note": note,
    }


def run(quick: bool = False) -> list[dict]:
    """Run the benchmark.

    Parameters
    ----------
    quick : bool, default False
        Small sizes and few repeats (a smoke test of a few seconds).

    Returns
    -------
    list of dict
        Comparison rows (benchmark, case, ours_value, peer_value, reference_value, ours_time_s,
        peer_time_s, ratio, goal, peer, note) and scaling rows (scaling=True, series, variable,
        sizes, ours_times, peer, peer_times, note).
    """
    with _one_thread():
        return _run(quick)


def _run(quick):
    import infomeasure
    import npeet_plus
    from sklearn.feature_selection import mutual_info_regression

    from theory.information import bivariate_gaussian_mutual_information, ksg_mutual_information

    rows = []
    mi1 = bivariate_gaussian_mutual_information(_RHO)
    limit_name = "one cKDTree build + query (the limit)"

    # ---- 1-D against the limit and the context peers --------------------------------------
    for n in ((2000,) if quick else (10_000, 100_000)):
        x, y = _pairs(n, 1, _RHO, n)
        xy = np.hstack([x, y])
        reps = 3 if quick else (5 if n <= 10_000 else 3)
        t = compare(lambda: ksg_mutual_information(x, y, k=_K, rng=0), lambda: _limit(xy),
                    repeats=reps)
        rows.append(_row(f"1-D n={n} k={_K}", t, mi1, 1.5, limit_name,
                         "limit = cKDTree(xy) (default build) + query(k=4, p=inf, one thread) of "
                         "the same 2-D points, no counting; ours: the whole estimate (standardize, "
                         "jitter, joint k-NN, both marginal counts, digamma)"))
    n = 2000 if quick else 10_000
    x, y = _pairs(n, 1, _RHO, 7)
    t = compare(lambda: ksg_mutual_information(x, y, k=_K, rng=0),
                lambda: float(mutual_info_regression(x, y[:, 0], n_neighbors=_K, random_state=0)[0]),
                repeats=3 if quick else 5)
    rows.append(_row(f"1-D n={n} k={_K}", t, mi1, None,
                     f"scikit-learn {version('scikit-learn')} mutual_info_regression",
                     "context: same KSG algorithm 1; sklearn standardizes (ddof=1), adds its own "
                     "1e-10-scale noise, clips negative estimates at 0"))
    t = compare(lambda: ksg_mutual_information(x, y, k=_K, rng=0, standardize=False),
                lambda: float(infomeasure.mutual_information(x[:, 0], y[:, 0], approach="ksg",
                                                             k=_K, base="e")),
                repeats=3 if quick else 3)
    rows.append(_row(f"1-D n={n} k={_K} (standardize=False)", t, mi1, None,
                     f"infomeasure {version('infomeasure')} KSG (ksg_id=1)",
                     "context: same estimator (max-norm cKDTree, strict radius nextafter(eps, "
                     "-inf), psi(n+1)); its own Gaussian 1e-10 noise (absolute); a Python loop "
                     "over the points for the local values"))

    # ---- x, y each d-D against npeet-plus --------------------------------------------------
    npeet = f"npeet-plus {version('npeet-plus')}"

    def peer_npeet(x, y):
        np.random.seed(0)
        return float(npeet_plus.mi(x, y, k=_K, base=np.e))

    cases = ([(5, 1000, 3), (20, 500, 3)] if quick else
             [(5, 1000, 5), (5, 10_000, 3), (5, 30_000, 3),
              (20, 1000, 3), (20, 3000, 1), (20, 10_000, 1)])
    for d, n, reps in cases:
        x, y = _pairs(n, d, _RHO, 100 * d + n)
        t = compare(lambda: ksg_mutual_information(x, y, k=_K, rng=0, standardize=False),
                    lambda: peer_npeet(x, y), repeats=reps)
        rows.append(_row(f"x, y each {d}-D n={n} k={_K}", t, d * mi1, 1.0, npeet,
                         f"same estimator, same points, standardize=False; |ours - npeet| = "
                         f"{abs(float(t.ours_value) - float(t.peer_value)):.1e} nats (noise and "
                         f"radius differences only); reference = closed form"))

    # ---- scaling in 1-D: ours and the limit ------------------------------------------------
    sizes = [1000, 3000, 10_000] if quick else [1000, 3000, 10_000, 30_000, 100_000, 300_000]
    ours_t, lim_t = [], []
    for n in sizes:
        x, y = _pairs(n, 1, _RHO, 1 + n)
        xy = np.hstack([x, y])
        reps = 3 if n <= 30_000 else 2
        ours_t.append(median_time(lambda: ksg_mutual_information(x, y, k=_K, rng=0), repeats=reps)[1])
        lim_t.append(median_time(lambda: _limit(xy), repeats=reps)[1])
    rows.append({
        "scaling": True, "benchmark": NAME, "series": f"KSG 1-D, k={_K}", "variable": "n",
        "sizes": sizes, "ours_times": ours_t, "peer": limit_name, "peer_times": lim_t,
        "note": "one thread; the limit is n log n (tree build + k-NN query)",
    })
    return rows
