"""The claim spine: theorems checked by measurement.

A :class:`Claim` pairs the right-hand side of a theorem, ``bound(params)``, with a measurement of
its left-hand side on a testbed, ``measure(params, rng)`` (a closed form, a Monte Carlo mean with
its standard error, or the held-out risk of a trained net). Checking a claim at one parameter
setting gives a :class:`ClaimRow` with the bound, the measurement, its standard error, the slack
``bound / measured`` and whether the claim holds beyond the statistical margin.

Two relations are supported:

``"<="``
    holds when ``measured - n_se * se <= bound`` (up to a relative ``1e-9`` round-off);
``"=="``
    an identity (closed form against Monte Carlo): holds when
    ``|measured - bound| <= n_se * se + rtol * |bound|``.

Claims the literature says must hold have ``must_hold=True``; ``make figures`` fails, naming the
claim, if one of those rows does not hold. Claims known to be loose or vacuous (Xu–Raginsky for
OLS is infinite) are still listed with their values so the table shows how tight each bound is.

This module is pure bookkeeping: it does no I/O. The registry of concrete claims is filled by the
modules of :mod:`theory.catalog` (``import theory.catalog`` registers every claim).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from ._checks import as_float, check_in, check_nonnegative, check_rng

__all__ = ["Measurement", "Claim", "ClaimRow", "KINDS", "REGISTRY", "register", "get", "check",
           "make_row", "row_kind", "holds", "slack", "failed_must_hold"]

RELATIONS = ("<=", "==")


@dataclass(frozen=True)
class Measurement:
    """A measured quantity and its standard error (0 for a closed form).

    Examples
    --------
    The samples 1, 2, 3 have mean 2 and sample standard deviation 1, so the standard error is
    ``1 / sqrt(3) = 0.57735...``; a closed form has standard error 0.

    >>> from theory.claims import Measurement
    >>> m = Measurement.from_samples([1.0, 2.0, 3.0])
    >>> m.value, round(m.se, 6)
    (2.0, 0.57735)
    >>> Measurement(0.25).se
    0.0
    """

    value: float
    se: float = 0.0

    def __post_init__(self):
        value = as_float(self.value, "value", allow_inf=True)   # a vacuous measurement may be ±inf, never NaN
        se = check_nonnegative(self.se, "se", allow_inf=True)
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "se", se)

    @classmethod
    def from_samples(cls, samples: ArrayLike, axis: int | None = None) -> "Measurement":
        """Mean of i.i.d. ``samples`` and its standard error ``std(ddof=1)/sqrt(count)``."""
        x = np.asarray(samples, dtype=float).ravel()
        if x.size < 2:
            raise ValueError(f"`samples` must hold at least 2 values for a standard error; got {x.size}")
        if not np.all(np.isfinite(x)):
            raise ValueError("`samples` must be finite (no NaN or inf)")
        return cls(float(x.mean()), float(x.std(ddof=1) / np.sqrt(x.size)))


@dataclass(frozen=True)
class Claim:
    """A theorem checked by measurement.

    A claim is evaluated either by the pair ``bound`` + ``measure`` (two independent computations
    of the right- and left-hand side) or, when both sides come out of one run (a trained network
    gives its bound and its fresh-sample risk together), by ``evaluate``. Exactly one of the two
    forms must be given.

    Parameters
    ----------
    id : str
        Stable identifier, ``"<area>.<name>"``.
    reference : str
        Paper, venue, theorem/equation.
    statement : str
        The inequality or identity in words/symbols.
    params : tuple of str
        The parameters the claim requires; :func:`check` refuses a missing or an unknown one.
    defaults : mapping
        Optional parameters and their default values.
    bound : callable ``params -> float``, optional
        The right-hand side (or the predicted value, for ``"=="``).
    measure : callable ``(params, rng) -> Measurement``, optional
        The measured left-hand side.
    evaluate : callable ``(params, rng) -> (float, Measurement)``, optional
        Both sides from one run, in place of ``bound`` and ``measure``.
    relation : {"<=", "=="}
    must_hold : bool
        True when the literature says the claim cannot fail (a failure is a bug).
    ceiling : float, default inf
        The largest value the measured side can take (1 for a 0-1 error or a probability). A row
        whose bound is at or above it cannot fail, and the claims table counts it as such
        (kind ``"trivial"``), not as a bound that holds.

    Examples
    --------
    A toy claim "measured <= 1/n" whose measurement is half the bound: at ``n = 4`` the bound is
    ``1/4 = 0.25``, the measurement ``0.125`` and the slack ``0.25 / 0.125 = 2``.

    >>> from theory.claims import Claim, Measurement, check
    >>> toy = Claim(id="toy.half", reference="none", statement="m <= 1/n", params=("n",),
    ...             bound=lambda p: 1.0 / p["n"],
    ...             measure=lambda p, rng: Measurement(0.5 / p["n"]))
    >>> row = check(toy, {"n": 4})
    >>> row.bound, row.measured, row.slack, row.holds, row.kind
    (0.25, 0.125, 2.0, True, 'inequality')
    """

    id: str
    reference: str
    statement: str
    params: tuple = ()
    defaults: Mapping = field(default_factory=dict)
    bound: Callable[[Mapping], float] | None = None
    measure: Callable[[Mapping, np.random.Generator], Measurement] | None = None
    evaluate: Callable[[Mapping, np.random.Generator], tuple] | None = None
    relation: str = "<="
    must_hold: bool = True
    ceiling: float = math.inf

    def __post_init__(self):
        check_in(self.relation, "relation", RELATIONS)
        if not self.id or not isinstance(self.id, str):
            raise ValueError("`id` must be a non-empty string")
        pair = self.bound is not None and self.measure is not None
        if pair == (self.evaluate is not None) or (not pair and (self.bound or self.measure)):
            raise ValueError(f"claim {self.id!r}: give either both `bound` and `measure`, or `evaluate`")
        if isinstance(self.params, str) or not all(isinstance(k, str) for k in self.params):
            raise ValueError(f"claim {self.id!r}: `params` must be a tuple of parameter names")
        object.__setattr__(self, "params", tuple(self.params))
        object.__setattr__(self, "defaults", dict(self.defaults))
        both = set(self.params) & set(self.defaults)
        if both:
            raise ValueError(f"claim {self.id!r}: {sorted(both)} are both required and defaulted")

    def resolve(self, params: Mapping) -> dict:
        """``params`` with the defaults filled in; ValueError naming a missing or unknown one."""
        if not isinstance(params, Mapping):
            raise ValueError(f"`params` of claim {self.id!r} must be a mapping; got {type(params).__name__}")
        missing = [k for k in self.params if k not in params]
        if missing:
            raise ValueError(f"`params` of claim {self.id!r} is missing {missing}; "
                             f"it takes {list(self.params)} and optionally {sorted(self.defaults)}")
        unknown = sorted(k for k in params if k not in self.params and k not in self.defaults)
        if unknown:
            raise ValueError(f"`params` of claim {self.id!r} has unknown {unknown}; "
                             f"it takes {list(self.params)} and optionally {sorted(self.defaults)}")
        return {**self.defaults, **params}

    def run(self, params: Mapping, rng: np.random.Generator) -> tuple[float, Measurement]:
        """Evaluate both sides at resolved ``params``: ``(bound, Measurement)``."""
        if self.evaluate is not None:
            b, m = self.evaluate(params, rng)
        else:
            b, m = self.bound(params), self.measure(params, rng)
        if not isinstance(m, Measurement):
            m = Measurement(float(m))
        return float(b), m


#: What a row says. ``identity``: a closed form checked against a measurement (``==``);
#: ``inequality``: a finite bound checked against a measurement; ``vacuous``: an infinite bound
#: (true, and says nothing); ``trivial``: a finite bound at or above the largest value the measured
#: quantity can take (it cannot fail).
KINDS = ("identity", "inequality", "vacuous", "trivial")


def row_kind(relation: str, bound: float, ceiling: float = math.inf) -> str:
    """The :data:`KINDS` entry of a row with this relation and bound.

    Examples
    --------
    An identity is always ``"identity"``; an infinite upper bound says nothing (``"vacuous"``); a
    bound of 1 on a probability (ceiling 1) cannot fail (``"trivial"``).

    >>> import math
    >>> from theory.claims import row_kind
    >>> row_kind("==", 0.3), row_kind("<=", math.inf)
    ('identity', 'vacuous')
    >>> row_kind("<=", 1.0, ceiling=1.0), row_kind("<=", 0.5, ceiling=1.0)
    ('trivial', 'inequality')
    """
    check_in(relation, "relation", RELATIONS)
    bound = as_float(bound, "bound", allow_inf=True)
    if relation == "==":
        return "identity"
    if math.isinf(bound) and bound > 0:
        return "vacuous"
    if bound >= ceiling:
        return "trivial"
    return "inequality"


@dataclass(frozen=True)
class ClaimRow:
    """One claim evaluated at one setting; what claims.csv stores."""

    claim_id: str
    reference: str
    statement: str
    setting: str
    relation: str
    bound: float
    measured: float
    se: float
    slack: float
    holds: bool
    must_hold: bool
    experiment: str = ""
    kind: str = "inequality"
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        d = asdict(self)
        extra = d.pop("extra")
        d.update({f"extra_{k}": v for k, v in extra.items()})
        return d


REGISTRY: dict[str, Claim] = {}


def register(claim: Claim) -> Claim:
    """Add ``claim`` to the registry (``ValueError`` if its id is taken by a different claim).

    Examples
    --------
    Registering makes a claim available by id; registering the same object again is allowed,
    another claim with the same id is refused. (The example removes its toy claim afterwards.)

    >>> from theory.claims import REGISTRY, Claim, Measurement, get, register
    >>> toy = Claim(id="toy.register", reference="none", statement="0 <= 1",
    ...             bound=lambda p: 1.0, measure=lambda p, rng: Measurement(0.0))
    >>> register(toy) is toy, register(toy) is toy, get("toy.register") is toy
    (True, True, True)
    >>> REGISTRY.pop("toy.register") is toy
    True
    """
    if not isinstance(claim, Claim):
        raise TypeError(f"`claim` must be a Claim; got {type(claim).__name__}")
    old = REGISTRY.get(claim.id)
    if old is not None and old is not claim:
        raise ValueError(f"`claim.id` {claim.id!r} is already registered")
    REGISTRY[claim.id] = claim
    return claim


def get(claim_id: str) -> Claim:
    """Look up a registered claim by id.

    Examples
    --------
    A registered claim comes back as the same object; an unknown id is a ValueError. (The example
    removes its toy claim afterwards.)

    >>> from theory.claims import REGISTRY, Claim, Measurement, get, register
    >>> toy = Claim(id="toy.get", reference="none", statement="0 <= 1",
    ...             bound=lambda p: 1.0, measure=lambda p, rng: Measurement(0.0))
    >>> get(register(toy).id) is toy
    True
    >>> REGISTRY.pop("toy.get") is toy
    True
    """
    try:
        return REGISTRY[claim_id]
    except KeyError:
        raise ValueError(f"`claim_id` {claim_id!r} is not registered; known: {sorted(REGISTRY)}") from None


def slack(bound: float, measured: float) -> float:
    """``bound / measured``: how loose the bound is (inf for a vacuous bound or a zero measure).

    Examples
    --------
    ``0.3 / 0.1 = 3``; an infinite bound, or a positive bound on a zero measurement, is infinitely
    loose.

    >>> from theory.claims import slack
    >>> round(slack(0.3, 0.1), 12), slack(float("inf"), 1.0), slack(1.0, 0.0)
    (3.0, inf, inf)
    """
    bound = as_float(bound, "bound", allow_inf=True)
    measured = as_float(measured, "measured", allow_inf=True)
    if math.isinf(bound):
        return math.inf
    if measured == 0:
        return math.inf if bound > 0 else (1.0 if bound == 0 else -math.inf)
    return bound / measured


def holds(bound: float, measured: float, se: float = 0.0, *, relation: str = "<=",
          n_se: float = 3.0, rtol: float = 1e-9) -> bool:
    """Whether the claim holds beyond ``n_se`` standard errors.

    ``"<="``: ``measured - n_se*se <= bound + rtol*|bound|``;
    ``"=="``: ``|measured - bound| <= n_se*se + rtol*max(|bound|, |measured|)``.
    NaN anywhere means the claim does not hold.

    Examples
    --------
    With standard error 0.1 and the default 3 standard errors, ``1.2 - 0.3 = 0.9 <= 1`` holds but
    ``1.5 - 0.3 = 1.2 <= 1`` does not; for an identity, ``|1.05 - 1| = 0.05 <= 3 * 0.02 = 0.06``
    holds.

    >>> from theory.claims import holds
    >>> holds(1.0, 1.2, 0.1), holds(1.0, 1.5, 0.1)
    (True, False)
    >>> holds(1.0, 1.05, 0.02, relation="==")
    True
    """
    check_in(relation, "relation", RELATIONS)
    se = check_nonnegative(se, "se", allow_inf=True)
    bound = float(bound)
    measured = float(measured)
    if math.isnan(bound) or math.isnan(measured):
        return False
    if relation == "<=":
        if math.isinf(bound):
            return bound > 0
        return measured - n_se * se <= bound + rtol * abs(bound)
    if math.isinf(bound) or math.isinf(measured):
        return bound == measured
    return abs(measured - bound) <= n_se * se + rtol * max(abs(bound), abs(measured))


def _setting_str(params: Mapping) -> str:
    parts = []
    for k in sorted(params):
        v = params[k]
        if isinstance(v, float):
            v = f"{v:.6g}"
        elif isinstance(v, (list, tuple, np.ndarray)):
            v = "[" + ",".join(f"{float(x):.4g}" for x in np.ravel(v)) + "]"
        parts.append(f"{k}={v}")
    return " ".join(parts)


def make_row(claim: Claim, params: Mapping | str, bound: float, measured: float, se: float = 0.0,
             *, experiment: str = "", n_se: float = 3.0, extra: Mapping | None = None) -> ClaimRow:
    """Build a :class:`ClaimRow` from numbers computed elsewhere (e.g. inside a sweep).

    Examples
    --------
    A bound 0.25 against a measurement 0.2: slack ``0.25 / 0.2 = 1.25``, and the row's setting
    lists the parameters.

    >>> from theory.claims import Claim, Measurement, make_row
    >>> toy = Claim(id="toy.row", reference="none", statement="m <= 1/n", params=("n",),
    ...             bound=lambda p: 1.0 / p["n"], measure=lambda p, rng: Measurement(0.0))
    >>> row = make_row(toy, {"n": 4}, 0.25, 0.2, 0.01)
    >>> row.setting, round(row.slack, 12), row.holds
    ('n=4', 1.25, True)
    """
    bound = as_float(bound, "bound", allow_inf=True)
    measured = as_float(measured, "measured", allow_inf=True)
    se = check_nonnegative(se, "se", allow_inf=True)
    setting = params if isinstance(params, str) else _setting_str(params)
    return ClaimRow(
        claim_id=claim.id, reference=claim.reference, statement=claim.statement,
        setting=setting, relation=claim.relation, bound=bound, measured=measured, se=se,
        slack=slack(bound, measured),
        holds=holds(bound, measured, se, relation=claim.relation, n_se=n_se),
        must_hold=claim.must_hold, experiment=experiment,
        kind=row_kind(claim.relation, bound, claim.ceiling), extra=dict(extra or {}),
    )


def check(claim: Claim | str, params: Mapping, rng: np.random.Generator | int | None = None, *,
          experiment: str = "", n_se: float = 3.0) -> ClaimRow:
    """Evaluate ``claim`` at ``params``: compute the bound, measure, and compare.

    ``params`` must hold every parameter the claim declares and nothing else (its defaults are
    filled in); the row's setting lists the parameters as given.

    Examples
    --------
    A toy claim "measured <= 1/n" measured exactly at its bound holds as an inequality with slack
    ``(1/8) / (1/8) = 1``.

    >>> from theory.claims import Claim, Measurement, check
    >>> toy = Claim(id="toy.check", reference="none", statement="m <= 1/n", params=("n",),
    ...             bound=lambda p: 1.0 / p["n"], measure=lambda p, rng: Measurement(1.0 / p["n"]))
    >>> row = check(toy, {"n": 8}, rng=0)
    >>> row.bound, row.measured, row.slack, row.holds
    (0.125, 0.125, 1.0, True)
    """
    if isinstance(claim, str):
        claim = get(claim)
    full = claim.resolve(params)
    rng = check_rng(rng)
    b, m = claim.run(full, rng)
    return make_row(claim, params, b, m.value, m.se, experiment=experiment, n_se=n_se)


def failed_must_hold(rows: Iterable[ClaimRow]) -> list[ClaimRow]:
    """The rows of must-hold claims that do not hold.

    Examples
    --------
    Of two rows of a must-hold claim, only the one whose measurement 2 exceeds the bound 1 (with
    standard error 0) is returned.

    >>> from theory.claims import Claim, Measurement, failed_must_hold, make_row
    >>> toy = Claim(id="toy.fail", reference="none", statement="m <= 1",
    ...             bound=lambda p: 1.0, measure=lambda p, rng: Measurement(0.0))
    >>> ok, bad = make_row(toy, "a", 1.0, 0.5), make_row(toy, "b", 1.0, 2.0)
    >>> [row.setting for row in failed_must_hold([ok, bad])]
    ['b']
    """
    rows = list(rows)
    bad = [type(r).__name__ for r in rows if not isinstance(r, ClaimRow)]
    if bad:
        raise TypeError(f"`rows` must hold ClaimRow objects; got {bad[0]}")
    return [r for r in rows if r.must_hold and not r.holds]
