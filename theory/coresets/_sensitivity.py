r"""Empirical sensitivity, the network constants of CoreNet and the amplification terms.

Baykal, Liebenwein, Gilitschenski, Feldman, Rus, "Data-dependent coresets for compressing neural
networks with applications to generalization bounds", ICLR 2019, §4 and Algorithms 1–2 (see the
package docstring of :mod:`theory.coresets` for what was verified against public code).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from .. import _torch  # noqa: F401  (first: a clear ImportError when torch is missing)
import torch

from .._checks import as_array, as_float, as_size, check_positive, check_probability
from ._common import _activation_array, _nonnegative_points, _tensor_to_numpy, _weight_array


@dataclass(frozen=True)
class EmpiricalSensitivity:
    r"""Empirical sensitivities of the incoming edges of every neuron of one layer.

    Attributes
    ----------
    sensitivity : ndarray (out, in)
        :math:`s_{ij}` in [0, 1], relative to the edge's sign group (0 for zero weights).
    positive : ndarray (out, in) of bool
        Whether edge :math:`(i, j)` belongs to the positive group (``w_ij > 0``).
    total_positive, total_negative : ndarray (out,)
        :math:`S^\pm_i = \sum_{j \in \mathcal W^\pm} s_{ij}`; each is 0 or >= 1.
    n_points : int
        Number of (non-negative) activation vectors the maxima were taken over.
    """

    sensitivity: np.ndarray
    positive: np.ndarray
    total_positive: np.ndarray
    total_negative: np.ndarray
    n_points: int


@dataclass(frozen=True)
class CoreNetConstants:
    r"""Network-level constants of CoreNet (Baykal, Liebenwein et al., ICLR 2019).

    Attributes
    ----------
    eta : int
        Total number of neurons :math:`\eta`.
    eta_star : int
        Maximum width :math:`\eta^*`.
    lambda_star : float
        :math:`\lambda_* = \log(\eta\eta^*)/2`.
    kappa : float
        :math:`\kappa = \sqrt{2\lambda_*}(1 + \sqrt{2\lambda_*}\log(8\eta\eta^*/\delta))`.
    s_size : int
        Required size of the input sample, :math:`\lceil K' \log(8\eta\eta^*/\delta)\rceil`.
    """

    eta: int
    eta_star: int
    lambda_star: float
    kappa: float
    s_size: int


@dataclass(frozen=True)
class DeltaTerms:
    r"""The error-amplification terms :math:`\Delta^\ell` and :math:`\Delta^\ell_\to`.

    Attributes
    ----------
    delta_hat : ndarray (L,)
        :math:`\max_i \mathrm{mean}_{x\in S} \Delta_i(x)` per layer (without :math:`\kappa`).
    kappa : float
    delta : ndarray (L,)
        :math:`\Delta^\ell = \hat\Delta^\ell + \kappa`.
    delta_forward : ndarray (L,)
        :math:`\Delta^\ell_\to = \prod_{k \ge \ell} \Delta^k`.
    """

    delta_hat: np.ndarray
    kappa: float
    delta: np.ndarray
    delta_forward: np.ndarray


def empirical_sensitivity(weight: ArrayLike | torch.Tensor,
                          activations: ArrayLike | torch.Tensor) -> EmpiricalSensitivity:
    r"""Empirical sensitivity of every incoming edge of every neuron, per sign group.

    .. math::

        g_{ij}(x) = \frac{w_{ij} a_j(x)}{\sum_{k \in \mathcal W^\pm_i} w_{ik} a_k(x)},
        \qquad s_{ij} = \max_{x \in S} g_{ij}(x),\qquad
        S^\pm_i = \sum_{j \in \mathcal W^\pm_i} s_{ij},

    with :math:`\mathcal W^+_i = \{j: w_{ij} > 0\}`, :math:`\mathcal W^-_i = \{j: w_{ij} <
    0\}` (for the negative group the weights enter as :math:`|w_{ij}|`), and :math:`g = 0` where
    the denominator vanishes. Then :math:`0 \le s_{ij} \le 1` and :math:`S^\pm_i \ge 1`
    unless the group's products vanish on all of :math:`S` (then :math:`S^\pm_i = 0`).
    Activations with negative entries (the first layer on raw inputs) are replaced by the points
    :math:`a^+(x) = \max(a, 0)` and :math:`a^-(x) = \max(-a, 0)`, each treated as a point of
    :math:`S`.

    Parameters
    ----------
    weight : array or tensor (out, in)
    activations : array or tensor (n, in)
        Inputs of the layer on the points of :math:`S`.

    Returns
    -------
    EmpiricalSensitivity

    Raises
    ------
    ValueError
        On a non-2-D or non-finite ``weight``/``activations`` or mismatched shapes.

    References
    ----------
    Baykal, Liebenwein, Gilitschenski, Feldman, Rus, ICLR 2019, Definition of the empirical
    sensitivity (§4) and Algorithm 2; sign split and signed inputs as in the authors'
    ``lucaslie/torchprune`` (``base_sens_tracker.py``).

    Examples
    --------
    One neuron with weights (1, 1, −2) on the points (1, 0, 1) and (1, 3, 1): in the positive
    group the shares of edge 0 are 1/1 and 1/4, of edge 1 are 0/1 and 3/4, so s = (1, 0.75) and
    S⁺ = 1.75; the negative group has one edge, whose share is always 1 (S⁻ = 1).

    >>> from theory.coresets import empirical_sensitivity
    >>> s = empirical_sensitivity([[1.0, 1.0, -2.0]], [[1.0, 0.0, 1.0], [1.0, 3.0, 1.0]])
    >>> s.sensitivity.tolist(), s.positive.tolist()
    ([[1.0, 0.75, 1.0]], [[True, True, False]])
    >>> s.total_positive.tolist(), s.total_negative.tolist(), s.n_points
    ([1.75], [1.0], 2)
    """
    W = _weight_array(weight)
    A = _nonnegative_points(_activation_array(activations, W.shape[1]))
    out, inp = W.shape
    pos = W > 0
    sens = np.zeros((out, inp))
    # g_ij(x) = |w_ij| a_j(x) / z_i(x) on the group, so s_ij = |w_ij| max_x a_j(x) / z_i(x):
    # one max-times product M_ij = max_x inv_i(x) a_j(x) per group: a loop over the points of S,
    # each step an in-place outer product over all neurons and edges of the layer. Inputs that
    # are 0 on every point of S (an image's border, a dead unit) have M_ij = 0 and are skipped.
    cols = np.flatnonzero(np.any(A != 0, axis=0))
    dense = cols.size == inp
    Ac = A if dense else np.ascontiguousarray(A[:, cols])
    buf = np.empty((out, cols.size))
    for sign, mask in ((1.0, pos), (-1.0, W < 0)):
        Wg = np.where(mask, sign * W, 0.0)             # |w| on the group, 0 elsewhere
        Z = A @ Wg.T                                    # (n, out), >= 0
        inv = np.divide(1.0, Z, out=np.zeros_like(Z), where=Z > 0)
        Mc = np.zeros((out, cols.size))
        for x in range(A.shape[0]):
            np.multiply.outer(inv[x], Ac[x], out=buf)
            np.maximum(Mc, buf, out=Mc)
        if dense:
            M = Mc
        else:
            M = np.zeros((out, inp))
            M[:, cols] = Mc
        sens += Wg * M
    np.clip(sens, 0.0, 1.0, out=sens)                  # round-off only
    tot_pos = np.where(pos, sens, 0.0).sum(axis=1)
    tot_neg = np.where(W < 0, sens, 0.0).sum(axis=1)
    return EmpiricalSensitivity(sens, pos, tot_pos, tot_neg, int(A.shape[0]))


def _log_term(log_factor: float, count: int, delta: float) -> float:
    r""":math:`\log(c\,\mathrm{count}/\delta) > 0`, refused (naming ``log_factor``) when it is not positive."""
    v = log_factor * count / delta
    if not v > 1.0:
        raise ValueError(f"`log_factor` must make log(log_factor * {count} / delta) positive; got "
                         f"log({v:.3g})")
    return math.log(v)


def corenet_constants(eta: int, eta_star: int, delta: float, *, K_prime: float = 2.0,
                      lambda_factor: float = 0.5, log_factor: float = 8.0) -> CoreNetConstants:
    r"""Network-level constants :math:`\lambda_*`, :math:`\kappa` and the size of :math:`S`.

    .. math::

        \lambda_* = \tfrac12\log(\eta\eta^*),\qquad
        \kappa = \sqrt{2\lambda_*}\Big(1 + \sqrt{2\lambda_*}\,
        \log\frac{8\eta\eta^*}{\delta}\Big),\qquad
        |S| = \Big\lceil K' \log\frac{8\eta\eta^*}{\delta}\Big\rceil.

    Constant as recalled from the paper, not checked against its text (the formulas agree with
    the third-party reimplementation ``ks-korovina/coresets_compression``; :math:`K'` is the
    distribution-dependent constant of the paper's Assumption 1, default 2 is illustrative).

    Parameters
    ----------
    eta : int
        Total number of neurons :math:`\eta` (in [1, 10**9]).
    eta_star : int
        Maximum width :math:`\eta^*` (in [1, 10**9]).
    delta : float
        Failure probability in (0, 1).
    K_prime : float, default 2.0
        :math:`K' > 0`.
    lambda_factor : float, default 0.5
        The 1/2 in :math:`\lambda_*`.
    log_factor : float, default 8.0
        The 8 inside the logarithms.

    Returns
    -------
    CoreNetConstants

    References
    ----------
    Baykal et al., ICLR 2019, Algorithm 1 and Theorem 4 (constants :math:`\lambda_*, \kappa`,
    size of :math:`S`).

    Examples
    --------
    η = 4, η* = 2, δ = 1/2: ηη* = 8, so λ* = ½ log 8 = 1.5 log 2 = 1.039720770840,
    √(2λ*) = √(3 log 2) = 1.442026886601 and log(8·8/0.5) = 7 log 2 = 4.852030263920; then
    κ = 1.442026886601 · (1 + 1.442026886601 · 4.852030263920) = 1.442026886601 · 7.996758095173
    = 11.531540178883 and the size of S is ⌈2 · 4.852030263920⌉ = ⌈9.704⌉ = 10.

    >>> from theory.coresets import corenet_constants
    >>> c = corenet_constants(4, 2, 0.5)
    >>> round(c.lambda_star, 12), round(c.kappa, 12), c.s_size
    (1.03972077084, 11.531540178883, 10)
    """
    eta = as_size(eta, "eta")
    eta_star = as_size(eta_star, "eta_star")
    delta = check_probability(delta, "delta", open_low=True, open_high=True)
    K_prime = check_positive(K_prime, "K_prime")
    lambda_factor = check_positive(lambda_factor, "lambda_factor")
    log_factor = check_positive(log_factor, "log_factor")
    lam = lambda_factor * math.log(eta * eta_star)
    r = math.sqrt(2.0 * lam)
    L = _log_term(log_factor, eta * eta_star, delta)
    kappa = r * (1.0 + r * L)
    if not math.isfinite(kappa):
        raise ValueError("`lambda_factor` or `log_factor` is too large: kappa overflows")
    s_size = K_prime * L
    if not s_size <= _MAX_SAMPLE_SIZE:
        raise ValueError(f"`K_prime` is too large: the sample size K' log(8 eta eta*/delta) = {s_size:.3g} "
                         f"exceeds {_MAX_SAMPLE_SIZE:.0e}")
    return CoreNetConstants(eta, eta_star, lam, kappa, int(math.ceil(s_size)))


#: Largest size of the input sample S that :func:`corenet_constants` reports (beyond, no forward pass).
_MAX_SAMPLE_SIZE = 1e18


def corenet_sample_size(total_sensitivity: float | ArrayLike, eps: float | ArrayLike, delta: float, *,
                        eta: int, K: float = 2.0, c: float = 8.0, log_factor: float = 8.0) -> np.ndarray:
    r"""Number of i.i.d. draws per neuron and sign group that the theorem asks for.

    .. math::

        m = \Big\lceil \frac{c\, S\, K \log(8\eta/\delta)}{\varepsilon_\ell^2}
        \Big\rceil,\qquad c = 8,

    and :math:`m = 0` where :math:`S = 0` (nothing to approximate). Constant as recalled from
    the paper, not checked against its text (:math:`c = 8` and the :math:`8` in the logarithm
    agree with the reimplementation ``ks-korovina/coresets_compression``; :math:`K` is the
    distribution-dependent constant of Assumption 1, default 2 is illustrative).

    Parameters
    ----------
    total_sensitivity : float or array
        :math:`S = \sum_j s_j` (>= 0), any shape.
    eps : float or array
        Layer accuracy :math:`\varepsilon_\ell > 0`, broadcastable to ``total_sensitivity``.
    delta : float
        Failure probability in (0, 1).
    eta : int
        Total number of neurons.
    K, c, log_factor : float
        Positive constants (defaults 2, 8, 8).

    Returns
    -------
    ndarray of float
        Non-negative integers (stored as float, since they can exceed the int64 range); a size
        that overflows the float range is refused (``ValueError`` naming ``eps``).

    References
    ----------
    Baykal et al., ICLR 2019, Algorithm 2 (Sparsify), Lemma on the sample complexity.

    Examples
    --------
    S = 1.75, ε = 0.5, δ = 0.5, η = 8: m = ⌈8 · 1.75 · 2 · log(64/0.5) / 0.25⌉
    = ⌈112 · 7 log 2⌉ = ⌈112 · 4.852030⌉ = ⌈543.43⌉ = 544; a group with S = 0 gets no draws.

    >>> from theory.coresets import corenet_sample_size
    >>> corenet_sample_size([1.75, 0.0], 0.5, 0.5, eta=8).tolist()
    [544.0, 0.0]
    """
    S = as_array(total_sensitivity, "total_sensitivity", ndim=None, nonnegative=True)
    e = as_array(eps, "eps", ndim=None, positive=True)
    try:
        np.broadcast_shapes(S.shape, e.shape)
    except ValueError:
        raise ValueError(f"`eps` of shape {e.shape} must broadcast to `total_sensitivity`'s shape "
                         f"{S.shape}") from None
    delta = check_probability(delta, "delta", open_low=True, open_high=True)
    eta = as_size(eta, "eta")
    K = check_positive(K, "K")
    c = check_positive(c, "c")
    log_factor = check_positive(log_factor, "log_factor")
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        # at least one draw where S > 0 (the ceiling of a positive number, even if the ratio underflows)
        m = np.where(S > 0, np.maximum(np.ceil(c * S * K * _log_term(log_factor, eta, delta) / e ** 2), 1.0), 0.0)
    if not np.all(np.isfinite(m)):
        raise ValueError("`eps` is too small (or `K`, `c`, `total_sensitivity` too large): the sample size "
                         "overflows the float range")
    return m


def _delta_hat(W: np.ndarray, b: np.ndarray | None, A: np.ndarray) -> float:
    """max_i mean_x (Σ_k |w_ik a_k(x)| + |b_i|) / |z_i(x)|  (inf if some z_i(x) = 0)."""
    num = np.abs(A) @ np.abs(W).T
    z = A @ W.T
    if b is not None:
        num = num + np.abs(b)[None, :]
        z = z + b[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(num > 0, num / np.abs(z), 1.0)
    return float(ratio.mean(axis=0).max())


def delta_terms(weights: Sequence[ArrayLike], activations: Sequence[ArrayLike], *, kappa: float,
                biases: Sequence[ArrayLike] | None = None) -> DeltaTerms:
    r"""Per-layer amplification :math:`\Delta^\ell` and its forward product :math:`\Delta^\ell_\to`.

    .. math::

        \Delta_i(x) = \frac{\sum_k |w_{ik} a_k(x)| + |b_i|}{|\sum_k w_{ik} a_k(x) + b_i|},
        \qquad \Delta^\ell = \max_i \frac1{|S|}\sum_{x\in S}\Delta_i(x) + \kappa,
        \qquad \Delta^\ell_\to = \prod_{k \ge \ell} \Delta^k.

    Constant as recalled from the paper, not checked against its text (form corroborated by
    ``ks-korovina/coresets_compression``). The bias enters as an edge with constant activation 1
    (an extension made here; CoreNet keeps biases exactly, so this only makes :math:`\Delta`
    larger).

    Parameters
    ----------
    weights : sequence of arrays (out_l, in_l)
    activations : sequence of arrays (n, in_l)
        Inputs of each layer on :math:`S` (see :func:`layer_inputs`).
    kappa : float
        :math:`\kappa \ge 0` (see :func:`corenet_constants`).
    biases : sequence of arrays (out_l,) or None, optional

    Returns
    -------
    DeltaTerms
        ``delta_hat`` may be ``inf`` when a pre-activation is exactly 0 on a point of S.

    References
    ----------
    Baykal et al., ICLR 2019, Algorithm 1 (lines computing :math:`\hat\Delta^\ell`) and
    Theorem 4.

    Examples
    --------
    Layer 1, weights (1, −1) on the points (2, 1) and (1, 0): Δ(x) = (2 + 1)/abs(2 − 1) = 3 and
    1/1 = 1, mean 2; layer 2, weight 2 on positive inputs: Δ = 1. With κ = 0.5,
    Δ = (2.5, 1.5) and the forward products are (2.5 · 1.5, 1.5) = (3.75, 1.5).

    >>> from theory.coresets import delta_terms
    >>> weights = [[[1.0, -1.0]], [[2.0]]]
    >>> inputs = [[[2.0, 1.0], [1.0, 0.0]], [[1.0], [1.0]]]
    >>> d = delta_terms(weights, inputs, kappa=0.5)
    >>> d.delta_hat.tolist(), d.delta.tolist(), d.delta_forward.tolist()
    ([2.0, 1.0], [2.5, 1.5], [3.75, 1.5])
    """
    kappa = as_float(kappa, "kappa", low=0.0)
    for name, seq in (("weights", weights), ("activations", activations), ("biases", biases)):
        if seq is not None and (isinstance(seq, (str, bytes))
                                or not isinstance(seq, (Sequence, np.ndarray, torch.Tensor))):
            raise ValueError(f"`{name}` must be a sequence with one array per layer; got {type(seq).__name__}")
    if len(weights) < 1:
        raise ValueError("`weights` must hold at least one layer")
    if len(weights) != len(activations):
        raise ValueError("`activations` must hold one array per layer of `weights`")
    if biases is not None and len(biases) != len(weights):
        raise ValueError("`biases` must hold one array per layer of `weights`")
    dh = []
    for l, (W, A) in enumerate(zip(weights, activations)):
        W = _weight_array(W, f"weights[{l}]")
        A = _activation_array(A, W.shape[1], f"activations[{l}]")
        b = None
        if biases is not None and biases[l] is not None:
            b = _tensor_to_numpy(biases[l], f"biases[{l}]")
            b = as_array(b, f"biases[{l}]", ndim=1, shape=(W.shape[0],))
        dh.append(_delta_hat(W, b, A))
    dh = np.array(dh)
    d = dh + kappa
    fwd = np.cumprod(d[::-1])[::-1]
    return DeltaTerms(dh, kappa, d, fwd)
