r"""Data-dependent coresets for network compression: empirical sensitivity and CoreNet.

CoreNet (Baykal, Liebenwein, Gilitschenski, Feldman, Rus, "Data-dependent coresets for
compressing neural networks with applications to generalization bounds", ICLR 2019) sparsifies
the incoming weights of every neuron by importance sampling. For neuron :math:`i` of a layer with
input activations :math:`a(x) \ge 0` and the incoming edges :math:`\mathcal W` of one sign,

.. math::

    g_j(x) = \frac{w_{ij} a_j(x)}{\sum_{k\in\mathcal W} w_{ik} a_k(x)},\qquad
    s_j = \max_{x\in S} g_j(x),\qquad q_j = \frac{s_j}{\sum_k s_k},\qquad
    \hat w_{ij} = \frac{w_{ij}\, c_j}{m\, q_j},

where :math:`c_j` counts how often edge :math:`j` was drawn in :math:`m` i.i.d. draws from
:math:`q`. Positive and negative weights are sparsified separately,
:math:`\hat w = \mathrm{Sp}(W^+) - \mathrm{Sp}(-W^-)`; every function here is vectorized over
the neurons of a layer (no Python loop per neuron).

What was verified, and how (the constants are as recalled, not checked against the paper)
-----------------------------------------------------------------------------------------
Only the abstract of the paper was checked, not its text. What was checked against public code:

- the empirical sensitivity, the sign split, the treatment of signed inputs (a layer whose inputs
  take negative values is fed the stacked non-negative parts :math:`[a^+; a^-]` as separate
  points) and the convention that a zero denominator gives :math:`g = 0` follow the authors'
  released successor code (``lucaslie/torchprune``, ``method/base_sens/base_sens_tracker.py``:
  ``_adapt_activations``, ``_process_denominator``, ``_compute_g_sens_f``);
- the formulas :math:`\varepsilon' = \varepsilon / (2(L-1))`, :math:`\lambda_* =
  \log(\eta\eta^*)/2`, :math:`\kappa = \sqrt{2\lambda_*}(1 + \sqrt{2\lambda_*}
  \log(8\eta\eta^*/\delta))`, :math:`\Delta^\ell = \max_i \mathrm{mean}_{x\in S}
  \sum_k|w_{ik}a_k| / |\sum_k w_{ik}a_k| + \kappa` and :math:`m = \lceil 8 S K
  \log(8\eta/\delta)/\varepsilon_\ell^2 \rceil` agree with an independent third-party
  reimplementation of the paper (``ks-korovina/coresets_compression``, ``corenet.py``), which
  however substitutes :math:`\log(\eta\eta^*)` for the constants :math:`K` and :math:`K'`.

So the *structure* of every formula is corroborated by two code bases, but the values of the
constants :math:`K, K'` of the paper's Assumption 1 (distribution-dependent) are not; they are
named arguments here with the illustrative default 2 ("constant as recalled").

Extensions made here (not in the paper, said where they are used): every layer is
sparsified, including the first one on signed inputs (via the :math:`[a^+; a^-]` split above), so
:math:`\varepsilon' = \varepsilon/(2 L_s)` with :math:`L_s` the number of sparsified layers
(the paper sparsifies :math:`L_s = L - 1` layers); biases are kept exactly and enter
:math:`\Delta` as an edge with constant activation 1; a *budget* mode picks the one global
:math:`\varepsilon` whose sample sizes keep a target fraction of the weights, because the
theoretical sample size is larger than the number of edges for any useful :math:`\varepsilon`.

Networks: any ``torch.nn.Module`` whose compressible layers are ``nn.Linear`` (found through
forward hooks in forward order; see :func:`corenet` for what it refuses); a model pruned with
``torch.nn.utils.prune`` is compressed on a copy with its masks baked in.

The package is a facade: the functions live in private submodules and are re-exported here,
so ``from theory.coresets import corenet`` is the public path.

- ``_sensitivity``: :func:`empirical_sensitivity`, :func:`corenet_constants`,
  :func:`corenet_sample_size`, :func:`delta_terms`;
- ``_sparsify``: :func:`sparsify_layer` (the unbiased sampler of one layer);
- ``_corenet``: :func:`corenet` (per-layer sample sizes, the budget search, the sparsified copy);
- ``_baselines``: :func:`uniform_sparsify`, :func:`magnitude_prune`, :func:`truncated_svd`;
- ``_evaluate``: :func:`relative_output_error`, :func:`guarantee_failure`, :func:`margin_loss`,
  :func:`quantize_weights`, :func:`compression_bound`;
- ``_common``: :func:`layer_inputs` and the model checks shared by the others.

The claims that check these bounds on testbeds are registered by :mod:`theory.catalog.coresets`.
"""


from ._baselines import CompressedModel, magnitude_prune, truncated_svd, uniform_sparsify
from ._common import layer_inputs
from ._corenet import VARIANTS, CoreNetResult, corenet
from ._evaluate import (CompressionBound, GuaranteeCheck, compression_bound, guarantee_failure, margin_loss,
                        quantize_weights, relative_output_error)
from ._sensitivity import (CoreNetConstants, DeltaTerms, EmpiricalSensitivity, corenet_constants,
                           corenet_sample_size, delta_terms, empirical_sensitivity)
from ._sparsify import SparsifiedLayer, sparsify_layer

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
]
