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
