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


# The devices the net-facing tests run on: the CPU always, CUDA where torch sees a GPU (the
# declarative device list of curvlinops' test/cases.py). Tests take the `device` fixture.
def _devices():
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a dependency
        return ["cpu"]
    return ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


DEVICES = _devices()

import pytest  # noqa: E402


@pytest.fixture(params=DEVICES)
def device(request):
    """Each available device in turn: "cpu", and "cuda" when a GPU is present."""
    return request.param
