"""The step table's rows of a reported step."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.metrics import step_metrics

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import LoyaltyModel
    from sim.records import StepRecord


def record_step(market: "LoyaltyModel", step: "StepRecord") -> None:
    """One row per firm of a reported step, from the step's records."""
    if step.reported:
        market.records.extend(step_metrics(market, step))
