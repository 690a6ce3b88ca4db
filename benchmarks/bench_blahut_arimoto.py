"""Blahut–Arimoto: ``theory.rate_distortion.blahut_arimoto`` against dit's implementation.

dit (``dit.rate_distortion.blahut_arimoto``) iterates the same map from the same start (the
uniform test channel, whose reproduction marginal is uniform): Q(x̂|x) ∝ q(x̂) 2^{−β' d(x,x̂)},
q = p Q. It is called with β' = β/ln 2 (its kernel is base 2, ours base e) and its rates (bits)
are converted to nats, so both trace the same points. Its private ``_blahut_arimoto`` is called
directly (one run from the uniform channel, no restart pool); it stops when the average
distortion stops moving (``numpy.isclose``) or after ``max_iters``. The distortion callable
handed to it returns the precomputed matrix and counts its calls, which gives dit's iteration
count (one call before the loop, two per iteration).

Rows, all with warm-up and interleaved medians (``_timing.compare``):

- **per iteration** (goal 1.0): a discretized N(0, 1) (256 and 1024 letters, reproduction on the
  same grid, squared error) at β = 0.55, where dit's stopping rule does not fire before its cap:
  both run exactly 100 iterations (ours: ``tol=1e-300, max_iter=100``), each including its own
  setup and final rate/distortion; the values are the two rates, which agree to rounding.
- **time to equal accuracy** (goal 1.0): dit stops by its own rule; ours runs the smallest
  number of iterations that is at least as accurate. Bernoulli(0.3) with Hamming distortion:
  error |R − (h(p) − h(D))|, each at its own D. Discretized Gaussian (β = 2): the Lagrangian
  excess F − F_ref, F = R + βD (our certified gap bounds it), F_ref from a long run of ours.
- context rows (goal None): our *certified* stop (``tol`` = dit's error on Bernoulli, 1e-6 on
  the Gaussian) against dit's uncertified stop.
- **scaling**: time per iteration against the number of letters, both, 100 iterations each.
"""

from __future__ import annotations

import math

import numpy as np

from ._timing import compare, median_time

NAME = "blahut_arimoto_vs_dit"
PEER = "dit 2.3"
LN2 = math.log(2.0)


def _row(case, t, ours_value, peer_value, reference, goal, note):
    return {"benchmark": NAME, "case": case, "ours_value": ours_value, "peer_value": peer_value,
            "reference_value": reference, "ours_time_s": t.ours_s, "peer_time_s": t.peer_s,
            "ratio": t.ratio, "goal": goal, "peer": PEER, "note": note}


def _gaussian(n):
    from theory.rate_distortion import discretized_gaussian_source, squared_error_matrix

    px, x = discretized_gaussian_source(1.0, n)
    return px, squared_error_matrix(x, x)


def _dit_run(px, d, beta, max_iters):
    """dit's single Blahut–Arimoto run; returns (rate in nats, distortion, iterations)."""
    from dit.rate_distortion.blahut_arimoto import _blahut_arimoto

    calls = [0]

    def distortion(p, q_y_x):
        calls[0] += 1
        return d

    n, m = d.shape
    res, _ = _blahut_arimoto(px, beta / LN2, np.full((n, m), 1.0 / m), distortion,
                             max_iters=max_iters)
    return float(res.rate) * LN2, float(res.distortion), (calls[0] - 1) // 2


def _per_iteration_rows(sizes, iters, repeats):
    from theory.rate_distortion import blahut_arimoto

    rows, ours_t, peer_t = [], [], []
    beta = 0.55
    for n in sizes:
        px, d = _gaussian(n)
        t = compare(lambda: blahut_arimoto(px, d, beta, tol=1e-300, max_iter=iters),
                    lambda: _dit_run(px, d, beta, iters), repeats=repeats)
        ours, peer = t.ours_value, t.peer_value
        if ours.iterations != iters or peer[2] != iters:
            raise RuntimeError(f"unequal iteration counts: ours {ours.iterations}, dit {peer[2]}")
        ours_t.append(t.ours_s / iters)
        peer_t.append(t.peer_s / iters)
        rows.append(_row(f"per iteration, discretized N(0,1), {n} letters, beta={beta}, {iters} it", t,
                         ours.rate, peer[0], None, 1.0,
                         f"both exactly {iters} iterations from the uniform marginal (setup and final "
                         f"R, D included); values: R [nats] (|diff| {abs(ours.rate - peer[0]):.1e}); "
                         f"per iteration ours {t.ours_s / iters:.2e} s, dit {t.peer_s / iters:.2e} s"))
    return rows, ours_t, peer_t


def _bernoulli_rows(betas, repeats):
    from theory.rate_distortion import (bernoulli_hamming_rate_distortion, blahut_arimoto,
                                        hamming_distortion_matrix)

    p = 0.3
    px = np.array([1.0 - p, p])
    d = hamming_distortion_matrix(2)
    rows = []

    def err(rate, dist):
        return abs(rate - bernoulli_hamming_rate_distortion(p, dist))

    for beta in betas:
        r_dit, d_dit, k_dit = _dit_run(px, d, beta, 100)
        err_dit = err(r_dit, d_dit)
        k = 1
        while True:  # the smallest iteration count at which ours is as accurate as dit
            res = blahut_arimoto(px, d, beta, tol=1e-300, max_iter=k)
            if err(res.rate, res.distortion) <= err_dit or k >= 10_000:
                break
            k += 1
        t = compare(lambda: blahut_arimoto(px, d, beta, tol=1e-300, max_iter=k),
                    lambda: _dit_run(px, d, beta, 100), repeats=repeats)
        ours = t.ours_value
        rows.append(_row(f"time to accuracy, Bernoulli({p}) Hamming, beta={beta:g}", t,
                         err(ours.rate, ours.distortion), err_dit, 0.0, 1.0,
                         f"values: |R - (h(p) - h(D))| [nats], each at its own D; dit: own stop after "
                         f"{k_dit} it; ours: the fewest iterations ({k}) reaching dit's error"))
        tol = max(err_dit, 1e-13)
        t = compare(lambda: blahut_arimoto(px, d, beta, tol=tol),
                    lambda: _dit_run(px, d, beta, 100), repeats=repeats)
        ours = t.ours_value
        rows.append(_row(f"certified stop, Bernoulli({p}) Hamming, beta={beta:g}, tol=dit's error", t,
                         err(ours.rate, ours.distortion), err_dit, 0.0, None,
                         f"context: ours stops when its certified gap < dit's error ({ours.iterations} "
                         f"it, gap {ours.gap:.1e}); certifying an error e takes about twice the "
                         f"iterations that reach it (the bracket is first order, the error second "
                         f"order); dit's stop ({k_dit} it) carries no certificate"))
    return rows


def _gaussian_accuracy_rows(n, repeats):
    from theory.rate_distortion import blahut_arimoto

    beta = 2.0
    px, d = _gaussian(n)
    ref = blahut_arimoto(px, d, beta, tol=1e-12, max_iter=3000)
    f_ref = ref.rate + beta * ref.distortion
    r_dit, d_dit, k_dit = _dit_run(px, d, beta, 100)
    ex_dit = r_dit + beta * d_dit - f_ref
    k = 1
    while True:  # the smallest iteration count at which ours is as accurate as dit
        res = blahut_arimoto(px, d, beta, tol=1e-300, max_iter=k)
        if res.rate + beta * res.distortion - f_ref <= ex_dit or k >= 3000:
            break
        k += 1
    t = compare(lambda: blahut_arimoto(px, d, beta, tol=1e-300, max_iter=k),
                lambda: _dit_run(px, d, beta, 100), repeats=repeats)
    ours = t.ours_value
    rows = [_row(f"time to accuracy, discretized N(0,1), {n} letters, beta={beta:g}", t,
                 ours.rate + beta * ours.distortion - f_ref, ex_dit, 0.0, 1.0,
                 f"values: F - F_ref, F = R + beta*D [nats], F_ref from {ref.iterations} it of ours "
                 f"(certified gap {ref.gap:.1e}); dit: own stop after {k_dit} it; ours: the fewest "
                 f"iterations ({k}) reaching dit's excess (uncertified, like dit's: a certificate "
                 f"at dit's ~1e-10 takes far longer, see the next row)")]
    t = compare(lambda: blahut_arimoto(px, d, beta, tol=1e-6),
                lambda: _dit_run(px, d, beta, 100), repeats=repeats)
    ours = t.ours_value
    rows.append(_row(f"certified stop, discretized N(0,1), {n} letters, beta={beta:g}, tol=1e-6", t,
                     ours.rate + beta * ours.distortion - f_ref, ex_dit, 0.0, None,
                     f"context: ours stops when its certified gap < 1e-6 ({ours.iterations} it, gap "
                     f"{ours.gap:.1e}, converged={ours.converged}); dit's stop ({k_dit} it) carries "
                     f"no certificate; values: F - F_ref as above"))
    return rows


def run(quick: bool = False) -> list[dict]:
    """Per-iteration, time-to-accuracy and scaling rows against dit's Blahut–Arimoto."""
    from theory.rate_distortion import blahut_arimoto

    repeats = 3 if quick else 5
    sizes = (256,) if quick else (256, 1024)
    iters = 20 if quick else 100
    rows, _, _ = _per_iteration_rows(sizes, iters, repeats)
    rows += _bernoulli_rows((2.0,) if quick else (1.0, 2.0, 4.0), repeats)
    rows += _gaussian_accuracy_rows(128 if quick else 256, repeats)

    letters = [64, 128, 256] if quick else [64, 128, 256, 512, 1024]
    k = 10 if quick else 50
    ours_t, peer_t = [], []
    for n in letters:
        px, d = _gaussian(n)
        ours, to = median_time(lambda: blahut_arimoto(px, d, 0.55, tol=1e-300, max_iter=k),
                               repeats=3)
        peer, tp = median_time(lambda: _dit_run(px, d, 0.55, k), repeats=3)
        ours_t.append(to / ours.iterations)
        peer_t.append(tp / max(peer[2], 1))
    rows.append({"scaling": True, "benchmark": NAME,
                 "series": "Blahut-Arimoto time per iteration, discretized N(0,1), beta=0.55",
                 "variable": "letters", "sizes": letters, "ours_times": ours_t, "peer": PEER,
                 "peer_times": peer_t,
                 "note": f"{k} iterations each (fewer for dit if its own stop fires; setup and final R, D "
                         "included), divided by the iterations run; "
                         "reproduction alphabet = source grid, so the work is O(letters^2)"})
    return rows
