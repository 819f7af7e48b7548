"""Loyalty latents: affect, habit, satisfaction, repeat behaviour and
expectations of every relationship (Oliver 1999; Dick & Basu 1994)."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import numpy as np

from agents.customers import COUNT_CAP
from sim.compiled import compiled
from sim.units import StepLength

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import LoyaltyModel
    from sim.records import StepRecord

#: the shares a purchase applies once per visit (sim.units.compounded), in
#: the order :func:`relationships_after_purchases` reads them
_HABIT, _SATISFACTION, _ADAPTATION, _BOND = range(4)
#: customers in a run of the pull toward the promises (a multiple of the firms, a few SIMD registers)
_PULL_RUN_ROWS = 64
#: customers in a chunk of a block: the relationships of a chunk fit in the processor's L2 cache
_CHUNK_ROWS = 2048


def loyalty_latents(market: "LoyaltyModel", step: "StepRecord") -> None:
    """Every relationship decays a little; those bought from this step gain
    affect from the value felt and the belonging, habit and repeat
    behaviour, and their satisfaction and expectation move toward the
    experience (adaptation level; Helson 1964). Expectations are pulled
    toward the firms' promises. A delighted buyer may bond with the
    employee who served them (Gremler & Gwinner 2000)."""
    cust, cfg, p = market.customers, market.config, step.purchases
    lc, ex_cfg = cfg.loyalty, cfg.expectation
    b, felt = p.buyers, p.felt
    unit = market.step_length
    rates = _rates(unit, lc.affect_half_life_weeks, lc.habit_half_life_weeks, lc.repeat_rate_half_life_weeks,
                   ex_cfg.promise_half_life_weeks)
    # a purchase holds the step's visits: gains add up over them, shares
    # compound (sim.units.compounded: -expm1(visits * log1p(-share)) for a
    # purchase of several visits), with numpy's expm1 as there
    shares = (lc.habit_gain, lc.satisfaction_memory, ex_cfg.adaptation, cfg.staff.bond_prob)
    slot = np.empty(len(b), dtype=np.int64)
    minus_compounded = np.empty((len(b), len(shares)), dtype=np.float32)
    m = visit_exponents(b, cust.visits_per_purchase, _log_kept(shares), slot, minus_compounded)
    if m:
        np.expm1(minus_compounded[:m], out=minus_compounded[:m])
    one_visit = _one_visit(shares)
    promise = market.by_firm("promise")
    u_bond = step.draws.service[2]
    # numpy applies a Python float in the array's own precision
    affect_gain, belonging_affect = felt.dtype.type(lc.affect_gain), p.belonging.dtype.type(lc.belonging_affect)

    def rule(rows: slice) -> None:
        relationships_after_purchases(
            rows.start, rows.stop, b, p.firm, p.experience, felt, p.belonging, p.spent, p.outcome, p.served,
            cust.visits_per_purchase, u_bond, one_visit, slot, minus_compounded,
            ex_cfg.adaptation, affect_gain, belonging_affect, rates, promise,
            cust.affect, cust.habit, cust.behaviour, cust.revenue, cust.satisfaction, cust.purchases,
            cust.rival_run, cust.expectation, cust.bond)

    market.blocks.map(rule, cust.n)


@functools.lru_cache(maxsize=16)
def _rates(unit: StepLength, affect_half_life: float, habit_half_life: float, behaviour_half_life: float,
           promise_half_life: float) -> np.ndarray:
    """What a step keeps of affect, habit, repeat behaviour and revenue, the
    repeat behaviour a visit adds and the pull of expectations toward the
    promises, as float32 (numpy's rounding of a Python float against float32
    columns)."""
    keep_behaviour = unit.kept(behaviour_half_life)
    return np.array([unit.kept(affect_half_life), unit.kept(habit_half_life), keep_behaviour,
                     1 - unit.dt,           # revenue: an annual sum, spend per step / dt in steady state
                     (1 - keep_behaviour) / unit.weeks,     # repeat behaviour: visits a week
                     # prospects' expectations are reset when they become aware, so pulling all is harmless
                     1 - unit.kept(promise_half_life)], dtype=np.float32)


@functools.lru_cache(maxsize=16)
def _log_kept(shares: tuple[float, ...]) -> np.ndarray:
    """``log1p(-min(share, 1))`` of each float32 share, by numpy as
    :func:`sim.units.compounded` computes it."""
    return np.log1p(-np.minimum(np.array(shares, dtype=np.float32), 1.0))


@functools.lru_cache(maxsize=16)
def _one_visit(shares: tuple[float, ...]) -> np.ndarray:
    """The shares of a purchase of one visit, float32 (read-only)."""
    out = np.array(shares, dtype=np.float32)
    out.flags.writeable = False
    return out


@compiled
def visit_exponents(buyers: np.ndarray, visits: np.ndarray, log_kept: np.ndarray,
                    slot: np.ndarray, exponents: np.ndarray) -> int:
    """For each purchase of several visits, in order, ``visits * log_kept``
    of each share into the next row of ``exponents`` (whose ``-expm1`` is
    the compounded share) and that row into ``slot``; -1 in ``slot`` for a
    purchase of one visit. Returns how many rows were written. The buyers
    must be in order (each customer buys at most once a visit round)."""
    m = 0
    for k in range(buyers.shape[0]):
        if k and buyers[k] <= buyers[k - 1]:
            raise ValueError("purchases must be in the order of their buyers")
        v = visits[buyers[k]]
        if v > 1:
            for j in range(log_kept.shape[0]):
                exponents[m, j] = v * log_kept[j]
            slot[k] = m
            m += 1
        else:
            slot[k] = -1
    return m


@compiled
def relationships_after_purchases(
        start: int, stop: int, buyers: np.ndarray, firm: np.ndarray, experience: np.ndarray,
        felt: np.ndarray, belonging: np.ndarray, spent: np.ndarray, outcome: np.ndarray,
        served: np.ndarray, visits: np.ndarray, u_bond: np.ndarray, shares: np.ndarray,
        slot: np.ndarray, minus_compounded: np.ndarray, adaptation: float, affect_gain: np.floating,
        belonging_affect: np.floating, rates: np.ndarray, promise: np.ndarray,
        affect: np.ndarray, habit: np.ndarray, behaviour: np.ndarray, revenue: np.ndarray,
        satisfaction: np.ndarray, purchases: np.ndarray, rival_run: np.ndarray,
        expectation: np.ndarray, bond: np.ndarray) -> None:
    """The step's change to the relationships of customers ``start..stop``,
    in the order the rule applies it to each: decay; for a buyer (sorted
    ``buyers``), the gains of the relationship bought from and the visits
    in a row at its rivals; the pull of expectations toward the promises;
    the bond to the employee who served a delighted buyer.

    ``rates`` (float32): the shares kept of affect, habit, repeat behaviour
    and revenue, the repeat behaviour a visit adds, the pull toward the
    promise. A share applied per visit is ``shares`` (habit, satisfaction,
    adaptation, bond) for a purchase of one visit, else minus its ``slot``
    row of ``minus_compounded`` (:func:`visit_exponents`, then numpy's
    ``expm1``). Each value is rounded as numpy rounds it on the columns,
    operation for operation (float32, or float64 where a purchase record is)."""
    n_firms = affect.shape[1]
    keep_affect, keep_habit, keep_behaviour, keep_revenue, per_visit, pull = rates
    one = np.float32(1.0)
    keep_expectation = one - pull
    run = _PULL_RUN_ROWS * n_firms
    pulled = np.empty(run, dtype=np.float32)       # the pull of a run of rows' cells
    for j in range(run):
        pulled[j] = pull * promise[j % n_firms]
    k = np.searchsorted(buyers, start)
    for first in range(start, stop, _CHUNK_ROWS):      # a chunk's rows stay in the cache through the three passes
        last = min(first + _CHUNK_ROWS, stop)
        lo, hi = first * n_firms, last * n_firms
        # decay: the chunk's cells as flat runs from 0, which the compiler vectorises
        decaying = (affect.reshape(-1)[lo:hi], habit.reshape(-1)[lo:hi], behaviour.reshape(-1)[lo:hi],
                    revenue.reshape(-1)[lo:hi])
        for j in range(hi - lo):
            decaying[0][j] *= keep_affect
            decaying[1][j] *= keep_habit
            decaying[2][j] *= keep_behaviour
            decaying[3][j] *= keep_revenue
        while k < buyers.shape[0] and buyers[k] < last:
            i, f = buyers[k], firm[k]
            v = visits[i]
            s = slot[k]
            if s >= 0:
                c_habit, c_satisfaction = -minus_compounded[s, _HABIT], -minus_compounded[s, _SATISFACTION]
                c_adaptation, c_bond = -minus_compounded[s, _ADAPTATION], -minus_compounded[s, _BOND]
            else:
                c_habit, c_satisfaction = shares[_HABIT], shares[_SATISFACTION]
                c_adaptation, c_bond = shares[_ADAPTATION], shares[_BOND]
            # the visits after the first find an expectation already moved toward the
            # experience, so each is felt less: over k visits the felt value adds up to
            # (1 - (1 - adaptation) ** k) / adaptation times one visit's (sim.units.felt_over_visits)
            felt_visits = c_adaptation / np.float32(adaptation) if adaptation > 0 else v
            gain = affect[i, f] + affect_gain * felt[k] * felt_visits + belonging_affect * belonging[k] * v
            if gain < 0:
                gain = 0
            elif gain > 1:
                gain = 1
            affect[i, f] = gain
            habit[i, f] += c_habit * (one - habit[i, f])
            behaviour[i, f] += per_visit * v
            revenue[i, f] += spent[k]
            satisfaction[i, f] += c_satisfaction * (felt[k] - satisfaction[i, f])
            count = np.int64(np.rint(v))
            purchases[i, f] = min(np.int64(purchases[i, f]) + count, COUNT_CAP)
            for g in range(n_firms):
                rival_run[i, g] = min(np.int64(rival_run[i, g]) + count, COUNT_CAP)
            rival_run[i, f] = 0
            expectation[i, f] += c_adaptation * (experience[k] - expectation[i, f])
            if outcome[k] > 0 and served[k] >= 0 and u_bond[i] < c_bond:
                bond[i] = served[k]
            k += 1
        # toward the promises: the cells in runs of whole rows against the
        # pull of each cell's firm (vectorised as the decay)
        cells = expectation.reshape(-1)[lo:hi]
        for begin in range(0, hi - lo, run):
            part = cells[begin:begin + run]
            for j in range(part.shape[0]):
                part[j] = part[j] * keep_expectation + pulled[j]
