"""Bad inputs of theory.testbeds.surrogates."""

from __future__ import annotations

import torch

from theory.testbeds import surrogates as sg

from bad_inputs import Case

NAN = float("nan")


def _m():
    return sg.FNO1d(modes=2, width=3, layers=1, seed=0)


def _nan_m():
    m = _m()
    with torch.no_grad():
        m.lift.weight[0, 0] = NAN
    return m


X = torch.zeros(4, 9)
U = torch.ones(4, 8)

CASES = [
    Case(sg.FNO1d, lambda: sg.FNO1d(modes=0), ValueError, "`modes`", "zero modes"),
    Case(sg.FNO1d, lambda: sg.FNO1d(width=-1), ValueError, "`width`", "negative width"),
    Case(sg.FNO1d, lambda: sg.FNO1d(layers=2.5), ValueError, "`layers`", "type layers"),
    Case(sg.train_surrogate, lambda: sg.train_surrogate("net", X, U), TypeError, "`model` must be an FNO1d", "type"),
    Case(sg.train_surrogate, lambda: sg.train_surrogate(_nan_m(), X, U), ValueError, "`model`", "nan model"),
    Case(sg.train_surrogate, lambda: sg.train_surrogate(_m(), X, U[:, :3]), ValueError, "`U` must have shape",
         "shape U"),
    Case(sg.train_surrogate, lambda: sg.train_surrogate(_m(), X, U, lr=0.0), ValueError, "`lr`", "zero lr"),
    Case(sg.train_surrogate, lambda: sg.train_surrogate(_m(), X, U, epochs=-1), ValueError, "`epochs`", "epochs"),
    Case(sg.train_surrogate, lambda: sg.train_surrogate(_m(), X, U, masks={"nope": 1}), ValueError, "`masks`",
         "unknown mask"),
    Case(sg.train_surrogate, lambda: sg.train_surrogate(_m(), X.clone().fill_(NAN), U), ValueError, "`X`", "nan X"),
    Case(sg.relative_error, lambda: sg.relative_error(_m(), X, U[:2]), ValueError, "`U` must have shape", "shape"),
    Case(sg.relative_error, lambda: sg.relative_error(None, X, U), TypeError, "`model`", "type"),
    Case(sg.truncate_modes, lambda: sg.truncate_modes(_m(), 0), ValueError, "`keep`", "zero keep"),
    Case(sg.truncate_modes, lambda: sg.truncate_modes(torch.nn.Linear(2, 2), 1), TypeError, "`model`", "type"),
    Case(sg.prune_magnitude, lambda: sg.prune_magnitude(_m(), 1.0), ValueError, "`fraction`", "fraction 1"),
    Case(sg.prune_magnitude, lambda: sg.prune_magnitude(_m(), NAN), ValueError, "`fraction`", "nan fraction"),
    Case(sg.quantize_uniform, lambda: sg.quantize_uniform(_m(), 1), ValueError, "`bits`", "one bit"),
    Case(sg.quantize_uniform, lambda: sg.quantize_uniform(_m(), 2.5), ValueError, "`bits`", "type bits"),
]
