"""Named configurations of the testbeds, each defined once (layer L2).

The canonical instances that claims, experiments, tests and benchmarks share: a configuration
used in two places is defined here and imported, never re-typed. Each is a plain dict (JSON-able,
so that it can sit in an experiment's config and its cache key) documented where it is defined,
or a small constructor that builds a testbed from a parameter dict.
"""

from __future__ import annotations

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


def linear_model(p) -> CompressedLinearRegression:
    """The :class:`CompressedLinearRegression` of a parameter dict
    (``d, n, noise_var, feature_eigs, prior_vars``)."""
    return CompressedLinearRegression(p["d"], p["n"], p["noise_var"], p["feature_eigs"], p["prior_vars"])


def gaussian_mean_model(p) -> GaussianMeanEstimation:
    """The :class:`GaussianMeanEstimation` of a parameter dict (``n``; ``d`` = 1, ``sigma2`` = 1)."""
    return GaussianMeanEstimation(p["n"], p.get("d", 1), p.get("sigma2", 1.0))


def gibbs_model(p) -> GibbsGaussianMean:
    """The :class:`GibbsGaussianMean` of a parameter dict
    (``n, gamma``; ``d`` = 1, ``sigma2`` = 1, ``prior_var`` = 1)."""
    return GibbsGaussianMean(p["n"], p["gamma"], d=p.get("d", 1), sigma2=p.get("sigma2", 1.0),
                             prior_var=p.get("prior_var", 1.0))


# ---- spectral pruning (THEORY.md §7) --------------------------------------------------------
# (section: spectral)


# ---- coresets (THEORY.md §8) ----------------------------------------------------------------
# (section: coresets)


# ---- quantization and curvature (THEORY.md §6) ----------------------------------------------
# (section: quantization)
