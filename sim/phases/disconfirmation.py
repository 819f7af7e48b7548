"""Disconfirmation: experience against expectation (Oliver 1980)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim import disconfirmation as dc
from sim.columns import flat

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import LoyaltyModel
    from sim.records import StepRecord


def disconfirmation(market: "LoyaltyModel", step: "StepRecord") -> None:
    """The gap between experience and expectation, judged against each
    customer's zone of tolerance (Zeithaml, Berry & Parasuraman 1993):
    disappointed, satisfied or delighted, and the value felt (a failed
    visit felt on its own: :mod:`sim.disconfirmation`)."""
    cust, p, cfg = market.customers, step.purchases, market.config.disconfirmation
    p.outcome, p.felt = dc.judged(p.experience, flat(cust.expectation), p.cell, cust.tolerance, p.buyers,
                                  p.failed, p.failure_drop, p.visits, float(cfg.delight_bonus),
                                  float(cfg.loss_aversion), float(cfg.satisfied_valence))
