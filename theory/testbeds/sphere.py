r"""Regression on the sphere with a two-layer ReLU net in the kernel regime (layer L2).

The testbed of the kernel-complexity experiment:

- :func:`uniform_sphere` draws inputs uniformly on :math:`S^{d-1}`;
- :class:`SphereTeacher` is a regression function in the RKHS of the limiting first-layer NTK
  (:func:`theory.kernels.two_layer_relu_ntk`), a kernel mixture
  :math:`f^*(x) = \sum_k c_k\,\kappa(x, z_k)` scaled to RKHS norm
  :math:`\|f^*\|_{\mathcal H}^2 = c^\top \kappa(Z, Z)\,c` = ``rkhs_norm``, observed with
  Gaussian noise of standard deviation ``noise_std``;
- :class:`TwoLayerReLU` is :math:`f(x) = m^{-1/2}\sum_r s_r a_r\,\mathrm{relu}(w_r^\top x)` in
  the NTK parametrization with antisymmetric initialization (neurons in mirrored pairs
  :math:`w_{r+m/2} = w_r`, :math:`a_{r+m/2} = -a_r`, so :math:`f_0 \equiv 0`), a neuron mask
  :math:`s` (pruning) and a parameter mask (freezing first-layer entries at their values), with
  its finite-width NTK Gram matrix in closed form (:meth:`TwoLayerReLU.ntk`);
- :func:`train_gd` runs full-batch gradient descent on :math:`\frac1{2n}\sum_i(f(x_i)-y_i)^2`,
  whose linearization is kernel gradient descent
  :math:`f^{t+1} = f^t - \alpha (K_n/n)(f^t - y)` on the NTK Gram matrix :math:`K_n`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from .. import _torch  # noqa: F401  (first: a clear ImportError when torch is missing)
import torch
from torch import nn

from .._checks import _fail, as_array, as_int, as_size, check_bool, check_nonnegative, check_positive, check_rng
from .._torch import _probe_forward, as_tensor, check_dtype, check_model, resolve_device, seed_or_fresh, torch_generator
from ..claims import Measurement
from ..kernels import two_layer_relu_ntk

__all__ = ["uniform_sphere", "SphereTeacher", "TwoLayerReLU", "train_gd"]


def uniform_sphere(n: int, d: int, rng: np.random.Generator | int | None = None) -> np.ndarray:
    r"""``n`` points drawn uniformly on the unit sphere :math:`S^{d-1} \subset \mathbb R^d`.

    Parameters
    ----------
    n : int
        :math:`n \ge 1`.
    d : int
        :math:`d \ge 2`.
    rng : int, numpy Generator or None

    Returns
    -------
    ndarray, shape (n, d)
        Normalized standard Gaussian vectors.

    Examples
    --------
    >>> X = uniform_sphere(5, 3, rng=0)
    >>> bool(np.allclose(np.linalg.norm(X, axis=1), 1.0))
    True
    """
    n = as_size(n, "n")
    d = as_int(d, "d", low=2, high=10**6)
    as_size(n * d, "n * d")
    rng = check_rng(rng)
    G = rng.standard_normal((n, d))
    nrm = np.linalg.norm(G, axis=1, keepdims=True)
    while np.any(nrm == 0):  # probability zero; redraw rather than divide by zero
        bad = nrm[:, 0] == 0
        G[bad] = rng.standard_normal((int(bad.sum()), d))
        nrm = np.linalg.norm(G, axis=1, keepdims=True)
    return G / nrm


class SphereTeacher:
    r"""A regression function in the RKHS of the limiting first-layer NTK, with Gaussian noise.

    .. math::

        f^*(x) = \sum_{k=1}^{K} c_k\,\kappa(x, z_k),\qquad
        \kappa(x, x') = \langle x, x'\rangle\,\frac{\pi - \varphi}{2\pi},\qquad
        y = f^*(x) + \sigma\xi,\ \xi \sim N(0, 1),

    with centers :math:`z_k` uniform on :math:`S^{d-1}`, :math:`c \sim N(0, I)` rescaled so that
    :math:`\|f^*\|_{\mathcal H} = \sqrt{c^\top\kappa(Z,Z)c}` equals ``rkhs_norm``
    (:math:`\sup_x \kappa(x, x) = 1/2`, so :math:`|f^*| \le` ``rkhs_norm``:math:`/\sqrt2`).

    Parameters
    ----------
    d : int
        Input dimension, :math:`\ge 2`.
    n_centers : int, default 20
    noise_std : float, default 0.5
        :math:`\sigma \ge 0`.
    rkhs_norm : float, default 1.0
    seed : int, default 0

    Examples
    --------
    The coefficients are rescaled so that :math:`\sqrt{c^\top\kappa(Z,Z)c}` is ``rkhs_norm = 1``,
    hence :math:`|f^*| \le 1/\sqrt 2`; without noise the labels are :math:`f^*(X)` itself.

    >>> import math
    >>> import numpy as np
    >>> from theory.kernels import two_layer_relu_ntk
    >>> from theory.testbeds.sphere import SphereTeacher
    >>> teacher = SphereTeacher(3, n_centers=5, noise_std=0.0)
    >>> gram = two_layer_relu_ntk(teacher.centers, output_layer=False)
    >>> round(float(teacher.coef @ gram @ teacher.coef), 10)
    1.0
    >>> X, y, f = teacher.sample(100, rng=0)
    >>> bool(np.array_equal(y, f)), bool(np.abs(f).max() <= 1 / math.sqrt(2))
    (True, True)
    """

    def __init__(self, d: int, n_centers: int = 20, noise_std: float = 0.5, rkhs_norm: float = 1.0,
                 seed: int = 0) -> None:
        self.d = as_int(d, "d", low=2, high=10**6)
        self.n_centers = as_int(n_centers, "n_centers", low=1, high=2**14)  # kappa(Z, Z) fits in memory
        as_size(self.d * self.n_centers, "d * n_centers")
        self.noise_std = check_nonnegative(noise_std, "noise_std")
        self.rkhs_norm = check_positive(rkhs_norm, "rkhs_norm")
        self.seed = as_int(seed, "seed", low=0, high=2**62)
        rng = np.random.default_rng(self.seed)
        self.centers = uniform_sphere(self.n_centers, self.d, rng)
        c = rng.standard_normal(self.n_centers)
        norm2 = float(c @ two_layer_relu_ntk(self.centers, output_layer=False) @ c)
        self.coef = c * (self.rkhs_norm / math.sqrt(norm2))
        with np.errstate(over="ignore", invalid="ignore"):
            bound = float(np.sum(np.abs(self.coef)))
        if not math.isfinite(bound):
            _fail("rkhs_norm", "small enough that f* is finite", rkhs_norm)

    def __call__(self, X: ArrayLike) -> np.ndarray:
        """:math:`f^*(X)`, shape (n,)."""
        X = as_array(X, "X", ndim=2)
        if X.shape[1] != self.d:
            raise ValueError(f"`X` must have {self.d} columns; got shape {X.shape}")
        return two_layer_relu_ntk(X, self.centers, output_layer=False) @ self.coef

    def sample(self, n: int,
               rng: np.random.Generator | int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(X, y, f*(X))``: ``n`` inputs uniform on the sphere and their noisy labels."""
        rng = check_rng(rng)
        X = uniform_sphere(n, self.d, rng)
        f = self(X)
        return X, f + self.noise_std * rng.standard_normal(f.shape[0]), f

    def excess_risk(self, predict: Callable[[np.ndarray], ArrayLike], n: int,
                    rng: np.random.Generator | int | None = None, batch_size: int = 8192) -> Measurement:
        r""":math:`\mathbb E(\hat f(x) - f^*(x))^2` on ``n`` fresh inputs, with its standard error.

        ``predict`` maps an (m, d) array to m predictions.
        """
        if not callable(predict):
            _fail("predict", "a callable mapping an (m, d) array to m predictions", type(predict).__name__)
        n = as_size(n, "n", low=2)
        rng = check_rng(rng)
        batch_size = as_size(batch_size, "batch_size", high=2**20)
        out = []
        for start in range(0, n, batch_size):
            X = uniform_sphere(min(batch_size, n - start), self.d, rng)
            p = predict(X)
            if isinstance(p, torch.Tensor):
                p = p.detach().cpu().numpy()
            p = np.asarray(p, dtype=np.float64).reshape(-1)
            if p.shape[0] != X.shape[0]:
                _fail("predict", f"a callable returning one prediction per row ({X.shape[0]}); got {p.shape[0]}")
            if not np.all(np.isfinite(p)):
                _fail("predict", "a callable returning finite predictions (no NaN or inf)")
            out.append((p - self(X)) ** 2)
        return Measurement.from_samples(np.concatenate(out))


class TwoLayerReLU(nn.Module):
    r"""Two-layer ReLU net in the NTK parametrization, antisymmetric init, with masks.

    .. math::

        f(x) = \frac{1}{\sqrt m}\sum_{r=1}^m s_r a_r\,\mathrm{relu}(w_r^\top x),\qquad
        w_r \sim N(0, I_d),\ a_r \sim N(0, 1),

    with mirrored pairs (:math:`w_{r+m/2} = w_r`, :math:`a_{r+m/2} = -a_r`) so that
    :math:`f \equiv 0` at initialization. ``weight`` (the :math:`w_r`, shape (m, d)) is trained;
    ``output`` (the :math:`a_r`) is trained only with ``train_output=True``. Two buffers compress
    the net without changing the scale :math:`m^{-1/2}`:

    - ``neuron_mask`` :math:`s \in \{0,1\}^m` removes neurons (their Jacobian columns vanish);
    - ``weight_mask`` :math:`M \in \{0,1\}^{m\times d}` freezes first-layer entries at their
      current values: the forward pass uses :math:`W \odot M + \mathrm{sg}(W \odot (1-M))`,
      equal to :math:`W` in value, with gradient only through the kept entries.

    Either way the NTK Gram loses the Jacobian columns of the removed set,
    :math:`K_S = K - J_{S^c}J_{S^c}^\top \preceq K`.

    Parameters
    ----------
    in_dim : int
    width : int
        :math:`m`, even when ``antisymmetric``.
    seed : int or None
    train_output : bool, default False
    antisymmetric : bool, default True
    dtype : torch.dtype, default torch.float64
    device : str or torch.device, default "cpu"

    Examples
    --------
    The mirrored pairs cancel, so the net is 0 at initialisation; the closed-form NTK at one input
    equals the squared norm of the gradient of the output with respect to the first layer (the
    only trained layer).

    >>> import torch
    >>> from theory.testbeds.sphere import TwoLayerReLU, uniform_sphere
    >>> net = TwoLayerReLU(3, 4, seed=0)
    >>> X = uniform_sphere(5, 3, rng=0)
    >>> [round(float(v), 12) for v in net.predict(X)]
    [0.0, 0.0, 0.0, 0.0, 0.0]
    >>> x = torch.as_tensor(X[:1])
    >>> (grad,) = torch.autograd.grad(net(x).sum(), net.weight)
    >>> bool(abs(net.ntk(X[:1])[0, 0] - float((grad ** 2).sum())) < 1e-12)
    True
    """

    def __init__(self, in_dim: int, width: int, *, seed: int | None = None, train_output: bool = False,
                 antisymmetric: bool = True, dtype: torch.dtype = torch.float64,
                 device: str | torch.device = "cpu") -> None:
        super().__init__()
        in_dim = as_int(in_dim, "in_dim", low=1, high=10**6)
        width = as_int(width, "width", low=1, high=10**8)
        antisymmetric = check_bool(antisymmetric, "antisymmetric")
        train_output = check_bool(train_output, "train_output")
        dtype = check_dtype(dtype)
        as_size(in_dim * width, "in_dim * width")
        if antisymmetric and width % 2:
            raise ValueError(f"`width` must be even with antisymmetric=True; got {width}")
        device = resolve_device(device)
        g = torch_generator(seed_or_fresh(seed))
        half = width // 2 if antisymmetric else width
        W = torch.randn(half, in_dim, generator=g, dtype=dtype)
        a = torch.randn(half, generator=g, dtype=dtype)
        if antisymmetric:
            W, a = torch.cat([W, W]), torch.cat([a, -a])
        self.in_dim, self.width = in_dim, width
        self.weight = nn.Parameter(W.to(device))
        self.output = nn.Parameter(a.to(device), requires_grad=train_output)
        self.register_buffer("neuron_mask", torch.ones(width, dtype=dtype, device=device))
        self.register_buffer("weight_mask", torch.ones(width, in_dim, dtype=dtype, device=device))

    def _effective_weight(self):
        W, M = self.weight, self.weight_mask
        if bool(torch.all(M == 1)):
            return W
        return W * M + (W * (1 - M)).detach()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.relu(x @ self._effective_weight().T)
        return (h @ (self.output * self.neuron_mask)).unsqueeze(-1) / math.sqrt(self.width)

    def predict(self, X: torch.Tensor | ArrayLike) -> np.ndarray:
        """Predictions (numpy, shape (n,)) on inputs ``X`` (array or tensor)."""
        check_model(self, "model", finite=True)
        p = next(self.parameters())
        x = as_tensor(X, "X", ndim=2, dtype=p.dtype, device=p.device)
        if x.shape[1] != self.in_dim:
            raise ValueError(f"`X` must have {self.in_dim} columns; got shape {tuple(x.shape)}")
        with torch.no_grad():
            return self(x)[:, 0].cpu().numpy().astype(np.float64)

    def ntk(self, x1: torch.Tensor | ArrayLike, x2: torch.Tensor | ArrayLike | None = None) -> np.ndarray:
        r"""The finite-width NTK Gram matrix :math:`J(x_1)J(x_2)^\top` in closed form.

        .. math::

            \Theta(x, x') = \frac1m\sum_r s_r a_r^2\,\mathbb 1[w_r^\top x > 0]
            \mathbb 1[w_r^\top x' > 0]\sum_k M_{rk}x_k x'_k
            \;+\; \frac1m\sum_r s_r\,\mathrm{relu}(w_r^\top x)\,\mathrm{relu}(w_r^\top x')
            \ [\text{if the output layer is trained}],

        equal to :func:`theory.kernels.empirical_ntk` of this module (tested), at a cost of
        :math:`O(n_1 n_2 m)` instead of :math:`O(n_1 n_2 m d)`.
        """
        check_model(self, "model", finite=True)
        p = self.weight
        x1 = as_tensor(x1, "x1", ndim=2, dtype=p.dtype, device=p.device)
        x2 = x1 if x2 is None else as_tensor(x2, "x2", ndim=2, dtype=p.dtype, device=p.device)
        for name, x in (("x1", x1), ("x2", x2)):
            if x.shape[1] != self.in_dim:
                raise ValueError(f"`{name}` must have {self.in_dim} columns; got shape {tuple(x.shape)}")
        as_size(x1.shape[0] * x2.shape[0], "len(x1) * len(x2)")
        with torch.no_grad():
            W, s = self.weight, self.neuron_mask
            z1, z2 = x1 @ W.T, x2 @ W.T
            c = s * self.output ** 2 / self.width
            p1, p2 = (z1 > 0).to(W.dtype), (z2 > 0).to(W.dtype)
            M = self.weight_mask
            if bool(torch.all(M == 1)):
                K = (x1 @ x2.T) * ((p1 * c) @ p2.T)
            else:
                K = torch.zeros(x1.shape[0], x2.shape[0], dtype=W.dtype, device=W.device)
                for k in range(self.in_dim):
                    K += torch.outer(x1[:, k], x2[:, k]) * ((p1 * (c * M[:, k])) @ p2.T)
            if self.output.requires_grad:
                K += (torch.relu(z1) * (s / self.width)) @ torch.relu(z2).T
        return K.cpu().numpy().astype(np.float64)


def train_gd(model: nn.Module, X: ArrayLike, y: ArrayLike, step: float, steps: int, *,
             eval_every: int | None = None, eval_fn: Callable[[int, nn.Module], Any] | None = None) -> list:
    r"""Full-batch gradient descent on :math:`L(\theta) = \frac1{2n}\sum_i (f(x_i) - y_i)^2`.

    .. math::

        \theta_{t+1} = \theta_t - \alpha\nabla L(\theta_t),

    whose linearization around :math:`\theta_t` moves the predictions by
    :math:`-\alpha (K_n/n)(f^t - y)`, the kernel gradient descent of
    :func:`theory.kernels.kernel_gradient_descent`. Deterministic; the model is trained in place.

    Parameters
    ----------
    model : torch.nn.Module
        Maps (n, d) to (n, 1).
    X : array_like, shape (n, d)
    y : array_like, shape (n,)
    step : float
        :math:`\alpha > 0`.
    steps : int
        :math:`\ge 0`.
    eval_every : int, optional
        Call ``eval_fn(t, model)`` at ``t = 0, eval_every, 2 eval_every, ...`` and at ``steps``.
    eval_fn : callable, optional

    Returns
    -------
    list
        The values returned by ``eval_fn`` (empty without it).

    Raises
    ------
    ValueError
        A model with non-finite or no trainable parameters or not mapping (n, d) to (n, 1),
        bad ``X``/``y``/``step``/``steps``, ``eval_every`` without ``eval_fn`` (or the reverse),
        and a loss that stops being finite (``step`` too large: the iteration diverged).

    Examples
    --------
    For :math:`f(x) = wx` on the single pair :math:`(1, 1)` the loss :math:`(w - 1)^2/2` has
    gradient :math:`w - 1`, so steps of :math:`\alpha = 0.5` from :math:`w = 0` give
    :math:`w \leftarrow w + (1 - w)/2 = 0.5, 0.75, 0.875`.

    >>> import torch
    >>> from theory.testbeds.nets import make_mlp
    >>> from theory.testbeds.sphere import train_gd
    >>> model = make_mlp(1, [], 1, bias=False, seed=0, dtype=torch.float64)
    >>> with torch.no_grad():
    ...     _ = model[0].weight.zero_()
    >>> train_gd(model, [[1.0]], [1.0], 0.5, 3, eval_every=1, eval_fn=lambda t, m: m[0].weight.item())
    [0.0, 0.5, 0.75, 0.875]
    """
    check_model(model, finite=True)
    params = [q for q in model.parameters() if q.requires_grad]
    if not params:
        raise ValueError("`model` has no trainable parameters (every parameter has requires_grad=False)")
    step = check_positive(step, "step")
    steps = as_int(steps, "steps", low=0, high=10**8)
    p = params[0]
    x = as_tensor(X, "X", ndim=2, dtype=p.dtype, device=p.device)
    t = as_tensor(y, "y", ndim=1, dtype=p.dtype, device=p.device)
    if t.shape[0] != x.shape[0]:
        raise ValueError(f"`y` must have one entry per row of `X` ({x.shape[0]}); got {t.shape[0]}")
    out0 = _probe_forward(model, x, xname="X")
    if out0.shape[1] != 1:
        raise ValueError(f"`model` must map (n, d) inputs to (n, 1) outputs; got {tuple(out0.shape)}")
    if eval_every is not None:
        eval_every = as_int(eval_every, "eval_every", low=1)
    if eval_fn is not None and not callable(eval_fn):
        raise ValueError(f"`eval_fn` must be callable; got {type(eval_fn).__name__}")
    if (eval_fn is None) != (eval_every is None):
        raise ValueError("`eval_every` and `eval_fn` must be given together (one without the other does nothing)")
    out = []
    for i in range(steps + 1):
        if eval_fn is not None and eval_every is not None and (i % eval_every == 0 or i == steps):
            out.append(eval_fn(i, model))
        if i == steps:
            break
        loss = 0.5 * torch.mean((model(x)[:, 0] - t) ** 2)
        if not bool(torch.isfinite(loss)):
            raise ValueError(f"the loss is not finite after {i} steps: `step` is too large (the iteration "
                             "diverged) or the inputs overflow")
        grads = torch.autograd.grad(loss, params)
        with torch.no_grad():
            for q, g in zip(params, grads):
                q -= step * g
    return out
