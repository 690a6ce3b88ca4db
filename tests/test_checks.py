"""Input validation: every helper names the argument and the constraint."""

import math

import numpy as np
import pytest

from theory import _checks as C


def test_as_float_accepts_numbers_and_numpy_scalars():
    assert C.as_float(3, "x") == 3.0
    assert C.as_float(np.float32(2.5), "x") == 2.5
    assert C.as_float(np.array(1.5), "x") == 1.5


@pytest.mark.parametrize("bad", [float("nan"), "a", [1.0, 2.0], None, True, 1 + 2j])
def test_as_float_rejects(bad):
    with pytest.raises(ValueError, match="`x`"):
        C.as_float(bad, "x")


def test_as_float_interval_and_inf():
    with pytest.raises(ValueError, match="`x` must be finite"):
        C.as_float(math.inf, "x")
    assert C.as_float(math.inf, "x", allow_inf=True) == math.inf
    with pytest.raises(ValueError, match="`p` must be <= 1"):
        C.check_probability(1.5, "p")
    with pytest.raises(ValueError, match="`s` must be > 0"):
        C.check_positive(0.0, "s")
    assert C.check_nonnegative(0.0, "s") == 0.0


def test_as_int():
    assert C.as_int(4.0, "k") == 4
    with pytest.raises(ValueError, match="`k` must be an integer"):
        C.as_int(4.5, "k")
    with pytest.raises(ValueError, match="`k` must be an integer >= 2"):
        C.as_int(1, "k", low=2)
    with pytest.raises(ValueError, match="`k`"):
        C.as_int(True, "k")


def test_as_array_checks():
    a = C.as_array([1, 2, 3], "v", ndim=1, positive=True)
    assert a.dtype == float and a.shape == (3,)
    with pytest.raises(ValueError, match="`v` must be finite"):
        C.as_array([1.0, np.nan], "v")
    with pytest.raises(ValueError, match="`v` must be non-negative"):
        C.as_array([1.0, -1.0], "v", nonnegative=True)
    with pytest.raises(ValueError, match="`v` must be an array with ndim"):
        C.as_array([[1.0]], "v", ndim=1)
    with pytest.raises(ValueError, match="`v` must be of shape"):
        C.as_array([1.0, 2.0], "v", shape=(3,))
    with pytest.raises(ValueError, match="at least 1"):
        C.as_array([], "v")


def test_check_psd():
    C.check_psd(np.eye(3), "cov", strict=True)
    with pytest.raises(ValueError, match="`cov` must be symmetric"):
        C.check_psd(np.array([[1.0, 0.5], [0.0, 1.0]]), "cov")
    with pytest.raises(ValueError, match="`cov` must be positive semi-definite"):
        C.check_psd(np.array([[1.0, 2.0], [2.0, 1.0]]), "cov")
    with pytest.raises(ValueError, match="`cov` must be positive definite"):
        C.check_psd(np.array([[1.0, 1.0], [1.0, 1.0]]), "cov", strict=True)
    with pytest.raises(ValueError, match="square"):
        C.check_psd(np.ones((2, 3)), "cov")


def test_probability_vector():
    C.check_probability_vector([0.2, 0.8], "p")
    with pytest.raises(ValueError, match="`p` must be a probability vector"):
        C.check_probability_vector([0.2, 0.7], "p")


def test_check_rng_reproducible():
    a = C.check_rng(7).standard_normal(3)
    b = C.check_rng(7).standard_normal(3)
    np.testing.assert_array_equal(a, b)
    g = np.random.default_rng(1)
    assert C.check_rng(g) is g
    with pytest.raises(ValueError, match="`rng`"):
        C.check_rng("seed")
    with pytest.raises(ValueError, match="`rng`"):
        C.check_rng(-1)


def test_check_in():
    assert C.check_in("a", "mode", ("a", "b")) == "a"
    with pytest.raises(ValueError, match="`mode` must be one of"):
        C.check_in("c", "mode", ("a", "b"))


def test_log_base():
    assert C.log_base(None) == 1.0
    assert C.log_base(2) == pytest.approx(math.log(2))
    for bad in (1.0, 0.5, 0.0, -2.0, float("nan")):
        with pytest.raises(ValueError, match="`base`"):
            C.log_base(bad)
