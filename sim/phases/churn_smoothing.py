"""The churn outlook of customer lifetime value: a moving average of each
firm's churn rate over the reported steps."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from agents.compiled import compiled
from sim.records import SmoothedChurn, required

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import LoyaltyModel
    from sim.records import StepRecord


def smooth_churn(market: "LoyaltyModel", step: "StepRecord") -> None:
    """This step's churn rate (relationships lost per customer at the start)
    and its exponential moving average, ``kept * previous + (1 - kept) *
    rate``, where ``kept`` is the share kept over one step at the half-life
    ``loyalty.clv_churn_half_life_weeks`` (0.9 a week by default), started
    at the first reported step's rate; burn-in steps leave the average where
    it was. A single step's churn is noisy, and CLV divides by it (Gupta &
    Lehmann 2003; Gupta, Lehmann & Stuart 2004). The window is a half-life
    in weeks, so it spans the same time whatever the step length."""
    ev = step.events
    before = required(step.churn, "step.churn").smoothed  # carried from the previous step
    kept = market.step_length.kept(market.config.loyalty.clv_churn_half_life_weeks) if step.reported else 0.0
    rate, smoothed = np.empty(len(before)), np.empty(len(before))
    _smooth(
        np.asarray(ev.lost, dtype=np.float64),
        np.asarray(ev.customers_at_start, dtype=np.float64),
        np.asarray(before, dtype=np.float64),
        kept,
        rate,
        smoothed,
    )
    step.churn = SmoothedChurn(rate, smoothed if step.reported else before)


@compiled
def _smooth(
    lost: np.ndarray, at_start: np.ndarray, before: np.ndarray, kept: float, rate: np.ndarray, smoothed: np.ndarray
) -> None:
    """Each firm's churn rate, ``lost / max(customers at the start, 1)``,
    and its moving average ``kept * before + (1 - kept) * rate`` (the rate
    itself where there was none before)."""
    for f in range(len(rate)):
        start = at_start[f]
        rate[f] = lost[f] / (start if start >= 1.0 or np.isnan(start) else 1.0)  # np.maximum(start, 1)
        smoothed[f] = rate[f] if np.isnan(before[f]) else kept * before[f] + (1 - kept) * rate[f]
