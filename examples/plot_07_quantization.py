"""
Optimal 1-D quantization of weights
===================================

Quantizing a layer to k levels is weighted 1-D k-means; in one dimension the optimal clusters
are runs of sorted points, and the dynamic program of :func:`theory.quantization.kmeans_1d`
(``method="optimal"``) finds them exactly. This example checks it against brute force over every
split of a small sorted sample, and shows how far Lloyd's algorithm can land from the optimum.
"""

import itertools

import matplotlib.pyplot as plt
import numpy as np

from theory.quantization import kmeans_1d


def brute_force(x, h, k):
    """Smallest weighted SSE over every way to cut the sorted points into k runs."""
    order = np.argsort(x)
    xs, hs = x[order], h[order]
    best = np.inf
    for cuts in itertools.combinations(range(1, len(xs)), k - 1):
        sse = 0.0
        for run_x, run_h in zip(np.split(xs, cuts), np.split(hs, cuts)):
            c = np.sum(run_h * run_x) / np.sum(run_h)
            sse += np.sum(run_h * (run_x - c) ** 2)
        best = min(best, sse)
    return best


rng = np.random.default_rng(0)
for trial in range(5):
    x = np.concatenate([rng.normal(-1, 0.3, 6), rng.normal(1, 0.5, 6)])
    h = rng.uniform(0.1, 2.0, x.size)
    exact = kmeans_1d(x, 4, weights=h, method="optimal").objective
    assert np.isclose(exact, brute_force(x, h, 4), rtol=1e-10)
print("the dynamic program matches brute force on 5 samples of 12 points")

# %%
# On 5000 weights from a heavy-tailed law, Lloyd's algorithm from quantile seeds stops at a
# local optimum; the ratio of its objective to the optimum is at least 1.
w = rng.standard_t(3, 5000)
ks = [2, 4, 8, 16, 32]
ratio = []
for k in ks:
    opt = kmeans_1d(w, k, method="optimal").objective
    lloyd = kmeans_1d(w, k).objective
    assert lloyd >= opt * (1 - 1e-12)
    ratio.append(lloyd / opt)
    print(f"k={k:2d}: Lloyd / optimal = {ratio[-1]:.4f}")

fig, ax = plt.subplots(figsize=(5, 3.4))
ax.semilogx(ks, ratio, "o-", base=2)
ax.set_xlabel("levels k")
ax.set_ylabel("Lloyd objective / optimal")
fig.tight_layout()
