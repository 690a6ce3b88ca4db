"""Bad inputs for CoreNet coresets and the compression baselines (theory.coresets)."""

import math

import numpy as np
import torch
from torch import nn

from bad_inputs import Case

from theory import coresets as cs

RECORDS = ("EmpiricalSensitivity", "CoreNetConstants", "DeltaTerms", "SparsifiedLayer", "CoreNetResult",
           "CompressedModel", "GuaranteeCheck", "CompressionBound")

NAN, INF = math.nan, math.inf

_g = np.random.default_rng(0)
W = _g.standard_normal((3, 5))
A = np.abs(_g.standard_normal((6, 5)))
A_NAN = A.copy()
A_NAN[0, 0] = NAN


def _net(in_dim=4, hidden=(8,), out=3, seed=0, dtype=torch.float32):
    g = np.random.default_rng(seed)
    dims = (in_dim, *hidden, out)
    mods = []
    for k, (a, b) in enumerate(zip(dims[:-1], dims[1:])):
        lin = nn.Linear(a, b, dtype=dtype)
        with torch.no_grad():
            lin.weight.copy_(torch.as_tensor(g.standard_normal((b, a)) / math.sqrt(a)))
            lin.bias.copy_(torch.as_tensor(0.1 * g.standard_normal(b)))
        mods += [lin, nn.ReLU()] if k < len(dims) - 2 else [lin]
    return nn.Sequential(*mods)


def _broken_net(value=INF, layer=0):
    net = _net()
    with torch.no_grad():
        [m for m in net if isinstance(m, nn.Linear)][layer].weight[0, 0] = value
    return net


def _big_net():
    """float64, one weight 1e300: the outputs overflow on inputs of size 1e10."""
    net = _net(dtype=torch.float64)
    with torch.no_grad():
        net[0].weight.mul_(1e300)
    return net


def _cancelling_net():
    """One layer with weights (1, 1): its pre-activation is exactly 0 on the point (1, -1)."""
    net = nn.Sequential(nn.Linear(2, 1, bias=False))
    with torch.no_grad():
        net[0].weight.fill_(1.0)
    return net


X = torch.as_tensor(np.random.default_rng(1).standard_normal((20, 4)), dtype=torch.float32)
X_NAN = X.clone()
X_NAN[0, 0] = NAN
Y = np.arange(20) % 3
NET = _net()

CASES = [
    # empirical_sensitivity
    Case(cs.empirical_sensitivity, lambda: cs.empirical_sensitivity(np.ones(3), A), ValueError, "`weight`", "shape"),
    Case(cs.empirical_sensitivity, lambda: cs.empirical_sensitivity(np.full((3, 5), NAN), A), ValueError, "`weight`",
         "nan"),
    Case(cs.empirical_sensitivity, lambda: cs.empirical_sensitivity(W, A[:, :2]), ValueError, "`activations`",
         "shape"),
    Case(cs.empirical_sensitivity, lambda: cs.empirical_sensitivity(W, A_NAN), ValueError, "`activations`", "nan"),
    Case(cs.empirical_sensitivity, lambda: cs.empirical_sensitivity(W, np.full((6, 5), INF)), ValueError,
         "`activations`", "inf"),
    Case(cs.empirical_sensitivity, lambda: cs.empirical_sensitivity(W, A[:0]), ValueError, "`activations`", "empty"),
    Case(cs.empirical_sensitivity, lambda: cs.empirical_sensitivity("W", A), ValueError, "`weight`", "type"),
    # corenet_constants
    Case(cs.corenet_constants, lambda: cs.corenet_constants(0, 3, 0.1), ValueError, "`eta`", "zero"),
    Case(cs.corenet_constants, lambda: cs.corenet_constants(10**400, 3, 0.1), ValueError, "`eta`", "size"),
    Case(cs.corenet_constants, lambda: cs.corenet_constants(3, "3", 0.1), ValueError, "`eta_star`", "type"),
    Case(cs.corenet_constants, lambda: cs.corenet_constants(3, 3, 1.5), ValueError, "`delta`", "probability"),
    Case(cs.corenet_constants, lambda: cs.corenet_constants(3, 3, NAN), ValueError, "`delta`", "nan"),
    Case(cs.corenet_constants, lambda: cs.corenet_constants(3, 3, 0.1, K_prime=-1.0), ValueError, "`K_prime`",
         "negative"),
    Case(cs.corenet_constants, lambda: cs.corenet_constants(3, 3, 0.1, K_prime=1e308), ValueError, "`K_prime`",
         "overflow"),
    # corenet_sample_size
    Case(cs.corenet_sample_size, lambda: cs.corenet_sample_size(-1.0, 0.1, 0.1, eta=3), ValueError,
         "`total_sensitivity`", "negative"),
    Case(cs.corenet_sample_size, lambda: cs.corenet_sample_size(NAN, 0.1, 0.1, eta=3), ValueError,
         "`total_sensitivity`", "nan"),
    Case(cs.corenet_sample_size, lambda: cs.corenet_sample_size(1.0, 0.0, 0.1, eta=3), ValueError, "`eps`", "zero"),
    Case(cs.corenet_sample_size, lambda: cs.corenet_sample_size(1.0, 1e-300, 0.1, eta=3), ValueError, "`eps`",
         "overflow"),
    Case(cs.corenet_sample_size, lambda: cs.corenet_sample_size([1.0, 2.0], [0.1, 0.2, 0.3], 0.1, eta=3), ValueError,
         "`eps`", "shape"),
    Case(cs.corenet_sample_size, lambda: cs.corenet_sample_size(1.0, 0.1, 0.0, eta=3), ValueError, "`delta`",
         "probability"),
    Case(cs.corenet_sample_size, lambda: cs.corenet_sample_size(1.0, 0.1, 0.1, eta=0), ValueError, "`eta`", "zero"),
    Case(cs.corenet_sample_size, lambda: cs.corenet_sample_size(1.0, 0.1, 0.1, eta=10**30), ValueError, "`eta`",
         "size"),
    Case(cs.corenet_sample_size, lambda: cs.corenet_sample_size(1.0, 0.1, 0.1, eta=3, K="2"), ValueError, "`K`",
         "type"),
    # delta_terms
    Case(cs.delta_terms, lambda: cs.delta_terms([W], [A], kappa=-1.0), ValueError, "`kappa`", "negative"),
    Case(cs.delta_terms, lambda: cs.delta_terms([W], [A], kappa=NAN), ValueError, "`kappa`", "nan"),
    Case(cs.delta_terms, lambda: cs.delta_terms([W, W], [A], kappa=1.0), ValueError, "`activations`", "shape"),
    Case(cs.delta_terms, lambda: cs.delta_terms([], [], kappa=1.0), ValueError, "`weights`", "empty"),
    Case(cs.delta_terms, lambda: cs.delta_terms(5, 5, kappa=1.0), ValueError, "`weights`", "type"),
    Case(cs.delta_terms, lambda: cs.delta_terms([W], [A[:, :2]], kappa=1.0), ValueError, "`activations", "shape"),
    Case(cs.delta_terms, lambda: cs.delta_terms([W], [A_NAN], kappa=1.0), ValueError, "`activations", "nan"),
    Case(cs.delta_terms, lambda: cs.delta_terms([W], [A], kappa=1.0, biases=[np.ones(2)]), ValueError, "`biases",
         "shape"),
    Case(cs.delta_terms, lambda: cs.delta_terms([W], [A], kappa=1.0, biases=[np.full(3, INF)]), ValueError,
         "`biases", "inf"),
    # sparsify_layer
    Case(cs.sparsify_layer, lambda: cs.sparsify_layer(W, A, rng=0), ValueError, "`samples`", "missing"),
    Case(cs.sparsify_layer, lambda: cs.sparsify_layer(W, A, samples=-1, rng=0), ValueError, "`samples`", "negative"),
    Case(cs.sparsify_layer, lambda: cs.sparsify_layer(W, A, samples=10**30, rng=0), ValueError, "`samples`", "size"),
    Case(cs.sparsify_layer, lambda: cs.sparsify_layer(W, A, samples=[1, 2], rng=0), ValueError, "`samples`", "shape"),
    Case(cs.sparsify_layer, lambda: cs.sparsify_layer(W, A, samples=[1.5, 2, 3], rng=0), ValueError, "`samples`",
         "type"),
    Case(cs.sparsify_layer, lambda: cs.sparsify_layer(W, A, samples="3", rng=0), ValueError, "`samples`", "type"),
    Case(cs.sparsify_layer, lambda: cs.sparsify_layer(W, A, eps=-1.0, rng=0), ValueError, "`eps`", "negative"),
    Case(cs.sparsify_layer, lambda: cs.sparsify_layer(W, A, eps=1e-300, rng=0), ValueError, "`eps`", "size"),
    Case(cs.sparsify_layer, lambda: cs.sparsify_layer(W, A, samples=3, rng="seed"), ValueError, "`rng`", "type"),
    Case(cs.sparsify_layer, lambda: cs.sparsify_layer(W, A, samples=3, delta=5.0), ValueError, "`delta`",
         "probability"),
    Case(cs.sparsify_layer, lambda: cs.sparsify_layer(W, A, eps=0.5, eta=0), ValueError, "`eta`", "zero"),
    Case(cs.sparsify_layer, lambda: cs.sparsify_layer(np.full((3, 5), NAN), A, samples=3), ValueError, "`weight`",
         "nan"),
    Case(cs.sparsify_layer, lambda: cs.sparsify_layer(W, A_NAN, samples=3), ValueError, "`activations`", "nan"),
    # layer_inputs
    Case(cs.layer_inputs, lambda: cs.layer_inputs(_broken_net(), X), ValueError, "`model`.*finite",
         "non-finite model"),
    Case(cs.layer_inputs, lambda: cs.layer_inputs(_broken_net(NAN, layer=1), X), ValueError, "`model`.*finite",
         "non-finite model"),
    Case(cs.layer_inputs, lambda: cs.layer_inputs(nn.ReLU(), X), ValueError, "`model`", "type"),
    Case(cs.layer_inputs, lambda: cs.layer_inputs(nn.Sequential(), X), ValueError, "`model`", "empty"),
    Case(cs.layer_inputs, lambda: cs.layer_inputs(nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(5, 1)), X),
         ValueError, "`model`", "shape"),
    Case(cs.layer_inputs, lambda: cs.layer_inputs(NET, X[:, :3]), ValueError, "`inputs`", "shape"),
    Case(cs.layer_inputs, lambda: cs.layer_inputs(NET, X[0]), ValueError, "`inputs`", "shape"),
    Case(cs.layer_inputs, lambda: cs.layer_inputs(NET, X_NAN), ValueError, "`inputs`", "nan"),
    Case(cs.layer_inputs, lambda: cs.layer_inputs(NET, X.double() * 1e300), ValueError, "`inputs`", "overflow"),
    Case(cs.layer_inputs, lambda: cs.layer_inputs(NET, "abc"), ValueError, "`inputs`", "type"),
    Case(cs.layer_inputs, lambda: cs.layer_inputs(NET, X, device="tpu"), ValueError, "`device`", "value"),
    # corenet
    Case(cs.corenet, lambda: cs.corenet(NET, X, rng=0), ValueError, "`eps`", "missing"),
    Case(cs.corenet, lambda: cs.corenet(NET, X, fraction=1.5, rng=0), ValueError, "`fraction`", "probability"),
    Case(cs.corenet, lambda: cs.corenet(NET, X, eps=NAN, rng=0), ValueError, "`eps`", "nan"),
    Case(cs.corenet, lambda: cs.corenet(NET, X, eps=1e-300, rng=0), ValueError, "`eps`", "size"),
    Case(cs.corenet, lambda: cs.corenet(NET, X, fraction=0.5, variant="best", rng=0), ValueError, "`variant`", "value"),
    Case(cs.corenet, lambda: cs.corenet(NET, X, fraction=0.5, allocation="best", rng=0), ValueError, "`allocation`",
         "value"),
    Case(cs.corenet, lambda: cs.corenet(NET, X[:, :3], fraction=0.5, rng=0), ValueError, "`inputs`", "shape"),
    Case(cs.corenet, lambda: cs.corenet(NET, X_NAN, fraction=0.5, rng=0), ValueError, "`inputs`", "nan"),
    Case(cs.corenet, lambda: cs.corenet(NET, X[:5], eps=0.5, rng=0, check_sample_size=True), ValueError, "`inputs`",
         "size"),
    Case(cs.corenet, lambda: cs.corenet(NET, X, fraction=0.5, check_sample_size="no"), ValueError,
         "`check_sample_size`", "type"),
    Case(cs.corenet, lambda: cs.corenet(nn.ReLU(), X, fraction=0.5, rng=0), ValueError, "`model`", "type"),
    Case(cs.corenet, lambda: cs.corenet(_broken_net(), X, fraction=0.5, rng=0), ValueError, "`model`.*finite",
         "non-finite model"),
    Case(cs.corenet, lambda: cs.corenet(NET, X, fraction=0.5, rng="seed"), ValueError, "`rng`", "type"),
    Case(cs.corenet, lambda: cs.corenet(NET, X, fraction=0.5, K=-1.0, rng=0), ValueError, "`K`", "negative"),
    Case(cs.corenet, lambda: cs.corenet(NET, X, fraction=0.5, c="8", rng=0), ValueError, "`c`", "type"),
    Case(cs.corenet, lambda: cs.corenet(NET, X, fraction=0.5, eta=10**30, rng=0), ValueError, "`eta`", "size"),
    Case(cs.corenet, lambda: cs.corenet(NET, X, fraction=0.5, variant="plusplus", amplification=10**9, rng=0),
         ValueError, "`amplification`", "size"),
    Case(cs.corenet, lambda: cs.corenet(NET, X, fraction=0.5, variant="plusplus", validation_inputs=X[:, :3], rng=0),
         ValueError, "`validation_inputs`", "shape"),
    Case(cs.corenet, lambda: cs.corenet(NET, X, fraction=0.5, sample_scale=0.0, rng=0), ValueError, "`sample_scale`",
         "zero"),
    Case(cs.corenet,
         lambda: cs.corenet(_cancelling_net(), torch.tensor([[1.0, -1.0], [1.0, 1.0]]), fraction=0.5, rng=0),
         ValueError, "`inputs`", "degenerate"),
    # uniform_sparsify, magnitude_prune, truncated_svd
    Case(cs.uniform_sparsify, lambda: cs.uniform_sparsify(NET, 0.0), ValueError, "`fraction`", "zero"),
    Case(cs.uniform_sparsify, lambda: cs.uniform_sparsify(NET, NAN), ValueError, "`fraction`", "nan"),
    Case(cs.uniform_sparsify, lambda: cs.uniform_sparsify(_broken_net(), 0.5), ValueError, "`model`.*finite",
         "non-finite model"),
    Case(cs.uniform_sparsify, lambda: cs.uniform_sparsify("net", 0.5), ValueError, "`model`", "type"),
    Case(cs.uniform_sparsify, lambda: cs.uniform_sparsify(NET, 0.5, rng=-1), ValueError, "`rng`", "negative"),
    Case(cs.magnitude_prune, lambda: cs.magnitude_prune(NET, 0.0), ValueError, "`fraction`", "zero"),
    Case(cs.magnitude_prune, lambda: cs.magnitude_prune(NET, 1.5), ValueError, "`fraction`", "probability"),
    Case(cs.magnitude_prune, lambda: cs.magnitude_prune(_broken_net(NAN), 0.5), ValueError, "`model`.*finite",
         "non-finite model"),
    Case(cs.magnitude_prune, lambda: cs.magnitude_prune(nn.ReLU(), 0.5), ValueError, "`model`", "type"),
    Case(cs.truncated_svd, lambda: cs.truncated_svd(NET, -0.5), ValueError, "`fraction`", "negative"),
    Case(cs.truncated_svd, lambda: cs.truncated_svd(NET, "half"), ValueError, "`fraction`", "type"),
    Case(cs.truncated_svd, lambda: cs.truncated_svd(_broken_net(), 0.5), ValueError, "`model`.*finite",
         "non-finite model"),
    Case(cs.truncated_svd, lambda: cs.truncated_svd(NET, 0.5, device="tpu"), ValueError, "`device`", "value"),
    # relative_output_error, guarantee_failure
    Case(cs.relative_output_error, lambda: cs.relative_output_error(nn.Sequential(), NET, X), ValueError, "`model`",
         "empty"),
    Case(cs.relative_output_error, lambda: cs.relative_output_error("net", NET, X), ValueError, "`model`", "type"),
    Case(cs.relative_output_error, lambda: cs.relative_output_error(NET, _broken_net(), X), ValueError,
         "`compressed`.*finite", "non-finite model"),
    Case(cs.relative_output_error, lambda: cs.relative_output_error(_broken_net(NAN), NET, X), ValueError,
         "`model`.*finite", "non-finite model"),
    Case(cs.relative_output_error, lambda: cs.relative_output_error(NET, NET, X[:, :3]), ValueError, "`inputs`",
         "shape"),
    Case(cs.relative_output_error, lambda: cs.relative_output_error(NET, _net(in_dim=3), X), ValueError,
         "`compressed`", "shape"),
    Case(cs.relative_output_error, lambda: cs.relative_output_error(NET, _net(out=2), X), ValueError, "`compressed`",
         "shape"),
    Case(cs.relative_output_error, lambda: cs.relative_output_error(NET, NET, X[:1]), ValueError, "`inputs`", "size"),
    Case(cs.relative_output_error, lambda: cs.relative_output_error(NET, NET, X_NAN), ValueError, "`inputs`", "nan"),
    Case(cs.relative_output_error,
         lambda: cs.relative_output_error(_big_net(), _net(dtype=torch.float64), X.double() * 1e10),
         ValueError, "`model`.*non-finite outputs", "overflow"),
    Case(cs.guarantee_failure, lambda: cs.guarantee_failure(NET, NET, X, 0.0), ValueError, "`eps`", "zero"),
    Case(cs.guarantee_failure, lambda: cs.guarantee_failure(NET, NET, X, NAN), ValueError, "`eps`", "nan"),
    Case(cs.guarantee_failure, lambda: cs.guarantee_failure(NET, _broken_net(), X, 0.5), ValueError,
         "`compressed`.*finite", "non-finite model"),
    Case(cs.guarantee_failure, lambda: cs.guarantee_failure(_broken_net(), NET, X, 0.5), ValueError,
         "`model`.*finite", "non-finite model"),
    Case(cs.guarantee_failure, lambda: cs.guarantee_failure(NET, NET, X[:, :2], 0.5), ValueError, "`inputs`",
         "shape"),
    Case(cs.guarantee_failure, lambda: cs.guarantee_failure(NET, nn.Sequential(nn.ReLU()), X, 0.5), ValueError,
         "`compressed`", "type"),
    # margin_loss
    Case(cs.margin_loss, lambda: cs.margin_loss(NET, X, np.full(20, 7)), ValueError, "`labels`", "range"),
    Case(cs.margin_loss, lambda: cs.margin_loss(NET, X, np.full(20, NAN)), ValueError, "`labels`", "nan"),
    Case(cs.margin_loss, lambda: cs.margin_loss(NET, X, np.array(["a"] * 20)), ValueError, "`labels`", "type"),
    Case(cs.margin_loss, lambda: cs.margin_loss(NET, X, np.full(20, 0.5)), ValueError, "`labels`", "type"),
    Case(cs.margin_loss, lambda: cs.margin_loss(NET, X, Y[:5]), ValueError, "`labels`", "shape"),
    Case(cs.margin_loss, lambda: cs.margin_loss(NET, X, Y, gamma=-1.0), ValueError, "`gamma`", "negative"),
    Case(cs.margin_loss, lambda: cs.margin_loss(NET, X, Y, gamma=NAN), ValueError, "`gamma`", "nan"),
    Case(cs.margin_loss, lambda: cs.margin_loss(_broken_net(), X, Y), ValueError, "`model`.*finite",
         "non-finite model"),
    Case(cs.margin_loss, lambda: cs.margin_loss(NET, X[:, :3], Y), ValueError, "`inputs`", "shape"),
    Case(cs.margin_loss, lambda: cs.margin_loss(nn.Sequential(), X, Y), ValueError, "`model`", "empty"),
    Case(cs.margin_loss, lambda: cs.margin_loss(_net(out=1), X, np.zeros(20, dtype=int)), ValueError, "`model`",
         "shape"),
    # quantize_weights
    Case(cs.quantize_weights, lambda: cs.quantize_weights(NET, 16), ValueError, "`levels`", "value"),
    Case(cs.quantize_weights, lambda: cs.quantize_weights(NET, 1), ValueError, "`levels`", "zero"),
    Case(cs.quantize_weights, lambda: cs.quantize_weights(NET, 10**400 + 1), ValueError, "`levels`", "size"),
    Case(cs.quantize_weights, lambda: cs.quantize_weights(NET, "255"), ValueError, "`levels`", "type"),
    Case(cs.quantize_weights, lambda: cs.quantize_weights(_broken_net(), 255), ValueError, "`model`.*finite",
         "non-finite model"),
    Case(cs.quantize_weights, lambda: cs.quantize_weights(nn.Sequential(), 255), ValueError, "`model`", "empty"),
    # compression_bound
    Case(cs.compression_bound, lambda: cs.compression_bound(0.1, 10, 50, 20), ValueError, "`n_nonzero`", "range"),
    Case(cs.compression_bound, lambda: cs.compression_bound(1.5, 10, 5, 20), ValueError, "`empirical_risk`",
         "probability"),
    Case(cs.compression_bound, lambda: cs.compression_bound(NAN, 10, 5, 20), ValueError, "`empirical_risk`", "nan"),
    Case(cs.compression_bound, lambda: cs.compression_bound(0.1, 0, 5, 20), ValueError, "`n_train`", "zero"),
    Case(cs.compression_bound, lambda: cs.compression_bound(0.1, 10, 5, 10**400), ValueError, "`n_total`", "size"),
    Case(cs.compression_bound, lambda: cs.compression_bound(0.1, 10, -1, 20), ValueError, "`n_nonzero`", "negative"),
    Case(cs.compression_bound, lambda: cs.compression_bound(0.1, 10, 5, 20, levels=1), ValueError, "`levels`", "zero"),
    Case(cs.compression_bound, lambda: cs.compression_bound(0.1, 10, 5, 20, n_layers=10**400), ValueError,
         "`n_layers`", "size"),
    Case(cs.compression_bound, lambda: cs.compression_bound(0.1, 10, 5, 20, delta=1.0), ValueError, "`delta`",
         "probability"),
    Case(cs.compression_bound, lambda: cs.compression_bound(0.1, "10", 5, 20), ValueError, "`n_train`", "type"),
]

# complex input: a cast to float would silently drop the imaginary part
CASES += [
    Case(cs.empirical_sensitivity, lambda: cs.empirical_sensitivity(W * 1j, A), ValueError, "`weight`", "complex"),
    Case(cs.empirical_sensitivity, lambda: cs.empirical_sensitivity(torch.as_tensor(W) * 1j, A), ValueError,
         "`weight`", "complex"),
    Case(cs.corenet_sample_size, lambda: cs.corenet_sample_size(1j, 0.1, 0.1, eta=3), ValueError,
         "`total_sensitivity`", "complex"),
    Case(cs.sparsify_layer, lambda: cs.sparsify_layer(W, A, samples=[[1], [1, 2]]), ValueError, "`samples`",
         "shape"),
    Case(cs.margin_loss, lambda: cs.margin_loss(NET, X, Y * 1j), ValueError, "`labels`", "complex"),
    Case(cs.margin_loss, lambda: cs.margin_loss(NET, X, [[0], [1, 2]]), ValueError, "`labels`", "shape"),
    Case(cs.layer_inputs, lambda: cs.layer_inputs(NET, X.to(torch.complex64)), ValueError, "`inputs`", "complex"),
    Case(cs.delta_terms, lambda: cs.delta_terms([W], [A], kappa=1.0, biases=[torch.ones(3) * 1j]), ValueError,
         "`biases", "complex"),
]


class _SharedTwice(nn.Module):
    """One Linear layer called twice (shared weights)."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        return self.fc(torch.relu(self.fc(x)))


def _leaky_net():
    net = _net()
    net[1] = nn.LeakyReLU(0.5)
    return net


# any nn.Module (issue 16): what corenet still refuses, naming the model and the layer
CASES += [
    Case(cs.corenet, lambda: cs.corenet(_leaky_net(), X, fraction=0.5, rng=0), ValueError,
         "`model`.*non-negative.*LeakyReLU `1` before `2`", "negative hidden inputs"),
    Case(cs.corenet, lambda: cs.corenet(_SharedTwice(), X, fraction=0.5, rng=0), ValueError,
         "`model`.*`fc` is called more than once", "shared layer"),
    Case(cs.corenet, lambda: cs.corenet(nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3)),
                                        X, fraction=0.5, rng=0, variant="plus"), ValueError,
         "`model`.*found BatchNorm1d", "not element-wise"),
    Case(cs.layer_inputs, lambda: cs.layer_inputs(_SharedTwice(), X), ValueError, "`model`.*more than once",
         "shared layer"),
    Case(cs.uniform_sparsify, lambda: cs.uniform_sparsify(nn.Sequential(nn.Flatten()), 0.5), ValueError, "`model`",
         "no Linear layer"),
]
