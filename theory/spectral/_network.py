r"""Spectral pruning of a torch network into a smaller dense network, layer by layer (private).

The network is any ``torch.nn.Module`` whose Linear layers form a chain joined by element-wise
operations (found with ``torch.fx``, see :func:`_network_parts`); the pruned model is a copy of
it (same classes) with smaller Linear layers.

:func:`prune_network` loops over the hidden layers; each step computes the layer's covariance on
the partly pruned network (:func:`_layer_covariance`), selects the kept nodes
(:func:`_select_layer`), rebuilds the layer and the next one with the reconstruction map
(:func:`_rebuild_layer`) and records the layer's output-aware error (:func:`_layer_error`).
Re-exported by :mod:`theory.spectral`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.typing import ArrayLike

from .._checks import as_int, check_in, check_nonnegative, check_positive, check_rng
from ._bounds import compression_bias_bound
from ._common import SELECTION_METHODS, _theta
from ._dof import degrees_of_freedom
from ._leverage import _UnreachableWidth
from ._select import spectral_prune

if TYPE_CHECKING:  # annotations only: torch is imported lazily, where it is used
    import torch

__all__ = ["ACTIVATION_LIPSCHITZ", "activation_covariance", "PruneResult", "prune_network"]

# Lipschitz constants of the activations of theory.testbeds.nets.ACTIVATIONS (sup |σ'|).
# GELU: max_x d/dx[x Φ(x)] = 1.1289... at x = sqrt(2); sigmoid: 1/4 at 0.
ACTIVATION_LIPSCHITZ = {"relu": 1.0, "tanh": 1.0, "sigmoid": 0.25, "softplus": 1.0,
                        "identity": 1.0, "gelu": 1.1289}


#: What prune_network needs of a model (the opening of its refusals).
_WHAT = "prune_network prunes the hidden units between consecutive Linear layers joined by element-wise operations"


def _network_parts(model):
    r"""The chain of Linear layers of ``model`` (a :class:`theory._torch._Chain`), widths checked.

    The layers are found in ``torch.fx.symbolic_trace(model)``; between consecutive Linear layers
    only element-wise operations with a known Lipschitz constant are allowed (activation modules
    or functions such as ReLU, LeakyReLU, GELU, Tanh, Sigmoid, Softplus, ELU; Dropout, evaluated in
    eval mode; Identity), each used once; anything else (BatchNorm, a residual add, a
    concatenation, a reshape) is refused naming it. Before the first Linear layer anything goes.
    """
    from .._torch import _linear_chain

    ch = _linear_chain(model, _WHAT)
    for k, (a, b) in enumerate(zip(ch.modules[:-1], ch.modules[1:])):
        if a.out_features != b.in_features:
            raise ValueError(f"`model` layer {k + 1} has {b.in_features} inputs but layer {k} has "
                             f"{a.out_features} outputs")
    return ch


def _set_module(root, name, new):
    """Replace the submodule ``name`` (dotted) of ``root`` by ``new``."""
    parent, _, last = name.rpartition(".")
    setattr(root.get_submodule(parent) if parent else root, last, new)


def activation_covariance(model: torch.nn.Module, inputs: torch.Tensor | ArrayLike, layer: int,
                          device: str | torch.device | None = None) -> np.ndarray:
    r"""Uncentred covariance of the outputs of hidden layer ``layer`` of an MLP.

    .. math::

        \hat\Sigma^{(\ell)} = \frac1n\sum_{i=1}^n \phi_\ell(x_i)\phi_\ell(x_i)^\top,\qquad
        \phi_\ell = \sigma\circ W^{(\ell)}\circ\cdots\circ\sigma\circ W^{(1)}.

    Parameters
    ----------
    model : torch.nn.Module
        Linear layers joined by element-wise operations, e.g. ``Linear, act, ..., Linear`` as
        built by :func:`theory.testbeds.nets.make_mlp` (see :func:`prune_network`); evaluated in
        eval mode. Hidden layer :math:`\ell` is the input of Linear layer :math:`\ell+1`.
    inputs : tensor or array, shape (n, in_dim) (or (n, ...) for a model that reshapes them)
    layer : int
        Hidden layer index, ``0 <= layer < number of hidden layers``.
    device : str, torch.device or None
        Where to evaluate (``None``: the model's device).

    Returns
    -------
    ndarray, shape (m_ℓ, m_ℓ), float64

    References
    ----------
    Suzuki et al., IJCAI 2020, §3 (:math:`\hat\Sigma` of a layer, uncentred).

    Examples
    --------
    With identity activation and first weight :math:`I` the hidden outputs are the inputs, so for
    inputs ``(1, 0)`` and ``(0, 2)`` the covariance is :math:`X^\top X/2 = \mathrm{diag}(1/2, 2)`.

    >>> import torch
    >>> from theory.spectral import activation_covariance
    >>> from theory.testbeds.nets import make_mlp
    >>> net = make_mlp(2, [2], 1, activation="identity", seed=0, dtype=torch.float64)
    >>> with torch.no_grad():
    ...     _ = net[0].weight.copy_(torch.eye(2)), net[0].bias.zero_()
    >>> activation_covariance(net, [[1.0, 0.0], [0.0, 2.0]], 0).tolist()
    [[0.5, 0.0], [0.0, 2.0]]
    """
    from .._torch import check_model

    from .._torch import _baked_copy

    check_model(model, "model", finite=True)
    base, _ = _baked_copy(model)
    ch = _network_parts(base)
    if len(ch.modules) < 2:
        raise ValueError("`model` must have at least one hidden layer")
    layer = as_int(layer, "layer", low=0, high=len(ch.modules) - 2)
    X = _check_inputs(base, ch, inputs, "inputs", device)
    return _covariance(_hidden_outputs(base, ch.names, X, device)[layer], "inputs")


def _covariance(H: np.ndarray, name: str) -> np.ndarray:
    """``HᵀH / n``, refusing a non-finite result (activations that overflow on ``name``)."""
    with np.errstate(over="ignore", invalid="ignore"):
        S = (H.T @ H) / H.shape[0]
    if not np.all(np.isfinite(S)):
        raise ValueError(f"`{name}` gives non-finite activation covariances (the activations overflow)")
    return S


def _check_inputs(model, chain, inputs, name: str, device=None):
    """``inputs`` as a finite float64 (n >= 1, ...) tensor on the evaluation device; (n, in_dim)
    when the model feeds its input straight into the first Linear layer."""
    import torch
    from .._torch import as_tensor as _as_tensor, module_device as _module_device, resolve_device

    dev = resolve_device(device) if device is not None else _module_device(model)
    first = chain.modules[0]
    X = _as_tensor(inputs, name, ndim=2 if chain.direct_input else None)
    if X.ndim < 1:
        raise ValueError(f"`{name}` must have shape (n, ...) (one row per sample); got a scalar")
    if chain.direct_input and X.shape[1] != first.in_features:
        raise ValueError(f"`{name}` must have {first.in_features} columns (the model's input width); "
                         f"got shape {tuple(X.shape)}")
    if X.shape[0] < 1:
        raise ValueError(f"`{name}` must hold at least 1 sample")
    if X.dtype == torch.bool or X.is_complex():
        raise ValueError(f"`{name}` must hold real numbers; got dtype {X.dtype}")
    return X.to(device=dev, dtype=torch.float64)


def _hidden_outputs(model, names, X, device=None, name="inputs") -> list[np.ndarray]:
    """Hidden-layer outputs (float64 numpy) on ``X``: the inputs of the Linear layers ``names[1:]``.

    A float64 copy of ``model`` is run in eval mode (Σ̂ consistent with the float64 checks) and
    the inputs are captured by forward pre-hooks.
    """
    import copy

    import torch
    from .._torch import module_device as _module_device, resolve_device

    dev = resolve_device(device) if device is not None else _module_device(model)
    f64 = copy.deepcopy(model).to(device=dev, dtype=torch.float64).eval()
    outs = {}

    def capture(k):
        def hook(_mod, args):
            outs[k] = args[0].detach()
        return hook

    handles = [f64.get_submodule(nm).register_forward_pre_hook(capture(k)) for k, nm in enumerate(names[1:])]
    try:
        with torch.no_grad():
            f64(X.to(device=dev, dtype=torch.float64))
    except RuntimeError as e:
        raise ValueError(f"`{name}` of shape {tuple(X.shape)} does not fit `model`: {e}") from None
    finally:
        for h in handles:
            h.remove()
    res = []
    for k in range(len(names) - 1):
        H = outs[k]
        if H.ndim != 2 or H.shape[0] != X.shape[0]:
            raise ValueError(f"{_WHAT}; Linear layer `{names[k + 1]}` must see ({X.shape[0]}, features) inputs "
                             f"(one row per sample of `{name}`); got shape {tuple(H.shape)}")
        res.append(H.cpu().numpy())
    return res


@dataclass(frozen=True)
class PruneResult:
    r"""What :func:`prune_network` returns.

    Attributes
    ----------
    model : torch.nn.Module
        The pruned network: a copy of the input model (same classes) whose Linear layers have
        the hidden widths ``widths`` (the input model is not modified).
    keep : list of ndarray
        Kept node indices per hidden layer (indices into the original layer).
    widths : list of int
        Kept width per hidden layer.
    original_widths : list of int
    n_params : int
        Parameters of the pruned network.
    n_params_original : int
    lams : list of float
        :math:`\lambda_\ell` per hidden layer.
    n_dof : list of float
        :math:`\hat N_\ell(\lambda_\ell)` per hidden layer (on the covariance used).
    losses : list of float
        Penalised objective :math:`\theta L_A + (1-\theta)L_B` per layer.
    layer_errors : list of float
        Unpenalised output-aware error :math:`e_\ell` per layer (see
        :func:`compression_bias_bound`).
    lipschitz : list of float
        :math:`\mathrm{Lip}_\ell` per layer.
    bias_bound : float
        :math:`(\sum_\ell \mathrm{Lip}_\ell\sqrt{e_\ell})^2`, the bound on the mean squared
        output distortion on ``inputs``.
    output_distortion : float
        Measured :math:`\frac1n\sum_i\lVert f^\sharp(x_i) - f(x_i)\rVert^2` on ``inputs``
        (float64).
    """

    model: object
    keep: list
    widths: list
    original_widths: list
    n_params: int
    n_params_original: int
    lams: list
    n_dof: list
    losses: list
    layer_errors: list
    lipschitz: list
    bias_bound: float
    output_distortion: float


def _per_layer(x, n_hidden, name, caster):
    if x is None:
        return [None] * n_hidden
    if np.isscalar(x) or (isinstance(x, np.ndarray) and x.ndim == 0):
        return [caster(x, name)] * n_hidden
    if not isinstance(x, (Sequence, np.ndarray)) or isinstance(x, (str, bytes)):
        raise ValueError(f"`{name}` must be a scalar or a sequence with one value per hidden layer")
    if len(x) != n_hidden:
        raise ValueError(f"`{name}` must have one value per hidden layer ({n_hidden}); got {len(x)}")
    return [None if v is None else caster(v, name) for v in x]


# ---- the per-layer steps of prune_network ------------------------------------------------------

def _lipschitz_constants(lin, gap_lipschitz, tail_lipschitz=1.0) -> list[float]:
    r"""Lipschitz constants :math:`\mathrm{Lip}_\ell` of the original network after layer :math:`\ell+1`.

    .. math::

        \mathrm{Lip}_\ell = a_{\rm out}\prod_{k \ge \ell+2} a_{k-1}\,\lVert W^{(k)}\rVert_{op},

    with :math:`a_k` the Lipschitz constant of the element-wise operations between layers
    :math:`k` and :math:`k+1` (the product of their sup :math:`|\sigma'|`, e.g.
    :data:`ACTIVATION_LIPSCHITZ`) and :math:`a_{\rm out}` that of the operations after the last
    layer (1 when there are none), from the *original* weights (in the hybrid networks of
    :func:`theory.spectral.compression_bias_bound` the layers after :math:`\ell+1` are original).

    Parameters
    ----------
    lin : list of torch.nn.Linear
        The linear layers, input to output.
    gap_lipschitz : list of float
        :math:`a_k`, one per pair of consecutive layers.
    tail_lipschitz : float
        :math:`a_{\rm out}`.

    Returns
    -------
    list of float
        One constant per hidden layer.
    """
    op = [float(np.linalg.norm(L.weight.detach().double().cpu().numpy(), 2)) for L in lin]
    lips = []
    for l in range(len(lin) - 1):
        c = 1.0
        for k in range(l + 2, len(lin)):
            c *= gap_lipschitz[k - 1] * op[k]
        lips.append(c * tail_lipschitz)
    return lips


def _layer_covariance(work, names, data, layer, device, data_name="inputs") -> np.ndarray:
    r"""Uncentred covariance :math:`\hat\Sigma_\ell = \frac1n H^\top H` of hidden layer ``layer`` of ``work``.

    ``work`` is the network whose earlier hidden layers are already pruned (float64 activations,
    as in :func:`theory.spectral.activation_covariance`).
    """
    return _covariance(_hidden_outputs(work, names, data, device, data_name)[layer], data_name)


def _select_layer(S, Z, width, lam, tau, *, widths_given, theta, method, rel_lam, gen):
    r"""Kept nodes and reconstruction map of one layer.

    Parameters
    ----------
    S : ndarray, shape (m, m)
        The layer's covariance :math:`\hat\Sigma_\ell`.
    Z : ndarray, shape (p, m)
        The next weight :math:`W^{(\ell+1)}` (float64).
    width : int or None
        Target width; ``None``: all ``m`` nodes when ``widths_given``, else
        :math:`\lceil \hat N_\ell(\lambda_\ell)\rceil`.
    lam : float or None
        :math:`\lambda_\ell`; ``None``: ``rel_lam`` times :math:`\mathrm{Tr}\,\hat\Sigma_\ell/m`.
    tau : float or None
        Ridge weight passed to :func:`theory.spectral.spectral_prune`.
    widths_given, theta, method, rel_lam, gen
        As in :func:`prune_network` (``gen`` a numpy Generator).

    Returns
    -------
    keep : ndarray of int
    A : ndarray, shape (m, len(keep))
        :math:`\hat A_J` (the identity when every node is kept: no ridge shrinkage).
    loss : float
        :math:`\theta L_A + (1-\theta)L_B` (0 when every node is kept).
    lam : float
        The :math:`\lambda_\ell` used.
    ndof : float
        :math:`\hat N_\ell(\lambda_\ell)`.
    """
    m = S.shape[0]
    if lam is None:
        lam = rel_lam * max(float(np.trace(S)) / m, 1e-300)
    mu = np.clip(np.linalg.eigvalsh(S), 0, None)
    ndof = degrees_of_freedom(mu, lam)
    target = width
    if target is None:
        target = m if widths_given else int(min(m, max(1, math.ceil(ndof - 1e-9))))
    if target == m:
        # Keeping every node leaves the layer as it is (A = I, no ridge shrinkage).
        keep, A, loss = np.arange(m), np.eye(m), 0.0
    else:
        res = spectral_prune(S, target, lam, theta=theta, next_weight=Z, method=method, rng=gen, tau=tau)
        keep, A, loss = res.keep, res.A, res.loss
    return keep, A, loss, lam, ndof


def _rebuild_layer(layer, next_layer, keep, Z, A, device, dtype):
    r"""The pruned pair :math:`(W^{(\ell)}_{J,:}, b^{(\ell)}_J)` and :math:`(W^{(\ell+1)}\hat A_J, b^{(\ell+1)})`.

    Parameters
    ----------
    layer, next_layer : torch.nn.Linear
        Layers :math:`\ell` and :math:`\ell+1` of the network being pruned (not modified).
    keep : ndarray of int
        Kept nodes :math:`J` of layer :math:`\ell`.
    Z : ndarray, shape (p, m)
        ``next_layer.weight`` in float64.
    A : ndarray, shape (m, len(keep))
        :math:`\hat A_J`.
    device, dtype
        Of the new layers (the model's).

    Returns
    -------
    (torch.nn.Linear, torch.nn.Linear)
    """
    import torch
    from torch import nn

    kt = torch.as_tensor(keep, device=device)
    new_l = nn.Linear(layer.in_features, len(keep), bias=layer.bias is not None, device=device, dtype=dtype)
    new_n = nn.Linear(len(keep), next_layer.out_features, bias=next_layer.bias is not None, device=device,
                      dtype=dtype)
    with torch.no_grad():
        new_l.weight.copy_(layer.weight[kt])
        if layer.bias is not None:
            new_l.bias.copy_(layer.bias[kt])
        new_n.weight.copy_(torch.as_tensor(Z @ A, dtype=dtype, device=device))
        if next_layer.bias is not None:
            new_n.bias.copy_(next_layer.bias)
    return new_l, new_n


def _layer_error(S, Z, new_next, keep) -> float:
    r"""Output-aware error :math:`e_\ell` of the rebuilt layer, with the next weight as stored.

    .. math::

        e_\ell = \mathrm{Tr}\,Z\hat\Sigma Z^\top - 2\,\mathrm{Tr}\,W\hat\Sigma_{JF}Z^\top
        + \mathrm{Tr}\,W\hat\Sigma_{JJ}W^\top = \frac1n\sum_i\lVert Z\phi(x_i) - W\phi_J(x_i)\rVert^2,

    with :math:`W` the new next weight rounded to the model's dtype, clipped at 0.
    """
    Wn = new_next.weight.detach().double().cpu().numpy()
    SJ = S[:, keep]
    err = float(np.trace(Z @ S @ Z.T) - 2 * np.trace(Wn @ SJ.T @ Z.T) + np.trace(Wn @ S[np.ix_(keep, keep)] @ Wn.T))
    return max(err, 0.0)


def _output_distortion(model, pruned, data, device) -> float:
    r""":math:`\frac1n\sum_i\lVert f^\sharp(x_i) - f(x_i)\rVert^2` in float64 on ``data``."""
    import copy

    import torch

    with torch.no_grad():
        f64 = copy.deepcopy(model).to(device=device, dtype=torch.float64)
        g64 = copy.deepcopy(pruned).to(device=device, dtype=torch.float64)
        f64.eval()
        g64.eval()
        X = data.to(device=device, dtype=torch.float64)
        d = g64(X) - f64(X)
        return float((d.reshape(d.shape[0], -1) ** 2).sum(dim=1).mean())


def prune_network(model: torch.nn.Module, inputs: torch.Tensor | ArrayLike,
                  widths: int | Sequence[int] | None = None, lams: float | Sequence[float] | None = None,
                  theta: float = 1.0, method: Literal["greedy", "leverage", "random", "magnitude"] = "greedy",
                  tau: float | Sequence[float] | None = None, rel_lam: float = 1e-3,
                  cov_inputs: torch.Tensor | ArrayLike | None = None,
                  rng: np.random.Generator | int | None = None,
                  device: str | torch.device | None = None) -> PruneResult:
    r"""Spectral pruning of a torch network, layer by layer, into a genuinely smaller dense network.

    .. math::

        W^{(\ell)} \leftarrow W^{(\ell)}_{J_\ell,:},\quad b^{(\ell)} \leftarrow b^{(\ell)}_{J_\ell},
        \quad W^{(\ell+1)} \leftarrow W^{(\ell+1)}\hat A_{J_\ell},\qquad
        \hat A_{J} = \hat\Sigma_{FJ}(\hat\Sigma_{JJ} + I_\tau)^{-1}.

    Hidden layers are processed from the input side; layer :math:`\ell`'s covariance is computed
    from the activations of the network whose earlier layers are already pruned, so the layer
    errors compose as in :func:`compression_bias_bound`. Selection per layer is
    :func:`spectral_prune` (``"greedy"``, ``"leverage"``, or the baselines ``"random"`` and
    ``"magnitude"``, all with the same optimal reconstruction :math:`\hat A_J`).

    Any ``torch.nn.Module`` is accepted whose Linear layers, in forward order, are joined by
    element-wise operations: activation modules or functions (ReLU, LeakyReLU, GELU, Tanh,
    Sigmoid, Softplus, ELU), Dropout (all activations are computed in eval mode) and Identity,
    e.g. inside custom blocks; before the first Linear layer anything goes (e.g. Flatten). The
    chain is found with ``torch.fx.symbolic_trace``: an untraceable model, a Linear layer called
    twice, and anything else between two Linear layers (BatchNorm, a residual add, a
    concatenation, a reshape) or after the last one are refused with a ValueError naming it. The
    hidden units between Linear layers :math:`\ell` and :math:`\ell+1` are removed; the pruned
    model is a deep copy of ``model`` with these two Linear layers replaced by smaller ones.

    A model pruned with ``torch.nn.utils.prune`` is handled on a copy with its masks baked in
    (plain parameters, no pruning hook); its pruned weights stay 0: the kept rows keep their
    zeros, and the reconstructed next layer :math:`W^{(\ell+1)}\hat A_J` is multiplied by the
    mask's kept columns (``layer_errors`` and the bias bound are those of the stored, masked
    weights). ``model`` itself is not modified.

    Parameters
    ----------
    model : torch.nn.Module
        Linear layers joined by element-wise operations, e.g. ``Linear, act, ..., Linear`` as
        built by :func:`theory.testbeds.nets.make_mlp`; not modified.
    inputs : tensor or array, shape (n, in_dim) (or (n, ...) for a model that reshapes them)
        Data whose activations define :math:`\hat\Sigma` (unlabelled).
    widths : int or sequence of int (one per hidden layer), optional
        Target width per hidden layer (``None`` entries keep that layer whole). Give ``widths``
        or ``lams``.
    lams : float or sequence of float, optional
        :math:`\lambda_\ell > 0` per layer. Without ``widths`` the width is
        :math:`\lceil \hat N_\ell(\lambda_\ell)\rceil`. Default: ``rel_lam`` times
        :math:`\mathrm{Tr}\,\hat\Sigma_\ell / m_\ell`.
    theta : float in [0, 1], default 1.0
        1: input-aware, 0: output-aware (with :math:`Z = W^{(\ell+1)}`), else mixed.
    method : {"greedy", "leverage", "random", "magnitude"}, default "greedy"
        ``"leverage"`` refuses (``ValueError`` naming ``widths``, or ``lams`` when the widths come
        from them) a layer whose target width needs a node of leverage score ~0, e.g. a unit that
        is (nearly) constant zero on the data: such a node cannot be drawn
        (:func:`leverage_sample`).
    tau : float >= 0 or sequence, optional
        Ridge weight :math:`\tau` per layer (default :math:`\lambda_\ell`; leverage: derived).
    rel_lam : float > 0, default 1e-3
        Default :math:`\lambda_\ell` relative to the mean eigenvalue of :math:`\hat\Sigma_\ell`.
    cov_inputs : tensor or array, optional
        Build :math:`\hat\Sigma` from these inputs instead of ``inputs`` (e.g. unlabelled
        target-domain inputs under covariate shift). ``output_distortion`` is then measured on
        ``cov_inputs``, the data the reconstruction was fitted on.
    rng : None, int or numpy.random.Generator
        For ``"leverage"`` and ``"random"``.
    device : str, torch.device or None
        Where activations are computed (``None``: the model's device). The pruned model lives
        on the model's device with its dtype.

    Returns
    -------
    PruneResult

    Raises
    ------
    ValueError
        On bad input, or a model outside the class above (the message names what is between
        which layers, e.g. "found BatchNorm1d `bn` between layer 0 (`fc1`) and layer 1 (`fc2`)").

    References
    ----------
    Suzuki et al., IJCAI 2020, §3–4 (layer-wise spectral pruning; constants as recalled, not
    checked against its text); Dillard, Shinya, Suzuki, arXiv:1912.11853 (covariance from
    target-domain inputs).

    Examples
    --------
    Pruning the 4 hidden units of a 3-4-2 net to 2 leaves ``3 * 2 + 2 + 2 * 2 + 2 = 14`` of its
    ``3 * 4 + 4 + 4 * 2 + 2 = 26`` parameters. With a single hidden layer the output distortion is
    exactly that layer's error, so the bias bound is attained; keeping every unit reconstructs the
    net exactly.

    >>> import math, torch
    >>> from theory.spectral import prune_network
    >>> from theory.testbeds.nets import make_mlp
    >>> net = make_mlp(3, [4], 2, seed=0)
    >>> X = torch.randn(50, 3, generator=torch.Generator().manual_seed(0))
    >>> res = prune_network(net, X, widths=2)
    >>> res.widths, res.n_params, res.n_params_original
    ([2], 14, 26)
    >>> math.isclose(res.output_distortion, res.bias_bound)
    True
    >>> round(prune_network(net, X, widths=4).output_distortion, 12)
    0.0
    """
    import copy


    import torch

    from .._torch import _baked_copy, check_model, count_parameters, module_device, module_dtype

    check_model(model, "model", finite=True)
    base, masks = _baked_copy(model)
    chain = _network_parts(base)
    lin, names = chain.modules, chain.names
    n_hidden = len(lin) - 1
    if n_hidden < 1:
        raise ValueError("`model` must have at least one hidden layer")
    X_in = _check_inputs(base, chain, inputs, "inputs", device)
    X_cov = _check_inputs(base, chain, cov_inputs, "cov_inputs", device) if cov_inputs is not None else None
    check_in(method, "method", SELECTION_METHODS)
    theta = _theta(theta)
    rel_lam = check_positive(rel_lam, "rel_lam")
    if widths is None and lams is None:
        raise ValueError("give `widths` (target width per hidden layer) or `lams`")
    orig_widths = [L.out_features for L in lin[:-1]]

    def _w(v, name):
        return as_int(v, name, low=1)

    w_list = _per_layer(widths, n_hidden, "widths", _w)
    for w, mw in zip(w_list, orig_widths):
        if w is not None and w > mw:
            raise ValueError(f"`widths` must not exceed the layer widths {orig_widths}; got {list(w_list)}")
    lam_list = _per_layer(lams, n_hidden, "lams", check_positive)
    tau_list = _per_layer(tau, n_hidden, "tau", check_nonnegative)
    gen = check_rng(rng)
    data, data_name = (X_in, "inputs") if X_cov is None else (X_cov, "cov_inputs")
    # the name of the argument that set each layer's target width (for a width leverage sampling cannot reach)
    width_name = "widths" if widths is not None else "lams"

    mdev = module_device(model)
    mdtype = module_dtype(model)
    work = copy.deepcopy(base).to(device=mdev)
    lips = _lipschitz_constants(lin, chain.gap_lipschitz, chain.tail_lipschitz)

    keeps, new_widths, lam_used, dofs, losses, errs = [], [], [], [], [], []
    for l in range(n_hidden):
        cur, nxt = work.get_submodule(names[l]), work.get_submodule(names[l + 1])
        S = _layer_covariance(work, names, data, l, device, data_name)
        Z = nxt.weight.detach().double().cpu().numpy()
        try:
            keep, A, loss, lam, ndof = _select_layer(S, Z, w_list[l], lam_list[l], tau_list[l],
                                                     widths_given=widths is not None, theta=theta, method=method,
                                                     rel_lam=rel_lam, gen=gen)
        except _UnreachableWidth as e:
            raise ValueError(f"`{width_name}`: hidden layer {l} cannot be pruned by leverage sampling to the "
                             f"requested width ({e}); use method='greedy' or another width") from None
        new_l, new_n = _rebuild_layer(cur, nxt, keep, Z, A, mdev, mdtype)
        mask = masks.get(f"{names[l + 1]}.weight" if names[l + 1] else "weight")
        if mask is not None:  # a torch.nn.utils.prune mask: its zeros stay zeros
            with torch.no_grad():
                new_n.weight.mul_(mask[:, torch.as_tensor(keep, device=mask.device)].to(new_n.weight))
        err = _layer_error(S, Z, new_n, keep)
        _set_module(work, names[l], new_l)
        _set_module(work, names[l + 1], new_n)
        keeps.append(np.asarray(keep, dtype=np.int64))
        new_widths.append(int(len(keep)))
        lam_used.append(float(lam))
        dofs.append(float(ndof))
        losses.append(max(float(loss), 0.0))
        errs.append(float(err))
    work.train(model.training)
    # Measured output distortion in float64 on the covariance data.
    dist = _output_distortion(base, work, data, mdev)
    if not (math.isfinite(dist) and all(math.isfinite(e) for e in errs)):
        raise ValueError(f"`{data_name}` gives a non-finite output distortion (the outputs overflow)")
    try:
        bias_bound = compression_bias_bound(errs, lips) ** 2
    except (ValueError, OverflowError):
        bias_bound = math.inf
    if not math.isfinite(bias_bound):
        raise ValueError("`model` weights are too large: the bias bound (Lipschitz constants) overflows")
    return PruneResult(model=work, keep=keeps, widths=new_widths, original_widths=orig_widths,
                       n_params=count_parameters(work), n_params_original=count_parameters(base),
                       lams=lam_used, n_dof=dofs, losses=losses, layer_errors=errs, lipschitz=lips,
                       bias_bound=bias_bound, output_distortion=dist)
