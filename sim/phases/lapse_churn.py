"""Defection and leaving the category (Reichheld 1996: 20-40% of customers
lost a year)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.units import compounded
from sim.columns import column_count, flat, nonzero_cells
from sim.states import LoyaltyState as S, is_customer

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import LoyaltyModel
    from sim.records import StepRecord


def lapse_and_churn(market: "LoyaltyModel", step: "StepRecord") -> None:
    """Disappointed customers with little intention to return defect; some
    customers leave the category and are replaced by new prospects."""
    cust, ch, p, ev = market.customers, market.config.churn, step.purchases, step.events
    F, cohorts = market.n_firms, market.cohorts
    b, c, felt = p.buyers, p.firm, p.felt
    intent = flat(step.latents.intention)[p.cell]
    p_defect = ch.disappointed_defect_prob * np.clip(1 - intent / max(ch.defect_intention_floor, 1e-9), 0, 1)
    p_defect = compounded(p_defect, cust.visits_per_purchase[b])
    defect = (felt < 0) & is_customer(flat(cust.state)[p.cell]) & (step.draws.churn[b] < p_defect)
    db, dcf = b[defect], c[defect]
    cust.state[db, dcf] = S.CHURNED
    cust.expectation[db, dcf] = np.maximum(cust.expectation[db, dcf] - ch.defect_expectation_drop, 0)
    cust.purchases[db, dcf] = 0
    ev.lost += np.bincount(dcf, minlength=F)
    cohorts.lose(cust.cohort, db, dcf)
    leavers = np.flatnonzero(step.draws.exit < cust.exit_chance)
    if len(leavers):
        was = is_customer(cust.state[leavers])
        ev.lost += column_count(was)
        ev.exits += column_count(was)
        rows, firms = nonzero_cells(was)
        cohorts.lose(cust.cohort, leavers[rows], firms)
        replace_leavers(market, leavers)


def replace_leavers(market: "LoyaltyModel", rows: np.ndarray) -> None:
    """New prospects move in where customers left the category: new traits
    (drawn from the ``newcomers`` stream), neutral modifiers, and awareness
    of some of the firms present."""
    from agents.customers import draw_traits

    cust, cfg = market.customers, market.config
    rng = market.streams["newcomers"]
    k, F = len(rows), market.n_firms
    traits = draw_traits(cfg.customers, rng, k, market.step_length, sociability=cust.sociability[rows],
                         segments=market.segments())
    cust.replace(rows, traits)
    market.modifiers.reset(rows)
    aware = (rng.random((k, F), dtype=np.float32) < cfg.customers.newcomer_awareness) & market.present[None, :]
    promise = market.by_firm("promise")
    cust.state[rows] = np.where(aware, S.AWARE, S.PROSPECT).astype(np.int8)
    cust.expectation[rows] = np.where(aware, promise[None, :], 0)
