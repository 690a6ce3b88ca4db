"""compression-theory: the theory of model compression and generalization, as checked code.

The package is layered; imports only point down (``tests/test_layers.py`` checks it):

L0
    :mod:`theory._checks` (input validation), :mod:`theory._torch` (the one torch utility),
    :mod:`theory._numba` (the optional numba accelerator), :mod:`theory.claims` (Claim,
    Measurement, ClaimRow, the registry).
L1
    Math: pure functions of arrays, and torch adapters taking ``(model, data)``; they never build
    or train a model.

    - :mod:`theory.information`: Gaussian closed forms, KSG and discrete mutual information
    - :mod:`theory.bounds`: mutual-information, CMI, Gibbs and compression bounds
    - :mod:`theory.rate_distortion`: reverse water-filling, Blahut–Arimoto with a certified stop
    - :mod:`theory.symbolic`: sympy derivations of the testbeds' closed forms
    - :mod:`theory.spectral`: spectral pruning (Suzuki et al., IJCAI 2020)
    - :mod:`theory.coresets`: CoreNet coresets (Baykal, Liebenwein et al., ICLR 2019)
    - :mod:`theory.curvature`: Hessian, Gauss–Newton and Fisher diagonals
    - :mod:`theory.quantization`: 1-D k-means, Hessian-weighted and diameter-regularized
    - :mod:`theory.kernels`: empirical NTK, kernel complexity, critical radius, early stopping,
      local-Rademacher fixed point, truncated nuclear norm
    - :mod:`theory.cmi`: evaluated conditional mutual information from supersample runs
    - :mod:`theory.bottleneck`: exact information-bottleneck quantities and bounds
    - :mod:`theory.shift`: change-of-measure and certified out-of-distribution bounds
L2
    :mod:`theory.testbeds`: data-generating processes with known truths (linear regression,
    Gaussian mean, small nets and ``train_many``, digits, regression on the sphere with a
    two-layer NTK net, PDE solvers and laws of their parameters, small neural operators),
    :mod:`theory.testbeds.configs` (named configurations) and :mod:`theory.testbeds.protocols`
    (seeded train/compress/evaluate recipes).
L3
    :mod:`theory.catalog`: ``import theory.catalog`` registers every claim.
L4
    The ``experiments`` package (figures, CSVs, claims table), run from a checkout.

torch is imported only by the modules that touch networks.
"""

__version__ = "0.1.0"
