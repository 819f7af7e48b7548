"""Retention two ways, per acquisition cohort and year (Gupta, Lehmann &
Stuart 2004: retention curves by cohort).

*True* retention counts the relationships that have not ended, which the
simulator knows. *Observed* retention is what a firm sees in its
transaction data: a relationship counts as retained while its last purchase
lies within ``loyalty.lapse_gaps`` of the customer's expected inter-purchase
times (one over their visit rate), as a firm judges a customer lapsed after
a long silence. The two differ by a lag: a relationship that has ended
still looks retained until its silence is long enough, and a customer who
buys rarely looks lapsed sooner. At the end of the horizon the observed
measure is censored: a silence shorter than the window is not counted as a
loss.

A :class:`RetentionRecorder` takes a snapshot at the end of every reported
year and at the end of the horizon (:meth:`sim.model.LoyaltyModel.retention_by_cohort`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from agents.states import is_customer

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import LoyaltyModel

#: the columns of :meth:`RetentionRecorder.table`
COLUMNS = (
    "firm",
    "cohort_year",
    "year",
    "reported_step",
    "acquired",
    "true_retained",
    "observed_retained",
    "true_retention",
    "observed_retention",
)


def observed_active(
    last_purchase: np.ndarray, visit_rate: np.ndarray, t: int, steps_per_year: float, gaps: float
) -> np.ndarray:
    """Whether each relationship (``[n, firms]``) looks retained at step
    ``t``: its last purchase (a step, -1 never) lies within ``gaps``
    expected inter-purchase times of the customer (``steps_per_year /
    visit_rate`` steps) before ``t``."""
    window = gaps * steps_per_year / np.maximum(np.asarray(visit_rate, dtype=np.float64), 1e-9)
    return (last_purchase >= 0) & (t - last_purchase <= window[:, None])


class RetentionRecorder:
    """Snapshots of true and observed retention by firm and acquisition
    cohort (the reported year a relationship was first acquired)."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.checked: set[int] = set()

    def check(self, market: "LoyaltyModel") -> None:
        """Record the snapshot after the market's last completed step (once per step)."""
        step = market.steps_reported
        if step <= 0 or step in self.checked:
            return
        self.checked.add(step)
        cust, cfg = market.customers, market.config
        per_year = cfg.steps_per_year
        steps_in_year = max(1, round(per_year))
        current = is_customer(cust.state)
        seen = observed_active(cust.last_purchase, cust.visit_rate, market.t, per_year, cfg.loyalty.lapse_gaps)
        acquired = market.cohorts.acquired
        for f, firm in enumerate(f.name for f in market.firms):
            cohort = cust.cohort[:, f]
            known = cohort >= 1
            year_of = (cohort[known] - 1) // steps_in_year
            true = np.bincount(year_of[current[known, f]], minlength=1)
            observed = np.bincount(year_of[seen[known, f]], minlength=1)
            for y in range((step - 1) // steps_in_year + 1):
                total = int(acquired[f, 1 + y * steps_in_year : 1 + (y + 1) * steps_in_year].sum())
                if total == 0:
                    continue
                kept = int(true[y]) if y < len(true) else 0
                looks = int(observed[y]) if y < len(observed) else 0
                self.rows.append(
                    {
                        "firm": firm,
                        "cohort_year": y + 1,
                        "year": step / per_year,
                        "reported_step": step,
                        "acquired": total,
                        "true_retained": kept,
                        "observed_retained": looks,
                        "true_retention": kept / total,
                        "observed_retention": looks / total,
                    }
                )

    def table(self) -> pd.DataFrame:
        """One row per snapshot, firm and cohort year (:data:`COLUMNS`)."""
        return pd.DataFrame(self.rows, columns=list(COLUMNS))
