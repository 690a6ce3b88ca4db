"""
Kernel complexity and the critical radius of a two-layer ReLU network
=====================================================================

The empirical kernel complexity R̂_K(ε) = √(mean_i min(λ̂ᵢ, ε²)) over the eigenvalues of K/n
measures how many directions of a kernel matter at noise level σ; its critical radius ε̂ₙ, the
root of R̂_K(ε) = ε²/(2eσ) (Raskutti, Wainwright, Yu, JMLR 2014), sets both when to stop gradient
descent and the risk it reaches. Here K is the infinite-width neural tangent kernel of a
two-layer ReLU network on the sphere, in closed form; the root is checked by substitution and
ε̂ₙ² shrinks as n grows.
"""

import math

import matplotlib.pyplot as plt
import numpy as np

from theory.kernels import critical_radius, kernel_complexity, two_layer_relu_ntk
from theory.testbeds.sphere import uniform_sphere

sigma = 0.5
radii = {}
for n in (100, 200, 400, 800):
    X = uniform_sphere(n, 5, rng=n)
    eig = np.clip(np.linalg.eigvalsh(two_layer_relu_ntk(X) / n), 0, None)
    eps = critical_radius(eig, sigma)
    lhs, rhs = kernel_complexity(eig, eps), eps ** 2 / (2 * math.e * sigma)
    assert math.isclose(lhs, rhs, rel_tol=1e-9), (lhs, rhs)
    radii[n] = eps
    print(f"n={n:4d}: critical radius^2 = {eps ** 2:.4f}   (R_K = {lhs:.6f}, eps^2/(2 e sigma) = {rhs:.6f})")
assert all(radii[a] > radii[b] for a, b in zip(list(radii)[:-1], list(radii)[1:]))

# %%
# The root at n = 800: the complexity curve meets the parabola once.
grid = np.geomspace(1e-2, 2, 200)
fig, ax = plt.subplots(figsize=(5, 3.4))
ax.loglog(grid, kernel_complexity(eig, grid), label="R̂_K(ε)")
ax.loglog(grid, grid ** 2 / (2 * math.e * sigma), label="ε²/(2eσ)")
ax.axvline(radii[800], color="grey", lw=0.8)
ax.set_xlabel("ε")
ax.legend()
fig.tight_layout()
