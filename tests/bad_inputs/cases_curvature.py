"""Bad inputs for the curvature of a small net's training loss (theory.curvature)."""

import math

import torch
from torch import nn

from bad_inputs import Case

from theory import curvature as cv
from theory.testbeds.nets import make_mlp

RECORDS = ("HutchinsonDiagonal",)

NAN, INF = math.nan, math.inf
FUNCS = (cv.hessian_diagonal, cv.hutchinson_diagonal, cv.gauss_newton_diagonal, cv.empirical_fisher_diagonal)


def _mlp(in_dim=3, out_dim=2):
    return make_mlp(in_dim, [4], out_dim, seed=0)


def _nan_mlp():
    m = _mlp()
    with torch.no_grad():
        m[2].bias[0] = NAN
    return m


def _inf_buffer_mlp():
    m = _mlp()
    m.register_buffer("scale", torch.tensor(INF))
    return m


def _huge_mlp():
    """Finite weights whose outputs (and so every curvature) overflow float32."""
    m = _mlp()
    with torch.no_grad():
        for p in m.parameters():
            p.fill_(1e25)
    return m


def _xy(n=5, in_dim=3, out_dim=2):
    g = torch.Generator().manual_seed(0)
    return torch.randn(n, in_dim, generator=g), torch.randn(n, out_dim, generator=g)


def _v(model, fill=0.0):
    return {k: torch.full_like(p, fill) for k, p in model.named_parameters()}


def _call(f, model=None, X=None, Y=None, task="regression", **kw):
    model = _mlp() if model is None else model
    X0, Y0 = _xy()
    X = X0 if X is None else X
    Y = Y0 if Y is None else Y
    if f is cv.hessian_vector_product:
        kw.setdefault("v", _v(model))
        return f(model, X, Y, task, **kw)
    return f(model, X, Y, task, **kw)


def _common(f):
    """The invalid classes every curvature function refuses, naming the argument."""
    name = f.__name__
    return [
        Case(f, lambda: _call(f, model=_nan_mlp()), ValueError, "`model` must have finite parameters",
             "non-finite model"),
        Case(f, lambda: _call(f, model=_inf_buffer_mlp()), ValueError, "`model` must have finite parameters and "
             "buffers", "non-finite buffer"),
        Case(f, lambda: _call(f, model="mlp"), ValueError, "`model` must be a torch.nn.Module", "type"),
        Case(f, lambda: _call(f, X=_xy()[0].fill_(NAN)), ValueError, "`X` must be finite", "nan"),
        Case(f, lambda: _call(f, Y=_xy()[1].fill_(INF)), ValueError, "`Y` must be finite", "inf"),
        Case(f, lambda: _call(f, X=_xy(in_dim=7)[0]), ValueError, r"`X` must have shape \(n, 3\)", "shape X"),
        Case(f, lambda: _call(f, Y=_xy(out_dim=3)[1]), ValueError, r"`Y` must have shape \(5, 2\)", "shape Y"),
        Case(f, lambda: _call(f, Y=_xy(n=4)[1]), ValueError, "`Y` must have 5 rows", "shape rows"),
        Case(f, lambda: _call(f, X=torch.zeros(0, 3), Y=torch.zeros(0, 2)), ValueError,
             "`X` must hold at least 1 sample", "empty"),
        Case(f, lambda: _call(f, task="ranking"), ValueError, "`task` must be one of", "value"),
        Case(f, lambda: _call(f, Y=torch.tensor([0.5, 1, 0, 1, 0]), task="classification"), ValueError,
             "`Y` must hold integer class labels", "type float labels"),
        Case(f, lambda: _call(f, Y=torch.tensor([0, 1, 2, 1, 0]), task="classification"), ValueError,
             r"`Y` labels must lie in \[0, 1\]", "value labels"),
        Case(f, lambda: _call(f, model=_huge_mlp()), ValueError, "of `model` on .* is not finite",
             "non-finite result"),
        Case(f, lambda: _call(f, device="tpu"), ValueError, "`device`", "device"),
    ] if name != "hutchinson_diagonal" else [
        # Hutchinson's estimator needs a probe count: the same classes, with its own defaults
        Case(f, lambda: _call(f, model=_nan_mlp(), n_probes=4), ValueError, "`model` must have finite parameters",
             "non-finite model"),
        Case(f, lambda: _call(f, model="mlp", n_probes=4), ValueError, "`model` must be a torch.nn.Module", "type"),
        Case(f, lambda: _call(f, X=_xy()[0].fill_(NAN), n_probes=4), ValueError, "`X` must be finite", "nan"),
        Case(f, lambda: _call(f, Y=_xy()[1].fill_(-INF), n_probes=4), ValueError, "`Y` must be finite", "inf"),
        Case(f, lambda: _call(f, X=_xy(in_dim=2)[0], n_probes=4), ValueError, r"`X` must have shape \(n, 3\)",
             "shape X"),
        Case(f, lambda: _call(f, Y=_xy(out_dim=1)[1], n_probes=4), ValueError, r"`Y` must have shape \(5, 2\)",
             "shape Y"),
        Case(f, lambda: _call(f, task="ranking", n_probes=4), ValueError, "`task` must be one of", "value"),
        Case(f, lambda: _call(f, model=_huge_mlp(), n_probes=4), ValueError, "of `model` on .* is not finite",
             "non-finite result"),
        Case(f, lambda: _call(f, n_probes=10**30), ValueError, "`n_probes` must be at most", "size"),
        Case(f, lambda: _call(f, n_probes=1), ValueError, "`n_probes` must be an integer >= 2", "too small"),
        Case(f, lambda: _call(f, n_probes=2.5), ValueError, "`n_probes` must be an integer", "type n_probes"),
        Case(f, lambda: _call(f, n_probes=4, rng="seed"), ValueError, "`rng`", "type rng"),
        Case(f, lambda: _call(f, n_probes=4, chunk_size=0), ValueError, "`chunk_size`", "zero chunk"),
        Case(f, lambda: _call(f, n_probes=4, chunk_size=10**30), ValueError, "`chunk_size` must be at most",
             "size chunk"),
        Case(f, lambda: _call(f, model=make_mlp(100, [2000], 1, seed=0), X=torch.zeros(2, 100), Y=torch.zeros(2, 1),
                              n_probes=10**4, chunk_size=10**4), ValueError, "`chunk_size` must be at most",
             "memory chunk"),
    ]


CASES = [c for f in FUNCS for c in _common(f)] + [
    Case(cv.hessian_diagonal, lambda: _call(cv.hessian_diagonal, chunk_size=10**30), ValueError,
         "`chunk_size` must be at most", "size chunk"),
    Case(cv.hessian_diagonal, lambda: _call(cv.hessian_diagonal, chunk_size=-2), ValueError, "`chunk_size`",
         "negative chunk"),
    Case(cv.hessian_diagonal, lambda: _call(cv.hessian_diagonal, model=make_mlp(100, [200], 1, seed=0),
                                            X=torch.zeros(2, 100), Y=torch.zeros(2, 1), chunk_size=10**5),
         ValueError, "`chunk_size` must be at most", "memory chunk"),
    Case(cv.hessian_diagonal, lambda: _call(cv.hessian_diagonal, model=nn.Sequential(nn.Linear(3, 2),
                                                                                      nn.BatchNorm1d(2))),
         ValueError, "`model` must not contain BatchNorm", "batchnorm"),
    Case(cv.gauss_newton_diagonal, lambda: _call(cv.gauss_newton_diagonal, batch_size=10**30), ValueError,
         "`batch_size` must be at most", "size batch"),
    Case(cv.gauss_newton_diagonal, lambda: _call(cv.gauss_newton_diagonal, batch_size=0), ValueError, "`batch_size`",
         "zero batch"),
    Case(cv.empirical_fisher_diagonal, lambda: _call(cv.empirical_fisher_diagonal, batch_size=10**30), ValueError,
         "`batch_size` must be at most", "size batch"),
    Case(cv.empirical_fisher_diagonal, lambda: _call(cv.empirical_fisher_diagonal, batch_size="all"), ValueError,
         "`batch_size` must be an integer", "type batch"),
    Case(cv.hessian_vector_product, lambda: _call(cv.hessian_vector_product, v=_v(_mlp(), NAN)), ValueError,
         r"`v\['0.weight'\]` must be finite", "nan v"),
    Case(cv.hessian_vector_product, lambda: _call(cv.hessian_vector_product, v={"0.weight": torch.zeros(4, 3)}),
         ValueError, "`v` must be a dict with the parameter names", "missing v"),
    Case(cv.hessian_vector_product, lambda: _call(cv.hessian_vector_product, v=[0.0] * 26), ValueError,
         "`v` must be a dict", "type v"),
    Case(cv.hessian_vector_product,
         lambda: _call(cv.hessian_vector_product, v={**_v(_mlp()), "0.weight": torch.zeros(3, 4)}), ValueError,
         r"`v\['0.weight'\]` must have shape", "shape v"),
]
