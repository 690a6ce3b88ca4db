"""Blahut–Arimoto: ``theory.rate_distortion.blahut_arimoto`` against dit's implementation.

Source Bernoulli(p) with Hamming distortion, where the exact curve is R(D) = h(p) − h(D). Each
implementation is run at the same slope and judged by the absolute error of its rate against
the closed form evaluated at *its own* distortion (both return a point (D, R) of the curve, not
necessarily the same D). Slopes are given in nats: dit's update uses 2^{−β d}, so it is called
with β/ln 2, and its rate (bits) is converted to nats.

dit is called with ``restarts=1`` (one run from the uniform channel, like ours) so that the
times compare one Blahut–Arimoto run with another; its default, 100 restarts on a thread pool,
is timed once in the full run. dit stops when the distortion stops moving
(``numpy.isclose``, at most 100 iterations); ours stops on the certified gap (1e-9 nats).
"""

from __future__ import annotations

import math

import numpy as np

from ._timing import best_time

NAME = "blahut_arimoto_vs_dit"


def run(quick: bool = False) -> list[dict]:
    """Rows comparing our Blahut–Arimoto with dit's on Bernoulli(0.3) under Hamming distortion."""
    from dit.rate_distortion.blahut_arimoto import blahut_arimoto as dit_blahut_arimoto

    from theory.rate_distortion import (
        bernoulli_hamming_rate_distortion,
        blahut_arimoto,
        hamming_distortion_matrix,
    )

    p = 0.3
    px = np.array([1.0 - p, p])
    d = hamming_distortion_matrix(2)
    betas = (1.5, 3.0, 6.0) if quick else (1.0, 1.5, 2.0, 3.0, 4.5, 6.0, 9.0)
    ln2 = math.log(2.0)
    rows = []

    def row(case, ours, t_ours, peer, t_peer, peer_note):
        peer_rate = float(peer.rate) * ln2
        peer_dist = float(peer.distortion)
        ref_ours = bernoulli_hamming_rate_distortion(p, ours.distortion)
        ref_peer = bernoulli_hamming_rate_distortion(p, peer_dist)
        return {
            "benchmark": NAME,
            "case": case,
            "ours_value": abs(ours.rate - ref_ours),
            "peer_value": abs(peer_rate - ref_peer),
            "reference_value": 0.0,
            "ours_time_s": t_ours,
            "peer_time_s": t_peer,
            "speedup": t_peer / t_ours,
            "note": (f"abs. error of R against h(p) - h(D) in nats, each at its own D; ours: D={ours.distortion:.6g}, "
                     f"R={ours.rate:.6g}, certified gap {ours.gap:.1e}, {ours.iterations} it; "
                     f"dit ({peer_note}): D={peer_dist:.6g}, R={peer_rate:.6g}"),
        }

    for beta in betas:
        ours, t_ours = best_time(lambda: blahut_arimoto(px, d, beta, tol=1e-9))
        (peer, _), t_peer = best_time(lambda: dit_blahut_arimoto(px, beta / ln2, restarts=1))
        rows.append(row(f"Bernoulli(p={p}), Hamming, beta={beta:g}", ours, t_ours, peer, t_peer,
                        "restarts=1"))

    if not quick:
        beta = 3.0
        ours, t_ours = best_time(lambda: blahut_arimoto(px, d, beta, tol=1e-9))
        state = np.random.get_state()  # dit draws its restarts from numpy's global generator
        np.random.seed(0)
        try:
            (peer, _), t_peer = best_time(lambda: dit_blahut_arimoto(px, beta / ln2))
        finally:
            np.random.set_state(state)
        rows.append(row(f"Bernoulli(p={p}), Hamming, beta={beta:g}, dit default restarts", ours,
                        t_ours, peer, t_peer, "default restarts=100"))
    return rows
