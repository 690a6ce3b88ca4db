"""Tests for theory.testbeds.nets: MLPs, teacher–student data, population risk, training.

Every check compares against a quantity computed independently of the code under test: a hand
count, a closed form (the Bayes risk sigma^2 K, the moments of the input law, the gradient of a
linear least-squares loss), scipy/numpy re-implementations of the losses, or a second Monte Carlo
estimate on an independent sample with a 3-standard-error tolerance.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import log_softmax as np_log_softmax
from scipy.special import softmax as np_softmax
from torch import nn

from theory.claims import Measurement
from theory.testbeds.nets import (
    ACTIVATIONS,
    PopulationRisk,
    TeacherStudent,
    TrainResult,
    accuracy,
    count_parameters,
    evaluate,
    linear_layers,
    loss_fn,
    make_mlp,
    resolve_device,
    train,
)

N_SE = 3.0


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    """Tiny nets gain nothing from intra-op threads, and on a shared, loaded machine OpenMP
    threads can make each optimizer step ~50x slower; run this module single-threaded and
    restore the setting afterwards."""
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)


def within(a: float, b: float, se: float) -> bool:
    return abs(a - b) <= N_SE * se


def mc(x) -> tuple[float, float]:
    """Mean and standard error of i.i.d. samples (numpy, independent of Measurement)."""
    x = np.asarray(x, dtype=float).ravel()
    return float(x.mean()), float(x.std(ddof=1) / math.sqrt(x.size))


class Scaled(nn.Module):
    """f(x) = g(x) / T: the Bayes-optimal log-loss predictor for a softmax(g/T) teacher."""

    def __init__(self, g: nn.Module, T: float):
        super().__init__()
        self.g, self.T = g, T

    def forward(self, x):
        return self.g(x) / self.T


def zero_predictor(in_dim: int, out_dim: int) -> nn.Sequential:
    m = make_mlp(in_dim, (), out_dim, seed=0)
    with torch.no_grad():
        m[0].weight.zero_()
        m[0].bias.zero_()
    return m


# ---------------------------------------------------------------------------------------------
# resolve_device
# ---------------------------------------------------------------------------------------------

def test_resolve_device_auto_and_cpu(monkeypatch):
    assert resolve_device("cpu") == torch.device("cpu")
    assert resolve_device(torch.device("cpu")) == torch.device("cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("auto") == torch.device("cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_device("auto").type == "cuda"


def test_resolve_device_unavailable_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError, match="device"):
        resolve_device("cuda")
    with pytest.raises(ValueError, match="device"):
        resolve_device("cuda:0")


# ---------------------------------------------------------------------------------------------
# make_mlp, linear_layers, count_parameters
# ---------------------------------------------------------------------------------------------

@given(in_dim=st.integers(1, 6), widths=st.lists(st.integers(1, 7), max_size=3),
       out_dim=st.integers(1, 4), activation=st.sampled_from(sorted(ACTIVATIONS)),
       bias=st.booleans(), init=st.sampled_from(["uniform", "normal"]))
@settings(max_examples=25)
def test_make_mlp_structure_and_count(in_dim, widths, out_dim, activation, bias, init):
    m = make_mlp(in_dim, widths, out_dim, activation=activation, bias=bias, seed=1, init=init)
    dims = [in_dim, *widths, out_dim]
    assert isinstance(m, nn.Sequential)
    assert len(m) == 2 * len(widths) + 1
    for i, mod in enumerate(m):
        if i % 2 == 0:
            assert type(mod) is nn.Linear
        else:
            assert type(mod) is ACTIVATIONS[activation]
    lins = linear_layers(m)
    assert len(lins) == len(dims) - 1
    for l, lin in enumerate(lins):
        assert lin is m[2 * l]
        assert tuple(lin.weight.shape) == (dims[l + 1], dims[l])
        assert (lin.bias is not None) == bias
    hand = sum(a * b + (b if bias else 0) for a, b in zip(dims[:-1], dims[1:]))
    assert count_parameters(m) == hand
    out = m(torch.zeros(5, in_dim))
    assert tuple(out.shape) == (5, out_dim)


def test_linear_layers_order_in_nested_model():
    m = make_mlp(3, (4, 5), 2, seed=0)
    wrapped = nn.Sequential(m, nn.Linear(2, 7))
    shapes = [tuple(l.weight.shape) for l in linear_layers(wrapped)]
    assert shapes == [(4, 3), (5, 4), (2, 5), (7, 2)]


def test_count_parameters_nonzero():
    m = make_mlp(4, (6,), 3, seed=2)
    total = 4 * 6 + 6 + 6 * 3 + 3
    assert count_parameters(m) == total
    assert count_parameters(m, nonzero=True) == total  # continuous init: no exact zeros
    with torch.no_grad():
        m[0].weight[:2, :].zero_()  # 8 entries
        m[2].bias[0] = 0.0          # 1 entry
    assert count_parameters(m, nonzero=True) == total - 9
    assert count_parameters(m) == total


def test_make_mlp_seeded_and_no_global_rng():
    with torch.random.fork_rng():
        torch.manual_seed(0)
        state = torch.get_rng_state().clone()
        a = make_mlp(5, (8, 8), 2, seed=7)
        assert torch.equal(torch.get_rng_state(), state), "make_mlp changed the global RNG"
        torch.manual_seed(12345)
        b = make_mlp(5, (8, 8), 2, seed=7)
    c = make_mlp(5, (8, 8), 2, seed=8)
    for pa, pb, pc in zip(a.parameters(), b.parameters(), c.parameters()):
        assert torch.equal(pa, pb)
    assert any(not torch.equal(pa, pc) for pa, pc in zip(a.parameters(), c.parameters()))


def test_make_mlp_uniform_init_distribution():
    fan_in, fan_out = 50, 400
    m = make_mlp(fan_in, (), fan_out, seed=3, init="uniform")
    w = m[0].weight.detach().double().numpy().ravel()
    a = 1 / math.sqrt(fan_in)
    assert np.all(np.abs(w) <= a)
    v, se = mc(w ** 2)  # E w^2 = a^2 / 3 for U(-a, a)
    assert within(v, a * a / 3, se)


@pytest.mark.parametrize("activation,gain2", [("relu", 2.0), ("tanh", 25 / 9), ("identity", 1.0)])
def test_make_mlp_normal_init_distribution(activation, gain2):
    fan_in = 40
    m = make_mlp(fan_in, (500,), 300, activation=activation, seed=4, init="normal")
    w1 = m[0].weight.detach().double().numpy().ravel()
    w2 = m[2].weight.detach().double().numpy().ravel()
    v1, se1 = mc(w1 ** 2)
    v2, se2 = mc(w2 ** 2)
    assert within(v1, gain2 / fan_in, se1)
    assert within(v2, 1 / 500, se2)  # last layer: gain 1
    assert torch.all(m[0].bias == 0)


def test_identity_mlp_is_affine_composition():
    m = make_mlp(3, (4,), 2, activation="identity", seed=5, dtype=torch.float64)
    W1, b1 = m[0].weight.detach().numpy(), m[0].bias.detach().numpy()
    W2, b2 = m[2].weight.detach().numpy(), m[2].bias.detach().numpy()
    x = np.random.default_rng(0).normal(size=(10, 3))
    expected = (x @ W1.T + b1) @ W2.T + b2
    got = m(torch.as_tensor(x)).detach().numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    assert m[0].weight.dtype == torch.float64


# ---------------------------------------------------------------------------------------------
# losses, evaluate, accuracy
# ---------------------------------------------------------------------------------------------

def test_loss_fn_regression_against_numpy():
    rng = np.random.default_rng(0)
    p, y = rng.normal(size=(20, 3)), rng.normal(size=(20, 3))
    got = loss_fn("regression")(torch.as_tensor(p), torch.as_tensor(y)).numpy()
    np.testing.assert_allclose(got, ((p - y) ** 2).sum(axis=1), rtol=1e-12)
    # out_dim 1: (n,) targets accepted
    got1 = loss_fn("regression")(torch.as_tensor(p[:, :1]), torch.as_tensor(y[:, 0])).numpy()
    np.testing.assert_allclose(got1, (p[:, 0] - y[:, 0]) ** 2, rtol=1e-12)


def test_loss_fn_classification_against_scipy():
    rng = np.random.default_rng(1)
    logits, y = rng.normal(size=(30, 4)) * 3, rng.integers(0, 4, size=30)
    got = loss_fn("classification")(torch.as_tensor(logits), torch.as_tensor(y)).numpy()
    expected = -np_log_softmax(logits, axis=1)[np.arange(30), y]
    np.testing.assert_allclose(got, expected, rtol=1e-10)


def test_evaluate_and_train_accept_column_labels():
    """Classification labels of shape (n, 1) are the same labels as (n,)."""
    m = make_mlp(3, (5,), 4, seed=0, dtype=torch.float64)
    X = np.random.default_rng(3).normal(size=(20, 3))
    y = np.arange(20) % 4
    assert evaluate(m, X, y[:, None], "classification") == evaluate(m, X, y, "classification")
    assert accuracy(m, X, y[:, None]) == accuracy(m, X, y)
    a, b = make_mlp(3, (5,), 4, seed=0), make_mlp(3, (5,), 4, seed=0)
    ra = train(a, X, y[:, None], "classification", epochs=3, lr=1e-2, batch_size=8)
    rb = train(b, X, y, "classification", epochs=3, lr=1e-2, batch_size=8)
    assert ra.train_loss == rb.train_loss


def test_evaluate_and_accuracy_against_numpy():
    rng = np.random.default_rng(2)
    m = make_mlp(3, (5,), 4, seed=0, dtype=torch.float64)
    X = rng.normal(size=(50, 3))
    y = rng.integers(0, 4, size=50)
    logits = m(torch.as_tensor(X)).detach().numpy()
    per = -np_log_softmax(logits, axis=1)[np.arange(50), y]
    meas = evaluate(m, X, y, "classification", batch_size=7)
    assert isinstance(meas, Measurement)
    np.testing.assert_allclose(meas.value, per.mean(), rtol=1e-10)
    np.testing.assert_allclose(meas.se, per.std(ddof=1) / math.sqrt(50), rtol=1e-8)
    assert accuracy(m, X, y, batch_size=11) == pytest.approx(np.mean(logits.argmax(1) == y), abs=1e-12)
    Yr = rng.normal(size=(50, 4))
    per_r = ((logits - Yr) ** 2).sum(axis=1)
    np.testing.assert_allclose(evaluate(m, X, Yr, "regression").value, per_r.mean(), rtol=1e-10)


# ---------------------------------------------------------------------------------------------
# TeacherStudent: sampling
# ---------------------------------------------------------------------------------------------

def test_sample_shapes_and_types():
    ts = TeacherStudent(5, (8,), 3, noise_std=0.2)
    X, Y = ts.sample(17, rng=0)
    assert X.shape == (17, 5) and Y.shape == (17, 3)
    assert X.dtype == torch.float32 and Y.dtype == torch.float32
    assert X.device.type == "cpu"
    tc = TeacherStudent(5, (8,), 4, task="classification")
    X, Y = tc.sample(100, rng=0)
    assert X.shape == (100, 5) and Y.shape == (100,) and Y.dtype == torch.int64
    assert int(Y.min()) >= 0 and int(Y.max()) <= 3


def test_sample_reproducible():
    ts = TeacherStudent(4, (8,), 2, noise_std=0.3)
    X1, Y1 = ts.sample(50, rng=11)
    X2, Y2 = ts.sample(50, rng=11)
    X3, Y3 = ts.sample(50, rng=torch.Generator().manual_seed(11))
    assert torch.equal(X1, X2) and torch.equal(Y1, Y2)
    assert torch.equal(X1, X3) and torch.equal(Y1, Y3)
    Xa, Ya = ts.sample(50, rng=np.random.default_rng(3))
    Xb, Yb = ts.sample(50, rng=np.random.default_rng(3))
    assert torch.equal(Xa, Xb) and torch.equal(Ya, Yb)
    X4, _ = ts.sample(50, rng=12)
    assert not torch.equal(X1, X4)
    # an equal TeacherStudent (fresh cache) gives the same teacher and data
    X5, Y5 = TeacherStudent(4, (8,), 2, noise_std=0.3).sample(50, rng=11)
    assert torch.equal(X1, X5) and torch.equal(Y1, Y5)
    # the generator advances: two draws from one numpy Generator differ
    g = np.random.default_rng(3)
    assert not torch.equal(ts.sample(5, rng=g)[0], ts.sample(5, rng=g)[0])


def _check_gaussian_moments(X: torch.Tensor, mean: np.ndarray, scale: np.ndarray):
    """Standardised inputs Z: E Z = 0, E Z^2 = 1, E Z_i Z_j = 0 (i != j), each within 3 SE."""
    Z = (X.double().numpy() - mean) / scale
    m, se = mc(Z)
    assert within(m, 0.0, se), (m, se)
    m2, se2 = mc(Z ** 2)
    assert within(m2, 1.0, se2), (m2, se2)
    if Z.shape[1] > 1:
        cross = (Z[:, :-1] * Z[:, 1:]).mean(axis=1)  # one value per sample: i.i.d. over samples
        mx, sex = mc(cross)
        assert within(mx, 0.0, sex), (mx, sex)


def test_input_moments():
    mean = np.array([0.5, -1.0, 2.0, 0.0])
    scale = np.array([1.0, 0.5, 2.0, 3.0])
    ts = TeacherStudent(4, (8,), 1, input_mean=tuple(mean), input_scale=tuple(scale))
    X, _ = ts.sample(40000, rng=21)
    _check_gaussian_moments(X, mean, scale)
    # per-coordinate means against the closed form
    Xn = X.double().numpy()
    for j in range(4):
        mj, sej = mc(Xn[:, j])
        assert within(mj, mean[j], sej)


def test_teacher_output_variance_is_one():
    ts = TeacherStudent(6, (16, 16), 2, activation="tanh", teacher_seed=3)
    X, _ = ts.sample(60000, rng=5)
    f = ts.teacher()(X).double().numpy()
    for k in range(2):
        c = (f[:, k] - f[:, k].mean()) ** 2
        v, se_fresh = mc(c)
        se_probe = c.std(ddof=1) / math.sqrt(16384)  # the probe that fixed the scale has its own error
        assert within(v, 1.0, math.hypot(se_fresh, se_probe)), (v, se_fresh, se_probe)


def test_teacher_cached_and_frozen():
    ts = TeacherStudent(3, (4,), 1)
    t = ts.teacher()
    assert ts.teacher() is t
    assert not t.training
    assert all(not p.requires_grad for p in t.parameters())
    # the teacher is make_mlp(init="normal") with a rescaled last layer: hidden layer identical
    ref = make_mlp(3, (4,), 1, seed=ts.teacher_seed, init="normal")
    assert torch.equal(t[0].weight, ref[0].weight)


def test_classification_labels_follow_softmax():
    tc = TeacherStudent(4, (16,), 3, task="classification", temperature=0.7, teacher_seed=1)
    X, Y = tc.sample(30000, rng=8)
    p = np_softmax(tc.teacher()(X).double().numpy() / 0.7, axis=1)
    y = Y.numpy()
    for k in range(3):
        d, se = mc((y == k).astype(float) - p[:, k])  # E[1{y=k} - p_k(x)] = 0
        assert within(d, 0.0, se), (k, d, se)


def test_regression_noise_is_gaussian_with_noise_std():
    ts = TeacherStudent(3, (8,), 2, noise_std=0.4)
    X, Y = ts.sample(30000, rng=9)
    r = (Y - ts.teacher()(X)).double().numpy()
    m, se = mc(r)
    assert within(m, 0.0, se)
    v, sev = mc(r ** 2)
    assert within(v, 0.16, sev)


def test_noise_free_regression_is_the_teacher_even_under_shift():
    ts = TeacherStudent(3, (8,), 2, noise_std=0.0)
    for kw in ({}, dict(input_mean=1.5, input_scale=0.3)):
        X, Y = ts.sample(200, rng=1, **kw)
        assert torch.equal(Y, ts.teacher()(X))


def test_covariate_shift_changes_inputs_not_conditional():
    ts = TeacherStudent(3, (8,), 1, noise_std=0.5, input_mean=0.0, input_scale=1.0)
    shift_mean, shift_scale = np.array([1.0, -2.0, 0.5]), 0.5
    X, Y = ts.sample(40000, rng=2, input_mean=shift_mean, input_scale=shift_scale)
    _check_gaussian_moments(X, shift_mean, np.full(3, shift_scale))
    r = (Y - ts.teacher()(X)).double().numpy()
    m, se = mc(r)
    assert within(m, 0.0, se)
    v, sev = mc(r ** 2)
    assert within(v, 0.25, sev)
    # the field values are untouched
    X0, _ = ts.sample(40000, rng=3)
    _check_gaussian_moments(X0, np.zeros(3), np.ones(3))
    # classification with T = 0: labels are the teacher's arg-max under the shifted law too
    tc = TeacherStudent(3, (8,), 3, task="classification", temperature=0.0)
    Xc, Yc = tc.sample(500, rng=4, input_mean=shift_mean, input_scale=2.0)
    assert torch.equal(Yc, tc.teacher()(Xc).argmax(dim=1))


# ---------------------------------------------------------------------------------------------
# TeacherStudent: risks
# ---------------------------------------------------------------------------------------------

@given(in_dim=st.integers(1, 6), width=st.integers(2, 16), depth=st.integers(0, 2),
       out_dim=st.integers(1, 3), noise_std=st.floats(0.05, 2.0),
       activation=st.sampled_from(sorted(ACTIVATIONS)), seed=st.integers(0, 50))
@settings(max_examples=10)
def test_teacher_population_risk_is_bayes_risk(in_dim, width, depth, out_dim, noise_std, activation, seed):
    ts = TeacherStudent(in_dim, (width,) * depth, out_dim, noise_std=noise_std, activation=activation,
                        teacher_seed=seed)
    pr = ts.population_risk(ts.teacher(), n_fresh=20000, rng=seed + 100)
    assert isinstance(pr, PopulationRisk) and pr.error is None and pr.n_fresh == 20000
    bayes = noise_std ** 2 * out_dim  # closed form, written here independently
    assert ts.bayes_risk() == pytest.approx(bayes, rel=1e-12)
    assert within(pr.loss.value, bayes, pr.loss.se), (pr.loss, bayes)


def test_zero_predictor_population_risk():
    ts = TeacherStudent(4, (16,), 2, noise_std=0.3, input_mean=0.5, teacher_seed=4)
    pr = ts.population_risk(zero_predictor(4, 2), n_fresh=20000, rng=1)
    # E||t(x)||^2 on a separate, independent sample, plus the noise variance
    X, _ = ts.sample(60000, rng=2)
    f2, se_f2 = mc((ts.teacher()(X).double() ** 2).sum(dim=1).numpy())
    expected = f2 + 0.3 ** 2 * 2
    assert within(pr.loss.value, expected, math.hypot(pr.loss.se, se_f2)), (pr.loss, expected, se_f2)


def test_population_risk_under_shift():
    ts = TeacherStudent(3, (8,), 1, noise_std=0.4, teacher_seed=6)
    shift = dict(input_mean=(1.0, 0.0, -1.0), input_scale=1.5)
    pr_t = ts.population_risk(ts.teacher(), n_fresh=20000, rng=3, **shift)
    assert within(pr_t.loss.value, 0.16, pr_t.loss.se)  # Bayes risk unchanged by covariate shift
    pr0 = ts.population_risk(zero_predictor(3, 1), n_fresh=20000, rng=4, **shift)
    X, _ = ts.sample(60000, rng=5, **shift)
    f2, se_f2 = mc((ts.teacher()(X).double() ** 2).sum(dim=1).numpy())
    assert within(pr0.loss.value, f2 + 0.16, math.hypot(pr0.loss.se, se_f2))
    pr0_train = ts.population_risk(zero_predictor(3, 1), n_fresh=20000, rng=4)
    assert abs(pr0.loss.value - pr0_train.loss.value) > 3 * math.hypot(pr0.loss.se, pr0_train.loss.se)


def test_population_risk_matches_evaluate_on_sample():
    ts = TeacherStudent(3, (8,), 2, noise_std=0.2)
    m = make_mlp(3, (5,), 2, seed=0)
    pr = ts.population_risk(m, n_fresh=3000, rng=7, batch_size=512)
    X, Y = ts.sample(3000, rng=7)
    ev = evaluate(m, X, Y, "regression", device="cpu")
    assert pr.loss.value == pytest.approx(ev.value, rel=1e-6)
    assert pr.loss.se == pytest.approx(ev.se, rel=1e-5)
    pr2 = ts.population_risk(m, n_fresh=3000, rng=7, batch_size=100, device="cpu")
    assert pr2.loss.value == pytest.approx(pr.loss.value, rel=1e-6)
    m.train()
    ts.population_risk(m, n_fresh=10, rng=0)
    assert m.training  # mode restored


def test_classification_zero_temperature_teacher_has_zero_error():
    tc = TeacherStudent(5, (16,), 4, task="classification", temperature=0.0, teacher_seed=2)
    pr = tc.population_risk(tc.teacher(), n_fresh=20000, rng=0)
    assert pr.error.value == 0.0 and pr.error.se == 0.0
    assert tc.bayes_risk() == 0.0
    # and a random student does make errors (the check can fail)
    pr_s = tc.population_risk(make_mlp(5, (16,), 4, seed=9), n_fresh=5000, rng=1)
    assert pr_s.error.value > 0.05


def test_classification_bayes_risk_estimate():
    T = 0.8
    tc = TeacherStudent(4, (16,), 3, task="classification", temperature=T, teacher_seed=3)
    b = tc.bayes_risk_estimate(n_fresh=20000, rng=10)
    # cross-entropy of the true conditional on labelled fresh samples (independent sample)
    opt = tc.population_risk(Scaled(tc.teacher(), T), n_fresh=20000, rng=11)
    assert within(opt.loss.value, b.loss.value, math.hypot(opt.loss.se, b.loss.se)), (opt.loss, b.loss)
    # Bayes 0-1 error: the teacher's arg-max is the Bayes classifier
    assert within(opt.error.value, b.error.value, math.hypot(opt.error.se, b.error.se)), (opt.error, b.error)
    # a worse predictor (teacher at the wrong temperature) has higher log-loss
    worse = tc.population_risk(Scaled(tc.teacher(), T / 4), n_fresh=20000, rng=11)
    assert worse.loss.value > opt.loss.value + 3 * math.hypot(worse.loss.se, opt.loss.se)
    with pytest.raises(ValueError, match="temperature"):
        tc.bayes_risk()
    reg = TeacherStudent(2, (4,), 3, noise_std=0.5).bayes_risk_estimate(rng=0)
    assert reg.loss.value == pytest.approx(0.75) and reg.loss.se == 0.0


# ---------------------------------------------------------------------------------------------
# train
# ---------------------------------------------------------------------------------------------

def test_train_loss_decreases():
    ts = TeacherStudent(4, (16,), 1, noise_std=0.2, teacher_seed=1)
    X, Y = ts.sample(512, rng=0)
    m = make_mlp(4, (16,), 1, seed=1)
    before = evaluate(m, X, Y, "regression").value
    res = train(m, X, Y, "regression", epochs=30, lr=1e-2, batch_size=64, seed=0)
    after = evaluate(m, X, Y, "regression").value
    assert isinstance(res, TrainResult)
    assert res.epochs == 30 and len(res.train_loss) == 30 and res.val_loss is None
    assert res.seconds > 0
    assert after < 0.5 * before
    assert res.train_loss[-1] < res.train_loss[0]


def test_train_deterministic_and_seed_matters():
    ts = TeacherStudent(3, (8,), 2, task="classification", teacher_seed=2)
    X, Y = ts.sample(300, rng=1)

    def run(seed):
        m = make_mlp(3, (8,), 2, seed=5)
        train(m, X, Y, "classification", epochs=5, lr=1e-2, batch_size=32, seed=seed)
        return [p.detach().clone() for p in m.parameters()]

    with torch.random.fork_rng():
        state = torch.get_rng_state().clone()
        a = run(0)
        assert torch.equal(torch.get_rng_state(), state), "train changed the global RNG"
        torch.manual_seed(999)
        b = run(0)
    c = run(1)
    assert all(torch.equal(x, y) for x, y in zip(a, b))
    assert any(not torch.equal(x, y) for x, y in zip(a, c))


def test_train_full_batch_sgd_step_matches_closed_form_gradient():
    rng = np.random.default_rng(3)
    n, d, k = 40, 3, 2
    X = rng.normal(size=(n, d))
    Y = rng.normal(size=(n, k))
    m = make_mlp(d, (), k, seed=0, dtype=torch.float64)
    W0 = m[0].weight.detach().numpy().copy()
    b0 = m[0].bias.detach().numpy().copy()
    lr = 0.05
    res = train(m, X, Y, "regression", epochs=1, lr=lr, batch_size=n, optimizer="sgd")
    R = X @ W0.T + b0 - Y                    # residuals, (n, k)
    gW = 2.0 / n * R.T @ X                   # d/dW of (1/n) sum ||W x + b - y||^2
    gb = 2.0 / n * R.sum(axis=0)
    np.testing.assert_allclose(m[0].weight.detach().numpy(), W0 - lr * gW, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(m[0].bias.detach().numpy(), b0 - lr * gb, rtol=1e-12, atol=1e-12)
    # full batch: the recorded loss is the loss before the step
    assert res.train_loss[0] == pytest.approx(float((R ** 2).sum(axis=1).mean()), rel=1e-12)


def test_train_validation_loss_recorded():
    ts = TeacherStudent(3, (8,), 1, noise_std=0.3)
    X, Y = ts.sample(200, rng=0)
    Xv, Yv = ts.sample(300, rng=1)
    m = make_mlp(3, (8,), 1, seed=0)
    res = train(m, X, Y, "regression", epochs=4, lr=1e-2, batch_size=50, X_val=Xv, Y_val=Yv,
                progress=True)
    assert len(res.val_loss) == 4
    assert res.val_loss[-1] == pytest.approx(evaluate(m, Xv, Yv, "regression").value, rel=1e-6)


def test_student_reaches_near_bayes_risk():
    ts = TeacherStudent(3, (8,), 1, noise_std=0.5, teacher_seed=0)
    X, Y = ts.sample(2000, rng=0)
    student = make_mlp(3, (8,), 1, seed=1)
    zero = ts.population_risk(zero_predictor(3, 1), n_fresh=20000, rng=1)
    train(student, X, Y, "regression", epochs=60, lr=1e-2, batch_size=128, seed=0)
    pr = ts.population_risk(student, n_fresh=20000, rng=1)
    bayes = 0.25
    assert pr.loss.value >= bayes - N_SE * pr.loss.se  # nothing beats the Bayes risk
    assert pr.loss.value <= 1.5 * bayes, (pr.loss, bayes)
    assert zero.loss.value > 2 * bayes  # the task is not trivial


def test_classification_student_learns():
    tc = TeacherStudent(4, (16,), 3, task="classification", temperature=0.0, teacher_seed=4)
    X, Y = tc.sample(1500, rng=0)
    m = make_mlp(4, (32,), 3, seed=0)
    before = tc.population_risk(m, n_fresh=5000, rng=1).error.value
    train(m, X, Y, "classification", epochs=40, lr=1e-2, batch_size=128)
    after = tc.population_risk(m, n_fresh=5000, rng=1)
    assert after.error.value < 0.5 * before
    assert accuracy(m, X, Y) > 0.85


# ---------------------------------------------------------------------------------------------
# The same seed gives the same net, the same data and the same risk on every available device
# ---------------------------------------------------------------------------------------------

def test_seeded_testbed_agrees_across_devices(device):
    ref = make_mlp(5, [7], 2, seed=3)
    net = make_mlp(5, [7], 2, seed=3, device=device)
    assert all(p.device.type == device for p in net.parameters())
    for a, b in zip(ref.parameters(), net.parameters()):
        assert torch.equal(a, b.cpu())
    ts_ref = TeacherStudent(5, (6,), 2, task="regression", noise_std=0.3, teacher_seed=1)
    ts = TeacherStudent(5, (6,), 2, task="regression", noise_std=0.3, teacher_seed=1, device=device)
    X0, Y0 = ts_ref.sample(64, rng=11)
    X, Y = ts.sample(64, rng=11)
    assert X.device.type == device
    torch.testing.assert_close(X.cpu(), X0)                     # drawn on the CPU, then moved
    torch.testing.assert_close(Y.cpu(), Y0, rtol=1e-5, atol=1e-6)
    r0 = ts_ref.population_risk(ref, n_fresh=4000, rng=5)
    r = ts.population_risk(net, n_fresh=4000, rng=5)
    assert r.loss.value == pytest.approx(r0.loss.value, rel=1e-5)
