"""The books of a step: costs, the programmes' own, and profit."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.costs import driver_costs

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import LoyaltyModel
    from sim.records import StepRecord


def close_books(market: "LoyaltyModel", step: "StepRecord") -> None:
    """Wages, hiring, advertising and fixed costs are booked, each from its
    driver (:mod:`sim.costs`); each firm's
    strategies see the step's purchases and book theirs; the ledger closes
    the step (profit = revenue - costs, discounted into NPV when reported)."""
    led = market.ledger
    by_firm = lambda name: market.by_firm(name, np.float64)  # noqa: E731
    costs = driver_costs(market.staff, step.events.leavers, market.present, by_firm, market.config, market.step_length)
    for category, amounts in costs.items():
        led.book(slice(None), category, amounts)
    for firm in market.firms:
        if firm.strategies:
            ctx = market.context(firm, step.purchases)
            for strategy in firm.strategies:
                strategy.after_step(ctx)
    step.accounts = led.close(step.reported)
