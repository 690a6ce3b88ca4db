"""Bad inputs for spectral pruning (theory.spectral)."""

import math

import numpy as np
import torch
from torch import nn

from bad_inputs import Case

from theory import spectral as sp

RECORDS = ("DofEstimate", "SpectralPruneResult", "LeverageSample", "CompressionBound", "PruneResult")

NAN, INF = math.nan, math.inf


def _cov(m=4, seed=0):
    F = np.random.default_rng(seed).standard_normal((30, m))
    return F.T @ F / 30


S = _cov()
ASYM = np.array([[1.0, 2.0], [0.0, 1.0]])
NONPSD = np.array([[1.0, 2.0], [2.0, 1.0]])          # eigenvalues 3 and -1
NAN_COV = np.full((3, 3), NAN)
Z = np.ones((2, 4))


def _net(in_dim=4, hidden=(8,), out=1, seed=0):
    g = np.random.default_rng(seed)
    dims = (in_dim, *hidden, out)
    mods = []
    for k, (a, b) in enumerate(zip(dims[:-1], dims[1:])):
        lin = nn.Linear(a, b)
        with torch.no_grad():
            lin.weight.copy_(torch.as_tensor(g.standard_normal((b, a)) / math.sqrt(a)))
            lin.bias.copy_(torch.as_tensor(0.1 * g.standard_normal(b)))
        mods += [lin, nn.ReLU()] if k < len(dims) - 2 else [lin]
    return nn.Sequential(*mods)


def _broken_net(value=INF):
    net = _net()
    with torch.no_grad():
        net[0].weight[0, 0] = value
    return net


def _near_dead_net():
    """Units 0 and 1 output ~1e-9 on every input: their leverage scores are ~1e-15."""
    net = _net()
    with torch.no_grad():
        net[0].weight[:2] = 0.0
        net[0].bias[:2] = 1e-9
    return net


X = torch.as_tensor(np.random.default_rng(1).standard_normal((20, 4)), dtype=torch.float32)
X_NAN = X.clone()
X_NAN[0, 0] = NAN

CASES = [
    # degrees_of_freedom
    Case(sp.degrees_of_freedom, lambda: sp.degrees_of_freedom(NAN_COV, 1.0), ValueError, "`cov_or_eigenvalues`", "nan"),
    Case(sp.degrees_of_freedom, lambda: sp.degrees_of_freedom([1.0, INF], 1.0), ValueError, "`cov_or_eigenvalues`",
         "inf"),
    Case(sp.degrees_of_freedom, lambda: sp.degrees_of_freedom([1.0, -2.0], 1.0), ValueError, "`cov_or_eigenvalues`",
         "negative"),
    Case(sp.degrees_of_freedom, lambda: sp.degrees_of_freedom(-np.eye(3), 1.0), ValueError,
         "`cov_or_eigenvalues`.*semi-definite", "non-psd"),
    Case(sp.degrees_of_freedom, lambda: sp.degrees_of_freedom(ASYM, 1.0), ValueError, "`cov_or_eigenvalues`.*symmetric",
         "asymmetric"),
    Case(sp.degrees_of_freedom, lambda: sp.degrees_of_freedom(np.ones((2, 2, 2)), 1.0), ValueError,
         "`cov_or_eigenvalues`", "shape"),
    Case(sp.degrees_of_freedom, lambda: sp.degrees_of_freedom([], 1.0), ValueError, "`cov_or_eigenvalues`", "empty"),
    Case(sp.degrees_of_freedom, lambda: sp.degrees_of_freedom("abc", 1.0), ValueError, "`cov_or_eigenvalues`", "type"),
    Case(sp.degrees_of_freedom, lambda: sp.degrees_of_freedom(S, -1.0), ValueError, "`lam`", "negative"),
    Case(sp.degrees_of_freedom, lambda: sp.degrees_of_freedom(S, 0.0), ValueError, "`lam`", "zero"),
    Case(sp.degrees_of_freedom, lambda: sp.degrees_of_freedom(S, NAN), ValueError, "`lam`", "nan"),
    # degrees_of_freedom_randomized
    Case(sp.degrees_of_freedom_randomized, lambda: sp.degrees_of_freedom_randomized(NONPSD, 0.1, solver="cg", rng=0),
         ValueError, "`cov`.*semi-definite", "non-psd"),
    Case(sp.degrees_of_freedom_randomized,
         lambda: sp.degrees_of_freedom_randomized(np.diag([1.0, -0.05]), 0.1, rng=0), ValueError,
         "`cov`.*semi-definite", "non-psd"),
    Case(sp.degrees_of_freedom_randomized, lambda: sp.degrees_of_freedom_randomized(NAN_COV, 1.0), ValueError, "`cov`",
         "nan"),
    Case(sp.degrees_of_freedom_randomized, lambda: sp.degrees_of_freedom_randomized(ASYM, 1.0), ValueError,
         "`cov`.*symmetric", "asymmetric"),
    Case(sp.degrees_of_freedom_randomized, lambda: sp.degrees_of_freedom_randomized(np.ones((2, 3)), 1.0), ValueError,
         "`cov`", "shape"),
    Case(sp.degrees_of_freedom_randomized, lambda: sp.degrees_of_freedom_randomized(S, 1.0, n_probes=10**30),
         ValueError, "`n_probes`", "size"),
    Case(sp.degrees_of_freedom_randomized, lambda: sp.degrees_of_freedom_randomized(S, 1.0, n_probes=1), ValueError,
         "`n_probes`", "zero"),
    Case(sp.degrees_of_freedom_randomized, lambda: sp.degrees_of_freedom_randomized(S, 1.0, n_probes="30"),
         ValueError, "`n_probes`", "type"),
    Case(sp.degrees_of_freedom_randomized, lambda: sp.degrees_of_freedom_randomized(S, INF), ValueError, "`lam`",
         "inf"),
    Case(sp.degrees_of_freedom_randomized, lambda: sp.degrees_of_freedom_randomized(S, 1.0, solver="lu"), ValueError,
         "`solver`", "value"),
    Case(sp.degrees_of_freedom_randomized, lambda: sp.degrees_of_freedom_randomized(S, 1.0, method="exact"),
         ValueError, "`method`", "value"),
    Case(sp.degrees_of_freedom_randomized, lambda: sp.degrees_of_freedom_randomized(S, 1.0, tol=-1.0), ValueError,
         "`tol`", "negative"),
    Case(sp.degrees_of_freedom_randomized, lambda: sp.degrees_of_freedom_randomized(S, 1.0, maxiter=10**30),
         ValueError, "`maxiter`", "size"),
    Case(sp.degrees_of_freedom_randomized, lambda: sp.degrees_of_freedom_randomized(S, 1.0, rng="seed"), ValueError,
         "`rng`", "type"),
    # ridge_leverage_scores
    Case(sp.ridge_leverage_scores, lambda: sp.ridge_leverage_scores(NAN_COV, 1.0), ValueError, "`cov`", "nan"),
    Case(sp.ridge_leverage_scores, lambda: sp.ridge_leverage_scores(NONPSD, 1.0), ValueError, "`cov`.*semi-definite",
         "non-psd"),
    Case(sp.ridge_leverage_scores, lambda: sp.ridge_leverage_scores(ASYM, 1.0), ValueError, "`cov`.*symmetric",
         "asymmetric"),
    Case(sp.ridge_leverage_scores, lambda: sp.ridge_leverage_scores(np.ones((2, 3)), 1.0), ValueError, "`cov`",
         "shape"),
    Case(sp.ridge_leverage_scores, lambda: sp.ridge_leverage_scores(S, -1.0), ValueError, "`lam`", "negative"),
    Case(sp.ridge_leverage_scores, lambda: sp.ridge_leverage_scores(S, "1"), ValueError, "`lam`", "type"),
    # residual_covariance, reconstruction_matrix
    Case(sp.residual_covariance, lambda: sp.residual_covariance(S, [0, 0]), ValueError, "`keep`", "repeat"),
    Case(sp.residual_covariance, lambda: sp.residual_covariance(S, [0, 99]), ValueError, "`keep`", "range"),
    Case(sp.residual_covariance, lambda: sp.residual_covariance(S, []), ValueError, "`keep`", "empty"),
    Case(sp.residual_covariance, lambda: sp.residual_covariance(S, [0.5]), ValueError, "`keep`", "type"),
    Case(sp.residual_covariance, lambda: sp.residual_covariance(S, [0], tau=-0.1), ValueError, "`tau`", "negative"),
    Case(sp.residual_covariance, lambda: sp.residual_covariance(S, [0], tau=[NAN] * 4), ValueError, "`tau`", "nan"),
    Case(sp.residual_covariance, lambda: sp.residual_covariance(S, [0], tau=[1.0, 2.0]), ValueError, "`tau`", "shape"),
    Case(sp.residual_covariance, lambda: sp.residual_covariance(S, [0], tau=["a"] * 4), ValueError, "`tau`", "type"),
    Case(sp.residual_covariance, lambda: sp.residual_covariance(NAN_COV, [0]), ValueError, "`cov`", "nan"),
    Case(sp.residual_covariance, lambda: sp.residual_covariance(NONPSD, [0]), ValueError, "`cov`", "non-psd"),
    Case(sp.reconstruction_matrix, lambda: sp.reconstruction_matrix(S, [0, 0], 0.1), ValueError, "`keep`", "repeat"),
    Case(sp.reconstruction_matrix, lambda: sp.reconstruction_matrix(S, [0, 1], -0.1), ValueError, "`tau`", "negative"),
    Case(sp.reconstruction_matrix, lambda: sp.reconstruction_matrix(S, [0], INF), ValueError, "`tau`", "inf"),
    Case(sp.reconstruction_matrix, lambda: sp.reconstruction_matrix(ASYM, [0]), ValueError, "`cov`", "asymmetric"),
    Case(sp.reconstruction_matrix, lambda: sp.reconstruction_matrix(S, "0"), ValueError, "`keep`", "type"),
    # reconstruction_error
    Case(sp.reconstruction_error, lambda: sp.reconstruction_error(S, [0], np.ones((4, 2))), ValueError, "`A`", "shape"),
    Case(sp.reconstruction_error, lambda: sp.reconstruction_error(S, [0], np.full((4, 1), NAN)), ValueError, "`A`",
         "nan"),
    Case(sp.reconstruction_error, lambda: sp.reconstruction_error(S, [0], np.ones((4, 1)), np.ones((2, 3))),
         ValueError, "`next_weight`", "shape"),
    Case(sp.reconstruction_error, lambda: sp.reconstruction_error(S, [0], np.ones((4, 1)), np.full((2, 4), INF)),
         ValueError, "`next_weight`", "inf"),
    Case(sp.reconstruction_error, lambda: sp.reconstruction_error(NAN_COV, [0], np.ones((3, 1))), ValueError, "`cov`",
         "nan"),
    # pruning_loss
    Case(sp.pruning_loss, lambda: sp.pruning_loss(S, [0], 0.1, theta=1.5), ValueError, "`theta`", "probability"),
    Case(sp.pruning_loss, lambda: sp.pruning_loss(S, [0], 0.1, theta=NAN), ValueError, "`theta`", "nan"),
    Case(sp.pruning_loss, lambda: sp.pruning_loss(S, [0], 0.1, theta=0.5), ValueError, "`next_weight`", "missing"),
    Case(sp.pruning_loss, lambda: sp.pruning_loss(S, [0], 0.1, theta=0.5, next_weight=np.ones((2, 3))), ValueError,
         "`next_weight`", "shape"),
    Case(sp.pruning_loss, lambda: sp.pruning_loss(S, [0], 0.1, next_weight=np.full((2, 4), NAN)), ValueError,
         "`next_weight`", "nan"),
    Case(sp.pruning_loss, lambda: sp.pruning_loss(S, [0], 0.1, theta=0.0, next_weight=np.full((2, 4), 1e200)),
         ValueError, "`next_weight`", "overflow"),
    # spectral_prune
    Case(sp.spectral_prune, lambda: sp.spectral_prune(S, 1, 0.1, check_psd=1), TypeError, "`check_psd`", "type"),
    Case(sp.spectral_prune, lambda: sp.spectral_prune(S, 0, 0.1), ValueError, "`width`", "zero"),
    Case(sp.spectral_prune, lambda: sp.spectral_prune(S, 5, 0.1), ValueError, "`width`", "size"),
    Case(sp.spectral_prune, lambda: sp.spectral_prune(S, 10**30, 0.1), ValueError, "`width`", "size"),
    Case(sp.spectral_prune, lambda: sp.spectral_prune(S, 2.5, 0.1), ValueError, "`width`", "type"),
    Case(sp.spectral_prune, lambda: sp.spectral_prune(S, 2, 0.1, method="best"), ValueError, "`method`", "value"),
    Case(sp.spectral_prune, lambda: sp.spectral_prune(S, 2, None), ValueError, "`lam`", "missing"),
    Case(sp.spectral_prune, lambda: sp.spectral_prune(S, 2, NAN), ValueError, "`lam`", "nan"),
    Case(sp.spectral_prune, lambda: sp.spectral_prune(S, 2, 0.1, method="magnitude"), ValueError, "`next_weight`",
         "missing"),
    Case(sp.spectral_prune, lambda: sp.spectral_prune(S, 2, 0.1, next_weight=np.full((2, 4), NAN)), ValueError,
         "`next_weight`", "nan"),
    Case(sp.spectral_prune, lambda: sp.spectral_prune(S, 2, 0.1, rng="x"), ValueError, "`rng`", "type"),
    Case(sp.spectral_prune, lambda: sp.spectral_prune(S, 2, 0.1, tau=-1.0), ValueError, "`tau`", "negative"),
    Case(sp.spectral_prune, lambda: sp.spectral_prune(NAN_COV, 2, 0.1), ValueError, "`cov`", "nan"),
    Case(sp.spectral_prune, lambda: sp.spectral_prune(NONPSD, 1, 0.1), ValueError, "`cov`", "non-psd"),
    Case(sp.spectral_prune, lambda: sp.spectral_prune(np.diag([1.0, 1e-16]), 2, 0.1, method="leverage", rng=0),
         ValueError, "`width`", "unreachable width"),
    # leverage_sample
    Case(sp.leverage_sample, lambda: sp.leverage_sample(np.diag([1.0, 1e-16]), width=2, lam=0.1, rng=0), ValueError,
         "`width`", "unreachable width"),
    Case(sp.leverage_sample, lambda: sp.leverage_sample(S, draws=10**30, lam=0.1), ValueError, "`draws`", "size"),
    Case(sp.leverage_sample, lambda: sp.leverage_sample(S, draws=0, lam=0.1), ValueError, "`draws`", "zero"),
    Case(sp.leverage_sample, lambda: sp.leverage_sample(S, width=2, draws=3, lam=0.1), ValueError, "`width`", "both"),
    Case(sp.leverage_sample, lambda: sp.leverage_sample(S, width=0, lam=0.1), ValueError, "`width`", "zero"),
    Case(sp.leverage_sample, lambda: sp.leverage_sample(S, width=10**30, lam=0.1), ValueError, "`width`", "size"),
    Case(sp.leverage_sample, lambda: sp.leverage_sample(S, width=2), ValueError, "`lam`", "missing"),
    Case(sp.leverage_sample, lambda: sp.leverage_sample(S, width=2, lam=-1.0), ValueError, "`lam`", "negative"),
    Case(sp.leverage_sample, lambda: sp.leverage_sample(NAN_COV, width=2, lam=0.1), ValueError, "`cov`", "nan"),
    Case(sp.leverage_sample, lambda: sp.leverage_sample(S, width=2, lam=0.1, rng=-1), ValueError, "`rng`", "negative"),
    Case(sp.leverage_sample, lambda: sp.leverage_sample(np.zeros((3, 3)), width=1, lam=0.1), ValueError, "`cov`",
         "zero"),
    # leverage_sampling_width
    Case(sp.leverage_sampling_width, lambda: sp.leverage_sampling_width(0.0), ValueError, "`n_dof`", "zero"),
    Case(sp.leverage_sampling_width, lambda: sp.leverage_sampling_width(NAN), ValueError, "`n_dof`", "nan"),
    Case(sp.leverage_sampling_width, lambda: sp.leverage_sampling_width(INF), ValueError, "`n_dof`", "inf"),
    Case(sp.leverage_sampling_width, lambda: sp.leverage_sampling_width(3.0, delta=1.0), ValueError, "`delta`",
         "probability"),
    Case(sp.leverage_sampling_width, lambda: sp.leverage_sampling_width(3.0, c_size=-1.0), ValueError, "`c_size`",
         "negative"),
    Case(sp.leverage_sampling_width, lambda: sp.leverage_sampling_width(3.0, c_log="80"), ValueError, "`c_log`",
         "type"),
    # leverage_reconstruction_guarantee
    Case(sp.leverage_reconstruction_guarantee, lambda: sp.leverage_reconstruction_guarantee(-1.0), ValueError,
         "`lam`", "negative"),
    Case(sp.leverage_reconstruction_guarantee, lambda: sp.leverage_reconstruction_guarantee(0.1, c_err=NAN),
         ValueError, "`c_err`", "nan"),
    Case(sp.leverage_reconstruction_guarantee, lambda: sp.leverage_reconstruction_guarantee(0.1, m=0), ValueError,
         "`m`", "zero"),
    Case(sp.leverage_reconstruction_guarantee,
         lambda: sp.leverage_reconstruction_guarantee(0.1, next_weight=np.full((2, 2), NAN)), ValueError,
         "`next_weight`", "nan"),
    Case(sp.leverage_reconstruction_guarantee,
         lambda: sp.leverage_reconstruction_guarantee(0.1, next_weight=Z, m=4), ValueError, "`next_weight`", "both"),
    # lambda_for_width
    Case(sp.lambda_for_width, lambda: sp.lambda_for_width(np.ones(3), 0.0), ValueError, "`width`", "zero"),
    Case(sp.lambda_for_width, lambda: sp.lambda_for_width(np.ones(3), INF), ValueError, "`width`", "inf"),
    Case(sp.lambda_for_width, lambda: sp.lambda_for_width(NAN_COV, 10.0), ValueError, "`cov_or_eigenvalues`", "nan"),
    Case(sp.lambda_for_width, lambda: sp.lambda_for_width("abc", 10.0), ValueError, "`cov_or_eigenvalues`", "type"),
    Case(sp.lambda_for_width, lambda: sp.lambda_for_width([1.0, -1.0], 10.0), ValueError, "`cov_or_eigenvalues`",
         "negative"),
    Case(sp.lambda_for_width, lambda: sp.lambda_for_width(NONPSD, 10.0), ValueError, "`cov_or_eigenvalues`",
         "non-psd"),
    Case(sp.lambda_for_width, lambda: sp.lambda_for_width(np.zeros(3), 10.0), ValueError, "`cov_or_eigenvalues`",
         "zero"),
    Case(sp.lambda_for_width, lambda: sp.lambda_for_width(np.ones(3), 10.0, lam_max=-1.0), ValueError, "`lam_max`",
         "negative"),
    Case(sp.lambda_for_width, lambda: sp.lambda_for_width(np.ones(3), 10.0, delta=2.0), ValueError, "`delta`",
         "probability"),
    # compression_bias_bound, compression_variance_term, compression_generalization_bound
    Case(sp.compression_bias_bound, lambda: sp.compression_bias_bound([-1.0], [1.0]), ValueError, "`layer_errors`",
         "negative"),
    Case(sp.compression_bias_bound, lambda: sp.compression_bias_bound([NAN], [1.0]), ValueError, "`layer_errors`",
         "nan"),
    Case(sp.compression_bias_bound, lambda: sp.compression_bias_bound([1.0, 1.0], [1.0]), ValueError, "`lipschitz`",
         "shape"),
    Case(sp.compression_bias_bound, lambda: sp.compression_bias_bound([1.0], [INF]), ValueError, "`lipschitz`", "inf"),
    Case(sp.compression_bias_bound, lambda: sp.compression_bias_bound("a", [1.0]), ValueError, "`layer_errors`",
         "type"),
    Case(sp.compression_bias_bound, lambda: sp.compression_bias_bound([1e300, 1e300], [1e300, 1e300]), ValueError,
         "`lipschitz`", "overflow"),
    Case(sp.compression_variance_term, lambda: sp.compression_variance_term([3], 10), ValueError, "`widths`", "shape"),
    Case(sp.compression_variance_term, lambda: sp.compression_variance_term(3, 10), ValueError, "`widths`", "type"),
    Case(sp.compression_variance_term, lambda: sp.compression_variance_term([3, 0], 10), ValueError, "`widths`",
         "zero"),
    Case(sp.compression_variance_term, lambda: sp.compression_variance_term([3, 10**30], 10), ValueError, "`widths`",
         "size"),
    Case(sp.compression_variance_term, lambda: sp.compression_variance_term([3, 1], 1), ValueError, "`n`", "zero"),
    Case(sp.compression_variance_term, lambda: sp.compression_variance_term([3, 1], 10**400), ValueError, "`n`",
         "size"),
    Case(sp.compression_variance_term, lambda: sp.compression_variance_term([3, 1], 10, delta=0.0), ValueError,
         "`delta`", "probability"),
    Case(sp.compression_variance_term, lambda: sp.compression_variance_term([3, 1], 10, c_var=NAN), ValueError,
         "`c_var`", "nan"),
    Case(sp.compression_generalization_bound,
         lambda: sp.compression_generalization_bound(-1.0, [1.0], [1.0], [3, 2, 1], 10), ValueError, "`train_risk`",
         "negative"),
    Case(sp.compression_generalization_bound,
         lambda: sp.compression_generalization_bound(NAN, [1.0], [1.0], [3, 2, 1], 10), ValueError, "`train_risk`",
         "nan"),
    Case(sp.compression_generalization_bound,
         lambda: sp.compression_generalization_bound(0.1, [1.0], [1.0, 2.0], [3, 2, 1], 10), ValueError,
         "`lipschitz`", "shape"),
    Case(sp.compression_generalization_bound,
         lambda: sp.compression_generalization_bound(0.1, [1.0], [1.0], "321", 10), ValueError, "`widths`", "type"),
    Case(sp.compression_generalization_bound,
         lambda: sp.compression_generalization_bound(0.1, [1.0], [1.0], [3, 2, 1], 10, c_bias=0.0), ValueError,
         "`c_bias`", "zero"),
    # activation_covariance
    Case(sp.activation_covariance, lambda: sp.activation_covariance(_broken_net(), X, 0), ValueError,
         "`model`.*finite", "non-finite model"),
    Case(sp.activation_covariance, lambda: sp.activation_covariance(_broken_net(NAN), X, 0), ValueError,
         "`model`.*finite", "non-finite model"),
    Case(sp.activation_covariance, lambda: sp.activation_covariance(_net(), X_NAN, 0), ValueError, "`inputs`", "nan"),
    Case(sp.activation_covariance, lambda: sp.activation_covariance(_net(), X[:, :3], 0), ValueError, "`inputs`",
         "shape"),
    Case(sp.activation_covariance, lambda: sp.activation_covariance(_net(), X[0], 0), ValueError, "`inputs`", "shape"),
    Case(sp.activation_covariance, lambda: sp.activation_covariance(_net(), X[:0], 0), ValueError, "`inputs`", "empty"),
    Case(sp.activation_covariance, lambda: sp.activation_covariance(_net(), "abc", 0), ValueError, "`inputs`", "type"),
    Case(sp.activation_covariance, lambda: sp.activation_covariance(_net(), X, 1), ValueError, "`layer`", "range"),
    Case(sp.activation_covariance, lambda: sp.activation_covariance(_net(), X, -1), ValueError, "`layer`", "negative"),
    Case(sp.activation_covariance, lambda: sp.activation_covariance(nn.Linear(4, 1), X, 0), ValueError, "`model`",
         "type"),
    Case(sp.activation_covariance, lambda: sp.activation_covariance("net", X, 0), ValueError, "`model`", "type"),
    Case(sp.activation_covariance,
         lambda: sp.activation_covariance(nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(5, 1)), X, 0),
         ValueError, "`model`", "shape"),
    Case(sp.activation_covariance, lambda: sp.activation_covariance(_net(), X.double() * 1e200, 0), ValueError,
         "`inputs`", "overflow"),
    Case(sp.activation_covariance, lambda: sp.activation_covariance(_net(), X, 0, device="tpu"), ValueError,
         "`device`", "value"),
    # prune_network
    Case(sp.prune_network, lambda: sp.prune_network(_broken_net(), X, widths=[2]), ValueError, "`model`.*finite",
         "non-finite model"),
    Case(sp.prune_network, lambda: sp.prune_network(nn.Linear(4, 1), X, widths=[2]), ValueError, "`model`", "type"),
    Case(sp.prune_network, lambda: sp.prune_network(nn.Sequential(), X, widths=[2]), ValueError, "`model`", "empty"),
    Case(sp.prune_network, lambda: sp.prune_network(_net(), X_NAN, widths=[2]), ValueError, "`inputs`", "nan"),
    Case(sp.prune_network, lambda: sp.prune_network(_net(), X[:, :3], widths=[2]), ValueError, "`inputs`", "shape"),
    Case(sp.prune_network, lambda: sp.prune_network(_net(), X, widths=[2], cov_inputs=X[:, :3]), ValueError,
         "`cov_inputs`", "shape"),
    Case(sp.prune_network, lambda: sp.prune_network(_net(), X, widths=[2], cov_inputs=X_NAN), ValueError,
         "`cov_inputs`", "nan"),
    Case(sp.prune_network, lambda: sp.prune_network(_net(), X), ValueError, "`widths`", "missing"),
    Case(sp.prune_network, lambda: sp.prune_network(_net(), X, widths=[9]), ValueError, "`widths`", "size"),
    Case(sp.prune_network, lambda: sp.prune_network(_net(), X, widths=10**30), ValueError, "`widths`", "size"),
    Case(sp.prune_network, lambda: sp.prune_network(_net(), X, widths=[2, 2]), ValueError, "`widths`", "shape"),
    Case(sp.prune_network, lambda: sp.prune_network(_net(), X, widths="2"), ValueError, "`widths`", "type"),
    Case(sp.prune_network, lambda: sp.prune_network(_net(), X, lams=-1.0), ValueError, "`lams`", "negative"),
    Case(sp.prune_network, lambda: sp.prune_network(_net(), X, widths=[2], theta=-0.1), ValueError, "`theta`",
         "probability"),
    Case(sp.prune_network, lambda: sp.prune_network(_net(), X, widths=[2], method="best"), ValueError, "`method`",
         "value"),
    Case(sp.prune_network, lambda: sp.prune_network(_net(), X, widths=[2], rng="x"), ValueError, "`rng`", "type"),
    Case(sp.prune_network, lambda: sp.prune_network(_net(), X, widths=[2], tau=[0.1, 0.1]), ValueError, "`tau`",
         "shape"),
    Case(sp.prune_network, lambda: sp.prune_network(_net(), X, widths=[2], rel_lam=0.0), ValueError, "`rel_lam`",
         "zero"),
    Case(sp.prune_network, lambda: sp.prune_network(_near_dead_net(), X, widths=[7], method="leverage", rng=0),
         ValueError, "`widths`", "unreachable width"),
    Case(sp.prune_network, lambda: sp.prune_network(_net(), X.double() * 1e200, widths=[2]), ValueError, "`inputs`",
         "overflow"),
]

# complex input: a cast to float would silently drop the imaginary part
CASES += [
    Case(sp.degrees_of_freedom, lambda: sp.degrees_of_freedom(np.eye(2) * (1 + 1j), 1.0), ValueError,
         "`cov_or_eigenvalues`", "complex"),
    Case(sp.ridge_leverage_scores, lambda: sp.ridge_leverage_scores(S.astype(complex), 1.0), ValueError, "`cov`",
         "complex"),
    Case(sp.degrees_of_freedom_randomized, lambda: sp.degrees_of_freedom_randomized(S * 1j, 1.0), ValueError,
         "`cov`", "complex"),
    Case(sp.reconstruction_error, lambda: sp.reconstruction_error(S, [0], np.ones((4, 1)) * 1j), ValueError, "`A`",
         "complex"),
    Case(sp.compression_bias_bound, lambda: sp.compression_bias_bound([1j], [1.0]), ValueError, "`layer_errors`",
         "complex"),
    Case(sp.lambda_for_width, lambda: sp.lambda_for_width([1j, 1.0], 10.0), ValueError, "`cov_or_eigenvalues`",
         "complex"),
    Case(sp.prune_network, lambda: sp.prune_network(_net(), X.to(torch.complex64), widths=[2]), ValueError,
         "`inputs`", "complex"),
]


class _Residual(nn.Module):
    def __init__(self):
        super().__init__()
        self.a, self.b = nn.Linear(4, 4), nn.Linear(4, 1)

    def forward(self, x):
        h = torch.relu(self.a(x))
        return self.b(h) + h.sum(dim=1, keepdim=True)


class _Untraceable(nn.Module):
    def __init__(self):
        super().__init__()
        self.a, self.b = nn.Linear(4, 4), nn.Linear(4, 1)

    def forward(self, x):
        return self.b(torch.relu(self.a(x))) if x.sum() > 0 else self.b(self.a(x))


def _bn_net():
    return nn.Sequential(nn.Linear(4, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 1))


# any nn.Module (issue 16): what spectral pruning still refuses, naming the model and the culprit
CASES += [
    Case(sp.prune_network, lambda: sp.prune_network(_bn_net(), X, widths=[2]), ValueError,
         "`model`.*found BatchNorm1d `1` between layer 0", "not element-wise"),
    Case(sp.prune_network, lambda: sp.prune_network(_Residual(), X, widths=[2]), ValueError,
         "`model`.*used by 2 operations", "residual"),
    Case(sp.prune_network, lambda: sp.prune_network(_Untraceable(), X, widths=[2]), ValueError,
         "`model`.*cannot trace", "untraceable"),
    Case(sp.activation_covariance, lambda: sp.activation_covariance(_bn_net(), X, 0), ValueError,
         "`model`.*BatchNorm1d", "not element-wise"),
]
