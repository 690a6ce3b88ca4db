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


# Columns of B = S M S computed per block of speculative candidates (one pass over S per block).
_BLOCK = 8


def _greedy(S: np.ndarray, theta: float, Z: np.ndarray | None, tau: np.ndarray, width: int) -> np.ndarray:
    r"""Greedy minimisation of :math:`\mathrm{Tr}[M R_\tau(J)]`, :math:`M = \theta I + (1-\theta)Z^\top Z`.

    :math:`R` is never formed: it is held as :math:`R = \hat\Sigma - CC^\top`, one column
    :math:`c = r_j/\sqrt{R_{jj}+\tau_j}` per selected node (a partial pivoted Cholesky factor),
    with :math:`V = \hat\Sigma M C` and :math:`G = C^\top M C`. The gains need the diagonal
    :math:`\mathrm{diag}(RMR)`, updated by
    :math:`(RMR)_{ii} \leftarrow (RMR)_{ii} - 2c_i(RMc)_i + c_i^2\, c^\top Mc`, and the
    selected column of :math:`\hat\Sigma M\hat\Sigma` (computed, with those of the next few
    best candidates, in one pass over :math:`\hat\Sigma`): :math:`O(mk)` work per step plus one
    pass over :math:`\hat\Sigma` per block of candidates, no :math:`m\times m` update.
    """
    m = S.shape[0]
    full = Z is not None and theta < 1.0          # M = theta I + (1 - theta) Z^T Z; else M = I
    Y = Z @ S if full else None                    # Z S, (p, m)
    if full:
        num = theta * np.einsum("ij,ij->j", S, S) + (1.0 - theta) * np.einsum("ij,ij->j", Y, Y)
    else:
        num = np.einsum("ij,ij->j", S, S)          # diag(S M S) = diag(R M R) at J = {}
    d = np.diag(S) + tau                           # R_ii + tau_i
    scale = max(float(np.max(np.abs(np.diag(S)))), 1e-300)
    thr = 1e-12 * scale
    Ct = np.empty((width, m))                      # rows: c_1, ..., c_t
    Vt = np.empty((width, m))                      # rows: S M c_1, ...
    G = np.empty((width, width))                   # C^T M C
    cap = min(m, 2 * width + 4 * _BLOCK)
    Bc = np.empty((cap, m))                        # cached rows of S M S
    slot = np.full(m, -1, dtype=np.int64)
    used = 0
    chosen = np.zeros(m, dtype=bool)
    order = np.empty(width, dtype=np.int64)
    gains = np.empty(m)
    t = 0                                          # columns of C so far
    # With every tau_j well above the threshold, every unchosen node passes it (d_i >= tau_i up to
    # rounding): the gains are num/d, with num = -inf on the chosen nodes, unless the best is <= 0.
    fast = bool(np.min(tau) > 2.0 * thr)
    for step in range(width):
        if fast:
            np.divide(num, d, out=gains)
            j = int(np.argmax(gains))
            ok_j = gains[j] > 0.0
        if not fast or not ok_j:
            ok = (d > thr) & ~chosen
            gains.fill(-np.inf)
            gains[~chosen] = 0.0
            np.divide(np.maximum(num, 0.0), d, out=gains, where=ok)
            j = int(np.argmax(gains))
            ok_j = bool(ok[j])
        chosen[j] = True
        order[step] = j
        if not ok_j or step == width - 1:
            num[j] = -np.inf
            continue
        if slot[j] < 0:                            # B column j (and the next best ones) not cached
            nb = min(_BLOCK, m - step)
            cand = np.argpartition(-gains, nb - 1)[:nb] if nb < m else np.arange(m)
            cand = cand[(slot[cand] < 0) & ~chosen[cand] & (d[cand] > thr)]
            if j not in cand:
                cand = np.append(cand, j)
            if used + cand.size > cap:
                slot[:] = -1
                used = 0
            X = S[cand]                            # rows of S = columns (S symmetric)
            if full:
                X = theta * X + (1.0 - theta) * (Y[:, cand].T @ Z)      # (M S[:, cand])^T
            Bc[used:used + cand.size] = X @ S
            slot[cand] = np.arange(used, used + cand.size)
            used += cand.size
        s = 1.0 / np.sqrt(d[j])
        a = Ct[:t, j]                              # C_j
        r = S[j] - a @ Ct[:t]                      # R[:, j]
        y = (Vt[:t, j] - G[:t, :t] @ a) * s        # C^T M c
        c = r * s
        v = (Bc[slot[j]] - a @ Vt[:t]) * s         # S M c
        u = v - y @ Ct[:t]                         # R M c
        if full:
            zc = Z @ c
            cmc = theta * float(c @ c) + (1.0 - theta) * float(zc @ zc)
        else:
            cmc = float(c @ c)
        num -= c * (2.0 * u - cmc * c)
        d -= c * c
        num[j] = -np.inf
        Ct[t] = c
        Vt[t] = v
        G[t, :t] = y
        G[:t, t] = y
        G[t, t] = cmc
        t += 1
    return order


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
            keep = _greedy(S, theta, None if next_weight is None else _check_next_weight(next_weight, m),
                           t, width)
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

