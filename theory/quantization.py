r"""Scalar weight quantization: k-means, Hessian-weighted and diameter-regularized k-means, the
globally optimal weighted 1-D k-means, network quantization and entropy-coded compression ratio.

Every clustering here is one-dimensional: the weights of one layer are the points
:math:`w_i`, each with a positive importance :math:`h_i` (1 for plain k-means, the diagonal of the
training-loss Hessian for Hessian-weighted k-means), and the objective is the weighted
distortion

.. math::

    J(c, a) = \sum_{i=1}^n h_i\,(w_i - c_{a_i})^2,

which for :math:`h_i = [\nabla^2 L_S(w)]_{ii}` is the second-order approximation of the
empirical-risk increase :math:`L_S(\hat w) - L_S(w)` at a minimum (Choi, El-Khamy, Lee,
ICLR 2017; Bu, Gao, Zou, Veeravalli, AAAI 2020).

- :func:`kmeans_1d` — Lloyd's algorithm (a local optimum) or the exact optimum by dynamic
  programming (``method="optimal"``; Wang & Song 2011, Grønlund et al. 2017), compiled with
  numba when it is installed (otherwise vectorized numpy, with bit-for-bit the same result),
  divide and conquer over the monotone split points: :math:`O(k\,n\log n)` after a sort, with
  segment costs free of cancellation, so that it is exact for any range of weights and values.
- :func:`hessian_weighted_kmeans` — HW k-means and the two diameter-regularized variants
  (DRHW) of Bu et al.
- :func:`diameter_regularized_centroids` — the centroid step of DRHW: the exact minimizer of the
  penalized objective given the assignments only while its no-crossing clip does not bind.
- :func:`quantize_network` — quantize every ``Linear``/``Conv`` weight of any torch module layer
  by layer (a model pruned with ``torch.nn.utils.prune`` keeps its zeros), warning with
  :class:`QuantizationWarning` when a layer's levels collapse or its distortion is large;
  :func:`drhw_strength` — the DRHW coefficient for a relative strength :math:`\rho`;
  :func:`compression_ratio` — size with entropy-coded labels and a float codebook.

What was checked against the sources (see :func:`hessian_weighted_kmeans`): the quantile
initialisation, the extreme-centroid shift :math:`\lambda/(4\sum_{C}h)` with its no-crossing
guard and the entropy-weighted squared-diameter variant were read from the authors' released code
(``wgao9/weight-quant``, ``utils/quantize_utils.py``, ``weighted_k_means_cpu``); the vector-case
Algorithm 1 of the journal version (Bu et al., *Entropy* 23(10):1255, 2021) was read from its
published text.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.typing import ArrayLike

from ._checks import (MAX_SIZE, as_array, as_float, as_int, as_size, check_bool, check_in, check_nonnegative,
                      check_rng)
from ._numba import HAVE_NUMBA, bit_length, njit
from .bounds import subgaussian_parameter_bounded, xu_raginsky
from .information import discrete_entropy

if TYPE_CHECKING:  # annotations only: torch is imported lazily, where it is used
    import torch

__all__ = [
    "KMeansResult",
    "HWKMeansResult",
    "CompressionRatio",
    "LayerQuantization",
    "QuantizedNetwork",
    "METHODS",
    "kmeans_objective",
    "kmeans_1d",
    "hessian_weighted_kmeans",
    "diameter_regularized_centroids",
    "label_entropy",
    "compression_ratio",
    "quantize_network",
    "quantization_rate",
    "floored_hessian_diagonal",
    "zero_one_mi_bound",
    "drhw_strength",
    "QuantizationWarning",
    "DISTORTION_WARNING",
]

LLOYD_INITS = ("quantile", "linear", "random")
METHODS = ("kmeans", "optimal", "hw", "optimal_hw", "drhw")


# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class KMeansResult:
    r"""A 1-D (weighted) k-means clustering.

    Attributes
    ----------
    centroids : ndarray, shape (k,)
        Ascending cluster centres.
    labels : ndarray, shape (n,), int64
        Cluster index of each point, in the input order (the input is raveled).
    objective : float
        :math:`\sum_i h_i (w_i - c_{a_i})^2`, recomputed from ``labels`` and ``centroids``.
    iterations : int
        Lloyd iterations (0 for the dynamic programme).
    converged : bool
        Lloyd: the labels stopped changing before ``max_iter``; always True for ``"optimal"``.
    method : str
    """

    centroids: np.ndarray
    labels: np.ndarray
    objective: float
    iterations: int
    converged: bool
    method: str

    @property
    def quantized(self) -> np.ndarray:
        """The quantized points :math:`c_{a_i}`, shape (n,)."""
        return self.centroids[self.labels]


@dataclass(frozen=True)
class HWKMeansResult:
    r"""A Hessian-weighted (optionally diameter-regularized) 1-D k-means clustering.

    Attributes
    ----------
    centroids : ndarray, shape (k,)
        Ascending centres.
    labels : ndarray, shape (n,), int64
    distortion : float
        :math:`\sum_i h_i (w_i - c_{a_i})^2`.
    penalty : float
        The regularizer's value: :math:`\tfrac{\lambda}{2}(c_K - c_1)` (``diameter_reg``) or
        :math:`\lambda'\hat H(a)(c_K - c_1)^2` (``entropy_reg``); 0 for plain HW k-means.
    objective : float
        ``distortion + penalty`` (the value of the best iterate, which is the one returned).
    diameter : float
        :math:`c_K - c_1`.
    label_entropy : float
        Plug-in entropy of the labels, nats.
    iterations : int
    converged : bool
    diameter_reg, entropy_reg : float
    method : str
    """

    centroids: np.ndarray
    labels: np.ndarray
    distortion: float
    penalty: float
    objective: float
    diameter: float
    label_entropy: float
    iterations: int
    converged: bool
    diameter_reg: float
    entropy_reg: float
    method: str

    @property
    def quantized(self) -> np.ndarray:
        """The quantized points :math:`c_{a_i}`, shape (n,)."""
        return self.centroids[self.labels]


@dataclass(frozen=True)
class CompressionRatio:
    """Size of a quantized model against its floating-point original.

    Attributes
    ----------
    original_bits : float
        ``float_bits`` per parameter.
    compressed_bits : float
        Labels (entropy-coded, or fixed-length) + codebooks + unquantized parameters.
    ratio : float
        ``original_bits / compressed_bits`` (> 1 means smaller).
    fraction : float
        ``compressed_bits / original_bits``, the compressed size as a fraction of the original.
    bits_per_weight : float
        ``compressed_bits`` per parameter.
    """

    original_bits: float
    compressed_bits: float
    ratio: float
    fraction: float
    bits_per_weight: float


@dataclass(frozen=True)
class LayerQuantization:
    """How one weight tensor was quantized (see :func:`quantize_network`).

    For a weight carrying a ``torch.nn.utils.prune`` mask, ``centroids[0] = 0`` is the value of
    the ``num_pruned`` pruned entries (label 0) and ``distortion``/``objective`` are those of the
    kept entries.
    """

    name: str
    num_weights: int
    num_levels: int
    centroids: np.ndarray
    labels: np.ndarray
    distortion: float
    objective: float
    label_entropy: float
    num_pruned: int = 0


@dataclass(frozen=True)
class QuantizedNetwork:
    r"""A quantized copy of a network and its bookkeeping.

    Attributes
    ----------
    model : torch.nn.Module
        The quantized copy (the input model is left unchanged).
    layers : tuple of LayerQuantization
    compression : CompressionRatio
    rate_bound : float
        :math:`\sum_l m_l \log K_l` nats, the bound :math:`H(\hat W)\le m\log K` on the labels.
    label_entropy_nats : float
        :math:`\sum_l m_l \hat H(a_l)` nats: the plug-in entropy-coded length of the labels.
    method : str
    """

    model: object
    layers: tuple
    compression: CompressionRatio
    rate_bound: float
    label_entropy_nats: float
    method: str


# ---------------------------------------------------------------------------------------------
# Validation helpers
# ---------------------------------------------------------------------------------------------

def _matching(arr, x0, name, wname):
    """``arr`` raveled, if it has the shape of ``x0`` or is 1-D with as many entries."""
    if arr.shape != x0.shape and not (arr.ndim == 1 and arr.size == x0.size):
        raise ValueError(f"`{name}` must have the shape of `{wname}` {x0.shape} (or be 1-D with {x0.size} "
                         f"entries); got shape {arr.shape}")
    return arr.ravel()


def _labels(labels, x0, name="labels", wname="w"):
    """Integer labels, one per point of ``x0`` (raveled)."""
    try:
        a = np.asarray(labels)
    except (TypeError, ValueError):
        raise ValueError(f"`{name}` must be an array of integers") from None
    if a.dtype == bool or not np.issubdtype(a.dtype, np.integer):
        raise ValueError(f"`{name}` must be an array of integers; got dtype {a.dtype}")
    return _matching(a, x0, name, wname)


def _points(w, weights, k, *, wname="w", hname="weights", distinct=True):
    """Validated ``(x, h, k)``; ``distinct=False`` leaves the check ``k <= #distinct values`` to the
    caller (the exact method does it on the sorted points, see :func:`_optimal`)."""
    x0 = as_array(w, wname)
    x = x0.ravel()
    if weights is None:
        h = np.ones_like(x)
    else:
        h = _matching(as_array(weights, hname), x0, hname, wname)
        if not np.all(h > 0):
            raise ValueError(f"`{hname}` must be strictly positive (floor a Hessian diagonal first)")
    k = as_int(k, "k", low=1)
    if k > x.size:
        raise ValueError(f"`k` must be <= the number of points of `{wname}` ({x.size}); got {k}")
    if distinct:
        _check_distinct(np.unique(x).size, k, wname)
    return x, h, k


def _check_distinct(distinct, k, wname="w"):
    if k > distinct:
        raise ValueError(f"`k` must be <= the number of distinct values of `{wname}` ({distinct}); got {k}")


#: Most iterations of the iterative methods (a larger count is refused up front).
_MAX_ITER = 10**6

#: Bounds of the counts in the size bookkeeping (compression ratio, rate): beyond them the
#: arithmetic leaves the exactly representable integers or the float range.
_MAX_COUNT = 10**15
_MAX_LEVELS = 2**53
_MAX_FLOAT_BITS = 1024

#: Largest table (bytes) the exact dynamic programme builds (see :class:`_SegmentCosts`).
_MAX_TABLE_BYTES = 8 * 2**30


def _check_exact_size(n, k, kname="k", wname="w"):
    """Refuse, up front, an exact problem that cannot be solved in memory or in reasonable time."""
    if k * n > MAX_SIZE:
        raise ValueError(f"`{kname}` is too large for the exact method: k x n = {k * n} exceeds {MAX_SIZE} "
                         f"(k={k} levels, n={n} points; the dynamic programme stores k x n split points); "
                         "use Lloyd's method")
    if k > 1 and _SegmentCosts.nbytes(n) > _MAX_TABLE_BYTES:
        raise ValueError(f"`{wname}` has too many points for the exact method ({n}; it would need "
                         f"{_SegmentCosts.nbytes(n) / 2**30:.0f} GiB); use Lloyd's method")


def _finite(value, what, culprits):
    """``value`` if it is finite; a measured quantity that over- or underflowed is refused."""
    if not np.all(np.isfinite(value)):
        raise ValueError(f"{what} is not finite (it overflows the float range): rescale {culprits}")
    return value


def _exponent(v):
    """Binary exponent of a positive finite scalar (the power of two that brings it to [1/2, 1))."""
    return int(np.frexp(v)[1]) if v > 0 else 0


def _unit(h):
    """Positive weights scaled by a power of two (exactly) so that the largest lies in [1/2, 1)."""
    return np.ldexp(h, -_exponent(float(np.max(h))))


def _sse(x, h, c, a):
    r"""``sum(h (x - c[a])**2)`` with weights and points rescaled by powers of two, so that no
    intermediate overflows or underflows (the same number as the plain sum wherever that does not);
    ``inf`` when the value itself overflows."""
    hmax = float(np.max(h)) if h.size else 0.0
    if hmax == 0.0:
        return 0.0
    eh = _exponent(hmax)
    ex = _exponent(max(float(np.max(np.abs(x))), float(np.max(np.abs(c))) if c.size else 0.0))
    d = np.ldexp(x, -ex) - np.ldexp(c, -ex)[a]
    s = float(np.sum(np.ldexp(h, -eh) * (d * d)))
    with np.errstate(over="ignore"):
        return float(np.ldexp(s, eh + 2 * ex))


def kmeans_objective(w: ArrayLike, centroids: ArrayLike, labels: ArrayLike,
                     weights: ArrayLike | None = None) -> float:
    r"""Weighted k-means distortion of a given clustering.

    .. math::

        J = \sum_{i=1}^n h_i\,(w_i - c_{a_i})^2 .

    Parameters
    ----------
    w : array_like, any shape (raveled to n points)
    centroids : array_like, shape (k,)
    labels : array_like of int, shape of ``w`` (or n entries), values in ``[0, k)``
    weights : array_like, shape of ``w`` (or n entries), >= 0, optional
        :math:`h_i` (default 1).

    Returns
    -------
    float

    Raises
    ------
    ValueError
        Non-finite ``w``/``centroids``/``weights``, negative ``weights``, labels that are not
        integers in ``[0, k)``, mismatched shapes, or an objective that overflows.

    References
    ----------
    S. Lloyd, "Least squares quantization in PCM", IEEE Trans. Inf. Theory 28(2), 1982;
    Y. Choi, M. El-Khamy, J. Lee, "Towards the limit of network quantization", ICLR 2017, eq. (6).

    Examples
    --------
    >>> kmeans_objective([0.0, 1.0, 3.0], [0.5, 3.0], [0, 0, 1], weights=[2.0, 2.0, 1.0])
    1.0
    """
    x0 = as_array(w, "w")
    x = x0.ravel()
    c = as_array(centroids, "centroids", ndim=1)
    a = _labels(labels, x0)
    if a.min() < 0 or a.max() >= c.size:
        raise ValueError(f"`labels` must lie in [0, {c.size}) (one label per centroid)")
    h = np.ones_like(x) if weights is None else _matching(as_array(weights, "weights", nonnegative=True), x0,
                                                           "weights", "w")
    return _finite(_sse(x, h, c, a), "the objective", "`w`, `centroids` or `weights`")


def label_entropy(labels: ArrayLike, base: float | None = None) -> float:
    r"""Plug-in entropy of a label sequence (the per-weight entropy-coded length).

    .. math::

        \hat H(a) = -\sum_j \hat p_j \log \hat p_j, \qquad \hat p_j = \frac{|\{i: a_i=j\}|}{n}.

    Parameters
    ----------
    labels : array_like of int, shape (n,)
    base : float, optional
        Logarithm base (> 1); ``None`` gives nats, 2 gives bits.

    Returns
    -------
    float

    References
    ----------
    T. M. Cover and J. A. Thomas, *Elements of Information Theory*, 2nd ed., Thm 5.4.1 (an
    optimal code's expected length is within one bit of the entropy).

    Examples
    --------
    >>> label_entropy([0, 0, 1, 1], base=2)
    1.0
    """
    try:
        a = np.asarray(labels).ravel()
    except (TypeError, ValueError):
        raise ValueError("`labels` must be a non-empty array of non-negative integers") from None
    if a.size == 0 or a.dtype == bool or not np.issubdtype(a.dtype, np.integer) or a.min() < 0:
        raise ValueError("`labels` must be a non-empty array of non-negative integers")
    return _finite(discrete_entropy(a, base=base), "the label entropy", "`base`")


# ---------------------------------------------------------------------------------------------
# Lloyd (weighted, 1-D)
# ---------------------------------------------------------------------------------------------

def _init_centroids(x, k, init, rng):
    if init == "quantile":
        # c_j = quantile(w, (2j+1)/(2K)), as in the authors' code (wgao9/weight-quant).
        return np.quantile(x, (2.0 * np.arange(k) + 1.0) / (2.0 * k))
    if init == "linear":
        edges = np.linspace(x.min(), x.max(), k + 1)
        return 0.5 * edges[:-1] + 0.5 * edges[1:]
    return np.sort(check_rng(rng).choice(np.unique(x), size=k, replace=False))


def _nearest(x, c):
    """Labels of the nearest centroid, for ascending ``c`` (ties go to the lower centroid)."""
    mid = 0.5 * c[:-1] + 0.5 * c[1:]  # = 0.5 (c_j + c_{j+1}), without overflow near the float range
    return np.searchsorted(mid, x, side="left")


def _weighted_means(x, h, a, k, previous):
    hs = np.bincount(a, weights=h, minlength=k)
    hx = np.bincount(a, weights=h * x, minlength=k)
    c = previous.copy()
    nz = hs > 0
    c[nz] = hx[nz] / hs[nz]
    return c, hs, hx


def _reseed_empty(x, h, a, c, hs):
    """Move empty clusters to the points with the largest weighted error (deterministic)."""
    empty = np.flatnonzero(hs == 0)
    if empty.size == 0:
        return c, False
    err = h * (x - c[a]) ** 2
    order = np.argsort(-err, kind="stable")
    with np.errstate(over="ignore", invalid="ignore"):
        rounded = np.round(c[hs > 0], 15)
    used = set(np.where(np.isfinite(rounded), rounded, c[hs > 0]).tolist())
    c = c.copy()
    j = 0
    for idx in order:
        v = x[idx]
        if v in used:
            continue
        c[empty[j]] = v
        used.add(v)
        j += 1
        if j == empty.size:
            break
    return np.sort(c), True


def _lloyd(x, h, k, init, max_iter, rng):
    """Weighted Lloyd in 1-D from a deterministic (or seeded) initialisation."""
    c = np.sort(_init_centroids(x, k, init, rng).astype(float))
    a = _nearest(x, c)
    converged = False
    it = 0
    for it in range(1, max_iter + 1):
        c_new, hs, hx = _weighted_means(x, h, a, k, c)
        c_new, reseeded = _reseed_empty(x, h, a, c_new, hs)
        c_new = np.sort(c_new)
        a_new = _nearest(x, c_new)
        c = c_new
        if not reseeded and np.array_equal(a_new, a):
            # the labels are stable: c holds their weighted means, a fixed point of Lloyd's map
            converged = True
            break
        a = a_new
    return c, a, it, converged


# ---------------------------------------------------------------------------------------------
# Optimal weighted 1-D k-means by dynamic programming
# ---------------------------------------------------------------------------------------------

_TINY = np.finfo(float).tiny

#: Relative slack within which two DP candidates count as tied (far above the round-off of the
#: segment costs and of the DP values, a few units in the 15th digit).
_NEAR_TIE = 2.0**-40


#: Value of the dead rows of a layer for the next one (above every threshold; see _dead_rows).
_DEAD = 1e300
#: Relative margin of the dead and live thresholds around the upper bound on the optimum, far
#: above the rounding of any DP value (a sum of at most k costs, each exact to a few ulps).
_DEAD_MARGIN = 2.0**-20
#: Below this, an upper bound is not used (values near the underflow range are not exact enough).
_DEAD_FLOOR = 2.0**-600
#: Nor with a (rescaled, largest in [1/2, 1)) weight below this: weights spanning more than about
#: 1e90, towards the known limit where the table's Welford increments underflow (kmeans_1d).
_DEAD_MIN_WEIGHT = 2.0**-300


def _scaled_sorted(xs, hs):
    """Ascending points and their weights rescaled by powers of two (exactly): the weights to a
    maximum in [1/2, 1) (floored at the smallest normal number), the points so that their range
    lies in [1/2, 1). The optimal partition is invariant under both maps."""
    hn = np.ldexp(hs, -int(np.frexp(hs.max())[1]))
    np.maximum(hn, _TINY, out=hn)
    amax = max(abs(float(xs[0])), abs(float(xs[-1])))
    if amax == 0.0:
        return hn, np.zeros(xs.size)
    xn = np.ldexp(xs, -int(np.frexp(amax)[1]))
    r = float(xn[-1] - xn[0])
    if r == 0.0:
        return hn, xn
    er = int(np.frexp(r)[1])
    if er < -1000:  # a tiny range around a large value: the shift is exact (Sterbenz)
        xn = xn - xn[0]
    return hn, np.ldexp(xn, -er)


class _SegmentCosts:
    r"""Weighted SSE of any run of sorted points in O(1), without cancellation.

    A disjoint sparse table: level ``L`` cuts the index range (padded to a power of two) into
    blocks of :math:`2^{L+1}` points, and each point stores the summary ``(1/W, M2, d)`` of the
    run from it to the middle of its block — total weight, weighted SSE about the run's mean, and
    the distance from the point next to the middle to the run's mean. A run ``[a, b]`` with
    ``a < b`` is the union of the two stored runs at ``L = msb(a xor b)``, merged by the pairwise
    update of Chan, Golub & LeVeque (1979),

    .. math:: M_2 = M_{2,A} + M_{2,B} + \frac{W_A W_B}{W_A + W_B}\,(d_A + g + d_B)^2,

    with :math:`g` the gap across the middle. Every stored quantity is a running sum of
    non-negative terms (the mean offsets are measured from the run's end next to the middle,
    e.g. :math:`W_t d_t = \sum_{s\le t} W_{s-1} g_s`), and so is the merge: the relative error of
    a cost is a few units of round-off for any weights and values, where the prefix-sum formula
    :math:`S_2 - S_1^2/S_0` loses everything to cancellation. Row 0 holds single points (cost 0).
    Memory: ``3 (levels + 1) 2**levels`` floats.
    """

    def __init__(self, xw, hn):
        n = xw.size
        levels = max(1, int(n - 1).bit_length())
        N = 1 << levels
        self.N = N
        U = np.empty((levels + 1, N))
        M2 = np.empty((levels + 1, N))
        D = np.empty((levels + 1, N))
        U[0], M2[0], D[0] = 1.0, 0.0, 0.0
        hp = np.ones(N)
        hp[:n] = hn
        xp = np.full(N, xw[-1])
        xp[:n] = xw
        gp = np.zeros(N)  # gp[p] = x[p] - x[p-1]
        np.subtract(xp[1:], xp[:-1], out=gp[1:])
        # mirrored (x -> -x, reversed): its right halves are the left halves of the original
        mirror = (hp[::-1].copy(), -xp[::-1], np.concatenate([[0.0], gp[:0:-1]]))
        for L in range(levels):
            hb = 1 << L
            nb = N // (2 * hb)
            for side, (h, x, g) in enumerate(((hp, xp, gp), mirror)):
                # the right halves of the blocks, as (nb, hb) views; the outputs go to the right
                # halves of the original's blocks, or (mirrored) to the left halves, reversed
                hh = h.reshape(nb, 2, hb)[:, 1, :]
                xx = x.reshape(nb, 2, hb)[:, 1, :]
                if side == 0:
                    tgt = (slice(None), 1, slice(None))
                else:
                    tgt = (slice(None, None, -1), 0, slice(None, None, -1))
                u_out = U[L + 1].reshape(nb, 2, hb)[tgt]
                m_out = M2[L + 1].reshape(nb, 2, hb)[tgt]
                d_out = D[L + 1].reshape(nb, 2, hb)[tgt]
                w = np.cumsum(hh, axis=1)
                m_out[:, 0] = 0.0
                if hb > 1:
                    # E_t = W_t (x_t - mean_t) = sum_{s<=t} W_{s-1} g_s, and Welford's increment
                    # h_t W_{t-1}/W_t (x_t - mean_{t-1})^2 = h_t E_t^2 / (W_t W_{t-1})
                    wprev = w[:, :-1]
                    e = wprev * g.reshape(nb, 2, hb)[:, 1, 1:]
                    np.cumsum(e, axis=1, out=e)
                    e *= e
                    e *= hh[:, 1:]
                    e /= w[:, 1:]
                    e /= wprev
                    np.cumsum(e, axis=1, out=m_out[:, 1:])
                d = xx - xx[:, :1]                      # >= 0: distance from the middle point
                d *= hh
                np.cumsum(d, axis=1, out=d_out)
                d_out /= w                              # mean - middle point
                if side == 0:
                    d_out += g.reshape(nb, 2, hb)[:, 1, :1]  # plus the gap across the middle
                np.divide(1.0, w, out=u_out)
        self.U = U.reshape(-1)
        self.M2 = M2.reshape(-1)
        self.D = D.reshape(-1)

    @staticmethod
    def nbytes(n):
        levels = max(1, int(n - 1).bit_length())
        return 24 * (levels + 1) * (1 << levels)

    def cost(self, a, b):
        """Weighted SSE of the sorted points ``a..b`` (inclusive), int64 arrays with ``a <= b``."""
        e = np.frexp((a ^ b).astype(float))[1].astype(np.int64)  # msb(a ^ b) + 1, or 0
        e *= self.N
        ia = e + a
        e += b
        U, D, M2 = self.U, self.D, self.M2
        t = D[ia]
        t += D[e]
        t *= t
        s = U[ia]
        s += U[e]
        t /= s
        t += M2[ia]
        t += M2[e]
        return t


def _dc_layer(Dprev, costs, xw, jlo, jhi, olo, ohi, lo, out_val, out_arg, out_lo, dead_thr=np.inf):
    """One DP layer, D[j] = min_{olo<=i<j} Dprev[i] + cost(i, j-1) for j in [jlo, jhi].

    Divide and conquer over the monotone arg-min (Grønlund et al. 2017, §2), breadth-first so
    that each recursion level is one vectorized pass over O(n) candidates; ties go to the
    smallest split point, and the sub-problems' ranges are bounded by the near-tied candidates.

    ``lo[j]`` bounds the candidates of ``j`` from below by the previous layer's choice at ``j``
    (its smallest split point within rounding of the best); this layer writes its own to
    ``out_lo``. The bound is exact: with m clusters the last one starts no earlier than with
    m - 1 (the smallest exact arg-mins satisfy opt_{m-1}(j) <= opt_m(j)). Derived here from the
    concave Monge property of k-link paths (Aggarwal, Schieber & Tokuyama, Discrete Comput. Geom.
    1994): for b < a, F_{m-1}(a) + F_{m-2}(b) <= F_{m-2}(a) + F_{m-1}(b), by exchanging the tails
    of the optimal (m-2)-link path to a and (m-1)-link path to b at a nested pair of links, which
    the quadrangle inequality of the k-means cost allows. If b < a were split points of layers m
    and m - 1 at j, adding their optimality inequalities gives the reverse, so both are equalities
    and b is also optimal for layer m - 1: the smallest one there is <= b. ``tests`` check the
    ordering on exact rational DPs. It removes the far-left candidates of the top recursion
    levels (a third of all candidates at k = 64).

    Dead rows: a row whose value exceeds ``dead_thr`` (an upper bound on the whole optimum, with
    a margin far above rounding) is on no optimal path, and neither is any later row (D is
    nondecreasing in j), so its right sub-problem is skipped, as is every sub-problem whose rows
    all lie above the smallest such row, which is returned (``jhi + 1`` if none); see
    :func:`_dead_rows` for what the next layer then sees.
    """
    dead = jhi + 1
    tl = np.array([jlo], dtype=np.int64)
    th = np.array([jhi], dtype=np.int64)
    ol = np.array([olo], dtype=np.int64)
    oh = np.array([ohi], dtype=np.int64)
    while tl.size:
        mid = (tl + th) // 2
        hi = np.minimum(mid - 1, oh)
        ol0, ol = ol, np.minimum(np.maximum(ol, lo[mid]), hi)
        counts = hi - ol + 1
        offsets = np.zeros(counts.size, dtype=np.int64)
        np.cumsum(counts[:-1], out=offsets[1:])
        total = int(counts.sum())
        cand = np.arange(total, dtype=np.int64) + np.repeat(ol - offsets, counts)
        c = costs.cost(cand, np.repeat(mid - 1, counts))
        vals = Dprev[cand]
        vals += c
        best = np.minimum.reduceat(vals, offsets)
        # candidates within rounding of the best (a few per j, except in runs of exact ties)
        near = np.flatnonzero(vals <= np.repeat(best * (1.0 + _NEAR_TIE), counts))
        grp = np.searchsorted(offsets, near, side="right") - 1
        is_best = vals[near] == best[grp]
        eq = near[is_best]
        apos = eq[np.searchsorted(grp[is_best], np.arange(counts.size))]
        arg = cand[apos]                                       # the smallest best split point
        # The split points whose values may be the exact minimum though rounding says otherwise:
        # values within rounding above the best, and values equal to it. The sub-problems keep
        # them in range, so that a tie decided by rounding at one j cannot exclude the exact
        # arg-min of a smaller j. Equal values are not exact ties in general (a weight below the
        # rounding of its cluster changes a cost by less than half an ulp), with one exception,
        # which keeps long runs of repeated values fast: when the chosen split point's last
        # cluster is a run of equal points (cost exactly 0), every later split point i has a last
        # cluster of cost 0 too and D_{m-1}(i) >= D_{m-1}(arg) (one more point never lowers the
        # optimum), so the chosen one is an exact arg-min and the equal later ones may go.
        unsure = ~is_best
        at = apos[grp[is_best]]
        flat = xw[arg] == xw[mid - 1]
        unsure[is_best] = (cand[eq] != cand[at]) & ~flat[grp[is_best]]
        near, grp = near[unsure], grp[unsure]
        near_lo, near_hi = arg.copy(), arg.copy()
        if near.size:
            groups = np.arange(counts.size)
            first = np.searchsorted(grp, groups)
            last = np.searchsorted(grp, groups, side="right") - 1
            some = last >= first
            np.minimum(arg, np.where(some, cand[near[np.minimum(first, near.size - 1)]], arg), out=near_lo)
            np.maximum(arg, np.where(some, cand[near[np.maximum(last, 0)]], arg), out=near_hi)
        out_val[mid] = best
        out_arg[mid] = arg
        out_lo[mid] = near_lo
        over = best > dead_thr
        if over.any():
            dead = min(dead, int(mid[over].min()))
        left = mid - 1 >= tl
        right = (mid + 1 <= th) & ~over
        tl, th, ol, oh = (np.concatenate([tl[left], mid[right] + 1]),
                          np.concatenate([mid[left] - 1, th[right]]),
                          np.concatenate([ol0[left], near_lo[right]]),
                          np.concatenate([near_hi[left], oh[right]]))
        live = tl <= dead
        tl, th, ol, oh = tl[live], th[live], ol[live], oh[live]
    return dead


def _dead_rows(Dn, lo_n, jlo, jhi, dead, alive_thr):
    """After a layer: what the next one sees of its rows ``jlo..n``, in place.

    The rows above ``dead`` get the value :data:`_DEAD`, above every threshold (they are on no
    optimal path; any value at least their own keeps the next layer's matrix Monge, since it only
    adds a function of the column). A row keeps its own lower bound ``lo_n`` for the next layer
    only if its value is certainly at most the upper bound on the optimum (``<= alive_thr``), so
    that it was computed exactly (all its arg-mins are live rows of the layer before); every other
    row ``j`` takes the bound of the last such row below it, ``i``, which holds for ``j`` as well
    (the next layer's smallest arg-min at ``j`` is at least the one at ``i``, which is at least
    this layer's at ``i``), or 0. The rows beyond ``jhi`` are bounded the same way.
    """
    j = np.arange(jlo, Dn.size)
    sure = (j <= min(jhi, dead)) & (Dn[jlo:] <= alive_thr)
    pos = np.maximum.accumulate(np.where(sure, np.arange(j.size), -1))
    lo_n[jlo:] = np.where(pos >= 0, lo_n[jlo:][np.maximum(pos, 0)], 0)
    if dead < jhi:
        Dn[dead + 1:jhi + 1] = _DEAD


# The same dynamic programme compiled with numba (when it is importable; see theory/_numba.py).
# Every floating-point operation below is the one of the numpy path above, in the same order and
# without contraction or reassociation (numba's defaults: no fast-math; ``error_model="numpy"``
# only drops the division-by-zero checks, and no denominator here is zero), so that both paths
# give the same table, the same DP values and the same split points bit for bit.

#: Use the compiled kernels when numba is importable; the tests switch it off to check the numpy path.
_USE_NUMBA = HAVE_NUMBA


@njit(cache=True, error_model="numpy")
def _jit_table_half(h, x, g, U, M2, D, N, L, mirror):
    """Row ``L + 1`` of :class:`_SegmentCosts` from the right halves of the blocks of ``(h, x, g)``
    (the original, or its mirror, whose right halves are the original's left halves)."""
    hb = 1 << L
    nb = N // (2 * hb)
    r = (L + 1) * N
    for blk in range(nb):
        p0 = blk * 2 * hb + hb
        x0 = x[p0]
        w = 0.0
        wprev = 0.0
        e = 0.0
        msum = 0.0
        dsum = 0.0
        for t in range(hb):
            p = p0 + t
            ht = h[p]
            w = w + ht                      # cumsum of the weights
            if t > 0:
                e = e + wprev * g[p]        # E_t = sum_{s<=t} W_{s-1} g_s
                inc = e * e
                inc = inc * ht
                inc = inc / w
                inc = inc / wprev
                msum = msum + inc           # Welford's increments, summed
            dsum = dsum + (x[p] - x0) * ht
            d = dsum / w
            if mirror:
                o = r + N - 1 - p
            else:
                o = r + p
                d = d + g[p0]
            D[o] = d
            M2[o] = msum
            U[o] = 1.0 / w
            wprev = w


@njit(cache=True, error_model="numpy")
def _jit_table(xw, hn, U, M2, D, N):
    """Fill the flat ``(levels + 1) * N`` tables ``U, M2, D`` exactly as :class:`_SegmentCosts`."""
    n = xw.size
    hp = np.ones(N)
    xp = np.empty(N)
    for p in range(N):
        if p < n:
            xp[p] = xw[p]
            hp[p] = hn[p]
        else:
            xp[p] = xw[n - 1]
    gp = np.zeros(N)
    for p in range(1, N):
        gp[p] = xp[p] - xp[p - 1]
    hm = np.empty(N)
    xm = np.empty(N)
    gm = np.zeros(N)
    for q in range(N):
        hm[q] = hp[N - 1 - q]
        xm[q] = -xp[N - 1 - q]
        if q > 0:
            gm[q] = gp[N - q]
    for p in range(N):
        U[p] = 1.0
        M2[p] = 0.0
        D[p] = 0.0
    levels = U.size // N - 1
    for L in range(levels):
        _jit_table_half(hp, xp, gp, U, M2, D, N, L, False)
        _jit_table_half(hm, xm, gm, U, M2, D, N, L, True)


@njit(cache=True, error_model="numpy")
def _jit_cost(U, M2, D, N, a, b):
    """:meth:`_SegmentCosts.cost` of one run ``a..b``, ``a <= b`` (same operations)."""
    e = bit_length(a ^ b)
    ia = e * N + a
    ib = e * N + b
    t = D[ia] + D[ib]
    t = t * t
    s = U[ia] + U[ib]
    t = t / s
    t = t + M2[ia]
    t = t + M2[ib]
    return t


@njit(cache=True, error_model="numpy")
def _jit_fill(D, U, M2, Dprev, buf, r, s, e, o, db, ub, mb):
    """``buf[i - o] = Dprev[i] + cost(i, b)`` for the candidates ``s <= i <= e`` on table row
    offset ``r`` (``db, ub, mb``: b's entries on that row). Unsigned indices, which numba does not
    wrap around, so that the loop compiles to contiguous vector loads (signed ones: gathers)."""
    ri = np.uint64(r + s)
    si = np.uint64(s)
    oi = np.uint64(s - o)
    for t in range(np.uint64(e - s + 1)):
        v = D[ri + t] + db
        v = v * v
        v = v / (U[ri + t] + ub)
        v = v + M2[ri + t]
        v = v + mb
        buf[oi + t] = Dprev[si + t] + v


@njit(cache=True, error_model="numpy")
def _jit_min_nonneg(a):
    """Smallest of the int64 views of non-negative doubles: their bit patterns order as the
    values do (an integer reduction, which vectorizes; no rounding)."""
    best = a[0]
    for q in range(a.size):
        v = a[q]
        best = v if v < best else best
    return best


@njit(cache=True, error_model="numpy")
def _jit_count_le(a, thr):
    """How many of ``a`` are ``<= thr`` (a loop that vectorizes)."""
    c = 0
    for q in range(a.size):
        c += a[q] <= thr
    return c


@njit(cache=True, error_model="numpy")
def _jit_choose(buf, cnt, ol, best, thr, x, b):
    """The choice of :func:`_dc_layer` for one ``j``: the smallest best split point and the range
    ``[ulo, uhi]`` of the unsure candidates (within rounding above the best, or equal to it unless
    the chosen one's last cluster is a run of equal points; empty: ``ulo > uhi``)."""
    arg = -1
    ulo = ol + cnt
    uhi = ol - 1
    flat = False
    for q in range(cnt):
        v = buf[q]
        if v <= thr:
            i = ol + q
            if v == best:
                if arg < 0:
                    arg = i
                    flat = x[arg] == x[b]
                    continue
                if flat:
                    continue
            if i < ulo:
                ulo = i
            uhi = i
    return arg, ulo, uhi


@njit(cache=True, error_model="numpy")
def _jit_dc_layer(Dprev, U, M2, D, N, x, jlo, jhi, olo, ohi, lo, out_val, out_arg, out_lo, buf, stack, scratch,
                  dead_thr, alive_thr, trim):
    """:func:`_dc_layer`, depth-first: the same sub-problems, candidates, values and choices, and
    the same dead row (returned, with the ``trim`` bound).

    ``trim``: only the rows ``j >= out_lo[jhi]`` are wanted (the last layer but one: the last
    layer's single row ``n`` looks at no split point below that bound), if row ``jhi`` is certainly
    alive (its value ``<= alive_thr``; see :func:`_dc_layer`). The right-most row ``jhi`` is the
    first leaf reached (the right sub-problem is taken first), so every sub-problem still pending
    then whose rows all lie below the bound is skipped; the rows computed are those of the full
    layer, with the same ranges, bit for bit, and the skipped rows are never read."""
    near = 1.0 + _NEAR_TIE
    keep_from = 0
    dead = jhi + 1
    bufi = buf.view(np.int64)
    scratch_i = scratch.view(np.int64)
    stack[0, 0] = jlo
    stack[0, 1] = jhi
    stack[0, 2] = olo
    stack[0, 3] = ohi
    sp = 1
    while sp > 0:
        sp -= 1
        tl = stack[sp, 0]
        th = stack[sp, 1]
        ol0 = stack[sp, 2]
        oh = stack[sp, 3]
        if th < keep_from or tl > dead:
            continue
        mid = (tl + th) // 2
        b = mid - 1
        hi = min(b, oh)
        ol = min(max(ol0, lo[mid]), hi)   # and the previous layer's bound (see _dc_layer)
        cnt = hi - ol + 1
        # buf[i - ol] = Dprev[i] + cost(i, b) for i in [ol, hi], one table row at a time
        iend = hi
        if hi == b:
            buf[hi - ol] = Dprev[b] + 0.0   # a single point: row 0, cost (0 + 0)^2 / 2 + 0 + 0 = 0
            iend = hi - 1
        while iend >= ol:
            # the candidates i < b on row L + 1, L = msb(i ^ b): the run below b's bit L
            L = bit_length(iend ^ b) - 1
            slo = (b >> (L + 1)) << (L + 1)
            s = max(slo, ol)
            base = (L + 1) * N
            db = D[base + b]
            ub = U[base + b]
            mb = M2[base + b]
            _jit_fill(D, U, M2, Dprev, buf, base, s, iend, ol, db, ub, mb)
            iend = slo - 1
        # every value is a sum of non-negative terms (never -0.0 or NaN): min of the bits
        scratch_i[0] = _jit_min_nonneg(bufi[:cnt])
        best = scratch[0]
        thr = best * near
        if _jit_count_le(buf[:cnt], thr) == 1:   # the best alone: nothing unsure
            q = 0
            while buf[q] != best:
                q += 1
            arg = ol + q
            ulo = hi + 1
            uhi = ol - 1
        else:
            arg, ulo, uhi = _jit_choose(buf, cnt, ol, best, thr, x, b)
        out_val[mid] = best
        out_arg[mid] = arg
        out_lo[mid] = min(arg, ulo)
        if trim and mid == jhi and best <= alive_thr:
            keep_from = out_lo[mid]
        if best > dead_thr:   # this row and every later one are dead: no right sub-problem
            dead = min(dead, mid)
            th = mid
        if mid - 1 >= tl:
            stack[sp, 0] = tl
            stack[sp, 1] = mid - 1
            stack[sp, 2] = ol0
            stack[sp, 3] = max(arg, uhi)
            sp += 1
        if mid + 1 <= th:
            stack[sp, 0] = mid + 1
            stack[sp, 1] = th
            stack[sp, 2] = min(arg, ulo)
            stack[sp, 3] = oh
            sp += 1
    return dead, keep_from


@njit(cache=True, error_model="numpy")
def _jit_dead_rows(Dn, lo_n, jlo, jhi, dead, keep, alive_thr):
    """:func:`_dead_rows`, one row at a time (the same rule)."""
    last = 0
    for j in range(jlo, Dn.size):
        if keep <= j <= min(jhi, dead) and Dn[j] <= alive_thr:
            last = lo_n[j]
        else:
            lo_n[j] = last
            if dead < j <= jhi:
                Dn[j] = _DEAD


@njit(cache=True, error_model="numpy")
def _jit_layers(U, M2, D, N, x, k, args, buf, stack, Dp, Dn, ub):
    """All DP layers of :func:`_optimal_sorted`; ``args[m - 2]`` receives layer m's split points;
    ``ub``: an upper bound on the optimum (rows above it are dead, see :func:`_dc_layer`)."""
    n = x.size
    scratch = np.empty(1)
    lo_p = np.zeros(n + 1, dtype=np.int64)   # layer 1 bounds nothing
    lo_n = np.zeros(n + 1, dtype=np.int64)
    dead_thr = ub * (1.0 + _DEAD_MARGIN)
    alive_thr = ub * (1.0 - _DEAD_MARGIN)
    Dp[0] = 0.0
    for j in range(n):
        Dp[j + 1] = _jit_cost(U, M2, D, N, 0, j)
    for m in range(2, k + 1):
        jlo = m
        jhi = n - (k - m)
        if m == k:
            jlo = n
        dead, keep = _jit_dc_layer(Dp, U, M2, D, N, x, jlo, jhi, m - 1, jhi - 1, lo_p, Dn, args[m - 2], lo_n, buf,
                                   stack, scratch, dead_thr, alive_thr, m == k - 1)
        if m < k:
            _jit_dead_rows(Dn, lo_n, jlo, jhi, dead, keep, alive_thr)
        Dp, Dn = Dn, Dp
        lo_p, lo_n = lo_n, lo_p


@njit(cache=True, error_model="numpy")
def _jit_argsort(x):
    """The stable ascending order of the finite floats ``x`` (``np.argsort(x, kind="stable")``),
    by a least-significant-digit radix sort of their bit patterns, 8 bits a pass, with the passes
    in which every key has the same digit skipped. ``-0.0`` counts as ``0.0``, as in a comparison
    sort, so that the two keep their input order."""
    n = x.size
    sign = np.uint64(1) << np.uint64(63)
    keys = np.empty(n, dtype=np.uint64)
    xb = x.view(np.uint64)
    for i in range(n):
        b = xb[i]
        if b == sign:
            b = np.uint64(0)
        # negative: flip every bit (larger magnitudes first); positive: set the sign bit
        keys[i] = ~b if b & sign else b | sign
    bits = 8
    radix = 1 << bits
    passes = 64 // bits
    mask = np.uint64(radix - 1)
    counts = np.zeros((passes, radix), dtype=np.int64)
    for i in range(n):
        key = keys[i]
        for p in range(passes):
            counts[p, (key >> np.uint64(p * bits)) & mask] += 1
    order = np.arange(n)
    order2 = np.empty(n, dtype=np.int64)
    keys2 = np.empty(n, dtype=np.uint64)
    for p in range(passes):
        c = counts[p]
        same = False
        for d in range(radix):
            same |= c[d] == n
        if same:
            continue
        total = 0
        for d in range(radix):
            t = c[d]
            c[d] = total
            total += t
        shift = np.uint64(p * bits)
        for i in range(n):
            key = keys[i]
            d = (key >> shift) & mask
            q = c[d]
            c[d] = q + 1
            keys2[q] = key
            order2[q] = order[i]
        keys, keys2 = keys2, keys
        order, order2 = order2, order
    return order


@njit(cache=True, error_model="numpy")
def _jit_partition_cost(U, M2, D, N, starts, n):
    """Cost of the partition of the sorted points into runs from ``starts``, summed in order."""
    total = 0.0
    for c in range(starts.size):
        end = starts[c + 1] - 1 if c + 1 < starts.size else n - 1
        total = total + _jit_cost(U, M2, D, N, starts[c], end)
    return total


def _optimal_sorted_jit(xw, hn, k, ub):
    """Split points (k - 1, n + 1) of every layer, by the compiled kernels (numpy allocates the
    large arrays, so that the operating system may back them with huge pages)."""
    n = xw.size
    levels = max(1, int(n - 1).bit_length())
    N = 1 << levels
    U, M2, D = np.empty((levels + 1) * N), np.empty((levels + 1) * N), np.empty((levels + 1) * N)
    _jit_table(xw, hn, U, M2, D, N)
    if ub is None:
        ub = _dead_bound(_jit_partition_cost(U, M2, D, N, _sorted_lloyd_starts(xw, hn, k), n))
    args = np.empty((k - 1, n + 1), dtype=np.int32 if n < 2**31 - 1 else np.int64)
    stack = np.empty((2 * 64 + 4, 4), dtype=np.int64)   # depth-first: at most depth + 1 pending
    _jit_layers(U, M2, D, N, xw, k, args, np.empty(n + 1), stack, np.empty(n + 1), np.empty(n + 1), ub)
    return args


def _dead_bound(cost):
    """The upper bound on the optimum used to find dead rows: the computed cost of a partition
    (exact to far less than the margin :data:`_DEAD_MARGIN`), or infinity (no pruning) if it is
    not a normal number well above the underflow range."""
    return cost if _DEAD_FLOOR <= cost < np.inf else np.inf


def _sorted_lloyd_starts(xw, hn, k, max_iter=50):
    """A good partition of the sorted points into k runs (its cost bounds the optimum): Lloyd's
    iterations on prefix sums (each O(k log n); the result only needs to be a valid partition,
    so the prefix sums' rounding does not matter), from a start that follows the density. On
    10^6 points (Laplace, normal, exponential, two-scale mixture; k = 16 and 64) its cost is
    within 1.2 times the optimum, in about 10 ms. (Not :func:`_lloyd`, whose nearest-centroid
    step on unsorted points costs O(n k) per iteration.)"""
    n = xw.size
    s0 = np.concatenate([[0.0], np.cumsum(hn)])
    s1 = np.concatenate([[0.0], np.cumsum(hn * xw)])
    ks = np.arange(k)

    def valid(st):   # 0 = st[0] < st[1] < ... < st[k-1] <= n - 1
        st = np.maximum.accumulate(np.maximum(st, ks) - ks) + ks
        st = np.minimum(st, n - k + ks)
        st[0] = 0
        return st

    # the start: the asymptotically optimal point density of k-means, proportional to the cube
    # root of the density of the points (Panter & Dite, Proc. IRE 39(1), 1951), estimated on 16 k
    # quantiles of the weight: its cumulative, sum of dm^(1/3) dx^(2/3), cut into k equal parts
    g = 16 * k
    idx = np.minimum(np.searchsorted(s0[1:], s0[-1] * np.arange(g + 1) / g), n - 1)
    dens = np.concatenate([[0.0], np.cumsum(np.cbrt(np.diff(s0[idx + 1])) * np.cbrt(np.diff(xw[idx])) ** 2)])
    cut = np.searchsorted(dens, dens[-1] * ks / k, side="right") - 1
    starts = valid(idx[cut])
    for _ in range(max_iter):
        ends = np.append(starts[1:], n)
        with np.errstate(all="ignore"):
            mean = (s1[ends] - s1[starts]) / (s0[ends] - s0[starts])
            cut = np.searchsorted(xw, 0.5 * (mean[1:] + mean[:-1]), side="right")
        new = valid(np.concatenate([[0], cut]))
        if np.array_equal(new, starts):
            break
        starts = new
    return starts


def _optimal_sorted(xs, hs, k, ub=None):
    """Exact weighted k-means of ascending ``xs``; returns the cluster start indices (k,).
    ``ub``: the upper bound on the (rescaled) optimum for the dead rows; by default from
    :func:`_sorted_lloyd_starts`; ``np.inf`` turns the pruning off."""
    n = xs.size
    starts = np.zeros(k, dtype=np.int64)
    if k == 1:
        return starts
    hn, xw = _scaled_sorted(xs, hs)
    if ub is None and hn.min() < _DEAD_MIN_WEIGHT:
        ub = np.inf   # weights spanning beyond the range where the costs are exact: no pruning
    if _USE_NUMBA:
        args = _optimal_sorted_jit(xw, hn, k, ub)
    else:
        args = _optimal_sorted_numpy(xw, hn, k, ub)
    j = n
    for m in range(k, 1, -1):
        i = int(args[m - 2][j])
        starts[m - 1] = i
        j = i
    return starts


def _optimal_sorted_numpy(xw, hn, k, ub):
    """Split points of every layer (a list of k - 1 arrays of n + 1), vectorized with numpy."""
    n = xw.size
    costs = _SegmentCosts(xw, hn)
    if ub is None:
        st = _sorted_lloyd_starts(xw, hn, k)
        total = 0.0
        for v in costs.cost(st, np.append(st[1:], n) - 1).tolist():   # summed in order
            total += v
        ub = _dead_bound(total)
    dead_thr, alive_thr = ub * (1.0 + _DEAD_MARGIN), ub * (1.0 - _DEAD_MARGIN)
    idx_dtype = np.int32 if n < 2**31 - 1 else np.int64
    D = np.zeros(n + 1)
    D[1:] = costs.cost(np.zeros(n, dtype=np.int64), np.arange(n, dtype=np.int64))
    args = []
    lo = np.zeros(n + 1, dtype=np.int64)   # layer 1 bounds nothing
    for m in range(2, k + 1):
        Dn = np.full(n + 1, np.inf)
        arg = np.zeros(n + 1, dtype=idx_dtype)
        lo_n = np.zeros(n + 1, dtype=np.int64)
        # j points split into m non-empty clusters needs j >= m; only j <= n-(k-m) is ever used.
        jlo, jhi = m, n - (k - m)
        if m == k:
            jlo = n
        dead = _dc_layer(D, costs, xw, jlo, jhi, m - 1, jhi - 1, lo, Dn, arg, lo_n, dead_thr)
        if m < k:
            _dead_rows(Dn, lo_n, jlo, jhi, dead, alive_thr)
        args.append(arg)
        D, lo = Dn, lo_n
    return args


def _optimal(x, h, k, check_distinct=False):
    """Exact k-means of ``x`` (weights ``h``): centroids and labels. The stable order of the
    points: by the compiled radix sort, or by numpy's default sort when no two points are equal
    (the order is then unique), else its stable sort. ``check_distinct``: refuse ``k`` above the
    number of distinct values."""
    order = _jit_argsort(x) if _USE_NUMBA else np.argsort(x)
    xs = x[order]
    differ = xs[1:] != xs[:-1]
    distinct = 1 + int(np.count_nonzero(differ))
    del differ
    if check_distinct:
        _check_distinct(distinct, k)
    if distinct < x.size and not _USE_NUMBA:   # equal points (or 0.0 and -0.0): in their input order
        order = np.argsort(x, kind="stable")
        xs = x[order]
    hs = h[order]
    starts = _optimal_sorted(xs, hs, k)
    lab_sorted = np.zeros(x.size, dtype=np.int64)
    lab_sorted[starts[1:]] = 1
    lab_sorted = np.cumsum(lab_sorted)
    labels = np.empty(x.size, dtype=np.int64)
    labels[order] = lab_sorted
    return _run_means(xs, hs, starts, lab_sorted, k), labels


@njit(cache=True, error_model="numpy")
def _jit_run_means(xn, hn, starts):
    """The means of :func:`_run_means` (rescaled points and weights), run by run: the same sums
    in the same order as its ``bincount`` calls, so the same bits."""
    k = starts.size
    n = xn.size
    c = np.empty(k)
    for r in range(k):
        a = starts[r]
        b = starts[r + 1] if r + 1 < k else n
        anchor = xn[a]
        w = 0.0
        s = 0.0
        for i in range(a, b):
            w += hn[i]
            s += hn[i] * (xn[i] - anchor)
        m = anchor + s / w
        s = 0.0
        for i in range(a, b):
            s += hn[i] * (xn[i] - m)
        c[r] = m + s / w
    return c


def _run_means(xs, hs, starts, lab, k):
    """Weighted means of runs of ascending points, each measured from the run's first point (a
    sum of non-negative terms) and then corrected by the mean residual: accurate to about an ulp
    even for runs a few ulps wide (the plain ``sum(h x) / sum(h)`` loses ``n`` ulps of the largest
    ``|x|``). Weights and points are rescaled by powers of two, so that nothing overflows, and a
    weight below 2^-1022 times the largest counts as that much, as in the dynamic programme (so
    that a cluster of such weights has the mean of its points, not 0/0)."""
    hn = np.maximum(np.ldexp(hs, -_exponent(float(hs.max()))), _TINY)
    ex = _exponent(max(abs(float(xs[0])), abs(float(xs[-1]))))
    xn = np.ldexp(xs, -ex)
    if _USE_NUMBA:
        return np.ldexp(_jit_run_means(xn, hn, starts), ex)
    anchor = xn[starts]
    d = xn - anchor[lab]  # >= 0
    wsum = np.bincount(lab, weights=hn, minlength=k)
    c = anchor + np.bincount(lab, weights=hn * d, minlength=k) / wsum
    # one correction step (the residual mean about c): c is then the mean to within rounding
    np.subtract(xn, c[lab], out=d)
    c += np.bincount(lab, weights=hn * d, minlength=k) / wsum
    return np.ldexp(c, ex)


def kmeans_1d(w: ArrayLike, k: int, weights: ArrayLike | None = None,
              method: Literal["lloyd", "optimal"] = "lloyd", *,
              init: Literal["quantile", "linear", "random"] = "quantile", max_iter: int = 300,
              rng: np.random.Generator | int | None = None) -> KMeansResult:
    r"""Weighted 1-D k-means: Lloyd's local search or the exact optimum by dynamic programming.

    .. math::

        \min_{c\in\mathbb R^k,\ a\in[k]^n} \sum_{i=1}^n h_i (w_i - c_{a_i})^2 .

    ``"optimal"``: after sorting, optimal clusters are contiguous, and
    :math:`D_m(j) = \min_{i<j} D_{m-1}(i) + \mathrm{cost}(i,j)` with :math:`\mathrm{cost}(i,j)`
    the weighted SSE of the sorted points :math:`i..j-1`. The arg-min is monotone in :math:`j`
    (the cost is concave Monge), so each layer is solved by divide and conquer in
    :math:`O(n\log n)` — :math:`O(kn\log n)` in all — compiled with numba when it is installed
    (depth-first), else breadth-first and vectorized with numpy, the two with the same
    floating-point operations and so bit for bit the same result; ties go to the smallest split
    point. The segment costs come from a disjoint sparse table of running sums of non-negative
    terms merged by the pairwise update of Chan, Golub & LeVeque, after rescaling weights and
    points by powers of two (the optimal partition does not change under a positive scaling of
    the weights or an affine map of the points): a cost is
    exact to a few units of round-off wherever its terms stay in the normal float range, where the
    textbook prefix sums :math:`S_2 - S_1^2/S_0` of :math:`h, hw, hw^2` cancel catastrophically
    (weights spanning many orders of magnitude, clusters far narrower than the data, values near
    the float range; a weight below :math:`2^{-1022}` times the largest counts as that much).
    Split points within rounding of the best stay in the range of the sub-problems, so that
    rounding cannot exclude the exact optimum; the centroids are the clusters' means to within
    about an ulp. Pruning that changes no result: a prefix ``j`` whose :math:`D_m(j)` exceeds the
    cost of a quick Lloyd partition of the sorted points (an upper bound on the optimum) is on no
    optimal path, nor is any longer one, so those rows are skipped (a fifth to a quarter of the
    time at :math:`n = 10^6`, k = 16–64); the last layer but one computes only the rows the last
    one reads. Both are derived here and tested against the unpruned programme and exact
    rational arithmetic; weights spanning more than about :math:`10^{90}` are not pruned.
    Memory :math:`O(n\log n)`.

    The tests check optimality against exact rational arithmetic for weights spanning up to
    :math:`10^{60}` within a problem (with repeated values) and values anywhere in the float
    range. Known limits beyond that: from a span of about :math:`10^{107}` the table's Welford
    increments :math:`E^2 h/(W W')` underflow and costs lose their accuracy (``w = [0, 1, 2,
    3]``, ``weights = [1, 1e-108, 1e-108, 1e-108]``, ``k = 2`` returns 4/3 of the optimum), and
    an optimum below about :math:`2^{-1022}\max h\,(\max w - \min w)^2` is not resolved by
    doubles.

    ``"lloyd"``: alternate nearest-centroid assignment and weighted means from a deterministic
    initialisation until the labels stop changing; empty clusters are re-seeded at the points of
    largest weighted error.

    Parameters
    ----------
    w : array_like, any shape
        The points (raveled to n values).
    k : int
        Number of clusters, ``1 <= k <=`` number of distinct values of ``w``; for
        ``"optimal"`` also ``k * n <= 10**9``.
    weights : array_like, shape of ``w`` (or n entries), > 0, optional
        Importances :math:`h_i` (default 1).
    method : {"lloyd", "optimal"}, default "lloyd"
    init : {"quantile", "linear", "random"}, default "quantile"
        Lloyd's initial centroids: quantiles :math:`(2j+1)/(2k)` of ``w``, midpoints of ``k``
        equal bins of its range, or ``k`` distinct values drawn with ``rng``.
    max_iter : int, default 300
        At most :math:`10^6`.
    rng : None, int or numpy.random.Generator
        Only for ``init="random"``.

    Returns
    -------
    KMeansResult

    Raises
    ------
    ValueError
        Non-finite ``w``, non-positive or mismatched ``weights``, ``k`` larger than the number of
        distinct values, unknown ``method`` or ``init``, a problem too large for the exact method,
        or an objective that overflows the float range.

    References
    ----------
    H. Wang, M. Song, "Ckmeans.1d.dp: optimal k-means clustering in one dimension by dynamic
    programming", The R Journal 3(2), 2011 (the DP and its weighted form); A. Grønlund, K. G.
    Larsen, A. Mathiasen, J. S. Nielsen, S. Schneider, M. Song, "Fast exact k-means, k-medians
    and Bregman divergence clustering in 1D", arXiv:1701.07204, 2017 (monotone arg-min, divide
    and conquer :math:`O(kn\log n)` and SMAWK :math:`O(kn)`); T. F. Chan, G. H. Golub, R. J.
    LeVeque, "Updating formulae and a pairwise algorithm for computing sample variances",
    Stanford CS report STAN-CS-79-773, 1979 (the merge of two summaries); S. Lloyd, IEEE Trans.
    Inf. Theory 28(2), 1982.

    Examples
    --------
    >>> r = kmeans_1d([0.0, 0.1, 0.2, 5.0, 5.2, 9.0], 3, method="optimal")
    >>> r.centroids.round(12).tolist(), r.labels.tolist()
    ([0.1, 5.1, 9.0], [0, 0, 0, 1, 1, 2])
    """
    check_in(method, "method", ("lloyd", "optimal"))
    check_in(init, "init", LLOYD_INITS)
    max_iter = as_size(max_iter, "max_iter", high=_MAX_ITER)
    if rng is not None:
        check_rng(rng)
    x, h, k = _points(w, weights, k, distinct=method != "optimal")
    hn = _unit(h)  # an exact rescaling: the same clustering, without overflow of sums of weights
    if method == "optimal":
        _check_exact_size(x.size, k)
        c, a = _optimal(x, hn, k, check_distinct=True)   # k <= #distinct values, on the sorted points
        it, conv = 0, True
    else:
        c, a, it, conv = _lloyd(x, hn, k, init, max_iter, rng)
    _finite(c, "a centroid", "`w`")
    obj = _finite(_sse(x, h, c, a), "the objective", "`w` or `weights`")
    return KMeansResult(c, a, obj, it, conv, method)


# ---------------------------------------------------------------------------------------------
# Hessian-weighted and diameter-regularized k-means
# ---------------------------------------------------------------------------------------------

def diameter_regularized_centroids(w: ArrayLike, h: ArrayLike, labels: ArrayLike, centroids: ArrayLike,
                                   diameter_reg: float = 0.0, entropy_reg: float = 0.0) -> np.ndarray:
    r"""Centroid step of DRHW for fixed assignments; exact only while the no-crossing clip does not bind.

    Inner clusters take the weighted mean :math:`m_j = \sum_{C_j} h w / \sum_{C_j} h`. With
    ``diameter_reg`` :math:`\lambda > 0` the objective
    :math:`\sum_i h_i (w_i-c_{a_i})^2 + \tfrac{\lambda}{2}(c_K - c_1)` is separable and its
    unconstrained minimizer moves only the extreme centroids inward,

    .. math::

        c_1 = m_1 + \frac{\lambda}{4\sum_{C_1} h}, \qquad
        c_K = m_K - \frac{\lambda}{4\sum_{C_K} h},

    then clipped at the inner neighbour so that no centroids cross (the same clip as the authors'
    released code, wgao9/weight-quant). For fixed assignments this is the exact minimizer of the
    objective only when the clip does not bind. For :math:`K=2` a crossing pair meets at the
    weighted mean of both clusters, which is the constrained minimizer. When the clip binds for
    :math:`K>2` (a large :math:`\lambda`), the step is **not** the minimizer under the ordering
    constraint :math:`c_1\le c_2,\ c_{K-1}\le c_K` (that minimizer would also move the
    neighbour, pooling the two clusters). With ``entropy_reg`` :math:`\lambda'>0` the penalty is
    :math:`\lambda'\hat H(a)(c_K - c_1)^2` and the extreme pair solves the 2×2 system

    .. math::

        \begin{pmatrix} A_1+\gamma & -\gamma \\ -\gamma & A_K+\gamma \end{pmatrix}
        \begin{pmatrix} c_1 \\ c_K \end{pmatrix} =
        \begin{pmatrix} A_1 m_1 \\ A_K m_K \end{pmatrix},
        \qquad A_j = \sum_{C_j} h,\ \gamma = \lambda'\hat H(a),

    again clipped at the inner neighbours (exact only when the clip does not bind). Empty clusters
    keep their previous centroid.

    Parameters
    ----------
    w : array_like, shape (n,)
    h : array_like, shape (n,), > 0
    labels : array_like of int, shape (n,), in ``[0, K)``; cluster 0 must hold the smallest
        centroid and cluster K-1 the largest (as returned by this module)
    centroids : array_like, shape (K,), ascending
        Previous centroids (kept for empty clusters).
    diameter_reg : float, default 0
        :math:`\lambda \ge 0` of the linear diameter penalty.
    entropy_reg : float, default 0
        :math:`\lambda' \ge 0` of the entropy-weighted squared-diameter penalty (at most one of
        the two may be positive).

    Returns
    -------
    ndarray, shape (K,)

    References
    ----------
    Y. Bu, W. Gao, S. Zou, V. V. Veeravalli, "Information-theoretic understanding of population
    risk improvement with model compression", AAAI 2020 (DRHW); the update
    :math:`c_1 \mathrel{+}= \lambda/(4\sum h)` and the no-crossing guard are read from the
    authors' code (wgao9/weight-quant, ``weighted_k_means_cpu``, ``diameter_reg``), which also
    holds the entropy-weighted variant (``diameter_entropy_reg``) — there as one Jacobi step
    :math:`c_1 \leftarrow (2\sum hw + 2\lambda'\hat H c_K)/(2\sum h + 2\lambda'\hat H)`; here
    the joint 2×2 minimizer. The journal version (Bu et al., *Entropy* 23(10):1255, 2021,
    Algorithm 1, eq. (37)) uses the squared penalty :math:`\beta\lVert c_{k_1}-c_{k_2}\rVert^2`
    on the farthest pair, the vector form of the same update.

    Examples
    --------
    Unit weights, clusters {0, 1}, {4, 5}, {9, 10} (means 0.5, 4.5, 9.5) and :math:`\lambda = 2`:
    each extreme centroid moves inward by :math:`\lambda/(4 \cdot 2) = 0.25`, the inner one stays.

    >>> from theory.quantization import diameter_regularized_centroids
    >>> diameter_regularized_centroids([0.0, 1.0, 4.0, 5.0, 9.0, 10.0], [1.0] * 6, [0, 0, 1, 1, 2, 2],
    ...                                [0.5, 4.5, 9.5], diameter_reg=2.0).tolist()
    [0.75, 4.5, 9.25]
    """
    x0 = as_array(w, "w")
    x = x0.ravel()
    hh = _matching(as_array(h, "h", positive=True), x0, "h", "w")
    c = as_array(centroids, "centroids", ndim=1).copy()
    K = c.size
    if np.any(np.diff(c) < 0):
        raise ValueError("`centroids` must be ascending")
    a = _labels(labels, x0)
    if a.min() < 0 or a.max() >= K:
        raise ValueError(f"`labels` must hold integers in [0, {K}) (one label per centroid)")
    lam = check_nonnegative(diameter_reg, "diameter_reg")
    lam_e = check_nonnegative(entropy_reg, "entropy_reg")
    if lam > 0 and lam_e > 0:
        raise ValueError("at most one of `diameter_reg` and `entropy_reg` may be positive")
    # an exact rescaling of h and of the regularizers by a power of two: the same minimizer
    e = _exponent(float(hh.max()))
    hu = np.ldexp(hh, -e)
    cm, hs, hx = _weighted_means(x, hu, a, K, c)
    out = _drhw_step(cm, hs, hx, math.ldexp(lam, -e), math.ldexp(lam_e, -e), label_entropy(a) if lam_e > 0 else 0.0)
    return _finite(out, "a centroid", "`w`, `h` or the regularizer")


def _drhw_step(c, hs, hx, lam, lam_e, ent):
    c = c.copy()
    K = c.size
    if K < 2:
        return c
    if lam > 0:
        if hs[0] > 0:
            c[0] = c[0] + lam / (4.0 * hs[0])
        if hs[-1] > 0:
            c[-1] = c[-1] - lam / (4.0 * hs[-1])
        if K == 2:
            if c[0] > c[1]:
                tot = hs[0] + hs[1]
                c[:] = (hx[0] + hx[1]) / tot if tot > 0 else 0.5 * (c[0] + c[1])
            return c
    elif lam_e > 0 and hs[0] > 0 and hs[-1] > 0:
        g = lam_e * ent
        if g > 0:
            # c_1 = m_1 + A_K (m_K - m_1) / (A_1 A_K / g + A_1 + A_K), and symmetrically: the 2x2
            # solve with det = A_1 A_K + g (A_1 + A_K), free of cancellation and of overflow in g
            A1, AK = hs[0], hs[-1]
            m1, mK = c[0], c[-1]
            den = A1 * (AK / g) + A1 + AK
            step = (mK - m1) / den
            c[0] = m1 + AK * step
            c[-1] = mK - A1 * step
        if K == 2:
            return c
    else:
        return c
    c[0] = min(c[0], c[1])
    c[-1] = max(c[-1], c[-2])
    return c


def _drhw_objective(x, h, c, a, lam, lam_e):
    dist = _sse(x, h, c, a)
    diam = float(c[-1] - c[0])
    ent = label_entropy(a)
    if lam > 0:
        pen = 0.5 * lam * diam
    elif lam_e > 0:
        pen = lam_e * ent * diam * diam
    else:
        pen = 0.0
    return dist, pen, diam, ent


def hessian_weighted_kmeans(w: ArrayLike, h: ArrayLike, k: int, diameter_reg: float = 0.0,
                            entropy_reg: float = 0.0, *, method: Literal["lloyd", "optimal"] = "lloyd",
                            init: Literal["quantile", "linear", "random"] = "quantile",
                            max_iter: int = 100) -> HWKMeansResult:
    r"""Hessian-weighted k-means (Choi et al.) and its diameter-regularized variants (DRHW, Bu et al.).

    .. math::

        \min_{c,a}\ \sum_{i=1}^n h_i (w_i - c_{a_i})^2 + R(c, a), \qquad
        R = \begin{cases} 0 & \text{HW k-means} \\
        \tfrac{\lambda}{2}(c_K - c_1) & \text{DRHW, } \lambda = \texttt{diameter\_reg} \\
        \lambda' \hat H(a)\,(c_K - c_1)^2 & \text{DRHW-entropy, } \lambda' =
        \texttt{entropy\_reg}. \end{cases}

    Block-coordinate descent from the quantile initialisation
    :math:`c_j = \mathrm{quantile}(w, (2j+1)/(2K))`: the assignment step is the nearest centroid
    (in 1-D the HW assignment does not depend on :math:`h_i`); for the entropy variant each point
    pays the linearised code-length cost
    :math:`h_i (w_i - c_j)^2 + \lambda'(c_K-c_1)^2\,\theta_j / n` with
    :math:`\theta_j = -\log\frac{n_j + 1}{n + K}` (the add-one smoothed code length of the
    released code). The centroid step is :func:`diameter_regularized_centroids`: for fixed
    assignments it is the exact minimizer of the penalized objective only when its no-crossing
    clip does not bind; when the clip binds (possible for :math:`K > 2` and a large
    :math:`\lambda`) it is not the constrained minimizer (the same clip as the authors' released
    code, wgao9/weight-quant). The best iterate (lowest penalized objective) is returned. With both
    regularizers 0 this is HW k-means; ``method="optimal"`` then returns its exact global optimum
    (:func:`kmeans_1d` with ``weights=h``).

    Parameters
    ----------
    w : array_like, any shape (raveled to n weights)
    h : array_like, shape of ``w`` (or n entries), > 0
        Importances, e.g. a (floored) Hessian diagonal.
    k : int
        Number of levels, ``<=`` the number of distinct values of ``w``.
    diameter_reg : float, default 0
        :math:`\lambda \ge 0`.
    entropy_reg : float, default 0
        :math:`\lambda' \ge 0` (at most one regularizer positive).
    method : {"lloyd", "optimal"}, default "lloyd"
        ``"optimal"`` only without regularization.
    init : {"quantile", "linear", "random"}, default "quantile"
    max_iter : int, default 100
        At most :math:`10^6`.

    Returns
    -------
    HWKMeansResult

    Raises
    ------
    ValueError
        Bad ``w``/``h``/``k`` (see :func:`kmeans_1d`), negative or two positive regularizers,
        ``method="optimal"`` with a regularizer, or an objective beyond the float range.

    References
    ----------
    Y. Choi, M. El-Khamy, J. Lee, "Towards the limit of network quantization", ICLR 2017, §3
    (Hessian-weighted k-means); Y. Bu, W. Gao, S. Zou, V. V. Veeravalli, AAAI 2020, and the
    journal version, *Entropy* 23(10):1255, 2021, §6.2 and Algorithm 1 (diameter
    regularization). Quantile initialisation, the :math:`\lambda/(4\sum h)` shift and the
    smoothed code lengths :math:`\theta_j` were read from the authors' code
    (wgao9/weight-quant, ``weighted_k_means_cpu``). Difference from the released code: it adds
    :math:`\lambda'(c_K-c_1)^2\theta_j` to the assignment cost without the :math:`1/n` that the
    linearisation of the objective above implies, and updates the extreme pair by one Jacobi
    step; here the assignment is the consistent linearisation and the extreme pair is solved
    jointly.

    Examples
    --------
    Points 0, 1, 10, 12 with importances 3, 1, 1, 1 and two levels: the optimal clusters are
    {0, 1} (weighted mean 1/4, cost :math:`3/16 + 9/16 = 3/4`) and {10, 12} (mean 11, cost 2),
    in all 2.75.

    >>> from theory.quantization import hessian_weighted_kmeans
    >>> r = hessian_weighted_kmeans([0.0, 1.0, 10.0, 12.0], [3.0, 1.0, 1.0, 1.0], 2, method="optimal")
    >>> r.centroids.tolist(), r.labels.tolist(), r.objective
    ([0.25, 11.0], [0, 0, 1, 1], 2.75)
    """
    check_in(method, "method", ("lloyd", "optimal"))
    check_in(init, "init", LLOYD_INITS)
    max_iter = as_size(max_iter, "max_iter", high=_MAX_ITER)
    lam = check_nonnegative(diameter_reg, "diameter_reg")
    lam_e = check_nonnegative(entropy_reg, "entropy_reg")
    if lam > 0 and lam_e > 0:
        raise ValueError("at most one of `diameter_reg` and `entropy_reg` may be positive")
    if method == "optimal" and (lam > 0 or lam_e > 0):
        raise ValueError("`method`='optimal' solves plain HW k-means: set diameter_reg = entropy_reg = 0")
    x, hh, k = _points(w, h, k, hname="h")
    # Scale h and both regularizers by one power of two: the iterates are the same numbers (the
    # objective is homogeneous in them) and no sum of importances overflows.
    e = _exponent(float(hh.max()))
    hu, lam_u, lam_eu = np.ldexp(hh, -e), math.ldexp(lam, -e), math.ldexp(lam_e, -e)
    if method == "optimal":
        _check_exact_size(x.size, k)
        c, a = _optimal(x, hu, k)
        it, conv, name = 0, True, "optimal"
    elif lam == 0 and lam_e == 0:
        c, a, it, conv = _lloyd(x, hu, k, init, max_iter, None)
        name = "hw"
    else:
        c, a, it, conv = _drhw(x, hu, k, lam_u, lam_eu, init, max_iter)
        name = "drhw" if lam > 0 else "drhw_entropy"
    _finite(c, "a centroid", "`w`")
    dist, pen, diam, ent = _drhw_objective(x, hu, c, a, lam_u, lam_eu)
    dist, pen = math.ldexp(dist, e), math.ldexp(pen, e)
    _finite(np.array([dist, pen, dist + pen, diam]), "the objective", "`w`, `h` or the regularizer")
    return HWKMeansResult(c, a, dist, pen, dist + pen, diam, ent, it, conv, lam, lam_e, name)


def _drhw(x, hh, k, lam, lam_e, init, max_iter):
    """DRHW block-coordinate descent; returns the best iterate (centroids, labels, it, converged)."""
    n = x.size
    c = np.sort(_init_centroids(x, k, init, None).astype(float))
    a = _nearest(x, c)
    best = None
    converged = False
    it = 0
    for it in range(1, max_iter + 1):
        cm, hs, hx = _weighted_means(x, hh, a, k, c)
        c_new = _drhw_step(cm, hs, hx, lam, lam_e, label_entropy(a) if lam_e > 0 else 0.0)
        c_new, _ = _reseed_empty(x, hh, a, c_new, hs)
        c_new = np.sort(c_new)
        if lam_e > 0 and k > 1:
            counts = np.bincount(a, minlength=k).astype(float)
            theta = math.log(n + k) - np.log(counts + 1.0)
            diam2 = (c_new[-1] - c_new[0]) ** 2
            extra = (lam_e * diam2 / n) * theta
            a_new = np.empty(n, dtype=np.int64)
            for s in range(0, n, 1 << 15):
                sl = slice(s, s + (1 << 15))
                cost = hh[sl, None] * (x[sl, None] - c_new[None, :]) ** 2 + extra[None, :]
                a_new[sl] = np.argmin(cost, axis=1)
        else:
            a_new = _nearest(x, c_new)
        dist, pen, diam, ent = _drhw_objective(x, hh, c_new, a_new, lam, lam_e)
        obj = dist + pen
        if best is None or obj < best[0]:
            best = (obj, c_new.copy(), a_new.copy(), dist, pen, diam, ent)
        if np.array_equal(a_new, a) and np.array_equal(c_new, c):
            converged = True
            break
        c, a = c_new, a_new
    return best[1], best[2], it, converged


# ---------------------------------------------------------------------------------------------
# Compression ratio and network quantization
# ---------------------------------------------------------------------------------------------

def compression_ratio(labels: Sequence[ArrayLike], num_levels: int | Sequence[int], *, unquantized: int = 0,
                      float_bits: int = 32, entropy_coded: bool = True) -> CompressionRatio:
    r"""Size of a layer-wise quantized model with entropy-coded labels and a float codebook.

    .. math::

        \text{compressed} = \sum_l \big(m_l\,\hat H_2(a_l) + K_l\,b\big) + u\,b, \qquad
        \text{original} = b\Big(\sum_l m_l + u\Big),

    with :math:`\hat H_2` the plug-in label entropy in bits (or :math:`\lceil\log_2 K_l\rceil`
    bits per weight with ``entropy_coded=False``), :math:`b` = ``float_bits`` and :math:`u`
    unquantized parameters (e.g. biases) stored as floats.

    Parameters
    ----------
    labels : sequence of array_like of int
        One label array per quantized layer (:math:`m_l` entries each).
    num_levels : int or sequence of int
        Codebook size :math:`K_l` per layer (``1 <= K_l <= 2**53``).
    unquantized : int, default 0
        Parameters kept in floating point (``<= 10**15``).
    float_bits : int, default 32
        Bits per float, ``1..1024``.
    entropy_coded : bool, default True

    Returns
    -------
    CompressionRatio

    Examples
    --------
    >>> r = compression_ratio([[0, 0, 1, 1]], 2)     # 4 x 1 bit + 2 x 32 bits vs 4 x 32 bits
    >>> r.compressed_bits, r.original_bits
    (68.0, 128.0)

    References
    ----------
    S. Han, H. Mao, W. J. Dally, "Deep compression", ICLR 2016, §3 (codebook + index bits, then
    Huffman coding); Y. Choi, M. El-Khamy, J. Lee, ICLR 2017, §5 (entropy-coded ratio).
    """
    if isinstance(labels, (str, bytes)) or not isinstance(labels, Sequence) or len(labels) == 0:
        raise ValueError("`labels` must be a non-empty sequence (list or tuple) of per-layer label arrays")
    L = len(labels)
    if isinstance(num_levels, Sequence) and not isinstance(num_levels, (str, bytes)):
        if len(num_levels) != L:
            raise ValueError(f"`num_levels` must have one entry per layer ({L}); got {len(num_levels)}")
        ks = [as_int(v, "num_levels", low=1, high=_MAX_LEVELS) for v in num_levels]
    else:
        ks = [as_int(num_levels, "num_levels", low=1, high=_MAX_LEVELS)] * L
    u = as_int(unquantized, "unquantized", low=0, high=_MAX_COUNT)
    b = as_int(float_bits, "float_bits", low=1, high=_MAX_FLOAT_BITS)
    entropy_coded = check_bool(entropy_coded, "entropy_coded")
    comp = float(u * b)
    m_total = u
    for lab, kk in zip(labels, ks):
        try:
            a = np.asarray(lab).ravel()
        except (TypeError, ValueError):
            raise ValueError("`labels` must hold one integer array per layer") from None
        if a.size == 0 or a.dtype == bool or not np.issubdtype(a.dtype, np.integer) or a.min() < 0 or a.max() >= kk:
            raise ValueError("`labels` must hold non-empty integer arrays with values in [0, num_levels)")
        per = label_entropy(a, base=2) if entropy_coded else float(math.ceil(math.log2(kk))) if kk > 1 else 0.0
        comp += a.size * per + kk * b
        m_total += a.size
    orig = float(b * m_total)
    _finite(np.array([orig, comp]), "the model size", "`unquantized`, `num_levels` or `float_bits`")
    return CompressionRatio(orig, comp, orig / comp, comp / orig, comp / m_total)


def quantization_rate(num_weights: int | Sequence[int], num_levels: int | Sequence[int], *,
                      num_float_params: int = 0, float_bits: int = 32) -> float:
    r"""Bound on :math:`H(\hat W)` for a layer-wise quantizer with float codebooks, in nats.

    .. math::

        I(S;\hat W) \le H(\hat W) \le \sum_l m_l \log K_l + F\, b \log 2,

    since :math:`\hat W` is a function of the labels (at most :math:`\prod_l K_l^{m_l}` values)
    and of :math:`F` floating-point numbers of :math:`b` bits (the codebooks and any unquantized
    parameter). The label part is :func:`theory.bounds.quantizer_rate_bound`; a data-dependent
    codebook is *not* covered by :math:`m\log K` alone, hence the second term.

    Parameters
    ----------
    num_weights : int or sequence of int
        :math:`m_l` per layer (``1 <= m_l <= 10**15``); an empty sequence means no quantized layer.
    num_levels : int or sequence of int
        :math:`K_l` per layer (``1 <= K_l <= 2**53``), same length.
    num_float_params : int, default 0
        :math:`F`: codebook entries plus unquantized parameters (``<= 10**15``).
    float_bits : int, default 32
        ``1..1024``.

    Returns
    -------
    float
        Nats.

    References
    ----------
    T. M. Cover and J. A. Thomas, *Elements of Information Theory*, 2nd ed., Thm 2.6.4
    (:math:`H(X)\le\log|\mathcal X|`) and Thm 2.8.1 (data processing); Y. Bu, W. Gao, S. Zou,
    V. V. Veeravalli, AAAI 2020 (:math:`I(S;\hat W)\le H(\hat W)` for a deterministic quantizer).

    Examples
    --------
    Two layers of 1000 and 100 weights at 8 and 4 levels, plus 12 float32 numbers:
    :math:`(1000\cdot 3 + 100\cdot 2 + 12\cdot 32)\log 2 = 3584 \log 2 = 2484.239495127` nats.

    >>> from theory.quantization import quantization_rate
    >>> round(quantization_rate([1000, 100], [8, 4], num_float_params=12), 9)
    2484.239495127
    """
    from .bounds import quantizer_rate_bound

    def counts(v, name):
        if isinstance(v, (str, bytes)) or isinstance(v, Mapping):
            raise ValueError(f"`{name}` must be an int or a sequence of ints; got {type(v).__name__}")
        if isinstance(v, np.ndarray) and v.ndim > 1:
            raise ValueError(f"`{name}` must be an int or a 1-D sequence of ints; got shape {v.shape}")
        seq = list(v) if isinstance(v, (Sequence, np.ndarray)) else [v]
        return [as_int(t, name, low=1, high=_MAX_COUNT if name == "num_weights" else _MAX_LEVELS) for t in seq]

    ms = counts(num_weights, "num_weights")
    ks = counts(num_levels, "num_levels")
    if len(ms) != len(ks):
        raise ValueError(f"`num_levels` must have one entry per entry of `num_weights` ({len(ms)}); got {len(ks)}")
    f = as_int(num_float_params, "num_float_params", low=0, high=_MAX_COUNT)
    b = as_int(float_bits, "float_bits", low=1, high=_MAX_FLOAT_BITS)
    rate = float(sum(quantizer_rate_bound(m, k) for m, k in zip(ms, ks)) + f * b * math.log(2.0))
    return _finite(rate, "the rate", "`num_weights`")


def floored_hessian_diagonal(hessian_diag: ArrayLike, floor: float = 1e-6) -> np.ndarray:
    r"""Hessian-diagonal importances floored relative to their mean magnitude.

    .. math::

        h_i = \max\big(H_{ii},\ \epsilon\, \overline{|H|}\big), \qquad
        \overline{|H|} = \frac1m \sum_{i=1}^m |H_{ii}| \quad (1 \text{ if it is } 0).

    Away from a strict minimum the diagonal may be zero or negative; Hessian-weighted k-means
    needs positive weights, so :func:`quantize_network` uses these :math:`h_i` (per layer).

    Parameters
    ----------
    hessian_diag : array_like, any shape
        Finite diagonal curvatures :math:`H_{ii}` of one layer.
    floor : float, default 1e-6
        Relative floor :math:`\epsilon > 0` (:math:`\epsilon\,\overline{|H|}` must be finite).

    Returns
    -------
    ndarray
        Same shape, every entry :math:`\ge \epsilon\,\overline{|H|} > 0`.

    References
    ----------
    Y. Choi, M. El-Khamy, J. Lee, "Towards the limit of network quantization", ICLR 2017, §4
    (the Hessian diagonal as importance); the floor is a numerical guard of this package.

    Examples
    --------
    >>> floored_hessian_diagonal([2.0, -1.0, 0.0], floor=0.1).tolist()
    [2.0, 0.1, 0.1]
    """
    return _floor_hessian(as_array(hessian_diag, "hessian_diag"), floor, "hessian_diag", "floor")


def _floor_hessian(hd, floor, hname, fname):
    floor = as_float(floor, fname, low=0.0, low_open=True)
    with np.errstate(over="ignore"):
        scale = float(np.mean(np.abs(hd)))
        if not math.isfinite(scale):  # the sum overflowed: the same mean, computed scaled
            top = float(np.max(np.abs(hd)))
            scale = float(np.mean(np.abs(hd) / top)) * top
        level = floor * (scale if scale > 0 else 1.0)
    if not math.isfinite(level):
        raise ValueError(f"`{fname}` times the mean |{hname}| must be finite; got {floor!r} x {scale!r}")
    return np.maximum(hd, level)


class QuantizationWarning(UserWarning):
    r"""A layer's quantization lost most of its information (accuracy may collapse).

    Issued by :func:`quantize_network` when a layer uses fewer distinct levels than the
    :math:`K_l` it was given (centroids collapsed), or when its curvature-weighted relative
    distortion :math:`\sum_i h_i (w_i - \hat w_i)^2 / \sum_i h_i w_i^2` exceeds
    :data:`DISTORTION_WARNING` (0.5).
    """


#: Curvature-weighted relative distortion above which :func:`quantize_network` warns: at 0.5 the
#: quantization error carries half of the layer's (curvature-weighted) energy. A threshold chosen
#: here, not taken from a paper; plain 2-level k-means of Gaussian weights gives
#: :math:`1 - 2/\pi \approx 0.36`.
DISTORTION_WARNING = 0.5


def _drhw_lambda(w, h, K, rho):
    """``4 rho std(w) sum(h) / K`` (the expression of :func:`drhw_strength`, in this order)."""
    return rho * 4.0 * float(np.std(w)) * float(np.sum(h)) / K


def drhw_strength(weights: ArrayLike, importances: ArrayLike, bits: int, rho: float) -> float:
    r"""The absolute DRHW coefficient :math:`\lambda` of one layer for a relative strength :math:`\rho`.

    .. math::

        \lambda_l = \frac{4\rho\,\mathrm{std}(W_l)\sum_{i\in l} h_i}{K_l}, \qquad
        K_l = \min(2^b, \#\text{distinct entries of } W_l).

    Diameter-regularized HW k-means moves each extreme centroid inwards by
    :math:`\lambda/(4\sum_{i\in C} h_i)` (Bu, Gao, Zou, Veeravalli, AAAI 2020; the shift of the
    authors' code, see :func:`hessian_weighted_kmeans`); with this :math:`\lambda` the shift is
    :math:`\rho\,\mathrm{std}(W_l)` when the extreme cluster :math:`C` holds an average share
    :math:`1/K_l` of the layer's curvature :math:`\sum_i h_i`. So :math:`\rho` is the shift in
    units of the layer's weight spread: :math:`\rho \ll 1` is a mild regularization, and
    :math:`\rho \gtrsim 1` pulls the extreme levels across the bulk of the weights. The
    calibration is chosen here, not taken from the paper.

    Parameters
    ----------
    weights : array_like, any shape
        The weights :math:`W_l` of one layer (finite).
    importances : array_like, shape of ``weights``
        Their importances :math:`h_i \ge 0` (e.g. :func:`floored_hessian_diagonal`).
    bits : int
        ``1..64``.
    rho : float
        :math:`\rho \ge 0`.

    Returns
    -------
    float
        :math:`\lambda_l`, the ``diameter_reg`` of :func:`hessian_weighted_kmeans`.

    Raises
    ------
    ValueError
        Non-finite or empty ``weights``, ``importances`` of another shape or negative,
        ``bits`` outside ``1..64``, negative or non-finite ``rho``.

    References
    ----------
    Y. Bu, W. Gao, S. Zou, V. V. Veeravalli, "Information-theoretic understanding of population
    risk improvement with model compression", AAAI 2020 (diameter regularization).

    Examples
    --------
    Weights ``(-1, 1)`` (std 1), unit importances (sum 2), 1 bit (:math:`K = 2`):
    :math:`\lambda = 4 \cdot 0.5 \cdot 1 \cdot 2 / 2 = 2`.

    >>> drhw_strength([-1.0, 1.0], [1.0, 1.0], 1, 0.5)
    2.0
    """
    w = as_array(weights, "weights")
    h = as_array(importances, "importances", nonnegative=True, shape=w.shape)
    bits = as_int(bits, "bits", low=1, high=64)
    rho = check_nonnegative(rho, "rho")
    return _drhw_lambda(w, h, min(2 ** bits, np.unique(w).size), rho)


def _quantizable(model):
    import torch.nn as nn

    out = []
    for mname, mod in model.named_modules():
        if isinstance(mod, (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)):
            out.append((f"{mname}.weight" if mname else "weight", mod))
    return out


def _hessian_entry(hessian_diag, name, shape, floor):
    """The floored Hessian diagonal of weight ``name`` (also found under ``name + "_orig"``, the
    name torch.nn.utils.prune gives the trained tensor)."""
    import torch

    key = name if name in hessian_diag else name + "_orig" if name + "_orig" in hessian_diag else None
    if key is None:
        raise ValueError(f"`hessian_diag` has no entry for {name!r}")
    hd = hessian_diag[key]
    label = f"hessian_diag[{key!r}]"
    if isinstance(hd, torch.Tensor):
        if hd.is_complex():
            raise ValueError(f"`{label}` must be real")
        hd = hd.detach().double().cpu().numpy()
    hd = as_array(hd, label)
    if hd.shape != shape:
        raise ValueError(f"`{label}` must have shape {shape} (that of the weight); got {hd.shape}")
    return _floor_hessian(hd, floor, label, "hessian_floor").ravel()


def _warn_layer(name, K, used, rel):
    import warnings

    if used < K:
        warnings.warn(f"quantize_network: layer {name!r} uses {used} distinct levels of the {K} it was given "
                      "(centroids collapsed); accuracy may collapse — lower `rho`/`diameter_reg` or the bits",
                      QuantizationWarning, stacklevel=3)
    if rel > DISTORTION_WARNING:
        warnings.warn(f"quantize_network: layer {name!r} has curvature-weighted relative distortion "
                      f"sum h (w - q)^2 / sum h w^2 = {rel:.3g} > {DISTORTION_WARNING}; accuracy may collapse",
                      QuantizationWarning, stacklevel=3)


def quantize_network(model: torch.nn.Module,
                     hessian_diag: Mapping[str, torch.Tensor | ArrayLike] | None = None,
                     bits: int | Sequence[int] = 4,
                     method: Literal["kmeans", "optimal", "hw", "optimal_hw", "drhw"] = "hw", *,
                     diameter_reg: float | Sequence[float] = 0.0, entropy_reg: float | Sequence[float] = 0.0,
                     rho: float | Sequence[float] | None = None, hessian_floor: float = 1e-6,
                     max_iter: int = 100, device: str | torch.device | None = None) -> QuantizedNetwork:
    r"""Quantize every ``Linear``/``Conv`` weight of a network, layer by layer, with ``2**bits`` levels.

    .. math::

        \hat W_l = c^{(l)}_{a^{(l)}}, \qquad (c^{(l)}, a^{(l)}) = \arg\min\ \sum_{i\in l}
        h_i (W_i - c_{a_i})^2 + R_l(c, a),

    with :math:`h_i = 1` (``"kmeans"``, ``"optimal"``) or the floored Hessian diagonal
    :math:`h_i = \max(H_{ii}, \epsilon\,\overline{|H_{ll}|})` (``"hw"``, ``"optimal_hw"``,
    ``"drhw"``), and :math:`R_l` the DRHW penalty (``"drhw"``). Quantization is per weight
    tensor: any ``torch.nn.Module`` is accepted, every ``nn.Linear``/``nn.Conv1d/2d/3d`` weight
    in it (found by ``named_modules``) is quantized, biases and all other parameters are kept in
    floating point (as in the authors' code by default). The input model is not modified.

    A model pruned with ``torch.nn.utils.prune`` is quantized on a copy with its masks baked in
    (plain parameters, no pruning hook that could undo the quantization on the next forward
    pass). Only the kept entries of a masked weight are quantized, with :math:`2^b - 1` levels:
    the pruned entries stay exactly 0 and take the remaining label, so that a label still has
    :math:`2^b` values and the compression ratio pays for the sparsity pattern.

    Warnings (:class:`QuantizationWarning`): when a layer uses fewer distinct levels than the
    :math:`K_l` it was given (centroids collapsed), or when its curvature-weighted relative
    distortion :math:`\sum_i h_i (W_i - \hat W_i)^2/\sum_i h_i W_i^2` (:math:`h_i = 1` for the
    unweighted methods) exceeds :data:`DISTORTION_WARNING` = 0.5: accuracy may then collapse.

    Parameters
    ----------
    model : torch.nn.Module
        With finite parameters.
    hessian_diag : mapping of parameter name -> tensor/array, optional
        Diagonal curvature per weight (same shape as the weight), e.g. from
        :func:`theory.curvature.hessian_diagonal`; required by the HW methods. For a pruned
        layer the key may also be ``"<layer>.weight_orig"``.
    bits : int or sequence of int, default 4
        Bits per layer (``K = 2**bits`` levels, capped at the number of distinct weights).
    method : {"kmeans", "optimal", "hw", "optimal_hw", "drhw"}, default "hw"
        Lloyd / exact DP, unweighted or Hessian-weighted; ``"drhw"`` is
        :func:`hessian_weighted_kmeans` with ``diameter_reg`` (or ``rho``) or ``entropy_reg``.
    diameter_reg, entropy_reg : float or sequence of float, default 0
        DRHW coefficients, one for all layers or one per layer; ``diameter_reg`` is the
        absolute :math:`\lambda` of :func:`hessian_weighted_kmeans`.
    rho : float or sequence of float, optional
        DRHW relative strength (``method="drhw"`` only, not together with ``diameter_reg``):
        layer :math:`l` gets :math:`\lambda_l` = :func:`drhw_strength` of its weights, floored
        Hessian diagonal, bits and :math:`\rho`, so that the extreme-centroid shift is
        :math:`\rho\,\mathrm{std}(W_l)` when the extreme cluster holds :math:`1/K_l` of the
        layer's curvature.
    hessian_floor : float, default 1e-6
        Relative floor :math:`\epsilon` applied to the Hessian diagonal (which may be zero or
        negative away from a strict minimum).
    max_iter : int, default 100
        At most :math:`10^6`.
    device : str, torch.device or None
        Device of the returned copy (``None``: that of ``model``).

    Returns
    -------
    QuantizedNetwork

    Raises
    ------
    ValueError
        A model with a non-finite parameter or without a ``Linear``/``Conv`` layer, a missing,
        mis-shaped or non-finite ``hessian_diag`` entry, ``bits`` outside ``1..16`` or of the
        wrong length, both ``rho`` and ``diameter_reg``, a problem too large for the exact
        methods, or a distortion that overflows.

    References
    ----------
    Y. Choi, M. El-Khamy, J. Lee, ICLR 2017 (layer-wise HW quantization); Y. Bu, W. Gao, S. Zou,
    V. V. Veeravalli, AAAI 2020 (DRHW; per-layer ``2**bits`` clusters, quantile init, biases
    not quantized, as in wgao9/weight-quant ``quantize_model``).

    Examples
    --------
    Two Linear layers inside a custom module, 1 bit: every weight matrix takes at most 2 values.

    >>> import torch
    >>> from torch import nn
    >>> class Net(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.fc1, self.fc2 = nn.Linear(3, 4), nn.Linear(4, 2)
    ...     def forward(self, x):
    ...         return self.fc2(torch.relu(self.fc1(x)))
    >>> _ = torch.manual_seed(0)
    >>> q = quantize_network(Net(), bits=1, method="optimal")
    >>> [len(torch.unique(m.weight)) for m in (q.model.fc1, q.model.fc2)]
    [2, 2]
    """
    import torch

    from ._torch import _baked_copy, check_model, resolve_device

    check_model(model, "model", finite=True)
    check_in(method, "method", METHODS)
    floor = as_float(hessian_floor, "hessian_floor", low=0.0, low_open=True)
    max_iter = as_size(max_iter, "max_iter", high=_MAX_ITER)
    dev = resolve_device(device) if device is not None else None
    qmodel, masks = _baked_copy(model)
    layers = _quantizable(qmodel)
    if not layers:
        raise ValueError("`model` has no Linear or Conv layer to quantize")
    L = len(layers)

    def per_layer(v, name, conv):
        if isinstance(v, Sequence) and not isinstance(v, (str, bytes)):
            if len(v) != L:
                raise ValueError(f"`{name}` must be a scalar or have one entry per layer ({L}); got {len(v)}")
            return [conv(x, name) for x in v]
        return [conv(v, name)] * L

    bits_l = per_layer(bits, "bits", lambda x, n: as_int(x, n, low=1, high=16))
    dreg = per_layer(diameter_reg, "diameter_reg", check_nonnegative)
    ereg = per_layer(entropy_reg, "entropy_reg", check_nonnegative)
    rhos = None if rho is None else per_layer(rho, "rho", check_nonnegative)
    weighted = method in ("hw", "optimal_hw", "drhw")
    if weighted and not isinstance(hessian_diag, Mapping):
        raise ValueError(f"`hessian_diag` must be a mapping name -> diagonal for method {method!r}")
    if method != "drhw" and (any(dreg) or any(ereg) or rhos is not None):
        raise ValueError("`diameter_reg`/`entropy_reg`/`rho` are only used by method 'drhw'")
    if rhos is not None and any(dreg):
        raise ValueError("give at most one of `rho` (relative) and `diameter_reg` (absolute)")
    if method == "drhw" and any(lr > 0 and le > 0 for lr, le in zip(dreg, ereg)):
        raise ValueError("at most one of `diameter_reg` and `entropy_reg` may be positive in a layer")
    if rhos is not None and any(r > 0 and le > 0 for r, le in zip(rhos, ereg)):
        raise ValueError("at most one of `rho` and `entropy_reg` may be positive in a layer")
    # every input is checked before any clustering starts
    plan = []
    for l, ((name, mod), b) in enumerate(zip(layers, bits_l)):
        w = mod.weight.detach().double().cpu().numpy()
        keep = masks[name].cpu().numpy() if name in masks else None
        if keep is not None and keep.all():
            keep = None                      # a mask that prunes nothing: an ordinary layer
        wk = w.ravel() if keep is None else w.ravel()[keep.ravel()]
        Kb = 2 ** b - (0 if keep is None else 1)   # a masked layer reserves one label for its zeros
        K = min(Kb, np.unique(wk).size)
        if method in ("optimal", "optimal_hw") and K > 0:
            _check_exact_size(wk.size, K, kname="bits", wname="model")
        h = None
        if weighted:
            h = _hessian_entry(hessian_diag, name, w.shape, floor)
            if keep is not None:
                h = h[keep.ravel()]
        if rhos is not None and K > 0:
            dreg[l] = _drhw_lambda(wk, h, K, rhos[l])
        plan.append((name, w, wk, keep, K, h))
    if dev is not None:
        qmodel.to(dev)
    qlayers = dict(_quantizable(qmodel))
    results = []
    for (name, w, wk, keep, K, h), lam, lam_e in zip(plan, dreg, ereg):
        if K == 0:                           # every entry pruned: the layer stays 0, one label
            c, a, dist, obj = np.zeros(0), np.zeros(0, dtype=np.int64), 0.0, 0.0
        else:
            try:
                if method in ("kmeans", "optimal"):
                    r = kmeans_1d(wk, K, method="lloyd" if method == "kmeans" else "optimal", max_iter=max_iter)
                    c, a, dist, obj = r.centroids, r.labels, r.objective, r.objective
                else:
                    r = hessian_weighted_kmeans(wk, h, K, diameter_reg=lam if method == "drhw" else 0.0,
                                                entropy_reg=lam_e if method == "drhw" else 0.0,
                                                method="optimal" if method == "optimal_hw" else "lloyd",
                                                max_iter=max_iter)
                    c, a, dist, obj = r.centroids, r.labels, r.distortion, r.objective
            except ValueError as err:  # e.g. a distortion beyond the float range
                raise ValueError(f"`model` layer {name!r} cannot be quantized: {err}") from err
            hh = np.ones_like(wk) if h is None else h
            energy = _sse(wk, hh, np.zeros(1), np.zeros(wk.size, dtype=np.int64))
            used = np.unique(c[a]).size
            _warn_layer(name, K, used, dist / energy if energy > 0 else 0.0)
        if keep is None:
            q = c[a]
            codebook, labels, n_levels, pruned = c, a, K, 0
        else:                                # label 0: a pruned entry (value 0); labels 1..K: centroids
            q = np.zeros(w.size)
            q[keep.ravel()] = c[a]
            labels = np.zeros(w.size, dtype=np.int64)
            labels[keep.ravel()] = a + 1
            codebook, n_levels, pruned = np.concatenate([[0.0], c]), K + 1, int(w.size - wk.size)
        target = qlayers[name].weight
        with torch.no_grad():
            target.copy_(torch.as_tensor(q.reshape(w.shape), dtype=target.dtype, device=target.device))
        results.append(LayerQuantization(name, int(w.size), int(n_levels), codebook, labels, float(dist),
                                         float(obj), label_entropy(labels), pruned))
    unq = sum(p.numel() for p in qmodel.parameters()) - sum(r.num_weights for r in results)
    comp = compression_ratio([r.labels for r in results], [r.num_levels for r in results], unquantized=unq)
    rate = sum(r.num_weights * math.log(r.num_levels) for r in results)
    ent = sum(r.num_weights * r.label_entropy for r in results)
    _finite(np.array([rate, ent]), "the rate", "`model`")
    return QuantizedNetwork(qmodel, tuple(results), comp, float(rate), float(ent), method)


# ---------------------------------------------------------------------------------------------
# The information-theoretic bound on the 0-1 generalization gap
# ---------------------------------------------------------------------------------------------

def zero_one_mi_bound(rate: float | ArrayLike, n: int) -> float | np.ndarray:
    r"""Xu–Raginsky bound on the 0-1 generalization gap of a quantized net with rate ``rate``.

    .. math:: |\mathrm{gen}| \le \sqrt{2\sigma^2 R/n} = \sqrt{R/(2n)}, \qquad \sigma = 1/2,

    since a loss in [0, 1] is 1/2-sub-Gaussian and :math:`I(S;\hat W)\le H(\hat W)\le R`
    (Xu & Raginsky, NeurIPS 2017, Thm 1; Bu et al., AAAI 2020). Works elementwise on arrays.

    Parameters
    ----------
    rate : float or array_like
        :math:`R \ge 0` in nats, e.g. :func:`quantization_rate` (``inf`` gives ``inf``).
    n : int
        Training sample size, ``>= 1``.

    Returns
    -------
    float or ndarray

    References
    ----------
    A. Xu and M. Raginsky, "Information-theoretic analysis of generalization capability of
    learning algorithms", NeurIPS 2017, Thm 1; Y. Bu, W. Gao, S. Zou, V. V. Veeravalli, AAAI 2020.

    Examples
    --------
    >>> round(zero_one_mi_bound(3.0, 200), 12) == round((3.0 / 400.0) ** 0.5, 12)
    True
    """
    r = as_array(rate, "rate", finite=False, min_size=0)
    if np.any(np.isnan(r)) or np.any(r < 0):
        raise ValueError("`rate` must be >= 0 (nats; inf gives the vacuous bound inf), not NaN or negative")
    n = as_int(n, "n", low=1)
    sigma = subgaussian_parameter_bounded(0.0, 1.0)
    out = np.array([xu_raginsky(x, n, sigma) for x in r.ravel()], dtype=float).reshape(r.shape)
    return float(out) if out.ndim == 0 else out
