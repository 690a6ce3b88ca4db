"""compression-theory: the theory of model compression and generalization, as checked code.

Modules (import them directly; torch is only imported by the network modules):

- :mod:`theory.information`      Gaussian closed forms, KSG and discrete mutual information
- :mod:`theory.bounds`           mutual-information, CMI and Gibbs generalization bounds
- :mod:`theory.rate_distortion`  reverse water-filling, Blahut–Arimoto
- :mod:`theory.symbolic`         sympy derivations of the testbeds' closed forms
- :mod:`theory.claims`           the Claim type and the registry
- :mod:`theory.testbeds`         linear regression, Gaussian mean, small nets, bundled data
"""

__version__ = "0.1.0"
