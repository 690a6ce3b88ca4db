"""
Blahut–Arimoto with a certified stop
====================================

For a Bernoulli(p) source under Hamming distortion the rate–distortion function is
R(D) = h(p) − h(D) for D < min(p, 1 − p). :func:`theory.rate_distortion.blahut_arimoto` stops
when its certified bracket [R_lower, R_upper] on R(D) at the slope β is narrower than ``tol``;
the closed form must lie inside the bracket at every slope.
"""

import matplotlib.pyplot as plt
import numpy as np

from theory.rate_distortion import (bernoulli_hamming_rate_distortion, blahut_arimoto,
                                    hamming_distortion_matrix)

p = 0.3
p_x = np.array([1 - p, p])
dmat = hamming_distortion_matrix(2)
points = []
for beta in np.linspace(1.0, 8.0, 15):
    res = blahut_arimoto(p_x, dmat, beta, tol=1e-10)
    exact = bernoulli_hamming_rate_distortion(p, res.distortion)
    assert res.converged
    assert res.rate_lower - 1e-12 <= exact <= res.rate_upper + 1e-12
    points.append((res.distortion, res.rate, exact, res.iterations))
    print(f"beta={beta:4.1f}  D={res.distortion:.5f}  R={res.rate:.8f}  h(p)-h(D)={exact:.8f}  "
          f"{res.iterations} iterations")

# %%
D, R, exact, _ = map(np.array, zip(*points))
grid = np.linspace(1e-4, p - 1e-4, 200)
fig, ax = plt.subplots(figsize=(5, 3.4))
ax.plot(grid, bernoulli_hamming_rate_distortion(p, grid), label="h(p) − h(D)")
ax.plot(D, R, "o", ms=4, label="Blahut–Arimoto")
ax.set_xlabel("distortion D")
ax.set_ylabel("rate [nats]")
ax.legend()
fig.tight_layout()
