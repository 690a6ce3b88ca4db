r"""The unbiased sensitivity sampler of one layer (Baykal et al., ICLR 2019, Algorithm 2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from .._checks import as_array, as_size, check_positive, check_probability, check_rng
from ._common import _MAX_SAMPLES, _weight_array
from ._sensitivity import EmpiricalSensitivity, corenet_sample_size, empirical_sensitivity

if TYPE_CHECKING:  # annotations only: torch is imported lazily, where it is used
    import torch


@dataclass(frozen=True)
class SparsifiedLayer:
    r"""Output of :func:`sparsify_layer`.

    Attributes
    ----------
    weight : ndarray (out, in)
        :math:`\hat W = \mathrm{Sp}(W^+) - \mathrm{Sp}(-W^-)`.
    samples_positive, samples_negative : ndarray (out,) of int
        Number of i.i.d. draws per neuron and sign group.
    sensitivity : EmpiricalSensitivity
    """

    weight: np.ndarray
    samples_positive: np.ndarray
    samples_negative: np.ndarray
    sensitivity: EmpiricalSensitivity

    @property
    def nonzero(self) -> int:
        """Number of non-zero entries of :attr:`weight`."""
        return int(np.count_nonzero(self.weight))


def _draw(w_abs: np.ndarray, q: np.ndarray, m: np.ndarray, rng: np.random.Generator,
          size: int | None = None) -> np.ndarray:
    """Importance-sampled |w| of one sign group: w c_j/(m q_j); rows with m = 0 give 0."""
    m = np.asarray(m, dtype=np.int64)
    qq = np.where(m[:, None] > 0, q, 0.0)
    empty = qq.sum(axis=1) <= 0
    qq[empty, 0] = 1.0                                     # dummy law for rows drawn 0 times
    mm = np.where(empty, 0, m)
    qq = qq / qq.sum(axis=1, keepdims=True)
    if size is None:
        counts = rng.multinomial(mm, qq)
    else:
        counts = rng.multinomial(mm, qq, size=(size, len(mm)))
    denom = mm[:, None] * qq
    scale = np.divide(counts, denom, out=np.zeros(counts.shape), where=denom > 0)
    return w_abs * scale


def _group_probs(sens: EmpiricalSensitivity, positive: bool) -> tuple[np.ndarray, np.ndarray]:
    mask = sens.positive if positive else ~sens.positive
    s = np.where(mask, sens.sensitivity, 0.0)
    tot = s.sum(axis=1)
    q = np.divide(s, tot[:, None], out=np.zeros_like(s), where=tot[:, None] > 0)
    return q, tot


def _check_samples(samples, out: int) -> np.ndarray:
    """``samples`` as an int64 array (out,) of draws per neuron in [0, 2**62]."""
    try:
        arr = np.asarray(samples) if not hasattr(samples, "detach") else samples.detach().cpu().numpy()
    except (TypeError, ValueError):
        raise ValueError("`samples` must be an int or an array (out,) of ints") from None
    if arr.ndim == 0:
        return np.full(out, as_size(samples if arr.dtype == object else arr.item(), "samples", low=0,
                                    high=_MAX_SAMPLES), dtype=np.int64)
    arr = as_array(arr, "samples", ndim=1, shape=(out,), nonnegative=True)
    if not np.all(arr == np.round(arr)):
        raise ValueError("`samples` must hold integers")
    if arr.max() > _MAX_SAMPLES:
        raise ValueError(f"`samples` must be at most 2**62 draws per neuron; got {arr.max():.3g}")
    return arr.astype(np.int64)


def _split_samples(samples, sens: EmpiricalSensitivity) -> tuple[np.ndarray, np.ndarray]:
    out = sens.sensitivity.shape[0]
    arr = _check_samples(samples, out)
    tp, tn = sens.total_positive, sens.total_negative
    tot = tp + tn
    mp = np.where(tot > 0, np.round(arr * np.divide(tp, tot, out=np.zeros_like(tp), where=tot > 0)), 0)
    mp = mp.astype(np.int64)
    mn = np.where(tn > 0, arr - mp, 0).astype(np.int64)
    mp = np.where(tn > 0, mp, np.where(tp > 0, arr, 0)).astype(np.int64)
    return mp, mn


def sparsify_layer(weight: ArrayLike | torch.Tensor, activations: ArrayLike | torch.Tensor, *,
                   samples: int | ArrayLike | None = None, eps: float | None = None, delta: float = 0.1,
                   rng: np.random.Generator | int | None = None, eta: int | None = None, K: float = 2.0,
                   c: float = 8.0, log_factor: float = 8.0) -> SparsifiedLayer:
    r"""Sparsify the incoming weights of every neuron of one layer by sensitivity sampling.

    .. math::

        \hat w_{ij} = \frac{w_{ij}\, c_{ij}}{m_i^\pm q_{ij}},\quad
        (c_{ij})_{j\in\mathcal W^\pm_i} \sim \mathrm{Multinomial}(m^\pm_i, q_i),\quad
        q_{ij} = s_{ij}/S^\pm_i,\qquad \hat W = \mathrm{Sp}(W^+) - \mathrm{Sp}(-W^-),

    so :math:`E\,\hat w_{ij} = w_{ij}` for every edge with :math:`s_{ij} > 0` (edges with
    :math:`s_{ij} = 0` contribute nothing on :math:`S` and are dropped). Give either ``samples``
    (draws per neuron, split between the sign groups in proportion to :math:`S^\pm_i`, as the
    theoretical sizes are) or ``eps`` (then :math:`m^\pm_i` is
    :func:`corenet_sample_size` of :math:`S^\pm_i`).

    Parameters
    ----------
    weight : array or tensor (out, in)
    activations : array or tensor (n, in)
        The layer's inputs on :math:`S`.
    samples : int or array (out,) of int, optional
        Draws per neuron (>= 0).
    eps : float, optional
        Layer accuracy :math:`\varepsilon_\ell > 0`.
    delta : float, default 0.1
        Failure probability (used with ``eps``).
    rng : None, int or numpy Generator
    eta : int, optional
        Total number of neurons for the sample size (default: ``out``).
    K, c, log_factor : float
        Constants of :func:`corenet_sample_size`.

    Returns
    -------
    SparsifiedLayer

    Raises
    ------
    ValueError
        If neither or both of ``samples`` and ``eps`` are given, on bad shapes, or when a
        theoretical sample size exceeds :math:`2^{62}` draws.

    References
    ----------
    Baykal et al., ICLR 2019, Algorithm 2 (Sparsify) and Lemma (unbiasedness of the estimator).

    Examples
    --------
    On the single point (1, 0, 1) the weights (1, 1, −2) have sensitivities (1, 0, 1) and
    S⁺ = S⁻ = 1: 4 draws split 2 + 2, each group puts all its draws on one edge, so
    ŵ = w · m/(m · 1) = w there and the edge of sensitivity 0 is dropped.

    >>> from theory.coresets import sparsify_layer
    >>> r = sparsify_layer([[1.0, 1.0, -2.0]], [[1.0, 0.0, 1.0]], samples=4, rng=0)
    >>> r.weight.tolist(), r.samples_positive.tolist(), r.samples_negative.tolist(), r.nonzero
    ([[1.0, 0.0, -2.0]], [2], [2], 2)

    Unbiasedness, by Monte Carlo: with the points (1, 0, 1) and (1, 3, 1) the positive group has
    q = (1/1.75, 0.75/1.75) = (4/7, 3/7) and gets m = round(11 · 1.75/2.75) = 7 of 11 draws, so
    Var ŵ_j = (1 − q_j)/(m q_j) = 3/28 and 4/21; over 1000 draws the means lie within 3 SE of w.

    >>> import numpy as np
    >>> gen = np.random.default_rng(0)
    >>> points = [[1.0, 0.0, 1.0], [1.0, 3.0, 1.0]]
    >>> w = np.array([sparsify_layer([[1.0, 1.0, -2.0]], points, samples=11, rng=gen).weight[0]
    ...               for _ in range(1000)])
    >>> se = np.sqrt(np.array([3 / 28, 4 / 21]) / 1000)
    >>> bool(np.all(np.abs(w.mean(axis=0)[:2] - 1.0) < 3 * se)), bool(np.all(w[:, 2] == -2.0))
    (True, True)
    """
    if (samples is None) == (eps is None):
        raise ValueError("give exactly one of `samples` and `eps`")
    W = _weight_array(weight)
    rng = check_rng(rng)
    delta = check_probability(delta, "delta", open_low=True, open_high=True)
    K, c, log_factor = check_positive(K, "K"), check_positive(c, "c"), check_positive(log_factor, "log_factor")
    eta = W.shape[0] if eta is None else as_size(eta, "eta")
    if eps is not None:
        eps = check_positive(eps, "eps")
    else:
        _check_samples(samples, W.shape[0])
    sens = empirical_sensitivity(W, activations)
    if eps is not None:
        mp = corenet_sample_size(sens.total_positive, eps, delta, eta=eta, K=K, c=c, log_factor=log_factor)
        mn = corenet_sample_size(sens.total_negative, eps, delta, eta=eta, K=K, c=c, log_factor=log_factor)
        if max(mp.max(), mn.max()) > _MAX_SAMPLES:
            raise ValueError(f"`eps` = {eps:g} needs more than 2**62 draws per neuron; use a larger eps")
        mp, mn = mp.astype(np.int64), mn.astype(np.int64)
    else:
        mp, mn = _split_samples(samples, sens)
    qp, _ = _group_probs(sens, True)
    qn, _ = _group_probs(sens, False)
    What = _draw(np.maximum(W, 0.0), qp, mp, rng) - _draw(np.maximum(-W, 0.0), qn, mn, rng)
    return SparsifiedLayer(What, mp, mn, sens)
