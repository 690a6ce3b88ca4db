"""The claim spine: holds/slack semantics, rows, the registry."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from theory.claims import Claim, Measurement, check, failed_must_hold, get, holds, make_row, register, slack


def test_holds_le_with_standard_errors():
    assert holds(1.0, 0.9)
    assert not holds(1.0, 1.1)
    assert holds(1.0, 1.1, se=0.04)        # 1.1 - 3*0.04 = 0.98 <= 1
    assert not holds(1.0, 1.1, se=0.03)    # 1.01 > 1
    assert holds(math.inf, 5.0)
    assert not holds(float("nan"), 1.0)


def test_holds_eq():
    assert holds(1.0, 1.05, se=0.02, relation="==")
    assert not holds(1.0, 1.07, se=0.02, relation="==")
    assert holds(2.0, 2.0, relation="==")
    with pytest.raises(ValueError, match="relation"):
        holds(1.0, 1.0, relation="<")


def test_slack():
    assert slack(2.0, 1.0) == 2.0
    assert slack(math.inf, 1.0) == math.inf
    assert slack(1.0, 0.0) == math.inf


@given(st.lists(st.floats(-5, 5), min_size=2, max_size=50))
def test_measurement_from_samples_matches_numpy(xs):
    m = Measurement.from_samples(xs)
    x = np.asarray(xs)
    assert m.value == pytest.approx(x.mean(), abs=1e-12)
    assert m.se == pytest.approx(x.std(ddof=1) / math.sqrt(len(x)), abs=1e-12)


def test_measurement_bad_input():
    with pytest.raises(ValueError, match="samples"):
        Measurement.from_samples([1.0])
    with pytest.raises(ValueError, match="samples"):
        Measurement.from_samples([1.0, np.nan])


def test_check_and_make_row_and_registry():
    c = Claim(id="test.coin", reference="none", statement="mean of U(0,1) <= 0.5", params=("m",),
              bound=lambda p: 0.5, measure=lambda p, rng: Measurement.from_samples(rng.random(p["m"])))
    register(c)
    assert get("test.coin") is c
    row = check("test.coin", {"m": 4000}, rng=0)
    assert row.holds and row.must_hold and row.se > 0
    assert row.setting == "m=4000"
    d = row.to_dict()
    assert d["claim_id"] == "test.coin"
    bad = make_row(c, "x", bound=0.5, measured=0.7, se=0.01)
    assert failed_must_hold([row, bad]) == [bad]
    with pytest.raises(ValueError, match="already registered"):
        register(Claim(id="test.coin", reference="", statement="", bound=lambda p: 0,
                       measure=lambda p, r: 0))
    with pytest.raises(ValueError, match="claim_id"):
        get("no.such.claim")
    with pytest.raises(ValueError, match="relation"):
        Claim(id="x", reference="", statement="", bound=lambda p: 0, measure=lambda p, r: 0, relation="<")


def _coin(**kw):
    return Claim(id="test.params", reference="none", statement="mean of U(0,1) <= bound",
                 params=("m",), defaults={"bound": 0.5},
                 bound=lambda p: p["bound"], measure=lambda p, rng: Measurement.from_samples(rng.random(p["m"])),
                 **kw)


def test_check_refuses_missing_and_unknown_params():
    c = _coin()
    with pytest.raises(ValueError, match=r"missing \['m'\]"):
        check(c, {}, rng=0)
    with pytest.raises(ValueError, match=r"unknown \['reps'\]"):
        check(c, {"m": 10, "reps": 3}, rng=0)
    with pytest.raises(ValueError, match="mapping"):
        check(c, [("m", 10)], rng=0)
    # defaults are filled in; the setting lists the parameters as given
    row = check(c, {"m": 2000}, rng=1)
    assert row.bound == 0.5 and row.setting == "m=2000"
    assert check(c, {"m": 2000, "bound": 0.25}, rng=1).bound == 0.25


def test_evaluate_form_gives_both_sides_from_one_run():
    calls = []

    def evaluate(p, rng):
        calls.append(1)
        x = rng.random(p["m"])
        return float(x.max()), Measurement.from_samples(x)   # mean <= max, from the same draw

    c = Claim(id="test.evaluate", reference="none", statement="mean <= max", params=("m",), evaluate=evaluate)
    row = check(c, {"m": 50}, rng=3)
    assert len(calls) == 1 and row.holds
    x = np.random.default_rng(3).random(50)          # an independent recomputation of both sides
    assert row.bound == x.max() and row.measured == pytest.approx(x.mean(), abs=1e-15)


@pytest.mark.parametrize("kw", [
    {},                                                                       # neither form
    {"bound": lambda p: 0.0},                                                 # half a pair
    {"bound": lambda p: 0.0, "measure": lambda p, r: 0.0, "evaluate": lambda p, r: (0.0, 0.0)},
    {"measure": lambda p, r: 0.0, "evaluate": lambda p, r: (0.0, 0.0)},
])
def test_claim_needs_exactly_one_form(kw):
    with pytest.raises(ValueError, match="either both `bound` and `measure`, or `evaluate`"):
        Claim(id="x", reference="", statement="", **kw)


def test_claim_params_are_names():
    with pytest.raises(ValueError, match="`params`"):
        Claim(id="x", reference="", statement="", params="m", bound=lambda p: 0, measure=lambda p, r: 0)
    with pytest.raises(ValueError, match="both required and defaulted"):
        Claim(id="x", reference="", statement="", params=("m",), defaults={"m": 1},
              bound=lambda p: 0, measure=lambda p, r: 0)
