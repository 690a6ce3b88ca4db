"""Seeded recipes that train, compress and evaluate (layer L2).

A protocol is the one computation behind a number: the claims of :mod:`theory.catalog` and the
experiments call the same function with the same parameters, so a figure's claim row and a
test's claim check cannot drift apart. Protocols are pure given their seed, take ``device=``
where a network is involved, and return plain dicts of numbers (JSON-able rows).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np

from .._checks import (MAX_SIZE, as_array, as_float, as_int, as_size, check_in, check_nonnegative, check_positive,
                       check_probability, check_psd, check_rng)
from ..claims import Measurement
from ..rate_distortion import bernoulli_hamming_rate_distortion, blahut_arimoto

__all__ = ["bernoulli_blahut_arimoto"]


# ---- argument checks shared by the recipes (run at entry, before any training) ----------------

# Seeds are offset (e.g. seed + 777 000) and fed to numpy and torch generators.
_MAX_SEED = 2**62


def _seed(seed, name: str = "seed") -> int:
    return as_int(seed, name, low=0, high=_MAX_SEED)


def _seq(x, name: str, *, empty: bool = False) -> list:
    """``x`` as a list; a string, a mapping or a scalar is refused (and an empty one unless ``empty``)."""
    if isinstance(x, (str, bytes, Mapping)) or not isinstance(x, (Sequence, np.ndarray)):
        raise ValueError(f"`{name}` must be a sequence; got {x!r}")
    items = list(x)
    if not items and not empty:
        raise ValueError(f"`{name}` must not be empty")
    return items


def _sizes(x, name: str, *, low: int = 1, empty: bool = False) -> list:
    """A sequence of counts (e.g. hidden widths), each in [low, MAX_SIZE]."""
    return [as_size(v, name, low=low) for v in _seq(x, name, empty=empty)]


def _fractions(x, name: str = "fractions") -> list:
    """A non-empty sequence of fractions in (0, 1]."""
    return [as_float(f, name, low=0.0, low_open=True, high=1.0) for f in _seq(x, name)]


def _delta(delta, name: str = "delta") -> float:
    return check_probability(delta, name, open_low=True, open_high=True)


def _record(row, name: str, keys) -> Mapping:
    """``row`` if it is a mapping holding ``keys`` (a row of a recipe)."""
    return _params(row, keys, name)


def _records(rows, keys, name: str = "rows") -> list:
    """A sequence of rows, each a mapping holding ``keys``."""
    items = _seq(rows, name, empty=True)
    for r in items:
        _record(r, name, keys)
    return items


def _student(hidden, n, epochs, seed, *, n_low: int = 1):
    """The arguments of a trained student: hidden widths, sample size, epochs, seed."""
    return _sizes(hidden, "hidden"), as_size(n, "n", low=n_low), as_size(epochs, "epochs", low=0), _seed(seed)


# ---- rate–distortion (Cover & Thomas 2006, ch. 10) ------------------------------------------

def bernoulli_blahut_arimoto(p: float, beta: float) -> dict:
    """Blahut–Arimoto on a Bernoulli(p) source with Hamming distortion at slope ``beta``.

    Returns the rate, distortion, certified bracket and iteration count, the closed form
    h(p) − h(D) at BA's distortion, and the bracket as a measurement: ``bracket_mid`` ± 3
    ``bracket_se`` is [R_lower, R_upper], so that an identity claim checked at 3 standard errors
    holds exactly when h(p) − h(D) lies in the bracket.
    """
    p = check_probability(p, "p")
    beta = check_nonnegative(beta, "beta")
    px = np.array([1 - p, p])
    res = blahut_arimoto(px, 1.0 - np.eye(2), beta)
    m = Measurement((res.rate_lower + res.rate_upper) / 2, max(res.gap, 0.0) / 6)
    return {"rate": res.rate, "distortion": res.distortion, "gap": res.gap, "rate_lower": res.rate_lower,
            "rate_upper": res.rate_upper, "iterations": res.iterations,
            "closed_form": bernoulli_hamming_rate_distortion(p, res.distortion),
            "bracket_mid": m.value, "bracket_se": m.se}


# ---- spectral pruning (Suzuki et al., IJCAI 2020) -------------------------------------------
# (section: spectral)
#
# Seed offsets of the spectral recipes: the generator of the random and leverage selections of
# spectral_dof is seeded with seed + 10 000; unlabelled target inputs use seed + 555 000 and the
# fresh samples of population risks seed + 777 000 (disjoint from the training sample, seed).
_SPECTRAL_SELECT_SEED = 10_000
_SPECTRAL_TARGET_SEED = 555_000
_SPECTRAL_FRESH_SEED = 777_000
# Ridge τ of the greedy, random and magnitude selections of spectral_dof, relative to the mean
# eigenvalue Tr Σ̂ / m of the layer covariance.
_SPECTRAL_REL_TAU = 1e-4


def spectral_teacher_student(cfg=None, device="cpu"):
    r"""The teacher–student regression distribution of the spectral-pruning experiments.

    Parameters
    ----------
    cfg : dict, optional
        Overrides of :data:`theory.testbeds.configs.SPECTRAL_TEACHER_STUDENT`.
    device : str or torch.device, default "cpu"

    Returns
    -------
    theory.testbeds.nets.TeacherStudent
    """
    from .configs import SPECTRAL_TEACHER_STUDENT
    from .nets import TeacherStudent

    if cfg is not None:
        if not isinstance(cfg, Mapping):
            raise ValueError(f"`cfg` must be None or a dict of overrides; got {type(cfg).__name__}")
        unknown = sorted(set(cfg) - set(SPECTRAL_TEACHER_STUDENT))
        if unknown:
            raise ValueError(f"`cfg` may only override {sorted(SPECTRAL_TEACHER_STUDENT)}; got unknown keys {unknown}")
    c = {**SPECTRAL_TEACHER_STUDENT, **(cfg or {})}
    return TeacherStudent(in_dim=c["in_dim"], teacher_widths=c["teacher_widths"], out_dim=1, task="regression",
                          activation=c["activation"], noise_std=c["noise_std"], teacher_seed=c["teacher_seed"],
                          device=device)


def spectral_train_student(ts, n, hidden, epochs, seed, device="cpu"):
    r"""Sample ``n`` training points of ``ts`` (seeded) and train a ReLU student on them.

    The training recipe is :data:`theory.testbeds.configs.SPECTRAL_STUDENT_TRAINING`; the sample
    and the initialisation are both seeded with ``seed``.

    Parameters
    ----------
    ts : theory.testbeds.nets.TeacherStudent
    n : int
        Training-sample size.
    hidden : list of int
        Hidden widths of the student.
    epochs : int
    seed : int
    device : str or torch.device, default "cpu"

    Returns
    -------
    (torch.nn.Sequential, torch.Tensor, torch.Tensor)
        The trained student and its training inputs and targets.
    """
    from .configs import SPECTRAL_STUDENT_TRAINING as T
    from .nets import TeacherStudent, make_mlp, train

    if not isinstance(ts, TeacherStudent):
        raise ValueError(f"`ts` must be a TeacherStudent; got {type(ts).__name__}")
    if ts.task != "regression" or ts.out_dim != 1:
        raise ValueError(f"`ts` must be a regression teacher–student with one output; got task={ts.task!r}, "
                         f"out_dim={ts.out_dim}")
    hidden, n, epochs, seed = _student(hidden, n, epochs, seed)
    X, Y = ts.sample(n, rng=seed)
    model = make_mlp(ts.in_dim, hidden, 1, activation="relu", seed=seed, device=device)
    train(model, X, Y, "regression", epochs=epochs, lr=T["lr"], batch_size=T["batch_size"], seed=seed,
          device=device, weight_decay=T["weight_decay"])
    return model, X, Y


def spectral_train_digits(n, hidden, epochs, seed, device="cpu"):
    r"""Train a ReLU digits classifier on ``min(n, 1437)`` training images (seeded split).

    The recipe is :data:`theory.testbeds.configs.SPECTRAL_DIGITS_TRAINING`.

    Returns
    -------
    (torch.nn.Sequential, torch.Tensor)
        The trained classifier and its (standardised) training inputs.
    """
    from .configs import SPECTRAL_DIGITS_TRAINING as T
    from .data import N_DIGIT_CLASSES, load_digits_split
    from .nets import make_mlp, train

    hidden, n, epochs, seed = _student(hidden, n, epochs, seed, n_low=N_DIGIT_CLASSES)
    split = load_digits_split(n_train=min(n, 1437), seed=seed, device=device)
    model = make_mlp(64, hidden, 10, activation="relu", seed=seed, device=device)
    train(model, split.X_train, split.y_train, "classification", epochs=epochs, lr=T["lr"],
          batch_size=T["batch_size"], seed=seed, device=device, weight_decay=T["weight_decay"])
    return model, split.X_train


def _spectral_eigenvalues(S):
    """Eigenvalues of a covariance, clipped at 0, in decreasing order."""
    return np.sort(np.clip(np.linalg.eigvalsh(S), 0, None))[::-1]


def _spectral_lam_for_dof(mu, target):
    """λ with N̂(λ) = target (bisection on log λ; N̂ decreases in λ)."""
    import math

    from .. import spectral as sp

    lo, hi = 1e-14 * mu[0], 1e6 * mu.sum()
    for _ in range(200):
        mid = math.sqrt(lo * hi)
        if sp.degrees_of_freedom(mu, mid) > target:
            lo = mid
        else:
            hi = mid
        if hi / lo < 1 + 1e-9:
            break
    return hi


def spectral_leverage_guarantee(cov, width, delta, reps, rng=None, next_weight=None) -> dict:
    r"""Failure rate of the leverage-sampling guarantee at ``width`` i.i.d. draws.

    With :math:`\lambda^\sharp` the smallest :math:`\lambda` whose sampling width
    :math:`m^\sharp(\lambda, \delta) = 5\hat N(\lambda)\log(80\hat N(\lambda)/\delta)` is at most
    ``width`` (:func:`theory.spectral.lambda_for_width`), draw ``width`` nodes i.i.d. from the
    ridge leverage scores at :math:`\lambda^\sharp` (:func:`theory.spectral.leverage_sample`,
    derived weights :math:`\tau_j`), ``reps`` times, and record whether
    :math:`\lambda_{\max}(R_\tau(J)) > 4\lambda^\sharp` (Bach, JMLR 2017, Prop. 1; Suzuki et al.,
    IJCAI 2020, Thm. 1: probability at most :math:`\delta`).

    Parameters
    ----------
    cov : array_like, shape (m, m)
        Symmetric PSD layer covariance :math:`\hat\Sigma`.
    width : int
        Number of i.i.d. draws :math:`s` (may exceed ``m``).
    delta : float in (0, 1)
    reps : int >= 2
    rng : None, int or numpy.random.Generator
        A Generator is used (and advanced) in place.
    next_weight : array_like, shape (p, m), optional
        :math:`Z = W^{(\ell+1)}`: also report the mean output-aware loss :math:`L_B(J)` and its
        guarantee :math:`4\lambda^\sharp\lVert Z\rVert_F^2`.

    Returns
    -------
    dict
        ``lam_sharp, n_dof_at_lam_sharp, fail_rate, fail_se`` (mean and standard error of the
        failure indicator), ``distinct`` (mean number of distinct nodes), ``max_ratio``
        (largest :math:`\lambda_{\max}(R_\tau)/\lambda^\sharp`), and with ``next_weight``
        ``loss`` and ``loss_bound``.
    """
    from .. import spectral as sp

    check_psd(cov, "cov")
    S = np.asarray(cov, dtype=float)
    width = as_size(width, "width")
    delta = _delta(delta)
    reps = as_size(reps, "reps", low=2)
    if next_weight is not None:
        next_weight = as_array(next_weight, "next_weight", ndim=2, shape=(None, S.shape[0]))
    gen = check_rng(rng)
    mu = _spectral_eigenvalues(S)
    lam_w = sp.lambda_for_width(mu, width, delta=delta)
    distinct, pen, lb, fails = [], [], [], []
    for _ in range(reps):
        smp = sp.leverage_sample(S, lam=lam_w, draws=width, rng=gen)
        top = float(np.linalg.eigvalsh(sp.residual_covariance(S, smp.keep, smp.tau))[-1])
        fails.append(float(top > sp.leverage_reconstruction_guarantee(lam_w)))
        pen.append(top / lam_w)
        distinct.append(smp.keep.size)
        if next_weight is not None:
            lb.append(sp.pruning_loss(S, smp.keep, smp.tau, theta=0.0, next_weight=next_weight))
    fm = Measurement.from_samples(fails)
    out = {"lam_sharp": float(lam_w), "n_dof_at_lam_sharp": float(sp.degrees_of_freedom(mu, lam_w)),
           "fail_rate": fm.value, "fail_se": fm.se, "distinct": float(np.mean(distinct)),
           "max_ratio": float(np.max(pen))}
    if next_weight is not None:
        out["loss"] = float(np.mean(lb))
        out["loss_bound"] = sp.leverage_reconstruction_guarantee(lam_w, next_weight=next_weight)
    return out


def spectral_layer_errors(cov, next_weight, widths, n_random, n_leverage, reps, n_lams, delta, rng):
    r"""Spectrum, degrees of freedom and output reconstruction errors of one layer (``spectral_dof``).

    For each kept width :math:`w < m` the output-aware error
    :math:`e(J) = \frac1n\sum_i\lVert Z(\phi - \hat A_J\phi_J)\rVert^2` of greedy spectral
    selection, magnitude (outgoing-norm) selection, ``n_random`` uniformly random subsets and
    ``n_leverage`` ridge-leverage samples (:math:`\lambda` with :math:`\hat N(\lambda) = w`), all
    with the optimal :math:`\hat A_J` and ridge :math:`\tau = 10^{-4}\,\mathrm{Tr}\hat\Sigma/m`;
    then :func:`spectral_leverage_guarantee` at ``width = w``. The draws use ``rng`` in this
    order: random subsets, leverage samples, guarantee draws, width after width.

    Parameters
    ----------
    cov : ndarray, shape (m, m)
    next_weight : ndarray, shape (p, m)
    widths : list of int
    n_random, n_leverage, reps, n_lams : int
    delta : float
    rng : numpy.random.Generator

    Returns
    -------
    (dict, list of dict)
        The spectrum row and one row per width below ``m``.
    """
    import math

    from .. import spectral as sp

    check_psd(cov, "cov")
    S = np.asarray(cov, dtype=float)
    Z = as_array(next_weight, "next_weight", ndim=2, shape=(None, S.shape[0]))
    widths = _sizes(widths, "widths", empty=True)
    n_random = as_size(n_random, "n_random", low=2)
    n_leverage = as_size(n_leverage, "n_leverage")
    reps = as_size(reps, "reps", low=2)
    n_lams = as_size(n_lams, "n_lams", high=10**6)
    delta = _delta(delta)
    rng = check_rng(rng)
    m = S.shape[0]
    mu = _spectral_eigenvalues(S)
    lam_rel = np.geomspace(1e-6, 1.0, n_lams)
    dof = sp.degrees_of_freedom(mu, lam_rel * mu[0])
    tau = _SPECTRAL_REL_TAU * float(np.trace(S)) / m
    e0 = float(np.trace(Z @ S @ Z.T))
    rows = []
    for w in widths:
        if w >= m:
            continue
        g = sp.spectral_prune(S, w, tau, theta=0.0, next_weight=Z, method="greedy")
        mag = sp.spectral_prune(S, w, tau, theta=0.0, next_weight=Z, method="magnitude")
        err = {"greedy": sp.reconstruction_error(S, g.keep, g.A, Z),
               "magnitude": sp.reconstruction_error(S, mag.keep, mag.A, Z)}
        rnd = []
        for _ in range(n_random):
            r = sp.spectral_prune(S, w, tau, theta=0.0, next_weight=Z, method="random", rng=rng)
            rnd.append(sp.reconstruction_error(S, r.keep, r.A, Z))
        # leverage sampling in practice: q from the λ with N̂(λ) = w, w distinct nodes, same τ
        lam_n = _spectral_lam_for_dof(mu, w)
        lev = []
        for _ in range(n_leverage):
            r = sp.spectral_prune(S, w, lam_n, theta=0.0, next_weight=Z, method="leverage", rng=rng, tau=tau)
            lev.append(sp.reconstruction_error(S, r.keep, r.A, Z))
        # the guarantee regime: λ♯(w) (m♯(λ♯, δ) = w), w i.i.d. draws, derived τ_j = λ s q_j / c_j
        gu = spectral_leverage_guarantee(S, w, delta, reps, rng=rng, next_weight=Z)
        rows.append({"kind": "prune", "width": int(w), "e0": e0,
                     "greedy_error": err["greedy"], "magnitude_error": err["magnitude"],
                     "random_error": float(np.mean(rnd)),
                     "random_error_se": float(np.std(rnd, ddof=1) / math.sqrt(len(rnd))),
                     "leverage_error": float(np.mean(lev)), "lam_dof": float(lam_n),
                     "guarantee_distinct": gu["distinct"], "guarantee_loss": gu["loss"],
                     "lam_sharp": gu["lam_sharp"], "n_dof_at_lam_sharp": gu["n_dof_at_lam_sharp"],
                     "leverage_bound": gu["loss_bound"],
                     "guarantee_fail_rate": gu["fail_rate"], "guarantee_fail_se": gu["fail_se"],
                     "max_ratio_lmax_over_lam": gu["max_ratio"]})
    spec = {"kind": "spectrum", "width": m, "eig_rel": (mu / mu[0]).tolist(), "lam_rel": lam_rel.tolist(),
            "dof": np.asarray(dof).tolist(), "trace": float(np.trace(S))}
    return spec, rows


def spectral_dof(net, hidden, n, epochs, seed, prune_widths, n_random, n_leverage, reps, n_lams, delta,
                 device="cpu") -> list:
    r"""Train a net and analyse every hidden layer with :func:`spectral_layer_errors` (``spectral_dof``).

    Parameters
    ----------
    net : {"teacher_student", "digits"}
        The student of :func:`spectral_teacher_student` trained by
        :func:`spectral_train_student`, or the classifier of :func:`spectral_train_digits`.
    hidden : list of int
    n, epochs, seed : int
        Training-sample size, epochs, seed (of the sample, the initialisation and, offset by
        10 000, the selection generator shared by all layers and widths).
    prune_widths, n_random, n_leverage, reps, n_lams, delta
        See :func:`spectral_layer_errors`.
    device : str or torch.device, default "cpu"

    Returns
    -------
    list of dict
        Per hidden layer (``layer`` counted from 0): its spectrum row, then one row per width.
    """
    from .. import spectral as sp
    from .._torch import linear_layers

    check_in(net, "net", ("teacher_student", "digits"))
    hidden, n, epochs, seed = _student(hidden, n, epochs, seed, n_low=10 if net == "digits" else 1)
    prune_widths = _sizes(prune_widths, "prune_widths", empty=True)
    as_size(n_random, "n_random", low=2)
    as_size(n_leverage, "n_leverage")
    as_size(reps, "reps", low=2)
    as_size(n_lams, "n_lams", high=10**6)
    _delta(delta)
    if net == "teacher_student":
        ts = spectral_teacher_student(device=device)
        model, X, _ = spectral_train_student(ts, n, hidden, epochs, seed, device=device)
    elif net == "digits":
        model, X = spectral_train_digits(n, hidden, epochs, seed, device=device)
    else:
        raise ValueError(f"`net` must be 'teacher_student' or 'digits'; got {net!r}")
    lins = linear_layers(model)
    out = []
    rng = np.random.default_rng(seed + _SPECTRAL_SELECT_SEED)
    for layer in range(len(lins) - 1):
        S = sp.activation_covariance(model, X, layer)
        Z = lins[layer + 1].weight.detach().double().cpu().numpy()
        spec, rows = spectral_layer_errors(S, Z, prune_widths, n_random, n_leverage, reps, n_lams, delta, rng)
        out.append({**spec, "layer": layer})
        out.extend({**r, "layer": layer} for r in rows)
    return out


def _spectral_prune_student(model, X, hidden, width, theta, method, seed, cov_inputs=None):
    """Prune every hidden layer of a student to ``min(width, h)`` (rng = seed)."""
    from .. import spectral as sp

    widths = [min(width, h) for h in hidden]
    return sp.prune_network(model, X, widths=widths, theta=theta, method=method, rng=seed, cov_inputs=cov_inputs)


def _spectral_cov_inputs(ts, X, n_target, seed, input_mean, input_scale):
    """The inputs whose activations define Σ̂: source (training), target (unlabelled) and both."""
    import torch

    Xt, _ = ts.sample(n_target, rng=seed + _SPECTRAL_TARGET_SEED, input_mean=input_mean,
                      input_scale=input_scale)
    return {"source": X, "target": Xt, "mixed": torch.cat([X, Xt])}


def _variants(variants) -> list:
    """A non-empty sequence of (method, theta) pairs of spectral pruning."""
    from ..spectral import SELECTION_METHODS

    out = []
    for v in _seq(variants, "variants"):
        if isinstance(v, (str, bytes)) or not isinstance(v, (Sequence, np.ndarray)) or len(v) != 2:
            raise ValueError(f"`variants` must hold (method, theta) pairs; got {v!r}")
        check_in(v[0], "variants", SELECTION_METHODS)
        check_probability(v[1], "variants")
        out.append(v)
    return out


def spectral_distortion_sides(row) -> tuple:
    r"""Both sides of the output-distortion claim from a pruning row.

    Returns ``(bound, measured)``: :math:`\sum_\ell\mathrm{Lip}_\ell\sqrt{e_\ell}`
    (:func:`theory.spectral.compression_bias_bound`) and the measured root-mean-square output
    distortion :math:`\lVert f^\sharp - f\rVert_{L^2(P_n)}` on the covariance inputs.
    """
    import math

    from .. import spectral as sp

    _record(row, "row", ("layer_errors", "lipschitz", "output_distortion"))
    dist = check_nonnegative(row["output_distortion"], "row['output_distortion']")
    return sp.compression_bias_bound(row["layer_errors"], row["lipschitz"]), math.sqrt(dist)


def spectral_student_distortion(hidden, n, epochs, seed, width, theta, method="greedy", cov="source",
                                n_target=500, input_mean=0.7, input_scale=1.4, device="cpu") -> dict:
    r"""Train the teacher–student student, prune it once, return its distortion numbers.

    The student of :func:`spectral_tradeoff` and :func:`spectral_shift` (same sample, seed and
    recipe) is pruned to ``min(width, h)`` per hidden layer with :math:`\hat\Sigma` from the
    source training inputs (``cov="source"``), from ``n_target`` unlabelled target inputs
    N(m·1, s² I) with m = ``input_mean``, s = ``input_scale`` (``"target"``) or from both (``"mixed"``), exactly as
    those recipes prune.

    Returns
    -------
    dict
        ``layer_errors, lipschitz, output_distortion`` (mean squared distortion on the covariance
        inputs), ``n_params``, and ``bound`` and ``measured`` of
        :func:`spectral_distortion_sides`.
    """
    from ..spectral import SELECTION_METHODS

    hidden, n, epochs, seed = _student(hidden, n, epochs, seed)
    width = as_size(width, "width")
    theta = check_probability(theta, "theta")
    check_in(method, "method", SELECTION_METHODS)
    check_in(cov, "cov", ("source", "target", "mixed"))
    ts = spectral_teacher_student(device=device)
    if cov != "source":
        n_target = as_size(n_target, "n_target")
        ts._moments(input_mean, input_scale)       # checks the target input law
    model, X, _ = spectral_train_student(ts, n, hidden, epochs, seed, device=device)
    if cov == "source":
        data = X
    else:
        data = _spectral_cov_inputs(ts, X, n_target, seed, input_mean, input_scale)[cov]
    res = _spectral_prune_student(model, X, hidden, width, theta, method, seed, cov_inputs=data)
    row = {"layer_errors": res.layer_errors, "lipschitz": res.lipschitz,
           "output_distortion": res.output_distortion, "n_params": res.n_params}
    row["bound"], row["measured"] = spectral_distortion_sides(row)
    return row


def spectral_tradeoff(hidden, n, epochs, seed, widths, variants, n_fresh, delta, device="cpu") -> list:
    r"""Prune the trained student at each width and variant: fresh-sample risk and the bound (``spectral_tradeoff``).

    For each ``(method, theta)`` of ``variants`` and each width ``w``, both hidden layers are
    pruned to ``min(w, h)`` (:func:`theory.spectral.prune_network`, ``rng = seed``); the pruned
    net's population risk is measured on ``n_fresh`` fresh samples (seed + 777 000, the same for
    every net) and the bias–variance bound :func:`theory.spectral.compression_generalization_bound`
    (Suzuki et al., IJCAI 2020, Thm. 2, constants as recalled) is evaluated with the unpruned
    training risk.

    Parameters
    ----------
    hidden : list of int
    n, epochs, seed : int
    widths : list of int
    variants : list of (str, float)
        ``(method, theta)`` pairs.
    n_fresh : int
    delta : float in (0, 1)
    device : str or torch.device, default "cpu"

    Returns
    -------
    list of dict
        One row per variant and width.
    """
    from .._torch import count_parameters
    from .. import spectral as sp
    from .nets import evaluate

    hidden, n, epochs, seed = _student(hidden, n, epochs, seed)
    widths = _sizes(widths, "widths")
    variants = _variants(variants)
    n_fresh = as_size(n_fresh, "n_fresh", low=2)
    delta = _delta(delta)
    ts = spectral_teacher_student(device=device)
    model, X, Y = spectral_train_student(ts, n, hidden, epochs, seed, device=device)
    fresh_seed = seed + _SPECTRAL_FRESH_SEED
    full_risk = ts.population_risk(model, n_fresh=n_fresh, rng=fresh_seed)
    train_full = evaluate(model, X, Y, "regression").value
    rows = []
    for method, theta in variants:
        for w in widths:
            res = _spectral_prune_student(model, X, hidden, w, theta, method, seed)
            pop = ts.population_risk(res.model, n_fresh=n_fresh, rng=fresh_seed)
            tr = evaluate(res.model, X, Y, "regression").value
            bound = sp.compression_generalization_bound(train_full, res.layer_errors, res.lipschitz,
                                                        [ts.in_dim, *res.widths, 1], n, delta=delta)
            rows.append({"method": method, "theta": theta, "width": int(w), "n_params": res.n_params,
                         "n_params_original": count_parameters(model),
                         "population_risk": pop.loss.value, "population_risk_se": pop.loss.se,
                         "train_risk": tr, "train_risk_full": train_full,
                         "population_risk_full": full_risk.loss.value,
                         "population_risk_full_se": full_risk.loss.se,
                         "bayes_risk": ts.bayes_risk(), "bound": bound.bound, "bound_bias": bound.bias,
                         "bound_variance": bound.variance, "layer_errors": res.layer_errors,
                         "lipschitz": res.lipschitz, "output_distortion": res.output_distortion,
                         "n_dof": res.n_dof})
    return rows


def spectral_shift(hidden, n, n_target, epochs, seed, widths, n_fresh, input_mean, input_scale, theta,
                   covs=("source", "target", "mixed"), device="cpu") -> list:
    r"""Prune the trained student with Σ̂ from source, target or both inputs; risks on both domains (``spectral_shift``).

    The student of :func:`spectral_tradeoff` is pruned greedily (both hidden layers to
    ``min(w, h)``) with :math:`\hat\Sigma` from each of ``covs`` (Dillard, Shinya, Suzuki,
    arXiv:1912.11853: target activations need only unlabelled target inputs). Each pruned net's
    risk is measured on the same fresh target sample and the same fresh source sample
    (seed + 777 000); the target risk is also compared with the source-covariance net's through
    the paired per-sample difference on the fresh target sample.

    Parameters
    ----------
    hidden : list of int
    n, n_target, epochs, seed : int
    widths : list of int
    n_fresh : int
    input_mean, input_scale : float
        The target input law N(input_mean·1, input_scale² I).
    theta : float in [0, 1]
    covs : sequence of {"source", "target", "mixed"}, starting with "source"
    device : str or torch.device, default "cpu"

    Returns
    -------
    list of dict
        One row per width and covariance.
    """
    import torch

    from .._torch import loss_fn

    covs = tuple(_seq(covs, "covs"))
    if not covs or covs[0] != "source" or not set(covs) <= {"source", "target", "mixed"}:
        raise ValueError(f"`covs` must start with 'source' and hold 'target' or 'mixed'; got {covs!r}")
    hidden, n, epochs, seed = _student(hidden, n, epochs, seed)
    n_target = as_size(n_target, "n_target")
    widths = _sizes(widths, "widths")
    n_fresh = as_size(n_fresh, "n_fresh", low=2)
    theta = check_probability(theta, "theta")
    ts = spectral_teacher_student(device=device)
    ts._moments(input_mean, input_scale)           # checks the target input law
    model, X, _ = spectral_train_student(ts, n, hidden, epochs, seed, device=device)
    shift = {"input_mean": input_mean, "input_scale": input_scale}
    cov_data = _spectral_cov_inputs(ts, X, n_target, seed, input_mean, input_scale)
    fresh = seed + _SPECTRAL_FRESH_SEED
    full_t = ts.population_risk(model, n_fresh=n_fresh, rng=fresh, **shift).loss
    full_s = ts.population_risk(model, n_fresh=n_fresh, rng=fresh).loss
    Xf, Yf = ts.sample(n_fresh, rng=fresh, **shift)  # the fresh target sample, for paired losses
    lf = loss_fn("regression")
    rows = []
    for w in widths:
        per_sample = {}
        for name in covs:
            res = _spectral_prune_student(model, X, hidden, w, theta, "greedy", seed, cov_inputs=cov_data[name])
            rt = ts.population_risk(res.model, n_fresh=n_fresh, rng=fresh, **shift).loss
            rs = ts.population_risk(res.model, n_fresh=n_fresh, rng=fresh).loss
            with torch.no_grad():
                per_sample[name] = lf(res.model(Xf), Yf).double().cpu().numpy()
            diff = Measurement.from_samples(per_sample[name] - per_sample["source"]) if name != "source" else None
            rows.append({"cov": name, "width": int(w), "n_params": res.n_params,
                         "minus_source_target_risk": diff.value if diff else 0.0,
                         "minus_source_target_risk_se": diff.se if diff else 0.0,
                         "target_risk": rt.value, "target_risk_se": rt.se,
                         "source_risk": rs.value, "source_risk_se": rs.se,
                         "target_risk_full": full_t.value, "source_risk_full": full_s.value,
                         "bayes_risk": ts.bayes_risk(), "layer_errors": res.layer_errors,
                         "lipschitz": res.lipschitz, "output_distortion": res.output_distortion})
    return rows


def spectral_target_covariance_sides(source_row, target_row) -> tuple:
    r"""Both sides of the target-covariance claim from the two :func:`spectral_shift` rows of one width.

    Returns ``(bound, measured, se)``: the target risk of the net pruned with source
    :math:`\hat\Sigma`, that risk plus the mean paired per-sample difference of the net pruned
    with target :math:`\hat\Sigma` (both nets are evaluated on the same fresh target sample), and
    the standard error of that paired difference.
    """
    s = _record(source_row, "source_row", ("target_risk",))
    t = _record(target_row, "target_row", ("minus_source_target_risk", "minus_source_target_risk_se"))
    return s["target_risk"], s["target_risk"] + t["minus_source_target_risk"], t["minus_source_target_risk_se"]


__all__ += ["spectral_teacher_student", "spectral_train_student", "spectral_train_digits",
            "spectral_leverage_guarantee", "spectral_layer_errors", "spectral_dof", "spectral_distortion_sides",
            "spectral_student_distortion", "spectral_tradeoff", "spectral_shift",
            "spectral_target_covariance_sides"]


# ---- coresets (CoreNet: Baykal, Liebenwein et al., ICLR 2019) -------------------------------
# (section: coresets)

import math  # noqa: E402

import torch  # noqa: E402

from .._torch import linear_layers as _linear_layers  # noqa: E402
from .._torch import torch_generator as _torch_generator  # noqa: E402
from ..coresets import (compression_bound, corenet, guarantee_failure, magnitude_prune,  # noqa: E402
                        margin_loss, quantize_weights, relative_output_error, truncated_svd,
                        uniform_sparsify)
from ..spectral import prune_network as _spectral_prune  # noqa: E402
from .configs import CORESET_TEACHER_STUDENT, _params  # noqa: E402
from .data import load_digits_split  # noqa: E402
from .nets import TeacherStudent, make_mlp, train  # noqa: E402

#: The compression methods of :func:`coreset_pruning`, in the order that keys their generators.
CORESET_METHODS = ("CoreNet", "CoreNet+", "CoreNet++", "CoreNet (theory split)", "uniform", "magnitude",
                   "truncated SVD", "spectral")
CORESET_TESTBEDS = ("teacher_student", "digits")


def _coreset_testbed(testbed, seed, n_train, widths, epochs, n_s, n_fresh, device):
    """Train the net of one pruning run: ``(net, S, S_val, X_eval, risk, extra)``."""
    if testbed == "teacher_student":
        T = CORESET_TEACHER_STUDENT
        ts = TeacherStudent(T["in_dim"], tuple(T["teacher_widths"]), T["out_dim"], task="regression",
                            noise_std=T["noise_std"], teacher_seed=seed, device=device)
        X, Y = ts.sample(n_train, seed + 1)
        net = make_mlp(T["in_dim"], widths, T["out_dim"], seed=seed, device=device)
        train(net, X, Y, "regression", epochs=epochs, lr=2e-3, batch_size=128, seed=seed)
        X_eval, _ = ts.sample(n_fresh, seed + 2)

        def risk(model):
            r = ts.population_risk(model, n_fresh=n_fresh, rng=seed + 3)
            return r.loss.value, r.loss.se, math.nan, math.nan
        extra = {"bayes_risk": ts.bayes_risk()}
    elif testbed == "digits":
        ds = load_digits_split(n_train=1000, n_test=797, seed=seed, device=device)
        X = ds.X_train
        net = make_mlp(ds.n_features, widths, ds.n_classes, seed=seed, device=device)
        train(net, X, ds.y_train, "classification", epochs=max(epochs, 40), lr=2e-3, batch_size=64, seed=seed)
        X_eval = ds.X_test
        yt = ds.y_test

        def risk(model):
            with torch.no_grad():
                out = model(X_eval)
                wrong = (out.argmax(dim=1) != yt).double().cpu().numpy()
                ce = torch.nn.functional.cross_entropy(out, yt, reduction="none").double().cpu().numpy()
            ce_m, err_m = Measurement.from_samples(ce), Measurement.from_samples(wrong)
            return ce_m.value, ce_m.se, err_m.value, err_m.se
        extra = {"bayes_risk": math.nan}
    else:
        raise ValueError(f"`testbed` must be one of {CORESET_TESTBEDS}; got {testbed!r}")
    return net, X[:n_s], X[n_s:2 * n_s], X_eval, risk, extra


def _coreset_spectral(net, S, f):
    """Spectral pruning to hidden widths round(r·h), r the largest ratio keeping <= f of the weights."""
    lins = _linear_layers(net)
    hidden = [l.out_features for l in lins[:-1]]
    total = sum(l.weight.numel() for l in lins)

    def widths(r):
        return [max(1, int(round(r * h))) for h in hidden]

    def n_weights(ws):
        dims = [lins[0].in_features, *ws, lins[-1].out_features]
        return sum(a * b for a, b in zip(dims[:-1], dims[1:]))
    lo, hi = 0.0, 1.0
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if n_weights(widths(mid)) <= f * total else (lo, mid)
    small = _spectral_prune(net, S, widths=widths(max(lo, 1e-9))).model
    kept = sum(int(torch.count_nonzero(l.weight)) for l in _linear_layers(small))
    return small, kept / total, math.nan


def _coreset_compress(method, net, f, S, S_val, rng):
    """``(compressed model, kept fraction, certified eps or NaN)`` of one method at fraction ``f``."""
    if method == "spectral":
        return _coreset_spectral(net, S, f)
    if method == "CoreNet":
        r = corenet(net, S, fraction=f, rng=rng)
    elif method == "CoreNet+":
        r = corenet(net, S, fraction=f, rng=rng, variant="plus")
    elif method == "CoreNet++":
        r = corenet(net, S, fraction=f, rng=rng, variant="plusplus", validation_inputs=S_val)
    elif method == "CoreNet (theory split)":
        r = corenet(net, S, fraction=f, rng=rng, allocation="theory")
    else:
        c = {"uniform": lambda: uniform_sparsify(net, f, rng=rng), "magnitude": lambda: magnitude_prune(net, f),
             "truncated SVD": lambda: truncated_svd(net, f)}[method]()
        return c.model, c.kept_fraction, math.nan
    return r.model, r.kept_fraction, r.eps


def coreset_pruning(testbed, seed, *, fractions, n_train, widths, epochs, n_s, n_fresh,
                    methods=CORESET_METHODS, device="cpu") -> list[dict]:
    r"""Train one net, compress it without retraining by every method, measure error and risk.

    Testbeds: ``"teacher_student"`` (regression on :data:`~theory.testbeds.configs.CORESET_TEACHER_STUDENT`,
    ``n_train`` samples, risk on ``n_fresh`` fresh samples) and ``"digits"`` (scikit-learn's
    digits, 1000 train / 797 test, at least 40 epochs). The first ``n_s`` training points are
    CoreNet's :math:`S`, the next ``n_s`` CoreNet++'s validation points. Method ``k`` of
    :data:`CORESET_METHODS` at fraction ``f`` draws from ``numpy.random.default_rng([seed,
    round(1000 f), k])``, so a subset of ``methods`` gives the same numbers as the full sweep.

    Parameters
    ----------
    testbed : {"teacher_student", "digits"}
    seed : int
        Seeds the teacher, the data, the init, the training and the draws.
    fractions : sequence of float in (0, 1]
        Fractions of the weights kept.
    n_train, epochs : int
    widths : sequence of int
        Hidden widths of the trained MLP.
    n_s, n_fresh : int
    methods : sequence of str, default :data:`CORESET_METHODS`
    device : str, default "cpu"

    Returns
    -------
    list of dict
        One row per (fraction, method): ``method, fraction, kept_fraction, rel_error,
        rel_error_se`` (:func:`theory.coresets.relative_output_error` on the evaluation inputs),
        ``risk, risk_se, error, error_se`` (fresh-sample squared error, or held-out
        cross-entropy and 0-1 error), ``certified_eps`` (CoreNet's certified ε, NaN for the
        baselines), the uncompressed ``base_risk, base_risk_se, base_error`` and ``bayes_risk``.

    References
    ----------
    Baykal, Liebenwein, Gilitschenski, Feldman, Rus, ICLR 2019, §6 (CoreNet, CoreNet+, CoreNet++
    against uniform sampling and other baselines, without retraining).
    """
    check_in(testbed, "testbed", CORESET_TESTBEDS)
    seed = _seed(seed)
    _fractions(fractions)
    n_train = as_size(n_train, "n_train")
    widths = _sizes(widths, "widths")
    epochs = as_size(epochs, "epochs", low=0)
    n_s = as_size(n_s, "n_s")
    n_fresh = as_size(n_fresh, "n_fresh", low=2)
    available = n_train if testbed == "teacher_student" else 1000
    if 2 * n_s > available:
        raise ValueError(f"`n_s` must be at most {available // 2} (the first 2 n_s training points are S and the "
                         f"validation points); got {n_s}")
    methods = _seq(methods, "methods", empty=True)
    unknown = [m for m in methods if not isinstance(m, str) or m not in CORESET_METHODS]
    if unknown:
        raise ValueError(f"`methods` must be among {CORESET_METHODS}; got {unknown}")
    net, S, S_val, X_eval, risk, extra = _coreset_testbed(testbed, seed, n_train, widths, epochs, n_s,
                                                          n_fresh, device)
    base_loss, base_se, base_err, base_err_se = risk(net)
    rows = []
    for f in fractions:
        for method in methods:
            rng = np.random.default_rng([seed, int(round(f * 1000)), CORESET_METHODS.index(method)])
            model, kept, cert = _coreset_compress(method, net, f, S, S_val, rng)
            rel = relative_output_error(net, model, X_eval)
            loss, loss_se, err, err_se = risk(model)
            rows.append({"method": method, "fraction": f, "kept_fraction": kept, "rel_error": rel.value,
                         "rel_error_se": rel.se, "risk": loss, "risk_se": loss_se, "error": err,
                         "error_se": err_se, "certified_eps": cert, "base_risk": base_loss,
                         "base_risk_se": base_se, "base_error": base_err, **extra})
    return rows


def coreset_beats_uniform(testbed, fraction, seeds, *, n_train, widths, epochs, n_s, n_fresh,
                          device="cpu") -> dict:
    r"""Relative output error of CoreNet and of uniform edge sampling at one fraction, over seeds.

    For every seed, :func:`coreset_pruning` with ``methods=("CoreNet", "uniform")`` (the same
    trained net and the same draws as the full sweep), then :func:`mean_se`.

    Returns
    -------
    dict
        ``corenet_error, corenet_error_se, uniform_error, uniform_error_se`` (means over the
        seeds and their standard errors).

    References
    ----------
    Baykal et al., ICLR 2019, §6 (CoreNet's error is below uniform sampling's at equal budget).
    """
    check_in(testbed, "testbed", CORESET_TESTBEDS)
    fraction = as_float(fraction, "fraction", low=0.0, low_open=True, high=1.0)
    seeds = [_seed(s, "seeds") for s in _seq(seeds, "seeds")]
    per = {"CoreNet": [], "uniform": []}
    for s in seeds:
        for r in coreset_pruning(testbed, s, fractions=[fraction], n_train=n_train, widths=widths,
                                 epochs=epochs, n_s=n_s, n_fresh=n_fresh, methods=tuple(per),
                                 device=device):
            per[r["method"]].append(r["rel_error"])
    mc, sc = mean_se(per["CoreNet"])
    mu, su = mean_se(per["uniform"])
    return {"corenet_error": mc, "corenet_error_se": sc, "uniform_error": mu, "uniform_error_se": su}


def coreset_guarantee(*, in_dim, widths, out_dim, n_s, n_fresh, eps, delta, scales, seed,
                      device="cpu") -> list[dict]:
    r"""CoreNet in theory mode on a random ReLU net: how often fresh outputs leave :math:`(1\pm\varepsilon)f`.

    An untrained ``make_mlp(in_dim, widths, out_dim, init="normal", seed=seed)`` net; ``n_s +
    n_fresh`` standard Gaussian inputs from ``numpy.random.default_rng(seed)``, the first
    ``n_s`` being :math:`S`; for the ``k``-th entry of ``scales``, CoreNet at ``(eps, delta)``
    drawing ``ceil(scale · m)`` samples (``m`` the theorem's sample size) from
    ``default_rng([seed, k])``, then :func:`theory.coresets.guarantee_failure` on the fresh
    inputs.

    Returns
    -------
    list of dict
        One row per scale: ``scale, pair_failure, pair_failure_se, input_failure,
        input_failure_se, max_samples, kept_fraction, delta_forward`` (:math:`\Delta^1_\to`)
        and ``kappa``.

    References
    ----------
    Baykal et al., ICLR 2019, Theorem 4 (:math:`P(\hat f(x) \in (1\pm\varepsilon) f(x)) \ge
    1 - \delta`).
    """
    in_dim = as_size(in_dim, "in_dim")
    widths = _sizes(widths, "widths")
    out_dim = as_size(out_dim, "out_dim")
    n_s = as_size(n_s, "n_s")
    n_fresh = as_size(n_fresh, "n_fresh", low=2)
    if (n_s + n_fresh) * in_dim > MAX_SIZE:
        raise ValueError(f"`n_fresh` + `n_s` inputs of dimension {in_dim} could not be held in memory "
                         f"(at most {MAX_SIZE} numbers)")
    eps = check_positive(eps, "eps")
    delta = _delta(delta)
    for sc in _seq(scales, "scales"):
        as_float(sc, "scales", low=0.0, low_open=True, high=1.0)
    seed = _seed(seed)
    g = np.random.default_rng(seed)
    net = make_mlp(in_dim, widths, out_dim, seed=seed, init="normal", device=device)
    X = torch.as_tensor(g.standard_normal((n_s + n_fresh, in_dim)), dtype=torch.float32, device=device)
    S, fresh = X[:n_s], X[n_s:]
    rows = []
    for k, sc in enumerate(scales):
        r = corenet(net, S, eps=eps, delta=delta, rng=np.random.default_rng([seed, k]), sample_scale=sc)
        chk = guarantee_failure(net, r.model, fresh, eps)
        rows.append({"scale": sc, "pair_failure": chk.pair_failure.value, "pair_failure_se": chk.pair_failure.se,
                     "input_failure": chk.input_failure.value, "input_failure_se": chk.input_failure.se,
                     "max_samples": float(max(m.max() for m in r.samples)), "kept_fraction": r.kept_fraction,
                     "delta_forward": float(r.delta_terms.delta_forward[0]), "kappa": r.constants.kappa})
    return rows


def coreset_compression_bound(*, in_dim, teacher_widths, widths, out_dim, levels, delta_bound, n_fresh,
                              n_train, epochs, fractions, seed, draws=None, device="cpu") -> list[dict]:
    r"""Occam bound of the quantized CoreNet net against its population 0-1 error.

    A ``widths`` student trained (Adam, 3e-3, batches of 256) on ``n_train`` samples of a
    noiseless (temperature 0) teacher–student classification task; for every fraction, CoreNet
    on the first 300 training points with ``default_rng([seed, draw])`` (``draws`` default
    ``0, 1, ...``), quantized to ``levels`` values per layer; the bound
    :func:`theory.coresets.compression_bound` on its training 0-1 error, and on the original
    net's :math:`\gamma`-margin loss with :math:`\gamma` twice the largest output change on the
    training points (Arora et al.'s form); population errors on ``n_fresh`` fresh samples.

    Returns
    -------
    list of dict
        One row per fraction: ``fraction, kept_fraction, nonzero, bound, bound_arora,
        train_error, margin_loss_gamma, gamma, complexity, pop_error, pop_error_se,
        base_pop_error``.

    References
    ----------
    Arora, Ge, Neyshabur, Zhang, "Stronger generalization bounds for deep nets via a compression
    approach", ICML 2018, Theorem 2.1; Baykal et al., ICLR 2019, §4.3.
    """
    in_dim = as_size(in_dim, "in_dim")
    teacher_widths = _sizes(teacher_widths, "teacher_widths", empty=True)
    widths = _sizes(widths, "widths")
    out_dim = as_size(out_dim, "out_dim", low=2)
    levels = as_size(levels, "levels", low=3)
    if levels % 2 == 0:
        raise ValueError(f"`levels` must be odd (so that 0 is a grid point); got {levels}")
    delta_bound = _delta(delta_bound, "delta_bound")
    n_fresh = as_size(n_fresh, "n_fresh", low=2)
    n_train = as_size(n_train, "n_train")
    epochs = as_size(epochs, "epochs", low=0)
    _fractions(fractions)
    seed = _seed(seed)
    draws = list(range(len(fractions))) if draws is None else [as_int(k, "draws", low=0) for k in _seq(draws, "draws")]
    if len(draws) != len(fractions):
        raise ValueError(f"`draws` must hold one key per fraction ({len(fractions)}); got {len(draws)}")
    ts = TeacherStudent(in_dim, tuple(teacher_widths), out_dim, task="classification",
                        temperature=0.0, teacher_seed=seed, device=device)
    X, Y = ts.sample(n_train, seed + 1)
    net = make_mlp(in_dim, widths, out_dim, seed=seed, device=device)
    train(net, X, Y, "classification", epochs=epochs, lr=3e-3, batch_size=256, seed=seed)
    n_layers = len(widths) + 1
    total = sum(p.numel() for p in net.parameters())
    base = ts.population_risk(net, n_fresh=n_fresh, rng=seed + 2).error
    rows = []
    with torch.no_grad():
        f_train = net(X)
    for k, f in zip(draws, fractions):
        r = corenet(net, X[:300], fraction=f, rng=np.random.default_rng([seed, k]))
        gq = quantize_weights(r.model, levels)
        emp = margin_loss(gq, X, Y)
        with torch.no_grad():
            gamma = 2.0 * float((gq(X) - f_train).abs().max()) * (1 + 1e-6)
        emp_arora = margin_loss(net, X, Y, gamma=gamma)
        nnz = sum(int(torch.count_nonzero(p)) for p in gq.parameters())
        b = compression_bound(emp, n_train, nnz, total, levels=levels, n_layers=n_layers, delta=delta_bound)
        b_arora = compression_bound(emp_arora, n_train, nnz, total, levels=levels, n_layers=n_layers,
                                    delta=delta_bound)
        pop = ts.population_risk(gq, n_fresh=n_fresh, rng=seed + 3).error
        rows.append({"fraction": f, "kept_fraction": nnz / total, "nonzero": nnz, "bound": b.bound,
                     "bound_arora": b_arora.bound, "train_error": emp, "margin_loss_gamma": emp_arora,
                     "gamma": gamma, "complexity": b.complexity, "pop_error": pop.value,
                     "pop_error_se": pop.se, "base_pop_error": base.value})
    return rows


__all__ += ["CORESET_METHODS", "CORESET_TESTBEDS", "coreset_pruning",
            "coreset_beats_uniform", "coreset_guarantee", "coreset_compression_bound"]


# ---- quantization and curvature (Choi et al., ICLR 2017; Bu et al., AAAI 2020) --------------
# (section: quantization)
#
# One recipe behind the figure ``quantization_population_risk`` and the claims of
# theory.catalog.quantization / theory.catalog.curvature: train a one-hidden-layer MLP to
# (near) zero training loss on a small sample, take the exact Hessian diagonal of its training
# loss (and Hutchinson's estimate of its trace), quantize it layer by layer and measure training
# and fresh-sample risks; then the summaries over seeds that the claims compare.

_QUANT_TEST_SEED_OFFSET = 1_000_003   # the fresh teacher–student test sample of seed s uses s + this
_QUANT_HESSIAN_FLOOR = 1e-6           # relative floor of the Hessian diagonal (quantize_network's)


def _classification_data(task, seed, n_train, n_test_ts, device):
    """Training and test data of a task of ``configs.QUANTIZATION_TASKS``; no test sample for
    the teacher–student task when ``n_test_ts`` is None."""
    from .configs import QUANTIZATION_TASKS, QUANTIZATION_TEACHER
    from .data import load_digits_split
    from .nets import TeacherStudent

    if task not in QUANTIZATION_TASKS:
        raise ValueError(f"`task` must be one of {sorted(QUANTIZATION_TASKS)}; got {task!r}")
    cfg = QUANTIZATION_TASKS[task]
    if task == "digits":
        sp = load_digits_split(n_train=n_train, seed=seed, device=device)
        return sp.X_train, sp.y_train, sp.X_test, sp.y_test, cfg["in_dim"], cfg["out_dim"]
    t = QUANTIZATION_TEACHER
    ts = TeacherStudent(t["in_dim"], t["teacher_widths"], t["out_dim"], task="classification",
                        teacher_seed=t["teacher_seed"], temperature=t["temperature"], device=device)
    Xtr, Ytr = ts.sample(n_train, rng=seed)
    Xte = Yte = None
    if n_test_ts is not None:
        Xte, Yte = ts.sample(int(n_test_ts), rng=_QUANT_TEST_SEED_OFFSET + seed)   # fresh: population risk
    return Xtr, Ytr, Xte, Yte, t["in_dim"], t["out_dim"]


def _check_classifier(task, seed, width, epochs, n_train, lr):
    """The arguments of the students of the quantization recipes, checked before any training."""
    from .configs import QUANTIZATION_TASKS
    from .data import N_DIGIT_CLASSES

    check_in(task, "task", tuple(QUANTIZATION_TASKS))
    _seed(seed)
    as_size(width, "width")
    as_size(epochs, "epochs", low=0)
    as_size(n_train, "n_train", low=N_DIGIT_CLASSES if task == "digits" else 1)
    check_positive(lr, "lr")


def _trained_classifier(task, seed, width, epochs, n_train, n_test_ts, lr, device):
    from .nets import make_mlp, train

    seed = int(seed)
    Xtr, Ytr, Xte, Yte, din, k = _classification_data(task, seed, int(n_train), n_test_ts, device)
    model = make_mlp(din, [int(width)], k, seed=seed, device=device)
    train(model, Xtr, Ytr, "classification", epochs=int(epochs), lr=float(lr), batch_size=10**9, seed=seed)
    return model, Xtr, Ytr, Xte, Yte


def _quant_curvature(model, X, Y, n_probes, seed):
    """Exact Hessian diagonal, its trace and (``n_probes`` given) Hutchinson's trace estimate."""
    from ..curvature import hessian_diagonal, hutchinson_diagonal

    H = hessian_diagonal(model, X, Y, "classification")
    out = {}
    if n_probes is not None:
        hut = hutchinson_diagonal(model, X, Y, "classification", n_probes=int(n_probes), rng=int(seed))
        out = {"hutchinson_trace": hut.trace, "hutchinson_trace_se": hut.trace_se}
    out["exact_trace"] = float(sum(float(t.sum()) for t in H.values()))
    return H, out


def _quant_losses(model, X, Y):
    import torch

    from .._torch import loss_fn

    with torch.no_grad():
        out = model(X)
        loss = loss_fn("classification")(out, Y).double().cpu().numpy()
        err = (out.argmax(1) != Y).double().cpu().numpy()
    return loss, err


def _fit_inverse_temperature(logits, labels):
    """The inverse temperature 1/T minimizing the mean cross-entropy of ``logits / T`` (convex in
    1/T; bounded search over 1/T in [1e-3, 1e3] on a log scale)."""
    from scipy.optimize import minimize_scalar
    from scipy.special import logsumexp

    z = np.asarray(logits, dtype=float)
    zy = z[np.arange(z.shape[0]), np.asarray(labels)]

    def ce(log_beta):
        beta = math.exp(log_beta)
        return float(np.mean(logsumexp(beta * z, axis=1) - beta * zy))

    res = minimize_scalar(ce, bounds=(math.log(1e-3), math.log(1e3)), method="bounded",
                          options={"xatol": 1e-10})
    return math.exp(float(res.x))


def temperature_scaled_losses(model, X, Y):
    r"""Test cross-entropy and 0-1 error of ``model`` after temperature scaling, cross-fitted.

    Temperature scaling (Guo, Pleiss, Sun, Weinberger, ICML 2017) divides the logits by one
    scalar :math:`T` fitted to minimize the cross-entropy on held-out data; it changes the
    calibration and never the predicted class. The test points are split in two halves (even and
    odd positions); :math:`T` is fitted on one half and applied to the other, so every loss is
    out of sample and every test point is used once.

    Parameters
    ----------
    model : torch.nn.Module
        A classifier returning logits.
    X, Y : torch.Tensor
        Test inputs and integer labels, at least 2 points.

    Returns
    -------
    loss, err : ndarray
        Per-point cross-entropy (nats) and 0-1 error after scaling, in the order of ``X``.
    temperatures : tuple of float
        The two fitted temperatures (fitted on the even and on the odd half).
    """
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"`model` must be a torch.nn.Module; got {type(model).__name__}")
    if not (isinstance(X, torch.Tensor) and isinstance(Y, torch.Tensor)):
        raise TypeError("`X` and `Y` must be torch tensors")
    if X.ndim < 1 or X.shape[0] < 2:
        raise ValueError(f"`X` must hold at least 2 test points; got shape {tuple(X.shape)}")
    if Y.ndim != 1 or Y.shape[0] != X.shape[0] or Y.is_floating_point():
        raise ValueError(f"`Y` must hold one integer label per row of `X`; got shape {tuple(Y.shape)}, {Y.dtype}")
    with torch.no_grad():
        z = model(X).double().cpu().numpy()
    y = Y.cpu().numpy().astype(np.int64)
    if z.ndim != 2 or y.min() < 0 or y.max() >= z.shape[1]:
        raise ValueError(f"`Y` must hold labels in [0, {z.shape[-1]}) for the model's {z.shape[-1]} logits")
    from scipy.special import logsumexp

    idx = np.arange(z.shape[0])
    halves = (idx % 2 == 0, idx % 2 == 1)
    loss = np.empty(z.shape[0])
    temps = []
    for fit, apply in (halves, halves[::-1]):
        beta = _fit_inverse_temperature(z[fit], y[fit])
        temps.append(1.0 / beta)
        za = beta * z[apply]
        loss[apply] = logsumexp(za, axis=1) - za[np.arange(za.shape[0]), y[apply]]
    err = (z.argmax(1) != y).astype(float)
    return loss, err, tuple(temps)


def classifier_curvature(task, seed, *, width, epochs, n_train, n_probes, lr, device="cpu") -> dict:
    r"""Exact trace of the training-loss Hessian of a trained student and Hutchinson's estimate.

    The student of :func:`quantized_classifier_risks` (same data, initialisation and training);
    the exact trace is the sum of :func:`theory.curvature.hessian_diagonal`, the estimate
    :math:`\frac1N\sum_r z_r^\top H z_r` of :func:`theory.curvature.hutchinson_diagonal` with
    ``n_probes`` Rademacher probes seeded by ``seed``.

    Parameters
    ----------
    task : {"digits", "teacher_student"}
    seed : int
    width, epochs, n_train : int
    n_probes : int
        Hutchinson probes (>= 2).
    lr : float
    device : str

    Returns
    -------
    dict
        ``hutchinson_trace``, ``hutchinson_trace_se``, ``exact_trace``.

    References
    ----------
    M. F. Hutchinson, Commun. Statist. Simul. Comput. 19(2), 1990.
    """
    _check_classifier(task, seed, width, epochs, n_train, lr)
    as_size(n_probes, "n_probes", low=2)
    model, Xtr, Ytr, _, _ = _trained_classifier(task, seed, width, epochs, n_train, None, lr, device)
    return _quant_curvature(model, Xtr, Ytr, n_probes, seed)[1]


def drhw_strengths(weights, importances, bits, rho) -> list:
    r"""Per-layer DRHW coefficients scaled to the layer: :math:`\lambda_l = 4\rho\,
    \mathrm{std}(W_l)\sum_{i\in l} h_i / K_l`, :math:`K_l = \min(2^b, \#\text{distinct } W_l)`.

    The extreme-centroid shift of diameter-regularized HW k-means, :math:`\lambda/(4\sum_C h)`
    (Bu, Gao, Zou, Veeravalli, AAAI 2020), is then :math:`\rho\,\mathrm{std}(W_l)` when the
    extreme cluster holds an average share :math:`1/K_l` of the layer's curvature. A calibration
    chosen here, not taken from the paper.
    Each :math:`\lambda_l` is :func:`theory.quantization.drhw_strength` of the layer (the same
    number ``quantize_network(..., method="drhw", rho=rho)`` uses).

    Parameters
    ----------
    weights, importances : mapping of layer name -> ndarray
        The layer weights and their (floored, positive) importances :math:`h`, same shapes.
    bits : int
    rho : float

    Returns
    -------
    list of float
        :math:`\lambda_l`, in the order of ``weights``.
    """
    if not isinstance(weights, Mapping) or not weights:
        raise ValueError(f"`weights` must be a non-empty dict of layer name -> weights; got {type(weights).__name__}")
    if not isinstance(importances, Mapping):
        raise ValueError(f"`importances` must be a dict of layer name -> importances; got {type(importances).__name__}")
    bits = as_int(bits, "bits", low=1, high=64)
    rho = check_nonnegative(rho, "rho")
    W, H = {}, {}
    for name, w in weights.items():
        W[name] = as_array(w, f"weights[{name!r}]")
        if name not in importances:
            raise ValueError(f"`importances` must hold the layer {name!r} of `weights`")
        H[name] = as_array(importances[name], f"importances[{name!r}]", nonnegative=True, shape=W[name].shape)
    from .. import quantization

    return [quantization.drhw_strength(w, H[name], bits, rho) for name, w in W.items()]


def quantized_classifier_risks(task, seed, *, width, epochs, n_train, n_test_ts, lr, bits=(), methods=(), rhos=(),
                               n_probes=None, device="cpu") -> list:
    r"""Train a student to (near) zero training loss, quantize it, measure its risks.

    A one-hidden-layer ReLU MLP of ``width`` units (seeded by ``seed``) is trained full batch on
    ``n_train`` samples of ``task`` (``"digits"`` or ``"teacher_student"``, see
    :data:`theory.testbeds.configs.QUANTIZATION_TASKS`). For every ``b`` in ``bits`` it is
    quantized layer by layer with :math:`2^b` levels (biases kept in float) by each of
    ``methods`` (:func:`theory.quantization.quantize_network`) and, for each ``rho`` in ``rhos``,
    by DRHW with the coefficients of :func:`drhw_strengths`. Population risks are test risks:
    the rest of digits, or ``n_test_ts`` fresh teacher–student samples.

    Parameters
    ----------
    task : {"digits", "teacher_student"}
    seed : int
        Seeds the data split/sample, the initialisation, training and Hutchinson's probes.
    width, epochs, n_train : int
    n_test_ts : int
        Fresh test samples of the teacher–student task (unused for digits).
    bits : sequence of int
    methods : sequence of {"kmeans", "optimal", "hw", "optimal_hw"}
    rhos : sequence of float
        DRHW strengths ρ.
    n_probes : int, optional
        Hutchinson probes; ``None`` skips the estimate.
    lr : float
    device : str

    Returns
    -------
    list of dict
        First the unquantized net (``method="original"``, ``bits=32``, with the Hessian traces),
        then the same net after temperature scaling (``method="temperature"``, cross-fitted on the
        test points by :func:`temperature_scaled_losses`: the calibration baseline), then one row
        per (bits, method) and (bits, ρ): training/test cross-entropy and 0-1 error,
        the test-loss change paired on the test points and its standard error, compression
        ratio, the rate :math:`R` of :func:`theory.quantization.quantization_rate` (nats) and the
        HW objective and distortion.

    References
    ----------
    Y. Bu, W. Gao, S. Zou, V. V. Veeravalli, "Information-theoretic understanding of population
    risk improvement with model compression", AAAI 2020, §5–6.
    """
    from .. import quantization
    from ..claims import Measurement

    _check_classifier(task, seed, width, epochs, n_train, lr)
    if task == "teacher_student":
        n_test_ts = as_size(n_test_ts, "n_test_ts", low=2)
    bits = [as_int(b, "bits", low=1, high=32) for b in _seq(bits, "bits", empty=True)]
    methods = _seq(methods, "methods", empty=True)
    bad = [m for m in methods if not isinstance(m, str) or m not in quantization.METHODS or m == "drhw"]
    if bad:
        raise ValueError(f"`methods` must hold methods of quantize_network other than 'drhw' (use `rhos`); got {bad}")
    rhos = [check_nonnegative(r, "rhos") for r in _seq(rhos, "rhos", empty=True)]
    if n_probes is not None:
        as_size(n_probes, "n_probes", low=2)
    model, Xtr, Ytr, Xte, Yte = _trained_classifier(task, seed, width, epochs, n_train, n_test_ts, lr, device)
    n = int(Xtr.shape[0])
    H, curv = _quant_curvature(model, Xtr, Ytr, n_probes, seed)

    tr0, tre0 = _quant_losses(model, Xtr, Ytr)
    te0, tee0 = _quant_losses(model, Xte, Yte)
    d_total = sum(p.numel() for p in model.parameters())
    m_q = sum(w.numel() for name, w in model.named_parameters() if name.endswith("weight"))
    base = {"method": "original", "bits": 32, "rho": 0.0, "n": n, "num_params": d_total, "num_quantized": m_q,
            "train_loss": float(tr0.mean()), "test_loss": float(te0.mean()),
            "test_loss_se": Measurement.from_samples(te0).se, "train_err": float(tre0.mean()),
            "test_err": float(tee0.mean()), "d_test_loss": 0.0, "d_test_loss_se": 0.0,
            "compression_ratio": 1.0, "bits_per_weight": 32.0,
            "rate_nats": quantization.quantization_rate([], [], num_float_params=d_total), "hw_objective": 0.0,
            **curv}
    rows = [base]
    # the calibration baseline: the unquantized net with its temperature fitted out of sample
    te_t, tee_t, temps = temperature_scaled_losses(model, Xte, Yte)
    rows.append({**{k: v for k, v in base.items() if k not in curv}, "method": "temperature",
                 "test_loss": float(te_t.mean()), "test_loss_se": Measurement.from_samples(te_t).se,
                 "test_err": float(tee_t.mean()), "d_test_loss": float((te_t - te0).mean()),
                 "d_test_loss_se": Measurement.from_samples(te_t - te0).se,
                 "temperature_even": temps[0], "temperature_odd": temps[1]})
    weights = {name: p.detach().double().cpu().numpy() for name, p in model.named_parameters()
               if name.endswith("weight")}
    n_bias = d_total - sum(w.size for w in weights.values())

    def record(q, method, b, rho):
        tr, tre = _quant_losses(q.model, Xtr, Ytr)
        te, tee = _quant_losses(q.model, Xte, Yte)
        diff = te - te0                               # paired on the same test points
        n_float = sum(layer.num_levels for layer in q.layers) + n_bias
        rate = quantization.quantization_rate([layer.num_weights for layer in q.layers],
                                              [layer.num_levels for layer in q.layers], num_float_params=n_float)
        rows.append({"method": method, "bits": b, "rho": rho, "n": n, "num_params": d_total, "num_quantized": m_q,
                     "train_loss": float(tr.mean()), "test_loss": float(te.mean()),
                     "test_loss_se": Measurement.from_samples(te).se,
                     "train_err": float(tre.mean()), "test_err": float(tee.mean()),
                     "d_test_loss": float(diff.mean()), "d_test_loss_se": Measurement.from_samples(diff).se,
                     "compression_ratio": q.compression.ratio, "bits_per_weight": q.compression.bits_per_weight,
                     "rate_nats": rate, "hw_objective": float(sum(layer.objective for layer in q.layers)),
                     "hw_distortion": float(sum(layer.distortion for layer in q.layers))})

    floor = _QUANT_HESSIAN_FLOOR
    hfl = {name: quantization.floored_hessian_diagonal(H[name].detach().double().cpu().numpy(), floor)
           for name in weights}
    for b in bits:
        for method in methods:
            q = quantization.quantize_network(model, H, b, method, hessian_floor=floor)
            record(q, method, b, 0.0)
        for rho in rhos:
            lams = drhw_strengths(weights, hfl, b, rho)
            # The ρ sweep deliberately reaches strong regularization, where DRHW merges levels of
            # the small output layer; the rows record what that does to the risks, so the
            # QuantizationWarning (collapsed levels, large distortion) is expected here.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", quantization.QuantizationWarning)
                q = quantization.quantize_network(model, H, b, "drhw", diameter_reg=lams, hessian_floor=floor)
            record(q, "drhw", b, rho)
    return rows


# Summaries over seeds: the experiment's claim rows and the claims' evaluate both call these on
# rows of quantized_classifier_risks (each row also carrying its "task" and "seed").

def mean_se(values) -> tuple:
    r"""Mean over seeds and its standard error (:meth:`Measurement.from_samples`); SE 0 for one value
    (no values, or a NaN/inf among them, is refused).

    The one aggregation of per-seed numbers shared by the figures and the claims that average
    over seeds (``coresets.beats_uniform``, the quantization claims).
    """
    v = as_array(values, "values", ndim=1)
    if v.size < 2:
        return float(v.mean()), 0.0
    m = Measurement.from_samples(v)
    return m.value, m.se


def select_rows(rows, task, method, bits, rho) -> list:
    r"""The rows of one (task, method, bits, ρ), in their order (one per seed)."""
    rows = _records(rows, ("task", "method", "bits", "rho"))
    bits = as_int(bits, "bits")
    rho = as_float(rho, "rho")
    return [r for r in rows if r["task"] == task and r["method"] == method and int(r["bits"]) == int(bits)
            and abs(float(r["rho"]) - float(rho)) < 1e-12]


def hutchinson_trace_summary(rows, task) -> dict:
    r"""Mean exact trace and mean Hutchinson estimate over the seeds' unquantized nets; the SE of
    the mean estimate is :math:`\sqrt{\sum_s \mathrm{se}_s^2}/S`."""
    import math

    rows = _records(rows, ("task", "method"))
    orig = [r for r in rows if r["task"] == task and r["method"] == "original"]
    if not orig:
        raise ValueError(f"`rows` must hold rows of `task` {task!r} with method 'original'; found none")
    for r in orig:
        _record(r, "rows", ("exact_trace", "hutchinson_trace", "hutchinson_trace_se"))
    ex = float(np.mean([r["exact_trace"] for r in orig]))
    est = float(np.mean([r["hutchinson_trace"] for r in orig]))
    se = float(math.sqrt(sum(r["hutchinson_trace_se"] ** 2 for r in orig)) / len(orig))
    return {"exact_trace": ex, "hutchinson_trace": est, "hutchinson_trace_se": se, "seeds": len(orig)}


def optimal_vs_lloyd_summary(rows, task, bits) -> dict:
    r"""HW objectives of Lloyd (``"hw"``) and of the exact DP (``"optimal_hw"``) at the seed where
    their ratio DP/Lloyd is largest (the least favourable seed for the claim DP ≤ Lloyd)."""
    lloyd = {r["seed"]: r for r in select_rows(rows, task, "hw", bits, 0.0)}
    dp = {r["seed"]: r for r in select_rows(rows, task, "optimal_hw", bits, 0.0)}
    if not dp or set(dp) != set(lloyd):
        raise ValueError(f"`rows` must hold 'hw' and 'optimal_hw' rows of `task` {task!r} at `bits` {bits} for the "
                         f"same seeds; got seeds {sorted(lloyd)} and {sorted(dp)}")

    def ratio(s):
        a, b = float(dp[s]["hw_objective"]), float(lloyd[s]["hw_objective"])
        return a / b if b > 0 else (math.inf if a > 0 else 1.0)

    worst = max(dp, key=ratio)
    return {"worst_seed": worst, "lloyd_objective": lloyd[worst]["hw_objective"],
            "optimal_objective": dp[worst]["hw_objective"]}


def zero_one_gap_summary(rows, task, bits) -> dict:
    r"""Mean 0-1 generalization gap of the optimal-HW nets over seeds, with its SE, and the
    Xu–Raginsky bound :func:`theory.quantization.zero_one_mi_bound` at their mean rate."""
    from ..quantization import zero_one_mi_bound

    g = select_rows(rows, task, "optimal_hw", bits, 0.0)
    if not g:
        raise ValueError(f"`rows` must hold 'optimal_hw' rows of `task` {task!r} at `bits` {bits}; found none")
    gap, gse = mean_se([r["test_err"] - r["train_err"] for r in g])
    rate = float(np.mean([r["rate_nats"] for r in g]))
    n = int(g[0]["n"])
    return {"bound": zero_one_mi_bound(rate, n), "gap": gap, "gap_se": gse, "rate_nats": rate, "n": n}


def risk_change_summary(rows, task, bits, method, rho):
    r"""Mean paired test-loss change :math:`\hat L_\mu(\hat W) - \hat L_\mu(W)` over seeds and
    its SE; None when no row matches."""
    g = select_rows(rows, task, method, bits, rho)
    if not g:
        return None
    d, dse = mean_se([r["d_test_loss"] for r in g])
    return {"d_test_loss": d, "d_test_loss_se": dse, "seeds": len(g)}


__all__ += ["classifier_curvature", "quantized_classifier_risks", "temperature_scaled_losses", "drhw_strengths", "mean_se", "select_rows",
            "hutchinson_trace_summary", "optimal_vs_lloyd_summary", "zero_one_gap_summary",
            "risk_change_summary"]


# ---- kernel complexity (Raskutti, Wainwright, Yu, JMLR 2014; Goel et al., NeurIPS 2024) --------
# (section: kernels)

_KERNEL_FRESH_SEED = 424_242      # the fresh test inputs of seed s use s + this
_KERNEL_SPECTRUM_POINTS = 40      # eigenvalues kept (log-spaced indices) per row for the spectrum plot
KERNEL_PRUNE_METHODS = ("random", "magnitude", "spectral")
KERNEL_COMPRESSIONS = KERNEL_PRUNE_METHODS + ("mask", "uniform", "hw_kmeans")
_U = float(np.finfo(np.float64).eps)


def _kernel_problem(d, n, seed, cfg):
    from .sphere import SphereTeacher

    teacher = SphereTeacher(d, n_centers=cfg["n_centers"], noise_std=cfg["noise_std"], rkhs_norm=cfg["rkhs_norm"],
                            seed=cfg["teacher_seed"])
    X, y, f = teacher.sample(n, rng=seed)
    return teacher, X, y, f


def _kernel_cfg(cfg) -> dict:
    """``cfg`` (default :data:`~theory.testbeds.configs.KERNEL_SPHERE`) with its values checked."""
    from .configs import KERNEL_SPHERE

    c = dict(_record(cfg if cfg is not None else KERNEL_SPHERE, "cfg", tuple(KERNEL_SPHERE)))
    c["n_centers"] = as_int(c["n_centers"], "cfg['n_centers']", low=1, high=2**14)
    c["noise_std"] = check_positive(c["noise_std"], "cfg['noise_std']")
    c["rkhs_norm"] = check_positive(c["rkhs_norm"], "cfg['rkhs_norm']")
    c["teacher_seed"] = _seed(c["teacher_seed"], "cfg['teacher_seed']")
    c["step"] = check_positive(c["step"], "cfg['step']")
    return c


def _kernel_net_args(d, n, width, seed, n_fresh) -> tuple:
    """The problem size of :func:`kernel_rates` (``width`` even: the net is built of mirrored pairs)."""
    d = as_int(d, "d", low=2, high=1000)
    n = as_size(n, "n", low=2, high=10**5)
    width = as_size(width, "width", low=2, high=10**7)
    if width % 2:
        raise ValueError(f"`width` must be even (the net is built of mirrored neuron pairs); got {width}")
    return d, n, width, _seed(seed), as_size(n_fresh, "n_fresh", low=2, high=10**7)


def _kernel_eigenvalues(K):
    """Eigenvalues of K_n/n (clipped at 0, decreasing) and their floating-point error bound n·u·λ_1."""
    n = K.shape[0]
    lam = np.sort(np.clip(np.linalg.eigvalsh(K / n), 0.0, None))[::-1]
    return lam, n * _U * float(lam[0])


def kernel_summary(lam, n, sigma, step) -> dict:
    r"""Critical radius, stopping time, kernel complexity at :math:`\hat\varepsilon_n` and the
    local-Rademacher proxy of the eigenvalues ``lam`` of :math:`K_n/n`."""
    from ..kernels import critical_radius, kernel_complexity, lrc_fixed_point, stopping_time

    lam = as_array(lam, "lam", ndim=1, nonnegative=True)
    if not lam.max() > 0:
        raise ValueError("`lam` must not be all zero (with a zero kernel the stopping time is infinite)")
    n = as_size(n, "n")
    sigma = check_positive(sigma, "sigma")
    step = check_positive(step, "step")
    eps = critical_radius(lam, sigma)
    r, h = lrc_fixed_point(lam, n)
    return {"eps_n": eps, "eps_n2": eps * eps, "T_hat": stopping_time(lam, sigma, step),
            "R_K": kernel_complexity(lam, eps), "lrc": r, "lrc_h": h, "lambda_1": float(lam.max())}


def _log_indices(n, k=_KERNEL_SPECTRUM_POINTS):
    return np.unique(np.geomspace(1, n, k).round().astype(int)) - 1


def kernel_rates(d, n, width, seed, *, n_fresh, delta=0.05, cfg=None, device="cpu") -> dict:
    r"""Early-stopped GD of the two-layer NTK net on the sphere, and kernel GD on its NTK Gram.

    Samples ``n`` points of the teacher of :data:`theory.testbeds.configs.KERNEL_SPHERE` (seed
    ``seed``), builds :class:`~theory.testbeds.sphere.TwoLayerReLU` of ``width`` (seed ``seed``)
    and its NTK Gram :math:`K_n`, computes :math:`\hat\varepsilon_n` and :math:`\hat T`
    (:func:`theory.kernels.critical_radius`, :func:`~theory.kernels.stopping_time`), runs kernel
    GD on :math:`K_n` and full-batch GD on the net for :math:`\hat T` steps, and measures both on
    the training inputs (:math:`\|f_{\hat T} - f^*\|_n^2`) and on ``n_fresh`` fresh inputs (the
    excess risk :math:`\mathbb E(f_{\hat T} - f^*)^2`, same sample for both, with SE).

    Returns
    -------
    dict
        ``d, n, width, seed, sigma, eps_n, eps_n2, T_hat, R_K, lrc, lrc_h, lambda_1, bbm_bound``,
        ``kgd_insample, kgd_risk, kgd_risk_se, net_insample, net_risk, net_risk_se``,
        ``net_kgd_gap`` (mean squared difference of the two predictors on the fresh inputs) and
        ``spectrum_j, spectrum`` (eigenvalues of :math:`K_n/n` at log-spaced indices).
    """
    from ..kernels import bbm_excess_risk_bound, kernel_gradient_descent
    from .sphere import TwoLayerReLU, uniform_sphere

    c = _kernel_cfg(cfg)
    d, n, width, seed, n_fresh = _kernel_net_args(d, n, width, seed, n_fresh)
    delta = _delta(delta)
    teacher, X, y, f = _kernel_problem(d, n, seed, c)
    net = TwoLayerReLU(d, width, seed=seed, device=device)
    K = net.ntk(X)
    lam, _ = _kernel_eigenvalues(K)
    s = kernel_summary(lam, n, c["noise_std"], c["step"])
    T = s["T_hat"]
    Xf = uniform_sphere(n_fresh, d, rng=seed + _KERNEL_FRESH_SEED)
    ff = teacher(Xf)
    fit, pred = kernel_gradient_descent(K, y, c["step"], T, K_cross=net.ntk(Xf, X))
    from .sphere import train_gd

    train_gd(net, X, y, c["step"], T)
    net_fit, net_pred = net.predict(X), net.predict(Xf)
    kr = Measurement.from_samples((pred - ff) ** 2)
    nr = Measurement.from_samples((net_pred - ff) ** 2)
    idx = _log_indices(n)
    return {"d": d, "n": n, "width": width, "seed": seed, "sigma": c["noise_std"], **s,
            "bbm_bound": bbm_excess_risk_bound(lam, n, delta), "delta": delta,
            "kgd_insample": float(np.mean((fit - f) ** 2)), "kgd_risk": kr.value, "kgd_risk_se": kr.se,
            "net_insample": float(np.mean((net_fit - f) ** 2)), "net_risk": nr.value, "net_risk_se": nr.se,
            "net_kgd_gap": float(np.mean((net_pred - pred) ** 2)),
            "spectrum_j": [int(i) + 1 for i in idx], "spectrum": [float(lam[i]) for i in idx]}


def _uniform_grid(w, bits):
    """Round to a symmetric uniform grid of 2**bits - 1 levels (0 included) spanning ±max|w|."""
    h = 2 ** (bits - 1) - 1
    B = float(np.abs(w).max())
    return w if B == 0 or h == 0 else np.round(w * (h / B)) * (B / h)


def _pair_keep(method, net, X, keep_pairs, seed):
    """Neuron pairs kept by ``method`` (spectral_prune on the pairs' activation covariance)."""
    import torch

    from ..spectral import spectral_prune

    half = net.width // 2
    with torch.no_grad():
        Xt = torch.as_tensor(X, dtype=net.weight.dtype, device=net.weight.device)
        H = torch.relu(Xt @ net.weight[:half].T).cpu().numpy()
    S = H.T @ H / H.shape[0]
    a = net.output.detach()[:half].cpu().numpy()
    lam = _SPECTRAL_REL_TAU * max(float(np.trace(S)) / half, 1e-300)
    res = spectral_prune(S, keep_pairs, lam=lam, method={"spectral": "greedy"}.get(method, method),
                         next_weight=a[None, :], rng=seed)
    return np.asarray(res.keep)


def _compress(kind, net, X, frac_or_bits, seed, hess=None):
    """A compressed copy of ``net``: pruned pairs, frozen entries or quantized first layer."""
    import copy

    import torch

    from ..quantization import hessian_weighted_kmeans

    new = copy.deepcopy(net)
    half = net.width // 2
    with torch.no_grad():
        if kind in KERNEL_PRUNE_METHODS:
            keep = _pair_keep(kind, net, X, max(1, int(round(frac_or_bits * half))), seed)
            m = torch.zeros(half, dtype=new.neuron_mask.dtype, device=new.neuron_mask.device)
            m[torch.as_tensor(keep, dtype=torch.long)] = 1
            new.neuron_mask.copy_(torch.cat([m, m]))
        elif kind == "mask":
            rng = np.random.default_rng(seed)
            M = (rng.random((half, net.in_dim)) < frac_or_bits).astype(np.float64)
            Mt = torch.as_tensor(M, dtype=new.weight_mask.dtype, device=new.weight_mask.device)
            new.weight_mask.copy_(torch.cat([Mt, Mt]))
        else:
            W = net.weight.detach().cpu().numpy()
            if kind == "uniform":
                Wq = _uniform_grid(W, frac_or_bits)
            else:
                Wq = hessian_weighted_kmeans(W.ravel(), hess.ravel(), 2 ** frac_or_bits,
                                             method="optimal").quantized.reshape(W.shape)
            new.weight.copy_(torch.as_tensor(Wq, dtype=new.weight.dtype))
    return new


def _first_layer_gauss_newton(net, X):
    r"""Diagonal of the Gauss–Newton matrix :math:`\frac1n J^\top J` for the first layer."""
    import torch

    with torch.no_grad():
        Xt = torch.as_tensor(X, dtype=net.weight.dtype, device=net.weight.device)
        P = (Xt @ net.weight.T > 0).to(Xt.dtype)                    # (n, m)
        c = (net.output * net.neuron_mask) ** 2 / net.width          # (m,)
        G = (P.T @ Xt ** 2) * c[:, None] / Xt.shape[0]               # (m, d)
    return G.cpu().numpy()


def kernel_compression(d, n, width, seed, *, kinds=KERNEL_COMPRESSIONS, fractions=(), bits=(), n_fresh,
                       cfg=None, device="cpu") -> list:
    r"""Kernel complexity of a compressed two-layer NTK net, before and after, and its risk.

    The problem of :func:`kernel_rates` (``d, n, width, seed``). Compressions:

    - pruning neuron pairs (``"random"``, ``"magnitude"`` :math:`|a_r|`, ``"spectral"``: greedy
      :func:`theory.spectral.spectral_prune` on the pairs' activation covariance), keeping a
      fraction of pairs (so :math:`f_0 \equiv 0` still), scale :math:`m^{-1/2}` unchanged;
    - ``"mask"``: freezing a random fraction of the first-layer entries (pairs alike);
    - ``"uniform"`` (a symmetric grid of :math:`2^b - 1` levels) and ``"hw_kmeans"``
      (:func:`theory.quantization.hessian_weighted_kmeans`, exact, :math:`2^b` levels, weights
      the Gauss–Newton diagonal) of the trained first layer, ``b`` in ``bits``.

    Pruning and masking are applied to the initial net and to the net trained for :math:`\hat T`
    steps; each gives :math:`K_S \preceq K`. The row records, at both weights, the largest
    eigenvalue increase :math:`\max_i \lambda_i(K_S/n) - \lambda_i(K/n)` and its floating-point
    error bound :math:`n u \hat\lambda_1`, and :math:`\hat\varepsilon_n`, :math:`\hat{\mathcal
    R}_K(\hat\varepsilon_n)`, :math:`\hat r^*` before and after; then the compressed initial net
    is retrained by GD for its own :math:`\hat T_S` steps and its excess risk measured on fresh
    inputs. Quantization rows record Weyl's two sides at the trained weights,
    :math:`\max_i|\lambda_i(K_q) - \lambda_i(K)|` and :math:`\|K_q - K\|_2` (of :math:`K/n`),
    and the excess risk of the quantized trained net.

    Returns
    -------
    list of dict
        First the uncompressed net (``kind="none"``), then one row per compression.
    """
    from ..kernels import kernel_complexity
    from .sphere import TwoLayerReLU, train_gd, uniform_sphere

    c = _kernel_cfg(cfg)
    d, n, width, seed, n_fresh = _kernel_net_args(d, n, width, seed, n_fresh)
    kinds = [check_in(k, "kinds", KERNEL_COMPRESSIONS) for k in _seq(kinds, "kinds")]
    fractions = _fractions(fractions) if any(k in KERNEL_PRUNE_METHODS + ("mask",) for k in kinds) else []
    quantize = any(k in ("uniform", "hw_kmeans") for k in kinds)
    bits = [as_int(b, "bits", low=1, high=16) for b in _seq(bits, "bits", empty=not quantize)]
    sigma, step = c["noise_std"], c["step"]
    teacher, X, y, f = _kernel_problem(d, n, seed, c)
    Xf = uniform_sphere(n_fresh, d, rng=seed + _KERNEL_FRESH_SEED)
    ff = teacher(Xf)

    def risk(model):
        m = Measurement.from_samples((model.predict(Xf) - ff) ** 2)
        return m.value, m.se

    init = TwoLayerReLU(d, width, seed=seed, device=device)
    lam0, ro0 = _kernel_eigenvalues(init.ntk(X))
    s0 = kernel_summary(lam0, n, sigma, step)
    trained = TwoLayerReLU(d, width, seed=seed, device=device)
    train_gd(trained, X, y, step, s0["T_hat"])
    K1 = trained.ntk(X)
    lam1, ro1 = _kernel_eigenvalues(K1)
    s1 = kernel_summary(lam1, n, sigma, step)
    r, rse = risk(trained)
    base = {"d": d, "n": n, "width": width, "seed": seed, "sigma": sigma}
    rows = [{**base, "kind": "none", "fraction": 1.0, "bits": 64, "eps_init": s0["eps_n"], "eps_trained": s1["eps_n"],
             "R_K_trained": s1["R_K"], "lrc_trained": s1["lrc"], "T_hat": s0["T_hat"], "risk": r, "risk_se": rse}]
    hess = _first_layer_gauss_newton(trained, X) if "hw_kmeans" in kinds else None
    for kind in kinds:
        if kind in ("uniform", "hw_kmeans"):
            for b in bits:
                q = _compress(kind, trained, X, b, seed, hess)
                Kq = q.ntk(X)
                lq, _ = _kernel_eigenvalues(Kq)
                sq = kernel_summary(lq, n, sigma, step)
                weyl = float(np.linalg.norm((Kq - K1) / n, 2))
                r, rse = risk(q)
                rows.append({**base, "kind": kind, "fraction": 1.0, "bits": b,
                             "eps_trained": s1["eps_n"], "eps_trained_after": sq["eps_n"],
                             "R_K_trained": s1["R_K"], "R_K_trained_after": kernel_complexity(lq, s1["eps_n"]),
                             "lrc_trained": s1["lrc"], "lrc_trained_after": sq["lrc"],
                             "weyl_shift": float(np.max(np.abs(lq - lam1))), "weyl_bound": weyl,
                             "weyl_roundoff": ro1 + n * _U * float(lq[0]),
                             "risk": r, "risk_se": rse})
            continue
        for frac in fractions:
            ci = _compress(kind, init, X, frac, seed)
            li, _ = _kernel_eigenvalues(ci.ntk(X))
            si = kernel_summary(li, n, sigma, step)
            ct = copy_masks(ci, trained)
            lt, _ = _kernel_eigenvalues(ct.ntk(X))
            st = kernel_summary(lt, n, sigma, step)
            train_gd(ci, X, y, step, si["T_hat"])
            r, rse = risk(ci)
            kept = int(round(float(ci.neuron_mask.sum()))) if kind != "mask" else width
            rows.append({**base, "kind": kind, "fraction": frac, "bits": 64, "kept_neurons": kept,
                         "eps_init": s0["eps_n"], "eps_init_after": si["eps_n"],
                         "max_eig_increase_init": float(np.max(li - lam0)), "roundoff_init": ro0,
                         "eps_trained": s1["eps_n"], "eps_trained_after": st["eps_n"],
                         "max_eig_increase_trained": float(np.max(lt - lam1)), "roundoff_trained": ro1,
                         "R_K_trained": s1["R_K"], "R_K_trained_after": kernel_complexity(lt, s1["eps_n"]),
                         "lrc_trained": s1["lrc"], "lrc_trained_after": st["lrc"],
                         "T_hat": si["T_hat"], "risk": r, "risk_se": rse})
    return rows


def copy_masks(source, target):
    """A copy of ``target`` (a :class:`~theory.testbeds.sphere.TwoLayerReLU`) with the neuron and
    weight masks of ``source``."""
    import copy

    import torch

    from .sphere import TwoLayerReLU

    for name, net in (("source", source), ("target", target)):
        if not isinstance(net, TwoLayerReLU):
            raise TypeError(f"`{name}` must be a TwoLayerReLU; got {type(net).__name__}")
    if (source.width, source.in_dim) != (target.width, target.in_dim):
        raise ValueError(f"`source` and `target` must have the same width and in_dim; got "
                         f"{(source.width, source.in_dim)} and {(target.width, target.in_dim)}")
    new = copy.deepcopy(target)
    with torch.no_grad():
        new.neuron_mask.copy_(source.neuron_mask)
        new.weight_mask.copy_(source.weight_mask)
    return new


KERNEL_TNN_TASKS = ("digits", "teacher_student")


def _tnn_cfg(cfg) -> dict:
    """``cfg`` (default :data:`~theory.testbeds.configs.KERNEL_TNN`) with its values checked."""
    from .configs import KERNEL_TNN

    c = dict(_record(cfg if cfg is not None else KERNEL_TNN, "cfg", tuple(KERNEL_TNN)))
    c["hidden"] = [as_size(h, "cfg['hidden']", high=10**5) for h in _seq(c["hidden"], "cfg['hidden']")]
    c["lr"] = check_positive(c["lr"], "cfg['lr']")
    c["batch_size"] = as_size(c["batch_size"], "cfg['batch_size']", high=10**6)
    return c


def _tnn_n(task, n_train) -> int:
    """The number of training rows :func:`_tnn_data` returns."""
    return min(n_train, 1437) if task == "digits" else n_train


def _tnn_data(task, seed, n_train, device):
    from .data import load_digits_split

    if task == "digits":
        s = load_digits_split(n_train=min(n_train, 1437), seed=seed, device=device)
        return s.X_train, s.y_train, s.X_test, s.y_test, 64, 10, "classification"
    ts = spectral_teacher_student(device=device)
    X, Y = ts.sample(n_train, rng=seed)
    Xt, Yt = ts.sample(5000, rng=seed + _KERNEL_FRESH_SEED)
    return X, Y, Xt, Yt, ts.in_dim, 1, "regression"


def _tnn_diverged(epoch):
    raise ValueError(f"the training diverged (non-finite loss or features in epoch {epoch}): `eta` or "
                     "`cfg['lr']` is too large")


def tnn_training(task, seed, *, rank, eta, epochs, n_train, cfg=None, device="cpu") -> dict:
    r"""Train an MLP with the truncated-nuclear-norm penalty on its features; feature spectrum.

    Loss per minibatch :math:`B`: the task loss plus
    :math:`\eta\,n^{-1/2}\,\widehat{\|F\|}_{*,r}`, the unbiased minibatch surrogate
    (:func:`theory.kernels.tnn_surrogate`) of the truncated nuclear norm of the training feature
    matrix :math:`F` (last hidden layer, n×p), with :math:`(U, V)` refreshed from the SVD of the
    full :math:`F` at the start of every epoch (:func:`theory.kernels.tnn_refresh`). The factor
    :math:`n^{-1/2}` makes the penalty :math:`\sum_{j>r}\sqrt{\hat\lambda_j(FF^\top/n)}`.
    The recipe is :data:`theory.testbeds.configs.KERNEL_TNN`.

    The penalty can be lowered by shrinking :math:`F` and growing the last layer, so the row
    reports scale-free quantities next to the raw ones.

    Returns
    -------
    dict
        ``task, seed, rank, eta, n``; ``train_err``, ``test_err`` (0-1 error, or squared error for
        regression); ``tnn`` (:math:`\sum_{j>r}\sigma_j(F)/\sqrt n`), ``tail_fraction``
        (:math:`\sum_{j>r}\sigma_j/\sum_j\sigma_j`), ``R_K`` (:math:`\hat{\mathcal R}_K` of
        :math:`FF^\top` at :math:`\varepsilon = 0.1\sqrt{\mathrm{tr}(FF^\top/n)}`, divided by
        that scale), ``lrc`` (:math:`\hat r^*` of :math:`FF^\top` normalized to unit trace) and
        ``spectrum`` (normalized :math:`\sigma_j(F)/\sigma_1(F)`, all of them).
    """
    import torch

    from ..kernels import kernel_complexity, lrc_fixed_point, tnn_refresh, tnn_surrogate, truncated_nuclear_norm
    from .nets import evaluate, loss_fn, make_mlp, torch_generator

    c = _tnn_cfg(cfg)
    check_in(task, "task", KERNEL_TNN_TASKS)
    seed = _seed(seed)
    rank = as_int(rank, "rank", low=0, high=min(c["hidden"][-1], 10**6))
    eta = check_nonnegative(eta, "eta")
    epochs = as_int(epochs, "epochs", low=1, high=10**6)
    n_train = as_size(n_train, "n_train", low=20, high=10**6)
    X, Y, Xt, Yt, d_in, k, t = _tnn_data(task, seed, n_train, device)
    n = X.shape[0]
    model = make_mlp(d_in, c["hidden"], k, activation="relu", seed=seed, device=device)
    feat = model[:-1]
    opt = torch.optim.Adam(model.parameters(), lr=c["lr"])
    lf = loss_fn(t)
    g = torch_generator(seed)
    B = min(int(c["batch_size"]), n)
    def features(e):
        with torch.no_grad():
            F = feat(X)
        if not bool(torch.isfinite(F).all()):
            _tnn_diverged(e)
        return F

    for e in range(epochs):
        U, V = tnn_refresh(features(e))
        perm = torch.randperm(n, generator=g).to(X.device)
        for start in range(0, n, B):
            idx = perm[start:start + B]
            Fb = feat(X[idx])
            if not bool(torch.isfinite(Fb).all()):
                _tnn_diverged(e)
            loss = lf(model[-1](Fb), Y[idx]).mean()
            if eta > 0:
                loss = loss + eta * tnn_surrogate(Fb, U, V, rank, batch_index=idx.cpu().numpy(), n=n) / np.sqrt(n)
            if not bool(torch.isfinite(loss)):
                _tnn_diverged(e)
            opt.zero_grad()
            loss.backward()
            opt.step()
    F = features(epochs).double().cpu().numpy()
    sv = np.linalg.svd(F, compute_uv=False)
    lam = sv ** 2 / n
    scale = float(lam.sum())
    if t == "classification":
        tr_err, te_err = [1.0 - float((model(x).argmax(1) == y).float().mean()) for x, y in ((X, Y), (Xt, Yt))]
    else:
        tr_err, te_err = [evaluate(model, x, y, t).value for x, y in ((X, Y), (Xt, Yt))]
    unit = lam / scale if scale > 0 else lam
    eps = 0.1
    return {"task": task, "seed": seed, "rank": rank, "eta": eta, "n": n, "epochs": epochs,
            "train_err": tr_err, "test_err": te_err,
            "tnn": float(truncated_nuclear_norm(F, rank) / np.sqrt(n)),
            "tail_fraction": float(sv[rank:].sum() / sv.sum()) if sv.sum() > 0 else 0.0,
            # the n x n kernel FF^T has n - min(n, p) zero eigenvalues besides these
            "R_K": kernel_complexity(np.concatenate([unit, np.zeros(n - unit.size)]), eps) / eps,
            "lrc": lrc_fixed_point(unit, n)[0],
            "feature_scale": float(np.sqrt(scale)),
            "spectrum": [float(v / sv[0]) if sv[0] > 0 else 0.0 for v in sv]}


def tnn_surrogate_check(task, seed, *, rank, batch_size, draws, n_train, cfg=None, device="cpu") -> dict:
    r"""Both sides of the surrogate's two identities on the features of the initial MLP.

    At the refresh point the full-data surrogate equals :math:`\sum_{j>r}\sigma_j(F)` (compared
    with numpy's SVD of :math:`F` in float64), and the minibatch surrogate
    :math:`(n/B)\sum_{i\in B}\dots` over ``draws`` uniformly random batches of ``batch_size``
    (without replacement) has mean :math:`\sum_{j>r}\sigma_j(F)`: the Monte Carlo mean with its SE.
    """
    import torch

    from ..kernels import tnn_refresh, tnn_surrogate, truncated_nuclear_norm
    from .nets import make_mlp

    c = _tnn_cfg(cfg)
    check_in(task, "task", KERNEL_TNN_TASKS)
    seed = _seed(seed)
    rank = as_int(rank, "rank", low=0, high=c["hidden"][-1])
    draws = as_size(draws, "draws", low=2, high=10**6)
    n_train = as_size(n_train, "n_train", low=20, high=10**6)
    batch_size = as_int(batch_size, "batch_size", low=1, high=_tnn_n(task, n_train))
    X, _, _, _, d_in, k, _ = _tnn_data(task, seed, n_train, device)
    n = X.shape[0]
    model = make_mlp(d_in, c["hidden"], k, activation="relu", seed=seed, device=device, dtype=torch.float64)
    with torch.no_grad():
        F = model[:-1](X.double())
    U, V = tnn_refresh(F)
    exact = truncated_nuclear_norm(F.cpu().numpy(), rank)
    full = float(tnn_surrogate(F, U, V, rank))
    rng = np.random.default_rng(seed)
    vals = []
    for _ in range(draws):
        idx = rng.choice(n, size=batch_size, replace=False)
        vals.append(float(tnn_surrogate(F[torch.as_tensor(idx)], U, V, rank, batch_index=idx, n=n)))
    m = Measurement.from_samples(vals)
    return {"task": task, "seed": seed, "rank": rank, "n": n, "exact": exact, "refresh": full,
            "minibatch_mean": m.value, "minibatch_se": m.se, "batch_size": batch_size, "draws": draws}


def rate_slope(rows, d, key="eps_n2") -> dict:
    r"""Least-squares slope of :math:`\log` ``key`` (mean over seeds) against :math:`\log n` for
    the :func:`kernel_rates` rows of dimension ``d``, next to the theoretical
    :math:`-d/(2d-1)` (eigenvalues :math:`\lambda_j symp j^{-d/(d-1)}` on :math:`S^{d-1}`)."""
    if not isinstance(key, str):
        raise TypeError(f"`key` must be a str (a key of the rows); got {type(key).__name__}")
    d = as_int(d, "d", low=2)
    pts = [(as_size(r["n"], f"rows[{i}]['n']"), as_float(r[key], f"rows[{i}]['{key}']", low=0.0, low_open=True))
           for i, r in enumerate(_records(rows, ("d", "n", key))) if r["d"] == d]
    ns = sorted({n for n, _ in pts})
    if len(ns) < 2:
        raise ValueError(f"`rows` must hold rows of `d`={d} at two or more sample sizes; got {ns}")
    y = [float(np.mean([v for m, v in pts if m == n])) for n in ns]
    slope, intercept = np.polyfit(np.log(ns), np.log(y), 1)
    return {"d": d, "slope": float(slope), "intercept": float(intercept), "theory": -d / (2 * d - 1),
            "ns": ns, "values": y}


__all__ += ["KERNEL_PRUNE_METHODS", "KERNEL_COMPRESSIONS", "KERNEL_TNN_TASKS", "kernel_summary", "kernel_rates",
            "kernel_compression", "copy_masks", "tnn_training", "tnn_surrogate_check", "rate_slope"]


# ---- evaluated CMI on compressed nets (Harutyunyan et al., NeurIPS 2021) ------------------------
# (section: cmi)

#: Compressions of ``cmi_supersample``: name -> (kind, parameter). Uniform grids of 2^b − 1 levels
#: per layer (theory.coresets.quantize_weights), HW k-means with 2^b levels per layer weighted by
#: the Gauss–Newton diagonal of the run's training half (theory.quantization.quantize_network),
#: layer-wise magnitude pruning of a fraction of the weights (theory.coresets.magnitude_prune),
#: and the same followed by masked fine-tuning on the training half.
CMI_COMPRESSIONS = {
    "none": ("none", 0), "uniform-8": ("uniform", 8), "uniform-4": ("uniform", 4), "uniform-3": ("uniform", 3),
    "hw-4": ("hw", 4), "hw-3": ("hw", 3), "hw-2": ("hw", 2),
    "prune-50": ("prune", 0.5), "prune-80": ("prune", 0.8), "prune-90": ("prune", 0.9),
    "prune-50-ft": ("prune_ft", 0.5), "prune-80-ft": ("prune_ft", 0.8), "prune-90-ft": ("prune_ft", 0.9),
}
_CMI_SUPERSAMPLE_SEED = 31_000_000   # supersample s of seed g uses g * 1000 + s + this
_CMI_RUN_SEED = 47_000_000           # run r of supersample s of seed g: (g * 1000 + s) * 100_000 + r + this


def _cmi_data(task, n, sseed, n_fresh, device):
    """The supersample (row 2i + j is Z_{i,j}) and a population sample, as tensors."""
    import torch

    from .configs import QUANTIZATION_TEACHER as T
    from .data import _digits
    from .nets import TeacherStudent

    if task == "teacher_student":
        ts = TeacherStudent(T["in_dim"], T["teacher_widths"], T["out_dim"], task="classification",
                            teacher_seed=T["teacher_seed"], temperature=T["temperature"], device=device)
        Xs, Ys = ts.sample(2 * n, rng=sseed)
        Xp, Yp = ts.sample(n_fresh, rng=sseed + 1)
        return Xs, Ys, Xp, Yp, T["in_dim"], T["out_dim"]
    X, y = _digits()
    if 2 * n > X.shape[0] - 100:
        raise ValueError(f"`n` must leave at least 100 of the {X.shape[0]} digits for the population sample "
                         f"(2n <= {X.shape[0] - 100}); got n={n}")
    y = (y >= 5).astype(np.int64) if task == "digits_binary" else np.array(y)   # a writable copy
    perm = np.random.default_rng(sseed).permutation(X.shape[0])
    Xt = torch.as_tensor(X / 16.0, dtype=torch.float32, device=device)
    Yt = torch.as_tensor(y, dtype=torch.long, device=device)
    s, p = torch.as_tensor(perm[:2 * n], device=device), torch.as_tensor(perm[2 * n:], device=device)
    return Xt[s], Yt[s], Xt[p], Yt[p], 64, 2 if task == "digits_binary" else 10


def cmi_masks(m, n, rng) -> np.ndarray:
    r"""``m`` selector vectors :math:`U \in \{0,1\}^n` in complementary pairs.

    Rows :math:`2j` are uniform and i.i.d.; row :math:`2j+1` is :math:`1 - U_{2j}`. Each run's
    :math:`U` is uniform, and every prefix of an even number of runs has each :math:`U_i`
    exactly balanced, so the plug-in :math:`\hat H(U_i)` is exactly :math:`\log 2`.
    """
    m = as_size(m, "m", low=2)
    if m % 2:
        raise ValueError(f"`m` must be even (masks come in complementary pairs); got {m}")
    n = as_size(n, "n")
    half = check_rng(rng).integers(0, 2, size=(m // 2, n))
    out = np.empty((m, n), dtype=np.int64)
    out[0::2], out[1::2] = half, 1 - half
    return out


def _cmi_compress(name, models, X, Y, idx, cfg, seeds):
    """The compressed copies of the trained ``models`` (each from its training half only)."""
    import copy

    import torch

    from ..coresets import magnitude_prune, quantize_weights
    from ..curvature import gauss_newton_diagonal
    from ..quantization import quantize_network
    from .nets import train_many

    kind, p = CMI_COMPRESSIONS[name]
    if kind == "none":
        return [copy.deepcopy(mdl) for mdl in models], None
    if kind == "uniform":
        return [quantize_weights(mdl, levels=2 ** p - 1) for mdl in models], 2 ** p - 1
    if kind == "hw":
        out = []
        for mdl, ix in zip(models, idx):
            h = gauss_newton_diagonal(mdl, X[ix], Y[ix], "classification")
            out.append(quantize_network(mdl, h, bits=p, method="hw").model)
        return out, 2 ** p
    pruned = [magnitude_prune(mdl, 1.0 - p).model for mdl in models]
    if kind == "prune_ft" and cfg["finetune_epochs"] > 0:
        masks = [{k: (v != 0).to(v.dtype) for k, v in mdl.state_dict().items() if k.endswith("weight")}
                 for mdl in pruned]
        train_many(pruned, X, Y, torch.as_tensor(idx, device=X.device), "classification",
                   epochs=cfg["finetune_epochs"], lr=cfg["lr"], batch_size=10**9, seeds=seeds, masks=masks)
    return pruned, None


def cmi_supersample(task, n, m, supersamples, *, seed=0, compressions=tuple(CMI_COMPRESSIONS), n_fresh=20000,
                    m_grid=(), cfg=None, device="cpu") -> list:
    r"""Evaluated-CMI bounds of trained and compressed nets on ``supersamples`` supersamples.

    For each supersample :math:`\tilde Z` (n pairs of ``task``) and ``m`` selectors
    (:func:`cmi_masks`), one MLP per selector is trained on its half of every pair
    (:func:`theory.testbeds.nets.train_many`, :data:`theory.testbeds.configs.CMI_TRAINING`),
    compressed by each of ``compressions`` (:data:`CMI_COMPRESSIONS`, using only its training
    half), and evaluated: predicted labels and 0-1 losses on both members of every pair, the error
    on its training half, on its held-out half and on a population sample. From these,
    :mod:`theory.cmi` gives the f-, e- and ld-CMI bounds (per supersample, averaged), the pooled
    ld-CMI bound, the binary-KL form and, when every run interpolates, the pooled interpolation
    risk; :func:`theory.cmi.generalization_gap` gives the measured gap.

    Returns
    -------
    list of dict
        One row per compression: ``task, n, m, supersamples, compression, kind``, the gap bounds
        ``fcmi, ecmi, ldcmi, ldcmi_pooled, binary_kl`` (the binary-KL bound on the held-out error,
        ``binary_kl_risk``, minus the training error), ``single_loss`` (constant 1, see
        :func:`theory.cmi.single_loss_bound`), ``interpolation`` (NaN unless every run has
        training error 0), ``gap, gap_se, train_err, heldout_err, pop_err,
        pop_err_se``, ``floor_share`` (share of examples whose f-CMI term is at or below the
        plug-in floor of its number of symbols), ``rate_bound`` (the weight-rate bound
        :math:`\sqrt{2\min(n\log 2, R)/n}` of quantized nets, NaN otherwise) and
        ``fcmi_m, ldcmi_m`` (the two bounds from the first ``m'`` runs, ``m'`` in ``m_grid``).
    """
    import torch

    from .. import cmi
    from ..bounds import quantizer_rate_bound
    from .configs import CMI_TASKS, CMI_TRAINING
    from .nets import make_mlp, train_many

    c = dict(_record(cfg if cfg is not None else CMI_TRAINING, "cfg", tuple(CMI_TRAINING)))
    c["width"] = as_size(c["width"], "cfg['width']", high=10**6)
    c["lr"] = check_positive(c["lr"], "cfg['lr']")
    c["epochs"] = as_int(c["epochs"], "cfg['epochs']", low=0, high=10**6)
    c["finetune_epochs"] = as_int(c["finetune_epochs"], "cfg['finetune_epochs']", low=0, high=10**6)
    check_in(task, "task", CMI_TASKS)
    n = as_size(n, "n", low=2, high=10**5)
    m = as_size(m, "m", low=2, high=10**5)
    if m % 2:
        raise ValueError(f"`m` must be even (masks come in complementary pairs); got {m}")
    supersamples = as_size(supersamples, "supersamples", high=10**4)
    seed = _seed(seed)
    n_fresh = as_size(n_fresh, "n_fresh", low=2, high=10**7)
    comps = [check_in(k, "compressions", tuple(CMI_COMPRESSIONS)) for k in _seq(compressions, "compressions")]
    m_grid = [as_int(x, "m_grid", low=2, high=m) for x in _seq(m_grid, "m_grid", empty=True)]
    if any(x % 2 for x in m_grid):
        raise ValueError(f"`m_grid` must hold even numbers (prefixes of complementary mask pairs); got {m_grid}")
    acc = {k: {"pred": [], "loss": [], "train": [], "held": [], "pop": [], "levels": None, "rate": None}
           for k in comps}
    for s in range(supersamples):
        sseed = seed * 1000 + s + _CMI_SUPERSAMPLE_SEED
        Xs, Ys, Xp, Yp, d_in, k = _cmi_data(task, n, sseed, n_fresh, device)
        U = cmi_masks(m, n, sseed)
        idx = 2 * np.arange(n)[None, :] + U                     # (m, n): the trained member of each pair
        seeds = [(seed * 1000 + s) * 100_000 + r + _CMI_RUN_SEED for r in range(m)]
        models = [make_mlp(d_in, [c["width"]], k, seed=sd, device=device) for sd in seeds]
        train_many(models, Xs, Ys, torch.as_tensor(idx, device=Xs.device), "classification", epochs=c["epochs"],
                   lr=c["lr"], batch_size=10**9, seeds=seeds)
        Ypair = Ys.reshape(n, 2)
        for name in comps:
            comp, levels = _cmi_compress(name, models, Xs, Ys, idx, c, seeds)
            pred = np.empty((m, n, 2), dtype=np.int64)
            pop = np.empty(m)
            with torch.no_grad():
                for r, mdl in enumerate(comp):
                    mdl.eval()
                    pred[r] = mdl(Xs).argmax(1).reshape(n, 2).cpu().numpy()
                    pop[r] = float((mdl(Xp).argmax(1) != Yp).float().mean())
            loss = (pred != Ypair.cpu().numpy()[None]).astype(np.float64)
            a = acc[name]
            a["pred"].append(pred)
            a["loss"].append(loss)
            a["pop"].append(pop)
            trained = np.take_along_axis(loss, U[..., None], axis=2)[..., 0]
            held = np.take_along_axis(loss, 1 - U[..., None], axis=2)[..., 0]
            a["train"].append(trained.mean(1))
            a["held"].append(held.mean(1))
            if levels is not None:
                nw = sum(int(p.numel()) for kk, p in comp[0].state_dict().items() if kk.endswith("weight"))
                nb = sum(int(p.numel()) for kk, p in comp[0].state_dict().items() if kk.endswith("bias"))
                n_layers = sum(1 for kk in comp[0].state_dict() if kk.endswith("weight"))
                # weights on a K-level grid + float32 biases and codebooks (32 bits each)
                a["rate"] = quantizer_rate_bound(nw, levels) + 32 * math.log(2) * (nb + n_layers * levels)
    rows = []
    for name in comps:
        a = acc[name]
        P, L = np.stack(a["pred"]), np.stack(a["loss"])       # (S, m, n, 2)
        Um = np.stack([cmi_masks(m, n, seed * 1000 + s + _CMI_SUPERSAMPLE_SEED) for s in range(supersamples)])
        gap = cmi.generalization_gap(L, Um)
        train_err = float(np.mean(a["train"]))
        e = cmi.ecmi_bound(L, Um)
        row = {"task": task, "n": n, "m": m, "supersamples": supersamples, "seed": seed, "compression": name,
               "kind": CMI_COMPRESSIONS[name][0],
               "fcmi": cmi.fcmi_bound(P, Um), "ecmi": e, "ldcmi": cmi.ldcmi_bound(L, Um),
               "ldcmi_pooled": cmi.ldcmi_bound(L, Um, pooled=True) if supersamples > 1 else float("nan"),
               "single_loss": cmi.single_loss_bound(L, Um),
               "gap": gap.value, "gap_se": gap.se, "train_err": train_err,
               "heldout_err": float(np.mean(a["held"])),
               "heldout_err_se": Measurement.from_samples(np.concatenate(a["held"])).se,
               "pop_err": float(np.mean(a["pop"])),
               "pop_err_se": Measurement.from_samples(np.concatenate(a["pop"])).se}
        # binary-KL form: a bound R on the expected held-out (population) error from the mean e-CMI;
        # the gap bound is R minus the training error
        risk_kl = cmi.binary_kl_bound(train_err, float(np.mean([
            cmi.samplewise_mi(L[s], Um[s]).mean() for s in range(supersamples)])))
        row["binary_kl_risk"] = risk_kl
        row["binary_kl"] = risk_kl - train_err
        all_zero = all(float(np.max(t)) == 0.0 for t in a["train"])
        row["interpolation"] = (cmi.interpolation_risk(L, Um) if all_zero and supersamples > 1 else float("nan"))
        fm = np.stack([cmi.samplewise_mi(P[s], Um[s]) for s in range(supersamples)])   # (S, n)
        ksym = np.array([[len(np.unique(P[s, :, i, 0] * 1000 + P[s, :, i, 1])) for i in range(n)]
                         for s in range(supersamples)])
        floor = np.vectorize(lambda kk: cmi.plugin_floor(int(kk), m) if kk > 1 else 0.0)(ksym)
        row["floor_share"] = float(np.mean(np.sqrt(2 * fm) <= floor + 1e-12))
        row["rate_bound"] = (math.sqrt(2 * min(n * math.log(2), a["rate"]) / n) if a["rate"] is not None
                             else float("nan"))
        row["rate_nats"] = a["rate"] if a["rate"] is not None else float("nan")
        row["m_grid"] = m_grid
        row["fcmi_m"] = [cmi.fcmi_bound(P[:, :mm], Um[:, :mm]) for mm in m_grid]
        row["ldcmi_m"] = [cmi.ldcmi_bound(L[:, :mm], Um[:, :mm]) for mm in m_grid]
        rows.append(row)
    return rows


__all__ += ["CMI_COMPRESSIONS", "cmi_masks", "cmi_supersample"]


# ---- information bottleneck (Wang & Yang, ICML 2024; Kawaguchi et al., ICML 2023) --------------
# (section: bottleneck)

BOTTLENECK_OBJECTIVES = ("ce", "released", "u1", "u2")
#: Compressions of the representation X̃ at evaluation time: name -> (kind, parameter).
BOTTLENECK_COMPRESSIONS = {
    "none": ("none", 0), "keep-magnitude-0.5": ("magnitude", 0.5), "keep-magnitude-0.25": ("magnitude", 0.25),
    "keep-spectral-0.5": ("spectral", 0.5), "keep-spectral-0.25": ("spectral", 0.25),
    "quant-4": ("quant", 4), "quant-2": ("quant", 2), "quant-1": ("quant", 1),
    "merge-2": ("merge", 2), "merge-4": ("merge", 4),
}
_BOTTLENECK_FRESH_SEED = 99_000


class _BottleneckNet(torch.nn.Module):
    """in -> hidden -> ReLU -> dim (the representation X̃), K cluster centroids and a table
    q(y|a): the prediction is p(y|x) = Σ_a φ(x̃, a) q(y|a), so it passes through the clusters A.
    ``r_logits`` is the variational marginal r(a) of the U2 objective."""

    def __init__(self, d_in, hidden, dim, classes, K, seed):
        super().__init__()
        g = _torch_generator(seed)
        self.enc = torch.nn.Sequential(torch.nn.Linear(d_in, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, dim))
        with torch.no_grad():
            for lin in (self.enc[0], self.enc[2]):
                bound = 1.0 / math.sqrt(lin.in_features)
                lin.weight.copy_((torch.rand(lin.weight.shape, generator=g) * 2 - 1) * bound)
                lin.bias.copy_((torch.rand(lin.bias.shape, generator=g) * 2 - 1) * bound)
        c = torch.randn(K, dim, generator=g)
        self.centroids = torch.nn.Parameter(c / c.norm(dim=1, keepdim=True))
        self.r_logits = torch.nn.Parameter(torch.zeros(K))
        self.q_logits = torch.nn.Parameter(0.1 * torch.randn(K, classes, generator=g))


def _bottleneck_data(task, seed, n_train, n_table, device):
    """(X1, y1) net training, (X2, y2) table points, (Xt, yt) test / population sample, d, C."""
    from .configs import QUANTIZATION_TEACHER as T
    from .data import load_digits_split
    from .nets import TeacherStudent

    if task == "digits":
        sp = load_digits_split(n_train=n_train + n_table, seed=seed, device=device)
        X, y = sp.X_train, sp.y_train
        return X[:n_train], y[:n_train], X[n_train:], y[n_train:], sp.X_test, sp.y_test, 64, 10
    ts = TeacherStudent(T["in_dim"], T["teacher_widths"], T["out_dim"], task="classification",
                        teacher_seed=T["teacher_seed"], temperature=T["temperature"], device=device)
    X, y = ts.sample(n_train + n_table, rng=seed)
    Xt, yt = ts.sample(20000, rng=seed + _BOTTLENECK_FRESH_SEED)
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:], Xt, yt, T["in_dim"], T["out_dim"]


def _ib_term(objective, net, phi, y, phi_in):
    from ..bottleneck import corrected_ib_bound, released_ib_bound, variational_ib_bound

    if objective == "released":
        return released_ib_bound(phi_in, phi, y)["total"]
    if objective == "u1":
        return corrected_ib_bound(phi, y)
    return variational_ib_bound(phi, y, torch.softmax(net.r_logits, 0), torch.softmax(net.q_logits, 1))


def _compress_rep(kind, p, Z, Z_train, seed):
    """The compressed representation (channel keep, per-channel uniform grid) of ``Z``."""
    from ..spectral import spectral_prune

    if kind in ("none", "merge"):
        return Z
    dim = Z.shape[1]
    if kind in ("magnitude", "spectral"):
        k = max(1, int(round(p * dim)))
        if kind == "magnitude":
            keep = np.argsort(-np.abs(Z_train).mean(0), kind="stable")[:k]
        else:
            S = Z_train.T @ Z_train / Z_train.shape[0]
            keep = np.asarray(spectral_prune(S, k, lam=_SPECTRAL_REL_TAU * max(np.trace(S) / dim, 1e-300),
                                             method="greedy").keep)
        out = np.zeros_like(Z)
        out[:, keep] = Z[:, keep]
        return out
    lo, hi = Z_train.min(0), Z_train.max(0)
    levels = 2 ** p
    step = np.where(hi > lo, (hi - lo) / max(levels - 1, 1), 1.0)
    return lo + np.clip(np.round((Z - lo) / step), 0, levels - 1) * step


def bottleneck_run(task, seed, *, K, objective, lam, n_train, n_table, compressions=tuple(BOTTLENECK_COMPRESSIONS),
                   delta=0.05, cfg=None, device="cpu") -> list:
    r"""Train a bottleneck MLP with an information-bottleneck penalty; exact IB quantities and bounds.

    The net of :data:`theory.testbeds.configs.BOTTLENECK_NET` is trained on ``n_train`` points of
    ``task`` with cross-entropy plus ``lam`` times the IB term of ``objective``: ``"ce"`` (none),
    ``"released"`` (the released form, :func:`theory.bottleneck.released_ib_bound`, with input
    clusters on K fixed training inputs), ``"u1"`` (:func:`theory.bottleneck.corrected_ib_bound`)
    or ``"u2"`` (:func:`theory.bottleneck.variational_ib_bound` with learned r, q), each on the
    minibatch. Then, for every compression of the representation (channel keeping by mean absolute
    activation on the training points or greedy spectral selection, a per-channel uniform grid, merging the K clusters into
    K/2 or K/4 by k-means on the centroids), with X uniform over the points:

    - the exact :func:`theory.bottleneck.ib_quantities` on the training and test points;
    - :math:`U_1` on the training points (default q: equal to :math:`I(X;A\mid Y)`) and on the
      test points with q from the training points; the released terms and :math:`U_2` (with
      :math:`r = \hat p(a)`, :math:`q = \hat p(y\mid a)` of the training points) on the test points;
    - the 0-1 error of the net (head on the compressed representation) on training and test points;
    - the bottleneck classifier :math:`h(x) = \arg\max_y q(y\mid a(x))` (hard :math:`a`, table from
      the ``n_table`` held-back points), its table error, its test error and the finite-class bound
      :func:`theory.bottleneck.bottleneck_classifier_bound`.

    Also the largest absolute gradient of the released input-cluster term with respect to the
    representation (autograd; 0 when the term does not depend on it).

    Returns
    -------
    list of dict
        One row per compression.
    """
    from .. import bottleneck as bn
    from .configs import BOTTLENECK_NET, BOTTLENECK_TASKS

    c = dict(_record(cfg if cfg is not None else BOTTLENECK_NET, "cfg", tuple(BOTTLENECK_NET)))
    for key in ("hidden", "dim", "batch_size"):
        c[key] = as_size(c[key], f"cfg['{key}']", high=10**6)
    c["epochs"] = as_int(c["epochs"], "cfg['epochs']", low=0, high=10**6)
    c["beta"] = check_positive(c["beta"], "cfg['beta']")
    c["lr"] = check_positive(c["lr"], "cfg['lr']")
    check_in(task, "task", BOTTLENECK_TASKS)
    seed = _seed(seed)
    K = as_int(K, "K", low=2, high=4096)
    check_in(objective, "objective", BOTTLENECK_OBJECTIVES)
    lam = check_nonnegative(lam, "lam")
    n_train = as_size(n_train, "n_train", low=20, high=10**6)
    n_table = as_size(n_table, "n_table", low=10, high=10**6)
    comps = [check_in(k, "compressions", tuple(BOTTLENECK_COMPRESSIONS)) for k in _seq(compressions, "compressions")]
    delta = _delta(delta)
    X1, y1, X2, y2, Xt, yt, d_in, C = _bottleneck_data(task, seed, n_train, n_table, device)
    net = _BottleneckNet(d_in, c["hidden"], c["dim"], C, K, seed).to(device)
    beta = float(c["beta"])
    gin = np.random.default_rng(seed).choice(X1.shape[0], size=K, replace=False)
    cin = X1[torch.as_tensor(gin, device=X1.device)].detach().clone()
    cin = cin / cin.norm(dim=1, keepdim=True).clamp_min(1e-12)
    opt = torch.optim.Adam(net.parameters(), lr=c["lr"])
    g = _torch_generator(seed)
    B = min(int(c["batch_size"]), X1.shape[0])
    for _ in range(int(c["epochs"])):
        perm = torch.randperm(X1.shape[0], generator=g).to(X1.device)
        for s in range(0, X1.shape[0], B):
            idx = perm[s:s + B]
            xb, yb = X1[idx], y1[idx]
            z = net.enc(xb)
            phi = bn.soft_assignments(z, net.centroids, beta)
            prob = phi @ torch.softmax(net.q_logits, 1)
            loss = torch.nn.functional.nll_loss(torch.log(prob.clamp_min(1e-30)), yb)
            if objective != "ce" and lam > 0:
                phi_in = bn.soft_assignments(xb, cin, beta)
                loss = loss + lam * _ib_term(objective, net, phi, yb, phi_in)
            opt.zero_grad()
            loss.backward()
            opt.step()
    # gradient of the released input-cluster term with respect to the representation
    z = net.enc(X1[:B]).detach().requires_grad_(True)
    terms = bn.released_ib_bound(bn.soft_assignments(X1[:B], cin, beta), bn.soft_assignments(z, net.centroids, beta),
                                 y1[:B])
    # the total's gradient minus the trainable term's is the input term's (0 if it is not connected)
    g_total = torch.autograd.grad(terms["total"], z, retain_graph=True)[0]
    g_train = torch.autograd.grad(terms["trainable"], z)[0]
    input_grad = float((g_total - g_train).abs().max())
    with torch.no_grad():
        Z1, Z2, Zt = (net.enc(x).double().cpu().numpy() for x in (X1, X2, Xt))
        cent = net.centroids.detach().double().cpu().numpy()
        qtab = torch.softmax(net.q_logits, 1).detach().double().cpu().numpy()
        phi_in1, phi_int = (bn.soft_assignments(x.double().cpu().numpy(), cin.double().cpu().numpy(), beta)
                            for x in (X1, Xt))
    Y1, Y2, Yt = (y.cpu().numpy() for y in (y1, y2, yt))
    rows = []
    for name in comps:
        kind, p = BOTTLENECK_COMPRESSIONS[name]
        Zc1, Zc2, Zct = (_compress_rep(kind, p, Z, Z1, seed) for Z in (Z1, Z2, Zt))
        phis = [bn.soft_assignments(Z, cent, beta) for Z in (Zc1, Zc2, Zct)]
        Keff = K
        if kind == "merge":
            from sklearn.cluster import KMeans

            Keff = max(1, K // p)
            mapping = KMeans(n_clusters=Keff, n_init=4, random_state=seed).fit(cent).labels_
            phis = [bn.merge_clusters(ph, mapping) for ph in phis]
            base1 = bn.ib_quantities(bn.soft_assignments(Z1, cent, beta), Y1)
        else:
            base1 = None
        ph1, ph2, pht = phis
        q1, qt = bn.ib_quantities(ph1, Y1), bn.ib_quantities(pht, Yt)
        Q = bn.class_conditional_table(ph1, Y1, num_classes=C)
        u1_train = bn.corrected_ib_bound(ph1, Y1)
        u1_test = bn.corrected_ib_bound(pht, Yt, q=Q)
        released = bn.released_ib_bound(phi_in1, ph1, Y1)
        released_test = bn.released_ib_bound(phi_int, pht, Yt, q=Q)["trainable"]
        # the net's own table q(y|a), merged with the clusters (a merged cluster's table is the
        # phi-weighted mixture of its members' rows on the training points)
        if kind == "merge":
            w = bn.soft_assignments(Z1, cent, beta).sum(0)
            qnet = np.stack([(w[mapping == j, None] * qtab[mapping == j]).sum(0) / w[mapping == j].sum()
                             for j in range(Keff)])
        else:
            qnet = qtab
        pa = ph1.mean(0)
        joint = np.stack([ph1[Y1 == y].sum(0) for y in range(C)], axis=1) / len(Y1)     # (K, C) p(a, y)
        with np.errstate(invalid="ignore", divide="ignore"):
            qya = np.where(pa[:, None] > 0, joint / np.where(pa[:, None] > 0, pa[:, None], 1.0), 1.0 / C)
        u2_test = bn.variational_ib_bound(pht, Yt, pa, qya)
        # bottleneck classifier: hard clusters, table from the held-back points
        a2, at = ph2.argmax(1), pht.argmax(1)
        counts = np.zeros((Keff, C))
        np.add.at(counts, (a2, Y2), 1)
        fallback = np.bincount(Y2, minlength=C).argmax()
        table = np.where(counts.sum(1) > 0, counts.argmax(1), fallback)
        e2 = float(np.mean(table[a2] != Y2))
        et = Measurement.from_samples((table[at] != Yt).astype(float))
        row = {"task": task, "seed": seed, "K": K, "objective": objective, "lam": lam, "n_train": n_train,
               "n_table": n_table, "compression": name, "kind": kind, "clusters": Keff,
               **{f"train_{k}": v for k, v in vars(q1).items()}, **{f"test_{k}": v for k, v in vars(qt).items()},
               "u1_train": u1_train, "u1_test": u1_test, "released_trainable": released["trainable"],
               "released_trainable_test": released_test,
               "released_input": released["input"], "u2_test": u2_test, "input_grad": input_grad,
               "net_train_err": float(np.mean((ph1 @ qnet).argmax(1) != Y1)),
               "net_test_err": float(np.mean((pht @ qnet).argmax(1) != Yt)),
               "bn_table_err": e2, "bn_test_err": et.value, "bn_test_err_se": et.se,
               "bn_bound": bn.bottleneck_classifier_bound(e2, Keff, C, len(Y2), delta), "delta": delta}
        if base1 is not None:
            row["premerge_train_I_XA"], row["premerge_train_I_AY"] = base1.I_XA, base1.I_AY
        rows.append(row)
    return rows


def bottleneck_gap_ib_correlation(rows) -> float:
    r"""Spearman rank correlation, across the rows (compressions of one trained net), of the hard
    bottleneck classifier's gap (test error minus table error) with :math:`I(X;A\mid Y)` on the
    training points; 0 when either is constant."""
    from scipy.stats import spearmanr

    rs = _records(rows, ("bn_test_err", "bn_table_err", "train_ib"))
    if len(rs) < 3:
        raise ValueError(f"`rows` must hold at least 3 rows (compression levels); got {len(rs)}")
    gap = [r["bn_test_err"] - r["bn_table_err"] for r in rs]
    ib = [r["train_ib"] for r in rs]
    if np.ptp(gap) == 0 or np.ptp(ib) == 0:
        return 0.0
    return float(spearmanr(gap, ib).statistic)


__all__ += ["BOTTLENECK_OBJECTIVES", "BOTTLENECK_COMPRESSIONS", "bottleneck_run", "bottleneck_gap_ib_correlation"]


# ---- out-of-distribution: compressed PDE surrogates under parameter shift -----------------------
# (section: shift)

#: Compressions of the FNO surrogate: name -> (kind, parameter).
PDE_COMPRESSIONS = {"none": ("none", 0), "quant-8": ("quant", 8), "quant-4": ("quant", 4),
                    "prune-50-ft": ("prune", 0.5), "prune-80-ft": ("prune", 0.8),
                    "modes-6": ("modes", 6), "modes-3": ("modes", 3)}
#: Parameter shifts: name -> (design, parameter). "piecewise-B": the piecewise design with ratio
#: bound B on the training range; "gaussian": N(c, s²) → N(c + s, s²) in log ν; "extrapolation":
#: source = the training law, target uniform on the log-ν interval of the same width above it.
PDE_SHIFTS = {"piecewise-1": ("piecewise", 1.0), "piecewise-2": ("piecewise", 2.0),
              "piecewise-4": ("piecewise", 4.0), "piecewise-8": ("piecewise", 8.0),
              "gaussian": ("gaussian", 0), "extrapolation": ("extrapolation", 0)}
_PDE_SEED = 5_500_000


def _pde_pairs(n, log_nu, c, rng):
    """(X, U): inputs (u₀ on the observation grid, log ν) and Burgers solutions at t_final.

    Refuses ν below 1.5/N (N the solver grid): with max|u₀| ≤ 2 the shock width ν/(π max|u|)
    would fall below the grid spacing and the "ground truth" would carry solver error (at N = 128,
    ν = 0.002 errs by ~9 % against N = 2048; ν = 0.02 by 5e-5)."""
    from .pde import burgers, random_initial_conditions

    nu_min = 1.5 / c["solver_grid"]
    if float(np.min(log_nu)) < math.log(nu_min):
        raise ValueError(f"`log_nu` must not fall below log({nu_min:.4g}): the solver grid of {c['solver_grid']} "
                         f"points does not resolve Burgers at smaller viscosity; got nu = {math.exp(np.min(log_nu)):.4g}")
    u0 = random_initial_conditions(n, c["solver_grid"], rng)
    u = burgers(u0, np.exp(log_nu), c["t_final"])
    step = c["solver_grid"] // c["grid"]
    X = np.concatenate([u0[:, ::step], log_nu[:, None]], axis=1)
    return X.astype(np.float32), u[:, ::step].astype(np.float32)


def _pde_laws(shift, c):
    from .pde import LogNuLaw, shift_design

    design, p = PDE_SHIFTS[shift]
    lo, hi = math.log(c["nu_lo"]), math.log(c["nu_hi"])
    if design == "extrapolation":
        # above the training range: below it, the solver grid would not resolve the shocks
        return LogNuLaw("uniform", lo, hi), LogNuLaw("uniform", hi, 2 * hi - lo)
    if design == "piecewise":
        return shift_design("piecewise", c["nu_lo"], c["nu_hi"], ratio_bound=p)
    return shift_design("gaussian", c["nu_lo"], c["nu_hi"])


def _shift_divergences(shift, src, tgt):
    """Closed-form (sup w, χ²(μ'‖μ), D(μ'‖μ), D(μ‖μ')) of a shift."""
    from ..shift import gaussian_shift_design, piecewise_ratio_design

    design, p = PDE_SHIFTS[shift]
    if design == "extrapolation":
        return math.inf, math.inf, math.inf, math.inf
    d = piecewise_ratio_design(p) if design == "piecewise" else gaussian_shift_design(tgt.mean - src.mean, src.std)
    return d["sup_ratio"], d["chi2_target_source"], d["kl_target_source"], d["kl_source_target"]


def pde_shift(seed, *, shifts=tuple(PDE_SHIFTS), compressions=tuple(PDE_COMPRESSIONS), n_train=800, n_val=300,
              n_fresh=500, delta=0.05, concept=(), cfg=None, device="cpu") -> list:
    r"""Source and target risks of a compressed FNO surrogate of Burgers under parameter shift, and
    every change-of-measure bound.

    Trains :class:`theory.testbeds.surrogates.FNO1d` on ``n_train`` Burgers pairs with log ν
    drawn from the training law (:data:`theory.testbeds.configs.PDE_SHIFT`), compresses it
    (:data:`PDE_COMPRESSIONS`: uniform quantization, magnitude pruning with masked fine-tuning,
    Fourier-mode truncation), and for every shift of :data:`PDE_SHIFTS` (a source law μ and a
    target law μ′ of log ν with a known density ratio) measures, with the loss
    :math:`g = \min(1, \|\hat u - u\|/\|u\|)`:

    - the source and target risks on ``n_fresh`` fresh pairs each (with SEs), and their ratio;
    - the change-of-measure bounds from the measured source moments
      (:func:`theory.shift.ratio_bound`, :func:`~theory.shift.chi2_bound`,
      :func:`~theory.shift.dv_bound` with the empirical CGF);
    - the certified, source-only bound :func:`theory.shift.certified_target_bound` from
      :math:`\bar p` = :func:`theory.shift.source_risk_upper` of ``n_val`` held-out source pairs;
    - a Monte Carlo estimate of :math:`D(\mu'\|\mu) = E_{\mu'}\log w` from the target draws of
      log ν, next to the closed form.

    ``concept``: values ν′ at which the surrogate, queried at ν₀ = the training law's geometric
    midpoint, is compared with the solver at ν′, with the triangle bound
    :func:`theory.shift.concept_shift_bound` (root-mean-square errors, not clipped).

    Returns
    -------
    list of dict
        One row per (shift, compression), then one per (ν′, compression) for ``concept``.
    """
    import torch

    from .. import shift as sh
    from .pde import LogNuLaw, density_ratio, sample_log_nu
    from .configs import PDE_SHIFT
    from .surrogates import FNO1d, prune_magnitude, quantize_uniform, relative_error, train_surrogate, truncate_modes

    c = dict(_record(cfg if cfg is not None else PDE_SHIFT, "cfg", tuple(PDE_SHIFT)))
    seed = _seed(seed)
    shifts = [check_in(s, "shifts", tuple(PDE_SHIFTS)) for s in _seq(shifts, "shifts", empty=True)]
    comps = [check_in(k, "compressions", tuple(PDE_COMPRESSIONS)) for k in _seq(compressions, "compressions")]
    n_train = as_size(n_train, "n_train", low=10, high=10**6)
    n_val = as_size(n_val, "n_val", low=10, high=10**6)
    n_fresh = as_size(n_fresh, "n_fresh", low=10, high=10**6)
    delta = _delta(delta)
    concept = [check_positive(v, "concept") for v in _seq(concept, "concept", empty=True)]
    rng = np.random.default_rng(seed + _PDE_SEED)
    lo, hi = math.log(c["nu_lo"]), math.log(c["nu_hi"])
    train_law = LogNuLaw("uniform", lo, hi)
    Xtr, Utr = _pde_pairs(n_train, sample_log_nu(n_train, rng, train_law), c, rng)
    base = FNO1d(modes=c["modes"], width=c["width"], layers=c["layers"], seed=seed).to(device)
    Xt, Ut = torch.as_tensor(Xtr, device=device), torch.as_tensor(Utr, device=device)
    train_surrogate(base, Xt, Ut, epochs=c["epochs"], lr=c["lr"], batch_size=c["batch_size"], seed=seed)
    models = {}
    for name in comps:
        kind, p = PDE_COMPRESSIONS[name]
        if kind == "none":
            models[name] = base
        elif kind == "quant":
            models[name] = quantize_uniform(base, p)
        elif kind == "modes":
            models[name] = truncate_modes(base, p)
        else:
            m, masks = prune_magnitude(base, p)
            train_surrogate(m, Xt, Ut, epochs=c["finetune_epochs"], lr=c["lr"] / 3, batch_size=c["batch_size"],
                            seed=seed, masks=masks)
            models[name] = m
    rows = []
    ts = np.geomspace(0.01, 100.0, 60)   # the Donsker–Varadhan grid of t
    for shift in shifts:
        src, tgt = _pde_laws(shift, c)
        zv, zs, zt = (sample_log_nu(n, rng, law) for n, law in ((n_val, src), (n_fresh, src), (n_fresh, tgt)))
        Xv, Uv = _pde_pairs(n_val, zv, c, rng)
        Xs, Us = _pde_pairs(n_fresh, zs, c, rng)
        Xg, Ug = _pde_pairs(n_fresh, zt, c, rng)
        sup_w, chi2, kl_ts, kl_st = _shift_divergences(shift, src, tgt)
        with np.errstate(divide="ignore"):
            logw = np.log(density_ratio(zt, src, tgt))
        kl_mc = Measurement.from_samples(logw) if np.all(np.isfinite(logw)) else Measurement(math.inf)
        for name in comps:
            m = models[name]
            gv, gs, gt = (relative_error(m, X, U) for X, U in ((Xv, Uv), (Xs, Us), (Xg, Ug)))
            S, T = Measurement.from_samples(gs), Measurement.from_samples(gt)
            p_bar = sh.source_risk_upper(float(gv.mean()), n_val, delta)
            dv = sh.dv_bound(kl_ts, sh.empirical_cgf(gs, ts), ts) if math.isfinite(kl_ts) else 1.0
            rows.append({
                "kind": "covariate", "seed": seed, "shift": shift, "compression": name,
                "source_risk": S.value, "source_risk_se": S.se, "target_risk": T.value, "target_risk_se": T.se,
                "amplification": T.value / S.value if S.value > 0 else math.inf,
                "val_risk": float(gv.mean()), "p_bar": p_bar, "n_val": n_val, "delta": delta,
                "sup_ratio": sup_w, "chi2": chi2, "kl_target_source": kl_ts, "kl_source_target": kl_st,
                "kl_mc": kl_mc.value, "kl_mc_se": kl_mc.se,
                "ratio_bound": sh.ratio_bound(S.value, sup_w) if math.isfinite(sup_w) else 1.0,
                "ratio_bound_se": sup_w * S.se if math.isfinite(sup_w) else 0.0,
                "chi2_bound": sh.chi2_bound(float(np.mean(gs ** 2)), chi2) if math.isfinite(chi2) else 1.0,
                # delta method: d sqrt((1 + chi2) m2) / d m2 = sqrt(1 + chi2) / (2 sqrt(m2))
                "chi2_bound_se": (math.sqrt(1 + chi2) * Measurement.from_samples(gs ** 2).se
                                  / (2 * math.sqrt(max(float(np.mean(gs ** 2)), 1e-300)))
                                  if math.isfinite(chi2) else 0.0),
                "dv_bound": dv,
                "certified_bound": sh.certified_target_bound(p_bar, sup_ratio=sup_w, chi2=chi2, kl=kl_ts,
                                                             kl_source_target=kl_st),
            })
    if concept:
        nu0 = math.exp(0.5 * (lo + hi))
        n = n_fresh
        from .pde import burgers, random_initial_conditions

        u0 = random_initial_conditions(n, c["solver_grid"], rng)
        step = c["solver_grid"] // c["grid"]
        g0 = burgers(u0, np.full(n, nu0), c["t_final"])[:, ::step]
        X0 = np.concatenate([u0[:, ::step], np.full((n, 1), math.log(nu0))], axis=1).astype(np.float32)
        for nu1 in concept:
            g1 = burgers(u0, np.full(n, nu1), c["t_final"])[:, ::step]
            solver_shift = float(np.sqrt(np.mean(np.sum((g0 - g1) ** 2, axis=1))))
            for name in comps:
                m = models[name]
                with torch.no_grad():
                    pred = m(torch.as_tensor(X0, device=next(m.parameters()).device)).double().cpu().numpy()
                src_rmse = float(np.sqrt(np.mean(np.sum((pred - g0) ** 2, axis=1))))
                tgt_rmse = float(np.sqrt(np.mean(np.sum((pred - g1) ** 2, axis=1))))
                rows.append({"kind": "concept", "seed": seed, "shift": f"concept-{nu1:g}", "compression": name,
                             "nu0": nu0, "nu1": nu1, "source_rmse": src_rmse, "target_rmse": tgt_rmse,
                             "solver_shift_rmse": solver_shift,
                             "concept_bound": sh.concept_shift_bound(src_rmse, solver_shift)})
    return rows


__all__ += ["PDE_COMPRESSIONS", "PDE_SHIFTS", "pde_shift"]
