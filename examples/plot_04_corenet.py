"""
CoreNet: unbiased sparsification by empirical sensitivity
=========================================================

CoreNet (Baykal, Liebenwein et al., ICLR 2019, Algorithm 2) keeps each incoming weight of a
neuron with probability proportional to its empirical sensitivity on a small set S of inputs and
reweights it, so the sparsified weight is an unbiased estimate of the original:
E ŵᵢⱼ = wᵢⱼ. This example checks unbiasedness by Monte Carlo on one layer, then sparsifies a
whole network and compares its output error with uniform sampling at the same budget.
"""

import matplotlib.pyplot as plt
import numpy as np
import torch

from theory.coresets import corenet, relative_output_error, sparsify_layer, uniform_sparsify
from theory.testbeds.nets import make_mlp

rng = np.random.default_rng(0)
W = rng.standard_normal((4, 50))
A = np.abs(rng.standard_normal((30, 50)))          # non-negative inputs of the layer on S

# %%
# Unbiasedness: the mean of many independent sparsifications is W, within 4 standard errors.
draws = np.stack([sparsify_layer(W, A, samples=40, rng=seed).weight for seed in range(3000)])
mean, se = draws.mean(0), draws.std(0, ddof=1) / np.sqrt(len(draws))
z = np.abs(mean - W)[se > 0] / se[se > 0]
print(f"max |mean - W| / SE over {z.size} edges: {z.max():.2f}")
assert z.max() < 4.5                                   # 200 edges: the max of |N(0,1)| is ~3

# %%
# A whole network at a budget of kept weights, against uniform sampling at the same budget.
net = make_mlp(20, [100, 100], 5, seed=0)
X = torch.rand(1000, 20)
S, test = X[:200], X[200:]
fractions = [0.1, 0.2, 0.4, 0.6]
ours, uniform = [], []
for f in fractions:
    res = corenet(net, S, fraction=f, rng=1)
    kept = res.nonzero_weights / res.total_weights
    assert abs(kept - f) < 0.02, kept
    ours.append(relative_output_error(net, res.model, test).value)
    uniform.append(relative_output_error(net, uniform_sparsify(net, f, rng=1).model, test).value)
    print(f"kept {kept:.3f}: relative output error CoreNet {ours[-1]:.3f}, uniform {uniform[-1]:.3f}")

fig, ax = plt.subplots(figsize=(5, 3.4))
ax.plot(fractions, ours, "o-", label="CoreNet")
ax.plot(fractions, uniform, "s--", label="uniform sampling")
ax.set_xlabel("fraction of weights kept")
ax.set_ylabel("relative output error")
ax.legend()
fig.tight_layout()
