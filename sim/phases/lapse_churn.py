"""Defection and leaving the category (Reichheld 1996: 20-40% of customers
lost a year)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.columns import flat
from sim.compiled import compiled
from sim.states import LoyaltyState as S
from sim.units import compounded

PROSPECT, AWARE, FIRST_TIME, CHURNED = int(S.PROSPECT), int(S.AWARE), int(S.FIRST_TIME), int(S.CHURNED)

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import LoyaltyModel
    from sim.records import StepRecord


@compiled
def _defection_chance(cell: np.ndarray, intention: np.ndarray, defect_prob: np.float32,
                      intention_floor: np.float32, chance: np.ndarray) -> None:
    """Each purchase's chance of defection if it disappointed, before the
    visits compound it: ``defect_prob * clip(1 - intention / floor, 0, 1)``
    in float32 (numpy's types: the Python numbers taken as float32)."""
    for k in range(len(cell)):
        x = np.float32(1.0) - intention[cell[k]] / intention_floor
        if x < 0:
            x = np.float32(0.0)
        elif x > 1:
            x = np.float32(1.0)
        chance[k] = defect_prob * x


@compiled
def _defect(buyers: np.ndarray, firm: np.ndarray, cell: np.ndarray, felt: np.ndarray, chance: np.ndarray,
            u_churn: np.ndarray, state: np.ndarray, expectation: np.ndarray, purchases: np.ndarray,
            cohort: np.ndarray, expectation_drop: np.float32, lost: np.ndarray, cohort_lost: np.ndarray) -> None:
    """Disappointed customers (felt value below 0) of a purchase defect with
    their chance (against the ``churn`` draw): the relationship (a flat
    ``[n, firms]`` cell, one per buyer) churns, its expectation drops (not
    below 0), its visit count restarts; each firm's losses and its cohorts'
    losses are counted (``lost`` gets the count once, as ``+= np.bincount``)."""
    count = np.zeros(len(lost), dtype=np.int64)
    for k in range(len(cell)):
        i = cell[k]
        s = state[i]
        if felt[k] < 0 and s >= FIRST_TIME and s != CHURNED and u_churn[buyers[k]] < chance[k]:
            state[i] = CHURNED
            e = expectation[i] - expectation_drop
            expectation[i] = np.float32(0.0) if e < 0 else e
            purchases[i] = 0
            f = firm[k]
            count[f] += 1
            c = cohort[i]
            if c >= 0:
                if c >= cohort_lost.shape[1]:
                    raise IndexError("a cohort beyond the cohorts counted")
                cohort_lost[f, c] += 1
    for f in range(len(lost)):
        lost[f] += count[f]


@compiled
def _leave_category(u_exit: np.ndarray, exit_chance: np.ndarray, state: np.ndarray, cohort: np.ndarray,
                    lost: np.ndarray, exits: np.ndarray, cohort_lost: np.ndarray, rows: np.ndarray) -> int:
    """Customers whose ``exit`` draw is below their exit chance leave the
    category (their rows go to ``rows``; returns how many): each of their
    customer relationships counts as lost and as an exit of the firm, and
    as a loss of its cohort. The relationships themselves are left for
    :func:`replace_leavers`."""
    n, F = state.shape
    count = np.zeros(F, dtype=np.int64)
    k = 0
    for i in range(n):
        if u_exit[i] < exit_chance[i]:
            rows[k] = i
            k += 1
            for f in range(F):
                s = state[i, f]
                if s >= FIRST_TIME and s != CHURNED:
                    count[f] += 1
                    c = cohort[i, f]
                    if c >= 0:
                        if c >= cohort_lost.shape[1]:
                            raise IndexError("a cohort beyond the cohorts counted")
                        cohort_lost[f, c] += 1
    if k:
        for f in range(F):
            lost[f] += count[f]
        for f in range(F):
            exits[f] += count[f]
    return k


def defections(market: "LoyaltyModel", step: "StepRecord") -> None:
    """Disappointed customers with little intention to return defect (a
    visit round's purchases, in a step of several rounds).

    The chance to defect compounds over the visits of a purchase
    (:func:`sim.units.compounded`, numpy's), then one compiled pass over
    the purchases (:func:`_defect`)."""
    cust, ch, p, ev = market.customers, market.config.churn, step.purchases, step.events
    b = p.buyers
    chance = np.empty(len(b), dtype=np.float32)
    _defection_chance(p.cell, flat(step.latents.intention), np.float32(ch.disappointed_defect_prob),
                      np.float32(max(ch.defect_intention_floor, 1e-9)), chance)
    chance = compounded(chance, cust.visits_per_purchase[b])
    _defect(b, p.firm, p.cell, p.felt, chance, step.draws.churn, flat(cust.state), flat(cust.expectation),
            flat(cust.purchases), flat(cust.cohort), np.float32(ch.defect_expectation_drop), ev.lost,
            market.cohorts.lost)


def leaving_the_category(market: "LoyaltyModel", step: "StepRecord") -> None:
    """Some customers leave the category, at their exit rate, and are
    replaced by new prospects: one compiled pass over the customers
    (:func:`_leave_category`)."""
    cust, ev = market.customers, step.events
    leavers = np.empty(cust.n, dtype=np.int64)
    k = _leave_category(step.draws.exit, cust.exit_chance, cust.state, cust.cohort, ev.lost, ev.exits,
                        market.cohorts.lost, leavers)
    step.replaced = leavers[:k]
    if k:
        replace_leavers(market, step.replaced)


def replace_leavers(market: "LoyaltyModel", rows: np.ndarray) -> None:
    """New prospects move in where customers left the category: the next
    newcomers' traits (:class:`agents.newcomers.Newcomers`, drawn ahead from
    the ``newcomers`` stream), neutral modifiers, and awareness of some of
    the firms present."""
    cust, cfg = market.customers, market.config
    traits, u_aware = market.newcomers.take(len(rows), cfg.customers, market.step_length, market.segments())
    cust.replace(rows, traits)
    market.modifiers.reset(rows)
    _newcomers_aware(rows, u_aware, np.float32(cfg.customers.newcomer_awareness), market.present,
                     market.by_firm("promise"), cust.state, cust.expectation)


@compiled
def _newcomers_aware(rows: np.ndarray, u_aware: np.ndarray, awareness: np.float32, present: np.ndarray,
                     promise: np.ndarray, state: np.ndarray, expectation: np.ndarray) -> None:
    """A newcomer (row ``rows[j]``) is aware of each firm present whose draw
    ``u_aware[j, f]`` is below ``awareness``, expecting what it promises;
    a prospect expecting nothing of the others."""
    for j in range(len(rows)):
        i = rows[j]
        for f in range(state.shape[1]):
            if u_aware[j, f] < awareness and present[f]:
                state[i, f] = AWARE
                expectation[i, f] = promise[f]
            else:
                state[i, f] = PROSPECT
                expectation[i, f] = 0
