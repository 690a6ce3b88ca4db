"""theory.testbeds.surrogates: the FNO and its compressions against direct computations."""

from __future__ import annotations

import numpy as np
import torch

from theory.testbeds import surrogates as sg


def _data(n=12, N=16, seed=0):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, N + 1, generator=g)
    U = torch.randn(n, N, generator=g)
    return X, U


def test_fno_shape_and_seeded_init():
    X, _ = _data()
    a, b = sg.FNO1d(modes=4, width=6, layers=2, seed=3), sg.FNO1d(modes=4, width=6, layers=2, seed=3)
    assert a(X).shape == (12, 16)
    torch.testing.assert_close(a(X), b(X))


def test_spectral_layer_equals_explicit_fourier_multiplier():
    """One spectral layer = irfft of (rfft(v) times the complex weights on the kept modes), computed here
    with numpy's FFT and an explicit loop over channels and modes."""
    torch.manual_seed(0)
    layer = sg.FNO1d(modes=3, width=2, layers=1, seed=1).spectral[0]
    v = torch.randn(2, 2, 8, dtype=torch.float32)
    out = layer(v).detach().numpy()
    V = np.fft.rfft(v.numpy(), axis=-1)
    W = layer.w_re.detach().numpy() + 1j * layer.w_im.detach().numpy()
    ref = np.zeros_like(V)
    for b in range(2):
        for o in range(2):
            for k in range(3):
                ref[b, o, k] = sum(V[b, i, k] * W[i, o, k] for i in range(2))
    np.testing.assert_allclose(out, np.fft.irfft(ref, n=8, axis=-1), rtol=1e-5, atol=1e-6)


def test_truncate_modes_zeroes_high_modes_only():
    X, _ = _data()
    m = sg.FNO1d(modes=6, width=4, layers=1, seed=0)
    full = sg.truncate_modes(m, 6)
    torch.testing.assert_close(full(X), m(X))
    t = sg.truncate_modes(m, 2)
    layer = t.spectral[0]
    v = torch.randn(3, 4, 16)
    V = torch.fft.rfft(layer(v), dim=-1)
    assert torch.all(V[..., 2:].abs() < 1e-5)
    assert not torch.allclose(t(X), m(X))


def test_prune_magnitude_counts_and_keeps_largest():
    m = sg.FNO1d(modes=4, width=6, layers=2, seed=0)
    p, masks = sg.prune_magnitude(m, 0.75)
    for name, w in p.named_parameters():
        if name.endswith("bias"):
            torch.testing.assert_close(w, dict(m.named_parameters())[name])
            continue
        orig = dict(m.named_parameters())[name].detach().abs().reshape(-1)
        kept = (w.detach().reshape(-1) != 0)
        assert int((~kept).sum()) == round(0.75 * w.numel())
        if kept.any() and (~kept).any():
            assert orig[kept].min() >= orig[~kept].max()
        torch.testing.assert_close(masks[name].reshape(-1), kept.float())


def test_quantize_uniform_levels():
    m = sg.FNO1d(modes=4, width=6, layers=2, seed=0)
    q = sg.quantize_uniform(m, 3)
    for name, w in q.named_parameters():
        if name.endswith("bias"):
            continue
        assert torch.unique(w.detach()).numel() <= 2 ** 3 - 1
        B = dict(m.named_parameters())[name].detach().abs().max()
        assert float((w.detach() - dict(m.named_parameters())[name].detach()).abs().max()) <= float(B) / 3 / 2 + 1e-6


def test_relative_error_is_clipped_direct_formula():
    X, U = _data()
    m = sg.FNO1d(modes=4, width=6, layers=1, seed=0)
    with torch.no_grad():
        pred = m(X)
    ref = np.minimum(1.0, (torch.linalg.vector_norm(pred - U, dim=1) / torch.linalg.vector_norm(U, dim=1)).numpy())
    np.testing.assert_allclose(sg.relative_error(m, X, U), ref, rtol=1e-6)


def test_masked_training_keeps_pruned_weights_zero_and_lowers_loss():
    X, U = _data(n=32)
    m = sg.FNO1d(modes=4, width=6, layers=1, seed=0)
    p, masks = sg.prune_magnitude(m, 0.5)
    with torch.no_grad():
        before = float(torch.mean((p(X) - U) ** 2))
    after = sg.train_surrogate(p, X, U, epochs=30, lr=1e-2, batch_size=32, masks=masks)
    assert after < before
    for name, mk in masks.items():
        assert torch.all(dict(p.named_parameters())[name].detach()[mk == 0] == 0)


def test_fno_construction_leaves_torch_global_rng_alone():
    # the seeded init must not draw from torch's global generator (default module init does)
    from theory.testbeds.surrogates import FNO1d

    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    a = FNO1d(modes=4, width=4, layers=2, seed=7)
    assert torch.equal(torch.rand(3), expected)
    b = FNO1d(modes=4, width=4, layers=2, seed=7)
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.equal(p, q)
