"""Bundled real data for the small-net testbed (no downloads).

:func:`load_digits_split` gives a seeded, stratified train/test split of scikit-learn's 8x8
handwritten digits (1797 images, 64 features with values 0..16, 10 classes), standardised with
statistics of the training part only. A small ``n_train`` puts a net in the over-fitting regime
that the compression experiments need; the rest of the data (``n_test`` up to 1797 - n_train)
estimates population risk.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from .._checks import as_array, as_int, check_bool, check_rng

if TYPE_CHECKING:  # annotations only: torch is imported lazily, where it is used
    import torch

__all__ = ["DataSplit", "load_digits_split", "stratified_counts", "N_DIGITS", "N_DIGIT_CLASSES"]

N_DIGITS = 1797
N_DIGIT_CLASSES = 10
_DEFAULT_N_TEST = 360


@dataclass(frozen=True)
class DataSplit:
    """A train/test split of a classification data set.

    Attributes
    ----------
    X_train : tensor (n_train, d) float32, or ndarray float64
    y_train : tensor (n_train,) int64, or ndarray int64
    X_test : tensor (n_test, d), or ndarray
    y_test : tensor (n_test,), or ndarray
    n_classes : int
    feature_mean : ndarray (d,) or None
        Per-feature mean of the raw training features (None when not standardised).
    feature_std : ndarray (d,) or None
        Per-feature standard deviation (``ddof=0``) of the raw training features; features with
        zero standard deviation are only centred (divided by 1).
    train_index : ndarray (n_train,) int64
        Rows of the full data set in the training part.
    test_index : ndarray (n_test,) int64
        Rows of the full data set in the test part.
    """

    X_train: object
    y_train: object
    X_test: object
    y_test: object
    n_classes: int = N_DIGIT_CLASSES
    feature_mean: np.ndarray | None = None
    feature_std: np.ndarray | None = None
    train_index: np.ndarray | None = None
    test_index: np.ndarray | None = None

    @property
    def n_train(self) -> int:
        return int(self.X_train.shape[0])

    @property
    def n_test(self) -> int:
        return int(self.X_test.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.X_train.shape[1])

    def transform(self, X: ArrayLike) -> np.ndarray:
        r"""Apply this split's standardisation to raw features ``X`` (n, d) (identity if none).

        .. math::

            \tilde x_j = \frac{x_j - m_j}{s_j}\ \ (s_j > 0), \qquad \tilde x_j = x_j - m_j\
            \ (s_j = 0).

        Parameters
        ----------
        X : array_like, shape (n, d)

        Returns
        -------
        ndarray, shape (n, d), float64

        References
        ----------
        Hastie, Tibshirani, Friedman, *The Elements of Statistical Learning*, 2nd ed. (2009),
        §3.4.1 (standardising inputs).
        """
        X = as_array(X, "X", ndim=2, shape=(None, self.n_features))
        if self.feature_mean is None:
            return X.copy()
        return (X - self.feature_mean) / _safe_std(self.feature_std)


def _safe_std(std: np.ndarray) -> np.ndarray:
    return np.where(std > 0, std, 1.0)


@functools.lru_cache(maxsize=1)
def _digits() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits  # ships with scikit-learn; no download
    d = load_digits()
    X = np.asarray(d.data, dtype=float)
    y = np.asarray(d.target, dtype=np.int64)
    X.setflags(write=False)
    y.setflags(write=False)
    return X, y


def _largest_remainder(total: int, quotas: np.ndarray, caps: np.ndarray) -> np.ndarray:
    """Integer counts summing to ``total`` near ``quotas`` (Hamilton's method), each <= caps."""
    base = np.minimum(np.floor(quotas).astype(np.int64), caps)
    rem = total - int(base.sum())
    frac = quotas - np.floor(quotas)
    order = np.lexsort((np.arange(len(quotas)), -frac))  # largest remainder first, ties by index
    counts = base.copy()
    while rem > 0:
        progressed = False
        for j in order:
            if rem == 0:
                break
            if counts[j] < caps[j] and counts[j] <= np.floor(quotas[j]):
                counts[j] += 1
                rem -= 1
                progressed = True
        if not progressed:  # every class at its ceiling: fill any class with room left
            for j in order:
                if rem == 0:
                    break
                if counts[j] < caps[j]:
                    counts[j] += 1
                    rem -= 1
                    progressed = True
        if not progressed:
            raise ValueError("`total` exceeds the available capacity")
    return counts


def stratified_counts(class_counts: ArrayLike, n_train: int, n_test: int) -> tuple[np.ndarray, np.ndarray]:
    r"""Per-class train and test counts proportional to the class frequencies.

    .. math::

        t_c \approx n_{\rm test}\frac{N_c}{N}, \qquad r_c \approx n_{\rm train}\frac{N_c}{N},
        \qquad \sum_c t_c = n_{\rm test},\ \sum_c r_c = n_{\rm train},\ r_c + t_c \le N_c,

    each rounded by the largest-remainder (Hamilton) method, so that
    :math:`|t_c - n_{\rm test} N_c/N| < 1`; the same holds for :math:`r_c` unless the
    capacity :math:`N_c - t_c` binds (only possible when ``n_train + n_test`` is close to N).

    Parameters
    ----------
    class_counts : array_like of int, shape (C,)
        :math:`N_c`.
    n_train, n_test : int

    Returns
    -------
    train_counts, test_counts : ndarray of int64, shape (C,)

    References
    ----------
    Balinski, Young, *Fair Representation* (1982), ch. 2 (Hamilton's largest-remainder method);
    Kohavi, "A study of cross-validation and bootstrap for accuracy estimation and model
    selection", IJCAI 1995 (stratified splits).

    Examples
    --------
    Classes of sizes 5, 3, 2 (shares 0.5, 0.3, 0.2). Test: ``3 * shares = 1.5, 0.9, 0.6`` floor to
    ``1, 0, 0`` and the two largest remainders (0.9, 0.6) get the two missing items, giving
    ``1, 1, 1``; train: ``4 * shares = 2, 1.2, 0.8`` floor to ``2, 1, 0`` and the largest remainder
    (0.8) gets the last item, giving ``2, 1, 1``.

    >>> from theory.testbeds.data import stratified_counts
    >>> train, test = stratified_counts([5, 3, 2], 4, 3)
    >>> train.tolist(), test.tolist()
    ([2, 1, 1], [1, 1, 1])
    """
    raw = as_array(class_counts, "class_counts", ndim=1, nonnegative=True)
    if not np.all(raw == np.round(raw)):
        raise ValueError(f"`class_counts` must hold integers; got {raw}")
    if raw.sum() > 2**53:
        raise ValueError(f"`class_counts` must sum to at most 2**53 (exact integers in float64); got {raw.sum():.6g}")
    counts = raw.astype(np.int64)
    N = int(counts.sum())
    if N < 1:
        raise ValueError("`class_counts` must hold at least one item (its sum is 0)")
    n_train = as_int(n_train, "n_train", low=0)
    n_test = as_int(n_test, "n_test", low=0)
    if n_train + n_test > N:
        raise ValueError(f"`n_train` + `n_test` must be <= {N}; got {n_train} + {n_test}")
    share = counts / N
    test = _largest_remainder(n_test, n_test * share, counts)
    train = _largest_remainder(n_train, n_train * share, counts - test)
    return train, test


def load_digits_split(n_train: int | None = None, n_test: int | None = None,
                      seed: int | np.random.Generator = 0, standardize: bool = True,
                      device: str | torch.device = "cpu", as_tensor: bool = True) -> DataSplit:
    r"""A seeded, stratified train/test split of scikit-learn's digits, standardised on train.

    .. math::

        \tilde x_{ij} = \frac{x_{ij} - m_j}{s_j}, \quad m_j = \frac{1}{n_{\rm tr}}
        \sum_{i \in \rm train} x_{ij},\quad s_j^2 = \frac{1}{n_{\rm tr}}
        \sum_{i\in\rm train} (x_{ij} - m_j)^2 \quad (s_j := 1 \text{ where } s_j = 0).

    Class counts in each part follow :func:`stratified_counts`; within each class the rows are
    chosen by a permutation from ``numpy.random.default_rng(seed)``. Rows of each part are
    returned in shuffled order. Rows not in either part (when ``n_train + n_test < 1797``) are
    unused.

    Parameters
    ----------
    n_train : int, optional
        Training size, >= 10. Default: all rows not used for testing.
    n_test : int, optional
        Test size, >= 10. Default: all rows not used for training, or 360 when ``n_train`` is
        also None (then ``n_train`` = 1437).
    seed : int or numpy.random.Generator, default 0
    standardize : bool, default True
    device : str or torch.device, default "cpu"
        Where the tensors go (ignored when ``as_tensor`` is False).
    as_tensor : bool, default True
        Torch tensors (X float32, y int64) or numpy arrays (X float64, y int64).

    Returns
    -------
    DataSplit

    Raises
    ------
    ValueError
        If ``n_train + n_test > 1797``, or a size is below 10 (one per class).

    References
    ----------
    Alpaydin, Kaynak, "Optical Recognition of Handwritten Digits", UCI Machine Learning
    Repository (1998) (the data; scikit-learn ships its 1797-image test part as
    ``sklearn.datasets.load_digits``); Pedregosa et al., "Scikit-learn: machine learning in
    Python", JMLR 12 (2011).

    Examples
    --------
    Each of the 10 digit classes holds about 180 of the 1797 images, so a stratified training set
    of 100 has 10 per class; the parts are disjoint and the standardised training features have
    mean 0.

    >>> import numpy as np
    >>> from theory.testbeds.data import load_digits_split
    >>> split = load_digits_split(n_train=100, n_test=50, as_tensor=False)
    >>> split.X_train.shape, split.X_test.shape
    ((100, 64), (50, 64))
    >>> np.bincount(split.y_train, minlength=10).tolist()
    [10, 10, 10, 10, 10, 10, 10, 10, 10, 10]
    >>> len(set(split.train_index) & set(split.test_index)), bool(np.allclose(split.X_train.mean(axis=0), 0))
    (0, True)
    """
    X_all, y_all = _digits()
    N = X_all.shape[0]
    if n_train is not None:
        n_train = as_int(n_train, "n_train", low=N_DIGIT_CLASSES)
    if n_test is not None:
        n_test = as_int(n_test, "n_test", low=N_DIGIT_CLASSES)
    if n_train is None and n_test is None:
        n_test = _DEFAULT_N_TEST
    if n_train is None:
        n_train = N - n_test
        if n_train < N_DIGIT_CLASSES:
            raise ValueError(f"`n_test` must leave at least {N_DIGIT_CLASSES} training rows; got {n_test}")
    if n_test is None:
        n_test = N - n_train
        if n_test < N_DIGIT_CLASSES:
            raise ValueError(f"`n_train` must leave at least {N_DIGIT_CLASSES} test rows; got {n_train}")
    if n_train + n_test > N:
        raise ValueError(f"`n_train` + `n_test` must be <= {N}; got {n_train} + {n_test}")
    check_bool(standardize, "standardize")
    check_bool(as_tensor, "as_tensor")
    try:
        rng = check_rng(seed)
    except ValueError:
        raise ValueError(f"`seed` must be None, a non-negative int or a numpy Generator; got {seed!r}") from None

    classes = np.arange(N_DIGIT_CLASSES)
    class_counts = np.array([(y_all == c).sum() for c in classes])
    train_counts, test_counts = stratified_counts(class_counts, n_train, n_test)
    tr, te = [], []
    for c in classes:
        idx = np.flatnonzero(y_all == c)
        idx = idx[rng.permutation(idx.size)]
        te.append(idx[:test_counts[c]])
        tr.append(idx[test_counts[c]:test_counts[c] + train_counts[c]])
    train_index = np.concatenate(tr)
    test_index = np.concatenate(te)
    train_index = train_index[rng.permutation(train_index.size)]
    test_index = test_index[rng.permutation(test_index.size)]

    X_tr, X_te = X_all[train_index].copy(), X_all[test_index].copy()
    y_tr, y_te = y_all[train_index].copy(), y_all[test_index].copy()
    mean = std = None
    if standardize:
        mean = X_tr.mean(axis=0)
        std = X_tr.std(axis=0)
        s = _safe_std(std)
        X_tr = (X_tr - mean) / s
        X_te = (X_te - mean) / s
    if as_tensor:
        import torch

        from .nets import resolve_device
        dev = resolve_device(device)
        X_tr = torch.as_tensor(X_tr, dtype=torch.float32, device=dev)
        X_te = torch.as_tensor(X_te, dtype=torch.float32, device=dev)
        y_tr = torch.as_tensor(y_tr, dtype=torch.int64, device=dev)
        y_te = torch.as_tensor(y_te, dtype=torch.int64, device=dev)
    return DataSplit(X_train=X_tr, y_train=y_tr, X_test=X_te, y_test=y_te, n_classes=N_DIGIT_CLASSES,
                     feature_mean=mean, feature_std=std, train_index=train_index, test_index=test_index)
