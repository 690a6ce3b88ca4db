"""Evaluated CMI on a supersample experiment (theory.cmi).

Every test compares with an independently computed quantity: hand-written counting formulas,
scikit-learn's ``mutual_info_score``, exact expectations of the plug-in estimator (sums over
binomial laws), population-level identities evaluated in closed form, or a direct loop.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.special import rel_entr
from scipy.stats import binom
from sklearn.metrics import mutual_info_score

from theory import cmi

LOG2 = math.log(2.0)
SQRT_2LN2 = math.sqrt(2.0 * LOG2)


# --------------------------------------------------------------------------------------------
# independent oracles
# --------------------------------------------------------------------------------------------

def hand_mi(symbols, u, miller_madow=False):
    """Plug-in MI by counting tuples in pure Python (entropies of the three histograms)."""
    xs = [tuple(np.atleast_1d(s).tolist()) for s in symbols]
    us = [int(b) for b in u]
    m = len(us)

    def entropy(items):
        counts = Counter(items)
        h = -sum(c / m * math.log(c / m) for c in counts.values())
        return h + ((len(counts) - 1) / (2 * m) if miller_madow else 0.0)

    i = entropy(xs) + entropy(us) - entropy(list(zip(xs, us)))
    return min(max(i, 0.0), LOG2)


def expected_plugin_entropy(probs, n):
    """Exact E[H_hat] of the plug-in entropy of n i.i.d. draws: a sum over binomial cell counts."""
    c = np.arange(n + 1)
    f = np.zeros(n + 1)
    f[1:] = -(c[1:] / n) * np.log(c[1:] / n)
    return float(sum(np.dot(binom.pmf(c, n, p), f) for p in probs))


def expected_plugin_mi(joint, n):
    """Exact E[I_hat] = E H_hat(X) + E H_hat(U) - E H_hat(X, U) for a joint pmf table (k, 2)."""
    joint = np.asarray(joint, dtype=float)
    return (expected_plugin_entropy(joint.sum(axis=1), n) + expected_plugin_entropy(joint.sum(axis=0), n)
            - expected_plugin_entropy(joint.ravel(), n))


def bernoulli_kl(p, q):
    return float(rel_entr(p, q) + rel_entr(1 - p, 1 - q))


def js_bits(a, b):
    """Jensen-Shannon divergence (nats) of Bernoulli(a) and Bernoulli(b), equal weights."""
    mid = 0.5 * (a + b)
    return 0.5 * bernoulli_kl(a, mid) + 0.5 * bernoulli_kl(b, mid)


def balanced_masks(rng, shape):
    """Masks whose runs axis (-2) holds exactly half ones for every pair (shape[-2] even)."""
    *lead, m, n = shape
    base = np.zeros((m, n), dtype=int)
    base[: m // 2] = 1
    out = np.stack([rng.permuted(base, axis=0) for _ in range(int(np.prod(lead, dtype=int)))])
    return out.reshape(shape)


def memorizer_losses(masks, held_out):
    """Loss 0 on the trained member, ``held_out`` on the other one (shape masks.shape + (2,))."""
    held_out = np.asarray(held_out, dtype=float)
    member0 = np.where(masks == 1, held_out, 0.0)   # U = 1: member 0 held out
    member1 = np.where(masks == 0, held_out, 0.0)   # U = 0: member 1 held out
    return np.stack([member0, member1], axis=-1)


# --------------------------------------------------------------------------------------------
# the plug-in estimator
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("symbols, u", [
    (["a", "a", "b", "b", "b", "c"], [0, 1, 0, 1, 1, 0]),
    ([0, 0, 0, 0], [0, 1, 0, 1]),
    ([1, 2, 1, 2, 3, 3, 3], [1, 1, 0, 0, 0, 1, 1]),
    ([[0, 1], [0, 1], [1, 0], [1, 1], [0, 1]], [0, 0, 1, 1, 0]),
    ([0.5, -0.0, 0.0, 0.5, 2.0], [1, 0, 1, 0, 0]),
])
@pytest.mark.parametrize("miller_madow", [False, True])
def test_plugin_mi_matches_hand_counting(symbols, u, miller_madow):
    expected = hand_mi(symbols, u, miller_madow)   # -0.0 == 0.0 in Python: one symbol
    assert cmi.plugin_mi(symbols, u, miller_madow=miller_madow) == pytest.approx(expected, abs=1e-13)


def test_miller_madow_on_a_small_table_by_hand():
    # x = (0, 0, 1, 1, 2, 2), u = (0, 1, 0, 1, 0, 0): H(X) = log 3, H(U) = h(1/3),
    # H(X, U) = -(4 * 1/6 log 1/6 + 1/3 log 1/3); K_x = 3, K_u = 2, K_xu = 5, m = 6.
    hx, hu = math.log(3), -(1 / 3 * math.log(1 / 3) + 2 / 3 * math.log(2 / 3))
    hxu = -(4 / 6 * math.log(1 / 6) + 1 / 3 * math.log(1 / 3))
    raw = hx + hu - hxu
    mm = (hx + 2 / 12) + (hu + 1 / 12) - (hxu + 4 / 12)
    assert cmi.plugin_mi([0, 0, 1, 1, 2, 2], [0, 1, 0, 1, 0, 0]) == pytest.approx(raw, abs=1e-14)
    assert cmi.plugin_mi([0, 0, 1, 1, 2, 2], [0, 1, 0, 1, 0, 0], miller_madow=True) == \
        pytest.approx(max(mm, 0.0), abs=1e-14)
    # a copy of the bit: the correction +1/(2m) is capped at log 2
    assert cmi.plugin_mi([4, 9, 4, 9], [0, 1, 0, 1], miller_madow=True) == pytest.approx(LOG2, abs=1e-15)


@given(st.integers(0, 2**32 - 1), st.integers(2, 60), st.integers(1, 6))
def test_plugin_mi_matches_sklearn(seed, m, k):
    rng = np.random.default_rng(seed)
    u = rng.integers(0, 2, m)
    x = np.where(rng.random(m) < 0.5, u * (k - 1), rng.integers(0, k, m))   # partly dependent
    assert cmi.plugin_mi(x, u) == pytest.approx(max(mutual_info_score(u, x), 0.0), abs=1e-12)


@given(st.integers(0, 2**32 - 1), st.integers(2, 30), st.integers(1, 12), st.booleans())
def test_samplewise_mi_matches_sklearn_per_pair(seed, m, n, two_columns):
    rng = np.random.default_rng(seed)
    masks = rng.integers(0, 2, (m, n))
    shape = (m, n, 2) if two_columns else (m, n)
    values = rng.integers(0, 3, shape) + (masks[..., None] if two_columns else masks)
    got = cmi.samplewise_mi(values, masks)
    assert got.shape == (n,)
    for i in range(n):
        labels = ([f"{a},{b}" for a, b in values[:, i]] if two_columns else values[:, i])
        assert got[i] == pytest.approx(max(mutual_info_score(masks[:, i], labels), 0.0), abs=1e-12)


@pytest.mark.parametrize("k", [2, 3, 4])
def test_independent_symbols_give_only_the_exact_plugin_bias(k):
    # X uniform on k symbols, U a fair bit, independent: I = 0 and E I_hat is a binomial sum.
    m, n = 40, 20_000
    rng = np.random.default_rng(k)
    masks = rng.integers(0, 2, (m, n))
    values = rng.integers(0, k, (m, n))
    mis = cmi.samplewise_mi(values, masks)
    exact = expected_plugin_mi(np.full((k, 2), 1 / (2 * k)), m)
    se = mis.std(ddof=1) / math.sqrt(n)
    assert abs(mis.mean() - exact) <= 4 * se, (mis.mean(), exact, se)
    # Miller-Madow: (K_x + K_u - K_xu - 1) / (2m) added per pair, K the occupied cells
    mm = cmi.samplewise_mi(values, masks, miller_madow=True)
    sym = np.arange(k)[:, None, None]
    k_x = (values[None] == sym).any(axis=1).sum(axis=0)
    k_xu = sum(((values[None] == sym) & (masks[None] == b)).any(axis=1).sum(axis=0) for b in (0, 1))
    k_u = (masks == 0).any(axis=0).astype(int) + (masks == 1).any(axis=0)
    np.testing.assert_allclose(mm, np.clip(mis + (k_x + k_u - k_xu - 1) / (2 * m), 0.0, LOG2), atol=1e-13)
    assert mm.mean() < mis.mean()


@pytest.mark.parametrize("k", [2, 4, 8])
def test_plugin_floor_is_the_first_order_bias(k):
    m = 400
    exact = expected_plugin_mi(np.full((k, 2), 1 / (2 * k)), m)
    assert cmi.plugin_floor(k, m) == pytest.approx(math.sqrt((k - 1) / m), rel=1e-15)
    assert cmi.plugin_floor(k, m) ** 2 / 2 == pytest.approx(exact, rel=0.03)
    assert cmi.plugin_floor(1, 7) == 0.0


# --------------------------------------------------------------------------------------------
# f-, e-, ld-CMI and the single-loss form
# --------------------------------------------------------------------------------------------

def test_predictions_that_copy_the_mask_reach_sqrt_2ln2():
    rng = np.random.default_rng(0)
    masks = balanced_masks(rng, (3, 10, 7))
    preds = np.stack([masks, 1 - masks], axis=-1)                     # (S, m, n, 2)
    assert cmi.fcmi_bound(preds, masks) == pytest.approx(SQRT_2LN2, abs=1e-12)
    assert cmi.fcmi_bound(preds[0], masks[0]) == pytest.approx(SQRT_2LN2, abs=1e-12)
    np.testing.assert_allclose(cmi.samplewise_mi(masks[0], masks[0]), LOG2, atol=1e-12)
    one_hot = np.eye(3)[preds + 1]                                    # (S, m, n, 2, 3): classes 1, 2
    assert cmi.fcmi_bound(one_hot, masks) == pytest.approx(SQRT_2LN2, abs=1e-12)
    # a constant prediction carries nothing
    assert cmi.fcmi_bound(np.zeros_like(preds), masks) == 0.0


@given(st.integers(0, 2**32 - 1), st.integers(2, 12), st.integers(1, 8), st.integers(2, 4),
       st.sampled_from([None, 1, 3]))
def test_ld_le_single_le_e_le_f_for_losses_that_are_functions_of_predictions(seed, m, n, classes, s):
    rng = np.random.default_rng(seed)
    lead = () if s is None else (s,)
    masks = rng.integers(0, 2, lead + (m, n))
    labels = rng.integers(0, classes, lead + (1, n, 2))               # fixed by the supersample
    # predictions: right on the trained member with prob. 0.8, a coin otherwise
    guess = rng.integers(0, classes, lead + (m, n, 2))
    trained = np.stack([masks == 0, masks == 1], axis=-1)
    preds = np.where(trained & (rng.random(guess.shape) < 0.8), labels, guess)
    losses = (preds != labels).astype(float)
    f = cmi.fcmi_bound(preds, masks)
    e = cmi.ecmi_bound(losses, masks)
    ld = cmi.ldcmi_bound(losses, masks)
    single = cmi.single_loss_bound(losses, masks)
    tol = 1e-12
    assert ld <= e + tol and single <= e + tol and e <= f + tol
    assert cmi.single_loss_bound(losses, masks, factor=2.0) == pytest.approx(2 * single, rel=1e-15)
    if s is not None:   # the pooled (unconditional) estimate is a function of the pooled runs
        assert 0.0 <= cmi.ldcmi_bound(losses, masks, pooled=True) <= SQRT_2LN2 + tol


def test_supersample_axis_averages_the_per_supersample_bounds():
    rng = np.random.default_rng(3)
    masks = rng.integers(0, 2, (4, 9, 6))
    preds = rng.integers(0, 2, (4, 9, 6, 2))
    losses = (preds != 1).astype(float)
    for fn, x in ((cmi.fcmi_bound, preds), (cmi.ecmi_bound, losses), (cmi.ldcmi_bound, losses),
                  (cmi.single_loss_bound, losses)):
        assert fn(x, masks) == pytest.approx(np.mean([fn(x[s], masks[s]) for s in range(4)]), rel=1e-13)


def test_pooled_ld_cmi_against_counts_by_hand():
    # "Hardness" memorizer: zero training loss, held-out loss h(z) in {0, 1}. With balanced masks,
    # pooling S supersamples gives, per pair, A = #{s: h(Z_s1) = 0}, B = #{s: h(Z_s0) = 0} and
    # I_hat = log 2 - (A + B)/(2S) * h2(A / (A + B))   (h2 the binary entropy, nats).
    rng = np.random.default_rng(5)
    s, m, n = 6, 8, 40
    hard = rng.random((s, n, 2)) < 0.3
    masks = balanced_masks(rng, (s, m, n))
    held_out = np.where(masks == 1, hard[:, None, :, 0], hard[:, None, :, 1])
    losses = memorizer_losses(masks, held_out)
    a = (~hard[:, :, 1]).sum(axis=0)
    b = (~hard[:, :, 0]).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(a + b > 0, a / np.maximum(a + b, 1), 0.5)
        h2 = -(np.where(p > 0, p * np.log(p), 0) + np.where(p < 1, (1 - p) * np.log(1 - p), 0))
    mis = LOG2 - (a + b) / (2 * s) * h2
    assert cmi.ldcmi_bound(losses, masks, pooled=True) == pytest.approx(np.mean(np.sqrt(2 * mis)), abs=1e-12)
    assert cmi.interpolation_risk(losses, masks) == pytest.approx(np.mean(mis) / LOG2, abs=1e-12)
    # per supersample: Delta reveals U unless both members are easy, so I_hat = log 2 exactly
    not_both_easy = (hard[:, :, 0] | hard[:, :, 1]).mean(axis=1)
    assert cmi.ldcmi_bound(losses, masks) == pytest.approx(SQRT_2LN2 * not_both_easy.mean(), abs=1e-12)
    for k in range(s):   # per supersample the identity is an upper bound on the held-out risk
        risk_k = cmi.interpolation_risk(losses[k:k + 1], masks[k:k + 1])
        assert risk_k == pytest.approx(not_both_easy[k], abs=1e-12)
        assert risk_k >= held_out[k].mean() - 1e-12


def test_single_loss_constant_one_is_sharp_and_factor_two_is_not_needed():
    # Exact empirical law: m runs, half with U = 1. Member 0 has loss 1 in a fraction a of the runs
    # where it is held out and b of the runs where it is trained; member 1 mirrors it. The mean gap
    # is a - b and the single-loss MI is the Jensen-Shannon divergence of Bern(a) and Bern(b).
    m = 2000
    a, b = 0.51, 0.49
    u = np.repeat([1, 0], m // 2)
    held = np.concatenate([np.arange(m // 2) < a * m // 2, np.arange(m // 2) < a * m // 2])
    train = np.concatenate([np.arange(m // 2) < b * m // 2, np.arange(m // 2) < b * m // 2])
    member0 = np.where(u == 1, held, train).astype(float)
    member1 = np.where(u == 1, train, held).astype(float)
    losses = np.stack([member0, member1], axis=-1)[:, None, :]     # (m, 1, 2)
    masks = u[:, None]
    gap = cmi.generalization_gap(losses, masks).value
    bound = cmi.single_loss_bound(losses, masks)
    assert gap == pytest.approx(a - b, abs=1e-12)
    assert bound == pytest.approx(math.sqrt(2 * js_bits(a, b)), abs=1e-12)
    assert gap <= bound < 1.001 * gap                              # constant 1 holds and is sharp
    assert cmi.ecmi_bound(losses, masks) >= bound


@given(st.lists(st.floats(0.0, 1.0), min_size=4, max_size=4).filter(lambda w: sum(w) > 1e-3))
def test_single_loss_and_binary_kl_hold_at_population_level(weights):
    # A symmetric law of the loss pair: P(L0 = x, L1 = y | U = 0) = pi(x, y) on {0, 1}^2 and
    # P(. | U = 1) = pi(y, x). Training loss E L0 under pi, held-out loss E L1 under pi.
    pi = np.asarray(weights).reshape(2, 2) / sum(weights)
    train, test = pi[1, :].sum(), pi[:, 1].sum()
    mix = 0.5 * (pi + pi.T)
    i_pair = 0.5 * float(rel_entr(pi, mix).sum() + rel_entr(pi.T, mix).sum())     # I(L; U)
    i_single = js_bits(pi[1, :].sum(), pi[:, 1].sum())                              # I(L0; U)
    assert test - train <= math.sqrt(2 * i_single) + 1e-12
    assert i_single <= i_pair + 1e-12
    assert cmi.binary_kl_bound(train, min(i_pair, LOG2)) >= test - 1e-9


# --------------------------------------------------------------------------------------------
# binary KL
# --------------------------------------------------------------------------------------------

@given(st.floats(0.0, 0.99), st.floats(1e-9, LOG2))
def test_binary_kl_bound_solves_the_kl_equation(train_error, mean_mi):
    r = cmi.binary_kl_bound(train_error, mean_mi)
    assert train_error <= r <= 1.0
    q = 0.5 * (train_error + r)
    if r < 1.0:
        assert bernoulli_kl(train_error, q) == pytest.approx(mean_mi, abs=1e-10)
        assert bernoulli_kl(train_error, min(q + 1e-7, 1 - 1e-12)) > mean_mi  # the supremum
    else:
        assert bernoulli_kl(train_error, q) <= mean_mi + 1e-12


@given(st.floats(0.0, 1.0), st.floats(0.0, LOG2), st.floats(0.0, LOG2))
def test_binary_kl_bound_is_monotone(train_error, i1, i2):
    lo, hi = sorted((i1, i2))
    assert cmi.binary_kl_bound(train_error, lo) <= cmi.binary_kl_bound(train_error, hi)
    p2 = min(1.0, train_error + 0.05)
    assert cmi.binary_kl_bound(train_error, lo) <= cmi.binary_kl_bound(p2, lo) + 1e-12


@pytest.mark.parametrize("mean_mi", [0.0, 1e-8, 0.01, 0.3, 0.6, LOG2])
def test_binary_kl_bound_closed_forms(mean_mi):
    # kl(0 || q) = -log(1 - q): q = 1 - exp(-I), R = 2q (capped at 1)
    assert cmi.binary_kl_bound(0.0, mean_mi) == pytest.approx(min(1.0, 2 * -math.expm1(-mean_mi)), rel=1e-12,
                                                              abs=1e-300)
    assert cmi.binary_kl_bound(1.0, mean_mi) == 1.0
    assert cmi.binary_kl_bound(0.3, 0.0) == pytest.approx(0.3, abs=1e-15)


def test_binary_kl_bound_covers_the_memorizer():
    # Interpolating memorizer with held-out error p: I(L_i; U_i) = p log 2 and the risk is p.
    for p in np.linspace(0.0, 1.0, 21):
        assert cmi.binary_kl_bound(0.0, p * LOG2) >= p - 1e-12
    assert cmi.binary_kl_bound(0.0, LOG2) == 1.0


# --------------------------------------------------------------------------------------------
# interpolation and the measured gap
# --------------------------------------------------------------------------------------------

def test_interpolation_risk_of_a_memorizer_matches_the_exact_expectation():
    # Held-out error: a p-coin independent of everything. Pooled over S*m = N runs the samples
    # (U, Delta) are i.i.d., Delta = (-1)^U T, so E I_hat is a binomial sum over the cells of
    # (U, T); E I_hat / log 2 -> p (the identity) with a bias O(1/N^2).
    p, s, m, n, batches = 0.3, 4, 50, 3000, 30
    rng = np.random.default_rng(11)
    masks = rng.integers(0, 2, (s, m, n))
    losses = memorizer_losses(masks, rng.random((s, m, n)) < p)
    joint = 0.5 * np.array([[1 - p, 1 - p], [p, 0], [0, p]])     # rows Delta = 0, 1, -1; cols U
    exact = expected_plugin_mi(joint, s * m) / LOG2
    assert exact == pytest.approx(p, abs=2e-3)
    per_batch = [cmi.interpolation_risk(losses[..., j::batches, :], masks[..., j::batches])
                 for j in range(batches)]
    se = np.std(per_batch, ddof=1) / math.sqrt(batches)
    assert abs(np.mean(per_batch) - exact) <= 4 * se, (np.mean(per_batch), exact, se)
    assert cmi.interpolation_risk(losses, masks) == pytest.approx(np.mean(per_batch), abs=1e-12)


def test_generalization_gap_against_a_loop():
    rng = np.random.default_rng(2)
    s, m, n = 3, 5, 7
    masks = rng.integers(0, 2, (s, m, n))
    losses = rng.random((s, m, n, 2))
    gaps = []
    for a in range(s):
        for r in range(m):
            total = 0.0
            for i in range(n):
                trained = losses[a, r, i, masks[a, r, i]]
                held = losses[a, r, i, 1 - masks[a, r, i]]
                total += held - trained
            gaps.append(total / n)
    got = cmi.generalization_gap(losses, masks)
    assert got.value == pytest.approx(np.mean(gaps), abs=1e-14)
    assert got.se == pytest.approx(np.std(gaps, ddof=1) / math.sqrt(len(gaps)), rel=1e-12)
    two_d = cmi.generalization_gap(losses[0], masks[0])
    assert two_d.value == pytest.approx(np.mean(gaps[:m]), abs=1e-14)


def test_independent_counts_give_exactly_zero_and_bijective_symbols_give_equal_bounds():
    """A column whose counts factorize exactly has plug-in MI exactly 0 (not 1e-16, which sqrt(2I)
    would turn into 1e-8 and break the exact ordering); a loss pair that is a bijective function of
    the prediction pair (binary labels fixed) gives bit-identical e- and f-CMI terms."""
    from theory import cmi

    u = np.array([0, 1, 0, 1, 0, 1, 0, 1])
    x = np.array([0, 0, 1, 1, 2, 2, 2, 2])          # c_xu m = c_x c_u for every cell
    assert cmi.plugin_mi(x, u) == 0.0
    rng = np.random.default_rng(3)
    masks = np.concatenate([rng.integers(0, 2, (20, 30))] * 1)
    masks = np.concatenate([masks, 1 - masks])
    preds = rng.integers(0, 2, (40, 30, 2))
    labels = rng.integers(0, 2, (30, 2))
    losses = (preds != labels[None]).astype(float)
    assert cmi.ecmi_bound(losses, masks) == cmi.fcmi_bound(preds, masks)
