"""Disconfirmation: experience against expectation (Oliver 1980)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim import disconfirmation as dc
from sim.columns import flat
from sim.loyalty_economics import TOLERANCE_WIDENING, state_factors
from sim.records import required

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import LoyaltyModel
    from sim.records import StepRecord


def disconfirmation(market: "LoyaltyModel", step: "StepRecord") -> None:
    """Each purchase judged against the buyer's standards: the zone of
    tolerance between their adequate and desired levels (Zeithaml, Berry &
    Parasuraman 1993), with surprise against their expectation (Oliver
    1980), a loyal relationship's zone a little wider (Hess, Ganesan & Klein
    2003): disappointed, satisfied or delighted, and the transaction
    satisfaction in zone units (a failed visit felt on its own:
    :mod:`sim.disconfirmation`)."""
    cust, p, cfg = market.customers, required(step.purchases, "step.purchases"), market.config.disconfirmation
    p.outcome, p.felt = dc.judged(
        required(p.experience, "purchases.experience"),
        flat(cust.expectation),
        flat(cust.state),
        required(p.cell, "purchases.cell"),
        market.n_firms,
        cust.desired,
        cust.tolerance,
        p.buyers,
        required(p.failed, "purchases.failed"),
        required(p.failure_drop, "purchases.failure_drop"),
        required(p.visits, "purchases.visits"),
        float(cfg.loss_aversion),
        float(cfg.delight_bonus),
        float(cfg.alternative_weight),
        float(cfg.surprise_weight),
        state_factors(market.config.loyalty)[TOLERANCE_WIDENING],
    )
