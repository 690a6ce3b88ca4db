r"""Ridge residual covariance, reconstruction map, reconstruction error and pruning loss (private).

Re-exported by :mod:`theory.spectral`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from .._checks import as_array
from ._common import (_check_cov, _check_keep, _check_next_weight, _finite, _solve_psd, _tau_vector, _theta,
                      _weight_matrix)

__all__ = ["residual_covariance", "reconstruction_matrix", "reconstruction_error", "pruning_loss"]


def _resid(S: np.ndarray, J: np.ndarray, t: np.ndarray) -> np.ndarray:
    G = S[np.ix_(J, J)] + np.diag(t[J])
    SJ = S[:, J]
    R = S - SJ @ _solve_psd(G, SJ.T)
    return 0.5 * (R + R.T)


def _recon(S: np.ndarray, J: np.ndarray, t: np.ndarray) -> np.ndarray:
    G = S[np.ix_(J, J)] + np.diag(t[J])
    return _solve_psd(G, S[J, :]).T



def residual_covariance(cov: ArrayLike, keep: Sequence[int], tau: float | ArrayLike = 0.0) -> np.ndarray:
    r"""The ridge residual covariance :math:`R_\tau(J)` of reconstructing every node from the kept ones.

    .. math::

        R_\tau(J) = \hat\Sigma - \hat\Sigma_{FJ}(\hat\Sigma_{JJ} + I_\tau)^{-1}\hat\Sigma_{JF},
        \qquad \alpha^\top R_\tau(J)\alpha = \min_a \lVert \alpha^\top\phi - a^\top\phi_J
        \rVert_n^2 + a^\top I_\tau a .

    Parameters
    ----------
    cov : array_like, shape (m, m)
        Symmetric PSD :math:`\hat\Sigma`.
    keep : sequence of int, length k
        The kept nodes :math:`J` (distinct).
    tau : float >= 0 or array_like, shape (m,)
        :math:`I_\tau = \tau I_k` (scalar) or :math:`\mathrm{diag}(\tau_j)_{j\in J}` (a weight per
        node, indexed by node). ``0`` gives the unregularised (pseudo-inverse) projection.

    Returns
    -------
    ndarray, shape (m, m)
        Symmetric PSD.

    References
    ----------
    Suzuki et al., IJCAI 2020, §3 (the bracket of :math:`L_A` and :math:`L_B`; form of
    :math:`I_\tau` as recalled, not checked against the paper's text).

    Examples
    --------
    For :math:`\hat\Sigma = [[2, 1], [1, 1]]` and :math:`J = \{0\}`: with :math:`\tau = 0`,
    :math:`R = \hat\Sigma - \hat\Sigma_{F0}\hat\Sigma_{0F}/2 = [[0, 0], [0, 1/2]]`; with
    :math:`\tau = 1` the divisor is :math:`2 + 1 = 3` and :math:`R = [[2, 1], [1, 2]]/3`.

    >>> import numpy as np
    >>> from theory.spectral import residual_covariance
    >>> cov = np.array([[2.0, 1.0], [1.0, 1.0]])
    >>> np.round(residual_covariance(cov, [0]), 10).tolist()
    [[0.0, 0.0], [0.0, 0.5]]
    >>> np.round(3 * residual_covariance(cov, [0], tau=1.0), 10).tolist()
    [[2.0, 1.0], [1.0, 2.0]]
    """
    S = _check_cov(cov, "cov")
    m = S.shape[0]
    return _finite(_resid(S, _check_keep(keep, m), _tau_vector(tau, m)), "the residual covariance")


def reconstruction_matrix(cov: ArrayLike, keep: Sequence[int], tau: float | ArrayLike = 0.0) -> np.ndarray:
    r"""The reconstruction map :math:`\hat A_J = \hat\Sigma_{FJ}(\hat\Sigma_{JJ} + I_\tau)^{-1}`.

    .. math::

        \hat A_J = \arg\min_{A \in \mathbb R^{m\times k}} \frac1n\sum_{i=1}^n
        \lVert \phi(x_i) - A\phi_J(x_i)\rVert^2 + \mathrm{Tr}[A I_\tau A^\top]
        = \hat\Sigma_{FJ}(\hat\Sigma_{JJ} + I_\tau)^{-1}.

    It minimizes the input-aware, the output-aware and the mixed objective alike. With
    :math:`\tau = 0` and a singular :math:`\hat\Sigma_{JJ}` the minimum-norm solution
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
        Row :math:`j \in J` of :math:`\hat A_J` is (for :math:`\tau=0`) the unit vector of
        :math:`j`.

    References
    ----------
    Suzuki et al., IJCAI 2020, §3 (:math:`\hat A_J`; form of :math:`I_\tau` as recalled, not
    checked against the paper's text).

    Examples
    --------
    For :math:`\hat\Sigma = [[2, 1], [1, 1]]` and :math:`J = \{0\}`: :math:`\hat A_J =
    \hat\Sigma_{F0}/\hat\Sigma_{00} = (2, 1)^\top/2`, whose row for the kept node is 1.

    >>> import numpy as np
    >>> from theory.spectral import reconstruction_matrix
    >>> cov = np.array([[2.0, 1.0], [1.0, 1.0]])
    >>> np.round(reconstruction_matrix(cov, [0]), 10).tolist()
    [[1.0], [0.5]]
    """
    S = _check_cov(cov, "cov")
    m = S.shape[0]
    return _finite(_recon(S, _check_keep(keep, m), _tau_vector(tau, m)), "the reconstruction map")


def reconstruction_error(cov: ArrayLike, keep: Sequence[int], A: ArrayLike,
                         next_weight: ArrayLike | None = None) -> float:
    r"""Unregularised (output-aware) reconstruction error of a map :math:`A` from the kept nodes.

    .. math::

        e(J, A) = \frac1n\sum_i \lVert Z(\phi(x_i) - A\phi_J(x_i))\rVert^2
        = \mathrm{Tr}\,Z\big[\hat\Sigma - A\hat\Sigma_{JF} - \hat\Sigma_{FJ}A^\top +
        A\hat\Sigma_{JJ}A^\top\big]Z^\top \quad (Z = I \text{ when } \texttt{next\_weight}
        \text{ is None}).

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

    Examples
    --------
    For :math:`\hat\Sigma = [[2, 1], [1, 1]]` and :math:`J = \{0\}`: predicting node 1 by 0
    (:math:`A = (1, 0)^\top`) costs its variance 1; the least-squares map :math:`(1, 1/2)^\top`
    costs :math:`\mathrm{Tr}\,R_0(J) = 1 - 1/2 = 1/2`.

    >>> import numpy as np
    >>> from theory.spectral import reconstruction_error
    >>> cov = np.array([[2.0, 1.0], [1.0, 1.0]])
    >>> round(reconstruction_error(cov, [0], [[1.0], [0.0]]), 10)
    1.0
    >>> round(reconstruction_error(cov, [0], [[1.0], [0.5]]), 10)
    0.5
    """
    S = _check_cov(cov, "cov")
    m = S.shape[0]
    J = _check_keep(keep, m)
    A = as_array(A, "A", ndim=2, shape=(m, J.size))
    Z = _check_next_weight(next_weight, m) if next_weight is not None else None
    with np.errstate(over="ignore", invalid="ignore"):
        E = S - A @ S[J, :] - S[:, J] @ A.T + A @ S[np.ix_(J, J)] @ A.T
        err = float(np.trace(Z @ E @ Z.T)) if Z is not None else float(np.trace(E))
    _finite(err, "the reconstruction error", "A")
    return max(err, 0.0)


def pruning_loss(cov: ArrayLike, keep: Sequence[int], tau: float | ArrayLike = 0.0, theta: float = 1.0,
                 next_weight: ArrayLike | None = None) -> float:
    r"""The spectral-pruning objective :math:`\theta L_A(J) + (1-\theta) L_B(J)`.

    .. math::

        L_A(J) = \mathrm{Tr}\big[\hat\Sigma_{FF} - \hat\Sigma_{FJ}(\hat\Sigma_{JJ}+I_\tau)^{-1}
        \hat\Sigma_{JF}\big],\qquad
        L_B(J) = \mathrm{Tr}\,Z\big[\hat\Sigma_{FF} - \hat\Sigma_{FJ}(\hat\Sigma_{JJ}+I_\tau)^{-1}
        \hat\Sigma_{JF}\big]Z^\top.

    Both are the minimum over :math:`A` of the reconstruction error plus the penalty
    :math:`\mathrm{Tr}[A I_\tau A^\top]` (resp. :math:`\mathrm{Tr}[Z A I_\tau A^\top Z^\top]`),
    so they upper-bound the unregularised error of :math:`\hat A_J` and never increase as
    :math:`J` grows.

    Parameters
    ----------
    cov : array_like, shape (m, m)
    keep : sequence of int
    tau : float >= 0 or array_like, shape (m,)
    theta : float in [0, 1], default 1.0
        1: input-aware; 0: output-aware; in between: mixed.
    next_weight : array_like, shape (p, m), optional
        :math:`Z = W^{(\ell+1)}`; required when ``theta < 1``.

    Returns
    -------
    float >= 0

    References
    ----------
    Suzuki et al., IJCAI 2020, §3 (input- and output-aware losses and their mixture; exact form
    of :math:`\tau` and :math:`\theta` as recalled, not checked against the paper's text).

    Examples
    --------
    For :math:`\hat\Sigma = [[2, 1], [1, 1]]`, :math:`J = \{0\}`, :math:`\tau = 1`:
    :math:`R = [[2, 1], [1, 2]]/3`, so :math:`L_A = \mathrm{Tr}\,R = 4/3` and, with
    :math:`Z = (0, 1)`, :math:`L_B = R_{11} = 2/3`.

    >>> import numpy as np
    >>> from theory.spectral import pruning_loss
    >>> cov = np.array([[2.0, 1.0], [1.0, 1.0]])
    >>> round(pruning_loss(cov, [0], tau=1.0), 10)
    1.3333333333
    >>> round(pruning_loss(cov, [0], tau=1.0, theta=0.0, next_weight=[[0.0, 1.0]]), 10)
    0.6666666667
    """
    theta = _theta(theta)
    R = residual_covariance(cov, keep, tau)
    M = _weight_matrix(R.shape[0], theta, next_weight)
    with np.errstate(over="ignore", invalid="ignore"):
        loss = float(np.sum(M * R))
    _finite(loss, "the pruning loss", "next_weight" if theta < 1.0 else "cov")
    return max(loss, 0.0)
