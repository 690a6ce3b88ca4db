r"""Validation and linear-algebra helpers shared by the spectral-pruning submodules (private)."""

from __future__ import annotations

import numpy as np
import scipy.linalg
import scipy.linalg.lapack

from .._checks import as_array, as_float, check_nonnegative
from .._numba import HAVE_NUMBA, njit

#: The node-selection rules of :func:`theory.spectral.spectral_prune` and
#: :func:`theory.spectral.prune_network`.
SELECTION_METHODS = ("greedy", "leverage", "random", "magnitude")


# Rows per block of the symmetry check (a block and its transposed partner stay in cache).
_SYM_BLOCK = 64


@njit(cache=True)
def _symmetrize_kernel(a, out, atol):  # pragma: no cover - compiled by numba (the pure-Python run is tested)
    """``out = (a + a^T) / 2`` tile by tile; False (``out`` partly written) if some ``|a_ij - a_ji| > atol``.

    The compiled twin of the numpy loop of :func:`_symmetrize`: the same test and the same
    rounding (``(a_ij + a_ji) * 0.5``). Each tile below the diagonal is read once, its
    transposed partner once (through a small buffer, so that both are read along rows).
    """
    m = a.shape[0]
    bs = 32
    buf = np.empty((bs, bs))
    for i0 in range(0, m, bs):
        ni = min(i0 + bs, m) - i0
        for j0 in range(0, i0 + 1, bs):
            nj = min(j0 + bs, m) - j0
            if ni == bs and nj == bs:              # full tile: constant trip counts
                for jj in range(bs):               # buf = the partner tile, transposed
                    for ii in range(bs):
                        buf[ii, jj] = a[j0 + jj, i0 + ii]
                worst = 0.0
                for ii in range(bs):
                    for jj in range(bs):
                        x = a[i0 + ii, j0 + jj]
                        y = buf[ii, jj]
                        worst = max(worst, abs(x - y))
                        v = (x + y) * 0.5
                        out[i0 + ii, j0 + jj] = v
                        buf[ii, jj] = v
                if worst > atol:
                    return False
                for jj in range(bs):
                    for ii in range(bs):
                        out[j0 + jj, i0 + ii] = buf[ii, jj]
            else:
                for jj in range(nj):
                    for ii in range(ni):
                        buf[ii, jj] = a[j0 + jj, i0 + ii]
                worst = 0.0
                for ii in range(ni):
                    for jj in range(nj):
                        x = a[i0 + ii, j0 + jj]
                        y = buf[ii, jj]
                        worst = max(worst, abs(x - y))
                        v = (x + y) * 0.5
                        out[i0 + ii, j0 + jj] = v
                        buf[ii, jj] = v
                if worst > atol:
                    return False
                for jj in range(nj):
                    for ii in range(ni):
                        out[j0 + jj, i0 + ii] = buf[ii, jj]
    return True


def _symmetrize(arr: np.ndarray, atol: float, use_numba: bool | None = None):
    """``(arr + arr^T) / 2`` (a new C-ordered array), or None if ``max|arr - arr^T| > atol``."""
    m = arr.shape[0]
    out = np.empty((m, m))
    if HAVE_NUMBA if use_numba is None else use_numba:
        return out if _symmetrize_kernel(arr, out, atol) else None
    for i0 in range(0, m, _SYM_BLOCK):
        i1 = min(i0 + _SYM_BLOCK, m)
        blk = out[i0:i1]
        np.subtract(arr[i0:i1], arr[:, i0:i1].T, out=blk)
        if float(np.max(np.abs(blk, out=blk))) > atol:
            return None
        np.add(arr[i0:i1], arr[:, i0:i1].T, out=blk)
        blk *= 0.5
    return out


@njit(cache=True)
def _mirror_lower_kernel(a):  # pragma: no cover - compiled by numba (the pure-Python run is tested)
    """``a[j, i] = a[i, j]`` for ``i > j``: the strict upper triangle from the strict lower one, tile by tile."""
    m = a.shape[0]
    bs = 32
    buf = np.empty((bs, bs))
    for i0 in range(0, m, bs):
        ni = min(i0 + bs, m) - i0
        for j0 in range(0, i0, bs):                # tiles strictly below the diagonal
            nj = min(j0 + bs, m) - j0
            if ni == bs and nj == bs:
                for ii in range(bs):               # buf = the lower tile, transposed
                    for jj in range(bs):
                        buf[jj, ii] = a[i0 + ii, j0 + jj]
                for jj in range(bs):
                    for ii in range(bs):
                        a[j0 + jj, i0 + ii] = buf[jj, ii]
            else:
                for ii in range(ni):
                    for jj in range(nj):
                        buf[jj, ii] = a[i0 + ii, j0 + jj]
                for jj in range(nj):
                    for ii in range(ni):
                        a[j0 + jj, i0 + ii] = buf[jj, ii]
        for ii in range(1, ni):                    # the diagonal tile
            for jj in range(ii):
                a[i0 + jj, i0 + ii] = a[i0 + ii, i0 + jj]


def _mirror_lower(a: np.ndarray, use_numba: bool | None = None) -> None:
    """Overwrite the strict upper triangle of the square C-ordered ``a`` by its strict lower one, in place."""
    m = a.shape[0]
    if HAVE_NUMBA if use_numba is None else use_numba:
        _mirror_lower_kernel(a)
        return
    for i0 in range(0, m, _SYM_BLOCK):
        i1 = min(i0 + _SYM_BLOCK, m)
        a[i0:i1, i1:] = a[i1:, i0:i1].T
        blk = a[i0:i1, i0:i1]
        iu = np.triu_indices(i1 - i0, 1)
        blk[iu] = blk.T[iu]


def _check_cov(cov, name: str = "cov", *, check_eigs: bool = True) -> np.ndarray:
    r"""Square, symmetric, PSD (when ``check_eigs``), exactly symmetrised.

    Symmetry: :math:`\max|\Sigma - \Sigma^\top| \le 10^{-8}\,s` with
    :math:`s = \max(1, \max|\Sigma|)`, checked and symmetrised tile by tile (compiled where numba
    imports). PSD: the smallest eigenvalue must be :math:`\ge -10^{-10} s\, m`; certified by a
    Cholesky factorisation of :math:`\Sigma + 5\cdot10^{-11} s\, m\, I` (a third of the cost of
    ``eigvalsh``), and only when that fails is the smallest eigenvalue computed, to decide and to
    report it. The factorisation runs in place in the returned array's upper triangle (its
    lower triangle and its diagonal are kept, and the upper triangle is restored from them), so
    that no second :math:`m\times m` array is allocated.
    """
    arr = as_array(cov, name, ndim=2)
    if arr.shape[0] != arr.shape[1]:
        raise ValueError(f"`{name}` must be a square matrix; got shape {arr.shape}")
    m = arr.shape[0]
    scale = max(1.0, float(arr.max()), -float(arr.min()))
    out = _symmetrize(arr, 1e-8 * scale)
    if out is None:
        raise ValueError(f"`{name}` must be symmetric")
    if check_eigs:
        tol = 1e-10 * scale * m
        diag = out.diagonal().copy()
        out.flat[::m + 1] += 0.5 * tol
        # out.T is Fortran-ordered: LAPACK's lower triangle of it is out's upper one (diagonal included).
        _, info = scipy.linalg.lapack.dpotrf(out.T, lower=1, clean=0, overwrite_a=1)
        _mirror_lower(out)
        out.flat[::m + 1] = diag
        if info != 0:
            eig_min = float(np.linalg.eigvalsh(out)[0])
            if eig_min < -tol:
                raise ValueError(f"`{name}` must be positive semi-definite; smallest eigenvalue is {eig_min:.3g}")
    return out


def _check_keep(keep, m: int, name: str = "keep") -> np.ndarray:
    arr = np.asarray(keep)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"`{name}` must be a non-empty 1-D sequence of node indices")
    if not np.issubdtype(arr.dtype, np.integer):
        if np.issubdtype(arr.dtype, np.floating) and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
            arr = arr.astype(np.int64)
        else:
            raise ValueError(f"`{name}` must hold integer node indices")
    arr = arr.astype(np.int64)
    if arr.min() < 0 or arr.max() >= m:
        raise ValueError(f"`{name}` indices must lie in [0, {m - 1}]")
    if np.unique(arr).size != arr.size:
        raise ValueError(f"`{name}` must not repeat a node")
    return arr


def _tau_vector(tau, m: int, name: str = "tau") -> np.ndarray:
    """Scalar τ -> τ·1_m; a length-m vector of per-node weights >= 0 is kept."""
    t = as_array(tau, name, ndim=(0, 1), nonnegative=True)
    if t.ndim == 0:
        return np.full(m, check_nonnegative(t, name))
    return as_array(t, name, ndim=1, shape=(m,), nonnegative=True)


def _theta(theta) -> float:
    return as_float(theta, "theta", low=0.0, high=1.0)


def _weight_matrix(cov_m: int, theta: float, next_weight) -> np.ndarray:
    """M = θ I + (1-θ) Zᵀ Z (the trace weight of the mixed objective)."""
    if theta < 1.0 and next_weight is None:
        raise ValueError("`next_weight` is required when `theta` < 1 (output-aware loss)")
    M = theta * np.eye(cov_m)
    if next_weight is not None:
        Z = _check_next_weight(next_weight, cov_m)
        if theta < 1.0:
            with np.errstate(over="ignore", invalid="ignore"):
                M = M + (1.0 - theta) * (Z.T @ Z)
            if not np.all(np.isfinite(M)):
                raise ValueError("`next_weight` is too large: Zᵀ Z overflows")
    return M


def _check_next_weight(next_weight, m: int) -> np.ndarray:
    """A finite (p, m) array: one column per node of the layer."""
    Z = as_array(next_weight, "next_weight", ndim=2)
    if Z.shape[1] != m:
        raise ValueError(f"`next_weight` must have {m} columns (one per node); got shape {Z.shape}")
    return Z


def _next_weight(m: int, theta: float, next_weight) -> np.ndarray | None:
    r"""The checked ``Z`` (or None) with the refusals of :func:`_weight_matrix`, without forming M.

    :math:`|(Z^\top Z)_{ij}| \le \lVert z_i\rVert\lVert z_j\rVert`, so column norms well inside
    the float range certify that :math:`M` is finite; only otherwise is :math:`M` formed (and
    refused if it overflows), exactly as :func:`_weight_matrix` decides.
    """
    if theta < 1.0 and next_weight is None:
        raise ValueError("`next_weight` is required when `theta` < 1 (output-aware loss)")
    if next_weight is None:
        return None
    Z = _check_next_weight(next_weight, m)
    if theta < 1.0:
        with np.errstate(over="ignore", invalid="ignore"):
            sq = np.einsum("ij,ij->j", Z, Z)
        if not (np.all(np.isfinite(sq)) and float(np.max(sq)) <= 1e300):
            _weight_matrix(m, theta, Z)
    return Z


def _solve_psd(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """A⁻¹B for symmetric PSD A; minimum-norm (pseudo-inverse) solution when A is singular."""
    try:
        c = scipy.linalg.cho_factor(A, lower=True, check_finite=False)
        X = scipy.linalg.cho_solve(c, B, check_finite=False)
        if np.all(np.isfinite(X)):
            # Cholesky of a numerically singular matrix can succeed with a tiny pivot; accept the
            # solution only if the relative residual is small.
            res = np.linalg.norm(A @ X - B) / max(np.linalg.norm(B), 1e-300)
            if res < 1e-8:
                return X
    except (np.linalg.LinAlgError, ValueError):
        pass
    return np.linalg.pinv(A, rcond=1e-12, hermitian=True) @ B


def _finite(x, what: str, name: str = "cov"):
    """``x`` if all its entries are finite; else a ValueError blaming ``name`` (overflow)."""
    if not np.all(np.isfinite(x)):
        raise ValueError(f"`{name}` is too large: {what} is not finite (overflow)")
    return x
