"""Complaints, service recovery and the complainant's stay-or-leave decision
(TARP 1986, 'Consumer complaint handling in America: an update study'; Hart,
Heskett & Sasser 1990, 'The profitable art of service recovery')."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from agents.compiled import Real, compiled
from sim.records import required
from sim.recovery import decision_coefficients, is_problem, leaving_chance, major_problem
from sim.units import compounded

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import LoyaltyModel
    from sim.records import StepRecord


def complaints_and_recovery(market: "LoyaltyModel", step: "StepRecord") -> None:
    """About 10% of the disappointed complain; empowered staff resolve more
    complaints, and a resolution softens the disappointment, more when quick;
    an unresolved complaint makes it worse. A purchase felt far below the
    adequate level is a problem, minor or major, and right after its
    handling (silence included: most problems are not complained about) the
    customer decides whether to stay (:mod:`sim.recovery`); one who leaves is
    marked (``purchases.leaves``) and their relationship ends in the
    defections phase, as the hazard ends one."""
    cfg, cust, ev = market.config.complaints, market.customers, step.events
    p, draws = required(step.purchases, "step.purchases"), required(step.draws, "step.draws")
    b, c = p.buyers, p.firm
    voice = np.empty(len(b), dtype=np.float32)
    _voice_per_visit(b, c, cust.voice, market.by_firm("voice_ease"), voice)
    voice = compounded(voice, cust.visits_per_purchase[b])
    p.felt, (p.complained, p.resolved, p.quick, p.problem, p.major, p.leaves), counts = _complaints(
        b,
        c,
        required(p.outcome, "purchases.outcome"),
        required(p.felt, "purchases.felt"),
        required(p.failed, "purchases.failed"),
        voice,
        draws.complaint,
        draws.incident_decision,
        market.by_firm("empowerment"),
        market.by_firm("recovery_bonus"),
        market.by_firm("quick_bonus"),
        float(cfg.recovery_rate),
        float(cfg.empowerment_recovery),
        float(cfg.quick_share),
        float(1 - cfg.quick_offset),
        float(1 - cfg.slow_offset),
        float(cfg.unresolved_penalty),
        float(cfg.problem_disappointment),
        float(cfg.major_disappointment),
        decision_coefficients(cfg),
        market.n_firms,
    )
    complaints, recoveries, delighted, disappointed = counts
    ev.complaints += complaints
    ev.recoveries += recoveries
    ev.delighted += delighted
    ev.disappointed += disappointed
    market.ledger.book(slice(None), "complaint_costs", complaints * cfg.cost_per_complaint)


@compiled
def _voice_per_visit(
    buyers: np.ndarray, firm: np.ndarray, voice: np.ndarray, voice_ease: np.ndarray, out: np.ndarray
) -> None:
    """Each buyer's chance to complain on a visit: their voice times the
    firm's ease of voice, at most 1 (float32; nan stays, as numpy's minimum)."""
    for j in range(len(buyers)):
        v = voice[buyers[j]] * voice_ease[firm[j]]
        out[j] = np.float32(1.0) if v > 1 else v


@compiled
def _complaints(
    buyers: np.ndarray,
    firm: np.ndarray,
    outcome: np.ndarray,
    felt: np.ndarray,
    failed: np.ndarray,
    voice: np.ndarray,
    u: np.ndarray,
    u_leave: np.ndarray,
    empowerment: np.ndarray,
    recovery_bonus: np.ndarray,
    quick_bonus: np.ndarray,
    recovery_rate: Real,
    empowerment_recovery: Real,
    quick_share: Real,
    quick_keep: Real,
    slow_keep: Real,
    unresolved_penalty: Real,
    problem_disappointment: Real,
    major_disappointment: Real,
    decision: np.ndarray,
    n_firms: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Who complains (disappointed, with chance ``voice``), whose complaint
    is resolved (with the firm's recovery chance: a base rate, more with
    empowered staff, plus any programme's bonus, at most 1) and quickly
    (the quick share plus bonus), whether the purchase is a problem
    (:func:`sim.recovery.is_problem`) and a major one
    (:func:`sim.recovery.major_problem`), both on the value felt before the
    handling, and whether the customer with a problem, complainant or
    silent, then leaves (their ``incident_decision`` draw below
    :func:`sim.recovery.leaving_chance`): ``[6, purchases]`` flags; the value felt after it (resolved: times the
    kept share, quick or slow; unresolved: less the penalty), and per firm
    the complaints, recoveries, delighted and disappointed (float64
    counts). Float32 throughout, as numpy computes with the float32 columns
    and the constants as float32; the decision's chance in float64."""
    one = np.float32(1.0)
    base_rate, per_empowerment = np.float32(recovery_rate), np.float32(empowerment_recovery)
    quick_base, kept_quick, kept_slow = np.float32(quick_share), np.float32(quick_keep), np.float32(slow_keep)
    penalty = np.float32(unresolved_penalty)
    p_resolve = np.empty(n_firms, np.float32)
    p_quick = np.empty(n_firms, np.float32)
    for f in range(n_firms):
        r = base_rate + per_empowerment * empowerment[f] + recovery_bonus[f]
        p_resolve[f] = one if r > one else r  # numpy's minimum(r, 1): nan stays
        q = quick_base + quick_bonus[f]
        p_quick[f] = one if q > one else q
    m = len(buyers)
    felt_after = np.empty(m, np.float32)
    flags = np.zeros((6, m), np.bool_)
    complained, resolved, quick, problem, major, leaves = flags[0], flags[1], flags[2], flags[3], flags[4], flags[5]
    counts = np.zeros((4, n_firms))
    for j in range(m):
        i, f = buyers[j], firm[j]
        complained[j] = outcome[j] < 0 and u[0, i] < voice[j]
        resolved[j] = complained[j] and u[1, i] < p_resolve[f]
        quick[j] = resolved[j] and u[2, i] < p_quick[f]
        problem[j] = is_problem(np.float64(felt[j]), problem_disappointment)
        if problem[j]:
            major[j] = major_problem(failed[j], np.float64(felt[j]), major_disappointment)
            leaves[j] = u_leave[i] < leaving_chance(major[j], complained[j], resolved[j], quick[j], decision)
        if quick[j]:
            felt_after[j] = felt[j] * kept_quick
        elif resolved[j]:
            felt_after[j] = felt[j] * kept_slow
        elif complained[j]:
            felt_after[j] = felt[j] - penalty
        else:
            felt_after[j] = felt[j]
        counts[0, f] += complained[j]
        counts[1, f] += resolved[j]
        counts[2, f] += outcome[j] > 0
        counts[3, f] += outcome[j] < 0
    return felt_after, flags, counts
