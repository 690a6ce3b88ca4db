r"""Small neural surrogates of 1-D PDE solution operators, and their compression (layer L2).

- :class:`FNO1d`: a Fourier neural operator (Li, Kovachki, Azizzadenesheli, Liu, Bhattacharya,
  Stuart, Anandkumar, ICLR 2021) mapping an initial condition on a periodic grid and a scalar
  parameter (log ν) to the solution at a fixed time: lifting, ``layers`` Fourier layers
  :math:`v \mapsto \mathrm{gelu}(\mathcal F^{-1}(R\cdot\mathcal F v)_{k \le k_{\max}} + Wv)`,
  projection. Spectral weights are stored as real and imaginary parts (real parameters), so
  magnitude pruning and quantization act on real numbers.
- :func:`train_surrogate`: seeded minibatch Adam on the mean squared error.
- :func:`relative_error`: the per-sample loss :math:`\min(1, \|\hat u - u\|_2/\|u\|_2)` in
  :math:`[0, 1]`.
- Compression: :func:`truncate_modes` (keep the lowest ``k`` Fourier modes of every spectral
  layer, the operator's own compression), :func:`prune_magnitude` (per-tensor magnitude
  pruning, with masks for fine-tuning), :func:`quantize_uniform` (a symmetric grid of
  :math:`2^b - 1` levels per tensor).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike
from .. import _torch  # noqa: F401  (first: a clear ImportError when torch is missing)
import torch
from torch import nn

from .._checks import as_float, as_int, as_size, check_positive
from .._torch import as_tensor, check_model, torch_generator

__all__ = ["FNO1d", "train_surrogate", "relative_error", "truncate_modes", "prune_magnitude", "quantize_uniform"]


class _SpectralConv1d(nn.Module):
    def __init__(self, width, modes, g):
        super().__init__()
        scale = 1.0 / (width * width)
        self.modes = modes
        self.w_re = nn.Parameter(scale * torch.rand(width, width, modes, generator=g))
        self.w_im = nn.Parameter(scale * torch.rand(width, width, modes, generator=g))
        self.register_buffer("mode_mask", torch.ones(modes))

    def forward(self, v):                      # v: (B, width, N)
        V = torch.fft.rfft(v, dim=-1)
        k = min(self.modes, V.shape[-1])
        W = torch.complex(self.w_re[..., :k], self.w_im[..., :k]) * self.mode_mask[:k]
        out = torch.zeros_like(V)
        out[..., :k] = torch.einsum("bik,iok->bok", V[..., :k], W)
        return torch.fft.irfft(out, n=v.shape[-1], dim=-1)


class FNO1d(nn.Module):
    r"""A small 1-D Fourier neural operator: (initial condition, log ν) → solution at a fixed time.

    Parameters
    ----------
    modes : int
        Fourier modes kept by every spectral layer.
    width : int
        Channels of the hidden representation.
    layers : int
        Fourier layers.
    seed : int
        Seeds the initialisation (torch's global state is not touched).

    Notes
    -----
    Input ``x`` of shape (B, N + 1): the initial condition on N grid points followed by the
    parameter (log ν); the grid coordinate is appended internally. Output (B, N).

    Examples
    --------
    With ``width = 4``, ``modes = 4`` and one Fourier layer the parameters are: lifting
    ``3 * 4 + 4 = 16``, spectral weights ``2 * 4 * 4 * 4 = 128``, pointwise ``4 * 4 + 4 = 20``,
    projections ``4 * 64 + 64 = 320`` and ``64 + 1 = 65``, in all 549; an input of 8 grid values
    plus log ν gives 8 outputs.

    >>> import torch
    >>> from theory.testbeds.surrogates import FNO1d
    >>> net = FNO1d(modes=4, width=4, layers=1, seed=0)
    >>> sum(p.numel() for p in net.parameters())
    549
    >>> with torch.no_grad():
    ...     out = net(torch.zeros(2, 9))
    >>> tuple(out.shape)
    (2, 8)
    """

    def __init__(self, modes: int = 12, width: int = 24, layers: int = 2, seed: int = 0) -> None:
        super().__init__()
        modes = as_int(modes, "modes", low=1, high=4096)
        width = as_int(width, "width", low=1, high=4096)
        layers = as_int(layers, "layers", low=1, high=64)
        g = torch_generator(seed)
        # skip_init: no default initialisation, so torch's global random state is not drawn from;
        # every weight is set below from the seeded generator
        skip = nn.utils.skip_init
        self.lift = skip(nn.Linear, 3, width)
        self.spectral = nn.ModuleList([_SpectralConv1d(width, modes, g) for _ in range(layers)])
        self.pointwise = nn.ModuleList([skip(nn.Conv1d, width, width, 1) for _ in range(layers)])
        self.proj1 = skip(nn.Linear, width, 64)
        self.proj2 = skip(nn.Linear, 64, 1)
        with torch.no_grad():
            for m in [self.lift, self.proj1, self.proj2, *self.pointwise]:
                fan_in = m.weight[0].numel()
                b = 1.0 / math.sqrt(fan_in)
                m.weight.copy_((torch.rand(m.weight.shape, generator=g) * 2 - 1) * b)
                m.bias.copy_((torch.rand(m.bias.shape, generator=g) * 2 - 1) * b)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        u0, p = x[:, :-1], x[:, -1:]
        B, N = u0.shape
        grid = torch.linspace(0, 1, N + 1, dtype=x.dtype, device=x.device)[:-1].expand(B, N)
        h = self.lift(torch.stack([u0, grid, p.expand(B, N)], dim=-1)).transpose(1, 2)   # (B, width, N)
        for k, (sc, pw) in enumerate(zip(self.spectral, self.pointwise)):
            h = sc(h) + pw(h)
            if k < len(self.spectral) - 1:
                h = torch.nn.functional.gelu(h)
        h = torch.nn.functional.gelu(self.proj1(h.transpose(1, 2)))
        return self.proj2(h)[..., 0]


def train_surrogate(model: FNO1d, X: torch.Tensor | ArrayLike, U: torch.Tensor | ArrayLike, *,
                    epochs: int = 100, lr: float = 1e-3, batch_size: int = 64, seed: int = 0,
                    masks: Mapping[str, torch.Tensor] | None = None) -> float:
    r"""Minibatch Adam on the mean squared error :math:`\frac1B\sum\|\hat u - u\|^2/N` (in place).

    ``masks`` (optional) maps parameter names to 0/1 tensors: masked entries get no gradient and
    are reset to 0 after each step (masked fine-tuning of a pruned model). Deterministic given
    ``seed`` on the CPU. Returns the final training loss.

    Examples
    --------
    A few epochs of Adam on a tiny data set lower the mean squared error below its value at
    initialisation.

    >>> import torch
    >>> from theory.testbeds.surrogates import FNO1d, train_surrogate
    >>> net = FNO1d(modes=4, width=4, layers=1, seed=0)
    >>> X = torch.randn(8, 9, generator=torch.Generator().manual_seed(0))
    >>> U = torch.sin(X[:, :8])
    >>> with torch.no_grad():
    ...     before = float(((net(X) - U) ** 2).mean())
    >>> _ = train_surrogate(net, X, U, epochs=20, lr=1e-2, batch_size=8, seed=0)
    >>> with torch.no_grad():
    ...     after = float(((net(X) - U) ** 2).mean())
    >>> after < before
    True
    """
    _check_fno(model)
    epochs = as_int(epochs, "epochs", low=0, high=10**6)
    lr = check_positive(lr, "lr")
    batch_size = as_size(batch_size, "batch_size")
    X, U = _pairs(model, X, U)
    params = dict(model.named_parameters())
    for k, v in (masks or {}).items():
        if k not in params or tuple(torch.as_tensor(v).shape) != tuple(params[k].shape):
            raise ValueError(f"`masks` must map parameter names of `model` to tensors of their shape; got {k!r}")
    masks = {k: torch.as_tensor(v, dtype=params[k].dtype, device=params[k].device) for k, v in (masks or {}).items()}
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    g = torch_generator(seed)
    n = X.shape[0]
    loss = torch.tensor(float("nan"))
    for _ in range(epochs):
        perm = torch.randperm(n, generator=g).to(X.device)
        for s in range(0, n, batch_size):
            idx = perm[s:s + batch_size]
            loss = torch.mean((model(X[idx]) - U[idx]) ** 2)
            if not torch.isfinite(loss):
                raise ValueError("training diverged (non-finite loss); lower `lr`")
            opt.zero_grad()
            loss.backward()
            for k, m in masks.items():
                params[k].grad.mul_(m)
            opt.step()
            if masks:
                with torch.no_grad():
                    for k, m in masks.items():
                        params[k].mul_(m)
    return float(loss.detach())


def _pairs(model, X, U):
    """``X`` (n, N + 1) and ``U`` (n, N) as tensors of the model's dtype and device."""
    p0 = next(model.parameters())
    X = as_tensor(X, "X", ndim=2, dtype=p0.dtype, device=p0.device)
    U = as_tensor(U, "U", ndim=2, dtype=p0.dtype, device=p0.device)
    if X.shape[0] != U.shape[0] or X.shape[1] != U.shape[1] + 1:
        raise ValueError(f"`U` must have shape ({X.shape[0]}, {X.shape[1] - 1}) to match `X`; got {tuple(U.shape)}")
    return X, U


def _check_fno(model, name="model"):
    if not isinstance(model, FNO1d):
        raise TypeError(f"`{name}` must be an FNO1d; got {type(model).__name__}")
    check_model(model, name, finite=True)
    return model


def relative_error(model: FNO1d, X: torch.Tensor | ArrayLike, U: torch.Tensor | ArrayLike,
                   batch_size: int = 4096) -> np.ndarray:
    r"""Per-sample loss :math:`\min(1, \|\hat u - u\|_2 / \|u\|_2)` in :math:`[0, 1]` (numpy, (n,)).

    Examples
    --------
    Against targets twice the prediction, :math:`\|\hat u - 2\hat u\| / \|2\hat u\| = 1/2` for every
    sample.

    >>> import torch
    >>> from theory.testbeds.surrogates import FNO1d, relative_error
    >>> net = FNO1d(modes=4, width=4, layers=1, seed=0)
    >>> X = torch.randn(3, 9, generator=torch.Generator().manual_seed(0))
    >>> with torch.no_grad():
    ...     U = 2 * net(X)
    >>> [round(float(e), 6) for e in relative_error(net, X, U)]
    [0.5, 0.5, 0.5]
    """
    _check_fno(model)
    batch_size = as_size(batch_size, "batch_size")
    X, U = _pairs(model, X, U)
    out = []
    model.eval()
    with torch.no_grad():
        for s in range(0, X.shape[0], batch_size):
            d = torch.linalg.vector_norm(model(X[s:s + batch_size]) - U[s:s + batch_size], dim=1)
            nu = torch.linalg.vector_norm(U[s:s + batch_size], dim=1).clamp_min(1e-12)
            out.append(torch.clamp(d / nu, max=1.0).double().cpu().numpy())
    return np.concatenate(out)


def truncate_modes(model: FNO1d, keep: int) -> FNO1d:
    """A copy of an :class:`FNO1d` whose spectral layers keep only the lowest ``keep`` modes.

    Examples
    --------
    Keeping 2 of 4 modes leaves two ones in each layer's mode mask; the original is unchanged.

    >>> from theory.testbeds.surrogates import FNO1d, truncate_modes
    >>> net = FNO1d(modes=4, width=4, layers=2, seed=0)
    >>> small = truncate_modes(net, 2)
    >>> [int(sc.mode_mask.sum()) for sc in small.spectral], [int(sc.mode_mask.sum()) for sc in net.spectral]
    ([2, 2], [4, 4])
    """
    _check_fno(model)
    keep = as_int(keep, "keep", low=1, high=4096)
    new = copy.deepcopy(model)
    with torch.no_grad():
        for sc in new.spectral:
            sc.mode_mask.zero_()
            sc.mode_mask[:keep] = 1.0
    return new


def _weights(model):
    return {k: p for k, p in model.named_parameters() if not k.endswith("bias")}


def prune_magnitude(model: FNO1d, fraction: float) -> tuple[FNO1d, dict[str, torch.Tensor]]:
    """A copy with the smallest ``fraction`` of every weight tensor (biases kept) set to 0, and the
    masks ``{name: 0/1 tensor}`` for masked fine-tuning.

    Examples
    --------
    Pruning half of every weight tensor zeroes ``round(0.5 * 12) = 6`` of the 12 lifting weights;
    there is one mask per weight tensor (lifting, two spectral parts, pointwise, two projections).

    >>> from theory.testbeds.surrogates import FNO1d, prune_magnitude
    >>> net = FNO1d(modes=4, width=4, layers=1, seed=0)
    >>> pruned, masks = prune_magnitude(net, 0.5)
    >>> int((pruned.lift.weight == 0).sum()), len(masks)
    (6, 6)
    """
    _check_fno(model)
    fraction = as_float(fraction, "fraction", low=0.0, high=1.0, high_open=True)
    new = copy.deepcopy(model)
    masks = {}
    with torch.no_grad():
        for k, p in _weights(new).items():
            n_drop = int(round(fraction * p.numel()))
            m = torch.ones_like(p)
            if n_drop:
                idx = torch.argsort(p.abs().reshape(-1), stable=True)[:n_drop]
                m.view(-1)[idx] = 0.0
            p.mul_(m)
            masks[k] = m
    return new, masks


def quantize_uniform(model: FNO1d, bits: int) -> FNO1d:
    r"""A copy with every weight tensor rounded to a symmetric grid of :math:`2^b - 1` levels
    spanning :math:`\pm\max|w|` (biases kept in floating point).

    Examples
    --------
    Two bits give :math:`2^2 - 1 = 3` levels :math:`\{-B, 0, B\}`, so no weight tensor holds more
    than 3 distinct values.

    >>> import torch
    >>> from theory.testbeds.surrogates import FNO1d, quantize_uniform
    >>> net = quantize_uniform(FNO1d(modes=4, width=4, layers=1, seed=0), 2)
    >>> max(len(torch.unique(p)) for k, p in net.named_parameters() if not k.endswith("bias"))
    3
    """
    _check_fno(model)
    bits = as_int(bits, "bits", low=2, high=32)
    new = copy.deepcopy(model)
    h = 2 ** (bits - 1) - 1
    with torch.no_grad():
        for p in _weights(new).values():
            B = float(p.abs().max())
            if B > 0:
                p.copy_(torch.round(p * (h / B)) * (B / h))
    return new
