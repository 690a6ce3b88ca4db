r"""Shared helpers of :mod:`theory.coresets`: array coercion, model checks and layer inputs.

Torch coercion and model checks come from :mod:`theory._torch` (the package's one torch
utility); this module only adds what is specific to CoreNet: the networks it accepts (any
``torch.nn.Module`` with Linear layers, each called once per forward pass; a model pruned with
``torch.nn.utils.prune`` is used through a copy with its masks baked in) and the inputs
:math:`a^{\ell-1}(x)` of every Linear layer, captured by forward pre-hooks in forward order.
"""

from __future__ import annotations


import numpy as np
from numpy.typing import ArrayLike
from .. import _torch  # noqa: F401  (first: a clear ImportError when torch is missing)
import torch
from torch import nn

from .._checks import as_array
from .._torch import _ELEMENTWISE_MODULES, _baked_copy, _first_in_features, as_tensor, check_model, linear_layers
from .._torch import resolve_device

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


def _check_network(model, name: str = "model") -> None:
    """A module with finite parameters and a Linear layer; a Sequential of Linear layers and
    element-wise modules must chain its widths."""
    check_model(model, name, finite=True)
    _first_linear(model, name)
    mods = list(model.children()) if isinstance(model, nn.Sequential) else []
    if mods and all(isinstance(m, nn.Linear) or type(m) in _ELEMENTWISE_MODULES for m in mods):
        lins = [m for m in mods if isinstance(m, nn.Linear)]
        for k, (a, b) in enumerate(zip(lins[:-1], lins[1:])):
            if a.out_features != b.in_features:
                raise ValueError(f"`{name}`: Linear layer {k + 1} has {b.in_features} inputs but layer {k} has "
                                 f"{a.out_features} outputs")


def _first_linear(model, name: str = "model") -> nn.Linear:
    lins = linear_layers(model)
    if not lins:
        raise ValueError(f"`{name}` must contain a Linear layer (its first one fixes the input width)")
    return lins[0]


def _as_input_tensor(inputs, model, name="inputs", model_name="model") -> torch.Tensor:
    """``inputs`` as a tensor on the device and in the dtype of the model's first Linear layer;
    (n, in_dim) when the model is a Sequential starting with a Linear layer, (n, ...) otherwise."""
    lin = _first_linear(model, model_name)
    direct = _first_in_features(model) is not None
    X = as_tensor(inputs, name, ndim=2 if direct else None)
    if X.ndim < 1:
        raise ValueError(f"`{name}` must have shape (n, ...) (one row per input); got a scalar")
    if X.dtype == torch.bool or X.is_complex():
        raise ValueError(f"`{name}` must hold real numbers; got dtype {X.dtype}")
    if direct and X.shape[1] != lin.in_features:
        raise ValueError(f"`{name}` must have shape (n, {lin.in_features}) (the input width of `{model_name}`); "
                         f"got {tuple(X.shape)}")
    if X.shape[0] < 1:
        raise ValueError(f"`{name}` must hold at least 1 input")
    X = X.to(device=lin.weight.device, dtype=lin.weight.dtype)
    if not bool(torch.isfinite(X).all()):
        raise ValueError(f"`{name}` overflows the dtype {lin.weight.dtype} of `{model_name}` "
                         "(non-finite after the cast)")
    return X


def _prepare_model(model, device, name="model"):
    """A checked copy of ``model`` with any ``torch.nn.utils.prune`` mask baked in (plain
    parameters, no pruning hook), on ``device``; and the masks (see :func:`theory._torch._baked_copy`)."""
    _check_network(model, name)
    dev = resolve_device(device) if device is not None else None
    new, masks = _baked_copy(model)
    if dev is not None:
        new = new.to(dev)
    return new, masks


def _producer(model, name):
    """A description of what feeds Linear layer ``name`` in ``torch.fx.symbolic_trace(model)``, or ''."""
    import torch.fx

    try:
        gm = torch.fx.symbolic_trace(model)
    except Exception:  # noqa: BLE001 - only for a message
        return ""
    for n in gm.graph.nodes:
        if n.op == "call_module" and n.target == name and n.args and isinstance(n.args[0], torch.fx.Node):
            p = n.args[0]
            if p.op == "call_module":
                return f"{type(model.get_submodule(p.target)).__name__} `{p.target}`"
            return f"{getattr(p.target, '__name__', p.target)}"
    return ""


def _layer_inputs(model, X, name="inputs"):
    """Names and inputs (float64 numpy, (n, in_features)) of the Linear layers in forward order.

    Forward pre-hooks on every ``nn.Linear`` of ``model``, one forward pass in eval mode (Dropout
    off), no gradients. A Linear layer called twice (shared weights) or seeing other than
    (n, in_features) inputs is refused; Linear layers the forward pass does not call are left out.
    """
    names = {id(m): nm for nm, m in model.named_modules() if isinstance(m, nn.Linear)}
    order, seen = [], {}

    def hook(mod, args):
        nm = names[id(mod)]
        if nm in seen:
            raise _SharedLayer(nm)
        seen[nm] = args[0].detach()
        order.append(nm)

    handles = [m.register_forward_pre_hook(hook) for m in model.modules() if isinstance(m, nn.Linear)]
    was = model.training
    try:
        model.eval()
        with torch.no_grad():
            model(X)
    except _SharedLayer as e:
        raise ValueError(f"`model`: Linear layer `{e.args[0]}` is called more than once per forward pass "
                         "(shared weights); CoreNet sparsifies each Linear layer once") from None
    except RuntimeError as e:
        raise ValueError(f"`{name}` of shape {tuple(X.shape)} does not fit `model`: {e}") from None
    finally:
        model.train(was)
        for h in handles:
            h.remove()
    out = []
    for k, nm in enumerate(order):
        t = seen[nm]
        if t.ndim != 2 or t.shape[0] != X.shape[0]:
            raise ValueError(f"`model`: Linear layer `{nm}` must see ({X.shape[0]}, in_features) inputs (one row "
                             f"per point of `{name}`); got shape {tuple(t.shape)}")
        a = t.cpu().double().numpy()
        if not np.all(np.isfinite(a)):
            raise ValueError(f"`{name}` make the inputs of Linear layer {k} non-finite (overflow)")
        out.append(a)
    return order, out


class _SharedLayer(Exception):
    """A Linear layer was called twice in one forward pass."""


def layer_inputs(model: nn.Module, inputs: torch.Tensor | ArrayLike,
                 device: str | torch.device | None = None) -> list[np.ndarray]:
    r"""Inputs :math:`a^{\ell-1}(x)` of every Linear layer of ``model`` on ``inputs``.

    .. math::

        a^0(x) = x,\qquad a^\ell(x) = \sigma(W^\ell a^{\ell-1}(x) + b^\ell),\quad
        \ell = 1, \dots, L-1.

    Parameters
    ----------
    model : torch.nn.Module
        Any module with Linear layers (each called at most once per forward pass), e.g.
        ``make_mlp``; run in eval mode. A ``torch.nn.utils.prune`` mask is applied as in the
        model's own forward pass.
    inputs : tensor or array (n, in_dim) (or (n, ...) for a model that reshapes them)
    device : str, torch.device or None
        Where to run the forward pass (``None``: the model's device; the model is not moved).

    Returns
    -------
    list of ndarray
        ``L`` float64 arrays, the ``l``-th of shape (n, in_features of layer l), the Linear
        layers in the order the forward pass calls them.

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
    model, _ = _prepare_model(model, device)
    X = _as_input_tensor(inputs, model)
    return _layer_inputs(model, X)[1]
