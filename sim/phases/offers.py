"""Offers: strategies set the step's offers and modifiers."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import LoyaltyModel
    from sim.records import StepRecord


def adjust_offers(market: "LoyaltyModel", step: "StepRecord") -> None:
    """Every firm's discount and basket multiplier are reset first, so a
    strategy may also move a rival's offer (retaliation); then each firm's
    strategies adjust the offer, and the step's prices are fixed."""
    for firm in market.firms:
        firm.discount = 0.0
        firm.basket_multiplier = 1.0
    for firm in market.firms:
        if firm.strategies:
            ctx = market.context(firm)
            for strategy in firm.strategies:
                strategy.adjust_offer(ctx)
    market.fix_prices()
