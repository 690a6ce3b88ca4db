"""theory.testbeds.sphere: each piece against an independent computation (explicit loops, the
empirical NTK by autograd, explicit kernel gradient descent) or a Monte Carlo estimate within
its standard error."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from theory import kernels as kn
from theory.testbeds import sphere as sp


def _kappa(X1, X2):
    """First-layer arc-cosine kernel <x, x'> (pi - phi) / (2 pi), with phi by atan2, pair by pair."""
    out = np.empty((len(X1), len(X2)))
    for i, u in enumerate(X1):
        for j, v in enumerate(X2):
            dot = float(u @ v)
            cross = math.sqrt(max(float(u @ u) * float(v @ v) - dot * dot, 0.0))
            phi = math.atan2(cross, dot)
            out[i, j] = dot * (math.pi - phi) / (2 * math.pi)
    return out


# --------------------------------------------------------------------------------------------
# uniform_sphere
# --------------------------------------------------------------------------------------------

@given(n=st.integers(1, 50), d=st.integers(2, 8), seed=st.integers(0, 2**32 - 1))
def test_uniform_sphere_unit_norms_and_reproducible(n, d, seed):
    X = sp.uniform_sphere(n, d, rng=seed)
    assert X.shape == (n, d)
    np.testing.assert_allclose(np.sqrt(np.sum(X ** 2, axis=1)), 1.0, rtol=1e-13)
    np.testing.assert_array_equal(sp.uniform_sphere(n, d, rng=seed), X)
    np.testing.assert_array_equal(sp.uniform_sphere(n, d, rng=np.random.default_rng(seed)), X)


def test_uniform_sphere_moments():
    """Rotation invariance: E x = 0 and E x x^T = I/d, each within 5 Monte Carlo SEs."""
    n, d = 20000, 3
    X = sp.uniform_sphere(n, d, rng=1)
    se_mean = X.std(axis=0, ddof=1) / math.sqrt(n)
    assert np.all(np.abs(X.mean(axis=0)) <= 5 * se_mean)
    outer = X[:, :, None] * X[:, None, :]
    se_outer = outer.std(axis=0, ddof=1) / math.sqrt(n)
    assert np.all(np.abs(outer.mean(axis=0) - np.eye(d) / d) <= 5 * se_outer + 1e-15)
    # a different seed gives different points; a Generator advances between calls
    assert not np.array_equal(sp.uniform_sphere(4, d, rng=2), sp.uniform_sphere(4, d, rng=3))
    g = np.random.default_rng(4)
    assert not np.array_equal(sp.uniform_sphere(4, d, rng=g), sp.uniform_sphere(4, d, rng=g))


# --------------------------------------------------------------------------------------------
# SphereTeacher
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("d, n_centers, rkhs_norm, seed", [(3, 20, 1.0, 0), (5, 7, 0.3, 1), (2, 1, 2.5, 2)])
def test_teacher_rkhs_norm_and_values(d, n_centers, rkhs_norm, seed):
    t = sp.SphereTeacher(d, n_centers=n_centers, rkhs_norm=rkhs_norm, seed=seed)
    Z, c = t.centers, t.coef
    assert Z.shape == (n_centers, d) and c.shape == (n_centers,)
    np.testing.assert_allclose(np.linalg.norm(Z, axis=1), 1.0, rtol=1e-13)
    assert float(c @ _kappa(Z, Z) @ c) == pytest.approx(rkhs_norm ** 2, rel=1e-9)
    X = sp.uniform_sphere(9, d, rng=seed + 10)
    np.testing.assert_allclose(t(X), _kappa(X, Z) @ c, rtol=1e-9, atol=1e-12)
    # |f*(x)| <= |f*|_H sqrt(kappa(x, x)) = rkhs_norm / sqrt(2) on the sphere (Cauchy-Schwarz in the RKHS)
    assert np.all(np.abs(t(sp.uniform_sphere(500, d, rng=seed + 11))) <= rkhs_norm / math.sqrt(2) * (1 + 1e-12))


def test_teacher_noise_matches_noise_std():
    t = sp.SphereTeacher(3, noise_std=0.7, seed=3)
    n = 20000
    X, y, f = t.sample(n, rng=5)
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), 1.0, rtol=1e-13)
    np.testing.assert_allclose(f[:50], _kappa(X[:50], t.centers) @ t.coef, rtol=1e-9, atol=1e-12)
    r = y - f
    # mean 0 within 5 SE; std within 5 SE of a Gaussian sample std (sigma / sqrt(2(n-1)))
    assert abs(r.mean()) <= 5 * r.std(ddof=1) / math.sqrt(n)
    assert abs(r.std(ddof=1) - 0.7) <= 5 * 0.7 / math.sqrt(2 * (n - 1))
    # noiseless teacher: y = f*
    X0, y0, f0 = sp.SphereTeacher(3, noise_std=0.0, seed=3).sample(10, rng=6)
    np.testing.assert_array_equal(y0, f0)


def test_teacher_excess_risk():
    t = sp.SphereTeacher(4, n_centers=10, seed=7)
    zero = t.excess_risk(t, 5000, rng=8)
    assert zero.value == 0.0 and zero.se == 0.0
    # predict = 0: E f*(x)^2, against an independent Monte Carlo estimate with our own kernel
    m = t.excess_risk(lambda X: np.zeros(len(X)), 20000, rng=9, batch_size=3000)
    Xr = np.random.default_rng(10).standard_normal((3000, 4))
    Xr /= np.linalg.norm(Xr, axis=1, keepdims=True)
    f2 = (_kappa(Xr, t.centers) @ t.coef) ** 2
    ref, ref_se = f2.mean(), f2.std(ddof=1) / math.sqrt(len(f2))
    assert m.se > 0
    assert abs(m.value - ref) <= 5 * math.hypot(m.se, ref_se)
    # predict = f* + 0.1: excess risk 0.01 exactly
    shifted = t.excess_risk(lambda X: t(X) + 0.1, 100, rng=11)
    assert shifted.value == pytest.approx(0.01, rel=1e-9) and shifted.se == pytest.approx(0.0, abs=1e-12)


# --------------------------------------------------------------------------------------------
# TwoLayerReLU
# --------------------------------------------------------------------------------------------

def _net_by_hand(net, X):
    """m^{-1/2} sum_r s_r a_r relu(w_r . x), by an explicit loop over neurons."""
    W, a, s = (net.weight.detach().numpy(), net.output.detach().numpy(), net.neuron_mask.numpy())
    out = np.zeros(len(X))
    for r in range(net.width):
        out += s[r] * a[r] * np.maximum(X @ W[r], 0.0)
    return out / math.sqrt(net.width)


@pytest.mark.parametrize("train_output", [False, True])
def test_two_layer_relu_zero_at_init_and_forward(train_output):
    net = sp.TwoLayerReLU(4, 32, seed=0, train_output=train_output)
    W, a = net.weight.detach().numpy(), net.output.detach().numpy()
    np.testing.assert_array_equal(W[:16], W[16:])
    np.testing.assert_array_equal(a[:16], -a[16:])
    assert net.output.requires_grad == train_output and net.weight.requires_grad
    X = np.random.default_rng(0).normal(size=(20, 4))
    np.testing.assert_allclose(net.predict(X), 0.0, atol=1e-13)
    free = sp.TwoLayerReLU(4, 33, seed=1, antisymmetric=False)
    np.testing.assert_allclose(free.predict(X), _net_by_hand(free, X), rtol=1e-12, atol=1e-14)
    assert np.abs(free.predict(X)).max() > 0.1
    with torch.no_grad():
        free.neuron_mask[::3] = 0
    np.testing.assert_allclose(free.predict(X), _net_by_hand(free, X), rtol=1e-12, atol=1e-14)
    np.testing.assert_array_equal(sp.TwoLayerReLU(4, 32, seed=0).weight.detach().numpy(), W)   # seeded


def test_two_layer_relu_odd_width_refused():
    with pytest.raises(ValueError, match="`width`"):
        sp.TwoLayerReLU(3, 7)
    assert sp.TwoLayerReLU(3, 7, antisymmetric=False).width == 7


def _masked_net(train_output, seed=0, neurons=False, weights=False, m=40, d=4):
    net = sp.TwoLayerReLU(d, m, seed=seed, train_output=train_output, antisymmetric=False)
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        if neurons:
            net.neuron_mask[torch.as_tensor(rng.choice(m, m // 3, replace=False))] = 0
        if weights:
            net.weight_mask.copy_(torch.as_tensor(rng.random((m, d)) < 0.6, dtype=torch.float64))
    return net


@pytest.mark.parametrize("train_output", [False, True])
@pytest.mark.parametrize("neurons, weights", [(False, False), (True, False), (False, True), (True, True)])
def test_two_layer_relu_ntk_equals_empirical_ntk(train_output, neurons, weights):
    net = _masked_net(train_output, seed=3, neurons=neurons, weights=weights)
    rng = np.random.default_rng(4)
    X1, X2 = rng.normal(size=(7, 4)), rng.normal(size=(5, 4))
    np.testing.assert_allclose(net.ntk(X1), kn.empirical_ntk(net, X1), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(net.ntk(X1, X2), kn.empirical_ntk(net, X1, X2), rtol=1e-10, atol=1e-12)


def test_masking_is_loewner_decreasing_and_removes_the_masked_columns():
    m, d = 40, 4
    X = np.random.default_rng(5).normal(size=(12, d))
    for train_output in (False, True):
        full = _masked_net(train_output, seed=6, m=m, d=d)
        K = full.ntk(X)
        W, a = full.weight.detach().numpy(), full.output.detach().numpy()
        for neurons, weights in ((True, False), (False, True), (True, True)):
            net = _masked_net(train_output, seed=6, neurons=neurons, weights=weights, m=m, d=d)
            K_S = net.ntk(X)
            lam, lam_S = np.linalg.eigvalsh(K), np.linalg.eigvalsh(K_S)
            assert np.all(lam_S <= lam + 1e-10 * lam.max())
            D = K - K_S
            assert np.linalg.eigvalsh(D).min() >= -1e-10 * lam.max()
            # D = J_{S^c} J_{S^c}^T, the removed Jacobian columns, by a loop over neurons and entries
            s, M = net.neuron_mask.numpy(), net.weight_mask.numpy()
            ref = np.zeros_like(K)
            for r in range(m):
                z = X @ W[r]
                act = (z > 0).astype(float)
                for k in range(d):
                    if s[r] == 0 or M[r, k] == 0:
                        g = a[r] * act * X[:, k] / math.sqrt(m)        # d f / d W[r, k]
                        ref += np.outer(g, g)
                if train_output and s[r] == 0:
                    g = np.maximum(z, 0) / math.sqrt(m)               # d f / d a[r]
                    ref += np.outer(g, g)
            np.testing.assert_allclose(D, ref, rtol=1e-9, atol=1e-12)


def test_weight_mask_keeps_the_forward_value():
    net = _masked_net(True, seed=7)
    X = np.random.default_rng(8).normal(size=(10, 4))
    before = _net_by_hand(net, X)
    with torch.no_grad():
        net.weight_mask.copy_(torch.as_tensor(np.random.default_rng(9).random((40, 4)) < 0.5, dtype=torch.float64))
    np.testing.assert_allclose(net.predict(X), before, rtol=1e-13, atol=1e-15)
    # ... but freezes the masked entries: their gradient is zero
    out = net(torch.as_tensor(X)).sum()
    out.backward()
    assert torch.all(net.weight.grad[net.weight_mask == 0] == 0)
    assert torch.any(net.weight.grad[net.weight_mask == 1] != 0)


# --------------------------------------------------------------------------------------------
# train_gd
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("train_output", [False, True])
def test_train_gd_one_step_is_kernel_step(train_output):
    n, d, m = 10, 3, 256
    X = sp.uniform_sphere(n, d, rng=12)
    y = np.random.default_rng(13).normal(size=n)
    net = sp.TwoLayerReLU(d, m, seed=14, train_output=train_output, antisymmetric=False)
    K = kn.empirical_ntk(net, X)
    f0 = _net_by_hand(net, X)
    step = 1e-5
    assert sp.train_gd(net, X, y, step, 1) == []
    f1 = _net_by_hand(net, X)
    pred = -step * K @ (f0 - y) / n
    assert np.linalg.norm((f1 - f0) - pred) <= 1e-4 * np.linalg.norm(pred)


def test_train_gd_loss_decreases_and_eval_schedule():
    n, d = 15, 3
    X, y, _ = sp.SphereTeacher(d, seed=15).sample(n, rng=16)
    net = sp.TwoLayerReLU(d, 64, seed=17)
    step = 1.0 / np.linalg.eigvalsh(kn.empirical_ntk(net, X) / n).max()

    def loss(t, model):
        return t, 0.5 * float(np.mean((_net_by_hand(model, X) - y) ** 2))

    out = sp.train_gd(net, X, y, step, 20, eval_every=1, eval_fn=loss)
    assert [t for t, _ in out] == list(range(21))
    losses = np.array([v for _, v in out])
    assert losses[0] == pytest.approx(0.5 * np.mean(y ** 2), rel=1e-12)     # f_0 = 0
    assert np.all(np.diff(losses) <= 1e-12) and losses[-1] < 0.9 * losses[0]
    ts = [t for t, _ in sp.train_gd(sp.TwoLayerReLU(d, 4, seed=0), X, y, 0.1, 10, eval_every=3, eval_fn=loss)]
    assert ts == [0, 3, 6, 9, 10]


def _kernel_regime_gap(m, t, X, y):
    net = sp.TwoLayerReLU(X.shape[1], m, seed=18)
    K = net.ntk(X)
    f_kernel = kn.kernel_gradient_descent(K, y, 1.0, t)
    sp.train_gd(net, X, y, 1.0, t)
    f_net = _net_by_hand(net, X)
    return np.linalg.norm(f_net - f_kernel) / np.linalg.norm(f_kernel)


def test_wide_net_trains_like_kernel_gradient_descent():
    """NTK parametrization: the trained net tracks kernel GD on its initial NTK, closer as m grows."""
    n, d, t = 20, 3, 60
    X, y, _ = sp.SphereTeacher(d, noise_std=0.1, seed=19).sample(n, rng=20)
    # the kernel iteration has moved well away from f_0 = 0 by t (the comparison is not trivial)
    f_inf = kn.kernel_gradient_descent(kn.two_layer_relu_ntk(X, output_layer=False), y, 1.0, t)
    assert np.linalg.norm(f_inf) > 0.3 * np.linalg.norm(y)
    wide, narrow = _kernel_regime_gap(8192, t, X, y), _kernel_regime_gap(128, t, X, y)
    assert wide < 0.05
    assert wide < narrow
