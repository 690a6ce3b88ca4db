"""Input validation helpers: what they accept and return. (What they refuse, and that the message
names the argument, is in the central table tests/bad_inputs/cases_foundations.py.)"""

import math

import numpy as np
import pytest

from theory import _checks as C


def test_as_float_accepts_numbers_and_numpy_scalars():
    assert C.as_float(3, "x") == 3.0
    assert C.as_float(np.float32(2.5), "x") == 2.5
    assert C.as_float(np.array(1.5), "x") == 1.5
    assert C.as_float(math.inf, "x", allow_inf=True) == math.inf
    assert C.as_float(10**400, "x", allow_inf=True) == math.inf     # an int beyond the float range
    assert C.check_nonnegative(0.0, "s") == 0.0
    assert C.check_probability(1.0, "p") == 1.0


def test_as_int_and_as_size():
    assert C.as_int(4.0, "k") == 4
    assert C.as_int(np.int64(7), "k", low=7, high=7) == 7
    assert C.as_size(C.MAX_SIZE, "n") == C.MAX_SIZE
    assert C.as_size(0, "n", low=0) == 0


def test_as_array_checks():
    a = C.as_array([1, 2, 3], "v", ndim=1, positive=True)
    assert a.dtype == float and a.shape == (3,)
    assert C.as_array([1.0, np.inf], "v", finite=False)[1] == np.inf
    assert C.as_array([], "v", min_size=0).size == 0


def test_check_psd_symmetrizes():
    C.check_psd(np.eye(3), "cov", strict=True)
    a = np.array([[2.0, 1.0 + 1e-12], [1.0, 2.0]])
    out = C.check_psd(a, "cov")
    assert np.array_equal(out, out.T)


def test_probability_vector():
    np.testing.assert_array_equal(C.check_probability_vector([0.2, 0.8], "p"), [0.2, 0.8])


def test_check_rng_reproducible():
    a = C.check_rng(7).standard_normal(3)
    b = C.check_rng(7).standard_normal(3)
    np.testing.assert_array_equal(a, b)
    g = np.random.default_rng(1)
    assert C.check_rng(g) is g


def test_check_in_and_bool():
    assert C.check_in("a", "mode", ("a", "b")) == "a"
    assert C.check_in("a", "mode", {"a": 1}) == "a"
    assert C.check_bool(np.bool_(True), "flag") is True


def test_log_base():
    assert C.log_base(None) == 1.0
    assert C.log_base(2) == pytest.approx(math.log(2))
