"""Bad inputs for theory.shift: change of measure, certified target risk, shift designs, and the
shift-aware generalization bounds."""

import math

from bad_inputs import Case

from theory import shift as sh

NAN, INF = math.nan, math.inf
V = ValueError

CASES = [
    # ---- change of measure --------------------------------------------------------------------
    Case(sh.ratio_bound, lambda: sh.ratio_bound(1.5, 2.0), V, "`source_mean`", "range"),
    Case(sh.ratio_bound, lambda: sh.ratio_bound(NAN, 2.0), V, "`source_mean`", "nan"),
    Case(sh.ratio_bound, lambda: sh.ratio_bound(0.1, 0.5), V, "`sup_ratio` must be >= 1", "below one"),
    Case(sh.ratio_bound, lambda: sh.ratio_bound(0.1, NAN), V, "`sup_ratio`", "nan"),
    Case(sh.ratio_bound, lambda: sh.ratio_bound(0.1, "2"), V, "`sup_ratio`", "type"),
    Case(sh.chi2_bound, lambda: sh.chi2_bound(-0.1, 1.0), V, "`source_second_moment`", "negative"),
    Case(sh.chi2_bound, lambda: sh.chi2_bound(0.1, -1.0), V, "`chi2`", "negative"),
    Case(sh.chi2_bound, lambda: sh.chi2_bound(0.1, NAN), V, "`chi2`", "nan"),
    Case(sh.dv_bound, lambda: sh.dv_bound(-1.0, [0.1], [1.0]), V, "`kl`", "negative"),
    Case(sh.dv_bound, lambda: sh.dv_bound(NAN, [0.1], [1.0]), V, "`kl`", "nan"),
    Case(sh.dv_bound, lambda: sh.dv_bound(0.1, [0.1], [0.0]), V, "`ts`", "zero t"),
    Case(sh.dv_bound, lambda: sh.dv_bound(0.1, [0.1], [INF]), V, "`ts`", "inf t"),
    Case(sh.dv_bound, lambda: sh.dv_bound(0.1, [0.1], []), V, "`ts`", "empty"),
    Case(sh.dv_bound, lambda: sh.dv_bound(0.1, [0.1, 0.2], [1.0]), V, "`cgf`", "shape"),
    Case(sh.dv_bound, lambda: sh.dv_bound(0.1, [2.0], [1.0]), V, "`cgf` must be in \\[0, t\\]", "above t"),
    Case(sh.dv_bound, lambda: sh.dv_bound(0.1, [-0.5], [1.0]), V, "`cgf` must be in \\[0, t\\]", "negative"),
    Case(sh.dv_bound, lambda: sh.dv_bound(0.1, lambda t: NAN, [1.0]), V, "`cgf`", "nan callable"),
    Case(sh.dv_bound, lambda: sh.dv_bound(0.1, [NAN], [1.0]), V, "`cgf`", "nan values"),
    Case(sh.empirical_cgf, lambda: sh.empirical_cgf([], [1.0]), V, "`samples`", "empty"),
    Case(sh.empirical_cgf, lambda: sh.empirical_cgf([[0.1]], [1.0]), V, "`samples`", "ndim"),
    Case(sh.empirical_cgf, lambda: sh.empirical_cgf([0.1, NAN], [1.0]), V, "`samples`", "nan"),
    Case(sh.empirical_cgf, lambda: sh.empirical_cgf([0.1], [INF]), V, "`ts`", "inf"),
    Case(sh.empirical_cgf, lambda: sh.empirical_cgf([0.1], [[1.0]]), V, "`ts`", "ndim"),
    Case(sh.empirical_cgf, lambda: sh.empirical_cgf([1e300], [1e10]), V, "`ts` and `samples`", "overflow"),

    # ---- certified ----------------------------------------------------------------------------
    Case(sh.kl_certified_bound, lambda: sh.kl_certified_bound(-0.1, 1.0), V, "`p_bar`", "negative"),
    Case(sh.kl_certified_bound, lambda: sh.kl_certified_bound(NAN, 1.0), V, "`p_bar`", "nan"),
    Case(sh.kl_certified_bound, lambda: sh.kl_certified_bound(0.1, -1.0), V, "`kl`", "negative"),
    Case(sh.kl_certified_bound, lambda: sh.kl_certified_bound(0.1, NAN), V, "`kl`", "nan"),
    Case(sh.kl_certified_bound, lambda: sh.kl_certified_bound(0.1, 1.0, direction="forward"), V, "`direction`",
         "option"),
    Case(sh.kl_certified_bound, lambda: sh.kl_certified_bound(0.1, 1.0, direction=["target_source"]), V,
         "`direction`", "type"),
    Case(sh.chi2_certified_bound, lambda: sh.chi2_certified_bound(1.1, 1.0), V, "`p_bar`", "range"),
    Case(sh.chi2_certified_bound, lambda: sh.chi2_certified_bound(0.1, -1e-3), V, "`chi2`", "negative"),
    Case(sh.ratio_certified_bound, lambda: sh.ratio_certified_bound(0.1, 0.9), V, "`sup_ratio`", "below one"),
    Case(sh.ratio_certified_bound, lambda: sh.ratio_certified_bound(None, 2.0), V, "`p_bar`", "type"),
    Case(sh.certified_target_bound, lambda: sh.certified_target_bound(2.0), V, "`p_bar`", "range"),
    Case(sh.certified_target_bound, lambda: sh.certified_target_bound(0.1, kl=-1.0), V, "`kl`", "negative kl"),
    Case(sh.certified_target_bound, lambda: sh.certified_target_bound(0.1, chi2=NAN), V, "`chi2`", "nan chi2"),
    Case(sh.certified_target_bound, lambda: sh.certified_target_bound(0.1, sup_ratio=0.0), V, "`sup_ratio`",
         "zero ratio"),
    Case(sh.certified_target_bound, lambda: sh.certified_target_bound(0.1, kl_source_target=-2.0), V,
         "`kl_source_target`", "negative kl_source_target"),
    Case(sh.certified_target_bound, lambda: sh.certified_target_bound(0.1, 1.0), TypeError, "positional",
         "positional"),
    Case(sh.source_risk_upper, lambda: sh.source_risk_upper(1.2, 10, 0.05), V, "`empirical_risk`", "range"),
    Case(sh.source_risk_upper, lambda: sh.source_risk_upper(0.1, 0, 0.05), V, "`n`", "zero"),
    Case(sh.source_risk_upper, lambda: sh.source_risk_upper(0.1, 2.5, 0.05), V, "`n`", "type"),
    Case(sh.source_risk_upper, lambda: sh.source_risk_upper(0.1, 10, 0.0), V, "`delta`", "zero"),
    Case(sh.source_risk_upper, lambda: sh.source_risk_upper(0.1, 10, 1.0), V, "`delta`", "one"),
    Case(sh.source_risk_upper, lambda: sh.source_risk_upper(0.1, 10, NAN), V, "`delta`", "nan"),

    # ---- designs ------------------------------------------------------------------------------
    Case(sh.piecewise_ratio_design, lambda: sh.piecewise_ratio_design(0.5), V, "`sup_ratio`", "below one"),
    Case(sh.piecewise_ratio_design, lambda: sh.piecewise_ratio_design(INF), V, "`sup_ratio`", "inf"),
    Case(sh.piecewise_ratio_design, lambda: sh.piecewise_ratio_design(NAN), V, "`sup_ratio`", "nan"),
    Case(sh.gaussian_shift_design, lambda: sh.gaussian_shift_design(NAN, 1.0), V, "`delta`", "nan"),
    Case(sh.gaussian_shift_design, lambda: sh.gaussian_shift_design(INF, 1.0), V, "`delta`", "inf"),
    Case(sh.gaussian_shift_design, lambda: sh.gaussian_shift_design(1.0, 0.0), V, "`s`", "zero"),
    Case(sh.gaussian_shift_design, lambda: sh.gaussian_shift_design(1.0, -1.0), V, "`s`", "negative"),

    # ---- generalization under shift ------------------------------------------------------------
    Case(sh.wu_subgaussian_bound, lambda: sh.wu_subgaussian_bound([0.1, -0.1], 0.1, 1.0), V, "`mis`", "negative"),
    Case(sh.wu_subgaussian_bound, lambda: sh.wu_subgaussian_bound([0.1, NAN], 0.1, 1.0), V, "`mis`", "nan"),
    Case(sh.wu_subgaussian_bound, lambda: sh.wu_subgaussian_bound([[0.1]], 0.1, 1.0), V, "`mis`", "ndim"),
    Case(sh.wu_subgaussian_bound, lambda: sh.wu_subgaussian_bound([0.1], -0.1, 1.0), V, "`kl_train_test`",
         "negative"),
    Case(sh.wu_subgaussian_bound, lambda: sh.wu_subgaussian_bound([0.1], NAN, 1.0), V, "`kl_train_test`", "nan"),
    Case(sh.wu_subgaussian_bound, lambda: sh.wu_subgaussian_bound([0.1], 0.1, -1.0), V, "`r`", "negative r"),
    Case(sh.wu_cgf_bound, lambda: sh.wu_cgf_bound([0.1], 0.1, 3.0), TypeError, "`cgf` must be callable", "type"),
    Case(sh.wu_cgf_bound, lambda: sh.wu_cgf_bound([-1.0], 0.1, lambda t: t * t), V, "`mis`", "negative"),
    Case(sh.wu_cgf_bound, lambda: sh.wu_cgf_bound([0.1], -0.1, lambda t: t * t), V, "`kl_train_test`",
         "negative"),
    Case(sh.wu_cgf_bound, lambda: sh.wu_cgf_bound([0.1], 0.1, lambda t: t * t, b=0.0), V, "`b`", "zero b"),
    Case(sh.wu_cgf_bound, lambda: sh.wu_cgf_bound([0.1], 0.1, lambda t: NAN), V, "`cgf` must return numbers",
         "nan cgf"),
    Case(sh.wu_cgf_bound, lambda: sh.wu_cgf_bound([0.1], 0.1, lambda t: -t), V, "`cgf` must be non-negative",
         "negative cgf"),
    Case(sh.concept_shift_bound, lambda: sh.concept_shift_bound(-0.1, 0.1), V, "`source_rmse`", "negative"),
    Case(sh.concept_shift_bound, lambda: sh.concept_shift_bound(0.1, NAN), V, "`solver_shift_rmse`", "nan"),
    Case(sh.concept_shift_bound, lambda: sh.concept_shift_bound(1e308, 1e308), V, "`source_rmse` and",
         "overflow"),
]
