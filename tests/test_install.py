"""Packaging: the numpy/scipy core imports without torch, torch-only parts say how to get it,
only the library is installed, and the version is exposed.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import theory

ROOT = Path(__file__).resolve().parent.parent
CORE = ("theory.information", "theory.bounds", "theory.rate_distortion", "theory.symbolic", "theory.cmi",
        "theory.shift", "theory.kernels", "theory.quantization", "theory.spectral", "theory.claims")
NEEDS_TORCH = ("theory.bottleneck", "theory.coresets", "theory.curvature", "theory.testbeds.nets")

_BLOCK = """
import sys
class _NoTorch:
    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            raise ImportError("No module named 'torch' (blocked by the test)")
sys.meta_path.insert(0, _NoTorch())
"""


def _run(code: str):
    return subprocess.run([sys.executable, "-c", _BLOCK + code], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def test_core_modules_import_and_work_without_torch():
    code = "\n".join(f"import {m}" for m in CORE) + """
from theory.rate_distortion import bernoulli_hamming_rate_distortion
from theory.quantization import kmeans_1d
from theory.kernels import critical_radius
assert abs(bernoulli_hamming_rate_distortion(0.5, 0.0) - 0.6931471805599453) < 1e-15
assert kmeans_1d([0.0, 0.1, 5.0], 2, method="optimal").labels.tolist() == [0, 0, 1]
assert critical_radius([1.0], 1.0) > 0
assert "torch" not in sys.modules
"""
    proc = _run(code)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("module", NEEDS_TORCH)
def test_torch_only_modules_name_the_extra(module):
    proc = _run(f"import {module}")
    assert proc.returncode != 0
    assert "compression-theory[torch]" in proc.stderr, proc.stderr


def test_metadata_core_has_no_torch_and_only_the_library_is_packaged():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    deps = meta["project"]["dependencies"]
    assert not any(d.lower().startswith(("torch", "scikit-learn", "matplotlib")) for d in deps), deps
    assert any(d.startswith("torch") for d in meta["project"]["optional-dependencies"]["torch"])
    assert meta["tool"]["setuptools"]["packages"]["find"]["include"] == ["theory*"]
    assert meta["project"]["version"] == theory.__version__
