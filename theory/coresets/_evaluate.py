r"""Measuring a compressed network: output error, the guarantee's failures, margin loss, the Occam bound."""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from .. import _torch  # noqa: F401  (first: a clear ImportError when torch is missing)
import torch
from scipy.special import gammaln
from torch import nn

from .._checks import as_array, as_float, as_int, as_size, check_positive, check_probability
from .._torch import _first_in_features, check_model, linear_layers
from ..claims import Measurement
from ._common import _as_input_tensor, _first_linear, _prepare_model


@dataclass(frozen=True)
class GuaranteeCheck:
    r"""Failures of :math:`\hat f(x) \in (1\pm\varepsilon) f(x)` on fresh inputs.

    Attributes
    ----------
    pair_failure : Measurement
        Fraction of (input, output unit) pairs with :math:`|\hat f_k(x) - f_k(x)| >
        \varepsilon |f_k(x)|`, with the standard error of a mean over inputs.
    input_failure : Measurement
        Fraction of inputs with at least one failing output unit.
    n_inputs, n_outputs : int
    """

    pair_failure: Measurement
    input_failure: Measurement
    n_inputs: int
    n_outputs: int


@dataclass(frozen=True)
class CompressionBound:
    r"""Compression-based generalization bound (see :func:`compression_bound`).

    Attributes
    ----------
    bound : float
        Upper bound on the population 0-1 error of the compressed (quantized) network.
    empirical_risk : float
    complexity : float
        :math:`\sqrt{(\log N + \log(1/\delta))/(2n)}`.
    log_class_size : float
        :math:`\log N` in nats.
    """

    bound: float
    empirical_risk: float
    complexity: float
    log_class_size: float


def _outputs(model, X, name: str = "model") -> np.ndarray:
    """``model(X)`` as a float64 (n, K) array, in eval mode; refuses a failing or non-finite forward."""
    with torch.no_grad():
        was = model.training
        model.eval()
        try:
            out = model(X)
        except RuntimeError as e:
            raise ValueError(f"`{name}` cannot be evaluated on `inputs`: {e}") from None
        finally:
            model.train(was)
    if not isinstance(out, torch.Tensor) or out.ndim not in (1, 2) or out.shape[0] != X.shape[0]:
        raise ValueError(f"`{name}` must map (n, in_dim) inputs to (n, K) outputs")
    f = out.detach().cpu().double().numpy().reshape(X.shape[0], -1)
    if not np.all(np.isfinite(f)):
        raise ValueError(f"`{name}` gives non-finite outputs on `inputs` (overflow)")
    return f


def _paired_outputs(model, compressed, inputs) -> tuple[np.ndarray, np.ndarray]:
    """Outputs of ``model`` and ``compressed`` on the same (n >= 2) inputs, as float64 arrays.

    Both networks must have finite parameters: a NaN weight gives NaN outputs, NaN comparisons
    are False, and a broken network would pass a check such as the (1 ± ε) guarantee.
    """
    check_model(model, "model", finite=True)
    check_model(compressed, "compressed", finite=True)
    X = _as_input_tensor(inputs, model)
    if X.shape[0] < 2:
        raise ValueError("`inputs` must hold at least 2 points")
    lin_c = _first_linear(compressed, "compressed")
    if _first_in_features(model) is not None and _first_in_features(compressed) is not None \
            and lin_c.in_features != X.shape[1]:
        raise ValueError(f"`compressed` must take the input width of `model` ({X.shape[1]}); "
                         f"its first Linear layer takes {lin_c.in_features}")
    f = _outputs(model, X, "model")
    g = _outputs(compressed, X.to(device=lin_c.weight.device, dtype=lin_c.weight.dtype), "compressed")
    if f.shape != g.shape:
        raise ValueError("`compressed` must have the output shape of `model`")
    return f, g


def relative_output_error(model: nn.Module, compressed: nn.Module,
                          inputs: torch.Tensor | ArrayLike) -> Measurement:
    r"""Mean relative output error of a compressed network, with its standard error.

    .. math::

        \mathrm{err} = \frac1n\sum_{i=1}^n \frac{\lVert \hat f(x_i) - f(x_i)\rVert_2}
        {\lVert f(x_i)\rVert_2}.

    Parameters
    ----------
    model, compressed : torch.nn.Module
        Same input and output dimensions; evaluated in eval mode without gradients.
    inputs : tensor or array (n, in_dim), n >= 2
        Fresh inputs.

    Returns
    -------
    Measurement

    Raises
    ------
    ValueError
        If ``model`` or ``compressed`` has a NaN or infinite parameter (a broken network must
        not look accurate), on bad ``inputs``, mismatched output shapes, or a zero output of
        ``model``.

    References
    ----------
    Baykal et al., ICLR 2019, §6 (output approximation error of the compressed network).

    Examples
    --------
    Scaling the last layer (weight and bias) by 1.1 scales every output by 1.1, so the relative
    error is 0.1 on every input (standard error 0).

    >>> import copy, torch
    >>> from theory.coresets import relative_output_error
    >>> from theory.testbeds.nets import make_mlp
    >>> net = make_mlp(3, [4], 2, seed=0, dtype=torch.float64)
    >>> scaled = copy.deepcopy(net)
    >>> with torch.no_grad():
    ...     _ = scaled[2].weight.mul_(1.1), scaled[2].bias.mul_(1.1)
    >>> X = torch.randn(5, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    >>> err = relative_output_error(net, scaled, X)
    >>> round(err.value, 10), round(err.se, 10)
    (0.1, 0.0)
    """
    f, g = _paired_outputs(model, compressed, inputs)
    nf = np.linalg.norm(f, axis=1)
    if np.any(nf == 0):
        raise ValueError("`model` output is exactly 0 on some input; the relative error is undefined")
    return Measurement.from_samples(np.linalg.norm(g - f, axis=1) / nf)


def guarantee_failure(model: nn.Module, compressed: nn.Module, inputs: torch.Tensor | ArrayLike,
                      eps: float) -> GuaranteeCheck:
    r"""How often :math:`\hat f(x) \notin (1\pm\varepsilon) f(x)` on fresh inputs.

    .. math::

        \hat p_{\rm pair} = \frac{1}{nK}\sum_{i,k}
        \mathbf 1\big[|\hat f_k(x_i) - f_k(x_i)| > \varepsilon |f_k(x_i)|\big],\qquad
        \hat p_{\rm input} = \frac1n\sum_i \max_k \mathbf 1[\cdots].

    The standard errors are those of means over the i.i.d. inputs (per-input failure fractions
    for the pair version).

    Parameters
    ----------
    model, compressed : torch.nn.Module
    inputs : tensor or array (n, in_dim), n >= 2
    eps : float > 0

    Returns
    -------
    GuaranteeCheck

    Raises
    ------
    ValueError
        If ``model`` or ``compressed`` has a NaN or infinite parameter (NaN outputs compare
        False, so a broken network would otherwise pass the guarantee), on bad ``inputs`` or
        ``eps``, or mismatched output shapes.

    References
    ----------
    Baykal et al., ICLR 2019, Theorem 4 (the event :math:`\hat f(x) \in (1\pm\varepsilon)
    f(x)`, probability at least :math:`1-\delta`).

    Examples
    --------
    Outputs scaled by 1.1 are off by ``0.1 |f|``: inside :math:`(1 \pm 0.2) f` everywhere, outside
    :math:`(1 \pm 0.05) f` everywhere (for non-zero outputs).

    >>> import copy, torch
    >>> from theory.coresets import guarantee_failure
    >>> from theory.testbeds.nets import make_mlp
    >>> net = make_mlp(3, [4], 2, seed=0, dtype=torch.float64)
    >>> scaled = copy.deepcopy(net)
    >>> with torch.no_grad():
    ...     _ = scaled[2].weight.mul_(1.1), scaled[2].bias.mul_(1.1)
    >>> X = torch.randn(5, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    >>> loose, tight = guarantee_failure(net, scaled, X, 0.2), guarantee_failure(net, scaled, X, 0.05)
    >>> loose.pair_failure.value, tight.input_failure.value
    (0.0, 1.0)
    """
    eps = check_positive(eps, "eps")
    f, g = _paired_outputs(model, compressed, inputs)
    fail = np.abs(g - f) > eps * np.abs(f)
    per_input = fail.mean(axis=1)
    return GuaranteeCheck(Measurement.from_samples(per_input),
                          Measurement.from_samples(fail.any(axis=1).astype(float)),
                          int(f.shape[0]), int(f.shape[1]))


def margin_loss(model: nn.Module, inputs: torch.Tensor | ArrayLike, labels: torch.Tensor | ArrayLike,
                gamma: float = 0.0) -> float:
    r"""Empirical :math:`\gamma`-margin loss of a classifier.

    .. math::

        \hat L_\gamma(f) = \frac1n\sum_i \mathbf 1\Big[f(x_i)_{y_i} \le \gamma +
        \max_{j \ne y_i} f(x_i)_j\Big]\qquad(\gamma = 0:\ \text{the 0-1 error, ties
        counted as errors}).

    Parameters
    ----------
    model : torch.nn.Module
        Outputs (n, K) scores, K >= 2.
    inputs : tensor or array (n, in_dim)
    labels : tensor or array (n,) of int in [0, K)
    gamma : float >= 0

    Returns
    -------
    float in [0, 1]

    Raises
    ------
    ValueError
        If ``model`` has a NaN or infinite parameter (NaN scores compare False, so a broken
        classifier would otherwise have zero loss), or on bad ``inputs``/``labels``/``gamma``.

    References
    ----------
    Arora, Ge, Neyshabur, Zhang, "Stronger generalization bounds for deep nets via a compression
    approach", ICML 2018, Definition (classification margin loss).

    Examples
    --------
    With identity scores, inputs ``(2, 0), (0, 1), (1, 1)`` labelled 0, 1, 0 have margins 2, 1
    and 0: at :math:`\gamma = 0` only the tie counts (1/3); at :math:`\gamma = 1.5` the margin 1
    counts as well (2/3).

    >>> import torch
    >>> from theory.coresets import margin_loss
    >>> from theory.testbeds.nets import make_mlp
    >>> net = make_mlp(2, [], 2, seed=0)
    >>> with torch.no_grad():
    ...     _ = net[0].weight.copy_(torch.eye(2)), net[0].bias.zero_()
    >>> X = torch.tensor([[2.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> y = torch.tensor([0, 1, 0])
    >>> round(margin_loss(net, X, y), 12), round(margin_loss(net, X, y, gamma=1.5), 12)
    (0.333333333333, 0.666666666667)
    """
    gamma = as_float(gamma, "gamma", low=0.0)
    check_model(model, "model", finite=True)
    X = _as_input_tensor(inputs, model)
    y = labels.detach().cpu().numpy() if isinstance(labels, torch.Tensor) else labels
    y = as_array(y, "labels", ndim=1, shape=(X.shape[0],), dtype=None)
    if y.dtype == bool or not (np.issubdtype(y.dtype, np.integer) or np.issubdtype(y.dtype, np.floating)):
        raise ValueError(f"`labels` must hold integer class labels; got dtype {y.dtype}")
    if not np.issubdtype(y.dtype, np.integer):
        if not np.all(y == np.round(y)):
            raise ValueError("`labels` must hold integer class labels")
        y = y.astype(np.int64)
    f = _outputs(model, X)
    if f.shape[1] < 2:
        raise ValueError("`model` must output at least 2 class scores")
    if y.min() < 0 or y.max() >= f.shape[1]:
        raise ValueError(f"`labels` must lie in [0, {f.shape[1] - 1}]")
    idx = np.arange(f.shape[0])
    true = f[idx, y]
    other = f.copy()
    other[idx, y] = -np.inf
    return float(np.mean(true <= gamma + other.max(axis=1)))


def quantize_weights(model: nn.Module, levels: int = 255,
                     device: str | torch.device | None = None) -> nn.Module:
    r"""Round every non-zero weight and bias to a uniform grid of ``levels`` values per layer.

    .. math::

        \theta \mapsto B\,\frac{\mathrm{round}(\theta h / B)}{h},\qquad h = \frac{q-1}{2},
        \qquad B = 2^{\lceil \log_2 \max|\theta| \rceil},

    per Linear layer (weights and bias share the grid); zeros stay zero and some small entries
    round to zero. With ``levels`` = q odd the grid has q points including 0. Every ``nn.Linear``
    of any ``torch.nn.Module`` is quantized; a model pruned with ``torch.nn.utils.prune`` is
    quantized on a copy with its masks baked in (its pruned weights stay 0, no pruning hook).

    Parameters
    ----------
    model : torch.nn.Module
    levels : int, odd, in [3, 10**9]
    device : str, torch.device or None

    Returns
    -------
    torch.nn.Module
        A quantized copy.

    References
    ----------
    Arora, Ge, Neyshabur, Zhang, ICML 2018, §2 (a compressed net must lie in a finite class
    fixed in advance; discretizing its parameters puts it there).

    Examples
    --------
    A layer with weight :math:`I` and bias ``(0.3, -0.6)`` has :math:`\max|\theta| = 1`, so
    :math:`B = 1`; with 5 levels (:math:`h = 2`) the grid is ``{-1, -0.5, 0, 0.5, 1}``:
    ``round(0.6) / 2 = 0.5`` and ``round(-1.2) / 2 = -0.5``, and :math:`I` is already on it.

    >>> import torch
    >>> from theory.coresets import quantize_weights
    >>> from theory.testbeds.nets import make_mlp
    >>> net = make_mlp(2, [], 2, seed=0)
    >>> with torch.no_grad():
    ...     _ = net[0].weight.copy_(torch.eye(2)), net[0].bias.copy_(torch.tensor([0.3, -0.6]))
    >>> q = quantize_weights(net, levels=5)
    >>> q[0].weight.tolist(), q[0].bias.tolist()
    ([[1.0, 0.0], [0.0, 1.0]], [0.5, -0.5])
    """
    levels = as_size(levels, "levels", low=3)
    if levels % 2 == 0:
        raise ValueError(f"`levels` must be odd (so that 0 is a grid point); got {levels}")
    src, _ = _prepare_model(model, device)
    new = copy.deepcopy(src)
    h = (levels - 1) // 2
    with torch.no_grad():
        for lin in linear_layers(new):
            ps = [lin.weight] + ([lin.bias] if lin.bias is not None else [])
            mx = max(float(p.abs().max()) for p in ps)
            if mx == 0:
                continue
            B = 2.0 ** math.ceil(math.log2(mx))
            for p in ps:
                p.copy_(torch.round(p * (h / B)) * (B / h))
    return new


#: Largest count :func:`compression_bound` accepts (samples, parameters, levels, layers, scales).
_MAX_COUNT = 10**18


def compression_bound(empirical_risk: float, n_train: int, n_nonzero: int, n_total: int, *, levels: int = 255,
                      n_layers: int = 1, n_scales: int = 81, delta: float = 0.05) -> CompressionBound:
    r"""Occam bound for a compressed network in a finite class fixed before seeing the data.

    .. math::

        L_0(\hat g) \le \hat L(\hat g) + \sqrt{\frac{\log N + \log(1/\delta)}{2n}},\qquad
        \log N = \log\binom{P}{p} + p\log q + \log P + L\log n_{\rm scales},

    for every network :math:`\hat g` with :math:`p` non-zero parameters, out of :math:`P`
    positions, each on a q-level grid per layer whose scale :math:`B = 2^k` is one of
    :math:`n_{\rm scales}` values (Hoeffding's inequality and a union bound over the class;
    :math:`\log P` pays for the data-dependent :math:`p`). The compression framework of Arora
    et al. feeds in :math:`\hat L(\hat g) \le \hat L_\gamma(f)` whenever :math:`\hat g` is
    within :math:`\gamma/2` of the original network :math:`f` on the training points, giving
    "compressed 0-margin loss ≤ original γ-margin loss + Õ(sqrt(#params/n))" [constants derived
    here; the paper states the Õ form].

    Parameters
    ----------
    empirical_risk : float in [0, 1]
        Training 0-1 error of :math:`\hat g` (or the upper bound :math:`\hat L_\gamma(f)`).
    n_train : int >= 1
    n_nonzero : int in [0, n_total]
        :math:`p`.
    n_total : int >= 1
        :math:`P`.
    levels : int >= 2
        :math:`q`.
    n_layers : int >= 1
    n_scales : int >= 1
    delta : float in (0, 1)

    The counts ``n_train``, ``n_total``, ``levels``, ``n_layers`` and ``n_scales`` are at most
    :math:`10^{18}`.

    Returns
    -------
    CompressionBound

    References
    ----------
    Arora, Ge, Neyshabur, Zhang, ICML 2018, Theorem 2.1 (compression implies generalization);
    Baykal et al., ICLR 2019, §4.3 (generalization bounds for CoreNet-compressed networks);
    Shalev-Shwartz, Ben-David, *Understanding Machine Learning* (2014), Cor. 4.6 (finite class).

    Examples
    --------
    A class of one network (:math:`P = 1`, :math:`p = 0`, one scale) has :math:`\log N = 0`; with
    :math:`\delta = e^{-2}` and :math:`n = 100` the complexity is ``sqrt(2 / 200) = 0.1``. With
    :math:`P = 2`, :math:`p = 1`, :math:`q = 2`: :math:`\log N = \log 2 + \log 2 + \log 2 = \log 8`.

    >>> import math
    >>> from theory.coresets import compression_bound
    >>> b = compression_bound(0.05, 100, 0, 1, n_scales=1, delta=math.exp(-2))
    >>> round(b.bound, 12), round(b.complexity, 12), b.log_class_size
    (0.15, 0.1, 0.0)
    >>> math.isclose(compression_bound(0.0, 100, 1, 2, levels=2, n_scales=1).log_class_size, math.log(8))
    True
    """
    emp = as_float(empirical_risk, "empirical_risk", low=0.0, high=1.0)
    n = as_int(n_train, "n_train", low=1, high=_MAX_COUNT)
    P = as_int(n_total, "n_total", low=1, high=_MAX_COUNT)
    p = as_int(n_nonzero, "n_nonzero", low=0, high=P)
    q = as_int(levels, "levels", low=2, high=_MAX_COUNT)
    L = as_int(n_layers, "n_layers", low=1, high=_MAX_COUNT)
    ns = as_int(n_scales, "n_scales", low=1, high=_MAX_COUNT)
    delta = check_probability(delta, "delta", open_low=True, open_high=True)
    log_binom = float(gammaln(P + 1) - gammaln(p + 1) - gammaln(P - p + 1))
    logN = log_binom + p * math.log(q) + math.log(P) + L * math.log(ns)
    comp = math.sqrt((logN + math.log(1.0 / delta)) / (2.0 * n))
    return CompressionBound(emp + comp, emp, comp, logN)
