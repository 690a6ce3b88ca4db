"""Compressed linear regression: closed forms against Monte Carlo, brute force and Gaussian MI."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from theory import catalog
from theory.claims import check, holds
from theory.information import gaussian_mutual_information
from theory.testbeds.linear import CompressedLinearRegression, design_matrix

# Hypothesis tests below make ~4 Monte Carlo comparisons per example over ~15 examples; at 4 SE the
# family-wise false-alarm rate is below 0.5 % (two-sided 6.3e-5 per comparison). Single
# comparisons use the project's 3 SE.
N_SE_FAMILY = 4.0


def straddling(d=20, n=50, noise_var=1.0):
    tau2 = np.geomspace(10.0, 0.01, d) / n
    return CompressedLinearRegression(d, n, noise_var, np.ones(d), tau2)


models = st.builds(
    lambda d, extra, s2, seed: _random_model(d, d + extra, s2, seed),
    st.integers(1, 8), st.integers(1, 60), st.floats(0.1, 4.0), st.integers(0, 10_000))


def _random_model(d, n, s2, seed):
    rng = np.random.default_rng(seed)
    lam = rng.uniform(0.2, 3.0, d)
    tau2 = s2 / (n * lam) * np.exp(rng.uniform(np.log(0.05), np.log(20.0), d))  # SNRs in [0.05, 20]
    return CompressedLinearRegression(d, n, s2, lam, tau2)


def test_uncompressed_closed_forms_against_monte_carlo():
    m = straddling()
    sim = m.simulate(math.inf, 20000, rng=1)
    for est, exact in ((sim.uncompressed_empirical_risk, m.uncompressed_empirical_risk()),
                       (sim.uncompressed_population_risk, m.uncompressed_population_risk()),
                       (sim.uncompressed_generalization_error, m.uncompressed_generalization_error())):
        assert abs(est.value - exact) <= 3 * est.se, (est, exact)
    # at R = ∞ the compressed estimator is the OLS estimator
    assert m.population_risk(math.inf) == pytest.approx(m.noise_var * (1 + m.d / m.n), rel=1e-12)


@pytest.mark.parametrize("rate", [0.0, 1.0, 4.0, 12.0])
def test_closed_forms_against_monte_carlo_on_straddling_spectrum(rate):
    m = straddling()
    sim = m.simulate(rate, 20000, rng=int(rate * 10) + 3)
    for name in ("empirical_risk", "population_risk", "generalization_error", "distortion"):
        est = getattr(sim, name)
        exact = getattr(m, name)(rate)
        assert abs(est.value - exact) <= 3 * est.se, (name, est, exact)


@settings(max_examples=15)
@given(models, st.floats(0.0, 6.0))
def test_closed_forms_against_monte_carlo_random_models(m, rate):
    sim = m.simulate(rate, 4000, rng=123)
    for name in ("empirical_risk", "population_risk", "generalization_error", "distortion"):
        est = getattr(sim, name)
        assert holds(getattr(m, name)(rate), est.value, est.se, relation="==", n_se=N_SE_FAMILY), name


@settings(max_examples=15)
@given(models, st.floats(0.0, 8.0))
def test_population_risk_bound_holds(m, rate):
    p = {"d": m.d, "n": m.n, "noise_var": m.noise_var, "feature_eigs": m.feature_eigs,
         "prior_vars": m.prior_vars, "rate": rate, "reps": 3000}
    row = check(catalog.LINEAR_BOUND, p, rng=7, n_se=N_SE_FAMILY)
    assert row.holds, row
    # the tighter bound with the exact conditional MI is below the one with R
    cmi = m.conditional_mutual_information(rate)
    assert m.population_risk_bound(rate, mi=cmi) <= m.population_risk_bound(rate) + 1e-12
    # and the closed-form population risk itself is below both
    assert m.population_risk(rate) <= m.population_risk_bound(rate, mi=cmi) + 1e-12


@settings(max_examples=40)
@given(models, st.floats(0.0, 10.0))
def test_decomposition_identity(m, rate):
    """E L_μ(Ŵ) = E L_S(W) + D(R) + gen(Ŵ) (Bu et al., AAAI 2020)."""
    lhs = m.population_risk(rate)
    rhs = m.uncompressed_empirical_risk() + m.distortion(rate) + m.generalization_error(rate)
    assert lhs == pytest.approx(rhs, rel=1e-10, abs=1e-12)


@settings(max_examples=40)
@given(models)
def test_optimal_rate_against_brute_force(m):
    opt = m.optimal_rate()
    finite_max = float(np.sum(0.5 * np.log(m.whitened_variances / (m.whitened_variances.min() / 1e3))))
    rates = np.concatenate([np.linspace(0, finite_max, 400), [math.inf]])
    risks = m.population_risk(rates)
    assert opt.population_risk <= risks.min() + 1e-10
    assert m.population_risk(opt.rate) == pytest.approx(opt.population_risk, rel=1e-10)
    assert opt.population_risk <= m.uncompressed_population_risk() + 1e-12


@settings(max_examples=60)
@given(models)
def test_compression_helps_criterion_against_brute_force(m):
    """Σ (s_i−1)/(s_i+1) < 0 iff the brute-force optimum beats OLS (water-filling family)."""
    finite_max = float(np.sum(0.5 * np.log(m.whitened_variances / (m.whitened_variances.min() / 1e3))))
    best = np.min(m.population_risk(np.linspace(0, finite_max, 2000)))
    margin = m.uncompressed_population_risk() - best
    if abs(np.sum((m.snr - 1) / (m.snr + 1))) > 1e-3:   # away from the tie
        assert m.compression_helps() == (margin > 1e-12)


def test_optimal_rate_interior_on_experiment_spectrum():
    m = straddling()
    opt = m.optimal_rate()
    assert 0 < opt.rate < math.inf
    assert opt.population_risk < m.uncompressed_population_risk() - 0.05
    # all SNR > 1: compression never helps, the optimum is the uncompressed estimator
    hi = CompressedLinearRegression(5, 50, 1.0, np.ones(5), np.full(5, 10.0 / 50))
    assert hi.optimal_rate().rate == math.inf
    # all SNR < 1: the best is to send nothing
    lo = CompressedLinearRegression(5, 50, 1.0, np.ones(5), np.full(5, 0.2 / 50))
    assert lo.optimal_rate().rate == 0.0


def _rate_at_level(m, theta):
    """R(θ) = Σ_{v_i>θ} ½ log(v_i/θ): the rate of reverse water-filling at water level θ."""
    v = m.whitened_variances
    return float(np.sum(np.where(v > theta, 0.5 * np.log(v / theta), 0.0)))


@settings(max_examples=40)
@given(models, st.floats(0.02, 0.98))
def test_risk_slope_in_the_water_level_is_the_top_k_sum(m, frac):
    """d E L_μ / dθ = Σ_{v_i>θ} (s_i−1)/(s_i+1), from the SNRs, against finite differences of the module.

    The module is only asked for risks at rates; the slope is derived from the definition of the
    SNR, s_i = nλ_iτ_i²/σ², so a wrong term in either the risk or the rate shows up here.
    """
    v = np.sort(m.whitened_variances)
    theta = frac * v[-1]
    if np.min(np.abs(v - theta)) < 1e-6 * v[-1]:
        return                                               # at a kink the slope is not defined
    h = 1e-7 * v[-1]
    fd = (m.population_risk(_rate_at_level(m, theta + h)) - m.population_risk(_rate_at_level(m, theta - h))) / (2 * h)
    s = m.n * m.feature_eigs * m.prior_vars / m.noise_var
    slope = np.sum(np.where(m.whitened_variances > theta, (s - 1) / (s + 1), 0.0))
    assert fd == pytest.approx(slope, rel=1e-4, abs=1e-6)


def test_risk_is_unimodal_not_convex_in_the_water_level():
    """SNRs (3, 5): the slope falls from 1/2 + 2/3 to 2/3, a concave segment; the risk still rises."""
    n = 10
    m = CompressedLinearRegression(2, n, 1.0, [1.0, 1.0], [3.0 / n, 5.0 / n])
    v = m.whitened_variances                                  # (0.4, 0.6)
    thetas = np.linspace(0.01, 0.59, 59)
    risk = np.array([m.population_risk(_rate_at_level(m, th)) for th in thetas])
    slopes = np.diff(risk) / np.diff(thetas)
    before, after = slopes[thetas[1:] < v[0] - 0.01], slopes[thetas[:-1] > v[0] + 0.01]
    assert before == pytest.approx(np.full(before.size, 0.5 + 2 / 3), rel=1e-6)
    assert after == pytest.approx(np.full(after.size, 2 / 3), rel=1e-6)   # smaller: not convex
    assert not m.compression_helps() and m.optimal_rate().rate == math.inf


@settings(max_examples=60)
@given(models)
def test_risk_slope_changes_sign_at_most_once(m):
    """Unimodality in θ: along the water level the slope goes from negative to positive at most once."""
    v = np.sort(m.whitened_variances)
    levels = np.concatenate([[0.0], v])
    mids = (levels[:-1] + levels[1:]) / 2
    s = m.snr
    slopes = [np.sum(np.where(m.whitened_variances > th, (s - 1) / (s + 1), 0.0)) for th in mids]
    signs = [np.sign(x) for x in slopes if abs(x) > 1e-12]
    assert all(a <= b for a, b in zip(signs, signs[1:])), slopes


def test_compression_helps_at_an_exact_tie_and_beside_it():
    """Σ (s_i−1)/(s_i+1) = 0 exactly (SNRs 3, 3, 0): no rate beats OLS; a hair below 0: one does."""
    tie = CompressedLinearRegression(3, 4, 1.0, [1.0, 1.0, 1.0], [0.75, 0.75, 0.0])
    assert list(tie.snr) == [3.0, 3.0, 0.0]
    assert not tie.compression_helps()
    rates = np.linspace(0.0, 40.0, 4001)
    assert np.min(tie.population_risk(rates)) >= tie.uncompressed_population_risk() - 1e-12
    near = CompressedLinearRegression(3, 4, 1.0, [1.0, 1.0, 1.0], [0.75, 0.74, 0.0])
    assert near.compression_helps()
    assert np.min(near.population_risk(rates)) < near.uncompressed_population_risk() - 1e-4


def test_population_risk_bound_is_the_root_of_its_defining_inequality():
    """P ≤ E + √(c(2P − σ²)) (gen ≤ √(4σ²(2P−σ²)I/n)): the bound is its largest root, found by brentq.

    This pins every term of the closed form P = E + c + √(c(2E + c − σ²)), the inner +c included.
    """
    from scipy.optimize import brentq

    m = straddling()
    for rate in (0.5, 2.0, 5.0, 20.0):
        E, s2 = m.empirical_risk(rate), m.noise_var
        c = 4 * s2 * rate / m.n
        P = brentq(lambda P: P - E - math.sqrt(c * (2 * P - s2)), max(E, s2 / 2) + 1e-12, E + 10 * c + 10 * s2,
                   xtol=1e-14)
        assert m.population_risk_bound(rate) == pytest.approx(P, rel=1e-10)


@settings(max_examples=30)
@given(models, st.floats(0.01, 10.0))
def test_conditional_mi_against_gaussian_channel(m, rate):
    """I(U;Û | u*) per coordinate from the 2x2 Gaussian covariance, independently of the module."""
    t = m.compression_factors(rate)
    e = m.noise_var / m.n
    total = 0.0
    for ti, vi in zip(t, m.whitened_variances):
        if ti >= 1.0:
            continue
        if ti <= 0.0:
            total = math.inf
            break
        cov = np.array([[e, (1 - ti) * e], [(1 - ti) * e, (1 - ti) ** 2 * e + ti * (1 - ti) * vi]])
        total += gaussian_mutual_information(cov, 1)
    assert m.conditional_mutual_information(rate) == pytest.approx(total, rel=1e-8, abs=1e-10)
    assert m.conditional_mutual_information(rate) <= rate + 1e-9


def test_rate_is_water_filling_rate():
    m = straddling()
    for r in (0.5, 2.0, 7.0):
        t = m.compression_factors(r)
        assert np.sum(0.5 * np.log(1 / t)) == pytest.approx(r, rel=1e-10)


def test_design_matrix():
    lam = np.array([3.0, 1.0, 0.25])
    X = design_matrix(40, lam, rng=0)
    np.testing.assert_allclose(X.T @ X / 40, np.diag(lam), atol=1e-12)
    np.testing.assert_array_equal(X, design_matrix(40, lam, rng=0))


def test_simulate_reproducible():
    m = straddling()
    a = m.simulate(2.0, 50, rng=5)
    b = m.simulate(2.0, 50, rng=5)
    assert a == b


def test_closed_forms_stay_finite_and_correct_for_a_huge_sample():
    """n = 10**15 (closed forms only; simulate refuses such an n): the uncompressed risks are
    sigma^2 (1 -+ d/n) and gen = 2 sigma^2 d / n, to float precision."""
    m = CompressedLinearRegression(2, 10**15, 1.0, [1.0, 2.0], [0.5, 1e-20])
    assert m.uncompressed_generalization_error() == pytest.approx(4e-15, rel=1e-12)
    for r in (0.0, 1.0, 40.0, np.inf):
        assert np.isfinite(m.population_risk(r)) and np.isfinite(m.generalization_error(r))
    # at rate inf nothing is compressed: the closed forms are the OLS ones
    assert m.generalization_error(np.inf) == pytest.approx(4e-15, rel=1e-12)
    assert m.population_risk(np.inf) == pytest.approx(1.0 + 2e-15, rel=1e-15)
