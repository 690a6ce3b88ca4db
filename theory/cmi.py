r"""Evaluated conditional mutual information on a supersample experiment: plug-in estimates and bounds.

Setting (Steinke and Zakynthinou, COLT 2020). A supersample :math:`\tilde Z` holds ``n`` pairs
:math:`(\tilde Z_{i,0}, \tilde Z_{i,1})`; ``m`` training runs share :math:`\tilde Z` and differ
in their masks :math:`U\in\{0,1\}^n`: :math:`U_i = 1` means :math:`\tilde Z_{i,1}` was trained
on and :math:`\tilde Z_{i,0}` held out, :math:`U_i = 0` the reverse. For each run and pair the
caller gives what the trained model produced on *both* members: its predictions (f-CMI) or its
losses in :math:`[0,1]` (e-CMI, ld-CMI, single-loss, binary-KL, interpolation). Arrays are
indexed ``[run, pair, member]``, with an optional leading supersample axis
``[supersample, run, pair, member]`` whose masks have shape ``(S, m, n)``.

With :math:`L_i^j=\ell(W,\tilde Z_{i,j})` and :math:`\Delta_i = L_i^1 - L_i^0`, the expected
generalization error is :math:`\mathrm{gen} = \frac1n\sum_i E[(-1)^{U_i}\Delta_i]` (held-out
minus trained loss). Every information term is the plug-in (maximum-likelihood) mutual
information in nats between one discrete symbol per run and the bit :math:`U_i`, computed over
the ``m`` runs that share :math:`\tilde Z` (optionally with the Miller–Madow correction), and
clipped to :math:`[0,\log 2]`:

- :func:`plugin_mi`, :func:`samplewise_mi` — the estimator, one pair or all pairs at once;
- :func:`fcmi_bound` — f-CMI, symbol = the predictions on both members (Harutyunyan, Raginsky,
  Ver Steeg, Galstyan, NeurIPS 2021; estimator as in the authors' code, hrayrhar/f-CMI);
- :func:`ecmi_bound` — e-CMI, symbol = the loss pair (Hellström and Durisi, NeurIPS 2022);
- :func:`ldcmi_bound` — ld-CMI, symbol = the loss difference, per supersample or pooled over
  supersamples (Wang and Mao, ICML 2023);
- :func:`single_loss_bound` — symbol = the loss on :math:`\tilde Z_{i,0}` alone;
- :func:`binary_kl_bound` — the binary-KL (Seeger-type) e-CMI bound on the population risk;
- :func:`interpolation_risk` — the population risk of an interpolating algorithm;
- :func:`generalization_gap` — the measured left-hand side, with its standard error;
- :func:`plugin_floor` — the approximate per-pair floor of the plug-in f-CMI term.

For plug-in estimates computed from the same runs, data processing on the empirical distribution
gives ld :math:`\le` e :math:`\le` f whenever the losses are functions of the predictions, and
single-loss :math:`\le` e.

What was verified. The square-root constants are derived (Donsker–Varadhan with a 1-sub-Gaussian
variable, see :func:`theory.bounds.samplewise_cmi_bound`); the single-loss constant 1, the
binary-KL form and the interpolation identity are derived in the docstrings below and checked
numerically by the tests; theorem numbers of the cited papers are as recalled, not checked
against their text. A bound evaluated from plug-in estimates is an *estimate* of the bound: the
plug-in MI of independent variables is biased upwards by about :math:`(k-1)/(2m)` for ``k``
symbols (see :func:`plugin_floor`), so use many runs (:math:`m\ge 100` for compressed nets) and
report the convergence in ``m``.

Bad input is refused before any work with a ValueError naming the argument: masks not in
:math:`\{0,1\}`, fewer than 2 runs, shapes that do not match the masks, NaN, losses outside
:math:`[0,1]`, ``pooled`` without a supersample axis, a non-zero training loss for
:func:`interpolation_risk`.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from . import bounds as _bounds
from ._checks import _fail, as_array, as_float, as_int, check_bool, check_probability
from .claims import Measurement

__all__ = [
    "plugin_mi",
    "samplewise_mi",
    "fcmi_bound",
    "ecmi_bound",
    "ldcmi_bound",
    "single_loss_bound",
    "binary_kl_bound",
    "interpolation_risk",
    "generalization_gap",
    "plugin_floor",
]

_LOG2 = math.log(2.0)

#: Largest count accepted by :func:`plugin_floor` (it enters the formula as a float).
_MAX_COUNT = 10**300


# --------------------------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------------------------

def _binary(x, name: str, ndim) -> np.ndarray:
    """A 0/1 (or bool) array with ndim in ``ndim``, as int64; at least 2 runs along axis -2 or 0."""
    arr = as_array(x, name, ndim=ndim, dtype=None)
    if arr.dtype.kind not in "biuf":
        _fail(name, f"an array of 0/1 or bool entries; got dtype {arr.dtype}")
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        _fail(name, "finite 0/1 entries (no NaN or inf)")
    if not np.all((arr == 0) | (arr == 1)):
        _fail(name, "in {0, 1} (1: member 1 of the pair was trained on, 0: member 0)", arr)
    runs = arr.shape[0] if arr.ndim == 1 else arr.shape[-2]
    if runs < 2:
        _fail(name, f"of at least 2 runs (the runs axis has length {runs}); a mutual information "
                    "needs at least 2 samples")
    return arr.astype(np.int64)


def _masks(masks, ndim=(2, 3)) -> np.ndarray:
    """Masks of shape (m, n) or (S, m, n), 0/1, m >= 2."""
    return _binary(masks, "masks", ndim)


def _symbols(values, name: str, ndim) -> np.ndarray:
    """A numeric, bool or string array of symbols (no NaN, no complex or object entries)."""
    arr = as_array(values, name, ndim=ndim, dtype=None)
    if arr.dtype.kind not in "biufUS":
        _fail(name, f"an array of numbers, bools or strings; got dtype {arr.dtype}")
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        _fail(name, "finite (no NaN or inf): symbols are compared exactly")
    return arr


def _paired(arr: np.ndarray, name: str, masks: np.ndarray, exact: bool) -> None:
    """``arr`` has shape masks.shape + (2,) (``exact``) or masks.shape + (2, ...)."""
    want = masks.shape + (2,)
    ok = arr.shape[:len(want)] == want and (arr.ndim == len(want) if exact else arr.ndim >= len(want))
    if not ok:
        tail = "" if exact else " + (any trailing axes)"
        _fail(name, f"of shape masks.shape + (2,) = {want}{tail} (one entry per run, pair and "
                    f"member of the pair); got {arr.shape}")


def _losses(losses, masks: np.ndarray, bounded: bool = True) -> np.ndarray:
    """Losses of shape masks.shape + (2,), finite, in [0, 1] when ``bounded``."""
    arr = as_array(losses, "losses", ndim=(3, 4))
    _paired(arr, "losses", masks, exact=True)
    if bounded and not (np.all(arr >= 0.0) and np.all(arr <= 1.0)):
        _fail("losses", "in [0, 1] (the bounds hold for losses with values in [0, 1])",
              arr[(arr < 0.0) | (arr > 1.0)])
    return arr


# --------------------------------------------------------------------------------------------
# the plug-in estimator
# --------------------------------------------------------------------------------------------

def _row_codes(values: np.ndarray) -> np.ndarray:
    """Integer codes of the rows of a 2-D symbol array (equal rows, equal codes)."""
    codes = np.zeros(values.shape[0], dtype=np.int64)
    radix = 1
    for j in range(values.shape[1]):
        col = values[:, j]
        if col.dtype.kind == "f":
            col = col + 0.0  # -0.0 and 0.0 are one symbol
        elif col.dtype.kind == "b":
            col = col.astype(np.int64)
        if col.dtype.kind in "iu" and col.size and int(col.max()) - int(col.min()) < 2**20:
            c = (col - col.min()).astype(np.int64)  # small integer range: no sort needed
        else:
            c = np.unique(col, return_inverse=True)[1].reshape(-1).astype(np.int64)
        card = int(c.max()) + 1
        if radix * card >= 2**62:  # mixed radix would overflow: compact the codes so far
            codes = np.unique(codes, return_inverse=True)[1].reshape(-1).astype(np.int64)
            radix = int(codes.max()) + 1
        codes = codes * card + c
        radix *= card
    return codes


def _plugin_columns(codes: np.ndarray, u: np.ndarray, miller_madow: bool) -> np.ndarray:
    r"""Plug-in :math:`\hat I(X_p;U_p)` for every column ``p`` of ``codes`` and ``u``, shape (m, P).

    Counts are taken per column on the cells that occur (never a dense P x K table), and

    .. math::

        \hat I = \log m + \frac1m\Big(\sum_{x,u} c_{xu}\log c_{xu} - \sum_x c_x\log c_x
                 - \sum_u c_u\log c_u\Big) = \hat H(X) + \hat H(U) - \hat H(X,U).
    """
    m, p = codes.shape
    k = int(codes.max()) + 1
    if k * p >= 2**62:  # column * k + code would overflow: compact the codes first
        codes = np.unique(codes, return_inverse=True)[1].reshape(m, p)
        k = int(codes.max()) + 1
    column = np.broadcast_to(np.arange(p, dtype=np.int64), (m, p)).reshape(-1)
    key = column * k + codes.reshape(-1)
    if k <= 8 * m:  # few symbols: a dense count, no sort
        occupied = np.bincount(key, minlength=k * p) > 0
        cells = np.flatnonzero(occupied)
        index = np.cumsum(occupied) - 1
        x_id = index[key]
    else:
        cells, x_id = np.unique(key, return_inverse=True)
        x_id = x_id.reshape(-1)
    cell_col = cells // k
    cnt_x = np.bincount(x_id, minlength=cells.size)
    cnt_xu = np.bincount(2 * x_id + u.reshape(-1), minlength=2 * cells.size)
    cnt_u1 = u.sum(axis=0)
    cnt_u0 = m - cnt_u1
    # sum_{x,u} c_xu log(c_xu m / (c_x c_u)) / m: the ratio is a quotient of integers below 2**53,
    # exactly 1.0 for a cell at independence, so an exactly independent column gives exactly 0 (the
    # entropy difference H(X) + H(U) - H(X,U) would leave round-off of 1e-16, which sqrt(2 I) turns
    # into 1e-8)
    c_u = np.stack([cnt_u0, cnt_u1], axis=1)[np.repeat(cell_col, 2), np.tile([0, 1], cells.size)]
    c_x = np.repeat(cnt_x, 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (cnt_xu.astype(np.float64) * m) / (c_x.astype(np.float64) * c_u)
        terms = np.where(cnt_xu > 0, cnt_xu * np.log(np.where(cnt_xu > 0, ratio, 1.0)), 0.0)
    mi = np.bincount(np.repeat(cell_col, 2), weights=terms, minlength=p) / m
    if miller_madow:
        k_x = np.bincount(cell_col, minlength=p)
        k_xu = np.bincount(np.repeat(cell_col, 2), weights=(cnt_xu > 0).astype(float), minlength=p)
        k_u = (cnt_u0 > 0).astype(float) + (cnt_u1 > 0)
        mi = mi + ((k_x - 1) + (k_u - 1) - (k_xu - 1)) / (2.0 * m)
    return np.clip(mi, 0.0, _LOG2)


def _per_pair_mi(symbols: np.ndarray, masks: np.ndarray, miller_madow: bool,
                 pooled: bool = False) -> np.ndarray:
    r"""Plug-in :math:`\hat I(X_i;U_i)` per supersample and pair.

    ``symbols`` has shape masks.shape + (k,). Returns shape (n,) for 2-D masks, (S, n) for 3-D
    masks, or (n,) when ``pooled`` (the runs of all supersamples taken together).
    """
    k = symbols.shape[-1]
    if masks.ndim == 3 and pooled:
        s, m, n = masks.shape
        symbols = symbols.reshape(s * m, n, k)
        masks = masks.reshape(s * m, n)
    if masks.ndim == 3:
        s, m, n = masks.shape
        sym = np.moveaxis(symbols, 1, 0).reshape(m, s * n, k)
        u = np.moveaxis(masks, 1, 0).reshape(m, s * n)
        codes = _row_codes(sym.reshape(m * s * n, k)).reshape(m, s * n)
        return _plugin_columns(codes, u, miller_madow).reshape(s, n)
    m, n = masks.shape
    codes = _row_codes(symbols.reshape(m * n, k)).reshape(m, n)
    return _plugin_columns(codes, masks, miller_madow)


def plugin_mi(symbols: ArrayLike, u: ArrayLike, *, miller_madow: bool = False) -> float:
    r"""Plug-in mutual information (nats) between a discrete variable and one bit.

    .. math::

        \hat I(X;U) = \hat H(X) + \hat H(U) - \hat H(X,U), \qquad
        \hat H = -\sum_a \hat p_a\log\hat p_a,

    with the empirical frequencies :math:`\hat p` of the ``m`` samples, floored at 0 and capped
    at :math:`\log 2` (the entropy of one bit). With ``miller_madow=True`` each entropy gets
    :math:`(\hat K-1)/(2m)` added, :math:`\hat K` its number of non-empty cells, before the
    difference is taken, floored and capped.

    Parameters
    ----------
    symbols : array_like, shape (m,) or (m, k)
        One symbol per sample; the rows of a 2-D array are symbols, compared exactly (numbers,
        bools or strings; no NaN).
    u : array_like, shape (m,)
        The bit, entries in ``{0, 1}``; ``m >= 2``.
    miller_madow : bool, default False
        Apply the Miller–Madow bias correction.

    Returns
    -------
    float
        :math:`\hat I\in[0,\log 2]`.

    See Also
    --------
    samplewise_mi : the same estimate for every pair of a supersample experiment.
    theory.information.discrete_mutual_information : two arbitrary discrete samples.

    References
    ----------
    T. M. Cover and J. A. Thomas, *Elements of Information Theory*, 2nd ed., Wiley 2006, §2.4;
    G. A. Miller, "Note on the bias of information estimates", in *Information Theory in
    Psychology*, Free Press 1955; L. Paninski, "Estimation of entropy and mutual information",
    Neural Computation 15 (2003).

    Examples
    --------
    A symbol that copies the bit carries :math:`\log 2`:

    >>> print(round(plugin_mi([3, 3, 7, 7], [0, 0, 1, 1]), 12), round(math.log(2), 12))
    0.69314718056 0.69314718056
    """
    sym = _symbols(symbols, "symbols", (1, 2))
    bit = _binary(u, "u", 1)
    miller_madow = check_bool(miller_madow, "miller_madow")
    if sym.shape[0] != bit.shape[0]:
        _fail("u", f"of the same length as `symbols` ({sym.shape[0]} samples); got {bit.shape[0]}")
    sym = sym.reshape(sym.shape[0], 1, -1)
    return float(_per_pair_mi(sym, bit.reshape(-1, 1), miller_madow)[0])


def samplewise_mi(values: ArrayLike, masks: ArrayLike, *, miller_madow: bool = False) -> np.ndarray:
    r"""Plug-in :math:`\hat I(V_i;U_i)` for every pair ``i`` of a supersample experiment.

    For pair ``i`` the ``m`` runs give ``m`` samples :math:`(V_i, U_i)`; the estimate is
    :func:`plugin_mi` of those samples, computed for all pairs at once.

    Parameters
    ----------
    values : array_like, shape (m, n) or (m, n, k)
        Per run and pair one symbol (the rows of the last axis of a 3-D array are symbols).
    masks : array_like, shape (m, n)
        :math:`U`, entries in ``{0, 1}``; ``m >= 2`` runs.
    miller_madow : bool, default False
        Apply the Miller–Madow bias correction to every entropy.

    Returns
    -------
    ndarray, shape (n,)
        :math:`\hat I(V_i;U_i)` in nats, each in :math:`[0,\log 2]`.

    See Also
    --------
    plugin_mi : one pair.

    References
    ----------
    H. Harutyunyan, M. Raginsky, G. Ver Steeg and A. Galstyan, "Information-theoretic
    generalization bounds for black-box learning algorithms", NeurIPS 2021 (the per-pair
    plug-in estimate of their code, hrayrhar/f-CMI).

    Examples
    --------
    Pair 0 copies the mask, pair 1 is constant:

    >>> samplewise_mi([[0, 5], [1, 5]], [[0, 1], [1, 0]]).round(12).tolist()
    [0.69314718056, 0.0]
    """
    u = _masks(masks, ndim=2)
    vals = _symbols(values, "values", (2, 3))
    miller_madow = check_bool(miller_madow, "miller_madow")
    if vals.shape[:2] != u.shape:
        _fail("values", f"of shape masks.shape = {u.shape} (+ an optional symbol axis); got {vals.shape}")
    sym = vals.reshape(u.shape + (-1,))
    return _per_pair_mi(sym, u, miller_madow)


# --------------------------------------------------------------------------------------------
# bounds
# --------------------------------------------------------------------------------------------

def fcmi_bound(predictions: ArrayLike, masks: ArrayLike, *, miller_madow: bool = False) -> float:
    r"""f-CMI bound evaluated with plug-in estimates (Harutyunyan et al., NeurIPS 2021).

    .. math::

        |\mathrm{gen}| \le \frac1n\sum_{i=1}^n E_{\tilde Z}\sqrt{2\,I^{\tilde Z}(F_i;U_i)},
        \qquad F_i = (f_W(\tilde X_{i,0}), f_W(\tilde X_{i,1})),

    for a loss in :math:`[0,1]` that depends on :math:`W` only through the predictions. Each
    :math:`I^{\tilde z}(F_i;U_i)` is replaced by the plug-in estimate over the runs sharing
    :math:`\tilde z` (one symbol per run: the predictions on both members), and the expectation
    over :math:`\tilde Z` by the mean over supersamples; the formula is
    :func:`theory.bounds.samplewise_cmi_bound`.

    Parameters
    ----------
    predictions : array_like, shape (m, n, 2, ...) or (S, m, n, 2, ...)
        Predicted labels (or any discrete outputs) on :math:`(\tilde Z_{i,0},\tilde Z_{i,1})`
        per run and pair; trailing axes (e.g. a class axis) are flattened into the symbol.
    masks : array_like, shape (m, n) or (S, m, n)
        :math:`U`, entries in ``{0, 1}``; ``m >= 2`` runs per supersample.
    miller_madow : bool, default False
        Apply the Miller–Madow bias correction to the estimates.

    Returns
    -------
    float
        The estimated bound on :math:`|\mathrm{gen}|`.

    See Also
    --------
    ecmi_bound, ldcmi_bound, plugin_floor

    References
    ----------
    H. Harutyunyan, M. Raginsky, G. Ver Steeg and A. Galstyan, "Information-theoretic
    generalization bounds for black-box learning algorithms", NeurIPS 2021 (samplewise f-CMI
    bound; estimator as in their code, hrayrhar/f-CMI; theorem number not checked).

    Examples
    --------
    Predictions that reveal the mask (balanced masks) reach :math:`\sqrt{2\log 2}`:

    >>> u = np.array([[0, 1], [1, 0], [0, 0], [1, 1]])
    >>> print(round(fcmi_bound(np.stack([u, 1 - u], axis=-1), u), 12), round(math.sqrt(2 * math.log(2)), 12))
    1.177410022515 1.177410022515
    """
    u = _masks(masks)
    pred = _symbols(predictions, "predictions", None)
    miller_madow = check_bool(miller_madow, "miller_madow")
    _paired(pred, "predictions", u, exact=False)
    mis = _per_pair_mi(pred.reshape(u.shape + (-1,)), u, miller_madow)
    return _bounds.samplewise_cmi_bound(mis)


def ecmi_bound(losses: ArrayLike, masks: ArrayLike, *, miller_madow: bool = False) -> float:
    r"""e-CMI bound evaluated with plug-in estimates (Hellström and Durisi, NeurIPS 2022).

    .. math::

        |\mathrm{gen}| \le \frac1n\sum_{i=1}^n E_{\tilde Z}\sqrt{2\,I^{\tilde Z}(L_i;U_i)},
        \qquad L_i = (\ell(W,\tilde Z_{i,0}), \ell(W,\tilde Z_{i,1})),

    a loss in :math:`[0,1]`; the formula is :func:`theory.bounds.ecmi_bound`, each information
    term the plug-in estimate over the runs sharing :math:`\tilde z`.

    Parameters
    ----------
    losses : array_like, shape (m, n, 2) or (S, m, n, 2)
        Losses on :math:`(\tilde Z_{i,0},\tilde Z_{i,1})` per run and pair, in :math:`[0,1]`.
    masks : array_like, shape (m, n) or (S, m, n)
        :math:`U`, entries in ``{0, 1}``; ``m >= 2``.
    miller_madow : bool, default False
        Apply the Miller–Madow bias correction.

    Returns
    -------
    float
        The estimated bound on :math:`|\mathrm{gen}|`.

    See Also
    --------
    fcmi_bound, ldcmi_bound, binary_kl_bound

    References
    ----------
    F. Hellström and G. Durisi, "A new family of generalization bounds using samplewise
    evaluated CMI", NeurIPS 2022 (square-root e-CMI bound; theorem number as recalled, not
    checked; the constant is derived in :func:`theory.bounds.samplewise_cmi_bound`).

    Examples
    --------
    A memorizer (0 on the trained member, 1 on the held-out one) reveals the mask:

    >>> u = np.array([[0], [1]])
    >>> losses = np.stack([u, 1 - u], axis=-1)             # loss 1 on the held-out member
    >>> print(round(ecmi_bound(losses, u), 12), round(math.sqrt(2 * math.log(2)), 12))
    1.177410022515 1.177410022515
    """
    u = _masks(masks)
    arr = _losses(losses, u)
    miller_madow = check_bool(miller_madow, "miller_madow")
    return _bounds.ecmi_bound(_per_pair_mi(arr, u, miller_madow))


def ldcmi_bound(losses: ArrayLike, masks: ArrayLike, *, miller_madow: bool = False,
                pooled: bool = False) -> float:
    r"""Loss-difference CMI (or MI) bound evaluated with plug-in estimates (Wang and Mao, ICML 2023).

    .. math::

        |\mathrm{gen}| \le \frac1n\sum_{i=1}^n E_{\tilde Z}\sqrt{2\,I^{\tilde Z}(\Delta_i;U_i)}
        \quad\text{(default)},\qquad
        |\mathrm{gen}| \le \frac1n\sum_{i=1}^n \sqrt{2\,I(\Delta_i;U_i)}
        \quad\text{(pooled)},

    with :math:`\Delta_i=\ell(W,\tilde Z_{i,1})-\ell(W,\tilde Z_{i,0})` and a loss in
    :math:`[0,1]`. ``pooled=True`` estimates the unconditional :math:`I(\Delta_i;U_i)` from the
    runs of all supersamples together (pair ``i`` of every supersample). The formula is
    :func:`theory.bounds.ld_cmi_bound`.

    Parameters
    ----------
    losses : array_like, shape (m, n, 2) or (S, m, n, 2)
        Losses on both members, in :math:`[0,1]`.
    masks : array_like, shape (m, n) or (S, m, n)
        :math:`U`, entries in ``{0, 1}``; ``m >= 2``.
    miller_madow : bool, default False
        Apply the Miller–Madow bias correction.
    pooled : bool, default False
        Pool the runs over supersamples (needs the supersample axis).

    Returns
    -------
    float
        The estimated bound on :math:`|\mathrm{gen}|`.

    See Also
    --------
    ecmi_bound, interpolation_risk

    References
    ----------
    Z. Wang and Y. Mao, "Tighter information-theoretic generalization bounds from
    supersamples", ICML 2023, Theorems 3.1–3.2 (numbering as recalled, not checked; the
    constants are derived in :func:`theory.bounds.ld_cmi_bound`).

    Examples
    --------
    >>> u = np.array([[0], [1]])
    >>> losses = np.stack([u, 1 - u], axis=-1)             # a memorizer: Delta = (-1)^U
    >>> print(round(ldcmi_bound(losses, u), 12), round(math.sqrt(2 * math.log(2)), 12))
    1.177410022515 1.177410022515
    """
    u = _masks(masks)
    arr = _losses(losses, u)
    miller_madow = check_bool(miller_madow, "miller_madow")
    pooled = check_bool(pooled, "pooled")
    if pooled and u.ndim != 3:
        _fail("pooled", "False when `masks` has no supersample axis (pooling over supersamples "
                        "needs masks of shape (S, m, n))", pooled)
    delta = (arr[..., 1] - arr[..., 0])[..., None]
    return _bounds.ld_cmi_bound(_per_pair_mi(delta, u, miller_madow, pooled=pooled))


def single_loss_bound(losses: ArrayLike, masks: ArrayLike, *, miller_madow: bool = False,
                      factor: float = 1.0) -> float:
    r"""Single-loss MI bound: the loss on :math:`\tilde Z_{i,0}` alone against :math:`U_i`.

    .. math::

        |\mathrm{gen}| \le c\cdot\frac1n\sum_{i=1}^n E_{\tilde Z}
        \sqrt{2\,I^{\tilde Z}(L^0_i;U_i)}, \qquad L^0_i=\ell(W,\tilde Z_{i,0}),\quad c = 1,

    for a loss in :math:`[0,1]` and an algorithm whose output depends on :math:`(\tilde Z, U)`
    only through the training set :math:`(\tilde Z_{i,U_i})_i`.

    Derivation (constant derived here). Swapping :math:`\tilde Z_{i,0}\leftrightarrow
    \tilde Z_{i,1}` and :math:`U_i\to 1-U_i` leaves the training set, hence the law of
    :math:`W`, unchanged, and the swapped :math:`(\tilde Z, U)` has the same law; so
    :math:`(L^1_i,U_i)\overset{d}{=}(L^0_i,1-U_i)` and the :math:`i`-th term of ``gen`` is

    .. math::

        E[L_i^{1-U_i}] - E[L_i^{U_i}] = E[L^0_i\mid U_i=1] - E[L^0_i\mid U_i=0]
        = E_{\tilde Z}\big(E[L^0_i\mid U_i=1,\tilde Z]-E[L^0_i\mid U_i=0,\tilde Z]\big)

    (:math:`U\perp\tilde Z`). For a loss in :math:`[0,1]` the inner difference is at most the
    total variation :math:`\delta` between the two conditional laws of :math:`L^0_i`, and with
    :math:`U_i` a fair bit :math:`I^{\tilde z}(L^0_i;U_i)` is their Jensen–Shannon divergence,
    which by Pinsker's inequality against the midpoint is :math:`\ge\delta^2/2`. Hence
    :math:`c=1`; it cannot be lowered (trained error :math:`\tfrac12-\varepsilon`, held-out
    error :math:`\tfrac12`: gap :math:`\varepsilon`, :math:`\sqrt{2I}=\varepsilon(1+O(\varepsilon))`).
    The Donsker–Varadhan route with the 1-sub-Gaussian variable :math:`(-1)^{U_i}L^0_i`, whose
    mean is :math:`-\mathrm{gen}_i/2`, gives :math:`c=2` (valid, twice as loose); pass
    ``factor=2`` to reproduce it. Unlike :func:`ecmi_bound`, the symmetry step needs the
    average over :math:`\tilde Z`: a single supersample's value does not bound that
    supersample's own gap. Since :math:`L^0_i` is a function of :math:`L_i`, the value with
    :math:`c=1` never exceeds :func:`ecmi_bound` on the same runs.

    Parameters
    ----------
    losses : array_like, shape (m, n, 2) or (S, m, n, 2)
        Losses on both members, in :math:`[0,1]`; only member 0 enters.
    masks : array_like, shape (m, n) or (S, m, n)
        :math:`U`, entries in ``{0, 1}``; ``m >= 2``.
    miller_madow : bool, default False
        Apply the Miller–Madow bias correction.
    factor : float, default 1.0
        The constant :math:`c`, ``>= 1`` (1 is sharp, see above; 2 is the Donsker–Varadhan
        constant).

    Returns
    -------
    float
        The estimated bound on :math:`|\mathrm{gen}|`.

    See Also
    --------
    ecmi_bound, ldcmi_bound

    References
    ----------
    Z. Wang and Y. Mao, "Tighter information-theoretic generalization bounds from
    supersamples", ICML 2023 (single-loss bound from correlating the loss with a Rademacher
    sequence; form and constant as recalled, not checked against the paper's text); M. S.
    Pinsker, *Information and Information Stability of Random Variables and Processes*,
    Holden-Day 1964 (Pinsker's inequality).

    Examples
    --------
    A memorizer: :math:`L^0_i = U_i` (member 0 is wrong exactly when held out):

    >>> u = np.array([[0], [1]])
    >>> losses = np.stack([u, 1 - u], axis=-1)
    >>> print(round(single_loss_bound(losses, u), 12), round(math.sqrt(2 * math.log(2)), 12))
    1.177410022515 1.177410022515
    """
    u = _masks(masks)
    arr = _losses(losses, u)
    miller_madow = check_bool(miller_madow, "miller_madow")
    factor = as_float(factor, "factor", low=1.0)
    mis = _per_pair_mi(arr[..., :1], u, miller_madow)
    return factor * _bounds.samplewise_cmi_bound(mis)


def _binary_kl(p: float, q: float) -> float:
    """kl(p || q) for 0 <= p <= q < 1, through log1p (accurate when q is close to p)."""
    out = 0.0
    if p > 0.0:
        out -= p * math.log1p((q - p) / p)
    if p < 1.0:
        out += (1.0 - p) * math.log1p((q - p) / (1.0 - q))
    return out


def binary_kl_bound(train_error: float, mean_mi: float) -> float:
    r"""Binary-KL e-CMI bound on the expected population risk.

    .. math::

        E L_\mu(W) \le R^\star = \min\Big\{1,\ \sup\big\{R\ge 0:\
        \mathrm{kl}\big(\hat L\,\big\|\,\tfrac{\hat L+R}{2}\big)\le\bar I\big\}\Big\},
        \qquad \mathrm{kl}(p\|q)=p\log\frac pq+(1-p)\log\frac{1-p}{1-q},

    with :math:`\hat L = E L_S(W)` the expected training loss and
    :math:`\bar I = \frac1n\sum_i E_{\tilde Z} I^{\tilde Z}(L_i;U_i)` the mean samplewise e-CMI
    (any larger quantity, e.g. the mean f-CMI term, also gives a valid bound; the loss-difference
    MI does not). :math:`R` bounds the expected loss on held-out data — the population risk —
    not the gap; the gap bound is :math:`R^\star-\hat L`. The result is capped at 1, the largest
    risk of a loss in :math:`[0,1]`.

    Derivation (derived here). Fix :math:`\tilde z` and pair ``i``; under the product
    :math:`P_{L_i}\otimes P_{U_i'}` with an independent fair bit :math:`U_i'`, the loss on the
    member selected by :math:`U_i'` has mean :math:`\tfrac12(\text{train}+\text{held-out})`,
    under the joint law its mean is the training loss. A variable in :math:`[0,1]` is mapped to a
    Bernoulli of the same mean by randomized rounding, so data processing gives
    :math:`I^{\tilde z}(L_i;U_i)\ge\mathrm{kl}(\text{train}_i\,\|\,\tfrac12(\text{train}_i+
    \text{held-out}_i))`; joint convexity of kl over ``i`` and :math:`\tilde z` and
    :math:`E[\text{held-out}]=E L_\mu(W)` give the statement. With :math:`\hat L=0`:
    :math:`R^\star=\min\{1, 2(1-e^{-\bar I})\}`.

    The supremum is found by bisection on :math:`q=(\hat L+R)/2\in[\hat L,(1+\hat L)/2]`, where
    :math:`\mathrm{kl}(\hat L\|q)` is increasing, run until the bracket cannot shrink in floating
    point.

    Parameters
    ----------
    train_error : float
        :math:`\hat L\in[0,1]`.
    mean_mi : float
        :math:`\bar I` in nats, in :math:`[0,\log 2]`.

    Returns
    -------
    float
        :math:`R^\star\in[\hat L, 1]`.

    See Also
    --------
    ecmi_bound, interpolation_risk

    References
    ----------
    F. Hellström and G. Durisi, "A new family of generalization bounds using samplewise
    evaluated CMI", NeurIPS 2022 (samplewise average binary-KL bound; form as recalled, theorem
    number not checked; the derivation above is independent of the paper's text);
    M. Seeger, "PAC-Bayesian generalisation error bounds for Gaussian process classification",
    JMLR 3 (2002).

    Examples
    --------
    >>> print(round(binary_kl_bound(0.0, 0.1), 12), round(2 * (1 - math.exp(-0.1)), 12))
    0.190325163928 0.190325163928
    """
    p = check_probability(train_error, "train_error")
    i_bar = as_float(mean_mi, "mean_mi", low=0.0)
    if i_bar > _LOG2 * (1 + 1e-12):
        _fail("mean_mi", "in [0, log 2] (the mean information about one fair bit U_i)", mean_mi)
    hi = 0.5 * (1.0 + p)  # R = 1
    if p >= 1.0 or _binary_kl(p, hi) <= i_bar:
        return 1.0
    lo = p
    while True:
        mid = 0.5 * (lo + hi)
        if mid <= lo or mid >= hi:
            break
        if _binary_kl(p, mid) <= i_bar:
            lo = mid
        else:
            hi = mid
    return min(1.0, max(p, 2.0 * lo - p))


def interpolation_risk(losses: ArrayLike, masks: ArrayLike) -> float:
    r"""Population risk of an interpolating algorithm from the loss-difference MI.

    .. math::

        E L_\mu(W) = \frac{1}{n\log 2}\sum_{i=1}^n I(\Delta_i;U_i),
        \qquad \Delta_i=\ell(W,\tilde Z_{i,1})-\ell(W,\tilde Z_{i,0}),

    for an algorithm with training loss 0 in every run and the 0-1 loss, with the MI pooled over
    supersamples (the unconditional :math:`I(\Delta_i;U_i)`); each term is estimated by the
    plug-in MI of the runs of all supersamples together.

    Derivation (derived here). With zero training loss, :math:`\Delta_i=(-1)^{U_i}T_i` with
    :math:`T_i` the held-out loss, so :math:`\Delta_i\neq 0` reveals :math:`U_i` and
    :math:`I(\Delta_i;U_i)=\log 2-P(\Delta_i=0)\,H(U_i\mid\Delta_i=0)`. By the swap symmetry of
    the supersample (see :func:`single_loss_bound`), :math:`P(T_i=0\mid U_i=0)=
    P(T_i=0\mid U_i=1)`, so :math:`U_i` given :math:`\Delta_i=0` is a fair bit and
    :math:`I(\Delta_i;U_i)=P(T_i\neq 0)\log 2`, which is :math:`E T_i\log 2` for the 0-1 loss.
    For a single supersample (``S = 1``) the conditional entropy is at most :math:`\log 2`, so
    the value is an upper bound on that supersample's held-out risk; for a loss in
    :math:`[0,1]`, :math:`E T_i\le P(T_i\neq 0)`, again an upper bound.

    Parameters
    ----------
    losses : array_like, shape (S, m, n, 2)
        Losses on both members, in :math:`[0,1]`, exactly 0 on every trained member.
    masks : array_like, shape (S, m, n)
        :math:`U`, entries in ``{0, 1}``; ``m >= 2``; the supersample axis is required.

    Returns
    -------
    float
        The estimate of :math:`E L_\mu(W)`, in :math:`[0, 1]`.

    See Also
    --------
    ldcmi_bound, binary_kl_bound

    References
    ----------
    Z. Wang and Y. Mao, "Tighter information-theoretic generalization bounds from
    supersamples", ICML 2023 (interpolating algorithms; theorem number as recalled, not
    checked); M. Haghifam, G. K. Dziugaite, S. Moran and D. M. Roy, "Towards a unified
    information-theoretic framework for generalization", NeurIPS 2021.

    Examples
    --------
    Four runs of one pair over two supersamples, held-out errors 1, 1, 0, 0:

    >>> u = np.array([[[0], [1]], [[0], [1]]])
    >>> held_out = np.array([[[1], [1]], [[0], [0]]])
    >>> losses = np.where(u[..., None] == 1, np.stack([held_out, 0 * held_out], -1),
    ...                   np.stack([0 * held_out, held_out], -1))
    >>> print(round(interpolation_risk(losses, u), 12))
    0.5
    """
    u = as_array(masks, "masks", dtype=None)
    if u.ndim != 3:
        _fail("masks", f"of shape (S, m, n) with the supersample axis (the identity needs the MI "
                       f"pooled over supersamples); got ndim={u.ndim}")
    u = _masks(u, ndim=3)
    arr = _losses(losses, u)
    trained = np.take_along_axis(arr, u[..., None], axis=-1)
    if np.any(trained != 0.0):
        _fail("losses", "0 on every trained member (an interpolating algorithm); "
                        f"{int(np.count_nonzero(trained))} trained losses are non-zero")
    delta = (arr[..., 1] - arr[..., 0])[..., None]
    mis = _per_pair_mi(delta, u, False, pooled=True)
    return float(min(1.0, np.mean(mis) / _LOG2))


def generalization_gap(losses: ArrayLike, masks: ArrayLike) -> Measurement:
    r"""Measured generalization gap: held-out minus trained loss, with its standard error.

    .. math::

        g_r = \frac1n\sum_{i=1}^n\big(\ell(W_r,\tilde Z_{i,1-U_{r,i}})
              - \ell(W_r,\tilde Z_{i,U_{r,i}})\big),

    one value per run ``r`` (runs of all supersamples pooled); the result is their mean and its
    standard error ``std(ddof=1)/sqrt(#runs)`` (:meth:`theory.claims.Measurement.from_samples`).
    The held-out member is independent of :math:`W_r`, so :math:`E g_r=\mathrm{gen}`.

    Parameters
    ----------
    losses : array_like, shape (m, n, 2) or (S, m, n, 2)
        Losses on both members (any finite values).
    masks : array_like, shape (m, n) or (S, m, n)
        :math:`U`, entries in ``{0, 1}``; ``m >= 2``.

    Returns
    -------
    Measurement
        Mean gap and standard error over runs.

    Examples
    --------
    >>> u = np.array([[0, 1], [1, 1]])
    >>> losses = np.array([[[0.0, 1.0], [0.5, 0.0]], [[1.0, 0.0], [0.0, 0.0]]])
    >>> generalization_gap(losses, u)                      # run gaps (1 + 0.5)/2 and (1 + 0)/2
    Measurement(value=0.625, se=0.125)
    """
    u = _masks(masks)
    arr = _losses(losses, u, bounded=False)
    held = np.take_along_axis(arr, 1 - u[..., None], axis=-1)[..., 0]
    trained = np.take_along_axis(arr, u[..., None], axis=-1)[..., 0]
    with np.errstate(over="ignore", invalid="ignore"):
        gaps = np.mean(held - trained, axis=-1)
    if not np.all(np.isfinite(gaps)):
        _fail("losses", "small enough that their differences are finite (overflow)")
    return Measurement.from_samples(gaps)


def plugin_floor(num_symbols: int, m: int) -> float:
    r"""Approximate per-pair floor of the plug-in f-CMI term for independent symbols.

    .. math::

        \sqrt{2\cdot\frac{(k-1)(2-1)}{2m}} = \sqrt{\frac{k-1}{m}},

    from the first-order bias of the plug-in MI of two independent variables with :math:`k` and
    :math:`2` equiprobable values over :math:`m` samples,
    :math:`E\hat I\approx (k-1)(2-1)/(2m)` (Miller 1955; Paninski 2003). An approximation: it
    takes the square root of the mean (an upper value for the mean of the square roots, by
    Jensen) and assumes :math:`m` large against :math:`k`; it is the value a per-pair term
    takes when the predictions carry no information about the mask.

    Parameters
    ----------
    num_symbols : int
        Number :math:`k\ge 1` of symbols (e.g. 4 for binary predictions on a pair).
    m : int
        Number of runs, ``>= 1``.

    Returns
    -------
    float
        :math:`\sqrt{(k-1)/m}`.

    References
    ----------
    G. A. Miller, "Note on the bias of information estimates", in *Information Theory in
    Psychology*, Free Press 1955; L. Paninski, "Estimation of entropy and mutual information",
    Neural Computation 15 (2003), Section 3.

    Examples
    --------
    >>> print(round(plugin_floor(4, 100), 12), round(math.sqrt(3 / 100), 12))
    0.173205080757 0.173205080757
    """
    k = as_int(num_symbols, "num_symbols", low=1, high=_MAX_COUNT)
    m = as_int(m, "m", low=1, high=_MAX_COUNT)
    return math.sqrt(float(k - 1) / float(m))
