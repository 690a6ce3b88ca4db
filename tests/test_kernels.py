"""theory.kernels: each function against an independent computation or a closed form."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import scipy.optimize
import torch
from torch import nn

from theory import kernels as kn


def _mlp(d=3, h=5, k=2, seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(d, h), nn.Tanh(), nn.Linear(h, k)).double()


# --------------------------------------------------------------------------------------------
# empirical NTK
# --------------------------------------------------------------------------------------------

def test_ntk_linear_model_is_gram_plus_one():
    rng = np.random.default_rng(0)
    X1, X2 = rng.normal(size=(7, 4)), rng.normal(size=(5, 4))
    lin = nn.Linear(4, 1).double()
    np.testing.assert_allclose(kn.empirical_ntk(lin, X1), X1 @ X1.T + 1, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(kn.empirical_ntk(lin, X1, X2, chunk_size=2), X1 @ X2.T + 1, rtol=1e-12, atol=1e-12)


def test_ntk_multi_output_linear_sums_over_outputs():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(6, 3))
    lin = nn.Linear(3, 4).double()
    np.testing.assert_allclose(kn.empirical_ntk(lin, X), 4 * (X @ X.T + 1), rtol=1e-12, atol=1e-12)


def _explicit_jacobian(model, X):
    """(n, K, d) Jacobian by one autograd.grad call per sample and output (no torch.func)."""
    params = [p for p in model.parameters() if p.requires_grad]
    rows = []
    for x in X:
        out = model(x[None])[0]
        rows.append(torch.stack([torch.cat([g.reshape(-1) for g in torch.autograd.grad(o, params, retain_graph=True)])
                                 for o in out]))
    return torch.stack(rows)


def test_ntk_matches_explicit_jacobian_and_finite_differences():
    model = _mlp()
    X = torch.randn(9, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(3))
    J = _explicit_jacobian(model, X).detach()
    K_ref = torch.einsum("akd,bkd->ab", J, J).numpy()
    K = kn.empirical_ntk(model, X, chunk_size=4)
    np.testing.assert_allclose(K, K_ref, rtol=1e-10, atol=1e-12)
    # central finite differences of f in the parameter vector, for one pair of inputs
    theta = torch.nn.utils.parameters_to_vector(model.parameters()).detach()
    h = 1e-6
    Jfd = np.zeros((2, 2, theta.numel()))
    with torch.no_grad():
        for j in range(theta.numel()):
            for sgn in (1, -1):
                t = theta.clone()
                t[j] += sgn * h
                torch.nn.utils.vector_to_parameters(t, model.parameters())
                Jfd[:, :, j] += sgn * model(X[:2]).numpy() / (2 * h)
        torch.nn.utils.vector_to_parameters(theta, model.parameters())
    np.testing.assert_allclose(K[:2, :2], np.einsum("akd,bkd->ab", Jfd, Jfd), rtol=1e-6)


def test_ntk_chunking_and_symmetric_case_agree():
    model = _mlp(k=3)
    X = torch.randn(11, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(4))
    K = kn.empirical_ntk(model, X, chunk_size=100)
    np.testing.assert_allclose(kn.empirical_ntk(model, X, chunk_size=3), K, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(kn.empirical_ntk(model, X, X, chunk_size=5), K, rtol=1e-12, atol=1e-12)
    assert np.linalg.eigvalsh(K)[0] > -1e-10 * np.abs(K).max()
    assert all(p.requires_grad for p in model.parameters()) and model.training  # untouched


class _TwoLayer(nn.Module):
    """f(x) = m^{-1/2} sum_r a_r relu(w_r^T x), NTK parametrization, no biases."""

    def __init__(self, d, m, seed):
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        self.W = nn.Parameter(torch.randn(m, d, generator=g, dtype=torch.float64))
        self.a = nn.Parameter(torch.randn(m, generator=g, dtype=torch.float64))
        self.m = m

    def forward(self, x):
        return (torch.relu(x @ self.W.T) @ self.a)[:, None] / math.sqrt(self.m)


def _arccos_ntk(X):
    """Infinite-width NTK of the two-layer ReLU net, both layers trained."""
    nrm = np.linalg.norm(X, axis=1)
    G = X @ X.T
    cos = np.clip(G / np.outer(nrm, nrm), -1, 1)
    phi = np.arccos(cos)
    return np.outer(nrm, nrm) * (np.sin(phi) + (np.pi - phi) * cos) / (2 * np.pi) + G * (np.pi - phi) / (2 * np.pi)


def test_wide_two_layer_ntk_matches_arccos_closed_form():
    """Both layers trained: Theta = (1/m) sum_r [a_r^2 1{w_r.x>0}1{w_r.x'>0} x.x' + relu(w_r.x)relu(w_r.x')],
    an average of m i.i.d. terms whose mean is the arc-cosine formula; tolerance 5 Monte Carlo SEs."""
    m, d = 4096, 3
    net = _TwoLayer(d, m, seed=5)
    X = np.random.default_rng(5).normal(size=(6, d))
    K = kn.empirical_ntk(net, X, chunk_size=2)
    W, a = net.W.detach().numpy(), net.a.detach().numpy()
    Z = X @ W.T                                                 # (n, m)
    terms = (a[None, None] ** 2 * ((Z > 0)[:, None] & (Z > 0)[None]) * (X @ X.T)[..., None]
             + np.maximum(Z, 0)[:, None] * np.maximum(Z, 0)[None])   # (n, n, m)
    np.testing.assert_allclose(K, terms.mean(-1), rtol=1e-10)       # the decomposition is exact
    se = terms.std(-1, ddof=1) / math.sqrt(m)
    assert np.all(np.abs(K - _arccos_ntk(X)) <= 5 * se + 1e-12)
    assert np.max(np.abs(K - _arccos_ntk(X))) < 0.1 * np.max(np.abs(K))


def test_masking_parameters_is_loewner_decreasing():
    torch.manual_seed(6)
    model = nn.Sequential(nn.Linear(3, 16), nn.ReLU(), nn.Linear(16, 1)).double()
    X = torch.randn(20, 3, dtype=torch.float64)
    K = kn.empirical_ntk(model, X)
    model[0].weight.requires_grad_(False)      # freeze S^c = {first-layer weights}
    K_S = kn.empirical_ntk(model, X)
    for p in model.parameters():
        p.requires_grad_(not p.requires_grad)  # only S^c trainable
    K_Sc = kn.empirical_ntk(model, X)
    np.testing.assert_allclose(K_S, K - K_Sc, rtol=1e-10, atol=1e-10)
    lam, lam_S = np.linalg.eigvalsh(K / 20), np.linalg.eigvalsh(K_S / 20)
    assert np.all(lam_S <= lam + 1e-10)
    clip = lambda v: np.clip(v, 0, None)  # noqa: E731
    for sigma in (0.1, 1.0):
        assert kn.critical_radius(clip(lam_S), sigma) <= kn.critical_radius(clip(lam), sigma) + 1e-12
    assert np.all(kn.kernel_complexity(clip(lam_S), [0.1, 1.0]) <= kn.kernel_complexity(clip(lam), [0.1, 1.0]) + 1e-12)


# --------------------------------------------------------------------------------------------
# kernel complexity, critical radius, stopping time, LRC fixed point
# --------------------------------------------------------------------------------------------

SPECTRA = [np.random.default_rng(7).exponential(size=30) ** 2 / 30,
           np.array([1.0, 0.5, 0.5, 0.0, 0.0]),
           1.0 / np.arange(1, 201) ** 2,
           np.array([3.0])]


@pytest.mark.parametrize("lam", SPECTRA)
def test_kernel_complexity_direct(lam):
    eps = [1e-3, 0.1, 0.7, 1.0, 5.0]
    direct = [math.sqrt(sum(min(v, e * e) for v in lam) / len(lam)) for e in eps]
    np.testing.assert_allclose(kn.kernel_complexity(lam, eps), direct, rtol=1e-13)
    assert kn.kernel_complexity(lam, 0.7) == pytest.approx(direct[2], rel=1e-13)


@pytest.mark.parametrize("lam", SPECTRA)
def test_critical_radius_solves_defining_equality(lam):
    prev = 0.0
    for sigma in (0.01, 0.1, 0.5, 2.0, 30.0):
        def f(e):
            return math.sqrt(np.mean(np.minimum(lam, e * e))) - e * e / (2 * math.e * sigma)
        ref = scipy.optimize.brentq(f, 1e-12, 1e6, xtol=1e-15, rtol=1e-14)
        eps = kn.critical_radius(lam, sigma)
        assert eps == pytest.approx(ref, rel=1e-10)
        assert eps > prev           # increasing in sigma
        prev = eps


def test_critical_radius_zero_kernel():
    assert kn.critical_radius([0.0, 0.0], 1.0) == 0.0


@pytest.mark.parametrize("lam", SPECTRA)
def test_stopping_time_brute_force(lam):
    for sigma, step in ((0.05, 0.5), (0.3, 1.0), (1.0, 0.05)):
        t = 1
        while not kn.kernel_complexity(lam, 1 / math.sqrt(step * t)) > 1 / (2 * math.e * sigma * step * t):
            t += 1
        assert kn.stopping_time(lam, sigma, step) == t - 1


def test_stopping_time_cap():
    with pytest.raises(ValueError, match="max_steps"):
        kn.stopping_time([1.0], 1.0, 1e-6, max_steps=1000)


@pytest.mark.parametrize("lam", SPECTRA)
@pytest.mark.parametrize("n", [1, 7, 200])
def test_lrc_fixed_point_brute_force(lam, n):
    s = sorted(lam, reverse=True)
    vals = [h / n + math.sqrt(sum(s[h:]) / n) for h in range(len(s) + 1)]
    value, h = kn.lrc_fixed_point(lam, n)
    assert value == pytest.approx(min(vals), rel=1e-12)
    assert vals[h] == pytest.approx(min(vals), rel=1e-12)


# --------------------------------------------------------------------------------------------
# truncated nuclear norm and surrogate
# --------------------------------------------------------------------------------------------

def test_truncated_nuclear_norm_against_eigenvalues_of_gram():
    A = np.random.default_rng(8).normal(size=(9, 5))
    sv = np.sqrt(np.clip(np.linalg.eigvalsh(A.T @ A), 0, None))[::-1]
    for r in range(7):
        assert kn.truncated_nuclear_norm(A, r) == pytest.approx(sv[r:].sum(), rel=1e-10, abs=1e-12)
    assert kn.truncated_nuclear_norm(A, 0) == pytest.approx(np.linalg.norm(A, "nuc"), rel=1e-12)


@pytest.mark.parametrize("kind", ["torch", "numpy"])
def test_surrogate_equals_tnn_at_refresh(kind):
    F = torch.randn(12, 5, dtype=torch.float64, generator=torch.Generator().manual_seed(9))
    U, V = kn.tnn_refresh(F if kind == "torch" else F.numpy())
    assert (U.shape, V.shape) == ((12, 5), (5, 5))
    for r in range(6):
        assert float(kn.tnn_surrogate(F, U, V, r)) == pytest.approx(kn.truncated_nuclear_norm(F.numpy(), r),
                                                                    rel=1e-10, abs=1e-12)


def test_surrogate_gradient_is_tnn_subgradient_at_refresh():
    F = torch.randn(10, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(10)).requires_grad_(True)
    U, V = kn.tnn_refresh(F)
    kn.tnn_surrogate(F, U, V, 2).backward()
    ref = (U[:, 2:] @ V[:, 2:].T).detach()      # d/dF sum_{j>r} sigma_j = U_tail V_tail^T
    torch.testing.assert_close(F.grad, ref)


def test_minibatch_surrogate_is_unbiased():
    n, B, r = 8, 3, 1
    F_full = torch.randn(n, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(11))
    U, V = kn.tnn_refresh(F_full)
    F = F_full + 0.3 * torch.randn(n, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(12))
    full = float(kn.tnn_surrogate(F, U, V, r))
    subsets = list(itertools.combinations(range(n), B))
    mean = np.mean([float(kn.tnn_surrogate(F[list(S)], U, V, r, batch_index=list(S), n=n)) for S in subsets])
    assert mean == pytest.approx(full, rel=1e-10)
    # a partition into disjoint batches averages exactly too
    parts = [[0, 1], [2, 3], [4, 5], [6, 7]]
    mean = np.mean([float(kn.tnn_surrogate(F[p], U, V, r, batch_index=p)) for p in parts])
    assert mean == pytest.approx(full, rel=1e-10)


# --------------------------------------------------------------------------------------------
# two-layer ReLU NTK (closed form), kernel gradient descent, BBM excess-risk bound
# --------------------------------------------------------------------------------------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


def _angle(u, v):
    """The angle between u and v by atan2(|v - proj_u v| |u|, <u, v>): no arccos, no clipping."""
    nu2 = float(u @ u)
    perp = v - (float(u @ v) / nu2) * u
    return math.atan2(math.sqrt(float(perp @ perp) * nu2), float(u @ v))


def _first_layer_kernel_loops(X1, X2, output_layer=False):
    """<x, x'> (pi - phi) / (2 pi) [+ |x||x'| (sin phi + (pi - phi) cos phi) / (2 pi)], one pair at a time."""
    out = np.empty((len(X1), len(X2)))
    for i, u in enumerate(X1):
        for j, v in enumerate(X2):
            phi = _angle(u, v)
            out[i, j] = float(u @ v) * (math.pi - phi) / (2 * math.pi)
            if output_layer:
                nn_ = math.sqrt(float(u @ u) * float(v @ v))
                out[i, j] += nn_ * (math.sin(phi) + (math.pi - phi) * math.cos(phi)) / (2 * math.pi)
    return out


def _rows_of_varied_norms(seed, n, d):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)) * np.exp(rng.uniform(-4, 4, size=(n, 1)))


@given(seed=st.integers(0, 2**32 - 1), n1=st.integers(1, 6), n2=st.integers(1, 5), d=st.integers(2, 6))
def test_two_layer_relu_ntk_equals_arccos_formula(seed, n1, n2, d):
    X = _rows_of_varied_norms(seed, n1 + n2, d)
    X1, X2 = X[:n1], X[n1:]
    ref = _arccos_ntk(X)      # arccos of a clipped cosine: ~1e-8 relative round-off where phi ~ 0
    scale = np.outer(np.linalg.norm(X, axis=1), np.linalg.norm(X, axis=1))
    K11, K12 = kn.two_layer_relu_ntk(X1), kn.two_layer_relu_ntk(X1, X2)
    np.testing.assert_allclose(K11, ref[:n1, :n1], rtol=1e-7, atol=1e-12 * scale.max())
    np.testing.assert_allclose(K12, ref[:n1, n1:], rtol=1e-7, atol=1e-12 * scale.max())
    # against the angle by atan2 (accurate at every angle), both layers and the first layer alone
    np.testing.assert_allclose(K11, _first_layer_kernel_loops(X1, X1, True), rtol=1e-9, atol=1e-12 * scale.max())
    np.testing.assert_allclose(K12, _first_layer_kernel_loops(X1, X2, True), rtol=1e-9, atol=1e-12 * scale.max())
    np.testing.assert_allclose(kn.two_layer_relu_ntk(X1, X2, output_layer=False), _first_layer_kernel_loops(X1, X2),
                               rtol=1e-9, atol=1e-12 * scale.max())
    # phi(x, x) = 0: Theta(x, x) = |x|^2 (both layers), |x|^2 / 2 (first layer)
    sq = np.sum(X1 ** 2, axis=1)
    np.testing.assert_allclose(np.diag(K11), sq, rtol=1e-13)
    np.testing.assert_allclose(np.diag(kn.two_layer_relu_ntk(X1, output_layer=False)), sq / 2, rtol=1e-13)


def test_two_layer_relu_ntk_special_values():
    # parallel: phi = 0, both terms |x||x'|/2; antiparallel: phi = pi, both 0; a zero row gives zeros
    X = np.array([[3.0, 4.0], [6.0, 8.0], [-3.0, -4.0], [0.0, 0.0]])
    K = kn.two_layer_relu_ntk(X)
    assert K[0, 1] == pytest.approx(50.0 / 2 + 50.0 / 2, rel=1e-12)
    assert K[0, 2] == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_array_equal(K[3], 0.0)
    np.testing.assert_array_equal(K[:, 3], 0.0)
    K1 = kn.two_layer_relu_ntk(X, output_layer=False)
    assert K1[0, 0] == pytest.approx(25.0 / 2, rel=1e-12)


def test_wide_first_layer_only_ntk_matches_closed_form():
    """Only W trained: Theta = (1/m) sum_r a_r^2 1{w_r.x>0}1{w_r.x'>0} x.x', an average of m i.i.d. terms
    with mean <x,x'>(pi - phi)/(2 pi) (E a^2 = 1); tolerance 5 Monte Carlo SEs."""
    m, d = 4096, 3
    net = _TwoLayer(d, m, seed=15)
    net.a.requires_grad_(False)
    X = np.random.default_rng(15).normal(size=(6, d))
    K = kn.empirical_ntk(net, X, chunk_size=3)
    W, a = net.W.detach().numpy(), net.a.detach().numpy()
    Z = X @ W.T
    terms = a[None, None] ** 2 * ((Z > 0)[:, None] & (Z > 0)[None]) * (X @ X.T)[..., None]
    np.testing.assert_allclose(K, terms.mean(-1), rtol=1e-10, atol=1e-13)   # the decomposition is exact
    se = terms.std(-1, ddof=1) / math.sqrt(m)
    ref = _first_layer_kernel_loops(X, X)
    np.testing.assert_allclose(kn.two_layer_relu_ntk(X, output_layer=False), ref, rtol=1e-9, atol=1e-12)
    assert np.all(np.abs(K - ref) <= 5 * se + 1e-12)
    assert np.max(np.abs(K - ref)) < 0.1 * np.max(np.abs(ref))


def _kgd_explicit(K, y, step, T):
    """f <- f - step (K/n)(f - y) from f = 0, recording f at t = 0..T."""
    n = len(y)
    f = np.zeros(n)
    out = [f.copy()]
    for _ in range(T):
        f = f - step * (K @ (f - y)) / n
        out.append(f.copy())
    return np.array(out)


def _kgd_function_space(K, Kc, y, step, T):
    """c <- c - step (K c/n - y) from c = 0; f(x) = k(x, X) c / n; recorded at t = 0..T."""
    n = len(y)
    c = np.zeros(n)
    out = [Kc @ c / n]
    for _ in range(T):
        c = c - step * (K @ c / n - y)
        out.append(Kc @ c / n)
    return np.array(out)


@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 9), rank=st.integers(0, 4),
       frac=st.floats(0.05, 1.9))
def test_kernel_gradient_descent_equals_explicit_iteration(seed, n, rank, frac):
    """K = A A^T with A = features of the n inputs (rank <= `rank`, often singular); K_cross = B A^T."""
    rng = np.random.default_rng(seed)
    A, B = rng.normal(size=(n, rank)), rng.normal(size=(3, rank))
    K, Kc = A @ A.T, B @ A.T
    y = rng.normal(size=n)
    lam_max = np.linalg.eigvalsh(K / n).max() if rank else 0.0
    step = frac / lam_max if lam_max > 1e-12 else frac
    ts = [0, 1, 2, 5, 17]
    ref = _kgd_explicit(K, y, step, max(ts))[ts]
    ref_c = _kgd_function_space(K, Kc, y, step, max(ts))[ts]
    fitted, pred = kn.kernel_gradient_descent(K, y, step, ts, K_cross=Kc)
    tol = 1e-9 * (1 + np.abs(y).sum() * (1 + np.abs(K).max()) * (1 + np.abs(Kc).max()))
    np.testing.assert_allclose(fitted, ref, rtol=1e-8, atol=tol)
    np.testing.assert_allclose(pred, ref_c, rtol=1e-8, atol=tol)
    # the function-space iteration evaluated at the training inputs is the fitted iteration
    np.testing.assert_allclose(_kgd_function_space(K, K, y, step, max(ts))[ts], ref, rtol=1e-8, atol=tol)
    # a scalar number of steps gives 1-d outputs
    f5, p5 = kn.kernel_gradient_descent(K, y, step, 5, K_cross=Kc)
    assert f5.shape == (n,) and p5.shape == (3,)
    np.testing.assert_allclose(f5, ref[3], rtol=1e-8, atol=tol)
    np.testing.assert_allclose(kn.kernel_gradient_descent(K, y, step, 5), ref[3], rtol=1e-8, atol=tol)


def test_kernel_gradient_descent_singular_rank_two():
    rng = np.random.default_rng(16)
    n = 12
    A = rng.normal(size=(n, 2))
    K = A @ A.T                                    # rank 2: 10 zero eigenvalues
    y = rng.normal(size=n)
    step = 1.0 / np.linalg.eigvalsh(K / n).max()
    ts = np.array([0, 1, 3, 10, 40])
    np.testing.assert_allclose(kn.kernel_gradient_descent(K, y, step, ts), _kgd_explicit(K, y, step, 40)[ts],
                               rtol=1e-9, atol=1e-11)
    # off the sample, in the same rank-2 feature space
    Xc = rng.normal(size=(4, 2))
    _, pred = kn.kernel_gradient_descent(K, y, step, ts, K_cross=Xc @ A.T)
    np.testing.assert_allclose(pred, _kgd_function_space(K, Xc @ A.T, y, step, 40)[ts], rtol=1e-9, atol=1e-11)
    # the limit t -> infinity is the projection of y onto the range of K (least squares in feature space)
    proj = A @ np.linalg.lstsq(A, y, rcond=None)[0]
    np.testing.assert_allclose(kn.kernel_gradient_descent(K, y, step, 2000), proj, rtol=1e-9, atol=1e-10)


def _lrc_brute(lam, n):
    s = sorted(lam, reverse=True)
    best = math.inf
    for h in range(len(s) + 1):
        tail = 0.0
        for v in s[h:]:
            tail += v
        best = min(best, h / n + math.sqrt(tail / n))
    return best


@given(lam=st.lists(st.floats(0.0, 10.0), min_size=1, max_size=12), delta=st.floats(1e-6, 0.999),
       n_extra=st.integers(0, 50))
def test_bbm_excess_risk_bound_brute_force(lam, delta, n_extra):
    n = len(lam) + n_extra
    r = _lrc_brute(lam, n)
    assert kn.bbm_excess_risk_bound(lam, n, delta) == pytest.approx(704 * r + 37 * math.log(1 / delta) / n,
                                                                    rel=1e-12, abs=1e-12)
    # other constants, Lipschitz and Bernstein constants: c1 r + (c2 L + c3 B) log(1/delta) / n
    got = kn.bbm_excess_risk_bound(lam, n, delta, constants=(2.0, 3.0, 5.0), lipschitz=0.5, bernstein=4.0)
    assert got == pytest.approx(2 * r + (3 * 0.5 + 5 * 4.0) * math.log(1 / delta) / n, rel=1e-12, abs=1e-12)
