"""Disconfirmation: experience minus expectation against a zone of tolerance
(MODEL.md §3; 004 and 001's equity rule).

Above the zone a customer is delighted, inside it satisfied ("as expected"),
below it disappointed; a disappointment weighs ``loss_aversion`` times an
equal delight.

A purchase of several visits (a long step's) is judged by its mean
experience, except that a failed visit is felt on its own: the zone of
tolerance and loss aversion bend the felt value, so one failed visit among
ordinary ones feels worse than a mean experience lowered by a share of the
failure would (:func:`felt_with_failed_visit`). Without that, a month of two
visits with a failure felt about half as bad as the same two visits in
weekly steps, and monthly markets held 3 points more loyal customers.
"""

from __future__ import annotations

import numpy as np

from sim.compiled import compiled, inlined
from sim.config import DisconfirmationConfig

DISAPPOINTED, SATISFIED, DELIGHTED = -1, 0, 1


def zone_of_tolerance(gap: np.ndarray, tolerance: np.ndarray) -> np.ndarray:
    """-1 (disappointed), 0 (satisfied) or +1 (delighted) for each gap."""
    return (np.asarray(gap > tolerance, np.int8) - np.asarray(gap < -tolerance, np.int8))


def felt_value(gap: np.ndarray, outcome: np.ndarray, cfg: DisconfirmationConfig) -> np.ndarray:
    """How the disconfirmation feels: delight counts with a bonus, a met
    expectation counts a little, a disappointment counts ``loss_aversion`` times."""
    return np.where(outcome > 0, gap + cfg.delight_bonus,
                    np.where(outcome < 0, cfg.loss_aversion * gap, cfg.satisfied_valence)
                    ).astype(np.float32)


def felt_with_failed_visit(gap: np.ndarray, drop: np.ndarray, visits: np.ndarray, tolerance: np.ndarray,
                           cfg: DisconfirmationConfig) -> np.ndarray:
    """Felt value per visit of a purchase of ``visits`` visits, one of which
    failed, whose mean experience is ``gap`` from the expectation: the
    ordinary visits' felt value and the failed visit's, weighted by their
    number. ``drop`` is how far below an ordinary visit the failed visit's
    experience lies (the mean lies ``drop / visits`` below the ordinary ones)."""
    visits = np.asarray(visits, dtype=np.float64)
    ordinary = np.asarray(gap, dtype=np.float64) + drop / visits
    failed = ordinary - drop
    felt_ordinary = felt_value(ordinary, zone_of_tolerance(ordinary, tolerance), cfg).astype(np.float64)
    felt_failed = felt_value(failed, zone_of_tolerance(failed, tolerance), cfg).astype(np.float64)
    return ((visits - 1) * felt_ordinary + felt_failed) / visits


@compiled
def judged(experience: np.ndarray, expectation: np.ndarray, cell: np.ndarray, tolerance: np.ndarray,
           buyers: np.ndarray, failed: np.ndarray, drop: np.ndarray, visits: np.ndarray, delight_bonus: float,
           loss_aversion: float, satisfied_valence: float) -> tuple[np.ndarray, np.ndarray]:
    """:func:`zone_of_tolerance` and :func:`felt_value` of each purchase in
    one loop: the gap between ``experience`` and the expectation of the
    purchase's ``cell`` (a flat ``[n * firms]`` view), judged against the
    buyer's tolerance; a purchase of several visits one of which ``failed``
    is felt as :func:`felt_with_failed_visit`. The float32 arithmetic of
    the numpy functions, given the config's values as float32."""
    bonus, aversion, valence = np.float32(delight_bonus), np.float32(loss_aversion), np.float32(satisfied_valence)
    m = len(cell)
    outcome = np.empty(m, np.int8)
    felt = np.empty(m, np.float32)
    for j in range(m):
        gap = experience[j] - expectation[cell[j]]
        tol = tolerance[buyers[j]]
        outcome[j] = _zone(gap, tol)
        if failed[j] and visits[j] > 1:
            k = np.float64(visits[j])
            ordinary = np.float64(gap) + drop[j] / k
            worst = ordinary - drop[j]
            # in float64, then rounded to float32 as felt_value does
            felt_ordinary = np.float64(np.float32(_felt(ordinary, _zone(ordinary, tol), delight_bonus,
                                                        loss_aversion, satisfied_valence)))
            felt_failed = np.float64(np.float32(_felt(worst, _zone(worst, tol), delight_bonus,
                                                      loss_aversion, satisfied_valence)))
            felt[j] = ((k - 1) * felt_ordinary + felt_failed) / k
        else:
            felt[j] = _felt(gap, outcome[j], bonus, aversion, valence)
    return outcome, felt


@inlined
def _zone(gap, tol):
    """:func:`zone_of_tolerance` of one gap."""
    return (1 if gap > tol else 0) - (1 if gap < -tol else 0)


@inlined
def _felt(gap, outcome, bonus, aversion, valence):
    """:func:`felt_value` of one gap, in the precision of its arguments."""
    if outcome > 0:
        return gap + bonus
    if outcome < 0:
        return aversion * gap
    return valence
