"""Bad inputs for kernel complexity, the empirical NTK and the truncated nuclear norm (theory.kernels)."""

import math

import numpy as np
import torch
from torch import nn

from bad_inputs import Case

from theory import kernels as kn

NAN, INF = math.nan, math.inf
LAM = [0.5, 0.2, 0.0]


def _lin(d=3, k=1):
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(d, k))


def _nan_lin():
    m = _lin()
    with torch.no_grad():
        m[0].weight[0, 0] = NAN
    return m


def _frozen_lin():
    m = _lin()
    for p in m.parameters():
        p.requires_grad_(False)
    return m


def _huge_lin():
    m = _lin()
    with torch.no_grad():
        m[0].weight.fill_(1e30)
    return m


_X = np.ones((4, 3))
_F = torch.ones(4, 3, dtype=torch.float64)
_U, _V = kn.tnn_refresh(_F + torch.eye(4, 3, dtype=torch.float64))

CASES = [
    # empirical_ntk
    Case(kn.empirical_ntk, lambda: kn.empirical_ntk("not a model", _X), ValueError, "`model`", "type"),
    Case(kn.empirical_ntk, lambda: kn.empirical_ntk(_nan_lin(), _X), ValueError, "`model`", "non-finite model"),
    Case(kn.empirical_ntk, lambda: kn.empirical_ntk(_frozen_lin(), _X), ValueError, "`model`", "no trainable"),
    Case(kn.empirical_ntk, lambda: kn.empirical_ntk(_lin(), np.ones((4, 5))), ValueError, "`x1`", "shape"),
    Case(kn.empirical_ntk, lambda: kn.empirical_ntk(_lin(), np.ones(3)), ValueError, "`x1`", "ndim"),
    Case(kn.empirical_ntk, lambda: kn.empirical_ntk(_lin(), [[NAN, 0, 0]]), ValueError, "`x1`", "nan"),
    Case(kn.empirical_ntk, lambda: kn.empirical_ntk(_lin(), _X, np.ones((2, 4))), ValueError, "`x2`", "shape"),
    Case(kn.empirical_ntk, lambda: kn.empirical_ntk(_lin(), _X, chunk_size=0), ValueError, "`chunk_size`", "size"),
    Case(kn.empirical_ntk, lambda: kn.empirical_ntk(_lin(), _X, chunk_size=2**40), ValueError, "`chunk_size`",
         "absurd size"),
    Case(kn.empirical_ntk, lambda: kn.empirical_ntk(_lin(), _X, device="tpu9"), ValueError, "`device`", "device"),
    Case(kn.empirical_ntk, lambda: kn.empirical_ntk(_lin(), torch.zeros(20000, 3), torch.zeros(20000, 3)),
         ValueError, "`x1`/`x2`", "absurd size"),
    Case(kn.empirical_ntk, lambda: kn.empirical_ntk(_huge_lin(), _X * 1e20), ValueError, "not finite", "overflow"),
    # two_layer_relu_ntk
    Case(kn.two_layer_relu_ntk, lambda: kn.two_layer_relu_ntk([[NAN, 1.0]]), ValueError, "`x1`", "nan"),
    Case(kn.two_layer_relu_ntk, lambda: kn.two_layer_relu_ntk(_X, [[INF, 0, 0]]), ValueError, "`x2`", "inf"),
    Case(kn.two_layer_relu_ntk, lambda: kn.two_layer_relu_ntk([1.0, 2.0]), ValueError, "`x1`", "ndim"),
    Case(kn.two_layer_relu_ntk, lambda: kn.two_layer_relu_ntk(np.ones((0, 3))), ValueError, "`x1`", "empty"),
    Case(kn.two_layer_relu_ntk, lambda: kn.two_layer_relu_ntk(_X, np.ones((2, 4))), ValueError, "`x2`", "shape"),
    Case(kn.two_layer_relu_ntk, lambda: kn.two_layer_relu_ntk(_X, output_layer="no"), ValueError,
         "`output_layer`", "type bool"),
    Case(kn.two_layer_relu_ntk, lambda: kn.two_layer_relu_ntk([[1e160, 1e160]]), ValueError, "`x1`", "overflow"),
    Case(kn.two_layer_relu_ntk, lambda: kn.two_layer_relu_ntk(np.ones((20000, 1)), np.ones((20000, 1))),
         ValueError, r"`len\(x1\) \* len\(x2\)`", "absurd size"),
    # kernel_gradient_descent
    Case(kn.kernel_gradient_descent, lambda: kn.kernel_gradient_descent(np.ones((2, 3)), [1, 1], 0.1, 1), ValueError,
         "`K`", "shape"),
    Case(kn.kernel_gradient_descent, lambda: kn.kernel_gradient_descent([[1, 0], [1, 1]], [1, 1], 0.1, 1),
         ValueError, "`K` must be symmetric", "asymmetric"),
    Case(kn.kernel_gradient_descent, lambda: kn.kernel_gradient_descent([[0, 1], [1, 0]], [1, 1], 0.1, 1),
         ValueError, "`K` must be positive semi-definite", "indefinite"),
    Case(kn.kernel_gradient_descent, lambda: kn.kernel_gradient_descent([[NAN]], [1], 0.1, 1), ValueError, "`K`",
         "nan"),
    Case(kn.kernel_gradient_descent, lambda: kn.kernel_gradient_descent(np.eye(3), [1, 1], 0.1, 1), ValueError,
         "`y`", "shape"),
    Case(kn.kernel_gradient_descent, lambda: kn.kernel_gradient_descent(np.eye(2), [1, INF], 0.1, 1), ValueError,
         "`y`", "inf"),
    Case(kn.kernel_gradient_descent, lambda: kn.kernel_gradient_descent(np.eye(2), [1, 1], 0.0, 1), ValueError,
         "`step`", "zero"),
    Case(kn.kernel_gradient_descent, lambda: kn.kernel_gradient_descent(np.eye(2), [1, 1], NAN, 1), ValueError,
         "`step`", "nan"),
    Case(kn.kernel_gradient_descent, lambda: kn.kernel_gradient_descent(np.eye(2), [1, 1], 10.0, 1), ValueError,
         "`step` must be below", "divergent"),
    Case(kn.kernel_gradient_descent, lambda: kn.kernel_gradient_descent(np.eye(2), [1, 1], 0.1, -1), ValueError,
         "`steps`", "negative"),
    Case(kn.kernel_gradient_descent, lambda: kn.kernel_gradient_descent(np.eye(2), [1, 1], 0.1, 2.5), ValueError,
         "`steps`", "non-integer"),
    Case(kn.kernel_gradient_descent, lambda: kn.kernel_gradient_descent(np.eye(2), [1, 1], 0.1, True), ValueError,
         "`steps`", "type bool"),
    Case(kn.kernel_gradient_descent, lambda: kn.kernel_gradient_descent(np.eye(2), [1, 1], 0.1, [[1]]), ValueError,
         "`steps`", "ndim"),
    Case(kn.kernel_gradient_descent, lambda: kn.kernel_gradient_descent(np.eye(2), [1, 1], 0.1, 1,
                                                                        K_cross=np.ones((3, 3))), ValueError,
         "`K_cross`", "shape K_cross"),
    Case(kn.kernel_gradient_descent, lambda: kn.kernel_gradient_descent(np.eye(2), [1, 1], 0.1, 1,
                                                                        K_cross=[[NAN, 1.0]]), ValueError,
         "`K_cross`", "nan K_cross"),
    Case(kn.kernel_gradient_descent, lambda: kn.kernel_gradient_descent(np.ones((2, 2)), [1e308, 1e308], 0.5, 3,
                                                                        K_cross=[[1e308, 1e308]]), ValueError,
         "`K_cross`", "overflow"),
    # bbm_excess_risk_bound
    Case(kn.bbm_excess_risk_bound, lambda: kn.bbm_excess_risk_bound([0.5, -0.1], 10, 0.1), ValueError,
         "`eigenvalues`", "negative"),
    Case(kn.bbm_excess_risk_bound, lambda: kn.bbm_excess_risk_bound(LAM, 0, 0.1), ValueError, "`n`", "zero"),
    Case(kn.bbm_excess_risk_bound, lambda: kn.bbm_excess_risk_bound(LAM, 10, 0.0), ValueError, "`delta`", "zero"),
    Case(kn.bbm_excess_risk_bound, lambda: kn.bbm_excess_risk_bound(LAM, 10, 1.0), ValueError, "`delta`", "one"),
    Case(kn.bbm_excess_risk_bound, lambda: kn.bbm_excess_risk_bound(LAM, 10, NAN), ValueError, "`delta`", "nan"),
    Case(kn.bbm_excess_risk_bound, lambda: kn.bbm_excess_risk_bound(LAM, 10, 0.1, constants=(1, 2)), ValueError,
         "`constants`", "shape"),
    Case(kn.bbm_excess_risk_bound, lambda: kn.bbm_excess_risk_bound(LAM, 10, 0.1, constants=(1, 2, -1)),
         ValueError, "`constants`", "negative constants"),
    Case(kn.bbm_excess_risk_bound, lambda: kn.bbm_excess_risk_bound(LAM, 10, 0.1, lipschitz=0.0), ValueError,
         "`lipschitz`", "zero lipschitz"),
    Case(kn.bbm_excess_risk_bound, lambda: kn.bbm_excess_risk_bound(LAM, 10, 0.1, bernstein=NAN), ValueError,
         "`bernstein`", "nan bernstein"),
    Case(kn.bbm_excess_risk_bound, lambda: kn.bbm_excess_risk_bound(LAM, 10, 1e-300, lipschitz=1e308), ValueError,
         "`lipschitz`", "overflow"),
    # kernel_complexity
    Case(kn.kernel_complexity, lambda: kn.kernel_complexity([0.5, NAN], 0.1), ValueError, "`eigenvalues`", "nan"),
    Case(kn.kernel_complexity, lambda: kn.kernel_complexity([0.5, -0.1], 0.1), ValueError, "`eigenvalues`",
         "negative"),
    Case(kn.kernel_complexity, lambda: kn.kernel_complexity([[0.5]], 0.1), ValueError, "`eigenvalues`", "shape"),
    Case(kn.kernel_complexity, lambda: kn.kernel_complexity([], 0.1), ValueError, "`eigenvalues`", "empty"),
    Case(kn.kernel_complexity, lambda: kn.kernel_complexity(LAM, 0.0), ValueError, "`eps`", "zero"),
    Case(kn.kernel_complexity, lambda: kn.kernel_complexity(LAM, [0.1, NAN]), ValueError, "`eps`", "nan"),
    Case(kn.kernel_complexity, lambda: kn.kernel_complexity(LAM, 1e200), ValueError, "`eps`", "overflow"),
    # critical_radius
    Case(kn.critical_radius, lambda: kn.critical_radius([0.5, -1.0], 1.0), ValueError, "`eigenvalues`", "negative"),
    Case(kn.critical_radius, lambda: kn.critical_radius([INF], 1.0), ValueError, "`eigenvalues`", "inf"),
    Case(kn.critical_radius, lambda: kn.critical_radius(LAM, 0.0), ValueError, "`sigma`", "zero"),
    Case(kn.critical_radius, lambda: kn.critical_radius(LAM, NAN), ValueError, "`sigma`", "nan"),
    Case(kn.critical_radius, lambda: kn.critical_radius(LAM, 1e300), ValueError, "`sigma`", "overflow"),
    Case(kn.critical_radius, lambda: kn.critical_radius(LAM, "1"), ValueError, "`sigma`", "type"),
    # stopping_time
    Case(kn.stopping_time, lambda: kn.stopping_time([NAN], 1.0, 0.1), ValueError, "`eigenvalues`", "nan"),
    Case(kn.stopping_time, lambda: kn.stopping_time([0.0, 0.0], 1.0, 0.1), ValueError, "`eigenvalues`", "zero kernel"),
    Case(kn.stopping_time, lambda: kn.stopping_time(LAM, -1.0, 0.1), ValueError, "`sigma`", "negative"),
    Case(kn.stopping_time, lambda: kn.stopping_time(LAM, 1.0, 0.0), ValueError, "`step`", "zero"),
    Case(kn.stopping_time, lambda: kn.stopping_time(LAM, 1.0, INF), ValueError, "`step`", "inf"),
    Case(kn.stopping_time, lambda: kn.stopping_time(LAM, 1.0, 1e-300), ValueError, "`step`", "absurd size"),
    Case(kn.stopping_time, lambda: kn.stopping_time(LAM, 1.0, 0.1, max_steps=0), ValueError, "`max_steps`", "size"),
    # lrc_fixed_point
    Case(kn.lrc_fixed_point, lambda: kn.lrc_fixed_point([0.5, -0.5], 10), ValueError, "`eigenvalues`", "negative"),
    Case(kn.lrc_fixed_point, lambda: kn.lrc_fixed_point(LAM, 0), ValueError, "`n`", "zero"),
    Case(kn.lrc_fixed_point, lambda: kn.lrc_fixed_point(LAM, 2.5), ValueError, "`n`", "non-integer"),
    Case(kn.lrc_fixed_point, lambda: kn.lrc_fixed_point(LAM, 10**12), ValueError, "`n`", "absurd size"),
    Case(kn.lrc_fixed_point, lambda: kn.lrc_fixed_point([1e308, 1e308], 1), ValueError, "`eigenvalues`", "overflow"),
    # truncated_nuclear_norm
    Case(kn.truncated_nuclear_norm, lambda: kn.truncated_nuclear_norm([[NAN, 1.0]], 0), ValueError, "`matrix`",
         "nan"),
    Case(kn.truncated_nuclear_norm, lambda: kn.truncated_nuclear_norm([1.0, 2.0], 0), ValueError, "`matrix`",
         "shape"),
    Case(kn.truncated_nuclear_norm, lambda: kn.truncated_nuclear_norm(np.eye(2), -1), ValueError, "`rank`",
         "negative"),
    Case(kn.truncated_nuclear_norm, lambda: kn.truncated_nuclear_norm(np.eye(2), 1.5), ValueError, "`rank`",
         "non-integer"),
    # tnn_refresh
    Case(kn.tnn_refresh, lambda: kn.tnn_refresh(np.ones(3)), ValueError, "`features`", "shape"),
    Case(kn.tnn_refresh, lambda: kn.tnn_refresh(torch.tensor([[NAN, 1.0]])), ValueError, "`features`", "nan"),
    Case(kn.tnn_refresh, lambda: kn.tnn_refresh(torch.ones(0, 3)), ValueError, "`features`", "empty"),
    # tnn_surrogate
    Case(kn.tnn_surrogate, lambda: kn.tnn_surrogate(_F.numpy(), _U, _V, 1), TypeError, "`features`", "type"),
    Case(kn.tnn_surrogate, lambda: kn.tnn_surrogate(_F * NAN, _U, _V, 1), ValueError, "`features`", "nan"),
    Case(kn.tnn_surrogate, lambda: kn.tnn_surrogate(_F, _U, _V, 4), ValueError, "`rank`", "too large"),
    Case(kn.tnn_surrogate, lambda: kn.tnn_surrogate(_F, _U, _V, -1), ValueError, "`rank`", "negative"),
    Case(kn.tnn_surrogate, lambda: kn.tnn_surrogate(_F, _U, _V[:2], 1), ValueError, "`V`", "shape"),
    Case(kn.tnn_surrogate, lambda: kn.tnn_surrogate(_F[:2], _U, _V, 1), ValueError, "`features`", "rows"),
    Case(kn.tnn_surrogate, lambda: kn.tnn_surrogate(_F[:2], _U, _V, 1, batch_index=[0, 9]), ValueError,
         "`batch_index`", "out of range"),
    Case(kn.tnn_surrogate, lambda: kn.tnn_surrogate(_F[:2], _U, _V, 1, batch_index=[0, 1, 2]), ValueError,
         "`batch_index`", "length"),
    Case(kn.tnn_surrogate, lambda: kn.tnn_surrogate(_F[:2], _U, _V, 1, batch_index=[0.5, 1.0]), ValueError,
         "`batch_index`", "float"),
    Case(kn.tnn_surrogate, lambda: kn.tnn_surrogate(_F, _U, _V, 1, n=5), ValueError, "`n`", "mismatch"),
]
