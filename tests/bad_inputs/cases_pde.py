"""Bad inputs for the PDE testbed (theory.testbeds.pde): the periodic grid, the Burgers solver and its
Cole–Hopf solution, random initial conditions, the laws of log nu and their density ratio, the heat
equation and 1-D Darcy."""

import math

import numpy as np

from bad_inputs import Case

from theory.testbeds import pde

NAN, INF = math.nan, math.inf

_X = np.arange(32) / 32
_U = np.sin(2 * np.pi * _X)
_U2 = np.stack([_U, 0.5 * _U])
_LAW = pde.LogNuLaw("uniform", -2.0, 0.0)
_XD = np.linspace(0, 1, 5)

CASES = [
    # periodic_grid
    Case(pde.periodic_grid, lambda: pde.periodic_grid(3), ValueError, "`N`", "too small"),
    Case(pde.periodic_grid, lambda: pde.periodic_grid(2.5), ValueError, "`N`", "non-integer"),
    Case(pde.periodic_grid, lambda: pde.periodic_grid(2**40), ValueError, "`N`", "absurd size"),
    # burgers
    Case(pde.burgers, lambda: pde.burgers(_U * NAN, 0.1, 1.0), ValueError, "`u0`", "nan"),
    Case(pde.burgers, lambda: pde.burgers(np.ones((2, 2, 32)), 0.1, 1.0), ValueError, "`u0`", "ndim"),
    Case(pde.burgers, lambda: pde.burgers(np.ones(3), 0.1, 1.0), ValueError, "`u0`", "too few points"),
    Case(pde.burgers, lambda: pde.burgers(_U, -0.1, 1.0), ValueError, "`nu`", "negative"),
    Case(pde.burgers, lambda: pde.burgers(_U, 0.0, 1.0), ValueError, "`nu`", "zero"),
    Case(pde.burgers, lambda: pde.burgers(_U, NAN, 1.0), ValueError, "`nu`", "nan"),
    Case(pde.burgers, lambda: pde.burgers(_U2, [0.1, 0.2, 0.3], 1.0), ValueError, "`nu`", "shape"),
    Case(pde.burgers, lambda: pde.burgers(_U, 1e300, 1.0), ValueError, "`nu`", "overflow"),
    Case(pde.burgers, lambda: pde.burgers(_U, 0.1, -1.0), ValueError, "`t_final`", "negative"),
    Case(pde.burgers, lambda: pde.burgers(_U, 0.1, NAN), ValueError, "`t_final`", "nan"),
    Case(pde.burgers, lambda: pde.burgers(_U, 0.1, "1"), ValueError, "`t_final`", "type"),
    Case(pde.burgers, lambda: pde.burgers(_U, 0.1, 1.0, n_steps=10, dt=0.1), ValueError, "`dt`", "both"),
    Case(pde.burgers, lambda: pde.burgers(_U, 0.1, 1.0, dt=0.0), ValueError, "`dt`", "zero"),
    Case(pde.burgers, lambda: pde.burgers(_U, 0.1, 1.0, n_steps=0), ValueError, "`n_steps`", "zero"),
    Case(pde.burgers, lambda: pde.burgers(_U, 0.1, 1.0, dt=1e-9), ValueError, "`dt`", "absurd size"),
    Case(pde.burgers, lambda: pde.burgers(_U, 0.1, 1.0, n_steps=10**9), ValueError, "`n_steps`", "absurd size"),
    Case(pde.burgers, lambda: pde.burgers(1e200 * _U, 0.1, 1.0), ValueError, "`u0`", "absurd size default dt"),
    Case(pde.burgers, lambda: pde.burgers(1e3 * _U, 1e-3, 1.0, n_steps=2), ValueError, "`dt`", "non-finite output"),
    Case(pde.burgers, lambda: pde.burgers(_U, 0.1, 1.0, save_times=[0.5, 0.2]), ValueError, "`save_times`",
         "decreasing"),
    Case(pde.burgers, lambda: pde.burgers(_U, 0.1, 1.0, save_times=[0.5, 2.0]), ValueError, "`save_times`",
         "beyond t_final"),
    Case(pde.burgers, lambda: pde.burgers(_U, 0.1, 1.0, save_times=[-0.1, 0.5]), ValueError, "`save_times`",
         "negative"),
    Case(pde.burgers, lambda: pde.burgers(_U, 0.1, 1.0, save_times=[[0.5]]), ValueError, "`save_times`", "ndim"),
    # burgers_sine_exact
    Case(pde.burgers_sine_exact, lambda: pde.burgers_sine_exact(_X, 0.5, 1e-3), ValueError, "`nu`",
         "too small for the series"),
    Case(pde.burgers_sine_exact, lambda: pde.burgers_sine_exact(_X, 0.5, -0.1), ValueError, "`nu`", "negative"),
    Case(pde.burgers_sine_exact, lambda: pde.burgers_sine_exact(_X, -0.5, 0.1), ValueError, "`t`", "negative"),
    Case(pde.burgers_sine_exact, lambda: pde.burgers_sine_exact(_X * NAN, 0.5, 0.1), ValueError, "`x`", "nan"),
    Case(pde.burgers_sine_exact, lambda: pde.burgers_sine_exact(_X, 0.5, 0.1, INF), ValueError, "`amplitude`",
         "inf"),
    Case(pde.burgers_sine_exact, lambda: pde.burgers_sine_exact(_X, 0.5, 0.1, n_terms=0), ValueError, "`n_terms`",
         "zero"),
    Case(pde.burgers_sine_exact, lambda: pde.burgers_sine_exact(np.zeros(10**6), 0.5, 0.1, n_terms=10**5),
         ValueError, "`x.size \\* n_terms`", "absurd size"),
    # random_initial_conditions
    Case(pde.random_initial_conditions, lambda: pde.random_initial_conditions(0, 32), ValueError, "`n`", "zero"),
    Case(pde.random_initial_conditions, lambda: pde.random_initial_conditions(2, 3), ValueError, "`N`", "too small"),
    Case(pde.random_initial_conditions, lambda: pde.random_initial_conditions(2, 12, k_max=4), ValueError,
         "`k_max`", "unresolved"),
    Case(pde.random_initial_conditions, lambda: pde.random_initial_conditions(2, 32, k_max=0), ValueError,
         "`k_max`", "zero"),
    Case(pde.random_initial_conditions, lambda: pde.random_initial_conditions(2, 32, modes=0), ValueError,
         "`modes`", "zero"),
    Case(pde.random_initial_conditions, lambda: pde.random_initial_conditions(2, 32, amplitude=-1.0), ValueError,
         "`amplitude`", "negative"),
    Case(pde.random_initial_conditions, lambda: pde.random_initial_conditions(2, 32, rng="x"), ValueError, "`rng`",
         "type"),
    Case(pde.random_initial_conditions, lambda: pde.random_initial_conditions(10**8, 2**16), ValueError,
         "`n \\* N \\* modes`", "absurd size"),
    # LogNuLaw
    Case(pde.LogNuLaw, lambda: pde.LogNuLaw("beta"), ValueError, "`kind`", "unknown kind"),
    Case(pde.LogNuLaw, lambda: pde.LogNuLaw("uniform", 1.0, 0.0), ValueError, "`high`", "high < low"),
    Case(pde.LogNuLaw, lambda: pde.LogNuLaw("uniform", NAN, 0.0), ValueError, "`low`", "nan"),
    Case(pde.LogNuLaw, lambda: pde.LogNuLaw("piecewise", 0.0, 1.0, upper_mass=1.0), ValueError, "`upper_mass`",
         "one"),
    Case(pde.LogNuLaw, lambda: pde.LogNuLaw("gaussian", std=0.0), ValueError, "`std`", "zero"),
    Case(pde.LogNuLaw, lambda: pde.LogNuLaw("gaussian", mean=INF), ValueError, "`mean`", "inf"),
    Case(pde.LogNuLaw.pdf, lambda: _LAW.pdf([0.0, NAN]), ValueError, "`log_nu`", "nan"),
    Case(pde.LogNuLaw.pdf, lambda: _LAW.pdf("a"), ValueError, "`log_nu`", "type"),
    # shift_design
    Case(pde.shift_design, lambda: pde.shift_design("cosine", 0.01, 1.0), ValueError, "`kind`", "unknown kind"),
    Case(pde.shift_design, lambda: pde.shift_design("none", 0.0, 1.0), ValueError, "`nu_lo`", "zero"),
    Case(pde.shift_design, lambda: pde.shift_design("none", 1.0, 0.5), ValueError, "`nu_hi`", "hi < lo"),
    Case(pde.shift_design, lambda: pde.shift_design("piecewise", 0.01, 1.0, ratio_bound=0.5), ValueError,
         "`ratio_bound`", "below one"),
    Case(pde.shift_design, lambda: pde.shift_design("gaussian", 0.01, 1.0, std=-1.0), ValueError, "`std`",
         "negative"),
    Case(pde.shift_design, lambda: pde.shift_design("gaussian", 0.01, 1.0, delta=NAN), ValueError, "`delta`", "nan"),
    # sample_log_nu
    Case(pde.sample_log_nu, lambda: pde.sample_log_nu(0, 0, _LAW), ValueError, "`n`", "zero"),
    Case(pde.sample_log_nu, lambda: pde.sample_log_nu(5, "x", _LAW), ValueError, "`rng`", "type"),
    Case(pde.sample_log_nu, lambda: pde.sample_log_nu(5, 0, "uniform"), ValueError, "`law`", "type"),
    Case(pde.sample_log_nu, lambda: pde.sample_log_nu(10**10, 0, _LAW), ValueError, "`n`", "absurd size"),
    # density_ratio
    Case(pde.density_ratio, lambda: pde.density_ratio([0.0], "u", _LAW), ValueError, "`source`", "type"),
    Case(pde.density_ratio, lambda: pde.density_ratio([0.0], _LAW, None), ValueError, "`target`", "type"),
    Case(pde.density_ratio, lambda: pde.density_ratio([NAN], _LAW, _LAW), ValueError, "`log_nu`", "nan"),
    # heat
    Case(pde.heat, lambda: pde.heat(_U * NAN, 0.1, 1.0), ValueError, "`u0`", "nan"),
    Case(pde.heat, lambda: pde.heat(np.ones(2), 0.1, 1.0), ValueError, "`u0`", "too few points"),
    Case(pde.heat, lambda: pde.heat(_U, -0.1, 1.0), ValueError, "`kappa`", "negative"),
    Case(pde.heat, lambda: pde.heat(_U2, [0.1, 0.2, 0.3], 1.0), ValueError, "`kappa`", "shape"),
    Case(pde.heat, lambda: pde.heat(_U, INF, 1.0), ValueError, "`kappa`", "inf"),
    Case(pde.heat, lambda: pde.heat(_U, 0.1, -1.0), ValueError, "`t`", "negative"),
    Case(pde.heat, lambda: pde.heat(_U, 0.1, [0.5, 0.1]), ValueError, "`t`", "decreasing"),
    Case(pde.heat, lambda: pde.heat(np.ones((4, 32)), 0.1, np.linspace(0, 1, 10**7)), ValueError,
         "`B \\* len\\(t\\) \\* N`", "absurd size"),
    # darcy_1d
    Case(pde.darcy_1d, lambda: pde.darcy_1d(np.zeros(5), np.ones(5), _XD), ValueError, "`a`", "zero"),
    Case(pde.darcy_1d, lambda: pde.darcy_1d(-np.ones(5), np.ones(5), _XD), ValueError, "`a`", "negative"),
    Case(pde.darcy_1d, lambda: pde.darcy_1d(np.full(5, NAN), np.ones(5), _XD), ValueError, "`a`", "nan"),
    Case(pde.darcy_1d, lambda: pde.darcy_1d(np.full(5, 1e-310), np.ones(5), _XD), ValueError, "`a`",
         "non-finite output"),
    Case(pde.darcy_1d, lambda: pde.darcy_1d(np.ones(5), np.full(5, INF), _XD), ValueError, "`f`", "inf"),
    Case(pde.darcy_1d, lambda: pde.darcy_1d(np.ones(4), np.ones(5), _XD), ValueError, "`a`", "length"),
    Case(pde.darcy_1d, lambda: pde.darcy_1d(np.ones(5), np.ones((2, 4)), _XD), ValueError, "`f`", "length"),
    Case(pde.darcy_1d, lambda: pde.darcy_1d(np.ones((3, 5)), np.ones((2, 5)), _XD), ValueError, "`f`",
         "batch mismatch"),
    Case(pde.darcy_1d, lambda: pde.darcy_1d(np.ones(5), np.ones(5), _XD[::-1]), ValueError, "`x`", "decreasing"),
    Case(pde.darcy_1d, lambda: pde.darcy_1d(np.ones(1), np.ones(1), [0.0]), ValueError, "`x`", "too short"),
    Case(pde.darcy_1d, lambda: pde.darcy_1d(np.ones(5), np.ones(5), np.ones((5, 1))), ValueError, "`x`", "ndim"),
]
