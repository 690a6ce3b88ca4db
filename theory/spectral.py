"""Spectral pruning and degrees of freedom (Suzuki et al., IJCAI 2020).

A layer's outputs :math:`\\phi(x) \\in \\mathbb R^m` have the uncentred empirical covariance
:math:`\\hat\\Sigma = \\frac1n \\sum_i \\phi(x_i)\\phi(x_i)^\\top`. Spectral pruning keeps a subset
:math:`J` of the :math:`m` nodes and reconstructs all of them linearly from the kept ones,
:math:`\\phi \\approx \\hat A_J \\phi_J`, with the ridge-regularised least-squares map
:math:`\\hat A_J = \\hat\\Sigma_{FJ}(\\hat\\Sigma_{JJ} + I_\\tau)^{-1}` (:math:`F = [m]`). The
pruned network keeps rows :math:`J` of :math:`W^{(\\ell)}, b^{(\\ell)}` and replaces the next
weight by :math:`W^{(\\ell+1)}\\hat A_J`: a genuinely smaller dense network.

Everything here is expressed through the *ridge residual covariance*

.. math::

    R_\\tau(J) = \\hat\\Sigma - \\hat\\Sigma_{FJ}(\\hat\\Sigma_{JJ} + I_\\tau)^{-1}\\hat\\Sigma_{JF},
    \\qquad \\alpha^\\top R_\\tau(J)\\,\\alpha = \\min_{a}\\ \\lVert\\alpha^\\top\\phi - a^\\top\\phi_J
    \\rVert_n^2 + a^\\top I_\\tau a,

so the input-aware loss is :math:`L_A = \\mathrm{Tr}\\,R_\\tau(J)`, the output-aware loss with the
next weight :math:`Z` is :math:`L_B = \\mathrm{Tr}\\,Z R_\\tau(J) Z^\\top`, and their mixture is
:math:`\\theta L_A + (1-\\theta)L_B = \\mathrm{Tr}\\,M R_\\tau(J)` with
:math:`M = \\theta I + (1-\\theta)Z^\\top Z`. Adding node :math:`j` updates :math:`R` by a rank-one
Schur complement, :math:`R \\leftarrow R - r_j r_j^\\top/(R_{jj} + \\tau_j)`, which the greedy
selection uses (it never re-inverts per candidate).

What was verified against the papers, and what was not
------------------------------------------------------
The library's search tool returned only the abstracts and introductions of Suzuki et al. (IJCAI
2020; arXiv:1808.08558) and of Bach (JMLR 2017), not their theorem statements, so the following
are **as recalled; see THEORY.md §7** and are named arguments everywhere:

- the form of the regulariser :math:`I_\\tau = \\mathrm{diag}(\\tau_j)` and of the mixing weight
  :math:`\\theta` (Suzuki et al., §3);
- the sampling width :math:`m^\\sharp(\\lambda,\\delta) = 5\\hat N(\\lambda)\\log(80\\hat
  N(\\lambda)/\\delta)` (Suzuki et al., Thm. 1; Bach 2017, Prop. 1 has the same shape with 16 in
  place of 80 as recalled) and the error constant 4 in :math:`\\lambda_{\\max}(R_\\tau) \\le
  4\\lambda`;
- the generalisation bound's constants (bias :math:`\\sum_\\ell \\mathrm{Lip}_\\ell\\sqrt{\\cdot}`,
  variance :math:`\\sqrt{\\sum_\\ell m^\\sharp_\\ell m^\\sharp_{\\ell+1}\\log(\\cdot)/n}`).

The per-node weights :math:`\\tau_j = \\lambda\\, s\\, q_j / c_j` used after leverage sampling
(:func:`leverage_sample`) are *derived* here: with importance weights :math:`1/\\sqrt{s q_j}` the
ridge problem of the sketch is exactly the :math:`R_\\tau` problem above (a node drawn
:math:`c_j` times merges its copies), and a spectral approximation
:math:`(1-\\varepsilon)(K+\\lambda I) \\preceq \\tilde K + \\lambda I` of the sample Gram matrix
gives :math:`\\lambda_{\\max}(R_\\tau) \\le \\lambda/(1-\\varepsilon)`, i.e. :math:`4\\lambda` at
:math:`\\varepsilon = 3/4` (the shape of Bach's Prop. 1). The bias bound of
:func:`compression_bias_bound` is derived (telescoping over layers plus Lipschitz constants) and
holds deterministically; tests check it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.linalg

from ._checks import as_array, as_float, as_int, check_in, check_nonnegative, check_positive, check_rng
from .claims import Claim, Measurement, register

__all__ = [
    "degrees_of_freedom",
    "DofEstimate",
    "degrees_of_freedom_randomized",
    "ridge_leverage_scores",
    "residual_covariance",
    "reconstruction_matrix",
    "reconstruction_error",
    "pruning_loss",
    "SpectralPruneResult",
    "spectral_prune",
    "LeverageSample",
    "leverage_sample",
    "leverage_sampling_width",
    "leverage_reconstruction_guarantee",
    "lambda_for_width",
    "CompressionBound",
    "compression_bias_bound",
    "compression_variance_term",
    "compression_generalization_bound",
    "activation_covariance",
    "PruneResult",
    "prune_network",
    "ACTIVATION_LIPSCHITZ",
    "SELECTION_METHODS",
    "SPECTRAL_OUTPUT_DISTORTION",
    "SPECTRAL_LEVERAGE_GUARANTEE",
    "SPECTRAL_GENERALIZATION",
    "SPECTRAL_GREEDY_VS_MAGNITUDE",
    "SPECTRAL_GREEDY_VS_RANDOM",
    "SPECTRAL_TARGET_COVARIANCE",
]

SUZUKI = ("Suzuki, Abe, Murata, Horiuchi, Ito, Wachi, Hirai, Yukishima, Nishimura, IJCAI 2020, "
          "'Spectral pruning'")
BACH = "Bach, JMLR 18 (2017), 'On the equivalence between kernel quadrature rules and random feature expansions'"

SELECTION_METHODS = ("greedy", "leverage", "random", "magnitude")

# Lipschitz constants of the activations of theory.testbeds.nets.ACTIVATIONS (sup |σ'|).
# GELU: max_x d/dx[x Φ(x)] = 1.1289... at x = sqrt(2); sigmoid: 1/4 at 0.
ACTIVATION_LIPSCHITZ = {"relu": 1.0, "tanh": 1.0, "sigmoid": 0.25, "softplus": 1.0,
                        "identity": 1.0, "gelu": 1.1289}


# ---------------------------------------------------------------------------------------------
# Validation helpers
# ---------------------------------------------------------------------------------------------

def _check_cov(cov, name: str = "cov", *, check_eigs: bool = True) -> np.ndarray:
    """Square, symmetric, PSD (one eigvalsh when ``check_eigs``), exactly symmetrised."""
    arr = as_array(cov, name, ndim=2)
    if arr.shape[0] != arr.shape[1]:
        raise ValueError(f"`{name}` must be a square matrix; got shape {arr.shape}")
    scale = max(1.0, float(np.max(np.abs(arr))))
    if not np.allclose(arr, arr.T, atol=1e-8 * scale, rtol=0):
        raise ValueError(f"`{name}` must be symmetric")
    arr = 0.5 * (arr + arr.T)
    if check_eigs:
        eig_min = float(np.linalg.eigvalsh(arr)[0])
        if eig_min < -1e-10 * scale * arr.shape[0]:
            raise ValueError(f"`{name}` must be positive semi-definite; smallest eigenvalue is {eig_min:.3g}")
    return arr


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
    t = np.asarray(tau, dtype=float) if not np.isscalar(tau) else None
    if t is None or t.ndim == 0:
        return np.full(m, check_nonnegative(tau, name))
    return as_array(t, name, ndim=1, shape=(m,), nonnegative=True)


def _theta(theta) -> float:
    return as_float(theta, "theta", low=0.0, high=1.0)


def _weight_matrix(cov_m: int, theta: float, next_weight) -> np.ndarray:
    """M = θ I + (1-θ) Zᵀ Z (the trace weight of the mixed objective)."""
    if theta < 1.0 and next_weight is None:
        raise ValueError("`next_weight` is required when `theta` < 1 (output-aware loss)")
    M = theta * np.eye(cov_m)
    if next_weight is not None and theta < 1.0:
        Z = as_array(next_weight, "next_weight", ndim=2)
        if Z.shape[1] != cov_m:
            raise ValueError(f"`next_weight` must have {cov_m} columns (one per node); got shape {Z.shape}")
        M = M + (1.0 - theta) * (Z.T @ Z)
    return M


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


# ---------------------------------------------------------------------------------------------
# Degrees of freedom
# ---------------------------------------------------------------------------------------------

def degrees_of_freedom(cov_or_eigenvalues, lam):
    """Degrees of freedom :math:`\\hat N(\\lambda)` of a covariance matrix (exact).

    .. math::

        \\hat N(\\lambda) = \\mathrm{Tr}\\big[\\hat\\Sigma(\\hat\\Sigma + \\lambda I)^{-1}\\big]
        = \\sum_{j=1}^m \\frac{\\hat\\mu_j}{\\hat\\mu_j + \\lambda}.

    Parameters
    ----------
    cov_or_eigenvalues : array_like, shape (m, m) or (m,)
        A PSD covariance :math:`\\hat\\Sigma`, or its eigenvalues :math:`\\hat\\mu_j \\ge 0`.
    lam : float or array_like of floats
        Ridge parameter(s) :math:`\\lambda > 0`.

    Returns
    -------
    float or ndarray
        :math:`\\hat N(\\lambda) \\in [0, \\mathrm{rank}\\,\\hat\\Sigma]`, decreasing in
        :math:`\\lambda`; an array of the shape of ``lam`` when ``lam`` is an array.

    References
    ----------
    Suzuki et al., IJCAI 2020, definition of the degrees of freedom (THEORY.md §7, [std]);
    Caponnetto, De Vito, "Optimal rates for the regularized least-squares algorithm", Found.
    Comput. Math. 7 (2007) (effective dimension).
    """
    x = np.asarray(cov_or_eigenvalues, dtype=float) if not isinstance(cov_or_eigenvalues, np.ndarray) \
        else cov_or_eigenvalues.astype(float, copy=False)
    if x.ndim == 2:
        mu = np.linalg.eigvalsh(_check_cov(x, "cov_or_eigenvalues", check_eigs=False))
        scale = max(1.0, float(np.max(np.abs(mu))))
        if mu[0] < -1e-10 * scale * mu.size:
            raise ValueError(f"`cov_or_eigenvalues` must be positive semi-definite; smallest eigenvalue "
                             f"is {mu[0]:.3g}")
        mu = np.clip(mu, 0.0, None)
    elif x.ndim == 1:
        mu = as_array(x, "cov_or_eigenvalues", ndim=1, nonnegative=True)
    else:
        raise ValueError(f"`cov_or_eigenvalues` must be a (m, m) covariance or (m,) eigenvalues; got ndim={x.ndim}")
    lam_arr = as_array(lam, "lam", ndim=(0, 1), positive=True)
    out = (mu[None, :] / (mu[None, :] + lam_arr.reshape(-1, 1))).sum(axis=1)
    return float(out[0]) if lam_arr.ndim == 0 else out


@dataclass(frozen=True)
class DofEstimate:
    """A randomized estimate of :math:`\\hat N(\\lambda)`.

    Attributes
    ----------
    value : float
        The estimate.
    se : float
        Its standard error (from the spread of the Hutchinson probes; 0 when the low-rank part
        captures the operator exactly).
    n_probes : int
        Number of Hutchinson probe vectors (Hutch++: those of the residual part; the sketch
        columns are counted in ``n_matvecs``).
    n_matvecs : int
        Number of applications of :math:`\\hat\\Sigma(\\hat\\Sigma+\\lambda I)^{-1}` (linear solves).
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


def degrees_of_freedom_randomized(cov, lam, n_probes=30, rng=None, method="hutch++", solver="cholesky",
                                  tol=1e-10, maxiter=1000) -> DofEstimate:
    """Randomized :math:`\\hat N(\\lambda)` by Hutch++ or Hutchinson with linear solves, with a standard error.

    .. math::

        \\hat N(\\lambda) = \\mathrm{Tr}\\,A,\\quad A = \\hat\\Sigma(\\hat\\Sigma+\\lambda I)^{-1}
        = I - \\lambda(\\hat\\Sigma + \\lambda I)^{-1};\\qquad
        \\text{Hutchinson: } \\frac1k\\sum_{i=1}^k g_i^\\top A g_i,\\ g_i \\in \\{\\pm1\\}^m;

    .. math::

        \\text{Hutch++: } Q = \\mathrm{orth}(AS),\\ \\ \\mathrm{Tr}(Q^\\top A Q) +
        \\frac1{k_2}\\sum_{i=1}^{k_2} g_i^\\top (I-QQ^\\top)A(I-QQ^\\top)g_i,

    with :math:`S` and :math:`g_i` Rademacher; the standard error is the sample standard deviation
    of the :math:`k_2` probe terms over :math:`\\sqrt{k_2}` (conditional on :math:`Q`). Each
    application of :math:`A` is a linear solve with :math:`\\hat\\Sigma + \\lambda I`: one Cholesky
    factorisation (``solver="cholesky"``, :math:`m^3/3` flops once, then :math:`O(m^2)` per probe,
    no eigendecomposition) or matrix-free conjugate gradients (``solver="cg"``).

    Parameters
    ----------
    cov : array_like, shape (m, m)
        Symmetric PSD :math:`\\hat\\Sigma` (PSD-ness is checked by the factorisation of
        :math:`\\hat\\Sigma + \\lambda I`, not by an eigendecomposition).
    lam : float
        :math:`\\lambda > 0`.
    n_probes : int, default 30
        Total matrix applications :math:`k \\ge 3` (Hutch++: :math:`k/3` sketch columns and
        :math:`k - 2k/3` residual probes; Hutchinson: :math:`k` probes, >= 2).
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

    References
    ----------
    Hutchinson, "A stochastic estimator of the trace of the influence matrix for Laplacian
    smoothing splines", Comm. Statist. Simul. Comput. 18 (1989); Meyer, Musco, Musco, Woodruff,
    "Hutch++: optimal stochastic trace estimation", SOSA 2021, Algorithm 1.
    """
    check_in(method, "method", ("hutch++", "hutchinson"))
    check_in(solver, "solver", ("cholesky", "cg"))
    S_cov = _check_cov(cov, "cov", check_eigs=False)
    lam = check_positive(lam, "lam")
    n_probes = as_int(n_probes, "n_probes", low=3 if method == "hutch++" else 2)
    tol = check_positive(tol, "tol")
    maxiter = as_int(maxiter, "maxiter", low=1)
    gen = check_rng(rng)
    m = S_cov.shape[0]
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
        if solver == "cg":
            _check_probe_values(vals, m)
        est = Measurement.from_samples(vals)
        return DofEstimate(est.value, est.se, n_probes, count[0], method)
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
    est = Measurement.from_samples(vals)
    se = est.se
    value = low + est.value
    if solver == "cg":
        _check_probe_values(vals, m)
    return DofEstimate(value, se, k2, count[0], method)


def _check_probe_values(vals, m):
    if not np.all(np.isfinite(vals)):
        raise ValueError("`cov` must be positive semi-definite (the probes gave non-finite values)")


# ---------------------------------------------------------------------------------------------
# Leverage scores, reconstruction, losses
# ---------------------------------------------------------------------------------------------

def ridge_leverage_scores(cov, lam) -> np.ndarray:
    """Ridge leverage scores of the nodes, :math:`\\ell_j = [\\hat\\Sigma(\\hat\\Sigma+\\lambda I)^{-1}]_{jj}`.

    .. math::

        \\ell_j(\\lambda) = \\big[\\hat\\Sigma(\\hat\\Sigma + \\lambda I)^{-1}\\big]_{jj} \\in [0, 1),
        \\qquad \\sum_j \\ell_j = \\hat N(\\lambda), \\qquad q_j = \\ell_j / \\hat N(\\lambda).

    Parameters
    ----------
    cov : array_like, shape (m, m)
        Symmetric PSD :math:`\\hat\\Sigma`.
    lam : float
        :math:`\\lambda > 0`.

    Returns
    -------
    ndarray, shape (m,)
        The scores :math:`\\ell_j`; divide by their sum for the sampling distribution :math:`q`.

    References
    ----------
    Bach, JMLR 2017, §3 (optimized distribution :math:`\\propto \\langle \\phi,
    (\\Sigma+\\lambda I)^{-1}\\phi\\rangle`); Alaoui, Mahoney, "Fast randomized kernel ridge
    regression with statistical guarantees", NeurIPS 2015 (ridge leverage scores); Suzuki et al.,
    IJCAI 2020, §4 (sampling distribution of the nodes, as recalled).
    """
    return _leverage_scores(_check_cov(cov, "cov"), check_positive(lam, "lam"))


def _resid(S: np.ndarray, J: np.ndarray, t: np.ndarray) -> np.ndarray:
    G = S[np.ix_(J, J)] + np.diag(t[J])
    SJ = S[:, J]
    R = S - SJ @ _solve_psd(G, SJ.T)
    return 0.5 * (R + R.T)


def _recon(S: np.ndarray, J: np.ndarray, t: np.ndarray) -> np.ndarray:
    G = S[np.ix_(J, J)] + np.diag(t[J])
    return _solve_psd(G, S[J, :]).T


def _leverage_scores(S: np.ndarray, lam: float) -> np.ndarray:
    X = _solve_psd(S + lam * np.eye(S.shape[0]), S)  # (Σ+λI)⁻¹Σ: same diagonal as Σ(Σ+λI)⁻¹
    return np.clip(np.diag(X).copy(), 0.0, 1.0)


def residual_covariance(cov, keep, tau=0.0) -> np.ndarray:
    """The ridge residual covariance :math:`R_\\tau(J)` of reconstructing every node from the kept ones.

    .. math::

        R_\\tau(J) = \\hat\\Sigma - \\hat\\Sigma_{FJ}(\\hat\\Sigma_{JJ} + I_\\tau)^{-1}\\hat\\Sigma_{JF},
        \\qquad \\alpha^\\top R_\\tau(J)\\alpha = \\min_a \\lVert \\alpha^\\top\\phi - a^\\top\\phi_J
        \\rVert_n^2 + a^\\top I_\\tau a .

    Parameters
    ----------
    cov : array_like, shape (m, m)
        Symmetric PSD :math:`\\hat\\Sigma`.
    keep : sequence of int, length k
        The kept nodes :math:`J` (distinct).
    tau : float >= 0 or array_like, shape (m,)
        :math:`I_\\tau = \\tau I_k` (scalar) or :math:`\\mathrm{diag}(\\tau_j)_{j\\in J}` (a weight per
        node, indexed by node). ``0`` gives the unregularised (pseudo-inverse) projection.

    Returns
    -------
    ndarray, shape (m, m)
        Symmetric PSD.

    References
    ----------
    Suzuki et al., IJCAI 2020, §3 (the bracket of :math:`L_A` and :math:`L_B`; form of
    :math:`I_\\tau` as recalled; see THEORY.md).
    """
    S = _check_cov(cov, "cov")
    m = S.shape[0]
    return _resid(S, _check_keep(keep, m), _tau_vector(tau, m))


def reconstruction_matrix(cov, keep, tau=0.0) -> np.ndarray:
    """The reconstruction map :math:`\\hat A_J = \\hat\\Sigma_{FJ}(\\hat\\Sigma_{JJ} + I_\\tau)^{-1}`.

    .. math::

        \\hat A_J = \\arg\\min_{A \\in \\mathbb R^{m\\times k}} \\frac1n\\sum_{i=1}^n
        \\lVert \\phi(x_i) - A\\phi_J(x_i)\\rVert^2 + \\mathrm{Tr}[A I_\\tau A^\\top]
        = \\hat\\Sigma_{FJ}(\\hat\\Sigma_{JJ} + I_\\tau)^{-1}.

    It minimizes the input-aware, the output-aware and the mixed objective alike. With
    :math:`\\tau = 0` and a singular :math:`\\hat\\Sigma_{JJ}` the minimum-norm solution
    (pseudo-inverse) is returned.

    Parameters
    ----------
    cov : array_like, shape (m, m)
    keep : sequence of int, length k
    tau : float >= 0 or array_like, shape (m,)
        See :func:`residual_covariance`.

    Returns
    -------
    ndarray, shape (m, k)
        Row :math:`j \\in J` of :math:`\\hat A_J` is (for :math:`\\tau=0`) the unit vector of
        :math:`j`.

    References
    ----------
    Suzuki et al., IJCAI 2020, §3 (:math:`\\hat A_J`; form of :math:`I_\\tau` as recalled; see
    THEORY.md).
    """
    S = _check_cov(cov, "cov")
    m = S.shape[0]
    return _recon(S, _check_keep(keep, m), _tau_vector(tau, m))


def reconstruction_error(cov, keep, A, next_weight=None) -> float:
    """Unregularised (output-aware) reconstruction error of a map :math:`A` from the kept nodes.

    .. math::

        e(J, A) = \\frac1n\\sum_i \\lVert Z(\\phi(x_i) - A\\phi_J(x_i))\\rVert^2
        = \\mathrm{Tr}\\,Z\\big[\\hat\\Sigma - A\\hat\\Sigma_{JF} - \\hat\\Sigma_{FJ}A^\\top +
        A\\hat\\Sigma_{JJ}A^\\top\\big]Z^\\top \\quad (Z = I \\text{ when } \\texttt{next\\_weight}
        \\text{ is None}).

    Parameters
    ----------
    cov : array_like, shape (m, m)
    keep : sequence of int, length k
    A : array_like, shape (m, k)
    next_weight : array_like, shape (p, m), optional

    Returns
    -------
    float >= 0

    References
    ----------
    Suzuki et al., IJCAI 2020, §3 (the reconstruction error that the penalised losses bound).
    """
    S = _check_cov(cov, "cov")
    m = S.shape[0]
    J = _check_keep(keep, m)
    A = as_array(A, "A", ndim=2, shape=(m, J.size))
    E = S - A @ S[J, :] - S[:, J] @ A.T + A @ S[np.ix_(J, J)] @ A.T
    if next_weight is not None:
        Z = as_array(next_weight, "next_weight", ndim=2)
        if Z.shape[1] != m:
            raise ValueError(f"`next_weight` must have {m} columns; got shape {Z.shape}")
        return max(float(np.trace(Z @ E @ Z.T)), 0.0)
    return max(float(np.trace(E)), 0.0)


def pruning_loss(cov, keep, tau=0.0, theta=1.0, next_weight=None) -> float:
    """The spectral-pruning objective :math:`\\theta L_A(J) + (1-\\theta) L_B(J)`.

    .. math::

        L_A(J) = \\mathrm{Tr}\\big[\\hat\\Sigma_{FF} - \\hat\\Sigma_{FJ}(\\hat\\Sigma_{JJ}+I_\\tau)^{-1}
        \\hat\\Sigma_{JF}\\big],\\qquad
        L_B(J) = \\mathrm{Tr}\\,Z\\big[\\hat\\Sigma_{FF} - \\hat\\Sigma_{FJ}(\\hat\\Sigma_{JJ}+I_\\tau)^{-1}
        \\hat\\Sigma_{JF}\\big]Z^\\top.

    Both are the minimum over :math:`A` of the reconstruction error plus the penalty
    :math:`\\mathrm{Tr}[A I_\\tau A^\\top]` (resp. :math:`\\mathrm{Tr}[Z A I_\\tau A^\\top Z^\\top]`),
    so they upper-bound the unregularised error of :math:`\\hat A_J` and never increase as
    :math:`J` grows.

    Parameters
    ----------
    cov : array_like, shape (m, m)
    keep : sequence of int
    tau : float >= 0 or array_like, shape (m,)
    theta : float in [0, 1], default 1.0
        1: input-aware; 0: output-aware; in between: mixed.
    next_weight : array_like, shape (p, m), optional
        :math:`Z = W^{(\\ell+1)}`; required when ``theta < 1``.

    Returns
    -------
    float >= 0

    References
    ----------
    Suzuki et al., IJCAI 2020, §3 (input- and output-aware losses and their mixture; exact form
    of :math:`\\tau` and :math:`\\theta` as recalled; see THEORY.md).
    """
    theta = _theta(theta)
    R = residual_covariance(cov, keep, tau)
    M = _weight_matrix(R.shape[0], theta, next_weight)
    return max(float(np.sum(M * R)), 0.0)


@dataclass(frozen=True)
class SpectralPruneResult:
    """What :func:`spectral_prune` returns.

    Attributes
    ----------
    keep : ndarray (k,) int
        Kept nodes, in selection order (greedy) or ascending (other methods).
    A : ndarray (m, k)
        :math:`\\hat A_J` for the kept nodes (columns in the order of ``keep``).
    loss : float
        :math:`\\theta L_A + (1-\\theta)L_B` at the returned ``keep`` (with ``tau``).
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
    """Select ``width`` nodes of a layer and the map that reconstructs the layer from them.

    .. math::

        \\hat J = \\arg\\min_{|J| = m^\\sharp}\\ \\theta L_A(J) + (1-\\theta) L_B(J)
        \\ \\ (\\text{greedily}),\\qquad \\hat A_J = \\hat\\Sigma_{FJ}(\\hat\\Sigma_{JJ}+I_\\tau)^{-1}.

    Greedy selection adds, at each step, the node with the largest decrease
    :math:`r_j^\\top M r_j / (R_{jj} + \\tau_j)` of :math:`\\mathrm{Tr}\\,MR`, and updates
    :math:`R \\leftarrow R - r_jr_j^\\top/(R_{jj}+\\tau_j)` and :math:`MR` by the same rank-one
    correction: :math:`O(m^2)` per step, no inverse per candidate. ``"leverage"`` draws i.i.d.
    from the ridge leverage distribution :math:`q` until ``width`` distinct nodes are drawn (:func:`leverage_sample`), and uses the
    derived per-node weights :math:`\\tau_j = \\lambda s q_j / c_j` unless ``tau`` is given.
    ``"random"`` keeps a uniformly random subset; ``"magnitude"`` keeps the nodes with the largest
    outgoing-weight norms :math:`\\lVert Z_{:,j}\\rVert` (needs ``next_weight``).

    Parameters
    ----------
    cov : array_like, shape (m, m)
        Symmetric PSD :math:`\\hat\\Sigma` of the layer's outputs.
    width : int
        Number of nodes to keep, :math:`1 \\le m^\\sharp \\le m`.
    lam : float > 0, optional
        :math:`\\lambda`: the leverage distribution's ridge, and the default :math:`\\tau` (scalar)
        for the other methods. Required for ``"leverage"`` and when ``tau`` is None.
    theta : float in [0, 1], default 1.0
    next_weight : array_like, shape (p, m), optional
        :math:`Z = W^{(\\ell+1)}`.
    method : {"greedy", "leverage", "random", "magnitude"}, default "greedy"
    rng : None, int or numpy.random.Generator
        Used by ``"leverage"`` and ``"random"``.
    tau : float >= 0 or array_like (m,), optional
        Ridge weights :math:`I_\\tau`; default ``lam`` (leverage: the derived weights).

    Returns
    -------
    SpectralPruneResult

    References
    ----------
    Suzuki et al., IJCAI 2020, §3–4 (objective, greedy selection and leverage sampling; constants
    as recalled; see THEORY.md); Bach, JMLR 2017, Prop. 1 (leverage sampling).
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
    counts = None
    if method == "leverage":
        smp = _leverage_sample(S, width, lam, check_rng(rng), None)
        keep = smp.keep
        counts = smp.counts
        t = smp.tau if tau is None else _tau_vector(tau, m)
    else:
        t = _tau_vector(lam if tau is None else tau, m)
        if method == "greedy":
            keep = _greedy(S, M, t, width)
        elif method == "random":
            keep = np.sort(check_rng(rng).choice(m, size=width, replace=False)).astype(np.int64)
        else:
            if next_weight is None:
                raise ValueError("`next_weight` is required for method='magnitude' (outgoing-weight norms)")
            Z = as_array(next_weight, "next_weight", ndim=2)
            if Z.shape[1] != m:
                raise ValueError(f"`next_weight` must have {m} columns; got shape {Z.shape}")
            norms = np.linalg.norm(Z, axis=0)
            keep = np.sort(np.argsort(-norms, kind="stable")[:width]).astype(np.int64)
    A = _recon(S, keep, t)
    R = _resid(S, keep, t)
    loss = max(float(np.sum(M * R)), 0.0)
    return SpectralPruneResult(keep=keep, A=A, loss=loss, tau=t, method=method, counts=counts)


# ---------------------------------------------------------------------------------------------
# Leverage sampling and its guarantee
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LeverageSample:
    """Nodes drawn i.i.d. from the ridge leverage distribution.

    Attributes
    ----------
    keep : ndarray (k,) int
        The distinct nodes drawn (ascending).
    counts : ndarray (k,) int
        How often each was drawn; ``counts.sum() == draws``.
    draws : int
        The number :math:`s` of i.i.d. draws.
    q : ndarray (m,)
        The sampling distribution :math:`q_j = \\ell_j/\\hat N(\\lambda)`.
    tau : ndarray (m,)
        Derived ridge weights :math:`\\tau_j = \\lambda s q_j / c_j` on the drawn nodes (0 elsewhere).
    """

    keep: np.ndarray
    counts: np.ndarray
    draws: int
    q: np.ndarray
    tau: np.ndarray


def leverage_sample(cov, width=None, lam=None, rng=None, draws=None) -> LeverageSample:
    """Draw nodes i.i.d. from the ridge leverage scores, with the ridge weights that make the guarantee hold.

    .. math::

        j_1, \\dots, j_s \\overset{iid}{\\sim} q,\\ \\ q_j = \\frac{[\\hat\\Sigma(\\hat\\Sigma+\\lambda
        I)^{-1}]_{jj}}{\\hat N(\\lambda)},\\qquad \\tau_j = \\frac{\\lambda\\, s\\, q_j}{c_j}
        \\ (c_j = \\#\\{i : j_i = j\\}).

    With these :math:`\\tau_j`, :math:`\\alpha^\\top R_\\tau(J)\\alpha = \\min_\\beta
    \\lVert\\alpha^\\top\\phi - \\sum_i \\beta_i\\phi_{j_i}/\\sqrt{s q_{j_i}}\\rVert_n^2 + \\lambda
    \\lVert\\beta\\rVert^2` exactly (derived: merging the copies of a node at equal weight).

    Parameters
    ----------
    cov : array_like, shape (m, m)
    width : int, optional
        Draw until this many *distinct* nodes are drawn (then :math:`s` is the number of draws).
    lam : float > 0
    rng : None, int or numpy.random.Generator
    draws : int, optional
        Draw exactly this many times instead (give ``width`` or ``draws``, not both).

    Returns
    -------
    LeverageSample

    References
    ----------
    Bach, JMLR 2017, Prop. 1 (i.i.d. sampling from the optimized distribution with weights
    :math:`q^{-1/2}`); Suzuki et al., IJCAI 2020, Thm. 1 (as recalled; see THEORY.md).
    """
    S = _check_cov(cov, "cov")
    if lam is None:
        raise ValueError("`lam` is required")
    lam = check_positive(lam, "lam")
    if (width is None) == (draws is None):
        raise ValueError("give exactly one of `width` (distinct nodes) and `draws` (i.i.d. draws)")
    if draws is not None:
        draws = as_int(draws, "draws", low=1)
    else:
        width = as_int(width, "width", low=1, high=S.shape[0])
    return _leverage_sample(S, width, lam, check_rng(rng), draws)


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
            raise ValueError(f"`width` must be <= the number of nodes with a positive leverage score ({support})")
        seen: dict[int, int] = {}
        chunks = []
        while len(seen) < width:
            block = gen.choice(m, size=max(4 * width, 16), p=q)
            for pos, j in enumerate(block):
                j = int(j)
                seen[j] = seen.get(j, 0) + 1
                if len(seen) == width:
                    chunks.append(block[:pos + 1])
                    break
            else:
                chunks.append(block)
        idx = np.concatenate(chunks)
        draws = int(idx.size)
    keep, counts = np.unique(idx, return_counts=True)
    tau = np.zeros(m)
    tau[keep] = lam * draws * q[keep] / counts
    return LeverageSample(keep.astype(np.int64), counts.astype(np.int64), int(draws), q, tau)


def leverage_sampling_width(n_dof, delta=0.05, c_size=5.0, c_log=80.0) -> float:
    """The sampling width :math:`m^\\sharp(\\lambda,\\delta)` of the leverage-sampling guarantee.

    .. math::

        m^\\sharp(\\lambda, \\delta) = c_{\\rm size}\\,\\hat N(\\lambda)\\,
        \\log\\!\\big(c_{\\log}\\hat N(\\lambda)/\\delta\\big),\\qquad c_{\\rm size}=5,\\ c_{\\log}=80.

    Parameters
    ----------
    n_dof : float
        :math:`\\hat N(\\lambda) > 0` (see :func:`degrees_of_freedom`).
    delta : float in (0, 1), default 0.05
        Failure probability.
    c_size, c_log : float, default 5 and 80
        Constants as recalled from Suzuki et al. (Thm. 1); Bach's Prop. 1 has the same form with
        ``c_log = 16`` (as recalled; see THEORY.md).

    Returns
    -------
    float
        :math:`m^\\sharp` (take its ceiling as a number of draws); at least ``c_size * n_dof``.

    References
    ----------
    Suzuki et al., IJCAI 2020, Thm. 1; Bach, JMLR 2017, Prop. 1 (constants as recalled; see
    THEORY.md).
    """
    n_dof = check_positive(n_dof, "n_dof")
    delta = as_float(delta, "delta", low=0.0, high=1.0, low_open=True, high_open=True)
    c_size = check_positive(c_size, "c_size")
    c_log = check_positive(c_log, "c_log")
    return float(c_size * n_dof * max(math.log(c_log * n_dof / delta), 1.0))


def leverage_reconstruction_guarantee(lam, c_err=4.0, next_weight=None, m=None) -> float:
    """Error guaranteed w.p. >= 1-δ for :math:`m^\\sharp(\\lambda,\\delta)` leverage draws.

    .. math::

        \\lambda_{\\max}\\big(R_\\tau(J)\\big) \\le c_{\\rm err}\\lambda \\ \\Rightarrow\\
        L_A(J) \\le c_{\\rm err}\\lambda m,\\quad L_B(J) \\le c_{\\rm err}\\lambda \\lVert Z\\rVert_F^2,

    with :math:`\\tau_j = \\lambda s q_j/c_j` (:func:`leverage_sample`).

    Parameters
    ----------
    lam : float > 0
    c_err : float, default 4
        Constant as recalled (Bach 2017, Prop. 1: squared error :math:`\\le 4\\lambda`); it
        corresponds to a spectral approximation with :math:`\\varepsilon = 3/4`.
    next_weight : array_like (p, m), optional
        Return the bound on :math:`L_B` instead.
    m : int, optional
        Return the bound on :math:`L_A` (:math:`m` nodes) instead.

    Returns
    -------
    float
        The bound on :math:`\\lambda_{\\max}(R_\\tau)` (neither ``m`` nor ``next_weight``), on
        :math:`L_A` (``m``) or on :math:`L_B` (``next_weight``).

    References
    ----------
    Bach, JMLR 2017, Prop. 1; Suzuki et al., IJCAI 2020, Thm. 1 (constants as recalled; see
    THEORY.md).
    """
    lam = check_positive(lam, "lam")
    c_err = check_positive(c_err, "c_err")
    base = c_err * lam
    if next_weight is not None and m is not None:
        raise ValueError("give at most one of `next_weight` and `m`")
    if next_weight is not None:
        Z = as_array(next_weight, "next_weight", ndim=2)
        return float(base * np.sum(Z * Z))
    if m is not None:
        return float(base * as_int(m, "m", low=1))
    return float(base)


def lambda_for_width(cov_or_eigenvalues, width, delta=0.05, c_size=5.0, c_log=80.0, lam_max=None) -> float:
    """The smallest :math:`\\lambda` whose sampling width :math:`m^\\sharp(\\lambda,\\delta)` is at most ``width``.

    .. math::

        \\lambda^\\sharp(w) = \\min\\{\\lambda > 0 : c_{\\rm size}\\hat N(\\lambda)
        \\log(c_{\\log}\\hat N(\\lambda)/\\delta) \\le w\\}

    (found by bisection on :math:`\\log\\lambda`; :math:`m^\\sharp` decreases in :math:`\\lambda`).

    Parameters
    ----------
    cov_or_eigenvalues : array_like, (m, m) or (m,)
    width : float > 0
    delta, c_size, c_log : see :func:`leverage_sampling_width`
    lam_max : float, optional
        Upper end of the search (default :math:`10^6\\,\\mathrm{Tr}\\,\\hat\\Sigma`).

    Returns
    -------
    float
        :math:`\\lambda^\\sharp` (relative accuracy 1e-6).

    Raises
    ------
    ValueError
        If even ``lam_max`` needs a larger width.

    References
    ----------
    Suzuki et al., IJCAI 2020, Thm. 1 (as recalled; see THEORY.md).
    """
    x = np.asarray(cov_or_eigenvalues, dtype=float)
    mu = np.clip(np.linalg.eigvalsh(_check_cov(x, "cov_or_eigenvalues")), 0, None) if x.ndim == 2 else \
        as_array(x, "cov_or_eigenvalues", ndim=1, nonnegative=True)
    width = check_positive(width, "width")
    if not mu.sum() > 0:
        raise ValueError("`cov_or_eigenvalues` must be non-zero")
    hi = check_positive(lam_max, "lam_max") if lam_max is not None else 1e6 * float(mu.sum())
    lo = 1e-12 * float(mu.max())

    def msharp(lam):
        return leverage_sampling_width(max(degrees_of_freedom(mu, lam), 1e-300), delta, c_size, c_log)

    if msharp(hi) > width:
        raise ValueError(f"`width` {width} is below m♯ at `lam_max` ({msharp(hi):.3g})")
    if msharp(lo) <= width:
        return lo
    for _ in range(200):
        mid = math.sqrt(lo * hi)
        if msharp(mid) <= width:
            hi = mid
        else:
            lo = mid
        if hi / lo < 1 + 1e-6:
            break
    return hi


# ---------------------------------------------------------------------------------------------
# Generalization bound of the compressed network
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CompressionBound:
    """The bias–variance bound on the population risk of a compressed network.

    Attributes
    ----------
    bound : float
        :math:`(\\sqrt{\\hat L_S(f)} + c_{\\rm bias}\\,b)^2 + v`.
    bias : float
        :math:`b = \\sum_\\ell \\mathrm{Lip}_\\ell\\sqrt{e_\\ell}` (root-mean-square output
        distortion bound).
    variance : float
        :math:`v`, see :func:`compression_variance_term`.
    train_risk : float
        :math:`\\hat L_S(f)` of the uncompressed network.
    n_params : int
        :math:`\\sum_\\ell (m^\\sharp_{\\ell}+1)m^\\sharp_{\\ell+1}` of the compressed network.
    """

    bound: float
    bias: float
    variance: float
    train_risk: float
    n_params: int


def compression_bias_bound(layer_errors, lipschitz) -> float:
    """Root-mean-square output distortion bound of layer-by-layer pruning.

    .. math::

        \\Big(\\frac1n\\sum_i \\lVert f^\\sharp(x_i) - f(x_i)\\rVert^2\\Big)^{1/2}
        \\le \\sum_\\ell \\mathrm{Lip}_\\ell\\,\\sqrt{e_\\ell},\\qquad
        e_\\ell = \\frac1n\\sum_i\\lVert W^{(\\ell+1)}(\\tilde\\phi_\\ell(x_i) - \\hat A_\\ell
        \\tilde\\phi_{\\ell,J}(x_i))\\rVert^2 \\le L_B(J_\\ell),

    where :math:`\\tilde\\phi_\\ell` are the layer-:math:`\\ell` outputs of the network whose
    first :math:`\\ell-1` hidden layers are already pruned, and :math:`\\mathrm{Lip}_\\ell =
    a^{L-\\ell-1}\\prod_{k \\ge \\ell+2}\\lVert W^{(k)}\\rVert_{op}` bounds the Lipschitz constant of
    the original layers after the pre-activation of layer :math:`\\ell+1` (:math:`a`: the
    activation's). Derived here: telescoping over the hybrid networks "first :math:`\\ell` layers
    pruned" and Minkowski's inequality in :math:`L^2(P_n)`; the form (Lipschitz constant times the
    square root of the layer's error) is that of Suzuki et al.'s bias term.

    Parameters
    ----------
    layer_errors : array_like, shape (L-1,)
        :math:`e_\\ell \\ge 0` (or the penalised :math:`L_B(J_\\ell)`, which bounds it; or the
        leverage guarantee :math:`4\\lambda_\\ell\\lVert W^{(\\ell+1)}\\rVert_F^2`).
    lipschitz : array_like, shape (L-1,)
        :math:`\\mathrm{Lip}_\\ell \\ge 0`.

    Returns
    -------
    float

    References
    ----------
    Suzuki et al., IJCAI 2020, Thm. 2 (bias term, as recalled; see THEORY.md); derivation in this
    docstring [derived].
    """
    e = as_array(layer_errors, "layer_errors", ndim=1, nonnegative=True)
    lip = as_array(lipschitz, "lipschitz", ndim=1, nonnegative=True, shape=(e.size,))
    return float(np.sum(lip * np.sqrt(e)))


def compression_variance_term(widths, n, delta=0.05, c_var=1.0, loss_scale=1.0, c_log=1.0) -> float:
    """Variance term of the compressed network's generalization bound.

    .. math::

        v = c_{\\rm var}\\, B\\, \\sqrt{\\frac{\\sum_{\\ell=0}^{L-1}(m^\\sharp_\\ell + 1)\\,
        m^\\sharp_{\\ell+1}\\,\\log(c_{\\log} n) + \\log(1/\\delta)}{n}},

    with :math:`m^\\sharp_0` the input and :math:`m^\\sharp_L` the output dimension (the ``+1``
    counts the biases), :math:`B` the loss scale.

    Parameters
    ----------
    widths : sequence of int
        :math:`(m^\\sharp_0, m^\\sharp_1, \\dots, m^\\sharp_L)`, input to output, each >= 1.
    n : int
        Training-sample size, >= 2.
    delta : float in (0, 1), default 0.05
    c_var, loss_scale, c_log : float > 0, default 1
        Constants as recalled (Suzuki et al. state the term up to universal constants); see
        THEORY.md.

    Returns
    -------
    float

    References
    ----------
    Suzuki et al., IJCAI 2020, Thm. 2 (variance term :math:`\\sqrt{\\sum_\\ell m^\\sharp_\\ell
    m^\\sharp_{\\ell+1}\\log(\\cdot)/n}`, constants as recalled; see THEORY.md).
    """
    w = [as_int(x, "widths", low=1) for x in widths]
    if len(w) < 2:
        raise ValueError("`widths` must list at least the input and output dimensions")
    n = as_int(n, "n", low=2)
    delta = as_float(delta, "delta", low=0.0, high=1.0, low_open=True, high_open=True)
    c_var = check_positive(c_var, "c_var")
    loss_scale = check_positive(loss_scale, "loss_scale")
    c_log = check_positive(c_log, "c_log")
    p = sum((a + 1) * b for a, b in zip(w[:-1], w[1:]))
    return float(c_var * loss_scale * math.sqrt((p * max(math.log(c_log * n), 1.0) + math.log(1 / delta)) / n))


def compression_generalization_bound(train_risk, layer_errors, lipschitz, widths, n, delta=0.05,
                                     c_bias=1.0, c_var=1.0, loss_scale=1.0, c_log=1.0) -> CompressionBound:
    """Bias–variance bound on the population risk (squared loss) of the compressed network.

    .. math::

        L_\\mu(f^\\sharp) \\le \\Big(\\sqrt{\\hat L_S(f)} + c_{\\rm bias}\\sum_\\ell
        \\mathrm{Lip}_\\ell\\sqrt{e_\\ell}\\Big)^2 + c_{\\rm var} B\\sqrt{\\frac{\\sum_\\ell
        (m^\\sharp_\\ell+1) m^\\sharp_{\\ell+1}\\log(c_{\\log}n) + \\log(1/\\delta)}{n}}.

    The first term bounds the training risk of :math:`f^\\sharp` (Minkowski:
    :math:`\\sqrt{\\hat L_S(f^\\sharp)} \\le \\sqrt{\\hat L_S(f)} + \\lVert f^\\sharp - f\\rVert_n`
    and :func:`compression_bias_bound`) and decreases with the kept widths; the second is the
    uniform-convergence term over networks of the compressed size and increases with them — the
    compression-induced bias–variance tradeoff. Smaller :math:`\\lambda` (larger widths) lowers
    the bias and raises the variance.

    Parameters
    ----------
    train_risk : float >= 0
        :math:`\\hat L_S(f)`, training risk (mean summed squared error) of the uncompressed net.
    layer_errors, lipschitz : array_like, shape (L-1,)
        See :func:`compression_bias_bound`.
    widths : sequence of int
        :math:`(m^\\sharp_0, \\dots, m^\\sharp_L)`, see :func:`compression_variance_term`.
    n : int
    delta, c_bias, c_var, loss_scale, c_log : float
        Constants as recalled (``c_bias = 1`` is what the derivation gives); see THEORY.md.

    Returns
    -------
    CompressionBound

    References
    ----------
    Suzuki et al., IJCAI 2020, Thm. 2 (bias–variance form; constants as recalled; see THEORY.md).
    """
    train_risk = check_nonnegative(train_risk, "train_risk")
    c_bias = check_positive(c_bias, "c_bias")
    b = compression_bias_bound(layer_errors, lipschitz)
    v = compression_variance_term(widths, n, delta, c_var, loss_scale, c_log)
    w = [int(x) for x in widths]
    p = sum((a + 1) * c for a, c in zip(w[:-1], w[1:]))
    return CompressionBound(bound=float((math.sqrt(train_risk) + c_bias * b) ** 2 + v), bias=b, variance=v,
                            train_risk=train_risk, n_params=int(p))


# ---------------------------------------------------------------------------------------------
# Torch MLPs
# ---------------------------------------------------------------------------------------------

def _mlp_parts(model):
    """Linear layers and activation modules of a make_mlp-style nn.Sequential."""
    from torch import nn

    if not isinstance(model, nn.Sequential):
        raise ValueError("`model` must be an nn.Sequential(Linear, act, ..., Linear) as built by make_mlp")
    mods = list(model)
    if len(mods) % 2 != 1 or not all(isinstance(mods[i], nn.Linear) for i in range(0, len(mods), 2)):
        raise ValueError("`model` must alternate Linear and activation modules, starting and ending with Linear")
    acts = [mods[i] for i in range(1, len(mods), 2)]
    for a in acts:
        if isinstance(a, nn.Linear):
            raise ValueError("`model` must alternate Linear and activation modules")
    return [mods[i] for i in range(0, len(mods), 2)], acts


def _activation_name(act) -> str | None:
    from ._torch import ACTIVATIONS

    for name, cls in ACTIVATIONS.items():
        if type(act) is cls:
            return name
    return None


def activation_covariance(model, inputs, layer, device=None) -> np.ndarray:
    """Uncentred covariance of the outputs of hidden layer ``layer`` of an MLP.

    .. math::

        \\hat\\Sigma^{(\\ell)} = \\frac1n\\sum_{i=1}^n \\phi_\\ell(x_i)\\phi_\\ell(x_i)^\\top,\\qquad
        \\phi_\\ell = \\sigma\\circ W^{(\\ell)}\\circ\\cdots\\circ\\sigma\\circ W^{(1)}.

    Parameters
    ----------
    model : torch.nn.Sequential
        ``Linear, act, ..., Linear`` (as built by :func:`theory.testbeds.nets.make_mlp`).
    inputs : tensor or array, shape (n, in_dim)
    layer : int
        Hidden layer index, ``0 <= layer < number of hidden layers``.
    device : str, torch.device or None
        Where to evaluate (``None``: the model's device).

    Returns
    -------
    ndarray, shape (m_ℓ, m_ℓ), float64

    References
    ----------
    Suzuki et al., IJCAI 2020, §3 (:math:`\\hat\\Sigma` of a layer, uncentred).
    """
    phi = _hidden_outputs(model, inputs, device)
    lin, _ = _mlp_parts(model)
    layer = as_int(layer, "layer", low=0, high=len(lin) - 2)
    H = phi[layer]
    return (H.T @ H) / H.shape[0]


def _hidden_outputs(model, inputs, device=None) -> list[np.ndarray]:
    import torch
    from ._torch import as_tensor as _as_tensor, module_device as _module_device, resolve_device

    import copy

    lin, acts = _mlp_parts(model)
    dev = resolve_device(device) if device is not None else _module_device(model)
    X = _as_tensor(inputs, "inputs", ndim=2, device=dev, dtype=torch.float64)
    if X.shape[1] != lin[0].in_features:
        raise ValueError(f"`inputs` must have {lin[0].in_features} columns; got {X.shape[1]}")
    if X.shape[0] < 1:
        raise ValueError("`inputs` must hold at least 1 sample")
    outs = []
    with torch.no_grad():
        h = X
        for W, a in zip(lin[:-1], acts):  # float64 copies: Σ̂ consistent with the float64 checks
            h = a(copy.deepcopy(W).to(device=dev, dtype=torch.float64)(h))
            outs.append(h.detach().cpu().numpy())
    return outs


@dataclass(frozen=True)
class PruneResult:
    """What :func:`prune_network` returns.

    Attributes
    ----------
    model : torch.nn.Sequential
        The pruned network: dense, with hidden widths ``widths`` (a new module; the input model is
        not modified).
    keep : list of ndarray
        Kept node indices per hidden layer (indices into the original layer).
    widths : list of int
        Kept width per hidden layer.
    original_widths : list of int
    n_params : int
        Parameters of the pruned network.
    n_params_original : int
    lams : list of float
        :math:`\\lambda_\\ell` per hidden layer.
    n_dof : list of float
        :math:`\\hat N_\\ell(\\lambda_\\ell)` per hidden layer (on the covariance used).
    losses : list of float
        Penalised objective :math:`\\theta L_A + (1-\\theta)L_B` per layer.
    layer_errors : list of float
        Unpenalised output-aware error :math:`e_\\ell` per layer (see
        :func:`compression_bias_bound`).
    lipschitz : list of float
        :math:`\\mathrm{Lip}_\\ell` per layer.
    bias_bound : float
        :math:`(\\sum_\\ell \\mathrm{Lip}_\\ell\\sqrt{e_\\ell})^2`, the bound on the mean squared
        output distortion on ``inputs``.
    output_distortion : float
        Measured :math:`\\frac1n\\sum_i\\lVert f^\\sharp(x_i) - f(x_i)\\rVert^2` on ``inputs``
        (float64).
    """

    model: object
    keep: list
    widths: list
    original_widths: list
    n_params: int
    n_params_original: int
    lams: list
    n_dof: list
    losses: list
    layer_errors: list
    lipschitz: list
    bias_bound: float
    output_distortion: float


def _per_layer(x, n_hidden, name, caster):
    if x is None:
        return [None] * n_hidden
    if np.isscalar(x) or (isinstance(x, np.ndarray) and x.ndim == 0):
        return [caster(x, name)] * n_hidden
    if not isinstance(x, (Sequence, np.ndarray)) or isinstance(x, (str, bytes)):
        raise ValueError(f"`{name}` must be a scalar or a sequence with one value per hidden layer")
    if len(x) != n_hidden:
        raise ValueError(f"`{name}` must have one value per hidden layer ({n_hidden}); got {len(x)}")
    return [None if v is None else caster(v, name) for v in x]


def prune_network(model, inputs, widths=None, lams=None, theta=1.0, method="greedy", tau=None,
                  rel_lam=1e-3, cov_inputs=None, rng=None, device=None) -> PruneResult:
    """Spectral pruning of a torch MLP, layer by layer, into a genuinely smaller dense network.

    .. math::

        W^{(\\ell)} \\leftarrow W^{(\\ell)}_{J_\\ell,:},\\quad b^{(\\ell)} \\leftarrow b^{(\\ell)}_{J_\\ell},
        \\quad W^{(\\ell+1)} \\leftarrow W^{(\\ell+1)}\\hat A_{J_\\ell},\\qquad
        \\hat A_{J} = \\hat\\Sigma_{FJ}(\\hat\\Sigma_{JJ} + I_\\tau)^{-1}.

    Hidden layers are processed from the input side; layer :math:`\\ell`'s covariance is computed
    from the activations of the network whose earlier layers are already pruned, so the layer
    errors compose as in :func:`compression_bias_bound`. Selection per layer is
    :func:`spectral_prune` (``"greedy"``, ``"leverage"``, or the baselines ``"random"`` and
    ``"magnitude"``, all with the same optimal reconstruction :math:`\\hat A_J`).

    Parameters
    ----------
    model : torch.nn.Sequential
        ``Linear, act, ..., Linear`` (as built by :func:`theory.testbeds.nets.make_mlp`); not
        modified.
    inputs : tensor or array, shape (n, in_dim)
        Data whose activations define :math:`\\hat\\Sigma` (unlabelled).
    widths : int or sequence of int (one per hidden layer), optional
        Target width per hidden layer (``None`` entries keep that layer whole). Give ``widths``
        or ``lams``.
    lams : float or sequence of float, optional
        :math:`\\lambda_\\ell > 0` per layer. Without ``widths`` the width is
        :math:`\\lceil \\hat N_\\ell(\\lambda_\\ell)\\rceil`. Default: ``rel_lam`` times
        :math:`\\mathrm{Tr}\\,\\hat\\Sigma_\\ell / m_\\ell`.
    theta : float in [0, 1], default 1.0
        1: input-aware, 0: output-aware (with :math:`Z = W^{(\\ell+1)}`), else mixed.
    method : {"greedy", "leverage", "random", "magnitude"}, default "greedy"
    tau : float >= 0 or sequence, optional
        Ridge weight :math:`\\tau` per layer (default :math:`\\lambda_\\ell`; leverage: derived).
    rel_lam : float > 0, default 1e-3
        Default :math:`\\lambda_\\ell` relative to the mean eigenvalue of :math:`\\hat\\Sigma_\\ell`.
    cov_inputs : tensor or array, optional
        Build :math:`\\hat\\Sigma` from these inputs instead of ``inputs`` (e.g. unlabelled
        target-domain inputs under covariate shift). ``output_distortion`` is then measured on
        ``cov_inputs``, the data the reconstruction was fitted on.
    rng : None, int or numpy.random.Generator
        For ``"leverage"`` and ``"random"``.
    device : str, torch.device or None
        Where activations are computed (``None``: the model's device). The pruned model lives
        on the model's device with its dtype.

    Returns
    -------
    PruneResult

    References
    ----------
    Suzuki et al., IJCAI 2020, §3–4 (layer-wise spectral pruning; constants as recalled; see
    THEORY.md); Dillard, Shinya, Suzuki, arXiv:1912.11853 (covariance from target-domain inputs).
    """
    import copy

    import torch
    from torch import nn
    from ._torch import check_model as _check_model, module_device as _module_device, module_dtype as _module_dtype, count_parameters

    _check_model(model)
    lin, acts = _mlp_parts(model)
    n_hidden = len(lin) - 1
    if n_hidden < 1:
        raise ValueError("`model` must have at least one hidden layer")
    check_in(method, "method", SELECTION_METHODS)
    theta = _theta(theta)
    rel_lam = check_positive(rel_lam, "rel_lam")
    if widths is None and lams is None:
        raise ValueError("give `widths` (target width per hidden layer) or `lams`")
    orig_widths = [L.out_features for L in lin[:-1]]

    def _w(v, name):
        return as_int(v, name, low=1)

    w_list = _per_layer(widths, n_hidden, "widths", _w)
    for w, mw in zip(w_list, orig_widths):
        if w is not None and w > mw:
            raise ValueError(f"`widths` must not exceed the layer widths {orig_widths}; got {list(w_list)}")
    lam_list = _per_layer(lams, n_hidden, "lams", check_positive)
    tau_list = _per_layer(tau, n_hidden, "tau", check_nonnegative) if (tau is None or np.isscalar(tau)
                                                                      or len(tau) == n_hidden) else None
    if tau_list is None:
        raise ValueError(f"`tau` must be a scalar or one value per hidden layer ({n_hidden})")
    gen = check_rng(rng)
    data = inputs if cov_inputs is None else cov_inputs

    mdev = _module_device(model)
    mdtype = _module_dtype(model)
    work = copy.deepcopy(model).to(device=mdev)
    act_names = [_activation_name(a) for a in acts]
    a_lip = [ACTIVATION_LIPSCHITZ.get(nm, None) for nm in act_names]
    if any(v is None for v in a_lip):
        raise ValueError("`model` has an activation without a known Lipschitz constant "
                         f"(known: {sorted(ACTIVATION_LIPSCHITZ)})")
    # Lipschitz constants from the ORIGINAL weights (layers after ℓ+1 are original in the hybrids).
    op = [float(np.linalg.norm(L.weight.detach().double().cpu().numpy(), 2)) for L in lin]
    lips = []
    for l in range(n_hidden):
        c = 1.0
        for k in range(l + 2, len(lin)):
            c *= a_lip[k - 1] * op[k]
        lips.append(c)

    keeps, new_widths, lam_used, dofs, losses, errs = [], [], [], [], [], []
    for l in range(n_hidden):
        wl = list(work)
        H = _hidden_outputs(work, data, device)[l]
        S = (H.T @ H) / H.shape[0]
        m = S.shape[0]
        lam = lam_list[l]
        if lam is None:
            lam = rel_lam * max(float(np.trace(S)) / m, 1e-300)
        mu = np.clip(np.linalg.eigvalsh(S), 0, None)
        ndof = degrees_of_freedom(mu, lam)
        target = w_list[l]
        if target is None:
            target = m if widths is not None else int(min(m, max(1, math.ceil(ndof - 1e-9))))
        Z = wl[2 * l + 2].weight.detach().double().cpu().numpy()
        t = tau_list[l]
        if target == m:
            # Keeping every node leaves the layer as it is (A = I, no ridge shrinkage).
            keep, A, loss = np.arange(m), np.eye(m), 0.0
        else:
            res = spectral_prune(S, target, lam, theta=theta, next_weight=Z, method=method, rng=gen, tau=t)
            keep, A, loss = res.keep, res.A, res.loss
        # Build the new layers.
        W_l, W_n = wl[2 * l], wl[2 * l + 2]
        kt = torch.as_tensor(keep, device=mdev)
        new_l = nn.Linear(W_l.in_features, len(keep), bias=W_l.bias is not None, device=mdev, dtype=mdtype)
        new_n = nn.Linear(len(keep), W_n.out_features, bias=W_n.bias is not None, device=mdev, dtype=mdtype)
        with torch.no_grad():
            new_l.weight.copy_(W_l.weight[kt])
            if W_l.bias is not None:
                new_l.bias.copy_(W_l.bias[kt])
            new_n.weight.copy_(torch.as_tensor(Z @ A, dtype=mdtype, device=mdev))
            if W_n.bias is not None:
                new_n.bias.copy_(W_n.bias)
        # e_ℓ with the next weight as stored (rounded to the model's dtype): Z φ − W_new φ_J
        Wn = new_n.weight.detach().double().cpu().numpy()
        SJ = S[:, keep]
        err = float(np.trace(Z @ S @ Z.T) - 2 * np.trace(Wn @ SJ.T @ Z.T) + np.trace(Wn @ S[np.ix_(keep, keep)] @ Wn.T))
        err = max(err, 0.0)
        wl[2 * l], wl[2 * l + 2] = new_l, new_n
        work = nn.Sequential(*wl)
        keeps.append(np.asarray(keep, dtype=np.int64))
        new_widths.append(int(len(keep)))
        lam_used.append(float(lam))
        dofs.append(float(ndof))
        losses.append(max(float(loss), 0.0))
        errs.append(float(err))
    work.train(model.training)
    # Measured output distortion in float64 on the covariance data.
    with torch.no_grad():
        f64 = copy.deepcopy(model).to(device=mdev, dtype=torch.float64)
        g64 = copy.deepcopy(work).to(device=mdev, dtype=torch.float64)
        f64.eval()
        g64.eval()
        X = data if isinstance(data, torch.Tensor) else torch.as_tensor(np.asarray(data))
        X = X.to(device=mdev, dtype=torch.float64)
        dist = float(((g64(X) - f64(X)) ** 2).sum(dim=1).mean())
    return PruneResult(model=work, keep=keeps, widths=new_widths, original_widths=orig_widths,
                       n_params=count_parameters(work), n_params_original=count_parameters(model),
                       lams=lam_used, n_dof=dofs, losses=losses, layer_errors=errs, lipschitz=lips,
                       bias_bound=compression_bias_bound(errs, lips) ** 2, output_distortion=dist)


# ---------------------------------------------------------------------------------------------
# Claims (THEORY.md §7). Parameter dictionaries are documented per claim; experiments build rows
# with theory.claims.make_row.
# ---------------------------------------------------------------------------------------------

def _distortion_claim_measure(p, rng):
    from .claims import Measurement
    from .testbeds.nets import make_mlp

    import torch

    gen = check_rng(rng)
    model = make_mlp(p["in_dim"], p["hidden"], p.get("out_dim", 1), activation=p.get("activation", "relu"),
                     seed=int(gen.integers(0, 2**31)), dtype=torch.float64)
    X = torch.as_tensor(gen.standard_normal((p["n"], p["in_dim"])))
    res = prune_network(model, X, widths=p["widths"], theta=p.get("theta", 1.0), method=p.get("method", "greedy"),
                        rng=gen)
    return Measurement(math.sqrt(res.output_distortion)), compression_bias_bound(res.layer_errors, res.lipschitz)


SPECTRAL_OUTPUT_DISTORTION = register(Claim(
    id="spectral.output_distortion_bound",
    reference=SUZUKI + ", Thm. 2 bias term (form); telescoping + Lipschitz derivation, theory/spectral.py [derived]",
    statement="‖f♯ − f‖_{L²(P_n)} ≤ Σ_ℓ Lip_ℓ √e_ℓ (layer-wise output-aware reconstruction errors)",
    bound=lambda p: _distortion_claim_measure(p, p.get("seed", 0))[1],
    measure=lambda p, rng: _distortion_claim_measure(p, p.get("seed", 0))[0],
))


def _leverage_failures(p, rng):
    from .claims import Measurement

    S = np.asarray(p["cov"], dtype=float)
    lam = p["lam"]
    s = int(math.ceil(leverage_sampling_width(degrees_of_freedom(S, lam), p["delta"])))
    gen = check_rng(rng)
    fails = []
    for _ in range(p["reps"]):
        smp = leverage_sample(S, lam=lam, draws=s, rng=gen)
        top = float(np.linalg.eigvalsh(residual_covariance(S, smp.keep, smp.tau))[-1])
        fails.append(float(top > leverage_reconstruction_guarantee(lam)))
    return Measurement.from_samples(fails)


SPECTRAL_LEVERAGE_GUARANTEE = register(Claim(
    id="spectral.leverage_guarantee",
    reference=BACH + ", Prop. 1; " + SUZUKI + ", Thm. 1 (constants 5, 80, 4 as recalled; see THEORY.md)",
    statement="P[λ_max(R_τ(J)) > 4λ] ≤ δ for m♯ = 5N̂(λ)log(80N̂(λ)/δ) leverage draws",
    bound=lambda p: float(p["delta"]),
    measure=_leverage_failures,
))

SPECTRAL_GENERALIZATION = register(Claim(
    id="spectral.generalization_bound",
    reference=SUZUKI + ", Thm. 2 (bias–variance form; constants c_bias = c_var = 1 as recalled; see THEORY.md)",
    statement="L_μ(f♯) ≤ (√L̂_S(f) + Σ_ℓ Lip_ℓ√e_ℓ)² + √((Σ_ℓ(m♯_ℓ+1)m♯_{ℓ+1} log n + log 1/δ)/n)",
    bound=lambda p: compression_generalization_bound(p["train_risk"], p["layer_errors"], p["lipschitz"],
                                                     p["widths"], p["n"]).bound,
    measure=lambda p, rng: p["population_risk"],
    must_hold=False,
))

SPECTRAL_GREEDY_VS_MAGNITUDE = register(Claim(
    id="spectral.greedy_beats_magnitude",
    reference=SUZUKI + ", §5 (experiments: spectral pruning against magnitude-based pruning)",
    statement="output reconstruction error e(J) of greedy spectral selection ≤ that of magnitude (outgoing-norm) selection, equal width",
    bound=lambda p: p["magnitude_error"],
    measure=lambda p, rng: p["greedy_error"],
    must_hold=False,
))

SPECTRAL_GREEDY_VS_RANDOM = register(Claim(
    id="spectral.greedy_beats_random",
    reference=SUZUKI + ", §5 (experiments: spectral pruning against random pruning)",
    statement="output reconstruction error e(J) of greedy spectral selection ≤ mean over random subsets, equal width",
    bound=lambda p: p["random_error"],
    measure=lambda p, rng: p["greedy_error"],
    must_hold=False,
))

SPECTRAL_TARGET_COVARIANCE = register(Claim(
    id="spectral.target_covariance_helps",
    reference="Dillard, Shinya, Suzuki, arXiv:1912.11853 (Σ̂ from target-domain activations)",
    statement="target population risk of the net pruned with target Σ̂ ≤ with source Σ̂, equal width",
    bound=lambda p: p["source_risk"],
    measure=lambda p, rng: p["target_risk"],
    must_hold=False,
))
