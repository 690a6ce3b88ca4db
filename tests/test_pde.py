"""theory.testbeds.pde: each solver against an independent computation.

- Burgers (pseudo-spectral ETDRK4) against the Cole–Hopf Bessel series for a sine initial
  condition (and its Galilean shift for a non-zero mean), spectral convergence in N, fourth-order
  convergence in the time step, exact conservation of the mean, batch = one-at-a-time, and the
  small-amplitude limit against the heat equation (which checks the nu/pi convention);
- heat against the single-mode decay exp(-4 pi^2 k^2 kappa t) and the semigroup property;
- Darcy against closed forms and a second-order finite-difference solve on a fine grid;
- the laws of log nu against histograms and Monte Carlo of their samplers.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.linalg import solve_banded

from theory.testbeds import pde


def _sine(N, A=1.0):
    x = pde.periodic_grid(N)
    return x, A * np.sin(2 * np.pi * x)


# --------------------------------------------------------------------------------------------
# Burgers
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("nu, A, N, t", [(0.1, 1.0, 128, 0.5), (0.05, 1.0, 256, 0.3), (0.2, -0.7, 128, 1.0),
                                         (0.1, 1.5, 256, 0.25)])
def test_burgers_matches_cole_hopf(nu, A, N, t):
    x, u0 = _sine(N, A)
    u = pde.burgers(u0, nu, t)
    exact = pde.burgers_sine_exact(x, t, nu, A)
    assert np.max(np.abs(u - exact)) < 1e-8


def test_burgers_nonzero_mean_is_the_galilean_shift():
    # u0 = c + A sin(2 pi x)  ->  u(x, t) = c + v(x - c t, t), v the zero-mean solution.
    N, nu, t, c = 128, 0.1, 0.4, 0.3
    x, u0 = _sine(N)
    u = pde.burgers(u0 + c, nu, t)
    exact = c + pde.burgers_sine_exact(x - c * t, t, nu)
    assert np.max(np.abs(u - exact)) < 1e-8


def test_cole_hopf_series_solves_burgers():
    # Finite differences of the series in x and t satisfy the PDE to the truncation error.
    nu, t, h = 0.1, 0.3, 1e-4
    kappa = nu / math.pi
    x = np.linspace(0, 1, 41)
    u = pde.burgers_sine_exact(x, t, nu)
    ut = (pde.burgers_sine_exact(x, t + h, nu) - pde.burgers_sine_exact(x, t - h, nu)) / (2 * h)
    up, um = pde.burgers_sine_exact(x + h, t, nu), pde.burgers_sine_exact(x - h, t, nu)
    residual = ut + u * (up - um) / (2 * h) - kappa * (up - 2 * u + um) / h ** 2
    assert np.max(np.abs(residual)) < 1e-5


def test_burgers_spectral_convergence_in_N():
    nu, t = 0.1, 0.5
    errs = []
    for N in (16, 32, 64):
        x, u0 = _sine(N)
        errs.append(np.max(np.abs(pde.burgers(u0, nu, t, n_steps=500) - pde.burgers_sine_exact(x, t, nu))))
    assert errs[1] < errs[0] / 50 and errs[2] < errs[1] / 1000, errs


def test_burgers_fourth_order_in_dt():
    N, nu, t = 64, 0.1, 0.5
    _, u0 = _sine(N)
    ref = pde.burgers(u0, nu, t, n_steps=2000)
    errs = [np.max(np.abs(pde.burgers(u0, nu, t, n_steps=n) - ref)) for n in (20, 40, 80)]
    orders = np.log2(np.array(errs[:-1]) / np.array(errs[1:]))
    assert np.all((orders > 3.6) & (orders < 4.4)), (errs, orders)


def test_burgers_conserves_the_mean_exactly():
    u0 = pde.random_initial_conditions(8, 64, rng=1) + np.linspace(-0.5, 0.5, 8)[:, None]
    nu = np.exp(np.linspace(np.log(0.01), np.log(1.0), 8))
    u = pde.burgers(u0, nu, 1.0, save_times=[0.2, 0.7, 1.0])
    np.testing.assert_allclose(u.mean(axis=-1), np.repeat(u0.mean(axis=-1)[:, None], 3, axis=1), rtol=0,
                               atol=1e-14)


def test_burgers_batch_equals_one_at_a_time():
    u0 = pde.random_initial_conditions(5, 64, rng=2)
    nu = np.array([0.02, 0.05, 0.1, 0.4, 2.0])
    batch = pde.burgers(u0, nu, 0.5, dt=2e-3)
    single = np.stack([pde.burgers(u0[i], nu[i], 0.5, dt=2e-3) for i in range(5)])
    np.testing.assert_allclose(batch, single, rtol=0, atol=1e-13)
    # a scalar nu equals a constant per-sample nu
    np.testing.assert_array_equal(pde.burgers(u0, 0.1, 0.5, dt=2e-3), pde.burgers(u0, np.full(5, 0.1), 0.5, dt=2e-3))


def test_burgers_save_times_match_cole_hopf_and_shapes():
    x, u0 = _sine(128)
    times = np.array([0.0, 0.05, 0.2, 0.5])
    u = pde.burgers(np.stack([u0, 2 * u0]), [0.1, 0.2], 0.5, save_times=times)
    assert u.shape == (2, 4, 128)
    np.testing.assert_array_equal(u[:, 0], np.stack([u0, 2 * u0]))
    for j, t in enumerate(times):
        assert np.max(np.abs(u[0, j] - pde.burgers_sine_exact(x, t, 0.1))) < 1e-8
        assert np.max(np.abs(u[1, j] - pde.burgers_sine_exact(x, t, 0.2, 2.0))) < 1e-8
    assert pde.burgers(u0, 0.1, 0.5, save_times=times).shape == (4, 128)
    assert pde.burgers(u0, 0.1, 0.0).shape == (128,)
    np.testing.assert_array_equal(pde.burgers(u0, 0.1, 0.0), u0)


def test_burgers_small_amplitude_is_the_heat_equation_with_kappa_nu_over_pi():
    u0 = 1e-6 * pde.random_initial_conditions(4, 64, rng=3)
    nu = np.array([0.01, 0.1, 0.5, 3.0])
    u = pde.burgers(u0, nu, 0.3)
    h = pde.heat(u0, nu / np.pi, 0.3)
    assert np.max(np.abs(u - h)) < 1e-6 * 1e-5


def test_burgers_is_reproducible_and_the_default_dt_is_accurate():
    u0 = pde.random_initial_conditions(6, 128, rng=4)
    nu = np.full(6, 0.02)
    u = pde.burgers(u0, nu, 1.0)
    np.testing.assert_array_equal(u, pde.burgers(u0, nu, 1.0))
    fine = pde.burgers(u0, nu, 1.0, n_steps=4000)
    assert np.max(np.abs(u - fine)) < 1e-7


# --------------------------------------------------------------------------------------------
# random initial conditions
# --------------------------------------------------------------------------------------------

def test_random_initial_conditions():
    u0 = pde.random_initial_conditions(200, 64, rng=5, modes=3, k_max=5, amplitude=0.5)
    assert u0.shape == (200, 64)
    np.testing.assert_allclose(u0.mean(axis=1), 0, atol=1e-14)
    assert np.max(np.abs(u0)) <= 3 * 0.5
    spec = np.abs(np.fft.rfft(u0, axis=1))
    assert np.max(spec[:, 6:]) < 1e-12 and np.all(spec[:, 1:6].sum(axis=1) > 0)
    np.testing.assert_array_equal(u0, pde.random_initial_conditions(200, 64, rng=5, modes=3, k_max=5,
                                                                    amplitude=0.5))


# --------------------------------------------------------------------------------------------
# heat
# --------------------------------------------------------------------------------------------

def test_heat_single_mode_decay():
    N = 32
    x = pde.periodic_grid(N)
    k = np.arange(1, 6)
    u0 = np.cos(2 * np.pi * k[:, None] * x + 0.3) + 0.7
    kappa = np.array([0.0, 0.01, 0.05, 0.1, 1.0])
    t = np.array([0.0, 0.1, 0.3])
    u = pde.heat(u0, kappa, t)
    decay = np.exp(-4 * np.pi ** 2 * (k ** 2 * kappa)[:, None] * t)
    expected = 0.7 + decay[:, :, None] * np.cos(2 * np.pi * k[:, None, None] * x + 0.3)
    np.testing.assert_allclose(u, expected, rtol=0, atol=1e-13)


def test_heat_semigroup_and_single_input():
    u0 = pde.random_initial_conditions(3, 64, rng=6)
    a = pde.heat(pde.heat(u0, 0.02, 0.1), 0.02, 0.25)
    np.testing.assert_allclose(a, pde.heat(u0, 0.02, 0.35), rtol=0, atol=1e-13)
    np.testing.assert_allclose(pde.heat(u0[0], 0.02, 0.35), pde.heat(u0, 0.02, 0.35)[0], rtol=0, atol=1e-15)


# --------------------------------------------------------------------------------------------
# Darcy
# --------------------------------------------------------------------------------------------

def _darcy_fd(a_fn, f_fn, M):
    """Second-order finite differences: -(a_{i+1/2}(u_{i+1}-u_i) - a_{i-1/2}(u_i-u_{i-1}))/h^2 = f_i."""
    x = np.linspace(0, 1, M)
    h = x[1] - x[0]
    ap = a_fn(x[1:-1] + h / 2)
    am = a_fn(x[1:-1] - h / 2)
    ab = np.zeros((3, M - 2))
    ab[0, 1:] = -ap[:-1]
    ab[1] = ap + am
    ab[2, :-1] = -am[1:]
    u = np.zeros(M)
    u[1:-1] = solve_banded((1, 1), ab, h ** 2 * f_fn(x[1:-1]))
    return x, u


def test_darcy_closed_forms():
    x = np.linspace(0, 1, 101)
    np.testing.assert_allclose(pde.darcy_1d(np.ones(101), np.ones(101), x), x * (1 - x) / 2, rtol=0, atol=1e-15)
    # a = 1 + x, f = 1:  u = ln(1 + x) / ln 2 - x; second order in the grid spacing
    errs = []
    for M in (101, 201, 401):
        x = np.linspace(0, 1, M)
        errs.append(np.max(np.abs(pde.darcy_1d(1 + x, np.ones(M), x) - (np.log1p(x) / np.log(2) - x))))
    assert errs[-1] < 1e-6
    orders = np.log2(np.array(errs[:-1]) / np.array(errs[1:]))
    assert np.all(np.abs(orders - 2) < 0.1), orders


def test_darcy_matches_finite_differences_batched():
    fields = [lambda s: 1 + 0.5 * np.sin(2 * np.pi * s), lambda s: np.exp(np.cos(3 * s)),
              lambda s: 2 + s ** 2]
    f_fn = lambda s: np.cos(4 * s) + 1  # noqa: E731
    M = 201
    x = np.linspace(0, 1, M)
    u = pde.darcy_1d(np.stack([a(x) for a in fields]), f_fn(x), x)
    assert u.shape == (3, M)
    for i, a in enumerate(fields):
        xf, uf = _darcy_fd(a, f_fn, 4001)
        assert np.max(np.abs(u[i] - uf[::20])) < 1e-5
        assert abs(u[i, 0]) < 1e-15 and abs(u[i, -1]) < 1e-15


# --------------------------------------------------------------------------------------------
# laws of log nu
# --------------------------------------------------------------------------------------------

DESIGNS = [("none", {}), ("piecewise", {"ratio_bound": 4.0}), ("gaussian", {"delta": 0.5}),
           ("extrapolation", {})]


@pytest.mark.parametrize("kind, kw", DESIGNS)
def test_samplers_match_their_densities(kind, kw):
    src, tgt = pde.shift_design(kind, 0.01, 1.0, **kw)
    rng = np.random.default_rng(7)
    n = 200_000
    for law in (src, tgt):
        z = pde.sample_log_nu(n, rng, law)
        edges = np.linspace(np.log(0.01) - 2, 2, 61)
        counts, _ = np.histogram(z, edges)
        width = edges[1] - edges[0]
        # expected bin counts by fine quadrature of the pdf
        fine = np.linspace(edges[0], edges[-1], 60 * 400 + 1)
        dens = law.pdf(fine)
        cum = np.concatenate([[0], np.cumsum((dens[1:] + dens[:-1]) / 2 * np.diff(fine))])
        expected = n * np.diff(cum[::400])
        assert abs(counts.sum() - expected.sum()) < 5 * math.sqrt(n) + 0.01 * n * width
        ok = expected > 50
        z_scores = (counts[ok] - expected[ok]) / np.sqrt(expected[ok])
        assert np.max(np.abs(z_scores)) < 5.5, np.max(np.abs(z_scores))


@pytest.mark.parametrize("kind, kw", DESIGNS[:3])
def test_density_ratio_integrates_to_one_under_the_source(kind, kw):
    src, tgt = pde.shift_design(kind, 0.01, 1.0, **kw)
    z = pde.sample_log_nu(400_000, 8, src)
    w = pde.density_ratio(z, src, tgt)
    assert abs(w.mean() - 1) <= 4 * w.std() / math.sqrt(len(w)) + 1e-12
    grid = np.linspace(np.log(0.01) - 15, 15, 300_001)
    p = src.pdf(grid)
    assert abs(np.trapezoid(pde.density_ratio(grid, src, tgt) * p, grid) - 1) < 1e-3


def test_piecewise_and_gaussian_closed_forms():
    B = 4.0
    src, tgt = pde.shift_design("piecewise", 0.01, 1.0, ratio_bound=B)
    z = np.log([0.02, 0.09, 0.11, 0.9])
    np.testing.assert_allclose(pde.density_ratio(z, src, tgt), [B, B, 1 / B, 1 / B])
    zt = pde.sample_log_nu(200_000, 9, tgt)
    lw = np.log(pde.density_ratio(zt, src, tgt))
    assert abs(lw.mean() - (B - 1) / (B + 1) * math.log(B)) < 4 * lw.std() / math.sqrt(len(lw))
    zs = pde.sample_log_nu(200_000, 10, src)
    w = pde.density_ratio(zs, src, tgt)
    assert abs(np.mean(w ** 2) - 1 - (B - 1) ** 2 / B) < 4 * np.std(w ** 2) / math.sqrt(len(w))
    s, d = 0.4, 0.3
    src, tgt = pde.shift_design("gaussian", 0.01, 1.0, delta=d, std=s)
    zs = pde.sample_log_nu(400_000, 11, src)
    w2 = pde.density_ratio(zs, src, tgt) ** 2
    assert abs(np.mean(w2) - math.exp(d ** 2 / s ** 2)) < 4 * np.std(w2) / math.sqrt(len(w2))


def test_extrapolation_ratio_is_infinite_off_the_source_support():
    src, tgt = pde.shift_design("extrapolation", 0.01, 1.0)
    zt = pde.sample_log_nu(1000, 12, tgt)
    assert np.all(np.isinf(pde.density_ratio(zt[zt > np.log(0.1)], src, tgt)))
    zs = pde.sample_log_nu(1000, 13, src)
    assert np.all(pde.density_ratio(zs[zs < np.log(0.1)], src, tgt) == 0)
    assert pde.density_ratio([5.0], src, tgt)[0] == 0  # outside both supports


def test_sample_log_nu_reproducible():
    law = pde.LogNuLaw("piecewise", -3.0, 1.0, upper_mass=0.3)
    np.testing.assert_array_equal(pde.sample_log_nu(50, 14, law), pde.sample_log_nu(50, 14, law))
