r"""Out-of-distribution risk: change of measure, certified target risk, and shift-aware MI bounds.

Training (source) law :math:`\mu`, test (target) law :math:`\mu'`, density ratio
:math:`w=d\mu'/d\mu`. Three families of results:

- **Change of measure** for a function :math:`g` with values in :math:`[0,1]` (a loss, an error
  indicator): :func:`ratio_bound`, :func:`chi2_bound`, :func:`dv_bound` (with
  :func:`empirical_cgf`) bound :math:`E_{\mu'}g` by source quantities and a divergence.
- **Certified target risk** from an upper confidence bound :math:`\bar p\ge E_\mu g` on the
  source risk alone (:func:`source_risk_upper`): data processing through the Bernoulli channel
  :math:`z\mapsto\mathrm{Ber}(g(z))` gives :func:`kl_certified_bound`,
  :func:`chi2_certified_bound`, :func:`ratio_certified_bound` and their minimum
  :func:`certified_target_bound`.
- **Generalization under shift**: the individual-sample bound of Wu, Manton, Aickelin and Zhu
  (:func:`wu_subgaussian_bound`, :func:`wu_cgf_bound`), which pays :math:`D(\mu\|\mu')` — the
  *train‖test* direction — on top of :math:`I(W;Z_i)`; and the triangle inequality for a
  surrogate deployed at a shifted parameter (:func:`concept_shift_bound`).

Closed-form divergences of two shift designs, used to test the bounds, are in
:func:`piecewise_ratio_design` and :func:`gaussian_shift_design`.

Conventions. Divergences are in nats; an infinite divergence is accepted and gives a vacuous
bound: every bound on :math:`E_{\mu'}g` for :math:`g\in[0,1]` is capped at ``1.0`` (and is
``1.0`` when the divergence is infinite, e.g. under disjoint supports); the generalization bounds
return ``inf``. Bad input raises a ValueError naming the argument; no function returns NaN.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import logsumexp

from . import bounds as _bounds
from ._checks import _fail, as_array, as_float, as_int, check_nonnegative, check_probability

__all__ = [
    "ratio_bound",
    "chi2_bound",
    "dv_bound",
    "empirical_cgf",
    "kl_certified_bound",
    "chi2_certified_bound",
    "ratio_certified_bound",
    "certified_target_bound",
    "source_risk_upper",
    "piecewise_ratio_design",
    "gaussian_shift_design",
    "wu_subgaussian_bound",
    "wu_cgf_bound",
    "concept_shift_bound",
]

_DIRECTIONS = ("target_source", "source_target")


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------

def _sup_ratio(x, name: str = "sup_ratio") -> float:
    """An essential supremum of dμ'/dμ: >= 1 for two probability measures; inf allowed."""
    return as_float(x, name, low=1.0, allow_inf=True)


def _divergence(x, name: str) -> float:
    return check_nonnegative(x, name, allow_inf=True)


def _xlog_ratio(x: float, y: float, diff: float) -> float:
    """``x log(x / y)`` with ``diff = x - y`` given accurately: log1p near ``x = y``, logs elsewhere."""
    if x == 0.0:
        return 0.0
    if y == 0.0:
        return math.inf
    ratio = diff / y
    if -0.5 < ratio < 1.0:
        return x * math.log1p(ratio)
    return x * (math.log(x) - math.log(y))


def _bernoulli_kl(a: float, b: float) -> float:
    r""":math:`\mathrm{kl}(a\|b)=a\log\frac ab+(1-a)\log\frac{1-a}{1-b}`, accurate when ``a`` is
    close to ``b``; ``inf`` when ``Ber(a)`` is not absolutely continuous w.r.t. ``Ber(b)``."""
    if a == b:
        return 0.0
    out = _xlog_ratio(a, b, a - b) + _xlog_ratio(1.0 - a, 1.0 - b, b - a)
    return max(out, 0.0)


def _kl_sup(p: float, budget: float, reverse: bool) -> float:
    r"""``sup{q in [p, 1] : kl(q||p) <= budget}`` (``reverse``: ``kl(p||q)``), by bisection run
    until the bracket cannot shrink in floating point. Both maps are non-decreasing in q on [p, 1]."""
    if math.isinf(budget) or p >= 1.0:
        return 1.0
    if budget == 0.0:
        return p

    def f(q):
        return _bernoulli_kl(p, q) if reverse else _bernoulli_kl(q, p)

    if f(1.0) <= budget:
        return 1.0
    lo, hi = p, 1.0
    while True:
        mid = 0.5 * (lo + hi)
        if mid <= lo or mid >= hi:
            break
        if f(mid) <= budget:
            lo = mid
        else:
            hi = mid
    return lo


# --------------------------------------------------------------------------------------------
# change of measure
# --------------------------------------------------------------------------------------------

def ratio_bound(source_mean: float, sup_ratio: float) -> float:
    r"""Change of measure through a bounded density ratio.

    .. math::

        E_{\mu'}g = E_\mu[w\,g] \le \Big(\operatorname*{ess\,sup}_\mu w\Big)\,E_\mu g,
        \qquad g\ge 0,

    capped at 1 (the largest mean of :math:`g\in[0,1]`). Valid when :math:`\mu'\ll\mu`
    with :math:`w\le B`; :math:`B=\infty` gives the vacuous ``1.0``.

    Parameters
    ----------
    source_mean : float
        :math:`E_\mu g\in[0,1]`.
    sup_ratio : float
        :math:`B=\operatorname{ess\,sup} d\mu'/d\mu\ge 1` (``inf`` allowed).

    Returns
    -------
    float
        :math:`\min\{1, B\,E_\mu g\}`.

    References
    ----------
    Standard (importance weighting); see e.g. S. Ben-David, J. Blitzer, K. Crammer, A. Kulesza,
    F. Pereira and J. W. Vaughan, "A theory of learning from different domains", Machine
    Learning 79 (2010).

    Examples
    --------
    >>> ratio_bound(0.1, 3.0), ratio_bound(0.5, 3.0), ratio_bound(0.0, math.inf)
    (0.30000000000000004, 1.0, 1.0)
    """
    m = check_probability(source_mean, "source_mean")
    b = _sup_ratio(sup_ratio)
    if math.isinf(b):
        return 1.0
    return min(1.0, b * m)


def chi2_bound(source_second_moment: float, chi2: float) -> float:
    r"""Change of measure through the :math:`\chi^2` divergence (Cauchy–Schwarz).

    .. math::

        E_{\mu'}g = E_\mu[w\,g] \le \sqrt{E_\mu w^2}\,\sqrt{E_\mu g^2}
                  = \sqrt{(1+\chi^2(\mu'\|\mu))\,E_\mu g^2},

    capped at 1. Equality holds when :math:`g\propto w` (and the cap is not active).

    Parameters
    ----------
    source_second_moment : float
        :math:`E_\mu g^2\in[0,1]`.
    chi2 : float
        :math:`\chi^2(\mu'\|\mu)=E_\mu w^2-1\ge 0` (``inf`` allowed: vacuous ``1.0``).

    Returns
    -------
    float

    References
    ----------
    Standard (Cauchy–Schwarz); e.g. Y. Mansour, M. Mohri and A. Rostamizadeh, "Domain
    adaptation: learning bounds and algorithms", COLT 2009 (Rényi-divergence form).

    Examples
    --------
    >>> chi2_bound(0.04, 3.0)
    0.4
    """
    m2 = check_probability(source_second_moment, "source_second_moment")
    c = _divergence(chi2, "chi2")
    if math.isinf(c):
        return 1.0
    with np.errstate(over="ignore"):
        value = math.sqrt(1.0 + c) * math.sqrt(m2)
    return min(1.0, value)


def empirical_cgf(samples: ArrayLike, ts: float | ArrayLike) -> float | np.ndarray:
    r"""Plug-in (uncentred) cumulant generating function of samples, computed stably.

    .. math::

        \hat\Lambda(t) = \log\frac1m\sum_{j=1}^m e^{t g_j}
                       = \operatorname{logsumexp}_j(t g_j) - \log m.

    Parameters
    ----------
    samples : array_like, shape (m,)
        Finite values :math:`g_j` (for :func:`dv_bound`: in :math:`[0,1]`, drawn from the source).
    ts : float or array_like, shape (k,)
        Finite real :math:`t`.

    Returns
    -------
    float or numpy.ndarray
        Same shape as ``ts``.

    Examples
    --------
    >>> print(round(float(empirical_cgf([0.0, 1.0], 1.0)), 12), round(math.log((1 + math.e) / 2), 12))
    0.620114506958 0.620114506958
    """
    g = as_array(samples, "samples", ndim=1)
    scalar = np.ndim(ts) == 0
    t = as_array(ts, "ts", ndim=(0, 1))
    tt = t.reshape(-1)
    logm = math.log(g.size)
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.array([float(logsumexp(float(ti) * g)) - logm for ti in tt])
    if not np.all(np.isfinite(out)):
        raise ValueError("`ts` and `samples` give a CGF beyond the float range; rescale them")
    return float(out[0]) if scalar else out.reshape(t.shape)


def dv_bound(kl: float, cgf: Callable[[np.ndarray], ArrayLike] | ArrayLike, ts: ArrayLike) -> float:
    r"""Donsker–Varadhan change of measure for :math:`g\in[0,1]`, minimised over a grid of ``t``.

    .. math::

        E_{\mu'}g \le \inf_{t>0}\frac{D(\mu'\|\mu) + \Lambda_\mu(t)}{t},
        \qquad \Lambda_\mu(t)=\log E_\mu e^{t g}\ \ (\text{uncentred}),

    from :math:`D(\mu'\|\mu)\ge E_{\mu'}[tg]-\log E_\mu e^{tg}`. Every ``t`` gives a valid bound,
    so the minimum over the supplied grid is valid; the result is capped at 1. With the exact
    :math:`\Lambda_\mu` the bound is certified; with :func:`empirical_cgf` of source samples it is
    a plug-in *estimate* of the bound.

    Parameters
    ----------
    kl : float
        :math:`D(\mu'\|\mu)` (target‖source) in nats, ``>= 0``; ``inf`` gives ``1.0``.
    cgf : callable or array_like, shape (k,)
        Either a callable ``t -> log E_mu exp(t g)`` (called on each grid point) or its values
        on ``ts``. Each value must lie in :math:`[0, t]` (which holds for :math:`g\in[0,1]`).
    ts : array_like, shape (k,)
        Grid of :math:`t>0`, finite.

    Returns
    -------
    float

    References
    ----------
    M. D. Donsker and S. R. S. Varadhan, "Asymptotic evaluation of certain Markov process
    expectations for large time, IV", CPAM 36 (1983) (variational formula); standard
    change-of-measure inequality.

    Examples
    --------
    Point mass: if :math:`g\equiv 1/2` then :math:`\Lambda(t)=t/2` and :math:`D=0` gives 1/2.

    >>> dv_bound(0.0, lambda t: t / 2, [0.5, 1.0, 2.0])
    0.5
    """
    d = _divergence(kl, "kl")
    t = as_array(ts, "ts", ndim=1, positive=True)
    if callable(cgf):
        vals = np.array([as_float(cgf(float(ti)), "cgf") for ti in t])
    else:
        vals = as_array(cgf, "cgf", ndim=1, shape=(t.size,))
    tol = 1e-9 * np.maximum(1.0, t)
    if np.any(vals < -tol) or np.any(vals > t + tol):
        _fail("cgf", "in [0, t] at every t (log E exp(t g) of g in [0, 1])", vals)
    if math.isinf(d):
        return 1.0
    with np.errstate(over="ignore"):
        values = (d + np.clip(vals, 0.0, t)) / t
    return float(min(1.0, np.min(values)))


# --------------------------------------------------------------------------------------------
# certified target risk from a source upper bound
# --------------------------------------------------------------------------------------------

def kl_certified_bound(p_bar: float, kl: float, *,
                       direction: Literal["target_source", "source_target"] = "target_source") -> float:
    r"""Target-risk bound from a source-risk upper bound and a KL divergence (data processing).

    .. math::

        q = E_{\mu'}g \le \sup\{q\in[\bar p,1]:\ \mathrm{kl}(q\|\bar p)\le D(\mu'\|\mu)\},
        \qquad \mathrm{kl}(a\|b)=a\log\frac ab+(1-a)\log\frac{1-a}{1-b}.

    Derivation. Pass :math:`Z` through the channel :math:`Z\mapsto\mathrm{Ber}(g(Z))`: the source
    gives :math:`\mathrm{Ber}(p)`, :math:`p=E_\mu g`, the target :math:`\mathrm{Ber}(q)`. Data
    processing gives :math:`\mathrm{kl}(q\|p)\le D(\mu'\|\mu)`. If :math:`q\ge\bar p\ge p`, then
    since :math:`p\mapsto\mathrm{kl}(q\|p)` is non-increasing on :math:`[0,q]`,
    :math:`\mathrm{kl}(q\|\bar p)\le\mathrm{kl}(q\|p)\le D`; otherwise :math:`q<\bar p`. Either
    way :math:`q` is at most the supremum. With ``direction="source_target"`` the divergence is
    :math:`D(\mu\|\mu')` and the constraint :math:`\mathrm{kl}(\bar p\|q)\le D` (same argument:
    :math:`p\mapsto\mathrm{kl}(p\|q)` is non-increasing on :math:`[0,q]`).

    Edge cases. ``kl = inf`` or :math:`\bar p=1`: ``1.0``; ``kl = 0``: :math:`\bar p`.
    :math:`\bar p=0`: ``"target_source"`` gives ``0.0`` (a finite :math:`D(\mu'\|\mu)` forces
    :math:`\mu'\ll\mu`), ``"source_target"`` gives :math:`1-e^{-D}`. The supremum is found by
    bisection until the bracket cannot shrink in floating point.

    Parameters
    ----------
    p_bar : float
        :math:`\bar p\ge E_\mu g`, in :math:`[0,1]`.
    kl : float
        The divergence in nats, ``>= 0`` (``inf`` allowed).
    direction : {"target_source", "source_target"}, default "target_source"
        ``kl`` is :math:`D(\mu'\|\mu)` or :math:`D(\mu\|\mu')`.

    Returns
    -------
    float
        In :math:`[\bar p, 1]`.

    References
    ----------
    Data-processing inequality for KL (e.g. T. M. Cover and J. A. Thomas, *Elements of
    Information Theory*, 2nd ed., Wiley 2006, Sec. 2.8); the Bernoulli reduction is derived
    above (the same device as in M. Seeger, JMLR 3 (2002), for PAC-Bayes-kl).

    Examples
    --------
    >>> print(round(kl_certified_bound(0.0, 0.1, direction="source_target"), 12),
    ...       round(1 - math.exp(-0.1), 12))
    0.095162581964 0.095162581964
    >>> kl_certified_bound(0.0, 0.1), kl_certified_bound(0.2, math.inf)
    (0.0, 1.0)
    """
    p = check_probability(p_bar, "p_bar")
    d = _divergence(kl, "kl")
    if not isinstance(direction, str) or direction not in _DIRECTIONS:
        _fail("direction", f"one of {_DIRECTIONS}", direction)
    return _kl_sup(p, d, reverse=(direction == "source_target"))


def chi2_certified_bound(p_bar: float, chi2: float) -> float:
    r"""Target-risk bound from a source-risk upper bound and :math:`\chi^2(\mu'\|\mu)`.

    .. math::

        q = E_{\mu'}g \le \min\Big\{1,\ \bar p + \sqrt{\chi^2(\mu'\|\mu)\,\bar p(1-\bar p)}\Big\},

    valid for every :math:`\bar p\in[0,1]`. Derivation: through the channel
    :math:`Z\mapsto\mathrm{Ber}(g(Z))`, data processing gives
    :math:`\chi^2(\mathrm{Ber}(q)\|\mathrm{Ber}(p))=(q-p)^2/(p(1-p))\le\chi^2(\mu'\|\mu)`. For
    :math:`q\ge\bar p\ge p` use that :math:`f(p)=(q-p)^2/(p(1-p))` is non-increasing on
    :math:`(0,q]` — its log-derivative is
    :math:`-\big(p(1-q)+q(1-p)\big)/\big((q-p)p(1-p)\big)\le 0` — so
    :math:`(q-\bar p)^2\le\chi^2\,\bar p(1-\bar p)`. (Monotonicity of the right-hand side in
    :math:`\bar p`, which holds only for :math:`\bar p\le 1/2`, is not needed.)

    Parameters
    ----------
    p_bar : float
        :math:`\bar p\ge E_\mu g`, in :math:`[0,1]`.
    chi2 : float
        :math:`\chi^2(\mu'\|\mu)\ge 0`; ``inf`` gives ``1.0``.

    Returns
    -------
    float

    References
    ----------
    Data-processing inequality for f-divergences (I. Csiszár, "Information-type measures of
    difference of probability distributions", Studia Sci. Math. Hungar. 2 (1967)); the
    Bernoulli reduction is derived above.

    Examples
    --------
    >>> chi2_certified_bound(0.1, 1.0)
    0.4
    """
    p = check_probability(p_bar, "p_bar")
    c = _divergence(chi2, "chi2")
    if math.isinf(c):
        return 1.0
    return min(1.0, p + math.sqrt(c) * math.sqrt(p * (1.0 - p)))


def ratio_certified_bound(p_bar: float, sup_ratio: float) -> float:
    r"""Target-risk bound from a source-risk upper bound and a bounded density ratio.

    .. math:: E_{\mu'}g \le \min\{1, B\,\bar p\},\qquad B=\operatorname{ess\,sup}\,d\mu'/d\mu,

    i.e. :func:`ratio_bound` applied to :math:`\bar p\ge E_\mu g`. ``inf`` gives ``1.0``.

    Parameters
    ----------
    p_bar : float
        In :math:`[0,1]`.
    sup_ratio : float
        :math:`B\ge 1` (``inf`` allowed).

    Returns
    -------
    float

    References
    ----------
    Standard (importance weighting).

    Examples
    --------
    >>> ratio_certified_bound(0.1, 2.0)
    0.2
    """
    p = check_probability(p_bar, "p_bar")
    b = _sup_ratio(sup_ratio)
    if math.isinf(b):
        return 1.0
    return min(1.0, b * p)


def certified_target_bound(p_bar: float, *, sup_ratio: float = math.inf, chi2: float = math.inf,
                           kl: float = math.inf, kl_source_target: float = math.inf) -> float:
    r"""The smallest of the certified target-risk bounds for the divergences supplied.

    .. math::

        E_{\mu'}g \le \min\Big\{B\bar p,\ \bar p+\sqrt{\chi^2\bar p(1-\bar p)},\
        \sup\{q:\mathrm{kl}(q\|\bar p)\le D(\mu'\|\mu)\},\
        \sup\{q:\mathrm{kl}(\bar p\|q)\le D(\mu\|\mu')\},\ 1\Big\}.

    Each term is valid on its own (see :func:`ratio_certified_bound`,
    :func:`chi2_certified_bound`, :func:`kl_certified_bound`); a divergence left at ``inf``
    contributes the vacuous 1.

    Parameters
    ----------
    p_bar : float
        :math:`\bar p\ge E_\mu g`, in :math:`[0,1]` (e.g. :func:`source_risk_upper`).
    sup_ratio : float, default inf
        :math:`\operatorname{ess\,sup}d\mu'/d\mu\ge 1`.
    chi2 : float, default inf
        :math:`\chi^2(\mu'\|\mu)`.
    kl : float, default inf
        :math:`D(\mu'\|\mu)` (target‖source).
    kl_source_target : float, default inf
        :math:`D(\mu\|\mu')` (source‖target).

    Returns
    -------
    float

    Examples
    --------
    >>> certified_target_bound(0.1, sup_ratio=2.0, chi2=1.0)
    0.2
    """
    p = check_probability(p_bar, "p_bar")
    return min(ratio_certified_bound(p, sup_ratio), chi2_certified_bound(p, chi2),
               kl_certified_bound(p, kl),
               _kl_sup(p, _divergence(kl_source_target, "kl_source_target"), reverse=True))


def source_risk_upper(empirical_risk: float, n: int, delta: float) -> float:
    r"""Upper confidence bound on the source risk: the binomial (Chernoff) kl inverse.

    .. math::

        \bar p = \mathrm{kl}^{-1}\Big(\hat R, \frac{\log(1/\delta)}{n}\Big)
               = \sup\Big\{p\in[\hat R,1]:\ \mathrm{kl}(\hat R\|p)\le\frac{\log(1/\delta)}{n}\Big\}.

    For :math:`\hat R` the mean of ``n`` i.i.d. values in :math:`[0,1]` with mean :math:`p`,
    Chernoff's bound :math:`P(\hat R\le r)\le e^{-n\,\mathrm{kl}(r\|p)}` (:math:`r\le p`) gives
    :math:`P(p\le\bar p)\ge 1-\delta`. Solved by bisection to float precision.

    Parameters
    ----------
    empirical_risk : float
        :math:`\hat R\in[0,1]` on held-out source data.
    n : int
        Number of held-out samples, ``>= 1``.
    delta : float
        Confidence level, in :math:`(0,1)`.

    Returns
    -------
    float
        :math:`\bar p\in[\hat R,1]`.

    References
    ----------
    H. Chernoff, "A measure of asymptotic efficiency for tests of a hypothesis based on the sum
    of observations", Ann. Math. Statist. 23 (1952); J. Langford, "Tutorial on practical
    prediction theory for classification", JMLR 6 (2005), Theorem 3.3 (test-set bound; number as
    recalled).

    Examples
    --------
    Zero errors: :math:`\bar p = 1-\delta^{1/n}`.

    >>> print(round(source_risk_upper(0.0, 100, 0.05), 12), round(1 - 0.05 ** (1 / 100), 12))
    0.029513049607 0.029513049607
    """
    r = check_probability(empirical_risk, "empirical_risk")
    n = as_int(n, "n", low=1)
    dl = as_float(delta, "delta", low=0.0, high=1.0, low_open=True, high_open=True)
    budget = math.log(1.0 / dl) / float(n) if n < 10**300 else 0.0
    return _kl_sup(r, budget, reverse=True)


# --------------------------------------------------------------------------------------------
# closed-form shift designs
# --------------------------------------------------------------------------------------------

def piecewise_ratio_design(sup_ratio: float) -> dict:
    r"""Divergences of the two-piece design with density ratio bounded by ``B``.

    On :math:`[0,1]` with halves :math:`A=[0,\tfrac12)` and :math:`A^c`: the source puts mass
    :math:`B/(B+1)` on :math:`A` and :math:`1/(B+1)` on :math:`A^c` (uniform within each half),
    the target the reverse. Then :math:`w=d\mu'/d\mu` is :math:`1/B` on :math:`A` and :math:`B`
    on :math:`A^c`, and

    .. math::

        D(\mu'\|\mu) = D(\mu\|\mu') = \frac{B-1}{B+1}\log B,\qquad
        \chi^2(\mu'\|\mu)=\chi^2(\mu\|\mu')=\frac{(B-1)^2}{B},\qquad \sup w = B.

    (Derivation: :math:`D(\mu'\|\mu)=\tfrac{1}{B+1}\log\tfrac1B+\tfrac{B}{B+1}\log B`;
    :math:`E_\mu w^2=\tfrac{B}{B+1}B^{-2}+\tfrac{1}{B+1}B^2=(B^2-B+1)/B`; the design is symmetric
    under swapping the halves.)

    Parameters
    ----------
    sup_ratio : float
        :math:`B\ge 1`, finite.

    Returns
    -------
    dict
        ``kl_target_source``, ``kl_source_target``, ``chi2_target_source``,
        ``chi2_source_target``, ``sup_ratio``, and the source's mass on :math:`A`,
        ``source_mass_a``.

    Examples
    --------
    >>> d = piecewise_ratio_design(3.0)
    >>> print(round(d["kl_target_source"], 12), round(0.5 * math.log(3.0), 12), d["chi2_target_source"])
    0.549306144334 0.549306144334 1.3333333333333333
    """
    b = as_float(sup_ratio, "sup_ratio", low=1.0)
    kl = (b - 1.0) / (b + 1.0) * math.log(b)
    chi2 = (b - 1.0) * ((b - 1.0) / b)
    return {"kl_target_source": kl, "kl_source_target": kl, "chi2_target_source": chi2,
            "chi2_source_target": chi2, "sup_ratio": b, "source_mass_a": b / (b + 1.0)}


def gaussian_shift_design(delta: float, s: float) -> dict:
    r"""Divergences between :math:`\mu=N(m,s^2)` and :math:`\mu'=N(m+\delta,s^2)`.

    .. math::

        D(\mu'\|\mu)=D(\mu\|\mu')=\frac{\delta^2}{2s^2},\qquad
        \chi^2(\mu'\|\mu)=e^{\delta^2/s^2}-1,\qquad \sup w=\infty\ (\delta\ne 0).

    (:math:`E_\mu w^2=E_\mu e^{2\delta(X-m)/s^2-\delta^2/s^2}=e^{\delta^2/s^2}`.) Values beyond
    the float range are returned as ``inf`` (vacuous, still valid, bounds).

    Parameters
    ----------
    delta : float
        Shift of the mean, finite.
    s : float
        Standard deviation, ``> 0``.

    Returns
    -------
    dict
        ``kl_target_source``, ``kl_source_target``, ``chi2_target_source``,
        ``chi2_source_target``, ``sup_ratio`` (``1.0`` for ``delta = 0``).

    Examples
    --------
    >>> d = gaussian_shift_design(1.0, 2.0)
    >>> d["kl_target_source"], round(d["chi2_target_source"], 12), d["sup_ratio"]
    (0.125, 0.284025416688, inf)
    """
    dl = as_float(delta, "delta")
    sd = as_float(s, "s", low=0.0, low_open=True)
    with np.errstate(over="ignore"):
        r2 = (dl / sd) ** 2 if math.isfinite(dl / sd) else math.inf
    kl = 0.5 * r2
    chi2 = math.expm1(r2) if r2 < 709.0 else math.inf
    return {"kl_target_source": kl, "kl_source_target": kl, "chi2_target_source": chi2,
            "chi2_source_target": chi2, "sup_ratio": 1.0 if dl == 0.0 else math.inf}


# --------------------------------------------------------------------------------------------
# generalization under shift
# --------------------------------------------------------------------------------------------

def _mis_plus(mis, kl_train_test):
    m = as_array(mis, "mis", ndim=1, finite=False, nonnegative=True)
    if np.any(np.isnan(m)):
        raise ValueError("`mis` must not contain NaN")
    d = _divergence(kl_train_test, "kl_train_test")
    with np.errstate(over="ignore"):
        return m + d


def wu_subgaussian_bound(mis: ArrayLike, kl_train_test: float, r: float) -> float:
    r"""Individual-sample MI bound on the generalization error under distribution shift (sub-Gaussian).

    .. math::

        E L_{\mu'}(W) - E L_S(W) \le \frac1n\sum_{i=1}^n
        \sqrt{2r^2\big(I(W;Z_i) + D(\mu\|\mu')\big)},

    for a loss :math:`\ell(\tilde W,\tilde Z')` that is :math:`r`-sub-Gaussian under
    :math:`P_W\otimes\mu'`. **Direction:** the divergence is train‖test,
    :math:`D(\mu\|\mu')`, because
    :math:`D(P_{W,Z_i}\|P_W\otimes\mu') = I(W;Z_i)+D(\mu\|\mu')` (chain rule) is what
    Donsker–Varadhan is applied to. Infinite under support mismatch (``inf`` returned).

    Parameters
    ----------
    mis : array_like, shape (n,)
        :math:`I(W;Z_i)` in nats, ``>= 0`` (``inf`` allowed).
    kl_train_test : float
        :math:`D(\mu\|\mu')`, ``>= 0`` (``inf`` allowed).
    r : float
        Sub-Gaussian parameter, ``>= 0``.

    Returns
    -------
    float

    References
    ----------
    X. Wu, J. H. Manton, U. Aickelin and J. Zhu, "Information-theoretic analysis for transfer
    learning", ISIT 2020, and IEEE Trans. Inf. Theory (2024), Theorem 1 (numbering as recalled,
    not checked against the paper's text).

    Examples
    --------
    >>> print(round(wu_subgaussian_bound([0.5, 0.5], 1.5, 0.5), 12))
    1.0
    """
    m = _mis_plus(mis, kl_train_test)
    r = check_nonnegative(r, "r")
    return _bounds.individual_sample(m, r)


def wu_cgf_bound(mis: ArrayLike, kl_train_test: float, cgf: Callable[[float], float],
                 b: float = math.inf) -> float:
    r"""Individual-sample MI bound under distribution shift, general CGF form.

    .. math::

        E L_{\mu'}(W) - E L_S(W) \le \frac1n\sum_{i=1}^n
        \inf_{0<t<b}\frac{I(W;Z_i) + D(\mu\|\mu') + \Lambda'(-t)}{t},

    where :math:`\Lambda'(-t)=\log E\,e^{-t(\ell(\tilde W,\tilde Z')-E\ell)}` is the centred
    lower-tail CGF of the loss under :math:`P_W\otimes\mu'` (``cgf`` may be any upper bound on
    it). Derivation: Donsker–Varadhan with the test function :math:`-t\ell` and
    :math:`D(P_{W,Z_i}\|P_W\otimes\mu')=I(W;Z_i)+D(\mu\|\mu')` — the **train‖test** direction —
    give :math:`t(E L_{\mu'}(W)-E\ell(W,Z_i))-\Lambda'(-t)\le I(W;Z_i)+D(\mu\|\mu')`. Computed
    by :func:`theory.bounds.individual_sample_cgf` on :math:`I(W;Z_i)+D(\mu\|\mu')`.

    Parameters
    ----------
    mis : array_like, shape (n,)
        :math:`I(W;Z_i)` in nats, ``>= 0`` (``inf`` allowed).
    kl_train_test : float
        :math:`D(\mu\|\mu')`, ``>= 0`` (``inf`` allowed, giving ``inf``).
    cgf : callable
        :math:`t\mapsto\Lambda'(-t)\ge 0` on :math:`(0,b)`.
    b : float, default inf
        Domain end of ``cgf``, ``> 0``.

    Returns
    -------
    float

    References
    ----------
    X. Wu, J. H. Manton, U. Aickelin and J. Zhu, "Information-theoretic analysis for transfer
    learning", ISIT 2020, and IEEE Trans. Inf. Theory (2024) (form as recalled; the derivation
    above is independent of the paper's text).

    Examples
    --------
    A quadratic CGF recovers :func:`wu_subgaussian_bound`:

    >>> print(round(wu_cgf_bound([0.5, 0.5], 1.5, lambda t: 0.125 * t * t), 9))
    1.0
    """
    if not callable(cgf):
        raise TypeError(f"`cgf` must be callable; got {cgf!r}")
    m = _mis_plus(mis, kl_train_test)
    b = as_float(b, "b", low=0.0, low_open=True, allow_inf=True)
    try:
        return _bounds.individual_sample_cgf(m, cgf, b)
    except ValueError as e:  # the helper calls the function `psi`; here it is `cgf`
        raise ValueError(str(e).replace("`psi`", "`cgf`")) from None


def concept_shift_bound(source_rmse: float, solver_shift_rmse: float) -> float:
    r"""Error of a surrogate deployed at a shifted parameter, by the triangle inequality in :math:`L^2`.

    .. math::

        \sqrt{E\|\hat f-G_{\nu'}\|^2} \le \sqrt{E\|\hat f-G_\nu\|^2}
        + \sqrt{E\|G_\nu-G_{\nu'}\|^2},

    for a surrogate :math:`\hat f` of the solution operator :math:`G_\nu` used at :math:`\nu'`.
    The second term needs no labels at :math:`\nu'` (the solver computes it).

    Parameters
    ----------
    source_rmse : float
        :math:`\sqrt{E\|\hat f-G_\nu\|^2}\ge 0` (``inf`` allowed).
    solver_shift_rmse : float
        :math:`\sqrt{E\|G_\nu-G_{\nu'}\|^2}\ge 0` (``inf`` allowed).

    Returns
    -------
    float

    References
    ----------
    Minkowski's inequality in :math:`L^2`.

    Examples
    --------
    >>> concept_shift_bound(0.1, 0.25)
    0.35
    """
    a = check_nonnegative(source_rmse, "source_rmse", allow_inf=True)
    c = check_nonnegative(solver_shift_rmse, "solver_shift_rmse", allow_inf=True)
    value = a + c
    if math.isinf(value) and math.isfinite(a) and math.isfinite(c):
        raise ValueError("`source_rmse` and `solver_shift_rmse` give a bound beyond the float range; rescale them")
    return value
