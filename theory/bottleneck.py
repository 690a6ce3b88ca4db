r"""Information bottleneck of a clustered representation: exact quantities, released and corrected bounds.

Setting. A Markov chain :math:`Y - X - \tilde X - A`: :math:`X` is uniform over ``n`` given
points :math:`x_1,\dots,x_n` (the index :math:`i` is the value of :math:`X`, so repeated points
count as distinct), :math:`y_i\in\{0,\dots,C-1\}` is the label of :math:`x_i`,
:math:`\tilde x_i` its representation (the features of a network) and :math:`A` a soft cluster
assignment of the representation, :math:`P(A = a\mid X = x_i) = \varphi_{ia}`, the rows of an
``(n, K)`` row-stochastic matrix ``phi``. Everything below is exact for this finite joint
distribution :math:`p(i, a, y) = \frac1n\varphi_{ia}\mathbb 1\{y = y_i\}`, in nats.

- :func:`soft_assignments` — :math:`\varphi(v, a)\propto\exp(-\beta\|v/\|v\| - c_a\|^2)`, the
  clustering of the DCS-Transformer (Wang, Li, Yang, ICML 2024), numpy or torch;
- :func:`ib_quantities` (:class:`IBQuantities`) — every entropy and mutual information of the
  chain, and the bottleneck :math:`\mathrm{IB} = I(X;A) - I(A;Y) = I(X;A\mid Y) = H(A\mid Y) -
  H(A\mid X)`;
- :func:`class_conditional_table` — :math:`Q(a\mid c) = \frac1{n_c}\sum_{i: y_i = c}\varphi_{ia}`;
- :func:`released_ib_bound` — the two terms of the IB loss in the released training code of the
  DCS-Transformer: a trainable term :math:`\ge H(A\mid Y)` (valid but loose by
  :math:`H(A\mid X)`), and an input term that does not depend on the network at all;
- :func:`corrected_ib_bound` — :math:`U_1\ge I(X;A\mid Y)`, separable over points, equal to it
  at the class-conditional table; :func:`variational_ib_bound` — :math:`U_2\ge\mathrm{IB}` for
  any prior :math:`r` and decoder :math:`q(y\mid a)`;
- :func:`merge_clusters` — merging clusters is data processing: :math:`I(X;A')\le I(X;A)`,
  :math:`I(A';Y)\le I(A;Y)`;
- :func:`bottleneck_classifier_bound`, :func:`expected_bottleneck_classifier_bound` — risk
  bounds for the classifier :math:`h(x) = \arg\max_y q(y\mid a(x))` read off a table over
  ``K`` hard clusters (finite class of size :math:`|\mathcal Y|^K`).

Every bound takes numpy arrays (and returns Python floats) or torch tensors (and returns 0-dim
tensors, differentiable in ``phi``); a call with any tensor argument computes in torch, with the
dtype and device of the first floating tensor. What was verified: every identity and inequality
here is a standard consequence of the chain rule and Gibbs' inequality (Cover and Thomas,
*Elements of Information Theory*, 2nd ed., 2006, ch. 2) and is checked numerically by the tests
against independent computations. The form of the released IB loss is transcribed from the
authors' released code (not re-checked against it here), and the paper's equation numbers are
not checked.

Bad input is refused before any work with a ValueError naming the argument: ``phi`` not 2-D,
negative or non-finite entries, rows that do not sum to 1 (tolerance :math:`10^{-6}`), labels
that are not non-negative integers or whose length differs from ``phi``'s rows, tables ``q``
or priors ``r`` that are not distributions, a mapping out of range, ``delta`` outside (0, 1), a
zero feature row (it has no direction). A zero in ``q`` or ``r`` where ``phi`` has mass is not
an error: the bound is then :math:`+\infty` (``inf``), which is what it equals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from . import _torch  # noqa: F401  (first: a clear ImportError when torch is missing)
import torch

from . import bounds as _bounds
from ._checks import _fail, as_array, as_float, as_int, check_nonnegative, check_probability
from ._torch import as_tensor

__all__ = [
    "IBQuantities",
    "soft_assignments",
    "ib_quantities",
    "class_conditional_table",
    "released_ib_bound",
    "corrected_ib_bound",
    "variational_ib_bound",
    "merge_clusters",
    "bottleneck_classifier_bound",
    "expected_bottleneck_classifier_bound",
]

#: Absolute tolerance on row (column) sums of conditional distributions, for float64 input.
_SUM_TOL = 1e-6

#: Largest count accepted by the classifier bounds (it enters the formula as a float).
_MAX_COUNT = 10**300


# --------------------------------------------------------------------------------------------
# validation and conversion
# --------------------------------------------------------------------------------------------

def _is_torch(*xs) -> bool:
    return any(isinstance(x, torch.Tensor) for x in xs)


def _reference(*xs) -> tuple[torch.dtype, torch.device]:
    """dtype and device of the first floating tensor among ``xs`` (float64 on the CPU otherwise)."""
    for x in xs:
        if isinstance(x, torch.Tensor) and x.is_floating_point():
            return x.dtype, x.device
    for x in xs:
        if isinstance(x, torch.Tensor):
            return torch.float64, x.device
    return torch.float64, torch.device("cpu")


def _tensor(x, name: str, ndim: int, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    """``x`` as a finite real tensor of ``ndim`` dims with at least one element (graph kept)."""
    if isinstance(x, torch.Tensor):
        t = as_tensor(x, name, ndim=ndim)
        if t.numel() == 0:
            _fail(name, f"non-empty; got shape {tuple(t.shape)}")
        return t.to(dtype=dtype, device=device)
    arr = as_array(x, name, ndim=ndim)
    return torch.as_tensor(arr, dtype=dtype, device=device)


def _tolerance(t: torch.Tensor, m: int) -> float:
    """Row-sum tolerance: 1e-6, widened for low-precision tensors (a few roundings per entry)."""
    return max(_SUM_TOL, 4.0 * m * float(torch.finfo(t.dtype).eps))


def _stochastic(t: torch.Tensor, name: str, dim: int, what: str) -> torch.Tensor:
    """``t`` if its entries are >= 0 and sum to one along ``dim`` (ValueError naming ``name``)."""
    d = t.detach()
    if bool((d < 0).any()):
        _fail(name, f"non-negative ({what})")
    sums = d.sum(dim=dim)
    tol = _tolerance(d, d.shape[dim])
    bad = (sums - 1).abs() > tol
    if bool(bad.any()):
        _fail(name, f"{what}, summing to 1 (within {tol:.0e}); got sums "
              f"{np.array2string(sums.cpu().numpy(), threshold=6)}")
    return t


def _phi(phi, name: str, dtype, device) -> torch.Tensor:
    """A row-stochastic (n, K) matrix."""
    t = _tensor(phi, name, 2, dtype, device)
    return _stochastic(t, name, 1, "a row-stochastic (n, K) matrix: each row a distribution over clusters")


def _labels(y, n: int, name: str = "y") -> np.ndarray:
    """Non-negative integer labels, shape (n,), as int64 numpy."""
    if isinstance(y, torch.Tensor):
        y = y.detach().cpu().numpy()
    arr = as_array(y, name, ndim=1, dtype=None)
    kind = arr.dtype.kind
    if kind == "f":
        if not np.all(arr == np.round(arr)):
            _fail(name, "integer class labels (got non-integral values)")
    elif kind not in "iu":
        _fail(name, f"integer class labels; got dtype {arr.dtype}")
    if arr.size != n:
        _fail(name, f"of length {n} (one label per row of `phi`); got {arr.size}")
    if np.any(arr < 0):
        _fail(name, "non-negative class labels in {0, ..., C-1}")
    if np.any(arr > 2**62):
        _fail(name, "class labels below 2**62")
    return arr.astype(np.int64)


def _xlogy(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    r""":math:`x\log y` with :math:`0\log(\cdot) = 0` and a zero gradient where :math:`x = 0`;
    :math:`-\infty` where :math:`x > 0 = y`."""
    pos = x > 0
    return torch.where(pos, x * torch.log(torch.where(pos, y, torch.ones_like(y))), torch.zeros_like(x))


def _table(P: torch.Tensor, labels: np.ndarray, C: int) -> torch.Tensor:
    """(K, C) class-conditional table; a class without points gets a zero column."""
    lab = torch.as_tensor(labels, dtype=torch.long, device=P.device)
    sums = torch.zeros((C, P.shape[1]), dtype=P.dtype, device=P.device).index_add(0, lab, P)   # (C, K)
    counts = torch.bincount(lab, minlength=C).to(P.dtype).clamp(min=1)
    return (sums / counts[:, None]).T


def _codes(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes 0..C'-1 of the observed classes, and their counts (no table over unused labels)."""
    _, codes, counts = np.unique(labels, return_inverse=True, return_counts=True)
    return codes.reshape(-1), counts


def _default_q_given_y(P: torch.Tensor, labels: np.ndarray) -> torch.Tensor:
    """p(a|y_i) for each point, (n, K): the class-conditional table of the observed classes."""
    codes, counts = _codes(labels)
    Q = _table(P, codes, counts.size)
    return Q[:, torch.as_tensor(codes, dtype=torch.long, device=P.device)].T


def _label_entropy(labels: np.ndarray) -> float:
    _, counts = _codes(labels)
    c = counts.astype(float)
    p = c / c.sum()
    return float(max(-np.sum(p * np.log(p)), 0.0))


def _out(t: torch.Tensor, use_torch: bool):
    return t if use_torch else float(t)


def _cross_entropy_term(P: torch.Tensor, Qy: torch.Tensor) -> torch.Tensor:
    r""":math:`\frac1n\sum_i -\sum_a \varphi_{ia}\log Q_{ia}` (``+inf`` where Q = 0 < phi)."""
    return -_xlogy(P, Qy).sum(1).mean()


def _mean_row_entropy(P: torch.Tensor) -> torch.Tensor:
    return -_xlogy(P, P).sum(1).mean()


def _q_given_y(q, P: torch.Tensor, labels: np.ndarray, name: str) -> torch.Tensor:
    """A user table q(a|y), (K, C) with columns summing to 1, read at each label: (n, K)."""
    K = P.shape[1]
    t = _tensor(q, name, 2, P.dtype, P.device)
    if t.shape[0] != K:
        _fail(name, f"a (K, C) table with K = {K} rows (the columns of `phi`); got shape {tuple(t.shape)}")
    if int(labels.max()) >= t.shape[1]:
        _fail(name, f"a (K, C) table with C > {int(labels.max())} columns (the largest label in `y`); "
              f"got shape {tuple(t.shape)}")
    _stochastic(t, name, 0, "a table q(a|y) whose columns are distributions over clusters")
    idx = torch.as_tensor(labels, dtype=torch.long, device=P.device)
    return t[:, idx].T


# --------------------------------------------------------------------------------------------
# soft assignments
# --------------------------------------------------------------------------------------------

def soft_assignments(features: ArrayLike | torch.Tensor, centroids: ArrayLike | torch.Tensor,
                     beta: float) -> np.ndarray | torch.Tensor:
    r"""Soft cluster assignments of normalized features: a softmax over negative squared distances.

    .. math::

        \varphi(v, a) = \frac{\exp(-\beta\,\|\bar v - c_a\|^2)}{\sum_{b=1}^K
        \exp(-\beta\,\|\bar v - c_b\|^2)},\qquad \bar v = \frac{v}{\|v\|},

    computed as :math:`\mathrm{softmax}_a\big(\beta(2\langle\bar v, c_a\rangle -
    \|c_a\|^2)\big)` (the common term :math:`\beta\|\bar v\|^2 = \beta` cancels) with the
    maximum logit subtracted first (log-sum-exp), so that no exponential overflows for any
    :math:`\beta`. The features are normalized to unit norm; the centroids are used as given.

    Parameters
    ----------
    features : array_like or tensor, shape (n, d)
        Representations :math:`\tilde x_i`; no row may be zero (a zero vector has no direction,
        so :math:`v/\|v\|` is undefined: it is refused, not mapped to 0). Rows of any scale are
        normalized without overflow or underflow.
    centroids : array_like or tensor, shape (K, d)
        Cluster centres :math:`c_a`.
    beta : float
        Inverse temperature, ``>= 0``; ``0`` gives uniform assignments, large values hard ones.
        A 0-dim tensor is read as a number (the result is not differentiated in ``beta``).

    Returns
    -------
    ndarray or tensor, shape (n, K)
        Row-stochastic. A tensor (differentiable in ``features`` and ``centroids``, with the
        dtype and device of the first floating tensor argument) when either argument is a
        tensor, else a float64 array.

    Raises
    ------
    ValueError
        Wrong shapes, non-finite entries, a zero feature row, a negative or non-finite
        ``beta``, or logits that overflow (huge centroids).

    References
    ----------
    Y. Wang, P. Li, Y. Yang, "Visual transformer with differentiable channel selection: an
    information bottleneck inspired approach", ICML 2024 (PMLR 235), the clustering of the
    features behind its IB loss; code at github.com/Statistical-Deep-Learning/DCS-Transformer.

    Examples
    --------
    With :math:`\beta = \tfrac12\log 3` the far centroid is at squared distance 2, weight
    :math:`e^{-2\beta} = 1/3`:

    >>> import math, numpy as np
    >>> phi = soft_assignments([[2.0, 0.0], [0.0, 5.0]], np.eye(2), 0.5 * math.log(3))
    >>> np.round(phi, 12)
    array([[0.75, 0.25],
           [0.25, 0.75]])
    """
    use_torch = _is_torch(features, centroids)
    dtype, device = _reference(features, centroids)
    F = _tensor(features, "features", 2, dtype, device)
    Cn = _tensor(centroids, "centroids", 2, dtype, device)
    if Cn.shape[1] != F.shape[1]:
        _fail("centroids", f"of shape (K, {F.shape[1]}) (the width of `features`); got {tuple(Cn.shape)}")
    if isinstance(beta, torch.Tensor):     # a 0-dim tensor is read as a number (not differentiated)
        beta = beta.detach().cpu().numpy() if beta.ndim == 0 else beta.detach().cpu().numpy().tolist()
    beta = check_nonnegative(beta, "beta")
    scale = F.detach().abs().amax(dim=1, keepdim=True)
    zero = (scale == 0).reshape(-1)
    if bool(zero.any()):
        rows = torch.nonzero(zero).reshape(-1)[:5].tolist()
        _fail("features", f"non-zero rows (a zero vector cannot be normalized); rows {rows} are zero")
    U = F / scale                                      # max-abs 1: the norm neither overflows nor underflows
    U = U / torch.linalg.vector_norm(U, dim=1, keepdim=True)
    logits = beta * (2.0 * (U @ Cn.T) - (Cn * Cn).sum(1))
    if not bool(torch.isfinite(logits.detach()).all()):
        raise ValueError("`beta` and `centroids` give logits beyond the float range (overflow); "
                         "rescale the centroids or lower `beta`")
    phi = torch.softmax(logits, dim=1)
    return phi if use_torch else phi.detach().cpu().numpy()


# --------------------------------------------------------------------------------------------
# exact quantities
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class IBQuantities:
    r"""Exact information quantities of :math:`Y - X - A` with :math:`X` uniform over the points.

    Attributes
    ----------
    I_XA : float
        :math:`I(X;A) = H(A) - H(A\mid X)`.
    I_AY : float
        :math:`I(A;Y) = H(A) - H(A\mid Y)`.
    I_XA_given_Y : float
        :math:`I(X;A\mid Y) = H(A\mid Y) - H(A\mid X)` (as :math:`H(A\mid X,Y) = H(A\mid X)`).
    H_A_given_X : float
        :math:`\frac1n\sum_i H(\varphi_i)`.
    H_A_given_Y : float
        :math:`\sum_c \frac{n_c}{n} H(Q(\cdot\mid c))`.
    H_A : float
        Entropy of the cluster marginal :math:`p(a) = \frac1n\sum_i\varphi_{ia}`.
    H_Y : float
        Entropy of the empirical label distribution.
    ib : float
        :math:`\mathrm{IB} = I(X;A) - I(A;Y)`, which equals ``I_XA_given_Y`` (the same number).

    All in nats; mutual informations are clipped at 0 against rounding.
    """

    I_XA: float
    I_AY: float
    I_XA_given_Y: float
    H_A_given_X: float
    H_A_given_Y: float
    H_A: float
    H_Y: float
    ib: float


def _entropy_np(p: np.ndarray, axis=None) -> np.ndarray:
    safe = np.where(p > 0, p, 1.0)
    return -np.sum(np.where(p > 0, p * np.log(safe), 0.0), axis=axis)


def ib_quantities(phi: ArrayLike | torch.Tensor, y: ArrayLike | torch.Tensor) -> IBQuantities:
    r"""Exact entropies and mutual informations of the chain :math:`Y - X - A`, and the bottleneck.

    For :math:`X` uniform over the ``n`` points and :math:`A\mid X = x_i\sim\varphi_i`, from the
    joint table :math:`p(i, a, y) = \frac1n\varphi_{ia}\mathbb 1\{y = y_i\}`:

    .. math::

        H(A\mid X) = \frac1n\sum_i H(\varphi_i),\quad
        H(A\mid Y) = \sum_c \frac{n_c}{n} H(Q(\cdot\mid c)),\quad
        Q(a\mid c) = \frac1{n_c}\sum_{i: y_i = c}\varphi_{ia},

    :math:`I(X;A) = H(A) - H(A\mid X)`, :math:`I(A;Y) = H(A) - H(A\mid Y)`, and since :math:`Y`
    is a function of :math:`X` (so :math:`H(A\mid X, Y) = H(A\mid X)` and
    :math:`I(X;A) = I(X,Y;A) = I(A;Y) + I(X;A\mid Y)` by the chain rule),

    .. math::

        \mathrm{IB} = I(X;A) - I(A;Y) = I(X;A\mid Y) = H(A\mid Y) - H(A\mid X) \;\ge\; 0.

    Parameters
    ----------
    phi : array_like or tensor, shape (n, K)
        Row-stochastic assignments (tensors are detached; the result is numbers, not a graph).
    y : array_like or tensor of int, shape (n,)
        Non-negative integer labels; classes without points simply do not occur.

    Returns
    -------
    IBQuantities
        In nats, computed in float64.

    References
    ----------
    N. Tishby, F. C. Pereira, W. Bialek, "The information bottleneck method", Allerton 1999
    (the functional); T. M. Cover and J. A. Thomas, *Elements of Information Theory*, 2nd ed.,
    Wiley 2006, Theorem 2.5.2 (chain rule for mutual information).

    Examples
    --------
    :math:`A = X` (one-hot assignments) over 4 points in 2 balanced classes:
    :math:`I(X;A) = \log 4`, :math:`I(A;Y) = H(Y) = \log 2`, so :math:`\mathrm{IB} = \log 2`.

    >>> import math, numpy as np
    >>> q = ib_quantities(np.eye(4), [0, 0, 1, 1])
    >>> bool(np.isclose(q.I_XA, math.log(4)) and np.isclose(q.ib, math.log(2)))
    True
    """
    P = _phi(phi, "phi", torch.float64, torch.device("cpu")).detach().cpu().numpy()
    n = P.shape[0]
    labels = _labels(y, n)
    codes, counts = _codes(labels)
    counts = counts.astype(float)
    sums = np.zeros((counts.size, P.shape[1]))
    np.add.at(sums, codes, P)
    Q = (sums / counts[:, None]).T                      # (K, C'), columns p(a|c)
    p_a = P.mean(axis=0)
    H_A = float(_entropy_np(p_a))
    H_AX = float(np.mean(_entropy_np(P, axis=1)))
    H_AY = float(np.sum(counts / n * _entropy_np(Q, axis=0)))
    p_y = counts / n
    H_Y = float(max(_entropy_np(p_y), 0.0))
    i_xa = max(H_A - H_AX, 0.0)
    i_ay = max(H_A - H_AY, 0.0)
    cond = max(H_AY - H_AX, 0.0)
    return IBQuantities(I_XA=i_xa, I_AY=i_ay, I_XA_given_Y=cond, H_A_given_X=max(H_AX, 0.0),
                        H_A_given_Y=max(H_AY, 0.0), H_A=max(H_A, 0.0), H_Y=H_Y, ib=cond)


def class_conditional_table(phi: ArrayLike | torch.Tensor, y: ArrayLike | torch.Tensor,
                            num_classes: int | None = None) -> np.ndarray | torch.Tensor:
    r"""Class-conditional cluster distribution :math:`Q(a\mid c)`, a (K, C) table.

    .. math::

        Q[a, c] = \frac{1}{n_c}\sum_{i=1}^n \varphi_{ia}\,\mathbb 1\{y_i = c\},\qquad
        n_c = \#\{i : y_i = c\},

    each column a distribution over clusters. For :math:`X` uniform over the points this *is*
    :math:`p(a\mid y)`.

    Parameters
    ----------
    phi : array_like or tensor, shape (n, K)
        Row-stochastic assignments.
    y : array_like or tensor of int, shape (n,)
        Labels in :math:`\{0,\dots,C-1\}`.
    num_classes : int, optional
        :math:`C`; default ``max(y) + 1``. Every class must have at least one point (an empty
        class has no conditional distribution: it is refused, not filled in).

    Returns
    -------
    ndarray or tensor, shape (K, C)
        A tensor (differentiable in ``phi``) when ``phi`` is one.

    References
    ----------
    Y. Wang, P. Li, Y. Yang, ICML 2024 (DCS-Transformer), the table :math:`Q` of the IB loss in
    the authors' released code.

    Examples
    --------
    >>> import numpy as np
    >>> class_conditional_table(np.eye(3), [0, 0, 1])
    array([[0.5, 0. ],
           [0.5, 0. ],
           [0. , 1. ]])
    """
    use_torch = _is_torch(phi)
    dtype, device = _reference(phi)
    P = _phi(phi, "phi", dtype, device)
    labels = _labels(y, P.shape[0])
    top = int(labels.max()) + 1
    if num_classes is None:
        C = top
    else:
        C = as_int(num_classes, "num_classes", low=1)
        if C < top:
            _fail("num_classes", f"at least {top} (the largest label in `y` plus one)", num_classes)
    if C > labels.size:
        who = "y" if num_classes is None else "num_classes"
        _fail(who, f"such that every class 0..{C - 1} has at least one point (Q(.|c) is undefined for "
              f"an empty class); {C} classes cannot all occur among {labels.size} labels")
    counts = np.bincount(labels, minlength=C)
    empty = np.nonzero(counts == 0)[0]
    if empty.size:
        who = "num_classes" if empty.max() >= top else "y"
        _fail(who, f"a labelling in which every class 0..{C - 1} has at least one point (Q(.|c) is "
              f"undefined for an empty class); classes {empty[:5].tolist()} have none")
    Q = _table(P, labels, C)
    return Q if use_torch else Q.detach().cpu().numpy()


# --------------------------------------------------------------------------------------------
# bounds
# --------------------------------------------------------------------------------------------

def released_ib_bound(phi_input: ArrayLike | torch.Tensor, phi: ArrayLike | torch.Tensor,
                      y: ArrayLike | torch.Tensor, q: ArrayLike | torch.Tensor | None = None) -> dict:
    r"""The two terms of the IB loss in the released DCS-Transformer code, and their sum.

    .. math::

        \text{trainable} = \frac1n\sum_i\Big[-\sum_a \varphi_{ia}\log Q(a\mid y_i)\Big],\qquad
        \text{input} = \frac1n\sum_i\sum_b \varphi^{\rm in}_{ib}\log\varphi^{\rm in}_{ib},

    and ``total = trainable + input``, with :math:`Q` = :func:`class_conditional_table`
    ``(phi, y)`` and :math:`\varphi^{\rm in}` the soft clusters of the **raw inputs**.

    What the terms are. By Gibbs' inequality, for any table :math:`q(a\mid y)`,

    .. math::

        \text{trainable} = H(A\mid Y) + \sum_c\frac{n_c}{n}\,\mathrm{KL}\big(p(\cdot\mid c)\,\|\,
        q(\cdot\mid c)\big) \;\ge\; H(A\mid Y) = I(X;A\mid Y) + H(A\mid X),

    with equality iff :math:`q = p(a\mid y)`, which is the default :math:`Q` computed from the
    same points. So the trainable term is a **valid but loose** upper bound on the bottleneck
    :math:`I(X;A\mid Y)`: loose by at least :math:`H(A\mid X)`, the entropy of the
    representation's own soft assignments. The input term is :math:`-\frac1n\sum_i
    H(\varphi^{\rm in}_i)`, a function of the raw inputs only: it is constant in the network
    weights and has **zero gradient** with respect to the representation, so it cannot subtract
    :math:`H(A\mid X)`. Consequently ``total`` equals :func:`corrected_ib_bound` plus
    :math:`\frac1n\sum_i[H(\varphi_i) - H(\varphi^{\rm in}_i)]`: it bounds :math:`I(X;A\mid Y)`
    when the input clusters are on average at least as sharp as the representation's, and
    carries no guarantee otherwise.

    Parameters
    ----------
    phi_input : array_like or tensor, shape (n, K_in)
        Row-stochastic soft clusters of the raw inputs (any number of clusters).
    phi : array_like or tensor, shape (n, K)
        Row-stochastic soft clusters of the representation (e.g. :func:`soft_assignments`).
    y : array_like or tensor of int, shape (n,)
        Non-negative integer labels (classes absent from ``y`` never enter).
    q : array_like or tensor, shape (K, C), optional
        A table :math:`q(a\mid y)` with columns summing to 1 and :math:`C > \max y` (e.g.
        estimated on other points); default :math:`Q` from ``(phi, y)``. A zero where ``phi``
        has mass gives ``trainable = inf``.

    Returns
    -------
    dict
        ``{"trainable", "input", "total"}``: floats, or 0-dim tensors when any argument is a
        tensor (``trainable`` differentiable in ``phi`` and ``q``; ``input`` connected only to
        ``phi_input``).

    References
    ----------
    Y. Wang, P. Li, Y. Yang, "Visual transformer with differentiable channel selection: an
    information bottleneck inspired approach", ICML 2024 (PMLR 235); the form of the two terms
    is read from the released training code (github.com/Statistical-Deep-Learning/DCS-Transformer).
    Gibbs' inequality: Cover and Thomas, *Elements of Information Theory*, 2nd ed., 2006,
    Theorem 2.6.3.

    Examples
    --------
    :math:`A = X` over 4 points in 2 balanced classes: hard clusters have :math:`H(A\mid X) = 0`,
    so trainable :math:`= H(A\mid Y) = I(X;A\mid Y) = \log 2`; one-hot input clusters give an
    input term of 0.

    >>> import math, numpy as np
    >>> out = released_ib_bound(np.eye(4), np.eye(4), [0, 0, 1, 1])
    >>> bool(np.isclose(out["trainable"], math.log(2)) and out["input"] == 0.0)
    True
    """
    use_torch = _is_torch(phi_input, phi, q)
    dtype, device = _reference(phi, phi_input, q)
    P = _phi(phi, "phi", dtype, device)
    Pin = _phi(phi_input, "phi_input", dtype, device)
    n = P.shape[0]
    if Pin.shape[0] != n:
        _fail("phi_input", f"of shape ({n}, K_in) (one row per row of `phi`); got {tuple(Pin.shape)}")
    labels = _labels(y, n)
    if q is None:
        Qy = _default_q_given_y(P, labels)
    else:
        Qy = _q_given_y(q, P, labels, "q")
    trainable = _cross_entropy_term(P, Qy)
    inp = _xlogy(Pin, Pin).sum(1).mean()
    total = trainable + inp
    return {"trainable": _out(trainable, use_torch), "input": _out(inp, use_torch),
            "total": _out(total, use_torch)}


def corrected_ib_bound(phi: ArrayLike | torch.Tensor, y: ArrayLike | torch.Tensor,
                       q: ArrayLike | torch.Tensor | None = None) -> float | torch.Tensor:
    r"""Separable upper bound :math:`U_1` on the bottleneck :math:`I(X;A\mid Y)`, tight at :math:`q = p(a\mid y)`.

    .. math::

        U_1 = \frac1n\sum_{i=1}^n\Big[-\sum_a \varphi_{ia}\log q(a\mid y_i)\Big]
        - \frac1n\sum_{i=1}^n H(\varphi_i)
        = I(X;A\mid Y) + \sum_c \frac{n_c}{n}\,\mathrm{KL}\big(p(\cdot\mid c)\,\|\,q(\cdot\mid c)\big)
        \;\ge\; I(X;A\mid Y),

    by :math:`I(X;A\mid Y) = H(A\mid Y) - H(A\mid X)` and Gibbs' inequality; equality iff
    :math:`q(\cdot\mid c) = p(\cdot\mid c)` for every class present. The default :math:`q` is
    :func:`class_conditional_table` ``(phi, y)``, which is :math:`p(a\mid y)` for :math:`X`
    uniform over the points: the default gives :math:`U_1 = I(X;A\mid Y)` exactly (up to
    rounding). Unlike the released loss (:func:`released_ib_bound`), the entropy subtracted is
    that of the representation's own assignments, so it depends on the network and the bound is
    tight. With a fixed :math:`q` (e.g. estimated on earlier batches) it is a mean over points,
    so a minibatch mean is an unbiased estimate of it.

    Parameters
    ----------
    phi : array_like or tensor, shape (n, K)
        Row-stochastic assignments.
    y : array_like or tensor of int, shape (n,)
        Non-negative integer labels.
    q : array_like or tensor, shape (K, C), optional
        :math:`q(a\mid y)`, columns summing to 1, :math:`C > \max y`. A zero where ``phi`` has
        mass gives ``inf`` (the bound is then infinite, not an error).

    Returns
    -------
    float or tensor
        A 0-dim tensor (differentiable in ``phi`` and ``q``) when any argument is a tensor.

    References
    ----------
    Cover and Thomas, *Elements of Information Theory*, 2nd ed., 2006, Theorem 2.6.3 (Gibbs)
    and §2.5 (chain rule); it corrects the released IB loss of Y. Wang, P. Li, Y. Yang, ICML
    2024 (DCS-Transformer) by replacing the input-cluster entropy with :math:`H(A\mid X)`.

    Examples
    --------
    >>> import math, numpy as np
    >>> phi = np.array([[0.5, 0.5], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    >>> u1 = corrected_ib_bound(phi, [0, 0, 1, 1])
    >>> bool(np.isclose(u1, ib_quantities(phi, [0, 0, 1, 1]).I_XA_given_Y))
    True
    """
    use_torch = _is_torch(phi, q)
    dtype, device = _reference(phi, q)
    P = _phi(phi, "phi", dtype, device)
    labels = _labels(y, P.shape[0])
    if q is None:
        Qy = _default_q_given_y(P, labels)
    else:
        Qy = _q_given_y(q, P, labels, "q")
    u1 = _cross_entropy_term(P, Qy) - _mean_row_entropy(P)
    return _out(u1, use_torch)


def variational_ib_bound(phi: ArrayLike | torch.Tensor, y: ArrayLike | torch.Tensor,
                         r: ArrayLike | torch.Tensor,
                         q_y_given_a: ArrayLike | torch.Tensor) -> float | torch.Tensor:
    r"""Variational upper bound :math:`U_2` on :math:`\mathrm{IB} = I(X;A) - I(A;Y)`, for any prior and decoder.

    .. math::

        U_2 = \frac1n\sum_i \mathrm{KL}(\varphi_i\,\|\,r)
        - \frac1n\sum_i\sum_a \varphi_{ia}\log q(y_i\mid a) - H(Y)
        = \mathrm{IB} + \mathrm{KL}(p_A\,\|\,r) + \sum_a p(a)\,\mathrm{KL}\big(p(\cdot\mid a)\,\|\,
        q(\cdot\mid a)\big) \;\ge\; \mathrm{IB},

    since :math:`\frac1n\sum_i\mathrm{KL}(\varphi_i\|r) = I(X;A) + \mathrm{KL}(p_A\|r)` and
    :math:`-\frac1n\sum_{i,a}\varphi_{ia}\log q(y_i\mid a) = H(Y\mid A) +
    \sum_a p(a)\mathrm{KL}(p(\cdot\mid a)\|q(\cdot\mid a))`, with :math:`H(Y) - H(Y\mid A) =
    I(A;Y)`. Equality iff :math:`r = p_A` (the cluster marginal) and :math:`q(\cdot\mid a) =
    p(y\mid a)` for every cluster with :math:`p(a) > 0`. :math:`H(Y)` is the entropy of the
    empirical label distribution (a constant).

    Parameters
    ----------
    phi : array_like or tensor, shape (n, K)
        Row-stochastic assignments.
    y : array_like or tensor of int, shape (n,)
        Labels in :math:`\{0,\dots,C-1\}`.
    r : array_like or tensor, shape (K,)
        Any distribution over clusters (sums to 1). A zero where some :math:`\varphi_{ia} > 0`
        gives ``inf``.
    q_y_given_a : array_like or tensor, shape (K, C)
        Any decoder table, rows summing to 1. A zero :math:`q(y_i\mid a)` where
        :math:`\varphi_{ia} > 0` gives ``inf``.

    Returns
    -------
    float or tensor
        A 0-dim tensor (differentiable in ``phi``, ``r`` and ``q_y_given_a``) when any argument
        is a tensor.

    References
    ----------
    A. A. Alemi, I. Fischer, J. V. Dillon, K. Murphy, "Deep variational information
    bottleneck", ICLR 2017 (the variational bounds on :math:`I(X;A)` and :math:`I(A;Y)`,
    their Eqs. (12)-(13) as recalled); the decomposition above is exact and checked numerically.

    Examples
    --------
    :math:`A = X = Y` on 2 points with a uniform prior and the exact decoder:
    :math:`U_2 = \log 2 - 0 - \log 2 = 0 = \mathrm{IB}`.

    >>> import numpy as np
    >>> float(variational_ib_bound(np.eye(2), [0, 1], [0.5, 0.5], np.eye(2)))
    0.0
    """
    use_torch = _is_torch(phi, r, q_y_given_a)
    dtype, device = _reference(phi, r, q_y_given_a)
    P = _phi(phi, "phi", dtype, device)
    n, K = P.shape
    labels = _labels(y, n)
    R = _tensor(r, "r", 1, dtype, device)
    if R.shape[0] != K:
        _fail("r", f"of shape ({K},) (one weight per column of `phi`); got {tuple(R.shape)}")
    _stochastic(R, "r", 0, "a distribution over the K clusters")
    Qd = _tensor(q_y_given_a, "q_y_given_a", 2, dtype, device)
    if Qd.shape[0] != K:
        _fail("q_y_given_a", f"a (K, C) table with K = {K} rows (the columns of `phi`); "
              f"got shape {tuple(Qd.shape)}")
    _stochastic(Qd, "q_y_given_a", 1, "a decoder table whose rows q(.|a) are distributions over labels")
    C = Qd.shape[1]
    if int(labels.max()) >= C:
        _fail("y", f"labels in [0, {C - 1}] (the columns of `q_y_given_a`); got a label {int(labels.max())}")
    kl = (_xlogy(P, P) - _xlogy(P, R.expand_as(P))).sum(1).mean()
    idx = torch.as_tensor(labels, dtype=torch.long, device=P.device)
    decoder = _cross_entropy_term(P, Qd[:, idx].T)
    u2 = kl + decoder - _label_entropy(labels)
    return _out(u2, use_torch)


def merge_clusters(phi: ArrayLike | torch.Tensor,
                   mapping: ArrayLike | torch.Tensor) -> np.ndarray | torch.Tensor:
    r"""Merge clusters: the assignments of :math:`A' = m(A)` for a map :math:`m:\{0..K-1\}\to\{0..K'-1\}`.

    .. math::

        \varphi'_{ib} = \sum_{a:\, m(a) = b}\varphi_{ia}.

    Since :math:`A'` is a function of :math:`A`, :math:`Y - X - A - A'` is a Markov chain and
    the data-processing inequality gives :math:`I(X;A')\le I(X;A)` and
    :math:`I(A';Y)\le I(A;Y)` (for the exact quantities of :func:`ib_quantities`, which are
    those of the empirical joint distribution, so they hold for plug-in values too). Selecting
    channels of, or quantizing, the representation :math:`\tilde X` before clustering gives no
    such inequality: the clusters then change, they are not merged.

    Parameters
    ----------
    phi : array_like or tensor, shape (n, K)
        Row-stochastic assignments.
    mapping : array_like or tensor of int, shape (K,)
        :math:`m(a)\in\{0,\dots,K-1\}` for each cluster; :math:`K' = \max m + 1\le K` (a value
        below :math:`K'` that no cluster maps to gives a zero column).

    Returns
    -------
    ndarray or tensor, shape (n, K')
        Row-stochastic; a tensor (differentiable in ``phi``) when ``phi`` is one.

    References
    ----------
    Cover and Thomas, *Elements of Information Theory*, 2nd ed., 2006, Theorem 2.8.1
    (data-processing inequality).

    Examples
    --------
    >>> import numpy as np
    >>> merge_clusters(np.eye(3), [0, 0, 1])
    array([[1., 0.],
           [1., 0.],
           [0., 1.]])
    """
    use_torch = _is_torch(phi)
    dtype, device = _reference(phi)
    P = _phi(phi, "phi", dtype, device)
    K = P.shape[1]
    if isinstance(mapping, torch.Tensor):
        mapping = mapping.detach().cpu().numpy()
    m = as_array(mapping, "mapping", ndim=1, dtype=None)
    if m.dtype.kind == "f":
        if not np.all(m == np.round(m)):
            _fail("mapping", "integer cluster indices")
    elif m.dtype.kind not in "iu":
        _fail("mapping", f"integer cluster indices; got dtype {m.dtype}")
    if m.size != K:
        _fail("mapping", f"of length {K} (one target per column of `phi`); got {m.size}")
    if np.any(m < 0) or np.any(m >= K):
        _fail("mapping", f"cluster indices in [0, {K - 1}] (at most as many merged clusters as clusters)", m)
    m = m.astype(np.int64)
    Kp = int(m.max()) + 1
    idx = torch.as_tensor(m, dtype=torch.long, device=P.device)
    out = torch.zeros((P.shape[0], Kp), dtype=P.dtype, device=P.device).index_add(1, idx, P)
    return out if use_torch else out.detach().cpu().numpy()


# --------------------------------------------------------------------------------------------
# risk bounds for the bottleneck classifier
# --------------------------------------------------------------------------------------------

def _count(x, name: str) -> int:
    v = as_int(x, name, low=1)
    if v > _MAX_COUNT:
        _fail(name, f"at most {_MAX_COUNT:.0e} (it enters the bound as a float)", x)
    return v


def bottleneck_classifier_bound(error: float, num_clusters: int, num_classes: int, n: int,
                                delta: float) -> float:
    r"""High-probability risk bound for a classifier that reads its label off ``K`` hard clusters.

    .. math::

        L_\mu(h) \;\le\; \hat L_2(h) + \sqrt{\frac{K\ln|\mathcal Y| + \ln(1/\delta)}{2 n_2}}
        \qquad\text{with probability}\ \ge 1 - \delta,

    for :math:`h(x) = t(a(x))`, a hard cluster map :math:`a:\mathcal X\to\{1..K\}` and a table
    :math:`t:\{1..K\}\to\mathcal Y` (e.g. :math:`t(a) = \arg\max_y q(y\mid a)`), with a loss in
    :math:`[0, 1]` (the 0-1 loss) and :math:`\hat L_2` its mean on :math:`n_2` i.i.d. points.

    Derivation. Given the cluster map :math:`a`, the class :math:`\{t\circ a : t\in\mathcal
    Y^K\}` has :math:`|\mathcal Y|^K` members. Hoeffding's inequality bounds
    :math:`P(L_\mu(h) - \hat L_2(h) > \varepsilon)\le e^{-2n_2\varepsilon^2}` for each fixed
    member; a union bound over the class makes it hold for all members simultaneously with
    :math:`\delta = |\mathcal Y|^K e^{-2n_2\varepsilon^2}`. What must be independent of what:
    the **cluster map** :math:`a` (the network and its centroids) must be fixed independently
    of the :math:`n_2` points (trained on another split); the **table** :math:`t` may be fitted
    on the same :math:`n_2` points whose error is :math:`\hat L_2`, because the bound holds
    uniformly over all :math:`|\mathcal Y|^K` tables. The value is not clipped at 1.

    Parameters
    ----------
    error : float
        :math:`\hat L_2(h)\in[0, 1]`.
    num_clusters : int
        :math:`K\ge 1`.
    num_classes : int
        :math:`|\mathcal Y|\ge 1`.
    n : int
        :math:`n_2\ge 1`, the points on which ``error`` was measured.
    delta : float
        Confidence parameter in (0, 1).

    Returns
    -------
    float

    References
    ----------
    W. Hoeffding, "Probability inequalities for sums of bounded random variables", JASA 58
    (1963), Theorem 2; S. Shalev-Shwartz and S. Ben-David, *Understanding Machine Learning*,
    Cambridge 2014, Corollary 2.3 and Theorem 6.8 (finite classes, union bound).

    Examples
    --------
    >>> import math
    >>> b = bottleneck_classifier_bound(0.1, 10, 2, 1000, 0.05)
    >>> bool(math.isclose(b, 0.1 + math.sqrt((10 * math.log(2) + math.log(20)) / 2000)))
    True
    """
    error = check_probability(error, "error")
    K = _count(num_clusters, "num_clusters")
    C = _count(num_classes, "num_classes")
    n2 = _count(n, "n")
    delta = as_float(delta, "delta", low=0.0, high=1.0, low_open=True, high_open=True)
    # K, C <= 1e300 keep K ln C below 7e302: no overflow
    complexity = float(K) * math.log(C) - math.log(delta)
    return error + math.sqrt(complexity / (2.0 * n2))


def expected_bottleneck_classifier_bound(error: float, num_clusters: int, num_classes: int, n: int) -> float:
    r"""Expected risk bound for the bottleneck classifier, from the Xu–Raginsky bound.

    .. math::

        \mathbb E\,L_\mu(h) \;\le\; \mathbb E\,\hat L(h) + \sqrt{\frac{K\ln|\mathcal Y|}{2n}}.

    Derivation. Let :math:`W = t\in\mathcal Y^K` be the table fitted on the :math:`n` points
    :math:`S` (any algorithm, randomized or not), with the hard cluster map :math:`a` fixed
    independently of :math:`S`. A loss in :math:`[0, 1]` is :math:`\tfrac12`-sub-Gaussian, so
    Xu and Raginsky's bound gives :math:`\mathbb E[L_\mu - \hat L]\le\sqrt{2\cdot\tfrac14\,
    I(S;W)/n}`, and :math:`I(S;W)\le H(W)\le\ln|\mathcal Y^K| = K\ln|\mathcal Y|`. The bound
    is on expectations over :math:`S` (and the algorithm's randomness): ``error`` is the
    expected empirical error (an average over independent repetitions estimates it); for a
    single run use :func:`bottleneck_classifier_bound`.

    Parameters
    ----------
    error : float
        :math:`\mathbb E\,\hat L(h)\in[0, 1]`.
    num_clusters : int
        :math:`K\ge 1`.
    num_classes : int
        :math:`|\mathcal Y|\ge 1`.
    n : int
        Training points of the table, :math:`n\ge 1`.

    Returns
    -------
    float

    References
    ----------
    A. Xu and M. Raginsky, "Information-theoretic analysis of generalization capability of
    learning algorithms", NeurIPS 2017, Theorem 1 (see :func:`theory.bounds.xu_raginsky`);
    Cover and Thomas, 2nd ed., Theorem 2.6.4 (:math:`H\le\log|\mathcal W|`).

    Examples
    --------
    >>> import math
    >>> b = expected_bottleneck_classifier_bound(0.1, 10, 2, 1000)
    >>> bool(math.isclose(b, 0.1 + math.sqrt(10 * math.log(2) / 2000)))
    True
    """
    error = check_probability(error, "error")
    K = _count(num_clusters, "num_clusters")
    C = _count(num_classes, "num_classes")
    n = _count(n, "n")
    mi = float(K) * math.log(C)
    return error + _bounds.xu_raginsky(mi, n, 0.5)
