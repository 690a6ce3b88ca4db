"""Tests for theory.symbolic: the sympy derivations against independent references.

References used here, never outputs of the code under test:
- the closed forms of THEORY.md §4-§5, typed in below from the document;
- sympy.stats expectations, scipy quadrature, entropy identities;
- Monte Carlo simulations of the models (fixed seeds, 3-standard-error tolerances);
- the numeric testbed modules (written independently from the closed forms).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from theory import symbolic as S
from theory.symbolic import d, gamma, lam, n, prior_var, sigma2, t, tau2, zbar

# Cached derivations (each runs once per test session).
LIN = S.linear_regression_coordinate()
GM = S.gaussian_mean()
GIBBS = S.gibbs_gaussian_mean()


def is_zero(expr) -> bool:
    return sp.simplify(sp.sympify(expr)) == 0


pos = st.floats(0.05, 20.0, allow_nan=False, allow_infinity=False)


# --------------------------------------------------------------------------------------------
# building blocks
# --------------------------------------------------------------------------------------------
def test_gaussian_expectation_moments():
    x, y = sp.symbols("x y", real=True)
    s = sp.Symbol("s", positive=True)
    var = {x: s, y: 2 * s}
    assert is_zero(S.gaussian_expectation(x**4, var) - 3 * s**2)
    assert is_zero(S.gaussian_expectation(x**6, var) - 15 * s**3)
    assert S.gaussian_expectation(x**3 + x * y, var) == 0
    # E (x + y)^2 = s + 2s for independent x, y
    assert is_zero(S.gaussian_expectation((x + y) ** 2, var) - 3 * s)


def test_gaussian_expectation_matches_sympy_stats():
    from sympy.stats import E, Normal

    a, b = sp.symbols("a b", positive=True)
    x, y = sp.symbols("x y", real=True)
    X, Y = Normal("X", 0, sp.sqrt(a)), Normal("Y", 0, sp.sqrt(b))
    poly = lambda u, v: (2 * u - 3 * v + 1) ** 2 * (u + v) ** 2 + u * v  # noqa: E731
    ours = S.gaussian_expectation(poly(x, y), {x: a, y: b})
    ref = E(poly(X, Y))
    assert is_zero(ours - ref)


@given(vx=pos, vy=pos, rho=st.floats(-0.99, 0.99))
def test_gaussian_mutual_information_vs_correlation(vx, vy, rho):
    cov = rho * math.sqrt(vx * vy)
    mi = S.numeric(S.gaussian_mutual_information(sp.Float(vx), sp.Float(vy), sp.Float(cov)))
    assert mi == pytest.approx(-0.5 * math.log1p(-rho**2), rel=1e-9, abs=1e-12)


def test_numeric_values_and_infinity():
    expr = sigma2 / n + lam
    assert S.numeric(expr, sigma2=2.0, n=4, lam=1.0, unused=3.0) == pytest.approx(1.5)
    assert S.numeric(LIN.rate, t=1e-300) == pytest.approx(0.5 * math.log(1e300), rel=1e-14)
    z = sp.Symbol("z", real=True)
    assert S.numeric(1 / z, z=0.0) == math.inf               # genuinely infinite: reported
    assert S.numeric(sp.exp(z), z=700.0) == pytest.approx(math.exp(700.0), rel=1e-14)
    assert S.numeric(sp.Integer(3)) == 3.0 and S.numeric(2.5) == 2.5


def test_gaussian_expectation_accepts_its_largest_inputs():
    # the size guard sits above the expansions this module needs (ols_residual's rss: ~1.1e3 terms)
    x, y = sp.symbols("x y", real=True)
    # X + Y ~ N(0, 3): E (X + Y + 1)^40 = sum_k C(40, 2k) (2k - 1)!! 3^k
    ref = sum(math.comb(40, 2 * k) * int(sp.factorial2(2 * k - 1)) * 3**k for k in range(21))
    assert S.gaussian_expectation((x + y + 1) ** 40, {x: 1, y: 2}) == ref
    assert S.gaussian_expectation(x ** 600, {x: 1}) == sp.factorial2(599)


# --------------------------------------------------------------------------------------------
# §4 linear regression, one coordinate
# --------------------------------------------------------------------------------------------
def test_linear_coordinate_matches_theory():
    v = lam * tau2 + sigma2 / n
    assert is_zero(LIN.whitened_variance - v)
    assert is_zero(LIN.distortion - t * v)
    assert is_zero(LIN.population_excess - (t * lam * tau2 + (1 - t) * sigma2 / n))
    assert is_zero(LIN.empirical_contribution - (-sigma2 / n + t * v))
    assert is_zero(LIN.generalization_contribution - 2 * (1 - t) * sigma2 / n)
    assert is_zero(LIN.reproduction_variance - (1 - t) * v)
    assert is_zero(sp.expand_log(LIN.rate - sp.log(1 / t) / 2, force=True))
    cmi_ref = sp.log(1 + (1 - t) * sigma2 / (n * t * v)) / 2
    assert is_zero(sp.exp(2 * LIN.conditional_mutual_information) - sp.exp(2 * cmi_ref))
    assert is_zero(LIN.excess_slope - (lam * tau2 - sigma2 / n))
    # compress helps iff SNR < 1: slope = (sigma2/n)(snr - 1)
    assert is_zero(LIN.excess_slope - sigma2 / n * (LIN.snr - 1))
    # the slope is free of t: the share is linear in t
    assert t not in LIN.excess_slope.free_symbols
    # slope in the water level theta (t = theta / v): (snr - 1) / (snr + 1)
    assert is_zero(LIN.theta_slope - (LIN.snr - 1) / (LIN.snr + 1))


@given(s2=pos, nn=st.integers(2, 500), la=pos, ta=pos, tt=st.floats(1e-4, 1.0))
def test_linear_evaluate_consistent(s2, nn, la, ta, tt):
    out = LIN.evaluate(sigma2=s2, n=nn, lam=la, tau2=ta, t=tt)
    v = la * ta + s2 / nn
    assert out["distortion"] == pytest.approx(tt * v, rel=1e-10)
    assert out["generalization_contribution"] == pytest.approx(2 * (1 - tt) * s2 / nn, rel=1e-10, abs=1e-15)
    assert out["rate"] == pytest.approx(-0.5 * math.log(tt), rel=1e-10, abs=1e-15)
    # conditional MI <= rate (chain rule: I(S;U^|u*) = I(S;U^) - I(u*;U^))
    assert out["conditional_mutual_information"] <= out["rate"] + 1e-12
    # population minus empirical share is the generalization share
    gap = out["population_excess"] - out["empirical_contribution"]
    assert gap == pytest.approx(out["generalization_contribution"], rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("seed,n_obs,lams,taus,ts", [
    (0, 12, [2.0, 0.5, 1.0], [1.0, 0.02, 0.3], [0.2, 0.9, 0.5]),
    (1, 30, [1.0, 3.0], [0.01, 0.5], [1.0, 0.05]),
])
def test_linear_coordinate_monte_carlo(seed, n_obs, lams, taus, ts):
    """Simulate the full model (fixed design, OLS, test channel) and compare with the sums."""
    rng = np.random.default_rng(seed)
    lams, taus, ts = map(np.asarray, (lams, taus, ts))
    dim, s2, reps = lams.size, 0.7, 40_000
    q, _ = np.linalg.qr(rng.standard_normal((n_obs, dim)))
    X = math.sqrt(n_obs) * q * np.sqrt(lams)  # X'X/n = diag(lams)
    wstar = rng.standard_normal((reps, dim)) * np.sqrt(taus)
    Y = wstar @ X.T + math.sqrt(s2) * rng.standard_normal((reps, n_obs))
    W = np.linalg.solve(X.T @ X, X.T @ Y.T).T
    U = np.sqrt(lams) * W
    v = lams * taus + s2 / n_obs
    Uh = (1 - ts) * U + np.sqrt(ts * (1 - ts) * v) * rng.standard_normal((reps, dim))
    Wh = Uh / np.sqrt(lams)
    emp = np.sum((Y - Wh @ X.T) ** 2, axis=1) / n_obs
    pop = s2 + np.sum(lams * (Wh - wstar) ** 2, axis=1)
    dist = np.sum((Uh - U) ** 2, axis=1)
    vals = [LIN.evaluate(sigma2=s2, n=n_obs, lam=a, tau2=b, t=c) for a, b, c in zip(lams, taus, ts)]
    predicted = {
        "emp": s2 + sum(x["empirical_contribution"] for x in vals),
        "pop": s2 + sum(x["population_excess"] for x in vals),
        "gen": sum(x["generalization_contribution"] for x in vals),
        "dist": sum(x["distortion"] for x in vals),
    }
    samples = {"emp": emp, "pop": pop, "gen": pop - emp, "dist": dist}
    for key, x in samples.items():
        se = x.std(ddof=1) / math.sqrt(reps)
        assert abs(x.mean() - predicted[key]) <= 3 * se, (key, x.mean(), predicted[key], se)
    # per-coordinate reproduction variance and covariance with U
    for i, x in enumerate(vals):
        sq = Uh[:, i] ** 2
        assert abs(sq.mean() - x["reproduction_variance"]) <= 3 * sq.std(ddof=1) / math.sqrt(reps)


@pytest.mark.parametrize("n_obs,dim", [(2, 1), (3, 1), (3, 2)])
def test_ols_residual_identities(n_obs, dim):
    r = S.ols_residual(n_obs, dim)
    assert r.trace_projection == dim
    assert is_zero(r.expected_residual - sigma2 * (n_obs - dim))
    assert r.pythagoras_gap == 0
    assert r.covariance_gap == sp.zeros(dim, dim)


def _theory_population_risk(theta, s2, nn, lams, taus):
    v = lams * taus + s2 / nn
    tt = np.minimum(theta / v, 1.0)
    return s2 + np.sum(tt * lams * taus + (1 - tt) * s2 / nn)


@settings(max_examples=25)
@given(s2=pos, nn=st.integers(5, 200),
       lams=st.lists(pos, min_size=1, max_size=4),
       log_taus=st.lists(st.floats(-6, 2), min_size=4, max_size=4))
def test_optimal_theta_against_grid(s2, nn, lams, log_taus):
    lams = np.asarray(lams)
    taus = np.exp(np.asarray(log_taus[: lams.size]))
    opt = S.linear_regression_optimal_theta(s2, nn, lams, taus)
    v = lams * taus + s2 / nn
    grid = np.concatenate([np.linspace(0, v.max() * 1.1, 2001), v])
    best_grid = min(_theory_population_risk(th, s2, nn, lams, taus) for th in grid)
    assert opt.population_risk <= best_grid + 1e-12 * max(1.0, best_grid)
    assert opt.population_risk == pytest.approx(
        _theory_population_risk(opt.theta, s2, nn, lams, taus), rel=1e-12)
    if opt.theta > 0:
        assert opt.rate == pytest.approx(np.sum(0.5 * np.log(v / np.minimum(opt.theta, v))), rel=1e-12)
    else:
        assert opt.rate == math.inf
        assert opt.population_risk == pytest.approx(s2 * (1 + lams.size / nn), rel=1e-12)


def test_optimal_theta_many_coordinates():
    # 2000 coordinates in well under a second; the optimum against the theory's risk at every
    # break point (the minimum of a piecewise-linear function lies at one of them).
    rng = np.random.default_rng(0)
    lams, taus = rng.uniform(0.1, 2.0, 2000), np.exp(rng.uniform(-6, 1, 2000))
    opt = S.linear_regression_optimal_theta(1.0, 50, lams, taus)
    v = lams * taus + 1.0 / 50
    best = min(_theory_population_risk(th, 1.0, 50, lams, taus) for th in np.r_[0.0, v])
    assert opt.population_risk == pytest.approx(best, rel=1e-12)
    assert opt.population_risk == pytest.approx(_theory_population_risk(opt.theta, 1.0, 50, lams, taus), rel=1e-12)


def test_optimal_theta_interior_when_snrs_straddle_one():
    # SNRs 20, 0.2, 0.02: compressing the weak coordinates helps, the strong one does not.
    opt = S.linear_regression_optimal_theta(1.0, 20, [1.0, 1.0, 1.0], [1.0, 0.01, 0.001])
    assert 0 < opt.theta < 1.05 and 0 < opt.rate < math.inf
    assert opt.population_risk < 1.0 * (1 + 3 / 20)


@settings(max_examples=40)
@given(s2=pos, nn=st.integers(5, 200), lams=st.lists(pos, min_size=1, max_size=5),
       log_snrs=st.lists(st.floats(-4, 4), min_size=5, max_size=5))
def test_compression_helps_iff_initial_slope_negative(s2, nn, lams, log_snrs):
    lams = np.asarray(lams)
    snr = np.exp(np.asarray(log_snrs[: lams.size]))
    taus = snr * s2 / (nn * lams)
    slope0 = float(np.sum((snr - 1) / (snr + 1)))  # typed in: sum of (s-1)/(s+1)
    assume(abs(slope0) > 1e-3)
    assume(np.all(np.abs(np.log(snr)) > 1e-3))  # an SNR of exactly 1 contributes a flat piece (ties)
    opt = S.linear_regression_optimal_theta(s2, nn, lams, taus)
    assert opt.initial_slope == pytest.approx(slope0, rel=1e-9, abs=1e-12)
    uncompressed = s2 * (1 + lams.size / nn)
    helps = opt.population_risk < uncompressed * (1 - 1e-12)
    assert helps == (slope0 < 0)
    if slope0 < 0:
        interior = math.isfinite(opt.rate) and opt.rate > 0
        assert interior == bool(np.any(snr > 1))


def test_symmetric_log_snr_spectrum_gives_no_improvement():
    # SNRs on both sides of 1 are not enough: geometrically symmetric SNRs give zero initial slope
    # and a population risk that never falls below the uncompressed level.
    nn, s2 = 50, 1.0
    taus = np.geomspace(10.0, 0.1, 20) / nn  # snr = n tau^2 / sigma^2 from 10 to 0.1
    opt = S.linear_regression_optimal_theta(s2, nn, np.ones(20), taus)
    assert abs(opt.initial_slope) < 1e-12
    assert opt.population_risk == pytest.approx(s2 * (1 + 20 / nn), rel=1e-12)
    grid = np.linspace(0.0, 2 * np.max(taus + s2 / nn), 500)
    assert min(_theory_population_risk(th, s2, nn, np.ones(20), taus) for th in grid) >= \
        s2 * (1 + 20 / nn) * (1 - 1e-12)


# --------------------------------------------------------------------------------------------
# §5 Gaussian mean
# --------------------------------------------------------------------------------------------
def test_gaussian_mean_matches_theory():
    c = sigma2 * (n + 1) / n
    assert is_zero(GM.generalization_error - 2 * sigma2 * d / n)
    assert is_zero(GM.population_risk - GM.empirical_risk - GM.generalization_error)
    assert is_zero(sp.exp(2 * GM.mutual_information_individual / d) - n / (n - 1))
    assert GM.mutual_information_full == sp.oo
    assert is_zero(GM.loss_scale - c)
    cgf_ref = d * c * t - d / 2 * sp.log(1 + 2 * c * t)
    assert is_zero(sp.exp(GM.cgf - cgf_ref) - 1)


@settings(max_examples=20)
@given(nn=st.integers(2, 200), dd=st.integers(1, 6), s2=pos, tt=st.floats(0.01, 5.0))
def test_gaussian_mean_cgf_vs_quadrature(nn, dd, s2, tt):
    c = s2 * (nn + 1) / nn
    # log E exp(-t (L - E L)) with L = c * chi2_d, by quadrature of the chi2 density
    mgf, _ = integrate.quad(lambda x: stats.chi2.pdf(x, dd) * math.exp(-tt * c * x), 0, np.inf)
    ref = dd * c * tt + math.log(mgf)
    got = GM.evaluate(n=nn, d=dd, sigma2=s2, t=tt)["cgf"]
    assert got == pytest.approx(ref, rel=1e-7, abs=1e-9)


@given(nn=st.integers(2, 10_000), dd=st.integers(1, 20), s2=pos)
def test_gaussian_mean_mi_by_entropies(nn, dd, s2):
    # I(W;Z_1) = h(W) - h(W | Z_1), per coordinate: Var W = s2/n, Var(W|Z_1) = (n-1) s2/n^2
    h = lambda var: 0.5 * math.log(2 * math.pi * math.e * var)  # noqa: E731
    ref = dd * (h(s2 / nn) - h((nn - 1) * s2 / nn**2))
    got = GM.evaluate(n=nn, d=dd, sigma2=s2)["mutual_information_individual"]
    assert got == pytest.approx(ref, rel=1e-9)


@pytest.mark.parametrize("seed,nn,dd,s2", [(0, 5, 3, 2.0), (1, 40, 2, 0.5)])
def test_gaussian_mean_monte_carlo(seed, nn, dd, s2):
    rng = np.random.default_rng(seed)
    reps, m = 40_000, 1.3
    Z = m + math.sqrt(s2) * rng.standard_normal((reps, nn, dd))
    W = Z.mean(axis=1)
    emp = np.mean(np.sum((W[:, None, :] - Z) ** 2, axis=2), axis=1)
    pop = dd * s2 + np.sum((W - m) ** 2, axis=1)
    out = GM.evaluate(n=nn, d=dd, sigma2=s2)
    for x, key in ((emp, "empirical_risk"), (pop, "population_risk"), (pop - emp, "generalization_error")):
        se = x.std(ddof=1) / math.sqrt(reps)
        assert abs(x.mean() - out[key]) <= 3 * se, (key, x.mean(), out[key], se)


def test_gaussian_mean_bound_is_order_one_over_sqrt_n():
    from scipy.optimize import minimize_scalar

    f = sp.lambdify(t, GM.bound_objective.subs({n: 10**6, d: 2, sigma2: 1.5}))
    res = minimize_scalar(lambda x: float(f(math.exp(x))), bounds=(-20, 5), method="bounded")
    assert res.fun == pytest.approx(1.5 * 2 * math.sqrt(2 / 10**6), rel=1e-2)
    # and it sits above the true gen
    assert res.fun > 2 * 1.5 * 2 / 10**6


def test_gaussian_mean_evaluate_leaves_out_optional_fields():
    assert "cgf" not in GM.evaluate(n=5, d=1, sigma2=1.0)


# --------------------------------------------------------------------------------------------
# §5 Gibbs version
# --------------------------------------------------------------------------------------------
def test_gibbs_matches_theory():
    v = 1 / (1 / prior_var + 2 * gamma)
    a = 2 * gamma * v
    m0 = S.prior_mean
    assert is_zero(GIBBS.posterior_variance - v)
    assert is_zero(GIBBS.posterior_precision - 1 / v)
    assert is_zero(GIBBS.posterior_mean - v * (m0 / prior_var + 2 * gamma * zbar))
    assert is_zero(GIBBS.shrinkage - a)
    assert is_zero(GIBBS.generalization_error - 2 * a * sigma2 * d / n)
    assert is_zero(GIBBS.symmetrized_kl_information - a**2 * sigma2 * d / (n * v))
    assert GIBBS.identity_gap == 0
    # gen and I_SKL do not depend on where the prior or the truth sit
    for e in (GIBBS.generalization_error, GIBBS.symmetrized_kl_information):
        assert not e.free_symbols & {S.prior_mean, S.mean, zbar}


@settings(max_examples=15)
@given(nn=st.integers(1, 8), g=st.floats(0.05, 5.0), pv=st.floats(0.1, 5.0),
       m0=st.floats(-2, 2), seed=st.integers(0, 2**16))
def test_gibbs_posterior_by_quadrature(nn, g, pv, m0, seed):
    z = np.random.default_rng(seed).normal(0.5, 1.0, size=nn)

    def logp(w):
        return -(w - m0) ** 2 / (2 * pv) - g * np.mean((w - z) ** 2)

    ref_mode = (m0 / pv + 2 * g * z.mean()) / (1 / pv + 2 * g)  # only to centre the quadrature
    lo, hi = ref_mode - 12 * math.sqrt(pv), ref_mode + 12 * math.sqrt(pv)
    shift = logp(ref_mode)
    mass = integrate.quad(lambda w: math.exp(logp(w) - shift), lo, hi, points=[ref_mode])[0]
    mu = integrate.quad(lambda w: w * math.exp(logp(w) - shift), lo, hi, points=[ref_mode])[0] / mass
    var = integrate.quad(lambda w: (w - mu) ** 2 * math.exp(logp(w) - shift), lo, hi, points=[ref_mode])[0] / mass
    out = GIBBS.evaluate(n=nn, d=1, sigma2=1.0, gamma=g, prior_var=pv, prior_mean=m0, zbar=z.mean())
    assert out["posterior_mean"] == pytest.approx(mu, rel=1e-6, abs=1e-8)
    assert out["posterior_variance"] == pytest.approx(var, rel=1e-6)


@given(nn=st.integers(1, 1000), dd=st.integers(1, 10), s2=pos, g=st.floats(0.01, 50.0), pv=pos)
def test_gibbs_iskl_from_correlation(nn, dd, s2, g, pv):
    # W depends on S through zbar only; for a jointly Gaussian pair I + L = rho^2 / (1 - rho^2).
    v = 1 / (1 / pv + 2 * g)
    a = 2 * g * v
    var_w, var_z, cov = a**2 * s2 / nn + v, s2 / nn, a * s2 / nn
    rho2 = cov**2 / (var_w * var_z)
    ref = dd * rho2 / (1 - rho2)
    out = GIBBS.evaluate(n=nn, d=dd, sigma2=s2, gamma=g, prior_var=pv)
    assert out["symmetrized_kl_information"] == pytest.approx(ref, rel=1e-9)
    assert out["symmetrized_kl_information"] / g == pytest.approx(out["generalization_error"], rel=1e-9)


@pytest.mark.parametrize("seed,nn,dd,g,pv,m0,m", [(0, 4, 2, 0.7, 1.5, 0.3, -0.4), (1, 25, 1, 3.0, 0.2, 1.0, 0.0)])
def test_gibbs_generalization_monte_carlo(seed, nn, dd, g, pv, m0, m):
    rng = np.random.default_rng(seed)
    reps, s2 = 60_000, 1.3
    Z = m + math.sqrt(s2) * rng.standard_normal((reps, nn, dd))
    zb = Z.mean(axis=1)
    v = 1 / (1 / pv + 2 * g)
    W = v * (m0 / pv + 2 * g * zb) + math.sqrt(v) * rng.standard_normal((reps, dd))
    emp = np.mean(np.sum((W[:, None, :] - Z) ** 2, axis=2), axis=1)
    pop = dd * s2 + np.sum((W - m) ** 2, axis=1)
    gen = pop - emp
    se = gen.std(ddof=1) / math.sqrt(reps)
    pred = GIBBS.evaluate(n=nn, d=dd, sigma2=s2, gamma=g, prior_var=pv)["generalization_error"]
    assert abs(gen.mean() - pred) <= 3 * se


def test_gibbs_evaluate_leaves_out_optional_fields():
    good = dict(n=5, d=1, sigma2=1.0, gamma=1.0, prior_var=1.0)
    assert "posterior_mean" not in GIBBS.evaluate(**good)


# --------------------------------------------------------------------------------------------
# comparison with the numeric testbeds
# --------------------------------------------------------------------------------------------
def _linear_module():
    return pytest.importorskip("theory.testbeds.linear", reason="theory/testbeds/linear.py not written yet")


def _gaussian_module():
    return pytest.importorskip("theory.testbeds.gaussian_mean",
                               reason="theory/testbeds/gaussian_mean.py not written yet")


def _sum_shares(field, s2, nn, lams, taus, ts):
    return sum(S.numeric(getattr(LIN, field), sigma2=s2, n=nn, lam=a, tau2=b, t=c)
               for a, b, c in zip(lams, taus, ts))


@settings(max_examples=30)
@given(dim=st.integers(1, 4), extra_n=st.integers(1, 200), s2=pos,
       lams=st.lists(pos, min_size=4, max_size=4),
       log_taus=st.lists(st.floats(-6, 2), min_size=4, max_size=4),
       rate=st.floats(0.0, 6.0))
def test_linear_testbed_matches_symbolic(dim, extra_n, s2, lams, log_taus, rate):
    lin = _linear_module()
    nn = dim + extra_n
    lams = np.asarray(lams[:dim])
    taus = np.exp(np.asarray(log_taus[:dim]))
    model = lin.CompressedLinearRegression(dim, nn, s2, lams, taus)
    ts = np.asarray(model.compression_factors(rate), dtype=float)
    assert ts.shape == (dim,)
    assert np.all(ts > 0) and np.all(ts <= 1 + 1e-12)
    ts = np.minimum(ts, 1.0)
    # the rate spent is the sum of the per-coordinate rates I(U_i; U^_i)
    assert _sum_shares("rate", s2, nn, lams, taus, ts) == pytest.approx(rate, rel=1e-8, abs=1e-10)
    rel = dict(rel=1e-9, abs=1e-12)
    assert model.empirical_risk(rate) == pytest.approx(
        s2 + _sum_shares("empirical_contribution", s2, nn, lams, taus, ts), **rel)
    assert model.population_risk(rate) == pytest.approx(
        s2 + _sum_shares("population_excess", s2, nn, lams, taus, ts), **rel)
    assert model.generalization_error(rate) == pytest.approx(
        _sum_shares("generalization_contribution", s2, nn, lams, taus, ts), **rel)
    assert model.distortion(rate) == pytest.approx(_sum_shares("distortion", s2, nn, lams, taus, ts), **rel)
    assert model.conditional_mutual_information(rate) == pytest.approx(
        _sum_shares("conditional_mutual_information", s2, nn, lams, taus, ts), rel=1e-8, abs=1e-10)
    # uncompressed: the t -> 0 limit of the shares
    zero = {k: sum(S.numeric(getattr(LIN, k).subs(t, 0), sigma2=s2, n=nn, lam=a, tau2=b)
                   for a, b in zip(lams, taus))
            for k in ("empirical_contribution", "population_excess")}
    assert model.uncompressed_empirical_risk() == pytest.approx(s2 + zero["empirical_contribution"], **rel)
    assert model.uncompressed_population_risk() == pytest.approx(s2 + zero["population_excess"], **rel)


@settings(max_examples=25)
@given(dim=st.integers(1, 4), extra_n=st.integers(1, 200), s2=pos,
       lams=st.lists(pos, min_size=4, max_size=4),
       log_taus=st.lists(st.floats(-6, 2), min_size=4, max_size=4))
def test_linear_testbed_optimal_rate_matches_symbolic(dim, extra_n, s2, lams, log_taus):
    lin = _linear_module()
    nn = dim + extra_n
    lams = np.asarray(lams[:dim])
    taus = np.exp(np.asarray(log_taus[:dim]))
    model = lin.CompressedLinearRegression(dim, nn, s2, lams, taus)
    got = model.optimal_rate()
    ref = S.linear_regression_optimal_theta(s2, nn, lams, taus)
    assert got.population_risk == pytest.approx(ref.population_risk, rel=1e-10)
    if math.isfinite(got.rate):
        assert model.population_risk(got.rate) == pytest.approx(ref.population_risk, rel=1e-9)
    else:
        assert ref.population_risk == pytest.approx(model.uncompressed_population_risk(), rel=1e-10)


@settings(max_examples=30)
@given(nn=st.integers(2, 5000), dd=st.integers(1, 8), s2=pos, tt=st.floats(1e-3, 10.0))
def test_gaussian_mean_testbed_matches_symbolic(nn, dd, s2, tt):
    gm = _gaussian_module()
    model = gm.GaussianMeanEstimation(nn, d=dd, sigma2=s2)
    ref = GM.evaluate(n=nn, d=dd, sigma2=s2, t=tt)
    assert model.generalization_error() == pytest.approx(ref["generalization_error"], rel=1e-10)
    assert model.mutual_information_individual() == pytest.approx(ref["mutual_information_individual"], rel=1e-9)
    assert model.cgf(tt) == pytest.approx(ref["cgf"], rel=1e-9, abs=1e-12)


@settings(max_examples=30)
@given(nn=st.integers(1, 5000), dd=st.integers(1, 8), s2=pos, g=st.floats(0.01, 50.0), pv=pos,
       m0=st.floats(-3, 3), m=st.floats(-3, 3))
def test_gibbs_testbed_matches_symbolic(nn, dd, s2, g, pv, m0, m):
    gm = _gaussian_module()
    model = gm.GibbsGaussianMean(nn, g, d=dd, sigma2=s2, prior_mean=m0, prior_var=pv, mean=m)
    ref = GIBBS.evaluate(n=nn, d=dd, sigma2=s2, gamma=g, prior_var=pv)
    assert model.posterior_variance == pytest.approx(ref["posterior_variance"], rel=1e-10)
    assert model.shrinkage == pytest.approx(ref["shrinkage"], rel=1e-10)
    assert model.generalization_error() == pytest.approx(ref["generalization_error"], rel=1e-9)
    assert model.symmetrized_kl_information() == pytest.approx(ref["symmetrized_kl_information"], rel=1e-9)


@settings(max_examples=15)
@given(nn=st.integers(2, 5000), dd=st.integers(1, 6), s2=pos)
def test_gaussian_mean_testbed_individual_bound_matches_symbolic(nn, dd, s2):
    from scipy.optimize import minimize_scalar

    gm = _gaussian_module()
    f = sp.lambdify(t, GM.bound_objective.subs({n: nn, d: dd, sigma2: s2}), "math")
    # the minimiser is near t ~ sqrt(1/n)/c; search log t on a wide bracket
    res = minimize_scalar(lambda x: f(math.exp(x)), bounds=(-25.0, 10.0), method="bounded",
                          options={"xatol": 1e-10})
    got = gm.GaussianMeanEstimation(nn, d=dd, sigma2=s2).individual_sample_bound()
    assert got == pytest.approx(res.fun, rel=1e-6)
