"""Temperature scaling, the calibration baseline of the quantization experiment.

The fitted inverse temperature is checked against a brute-force grid and against the temperature
that generated the labels (Monte Carlo); the cross-fitted losses against a direct computation.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.special import logsumexp

from theory.testbeds.protocols import _fit_inverse_temperature, temperature_scaled_losses


def _ce(beta, z, y):
    return float(np.mean(logsumexp(beta * z, axis=1) - beta * z[np.arange(len(y)), y]))


def test_fitted_beta_is_the_grid_minimum():
    rng = np.random.default_rng(0)
    z = 3 * rng.standard_normal((400, 5))
    y = rng.integers(0, 5, 400)
    beta = _fit_inverse_temperature(z, y)
    grid = np.exp(np.linspace(np.log(1e-3), np.log(1e3), 20001))
    best = grid[np.argmin([_ce(b, z, y) for b in grid])]
    assert abs(np.log(beta) - np.log(best)) < 2e-3
    assert _ce(beta, z, y) <= _ce(best, z, y) + 1e-12


@pytest.mark.parametrize("t0", [0.5, 2.0])
def test_recovers_the_temperature_that_drew_the_labels(t0):
    # labels drawn from softmax(z / t0): the population CE is minimized at beta = 1/t0
    rng = np.random.default_rng(1)
    n = 40_000
    z = 2 * rng.standard_normal((n, 4))
    p = np.exp(z / t0 - logsumexp(z / t0, axis=1, keepdims=True))
    y = (p.cumsum(1) > rng.random((n, 1))).argmax(1)
    beta = _fit_inverse_temperature(z, y)
    assert abs(beta * t0 - 1) < 0.03


def test_cross_fitted_losses_match_a_direct_computation():
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 4).double()
    X = torch.randn(101, 3, dtype=torch.float64)
    Y = torch.randint(0, 4, (101,))
    loss, err, (t_even, t_odd) = temperature_scaled_losses(model, X, Y)
    z = model(X).detach().numpy()
    y = Y.numpy()
    even, odd = np.arange(101) % 2 == 0, np.arange(101) % 2 == 1
    # the temperature fitted on one half is applied to the other
    for t_fit, apply in ((t_even, odd), (t_odd, even)):
        za = z[apply] / t_fit
        direct = logsumexp(za, axis=1) - za[np.arange(apply.sum()), y[apply]]
        np.testing.assert_allclose(loss[apply], direct, rtol=1e-12)
    np.testing.assert_array_equal(err, (z.argmax(1) != y).astype(float))   # never changes a prediction
