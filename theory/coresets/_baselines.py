r"""Baselines of the coreset experiments: uniform edge sampling, magnitude pruning, truncated SVD.

Each compresses every ``nn.Linear`` weight of any ``torch.nn.Module`` (found by
``named_modules``), on a copy; a model pruned with ``torch.nn.utils.prune`` is compressed on a
copy with its masks baked in (plain parameters, no pruning hook that could undo the compression).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import numpy as np
from .. import _torch  # noqa: F401  (first: a clear ImportError when torch is missing)
import torch
from torch import nn

from .._checks import as_float, check_rng
from .._torch import linear_layers
from ._common import _prepare_model


@dataclass(frozen=True)
class CompressedModel:
    """A compressed network and the number of parameters it needs to be stored.

    Attributes
    ----------
    model : torch.nn.Module
    n_params : int
        Parameters of the compressed representation (non-zero weights, or the factors of a
        low-rank layer, plus biases).
    n_params_original : int
    kept_weights : int
        Weight entries of the compressed representation (biases excluded).
    total_weights : int
    """

    model: nn.Module
    n_params: int
    n_params_original: int
    kept_weights: int
    total_weights: int

    @property
    def kept_fraction(self) -> float:
        """``kept_weights / total_weights``."""
        return self.kept_weights / self.total_weights


def _budget_fraction(fraction) -> float:
    return as_float(fraction, "fraction", low=0.0, high=1.0, low_open=True)


def _n_params(model) -> int:
    return int(sum(p.numel() for p in model.parameters()))


def _n_bias(model) -> int:
    return int(sum(l.bias.numel() for l in linear_layers(model) if l.bias is not None))


def _layerwise(model, device, compress) -> CompressedModel:
    """Apply ``compress(lin) -> kept`` to every linear layer of a copy of ``model`` (in place, no grad)."""
    src, _ = _prepare_model(model, device)
    new = copy.deepcopy(src)
    kept = total = 0
    with torch.no_grad():
        for lin in linear_layers(new):
            total += lin.weight.numel()
            kept += compress(lin)
    return CompressedModel(new, kept + _n_bias(new), _n_params(src), kept, total)


def uniform_sparsify(model: nn.Module, fraction: float, rng: np.random.Generator | int | None = None,
                     device: str | torch.device | None = None) -> CompressedModel:
    r"""Uniform edge sampling: the unbiased sparsifier with :math:`q_j = 1/d_{\rm in}` (a baseline).

    .. math::

        \hat w_{ij} = w_{ij}\,\frac{c_{ij}\, d_{\rm in}}{m},\quad
        (c_{ij})_j \sim \mathrm{Multinomial}(m, (1/d_{\rm in}, \dots)),\quad
        m = \Big\lceil \frac{\log(1-f)}{\log(1 - 1/d_{\rm in})}\Big\rceil,

    so that every layer keeps in expectation about a fraction :math:`f` of its weights
    (:math:`E\#\text{distinct} = d_{\rm in}(1-(1-1/d_{\rm in})^m)`; all edges when :math:`f = 1`).

    Parameters
    ----------
    model : torch.nn.Module
        Every ``nn.Linear`` weight is compressed (biases and other parameters kept).
    fraction : float in (0, 1]
    rng : None, int or numpy Generator
    device : str, torch.device or None

    Returns
    -------
    CompressedModel

    References
    ----------
    Baykal et al., ICLR 2019, §6 (the "Uniform Sampling" baseline).

    Examples
    --------
    At ``fraction = 1`` every edge is kept unchanged (``3 * 4 + 4 * 2 = 20`` weights). At 0.5 a
    row of 3 inputs gets ``ceil(log(0.5) / log(2/3)) = 2`` draws and a row of 4 inputs
    ``ceil(log(0.5) / log(3/4)) = 3``, so at most ``4 * 2 + 2 * 3 = 14`` weights survive.

    >>> import torch
    >>> from theory.coresets import uniform_sparsify
    >>> from theory.testbeds.nets import make_mlp
    >>> net = make_mlp(3, [4], 2, seed=0)
    >>> full = uniform_sparsify(net, 1.0, rng=0)
    >>> full.kept_weights, full.total_weights, bool(torch.equal(full.model[0].weight, net[0].weight))
    (20, 20, True)
    >>> uniform_sparsify(net, 0.5, rng=0).kept_weights <= 14
    True
    """
    f = _budget_fraction(fraction)
    rng = check_rng(rng)

    def compress(lin):
        W = lin.weight.detach().cpu().double().numpy()
        out, d = W.shape
        if f >= 1.0 or d == 1:
            What = W.copy()
        else:
            m = int(math.ceil(math.log1p(-f) / math.log1p(-1.0 / d)))
            counts = rng.multinomial(np.full(out, m), np.full((out, d), 1.0 / d))
            What = W * counts * (d / m)
        lin.weight.copy_(torch.as_tensor(What, dtype=lin.weight.dtype))
        return int(np.count_nonzero(What))
    return _layerwise(model, device, compress)


def magnitude_prune(model: nn.Module, fraction: float,
                    device: str | torch.device | None = None) -> CompressedModel:
    r"""Layer-wise magnitude thresholding: keep the largest :math:`|w|` of every layer (a baseline).

    .. math::

        \hat w_{ij} = w_{ij}\,\mathbf 1\big[|w_{ij}| \ge |w|_{(k)}\big],\qquad
        k = \max(1, \mathrm{round}(f\, d_{\rm out} d_{\rm in})),

    with :math:`|w|_{(k)}` the k-th largest magnitude of the layer (ties broken by position).

    Parameters
    ----------
    model : torch.nn.Module
        Every ``nn.Linear`` weight is compressed (biases and other parameters kept).
    fraction : float in (0, 1]
    device : str, torch.device or None

    Returns
    -------
    CompressedModel

    References
    ----------
    Han, Pool, Tran, Dally, "Learning both weights and connections for efficient neural
    networks", NeurIPS 2015 (magnitude pruning; here without retraining).

    Examples
    --------
    Half of each layer: ``round(0.5 * 12) = 6`` and ``round(0.5 * 8) = 4`` weights, 10 in all,
    plus the ``4 + 2 = 6`` biases.

    >>> from theory.coresets import magnitude_prune
    >>> from theory.testbeds.nets import make_mlp
    >>> pruned = magnitude_prune(make_mlp(3, [4], 2, seed=0), 0.5)
    >>> pruned.kept_weights, pruned.n_params, pruned.n_params_original
    (10, 16, 26)
    """
    f = _budget_fraction(fraction)

    def compress(lin):
        W = lin.weight
        k = max(1, int(round(f * W.numel())))
        idx = torch.topk(W.abs().flatten(), k).indices
        mask = torch.zeros(W.numel(), dtype=torch.bool, device=W.device)
        mask[idx] = True
        W.mul_(mask.view_as(W))
        return int(torch.count_nonzero(W))
    return _layerwise(model, device, compress)


def truncated_svd(model: nn.Module, fraction: float,
                  device: str | torch.device | None = None) -> CompressedModel:
    r"""Layer-wise truncated SVD at the rank whose factors hold a fraction ``f`` of the weights.

    .. math::

        \hat W = U_r \Sigma_r V_r^\top,\qquad
        r = \max\Big(1, \Big\lfloor \frac{f\, d_{\rm out} d_{\rm in}}{d_{\rm out} +
        d_{\rm in}} \Big\rfloor\Big)\ (\le \min(d_{\rm out}, d_{\rm in})),

    stored as :math:`r(d_{\rm out} + d_{\rm in})` numbers (the best rank-r approximation in
    Frobenius norm, Eckart–Young).

    Parameters
    ----------
    model : torch.nn.Module
        Every ``nn.Linear`` weight is compressed (biases and other parameters kept).
    fraction : float in (0, 1]
    device : str, torch.device or None

    Returns
    -------
    CompressedModel
        ``kept_weights`` counts the factor entries, ``min(r(d_out+d_in), d_out d_in)`` per layer.

    References
    ----------
    Eckart, Young, "The approximation of one matrix by another of lower rank", Psychometrika 1
    (1936); Denton, Zaremba, Bruna, LeCun, Fergus, "Exploiting linear structure within
    convolutional networks for efficient evaluation", NeurIPS 2014.

    Examples
    --------
    At ``fraction = 0.5`` both layers get rank ``max(1, floor(0.5 * 12 / 7)) = 1`` and
    ``max(1, floor(0.5 * 8 / 6)) = 1``, stored as ``4 + 3 = 7`` and ``2 + 4 = 6`` numbers.

    >>> import torch
    >>> from theory.coresets import truncated_svd
    >>> from theory.testbeds.nets import make_mlp
    >>> low = truncated_svd(make_mlp(3, [4], 2, seed=0), 0.5)
    >>> low.kept_weights, int(torch.linalg.matrix_rank(low.model[0].weight))
    (13, 1)
    """
    f = _budget_fraction(fraction)

    def compress(lin):
        W = lin.weight.detach().cpu().double().numpy()
        out, d = W.shape
        r = min(min(out, d), max(1, int(math.floor(f * out * d / (out + d)))))
        U, s, Vt = np.linalg.svd(W, full_matrices=False)
        lin.weight.copy_(torch.as_tensor((U[:, :r] * s[:r]) @ Vt[:r], dtype=lin.weight.dtype))
        return min(r * (out + d), out * d)
    return _layerwise(model, device, compress)
