"""Spectral pruning: incremental greedy selection and randomized degrees of freedom.

1. Greedy node selection (``theory.spectral.spectral_prune``, rank-one Schur updates of the ridge
   residual covariance, O(m²) per step) against a naive greedy that, at every step, re-solves the
   ridge system (Σ̂_J'J' + τI)⁻¹ for every candidate J' = J ∪ {j} (with Σ̂MΣ̂ precomputed, so each
   candidate costs one k×k solve). m = 512 nodes → 64 kept (quick: 256 → 32). Both must select
   the same nodes; values are the final objective θL_A + (1-θ)L_B.
2. Randomized N̂(λ) (Hutch++ with Cholesky solves, and with conjugate gradients) against the exact
   value from a full eigendecomposition (``numpy.linalg.eigvalsh``) at m = 4096 (quick: 1024);
   the covariance is that of n = m/4 samples of a layer with power-law column scales.
Times are the best of ``_REPEATS`` runs of ``time.perf_counter`` (one run for the largest cases).
There is no peer library for spectral pruning; the peers are the naive algorithm and the exact
computation.
"""

from __future__ import annotations


import numpy as np

from ._timing import best_time

NAME = "spectral_pruning"

_REPEATS = 3


def _naive_greedy(S, width, tau, theta, Z):
    """Greedy selection that re-solves the ridge system for every candidate at every step."""
    m = S.shape[0]
    M = theta * np.eye(m) + (1 - theta) * (Z.T @ Z)
    B = S @ M @ S
    base = float(np.sum(M * S))
    chosen: list[int] = []
    for _ in range(width):
        best_j, best_val = -1, np.inf
        for j in range(m):
            if j in chosen:
                continue
            J = chosen + [j]
            G = S[np.ix_(J, J)] + tau * np.eye(len(J))
            val = base - float(np.trace(np.linalg.solve(G, B[np.ix_(J, J)])))
            if val < best_val:
                best_j, best_val = j, val
        chosen.append(best_j)
    return np.array(chosen), best_val


def _layer_cov(m, n, rng):
    scales = np.arange(1, m + 1, dtype=float) ** -0.8
    F = rng.standard_normal((n, m)) * scales
    F = np.maximum(F @ (np.eye(m) + 0.05 * rng.standard_normal((m, m)) / np.sqrt(m)), 0.0)  # relu-like
    return F.T @ F / n


def run(quick: bool = False) -> list[dict]:
    """Run the benchmark.

    Parameters
    ----------
    quick : bool, default False
        Smaller sizes (greedy 256 → 32, degrees of freedom at m = 1024).

    Returns
    -------
    list of dict
        Keys: benchmark, case, ours_value, peer_value, reference_value, ours_time_s,
        peer_time_s, speedup (peer_time / ours_time), note.
    """
    from theory import spectral as sp

    rows = []
    rng = np.random.default_rng(2020)
    m, k = (256, 32) if quick else (512, 64)
    S = _layer_cov(m, 2 * m, rng)
    Z = rng.standard_normal((16, m)) / np.sqrt(m)
    tau = 1e-4 * float(np.trace(S)) / m
    for theta in (1.0, 0.5):
        ours, t_ours = best_time(lambda: sp.spectral_prune(S, k, tau, theta=theta, next_weight=Z))
        (naive_keep, naive_val), t_naive = best_time(lambda: _naive_greedy(S, k, tau, theta, Z), repeats=1)
        same = bool(np.array_equal(ours.keep, naive_keep))
        rows.append({
            "benchmark": NAME, "case": f"greedy selection m={m} -> {k}, theta={theta:g}",
            "ours_value": ours.loss, "peer_value": naive_val, "reference_value": float("nan"),
            "ours_time_s": t_ours, "peer_time_s": t_naive,
            "speedup": t_naive / t_ours if t_ours > 0 else float("inf"),
            "note": f"peer: naive greedy re-solving (Σ_JJ+τI)⁻¹ per candidate; same nodes selected: {same}",
        })

    m = 1024 if quick else 4096
    S = _layer_cov(m, m // 4, rng)
    mu_top = float(np.trace(S))
    lam = 1e-3 * mu_top / m * 10
    exact, t_exact = best_time(lambda: sp.degrees_of_freedom(np.clip(np.linalg.eigvalsh(S), 0, None), lam), repeats=1)
    for solver in ("cholesky", "cg"):
        est, t_est = best_time(lambda: sp.degrees_of_freedom_randomized(S, lam, n_probes=60, rng=0,
                                                                         solver=solver),
                                repeats=1 if not quick else _REPEATS)
        rows.append({
            "benchmark": NAME, "case": f"randomized N(lambda), m={m}, Hutch++ 60 solves, {solver}",
            "ours_value": est.value, "peer_value": exact, "reference_value": exact,
            "ours_time_s": t_est, "peer_time_s": t_exact,
            "speedup": t_exact / t_est if t_est > 0 else float("inf"),
            "note": (f"peer: exact via numpy eigvalsh; |error| = {abs(est.value - exact):.3g}, "
                     f"reported SE = {est.se:.3g} ({abs(est.value - exact) / max(est.se, 1e-300):.2f} SE)"),
        })
    return rows
