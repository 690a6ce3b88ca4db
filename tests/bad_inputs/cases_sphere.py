"""Bad inputs for the sphere testbed (theory.testbeds.sphere): inputs on the sphere, the RKHS teacher,
the masked two-layer ReLU net and its full-batch gradient descent."""

import functools
import math

import numpy as np
import torch

from bad_inputs import Case

from theory.testbeds import sphere as sp

NAN, INF = math.nan, math.inf


@functools.lru_cache(maxsize=None)
def _teacher():
    return sp.SphereTeacher(3, n_centers=5)


def _zero(X):
    return np.zeros(len(X))


def _net(**kw):
    return sp.TwoLayerReLU(3, 4, seed=0, **kw)


def _nan_net():
    net = _net()
    with torch.no_grad():
        net.weight[0, 0] = NAN
    return net


def _frozen_net():
    net = _net()
    net.weight.requires_grad_(False)
    return net


_X, _Y = np.ones((4, 3)) / math.sqrt(3), np.ones(4)


def _loss(t, model):
    return t


CASES = [
    # uniform_sphere
    Case(sp.uniform_sphere, lambda: sp.uniform_sphere(0, 3), ValueError, "`n`", "zero"),
    Case(sp.uniform_sphere, lambda: sp.uniform_sphere(2.5, 3), ValueError, "`n`", "non-integer"),
    Case(sp.uniform_sphere, lambda: sp.uniform_sphere(3, 1), ValueError, "`d`", "d < 2"),
    Case(sp.uniform_sphere, lambda: sp.uniform_sphere(3, 3, rng="x"), ValueError, "`rng`", "type"),
    Case(sp.uniform_sphere, lambda: sp.uniform_sphere(3, 3, rng=-1), ValueError, "`rng`", "negative seed"),
    Case(sp.uniform_sphere, lambda: sp.uniform_sphere(10**6, 10**6), ValueError, "`n \\* d`", "absurd size"),
    # SphereTeacher
    Case(sp.SphereTeacher, lambda: sp.SphereTeacher(1), ValueError, "`d`", "d < 2"),
    Case(sp.SphereTeacher, lambda: sp.SphereTeacher(3, n_centers=0), ValueError, "`n_centers`", "zero"),
    Case(sp.SphereTeacher, lambda: sp.SphereTeacher(3, n_centers=10**5), ValueError, "`n_centers`", "absurd size"),
    Case(sp.SphereTeacher, lambda: sp.SphereTeacher(10**6, n_centers=10**4), ValueError, "`d \\* n_centers`",
         "absurd size d"),
    Case(sp.SphereTeacher, lambda: sp.SphereTeacher(3, noise_std=-0.1), ValueError, "`noise_std`", "negative"),
    Case(sp.SphereTeacher, lambda: sp.SphereTeacher(3, noise_std=NAN), ValueError, "`noise_std`", "nan"),
    Case(sp.SphereTeacher, lambda: sp.SphereTeacher(3, rkhs_norm=0.0), ValueError, "`rkhs_norm`", "zero"),
    Case(sp.SphereTeacher, lambda: sp.SphereTeacher(3, rkhs_norm=INF), ValueError, "`rkhs_norm`", "inf"),
    Case(sp.SphereTeacher, lambda: sp.SphereTeacher(3, rkhs_norm=1e308), ValueError, "`rkhs_norm`", "overflow"),
    Case(sp.SphereTeacher, lambda: sp.SphereTeacher(3, seed=-1), ValueError, "`seed`", "negative seed"),
    Case(sp.SphereTeacher.__call__, lambda: _teacher()(np.ones((2, 4))), ValueError, "`X`", "shape"),
    Case(sp.SphereTeacher.__call__, lambda: _teacher()([[NAN, 0, 0]]), ValueError, "`X`", "nan"),
    Case(sp.SphereTeacher.sample, lambda: _teacher().sample(0), ValueError, "`n`", "zero"),
    Case(sp.SphereTeacher.sample, lambda: _teacher().sample(3, rng="x"), ValueError, "`rng`", "type"),
    Case(sp.SphereTeacher.excess_risk, lambda: _teacher().excess_risk("f", 10), ValueError, "`predict`",
         "not callable"),
    Case(sp.SphereTeacher.excess_risk, lambda: _teacher().excess_risk(lambda X: np.zeros(3), 10), ValueError,
         "`predict`", "wrong length"),
    Case(sp.SphereTeacher.excess_risk, lambda: _teacher().excess_risk(lambda X: np.full(len(X), NAN), 10),
         ValueError, "`predict`", "nan predictions"),
    Case(sp.SphereTeacher.excess_risk, lambda: _teacher().excess_risk(_zero, 1), ValueError, "`n`", "too small"),
    Case(sp.SphereTeacher.excess_risk, lambda: _teacher().excess_risk(_zero, 10, batch_size=0), ValueError,
         "`batch_size`", "zero"),
    Case(sp.SphereTeacher.excess_risk, lambda: _teacher().excess_risk(_zero, 10, rng="x"), ValueError, "`rng`",
         "type"),
    # TwoLayerReLU
    Case(sp.TwoLayerReLU, lambda: sp.TwoLayerReLU(0, 4), ValueError, "`in_dim`", "zero"),
    Case(sp.TwoLayerReLU, lambda: sp.TwoLayerReLU(3, 0), ValueError, "`width`", "zero"),
    Case(sp.TwoLayerReLU, lambda: sp.TwoLayerReLU(3, 7), ValueError, "`width` must be even", "odd antisymmetric"),
    Case(sp.TwoLayerReLU, lambda: sp.TwoLayerReLU(10**5, 10**5), ValueError, "`in_dim \\* width`", "absurd size"),
    Case(sp.TwoLayerReLU, lambda: sp.TwoLayerReLU(3, 4, seed=-1), ValueError, "`seed`", "negative seed"),
    Case(sp.TwoLayerReLU, lambda: sp.TwoLayerReLU(3, 4, train_output=1), ValueError, "`train_output`", "type bool"),
    Case(sp.TwoLayerReLU, lambda: sp.TwoLayerReLU(3, 4, antisymmetric="no"), ValueError, "`antisymmetric`",
         "type bool2"),
    Case(sp.TwoLayerReLU, lambda: sp.TwoLayerReLU(3, 4, dtype=torch.int32), ValueError, "`dtype`", "dtype"),
    Case(sp.TwoLayerReLU, lambda: sp.TwoLayerReLU(3, 4, device="tpu9"), ValueError, "`device`", "device"),
    Case(sp.TwoLayerReLU.predict, lambda: _net().predict(np.ones((2, 4))), ValueError, "`X`", "shape"),
    Case(sp.TwoLayerReLU.predict, lambda: _net().predict(np.ones(3)), ValueError, "`X`", "ndim"),
    Case(sp.TwoLayerReLU.predict, lambda: _net().predict([[NAN, 0, 0]]), ValueError, "`X`", "nan"),
    Case(sp.TwoLayerReLU.predict, lambda: _nan_net().predict(_X), ValueError, "`model` must have finite",
         "non-finite model"),
    Case(sp.TwoLayerReLU.ntk, lambda: _net().ntk(np.ones((2, 4))), ValueError, "`x1`", "shape"),
    Case(sp.TwoLayerReLU.ntk, lambda: _net().ntk(_X, np.ones((2, 5))), ValueError, "`x2`", "shape x2"),
    Case(sp.TwoLayerReLU.ntk, lambda: _net().ntk([[INF, 0, 0]]), ValueError, "`x1`", "inf"),
    Case(sp.TwoLayerReLU.ntk, lambda: _net().ntk(np.ones((40000, 3)), np.ones((40000, 3))), ValueError,
         r"`len\(x1\) \* len\(x2\)`", "absurd size"),
    Case(sp.TwoLayerReLU.ntk, lambda: _nan_net().ntk(_X), ValueError, "`model` must have finite",
         "non-finite model"),
    # train_gd
    Case(sp.train_gd, lambda: sp.train_gd("net", _X, _Y, 0.1, 1), ValueError, "`model` must be a torch.nn", "type"),
    Case(sp.train_gd, lambda: sp.train_gd(_nan_net(), _X, _Y, 0.1, 1), ValueError, "`model` must have finite",
         "non-finite model"),
    Case(sp.train_gd, lambda: sp.train_gd(_frozen_net(), _X, _Y, 0.1, 1), ValueError, "`model` has no trainable",
         "no trainable"),
    Case(sp.train_gd, lambda: sp.train_gd(_net(), _X, _Y, 0.0, 1), ValueError, "`step`", "zero"),
    Case(sp.train_gd, lambda: sp.train_gd(_net(), _X, _Y, NAN, 1), ValueError, "`step`", "nan"),
    Case(sp.train_gd, lambda: sp.train_gd(sp.TwoLayerReLU(3, 64, seed=0, train_output=True),
                                          sp.uniform_sphere(8, 3, rng=0), np.ones(8), 1e300, 5), ValueError,
         "`step` is too large", "divergent"),
    Case(sp.train_gd, lambda: sp.train_gd(torch.nn.Linear(3, 2).double(), _X, _Y, 0.1, 1), ValueError,
         r"`model` must map \(n, d\) inputs to \(n, 1\)", "output width"),
    Case(sp.train_gd, lambda: sp.train_gd(_net(), _X, _Y, 0.1, -1), ValueError, "`steps`", "negative"),
    Case(sp.train_gd, lambda: sp.train_gd(_net(), _X, _Y, 0.1, 10**9), ValueError, "`steps`", "absurd size"),
    Case(sp.train_gd, lambda: sp.train_gd(_net(), np.ones((4, 5)), _Y, 0.1, 1), ValueError, "`X`", "shape"),
    Case(sp.train_gd, lambda: sp.train_gd(_net(), _X * NAN, _Y, 0.1, 1), ValueError, "`X`", "nan"),
    Case(sp.train_gd, lambda: sp.train_gd(_net(), _X, np.ones(3), 0.1, 1), ValueError, "`y`", "length"),
    Case(sp.train_gd, lambda: sp.train_gd(_net(), _X, np.ones((4, 1)), 0.1, 1), ValueError, "`y`", "ndim"),
    Case(sp.train_gd, lambda: sp.train_gd(_net(), _X, _Y, 0.1, 1, eval_every=0, eval_fn=_loss), ValueError,
         "`eval_every`", "zero eval_every"),
    Case(sp.train_gd, lambda: sp.train_gd(_net(), _X, _Y, 0.1, 1, eval_every=1, eval_fn=3), ValueError,
         "`eval_fn`", "not callable"),
    Case(sp.train_gd, lambda: sp.train_gd(_net(), _X, _Y, 0.1, 1, eval_fn=_loss), ValueError, "`eval_every`",
         "eval_fn alone"),
]
