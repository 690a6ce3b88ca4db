"""The five layers of DESIGN.md: every import points down (or sideways within a layer).

L0  theory/_checks.py, theory/_torch.py, theory/_numba.py, theory/claims.py (and the package's __init__)
L1  the math modules of theory/ (incl. the facade packages spectral/ and coresets/)
L2  theory/testbeds/
L3  theory/catalog/
L4  experiments/

An AST walk over every module (imports inside functions included) resolves relative imports and
fails on any import of a higher layer. A second test feeds the checker an upward import, so the
check itself is known to fail when it should.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
L0 = ("theory._checks", "theory._torch", "theory._numba", "theory.claims")
LAYER_NAMES = {0: "L0 (checks, torch and numba utilities, claims)", 1: "L1 (math)", 2: "L2 (testbeds)",
               3: "L3 (catalog)", 4: "L4 (experiments)"}


def layer_of(module: str) -> int | None:
    """Layer of a dotted module name of this project; None for third-party modules."""
    if module == "experiments" or module.startswith("experiments."):
        return 4
    if not (module == "theory" or module.startswith("theory.")):
        return None
    if module == "theory" or any(module == m or module.startswith(m + ".") for m in L0):
        return 0
    if module.startswith("theory.catalog"):
        return 3
    if module.startswith("theory.testbeds"):
        return 2
    return 1


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imported_modules(source: str, module: str, is_package: bool) -> list[tuple[int, str]]:
    """(line, absolute dotted name) of every import in ``source``, relative ones resolved."""
    out = []
    pkg = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg[:len(pkg) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            out.append((node.lineno, target))
            # `from . import spectral` imports the submodule theory.spectral
            out += [(node.lineno, f"{target}.{a.name}") for a in node.names
                    if layer_of(f"{target}.{a.name}") is not None and a.name != "*"]
    return out


def upward_imports(source: str, module: str, is_package: bool = False) -> list[str]:
    """Imports in ``source`` (the code of ``module``) that point to a higher layer."""
    own = layer_of(module)
    bad = []
    for line, target in imported_modules(source, module, is_package):
        lt = layer_of(target)
        if lt is not None and own is not None and lt > own:
            bad.append(f"{module}:{line} imports {target} ({LAYER_NAMES[own]} -> {LAYER_NAMES[lt]})")
    return bad


def project_modules():
    for top in ("theory", "experiments"):
        for path in sorted((ROOT / top).rglob("*.py")):
            yield path


@pytest.mark.parametrize("path", list(project_modules()), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_down(path):
    bad = upward_imports(path.read_text(), module_name(path), path.name == "__init__.py")
    assert not bad, "\n".join(bad)


def test_layers_are_assigned_as_designed():
    assert layer_of("theory.claims") == 0 and layer_of("theory._torch") == 0
    assert layer_of("theory.spectral._select") == 1 and layer_of("theory.bounds") == 1
    assert layer_of("theory.testbeds.protocols") == 2 and layer_of("theory.catalog.linear") == 3
    assert layer_of("experiments.linear_tradeoff") == 4 and layer_of("numpy") is None


@pytest.mark.parametrize("source, module, is_package", [
    ("from .testbeds.nets import make_mlp", "theory.spectral", False),           # L1 -> L2
    ("from ..testbeds import protocols", "theory.spectral._prune", False),       # L1 -> L2, in a package
    ("def f():\n    from theory.catalog import linear", "theory.bounds", False),  # inside a function
    ("import experiments._runner", "theory.testbeds.protocols", False),         # L2 -> L4
    ("from . import catalog", "theory", True),                                   # L0 -> L3
    ("from .catalog import spectral", "theory.claims", False),                   # L0 -> L3
])
def test_checker_catches_upward_imports(source, module, is_package):
    assert upward_imports(source, module, is_package)


@pytest.mark.parametrize("source, module, is_package", [
    ("from .._checks import as_int\nfrom ..bounds import xu_raginsky", "theory.testbeds.linear", False),
    ("from ._select import greedy", "theory.spectral", True),
    ("from ..testbeds.protocols import x\nfrom ..claims import Claim", "theory.catalog.linear", False),
    ("from theory import catalog\nfrom . import _style", "experiments.linear_tradeoff", False),
])
def test_checker_allows_downward_imports(source, module, is_package):
    assert not upward_imports(source, module, is_package)
