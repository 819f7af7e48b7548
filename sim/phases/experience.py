"""What each buyer experiences at the chosen firm: service, quality, price
fairness and belonging, weighted by what the customer cares about."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim import experience as ex
from sim.columns import take_rows
from sim.units import compounded

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import LoyaltyModel
    from sim.records import StepRecord


def experience(market: "LoyaltyModel", step: "StepRecord") -> None:
    """A buyer is served by a random employee of the firm, or by the employee
    they are bonded to (Gremler & Gwinner 2000: rapport); service is the
    employee's level and day-to-day spread, quality may fail, the price paid
    is judged against the reference price (Kalyanaraman & Winer 1995), and
    belonging comes from the firm, the bond and any club. Revenue, cost of
    goods, the cost of serving and visits are booked. A purchase holds all
    the step's visits of the buyer (``visits_per_purchase``), so its basket
    and the staff time it takes count them, and its experience is their mean
    (:mod:`sim.experience`)."""
    cust, cfg, staff, mods = market.customers, market.config, market.staff, market.modifiers
    F, p, draws, ev = market.n_firms, step.purchases, step.draws, step.events
    b, c = p.buyers, p.firm
    u_serve, z_serve = draws.service, draws.service_noise
    served = step.staff.roster.server(c, u_serve[0, b])
    bond = cust.bond[b]
    own = (bond >= 0) & (u_serve[1, b] < cfg.staff.bond_service_prob)
    own &= staff.firm[np.maximum(bond, 0)] == c
    own &= staff.employed[np.maximum(bond, 0)]
    served = np.where(own, bond, served)
    level = np.where(served >= 0, staff.service_level[np.maximum(served, 0)], 0.0)
    spread = np.where(served >= 0, staff.service_spread[np.maximum(served, 0)], 0.0)
    level = level + mods.service_bonus.at(b, c)
    visits = cust.visits_per_purchase[b]
    service = ex.delivered_service(level, spread, z_serve[b], visits)
    quality = market.by_firm("quality")
    # one of the purchase's visits failed (several in one step are rare enough to count once)
    failed = draws.experience[b] < compounded(ex.failure_probability(quality, cfg.experience)[c], visits)
    x_q = ex.quality_score(quality[c], failed, draws.experience_noise[b], cfg.experience, visits)
    price = market.price[c] * mods.price_factor.at(b, c)
    x_p = ex.price_fairness(price, cust.reference_price[b], cfg.experience)
    belonging = market.by_firm("belonging")
    x_b = np.clip(belonging[c] + cfg.experience.bond_belonging * own + mods.belonging_bonus.at(b, c), 0.0, 1.0)
    x_s = ex.service_score(service, failed, cfg.experience, visits)
    p.experience = ex.overall(take_rows(cust.weights, b), x_p, x_q, x_s, x_b).astype(np.float32)
    basket = cust.spend[b] * visits * market.by_firm("basket_multiplier")[c] * mods.basket_factor.at(b, c)
    spent = basket.astype(np.float64) * price
    unit_cost = market.by_firm("unit_cost", np.float64)
    market.ledger.add_revenue(np.bincount(c, spent, minlength=F))
    market.ledger.book(slice(None), "cost_of_goods", np.bincount(c, basket * unit_cost[c], minlength=F))
    adapt = compounded(cfg.customers.reference_price_adaptation, visits)
    cust.reference_price[b] += adapt * (price - cust.reference_price[b])
    step.visits = np.bincount(c, visits, minlength=F)
    market.ledger.book(slice(None), "serving", step.visits * market.by_firm("cost_per_visit", np.float64))
    ev.visits = step.visits.copy()
    ev.purchases = np.bincount(c, minlength=F)       # purchases: a long step's purchase holds several visits
    ev.failures = np.bincount(c, failed, minlength=F)
    ev.service_sum = np.bincount(c, service * visits, minlength=F)           # per visit
    ev.service_sq = np.bincount(c, service.astype(np.float64) ** 2 * visits, minlength=F)
    p.cell = b * F + c          # each purchase's relationship in flat [n, firms] arrays
    p.served, p.own_employee, p.failed, p.service = served, own, failed, service
    p.belonging, p.spent, p.visits = x_b, spent, visits
