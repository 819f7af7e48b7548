"""The books of a step: costs, the programmes' own, and profit."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import LoyaltyModel
    from sim.records import StepRecord


def close_books(market: "LoyaltyModel", step: "StepRecord") -> None:
    """Wages, hiring, advertising and fixed costs are booked; each firm's
    strategies see the step's purchases and book theirs; the ledger closes
    the step (profit = revenue - costs, discounted into NPV when reported)."""
    led, staff, cfg, ev = market.ledger, market.staff, market.config, step.events
    present = market.present.astype(float)
    led.book(slice(None), "wages", np.bincount(staff.firm[staff.employed],
                                               staff.wage[staff.employed], minlength=market.n_firms))
    led.book(slice(None), "hiring", ev.leavers * cfg.staff.hiring_cost)
    led.book(slice(None), "advertising", present * market.by_firm("advertising_cost", np.float64))
    led.book(slice(None), "fixed", present * market.by_firm("fixed_cost", np.float64))
    for firm in market.firms:
        if firm.strategies:
            ctx = market.context(firm, step.purchases)
            for strategy in firm.strategies:
                strategy.after_step(ctx)
    step.accounts = led.close(step.reported)
