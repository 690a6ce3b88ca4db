"""Tables of invalid inputs for every public callable, one module per area.

Each ``cases_<area>.py`` defines ``CASES``, a list of :class:`Case`; ``tests/test_public_functions.py``
runs them all (one test per case) and checks that every public callable is covered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    """``call()`` must raise ``exc`` with a message matching ``match`` (a regex), within the time limit.

    ``target`` is the public function or class the case covers (for the coverage check); ``call``
    is a zero-argument callable that makes the bad call; ``label`` names the invalid class
    ("nan", "negative", "shape", "type", "size", "non-finite model", ...).
    """

    target: object
    call: Callable[[], object]
    exc: type | tuple
    match: str
    label: str = ""
