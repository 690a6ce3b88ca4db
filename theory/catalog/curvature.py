"""Claims of the curvature estimators (Hutchinson 1990; Bekas, Kokiopoulou, Saad 2007).

``curvature.hutchinson_trace``: Hutchinson's estimate of the trace of the training-loss Hessian
is unbiased. Both sides come from the trained students of the figure
``quantization_population_risk``: :func:`theory.testbeds.protocols.classifier_curvature` trains
them (the recipe of :func:`~theory.testbeds.protocols.quantized_classifier_risks`) and
:func:`theory.testbeds.protocols.hutchinson_trace_summary` averages over seeds, as the
experiment's claim rows do.

Parameters: ``task`` ("digits" or "teacher_student"), ``seeds`` (the seeds are ``first_seed``,
..., ``first_seed + seeds − 1``), ``width``, ``epochs``, ``n_train``, ``n_probes``; optionally
``lr``, ``first_seed`` (0) and ``device`` ("cpu").
"""

from __future__ import annotations

from ..claims import Claim, Measurement, register
from ..testbeds.configs import QUANTIZATION_TRAINING
from ..testbeds.protocols import classifier_curvature, hutchinson_trace_summary

__all__ = ["HUTCHINSON_TRACE"]


def _evaluate(p, rng):
    rows = []
    for seed in range(int(p["first_seed"]), int(p["first_seed"]) + int(p["seeds"])):
        r = classifier_curvature(p["task"], seed, width=p["width"], epochs=p["epochs"], n_train=p["n_train"],
                                 n_probes=p["n_probes"], lr=p["lr"], device=p["device"])
        rows.append({"task": p["task"], "seed": seed, "method": "original", **r})
    s = hutchinson_trace_summary(rows, p["task"])
    return s["exact_trace"], Measurement(s["hutchinson_trace"], s["hutchinson_trace_se"])


HUTCHINSON_TRACE = register(Claim(
    id="curvature.hutchinson_trace",
    reference="Hutchinson, Commun. Statist. Simul. Comput. 1990 (unbiased trace estimator); "
              "Bekas, Kokiopoulou, Saad, Appl. Numer. Math. 2007 (diagonal)",
    statement="E[zᵀ∇²L_S z] = tr ∇²L_S = Σ_j exact diagonal (Monte Carlo = exact)",
    params=("task", "seeds", "width", "epochs", "n_train", "n_probes"),
    defaults={"lr": QUANTIZATION_TRAINING["lr"], "first_seed": 0, "device": "cpu"},
    evaluate=_evaluate,
    relation="==",
))
