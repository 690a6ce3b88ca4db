"""Tests for theory.testbeds.gaussian_mean.

Closed forms are checked against Monte Carlo (3 standard errors), against independent Gaussian
information computations (joint covariances fed to theory.information, whose own tests check
them against scipy), against numerical integration with scipy.stats.chi2 and mpmath, against a
brute-force posterior on a grid, and against an asymptotic expansion derived by hand.
"""

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate
from scipy.stats import chi2

from theory import bounds, information
from theory.claims import Measurement
from theory.testbeds.gaussian_mean import GaussianMeanEstimation, GibbsGaussianMean


def within_3se(m: Measurement, value: float) -> bool:
    return abs(m.value - value) <= 3 * m.se


# ------------------------------------------------------------------------------------------
# GaussianMeanEstimation
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("n,d,s2,mean,seed", [(1, 1, 1.0, 0.0, 0), (2, 3, 0.5, 2.0, 1), (10, 2, 2.0, -1.0, 2),
                                              (50, 1, 3.0, 0.0, 3)])
def test_gen_closed_form_against_simulation(n, d, s2, mean, seed):
    gm = GaussianMeanEstimation(n, d=d, sigma2=s2, mean=mean)
    m = gm.simulate(40_000, seed)
    assert m.se > 0
    assert within_3se(m, gm.generalization_error())
    assert gm.generalization_error() == 2 * s2 * d / n


@settings(max_examples=8)
@given(n=st.integers(2, 30), d=st.integers(1, 4), s2=st.floats(0.1, 10.0), seed=st.integers(0, 10**6))
def test_gen_against_simulation_hypothesis(n, d, s2, seed):
    gm = GaussianMeanEstimation(n, d=d, sigma2=s2)
    assert within_3se(gm.simulate(5000, seed), gm.generalization_error())


def test_simulate_seeded_and_chunked():
    gm = GaussianMeanEstimation(7, d=2)
    assert gm.simulate(1000, 5) == gm.simulate(1000, 5)
    assert gm.simulate(1000, 5) != gm.simulate(1000, 6)
    # a data set larger than one chunk (2^22 floats) still gives the right answer
    big = GaussianMeanEstimation(3000, d=1, sigma2=1.0)
    m = big.simulate(2000, 0)
    assert within_3se(m, big.generalization_error())


@given(n=st.integers(2, 10**6), d=st.integers(1, 20), s2=st.floats(1e-3, 1e3))
def test_individual_mi_against_joint_gaussian(n, d, s2):
    # (W, Z_i): Var W = s2/n I, Var Z_i = s2 I, Cov(W, Z_i) = s2/n I
    cov = np.block([[s2 / n * np.eye(d), s2 / n * np.eye(d)], [s2 / n * np.eye(d), s2 * np.eye(d)]])
    ref = information.gaussian_mutual_information(cov, d)
    gm = GaussianMeanEstimation(n, d=d, sigma2=s2)
    assert gm.mutual_information_individual() == pytest.approx(ref, rel=1e-7)


def test_infinite_quantities():
    gm = GaussianMeanEstimation(5, d=2)
    assert gm.mutual_information_full() == math.inf
    assert gm.xu_raginsky_bound() == math.inf
    one = GaussianMeanEstimation(1)
    assert one.mutual_information_individual() == math.inf
    assert one.individual_sample_bound() == math.inf


@pytest.mark.parametrize("n,d,s2", [(2, 1, 1.0), (5, 3, 0.7), (100, 2, 4.0)])
def test_cgf_against_chi2_integration(n, d, s2):
    gm = GaussianMeanEstimation(n, d=d, sigma2=s2)
    c = s2 * (n + 1) / n
    for t in (0.01, 0.3, 1.0, 5.0):
        # Lambda(-t) = t c d + log E exp(-t c X), X ~ chi2_d, by quadrature
        mgf, _ = integrate.quad(lambda x: math.exp(-t * c * x) * chi2.pdf(x, d), 0, np.inf, limit=200)
        assert gm.cgf(t) == pytest.approx(t * c * d + math.log(mgf), rel=1e-7)


def test_cgf_against_monte_carlo_of_the_loss_under_the_product():
    """Sample W~ (the mean of its own data set) and an independent Z~: the loss has mean c d and
    E exp(-t (loss - c d)) = exp(Lambda(-t))."""
    n, d, s2 = 4, 2, 1.3
    gm = GaussianMeanEstimation(n, d=d, sigma2=s2)
    rng = np.random.default_rng(0)
    reps = 200_000
    w = math.sqrt(s2) * rng.standard_normal((reps, n, d)).mean(1)
    z = math.sqrt(s2) * rng.standard_normal((reps, d))
    loss = np.sum((w - z) ** 2, axis=1)
    c = s2 * (n + 1) / n
    assert abs(loss.mean() - c * d) <= 3 * loss.std(ddof=1) / math.sqrt(reps)
    for t in (0.1, 0.5):
        e = np.exp(-t * (loss - c * d))
        assert abs(e.mean() - math.exp(gm.cgf(t))) <= 3 * e.std(ddof=1) / math.sqrt(reps)


def test_cgf_small_t_accuracy_and_vectorised():
    import mpmath
    mpmath.mp.dps = 50
    gm = GaussianMeanEstimation(3, d=2, sigma2=1.7)
    c = mpmath.mpf(1.7) * 4 / 3
    ts = np.array([0.0, 1e-12, 1e-8, 3e-5, 3.7e-4, 3.8e-4, 1e-2, 2.0, 1e6])
    vals = gm.cgf(ts)
    assert vals.shape == ts.shape
    for t, v in zip(ts, vals):
        u = 2 * c * mpmath.mpf(float(t))
        ref = float(mpmath.mpf(2) / 2 * (u - mpmath.log1p(u)))
        assert v == pytest.approx(ref, rel=1e-13, abs=1e-300)
        assert gm.cgf(float(t)) == v
    assert gm.cgf(ts.reshape(3, 3)).shape == (3, 3)


@settings(max_examples=30)
@given(n=st.integers(2, 10**5), d=st.integers(1, 10), s2=st.floats(1e-2, 1e2))
def test_individual_sample_bound_is_a_bound(n, d, s2):
    gm = GaussianMeanEstimation(n, d=d, sigma2=s2)
    b = gm.individual_sample_bound()
    assert b >= gm.generalization_error()
    # independently: brute-force minimisation of (I + Lambda(-t))/t on a dense grid
    t = np.geomspace(1e-6, 1e3, 200_001) / s2
    c = s2 * (n + 1) / n
    u = 2 * c * t
    psi = 0.5 * d * (u - np.log1p(u))
    ref = float(np.min((gm.mutual_information_individual() + psi) / t))
    assert ref * (1 - 1e-4) <= b <= ref * (1 + 1e-9)


def test_individual_sample_bound_asymptotics():
    """Expansion derived by hand: with eps^2 = log(n/(n-1)) and g(u) = eps^2/u + (u - log(1+u))/u,
    min_u g = sqrt(2) eps - (2/3) eps^2 + (sqrt(2)/18) eps^3 + O(eps^4), and c = s2 (1 + 1/n), so
    bound / (s2 d sqrt(2/n)) = 1 - sqrt(2)/(3 sqrt(n)) + (47/36)/n + O(n^{-3/2})."""
    for d, s2 in ((1, 1.0), (3, 2.5)):
        for n in (10**4, 10**5, 10**6):
            gm = GaussianMeanEstimation(n, d=d, sigma2=s2)
            asym = gm.individual_sample_bound_asymptotic()
            assert asym == pytest.approx(s2 * d * math.sqrt(2 / n), rel=1e-14)
            ratio = gm.individual_sample_bound() / asym
            predicted = 1 - math.sqrt(2) / (3 * math.sqrt(n)) + 47 / 36 / n
            assert abs(ratio - predicted) <= 5 * n**-1.5
            assert abs(ratio - 1) <= 1 / math.sqrt(n)


def test_individual_sample_bound_goes_through_bounds_module():
    gm = GaussianMeanEstimation(20, d=2, sigma2=1.5)
    ref = bounds.individual_sample_cgf(np.full(20, gm.mutual_information_individual()), gm.cgf)
    assert gm.individual_sample_bound() == ref
    # and it is O(1/sqrt n) against the true O(1/n): slack grows
    slack = [GaussianMeanEstimation(n).individual_sample_bound() / GaussianMeanEstimation(n).generalization_error()
             for n in (10, 100, 1000)]
    assert slack[0] < slack[1] < slack[2]


def test_frozen():
    gm = GaussianMeanEstimation(5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        gm.n = 3


def test_huge_n_is_accurate_and_needs_no_n_array():
    """n = 10**12: I(W; Z_i) = (d/2) log(n/(n-1)) against mpmath (a difference of logs would lose
    every digit beyond n ~ 1e16), and the individual-sample bound is finite, at least gen, and
    close to its leading order sigma^2 d sqrt(2/n) (no array of n mutual informations is built)."""
    import mpmath

    mpmath.mp.dps = 40
    for n in (10**12, 10**15, 2**53):
        gm = GaussianMeanEstimation(n, d=3, sigma2=2.0)
        ref = float(1.5 * mpmath.log(mpmath.mpf(n) / (mpmath.mpf(n) - 1)))
        assert gm.mutual_information_individual() == pytest.approx(ref, rel=1e-14)
    gm = GaussianMeanEstimation(10**12, d=3, sigma2=2.0)
    b = gm.individual_sample_bound()
    assert math.isfinite(b) and b >= gm.generalization_error()
    assert b / gm.individual_sample_bound_asymptotic() == pytest.approx(1.0, abs=1e-5)


def test_simulate_with_a_large_mean_keeps_its_digits():
    """The simulation is centred at the true mean: with m = 1e12 it still estimates gen = 2 s2 d / n
    (sampling around 1e12 and subtracting would leave only rounding noise of order 1e-4 per draw)."""
    gm = GaussianMeanEstimation(10, d=2, sigma2=0.5, mean=1e12)
    m = gm.simulate(20_000, 3)
    assert within_3se(m, gm.generalization_error())
    assert m == GaussianMeanEstimation(10, d=2, sigma2=0.5).simulate(20_000, 3)
    g = GibbsGaussianMean(10, 2.0, d=2, prior_mean=1e12 + 0.5, mean=1e12)
    assert within_3se(g.simulate(20_000, 4), g.generalization_error())


# ------------------------------------------------------------------------------------------
# GibbsGaussianMean
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("n,gamma,d,s2,m0,v0,m,seed", [(1, 0.5, 1, 1.0, 0.0, 1.0, 0.0, 0),
                                                       (5, 2.0, 2, 0.7, 0.5, 2.0, -0.3, 1),
                                                       (20, 10.0, 3, 1.5, 0.0, 0.1, 1.0, 2)])
def test_gibbs_gen_against_simulation(n, gamma, d, s2, m0, v0, m, seed):
    g = GibbsGaussianMean(n, gamma, d=d, sigma2=s2, prior_mean=m0, prior_var=v0, mean=m)
    assert within_3se(g.simulate(100_000, seed), g.generalization_error())


def test_gibbs_posterior_against_grid():
    """Normalise pi(w) exp(-gamma L_s(w)) on a grid (d = 1) for a fixed sample."""
    g = GibbsGaussianMean(4, 1.7, prior_mean=0.4, prior_var=0.8)
    s = np.array([0.3, -1.2, 2.0, 0.5])
    w = np.linspace(-10, 10, 400_001)
    log_post = -(w - 0.4) ** 2 / (2 * 0.8) - 1.7 * np.mean((w[:, None] - s) ** 2, axis=1)
    p = np.exp(log_post - log_post.max())
    p /= p.sum()
    mean = float(np.sum(p * w))
    var = float(np.sum(p * (w - mean) ** 2))
    v = g.posterior_variance
    assert var == pytest.approx(v, rel=1e-6)
    assert mean == pytest.approx(v * 0.4 / 0.8 + g.shrinkage * s.mean(), rel=1e-6)
    assert g.shrinkage == pytest.approx(2 * 1.7 * v, rel=1e-14)


def _gibbs_posterior(n, gamma, prior_var):
    """(a, v) of the Gibbs posterior derived here, not read from the class.

    P(w|s) ∝ N(w; m₀, σ₀²I)·exp(−γ (1/n)Σ‖w − z_i‖²): completing the square in w gives precision
    1/σ₀² + 2γ, so v = 1/(1/σ₀² + 2γ) and the mean is v(m₀/σ₀² + 2γ z̄) = const + a z̄, a = 2γv.
    """
    v = 1.0 / (1.0 / prior_var + 2.0 * gamma)
    return 2.0 * gamma * v, v


def _joint_cov_w_s(n, d, s2, a, v):
    """Covariance of (W, Z_1, ..., Z_n) for W = const + (a/n) Σ Z_i + √v ξ (stacked d-blocks)."""
    k = n + 1
    cov = np.zeros((k * d, k * d))
    eye = np.eye(d)
    cov[:d, :d] = (a * a * s2 / n + v) * eye
    for i in range(1, k):
        cov[i * d:(i + 1) * d, i * d:(i + 1) * d] = s2 * eye
        cov[:d, i * d:(i + 1) * d] = cov[i * d:(i + 1) * d, :d] = a * s2 / n * eye
    return cov


def _iskl_from_kl(cov, dx):
    """I + L = KL(joint || product) + KL(product || joint), zero means."""
    prod = cov.copy()
    prod[:dx, dx:] = 0.0
    prod[dx:, :dx] = 0.0
    z = np.zeros(cov.shape[0])
    return information.gaussian_kl(z, cov, z, prod) + information.gaussian_kl(z, prod, z, cov)


@settings(max_examples=20)
@given(n=st.integers(1, 6), d=st.integers(1, 3), gamma=st.floats(0.01, 50.0), s2=st.floats(0.05, 20.0),
       v0=st.floats(0.05, 20.0))
def test_gibbs_iskl_against_gaussian_kl_full_sample(n, d, gamma, s2, v0):
    g = GibbsGaussianMean(n, gamma, d=d, sigma2=s2, prior_var=v0)
    a, v = _gibbs_posterior(n, gamma, v0)
    assert g.shrinkage == pytest.approx(a, rel=1e-12) and g.posterior_variance == pytest.approx(v, rel=1e-12)
    cov = _joint_cov_w_s(n, d, s2, a, v)
    iskl = _iskl_from_kl(cov, d)
    assert g.symmetrized_kl_information() == pytest.approx(iskl, rel=1e-7)
    # mutual-information part alone is the KL(joint || product) and equals the Gaussian MI
    z = np.zeros(cov.shape[0])
    prod = cov.copy()
    prod[:d, d:] = prod[d:, :d] = 0.0
    assert information.gaussian_kl(z, cov, z, prod) == pytest.approx(
        information.gaussian_mutual_information(cov, d), rel=1e-7)
    # gen for squared loss: E[L_μ(W) − L_S(W)] = (2/n) Σ_i tr Cov(W, Z_i) = 2 a σ² d / n, from the
    # joint covariance built above; the exact Gibbs identity I_SKL/γ = gen, through the bounds module
    gen = 2.0 * sum(np.trace(cov[:d, i * d:(i + 1) * d]) for i in range(1, n + 1)) / n
    assert gen == pytest.approx(2 * a * s2 * d / n, rel=1e-12)
    assert bounds.gibbs_generalization_gap(iskl, gamma) == pytest.approx(gen, rel=1e-7)
    assert g.generalization_error() == pytest.approx(gen, rel=1e-7)


@given(n=st.integers(1, 10**5), gamma=st.floats(0.01, 100.0), s2=st.floats(0.05, 20.0), v0=st.floats(0.05, 20.0))
def test_gibbs_iskl_via_sample_mean_large_n(n, gamma, s2, v0):
    # W depends on S only through the sample mean: use the 2x2 joint (W, Zbar) per coordinate
    g = GibbsGaussianMean(n, gamma, sigma2=s2, prior_var=v0)
    a, v = _gibbs_posterior(n, gamma, v0)
    cov = np.array([[a * a * s2 / n + v, a * s2 / n], [a * s2 / n, s2 / n]])
    iskl = _iskl_from_kl(cov, 1)
    assert g.symmetrized_kl_information() == pytest.approx(iskl, rel=1e-7)
    assert iskl / gamma == pytest.approx(2 * a * s2 / n, rel=1e-6)      # gen = 2 Cov(W, Zbar)·n/n


def test_gibbs_simulate_seeded():
    g = GibbsGaussianMean(5, 1.0, d=2)
    assert g.simulate(500, 3) == g.simulate(500, 3)
