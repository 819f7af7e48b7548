"""Transaction satisfaction: each experience judged against the customer's
standards (004; Zeithaml, Berry & Parasuraman 1993, 'The nature and
determinants of customer expectations of service'), plus surprise against
the predicted level (Oliver 1980).

A customer has a *desired* level (what they want, stable) and an *adequate*
level (the least they accept), two tolerance half-widths below it at rest
and raised toward the best alternative they know. Between the two lies the
zone of tolerance. Satisfaction is measured in *zone units*: 0 at the
adequate level, 1 at the desired. Above the desired level a customer is
delighted (a bonus on top); below the adequate level disappointed, and a
shortfall weighs ``loss_aversion`` times an equal excess. The predicted
level (expectation) still adapts toward experience and adds surprise, but
the standards do not adapt, so a firm that serves better leaves its
customers more satisfied for as long as it does.

A purchase of several visits (a long visit round's) is judged by its mean
experience, except that a failed visit is felt on its own: the zone's
edges and loss aversion bend the judgement, so one failed visit among
ordinary ones feels worse than a mean lowered by a share of the failure
would (:func:`satisfaction_with_failed_visit`).
"""

from __future__ import annotations

import numpy as np

from agents.compiled import Real, compiled, inlined
from sim.config import DisconfirmationConfig

DISAPPOINTED, SATISFIED, DELIGHTED = -1, 0, 1
#: a state's code for a firm the customer has not heard of (agents.states.LoyaltyState.PROSPECT)
_PROSPECT = 0
#: the adequate level's floor on the 0-1 experience scale
_SCALE_BOTTOM = 0.0


def adequate_level(
    desired: np.ndarray,
    tolerance: np.ndarray,
    best_alternative: np.ndarray,
    alternative_weight: float,
    widening: np.ndarray | float = 0.0,
) -> np.ndarray:
    """The least a customer accepts: two tolerance half-widths below the
    desired level at rest (not below 0), moved ``alternative_weight`` of the
    way up toward the best alternative they know where that is higher, but
    never closer to the desired level than one half-width (the zone keeps a
    width). ``best_alternative``: -inf where they know none. A loyal
    relationship's zone is ``widening`` half-widths wider below (not below
    0: :func:`sim.loyalty_economics.state_factors`)."""
    desired = np.asarray(desired, dtype=np.float64)
    tolerance = np.asarray(tolerance, dtype=np.float64)
    rest = np.maximum(desired - 2.0 * tolerance, _SCALE_BOTTOM)
    raised = rest + alternative_weight * np.maximum(np.asarray(best_alternative, dtype=np.float64) - rest, 0.0)
    level = np.minimum(raised, np.maximum(desired - tolerance, rest))
    adequate: np.ndarray = np.maximum(level - np.asarray(widening, dtype=np.float64) * tolerance, _SCALE_BOTTOM)
    return adequate


def zone_of_tolerance(experience: np.ndarray, adequate: np.ndarray, desired: np.ndarray) -> np.ndarray:
    """-1 (disappointed: below adequate), 0 (satisfied) or +1 (delighted: above desired)."""
    experience = np.asarray(experience)
    return np.asarray(experience > desired, np.int8) - np.asarray(experience < adequate, np.int8)


def transaction_satisfaction(
    experience: np.ndarray,
    expectation: np.ndarray,
    adequate: np.ndarray,
    desired: np.ndarray,
    cfg: DisconfirmationConfig,
) -> np.ndarray:
    """Satisfaction with one experience, in zone units: its place in the zone
    of tolerance (a delight bonus above it, loss aversion below it) plus
    ``surprise_weight`` times the experience's distance above the predicted
    level, in zone widths."""
    x = np.asarray(experience, dtype=np.float64)
    a, d = np.asarray(adequate, dtype=np.float64), np.asarray(desired, dtype=np.float64)
    width = np.maximum(d - a, _MIN_WIDTH)
    place = (x - a) / width
    anchored = np.where(
        x > d, 1.0 + cfg.delight_bonus + (x - d) / width, np.where(x < a, cfg.loss_aversion * place, place)
    )
    satisfaction: np.ndarray = anchored + cfg.surprise_weight * (x - np.asarray(expectation, dtype=np.float64)) / width
    return satisfaction


def satisfaction_with_failed_visit(
    experience: np.ndarray,
    drop: np.ndarray,
    visits: np.ndarray,
    expectation: np.ndarray,
    adequate: np.ndarray,
    desired: np.ndarray,
    cfg: DisconfirmationConfig,
) -> np.ndarray:
    """Transaction satisfaction per visit of a purchase of ``visits`` visits,
    one of which failed, whose mean experience is ``experience``: the
    ordinary visits' and the failed visit's, weighted by their number.
    ``drop`` is how far below an ordinary visit the failed visit's
    experience lies (the mean lies ``drop / visits`` below the ordinary ones)."""
    visits = np.asarray(visits, dtype=np.float64)
    ordinary = np.asarray(experience, dtype=np.float64) + drop / visits

    def judge(x: np.ndarray) -> np.ndarray:
        return transaction_satisfaction(x, expectation, adequate, desired, cfg)

    per_visit: np.ndarray = ((visits - 1) * judge(ordinary) + judge(ordinary - drop)) / visits
    return per_visit


#: the narrowest zone the judgement divides by (a customer whose zone has no
#: width judges in steps of this); a guard against division by zero, not a parameter
_MIN_WIDTH = 1e-3


@compiled
def judged(
    experience: np.ndarray,
    expectation: np.ndarray,
    state: np.ndarray,
    cell: np.ndarray,
    n_firms: int,
    desired: np.ndarray,
    tolerance: np.ndarray,
    buyers: np.ndarray,
    failed: np.ndarray,
    drop: np.ndarray,
    visits: np.ndarray,
    loss_aversion: float,
    delight_bonus: float,
    alternative_weight: float,
    surprise_weight: float,
    widening: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`zone_of_tolerance` and :func:`transaction_satisfaction` of
    each purchase in one loop (float64, stored as float32): the buyer's
    adequate level (:func:`adequate_level`) from the best expectation among
    the other firms they know, widened by ``widening[state]`` half-widths
    for the relationship's state (``state``, ``expectation``: flat
    ``[n * firms]`` views; ``cell``: each purchase's); a purchase of
    several visits one of which ``failed`` is judged as
    :func:`satisfaction_with_failed_visit`."""
    m = len(cell)
    outcome = np.empty(m, np.int8)
    felt = np.empty(m, np.float32)
    for j in range(m):
        i = buyers[j]
        c = cell[j]
        row = c - c % n_firms
        best = -np.inf
        for g in range(row, row + n_firms):
            if g != c and state[g] != _PROSPECT and expectation[g] > best:
                best = np.float64(expectation[g])
        d = np.float64(desired[i])
        tol = np.float64(tolerance[i])
        rest = max(d - 2.0 * tol, _SCALE_BOTTOM)
        a = rest + alternative_weight * max(best - rest, 0.0) if best > rest else rest
        a = min(a, max(d - tol, rest))
        a = max(a - np.float64(widening[state[c]]) * tol, _SCALE_BOTTOM)
        x = np.float64(experience[j])
        e = np.float64(expectation[c])
        outcome[j] = (1 if x > d else 0) - (1 if x < a else 0)
        if failed[j] and visits[j] > 1:
            k = np.float64(visits[j])
            ordinary = x + drop[j] / k
            felt[j] = (
                (k - 1) * _judge(ordinary, e, a, d, loss_aversion, delight_bonus, surprise_weight)
                + _judge(ordinary - drop[j], e, a, d, loss_aversion, delight_bonus, surprise_weight)
            ) / k
        else:
            felt[j] = _judge(x, e, a, d, loss_aversion, delight_bonus, surprise_weight)
    return outcome, felt


@inlined
def _judge(x: Real, e: Real, a: Real, d: Real, loss_aversion: Real, delight_bonus: Real, surprise_weight: Real) -> Real:
    """:func:`transaction_satisfaction` of one experience."""
    width = max(d - a, _MIN_WIDTH)
    place = (x - a) / width
    if x > d:
        anchored = 1.0 + delight_bonus + (x - d) / width
    elif x < a:
        anchored = loss_aversion * place
    else:
        anchored = place
    return anchored + surprise_weight * (x - e) / width
