"""Acquisition cohorts: relationships acquired in each reported step and
how many of them were lost since (Gupta, Lehmann & Stuart 2004: retention
curves by cohort)."""

from __future__ import annotations

import numpy as np


class Cohorts:
    """Counts per firm and acquisition cohort (reported step): ``acquired``
    and ``lost`` (``[n_firms, cohorts]``, int64)."""

    def __init__(self, n_firms: int, steps: int) -> None:
        self.acquired = np.zeros((n_firms, steps + 1), dtype=np.int64)
        self.lost = np.zeros((n_firms, steps + 1), dtype=np.int64)

    def make_room(self, steps: int) -> None:
        """Room for cohorts up to reported step ``steps`` (a run may go past the horizon)."""
        have = self.acquired.shape[1]
        if steps > have:
            grow = np.zeros((self.acquired.shape[0], max(steps, 2 * have) - have), dtype=np.int64)
            self.acquired = np.hstack([self.acquired, grow])
            self.lost = np.hstack([self.lost, grow])

    def delta(self, cohort: np.ndarray, rows: np.ndarray, firms: np.ndarray) -> np.ndarray:
        """Losses of the relationships ``(rows, firms)`` counted against each
        firm's acquisition cohort (``[n_firms, cohorts]``), where ``cohort``
        holds each relationship's cohort; relationships acquired before the
        reported horizon have none (-1)."""
        c = cohort[rows, firms]
        known = c >= 0
        shape = self.lost.shape
        counts = np.bincount(firms[known] * shape[1] + c[known], minlength=shape[0] * shape[1])
        return counts.reshape(shape)

    def lose(self, cohort: np.ndarray, rows: np.ndarray, firms: np.ndarray) -> None:
        """Count the loss of the relationships ``(rows, firms)`` against their cohorts."""
        self.lost += self.delta(cohort, rows, firms)
