"""Data-dependent coresets for network compression: empirical sensitivity and CoreNet.

CoreNet (Baykal, Liebenwein, Gilitschenski, Feldman, Rus, "Data-dependent coresets for
compressing neural networks with applications to generalization bounds", ICLR 2019) sparsifies
the incoming weights of every neuron by importance sampling. For neuron :math:`i` of a layer with
input activations :math:`a(x) \\ge 0` and the incoming edges :math:`\\mathcal W` of one sign,

.. math::

    g_j(x) = \\frac{w_{ij} a_j(x)}{\\sum_{k\\in\\mathcal W} w_{ik} a_k(x)},\\qquad
    s_j = \\max_{x\\in S} g_j(x),\\qquad q_j = \\frac{s_j}{\\sum_k s_k},\\qquad
    \\hat w_{ij} = \\frac{w_{ij}\\, c_j}{m\\, q_j},

where :math:`c_j` counts how often edge :math:`j` was drawn in :math:`m` i.i.d. draws from
:math:`q`. Positive and negative weights are sparsified separately,
:math:`\\hat w = \\mathrm{Sp}(W^+) - \\mathrm{Sp}(-W^-)`; every function here is vectorized over
the neurons of a layer (no Python loop per neuron).

What was verified, and how (THEORY.md §8 marks the constants [verify])
--------------------------------------------------------------------------
The text of the paper could not be read from this project's library (only its abstract). What
was checked against public code:

- the empirical sensitivity, the sign split, the treatment of signed inputs (a layer whose inputs
  take negative values is fed the stacked non-negative parts :math:`[a^+; a^-]` as separate
  points) and the convention that a zero denominator gives :math:`g = 0` follow the authors'
  released successor code (``lucaslie/torchprune``, ``method/base_sens/base_sens_tracker.py``:
  ``_adapt_activations``, ``_process_denominator``, ``_compute_g_sens_f``);
- the formulas :math:`\\varepsilon' = \\varepsilon / (2(L-1))`, :math:`\\lambda_* =
  \\log(\\eta\\eta^*)/2`, :math:`\\kappa = \\sqrt{2\\lambda_*}(1 + \\sqrt{2\\lambda_*}
  \\log(8\\eta\\eta^*/\\delta))`, :math:`\\Delta^\\ell = \\max_i \\mathrm{mean}_{x\\in S}
  \\sum_k|w_{ik}a_k| / |\\sum_k w_{ik}a_k| + \\kappa` and :math:`m = \\lceil 8 S K
  \\log(8\\eta/\\delta)/\\varepsilon_\\ell^2 \\rceil` agree with an independent third-party
  reimplementation of the paper (``ks-korovina/coresets_compression``, ``corenet.py``), which
  however substitutes :math:`\\log(\\eta\\eta^*)` for the constants :math:`K` and :math:`K'`.

So the *structure* of every formula is corroborated by two code bases, but the values of the
constants :math:`K, K'` of the paper's Assumption 1 (distribution-dependent) are not; they are
named arguments here with the illustrative default 2 ("constant as recalled; see THEORY.md").

Extensions of this project (not in the paper, said where they are used): every layer is
sparsified, including the first one on signed inputs (via the :math:`[a^+; a^-]` split above), so
:math:`\\varepsilon' = \\varepsilon/(2 L_s)` with :math:`L_s` the number of sparsified layers
(the paper sparsifies :math:`L_s = L - 1` layers); biases are kept exactly and enter
:math:`\\Delta` as an edge with constant activation 1; a *budget* mode picks the one global
:math:`\\varepsilon` whose sample sizes keep a target fraction of the weights, because the
theoretical sample size is larger than the number of edges for any useful :math:`\\varepsilon`.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import numpy as np
import torch
from scipy.special import gammaln
from torch import nn

from ._checks import as_array, as_float, as_int, check_in, check_positive, check_probability, check_rng
from .claims import Claim, Measurement, register
from ._torch import linear_layers, resolve_device

__all__ = [
    "VARIANTS",
    "EmpiricalSensitivity",
    "CoreNetConstants",
    "DeltaTerms",
    "SparsifiedLayer",
    "CoreNetResult",
    "CompressedModel",
    "GuaranteeCheck",
    "CompressionBound",
    "empirical_sensitivity",
    "corenet_constants",
    "corenet_sample_size",
    "delta_terms",
    "sparsify_layer",
    "layer_inputs",
    "corenet",
    "uniform_sparsify",
    "magnitude_prune",
    "truncated_svd",
    "relative_output_error",
    "guarantee_failure",
    "margin_loss",
    "quantize_weights",
    "compression_bound",
    "CORESET_GUARANTEE_PAIRS",
    "CORESET_GUARANTEE_INPUTS",
    "CORESET_COMPRESSION_BOUND",
    "CORESET_BEATS_UNIFORM",
]

VARIANTS = ("corenet", "plus", "plusplus")
ALLOCATIONS = ("theory", "layerwise")

# Largest sample size drawn literally; numpy's multinomial takes int64 counts.
_MAX_SAMPLES = 2 ** 62

BAYKAL = ("Baykal, Liebenwein, Gilitschenski, Feldman, Rus, ICLR 2019, \"Data-dependent coresets "
          "for compressing neural networks with applications to generalization bounds\"")


# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class EmpiricalSensitivity:
    """Empirical sensitivities of the incoming edges of every neuron of one layer.

    Attributes
    ----------
    sensitivity : ndarray (out, in)
        :math:`s_{ij}` in [0, 1], relative to the edge's sign group (0 for zero weights).
    positive : ndarray (out, in) of bool
        Whether edge :math:`(i, j)` belongs to the positive group (``w_ij > 0``).
    total_positive, total_negative : ndarray (out,)
        :math:`S^\\pm_i = \\sum_{j \\in \\mathcal W^\\pm} s_{ij}`; each is 0 or >= 1.
    n_points : int
        Number of (non-negative) activation vectors the maxima were taken over.
    """

    sensitivity: np.ndarray
    positive: np.ndarray
    total_positive: np.ndarray
    total_negative: np.ndarray
    n_points: int


@dataclass(frozen=True)
class CoreNetConstants:
    """Network-level constants of CoreNet (THEORY.md §8).

    Attributes
    ----------
    eta : int
        Total number of neurons :math:`\\eta`.
    eta_star : int
        Maximum width :math:`\\eta^*`.
    lambda_star : float
        :math:`\\lambda_* = \\log(\\eta\\eta^*)/2`.
    kappa : float
        :math:`\\kappa = \\sqrt{2\\lambda_*}(1 + \\sqrt{2\\lambda_*}\\log(8\\eta\\eta^*/\\delta))`.
    s_size : int
        Required size of the input sample, :math:`\\lceil K' \\log(8\\eta\\eta^*/\\delta)\\rceil`.
    """

    eta: int
    eta_star: int
    lambda_star: float
    kappa: float
    s_size: int


@dataclass(frozen=True)
class DeltaTerms:
    """The error-amplification terms :math:`\\Delta^\\ell` and :math:`\\Delta^\\ell_\\to`.

    Attributes
    ----------
    delta_hat : ndarray (L,)
        :math:`\\max_i \\mathrm{mean}_{x\\in S} \\Delta_i(x)` per layer (without :math:`\\kappa`).
    kappa : float
    delta : ndarray (L,)
        :math:`\\Delta^\\ell = \\hat\\Delta^\\ell + \\kappa`.
    delta_forward : ndarray (L,)
        :math:`\\Delta^\\ell_\\to = \\prod_{k \\ge \\ell} \\Delta^k`.
    """

    delta_hat: np.ndarray
    kappa: float
    delta: np.ndarray
    delta_forward: np.ndarray


@dataclass(frozen=True)
class SparsifiedLayer:
    """Output of :func:`sparsify_layer`.

    Attributes
    ----------
    weight : ndarray (out, in)
        :math:`\\hat W = \\mathrm{Sp}(W^+) - \\mathrm{Sp}(-W^-)`.
    samples_positive, samples_negative : ndarray (out,) of int
        Number of i.i.d. draws per neuron and sign group.
    sensitivity : EmpiricalSensitivity
    """

    weight: np.ndarray
    samples_positive: np.ndarray
    samples_negative: np.ndarray
    sensitivity: EmpiricalSensitivity

    @property
    def nonzero(self) -> int:
        """Number of non-zero entries of :attr:`weight`."""
        return int(np.count_nonzero(self.weight))


@dataclass(frozen=True)
class CoreNetResult:
    """Output of :func:`corenet`.

    Attributes
    ----------
    model : torch.nn.Sequential
        The sparsified network (a copy; the input model is untouched).
    variant : str
    mode : {"eps", "budget"}
    eps : float
        The accuracy the theorem certifies for the sample sizes used: in ``"eps"`` mode the
        requested :math:`\\varepsilon`; in budget mode the smallest :math:`\\varepsilon` whose
        theoretical sample sizes do not exceed the ones drawn (``inf`` if some neuron got none).
    delta : float
    eps_layers : ndarray (L,)
        Per-layer accuracy :math:`\\varepsilon_\\ell = \\varepsilon/(2 L_s \\Delta^\\ell_\\to)`.
    theoretical_samples : list of ndarray (out_l, 2)
        Sample sizes the theorem asks for at ``eps`` (positive, negative group); float, may be huge.
    samples : list of ndarray (out_l, 2)
        Sample sizes actually drawn.
    delta_terms : DeltaTerms
    constants : CoreNetConstants
    nonzero_weights, total_weights : int
        Non-zero and total weight entries of the Linear layers (biases excluded).
    pruned_neurons : list of int
        Hidden neurons removed per layer (CoreNet+ and CoreNet++; zeros for CoreNet).
    """

    model: nn.Sequential
    variant: str
    mode: str
    eps: float
    delta: float
    eps_layers: np.ndarray
    theoretical_samples: list
    samples: list
    delta_terms: DeltaTerms
    constants: CoreNetConstants
    nonzero_weights: int
    total_weights: int
    pruned_neurons: list

    @property
    def kept_fraction(self) -> float:
        """``nonzero_weights / total_weights``."""
        return self.nonzero_weights / self.total_weights

    @property
    def theoretical_kept_fraction(self) -> float:
        """Fraction of weights the theoretical sample sizes would touch at most (capped at 1)."""
        tot = sum(float(np.minimum(np.sum(t), 1e300)) for t in self.theoretical_samples)
        return min(1.0, tot / self.total_weights)


@dataclass(frozen=True)
class CompressedModel:
    """A compressed network and the number of parameters it needs to be stored.

    Attributes
    ----------
    model : torch.nn.Sequential
    n_params : int
        Parameters of the compressed representation (non-zero weights, or the factors of a
        low-rank layer, plus biases).
    n_params_original : int
    kept_weights : int
        Weight entries of the compressed representation (biases excluded).
    total_weights : int
    """

    model: nn.Sequential
    n_params: int
    n_params_original: int
    kept_weights: int
    total_weights: int

    @property
    def kept_fraction(self) -> float:
        """``kept_weights / total_weights``."""
        return self.kept_weights / self.total_weights


@dataclass(frozen=True)
class GuaranteeCheck:
    """Failures of :math:`\\hat f(x) \\in (1\\pm\\varepsilon) f(x)` on fresh inputs.

    Attributes
    ----------
    pair_failure : Measurement
        Fraction of (input, output unit) pairs with :math:`|\\hat f_k(x) - f_k(x)| >
        \\varepsilon |f_k(x)|`, with the standard error of a mean over inputs.
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
    """Compression-based generalization bound (see :func:`compression_bound`).

    Attributes
    ----------
    bound : float
        Upper bound on the population 0-1 error of the compressed (quantized) network.
    empirical_risk : float
    complexity : float
        :math:`\\sqrt{(\\log N + \\log(1/\\delta))/(2n)}`.
    log_class_size : float
        :math:`\\log N` in nats.
    """

    bound: float
    empirical_risk: float
    complexity: float
    log_class_size: float


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------

def _weight_array(weight, name="weight") -> np.ndarray:
    if isinstance(weight, torch.Tensor):
        weight = weight.detach().cpu().double().numpy()
    return as_array(weight, name, ndim=2)


def _activation_array(activations, in_dim, name="activations") -> np.ndarray:
    if isinstance(activations, torch.Tensor):
        activations = activations.detach().cpu().double().numpy()
    return as_array(activations, name, ndim=2, shape=(None, in_dim))


def _nonnegative_points(a: np.ndarray) -> np.ndarray:
    """Stack the positive and negative parts as separate points when ``a`` has negative entries."""
    if np.all(a >= 0):
        return a
    return np.concatenate([np.maximum(a, 0.0), np.maximum(-a, 0.0)], axis=0)


def _check_sequential(model) -> list[nn.Module]:
    if not isinstance(model, nn.Module):
        raise ValueError(f"`model` must be a torch.nn.Module; got {type(model).__name__}")
    mods = list(model.children()) if isinstance(model, nn.Sequential) else None
    if not mods or not isinstance(mods[0], nn.Linear) or not isinstance(mods[-1], nn.Linear):
        raise ValueError("`model` must be an nn.Sequential of Linear layers and elementwise "
                         "activations that starts and ends with a Linear layer (see make_mlp)")
    for m in mods:
        if isinstance(m, nn.Sequential) or (not isinstance(m, nn.Linear) and any(True for _ in m.parameters())):
            raise ValueError("`model` must hold only Linear layers and parameter-free activations")
    return mods


def _model_device(model) -> torch.device:
    for p in model.parameters():
        return p.device
    return torch.device("cpu")


def _as_input_tensor(inputs, model, name="inputs") -> torch.Tensor:
    lin = linear_layers(model)[0]
    dev, dt = lin.weight.device, lin.weight.dtype
    if not isinstance(inputs, torch.Tensor):
        inputs = torch.as_tensor(as_array(inputs, name, ndim=2))
    if inputs.ndim != 2 or inputs.shape[1] != lin.in_features:
        raise ValueError(f"`{name}` must have shape (n, {lin.in_features}); got {tuple(inputs.shape)}")
    if inputs.shape[0] < 1:
        raise ValueError(f"`{name}` must hold at least 1 input")
    if not bool(torch.isfinite(inputs).all()):
        raise ValueError(f"`{name}` must be finite (no NaN or inf)")
    return inputs.to(device=dev, dtype=dt)


def _prepare_model(model, device):
    _check_sequential(model)
    if device is not None:
        dev = resolve_device(device)
        model = copy.deepcopy(model).to(dev)
    return model


def layer_inputs(model, inputs, device=None) -> list[np.ndarray]:
    """Inputs :math:`a^{\\ell-1}(x)` of every Linear layer of ``model`` on ``inputs``.

    .. math::

        a^0(x) = x,\\qquad a^\\ell(x) = \\sigma(W^\\ell a^{\\ell-1}(x) + b^\\ell),\\quad
        \\ell = 1, \\dots, L-1.

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
    Baykal et al., ICLR 2019, §2 (notation :math:`a^{\\ell-1}(x)`).
    """
    model = _prepare_model(model, device)
    X = _as_input_tensor(inputs, model)
    out = []
    with torch.no_grad():
        h = X
        for m in model.children():
            if isinstance(m, nn.Linear):
                out.append(h.detach().cpu().double().numpy())
            h = m(h)
    return out


# ---------------------------------------------------------------------------------------------
# Sensitivity and the constants of the theorem
# ---------------------------------------------------------------------------------------------

def empirical_sensitivity(weight, activations) -> EmpiricalSensitivity:
    """Empirical sensitivity of every incoming edge of every neuron, per sign group.

    .. math::

        g_{ij}(x) = \\frac{w_{ij} a_j(x)}{\\sum_{k \\in \\mathcal W^\\pm_i} w_{ik} a_k(x)},
        \\qquad s_{ij} = \\max_{x \\in S} g_{ij}(x),\\qquad
        S^\\pm_i = \\sum_{j \\in \\mathcal W^\\pm_i} s_{ij},

    with :math:`\\mathcal W^+_i = \\{j: w_{ij} > 0\\}`, :math:`\\mathcal W^-_i = \\{j: w_{ij} <
    0\\}` (for the negative group the weights enter as :math:`|w_{ij}|`), and :math:`g = 0` where
    the denominator vanishes. Then :math:`0 \\le s_{ij} \\le 1` and :math:`S^\\pm_i \\ge 1`
    unless the group's products vanish on all of :math:`S` (then :math:`S^\\pm_i = 0`).
    Activations with negative entries (the first layer on raw inputs) are replaced by the points
    :math:`a^+(x) = \\max(a, 0)` and :math:`a^-(x) = \\max(-a, 0)`, each treated as a point of
    :math:`S`.

    Parameters
    ----------
    weight : array or tensor (out, in)
    activations : array or tensor (n, in)
        Inputs of the layer on the points of :math:`S`.

    Returns
    -------
    EmpiricalSensitivity

    Raises
    ------
    ValueError
        On a non-2-D or non-finite ``weight``/``activations`` or mismatched shapes.

    References
    ----------
    Baykal, Liebenwein, Gilitschenski, Feldman, Rus, ICLR 2019, Definition of the empirical
    sensitivity (§4) and Algorithm 2; sign split and signed inputs as in the authors'
    ``lucaslie/torchprune`` (``base_sens_tracker.py``).
    """
    W = _weight_array(weight)
    A = _nonnegative_points(_activation_array(activations, W.shape[1]))
    out, inp = W.shape
    pos = W > 0
    sens = np.zeros((out, inp))
    # g_ij(x) = |w_ij| a_j(x) / z_i(x) on the group, so s_ij = |w_ij| max_x a_j(x) / z_i(x):
    # one max-times product M_ij = max_x inv_i(x) a_j(x) per group: a loop over the points of S,
    # each step an in-place outer product over all neurons and edges of the layer.
    buf = np.empty((out, inp))
    for sign, mask in ((1.0, pos), (-1.0, W < 0)):
        Wg = np.where(mask, sign * W, 0.0)             # |w| on the group, 0 elsewhere
        Z = A @ Wg.T                                    # (n, out), >= 0
        inv = np.divide(1.0, Z, out=np.zeros_like(Z), where=Z > 0)
        M = np.zeros((out, inp))
        for x in range(A.shape[0]):
            np.multiply.outer(inv[x], A[x], out=buf)
            np.maximum(M, buf, out=M)
        sens += Wg * M
    np.clip(sens, 0.0, 1.0, out=sens)                  # round-off only
    tot_pos = np.where(pos, sens, 0.0).sum(axis=1)
    tot_neg = np.where(W < 0, sens, 0.0).sum(axis=1)
    return EmpiricalSensitivity(sens, pos, tot_pos, tot_neg, int(A.shape[0]))


def corenet_constants(eta, eta_star, delta, *, K_prime=2.0, lambda_factor=0.5,
                      log_factor=8.0) -> CoreNetConstants:
    """Network-level constants :math:`\\lambda_*`, :math:`\\kappa` and the size of :math:`S`.

    .. math::

        \\lambda_* = \\tfrac12\\log(\\eta\\eta^*),\\qquad
        \\kappa = \\sqrt{2\\lambda_*}\\Big(1 + \\sqrt{2\\lambda_*}\\,
        \\log\\frac{8\\eta\\eta^*}{\\delta}\\Big),\\qquad
        |S| = \\Big\\lceil K' \\log\\frac{8\\eta\\eta^*}{\\delta}\\Big\\rceil.

    Constant as recalled; see THEORY.md (the formulas agree with the third-party
    reimplementation ``ks-korovina/coresets_compression``; :math:`K'` is the
    distribution-dependent constant of the paper's Assumption 1, default 2 is illustrative).

    Parameters
    ----------
    eta : int
        Total number of neurons :math:`\\eta` (>= 1).
    eta_star : int
        Maximum width :math:`\\eta^*` (>= 1).
    delta : float
        Failure probability in (0, 1).
    K_prime : float, default 2.0
        :math:`K' > 0`.
    lambda_factor : float, default 0.5
        The 1/2 in :math:`\\lambda_*`.
    log_factor : float, default 8.0
        The 8 inside the logarithms.

    Returns
    -------
    CoreNetConstants

    References
    ----------
    Baykal et al., ICLR 2019, Algorithm 1 and Theorem 4 (constants :math:`\\lambda_*, \\kappa`,
    size of :math:`S`).
    """
    eta = as_int(eta, "eta", low=1)
    eta_star = as_int(eta_star, "eta_star", low=1)
    delta = check_probability(delta, "delta", open_low=True, open_high=True)
    K_prime = check_positive(K_prime, "K_prime")
    lambda_factor = check_positive(lambda_factor, "lambda_factor")
    log_factor = check_positive(log_factor, "log_factor")
    lam = lambda_factor * math.log(eta * eta_star)
    r = math.sqrt(2.0 * lam)
    L = math.log(log_factor * eta * eta_star / delta)
    kappa = r * (1.0 + r * L)
    return CoreNetConstants(eta, eta_star, lam, kappa, int(math.ceil(K_prime * L)))


def corenet_sample_size(total_sensitivity, eps, delta, *, eta, K=2.0, c=8.0, log_factor=8.0) -> np.ndarray:
    """Number of i.i.d. draws per neuron and sign group that the theorem asks for.

    .. math::

        m = \\Big\\lceil \\frac{c\\, S\\, K \\log(8\\eta/\\delta)}{\\varepsilon_\\ell^2}
        \\Big\\rceil,\\qquad c = 8,

    and :math:`m = 0` where :math:`S = 0` (nothing to approximate). Constant as recalled; see
    THEORY.md (:math:`c = 8` and the :math:`8` in the logarithm agree with the
    reimplementation ``ks-korovina/coresets_compression``; :math:`K` is the
    distribution-dependent constant of Assumption 1, default 2 is illustrative).

    Parameters
    ----------
    total_sensitivity : float or array
        :math:`S = \\sum_j s_j` (>= 0), any shape.
    eps : float or array
        Layer accuracy :math:`\\varepsilon_\\ell > 0`, broadcastable to ``total_sensitivity``.
    delta : float
        Failure probability in (0, 1).
    eta : int
        Total number of neurons.
    K, c, log_factor : float
        Positive constants (defaults 2, 8, 8).

    Returns
    -------
    ndarray of float
        Non-negative integers (stored as float, since they can exceed the int64 range).

    References
    ----------
    Baykal et al., ICLR 2019, Algorithm 2 (Sparsify), Lemma on the sample complexity.
    """
    S = as_array(total_sensitivity, "total_sensitivity", ndim=None, nonnegative=True)
    e = as_array(eps, "eps", ndim=None, positive=True)
    delta = check_probability(delta, "delta", open_low=True, open_high=True)
    eta = as_int(eta, "eta", low=1)
    K = check_positive(K, "K")
    c = check_positive(c, "c")
    log_factor = check_positive(log_factor, "log_factor")
    with np.errstate(over="ignore"):
        m = np.ceil(c * S * K * math.log(log_factor * eta / delta) / e ** 2)
    return np.where(S > 0, m, 0.0)


def _delta_hat(W: np.ndarray, b: np.ndarray | None, A: np.ndarray) -> float:
    """max_i mean_x (Σ_k |w_ik a_k(x)| + |b_i|) / |z_i(x)|  (inf if some z_i(x) = 0)."""
    num = np.abs(A) @ np.abs(W).T
    z = A @ W.T
    if b is not None:
        num = num + np.abs(b)[None, :]
        z = z + b[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(num > 0, num / np.abs(z), 1.0)
    return float(ratio.mean(axis=0).max())


def delta_terms(weights, activations, *, kappa, biases=None) -> DeltaTerms:
    """Per-layer amplification :math:`\\Delta^\\ell` and its forward product :math:`\\Delta^\\ell_\\to`.

    .. math::

        \\Delta_i(x) = \\frac{\\sum_k |w_{ik} a_k(x)| + |b_i|}{|\\sum_k w_{ik} a_k(x) + b_i|},
        \\qquad \\Delta^\\ell = \\max_i \\frac1{|S|}\\sum_{x\\in S}\\Delta_i(x) + \\kappa,
        \\qquad \\Delta^\\ell_\\to = \\prod_{k \\ge \\ell} \\Delta^k.

    Constant as recalled; see THEORY.md (form corroborated by ``ks-korovina/coresets_compression``).
    The bias enters as an edge with constant activation 1 (an extension of this project; CoreNet
    keeps biases exactly, so this only makes :math:`\\Delta` larger).

    Parameters
    ----------
    weights : sequence of arrays (out_l, in_l)
    activations : sequence of arrays (n, in_l)
        Inputs of each layer on :math:`S` (see :func:`layer_inputs`).
    kappa : float
        :math:`\\kappa \\ge 0` (see :func:`corenet_constants`).
    biases : sequence of arrays (out_l,) or None, optional

    Returns
    -------
    DeltaTerms
        ``delta_hat`` may be ``inf`` when a pre-activation is exactly 0 on a point of S.

    References
    ----------
    Baykal et al., ICLR 2019, Algorithm 1 (lines computing :math:`\\hat\\Delta^\\ell`) and
    Theorem 4.
    """
    kappa = as_float(kappa, "kappa", low=0.0)
    if len(weights) != len(activations) or len(weights) < 1:
        raise ValueError("`activations` must hold one array per layer of `weights` (at least one)")
    if biases is not None and len(biases) != len(weights):
        raise ValueError("`biases` must hold one array per layer of `weights`")
    dh = []
    for l, (W, A) in enumerate(zip(weights, activations)):
        W = _weight_array(W, f"weights[{l}]")
        A = _activation_array(A, W.shape[1], f"activations[{l}]")
        b = None
        if biases is not None and biases[l] is not None:
            b = biases[l].detach().cpu().double().numpy() if isinstance(biases[l], torch.Tensor) else biases[l]
            b = as_array(b, f"biases[{l}]", ndim=1, shape=(W.shape[0],))
        dh.append(_delta_hat(W, b, A))
    dh = np.array(dh)
    d = dh + kappa
    fwd = np.cumprod(d[::-1])[::-1]
    return DeltaTerms(dh, kappa, d, fwd)


# ---------------------------------------------------------------------------------------------
# Sampling
# ---------------------------------------------------------------------------------------------

def _draw(w_abs: np.ndarray, q: np.ndarray, m: np.ndarray, rng: np.random.Generator,
          size: int | None = None) -> np.ndarray:
    """Importance-sampled |w| of one sign group: w c_j/(m q_j); rows with m = 0 give 0."""
    m = np.asarray(m, dtype=np.int64)
    qq = np.where(m[:, None] > 0, q, 0.0)
    empty = qq.sum(axis=1) <= 0
    qq[empty, 0] = 1.0                                     # dummy law for rows drawn 0 times
    mm = np.where(empty, 0, m)
    qq = qq / qq.sum(axis=1, keepdims=True)
    if size is None:
        counts = rng.multinomial(mm, qq)
    else:
        counts = rng.multinomial(mm, qq, size=(size, len(mm)))
    denom = mm[:, None] * qq
    scale = np.divide(counts, denom, out=np.zeros(counts.shape), where=denom > 0)
    return w_abs * scale


def _group_probs(sens: EmpiricalSensitivity, positive: bool) -> tuple[np.ndarray, np.ndarray]:
    mask = sens.positive if positive else ~sens.positive
    s = np.where(mask, sens.sensitivity, 0.0)
    tot = s.sum(axis=1)
    q = np.divide(s, tot[:, None], out=np.zeros_like(s), where=tot[:, None] > 0)
    return q, tot


def _split_samples(samples, sens: EmpiricalSensitivity) -> tuple[np.ndarray, np.ndarray]:
    out = sens.sensitivity.shape[0]
    arr = np.asarray(samples)
    if arr.ndim == 0:
        arr = np.full(out, as_int(samples, "samples", low=0))
    else:
        arr = as_array(arr, "samples", ndim=1, shape=(out,), nonnegative=True)
        if not np.all(arr == np.round(arr)):
            raise ValueError("`samples` must hold integers")
    arr = arr.astype(np.int64)
    tp, tn = sens.total_positive, sens.total_negative
    tot = tp + tn
    mp = np.where(tot > 0, np.round(arr * np.divide(tp, tot, out=np.zeros_like(tp), where=tot > 0)), 0)
    mp = mp.astype(np.int64)
    mn = np.where(tn > 0, arr - mp, 0).astype(np.int64)
    mp = np.where(tn > 0, mp, np.where(tp > 0, arr, 0)).astype(np.int64)
    return mp, mn


def sparsify_layer(weight, activations, *, samples=None, eps=None, delta=0.1, rng=None, eta=None,
                   K=2.0, c=8.0, log_factor=8.0) -> SparsifiedLayer:
    """Sparsify the incoming weights of every neuron of one layer by sensitivity sampling.

    .. math::

        \\hat w_{ij} = \\frac{w_{ij}\\, c_{ij}}{m_i^\\pm q_{ij}},\\quad
        (c_{ij})_{j\\in\\mathcal W^\\pm_i} \\sim \\mathrm{Multinomial}(m^\\pm_i, q_i),\\quad
        q_{ij} = s_{ij}/S^\\pm_i,\\qquad \\hat W = \\mathrm{Sp}(W^+) - \\mathrm{Sp}(-W^-),

    so :math:`E\\,\\hat w_{ij} = w_{ij}` for every edge with :math:`s_{ij} > 0` (edges with
    :math:`s_{ij} = 0` contribute nothing on :math:`S` and are dropped). Give either ``samples``
    (draws per neuron, split between the sign groups in proportion to :math:`S^\\pm_i`, as the
    theoretical sizes are) or ``eps`` (then :math:`m^\\pm_i` is
    :func:`corenet_sample_size` of :math:`S^\\pm_i`).

    Parameters
    ----------
    weight : array or tensor (out, in)
    activations : array or tensor (n, in)
        The layer's inputs on :math:`S`.
    samples : int or array (out,) of int, optional
        Draws per neuron (>= 0).
    eps : float, optional
        Layer accuracy :math:`\\varepsilon_\\ell > 0`.
    delta : float, default 0.1
        Failure probability (used with ``eps``).
    rng : None, int or numpy Generator
    eta : int, optional
        Total number of neurons for the sample size (default: ``out``).
    K, c, log_factor : float
        Constants of :func:`corenet_sample_size`.

    Returns
    -------
    SparsifiedLayer

    Raises
    ------
    ValueError
        If neither or both of ``samples`` and ``eps`` are given, on bad shapes, or when a
        theoretical sample size exceeds :math:`2^{62}` draws.

    References
    ----------
    Baykal et al., ICLR 2019, Algorithm 2 (Sparsify) and Lemma (unbiasedness of the estimator).
    """
    if (samples is None) == (eps is None):
        raise ValueError("give exactly one of `samples` and `eps`")
    W = _weight_array(weight)
    sens = empirical_sensitivity(W, activations)
    rng = check_rng(rng)
    if eps is not None:
        eps = check_positive(eps, "eps")
        eta = W.shape[0] if eta is None else as_int(eta, "eta", low=1)
        mp = corenet_sample_size(sens.total_positive, eps, delta, eta=eta, K=K, c=c, log_factor=log_factor)
        mn = corenet_sample_size(sens.total_negative, eps, delta, eta=eta, K=K, c=c, log_factor=log_factor)
        if max(mp.max(), mn.max()) > _MAX_SAMPLES:
            raise ValueError(f"`eps` = {eps:g} needs more than 2**62 draws per neuron; use a larger eps")
        mp, mn = mp.astype(np.int64), mn.astype(np.int64)
    else:
        mp, mn = _split_samples(samples, sens)
    qp, _ = _group_probs(sens, True)
    qn, _ = _group_probs(sens, False)
    What = _draw(np.maximum(W, 0.0), qp, mp, rng) - _draw(np.maximum(-W, 0.0), qn, mn, rng)
    return SparsifiedLayer(What, mp, mn, sens)


# ---------------------------------------------------------------------------------------------
# CoreNet on a whole network
# ---------------------------------------------------------------------------------------------

def _log1m(q: np.ndarray) -> np.ndarray:
    """log(1 - q) where q > 0, and 0 elsewhere (those entries are never drawn)."""
    with np.errstate(divide="ignore"):
        return np.where(q > 0, np.log1p(-np.minimum(q, 1.0)), 0.0)


def _expected_distinct(lq: np.ndarray, support: np.ndarray, m: np.ndarray) -> float:
    """E #distinct edges drawn, sum_j 1 - (1 - q_j)^m per row of m draws (lq = log(1 - q))."""
    return float(np.sum(np.where(support, -np.expm1(m[:, None] * lq), 0.0)))


def _budget_scale(rates, probs, target: float) -> float:
    """Smallest t with sum over groups of E#distinct(ceil(rate * t)) >= target (bisection in log t)."""
    lqs = [_log1m(q) for q in probs]
    sup = [q > 0 for q in probs]

    def nnz(t):
        return sum(_expected_distinct(lq, s, np.ceil(r * t)) for r, lq, s in zip(rates, lqs, sup))
    cap = sum(float(np.count_nonzero(q)) for q in probs)
    if target >= cap:
        target = cap
    rmax = max(float(np.max(r)) for r in rates)
    if rmax <= 0:
        return 0.0
    lo, hi = 0.0, 1.0 / rmax
    while nnz(hi) < target and hi < 1e300:
        lo, hi = hi, hi * 4.0
    for _ in range(80):
        mid = 0.5 * (lo + hi) if lo > 0 else hi / 2.0
        if lo == 0 and mid < 1e-300:
            break
        if nnz(mid) < target:
            lo = mid
        else:
            hi = mid
        if lo > 0 and hi / lo < 1 + 1e-4:
            break
    return hi


def _network_constants(model, eta, eta_star):
    lins = linear_layers(model)
    if eta is None:
        eta = sum(l.out_features for l in lins)
    if eta_star is None:
        eta_star = max(l.in_features for l in lins)
    return as_int(eta, "eta", low=1), as_int(eta_star, "eta_star", low=1)


def corenet(model, inputs, eps=None, delta=0.1, rng=None, variant="corenet", *, fraction=None,
            allocation="layerwise", sample_scale=1.0, K=2.0, K_prime=2.0, c=8.0, log_factor=8.0, eta=None,
            eta_star=None, amplification=5, validation_inputs=None, check_sample_size=False,
            device=None) -> CoreNetResult:
    """CoreNet: sparsify every layer of a network by empirical-sensitivity sampling.

    .. math::

        \\varepsilon' = \\frac{\\varepsilon}{2 L_s},\\qquad
        \\varepsilon_\\ell = \\frac{\\varepsilon'}{\\Delta^\\ell_\\to},\\qquad
        m^\\pm_{\\ell i} = \\Big\\lceil \\frac{8 S^\\pm_{\\ell i} K \\log(8\\eta/\\delta)}
        {\\varepsilon_\\ell^2}\\Big\\rceil,

    with the guarantee (Baykal et al., Theorem 4) that for :math:`x` from the law of :math:`S`,
    :math:`P(\\hat f(x) \\in (1\\pm\\varepsilon) f(x)) \\ge 1 - \\delta` (constants as recalled; see
    THEORY.md and the module docstring). :math:`L_s` is the number of sparsified layers: this
    project sparsifies all :math:`L` layers (the paper :math:`L - 1`).

    Two modes:

    - ``eps`` given: the theoretical sample sizes (often far more draws than edges, so that
      nearly every edge is kept: see :attr:`CoreNetResult.theoretical_kept_fraction`);
    - ``fraction`` given (budget mode): one scale :math:`t = 1/\\varepsilon^2` per layer in the
      formula above (``allocation="layerwise"``, the default: every layer keeps the same
      fraction of its weights, and within a layer the draws are spread over neurons and sign
      groups in proportion to :math:`S^\\pm_{\\ell i}`, as in the formula), or one global scale
      (``"theory"``: the formula's split across layers, which sends most draws to the first
      layers because :math:`\\Delta^\\ell_\\to` is a product over the layers after
      :math:`\\ell`), chosen by bisection so that the expected number of distinct edges drawn
      is ``fraction`` of the weights; the result reports the :math:`\\varepsilon` those sample
      sizes certify. On this project's testbeds the ``"theory"`` split gives a larger output
      error at the same budget (see the ``coreset_pruning`` experiment).

    Variants: ``"corenet"``; ``"plus"`` (CoreNet+, neuron pruning: hidden neurons whose
    activation is 0 on every point of :math:`S` are removed, so no samples go to them);
    ``"plusplus"`` (CoreNet++: CoreNet+ and amplification, ``amplification`` independent draws
    per layer, keeping for every neuron the draw with the smallest mean absolute error of its
    pre-activation on ``validation_inputs``; as recalled, see THEORY.md).

    Parameters
    ----------
    model : torch.nn.Sequential
        Linear layers and elementwise activations (``make_mlp``); not modified.
    inputs : tensor or array (n, in_dim)
        The points :math:`S` (all of them are used; the theorem needs ``n >=``
        :attr:`CoreNetConstants.s_size`, checked when ``check_sample_size``).
    eps : float, optional
        Target accuracy :math:`\\varepsilon > 0` (theory mode).
    delta : float, default 0.1
        Failure probability in (0, 1).
    rng : None, int or numpy Generator
    variant : {"corenet", "plus", "plusplus"}
    fraction : float in (0, 1], optional
        Target fraction of the weights kept (budget mode).
    allocation : {"layerwise", "theory"}, default "layerwise"
        Budget mode only.
    sample_scale : float in (0, 1], default 1.0
        Theory mode only: draw ``ceil(sample_scale * m)`` instead of the theoretical ``m``, to
        measure how conservative the theorem is (the certified ``eps`` is then not claimed).
    K, K_prime, c, log_factor : float
        Constants (see :func:`corenet_sample_size`, :func:`corenet_constants`).
    eta, eta_star : int, optional
        Default: the number of neurons of all Linear layers' outputs, and the largest fan-in
        (it bounds the number of edges per neuron in the union bound).
    amplification : int, default 5
        Draws per layer for ``"plusplus"`` (>= 1).
    validation_inputs : tensor or array (n_val, in_dim), optional
        Held-out points for the amplification; default: the second half of ``inputs`` (and the
        first half is then :math:`S`).
    check_sample_size : bool, default False
        Raise if ``inputs`` has fewer points than :math:`\\lceil K'\\log(8\\eta\\eta^*/\\delta)\\rceil`.
    device : str, torch.device or None
        Device of the returned model (default: the model's).

    Returns
    -------
    CoreNetResult

    Raises
    ------
    ValueError
        On bad input; if neither or both of ``eps`` and ``fraction`` are given; if the
        theoretical sample size exceeds :math:`2^{62}` draws per neuron.

    References
    ----------
    Baykal, Liebenwein, Gilitschenski, Feldman, Rus, ICLR 2019, Algorithms 1–2, Theorem 4
    (guarantee), §5 (CoreNet+, CoreNet++).
    """
    check_in(variant, "variant", VARIANTS)
    check_in(allocation, "allocation", ALLOCATIONS)
    if (eps is None) == (fraction is None):
        raise ValueError("give exactly one of `eps` (theory mode) and `fraction` (budget mode)")
    if eps is not None:
        eps = check_positive(eps, "eps")
    if fraction is not None:
        fraction = as_float(fraction, "fraction", low=0.0, high=1.0, low_open=True)
    delta = check_probability(delta, "delta", open_low=True, open_high=True)
    amplification = as_int(amplification, "amplification", low=1)
    sample_scale = as_float(sample_scale, "sample_scale", low=0.0, high=1.0, low_open=True)
    rng = check_rng(rng)
    src = _prepare_model(model, device)
    X = _as_input_tensor(inputs, src)
    Xval = None
    if variant == "plusplus":
        if validation_inputs is None:
            if X.shape[0] < 2:
                raise ValueError("`inputs` must hold at least 2 points for CoreNet++ without "
                                 "`validation_inputs`")
            half = X.shape[0] // 2
            X, Xval = X[:half], X[half:]
        else:
            Xval = _as_input_tensor(validation_inputs, src, "validation_inputs")
    eta, eta_star = _network_constants(src, eta, eta_star)
    consts = corenet_constants(eta, eta_star, delta, K_prime=K_prime, log_factor=log_factor)
    if check_sample_size and X.shape[0] < consts.s_size:
        raise ValueError(f"`inputs` must hold at least {consts.s_size} points "
                         f"(K' log(8 eta eta*/delta)); got {X.shape[0]}")
    lins = linear_layers(src)
    L = len(lins)
    acts = layer_inputs(src, X)
    acts_val = layer_inputs(src, Xval) if Xval is not None else None
    Ws = [l.weight.detach().cpu().double().numpy() for l in lins]
    bs = [l.bias.detach().cpu().double().numpy() if l.bias is not None else None for l in lins]

    # CoreNet+: hidden neurons that are zero on all of S (inputs of layer l+1) are removed.
    alive = [np.ones(W.shape[0], dtype=bool) for W in Ws]
    if variant in ("plus", "plusplus"):
        for l in range(L - 1):
            alive[l] = np.any(acts[l + 1] != 0, axis=0)
    Ws_eff = [W * alive[l][:, None] for l, W in enumerate(Ws)]
    for l in range(1, L):  # dead inputs: their column is irrelevant on S (sensitivity 0)
        Ws_eff[l] = Ws_eff[l] * alive[l - 1][None, :]

    dterms = delta_terms(Ws_eff, acts, kappa=consts.kappa, biases=bs)
    sens = [empirical_sensitivity(W, A) for W, A in zip(Ws_eff, acts)]
    lg = math.log(log_factor * eta / delta)
    # rate r: m = ceil(r / eps^2), per layer, neuron and sign group
    rates = []
    for l in range(L):
        tot = np.stack([sens[l].total_positive, sens[l].total_negative], axis=1)
        rates.append(c * tot * K * lg * (2.0 * L * dterms.delta_forward[l]) ** 2)
    probs = [(_group_probs(s, True)[0], _group_probs(s, False)[0]) for s in sens]

    if eps is not None:
        mode = "eps"
        with np.errstate(over="ignore"):
            samples = [np.ceil(r / eps ** 2) for r in rates]
        if sample_scale < 1.0:
            samples = [np.ceil(sample_scale * m) for m in samples]
        if any(float(np.max(m)) > _MAX_SAMPLES for m in samples):
            raise ValueError(f"`eps` = {eps:g} needs more than 2**62 draws per neuron "
                             f"(Delta_-> = {dterms.delta_forward[0]:.3g}); use budget mode (`fraction`)")
    else:
        mode = "budget"
        targets = [fraction * W.size for W in Ws]
        if allocation == "theory":
            t = _budget_scale([r[:, k] for r in rates for k in (0, 1)],
                              [p[k] for p in probs for k in (0, 1)], fraction * sum(W.size for W in Ws))
            scales = [t] * L
        else:
            scales = [_budget_scale([rates[l][:, 0], rates[l][:, 1]], list(probs[l]), targets[l])
                      for l in range(L)]
        samples = [np.ceil(r * s) for r, s in zip(rates, scales)]
        if any(float(np.max(m)) > _MAX_SAMPLES for m in samples):
            raise ValueError("`fraction` needs more than 2**62 draws per neuron; lower it")
    samples = [m.astype(np.int64) for m in samples]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = [np.where(r > 0, np.sqrt(r / np.maximum(m, 0)), 0.0) for r, m in zip(rates, samples)]
    cert = float(max(np.max(x) for x in ratio))
    if mode == "eps" and sample_scale == 1.0:
        cert = eps
    eps_layers = cert / (2.0 * L * dterms.delta_forward)
    with np.errstate(over="ignore"):
        theo = [np.ceil(r / cert ** 2) if math.isfinite(cert) and cert > 0 else np.full(r.shape, np.inf)
                for r in rates]

    new = copy.deepcopy(src)
    new_lins = linear_layers(new)
    n_draws = amplification if variant == "plusplus" else 1
    with torch.no_grad():
        for l in range(L):
            W = Ws_eff[l]
            (qp, qn), m = probs[l], samples[l]
            if n_draws == 1:
                What = _draw(np.maximum(W, 0), qp, m[:, 0], rng) - _draw(np.maximum(-W, 0), qn, m[:, 1], rng)
            else:
                cand = (_draw(np.maximum(W, 0), qp, m[:, 0], rng, size=n_draws)
                        - _draw(np.maximum(-W, 0), qn, m[:, 1], rng, size=n_draws))   # (tau, out, in)
                Av = acts_val[l]
                z = Av @ W.T                                                         # (nv, out)
                err = np.abs(np.einsum("vj,toj->tvo", Av, cand) - z[None]).mean(axis=1)  # (tau, out)
                best = np.argmin(err, axis=0)
                What = cand[best, np.arange(W.shape[0])]
            lin = new_lins[l]
            lin.weight.copy_(torch.as_tensor(What, dtype=lin.weight.dtype))
            if lin.bias is not None and bs[l] is not None:
                lin.bias.copy_(torch.as_tensor(bs[l] * alive[l], dtype=lin.bias.dtype))
    nnz = sum(int(torch.count_nonzero(l.weight)) for l in new_lins)
    total = sum(W.size for W in Ws)
    pruned = [int(np.sum(~a)) for a in alive[:-1]]
    return CoreNetResult(new, variant, mode, float(cert), delta, eps_layers, theo, samples, dterms,
                         consts, nnz, total, pruned)


# ---------------------------------------------------------------------------------------------
# Baselines
# ---------------------------------------------------------------------------------------------

def _budget_fraction(fraction) -> float:
    return as_float(fraction, "fraction", low=0.0, high=1.0, low_open=True)


def _n_params(model) -> int:
    return int(sum(p.numel() for p in model.parameters()))


def _n_bias(model) -> int:
    return int(sum(l.bias.numel() for l in linear_layers(model) if l.bias is not None))


def uniform_sparsify(model, fraction, rng=None, device=None) -> CompressedModel:
    """Uniform edge sampling: the unbiased sparsifier with :math:`q_j = 1/d_{\\rm in}` (a baseline).

    .. math::

        \\hat w_{ij} = w_{ij}\\,\\frac{c_{ij}\\, d_{\\rm in}}{m},\\quad
        (c_{ij})_j \\sim \\mathrm{Multinomial}(m, (1/d_{\\rm in}, \\dots)),\\quad
        m = \\Big\\lceil \\frac{\\log(1-f)}{\\log(1 - 1/d_{\\rm in})}\\Big\\rceil,

    so that every layer keeps in expectation about a fraction :math:`f` of its weights
    (:math:`E\\#\\text{distinct} = d_{\\rm in}(1-(1-1/d_{\\rm in})^m)`; all edges when :math:`f = 1`).

    Parameters
    ----------
    model : torch.nn.Sequential
    fraction : float in (0, 1]
    rng : None, int or numpy Generator
    device : str, torch.device or None

    Returns
    -------
    CompressedModel

    References
    ----------
    Baykal et al., ICLR 2019, §6 (the "Uniform Sampling" baseline).
    """
    f = _budget_fraction(fraction)
    rng = check_rng(rng)
    src = _prepare_model(model, device)
    new = copy.deepcopy(src)
    kept = total = 0
    with torch.no_grad():
        for lin in linear_layers(new):
            W = lin.weight.detach().cpu().double().numpy()
            out, d = W.shape
            if f >= 1.0 or d == 1:
                What = W.copy()
            else:
                m = int(math.ceil(math.log1p(-f) / math.log1p(-1.0 / d)))
                counts = rng.multinomial(np.full(out, m), np.full((out, d), 1.0 / d))
                What = W * counts * (d / m)
            lin.weight.copy_(torch.as_tensor(What, dtype=lin.weight.dtype))
            kept += int(np.count_nonzero(What))
            total += W.size
    return CompressedModel(new, kept + _n_bias(new), _n_params(src), kept, total)


def magnitude_prune(model, fraction, device=None) -> CompressedModel:
    """Layer-wise magnitude thresholding: keep the largest :math:`|w|` of every layer (a baseline).

    .. math::

        \\hat w_{ij} = w_{ij}\\,\\mathbf 1\\big[|w_{ij}| \\ge |w|_{(k)}\\big],\\qquad
        k = \\max(1, \\mathrm{round}(f\\, d_{\\rm out} d_{\\rm in})),

    with :math:`|w|_{(k)}` the k-th largest magnitude of the layer (ties broken by position).

    Parameters
    ----------
    model : torch.nn.Sequential
    fraction : float in (0, 1]
    device : str, torch.device or None

    Returns
    -------
    CompressedModel

    References
    ----------
    Han, Pool, Tran, Dally, "Learning both weights and connections for efficient neural
    networks", NeurIPS 2015 (magnitude pruning; here without retraining).
    """
    f = _budget_fraction(fraction)
    src = _prepare_model(model, device)
    new = copy.deepcopy(src)
    kept = total = 0
    with torch.no_grad():
        for lin in linear_layers(new):
            W = lin.weight
            k = max(1, int(round(f * W.numel())))
            idx = torch.topk(W.abs().flatten(), k).indices
            mask = torch.zeros(W.numel(), dtype=torch.bool, device=W.device)
            mask[idx] = True
            W.mul_(mask.view_as(W))
            kept += int(torch.count_nonzero(W))
            total += W.numel()
    return CompressedModel(new, kept + _n_bias(new), _n_params(src), kept, total)


def truncated_svd(model, fraction, device=None) -> CompressedModel:
    """Layer-wise truncated SVD at the rank whose factors hold a fraction ``f`` of the weights.

    .. math::

        \\hat W = U_r \\Sigma_r V_r^\\top,\\qquad
        r = \\max\\Big(1, \\Big\\lfloor \\frac{f\\, d_{\\rm out} d_{\\rm in}}{d_{\\rm out} +
        d_{\\rm in}} \\Big\\rfloor\\Big)\\ (\\le \\min(d_{\\rm out}, d_{\\rm in})),

    stored as :math:`r(d_{\\rm out} + d_{\\rm in})` numbers (the best rank-r approximation in
    Frobenius norm, Eckart–Young).

    Parameters
    ----------
    model : torch.nn.Sequential
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
    """
    f = _budget_fraction(fraction)
    src = _prepare_model(model, device)
    new = copy.deepcopy(src)
    kept = total = 0
    with torch.no_grad():
        for lin in linear_layers(new):
            W = lin.weight.detach().cpu().double().numpy()
            out, d = W.shape
            r = min(min(out, d), max(1, int(math.floor(f * out * d / (out + d)))))
            U, s, Vt = np.linalg.svd(W, full_matrices=False)
            What = (U[:, :r] * s[:r]) @ Vt[:r]
            lin.weight.copy_(torch.as_tensor(What, dtype=lin.weight.dtype))
            kept += min(r * (out + d), out * d)
            total += W.size
    return CompressedModel(new, kept + _n_bias(new), _n_params(src), kept, total)


# ---------------------------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------------------------

def _outputs(model, X) -> np.ndarray:
    with torch.no_grad():
        was = model.training
        model.eval()
        try:
            return model(X).detach().cpu().double().numpy()
        finally:
            model.train(was)


def relative_output_error(model, compressed, inputs) -> Measurement:
    """Mean relative output error of a compressed network, with its standard error.

    .. math::

        \\mathrm{err} = \\frac1n\\sum_{i=1}^n \\frac{\\lVert \\hat f(x_i) - f(x_i)\\rVert_2}
        {\\lVert f(x_i)\\rVert_2}.

    Parameters
    ----------
    model, compressed : torch.nn.Module
        Same input and output dimensions; evaluated in eval mode without gradients.
    inputs : tensor or array (n, in_dim), n >= 2
        Fresh inputs.

    Returns
    -------
    Measurement

    References
    ----------
    Baykal et al., ICLR 2019, §6 (output approximation error of the compressed network).
    """
    X = _as_input_tensor(inputs, model)
    if X.shape[0] < 2:
        raise ValueError("`inputs` must hold at least 2 points")
    f = _outputs(model, X)
    g = _outputs(compressed, X.to(_model_device(compressed)))
    if f.shape != g.shape:
        raise ValueError("`compressed` must have the output shape of `model`")
    nf = np.linalg.norm(f, axis=1)
    if np.any(nf == 0):
        raise ValueError("`model` output is exactly 0 on some input; the relative error is undefined")
    return Measurement.from_samples(np.linalg.norm(g - f, axis=1) / nf)


def guarantee_failure(model, compressed, inputs, eps) -> GuaranteeCheck:
    """How often :math:`\\hat f(x) \\notin (1\\pm\\varepsilon) f(x)` on fresh inputs.

    .. math::

        \\hat p_{\\rm pair} = \\frac{1}{nK}\\sum_{i,k}
        \\mathbf 1\\big[|\\hat f_k(x_i) - f_k(x_i)| > \\varepsilon |f_k(x_i)|\\big],\\qquad
        \\hat p_{\\rm input} = \\frac1n\\sum_i \\max_k \\mathbf 1[\\cdots].

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

    References
    ----------
    Baykal et al., ICLR 2019, Theorem 4 (the event :math:`\\hat f(x) \\in (1\\pm\\varepsilon)
    f(x)`, probability at least :math:`1-\\delta`).
    """
    eps = check_positive(eps, "eps")
    X = _as_input_tensor(inputs, model)
    if X.shape[0] < 2:
        raise ValueError("`inputs` must hold at least 2 points")
    f = _outputs(model, X)
    g = _outputs(compressed, X.to(_model_device(compressed)))
    if f.shape != g.shape:
        raise ValueError("`compressed` must have the output shape of `model`")
    fail = np.abs(g - f) > eps * np.abs(f)
    per_input = fail.mean(axis=1)
    return GuaranteeCheck(Measurement.from_samples(per_input),
                          Measurement.from_samples(fail.any(axis=1).astype(float)),
                          int(f.shape[0]), int(f.shape[1]))


def margin_loss(model, inputs, labels, gamma=0.0) -> float:
    """Empirical :math:`\\gamma`-margin loss of a classifier.

    .. math::

        \\hat L_\\gamma(f) = \\frac1n\\sum_i \\mathbf 1\\Big[f(x_i)_{y_i} \\le \\gamma +
        \\max_{j \\ne y_i} f(x_i)_j\\Big]\\qquad(\\gamma = 0:\\ \\text{the 0-1 error, ties
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

    References
    ----------
    Arora, Ge, Neyshabur, Zhang, "Stronger generalization bounds for deep nets via a compression
    approach", ICML 2018, Definition (classification margin loss).
    """
    gamma = as_float(gamma, "gamma", low=0.0)
    X = _as_input_tensor(inputs, model)
    y = labels.detach().cpu().numpy() if isinstance(labels, torch.Tensor) else np.asarray(labels)
    y = as_array(y, "labels", ndim=1, shape=(X.shape[0],), dtype=None)
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


def quantize_weights(model, levels=255, device=None) -> nn.Sequential:
    """Round every non-zero weight and bias to a uniform grid of ``levels`` values per layer.

    .. math::

        \\theta \\mapsto B\\,\\frac{\\mathrm{round}(\\theta h / B)}{h},\\qquad h = \\frac{q-1}{2},
        \\qquad B = 2^{\\lceil \\log_2 \\max|\\theta| \\rceil},

    per Linear layer (weights and bias share the grid); zeros stay zero and some small entries
    round to zero. With ``levels`` = q odd the grid has q points including 0.

    Parameters
    ----------
    model : torch.nn.Sequential
    levels : int, odd, >= 3
    device : str, torch.device or None

    Returns
    -------
    torch.nn.Sequential
        A quantized copy.

    References
    ----------
    Arora, Ge, Neyshabur, Zhang, ICML 2018, §2 (a compressed net must lie in a finite class
    fixed in advance; discretizing its parameters puts it there).
    """
    levels = as_int(levels, "levels", low=3)
    if levels % 2 == 0:
        raise ValueError(f"`levels` must be odd (so that 0 is a grid point); got {levels}")
    src = _prepare_model(model, device)
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


def compression_bound(empirical_risk, n_train, n_nonzero, n_total, *, levels=255, n_layers=1,
                      n_scales=81, delta=0.05) -> CompressionBound:
    """Occam bound for a compressed network in a finite class fixed before seeing the data.

    .. math::

        L_0(\\hat g) \\le \\hat L(\\hat g) + \\sqrt{\\frac{\\log N + \\log(1/\\delta)}{2n}},\\qquad
        \\log N = \\log\\binom{P}{p} + p\\log q + \\log P + L\\log n_{\\rm scales},

    for every network :math:`\\hat g` with :math:`p` non-zero parameters, out of :math:`P`
    positions, each on a q-level grid per layer whose scale :math:`B = 2^k` is one of
    :math:`n_{\\rm scales}` values (Hoeffding's inequality and a union bound over the class;
    :math:`\\log P` pays for the data-dependent :math:`p`). The compression framework of Arora
    et al. feeds in :math:`\\hat L(\\hat g) \\le \\hat L_\\gamma(f)` whenever :math:`\\hat g` is
    within :math:`\\gamma/2` of the original network :math:`f` on the training points, giving
    "compressed 0-margin loss ≤ original γ-margin loss + Õ(sqrt(#params/n))" [derived for this
    project; the paper states the Õ form].

    Parameters
    ----------
    empirical_risk : float in [0, 1]
        Training 0-1 error of :math:`\\hat g` (or the upper bound :math:`\\hat L_\\gamma(f)`).
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

    Returns
    -------
    CompressionBound

    References
    ----------
    Arora, Ge, Neyshabur, Zhang, ICML 2018, Theorem 2.1 (compression implies generalization);
    Baykal et al., ICLR 2019, §4.3 (generalization bounds for CoreNet-compressed networks);
    Shalev-Shwartz, Ben-David, *Understanding Machine Learning* (2014), Cor. 4.6 (finite class).
    """
    emp = as_float(empirical_risk, "empirical_risk", low=0.0, high=1.0)
    n = as_int(n_train, "n_train", low=1)
    P = as_int(n_total, "n_total", low=1)
    p = as_int(n_nonzero, "n_nonzero", low=0, high=P)
    q = as_int(levels, "levels", low=2)
    L = as_int(n_layers, "n_layers", low=1)
    ns = as_int(n_scales, "n_scales", low=1)
    delta = check_probability(delta, "delta", open_low=True, open_high=True)
    log_binom = float(gammaln(P + 1) - gammaln(p + 1) - gammaln(P - p + 1))
    logN = log_binom + p * math.log(q) + math.log(P) + L * math.log(ns)
    comp = math.sqrt((logN + math.log(1.0 / delta)) / (2.0 * n))
    return CompressionBound(emp + comp, emp, comp, logN)


# ---------------------------------------------------------------------------------------------
# Claims (THEORY.md §8)
# ---------------------------------------------------------------------------------------------
# Parameter dictionaries:
#   coresets.guarantee_*         in_dim, widths, out_dim, eps, delta, n_s, n_fresh, seed
#   coresets.compression_bound   in_dim, widths, out_dim, n_train, fraction, levels, delta_bound,
#                                n_fresh, seed, epochs


def _guarantee_run(p, rng):
    from .testbeds.nets import make_mlp
    g = check_rng(rng)
    net = make_mlp(p["in_dim"], p["widths"], p["out_dim"], seed=int(p.get("seed", 0)), init="normal")
    X = torch.as_tensor(g.standard_normal((p["n_s"] + p["n_fresh"], p["in_dim"])), dtype=torch.float32)
    res = corenet(net, X[:p["n_s"]], eps=p["eps"], delta=p["delta"], rng=g)
    return guarantee_failure(net, res.model, X[p["n_s"]:], p["eps"])


CORESET_GUARANTEE_PAIRS = register(Claim(
    id="coresets.guarantee_pairs",
    reference=BAYKAL + ", Theorem 4 (constants as recalled; THEORY.md §8)",
    statement="P(f̂_k(x) ∉ (1±ε)f_k(x)) ≤ δ over fresh (input, output unit) pairs, theoretical m",
    bound=lambda p: p["delta"],
    measure=lambda p, rng: _guarantee_run(p, rng).pair_failure,
))

CORESET_GUARANTEE_INPUTS = register(Claim(
    id="coresets.guarantee_inputs",
    reference=BAYKAL + ", Theorem 4 (constants as recalled; THEORY.md §8)",
    statement="P(f̂(x) ∉ (1±ε)f(x) for some output unit) ≤ δ over fresh inputs, theoretical m",
    bound=lambda p: p["delta"],
    measure=lambda p, rng: _guarantee_run(p, rng).input_failure,
))


_BOUND_CACHE: dict = {}


def _bound_run(p):
    key = repr(sorted((k, v if not isinstance(v, list) else tuple(v)) for k, v in p.items()))
    if key not in _BOUND_CACHE:
        if len(_BOUND_CACHE) > 16:
            _BOUND_CACHE.clear()
        _BOUND_CACHE[key] = _bound_run_uncached(p)
    return _BOUND_CACHE[key]


def _bound_run_uncached(p):
    from .testbeds.nets import TeacherStudent, make_mlp, train
    ts = TeacherStudent(p["in_dim"], p.get("teacher_widths", (32,)), p["out_dim"], task="classification",
                        teacher_seed=int(p.get("seed", 0)))
    X, Y = ts.sample(p["n_train"], int(p.get("seed", 0)) + 1)
    net = make_mlp(p["in_dim"], p["widths"], p["out_dim"], seed=int(p.get("seed", 0)))
    train(net, X, Y, "classification", epochs=int(p.get("epochs", 30)), lr=3e-3, batch_size=128,
          seed=int(p.get("seed", 0)))
    res = corenet(net, X[:256], fraction=p["fraction"], delta=0.1, rng=int(p.get("seed", 0)))
    gq = quantize_weights(res.model, p["levels"])
    emp = margin_loss(gq, X, Y)
    nnz = sum(int(torch.count_nonzero(q)) for q in gq.parameters())
    tot = sum(q.numel() for q in gq.parameters())
    b = compression_bound(emp, p["n_train"], nnz, tot, levels=p["levels"],
                          n_layers=len(linear_layers(gq)), delta=p["delta_bound"])
    risk = ts.population_risk(gq, n_fresh=p["n_fresh"], rng=int(p.get("seed", 0)) + 2).error
    return b, risk


CORESET_COMPRESSION_BOUND = register(Claim(
    id="coresets.compression_bound",
    reference="Arora, Ge, Neyshabur, Zhang, ICML 2018, Thm 2.1; " + BAYKAL + ", §4.3 [derived constants]",
    statement="L_0(ĝ) ≤ L̂_0(ĝ) + √((log C(P,p) + p log q + log P + L log 81 + log 1/δ)/(2n)) for the "
              "quantized CoreNet net ĝ (and L̂_0(ĝ) ≤ L̂_γ(f) when |ĝ−f|∞ < γ/2 on S: Arora et al.'s form)",
    bound=lambda p: _bound_run(p)[0].bound,
    measure=lambda p, rng: _bound_run(p)[1],
))

CORESET_BEATS_UNIFORM = register(Claim(
    id="coresets.beats_uniform",
    reference=BAYKAL + ", §6 (empirical: CoreNet's output error is below uniform sampling's)",
    statement="relative output error of CoreNet ≤ that of uniform edge sampling at the same budget",
    bound=lambda p: float(p["uniform_error"]),
    measure=lambda p, rng: Measurement(float(p["corenet_error"]), float(p.get("corenet_error_se", 0.0))),
    must_hold=False,
))
