r"""Kernel complexity: the empirical NTK, critical radius, early stopping, truncated nuclear norm.

- :func:`empirical_ntk` — :math:`\Theta(x, x') = J(x)J(x')^\top` of a torch model over its
  trainable parameters (``torch.func.functional_call`` + ``vmap(jacrev)``, chunked), and
  :func:`two_layer_relu_ntk`, the infinite-width NTK of a two-layer ReLU net in closed form;
- :func:`kernel_gradient_descent` — kernel gradient descent from zero, in closed form;
- :func:`kernel_complexity`, :func:`critical_radius`, :func:`stopping_time` — the empirical
  kernel complexity :math:`\hat{\mathcal R}_K(\varepsilon)`, its critical radius and the
  data-dependent early-stopping time of kernel gradient descent (Raskutti, Wainwright, Yu,
  JMLR 15, 2014), all from the eigenvalues :math:`\hat\lambda_1 \ge \dots \ge \hat\lambda_n`
  of :math:`K_n/n`;
- :func:`lrc_fixed_point` — the empirical local-Rademacher fixed-point proxy of a kernel class
  (Mendelson 2003; Bartlett, Bousquet, Mendelson 2005), and :func:`bbm_excess_risk_bound`, the
  excess-risk bound built on it (form and constants as recalled, unverified);
- :func:`truncated_nuclear_norm`, :func:`tnn_refresh`, :func:`tnn_surrogate` — the truncated
  nuclear norm :math:`\sum_{j>r}\sigma_j(F)` of a feature matrix and its separable, minibatch
  unbiased surrogate (Goel et al., NeurIPS 2024).

Compressing by masking parameters (freezing a subset :math:`S^c` at fixed weights) gives
:math:`K_S = K - J_{S^c}J_{S^c}^\top \preceq K`, so every eigenvalue, the kernel complexity
and the critical radius can only decrease (Weyl's monotonicity theorem).

Bad input is refused before any work with a ValueError naming the argument: negative or
non-finite eigenvalues, non-positive ``eps``/``sigma``/``step``, a model with non-finite
parameters, inputs that do not fit the model, and sizes that could not be held in memory.
"""

from __future__ import annotations

import math
import sys
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from ._checks import _fail, as_array, as_int, as_size, check_bool, check_positive, check_probability

if TYPE_CHECKING:  # annotations only: torch is imported lazily, where it is used
    import torch

__all__ = [
    "empirical_ntk",
    "two_layer_relu_ntk",
    "kernel_gradient_descent",
    "kernel_complexity",
    "critical_radius",
    "stopping_time",
    "lrc_fixed_point",
    "bbm_excess_risk_bound",
    "truncated_nuclear_norm",
    "tnn_refresh",
    "tnn_surrogate",
]

# Largest number of Jacobian entries (rows x outputs x parameters) of one vmapped chunk.
_MAX_CHUNK_ENTRIES = 2**27
# Largest number of Jacobian entries of ``x2`` kept in memory between chunks (else recomputed).
_MAX_CACHE_ENTRIES = 2**27
# Largest kernel matrix returned (n1 * n2 entries, float64: 2 GiB).
_MAX_KERNEL_ENTRIES = 2**28
_TWO_E = 2.0 * math.e


# --------------------------------------------------------------------------------------------
# empirical NTK
# --------------------------------------------------------------------------------------------

def empirical_ntk(model: torch.nn.Module, x1: torch.Tensor | ArrayLike,
                  x2: torch.Tensor | ArrayLike | None = None, *, device: str | torch.device | None = None,
                  chunk_size: int = 256) -> np.ndarray:
    r"""Empirical neural tangent kernel :math:`\Theta = J(X_1)J(X_2)^\top` of a torch model.

    .. math::

        \Theta(x, x') = \sum_{k=1}^{K} \Big\langle \frac{\partial f_k(x;\theta)}{\partial\theta},
        \frac{\partial f_k(x';\theta)}{\partial\theta}\Big\rangle,

    the sum over every parameter with ``requires_grad=True`` (frozen parameters are constants;
    freezing a subset :math:`S^c` gives :math:`K - J_{S^c}J_{S^c}^\top`). For a model with
    :math:`K > 1` outputs the trace over outputs is **summed** (as in the ``torch.func``
    neural-tangent-kernel tutorial); neural-tangents' ``empirical_ntk_fn`` with its default
    ``trace_axes=(-1,)`` **averages** it (its ``_trace_and_diagonal`` divides the trace by the
    traced size), so divide by :math:`K` to compare. For a linear model :math:`f(x) = w^\top x + b`,
    :math:`\Theta = XX^\top + 1`.

    Jacobians are computed per chunk of ``chunk_size`` rows with
    ``vmap(jacrev(functional_call(model, ...)))``, with the model in eval mode (dropout off,
    BatchNorm with its running statistics); the Jacobians of ``x2`` are kept between chunks
    when they fit in memory (:math:`2^{27}` entries), else recomputed. The model itself is
    neither modified nor moved.

    Parameters
    ----------
    model : torch.nn.Module
        Maps (n, ...) inputs to (n, K) outputs; finite parameters and buffers; at least one
        trainable parameter.
    x1 : tensor or array_like, shape (n1, ...)
        Inputs; a Sequential model whose first layer is ``nn.Linear`` needs shape
        (n1, in_features).
    x2 : tensor or array_like, shape (n2, ...), optional
        Second inputs (same trailing shape); ``None``: ``x1`` (the Gram matrix, symmetrized).
    device : str, torch.device or None
        ``None``: the model's device. Otherwise parameters and inputs are copied there.
    chunk_size : int, default 256
        Rows per vmapped Jacobian chunk; ``chunk_size * K * n_params`` must not exceed
        :math:`2^{27}`.

    Returns
    -------
    ndarray, shape (n1, n2)
        float64; positive semi-definite when ``x2`` is ``None``.

    Raises
    ------
    ValueError
        Non-finite model or inputs, inputs that do not fit the model, no trainable
        parameters, a kernel of more than :math:`2^{28}` entries, or a non-finite result.

    References
    ----------
    Jacot, Gabriel, Hongler, "Neural tangent kernel: convergence and generalization in neural
    networks", NeurIPS 2018 (definition); PyTorch ``torch.func`` tutorial "Neural Tangent
    Kernels" (Jacobian contraction, trace summed over outputs); Novak et al., "Fast finite width
    neural tangent kernel", ICML 2022.

    Examples
    --------
    >>> import numpy as np, torch
    >>> lin = torch.nn.Linear(3, 1).double()
    >>> X = np.arange(6.0).reshape(2, 3)
    >>> bool(np.allclose(empirical_ntk(lin, X), X @ X.T + 1))
    True
    """
    import torch
    from torch.func import functional_call, jacrev, vmap

    from ._torch import _probe_forward, as_tensor, check_model, module_device, resolve_device

    check_model(model, finite=True)
    trainable = {k: p for k, p in model.named_parameters() if p.requires_grad}
    if not trainable:
        raise ValueError("`model` has no trainable parameters (every parameter has requires_grad=False)")
    dev = module_device(model) if device is None else resolve_device(device)
    dtype = next(iter(trainable.values())).dtype
    if not dtype.is_floating_point:
        raise ValueError(f"`model` must have floating-point parameters; got {dtype}")
    params = {k: p.detach().to(dev) for k, p in trainable.items()}
    const = {k: p.detach().to(dev) for k, p in model.named_parameters() if not p.requires_grad}
    const.update({k: b.detach().to(dev) for k, b in model.named_buffers()})
    X1 = as_tensor(x1, "x1", dtype=dtype, device=dev)
    X2 = None if x2 is None else as_tensor(x2, "x2", dtype=dtype, device=dev)
    for nm, X in (("x1", X1), ("x2", X2)):
        if X is None:
            continue
        if X.ndim < 2 or X.shape[0] < 1:
            raise ValueError(f"`{nm}` must have shape (n, ...) with n >= 1 and at least 2 dims; "
                             f"got {tuple(X.shape)}")
    if X2 is not None and X2.shape[1:] != X1.shape[1:]:
        raise ValueError(f"`x2` must have the trailing shape of `x1` {tuple(X1.shape[1:])}; got "
                         f"{tuple(X2.shape)}")
    n1 = X1.shape[0]
    n2 = n1 if X2 is None else X2.shape[0]
    if n1 * n2 > _MAX_KERNEL_ENTRIES:
        raise ValueError(f"`x1`/`x2` give a {n1} x {n2} kernel, more than {_MAX_KERNEL_ENTRIES} entries: "
                         "it could not be held in memory")

    def fwd(p, x):
        return functional_call(model, {**const, **p}, (x,))

    was = model.training
    model.eval()
    try:
        out = _probe_forward(model, X1, xname="x1", forward=lambda x: fwd(params, x))
        if X2 is not None:
            _probe_forward(model, X2, xname="x2", forward=lambda x: fwd(params, x))
        K = out.shape[1]
        d = sum(p.numel() for p in params.values())
        cs = as_size(chunk_size, "chunk_size")
        if min(cs, max(n1, n2)) * K * d > _MAX_CHUNK_ENTRIES:
            raise ValueError(f"`chunk_size` must be at most {max(1, _MAX_CHUNK_ENTRIES // (K * d))} for this model: "
                             f"a chunk of {min(cs, max(n1, n2))} x {K} x {d} Jacobian entries could not be held "
                             f"in memory; got {chunk_size!r}")
        names = list(params)

        def f_single(p, x):
            return fwd(p, x.unsqueeze(0)).squeeze(0)

        jac = vmap(jacrev(f_single), in_dims=(None, 0))

        def J(xb):
            Jd = jac(params, xb)
            return torch.cat([Jd[k].reshape(xb.shape[0], K, -1) for k in names], dim=2).reshape(xb.shape[0], -1)

        starts1 = list(range(0, n1, cs))
        Xb = X1 if X2 is None else X2
        starts2 = list(range(0, n2, cs))
        cache = {} if n2 * K * d <= _MAX_CACHE_ENTRIES else None

        def J2(s):
            if cache is None:
                return J(Xb[s:s + cs])
            if s not in cache:
                cache[s] = J(Xb[s:s + cs])
            return cache[s]

        result = np.empty((n1, n2), dtype=np.float64)
        for s1 in starts1:
            A = J2(s1) if X2 is None else J(X1[s1:s1 + cs])
            for s2 in starts2:
                if X2 is None and s2 < s1:
                    continue
                B = A if (X2 is None and s2 == s1) else J2(s2)
                block = (A @ B.T).detach().to("cpu", torch.float64).numpy()
                result[s1:s1 + cs, s2:s2 + cs] = block
                if X2 is None and s2 != s1:
                    result[s2:s2 + cs, s1:s1 + cs] = block.T
    finally:
        model.train(was)
    if not np.all(np.isfinite(result)):
        raise ValueError(f"the empirical NTK of `model` is not finite: the Jacobian overflows {dtype} "
                         "(rescale the inputs or the model, or use float64)")
    if X2 is None:
        result = 0.5 * (result + result.T)
    return result


# --------------------------------------------------------------------------------------------
# kernel complexity, critical radius, early stopping
# --------------------------------------------------------------------------------------------

def two_layer_relu_ntk(x1: ArrayLike, x2: ArrayLike | None = None, *,
                       output_layer: bool = True) -> np.ndarray:
    r"""Infinite-width NTK of the two-layer ReLU net in the NTK parametrization (closed form).

    For :math:`f(x) = m^{-1/2}\sum_r a_r\,\mathrm{relu}(w_r^\top x)`, :math:`w_r \sim N(0, I)`,
    :math:`a_r \sim N(0, 1)`, the empirical NTK converges as :math:`m \to \infty` to

    .. math::

        \Theta(x, x') = \underbrace{\langle x, x'\rangle\frac{\pi - \varphi}{2\pi}}_{\text{first
        layer}} + \underbrace{\|x\|\|x'\|\frac{\sin\varphi + (\pi - \varphi)\cos\varphi}{2\pi}}_{
        \text{output layer}},\qquad \varphi = \angle(x, x'),

    the expectations :math:`\mathbb E[a^2\mathbb 1[w^\top x > 0]\mathbb 1[w^\top x' > 0]]
    \langle x, x'\rangle` and :math:`\mathbb E[\mathrm{relu}(w^\top x)\mathrm{relu}(w^\top x')]`
    (the arc-cosine kernels of degree 0 and 1; Cho and Saul, NeurIPS 2009). On the unit sphere
    the first-layer kernel has :math:`\Theta(x, x) = 1/2`.

    Parameters
    ----------
    x1 : array_like, shape (n1, d)
    x2 : array_like, shape (n2, d), optional
        ``None``: ``x1``.
    output_layer : bool, default True
        Include the output-layer term (both layers trained); ``False``: first layer only.

    Returns
    -------
    ndarray, shape (n1, n2)
        A zero input row gives a zero row.

    References
    ----------
    Jacot, Gabriel, Hongler, NeurIPS 2018 (the NTK); Cho, Saul, NeurIPS 2009 (arc-cosine
    kernels); the two-layer formula is derived from them here and checked against the empirical
    NTK of wide nets by Monte Carlo.

    Examples
    --------
    Orthogonal unit vectors: :math:`\varphi = \pi/2`, so :math:`\Theta = 1/(2\pi)` (output
    layer only contributes).

    >>> K = two_layer_relu_ntk([[1.0, 0.0], [0.0, 1.0]])
    >>> round(float(K[0, 1]), 12) == round(1 / (2 * np.pi), 12), round(float(K[0, 0]), 12)
    (True, 1.0)
    """
    A = as_array(x1, "x1", ndim=2)
    B = A if x2 is None else as_array(x2, "x2", ndim=2)
    if B.shape[1] != A.shape[1]:
        raise ValueError(f"`x2` must have {A.shape[1]} columns, like `x1`; got shape {B.shape}")
    output_layer = check_bool(output_layer, "output_layer")
    as_size(A.shape[0] * B.shape[0], "len(x1) * len(x2)", high=_MAX_KERNEL_ENTRIES)
    with np.errstate(over="ignore"):
        na, nb = np.linalg.norm(A, axis=1), np.linalg.norm(B, axis=1)
    if not (np.all(np.isfinite(na)) and np.all(np.isfinite(nb))):
        _fail("x1" if not np.all(np.isfinite(na)) else "x2", "small enough that row norms are finite")
    G = A @ B.T
    nn_ = np.outer(na, nb)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = np.where(nn_ > 0, G / np.where(nn_ > 0, nn_, 1.0), 1.0)
    cos = np.clip(cos, -1.0, 1.0)
    if x2 is None:
        np.fill_diagonal(cos, 1.0)  # phi(x, x) = 0 exactly; G/(|x||x|) can be an ulp below 1, arccos ~1e-8
    phi = np.arccos(cos)
    K = G * (np.pi - phi) / (2 * np.pi)
    if output_layer:
        K = K + nn_ * (np.sin(phi) + (np.pi - phi) * cos) / (2 * np.pi)
    return K


def kernel_gradient_descent(K: ArrayLike, y: ArrayLike, step: float, steps: int | ArrayLike,
                            K_cross: ArrayLike | None = None) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    r"""Kernel gradient descent from zero after ``steps`` steps, in closed form.

    .. math::

        f^{t+1} = f^t - \alpha\frac{K_n}{n}(f^t - y),\quad f^0 = 0
        \quad\Longrightarrow\quad
        f^t = Q\,\mathrm{diag}\big(1 - (1 - \alpha\hat\lambda_i)^t\big)\,Q^\top y,

    with :math:`K_n/n = Q\,\mathrm{diag}(\hat\lambda)\,Q^\top`. Off the sample,
    :math:`f^t(x) = k(x, X)\,c^t/n` with
    :math:`c^t = Q\,\mathrm{diag}\big((1 - (1-\alpha\hat\lambda_i)^t)/\hat\lambda_i\big)Q^\top y`
    (:math:`\alpha t` where :math:`\hat\lambda_i = 0`): the function-space iteration
    :math:`f^{t+1} = f^t - \frac{\alpha}{n}\sum_i (f^t(x_i) - y_i)\,k(x_i, \cdot)`.

    Parameters
    ----------
    K : array_like, shape (n, n)
        Symmetric positive semi-definite Gram matrix :math:`K_n` (not divided by n).
    y : array_like, shape (n,)
    step : float
        :math:`\alpha > 0`; the iteration contracts when :math:`\alpha\hat\lambda_1 < 2`
        (the early-stopping theory assumes :math:`\alpha \le \min(1, 1/\hat\lambda_1)`).
    steps : int or array_like of int
        :math:`t \ge 0`.
    K_cross : array_like, shape (m, n), optional
        :math:`k(x'_j, x_i)` for test inputs :math:`x'_j`.

    Returns
    -------
    fitted : ndarray, shape (n,) or (len(steps), n)
        :math:`f^t(x_i)`.
    predicted : ndarray, shape (m,) or (len(steps), m)
        Only when ``K_cross`` is given: ``(fitted, predicted)``.

    References
    ----------
    Yao, Rosasco, Caponnetto, Constr. Approx. 26 (2007) (gradient descent in an RKHS);
    Raskutti, Wainwright, Yu, JMLR 15 (2014), Section 2 (the iteration stopped early).

    Examples
    --------
    One point, :math:`K = [[2]]`, :math:`\alpha = 0.25`: :math:`\hat\lambda = 2`,
    :math:`f^t = 1 - 0.5^t`.

    >>> kernel_gradient_descent([[2.0]], [1.0], 0.25, [0, 1, 3])
    array([[0.   ],
           [0.5  ],
           [0.875]])
    """
    Kn = as_array(K, "K", ndim=2)
    n = Kn.shape[0]
    if Kn.shape != (n, n):
        _fail("K", f"square; got shape {Kn.shape}")
    if not np.allclose(Kn, Kn.T, rtol=1e-10, atol=1e-12 * max(1.0, float(np.abs(Kn).max()))):
        _fail("K", "symmetric")
    yv = as_array(y, "y", ndim=1, shape=(n,))
    step = check_positive(step, "step")
    t_arr = as_array(steps, "steps", ndim=(0, 1), dtype=None)
    if not np.issubdtype(t_arr.dtype, np.integer) or np.any(t_arr < 0):
        _fail("steps", "non-negative integers", steps)
    ts = t_arr.reshape(-1).astype(np.float64)
    lam, Q = np.linalg.eigh(Kn / n)
    if lam.min() < -1e-8 * max(1.0, abs(lam.max())):
        _fail("K", "positive semi-definite", f"smallest eigenvalue of K/n {lam.min():.3g}")
    lam = np.maximum(lam, 0.0)
    if step * lam.max() >= 2.0:
        _fail("step", f"below 2/lambda_max(K/n) = {2.0 / lam.max():.6g} (else the iteration diverges)", step)
    ax = step * lam
    small = ax < 1.0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # 1 - (1 - a)^t, accurate for small a as -expm1(t log1p(-a)); the plain power otherwise
        log1m = np.log1p(-np.where(small, ax, 0.0))
        shrink = np.where(small[None], -np.expm1(ts[:, None] * log1m[None]),
                          1.0 - np.power(1.0 - ax[None], ts[:, None]))
    coeff = Q.T @ yv
    with np.errstate(over="ignore", invalid="ignore"):
        fitted = shrink * coeff[None] @ Q.T
    if not np.all(np.isfinite(fitted)):
        _fail("y", "small enough that the fitted values are finite")
    if K_cross is None:
        return fitted[0] if t_arr.ndim == 0 else fitted
    Kc = as_array(K_cross, "K_cross", ndim=2, shape=(None, n))
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.where(lam[None] > 0, shrink / np.where(lam > 0, lam, 1.0)[None], step * ts[:, None])
    with np.errstate(over="ignore", invalid="ignore"):
        pred = (g * coeff[None]) @ Q.T @ Kc.T / n
    if not np.all(np.isfinite(pred)):
        _fail("K_cross", "small enough (with `y`) that the predictions are finite")
    if t_arr.ndim == 0:
        return fitted[0], pred[0]
    return fitted, pred


def _eigenvalues(eigenvalues, name="eigenvalues") -> np.ndarray:
    return as_array(eigenvalues, name, ndim=1, nonnegative=True)


def kernel_complexity(eigenvalues: ArrayLike, eps: float | ArrayLike) -> float | np.ndarray:
    r"""Empirical kernel complexity :math:`\hat{\mathcal R}_K(\varepsilon)`.

    .. math::

        \hat{\mathcal R}_K(\varepsilon) = \sqrt{\frac1n\sum_{i=1}^n \min(\hat\lambda_i,
        \varepsilon^2)},

    :math:`\hat\lambda_i` the eigenvalues of :math:`K_n/n` (:math:`K_n` the :math:`n \times n`
    Gram matrix). Non-decreasing in :math:`\varepsilon`, and
    :math:`\hat{\mathcal R}_K(\varepsilon)/\varepsilon` is non-increasing.

    Parameters
    ----------
    eigenvalues : array_like, shape (n,)
        :math:`\hat\lambda_i \ge 0` (clip round-off negatives of ``eigvalsh`` before passing).
    eps : float or array_like, shape (m,)
        :math:`\varepsilon > 0`.

    Returns
    -------
    float or ndarray, shape (m,)

    References
    ----------
    Raskutti, Wainwright, Yu, "Early stopping and non-parametric regression: an optimal
    data-dependent stopping rule", JMLR 15 (2014), 335-366, Section 2 (empirical kernel
    complexity; equation numbers not checked).

    Examples
    --------
    >>> kernel_complexity([1.0, 0.25, 0.0, 0.0], 0.5)  # sqrt((0.25 + 0.25) / 4)
    0.3535533905932738
    """
    lam = _eigenvalues(eigenvalues)
    e = as_array(eps, "eps", ndim=(0, 1), positive=True)
    with np.errstate(over="ignore"):
        e2 = e.reshape(-1) ** 2
    if not np.all(np.isfinite(e2)):
        _fail("eps", "small enough that eps**2 is finite", eps)
    lam_sorted = np.sort(lam)
    csum = np.concatenate([[0.0], np.cumsum(lam_sorted)])
    # sum_i min(lam_i, u) = sum_{lam_i <= u} lam_i + u * #{lam_i > u}
    m = np.searchsorted(lam_sorted, e2, side="right")
    with np.errstate(over="ignore", invalid="ignore"):
        total = csum[m] + e2 * (lam.size - m)
    out = np.sqrt(total / lam.size)
    if not np.all(np.isfinite(out)):
        _fail("eigenvalues", "small enough that their sum is finite")
    return float(out[0]) if e.ndim == 0 else out


def critical_radius(eigenvalues: ArrayLike, sigma: float) -> float:
    r"""Critical radius :math:`\hat\varepsilon_n` of the empirical kernel complexity (exact).

    .. math::

        \hat\varepsilon_n = \min\Big\{\varepsilon > 0 : \hat{\mathcal R}_K(\varepsilon) \le
        \frac{\varepsilon^2}{2e\sigma}\Big\}.

    Since :math:`\hat{\mathcal R}_K(\varepsilon)/\varepsilon^2` is strictly decreasing (when some
    :math:`\hat\lambda_i > 0`), :math:`\hat\varepsilon_n` is the unique positive root of
    :math:`\hat{\mathcal R}_K(\varepsilon) = \varepsilon^2/(2e\sigma)`. With
    :math:`u = \varepsilon^2` between consecutive sorted eigenvalues,
    :math:`u \in [\hat\lambda_{(k+1)}, \hat\lambda_{(k)}]`, the equality is the quadratic

    .. math::

        u^2 - s\frac{k}{n}u - s\frac{S_k}{n} = 0,\qquad s = (2e\sigma)^2,\
        S_k = \sum_{j>k}\hat\lambda_{(j)},

    solved exactly on the one segment where the sign changes (no grid, no iteration).

    Parameters
    ----------
    eigenvalues : array_like, shape (n,)
        Eigenvalues :math:`\hat\lambda_i \ge 0` of :math:`K_n/n`.
    sigma : float
        Noise level :math:`\sigma > 0` (sub-Gaussian parameter).

    Returns
    -------
    float
        :math:`\hat\varepsilon_n`; 0.0 when every eigenvalue is 0 (the inequality then holds
        for every :math:`\varepsilon > 0`). Increasing in :math:`\sigma`.

    References
    ----------
    Raskutti, Wainwright, Yu, "Early stopping and non-parametric regression: an optimal
    data-dependent stopping rule", JMLR 15 (2014), 335-366: the critical radius (Section 2) and
    Theorem 1 (kernel gradient descent stopped at :func:`stopping_time` reaches
    :math:`\|f_{\hat T} - f^*\|_n^2 \le 12\,\hat\varepsilon_n^2` with high probability, assuming
    :math:`\sup k \le 1`, :math:`\|f^*\|_{\mathcal H} \le 1` and step :math:`\le \min(1,
    1/\hat\lambda_1)`). The constants :math:`2e` and 12 are as recalled, not verified against
    the paper's text.

    Examples
    --------
    One eigenvalue 1 with n = 1: :math:`\min(1, u) = u^2/(2e\sigma)^2` at
    :math:`u = 1` when :math:`2e\sigma = 1`, so :math:`\hat\varepsilon_n = 1`.

    >>> import math
    >>> round(critical_radius([1.0], 1 / (2 * math.e)), 12)
    1.0
    """
    lam = _eigenvalues(eigenvalues)
    sigma = check_positive(sigma, "sigma")
    try:
        s = (_TWO_E * sigma) ** 2
    except OverflowError:
        s = math.inf
    if not math.isfinite(s) or s == 0.0:
        _fail("sigma", "such that (2 e sigma)**2 is finite and positive", sigma)
    n = lam.size
    a = np.sort(lam)
    if a[-1] == 0.0:
        return 0.0
    C = np.cumsum(a)
    # g(a_m) = (1/n) sum_i min(a_i, a_m) = (C_m + (n - m - 1) a_m) / n; h(u) = u^2 - s g(u), convex
    idx = np.arange(n)
    with np.errstate(over="ignore"):
        g = (C + (n - idx - 1) * a) / n
        h = a * a - s * g
    pos = np.nonzero((a > 0) & (h >= 0))[0]
    m = int(pos[0]) if pos.size else n
    k = n - m                                    # eigenvalues above the root's segment
    S = float(C[m - 1]) if m > 0 else 0.0         # sum of those at or below its lower end
    b = s * k / n
    with np.errstate(over="ignore"):
        u = 0.5 * (b + math.sqrt(b * b + 4.0 * s * S / n))
    lo = float(a[m - 1]) if m > 0 else 0.0
    hi = float(a[m]) if m < n else math.inf
    u = min(max(u, lo), hi)
    if not math.isfinite(u):
        raise ValueError("the critical radius overflows float64: `eigenvalues` or `sigma` too large")
    return math.sqrt(u)


def stopping_time(eigenvalues: ArrayLike, sigma: float, step: float, *, max_steps: int = 10**9) -> int:
    r"""Data-dependent early-stopping time of kernel gradient descent.

    .. math::

        \hat T = \min\Big\{t \ge 1 : \hat{\mathcal R}_K\big(1/\sqrt{\eta_t}\big) >
        \frac{1}{2e\sigma\,\eta_t}\Big\} - 1,\qquad \eta_t = \alpha t,

    for the iteration :math:`f^{t+1} = f^t - \alpha (K_n/n)(f^t - y)` from :math:`f^0 = 0`.
    With :math:`\varepsilon = 1/\sqrt{\eta_t}` the condition reads
    :math:`\hat{\mathcal R}_K(\varepsilon) > \varepsilon^2/(2e\sigma)`, i.e.
    :math:`\varepsilon < \hat\varepsilon_n` (:func:`critical_radius`), so the search over
    :math:`t` is solved in closed form, :math:`\hat T = \lfloor 1/(\alpha\hat\varepsilon_n^2)
    \rfloor`, and then checked (and corrected by one step for round-off) against the definition
    evaluated directly at :math:`\hat T` and :math:`\hat T + 1`.

    Parameters
    ----------
    eigenvalues : array_like, shape (n,)
        Eigenvalues :math:`\hat\lambda_i \ge 0` of :math:`K_n/n`, not all zero.
    sigma : float
        Noise level :math:`\sigma > 0`.
    step : float
        Step size :math:`\alpha > 0` (the guarantee assumes :math:`\alpha \le \min(1,
        1/\hat\lambda_1)`; not enforced).
    max_steps : int, default 10**9
        Cap on :math:`\hat T`: a larger stopping time (a tiny ``step`` or critical radius) is
        refused rather than returned.

    Returns
    -------
    int
        :math:`\hat T \ge 0`.

    Raises
    ------
    ValueError
        Bad eigenvalues, ``sigma`` or ``step``; all eigenvalues zero (the condition never
        holds, :math:`\hat T = \infty`); :math:`\hat T` above ``max_steps``.

    References
    ----------
    Raskutti, Wainwright, Yu, "Early stopping and non-parametric regression: an optimal
    data-dependent stopping rule", JMLR 15 (2014), 335-366, the stopping rule of Section 2 and
    Theorem 1; the constant :math:`2e` is as recalled, not verified against the paper's text.

    Examples
    --------
    One eigenvalue 1 and :math:`2e\sigma = 1` give :math:`\hat\varepsilon_n = 1`, so
    :math:`\hat T = \lfloor 1/\alpha \rfloor`:

    >>> import math
    >>> stopping_time([1.0], 1 / (2 * math.e), 0.3)
    3
    """
    lam = _eigenvalues(eigenvalues)
    sigma = check_positive(sigma, "sigma")
    step = check_positive(step, "step")
    max_steps = as_size(max_steps, "max_steps")
    if lam.max() == 0.0:
        _fail("eigenvalues", "not all zero (with a zero kernel the stopping condition never holds)")
    eps = critical_radius(lam, sigma)
    with np.errstate(over="ignore", divide="ignore"):
        x = 1.0 / (step * eps * eps) if eps > 0 else math.inf
    if not x <= max_steps + 1:
        _fail("step", f"large enough that the stopping time 1/(step * eps_n^2) = {x:.3g} is at most "
                      f"`max_steps`={max_steps}", step)
    c = 1.0 / _TWO_E / sigma

    def stops(t):  # the defining condition at t >= 1
        eta = step * t
        return kernel_complexity(lam, 1.0 / math.sqrt(eta)) > c / eta

    T = int(math.floor(x))
    # round-off at the boundary: T + 1 must satisfy the condition, T (if >= 1) must not
    for _ in range(4):
        if T > 0 and stops(T):
            T -= 1
        elif not stops(T + 1):
            T += 1
        else:
            break
    if T > max_steps:
        _fail("step", f"large enough that the stopping time is at most `max_steps`={max_steps}", step)
    return T


def lrc_fixed_point(eigenvalues: ArrayLike, n: int) -> tuple[float, int]:
    r"""Empirical local-Rademacher fixed-point proxy of a kernel class.

    .. math::

        \hat r^* \lesssim \min_{0 \le h \le m}\Big(\frac hn +
        \sqrt{\frac1n\sum_{j>h}\hat\lambda_j}\Big),

    :math:`\hat\lambda_1 \ge \dots \ge \hat\lambda_m` the eigenvalues of :math:`K_n/n`
    (sorted here). It comes from :math:`\mathbb E R_n\{f : Pf^2 \le r\} \le
    \sqrt{(2/n)\sum_j \min(r, \lambda_j)}` (Mendelson 2003); the numerical constants relating it
    to the fixed point and the excess-risk bound (Bartlett, Bousquet, Mendelson 2005; 704, 11
    and 26 as recalled) are omitted here; they are not verified against the papers' text.

    Parameters
    ----------
    eigenvalues : array_like, shape (m,)
        :math:`\hat\lambda_j \ge 0`.
    n : int
        Sample size :math:`n \ge 1`.

    Returns
    -------
    value : float
        The minimum.
    h : int
        The smallest minimizing :math:`h \in \{0, \dots, m\}`.

    References
    ----------
    S. Mendelson, "On the performance of kernel classes", JMLR 4 (2003) (the local Rademacher
    bound for kernel classes); P. L. Bartlett, O. Bousquet, S. Mendelson, "Local Rademacher
    complexities", Ann. Statist. 33(4) (2005), the section on kernel classes. Theorem numbers
    and constants as recalled, not verified against the papers' text.

    Examples
    --------
    With one eigenvalue 1 and n = 4: h = 0 gives sqrt(1/4) = 0.5, h = 1 gives 1/4.

    >>> lrc_fixed_point([1.0], 4)
    (0.25, 1)
    """
    lam = _eigenvalues(eigenvalues)
    n = as_size(n, "n")
    lam = np.sort(lam)[::-1]
    with np.errstate(over="ignore", invalid="ignore"):
        tail = np.concatenate([np.cumsum(lam[::-1])[::-1], [0.0]])   # tail[h] = sum_{j>h} lam_j
        vals = np.arange(lam.size + 1) / n + np.sqrt(np.maximum(tail, 0.0) / n)
    if not np.all(np.isfinite(vals)):
        _fail("eigenvalues", "small enough that their sum is finite")
    h = int(np.argmin(vals))
    return float(vals[h]), h


def bbm_excess_risk_bound(eigenvalues: ArrayLike, n: int, delta: float, *,
                          constants: tuple[float, float, float] = (704.0, 11.0, 26.0), lipschitz: float = 1.0,
                          bernstein: float = 1.0) -> float:
    r"""Local-Rademacher excess-risk bound of a kernel class, in the form and constants as recalled.

    .. math::

        P\ell_{\hat f} - P\ell_{f^*} \le c_1\,\hat r + (c_2 L + c_3 B)\frac{\log(1/\delta)}{n},
        \qquad \hat r = \min_{0\le h\le m}\Big(\frac hn + \sqrt{\frac1n\sum_{j>h}\hat\lambda_j}
        \Big)

    (:func:`lrc_fixed_point`), :math:`L` the Lipschitz constant of the loss, :math:`B` its
    Bernstein constant, :math:`(c_1, c_2, c_3) = (704, 11, 26)`.

    .. warning::

        Neither the form nor the constants have been checked against the text of Bartlett,
        Bousquet and Mendelson (Ann. Statist. 2005, the corollary on kernel classes), and the
        proxy :math:`\hat r` omits the scaling between the kernel class's fixed point and that
        of the loss class. Treat the value as an order-of-magnitude report (it is vacuous at
        moderate n), never as a guarantee.

    Parameters
    ----------
    eigenvalues : array_like, shape (m,)
        :math:`\hat\lambda_j \ge 0` of :math:`K_n/n`.
    n : int
    delta : float
        In (0, 1).
    constants : tuple of 3 floats, default (704, 11, 26)
    lipschitz, bernstein : float, default 1

    Returns
    -------
    float

    Examples
    --------
    >>> round(bbm_excess_risk_bound([1.0], 4, np.exp(-1.0)), 6)  # 704 * 0.25 + 37 / 4
    185.25
    """
    delta = check_probability(delta, "delta", open_low=True, open_high=True)
    c = as_array(constants, "constants", ndim=1, shape=(3,), nonnegative=True)
    L = check_positive(lipschitz, "lipschitz")
    B = check_positive(bernstein, "bernstein")
    r, _ = lrc_fixed_point(eigenvalues, n)
    n = as_size(n, "n")
    with np.errstate(over="ignore", invalid="ignore"):
        out = float(c[0] * r + (c[1] * L + c[2] * B) * math.log(1.0 / delta) / n)
    if not math.isfinite(out):
        raise ValueError("`constants`, `lipschitz` and `bernstein` must be small enough that the bound is finite")
    return out


# --------------------------------------------------------------------------------------------
# truncated nuclear norm and its separable surrogate
# --------------------------------------------------------------------------------------------

def truncated_nuclear_norm(matrix: ArrayLike, rank: int) -> float:
    r"""Truncated nuclear norm :math:`\sum_{i>r}\sigma_i(A)`.

    .. math::

        \|A\|_{*,r} = \sum_{i=r+1}^{\min(n,p)} \sigma_i(A),

    singular values in decreasing order. For a feature matrix :math:`F` (n×p),
    :math:`\hat\lambda_j(FF^\top/n) = \sigma_j(F)^2/n`, so this is an :math:`\ell_1` tail of
    :math:`\sqrt{n\hat\lambda_j}`, not the eigenvalue tail of the kernel.

    Parameters
    ----------
    matrix : array_like, shape (n, p)
    rank : int
        :math:`r \ge 0`; :math:`r \ge \min(n, p)` gives 0.

    Returns
    -------
    float

    References
    ----------
    Hu, Zhang, Ye, Li, He, "Fast and accurate matrix completion via truncated nuclear norm
    regularization", IEEE TPAMI 35(9) (2013) (definition); Goel et al., NeurIPS 2024
    (penalizing the feature matrix's truncated nuclear norm).

    Examples
    --------
    >>> round(truncated_nuclear_norm([[3.0, 0.0], [4.0, 0.0]], 0), 12)  # one singular value, 5
    5.0
    >>> round(truncated_nuclear_norm([[3.0, 0.0], [0.0, 2.0]], 1), 12)
    2.0
    """
    A = as_array(matrix, "matrix", ndim=2)
    rank = as_int(rank, "rank", low=0)
    sv = np.linalg.svd(A, compute_uv=False)
    return float(np.sum(sv[rank:]))


def tnn_refresh(features: np.ndarray | torch.Tensor) -> tuple[np.ndarray, np.ndarray] | tuple[torch.Tensor, torch.Tensor]:
    r"""The SVD factors :math:`(U, V)` of the full-data feature matrix, for :func:`tnn_surrogate`.

    .. math::

        F = U\,\mathrm{diag}(\sigma)\,V^\top,\qquad U \in \mathbb R^{n\times q},\
        V = (V^{h})^\top \in \mathbb R^{p\times q},\ q = \min(n, p),

    so that :math:`\sigma_j = u_j^\top F v_j = \sum_i U_{ij}\langle F_i, v_j\rangle`. Note
    :math:`V` is the transpose of the ``Vh`` returned by numpy/scipy/torch.

    Parameters
    ----------
    features : ndarray or tensor, shape (n, p)
        Finite; a tensor is detached (the factors are constants of the surrogate).

    Returns
    -------
    U : ndarray or tensor, shape (n, q)
    V : ndarray or tensor, shape (p, q)
        Of the input's kind (numpy in, numpy out; tensor in, tensor on its device out).

    References
    ----------
    Goel et al., NeurIPS 2024 (the factors refreshed once per epoch from the full-data
    features).

    Examples
    --------
    >>> import numpy as np
    >>> F = np.array([[3.0, 0.0], [0.0, 2.0]])
    >>> U, V = tnn_refresh(F)
    >>> bool(np.allclose(U @ np.diag([3.0, 2.0]) @ V.T, F))
    True
    """
    torch = sys.modules.get("torch")   # a tensor argument means torch is loaded; never import it here
    if torch is not None:
        from ._torch import as_tensor

    if torch is not None and isinstance(features, torch.Tensor):
        F = as_tensor(features, "features", ndim=2).detach()
        if not F.is_floating_point():
            F = F.to(torch.float64)
        if min(F.shape) < 1:
            raise ValueError(f"`features` must be non-empty; got shape {tuple(F.shape)}")
        U, _, Vh = torch.linalg.svd(F, full_matrices=False)
        return U, Vh.mT
    F = as_array(features, "features", ndim=2)
    U, _, Vh = np.linalg.svd(F, full_matrices=False)
    return U, Vh.T


def tnn_surrogate(features: torch.Tensor, U: torch.Tensor | ArrayLike, V: torch.Tensor | ArrayLike, rank: int,
                  batch_index: ArrayLike | None = None, n: int | None = None) -> torch.Tensor:
    r"""Separable surrogate of the truncated nuclear norm, full-data or minibatch-unbiased.

    .. math::

        \Phi(F) = \sum_{j>r}\sum_{i=1}^n U_{ij}\langle F_i, v_j\rangle,\qquad
        \hat\Phi_B(F_B) = \frac nB\sum_{j>r}\sum_{i\in B} U_{ij}\langle F_i, v_j\rangle,

    with :math:`(U, V)` from :func:`tnn_refresh` at the last refresh. At the refresh point
    :math:`\Phi(F) = \sum_{j>r}\sigma_j(F)` (:func:`truncated_nuclear_norm`); between refreshes
    it is linear in :math:`F`, hence separable over rows, and for a batch :math:`B` drawn
    uniformly (with or without replacement) :math:`\mathbb E\,\hat\Phi_B = \Phi`. Gradients flow
    through ``features``.

    Parameters
    ----------
    features : tensor, shape (n, p) or (B, p)
        The full-data features, or the rows ``batch_index`` of them.
    U : tensor or array_like, shape (n, q)
    V : tensor or array_like, shape (p, q)
        From :func:`tnn_refresh` (:math:`V` = ``Vh.T``).
    rank : int
        :math:`0 \le r \le q`.
    batch_index : array_like of int, shape (B,), optional
        Rows of the full data that ``features`` holds (in :math:`[0, n)`).
    n : int, optional
        Number of full-data rows; must equal ``U.shape[0]`` when given.

    Returns
    -------
    tensor, shape ()

    References
    ----------
    Goel et al., NeurIPS 2024 ("LRFL": the truncated-nuclear-norm penalty on the feature matrix
    with a separable surrogate refreshed each epoch; the title and equation numbers are not
    checked here). The factor is :math:`V = V_h^\top`, not ``Vh`` itself.

    Examples
    --------
    >>> import torch
    >>> F = torch.tensor([[3.0, 0.0], [0.0, 2.0]], dtype=torch.float64)
    >>> U, V = tnn_refresh(F)
    >>> round(float(tnn_surrogate(F, U, V, 1)), 12)
    2.0
    """
    import torch

    from ._torch import as_tensor

    if not isinstance(features, torch.Tensor):
        raise TypeError(f"`features` must be a torch.Tensor (the surrogate is differentiated); "
                        f"got {type(features).__name__}")
    F = as_tensor(features, "features", ndim=2)
    if not F.is_floating_point():
        raise ValueError(f"`features` must be floating point; got {F.dtype}")
    Ut = as_tensor(U, "U", ndim=2, dtype=F.dtype, device=F.device).detach()
    Vt = as_tensor(V, "V", ndim=2, dtype=F.dtype, device=F.device).detach()
    n_full, q = Ut.shape
    p = F.shape[1]
    if Vt.shape != (p, q):
        raise ValueError(f"`V` must have shape ({p}, {q}) (features' width, U's columns); got {tuple(Vt.shape)}")
    if n is not None:
        n = as_size(n, "n")
        if n != n_full:
            raise ValueError(f"`n` must equal the number of rows of `U` ({n_full}); got {n}")
    rank = as_int(rank, "rank", low=0, high=q)
    if batch_index is None:
        if F.shape[0] != n_full:
            raise ValueError(f"`features` must have {n_full} rows (those of `U`) when `batch_index` is None; "
                             f"got {F.shape[0]}")
        Ub, scale = Ut, 1.0
    else:
        idx = as_array(batch_index, "batch_index", ndim=1, dtype=None)
        if not np.issubdtype(idx.dtype, np.integer):
            raise ValueError(f"`batch_index` must hold integer row indices; got dtype {idx.dtype}")
        if idx.min() < 0 or idx.max() >= n_full:
            raise ValueError(f"`batch_index` must lie in [0, {n_full - 1}]")
        if idx.size != F.shape[0]:
            raise ValueError(f"`batch_index` must have one entry per row of `features` ({F.shape[0]}); "
                             f"got {idx.size}")
        Ub = Ut[torch.as_tensor(idx, dtype=torch.long, device=F.device)]
        scale = n_full / idx.size
    proj = F @ Vt[:, rank:]                     # (B, q - r): <F_i, v_j>
    return scale * (Ub[:, rank:] * proj).sum()
