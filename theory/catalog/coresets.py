r"""Claims of CoreNet coresets (Baykal, Liebenwein et al., ICLR 2019).

Every claim calls the protocol of :mod:`theory.testbeds.protocols` that the experiment
``coreset_pruning`` calls, with the same parameters, so a figure's claim row and a test's claim
check are one computation:

- ``coresets.guarantee_pairs`` and ``coresets.guarantee_inputs``
  (:func:`~theory.testbeds.protocols.coreset_guarantee` at the theoretical sample size):
  parameters ``in_dim, widths, out_dim, n_s, n_fresh`` (the random ReLU net and the sizes of
  :math:`S` and of the fresh sample; the experiment uses
  :data:`~theory.testbeds.configs.CORESET_GUARANTEE_NET`), ``eps, delta, seed``;
- ``coresets.compression_bound``
  (:func:`~theory.testbeds.protocols.coreset_compression_bound`): ``in_dim, teacher_widths,
  widths, out_dim, levels, delta_bound, n_fresh`` (the experiment uses
  :data:`~theory.testbeds.configs.CORESET_BOUND_NET`), ``n_train, epochs, fraction, seed`` and
  optionally ``draw`` (CoreNet draws from ``default_rng([seed, draw])``; in the experiment's
  sweep ``draw`` is the position of ``fraction`` in its list);
- ``coresets.beats_uniform`` (:func:`~theory.testbeds.protocols.coreset_beats_uniform`):
  ``testbed, fraction, seeds, n_train, widths, epochs, n_s, n_fresh``; CoreNet's mean relative
  output error over the seeds against uniform sampling's.
"""

from __future__ import annotations

from ..claims import Claim, Measurement, register
from ..testbeds.protocols import coreset_beats_uniform, coreset_compression_bound, coreset_guarantee

__all__ = ["CORESET_GUARANTEE_PAIRS", "CORESET_GUARANTEE_INPUTS", "CORESET_COMPRESSION_BOUND",
           "CORESET_BEATS_UNIFORM"]

BAYKAL = ("Baykal, Liebenwein, Gilitschenski, Feldman, Rus, ICLR 2019, \"Data-dependent coresets "
          "for compressing neural networks with applications to generalization bounds\"")

GUARANTEE_PARAMS = ("in_dim", "widths", "out_dim", "n_s", "n_fresh", "eps", "delta", "seed")
BOUND_PARAMS = ("in_dim", "teacher_widths", "widths", "out_dim", "levels", "delta_bound", "n_fresh",
                "n_train", "epochs", "fraction", "seed")
PRUNING_PARAMS = ("testbed", "fraction", "seeds", "n_train", "widths", "epochs", "n_s", "n_fresh")


def _guarantee(p) -> dict:
    """The experiment's guarantee row at the theoretical sample size (scale 1, the first draw)."""
    return coreset_guarantee(**{k: p[k] for k in GUARANTEE_PARAMS}, scales=[1.0])[0]


def _guarantee_pairs(p, rng):
    r = _guarantee(p)
    return p["delta"], Measurement(r["pair_failure"], r["pair_failure_se"])


def _guarantee_inputs(p, rng):
    r = _guarantee(p)
    return p["delta"], Measurement(r["input_failure"], r["input_failure_se"])


def _compression_bound(p, rng):
    kw = {k: p[k] for k in BOUND_PARAMS if k != "fraction"}
    r = coreset_compression_bound(**kw, fractions=[p["fraction"]], draws=[p["draw"]])[0]
    return r["bound"], Measurement(r["pop_error"], r["pop_error_se"])


def _beats_uniform(p, rng):
    r = coreset_beats_uniform(p["testbed"], p["fraction"], p["seeds"],
                              **{k: p[k] for k in PRUNING_PARAMS[3:]})
    return r["uniform_error"], Measurement(r["corenet_error"], r["corenet_error_se"])


CORESET_GUARANTEE_PAIRS = register(Claim(
    id="coresets.guarantee_pairs",
    ceiling=1.0,  # a 0-1 error / a probability: a bound >= 1 cannot fail
    reference=BAYKAL + ", Theorem 4 (constants as recalled from the paper, not checked against its text)",
    statement="P(f̂_k(x) ∉ (1±ε)f_k(x)) ≤ δ over fresh (input, output unit) pairs, theoretical m",
    params=GUARANTEE_PARAMS,
    evaluate=_guarantee_pairs,
))

CORESET_GUARANTEE_INPUTS = register(Claim(
    id="coresets.guarantee_inputs",
    ceiling=1.0,  # a 0-1 error / a probability: a bound >= 1 cannot fail
    reference=BAYKAL + ", Theorem 4 (constants as recalled from the paper, not checked against its text)",
    statement="P(f̂(x) ∉ (1±ε)f(x) for some output unit) ≤ δ over fresh inputs, theoretical m",
    params=GUARANTEE_PARAMS,
    evaluate=_guarantee_inputs,
))

CORESET_COMPRESSION_BOUND = register(Claim(
    id="coresets.compression_bound",
    ceiling=1.0,  # a 0-1 error / a probability: a bound >= 1 cannot fail
    reference="Arora, Ge, Neyshabur, Zhang, ICML 2018, Thm 2.1; " + BAYKAL + ", §4.3 [derived constants]",
    statement="L_0(ĝ) ≤ L̂_0(ĝ) + √((log C(P,p) + p log q + log P + L log 81 + log 1/δ)/(2n)) for the "
              "quantized CoreNet net ĝ (and L̂_0(ĝ) ≤ L̂_γ(f) when |ĝ−f|∞ < γ/2 on S: Arora et al.'s form)",
    params=BOUND_PARAMS,
    defaults={"draw": 0},
    evaluate=_compression_bound,
))

CORESET_BEATS_UNIFORM = register(Claim(
    id="coresets.beats_uniform",
    reference=BAYKAL + ", §6 (empirical: CoreNet's output error is below uniform sampling's)",
    statement="relative output error of CoreNet ≤ that of uniform edge sampling at the same budget",
    params=PRUNING_PARAMS,
    evaluate=_beats_uniform,
    must_hold=False,
))
