r"""Compressed linear regression: population risk can fall with compression.

A self-consistent reconstruction of the linear example of Bu, Gao, Zou, Veeravalli (AAAI 2020)
(the paper's exact parameters are not published): fixed design with :math:`X^\top X/n = \Lambda =
\mathrm{diag}(\lambda_i)`, :math:`Y = X w^* + \varepsilon`, :math:`\varepsilon\sim N(0,\sigma^2 I_n)`,
prior :math:`w^*_i \sim N(0,\tau_i^2)`, squared loss, OLS estimate :math:`W`, and a compressor
:math:`P_{\hat W|W}` that is the Gaussian forward test channel of reverse water-filling on the
whitened coordinates :math:`u_i = \sqrt{\lambda_i} W_i`.

Every expectation below is over the prior, the noise and the compressor's randomness. The
closed forms are derived here and checked in the tests against :meth:`simulate`
(which really samples data, fits OLS and compresses) and against :mod:`theory.symbolic`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from .._checks import MAX_SIZE, as_array, as_int, as_size, check_nonnegative, check_positive, check_rng
from ..claims import Measurement
from ..rate_distortion import WaterFillingResult, gaussian_test_channel, water_filling_for_rate

__all__ = ["CompressedLinearRegression", "OptimalRate", "LinearSimulation", "design_matrix"]


@dataclass(frozen=True)
class OptimalRate:
    """The rate minimizing the expected population risk of the compressed estimator.

    ``rate`` is ``inf`` when no compression helps (every coordinate has SNR ≥ 1).
    """

    rate: float
    theta: float
    population_risk: float


@dataclass(frozen=True)
class LinearSimulation:
    """Monte Carlo estimates (mean and standard error over repetitions) at one rate."""

    rate: float
    reps: int
    empirical_risk: Measurement
    population_risk: Measurement
    generalization_error: Measurement
    distortion: Measurement
    uncompressed_empirical_risk: Measurement
    uncompressed_population_risk: Measurement
    uncompressed_generalization_error: Measurement


#: Largest sample size of the closed forms: integers up to 2**53 are exact in float64.
_MAX_N = 2**53


def _rates(x, name: str) -> np.ndarray:
    """Rates or informations (nats): an array of numbers >= 0, ``inf`` allowed, NaN refused."""
    r = as_array(x, name, finite=False, min_size=0)
    if np.any(np.isnan(r)) or np.any(r < 0):
        raise ValueError(f"`{name}` must be >= 0 (nats), not NaN")
    return r


def design_matrix(n: int, feature_eigs: ArrayLike,
                  rng: np.random.Generator | int | None = None) -> np.ndarray:
    r"""A fixed design :math:`X\in\mathbb{R}^{n\times d}` with :math:`X^\top X/n = \mathrm{diag}(\lambda)` exactly.

    .. math:: X = \sqrt{n}\, Q\, \Lambda^{1/2}, \qquad Q^\top Q = I_d,

    with :math:`Q` the orthonormal factor of a Gaussian matrix drawn from ``rng``.

    Parameters
    ----------
    n : int
        Number of samples, ``n >= d``.
    feature_eigs : array_like, shape (d,)
        Positive eigenvalues :math:`\lambda_i`.
    rng : None, int or numpy.random.Generator

    Examples
    --------
    The design's normalised Gram matrix is exactly :math:`\mathrm{diag}(\lambda)`, here
    ``diag(1, 4)``, whatever the seed.

    >>> import numpy as np
    >>> from theory.testbeds.linear import design_matrix
    >>> X = design_matrix(5, [1.0, 4.0], rng=0)
    >>> X.shape, bool(np.allclose(X.T @ X / 5, np.diag([1.0, 4.0])))
    ((5, 2), True)
    """
    lam = as_array(feature_eigs, "feature_eigs", ndim=1, positive=True)
    n = as_size(n, "n", low=lam.size)
    if n * lam.size > MAX_SIZE:
        raise ValueError(f"`n` must be at most {MAX_SIZE // lam.size} here: an n x d = {n} x {lam.size} design "
                         "could not be held in memory")
    rng = check_rng(rng)
    q, _ = np.linalg.qr(rng.standard_normal((n, lam.size)))
    return math.sqrt(n) * q * np.sqrt(lam)


@dataclass(frozen=True)
class CompressedLinearRegression:
    r"""Closed forms and Monte Carlo for OLS compressed by the Gaussian test channel.

    Whitened coordinates :math:`u_i=\sqrt{\lambda_i}W_i` are independent with variance
    :math:`v_i=\lambda_i\tau_i^2+\sigma^2/n`. Reverse water-filling at rate :math:`R` gives
    :math:`D_i=\min(\theta,v_i)`, :math:`t_i = D_i/v_i`, and the forward channel
    :math:`\hat U_i=(1-t_i)U_i+\sqrt{t_i(1-t_i)v_i}\,\xi_i`, so that :math:`I(S;\hat W)=R`. Then

    .. math::

        \mathbb{E}L_S(\hat W) &= \sigma^2(1-d/n) + \textstyle\sum_i D_i,\\
        \mathbb{E}L_\mu(\hat W) &= \sigma^2 + \textstyle\sum_i [t_i\lambda_i\tau_i^2 + (1-t_i)\sigma^2/n],\\
        \mathrm{gen}(\hat W) &= \textstyle\sum_i (1-t_i)\,2\sigma^2/n .

    Lowering :math:`t_i` (compressing coordinate :math:`i` less) lowers the population risk iff its
    SNR :math:`s_i = n\lambda_i\tau_i^2/\sigma^2 > 1`. Water-filling, however, compresses every
    coordinate above the water level at once: as a function of :math:`\theta` the risk is
    piecewise linear with slope :math:`\sum_{v_i>\theta} g_i`, :math:`g_i=(s_i-1)/(s_i+1)`.
    Since :math:`v_i=(\sigma^2/n)(s_i+1)`, the coordinates that drop out first have the smallest
    :math:`g_i`, so the slope at every level is the sum of the :math:`k` largest :math:`g_i`. The
    slope is not monotone (SNRs (3, 5) give a concave segment: the risk is **not** convex in
    :math:`\theta`), but it changes sign at most once, from negative to positive, so the risk is
    unimodal (quasi-convex) in :math:`\theta`. The average of the :math:`k` largest :math:`g_i`
    is at least the average of all of them, so every slope is :math:`\ge 0` when
    :math:`\sum_i g_i \ge 0`, while the slope at :math:`\theta = 0` is :math:`\sum_i g_i`:
    compression lowers the population risk **iff** :math:`\sum_i g_i < 0`
    (:meth:`compression_helps`; at an exact tie no rate beats OLS). SNRs on both sides of 1 are
    necessary, not sufficient: SNRs (0.9, 100) give no gain at any rate.

    Parameters
    ----------
    d : int
        Dimension.
    n : int
        Sample size, ``d < n <= 2**53`` (:meth:`simulate` needs ``n * d <= 10**9``).
    noise_var : float
        :math:`\sigma^2 > 0`.
    feature_eigs : array_like, shape (d,)
        :math:`\lambda_i > 0`, eigenvalues of :math:`X^\top X/n`.
    prior_vars : array_like, shape (d,)
        :math:`\tau_i^2 \ge 0`, prior variances of :math:`w^*`.

    References
    ----------
    Bu, Gao, Zou, Veeravalli, "Information-theoretic understanding of population risk
    improvement with model compression", AAAI 2020 (linear-regression example; this class is a
    reconstruction of it, as the paper's exact parameters are not published).

    Examples
    --------
    One coordinate with :math:`n = 4`, :math:`\sigma^2 = \lambda = 1`, :math:`\tau^2 = 1/8` has SNR
    ``4 * 1/8 = 0.5 < 1``, so compression helps. Uncompressed (rate ``inf``): population risk
    ``1 * (1 + 1/4) = 1.25`` and ``gen = 2 * 1 * 1/4 = 0.5``; erased (rate 0, :math:`t = 1`):
    population risk ``1 + 1/8 = 1.125`` and ``gen = 0``, the optimum, at the water level
    :math:`\theta = v = 1/8 + 1/4 = 0.375`.

    >>> import math
    >>> from theory.testbeds.linear import CompressedLinearRegression
    >>> model = CompressedLinearRegression(d=1, n=4, noise_var=1.0, feature_eigs=[1.0],
    ...                                    prior_vars=[0.125])
    >>> model.compression_helps()
    True
    >>> model.population_risk(math.inf), model.generalization_error(math.inf)
    (1.25, 0.5)
    >>> model.population_risk(0.0), model.generalization_error(0.0)
    (1.125, 0.0)
    >>> opt = model.optimal_rate()
    >>> opt.rate, opt.theta, opt.population_risk
    (0.0, 0.375, 1.125)
    """

    d: int
    n: int
    noise_var: float
    feature_eigs: np.ndarray
    prior_vars: np.ndarray
    _v: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        d = as_size(self.d, "d")
        n = as_int(self.n, "n", low=d + 1, high=_MAX_N)
        s2 = check_positive(self.noise_var, "noise_var")
        lam = as_array(self.feature_eigs, "feature_eigs", ndim=1, positive=True, shape=(d,))
        tau2 = as_array(self.prior_vars, "prior_vars", ndim=1, nonnegative=True, shape=(d,))
        for name, val in (("d", d), ("n", n), ("noise_var", s2), ("feature_eigs", lam),
                          ("prior_vars", tau2)):
            object.__setattr__(self, name, val)
        lam.setflags(write=False)
        tau2.setflags(write=False)
        v = lam * tau2 + s2 / n
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            snr = n * lam * tau2 / s2
            scale = 4.0 * (s2 * (1.0 + d / n) + float(np.sum(lam * tau2)) + float(np.sum(v)))
        if not (np.all(v > 0) and np.all(np.isfinite(v)) and np.all(np.isfinite(snr)) and math.isfinite(scale)):
            raise ValueError("`noise_var`, `n`, `feature_eigs` and `prior_vars` must keep the whitened variances "
                             "λ τ² + σ²/n positive and the SNRs n λ τ²/σ² and the risks finite in float64")
        v.setflags(write=False)
        object.__setattr__(self, "_v", v)

    # ---- per-coordinate quantities -------------------------------------------------------
    @property
    def whitened_variances(self) -> np.ndarray:
        r""":math:`v_i = \lambda_i\tau_i^2 + \sigma^2/n`."""
        return self._v

    @property
    def snr(self) -> np.ndarray:
        r"""Per-coordinate SNR :math:`n\lambda_i\tau_i^2/\sigma^2` (compressing coordinate *i* alone helps iff < 1)."""
        return self.n * self.feature_eigs * self.prior_vars / self.noise_var

    def compression_helps(self) -> bool:
        r"""Whether some finite rate beats OLS: iff :math:`\sum_i (s_i-1)/(s_i+1) < 0` (see class docstring).

        At an exact tie (:math:`\sum_i (s_i-1)/(s_i+1) = 0`) the risk is flat near OLS and no rate
        is strictly better, so the answer is False.
        """
        s = self.snr
        return bool(np.sum((s - 1) / (s + 1)) < 0)

    def water_filling(self, rate: float) -> WaterFillingResult:
        """Reverse water-filling on the whitened variances at total rate ``rate`` (nats)."""
        rate = check_nonnegative(rate, "rate", allow_inf=True)
        return water_filling_for_rate(self._v, rate)

    def compression_factors(self, rate: float) -> np.ndarray:
        r""":math:`t_i = D_i/v_i \in [0,1]` (1: coordinate erased, 0: kept exactly)."""
        wf = self.water_filling(rate)
        return wf.distortions / self._v

    # ---- closed forms (vectorized over the rate) ------------------------------------------
    def _map(self, fn, rate):
        r = _rates(rate, "rate")
        if r.ndim == 0:
            return float(fn(self.compression_factors(float(r))))
        return np.array([fn(self.compression_factors(x)) for x in r.ravel()]).reshape(r.shape)

    def distortion(self, rate: float | ArrayLike) -> float | np.ndarray:
        r""":math:`D(R)=\sum_i D_i = \mathbb{E}[L_S(\hat W)-L_S(W)] = \mathbb{E}(\hat W-W)^\top\Lambda(\hat W-W)`."""
        return self._map(lambda t: float(np.sum(t * self._v)), rate)

    def empirical_risk(self, rate: float | ArrayLike) -> float | np.ndarray:
        r""":math:`\mathbb{E}L_S(\hat W) = \sigma^2(1-d/n) + D(R)`."""
        base = self.uncompressed_empirical_risk()
        return self._map(lambda t: base + float(np.sum(t * self._v)), rate)

    def population_risk(self, rate: float | ArrayLike) -> float | np.ndarray:
        r""":math:`\mathbb{E}L_\mu(\hat W) = \sigma^2 + \sum_i [t_i\lambda_i\tau_i^2 + (1-t_i)\sigma^2/n]`."""
        s = self.feature_eigs * self.prior_vars
        e = self.noise_var / self.n
        return self._map(lambda t: self.noise_var + float(np.sum(t * s + (1 - t) * e)), rate)

    def generalization_error(self, rate: float | ArrayLike) -> float | np.ndarray:
        r""":math:`\mathrm{gen}(\hat W) = \sum_i (1-t_i)\,2\sigma^2/n`."""
        e = 2 * self.noise_var / self.n
        return self._map(lambda t: float(np.sum((1 - t) * e)), rate)

    def conditional_mutual_information(self, rate: float | ArrayLike) -> float | np.ndarray:
        r"""Exact :math:`I(S;\hat W\mid w^*) = \sum_i \tfrac12\log\bigl(1+(1-t_i)\sigma^2/(n t_i v_i)\bigr) \le R`.

        Given :math:`w^*`, the only randomness in :math:`U_i` is the noise
        :math:`N(0,\sigma^2/n)`; the chain rule gives
        :math:`I(S;\hat W\mid w^*) = I(S;\hat W) - I(w^*;\hat W) \le R`.
        """
        e = self.noise_var / self.n

        def f(t):
            with np.errstate(divide="ignore"):
                terms = np.where(t >= 1.0, 0.0,
                                 0.5 * np.log1p(np.where(t > 0, (1 - t) * e / np.maximum(t, 1e-300) / self._v, np.inf)))
            return float(np.sum(terms))

        return self._map(f, rate)

    def uncompressed_empirical_risk(self) -> float:
        r""":math:`\mathbb{E}L_S(W) = \sigma^2(1-d/n)` (OLS residual)."""
        return self.noise_var * (1 - self.d / self.n)

    def uncompressed_population_risk(self) -> float:
        r""":math:`\mathbb{E}L_\mu(W) = \sigma^2(1+d/n)`."""
        return self.noise_var * (1 + self.d / self.n)

    def uncompressed_generalization_error(self) -> float:
        r""":math:`\mathrm{gen}(W) = 2\sigma^2 d/n`; note :math:`I(S;W)=\infty`."""
        return 2 * self.noise_var * self.d / self.n

    def optimal_rate(self) -> OptimalRate:
        r"""Rate minimizing :math:`\mathbb{E}L_\mu(\hat W)` over the water-filling family.

        As a function of the water level :math:`\theta`, the population risk is piecewise
        linear with slope :math:`\sum_{i: v_i>\theta}(\lambda_i\tau_i^2-\sigma^2/n)/v_i`, so its
        minimum is attained at :math:`\theta \in \{0\}\cup\{v_i\}`; all candidates are evaluated
        exactly. Ties go to the smallest rate.
        """
        v = self._v
        s = self.feature_eigs * self.prior_vars
        e = self.noise_var / self.n
        thetas = np.concatenate([[0.0], np.unique(v)])
        best = None
        for th in thetas:
            t = np.minimum(th, v) / v
            risk = self.noise_var + float(np.sum(t * s + (1 - t) * e))
            with np.errstate(divide="ignore"):
                rate = float(np.sum(np.where(v > th, 0.5 * np.log(v / max(th, 0.0)), 0.0))) if th > 0 else math.inf
            key = (round(risk, 12), rate)
            if best is None or key < best[0]:
                best = (key, OptimalRate(rate=rate, theta=float(th), population_risk=risk))
        return best[1]

    # ---- an information-theoretic bound on the population risk --------------------------
    def population_risk_bound(self, rate: float | ArrayLike,
                              mi: float | ArrayLike | None = None) -> float | np.ndarray:
        r"""Upper bound on :math:`\mathbb{E}L_\mu(\hat W)` from the MI bound with a CGF condition.

        Squared loss is not sub-Gaussian, but its *lower* tail is, which is the tail the bound on
        :math:`\mathrm{gen}=\mathbb{E}[L_\mu-L_S]` needs. Given :math:`w^*` and :math:`\hat w`,
        :math:`a_i = x_i^\top(w^*-\hat w)`, the centred CGF of :math:`(a_i+\varepsilon)^2` obeys
        :math:`\Lambda(-\lambda)\le\lambda^2\sigma^2(\sigma^2+2a_i^2)` for all
        :math:`\lambda\ge0` (use :math:`\log(1+x)\ge x-x^2/2`). Donsker–Varadhan for each
        :math:`\hat w` (as in Xu & Raginsky, NeurIPS 2017, Thm 1) and Cauchy–Schwarz give

        .. math::

            \mathrm{gen}(\hat W) \le \sqrt{\frac{4\sigma^2\,(2\,\mathbb{E}L_\mu(\hat W)-\sigma^2)\, I}{n}},
            \qquad I = I(S;\hat W\mid w^*) \le R,

        which, solved for :math:`P=\mathbb{E}L_\mu(\hat W)` with :math:`E=\mathbb{E}L_S(\hat W)`
        and :math:`c = 4\sigma^2 I/n`, reads

        .. math:: P \le E + c + \sqrt{c\,(2E + c - \sigma^2)} .

        [derived here; checked by Monte Carlo in the tests]

        Parameters
        ----------
        rate : float or array_like
            Rate :math:`R` in nats (``inf``: the bound is infinite, as for OLS).
        mi : float or array_like, optional
            The information term; default ``rate`` (the Xu–Raginsky-style bound with
            :math:`I(S;\hat W) = R`). Pass :meth:`conditional_mutual_information` for the
            tighter exact term.
        """
        r = _rates(rate, "rate")
        info = r if mi is None else _rates(mi, "mi")
        try:
            np.broadcast_shapes(r.shape, info.shape)
        except ValueError:
            raise ValueError(f"`mi` must broadcast against `rate`; got shapes {info.shape} and {r.shape}") from None
        emp = np.asarray(self.empirical_risk(r), dtype=float)
        s2 = self.noise_var
        with np.errstate(invalid="ignore"):
            c = 4 * s2 * info / self.n
            out = np.where(np.isinf(c), np.inf, emp + c + np.sqrt(np.maximum(c * (2 * emp + c - s2), 0.0)))
        return float(out) if out.ndim == 0 else out

    # ---- Monte Carlo ---------------------------------------------------------------------
    def simulate(self, rate: float, reps: int, rng: np.random.Generator | int | None = None,
                 design: np.ndarray | None = None) -> LinearSimulation:
        r"""Monte Carlo at one rate: sample :math:`w^*` and noise, fit OLS, compress, measure.

        Each repetition draws :math:`w^*\sim N(0,\mathrm{diag}\,\tau^2)` and
        :math:`\varepsilon\sim N(0,\sigma^2 I_n)`, solves least squares on the fixed design,
        compresses the whitened estimate through :func:`gaussian_test_channel`, and records
        :math:`L_S(\hat w) = \|Y-X\hat w\|^2/n` and the population risk
        :math:`L_\mu(\hat w) = \sigma^2 + (\hat w-w^*)^\top\Lambda(\hat w-w^*)` (fresh noise on the
        fixed design, exact given :math:`\hat w`).

        Parameters
        ----------
        rate : float
            Rate in nats (``inf``: no compression).
        reps : int
            Repetitions (>= 2), with ``reps * (n + d) <= 1.25e8`` (the Monte Carlo arrays must fit
            in memory; a larger count is refused up front).
        rng : None, int or numpy.random.Generator
        design : ndarray, shape (n, d), optional
            A fixed design with :math:`X^\top X/n=\Lambda`; default :func:`design_matrix`.
        """
        rate = check_nonnegative(rate, "rate", allow_inf=True)
        reps = as_size(reps, "reps", low=2)
        if self.n * self.d > MAX_SIZE:
            raise ValueError(f"`n` = {self.n} is too large to simulate: an n x d design could not be held in memory")
        if reps * (self.n + self.d) > MAX_SIZE // 8:
            most = MAX_SIZE // 8 // (self.n + self.d)
            limit = f"at most {most} here" if most >= 2 else f"impossible here (n = {self.n} is too large to simulate)"
            raise ValueError(f"`reps` must be {limit}: the reps x n Monte Carlo arrays could not be held in "
                             f"memory; got {reps}")
        rng = check_rng(rng)
        lam = self.feature_eigs
        X = design_matrix(self.n, lam, rng) if design is None else as_array(
            design, "design", ndim=2, shape=(self.n, self.d))
        if design is not None and not np.allclose(X.T @ X / self.n, np.diag(lam), atol=1e-8):
            raise ValueError("`design` must satisfy X^T X / n = diag(feature_eigs)")
        wf = self.water_filling(rate)
        sigma = math.sqrt(self.noise_var)
        w_star = rng.standard_normal((reps, self.d)) * np.sqrt(self.prior_vars)
        Y = w_star @ X.T + sigma * rng.standard_normal((reps, self.n))
        # OLS with X^T X = n Λ: W = (X^T Y) / (n λ)
        W = (Y @ X) / (self.n * lam)
        U = W * np.sqrt(lam)
        U_hat = gaussian_test_channel(U, wf.distortions, self._v, rng)
        W_hat = U_hat / np.sqrt(lam)

        def emp(w):
            return np.mean((Y - w @ X.T) ** 2, axis=1)

        def pop(w):
            return self.noise_var + np.sum(lam * (w - w_star) ** 2, axis=1)

        ls_hat, lm_hat = emp(W_hat), pop(W_hat)
        ls, lm = emp(W), pop(W)
        M = Measurement.from_samples
        return LinearSimulation(
            rate=rate, reps=reps,
            empirical_risk=M(ls_hat), population_risk=M(lm_hat), generalization_error=M(lm_hat - ls_hat),
            distortion=M(ls_hat - ls),
            uncompressed_empirical_risk=M(ls), uncompressed_population_risk=M(lm),
            uncompressed_generalization_error=M(lm - ls),
        )
