"""Tests for theory.bounds.

References used here, computed independently of the code under test: closed forms of the
Legendre-dual inverse (sub-Gaussian and sub-gamma), brute-force grid minimisation, exact
enumeration of a supersample experiment (gen and every CMI term), Hoeffding's lemma checked on
an explicit CGF, and a hand-derived population-risk decomposition.
"""

import itertools
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from theory import bounds

pos = st.floats(1e-3, 1e3)
mi_st = st.floats(0.0, 1e3)
n_st = st.integers(1, 10**6)


# ------------------------------------------------------------------------------------------
# sub-Gaussian parameter
# ------------------------------------------------------------------------------------------

@given(a=st.floats(-100, 100), w=st.floats(0.0, 100), p=st.floats(0.01, 0.99))
def test_subgaussian_parameter_satisfies_hoeffding(a, w, p):
    b = a + w
    sigma = bounds.subgaussian_parameter_bounded(a, b)
    assert sigma == pytest.approx(w / 2, rel=1e-12, abs=1e-12)
    # two-point variable on {a, b}: the centred CGF stays below sigma^2 lam^2 / 2
    lam = np.linspace(-5, 5, 41) / max(w, 1e-3)
    mean = a + p * w
    cgf = np.log((1 - p) * np.exp(lam * (a - mean)) + p * np.exp(lam * (b - mean)))
    assert np.all(cgf <= sigma**2 * lam**2 / 2 + 1e-9)


# ------------------------------------------------------------------------------------------
# Xu–Raginsky and individual-sample
# ------------------------------------------------------------------------------------------

def test_xu_raginsky_values():
    assert bounds.xu_raginsky(2.0, 8, 0.5) == pytest.approx(math.sqrt(2 * 0.25 * 2.0 / 8), rel=1e-14)
    assert bounds.xu_raginsky(math.inf, 10, 1.0) == math.inf
    assert bounds.xu_raginsky(math.inf, 10, 0.0) == 0.0
    assert bounds.xu_raginsky(0.0, 10, 1.0) == 0.0


@given(mi=mi_st, n=n_st, sigma=pos, dn=st.integers(1, 1000), dmi=st.floats(0.0, 10.0))
def test_xu_raginsky_monotone(mi, n, sigma, dn, dmi):
    b = bounds.xu_raginsky(mi, n, sigma)
    assert bounds.xu_raginsky(mi, n + dn, sigma) <= b
    assert bounds.xu_raginsky(mi + dmi, n, sigma) >= b


@given(mis=st.lists(st.floats(0.0, 10.0), min_size=1, max_size=50), sigma=pos, slack=st.floats(0.0, 5.0))
def test_individual_sample_below_xu_raginsky(mis, sigma, slack):
    # chain rule for independent Z_i: sum_i I(W;Z_i) <= I(S;W); any such I(S;W) works
    mi_sw = sum(mis) + slack
    ind = bounds.individual_sample(mis, sigma)
    assert ind <= bounds.xu_raginsky(mi_sw, len(mis), sigma) * (1 + 1e-12) + 1e-300


@given(mis=st.lists(st.floats(0.0, 10.0), min_size=1, max_size=20), sigma=pos,
       i=st.integers(0, 19), extra=st.floats(0.0, 5.0))
def test_individual_sample_monotone_and_value(mis, sigma, i, extra):
    mis = np.array(mis)
    ref = np.mean([math.sqrt(2 * sigma**2 * m) for m in mis])
    assert bounds.individual_sample(mis, sigma) == pytest.approx(ref, rel=1e-12, abs=1e-300)
    bigger = mis.copy()
    bigger[i % mis.size] += extra
    assert bounds.individual_sample(bigger, sigma) >= bounds.individual_sample(mis, sigma)


def test_individual_sample_special():
    assert bounds.individual_sample([0.1, math.inf], 1.0) == math.inf
    assert bounds.individual_sample([0.1, 0.2], 0.0) == 0.0


def test_bounds_near_the_float_range_do_not_overflow():
    # sigma^2 or 2 mi would overflow; the bound itself is representable
    assert bounds.xu_raginsky(0.5, 10, sigma=1e300) == pytest.approx(1e300 * math.sqrt(2 * 0.5 / 10), rel=1e-14)
    assert bounds.xu_raginsky(1e308, 1, 1.0) == pytest.approx(math.sqrt(2.0) * 1e154, rel=1e-14)
    assert bounds.xu_raginsky(0.5, 10**200, 1.0) == pytest.approx(1e-100, rel=1e-14)
    assert bounds.compressed_mi_bound(0.5, 1.0, 10, 1e300) == pytest.approx(1e300 * math.sqrt(0.1), rel=1e-14)
    assert bounds.individual_sample([0.5, 1e308], 1e100) == pytest.approx(
        1e100 * (1.0 + math.sqrt(2.0) * 1e154) / 2, rel=1e-14)
    assert bounds.subgaussian_parameter_bounded(-1.5e308, 1.5e308) == 1.5e308
    assert bounds.quantizer_rate_bound(10**200, 2) == pytest.approx(1e200 * math.log(2), rel=1e-14)
    assert bounds.cmi_bound(1.0, 10**200) == pytest.approx(math.sqrt(2) * 1e-100, rel=1e-14)


# ------------------------------------------------------------------------------------------
# cgf_inverse and the general individual-sample bound
# ------------------------------------------------------------------------------------------

@given(y=st.floats(1e-10, 1e4), sigma=st.floats(1e-3, 1e3))
def test_cgf_inverse_gaussian_closed_form(y, sigma):
    got = bounds.cgf_inverse(y, lambda lam: sigma**2 * lam**2 / 2)
    assert got == pytest.approx(math.sqrt(2 * sigma**2 * y), rel=1e-8)


@given(y=st.floats(1e-6, 1e3), v=st.floats(1e-2, 1e2), c=st.floats(1e-2, 1e2))
def test_cgf_inverse_subgamma_closed_form_finite_b(y, v, c):
    # sub-gamma psi on [0, 1/c): psi*^{-1}(y) = sqrt(2 v y) + c y (Boucheron-Lugosi-Massart)
    def psi(lam):
        return v * lam * lam / (2 * (1 - c * lam))
    got = bounds.cgf_inverse(y, psi, b=1 / c)
    assert got == pytest.approx(math.sqrt(2 * v * y) + c * y, rel=1e-7)


def test_cgf_inverse_scalar_only_psi_and_inf_outside_domain():
    def psi(lam):                                   # works on floats only
        lam = float(lam)
        return math.inf if lam >= 0.5 else 0.8 * lam * lam / (2 * (1 - 2 * lam))
    assert bounds.cgf_inverse(0.3, psi) == pytest.approx(math.sqrt(2 * 0.8 * 0.3) + 2 * 0.3, rel=1e-7)


@given(y=st.floats(1e-6, 50.0), c=st.floats(0.1, 10.0), d=st.integers(1, 5))
def test_cgf_inverse_matches_bruteforce_grid(y, c, d):
    # psi = lower-tail CGF of c * chi2_d (the Gaussian-mean testbed), minimised on a dense grid
    def psi(t):
        t = np.asarray(t, dtype=float)
        return d * c * t - 0.5 * d * np.log1p(2 * c * t)
    lam = np.geomspace(1e-7, 1e7, 400_001)
    ref = float(np.min((y + psi(lam)) / lam))
    got = bounds.cgf_inverse(y, psi)
    assert got <= ref * (1 + 1e-9)
    assert got >= ref * (1 - 1e-4)


@given(y1=st.floats(0.0, 100.0), dy=st.floats(0.0, 100.0), sigma=st.floats(0.1, 10.0))
def test_cgf_inverse_monotone_in_y(y1, dy, sigma):
    psi = lambda lam: sigma**2 * lam**2 / 2  # noqa: E731
    assert bounds.cgf_inverse(y1 + dy, psi) >= bounds.cgf_inverse(y1, psi) * (1 - 1e-9)


def test_cgf_inverse_edges():
    psi = lambda lam: lam**2 / 2  # noqa: E731
    assert bounds.cgf_inverse(math.inf, psi) == math.inf
    assert bounds.cgf_inverse(0.0, psi) <= 1e-12                 # infimum approached as lam -> 0
    assert bounds.cgf_inverse(1.0, lambda lam: 0.0 * lam) <= 1e-12  # psi = 0: approached as lam -> inf
    # finite b with the optimum beyond it: infimum at lam -> b
    assert bounds.cgf_inverse(2.0, psi, b=0.5) == pytest.approx((2.0 + 0.125) / 0.5, rel=1e-6)


@settings(max_examples=20)
@given(mis=st.lists(st.floats(0.0, 5.0), min_size=1, max_size=10), sigma=st.floats(0.1, 10.0))
def test_individual_sample_cgf_reduces_to_subgaussian(mis, sigma):
    got = bounds.individual_sample_cgf(mis, lambda lam: sigma**2 * lam**2 / 2)
    assert got == pytest.approx(bounds.individual_sample(mis, sigma), rel=1e-7, abs=1e-9)


def test_individual_sample_cgf_special():
    psi = lambda lam: lam**2 / 2  # noqa: E731
    assert bounds.individual_sample_cgf([0.1, math.inf], psi) == math.inf


def test_individual_sample_cgf_bounds_a_real_gen_from_the_lower_tail():
    """Sign convention, end to end: Bernoulli data, W = sample mean, loss (w - z)^2 in [0, 1].

    Everything is exact: gen by enumeration over the binomial, I(W;Z_i) from the joint pmf, and
    the lower-tail CGF Lambda(-lam) of loss(W~, Z~) under P_W x mu from its pmf.
    """
    from scipy.special import logsumexp
    from scipy.stats import binom
    n, p = 4, 0.3
    k = np.arange(n + 1)
    pk = binom.pmf(k, n, p)
    w = k / n
    # gen = E[L_mu(W) - L_S(W)], L_mu(w) = (1-p) w^2 + p (1-w)^2, L_S(w) = w (1-w) for W = mean
    l_mu = (1 - p) * w**2 + p * (1 - w) ** 2
    gen = float(np.sum(pk * (l_mu - w * (1 - w))))
    # I(W;Z_1): joint of (Z_1, sum of the other n-1)
    km = np.arange(n)
    pm = binom.pmf(km, n - 1, p)
    joint = np.zeros((2, n + 1))
    for z in (0, 1):
        joint[z, km + z] += (p if z else 1 - p) * pm
    pw, pz = joint.sum(0), joint.sum(1)
    mask = joint > 0
    mi = float(np.sum(joint[mask] * np.log(joint[mask] / np.outer(pz, pw)[mask])))
    # loss under the product: values (w - z)^2 with probability pk(w) * P(z)
    vals = np.concatenate([w**2, (1 - w) ** 2])
    probs = np.concatenate([pk * (1 - p), pk * p])
    mean = float(np.sum(probs * vals))

    def lower_cgf(lam):
        lam = np.atleast_1d(np.asarray(lam, dtype=float))
        return logsumexp(-lam[:, None] * (vals - mean), b=probs, axis=1)

    bound = bounds.individual_sample_cgf(np.full(n, mi), lower_cgf)
    assert gen > 0
    assert gen <= bound
    # and the bounded-loss sub-Gaussian form is weaker than the exact-CGF form
    assert bound <= bounds.individual_sample(np.full(n, mi), bounds.subgaussian_parameter_bounded(0, 1)) + 1e-12


# ------------------------------------------------------------------------------------------
# CMI family
# ------------------------------------------------------------------------------------------

def test_cmi_bound_values():
    assert bounds.cmi_bound(1.5, 6) == pytest.approx(math.sqrt(2 * 1.5 / 6), rel=1e-14)
    assert bounds.cmi_bound(6 * math.log(2), 6) == pytest.approx(math.sqrt(2 * math.log(2)), rel=1e-12)


@given(frac=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=40), extra=st.floats(0.0, 1.0))
def test_samplewise_below_full_cmi_and_monotone(frac, extra):
    cmis = np.array(frac) * math.log(2)
    n = cmis.size
    total = min(cmis.sum() + extra, n * math.log(2))   # I(W;U|Z~) >= sum_i I(W;U_i|Z~)
    assert bounds.samplewise_cmi_bound(cmis) <= bounds.cmi_bound(total, n) * (1 + 1e-12) + 1e-300
    assert bounds.cmi_bound(total, n + 1) <= bounds.cmi_bound(total, n)


def test_samplewise_2d_is_mean_over_supersamples():
    rng = np.random.default_rng(0)
    c = rng.uniform(0, math.log(2), (7, 5))
    ref = np.mean([np.mean(np.sqrt(2 * row)) for row in c])
    for f in (bounds.samplewise_cmi_bound, bounds.ecmi_bound, bounds.ld_cmi_bound):
        assert f(c) == pytest.approx(ref, rel=1e-12)
        assert f(c[0]) == pytest.approx(np.mean(np.sqrt(2 * c[0])), rel=1e-12)


def _mi_from_pairs(a, b, weights):
    """I(A;B) of a finite joint distribution given as weighted samples (exact)."""
    ja, jb = {}, {}
    joint = {}
    for x, y, wt in zip(a, b, weights):
        joint[(x, y)] = joint.get((x, y), 0.0) + wt
        ja[x] = ja.get(x, 0.0) + wt
        jb[y] = jb.get(y, 0.0) + wt
    return sum(pj * math.log(pj / (ja[x] * jb[y])) for (x, y), pj in joint.items() if pj > 0)


def test_cmi_family_on_an_enumerated_supersample_experiment():
    """n = 3, Bernoulli(1/2) data, W = mean of the training points, loss (w - z)^2 in [0, 1].

    Enumerate every supersample (2^6, equally likely) and selector (2^3): exact gen, exact
    conditional and unconditional information terms. Check |gen| <= every bound and their
    ordering ld-CMI <= e-CMI <= samplewise CMI (data processing: Delta_i is a function of L_i,
    which is a function of W) and samplewise <= full CMI.
    """
    n = 3
    loss = lambda w, z: (w - z) ** 2  # noqa: E731
    us = list(itertools.product((0, 1), repeat=n))
    eq = [1.0 / len(us)] * len(us)
    supers = list(itertools.product((0, 1), repeat=2 * n))
    gen = 0.0
    cmi_full = 0.0
    i_w, i_l, i_d = (np.zeros((len(supers), n)) for _ in range(3))
    uncond = [[] for _ in range(n)]               # (Delta_i, U_i) over supersamples and selectors
    for r, flat in enumerate(supers):
        zt = np.array(flat).reshape(n, 2)
        ws, ls, ds = [], [], []
        for u in us:
            train = zt[np.arange(n), u]
            test = zt[np.arange(n), 1 - np.array(u)]
            w = train.mean()
            gen += (np.mean(loss(w, test)) - np.mean(loss(w, train))) / (len(supers) * len(us))
            ws.append(round(w, 12))
            ls.append([(round(loss(w, zt[i, 0]), 12), round(loss(w, zt[i, 1]), 12)) for i in range(n)])
            ds.append([round(loss(w, zt[i, 1]) - loss(w, zt[i, 0]), 12) for i in range(n)])
        cmi_full += _mi_from_pairs(ws, us, eq) / len(supers)
        for i in range(n):
            ui = [u[i] for u in us]
            i_w[r, i] = _mi_from_pairs(ws, ui, eq)
            i_l[r, i] = _mi_from_pairs([l_[i] for l_ in ls], ui, eq)
            i_d[r, i] = _mi_from_pairs([d[i] for d in ds], ui, eq)
            uncond[i] += [(d[i], u[i]) for d, u in zip(ds, us)]
    b_samp = bounds.samplewise_cmi_bound(i_w)
    b_e = bounds.ecmi_bound(i_l)
    b_ld = bounds.ld_cmi_bound(i_d)
    # the 2-D form is the mean over supersamples of the per-supersample sqrt terms
    assert b_samp == pytest.approx(np.mean(np.sqrt(2 * i_w)), rel=1e-12)
    w_all = [1.0 / (len(supers) * len(us))] * (len(supers) * len(us))
    ld_uncond = [_mi_from_pairs([a for a, _ in uncond[i]], [b for _, b in uncond[i]], w_all) for i in range(n)]
    b_ld_uncond = bounds.ld_cmi_bound(ld_uncond)
    b_full = bounds.cmi_bound(cmi_full, n)
    assert gen == pytest.approx(2 * 0.25 / n, rel=1e-9)      # 2 Var(Z) / n for the sample mean
    for b in (b_samp, b_e, b_ld, b_ld_uncond, b_full):
        assert abs(gen) <= b
    assert b_ld <= b_e + 1e-12 <= b_samp + 2e-12
    assert b_samp <= b_full + 1e-12


# ------------------------------------------------------------------------------------------
# compression, Gibbs, population-risk tradeoff
# ------------------------------------------------------------------------------------------

@given(mi=st.floats(0.0, 1e3) | st.just(math.inf), rate=st.floats(0.0, 1e3) | st.just(math.inf),
       n=n_st, sigma=pos)
def test_compressed_mi_bound_data_processing(mi, rate, n, sigma):
    b = bounds.compressed_mi_bound(mi, rate, n, sigma)
    assert b <= bounds.xu_raginsky(mi, n, sigma)
    assert b <= bounds.xu_raginsky(rate, n, sigma)
    assert b == pytest.approx(math.sqrt(2 * sigma**2 * min(mi, rate) / n), rel=1e-12) or math.isinf(b)
    assert bounds.compressed_mi_bound(mi, rate, n + 1, sigma) <= b


@given(m=st.integers(1, 1000), k=st.integers(1, 256), seed=st.integers(0, 1000))
def test_quantizer_rate_bound_dominates_empirical_entropy(m, k, seed):
    from theory.information import discrete_entropy
    r = bounds.quantizer_rate_bound(m, k)
    assert r == pytest.approx(m * math.log(k), rel=1e-14, abs=1e-300)
    assert bounds.quantizer_rate_bound(m, k, base=2) == pytest.approx(m * math.log2(k), rel=1e-12, abs=1e-300)
    # the entropy of one quantized weight (any labels among k levels) is at most log k
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, k, 500)
    assert m * discrete_entropy(labels) <= r + 1e-9


def test_gibbs_generalization_gap():
    assert bounds.gibbs_generalization_gap(0.6, 2.0) == pytest.approx(0.3, rel=1e-14)
    assert bounds.gibbs_generalization_gap(math.inf, 2.0) == math.inf
    assert bounds.gibbs_generalization_gap(1e300, 1e-5) == pytest.approx(1e305, rel=1e-14)


@given(beta=st.floats(0.0, 2.0), n=st.integers(2, 1000), d=st.integers(1, 10), s2=st.floats(0.01, 100.0))
def test_population_risk_change_on_shrinkage(beta, n, d, s2):
    """Gaussian mean, W = sample mean (m = 0), compressor W^ = beta W. By hand:
    E L_mu(beta W) - E L_mu(W) = (beta^2 - 1) s2 d / n; distortion = (1-beta)^2 s2 d / n;
    gen(W) = 2 s2 d / n; gen(beta W) = 2 beta s2 d / n."""
    u = s2 * d / n
    got = bounds.compression_changes_population_risk((1 - beta) ** 2 * u, 2 * u, 2 * beta * u)
    assert got == pytest.approx((beta**2 - 1) * u, rel=1e-9, abs=1e-12 * u)
    assume(beta < 1 - 1e-6)
    assert got < 0                                   # shrinkage helps


def test_population_risk_change_monte_carlo():
    """Each term of the decomposition against Monte Carlo, then the decomposition at the true terms.

    Monte Carlo (W = sample mean, Ŵ = βW) checks the hand-derived distortion (1−β)²u, gen(W) = 2u,
    gen(Ŵ) = 2βu and the direct risk change (β²−1)u, u = σ²d/n, each within 3 standard errors;
    the decomposition is then evaluated at those independently derived terms.
    """
    rng = np.random.default_rng(3)
    n, d, s2, beta, reps = 5, 2, 1.5, 0.6, 200_000
    u = s2 * d / n
    z = math.sqrt(s2) * rng.standard_normal((reps, n, d))
    w = z.mean(1)
    wh = beta * w
    ls = lambda v: np.mean(np.sum((v[:, None, :] - z) ** 2, axis=2), axis=1)  # noqa: E731
    lmu = lambda v: np.sum(v**2, axis=1) + s2 * d  # noqa: E731
    for samples, exact in ((ls(wh) - ls(w), (1 - beta) ** 2 * u), (lmu(w) - ls(w), 2 * u),
                           (lmu(wh) - ls(wh), 2 * beta * u), (lmu(wh) - lmu(w), (beta**2 - 1) * u)):
        assert abs(samples.mean() - exact) <= 3 * samples.std(ddof=1) / math.sqrt(reps), exact
    got = bounds.compression_changes_population_risk((1 - beta) ** 2 * u, 2 * u, 2 * beta * u)
    assert got == pytest.approx((beta**2 - 1) * u, rel=1e-12)


