r"""Validation and linear-algebra helpers shared by the spectral-pruning submodules (private)."""

from __future__ import annotations

import numpy as np
import scipy.linalg
import scipy.linalg.lapack

from .._checks import as_array, as_float, check_nonnegative

#: The node-selection rules of :func:`theory.spectral.spectral_prune` and
#: :func:`theory.spectral.prune_network`.
SELECTION_METHODS = ("greedy", "leverage", "random", "magnitude")


# Rows per block of the symmetry check (a block and its transposed partner stay in cache).
_SYM_BLOCK = 64


def _check_cov(cov, name: str = "cov", *, check_eigs: bool = True) -> np.ndarray:
    r"""Square, symmetric, PSD (when ``check_eigs``), exactly symmetrised.

    Symmetry: :math:`\max|\Sigma - \Sigma^\top| \le 10^{-8}\,s` with
    :math:`s = \max(1, \max|\Sigma|)`, checked and symmetrised block by block. PSD: the smallest
    eigenvalue must be :math:`\ge -10^{-10} s\, m`; certified by a Cholesky factorisation of
    :math:`\Sigma + 5\cdot10^{-11} s\, m\, I` (a third of the cost of ``eigvalsh``), and only
    when that fails is the smallest eigenvalue computed, to decide and to report it.
    """
    arr = as_array(cov, name, ndim=2)
    if arr.shape[0] != arr.shape[1]:
        raise ValueError(f"`{name}` must be a square matrix; got shape {arr.shape}")
    m = arr.shape[0]
    scale = max(1.0, float(arr.max()), -float(arr.min()))
    atol = 1e-8 * scale
    out = np.empty((m, m))
    for i0 in range(0, m, _SYM_BLOCK):
        i1 = min(i0 + _SYM_BLOCK, m)
        blk = out[i0:i1]
        np.subtract(arr[i0:i1], arr[:, i0:i1].T, out=blk)
        if float(np.max(np.abs(blk, out=blk))) > atol:
            raise ValueError(f"`{name}` must be symmetric")
        np.add(arr[i0:i1], arr[:, i0:i1].T, out=blk)
        blk *= 0.5
    if check_eigs:
        tol = 1e-10 * scale * m
        work = out.copy().T                        # Fortran order; equal to `out` (symmetric)
        work.flat[::m + 1] += 0.5 * tol
        _, info = scipy.linalg.lapack.dpotrf(work, lower=1, clean=0, overwrite_a=1)
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
