"""Tests for theory.quantization: exact 1-D k-means, HW/DRHW k-means, network quantization."""

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize
from scipy.stats import entropy as scipy_entropy

from theory import claims, quantization
from theory.catalog import (COMPRESSION_LOWERS_RISK, HUTCHINSON_TRACE, OPTIMAL_LE_LLOYD, QUANTIZATION_BEATS_TEMPERATURE,
                            QUANTIZED_GEN_BOUND)
from theory.quantization import (compression_ratio, diameter_regularized_centroids, floored_hessian_diagonal,
                                 hessian_weighted_kmeans, kmeans_1d, kmeans_objective, label_entropy,
                                 quantization_rate, quantize_network)
from theory.testbeds.nets import make_mlp


def brute_force(x, h, k):
    """Minimum weighted SSE over *all* label assignments (no contiguity assumed)."""
    best = math.inf
    for labels in itertools.product(range(k), repeat=x.size):
        a = np.array(labels)
        tot = 0.0
        for j in range(k):
            m = a == j
            if m.any():
                c = np.sum(h[m] * x[m]) / np.sum(h[m])
                tot += np.sum(h[m] * (x[m] - c) ** 2)
        best = min(best, tot)
    return best


def simple_hw_lloyd(x, h, k, max_iter=100):
    """A plain re-implementation of HW k-means from the quantile init (for the λ = 0 check)."""
    c = np.sort(np.quantile(x, (2 * np.arange(k) + 1) / (2 * k)))
    a = np.argmin(np.abs(x[:, None] - c[None, :]), axis=1)
    for _ in range(max_iter):
        for j in range(k):
            if np.any(a == j):
                c[j] = np.sum(h[a == j] * x[a == j]) / np.sum(h[a == j])
        a_new = np.argmin(np.abs(x[:, None] - c[None, :]), axis=1)
        if np.array_equal(a_new, a):
            break
        a = a_new
    return c, a


points = st.lists(st.floats(-5, 5, allow_nan=False).map(lambda v: round(v, 2)), min_size=2, max_size=60)


@settings(max_examples=80, deadline=None)
@given(points, st.data())
def test_optimal_never_worse_than_lloyd(xs, data):
    x = np.array(xs)
    d = np.unique(x).size
    k = data.draw(st.integers(1, d))
    h = np.array(data.draw(st.lists(st.floats(0.01, 10), min_size=x.size, max_size=x.size)))
    opt = kmeans_1d(x, k, weights=h, method="optimal")
    for init in ("quantile", "linear", "random"):
        ll = kmeans_1d(x, k, weights=h, method="lloyd", init=init, rng=0)
        assert opt.objective <= ll.objective * (1 + 1e-12)
    # the reported objective is the objective of the returned clustering
    assert opt.objective == pytest.approx(kmeans_objective(x, opt.centroids, opt.labels, h), rel=1e-12, abs=1e-12)
    assert np.all(np.diff(opt.centroids) >= 0)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(-20, 20), min_size=2, max_size=7), st.data())
def test_optimal_equals_brute_force(xs, data):
    x = np.array(xs, dtype=float) / 4
    k = data.draw(st.integers(1, min(3, np.unique(x).size)))
    h = np.array(data.draw(st.lists(st.floats(0.1, 5), min_size=x.size, max_size=x.size)))
    opt = kmeans_1d(x, k, weights=h, method="optimal")
    assert opt.objective == pytest.approx(brute_force(x, h, k), rel=1e-9, abs=1e-12)


def test_optimal_strictly_beats_lloyd_somewhere_and_scales():
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.normal(-3, 0.2, 300), rng.normal(0, 1.0, 3000), rng.normal(4, 0.1, 30)])
    h = rng.gamma(2.0, 1.0, x.size)
    opt = kmeans_1d(x, 12, weights=h, method="optimal")
    ll = kmeans_1d(x, 12, weights=h, init="linear")
    assert opt.objective < ll.objective
    # k = number of distinct values: zero distortion
    y = np.repeat([0.0, 1.0, 2.5, 7.0], [5, 1, 3, 2])
    assert kmeans_1d(y, 4, method="optimal").objective == 0.0


def test_unweighted_matches_plain_means():
    x = np.array([0.0, 0.1, 0.2, 5.0, 5.2, 9.0])
    r = kmeans_1d(x, 3, method="optimal")
    np.testing.assert_allclose(r.centroids, [0.1, 5.1, 9.0])
    np.testing.assert_allclose(r.quantized, [0.1, 0.1, 0.1, 5.1, 5.1, 9.0])


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 6))
def test_drhw_lambda_zero_is_hw_kmeans(seed, k):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=200)
    h = rng.gamma(1.5, 1.0, 200)
    hw = hessian_weighted_kmeans(x, h, k)
    c_ref, a_ref = simple_hw_lloyd(x, h, k)
    np.testing.assert_array_equal(hw.labels, a_ref)
    np.testing.assert_allclose(hw.centroids, c_ref, rtol=1e-12, atol=1e-12)
    assert hw.penalty == 0.0
    # the DRHW code path with a vanishing λ lands on the same clustering
    dr = hessian_weighted_kmeans(x, h, k, diameter_reg=1e-14)
    np.testing.assert_array_equal(dr.labels, hw.labels)
    np.testing.assert_allclose(dr.centroids, hw.centroids, atol=1e-10)
    # same as kmeans_1d with weights
    np.testing.assert_allclose(kmeans_1d(x, k, weights=h).objective, hw.distortion, rtol=1e-12)


def _fixed_problem(seed=0, K=4):
    rng = np.random.default_rng(seed)
    x = np.sort(rng.normal(size=120))
    h = rng.gamma(2.0, 1.0, 120)
    a = np.minimum((np.arange(120) * K) // 120, K - 1)
    c0 = np.array([np.sum(h[a == j] * x[a == j]) / np.sum(h[a == j]) for j in range(K)])
    return x, h, a, c0


@pytest.mark.parametrize("lam", [0.5, 3.0])
def test_extreme_centroid_update_is_exact_minimizer(lam):
    x, h, a, c0 = _fixed_problem()
    c = diameter_regularized_centroids(x, h, a, c0, diameter_reg=lam)

    def f(cv):
        return np.sum(h * (x - cv[a]) ** 2) + 0.5 * lam * (cv[-1] - cv[0])

    res = minimize(f, c0, method="BFGS", options={"gtol": 1e-10})
    np.testing.assert_allclose(c, res.x, atol=1e-6)
    assert f(c) <= res.fun + 1e-9
    # only the extremes moved, inward
    np.testing.assert_allclose(c[1:-1], c0[1:-1])
    assert c[0] > c0[0] and c[-1] < c0[-1]


def test_extreme_update_entropy_variant_is_exact_minimizer():
    x, h, a, c0 = _fixed_problem(1)
    lam_e = 0.7
    ent = scipy_entropy(np.bincount(a))
    c = diameter_regularized_centroids(x, h, a, c0, entropy_reg=lam_e)

    def f(cv):
        return np.sum(h * (x - cv[a]) ** 2) + lam_e * ent * (cv[-1] - cv[0]) ** 2

    res = minimize(f, c0, method="BFGS", options={"gtol": 1e-10})
    np.testing.assert_allclose(c, res.x, atol=1e-6)


def test_extreme_update_clips_at_neighbour():
    x, h, a, c0 = _fixed_problem()
    c = diameter_regularized_centroids(x, h, a, c0, diameter_reg=1e6)
    assert c[0] == c[1] and c[-1] == c[-2]


def test_drhw_shrinks_diameter_and_reports_consistent_objective():
    rng = np.random.default_rng(5)
    x = rng.standard_t(3, size=2000)
    h = rng.gamma(2.0, 1.0, 2000)
    hw = hessian_weighted_kmeans(x, h, 8)
    prev = hw.diameter
    for lam in (10.0, 100.0, 1000.0):
        dr = hessian_weighted_kmeans(x, h, 8, diameter_reg=lam)
        assert dr.diameter <= prev + 1e-12
        prev = dr.diameter
        assert dr.distortion == pytest.approx(kmeans_objective(x, dr.centroids, dr.labels, h), rel=1e-12)
        assert dr.penalty == pytest.approx(0.5 * lam * (dr.centroids[-1] - dr.centroids[0]), rel=1e-12)
        assert dr.objective == pytest.approx(dr.distortion + dr.penalty, rel=1e-12)
    de = hessian_weighted_kmeans(x, h, 8, entropy_reg=5.0)
    assert de.diameter < hw.diameter
    assert de.penalty == pytest.approx(5.0 * label_entropy(de.labels) * de.diameter ** 2, rel=1e-12)


def test_optimal_hw_via_hessian_weighted_kmeans():
    rng = np.random.default_rng(2)
    x, h = rng.normal(size=500), rng.gamma(2, 1, 500)
    r = hessian_weighted_kmeans(x, h, 6, method="optimal")
    assert r.distortion <= hessian_weighted_kmeans(x, h, 6).distortion * (1 + 1e-12)


def test_label_entropy_against_scipy():
    a = np.array([0, 0, 1, 2, 2, 2, 5])
    assert label_entropy(a) == pytest.approx(scipy_entropy(np.bincount(a)[np.bincount(a) > 0]))
    assert label_entropy(a, base=2) == pytest.approx(scipy_entropy(np.bincount(a), base=2))


def test_compression_ratio_by_hand():
    r = compression_ratio([np.array([0, 0, 1, 1])], 2)
    # 4 weights x 1 bit + 2 centroids x 32 bits, against 4 x 32 bits
    assert r.compressed_bits == pytest.approx(4 + 64)
    assert r.original_bits == 128
    assert r.ratio == pytest.approx(128 / 68) and r.fraction == pytest.approx(68 / 128)
    r2 = compression_ratio([np.array([0, 1, 2, 2, 2, 2, 2, 2]), np.zeros(3, int)], [4, 1], unquantized=5,
                           entropy_coded=False)
    # layer 1: 8 x ceil(log2 4)=2 bits + 4 x 32; layer 2: 0 bits + 1 x 32; 5 floats
    assert r2.compressed_bits == pytest.approx(16 + 128 + 32 + 160)
    assert r2.original_bits == 32 * 16
    p = np.array([1, 1, 6]) / 8
    r3 = compression_ratio([np.array([0, 1, 2, 2, 2, 2, 2, 2])], 4)
    assert r3.compressed_bits == pytest.approx(8 * -np.sum(p * np.log2(p)) + 128)


def test_quantization_rate_by_hand():
    assert quantization_rate([10, 20], [4, 8], num_float_params=3) == pytest.approx(
        10 * math.log(4) + 20 * math.log(8) + 3 * 32 * math.log(2))


@pytest.mark.parametrize("method", ["kmeans", "optimal", "hw", "optimal_hw", "drhw"])
def test_quantize_network(method, device):
    torch.manual_seed(0)
    model = make_mlp(6, [10], 3, seed=1, device=device)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    H = {k: (torch.rand(v.shape) + 0.1).to(device) for k, v in model.named_parameters()}
    q = quantize_network(model, H, [2, 3], method, diameter_reg=0.01 if method == "drhw" else 0.0)
    assert all(p.device.type == torch.device(device).type for p in q.model.parameters())
    if device != "cpu":  # the clustering runs in numpy: the same levels as from the CPU model
        q_cpu = quantize_network(make_mlp(6, [10], 3, seed=1), {k: v.cpu() for k, v in H.items()}, [2, 3], method,
                                 diameter_reg=0.01 if method == "drhw" else 0.0)
        for k, v in q_cpu.model.state_dict().items():
            torch.testing.assert_close(q.model.state_dict()[k].cpu(), v, rtol=0, atol=0)
    for k, v in model.state_dict().items():       # the input is untouched
        assert torch.equal(v, before[k])
    qs = q.model.state_dict()
    assert torch.equal(qs["0.bias"], before["0.bias"]) and torch.equal(qs["2.bias"], before["2.bias"])
    assert torch.unique(qs["0.weight"]).numel() <= 4 and torch.unique(qs["2.weight"]).numel() <= 8
    assert [layer.num_levels for layer in q.layers] == [4, 8]
    assert q.rate_bound == pytest.approx(60 * math.log(4) + 30 * math.log(8))
    w = before["0.weight"].double().cpu().numpy()
    if method in ("kmeans", "optimal"):
        ref = kmeans_1d(w, 4, method="lloyd" if method == "kmeans" else "optimal")
        np.testing.assert_allclose(qs["0.weight"].double().cpu().numpy().ravel(), ref.quantized, rtol=1e-6)
    if method == "optimal_hw":
        ref = kmeans_1d(w, 4, weights=H["0.weight"].double().cpu().numpy(), method="optimal")
        assert q.layers[0].distortion == pytest.approx(ref.objective, rel=1e-9)
    assert q.compression.ratio > 1


def test_optimal_beats_lloyd_on_a_mixture():
    """Exact DP ≤ Lloyd on 3000 points of a 3-component mixture with Gamma(2, 1) importances."""
    rng = np.random.default_rng(1)
    comp = rng.integers(0, 3, size=3000)
    w = rng.normal(np.array([-1.0, 0.0, 1.5])[comp], np.array([0.3, 0.5, 0.2])[comp])
    h = rng.gamma(2.0, 1.0, size=3000)
    opt = kmeans_1d(w, 16, weights=h, method="optimal")
    assert opt.objective <= kmeans_1d(w, 16, weights=h, method="lloyd").objective * (1 + 1e-12)


# --- exactness of the dynamic programme over any range of weights and values -----------------

def _exact_sse(x, h, labels):
    """Weighted SSE of a partition in exact rational arithmetic (the means are exact too)."""
    total = Fraction(0)
    for j in np.unique(labels):
        m = labels == j
        xs = [Fraction(float(v)) for v in x[m]]
        hs = [Fraction(float(v)) for v in h[m]]
        w = sum(hs)
        s1 = sum(a * b for a, b in zip(hs, xs))
        total += sum(a * b * b for a, b in zip(hs, xs)) - s1 * s1 / w
    return total


def _brute_force_contiguous(x, h, k):
    """Exact minimum over all partitions of the sorted points into k contiguous non-empty runs."""
    order = np.argsort(x, kind="stable")
    xs, hs = x[order], h[order]
    best = None
    for cuts in itertools.combinations(range(1, x.size), k - 1):
        labels = np.zeros(x.size, dtype=int)
        for c in cuts:
            labels[c:] += 1
        v = _exact_sse(xs, hs, labels)
        best = v if best is None or v < best else best
    return best


def _exact_dp(x, h, k):
    """Exact optimum by the O(k n^2) dynamic programme over exact rational prefix sums."""
    order = np.argsort(x, kind="stable")
    xs = [Fraction(float(v)) for v in x[order]]
    hs = [Fraction(float(v)) for v in h[order]]
    n = len(xs)
    p0, p1, p2 = [Fraction(0)], [Fraction(0)], [Fraction(0)]
    for a, b in zip(hs, xs):
        p0.append(p0[-1] + a)
        p1.append(p1[-1] + a * b)
        p2.append(p2[-1] + a * b * b)

    def cost(i, j):
        s1 = p1[j] - p1[i]
        return p2[j] - p2[i] - s1 * s1 / (p0[j] - p0[i])

    D = [cost(0, j) if j else Fraction(0) for j in range(n + 1)]
    for m in range(2, k + 1):
        D = [None] * m + [min(D[i] + cost(i, j) for i in range(m - 1, j)) for j in range(m, n + 1)]
    return D[n]


@st.composite
def _extreme_problem(draw):
    """n <= 10 points: clusters around small integers with a spread 10^-q (q <= 12), scaled by
    10^ex (|ex| <= 300); importances 10^u (u in [-15, 0], per point) scaled by 10^eh (|eh| <= 300),
    with eh + 2 ex within 320 of 0 (the objective near or beyond the ends of the float range)."""
    n = draw(st.integers(1, 10))
    q = draw(st.integers(0, 12))
    ex = draw(st.integers(-300, 300))
    eh = draw(st.integers(max(-300, -320 - 2 * ex), min(300, 320 - 2 * ex)))
    a = np.array(draw(st.lists(st.integers(-3, 3), min_size=n, max_size=n)), dtype=float)
    b = np.array(draw(st.lists(st.integers(-9, 9), min_size=n, max_size=n)), dtype=float)
    u = np.array(draw(st.lists(st.floats(-15, 0), min_size=n, max_size=n)))
    uniform = draw(st.booleans())
    x = (a + b * 10.0 ** -q) * 10.0 ** ex
    h = (np.ones(n) if uniform else 10.0 ** u) * 10.0 ** eh
    k = draw(st.integers(1, np.unique(x).size))
    return x, h, k


@settings(max_examples=80, deadline=None)
@given(_extreme_problem())
def test_optimal_is_exact_over_extreme_ranges(problem):
    """The DP's partition is optimal to a relative 1e-12 in exact arithmetic (against all contiguous
    partitions of the sorted points), for weights and values anywhere in 1e-300..1e300 and weights
    spanning 15 orders of magnitude within one problem; an objective beyond the float range is
    refused, never returned as inf."""
    x, h, k = problem
    best = _brute_force_contiguous(x, h, k)
    try:
        r = kmeans_1d(x, k, weights=h, method="optimal")
    except ValueError as err:
        assert "not finite" in str(err) and best > Fraction(1e307)
        return
    assert np.unique(r.labels).size == k
    got = _exact_sse(x, h, r.labels)
    assert got <= best * (1 + Fraction(1, 10**12)), float((got - best) / best)
    assert math.isfinite(r.objective) and r.objective == kmeans_objective(x, r.centroids, r.labels, h)


def _reported_inputs():
    """The inputs of the review: weights alternating 1 and 1e-15, 1e155 * w, uniform 1e160 and 1e-200."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=50)
    g = rng.gamma(2.0, 1.0, 50)
    return x, {"alternating": np.where(np.arange(50) % 2 == 0, 1.0, 1e-15), "1e155*w": 1e155 * g,
               "uniform 1e160": np.full(50, 1e160), "uniform 1e-200": np.full(50, 1e-200)}


@pytest.mark.parametrize("name", ["alternating", "1e155*w", "uniform 1e160", "uniform 1e-200"])
@pytest.mark.parametrize("k", [2, 3, 5, 8])
def test_optimal_on_reported_extreme_weights(name, k):
    """Exact against the exact-arithmetic DP, and never worse than Lloyd from any initialisation."""
    x, hs = _reported_inputs()
    h = hs[name]
    r = kmeans_1d(x, k, weights=h, method="optimal")
    got, best = _exact_sse(x, h, r.labels), _exact_dp(x, h, k)
    assert got <= best * (1 + Fraction(1, 10**12))
    for init in ("quantile", "linear", "random"):
        ll = kmeans_1d(x, k, weights=h, method="lloyd", init=init, rng=1)
        assert r.objective <= ll.objective * (1 + 1e-12), init
    # through the Hessian-weighted interface, the same clustering
    hw = hessian_weighted_kmeans(x, h, k, method="optimal")
    np.testing.assert_array_equal(hw.labels, r.labels)
    assert hw.distortion == r.objective


def test_optimal_is_invariant_to_scaling_the_weights():
    """Positive scalings of the weights leave the optimal clustering unchanged; the objective scales."""
    x, hs = _reported_inputs()
    g = hs["1e155*w"] / 1e155
    ref = kmeans_1d(x, 6, weights=g, method="optimal")
    for scale in (1e-300, 1e-200, 1e155, 1e300):
        r = kmeans_1d(x, 6, weights=scale * g, method="optimal")
        np.testing.assert_array_equal(r.labels, ref.labels)
        assert r.objective == pytest.approx(scale * ref.objective, rel=1e-12)
    unweighted = kmeans_1d(x, 6, method="optimal")
    for c in (1e160, 1e-200):
        np.testing.assert_array_equal(kmeans_1d(x, 6, weights=np.full(50, c), method="optimal").labels,
                                      unweighted.labels)


def test_optimal_splits_the_widest_of_tight_clusters():
    """Separated clusters far narrower than the data (where prefix sums cancel): with one level more
    than clusters, the exact method splits the cluster whose split removes the most distortion."""
    rng = np.random.default_rng(4)
    spreads = [1e-9, 3e-9, 2e-9, 5e-10]
    x = np.concatenate([c + s * rng.normal(size=40) for c, s in zip([1e6, 1e6 + 1.0, 1e6 + 2.0, 1e6 + 3.0], spreads)])
    h = rng.gamma(2.0, 1.0, x.size)
    r = kmeans_1d(x, 5, weights=h, method="optimal")
    assert _exact_sse(x, h, r.labels) <= _exact_dp(x, h, 5) * (1 + Fraction(1, 10**12))
    assert np.unique(r.labels[40:80]).size == 2          # the widest cluster is the one split


def test_optimal_hw_network_with_a_tiny_hessian_floor():
    """quantize_network("optimal_hw", hessian_floor=1e-18): importances spanning 18 orders of magnitude."""
    model = make_mlp(6, [10], 3, seed=1)
    H = {k: torch.where(torch.rand(v.shape) < 0.5, torch.zeros(v.shape), torch.rand(v.shape))
         for k, v in model.named_parameters()}
    q = quantize_network(model, H, 3, "optimal_hw", hessian_floor=1e-18)
    params = dict(model.named_parameters())
    for layer in q.layers:
        w = params[layer.name].detach().double().numpy().ravel()
        h = floored_hessian_diagonal(H[layer.name].double().numpy(), 1e-18).ravel()
        assert h.max() / h.min() > 1e17
        assert _exact_sse(w, h, layer.labels) <= _exact_dp(w, h, layer.num_levels) * (1 + Fraction(1, 10**12))
        ll = hessian_weighted_kmeans(w, h, layer.num_levels)
        assert layer.distortion <= ll.distortion * (1 + 1e-12)


def test_extreme_but_valid_values():
    """Values near the float range, or clusters a few ulps wide, give finite exact answers."""
    x = np.array([-1e300, -1e300, 1e300, 1e300, 0.0, 1e150])
    r = kmeans_1d(x, 3, method="optimal")
    assert r.labels.tolist() == [0, 0, 2, 2, 1, 1]
    assert r.objective == pytest.approx(0.5e300, rel=1e-15)
    y = 1.0 + np.arange(6) * 2.0**-52                      # six consecutive doubles
    r = kmeans_1d(y, 2, method="optimal")
    assert r.labels.tolist() == [0, 0, 0, 1, 1, 1]
    tiny = np.array([1e-310, 2e-310, 5e-310, 6e-310])    # subnormal points
    assert kmeans_1d(tiny, 2, method="optimal").labels.tolist() == [0, 0, 1, 1]


SMALL_NET = {"task": "teacher_student", "bits": 2, "seeds": 3, "width": 16, "epochs": 80, "n_train": 60,
             "n_test_ts": 2000}


def test_registered_claims_hold():
    row = claims.check(OPTIMAL_LE_LLOYD, SMALL_NET, rng=0)
    assert row.holds and row.measured <= row.bound
    row = claims.check(QUANTIZED_GEN_BOUND, SMALL_NET, rng=0)
    assert row.holds and row.bound > 1.0        # honest: the bound is vacuous at this size
    row = claims.check(COMPRESSION_LOWERS_RISK, SMALL_NET, rng=0)
    assert not row.must_hold and math.isfinite(row.measured)
    row = claims.check(COMPRESSION_LOWERS_RISK, {**SMALL_NET, "method": "drhw", "rho": 0.5}, rng=0)
    assert math.isfinite(row.measured) and row.se > 0
    with pytest.raises(ValueError, match="n_test_ts"):
        claims.check(QUANTIZED_GEN_BOUND, {k: v for k, v in SMALL_NET.items() if k != "n_test_ts"}, rng=0)
    with pytest.raises(ValueError, match="rho"):
        claims.check(COMPRESSION_LOWERS_RISK, {**SMALL_NET, "method": "hw", "rho": 0.5}, rng=0)


def test_experiment_claim_rows_are_the_claims():
    """The figure's claim rows, built from its run() rows, equal the claims checked at its sizes."""
    import torch

    from experiments import quantization_population_risk as qpr

    threads = torch.get_num_threads()
    cfg = {"width": 12, "epochs": 60, "n_train": 50, "n_test_ts": 1000, "n_probes": 50, "lr": 1e-2,
           "bits": [2], "rhos": [qpr.RHO_MAIN]}
    rows = []
    try:
        for seed in (0, 1):
            c = {"task": "teacher_student", "seed": seed, **cfg}
            rows += [{**c, **r} for r in qpr.run(c)]
    finally:
        torch.set_num_threads(threads)
    p = {"task": "teacher_student", "seeds": 2, "width": 12, "epochs": 60, "n_train": 50}
    q = {**p, "bits": 2, "n_test_ts": 1000}
    expected = {
        (HUTCHINSON_TRACE.id, ""): claims.check(HUTCHINSON_TRACE, {**p, "n_probes": 50}, rng=0),
        (OPTIMAL_LE_LLOYD.id, ""): claims.check(OPTIMAL_LE_LLOYD, q, rng=0),
        (QUANTIZED_GEN_BOUND.id, ""): claims.check(QUANTIZED_GEN_BOUND, q, rng=0),
        (COMPRESSION_LOWERS_RISK.id, "hw"): claims.check(COMPRESSION_LOWERS_RISK, q, rng=0),
        (COMPRESSION_LOWERS_RISK.id, "drhw"): claims.check(COMPRESSION_LOWERS_RISK,
                                                            {**q, "method": "drhw", "rho": qpr.RHO_MAIN}, rng=0),
        (QUANTIZATION_BEATS_TEMPERATURE.id, "hw"): claims.check(QUANTIZATION_BEATS_TEMPERATURE,
                                                                {**q, "method": "hw", "rho": 0.0}, rng=0),
        (QUANTIZATION_BEATS_TEMPERATURE.id, "drhw"): claims.check(QUANTIZATION_BEATS_TEMPERATURE,
                                                                  {**q, "method": "drhw", "rho": qpr.RHO_MAIN}, rng=0),
    }
    got = {}
    for r in qpr.claims(rows):
        key = "drhw" if "method=drhw" in r.setting else "hw" if "method=hw" in r.setting else ""
        got[(r.claim_id, key)] = r
    assert set(got) == set(expected)
    for key, e in expected.items():
        assert (got[key].bound, got[key].measured, got[key].se) == (e.bound, e.measured, e.se), key


def test_floored_hessian_diagonal():
    hd = np.array([[4.0, -2.0], [0.0, 2.0]])              # mean |H| = 2
    np.testing.assert_array_equal(floored_hessian_diagonal(hd, 0.25), [[4.0, 0.5], [0.5, 2.0]])
    np.testing.assert_array_equal(floored_hessian_diagonal(np.zeros(3), 0.1), [0.1, 0.1, 0.1])
    # a mean |H| beyond the float range (the sum overflows) is still the mean
    np.testing.assert_array_equal(floored_hessian_diagonal([1e308, 1e308, -1e308], 0.5), [1e308, 1e308, 5e307])


def test_zero_one_mi_bound_closed_form():
    """sqrt(2 (1/2)^2 R / n) = sqrt(R / (2n)) for a loss in [0, 1]; vectorized; an infinite rate is vacuous."""
    assert quantization.zero_one_mi_bound(3.0, 200) == pytest.approx(math.sqrt(3.0 / 400.0), rel=1e-12)
    np.testing.assert_allclose(quantization.zero_one_mi_bound(np.array([1.0, 8.0]), 10),
                               np.sqrt(np.array([1.0, 8.0]) / 20.0), rtol=1e-12)
    assert quantization.zero_one_mi_bound(math.inf, 10) == math.inf


def _drhw_entropy_one_step(x, h, K, lam_e):
    """Centroids and labels after one DRHW-entropy iteration, by the documented steps (see below)."""
    n = x.size
    c0 = np.quantile(x, (2 * np.arange(K) + 1) / (2 * K))
    a0 = np.argmin(np.abs(x[:, None] - c0[None, :]), axis=1)
    counts = np.bincount(a0, minlength=K)
    assert np.all(counts > 0)
    gamma = lam_e * scipy_entropy(counts)
    D = np.zeros((n + 1, K))
    D[np.arange(n), a0] = np.sqrt(h)
    D[n, 0], D[n, -1] = -math.sqrt(gamma), math.sqrt(gamma)
    c = np.linalg.lstsq(D, np.r_[np.sqrt(h) * x, 0.0], rcond=None)[0]
    assert np.all(np.diff(c) > 0)                                   # no clipping at the neighbours
    theta = -np.log((counts + 1) / (n + K))
    diam2 = (c[-1] - c[0]) ** 2
    every = np.array(list(itertools.product(range(K), repeat=n)))

    def best(scale):
        cost = np.sum(h * (x - c[every]) ** 2, axis=1) + lam_e * diam2 * scale * np.sum(theta[every], axis=1)
        order = np.argsort(cost)
        return every[order[0]], cost[order[1]] - cost[order[0]]

    a, gap = best(1.0 / n)
    assert gap > 1e-4                                                # a unique minimiser
    return c, a, diam2, best(0.0)[0], best(1.0)[0]


def test_drhw_entropy_assignment_step_by_brute_force():
    r"""One DRHW-entropy iteration on 10 weights, K = 3, recomputed here from the documented steps.

    Quantile init c⁰_j = quantile(w, (2j+1)/(2K)) and nearest assignment a⁰; the centroid step
    minimises Σ h_i(w_i − c_{a⁰_i})² + λ'Ĥ(a⁰)(c_K − c_1)² (solved here as one stacked least-squares
    problem); the assignment step minimises, over all 3¹⁰ label vectors, the linearised objective
    Σ_i [h_i(w_i − c_{a_i})² + λ'(c_K − c_1)² θ_{a_i}/n], θ_j = −log((n_j + 1)/(n + K)), n_j the
    counts of a⁰. At λ' = 4 the penalty moves a point off its nearest centroid and dropping the
    1/n would move another; λ' = 3.5 sits near a change of assignment, so that 1/(n−1) or a
    smoothing of 1/2 instead of 1 would move a point as well.
    """
    x = np.array([-2.0, -1.3, -0.9, -0.2, 0.1, 0.4, 0.5, 0.6, 0.7, 1.8])
    h = np.array([0.5, 1.0, 2.0, 0.3, 1.5, 0.8, 1.2, 0.6, 2.5, 0.7])
    K = 3
    for lam_e in (3.5, 4.0):
        c, a, diam2, nearest, without_1_over_n = _drhw_entropy_one_step(x, h, K, lam_e)
        if lam_e == 4.0:
            assert not np.array_equal(a, nearest) and not np.array_equal(a, without_1_over_n)
        r = hessian_weighted_kmeans(x, h, K, entropy_reg=lam_e, max_iter=1)
        np.testing.assert_allclose(r.centroids, c, rtol=1e-12, atol=1e-12)
        np.testing.assert_array_equal(r.labels, a)
        assert r.penalty == pytest.approx(lam_e * scipy_entropy(np.bincount(a)) * diam2, rel=1e-12)
        assert r.objective == pytest.approx(np.sum(h * (x - c[a]) ** 2) + r.penalty, rel=1e-12)


# --- the compiled (numba) and the numpy dynamic programme give the same answer, bit for bit ---

needs_numba = pytest.mark.skipif(not quantization.HAVE_NUMBA, reason="numba is not installed")


@pytest.fixture(params=["numpy", "numba"])
def dp_path(request, monkeypatch):
    """Run a test once with the numpy dynamic programme and once with the compiled one."""
    if request.param == "numba" and not quantization.HAVE_NUMBA:
        pytest.skip("numba is not installed")
    monkeypatch.setattr(quantization, "_USE_NUMBA", request.param == "numba")
    return request.param


@st.composite
def _adversarial_problem(draw, max_weight_span=1e600):
    """Up to 3000 sorted points with runs of ties, repeated values, clusters a few ulps wide or
    values spread over many orders of magnitude; weights constant, Gamma(2, 1), or 10^u with u
    uniform in [-300, 300] (spanning the float range within one problem; or within
    ``max_weight_span``); k up to 20."""
    n = draw(st.integers(2, 3000))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    kind = draw(st.sampled_from(["normal", "few values", "rounded", "ulps", "orders"]))
    if kind == "normal":
        x = rng.normal(size=n)
    elif kind == "few values":
        x = rng.integers(0, draw(st.integers(1, 30)), n).astype(float)
    elif kind == "rounded":
        x = np.round(rng.laplace(size=n), 1)
    elif kind == "ulps":
        x = 1.0 + rng.integers(0, 40, n) * 2.0**-52
    else:
        x = rng.choice([-1.0, 1.0], n) * 10.0 ** rng.uniform(-300, 300, n)
    wkind = draw(st.sampled_from(["ones", "gamma", "1e-300..1e300"]))
    if wkind == "ones":
        h = np.full(n, draw(st.sampled_from([1.0, 1e-300, 1e300])))
    elif wkind == "gamma":
        h = rng.gamma(2.0, 1.0, n)
    else:
        e = min(300.0, np.log10(max_weight_span) / 2)
        h = 10.0 ** rng.uniform(-e, e, n)
    x = np.sort(x, kind="stable")
    k = draw(st.integers(1, min(20, np.unique(x).size)))
    return x, h, k


@needs_numba
@settings(max_examples=60, deadline=None)
@given(_adversarial_problem())
def test_compiled_and_numpy_dp_agree_bit_for_bit(problem):
    """The same cluster starts from both paths (the compiled kernels repeat the numpy path's
    floating-point operations in the same order, and its choice among ties and near-ties)."""
    xs, hs, k = problem
    old = quantization._USE_NUMBA
    try:
        quantization._USE_NUMBA = False
        ref = quantization._optimal_sorted(xs, hs, k)
        quantization._USE_NUMBA = True
        got = quantization._optimal_sorted(xs, hs, k)
    finally:
        quantization._USE_NUMBA = old
    np.testing.assert_array_equal(got, ref)


@needs_numba
def test_compiled_table_equals_the_numpy_table():
    """The disjoint sparse table built by the compiled kernel is the numpy one, bit for bit."""
    rng = np.random.default_rng(7)
    for n in (1, 2, 3, 5, 64, 65, 1000):
        xs = np.sort(np.round(rng.normal(size=n), 2))
        hn, xw = quantization._scaled_sorted(xs, 10.0 ** rng.uniform(-300, 300, n))
        ref = quantization._SegmentCosts(xw, hn)
        size = ref.U.size
        U, M2, D = np.empty(size), np.empty(size), np.empty(size)
        quantization._jit_table(xw, hn, U, M2, D, ref.N)
        for a, b in ((U, ref.U), (M2, ref.M2), (D, ref.D)):
            np.testing.assert_array_equal(a.view(np.int64), b.view(np.int64))


@needs_numba
@settings(max_examples=80, deadline=None)
@given(st.integers(0, 3000), st.integers(0, 2**32 - 1),
       st.sampled_from(["normal", "few values", "signed zeros", "subnormal", "orders", "one value"]))
def test_compiled_radix_argsort_is_numpys_stable_argsort(n, seed, kind):
    """The compiled radix sort gives the order of numpy's stable comparison sort: equal values
    (including -0.0 and 0.0) in their input order, negatives, subnormals and extremes in place."""
    rng = np.random.default_rng(seed)
    if kind == "normal":
        x = rng.normal(size=n)
    elif kind == "few values":
        x = rng.integers(-3, 4, n).astype(float)
    elif kind == "signed zeros":
        x = rng.choice([-0.0, 0.0, -1.0, 1.0, 5e-324, -5e-324], n)
    elif kind == "subnormal":
        x = rng.integers(-50, 50, n) * 5e-324
    elif kind == "orders":
        x = rng.choice([-1.0, 1.0], n) * 10.0 ** rng.uniform(-308, 308, n)
    else:
        x = np.full(n, -2.5)
    np.testing.assert_array_equal(quantization._jit_argsort(x), np.argsort(x, kind="stable"))


@needs_numba
@pytest.mark.parametrize("kind", ["normal", "few values"])
def test_trimmed_last_layer_but_one_computes_every_row_the_last_layer_reads(kind):
    """With ``trim`` the compiled layer skips only rows below ``out_lo[jhi]``, the lowest split
    point the last layer looks at; every row from there up is the untrimmed layer's, bit for bit,
    and the trimmed layer computes fewer rows."""
    rng = np.random.default_rng(3)
    n, k = 5000, 6
    x = np.sort(rng.normal(size=n) if kind == "normal" else rng.integers(0, 40, n).astype(float))
    hn, xw = quantization._scaled_sorted(x, rng.gamma(2.0, 1.0, n))
    costs = quantization._SegmentCosts(xw, hn)
    U, M2, D, N = costs.U, costs.M2, costs.D, costs.N
    Dp = np.zeros(n + 1)
    Dp[1:] = costs.cost(np.zeros(n, dtype=np.int64), np.arange(n, dtype=np.int64))
    lo = np.zeros(n + 1, dtype=np.int64)
    stack = np.empty((2 * 64 + 4, 4), dtype=np.int64)
    for m in range(2, k):   # layers 2 .. k - 1, the last one trimmed or not
        jhi = n - (k - m)
        out = {}
        for trim in ((False, True) if m == k - 1 else (False,)):
            val, arg, olo = np.full(n + 1, -1.0), np.full(n + 1, -1, dtype=np.int64), np.full(n + 1, -1, dtype=np.int64)
            quantization._jit_dc_layer(Dp, U, M2, D, N, xw, m, jhi, m - 1, jhi - 1, lo, val, arg, olo,
                                       np.empty(n + 1), stack, np.empty(1), np.inf, np.inf, trim)
            out[trim] = val, arg, olo
        val, arg, olo = out[False]
        if m == k - 1:
            keep = olo[jhi]
            assert 0 < keep < jhi
            for full, trimmed in zip(out[False], out[True]):
                np.testing.assert_array_equal(trimmed[keep:jhi + 1], full[keep:jhi + 1])
            assert (out[True][1][m:keep] == -1).any()   # rows below were skipped
        olo[jhi + 1:] = olo[jhi]
        Dp, lo = val, olo


@needs_numba
@settings(max_examples=60, deadline=None)
@given(_adversarial_problem())
def test_compiled_run_means_are_the_numpy_ones_bit_for_bit(problem):
    """The centroids summed run by run (compiled) equal numpy's ``bincount`` sums, bit for bit."""
    xs, hs, k = problem
    starts = quantization._optimal_sorted(xs, hs, k)
    lab = np.cumsum(np.isin(np.arange(xs.size), starts[1:]))
    old = quantization._USE_NUMBA
    try:
        quantization._USE_NUMBA = False
        ref = quantization._run_means(xs, hs, starts, lab, k)
        quantization._USE_NUMBA = True
        got = quantization._run_means(xs, hs, starts, lab, k)
    finally:
        quantization._USE_NUMBA = old
    np.testing.assert_array_equal(got.view(np.int64), ref.view(np.int64))


def _computed_optimum(xs, hs, starts):
    """The DP's own (rounded) cost of a partition of sorted points: an upper bound on the exact
    optimum to within rounding, the tightest the dead-row pruning can be given."""
    hn, xw = quantization._scaled_sorted(xs, hs)
    ends = np.append(starts[1:], xs.size) - 1
    return float(np.sum(quantization._SegmentCosts(xw, hn).cost(starts, ends)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_adversarial_problem(max_weight_span=1e60))
def test_pruning_dead_rows_keeps_the_split_points(dp_path, problem):
    """Rows whose value exceeds an upper bound on the optimum are dead (on no optimal path); the
    split points are the same with the default bound (a Lloyd partition's cost), with the
    tightest one (the optimum's own computed cost) and with none."""
    xs, hs, k = problem
    ref = quantization._optimal_sorted(xs, hs, k, ub=np.inf)
    np.testing.assert_array_equal(quantization._optimal_sorted(xs, hs, k), ref)
    tight = _computed_optimum(xs, hs, ref)
    if tight >= quantization._DEAD_FLOOR:
        np.testing.assert_array_equal(quantization._optimal_sorted(xs, hs, k, ub=tight), ref)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(1, 12), st.integers(0, 2**32 - 1), st.sampled_from(["normal", "few values", "pairs"]))
def test_pruning_with_the_tightest_bound_is_exact(dp_path, n, seed, kind):
    """With the upper bound equal to the optimum's computed cost (the most rows dead, and the last
    cluster often of cost 0, so that the optimal path runs at the bound), the DP is still exact:
    against the exact-arithmetic O(k n^2) dynamic programme."""
    rng = np.random.default_rng(seed)
    x = {"normal": lambda: rng.normal(size=n), "few values": lambda: rng.integers(0, 4, n).astype(float),
         "pairs": lambda: np.repeat(rng.normal(size=(n + 1) // 2), 2)[:n]}[kind]()
    h = rng.gamma(2.0, 1.0, n)
    order = np.argsort(x, kind="stable")
    xs, hs = x[order], h[order]
    for k in range(1, np.unique(x).size + 1):
        ref = quantization._optimal_sorted(xs, hs, k, ub=np.inf)
        tight = _computed_optimum(xs, hs, ref)
        starts = quantization._optimal_sorted(xs, hs, k, ub=max(tight, quantization._DEAD_FLOOR))
        labels = np.zeros(n, dtype=int)
        labels[order] = np.cumsum(np.isin(np.arange(n), starts[1:]))
        assert _exact_sse(x, h, labels) == _exact_dp(x, h, k), (k, starts, ref)


def test_dead_rows_rule_on_a_worked_example():
    """What the next layer sees: rows above the dead one get the dead value; a row keeps its own
    lower bound only if its value is at most the live threshold and it is not above the dead row;
    any other row (and the rows beyond jhi) takes the bound of the last such row below it, or 0."""
    Dn = np.array([9.0, 9.0, 1.0, 5.0, 2.0, 3.0, 7.0, 1.0, 9.0, 9.0])
    lo_n = np.array([0, 0, 1, 2, 2, 3, 4, 5, 6, 7])
    quantization._dead_rows(Dn, lo_n, 2, 8, 6, 4.0)   # rows 2..8, dead from row 6 (7 and 8 above it)
    # row 2: 1 <= 4 keeps 1; row 3: 5 > 4 takes 1; row 4 keeps 2; row 5 keeps 3; row 6 (the dead
    # row itself, 7 > 4) takes 3; rows 7, 8 (above the dead row) and 9 (beyond jhi) take 3
    np.testing.assert_array_equal(lo_n, [0, 0, 1, 1, 2, 3, 3, 3, 3, 3])
    np.testing.assert_array_equal(Dn, [9.0, 9.0, 1.0, 5.0, 2.0, 3.0, 7.0, quantization._DEAD, quantization._DEAD, 9.0])
    if quantization.HAVE_NUMBA:
        Dj = np.array([9.0, 9.0, 1.0, 5.0, 2.0, 3.0, 7.0, 1.0, 9.0, 9.0])
        lj = np.array([0, 0, 1, 2, 2, 3, 4, 5, 6, 7])
        quantization._jit_dead_rows(Dj, lj, 2, 8, 6, 0, 4.0)
        np.testing.assert_array_equal(lj, lo_n)
        np.testing.assert_array_equal(Dj, Dn)


@settings(max_examples=40, deadline=None)
@given(_adversarial_problem())
def test_sorted_lloyd_start_is_a_valid_partition(problem):
    """The partition whose cost bounds the optimum: k non-empty runs, starting at 0."""
    xs, hs, k = problem
    hn, xw = quantization._scaled_sorted(xs, hs)
    starts = quantization._sorted_lloyd_starts(xw, hn, k)
    assert starts.shape == (k,) and starts[0] == 0
    assert np.all(np.diff(starts) >= 1) and starts[-1] <= xs.size - 1


@needs_numba
@pytest.mark.parametrize("seed", range(3))
def test_compiled_and_numpy_results_agree_at_a_larger_size(seed):
    """kmeans_1d: identical labels, centroids and objective from both paths (n = 20000, k = 20)."""
    rng = np.random.default_rng(seed)
    x = np.round(rng.laplace(0.0, 0.05, 20_000), 3 + seed)          # many repeated values
    h = rng.gamma(2.0, 1.0, x.size) if seed else None
    old = quantization._USE_NUMBA
    try:
        quantization._USE_NUMBA = False
        ref = kmeans_1d(x, 20, weights=h, method="optimal")
        quantization._USE_NUMBA = True
        got = kmeans_1d(x, 20, weights=h, method="optimal")
    finally:
        quantization._USE_NUMBA = old
    np.testing.assert_array_equal(got.labels, ref.labels)
    np.testing.assert_array_equal(got.centroids, ref.centroids)
    assert got.objective == ref.objective


@settings(max_examples=25, deadline=None)
@given(_extreme_problem())
def test_both_dp_paths_are_exact_over_extreme_ranges(problem):
    """Both paths (numpy and compiled) against the exact-arithmetic O(k n^2) dynamic programme."""
    x, h, k = problem
    best = _exact_dp(x, h, k)
    paths = [False, True] if quantization.HAVE_NUMBA else [False]
    old = quantization._USE_NUMBA
    try:
        for use in paths:
            quantization._USE_NUMBA = use
            order = np.argsort(x, kind="stable")
            starts = quantization._optimal_sorted(x[order], h[order], k)
            labels = np.zeros(x.size, dtype=int)
            labels[order] = np.cumsum(np.isin(np.arange(x.size), starts[1:]))
            got = _exact_sse(x, h, labels)
            assert got <= best * (1 + Fraction(1, 10**12)), (use, float((got - best) / best) if best else got)
    finally:
        quantization._USE_NUMBA = old


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 14), st.integers(0, 2**32 - 1), st.sampled_from(["integers", "normal", "two values"]),
       st.booleans())
def test_split_points_move_right_with_one_more_cluster(n, seed, kind, weighted):
    """The exact fact behind the DP's cross-layer bound: in exact rational arithmetic, every
    optimal start of the last cluster with m clusters is >= the smallest one with m - 1 clusters
    (for all prefixes j), ties included (repeated values give many exact ties)."""
    rng = np.random.default_rng(seed)
    if kind == "integers":
        x = rng.integers(0, 5, n).astype(float)
    elif kind == "normal":
        x = rng.normal(size=n)
    else:
        x = rng.choice([0.0, 1.0], n)
    x = np.sort(x)
    h = rng.integers(1, 4, n).astype(float) if weighted else np.ones(n)
    xs = [Fraction(float(v)) for v in x]
    hs = [Fraction(float(v)) for v in h]

    def cost(i, j):   # SSE of the points i..j-1
        w = sum(hs[i:j])
        s1 = sum(a * b for a, b in zip(hs[i:j], xs[i:j]))
        return sum(a * b * b for a, b in zip(hs[i:j], xs[i:j])) - s1 * s1 / w

    F = {1: {j: cost(0, j) for j in range(1, n + 1)}}
    smallest = {}
    for m in range(2, n + 1):
        F[m] = {}
        for j in range(m, n + 1):
            vals = {i: F[m - 1][i] + cost(i, j) for i in range(m - 1, j)}
            best = min(vals.values())
            opts = [i for i, v in vals.items() if v == best]
            F[m][j] = best
            smallest[m, j] = opts[0]
            if m >= 3:
                assert min(opts) >= smallest[m - 1, j], (m, j, opts, smallest[m - 1, j])


@settings(max_examples=200, deadline=None)
@given(st.integers(10, 40), st.integers(0, 2**32 - 1), st.floats(0.0, 60.0), st.booleans())
def test_optimal_is_exact_with_repeated_values_and_weights_spanning_1e60(n, seed, span, use_numba):
    """The documented regime: repeated values (up to 40 points on 8 integers, so that the divide
    and conquer meets exact and near ties at several depths) and weights spanning up to 10^60
    within a problem (a light point then changes a cost by far less than its rounding, so that
    equal computed values are not exact ties); optimal to a relative 1e-12 against the exact
    O(k n^2) programme."""
    if use_numba and not quantization.HAVE_NUMBA:
        use_numba = False
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 8, n).astype(float)
    h = 10.0 ** rng.uniform(-span, 0.0, n)
    k = int(rng.integers(2, min(8, np.unique(x).size) + 1))
    best = _exact_dp(x, h, k)
    old = quantization._USE_NUMBA
    try:
        quantization._USE_NUMBA = use_numba
        r = kmeans_1d(x, k, weights=h, method="optimal")
    finally:
        quantization._USE_NUMBA = old
    got = _exact_sse(x, h, r.labels)
    assert got <= best * (1 + Fraction(1, 10**12)), float((got - best) / best)


def test_equal_computed_values_are_not_taken_for_exact_ties(dp_path):
    """Weights 2e-17 next to 1: candidates whose computed values agree bit for bit differ exactly
    (a light point moves a cost by less than half an ulp); the optimum is still found."""
    x = np.array([1.0, 1.0, 2.0, 3.0, 3.0, 6.0, 7.0, 7.0])
    h = np.array([3.0, 2e-17, 1.0, 1.0, 1.0, 2e-17, 1.0, 1.0])
    r = kmeans_1d(x, 4, weights=h, method="optimal")
    assert _exact_sse(x, h, r.labels) <= _exact_dp(x, h, 4) * (1 + Fraction(1, 10**12))


@pytest.mark.xfail(strict=True, reason="known limit (kmeans_1d docstring): weights spanning > ~1e107, "
                                       "where the table's Welford increments underflow")
def test_known_limit_weights_spanning_more_than_1e107(dp_path):
    x = np.array([0.0, 1.0, 2.0, 3.0])
    h = np.array([1.0, 1e-108, 1e-108, 1e-108])
    r = kmeans_1d(x, 2, weights=h, method="optimal")
    assert _exact_sse(x, h, r.labels) <= _exact_dp(x, h, 2) * (1 + Fraction(1, 10**12))


def test_numpy_path_pins_ties_and_tiny_ranges(dp_path):
    """The pinned answers of the tie and tiny-range cases, on either path."""
    y = 1.0 + np.arange(6) * 2.0**-52
    assert kmeans_1d(y, 2, method="optimal").labels.tolist() == [0, 0, 0, 1, 1, 1]
    z = np.repeat([0.0, 1.0, 2.5, 7.0], [5, 1, 3, 2])
    r = kmeans_1d(z, 4, method="optimal")
    assert r.objective == 0.0 and r.labels.tolist() == [0] * 5 + [1] + [2] * 3 + [3] * 2
    tiny = np.array([1e-310, 2e-310, 5e-310, 6e-310])
    assert kmeans_1d(tiny, 2, method="optimal").labels.tolist() == [0, 0, 1, 1]
    r = kmeans_1d(np.zeros(7).tolist() + [1.0, 1.0], 2, method="optimal")   # a tie at zero cost
    assert r.labels.tolist() == [0] * 7 + [1, 1]


def test_optimal_order_and_distinct_check_on_the_sorted_points(dp_path):
    """The exact method sorts by the default (unstable) sort when all points differ and falls back
    to the stable sort with ties (including 0.0 and -0.0): labels as with the stable order; it
    counts the distinct values on the sorted points and refuses k above that count."""
    rng = np.random.default_rng(11)
    for x in (rng.normal(size=500), np.round(rng.normal(size=500), 1),
              np.concatenate([np.zeros(5), -np.zeros(5), rng.normal(size=40)])[rng.permutation(50)]):
        h = rng.gamma(2.0, 1.0, x.size)
        order = np.argsort(x, kind="stable")
        starts = quantization._optimal_sorted(x[order], quantization._unit(h)[order], 4)
        lab = np.zeros(x.size, dtype=np.int64)
        lab[order] = np.cumsum(np.isin(np.arange(x.size), starts[1:]))
        r = kmeans_1d(x, 4, weights=h, method="optimal")
        np.testing.assert_array_equal(r.labels, lab)
    with pytest.raises(ValueError, match="distinct values of `w` \\(3\\)"):
        kmeans_1d([0.0, -0.0, 1.0, 1.0, 2.0], 4, method="optimal")
    with pytest.raises(ValueError, match="distinct values of `w` \\(3\\)"):
        kmeans_1d([0.0, -0.0, 1.0, 1.0, 2.0], 4, method="lloyd")
    assert kmeans_1d([0.0, -0.0, 1.0, 1.0, 2.0], 3, method="optimal").objective == 0.0
