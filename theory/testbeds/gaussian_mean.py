r"""Gaussian mean estimation: a testbed where every information-theoretic quantity is closed-form.

Data :math:`Z_1,\dots,Z_n` i.i.d. :math:`N(m,\sigma^2 I_d)`, squared loss
:math:`\ell(w,z)=\|w-z\|^2`, so :math:`L_\mu(w)=\|w-m\|^2+\sigma^2 d`.

- :class:`GaussianMeanEstimation`: the deterministic estimator :math:`W=\bar Z`. Its
  generalization error is :math:`2\sigma^2 d/n`; :math:`I(S;W)=\infty` makes Xu–Raginsky
  vacuous, while the individual-sample bound of Bu, Zou and Veeravalli (through the lower-tail
  CGF of the loss, which is not sub-Gaussian) is finite but only :math:`O(1/\sqrt n)`.
- :class:`ShiftedGaussianMean` (from :meth:`GaussianMeanEstimation.under_shift`): the same
  estimator tested on :math:`N(m+\delta\mathbf 1,\sigma^2 I_d)`; generalization error
  :math:`2\sigma^2d/n+d\delta^2` and the shift-aware individual-sample bound of Wu, Manton,
  Aickelin and Zhu.
- :class:`GibbsGaussianMean`: the Gibbs posterior
  :math:`P(w|s)\propto\pi(w)e^{-\gamma L_s(w)}` with a Gaussian prior, for which
  :math:`\mathrm{gen}=I_{SKL}(W;S)/\gamma` exactly (Aminian et al., NeurIPS 2021).

The closed forms are derived here (elementary Gaussian computations) and checked in the tests
against :meth:`simulate` (which samples the data sets) and against independent
Gaussian-information computations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .. import bounds
from .. import shift as _shift
from .._checks import MAX_SIZE, as_array, as_float, as_int, as_size, check_positive, check_rng
from ..claims import Measurement

__all__ = ["GaussianMeanEstimation", "ShiftedGaussianMean", "GibbsGaussianMean"]

# Floats per Monte Carlo chunk (reps x n x d), so simulate() never holds a huge array.
_CHUNK_FLOATS = 1 << 22

#: Largest sample size: integers up to 2**53 are exact in float64.
_MAX_N = 2**53
# Above this n, per-sample arrays are not built and log(n/(n-1)) is computed as -log1p(-1/n).
_LARGE_N = 2**20


def _check_finite(values: dict, names: str) -> None:
    """Refuse parameters whose closed forms overflow float64 (a silent inf otherwise)."""
    bad = [k for k, v in values.items() if not math.isfinite(v)]
    if bad:
        raise ValueError(f"{names} must keep the closed forms finite in float64; {', '.join(bad)} overflow")


def _check_reps(reps, n: int, d: int) -> int:
    """``reps`` as a size; refused up front when reps x n x d normals could not be drawn in reasonable time."""
    reps = as_size(reps, "reps", low=2)
    if reps * n * d > MAX_SIZE:
        most = MAX_SIZE // (n * d)
        limit = f"at most {most} here" if most >= 2 else f"impossible here (n x d = {n * d} is too large to simulate)"
        raise ValueError(f"`reps` must be {limit}: reps x n x d = {reps * n * d} normals exceed {MAX_SIZE} "
                         f"(too long to draw); got {reps}")
    return reps


def _chunks(reps: int, per_rep: int):
    size = max(1, _CHUNK_FLOATS // max(1, per_rep))
    start = 0
    while start < reps:
        stop = min(reps, start + size)
        yield stop - start
        start = stop


def _sample_stats(rng: np.random.Generator, reps: int, n: int, d: int, sigma2: float, mean: float):
    """Really sample ``reps`` data sets; return (sample means, mean within-sample sq. distance)."""
    zbar = np.empty((reps, d))
    within = np.empty(reps)
    sd = math.sqrt(sigma2)
    pos = 0
    for size in _chunks(reps, n * d):
        z = mean + sd * rng.standard_normal((size, n, d))
        zb = z.mean(axis=1)
        zbar[pos:pos + size] = zb
        within[pos:pos + size] = np.sum((z - zb[:, None, :]) ** 2, axis=(1, 2)) / n
        pos += size
    return zbar, within


@dataclass(frozen=True)
class GaussianMeanEstimation:
    r"""Sample-mean estimator of a Gaussian mean under squared loss.

    .. math::

        Z_i\sim N(m,\sigma^2 I_d),\quad W=\frac1n\sum_i Z_i,\quad \ell(w,z)=\|w-z\|^2.

    Parameters
    ----------
    n : int
        Sample size, ``1 <= n <= 2**53``.
    d : int, default 1
        Dimension, ``>= 1``.
    sigma2 : float, default 1.0
        Per-coordinate variance :math:`\sigma^2 > 0`.
    mean : float, default 0.0
        The true mean :math:`m` (every coordinate); no closed form depends on it.

    References
    ----------
    Y. Bu, S. Zou and V. V. Veeravalli, "Tightening mutual information-based bounds on
    generalization error", IEEE JSAIT 1(1) 2020, Gaussian mean estimation example.

    Examples
    --------
    With :math:`n = 4`, :math:`d = 2`, :math:`\sigma^2 = 1`: ``gen = 2 * 1 * 2 / 4 = 1`` and
    :math:`I(W;Z_i) = \tfrac22\log\tfrac43 = \log(4/3)`; the individual-sample bound is finite and
    at least ``gen`` while Xu–Raginsky is infinite, and a seeded Monte Carlo estimate lies within
    3 standard errors of 1.

    >>> import math
    >>> from theory.testbeds.gaussian_mean import GaussianMeanEstimation
    >>> m = GaussianMeanEstimation(4, d=2)
    >>> m.generalization_error()
    1.0
    >>> math.isclose(m.mutual_information_individual(), math.log(4 / 3))
    True
    >>> m.generalization_error() <= m.individual_sample_bound() < m.xu_raginsky_bound()
    True
    >>> est = m.simulate(2000, rng=0)
    >>> abs(est.value - 1.0) <= 3 * est.se
    True
    """

    n: int
    d: int = 1
    sigma2: float = 1.0
    mean: float = 0.0

    def __post_init__(self):
        object.__setattr__(self, "n", as_int(self.n, "n", low=1, high=_MAX_N))
        object.__setattr__(self, "d", as_size(self.d, "d"))
        object.__setattr__(self, "sigma2", check_positive(self.sigma2, "sigma2"))
        object.__setattr__(self, "mean", as_float(self.mean, "mean"))
        _check_finite({"c": self.c, "gen": 2.0 * self.sigma2 * self.d, "bound": self.sigma2 * self.d * math.sqrt(2.0)},
                      "`sigma2` and `d`")

    @property
    def c(self) -> float:
        r""":math:`c=\sigma^2(n+1)/n`, the scale of :math:`\ell(\tilde W,\tilde Z)=c\,\chi^2_d`."""
        return self.sigma2 * (self.n + 1) / self.n

    def generalization_error(self) -> float:
        r"""Exact expected generalization error.

        .. math:: \mathrm{gen} = E[L_\mu(W) - L_S(W)] = \frac{2\sigma^2 d}{n}.

        Returns
        -------
        float

        References
        ----------
        Derived here (checked by Monte Carlo in the tests): :math:`E L_\mu(W)=\sigma^2d(1+1/n)`,
        :math:`E L_S(W)=\sigma^2d(1-1/n)`.
        """
        return 2.0 * self.sigma2 * self.d / self.n

    def mutual_information_individual(self) -> float:
        r"""Individual-sample mutual information :math:`I(W;Z_i)`.

        .. math:: I(W;Z_i) = \frac d2\log\frac{n}{n-1}\quad (n\ge 2),

        since per coordinate :math:`\operatorname{Var}W=\sigma^2/n` and
        :math:`\operatorname{Var}(W|Z_i)=\sigma^2(n-1)/n^2`. For ``n = 1``, :math:`W=Z_1` and the
        information is infinite (``math.inf``).

        Returns
        -------
        float
            Nats.

        References
        ----------
        Y. Bu, S. Zou and V. V. Veeravalli, IEEE JSAIT 2020, Gaussian mean estimation example.
        """
        if self.n == 1:
            return math.inf
        if self.n <= _LARGE_N:
            return 0.5 * self.d * (math.log(self.n) - math.log(self.n - 1))
        # for large n the difference of logs loses its digits (it is exactly 0 beyond ~1e16)
        return -0.5 * self.d * math.log1p(-1.0 / self.n)

    def mutual_information_full(self) -> float:
        r""":math:`I(S;W)=\infty`: :math:`W` is a deterministic function of :math:`S` with a
        continuous distribution.

        .. math:: I(S;W) = h(W) - h(W|S) = h(W) - (-\infty) = \infty.

        Returns
        -------
        float
            ``math.inf``.

        References
        ----------
        A. Xu and M. Raginsky, NeurIPS 2017 (discussion of deterministic algorithms).
        """
        return math.inf

    def cgf(self, t: float | ArrayLike) -> float | np.ndarray:
        r"""Centred CGF of the loss under :math:`P_W\otimes\mu`, lower tail: :math:`\Lambda(-t)`.

        .. math::

            \Lambda(-t) = \log E\,e^{-t(\ell(\tilde W,\tilde Z)-E\ell)}
                        = d c t - \frac d2\log(1+2ct),\qquad c=\sigma^2\frac{n+1}{n},

        because :math:`\tilde W-\tilde Z\sim N(0,c I_d)`, so :math:`\ell=c\,\chi^2_d`.
        Computed as :math:`\tfrac d2(u-\log(1+u))`, :math:`u=2ct`, with a series for small
        :math:`u` (no cancellation; exactly :math:`\ge 0`).

        Parameters
        ----------
        t : float or array_like
            :math:`t\ge 0` (finite).

        Returns
        -------
        float or numpy.ndarray
            Same shape as ``t``.

        References
        ----------
        Derived here (checked in the tests) from the chi-square moment generating function
        :math:`E e^{s\chi^2_d}=(1-2s)^{-d/2}`.
        """
        scalar = np.ndim(t) == 0
        tt = as_array(t, "t", nonnegative=True)
        shape = tt.shape
        with np.errstate(over="ignore"):
            u = 2.0 * self.c * tt.reshape(-1)
        if not np.all(np.isfinite(u)):
            raise ValueError(f"`t` must be at most {np.finfo(float).max / (2.0 * self.c):.6g} (2 c t must be finite); "
                             f"got max {tt.max():.6g}")
        small = u < 1e-3
        out = np.empty_like(u)
        us = u[small]
        out[small] = us * us * (0.5 - us * (1 / 3 - us * (0.25 - us * (0.2 - us / 6))))
        ul = u[~small]
        out[~small] = ul - np.log1p(ul)
        with np.errstate(over="ignore"):
            out *= 0.5 * self.d
        if not np.all(np.isfinite(out)):
            raise ValueError("`t` is too large: the CGF d/2 (2ct - log(1 + 2ct)) overflows float64")
        return float(out[0]) if scalar else out.reshape(shape)

    def individual_sample_bound(self) -> float:
        r"""The individual-sample bound of Bu, Zou and Veeravalli in its CGF form.

        .. math::

            \mathrm{gen}\le\frac1n\sum_i\inf_{t>0}\frac{I(W;Z_i)+\Lambda(-t)}{t},

        computed through :func:`theory.bounds.individual_sample_cgf` with ``psi = self.cgf``.

        Returns
        -------
        float
            ``inf`` for ``n = 1``.

        References
        ----------
        Y. Bu, S. Zou and V. V. Veeravalli, IEEE JSAIT 2020, Theorem 1 and the Gaussian mean
        estimation example (theorem numbering as recalled, not checked against the paper's text).
        """
        # every I(W; Z_i) is the same, so for large n the average over i is its single value
        # (no n-array in memory)
        mis = np.full(self.n if self.n <= _LARGE_N else 1, self.mutual_information_individual())
        return bounds.individual_sample_cgf(mis, self.cgf)

    def individual_sample_bound_asymptotic(self) -> float:
        r"""Leading-order value of :meth:`individual_sample_bound` for large ``n``.

        .. math:: \sigma^2 d\sqrt{2/n}

        The exact bound divided by this is
        :math:`1-\tfrac{\sqrt2}{3\sqrt n}+\tfrac{47}{36n}+O(n^{-3/2})` (expansion derived here
        and checked in the tests).

        Returns
        -------
        float

        References
        ----------
        Derived here (asymptotic expansion of the exact bound); checked in the tests.
        """
        return self.sigma2 * self.d * math.sqrt(2.0 / self.n)

    def xu_raginsky_bound(self) -> float:
        r"""Xu–Raginsky bound :math:`\sqrt{2\sigma^2 I(S;W)/n}`: infinite here (``math.inf``).

        .. math:: \sqrt{2\sigma^2\cdot\infty/n}=\infty.

        (The squared loss is not sub-Gaussian either, so no finite :math:`\sigma` exists.)

        Returns
        -------
        float
            ``math.inf``.

        References
        ----------
        A. Xu and M. Raginsky, NeurIPS 2017, Theorem 1.
        """
        return math.inf

    def under_shift(self, delta: float) -> "ShiftedGaussianMean":
        r"""The same estimator evaluated on a shifted test law.

        .. math:: \mu'=N(m+\delta\mathbf 1,\sigma^2 I_d)\quad(\|\delta\mathbf 1\|^2=d\delta^2).

        Parameters
        ----------
        delta : float
            Shift of the test mean in every coordinate, finite.

        Returns
        -------
        ShiftedGaussianMean

        Examples
        --------
        >>> GaussianMeanEstimation(10, d=2).under_shift(0.5).generalization_error()
        0.9
        """
        return ShiftedGaussianMean(self.n, self.d, self.sigma2, self.mean, delta)

    def simulate(self, reps: int, rng: np.random.Generator | int | None = None) -> Measurement:
        r"""Monte Carlo estimate of :math:`\mathrm{gen}` with its standard error.

        .. math::

            \widehat{\mathrm{gen}} = \frac1R\sum_{r=1}^R
              \big(\|W_r-m\|^2+\sigma^2 d - L_{S_r}(W_r)\big),

        sampling each data set :math:`S_r` (``reps x n x d`` normals, in chunks) and
        :math:`W_r=\bar Z_r`.

        Parameters
        ----------
        reps : int
            Number of data sets, ``>= 2``, with ``reps * n * d <= 10**9`` normals (a larger count
            is refused up front).
        rng : None, int or numpy.random.Generator

        Returns
        -------
        theory.claims.Measurement
        """
        reps = _check_reps(reps, self.n, self.d)
        gen = check_rng(rng)
        # sampled around 0 and compared with 0: the same draws as around ``mean`` and compared with
        # ``mean``, without losing the sample's spread to rounding when |mean| is large
        zbar, within = _sample_stats(gen, reps, self.n, self.d, self.sigma2, 0.0)
        emp = within                                   # L_S(W) = (1/n) sum ||Z_i - zbar||^2
        pop = np.sum(zbar ** 2, axis=1) + self.sigma2 * self.d
        return Measurement.from_samples(pop - emp)


@dataclass(frozen=True)
class ShiftedGaussianMean:
    r"""Sample-mean estimator trained on :math:`N(m,\sigma^2I_d)`, tested on a shifted Gaussian.

    .. math::

        Z_i\sim\mu=N(m,\sigma^2 I_d),\quad W=\bar Z,\quad
        \mu'=N(m+\delta\mathbf 1,\sigma^2 I_d),\quad \ell(w,z)=\|w-z\|^2,

    with generalization error under shift :math:`\mathrm{gen}'=E L_{\mu'}(W)-E L_S(W)`.
    Usually built by :meth:`GaussianMeanEstimation.under_shift`.

    Parameters
    ----------
    n : int
        Sample size, ``1 <= n <= 2**53``.
    d : int, default 1
    sigma2 : float, default 1.0
        Per-coordinate variance, ``> 0``.
    mean : float, default 0.0
        Training mean :math:`m` (every coordinate); no closed form depends on it.
    delta : float, default 0.0
        Shift of the test mean in every coordinate, finite.

    References
    ----------
    X. Wu, J. H. Manton, U. Aickelin and J. Zhu, "Information-theoretic analysis for transfer
    learning", ISIT 2020, and IEEE Trans. Inf. Theory (2024) (the bound; the Gaussian closed
    forms are derived here and checked by Monte Carlo in the tests).

    Examples
    --------
    With :math:`n = 10`, :math:`d = 2`, :math:`\sigma^2 = 1` and shift :math:`\delta = 0.5`:
    ``gen' = 2 * 1 * 2 / 10 + 2 * 0.25 = 0.9`` and
    :math:`D(\mu\|\mu') = 2 \cdot 0.25 / 2 = 0.25`; the shift-aware bound is at least ``gen'``.

    >>> from theory.testbeds.gaussian_mean import ShiftedGaussianMean
    >>> s = ShiftedGaussianMean(10, d=2, delta=0.5)
    >>> round(s.generalization_error(), 12), round(s.kl_train_test(), 12)
    (0.9, 0.25)
    >>> s.individual_sample_bound() >= s.generalization_error()
    True
    """

    n: int
    d: int = 1
    sigma2: float = 1.0
    mean: float = 0.0
    delta: float = 0.0

    def __post_init__(self):
        base = GaussianMeanEstimation(self.n, self.d, self.sigma2, self.mean)
        object.__setattr__(self, "n", base.n)
        object.__setattr__(self, "d", base.d)
        object.__setattr__(self, "sigma2", base.sigma2)
        object.__setattr__(self, "mean", base.mean)
        object.__setattr__(self, "delta", as_float(self.delta, "delta"))
        with np.errstate(over="ignore"):
            s2 = self.d * self.delta * self.delta
            vals = {"d delta^2": s2, "kl": s2 / (2.0 * self.sigma2), "gen": 2.0 * self.sigma2 * self.d / self.n + s2,
                    "c d + d delta^2": base.c * self.d + s2}
        _check_finite(vals, "`delta`, `sigma2` and `d`")

    @property
    def base(self) -> GaussianMeanEstimation:
        """The unshifted testbed (same ``n``, ``d``, ``sigma2``, ``mean``)."""
        return GaussianMeanEstimation(self.n, self.d, self.sigma2, self.mean)

    @property
    def c(self) -> float:
        r""":math:`c=\sigma^2(n+1)/n`: :math:`\tilde W-\tilde Z'\sim N(-\delta\mathbf 1, cI_d)`."""
        return self.sigma2 * (self.n + 1) / self.n

    @property
    def shift_norm2(self) -> float:
        r""":math:`\|\delta\mathbf 1\|^2=d\delta^2`."""
        return self.d * self.delta * self.delta

    def generalization_error(self) -> float:
        r"""Exact expected generalization error under shift.

        .. math::

            \mathrm{gen}'=E L_{\mu'}(W)-E L_S(W)=\frac{2\sigma^2d}{n}+d\delta^2,

        since :math:`E L_{\mu'}(W)=E\|W-m-\delta\mathbf 1\|^2+\sigma^2d=\sigma^2d/n+d\delta^2+
        \sigma^2 d` and :math:`E L_S(W)=\sigma^2d(1-1/n)`.

        Returns
        -------
        float

        References
        ----------
        Derived here; checked by Monte Carlo in the tests.
        """
        return 2.0 * self.sigma2 * self.d / self.n + self.shift_norm2

    def kl_train_test(self) -> float:
        r"""Train‖test divergence :math:`D(\mu\|\mu')=\|\delta\mathbf 1\|^2/(2\sigma^2)`.

        .. math:: D(N(m,\sigma^2I)\,\|\,N(m+\delta\mathbf 1,\sigma^2I))=\frac{d\delta^2}{2\sigma^2}.

        Returns
        -------
        float
            Nats.
        """
        return self.shift_norm2 / (2.0 * self.sigma2)

    def mutual_information_individual(self) -> float:
        r""":math:`I(W;Z_i)=\frac d2\log\frac n{n-1}` (training is unchanged by the shift).

        .. math:: I(W;Z_i) = \frac d2\log\frac{n}{n-1}.

        Returns
        -------
        float
            Nats (``inf`` for ``n = 1``).
        """
        return self.base.mutual_information_individual()

    def cgf(self, t: float | ArrayLike) -> float | np.ndarray:
        r"""Centred lower-tail CGF of the loss under :math:`P_W\otimes\mu'`: :math:`\Lambda'(-t)`.

        .. math::

            \Lambda'(-t)=\log E\,e^{-t(\ell(\tilde W,\tilde Z')-E\ell)}
              = t(dc+\|\delta\|^2)-\frac d2\log(1+2ct)-\frac{t\|\delta\|^2}{1+2ct},

        because :math:`\ell=\|X\|^2` with :math:`X\sim N(-\delta\mathbf 1,cI_d)` and, per
        coordinate, :math:`E e^{-tX_j^2}=(1+2ct)^{-1/2}\exp(-t\delta^2/(1+2ct))`. Computed as
        :math:`\tfrac d2(u-\log(1+u))+t\|\delta\|^2\,u/(1+u)`, :math:`u=2ct` (both terms
        :math:`\ge 0`, no cancellation).

        Parameters
        ----------
        t : float or array_like
            :math:`t\ge 0`, finite.

        Returns
        -------
        float or numpy.ndarray
            Same shape as ``t``.

        References
        ----------
        Derived here (non-central chi-square moment generating function); checked by quadrature
        in the tests.
        """
        base = self.base.cgf(t)
        tt = np.asarray(t, dtype=float)
        u = 2.0 * self.c * tt
        with np.errstate(over="ignore", invalid="ignore"):
            extra = tt * self.shift_norm2 * (u / (1.0 + u))
            out = base + extra
        if not np.all(np.isfinite(out)):
            raise ValueError("`t` is too large: the CGF overflows float64")
        return float(out) if np.ndim(out) == 0 else out

    def individual_sample_bound(self) -> float:
        r"""The shift-aware individual-sample bound of Wu et al. in its CGF form.

        .. math::

            \mathrm{gen}'\le\frac1n\sum_i\inf_{t>0}\frac{I(W;Z_i)+D(\mu\|\mu')+\Lambda'(-t)}{t},

        computed by :func:`theory.shift.wu_cgf_bound` with ``cgf = self.cgf``.

        Returns
        -------
        float
            ``inf`` for ``n = 1``.

        References
        ----------
        X. Wu, J. H. Manton, U. Aickelin and J. Zhu, ISIT 2020 / IEEE T-IT 2024 (form as
        recalled).
        """
        mis = np.full(self.n if self.n <= _LARGE_N else 1, self.mutual_information_individual())
        return _shift.wu_cgf_bound(mis, self.kl_train_test(), self.cgf)

    def simulate(self, reps: int, rng: np.random.Generator | int | None = None) -> Measurement:
        r"""Monte Carlo estimate of :math:`\mathrm{gen}'` with its standard error.

        .. math::

            \widehat{\mathrm{gen}}'=\frac1R\sum_{r=1}^R
              \big(\|W_r-m-\delta\mathbf 1\|^2+\sigma^2 d-L_{S_r}(W_r)\big).

        Parameters
        ----------
        reps : int
            Number of data sets, ``>= 2``, with ``reps * n * d <= 10**9``.
        rng : None, int or numpy.random.Generator

        Returns
        -------
        theory.claims.Measurement
        """
        reps = _check_reps(reps, self.n, self.d)
        gen = check_rng(rng)
        zbar, within = _sample_stats(gen, reps, self.n, self.d, self.sigma2, 0.0)
        pop = np.sum((zbar - self.delta) ** 2, axis=1) + self.sigma2 * self.d
        return Measurement.from_samples(pop - within)


@dataclass(frozen=True)
class GibbsGaussianMean:
    r"""Gibbs posterior for the Gaussian mean under squared loss.

    .. math::

        P(w|s)\propto\pi(w)\,e^{-\gamma L_s(w)},\quad \pi=N(m_0,\sigma_0^2 I_d)
        \implies W|S\sim N\big(v(m_0/\sigma_0^2+2\gamma\bar z),\,vI_d\big),\quad
        v=\frac{1}{1/\sigma_0^2+2\gamma}.

    Parameters
    ----------
    n : int
        Sample size, ``1 <= n <= 2**53``.
    gamma : float
        Inverse temperature, ``> 0``.
    d : int, default 1
    sigma2 : float, default 1.0
        Data variance per coordinate.
    prior_mean : float, default 0.0
        :math:`m_0` (every coordinate).
    prior_var : float, default 1.0
        :math:`\sigma_0^2 > 0`.
    mean : float, default 0.0
        The true data mean :math:`m`.

    References
    ----------
    G. Aminian, Y. Bu, L. Toni, M. R. D. Rodrigues and G. Wornell, "An exact characterization
    of the generalization error for the Gibbs algorithm", NeurIPS 2021, Theorem 1 and the
    Gaussian mean example.

    Examples
    --------
    With :math:`n = 2`, :math:`\gamma = 2` and unit prior and data variances:
    :math:`v = 1/(1 + 4) = 0.2`, :math:`a = 2 \cdot 2 \cdot 0.2 = 0.8`,
    ``gen = 2 * 0.8 * 1 * 1 / 2 = 0.8`` and :math:`I_{SKL} = 0.64 / (2 \cdot 0.2) = 1.6`, so that
    :math:`I_{SKL}/\gamma = 0.8 = \mathrm{gen}` (Aminian et al.'s identity).

    >>> from theory.testbeds.gaussian_mean import GibbsGaussianMean
    >>> g = GibbsGaussianMean(2, 2.0)
    >>> round(g.posterior_variance, 12), round(g.shrinkage, 12)
    (0.2, 0.8)
    >>> round(g.generalization_error(), 12), round(g.symmetrized_kl_information() / g.gamma, 12)
    (0.8, 0.8)
    """

    n: int
    gamma: float
    d: int = 1
    sigma2: float = 1.0
    prior_mean: float = 0.0
    prior_var: float = 1.0
    mean: float = 0.0

    def __post_init__(self):
        object.__setattr__(self, "n", as_int(self.n, "n", low=1, high=_MAX_N))
        object.__setattr__(self, "gamma", check_positive(self.gamma, "gamma"))
        object.__setattr__(self, "d", as_size(self.d, "d"))
        object.__setattr__(self, "sigma2", check_positive(self.sigma2, "sigma2"))
        object.__setattr__(self, "prior_mean", as_float(self.prior_mean, "prior_mean"))
        object.__setattr__(self, "prior_var", check_positive(self.prior_var, "prior_var"))
        object.__setattr__(self, "mean", as_float(self.mean, "mean"))
        with np.errstate(over="ignore", invalid="ignore"):
            v = self.posterior_variance
            a = self.shrinkage
            vals = {"2 gamma": 2.0 * self.gamma, "1/prior_var": 1.0 / self.prior_var, "v": v, "a": a,
                    "gen": 2.0 * a * self.sigma2 * self.d,
                    "I_SKL": a * a * self.sigma2 * self.d / v if v > 0 else math.inf,
                    "prior_mean - mean": self.prior_mean - self.mean}
        _check_finite(vals, "`gamma`, `prior_var`, `sigma2`, `d`, `prior_mean` and `mean`")
        if not v > 0:
            raise ValueError("`gamma` and `prior_var` must keep the posterior variance 1/(1/prior_var + 2 gamma) "
                             "positive in float64")

    @property
    def posterior_variance(self) -> float:
        r""":math:`v = 1/(1/\sigma_0^2 + 2\gamma)`."""
        return 1.0 / (1.0 / self.prior_var + 2.0 * self.gamma)

    @property
    def shrinkage(self) -> float:
        r""":math:`a = 2\gamma v\in(0,1)`, the weight of :math:`\bar z` in the posterior mean."""
        return 2.0 * self.gamma * self.posterior_variance

    def generalization_error(self) -> float:
        r"""Exact expected generalization error.

        .. math:: \mathrm{gen} = \frac{2 a\sigma^2 d}{n}.

        Returns
        -------
        float

        References
        ----------
        Derived here; checked by Monte Carlo in the tests.
        """
        return 2.0 * self.shrinkage * self.sigma2 * self.d / self.n

    def symmetrized_kl_information(self) -> float:
        r"""Symmetrized KL information :math:`I_{SKL}(W;S)=I(W;S)+L(W;S)`.

        .. math:: I_{SKL}(W;S) = \frac{a^2\sigma^2 d}{n v}.

        (Per coordinate :math:`(W,\bar Z)` is bivariate Gaussian with squared correlation
        :math:`\rho^2`, and :math:`I_{SKL}=\rho^2/(1-\rho^2)=a^2\sigma^2/(nv)`.)

        Returns
        -------
        float
            Nats.

        References
        ----------
        G. Aminian et al., NeurIPS 2021, Theorem 1 and the Gaussian mean example.
        """
        v = self.posterior_variance
        a = self.shrinkage
        return a * a * self.sigma2 * self.d / (self.n * v)

    def simulate(self, reps: int, rng: np.random.Generator | int | None = None) -> Measurement:
        r"""Monte Carlo estimate of :math:`\mathrm{gen}` with its standard error.

        .. math::

            \widehat{\mathrm{gen}}=\frac1R\sum_r\big(\|W_r-m\|^2+\sigma^2d-L_{S_r}(W_r)\big),
            \qquad L_s(w)=\|w-\bar z\|^2+\frac1n\sum_i\|z_i-\bar z\|^2,

        sampling each data set, then :math:`W_r` from the posterior.

        Parameters
        ----------
        reps : int
            Number of data sets, ``>= 2``, with ``reps * n * d <= 10**9`` normals (a larger count
            is refused up front).
        rng : None, int or numpy.random.Generator

        Returns
        -------
        theory.claims.Measurement
        """
        reps = _check_reps(reps, self.n, self.d)
        gen = check_rng(rng)
        # everything relative to the true mean m (same draws; no rounding loss when |m| is large):
        # zbar - m, and the posterior mean minus m = v (m0 - m)/σ0² + a (zbar - m)  (since 1 - a = v/σ0²)
        zbar, within = _sample_stats(gen, reps, self.n, self.d, self.sigma2, 0.0)
        v = self.posterior_variance
        post_mean = v * (self.prior_mean - self.mean) / self.prior_var + self.shrinkage * zbar
        w = post_mean + math.sqrt(v) * gen.standard_normal(zbar.shape)
        emp = np.sum((w - zbar) ** 2, axis=1) + within
        pop = np.sum(w ** 2, axis=1) + self.sigma2 * self.d
        return Measurement.from_samples(pop - emp)
