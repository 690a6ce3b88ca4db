r"""Bias, variance and generalization bound of the compressed network (private).

Re-exported by :mod:`theory.spectral`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .._checks import as_array, as_float, as_int, as_size, check_nonnegative, check_positive

__all__ = ["CompressionBound", "compression_bias_bound", "compression_variance_term",
           "compression_generalization_bound"]


@dataclass(frozen=True)
class CompressionBound:
    r"""The bias–variance bound on the population risk of a compressed network.

    Attributes
    ----------
    bound : float
        :math:`(\sqrt{\hat L_S(f)} + c_{\rm bias}\,b)^2 + v`.
    bias : float
        :math:`b = \sum_\ell \mathrm{Lip}_\ell\sqrt{e_\ell}` (root-mean-square output
        distortion bound).
    variance : float
        :math:`v`, see :func:`compression_variance_term`.
    train_risk : float
        :math:`\hat L_S(f)` of the uncompressed network.
    n_params : int
        :math:`\sum_\ell (m^\sharp_{\ell}+1)m^\sharp_{\ell+1}` of the compressed network.
    """

    bound: float
    bias: float
    variance: float
    train_risk: float
    n_params: int


def compression_bias_bound(layer_errors: ArrayLike, lipschitz: ArrayLike) -> float:
    r"""Root-mean-square output distortion bound of layer-by-layer pruning.

    .. math::

        \Big(\frac1n\sum_i \lVert f^\sharp(x_i) - f(x_i)\rVert^2\Big)^{1/2}
        \le \sum_\ell \mathrm{Lip}_\ell\,\sqrt{e_\ell},\qquad
        e_\ell = \frac1n\sum_i\lVert W^{(\ell+1)}(\tilde\phi_\ell(x_i) - \hat A_\ell
        \tilde\phi_{\ell,J}(x_i))\rVert^2 \le L_B(J_\ell),

    where :math:`\tilde\phi_\ell` are the layer-:math:`\ell` outputs of the network whose
    first :math:`\ell-1` hidden layers are already pruned, and :math:`\mathrm{Lip}_\ell =
    a^{L-\ell-1}\prod_{k \ge \ell+2}\lVert W^{(k)}\rVert_{op}` bounds the Lipschitz constant of
    the original layers after the pre-activation of layer :math:`\ell+1` (:math:`a`: the
    activation's). Derived here: telescoping over the hybrid networks "first :math:`\ell` layers
    pruned" and Minkowski's inequality in :math:`L^2(P_n)`; the form (Lipschitz constant times the
    square root of the layer's error) is that of Suzuki et al.'s bias term.

    Parameters
    ----------
    layer_errors : array_like, shape (L-1,)
        :math:`e_\ell \ge 0` (or the penalised :math:`L_B(J_\ell)`, which bounds it; or the
        leverage guarantee :math:`4\lambda_\ell\lVert W^{(\ell+1)}\rVert_F^2`).
    lipschitz : array_like, shape (L-1,)
        :math:`\mathrm{Lip}_\ell \ge 0`.

    Returns
    -------
    float

    References
    ----------
    Suzuki et al., IJCAI 2020, Thm. 2 (form of the bias term, as recalled from the paper, not
    checked against its text); the inequality itself is derived in this docstring.

    Examples
    --------
    Two layers with errors 0.04 and 0.09 and Lipschitz constants 2 and 1:
    ``2 * sqrt(0.04) + 1 * sqrt(0.09) = 0.4 + 0.3 = 0.7``.

    >>> from theory.spectral import compression_bias_bound
    >>> round(compression_bias_bound([0.04, 0.09], [2.0, 1.0]), 12)
    0.7
    """
    e = as_array(layer_errors, "layer_errors", ndim=1, nonnegative=True)
    lip = as_array(lipschitz, "lipschitz", ndim=1, nonnegative=True, shape=(e.size,))
    with np.errstate(over="ignore"):
        b = float(np.sum(lip * np.sqrt(e)))
    if not math.isfinite(b):
        raise ValueError("`lipschitz` and `layer_errors` are too large: the bias bound overflows")
    return b


def compression_variance_term(widths: Sequence[int], n: int, delta: float = 0.05, c_var: float = 1.0,
                              loss_scale: float = 1.0, c_log: float = 1.0) -> float:
    r"""Variance term of the compressed network's generalization bound.

    .. math::

        v = c_{\rm var}\, B\, \sqrt{\frac{\sum_{\ell=0}^{L-1}(m^\sharp_\ell + 1)\,
        m^\sharp_{\ell+1}\,\log(c_{\log} n) + \log(1/\delta)}{n}},

    with :math:`m^\sharp_0` the input and :math:`m^\sharp_L` the output dimension (the ``+1``
    counts the biases), :math:`B` the loss scale.

    Parameters
    ----------
    widths : sequence of int
        :math:`(m^\sharp_0, m^\sharp_1, \dots, m^\sharp_L)`, input to output, each in [1, 10**9].
    n : int
        Training-sample size, in [2, 10**18].
    delta : float in (0, 1), default 0.05
    c_var, loss_scale, c_log : float > 0, default 1
        Constants as recalled (Suzuki et al. state the term up to universal constants, not
        checked against the paper's text). The unit defaults make the term a heuristic.

    Returns
    -------
    float

    References
    ----------
    Suzuki et al., IJCAI 2020, Thm. 2 (variance term :math:`\sqrt{\sum_\ell m^\sharp_\ell
    m^\sharp_{\ell+1}\log(\cdot)/n}`, constants as recalled, not checked against its text).

    Examples
    --------
    Widths ``(1, 1)`` give ``(1 + 1) * 1 = 2`` parameters. With :math:`n = 200`,
    :math:`c_{\log} = e^2/200` (so :math:`\log(c_{\log}n) = 2`) and :math:`\delta = e^{-4}`:
    ``sqrt((2 * 2 + 4) / 200) = sqrt(0.04) = 0.2``.

    >>> import math
    >>> from theory.spectral import compression_variance_term
    >>> round(compression_variance_term([1, 1], 200, delta=math.exp(-4), c_log=math.exp(2) / 200), 12)
    0.2
    """
    w = _check_widths(widths)
    n = as_int(n, "n", low=2, high=_MAX_N)
    delta = as_float(delta, "delta", low=0.0, high=1.0, low_open=True, high_open=True)
    c_var = check_positive(c_var, "c_var")
    loss_scale = check_positive(loss_scale, "loss_scale")
    c_log = check_positive(c_log, "c_log")
    p = sum((a + 1) * b for a, b in zip(w[:-1], w[1:]))
    try:
        v = c_var * loss_scale * math.sqrt((p * max(math.log(c_log * n), 1.0) + math.log(1 / delta)) / n)
    except OverflowError:
        v = math.inf
    if not math.isfinite(v):
        raise ValueError("`c_var`, `loss_scale` or `c_log` is too large: the variance term overflows")
    return float(v)


#: Largest layer width and sample size the bound formulas accept (beyond, no network is trained).
_MAX_WIDTH = 10**9
_MAX_N = 10**18


def _check_widths(widths) -> list[int]:
    """``widths`` as a list of >= 2 ints in [1, 1e9] (input, hidden..., output)."""
    if isinstance(widths, (str, bytes)) or not isinstance(widths, (Sequence, np.ndarray)):
        raise ValueError(f"`widths` must be a sequence of layer widths (input, ..., output); got {widths!r}")
    w = [as_size(x, "widths", high=_MAX_WIDTH) for x in widths]
    if len(w) < 2:
        raise ValueError("`widths` must list at least the input and output dimensions")
    return w


def compression_generalization_bound(train_risk: float, layer_errors: ArrayLike, lipschitz: ArrayLike,
                                     widths: Sequence[int], n: int, delta: float = 0.05, c_bias: float = 1.0,
                                     c_var: float = 1.0, loss_scale: float = 1.0,
                                     c_log: float = 1.0) -> CompressionBound:
    r"""Bias–variance heuristic bound on the population risk (squared loss) of the compressed network.

    .. math::

        L_\mu(f^\sharp) \le \Big(\sqrt{\hat L_S(f)} + c_{\rm bias}\sum_\ell
        \mathrm{Lip}_\ell\sqrt{e_\ell}\Big)^2 + c_{\rm var} B\sqrt{\frac{\sum_\ell
        (m^\sharp_\ell+1) m^\sharp_{\ell+1}\log(c_{\log}n) + \log(1/\delta)}{n}}.

    The first term bounds the training risk of :math:`f^\sharp` (Minkowski:
    :math:`\sqrt{\hat L_S(f^\sharp)} \le \sqrt{\hat L_S(f)} + \lVert f^\sharp - f\rVert_n`
    and :func:`compression_bias_bound`) and decreases with the kept widths; the second is the
    uniform-convergence term over networks of the compressed size and increases with them — the
    compression-induced bias–variance tradeoff. Smaller :math:`\lambda` (larger widths) lowers
    the bias and raises the variance.

    A heuristic, not a theorem: the first (bias) part is a valid inequality, but the variance
    term takes unit constants and a loss scale :math:`B` for a squared loss that is unbounded, so
    no proof covers the sum as used here.

    Parameters
    ----------
    train_risk : float >= 0
        :math:`\hat L_S(f)`, training risk (mean summed squared error) of the uncompressed net.
    layer_errors, lipschitz : array_like, shape (L-1,)
        See :func:`compression_bias_bound`.
    widths : sequence of int
        :math:`(m^\sharp_0, \dots, m^\sharp_L)`, see :func:`compression_variance_term`.
    n : int
    delta, c_bias, c_var, loss_scale, c_log : float
        Constants as recalled, not checked against the paper's text (``c_bias = 1`` is what the
        derivation of the bias part gives).

    Returns
    -------
    CompressionBound

    References
    ----------
    Suzuki et al., IJCAI 2020, Thm. 2 (bias–variance form; constants as recalled, not checked
    against the paper's text).

    Examples
    --------
    Widths ``(1, 1, 1)`` give ``2 + 2 = 4`` parameters; with :math:`n = 300`,
    :math:`c_{\log} = e^2/300` and :math:`\delta = e^{-4}` the variance is
    ``sqrt((4 * 2 + 4) / 300) = 0.2``; one layer with error 0.04 and Lipschitz constant 1 gives
    bias ``sqrt(0.04) = 0.2``; with training risk 0.09 the bound is
    ``(sqrt(0.09) + 0.2)**2 + 0.2 = 0.25 + 0.2 = 0.45``.

    >>> import math
    >>> from theory.spectral import compression_generalization_bound
    >>> b = compression_generalization_bound(0.09, [0.04], [1.0], [1, 1, 1], 300, delta=math.exp(-4),
    ...                                      c_log=math.exp(2) / 300)
    >>> round(b.bound, 12), round(b.bias, 12), round(b.variance, 12), b.n_params
    (0.45, 0.2, 0.2, 4)
    """
    train_risk = check_nonnegative(train_risk, "train_risk")
    c_bias = check_positive(c_bias, "c_bias")
    b = compression_bias_bound(layer_errors, lipschitz)
    v = compression_variance_term(widths, n, delta, c_var, loss_scale, c_log)
    w = _check_widths(widths)
    p = sum((a + 1) * c for a, c in zip(w[:-1], w[1:]))
    try:
        bound = (math.sqrt(train_risk) + c_bias * b) ** 2 + v
    except OverflowError:
        bound = math.inf
    if not math.isfinite(bound):
        raise ValueError("`train_risk`, `c_bias` or the bias bound is too large: the bound overflows")
    return CompressionBound(bound=float(bound), bias=b, variance=v, train_risk=train_risk, n_params=int(p))
