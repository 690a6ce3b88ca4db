"""
A certified bound on the error after a distribution shift
=========================================================

A classifier's error on the source distribution μ = N(0, 1) is known; the target μ' = N(δ, 1)
is shifted by δ, with D(μ'‖μ) = δ²/2 and χ²(μ'‖μ) = e^{δ²} − 1. Data processing through the
error indicator bounds the target error q by the largest q with kl(q‖p) ≤ D
(:func:`theory.shift.kl_certified_bound`), and Cauchy–Schwarz by p + √(χ² p(1 − p))
(:func:`theory.shift.chi2_certified_bound`). The classifier 1{x > t} errs with probability
1 − Φ(t − m) under N(m, 1), so the true target error is known and both bounds must hold.
"""

import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import norm

from theory.shift import chi2_certified_bound, gaussian_shift_design, kl_certified_bound

t = 1.5
p = norm.sf(t)                                   # source error
deltas = np.linspace(0, 1.5, 31)
truth, kl_b, chi2_b = [], [], []
for d in deltas:
    design = gaussian_shift_design(d, 1.0)
    q = norm.sf(t - d)                           # target error, exactly
    kb = kl_certified_bound(p, design["kl_target_source"])
    cb = chi2_certified_bound(p, design["chi2_target_source"])
    assert q <= kb + 1e-12 and q <= cb + 1e-12
    truth.append(q)
    kl_b.append(kb)
    chi2_b.append(cb)
print(f"source error {p:.4f}; at delta = 1: target error {norm.sf(t - 1):.4f}, "
      f"KL bound {kl_b[20]:.4f}, chi2 bound {chi2_b[20]:.4f}")

fig, ax = plt.subplots(figsize=(5, 3.4))
ax.plot(deltas, truth, label="target error (exact)")
ax.plot(deltas, kl_b, "--", label="KL bound")
ax.plot(deltas, chi2_b, ":", label="χ² bound")
ax.set_xlabel("shift δ")
ax.set_ylabel("error")
ax.legend()
fig.tight_layout()
