r"""Docstrings and claim texts: they import cleanly, speak to users, and render as written.

- every module of ``theory`` and ``experiments`` imports under ``python -W error`` (one fresh
  subprocess for all of them, with an empty bytecode cache so that every file is compiled and an
  invalid escape such as ``\l`` in a non-raw docstring raises its SyntaxWarning);
- no docstring, no claim ``reference``/``statement`` and no comment refers to internal notes
  (THEORY.md) or to "this project": they cite papers and say what was verified;
- every docstring whose source holds a backslash is a raw string (``r`` prefix), so that
  ``\theta`` renders as written and nothing needs doubling.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("theory", "experiments")
FORBIDDEN = re.compile(r"THEORY\s*\.\s*md|this\s+project", re.IGNORECASE)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


FILES = sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))
MODULES = [_module_name(p) for p in FILES]

# Imports every module given on the command line, each failure as "module: error"; prints a JSON
# mapping module -> error (None when it imported).
_IMPORT_ALL = """
import importlib, json, sys, traceback
out = {}
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
        out[name] = None
    except BaseException as e:  # SyntaxWarning/DeprecationWarning raised as errors, SystemExit
        out[name] = "".join(traceback.format_exception_only(type(e), e)).strip()
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def import_errors(tmp_path_factory):
    """Import every module once, in one ``python -W error`` subprocess with no cached bytecode."""
    env = {**os.environ, "PYTHONPYCACHEPREFIX": str(tmp_path_factory.mktemp("pycache")),
           "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, "-W", "error", "-c", _IMPORT_ALL, *MODULES], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-4000:]
    return json.loads(r.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("module", MODULES)
def test_imports_without_warnings(module, import_errors):
    assert import_errors[module] is None, f"python -W error -c 'import {module}': {import_errors[module]}"


def _docstring_nodes(tree: ast.Module):
    """(name, string node) of the module's, every class's and every function's docstring."""
    owners = [tree] + [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                                      ast.ClassDef))]
    for n in owners:
        body = n.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                and isinstance(body[0].value.value, str):
            yield getattr(n, "name", "<module>"), body[0].value


def non_raw_backslash_docstrings(source: str) -> list[str]:
    """``name:line`` of every docstring with a backslash in its source that is not a raw string."""
    bad = []
    for name, node in _docstring_nodes(ast.parse(source)):
        segment = ast.get_source_segment(source, node)
        prefix = segment[:len(segment) - len(segment.lstrip("rRuUbBfF"))]
        if "\\" in segment and "r" not in prefix.lower():
            bad.append(f"{name}:{node.lineno}")
    return bad


@pytest.mark.parametrize("path", FILES, ids=MODULES)
def test_backslash_docstrings_are_raw(path):
    bad = non_raw_backslash_docstrings(path.read_text(encoding="utf-8"))
    assert not bad, f"{path.relative_to(ROOT)}: docstrings with a backslash that are not r-strings: {bad}"


def test_raw_docstring_check_fails_when_it_should():
    source = 'def f():\n    """Angle :math:`\\\\theta`."""\n\n\ndef g():\n    r"""Angle :math:`\\theta`."""\n'
    assert non_raw_backslash_docstrings(source) == ["f:2"]


def _public_docstrings(module):
    """(qualified name, docstring) of the module and of its public classes, functions and methods."""
    yield module.__name__, module.__doc__
    for name, obj in vars(module).items():
        if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
            continue
        if inspect.isfunction(obj) or inspect.isclass(obj):
            yield f"{module.__name__}.{name}", obj.__doc__
        if inspect.isclass(obj):
            for attr, member in vars(obj).items():
                if attr.startswith("_") and attr != "__init__":
                    continue
                member = getattr(member, "__func__", member)
                if inspect.isfunction(member) or isinstance(member, property):
                    yield f"{module.__name__}.{name}.{attr}", member.__doc__


def test_no_internal_references_in_docstrings():
    bad = []
    for name in MODULES:
        if name.endswith("__main__"):
            continue
        for qualname, doc in _public_docstrings(importlib.import_module(name)):
            if doc and FORBIDDEN.search(doc):
                bad.append(f"{qualname}: {FORBIDDEN.search(doc).group(0)!r}")
    assert not bad, "docstrings that cite internal notes or 'this project':\n" + "\n".join(bad)


def test_no_internal_references_in_sources():
    # Private helpers and comments too (e.g. the section headers of theory/testbeds/configs.py).
    bad = [f"{p.relative_to(ROOT)}:{text[:m.start()].count(chr(10)) + 1}: {m.group(0)!r}"
           for p in FILES for text in [p.read_text(encoding="utf-8")] for m in FORBIDDEN.finditer(text)]
    assert not bad, "\n".join(bad)


def test_no_internal_references_in_claims():
    import theory.catalog  # noqa: F401 - registers every claim
    from theory.claims import REGISTRY

    assert len(REGISTRY) > 0
    bad = [f"{cid}.{field}: {getattr(c, field)!r}" for cid, c in REGISTRY.items()
           for field in ("reference", "statement") if FORBIDDEN.search(getattr(c, field))]
    assert not bad, "\n".join(bad)
    for c in REGISTRY.values():
        assert c.reference.strip() and c.statement.strip(), c.id


def test_spectral_generalization_bound_is_labelled_a_heuristic():
    import theory.catalog  # noqa: F401
    from theory.claims import REGISTRY

    c = REGISTRY["spectral.generalization_bound"]
    assert not c.must_hold
    assert "heuristic" in c.statement.lower() and "heuristic" in c.reference.lower()
    assert "heuristic" not in REGISTRY["spectral.output_distortion_bound"].statement.lower()


# Every public function and user-constructed class carries an Examples doctest (run by
# `make test` through --doctest-modules). Result records the library returns, warning classes
# and the experiment recipes of theory.testbeds.protocols (each trains networks for minutes;
# the gallery and the experiments exercise them) are exempt.
_EXAMPLE_MODULES = ("theory.claims", "theory.information", "theory.bounds", "theory.rate_distortion",
                    "theory.symbolic", "theory.spectral", "theory.coresets", "theory.curvature",
                    "theory.quantization", "theory.kernels", "theory.cmi", "theory.bottleneck", "theory.shift",
                    "theory.testbeds.linear", "theory.testbeds.gaussian_mean", "theory.testbeds.nets",
                    "theory.testbeds.data", "theory.testbeds.configs", "theory.testbeds.sphere",
                    "theory.testbeds.pde", "theory.testbeds.surrogates")


def _needs_example(obj) -> bool:
    import dataclasses

    if not callable(obj):
        return False
    if inspect.isclass(obj):
        if issubclass(obj, Warning):
            return False
        if dataclasses.is_dataclass(obj) and not hasattr(obj, "__post_init__"):
            return False            # a record the library returns
    return True


def test_every_public_function_has_an_examples_doctest():
    missing = []
    for name in _EXAMPLE_MODULES:
        mod = importlib.import_module(name)
        for n in mod.__all__:
            obj = getattr(mod, n)
            if _needs_example(obj) and ">>>" not in (obj.__doc__ or ""):
                missing.append(f"{name}.{n}")
    assert not missing, f"public callables without an Examples doctest: {missing}"


# Every public function and method of the library's modules is fully annotated: a return
# annotation and one for every parameter but self/cls/*args/**kwargs (the annotations are
# strings, `from __future__ import annotations`, never evaluated at import time).
_ANNOTATED_MODULES = _EXAMPLE_MODULES + ("theory._torch",)


def _public_callables(mod):
    names = getattr(mod, "__all__", None) or [n for n in vars(mod) if not n.startswith("_")]
    for n in names:
        obj = getattr(mod, n)
        if inspect.isclass(obj):
            if not obj.__module__.startswith("theory"):
                continue
            for an, attr in vars(obj).items():
                if an.startswith("_") and an not in ("__init__", "__call__"):
                    continue
                if isinstance(attr, (staticmethod, classmethod)):
                    attr = attr.__func__
                elif isinstance(attr, property):
                    attr = attr.fget
                if inspect.isfunction(attr):
                    yield f"{n}.{an}", attr
        elif inspect.isfunction(obj) and obj.__module__.startswith("theory"):
            yield n, obj


def _missing_annotations(fn) -> list[str]:
    ann = fn.__annotations__
    missing = [p.name for p in inspect.signature(fn).parameters.values()
               if p.name not in ("self", "cls") and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
               and p.name not in ann]
    return missing + ([] if "return" in ann else ["return"])


@pytest.mark.parametrize("name", _ANNOTATED_MODULES)
def test_every_public_function_is_annotated(name):
    try:
        mod = importlib.import_module(name)
    except ImportError as e:                      # a torch-only module on a core install
        pytest.skip(str(e))
    found = list(_public_callables(mod))
    assert found, f"{name} has no public functions"
    missing = {q: m for q, fn in found if (m := _missing_annotations(fn))}
    assert not missing, f"{name}: public callables with unannotated parameters/return: {missing}"


def test_annotation_check_fails_when_it_should():
    def f(x, y: int = 1, *args, z, **kwargs) -> None:
        pass

    def g(self, x: int):
        pass

    assert _missing_annotations(f) == ["x", "z"]
    assert _missing_annotations(g) == ["return"]
