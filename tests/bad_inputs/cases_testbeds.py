"""Bad inputs for the testbeds: small nets and teacher–student data (nets), the digits split (data),
compressed linear regression (linear), Gaussian mean estimation (gaussian_mean) and the named
configurations (configs)."""

import functools
import math

import numpy as np
import torch

from bad_inputs import Case

from theory.testbeds import configs as cf
from theory.testbeds import data as da
from theory.testbeds import gaussian_mean as gm
from theory.testbeds import linear as li
from theory.testbeds import nets as nt

RECORDS = ("PopulationRisk", "TrainResult", "DataSplit", "OptimalRate", "LinearSimulation")

NAN, INF = math.nan, math.inf


def _mlp(in_dim=3, out_dim=2):
    return nt.make_mlp(in_dim, [4], out_dim, seed=0)


class _Wrapped(torch.nn.Module):
    """A model that is not a Sequential: its input width is only known by running it."""

    def __init__(self):
        super().__init__()
        self.body = _mlp()

    def forward(self, x):
        return self.body(x)


def _nan_mlp(in_dim=3, out_dim=2):
    m = _mlp(in_dim, out_dim)
    with torch.no_grad():
        m[0].weight[0, 0] = NAN
    return m


def _xy(n=6, in_dim=3, out_dim=2):
    g = torch.Generator().manual_seed(0)
    return torch.randn(n, in_dim, generator=g), torch.randn(n, out_dim, generator=g)


def _labels(n=6, k=2):
    return torch.arange(n) % k


@functools.lru_cache(maxsize=None)
def _ts(task="regression", temperature=1.0):
    return nt.TeacherStudent(3, (4,), 2, task=task, temperature=temperature)


def _ts_call(method, *args, **kw):
    return getattr(_ts(), method)(*args, **kw)


def _lin():
    return li.CompressedLinearRegression(2, 10, 1.0, [1.0, 1.0], [0.5, 0.1])


def _split():
    return da.load_digits_split(n_train=100, n_test=50, as_tensor=False)


CASES = [
    # ---- nets: MLPs ------------------------------------------------------------------------------
    Case(nt.make_mlp, lambda: nt.make_mlp(0, [4], 1), ValueError, "`in_dim`", "zero"),
    Case(nt.make_mlp, lambda: nt.make_mlp(3, [4, -1], 1), ValueError, "`widths`", "negative"),
    Case(nt.make_mlp, lambda: nt.make_mlp(3, "4", 1), ValueError, "`widths` must be a sequence", "type"),
    Case(nt.make_mlp, lambda: nt.make_mlp(3, [4.5], 1), ValueError, "`widths` must be an integer", "type float"),
    Case(nt.make_mlp, lambda: nt.make_mlp(3, [10**6, 10**6], 1), ValueError, "`widths`.*parameters", "size"),
    Case(nt.make_mlp, lambda: nt.make_mlp(10**12, [4], 1), ValueError, "`in_dim` must be at most", "size in_dim"),
    Case(nt.make_mlp, lambda: nt.make_mlp(3, [4], 1, activation="swish"), ValueError, "`activation` must be one of",
         "value"),
    Case(nt.make_mlp, lambda: nt.make_mlp(3, [4], 1, bias="no"), ValueError, "`bias` must be a bool", "type bool"),
    Case(nt.make_mlp, lambda: nt.make_mlp(3, [4], 1, seed=-1), ValueError, "`seed`", "negative"),
    Case(nt.make_mlp, lambda: nt.make_mlp(3, [4], 1, dtype=torch.int32), ValueError, "`dtype`", "dtype"),
    Case(nt.make_mlp, lambda: nt.make_mlp(3, [4], 1, init="xavier"), ValueError, "`init` must be one of", "value2"),
    Case(nt.make_mlp, lambda: nt.make_mlp(3, [4], 0), ValueError, "`out_dim`", "zero out_dim"),
    Case(nt.make_mlp, lambda: nt.make_mlp(3, [4], 1, device="nodevice"), ValueError, "`device`", "device"),
    Case(nt.activation_gain, lambda: nt.activation_gain("swish"), ValueError, "`activation` must be one of", "value"),
    Case(nt.activation_gain, lambda: nt.activation_gain(None), ValueError, "`activation`", "type"),

    # ---- nets: evaluate / accuracy / train -------------------------------------------------------
    Case(nt.evaluate, lambda: nt.evaluate(_mlp(), _xy()[0], _xy()[1][:, :1], "regression"), ValueError,
         "`Y` must have shape", "shape Y"),
    Case(nt.evaluate, lambda: nt.evaluate(_mlp(), _xy(in_dim=5)[0], _xy()[1], "regression"), ValueError,
         "`X` must have shape", "shape X"),
    Case(nt.evaluate, lambda: nt.evaluate(_mlp(), _xy()[0], _xy()[1][:4], "regression"), ValueError,
         "`Y` must have as many rows as `X`", "shape rows"),
    Case(nt.evaluate, lambda: nt.evaluate(_Wrapped(), _xy(in_dim=5)[0], _xy()[1], "regression"), ValueError,
         r"`X` of shape \(6, 5\) does not fit `model`", "shape X wrapped"),
    Case(nt.evaluate, lambda: nt.evaluate(_mlp(), _xy()[0].fill_(NAN), _xy()[1], "regression"), ValueError,
         "`X` must be finite", "nan"),
    Case(nt.evaluate, lambda: nt.evaluate(_mlp(), _xy()[0], _xy()[1].fill_(INF), "regression"), ValueError,
         "`Y` must be finite", "inf"),
    Case(nt.evaluate, lambda: nt.evaluate(_nan_mlp(), *_xy(), "regression"), ValueError,
         "`model` must have finite parameters", "non-finite model"),
    Case(nt.evaluate, lambda: nt.evaluate(_mlp(), *_xy(), "ranking"), ValueError, "`task` must be one of", "value"),
    Case(nt.evaluate, lambda: nt.evaluate(_mlp(), _xy()[0], torch.tensor([0.5, 1, 0, 1, 0, 1]), "classification"),
         ValueError, "`Y` must hold integer class labels", "type float labels"),
    Case(nt.evaluate, lambda: nt.evaluate(_mlp(), _xy()[0], _labels(k=3), "classification"), ValueError,
         "`Y` labels must lie in", "value labels"),
    Case(nt.evaluate, lambda: nt.evaluate(_mlp(), *_xy(), "regression", batch_size=0), ValueError, "`batch_size`",
         "zero"),
    Case(nt.evaluate, lambda: nt.evaluate(_mlp(), *_xy(), "regression", batch_size=10**30), ValueError,
         "`batch_size` must be at most", "size"),
    Case(nt.evaluate, lambda: nt.evaluate("net", *_xy(), "regression"), ValueError, "`model` must be a torch.nn",
         "type"),
    Case(nt.evaluate, lambda: nt.evaluate(None, *_xy(), "regression"), ValueError, "`model` must be a torch.nn",
         "type None"),
    Case(nt.evaluate, lambda: nt.evaluate(_mlp(), _xy(n=1)[0], _xy(n=1)[1], "regression"), ValueError,
         "`X` must hold at least 2 samples", "too small"),
    Case(nt.evaluate, lambda: nt.evaluate(_mlp(), *_xy(), "regression", device="nodevice"), ValueError, "`device`",
         "device"),
    Case(nt.accuracy, lambda: nt.accuracy(_mlp(), _xy()[0], _labels(), device="nodevice"), ValueError, "`device`",
         "device"),
    Case(nt.accuracy, lambda: nt.accuracy(_mlp(), _xy()[0], _labels(k=5)), ValueError, "`Y` labels must lie in",
         "value labels"),
    Case(nt.accuracy, lambda: nt.accuracy(_nan_mlp(), _xy()[0], _labels()), ValueError,
         "`model` must have finite parameters", "non-finite model"),
    Case(nt.accuracy, lambda: nt.accuracy(_mlp(), _xy(in_dim=4)[0], _labels()), ValueError, "`X` must have shape",
         "shape"),
    Case(nt.accuracy, lambda: nt.accuracy(_mlp(), _xy()[0], torch.stack([_labels(), _labels()], 1)), ValueError,
         "`Y` must be .* class labels", "shape Y"),
    Case(nt.accuracy, lambda: nt.accuracy(_mlp(), [[NAN, 0, 0]], [0]), ValueError, "`X` must be finite", "nan"),
    Case(nt.train, lambda: nt.train(_mlp(), *_xy(), "regression", epochs=2**62), ValueError,
         "`epochs` must be at most", "size"),
    Case(nt.train, lambda: nt.train(_mlp(), *_xy(), "regression", epochs=-1), ValueError, "`epochs`", "negative"),
    Case(nt.train, lambda: nt.train(_mlp(), *_xy(), "regression", lr=0.0), ValueError, "`lr`", "zero"),
    Case(nt.train, lambda: nt.train(_mlp(), *_xy(), "regression", lr=NAN), ValueError, "`lr`", "nan"),
    Case(nt.train, lambda: nt.train(_mlp(), *_xy(), "regression", momentum=1.0, optimizer="sgd"), ValueError,
         "`momentum`", "value"),
    Case(nt.train, lambda: nt.train(_mlp(), *_xy(), "regression", optimizer="lbfgs"), ValueError,
         "`optimizer` must be one of", "value2"),
    Case(nt.train, lambda: nt.train(_mlp(), *_xy(), "regression", progress="no"), ValueError,
         "`progress` must be a bool", "type bool"),
    Case(nt.train, lambda: nt.train(_mlp(), *_xy(), "regression", seed=2**70), ValueError, "`seed`", "size seed"),
    Case(nt.train, lambda: nt.train(_mlp(), *_xy(), "regression", seed=-1), ValueError, "`seed`", "negative seed"),
    Case(nt.train, lambda: nt.train(_mlp(), *_xy(), "regression", batch_size=0), ValueError, "`batch_size`",
         "zero batch"),
    Case(nt.train, lambda: nt.train(_mlp(), *_xy(), "regression", weight_decay=-1.0), ValueError, "`weight_decay`",
         "negative weight_decay"),
    Case(nt.train, lambda: nt.train(_mlp(), *_xy(), "regression", device="nodevice"), ValueError, "`device`",
         "device"),
    Case(nt.train, lambda: nt.train(_mlp(), *_xy(), "ranking"), ValueError, "`task` must be one of", "value task"),
    Case(nt.train, lambda: nt.train(_mlp(), _xy()[0], _xy(n=5)[1], "regression"), ValueError,
         "`Y` must have as many rows as `X`", "shape rows"),
    Case(nt.train, lambda: nt.train(_mlp(), _xy()[0].fill_(NAN), _xy()[1], "regression"), ValueError,
         "`X` must be finite", "nan"),
    Case(nt.train, lambda: nt.train(_nan_mlp(), *_xy(), "regression", epochs=1), ValueError,
         "`model` must have finite parameters", "non-finite model"),
    Case(nt.train, lambda: nt.train(_mlp(), _xy()[0], _xy()[1][:, :1], "regression", epochs=1), ValueError,
         "`Y` must have shape", "shape Y"),
    Case(nt.train, lambda: nt.train(_mlp(), _xy(in_dim=7)[0], _xy()[1], "regression", epochs=1), ValueError,
         "`X` must have shape", "shape X"),
    Case(nt.train, lambda: nt.train(_mlp(), *_xy(), "regression", epochs=1, X_val=_xy()[0], Y_val=_xy(out_dim=3)[1]),
         ValueError, "`Y_val` must have shape", "shape Y_val"),
    Case(nt.train, lambda: nt.train(_mlp(), *_xy(), "regression", epochs=1, X_val=_xy()[0].fill_(NAN),
                                    Y_val=_xy()[1]), ValueError, "`X_val` must be finite", "nan X_val"),
    Case(nt.train, lambda: nt.train(_mlp(), *_xy(), "regression", epochs=1, X_val=_xy()[0]), ValueError,
         "`X_val` and `Y_val` must be given together", "missing"),
    Case(nt.train, lambda: nt.train(_mlp(), *_xy(), "regression", epochs=3, lr=1e30, optimizer="sgd",
                                    batch_size=100), ValueError, "diverged.*`lr`", "diverged"),

    Case(nt.train, lambda: nt.train(nt.make_mlp(1, [], 1, seed=0), [[1e3]], [[0.0]], "regression", epochs=1,
                                    lr=1e38, optimizer="sgd"), ValueError, "non-finite parameters.*`lr`",
         "diverged last step"),

    # ---- nets: TeacherStudent --------------------------------------------------------------------
    Case(nt.TeacherStudent, lambda: nt.TeacherStudent(0), ValueError, "`in_dim`", "zero"),
    Case(nt.TeacherStudent, lambda: nt.TeacherStudent(10**7), ValueError, "`in_dim` must be at most", "size"),
    Case(nt.TeacherStudent, lambda: nt.TeacherStudent(3, (10**6, 10**6)), ValueError, "`teacher_widths`", "size2"),
    Case(nt.TeacherStudent, lambda: nt.TeacherStudent(3, task="ranking"), ValueError, "`task` must be one of",
         "value"),
    Case(nt.TeacherStudent, lambda: nt.TeacherStudent(3, out_dim=1, task="classification"), ValueError, "`out_dim`",
         "value2"),
    Case(nt.TeacherStudent, lambda: nt.TeacherStudent(3, noise_std=-0.1), ValueError, "`noise_std`", "negative"),
    Case(nt.TeacherStudent, lambda: nt.TeacherStudent(3, noise_std=NAN), ValueError, "`noise_std`", "nan"),
    Case(nt.TeacherStudent, lambda: nt.TeacherStudent(3, input_scale=0.0), ValueError, "`input_scale`", "zero scale"),
    Case(nt.TeacherStudent, lambda: nt.TeacherStudent(3, input_mean=INF), ValueError, "`input_mean`", "inf"),
    Case(nt.TeacherStudent, lambda: nt.TeacherStudent(3, teacher_widths=(0,)), ValueError, "`teacher_widths`",
         "zero width"),
    Case(nt.TeacherStudent, lambda: nt.TeacherStudent(3, activation="elu"), ValueError, "`activation` must be one of",
         "value activation"),
    Case(nt.TeacherStudent, lambda: nt.TeacherStudent(3, dtype=torch.int32), ValueError, "`dtype`", "dtype"),
    Case(nt.TeacherStudent, lambda: nt.TeacherStudent(3, noise_std=1e30), ValueError, "`noise_std` must be <=",
         "overflow"),
    Case(nt.TeacherStudent, lambda: nt.TeacherStudent(3, input_scale=[1.0, 0.0, 1.0]), ValueError, "`input_scale`",
         "zero"),
    Case(nt.TeacherStudent, lambda: nt.TeacherStudent(3, input_scale=[1.0, 1.0]), ValueError, "`input_scale`",
         "shape"),
    Case(nt.TeacherStudent, lambda: nt.TeacherStudent(3, input_mean="x"), ValueError, "`input_mean`", "type"),
    Case(nt.TeacherStudent, lambda: nt.TeacherStudent(3, input_mean=NAN), ValueError, "`input_mean`", "nan"),
    Case(nt.TeacherStudent, lambda: nt.TeacherStudent(3, input_mean=1e300, dtype=torch.float64), ValueError,
         "`input_mean` must be <=", "overflow"),
    Case(nt.TeacherStudent, lambda: nt.TeacherStudent(3, task="classification", out_dim=2, temperature=1e-320),
         ValueError, "`temperature` must be 0 or at least", "underflow"),
    Case(nt.TeacherStudent, lambda: nt.TeacherStudent(3, temperature=-1.0), ValueError, "`temperature`", "negative"),
    Case(nt.TeacherStudent, lambda: nt.TeacherStudent(3, device="tpu"), ValueError, "`device`", "value3"),
    Case(nt.TeacherStudent, lambda: nt.TeacherStudent(3, teacher_seed=-1), ValueError, "`teacher_seed`", "negative2"),
    Case(nt.TeacherStudent.teacher, lambda: nt.TeacherStudent(3, input_scale=1e-30).teacher(), ValueError,
         "`input_scale`", "underflow"),
    Case(nt.TeacherStudent.sample, lambda: _ts_call("sample", 2**62), ValueError, "`n` must be at most", "size"),
    Case(nt.TeacherStudent.sample, lambda: _ts_call("sample", 10**9), ValueError, "`n` must be at most", "memory"),
    Case(nt.TeacherStudent.sample, lambda: _ts_call("sample", 0), ValueError, "`n`", "zero"),
    Case(nt.TeacherStudent.sample, lambda: _ts_call("sample", 5, rng="seed"), ValueError, "`rng`", "type"),
    Case(nt.TeacherStudent.sample, lambda: _ts_call("sample", 5, rng=-1), ValueError, "`rng`", "negative rng"),
    Case(nt.TeacherStudent.sample, lambda: _ts_call("sample", 5, input_mean=(1.0, 2.0)), ValueError, "`input_mean`",
         "shape"),
    Case(nt.TeacherStudent.sample, lambda: _ts_call("sample", 5, input_scale=-1.0), ValueError, "`input_scale`",
         "negative"),
    Case(nt.TeacherStudent.sample, lambda: _ts_call("sample", 5, input_mean=[0.0, NAN, 0.0]), ValueError,
         "`input_mean`", "nan"),
    Case(nt.TeacherStudent.bayes_risk, lambda: _ts("classification", 1.0).bayes_risk(), ValueError, "`temperature`",
         "no closed form"),
    Case(nt.TeacherStudent.bayes_risk_estimate, lambda: _ts("classification").bayes_risk_estimate(n_fresh=2**62),
         ValueError, "`n_fresh` must be at most", "size"),
    Case(nt.TeacherStudent.bayes_risk_estimate, lambda: _ts().bayes_risk_estimate(n_fresh=1), ValueError,
         "`n_fresh`", "too small"),
    Case(nt.TeacherStudent.bayes_risk_estimate, lambda: _ts().bayes_risk_estimate(input_scale=INF), ValueError,
         "`input_scale`", "inf"),
    Case(nt.TeacherStudent.population_risk, lambda: _ts().population_risk(_mlp(), n_fresh=2**62), ValueError,
         "`n_fresh` must be at most", "size"),
    Case(nt.TeacherStudent.population_risk, lambda: _ts().population_risk(_nan_mlp(), n_fresh=10), ValueError,
         "`model` must have finite parameters", "non-finite model"),
    Case(nt.TeacherStudent.population_risk, lambda: _ts().population_risk(_mlp(in_dim=5), n_fresh=10), ValueError,
         r"`model` must map \(n, 3\)", "shape in"),
    Case(nt.TeacherStudent.population_risk, lambda: _ts().population_risk(_mlp(out_dim=3), n_fresh=10), ValueError,
         r"`model` must map \(n, 3\) to \(n, 2\)", "shape out"),
    Case(nt.TeacherStudent.population_risk, lambda: _ts().population_risk(_mlp(), n_fresh=10, batch_size=0),
         ValueError, "`batch_size`", "zero"),
    Case(nt.TeacherStudent.population_risk, lambda: _ts().population_risk("net", n_fresh=10), ValueError,
         "`model` must be a torch.nn.Module", "type"),
    Case(nt.TeacherStudent.population_risk, lambda: _ts().population_risk(_mlp(), n_fresh=1), ValueError,
         "`n_fresh`", "too small"),
    Case(nt.TeacherStudent.population_risk, lambda: _ts().population_risk(_mlp(), n_fresh=10, device="nodevice"),
         ValueError, "`device`", "device"),

    # ---- data ------------------------------------------------------------------------------------
    Case(da.load_digits_split, lambda: da.load_digits_split(n_train=5), ValueError, "`n_train`", "too small"),
    Case(da.load_digits_split, lambda: da.load_digits_split(n_train=10**30), ValueError, "`n_train`", "size"),
    Case(da.load_digits_split, lambda: da.load_digits_split(n_train=1500, n_test=500), ValueError,
         "`n_train` \\+ `n_test`", "size2"),
    Case(da.load_digits_split, lambda: da.load_digits_split(n_test=2.5), ValueError, "`n_test`", "type"),
    Case(da.load_digits_split, lambda: da.load_digits_split(seed=-1), ValueError, "`seed`", "negative"),
    Case(da.load_digits_split, lambda: da.load_digits_split(seed="zero"), ValueError, "`seed`", "type seed"),
    Case(da.load_digits_split, lambda: da.load_digits_split(n_train=1790), ValueError,
         "`n_train` must leave at least 10 test rows", "size3"),
    Case(da.load_digits_split, lambda: da.load_digits_split(n_test=1790), ValueError,
         "`n_test` must leave at least 10 training rows", "size4"),
    Case(da.load_digits_split, lambda: da.load_digits_split(n_test=3), ValueError, "`n_test`", "too small2"),
    Case(da.load_digits_split, lambda: da.load_digits_split(standardize="yes"), ValueError,
         "`standardize` must be a bool", "type bool"),
    Case(da.load_digits_split, lambda: da.load_digits_split(as_tensor=1), ValueError, "`as_tensor` must be a bool",
         "type bool2"),
    Case(da.load_digits_split, lambda: da.load_digits_split(device="tpu"), ValueError, "`device`", "value"),
    Case(da.DataSplit.transform, lambda: _split().transform(np.ones((2, 5))), ValueError, "`X` must be of shape",
         "shape"),
    Case(da.DataSplit.transform, lambda: _split().transform(np.full((2, 64), NAN)), ValueError, "`X` must be finite",
         "nan"),
    Case(da.stratified_counts, lambda: da.stratified_counts([5, 5], 8, 4), ValueError, "`n_train` \\+ `n_test`",
         "size"),
    Case(da.stratified_counts, lambda: da.stratified_counts([5, -1], 2, 2), ValueError, "`class_counts`", "negative"),
    Case(da.stratified_counts, lambda: da.stratified_counts([5.5, 1], 2, 2), ValueError,
         "`class_counts` must hold integers", "type float"),
    Case(da.stratified_counts, lambda: da.stratified_counts([0, 0], 0, 0), ValueError, "`class_counts`", "zero"),
    Case(da.stratified_counts, lambda: da.stratified_counts([NAN, 3], 1, 1), ValueError, "`class_counts`", "nan"),
    Case(da.stratified_counts, lambda: da.stratified_counts([10**30], 1, 1), ValueError, "`class_counts`", "size"),
    Case(da.stratified_counts, lambda: da.stratified_counts([5, 5], -1, 2), ValueError, "`n_train`", "negative2"),

    # ---- linear ----------------------------------------------------------------------------------
    Case(li.design_matrix, lambda: li.design_matrix(1, [1.0, 1.0]), ValueError, "`n`", "too small"),
    Case(li.design_matrix, lambda: li.design_matrix(10**12, [1.0, 1.0]), ValueError, "`n` must be at most", "size"),
    Case(li.design_matrix, lambda: li.design_matrix(5, [1.0, -1.0]), ValueError, "`feature_eigs`", "negative"),
    Case(li.design_matrix, lambda: li.design_matrix(5, [1.0, NAN]), ValueError, "`feature_eigs`", "nan"),
    Case(li.design_matrix, lambda: li.design_matrix(5, [1.0], rng="x"), ValueError, "`rng`", "type"),
    Case(li.CompressedLinearRegression, lambda: li.CompressedLinearRegression(2, 2, 1.0, [1, 1], [1, 1]), ValueError,
         "`n`", "too small"),
    Case(li.CompressedLinearRegression, lambda: li.CompressedLinearRegression(2, 10, 0.0, [1, 1], [1, 1]),
         ValueError, "`noise_var`", "zero"),
    Case(li.CompressedLinearRegression, lambda: li.CompressedLinearRegression(2, 10, 1.0, [1, 1, 1], [1, 1]),
         ValueError, "`feature_eigs`", "shape"),
    Case(li.CompressedLinearRegression, lambda: li.CompressedLinearRegression(2, 10, 1.0, [1, 1], [1, -1]),
         ValueError, "`prior_vars`", "negative"),
    Case(li.CompressedLinearRegression, lambda: li.CompressedLinearRegression(2, 10, 1.0, [1, INF], [1, 1]),
         ValueError, "`feature_eigs`", "inf"),
    Case(li.CompressedLinearRegression, lambda: li.CompressedLinearRegression(2, 10, 1.0, [1, 1], [1, NAN]),
         ValueError, "`prior_vars`", "nan"),
    Case(li.CompressedLinearRegression, lambda: li.CompressedLinearRegression(0, 5, 1.0, [], []), ValueError, "`d`",
         "zero"),
    Case(li.CompressedLinearRegression, lambda: li.CompressedLinearRegression(2, 10, 1e308, [1, 1], [1, 1]),
         ValueError, "`noise_var`", "overflow"),
    Case(li.CompressedLinearRegression, lambda: li.CompressedLinearRegression(2, 10, 1e-320, [1, 1], [1, 1]),
         ValueError, "`noise_var`", "underflow"),
    Case(li.CompressedLinearRegression, lambda: li.CompressedLinearRegression(2, 10**400, 1.0, [1, 1], [1, 1]),
         ValueError, "`n` must be an integer <=", "size"),
    Case(li.CompressedLinearRegression, lambda: li.CompressedLinearRegression("2", 10, 1.0, [1, 1], [1, 1]),
         ValueError, "`d`", "type"),
    Case(li.CompressedLinearRegression.simulate, lambda: _lin().simulate(1.0, 2**62), ValueError,
         "`reps` must be at most", "size"),
    Case(li.CompressedLinearRegression.simulate, lambda: _lin().simulate(1.0, 1), ValueError, "`reps`", "too small"),
    Case(li.CompressedLinearRegression.simulate, lambda: _lin().simulate(NAN, 10), ValueError, "`rate`", "nan"),
    Case(li.CompressedLinearRegression.simulate, lambda: _lin().simulate(1.0, 10, design=np.ones((10, 3))),
         ValueError, "`design` must be of shape", "shape"),
    Case(li.CompressedLinearRegression.simulate, lambda: _lin().simulate(1.0, 10, design=np.ones((10, 2))),
         ValueError, "`design` must satisfy", "value"),
    Case(li.CompressedLinearRegression.simulate,
         lambda: li.CompressedLinearRegression(2, 10**12, 1.0, [1, 1], [1, 1]).simulate(1.0, 10), ValueError,
         "`n`.*too large to simulate", "size n"),
    Case(li.CompressedLinearRegression.water_filling, lambda: _lin().water_filling(-1.0), ValueError, "`rate`",
         "negative"),
    Case(li.CompressedLinearRegression.compression_factors, lambda: _lin().compression_factors(NAN), ValueError,
         "`rate`", "nan"),
    Case(li.CompressedLinearRegression.population_risk, lambda: _lin().population_risk([1.0, NAN]), ValueError,
         "`rate`", "nan"),
    Case(li.CompressedLinearRegression.empirical_risk, lambda: _lin().empirical_risk("high"), ValueError, "`rate`",
         "type"),
    Case(li.CompressedLinearRegression.distortion, lambda: _lin().distortion(-0.5), ValueError, "`rate`", "negative"),
    Case(li.CompressedLinearRegression.generalization_error, lambda: _lin().generalization_error([[-1.0]]),
         ValueError, "`rate`", "negative"),
    Case(li.CompressedLinearRegression.conditional_mutual_information,
         lambda: _lin().conditional_mutual_information(NAN), ValueError, "`rate`", "nan"),
    Case(li.CompressedLinearRegression.population_risk_bound, lambda: _lin().population_risk_bound(1.0, mi=-1.0),
         ValueError, "`mi`", "negative"),
    Case(li.CompressedLinearRegression.population_risk_bound,
         lambda: _lin().population_risk_bound([1.0, 2.0], mi=[1.0, 2.0, 3.0]), ValueError, "`mi` must broadcast",
         "shape"),
    Case(li.CompressedLinearRegression.population_risk_bound, lambda: _lin().population_risk_bound(["a"]),
         ValueError, "`rate`", "type"),
    Case(li.CompressedLinearRegression.population_risk_bound, lambda: _lin().population_risk_bound(-1.0),
         ValueError, "`rate`", "negative"),

    # ---- gaussian_mean ---------------------------------------------------------------------------
    Case(gm.GaussianMeanEstimation, lambda: gm.GaussianMeanEstimation(0), ValueError, "`n`", "zero"),
    Case(gm.GaussianMeanEstimation, lambda: gm.GaussianMeanEstimation(2.5), ValueError, "`n`", "type"),
    Case(gm.GaussianMeanEstimation, lambda: gm.GaussianMeanEstimation(10**400), ValueError, "`n` must be an integer <=",
         "size"),
    Case(gm.GaussianMeanEstimation, lambda: gm.GaussianMeanEstimation(5, d=0), ValueError, "`d`", "zero2"),
    Case(gm.GaussianMeanEstimation, lambda: gm.GaussianMeanEstimation(5, sigma2=NAN), ValueError, "`sigma2`", "nan"),
    Case(gm.GaussianMeanEstimation, lambda: gm.GaussianMeanEstimation(5, sigma2=0.0), ValueError, "`sigma2`",
         "zero sigma2"),
    Case(gm.GaussianMeanEstimation, lambda: gm.GaussianMeanEstimation(5, sigma2=1e308), ValueError, "`sigma2`",
         "overflow"),
    Case(gm.GaussianMeanEstimation, lambda: gm.GaussianMeanEstimation(5, mean=INF), ValueError, "`mean`", "inf"),
    Case(gm.GaussianMeanEstimation.simulate, lambda: gm.GaussianMeanEstimation(5).simulate(2**62), ValueError,
         "`reps` must be at most", "size"),
    Case(gm.GaussianMeanEstimation.simulate, lambda: gm.GaussianMeanEstimation(10**6).simulate(10**4), ValueError,
         "`reps` must be at most", "time"),
    Case(gm.GaussianMeanEstimation.simulate, lambda: gm.GaussianMeanEstimation(5).simulate(1), ValueError, "`reps`",
         "too small"),
    Case(gm.GaussianMeanEstimation.simulate, lambda: gm.GaussianMeanEstimation(5).simulate(10, rng=-3), ValueError,
         "`rng`", "negative"),
    Case(gm.GaussianMeanEstimation.cgf, lambda: gm.GaussianMeanEstimation(5).cgf(-0.1), ValueError, "`t`",
         "negative"),
    Case(gm.GaussianMeanEstimation.cgf, lambda: gm.GaussianMeanEstimation(5).cgf([0.1, NAN]), ValueError, "`t`",
         "nan"),
    Case(gm.GaussianMeanEstimation.cgf, lambda: gm.GaussianMeanEstimation(5).cgf(1e308), ValueError,
         "`t` must be at most", "overflow"),
    Case(gm.GaussianMeanEstimation.cgf, lambda: gm.GaussianMeanEstimation(5, d=10**9).cgf(1e300), ValueError,
         "`t` is too large", "overflow2"),
    Case(gm.GibbsGaussianMean, lambda: gm.GibbsGaussianMean(5, 0.0), ValueError, "`gamma`", "zero"),
    Case(gm.GibbsGaussianMean, lambda: gm.GibbsGaussianMean(5, -1.0), ValueError, "`gamma`", "negative"),
    Case(gm.GibbsGaussianMean, lambda: gm.GibbsGaussianMean(5, 1.0, sigma2=-1.0), ValueError, "`sigma2`",
         "negative sigma2"),
    Case(gm.GibbsGaussianMean, lambda: gm.GibbsGaussianMean(5, 1.0, prior_var=0.0), ValueError, "`prior_var`",
         "zero prior_var"),
    Case(gm.GibbsGaussianMean, lambda: gm.GibbsGaussianMean(5, 1.0, d=0), ValueError, "`d`", "zero d"),
    Case(gm.GibbsGaussianMean, lambda: gm.GibbsGaussianMean(5, 1e308), ValueError, "`gamma`", "overflow"),
    Case(gm.GibbsGaussianMean, lambda: gm.GibbsGaussianMean(5, 1.0, prior_var=1e-320), ValueError, "`prior_var`",
         "underflow"),
    Case(gm.GibbsGaussianMean, lambda: gm.GibbsGaussianMean(5, 1.0, prior_mean=1e308, mean=-1e308), ValueError,
         "`prior_mean`", "overflow2"),
    Case(gm.GibbsGaussianMean, lambda: gm.GibbsGaussianMean(5, 1.0, prior_mean=NAN), ValueError, "`prior_mean`",
         "nan"),
    Case(gm.GibbsGaussianMean, lambda: gm.GibbsGaussianMean(5, 1.0, mean="x"), ValueError, "`mean`", "type"),
    Case(gm.GibbsGaussianMean, lambda: gm.GibbsGaussianMean(0, 1.0), ValueError, "`n`", "zero2"),
    Case(gm.GibbsGaussianMean.simulate, lambda: gm.GibbsGaussianMean(5, 1.0).simulate(2**62), ValueError,
         "`reps` must be at most", "size"),
    Case(gm.GibbsGaussianMean.simulate, lambda: gm.GibbsGaussianMean(5, 1.0).simulate(0), ValueError, "`reps`",
         "zero"),

    # ---- configs ---------------------------------------------------------------------------------
    Case(cf.linear_model, lambda: cf.linear_model([20, 50]), TypeError, "`p` must be a dict", "type"),
    Case(cf.linear_model, lambda: cf.linear_model({"d": 2, "n": 10}), ValueError, "`p` must hold the keys", "missing"),
    Case(cf.linear_model, lambda: cf.linear_model({**cf.LINEAR_TRADEOFF, "noise_var": -1.0}), ValueError,
         "`noise_var`", "negative"),
    Case(cf.gaussian_mean_model, lambda: cf.gaussian_mean_model(None), TypeError, "`p` must be a dict", "type"),
    Case(cf.gaussian_mean_model, lambda: cf.gaussian_mean_model({"d": 1}), ValueError, "`p` must hold the keys",
         "missing"),
    Case(cf.gaussian_mean_model, lambda: cf.gaussian_mean_model({"n": 5, "sigma2": NAN}), ValueError, "`sigma2`",
         "nan"),
    Case(cf.gibbs_model, lambda: cf.gibbs_model("n=5"), TypeError, "`p` must be a dict", "type"),
    Case(cf.gibbs_model, lambda: cf.gibbs_model({"n": 5}), ValueError, "`p` must hold the keys", "missing"),
    Case(cf.gibbs_model, lambda: cf.gibbs_model({"n": 5, "gamma": -1.0}), ValueError, "`gamma`", "negative"),
]
