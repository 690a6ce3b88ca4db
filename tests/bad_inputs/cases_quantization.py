"""Bad inputs for scalar weight quantization (theory.quantization)."""

import math

import numpy as np
import torch
from torch import nn

from bad_inputs import Case

from theory import quantization as q

RECORDS = ("KMeansResult", "HWKMeansResult", "CompressionRatio", "LayerQuantization", "QuantizedNetwork")

NAN, INF = math.nan, math.inf
W = [0.0, 1.0, 2.0, 3.0]
H = [1.0, 2.0, 1.0, 0.5]


def _net():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))


def _hess(model, value=1.0):
    """Diagonal curvatures per weight (numpy, so that values beyond float32 are possible)."""
    return {f"{i}.weight": np.full(tuple(m.weight.shape), value) for i, m in enumerate(model)
            if isinstance(m, nn.Linear)}


def _net_with(layer, attr, value):
    m = _net()
    with torch.no_grad():
        getattr(m[layer], attr).view(-1)[0] = value
    return m


def _hess_with(value):
    m = _net()
    hd = _hess(m)
    hd["2.weight"][0, 0] = value
    return m, hd


def _quantize_hd(value):
    m, hd = _hess_with(value)
    return q.quantize_network(m, hd, 2, "hw")


def _big_net():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(1000, 1100))  # 1.1e6 distinct weights: 2**16 levels exceed k n <= 1e9


K1 = q.kmeans_1d
HW = q.hessian_weighted_kmeans
DR = q.diameter_regularized_centroids
KO = q.kmeans_objective
CR = q.compression_ratio
QR = q.quantization_rate
FH = q.floored_hessian_diagonal
QN = q.quantize_network
ZO = q.zero_one_mi_bound

CASES = [
    # kmeans_1d
    Case(K1, lambda: K1([1.0, NAN, 2.0], 1), ValueError, "`w`", "nan"),
    Case(K1, lambda: K1([1.0, INF, 2.0], 1, method="optimal"), ValueError, "`w`", "inf"),
    Case(K1, lambda: K1([], 1), ValueError, "`w`", "empty"),
    Case(K1, lambda: K1("abc", 1), ValueError, "`w`", "type"),
    Case(K1, lambda: K1(W, 2, weights=[1.0, NAN, 1.0, 1.0]), ValueError, "`weights`", "nan"),
    Case(K1, lambda: K1(W, 2, weights=[1.0, INF, 1.0, 1.0], method="optimal"), ValueError, "`weights`", "inf"),
    Case(K1, lambda: K1(W, 2, weights=[1.0, -1.0, 1.0, 1.0]), ValueError, "`weights`", "negative"),
    Case(K1, lambda: K1(W, 2, weights=[1.0, 0.0, 1.0, 1.0], method="optimal"), ValueError, "`weights`", "zero"),
    Case(K1, lambda: K1(W, 2, weights=[1.0, 1.0]), ValueError, "`weights`", "shape"),
    Case(K1, lambda: K1(np.arange(6.0).reshape(2, 3), 2, weights=np.ones((3, 2))), ValueError, "`weights`",
         "shape"),
    Case(K1, lambda: K1(W, 0), ValueError, "`k`", "zero"),
    Case(K1, lambda: K1(W, 5), ValueError, "`k`", "value"),
    Case(K1, lambda: K1([1.0, 1.0, 2.0], 3, method="optimal"), ValueError, "`k`", "value"),
    Case(K1, lambda: K1(W, 2.5), ValueError, "`k`", "type"),
    Case(K1, lambda: K1(W, True), ValueError, "`k`", "type"),
    Case(K1, lambda: K1(np.arange(200_000.0), 100_000, method="optimal"), ValueError, "`k`", "size"),
    Case(K1, lambda: K1(W, 2, method="em"), ValueError, "`method`", "value"),
    Case(K1, lambda: K1(W, 2, init="kmeans++"), ValueError, "`init`", "value"),
    Case(K1, lambda: K1(W, 2, max_iter=0), ValueError, "`max_iter`", "zero"),
    Case(K1, lambda: K1(W, 2, max_iter=10**12), ValueError, "`max_iter`", "size"),
    Case(K1, lambda: K1(W, 2, init="random", rng="seed"), ValueError, "`rng`", "type"),
    Case(K1, lambda: K1([-1e200, 0.0, 1e200], 1), ValueError, "`w`", "overflow"),
    Case(K1, lambda: K1([-1e200, 0.0, 1e200, 2e200], 2, method="optimal"), ValueError, "`w`", "overflow"),
    # hessian_weighted_kmeans
    Case(HW, lambda: HW([1.0, NAN], [1.0, 1.0], 1), ValueError, "`w`", "nan"),
    Case(HW, lambda: HW(W, [1.0, 1.0, NAN, 1.0], 2), ValueError, "`h`", "nan"),
    Case(HW, lambda: HW(W, [1.0, 1.0, INF, 1.0], 2, method="optimal"), ValueError, "`h`", "inf"),
    Case(HW, lambda: HW(W, [1.0, 0.0, 1.0, 1.0], 2), ValueError, "`h`", "zero"),
    Case(HW, lambda: HW(W, [1.0, -2.0, 1.0, 1.0], 2, diameter_reg=1.0), ValueError, "`h`", "negative"),
    Case(HW, lambda: HW(W, [1.0, 1.0, 1.0], 2), ValueError, "`h`", "shape"),
    Case(HW, lambda: HW([], [], 1), ValueError, "`w`", "empty"),
    Case(HW, lambda: HW([1.0, 1.0, 2.0], [1.0, 1.0, 1.0], 3), ValueError, "`k`", "value"),
    Case(HW, lambda: HW(W, H, 0), ValueError, "`k`", "zero"),
    Case(HW, lambda: HW(W, H, 2, diameter_reg=-1.0), ValueError, "`diameter_reg`", "negative"),
    Case(HW, lambda: HW(W, H, 2, diameter_reg=NAN), ValueError, "`diameter_reg`", "nan"),
    Case(HW, lambda: HW(W, H, 2, entropy_reg=INF), ValueError, "`entropy_reg`", "inf"),
    Case(HW, lambda: HW(W, H, 2, diameter_reg=1.0, entropy_reg=1.0), ValueError, "`diameter_reg`", "value"),
    Case(HW, lambda: HW(W, H, 2, diameter_reg=1.0, method="optimal"), ValueError, "`method`", "value"),
    Case(HW, lambda: HW(W, H, 2, method="em"), ValueError, "`method`", "value"),
    Case(HW, lambda: HW(W, H, 2, max_iter=10**12), ValueError, "`max_iter`", "size"),
    Case(HW, lambda: HW(W, H, 2, diameter_reg="1"), ValueError, "`diameter_reg`", "type"),
    Case(HW, lambda: HW([-1e200, 1e200], [1.0, 1.0], 1), ValueError, "`w`", "overflow"),
    # diameter_regularized_centroids
    Case(DR, lambda: DR([1.0, NAN], [1.0, 1.0], [0, 1], [1.0, 2.0], diameter_reg=1.0), ValueError, "`w`", "nan"),
    Case(DR, lambda: DR([1.0, 2.0], [1.0, 0.0], [0, 1], [1.0, 2.0], diameter_reg=1.0), ValueError, "`h`", "zero"),
    Case(DR, lambda: DR([1.0, 2.0], [1.0], [0, 1], [1.0, 2.0]), ValueError, "`h`", "shape"),
    Case(DR, lambda: DR([1.0, 2.0], [1.0, 1.0], [0.0, 1.0], [1.0, 2.0]), ValueError, "`labels`", "type"),
    Case(DR, lambda: DR([1.0, 2.0], [1.0, 1.0], [0, 2], [1.0, 2.0]), ValueError, "`labels`", "value"),
    Case(DR, lambda: DR([1.0, 2.0], [1.0, 1.0], [0], [1.0, 2.0]), ValueError, "`labels`", "shape"),
    Case(DR, lambda: DR([1.0, 2.0], [1.0, 1.0], [0, 1], [2.0, 1.0], diameter_reg=1), ValueError, "`centroids`",
         "value"),
    Case(DR, lambda: DR([1.0, 2.0], [1.0, 1.0], [0, 1], [1.0, INF]), ValueError, "`centroids`", "inf"),
    Case(DR, lambda: DR([1.0, 2.0], [1.0, 1.0], [0, 1], [1.0, 2.0], diameter_reg=-1.0), ValueError,
         "`diameter_reg`", "negative"),
    Case(DR, lambda: DR([1.0, 2.0], [1.0, 1.0], [0, 1], [1.0, 2.0], entropy_reg=NAN), ValueError,
         "`entropy_reg`", "nan"),
    # kmeans_objective
    Case(KO, lambda: KO([1.0, NAN], [1.0], [0, 0]), ValueError, "`w`", "nan"),
    Case(KO, lambda: KO([1.0, 2.0], [INF], [0, 0]), ValueError, "`centroids`", "inf"),
    Case(KO, lambda: KO([1.0, 2.0], [[1.0]], [0, 0]), ValueError, "`centroids`", "shape"),
    Case(KO, lambda: KO([1.0, 2.0], [1.0], [0.0, 0.0]), ValueError, "`labels`", "type"),
    Case(KO, lambda: KO([1.0, 2.0], [1.0], [0, 1]), ValueError, "`labels`", "value"),
    Case(KO, lambda: KO([1.0, 2.0], [1.0], [0]), ValueError, "`labels`", "shape"),
    Case(KO, lambda: KO([1.0, 2.0], [1.0], [0, 0], weights=[-1.0, 1.0]), ValueError, "`weights`", "negative"),
    Case(KO, lambda: KO([1.0, 2.0], [1.0], [0, 0], weights=[1.0]), ValueError, "`weights`", "shape"),
    Case(KO, lambda: KO([1.0, 2.0], [1.0], [0, 0], weights=[NAN, 1.0]), ValueError, "`weights`", "nan"),
    Case(KO, lambda: KO([1e200, 2.0], [-1e200], [0, 0]), ValueError, "`w`", "overflow"),
    # label_entropy
    Case(q.label_entropy, lambda: q.label_entropy([]), ValueError, "`labels`", "empty"),
    Case(q.label_entropy, lambda: q.label_entropy([0.5, 1.0]), ValueError, "`labels`", "type"),
    Case(q.label_entropy, lambda: q.label_entropy([0, -1]), ValueError, "`labels`", "negative"),
    Case(q.label_entropy, lambda: q.label_entropy("abc"), ValueError, "`labels`", "type"),
    Case(q.label_entropy, lambda: q.label_entropy([0, 1], base=1.0), ValueError, "`base`", "value"),
    Case(q.label_entropy, lambda: q.label_entropy([0, 1], base=NAN), ValueError, "`base`", "nan"),
    # compression_ratio
    Case(CR, lambda: CR(np.array([0, 1]), 2), ValueError, "`labels`", "type"),
    Case(CR, lambda: CR([], 2), ValueError, "`labels`", "empty"),
    Case(CR, lambda: CR([np.array([])], 2), ValueError, "`labels`", "empty"),
    Case(CR, lambda: CR([np.array([0.0, 1.0])], 2), ValueError, "`labels`", "type"),
    Case(CR, lambda: CR([np.array([0, 4])], 4), ValueError, "`labels`", "value"),
    Case(CR, lambda: CR([[0, 1], [0, 1]], [2]), ValueError, "`num_levels`", "shape"),
    Case(CR, lambda: CR([[0, 1]], 0), ValueError, "`num_levels`", "zero"),
    Case(CR, lambda: CR([[0, 1]], 2**60), ValueError, "`num_levels`", "size"),
    Case(CR, lambda: CR([[0, 1]], 2, unquantized=-1), ValueError, "`unquantized`", "negative"),
    Case(CR, lambda: CR([[0, 1]], 2, unquantized=10**400), ValueError, "`unquantized`", "size"),
    Case(CR, lambda: CR([[0, 1]], 2, float_bits=0), ValueError, "`float_bits`", "zero"),
    Case(CR, lambda: CR([[0, 1]], 2, float_bits=10**6), ValueError, "`float_bits`", "size"),
    Case(CR, lambda: CR([[0, 1]], 2, float_bits=NAN), ValueError, "`float_bits`", "nan"),
    Case(CR, lambda: CR([[0, 1]], 2, entropy_coded="no"), ValueError, "`entropy_coded`", "type"),
    # quantization_rate
    Case(QR, lambda: QR(0, 4), ValueError, "`num_weights`", "zero"),
    Case(QR, lambda: QR(10, 0), ValueError, "`num_levels`", "zero"),
    Case(QR, lambda: QR([10, 20], [4]), ValueError, "`num_levels`", "shape"),
    Case(QR, lambda: QR("10", 4), ValueError, "`num_weights`", "type"),
    Case(QR, lambda: QR(NAN, 4), ValueError, "`num_weights`", "nan"),
    Case(QR, lambda: QR(-5, 4), ValueError, "`num_weights`", "negative"),
    Case(QR, lambda: QR(10**400, 4), ValueError, "`num_weights`", "size"),
    Case(QR, lambda: QR(10, 4, num_float_params=-1), ValueError, "`num_float_params`", "negative"),
    Case(QR, lambda: QR(10, 4, float_bits=0), ValueError, "`float_bits`", "zero"),
    # floored_hessian_diagonal
    Case(FH, lambda: FH([1.0, NAN]), ValueError, "`hessian_diag`", "nan"),
    Case(FH, lambda: FH([1.0, -INF]), ValueError, "`hessian_diag`", "inf"),
    Case(FH, lambda: FH([]), ValueError, "`hessian_diag`", "empty"),
    Case(FH, lambda: FH("abc"), ValueError, "`hessian_diag`", "type"),
    Case(FH, lambda: FH([1.0, 2.0], floor=0.0), ValueError, "`floor`", "zero"),
    Case(FH, lambda: FH([1.0, 2.0], floor=NAN), ValueError, "`floor`", "nan"),
    Case(FH, lambda: FH([1.0, 2.0], floor=-1.0), ValueError, "`floor`", "negative"),
    Case(FH, lambda: FH([1e300, 1e300], floor=1e10), ValueError, "`floor`", "overflow"),
    # quantize_network
    Case(QN, lambda: QN("net", None, 2, "kmeans"), (TypeError, ValueError), "`model`", "type"),
    Case(QN, lambda: QN(_net_with(0, "weight", NAN), None, 2, "kmeans"), ValueError, "`model`",
         "non-finite model"),
    Case(QN, lambda: QN(_net_with(2, "bias", INF), None, 2, "optimal"), ValueError, "`model`",
         "non-finite model"),
    Case(QN, lambda: QN(nn.Sequential(nn.ReLU()), None, 2, "kmeans"), ValueError, "`model`", "empty"),
    Case(QN, lambda: _quantize_hd(NAN), ValueError, "`hessian_diag", "nan"),
    Case(QN, lambda: _quantize_hd(INF), ValueError, "`hessian_diag", "inf"),
    Case(QN, lambda: QN(_net(), {"0.weight": torch.ones(4, 3), "2.weight": torch.ones(4, 2)}, 2, "hw"),
         ValueError, "`hessian_diag", "shape"),
    Case(QN, lambda: QN(_net(), {"0.weight": torch.ones(4, 3)}, 2, "hw"), ValueError, "`hessian_diag`", "missing"),
    Case(QN, lambda: QN(_net(), None, 2, "hw"), ValueError, "`hessian_diag`", "type"),
    Case(QN, lambda: QN(_net(), {k: "x" for k in _hess(_net())}, 2, "optimal_hw"), ValueError,
         "`hessian_diag", "type"),
    Case(QN, lambda: QN(_net(), None, 2, "pq"), ValueError, "`method`", "value"),
    Case(QN, lambda: QN(_net(), None, 0, "kmeans"), ValueError, "`bits`", "zero"),
    Case(QN, lambda: QN(_net(), None, 17, "kmeans"), ValueError, "`bits`", "size"),
    Case(QN, lambda: QN(_net(), None, [2, 3, 4], "kmeans"), ValueError, "`bits`", "shape"),
    Case(QN, lambda: QN(_net(), None, "4", "kmeans"), ValueError, "`bits`", "type"),
    Case(QN, lambda: QN(_big_net(), None, 16, "optimal"), ValueError, "`bits`", "size"),
    Case(QN, lambda: QN(_net(), _hess(_net()), 2, "drhw", diameter_reg=-1.0), ValueError, "`diameter_reg`",
         "negative"),
    Case(QN, lambda: QN(_net(), _hess(_net()), 2, "drhw", entropy_reg=[NAN, 1.0]), ValueError, "`entropy_reg`",
         "nan"),
    Case(QN, lambda: QN(_net(), _hess(_net()), 2, "hw", diameter_reg=1.0), ValueError, "`diameter_reg`", "value"),
    Case(QN, lambda: QN(_net(), _hess(_net()), 2, "hw", hessian_floor=0.0), ValueError, "`hessian_floor`", "zero"),
    Case(QN, lambda: QN(_net(), _hess(_net(), 1e300), 2, "hw", hessian_floor=1e10), ValueError,
         "`hessian_floor`", "overflow"),
    Case(QN, lambda: QN(_net(), None, 2, "kmeans", max_iter=10**12), ValueError, "`max_iter`", "size"),
    Case(QN, lambda: QN(_net(), None, 2, "kmeans", device="tpu:7"), (TypeError, ValueError), "`device`", "value"),
    # zero_one_mi_bound
    Case(ZO, lambda: ZO(NAN, 10), ValueError, "`rate`", "nan"),
    Case(ZO, lambda: ZO([1.0, -1.0], 10), ValueError, "`rate`", "negative"),
    Case(ZO, lambda: ZO("abc", 10), ValueError, "`rate`", "type"),
    Case(ZO, lambda: ZO(1.0, 0), ValueError, "`n`", "zero"),
    Case(ZO, lambda: ZO(1.0, 2.5), ValueError, "`n`", "type"),
]

# DRHW relative strength (issue 16)
DS = q.drhw_strength
CASES += [
    Case(DS, lambda: DS([NAN, 1.0], [1.0, 1.0], 2, 0.5), ValueError, "`weights`", "nan"),
    Case(DS, lambda: DS([], [], 2, 0.5), ValueError, "`weights`", "empty"),
    Case(DS, lambda: DS("abc", [1.0], 2, 0.5), ValueError, "`weights`", "type"),
    Case(DS, lambda: DS([0.0, 1.0], [1.0], 2, 0.5), ValueError, "`importances`", "shape"),
    Case(DS, lambda: DS([0.0, 1.0], [1.0, -1.0], 2, 0.5), ValueError, "`importances`", "negative"),
    Case(DS, lambda: DS([0.0, 1.0], [1.0, 1.0], 0, 0.5), ValueError, "`bits`", "zero"),
    Case(DS, lambda: DS([0.0, 1.0], [1.0, 1.0], 65, 0.5), ValueError, "`bits`", "size"),
    Case(DS, lambda: DS([0.0, 1.0], [1.0, 1.0], 2.5, 0.5), ValueError, "`bits`", "type"),
    Case(DS, lambda: DS([0.0, 1.0], [1.0, 1.0], 2, -0.5), ValueError, "`rho`", "negative"),
    Case(DS, lambda: DS([0.0, 1.0], [1.0, 1.0], 2, NAN), ValueError, "`rho`", "nan"),
    Case(QN, lambda: QN(_net(), _hess(_net()), 2, "drhw", rho=0.1, diameter_reg=1.0), ValueError,
         "`rho`.*`diameter_reg`", "both"),
    Case(QN, lambda: QN(_net(), _hess(_net()), 2, "hw", rho=0.1), ValueError, "`rho`", "value"),
    Case(QN, lambda: QN(_net(), _hess(_net()), 2, "drhw", rho=-0.1), ValueError, "`rho`", "negative"),
    Case(QN, lambda: QN(_net(), _hess(_net()), 2, "drhw", rho=[0.1, 0.2, 0.3]), ValueError, "`rho`", "shape"),
    Case(QN, lambda: QN(_net(), _hess(_net()), 2, "drhw", rho=NAN), ValueError, "`rho`", "nan"),
    Case(QN, lambda: QN(_net(), _hess(_net()), 2, "drhw", rho=0.1, entropy_reg=1.0), ValueError,
         "`rho`.*`entropy_reg`", "both"),
]
