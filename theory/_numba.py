"""Optional just-in-time compilation with numba.

numba is an optional accelerator, never a requirement: where it imports, :data:`njit` is
``numba.njit`` and :data:`HAVE_NUMBA` is True; otherwise :data:`njit` is a decorator that returns
the function unchanged (so that the pure-Python kernels still run, slowly, and stay testable) and
:data:`HAVE_NUMBA` is False. Modules that use it keep a numpy path for the case without numba.
This module imports nothing from :mod:`theory` (layer L0).
"""

from __future__ import annotations

import numpy as np

__all__ = ["HAVE_NUMBA", "bit_length", "njit"]

try:  # pragma: no cover - which branch runs depends on the environment
    from numba import njit as _numba_njit
    from numba.cpython.unsafe.numbers import leading_zeros as _leading_zeros
except ImportError:  # pragma: no cover
    _numba_njit = None

#: Whether numba is importable (the jitted kernels are compiled, cached on disk, and used).
HAVE_NUMBA = _numba_njit is not None


def njit(*args, **kwargs):
    """``numba.njit`` when numba is importable, else a decorator that leaves the function as is.

    Accepts the same forms as ``numba.njit``: ``@njit``, ``@njit(cache=True)``, ``njit(f)``.
    """
    if _numba_njit is not None:
        return _numba_njit(*args, **kwargs)
    if len(args) == 1 and callable(args[0]) and not kwargs:
        return args[0]
    return lambda fn: fn


def bit_length(v):
    """``int(v).bit_length()`` for ``0 <= v < 2**63``: one ``lzcnt`` instruction when compiled.

    >>> [int(bit_length(v)) for v in (0, 1, 2, 3, 2**40)]
    [0, 1, 2, 2, 41]
    """
    return int(v).bit_length()


if _numba_njit is not None:  # pragma: no branch
    def _lzcnt_bit_length(v):
        return 64 - _leading_zeros(np.uint64(v))

    _lzcnt_bit_length.__doc__ = bit_length.__doc__
    bit_length = _numba_njit(cache=True)(_lzcnt_bit_length)
