"""
Compression can lower population risk
=====================================

Least squares on a fixed design (d = 20, n = 50, noise variance 1) whose weights are compressed
by the Gaussian test channel of reverse water-filling at rate R (Bu, Gao, Zou, Veeravalli, AAAI
2020). The closed forms of :class:`theory.testbeds.linear.CompressedLinearRegression` give the
expected empirical risk, population risk and generalization error at every rate; a Monte Carlo
run checks them at the optimal rate, and the population risk there is below that of the
uncompressed least-squares fit.
"""

import matplotlib.pyplot as plt
import numpy as np

from theory.testbeds.configs import LINEAR_TRADEOFF
from theory.testbeds.linear import CompressedLinearRegression

model = CompressedLinearRegression(**LINEAR_TRADEOFF)
best = model.optimal_rate()
print(f"compression helps: {model.compression_helps()}; optimal rate {best.rate:.2f} nats, "
      f"population risk {best.population_risk:.3f} vs {model.uncompressed_population_risk():.3f} uncompressed")
assert model.compression_helps()
assert best.population_risk < model.uncompressed_population_risk()

# %%
# The closed form agrees with a Monte Carlo run at the optimal rate (within 4 standard errors).
sim = model.simulate(best.rate, reps=4000, rng=0)
for name, closed in (("population_risk", best.population_risk),
                     ("empirical_risk", model.empirical_risk(best.rate)),
                     ("generalization_error", model.generalization_error(best.rate))):
    m = getattr(sim, name)
    print(f"{name:22s} closed form {closed:.4f}   Monte Carlo {m.value:.4f} ± {m.se:.4f}")
    assert abs(m.value - closed) <= 4 * m.se

# %%
# The trade-off: compressing raises the empirical risk by the distortion and lowers the
# generalization error; their sum, the population risk, is lowest at an interior rate.
rates = np.linspace(0.5, 40, 200)
fig, ax = plt.subplots(figsize=(6, 3.6))
ax.plot(rates, [model.population_risk(r) for r in rates], label="population risk")
ax.plot(rates, [model.empirical_risk(r) for r in rates], label="empirical risk")
ax.plot(rates, [model.generalization_error(r) for r in rates], label="generalization error")
ax.axhline(model.uncompressed_population_risk(), color="k", ls=":", lw=1, label="uncompressed population risk")
ax.axvline(best.rate, color="grey", lw=0.8)
ax.set_xlabel("rate R = I(S; Ŵ) [nats]")
ax.set_ylabel("expected risk")
ax.legend(fontsize=8)
fig.tight_layout()
