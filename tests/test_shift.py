"""theory.shift and the shifted Gaussian-mean testbed: every bound against an independent computation.

- change of measure: exact E_{mu'} g on random discrete laws (bound >= truth) and the equality cases;
- certified bounds: the kl inverse solves kl = D, is monotone, has the right edge cases, and every
  certified bound is >= the truth on random discrete pairs with exact divergences;
- source_risk_upper: solves kl(R||p) = log(1/delta)/n and covers with probability >= 1 - delta;
- the design divergences against quadrature;
- the Gaussian mean under shift: gen' against Monte Carlo, the CGF against quadrature, the bound
  against the truth and its infimum against a direct minimisation.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate
from scipy.optimize import minimize_scalar
from scipy.special import logsumexp, rel_entr

from theory import bounds, shift
from theory.testbeds.gaussian_mean import GaussianMeanEstimation, ShiftedGaussianMean

PROB = st.floats(0.0, 1.0, allow_nan=False)
DIV = st.floats(0.0, 50.0, allow_nan=False)


def _kl(a, b):
    """Bernoulli kl by scipy's rel_entr (independent of the module's log1p form)."""
    return float(rel_entr(a, b) + rel_entr(1 - a, 1 - b))


def _pair(rng, k=6, concentration=1.0):
    p = rng.dirichlet(np.full(k, concentration))
    q = rng.dirichlet(np.full(k, concentration))
    p = np.maximum(p, 1e-12)
    p /= p.sum()
    return p, q


def _solves(f, q, d):
    """q is the float-precision supremum of {f <= d}: f(q) ~ d and f(next float above q) > d.

    Near q = 1 one ulp of q moves kl by much more than 1e-10, so kl(q) = d holds to the precision
    that the float grid of q allows: |f(q) - d| <= 1e-10 + (f(q+) - f(q))."""
    nxt = float(np.nextafter(q, 2.0))
    assert f(q) <= d * (1 + 1e-12) + 1e-15
    assert f(nxt) >= d * (1 - 1e-12) - 1e-15
    assert abs(f(q) - d) <= 1e-10 + 1e-9 * d + (f(nxt) - f(q))


def _divergences(p, q):
    w = q / p
    return {"kl_ts": float(np.sum(rel_entr(q, p))), "kl_st": float(np.sum(rel_entr(p, q))),
            "chi2": float(np.sum(p * w * w) - 1.0), "sup": float(np.max(w))}


# ---------------------------------------------------------------------------------------------
# change of measure
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(20))
def test_change_of_measure_bounds_hold_on_discrete_laws(seed):
    rng = np.random.default_rng(seed)
    p, q = _pair(rng, k=int(rng.integers(2, 9)))
    g = rng.uniform(size=p.size) ** rng.uniform(0.2, 3.0)
    truth = float(q @ g)
    dv = _divergences(p, q)
    assert shift.ratio_bound(float(p @ g), dv["sup"]) >= truth - 1e-12
    assert shift.chi2_bound(float(p @ g ** 2), dv["chi2"]) >= truth - 1e-12
    ts = np.geomspace(1e-3, 1e3, 400)
    cgf_exact = lambda t: float(logsumexp(t * g, b=p))  # noqa: E731
    assert shift.dv_bound(dv["kl_ts"], cgf_exact, ts) >= truth - 1e-12
    # values instead of a callable: the same number
    vals = np.array([cgf_exact(t) for t in ts])
    assert shift.dv_bound(dv["kl_ts"], vals, ts) == shift.dv_bound(dv["kl_ts"], cgf_exact, ts)


def test_chi2_bound_equality_when_g_is_proportional_to_w():
    rng = np.random.default_rng(1)
    p, q = _pair(rng, k=5)
    w = q / p
    g = w / w.max()
    truth = float(q @ g)
    assert shift.chi2_bound(float(p @ g ** 2), float(p @ w ** 2 - 1.0)) == pytest.approx(truth, rel=1e-12)


def test_ratio_bound_equality_on_the_argmax_indicator():
    rng = np.random.default_rng(2)
    p, q = _pair(rng, k=5)
    w = q / p
    g = (np.arange(p.size) == np.argmax(w)).astype(float)
    assert shift.ratio_bound(float(p @ g), float(w.max())) == pytest.approx(float(q @ g), rel=1e-12)


def test_dv_bound_grid_minimum_matches_a_direct_minimisation():
    rng = np.random.default_rng(3)
    p, q = _pair(rng, k=4)
    g = rng.uniform(size=4)
    d = _divergences(p, q)["kl_ts"]

    def obj(u):
        t = math.exp(u)
        return (d + float(logsumexp(t * g, b=p))) / t

    res = minimize_scalar(obj, bounds=(-10, 10), method="bounded", options={"xatol": 1e-12})
    ts = np.exp(np.linspace(-10, 10, 20001))
    got = shift.dv_bound(d, lambda t: float(logsumexp(t * g, b=p)), ts)
    assert got >= res.fun - 1e-12
    assert got == pytest.approx(min(1.0, res.fun), abs=1e-6)


def test_dv_bound_infinite_kl_is_vacuous_and_is_capped():
    assert shift.dv_bound(math.inf, [0.1], [1.0]) == 1.0
    assert shift.dv_bound(100.0, [0.5], [1.0]) == 1.0


def test_empirical_cgf_against_direct_and_stable_for_large_t():
    rng = np.random.default_rng(4)
    g = rng.uniform(size=50)
    ts = np.array([-2.0, 0.0, 0.5, 3.0])
    direct = np.log(np.mean(np.exp(np.outer(ts, g)), axis=1))
    np.testing.assert_allclose(shift.empirical_cgf(g, ts), direct, rtol=1e-12, atol=1e-14)
    big = 5000.0  # exp(5000) overflows; the log-sum-exp form does not
    expected = big * g.max() + math.log(np.mean(np.exp(big * (g - g.max()))))
    assert shift.empirical_cgf(g, big) == pytest.approx(expected, rel=1e-12)
    assert isinstance(shift.empirical_cgf(g, 1.0), float)
    assert shift.empirical_cgf(g, [1.0]).shape == (1,)


# ---------------------------------------------------------------------------------------------
# certified bounds
# ---------------------------------------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(p=st.floats(1e-6, 0.999, allow_nan=False), d=st.floats(1e-8, 20.0, allow_nan=False))
def test_kl_certified_bound_solves_kl_equals_d(p, d):
    q = shift.kl_certified_bound(p, d)
    assert p <= q <= 1.0
    if q < 1.0:
        _solves(lambda x: _kl(x, p), q, d)
    else:
        assert _kl(1.0, p) <= d * (1 + 1e-12)
    q2 = shift.kl_certified_bound(p, d, direction="source_target")
    assert p <= q2 <= 1.0
    if q2 < 1.0:
        _solves(lambda x: _kl(p, x), q2, d)
    else:
        assert _kl(p, 1.0) <= d


@settings(max_examples=100, deadline=None)
@given(p1=PROB, p2=PROB, d1=DIV, d2=DIV)
def test_kl_certified_bound_is_monotone(p1, p2, d1, d2):
    (pa, pb), (da, db) = sorted([p1, p2]), sorted([d1, d2])
    for direction in ("target_source", "source_target"):
        assert shift.kl_certified_bound(pa, da, direction=direction) <= \
            shift.kl_certified_bound(pb, da, direction=direction)
        assert shift.kl_certified_bound(pa, da, direction=direction) <= \
            shift.kl_certified_bound(pa, db, direction=direction)


def test_kl_certified_bound_edge_cases():
    assert shift.kl_certified_bound(0.3, 0.0) == 0.3
    assert shift.kl_certified_bound(0.3, math.inf) == 1.0
    assert shift.kl_certified_bound(1.0, 0.5) == 1.0
    assert shift.kl_certified_bound(0.0, 2.0) == 0.0          # finite D(mu'||mu) forces mu' << mu
    for d in (1e-9, 0.1, 1.0, 30.0):
        assert shift.kl_certified_bound(0.0, d, direction="source_target") == \
            pytest.approx(-math.expm1(-d), rel=1e-13, abs=1e-300)
    # kl(1||p) = -log p <= D: the whole interval
    assert shift.kl_certified_bound(0.5, math.log(2.0) + 1e-9) == 1.0


@pytest.mark.parametrize("seed", range(40))
def test_certified_bounds_hold_on_random_pairs(seed):
    rng = np.random.default_rng(100 + seed)
    p, q = _pair(rng, k=int(rng.integers(2, 7)), concentration=rng.choice([0.3, 1.0, 5.0]))
    g = rng.uniform(size=p.size) ** rng.uniform(0.2, 3.0)
    if seed % 3 == 0:
        g = (g > 0.5).astype(float)
    p0, q0 = float(p @ g), float(q @ g)
    dv = _divergences(p, q)
    p_bar = min(1.0, p0 + rng.choice([0.0, 0.01, 0.2]) * rng.uniform())
    tol = 1e-12
    assert shift.kl_certified_bound(p_bar, dv["kl_ts"]) >= q0 - tol
    assert shift.kl_certified_bound(p_bar, dv["kl_st"], direction="source_target") >= q0 - tol
    assert shift.chi2_certified_bound(p_bar, dv["chi2"]) >= q0 - tol
    assert shift.ratio_certified_bound(p_bar, dv["sup"]) >= q0 - tol
    best = shift.certified_target_bound(p_bar, sup_ratio=dv["sup"], chi2=dv["chi2"], kl=dv["kl_ts"],
                                        kl_source_target=dv["kl_st"])
    assert best >= q0 - tol
    assert best == min(shift.kl_certified_bound(p_bar, dv["kl_ts"]),
                       shift.kl_certified_bound(p_bar, dv["kl_st"], direction="source_target"),
                       shift.chi2_certified_bound(p_bar, dv["chi2"]),
                       shift.ratio_certified_bound(p_bar, dv["sup"]))


@pytest.mark.parametrize("p,q", [(0.1, 0.3), (0.4, 0.9), (0.7, 0.95), (0.9, 0.99), (0.6, 0.61)])
def test_certified_bounds_are_tight_for_bernoulli_laws(p, q):
    """mu = Ber(p), mu' = Ber(q), g = identity, p_bar = p: the chi2 and kl bounds are attained
    (also for p > 1/2: the chi2 bound needs no p <= 1/2 condition)."""
    chi2 = (q - p) ** 2 / (p * (1 - p))
    assert shift.chi2_certified_bound(p, chi2) == pytest.approx(q, rel=1e-12)
    assert shift.kl_certified_bound(p, _kl(q, p)) == pytest.approx(q, rel=1e-12)
    assert shift.kl_certified_bound(p, _kl(p, q), direction="source_target") == pytest.approx(q, rel=1e-12)
    assert shift.ratio_certified_bound(p, max(q / p, (1 - q) / (1 - p))) == pytest.approx(q, rel=1e-12)


def test_certified_infinite_divergences_are_vacuous():
    assert shift.certified_target_bound(0.2) == 1.0
    assert shift.chi2_certified_bound(0.0, math.inf) == 1.0
    assert shift.ratio_certified_bound(0.0, math.inf) == 1.0
    assert shift.chi2_certified_bound(0.0, 5.0) == 0.0
    assert shift.ratio_bound(0.2, math.inf) == 1.0 and shift.chi2_bound(0.2, math.inf) == 1.0


# ---------------------------------------------------------------------------------------------
# source risk upper bound
# ---------------------------------------------------------------------------------------------

@settings(max_examples=100, deadline=None)
@given(r=PROB, n=st.integers(1, 10**6), delta=st.floats(1e-6, 0.99))
def test_source_risk_upper_solves_the_kl_equation(r, n, delta):
    ub = shift.source_risk_upper(r, n, delta)
    budget = math.log(1 / delta) / n
    assert r <= ub <= 1.0
    if ub < 1.0:
        _solves(lambda x: _kl(r, x), ub, budget)
    else:
        assert r == 1.0


def test_source_risk_upper_covers():
    rng = np.random.default_rng(5)
    n, delta, reps = 40, 0.1, 4000
    ub = np.array([shift.source_risk_upper(k / n, n, delta) for k in range(n + 1)])
    for p in (0.02, 0.3, 0.7):
        counts = rng.binomial(n, p, size=reps)
        coverage = float(np.mean(ub[counts] >= p))
        assert coverage >= 1 - delta - 3 * math.sqrt(delta * (1 - delta) / reps)
    assert shift.source_risk_upper(0.0, 100, 0.05) == pytest.approx(1 - 0.05 ** 0.01, rel=1e-13)


# ---------------------------------------------------------------------------------------------
# designs
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("b", [1.0, 1.5, 4.0, 30.0])
def test_piecewise_design_against_quadrature(b):
    src = lambda x: 2 * b / (b + 1) if x < 0.5 else 2 / (b + 1)  # noqa: E731
    tgt = lambda x: 2 / (b + 1) if x < 0.5 else 2 * b / (b + 1)  # noqa: E731

    def quad(f):
        return integrate.quad(f, 0, 0.5)[0] + integrate.quad(f, 0.5, 1)[0]

    d = shift.piecewise_ratio_design(b)
    assert quad(src) == pytest.approx(1.0) and quad(tgt) == pytest.approx(1.0)
    assert d["source_mass_a"] == pytest.approx(integrate.quad(src, 0, 0.5)[0])
    assert d["kl_target_source"] == pytest.approx(quad(lambda x: tgt(x) * math.log(tgt(x) / src(x))), abs=1e-12)
    assert d["kl_source_target"] == pytest.approx(quad(lambda x: src(x) * math.log(src(x) / tgt(x))), abs=1e-12)
    assert d["chi2_target_source"] == pytest.approx(quad(lambda x: tgt(x) ** 2 / src(x)) - 1, abs=1e-12)
    assert d["chi2_source_target"] == pytest.approx(quad(lambda x: src(x) ** 2 / tgt(x)) - 1, abs=1e-12)
    assert d["sup_ratio"] == pytest.approx(max(tgt(x) / src(x) for x in np.linspace(0, 1, 11)))


@pytest.mark.parametrize("delta,s", [(0.0, 1.0), (0.5, 1.0), (1.0, 2.0), (-1.5, 0.7)])
def test_gaussian_design_against_quadrature(delta, s):
    from scipy.stats import norm
    src, tgt = norm(0.0, s), norm(delta, s)
    lo, hi = -12 * s - abs(delta), 12 * s + abs(delta)
    kl_ts = integrate.quad(lambda x: tgt.pdf(x) * (tgt.logpdf(x) - src.logpdf(x)), lo, hi)[0]
    kl_st = integrate.quad(lambda x: src.pdf(x) * (src.logpdf(x) - tgt.logpdf(x)), lo, hi)[0]
    chi2 = integrate.quad(lambda x: math.exp(2 * tgt.logpdf(x) - src.logpdf(x)), lo - 3 * abs(delta),
                          hi + 3 * abs(delta))[0] - 1
    d = shift.gaussian_shift_design(delta, s)
    assert d["kl_target_source"] == pytest.approx(kl_ts, abs=1e-10)
    assert d["kl_source_target"] == pytest.approx(kl_st, abs=1e-10)
    assert d["chi2_target_source"] == pytest.approx(chi2, abs=1e-9)
    assert d["sup_ratio"] == (1.0 if delta == 0 else math.inf)
    assert shift.gaussian_shift_design(1e200, 1e-200)["chi2_target_source"] == math.inf


# ---------------------------------------------------------------------------------------------
# Wu et al. and concept shift
# ---------------------------------------------------------------------------------------------

def test_wu_bounds_reduce_to_the_individual_sample_bounds():
    mis = np.array([0.1, 0.2, 0.05])
    assert shift.wu_subgaussian_bound(mis, 0.0, 0.7) == bounds.individual_sample(mis, 0.7)
    assert shift.wu_subgaussian_bound(mis, 0.3, 0.7) == pytest.approx(
        np.mean(np.sqrt(2 * 0.49 * (mis + 0.3))), rel=1e-14)
    quad = lambda t: 0.5 * 0.49 * t * t  # noqa: E731
    assert shift.wu_cgf_bound(mis, 0.3, quad) == pytest.approx(shift.wu_subgaussian_bound(mis, 0.3, 0.7), rel=1e-8)
    assert shift.wu_subgaussian_bound(mis, math.inf, 0.7) == math.inf
    assert shift.wu_cgf_bound(mis, math.inf, quad) == math.inf


def test_concept_shift_bound_is_the_triangle_inequality():
    rng = np.random.default_rng(6)
    for _ in range(20):
        f, g1, g2 = (rng.normal(size=(30, 4)) * rng.uniform(0.1, 3) for _ in range(3))
        rmse = lambda a, b: math.sqrt(np.mean(np.sum((a - b) ** 2, axis=1)))  # noqa: E731
        assert rmse(f, g2) <= shift.concept_shift_bound(rmse(f, g1), rmse(g1, g2)) + 1e-12
    assert shift.concept_shift_bound(0.1, math.inf) == math.inf


# ---------------------------------------------------------------------------------------------
# Gaussian mean under shift
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("n,d,sigma2,delta", [(5, 1, 1.0, 0.5), (20, 3, 2.0, -0.3), (2, 4, 0.5, 1.0)])
def test_shifted_gen_matches_monte_carlo(n, d, sigma2, delta):
    tb = GaussianMeanEstimation(n, d, sigma2, mean=3.0).under_shift(delta)
    assert isinstance(tb, ShiftedGaussianMean)
    assert tb.generalization_error() == pytest.approx(2 * sigma2 * d / n + d * delta ** 2, rel=1e-14)
    m = tb.simulate(40_000, rng=7)
    assert abs(m.value - tb.generalization_error()) <= 4 * m.se


@pytest.mark.parametrize("n,d,sigma2,delta", [(5, 1, 1.0, 0.5), (10, 3, 2.0, -1.2), (2, 2, 0.3, 0.0)])
def test_shifted_cgf_against_quadrature(n, d, sigma2, delta):
    tb = ShiftedGaussianMean(n, d, sigma2, delta=delta)
    c = sigma2 * (n + 1) / n
    mean_loss = d * c + d * delta ** 2
    sd = math.sqrt(c)

    def log_mgf_1d(t):  # log E exp(-t X^2), X ~ N(-delta, c)
        f = lambda x: math.exp(-t * x * x - 0.5 * (x + delta) ** 2 / c) / (sd * math.sqrt(2 * math.pi))  # noqa: E731
        return math.log(integrate.quad(f, -delta - 12 * sd, -delta + 12 * sd, points=[0.0, -delta], limit=200)[0])

    for t in (1e-3, 0.05, 0.7, 4.0):
        direct = t * mean_loss + d * log_mgf_1d(t)
        assert tb.cgf(t) == pytest.approx(direct, rel=1e-8, abs=1e-13)
        formula = t * (d * c + d * delta ** 2) - d / 2 * math.log(1 + 2 * c * t) - t * d * delta ** 2 / (1 + 2 * c * t)
        assert tb.cgf(t) == pytest.approx(formula, rel=1e-10, abs=1e-15)
    np.testing.assert_allclose(tb.cgf(np.array([0.05, 0.7])), [tb.cgf(0.05), tb.cgf(0.7)], rtol=1e-15)


def test_shifted_cgf_against_monte_carlo():
    tb = ShiftedGaussianMean(4, 2, 1.0, delta=0.8)
    rng = np.random.default_rng(8)
    x = -0.8 + math.sqrt(tb.c) * rng.standard_normal((400_000, 2))
    loss = np.sum(x * x, axis=1)
    t = 0.3
    mc = math.log(np.mean(np.exp(-t * (loss - (2 * tb.c + tb.shift_norm2)))))
    assert tb.cgf(t) == pytest.approx(mc, abs=5e-3)


@pytest.mark.parametrize("n", [2, 5, 50, 1000])
@pytest.mark.parametrize("d", [1, 4])
@pytest.mark.parametrize("delta", [0.0, 0.1, 1.0, 3.0])
def test_shifted_bound_is_above_the_truth(n, d, delta):
    tb = GaussianMeanEstimation(n, d, 1.5).under_shift(delta)
    assert tb.individual_sample_bound() >= tb.generalization_error()


@pytest.mark.parametrize("n,d,delta", [(3, 1, 0.5), (30, 2, 0.2), (200, 5, 1.0)])
def test_shifted_bound_infimum_against_direct_minimisation(n, d, delta):
    tb = ShiftedGaussianMean(n, d, 1.0, delta=delta)
    y = tb.mutual_information_individual() + tb.kl_train_test()
    res = minimize_scalar(lambda u: (y + tb.cgf(math.exp(u))) / math.exp(u), bounds=(-15, 10), method="bounded",
                          options={"xatol": 1e-12})
    assert tb.individual_sample_bound() == pytest.approx(res.fun, rel=1e-8)


def test_shifted_testbed_pieces():
    base = GaussianMeanEstimation(10, 3, 2.0)
    tb = base.under_shift(0.0)
    assert tb.individual_sample_bound() == pytest.approx(base.individual_sample_bound(), rel=1e-14)
    assert tb.mutual_information_individual() == base.mutual_information_individual()
    tb = base.under_shift(0.4)
    per_coord = shift.gaussian_shift_design(0.4, math.sqrt(2.0))["kl_source_target"]
    assert tb.kl_train_test() == pytest.approx(3 * per_coord, rel=1e-14)
    assert GaussianMeanEstimation(1).under_shift(0.5).individual_sample_bound() == math.inf
    assert GaussianMeanEstimation(2**40).under_shift(0.5).individual_sample_bound() >= 0.25
    assert tb.simulate(100, rng=3) == tb.simulate(100, rng=3)
