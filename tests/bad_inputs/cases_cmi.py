"""Bad inputs for evaluated CMI on a supersample experiment (theory.cmi)."""

import math

import numpy as np

from bad_inputs import Case

from theory import cmi

NAN, INF = math.nan, math.inf
V = ValueError
T = (ValueError, TypeError)

U2 = np.array([[0, 1, 1], [1, 0, 1]])                  # (m=2, n=3)
U3 = np.stack([U2, 1 - U2])                             # (S=2, m=2, n=3)
P2 = np.stack([U2, 1 - U2], axis=-1)                    # predictions (2, 3, 2)
P3 = np.stack([U3, 1 - U3], axis=-1)                    # (2, 2, 3, 2)
L2 = P2.astype(float)                                   # a memorizer's losses
L3 = P3.astype(float)
ONE_RUN = U2[:1]
NOT_BINARY = np.array([[0, 2, 1], [1, 0, 1]])
HUGE = np.array(L2)
HUGE[0, 0] = [1e308, -1e308]                            # finite losses whose difference overflows


def _with(arr, value, index=(0,)):
    out = np.array(arr, dtype=float)
    out[index] = value
    return out


def _interp_losses():
    """Held-out loss 1, trained loss 0 everywhere, except one trained loss set to 0.5."""
    losses = L3.copy()
    s, r, i = 0, 0, 0
    losses[s, r, i, U3[s, r, i]] = 0.5
    return losses


_MASK_CASES = [   # (label, masks, exc, match) shared by every function taking masks
    ("masks not 0/1", NOT_BINARY, V, "`masks`.*0, 1"),
    ("masks nan", _with(U2, NAN), V, "`masks`"),
    ("masks one run", ONE_RUN, V, "`masks`.*at least 2 runs"),
    ("masks strings", np.array([["a", "b", "a"], ["b", "a", "b"]]), V, "`masks`"),
    ("masks 1-d", np.array([0, 1, 1]), V, "`masks`.*ndim"),
    ("masks empty", np.zeros((2, 0)), V, "`masks`"),
]

CASES = [
    # ---------------------------------------------------------------- plugin_mi
    Case(cmi.plugin_mi, lambda: cmi.plugin_mi([1, 2, 3], [0, 1, 2]), V, "`u`.*0, 1", "u not binary"),
    Case(cmi.plugin_mi, lambda: cmi.plugin_mi([1, 2, 3], [0, 1]), V, "`u`.*same length", "length"),
    Case(cmi.plugin_mi, lambda: cmi.plugin_mi([1], [0]), V, "`u`.*at least 2", "one sample"),
    Case(cmi.plugin_mi, lambda: cmi.plugin_mi([1.0, NAN], [0, 1]), V, "`symbols`", "nan"),
    Case(cmi.plugin_mi, lambda: cmi.plugin_mi([1.0, INF], [0, 1]), V, "`symbols`", "inf"),
    Case(cmi.plugin_mi, lambda: cmi.plugin_mi([1j, 2j], [0, 1]), V, "`symbols`", "complex"),
    Case(cmi.plugin_mi, lambda: cmi.plugin_mi(np.zeros((2, 2, 2)), [0, 1]), V, "`symbols`.*ndim", "shape"),
    Case(cmi.plugin_mi, lambda: cmi.plugin_mi([], []), V, "`symbols`", "empty"),
    Case(cmi.plugin_mi, lambda: cmi.plugin_mi([1, 2], [[0, 1]]), V, "`u`.*ndim", "u shape"),
    Case(cmi.plugin_mi, lambda: cmi.plugin_mi([1, 2], [0, 1], miller_madow="yes"), V, "`miller_madow`", "type"),
    Case(cmi.plugin_mi, lambda: cmi.plugin_mi([object(), object()], [0, 1]), T, "`symbols`", "object"),
    # ---------------------------------------------------------------- samplewise_mi
    Case(cmi.samplewise_mi, lambda: cmi.samplewise_mi(U2[:, :2], U2), V, "`values`.*shape", "shape mismatch"),
    Case(cmi.samplewise_mi, lambda: cmi.samplewise_mi(_with(U2, NAN), U2), V, "`values`", "nan"),
    Case(cmi.samplewise_mi, lambda: cmi.samplewise_mi([1, 2, 3], U2), V, "`values`.*ndim", "1-d values"),
    Case(cmi.samplewise_mi, lambda: cmi.samplewise_mi(P3, U3), V, "`masks`.*ndim", "supersample axis"),
    Case(cmi.samplewise_mi, lambda: cmi.samplewise_mi(U2, U2, miller_madow=1), V, "`miller_madow`", "type"),
    # ---------------------------------------------------------------- fcmi_bound
    Case(cmi.fcmi_bound, lambda: cmi.fcmi_bound(U2, U2), V, "`predictions`.*shape", "no member axis"),
    Case(cmi.fcmi_bound, lambda: cmi.fcmi_bound(np.stack([U2, U2, U2], -1), U2), V, "`predictions`.*shape",
         "three members"),
    Case(cmi.fcmi_bound, lambda: cmi.fcmi_bound(P3, U2), V, "`predictions`.*shape", "supersample mismatch"),
    Case(cmi.fcmi_bound, lambda: cmi.fcmi_bound(P3[:1], U3), V, "`predictions`.*shape", "supersample count"),
    Case(cmi.fcmi_bound, lambda: cmi.fcmi_bound(_with(P2, NAN, (0, 0, 0)), U2), V, "`predictions`", "nan"),
    Case(cmi.fcmi_bound, lambda: cmi.fcmi_bound(P2 + 0j, U2), V, "`predictions`", "complex"),
    Case(cmi.fcmi_bound, lambda: cmi.fcmi_bound(P2, U2, miller_madow=None), V, "`miller_madow`", "type"),
    # ---------------------------------------------------------------- ecmi_bound
    Case(cmi.ecmi_bound, lambda: cmi.ecmi_bound(L2 * 2, U2), V, "`losses`.*\\[0, 1\\]", "loss above 1"),
    Case(cmi.ecmi_bound, lambda: cmi.ecmi_bound(-L2, U2), V, "`losses`.*\\[0, 1\\]", "negative loss"),
    Case(cmi.ecmi_bound, lambda: cmi.ecmi_bound(_with(L2, NAN, (0, 0, 0)), U2), V, "`losses`", "nan"),
    Case(cmi.ecmi_bound, lambda: cmi.ecmi_bound(L2[:, :2], U2), V, "`losses`.*shape", "shape mismatch"),
    Case(cmi.ecmi_bound, lambda: cmi.ecmi_bound(L3, U2), V, "`losses`.*shape", "supersample mismatch"),
    Case(cmi.ecmi_bound, lambda: cmi.ecmi_bound(np.concatenate([L2, L2], -1), U2), V, "`losses`.*shape",
         "four members"),
    Case(cmi.ecmi_bound, lambda: cmi.ecmi_bound("abc", U2), T, "`losses`", "type"),
    Case(cmi.ecmi_bound, lambda: cmi.ecmi_bound(L2, U2, miller_madow="no"), V, "`miller_madow`", "type"),
    # ---------------------------------------------------------------- ldcmi_bound
    Case(cmi.ldcmi_bound, lambda: cmi.ldcmi_bound(L2, U2, pooled=True), V, "`pooled`.*supersample", "pooled 2-d"),
    Case(cmi.ldcmi_bound, lambda: cmi.ldcmi_bound(L3, U3, pooled="yes"), V, "`pooled`", "type"),
    Case(cmi.ldcmi_bound, lambda: cmi.ldcmi_bound(L3 + 0.5, U3), V, "`losses`.*\\[0, 1\\]", "loss above 1"),
    Case(cmi.ldcmi_bound, lambda: cmi.ldcmi_bound(L3[:, :, :2], U3), V, "`losses`.*shape", "shape mismatch"),
    Case(cmi.ldcmi_bound, lambda: cmi.ldcmi_bound(_with(L3, INF, (0, 0, 0, 0)), U3), V, "`losses`", "inf"),
    # ---------------------------------------------------------------- single_loss_bound
    Case(cmi.single_loss_bound, lambda: cmi.single_loss_bound(L2, U2, factor=0.5), V, "`factor`.*>= 1",
         "factor below 1"),
    Case(cmi.single_loss_bound, lambda: cmi.single_loss_bound(L2, U2, factor=NAN), V, "`factor`", "nan"),
    Case(cmi.single_loss_bound, lambda: cmi.single_loss_bound(L2, U2, factor="2"), V, "`factor`", "type"),
    Case(cmi.single_loss_bound, lambda: cmi.single_loss_bound(L2 * 3, U2), V, "`losses`.*\\[0, 1\\]", "loss above 1"),
    Case(cmi.single_loss_bound, lambda: cmi.single_loss_bound(L2, U3), V, "`losses`.*shape", "supersample mismatch"),
    # ---------------------------------------------------------------- binary_kl_bound
    Case(cmi.binary_kl_bound, lambda: cmi.binary_kl_bound(1.5, 0.1), V, "`train_error`", "above 1"),
    Case(cmi.binary_kl_bound, lambda: cmi.binary_kl_bound(-0.1, 0.1), V, "`train_error`", "negative"),
    Case(cmi.binary_kl_bound, lambda: cmi.binary_kl_bound(NAN, 0.1), V, "`train_error`", "nan"),
    Case(cmi.binary_kl_bound, lambda: cmi.binary_kl_bound(0.1, -0.1), V, "`mean_mi`", "negative"),
    Case(cmi.binary_kl_bound, lambda: cmi.binary_kl_bound(0.1, 1.0), V, "`mean_mi`.*log 2", "above log 2"),
    Case(cmi.binary_kl_bound, lambda: cmi.binary_kl_bound(0.1, NAN), V, "`mean_mi`", "nan"),
    Case(cmi.binary_kl_bound, lambda: cmi.binary_kl_bound(0.1, INF), V, "`mean_mi`", "inf"),
    Case(cmi.binary_kl_bound, lambda: cmi.binary_kl_bound([0.1, 0.2], 0.1), V, "`train_error`", "array"),
    # ---------------------------------------------------------------- interpolation_risk
    Case(cmi.interpolation_risk, lambda: cmi.interpolation_risk(L2, U2), V, "`masks`.*supersample",
         "no supersample axis"),
    Case(cmi.interpolation_risk, lambda: cmi.interpolation_risk(_interp_losses(), U3), V,
         "`losses`.*0 on every trained", "non-zero training loss"),
    Case(cmi.interpolation_risk, lambda: cmi.interpolation_risk(L3 * 2, U3), V, "`losses`.*\\[0, 1\\]",
         "loss above 1"),
    Case(cmi.interpolation_risk, lambda: cmi.interpolation_risk(L3[..., :2, :], U3), V, "`losses`.*shape",
         "shape mismatch"),
    Case(cmi.interpolation_risk, lambda: cmi.interpolation_risk(L3, np.stack([NOT_BINARY] * 2)), V,
         "`masks`.*0, 1", "masks not 0/1"),
    Case(cmi.interpolation_risk, lambda: cmi.interpolation_risk(L3[:, :1], U3[:, :1]), V,
         "`masks`.*at least 2 runs", "one run"),
    # ---------------------------------------------------------------- generalization_gap
    Case(cmi.generalization_gap, lambda: cmi.generalization_gap(_with(L2, NAN, (0, 0, 0)), U2), V, "`losses`",
         "nan"),
    Case(cmi.generalization_gap, lambda: cmi.generalization_gap(L2[:, :2], U2), V, "`losses`.*shape",
         "shape mismatch"),
    Case(cmi.generalization_gap, lambda: cmi.generalization_gap(HUGE, U2), V, "`losses`.*overflow", "overflow"),
    # ---------------------------------------------------------------- plugin_floor
    Case(cmi.plugin_floor, lambda: cmi.plugin_floor(0, 10), V, "`num_symbols`", "zero"),
    Case(cmi.plugin_floor, lambda: cmi.plugin_floor(2.5, 10), V, "`num_symbols`", "non-integer"),
    Case(cmi.plugin_floor, lambda: cmi.plugin_floor(2, 0), V, "`m`", "zero"),
    Case(cmi.plugin_floor, lambda: cmi.plugin_floor(2, NAN), V, "`m`", "nan"),
    Case(cmi.plugin_floor, lambda: cmi.plugin_floor(10**400, 1), V, "`num_symbols`", "too large"),
    Case(cmi.plugin_floor, lambda: cmi.plugin_floor(True, 10), V, "`num_symbols`", "bool"),
]

# every function that takes masks refuses the same bad masks
_WITH_MASKS = [
    (cmi.samplewise_mi, lambda u: cmi.samplewise_mi(np.zeros(np.shape(u)), u)),
    (cmi.fcmi_bound, lambda u: cmi.fcmi_bound(np.zeros(np.shape(u) + (2,)), u)),
    (cmi.ecmi_bound, lambda u: cmi.ecmi_bound(np.zeros(np.shape(u) + (2,)), u)),
    (cmi.ldcmi_bound, lambda u: cmi.ldcmi_bound(np.zeros(np.shape(u) + (2,)), u)),
    (cmi.single_loss_bound, lambda u: cmi.single_loss_bound(np.zeros(np.shape(u) + (2,)), u)),
    (cmi.generalization_gap, lambda u: cmi.generalization_gap(np.zeros(np.shape(u) + (2,)), u)),
]
CASES += [Case(fn, (lambda call=call, u=u: call(u)), exc, match, label)
          for fn, call in _WITH_MASKS for label, u, exc, match in _MASK_CASES]
