"""CoreNet coresets: sensitivities, the unbiased sparsifier, sample sizes, CoreNet and baselines."""

import copy
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from theory import coresets as cs
from theory.catalog.coresets import (CORESET_BEATS_UNIFORM, CORESET_COMPRESSION_BOUND, CORESET_GUARANTEE_INPUTS,
                                     CORESET_GUARANTEE_PAIRS)
from theory.claims import check
from theory.testbeds.nets import linear_layers, make_mlp
from theory.testbeds.protocols import CORESET_METHODS, coreset_pruning


def _brute_sensitivity(W, A):
    """Per-neuron, per-edge loop over the definition (independent of the vectorized code)."""
    A = np.asarray(A, float)
    if np.any(A < 0):
        A = np.concatenate([np.maximum(A, 0), np.maximum(-A, 0)])
    out, inp = W.shape
    s = np.zeros((out, inp))
    for i in range(out):
        for sign in (1, -1):
            group = [j for j in range(inp) if sign * W[i, j] > 0]
            for x in A:
                den = sum(sign * W[i, k] * x[k] for k in group)
                if den <= 0:
                    continue
                for j in group:
                    s[i, j] = max(s[i, j], sign * W[i, j] * x[j] / den)
    return s


def _rand_layer(seed, out=4, inp=6, n=5, signed=False, sparse=False):
    g = np.random.default_rng(seed)
    W = g.standard_normal((out, inp))
    A = g.standard_normal((n, inp)) if signed else np.abs(g.standard_normal((n, inp)))
    if sparse:
        A[A < 0.5] = 0.0
    return W, A


# ---- sensitivity -----------------------------------------------------------------------------

@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), signed=st.booleans(), sparse=st.booleans())
def test_sensitivity_matches_definition_bounds_and_sums(seed, signed, sparse):
    W, A = _rand_layer(seed, signed=signed, sparse=sparse)
    res = cs.empirical_sensitivity(W, A)
    np.testing.assert_allclose(res.sensitivity, _brute_sensitivity(W, A), atol=1e-12)
    assert np.all((res.sensitivity >= 0) & (res.sensitivity <= 1))
    for tot in (res.total_positive, res.total_negative):
        # each group's total is 0 (its products vanish on all of S) or at least 1
        assert np.all((tot == 0) | (tot >= 1 - 1e-12))
    # groups that are active on some point must have total >= 1
    Ap = np.concatenate([np.maximum(A, 0), np.maximum(-A, 0)]) if signed else A
    active_pos = (Ap @ np.maximum(W, 0).T > 0).any(axis=0)
    assert np.all(res.total_positive[active_pos] >= 1 - 1e-12)


def test_sensitivity_of_single_point_is_the_share():
    W = np.array([[1.0, 2.0, -3.0, 0.0]])
    a = np.array([[1.0, 1.0, 1.0, 5.0]])
    res = cs.empirical_sensitivity(W, a)
    np.testing.assert_allclose(res.sensitivity, [[1 / 3, 2 / 3, 1.0, 0.0]])
    assert res.total_positive[0] == pytest.approx(1.0) and res.total_negative[0] == pytest.approx(1.0)


# ---- the sparsifier --------------------------------------------------------------------------

def test_sparsifier_is_unbiased_with_the_multinomial_variance():
    W, A = _rand_layer(3, out=3, inp=5, n=4)
    sens = cs.empirical_sensitivity(W, A)
    m, R = 7, 4000
    rng = np.random.default_rng(0)
    draws = np.stack([cs.sparsify_layer(W, A, samples=m, rng=rng).weight for _ in range(R)])
    mean = draws.mean(axis=0)
    se = draws.std(axis=0, ddof=1) / math.sqrt(R)
    pos = sens.sensitivity > 0
    assert np.all(np.abs(mean - W)[pos] <= 4.5 * se[pos] + 1e-12)
    assert np.all(draws[:, ~pos] == 0)
    # Var ŵ_j = w_j² (1 - q_j) / (m_g q_j) for the multinomial counts of the edge's sign group
    one = cs.sparsify_layer(W, A, samples=m, rng=1)
    for i in range(W.shape[0]):
        for positive, mg in ((True, one.samples_positive[i]), (False, one.samples_negative[i])):
            mask = (W[i] > 0) if positive else (W[i] < 0)
            s = np.where(mask, sens.sensitivity[i], 0.0)
            if mg == 0 or s.sum() == 0:
                continue
            q = s / s.sum()
            for j in np.flatnonzero(q > 0):
                var = W[i, j] ** 2 * (1 - q[j]) / (mg * q[j])
                emp = draws[:, i, j].var(ddof=1)
                assert emp == pytest.approx(var, rel=6 * math.sqrt(2 / R) + 0.05 * (var == 0))


def test_samples_split_between_sign_groups_and_sum():
    W, A = _rand_layer(5)
    out = cs.sparsify_layer(W, A, samples=np.arange(1, 5) * 10, rng=0)
    np.testing.assert_array_equal(out.samples_positive + out.samples_negative, np.arange(1, 5) * 10)


def test_with_enough_samples_the_layer_is_recovered():
    W, A = _rand_layer(7, out=5, inp=8, n=6)
    out = cs.sparsify_layer(W, A, samples=10 ** 10, rng=0)
    pos = out.sensitivity.sensitivity > 0
    np.testing.assert_allclose(out.weight[pos], W[pos], rtol=1e-3)
    np.testing.assert_allclose(A @ out.weight.T, A @ W.T, rtol=1e-3, atol=1e-9)


def test_sparsify_layer_eps_mode_uses_the_sample_size():
    W, A = _rand_layer(11)
    out = cs.sparsify_layer(W, A, eps=0.5, delta=0.1, rng=0, eta=10, K=2.0)
    sens = out.sensitivity
    expected = np.ceil(8 * sens.total_positive * 2.0 * math.log(8 * 10 / 0.1) / 0.25)
    np.testing.assert_array_equal(out.samples_positive, np.where(sens.total_positive > 0, expected, 0))


def test_same_seed_same_numbers():
    W, A = _rand_layer(13)
    a = cs.sparsify_layer(W, A, samples=9, rng=42).weight
    b = cs.sparsify_layer(W, A, samples=9, rng=42).weight
    np.testing.assert_array_equal(a, b)


# ---- constants -------------------------------------------------------------------------------

def test_sample_size_closed_form():
    m = cs.corenet_sample_size(2.0, 0.5, 0.1, eta=10, K=2.0)
    assert float(m) == math.ceil(8 * 2.0 * 2.0 * math.log(800.0) / 0.25)
    assert float(cs.corenet_sample_size(0.0, 0.5, 0.1, eta=10)) == 0.0


@settings(max_examples=40, deadline=None)
@given(S=st.floats(1.0, 100.0), eps=st.floats(0.01, 2.0), delta=st.floats(0.001, 0.9),
       shrink=st.floats(0.1, 0.95))
def test_sample_size_grows_as_eps_or_delta_shrink(S, eps, delta, shrink):
    m = float(cs.corenet_sample_size(S, eps, delta, eta=50))
    assert float(cs.corenet_sample_size(S, eps * shrink, delta, eta=50)) >= m
    assert float(cs.corenet_sample_size(S, eps, delta * shrink, eta=50)) >= m
    assert float(cs.corenet_sample_size(S, eps * shrink, delta, eta=50)) >= (m - 1) / shrink ** 2


def test_constants_closed_form():
    c = cs.corenet_constants(100, 30, 0.1, K_prime=3.0)
    lam = math.log(3000) / 2
    assert c.lambda_star == pytest.approx(lam)
    assert c.kappa == pytest.approx(math.sqrt(2 * lam) * (1 + math.sqrt(2 * lam) * math.log(8 * 3000 / 0.1)))
    assert c.s_size == math.ceil(3.0 * math.log(8 * 3000 / 0.1))


def test_delta_terms_against_loops():
    g = np.random.default_rng(0)
    Ws = [g.standard_normal((4, 3)), g.standard_normal((2, 4))]
    bs = [g.standard_normal(4), g.standard_normal(2)]
    As = [g.standard_normal((6, 3)), np.abs(g.standard_normal((6, 4)))]
    d = cs.delta_terms(Ws, As, kappa=1.5, biases=bs)
    for l in range(2):
        best = 0.0
        for i in range(Ws[l].shape[0]):
            vals = [(sum(abs(Ws[l][i, k] * x[k]) for k in range(len(x))) + abs(bs[l][i]))
                    / abs(sum(Ws[l][i, k] * x[k] for k in range(len(x))) + bs[l][i]) for x in As[l]]
            best = max(best, float(np.mean(vals)))
        assert d.delta_hat[l] == pytest.approx(best)
    assert d.delta_forward[1] == pytest.approx(d.delta_hat[1] + 1.5)
    assert d.delta_forward[0] == pytest.approx((d.delta_hat[0] + 1.5) * (d.delta_hat[1] + 1.5))


# ---- CoreNet on networks ---------------------------------------------------------------------

def _net_and_data(seed=0, in_dim=10, widths=(40, 40), out_dim=3, n=200):
    net = make_mlp(in_dim, widths, out_dim, seed=seed, init="normal")
    X = torch.as_tensor(np.random.default_rng(seed).standard_normal((n, in_dim)), dtype=torch.float32)
    return net, X


@pytest.mark.parametrize("variant", cs.VARIANTS)
def test_budget_mode_hits_the_fraction_and_leaves_the_model_alone(variant):
    net, X = _net_and_data()
    before = [p.detach().clone() for p in net.parameters()]
    res = cs.corenet(net, X, fraction=0.3, rng=0, variant=variant)
    assert abs(res.kept_fraction - 0.3) < 0.05
    for p, q in zip(before, net.parameters()):
        assert torch.equal(p, q)
    nnz = sum(int(torch.count_nonzero(l.weight)) for l in linear_layers(res.model))
    assert nnz == res.nonzero_weights
    assert res.mode == "budget" and res.eps > 0


def test_theory_allocation_hits_the_fraction_and_certifies_a_larger_eps_for_a_smaller_budget():
    net, X = _net_and_data()
    small = cs.corenet(net, X, fraction=0.1, rng=0, allocation="theory")
    big = cs.corenet(net, X, fraction=0.5, rng=0, allocation="theory")
    assert abs(small.kept_fraction - 0.1) < 0.03
    assert small.eps > big.eps


def test_plus_prunes_dead_neurons():
    net, X = _net_and_data()
    lin = linear_layers(net)[0]
    with torch.no_grad():
        lin.weight[:3] = 0.0
        lin.bias[:3] = -1.0          # three neurons of the first hidden layer never fire
    res = cs.corenet(net, X, fraction=0.5, rng=0, variant="plus")
    assert res.pruned_neurons[0] >= 3
    first = linear_layers(res.model)[0]
    assert torch.count_nonzero(first.bias[:3]) == 0
    assert torch.count_nonzero(linear_layers(res.model)[1].weight[:, :3]) == 0


def test_eps_mode_on_a_small_net_meets_the_guarantee():
    p = {"in_dim": 6, "widths": [12], "out_dim": 2, "eps": 0.3, "delta": 0.1, "n_s": 60, "n_fresh": 2000,
         "seed": 0}
    for claim in (CORESET_GUARANTEE_PAIRS, CORESET_GUARANTEE_INPUTS):
        row = check(claim, p, rng=0)
        assert row.holds, row
        assert row.bound == 0.1 and 0 <= row.measured <= 0.1


def test_eps_mode_uses_more_samples_than_edges():
    net, X = _net_and_data(widths=(12,), n=60)
    res = cs.corenet(net, X, eps=0.5, delta=0.1, rng=0)
    assert res.theoretical_kept_fraction == 1.0
    assert min(float(m[m > 0].min()) for m in res.samples) > 1000


def test_too_small_eps_for_a_deep_net_raises():
    net, X = _net_and_data(widths=(40, 40, 40))
    with pytest.raises(ValueError, match="eps"):
        cs.corenet(net, X, eps=1e-9, delta=0.1, rng=0)


def test_corenet_is_reproducible(device):
    net, X = _net_and_data()
    a = cs.corenet(net, X, fraction=0.2, rng=5, device=device).model
    b = cs.corenet(net, X, fraction=0.2, rng=5, device=device).model
    for p, q in zip(a.parameters(), b.parameters()):
        assert p.device.type == torch.device(device).type
        assert torch.equal(p, q)


def test_corenet_beats_uniform_on_a_net_with_structured_inputs():
    # half of the inputs are (almost) constant zero: CoreNet does not waste samples on them
    net, X = _net_and_data(in_dim=20, widths=(60, 60), n=300)
    X[:, 10:] *= 1e-3
    fresh = torch.as_tensor(np.random.default_rng(9).standard_normal((2000, 20)), dtype=torch.float32)
    fresh[:, 10:] *= 1e-3
    ec = [cs.relative_output_error(net, cs.corenet(net, X, fraction=0.2, rng=s).model, fresh).value
          for s in range(4)]
    eu = [cs.relative_output_error(net, cs.uniform_sparsify(net, 0.2, rng=s).model, fresh).value
          for s in range(4)]
    assert np.mean(ec) < np.mean(eu)


# ---- baselines and measurements --------------------------------------------------------------

def test_magnitude_prune_keeps_the_largest():
    net, _ = _net_and_data()
    res = cs.magnitude_prune(net, 0.25)
    for a, b in zip(linear_layers(net), linear_layers(res.model)):
        k = round(0.25 * a.weight.numel())
        assert int(torch.count_nonzero(b.weight)) == k
        thr = torch.sort(a.weight.abs().flatten(), descending=True).values[k - 1]
        kept = b.weight != 0
        assert torch.all(a.weight.abs()[kept] >= thr) and torch.all(b.weight[kept] == a.weight[kept])


def test_truncated_svd_error_is_the_tail_of_the_spectrum():
    net, _ = _net_and_data()
    res = cs.truncated_svd(net, 0.3)
    for a, b in zip(linear_layers(net), linear_layers(res.model)):
        W = a.weight.detach().double().numpy()
        out, d = W.shape
        r = min(min(out, d), max(1, math.floor(0.3 * out * d / (out + d))))
        s = np.linalg.svd(W, compute_uv=False)
        err = np.linalg.norm(W - b.weight.detach().double().numpy())
        assert err == pytest.approx(math.sqrt(np.sum(s[r:] ** 2)), rel=1e-4, abs=1e-5)


def test_uniform_sparsify_keeps_about_the_fraction():
    net, _ = _net_and_data(widths=(200, 200))
    res = cs.uniform_sparsify(net, 0.4, rng=0)
    assert abs(res.kept_fraction - 0.4) < 0.03
    assert cs.uniform_sparsify(net, 1.0, rng=0).kept_fraction == 1.0


def test_guarantee_failure_on_a_scaled_output():
    net, X = _net_and_data()
    scaled = make_mlp(10, (40, 40), 3, seed=0, init="normal")
    with torch.no_grad():
        linear_layers(scaled)[-1].weight.mul_(1.1)
        linear_layers(scaled)[-1].bias.mul_(1.1)
    assert cs.guarantee_failure(net, scaled, X, 0.05).pair_failure.value == 1.0
    g = cs.guarantee_failure(net, scaled, X, 0.2)
    assert g.pair_failure.value == 0.0 and g.input_failure.value == 0.0
    assert cs.relative_output_error(net, scaled, X).value == pytest.approx(0.1, rel=1e-4)


def test_margin_loss_brute_force():
    net, X = _net_and_data()
    y = np.random.default_rng(1).integers(0, 3, X.shape[0])
    f = net(X).detach().double().numpy()
    for gamma in (0.0, 0.5):
        brute = np.mean([f[i, y[i]] <= gamma + max(f[i, j] for j in range(3) if j != y[i])
                         for i in range(len(y))])
        assert cs.margin_loss(net, X, y, gamma) == pytest.approx(brute)


def test_quantize_weights_on_grid():
    net, _ = _net_and_data()
    q = cs.quantize_weights(net, 15)
    for a, b in zip(linear_layers(net), linear_layers(q)):
        B = 2.0 ** math.ceil(math.log2(float(max(a.weight.abs().max(), a.bias.abs().max()).detach())))
        grid = b.weight.detach().double().numpy() * 7 / B
        np.testing.assert_allclose(grid, np.round(grid), atol=1e-4)
        assert float((a.weight - b.weight).detach().abs().max()) <= B / 14 + 1e-6


def test_compression_bound_closed_form():
    b = cs.compression_bound(0.1, 1000, 20, 500, levels=255, n_layers=2, n_scales=81, delta=0.05)
    logN = math.log(math.comb(500, 20)) + 20 * math.log(255) + math.log(500) + 2 * math.log(81)
    assert b.log_class_size == pytest.approx(logN)
    assert b.bound == pytest.approx(0.1 + math.sqrt((logN + math.log(20)) / 2000))


# ---- extreme but valid input (the invalid inputs are in tests/bad_inputs/cases_coresets.py) ---

def test_sample_size_is_at_least_one_draw_when_the_ratio_underflows():
    """m = ceil(c S K log(8η/δ)/ε²) >= 1 for S > 0, also when the ratio underflows to 0 (ε = 1e200)."""
    assert float(cs.corenet_sample_size(1.0, 1e200, 0.1, eta=3)) == 1.0
    np.testing.assert_array_equal(cs.corenet_sample_size([0.0, 2.0], 1e200, 0.1, eta=3), [0.0, 1.0])
    net, X = _net_and_data(widths=(12,), n=60)
    res = cs.corenet(net, X, eps=1e200, delta=0.1, rng=0)
    for m, t in zip(res.samples, res.theoretical_samples):
        assert set(np.unique(m)) <= {0, 1} and np.all(m == t)
    assert res.eps == 1e200


def test_log_factor_that_makes_the_log_nonpositive_is_refused():
    """log(c η/δ) <= 0 would give sample sizes <= 0 for S > 0 (and a negative |S|)."""
    with pytest.raises(ValueError, match="`log_factor`"):
        cs.corenet_sample_size(1.0, 0.5, 0.5, eta=1, log_factor=0.1)
    with pytest.raises(ValueError, match="`log_factor`"):
        cs.corenet_constants(1, 1, 0.5, log_factor=0.1)


def test_corenet_refuses_inputs_where_a_pre_activation_vanishes():
    """Δ = Σ|w a|/|Σ w a| is infinite on the point (1, -1) of a layer with weights (1, 1)."""
    net = torch.nn.Sequential(torch.nn.Linear(2, 1, bias=False))
    with torch.no_grad():
        net[0].weight.fill_(1.0)
    X = torch.tensor([[1.0, -1.0], [1.0, 1.0]])
    assert cs.delta_terms([net[0].weight], [X], kappa=0.0).delta_hat[0] == math.inf   # documented
    for kw in ({"fraction": 0.5}, {"eps": 0.5}):
        with pytest.raises(ValueError, match="`inputs`.*exactly 0"):
            cs.corenet(net, X, rng=0, **kw)


def test_relative_output_error_casts_inputs_to_each_network():
    """A float64 compressed copy of a float32 net: its error is the float32→float64 rounding only."""
    net, X = _net_and_data(widths=(12,), n=20)
    net64 = copy.deepcopy(net).double()
    err = cs.relative_output_error(net, net64, X)
    with torch.no_grad():
        f, g = net(X).double(), net64(X.double())
    expected = ((g - f).norm(dim=1) / f.norm(dim=1)).mean().item()
    assert err.value == pytest.approx(expected, rel=1e-6, abs=1e-12)
    assert err.value < 1e-5


def test_compression_bound_claim_holds_on_a_small_teacher_student_task():
    p = {"in_dim": 6, "teacher_widths": [8], "widths": [16], "out_dim": 3, "n_train": 1500, "fraction": 0.5,
         "levels": 63, "delta_bound": 0.05, "n_fresh": 3000, "seed": 0, "epochs": 5}
    row = check("coresets.compression_bound", p, rng=0)
    assert row.holds and 0 <= row.measured <= 1 and row.bound > row.measured, row


def test_compression_bound_claim_refuses_undeclared_params():
    p = {"in_dim": 6, "teacher_widths": [8], "widths": [16], "out_dim": 3, "n_train": 1500, "fraction": 0.5,
         "levels": 63, "delta_bound": 0.05, "n_fresh": 3000, "epochs": 5}
    with pytest.raises(ValueError, match="seed"):
        check(CORESET_COMPRESSION_BOUND, p, rng=0)
    with pytest.raises(ValueError, match="n_s"):
        check(CORESET_COMPRESSION_BOUND, {**p, "seed": 0, "n_s": 10}, rng=0)


_SMALL_PRUNING = {"n_train": 400, "widths": [32, 32], "epochs": 3, "n_s": 50, "n_fresh": 400}


def test_beats_uniform_claim_holds_on_a_small_teacher_student_net():
    row = check(CORESET_BEATS_UNIFORM, {"testbed": "teacher_student", "fraction": 0.1, "seeds": [0, 1],
                                        **_SMALL_PRUNING}, rng=0)
    assert row.holds and 0 < row.measured < row.bound, row


def test_pruning_protocol_draws_do_not_depend_on_the_other_methods():
    # the claim coresets.beats_uniform runs two methods; the figure runs all of them
    full = coreset_pruning("teacher_student", 3, fractions=[0.2], methods=CORESET_METHODS, **_SMALL_PRUNING)
    two = coreset_pruning("teacher_student", 3, fractions=[0.2], methods=("CoreNet", "uniform"), **_SMALL_PRUNING)
    by_method = {r["method"]: r for r in full}
    assert [r["method"] for r in full] == list(CORESET_METHODS)
    for r in two:
        assert r == by_method[r["method"]]
    with pytest.raises(ValueError, match="methods"):
        coreset_pruning("teacher_student", 3, fractions=[0.2], methods=("best",), **_SMALL_PRUNING)
    with pytest.raises(ValueError, match="testbed"):
        coreset_pruning("mnist", 3, fractions=[0.2], **_SMALL_PRUNING)


# ---- theory-mode sample sizes pinned against the formula ------------------------------------

def _theory_mode_expected(net, X, eps, delta, K=2.0):
    """Per-layer ε_ℓ and sample sizes m^±_ℓi of Theorem 4, recomputed here from the weights.

    Forward pass, sensitivities (:func:`_brute_sensitivity`), Δ̂^ℓ, κ and Δ^ℓ_→ are all written out
    in this test; only the formula of the corenet docstring is shared:
    ε_ℓ = ε / (2 L_s Δ^ℓ_→) with L_s = L (every layer is sparsified), m = ⌈8 S K log(8η/δ) / ε_ℓ²⌉.
    """
    lins = [m for m in net if isinstance(m, torch.nn.Linear)]
    Ws = [l.weight.detach().cpu().double().numpy() for l in lins]
    bs = [l.bias.detach().cpu().double().numpy() for l in lins]
    A = [X.detach().cpu().double().numpy()]
    for W, b in zip(Ws[:-1], bs[:-1]):
        A.append(np.maximum(A[-1] @ W.T + b, 0.0))                       # ReLU hidden layers
    L = len(Ws)
    eta = sum(W.shape[0] for W in Ws)
    eta_star = max(W.shape[1] for W in Ws)
    lg = math.log(8 * eta * eta_star / delta)
    r = math.sqrt(math.log(eta * eta_star))                               # sqrt(2 λ*), λ* = log(ηη*)/2
    kappa = r * (1 + r * lg)
    delta_l = []
    for W, b, a in zip(Ws, bs, A):
        ratios = [[(np.sum(np.abs(W[i] * x)) + abs(b[i])) / abs(W[i] @ x + b[i]) for x in a]
                  for i in range(W.shape[0])]
        delta_l.append(max(np.mean(row) for row in ratios) + kappa)
    delta_fwd = [float(np.prod(delta_l[l:])) for l in range(L)]
    eps_l = np.array([eps / (2 * L * d) for d in delta_fwd])
    samples = []
    for W, a, e in zip(Ws, A, eps_l):
        s = _brute_sensitivity(W, a)
        S = np.stack([np.where(W > 0, s, 0).sum(1), np.where(W < 0, s, 0).sum(1)], axis=1)
        m = np.ceil(8 * S * K * math.log(8 * eta / delta) / e ** 2)
        samples.append(np.where(S > 0, m, 0.0))
    return eps_l, samples


def test_theory_mode_per_layer_eps_and_sample_sizes_match_the_formula(device):
    net = make_mlp(5, [7, 6], 3, seed=4, dtype=torch.float64).to(device)
    X = torch.as_tensor(np.random.default_rng(4).standard_normal((25, 5)), device=device)
    eps, delta = 2.0, 0.1
    res = cs.corenet(net, X, eps=eps, delta=delta, rng=0, device=device)
    eps_l, expected = _theory_mode_expected(net, X, eps, delta)
    assert res.mode == "eps" and res.eps == eps
    np.testing.assert_allclose(res.eps_layers, eps_l, rtol=1e-10)
    for got, theo, want in zip(res.samples, res.theoretical_samples, expected):
        assert got.shape == want.shape and np.all(got[want == 0] == 0)
        # ceilings of numbers ~1e17 (Δ_→ ~ κ³ with κ ≈ 45): equal up to round-off in the sensitivities
        assert np.all(np.abs(got - want) <= 1 + 1e-12 * want)
        assert np.all(np.abs(theo - want) <= 1 + 1e-12 * want)
    assert next(res.model.parameters()).device.type == torch.device(device).type


def _reference_sensitivity(W, A):
    """The previous max-times loop over every input column (no skipping of all-zero inputs)."""
    A = np.concatenate([np.maximum(A, 0), np.maximum(-A, 0)]) if np.any(A < 0) else A
    sens = np.zeros(W.shape)
    for sign, mask in ((1.0, W > 0), (-1.0, W < 0)):
        Wg = np.where(mask, sign * W, 0.0)
        Z = A @ Wg.T
        inv = np.divide(1.0, Z, out=np.zeros_like(Z), where=Z > 0)
        M = np.zeros(W.shape)
        for x in range(A.shape[0]):
            M = np.maximum(M, np.multiply.outer(inv[x], A[x]))
        sens += Wg * M
    return np.clip(sens, 0.0, 1.0)


@pytest.mark.parametrize("seed", range(5))
def test_sensitivity_with_dead_inputs_is_the_full_loop_bit_for_bit(seed):
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((7, 12))
    A = np.maximum(rng.standard_normal((9, 12)), 0.0)
    A[:, [0, 5, 11]] = 0.0                                       # inputs dead on all of S
    sens = cs.empirical_sensitivity(W, A)
    np.testing.assert_array_equal(sens.sensitivity, _reference_sensitivity(W, A))


@pytest.mark.parametrize("seed", range(5))
def test_support_only_expected_distinct_is_the_same_float(seed):
    from theory.coresets._corenet import _ExpectedDistinct, _expected_distinct, _log1m

    rng = np.random.default_rng(seed)
    s = rng.uniform(0, 1, (6, 9)) * (rng.uniform(0, 1, (6, 9)) < 0.5)
    q = np.divide(s, s.sum(1, keepdims=True), out=np.zeros_like(s), where=s.sum(1, keepdims=True) > 0)
    m = np.ceil(rng.uniform(0, 30, 6)) * (rng.uniform(0, 1, 6) < 0.8)
    assert _ExpectedDistinct(q)(m) == _expected_distinct(_log1m(q), q > 0, m)
