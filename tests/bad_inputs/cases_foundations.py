"""Bad inputs for the layer-0 helpers: the numpy validators (theory._checks) and the torch utility
(theory._torch)."""

import math

import numpy as np
import torch
from torch import nn

from bad_inputs import Case

from theory import _checks as C
from theory import _torch as T


def _mlp():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))


def _nan_mlp():
    m = _mlp()
    with torch.no_grad():
        m[0].weight[0, 0] = math.nan
    return m


def _inf_buffer_mlp():
    m = _mlp()
    m.register_buffer("running_scale", torch.tensor([1.0, math.inf]))
    return m


CASES = [
    # ---- theory._checks ------------------------------------------------------------------------
    Case(C.as_float, lambda: C.as_float(math.nan, "x"), ValueError, "`x`.*NaN", "nan"),
    Case(C.as_float, lambda: C.as_float(math.inf, "x"), ValueError, "`x` must be finite", "inf"),
    Case(C.as_float, lambda: C.as_float("1.0", "x"), ValueError, "`x` must be a real scalar", "type"),
    Case(C.as_float, lambda: C.as_float([1.0, 2.0], "x"), ValueError, "`x` must be a real scalar", "shape"),
    Case(C.as_float, lambda: C.as_float(10**400, "x"), ValueError, "`x` must be finite", "size"),
    Case(C.as_float, lambda: C.as_float(-1.0, "x", low=0.0), ValueError, "`x` must be >= 0", "negative"),
    Case(C.as_float, lambda: C.as_float(True, "x"), ValueError, "`x` must be a real scalar", "type bool"),
    Case(C.as_float, lambda: C.as_float(1 + 2j, "x"), ValueError, "`x` must be a real scalar", "complex"),
    Case(C.as_float, lambda: C.as_float(None, "x"), ValueError, "`x` must be a real scalar", "type None"),
    Case(C.as_int, lambda: C.as_int(2.5, "k"), ValueError, "`k` must be an integer", "type"),
    Case(C.as_int, lambda: C.as_int(math.nan, "k"), ValueError, "`k` must be an integer", "nan"),
    Case(C.as_int, lambda: C.as_int(True, "k"), ValueError, "`k` must be an integer", "type bool"),
    Case(C.as_int, lambda: C.as_int(-1, "k", low=0), ValueError, "`k` must be an integer >= 0", "negative"),
    Case(C.check_positive, lambda: C.check_positive(0.0, "s"), ValueError, "`s` must be > 0", "zero"),
    Case(C.check_positive, lambda: C.check_positive(math.inf, "s"), ValueError, "`s` must be finite", "inf"),
    Case(C.check_nonnegative, lambda: C.check_nonnegative(-1e-300, "s"), ValueError, "`s` must be >= 0", "negative"),
    Case(C.check_nonnegative, lambda: C.check_nonnegative(math.nan, "s"), ValueError, "`s`", "nan"),
    Case(C.check_probability, lambda: C.check_probability(1.5, "p"), ValueError, "`p` must be <= 1", "probability"),
    Case(C.check_probability, lambda: C.check_probability(0.0, "p", open_low=True), ValueError, "`p` must be > 0",
         "probability open"),
    Case(C.check_probability_vector, lambda: C.check_probability_vector([0.2, 0.7], "p"), ValueError,
         "`p` must be a probability vector", "probability"),
    Case(C.check_probability_vector, lambda: C.check_probability_vector([1.2, -0.2], "p"), ValueError,
         "`p` must be non-negative", "negative"),
    Case(C.check_probability_vector, lambda: C.check_probability_vector([0.5, math.nan], "p"), ValueError,
         "`p` must be finite", "nan"),
    Case(C.check_probability_vector, lambda: C.check_probability_vector([[0.5, 0.5]], "p"), ValueError,
         "`p` must be an array with ndim", "shape"),
    Case(C.check_psd, lambda: C.check_psd([[1.0, 0.5], [0.0, 1.0]], "cov"), ValueError, "`cov` must be symmetric",
         "asymmetric"),
    Case(C.check_psd, lambda: C.check_psd([[1.0, 2.0], [2.0, 1.0]], "cov"), ValueError,
         "`cov` must be positive semi-definite", "non-psd"),
    Case(C.check_psd, lambda: C.check_psd(np.ones((2, 3)), "cov"), ValueError, "`cov` must be a square", "shape"),
    Case(C.check_psd, lambda: C.check_psd([[1.0, 1.0], [1.0, 1.0]], "cov", strict=True), ValueError,
         "`cov` must be positive definite", "non-pd"),
    Case(C.check_psd, lambda: C.check_psd([[1.0, math.inf], [math.inf, 1.0]], "cov"), ValueError,
         "`cov` must be finite", "inf"),
    Case(C.check_in, lambda: C.check_in("c", "mode", ("a", "b")), ValueError, "`mode` must be one of", "value"),
    Case(C.check_in, lambda: C.check_in(["a"], "mode", {"a": 1}), ValueError, "`mode` must be one of",
         "type unhashable"),
    Case(C.check_in, lambda: C.check_in(np.array(["a", "b"]), "mode", ("a", "b")), ValueError,
         "`mode` must be one of", "type array"),
    Case(C.check_rng, lambda: C.check_rng("seed"), ValueError, "`rng`", "type"),
    Case(C.check_rng, lambda: C.check_rng(-1), ValueError, "`rng` must be a non-negative seed", "negative"),
    Case(C.check_rng, lambda: C.check_rng(True), ValueError, "`rng`", "type bool"),
    Case(C.check_bool, lambda: C.check_bool("no", "flag"), ValueError, "`flag` must be a bool", "type"),
    Case(C.check_bool, lambda: C.check_bool(1, "flag"), ValueError, "`flag` must be a bool", "type int"),
    Case(C.as_size, lambda: C.as_size(10**30, "n"), ValueError, "`n` must be at most", "size"),
    Case(C.as_size, lambda: C.as_size(0, "n"), ValueError, "`n` must be an integer >= 1", "zero"),
    Case(C.as_size, lambda: C.as_size(math.inf, "n"), ValueError, "`n` must be an integer", "inf"),
    Case(C.as_array, lambda: C.as_array([1.0, math.nan], "v"), ValueError, "`v` must be finite", "nan"),
    Case(C.as_array, lambda: C.as_array([1.0, math.inf], "v"), ValueError, "`v` must be finite", "inf"),
    Case(C.as_array, lambda: C.as_array([[1.0]], "v", ndim=1), ValueError, "`v` must be an array with ndim", "shape"),
    Case(C.as_array, lambda: C.as_array([1.0, 2.0], "v", shape=(3,)), ValueError, "`v` must be of shape", "shape2"),
    Case(C.as_array, lambda: C.as_array([], "v"), ValueError, "`v` must be an array with at least 1", "empty"),
    Case(C.as_array, lambda: C.as_array(["a", "b"], "v"), ValueError, "`v` must be array-like of numbers", "type"),
    Case(C.as_array, lambda: C.as_array([10**400], "v"), ValueError, "`v` must be array-like of numbers", "size"),
    Case(C.as_array, lambda: C.as_array([1.0, -1.0], "v", nonnegative=True), ValueError, "`v` must be non-negative",
         "negative"),
    Case(C.log_base, lambda: C.log_base(1.0), ValueError, "`base` must be > 1", "value"),
    Case(C.log_base, lambda: C.log_base(math.nan), ValueError, "`base`", "nan"),
    Case(C.log_base, lambda: C.log_base("2"), ValueError, "`base` must be a real scalar", "type"),

    # ---- theory._torch -------------------------------------------------------------------------
    Case(T.resolve_device, lambda: T.resolve_device("gpu0"), ValueError, "`device` must be", "value"),
    Case(T.resolve_device, lambda: T.resolve_device(3), ValueError, "`device` must be a string", "type"),
    Case(T.resolve_device, lambda: T.resolve_device(None), ValueError, "`device` must be a string", "type None"),
    Case(T.resolve_device, lambda: T.resolve_device(""), ValueError, "`device` must be", "empty"),
    Case(T.resolve_device, lambda: T.resolve_device("tpu"), ValueError, "`device` must be", "value2"),
    Case(T.resolve_device, lambda: T.resolve_device("mps:7" if torch.cuda.is_available() else "cuda:0"),
         ValueError, "`device`", "unavailable"),
    Case(T.torch_generator, lambda: T.torch_generator(-1), ValueError, "`rng` must be a seed", "negative"),
    Case(T.torch_generator, lambda: T.torch_generator(2**70), ValueError, "`rng` must be a seed", "size"),
    Case(T.torch_generator, lambda: T.torch_generator("seed"), ValueError, "`rng` must be None", "type"),
    Case(T.seed_or_fresh, lambda: T.seed_or_fresh(-3), ValueError, "`seed`", "negative"),
    Case(T.seed_or_fresh, lambda: T.seed_or_fresh(2**70), ValueError, "`seed`", "size"),
    Case(T.seed_or_fresh, lambda: T.seed_or_fresh(1.5), ValueError, "`seed` must be an integer", "type"),
    Case(T.check_dtype, lambda: T.check_dtype(torch.int64), ValueError, "`dtype` must be a floating-point", "value"),
    Case(T.check_dtype, lambda: T.check_dtype("float32"), ValueError, "`dtype`", "type"),
    Case(T.module_device, lambda: T.module_device("not a model"), ValueError, "`model` must be a torch.nn.Module",
         "type"),
    Case(T.module_dtype, lambda: T.module_dtype(np.zeros(3)), ValueError, "`model` must be a torch.nn.Module", "type"),
    Case(T.check_model, lambda: T.check_model([1, 2]), ValueError, "`model` must be a torch.nn.Module", "type"),
    Case(T.check_model, lambda: T.check_model(_nan_mlp(), "net", finite=True), ValueError,
         "`net` must have finite parameters", "non-finite model"),
    Case(T.check_model, lambda: T.check_model(_inf_buffer_mlp(), "net", finite=True), ValueError,
         "`net` must have finite parameters and buffers; buffer `running_scale`", "non-finite buffer"),
    Case(T.as_tensor, lambda: T.as_tensor([1.0, math.nan], "X"), ValueError, "`X` must be finite", "nan"),
    Case(T.as_tensor, lambda: T.as_tensor(torch.tensor([math.inf]), "X"), ValueError, "`X` must be finite", "inf"),
    Case(T.as_tensor, lambda: T.as_tensor([[1.0]], "X", ndim=1), ValueError, "`X` must have ndim", "shape"),
    Case(T.as_tensor, lambda: T.as_tensor(["a"], "X"), ValueError, "`X` must be a tensor or array-like", "type"),
    Case(T.as_tensor, lambda: T.as_tensor(np.array([1 + 1j]), "X"), ValueError, "`X` must be real", "complex"),
    Case(T.linear_layers, lambda: T.linear_layers("mlp"), ValueError, "`model` must be a torch.nn.Module", "type"),
    Case(T.count_parameters, lambda: T.count_parameters(None), ValueError, "`model` must be a torch.nn.Module",
         "type"),
    Case(T.count_parameters, lambda: T.count_parameters(_mlp(), nonzero="yes"), ValueError, "`nonzero` must be a bool",
         "type bool"),
    Case(T.loss_fn, lambda: T.loss_fn("ranking"), ValueError, "`task` must be one of", "value"),
    Case(T.loss_fn, lambda: T.loss_fn(["regression"]), ValueError, "`task` must be one of", "type"),
    Case(T.loss_fn, lambda: T.loss_fn("regression")(torch.zeros(3, 2), torch.zeros(3, 3)), ValueError,
         "`target` must have the prediction's shape", "shape"),
    Case(T.loss_fn, lambda: T.loss_fn("regression")(torch.zeros(3, 1), torch.tensor([0.0, math.nan, 0.0])),
         ValueError, "`target` must be finite", "nan"),
    Case(T.loss_fn, lambda: T.loss_fn("classification")(torch.zeros(3, 2), torch.tensor([0, 1, 2])), ValueError,
         "`target` labels must lie in", "value"),
    Case(T.loss_fn, lambda: T.loss_fn("classification")(torch.zeros(2, 2), torch.tensor([0.5, 1.0])), ValueError,
         "`target` must hold integer class labels", "type float labels"),
    Case(T.loss_fn, lambda: T.loss_fn("regression")(np.zeros((3, 1)), torch.zeros(3, 1)), ValueError,
         "`pred` must be a torch.Tensor", "type"),
]
