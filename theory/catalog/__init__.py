"""The registered claims: every theorem of the package paired with a measurement (layer L3).

``import theory.catalog`` registers every claim in :data:`theory.claims.REGISTRY`, whatever was
imported before. One module per area:

- :mod:`theory.catalog.linear`           compressed linear regression (Bu et al., AAAI 2020)
- :mod:`theory.catalog.gaussian_mean`    Gaussian mean estimation and the Gibbs algorithm
- :mod:`theory.catalog.rate_distortion`  Blahut–Arimoto's certified bracket
- :mod:`theory.catalog.spectral`         spectral pruning (Suzuki et al., IJCAI 2020)
- :mod:`theory.catalog.coresets`         CoreNet (Baykal, Liebenwein et al., ICLR 2019)
- :mod:`theory.catalog.quantization`     Hessian-weighted quantization (Bu et al., AAAI 2020)
- :mod:`theory.catalog.curvature`        Hutchinson's trace estimator
- :mod:`theory.catalog.kernels`          kernel complexity under compression (RWY 2014; Weyl)
- :mod:`theory.catalog.cmi`              evaluated CMI of trained and compressed nets
- :mod:`theory.catalog.bottleneck`       the information bottleneck of compressed representations
- :mod:`theory.catalog.shift`            out-of-distribution bounds for compressed PDE surrogates

Each claim declares its parameters; :func:`theory.claims.check` refuses a missing or unknown one.
Claims whose two sides come from one run (a trained network) define ``evaluate`` and call the
same recipe of :mod:`theory.testbeds.protocols` that the experiments call, so a figure's claim
rows and a test's claim checks are one computation.
"""

from . import bottleneck, cmi, coresets, curvature, gaussian_mean, kernels, linear, quantization, rate_distortion, shift, spectral
from .bottleneck import *  # noqa: F401,F403
from .cmi import *  # noqa: F401,F403
from .coresets import *  # noqa: F401,F403
from .curvature import *  # noqa: F401,F403
from .gaussian_mean import *  # noqa: F401,F403
from .kernels import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .quantization import *  # noqa: F401,F403
from .rate_distortion import *  # noqa: F401,F403
from .shift import *  # noqa: F401,F403
from .spectral import *  # noqa: F401,F403

__all__ = (linear.__all__ + gaussian_mean.__all__ + rate_distortion.__all__ + spectral.__all__
           + coresets.__all__ + quantization.__all__ + curvature.__all__ + kernels.__all__ + cmi.__all__
           + bottleneck.__all__ + shift.__all__)
