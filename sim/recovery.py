"""An incident's stay-or-leave decision (docs/model.md, complaints and recovery).

A complaint is about a problem, minor or major (:func:`major_problem`: a
quality failure on the purchase's visits, or an experience felt at least
``complaints.major_disappointment`` zone units below the adequate level).
Right after the firm handles it, the complainant decides whether to stay:
they end the relationship with the chance :func:`leaving_chance`, a logistic
in three effects, the problem's severity (raises it), a resolution (lowers
it) and a quick resolution (lowers it further):

    logit P(leave) = leave_log_odds + major_leave_log_odds * major
                     - resolved_stay_log_odds * resolved - quick_stay_log_odds * quick

Four parameters for TARP's six cells (Technical Assistance Research Programs
1986, 'Consumer complaint handling in America: an update study'; Hart,
Heskett & Sasser 1990, 'The profitable art of service recovery': repurchase
95% / 82% after a quick resolution of a minor / major problem, 70% / 54%
after a slow one, 46% / 19% without one), calibrated to them: the claim
``complaints.tarp_levels`` tests whether so small a mechanism reproduces all
six figures and their order.

The decision is on top of the relationship hazard (:mod:`sim.hazard`): a
complainant who stays keeps the incident's fading mark on the hazard as
before (a failed visit's, by its handling), and the parameters were
calibrated with that mark in place, so TARP's figures measure the decision
and the mark together, once. Leaving churns the relationship in the
defections phase by the hazard's own code path
(:func:`sim.phases.lapse_churn._end_relationships`).

The rules are compiled (:func:`sim.compiled.inlined`) and called, with the
same arguments, by the engine's compiled complaint rule and by the per-agent
reference (:mod:`agents.reference`), one complaint at a time.
"""

from __future__ import annotations

import functools

import numpy as np

from sim.compiled import inlined
from sim.config import ComplaintConfig


def decision_coefficients(cfg: ComplaintConfig) -> np.ndarray:
    """The decision's coefficients as :func:`leaving_chance` reads them:
    (leave_log_odds, major_leave_log_odds, resolved_stay_log_odds,
    quick_stay_log_odds), float64, read-only."""
    return _coefficients(float(cfg.leave_log_odds), float(cfg.major_leave_log_odds),
                         float(cfg.resolved_stay_log_odds), float(cfg.quick_stay_log_odds))


@functools.lru_cache(maxsize=64)
def _coefficients(*values: float) -> np.ndarray:
    out = np.array(values, dtype=np.float64)
    out.flags.writeable = False
    return out


@inlined
def major_problem(failed: bool, felt: float, major_disappointment: float) -> bool:
    """Whether a complaint's problem is major: the purchase had a quality
    failure, or its transaction satisfaction before any handling (zone
    units) is at or below ``-major_disappointment``."""
    return failed or felt <= -major_disappointment


@inlined
def leaving_chance(major: bool, resolved: bool, quick: bool, coefficients: np.ndarray) -> float:
    """The chance a complainant ends the relationship right after the
    handling: the logistic of ``leave + major_effect * major - resolved_effect
    * resolved - quick_effect * quick`` (``coefficients``:
    :func:`decision_coefficients`), float64."""
    leave, major_effect, resolved_effect, quick_effect = coefficients[0], coefficients[1], coefficients[2], \
        coefficients[3]
    x = leave
    if major:
        x += major_effect
    if resolved:
        x -= resolved_effect
    if quick:
        x -= quick_effect
    return 1.0 / (1.0 + np.exp(-x))
