r"""Degrees of freedom of a layer covariance: exact, and randomized (Hutchinson, Hutch++) (private).

Re-exported by :mod:`theory.spectral`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike
import scipy.linalg

from .._checks import as_array, as_size, check_in, check_positive, check_rng
from ..claims import Measurement
from ._common import _check_cov

__all__ = ["degrees_of_freedom", "DofEstimate", "degrees_of_freedom_randomized"]


def degrees_of_freedom(cov_or_eigenvalues: ArrayLike, lam: float | ArrayLike) -> float | np.ndarray:
    r"""Degrees of freedom :math:`\hat N(\lambda)` of a covariance matrix (exact).

    .. math::

        \hat N(\lambda) = \mathrm{Tr}\big[\hat\Sigma(\hat\Sigma + \lambda I)^{-1}\big]
        = \sum_{j=1}^m \frac{\hat\mu_j}{\hat\mu_j + \lambda}.

    Parameters
    ----------
    cov_or_eigenvalues : array_like, shape (m, m) or (m,)
        A PSD covariance :math:`\hat\Sigma`, or its eigenvalues :math:`\hat\mu_j \ge 0`.
    lam : float or array_like of floats
        Ridge parameter(s) :math:`\lambda > 0`.

    Returns
    -------
    float or ndarray
        :math:`\hat N(\lambda) \in [0, \mathrm{rank}\,\hat\Sigma]`, decreasing in
        :math:`\lambda`; an array of the shape of ``lam`` when ``lam`` is an array.

    References
    ----------
    Suzuki et al., IJCAI 2020, definition of the degrees of freedom (standard);
    Caponnetto, De Vito, "Optimal rates for the regularized least-squares algorithm", Found.
    Comput. Math. 7 (2007) (effective dimension).

    Examples
    --------
    Eigenvalues 1 and 3 at :math:`\lambda = 1`: ``1/2 + 3/4 = 1.25``; at :math:`\lambda = 3`:
    ``1/4 + 3/6 = 0.75``. A covariance with these eigenvalues gives the same value.

    >>> import numpy as np
    >>> from theory.spectral import degrees_of_freedom
    >>> degrees_of_freedom([1.0, 3.0], 1.0), degrees_of_freedom(np.diag([1.0, 3.0]), 1.0)
    (1.25, 1.25)
    >>> degrees_of_freedom([1.0, 3.0], [1.0, 3.0]).tolist()
    [1.25, 0.75]
    """
    x = as_array(cov_or_eigenvalues, "cov_or_eigenvalues", ndim=(1, 2))
    lam_arr = as_array(lam, "lam", ndim=(0, 1), positive=True)
    if x.ndim == 2:
        mu = np.linalg.eigvalsh(_check_cov(x, "cov_or_eigenvalues", check_eigs=False))
        scale = max(1.0, float(np.max(np.abs(mu))))
        if mu[0] < -1e-10 * scale * mu.size:
            raise ValueError(f"`cov_or_eigenvalues` must be positive semi-definite; smallest eigenvalue "
                             f"is {mu[0]:.3g}")
        mu = np.clip(mu, 0.0, None)
    else:
        mu = as_array(x, "cov_or_eigenvalues", ndim=1, nonnegative=True)
    mu2, lam2 = mu[None, :], lam_arr.reshape(-1, 1)
    with np.errstate(over="ignore", divide="ignore"):
        den = mu2 + lam2
        # mu/(mu+lam), and 1/(1+lam/mu) where the sum overflows (eigenvalues near the float maximum)
        ratio = np.where(np.isfinite(den), mu2 / np.where(np.isfinite(den), den, 1.0),
                         1.0 / (1.0 + lam2 / np.where(mu2 > 0, mu2, 1.0)))
    out = ratio.sum(axis=1)
    return float(out[0]) if lam_arr.ndim == 0 else out


@dataclass(frozen=True)
class DofEstimate:
    r"""A randomized estimate of :math:`\hat N(\lambda)`.

    Attributes
    ----------
    value : float
        The estimate, in :math:`[0, m]`.
    se : float
        Its standard error (from the spread of the Hutchinson probes; 0 when the low-rank part
        captures the operator exactly).
    n_probes : int
        Number of Hutchinson probe vectors (Hutch++: those of the residual part; the sketch
        columns are counted in ``n_matvecs``).
    n_matvecs : int
        Number of applications of :math:`\hat\Sigma(\hat\Sigma+\lambda I)^{-1}` (linear solves).
    method : str
    """

    value: float
    se: float
    n_probes: int
    n_matvecs: int
    method: str


def _block_cg(matvec, B: np.ndarray, tol: float, maxiter: int) -> np.ndarray:
    """Solve A X = B column by column with conjugate gradients, vectorised over columns."""
    X = np.zeros_like(B)
    Rr = B.copy()
    P = Rr.copy()
    rs = np.sum(Rr * Rr, axis=0)
    b_norm = np.sqrt(np.sum(B * B, axis=0))
    b_norm[b_norm == 0] = 1.0
    for _ in range(maxiter):
        if np.all(np.sqrt(rs) <= tol * b_norm):
            return X
        AP = matvec(P)
        denom = np.sum(P * AP, axis=0)
        denom[denom == 0] = 1.0
        alpha = rs / denom
        X += P * alpha
        Rr -= AP * alpha
        rs_new = np.sum(Rr * Rr, axis=0)
        beta = rs_new / np.where(rs == 0, 1.0, rs)
        P = Rr + P * beta
        rs = rs_new
    if not np.all(np.sqrt(rs) <= 1e3 * tol * b_norm):
        raise ValueError(f"conjugate gradients did not converge in `maxiter`={maxiter} iterations; "
                         "use solver='cholesky' or a larger `lam`")
    return X


def degrees_of_freedom_randomized(cov: ArrayLike, lam: float, n_probes: int = 30,
                                  rng: np.random.Generator | int | None = None,
                                  method: Literal["hutch++", "hutchinson"] = "hutch++",
                                  solver: Literal["cholesky", "cg"] = "cholesky", tol: float = 1e-10,
                                  maxiter: int = 1000) -> DofEstimate:
    r"""Randomized :math:`\hat N(\lambda)` by Hutch++ or Hutchinson with linear solves, with a standard error.

    .. math::

        \hat N(\lambda) = \mathrm{Tr}\,A,\quad A = \hat\Sigma(\hat\Sigma+\lambda I)^{-1}
        = I - \lambda(\hat\Sigma + \lambda I)^{-1};\qquad
        \text{Hutchinson: } \frac1k\sum_{i=1}^k g_i^\top A g_i,\ g_i \in \{\pm1\}^m;

    .. math::

        \text{Hutch++: } Q = \mathrm{orth}(AS),\ \ \mathrm{Tr}(Q^\top A Q) +
        \frac1{k_2}\sum_{i=1}^{k_2} g_i^\top (I-QQ^\top)A(I-QQ^\top)g_i,

    with :math:`S` and :math:`g_i` Rademacher; the standard error is the sample standard deviation
    of the :math:`k_2` probe terms over :math:`\sqrt{k_2}` (conditional on :math:`Q`). Each
    application of :math:`A` is a linear solve with :math:`\hat\Sigma + \lambda I`: one Cholesky
    factorisation (``solver="cholesky"``, :math:`m^3/3` flops once, then :math:`O(m^2)` per probe,
    no eigendecomposition) or matrix-free conjugate gradients (``solver="cg"``).

    Parameters
    ----------
    cov : array_like, shape (m, m)
        Symmetric PSD :math:`\hat\Sigma`. PSD-ness is checked for every solver by one Cholesky
        factorisation of :math:`\hat\Sigma + tI` with a round-off tolerance
        :math:`t = 10^{-10}\max(1, \max|\hat\Sigma_{ij}|)\,m` (no eigendecomposition).
    lam : float
        :math:`\lambda > 0`.
    n_probes : int, default 30
        Total matrix applications :math:`k \ge 3` (Hutch++: :math:`k/3` sketch columns and
        :math:`k - 2k/3` residual probes; Hutchinson: :math:`k` probes, >= 2); at most
        :math:`10^8/m` (the probe matrix is :math:`m \times k`).
    rng : None, int or numpy.random.Generator
    method : {"hutch++", "hutchinson"}, default "hutch++"
    solver : {"cholesky", "cg"}, default "cholesky"
    tol : float, default 1e-10
        Relative residual tolerance of conjugate gradients.
    maxiter : int, default 1000
        Conjugate-gradient iteration cap.

    Returns
    -------
    DofEstimate
        ``value`` is clipped to :math:`[0, m]`, where :math:`\hat N(\lambda)` lies (the
        probe noise of Hutch++ can otherwise exceed :math:`m` slightly).

    References
    ----------
    Hutchinson, "A stochastic estimator of the trace of the influence matrix for Laplacian
    smoothing splines", Comm. Statist. Simul. Comput. 18 (1989); Meyer, Musco, Musco, Woodruff,
    "Hutch++: optimal stochastic trace estimation", SOSA 2021, Algorithm 1.

    Examples
    --------
    For :math:`\hat\Sigma = 2I_4` and :math:`\lambda = 1`, :math:`A = \tfrac23 I`, so every
    Rademacher probe gives :math:`g^\top A g = \tfrac23 \cdot 4 = 8/3` (standard error 0). With at
    least :math:`m` sketch columns Hutch++ captures :math:`A` exactly: for eigenvalues ``1, 3, 0``
    it returns ``1/2 + 3/4 + 0 = 1.25``.

    >>> import numpy as np
    >>> from theory.spectral import degrees_of_freedom_randomized
    >>> est = degrees_of_freedom_randomized(2 * np.eye(4), 1.0, n_probes=5, rng=0, method="hutchinson")
    >>> round(est.value, 10), est.se
    (2.6666666667, 0.0)
    >>> est = degrees_of_freedom_randomized(np.diag([1.0, 3.0, 0.0]), 1.0, n_probes=9, rng=0)
    >>> round(est.value, 10), round(est.se, 10)
    (1.25, 0.0)
    """
    check_in(method, "method", ("hutch++", "hutchinson"))
    check_in(solver, "solver", ("cholesky", "cg"))
    S_cov = _check_cov(cov, "cov", check_eigs=False)
    lam = check_positive(lam, "lam")
    m = S_cov.shape[0]
    # the probe matrices are (m, n_probes): refuse what cannot be held in memory
    n_probes = as_size(n_probes, "n_probes", low=3 if method == "hutch++" else 2,
                       high=max(3, _MAX_PROBE_ENTRIES // m))
    tol = check_positive(tol, "tol")
    maxiter = as_size(maxiter, "maxiter")
    gen = check_rng(rng)
    _check_psd_cholesky(S_cov)
    shifted = S_cov + lam * np.eye(m)
    if solver == "cholesky":
        try:
            c = scipy.linalg.cho_factor(shifted, lower=True, check_finite=False)
        except np.linalg.LinAlgError:
            raise ValueError("`cov` must be positive semi-definite (cov + lam I is not positive definite)") from None

        def solve(B):
            return scipy.linalg.cho_solve(c, B, check_finite=False)
    else:
        def solve(B):
            return _block_cg(lambda P: shifted @ P, B, tol, maxiter)

    count = [0]

    def apply_A(B):
        count[0] += B.shape[1]
        return B - lam * solve(B)

    if method == "hutchinson":
        G = gen.choice(np.array([-1.0, 1.0]), size=(m, n_probes))
        vals = np.sum(G * apply_A(G), axis=0)
        _check_probe_values(vals)
        est = Measurement.from_samples(vals)
        return DofEstimate(_clip_dof(est.value, m), est.se, n_probes, count[0], method)
    k1 = max(1, n_probes // 3)
    k2 = max(2, n_probes - 2 * k1)
    S = gen.choice(np.array([-1.0, 1.0]), size=(m, k1))
    Q, _ = np.linalg.qr(apply_A(S))
    low = float(np.trace(Q.T @ apply_A(Q)))
    G = gen.choice(np.array([-1.0, 1.0]), size=(m, k2))
    Gp = G - Q @ (Q.T @ G)
    AGp = apply_A(Gp)
    AGp = AGp - Q @ (Q.T @ AGp)
    vals = np.sum(Gp * AGp, axis=0)
    _check_probe_values(vals)
    if not np.isfinite(low):
        raise ValueError("`cov` gave a non-finite sketch trace; the estimate is undefined")
    est = Measurement.from_samples(vals)
    se = est.se
    value = low + est.value
    return DofEstimate(_clip_dof(value, m), se, k2, count[0], method)


#: Most entries of one (m, n_probes) probe matrix of :func:`degrees_of_freedom_randomized`.
_MAX_PROBE_ENTRIES = 10**8


def _check_psd_cholesky(S: np.ndarray) -> None:
    """Refuse a non-PSD ``cov`` by one Cholesky factorisation of ``cov + t I`` (no eigendecomposition).

    ``t = 1e-10 · max(1, max|cov|) · m`` is the tolerance of the eigenvalue checks of the package:
    the factorisation exists iff the smallest eigenvalue exceeds ``-t`` (up to round-off).
    """
    m = S.shape[0]
    scale = max(1.0, float(np.max(np.abs(S))))
    try:
        scipy.linalg.cholesky(S + (1e-10 * scale * m) * np.eye(m), lower=True, check_finite=False)
    except np.linalg.LinAlgError:
        raise ValueError("`cov` must be positive semi-definite (its Cholesky factorisation fails: "
                         "an eigenvalue is negative)") from None


def _check_probe_values(vals):
    if not np.all(np.isfinite(vals)):
        raise ValueError("`cov` gave non-finite probe values (overflow); the estimate is undefined")


def _clip_dof(value: float, m: int) -> float:
    """The estimate clipped to [0, m], where N(λ) lies for a PSD ``cov`` (round-off and probe noise)."""
    return float(min(max(value, 0.0), float(m)))
