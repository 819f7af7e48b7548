"""A problem's stay-or-leave decision (docs/model.md, complaints and recovery).

A *problem* (an incident) is rarer than a disappointed purchase: the
purchase's value felt before any complaint handling lies at least
``complaints.problem_disappointment`` zone units below the adequate level
(:func:`is_problem`; a quality failure counts through the shortfall it
causes). A problem is major when the purchase's visits held a quality
failure or the shortfall reaches ``complaints.major_disappointment``
(:func:`major_problem`), minor otherwise. Every problem, complained about or
not, ends in a decision right after the handling (silence is a handling of
its own, the worst): the customer ends the relationship with the chance
:func:`leaving_chance`, a logistic in the severity (raises it), silence
(raises it), a resolution (lowers it) and a quick resolution (lowers it
further):

    logit P(leave) = leave_log_odds + major_leave_log_odds * major
                     + silent_leave_log_odds * silent
                     - resolved_stay_log_odds * resolved - quick_stay_log_odds * quick

Five parameters for TARP's eight figures (Technical Assistance Research
Programs 1986, 'Consumer complaint handling in America: an update study';
Hart, Heskett & Sasser 1990, 'The profitable art of service recovery':
repurchase 95% / 82% after a quick resolution of a minor / major problem,
70% / 54% after a slow one, 46% / 19% without one, and 37% / 9% among those
who did not complain), calibrated to them: the claims
``complaints.tarp_levels`` and ``complaints.silent_levels`` test whether so
small a mechanism reproduces all eight. A complaint about a disappointment
that is not a problem is handled (its felt value changes) but makes no
decision.

The decision is on top of the relationship hazard (:mod:`sim.hazard`): a
customer who stays keeps a failed visit's fading mark on the hazard as
before (by its handling). TARP's figures are intentions stated right
after the handling, so the parameters are calibrated to the relationship
still in place at the end of the decision's week (the decision and that
week's other losses); the mark acts mostly after it, on what an intention
leaves out, so neither counts the same loss twice. Leaving churns the relationship in the defections phase by
the hazard's own code path (:func:`sim.phases.lapse_churn._end_relationships`).

The rules are compiled (:func:`agents.compiled.inlined`) and called, with the
same arguments, by the engine's compiled complaint rule and by the per-agent
reference (:mod:`benchmarks.reference`), one purchase at a time.
"""

from __future__ import annotations


import numpy as np

from sim.columns import rule_constants
from agents.compiled import Real, inlined
from sim.config import ComplaintConfig


def decision_coefficients(cfg: ComplaintConfig) -> np.ndarray:
    """The decision's coefficients as :func:`leaving_chance` reads them:
    (leave_log_odds, major_leave_log_odds, resolved_stay_log_odds,
    quick_stay_log_odds, silent_leave_log_odds), float64, read-only."""
    return rule_constants(
        np.float64,
        float(cfg.leave_log_odds),
        float(cfg.major_leave_log_odds),
        float(cfg.resolved_stay_log_odds),
        float(cfg.quick_stay_log_odds),
        float(cfg.silent_leave_log_odds),
    )


@inlined
def is_problem(felt: Real, problem_disappointment: Real) -> bool | np.bool_:
    """Whether a purchase is a problem (an incident with a stay-or-leave
    decision): its transaction satisfaction before any handling (zone
    units) is at or below ``-problem_disappointment``."""
    return felt <= -problem_disappointment


@inlined
def major_problem(failed: bool, felt: Real, major_disappointment: Real) -> bool | np.bool_:
    """Whether a problem is major: the purchase had a quality
    failure, or its transaction satisfaction before any handling (zone
    units) is at or below ``-major_disappointment``."""
    return failed or felt <= -major_disappointment


@inlined
def leaving_chance(major: bool, complained: bool, resolved: bool, quick: bool, coefficients: np.ndarray) -> float:
    """The chance a customer with a problem ends the relationship right
    after its handling: the logistic of ``leave + major_effect * major +
    silent_effect * (not complained) - resolved_effect * resolved -
    quick_effect * quick`` (``coefficients``: :func:`decision_coefficients`),
    float64."""
    leave, major_effect, resolved_effect, quick_effect, silent_effect = (
        coefficients[0],
        coefficients[1],
        coefficients[2],
        coefficients[3],
        coefficients[4],
    )
    x = leave
    if major:
        x += major_effect
    if not complained:
        x += silent_effect
    if resolved:
        x -= resolved_effect
    if quick:
        x -= quick_effect
    chance: float = 1.0 / (1.0 + np.exp(-x))
    return chance
