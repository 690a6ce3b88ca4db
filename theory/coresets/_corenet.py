r"""CoreNet on a whole network: per-layer sample sizes, the budget search, and the sparsified copy."""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike
from .. import _torch  # noqa: F401  (first: a clear ImportError when torch is missing)
import torch
from torch import nn

from .._checks import as_float, as_size, check_bool, check_in, check_positive, check_probability, check_rng
from .._torch import linear_layers
from ._common import _MAX_SAMPLES, _as_input_tensor, _layer_inputs, _prepare_model, _producer
from ._sensitivity import (CoreNetConstants, DeltaTerms, _log_term, corenet_constants, delta_terms,
                           empirical_sensitivity)
from ._sparsify import _draw, _group_probs

VARIANTS = ("corenet", "plus", "plusplus")
# Most entries of the (amplification, out, in) candidate array of one layer in CoreNet++.
_MAX_CANDIDATE_ENTRIES = 10**8
ALLOCATIONS = ("theory", "layerwise")


@dataclass(frozen=True)
class CoreNetResult:
    r"""Output of :func:`corenet`.

    Attributes
    ----------
    model : torch.nn.Module
        The sparsified network (a copy of the input model, with plain parameters; the input
        model is untouched).
    variant : str
    mode : {"eps", "budget"}
    eps : float
        The accuracy the theorem certifies for the sample sizes used: in ``"eps"`` mode the
        requested :math:`\varepsilon`; in budget mode the smallest :math:`\varepsilon` whose
        theoretical sample sizes do not exceed the ones drawn (``inf`` if some neuron got none).
    delta : float
    eps_layers : ndarray (L,)
        Per-layer accuracy :math:`\varepsilon_\ell = \varepsilon/(2 L_s \Delta^\ell_\to)`.
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

    model: nn.Module
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


def _log1m(q: np.ndarray) -> np.ndarray:
    """log(1 - q) where q > 0, and 0 elsewhere (those entries are never drawn)."""
    with np.errstate(divide="ignore"):
        return np.where(q > 0, np.log1p(-np.minimum(q, 1.0)), 0.0)


def _expected_distinct(lq: np.ndarray, support: np.ndarray, m: np.ndarray) -> float:
    """E #distinct edges drawn, sum_j 1 - (1 - q_j)^m per row of m draws (lq = log(1 - q))."""
    return float(np.sum(np.where(support, -np.expm1(m[:, None] * lq), 0.0)))


class _ExpectedDistinct:
    """``_expected_distinct(lq, q > 0, m)`` for one group, evaluating ``expm1`` on the support only.

    The entries off the support are 0 as there, and the sum runs over the same full array in the
    same order, so the value is the same float; the bisection calls it ~50 times per layer.
    """

    def __init__(self, q: np.ndarray):
        sup = q > 0
        self.rows, cols = np.nonzero(sup)
        self.flat = self.rows * q.shape[1] + cols
        self.lq = _log1m(q)[sup]
        self.buf = np.zeros(q.shape)

    def __call__(self, m: np.ndarray) -> float:
        v = m[self.rows]
        v *= self.lq
        np.expm1(v, out=v)
        np.negative(v, out=v)
        self.buf.flat[self.flat] = v
        return float(np.sum(self.buf))


def _budget_scale(rates, probs, target: float) -> float:
    """Smallest t with sum over groups of E#distinct(ceil(rate * t)) >= target (bisection in log t)."""
    groups = [_ExpectedDistinct(q) for q in probs]

    def nnz(t):
        return sum(g(np.ceil(r * t)) for r, g in zip(rates, groups))
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
    return as_size(eta, "eta"), as_size(eta_star, "eta_star")


def _points(model, inputs, variant, validation_inputs):
    """The points :math:`S` and, for CoreNet++, the validation points (default: halves of ``inputs``)."""
    X = _as_input_tensor(inputs, model)
    if variant != "plusplus":
        return X, None
    if validation_inputs is not None:
        return X, _as_input_tensor(validation_inputs, model, "validation_inputs")
    if X.shape[0] < 2:
        raise ValueError("`inputs` must hold at least 2 points for CoreNet++ without "
                         "`validation_inputs`")
    half = X.shape[0] // 2
    return X[:half], X[half:]


def _prune_dead_neurons(Ws, acts, prune):
    r"""CoreNet+: drop hidden neurons that are 0 on every point of :math:`S`.

    Returns the masks of the neurons kept per layer (all True without ``prune``) and the weights
    with the rows of dropped neurons, and the columns fed by them, set to 0 (those columns are
    irrelevant on :math:`S`: their sensitivity is 0).
    """
    L = len(Ws)
    alive = [np.ones(W.shape[0], dtype=bool) for W in Ws]
    if prune:
        for l in range(L - 1):
            alive[l] = np.any(acts[l + 1] != 0, axis=0)
    Ws_eff = [W * alive[l][:, None] for l, W in enumerate(Ws)]
    for l in range(1, L):
        Ws_eff[l] = Ws_eff[l] * alive[l - 1][None, :]
    return alive, Ws_eff


def _layer_rates(W, A, delta_forward, n_layers, *, c, K, lg):
    r"""Sampling law and sample-size rate of one layer.

    .. math::

        m^\pm_{\ell i} = \lceil r^\pm_{\ell i} / \varepsilon^2 \rceil,\qquad
        r^\pm_{\ell i} = c\, S^\pm_{\ell i} K \log(8\eta/\delta)\, (2 L_s \Delta^\ell_\to)^2.

    Returns ``rate`` of shape (out, 2) (positive, negative group) and the probabilities
    ``(q_plus, q_minus)`` of the edges within each group, each of shape (out, in).
    """
    sens = empirical_sensitivity(W, A)
    tot = np.stack([sens.total_positive, sens.total_negative], axis=1)
    rate = c * tot * K * lg * (2.0 * n_layers * delta_forward) ** 2
    return rate, (_group_probs(sens, True)[0], _group_probs(sens, False)[0])


def _theory_samples(rates, eps, sample_scale, delta_forward_first):
    """Theorem's sample sizes at ``eps`` (times ``sample_scale``), as int64 per layer."""
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        samples = [np.where(r > 0, np.maximum(np.ceil(r / np.float64(eps) ** 2), 1.0), 0.0) for r in rates]
    if sample_scale < 1.0:
        samples = [np.ceil(sample_scale * m) for m in samples]
    if not all(np.all(m <= _MAX_SAMPLES) for m in samples):
        raise ValueError(f"`eps` = {eps:g} needs more than 2**62 draws per neuron "
                         f"(Delta_-> = {delta_forward_first:.3g}); use budget mode (`fraction`)")
    return [m.astype(np.int64) for m in samples]


def _budget_samples(rates, probs, sizes, fraction, allocation):
    """Sample sizes whose expected number of distinct edges is ``fraction`` of the weights.

    ``"layerwise"``: one scale per layer, each layer keeps ``fraction`` of its ``sizes``;
    ``"theory"``: one scale for all layers, the network keeps ``fraction`` of ``sum(sizes)``.
    """
    L = len(rates)
    if allocation == "theory":
        t = _budget_scale([r[:, k] for r in rates for k in (0, 1)],
                          [p[k] for p in probs for k in (0, 1)], fraction * sum(sizes))
        scales = [t] * L
    else:
        scales = [_budget_scale([rates[l][:, 0], rates[l][:, 1]], list(probs[l]), fraction * sizes[l])
                  for l in range(L)]
    samples = [np.ceil(r * s) for r, s in zip(rates, scales)]
    if not all(np.all(m <= _MAX_SAMPLES) for m in samples):
        raise ValueError("`fraction` needs more than 2**62 draws per neuron; lower it")
    return [m.astype(np.int64) for m in samples]


def _certified_eps(rates, samples, eps=None) -> float:
    r"""The smallest :math:`\varepsilon` whose theoretical sample sizes the drawn ones reach.

    :math:`\max_{\ell,i,\pm} \sqrt{r^\pm_{\ell i} / m^\pm_{\ell i}}` (``inf`` if a group with
    :math:`r > 0` got no draw); ``eps`` itself when the theoretical sizes were drawn.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = [np.where(r > 0, np.sqrt(r / np.maximum(m, 0)), 0.0) for r, m in zip(rates, samples)]
    cert = float(max(np.max(x) for x in ratio))
    return eps if eps is not None else cert


def _sparsify_weights(W, probs, m, rng, n_draws=1, A_val=None) -> np.ndarray:
    r"""Sparsified weights of one layer: :math:`\mathrm{Sp}(W^+) - \mathrm{Sp}(-W^-)`.

    With ``n_draws`` > 1 (CoreNet++ amplification), ``n_draws`` independent sparsifications are
    drawn and every neuron keeps the one with the smallest mean absolute error of its
    pre-activation on the validation inputs ``A_val`` (n_val, in).
    """
    qp, qn = probs
    if n_draws == 1:
        return _draw(np.maximum(W, 0), qp, m[:, 0], rng) - _draw(np.maximum(-W, 0), qn, m[:, 1], rng)
    cand = (_draw(np.maximum(W, 0), qp, m[:, 0], rng, size=n_draws)
            - _draw(np.maximum(-W, 0), qn, m[:, 1], rng, size=n_draws))            # (tau, out, in)
    z = A_val @ W.T                                                                 # (nv, out)
    err = np.abs(np.einsum("vj,toj->tvo", A_val, cand) - z[None]).mean(axis=1)      # (tau, out)
    best = np.argmin(err, axis=0)
    return cand[best, np.arange(W.shape[0])]


def _assemble(src, names, weights, biases, alive) -> nn.Module:
    """A copy of ``src`` with the sparsified ``weights`` and the biases of the kept neurons of the
    Linear layers ``names``."""
    new = copy.deepcopy(src)
    with torch.no_grad():
        for nm, What, b, a in zip(names, weights, biases, alive):
            lin = new.get_submodule(nm) if nm else new
            lin.weight.copy_(torch.as_tensor(What, dtype=lin.weight.dtype))
            if lin.bias is not None and b is not None:
                lin.bias.copy_(torch.as_tensor(b * a, dtype=lin.bias.dtype))
    return new


def corenet(model: nn.Module, inputs: torch.Tensor | ArrayLike, eps: float | None = None, delta: float = 0.1,
            rng: np.random.Generator | int | None = None,
            variant: Literal["corenet", "plus", "plusplus"] = "corenet", *, fraction: float | None = None,
            allocation: Literal["layerwise", "theory"] = "layerwise", sample_scale: float = 1.0,
            K: float = 2.0, K_prime: float = 2.0, c: float = 8.0, log_factor: float = 8.0,
            eta: int | None = None, eta_star: int | None = None, amplification: int = 5,
            validation_inputs: torch.Tensor | ArrayLike | None = None, check_sample_size: bool = False,
            device: str | torch.device | None = None) -> CoreNetResult:
    r"""CoreNet: sparsify every layer of a network by empirical-sensitivity sampling.

    .. math::

        \varepsilon' = \frac{\varepsilon}{2 L_s},\qquad
        \varepsilon_\ell = \frac{\varepsilon'}{\Delta^\ell_\to},\qquad
        m^\pm_{\ell i} = \Big\lceil \frac{8 S^\pm_{\ell i} K \log(8\eta/\delta)}
        {\varepsilon_\ell^2}\Big\rceil,

    with the guarantee (Baykal et al., Theorem 4) that for :math:`x` from the law of :math:`S`,
    :math:`P(\hat f(x) \in (1\pm\varepsilon) f(x)) \ge 1 - \delta` (constants as recalled from the
    paper, not checked against its text; see the module docstring). :math:`L_s` is the number of
    sparsified layers: all :math:`L` layers are sparsified here (the paper sparsifies
    :math:`L - 1`).

    Two modes:

    - ``eps`` given: the theoretical sample sizes (often far more draws than edges, so that
      nearly every edge is kept: see :attr:`CoreNetResult.theoretical_kept_fraction`);
    - ``fraction`` given (budget mode): one scale :math:`t = 1/\varepsilon^2` per layer in the
      formula above (``allocation="layerwise"``, the default: every layer keeps the same
      fraction of its weights, and within a layer the draws are spread over neurons and sign
      groups in proportion to :math:`S^\pm_{\ell i}`, as in the formula), or one global scale
      (``"theory"``: the formula's split across layers, which sends most draws to the first
      layers because :math:`\Delta^\ell_\to` is a product over the layers after
      :math:`\ell`), chosen by bisection so that the expected number of distinct edges drawn
      is ``fraction`` of the weights; the result reports the :math:`\varepsilon` those sample
      sizes certify. On the testbeds of :mod:`theory.testbeds` the ``"theory"`` split gives a
      larger output error at the same budget (see the ``coreset_pruning`` experiment).

    Variants: ``"corenet"``; ``"plus"`` (CoreNet+, neuron pruning: hidden neurons whose
    activation is 0 on every point of :math:`S` are removed, so no samples go to them);
    ``"plusplus"`` (CoreNet++: CoreNet+ and amplification, ``amplification`` independent draws
    per layer, keeping for every neuron the draw with the smallest mean absolute error of its
    pre-activation on ``validation_inputs``; as recalled from the paper, not checked against its
    text).

    Any ``torch.nn.Module`` is accepted: every ``nn.Linear`` the forward pass calls (once; a
    shared layer is refused) is sparsified from its inputs on :math:`S`, captured by forward
    hooks in forward order (the model run in eval mode, so Dropout is off; Flatten, Identity and
    reshapes between the layers are fine). The theorem needs non-negative inputs of the hidden
    layers (ReLU outputs): a Linear layer other than the first whose inputs on :math:`S` take a
    negative value (e.g. after LeakyReLU or Tanh) is refused, naming it. The guarantee is stated
    for the chain Linear → activation → Linear; other operations between the layers (e.g.
    BatchNorm) are accepted, but :math:`\Delta` then does not account for them. CoreNet+ and
    CoreNet++ remove hidden neurons, so they need the Linear layers joined by element-wise
    operations (as :func:`theory.spectral.prune_network`). A model pruned with
    ``torch.nn.utils.prune`` is sparsified on a copy with its masks baked in: its pruned weights
    have sensitivity 0, are never drawn and stay 0, and the returned model has plain parameters
    (no pruning hook can undo the sparsification).

    Parameters
    ----------
    model : torch.nn.Module
        With finite parameters and at least one Linear layer (e.g. ``make_mlp``); not modified.
    inputs : tensor or array (n, in_dim) (or (n, ...) for a model that reshapes them)
        The points :math:`S` (all of them are used; the theorem needs ``n >=``
        :attr:`CoreNetConstants.s_size`, checked when ``check_sample_size``).
    eps : float, optional
        Target accuracy :math:`\varepsilon > 0` (theory mode).
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
        Draws per layer for ``"plusplus"`` (>= 1; at most :math:`10^8` divided by the weight count
        of the largest layer, the candidates being held at once).
    validation_inputs : tensor or array (n_val, in_dim), optional
        Held-out points for the amplification; default: the second half of ``inputs`` (and the
        first half is then :math:`S`).
    check_sample_size : bool, default False
        Raise if ``inputs`` has fewer points than :math:`\lceil K'\log(8\eta\eta^*/\delta)\rceil`.
    device : str, torch.device or None
        Device of the returned model (default: the model's).

    Returns
    -------
    CoreNetResult

    Raises
    ------
    ValueError
        On bad input; if neither or both of ``eps`` and ``fraction`` are given; if the
        theoretical sample size exceeds :math:`2^{62}` draws per neuron; if a pre-activation is
        exactly 0 on a point of ``inputs`` (then :math:`\Delta^\ell = \infty`, see
        :func:`delta_terms`, and no sample size is defined); if a hidden Linear layer gets a
        negative input on ``inputs``, a Linear layer is called twice, or (CoreNet+/++) something
        other than element-wise operations joins two Linear layers.

    References
    ----------
    Baykal, Liebenwein, Gilitschenski, Feldman, Rus, ICLR 2019, Algorithms 1–2, Theorem 4
    (guarantee), §5 (CoreNet+, CoreNet++).

    Examples
    --------
    ``make_mlp(4, [8], 2)`` has η = 8 + 2 = 10 neurons, largest fan-in η* = 8 and
    4·8 + 8·2 = 48 weights. Both layers are sparsified (L_s = 2), so
    ε_ℓ = ε/(2 · 2 · Δ^ℓ_→); at ε = 0.5 the theoretical sample sizes far exceed the number of
    edges and every weight is kept. In budget mode the expected number of distinct edges drawn
    is half of 48 = 24.

    >>> import numpy as np
    >>> from theory.coresets import corenet
    >>> from theory.testbeds.nets import make_mlp
    >>> net = make_mlp(4, [8], 2, seed=0)
    >>> x = np.random.default_rng(0).standard_normal((64, 4))
    >>> r = corenet(net, x, eps=0.5, rng=0)
    >>> r.constants.eta, r.constants.eta_star, r.nonzero_weights, r.total_weights
    (10, 8, 48, 48)
    >>> bool(np.allclose(r.eps_layers, 0.5 / (2 * 2 * r.delta_terms.delta_forward), rtol=1e-12))
    True
    >>> r = corenet(net, x, fraction=0.5, rng=0)
    >>> r.mode, abs(r.nonzero_weights - 24) <= 6
    ('budget', True)
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
    sample_scale = as_float(sample_scale, "sample_scale", low=0.0, high=1.0, low_open=True)
    K, c = check_positive(K, "K"), check_positive(c, "c")
    check_bool(check_sample_size, "check_sample_size")
    rng = check_rng(rng)
    src, _ = _prepare_model(model, device)
    # CoreNet++ holds `amplification` candidate weight matrices of a layer at once
    largest = max(l.weight.numel() for l in linear_layers(src))
    amplification = as_size(amplification, "amplification", high=max(1, _MAX_CANDIDATE_ENTRIES // largest))
    X, Xval = _points(src, inputs, variant, validation_inputs)
    eta, eta_star = _network_constants(src, eta, eta_star)
    consts = corenet_constants(eta, eta_star, delta, K_prime=K_prime, log_factor=log_factor)
    if check_sample_size and X.shape[0] < consts.s_size:
        raise ValueError(f"`inputs` must hold at least {consts.s_size} points "
                         f"(K' log(8 eta eta*/delta)); got {X.shape[0]}")
    names, acts = _layer_inputs(src, X)
    lins = [src.get_submodule(nm) for nm in names]
    L = len(lins)
    for l in range(1, L):
        if np.any(acts[l] < 0):
            src_op = _producer(src, names[l])
            raise ValueError(f"`model`: corenet needs non-negative layer inputs (ReLU) for the hidden Linear layers; "
                             f"found {src_op + ' before ' if src_op else 'negative inputs of '}`{names[l]}` "
                             f"(layer {l}), whose inputs on `inputs` go down to {float(acts[l].min()):.3g}")
    if variant in ("plus", "plusplus"):
        from .._torch import _linear_chain

        chain = _linear_chain(src, f"corenet variant {variant!r} removes hidden neurons between consecutive Linear "
                                   "layers joined by element-wise operations", tail=False)
        if chain.names != names:
            raise ValueError(f"`model`: the Linear layers {chain.names} do not form the forward chain {names}")
    acts_val = _layer_inputs(src, Xval, "validation_inputs")[1] if Xval is not None else [None] * L
    Ws = [l.weight.detach().cpu().double().numpy() for l in lins]
    bs = [l.bias.detach().cpu().double().numpy() if l.bias is not None else None for l in lins]
    alive, Ws_eff = _prune_dead_neurons(Ws, acts, variant in ("plus", "plusplus"))

    dterms = delta_terms(Ws_eff, acts, kappa=consts.kappa, biases=bs)
    if not np.all(np.isfinite(dterms.delta_forward)):
        bad = [l for l in range(L) if not np.isfinite(dterms.delta_hat[l])]
        where = (f"a pre-activation of layer {bad[0]} is exactly 0 on a point" if bad
                 else "the amplification product overflows")
        raise ValueError(f"`inputs`: {where}, so Delta is infinite and the sample sizes are undefined")
    lg = _log_term(log_factor, eta, delta)
    layers = [_layer_rates(W, A, dterms.delta_forward[l], L, c=c, K=K, lg=lg)
              for l, (W, A) in enumerate(zip(Ws_eff, acts))]
    rates = [r for r, _ in layers]
    probs = [q for _, q in layers]
    if eps is not None:
        mode = "eps"
        samples = _theory_samples(rates, eps, sample_scale, dterms.delta_forward[0])
    else:
        mode = "budget"
        samples = _budget_samples(rates, probs, [W.size for W in Ws], fraction, allocation)
    cert = _certified_eps(rates, samples, eps if mode == "eps" and sample_scale == 1.0 else None)
    eps_layers = cert / (2.0 * L * dterms.delta_forward)
    with np.errstate(over="ignore"):
        theo = [np.where(r > 0, np.maximum(np.ceil(r / np.float64(cert) ** 2), 1.0), 0.0)
                if math.isfinite(cert) and cert > 0 else np.full(r.shape, np.inf) for r in rates]

    n_draws = amplification if variant == "plusplus" else 1
    Whats = [_sparsify_weights(W, q, m, rng, n_draws, Av)
             for W, q, m, Av in zip(Ws_eff, probs, samples, acts_val)]
    new = _assemble(src, names, Whats, bs, alive)
    nnz = sum(int(torch.count_nonzero(new.get_submodule(nm).weight)) for nm in names)
    total = sum(W.size for W in Ws)
    pruned = [int(np.sum(~a)) for a in alive[:-1]]
    return CoreNetResult(new, variant, mode, float(cert), delta, eps_layers, theo, samples, dterms,
                         consts, nnz, total, pruned)
