"""Loyalty latents: affect, inertia, cumulative satisfaction, repeat
behaviour, unrecovered incidents and expectations of every relationship
(Oliver 1999; Dick & Basu 1994; Bolton 1998; Guadagni & Little 1983)."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import numpy as np

from agents.customers import COUNT_CAP
from agents.compiled import Real, compiled, inlined
from sim.records import required
from sim.units import StepLength

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import LoyaltyModel
    from sim.records import StepRecord

#: the shares a purchase applies once per visit (sim.units.compounded), in
#: the order :func:`relationships_after_purchases` reads them
_INERTIA, _ADAPTATION, _BOND = range(3)
#: customers in a run of the pull toward the promises (a multiple of the firms, a few SIMD registers)
_PULL_RUN_ROWS = 64
#: customers in a chunk of a block: the relationships of a chunk fit in the processor's L2 cache
_CHUNK_ROWS = 2048


def loyalty_latents(market: "LoyaltyModel", step: "StepRecord") -> None:
    """Every relationship's affect and repeat behaviour decay a little, and
    an unrecovered incident fades; the relationships bought from this step
    gain affect from the transaction satisfaction (above or below the
    middle of the zone) and the belonging, their cumulative satisfaction
    moves toward it (the first visits averaged, then with a fixed weight:
    Bolton 1998), the buyer's inertia moves toward the firm chosen (Guadagni
    & Little 1983), a failed visit not put right quickly by a resolved
    complaint marks an incident (TARP 1986: unresolved and slowly resolved
    problems drive defection), and the expectation moves toward the experience
    (adaptation level; Helson 1964). Expectations are pulled toward the
    firms' promises. A delighted buyer may bond with the employee who
    served them (Gremler & Gwinner 2000)."""
    cust, cfg, p = market.customers, market.config, required(step.purchases, "step.purchases")
    lc, ex_cfg = cfg.loyalty, cfg.expectation
    b, felt = p.buyers, required(p.felt, "purchases.felt")
    belonging = required(p.belonging, "purchases.belonging")
    unit = market.step_length
    rates = _rates(
        unit,
        lc.affect_half_life_weeks,
        cfg.churn.incident_half_life_weeks,
        lc.repeat_rate_half_life_weeks,
        ex_cfg.promise_half_life_weeks,
    )
    # a purchase holds the step's visits: gains add up over them, shares
    # compound (sim.units.compounded: -expm1(visits * log1p(-share)) for a
    # purchase of several visits), with numpy's expm1 as there
    shares = (lc.inertia_smoothing, ex_cfg.adaptation, cfg.staff.bond_prob)
    slot = np.empty(len(b), dtype=np.int64)
    minus_compounded = np.empty((len(b), len(shares)), dtype=np.float32)
    m = visit_exponents(b, cust.visits_per_purchase, _log_kept(shares), slot, minus_compounded)
    if m:
        np.expm1(minus_compounded[:m], out=minus_compounded[:m])
    one_visit = _one_visit(shares)
    promise = market.by_firm("promise")
    u_bond = required(step.draws, "step.draws").service[2]
    none = np.zeros(len(b), dtype=np.bool_)
    complained = p.complained if p.complained is not None else none
    resolved = p.resolved if p.resolved is not None else none
    quick = p.quick if p.quick is not None else none
    slow_mark = np.float32(cfg.complaints.slow_incident)
    # numpy applies a Python float in the array's own precision
    affect_gain, belonging_affect = felt.dtype.type(lc.affect_gain), belonging.dtype.type(lc.belonging_affect)
    affect_neutral = felt.dtype.type(lc.affect_neutral)
    deal_affect = felt.dtype.type(lc.deal_acquired_affect)
    experience, spent = required(p.experience, "purchases.experience"), required(p.spent, "purchases.spent")
    outcome, failed = required(p.outcome, "purchases.outcome"), required(p.failed, "purchases.failed")
    discount, served = required(p.discount, "purchases.discount"), required(p.served, "purchases.served")

    def rule(rows: slice) -> None:
        relationships_after_purchases(
            rows.start,
            rows.stop,
            b,
            p.firm,
            experience,
            felt,
            belonging,
            spent,
            outcome,
            failed,
            complained,
            resolved,
            quick,
            slow_mark,
            discount,
            deal_affect,
            served,
            cust.visits_per_purchase,
            u_bond,
            one_visit,
            slot,
            minus_compounded,
            affect_gain,
            affect_neutral,
            belonging_affect,
            np.float64(lc.satisfaction_memory),
            rates,
            promise,
            cust.affect,
            cust.inertia,
            cust.behaviour,
            cust.revenue,
            cust.satisfaction,
            cust.purchases,
            cust.rival_run,
            cust.expectation,
            cust.incident,
            cust.bond,
            cust.last_purchase,
            cust.acquisition_discount,
            market.t,
        )

    market.blocks.map(rule, cust.n)


@functools.lru_cache(maxsize=16)
def _rates(
    unit: StepLength,
    affect_half_life: float,
    incident_half_life: float,
    behaviour_half_life: float,
    promise_half_life: float,
) -> np.ndarray:
    """What a step keeps of affect, an incident's mark, repeat behaviour
    and revenue, the repeat behaviour a visit adds and the pull of
    expectations toward the promises, as float32 (numpy's rounding of a
    Python float against float32 columns)."""
    keep_behaviour = unit.kept(behaviour_half_life)
    return np.array(
        [
            unit.kept(affect_half_life),
            unit.kept(incident_half_life),
            keep_behaviour,
            1 - unit.dt,  # revenue: an annual sum, spend per step / dt in steady state
            (1 - keep_behaviour) / unit.weeks,  # repeat behaviour: visits a week
            # prospects' expectations are reset when they become aware, so pulling all is harmless
            1 - unit.kept(promise_half_life),
        ],
        dtype=np.float32,
    )


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
def visit_exponents(
    buyers: np.ndarray, visits: np.ndarray, log_kept: np.ndarray, slot: np.ndarray, exponents: np.ndarray
) -> int:
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


@inlined
def deal_acquired_gain(gain: Real, acquisition_discount: Real, deal_affect: Real) -> Real:
    """The affect a relationship gains from a purchase's ``gain``, if it was
    acquired at ``acquisition_discount`` off the list price: a gain loses
    ``deal_affect`` of itself per unit of the discount (at most all of it);
    a loss counts in full. Customers won by a deal credit the deal, not the
    firm (Dodson, Tybout & Sternthal 1978, 'Impact of deals and deal
    retraction on brand switching'; Lewis 2006, 'Customer acquisition
    promotions and customer asset value')."""
    if gain <= 0:
        return gain
    kept = 1 - deal_affect * acquisition_discount
    return gain * kept if kept > 0 else gain * 0


@compiled
def relationships_after_purchases(
    start: int,
    stop: int,
    buyers: np.ndarray,
    firm: np.ndarray,
    experience: np.ndarray,
    felt: np.ndarray,
    belonging: np.ndarray,
    spent: np.ndarray,
    outcome: np.ndarray,
    failed: np.ndarray,
    complained: np.ndarray,
    resolved: np.ndarray,
    quick: np.ndarray,
    slow_mark: np.float32,
    discount: np.ndarray,
    deal_affect: np.floating,
    served: np.ndarray,
    visits: np.ndarray,
    u_bond: np.ndarray,
    shares: np.ndarray,
    slot: np.ndarray,
    minus_compounded: np.ndarray,
    affect_gain: np.floating,
    affect_neutral: np.floating,
    belonging_affect: np.floating,
    satisfaction_floor: float,
    rates: np.ndarray,
    promise: np.ndarray,
    affect: np.ndarray,
    inertia: np.ndarray,
    behaviour: np.ndarray,
    revenue: np.ndarray,
    satisfaction: np.ndarray,
    purchases: np.ndarray,
    rival_run: np.ndarray,
    expectation: np.ndarray,
    incident: np.ndarray,
    bond: np.ndarray,
    last_purchase: np.ndarray,
    acquisition_discount: np.ndarray,
    t: int,
) -> None:
    """The step's change to the relationships of customers ``start..stop``,
    in the order the rule applies it to each: decay; for a buyer (sorted
    ``buyers``), the changes to the relationship bought from, the buyer's
    inertia and the visits in a row at its rivals; the pull of expectations
    toward the promises; the bond to the employee who served a delighted
    buyer.

    ``rates`` (float32): the shares kept of affect, an incident's mark,
    repeat behaviour and revenue, the repeat behaviour a visit adds, the
    pull toward the promise. A share applied per visit is ``shares``
    (inertia, adaptation, bond) for a purchase of one visit, else minus its
    ``slot`` row of ``minus_compounded`` (:func:`visit_exponents`, then
    numpy's ``expm1``). Cumulative satisfaction moves toward the transaction
    satisfaction by ``max(satisfaction_floor, 1 / (1 + visits so far))``
    per visit, compounded over the purchase's visits. A failed visit marks
    an incident: fully if no complaint about it was resolved, ``slow_mark``
    if one was resolved slowly, not at all if quickly. The step ``t`` is
    kept as the relationship's last purchase. A relationship's first
    purchase keeps its ``discount`` off the list price as the discount the
    relationship was acquired at, and a relationship so acquired forgoes
    ``deal_affect`` of its affect gains per unit of it (at most all:
    :func:`deal_acquired_gain`; Lewis 2006)."""
    n_firms = affect.shape[1]
    keep_affect, keep_incident, keep_behaviour, keep_revenue, per_visit, pull = rates
    one = np.float32(1.0)
    keep_expectation = one - pull
    run = _PULL_RUN_ROWS * n_firms
    pulled = np.empty(run, dtype=np.float32)  # the pull of a run of rows' cells
    for j in range(run):
        pulled[j] = pull * promise[j % n_firms]
    k = np.searchsorted(buyers, start)
    for first in range(start, stop, _CHUNK_ROWS):  # a chunk's rows stay in the cache through the three passes
        last = min(first + _CHUNK_ROWS, stop)
        lo, hi = first * n_firms, last * n_firms
        # decay: the chunk's cells as flat runs from 0, which the compiler vectorises
        decaying = (
            affect.reshape(-1)[lo:hi],
            incident.reshape(-1)[lo:hi],
            behaviour.reshape(-1)[lo:hi],
            revenue.reshape(-1)[lo:hi],
        )
        for j in range(hi - lo):
            decaying[0][j] *= keep_affect
            decaying[1][j] *= keep_incident
            decaying[2][j] *= keep_behaviour
            decaying[3][j] *= keep_revenue
        while k < buyers.shape[0] and buyers[k] < last:
            i, f = buyers[k], firm[k]
            v = visits[i]
            s = slot[k]
            if s >= 0:
                c_inertia = -minus_compounded[s, _INERTIA]
                c_adaptation, c_bond = -minus_compounded[s, _ADAPTATION], -minus_compounded[s, _BOND]
            else:
                c_inertia, c_adaptation, c_bond = shares[_INERTIA], shares[_ADAPTATION], shares[_BOND]
            if purchases[i, f] == 0:
                acquisition_discount[i, f] = discount[k]
            delta = affect_gain * (felt[k] - affect_neutral) * v + belonging_affect * belonging[k] * v
            gain = affect[i, f] + deal_acquired_gain(delta, acquisition_discount[i, f], deal_affect)
            if gain < 0:
                gain = 0
            elif gain > 1:
                gain = 1
            affect[i, f] = gain
            for g in range(n_firms):
                inertia[i, g] -= c_inertia * inertia[i, g]
            inertia[i, f] += c_inertia
            behaviour[i, f] += per_visit * v
            revenue[i, f] += spent[k]
            weight = max(satisfaction_floor, 1.0 / (1.0 + np.float64(purchases[i, f])))
            c_satisfaction = 1.0 - (1.0 - weight) ** np.float64(v)
            satisfaction[i, f] += np.float32(c_satisfaction) * (felt[k] - satisfaction[i, f])
            if failed[k]:
                mark = np.float32(0.0) if quick[k] else (slow_mark if resolved[k] else one)
                if mark > incident[i, f]:
                    incident[i, f] = mark
            count = np.int64(np.rint(v))
            purchases[i, f] = min(np.int64(purchases[i, f]) + count, COUNT_CAP)
            for g in range(n_firms):
                rival_run[i, g] = min(np.int64(rival_run[i, g]) + count, COUNT_CAP)
            rival_run[i, f] = 0
            last_purchase[i, f] = t
            expectation[i, f] += c_adaptation * (experience[k] - expectation[i, f])
            if outcome[k] > 0 and served[k] >= 0 and u_bond[i] < c_bond:
                bond[i] = served[k]
            k += 1
        # toward the promises: the cells in runs of whole rows against the
        # pull of each cell's firm (vectorised as the decay)
        cells = expectation.reshape(-1)[lo:hi]
        for begin in range(0, hi - lo, run):
            part = cells[begin : begin + run]
            for j in range(part.shape[0]):
                part[j] = part[j] * keep_expectation + pulled[j]
