r"""Claims of the information bottleneck of compressed representations (Wang & Yang, ICML 2024).

Both sides come from :func:`theory.testbeds.protocols.bottleneck_run` (train a bottleneck MLP
with an IB penalty, compress its representation, compute the exact information quantities with X
uniform over the points), the recipe the experiment ``bottleneck`` calls:

- ``bottleneck.u1_upper_bound`` (must hold, exact): :math:`U_1 \ge I(X;A\mid Y)` on the test
  points with the table q from the training points;
- ``bottleneck.u1_equality`` (must hold, exact): :math:`U_1 = I(X;A\mid Y)` with q = p(a|y);
- ``bottleneck.released_trainable`` (must hold, exact): the released trainable term
  :math:`E[-\log Q(A\mid Y)] \ge H(A\mid Y) = I(X;A\mid Y) + H(A\mid X)` on the test points (Gibbs);
- ``bottleneck.released_input_gradient`` (must hold, exact): the released input-cluster term has
  zero gradient with respect to the representation;
- ``bottleneck.u2_upper_bound`` (must hold, exact): :math:`U_2 \ge I(X;A) - I(A;Y)`;
- ``bottleneck.merge_lowers_I_XA``, ``bottleneck.merge_lowers_I_AY`` (must hold, exact): merging
  clusters is data processing;
- ``bottleneck.classifier_bound`` (must hold, statistical): the finite-class bound of the hard
  bottleneck classifier against its error on held-out points, within 3 SE (it holds with
  probability at least 1 − δ);
- ``bottleneck.gap_tracks_ib`` (reported): the rank correlation across compression levels of the
  bottleneck classifier's gap with I(X;A|Y) is non-negative.
"""

from __future__ import annotations

from ..claims import Claim, Measurement, register
from ..testbeds import protocols

__all__ = ["BN_U1_BOUND", "BN_U1_EQUALITY", "BN_RELEASED_TRAINABLE", "BN_RELEASED_INPUT_GRADIENT", "BN_U2_BOUND",
           "BN_MERGE_I_XA", "BN_MERGE_I_AY", "BN_CLASSIFIER_BOUND", "BN_GAP_TRACKS_IB"]

WANG_YANG = "Wang, Li, Yang, ICML 2024 (DCS-Transformer; loss form transcribed from the released code)"
PARAMS = ("task", "seed", "K", "objective", "lam", "n_train", "n_table", "compression")


def _row(p):
    (row,) = protocols.bottleneck_run(p["task"], p["seed"], K=p["K"], objective=p["objective"], lam=p["lam"],
                                      n_train=p["n_train"], n_table=p["n_table"], compressions=[p["compression"]])
    return row


def _pair(bound_key, measured_key, se_key=None):
    def evaluate(p, rng):
        r = _row(p)
        return r[bound_key], Measurement(r[measured_key], r[se_key] if se_key else 0.0)
    return evaluate


def released_sides(row) -> tuple:
    """``(bound, Measurement)`` of ``bottleneck.released_trainable``: the released trainable term on
    the test points (the bound) against H(A|Y) there (the measured side)."""
    return row["released_trainable_test"], Measurement(row["test_H_A_given_Y"])


BN_U1_BOUND = register(Claim(
    id="bottleneck.u1_upper_bound",
    reference="U₁ = E[−Σ_a φ log q(a|y)] − E H(φ) ≥ H(A|Y) − H(A|X) = I(X;A|Y) by Gibbs' inequality [derived]",
    statement="I(X;A|Y) ≤ U₁ on test points, q(a|y) from the training points (exact)",
    params=PARAMS, evaluate=_pair("u1_test", "test_ib"),
))

BN_U1_EQUALITY = register(Claim(
    id="bottleneck.u1_equality",
    reference="U₁ with q = p(a|y): the slack E_y KL(p(·|y) ‖ q(·|y)) is 0 [derived]",
    statement="U₁ = I(X;A|Y) on the training points with q = p(a|y) (exact)",
    params=PARAMS, evaluate=_pair("train_ib", "u1_train"), relation="==",
))


def _released(p, rng):
    return released_sides(_row(p))


BN_RELEASED_TRAINABLE = register(Claim(
    id="bottleneck.released_trainable",
    reference=WANG_YANG + "; E[−log Q(A|Y)] ≥ H(A|Y) by Gibbs' inequality [derived]",
    statement="H(A|Y) = I(X;A|Y) + H(A|X) ≤ released trainable term E[−log Q(A|Y)] (test points, exact)",
    params=PARAMS, evaluate=_released,
))

BN_RELEASED_INPUT_GRADIENT = register(Claim(
    id="bottleneck.released_input_gradient",
    reference=WANG_YANG + "; the input-cluster term Σ_b φ(x,b) log φ(x,b) uses raw inputs only [derived]",
    statement="max |∂(released input term)/∂X̃| ≤ 0 (autograd): the term does not train the representation",
    params=PARAMS, evaluate=lambda p, rng: (0.0, Measurement(_row(p)["input_grad"])),
))

BN_U2_BOUND = register(Claim(
    id="bottleneck.u2_upper_bound",
    reference="Alemi, Fischer, Dillon, Murphy, ICLR 2017 (variational IB; E KL(φ‖r) ≥ I(X;A), "
              "−E log q(y|a) ≥ H(Y|A)) [std]",
    statement="I(X;A) − I(A;Y) ≤ U₂ on test points, r = p̂(a), q = p̂(y|a) from the training points (exact)",
    params=PARAMS, evaluate=_pair("u2_test", "test_ib"),
))


def _merge(key):
    def evaluate(p, rng):
        r = _row(p)
        if "premerge_train_" + key not in r:
            raise ValueError("`params` must name a merge compression (merge-2, merge-4) for this claim")
        return r["premerge_train_" + key], Measurement(r["train_" + key])
    return evaluate


BN_MERGE_I_XA = register(Claim(
    id="bottleneck.merge_lowers_I_XA",
    reference="data-processing inequality (Cover & Thomas, Thm. 2.8.1)",
    statement="I(X;m(A)) ≤ I(X;A) for merged clusters (exact)",
    params=PARAMS, evaluate=_merge("I_XA"),
))

BN_MERGE_I_AY = register(Claim(
    id="bottleneck.merge_lowers_I_AY",
    reference="data-processing inequality (Cover & Thomas, Thm. 2.8.1)",
    statement="I(m(A);Y) ≤ I(A;Y) for merged clusters (exact)",
    params=PARAMS, evaluate=_merge("I_AY"),
))

BN_CLASSIFIER_BOUND = register(Claim(
    id="bottleneck.classifier_bound",
    reference="finite class of |Y|^K tables: Hoeffding + union bound (theory.bottleneck.bottleneck_classifier_bound) [std]",
    statement="L_μ(h) ≤ L̂₂(h) + √((K ln|Y| + ln(1/δ))/(2n₂)), h = argmax_y q(y|a(x)) (w.p. ≥ 1−δ; 3 SE)",
    params=PARAMS, evaluate=_pair("bn_bound", "bn_test_err", "bn_test_err_se"), ceiling=1.0,
))


def _gap_ib(p, rng):
    rows = protocols.bottleneck_run(p["task"], p["seed"], K=p["K"], objective=p["objective"], lam=p["lam"],
                                    n_train=p["n_train"], n_table=p["n_table"])
    return 0.0, Measurement(-protocols.bottleneck_gap_ib_correlation(rows))


BN_GAP_TRACKS_IB = register(Claim(
    id="bottleneck.gap_tracks_ib",
    reference="Kawaguchi, Deng, Ji, Huang, ICML 2023 (generalization scales with I(X;Z|Y); a correlation, not a bound)",
    statement="−ρ_Spearman(gap of the bottleneck classifier, I(X;A|Y)) ≤ 0 across compressions (reported)",
    params=PARAMS[:-1], evaluate=_gap_ib, must_hold=False,
))
