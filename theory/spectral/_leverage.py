r"""Ridge leverage scores, leverage sampling and the sampling width of its guarantee (private).

Re-exported by :mod:`theory.spectral`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .._checks import as_array, as_float, as_int, as_size, check_positive, check_rng
from ._common import _check_cov, _solve_psd
from ._dof import degrees_of_freedom

__all__ = ["ridge_leverage_scores", "LeverageSample", "leverage_sample", "leverage_sampling_width",
           "leverage_reconstruction_guarantee", "lambda_for_width"]


def ridge_leverage_scores(cov: ArrayLike, lam: float) -> np.ndarray:
    r"""Ridge leverage scores of the nodes, :math:`\ell_j = [\hat\Sigma(\hat\Sigma+\lambda I)^{-1}]_{jj}`.

    .. math::

        \ell_j(\lambda) = \big[\hat\Sigma(\hat\Sigma + \lambda I)^{-1}\big]_{jj} \in [0, 1),
        \qquad \sum_j \ell_j = \hat N(\lambda), \qquad q_j = \ell_j / \hat N(\lambda).

    Parameters
    ----------
    cov : array_like, shape (m, m)
        Symmetric PSD :math:`\hat\Sigma`.
    lam : float
        :math:`\lambda > 0`.

    Returns
    -------
    ndarray, shape (m,)
        The scores :math:`\ell_j`; divide by their sum for the sampling distribution :math:`q`.

    References
    ----------
    Bach, JMLR 2017, §3 (optimized distribution :math:`\propto \langle \phi,
    (\Sigma+\lambda I)^{-1}\phi\rangle`); Alaoui, Mahoney, "Fast randomized kernel ridge
    regression with statistical guarantees", NeurIPS 2015 (ridge leverage scores); Suzuki et al.,
    IJCAI 2020, §4 (sampling distribution of the nodes, as recalled).

    Examples
    --------
    For :math:`\hat\Sigma = \mathrm{diag}(1, 3)` and :math:`\lambda = 1` the scores are
    ``1/(1+1) = 0.5`` and ``3/(3+1) = 0.75``; they sum to :math:`\hat N(1) = 1.25`.

    >>> import numpy as np
    >>> from theory.spectral import degrees_of_freedom, ridge_leverage_scores
    >>> scores = ridge_leverage_scores(np.diag([1.0, 3.0]), 1.0)
    >>> np.round(scores, 12).tolist(), round(float(scores.sum()), 12) == degrees_of_freedom([1.0, 3.0], 1.0)
    ([0.5, 0.75], True)
    """
    return _leverage_scores(_check_cov(cov, "cov"), check_positive(lam, "lam"))


def _leverage_scores(S: np.ndarray, lam: float) -> np.ndarray:
    X = _solve_psd(S + lam * np.eye(S.shape[0]), S)  # (Σ+λI)⁻¹Σ: same diagonal as Σ(Σ+λI)⁻¹
    return np.clip(np.diag(X).copy(), 0.0, 1.0)


@dataclass(frozen=True)
class LeverageSample:
    r"""Nodes drawn i.i.d. from the ridge leverage distribution.

    Attributes
    ----------
    keep : ndarray (k,) int
        The distinct nodes drawn (ascending).
    counts : ndarray (k,) int
        How often each was drawn; ``counts.sum() == draws``.
    draws : int
        The number :math:`s` of i.i.d. draws.
    q : ndarray (m,)
        The sampling distribution :math:`q_j = \ell_j/\hat N(\lambda)`.
    tau : ndarray (m,)
        Derived ridge weights :math:`\tau_j = \lambda s q_j / c_j` on the drawn nodes (0 elsewhere).
    """

    keep: np.ndarray
    counts: np.ndarray
    draws: int
    q: np.ndarray
    tau: np.ndarray


#: Most i.i.d. draws :func:`leverage_sample` makes (``draws``, or in total while collecting ``width``
#: distinct nodes); beyond it the sample could not be drawn in reasonable time or memory.
_MAX_DRAWS = 10**7

# Blocks of draws while collecting ``width`` distinct nodes: the first ``_FIXED_BLOCKS`` have
# ``max(4 width, 16)`` draws each, later ones double (so a slow collection needs few blocks).
_FIXED_BLOCKS = 64


class _UnreachableWidth(ValueError):
    """``width`` distinct nodes cannot be drawn in ``10**7`` draws (leverage scores ~ 0)."""


def leverage_sample(cov: ArrayLike, width: int | None = None, lam: float | None = None,
                    rng: np.random.Generator | int | None = None, draws: int | None = None) -> LeverageSample:
    r"""Draw nodes i.i.d. from the ridge leverage scores, with the ridge weights that make the guarantee hold.

    .. math::

        j_1, \dots, j_s \overset{iid}{\sim} q,\ \ q_j = \frac{[\hat\Sigma(\hat\Sigma+\lambda
        I)^{-1}]_{jj}}{\hat N(\lambda)},\qquad \tau_j = \frac{\lambda\, s\, q_j}{c_j}
        \ (c_j = \#\{i : j_i = j\}).

    With these :math:`\tau_j`, :math:`\alpha^\top R_\tau(J)\alpha = \min_\beta
    \lVert\alpha^\top\phi - \sum_i \beta_i\phi_{j_i}/\sqrt{s q_{j_i}}\rVert_n^2 + \lambda
    \lVert\beta\rVert^2` exactly (derived: merging the copies of a node at equal weight).

    Parameters
    ----------
    cov : array_like, shape (m, m)
    width : int, optional
        Draw until this many *distinct* nodes are drawn (then :math:`s` is the number of draws).
        Refused (``ValueError`` naming ``width``) when this cannot happen within
        ``10**7`` draws: the expected number of draws is at least
        :math:`1/\sum_{j \notin T} q_j`, with :math:`T` the ``width - 1`` nodes of largest
        :math:`q`, so a ``width`` that needs a node of leverage score ~0 is refused up front
        (and the drawing stops, refusing, after ``10**7`` draws in any case). No node
        is ever selected other than by drawing.
    lam : float > 0
    rng : None, int or numpy.random.Generator
    draws : int, optional
        Draw exactly this many times instead (give ``width`` or ``draws``, not both; at most
        ``10**7``).

    Returns
    -------
    LeverageSample

    References
    ----------
    Bach, JMLR 2017, Prop. 1 (i.i.d. sampling from the optimized distribution with weights
    :math:`q^{-1/2}`); Suzuki et al., IJCAI 2020, Thm. 1 (as recalled, not checked against its text).

    Examples
    --------
    For :math:`\hat\Sigma = \mathrm{diag}(1, 3)`, :math:`\lambda = 1` the distribution is
    ``q = (0.5, 0.75) / 1.25 = (0.4, 0.6)``; 8 draws are split into counts :math:`c_j` summing to
    8, and the ridge weights are :math:`\tau_j = 1 \cdot 8\, q_j / c_j`.

    >>> import numpy as np
    >>> from theory.spectral import leverage_sample
    >>> s = leverage_sample(np.diag([1.0, 3.0]), lam=1.0, draws=8, rng=0)
    >>> np.round(s.q, 12).tolist(), int(s.counts.sum())
    ([0.4, 0.6], 8)
    >>> bool(np.allclose(s.tau[s.keep], 8 * s.q[s.keep] / s.counts))
    True
    """
    S = _check_cov(cov, "cov")
    if lam is None:
        raise ValueError("`lam` is required")
    lam = check_positive(lam, "lam")
    if (width is None) == (draws is None):
        raise ValueError("give exactly one of `width` (distinct nodes) and `draws` (i.i.d. draws)")
    if draws is not None:
        draws = as_size(draws, "draws", high=_MAX_DRAWS)
    else:
        width = as_int(width, "width", low=1, high=S.shape[0])
    return _leverage_sample(S, width, lam, check_rng(rng), draws)


def _collect_distinct(m: int, q: np.ndarray, width: int, gen: np.random.Generator) -> np.ndarray:
    """I.i.d. draws from ``q`` up to and including the one that brings ``width`` distinct nodes.

    Draws in blocks (:data:`_FIXED_BLOCKS` of ``max(4 width, 16)``, then doubling), at most
    :data:`_MAX_DRAWS` in all; raises :class:`_UnreachableWidth` if ``width`` is not reached.
    """
    # Expected draws >= 1 / (mass outside the width-1 most likely nodes): refuse what cannot finish.
    rest = float(np.sort(q)[: m - width + 1].sum())
    if not rest * _MAX_DRAWS >= 1.0:
        raise _UnreachableWidth(
            f"`width` = {width} distinct nodes cannot be drawn in {_MAX_DRAWS} draws: the nodes outside the "
            f"{width - 1} most likely ones have total probability {rest:.3g} (leverage scores ~0); "
            "lower `width` or raise `lam`")
    seen = np.zeros(m, dtype=bool)
    n_seen = 0
    base = max(4 * width, 16)
    chunks = []
    total = 0
    blocks = 0
    while total < _MAX_DRAWS:
        size = base if blocks < _FIXED_BLOCKS else base << min(blocks - _FIXED_BLOCKS + 1, 40)
        size = min(size, _MAX_DRAWS - total)
        block = gen.choice(m, size=size, p=q)
        blocks += 1
        total += size
        u, first = np.unique(block, return_index=True)
        new = ~seen[u]
        firsts = np.sort(first[new])
        if n_seen + firsts.size >= width:
            chunks.append(block[: firsts[width - n_seen - 1] + 1])
            return np.concatenate(chunks)
        seen[u] = True
        n_seen += firsts.size
        chunks.append(block)
    raise _UnreachableWidth(f"`width` = {width} distinct nodes were not drawn in {_MAX_DRAWS} draws "
                            f"(only {n_seen}): some leverage scores are ~0; lower `width` or raise `lam`")


def _leverage_sample(S, width, lam, gen, draws) -> LeverageSample:
    m = S.shape[0]
    ell = _leverage_scores(S, lam)
    total = float(ell.sum())
    if not total > 0:
        raise ValueError("`cov` must be non-zero (all leverage scores vanish)")
    q = ell / total
    support = int(np.count_nonzero(q > 0))
    if draws is not None:
        idx = gen.choice(m, size=draws, p=q)
    else:
        if width > support:
            raise _UnreachableWidth(f"`width` must be <= the number of nodes with a positive leverage score "
                                    f"({support})")
        idx = _collect_distinct(m, q, width, gen)
        draws = int(idx.size)
    keep, counts = np.unique(idx, return_counts=True)
    tau = np.zeros(m)
    tau[keep] = lam * draws * q[keep] / counts
    return LeverageSample(keep.astype(np.int64), counts.astype(np.int64), int(draws), q, tau)


def leverage_sampling_width(n_dof: float, delta: float = 0.05, c_size: float = 5.0,
                            c_log: float = 80.0) -> float:
    r"""The sampling width :math:`m^\sharp(\lambda,\delta)` of the leverage-sampling guarantee.

    .. math::

        m^\sharp(\lambda, \delta) = c_{\rm size}\,\hat N(\lambda)\,
        \log\!\big(c_{\log}\hat N(\lambda)/\delta\big),\qquad c_{\rm size}=5,\ c_{\log}=80.

    Parameters
    ----------
    n_dof : float
        :math:`\hat N(\lambda) > 0` (see :func:`degrees_of_freedom`).
    delta : float in (0, 1), default 0.05
        Failure probability.
    c_size, c_log : float, default 5 and 80
        Constants as recalled from Suzuki et al. (Thm. 1); Bach's Prop. 1 has the same form with
        ``c_log = 16`` (as recalled, not checked against the papers' text).

    Returns
    -------
    float
        :math:`m^\sharp` (take its ceiling as a number of draws); at least ``c_size * n_dof``.

    References
    ----------
    Suzuki et al., IJCAI 2020, Thm. 1; Bach, JMLR 2017, Prop. 1 (constants as recalled, not
    checked against the papers' text).

    Examples
    --------
    With :math:`\hat N = 1`, :math:`c_{\log} = 1` and :math:`\delta = e^{-2}`:
    ``5 * 1 * log(1 / e**-2) = 5 * 2 = 10``.

    >>> import math
    >>> from theory.spectral import leverage_sampling_width
    >>> round(leverage_sampling_width(1.0, delta=math.exp(-2), c_log=1.0), 10)
    10.0
    """
    n_dof = check_positive(n_dof, "n_dof")
    delta = as_float(delta, "delta", low=0.0, high=1.0, low_open=True, high_open=True)
    c_size = check_positive(c_size, "c_size")
    c_log = check_positive(c_log, "c_log")
    with np.errstate(over="ignore"):
        w = float(np.float64(c_size) * n_dof * max(math.log(c_log * n_dof / delta), 1.0))
    if not math.isfinite(w):
        raise ValueError(f"`n_dof` = {n_dof:g} (or `c_size`, `c_log`) is too large: m♯ overflows the float range")
    return w


def leverage_reconstruction_guarantee(lam: float, c_err: float = 4.0, next_weight: ArrayLike | None = None,
                                      m: int | None = None) -> float:
    r"""Error guaranteed w.p. >= 1-δ for :math:`m^\sharp(\lambda,\delta)` leverage draws.

    .. math::

        \lambda_{\max}\big(R_\tau(J)\big) \le c_{\rm err}\lambda \ \Rightarrow\
        L_A(J) \le c_{\rm err}\lambda m,\quad L_B(J) \le c_{\rm err}\lambda \lVert Z\rVert_F^2,

    with :math:`\tau_j = \lambda s q_j/c_j` (:func:`leverage_sample`).

    Parameters
    ----------
    lam : float > 0
    c_err : float, default 4
        Constant as recalled (Bach 2017, Prop. 1: squared error :math:`\le 4\lambda`); it
        corresponds to a spectral approximation with :math:`\varepsilon = 3/4`.
    next_weight : array_like (p, m), optional
        Return the bound on :math:`L_B` instead.
    m : int, optional
        Return the bound on :math:`L_A` (:math:`m` nodes, at most :math:`10^9`) instead.

    Returns
    -------
    float
        The bound on :math:`\lambda_{\max}(R_\tau)` (neither ``m`` nor ``next_weight``), on
        :math:`L_A` (``m``) or on :math:`L_B` (``next_weight``).

    References
    ----------
    Bach, JMLR 2017, Prop. 1; Suzuki et al., IJCAI 2020, Thm. 1 (constants as recalled, not
    checked against the papers' text).

    Examples
    --------
    At :math:`\lambda = 0.1`: :math:`\lambda_{\max}(R_\tau) \le 4 \cdot 0.1 = 0.4`; over
    :math:`m = 10` nodes :math:`L_A \le 0.4 \cdot 10 = 4`; with :math:`Z = (1, 2)`,
    :math:`L_B \le 0.4 \cdot (1 + 4) = 2`.

    >>> from theory.spectral import leverage_reconstruction_guarantee
    >>> round(leverage_reconstruction_guarantee(0.1), 12)
    0.4
    >>> round(leverage_reconstruction_guarantee(0.1, m=10), 12)
    4.0
    >>> round(leverage_reconstruction_guarantee(0.1, next_weight=[[1.0, 2.0]]), 12)
    2.0
    """
    lam = check_positive(lam, "lam")
    c_err = check_positive(c_err, "c_err")
    if next_weight is not None and m is not None:
        raise ValueError("give at most one of `next_weight` and `m`")
    with np.errstate(over="ignore"):
        base = float(np.float64(c_err) * lam)
        if not math.isfinite(base):
            raise ValueError("`lam` and `c_err` are too large: c_err·lam overflows the float range")
        if next_weight is not None:
            Z = as_array(next_weight, "next_weight", ndim=2)
            out = float(base * np.sum(Z * Z))
            name = "next_weight"
        elif m is not None:
            out = float(base * as_size(m, "m"))
            name = "m"
        else:
            return base
    if not math.isfinite(out):
        raise ValueError(f"`{name}` is too large: the bound overflows the float range")
    return out


def lambda_for_width(cov_or_eigenvalues: ArrayLike, width: float, delta: float = 0.05, c_size: float = 5.0,
                     c_log: float = 80.0, lam_max: float | None = None) -> float:
    r"""The smallest :math:`\lambda` whose sampling width :math:`m^\sharp(\lambda,\delta)` is at most ``width``.

    .. math::

        \lambda^\sharp(w) = \min\{\lambda > 0 : c_{\rm size}\hat N(\lambda)
        \log(c_{\log}\hat N(\lambda)/\delta) \le w\}

    (found by bisection on :math:`\log\lambda`; :math:`m^\sharp` decreases in :math:`\lambda`).

    Parameters
    ----------
    cov_or_eigenvalues : array_like, (m, m) or (m,)
    width : float > 0
    delta, c_size, c_log : see :func:`leverage_sampling_width`
    lam_max : float, optional
        Upper end of the search (default :math:`10^6\,\mathrm{Tr}\,\hat\Sigma`).

    Returns
    -------
    float
        :math:`\lambda^\sharp` (relative accuracy 1e-6).

    Raises
    ------
    ValueError
        If even ``lam_max`` needs a larger width.

    References
    ----------
    Suzuki et al., IJCAI 2020, Thm. 1 (as recalled, not checked against its text).

    Examples
    --------
    The returned :math:`\lambda` meets the width, and only just (bisection to a relative 1e-6):
    its :math:`m^\sharp` is at most 20 and above 19.99.

    >>> from theory.spectral import degrees_of_freedom, lambda_for_width, leverage_sampling_width
    >>> lam = lambda_for_width([1.0, 3.0], 20.0)
    >>> width = leverage_sampling_width(degrees_of_freedom([1.0, 3.0], lam))
    >>> 19.99 < width <= 20.0
    True
    """
    x = as_array(cov_or_eigenvalues, "cov_or_eigenvalues", ndim=(1, 2))
    width = check_positive(width, "width")
    mu = np.clip(np.linalg.eigvalsh(_check_cov(x, "cov_or_eigenvalues")), 0, None) if x.ndim == 2 else \
        as_array(x, "cov_or_eigenvalues", ndim=1, nonnegative=True)
    # validate the constants before the search (named as the caller passed them)
    leverage_sampling_width(1.0, delta, c_size, c_log)
    if not mu.sum() > 0:
        raise ValueError("`cov_or_eigenvalues` must be non-zero")
    hi = check_positive(lam_max, "lam_max") if lam_max is not None else min(1e6 * float(mu.sum()), 1e300)
    lo = max(1e-12 * float(mu.max()), float(np.finfo(float).tiny))

    def msharp(lam):
        return leverage_sampling_width(max(degrees_of_freedom(mu, lam), 1e-300), delta, c_size, c_log)

    if msharp(hi) > width:
        raise ValueError(f"`width` {width} is below m♯ at `lam_max` ({msharp(hi):.3g})")
    if msharp(lo) <= width:
        return lo
    for _ in range(200):
        prod = lo * hi
        # geometric mean; split when lo·hi under- or overflows (eigenvalues near the float limits)
        mid = math.sqrt(prod) if 0.0 < prod < math.inf else math.sqrt(lo) * math.sqrt(hi)
        if msharp(mid) <= width:
            hi = mid
        else:
            lo = mid
        if hi / lo < 1 + 1e-6:
            break
    return hi
