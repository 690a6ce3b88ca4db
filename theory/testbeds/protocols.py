"""Seeded recipes that train, compress and evaluate (layer L2).

A protocol is the one computation behind a number: the claims of :mod:`theory.catalog` and the
experiments call the same function with the same parameters, so a figure's claim row and a
test's claim check cannot drift apart. Protocols are pure given their seed, take ``device=``
where a network is involved, and return plain dicts of numbers (JSON-able rows).
"""

from __future__ import annotations

import numpy as np

from ..claims import Measurement
from ..rate_distortion import bernoulli_hamming_rate_distortion, blahut_arimoto

__all__ = ["bernoulli_blahut_arimoto"]


# ---- rate–distortion (THEORY.md §3) ---------------------------------------------------------

def bernoulli_blahut_arimoto(p: float, beta: float) -> dict:
    """Blahut–Arimoto on a Bernoulli(p) source with Hamming distortion at slope ``beta``.

    Returns the rate, distortion, certified bracket and iteration count, the closed form
    h(p) − h(D) at BA's distortion, and the bracket as a measurement: ``bracket_mid`` ± 3
    ``bracket_se`` is [R_lower, R_upper], so that an identity claim checked at 3 standard errors
    holds exactly when h(p) − h(D) lies in the bracket.
    """
    px = np.array([1 - p, p])
    res = blahut_arimoto(px, 1.0 - np.eye(2), beta)
    m = Measurement((res.rate_lower + res.rate_upper) / 2, max(res.gap, 0.0) / 6)
    return {"rate": res.rate, "distortion": res.distortion, "gap": res.gap, "rate_lower": res.rate_lower,
            "rate_upper": res.rate_upper, "iterations": res.iterations,
            "closed_form": bernoulli_hamming_rate_distortion(p, res.distortion),
            "bracket_mid": m.value, "bracket_se": m.se}


# ---- spectral pruning (THEORY.md §7) --------------------------------------------------------
# (section: spectral)


# ---- coresets (THEORY.md §8) ----------------------------------------------------------------
# (section: coresets)


# ---- quantization and curvature (THEORY.md §6) ----------------------------------------------
# (section: quantization)
