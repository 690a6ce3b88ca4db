r"""One-dimensional PDE data generated locally: viscous Burgers, heat, Darcy (layer L2).

- :func:`burgers` solves the viscous Burgers equation on the periodic unit interval,

  .. math::

      u_t + \left(\tfrac12 u^2\right)_x = \frac{\nu}{\pi}\,u_{xx},\qquad x \in [0, 1)\ \text{periodic},

  with the diffusion coefficient written :math:`\nu/\pi` as in the PDEBench Burgers data
  (Takamoto et al., NeurIPS 2022 Datasets and Benchmarks; only the parameter convention is
  taken from there, with its grid :math:`\nu \in \{0.001, \dots, 4\}`), by a Fourier
  pseudo-spectral method with 2/3 dealiasing and the exponential time-differencing fourth-order
  Runge–Kutta scheme ETDRK4 (Cox and Matthews, J. Comput. Phys. 176 (2002)) with the
  contour-integral evaluation of its coefficients (Kassam and Trefethen, SIAM J. Sci. Comput. 26
  (2005)), vectorized over a batch of initial conditions and per-sample viscosities;
- :func:`burgers_sine_exact` is the exact solution for :math:`u_0 = A\sin 2\pi x` by the
  Cole–Hopf transform (Hopf, Comm. Pure Appl. Math. 3 (1950); Cole, Quart. Appl. Math. 9
  (1951)), a Bessel-function series independent of the solver;
- :func:`random_initial_conditions` draws PDEBench-style initial conditions (a few sine waves
  with random integer wavenumbers, amplitudes and phases);
- :class:`LogNuLaw`, :func:`shift_design`, :func:`sample_log_nu` and :func:`density_ratio`
  give laws of :math:`\log\nu` for parameter-shift experiments with an exact density ratio;
- :func:`heat` is the exact solution of the periodic heat equation;
- :func:`darcy_1d` solves the 1-D Darcy problem :math:`-(a u')' = f`, :math:`u(0) = u(1) = 0`,
  by quadrature of its closed form.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike
from scipy.integrate import cumulative_trapezoid
from scipy.special import ive

from .._checks import _fail, as_array, as_float, as_int, as_size, check_in, check_positive, check_rng

__all__ = ["periodic_grid", "burgers", "burgers_sine_exact", "random_initial_conditions", "LogNuLaw",
           "shift_design", "sample_log_nu", "density_ratio", "heat", "darcy_1d"]

#: Largest grid size N of a periodic solve.
_MAX_N = 2**16
#: Largest amount of work (batch x grid points x time steps) a Burgers solve accepts: beyond it the
#: solve would take hours, and it is refused up front.
_MAX_WORK = 10**11
#: Largest number of time steps of a Burgers solve (about 10^4 steps per second for small batches).
_MAX_STEPS = 10**7
#: Courant number of the default time step: dt = _CFL / (max|u0| * k_max), k_max the largest
#: retained angular wavenumber after 2/3 dealiasing.
_CFL = 0.5
#: Largest default time step (a slowly varying or zero initial condition).
_DT_MAX = 0.01
#: Quadrature points on the upper half of the contour for the ETDRK4 coefficients.
_M_CONTOUR = 32
#: Elements (batch x wavenumbers x contour points) per chunk of the coefficient computation.
_COEF_CHUNK = 1 << 21
#: Largest a = |A| / (4 nu) of the Cole-Hopf series (relative accuracy about 1e-16 * exp(2a)).
_A_MAX = 8.0


def periodic_grid(N: int) -> np.ndarray:
    r"""The periodic grid :math:`x_j = j/N`, :math:`j = 0, \dots, N-1`, of :math:`[0, 1)`.

    Parameters
    ----------
    N : int
        Number of grid points, :math:`4 \le N \le 65536`.

    Returns
    -------
    ndarray, shape (N,)

    Examples
    --------
    >>> periodic_grid(4)
    array([0.  , 0.25, 0.5 , 0.75])
    """
    N = as_int(N, "N", low=4, high=_MAX_N)
    return np.arange(N) / N


def _batch(u0, name: str = "u0"):
    """``u0`` as a (B, N) array and whether it came as a single (N,) state."""
    arr = as_array(u0, name, ndim=(1, 2))
    single = arr.ndim == 1
    arr = np.atleast_2d(arr)
    if not 4 <= arr.shape[1] <= _MAX_N:
        _fail(name, f"an array with 4 to {_MAX_N} grid points on its last axis; got shape {arr.shape}")
    as_size(arr.shape[0] * arr.shape[1], f"{name}.size")
    return arr, single


def _per_sample(x, name: str, B: int, *, positive: bool = True) -> np.ndarray:
    """A scalar or a (B,) array of coefficients, returned with shape (B,)."""
    arr = as_array(x, name, ndim=(0, 1), positive=positive, nonnegative=not positive)
    if arr.ndim == 1 and arr.shape[0] != B:
        _fail(name, f"a scalar or an array of shape ({B},) (one value per initial condition); got {arr.shape}")
    return np.broadcast_to(arr, (B,)).astype(float)


def _times(t, name: str, *, high: float | None = None) -> tuple[np.ndarray, bool]:
    """A time or a strictly increasing 1-D array of times >= 0 (and <= ``high``)."""
    arr = as_array(t, name, ndim=(0, 1), nonnegative=True)
    scalar = arr.ndim == 0
    arr = np.atleast_1d(arr)
    if arr.shape[0] > 1 and not np.all(np.diff(arr) > 0):
        _fail(name, "strictly increasing", arr)
    if high is not None and arr[-1] > high:
        _fail(name, f"at most t_final = {high}", arr)
    return arr, scalar


def _etdrk4_coefficients(Lh: np.ndarray) -> tuple[np.ndarray, ...]:
    r"""ETDRK4 coefficients for the real, diagonal :math:`hL` by the contour integral.

    Returns ``E = e^{hL}``, ``E2 = e^{hL/2}`` and ``Q, f1, f2, f3`` *divided by h* (so that they
    multiply :math:`h N`), each of the shape of ``Lh``. The means over points on the upper half of
    the circle of radius 1 about each :math:`hL` (real parts, by symmetry for real :math:`L`)
    evaluate the :math:`\varphi`-functions without the cancellation of their closed forms.
    """
    r = np.exp(1j * np.pi * (np.arange(1, _M_CONTOUR + 1) - 0.5) / _M_CONTOUR)
    flat = Lh.reshape(-1)
    out = [np.empty(flat.shape) for _ in range(4)]
    step = max(1, _COEF_CHUNK // _M_CONTOUR)
    for s in range(0, flat.shape[0], step):
        LR = flat[s:s + step, None] + r[None, :]
        eLR = np.exp(LR)
        LR3 = LR ** 3
        out[0][s:s + step] = np.mean((np.exp(LR / 2) - 1) / LR, axis=1).real
        out[1][s:s + step] = np.mean((-4 - LR + eLR * (4 - 3 * LR + LR ** 2)) / LR3, axis=1).real
        out[2][s:s + step] = np.mean((2 + LR + eLR * (LR - 2)) / LR3, axis=1).real
        out[3][s:s + step] = np.mean((-4 - 3 * LR - LR ** 2 + eLR * (4 - LR)) / LR3, axis=1).real
    Q, f1, f2, f3 = (o.reshape(Lh.shape) for o in out)
    return np.exp(Lh), np.exp(Lh / 2), Q, f1, f2, f3


def burgers(u0: ArrayLike, nu: float | ArrayLike, t_final: float, *, n_steps: int | None = None,
            dt: float | None = None, save_times: ArrayLike | None = None) -> np.ndarray:
    r"""Viscous Burgers equation on the periodic unit interval, pseudo-spectral ETDRK4.

    .. math::

        u_t + \left(\tfrac12 u^2\right)_x = \kappa\,u_{xx},\qquad \kappa = \frac{\nu}{\pi},
        \qquad x \in [0, 1)\ \text{periodic},

    (the PDEBench convention for :math:`\nu`). In Fourier space
    :math:`\hat u_t = L\hat u + N(\hat u)` with the diagonal
    :math:`L_k = -\kappa (2\pi k)^2` and
    :math:`N(\hat u)_k = -\tfrac{i\,2\pi k}{2}\,\widehat{u^2}_k`, the product formed on the grid
    and :math:`N` truncated to :math:`|k| < N/3` (the 2/3 rule). The linear part is integrated
    exactly and the nonlinear part by ETDRK4 (Cox and Matthews, 2002, eqs. (26)–(29)), whose
    coefficients are evaluated by the contour integral of Kassam and Trefethen (2005, Sec. 3) on
    32 points of the upper half circle of radius 1 about each :math:`hL_k` (64 points on the full
    circle). The mean of :math:`u` (the :math:`k = 0` mode) is conserved exactly.

    Each initial condition has its own :math:`\nu`; the solves are independent and vectorized.

    Parameters
    ----------
    u0 : array_like, shape (B, N) or (N,)
        Initial conditions on :func:`periodic_grid` (``N`` from 4 to 65536), finite.
    nu : float or array_like, shape (B,)
        Viscosity :math:`\nu > 0` per initial condition (the diffusion coefficient is
        :math:`\nu/\pi`).
    t_final : float
        Final time, :math:`\ge 0`.
    n_steps : int, optional
        Number of time steps over :math:`[0, t_{final}]` (the largest step is
        :math:`t_{final}/n_{steps}`). Give at most one of ``n_steps`` and ``dt``.
    dt : float, optional
        Largest time step. The default is
        :math:`\min(0.01,\ 0.5/(\max|u_0|\,k_{max}))` with :math:`k_{max} = 2\pi\lfloor N/3\rfloor`
        the largest retained angular wavenumber: a Courant number 0.5 for the explicit
        nonlinear term (its stability limit for RK4-type schemes is about 2.8;
        :math:`\max|u|` does not increase under Burgers' equation). At :math:`N = 128` and
        :math:`\max|u_0| = 1` this is :math:`1.9\cdot10^{-3}`, and for a resolved solution the
        time-stepping error is far below the spatial one.
    save_times : array_like, shape (T,), optional
        Strictly increasing times in :math:`[0, t_{final}]` at which to return the solution
        (each reached exactly: every interval between them is split into equal steps no larger
        than ``dt``). Default: :math:`t_{final}` only.

    Returns
    -------
    ndarray, shape (B, N), or (B, T, N) with ``save_times``
        (the batch axis dropped when ``u0`` is 1-D).

    Raises
    ------
    ValueError
        On invalid input, on a solve too large to finish in reasonable time, and when the
        solution becomes non-finite (a time step too large for stability).

    Notes
    -----
    The solver resolves the solution when its gradients are resolved by the grid, roughly
    :math:`\max|u|/\kappa \lesssim 2\pi N/3`; for smaller :math:`\nu` the spectral solution shows
    Gibbs oscillations near the shocks (it stays bounded thanks to the dealiasing, but is not
    accurate pointwise).

    References
    ----------
    Kassam, A.-K. and Trefethen, L. N., Fourth-order time-stepping for stiff PDEs, SIAM J. Sci.
    Comput. 26(4) (2005), 1214–1233. Cox, S. M. and Matthews, P. C., Exponential time
    differencing for stiff systems, J. Comput. Phys. 176 (2002), 430–455. Takamoto, M. et al.,
    PDEBench, NeurIPS 2022 Datasets and Benchmarks (the :math:`\nu/\pi` convention).

    Examples
    --------
    Against the Cole–Hopf solution for a sine initial condition:

    >>> x = periodic_grid(128)
    >>> u = burgers(np.sin(2 * np.pi * x), 0.1, 0.5)
    >>> bool(np.max(np.abs(u - burgers_sine_exact(x, 0.5, 0.1))) < 1e-8)
    True
    """
    U0, single = _batch(u0)
    B, N = U0.shape
    nu = _per_sample(nu, "nu", B)
    t_final = as_float(t_final, "t_final", low=0.0)
    if n_steps is not None and dt is not None:
        _fail("dt", "given alone: pass at most one of `n_steps` and `dt`", dt)
    kmax = 2 * np.pi * (N // 3)
    if dt is not None:
        h_max = check_positive(dt, "dt")
    elif n_steps is not None:
        n_steps = as_size(n_steps, "n_steps")
        h_max = t_final / n_steps if t_final > 0 else 1.0
    else:
        umax = float(np.max(np.abs(U0)))
        h_max = min(_DT_MAX, _CFL / (umax * kmax)) if umax > 0 else _DT_MAX
    if save_times is None:
        times, scalar = np.array([t_final]), True
    else:
        times, scalar = _times(save_times, "save_times", high=t_final)
        scalar = False
    as_size(B * times.shape[0] * N, "B * len(save_times) * N")
    seg = np.diff(np.concatenate([[0.0], times]))
    with np.errstate(over="ignore"):
        counts_f = np.where(seg > 0, np.maximum(1.0, np.ceil(seg / h_max - 1e-9)), 0.0)
    total = float(np.sum(counts_f))
    if not total <= _MAX_STEPS:
        _fail("dt" if dt is not None else "n_steps" if n_steps is not None else "u0",
              f"such that the solve takes at most {_MAX_STEPS:.0e} time steps; got {total:.0f} steps")
    if not total * B * N <= _MAX_WORK:
        _fail("dt" if dt is not None else "n_steps" if n_steps is not None else "u0",
              f"such that batch x N x steps <= {_MAX_WORK:.0e} (a larger solve would take hours); "
              f"got {B} x {N} x {total:.0f} steps")
    counts = counts_f.astype(np.int64)

    m = np.fft.rfftfreq(N, 1.0 / N)
    k = 2 * np.pi * m
    dealias = (m < N / 3).astype(float)
    g = -0.5j * k * dealias  # N(v) = g * rfft(irfft(v)^2)
    kappa = nu / np.pi
    uniq, inv = np.unique(kappa, return_inverse=True)
    with np.errstate(over="ignore", invalid="ignore"):
        L = -uniq[:, None] * k[None, :] ** 2
    if not np.all(np.isfinite(L)):
        _fail("nu", "small enough that nu * (2 pi N)^2 is finite in float64", np.max(nu))

    coef_cache: dict[float, tuple] = {}

    def coefficients(h: float):
        for key, c in coef_cache.items():  # equal intervals reached with round-off differences
            if abs(key - h) <= 1e-12 * h:
                return c
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            E, E2, Q, f1, f2, f3 = _etdrk4_coefficients(L * h)
        c = tuple(a[inv] for a in (E, E2, h * Q, h * f1, h * f2, h * f3))
        if not all(np.all(np.isfinite(a)) for a in c):
            _fail("nu", "small enough that the ETDRK4 coefficients are finite in float64", np.max(nu))
        coef_cache[h] = c
        return c

    def nonlin(v):
        return g * np.fft.rfft(np.fft.irfft(v, n=N, axis=-1) ** 2, axis=-1)

    v = np.fft.rfft(U0, axis=-1)
    out = np.empty((B, times.shape[0], N))
    t_now = 0.0
    with np.errstate(over="ignore", invalid="ignore"):
        for i, (n_i, len_i) in enumerate(zip(counts, seg)):
            if n_i > 0:
                E, E2, Q, f1, f2, f3 = coefficients(float(len_i / n_i))
                for s in range(int(n_i)):
                    Nv = nonlin(v)
                    a = E2 * v + Q * Nv
                    Na = nonlin(a)
                    b = E2 * v + Q * Na
                    Nb = nonlin(b)
                    c = E2 * a + Q * (2 * Nb - Nv)
                    Nc = nonlin(c)
                    v = E * v + f1 * Nv + 2 * f2 * (Na + Nb) + f3 * Nc
                    if s % 64 == 63 and not np.all(np.isfinite(v)):
                        break
            t_now = float(times[i])
            out[:, i] = np.fft.irfft(v, n=N, axis=-1) if t_now > 0 else U0
            if not np.all(np.isfinite(out[:, i])):
                raise ValueError(f"`dt` (or `n_steps`) is too large for a stable solve: the solution became "
                                 f"non-finite before t = {t_now:g}; pass a smaller `dt`, a larger `nu` or a "
                                 f"finer grid")
    if scalar:
        out = out[:, 0]
    return out[0] if single else out


def burgers_sine_exact(x: ArrayLike, t: float, nu: float, amplitude: float = 1.0, *,
                       n_terms: int | None = None) -> np.ndarray:
    r"""Exact solution of viscous Burgers for :math:`u_0(x) = A\sin 2\pi x`, by Cole–Hopf.

    With :math:`\kappa = \nu/\pi` and :math:`u = -2\kappa\,\varphi_x/\varphi`, :math:`\varphi`
    solves the heat equation :math:`\varphi_t = \kappa\varphi_{xx}` from
    :math:`\varphi_0 = \exp(-\tfrac{1}{2\kappa}\int_0^x u_0) \propto e^{a\cos 2\pi x}`,
    :math:`a = A/(4\pi\kappa)`. Expanding :math:`e^{a\cos\theta} = I_0(a) + 2\sum_{n\ge1}
    I_n(a)\cos n\theta` (modified Bessel functions),

    .. math::

        u(x, t) = \frac{8\pi\kappa\sum_{n\ge1} n\,I_n(a)\,e^{-4\pi^2 n^2\kappa t}\sin 2\pi n x}
                       {I_0(a) + 2\sum_{n\ge1} I_n(a)\,e^{-4\pi^2 n^2\kappa t}\cos 2\pi n x}.

    The series is evaluated with exponentially scaled Bessel functions
    (:func:`scipy.special.ive`), truncated where the terms fall below double precision.

    Parameters
    ----------
    x : array_like
        Points (any shape; the solution is 1-periodic).
    t : float
        Time, :math:`\ge 0`.
    nu : float
        Viscosity :math:`\nu > 0` (diffusion coefficient :math:`\nu/\pi`), with
        :math:`a = |A|/(4\nu) \le 8`: the series for :math:`\varphi` cancels near its minimum
        :math:`e^{-2a}` (relative to its terms) at :math:`x = 1/2`, so its relative accuracy is
        about :math:`10^{-16}e^{2a}`, at most :math:`10^{-9}` here.
    amplitude : float, default 1.0
        :math:`A` (any sign).
    n_terms : int, optional
        Number of series terms (default: enough for double precision).

    Returns
    -------
    ndarray, the shape of ``x``

    References
    ----------
    Hopf, E., The partial differential equation u_t + u u_x = μ u_xx, Comm. Pure Appl. Math. 3
    (1950), 201–230. Cole, J. D., On a quasi-linear parabolic equation occurring in
    aerodynamics, Quart. Appl. Math. 9 (1951), 225–236.

    Examples
    --------
    At :math:`t = 0` the initial condition is recovered:

    >>> x = np.linspace(0, 1, 9)
    >>> bool(np.allclose(burgers_sine_exact(x, 0.0, 0.05), np.sin(2 * np.pi * x), atol=1e-12))
    True
    """
    x = as_array(x, "x", ndim=None, min_size=1)
    t = as_float(t, "t", low=0.0)
    nu = check_positive(nu, "nu")
    A = as_float(amplitude, "amplitude")
    kappa = nu / math.pi
    a = abs(A) / (4 * math.pi * kappa)
    if not a <= _A_MAX:
        _fail("nu", f"at least |amplitude| / {4 * _A_MAX:g}: the series cancels to a relative error of about "
                    f"1e-16 * exp(|amplitude| / (2 nu)) near its minimum, too large beyond; got nu = {nu} with "
                    f"amplitude {A}")
    if n_terms is None:
        n_terms = int(40 + 10 * math.sqrt(a))
    else:
        n_terms = as_int(n_terms, "n_terms", low=1, high=10**5)
    as_size(x.size * n_terms, "x.size * n_terms")
    n = np.arange(1, n_terms + 1)
    In = ive(n, a) * np.exp(-4 * math.pi ** 2 * n ** 2 * kappa * t)
    # A < 0: A sin(2 pi x) = |A| sin(2 pi (x + 1/2)), so u(x; A) = u(x + 1/2; |A|).
    theta = 2 * math.pi * ((x if A >= 0 else x + 0.5)[..., None] * n)
    num = 8 * math.pi * kappa * np.sum(n * In * np.sin(theta), axis=-1)
    den = ive(0, a) + 2 * np.sum(In * np.cos(theta), axis=-1)
    return num / den


def random_initial_conditions(n: int, N: int, rng: np.random.Generator | int | None = None, *, modes: int = 2,
                              k_max: int = 4, amplitude: float = 1.0) -> np.ndarray:
    r"""PDEBench-style random initial conditions: a few sine waves with random parameters.

    .. math::

        u_0(x) = \sum_{i=1}^{m} A_i \sin(2\pi k_i x + \phi_i),\qquad
        k_i \sim \mathrm{U}\{1, \dots, k_{max}\},\ A_i \sim \mathrm{U}[0, A],\
        \phi_i \sim \mathrm{U}[0, 2\pi),

    all independent, on :func:`periodic_grid`. The superposition of sine waves with random
    integer wavenumbers, amplitudes and phases follows the Burgers initial conditions of
    PDEBench (Takamoto et al., NeurIPS 2022 Datasets and Benchmarks), without its optional
    absolute value and window, so that every draw has **mean zero** (exactly, up to round-off,
    since :math:`k_i < N`) and :math:`\max|u_0| \le mA`.

    Parameters
    ----------
    n : int
        Number of initial conditions, :math:`\ge 1`.
    N : int
        Grid size, :math:`4 \le N \le 65536`.
    rng : int, numpy Generator or None
    modes : int, default 2
        Number :math:`m \ge 1` of sine waves.
    k_max : int, default 4
        Largest wavenumber, :math:`1 \le k_{max} < N/3` (resolved after dealiasing).
    amplitude : float, default 1.0
        :math:`A > 0`.

    Returns
    -------
    ndarray, shape (n, N)

    Examples
    --------
    >>> u0 = random_initial_conditions(3, 64, rng=0)
    >>> u0.shape, bool(np.allclose(u0.mean(axis=1), 0, atol=1e-14))
    ((3, 64), True)
    """
    n = as_size(n, "n")
    N = as_int(N, "N", low=4, high=_MAX_N)
    modes = as_int(modes, "modes", low=1, high=1024)
    k_max = as_int(k_max, "k_max", low=1)
    if not 3 * k_max < N:
        _fail("k_max", f"less than N / 3 = {N / 3:g} (resolved after 2/3 dealiasing)", k_max)
    amplitude = check_positive(amplitude, "amplitude")
    as_size(n * N * modes, "n * N * modes")
    rng = check_rng(rng)
    k = rng.integers(1, k_max + 1, size=(n, modes))
    A = amplitude * rng.random((n, modes))
    phi = 2 * np.pi * rng.random((n, modes))
    x = np.arange(N) / N
    out = np.zeros((n, N))
    for i in range(modes):
        out += A[:, i, None] * np.sin(2 * np.pi * k[:, i, None] * x[None, :] + phi[:, i, None])
    return out


_KINDS = ("uniform", "piecewise", "gaussian")


@dataclass(frozen=True)
class LogNuLaw:
    r"""A law of :math:`\log\nu` (natural log) with a closed-form density.

    - ``"uniform"``: uniform on :math:`[\ell, h]` (log-uniform :math:`\nu`);
    - ``"piecewise"``: mass ``upper_mass`` uniform on the upper half :math:`[(\ell+h)/2, h]`,
      the rest uniform on the lower half;
    - ``"gaussian"``: :math:`N(\mathrm{mean}, \mathrm{std}^2)` (support the whole line).

    Parameters
    ----------
    kind : {"uniform", "piecewise", "gaussian"}
    low, high : float
        :math:`\ell < h`, the support in :math:`\log\nu` (uniform and piecewise).
    upper_mass : float, default 0.5
        In :math:`(0, 1)`, piecewise only.
    mean, std : float
        Gaussian only, ``std`` > 0.

    Examples
    --------
    >>> law = LogNuLaw("piecewise", low=0.0, high=2.0, upper_mass=0.8)
    >>> law.pdf([0.5, 1.5])
    array([0.2, 0.8])
    """

    kind: str
    low: float = 0.0
    high: float = 1.0
    upper_mass: float = 0.5
    mean: float = 0.0
    std: float = 1.0

    def __post_init__(self):
        check_in(self.kind, "kind", _KINDS)
        low = as_float(self.low, "low")
        high = as_float(self.high, "high")
        if not high > low:
            _fail("high", f"greater than low = {low}", self.high)
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)
        object.__setattr__(self, "upper_mass", as_float(self.upper_mass, "upper_mass", low=0.0, high=1.0,
                                                        low_open=True, high_open=True))
        object.__setattr__(self, "mean", as_float(self.mean, "mean"))
        object.__setattr__(self, "std", check_positive(self.std, "std"))

    def pdf(self, log_nu: ArrayLike) -> np.ndarray:
        r"""Density of :math:`\log\nu` at ``log_nu`` (any shape; NaN refused)."""
        z = as_array(log_nu, "log_nu", ndim=None, finite=False)
        if np.any(np.isnan(z)):
            _fail("log_nu", "free of NaN")
        if self.kind == "gaussian":
            return np.exp(-0.5 * ((z - self.mean) / self.std) ** 2) / (self.std * math.sqrt(2 * math.pi))
        width = self.high - self.low
        inside = (z >= self.low) & (z <= self.high)
        if self.kind == "uniform":
            return np.where(inside, 1.0 / width, 0.0)
        mid = 0.5 * (self.low + self.high)
        upper = np.where(z >= mid, self.upper_mass, 1.0 - self.upper_mass) / (0.5 * width)
        return np.where(inside, upper, 0.0)


_DESIGNS = ("none", "piecewise", "gaussian", "extrapolation")


def shift_design(kind: Literal["none", "piecewise", "gaussian", "extrapolation"], nu_lo: float, nu_hi: float,
                 *, ratio_bound: float = 4.0, delta: float | None = None,
                 std: float | None = None) -> tuple[LogNuLaw, LogNuLaw]:
    r"""A (source, target) pair of laws of :math:`\log\nu` with a known density ratio.

    With :math:`\ell = \log\nu_{lo}`, :math:`h = \log\nu_{hi}` and :math:`c = (\ell + h)/2`:

    - ``"none"``: both uniform on :math:`[\ell, h]` (no shift, :math:`w \equiv 1`);
    - ``"piecewise"``: the source puts mass :math:`B/(B+1)` on the upper half :math:`[c, h]`
      and :math:`1/(B+1)` on the lower half, uniformly within each; the target the reverse. The
      ratio :math:`w = d\mu'/d\mu` is :math:`B` on the lower half and :math:`1/B` on the upper
      half, so :math:`\sup w = B`, :math:`D(\mu'\|\mu) = D(\mu\|\mu') = \frac{B-1}{B+1}\ln B` and
      :math:`\chi^2(\mu'\|\mu) = (B-1)^2/B`;
    - ``"gaussian"``: :math:`N(c, s^2) \to N(c + \delta, s^2)` with :math:`s` = ``std``
      (default :math:`(h - \ell)/6`) and :math:`\delta` = ``delta`` (default :math:`s`):
      :math:`D = \delta^2/(2s^2)`, :math:`\chi^2 = e^{\delta^2/s^2} - 1`, :math:`\sup w = \infty`;
    - ``"extrapolation"``: source uniform on :math:`[\ell, c]`, target uniform on :math:`[c, h]`:
      the supports are disjoint (up to the point :math:`c`), the ratio is infinite on the
      target's support and every change-of-measure bound is vacuous.

    Parameters
    ----------
    kind : {"none", "piecewise", "gaussian", "extrapolation"}
    nu_lo, nu_hi : float
        :math:`0 < \nu_{lo} < \nu_{hi}`.
    ratio_bound : float, default 4.0
        :math:`B \ge 1` (piecewise).
    delta : float, optional
        Mean shift in :math:`\log\nu` (gaussian).
    std : float, optional
        Standard deviation in :math:`\log\nu` (gaussian), > 0.

    Returns
    -------
    (LogNuLaw, LogNuLaw)
        The source and the target law.

    Examples
    --------
    >>> src, tgt = shift_design("piecewise", 0.01, 1.0, ratio_bound=3.0)
    >>> z = np.log([0.05, 0.5])
    >>> density_ratio(z, src, tgt)
    array([3.        , 0.33333333])
    """
    check_in(kind, "kind", _DESIGNS)
    nu_lo = check_positive(nu_lo, "nu_lo")
    nu_hi = check_positive(nu_hi, "nu_hi")
    if not nu_hi > nu_lo:
        _fail("nu_hi", f"greater than nu_lo = {nu_lo}", nu_hi)
    lo, hi = math.log(nu_lo), math.log(nu_hi)
    mid = 0.5 * (lo + hi)
    if kind == "none":
        law = LogNuLaw("uniform", lo, hi)
        return law, law
    if kind == "piecewise":
        B = as_float(ratio_bound, "ratio_bound", low=1.0, high=1e12)
        return (LogNuLaw("piecewise", lo, hi, upper_mass=B / (B + 1)),
                LogNuLaw("piecewise", lo, hi, upper_mass=1 / (B + 1)))
    if kind == "gaussian":
        s = (hi - lo) / 6 if std is None else check_positive(std, "std")
        d = s if delta is None else as_float(delta, "delta")
        return LogNuLaw("gaussian", mean=mid, std=s), LogNuLaw("gaussian", mean=mid + d, std=s)
    return LogNuLaw("uniform", lo, mid), LogNuLaw("uniform", mid, hi)


def sample_log_nu(n: int, rng: np.random.Generator | int | None, law: LogNuLaw) -> np.ndarray:
    r"""``n`` i.i.d. draws of :math:`\log\nu` from ``law`` (take ``np.exp`` for :math:`\nu`).

    Parameters
    ----------
    n : int
        :math:`\ge 1`.
    rng : int, numpy Generator or None
    law : LogNuLaw

    Returns
    -------
    ndarray, shape (n,)

    Examples
    --------
    >>> z = sample_log_nu(1000, 0, LogNuLaw("uniform", low=-2.0, high=1.0))
    >>> bool(z.min() >= -2.0 and z.max() <= 1.0)
    True
    """
    n = as_size(n, "n")
    rng = check_rng(rng)
    if not isinstance(law, LogNuLaw):
        _fail("law", "a LogNuLaw", type(law).__name__)
    if law.kind == "gaussian":
        return law.mean + law.std * rng.standard_normal(n)
    if law.kind == "uniform":
        return rng.uniform(law.low, law.high, n)
    mid = 0.5 * (law.low + law.high)
    upper = rng.random(n) < law.upper_mass
    return np.where(upper, rng.uniform(mid, law.high, n), rng.uniform(law.low, mid, n))


def density_ratio(log_nu: ArrayLike, source: LogNuLaw, target: LogNuLaw) -> np.ndarray:
    r"""The density ratio :math:`w = p_{target}/p_{source}` of two laws of :math:`\log\nu`.

    Where the source density vanishes, :math:`w = +\infty` if the target density is positive
    (the target is not absolutely continuous with respect to the source there: an
    extrapolation shift) and :math:`w = 0` if it vanishes too.

    Parameters
    ----------
    log_nu : array_like
        Points in :math:`\log\nu` (any shape).
    source, target : LogNuLaw

    Returns
    -------
    ndarray, the shape of ``log_nu``

    Examples
    --------
    >>> src, tgt = shift_design("gaussian", 0.01, 1.0, delta=0.0)
    >>> density_ratio([-3.0, -1.0], src, tgt)
    array([1., 1.])
    """
    for name, law in (("source", source), ("target", target)):
        if not isinstance(law, LogNuLaw):
            _fail(name, "a LogNuLaw", type(law).__name__)
    p = source.pdf(log_nu)
    q = target.pdf(log_nu)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(p > 0, q / np.where(p > 0, p, 1.0), np.where(q > 0, np.inf, 0.0))
    return w


def heat(u0: ArrayLike, kappa: float | ArrayLike, t: float | ArrayLike) -> np.ndarray:
    r"""Exact solution of the periodic heat equation :math:`u_t = \kappa u_{xx}` on :math:`[0, 1)`.

    .. math::

        \hat u_k(t) = e^{-4\pi^2 k^2 \kappa t}\,\hat u_k(0)

    for the discrete Fourier coefficients of the grid values (the trigonometric interpolant of
    ``u0`` evolved exactly).

    Parameters
    ----------
    u0 : array_like, shape (B, N) or (N,)
        Initial conditions on :func:`periodic_grid`.
    kappa : float or array_like, shape (B,)
        Diffusion coefficient :math:`\kappa \ge 0` per initial condition (for Burgers'
        convention, :math:`\kappa = \nu/\pi`).
    t : float or array_like, shape (T,)
        Time(s) :math:`\ge 0`, strictly increasing when an array.

    Returns
    -------
    ndarray, shape (B, N), or (B, T, N) for an array ``t`` (the batch axis dropped for a 1-D
    ``u0``).

    Examples
    --------
    >>> x = periodic_grid(16)
    >>> u = heat(np.cos(2 * np.pi * 3 * x), 0.01, 0.5)
    >>> bool(np.allclose(u, np.exp(-4 * np.pi**2 * 9 * 0.01 * 0.5) * np.cos(6 * np.pi * x)))
    True
    """
    U0, single = _batch(u0)
    B, N = U0.shape
    kappa = _per_sample(kappa, "kappa", B, positive=False)
    times, scalar = _times(t, "t")
    as_size(B * times.shape[0] * N, "B * len(t) * N")
    m = np.fft.rfftfreq(N, 1.0 / N)
    v = np.fft.rfft(U0, axis=-1)
    with np.errstate(over="ignore", invalid="ignore"):
        rate = 4 * np.pi ** 2 * m[None, None, 1:] ** 2 * (kappa[:, None, None] * times[None, :, None])
        decay = np.concatenate([np.ones(rate.shape[:2] + (1,)), np.exp(-rate)], axis=-1)  # the mean is kept
    out = np.fft.irfft(v[:, None, :] * decay, n=N, axis=-1)
    if scalar:
        out = out[:, 0]
    return out[0] if single else out


def darcy_1d(a: ArrayLike, f: ArrayLike, x: ArrayLike) -> np.ndarray:
    r"""1-D Darcy flow :math:`-(a u')' = f` on :math:`[x_0, x_{M-1}]`, :math:`u = 0` at both ends.

    Integrating once, :math:`a u' = C - F` with :math:`F(x) = \int_{x_0}^x f`, so

    .. math::

        u(x) = \int_{x_0}^{x} \frac{C - F(s)}{a(s)}\,ds,\qquad
        C = \frac{\int F/a}{\int 1/a}\ \ (\text{so that } u(x_{M-1}) = 0),

    evaluated by cumulative trapezoidal quadrature on the grid ``x`` (second order in the grid
    spacing for smooth :math:`a, f`; exact for :math:`a` constant and :math:`f` constant).

    Parameters
    ----------
    a : array_like, shape (B, M) or (M,)
        Permeability on the grid, finite and strictly positive.
    f : array_like, shape (B, M) or (M,)
        Source term on the grid, finite.
    x : array_like, shape (M,)
        Strictly increasing grid, :math:`M \ge 2`.

    Returns
    -------
    ndarray, shape (B, M), or (M,) when both ``a`` and ``f`` are 1-D

    Examples
    --------
    With :math:`a = f = 1` on :math:`[0, 1]`, :math:`u = x(1-x)/2`:

    >>> x = np.linspace(0, 1, 11)
    >>> bool(np.allclose(darcy_1d(np.ones(11), np.ones(11), x), x * (1 - x) / 2, atol=1e-15))
    True
    """
    x = as_array(x, "x", ndim=1, min_size=2)
    if not np.all(np.diff(x) > 0):
        _fail("x", "strictly increasing", x)
    M = x.shape[0]
    A = as_array(a, "a", ndim=(1, 2), positive=True)
    Fs = as_array(f, "f", ndim=(1, 2))
    for name, arr in (("a", A), ("f", Fs)):
        if arr.shape[-1] != M:
            _fail(name, f"an array with {M} points (the length of x) on its last axis; got shape {arr.shape}")
    single = A.ndim == 1 and Fs.ndim == 1
    A2, F2 = np.atleast_2d(A), np.atleast_2d(Fs)
    if A2.shape[0] != F2.shape[0] and 1 not in (A2.shape[0], F2.shape[0]):
        _fail("f", f"of a batch size matching a ({A2.shape[0]}) or of size 1; got {F2.shape[0]}")
    B = max(A2.shape[0], F2.shape[0])
    as_size(B * M, "B * M")
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        F = cumulative_trapezoid(F2, x, axis=-1, initial=0.0)
        inv_a = 1.0 / A2
        C = np.trapezoid(F * inv_a, x, axis=-1) / np.trapezoid(np.broadcast_to(inv_a, (B, M)), x, axis=-1)
        u = cumulative_trapezoid((C[:, None] - F) * inv_a, x, axis=-1, initial=0.0)
    if not np.all(np.isfinite(u)):
        _fail("a", "bounded away from 0 and `f` small enough that the solution is finite in float64")
    return u[0] if single else u
