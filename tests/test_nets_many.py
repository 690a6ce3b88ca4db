"""Tests for theory.testbeds.nets.train_many: M small MLPs trained at once on M data subsets.

The reference is the loop of :func:`theory.testbeds.nets.train` itself: member ``k`` of
``train_many(models, X, Y, index, ..., seeds=seeds)`` must equal
``train(model_k, X[index[k]], Y[index[k]], ..., seed=seeds[k])`` to float tolerance, for Adam and
SGD (with momentum and weight decay), minibatches and full batch, regression and classification.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from torch import nn

from theory.testbeds.nets import make_mlp, train, train_many

N, D = 120, 5


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    """Tiny nets gain nothing from intra-op threads; run single-threaded, restore afterwards."""
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)


def _data(task, out_dim, dtype=torch.float32):
    g = torch.Generator().manual_seed(0)
    X = torch.randn(N, D, generator=g, dtype=dtype)
    if task == "regression":
        Y = torch.randn(N, out_dim, generator=g, dtype=dtype)
    else:
        Y = torch.randint(0, out_dim, (N,), generator=g)
    return X, Y


def _index(M, n, seed=1, replace=False):
    rng = np.random.default_rng(seed)
    return np.stack([rng.choice(N, n, replace=replace) for _ in range(M)])


def _models(M, out_dim, dtype=torch.float32, activation="tanh", widths=(8, 6), bias=True, same_init=False):
    return [make_mlp(D, list(widths), out_dim, activation=activation, bias=bias, dtype=dtype,
                     seed=0 if same_init else 100 + k) for k in range(M)]


def _params(models):
    return [[p.detach().clone() for p in m.parameters()] for m in models]


def _max_diff(a, b):
    return max(float((p - q).abs().max()) for ma, mb in zip(a, b) for p, q in zip(ma, mb))


def _reference(models, X, Y, index, task, seeds, **kw):
    ref = copy.deepcopy(models)
    for k, m in enumerate(ref):
        train(m, X[index[k]], Y[index[k]], task, seed=seeds[k], **kw)
    return _params(ref)


CONFIGS = [
    pytest.param(dict(optimizer="adam", lr=1e-2, batch_size=16), id="adam-minibatch"),
    pytest.param(dict(optimizer="adam", lr=1e-2, batch_size=16, weight_decay=0.05), id="adam-wd"),
    pytest.param(dict(optimizer="adam", lr=1e-2, batch_size=1000), id="adam-fullbatch"),
    pytest.param(dict(optimizer="sgd", lr=5e-2, batch_size=16), id="sgd-minibatch"),
    pytest.param(dict(optimizer="sgd", lr=2e-2, batch_size=12, momentum=0.9, weight_decay=0.01), id="sgd-momentum-wd"),
    pytest.param(dict(optimizer="sgd", lr=5e-2, batch_size=40, momentum=0.5), id="sgd-fullbatch-exact-n"),
]


@pytest.mark.parametrize("task,out_dim", [("regression", 2), ("classification", 3)])
@pytest.mark.parametrize("cfg", CONFIGS)
def test_each_member_equals_train_float32(task, out_dim, cfg):
    M, n = 4, 40
    X, Y = _data(task, out_dim)
    index = _index(M, n)
    seeds = [3, 1, 4, 1]
    models = _models(M, out_dim)
    want = _reference(models, X, Y, index, task, seeds, epochs=20, **cfg)
    before = _params(models)
    out = train_many(models, X, Y, index, task, epochs=20, seeds=seeds, **cfg)
    assert out == models and all(a is b for a, b in zip(out, models))
    assert _max_diff(_params(models), want) < 1e-5
    assert _max_diff(_params(models), before) > 1e-3  # it really trained


@pytest.mark.parametrize("task,out_dim", [("regression", 1), ("classification", 2)])
@pytest.mark.parametrize("cfg", [dict(optimizer="adam", lr=1e-2, batch_size=7, weight_decay=0.1),
                                 dict(optimizer="sgd", lr=1e-2, batch_size=8, momentum=0.9),
                                 dict(optimizer="sgd", lr=1e-2, batch_size=64)],
                         ids=["adam-wd", "sgd-momentum", "sgd-fullbatch"])
def test_each_member_equals_train_float64_tight(task, out_dim, cfg):
    M, n = 3, 30
    X, Y = _data(task, out_dim, torch.float64)
    if task == "regression":
        Y = Y[:, 0]  # (N,) targets for a single output, as train accepts
    index = _index(M, n, seed=2, replace=True)  # repeats allowed
    seeds = [7, 8, 9]
    models = _models(M, out_dim, dtype=torch.float64, activation="gelu")
    want = _reference(models, X, Y, index, task, seeds, epochs=25, **cfg)
    train_many(models, X, Y, index, task, epochs=25, seeds=seeds, **cfg)
    assert _max_diff(_params(models), want) < 1e-10


@pytest.mark.parametrize("activation,bias", [("relu", False), ("sigmoid", True), ("softplus", True),
                                             ("identity", True)])
def test_other_activations_no_bias_and_linear_model(activation, bias):
    M, n = 3, 25
    X, Y = _data("regression", 2, torch.float64)
    index = _index(M, n, seed=3)
    for widths in ((6,), ()):
        models = _models(M, 2, torch.float64, activation=activation, widths=widths, bias=bias)
        kw = dict(epochs=10, lr=1e-2, batch_size=8, optimizer="adam")
        want = _reference(models, X, Y, index, "regression", [0, 1, 2], **kw)
        train_many(models, X, Y, index, "regression", seeds=[0, 1, 2], **kw)
        assert _max_diff(_params(models), want) < 1e-10


def test_members_get_their_own_data_and_seeds():
    """Identical initialisations: members differ exactly when their data or seed differ."""
    X, Y = _data("classification", 3)
    a = _index(1, 40, seed=5)[0]
    b = _index(1, 40, seed=6)[0]
    index = np.stack([a, a, a, b])
    seeds = [0, 0, 1, 0]
    models = _models(4, 3, same_init=True)
    train_many(models, X, Y, index, "classification", epochs=5, lr=1e-2, batch_size=10, seeds=seeds)
    P = _params(models)
    assert _max_diff([P[0]], [P[1]]) < 1e-6  # same data, same seed, same init (up to rounding)
    assert _max_diff([P[0]], [P[2]]) > 1e-4  # another shuffling seed
    assert _max_diff([P[0]], [P[3]]) > 1e-4  # another training set
    # a member's result does not depend on the other members
    solo = _models(1, 3, same_init=True)
    train_many(solo, X, Y, index[3:], "classification", epochs=5, lr=1e-2, batch_size=10, seeds=[0])
    assert _max_diff(_params(solo), [P[3]]) < 1e-6


def test_full_batch_ignores_seeds_and_global_rng_untouched():
    X, Y = _data("regression", 2)
    index = _index(2, 30)
    state = torch.get_rng_state()
    m1, m2 = _models(2, 2), _models(2, 2)
    train_many(m1, X, Y, index, "regression", epochs=5, lr=1e-2, batch_size=30, seeds=[0, 1])
    train_many(m2, X, Y, index, "regression", epochs=5, lr=1e-2, batch_size=30, seeds=[5, 9])
    assert _max_diff(_params(m1), _params(m2)) == 0.0
    assert torch.equal(torch.get_rng_state(), state), "train_many changed the global RNG"


def test_zero_epochs_and_frozen_parameters():
    X, Y = _data("regression", 2)
    index = _index(2, 20)
    models = _models(2, 2)
    before = _params(models)
    train_many(models, X, Y, index, "regression", epochs=0, seeds=[0, 0])
    assert _max_diff(_params(models), before) == 0.0
    for m in models:
        m[0].bias.requires_grad_(False)
    kw = dict(epochs=5, lr=1e-2, batch_size=8)
    want = _reference(models, X, Y, index, "regression", [0, 1], **kw)
    train_many(models, X, Y, index, "regression", seeds=[0, 1], **kw)
    assert _max_diff(_params(models), want) < 1e-5
    assert all(torch.equal(m[0].bias, p[1]) for m, p in zip(models, before))


def test_divergence_raises_and_leaves_models_unchanged():
    X, Y = _data("regression", 2)
    index = _index(2, 20)
    models = _models(2, 2)
    before = _params(models)
    with pytest.raises(ValueError, match="diverged.*`lr`"):
        train_many(models, X * 1e3, Y, index, "regression", epochs=3, lr=1e30, optimizer="sgd", batch_size=100,
                   seeds=[0, 0])
    assert _max_diff(_params(models), before) == 0.0


def test_on_device(device):
    M, n = 3, 30
    X, Y = _data("classification", 3)
    index = _index(M, n)
    models = _models(M, 3)
    kw = dict(epochs=5, lr=1e-2, batch_size=8)
    want = _reference(models, X, Y, index, "classification", [0, 1, 2], **kw)
    train_many(models, X, Y, index, "classification", seeds=[0, 1, 2], device=device, **kw)
    assert all(p.device.type == device for m in models for p in m.parameters())
    assert _max_diff([[p.cpu() for p in ps] for ps in _params(models)], want) < 1e-4


# ---- bad inputs ---------------------------------------------------------------------------------

def _call(models=None, X=None, Y=None, index=None, seeds=None, task="regression", **kw):
    Xd, Yd = _data("regression", 2)
    return train_many(_models(2, 2) if models is None else models, Xd if X is None else X,
                      Yd if Y is None else Y, _index(2, 10) if index is None else index, task,
                      seeds=[0, 1] if seeds is None else seeds, epochs=1, **kw)


class _Wrapped(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = make_mlp(D, [8, 6], 2, seed=0)

    def forward(self, x):
        return self.body(x)


def _nan_models():
    ms = _models(2, 2)
    with torch.no_grad():
        ms[1][0].weight[0, 0] = float("nan")
    return ms


@pytest.mark.parametrize("call,match", [
    (lambda: _call(models=_nan_models()), r"`models\[1\]` must have finite parameters"),
    (lambda: _call(models=[make_mlp(D, [8, 6], 2, seed=0), make_mlp(D, [8, 5], 2, seed=0)]),
     "`models` must share one architecture"),
    (lambda: _call(models=[make_mlp(D, [8, 6], 2, seed=0), make_mlp(D, [8, 6], 2, activation="tanh", seed=0)]),
     "`models` must share one architecture"),
    (lambda: _call(models=[make_mlp(D, [8, 6], 2, seed=0), make_mlp(D, [8, 6], 2, seed=0, dtype=torch.float64)]),
     "`models` must share one architecture"),
    (lambda: _call(models=[_Wrapped(), _Wrapped()]), "`models` must hold torch.nn.Sequential"),
    (lambda: _call(models=[nn.Sequential(nn.Linear(D, 2), nn.Dropout()) for _ in range(2)]),
     "`models` must hold MLPs of Linear layers"),
    (lambda: _call(models=[nn.Sequential(nn.Tanh()) for _ in range(2)]), "`models`.*no Linear layer"),
    (lambda: _call(models=[nn.Sequential(nn.Linear(D, 3), nn.Linear(4, 2)) for _ in range(2)]),
     "`models`: layer 1"),
    (lambda: _call(models=make_mlp(D, [8, 6], 2, seed=0)), "`models` must be a list"),
    (lambda: _call(models=[]), "`models` must hold at least one model"),
    (lambda: _call(models=[make_mlp(D, [8, 6], 2, seed=0)] * 2), "`models` must hold distinct"),
    (lambda: _call(index=_index(2, 10) + N), r"`index` entries must lie in \[0, 119\]"),
    (lambda: _call(index=-_index(2, 10) - 1), r"`index` entries must lie in"),
    (lambda: _call(index=_index(3, 10)), r"`index` must have shape \(2, n\)"),
    (lambda: _call(index=_index(1, 10)[0]), r"`index` must have shape \(2, n\)"),
    (lambda: _call(index=_index(2, 10).astype(float)), "`index` must hold integer"),
    (lambda: _call(index=np.zeros((2, 0), int)), "`index` must hold at least 1"),
    (lambda: _call(index="rows"), "`index`"),
    (lambda: _call(seeds=[0, 1, 2]), "`seeds` must hold 2 seeds"),
    (lambda: _call(seeds=[0, -1]), "`seeds`"),
    (lambda: _call(seeds=[0, 1.5]), "`seeds`"),
    (lambda: _call(seeds=7), "`seeds` must be a sequence"),
    (lambda: _call(X=torch.randn(N, D + 1)), "`X` must have shape"),
    (lambda: _call(Y=torch.randn(N - 1, 2)), "`Y` must have as many rows as `X`"),
    (lambda: _call(Y=torch.randn(N, 3)), "`Y` must have shape"),
    (lambda: _call(X=torch.full((N, D), float("nan"))), "`X` must be finite"),
    (lambda: _call(Y=torch.full((N,), 5), task="classification"), "`Y` labels must lie in"),
    (lambda: _call(task="ranking"), "`task` must be one of"),
    (lambda: _call(lr=0.0), "`lr`"),
    (lambda: _call(batch_size=0), "`batch_size`"),
    (lambda: _call(optimizer="lbfgs"), "`optimizer` must be one of"),
    (lambda: _call(momentum=1.0, optimizer="sgd"), "`momentum`"),
    (lambda: _call(weight_decay=-1.0), "`weight_decay`"),
    (lambda: _call(device="nodevice"), "`device`"),
])
def test_bad_inputs_are_refused_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_bad_input_leaves_models_untouched():
    models = _models(2, 2)
    before = _params(models)
    with pytest.raises(ValueError, match="`index`"):
        _call(models=models, index=_index(2, 10) + N)
    assert _max_diff(_params(models), before) == 0.0


def test_masked_training_keeps_masked_weights_at_zero_and_equals_frozen_entries_loop():
    """Masked fine-tuning: masked entries stay 0; the kept entries follow gradient steps in which the
    masked entries contribute nothing (checked against a hand loop with full-batch SGD)."""
    import torch

    from theory.testbeds.nets import make_mlp, train_many

    g = torch.Generator().manual_seed(0)
    X = torch.randn(30, 5, generator=g, dtype=torch.float64)
    Y = torch.randint(0, 3, (30,), generator=g)
    models = [make_mlp(5, [7], 3, seed=s, dtype=torch.float64) for s in range(3)]
    masks = [{"0.weight": (torch.rand(7, 5, generator=g) > 0.5).double()} for _ in range(3)]
    refs = []
    for mdl, mk in zip(models, masks):
        ref = make_mlp(5, [7], 3, seed=0, dtype=torch.float64)
        ref.load_state_dict(mdl.state_dict())
        with torch.no_grad():
            ref[0].weight.mul_(mk["0.weight"])
        for _ in range(10):   # explicit masked full-batch SGD
            ref.zero_grad()
            torch.nn.functional.cross_entropy(ref(X[:20]), Y[:20]).backward()
            with torch.no_grad():
                for nm, p in ref.named_parameters():
                    p -= 0.1 * p.grad * (mk[nm] if nm in mk else 1.0)
        refs.append(ref)
    idx = torch.arange(20).repeat(3, 1)
    train_many(models, X, Y, idx, "classification", epochs=10, lr=0.1, batch_size=10**9, optimizer="sgd",
               seeds=[0, 1, 2], masks=masks)
    for mdl, ref, mk in zip(models, refs, masks):
        assert torch.all(mdl[0].weight[mk["0.weight"] == 0] == 0)
        for p, q in zip(mdl.parameters(), ref.parameters()):
            torch.testing.assert_close(p, q, atol=1e-12, rtol=1e-10)
