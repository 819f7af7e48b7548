"""Loyalty latents: affect, habit, satisfaction, repeat behaviour and
expectations of every relationship (Oliver 1999; Dick & Basu 1994)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from agents.customers import COUNT_CAP
from sim.columns import colwise, flat
from sim.units import compounded, felt_over_visits

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import LoyaltyModel
    from sim.records import StepRecord


def loyalty_latents(market: "LoyaltyModel", step: "StepRecord") -> None:
    """Every relationship decays a little; those bought from this step gain
    affect from the value felt and the belonging, habit and repeat
    behaviour, and their satisfaction and expectation move toward the
    experience (adaptation level; Helson 1964). Expectations are pulled
    toward the firms' promises. A delighted buyer may bond with the
    employee who served them (Gremler & Gwinner 2000)."""
    cust, cfg, p = market.customers, market.config, step.purchases
    lc = cfg.loyalty
    b, felt = p.buyers, p.felt
    unit = market.step_length
    keep_affect = np.float32(unit.kept(lc.affect_half_life_weeks))
    keep_habit = np.float32(unit.kept(lc.habit_half_life_weeks))
    keep_behaviour = unit.kept(lc.repeat_rate_half_life_weeks)
    keep_revenue = np.float32(1 - unit.dt)      # an annual sum: spend per step / dt in steady state

    def decay(rows: slice) -> None:
        cust.affect[rows] *= keep_affect
        cust.habit[rows] *= keep_habit
        cust.behaviour[rows] *= np.float32(keep_behaviour)
        cust.revenue[rows] *= keep_revenue

    market.blocks.map(decay, cust.n)
    # the bought-from relationships, through flat views (see sim.columns.flat)
    cell = p.cell
    affect, habit, behaviour, revenue, satisfaction, purchases, rival_run, expectation = (
        flat(a) for a in (cust.affect, cust.habit, cust.behaviour, cust.revenue, cust.satisfaction,
                          cust.purchases, cust.rival_run, cust.expectation))
    # a purchase holds the step's visits: gains add up over them, shares compound (sim.units.compounded)
    visits = cust.visits_per_purchase[b]
    # the visits after the first find an expectation already moved toward the
    # experience, so each is felt less: over k visits the felt value adds up
    # to (1 - (1 - adaptation) ** k) / adaptation times one visit's
    felt_visits = felt_over_visits(cfg.expectation.adaptation, visits)
    aff = affect[cell] + lc.affect_gain * felt * felt_visits + lc.belonging_affect * p.belonging * visits
    affect[cell] = np.clip(aff, 0, 1)
    habit[cell] += compounded(lc.habit_gain, visits) * (1 - habit[cell])
    behaviour[cell] += ((1 - keep_behaviour) / unit.weeks) * visits     # visits a week
    revenue[cell] += p.spent
    satisfaction[cell] += compounded(lc.satisfaction_memory, visits) * (felt - satisfaction[cell])
    count = np.rint(visits).astype(np.int64)
    purchases[cell] = np.minimum(purchases[cell] + count, COUNT_CAP)
    cust.rival_run[b] = np.minimum(cust.rival_run.take(b, axis=0) + count[:, None], COUNT_CAP)
    rival_run[cell] = 0
    ex_cfg = cfg.expectation
    expectation[cell] += compounded(ex_cfg.adaptation, visits) * (p.experience - expectation[cell])
    promise = market.by_firm("promise")
    # prospects' expectations are reset when they become aware, so pulling all is harmless
    pull = np.float32(1 - unit.kept(ex_cfg.promise_half_life_weeks))

    def toward_promise(rows: slice) -> None:
        cust.expectation[rows] *= 1 - pull
        colwise(np.add, cust.expectation[rows], pull * promise, out=cust.expectation[rows])

    market.blocks.map(toward_promise, cust.n)
    u_bond = step.draws.service[2, b]
    bond_now = (p.outcome > 0) & (p.served >= 0) & (u_bond < compounded(cfg.staff.bond_prob, visits))
    cust.bond[b[bond_now]] = p.served[bond_now]
