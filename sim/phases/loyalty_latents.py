"""Loyalty latents: affect, habit, satisfaction, repeat behaviour and
expectations of every relationship (Oliver 1999; Dick & Basu 1994)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.columns import colwise, flat

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
    aff = affect[cell] + lc.affect_gain * felt + lc.belonging_affect * p.belonging
    affect[cell] = np.clip(aff, 0, 1)
    habit[cell] += lc.habit_gain * (1 - habit[cell])
    behaviour[cell] += ((1 - keep_behaviour) / unit.weeks) * cust.visits_per_purchase[b]     # visits a week
    revenue[cell] += p.spent
    satisfaction[cell] += lc.satisfaction_memory * (felt - satisfaction[cell])
    purchases[cell] = np.minimum(purchases[cell], 254) + 1          # counts saturate at 255
    cust.rival_run[b] = np.minimum(cust.rival_run.take(b, axis=0), 254) + 1
    rival_run[cell] = 0
    ex_cfg = cfg.expectation
    expectation[cell] += ex_cfg.adaptation * (p.experience - expectation[cell])
    promise = market.by_firm("promise")
    # prospects' expectations are reset when they become aware, so pulling all is harmless
    pull = np.float32(1 - unit.kept(ex_cfg.promise_half_life_weeks))

    def toward_promise(rows: slice) -> None:
        cust.expectation[rows] *= 1 - pull
        colwise(np.add, cust.expectation[rows], pull * promise, out=cust.expectation[rows])

    market.blocks.map(toward_promise, cust.n)
    u_bond = step.draws.service[2, b]
    bond_now = (p.outcome > 0) & (p.served >= 0) & (u_bond < cfg.staff.bond_prob)
    cust.bond[b[bond_now]] = p.served[bond_now]
