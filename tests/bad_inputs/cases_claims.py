"""Bad inputs for the claim spine (theory.claims)."""

import math

from bad_inputs import Case

from theory import claims as cl

RECORDS = ("ClaimRow",)

_C = cl.Claim(id="bad.inputs", reference="", statement="", params=("m",), bound=lambda p: 0.0,
              measure=lambda p, rng: 0.0)

CASES = [
    Case(cl.Measurement, lambda: cl.Measurement(math.nan), ValueError, "`value`", "nan"),
    Case(cl.Measurement, lambda: cl.Measurement(1.0, -1.0), ValueError, "`se`", "negative"),
    Case(cl.Measurement.from_samples, lambda: cl.Measurement.from_samples([1.0]), ValueError, "`samples`", "size"),
    Case(cl.Claim, lambda: cl.Claim(id="", reference="", statement="", bound=lambda p: 0, measure=lambda p, r: 0),
         ValueError, "`id`", "empty"),
    Case(cl.register, lambda: cl.register("not a claim"), TypeError, "`claim`", "type"),
    Case(cl.get, lambda: cl.get("no.such.claim"), ValueError, "`claim_id`", "unknown"),
    Case(cl.check, lambda: cl.check(_C, {"m": 1, "x": 2}), ValueError, "unknown", "unknown param"),
    Case(cl.make_row, lambda: cl.make_row(_C, {}, math.nan, 1.0), ValueError, "`bound`", "nan"),
    Case(cl.row_kind, lambda: cl.row_kind("<", 1.0), ValueError, "`relation`", "value"),
    Case(cl.holds, lambda: cl.holds(1.0, 1.0, se=-1.0), ValueError, "`se`", "negative"),
    Case(cl.slack, lambda: cl.slack(math.nan, 1.0), ValueError, "`bound`", "nan"),
    Case(cl.failed_must_hold, lambda: cl.failed_must_hold([1, 2]), TypeError, "`rows`", "type"),
]
