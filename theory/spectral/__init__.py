r"""Spectral pruning and degrees of freedom (Suzuki et al., IJCAI 2020).

A layer's outputs :math:`\phi(x) \in \mathbb R^m` have the uncentred empirical covariance
:math:`\hat\Sigma = \frac1n \sum_i \phi(x_i)\phi(x_i)^\top`. Spectral pruning keeps a subset
:math:`J` of the :math:`m` nodes and reconstructs all of them linearly from the kept ones,
:math:`\phi \approx \hat A_J \phi_J`, with the ridge-regularised least-squares map
:math:`\hat A_J = \hat\Sigma_{FJ}(\hat\Sigma_{JJ} + I_\tau)^{-1}` (:math:`F = [m]`). The
pruned network keeps rows :math:`J` of :math:`W^{(\ell)}, b^{(\ell)}` and replaces the next
weight by :math:`W^{(\ell+1)}\hat A_J`: a genuinely smaller dense network.

Everything here is expressed through the *ridge residual covariance*

.. math::

    R_\tau(J) = \hat\Sigma - \hat\Sigma_{FJ}(\hat\Sigma_{JJ} + I_\tau)^{-1}\hat\Sigma_{JF},
    \qquad \alpha^\top R_\tau(J)\,\alpha = \min_{a}\ \lVert\alpha^\top\phi - a^\top\phi_J
    \rVert_n^2 + a^\top I_\tau a,

so the input-aware loss is :math:`L_A = \mathrm{Tr}\,R_\tau(J)`, the output-aware loss with the
next weight :math:`Z` is :math:`L_B = \mathrm{Tr}\,Z R_\tau(J) Z^\top`, and their mixture is
:math:`\theta L_A + (1-\theta)L_B = \mathrm{Tr}\,M R_\tau(J)` with
:math:`M = \theta I + (1-\theta)Z^\top Z`. Adding node :math:`j` updates :math:`R` by a rank-one
Schur complement, :math:`R \leftarrow R - r_j r_j^\top/(R_{jj} + \tau_j)`, which the greedy
selection uses (it never re-inverts per candidate).

What was verified against the papers, and what was not
------------------------------------------------------
Only the abstracts and introductions of Suzuki et al. (IJCAI 2020; arXiv:1808.08558) and of Bach
(JMLR 2017) were checked, not their theorem statements, so the following are **as recalled
from the papers, not checked against their text**, and are named arguments everywhere:

- the form of the regulariser :math:`I_\tau = \mathrm{diag}(\tau_j)` and of the mixing weight
  :math:`\theta` (Suzuki et al., §3);
- the sampling width :math:`m^\sharp(\lambda,\delta) = 5\hat N(\lambda)\log(80\hat
  N(\lambda)/\delta)` (Suzuki et al., Thm. 1; Bach 2017, Prop. 1 has the same shape with 16 in
  place of 80 as recalled) and the error constant 4 in :math:`\lambda_{\max}(R_\tau) \le
  4\lambda`;
- the generalisation bound's constants (bias :math:`\sum_\ell \mathrm{Lip}_\ell\sqrt{\cdot}`,
  variance :math:`\sqrt{\sum_\ell m^\sharp_\ell m^\sharp_{\ell+1}\log(\cdot)/n}`). With unit
  constants and a unit loss scale for the unbounded squared loss, the variance term is a
  heuristic, not a theorem (:func:`compression_generalization_bound`).

The per-node weights :math:`\tau_j = \lambda\, s\, q_j / c_j` used after leverage sampling
(:func:`leverage_sample`) are *derived* here: with importance weights :math:`1/\sqrt{s q_j}` the
ridge problem of the sketch is exactly the :math:`R_\tau` problem above (a node drawn
:math:`c_j` times merges its copies), and a spectral approximation
:math:`(1-\varepsilon)(K+\lambda I) \preceq \tilde K + \lambda I` of the sample Gram matrix
gives :math:`\lambda_{\max}(R_\tau) \le \lambda/(1-\varepsilon)`, i.e. :math:`4\lambda` at
:math:`\varepsilon = 3/4` (the shape of Bach's Prop. 1). The bias bound of
:func:`compression_bias_bound` is derived (telescoping over layers plus Lipschitz constants) and
holds deterministically; tests check it.

Layout
------
A facade: the public names below are implemented in private submodules and re-exported here.

- ``_dof``: :func:`degrees_of_freedom`, :func:`degrees_of_freedom_randomized` (Hutchinson, Hutch++);
- ``_reconstruction``: :func:`residual_covariance`, :func:`reconstruction_matrix`,
  :func:`reconstruction_error`, :func:`pruning_loss`;
- ``_select``: :func:`spectral_prune` (greedy selection and the baselines);
- ``_leverage``: :func:`ridge_leverage_scores`, :func:`leverage_sample` and the guarantee's
  :func:`leverage_sampling_width`, :func:`leverage_reconstruction_guarantee`,
  :func:`lambda_for_width`;
- ``_bounds``: :func:`compression_bias_bound`, :func:`compression_variance_term`,
  :func:`compression_generalization_bound`;
- ``_network``: :func:`activation_covariance`, :func:`prune_network` (torch MLPs).

The claims that check these bounds by measurement are in :mod:`theory.catalog.spectral`.
"""

from ._bounds import (CompressionBound, compression_bias_bound, compression_generalization_bound,
                      compression_variance_term)
from ._common import SELECTION_METHODS
from ._dof import DofEstimate, degrees_of_freedom, degrees_of_freedom_randomized
from ._leverage import (LeverageSample, lambda_for_width, leverage_reconstruction_guarantee, leverage_sample,
                        leverage_sampling_width, ridge_leverage_scores)
from ._network import ACTIVATION_LIPSCHITZ, PruneResult, activation_covariance, prune_network
from ._reconstruction import pruning_loss, reconstruction_error, reconstruction_matrix, residual_covariance
from ._select import SpectralPruneResult, spectral_prune

__all__ = [
    "degrees_of_freedom",
    "DofEstimate",
    "degrees_of_freedom_randomized",
    "ridge_leverage_scores",
    "residual_covariance",
    "reconstruction_matrix",
    "reconstruction_error",
    "pruning_loss",
    "SpectralPruneResult",
    "spectral_prune",
    "LeverageSample",
    "leverage_sample",
    "leverage_sampling_width",
    "leverage_reconstruction_guarantee",
    "lambda_for_width",
    "CompressionBound",
    "compression_bias_bound",
    "compression_variance_term",
    "compression_generalization_bound",
    "activation_covariance",
    "PruneResult",
    "prune_network",
    "ACTIVATION_LIPSCHITZ",
    "SELECTION_METHODS",
]
