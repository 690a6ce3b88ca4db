"""Claims of rate–distortion theory (Blahut 1972; Cover & Thomas 2006, ch. 10).

``rd.blahut_arimoto_bernoulli`` (parameters ``p``, ``beta``): Blahut–Arimoto's certified bracket
[R_lower, R_upper] on a Bernoulli(p) source with Hamming distortion contains the closed form
h(p) − h(D) at BA's own distortion D. Both sides come from
:func:`theory.testbeds.protocols.bernoulli_blahut_arimoto`, the call the experiment
``rate_distortion_curves`` makes.
"""

from __future__ import annotations

from ..claims import Claim, Measurement, register
from ..testbeds.protocols import bernoulli_blahut_arimoto

__all__ = ["RD_BERNOULLI"]


def _evaluate(p, rng):
    r = bernoulli_blahut_arimoto(p["p"], p["beta"])
    return r["closed_form"], Measurement(r["bracket_mid"], r["bracket_se"])


RD_BERNOULLI = register(Claim(
    id="rd.blahut_arimoto_bernoulli",
    reference="Blahut, IEEE Trans. IT 1972; Cover & Thomas 2006, §10.3.1 and §10.8",
    statement="h(p) − h(D) ∈ [R_lower, R_upper], BA's certified bracket at its distortion D",
    params=("p", "beta"),
    evaluate=_evaluate,
    relation="==",
))
