r"""Node selection: greedy spectral selection, leverage sampling and the baselines (private).

Re-exported by :mod:`theory.spectral`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import as_int, check_in, check_positive, check_rng
from ._common import (SELECTION_METHODS, _check_cov, _check_next_weight, _finite, _tau_vector, _theta,
                      _weight_matrix)
from ._leverage import _leverage_sample
from ._reconstruction import _recon, _resid

__all__ = ["SpectralPruneResult", "spectral_prune"]


@dataclass(frozen=True)
class SpectralPruneResult:
    r"""What :func:`spectral_prune` returns.

    Attributes
    ----------
    keep : ndarray (k,) int
        Kept nodes, in selection order (greedy) or ascending (other methods).
    A : ndarray (m, k)
        :math:`\hat A_J` for the kept nodes (columns in the order of ``keep``).
    loss : float
        :math:`\theta L_A + (1-\theta)L_B` at the returned ``keep`` (with ``tau``).
    tau : ndarray (m,)
        The per-node ridge weights used.
    method : str
    counts : ndarray (k,) int or None
        Leverage sampling only: how often each kept node was drawn.
    """

    keep: np.ndarray
    A: np.ndarray
    loss: float
    tau: np.ndarray
    method: str
    counts: np.ndarray | None = None


def _greedy(S: np.ndarray, M: np.ndarray, tau: np.ndarray, width: int) -> np.ndarray:
    """Greedy minimisation of Tr[M R_τ(J)] by rank-one Schur updates of R and P = M R."""
    m = S.shape[0]
    R = S.copy()
    P = M @ R
    chosen = np.zeros(m, dtype=bool)
    order = []
    scale = max(float(np.max(np.abs(np.diag(S)))), 1e-300)
    for _ in range(width):
        d = np.diag(R) + tau
        num = np.einsum("ij,ij->j", R, P)
        ok = (d > 1e-12 * scale) & ~chosen
        gains = np.full(m, -np.inf)
        gains[~chosen] = 0.0
        gains[ok] = num[ok] / d[ok]
        j = int(np.argmax(gains))
        chosen[j] = True
        order.append(j)
        if ok[j]:
            r = R[:, j].copy()
            Mr = P[:, j].copy()
            R -= np.outer(r, r) / d[j]
            P -= np.outer(Mr, r) / d[j]
    return np.array(order, dtype=np.int64)


def spectral_prune(cov, width, lam=None, theta=1.0, next_weight=None, method="greedy", rng=None,
                   tau=None) -> SpectralPruneResult:
    r"""Select ``width`` nodes of a layer and the map that reconstructs the layer from them.

    .. math::

        \hat J = \arg\min_{|J| = m^\sharp}\ \theta L_A(J) + (1-\theta) L_B(J)
        \ \ (\text{greedily}),\qquad \hat A_J = \hat\Sigma_{FJ}(\hat\Sigma_{JJ}+I_\tau)^{-1}.

    Greedy selection adds, at each step, the node with the largest decrease
    :math:`r_j^\top M r_j / (R_{jj} + \tau_j)` of :math:`\mathrm{Tr}\,MR`, and updates
    :math:`R \leftarrow R - r_jr_j^\top/(R_{jj}+\tau_j)` and :math:`MR` by the same rank-one
    correction: :math:`O(m^2)` per step, no inverse per candidate. ``"leverage"`` draws i.i.d.
    from the ridge leverage distribution :math:`q` until ``width`` distinct nodes are drawn (:func:`leverage_sample`;
    a ``width`` that needs a node of leverage score ~0 is refused), and uses the
    derived per-node weights :math:`\tau_j = \lambda s q_j / c_j` unless ``tau`` is given.
    ``"random"`` keeps a uniformly random subset; ``"magnitude"`` keeps the nodes with the largest
    outgoing-weight norms :math:`\lVert Z_{:,j}\rVert` (needs ``next_weight``).

    Parameters
    ----------
    cov : array_like, shape (m, m)
        Symmetric PSD :math:`\hat\Sigma` of the layer's outputs.
    width : int
        Number of nodes to keep, :math:`1 \le m^\sharp \le m`.
    lam : float > 0, optional
        :math:`\lambda`: the leverage distribution's ridge, and the default :math:`\tau` (scalar)
        for the other methods. Required for ``"leverage"`` and when ``tau`` is None.
    theta : float in [0, 1], default 1.0
    next_weight : array_like, shape (p, m), optional
        :math:`Z = W^{(\ell+1)}`.
    method : {"greedy", "leverage", "random", "magnitude"}, default "greedy"
    rng : None, int or numpy.random.Generator
        Used by ``"leverage"`` and ``"random"``.
    tau : float >= 0 or array_like (m,), optional
        Ridge weights :math:`I_\tau`; default ``lam`` (leverage: the derived weights).

    Returns
    -------
    SpectralPruneResult

    References
    ----------
    Suzuki et al., IJCAI 2020, §3–4 (objective, greedy selection and leverage sampling; constants
    as recalled, not checked against its text); Bach, JMLR 2017, Prop. 1 (leverage sampling).
    """
    S = _check_cov(cov, "cov")
    m = S.shape[0]
    width = as_int(width, "width", low=1, high=m)
    check_in(method, "method", SELECTION_METHODS)
    theta = _theta(theta)
    if lam is not None:
        lam = check_positive(lam, "lam")
    if lam is None and (tau is None or method == "leverage"):
        raise ValueError("`lam` is required (ridge of the leverage distribution / default tau)")
    M = _weight_matrix(m, theta, next_weight)
    gen = check_rng(rng)
    if tau is not None:
        _tau_vector(tau, m)
    counts = None
    if method == "leverage":
        smp = _leverage_sample(S, width, lam, gen, None)
        keep = smp.keep
        counts = smp.counts
        t = smp.tau if tau is None else _tau_vector(tau, m)
    else:
        t = _tau_vector(lam if tau is None else tau, m)
        if method == "greedy":
            keep = _greedy(S, M, t, width)
        elif method == "random":
            keep = np.sort(gen.choice(m, size=width, replace=False)).astype(np.int64)
        else:
            if next_weight is None:
                raise ValueError("`next_weight` is required for method='magnitude' (outgoing-weight norms)")
            norms = np.linalg.norm(_check_next_weight(next_weight, m), axis=0)
            keep = np.sort(np.argsort(-norms, kind="stable")[:width]).astype(np.int64)
    A = _finite(_recon(S, keep, t), "the reconstruction map")
    R = _resid(S, keep, t)
    with np.errstate(over="ignore", invalid="ignore"):
        loss = float(np.sum(M * R))
    loss = max(float(_finite(loss, "the pruning loss")), 0.0)
    return SpectralPruneResult(keep=keep, A=A, loss=loss, tau=t, method=method, counts=counts)

