"""Disconfirmation: experience minus expectation against a zone of tolerance
(MODEL.md §3; 004 and 001's equity rule).

Above the zone a customer is delighted, inside it satisfied ("as expected"),
below it disappointed; a disappointment weighs ``loss_aversion`` times an
equal delight.
"""

from __future__ import annotations

import numpy as np

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
