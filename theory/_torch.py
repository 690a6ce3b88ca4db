"""The one torch utility of the package (layer L0): devices, dtypes, tensors, model checks, losses.

Every module that touches torch takes its conversions and checks from here, so a tensor is
coerced, a device resolved and a model validated the same way everywhere:

- :func:`resolve_device` turns ``"auto"``/``"cpu"``/``"cuda"``/``torch.device`` into an available
  device (ValueError when the accelerator is missing);
- :func:`as_tensor` converts array-likes, checks ``ndim`` and finiteness, and moves/casts;
- :func:`check_model` refuses non-modules and, with ``finite=True``, NaN/inf parameters;
- :func:`module_device`, :func:`module_dtype`: where a model lives;
- :func:`torch_generator`, :func:`seed_or_fresh`: seeded torch randomness from ``rng`` arguments;
- :func:`linear_layers`, :func:`count_parameters`: walking an MLP;
- :data:`ACTIVATIONS`, :data:`TASKS` and :func:`loss_fn`: the activations and per-sample losses
  of the small-net testbeds (summed squared error, cross-entropy in nats).

It imports nothing from the rest of the package except :mod:`theory._checks`.
"""

from __future__ import annotations

import copy
import numbers
from collections.abc import Callable
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

try:
    import torch
except ImportError as exc:  # the numpy/scipy core installs without torch; networks need it
    raise ImportError("this part of compression-theory works on torch models and needs torch: "
                      "pip install 'compression-theory[torch]'") from exc
from torch import nn
from torch.nn import functional as F

from ._checks import as_int, check_in, check_rng

__all__ = ["ACTIVATIONS", "TASKS", "resolve_device", "torch_generator", "seed_or_fresh", "check_dtype",
           "module_device", "module_dtype", "check_model", "as_tensor", "linear_layers", "count_parameters",
           "loss_fn"]

ACTIVATIONS: dict[str, type[nn.Module]] = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "gelu": nn.GELU,
    "sigmoid": nn.Sigmoid,
    "softplus": nn.Softplus,
    "identity": nn.Identity,
}

TASKS = ("regression", "classification")


def resolve_device(device: str | torch.device | None = "auto") -> torch.device:
    r"""Turn a device specification into an available :class:`torch.device`.

    .. math::

        \texttt{"auto"} \mapsto \begin{cases} \texttt{cuda} & \text{if available} \\
        \texttt{cpu} & \text{otherwise} \end{cases}

    Parameters
    ----------
    device : {"auto", "cpu", "cuda", "cuda:N", "mps"} or torch.device, default "auto"

    Returns
    -------
    torch.device

    Raises
    ------
    ValueError
        If ``device`` is not a valid specification, or names an accelerator that is not
        available (e.g. ``"cuda"`` on a machine without CUDA).

    References
    ----------
    PyTorch documentation, ``torch.device`` and ``torch.cuda.is_available``.

    Examples
    --------
    ``"cpu"`` is always available; ``"auto"`` is CUDA exactly when CUDA is available.

    >>> import torch
    >>> from theory.testbeds.nets import resolve_device
    >>> resolve_device("cpu")
    device(type='cpu')
    >>> resolve_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    True
    """
    if isinstance(device, torch.device):
        dev = device
    elif isinstance(device, str):
        if device == "auto":
            return torch.device("cuda" if torch.cuda.is_available() else "cpu")
        try:
            dev = torch.device(device)
        except (RuntimeError, ValueError):
            raise ValueError(f"`device` must be 'auto', 'cpu', 'cuda', 'cuda:N' or 'mps'; got {device!r}") from None
    else:
        raise ValueError(f"`device` must be a string or torch.device; got {device!r}")
    if dev.type == "cpu":
        return dev
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(f"`device` {str(dev)!r} requested but CUDA is not available; use 'cpu' or 'auto'")
        if dev.index is not None and dev.index >= torch.cuda.device_count():
            raise ValueError(f"`device` {str(dev)!r}: only {torch.cuda.device_count()} CUDA device(s)")
        return dev
    if dev.type == "mps":
        if not (hasattr(torch.backends, "mps") and torch.backends.mps.is_available()):
            raise ValueError("`device` 'mps' requested but MPS is not available")
        return dev
    raise ValueError(f"`device` must be 'auto', 'cpu', 'cuda', 'cuda:N' or 'mps'; got {device!r}")


def torch_generator(rng: np.random.Generator | torch.Generator | int | None,
                    name: str = "rng") -> torch.Generator:
    """A ``torch.Generator`` from None | int seed | numpy Generator | torch.Generator.

    An int seeds a CPU generator directly (so ``rng=5`` and
    ``rng=torch.Generator().manual_seed(5)`` give the same numbers); a numpy Generator (or None,
    a fresh unseeded one) supplies a 63-bit seed, advancing its state.
    """
    if isinstance(rng, torch.Generator):
        return rng
    if isinstance(rng, (numbers.Integral, np.integer)) and not isinstance(rng, (bool, np.bool_)):
        if not 0 <= int(rng) <= _MAX_SEED:
            raise ValueError(f"`{name}` must be a seed in [0, 2**64 - 1]; got {rng!r}")
        return torch.Generator().manual_seed(int(rng))
    try:
        g = check_rng(rng)
    except ValueError:
        raise ValueError(f"`{name}` must be None, an int seed, a numpy Generator or a torch.Generator; "
                         f"got {rng!r}") from None
    return torch.Generator().manual_seed(int(g.integers(0, 2**63 - 1)))


#: The largest seed a ``torch.Generator`` accepts.
_MAX_SEED = 2**64 - 1


def seed_or_fresh(seed: int | None, name: str = "seed") -> int:
    """``seed`` as an int in [0, 2**64 - 1] (a ``torch.Generator`` seed); ``None`` draws a fresh one."""
    if seed is None:
        return int(np.random.default_rng().integers(0, 2**63 - 1))
    return as_int(seed, name, low=0, high=_MAX_SEED)


def check_dtype(dtype: torch.dtype, name: str = "dtype") -> torch.dtype:
    """``dtype`` if it is a floating-point ``torch.dtype`` (ValueError naming ``name`` otherwise)."""
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise ValueError(f"`{name}` must be a floating-point torch dtype; got {dtype!r}")
    return dtype


def module_device(model: nn.Module, default: torch.device | None = None) -> torch.device:
    """The device of ``model``'s first parameter (or buffer); ``default`` (CPU) when it has none."""
    check_model(model)
    for p in model.parameters():
        return p.device
    for b in model.buffers():
        return b.device
    return torch.device("cpu") if default is None else default


def module_dtype(model: nn.Module, default: torch.dtype = torch.float32) -> torch.dtype:
    """The dtype of ``model``'s first floating-point parameter; ``default`` when it has none."""
    check_model(model)
    for p in model.parameters():
        if p.is_floating_point():
            return p.dtype
    return default


def check_model(model: nn.Module, name: str = "model", *, finite: bool = False) -> nn.Module:
    """``model`` if it is a ``torch.nn.Module``; with ``finite=True`` also refuse NaN/inf parameters
    and buffers.

    A network with a non-finite weight computes NaN outputs, and NaN comparisons are False: a
    check such as "the output stays within (1 ± ε)" would silently pass. Functions that measure a
    model therefore refuse one with ``finite=True``. Buffers (e.g. BatchNorm running statistics)
    enter the forward pass too, so they are checked as well.
    """
    if not isinstance(model, nn.Module):
        raise ValueError(f"`{name}` must be a torch.nn.Module; got {type(model).__name__}")
    if finite:
        for kind, items in (("parameter", model.named_parameters()), ("buffer", model.named_buffers())):
            for pname, p in items:
                if (p.is_floating_point() or p.is_complex()) and not bool(torch.isfinite(p.detach()).all()):
                    raise ValueError(f"`{name}` must have finite parameters and buffers; {kind} `{pname}` "
                                     "holds NaN or inf")
    return model


def as_tensor(x: torch.Tensor | ArrayLike, name: str, *, dtype: torch.dtype | None = None,
              device: str | torch.device | None = None, ndim: int | None = None) -> torch.Tensor:
    """A real tensor on ``device``; numpy arrays and lists are converted; finiteness checked."""
    if not isinstance(x, torch.Tensor):
        try:
            x = torch.as_tensor(np.asarray(x))
        except (TypeError, ValueError, RuntimeError, OverflowError):
            raise ValueError(f"`{name}` must be a tensor or array-like of numbers") from None
    if x.is_complex():
        raise ValueError(f"`{name}` must be real; got a complex tensor")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if x.ndim not in allowed:
            raise ValueError(f"`{name}` must have ndim in {allowed}; got shape {tuple(x.shape)}")
    if x.is_floating_point() and not bool(torch.isfinite(x).all()):
        raise ValueError(f"`{name}` must be finite (no NaN or inf)")
    return x.to(device=device, dtype=dtype) if (device is not None or dtype is not None) else x


def _first_in_features(model):
    """``in_features`` of the first layer of a Sequential model when it is Linear, else None."""
    m = model
    while isinstance(m, nn.Sequential) and len(m) > 0:
        m = m[0]
    return m.in_features if isinstance(m, nn.Linear) else None


def _probe_forward(model, X: torch.Tensor, xname: str = "X", mname: str = "model", forward=None):
    """``model(X[:1])`` in eval mode without gradients, turning a shape mismatch into a ValueError.

    A Sequential model whose first layer is Linear is checked against ``X``'s width first (the
    message names ``xname``); any other mismatch surfaces as torch's RuntimeError, re-raised as a
    ValueError naming ``xname``. ``forward`` (default ``model``) maps a batch to the outputs.
    Returns the outputs, checked to be (1, K).
    """
    k = _first_in_features(model)
    if k is not None and (X.ndim != 2 or X.shape[1] != k):
        raise ValueError(f"`{xname}` must have shape (n, {k}): {k} is the input width of `{mname}`'s first "
                         f"layer; got shape {tuple(X.shape)}")
    was = model.training
    try:
        model.eval()
        with torch.no_grad():
            out = (forward or model)(X[:1])
    except RuntimeError as e:
        raise ValueError(f"`{xname}` of shape {tuple(X.shape)} does not fit `{mname}`: {e}") from None
    finally:
        model.train(was)
    if not isinstance(out, torch.Tensor) or out.ndim != 2:
        got = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
        raise ValueError(f"`{mname}` must map (n, ...) inputs to (n, K) outputs; got {got}")
    return out


def _check_targets(Y: torch.Tensor, task: str, n: int, K: int, yname: str = "Y") -> torch.Tensor:
    """``Y`` checked against ``n`` samples and ``K`` model outputs: (n, K) or (n,) targets
    (regression, (n,) only when K = 1) or (n,) integer labels in [0, K) (classification, (n, 1)
    accepted and flattened)."""
    if Y.shape[0] != n:
        raise ValueError(f"`{yname}` must have {n} rows (one per sample); got shape {tuple(Y.shape)}")
    if task == "regression":
        if Y.ndim not in (1, 2) or (Y.ndim == 1 and K != 1) or (Y.ndim == 2 and Y.shape[1] != K):
            raise ValueError(f"`{yname}` must have shape ({n}, {K}) (the model's output width); "
                             f"got {tuple(Y.shape)}")
        return Y
    if Y.ndim == 2 and Y.shape[1] == 1:
        Y = Y[:, 0]
    if Y.ndim != 1:
        raise ValueError(f"`{yname}` must be ({n},) class labels; got shape {tuple(Y.shape)}")
    if Y.is_floating_point() and not bool((Y == Y.round()).all()):
        raise ValueError(f"`{yname}` must hold integer class labels")
    if Y.numel() and (float(Y.min()) < 0 or float(Y.max()) >= K):
        raise ValueError(f"`{yname}` labels must lie in [0, {K - 1}] (the model has {K} outputs)")
    return Y


def linear_layers(model: nn.Module) -> list[nn.Linear]:
    r"""The ``nn.Linear`` modules of ``model`` in forward (registration) order.

    .. math::

        [W_1, \dots, W_L] \quad\text{for } f = W_L \circ \sigma \circ \cdots \circ W_1.

    Parameters
    ----------
    model : torch.nn.Module

    Returns
    -------
    list of torch.nn.Linear
        The layers themselves (not copies): editing them edits ``model``.

    References
    ----------
    PyTorch documentation, ``torch.nn.Module.modules`` (registration order).

    Examples
    --------
    ``make_mlp(4, [8], 2)`` is Linear(4→8), ReLU, Linear(8→2): weights of shape (8, 4) and
    (2, 8), and the first one is the model's own module ``net[0]``.

    >>> from theory.testbeds.nets import linear_layers, make_mlp
    >>> net = make_mlp(4, [8], 2, seed=0)
    >>> [tuple(layer.weight.shape) for layer in linear_layers(net)], linear_layers(net)[0] is net[0]
    ([(8, 4), (2, 8)], True)
    """
    check_model(model)
    return [m for m in model.modules() if isinstance(m, nn.Linear)]


def count_parameters(model: nn.Module, nonzero: bool = False) -> int:
    r"""Number of (optionally non-zero) parameter entries of ``model``.

    .. math::

        \#\theta = \sum_l (h_{l-1} h_l + h_l) \ \text{for an MLP with biases},\qquad
        \#_{\neq 0}\theta = \sum_j \mathbf 1[\theta_j \neq 0].

    Parameters
    ----------
    model : torch.nn.Module
    nonzero : bool, default False
        Count only entries that are not exactly zero (the size of a pruned/sparsified net).

    Returns
    -------
    int

    References
    ----------
    Arora, Ge, Neyshabur, Zhang, "Stronger generalization bounds for deep nets via a compression
    approach", ICML 2018 (the number of parameters of the compressed net enters the bound).

    Examples
    --------
    ``make_mlp(4, [8], 2)`` has (4·8 + 8) + (8·2 + 2) = 40 + 18 = 58 parameters; zeroing the
    first weight matrix leaves 58 − 32 = 26 non-zero ones.

    >>> import torch
    >>> from theory.testbeds.nets import count_parameters, make_mlp
    >>> net = make_mlp(4, [8], 2, seed=0)
    >>> count_parameters(net)
    58
    >>> with torch.no_grad():
    ...     _ = net[0].weight.zero_()
    >>> count_parameters(net, nonzero=True)
    26
    """
    check_model(model)
    if not isinstance(nonzero, (bool, np.bool_)):
        raise ValueError(f"`nonzero` must be a bool; got {nonzero!r}")
    if nonzero:
        return int(sum(int(torch.count_nonzero(p.detach())) for p in model.parameters()))
    return int(sum(p.numel() for p in model.parameters()))


def _check_pair(pred, target) -> None:
    for nm, t in (("pred", pred), ("target", target)):
        if not isinstance(t, torch.Tensor):
            raise ValueError(f"`{nm}` must be a torch.Tensor; got {type(t).__name__}")
    if (target.is_floating_point() or target.is_complex()) and not bool(torch.isfinite(target).all()):
        raise ValueError("`target` must be finite (no NaN or inf)")


def _squared_error(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    _check_pair(pred, target)
    if pred.ndim == 1:
        pred = pred[:, None]
    if target.ndim == 1:
        target = target[:, None]
    if pred.shape != target.shape:
        raise ValueError(f"`target` must have the prediction's shape {tuple(pred.shape)}; "
                         f"got {tuple(target.shape)}")
    return ((pred - target.to(pred.dtype)) ** 2).sum(dim=1)


def _cross_entropy(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    _check_pair(pred, target)
    if pred.ndim != 2:
        raise ValueError(f"`pred` must be (n, n_classes) logits; got shape {tuple(pred.shape)}")
    if target.ndim == 2 and target.shape[1] == 1:
        target = target[:, 0]
    if target.ndim != 1 or target.shape[0] != pred.shape[0]:
        raise ValueError(f"`target` must be ({pred.shape[0]},) class labels; got shape {tuple(target.shape)}")
    if target.is_floating_point():
        if not bool((target == target.round()).all()):
            raise ValueError("`target` must hold integer class labels")
    target = target.long()
    if target.numel() and (int(target.min()) < 0 or int(target.max()) >= pred.shape[1]):
        raise ValueError(f"`target` labels must lie in [0, {pred.shape[1] - 1}]")
    return F.cross_entropy(pred, target, reduction="none")


def loss_fn(task: Literal["regression", "classification"]) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    r"""The per-sample loss of a task: summed squared error or cross-entropy (nats).

    .. math::

        \ell_{\rm reg}(f(x), y) = \sum_{k=1}^{K} (f_k(x) - y_k)^2, \qquad
        \ell_{\rm clf}(f(x), y) = -\log \frac{e^{f_y(x)}}{\sum_k e^{f_k(x)}}.

    Parameters
    ----------
    task : {"regression", "classification"}

    Returns
    -------
    callable ``(pred, target) -> losses``
        ``pred`` of shape (n, K); ``target`` of shape (n, K) (regression; (n,) allowed when
        K = 1) or (n,) integer labels (classification); ``losses`` of shape (n,).

    References
    ----------
    Hastie, Tibshirani, Friedman, *The Elements of Statistical Learning*, 2nd ed. (2009), §2.4
    (squared-error loss) and §4.4 (multinomial log-likelihood).

    Examples
    --------
    Squared error of (1, 2) against (0, 0): 1 + 4 = 5. Cross-entropy of equal logits over two
    classes: log 2 = 0.693147180560; of logits (log 3, 0) for class 0, whose softmax
    probability is 3/4: −log 0.75 = 0.287682072452.

    >>> import math
    >>> import torch
    >>> from theory.testbeds.nets import loss_fn
    >>> loss_fn("regression")(torch.tensor([[1.0, 2.0]]), torch.tensor([[0.0, 0.0]])).tolist()
    [5.0]
    >>> logits = torch.tensor([[0.0, 0.0], [math.log(3), 0.0]], dtype=torch.float64)
    >>> [round(v, 12) for v in loss_fn("classification")(logits, torch.tensor([0, 0])).tolist()]
    [0.69314718056, 0.287682072452]
    """
    check_in(task, "task", TASKS)
    return _squared_error if task == "regression" else _cross_entropy


# ---- models carrying torch.nn.utils.prune masks ------------------------------------------------

def _pruning_hooks(model: nn.Module) -> list:
    """``(module name, module, hook id, hook)`` of every ``torch.nn.utils.prune`` forward pre-hook."""
    from torch.nn.utils import prune

    return [(mname, mod, hid, hook) for mname, mod in model.named_modules()
            for hid, hook in list(mod._forward_pre_hooks.items()) if isinstance(hook, prune.BasePruningMethod)]


def _baked_copy(model: nn.Module) -> tuple[nn.Module, dict]:
    r"""A deep copy of ``model`` with every ``torch.nn.utils.prune`` mask baked in, and the masks.

    A module pruned by ``torch.nn.utils.prune`` stores ``weight_orig`` (a parameter) and
    ``weight_mask`` (a buffer) and recomputes ``weight = weight_orig * weight_mask`` in a forward
    pre-hook, so writing compressed values into ``weight`` is undone by the next forward pass, and
    ``copy.deepcopy`` fails on it (``weight`` is a computed, non-leaf tensor). Here the computed
    tensors are replaced by detached clones during the copy (the input model is not touched),
    and in the copy every pruned tensor becomes a plain parameter ``orig * mask`` without hook.

    Returns
    -------
    (torch.nn.Module, dict)
        The copy and ``{"<module>.<tensor>": bool mask}`` for every pruned tensor (parameter
        names of the copy, e.g. ``"fc1.weight"``); ``{}`` for a model without pruning.
    """
    memo = {}
    for _, mod, _, hook in _pruning_hooks(model):
        cur = mod.__dict__.get(hook._tensor_name)
        if isinstance(cur, torch.Tensor):
            memo[id(cur)] = cur.detach().clone()
    new = copy.deepcopy(model, memo)
    masks = {}
    for mname, mod, hid, hook in _pruning_hooks(new):
        t = hook._tensor_name
        orig, mask = mod._parameters[t + "_orig"], mod._buffers[t + "_mask"]
        with torch.no_grad():
            baked = (mask.to(dtype=orig.dtype) * orig).detach().clone()
        del mod._forward_pre_hooks[hid]
        getattr(mod, "_forward_pre_hooks_with_kwargs", {}).pop(hid, None)
        mod.__dict__.pop(t, None)
        del mod._parameters[t + "_orig"]
        del mod._buffers[t + "_mask"]
        mod.register_parameter(t, nn.Parameter(baked, requires_grad=orig.requires_grad))
        masks[f"{mname}.{t}" if mname else t] = mask.detach().to(torch.bool).clone()
    return new, masks


# ---- the chain of Linear layers of a model -------------------------------------------------------

def _const(c: float):
    return lambda *_: c


#: Element-wise modules a chain of Linear layers may pass through, with sup |σ'| (Dropout: eval mode).
_ELEMENTWISE_MODULES = {
    nn.ReLU: _const(1.0), nn.Tanh: _const(1.0), nn.Sigmoid: _const(0.25), nn.GELU: _const(1.1289),
    nn.Softplus: _const(1.0), nn.Identity: _const(1.0), nn.Dropout: _const(1.0),
    nn.LeakyReLU: lambda m: max(1.0, abs(float(m.negative_slope))),
    nn.ELU: lambda m: max(1.0, float(m.alpha)),
}


def _arg(node, k, key, default):
    return node.args[k] if len(node.args) > k else node.kwargs.get(key, default)


#: The same for functions (``torch.fx`` call_function nodes) and tensor methods.
_ELEMENTWISE_FUNCTIONS = {
    F.relu: _const(1.0), torch.relu: _const(1.0), torch.tanh: _const(1.0), torch.sigmoid: _const(0.25),
    F.gelu: _const(1.1289), F.softplus: _const(1.0), F.dropout: _const(1.0),
    F.leaky_relu: lambda n: max(1.0, abs(float(_arg(n, 1, "negative_slope", 0.01)))),
    F.elu: lambda n: max(1.0, float(_arg(n, 1, "alpha", 1.0))),
}
_ELEMENTWISE_METHODS = {"relu": _const(1.0), "tanh": _const(1.0), "sigmoid": _const(0.25)}


class _Chain:
    """The Linear layers of a model joined by element-wise operations (see :func:`_linear_chain`).

    ``names``/``modules``: the Linear layers, input to output; ``gap_lipschitz[i]``: the product
    of sup |σ'| of the operations between layer i and i+1; ``tail_lipschitz``: the same after the
    last layer; ``direct_input``: the model input goes straight into the first layer.
    """

    def __init__(self, names, modules, gap_lipschitz, tail_lipschitz, direct_input):
        self.names, self.modules = names, modules
        self.gap_lipschitz, self.tail_lipschitz, self.direct_input = gap_lipschitz, tail_lipschitz, direct_input


def _linear_chain(model: nn.Module, what: str, name: str = "model", *, tail: bool = True) -> _Chain:
    r"""The Linear layers of ``model`` in forward order, refusing anything but element-wise
    operations (activation modules or functions, Dropout, Identity) between consecutive ones.

    The graph is ``torch.fx.symbolic_trace(model)`` (a model it cannot trace is refused with a
    ValueError naming ``name``). Every intermediate result between two consecutive Linear layers
    must have exactly one user (no residual branch, concatenation or reuse); with ``tail`` the
    operations after the last Linear layer must be element-wise too. ``what`` opens the messages,
    e.g. ``"prune_network prunes the hidden units between consecutive Linear layers"``.
    """
    import torch.fx

    check_model(model, name)
    if isinstance(model, nn.Linear):
        return _Chain([""], [model], [], 1.0, True)
    try:
        gm = torch.fx.symbolic_trace(model)
    except Exception as e:  # noqa: BLE001 - torch.fx raises many types on untraceable code
        raise ValueError(f"`{name}`: {what}, found with torch.fx.symbolic_trace, which cannot trace `{name}` "
                         f"({type(e).__name__}: {e}); use a model without data-dependent control flow") from None
    nodes = list(gm.graph.nodes)
    sub = model.get_submodule

    def is_linear(n):
        return n.op == "call_module" and isinstance(sub(n.target), nn.Linear)

    def describe(n):
        if n.op == "call_module":
            return f"{type(sub(n.target)).__name__} `{n.target}`"
        if n.op == "call_function":
            return f"{getattr(n.target, '__name__', str(n.target))}()"
        if n.op == "call_method":
            return f".{n.target}()"
        return "the model output" if n.op == "output" else f"{n.op} `{n.target}`"

    def lipschitz(u, prev):
        """sup |σ'| of ``u`` applied to ``prev`` if it is element-wise in ``prev`` alone, else None."""
        rest = list(u.args[1:]) + list(u.kwargs.values())
        if not u.args or u.args[0] is not prev or any(isinstance(a, torch.fx.Node) for a in rest):
            return None
        if u.op == "call_module":
            f = _ELEMENTWISE_MODULES.get(type(sub(u.target)))
            return None if f is None else f(sub(u.target))
        table = _ELEMENTWISE_FUNCTIONS if u.op == "call_function" else (
            _ELEMENTWISE_METHODS if u.op == "call_method" else {})
        f = table.get(u.target) if isinstance(u.target, str) or callable(u.target) else None
        return None if f is None else f(u)

    lin_nodes = [n for n in nodes if is_linear(n)]
    if not lin_nodes:
        raise ValueError(f"`{name}` has no Linear layer")
    seen = {}
    for n in lin_nodes:
        if n.target in seen:
            raise ValueError(f"`{name}`: {what}; Linear layer `{n.target}` of `{name}` is called more than once "
                             "(shared weights)")
        seen[n.target] = n
    pos = {n: i for i, n in enumerate(lin_nodes)}
    order, gaps, tail_lip = [lin_nodes[0]], [], 1.0
    while True:
        cur, i = order[-1], len(order) - 1
        nxt = lin_nodes[pos[cur] + 1] if pos[cur] + 1 < len(lin_nodes) else None
        where = (f"between layer {i} (`{cur.target}`) and layer {i + 1} (`{nxt.target}`)" if nxt is not None
                 else f"after the last Linear layer {i} (`{cur.target}`)")
        if nxt is None and not tail:
            break
        node, lip = cur, 1.0
        while True:
            users = list(node.users)
            if len(users) != 1:
                raise ValueError(f"`{name}`: {what}; found the output of {describe(node)} used by {len(users)} operations "
                                 f"({', '.join(describe(u) for u in users) or 'none'}) {where}")
            u = users[0]
            if is_linear(u) or u.op == "output":
                break
            c = lipschitz(u, node)
            if c is None:
                raise ValueError(f"`{name}`: {what}; found {describe(u)} {where}")
            lip *= c
            node = u
        if u.op == "output":
            if nxt is not None:
                raise ValueError(f"`{name}`: {what}; found Linear layer `{nxt.target}` outside the chain that ends in the "
                                 "model output")
            tail_lip = lip
            break
        if u is not nxt:
            raise ValueError(f"`{name}`: {what}; Linear layer `{u.target}` follows `{cur.target}` in the data flow but "
                             f"`{nxt.target}` comes first in the forward pass")
        if u.args[0] is not node:
            raise ValueError(f"`{name}`: {what}; found {describe(u)} taking a second input {where}")
        gaps.append(lip)
        order.append(u)
    if len(order) != len(lin_nodes):
        raise ValueError(f"`{name}`: {what}; found Linear layer `{lin_nodes[len(order)].target}` of `{name}` outside the "
                         "chain of consecutive Linear layers")
    first = order[0]
    direct = bool(first.args) and getattr(first.args[0], "op", None) == "placeholder"
    return _Chain([n.target for n in order], [sub(n.target) for n in order], gaps, tail_lip, direct)
