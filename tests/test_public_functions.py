"""One table of invalid inputs for every public callable (the pattern of scikit-learn's
``sklearn/tests/test_public_functions.py``).

Every case must raise a ValueError/TypeError whose message names the argument (and the
constraint), within a time limit: never a hang, a crash from deep inside numpy/torch, a silent
NaN or an impossible value. The tables live in ``tests/bad_inputs/cases_*.py``, one per area;
:func:`test_every_public_callable_has_a_case` fails when a public name has none.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import signal

import pytest

import bad_inputs

MODULES = ("theory._checks", "theory._torch", "theory.claims", "theory.information", "theory.bounds",
           "theory.rate_distortion", "theory.symbolic", "theory.spectral", "theory.coresets",
           "theory.curvature", "theory.quantization", "theory.kernels", "theory.testbeds.linear",
           "theory.testbeds.gaussian_mean", "theory.testbeds.nets", "theory.testbeds.data",
           "theory.testbeds.configs", "theory.testbeds.protocols", "theory.testbeds.sphere", "theory.cmi",
           "theory.bottleneck", "theory.shift",
           "theory.testbeds.pde", "theory.testbeds.surrogates")

TIME_LIMIT_S = 20


def _case_modules():
    for info in pkgutil.iter_modules(bad_inputs.__path__):
        if info.name.startswith("cases_"):
            yield importlib.import_module(f"bad_inputs.{info.name}")


CASES = [c for m in _case_modules() for c in m.CASES]
# Result records: frozen containers the library returns; they are built by the library, not by users.
RECORDS = {name for m in _case_modules() for name in getattr(m, "RECORDS", ())}


def _name(obj) -> str:
    return f"{obj.__module__}.{obj.__qualname__}"


def _public_callables():
    out = {}
    for mod_name in MODULES:
        mod = importlib.import_module(mod_name)
        for n in mod.__all__:
            obj = getattr(mod, n)
            if callable(obj):
                out[f"{mod_name}.{n}"] = obj
    return out


def _ids():
    seen: dict[str, int] = {}
    out = []
    for c in CASES:
        base = f"{getattr(c.target, '__qualname__', c.target)}-{c.label or 'case'}"
        seen[base] = seen.get(base, 0) + 1
        out.append(base if seen[base] == 1 else f"{base}{seen[base]}")
    return out


class _TimeLimit:
    def __enter__(self):
        def handler(signum, frame):
            raise TimeoutError(f"the call did not return within {TIME_LIMIT_S} s (a hang)")
        self.old = signal.signal(signal.SIGALRM, handler)
        signal.alarm(TIME_LIMIT_S)

    def __exit__(self, *exc):
        signal.alarm(0)
        signal.signal(signal.SIGALRM, self.old)
        return False


@pytest.mark.parametrize("case", CASES, ids=_ids())
def test_bad_input_is_refused_naming_the_argument(case):
    with _TimeLimit(), pytest.raises(case.exc, match=case.match):
        case.call()


def test_every_public_callable_has_a_case():
    """Every callable in the ``__all__`` of every public module is the target of a case.

    Result records (dataclasses the library returns) are listed by name in the case modules'
    ``RECORDS`` instead.
    """
    public = _public_callables()
    covered = {id(c.target) for c in CASES}
    # warning categories (e.g. QuantizationWarning) are public classes that users filter, not call
    missing = sorted(k for k, v in public.items() if id(v) not in covered and k.rsplit(".", 1)[1] not in RECORDS
                     and not (inspect.isclass(v) and issubclass(v, Warning)))
    assert not missing, f"{len(missing)} public callables have no bad-input case: {missing}"
    for name in RECORDS:
        objs = [v for k, v in public.items() if k.rsplit(".", 1)[1] == name]
        assert objs and all(inspect.isclass(o) and dataclasses.is_dataclass(o) for o in objs), name


def test_cases_are_well_formed():
    for c in CASES:
        assert callable(c.call) and c.match, c
        excs = c.exc if isinstance(c.exc, tuple) else (c.exc,)
        assert all(issubclass(e, (ValueError, TypeError)) for e in excs), c
