"""The churn outlook of customer lifetime value: a moving average of each
firm's churn rate over the reported steps."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.records import SmoothedChurn

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import LoyaltyModel
    from sim.records import StepRecord


def smooth_churn(market: "LoyaltyModel", step: "StepRecord") -> None:
    """This step's churn rate (relationships lost per customer at the start)
    and its exponential moving average, ``0.9 * previous + 0.1 * rate``,
    started at the first reported step's rate; burn-in steps leave the
    average where it was. A single step's churn is noisy, and CLV divides
    by it (Gupta, Lehmann & Stuart 2004)."""
    ev = step.events
    rate = ev.lost / np.maximum(ev.customers_at_start, 1)
    before = step.churn.smoothed          # carried from the previous step
    if step.reported:
        smoothed = np.where(np.isnan(before), rate, 0.9 * before + 0.1 * rate)
    else:
        smoothed = before
    step.churn = SmoothedChurn(rate, smoothed)
