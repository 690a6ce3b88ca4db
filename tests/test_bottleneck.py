"""Information bottleneck of clustered representations (theory.bottleneck).

Every number is compared with an independent computation: entropies of the joint table
p(i, a, y) by explicit loops, scikit-learn's mutual_info_score on integer contingency tables,
dit's conditional mutual information, a Monte Carlo sample from the joint, KL divergences by
loops, autograd and finite differences, and simulations of the classifier bounds.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from theory import bottleneck as bn
from theory.information import discrete_mutual_information

LOG2 = math.log(2.0)


# --------------------------------------------------------------------------------------------
# independent reference computations
# --------------------------------------------------------------------------------------------

def entropy(p) -> float:
    """Shannon entropy in nats by an explicit loop (0 log 0 = 0)."""
    h = 0.0
    for v in np.asarray(p, dtype=float).ravel():
        if v > 0:
            h -= v * math.log(v)
    return h


def joint(phi, y):
    """p(i, a, c) = phi[i, a] / n * 1{y_i = c}, shape (n, K, C)."""
    phi = np.asarray(phi, float)
    n, K = phi.shape
    C = int(max(y)) + 1
    p = np.zeros((n, K, C))
    for i in range(n):
        for a in range(K):
            p[i, a, y[i]] = phi[i, a] / n
    return p


def reference_quantities(phi, y) -> dict:
    p = joint(phi, y)
    H_X, H_A, H_Y = entropy(p.sum((1, 2))), entropy(p.sum((0, 2))), entropy(p.sum((0, 1)))
    H_XA, H_AY, H_XY = entropy(p.sum(2)), entropy(p.sum(0)), entropy(p.sum(1))
    H_XAY = entropy(p)
    return {
        "I_XA": H_X + H_A - H_XA,
        "I_AY": H_A + H_Y - H_AY,
        "I_XA_given_Y": H_XY + H_AY - H_Y - H_XAY,
        "H_A_given_X": H_XA - H_X,
        "H_A_given_Y": H_AY - H_Y,
        "H_A": H_A,
        "H_Y": H_Y,
    }


def kl(p, q) -> float:
    out = 0.0
    for pi, qi in zip(np.ravel(p), np.ravel(q)):
        if pi > 0:
            if qi == 0:
                return math.inf
            out += pi * math.log(pi / qi)
    return out


def p_a_given_y(phi, y):
    """Columns p(.|c) of the observed classes, by loops: {c: vector}."""
    out = {}
    for c in sorted(set(int(v) for v in y)):
        rows = [phi[i] for i in range(len(y)) if y[i] == c]
        out[c] = np.sum(rows, axis=0) / len(rows)
    return out


def random_phi(rng, n, K, sparse=True):
    phi = rng.dirichlet(np.full(K, 0.7), size=n)
    if sparse and K > 1:                       # exact zeros exercise 0 log 0
        mask = rng.random((n, K)) < 0.25
        mask[np.arange(n), rng.integers(0, K, n)] = False
        phi = np.where(mask, 0.0, phi)
        phi /= phi.sum(1, keepdims=True)
    return phi


def random_columns(rng, K, C):
    """A (K, C) table whose columns are distributions (q(a|y))."""
    return rng.dirichlet(np.ones(K), size=C).T


problem = st.tuples(st.integers(1, 8), st.integers(1, 5), st.integers(1, 3), st.integers(0, 2**32 - 1))


def draw(n, K, C, seed):
    rng = np.random.default_rng(seed)
    phi = random_phi(rng, n, K)
    y = rng.integers(0, C, n)
    return rng, phi, y


# --------------------------------------------------------------------------------------------
# exact quantities
# --------------------------------------------------------------------------------------------

@given(problem)
def test_ib_quantities_match_the_joint_table(args):
    _, phi, y = draw(*args)
    got = bn.ib_quantities(phi, y)
    ref = reference_quantities(phi, y)
    for k, v in ref.items():
        assert getattr(got, k) == pytest.approx(v, abs=1e-10), k
    assert got.ib == pytest.approx(ref["I_XA"] - ref["I_AY"], abs=1e-10)


@given(problem)
def test_ib_identities(args):
    _, phi, y = draw(*args)
    q = bn.ib_quantities(phi, y)
    assert q.I_XA - q.I_AY == pytest.approx(q.I_XA_given_Y, abs=1e-12)
    assert q.I_XA_given_Y == pytest.approx(q.H_A_given_Y - q.H_A_given_X, abs=1e-12)
    assert q.ib == q.I_XA_given_Y >= 0
    assert q.I_AY <= q.H_Y + 1e-12 and q.I_XA <= math.log(len(y)) + 1e-12


def test_ib_quantities_match_sklearn_on_integer_contingency_tables():
    from sklearn.metrics import mutual_info_score

    rng = np.random.default_rng(0)
    n, K, m = 7, 4, 12
    counts = np.stack([rng.multinomial(m, rng.dirichlet(np.ones(K))) for _ in range(n)])
    phi = counts / m                                   # p(i, a) = counts / (n m) exactly
    y = np.array([0, 1, 1, 2, 0, 2, 2])
    ay = np.stack([counts[y == c].sum(0) for c in range(3)], axis=1)   # (K, C) counts of (a, y)
    q = bn.ib_quantities(phi, y)
    assert q.I_XA == pytest.approx(mutual_info_score(None, None, contingency=counts), abs=1e-12)
    assert q.I_AY == pytest.approx(mutual_info_score(None, None, contingency=ay), abs=1e-12)


def test_conditional_mi_matches_dit():
    dit = pytest.importorskip("dit")
    rng = np.random.default_rng(1)
    phi = random_phi(rng, 5, 3)
    y = np.array([0, 1, 0, 1, 1])
    outcomes, pmf = [], []
    for i in range(5):
        for a in range(3):
            if phi[i, a] > 0:
                outcomes.append((i, a, int(y[i])))
                pmf.append(phi[i, a] / 5)
    d = dit.Distribution(outcomes, pmf)
    cmi_bits = dit.multivariate.coinformation(d, [[0], [1]], [2])
    assert bn.ib_quantities(phi, y).I_XA_given_Y == pytest.approx(cmi_bits * LOG2, abs=1e-10)


def test_ib_quantities_monte_carlo():
    rng = np.random.default_rng(2)
    n, K = 6, 4
    phi = random_phi(rng, n, K, sparse=False)
    y = np.array([0, 0, 1, 1, 2, 2])
    N = 200_000
    i = rng.integers(0, n, N)
    cum = np.cumsum(phi, axis=1)
    a = np.minimum((rng.random(N)[:, None] > cum[i]).sum(1), K - 1)
    q = bn.ib_quantities(phi, y)
    # plug-in bias ~ (n-1)(K-1)/(2N) ~ 4e-5; sampling SE ~ 1e-3
    assert discrete_mutual_information(i, a) == pytest.approx(q.I_XA, abs=6e-3)
    assert discrete_mutual_information(a, y[i]) == pytest.approx(q.I_AY, abs=6e-3)


def test_ib_closed_cases():
    n = 6
    y = np.array([0, 0, 1, 1, 1, 2])
    ident = bn.ib_quantities(np.eye(n), y)                 # A = X
    assert ident.I_XA == pytest.approx(math.log(n))
    assert ident.H_A_given_X == 0.0
    assert ident.I_AY == pytest.approx(ident.H_Y)
    assert ident.ib == pytest.approx(math.log(n) - ident.H_Y)
    assert ident.H_Y == pytest.approx(entropy([2 / 6, 3 / 6, 1 / 6]))
    const = bn.ib_quantities(np.full((n, 3), 1 / 3), y)    # A independent of X
    for v in (const.I_XA, const.I_AY, const.I_XA_given_Y, const.ib):
        assert v == pytest.approx(0.0, abs=1e-12)
    assert const.H_A == pytest.approx(math.log(3)) and const.H_A_given_X == pytest.approx(math.log(3))
    one = bn.ib_quantities(np.ones((n, 1)), y)              # one cluster
    assert one.I_XA == 0.0 and one.H_A == 0.0


def test_ib_quantities_accepts_tensors_and_label_gaps():
    rng = np.random.default_rng(3)
    phi = random_phi(rng, 5, 3)
    y = np.array([0, 4, 4, 7, 0])                           # classes 1-3, 5, 6 empty
    a = bn.ib_quantities(phi, y)
    b = bn.ib_quantities(torch.tensor(phi, requires_grad=True), torch.tensor(y))
    assert a == b
    ref = reference_quantities(phi, y)
    assert a.I_XA_given_Y == pytest.approx(ref["I_XA_given_Y"], abs=1e-12)


# --------------------------------------------------------------------------------------------
# class-conditional table
# --------------------------------------------------------------------------------------------

@given(problem)
def test_class_conditional_table_matches_loops(args):
    _, phi, y = draw(*args)
    y = np.unique(y, return_inverse=True)[1].reshape(-1)   # no empty class
    Q = bn.class_conditional_table(phi, y)
    cols = p_a_given_y(phi, y)
    assert Q.shape == (phi.shape[1], len(cols))
    for c, v in cols.items():
        np.testing.assert_allclose(Q[:, c], v, atol=1e-12)
    np.testing.assert_allclose(Q.sum(0), 1.0, atol=1e-12)


def test_class_conditional_table_torch_and_num_classes():
    phi = np.array([[0.2, 0.8], [0.6, 0.4], [1.0, 0.0]])
    y = [1, 1, 0]
    Q = bn.class_conditional_table(phi, y, num_classes=2)
    np.testing.assert_allclose(Q, [[1.0, 0.4], [0.0, 0.6]])
    t = torch.tensor(phi, requires_grad=True)
    Qt = bn.class_conditional_table(t, y)
    assert isinstance(Qt, torch.Tensor) and Qt.requires_grad
    np.testing.assert_allclose(Qt.detach().numpy(), Q)
    with pytest.raises(ValueError, match="`num_classes`"):
        bn.class_conditional_table(phi, y, num_classes=3)
    with pytest.raises(ValueError, match="`y`.*classes \\[1\\]"):
        bn.class_conditional_table(phi, [0, 2, 2])


# --------------------------------------------------------------------------------------------
# corrected, released and variational bounds
# --------------------------------------------------------------------------------------------

@given(problem)
def test_corrected_bound_slack_is_the_expected_kl(args):
    rng, phi, y = draw(*args)
    K, C = phi.shape[1], int(y.max()) + 1
    ref = reference_quantities(phi, y)["I_XA_given_Y"]
    assert bn.corrected_ib_bound(phi, y) == pytest.approx(ref, abs=1e-10)      # equality at q = p(a|y)
    q = random_columns(rng, K, C)
    u1 = bn.corrected_ib_bound(phi, y, q)
    cols = p_a_given_y(phi, y)
    slack = sum(np.mean(y == c) * kl(p, q[:, c]) for c, p in cols.items())
    assert u1 >= ref - 1e-12
    assert u1 - ref == pytest.approx(slack, abs=1e-10)


@given(problem)
def test_released_trainable_term_is_at_least_H_A_given_Y(args):
    rng, phi, y = draw(*args)
    K, C = phi.shape[1], int(y.max()) + 1
    ref = reference_quantities(phi, y)
    H_AY = ref["I_XA_given_Y"] + ref["H_A_given_X"]
    assert H_AY == pytest.approx(ref["H_A_given_Y"], abs=1e-10)
    phi_in = random_phi(rng, len(y), 3)
    default = bn.released_ib_bound(phi_in, phi, y)
    assert default["trainable"] == pytest.approx(H_AY, abs=1e-10)                # Gibbs, equality at p(a|y)
    q = random_columns(rng, K, C)
    out = bn.released_ib_bound(phi_in, phi, y, q)
    cols = p_a_given_y(phi, y)
    gibbs = sum(np.mean(y == c) * kl(p, q[:, c]) for c, p in cols.items())
    assert out["trainable"] >= H_AY - 1e-12
    assert out["trainable"] - H_AY == pytest.approx(gibbs, abs=1e-10)
    # the input term is minus the mean entropy of the input clusters, and nothing else
    h_in = np.mean([entropy(r) for r in phi_in])
    assert out["input"] == pytest.approx(-h_in, abs=1e-12)
    assert out["total"] == pytest.approx(out["trainable"] + out["input"], abs=1e-12)
    # total = U1 + mean H(phi) - mean H(phi_in)
    h = np.mean([entropy(r) for r in phi])
    assert default["total"] == pytest.approx(bn.corrected_ib_bound(phi, y) + h - h_in, abs=1e-10)


@given(problem)
def test_variational_bound_decomposition(args):
    rng, phi, y = draw(*args)
    n, K = phi.shape
    C = int(y.max()) + 1
    ref = reference_quantities(phi, y)
    ib = ref["I_XA"] - ref["I_AY"]
    r = rng.dirichlet(np.ones(K))
    qd = rng.dirichlet(np.ones(C), size=K)
    u2 = bn.variational_ib_bound(phi, y, r, qd)
    p = joint(phi, y)
    p_a = p.sum((0, 2))
    p_ay = p.sum(0)
    slack = kl(p_a, r) + sum(p_a[a] * kl(p_ay[a] / p_a[a], qd[a]) for a in range(K) if p_a[a] > 0)
    assert u2 >= ib - 1e-12
    assert u2 - ib == pytest.approx(slack, abs=1e-10)
    # equality at r = p(a), q = p(y|a) (uniform rows where p(a) = 0)
    q_opt = np.array([p_ay[a] / p_a[a] if p_a[a] > 0 else np.full(C, 1 / C) for a in range(K)])
    assert bn.variational_ib_bound(phi, y, p_a, q_opt) == pytest.approx(ib, abs=1e-10)


def test_zeros_in_tables_give_inf_only_where_phi_has_mass():
    phi = np.array([[1.0, 0.0], [0.5, 0.5]])
    y = [0, 1]
    q = np.array([[1.0, 0.5], [0.0, 0.5]])                # q(1|0) = 0, but phi[0, 1] = 0: finite
    assert math.isfinite(bn.corrected_ib_bound(phi, y, q))
    q_bad = np.array([[1.0, 1.0], [0.0, 0.0]])            # q(1|1) = 0 while phi[1, 1] > 0
    assert bn.corrected_ib_bound(phi, y, q_bad) == math.inf
    assert bn.released_ib_bound(phi, phi, y, q_bad)["trainable"] == math.inf
    assert bn.variational_ib_bound(phi, y, [1.0, 0.0], np.full((2, 2), 0.5)) == math.inf
    assert math.isfinite(bn.variational_ib_bound(np.eye(2)[[0, 0]], y, [1.0, 0.0], np.full((2, 2), 0.5)))
    assert bn.variational_ib_bound(phi, y, [0.5, 0.5], np.eye(2)) == math.inf
    t = bn.corrected_ib_bound(torch.tensor(phi), y, torch.tensor(q_bad))
    assert isinstance(t, torch.Tensor) and math.isinf(float(t))


# --------------------------------------------------------------------------------------------
# soft assignments and torch support
# --------------------------------------------------------------------------------------------

def test_soft_assignments_match_the_formula():
    rng = np.random.default_rng(4)
    F = rng.normal(size=(6, 3))
    Cn = rng.normal(size=(4, 3))
    beta = 1.7
    phi = bn.soft_assignments(F, Cn, beta)
    ref = np.zeros((6, 4))
    for i in range(6):
        v = F[i] / math.sqrt(sum(t * t for t in F[i]))
        w = [math.exp(-beta * sum((v[j] - Cn[a, j]) ** 2 for j in range(3))) for a in range(4)]
        ref[i] = np.array(w) / sum(w)
    np.testing.assert_allclose(phi, ref, rtol=1e-12)
    # scale invariance, including scales whose squares under/overflow
    np.testing.assert_allclose(bn.soft_assignments(F * 1e-200, Cn, beta), ref, rtol=1e-12)
    np.testing.assert_allclose(bn.soft_assignments(F * 1e200, Cn, beta), ref, rtol=1e-12)
    # huge beta: hard assignments, no NaN
    hard = bn.soft_assignments(F, Cn, 1e6)
    assert np.all(np.isfinite(hard)) and np.allclose(hard.sum(1), 1)
    np.testing.assert_array_equal(hard.argmax(1), ref.argmax(1))
    np.testing.assert_allclose(bn.soft_assignments(F, Cn, 0.0), 0.25)
    t = bn.soft_assignments(torch.tensor(F), Cn, beta)
    assert isinstance(t, torch.Tensor)
    np.testing.assert_allclose(t.numpy(), ref, rtol=1e-12)


def test_zero_feature_row_is_refused():
    with pytest.raises(ValueError, match="`features`.*rows \\[1\\]"):
        bn.soft_assignments([[1.0, 0.0], [0.0, 0.0]], np.eye(2), 1.0)


def _representation(seed=5, n=8, d=3, K=4):
    g = torch.Generator().manual_seed(seed)
    features = torch.randn(n, d, generator=g, dtype=torch.float64, requires_grad=True)
    centroids = torch.randn(K, d, generator=g, dtype=torch.float64)
    raw = torch.randn(n, 5, generator=g, dtype=torch.float64)           # raw inputs: no graph to features
    centroids_in = torch.randn(3, 5, generator=g, dtype=torch.float64)
    y = torch.tensor([0, 1, 2, 0, 1, 2, 0, 1])
    return features, centroids, raw, centroids_in, y


def test_released_input_term_has_zero_gradient_in_the_representation():
    features, centroids, raw, centroids_in, y = _representation()
    phi = bn.soft_assignments(features, centroids, 2.0)
    phi_in = bn.soft_assignments(raw, centroids_in, 2.0)
    out = bn.released_ib_bound(phi_in, phi, y)
    assert all(isinstance(v, torch.Tensor) and v.ndim == 0 for v in out.values())
    (g_input,) = torch.autograd.grad(out["input"], features, allow_unused=True) if out["input"].requires_grad \
        else (None,)
    assert g_input is None or torch.count_nonzero(g_input) == 0
    (g_train,) = torch.autograd.grad(out["trainable"], features, retain_graph=True)
    (g_total,) = torch.autograd.grad(out["total"], features)
    assert float(g_train.abs().max()) > 1e-6
    torch.testing.assert_close(g_total, g_train)
    # the corrected bound, by contrast, depends on the representation through both terms
    (g_u1,) = torch.autograd.grad(bn.corrected_ib_bound(bn.soft_assignments(features, centroids, 2.0), y),
                                  features)
    assert float((g_u1 - g_train).abs().max()) > 1e-6


def test_bounds_gradients_match_finite_differences():
    features, centroids, _, _, y = _representation(seed=6)
    rng = np.random.default_rng(6)
    q = torch.tensor(random_columns(rng, 4, 3))
    r = torch.tensor(rng.dirichlet(np.ones(4)))
    qd = torch.tensor(rng.dirichlet(np.ones(3), size=4))
    fns = [
        lambda f: bn.corrected_ib_bound(bn.soft_assignments(f, centroids, 1.5), y),
        lambda f: bn.corrected_ib_bound(bn.soft_assignments(f, centroids, 1.5), y, q),
        lambda f: bn.released_ib_bound(np.full((8, 2), 0.5), bn.soft_assignments(f, centroids, 1.5), y)["total"],
        lambda f: bn.variational_ib_bound(bn.soft_assignments(f, centroids, 1.5), y, r, qd),
        lambda f: bn.merge_clusters(bn.soft_assignments(f, centroids, 1.5), [0, 1, 1, 0]).square().sum(),
    ]
    for fn in fns:
        assert torch.autograd.gradcheck(fn, (features,), eps=1e-6, atol=1e-7)


def test_torch_results_match_numpy(device):
    rng = np.random.default_rng(7)
    phi = random_phi(rng, 9, 4)
    y = rng.integers(0, 3, 9)
    y[:3] = [0, 1, 2]
    q = random_columns(rng, 4, 3)
    r = rng.dirichlet(np.ones(4))
    qd = rng.dirichlet(np.ones(3), size=4)
    t = torch.tensor(phi, device=device)
    pairs = [
        (bn.corrected_ib_bound(phi, y), bn.corrected_ib_bound(t, y)),
        (bn.corrected_ib_bound(phi, y, q), bn.corrected_ib_bound(t, y, q)),
        (bn.variational_ib_bound(phi, y, r, qd), bn.variational_ib_bound(t, y, r, qd)),
        (bn.released_ib_bound(phi, phi, y)["total"], bn.released_ib_bound(phi, t, y)["total"]),
    ]
    for a, b in pairs:
        assert isinstance(a, float) and isinstance(b, torch.Tensor) and b.device.type == device
        assert float(b) == pytest.approx(a, abs=1e-12)
    m = bn.merge_clusters(t, [1, 0, 1, 0])
    np.testing.assert_allclose(m.cpu().numpy(), bn.merge_clusters(phi, [1, 0, 1, 0]))
    f32 = torch.tensor(phi, dtype=torch.float32, device=device)
    f32 = f32 / f32.sum(1, keepdim=True)
    assert float(bn.corrected_ib_bound(f32, y)) == pytest.approx(bn.corrected_ib_bound(phi, y), abs=1e-5)


# --------------------------------------------------------------------------------------------
# merging clusters
# --------------------------------------------------------------------------------------------

@given(problem, st.integers(0, 2**32 - 1))
def test_merging_is_data_processing(args, seed):
    _, phi, y = draw(*args)
    K = phi.shape[1]
    rng = np.random.default_rng(seed)
    Kp = int(rng.integers(1, K + 1))
    mapping = rng.integers(0, Kp, K)
    merged = bn.merge_clusters(phi, mapping)
    ref = np.zeros((phi.shape[0], int(mapping.max()) + 1))
    for a in range(K):
        ref[:, mapping[a]] += phi[:, a]
    np.testing.assert_allclose(merged, ref, atol=1e-15)
    before, after = bn.ib_quantities(phi, y), bn.ib_quantities(merged, y)
    assert after.I_XA <= before.I_XA + 1e-12
    assert after.I_AY <= before.I_AY + 1e-12


def test_merging_with_the_identity_changes_nothing():
    rng = np.random.default_rng(8)
    phi = random_phi(rng, 5, 4)
    np.testing.assert_array_equal(bn.merge_clusters(phi, np.arange(4)), phi)
    np.testing.assert_allclose(bn.merge_clusters(phi, np.zeros(4, int)), np.ones((5, 1)))


# --------------------------------------------------------------------------------------------
# risk bounds of the bottleneck classifier
# --------------------------------------------------------------------------------------------

def test_classifier_bounds_closed_forms():
    assert bn.bottleneck_classifier_bound(0.2, 8, 10, 500, 0.01) == pytest.approx(
        0.2 + math.sqrt((8 * math.log(10) + math.log(100)) / 1000), rel=1e-14)
    assert bn.bottleneck_classifier_bound(0.0, 1, 1, 2, math.exp(-4)) == pytest.approx(1.0)
    assert bn.expected_bottleneck_classifier_bound(0.2, 8, 10, 500) == pytest.approx(
        0.2 + math.sqrt(8 * math.log(10) / 1000), rel=1e-14)
    assert bn.expected_bottleneck_classifier_bound(0.3, 5, 1, 7) == 0.3
    # more clusters, more classes, smaller delta or fewer points: a larger bound
    base = bn.bottleneck_classifier_bound(0.1, 4, 3, 100, 0.05)
    assert bn.bottleneck_classifier_bound(0.1, 5, 3, 100, 0.05) > base
    assert bn.bottleneck_classifier_bound(0.1, 4, 4, 100, 0.05) > base
    assert bn.bottleneck_classifier_bound(0.1, 4, 3, 100, 0.01) > base
    assert bn.bottleneck_classifier_bound(0.1, 4, 3, 99, 0.05) > base


def test_hoeffding_part_holds_with_frequency_at_least_one_minus_delta():
    """One fixed classifier (K ln|Y| = 0): the bound is Hoeffding's, violated w.p. <= delta."""
    rng = np.random.default_rng(9)
    p, n, delta, reps = 0.3, 40, 0.2, 20_000
    errs = rng.binomial(n, p, reps) / n
    eps = bn.bottleneck_classifier_bound(0.0, 1, 1, n, delta)
    freq = np.mean(p > errs + eps)
    assert freq <= delta + 3 * math.sqrt(delta * (1 - delta) / reps)
    assert freq > 0.01                                   # not vacuous: Hoeffding is fairly tight here


def test_union_bound_holds_for_a_table_fitted_on_the_same_points():
    """K clusters fixed in advance; the table is the majority label per cluster on the n2 points."""
    rng = np.random.default_rng(10)
    K, C, n2, delta, reps = 4, 3, 30, 0.1, 4000
    p_a = np.array([0.4, 0.3, 0.2, 0.1])
    p_y_a = np.array([[0.5, 0.3, 0.2], [0.2, 0.45, 0.35], [0.34, 0.33, 0.33], [0.1, 0.1, 0.8]])
    cells = (p_a[:, None] * p_y_a).ravel()
    counts = rng.multinomial(n2, cells, size=reps).reshape(reps, K, C)
    table = counts.argmax(2)                                            # (reps, K)
    correct = np.take_along_axis(counts, table[..., None], 2)[..., 0].sum(1)
    emp = 1 - correct / n2
    risk = 1 - (p_a[None] * np.take_along_axis(np.broadcast_to(p_y_a, (reps, K, C)),
                                                 table[..., None], 2)[..., 0]).sum(1)
    bounds = np.array([bn.bottleneck_classifier_bound(e, K, C, n2, delta) for e in emp])
    freq = np.mean(risk > bounds)
    assert freq <= delta
    # the expected version: E risk <= E emp + sqrt(K ln C / (2 n2))
    se = emp.std(ddof=1) / math.sqrt(reps)
    assert risk.mean() <= bn.expected_bottleneck_classifier_bound(emp.mean(), K, C, n2) + 3 * se
