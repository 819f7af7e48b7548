"""Disconfirmation: experience minus expectation against a zone of tolerance
(MODEL.md §3; 004 and 001's equity rule).

Above the zone a customer is delighted, inside it satisfied ("as expected"),
below it disappointed; a disappointment weighs ``loss_aversion`` times an
equal delight.
"""

from __future__ import annotations

import numpy as np

from sim.compiled import compiled
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


@compiled
def judged(experience: np.ndarray, expectation: np.ndarray, cell: np.ndarray, tolerance: np.ndarray,
           buyers: np.ndarray, delight_bonus: float, loss_aversion: float,
           satisfied_valence: float) -> tuple[np.ndarray, np.ndarray]:
    """:func:`zone_of_tolerance` and :func:`felt_value` of each purchase in
    one loop: the gap between ``experience`` and the expectation of the
    purchase's ``cell`` (a flat ``[n * firms]`` view), judged against the
    buyer's tolerance. The float32 arithmetic of the numpy functions, given
    the config's values as float32."""
    bonus, aversion, valence = np.float32(delight_bonus), np.float32(loss_aversion), np.float32(satisfied_valence)
    m = len(cell)
    outcome = np.empty(m, np.int8)
    felt = np.empty(m, np.float32)
    for j in range(m):
        gap = experience[j] - expectation[cell[j]]
        tol = tolerance[buyers[j]]
        outcome[j] = (1 if gap > tol else 0) - (1 if gap < -tol else 0)
        if outcome[j] > 0:
            felt[j] = gap + bonus
        elif outcome[j] < 0:
            felt[j] = aversion * gap
        else:
            felt[j] = valence
    return outcome, felt
