r"""Symbolic derivations of the closed forms of the linear-regression and Gaussian-mean testbeds.

Every expression here is *derived from the model* with sympy (Gaussian moments, covariance
determinants, integration against a density, completing the square), not typed in from the
closed forms. The numeric testbeds (:mod:`theory.testbeds.linear`,
:mod:`theory.testbeds.gaussian_mean`) implement the closed forms directly; the tests compare the
two, so each is an independent check on the other.

The derivations are cached (each public constructor runs once per process) and return frozen
dataclasses of sympy expressions; ``.evaluate(**values)`` turns them into floats.

Building blocks
---------------
:func:`gaussian_expectation`
    Exact expectation of a polynomial in independent centred Gaussians, from their moments
    :math:`E X^{2k} = (2k-1)!!\,\sigma^{2k}`, :math:`E X^{2k+1} = 0`.
:func:`gaussian_mutual_information`
    :math:`I(X;Y) = \tfrac12\log\frac{\operatorname{Var}X\operatorname{Var}Y}{\det\Sigma}`
    for a jointly Gaussian scalar pair.
:func:`numeric`
    Evaluate an expression at named values (a cached :func:`sympy.lambdify`).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike
import sympy as sp

from ._checks import _fail, as_array, as_float, as_int, check_positive

__all__ = [
    "gaussian_expectation",
    "gaussian_mutual_information",
    "numeric",
    "LinearRegressionCoordinate",
    "linear_regression_coordinate",
    "OLSResidual",
    "ols_residual",
    "LinearOptimum",
    "linear_regression_optimal_theta",
    "GaussianMean",
    "gaussian_mean",
    "GibbsGaussianMean",
    "gibbs_gaussian_mean",
]

# --------------------------------------------------------------------------------------------
# Symbols (shared by the derivations; names match the keyword arguments of ``evaluate``)
# --------------------------------------------------------------------------------------------
sigma2 = sp.Symbol("sigma2", positive=True)      # noise variance
n = sp.Symbol("n", positive=True)                # sample size
lam = sp.Symbol("lam", positive=True)            # feature eigenvalue lambda_i
tau2 = sp.Symbol("tau2", positive=True)          # prior variance of w*_i
t = sp.Symbol("t", positive=True)                # compression factor D_i / v_i (linear) / CGF argument
d = sp.Symbol("d", positive=True)                # dimension
gamma = sp.Symbol("gamma", positive=True)        # Gibbs inverse temperature
prior_var = sp.Symbol("prior_var", positive=True)  # Gibbs prior variance sigma_0^2
prior_mean = sp.Symbol("prior_mean", real=True)  # Gibbs prior mean m_0
mean = sp.Symbol("mean", real=True)              # true mean m of Z
zbar = sp.Symbol("zbar", real=True)              # sample mean (1/n) sum_i z_i


# --------------------------------------------------------------------------------------------
# Building blocks
# --------------------------------------------------------------------------------------------
#: Most terms the expansion of an expression may have (a bound from its tree, checked before
#: expanding): beyond it sympy's expansion takes more than a few seconds.
_MAX_TERMS = 10**4
#: Highest total degree in the Gaussian variables (sympy's polynomial is dense in the degree).
_MAX_DEGREE = 1000


def _as_expr(expr, name: str) -> sp.Expr:
    """A sympy expression or a real number (strings are refused: sympify would evaluate them)."""
    if isinstance(expr, (bool, np.bool_, str)) or not isinstance(expr, (sp.Expr, numbers.Number, np.number)):
        raise TypeError(f"`{name}` must be a sympy expression or a number; got {type(expr).__name__}")
    return sp.sympify(expr)


def _check_real_value(e: sp.Expr, name: str, *, positive: bool = False) -> None:
    """Refuse an expression known to be NaN, infinite, non-real or (``positive``) not > 0."""
    if e.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        raise ValueError(f"`{name}` must be finite, not NaN or infinite; got {e}")
    if e.is_extended_real is False:
        raise ValueError(f"`{name}` must be real; got {e}")
    if positive and e.is_positive is False:
        raise ValueError(f"`{name}` must be > 0; got {e}")


def _size_bounds(e: sp.Basic, gs: frozenset) -> tuple[int, int]:
    """(bound on the number of terms of ``expand(e)``, bound on its degree in ``gs``)."""
    cap = _MAX_TERMS + 1
    if e in gs:
        return 1, 1
    if e.is_Atom:
        return 1, 0
    if e.is_Add or e.is_Mul:
        parts = [_size_bounds(a, gs) for a in e.args]
        if e.is_Add:
            return min(sum(t for t, _ in parts), cap), max(g for _, g in parts)
        terms = 1
        for t, _ in parts:
            terms = min(terms * t, cap)
        return terms, sum(g for _, g in parts)
    if e.is_Pow and e.exp.is_Integer:
        t, g = _size_bounds(e.base, gs)
        k = abs(int(e.exp))
        if k > _MAX_DEGREE * 10:
            return (cap if t > 1 else 1), (g * k if k > 0 else 0)
        return min(math.comb(t + k - 1, k), cap), g * k
    for a in e.args:                                # a function of sub-expressions
        _size_bounds(a, gs)
    return 1, 0


def _double_factorial_odd(k: int) -> int:
    """(k-1)!! for even k >= 0 (the k-th moment of N(0, 1))."""
    out = 1
    for j in range(k - 1, 0, -2):
        out *= j
    return out


def gaussian_expectation(expr: sp.Expr, variances: Mapping[sp.Symbol, sp.Expr]) -> sp.Expr:
    r"""Exact expectation of a polynomial in independent centred Gaussian variables.

    The polynomial is expanded and each monomial is replaced by the product of the moments of
    its factors.

    .. math::

        E\Bigl[\prod_j X_j^{k_j}\Bigr] = \prod_j m_{k_j}(s_j^2), \qquad
        m_k(s^2) = \begin{cases} (k-1)!!\, (s^2)^{k/2} & k \text{ even} \\
        0 & k \text{ odd} \end{cases}

    for independent :math:`X_j \sim N(0, s_j^2)`.

    Parameters
    ----------
    expr : sympy expression
        Polynomial in the keys of ``variances``; other symbols are treated as constants.
    variances : mapping ``sympy.Symbol -> sympy expression``
        The variance :math:`s_j^2` of each Gaussian variable :math:`X_j`.

    Returns
    -------
    sympy.Expr
        :math:`E[\text{expr}]`, simplified with :func:`sympy.cancel`.

    Raises
    ------
    ValueError
        If ``variances`` is empty, holds a non-symbol key or a negative, NaN, infinite or
        non-real variance, or ``expr`` is not a polynomial in the Gaussian variables, or its
        expansion would exceed 10 000 terms or degree 1000 (refused before expanding).
    TypeError
        If ``expr`` is not a sympy expression or a number (a string is refused), or
        ``variances`` is not a mapping.

    References
    ----------
    Isserlis, L. (1918), Biometrika 12 (moments of the multivariate normal distribution).
    The even moments of a centred Gaussian are standard.

    Examples
    --------
    The fourth moment of :math:`N(0, s)` is :math:`3!!\,s^2 = 3s^2`; for independent
    :math:`X \sim N(0, 1)`, :math:`Y \sim N(0, 2)`, :math:`E(X+Y)^2 = 1 + 2 = 3` (the cross term
    vanishes).

    >>> import sympy as sp
    >>> from theory.symbolic import gaussian_expectation
    >>> x, y = sp.symbols("x y", real=True)
    >>> s = sp.Symbol("s", positive=True)
    >>> gaussian_expectation(x**4, {x: s})
    3*s**2
    >>> gaussian_expectation((x + y)**2, {x: 1, y: 2})
    3
    """
    if not isinstance(variances, Mapping):
        raise TypeError(f"`variances` must be a mapping from sympy Symbols to variances; "
                        f"got {type(variances).__name__}")
    if not variances:
        raise ValueError("`variances` must name at least one Gaussian variable")
    gs = list(variances)
    if not all(isinstance(g, sp.Symbol) for g in gs):
        raise ValueError("`variances` must map sympy Symbols to their variances")
    for g in gs:
        _check_real_value(_as_expr(variances[g], "variances"), "variances")
        if sp.sympify(variances[g]).is_negative:
            raise ValueError(f"`variances` must be >= 0; got {variances[g]} for {g}")
    expr = _as_expr(expr, "expr")
    terms, degree = _size_bounds(expr, frozenset(gs))
    if terms > _MAX_TERMS or degree > _MAX_DEGREE:
        raise ValueError(f"`expr` must expand to at most {_MAX_TERMS} terms of degree at most "
                         f"{_MAX_DEGREE} in the Gaussian variables (a larger expansion cannot be "
                         f"computed in reasonable time)")
    expanded = sp.expand(expr)
    try:
        poly = sp.Poly(expanded, *gs)
    except sp.PolynomialError as exc:
        raise ValueError(f"`expr` must be a polynomial in the Gaussian variables {gs}: {exc}") from None
    # Coefficients must not depend on the Gaussian variables (e.g. sqrt(X) or exp(X))
    for coeff in poly.coeffs():
        if sp.sympify(coeff).free_symbols & set(gs):
            raise ValueError(f"`expr` must be a polynomial in the Gaussian variables {gs}")
    total = sp.Integer(0)
    for monom, coeff in poly.terms():
        term = coeff
        for g, k in zip(gs, monom):
            if k % 2:
                term = 0
                break
            term *= _double_factorial_odd(k) * sp.sympify(variances[g]) ** (k // 2)
        total += term
    return sp.cancel(total)


def gaussian_mutual_information(var_x: sp.Expr, var_y: sp.Expr, cov: sp.Expr) -> sp.Expr:
    r"""Mutual information of a jointly Gaussian scalar pair from its covariance matrix.

    .. math::

        I(X;Y) = \tfrac12 \log \frac{\operatorname{Var}X \operatorname{Var}Y}
        {\det \begin{pmatrix}\operatorname{Var}X & c\\ c & \operatorname{Var}Y\end{pmatrix}}
        = -\tfrac12\log(1-\rho^2)

    Parameters
    ----------
    var_x, var_y, cov : sympy expressions
        Variances and covariance (scalars).

    Returns
    -------
    sympy.Expr
        ``log(ratio)/2`` with the ratio simplified by :func:`sympy.factor` (nats).

    Raises
    ------
    ValueError
        If a variance is known to be ``<= 0``, an argument is NaN, infinite or not real, or
        the determinant is known to be negative (``cov^2 > var_x var_y``).
    TypeError
        If an argument is not a sympy expression or a number.

    References
    ----------
    Cover & Thomas (2006), *Elements of Information Theory*, 2nd ed., Wiley, ch. 8 (differential
    entropy of the multivariate normal; section and equation numbers not checked).

    Examples
    --------
    Unit variances and covariance 1/2 (:math:`\rho = 1/2`):
    :math:`-\tfrac12\log(1 - 1/4) = \tfrac12\log(4/3)`.

    >>> import sympy as sp
    >>> from theory.symbolic import gaussian_mutual_information
    >>> gaussian_mutual_information(1, 1, sp.Rational(1, 2))
    log(4/3)/2
    """
    var_x, var_y, cov = (_as_expr(a, n) for a, n in ((var_x, "var_x"), (var_y, "var_y"), (cov, "cov")))
    _check_real_value(var_x, "var_x", positive=True)
    _check_real_value(var_y, "var_y", positive=True)
    _check_real_value(cov, "cov")
    det = sp.Matrix([[var_x, cov], [cov, var_y]]).det()
    if det.is_negative:
        raise ValueError(f"`cov` must satisfy cov^2 <= var_x * var_y (a positive semi-definite "
                         f"covariance); got cov = {cov}")
    ratio = sp.factor(sp.cancel(var_x * var_y / det))
    return sp.log(ratio) / 2


@lru_cache(maxsize=512)
def _lambdified(expr: sp.Expr, names: tuple[str, ...]):
    syms = sorted(expr.free_symbols, key=lambda s: s.name)
    assert tuple(s.name for s in syms) == names
    return sp.lambdify(syms, expr, modules="numpy")


def numeric(expr: sp.Expr, **values) -> float:
    r"""Evaluate a sympy expression at named values, as a float.

    .. math::

        \text{numeric}(f, x_1{=}a_1, \dots) = f(a_1, \dots)

    Parameters
    ----------
    expr : sympy expression
        Its free symbols are looked up by name in ``values``.
    **values : float
        One finite real value per free symbol of ``expr`` (extra names are ignored). A value
        for a symbol declared positive must be > 0.

    Returns
    -------
    float
        The value; ``inf`` where the expression is genuinely infinite (e.g. a rate at
        ``t = 0``).

    Raises
    ------
    ValueError
        If a symbol has no value, a value is not a finite real number, a positive symbol gets
        a value <= 0, or the result is NaN, complex, or overflows the float range.
    TypeError
        If ``expr`` is not a sympy expression or a number.

    References
    ----------
    Meurer et al. (2017), "SymPy: symbolic computing in Python", PeerJ Computer Science 3:e103.

    Examples
    --------
    :math:`x^2 + y` at :math:`x = 3, y = 1` is ``9 + 1 = 10``.

    >>> import sympy as sp
    >>> from theory.symbolic import numeric
    >>> x, y = sp.symbols("x y", real=True)
    >>> numeric(x**2 + y, x=3, y=1)
    10.0
    """
    expr = _as_expr(expr, "expr")
    syms = sorted(expr.free_symbols, key=lambda s: s.name)
    missing = [s.name for s in syms if s.name not in values]
    if missing:
        raise ValueError(f"`values` must give every free symbol of `expr`; missing {missing}")
    args = []
    for s in syms:
        if s.is_positive:
            v = check_positive(values[s.name], s.name)
        else:
            v = as_float(values[s.name], s.name)
        args.append(np.float64(v))
    fn = _lambdified(expr, tuple(s.name for s in syms))
    try:
        with np.errstate(over="raise", divide="ignore", invalid="ignore", under="ignore"):
            out = np.asarray(fn(*args))
    except (FloatingPointError, OverflowError):
        raise ValueError(f"`values` give {expr} beyond the float range (overflow)") from None
    if np.iscomplexobj(out):
        if abs(out.imag) > 1e-12 * max(1.0, abs(out.real)):
            raise ValueError(f"`values` give a complex value {complex(out)} for {expr}")
        out = out.real
    val = float(out)
    if math.isnan(val):
        raise ValueError(f"`values` give NaN for {expr}; check the arguments' domains")
    return val


class _Evaluable:
    """Mixin: ``evaluate`` over the sympy-expression fields of a frozen dataclass."""

    _required: tuple[str, ...] = ()
    _optional: tuple[str, ...] = ()

    def _check_values(self, values: dict) -> dict:  # overridden for domain checks
        return values

    def evaluate(self, **values) -> dict[str, float]:
        r"""Evaluate every expression field at ``values``.

        .. math::

            \text{out}[f] = \text{numeric}(\text{self}.f, \ast\ast\text{values})

        Parameters
        ----------
        **values : float
            A value for every required symbol (see the class docstring); optional symbols may
            be left out, in which case the fields that depend on them are left out of the result.

        Returns
        -------
        dict[str, float]
            Field name to value (nats for information quantities).

        Raises
        ------
        ValueError
            A required value is missing, a name is unknown, or a value is outside its domain
            (the message names the argument).

        References
        ----------
        See the derivation function of each dataclass.
        """
        allowed = set(self._required) | set(self._optional)
        unknown = sorted(set(values) - allowed)
        if unknown:
            raise ValueError(f"`values` has unknown names {unknown}; allowed: {sorted(allowed)}")
        missing = [k for k in self._required if k not in values]
        if missing:
            raise ValueError(f"`values` must give {list(self._required)}; missing {missing}")
        values = self._check_values(dict(values))
        out = {}
        for f in fields(self):
            e = getattr(self, f.name)
            if not isinstance(e, sp.Basic) or isinstance(e, sp.Symbol):
                continue
            if all(s.name in values for s in e.free_symbols):
                out[f.name] = numeric(e, **values)
        return out


def _simplify(e) -> sp.Expr:
    return sp.factor(sp.simplify(e))


# --------------------------------------------------------------------------------------------
# §4 Compressed linear regression, one whitened coordinate
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LinearRegressionCoordinate(_Evaluable):
    r"""One whitened coordinate of the compressed linear-regression testbed.

    Symbols: ``sigma2`` (noise variance), ``n``, ``lam`` (feature eigenvalue), ``tau2``
    (prior variance), ``t`` (compression factor :math:`D_i/v_i \in (0, 1]`).

    Attributes
    ----------
    whitened_variance : :math:`v = E U^2 = \lambda\tau^2 + \sigma^2/n`.
    reproduction_variance : :math:`E \hat U^2 = (1-t) v`.
    distortion : :math:`E(\hat U - U)^2 = t v`.
    population_excess : :math:`E(\hat U - u^*)^2 = t\lambda\tau^2 + (1-t)\sigma^2/n`, this
        coordinate's share of :math:`E L_\mu(\hat W) - \sigma^2`.
    empirical_contribution : :math:`-\sigma^2/n + t v`, this coordinate's share of
        :math:`E L_S(\hat W) - \sigma^2` (see :func:`ols_residual` for the :math:`-\sigma^2/n`).
    generalization_contribution : population minus empirical share,
        :math:`2(1-t)\sigma^2/n`.
    rate : :math:`I(U;\hat U) = \tfrac12\log(1/t)`.
    conditional_mutual_information : sympy expression
        :math:`I(U;\hat U\mid u^*) = \tfrac12\log\bigl(1 + (1-t)\sigma^2/(n t v)\bigr)`.
    excess_slope : :math:`\partial_t E(\hat U-u^*)^2 = \lambda\tau^2 - \sigma^2/n`.
    theta_slope : :math:`\partial_\theta E(\hat U-u^*)^2` at :math:`t = \theta/v`,
        :math:`(\mathrm{snr}-1)/(\mathrm{snr}+1)`: the coordinate's contribution to the slope of
        the population risk in the water level while it is being compressed (:math:`\theta<v`).
    snr : :math:`n\lambda\tau^2/\sigma^2`; compressing the coordinate lowers the population
        risk iff ``snr < 1`` (``excess_slope = (sigma2/n)(snr - 1)``).
    """

    whitened_variance: sp.Expr
    reproduction_variance: sp.Expr
    distortion: sp.Expr
    population_excess: sp.Expr
    empirical_contribution: sp.Expr
    generalization_contribution: sp.Expr
    rate: sp.Expr
    conditional_mutual_information: sp.Expr
    excess_slope: sp.Expr
    theta_slope: sp.Expr
    snr: sp.Expr

    _required = ("sigma2", "n", "lam", "tau2", "t")

    def _check_values(self, values):
        for k in self._required:
            values[k] = check_positive(values[k], k)
        values["t"] = as_float(values["t"], "t", low=0.0, high=1.0, low_open=True)
        return values


@lru_cache(maxsize=None)
def linear_regression_coordinate() -> LinearRegressionCoordinate:
    r"""Derive one whitened coordinate of the compressed OLS testbed from the model.

    Model (:mod:`theory.testbeds.linear`): :math:`u^* \sim N(0, \lambda\tau^2)`; the whitened OLS estimate
    :math:`U = u^* + e` with :math:`e \sim N(0, \sigma^2/n)` independent; the forward
    Gaussian test channel

    .. math::

        \hat U = (1-t)\,U + \sqrt{t(1-t)v}\,\xi, \qquad v = \lambda\tau^2 + \sigma^2/n,
        \quad \xi \sim N(0,1).

    Expectations are computed by :func:`gaussian_expectation` over :math:`(u^*, e, \xi)`;
    the rates by :func:`gaussian_mutual_information` from the (conditional) covariances. The
    empirical share uses two facts derived in :func:`ols_residual` (on a generic symbolic
    design): the least-squares Pythagoras identity
    :math:`L_S(\hat w) = L_S(W) + (\hat w - W)^\top \Lambda (\hat w - W)
    = L_S(W) + \sum_i (\hat U_i - U_i)^2` and :math:`E L_S(W) = \sigma^2 (n-d)/n`, i.e.
    :math:`-\sigma^2/n` per fitted coordinate (:math:`\operatorname{tr}(I-P) = n-d`). The
    population share uses :math:`L_\mu(w) = \sigma^2 + \sum_i (u_i - u_i^*)^2`.

    .. math::

        E(\hat U-U)^2 = t v,\quad E(\hat U-u^*)^2 = t\lambda\tau^2 + (1-t)\frac{\sigma^2}{n},
        \quad \text{gen}_i = 2(1-t)\frac{\sigma^2}{n},\quad I(U;\hat U) = \tfrac12\log\tfrac1t.

    Returns
    -------
    LinearRegressionCoordinate
        Frozen dataclass of sympy expressions in ``sigma2, n, lam, tau2, t``.

    References
    ----------
    Bu, Gao, Zou, Veeravalli (2020), "Information-theoretic understanding of population risk
    improvement with model compression", AAAI (the tradeoff; the testbed reconstructs its
    linear example, whose exact parameters are not published). Cover & Thomas (2006),
    *Elements of Information Theory*, ch. 10 (Gaussian test channel).

    Examples
    --------
    At :math:`\sigma^2 = n = \lambda = \tau^2 = 1` and :math:`t = 1/4`: :math:`v = 1 + 1 = 2`,
    distortion ``t v = 0.5``, generalization share ``2 * (1 - 1/4) * 1 = 1.5`` and rate
    ``log(1 / (1/4)) / 2 = log 2``.

    >>> import math
    >>> from theory.symbolic import linear_regression_coordinate
    >>> vals = linear_regression_coordinate().evaluate(sigma2=1, n=1, lam=1, tau2=1, t=0.25)
    >>> round(vals["whitened_variance"], 12), round(vals["distortion"], 12)
    (2.0, 0.5)
    >>> round(vals["generalization_contribution"], 12)
    1.5
    >>> math.isclose(vals["rate"], math.log(2))
    True
    """
    us, e, xi = sp.symbols("u_star e xi", real=True)
    var = {us: lam * tau2, e: sigma2 / n, xi: sp.Integer(1)}
    U = us + e
    v = gaussian_expectation(U**2, var)
    Uh = (1 - t) * U + sp.sqrt(t * (1 - t) * v) * xi

    distortion = _simplify(gaussian_expectation((Uh - U) ** 2, var))
    excess = _simplify(gaussian_expectation((Uh - us) ** 2, var))
    empirical = _simplify(-sigma2 / n + distortion)
    gen = _simplify(excess - empirical)

    var_uh = gaussian_expectation(Uh**2, var)
    cov = gaussian_expectation(U * Uh, var)
    rate = gaussian_mutual_information(v, var_uh, cov)

    # Conditional on u*: treat u* as a constant and average over (e, xi) only.
    cvar = {e: sigma2 / n, xi: sp.Integer(1)}
    mu_U = gaussian_expectation(U, cvar)
    mu_Uh = gaussian_expectation(Uh, cvar)
    cvar_u = gaussian_expectation((U - mu_U) ** 2, cvar)
    cvar_uh = gaussian_expectation((Uh - mu_Uh) ** 2, cvar)
    ccov = gaussian_expectation((U - mu_U) * (Uh - mu_Uh), cvar)
    cmi = gaussian_mutual_information(cvar_u, cvar_uh, ccov)

    slope = _simplify(sp.diff(excess, t))
    snr = n * lam * tau2 / sigma2
    theta = sp.Symbol("theta", positive=True)
    theta_slope = _simplify(sp.diff(excess.subs(t, theta / v), theta))
    return LinearRegressionCoordinate(
        whitened_variance=_simplify(v),
        reproduction_variance=_simplify(var_uh),
        distortion=distortion,
        population_excess=excess,
        empirical_contribution=empirical,
        generalization_contribution=gen,
        rate=rate,
        conditional_mutual_information=cmi,
        excess_slope=slope,
        theta_slope=theta_slope,
        snr=snr,
    )


@dataclass(frozen=True)
class OLSResidual:
    r"""Least-squares identities derived on a generic symbolic design of size ``n_obs x dim``.

    Attributes
    ----------
    n_obs, dim : int
    trace_projection : sympy expression, :math:`\operatorname{tr} X(X^\top X)^{-1}X^\top`
        (simplifies to ``dim``).
    expected_residual : sympy expression, :math:`E\|Y - XW\|^2` with
        :math:`Y = Xw^* + \varepsilon`, :math:`\varepsilon \sim N(0, \sigma^2 I)`
        (simplifies to ``sigma2 * (n_obs - dim)``).
    pythagoras_gap : sympy expression,
        :math:`\|Y-Xw\|^2 - \|Y-XW\|^2 - (w-W)^\top X^\top X (w-W)` (simplifies to 0).
    covariance_gap : sympy Matrix,
        :math:`\operatorname{Cov}(W) - \sigma^2 (X^\top X)^{-1}` (simplifies to 0).
    """

    n_obs: int
    dim: int
    trace_projection: sp.Expr
    expected_residual: sp.Expr
    pythagoras_gap: sp.Expr
    covariance_gap: sp.Matrix


@lru_cache(maxsize=None)
def ols_residual(n_obs: int = 3, dim: int = 2) -> OLSResidual:
    r"""Derive the OLS residual identities on a generic symbolic design.

    With every entry of :math:`X \in \mathbb{R}^{n\times d}` a free symbol,
    :math:`P = X(X^\top X)^{-1}X^\top` and :math:`W = (X^\top X)^{-1}X^\top Y`:

    .. math::

        \operatorname{tr} P = d,\qquad E\|Y-XW\|^2 = E\,\varepsilon^\top(I-P)\varepsilon
        = \sigma^2(n-d),\qquad
        \|Y-Xw\|^2 = \|Y-XW\|^2 + (w-W)^\top X^\top X (w-W).

    Dividing by :math:`n` gives :math:`E L_S(W) = \sigma^2(1-d/n)` and the distortion
    :math:`L_S(\hat w) - L_S(W) = (\hat w-W)^\top(X^\top X/n)(\hat w-W)` used by
    :func:`linear_regression_coordinate`. The derivation is exact for the given sizes; for
    general :math:`n, d` the trace identity follows from
    :math:`\operatorname{tr}P = \operatorname{tr}((X^\top X)^{-1}X^\top X) = d` (stated,
    not machine-derived, for symbolic sizes).

    Parameters
    ----------
    n_obs : int, default 3
        Number of observations, ``dim < n_obs <= 5`` for ``dim = 1`` and ``dim < n_obs <= 4``
        for ``dim = 2``. The cost grows very quickly (about 7 s for ``(4, 2)``, 30 s for
        ``(5, 2)``, 9 minutes for ``(4, 3)``), so larger designs are refused up front.
    dim : int, default 2
        Number of features, ``1 <= dim <= 2``.

    Returns
    -------
    OLSResidual

    References
    ----------
    Seber & Lee (2003), *Linear Regression Analysis*, 2nd ed., Wiley, ch. 3 (residual sum of
    squares; theorem number not checked). The exact least-squares distortion is derived above.

    Examples
    --------
    For two observations of one feature the projection has trace ``dim = 1`` and the expected
    residual is ``sigma2 * (n_obs - dim) = sigma2``; the Pythagoras gap is identically 0.

    >>> from theory.symbolic import ols_residual
    >>> r = ols_residual(2, 1)
    >>> r.trace_projection, r.expected_residual, r.pythagoras_gap
    (1, sigma2, 0)
    """
    dim = as_int(dim, "dim", low=1, high=2)
    n_obs = as_int(n_obs, "n_obs", low=dim + 1, high=5 if dim == 1 else 4)
    X = sp.Matrix(n_obs, dim, lambda i, j: sp.Symbol(f"x_{i}_{j}", real=True))
    G = X.T * X
    det = sp.expand(G.det())
    adj = G.adjugate()  # (X'X)^{-1} = adj / det; work with polynomials times powers of det
    trace = sp.cancel(sp.expand((X * adj * X.T).trace()) / det)

    eps = sp.Matrix(n_obs, 1, lambda i, _: sp.Symbol(f"eps_{i}", real=True))
    wstar = sp.Matrix(dim, 1, lambda i, _: sp.Symbol(f"wstar_{i}", real=True))
    Y = X * wstar + eps
    # det * (Y - X W): the (I - P) X w* part cancels on expansion.
    resid = (det * Y - X * (adj * X.T * Y)).applyfunc(sp.expand)
    rss = sp.expand((resid.T * resid)[0, 0])
    expected = sp.factor(gaussian_expectation(rss, {s: sigma2 for s in eps}) / det**2)

    w = sp.Matrix(dim, 1, lambda i, _: sp.Symbol(f"w_{i}", real=True))
    yfree = sp.Matrix(n_obs, 1, lambda i, _: sp.Symbol(f"y_{i}", real=True))
    dW = adj * X.T * yfree  # det * W

    def sq(vec):
        return (vec.T * vec)[0, 0]

    # det^2 * (||y - Xw||^2 - ||y - XW||^2 - (w - W)' X'X (w - W))
    gap = sp.expand(det**2 * sq(yfree - X * w) - sq(det * yfree - X * dW)
                    - ((det * w - dW).T * G * (det * w - dW))[0, 0])
    gap = sp.cancel(gap / det**2)

    # Cov(W) = (X'X)^{-1} X' (sigma2 I) X (X'X)^{-1}; times det^2 against sigma2 adj det
    cov_w = adj * X.T * (sigma2 * sp.eye(n_obs)) * X * adj
    cov_gap = (cov_w - sigma2 * det * adj).applyfunc(lambda z: sp.cancel(sp.expand(z) / det**2))
    return OLSResidual(n_obs=n_obs, dim=dim, trace_projection=trace, expected_residual=expected,
                       pythagoras_gap=gap, covariance_gap=cov_gap)


#: Most coordinates :func:`linear_regression_optimal_theta` accepts (its search is quadratic).
_MAX_COORDINATES = 10**4


def _evaluate_elementwise(expr: sp.Expr, **values) -> np.ndarray:
    """``expr`` at arrays of (already validated) values, elementwise; shape of the broadcast."""
    syms = sorted(expr.free_symbols, key=lambda s: s.name)
    fn = _lambdified(expr, tuple(s.name for s in syms))
    args = [np.asarray(values[s.name], dtype=float) for s in syms]
    shape = np.broadcast_shapes(*(np.shape(a) for a in values.values()))
    with np.errstate(all="ignore"):
        out = np.asarray(fn(*args), dtype=float)
    return np.broadcast_to(out, shape)


@dataclass(frozen=True)
class LinearOptimum:
    r"""The population-risk-optimal water level of the linear testbed.

    Attributes
    ----------
    theta : float
        Water level :math:`\theta` (0 when no compression is optimal).
    rate : float
        :math:`R = \sum_i \tfrac12\log(v_i/\min(\theta, v_i))` (inf when ``theta == 0``).
    population_risk : float
        :math:`E L_\mu(\hat W)` at ``theta``.
    compression_factors : ndarray, shape (d,)
        :math:`t_i = \min(\theta/v_i, 1)`.
    initial_slope : float
        :math:`\partial_\theta E L_\mu(\hat W)` at :math:`\theta = 0^+`,
        :math:`\sum_i (s_i - 1)/(s_i + 1)` with :math:`s_i = n\lambda_i\tau_i^2/\sigma^2`.
        Compression lowers the population risk iff it is negative.
    """

    theta: float
    rate: float
    population_risk: float
    compression_factors: np.ndarray
    initial_slope: float


def linear_regression_optimal_theta(noise_var: float, n: float, feature_eigs: ArrayLike,
                                    prior_vars: ArrayLike) -> LinearOptimum:
    r"""Minimise the testbed's population risk over the reverse water-filling level.

    With :math:`t_i = \min(\theta/v_i, 1)`, the population risk

    .. math::

        E L_\mu(\hat W)(\theta) = \sigma^2 + \sum_i \Bigl[t_i(\theta)\,
        \bigl(\lambda_i\tau_i^2 - \tfrac{\sigma^2}{n}\bigr) + \tfrac{\sigma^2}{n}\Bigr]

    is continuous and piecewise linear in :math:`\theta` (the per-coordinate share is linear
    in :math:`t` — :attr:`LinearRegressionCoordinate.excess_slope` is free of ``t`` — and
    :math:`t_i` is linear in :math:`\theta` between break points), so its minimum over
    :math:`\theta \in [0, \max_i v_i]` lies at :math:`\theta = 0` (no compression) or at a
    break point :math:`\theta = v_j`. This evaluates the derived per-coordinate share at each
    candidate. The rate is monotone in :math:`\theta`, so this is also the optimal rate.

    While coordinate :math:`i` is being compressed (:math:`\theta < v_i`) it contributes
    :attr:`LinearRegressionCoordinate.theta_slope` :math:`= (s_i-1)/(s_i+1)` to the slope, with
    :math:`s_i = n\lambda_i\tau_i^2/\sigma^2`; since :math:`v_i = (\sigma^2/n)(s_i+1)`,
    coordinates leave in order of increasing :math:`s_i`, i.e. lowest slope first, so the risk is
    convex in :math:`\theta`. Hence compression lowers the population risk iff
    :math:`\sum_i (s_i-1)/(s_i+1) < 0`, and the optimum is interior (:math:`0 < R^* < \infty`)
    iff, in addition, some :math:`s_i > 1` (an :math:`s_i = 1` adds a flat piece, hence ties;
    the smallest minimising :math:`\theta` is returned). SNRs on both sides of 1 are necessary for an interior
    optimum but not sufficient: a spectrum symmetric in :math:`\log s` has zero initial slope
    and no improvement.

    Parameters
    ----------
    noise_var : float
        :math:`\sigma^2 > 0`.
    n : float
        Sample size, > 0.
    feature_eigs : array_like, shape (d,)
        :math:`\lambda_i > 0`; at most 10 000 coordinates (the search over break points is
        quadratic in their number).
    prior_vars : array_like, shape (d,)
        :math:`\tau_i^2 > 0`.

    Returns
    -------
    LinearOptimum
        Smallest minimiser :math:`\theta` among the candidates.

    References
    ----------
    Bu, Gao, Zou, Veeravalli (2020), AAAI (population-risk improvement by compression);
    the testbed is a reconstruction of the paper's linear example (its exact parameters are not
    published).

    Examples
    --------
    One coordinate with :math:`\sigma^2 = n = \lambda = 1` and :math:`\tau^2 = 0.5` has
    :math:`s = 0.5 < 1`, so full compression is optimal: :math:`\theta = v = 0.5 + 1 = 1.5`
    (rate 0), risk ``1 + 0.5 = 1.5`` (instead of ``1 + 1 = 2`` uncompressed) and initial slope
    ``(0.5 - 1) / (0.5 + 1) = -1/3``.

    >>> from theory.symbolic import linear_regression_optimal_theta
    >>> opt = linear_regression_optimal_theta(1.0, 1.0, [1.0], [0.5])
    >>> round(opt.theta, 12), round(opt.rate, 12), round(opt.population_risk, 12)
    (1.5, 0.0, 1.5)
    >>> round(opt.initial_slope, 12)
    -0.333333333333
    """
    s2 = check_positive(noise_var, "noise_var")
    nn = check_positive(n, "n")
    lams = as_array(feature_eigs, "feature_eigs", ndim=1, positive=True)
    taus = as_array(prior_vars, "prior_vars", ndim=1, positive=True)
    if lams.shape != taus.shape:
        raise ValueError(f"`prior_vars` must have the shape of `feature_eigs` {lams.shape}; got {taus.shape}")
    if lams.size > _MAX_COORDINATES:
        _fail("feature_eigs", f"of at most {_MAX_COORDINATES} coordinates (the search is quadratic in "
                              f"their number and could not finish in reasonable time); got {lams.size}")
    c = linear_regression_coordinate()
    # The derived expressions evaluated on all coordinates at once (elementwise, the same
    # arithmetic as `numeric` on each coordinate); sums run left to right as before.
    v = _evaluate_elementwise(c.whitened_variance, sigma2=s2, n=nn, lam=lams, tau2=taus)
    if not np.all(np.isfinite(v)):
        raise ValueError("`noise_var`, `n`, `feature_eigs` and `prior_vars` give whitened variances "
                         "beyond the float range (overflow)")
    excess_at_zero = c.population_excess.subs(t, 0)   # the t -> 0 limit of a polynomial share

    def risk(theta):
        ts = np.minimum(theta / v, 1.0)
        shares = _evaluate_elementwise(c.population_excess, sigma2=s2, n=nn, lam=lams, tau2=taus, t=ts)
        if np.any(ts == 0.0):
            zero = _evaluate_elementwise(excess_at_zero, sigma2=s2, n=nn, lam=lams, tau2=taus)
            shares = np.where(ts == 0.0, zero, shares)
        return float(np.cumsum(np.concatenate(([s2], shares)))[-1])

    candidates = [0.0] + sorted(set(v.tolist()))
    risks = [risk(th) for th in candidates]
    if not np.all(np.isfinite(risks)):
        raise ValueError("`noise_var`, `n`, `feature_eigs` and `prior_vars` give a population risk "
                         "beyond the float range (overflow)")
    best = int(np.argmin(risks))
    theta = candidates[best]
    ts = np.minimum(theta / v, 1.0)
    rate = math.inf if theta == 0.0 else float(np.sum(0.5 * np.log(1.0 / ts)))
    slopes = _evaluate_elementwise(c.theta_slope, sigma2=s2, n=nn, lam=lams, tau2=taus)
    slope0 = float(np.cumsum(slopes)[-1])
    return LinearOptimum(theta=float(theta), rate=rate, population_risk=float(risks[best]),
                         compression_factors=ts, initial_slope=slope0)


# --------------------------------------------------------------------------------------------
# §5 Gaussian mean estimation
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GaussianMean(_Evaluable):
    r"""Closed forms of the Gaussian-mean testbed, derived symbolically.

    Symbols: ``n``, ``d``, ``sigma2``; ``t`` (> 0) for the CGF.

    Attributes
    ----------
    population_risk : :math:`E L_\mu(W) = d\sigma^2(1 + 1/n)`.
    empirical_risk : :math:`E L_S(W) = d\sigma^2(1 - 1/n)`.
    generalization_error : :math:`2\sigma^2 d/n`.
    mutual_information_individual : :math:`I(W;Z_i) = \tfrac d2\log\frac{n}{n-1}`.
    mutual_information_full : :math:`I(S;W) = \infty` (limit of the noisy version).
    loss_scale : :math:`c = \sigma^2(n+1)/n`, so :math:`\ell(\tilde W,\tilde Z) = c\chi^2_d`
        under :math:`P_W\otimes\mu`.
    cgf : :math:`\Lambda(-t) = d c t - \tfrac d2\log(1+2ct)`.
    bound_objective : :math:`(I(W;Z_i) + \Lambda(-t))/t`, whose infimum over :math:`t>0` is
        the individual-sample bound.
    """

    population_risk: sp.Expr
    empirical_risk: sp.Expr
    generalization_error: sp.Expr
    mutual_information_individual: sp.Expr
    mutual_information_full: sp.Expr
    loss_scale: sp.Expr
    cgf: sp.Expr
    bound_objective: sp.Expr

    _required = ("n", "d", "sigma2")
    _optional = ("t",)

    def _check_values(self, values):
        values["n"] = as_float(values["n"], "n", low=1.0)
        values["d"] = check_positive(values["d"], "d")
        values["sigma2"] = check_positive(values["sigma2"], "sigma2")
        if "t" in values:
            values["t"] = check_positive(values["t"], "t")
        return values


@lru_cache(maxsize=None)
def gaussian_mean() -> GaussianMean:
    r"""Derive the Gaussian-mean testbed's closed forms from the model.

    Model: :math:`Z_i \sim N(m, \sigma^2 I_d)` i.i.d., :math:`W = \frac1n\sum_i Z_i`,
    :math:`\ell(w,z) = \|w-z\|^2`. Per coordinate, write :math:`Z_1 - m = X_1` and
    :math:`\sum_{j\ge2}(Z_j - m) = R \sim N(0,(n-1)\sigma^2)` (a sum of independent
    Gaussians), so :math:`W - m = (X_1 + R)/n`; by exchangeability
    :math:`E L_S(W) = E(W - Z_1)^2`. The coordinates are independent, so totals are ``d``
    times the per-coordinate values.

    .. math::

        \text{gen} = E(W-m)^2 + \sigma^2 - E(W-Z_1)^2 = \frac{2\sigma^2 d}{n},\qquad
        I(W;Z_i) = \frac d2 \log\frac{\operatorname{Var}W\,\operatorname{Var}Z_i}
        {\det\operatorname{Cov}(W,Z_i)} = \frac d2\log\frac{n}{n-1},

    and, with :math:`\tilde W, \tilde Z` independent,
    :math:`c = \operatorname{Var}(\tilde W - \tilde Z) = \sigma^2(n+1)/n`,
    :math:`\ell = c\chi^2_d`, and integrating :math:`e^{-tcx}` against the
    :math:`\chi^2_d` density,

    .. math::

        \Lambda(-t) = \log E e^{-t(\ell - E\ell)} = dct - \frac d2 \log(1 + 2ct).

    :math:`I(S;W) = \lim_{\epsilon\to0} \frac d2\log(1 + \sigma^2/(n\epsilon)) = \infty`
    (output noise :math:`N(0,\epsilon)` added to the deterministic estimator).

    Returns
    -------
    GaussianMean
        Frozen dataclass of sympy expressions in ``n, d, sigma2`` (and ``t``).

    References
    ----------
    Bu, Zou, Veeravalli (2020), "Tightening mutual information-based bounds on generalization
    error", IEEE JSAIT 1 (individual-sample bound and its Gaussian-mean example; theorem
    and section numbers not checked).
    Xu & Raginsky (2017), NeurIPS (the full-sample bound, vacuous here).

    Examples
    --------
    With :math:`n = 2`, :math:`d = 1`, :math:`\sigma^2 = 1`: ``gen = 2 * 1 * 1 / 2 = 1``,
    population risk ``1 * (1 + 1/2) = 1.5`` and :math:`I(W;Z_i) = \tfrac12\log 2`.

    >>> import math
    >>> from theory.symbolic import gaussian_mean
    >>> vals = gaussian_mean().evaluate(n=2, d=1, sigma2=1)
    >>> round(vals["generalization_error"], 12), round(vals["population_risk"], 12)
    (1.0, 1.5)
    >>> math.isclose(vals["mutual_information_individual"], 0.5 * math.log(2))
    True
    """
    x1, r, xw, xz = sp.symbols("x_1 r x_w x_z", real=True)
    var = {x1: sigma2, r: (n - 1) * sigma2}
    W = (x1 + r) / n  # W - m
    pop = sigma2 + gaussian_expectation(W**2, var)
    emp = gaussian_expectation((W - x1) ** 2, var)
    gen = _simplify(d * (pop - emp))

    var_w = gaussian_expectation(W**2, var)
    var_z = gaussian_expectation(x1**2, var)
    cov = gaussian_expectation(W * x1, var)
    mi = d * gaussian_mutual_information(var_w, var_z, cov)

    eps = sp.Symbol("epsilon", positive=True)
    mi_noisy = d * gaussian_mutual_information(var_w + eps, var_w, var_w)  # I(W; W + noise)
    mi_full = sp.limit(mi_noisy, eps, 0, "+")

    # Under P_W x mu: W~ - Z~ with independent W~ ~ N(m, sigma2/n), Z~ ~ N(m, sigma2).
    c = _simplify(gaussian_expectation((xw - xz) ** 2, {xw: sigma2 / n, xz: sigma2}))
    x = sp.Symbol("x", positive=True)
    cc = sp.Symbol("c", positive=True)
    chi2_density = x ** (d / 2 - 1) * sp.exp(-x / 2) / (2 ** (d / 2) * sp.gamma(d / 2))
    mean_chi2 = sp.simplify(sp.integrate(x * chi2_density, (x, 0, sp.oo), conds="none"))
    mgf = sp.simplify(sp.integrate(chi2_density * sp.exp(-t * cc * x), (x, 0, sp.oo), conds="none"))
    cgf = sp.expand_log(t * cc * mean_chi2 + sp.log(mgf), force=True).subs(cc, c)
    cgf = sp.collect(sp.expand(cgf), sp.log(2 * c * t + 1))
    return GaussianMean(
        population_risk=_simplify(d * pop),
        empirical_risk=_simplify(d * emp),
        generalization_error=gen,
        mutual_information_individual=mi,
        mutual_information_full=mi_full,
        loss_scale=c,
        cgf=cgf,
        bound_objective=(mi + cgf) / t,
    )


@dataclass(frozen=True)
class GibbsGaussianMean(_Evaluable):
    r"""The Gibbs version of the Gaussian-mean testbed, derived symbolically.

    Symbols: ``n``, ``d``, ``sigma2``, ``gamma``, ``prior_var`` (:math:`\sigma_0^2`),
    ``prior_mean`` (:math:`m_0`), ``mean`` (:math:`m`), ``zbar`` (sample mean).

    Attributes
    ----------
    posterior_precision : :math:`1/\sigma_0^2 + 2\gamma`.
    posterior_variance : :math:`v = 1/(1/\sigma_0^2 + 2\gamma)`.
    posterior_mean : :math:`v(m_0/\sigma_0^2 + 2\gamma\bar z)`.
    shrinkage : :math:`a = \partial(\text{posterior mean})/\partial\bar z = 2\gamma v`.
    generalization_error : :math:`2a\sigma^2 d/n`.
    symmetrized_kl_information : :math:`I_{SKL}(W;S) = a^2\sigma^2 d/(n v)`.
    identity_gap : :math:`I_{SKL}/\gamma - \text{gen}` (simplifies to 0).
    """

    posterior_precision: sp.Expr
    posterior_variance: sp.Expr
    posterior_mean: sp.Expr
    shrinkage: sp.Expr
    generalization_error: sp.Expr
    symmetrized_kl_information: sp.Expr
    identity_gap: sp.Expr

    _required = ("n", "d", "sigma2", "gamma", "prior_var")
    _optional = ("prior_mean", "mean", "zbar")

    def _check_values(self, values):
        values["n"] = as_float(values["n"], "n", low=1.0)
        for k in ("d", "sigma2", "gamma", "prior_var"):
            values[k] = check_positive(values[k], k)
        for k in ("prior_mean", "mean", "zbar"):
            if k in values:
                values[k] = as_float(values[k], k)
        return values


@lru_cache(maxsize=None)
def gibbs_gaussian_mean() -> GibbsGaussianMean:
    r"""Derive the Gibbs posterior, its generalization error and :math:`I_{SKL}`.

    Per coordinate, :math:`P(w\mid s) \propto \pi(w)\,e^{-\gamma L_s(w)}` with prior
    :math:`N(m_0, \sigma_0^2)` and :math:`L_s(w) = \frac1n\sum_i (w - z_i)^2`. The exponent
    is expanded from the symbolic sum and the square completed:

    .. math::

        -\frac{(w-m_0)^2}{2\sigma_0^2} - \gamma L_s(w) = -\frac{(w-\mu_s)^2}{2v} + C,\quad
        v = \frac{1}{1/\sigma_0^2 + 2\gamma},\quad \mu_s = v\Bigl(\frac{m_0}{\sigma_0^2}
        + 2\gamma\bar z\Bigr).

    With :math:`a = 2\gamma v`, :math:`\bar z = m + \bar X`, :math:`\bar X \sim
    N(0,\sigma^2/n)`, :math:`W = \mu_S + \sqrt v\,\xi`, the generalization error is
    :math:`E[(W-m)^2 + \sigma^2] - E[(W-\bar z)^2] - E[\frac1n\sum_i(Z_i-\bar z)^2]` with
    the last term :math:`\sigma^2(n-1)/n` (derived as :math:`E(Z_1-\bar z)^2`), and

    .. math::

        I_{SKL}(W;S) = E_{P_W\otimes P_S}\Bigl[\frac{(W-\mu_S)^2}{2v}\Bigr]
        - E_{P_{WS}}\Bigl[\frac{(W-\mu_S)^2}{2v}\Bigr] = \frac{a^2\sigma^2 d}{n v},

    since :math:`I_{SKL} = E_{P_{WS}}\log p(W\mid S) - E_{P_W\otimes P_S}\log p(W\mid S)`
    (the marginal terms cancel) and :math:`p(w\mid s)` depends on :math:`s` only through
    :math:`\mu_s`. Totals are ``d`` times the per-coordinate values.

    Returns
    -------
    GibbsGaussianMean
        Frozen dataclass; ``identity_gap`` is :math:`I_{SKL}/\gamma - \text{gen}`, which
        simplifies to 0 (Aminian et al.'s identity on this testbed).

    References
    ----------
    Aminian, Bu, Toni, Rodrigues, Wornell (2021), "An exact characterization of the
    generalization error for the Gibbs algorithm", NeurIPS (main theorem: gen = I_SKL / gamma;
    theorem number not checked).

    Examples
    --------
    With :math:`n = d = \sigma^2 = \gamma = \sigma_0^2 = 1`: :math:`v = 1/(1 + 2) = 1/3`,
    :math:`a = 2/3`, ``gen = 2 * (2/3) * 1 / 1 = 4/3`` and
    :math:`I_{SKL} = (4/9) / (1/3) = 4/3`, so :math:`I_{SKL}/\gamma` equals ``gen``.

    >>> from theory.symbolic import gibbs_gaussian_mean
    >>> g = gibbs_gaussian_mean()
    >>> vals = g.evaluate(n=1, d=1, sigma2=1, gamma=1, prior_var=1)
    >>> round(vals["generalization_error"], 12), round(vals["symmetrized_kl_information"], 12)
    (1.333333333333, 1.333333333333)
    >>> g.identity_gap
    0
    """
    w = sp.Symbol("w", real=True)
    i = sp.Symbol("i", integer=True, positive=True)
    z = sp.IndexedBase("z")
    # L_s(w) = (1/n) sum_i (w - z_i)^2, summed term by term (linearity of the sum), with the
    # sample mean identified as sum_i z_i = n * zbar.
    Ls = sp.Integer(0)
    for term in sp.Add.make_args(sp.expand((w - z[i]) ** 2)):
        const, dep = term.as_independent(i, as_Add=False)
        Ls += const * (n if dep == 1 else sp.Sum(dep, (i, 1, n)))
    Ls = sp.expand(Ls.subs(sp.Sum(z[i], (i, 1, n)), n * zbar) / n)
    exponent = sp.expand(-(w - prior_mean) ** 2 / (2 * prior_var) - gamma * Ls)
    a2 = exponent.coeff(w, 2)
    a1 = exponent.coeff(w, 1)
    if (a2.free_symbols | a1.free_symbols) & {w}:
        raise RuntimeError("completing the square failed: exponent is not quadratic in w")
    precision = _simplify(-2 * a2)
    v = _simplify(1 / precision)
    mu = _simplify(-a1 / (2 * a2))
    a = _simplify(sp.diff(mu, zbar))

    # Generalization error per coordinate.
    xbar, xi, x1, r = sp.symbols("xbar xi x_1 r", real=True)
    var = {xbar: sigma2 / n, xi: sp.Integer(1)}
    mu_s = mu.subs(zbar, mean + xbar)
    Wm = mu_s + sp.sqrt(v) * xi - mean           # W - m
    Wz = mu_s + sp.sqrt(v) * xi - (mean + xbar)  # W - zbar
    # E (1/n) sum_i (Z_i - zbar)^2 = E (Z_1 - zbar)^2, with Z_1 - m = x1, sum_{j>=2}(Z_j - m) = r
    sample_var = gaussian_expectation((x1 - (x1 + r) / n) ** 2, {x1: sigma2, r: (n - 1) * sigma2})
    gen1 = (sigma2 + gaussian_expectation(Wm**2, var)) - (gaussian_expectation(Wz**2, var) + sample_var)
    gen = _simplify(d * gen1)

    # Symmetrized KL information: p(w|s) depends on s through mu_s only.
    xbar2 = sp.Symbol("xbar_2", real=True)
    joint = gaussian_expectation((sp.sqrt(v) * xi) ** 2, var) / (2 * v)
    # Under P_W x P_S: W = mu(S') + sqrt(v) xi with S' an independent copy of S.
    W_prod = mu.subs(zbar, mean + xbar2) + sp.sqrt(v) * xi
    prod = gaussian_expectation((W_prod - mu_s) ** 2, {xbar: sigma2 / n, xbar2: sigma2 / n, xi: 1}) / (2 * v)
    iskl = _simplify(d * (prod - joint))
    gap = sp.simplify(iskl / gamma - gen)
    return GibbsGaussianMean(
        posterior_precision=precision,
        posterior_variance=v,
        posterior_mean=mu,
        shrinkage=a,
        generalization_error=gen,
        symmetrized_kl_information=iskl,
        identity_gap=gap,
    )
