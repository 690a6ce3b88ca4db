r"""Information-theoretic generalization bounds: MI, individual-sample, CMI, compression, Gibbs.

Conventions: data :math:`S=(Z_1,\dots,Z_n)` i.i.d. from :math:`\mu`; algorithm
:math:`P_{W|S}`; :math:`L_S(w)=\frac1n\sum_i\ell(w,Z_i)`, :math:`L_\mu(w)=E\,\ell(w,Z)`;
the expected generalization error is

.. math::

    \mathrm{gen} = E\,[L_\mu(W) - L_S(W)].

Every function takes information measures in nats and returns a bound on ``gen`` (or on
``|gen|``) in the units of the loss.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import minimize_scalar

from ._checks import _fail, as_array, as_float, as_int, check_nonnegative, check_positive, log_base

__all__ = [
    "subgaussian_parameter_bounded",
    "xu_raginsky",
    "individual_sample",
    "cgf_inverse",
    "individual_sample_cgf",
    "cmi_bound",
    "samplewise_cmi_bound",
    "ecmi_bound",
    "ld_cmi_bound",
    "compressed_mi_bound",
    "quantizer_rate_bound",
    "gibbs_generalization_gap",
    "compression_changes_population_risk",
]

_LOG2 = math.log(2.0)

#: Largest count (sample size, number of weights) a formula accepts: it must convert to a float.
_MAX_COUNT = 10**300

#: Most distinct values :func:`individual_sample_cgf` inverts (one 1-D minimisation each,
#: about 0.2 ms): more could not finish in reasonable time.
_MAX_DISTINCT = 10**5


def _count(x, name: str) -> int:
    """A count ``>= 1`` used in a formula (not allocated): an int that converts to a float."""
    v = as_int(x, name, low=1)
    if v > _MAX_COUNT:
        _fail(name, f"at most {_MAX_COUNT:.0e} (it enters the bound as a float)", x)
    return v


def _finite_bound(value: float, names: str) -> float:
    """``value`` if finite, else a ValueError: finite inputs whose bound overflows a float."""
    if not math.isfinite(value):
        raise ValueError(f"{names} give a bound beyond the float range (overflow); rescale them")
    return value


def subgaussian_parameter_bounded(a: float, b: float) -> float:
    r"""Sub-Gaussian parameter of a random variable with values in ``[a, b]``.

    .. math::

        \sigma = \frac{b-a}{2}, \qquad
        \log E\,e^{\lambda(X - EX)} \le \frac{\lambda^2 (b-a)^2}{8}
        \quad\text{for all } \lambda\in\mathbb R.

    Parameters
    ----------
    a, b : float
        Finite ends of the range, ``a <= b``.

    Returns
    -------
    float
        :math:`(b-a)/2`.

    References
    ----------
    W. Hoeffding, "Probability inequalities for sums of bounded random variables",
    JASA 58 (1963), Lemma (Hoeffding's lemma), Eq. (4.16).

    Examples
    --------
    A variable in ``[0, 1]`` has parameter ``(1 - 0) / 2 = 0.5``; shifting the range leaves it
    unchanged.

    >>> from theory.bounds import subgaussian_parameter_bounded
    >>> subgaussian_parameter_bounded(0.0, 1.0), subgaussian_parameter_bounded(-3.0, -2.0)
    (0.5, 0.5)
    """
    a = as_float(a, "a")
    b = as_float(b, "b", low=a)
    return 0.5 * b - 0.5 * a  # no overflow for ends near the float range


def xu_raginsky(mi: float, n: int, sigma: float) -> float:
    r"""Xu–Raginsky mutual-information bound on the generalization error.

    .. math::

        |\mathrm{gen}| \le \sqrt{\frac{2\sigma^2 I(S;W)}{n}},

    valid when :math:`\ell(w,Z)` is :math:`\sigma`-sub-Gaussian under :math:`\mu` for every
    :math:`w`.

    Parameters
    ----------
    mi : float
        :math:`I(S;W)` in nats, ``>= 0``; ``math.inf`` (e.g. a deterministic algorithm with a
        continuous output) gives ``math.inf``.
    n : int
        Sample size, ``1 <= n <= 1e300`` (it enters as a float).
    sigma : float
        Sub-Gaussian parameter of the loss, ``>= 0`` (``0`` gives ``0``: a constant loss).

    Returns
    -------
    float
        The bound, computed as :math:`\sigma\sqrt{2 I/n}` so that neither :math:`\sigma^2` nor
        :math:`2I` overflows (``sigma=1e300`` is fine); a ValueError if the bound itself is
        beyond the float range.

    References
    ----------
    A. Xu and M. Raginsky, "Information-theoretic analysis of generalization capability of
    learning algorithms", NeurIPS 2017, Theorem 1.

    Examples
    --------
    With :math:`I = 2` nats, :math:`n = 100` and :math:`\sigma = 0.5`:
    ``0.5 * sqrt(2 * 2 / 100) = 0.5 * 0.2 = 0.1``.

    >>> from theory.bounds import xu_raginsky
    >>> round(xu_raginsky(2.0, 100, 0.5), 12)
    0.1
    """
    mi = check_nonnegative(mi, "mi", allow_inf=True)
    n = _count(n, "n")
    sigma = check_nonnegative(sigma, "sigma")
    if sigma == 0.0:
        return 0.0
    if math.isinf(mi):
        return math.inf
    # sigma * sqrt(2 mi / n): no overflow of sigma^2 or of 2 mi for inputs near the float range
    with np.errstate(over="ignore"):
        value = sigma * (math.sqrt(2.0) * math.sqrt(mi / n))
    return _finite_bound(value, "`mi`, `n` and `sigma`")


def individual_sample(mis: ArrayLike, sigma: float) -> float:
    r"""Individual-sample mutual-information bound (sub-Gaussian form).

    .. math::

        |\mathrm{gen}| \le \frac1n\sum_{i=1}^n \sqrt{2\sigma^2 I(W;Z_i)},

    valid when :math:`\ell(\tilde W,\tilde Z)` is :math:`\sigma`-sub-Gaussian under
    :math:`P_W\otimes\mu`. By the chain rule for independent :math:`Z_i`,
    :math:`\sum_i I(W;Z_i)\le I(S;W)`, and by Jensen it is never larger than
    :func:`xu_raginsky`.

    Parameters
    ----------
    mis : array_like, shape (n,)
        :math:`I(W;Z_i)` in nats, ``>= 0`` (``inf`` entries allowed); ``n = len(mis)``.
    sigma : float
        Sub-Gaussian parameter, ``>= 0``.

    Returns
    -------
    float
        The bound (``inf`` if any entry is infinite and ``sigma > 0``).

    References
    ----------
    Y. Bu, S. Zou and V. V. Veeravalli, "Tightening mutual information-based bounds on
    generalization error", IEEE JSAIT 1(1) 2020, Proposition 1 (numbering as recalled, not checked
    against the paper's text).

    Examples
    --------
    With :math:`I(W;Z_1) = 0.5`, :math:`I(W;Z_2) = 2` and :math:`\sigma = 1`:
    ``(sqrt(2 * 0.5) + sqrt(2 * 2)) / 2 = (1 + 2) / 2 = 1.5``, below the Xu–Raginsky bound with
    :math:`I(S;W) = 2.5`, ``sqrt(2 * 2.5 / 2) = 1.58...``.

    >>> from theory.bounds import individual_sample, xu_raginsky
    >>> round(individual_sample([0.5, 2.0], 1.0), 12)
    1.5
    >>> individual_sample([0.5, 2.0], 1.0) <= xu_raginsky(2.5, 2, 1.0)
    True
    """
    m = as_array(mis, "mis", ndim=1, finite=False, nonnegative=True)
    if np.any(np.isnan(m)):
        raise ValueError("`mis` must not contain NaN")
    sigma = check_nonnegative(sigma, "sigma")
    if sigma == 0.0:
        return 0.0
    if np.any(np.isinf(m)):
        return math.inf
    with np.errstate(over="ignore"):
        value = sigma * float(np.mean(math.sqrt(2.0) * np.sqrt(m)))
    return _finite_bound(value, "`mis` and `sigma`")


# --------------------------------------------------------------------------------------------
# CGF-based (general) individual-sample bound
# --------------------------------------------------------------------------------------------

def _eval_psi(psi: Callable, lam: np.ndarray) -> np.ndarray:
    """psi on an array of lambdas: vectorised if psi allows it, else elementwise."""
    vals = None
    try:
        out = np.asarray(psi(lam), dtype=float)
        if out.shape == lam.shape:
            vals = out
    except Exception:  # psi may be scalar-only; fall back to a loop (which re-raises real errors)
        vals = None
    if vals is None:
        vals = np.array([float(psi(float(t))) for t in lam], dtype=float)
    if np.any(np.isnan(vals)):
        raise ValueError("`psi` must return numbers, not NaN, on (0, b)")
    finite = vals[np.isfinite(vals)]
    tol = 1e-9 * max(1.0, float(np.max(np.abs(finite)))) if finite.size else 0.0
    if np.any(vals < -tol):
        raise ValueError("`psi` must be non-negative on (0, b): it bounds a centred CGF, "
                         "which is >= 0 by Jensen's inequality")
    return np.maximum(vals, 0.0)


def cgf_inverse(y: float, psi: Callable[[float], float], b: float = math.inf) -> float:
    r"""Inverse of the Legendre dual of a CGF bound, by 1-D minimisation over :math:`\log\lambda`.

    .. math::

        \psi^{*-1}(y) = \inf_{0<\lambda<b} \frac{y + \psi(\lambda)}{\lambda}.

    For :math:`\psi(\lambda)=\sigma^2\lambda^2/2` this is :math:`\sqrt{2\sigma^2 y}`; for
    the sub-gamma :math:`\psi(\lambda)=v\lambda^2/(2(1-c\lambda))` on :math:`[0,1/c)` it is
    :math:`\sqrt{2vy}+cy`.

    The objective :math:`f(u)=(y+\psi(e^u))e^{-u}` is evaluated on a logarithmic grid
    (``1e-8`` to ``1e8``, 24 points per decade, clipped to :math:`(0,b)`); the grid is extended
    by factors of ``1e8`` while the minimum sits at an end (down to ``1e-300`` / up to
    ``1e300``), and the best grid point is refined by bounded Brent minimisation
    (``scipy.optimize.minimize_scalar``) between its neighbours. For a convex :math:`\psi`
    with :math:`\psi(0)=0` the objective is quasi-convex in :math:`\lambda`, so the grid
    bracket contains the global minimum. If the infimum is approached at an end of the
    interval (e.g. :math:`y=0`, or a finite ``b``) the value at the closest grid point is
    returned.

    Parameters
    ----------
    y : float
        The information term (nats), ``>= 0``; ``math.inf`` gives ``math.inf``.
    psi : callable
        :math:`\lambda\mapsto\psi(\lambda)\ge 0`, an upper bound on the centred CGF on
        :math:`[0,b)`. Called with numpy arrays if it accepts them, else with floats.
        ``inf`` values are allowed (treated as outside the domain); NaN is an error.
    b : float, default inf
        Right end of the domain of :math:`\psi`, ``> 0``.

    Returns
    -------
    float
        :math:`\psi^{*-1}(y)`.

    References
    ----------
    S. Boucheron, G. Lugosi and P. Massart, *Concentration Inequalities*, OUP 2013, Lemma 2.4
    (generalized inverse of the Cramér transform); Y. Bu, S. Zou and V. V. Veeravalli,
    "Tightening mutual information-based bounds on generalization error", IEEE JSAIT 1(1)
    2020, Theorem 1.

    Examples
    --------
    The closed forms above: for :math:`\psi(\lambda) = \lambda^2/2` (:math:`\sigma = 1`) and
    :math:`y = 2`, ``sqrt(2 * 1 * 2) = 2``; for the sub-gamma :math:`\psi` with :math:`v = 1`,
    :math:`c = 0.5` (so :math:`b = 2`), ``sqrt(2 * 1 * 2) + 0.5 * 2 = 3``.

    >>> from theory.bounds import cgf_inverse
    >>> round(cgf_inverse(2.0, lambda lam: lam**2 / 2), 6)
    2.0
    >>> round(cgf_inverse(2.0, lambda lam: lam**2 / (2 * (1 - 0.5 * lam)), b=2.0), 6)
    3.0
    """
    if not callable(psi):
        raise TypeError(f"`psi` must be callable; got {psi!r}")
    y = check_nonnegative(y, "y", allow_inf=True)
    b = check_positive(b, "b", allow_inf=True)
    if math.isinf(y):
        return math.inf

    per_decade = 24
    log_b = math.log(b) if math.isfinite(b) else math.inf
    # Open upper end: stay a relative 1e-9 inside (0, b).
    u_max = log_b + math.log1p(-1e-9) if math.isfinite(b) else math.inf
    lo = math.log(1e-8)
    hi = math.log(1e8)
    if math.isfinite(u_max):
        hi = min(hi, u_max)
        lo = min(lo, hi - 16 * math.log(10.0))
    step = math.log(10.0) / per_decade
    u_floor, u_ceil = math.log(1e-300), min(math.log(1e300), u_max)

    def objective(u):
        u = np.asarray(u, dtype=float)
        lam = np.exp(u)
        p = _eval_psi(psi, lam)
        with np.errstate(over="ignore", invalid="ignore"):
            f = (y + p) / lam
        return np.where(np.isfinite(f), f, np.inf)

    u = np.arange(lo, hi + 0.5 * step, step)
    u[-1] = min(u[-1], hi)
    f = objective(u)
    for _ in range(40):
        i = int(np.argmin(f))
        extended = False
        if i == 0 and u[0] > u_floor and np.isfinite(f[0]):
            new = np.arange(max(u[0] - 8 * math.log(10.0), u_floor), u[0] - 0.5 * step, step)
            if new.size:
                u, f = np.concatenate([new, u]), np.concatenate([objective(new), f])
                extended = True
        elif i == u.size - 1 and u[-1] < u_ceil - 0.5 * step:
            new = np.arange(u[-1] + step, min(u[-1] + 8 * math.log(10.0), u_ceil) + 0.5 * step, step)
            new = new[new <= u_ceil]
            if new.size:
                u, f = np.concatenate([u, new]), np.concatenate([f, objective(new)])
                extended = True
        if not extended:
            break
    i = int(np.argmin(f))
    best = float(f[i])
    if not np.isfinite(best):
        raise ValueError("`psi` must be finite somewhere on (0, b)")
    if 0 < i < u.size - 1:
        res = minimize_scalar(lambda t: float(objective(np.array([t]))[0]),
                              bounds=(float(u[i - 1]), float(u[i + 1])), method="bounded",
                              options={"xatol": 1e-12})
        if np.isfinite(res.fun) and res.fun < best:
            best = float(res.fun)
    return best


def individual_sample_cgf(mis: ArrayLike, psi: Callable[[float], float], b: float = math.inf) -> float:
    r"""Individual-sample MI bound in its general CGF form (Bu, Zou, Veeravalli).

    .. math::

        \mathrm{gen} = E[L_\mu(W) - L_S(W)] \le \frac1n\sum_{i=1}^n \psi^{*-1}(I(W;Z_i)),
        \qquad \psi^{*-1}(y)=\inf_{0<\lambda<b}\frac{y+\psi(\lambda)}{\lambda}.

    **Sign convention.** Let :math:`(\tilde W,\tilde Z)\sim P_W\otimes\mu` and
    :math:`\Lambda(t)=\log E\,e^{t(\ell(\tilde W,\tilde Z)-E\ell(\tilde W,\tilde Z))}`
    the centred CGF of the loss. The requirement is :math:`\Lambda(-\lambda)\le\psi(\lambda)`
    for :math:`\lambda\in[0,b)` — the *lower* tail of the loss. Reason: Donsker–Varadhan with
    the test function :math:`-\lambda\ell` gives, for every :math:`\lambda\in(0,b)`,

    .. math::

        I(W;Z_i) \ge -\lambda E\ell(W,Z_i) - \log E e^{-\lambda\ell(\tilde W,\tilde Z)}
                 = \lambda\big(E L_\mu(W) - E\ell(W,Z_i)\big) - \Lambda(-\lambda),

    i.e. :math:`E L_\mu(W) - E\ell(W,Z_i)\le (I(W;Z_i)+\psi(\lambda))/\lambda`; averaging
    over :math:`i` bounds ``gen`` from above. (Bounding ``-gen`` needs :math:`\Lambda(+\lambda)`.)
    With :math:`\psi(\lambda)=\sigma^2\lambda^2/2` this is :func:`individual_sample`.

    Parameters
    ----------
    mis : array_like, shape (n,)
        :math:`I(W;Z_i)` in nats, ``>= 0`` (``inf`` allowed, giving ``inf``); at most 100 000
        distinct values (each needs its own minimisation).
    psi : callable
        Bound on :math:`\Lambda(-\lambda)` on :math:`[0,b)`; see :func:`cgf_inverse`.
    b : float, default inf
        Domain end of ``psi``.

    Returns
    -------
    float
        The bound on ``gen``.

    References
    ----------
    Y. Bu, S. Zou and V. V. Veeravalli, "Tightening mutual information-based bounds on
    generalization error", IEEE JSAIT 1(1) 2020, Theorem 1 (numbering as recalled, not checked
    against the paper's text). The sign argument above is derived here.

    Examples
    --------
    With the sub-Gaussian :math:`\psi(\lambda) = \sigma^2\lambda^2/2` this equals
    :func:`individual_sample`: for :math:`\sigma = 1` and informations ``[0.5, 2]`` both give
    ``(1 + 2) / 2 = 1.5``.

    >>> from theory.bounds import individual_sample_cgf
    >>> round(individual_sample_cgf([0.5, 2.0], lambda lam: lam**2 / 2), 6)
    1.5
    """
    m = as_array(mis, "mis", ndim=1, finite=False, nonnegative=True)
    if np.any(np.isnan(m)):
        raise ValueError("`mis` must not contain NaN")
    if not callable(psi):
        raise TypeError(f"`psi` must be callable; got {psi!r}")
    b = check_positive(b, "b", allow_inf=True)
    if np.any(np.isinf(m)):
        return math.inf
    values, inverse = np.unique(m, return_inverse=True)
    if values.size > _MAX_DISTINCT:
        _fail("mis", f"of at most {_MAX_DISTINCT} distinct values (one minimisation each, which "
                     f"could not finish in reasonable time); got {values.size}")
    inv = np.array([cgf_inverse(float(v), psi, b) for v in values])
    return float(np.mean(inv[np.asarray(inverse).reshape(-1)]))


# --------------------------------------------------------------------------------------------
# Conditional mutual information (supersample) bounds
# --------------------------------------------------------------------------------------------

def cmi_bound(cmi: float, n: int) -> float:
    r"""Steinke–Zakynthinou conditional-mutual-information bound (loss in [0, 1]).

    .. math::

        |\mathrm{gen}| \le \sqrt{\frac{2\, I(W;U\mid\tilde Z)}{n}},

    with supersample :math:`\tilde Z\in\mathcal Z^{n\times 2}` and selector
    :math:`U\in\{0,1\}^n` uniform; :math:`I(W;U|\tilde Z)\le H(U)=n\log 2`.

    Parameters
    ----------
    cmi : float
        :math:`I(W;U|\tilde Z)` in nats, in ``[0, n log 2]``.
    n : int
        Sample size, ``>= 1``.

    Returns
    -------
    float
        The bound.

    References
    ----------
    T. Steinke and L. Zakynthinou, "Reasoning about generalization via conditional mutual
    information", COLT 2020, Theorem 2 (expected-generalization form; constant as recalled, not
    checked against the paper's text — it also follows from the derivation in
    :func:`samplewise_cmi_bound`).

    Examples
    --------
    With :math:`I(W;U|\tilde Z) = 0.5` nats and :math:`n = 4`: ``sqrt(2 * 0.5 / 4) = 0.5``.

    >>> from theory.bounds import cmi_bound
    >>> round(cmi_bound(0.5, 4), 12)
    0.5
    """
    n = _count(n, "n")
    cmi = as_float(cmi, "cmi", low=0.0, high=n * _LOG2 * (1 + 1e-12))
    return math.sqrt(2.0 * cmi / n)


def _samplewise(values, name: str, allow_2d: bool = True) -> float:
    arr = as_array(values, name, ndim=(1, 2) if allow_2d else 1, nonnegative=True)
    if np.any(arr > _LOG2 * (1 + 1e-12)):
        raise ValueError(f"`{name}` must lie in [0, log 2] (information about one fair bit U_i); "
                         f"got max {float(arr.max()):.6g}")
    return float(np.mean(np.sqrt(2.0 * np.minimum(arr, _LOG2))))


def samplewise_cmi_bound(cmis: ArrayLike) -> float:
    r"""Samplewise (disintegrated) CMI bound (loss in [0, 1]).

    .. math::

        |\mathrm{gen}| \le \frac1n\sum_{i=1}^n E_{\tilde Z}\sqrt{2\, I^{\tilde Z}(W;U_i)}.

    Derivation (constant checked here): with :math:`\Delta_i=\ell(W,\tilde Z_{i,1})-
    \ell(W,\tilde Z_{i,0})\in[-1,1]`, the :math:`i`-th term of ``gen`` is
    :math:`E[(-1)^{U_i}\Delta_i]`; under the product of the marginals given
    :math:`\tilde Z` the variable :math:`(-1)^{U_i'}\Delta_i` has mean 0 and range
    :math:`[-1,1]`, so it is 1-sub-Gaussian and Donsker–Varadhan gives
    :math:`\sqrt{2I^{\tilde Z}(W;U_i)}`.

    Parameters
    ----------
    cmis : array_like, shape (n,) or (num_supersamples, n)
        :math:`I^{\tilde z}(W;U_i)` in nats, each in ``[0, log 2]``. A 2-D array holds one
        row per supersample draw; the expectation over :math:`\tilde Z` is the mean over
        axis 0.

    Returns
    -------
    float
        The bound.

    References
    ----------
    M. Haghifam, J. Negrea, A. Khisti, D. M. Roy and G. K. Dziugaite, "Sharpened
    generalization bounds based on conditional mutual information and an application to
    noisy, iterative algorithms", NeurIPS 2020; T. Steinke and L. Zakynthinou, COLT 2020.

    Examples
    --------
    With per-sample informations ``[0.5, 0.125]``:
    ``(sqrt(2 * 0.5) + sqrt(2 * 0.125)) / 2 = (1 + 0.5) / 2 = 0.75``.

    >>> from theory.bounds import samplewise_cmi_bound
    >>> round(samplewise_cmi_bound([0.5, 0.125]), 12)
    0.75
    """
    return _samplewise(cmis, "cmis")


def ecmi_bound(ecmis: ArrayLike) -> float:
    r"""Evaluated-CMI (e-CMI) samplewise bound with the loss pair (loss in [0, 1]).

    .. math::

        |\mathrm{gen}| \le \frac1n\sum_{i=1}^n E_{\tilde Z}\sqrt{2\, I^{\tilde Z}(L_i;U_i)},
        \qquad L_i = (\ell(W,\tilde Z_{i,0}), \ell(W,\tilde Z_{i,1})).

    Valid with this constant by the argument of :func:`samplewise_cmi_bound`, since
    :math:`\Delta_i` is a function of :math:`L_i`.

    Parameters
    ----------
    ecmis : array_like, shape (n,) or (num_supersamples, n)
        :math:`I^{\tilde z}(L_i;U_i)` in nats, each in ``[0, log 2]``.

    Returns
    -------
    float
        The bound.

    References
    ----------
    F. Hellström and G. Durisi, "A new family of generalization bounds using samplewise
    evaluated CMI", NeurIPS 2022 (constant as recalled, not checked against the paper's text;
    the constant is derived here, see above).

    Examples
    --------
    Two supersample draws (rows) of two samples: ``sqrt(2 * 0.5) = 1`` and ``sqrt(0) = 0``, so
    each row averages to 0.5 and so does the expectation over the rows.

    >>> from theory.bounds import ecmi_bound
    >>> round(ecmi_bound([[0.5, 0.0], [0.0, 0.5]]), 12)
    0.5
    """
    return _samplewise(ecmis, "ecmis")


def ld_cmi_bound(ldcmis: ArrayLike) -> float:
    r"""Loss-difference CMI / MI bound (loss in [0, 1]).

    .. math::

        |\mathrm{gen}| \le \frac1n\sum_{i=1}^n E_{\tilde Z}
        \sqrt{2\, I^{\tilde Z}(\Delta_i;U_i)}
        \quad\text{or}\quad
        |\mathrm{gen}| \le \frac1n\sum_{i=1}^n \sqrt{2\, I(\Delta_i;U_i)},

    with :math:`\Delta_i=\ell(W,\tilde Z_{i,1})-\ell(W,\tilde Z_{i,0})`. The unconditional
    form holds because :math:`U_i` is independent of :math:`\tilde Z` and uniform, so
    :math:`(-1)^{U_i'}\Delta_i` has mean 0 and range :math:`[-1,1]` under
    :math:`P_{\Delta_i}\otimes P_{U_i}` (1-sub-Gaussian; Donsker–Varadhan).

    Parameters
    ----------
    ldcmis : array_like, shape (n,) or (num_supersamples, n)
        :math:`I(\Delta_i;U_i)` (1-D, unconditional) or :math:`I^{\tilde z}(\Delta_i;U_i)`
        (one row per supersample), nats, each in ``[0, log 2]``.

    Returns
    -------
    float
        The bound.

    References
    ----------
    Z. Wang and Y. Mao, "Tighter information-theoretic generalization bounds from
    supersamples", ICML 2023, Theorems 3.1–3.2 (constants as recalled, not checked against
    the paper's text; the constants are derived here, see above).

    Examples
    --------
    With :math:`I(\Delta_i;U_i)` equal to ``[0.08, 0.02]``:
    ``(sqrt(2 * 0.08) + sqrt(2 * 0.02)) / 2 = (0.4 + 0.2) / 2 = 0.3``.

    >>> from theory.bounds import ld_cmi_bound
    >>> round(ld_cmi_bound([0.08, 0.02]), 12)
    0.3
    """
    return _samplewise(ldcmis, "ldcmis")


# --------------------------------------------------------------------------------------------
# Compression, Gibbs, population-risk tradeoff
# --------------------------------------------------------------------------------------------

def compressed_mi_bound(mi_sw: float, rate: float, n: int, sigma: float) -> float:
    r"""Generalization bound of a compressed model through data processing.

    .. math::

        |\mathrm{gen}(\hat W)| \le \sqrt{\frac{2\hat\sigma^2\min\{I(S;W), R\}}{n}},
        \qquad I(S;\hat W)\le\min\{I(S;W), I(W;\hat W)\},\ I(W;\hat W)\le R,

    for the Markov chain :math:`S\to W\to\hat W` (e.g. :math:`R=H(\hat W)\le m\log K`
    for a deterministic quantizer, see :func:`quantizer_rate_bound`).

    Parameters
    ----------
    mi_sw : float
        :math:`I(S;W)` in nats, ``>= 0`` (``inf`` allowed).
    rate : float
        An upper bound :math:`R` on :math:`I(W;\hat W)` in nats, ``>= 0`` (``inf`` allowed).
    n : int
        Sample size, ``>= 1``.
    sigma : float
        Sub-Gaussian parameter :math:`\hat\sigma` of :math:`\ell(\hat w, Z)`, ``>= 0``.

    Returns
    -------
    float
        The bound.

    References
    ----------
    A. Xu and M. Raginsky, NeurIPS 2017, Theorem 1, with the data-processing inequality
    (T. M. Cover and J. A. Thomas, *Elements of Information Theory*, 2nd ed., Theorem 2.8.1);
    Y. Bu, W. Gao, S. Zou and V. V. Veeravalli, "Information-theoretic understanding of
    population risk improvement with model compression", AAAI 2020.

    Examples
    --------
    The rate caps the information: with :math:`I(S;W) = 10`, :math:`R = 0.5`, :math:`n = 1`,
    :math:`\hat\sigma = 1` the bound is ``sqrt(2 * 1 * min(10, 0.5) / 1) = 1``, the Xu–Raginsky
    bound at :math:`I = 0.5`.

    >>> from theory.bounds import compressed_mi_bound
    >>> round(compressed_mi_bound(10.0, 0.5, 1, 1.0), 12)
    1.0
    """
    mi_sw = check_nonnegative(mi_sw, "mi_sw", allow_inf=True)
    rate = check_nonnegative(rate, "rate", allow_inf=True)
    return xu_raginsky(min(mi_sw, rate), n, sigma)


def quantizer_rate_bound(num_weights: int, num_levels: int, base: float | None = None) -> float:
    r"""Entropy bound on the rate of a deterministic scalar quantizer.

    .. math::

        I(W;\hat W) \le H(\hat W) \le m \log K.

    Parameters
    ----------
    num_weights : int
        Number :math:`m` of quantized weights, ``>= 1``.
    num_levels : int
        Codebook size :math:`K` per weight, ``>= 1``.
    base : float, optional
        Logarithm base (> 1); ``None`` gives nats, ``2`` bits.

    Returns
    -------
    float
        :math:`m\log K`.

    References
    ----------
    T. M. Cover and J. A. Thomas, *Elements of Information Theory*, 2nd ed., Theorem 2.6.4
    (:math:`H(X)\le\log|\mathcal X|`); Y. Bu, W. Gao, S. Zou and V. V. Veeravalli, AAAI 2020.

    Examples
    --------
    Ten weights with four levels each: ``10 * log2(4) = 20`` bits, or ``10 * log(4)`` nats.

    >>> import math
    >>> from theory.bounds import quantizer_rate_bound
    >>> round(quantizer_rate_bound(10, 4, base=2), 12)
    20.0
    >>> math.isclose(quantizer_rate_bound(10, 4), 10 * math.log(4))
    True
    """
    m = _count(num_weights, "num_weights")
    k = _count(num_levels, "num_levels")
    return m * math.log(k) / log_base(base)


def gibbs_generalization_gap(i_skl: float, gamma: float) -> float:
    r"""Exact generalization error of the Gibbs algorithm.

    .. math::

        P_{W|S}(w|s)\propto\pi(w)e^{-\gamma L_s(w)} \implies
        \mathrm{gen} = \frac{I_{SKL}(W;S)}{\gamma},\qquad
        I_{SKL}(W;S) = I(W;S) + L(W;S),

    with :math:`L(W;S)=D(P_W\otimes P_S\|P_{W,S})` the lautum information.

    Parameters
    ----------
    i_skl : float
        Symmetrized KL information in nats, ``>= 0`` (``inf`` allowed).
    gamma : float
        Inverse temperature, ``> 0``.

    Returns
    -------
    float
        ``gen``.

    References
    ----------
    G. Aminian, Y. Bu, L. Toni, M. R. D. Rodrigues and G. Wornell, "An exact characterization
    of the generalization error for the Gibbs algorithm", NeurIPS 2021, Theorem 1.

    Examples
    --------
    With :math:`I_{SKL} = 0.3` nats and :math:`\gamma = 2`: ``0.3 / 2 = 0.15``.

    >>> from theory.bounds import gibbs_generalization_gap
    >>> round(gibbs_generalization_gap(0.3, 2.0), 12)
    0.15
    """
    i_skl = check_nonnegative(i_skl, "i_skl", allow_inf=True)
    gamma = check_positive(gamma, "gamma")
    if math.isinf(i_skl):
        return math.inf
    return _finite_bound(i_skl / gamma, "`i_skl` and `gamma`")


def compression_changes_population_risk(distortion: float, gen_before: float, gen_after: float) -> float:
    r"""Change of expected population risk caused by compressing :math:`W` into :math:`\hat W`.

    .. math::

        E L_\mu(\hat W) - E L_\mu(W)
        = \underbrace{E[L_S(\hat W) - L_S(W)]}_{\text{distortion}}
          + \mathrm{gen}(\hat W) - \mathrm{gen}(W).

    Negative means compression lowers the population risk: it helps iff the distortion is
    smaller than :math:`\mathrm{gen}(W)-\mathrm{gen}(\hat W)`.

    Parameters
    ----------
    distortion : float
        :math:`E[L_S(\hat W)-L_S(W)]` (finite; usually ``>= 0`` at an empirical minimiser).
    gen_before : float
        :math:`\mathrm{gen}(W)`, finite.
    gen_after : float
        :math:`\mathrm{gen}(\hat W)`, finite.

    Returns
    -------
    float
        ``distortion + gen_after - gen_before``.

    References
    ----------
    Y. Bu, W. Gao, S. Zou and V. V. Veeravalli, "Information-theoretic understanding of
    population risk improvement with model compression", AAAI 2020 (decomposition of the
    population risk; theorem numbering not checked against the paper's text).

    Examples
    --------
    A distortion of 0.1 that cuts the generalization error from 0.5 to 0.2 lowers the population
    risk: ``0.1 + 0.2 - 0.5 = -0.2``.

    >>> from theory.bounds import compression_changes_population_risk
    >>> round(compression_changes_population_risk(0.1, 0.5, 0.2), 12)
    -0.2
    """
    distortion = as_float(distortion, "distortion")
    gen_before = as_float(gen_before, "gen_before")
    gen_after = as_float(gen_after, "gen_after")
    return _finite_bound(distortion + gen_after - gen_before, "`distortion`, `gen_before` and `gen_after`")
