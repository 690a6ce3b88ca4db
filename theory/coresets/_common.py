r"""Shared helpers of :mod:`theory.coresets`: array coercion, model checks and layer inputs.

Torch coercion and model checks come from :mod:`theory._torch` (the package's one torch
utility); this module only adds what is specific to CoreNet: the networks it accepts (an
``nn.Sequential`` of Linear layers and parameter-free activations) and the inputs
:math:`a^{\ell-1}(x)` of every layer.
"""

from __future__ import annotations

import copy

import numpy as np
from .. import _torch  # noqa: F401  (first: a clear ImportError when torch is missing)
import torch
from torch import nn

from .._checks import as_array
from .._torch import as_tensor, check_model, linear_layers, resolve_device

# Largest sample size drawn literally; numpy's multinomial takes int64 counts.
_MAX_SAMPLES = 2 ** 62


def _tensor_to_numpy(x, name):
    """A torch tensor as a float64 numpy array (a complex one refused); anything else unchanged."""
    if isinstance(x, torch.Tensor):
        if x.is_complex():
            raise ValueError(f"`{name}` must be real; got a complex tensor")
        return x.detach().cpu().double().numpy()
    return x


def _weight_array(weight, name="weight") -> np.ndarray:
    return as_array(_tensor_to_numpy(weight, name), name, ndim=2)


def _activation_array(activations, in_dim, name="activations") -> np.ndarray:
    return as_array(_tensor_to_numpy(activations, name), name, ndim=2, shape=(None, in_dim))


def _nonnegative_points(a: np.ndarray) -> np.ndarray:
    """Stack the positive and negative parts as separate points when ``a`` has negative entries."""
    if np.all(a >= 0):
        return a
    return np.concatenate([np.maximum(a, 0.0), np.maximum(-a, 0.0)], axis=0)


def _check_sequential(model, name: str = "model") -> list[nn.Module]:
    """The children of an ``nn.Sequential`` MLP with finite parameters and chained layer widths."""
    check_model(model, name, finite=True)
    mods = list(model.children()) if isinstance(model, nn.Sequential) else None
    if not mods or not isinstance(mods[0], nn.Linear) or not isinstance(mods[-1], nn.Linear):
        raise ValueError(f"`{name}` must be an nn.Sequential of Linear layers and elementwise "
                         "activations that starts and ends with a Linear layer (see make_mlp)")
    for m in mods:
        if isinstance(m, nn.Sequential) or (not isinstance(m, nn.Linear) and any(True for _ in m.parameters())):
            raise ValueError(f"`{name}` must hold only Linear layers and parameter-free activations")
    lins = [m for m in mods if isinstance(m, nn.Linear)]
    for k, (a, b) in enumerate(zip(lins[:-1], lins[1:])):
        if a.out_features != b.in_features:
            raise ValueError(f"`{name}`: Linear layer {k + 1} has {b.in_features} inputs but layer {k} has "
                             f"{a.out_features} outputs")
    return mods


def _first_linear(model, name: str = "model") -> nn.Linear:
    lins = linear_layers(model)
    if not lins:
        raise ValueError(f"`{name}` must contain a Linear layer (its first one fixes the input width)")
    return lins[0]


def _as_input_tensor(inputs, model, name="inputs", model_name="model") -> torch.Tensor:
    lin = _first_linear(model, model_name)
    X = as_tensor(inputs, name, ndim=2)
    if X.dtype == torch.bool or X.is_complex():
        raise ValueError(f"`{name}` must hold real numbers; got dtype {X.dtype}")
    if X.shape[1] != lin.in_features:
        raise ValueError(f"`{name}` must have shape (n, {lin.in_features}) (the input width of `{model_name}`); "
                         f"got {tuple(X.shape)}")
    if X.shape[0] < 1:
        raise ValueError(f"`{name}` must hold at least 1 input")
    X = X.to(device=lin.weight.device, dtype=lin.weight.dtype)
    if not bool(torch.isfinite(X).all()):
        raise ValueError(f"`{name}` overflows the dtype {lin.weight.dtype} of `{model_name}` "
                         "(non-finite after the cast)")
    return X


def _prepare_model(model, device):
    _check_sequential(model)
    if device is not None:
        model = copy.deepcopy(model).to(resolve_device(device))
    return model


def layer_inputs(model, inputs, device=None) -> list[np.ndarray]:
    r"""Inputs :math:`a^{\ell-1}(x)` of every Linear layer of ``model`` on ``inputs``.

    .. math::

        a^0(x) = x,\qquad a^\ell(x) = \sigma(W^\ell a^{\ell-1}(x) + b^\ell),\quad
        \ell = 1, \dots, L-1.

    Parameters
    ----------
    model : torch.nn.Sequential
        Linear layers and elementwise activations (as built by ``make_mlp``).
    inputs : tensor or array (n, in_dim)
    device : str, torch.device or None
        Where to run the forward pass (``None``: the model's device; the model is not moved).

    Returns
    -------
    list of ndarray
        ``L`` float64 arrays, the ``l``-th of shape (n, in_features of layer l).

    References
    ----------
    Baykal et al., ICLR 2019, §2 (notation :math:`a^{\ell-1}(x)`).

    Examples
    --------
    A 3-4-2 net has two Linear layers: the first sees the inputs themselves, the second the ReLU
    outputs of the first.

    >>> import numpy as np
    >>> import torch
    >>> from theory.coresets import layer_inputs
    >>> from theory.testbeds.nets import make_mlp
    >>> net = make_mlp(3, [4], 2, seed=0)
    >>> X = torch.randn(5, 3, generator=torch.Generator().manual_seed(0))
    >>> a = layer_inputs(net, X)
    >>> [x.shape for x in a]
    [(5, 3), (5, 4)]
    >>> bool(np.allclose(a[0], X.numpy())), bool(np.allclose(a[1], net[1](net[0](X)).detach().numpy()))
    (True, True)
    """
    model = _prepare_model(model, device)
    X = _as_input_tensor(inputs, model)
    out = []
    with torch.no_grad():
        h = X
        for m in model.children():
            if isinstance(m, nn.Linear):
                a = h.detach().cpu().double().numpy()
                if not np.all(np.isfinite(a)):
                    raise ValueError(f"`inputs` make the inputs of Linear layer {len(out)} non-finite (overflow)")
                out.append(a)
            h = m(h)
    return out
