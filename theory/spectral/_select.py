r"""Node selection: greedy spectral selection, leverage sampling and the baselines (private).

Re-exported by :mod:`theory.spectral`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike
import scipy.linalg
import scipy.linalg.blas

from .._checks import as_int, check_in, check_positive, check_rng
from .._numba import HAVE_NUMBA, njit
from ._common import SELECTION_METHODS, _check_cov, _finite, _next_weight, _solve_psd, _tau_vector, _theta
from ._leverage import _leverage_sample

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


# Columns of B = S M S computed per block of speculative candidates (one pass over S per block):
# 8 below m = 1024, 16 from there on (where S no longer fits in cache, fewer passes pay for the
# few more speculative columns that are never used).
def _block(m: int) -> int:
    return 8 if m < 1024 else 16


def _greedy(S: np.ndarray, theta: float, Z: np.ndarray | None, tau: np.ndarray, width: int,
            use_numba: bool | None = None, Y: np.ndarray | None = None):
    r"""Greedy minimisation of :math:`\mathrm{Tr}[M R_\tau(J)]`, :math:`M = \theta I + (1-\theta)Z^\top Z`.

    :math:`R` is never formed: it is held as :math:`R = \hat\Sigma - CC^\top`, one column
    :math:`c = r_j/\sqrt{R_{jj}+\tau_j}` per selected node (a partial pivoted Cholesky factor),
    with :math:`V = \hat\Sigma M C` and :math:`G = C^\top M C`. The gains need the diagonal
    :math:`\mathrm{diag}(RMR)`, updated by
    :math:`(RMR)_{ii} \leftarrow (RMR)_{ii} - 2c_i(RMc)_i + c_i^2\, c^\top Mc`, and the
    selected column of :math:`\hat\Sigma M\hat\Sigma` (computed, with those of the next few
    best candidates, in one pass over :math:`\hat\Sigma`): :math:`O(mk)` work per step plus one
    pass over :math:`\hat\Sigma` per block of candidates, no :math:`m\times m` update.

    Returns the nodes in selection order and, when every :math:`\tau_j` is well above the pivot
    threshold and every pick passed it, the factor ``(C^T, l)``: with :math:`L` the lower
    triangular matrix of rows :math:`L_{t,:t} = C_{j_t,:t}` and diagonal :math:`l`,
    :math:`LL^\top = \hat\Sigma_{JJ} + I_\tau` and :math:`C^\top = L^{-1}\hat\Sigma_{JF}` (else None).

    The steps run in :func:`_greedy_steps` (compiled) where numba imports (``use_numba`` None:
    :data:`~theory._numba.HAVE_NUMBA`), else in :func:`_greedy_steps_numpy`; both make the same
    choices (their sums are rounded in different orders, so two nodes whose gains tie to the
    last bit may be told apart differently).
    """
    m = S.shape[0]
    full = Z is not None and theta < 1.0          # M = theta I + (1 - theta) Z^T Z; else M = I
    if full:
        Z = np.ascontiguousarray(Z, dtype=float)
        Y = np.ascontiguousarray(Z @ S if Y is None else Y)                # Z S, (p, m)
        num = theta * np.einsum("ij,ij->j", S, S) + (1.0 - theta) * np.einsum("ij,ij->j", Y, Y)
    else:
        Z = Y = np.zeros((0, m))
        num = np.einsum("ij,ij->j", S, S)          # diag(S M S) = diag(R M R) at J = {}
    d = np.diag(S) + tau                           # R_ii + tau_i
    scale = max(float(np.max(np.abs(np.diag(S)))), 1e-300)
    thr = 1e-12 * scale
    # With every tau_j well above the threshold, every unchosen node passes it (d_i >= tau_i up to
    # rounding): the gains are num/d, with num = -inf on the chosen nodes, unless the best is <= 0.
    fast = bool(np.min(tau) > 2.0 * thr)
    if HAVE_NUMBA if use_numba is None else use_numba:
        order, Ct, ldiag, t = _greedy_steps(np.ascontiguousarray(S), Y, Z, float(theta), full, num, d, thr, fast,
                                            int(width), _block(m))
    else:
        order, Ct, ldiag, t = _greedy_steps_numpy(S, Y, Z, theta, full, num, d, thr, fast, width)
    return order, ((Ct, ldiag) if fast and t == width else None)


@njit(cache=True)
def _greedy_steps(S, Y, Z, theta, full, num, d, thr, fast, width, block):  # pragma: no cover - compiled by numba (the pure-Python run is tested)
    r"""The greedy steps of :func:`_greedy` (``num``, ``d`` updated in place); returns the order.

    One pass per step: the gains and their argmax (the first maximiser, as ``numpy.argmax``);
    when the chosen column of :math:`\hat\Sigma M\hat\Sigma` is not cached, it and those of the
    ``block - 1`` best other candidates are computed by one BLAS product; then :math:`r`,
    :math:`\hat\Sigma Mc` and :math:`RMc` in one fused sweep over the rows of :math:`C^\top`
    and :math:`V^\top`.
    """
    m = S.shape[0]
    p = Z.shape[0]
    Ct = np.empty((width, m))                      # rows: c_1, ..., c_t
    Vt = np.empty((width, m))                      # rows: S M c_1, ...
    G = np.empty((width, width))                   # C^T M C
    cap = min(m, 2 * width + 4 * block)
    Bc = np.empty((cap, m))                        # cached rows of S M S
    slot = np.full(m, -1, dtype=np.int64)
    used = 0
    chosen = np.zeros(m, dtype=np.bool_)
    order = np.empty(width, dtype=np.int64)
    gains = np.empty(m)
    r = np.empty(m)
    v = np.empty(m)
    w = np.empty(m)
    a = np.empty(width)
    y = np.empty(width)
    cand = np.empty(block, dtype=np.int64)
    cg = np.empty(block)
    ldiag = np.empty(width)                        # sqrt(R_jj + tau_j) at the picks
    t = 0
    for step in range(width):
        j = -1
        ok_j = False
        best = -np.inf
        if fast:
            for i in range(m):
                g = num[i] / d[i]
                gains[i] = g
                if j < 0 or g > best:
                    best = g
                    j = i
            ok_j = best > 0.0
        if not ok_j:
            j = -1
            best = -np.inf
            for i in range(m):
                if chosen[i]:
                    g = -np.inf
                elif d[i] > thr:
                    g = max(num[i], 0.0) / d[i]
                else:
                    g = 0.0
                gains[i] = g
                if j < 0 or g > best:
                    best = g
                    j = i
            ok_j = d[j] > thr and not chosen[j]
        chosen[j] = True
        order[step] = j
        if not ok_j:
            num[j] = -np.inf
            continue
        sq = np.sqrt(d[j])
        s = 1.0 / sq
        if step == width - 1:                      # the last column of C only (for the factor)
            for i in range(m):
                r[i] = S[j, i]
            for q in range(t):
                aq = Ct[q, j]
                for i in range(m):
                    r[i] -= aq * Ct[q, i]
            for i in range(m):
                Ct[t, i] = r[i] * s
            ldiag[t] = sq
            t += 1
            continue
        if slot[j] < 0:                            # column j (and the next best ones) not cached
            nc = 1
            cand[0] = j
            nmax = min(block, m - step)
            for i in range(m):                     # the nmax - 1 best other uncached candidates
                if chosen[i] or slot[i] >= 0 or not d[i] > thr:
                    continue
                g = gains[i]
                if nc < nmax:
                    q = nc
                    nc += 1
                elif nc > 1 and g > cg[nc - 1]:
                    q = nc - 1
                else:
                    continue
                while q > 1 and cg[q - 1] < g:
                    cand[q] = cand[q - 1]
                    cg[q] = cg[q - 1]
                    q -= 1
                cand[q] = i
                cg[q] = g
            if used + nc > cap:
                slot[:] = -1
                used = 0
            X = np.empty((nc, m))
            for q in range(nc):
                X[q] = S[cand[q]]                  # rows of S = columns (S symmetric)
            if full:
                Yc = np.empty((nc, p))
                for q in range(nc):
                    for l in range(p):
                        Yc[q, l] = Y[l, cand[q]]
                T = np.dot(Yc, Z)
                for q in range(nc):
                    for i in range(m):
                        X[q, i] = theta * X[q, i] + (1.0 - theta) * T[q, i]   # (M S[:, cand])^T
            B = np.dot(X, S)
            for q in range(nc):
                Bc[used + q] = B[q]
                slot[cand[q]] = used + q
            used += nc
        for q in range(t):
            a[q] = Ct[q, j]                        # C_j
        for q in range(t):                         # y = C^T M c
            acc = Vt[q, j]
            for l in range(t):
                acc -= G[q, l] * a[l]
            y[q] = acc * s
        row = slot[j]
        for i in range(m):
            r[i] = S[j, i]
            v[i] = Bc[row, i]
            w[i] = 0.0
        q = 0                                      # r = R[:, j], v = S M c / s, w = C y; 4 rows at a time
        while q + 4 <= t:
            a0, a1, a2, a3 = a[q], a[q + 1], a[q + 2], a[q + 3]
            y0, y1, y2, y3 = y[q], y[q + 1], y[q + 2], y[q + 3]
            for i in range(m):
                c0, c1, c2, c3 = Ct[q, i], Ct[q + 1, i], Ct[q + 2, i], Ct[q + 3, i]
                r[i] = r[i] - a0 * c0 - a1 * c1 - a2 * c2 - a3 * c3
                w[i] = w[i] + y0 * c0 + y1 * c1 + y2 * c2 + y3 * c3
                v[i] = v[i] - a0 * Vt[q, i] - a1 * Vt[q + 1, i] - a2 * Vt[q + 2, i] - a3 * Vt[q + 3, i]
            q += 4
        while q < t:
            aq = a[q]
            yq = y[q]
            for i in range(m):
                ct = Ct[q, i]
                r[i] -= aq * ct
                w[i] += yq * ct
                v[i] -= aq * Vt[q, i]
            q += 1
        cc = 0.0
        for i in range(m):
            r[i] *= s                              # c
            v[i] *= s                              # S M c
            cc += r[i] * r[i]
        if full:
            zz = 0.0
            for l in range(p):
                acc = 0.0
                for i in range(m):
                    acc += Z[l, i] * r[i]
                zz += acc * acc
            cmc = theta * cc + (1.0 - theta) * zz
        else:
            cmc = cc
        for i in range(m):
            ci = r[i]
            num[i] -= ci * (2.0 * (v[i] - w[i]) - cmc * ci)
            d[i] -= ci * ci
            Ct[t, i] = ci
            Vt[t, i] = v[i]
        num[j] = -np.inf
        for q in range(t):
            G[t, q] = y[q]
            G[q, t] = y[q]
        G[t, t] = cmc
        ldiag[t] = sq
        t += 1
    return order, Ct, ldiag, t


def _greedy_steps_numpy(S, Y, Z, theta, full, num, d, thr, fast, width):
    """The numpy twin of :func:`_greedy_steps` (used where numba does not import)."""
    m = S.shape[0]
    Ct = np.empty((width, m))                      # rows: c_1, ..., c_t
    Vt = np.empty((width, m))                      # rows: S M c_1, ...
    G = np.empty((width, width))                   # C^T M C
    block = _block(m)
    cap = min(m, 2 * width + 4 * block)
    Bc = np.empty((cap, m))                        # cached rows of S M S
    slot = np.full(m, -1, dtype=np.int64)
    used = 0
    chosen = np.zeros(m, dtype=bool)
    order = np.empty(width, dtype=np.int64)
    gains = np.empty(m)
    ldiag = np.empty(width)                        # sqrt(R_jj + tau_j) at the picks
    t = 0                                          # columns of C so far
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
        if not ok_j:
            num[j] = -np.inf
            continue
        sq = np.sqrt(d[j])
        s = 1.0 / sq
        ldiag[t] = sq
        if step == width - 1:                      # the last column of C only (for the factor)
            c = S[j] - Ct[:t, j] @ Ct[:t]
            c *= s
            Ct[t] = c
            t += 1
            continue
        if slot[j] < 0:                            # B column j (and the next best ones) not cached
            nb = min(block, m - step)
            cand = np.argpartition(-gains, nb - 1)[:nb] if nb < m else np.arange(m)
            cand = cand[(slot[cand] < 0) & ~chosen[cand] & (d[cand] > thr)]
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
        a = Ct[:t, j]                              # C_j
        c = S[j] - a @ Ct[:t]                      # R[:, j]
        c *= s
        y = (Vt[:t, j] - G[:t, :t] @ a) * s        # C^T M c
        v = Vt[t]
        np.subtract(Bc[slot[j]], a @ Vt[:t], out=v)
        v *= s                                     # S M c
        u = v - y @ Ct[:t]                         # R M c
        if full:
            zc = Z @ c
            cmc = theta * float(c @ c) + (1.0 - theta) * float(zc @ zc)
        else:
            cmc = float(c @ c)
        u *= 2.0
        u -= cmc * c
        u *= c
        num -= u
        d -= c * c
        num[j] = -np.inf
        Ct[t] = c
        G[t, :t] = y
        G[:t, t] = y
        G[t, t] = cmc
        t += 1
    return order, Ct, ldiag, t


def spectral_prune(cov: ArrayLike, width: int, lam: float | None = None, theta: float = 1.0,
                   next_weight: ArrayLike | None = None,
                   method: Literal["greedy", "leverage", "random", "magnitude"] = "greedy",
                   rng: np.random.Generator | int | None = None, tau: float | ArrayLike | None = None, *,
                   check_psd: bool = True) -> SpectralPruneResult:
    r"""Select ``width`` nodes of a layer and the map that reconstructs the layer from them.

    .. math::

        \hat J = \arg\min_{|J| = m^\sharp}\ \theta L_A(J) + (1-\theta) L_B(J)
        \ \ (\text{greedily}),\qquad \hat A_J = \hat\Sigma_{FJ}(\hat\Sigma_{JJ}+I_\tau)^{-1}.

    Greedy selection adds, at each step, the node with the largest decrease
    :math:`r_j^\top M r_j / (R_{jj} + \tau_j)` of :math:`\mathrm{Tr}\,MR` (the first such node
    in index order; exact ties, as in a rank-deficient covariance with ``tau = 0``, are broken by
    rounding, so which of several tied nodes is taken may change between versions), with
    :math:`R \leftarrow R - r_jr_j^\top/(R_{jj}+\tau_j)` held as a partial Cholesky factor:
    :math:`O(m^2)` per step, no inverse per candidate, no :math:`m\times m` update; when every
    :math:`\tau_j > 0`, the map and the objective reuse that factor. ``"leverage"`` draws i.i.d.
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
    check_psd : bool, default True
        Certify that ``cov`` is positive semi-definite (one Cholesky factorisation,
        :math:`O(m^3/3)`: the largest cost of a greedy selection below :math:`m \approx 1000`).
        ``False`` skips that certificate only (``cov`` is still checked to be finite, square and
        symmetric), in the spirit of scipy's ``check_finite``: for a covariance known to be PSD,
        e.g. :math:`X^\top X/n`; on a matrix that is not PSD the selection is then meaningless.

    Returns
    -------
    SpectralPruneResult

    References
    ----------
    Suzuki et al., IJCAI 2020, §3–4 (objective, greedy selection and leverage sampling; constants
    as recalled, not checked against its text); Bach, JMLR 2017, Prop. 1 (leverage sampling).

    Examples
    --------
    For uncorrelated nodes with variances (4, 1, 9) and τ = 1, keeping node j lowers
    :math:`\mathrm{Tr}\,\Sigma = 14` by :math:`\Sigma_{jj}^2/(\Sigma_{jj}+1)` = 3.2, 0.5, 8.1:
    greedy keeps node 2 (loss 14 − 8.1 = 5.9, map column :math:`9/(9+1) = 0.9` on itself), then
    node 0 (loss 5.9 − 3.2 = 2.7, column :math:`4/5 = 0.8`).

    >>> import numpy as np
    >>> from theory.spectral import spectral_prune
    >>> r = spectral_prune(np.diag([4.0, 1.0, 9.0]), 1, lam=1.0)
    >>> r.keep.tolist(), np.round(r.A, 12).tolist(), round(r.loss, 12)
    ([2], [[0.0], [0.0], [0.9]], 5.9)
    >>> r = spectral_prune(np.diag([4.0, 1.0, 9.0]), 2, lam=1.0)
    >>> r.keep.tolist(), np.round(r.A, 12).tolist(), round(r.loss, 12)
    ([2, 0], [[0.0, 0.8], [0.0, 0.0], [0.9, 0.0]], 2.7)
    """
    if not isinstance(check_psd, (bool, np.bool_)):
        raise TypeError(f"`check_psd` must be True or False; got {check_psd!r}")
    S = _check_cov(cov, "cov", check_eigs=bool(check_psd))
    m = S.shape[0]
    width = as_int(width, "width", low=1, high=m)
    check_in(method, "method", SELECTION_METHODS)
    theta = _theta(theta)
    if lam is not None:
        lam = check_positive(lam, "lam")
    if lam is None and (tau is None or method == "leverage"):
        raise ValueError("`lam` is required (ridge of the leverage distribution / default tau)")
    Z = _next_weight(m, theta, next_weight)
    full = Z is not None and theta < 1.0           # M = theta I + (1 - theta) Z^T Z; else M = I
    Y = Z @ S if full else None                    # Z S, (p, m)
    gen = check_rng(rng)
    if tau is not None:
        _tau_vector(tau, m)
    counts = factor = None
    if method == "leverage":
        smp = _leverage_sample(S, width, lam, gen, None)
        keep = smp.keep
        counts = smp.counts
        t = smp.tau if tau is None else _tau_vector(tau, m)
    else:
        t = _tau_vector(lam if tau is None else tau, m)
        if method == "greedy":
            keep, factor = _greedy(S, theta, Z, t, width, Y=Y)
        elif method == "random":
            keep = np.sort(gen.choice(m, size=width, replace=False)).astype(np.int64)
        else:
            if next_weight is None:
                raise ValueError("`next_weight` is required for method='magnitude' (outgoing-weight norms)")
            norms = np.linalg.norm(Z, axis=0)
            keep = np.sort(np.argsort(-norms, kind="stable")[:width]).astype(np.int64)
    # A = S_FJ (S_JJ + I_tau)^{-1} as in _recon; Tr[M R] = Tr[M S] - Tr[M S_FJ A^T] (R = S - S_FJ A^T
    # as in _resid), O(m k) once A is known: no m x m residual.
    # With the greedy's factor, (S_JJ + I_tau)^{-1} S_JF = L^{-T} C^T: one triangular solve.
    SJ = S[keep]                                   # rows J = columns J (S symmetric), (k, m)
    if factor is not None:
        Ct, ldiag = factor
        L = np.tril(Ct[:, keep].T, -1)
        L.flat[::width + 1] = ldiag
        # X^T = C L^{-1}: BLAS trsm on the Fortran views L^T (upper, transposed back) and C = Ct^T.
        X = scipy.linalg.blas.dtrsm(1.0, L.T, Ct.T, side=1, lower=0, trans_a=1, overwrite_b=1).T
    else:
        X = _solve_psd(SJ[:, keep] + np.diag(t[keep]), SJ)
    A = _finite(X.T, "the reconstruction map")
    with np.errstate(over="ignore", invalid="ignore"):
        if full:
            trms = theta * float(np.trace(S)) + (1.0 - theta) * float(np.sum(Y * Z))
            MSJ = theta * SJ + (1.0 - theta) * (Y[:, keep].T @ Z)     # (M S_FJ)^T
        else:
            trms = float(np.trace(S))
            MSJ = SJ
        loss = trms - float(np.sum(MSJ * X))
    loss = max(float(_finite(loss, "the pruning loss")), 0.0)
    return SpectralPruneResult(keep=keep, A=A, loss=loss, tau=t, method=method, counts=counts)

