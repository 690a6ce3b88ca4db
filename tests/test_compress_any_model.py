"""Compression of arbitrary torch modules (issue 16): spectral pruning, CoreNet and quantization of
a model with Flatten, Dropout, LeakyReLU and custom blocks; models carrying
``torch.nn.utils.prune`` masks; DRHW's relative strength and the quantization warnings.

Every compressed custom model is checked against the same call on an equivalent
``nn.Sequential`` MLP built here with the same weights (the plain-MLP results are pinned by the
other test files), and the counts (distinct values, zeros, compression ratio) are recounted here
from the returned weights.
"""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest
import torch
import torch.nn.utils.prune as tprune
from torch import nn

from theory.coresets import corenet, magnitude_prune, quantize_weights, uniform_sparsify
from theory.quantization import QuantizationWarning, drhw_strength, floored_hessian_diagonal, quantize_network
from theory.spectral import activation_covariance, prune_network
from theory.testbeds import protocols as pr


class Block(nn.Module):
    """A Linear layer and a ReLU inside a custom module."""

    def __init__(self, a, b):
        super().__init__()
        self.fc = nn.Linear(a, b)
        self.act = nn.ReLU()

    def forward(self, x):
        return self.act(self.fc(x))


class Net(nn.Module):
    """Flatten -> Block -> Dropout -> Block -> Linear -> ``act`` -> Linear."""

    def __init__(self, act):
        super().__init__()
        self.flat = nn.Flatten()
        self.b1 = Block(16, 12)
        self.drop = nn.Dropout(0.3)
        self.b2 = Block(12, 10)
        self.fc = nn.Linear(10, 8)
        self.act = act
        self.out = nn.Linear(8, 3)

    def forward(self, x):
        return self.out(self.act(self.fc(self.b2(self.drop(self.b1(self.flat(x)))))))


LAYERS = ("b1.fc", "b2.fc", "fc", "out")


def _pair(act="leaky"):
    """A Net and the equivalent Sequential MLP with the same weights (both in eval mode)."""
    torch.manual_seed(0)
    mk = (lambda: nn.LeakyReLU(0.1)) if act == "leaky" else nn.ReLU
    net = Net(mk())
    seq = nn.Sequential(nn.Linear(16, 12), nn.ReLU(), nn.Linear(12, 10), nn.ReLU(), nn.Linear(10, 8), mk(),
                        nn.Linear(8, 3))
    with torch.no_grad():
        for name, k in zip(LAYERS, (0, 2, 4, 6)):
            seq[k].weight.copy_(net.get_submodule(name).weight)
            seq[k].bias.copy_(net.get_submodule(name).bias)
    return net.eval(), seq.eval()


X = torch.randn(60, 1, 4, 4, generator=torch.Generator().manual_seed(1))
XF = X.flatten(1)


def test_the_pair_is_the_same_function():
    net, seq = _pair()
    assert torch.equal(net(X), seq(XF))


# ---- spectral pruning ------------------------------------------------------------------------

def test_prune_network_on_a_custom_module_matches_the_sequential_mlp():
    net, seq = _pair()
    r = prune_network(net, X, widths=[6, 5, 4], rng=0)
    s = prune_network(seq, XF, widths=[6, 5, 4], rng=0)
    assert isinstance(r.model, Net) and isinstance(r.model.b1, Block)
    assert [r.model.get_submodule(n).out_features for n in LAYERS] == [6, 5, 4, 3]
    assert torch.equal(r.model(X), s.model(XF))
    # parameters counted here: (in + 1) * out per Linear layer
    assert r.n_params == (16 + 1) * 6 + (6 + 1) * 5 + (5 + 1) * 4 + (4 + 1) * 3
    assert r.n_params_original == (16 + 1) * 12 + (12 + 1) * 10 + (10 + 1) * 8 + (8 + 1) * 3
    assert r.output_distortion == s.output_distortion and r.bias_bound == s.bias_bound
    # LeakyReLU(0.1) has Lipschitz constant 1, like ReLU: Lip_0 = ||W_fc|| ||W_out|| (original weights)
    op = [np.linalg.norm(net.get_submodule(n).weight.detach().double().numpy(), 2) for n in LAYERS]
    assert math.isclose(r.lipschitz[0], op[2] * op[3], rel_tol=1e-12)
    # the hidden layer 1 is the input of b2's successor `fc`, computed here in float64
    with torch.no_grad():
        h = torch.relu(net.b2.fc.double()(torch.relu(net.b1.fc.double()(XF.double()))))
    net.float()
    np.testing.assert_allclose(activation_covariance(net, X, 1), (h.T @ h / 60).numpy(), rtol=1e-12, atol=1e-15)


def test_prune_network_refuses_batchnorm_residuals_and_untraceable_models():
    bn = nn.Sequential(nn.Linear(16, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))
    with pytest.raises(ValueError, match=r"`model`.*found BatchNorm1d `1` between layer 0 \(`0`\) and layer 1"):
        prune_network(bn, XF, widths=[4])

    class Residual(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Linear(16, 16), nn.Linear(16, 16)

        def forward(self, x):
            h = torch.relu(self.a(x))
            return self.b(h) + h

    with pytest.raises(ValueError, match=r"`model`.*relu\(\) used by 2 operations.*add"):
        prune_network(Residual(), XF, widths=[4])

    class Branchy(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Linear(16, 4), nn.Linear(4, 2)

        def forward(self, x):
            return self.b(torch.relu(self.a(x))) if x.sum() > 0 else x[:, :2]

    with pytest.raises(ValueError, match=r"`model`.*cannot trace"):
        prune_network(Branchy(), XF, widths=[2])


# ---- CoreNet ---------------------------------------------------------------------------------

def test_corenet_refuses_negative_hidden_inputs_naming_the_layer():
    net, _ = _pair("leaky")
    with pytest.raises(ValueError, match=r"non-negative.*LeakyReLU `act` before `out`"):
        corenet(net, X, fraction=0.5, rng=0)


@pytest.mark.parametrize("variant", ["corenet", "plus"])
def test_corenet_on_a_custom_module_matches_the_sequential_mlp(variant):
    net, seq = _pair("relu")
    r = corenet(net, X, fraction=0.5, rng=0, variant=variant)
    s = corenet(seq, XF, fraction=0.5, rng=0, variant=variant)
    assert isinstance(r.model, Net) and not r.model.training
    assert torch.equal(r.model(X), s.model(XF))
    nnz = sum(int((r.model.get_submodule(n).weight != 0).sum()) for n in LAYERS)
    assert r.nonzero_weights == nnz == s.nonzero_weights
    assert r.total_weights == 16 * 12 + 12 * 10 + 10 * 8 + 8 * 3


def test_baselines_on_a_custom_module_match_the_sequential_mlp():
    net, seq = _pair()
    for f in (lambda m: uniform_sparsify(m, 0.5, rng=0).model, lambda m: magnitude_prune(m, 0.5).model,
              lambda m: quantize_weights(m, 7)):
        a, b = f(net), f(seq)
        assert torch.equal(a(X), b(XF))


# ---- quantization ----------------------------------------------------------------------------

def _entropy_bits(values):
    _, counts = np.unique(values, return_counts=True)
    p = counts / counts.sum()
    return float(-(p * np.log2(p)).sum())


def test_quantize_network_on_a_custom_module_matches_the_sequential_mlp():
    net, seq = _pair()
    bits = 2
    q = quantize_network(net, None, bits, "optimal")
    s = quantize_network(seq, None, bits, "optimal")
    assert isinstance(q.model, Net)
    assert torch.equal(q.model(X), s.model(XF))
    comp, total = 0.0, 0
    for name in LAYERS:
        w = q.model.get_submodule(name).weight.detach().numpy()
        # the exact optimum of distinct weights uses every one of its 2**bits levels
        assert np.unique(w).size == 2 ** bits
        comp += w.size * _entropy_bits(w) + 2 ** bits * 32
        total += w.size
    n_bias = sum(q.model.get_submodule(n).bias.numel() for n in LAYERS)
    comp += 32 * n_bias
    assert math.isclose(q.compression.ratio, 32 * (total + n_bias) / comp, rel_tol=1e-12)
    assert q.compression.ratio == s.compression.ratio


def test_quantize_network_takes_conv2d_weights():
    torch.manual_seed(0)
    m = nn.Sequential(nn.Conv2d(1, 3, 3), nn.ReLU(), nn.Flatten(), nn.Linear(12, 2))
    q = quantize_network(m, None, 1, "optimal")
    assert [lay.name for lay in q.layers] == ["0.weight", "3.weight"]
    assert np.unique(q.model[0].weight.detach().numpy()).size == 2
    assert torch.equal(q.model[0].bias, m[0].bias)


# ---- models pruned with torch.nn.utils.prune ------------------------------------------------

def _pruned():
    net, _ = _pair("relu")
    tprune.l1_unstructured(net.b1.fc, "weight", amount=0.4)
    tprune.l1_unstructured(net.out, "weight", amount=0.5)
    return net


def _snapshot(model):
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def _assert_unchanged(model, snap):
    now = model.state_dict()
    assert now.keys() == snap.keys() and all(torch.equal(now[k], snap[k]) for k in snap)
    assert hasattr(model.b1.fc, "weight_orig") and len(model.b1.fc._forward_pre_hooks) == 1


def _masked_zeros(model):
    return {"b1.fc": ~model.b1.fc.weight_mask.bool(), "out": ~model.out.weight_mask.bool()}


def test_quantize_network_keeps_the_pruned_zeros():
    net = _pruned()
    snap, zeros = _snapshot(net), _masked_zeros(net)
    assert int(zeros["b1.fc"].sum()) == round(0.4 * 192) and int(zeros["out"].sum()) == 12
    q = quantize_network(net, None, 2, "kmeans")
    m = q.model
    assert not any(len(mod._forward_pre_hooks) for mod in m.modules())
    m(X), m(X)                                       # forward twice: nothing recomputes the weights
    for name, z in zeros.items():
        w = m.get_submodule(name).weight.detach()
        assert bool((w[z] == 0).all())
        # the kept entries take at most 2**bits - 1 levels; with the zero, at most 2**bits values
        assert torch.unique(w[~z]).numel() <= 3 and torch.unique(w).numel() <= 4
    lay = {lay.name: lay for lay in q.layers}
    assert lay["b1.fc.weight"].num_pruned == int(zeros["b1.fc"].sum()) and lay["fc.weight"].num_pruned == 0
    assert lay["b1.fc.weight"].num_levels <= 4
    _assert_unchanged(net, snap)


def test_corenet_and_baselines_keep_the_pruned_zeros():
    net = _pruned()
    snap, zeros = _snapshot(net), _masked_zeros(net)
    for model in (corenet(net, X, fraction=0.5, rng=0).model, uniform_sparsify(net, 0.5, rng=0).model,
                  quantize_weights(net, 7)):
        assert not any(len(mod._forward_pre_hooks) for mod in model.modules())
        model(X), model(X)
        for name, z in zeros.items():
            assert bool((model.get_submodule(name).weight[z] == 0).all())
    _assert_unchanged(net, snap)


def test_prune_network_on_a_pruned_model_keeps_its_zeros():
    net = _pruned()
    snap, zeros = _snapshot(net), _masked_zeros(net)
    r = prune_network(net, X, widths=[6, 5, 4], rng=0)
    m = r.model
    m(X), m(X)
    assert bool((m.b1.fc.weight[zeros["b1.fc"][torch.as_tensor(r.keep[0])]] == 0).all())
    assert bool((m.out.weight[zeros["out"][:, torch.as_tensor(r.keep[2])]] == 0).all())
    _assert_unchanged(net, snap)


# ---- DRHW relative strength and warnings ----------------------------------------------------

def _hessian(model, seed=0):
    g = torch.Generator().manual_seed(seed)
    return {f"{n}.weight": torch.rand(model.get_submodule(n).weight.shape, generator=g) + 0.1 for n in LAYERS}


@pytest.mark.filterwarnings("ignore::theory.quantization.QuantizationWarning")  # a 24-weight layer at 3 bits
def test_drhw_rho_reproduces_the_protocol_strengths():
    net, _ = _pair()
    H = _hessian(net)
    W = {k: net.get_submodule(k[:-7]).weight.detach().double().numpy() for k in H}
    hfl = {k: floored_hessian_diagonal(H[k].double().numpy(), 1e-6) for k in H}
    lams = pr.drhw_strengths(W, hfl, 3, 0.2)
    # the formula, computed here: 4 rho std(W) sum(h) / min(2**b, #distinct W)
    assert lams == pytest.approx([4 * 0.2 * W[k].std() * hfl[k].sum() / min(8, np.unique(W[k]).size) for k in W],
                                 rel=1e-14)
    assert lams == [drhw_strength(W[k], hfl[k], 3, 0.2) for k in W]
    a = quantize_network(net, H, 3, "drhw", rho=0.2)
    b = quantize_network(net, H, 3, "drhw", diameter_reg=lams)
    for la, lb in zip(a.layers, b.layers):
        assert np.array_equal(la.labels, lb.labels) and np.array_equal(la.centroids, lb.centroids)


def test_quantization_warnings_fire_on_collapse_and_not_on_a_mild_setting():
    net, _ = _pair()
    H = _hessian(net)
    with warnings.catch_warnings():
        warnings.simplefilter("error", QuantizationWarning)
        quantize_network(net, H, 3, "drhw", rho=0.05)
        quantize_network(net, None, 4, "optimal")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        quantize_network(net, H, 3, "drhw", rho=30.0)
    msgs = [str(w.message) for w in caught if issubclass(w.category, QuantizationWarning)]
    assert any(re.search(r"layer 'b1.fc.weight' uses \d distinct levels of the 8.*accuracy may collapse", m)
               for m in msgs)
    assert any(re.search(r"relative distortion .* > 0.5; accuracy may collapse", m) for m in msgs)
    assert issubclass(QuantizationWarning, UserWarning)


def test_rho_and_diameter_reg_together_are_refused():
    net, _ = _pair()
    with pytest.raises(ValueError, match="`rho`.*`diameter_reg`"):
        quantize_network(net, _hessian(net), 3, "drhw", rho=0.1, diameter_reg=1.0)
