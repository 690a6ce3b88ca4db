"""Bad inputs for the information bottleneck of clustered representations (theory.bottleneck)."""

import math

import numpy as np
import torch

from bad_inputs import Case

from theory import bottleneck as bn

RECORDS = ("IBQuantities",)

NAN, INF = math.nan, math.inf
V = ValueError
T = (ValueError, TypeError)

PHI = np.array([[0.5, 0.5], [1.0, 0.0], [0.2, 0.8]])     # (n=3, K=2)
Y = [0, 1, 1]
Q = np.array([[0.5, 0.4], [0.5, 0.6]])                    # q(a|y): columns sum to 1
R = [0.5, 0.5]
QD = np.array([[0.3, 0.7], [0.9, 0.1]])                   # q(y|a): rows sum to 1


def _with(arr, value, index=(0, 0)):
    out = np.array(arr, dtype=float)
    out[index] = value
    return out


# (label, phi, match): invalid assignment matrices, shared by every function taking `phi`
_BAD_PHI = [
    ("phi 1-d", np.array([0.5, 0.5]), "`phi`.*ndim"),
    ("phi 3-d", PHI[None], "`phi`.*ndim"),
    ("phi negative", np.array([[1.5, -0.5], [1.0, 0.0], [0.2, 0.8]]), "`phi`.*non-negative"),
    ("phi rows", _with(PHI, 0.7), "`phi`.*summing to 1"),
    ("phi nan", _with(PHI, NAN), "`phi`.*finite"),
    ("phi inf", _with(PHI, INF), "`phi`.*finite"),
    ("phi empty", np.zeros((0, 2)), "`phi`"),
    ("phi complex", PHI + 0j, "`phi`.*real"),
    ("phi strings", np.array([["a", "b"]] * 3), "`phi`"),
    ("phi tensor nan", torch.tensor(_with(PHI, NAN)), "`phi`.*finite"),
    ("phi tensor rows", torch.tensor(_with(PHI, 0.7)), "`phi`.*summing to 1"),
]

# (label, y, match): invalid labels for PHI (n=3)
_BAD_Y = [
    ("y length", [0, 1], "`y`.*length 3"),
    ("y float", [0.0, 0.5, 1.0], "`y`.*integer"),
    ("y negative", [0, -1, 1], "`y`.*non-negative"),
    ("y nan", [0.0, NAN, 1.0], "`y`.*finite"),
    ("y strings", ["a", "b", "b"], "`y`.*integer"),
    ("y bool", [True, False, True], "`y`.*integer"),
    ("y 2-d", [[0, 1, 1]], "`y`.*ndim"),
]


def _phi_cases(target, call):
    """``call(phi)`` for every bad phi, and ``call(PHI, y)`` for every bad y when it takes labels."""
    return [Case(target, (lambda p=p: call(p)), V, m, label) for label, p, m in _BAD_PHI]


def _y_cases(target, call):
    return [Case(target, (lambda y=y: call(y)), V, m, label) for label, y, m in _BAD_Y]


CASES = [
    # ---------------------------------------------------------------- soft_assignments
    Case(bn.soft_assignments, lambda: bn.soft_assignments([[1.0, 0.0], [0.0, 0.0]], np.eye(2), 1.0), V,
         "`features`.*non-zero rows", "zero feature row"),
    Case(bn.soft_assignments, lambda: bn.soft_assignments(torch.zeros(2, 2), np.eye(2), 1.0), V,
         "`features`.*non-zero rows", "zero feature row tensor"),
    Case(bn.soft_assignments, lambda: bn.soft_assignments([1.0, 2.0], np.eye(2), 1.0), V, "`features`.*ndim",
         "features 1-d"),
    Case(bn.soft_assignments, lambda: bn.soft_assignments([[1.0, NAN]], np.eye(2), 1.0), V, "`features`.*finite",
         "features nan"),
    Case(bn.soft_assignments, lambda: bn.soft_assignments(np.zeros((0, 2)), np.eye(2), 1.0), V, "`features`",
         "features empty"),
    Case(bn.soft_assignments, lambda: bn.soft_assignments([[1.0, 2.0]], np.eye(3), 1.0), V,
         "`centroids`.*shape", "width mismatch"),
    Case(bn.soft_assignments, lambda: bn.soft_assignments([[1.0, 2.0]], [[INF, 0.0]], 1.0), V,
         "`centroids`.*finite", "centroids inf"),
    Case(bn.soft_assignments, lambda: bn.soft_assignments([[1.0, 2.0]], [1.0, 0.0], 1.0), V,
         "`centroids`.*ndim", "centroids 1-d"),
    Case(bn.soft_assignments, lambda: bn.soft_assignments([[1.0, 2.0]], np.eye(2), -1.0), V, "`beta`.*>= 0",
         "beta negative"),
    Case(bn.soft_assignments, lambda: bn.soft_assignments([[1.0, 2.0]], np.eye(2), NAN), V, "`beta`", "beta nan"),
    Case(bn.soft_assignments, lambda: bn.soft_assignments([[1.0, 2.0]], np.eye(2), INF), V, "`beta`", "beta inf"),
    Case(bn.soft_assignments, lambda: bn.soft_assignments([[1.0, 2.0]], np.eye(2), "1"), V, "`beta`",
         "beta string"),
    Case(bn.soft_assignments, lambda: bn.soft_assignments([[1.0, 2.0]], np.eye(2), torch.ones(2)), V,
         "`beta`.*scalar", "beta vector tensor"),
    Case(bn.soft_assignments, lambda: bn.soft_assignments([[1.0, 2.0]], np.eye(2) * 1e200, 1.0), V,
         "`beta` and `centroids`.*overflow", "overflow"),
    # ---------------------------------------------------------------- ib_quantities
    *_phi_cases(bn.ib_quantities, lambda p: bn.ib_quantities(p, Y)),
    *_y_cases(bn.ib_quantities, lambda y: bn.ib_quantities(PHI, y)),
    # ---------------------------------------------------------------- class_conditional_table
    *_phi_cases(bn.class_conditional_table, lambda p: bn.class_conditional_table(p, Y)),
    *_y_cases(bn.class_conditional_table, lambda y: bn.class_conditional_table(PHI, y)),
    Case(bn.class_conditional_table, lambda: bn.class_conditional_table(PHI, [0, 2, 2]), V,
         "`y`.*at least one point", "empty class"),
    Case(bn.class_conditional_table, lambda: bn.class_conditional_table(PHI, [0, 1, 9]), V,
         "`y`.*at least one point", "more classes than points"),
    Case(bn.class_conditional_table, lambda: bn.class_conditional_table(PHI, Y, num_classes=1), V,
         "`num_classes`.*at least 2", "num_classes too small"),
    Case(bn.class_conditional_table, lambda: bn.class_conditional_table(PHI, Y, num_classes=3), V,
         "`num_classes`.*at least one point", "num_classes empty class"),
    Case(bn.class_conditional_table, lambda: bn.class_conditional_table(PHI, Y, num_classes=10**12), V,
         "`num_classes`.*at least one point", "num_classes huge"),
    Case(bn.class_conditional_table, lambda: bn.class_conditional_table(PHI, Y, num_classes=2.5), V,
         "`num_classes`.*integer", "num_classes float"),
    # ---------------------------------------------------------------- released_ib_bound
    *_phi_cases(bn.released_ib_bound, lambda p: bn.released_ib_bound(PHI, p, Y)),
    *_y_cases(bn.released_ib_bound, lambda y: bn.released_ib_bound(PHI, PHI, y)),
    Case(bn.released_ib_bound, lambda: bn.released_ib_bound(_with(PHI, 0.7), PHI, Y), V,
         "`phi_input`.*summing to 1", "phi_input rows"),
    Case(bn.released_ib_bound, lambda: bn.released_ib_bound(PHI[:2], PHI, Y), V, "`phi_input`.*shape",
         "phi_input rows count"),
    Case(bn.released_ib_bound, lambda: bn.released_ib_bound(_with(PHI, NAN), PHI, Y), V,
         "`phi_input`.*finite", "phi_input nan"),
    Case(bn.released_ib_bound, lambda: bn.released_ib_bound(PHI, PHI, Y, q=Q.T * 2), V,
         "`q`.*summing to 1", "q columns"),
    Case(bn.released_ib_bound, lambda: bn.released_ib_bound(PHI, PHI, Y, q=Q[:, :1]), V, "`q`.*columns",
         "q too few classes"),
    # ---------------------------------------------------------------- corrected_ib_bound
    *_phi_cases(bn.corrected_ib_bound, lambda p: bn.corrected_ib_bound(p, Y)),
    *_y_cases(bn.corrected_ib_bound, lambda y: bn.corrected_ib_bound(PHI, y)),
    Case(bn.corrected_ib_bound, lambda: bn.corrected_ib_bound(PHI, Y, np.array([[0.5, 0.5], [0.6, 0.6]])), V,
         "`q`.*summing to 1", "q columns"),
    Case(bn.corrected_ib_bound, lambda: bn.corrected_ib_bound(PHI, Y, np.array([[1.5, 0.5], [-0.5, 0.5]])), V,
         "`q`.*non-negative", "q negative"),
    Case(bn.corrected_ib_bound, lambda: bn.corrected_ib_bound(PHI, Y, np.full((3, 2), 1 / 3)), V,
         "`q`.*K = 2 rows", "q rows"),
    Case(bn.corrected_ib_bound, lambda: bn.corrected_ib_bound(PHI, Y, _with(Q, NAN)), V, "`q`.*finite", "q nan"),
    Case(bn.corrected_ib_bound, lambda: bn.corrected_ib_bound(PHI, Y, [0.5, 0.5]), V, "`q`.*ndim", "q 1-d"),
    Case(bn.corrected_ib_bound, lambda: bn.corrected_ib_bound(PHI, Y, torch.tensor(Q * 2)), V,
         "`q`.*summing to 1", "q tensor columns"),
    # ---------------------------------------------------------------- variational_ib_bound
    *_phi_cases(bn.variational_ib_bound, lambda p: bn.variational_ib_bound(p, Y, R, QD)),
    *_y_cases(bn.variational_ib_bound, lambda y: bn.variational_ib_bound(PHI, y, R, QD)),
    Case(bn.variational_ib_bound, lambda: bn.variational_ib_bound(PHI, [0, 1, 2], R, QD), V,
         "`y`.*labels in \\[0, 1\\]", "label beyond decoder"),
    Case(bn.variational_ib_bound, lambda: bn.variational_ib_bound(PHI, Y, [0.5, 0.6], QD), V,
         "`r`.*summing to 1", "r sum"),
    Case(bn.variational_ib_bound, lambda: bn.variational_ib_bound(PHI, Y, [1.5, -0.5], QD), V,
         "`r`.*non-negative", "r negative"),
    Case(bn.variational_ib_bound, lambda: bn.variational_ib_bound(PHI, Y, [1.0], QD), V, "`r`.*shape",
         "r length"),
    Case(bn.variational_ib_bound, lambda: bn.variational_ib_bound(PHI, Y, [NAN, 0.5], QD), V, "`r`.*finite",
         "r nan"),
    Case(bn.variational_ib_bound, lambda: bn.variational_ib_bound(PHI, Y, R, QD.T), V,
         "`q_y_given_a`.*summing to 1", "q rows"),
    Case(bn.variational_ib_bound, lambda: bn.variational_ib_bound(PHI, Y, R, QD[:1]), V,
         "`q_y_given_a`.*K = 2 rows", "q shape"),
    Case(bn.variational_ib_bound, lambda: bn.variational_ib_bound(PHI, Y, R, -QD), V,
         "`q_y_given_a`.*non-negative", "q negative"),
    Case(bn.variational_ib_bound, lambda: bn.variational_ib_bound(PHI, Y, R, "abc"), T, "`q_y_given_a`",
         "q string"),
    # ---------------------------------------------------------------- merge_clusters
    *_phi_cases(bn.merge_clusters, lambda p: bn.merge_clusters(p, [0, 0])),
    Case(bn.merge_clusters, lambda: bn.merge_clusters(PHI, [0, 2]), V, "`mapping`.*\\[0, 1\\]", "out of range"),
    Case(bn.merge_clusters, lambda: bn.merge_clusters(PHI, [0, -1]), V, "`mapping`.*\\[0, 1\\]", "negative"),
    Case(bn.merge_clusters, lambda: bn.merge_clusters(PHI, [0]), V, "`mapping`.*length 2", "length"),
    Case(bn.merge_clusters, lambda: bn.merge_clusters(PHI, [0.0, 0.5]), V, "`mapping`.*integer", "float"),
    Case(bn.merge_clusters, lambda: bn.merge_clusters(PHI, ["a", "b"]), V, "`mapping`.*integer", "strings"),
    Case(bn.merge_clusters, lambda: bn.merge_clusters(PHI, [[0, 1]]), V, "`mapping`.*ndim", "2-d"),
    Case(bn.merge_clusters, lambda: bn.merge_clusters(PHI, [0, NAN]), V, "`mapping`.*finite", "nan"),
    # ---------------------------------------------------------------- bottleneck_classifier_bound
    Case(bn.bottleneck_classifier_bound, lambda: bn.bottleneck_classifier_bound(1.5, 4, 2, 100, 0.05), V,
         "`error`", "error above 1"),
    Case(bn.bottleneck_classifier_bound, lambda: bn.bottleneck_classifier_bound(NAN, 4, 2, 100, 0.05), V,
         "`error`", "error nan"),
    Case(bn.bottleneck_classifier_bound, lambda: bn.bottleneck_classifier_bound(0.1, 0, 2, 100, 0.05), V,
         "`num_clusters`.*>= 1", "no clusters"),
    Case(bn.bottleneck_classifier_bound, lambda: bn.bottleneck_classifier_bound(0.1, 2.5, 2, 100, 0.05), V,
         "`num_clusters`.*integer", "clusters float"),
    Case(bn.bottleneck_classifier_bound, lambda: bn.bottleneck_classifier_bound(0.1, 4, 0, 100, 0.05), V,
         "`num_classes`.*>= 1", "no classes"),
    Case(bn.bottleneck_classifier_bound, lambda: bn.bottleneck_classifier_bound(0.1, 4, 2, 0, 0.05), V,
         "`n`.*>= 1", "n zero"),
    Case(bn.bottleneck_classifier_bound, lambda: bn.bottleneck_classifier_bound(0.1, 4, 2, 10**400, 0.05), V,
         "`n`.*float", "n huge"),
    Case(bn.bottleneck_classifier_bound, lambda: bn.bottleneck_classifier_bound(0.1, 4, 2, 100, 0.0), V,
         "`delta`.*> 0", "delta zero"),
    Case(bn.bottleneck_classifier_bound, lambda: bn.bottleneck_classifier_bound(0.1, 4, 2, 100, 1.0), V,
         "`delta`.*< 1", "delta one"),
    Case(bn.bottleneck_classifier_bound, lambda: bn.bottleneck_classifier_bound(0.1, 4, 2, 100, NAN), V,
         "`delta`", "delta nan"),
    # ---------------------------------------------------------------- expected_bottleneck_classifier_bound
    Case(bn.expected_bottleneck_classifier_bound, lambda: bn.expected_bottleneck_classifier_bound(-0.1, 4, 2, 100),
         V, "`error`", "error negative"),
    Case(bn.expected_bottleneck_classifier_bound, lambda: bn.expected_bottleneck_classifier_bound(0.1, -1, 2, 100),
         V, "`num_clusters`", "clusters negative"),
    Case(bn.expected_bottleneck_classifier_bound, lambda: bn.expected_bottleneck_classifier_bound(0.1, 4, True, 100),
         V, "`num_classes`.*integer", "classes bool"),
    Case(bn.expected_bottleneck_classifier_bound, lambda: bn.expected_bottleneck_classifier_bound(0.1, 4, 2, 0.5),
         V, "`n`.*integer", "n float"),
    Case(bn.expected_bottleneck_classifier_bound, lambda: bn.expected_bottleneck_classifier_bound(0.1, 4, 2, "10"),
         V, "`n`", "n string"),
    Case(bn.expected_bottleneck_classifier_bound,
         lambda: bn.expected_bottleneck_classifier_bound(0.1, 10**301, 2, 10), V, "`num_clusters`.*float", "huge"),
]
