"""Purchase occasions and the choice of firm (a logit with variety seeking)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim import choice
from sim.units import compounded
from sim.columns import any_column, take_rows
from sim.records import Purchases
from sim.states import I8, LoyaltyState as S

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import LoyaltyModel
    from sim.records import StepRecord


def purchase_occasions_and_choice(market: "LoyaltyModel", step: "StepRecord") -> None:
    """Customers who know a firm that serves them have a purchase occasion
    at their purchase rate; each chooses among the firms they know by
    expectation, affect, switching costs, price and deals (Guadagni & Little
    1983: a logit of brand choice), or varies for variety's sake."""
    cust, cfg, draws = market.customers, market.config, step.draws
    u_buy, u_choice = draws.purchase, draws.choice
    available = market.where_present(cust.state != I8[S.PROSPECT])
    available &= ~market.modifiers.refusal.at(slice(None))
    occasion = (u_buy < cust.purchase_chance) & any_column(available)
    b = np.flatnonzero(occasion)
    c = np.empty(len(b), dtype=np.int64)

    def rule(k: slice) -> None:
        i = b[k]
        price, discount = market.offer(i)
        util = choice.utility(take_rows(cust.expectation, i), take_rows(cust.affect, i), market.switching(i),
                              price, cust.reference_price[i], cust.price_sensitivity[i], discount,
                              cust.deal_proneness[i], cfg.choice)
        variety = compounded(cust.variety[i], cust.visits_per_purchase[i])     # a long step's visits vary more
        c[k] = choice.choose(util, take_rows(available, i), variety, u_choice[0, i], u_choice[1, i],
                             cfg.choice.logit_scale)

    market.blocks.map(rule, len(b))
    keep = c >= 0
    step.purchases = Purchases(buyers=b[keep], firm=c[keep])
