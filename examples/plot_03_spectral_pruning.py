"""
Spectral pruning: degrees of freedom and greedy node selection
==============================================================

Suzuki et al. (IJCAI 2020) choose which nodes of a layer to keep from the covariance Σ of its
activations. The degrees of freedom N(λ) = Tr[Σ(Σ + λI)⁻¹] say how many nodes matter at
regularization λ; for a diagonal Σ it is Σᵢ σᵢ/(σᵢ + λ). The greedy selection keeps the nodes
whose ridge reconstruction of the others is best, and its loss equals the reconstruction error
computed directly.
"""

import matplotlib.pyplot as plt
import numpy as np

from theory.spectral import degrees_of_freedom, pruning_loss, reconstruction_error, spectral_prune

# %%
# Degrees of freedom of a power-law spectrum against the closed form.
sig = 1.0 / np.arange(1, 65) ** 2
for lam in (1e-1, 1e-2, 1e-3):
    value = degrees_of_freedom(np.diag(sig), lam)
    assert np.isclose(value, np.sum(sig / (sig + lam)), rtol=1e-12)
    print(f"lambda={lam:g}: N(lambda) = {value:.3f}")

# %%
# Greedy selection on the activation covariance of a random layer with correlated nodes.
rng = np.random.default_rng(0)
Z = rng.standard_normal((500, 8)) @ rng.standard_normal((8, 32)) + 0.1 * rng.standard_normal((500, 32))
cov = Z.T @ Z / Z.shape[0]
widths = range(1, 17)
losses = []
for w in widths:
    res = spectral_prune(cov, w, lam=1e-6)
    direct = reconstruction_error(cov, res.keep, res.A)
    assert np.isclose(res.loss, pruning_loss(cov, res.keep, tau=res.tau), rtol=1e-8)
    losses.append(direct)
print("kept 8 nodes:", sorted(spectral_prune(cov, 8, lam=1e-6).keep.tolist()))
# the layer has rank 8 up to noise: 8 nodes reconstruct the other 24 to the noise level
assert losses[7] < 0.05 * losses[0]

fig, ax = plt.subplots(figsize=(5, 3.4))
ax.semilogy(list(widths), losses, "o-")
ax.axvline(8, color="grey", lw=0.8)
ax.set_xlabel("nodes kept")
ax.set_ylabel("reconstruction error")
fig.tight_layout()
