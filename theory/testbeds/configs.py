"""Named configurations of the testbeds, each defined once (layer L2).

The canonical instances that claims, experiments, tests and benchmarks share: a configuration
used in two places is defined here and imported, never re-typed. Each is a plain dict (JSON-able,
so that it can sit in an experiment's config and its cache key) documented where it is defined,
or a small constructor that builds a testbed from a parameter dict.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .gaussian_mean import GaussianMeanEstimation, GibbsGaussianMean
from .linear import CompressedLinearRegression

import numpy as np

__all__ = ["LINEAR_TRADEOFF", "linear_model", "gaussian_mean_model", "gibbs_model"]


# ---- foundation: linear regression, Gaussian mean, Gibbs -----------------------------------

#: The compressed linear regression of the figure ``linear_tradeoff``: d = 20 coordinates,
#: n = 50 samples, σ² = 1, isotropic features, prior variances spread so that the per-coordinate
#: SNR n λ τ²/σ² runs from 10 down to 0.01 (7 coordinates above 1, 13 below). Straddling 1 is
#: necessary, not sufficient: water-filling helps iff Σ (s_i−1)/(s_i+1) < 0 (here −5.9), see
#: :meth:`CompressedLinearRegression.compression_helps`.
LINEAR_TRADEOFF = {
    "d": 20,
    "n": 50,
    "noise_var": 1.0,
    "feature_eigs": [1.0] * 20,
    "prior_vars": [float(x) for x in np.geomspace(10.0, 0.01, 20) / 50.0],
}


def _params(p, required, name="p") -> Mapping:
    """``p`` if it is a mapping holding the ``required`` keys (other keys are allowed and ignored)."""
    if not isinstance(p, Mapping):
        raise TypeError(f"`{name}` must be a dict of parameters; got {type(p).__name__}")
    missing = [k for k in required if k not in p]
    if missing:
        raise ValueError(f"`{name}` must hold the keys {list(required)}; missing {missing}")
    return p


def linear_model(p: Mapping[str, Any]) -> CompressedLinearRegression:
    """The :class:`CompressedLinearRegression` of a parameter dict
    (``d, n, noise_var, feature_eigs, prior_vars``).

    Examples
    --------
    One coordinate with ``n = 4`` and ``noise_var = 1``: the uncompressed population risk is
    ``1 * (1 + 1/4) = 1.25``; on :data:`LINEAR_TRADEOFF` the sum of ``(s_i - 1) / (s_i + 1)`` over
    the SNRs is negative (about -5.9), so compression helps.

    >>> from theory.testbeds.configs import LINEAR_TRADEOFF, linear_model
    >>> model = linear_model({"d": 1, "n": 4, "noise_var": 1.0, "feature_eigs": [1.0],
    ...                       "prior_vars": [0.125]})
    >>> model.uncompressed_population_risk()
    1.25
    >>> linear_model(LINEAR_TRADEOFF).compression_helps()
    True
    """
    _params(p, ("d", "n", "noise_var", "feature_eigs", "prior_vars"))
    return CompressedLinearRegression(p["d"], p["n"], p["noise_var"], p["feature_eigs"], p["prior_vars"])


def gaussian_mean_model(p: Mapping[str, Any]) -> GaussianMeanEstimation:
    """The :class:`GaussianMeanEstimation` of a parameter dict (``n``; ``d`` = 1, ``sigma2`` = 1).

    Examples
    --------
    The defaults are ``d = 1`` and ``sigma2 = 1``, so ``gen = 2 * 1 * 1 / n``, i.e. 0.2 at
    ``n = 10``.

    >>> from theory.testbeds.configs import gaussian_mean_model
    >>> gaussian_mean_model({"n": 10}).generalization_error()
    0.2
    """
    _params(p, ("n",))
    return GaussianMeanEstimation(p["n"], p.get("d", 1), p.get("sigma2", 1.0))


def gibbs_model(p: Mapping[str, Any]) -> GibbsGaussianMean:
    """The :class:`GibbsGaussianMean` of a parameter dict
    (``n, gamma``; ``d`` = 1, ``sigma2`` = 1, ``prior_var`` = 1).

    Examples
    --------
    With the defaults (``d = sigma2 = prior_var = 1``), ``n = 2`` and ``gamma = 2``:
    ``v = 1 / (1 + 4) = 0.2``, ``a = 0.8`` and ``gen = 2 * 0.8 / 2 = 0.8``.

    >>> from theory.testbeds.configs import gibbs_model
    >>> round(gibbs_model({"n": 2, "gamma": 2.0}).generalization_error(), 12)
    0.8
    """
    _params(p, ("n", "gamma"))
    return GibbsGaussianMean(p["n"], p["gamma"], d=p.get("d", 1), sigma2=p.get("sigma2", 1.0),
                             prior_var=p.get("prior_var", 1.0))


# ---- spectral pruning (Suzuki et al., IJCAI 2020) -------------------------------------------
# (section: spectral)

#: The teacher–student regression distribution of the spectral-pruning experiments
#: (``spectral_dof``, ``spectral_tradeoff``, ``spectral_shift``) and claims: inputs N(0, I_10), a
#: fixed random ReLU teacher with two hidden layers of 32 (seed 7), one output, Gaussian output
#: noise of standard deviation 0.3 (Bayes risk 0.09). Built by
#: :func:`theory.testbeds.protocols.spectral_teacher_student`.
SPECTRAL_TEACHER_STUDENT = {
    "in_dim": 10,
    "teacher_widths": [32, 32],
    "noise_std": 0.3,
    "teacher_seed": 7,
    "activation": "relu",
}

#: How the ReLU student of :data:`SPECTRAL_TEACHER_STUDENT` is trained: Adam, squared loss, learning
#: rate 3e-3, mini-batches of 256, no weight decay (:func:`theory.testbeds.nets.train`).
SPECTRAL_STUDENT_TRAINING = {"lr": 3e-3, "batch_size": 256, "weight_decay": 0.0}

#: How the ReLU digits classifier of ``spectral_dof`` is trained on scikit-learn's 8×8 digits
#: (64 inputs, 10 classes, at most 1437 training images): cross-entropy, learning rate 2e-3,
#: mini-batches of 256, weight decay 1e-4.
SPECTRAL_DIGITS_TRAINING = {"lr": 2e-3, "batch_size": 256, "weight_decay": 1e-4}

#: The covariate shift of ``spectral_shift``: target inputs N(0.7·1, 1.4² I) instead of the source
#: N(0, I), same teacher (only the input law changes).
SPECTRAL_SHIFT = {"input_mean": 0.7, "input_scale": 1.4}

__all__ += ["SPECTRAL_TEACHER_STUDENT", "SPECTRAL_STUDENT_TRAINING", "SPECTRAL_DIGITS_TRAINING",
            "SPECTRAL_SHIFT"]


# ---- coresets (CoreNet: Baykal, Liebenwein et al., ICLR 2019) -------------------------------
# (section: coresets)

#: Teacher–student regression testbed of the pruning sweep of ``coreset_pruning``: 64 standard
#: Gaussian inputs, a one-hidden-layer (64 units) teacher with four unit-variance outputs, label
#: noise σ = 0.3 (Bayes risk 4 · 0.09 = 0.36 in summed squared error).
CORESET_TEACHER_STUDENT = {"in_dim": 64, "teacher_widths": [64], "out_dim": 4, "noise_std": 0.3}

#: Guarantee testbed (Baykal et al., ICLR 2019, Theorem 4): an untrained 10-30-3 ReLU net
#: (normal init) on standard Gaussian inputs, with :math:`|S|` = 200 points for the sensitivities and
#: 5000 fresh inputs for the failure rates. Small enough that the theoretical sample size is
#: finite.
CORESET_GUARANTEE_NET = {"in_dim": 10, "widths": [30], "out_dim": 3, "n_s": 200, "n_fresh": 5000}

#: Compression-bound testbed (Arora et al., ICML 2018, Thm 2.1): a 10-32-32-5 student of a
#: noiseless (temperature 0) teacher–student classification task with a 16-unit teacher; CoreNet
#: net quantized to 255 levels per layer, bound at confidence 1 − 0.05, population 0-1 error on
#: 20000 fresh samples.
CORESET_BOUND_NET = {"in_dim": 10, "teacher_widths": [16], "widths": [32, 32], "out_dim": 5, "levels": 255,
                     "delta_bound": 0.05, "n_fresh": 20000}

__all__ += ["CORESET_TEACHER_STUDENT", "CORESET_GUARANTEE_NET", "CORESET_BOUND_NET"]


# ---- quantization and curvature (Choi et al., ICLR 2017; Bu et al., AAAI 2020) --------------
# (section: quantization)

#: The teacher–student classification task of the figure ``quantization_population_risk`` (the
#: neural experiments of Bu, Gao, Zou, Veeravalli, AAAI 2020, at small scale): x ~ N(0, I_20), a
#: fixed random teacher MLP 20 → 32 → 5 (``teacher_seed`` 0, outputs of unit variance) whose
#: softmax at temperature T = 0.5 draws the label. The labels are noisy (the Bayes error is
#: positive), so a student trained to zero training error overfits; population risks are
#: measured on fresh samples (:class:`theory.testbeds.nets.TeacherStudent`).
QUANTIZATION_TEACHER = {"in_dim": 20, "teacher_widths": [32], "out_dim": 5, "temperature": 0.5,
                        "teacher_seed": 0}

#: scikit-learn's digits for the same figure: 8×8 images (64 features standardized on the
#: training part), 10 classes; a seeded stratified subsample of ``n_train`` rows is the training
#: set and every other row the test set (:func:`theory.testbeds.data.load_digits_split`).
QUANTIZATION_DIGITS = {"in_dim": 64, "out_dim": 10}

#: The classification tasks of ``quantization_population_risk``, by name.
QUANTIZATION_TASKS = {"digits": QUANTIZATION_DIGITS, "teacher_student": QUANTIZATION_TEACHER}

#: Training of its students (one hidden ReLU layer of ``width`` units, seeded by the run's seed):
#: full-batch :func:`theory.testbeds.nets.train` at this learning rate, for ``epochs`` epochs.
QUANTIZATION_TRAINING = {"lr": 1e-2}

__all__ += ["QUANTIZATION_TEACHER", "QUANTIZATION_DIGITS", "QUANTIZATION_TASKS", "QUANTIZATION_TRAINING"]


# ---- kernel complexity (Raskutti, Wainwright, Yu, JMLR 2014; Goel et al., NeurIPS 2024) --------
# (section: kernels)

#: The regression on the sphere of the experiment ``kernel_complexity`` and the ``kernels.*``
#: claims: inputs uniform on S^{d-1}; a teacher f* = Σ_k c_k κ(x, z_k) with 20 centers in the RKHS
#: of the limiting first-layer NTK κ, of RKHS norm 1 (so :math:`|f^*| \le 1/\sqrt 2` and sup κ = 1/2 ≤ 1, as the
#: early-stopping theorem assumes); Gaussian noise σ = 0.5; teacher seed 0. The student is
#: :class:`theory.testbeds.sphere.TwoLayerReLU` (first layer trained) by full-batch GD with step
#: α = 1 (≤ min(1, 1/λ̂_1) since λ̂_1 ≤ tr(K_n)/n ≈ 1/2).
KERNEL_SPHERE = {"n_centers": 20, "noise_std": 0.5, "rkhs_norm": 1.0, "teacher_seed": 0, "step": 1.0}

#: Training with the truncated-nuclear-norm penalty (``kernel_complexity``, ``kernels.tnn_*``):
#: a ReLU MLP with two hidden layers of 64, Adam (lr 2e-3), minibatches of 128; the feature
#: matrix F is the last hidden layer's output on the training set. Digits (64 pixels, 10 classes,
#: cross-entropy) and the spectral teacher–student regression (10 inputs, squared error).
KERNEL_TNN = {"hidden": [64, 64], "lr": 2e-3, "batch_size": 128}

__all__ += ["KERNEL_SPHERE", "KERNEL_TNN"]


# ---- evaluated CMI on compressed nets (Harutyunyan et al., NeurIPS 2021; Hellström–Durisi 2022) ---
# (section: cmi)

#: The supersample experiment ``cmi_compressed`` and the ``cmi.*`` claims: a one-hidden-layer ReLU
#: MLP of 64 units trained to interpolation by full-batch Adam (lr 1e-2, 200 epochs) on its half of
#: each of the n pairs; masked fine-tuning of pruned nets runs 50 more full-batch epochs.
#: Tasks: ``digits_binary`` (digit ≥ 5 against < 5), ``digits`` (10 classes) — pixel values / 16,
#: the 2n supersample points drawn without replacement from the 1797 images and every other image
#: the population sample — and ``teacher_student`` (:data:`QUANTIZATION_TEACHER`, fresh samples).
CMI_TRAINING = {"width": 64, "lr": 1e-2, "epochs": 200, "finetune_epochs": 50}
CMI_TASKS = ("digits_binary", "digits", "teacher_student")

__all__ += ["CMI_TRAINING", "CMI_TASKS"]


# ---- information bottleneck of compressed representations (Wang & Yang, ICML 2024) -----------
# (section: bottleneck)

#: The bottleneck nets of the experiment ``bottleneck`` and the ``bottleneck.*`` claims: an MLP
#: in → 64 → ReLU → 16 (the representation X̃) and a soft-cluster head of K learned centroids,
#: φ(x̃, a) ∝ exp(−β‖x̃/‖x̃‖ − c_a‖²) with β = 10, predicting p(y|x) = Σ_a φ(x̃, a) q(y|a) with a
#: learned table q (so every prediction passes through the clusters A); Adam (lr 3e-3, minibatches
#: of 128, 40 epochs). Of the training points, ``n_table`` are held back from the net and fit the
#: hard bottleneck classifier's table.
BOTTLENECK_NET = {"hidden": 64, "dim": 16, "beta": 10.0, "lr": 3e-3, "batch_size": 128, "epochs": 40}
BOTTLENECK_TASKS = ("digits", "teacher_student")

__all__ += ["BOTTLENECK_NET", "BOTTLENECK_TASKS"]


# ---- out-of-distribution: compressed PDE surrogates under parameter shift ---------------------
# (section: shift)

#: The experiment ``pde_shift`` and the ``shift.*`` claims: viscous Burgers u_t + (u²/2)_x =
#: (ν/π)u_xx on [0,1) periodic, solved at 128 points to t = 0.5 and observed at 64; random initial
#: conditions of 2 sine modes (wavenumbers ≤ 4); the surrogate is trained on log ν uniform on
#: [log 0.02, log 0.2] (the "training law"). A small FNO (12 modes, width 24, 2 Fourier layers)
#: maps (u₀, log ν) to u(·, 0.5), Adam (lr 3e-3, batches of 100, 60 epochs); pruned nets are
#: fine-tuned 15 epochs with their masks. The loss on which every bound acts is the clipped
#: relative error min(1, ‖û − u‖/‖u‖) ∈ [0, 1].
PDE_SHIFT = {"nu_lo": 0.02, "nu_hi": 0.2, "t_final": 0.5, "solver_grid": 128, "grid": 64, "modes": 12,
             "width": 24, "layers": 2, "lr": 3e-3, "batch_size": 100, "epochs": 60, "finetune_epochs": 15}

__all__ += ["PDE_SHIFT"]
