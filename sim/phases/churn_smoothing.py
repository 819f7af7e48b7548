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
    and its exponential moving average, ``kept * previous + (1 - kept) *
    rate``, where ``kept`` is the share kept over one step at the half-life
    ``loyalty.clv_churn_half_life_weeks`` (0.9 a week by default), started
    at the first reported step's rate; burn-in steps leave the average where
    it was. A single step's churn is noisy, and CLV divides by it (Gupta &
    Lehmann 2003; Gupta, Lehmann & Stuart 2004). The window is a half-life
    in weeks, so it spans the same time whatever the step length."""
    ev = step.events
    rate = ev.lost / np.maximum(ev.customers_at_start, 1)
    before = step.churn.smoothed          # carried from the previous step
    if step.reported:
        kept = market.step_length.kept(market.config.loyalty.clv_churn_half_life_weeks)
        smoothed = np.where(np.isnan(before), rate, kept * before + (1 - kept) * rate)
    else:
        smoothed = before
    step.churn = SmoothedChurn(rate, smoothed)
