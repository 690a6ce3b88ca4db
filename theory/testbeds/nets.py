r"""Small multilayer perceptrons, teacher–student data, training and population risk.

The small-net testbed that the compression experiments (spectral pruning, coresets,
Hessian-weighted quantization, covariate shift) build on.

- :func:`make_mlp` builds ``nn.Sequential(Linear, act, Linear, act, ..., Linear)`` with a seeded
  initialisation that never touches torch's global random state; :func:`linear_layers` walks it.
- :class:`TeacherStudent` is a known data distribution: Gaussian inputs, a fixed random teacher
  MLP, and either Gaussian output noise (regression) or labels drawn from the teacher's softmax
  (classification). Population risk is measured on *fresh* samples, with a standard error
  (:meth:`TeacherStudent.population_risk`), and the Bayes risk is known
  (:meth:`TeacherStudent.bayes_risk`).
- :func:`train` fits a model deterministically given a seed (on CPU); :func:`train_many` fits M
  same-shaped MLPs on M subsets at once (stacked weights, batched matrix products), each member
  equal to its own :func:`train` run.

Loss normalisation (used everywhere in this module): the per-sample regression loss is the
squared error **summed** over the outputs, :math:`\ell(f, (x, y)) = \lVert f(x) - y\rVert_2^2`
(no factor 1/2, no average over outputs), so the Bayes risk is ``noise_std**2 * out_dim``; the
per-sample classification loss is the cross-entropy in nats. Risks are means of per-sample
losses over samples.

Every function that touches tensors takes ``device=`` (``"auto"``, ``"cpu"``, ``"cuda"``, ...,
see :func:`resolve_device`). Random draws are made on the CPU (or on the device of a
``torch.Generator`` passed as ``rng``) and then moved, so a seed gives the same numbers on every
device.
"""

from __future__ import annotations

import math
import numbers
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike
from .. import _torch  # noqa: F401  (first: a clear ImportError when torch is missing)
import torch
from torch import nn

from .._checks import MAX_SIZE, as_float, as_int, as_size, check_bool, check_in, check_nonnegative
from ..claims import Measurement
from .._torch import (ACTIVATIONS, TASKS, _check_targets, _probe_forward, as_tensor, check_dtype, check_model,
                      count_parameters, linear_layers, loss_fn, module_device, module_dtype, resolve_device,
                      seed_or_fresh, torch_generator)

__all__ = [
    "ACTIVATIONS",
    "TASKS",
    "resolve_device",
    "make_mlp",
    "linear_layers",
    "count_parameters",
    "activation_gain",
    "TeacherStudent",
    "PopulationRisk",
    "TrainResult",
    "loss_fn",
    "evaluate",
    "accuracy",
    "train",
    "train_many",
]


INITS = ("uniform", "normal")

# Fresh samples are drawn in chunks of this many rows, so that ``sample(n, rng)`` and the fresh
# sample used by ``population_risk(n_fresh=n, rng=rng)`` are the same numbers, while memory stays
# bounded for large ``n``.
_CHUNK = 65536

# Number of inputs in the probe sample that normalises the teacher's output variance.
_PROBE_N = 16384
_PROBE_TAG = 0x7EAC4E5


# ---------------------------------------------------------------------------------------------
# MLPs
# ---------------------------------------------------------------------------------------------

def activation_gain(activation: str) -> float:
    r"""Variance-preserving gain :math:`g` for an activation, used by the ``"normal"`` init.

    .. math::

        W_{ij} \sim \mathcal N\!\left(0, \frac{g^2}{\mathrm{fan\_in}}\right), \qquad
        g = \sqrt 2 \ (\mathrm{relu, gelu, softplus}),\ 5/3\ (\tanh),\ 1\ (\mathrm{sigmoid,
        identity}).

    Parameters
    ----------
    activation : {"relu", "tanh", "gelu", "sigmoid", "softplus", "identity"}

    Returns
    -------
    float

    References
    ----------
    He, Zhang, Ren, Sun, "Delving deep into rectifiers", ICCV 2015, eq. (10) (gain sqrt(2) for
    ReLU); the tanh gain 5/3 and sigmoid gain 1 follow ``torch.nn.init.calculate_gain``. The
    GELU and softplus gains (sqrt(2), as for ReLU) are a convention of this library, not read
    from a paper.

    Examples
    --------
    The He gain of ReLU is :math:`\sqrt 2`; tanh has 5/3 and the identity 1.

    >>> import math
    >>> from theory.testbeds.nets import activation_gain
    >>> activation_gain("relu") == math.sqrt(2), activation_gain("tanh"), activation_gain("identity")
    (True, 1.6666666666666667, 1.0)
    """
    check_in(activation, "activation", tuple(ACTIVATIONS))
    return {"relu": math.sqrt(2.0), "gelu": math.sqrt(2.0), "softplus": math.sqrt(2.0),
            "tanh": 5.0 / 3.0, "sigmoid": 1.0, "identity": 1.0}[activation]


def _check_widths(widths, name: str = "widths") -> tuple[int, ...]:
    if isinstance(widths, (numbers.Integral, np.integer)) and not isinstance(widths, (bool, np.bool_)):
        widths = (int(widths),)
    if isinstance(widths, (str, bytes)) or not isinstance(widths, (Sequence, np.ndarray)):
        raise ValueError(f"`{name}` must be a sequence of positive integers; got {widths!r}")
    if isinstance(widths, np.ndarray) and widths.ndim != 1:
        raise ValueError(f"`{name}` must be a 1-D sequence of positive integers; got shape {widths.shape}")
    return tuple(as_size(w, name) for w in widths)


def _check_mlp_size(dims, name: str = "widths") -> None:
    """Refuse an MLP with more than MAX_SIZE parameters up front (it could not be built in memory)."""
    count = sum(a * b + b for a, b in zip(dims[:-1], dims[1:]))
    if count > MAX_SIZE:
        raise ValueError(f"`{name}` (with `in_dim` and `out_dim`) gives an MLP with {count} parameters; at most "
                         f"{MAX_SIZE} can be built in memory")


def make_mlp(in_dim: int, widths: Sequence[int], out_dim: int,
             activation: Literal["relu", "tanh", "gelu", "sigmoid", "softplus", "identity"] = "relu",
             bias: bool = True, seed: int | None = None, device: str | torch.device = "cpu",
             dtype: torch.dtype = torch.float32,
             init: Literal["uniform", "normal"] = "uniform") -> nn.Sequential:
    r"""A fully connected network ``Linear, act, Linear, act, ..., Linear`` with seeded init.

    .. math::

        f(x) = W_L\, \sigma(W_{L-1} \cdots \sigma(W_1 x + b_1) \cdots + b_{L-1}) + b_L,
        \qquad W_l \in \mathbb R^{h_l \times h_{l-1}},\ h_0 = \mathtt{in\_dim},\
        h_L = \mathtt{out\_dim}.

    Initialisation (all draws from a ``torch.Generator`` seeded with ``seed``, made on the CPU
    and then moved to ``device``; torch's global random state is neither read nor changed):

    - ``"uniform"`` (PyTorch's ``nn.Linear`` default): :math:`W_{ij}, b_i \sim
      U(-1/\sqrt{\mathrm{fan\_in}}, 1/\sqrt{\mathrm{fan\_in}})`;
    - ``"normal"``: :math:`W_{ij} \sim \mathcal N(0, g^2/\mathrm{fan\_in})` with the
      activation's gain :math:`g` (:func:`activation_gain`) for hidden layers and :math:`g = 1`
      for the last layer, :math:`b = 0`.

    Parameters
    ----------
    in_dim : int
        Input dimension, >= 1.
    widths : sequence of int
        Hidden widths :math:`(h_1, \dots, h_{L-1})`, each >= 1; ``()`` gives a linear model.
        A single int is read as one hidden layer. The network may hold at most
        ``theory._checks.MAX_SIZE`` (10^9) parameters; a larger one is refused up front.
    out_dim : int
        Output dimension, >= 1.
    activation : {"relu", "tanh", "gelu", "sigmoid", "softplus", "identity"}, default "relu"
        Applied after every Linear but the last (``"identity"`` inserts ``nn.Identity`` so the
        alternating structure is kept).
    bias : bool, default True
    seed : int or None
        ``None`` draws a fresh seed (not reproducible).
    device : str or torch.device, default "cpu"
        See :func:`resolve_device`.
    dtype : torch floating dtype, default torch.float32
    init : {"uniform", "normal"}, default "uniform"

    Returns
    -------
    torch.nn.Sequential
        ``2 * len(widths) + 1`` modules; Linear layers at even positions.

    References
    ----------
    He, Zhang, Ren, Sun, "Delving deep into rectifiers", ICCV 2015, eq. (10) (normal init);
    LeCun, Bottou, Orr, Müller, "Efficient BackProp", in Neural Networks: Tricks of the Trade,
    1998, §4.6 (fan-in scaling). The uniform init is ``torch.nn.Linear.reset_parameters``.

    Examples
    --------
    A 3-4-2 network has ``3 * 4 + 4 + 4 * 2 + 2 = 26`` parameters in ``2 * 1 + 1 = 3`` modules; the
    uniform init keeps the first weights within :math:`1/\sqrt{3}`, and the same seed gives the same
    weights.

    >>> import math, torch
    >>> from theory.testbeds.nets import make_mlp
    >>> net = make_mlp(3, [4], 2, seed=0)
    >>> len(net), sum(p.numel() for p in net.parameters())
    (3, 26)
    >>> bool(net[0].weight.abs().max() <= 1 / math.sqrt(3))
    True
    >>> bool(torch.equal(net[0].weight, make_mlp(3, [4], 2, seed=0)[0].weight))
    True
    """
    in_dim = as_size(in_dim, "in_dim")
    widths = _check_widths(widths)
    out_dim = as_size(out_dim, "out_dim")
    _check_mlp_size((in_dim, *widths, out_dim))
    check_in(activation, "activation", tuple(ACTIVATIONS))
    check_in(init, "init", INITS)
    check_bool(bias, "bias")
    seed = seed_or_fresh(seed)
    dev = resolve_device(device)
    dtype = check_dtype(dtype)
    gen = torch.Generator().manual_seed(seed)
    dims = (in_dim, *widths, out_dim)
    gain = activation_gain(activation)
    layers: list[nn.Module] = []
    for l, (fan_in, fan_out) in enumerate(zip(dims[:-1], dims[1:])):
        last = l == len(dims) - 2
        # skip_init builds the layer without running reset_parameters (which would consume the
        # global torch RNG); the parameters are then filled from `gen`.
        lin = nn.utils.skip_init(nn.Linear, fan_in, fan_out, bias=bool(bias), dtype=dtype)
        with torch.no_grad():
            if init == "uniform":
                a = 1.0 / math.sqrt(fan_in)
                w = (torch.rand(fan_out, fan_in, generator=gen, dtype=dtype) * 2 - 1) * a
                b = (torch.rand(fan_out, generator=gen, dtype=dtype) * 2 - 1) * a
            else:
                g = 1.0 if last else gain
                w = torch.randn(fan_out, fan_in, generator=gen, dtype=dtype) * (g / math.sqrt(fan_in))
                b = torch.zeros(fan_out, dtype=dtype)
            lin.weight.copy_(w)
            if lin.bias is not None:
                lin.bias.copy_(b)
        layers.append(lin)
        if not last:
            layers.append(ACTIVATIONS[activation]())
    return nn.Sequential(*layers).to(dev)


# ---------------------------------------------------------------------------------------------
# Losses and evaluation
# ---------------------------------------------------------------------------------------------

def _batched_losses(model, X, Y, task, batch_size, *, errors=False):
    lf = loss_fn(task)
    losses, errs = [], []
    with torch.no_grad():
        for s in range(0, X.shape[0], batch_size):
            out = model(X[s:s + batch_size])
            y = Y[s:s + batch_size]
            losses.append(lf(out, y).double().cpu())
            if errors:
                errs.append((out.argmax(dim=1) != y.reshape(-1).long()).double().cpu())
    loss = torch.cat(losses).numpy()
    if not np.all(np.isfinite(loss)):
        raise ValueError("`model` produced non-finite losses (NaN or inf) on the data: the outputs or the "
                         "targets overflow")
    return loss, (torch.cat(errs).numpy() if errors else None)


def _prepare_xy(model, X, Y, task, xname="X", yname="Y"):
    """X, Y as tensors on the model's device, checked against each other and the model's output."""
    dev = module_device(model)
    dt = module_dtype(model)
    X = as_tensor(X, xname, ndim=2, device=dev, dtype=dt)
    if task == "regression":
        Y = as_tensor(Y, yname, ndim=(1, 2), device=dev, dtype=dt)
    else:
        Y = as_tensor(Y, yname, ndim=(1, 2), device=dev)
    if X.shape[0] != Y.shape[0]:
        raise ValueError(f"`{yname}` must have as many rows as `{xname}` ({X.shape[0]}); got {Y.shape[0]}")
    K = _probe_forward(model, X, xname).shape[1]
    Y = _check_targets(Y, task, X.shape[0], K, yname)
    return X, Y


class _EvalMode:
    """Context manager: put a module in eval mode and restore its previous mode."""

    def __init__(self, model: nn.Module):
        self.model = model

    def __enter__(self):
        self.was_training = self.model.training
        self.model.eval()
        return self.model

    def __exit__(self, *exc):
        self.model.train(self.was_training)
        return False


def evaluate(model: nn.Module, X: torch.Tensor | ArrayLike, Y: torch.Tensor | ArrayLike,
             task: Literal["regression", "classification"], batch_size: int = 8192,
             device: str | torch.device | None = None) -> Measurement:
    r"""Mean per-sample loss of ``model`` on ``(X, Y)`` and its standard error.

    .. math::

        \hat L = \frac1n \sum_{i=1}^n \ell(f(x_i), y_i), \qquad
        \widehat{\mathrm{SE}} = \frac{s}{\sqrt n},\ s^2 = \frac{1}{n-1}\sum_i
        (\ell_i - \hat L)^2.

    Parameters
    ----------
    model : torch.nn.Module
    X : tensor or array, shape (n, in_dim)
    Y : tensor or array, shape (n, out_dim) for regression, (n,) labels for classification
    task : {"regression", "classification"}
    batch_size : int, default 8192
    device : str, torch.device or None
        ``None``: the model's current device; otherwise the model is moved there (in place).

    Returns
    -------
    theory.claims.Measurement
        The empirical risk and its standard error (n >= 2 required).

    References
    ----------
    Standard error of a sample mean; e.g. Wasserman, *All of Statistics* (2004), Thm. 6.10 (CLT)
    and §6.3.

    Examples
    --------
    A model that outputs 0 has losses :math:`y^2 = 1, 4, 9` on targets 1, 2, 3: mean ``14/3`` and
    standard error ``sqrt(((1 - 14/3)**2 + (4 - 14/3)**2 + (9 - 14/3)**2) / 2 / 3) = 7/3``.

    >>> import torch
    >>> from theory.testbeds.nets import evaluate, make_mlp
    >>> net = make_mlp(1, [], 1, seed=0, dtype=torch.float64)
    >>> with torch.no_grad():
    ...     _ = net[0].weight.zero_(), net[0].bias.zero_()
    >>> X = torch.zeros(3, 1, dtype=torch.float64)
    >>> Y = torch.tensor([[1.0], [2.0], [3.0]], dtype=torch.float64)
    >>> m = evaluate(net, X, Y, "regression")
    >>> round(m.value, 10), round(m.se, 10)
    (4.6666666667, 2.3333333333)
    """
    check_model(model, finite=True)
    check_in(task, "task", TASKS)
    batch_size = as_size(batch_size, "batch_size")
    if device is not None:
        model.to(resolve_device(device))
    X, Y = _prepare_xy(model, X, Y, task)
    if X.shape[0] < 2:
        raise ValueError(f"`X` must hold at least 2 samples for a standard error; got {X.shape[0]}")
    with _EvalMode(model):
        loss, _ = _batched_losses(model, X, Y, task, batch_size)
    return Measurement.from_samples(loss)


def accuracy(model: nn.Module, X: torch.Tensor | ArrayLike, Y: torch.Tensor | ArrayLike,
             batch_size: int = 8192, device: str | torch.device | None = None) -> float:
    r"""Fraction of samples whose arg-max output equals the label.

    .. math::

        \mathrm{acc} = \frac1n \sum_{i=1}^n \mathbf 1\big[\arg\max_k f_k(x_i) = y_i\big].

    Parameters
    ----------
    model : torch.nn.Module
        Outputs of shape (n, n_classes).
    X : tensor or array, shape (n, in_dim)
    Y : tensor or array, shape (n,) integer labels
    batch_size : int, default 8192
    device : str, torch.device or None
        ``None``: the model's current device; otherwise the model is moved there (in place).

    Returns
    -------
    float in [0, 1]

    References
    ----------
    Hastie, Tibshirani, Friedman, *The Elements of Statistical Learning*, 2nd ed. (2009), §2.4
    (0-1 loss).

    Examples
    --------
    With identity weights the predicted class is the arg-max coordinate of the input: inputs
    ``(1, 0), (0, 1), (2, 1)`` give classes 0, 1, 0 against labels 0, 1, 1, so two of three are
    right.

    >>> import torch
    >>> from theory.testbeds.nets import accuracy, make_mlp
    >>> net = make_mlp(2, [], 2, seed=0)
    >>> with torch.no_grad():
    ...     _ = net[0].weight.copy_(torch.eye(2)), net[0].bias.zero_()
    >>> X = torch.tensor([[1.0, 0.0], [0.0, 1.0], [2.0, 1.0]])
    >>> round(accuracy(net, X, torch.tensor([0, 1, 1])), 12)
    0.666666666667
    """
    check_model(model, finite=True)
    batch_size = as_size(batch_size, "batch_size")
    if device is not None:
        model.to(resolve_device(device))
    X, Y = _prepare_xy(model, X, Y, "classification")
    if X.shape[0] < 1:
        raise ValueError("`X` must hold at least 1 sample")
    with _EvalMode(model):
        _, err = _batched_losses(model, X, Y, "classification", batch_size, errors=True)
    return float(1.0 - err.mean())


# ---------------------------------------------------------------------------------------------
# Teacher–student data
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PopulationRisk:
    """Population risk measured on fresh samples.

    Attributes
    ----------
    loss : Measurement
        Mean per-sample loss (see :func:`loss_fn`) and its standard error.
    error : Measurement or None
        0-1 error (classification only).
    n_fresh : int
        Number of fresh samples.
    """

    loss: Measurement
    error: Measurement | None = None
    n_fresh: int = 0


def _vector_or_scalar(x, name, in_dim, *, positive=False, limit=math.inf):
    """Scalar -> float; vector of length in_dim -> tuple of floats; entries bounded by ``limit``."""
    if isinstance(x, torch.Tensor):
        if x.is_complex():
            raise ValueError(f"`{name}` must be real; got a complex tensor")
        x = x.detach().cpu().double().numpy()
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"`{name}` must be a number or a sequence of {in_dim} numbers; got {x!r}") from None
    if arr.ndim == 0:
        return as_float(arr, name, low=0.0, low_open=True, high=limit) if positive else as_float(
            arr, name, low=-limit, high=limit)
    if arr.ndim != 1 or arr.shape != (in_dim,):
        raise ValueError(f"`{name}` must be a number or a sequence of {in_dim} numbers; got shape {arr.shape}")
    return tuple(as_float(v, name, low=0.0, low_open=True, high=limit) if positive
                 else as_float(v, name, low=-limit, high=limit) for v in arr)


def _magnitude_limit(dtype) -> float:
    """Largest input mean/scale and noise level: fourth root of the dtype's largest float, so that
    inputs, outputs and their squared errors stay finite."""
    return float(torch.finfo(dtype).max) ** 0.25


# The smallest positive temperature: logits t(x)/T stay finite in float64.
_MIN_TEMPERATURE = 1e-100


@dataclass(frozen=True)
class TeacherStudent:
    r"""A known data distribution: Gaussian inputs labelled by a fixed random teacher MLP.

    .. math::

        x \sim \mathcal N(m, s^2 I_d), \qquad
        \text{regression: } y = t(x) + \sigma\, \xi,\ \xi \sim \mathcal N(0, I_K);
        \qquad \text{classification: } P(y = k \mid x) =
        \mathrm{softmax}(t(x)/T)_k \ (T > 0),\ y = \arg\max_k t_k(x)\ (T = 0).

    The teacher :math:`t` is ``make_mlp(in_dim, teacher_widths, out_dim, activation,
    seed=teacher_seed, init="normal")`` (variance-preserving Gaussian init, zero biases) whose
    last layer is then rescaled row by row so that **each output has variance 1** under the
    training input distribution :math:`\mathcal N(m, s^2 I)`, as measured on a probe sample of
    16384 inputs drawn with a generator seeded by ``teacher_seed`` (so the variance is 1 up to
    the probe's sampling error, a few percent for heavy-tailed outputs). Hence ``noise_std`` is a
    noise-to-signal ratio per output and the logits have O(1) scale whatever the depth, width and
    activation. The teacher is
    built on the CPU and moved to ``device``; it is the same for every device. Because the
    normalisation uses ``input_mean`` and ``input_scale``, changing those fields changes the
    teacher: for covariate shift keep the fields and pass the ``input_mean``/``input_scale``
    overrides of :meth:`sample` and :meth:`population_risk`, which keep the conditional law.

    Loss normalisation: regression loss is the squared error summed over the K outputs (no 1/2),
    so the Bayes risk is :math:`\sigma^2 K`; classification loss is the cross-entropy in nats.

    Parameters
    ----------
    in_dim : int
        Input dimension d >= 1, at most 10^9 / 16384 = 61035 (the probe sample that normalises
        the teacher holds 16384 x d numbers).
    teacher_widths : sequence of int, default (32,)
        Hidden widths of the teacher.
    out_dim : int, default 1
        K: outputs (regression, >= 1) or classes (classification, >= 2).
    task : {"regression", "classification"}, default "regression"
    activation : str, default "relu"
        Teacher activation (see :data:`ACTIVATIONS`).
    noise_std : float, default 0.1
        :math:`\sigma >= 0` (regression only; ignored for classification). ``noise_std``,
        ``|input_mean|`` and ``input_scale`` are at most the fourth root of the largest float of
        ``dtype`` (about 4.3e9 for float32), so that squared errors stay finite.
    teacher_seed : int, default 0
    input_scale : float or sequence of d floats, default 1.0
        :math:`s > 0` (per-coordinate when a sequence: covariance :math:`\mathrm{diag}(s^2)`).
    input_mean : float or sequence of d floats, default 0.0
        :math:`m`.
    device : str or torch.device, default "cpu"
        Where samples and the teacher live (resolved with :func:`resolve_device`).
    temperature : float, default 1.0
        :math:`T >= 0` (classification only): 0 or at least 1e-100, so that the logits
        :math:`t(x)/T` stay finite.
    dtype : torch floating dtype, default torch.float32

    References
    ----------
    Seung, Sompolinsky, Tishby, "Statistical mechanics of learning from examples", Phys. Rev. A
    45 (1992) (the teacher–student setting); Goldt, Advani, Saxe, Krzakala, Zdeborová, "Dynamics
    of stochastic gradient descent for two-layer neural networks in the teacher-student setup",
    NeurIPS 2019 (random two-layer teachers with Gaussian inputs).

    Examples
    --------
    With noise standard deviation 0.1 and two outputs the Bayes risk is ``0.1**2 * 2 = 0.02``; the
    teacher itself attains it, so its measured population risk lies within 3 standard errors of
    0.02.

    >>> from theory.testbeds.nets import TeacherStudent
    >>> ts = TeacherStudent(3, teacher_widths=(8,), out_dim=2, noise_std=0.1)
    >>> X, Y = ts.sample(5, rng=0)
    >>> tuple(X.shape), tuple(Y.shape), round(ts.bayes_risk(), 12)
    ((5, 3), (5, 2), 0.02)
    >>> risk = ts.population_risk(ts.teacher(), n_fresh=2000, rng=0).loss
    >>> abs(risk.value - 0.02) <= 3 * risk.se
    True
    """

    in_dim: int
    teacher_widths: tuple = (32,)
    out_dim: int = 1
    task: str = "regression"
    activation: str = "relu"
    noise_std: float = 0.1
    teacher_seed: int = 0
    input_scale: float | tuple = 1.0
    input_mean: float | tuple = 0.0
    device: str | torch.device = "cpu"
    temperature: float = 1.0
    dtype: torch.dtype = torch.float32
    _cache: dict = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)

    def __post_init__(self):
        def put(name, value):
            object.__setattr__(self, name, value)

        # the probe sample (16384 x in_dim) that normalises the teacher must fit in memory
        put("in_dim", as_size(self.in_dim, "in_dim", high=MAX_SIZE // _PROBE_N))
        put("teacher_widths", _check_widths(self.teacher_widths, "teacher_widths"))
        check_in(self.task, "task", TASKS)
        low = 2 if self.task == "classification" else 1
        put("out_dim", as_size(self.out_dim, "out_dim", low=low))
        _check_mlp_size((self.in_dim, *self.teacher_widths, self.out_dim), "teacher_widths")
        check_in(self.activation, "activation", tuple(ACTIVATIONS))
        put("dtype", check_dtype(self.dtype))
        lim = _magnitude_limit(self.dtype)
        put("noise_std", as_float(self.noise_std, "noise_std", low=0.0, high=lim))
        put("teacher_seed", as_int(self.teacher_seed, "teacher_seed", low=0, high=2**64 - 1))
        put("input_scale", _vector_or_scalar(self.input_scale, "input_scale", self.in_dim, positive=True, limit=lim))
        put("input_mean", _vector_or_scalar(self.input_mean, "input_mean", self.in_dim, limit=lim))
        put("device", resolve_device(self.device))
        temperature = check_nonnegative(self.temperature, "temperature")
        if 0.0 < temperature < _MIN_TEMPERATURE:
            raise ValueError(f"`temperature` must be 0 or at least {_MIN_TEMPERATURE:g} (the logits t(x)/T must "
                             f"stay finite); got {temperature!r}")
        put("temperature", temperature)

    # -- the teacher -------------------------------------------------------------------------

    def _moments(self, input_mean=None, input_scale=None, device=torch.device("cpu")):
        lim = _magnitude_limit(self.dtype)
        m = (self.input_mean if input_mean is None
             else _vector_or_scalar(input_mean, "input_mean", self.in_dim, limit=lim))
        s = (self.input_scale if input_scale is None
             else _vector_or_scalar(input_scale, "input_scale", self.in_dim, positive=True, limit=lim))
        mean = torch.as_tensor(np.broadcast_to(np.asarray(m, dtype=float), (self.in_dim,)).copy(),
                               dtype=self.dtype, device=device)
        scale = torch.as_tensor(np.broadcast_to(np.asarray(s, dtype=float), (self.in_dim,)).copy(),
                                dtype=self.dtype, device=device)
        return mean, scale

    def teacher(self) -> nn.Sequential:
        r"""The teacher network :math:`t` (built once, cached; parameters frozen, eval mode).

        .. math::

            t = \mathrm{diag}(c)\, t_0, \qquad c_k = 1 / \mathrm{sd}_{\rm probe}(t_{0,k}(x)),
            \quad x \sim \mathcal N(m, s^2 I).

        Returns
        -------
        torch.nn.Sequential
            On ``self.device``. It is shared by every call: do not modify it.

        Raises
        ------
        ValueError
            If a teacher output is constant on the probe sample (cannot be normalised).

        References
        ----------
        He, Zhang, Ren, Sun, ICCV 2015, eq. (10) (the Gaussian init before normalisation).
        """
        t = self._cache.get("teacher")
        if t is not None:
            return t
        t = make_mlp(self.in_dim, self.teacher_widths, self.out_dim, activation=self.activation,
                     bias=True, seed=self.teacher_seed, device="cpu", dtype=self.dtype, init="normal")
        probe_seed = int(np.random.SeedSequence([self.teacher_seed, _PROBE_TAG]).generate_state(1, np.uint64)[0] >> 1)
        g = torch.Generator().manual_seed(probe_seed)
        mean, scale = self._moments()
        with torch.no_grad():
            xp = mean + scale * torch.randn(_PROBE_N, self.in_dim, generator=g, dtype=self.dtype)
            out = t(xp).double()
            if not bool(torch.isfinite(out).all()):
                raise ValueError("`input_mean` and `input_scale` give teacher outputs that overflow "
                                 f"{self.dtype}; choose smaller inputs")
            sd = out.std(dim=0)
            if not bool(torch.all(sd > 1e-12 * (1.0 + out.abs().max()))):
                raise ValueError(f"`teacher_seed` {self.teacher_seed} gives a teacher with a constant output "
                                 "on the input distribution (`input_mean`, `input_scale`); choose another seed, "
                                 "activation or input scale")
            last = linear_layers(t)[-1]
            c = (1.0 / sd).to(self.dtype)
            last.weight.mul_(c[:, None])
            last.bias.mul_(c)
        for p in t.parameters():
            p.requires_grad_(False)
        t.eval()
        t = t.to(self.device)
        self._cache["teacher"] = t
        return t

    # -- sampling ---------------------------------------------------------------------------

    def _chunks(self, n: int, gen: torch.Generator, mean, scale, *, with_y=True
                ) -> Iterator[tuple[torch.Tensor, torch.Tensor | None]]:
        """Yield (X, Y) chunks of at most _CHUNK rows; draws on gen's device, moves to self.device."""
        t = self.teacher()
        gdev = gen.device
        mean = mean.to(gdev)
        scale = scale.to(gdev)
        for start in range(0, n, _CHUNK):
            m = min(_CHUNK, n - start)
            z = torch.randn(m, self.in_dim, generator=gen, device=gdev, dtype=self.dtype)
            X = mean + scale * z
            if not with_y:
                yield X.to(self.device), None
                continue
            if self.task == "regression":
                eps = torch.randn(m, self.out_dim, generator=gen, device=gdev, dtype=self.dtype)
            elif self.temperature > 0:
                u = torch.rand(m, 1, generator=gen, device=gdev, dtype=torch.float64)
            X = X.to(self.device)
            with torch.no_grad():
                f = t(X)
            if not bool(torch.isfinite(f).all()):
                raise ValueError("`input_mean` and `input_scale` give teacher outputs that overflow "
                                 f"{self.dtype}; choose smaller inputs")
            if self.task == "regression":
                Y = f + self.noise_std * eps.to(self.device)
            elif self.temperature == 0:
                Y = f.argmax(dim=1)
            else:
                p = torch.softmax(f.double() / self.temperature, dim=1)
                cdf = torch.cumsum(p, dim=1)
                Y = (cdf < u.to(self.device)).sum(dim=1).clamp(max=self.out_dim - 1)
            yield X, Y

    def sample(self, n: int, rng: np.random.Generator | torch.Generator | int | None = None,
               input_mean: float | Sequence[float] | None = None,
               input_scale: float | Sequence[float] | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        r"""Draw ``n`` i.i.d. pairs ``(x, y)``, optionally from a covariate-shifted input law.

        .. math::

            x \sim \mathcal N(m', s'^2 I), \qquad y \mid x \sim P(y \mid x) \ \text{(unchanged)},

        with :math:`m' = ` ``input_mean`` and :math:`s' = ` ``input_scale`` when given (else the
        training values).

        Draw order (for reproducibility): in chunks of 65536 rows, the standard normal inputs
        (n_chunk x d), then the output noise (n_chunk x K, regression) or one uniform per row
        (classification with T > 0, labels by inverse CDF of the softmax). An int ``rng`` seeds
        a CPU ``torch.Generator`` directly; a numpy Generator (or None) supplies a seed for one;
        a ``torch.Generator`` is used as is, on its own device. Samples are then moved to
        ``self.device``, so a seed gives the same numbers on every device.

        Parameters
        ----------
        n : int
            Number of samples, >= 1; the sample (``n x (in_dim + out_dim)`` numbers) may hold at
            most 10^9 numbers.
        rng : None, int, numpy.random.Generator or torch.Generator
        input_mean : float or sequence of d floats, optional
            Override of the input mean (covariate shift).
        input_scale : float or sequence of d floats, optional
            Override of the input scale, > 0.

        Returns
        -------
        X : torch.Tensor, shape (n, in_dim), ``self.dtype``
        Y : torch.Tensor
            Shape (n, out_dim) and ``self.dtype`` (regression) or (n,) int64 labels
            (classification).

        References
        ----------
        Shimodaira, "Improving predictive inference under covariate shift by weighting the
        log-likelihood function", J. Statist. Plann. Inference 90 (2000) (covariate shift: the
        input law changes, the conditional does not).
        """
        n = as_size(n, "n")
        if n * (self.in_dim + self.out_dim) > MAX_SIZE:
            raise ValueError(f"`n` must be at most {MAX_SIZE // (self.in_dim + self.out_dim)} here: the sample "
                             f"({n} x {self.in_dim} inputs) could not be held in memory; got {n}")
        gen = torch_generator(rng)
        mean, scale = self._moments(input_mean, input_scale, device=gen.device)
        Xs, Ys = [], []
        for X, Y in self._chunks(n, gen, mean, scale):
            Xs.append(X)
            Ys.append(Y)
        return torch.cat(Xs), torch.cat(Ys)

    # -- risks ------------------------------------------------------------------------------

    def bayes_risk(self) -> float:
        r"""The smallest achievable population risk (closed form).

        .. math::

            \text{regression: } \inf_f \mathbb E\lVert f(x) - y\rVert^2 = \sigma^2 K;
            \qquad \text{classification, } T = 0:\ 0 \text{ (an infimum; 0-1 error 0 attained)}.

        The regression value holds under any input law (covariate shift leaves it unchanged).
        For classification with :math:`T > 0` the Bayes cross-entropy is the conditional entropy
        :math:`\mathbb E_x H(\mathrm{softmax}(t(x)/T))`, which has no closed form: use
        :meth:`bayes_risk_estimate`.

        Returns
        -------
        float

        Raises
        ------
        ValueError
            For classification with ``temperature > 0``.

        References
        ----------
        Hastie, Tibshirani, Friedman, *The Elements of Statistical Learning*, 2nd ed. (2009),
        §2.4, eq. (2.13) (the regression function minimises the expected squared error).
        """
        if self.task == "regression":
            return float(self.noise_std ** 2 * self.out_dim)
        if self.temperature == 0:
            return 0.0
        raise ValueError("`temperature` > 0: the classification Bayes risk has no closed form; "
                         "use bayes_risk_estimate()")

    def bayes_risk_estimate(self, n_fresh: int = 20000,
                            rng: np.random.Generator | torch.Generator | int | None = None,
                            input_mean: float | Sequence[float] | None = None,
                            input_scale: float | Sequence[float] | None = None) -> PopulationRisk:
        r"""Bayes risk and Bayes 0-1 error, estimated on fresh inputs (exact where a closed form exists).

        .. math::

            L^* = \mathbb E_x\, H\big(p(\cdot\mid x)\big) = -\mathbb E_x \sum_k p_k(x)
            \log p_k(x), \qquad e^* = \mathbb E_x\big[1 - \max_k p_k(x)\big],\quad
            p(\cdot \mid x) = \mathrm{softmax}(t(x)/T).

        Regression returns ``loss = Measurement(σ² K, 0)`` and ``error=None``; classification
        with T = 0 returns zeros with SE 0.

        Parameters
        ----------
        n_fresh : int, default 20000
            Fresh inputs (>= 2), drawn as in :meth:`sample`.
        rng : None, int, numpy.random.Generator or torch.Generator
        input_mean, input_scale : optional
            Covariate-shift overrides, as in :meth:`sample`.

        Returns
        -------
        PopulationRisk

        References
        ----------
        Cover, Thomas, *Elements of Information Theory*, 2nd ed. (2006), Thm. 2.6.3 / §5.4
        (expected log-loss is minimised by the true conditional, with value the conditional
        entropy); Devroye, Györfi, Lugosi, *A Probabilistic Theory of Pattern Recognition* (1996),
        §2.1 (Bayes error).
        """
        n_fresh = as_size(n_fresh, "n_fresh", low=2)
        if self.task == "regression":
            self._moments(input_mean, input_scale)  # validate overrides
            return PopulationRisk(Measurement(self.bayes_risk(), 0.0), None, n_fresh)
        if self.temperature == 0:
            self._moments(input_mean, input_scale)
            return PopulationRisk(Measurement(0.0, 0.0), Measurement(0.0, 0.0), n_fresh)
        gen = torch_generator(rng)
        mean, scale = self._moments(input_mean, input_scale, device=gen.device)
        t = self.teacher()
        ent, err = [], []
        with torch.no_grad():
            for X, _ in self._chunks(n_fresh, gen, mean, scale, with_y=False):
                logp = torch.log_softmax(t(X).double() / self.temperature, dim=1)
                p = logp.exp()
                ent.append((-(p * logp).sum(dim=1)).cpu())
                err.append((1.0 - p.max(dim=1).values).cpu())
        return PopulationRisk(Measurement.from_samples(torch.cat(ent).numpy()),
                              Measurement.from_samples(torch.cat(err).numpy()), n_fresh)

    def population_risk(self, model: nn.Module, n_fresh: int = 20000,
                        rng: np.random.Generator | torch.Generator | int | None = None,
                        batch_size: int = 8192, input_mean: float | Sequence[float] | None = None,
                        input_scale: float | Sequence[float] | None = None,
                        device: str | torch.device | None = None) -> PopulationRisk:
        r"""Population risk of ``model`` on ``n_fresh`` fresh samples, with standard errors.

        .. math::

            L_\mu(f) = \mathbb E_{(x,y)\sim\mu}\, \ell(f(x), y) \approx
            \frac1N \sum_{i=1}^N \ell(f(x_i), y_i) \pm \frac{s}{\sqrt N}.

        The fresh sample is exactly ``self.sample(n_fresh, rng, input_mean, input_scale)``
        (drawn chunk by chunk so memory stays bounded); ``model`` is evaluated in eval mode and
        under ``torch.no_grad`` on its own device, in batches of ``batch_size``, and left in the
        mode it was in.

        Parameters
        ----------
        model : torch.nn.Module
            Maps (n, in_dim) to (n, out_dim).
        n_fresh : int, default 20000
            Number of fresh samples, >= 2.
        rng : None, int, numpy.random.Generator or torch.Generator
        batch_size : int, default 8192
        input_mean, input_scale : optional
            Covariate-shift overrides (the conditional law of y given x is unchanged).
        device : str, torch.device or None
            ``None``: evaluate on the model's current device; otherwise the model is moved there
            (in place) first.

        Returns
        -------
        PopulationRisk
            ``loss`` (see :func:`loss_fn`) and, for classification, ``error`` (0-1 error).

        Raises
        ------
        ValueError
            If the model's output has the wrong shape or non-finite losses.

        References
        ----------
        Hold-out estimation of risk with a CLT standard error; e.g. Wasserman, *All of
        Statistics* (2004), §6.3; Devroye, Györfi, Lugosi (1996), §8.1 (hold-out error).
        """
        check_model(model, finite=True)
        n_fresh = as_size(n_fresh, "n_fresh", low=2)
        batch_size = as_size(batch_size, "batch_size")
        if device is not None:
            model.to(resolve_device(device))
        gen = torch_generator(rng)
        mean, scale = self._moments(input_mean, input_scale, device=gen.device)
        mdev = module_device(model, default=self.device)
        mdt = module_dtype(model, default=self.dtype)
        clf = self.task == "classification"
        losses, errs = [], []
        with _EvalMode(model):
            for X, Y in self._chunks(n_fresh, gen, mean, scale):
                X = X.to(device=mdev, dtype=mdt)
                Y = Y.to(device=mdev, dtype=mdt) if not clf else Y.to(mdev)
                try:
                    out = _probe_forward(model, X)
                except ValueError:
                    out = None
                if out is None or out.shape[1] != self.out_dim:
                    raise ValueError(f"`model` must map (n, {self.in_dim}) to (n, {self.out_dim}); "
                                     + ("it does not accept such inputs" if out is None
                                        else f"got output shape {tuple(out.shape)}"))
                loss, err = _batched_losses(model, X, Y, self.task, batch_size, errors=clf)
                losses.append(loss)
                if clf:
                    errs.append(err)
        loss_m = Measurement.from_samples(np.concatenate(losses))
        err_m = Measurement.from_samples(np.concatenate(errs)) if clf else None
        return PopulationRisk(loss_m, err_m, n_fresh)


# ---------------------------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TrainResult:
    """What :func:`train` returns (the model itself is trained in place).

    Attributes
    ----------
    train_loss : list of float
        Per epoch, the mean per-sample training loss over that epoch's minibatches, each
        evaluated just before its gradient step (full batch: the loss at the start of the epoch).
    val_loss : list of float or None
        Per epoch, the mean per-sample loss on ``(X_val, Y_val)`` after the epoch.
    epochs : int
    seconds : float
        Wall-clock training time.
    """

    train_loss: list
    val_loss: list | None
    epochs: int
    seconds: float


def train(model: nn.Module, X: torch.Tensor | ArrayLike, Y: torch.Tensor | ArrayLike,
          task: Literal["regression", "classification"], *, epochs: int = 200, lr: float = 1e-3,
          batch_size: int = 64, weight_decay: float = 0.0, optimizer: Literal["adam", "sgd"] = "adam",
          seed: int = 0, device: str | torch.device | None = None, progress: bool = False,
          X_val: torch.Tensor | ArrayLike | None = None, Y_val: torch.Tensor | ArrayLike | None = None,
          momentum: float = 0.0) -> TrainResult:
    r"""Minimise the mean per-sample loss by minibatch Adam or SGD (in place).

    .. math::

        \theta \leftarrow \mathrm{step}\Big(\theta, \nabla_\theta \frac{1}{|B|}
        \sum_{i\in B} \ell(f_\theta(x_i), y_i)\Big), \qquad \text{(plus } \lambda\theta
        \text{ in the gradient for weight decay } \lambda).

    Each epoch visits every sample once, in an order drawn with ``torch.randperm`` from a CPU
    ``torch.Generator`` seeded with ``seed`` (no global random state is read or changed);
    with ``batch_size >= n`` each epoch is one full-batch step (no shuffling). On the CPU the
    result is a deterministic function of the initial weights, the data and ``seed``.

    Parameters
    ----------
    model : torch.nn.Module
        Trained in place (moved to ``device`` when one is given).
    X : tensor or array, shape (n, in_dim)
    Y : tensor or array
        (n, out_dim) targets (regression) or (n,) integer labels (classification).
    task : {"regression", "classification"}
        Selects the loss (:func:`loss_fn`).
    epochs : int, default 200
        >= 0.
    lr : float, default 1e-3
        > 0.
    batch_size : int, default 64
    weight_decay : float, default 0.0
        L2 coefficient passed to the optimizer (coupled weight decay, as in ``torch.optim``).
    optimizer : {"adam", "sgd"}, default "adam"
    seed : int, default 0
    device : str, torch.device or None
        ``None``: the model's current device.
    progress : bool, default False
        Show a tqdm progress bar over epochs.
    X_val, Y_val : optional
        A validation set (both or neither); its loss is recorded after each epoch.
    momentum : float, default 0.0
        SGD momentum in [0, 1).

    Returns
    -------
    TrainResult

    Raises
    ------
    ValueError
        On bad input (including a model with NaN/inf parameters), or when the training loss or
        the trained parameters become non-finite (lower ``lr``).

    References
    ----------
    Kingma, Ba, "Adam: a method for stochastic optimization", ICLR 2015, Algorithm 1;
    Robbins, Monro, "A stochastic approximation method", Ann. Math. Statist. 22 (1951) (SGD).

    Examples
    --------
    Full-batch SGD with ``lr = 0.25`` on one sample :math:`(x, y) = (1, 1)` for :math:`f(x) = wx`,
    from :math:`w = 0`: the loss :math:`(w - 1)^2` has gradient :math:`2(w - 1)`, so
    :math:`w \leftarrow w + (1 - w)/2` gives :math:`w = 0.5, 0.75, 0.875` and the recorded losses
    (before each step) are ``1, 0.25, 0.0625``.

    >>> import torch
    >>> from theory.testbeds.nets import make_mlp, train
    >>> net = make_mlp(1, [], 1, bias=False, seed=0, dtype=torch.float64)
    >>> with torch.no_grad():
    ...     _ = net[0].weight.zero_()
    >>> res = train(net, [[1.0]], [[1.0]], "regression", epochs=3, lr=0.25, optimizer="sgd")
    >>> res.train_loss, net[0].weight.item()
    ([1.0, 0.25, 0.0625], 0.875)
    """
    check_model(model, finite=True)
    check_in(task, "task", TASKS)
    epochs = as_size(epochs, "epochs", low=0)
    lr = as_float(lr, "lr", low=0.0, low_open=True)
    batch_size = as_size(batch_size, "batch_size")
    weight_decay = check_nonnegative(weight_decay, "weight_decay")
    check_in(optimizer, "optimizer", ("adam", "sgd"))
    seed = as_int(seed, "seed", low=0, high=2**64 - 1)
    momentum = as_float(momentum, "momentum", low=0.0, high=1.0, high_open=True)
    check_bool(progress, "progress")
    if (X_val is None) != (Y_val is None):
        raise ValueError("`X_val` and `Y_val` must be given together")
    if device is not None:
        model.to(resolve_device(device))
    X, Y = _prepare_xy(model, X, Y, task)
    n = X.shape[0]
    if n < 1:
        raise ValueError("`X` must hold at least 1 sample")
    if X_val is not None:
        X_val, Y_val = _prepare_xy(model, X_val, Y_val, task, "X_val", "Y_val")
        if X_val.shape[0] < 1:
            raise ValueError("`X_val` must hold at least 1 sample")
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        raise ValueError("`model` has no trainable parameters")
    if optimizer == "adam":
        opt = torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)
    else:
        opt = torch.optim.SGD(params, lr=lr, weight_decay=weight_decay, momentum=momentum)
    lf = loss_fn(task)
    gen = torch.Generator().manual_seed(seed)
    full = batch_size >= n
    train_loss: list[float] = []
    val_loss: list[float] | None = [] if X_val is not None else None
    it = range(epochs)
    if progress:
        from tqdm.auto import tqdm
        it = tqdm(it, desc="train", unit="epoch")
    was_training = model.training
    t0 = time.perf_counter()
    try:
        for epoch in it:
            model.train()
            total = 0.0
            if full:
                batches = [None]
            else:
                perm = torch.randperm(n, generator=gen).to(X.device)
                batches = [perm[s:s + batch_size] for s in range(0, n, batch_size)]
            for idx in batches:
                xb, yb = (X, Y) if idx is None else (X[idx], Y[idx])
                opt.zero_grad(set_to_none=True)
                loss = lf(model(xb), yb).mean()
                val = float(loss.detach())
                if not math.isfinite(val):
                    raise ValueError(f"training diverged (non-finite loss at epoch {epoch}); lower `lr`")
                loss.backward()
                opt.step()
                total += val * xb.shape[0]
            train_loss.append(total / n)
            if val_loss is not None:
                model.eval()
                lv, _ = _batched_losses(model, X_val, Y_val, task, 8192)
                val_loss.append(float(lv.mean()))
            if progress:
                it.set_postfix(loss=f"{train_loss[-1]:.4g}")
    finally:
        if progress:
            it.close()
        model.train(was_training)
    if epochs and not all(bool(torch.isfinite(p.detach()).all()) for p in params):
        raise ValueError("training diverged (the last step left non-finite parameters); lower `lr` "
                         "or `weight_decay`")
    return TrainResult(train_loss=train_loss, val_loss=val_loss, epochs=epochs,
                       seconds=time.perf_counter() - t0)


# ---------------------------------------------------------------------------------------------
# Training many nets at once
# ---------------------------------------------------------------------------------------------

def _mlp_plan(model, k: int) -> tuple[tuple, list]:
    """(signature, steps) of a Sequential MLP: ``steps`` lists ("linear", layer) / ("act", module).

    The signature (module reprs, parameter dtypes, devices and ``requires_grad`` flags) must be the
    same for every member of :func:`train_many`.
    """
    name = f"models[{k}]"
    if not isinstance(model, nn.Sequential):
        raise ValueError(f"`models` must hold torch.nn.Sequential MLPs as built by make_mlp; `{name}` is a "
                         f"{type(model).__name__}")
    acts = tuple(ACTIVATIONS.values())
    steps, width = [], None
    for i, m in enumerate(model):
        if type(m) is nn.Linear:
            if width is not None and m.in_features != width:
                raise ValueError(f"`models`: layer {i} of `{name}` takes {m.in_features} inputs but the layer "
                                 f"before gives {width}")
            width = m.out_features
            steps.append(("linear", m))
        elif type(m) in acts:
            steps.append(("act", m))
        else:
            raise ValueError(f"`models` must hold MLPs of Linear layers and elementwise activations "
                             f"({', '.join(a.__name__ for a in acts)}); module {i} of `{name}` is "
                             f"{type(m).__name__}")
    if width is None:
        raise ValueError(f"`models`: `{name}` has no Linear layer")
    if any(True for _ in model.buffers()):
        raise ValueError(f"`models`: `{name}` holds buffers; only Linear layers and activations are supported")
    params = list(model.parameters())
    if not any(p.requires_grad for p in params):
        raise ValueError(f"`models`: `{name}` has no trainable parameters")
    sig = (tuple(repr(m) for m in model),
           tuple((p.dtype, p.device, p.requires_grad) for p in params))
    return sig, steps


def _check_models(models) -> list:
    if isinstance(models, nn.Module) or not isinstance(models, Sequence) or isinstance(models, (str, bytes)):
        raise ValueError(f"`models` must be a list of torch.nn.Sequential MLPs; got {type(models).__name__}")
    models = list(models)
    if not models:
        raise ValueError("`models` must hold at least one model")
    if len({id(m) for m in models}) != len(models):
        raise ValueError("`models` must hold distinct model objects (one per member); the same model appears twice")
    plans, sig0 = [], None
    for k, m in enumerate(models):
        check_model(m, f"models[{k}]", finite=True)
        sig, steps = _mlp_plan(m, k)
        if sig0 is None:
            sig0 = sig
        elif sig != sig0:
            raise ValueError(f"`models` must share one architecture (layers, activations, dtype, device, "
                             f"trainable parameters); `models[{k}]` differs from `models[0]`: "
                             f"{list(sig[0])} vs {list(sig0[0])}")
        plans.append(steps)
    n_par = sum(1 for m in models for _ in m.parameters())
    if len({id(p) for m in models for p in m.parameters()}) != n_par:
        raise ValueError("`models` must not share parameters between members")
    return plans


def _check_index(index, M: int, N: int, device) -> torch.Tensor:
    if isinstance(index, torch.Tensor):
        idx = index.detach()
    else:
        try:
            idx = torch.as_tensor(np.asarray(index))
        except (TypeError, ValueError, RuntimeError, OverflowError):
            raise ValueError("`index` must be an integer array of shape (M, n)") from None
    if idx.dtype == torch.bool or idx.is_floating_point() or idx.is_complex():
        raise ValueError(f"`index` must hold integer row indices into `X`; got dtype {idx.dtype}")
    if idx.ndim != 2 or idx.shape[0] != M:
        raise ValueError(f"`index` must have shape ({M}, n): one row of training-set indices per model; "
                         f"got shape {tuple(idx.shape)}")
    if idx.shape[1] < 1:
        raise ValueError("`index` must hold at least 1 index per row")
    if idx.numel() > MAX_SIZE:
        raise ValueError(f"`index` must hold at most {MAX_SIZE} entries; got {idx.numel()}")
    lo, hi = int(idx.min()), int(idx.max())
    if lo < 0 or hi >= N:
        raise ValueError(f"`index` entries must lie in [0, {N - 1}] (rows of `X`); got values in [{lo}, {hi}]")
    return idx.to(device=device, dtype=torch.long)


def _member_losses(task):
    """(M, B, K) outputs, (M, B[, K]) targets -> (M,) mean per-sample losses (as ``loss_fn(task)``)."""
    if task == "regression":
        def f(out, y):
            return ((out - y) ** 2).sum(dim=2).mean(dim=1)
    else:
        def f(out, y):
            M, B, K = out.shape
            return torch.nn.functional.cross_entropy(out.reshape(M * B, K), y.reshape(M * B),
                                                     reduction="none").reshape(M, B).mean(dim=1)
    return f


def _check_masks(masks, models) -> list:
    """The parameter names ``masks`` covers (validated against ``models``), or [] for None."""
    if masks is None:
        return []
    if isinstance(masks, Mapping) or not isinstance(masks, Sequence):
        raise ValueError(f"`masks` must be a sequence of {len(models)} mappings (one per model) or None")
    if len(masks) != len(models):
        raise ValueError(f"`masks` must hold {len(models)} mappings (one per model); got {len(masks)}")
    names = set()
    for k, (mk, model) in enumerate(zip(masks, models)):
        if not isinstance(mk, Mapping):
            raise ValueError(f"`masks[{k}]` must be a mapping of parameter names to 0/1 tensors")
        params = dict(model.named_parameters())
        for nm, v in mk.items():
            if nm not in params:
                raise ValueError(f"`masks[{k}]` names {nm!r}, not a parameter of the model; "
                                 f"parameters: {sorted(params)}")
            t = torch.as_tensor(v)
            if tuple(t.shape) != tuple(params[nm].shape):
                raise ValueError(f"`masks[{k}][{nm!r}]` must have shape {tuple(params[nm].shape)}; "
                                 f"got {tuple(t.shape)}")
            if not bool(((t == 0) | (t == 1)).all()):
                raise ValueError(f"`masks[{k}][{nm!r}]` must hold only 0 and 1")
            names.add(nm)
    return sorted(names)


def train_many(models: Sequence[nn.Sequential], X: torch.Tensor | ArrayLike, Y: torch.Tensor | ArrayLike,
               index: torch.Tensor | ArrayLike, task: Literal["regression", "classification"], *,
               epochs: int = 200, lr: float = 1e-3, batch_size: int = 64, weight_decay: float = 0.0,
               optimizer: Literal["adam", "sgd"] = "adam", seeds: Sequence[int],
               device: str | torch.device | None = None, momentum: float = 0.0,
               masks: Sequence[Mapping[str, torch.Tensor]] | None = None) -> list:
    r"""Train M identically shaped MLPs at once, member ``k`` on ``(X[index[k]], Y[index[k]])`` (in place).

    Member :math:`k` follows exactly the recipe of :func:`train` with ``seed=seeds[k]``:

    .. math::

        \theta_k \leftarrow \mathrm{step}_k\Big(\theta_k, \nabla_{\theta_k} \frac{1}{|B_k|}
        \sum_{i\in B_k} \ell(f_{\theta_k}(x_i), y_i)\Big), \qquad k = 1, \dots, M,

    with epoch orders ``torch.randperm(n, generator=torch.Generator().manual_seed(seeds[k]))``
    (one CPU generator per member, advanced once per epoch; full batch without shuffling when
    ``batch_size >= n``), batches ``perm[s:s + batch_size]`` and per-member Adam or SGD state
    (coupled weight decay, momentum) as in ``torch.optim``. The members are stacked: weights
    of shape (M, out, in), biases (M, out), a batched forward pass (``torch.baddbmm``) on the
    gathered batches of shape (M, B, in_dim), and one optimizer over the stacked tensors (Adam
    and SGD act elementwise, so stacking changes nothing). The loss minimised is the sum over
    members of each member's mean batch loss, whose gradient with respect to
    :math:`\theta_k` is member :math:`k`'s own. Each trained model equals the same model
    trained alone by ``train(model, X[index[k]], Y[index[k]], task, ..., seed=seeds[k])`` up to
    floating-point rounding (the batched matrix products sum in another order).

    Parameters
    ----------
    models : sequence of torch.nn.Sequential
        M distinct MLPs of one architecture, as built by :func:`make_mlp`: ``nn.Linear``
        layers and the activations of :data:`ACTIVATIONS` (applied elementwise), same dtype
        and device. Trained in place (moved to ``device`` when one is given); on an error
        their parameters are left unchanged.
    X : tensor or array, shape (N, in_dim)
        The pool of inputs all training sets are drawn from.
    Y : tensor or array
        (N, out_dim) targets (regression) or (N,) integer labels (classification).
    index : int array or tensor, shape (M, n)
        Row ``k`` holds the indices into ``X``/``Y`` of member ``k``'s training set (in
        order; repeats allowed). All members have the same ``n``.
    task : {"regression", "classification"}
    epochs : int, default 200
    lr : float, default 1e-3
    batch_size : int, default 64
    weight_decay : float, default 0.0
    optimizer : {"adam", "sgd"}, default "adam"
    seeds : sequence of M ints
        Member ``k``'s shuffling seed (the ``seed`` of :func:`train`).
    device : str, torch.device or None
        ``None``: the models' current device. The epoch orders are drawn on the CPU in
        either case.
    momentum : float, default 0.0
        SGD momentum in [0, 1).
    masks : sequence of M mappings, optional
        Masked training (fine-tuning of a pruned net): ``masks[k]`` maps parameter names of
        ``models[k].named_parameters()`` to 0/1 tensors of the parameter's shape. Masked
        gradients are zeroed before each step and the masked entries are reset to zero after it,
        so they stay zero (with weight decay as well); parameters not named are trained as usual.

    Returns
    -------
    list of torch.nn.Sequential
        ``models`` (the same objects), trained.

    Raises
    ------
    ValueError
        On bad input (naming the argument; a non-finite or non-MLP model, mismatched
        architectures, ``index`` out of range or of the wrong shape, ``len(seeds) != M``), or
        when a member's training loss or trained parameters become non-finite (lower ``lr``).

    References
    ----------
    Kingma, Ba, "Adam: a method for stochastic optimization", ICLR 2015, Algorithm 1;
    Robbins, Monro, "A stochastic approximation method", Ann. Math. Statist. 22 (1951) (SGD).
    The stacking of independent members into batched matrix products is the "vectorised
    ensemble" of e.g. ``torch.func.stack_module_state`` / ``vmap``.

    Examples
    --------
    Two members of :math:`f(x) = wx` from :math:`w = 0`, full-batch SGD with ``lr = 0.25`` on
    :math:`(1, 1)` and :math:`(1, 3)`: :math:`w \leftarrow w + (y - w)/2` gives ``0.875`` and
    ``1.5, 2.25, 2.625`` after three steps, as :func:`train` would for each alone.

    >>> import torch
    >>> from theory.testbeds.nets import make_mlp, train_many
    >>> nets = [make_mlp(1, [], 1, bias=False, seed=k, dtype=torch.float64) for k in range(2)]
    >>> with torch.no_grad():
    ...     _ = [net[0].weight.zero_() for net in nets]
    >>> _ = train_many(nets, [[1.0], [1.0]], [[1.0], [3.0]], [[0], [1]], "regression",
    ...                epochs=3, lr=0.25, optimizer="sgd", seeds=[0, 1])
    >>> [round(net[0].weight.item(), 12) for net in nets]
    [0.875, 2.625]
    """
    plans = _check_models(models)
    models = list(models)
    M = len(models)
    check_in(task, "task", TASKS)
    epochs = as_size(epochs, "epochs", low=0)
    lr = as_float(lr, "lr", low=0.0, low_open=True)
    batch_size = as_size(batch_size, "batch_size")
    weight_decay = check_nonnegative(weight_decay, "weight_decay")
    check_in(optimizer, "optimizer", ("adam", "sgd"))
    momentum = as_float(momentum, "momentum", low=0.0, high=1.0, high_open=True)
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, (Sequence, np.ndarray, torch.Tensor)):
        raise ValueError(f"`seeds` must be a sequence of {M} ints (one per model); got {type(seeds).__name__}")
    seeds = [as_int(s.item() if isinstance(s, (np.ndarray, torch.Tensor)) and s.ndim == 0 else s, "seeds",
                    low=0, high=2**64 - 1) for s in seeds]
    if len(seeds) != M:
        raise ValueError(f"`seeds` must hold {M} seeds (one per model); got {len(seeds)}")
    dev = resolve_device(device) if device is not None else module_device(models[0])
    mask_names = _check_masks(masks, models)
    X, Y = _prepare_xy(models[0], X, Y, task)  # checked where the models are; moved below
    N = X.shape[0]
    if N < 1:
        raise ValueError("`X` must hold at least 1 sample")
    idx = _check_index(index, M, N, dev)
    n = idx.shape[1]
    full = batch_size >= n
    B = n if full else batch_size
    widest = max(max(s[1].in_features, s[1].out_features) for s in plans[0] if s[0] == "linear")
    if M * B * widest > MAX_SIZE:
        raise ValueError(f"`batch_size`: a batch of {M} x {B} samples through layers {widest} wide "
                         f"({M * B * widest} activations) cannot be held in memory; at most {MAX_SIZE}")
    X = X.to(dev)
    Yt = Y.reshape(N, -1).to(dev) if task == "regression" else Y.long().to(dev)
    if device is not None:
        for m in models:
            m.to(dev)

    # Stacked leaf tensors, in each model's parameters() order; a frozen parameter stays a constant.
    per_model = [list(m.parameters()) for m in models]
    stacked = [torch.stack([ps[j].detach().to(dev) for ps in per_model]).requires_grad_(p0.requires_grad)
               for j, p0 in enumerate(per_model[0])]
    pos = {id(p): j for j, p in enumerate(per_model[0])}
    keep = {}   # position in `stacked` -> (M, ...) 0/1 tensor
    if mask_names:
        names = [nm for nm, _ in models[0].named_parameters()]
        for nm in mask_names:
            j = names.index(nm)
            keep[j] = torch.stack([torch.as_tensor(mk[nm], dtype=stacked[j].dtype).to(dev) if nm in mk
                                   else torch.ones_like(stacked[j][0]) for mk in masks])
        with torch.no_grad():
            for j, mk in keep.items():
                stacked[j].mul_(mk)
    layers = []  # ("linear", W (M, out, in), b (M, out) or None) / ("act", module, None)
    for kind, mod in plans[0]:
        if kind == "linear":
            W = stacked[pos[id(mod.weight)]]
            b = stacked[pos[id(mod.bias)]] if mod.bias is not None else None
            layers.append(("linear", W, b))
        else:
            layers.append(("act", mod, None))
    trainable = [t for t in stacked if t.requires_grad]
    if optimizer == "adam":
        # The fused kernel does Adam's elementwise update in one pass over the stacked tensors (the
        # same arithmetic as the default per-tensor loop up to rounding, several times faster).
        opt = torch.optim.Adam(trainable, lr=lr, weight_decay=weight_decay,
                               fused=True if dev.type in ("cpu", "cuda") else None)
    else:
        opt = torch.optim.SGD(trainable, lr=lr, weight_decay=weight_decay, momentum=momentum)
    lf = _member_losses(task)

    def forward(h):
        for kind, a, b in layers:
            if kind == "linear":
                Wt = a.transpose(1, 2)
                h = torch.bmm(h, Wt) if b is None else torch.baddbmm(b.unsqueeze(1), h, Wt)
            else:
                h = a(h)
        return h

    gens = [torch.Generator().manual_seed(s) for s in seeds]
    starts = [None] if full else list(range(0, n, batch_size))
    if full:
        Xfull, Yfull = X[idx], Yt[idx]
    for epoch in range(epochs):
        losses = []
        if not full:
            perm = torch.stack([torch.randperm(n, generator=g) for g in gens]).to(dev)
            gidx = torch.gather(idx, 1, perm)
        for s in starts:
            if s is None:
                xb, yb = Xfull, Yfull
            else:
                rows = gidx[:, s:s + batch_size]
                flat = rows.reshape(-1)
                xb = X.index_select(0, flat).reshape(M, -1, X.shape[1])
                yb = Yt.index_select(0, flat).reshape(M, -1, *Yt.shape[1:])
            opt.zero_grad(set_to_none=True)
            loss = lf(forward(xb), yb)
            losses.append(loss.detach())
            loss.sum().backward()
            if keep:
                for j, mk in keep.items():
                    if stacked[j].grad is not None:
                        stacked[j].grad.mul_(mk)
            opt.step()
            if keep:
                with torch.no_grad():
                    for j, mk in keep.items():
                        stacked[j].mul_(mk)
        bad = ~torch.isfinite(torch.stack(losses)).all(dim=0)
        if bool(bad.any()):
            k = int(bad.nonzero()[0, 0])
            raise ValueError(f"training diverged (non-finite loss for member {k} at epoch {epoch}); lower `lr`")
    with torch.no_grad():
        if epochs:
            finite = torch.stack([torch.isfinite(t.reshape(M, -1)).all(dim=1) for t in stacked]).all(dim=0)
            if not bool(finite.all()):
                k = int((~finite).nonzero()[0, 0])
                raise ValueError(f"training diverged (the last step left non-finite parameters in member {k}); "
                                 "lower `lr` or `weight_decay`")
        for k, ps in enumerate(per_model):
            for p, t in zip(ps, stacked):
                p.copy_(t[k])
    return models
