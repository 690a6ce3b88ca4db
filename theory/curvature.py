r"""Curvature of the training loss of a small torch network: Hessian diagonal and trace.

The training loss is the mean per-sample loss of :func:`theory.testbeds.nets.loss_fn`,

.. math::

    L_S(\theta) = \frac1n \sum_{i=1}^n \ell(f_\theta(x_i), y_i),

(summed squared error for regression, cross-entropy in nats for classification), and every
function returns, for each named parameter of the model, a tensor of that parameter's shape.

- :func:`hessian_diagonal` — exact :math:`\mathrm{diag}\,\nabla^2 L_S`, one Hessian-vector
  product (forward-over-reverse, ``torch.func.jvp`` of ``torch.func.grad``) per coordinate,
  batched with ``torch.func.vmap``. Cost: :math:`d` HVPs, fine for small nets
  (up to ~10^4 parameters).
- :func:`hutchinson_diagonal` — Bekas–Kokiopoulou–Saad estimator
  :math:`\mathrm{diag}(H) \approx \frac1N\sum_r z_r \odot H z_r` with Rademacher probes,
  with a per-coordinate standard error, and Hutchinson's trace estimate with its standard error.
- :func:`gauss_newton_diagonal` — diagonal of the generalized Gauss–Newton matrix
  :math:`\frac1n\sum_i J_i^\top \nabla_f^2\ell\, J_i` (positive semi-definite), and
  :func:`empirical_fisher_diagonal` — :math:`\frac1n\sum_i (\nabla\ell_i)^{\odot 2}`.

Models: MLPs and small CNNs (any module built from Linear/Conv/activations/pooling/flatten).
BatchNorm is rejected: in training mode it couples the samples, and in eval mode its running
statistics are not parameters — neither fits the per-sample loss above. The model is
evaluated as a pure function of its parameters (``torch.func.functional_call``) in eval mode.

Bad input is refused before any work, naming the argument: a model with NaN/inf parameters or
buffers (:func:`theory._torch.check_model` with ``finite=True``), non-finite ``X``/``Y``, an ``X``
that does not fit the model's first layer, a ``Y`` whose shape or labels do not fit its outputs,
and probe counts or batch sizes that could not be held in memory (one vmapped batch holds at most
2^27 entries). A curvature that comes out non-finite (the loss overflows the model's dtype) raises
instead of being returned.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from . import _torch  # noqa: F401  (first: a clear ImportError when torch is missing)
import torch
from torch import nn
from torch.func import functional_call, grad, jacrev, jvp, vmap

from ._checks import as_size, check_rng
from .claims import Measurement
from ._torch import (TASKS, _check_targets, _linear_chain, _probe_forward, as_tensor, check_model, loss_fn,
                     resolve_device)

__all__ = [
    "HutchinsonDiagonal",
    "hessian_vector_product",
    "hessian_diagonal",
    "hutchinson_diagonal",
    "gauss_newton_diagonal",
    "empirical_fisher_diagonal",
]

_BATCHNORM = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.SyncBatchNorm)


@dataclass(frozen=True)
class HutchinsonDiagonal:
    r"""Hutchinson-type estimates of the Hessian diagonal and trace.

    Attributes
    ----------
    diagonal : dict of str -> tensor
        :math:`\frac1N\sum_r z_r\odot Hz_r`, per parameter (parameter's shape).
    se : dict of str -> tensor
        Per-coordinate standard error, sample standard deviation over probes / :math:`\sqrt N`.
    trace : float
        :math:`\frac1N\sum_r z_r^\top H z_r`.
    trace_se : float
    n_probes : int
    """

    diagonal: dict
    se: dict
    trace: float
    trace_se: float
    n_probes: int


# ---------------------------------------------------------------------------------------------
# Plumbing
# ---------------------------------------------------------------------------------------------

def _progress(iterable, total, desc, progress):
    """``iterable`` wrapped in a tqdm bar: always (``True``), never (``False``) or, with ``None``,
    only when the loop is still running after 2 seconds (tqdm's ``delay``)."""
    if progress is False:
        return iterable
    if progress not in (None, True):
        raise TypeError(f"`progress` must be None, True or False; got {progress!r}")
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover - tqdm comes with the [torch] extra
        return iterable
    return tqdm(iterable, total=total, desc=desc, leave=False, delay=0.0 if progress else 2.0)


class _Problem:
    """The training loss as a function of one flat parameter vector.

    ``task`` is ``"regression"`` or ``"classification"`` (the per-sample losses of
    :func:`theory._torch.loss_fn`), or a callable ``loss(pred, target) -> (n,)`` per-sample losses.
    """

    def __init__(self, model, X, Y, task, device):
        check_model(model, finite=True)
        if callable(task):
            self.custom = task
        elif isinstance(task, str) and task in TASKS:
            self.custom = None
        else:
            raise ValueError(f"`task` must be one of {list(TASKS)} or a callable loss(pred, target) returning the "
                             f"per-sample losses; got {task!r}")
        for m in model.modules():
            if isinstance(m, _BATCHNORM):
                raise ValueError(f"`model` must not contain BatchNorm ({type(m).__name__}): it couples "
                                 "the samples, so the per-sample training loss is undefined")
        if device is not None:
            model.to(resolve_device(device))
        self.model = model
        self.task = None if self.custom is not None else task
        named = [(k, v) for k, v in model.named_parameters() if v.requires_grad]
        if not named:
            raise ValueError("`model` has no trainable parameters")
        self.names = [k for k, _ in named]
        self.shapes = [v.shape for _, v in named]
        self.sizes = [v.numel() for _, v in named]
        p0 = named[0][1]
        self.device, self.dtype = p0.device, p0.dtype
        self.theta = torch.cat([v.detach().reshape(-1) for _, v in named]).to(self.dtype)
        self.buffers = {k: b for k, b in model.named_buffers()}
        self.X = as_tensor(X, "X", dtype=self.dtype, device=self.device)
        if self.X.ndim < 2:
            raise ValueError("`X` must have a leading sample axis and at least 2 dims; "
                             f"got shape {tuple(self.X.shape)}")
        if self.X.shape[0] < 1:
            raise ValueError("`X` must hold at least 1 sample")
        if self.task == "regression":
            Y = as_tensor(Y, "Y", dtype=self.dtype, device=self.device)
        else:
            Y = as_tensor(Y, "Y", device=self.device)
            if self.custom is not None and Y.is_floating_point():
                Y = Y.to(self.dtype)
        if Y.ndim == 0:
            raise ValueError("`Y` must have a leading sample axis; got a scalar")
        with torch.no_grad():
            out = _probe_forward(model, self.X, forward=lambda x: self.forward(self.theta, x))
        if self.custom is None:
            Y = _check_targets(Y, task, self.X.shape[0], out.shape[1])
            self.Y = Y if task == "regression" else Y.long()
            self.lf = loss_fn(task)
            with torch.no_grad():
                self.lf(out, self.Y[:1])  # validates target shapes once, outside vmap
        else:
            if Y.shape[0] != self.X.shape[0]:
                raise ValueError(f"`Y` must have {self.X.shape[0]} rows (one per sample); got shape {tuple(Y.shape)}")
            self.Y = Y
            self.lf = self.custom
            with torch.no_grad():
                try:
                    losses = self.lf(out, self.Y)
                except Exception as exc:
                    raise ValueError(f"`task` (the loss function) failed on the model's outputs and `Y`: {exc}") from exc
            if not isinstance(losses, torch.Tensor) or tuple(losses.shape) != (self.X.shape[0],):
                got = tuple(losses.shape) if isinstance(losses, torch.Tensor) else type(losses).__name__
                raise ValueError(f"`task` (the loss function) must return one loss per sample, shape "
                                 f"({self.X.shape[0]},); got {got}")
            if not bool(torch.isfinite(losses).all()):
                raise ValueError("`task` (the loss function) returned non-finite losses on `X`, `Y`")

    def sample_loss(self, flat, x, y):
        """The loss of one sample (``x``, ``y`` without their batch axis), for vmap."""
        return self.lf(self.forward(flat, x.unsqueeze(0)), y.unsqueeze(0))[0]

    def unflatten(self, flat):
        out, s = {}, 0
        for k, shp, sz in zip(self.names, self.shapes, self.sizes):
            out[k] = flat[s:s + sz].reshape(shp)
            s += sz
        return out

    def forward(self, flat, X):
        params = self.unflatten(flat)
        was = self.model.training
        self.model.eval()
        try:
            return functional_call(self.model, {**self.buffers, **params}, (X,))
        finally:
            self.model.train(was)

    def loss(self, flat):
        return self.lf(self.forward(flat, self.X), self.Y).mean()

    def hvp(self, v):
        return jvp(grad(self.loss), (self.theta,), (v,))[1]

    def split(self, flat, what="the result"):
        """Per-parameter tensors of ``flat``; a non-finite measured quantity raises."""
        if not bool(torch.isfinite(flat).all()):
            raise ValueError(f"{what} of `model` on (`X`, `Y`) is not finite: the loss or its derivatives "
                             f"overflow {self.dtype} (rescale `X`/`Y` or the model, or use float64)")
        return {k: t.detach().clone() for k, t in self.unflatten(flat).items()}


# Largest number of entries of one vmapped batch (rows x parameters [x outputs]) held in memory.
_MAX_BATCH_ENTRIES = 2**27


def _chunk(chunk_size, name, rows, per_row):
    """``chunk_size`` as a size; refused when a batch of ``min(chunk_size, rows)`` rows of
    ``per_row`` entries could not be held in memory."""
    cs = as_size(chunk_size, name)
    if min(cs, rows) * per_row > _MAX_BATCH_ENTRIES:
        raise ValueError(f"`{name}` must be at most {max(1, _MAX_BATCH_ENTRIES // per_row)} for this model: a batch "
                         f"of {min(cs, rows)} x {per_row} entries could not be held in memory; got {chunk_size!r}")
    return cs


# ---------------------------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------------------------

def hessian_vector_product(model: nn.Module, X: torch.Tensor | ArrayLike, Y: torch.Tensor | ArrayLike,
                           task: str | Callable, v: Mapping[str, torch.Tensor], *,
                           device: str | torch.device | None = None) -> dict:
    r"""Hessian-vector product of the training loss, :math:`\nabla^2 L_S(\theta)\, v`.

    .. math::

        H v = \frac{\partial}{\partial t} \nabla L_S(\theta + t v)\Big|_{t=0}
        \quad(\text{forward-over-reverse}).

    Parameters
    ----------
    model : torch.nn.Module
        Without BatchNorm.
    X : tensor or array, shape (n, ...)
    Y : tensor or array
        (n, K) targets (regression) or (n,) labels (classification).
    task : {"regression", "classification"} or callable
        The per-sample loss, as in :func:`hessian_diagonal`.
    v : mapping of parameter name -> tensor (parameter's shape)
    device : str, torch.device or None
        ``None``: the model's device; otherwise the model is moved there (in place) first.

    Returns
    -------
    dict of str -> tensor

    References
    ----------
    B. A. Pearlmutter, "Fast exact multiplication by the Hessian", Neural Computation 6(1), 1994.

    Examples
    --------
    For a linear model :math:`f(x) = wx + b` with the squared error, :math:`H = \frac2n\sum_i
    (x_i, 1)(x_i, 1)^\top`; at :math:`x = (1, 2)` this is ``[[5, 3], [3, 2]]``, so
    :math:`H (1, 0)^\top = (5, 3)`.

    >>> import torch
    >>> from theory.curvature import hessian_vector_product
    >>> from theory.testbeds.nets import make_mlp
    >>> model = make_mlp(1, [], 1, seed=0, dtype=torch.float64)
    >>> X = torch.tensor([[1.0], [2.0]], dtype=torch.float64)
    >>> Y = torch.tensor([[1.0], [1.0]], dtype=torch.float64)
    >>> v = {"0.weight": torch.ones(1, 1, dtype=torch.float64), "0.bias": torch.zeros(1, dtype=torch.float64)}
    >>> hv = hessian_vector_product(model, X, Y, "regression", v)
    >>> round(hv["0.weight"].item(), 10), round(hv["0.bias"].item(), 10)
    (5.0, 3.0)
    """
    P = _Problem(model, X, Y, task, device)
    if not isinstance(v, dict) or set(v) != set(P.names):
        raise ValueError(f"`v` must be a dict with the parameter names {P.names}")
    parts = []
    for k, shp in zip(P.names, P.shapes):
        t = as_tensor(v[k], f"v[{k!r}]", dtype=P.dtype, device=P.device)
        if t.shape != shp:
            raise ValueError(f"`v[{k!r}]` must have shape {tuple(shp)}; got {tuple(t.shape)}")
        parts.append(t.reshape(-1))
    return P.split(P.hvp(torch.cat(parts)).detach(), "the Hessian-vector product")


def hessian_diagonal(model: nn.Module, X: torch.Tensor | ArrayLike, Y: torch.Tensor | ArrayLike,
                     task: str | Callable, *, device: str | torch.device | None = None, chunk_size: int = 256,
                     progress: bool | None = None) -> dict:
    r"""Exact diagonal of the training-loss Hessian.

    .. math::

        [\nabla^2 L_S(\theta)]_{jj} = e_j^\top \nabla^2 L_S(\theta)\, e_j,
        \qquad j = 1, \dots, d,

    from :math:`d` Hessian-vector products with the unit vectors, ``chunk_size`` at a time under
    ``torch.func.vmap``.

    Parameters
    ----------
    model : torch.nn.Module
        MLP or small CNN without BatchNorm.
    X : tensor or array, shape (n, ...)
    Y : tensor or array
    task : {"regression", "classification"} or callable
        The per-sample loss: summed squared error or cross-entropy (the shortcuts), or any
        ``loss(pred, target) -> tensor of shape (n,)`` built from differentiable torch operations
        (it is differentiated twice with ``torch.func``, under ``vmap``).
    device : str, torch.device or None
    chunk_size : int, default 256
        Unit vectors per vmapped batch (memory ~ ``chunk_size`` gradients).
    progress : bool or None, default None
        A progress bar over the :math:`d / \mathtt{chunk\_size}` batches: ``None`` shows one only
        when the computation is still running after 2 seconds, ``True`` always, ``False`` never.

    Returns
    -------
    dict of str -> tensor
        One tensor per trainable parameter, of its shape and dtype.

    References
    ----------
    B. A. Pearlmutter, Neural Computation 6(1), 1994 (exact HVPs); Y. LeCun, J. S. Denker,
    S. A. Solla, "Optimal brain damage", NeurIPS 1989 (the diagonal as weight saliency);
    Y. Choi, M. El-Khamy, J. Lee, ICLR 2017 (the diagonal as quantization importance).

    Examples
    --------
    For :math:`f(x) = wx + b` with the squared error at :math:`x = (1, 2)`:
    :math:`H_{ww} = \frac22(1 + 4) = 5` and :math:`H_{bb} = \frac22(1 + 1) = 2`, whatever the
    weights and targets.

    >>> import torch
    >>> from theory.curvature import hessian_diagonal
    >>> from theory.testbeds.nets import make_mlp
    >>> model = make_mlp(1, [], 1, seed=0, dtype=torch.float64)
    >>> X = torch.tensor([[1.0], [2.0]], dtype=torch.float64)
    >>> Y = torch.tensor([[1.0], [1.0]], dtype=torch.float64)
    >>> h = hessian_diagonal(model, X, Y, "regression")
    >>> round(h["0.weight"].item(), 10), round(h["0.bias"].item(), 10)
    (5.0, 2.0)
    """
    P = _Problem(model, X, Y, task, device)
    d = P.theta.numel()
    cs = _chunk(chunk_size, "chunk_size", d, d)
    out = torch.empty(d, dtype=P.dtype, device=P.device)
    batched = vmap(P.hvp)
    starts = range(0, d, cs)
    for s in _progress(starts, len(starts), f"Hessian diagonal ({d} parameters)", progress):
        idx = torch.arange(s, min(s + cs, d), device=P.device)
        E = torch.zeros(idx.numel(), d, dtype=P.dtype, device=P.device)
        E[torch.arange(idx.numel(), device=P.device), idx] = 1.0
        HE = batched(E)
        out[idx] = HE[torch.arange(idx.numel(), device=P.device), idx].detach()
    return P.split(out, "the Hessian diagonal")


def hutchinson_diagonal(model: nn.Module, X: torch.Tensor | ArrayLike, Y: torch.Tensor | ArrayLike,
                        task: str | Callable, n_probes: int = 100,
                        rng: np.random.Generator | int | None = None, *,
                        device: str | torch.device | None = None, chunk_size: int = 32,
                        progress: bool | None = None) -> HutchinsonDiagonal:
    r"""Stochastic Hessian diagonal and trace from Rademacher probes, with standard errors.

    .. math::

        \widehat{\mathrm{diag}}(H) = \frac1N\sum_{r=1}^N z_r \odot H z_r,\qquad
        \widehat{\mathrm{tr}}(H) = \frac1N\sum_{r=1}^N z_r^\top H z_r,\qquad
        z_r \in \{\pm1\}^d \text{ i.i.d. uniform};

    both are unbiased, :math:`E[z\odot Hz] = \mathrm{diag}(H)`,
    :math:`\mathrm{Var}[(z\odot Hz)_j] = \sum_{k\ne j} H_{jk}^2`; standard errors are the
    sample standard deviations over probes divided by :math:`\sqrt N`.

    Parameters
    ----------
    model, X, Y, task :
        As in :func:`hessian_diagonal`.
    n_probes : int, default 100
        :math:`N \ge 2`.
    rng : None, int or numpy.random.Generator
        Draws the probes (on the CPU, then moved), so a seed gives the same probes everywhere.
    device : str, torch.device or None
    chunk_size : int, default 32
        Probes per vmapped batch.
    progress : bool or None, default None
        As in :func:`hessian_diagonal`.

    Returns
    -------
    HutchinsonDiagonal

    References
    ----------
    M. F. Hutchinson, "A stochastic estimator of the trace of the influence matrix for Laplacian
    smoothing splines", Commun. Statist. Simul. Comput. 19(2), 1990; C. Bekas, E. Kokiopoulou,
    Y. Saad, "An estimator for the diagonal of a matrix", Appl. Numer. Math. 57(11-12), 2007,
    eq. (2); Z. Yao et al., "PyHessian", IEEE BigData 2020 (the same estimators for networks).

    Examples
    --------
    When the Hessian is diagonal every probe gives it exactly (the cross terms vanish): for
    :math:`f(x) = wx + b` at :math:`x = (1, -1)`, :math:`H = \frac22\,\mathrm{diag}(1 + 1, 1 + 1)
    = \mathrm{diag}(2, 2)`, so the estimate is ``(2, 2)`` with standard error 0 and the trace is 4.

    >>> import torch
    >>> from theory.curvature import hutchinson_diagonal
    >>> from theory.testbeds.nets import make_mlp
    >>> model = make_mlp(1, [], 1, seed=0, dtype=torch.float64)
    >>> X = torch.tensor([[1.0], [-1.0]], dtype=torch.float64)
    >>> Y = torch.tensor([[1.0], [1.0]], dtype=torch.float64)
    >>> est = hutchinson_diagonal(model, X, Y, "regression", n_probes=4, rng=0)
    >>> round(est.diagonal["0.weight"].item(), 10), round(est.diagonal["0.bias"].item(), 10)
    (2.0, 2.0)
    >>> round(est.trace, 10), round(est.trace_se, 10), round(est.se["0.weight"].item(), 10)
    (4.0, 0.0, 0.0)
    """
    n_probes = as_size(n_probes, "n_probes", low=2)
    gen = check_rng(rng)
    P = _Problem(model, X, Y, task, device)
    d = P.theta.numel()
    cs = _chunk(chunk_size, "chunk_size", n_probes, d)
    batched = vmap(P.hvp)
    s1 = torch.zeros(d, dtype=torch.float64, device=P.device)
    s2 = torch.zeros(d, dtype=torch.float64, device=P.device)
    traces = []
    starts = range(0, n_probes, cs)
    for done in _progress(starts, len(starts), f"Hutchinson probes ({n_probes})", progress):
        b = min(cs, n_probes - done)
        Z = torch.as_tensor(gen.integers(0, 2, size=(b, d)) * 2.0 - 1.0, dtype=P.dtype).to(P.device)
        S = (Z * batched(Z)).detach().double()
        s1 += S.sum(0)
        s2 += (S * S).sum(0)
        traces.append(S.sum(1).cpu().numpy())
    mean = s1 / n_probes
    var = torch.clamp((s2 - n_probes * mean * mean) / (n_probes - 1), min=0.0)
    se = torch.sqrt(var / n_probes)
    samples = np.concatenate(traces)
    if not np.all(np.isfinite(samples)):
        P.split(torch.full((d,), math.inf), "Hutchinson's trace estimate")   # raises, naming the cause
    tr = Measurement.from_samples(samples)
    return HutchinsonDiagonal(P.split(mean.to(P.dtype), "Hutchinson's diagonal estimate"),
                              P.split(se.to(P.dtype), "Hutchinson's standard error"), tr.value, tr.se, n_probes)


#: Use the per-layer closed form of :func:`gauss_newton_diagonal` for chains of Linear layers (the
#: tests switch it off to compare it with the Jacobian path).
_LINEAR_FAST_PATH = True


def _linear_layers(P):
    """``[(module, weight name or None, bias name or None)]`` when every trainable parameter of
    ``P.model`` belongs to a Linear layer of a chain joined by element-wise operations (so that
    the samples of a batch never mix), else None."""
    try:
        chain = _linear_chain(P.model, "the Gauss-Newton diagonal by layers")
    except ValueError:
        return None
    prefix = {mod: name for name, mod in zip(chain.names, chain.modules)}
    layers, owned = [], set()
    for mod, name in prefix.items():
        w = f"{name}.weight" if name else "weight"
        b = f"{name}.bias" if name else "bias"
        w, b = (w if w in P.names else None), (b if b in P.names else None)
        owned.update(x for x in (w, b) if x is not None)
        layers.append((mod, w, b))
    return layers if owned == set(P.names) else None


def _output_hessians(P, f, y):
    """Per-sample Hessians of the loss in the outputs, (b, K, K), for a loss given as a function."""
    def one(g, t):
        return torch.func.hessian(lambda u: P.lf(u.unsqueeze(0), t.unsqueeze(0))[0])(g)
    return vmap(one)(f, y).detach()


def _gauss_newton_by_layers(P, layers, bs, progress):
    r"""The Gauss–Newton diagonal of a chain of Linear layers, one layer at a time.

    For a Linear layer with input :math:`a_i` and output :math:`z_i = W a_i + b` on sample
    :math:`i`, :math:`J_{i,k,(o,q)} = \delta_{i,k,o} a_{i,q}` with
    :math:`\delta_{i,k,o} = \partial f_k(x_i)/\partial z_{i,o}`, so

    .. math:: G_{(o,q)} = \frac1n \sum_i c_{i,o}\, a_{i,q}^2,\qquad
              G_{b_o} = \frac1n \sum_i c_{i,o},\qquad
              c_{i,o} = \sum_{k,l} \Lambda_{i,kl}\, \delta_{i,k,o}\, \delta_{i,l,o},

    one matrix product per layer after K backward passes of the batch (one per output), instead
    of the (batch, K, d) per-sample Jacobian. The same quantity as the Jacobian path, summed in
    another order.
    """
    acc = {k: None for k in P.names}
    names = {mod: (w, b) for mod, w, b in layers}
    captured = []

    def hook(mod, inputs, output):
        captured.append((mod, inputs[0], output))

    handles = [mod.register_forward_hook(hook) for mod, _, _ in layers]
    try:
        starts = range(0, P.X.shape[0], bs)
        for s in _progress(starts, len(starts), "Gauss-Newton diagonal", progress):
            xb = P.X[s:s + bs]
            captured.clear()
            theta = P.theta.detach().requires_grad_(True)
            with torch.enable_grad():
                f = P.forward(theta, xb)                                  # (b, K)
            if len(captured) != len(layers) or any(a.ndim != 2 for _, a, _ in captured):
                return None                                               # a layer reused, or not 2-D
            zs = [z for _, _, z in captured]
            K = f.shape[1]
            deltas = [[torch.zeros_like(z) if g is None else g
                       for z, g in zip(zs, torch.autograd.grad(f[:, k].sum(), zs, retain_graph=k < K - 1,
                                                               allow_unused=True))] for k in range(K)]
            with torch.no_grad():
                f = f.detach()
                if P.custom is not None:
                    lam = _output_hessians(P, f, P.Y[s:s + bs])          # (b, K, K)
                elif P.task == "classification":
                    p = torch.softmax(f, dim=1)
                for j, (mod, _, _) in enumerate(captured):
                    d = torch.stack([dk[j] for dk in deltas])             # (K, b, out)
                    if P.custom is not None:
                        c = torch.einsum("bkl,kbo,lbo->bo", lam, d, d)
                    elif P.task == "regression":
                        c = 2.0 * (d * d).sum(0)
                    else:
                        pd = torch.einsum("bk,kbo->bo", p, d)
                        c = torch.einsum("bk,kbo->bo", p, d * d) - pd * pd
                    wname, bname = names[mod]
                    a = captured[j][1].detach()
                    for name, v in ((wname, c.T @ (a * a) if wname else None), (bname, c.sum(0) if bname else None)):
                        if name is not None:
                            acc[name] = v if acc[name] is None else acc[name] + v
    finally:
        for h in handles:
            h.remove()
    return torch.cat([acc[k].reshape(-1) for k in P.names])


def gauss_newton_diagonal(model: nn.Module, X: torch.Tensor | ArrayLike, Y: torch.Tensor | ArrayLike,
                          task: str | Callable, *, device: str | torch.device | None = None,
                          batch_size: int = 256, progress: bool | None = None) -> dict:
    r"""Diagonal of the generalized Gauss–Newton matrix of the training loss.

    .. math::

        G = \frac1n \sum_{i=1}^n J_i^\top \Lambda_i J_i,\qquad J_i = \frac{\partial
        f_\theta(x_i)}{\partial\theta},\quad \Lambda_i = \nabla^2_f \ell(f, y_i),

    so :math:`G_{jj} = \frac2n\sum_i\sum_a J_{i,aj}^2` for the summed squared error
    (:math:`\Lambda = 2I`) and :math:`G_{jj} = \frac1n\sum_i [\sum_a p_a J_{i,aj}^2 -
    (\sum_a p_a J_{i,aj})^2]` for cross-entropy (:math:`\Lambda = \mathrm{diag}(p) - pp^\top`,
    :math:`p` the softmax). For a loss given as a function, :math:`\Lambda_i` is its Hessian in
    the outputs (``torch.func.hessian``), and :math:`G \succeq 0` only when the loss is convex in
    them. It equals the Hessian when the network is linear in :math:`\theta` and drops the term
    :math:`\sum_a \partial_a\ell\, \nabla^2 f_a` otherwise.

    When every trainable parameter sits in a chain of Linear layers joined by element-wise
    operations (an MLP), the diagonal is computed layer by layer from K backward passes per batch,
    :math:`G_{(o,q)} = \frac1n\sum_i c_{i,o} a_{i,q}^2` with :math:`a_i` the layer's input and
    :math:`c_{i,o} = \sum_{k,l}\Lambda_{i,kl}\,\partial_{z_o} f_k\,\partial_{z_o} f_l`
    (about 30 times faster for a 64-64-10 MLP on 200 samples); any other model gets per-sample
    Jacobians. Both give the same matrix up to round-off.

    Parameters
    ----------
    model, X, Y, task :
        As in :func:`hessian_diagonal`.
    device : str, torch.device or None
    batch_size : int, default 256
        Samples per vmapped Jacobian batch.
    progress : bool or None, default None
        As in :func:`hessian_diagonal`.

    Returns
    -------
    dict of str -> tensor

    References
    ----------
    N. N. Schraudolph, "Fast curvature matrix-vector products for second-order gradient
    descent", Neural Computation 14(7), 2002 (the GGN); J. Martens, "New insights and
    perspectives on the natural gradient method", JMLR 21, 2020, §8 (GGN = Fisher for these
    losses).

    Examples
    --------
    A network linear in its parameters has Gauss–Newton matrix equal to its Hessian: for
    :math:`f(x) = wx + b` at :math:`x = (1, 2)`, :math:`G_{ww} = \frac22(1 + 4) = 5` and
    :math:`G_{bb} = \frac22(1 + 1) = 2`.

    >>> import torch
    >>> from theory.curvature import gauss_newton_diagonal
    >>> from theory.testbeds.nets import make_mlp
    >>> model = make_mlp(1, [], 1, seed=0, dtype=torch.float64)
    >>> X = torch.tensor([[1.0], [2.0]], dtype=torch.float64)
    >>> Y = torch.tensor([[1.0], [1.0]], dtype=torch.float64)
    >>> g = gauss_newton_diagonal(model, X, Y, "regression")
    >>> round(g["0.weight"].item(), 10), round(g["0.bias"].item(), 10)
    (5.0, 2.0)
    """
    P = _Problem(model, X, Y, task, device)
    d = P.theta.numel()
    K = P.forward(P.theta, P.X[:1]).shape[1]
    bs = _chunk(batch_size, "batch_size", P.X.shape[0], K * d)
    layers = _linear_layers(P) if _LINEAR_FAST_PATH else None
    if layers is not None:
        flat = _gauss_newton_by_layers(P, layers, bs, progress)
        if flat is not None:
            return P.split(flat / P.X.shape[0], "the Gauss-Newton diagonal")
    acc = torch.zeros(d, dtype=P.dtype, device=P.device)

    def f_single(flat, x):
        return P.forward(flat, x.unsqueeze(0)).squeeze(0)

    jac = vmap(jacrev(f_single), in_dims=(None, 0))
    starts = range(0, P.X.shape[0], bs)
    for s in _progress(starts, len(starts), "Gauss-Newton diagonal", progress):
        xb = P.X[s:s + bs]
        J = jac(P.theta, xb).detach()                    # (b, K, d)
        if P.custom is not None:
            with torch.no_grad():
                L = _output_hessians(P, P.forward(P.theta, xb), P.Y[s:s + bs])   # (b, K, K)
            acc += torch.einsum("bkd,bkl,bld->d", J, L, J)
        elif P.task == "regression":
            acc += 2.0 * (J * J).sum(dim=(0, 1))
        else:
            with torch.no_grad():
                p = torch.softmax(P.forward(P.theta, xb), dim=1)   # (b, K)
            pj = torch.einsum("bk,bkd->bd", p, J)
            acc += torch.einsum("bk,bkd->d", p, J * J) - (pj * pj).sum(0)
    return P.split(acc / P.X.shape[0], "the Gauss-Newton diagonal")


def empirical_fisher_diagonal(model: nn.Module, X: torch.Tensor | ArrayLike, Y: torch.Tensor | ArrayLike,
                              task: str | Callable, *, device: str | torch.device | None = None,
                              batch_size: int = 256, progress: bool | None = None) -> dict:
    r"""Diagonal of the empirical Fisher matrix (mean squared per-sample gradient).

    .. math::

        F_{jj} = \frac1n \sum_{i=1}^n \Big(\frac{\partial \ell(f_\theta(x_i), y_i)}
        {\partial\theta_j}\Big)^2 .

    Not a curvature in general (it differs from the Fisher and the GGN away from a well-specified
    optimum), but a common cheap importance.

    Parameters
    ----------
    model, X, Y, task :
        As in :func:`hessian_diagonal`.
    device : str, torch.device or None
    batch_size : int, default 256
    progress : bool or None, default None
        As in :func:`hessian_diagonal`.

    Returns
    -------
    dict of str -> tensor

    References
    ----------
    F. Kunstner, L. Balles, P. Hennig, "Limitations of the empirical Fisher approximation for
    natural gradient descent", NeurIPS 2019, eq. (3).

    Examples
    --------
    At :math:`w = b = 0` with targets 1 the residuals are :math:`-1`, so the per-sample gradients
    are :math:`(-2x_i, -2)`; at :math:`x = (1, 2)`: :math:`F_{ww} = (4 + 16)/2 = 10` and
    :math:`F_{bb} = (4 + 4)/2 = 4`.

    >>> import torch
    >>> from theory.curvature import empirical_fisher_diagonal
    >>> from theory.testbeds.nets import make_mlp
    >>> model = make_mlp(1, [], 1, seed=0, dtype=torch.float64)
    >>> with torch.no_grad():
    ...     _ = model[0].weight.zero_(), model[0].bias.zero_()
    >>> X = torch.tensor([[1.0], [2.0]], dtype=torch.float64)
    >>> Y = torch.tensor([[1.0], [1.0]], dtype=torch.float64)
    >>> f = empirical_fisher_diagonal(model, X, Y, "regression")
    >>> round(f["0.weight"].item(), 10), round(f["0.bias"].item(), 10)
    (10.0, 4.0)
    """
    P = _Problem(model, X, Y, task, device)
    d = P.theta.numel()
    bs = _chunk(batch_size, "batch_size", P.X.shape[0], d)
    acc = torch.zeros(d, dtype=P.dtype, device=P.device)

    def loss_single(flat, x, y):
        pred = P.forward(flat, x.unsqueeze(0)).squeeze(0)
        if P.task == "regression":
            return ((pred - y.reshape(pred.shape)) ** 2).sum()
        return -(torch.log_softmax(pred, dim=0) * y).sum()     # y one-hot (built outside vmap)

    if P.custom is not None:
        T = P.Y
    elif P.task == "regression":
        T = P.Y
    else:
        K = P.forward(P.theta, P.X[:1]).shape[1]
        T = torch.nn.functional.one_hot(P.Y, K).to(P.dtype)
    g = vmap(grad(P.sample_loss if P.custom is not None else loss_single), in_dims=(None, 0, 0))
    starts = range(0, P.X.shape[0], bs)
    for s in _progress(starts, len(starts), "empirical Fisher diagonal", progress):
        G = g(P.theta, P.X[s:s + bs], T[s:s + bs]).detach()
        acc += (G * G).sum(0)
    return P.split(acc / P.X.shape[0], "the empirical Fisher diagonal")
