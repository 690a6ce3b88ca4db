"""Tests for theory.curvature: exact Hessian diagonal, Hutchinson, Gauss–Newton, empirical Fisher."""

import copy

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.func import functional_call

from theory import claims
from theory.catalog import HUTCHINSON_TRACE
from theory.curvature import (empirical_fisher_diagonal, gauss_newton_diagonal, hessian_diagonal,
                              hessian_vector_product, hutchinson_diagonal)
from theory.testbeds.nets import make_mlp


def flat(d, model):
    return torch.cat([d[k].reshape(-1) for k, _ in model.named_parameters()])


def full_hessian(model, X, Y, task):
    """Dense Hessian of the mean training loss by torch.autograd.functional (independent path)."""
    names = [k for k, _ in model.named_parameters()]
    shapes = [p.shape for _, p in model.named_parameters()]
    theta = torch.cat([p.detach().reshape(-1) for p in model.parameters()])

    def f(v):
        d, s = {}, 0
        for k, sh in zip(names, shapes):
            n = int(np.prod(sh))
            d[k] = v[s:s + n].reshape(sh)
            s += n
        out = functional_call(model, d, (X,))
        if task == "regression":
            return ((out - Y) ** 2).sum(1).mean()
        return nn.functional.cross_entropy(out, Y)

    return torch.autograd.functional.hessian(f, theta)


def small_problem(task, seed=0, hidden=(6,), din=4, k=3, n=30, act="tanh"):
    g = torch.Generator().manual_seed(seed)
    model = make_mlp(din, list(hidden), k, activation=act, seed=seed, dtype=torch.float64)
    X = torch.randn(n, din, generator=g, dtype=torch.float64)
    Y = torch.randn(n, k, generator=g, dtype=torch.float64) if task == "regression" else \
        torch.randint(0, k, (n,), generator=g)
    return model, X, Y


@pytest.mark.parametrize("task", ["regression", "classification"])
def test_exact_diagonal_matches_dense_hessian(task, device):
    model, X, Y = small_problem(task)
    H = full_hessian(model, X, Y, task)                      # dense, on the CPU
    # device= moves the model in place: run on a copy, so `model` stays the CPU reference
    D = flat(hessian_diagonal(copy.deepcopy(model), X, Y, task, chunk_size=17, device=device), model)
    assert D.device.type == torch.device(device).type
    torch.testing.assert_close(D.cpu(), torch.diagonal(H), rtol=1e-10, atol=1e-12)
    v = {k: torch.randn_like(p) for k, p in model.named_parameters()}
    Hv = flat(hessian_vector_product(copy.deepcopy(model), X, Y, task, v, device=device), model)
    torch.testing.assert_close(Hv.cpu(), H @ flat(v, model), rtol=1e-10, atol=1e-12)


def test_linear_regression_closed_form():
    """f(x) = Wx + b with summed squared error: ∂²L/∂W_ab² = 2 mean(x_b²), ∂²L/∂b_a² = 2."""
    model, X, Y = small_problem("regression", hidden=(), din=5, k=2, n=40)
    D = hessian_diagonal(model, X, Y, "regression")
    expected_w = 2 * (X ** 2).mean(0).expand(2, 5)
    torch.testing.assert_close(D["0.weight"], expected_w)
    torch.testing.assert_close(D["0.bias"], torch.full((2,), 2.0, dtype=torch.float64))
    # the Gauss–Newton matrix is the Hessian for a model linear in its parameters
    G = gauss_newton_diagonal(model, X, Y, "regression", batch_size=7)
    torch.testing.assert_close(G["0.weight"], expected_w)


def test_small_cnn():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Tanh(), nn.Flatten(), nn.Linear(2 * 4 * 4, 3)).double()
    X = torch.randn(12, 1, 6, 6, dtype=torch.float64)
    Y = torch.randint(0, 3, (12,))
    D = flat(hessian_diagonal(model, X, Y, "classification"), model)
    H = full_hessian(model, X, Y, "classification")
    torch.testing.assert_close(D, torch.diagonal(H), rtol=1e-10, atol=1e-12)
    bn = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Flatten(), nn.Linear(32, 3)).double()
    with pytest.raises(ValueError, match="`model`"):
        hessian_diagonal(bn, X, Y, "classification")


@settings(max_examples=4, deadline=None)
@given(st.integers(0, 1000))
def test_hutchinson_converges_within_standard_error(seed):
    model, X, Y = small_problem("classification", seed=seed, hidden=(5,), din=3, k=3, n=25)
    H = full_hessian(model, X, Y, "classification")
    exact = torch.diagonal(H)
    N = 4000
    est = hutchinson_diagonal(model, X, Y, "classification", n_probes=N, rng=seed, chunk_size=500)
    mean, se = flat(est.diagonal, model), flat(est.se, model)
    off = (H ** 2).sum(1) - exact ** 2                   # Var[(z ⊙ Hz)_j] = Σ_{k≠j} H_jk²
    has_noise = off > 1e-20
    # coordinates without off-diagonal coupling are exact
    torch.testing.assert_close(mean[~has_noise], exact[~has_noise], rtol=1e-9, atol=1e-12)
    z = (mean - exact)[has_noise] / torch.sqrt(off[has_noise] / N)
    assert float((z ** 2).mean()) < 2.0                 # E z² = 1; chi²_d / d concentrates
    assert float(z.abs().max()) < 5.0
    # the reported SE estimates the analytic one
    ratio = se[has_noise] / torch.sqrt(off[has_noise] / N)
    assert float(ratio.median()) == pytest.approx(1.0, abs=0.1)
    tr_exact = float(exact.sum())
    assert abs(est.trace - tr_exact) <= 3 * est.trace_se + 1e-12
    # same seed, same numbers
    again = hutchinson_diagonal(model, X, Y, "classification", n_probes=N, rng=seed, chunk_size=500)
    assert again.trace == est.trace


@pytest.mark.parametrize("by_layers", [True, False])
@pytest.mark.parametrize("task", ["regression", "classification"])
def test_gauss_newton_and_fisher_against_loops(task, by_layers, monkeypatch):
    """Both Gauss-Newton paths (per-layer closed form for Linear chains, per-sample Jacobians)
    against explicit per-sample Jacobians J_i^T Lambda_i J_i."""
    from theory import curvature

    monkeypatch.setattr(curvature, "_LINEAR_FAST_PATH", by_layers)
    model, X, Y = small_problem(task, n=12)
    names = [k for k, _ in model.named_parameters()]
    theta = torch.cat([p.detach().reshape(-1) for p in model.parameters()])
    shapes = [p.shape for p in model.parameters()]

    def unflat(v):
        d, s = {}, 0
        for k, sh in zip(names, shapes):
            n = int(np.prod(sh))
            d[k] = v[s:s + n].reshape(sh)
            s += n
        return d

    G = torch.zeros_like(theta)
    F = torch.zeros_like(theta)
    for i in range(X.shape[0]):
        J = torch.autograd.functional.jacobian(lambda v: functional_call(model, unflat(v), (X[i:i + 1],))[0], theta)
        out = functional_call(model, unflat(theta), (X[i:i + 1],))[0]
        if task == "regression":
            Lam = 2 * torch.eye(out.numel(), dtype=torch.float64)
            grad_out = 2 * (out - Y[i])
        else:
            p = torch.softmax(out, 0)
            Lam = torch.diag(p) - torch.outer(p, p)
            grad_out = p - nn.functional.one_hot(Y[i], out.numel()).double()
        G += torch.einsum("ad,ab,bd->d", J, Lam, J)
        F += (grad_out @ J) ** 2
    n = X.shape[0]
    torch.testing.assert_close(flat(gauss_newton_diagonal(model, X, Y, task, batch_size=5), model), G / n)
    torch.testing.assert_close(flat(empirical_fisher_diagonal(model, X, Y, task, batch_size=5), model), F / n)
    assert all(bool((t >= -1e-15).all()) for t in gauss_newton_diagonal(model, X, Y, task).values())


class _Reused(nn.Module):
    """One Linear layer applied twice: the per-layer path must not be used."""

    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 4)
        self.out = nn.Linear(4, 3)

    def forward(self, x):
        return self.out(torch.tanh(self.a(torch.tanh(self.a(x)))))


@pytest.mark.parametrize("task", ["regression", "classification", "quartic"])
def test_gauss_newton_by_layers_equals_the_jacobian_path(task, monkeypatch):
    """The per-layer closed form equals the per-sample Jacobian path on chains (with a frozen
    layer, and over several batches), and chains it cannot handle fall back to the latter."""
    from theory import curvature

    torch.manual_seed(0)
    X = torch.randn(30, 4, dtype=torch.float64)
    Y = (torch.randint(0, 3, (30,)) if task == "classification" else torch.randn(30, 3, dtype=torch.float64))
    loss = _quartic if task == "quartic" else task
    chain = make_mlp(4, [6, 5], 3, seed=2, dtype=torch.float64)
    chain[0].weight.requires_grad_(False)
    layers = curvature._linear_layers(curvature._Problem(chain, X, Y, loss, None))
    assert layers is not None and len(layers) == 3
    for model in (chain, _Reused().double()):
        got = gauss_newton_diagonal(model, X, Y, loss, batch_size=7)
        monkeypatch.setattr(curvature, "_LINEAR_FAST_PATH", False)
        ref = gauss_newton_diagonal(model, X, Y, loss, batch_size=7)
        monkeypatch.setattr(curvature, "_LINEAR_FAST_PATH", True)
        assert list(got) == list(ref) and (model is not chain or "0.weight" not in got)
        for k in ref:
            torch.testing.assert_close(got[k], ref[k], rtol=1e-10, atol=1e-12 * float(ref[k].abs().max()))


def test_registered_claim_holds():
    for task in ("teacher_student", "digits"):
        p = {"task": task, "seeds": 2, "width": 8, "epochs": 50, "n_train": 40, "n_probes": 200}
        row = claims.check(HUTCHINSON_TRACE, p, rng=0)
        assert row.holds and row.relation == "==" and row.bound > 0 and row.se > 0
    with pytest.raises(ValueError, match="n_probes"):
        claims.check(HUTCHINSON_TRACE, {k: v for k, v in p.items() if k != "n_probes"}, rng=0)


# ---- a loss given as a function ---------------------------------------------------------------
# For the linear model f(x) = w x + b and the quartic loss l = (f - y)^4 every curvature has a
# closed form in the residuals r_i = f(x_i) - y_i: the Hessian (= the Gauss-Newton matrix, f being
# linear in the parameters) is (12/n) sum_i r_i^2 (x_i, 1)(x_i, 1)^T, and the per-sample gradient is
# 4 r_i^3 (x_i, 1).

def _quartic(pred, target):
    return ((pred - target) ** 4).sum(dim=1)


def _linear_problem():
    from theory.testbeds.nets import make_mlp

    model = make_mlp(1, [], 1, seed=3, dtype=torch.float64)
    X = torch.tensor([[0.5], [-1.0], [2.0], [1.5]], dtype=torch.float64)
    Y = torch.tensor([[1.0], [0.0], [-1.0], [2.0]], dtype=torch.float64)
    with torch.no_grad():
        r = (model(X) - Y)[:, 0].numpy()
    x = X[:, 0].numpy()
    return model, X, Y, r, x


def test_custom_loss_hessian_and_gauss_newton_match_the_closed_form():
    from theory.curvature import gauss_newton_diagonal, hessian_diagonal, hutchinson_diagonal

    model, X, Y, r, x = _linear_problem()
    n = len(x)
    h_ww, h_bb = 12 / n * np.sum(r ** 2 * x ** 2), 12 / n * np.sum(r ** 2)
    for res in (hessian_diagonal(model, X, Y, _quartic), gauss_newton_diagonal(model, X, Y, _quartic)):
        assert res["0.weight"].item() == pytest.approx(h_ww, rel=1e-12)
        assert res["0.bias"].item() == pytest.approx(h_bb, rel=1e-12)
    tr = hutchinson_diagonal(model, X, Y, _quartic, n_probes=2000, rng=0)
    assert abs(tr.trace - (h_ww + h_bb)) <= 4 * tr.trace_se


def test_custom_loss_empirical_fisher_matches_the_closed_form():
    from theory.curvature import empirical_fisher_diagonal

    model, X, Y, r, x = _linear_problem()
    f = empirical_fisher_diagonal(model, X, Y, _quartic)
    assert f["0.weight"].item() == pytest.approx(np.mean((4 * r ** 3 * x) ** 2), rel=1e-12)
    assert f["0.bias"].item() == pytest.approx(np.mean((4 * r ** 3) ** 2), rel=1e-12)


def test_custom_loss_must_return_one_loss_per_sample():
    from theory.curvature import hessian_diagonal

    model, X, Y, _, _ = _linear_problem()
    with pytest.raises(ValueError, match="`task`.*one loss per sample"):
        hessian_diagonal(model, X, Y, lambda p, t: ((p - t) ** 2).sum())


def test_progress_bar_is_shown_on_request(capsys):
    from theory.curvature import hessian_diagonal

    model, X, Y, _, _ = _linear_problem()
    hessian_diagonal(model, X, Y, "regression", chunk_size=1, progress=True)
    assert "Hessian diagonal" in capsys.readouterr().err
    hessian_diagonal(model, X, Y, "regression", chunk_size=1, progress=False)
    assert capsys.readouterr().err == ""
    with pytest.raises(TypeError, match="`progress`"):
        hessian_diagonal(model, X, Y, "regression", progress="yes")
