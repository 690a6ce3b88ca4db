"""Input validation shared by every module.

Every public function in :mod:`theory` validates its arguments through these helpers, so that
bad input raises a :class:`ValueError` that names the argument and the constraint it broke,
instead of returning a silent NaN further down.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = [
    "as_array",
    "as_float",
    "as_int",
    "check_positive",
    "check_nonnegative",
    "check_probability",
    "check_probability_vector",
    "check_psd",
    "check_in",
    "check_rng",
    "check_bool",
    "as_size",
    "MAX_SIZE",
    "log_base",
]


def _fail(name: str, constraint: str, value=None) -> None:
    msg = f"`{name}` must be {constraint}"
    if value is not None:
        try:
            text = np.array2string(np.asarray(value), threshold=6) if not np.isscalar(value) else repr(value)
        except Exception:  # ragged or exotic objects: fall back to a short repr
            text = repr(value)
        if len(text) > 200:
            text = text[:200] + "..."
        msg += f"; got {text}"
    raise ValueError(msg)


def as_float(x, name: str, *, low: float | None = None, high: float | None = None,
             low_open: bool = False, high_open: bool = False, allow_inf: bool = False) -> float:
    """Return ``x`` as a finite Python float, checking an optional interval.

    Raises
    ------
    ValueError
        If ``x`` is not a real scalar, is NaN, is infinite (unless ``allow_inf``), or lies
        outside the interval; the message names ``name``.
    """
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (numbers.Real, np.floating, np.integer)):
        arr = np.asarray(x)
        if arr.ndim != 0 or not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
            _fail(name, "a real scalar", x)
        x = arr.item()
    try:
        v = float(x)
    except OverflowError:  # an int beyond the float range
        v = math.inf if x > 0 else -math.inf
    if np.isnan(v):
        _fail(name, "a number, not NaN", x)
    if np.isinf(v) and not allow_inf:
        _fail(name, "finite", x)
    if low is not None:
        if (low_open and not v > low) or (not low_open and not v >= low):
            _fail(name, f"{'>' if low_open else '>='} {low}", x)
    if high is not None:
        if (high_open and not v < high) or (not high_open and not v <= high):
            _fail(name, f"{'<' if high_open else '<='} {high}", x)
    return v


def check_positive(x, name: str, *, allow_inf: bool = False) -> float:
    """A finite scalar > 0 (``ValueError`` naming ``name`` otherwise)."""
    return as_float(x, name, low=0.0, low_open=True, allow_inf=allow_inf)


def check_nonnegative(x, name: str, *, allow_inf: bool = False) -> float:
    """A finite scalar >= 0 (``ValueError`` naming ``name`` otherwise)."""
    return as_float(x, name, low=0.0, allow_inf=allow_inf)


def check_probability(x, name: str, *, open_low: bool = False, open_high: bool = False) -> float:
    """A scalar in [0, 1] (ends optionally open)."""
    return as_float(x, name, low=0.0, high=1.0, low_open=open_low, high_open=open_high)


def as_int(x, name: str, *, low: int | None = None, high: int | None = None) -> int:
    """Return ``x`` as a Python int (integral floats such as ``3.0`` are accepted)."""
    if isinstance(x, (bool, np.bool_)):
        _fail(name, "an integer", x)
    if isinstance(x, (numbers.Integral, np.integer)):
        v = int(x)
    elif isinstance(x, (numbers.Real, np.floating)) and float(x).is_integer():
        v = int(x)
    else:
        _fail(name, "an integer", x)
    if low is not None and v < low:
        _fail(name, f"an integer >= {low}", x)
    if high is not None and v > high:
        _fail(name, f"an integer <= {high}", x)
    return v


#: The largest count (samples, repetitions, probes, draws) a function accepts: beyond it the work
#: cannot finish in memory or in reasonable time, and the call is refused up front.
MAX_SIZE = 10**9


def as_size(x, name: str, *, low: int = 1, high: int = MAX_SIZE) -> int:
    """A count in ``[low, high]``; a larger one is refused up front (it could not be computed)."""
    v = as_int(x, name, low=low)
    if v > high:
        _fail(name, f"at most {high} (a larger size cannot be computed in memory or in reasonable time)", x)
    return v


def check_bool(x, name: str) -> bool:
    """``x`` if it is a bool (numpy bools included); a string such as ``'no'`` is refused, not truthy."""
    if not isinstance(x, (bool, np.bool_)):
        _fail(name, "a bool (True or False)", x)
    return bool(x)


def as_array(x, name: str, *, ndim: int | tuple[int, ...] | None = None, dtype=float,
             finite: bool = True, nonnegative: bool = False, positive: bool = False,
             min_size: int = 1, shape: tuple | None = None) -> np.ndarray:
    """Convert ``x`` to a numpy array and validate it.

    Parameters
    ----------
    x : array_like
    name : str
        Argument name used in error messages.
    ndim : int or tuple of int, optional
        Allowed numbers of dimensions.
    dtype : numpy dtype, default float
        Target dtype (``None`` keeps the input's).
    finite : bool, default True
        Reject NaN and infinities.
    nonnegative, positive : bool
        Reject negative (respectively non-positive) entries.
    min_size : int, default 1
        Minimum number of elements.
    shape : tuple, optional
        Required shape; ``None`` entries are wildcards.
    """
    if dtype is not None and not np.issubdtype(np.dtype(dtype), np.complexfloating):
        try:
            is_complex = np.iscomplexobj(x) or bool(getattr(x, "is_complex", lambda: False)())
        except Exception:  # objects numpy cannot inspect are refused below
            is_complex = False
        if is_complex:  # a cast to float would silently drop the imaginary part
            _fail(name, "real (complex values are not accepted)")
    try:
        arr = np.asarray(x, dtype=dtype) if dtype is not None else np.asarray(x)
    except (TypeError, ValueError, OverflowError):
        _fail(name, "array-like of numbers" + (" within the range of the dtype" if dtype is not None else ""))
    if arr.dtype == object:
        _fail(name, "array-like of numbers")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            _fail(name, f"an array with ndim in {allowed}; got ndim={arr.ndim}")
    if shape is not None:
        if arr.ndim != len(shape) or any(s is not None and s != a for s, a in zip(shape, arr.shape)):
            _fail(name, f"of shape {shape}; got {arr.shape}")
    if arr.size < min_size:
        _fail(name, f"an array with at least {min_size} element(s); got {arr.size}")
    if np.issubdtype(arr.dtype, np.number):
        if finite and not np.all(np.isfinite(arr)):
            _fail(name, "finite (no NaN or inf)")
        if positive and not np.all(arr > 0):
            _fail(name, "strictly positive", arr)
        if nonnegative and not np.all(arr >= 0):
            _fail(name, "non-negative", arr)
    return arr


def check_probability_vector(p, name: str, *, atol: float = 1e-9, ndim: int = 1) -> np.ndarray:
    """Non-negative array whose last axis sums to one (within ``atol``)."""
    arr = as_array(p, name, ndim=ndim, nonnegative=True)
    if not np.allclose(arr.sum(axis=-1), 1.0, atol=atol, rtol=0):
        _fail(name, f"a probability vector summing to 1 along its last axis; sums are {arr.sum(axis=-1)}")
    return arr


def check_psd(cov, name: str, *, strict: bool = False, tol: float = 1e-10) -> np.ndarray:
    """Square, symmetric, positive semi-definite (``strict``: definite) matrix.

    Symmetry is checked to a relative tolerance; the returned matrix is exactly symmetrized.
    """
    arr = as_array(cov, name, ndim=2)
    if arr.shape[0] != arr.shape[1]:
        _fail(name, f"a square matrix; got shape {arr.shape}")
    scale = max(1.0, float(np.max(np.abs(arr))))
    if not np.allclose(arr, arr.T, atol=1e-8 * scale, rtol=0):
        _fail(name, "symmetric")
    arr = 0.5 * (arr + arr.T)
    eig_min = float(np.linalg.eigvalsh(arr)[0])
    if strict and not eig_min > tol * scale:
        _fail(name, f"positive definite; smallest eigenvalue is {eig_min:.3g}")
    if eig_min < -tol * scale * arr.shape[0]:
        _fail(name, f"positive semi-definite; smallest eigenvalue is {eig_min:.3g}")
    return arr


def check_in(x, name: str, options) -> str:
    """``x`` is one of ``options`` (an unhashable or array ``x`` is refused, not compared elementwise)."""
    try:
        ok = bool(x in options)
    except (TypeError, ValueError):  # unhashable x against a dict/set, or an array compared elementwise
        ok = False
    if not ok:
        _fail(name, f"one of {tuple(options)}", x)
    return x


def check_rng(rng) -> np.random.Generator:
    """Return a :class:`numpy.random.Generator` from ``None``, an int seed, or a Generator.

    ``None`` gives a fresh, unseeded generator; pass a seed for reproducible numbers.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, (numbers.Integral, np.integer, np.random.SeedSequence)):
        if isinstance(rng, (bool, np.bool_)):
            _fail("rng", "None, an int seed or a numpy Generator", rng)
        if isinstance(rng, (numbers.Integral, np.integer)) and int(rng) < 0:
            _fail("rng", "a non-negative seed", rng)
        return np.random.default_rng(rng)
    _fail("rng", "None, an int seed or a numpy Generator", rng)


def log_base(base) -> float:
    """``log(base)``, the divisor that converts nats to ``base`` units (``None``: nats, 1.0).

    ``base`` must be > 1 (2 gives bits, 10 dits).
    """
    if base is None:
        return 1.0
    return math.log(as_float(base, "base", low=1.0, low_open=True))
