"""Spectral pruning (theory.spectral): each quantity against an independent computation.

The claims of :mod:`theory.catalog.spectral` are checked at small declared parameters; one test
checks that a claim evaluated at an experiment row's parameters gives that row's numbers (one
path per number).
"""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from theory import catalog, claims
from theory import spectral as sp
from theory.testbeds import protocols
from theory.testbeds.nets import count_parameters, make_mlp


def _features(seed, n=80, m=12, rank=None, noise=0.05):
    rng = np.random.default_rng(seed)
    r = rank or max(2, m // 2)
    F = rng.standard_normal((n, r)) @ rng.standard_normal((r, m)) + noise * rng.standard_normal((n, m))
    return F


def _cov(F):
    return F.T @ F / F.shape[0]


seeds = st.integers(0, 10_000)


# ---- degrees of freedom ----------------------------------------------------------------------

@given(seed=seeds, m=st.integers(1, 15), zeros=st.integers(0, 5))
def test_dof_decreasing_and_within_rank(seed, m, zeros):
    rng = np.random.default_rng(seed)
    mu = np.concatenate([rng.exponential(size=m) * 10.0 ** rng.uniform(-3, 2, size=m), np.zeros(zeros)])
    lams = np.geomspace(1e-4, 1e4, 30)
    N = sp.degrees_of_freedom(mu, lams)
    assert np.all(np.diff(N) < 0)
    assert np.all(N >= 0) and np.all(N <= m + 1e-12)
    # rank recovered as λ -> 0, 0 as λ -> ∞
    assert sp.degrees_of_freedom(mu, 1e-12 * mu[:m].min()) == pytest.approx(m, rel=1e-6)
    assert sp.degrees_of_freedom(mu, 1e12 * mu.max()) < 1e-6 * m


@given(seed=seeds, lam=st.floats(1e-3, 1e3))
def test_dof_matrix_equals_trace_formula(seed, lam):
    F = _features(seed)
    S = _cov(F)
    m = S.shape[0]
    direct = float(np.trace(S @ np.linalg.inv(S + lam * np.eye(m))))
    assert sp.degrees_of_freedom(S, lam) == pytest.approx(direct, rel=1e-9, abs=1e-9)


def test_dof_identity_closed_form():
    assert sp.degrees_of_freedom(np.eye(7), 0.5) == pytest.approx(7 / 1.5)


@pytest.mark.parametrize("method,solver", [("hutch++", "cholesky"), ("hutch++", "cg"), ("hutchinson", "cholesky")])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_randomized_dof_within_three_se(method, solver, seed):
    rng = np.random.default_rng(100 + seed)
    m = 300
    U, _ = np.linalg.qr(rng.standard_normal((m, m)))
    mu = np.arange(1, m + 1, dtype=float) ** -1.2
    S = (U * mu) @ U.T
    lam = 1e-2
    exact = float(np.sum(mu / (mu + lam)))  # from the spectrum we built, not from the code
    est = sp.degrees_of_freedom_randomized(S, lam, n_probes=45, rng=seed, method=method, solver=solver)
    assert est.se > 0
    assert abs(est.value - exact) <= 3 * est.se + 1e-8
    assert est.n_matvecs == 45


def test_randomized_dof_se_coverage():
    """Over many seeds the ±2 SE interval of plain Hutchinson covers the exact value ~95% of the time."""
    rng = np.random.default_rng(7)
    m = 60
    U, _ = np.linalg.qr(rng.standard_normal((m, m)))
    mu = rng.exponential(size=m)
    S = (U * mu) @ U.T
    exact = float(np.sum(mu / (mu + 0.3)))
    hits = [abs(e.value - exact) <= 2 * e.se for e in
            (sp.degrees_of_freedom_randomized(S, 0.3, n_probes=40, rng=s, method="hutchinson") for s in range(200))]
    assert 0.88 <= np.mean(hits) <= 0.995


def test_hutchpp_exact_for_low_rank():
    """Hutch++ with a sketch wider than the rank captures a low-rank operator exactly."""
    rng = np.random.default_rng(3)
    B = rng.standard_normal((40, 3))
    S = B @ B.T
    est = sp.degrees_of_freedom_randomized(S, 1.0, n_probes=15, rng=0)
    assert est.value == pytest.approx(sp.degrees_of_freedom(np.linalg.eigvalsh(B.T @ B), 1.0), rel=1e-8)


# ---- leverage scores, reconstruction, loss ---------------------------------------------------

@given(seed=seeds, lam=st.floats(1e-3, 1e2))
def test_leverage_scores_sum_to_dof_and_match_eigen_form(seed, lam):
    S = _cov(_features(seed))
    mu, U = np.linalg.eigh(S)
    mu = np.clip(mu, 0, None)
    expected = np.sum(U ** 2 * (mu / (mu + lam)), axis=1)
    ell = sp.ridge_leverage_scores(S, lam)
    np.testing.assert_allclose(ell, expected, atol=1e-10)
    assert ell.sum() == pytest.approx(np.sum(mu / (mu + lam)), rel=1e-9)


@given(seed=seeds, k=st.integers(1, 12), tau=st.one_of(st.just(0.0), st.floats(1e-3, 10.0)),
       per_node=st.booleans())
@settings(max_examples=40)
def test_A_equals_bruteforce_ridge_least_squares(seed, k, tau, per_node):
    F = _features(seed)
    n, m = F.shape
    rng = np.random.default_rng(seed + 1)
    J = rng.choice(m, size=k, replace=False)
    t = rng.uniform(0.01, 5.0, size=m) if (per_node and tau > 0) else tau
    tv = np.broadcast_to(np.asarray(t, dtype=float), (m,))
    if np.all(tv[J] == 0) and np.linalg.matrix_rank(F[:, J]) < k:
        return
    # min_A (1/n)‖F - F_J Aᵀ‖² + Σ_j τ_j ‖A[:, j]‖²  as one stacked least-squares problem
    D = np.vstack([F[:, J] / math.sqrt(n), np.diag(np.sqrt(tv[J]))])
    T = np.vstack([F / math.sqrt(n), np.zeros((k, m))])
    At = np.linalg.lstsq(D, T, rcond=None)[0]
    A = sp.reconstruction_matrix(_cov(F), J, t)
    np.testing.assert_allclose(A, At.T, atol=1e-7 * max(1.0, np.abs(At).max()))
    # and the penalised loss is the brute-force objective value at the minimiser
    obj = np.sum((F - F[:, J] @ At) ** 2) / n + np.sum(tv[J][:, None] * At ** 2)
    assert sp.pruning_loss(_cov(F), J, t) == pytest.approx(obj, rel=1e-7, abs=1e-9)


@given(seed=seeds, k=st.integers(1, 10), theta=st.floats(0, 1))
def test_output_aware_loss_bruteforce(seed, k, theta):
    F = _features(seed)
    n, m = F.shape
    rng = np.random.default_rng(seed + 2)
    Z = rng.standard_normal((3, m))
    J = rng.choice(m, size=k, replace=False)
    tau = 0.1
    A = sp.reconstruction_matrix(_cov(F), J, tau)
    res = F - F[:, J] @ A.T
    LA = np.sum(res ** 2) / n + tau * np.sum(A ** 2)
    LB = np.sum((res @ Z.T) ** 2) / n + tau * np.sum((Z @ A) ** 2)
    assert sp.pruning_loss(_cov(F), J, tau, theta, Z) == pytest.approx(theta * LA + (1 - theta) * LB, rel=1e-7)
    assert sp.reconstruction_error(_cov(F), J, A, Z) == pytest.approx(np.sum((res @ Z.T) ** 2) / n, rel=1e-7)


def test_keep_all_reconstructs_exactly():
    F = _features(4, m=10, rank=10)
    S = _cov(F)
    A = sp.reconstruction_matrix(S, np.arange(10), 0.0)
    np.testing.assert_allclose(A, np.eye(10), atol=1e-8)
    assert sp.pruning_loss(S, np.arange(10), 0.0) == pytest.approx(0.0, abs=1e-9)
    # permuted order: A is the permutation
    perm = np.random.default_rng(0).permutation(10)
    np.testing.assert_allclose(sp.reconstruction_matrix(S, perm, 0.0), np.eye(10)[:, perm], atol=1e-8)


@given(seed=seeds, tau=st.floats(0.0, 2.0), theta=st.floats(0, 1))
def test_loss_never_increases_as_J_grows(seed, tau, theta):
    F = _features(seed)
    m = F.shape[1]
    S = _cov(F)
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((2, m))
    order = rng.permutation(m)
    losses = [sp.pruning_loss(S, order[:k], tau, theta, Z) for k in range(1, m + 1)]
    scale = max(1.0, losses[0])
    assert np.all(np.diff(losses) <= 1e-9 * scale)


@given(seed=seeds, width=st.integers(1, 8), theta=st.floats(0, 1))
@settings(max_examples=25)
def test_greedy_equals_naive_greedy(seed, width, theta):
    """The rank-one-update greedy picks what re-solving for every candidate picks."""
    F = _features(seed, m=10)
    S = _cov(F)
    m = S.shape[0]
    Z = np.random.default_rng(seed).standard_normal((3, m))
    lam = 0.05
    res = sp.spectral_prune(S, width, lam, theta=theta, next_weight=Z)
    chosen = []
    for _ in range(width):
        cand = [j for j in range(m) if j not in chosen]
        vals = [sp.pruning_loss(S, chosen + [j], lam, theta, Z) for j in cand]
        best = min(vals)
        # ties: the picked node must be among the minimisers
        j = int(res.keep[len(chosen)])
        assert vals[cand.index(j)] <= best + 1e-9 * max(1.0, abs(best))
        chosen.append(j)
    assert res.loss == pytest.approx(sp.pruning_loss(S, res.keep, lam, theta, Z), rel=1e-9)


def test_greedy_beats_random_on_average():
    for seed in range(5):
        F = _features(seed, n=200, m=40, rank=12, noise=0.2)
        S = _cov(F)
        Z = np.random.default_rng(seed).standard_normal((4, 40))
        for theta in (1.0, 0.0):
            g = sp.spectral_prune(S, 8, 1e-3, theta=theta, next_weight=Z).loss
            r = [sp.spectral_prune(S, 8, 1e-3, theta=theta, next_weight=Z, method="random", rng=s).loss
                 for s in range(30)]
            assert g <= np.mean(r)


def test_magnitude_and_leverage_methods():
    F = _features(5, n=150, m=30)
    S = _cov(F)
    Z = np.zeros((2, 30))
    Z[:, [3, 7, 11]] = [[5.0, 4.0, 3.0], [1.0, 1.0, 1.0]]
    Z += 1e-3
    res = sp.spectral_prune(S, 3, 0.1, next_weight=Z, method="magnitude")
    assert set(res.keep) == {3, 7, 11}
    lev = sp.spectral_prune(S, 6, 0.1, method="leverage", rng=0)
    assert lev.keep.size == 6 and lev.counts.sum() >= 6
    again = sp.spectral_prune(S, 6, 0.1, method="leverage", rng=0)
    np.testing.assert_array_equal(lev.keep, again.keep)


@given(seed=seeds, draws=st.integers(1, 30), lam=st.floats(1e-2, 10.0))
@settings(max_examples=25)
def test_leverage_tau_identity(seed, draws, lam):
    """αᵀR_τ(J)α = min_β ‖Fα − Σ_i β_i F_{j_i}/√(s q_{j_i})‖²/n + λ‖β‖² with the derived τ."""
    F = _features(seed, m=8)
    n, m = F.shape
    S = _cov(F)
    smp = sp.leverage_sample(S, lam=lam, draws=draws, rng=seed)
    idx = np.repeat(smp.keep, smp.counts)  # the multiset of draws
    C = F[:, idx] / np.sqrt(draws * smp.q[idx])
    alpha = np.random.default_rng(seed).standard_normal(m)
    y = F @ alpha
    # closed form of the sketched ridge problem in sample space: λ yᵀ(CCᵀ + nλI)⁻¹y·... (per n)
    val = lam * y @ np.linalg.solve(C @ C.T / n + lam * np.eye(n), y) / n
    R = sp.residual_covariance(S, smp.keep, smp.tau)
    assert alpha @ R @ alpha == pytest.approx(val, rel=1e-6, abs=1e-9)


def test_leverage_guarantee_claim():
    rng = np.random.default_rng(11)
    m = 400
    U, _ = np.linalg.qr(rng.standard_normal((m, m)))
    mu = np.arange(1, m + 1, dtype=float) ** -2.0
    S = (U * mu) @ U.T
    lam = sp.lambda_for_width(mu, 300, delta=0.1)
    N = sp.degrees_of_freedom(mu, lam)
    s = sp.leverage_sampling_width(N, 0.1)
    assert s <= 300 < m  # a genuine compression regime
    row = claims.check(catalog.SPECTRAL_LEVERAGE_GUARANTEE, {"cov": S, "width": 300, "delta": 0.1, "reps": 20},
                       rng=0)
    assert row.holds, row
    assert row.bound == 0.1
    # the protocol draws `width` nodes i.i.d. at λ♯(width) and checks λ_max(R_τ) against 4λ♯ itself
    res = protocols.spectral_leverage_guarantee(S, 300, 0.1, 3, rng=1)
    assert res["lam_sharp"] == pytest.approx(lam)
    gen = np.random.default_rng(1)
    tops = []
    for _ in range(3):
        smp = sp.leverage_sample(S, lam=lam, draws=300, rng=gen)
        assert smp.counts.sum() == 300
        R = sp.residual_covariance(S, smp.keep, smp.tau)
        tops.append(np.linalg.eigvalsh(R)[-1] / lam)
    assert res["max_ratio"] == pytest.approx(max(tops), rel=1e-6)
    assert res["fail_rate"] == np.mean([t > 4 for t in tops])


def test_lambda_for_width():
    mu = np.arange(1, 201, dtype=float) ** -1.5
    lam = sp.lambda_for_width(mu, 100, delta=0.1)
    assert sp.leverage_sampling_width(sp.degrees_of_freedom(mu, lam), 0.1) <= 100 + 1e-6
    assert sp.leverage_sampling_width(sp.degrees_of_freedom(mu, lam * 0.99), 0.1) > 100


def test_sampling_width_and_guarantee_values():
    # closed forms of the stated expressions
    assert sp.leverage_sampling_width(4.0, 0.1) == pytest.approx(5 * 4 * math.log(80 * 4 / 0.1))
    assert sp.leverage_sampling_width(4.0, 0.1, c_log=16) == pytest.approx(20 * math.log(640))
    Z = np.ones((2, 3))
    assert sp.leverage_reconstruction_guarantee(0.5, next_weight=Z) == pytest.approx(4 * 0.5 * 6)
    assert sp.leverage_reconstruction_guarantee(0.5, m=10) == pytest.approx(20.0)


@given(w=st.integers(1, 50), n=st.integers(10, 10_000))
def test_variance_term_monotone(w, n):
    v1 = sp.compression_variance_term([5, w, 1], n)
    v2 = sp.compression_variance_term([5, w + 1, 1], n)
    assert v2 > v1
    p = 6 * w + (w + 1)
    assert v1 == pytest.approx(math.sqrt((p * math.log(n) + math.log(20)) / n))
    b = sp.compression_generalization_bound(0.1, [0.01], [2.0], [5, w, 1], n)
    assert b.bound == pytest.approx((math.sqrt(0.1) + 0.2) ** 2 + v1)
    assert b.n_params == p


# ---- networks --------------------------------------------------------------------------------

def _dependent_net():
    """Width-10 hidden layer whose units 5..9 are positive multiples of units 0..4 (rank 5)."""
    torch.manual_seed(0)
    model = make_mlp(6, [10, 7], 3, seed=3, dtype=torch.float64)
    with torch.no_grad():
        W, b = model[0].weight, model[0].bias
        c = torch.tensor([0.5, 2.0, 1.5, 3.0, 0.7], dtype=torch.float64)
        W[5:] = W[:5] * c[:, None]
        b[5:] = b[:5] * c
    return model


def test_dependent_units_pruned_to_rank_without_changing_outputs(device):
    model = _dependent_net()
    X = torch.randn(300, 6, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    res = sp.prune_network(model, X, widths=[5, None], tau=0.0, device=device)
    assert res.widths == [5, 7]
    assert res.n_params == count_parameters(res.model) < count_parameters(model)
    assert res.n_params == (6 + 1) * 5 + (5 + 1) * 7 + (7 + 1) * 3
    Xf = torch.randn(500, 6, generator=torch.Generator().manual_seed(2), dtype=torch.float64)  # fresh inputs
    with torch.no_grad():
        torch.testing.assert_close(res.model(Xf), model(Xf), rtol=1e-8, atol=1e-8)
    # the kept units span the layer: one of each dependent pair
    assert sorted(k % 5 for k in res.keep[0]) == [0, 1, 2, 3, 4]


def test_prune_network_is_smaller_and_consistent():
    model = make_mlp(8, [32, 16], 2, seed=1)
    X = torch.randn(400, 8, generator=torch.Generator().manual_seed(0))
    before = [p.detach().clone() for p in model.parameters()]
    res = sp.prune_network(model, X, widths=[10, 6], theta=0.5)
    for p, q in zip(before, model.parameters()):
        assert torch.equal(p, q)  # input model untouched
    assert res.widths == [10, 6]
    assert [m.out_features for m in res.model if isinstance(m, torch.nn.Linear)] == [10, 6, 2]
    assert res.n_params == (8 + 1) * 10 + (10 + 1) * 6 + (6 + 1) * 2
    assert res.model[0].weight.dtype == torch.float32
    # the first layer's rows are the kept rows of the original
    torch.testing.assert_close(res.model[0].weight, model[0].weight[torch.as_tensor(res.keep[0])])
    # lams default: rel_lam · mean eigenvalue; width from dof when only lams are given
    res2 = sp.prune_network(model, X, lams=[1e-1, 1e-1])
    assert res2.widths == [min(32, math.ceil(res2.n_dof[0] - 1e-9)), min(16, math.ceil(res2.n_dof[1] - 1e-9))]


@given(seed=seeds, w1=st.integers(1, 12), w2=st.integers(1, 8), theta=st.floats(0, 1),
       method=st.sampled_from(sp.SELECTION_METHODS), act=st.sampled_from(["relu", "tanh", "sigmoid"]))
@settings(max_examples=15)
def test_output_distortion_bound_random_mlps(seed, w1, w2, theta, method, act):
    """‖f♯ − f‖_n ≤ Σ Lip_ℓ √e_ℓ on random MLPs, every selection rule and activation."""
    model = make_mlp(5, [12, 8], 2, activation=act, seed=seed, dtype=torch.float64)
    X = torch.as_tensor(np.random.default_rng(seed).standard_normal((120, 5)))
    res = sp.prune_network(model, X, widths=[w1, w2], theta=theta, method=method, rng=seed)
    with torch.no_grad():
        d = float(((res.model(X) - model(X)) ** 2).sum(1).mean())  # recomputed from the returned nets
    bound = sp.compression_bias_bound(res.layer_errors, res.lipschitz)
    assert math.sqrt(d) <= bound * (1 + 1e-9) + 1e-12


# ---- claims at small declared parameters -----------------------------------------------------

STUDENT = {"hidden": [16, 12], "n": 200, "epochs": 20, "seed": 0}


@pytest.mark.parametrize("cov", ["source", "target", "mixed"])
def test_output_distortion_claim(cov):
    row = claims.check(catalog.SPECTRAL_OUTPUT_DISTORTION, {**STUDENT, "width": 4, "theta": 0.5, "cov": cov,
                                                            "n_target": 150}, rng=0)
    assert row.holds, row
    assert 0 < row.measured <= row.bound


def test_student_claims_hold_at_small_sizes():
    for claim, p in [(catalog.SPECTRAL_GENERALIZATION, {**STUDENT, "width": 4, "theta": 0.5, "n_fresh": 2000}),
                     (catalog.SPECTRAL_TARGET_COVARIANCE, {**STUDENT, "width": 4, "n_target": 200, "n_fresh": 2000}),
                     (catalog.SPECTRAL_GREEDY_VS_MAGNITUDE, {"net": "teacher_student", **STUDENT, "layer": 1,
                                                             "width": 4, "n_leverage": 2, "reps": 4}),
                     (catalog.SPECTRAL_GREEDY_VS_RANDOM, {"net": "teacher_student", **STUDENT, "layer": 2,
                                                          "width": 4, "n_random": 6, "n_leverage": 2, "reps": 4})]:
        row = claims.check(claim, p, rng=0)
        assert row.holds, row


def test_claims_refuse_missing_and_unknown_params():
    with pytest.raises(ValueError, match="width"):
        claims.check(catalog.SPECTRAL_OUTPUT_DISTORTION, {**STUDENT, "theta": 0.5})
    with pytest.raises(ValueError, match="lam"):
        claims.check(catalog.SPECTRAL_LEVERAGE_GUARANTEE, {"cov": np.eye(3), "width": 40, "delta": 0.1,
                                                           "reps": 5, "lam": 0.1})
    with pytest.raises(ValueError, match="width"):  # a width the layer does not have
        claims.check(catalog.SPECTRAL_GREEDY_VS_MAGNITUDE, {"net": "teacher_student", **STUDENT, "layer": 2,
                                                            "width": 12, "reps": 4})


def test_claims_reproduce_experiment_rows():
    """One path per number: a claim at an experiment row's parameters gives that row's numbers."""
    dof = dict(net="teacher_student", hidden=[16, 12], n=200, epochs=10, seed=3, prune_widths=[2, 4, 8],
               n_random=3, n_leverage=2, reps=4, n_lams=5, delta=0.1)
    rows = protocols.spectral_dof(**dof)
    r = next(x for x in rows if x["kind"] == "prune" and x["layer"] == 1 and x["width"] == 4)
    p = {**{k: v for k, v in dof.items()}, "layer": 2, "width": 4}
    row = claims.check(catalog.SPECTRAL_GREEDY_VS_RANDOM, p, rng=0)
    assert (row.bound, row.measured) == (r["random_error"], r["greedy_error"])
    # the tradeoff rows: generalization bound and output distortion at one variant
    tr = protocols.spectral_tradeoff([16, 12], 200, 10, 3, [3, 6], [("greedy", 0.5), ("random", 1.0)], 2000, 0.05)
    t = next(x for x in tr if x["method"] == "random" and x["width"] == 6)
    st_p = {"hidden": [16, 12], "n": 200, "epochs": 10, "seed": 3, "width": 6, "theta": 1.0}
    g = claims.check(catalog.SPECTRAL_GENERALIZATION, {**st_p, "method": "random", "n_fresh": 2000}, rng=0)
    assert (g.bound, g.measured, g.se) == (t["bound"], t["population_risk"], t["population_risk_se"])
    d = claims.check(catalog.SPECTRAL_OUTPUT_DISTORTION, {**st_p, "method": "random"}, rng=0)
    assert (d.bound, d.measured) == protocols.spectral_distortion_sides(t)
    # the shift rows: target covariance and output distortion with target Σ̂
    sh = protocols.spectral_shift([16, 12], 200, 150, 10, 3, [5], 2000, 0.7, 1.4, 0.5)
    s, tg = sh[0], sh[1]
    c = claims.check(catalog.SPECTRAL_TARGET_COVARIANCE, {"hidden": [16, 12], "n": 200, "epochs": 10, "seed": 3,
                                                          "width": 5, "n_target": 150, "n_fresh": 2000}, rng=0)
    assert (c.bound, c.measured, c.se) == protocols.spectral_target_covariance_sides(s, tg)
    d = claims.check(catalog.SPECTRAL_OUTPUT_DISTORTION, {**st_p, "width": 5, "theta": 0.5, "cov": "target",
                                                          "n_target": 150}, rng=0)
    assert (d.bound, d.measured) == protocols.spectral_distortion_sides(tg)


def test_output_distortion_bound_direct():
    """Independent check: distortion recomputed from the returned models, bound from weights."""
    model = make_mlp(6, [20, 10], 3, seed=5, activation="tanh", dtype=torch.float64)
    X = torch.randn(250, 6, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    res = sp.prune_network(model, X, widths=[6, 4], theta=0.0)
    with torch.no_grad():
        d = float(((res.model(X) - model(X)) ** 2).sum(1).mean())
    assert d == pytest.approx(res.output_distortion, rel=1e-9)
    W3 = model[4].weight.detach().numpy()
    assert res.lipschitz == pytest.approx([np.linalg.norm(W3, 2), 1.0])
    assert math.sqrt(d) <= math.sqrt(res.layer_errors[0]) * res.lipschitz[0] + math.sqrt(res.layer_errors[1])
    # the penalised output-aware loss bounds the unpenalised error (θ = 0)
    assert all(e <= l + 1e-9 for e, l in zip(res.layer_errors, res.losses))
    # sigmoid is 1/4-Lipschitz: Lip_1 = (1/4)‖W3‖ for a 3-layer sigmoid net
    sig = make_mlp(6, [20, 10], 3, seed=5, activation="sigmoid", dtype=torch.float64)
    rs = sp.prune_network(sig, X, widths=[6, 4])
    assert rs.lipschitz == pytest.approx([0.25 * np.linalg.norm(sig[4].weight.detach().numpy(), 2), 1.0])


def test_cov_inputs_used():
    model = make_mlp(4, [16], 1, seed=2)
    Xs = torch.randn(300, 4, generator=torch.Generator().manual_seed(0))
    Xt = Xs + 2.0
    a = sp.prune_network(model, Xs, widths=[5])
    b = sp.prune_network(model, Xs, widths=[5], cov_inputs=Xt)
    c = sp.prune_network(model, Xt, widths=[5])
    np.testing.assert_array_equal(b.keep[0], c.keep[0])
    assert b.output_distortion == pytest.approx(c.output_distortion)
    assert a.layer_errors != b.layer_errors


# ---- extreme but valid input (the invalid inputs are in tests/bad_inputs/cases_spectral.py) ---

def _old_width_sampler(S, width, lam, seed):
    """The original width-mode loop (Python, draw by draw): an oracle for the vectorised sampler."""
    ell = sp.ridge_leverage_scores(S, lam)
    q = ell / ell.sum()
    gen = np.random.default_rng(seed)
    seen, chunks = set(), []
    while len(seen) < width:
        block = gen.choice(S.shape[0], size=max(4 * width, 16), p=q)
        for pos, j in enumerate(block):
            seen.add(int(j))
            if len(seen) == width:
                chunks.append(block[:pos + 1])
                break
        else:
            chunks.append(block)
    return np.concatenate(chunks)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("width", [1, 4, 9, 12])
def test_leverage_width_sampling_matches_the_draw_by_draw_loop(seed, width):
    """Same draws, same stopping point as drawing one node at a time (the random stream is unchanged)."""
    S = _cov(_features(seed, m=12, rank=5))
    smp = sp.leverage_sample(S, width=width, lam=0.05, rng=seed)
    idx = _old_width_sampler(S, width, 0.05, seed)
    keep, counts = np.unique(idx, return_counts=True)
    assert smp.draws == idx.size
    np.testing.assert_array_equal(smp.keep, keep)
    np.testing.assert_array_equal(smp.counts, counts)


def test_leverage_sample_refuses_an_unreachable_width_quickly():
    """The reported hang: a node of leverage ~1e-15 would need ~1e15 draws. Refused up front, naming `width`."""
    import time

    t0 = time.perf_counter()
    with pytest.raises(ValueError, match="`width`"):
        sp.leverage_sample(np.diag([1.0, 1e-16]), width=2, lam=0.1, rng=0)
    with pytest.raises(ValueError, match="`width`"):
        sp.spectral_prune(np.diag([1.0, 1e-16]), 2, 0.1, method="leverage", rng=0)
    assert time.perf_counter() - t0 < 2.0
    # a width that needs a rare but reachable node is drawn: q_2 = ℓ₂/N ≈ 1e-5 (≈1e5 draws, later blocks grow)
    smp = sp.leverage_sample(np.diag([1.0, 1e-6]), width=2, lam=0.1, rng=0)
    assert list(smp.keep) == [0, 1] and smp.counts[1] == 1 and smp.draws == smp.counts.sum()
    assert time.perf_counter() - t0 < 5.0


def test_prune_network_leverage_refuses_a_width_that_needs_a_near_dead_unit():
    model = make_mlp(4, [8], 1, seed=0)
    with torch.no_grad():
        model[0].weight[:2] = 0.0
        model[0].bias[:2] = 1e-9            # units 0 and 1 output 1e-9: leverage scores ~1e-15
    X = torch.randn(30, 4, generator=torch.Generator().manual_seed(0))
    with pytest.raises(ValueError, match="`widths`"):
        sp.prune_network(model, X, widths=[7], method="leverage", rng=0)
    res = sp.prune_network(model, X, widths=[6], method="leverage", rng=0)     # the live units suffice
    assert res.widths == [6] and not {0, 1} & set(res.keep[0].tolist())


@pytest.mark.parametrize("solver", ["cholesky", "cg"])
def test_randomized_dof_refuses_non_psd_and_stays_in_range(solver):
    """N(λ) ∈ [0, m]: an indefinite matrix is refused by every solver (cg once returned 2.08 for m = 2)."""
    with pytest.raises(ValueError, match="`cov`.*semi-definite"):
        sp.degrees_of_freedom_randomized(np.array([[1.0, 2.0], [2.0, 1.0]]), 0.1, solver=solver, rng=0)
    with pytest.raises(ValueError, match="`cov`.*semi-definite"):    # -0.05 > -λ: cov + λI is still PD
        sp.degrees_of_freedom_randomized(np.diag([1.0, -0.05]), 0.1, solver=solver, rng=0)
    for seed in range(20):
        # Hutch++ with few probes scatters around N ≈ 5 = m: the estimate is kept within [0, m]
        est = sp.degrees_of_freedom_randomized(np.eye(5), 1e-12, n_probes=6, solver=solver, rng=seed)
        assert 0.0 <= est.value <= 5.0
        # Hutchinson on A = I/(1+λ): gᵀAg = m/(1+λ) for every Rademacher g
        est = sp.degrees_of_freedom_randomized(np.eye(5), 1e-12, n_probes=4, solver=solver, rng=seed,
                                               method="hutchinson")
        assert est.value == pytest.approx(5.0, abs=1e-9)
    # a singular PSD matrix (exact zero eigenvalues) is accepted: N = rank·1/(1+λ)
    P = np.ones((4, 4)) / 4
    est = sp.degrees_of_freedom_randomized(P, 1.0, solver=solver, rng=0)
    assert est.value == pytest.approx(0.5, abs=1e-8)


def test_dof_at_eigenvalues_near_the_float_maximum():
    """μ/(μ+λ) when μ + λ overflows: 1e308/(1e308+1e308) = 1/2, not 1e308/inf = 0."""
    assert sp.degrees_of_freedom([1e308, 1.0], 1e308) == pytest.approx(0.5)
    np.testing.assert_allclose(sp.degrees_of_freedom([1e308, 1.0], [1e308, 1.0]), [0.5, 1.5])
    assert sp.degrees_of_freedom(np.eye(3), 1e308) == pytest.approx(3e-308, rel=1e-12)


def test_lambda_for_width_at_extreme_eigenvalues():
    """λ♯ is found (finite, m♯(λ♯) <= width) for spectra near the float limits, where lo·hi over/underflows."""
    for mu in (np.array([1e300, 1e300, 1.0]), np.array([1e-300, 1e-300, 1e-310])):
        lam = sp.lambda_for_width(mu, 50.0)
        assert 0 < lam < math.inf
        assert sp.leverage_sampling_width(sp.degrees_of_freedom(mu, lam), 0.05) <= 50.0 + 1e-6


def test_prune_network_measures_on_cov_inputs_and_names_them():
    model = make_mlp(4, [8], 1, seed=0)
    X = torch.randn(20, 4, generator=torch.Generator().manual_seed(0))
    with pytest.raises(ValueError, match="`cov_inputs`"):
        sp.prune_network(model, X, widths=[2], cov_inputs=X[:, :3])
    with pytest.raises(ValueError, match="`inputs`"):
        sp.prune_network(model, X[:, :3], widths=[2], cov_inputs=X)


# ---- layer combination of the bias bound, activation covariance, default ridge ---------------

def test_bias_bound_adds_layers_linearly():
    """Σ_ℓ Lip_ℓ √e_ℓ by hand over three layers (a quadrature sum would give √(16+81+4) ≈ 10.05)."""
    assert sp.compression_bias_bound([4.0, 9.0, 0.25], [2.0, 3.0, 4.0]) == pytest.approx(2 * 2 + 3 * 3 + 4 * 0.5)
    assert sp.compression_bias_bound([1.0, 1.0], [1.0, 1.0]) == pytest.approx(2.0)


def test_bias_bound_is_attained_by_coherent_layer_errors():
    r"""A 2-hidden-layer linear net whose two pruning errors add coherently: the sum bound is tight.

    Layers (identity activations, no bias): φ₁ = (x, x), φ₂ = W₂φ₁ = (x, x) with W₂ = ½·1·1ᵀ,
    f = W₃φ₂ = 2x with W₃ = (1, 1). Pruning each layer to one node with the default ridge
    τ_ℓ = rel_lam·Tr Σ̂_ℓ/2 gives Â = ρ(1, 1)ᵀ, ρ = 1/(1 + rel_lam), at both layers, so
    f♯ = 2ρ²x. By hand, with s = mean x²: e₁ = 2(1−ρ)²s, Lip₁ = ‖W₃‖ = √2, e₂ = 4ρ²(1−ρ)²s,
    Lip₂ = 1, and ‖f♯ − f‖_n = 2(1−ρ²)√s = Lip₁√e₁ + Lip₂√e₂ exactly, while the quadrature sum
    √(Lip₁²e₁ + Lip₂²e₂) = 2(1−ρ)√s·√(1+ρ²) is smaller (by 1.75/1.25 at ρ = 3/4).
    """
    model = make_mlp(1, [2, 2], 1, activation="identity", bias=False, dtype=torch.float64)
    with torch.no_grad():
        model[0].weight.copy_(torch.ones(2, 1))
        model[2].weight.copy_(torch.full((2, 2), 0.5))
        model[4].weight.copy_(torch.ones(1, 2))
    X = torch.as_tensor(np.random.default_rng(0).standard_normal((50, 1)))
    s = float((X ** 2).mean())
    rho = 0.75
    res = sp.prune_network(model, X, widths=[1, 1], rel_lam=1 / 3)
    assert res.widths == [1, 1]
    assert res.layer_errors == pytest.approx([2 * (1 - rho) ** 2 * s, 4 * rho ** 2 * (1 - rho) ** 2 * s], rel=1e-9)
    assert res.lipschitz == pytest.approx([math.sqrt(2), 1.0], rel=1e-12)
    with torch.no_grad():
        dist = math.sqrt(float(((res.model(X) - model(X)) ** 2).sum(1).mean()))
    tight = 2 * (1 - rho ** 2) * math.sqrt(s)
    assert dist == pytest.approx(tight, rel=1e-9)
    assert sp.compression_bias_bound(res.layer_errors, res.lipschitz) == pytest.approx(tight, rel=1e-9)
    assert res.bias_bound == pytest.approx(tight ** 2, rel=1e-9)
    quadrature = 2 * (1 - rho) * math.sqrt(s) * math.sqrt(1 + rho ** 2)
    assert dist > 1.3 * quadrature  # a quadrature combination of the layers would be violated here


def _manual_hidden(model, X, act):
    """Hidden-layer outputs by explicit matmuls (float64), independent of the package's forward."""
    lins = [m for m in model if isinstance(m, torch.nn.Linear)]
    h = X.detach().cpu().double().numpy()
    out = []
    for lin in lins[:-1]:
        h = act(h @ lin.weight.detach().cpu().double().numpy().T + lin.bias.detach().cpu().double().numpy())
        out.append(h)
    return out


def test_activation_covariance_is_the_uncentred_mean_of_outer_products(device):
    model = make_mlp(4, [6, 5], 2, activation="tanh", seed=7, device=device)
    X = torch.randn(9, 4, generator=torch.Generator().manual_seed(7))
    H = _manual_hidden(model, X, np.tanh)
    for layer in (0, 1):
        expected = sum(np.outer(h, h) for h in H[layer]) / X.shape[0]     # 1/n, not 1/(n-1)
        got = sp.activation_covariance(model, X.to(device), layer, device=device)
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(sp.activation_covariance(model, X, layer, device="cpu"), got,
                                   rtol=1e-12, atol=1e-13)


def test_prune_network_reconstruction_uses_the_default_ridge(device):
    r"""Â_J = Σ̂_FJ(Σ̂_JJ + τI)⁻¹ with the documented default τ_ℓ = λ_ℓ = rel_lam·Tr Σ̂_ℓ/m_ℓ.

    Covariances come from a forward pass written here, layer 2's on the net whose first layer
    is already pruned; the pruned weights are W₂ Â₁ (rows J₂) and W₃ Â₂.
    """
    model = make_mlp(5, [8, 6], 2, activation="tanh", seed=11, dtype=torch.float64, device=device)
    X = torch.as_tensor(np.random.default_rng(11).standard_normal((60, 5)), device=device)
    res = sp.prune_network(model, X, widths=[4, 3], device=device)
    W = [model[i].weight.detach().cpu().numpy() for i in (0, 2, 4)]
    b = [model[i].bias.detach().cpu().numpy() for i in (0, 2, 4)]
    x = X.cpu().numpy()
    n = x.shape[0]

    def recon(H, J):
        S = H.T @ H / n
        lam = 1e-3 * np.trace(S) / S.shape[0]                                 # rel_lam = 1e-3
        return S[:, J] @ np.linalg.inv(S[np.ix_(J, J)] + lam * np.eye(len(J))), lam

    J1, J2 = res.keep
    H1 = np.tanh(x @ W[0].T + b[0])
    A1, lam1 = recon(H1, J1)
    W2p = W[1] @ A1                                                            # next layer of the hybrid net
    H2 = np.tanh(H1[:, J1] @ W2p.T + b[1])
    A2, lam2 = recon(H2, J2)
    assert res.lams == pytest.approx([lam1, lam2], rel=1e-9)
    np.testing.assert_allclose(res.model[2].weight.detach().cpu().numpy(), W2p[J2], rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(res.model[4].weight.detach().cpu().numpy(), W[2] @ A2, rtol=1e-8, atol=1e-10)
    assert res.model[4].weight.device.type == torch.device(device).type


def _reference_greedy(S, M, tau, width):
    """The previous greedy (explicit R and P = M R, two rank-one m x m updates per step), kept as an oracle."""
    m = S.shape[0]
    R = S.copy()
    P = M @ R
    chosen = np.zeros(m, dtype=bool)
    order = []
    scale = max(float(np.max(np.abs(np.diag(S)))), 1e-300)
    for _ in range(width):
        d = np.diag(R) + tau
        num = np.einsum("ij,ij->j", R, P)
        ok = (d > 1e-12 * scale) & ~chosen
        gains = np.full(m, -np.inf)
        gains[~chosen] = 0.0
        gains[ok] = num[ok] / d[ok]
        j = int(np.argmax(gains))
        chosen[j] = True
        order.append(j)
        if ok[j]:
            r = R[:, j].copy()
            Mr = P[:, j].copy()
            R -= np.outer(r, r) / d[j]
            P -= np.outer(Mr, r) / d[j]
    return np.array(order, dtype=np.int64)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("theta", [1.0, 0.5, 0.0])
@pytest.mark.parametrize("m,width,n", [(40, 12, 60), (90, 45, 200), (150, 20, 40)])
def test_greedy_selects_what_the_explicit_residual_greedy_selects(seed, theta, m, width, n):
    """The factored greedy (cached columns of S M S) picks the same nodes, in the same order."""
    rng = np.random.default_rng(seed)
    F = np.maximum(rng.standard_normal((n, m)) * np.arange(1, m + 1) ** -0.7, 0.0)
    S = F.T @ F / n
    Z = rng.standard_normal((5, m))
    tau = [1e-3, rng.uniform(1e-4, 1e-2, m)][seed % 2]
    M = theta * np.eye(m) + (1.0 - theta) * Z.T @ Z if theta < 1 else np.eye(m)
    res = sp.spectral_prune(S, width, lam=1e-3, theta=theta, next_weight=Z, tau=tau)
    ref = _reference_greedy(S, M, np.broadcast_to(tau, (m,)).astype(float), width)
    np.testing.assert_array_equal(res.keep, ref)


@pytest.mark.parametrize("shift", [-3e-10, -1.2e-10, -0.8e-10, -0.3e-10, 0.0, 1e-8])
def test_psd_check_decides_as_the_smallest_eigenvalue(shift):
    """The Cholesky certificate accepts and refuses exactly as eigvalsh >= -1e-10 * scale * m does."""
    rng = np.random.default_rng(0)
    m = 30
    Q, _ = np.linalg.qr(rng.standard_normal((m, m)))
    lam = np.concatenate([[shift * m], rng.uniform(0.1, 0.9, m - 1)])
    S = (Q * lam) @ Q.T
    S = 0.5 * (S + S.T)
    eig_ok = np.linalg.eigvalsh(S)[0] >= -1e-10 * m            # scale = 1 here
    if eig_ok:
        sp.spectral_prune(S, 3, lam=1e-3)
    else:
        with pytest.raises(ValueError, match="positive semi-definite"):
            sp.spectral_prune(S, 3, lam=1e-3)


# ---- compiled and numpy paths of the greedy and of the covariance check -------------------------

def _greedy_case(seed, m, theta, tau_kind):
    rng = np.random.default_rng(seed)
    n = m + 7
    F = np.maximum(rng.standard_normal((n, m)) * np.arange(1, m + 1) ** -0.7, 0.0)
    S = F.T @ F / n
    S = 0.5 * (S + S.T)
    Z = rng.standard_normal((4, m))
    tau = {"scalar": np.full(m, 1e-3), "vector": rng.uniform(1e-4, 1e-2, m), "zero": np.zeros(m)}[tau_kind]
    return S, (Z if theta < 1 else None), tau


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("theta", [1.0, 0.5, 0.0])
@pytest.mark.parametrize("tau_kind", ["scalar", "vector", "zero"])
@pytest.mark.parametrize("m,width", [(30, 10), (200, 60)])
def test_greedy_compiled_and_numpy_paths_select_the_same_nodes(seed, theta, tau_kind, m, width):
    """The numba kernel and its numpy twin pick the same nodes and return the same factor."""
    from theory.spectral import _select
    S, Z, tau = _greedy_case(seed, m, theta, tau_kind)
    order_np, fac_np = _select._greedy(S, theta, Z, tau, width, use_numba=False)
    order_nb, fac_nb = _select._greedy(S, theta, Z, tau, width, use_numba=True)
    np.testing.assert_array_equal(order_nb, order_np)
    assert (fac_np is None) == (fac_nb is None) == (tau_kind == "zero")      # tau = 0: the generic solve
    if fac_np is not None:
        np.testing.assert_allclose(fac_nb[0], fac_np[0], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(fac_nb[1], fac_np[1], rtol=1e-12)
        # the factor: L L^T = S_JJ + I_tau and C^T = L^{-1} S_JF
        L = np.tril(fac_np[0][:, order_np].T, -1) + np.diag(fac_np[1])
        np.testing.assert_allclose(L @ L.T, S[np.ix_(order_np, order_np)] + np.diag(tau[order_np]),
                                   rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(L @ fac_np[0], S[order_np], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("theta", [1.0, 0.5])
def test_greedy_paths_on_a_rank_deficient_covariance_reach_the_same_objective(seed, theta):
    """tau = 0, rank r < width: past the rank, and between near-dependent nodes, the picks are decided
    by rounding (documented); both paths must still reach the same objective at every width."""
    from theory.spectral import _select
    rng = np.random.default_rng(seed)
    m, r = 30, 8
    F = rng.standard_normal((50, r)) @ rng.standard_normal((r, m))
    S = F.T @ F / 50
    S = 0.5 * (S + S.T)
    Z = rng.standard_normal((3, m)) if theta < 1 else None
    tau = np.zeros(m)
    a, _ = _select._greedy(S, theta, Z, tau, 12, use_numba=False)
    b, _ = _select._greedy(S, theta, Z, tau, 12, use_numba=True)
    assert len(set(a.tolist())) == len(set(b.tolist())) == 12
    scale = float(np.trace(S))
    for k in (1, 3, r, 12):
        la = sp.pruning_loss(S, a[:k], 0.0, theta, Z)
        lb = sp.pruning_loss(S, b[:k], 0.0, theta, Z)
        assert la == pytest.approx(lb, rel=1e-6, abs=1e-9 * scale)


@pytest.mark.parametrize("theta", [1.0, 0.5])
@pytest.mark.parametrize("tau_kind", ["scalar", "zero"])
def test_greedy_kernel_runs_as_plain_python(theta, tau_kind):
    """The kernel's source (what numba compiles) picks what its numpy twin picks, run uncompiled."""
    from theory.spectral import _select
    S, Z, tau = _greedy_case(7, 24, theta, tau_kind)
    m = S.shape[0]
    full = Z is not None
    Y = Z @ S if full else np.zeros((0, m))
    Zc = Z if full else np.zeros((0, m))
    num = np.einsum("ij,ij->j", S, S) if not full else \
        theta * np.einsum("ij,ij->j", S, S) + (1 - theta) * np.einsum("ij,ij->j", Y, Y)
    d = np.diag(S) + tau
    thr = 1e-12 * float(np.max(np.abs(np.diag(S))))
    fast = bool(np.min(tau) > 2 * thr)
    kernel = getattr(_select._greedy_steps, "py_func", _select._greedy_steps)
    got = kernel(S, Y, Zc, theta, full, num.copy(), d.copy(), thr, fast, 9, 4)
    ref = _select._greedy_steps_numpy(S, Y, Zc, theta, full, num.copy(), d.copy(), thr, fast, 9)
    np.testing.assert_array_equal(got[0], ref[0])
    assert got[3] == ref[3]
    np.testing.assert_allclose(got[0 + 1][:got[3]], ref[1][:ref[3]], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("tau", [1e-3, 0.0])
@pytest.mark.parametrize("theta", [1.0, 0.3])
def test_spectral_prune_same_result_without_numba(monkeypatch, tau, theta):
    """Forcing the numpy paths (as where numba does not import) changes neither keep, A nor the loss."""
    from theory.spectral import _common, _select
    S, Z, _ = _greedy_case(3, 60, theta, "zero" if tau == 0 else "scalar")
    Z = np.random.default_rng(1).standard_normal((4, 60))
    with_nb = sp.spectral_prune(S, 20, lam=1e-3, tau=tau, theta=theta, next_weight=Z)
    monkeypatch.setattr(_select, "HAVE_NUMBA", False)
    monkeypatch.setattr(_common, "HAVE_NUMBA", False)
    without = sp.spectral_prune(S, 20, lam=1e-3, tau=tau, theta=theta, next_weight=Z)
    np.testing.assert_array_equal(with_nb.keep, without.keep)
    np.testing.assert_allclose(with_nb.A, without.A, rtol=1e-9, atol=1e-12)
    assert with_nb.loss == pytest.approx(without.loss, rel=1e-9, abs=1e-15)


@pytest.mark.parametrize("tau", [1e-3, 0.0])
@pytest.mark.parametrize("theta", [1.0, 0.4])
def test_spectral_prune_map_and_loss_agree_with_the_reconstruction_functions(tau, theta):
    """A and the loss (from the greedy's factor when tau > 0) match reconstruction_matrix and pruning_loss."""
    rng = np.random.default_rng(11)
    F = np.maximum(rng.standard_normal((150, 90)) * np.arange(1, 91) ** -0.6, 0.0)
    S = F.T @ F / 150
    Z = rng.standard_normal((6, 90))
    res = sp.spectral_prune(S, 25, lam=1e-3, tau=tau, theta=theta, next_weight=Z)
    np.testing.assert_allclose(res.A, sp.reconstruction_matrix(S, res.keep, tau), rtol=1e-8, atol=1e-10)
    assert res.loss == pytest.approx(sp.pruning_loss(S, res.keep, tau, theta, Z), rel=1e-8, abs=1e-14)


@pytest.mark.parametrize("m", [1, 2, 31, 32, 33, 70])
@pytest.mark.parametrize("use_numba", [True, False])
def test_symmetrize_and_mirror_both_paths_exact(m, use_numba):
    """The tiled symmetrisation and the triangle mirror give (a + a^T)/2 exactly, and refuse asymmetry."""
    from theory.spectral import _common
    rng = np.random.default_rng(m)
    a = rng.standard_normal((m, m))
    a = a + a.T + 1e-12 * rng.standard_normal((m, m))
    ref = (a + a.T) * 0.5
    np.testing.assert_array_equal(_common._symmetrize(a, 1e-8, use_numba), ref)
    np.testing.assert_array_equal(_common._symmetrize(np.asfortranarray(a), 1e-8, use_numba), ref)
    if m > 1:
        bad = a.copy()
        bad[m - 1, 0] += 1e-3
        assert _common._symmetrize(bad, 1e-8, use_numba) is None
    b = np.tril(ref) + np.triu(rng.standard_normal((m, m)), 1)
    _common._mirror_lower(b, use_numba)
    np.testing.assert_array_equal(b, ref)
    for kernel in (_common._symmetrize_kernel, _common._mirror_lower_kernel):
        assert callable(getattr(kernel, "py_func", kernel))
    out = np.empty((m, m))
    assert getattr(_common._symmetrize_kernel, "py_func", _common._symmetrize_kernel)(a, out, 1e-8)
    np.testing.assert_array_equal(out, ref)
    c = np.tril(ref) + np.triu(rng.standard_normal((m, m)), 1)
    getattr(_common._mirror_lower_kernel, "py_func", _common._mirror_lower_kernel)(c)
    np.testing.assert_array_equal(c, ref)


def test_cov_check_returns_the_symmetrised_input_after_the_in_place_cholesky():
    """The PSD certificate factors in the returned array's upper triangle; the array comes back intact."""
    rng = np.random.default_rng(5)
    F = rng.standard_normal((40, 100))
    S = F.T @ F / 40                                               # rank 40: singular, PSD
    S = S + 1e-13 * rng.standard_normal(S.shape)
    out = sp.residual_covariance(S, [0], 0.0)                      # goes through _check_cov
    assert np.all(np.isfinite(out))
    from theory.spectral._common import _check_cov
    np.testing.assert_array_equal(_check_cov(S), (S + S.T) * 0.5)
    with pytest.raises(ValueError, match="positive semi-definite"):
        _check_cov(S - 1e-3 * np.eye(100))


def test_next_weight_overflow_refused_as_before():
    """Huge next-layer weights: refused exactly when Z^T Z overflows (the column-norm bound decides the rest)."""
    S = np.eye(4)
    with pytest.raises(ValueError, match="too large"):
        sp.spectral_prune(S, 2, lam=1e-3, theta=0.5, next_weight=np.full((3, 4), 1e200))
    res = sp.spectral_prune(S, 2, lam=1e-3, theta=0.5, next_weight=np.full((1, 4), 1e151))   # |z|^2 > 1e300, finite
    assert res.keep.size == 2
    with pytest.raises(ValueError, match="next_weight"):
        sp.spectral_prune(S, 2, lam=1e-3, theta=0.5)


def test_check_psd_false_skips_only_the_psd_certificate():
    from theory.spectral import spectral_prune

    rng = np.random.default_rng(5)
    X = rng.standard_normal((40, 12))
    S = X.T @ X / 40
    a = spectral_prune(S, 4, 1e-3)
    b = spectral_prune(S, 4, 1e-3, check_psd=False)
    assert np.array_equal(a.keep, b.keep) and a.loss == b.loss
    bad = S - 2.0 * np.eye(12)                       # symmetric, not PSD
    with pytest.raises(ValueError, match="positive semi-definite"):
        spectral_prune(bad, 4, 1e-3)
    spectral_prune(bad, 4, 1e-3, check_psd=False)    # not certified: no error
    with pytest.raises(ValueError, match="symmetric"):
        spectral_prune(S + np.triu(np.ones((12, 12)), 1), 4, 1e-3, check_psd=False)
    with pytest.raises(TypeError, match="`check_psd`"):
        spectral_prune(S, 4, 1e-3, check_psd="no")
