"""Tests for theory.testbeds.data: the seeded, stratified, train-standardised digits split.

Expected values come from scikit-learn's raw ``load_digits`` (loaded here directly) and from the
class proportions, never from the code under test.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_digits

from theory.testbeds.data import DataSplit, load_digits_split, stratified_counts

RAW = load_digits()
X_RAW = np.asarray(RAW.data, dtype=float)
Y_RAW = np.asarray(RAW.target)
N = X_RAW.shape[0]
CLASS_COUNTS = np.bincount(Y_RAW, minlength=10)


def test_raw_data_is_what_we_think():
    assert N == 1797 and X_RAW.shape[1] == 64 and CLASS_COUNTS.size == 10


@pytest.mark.parametrize("n_train,n_test,exp_train,exp_test", [
    (None, None, 1437, 360),
    (100, None, 100, 1697),
    (None, 500, 1297, 500),
    (200, 300, 200, 300),
    (1787, 10, 1787, 10),
])
def test_shapes_and_types(n_train, n_test, exp_train, exp_test):
    d = load_digits_split(n_train=n_train, n_test=n_test, seed=0)
    assert isinstance(d, DataSplit)
    assert tuple(d.X_train.shape) == (exp_train, 64) and tuple(d.y_train.shape) == (exp_train,)
    assert tuple(d.X_test.shape) == (exp_test, 64) and tuple(d.y_test.shape) == (exp_test,)
    assert d.X_train.dtype == torch.float32 and d.y_train.dtype == torch.int64
    assert d.X_train.device.type == "cpu"
    assert d.n_classes == 10 and d.n_train == exp_train and d.n_test == exp_test and d.n_features == 64


def test_numpy_output():
    d = load_digits_split(n_train=150, n_test=150, as_tensor=False)
    assert isinstance(d.X_train, np.ndarray) and d.X_train.dtype == np.float64
    assert isinstance(d.y_test, np.ndarray) and d.y_test.dtype == np.int64


@pytest.mark.parametrize("n_train,n_test", [(100, None), (None, None), (333, 777), (50, 50)])
def test_stratified_class_counts(n_train, n_test):
    d = load_digits_split(n_train=n_train, n_test=n_test, seed=3, as_tensor=False)
    for y, n in ((d.y_train, d.n_train), (d.y_test, d.n_test)):
        counts = np.bincount(y, minlength=10)
        quota = n * CLASS_COUNTS / N  # proportional allocation
        assert counts.sum() == n
        assert np.all(np.abs(counts - quota) < 1.0), (counts, quota)


def test_no_overlap_and_rows_are_the_raw_rows():
    d = load_digits_split(n_train=300, n_test=400, seed=5, standardize=False, as_tensor=False)
    tr, te = d.train_index, d.test_index
    assert np.unique(tr).size == tr.size and np.unique(te).size == te.size
    assert np.intersect1d(tr, te).size == 0
    np.testing.assert_array_equal(d.X_train, X_RAW[tr])
    np.testing.assert_array_equal(d.X_test, X_RAW[te])
    np.testing.assert_array_equal(d.y_train, Y_RAW[tr])
    np.testing.assert_array_equal(d.y_test, Y_RAW[te])
    assert d.feature_mean is None and d.feature_std is None
    # the rows themselves are disjoint too (as multisets of (index, row))
    rows_tr = {tuple(r) for r in X_RAW[tr]}
    dup_in_raw = {tuple(r) for r in X_RAW[te]} & rows_tr
    for r in dup_in_raw:  # only an image that occurs twice in the raw data may appear in both
        assert (X_RAW == np.array(r)).all(axis=1).sum() >= 2


def test_train_only_standardisation():
    d = load_digits_split(n_train=120, seed=7, as_tensor=False)
    raw_tr, raw_te = X_RAW[d.train_index], X_RAW[d.test_index]
    mean = raw_tr.mean(axis=0)
    std = raw_tr.std(axis=0)
    np.testing.assert_allclose(d.feature_mean, mean, rtol=0, atol=1e-12)
    np.testing.assert_allclose(d.feature_std, std, rtol=0, atol=1e-12)
    const = std == 0
    assert const.any(), "digits has constant pixels in a small training set"
    # train part: mean 0, std 1 (or 0 for constant features, left at 0 after centring)
    np.testing.assert_allclose(d.X_train.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(d.X_train.std(axis=0), np.where(const, 0.0, 1.0), atol=1e-12)
    assert np.all(d.X_train[:, const] == 0.0)
    assert np.all(np.isfinite(d.X_test))
    # test part uses the train statistics: not exactly centred
    expected_te = (raw_te - mean) / np.where(const, 1.0, std)
    np.testing.assert_allclose(d.X_test, expected_te, rtol=1e-12, atol=1e-12)
    assert np.max(np.abs(d.X_test.mean(axis=0))) > 1e-3
    np.testing.assert_allclose(d.transform(raw_te), expected_te, rtol=1e-12, atol=1e-12)


def test_tensor_and_numpy_agree():
    a = load_digits_split(n_train=200, n_test=100, seed=2)
    b = load_digits_split(n_train=200, n_test=100, seed=2, as_tensor=False)
    np.testing.assert_allclose(a.X_train.numpy(), b.X_train.astype(np.float32), rtol=0, atol=0)
    np.testing.assert_array_equal(a.y_test.numpy(), b.y_test)


def test_reproducible_with_seed():
    a = load_digits_split(n_train=100, n_test=200, seed=11)
    b = load_digits_split(n_train=100, n_test=200, seed=11)
    c = load_digits_split(n_train=100, n_test=200, seed=12)
    assert torch.equal(a.X_train, b.X_train) and torch.equal(a.y_test, b.y_test)
    np.testing.assert_array_equal(a.train_index, b.train_index)
    assert not np.array_equal(a.train_index, c.train_index)
    g1, g2 = np.random.default_rng(4), np.random.default_rng(4)
    np.testing.assert_array_equal(load_digits_split(n_train=50, seed=g1).test_index,
                                  load_digits_split(n_train=50, seed=g2).test_index)


@given(counts=st.lists(st.integers(1, 60), min_size=2, max_size=8),
       f_train=st.floats(0, 1), f_test=st.floats(0, 1))
@settings(max_examples=60)
def test_stratified_counts_properties(counts, f_train, f_test):
    counts = np.array(counts)
    N_ = int(counts.sum())
    n_test = int(f_test * N_)
    n_train = int(f_train * (N_ - n_test))
    tr, te = stratified_counts(counts, n_train, n_test)
    assert tr.sum() == n_train and te.sum() == n_test
    assert np.all(tr >= 0) and np.all(te >= 0) and np.all(tr + te <= counts)
    assert np.all(np.abs(te - n_test * counts / N_) < 1.0)
    # the train quota can only be missed when a class's capacity binds
    if np.all(counts * (N_ - n_train - n_test) / N_ >= 2):
        assert np.all(np.abs(tr - n_train * counts / N_) < 1.0)


def test_stratified_counts_accepts_integral_floats():
    tr, te = stratified_counts([5.0, 5.0], 4, 2)
    assert tr.dtype == np.int64 and tr.tolist() == [2, 2] and te.tolist() == [1, 1]
