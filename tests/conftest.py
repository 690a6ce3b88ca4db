"""Shared test configuration: a hypothesis profile sized for `make test` on 2 cores."""

import os

# One BLAS/OpenMP thread per test worker: `make test` runs 2 workers on 2 cores, and oversubscribed
# threads make small torch/numpy kernels 10-50x slower. Set before numpy/torch are imported.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from hypothesis import HealthCheck, settings

settings.register_profile(
    "default",
    max_examples=int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
settings.load_profile("default")
