"""Relationships that end, and customers who leave the category (Reichheld
1996: firms lose 20-40% of customers a year; Fader & Hardie 2007)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim import hazard
from sim.records import required
from agents.compiled import compiled, inlined
from agents.states import LoyaltyState as S

PROSPECT, AWARE, FIRST_TIME, CHURNED = int(S.PROSPECT), int(S.AWARE), int(S.FIRST_TIME), int(S.CHURNED)
AT_RISK, WON_BACK = int(S.AT_RISK), int(S.WON_BACK)
_EVEN = hazard.EVEN_BELIEF
#: what the rule reads while no firm refuses anyone
_NOBODY_REFUSED = np.zeros((0, 0), dtype=np.bool_)

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import LoyaltyModel
    from sim.records import StepRecord


@inlined
def _count_against_cohort(cohort_lost: np.ndarray, f: int, c: int) -> None:
    """A loss of firm ``f`` counted against its cohort ``c`` (none for a
    relationship acquired before the reported horizon, ``c`` < 0)."""
    if c >= 0:
        if c >= cohort_lost.shape[1]:
            raise IndexError("a cohort beyond the cohorts counted")
        cohort_lost[f, c] += 1


@inlined
def _ending_chance(
    proneness: float,
    satisfaction: float,
    switching: float,
    cognition: float,
    incident: float,
    bonded: bool,
    tenure_years: float,
    state: int,
    acquisition_discount: float,
    coefficients: np.ndarray,
    dt: float,
) -> float:
    """A relationship's chance of ending within ``dt`` years
    (:func:`sim.hazard.annual_hazard`, float64). ``coefficients``:
    :func:`sim.hazard.hazard_coefficients`."""
    (
        sat_hazard,
        sat_reference,
        dissatisfied_ratio,
        incident_hazard,
        switching_hazard,
        bond_ratio,
        rival_hazard,
        tenure_hazard,
        at_risk_ratio,
        won_back_ratio,
        deal_hazard,
    ) = coefficients
    x = (
        -sat_hazard * max(satisfaction - sat_reference, 0.0)
        - switching_hazard * switching
        + rival_hazard * (_EVEN - cognition)
        + deal_hazard * acquisition_discount
    )
    h = proneness * np.exp(x) * (1.0 + incident_hazard * incident)
    if satisfaction < 0:
        h *= dissatisfied_ratio
    if bonded:
        h *= bond_ratio
    if tenure_hazard > 0:
        h *= (1.0 + tenure_years) ** -tenure_hazard
    if state == AT_RISK:
        h *= at_risk_ratio
    elif state == WON_BACK:
        h *= won_back_ratio
    chance: float = -np.expm1(-h * dt)
    return chance


@compiled
def _end_relationships(
    start: int,
    stop: int,
    buyers: np.ndarray,
    firm: np.ndarray,
    leaves: np.ndarray,
    dropout: np.ndarray,
    visits: np.ndarray,
    proneness: np.ndarray,
    satisfaction: np.ndarray,
    switching: np.ndarray,
    cognition: np.ndarray,
    incident: np.ndarray,
    acquisition_discount: np.ndarray,
    bond: np.ndarray,
    staff_firm: np.ndarray,
    since: np.ndarray,
    t: int,
    years_per_step: float,
    coefficients: np.ndarray,
    dt: float,
    u_churn: np.ndarray,
    state: np.ndarray,
    reconsidered: np.ndarray,
    dropped_out: np.ndarray,
    expectation: np.ndarray,
    purchases: np.ndarray,
    cohort: np.ndarray,
    expectation_drop: np.float32,
    exclusive: bool,
    dropout_final: bool,
    after_first: bool,
    refusal: np.ndarray,
    lost: np.ndarray,
    cohort_lost: np.ndarray,
) -> None:
    """The current relationships of customers ``start..stop`` that end this
    visit round: each by the relationship hazard, the one bought from also
    by quiet dropout after the purchase's visits (``1 - (1 - dropout) **
    visits``; not after the relationship's first purchase, whose visits are
    all its ``purchases`` so far, unless ``after_first``); one ``churn``
    draw per customer decides which, if any (the chances laid end to end,
    each relationship's hazard before its dropout: at most one relationship
    of a customer ends in a round). A buyer who decided after a complaint
    to leave the firm (``leaves``, aligned with the purchases:
    :mod:`sim.recovery`) ends the relationship bought from whatever their
    ``churn`` draw, and no other. A relationship ended by dropout is
    ``dropped_out`` for good when ``dropout_final``. In a market of
    ``exclusive`` relationships (contracts), a
    purchase also ends the customer's relationships with the other firms;
    a firm that refuses the customer (``refusal``, empty while no firm
    refuses anyone: customer pruning) ends its relationship with them.
    An ended relationship churns and leaves the consideration
    set, its expectation drops (not below 0) and its visit count restarts;
    each firm's losses and its cohorts' are counted (``lost``, ``[firms]``,
    and ``cohort_lost``, ``[firms, cohorts]``: this block's counts)."""
    n_firms = state.shape[1]
    refusing = refusal.shape[0] > 0
    k = np.searchsorted(buyers, start)
    for i in range(start, stop):
        quiet_firm, quiet, leaving = -1, 0.0, False
        while k < buyers.shape[0] and buyers[k] < i:
            k += 1
        if k < buyers.shape[0] and buyers[k] == i:
            quiet_firm = firm[k]
            quiet = 1.0 - (1.0 - np.float64(dropout[i])) ** np.float64(visits[i])
            leaving = leaves[k]
        bonded_firm = staff_firm[bond[i]] if bond[i] >= 0 else -1
        u = u_churn[i]
        reach = 0.0
        ended = -1
        quietly = False
        for f in range(n_firms):
            s = state[i, f]
            if s < FIRST_TIME or s == CHURNED:
                continue
            tenure = (t - since[i, f]) * years_per_step if since[i, f] >= 0 else 0.0
            chance = _ending_chance(
                np.float64(proneness[i]),
                np.float64(satisfaction[i, f]),
                np.float64(switching[i, f]),
                np.float64(cognition[i, f]),
                np.float64(incident[i, f]),
                bonded_firm == f,
                tenure,
                s,
                np.float64(acquisition_discount[i, f]),
                coefficients,
                dt,
            )
            by_hazard = chance
            if f == quiet_firm and (after_first or np.float64(purchases[i, f]) > np.rint(np.float64(visits[i]))):
                chance = 1.0 - (1.0 - chance) * (1.0 - quiet)
            if ended < 0 and u < reach + chance:
                ended = f
                quietly = u >= reach + by_hazard
            reach += chance
        if leaving and state[i, quiet_firm] >= FIRST_TIME and state[i, quiet_firm] != CHURNED:
            ended, quietly = quiet_firm, False  # the complainant's decision, on top of the hazard
        if ended >= 0 and quietly and dropout_final:
            dropped_out[i, ended] = True
        for f in range(n_firms):
            current = state[i, f] >= FIRST_TIME and state[i, f] != CHURNED
            switched = exclusive and quiet_firm >= 0 and f != quiet_firm
            turned_away = refusing and refusal[i, f]
            if f == ended or (current and (switched or turned_away)):
                state[i, f] = CHURNED
                reconsidered[i, f] = False
                e = expectation[i, f] - expectation_drop
                expectation[i, f] = np.float32(0.0) if e < 0 else e
                purchases[i, f] = 0
                lost[f] += 1
                _count_against_cohort(cohort_lost, f, cohort[i, f])


@compiled
def _leave_category(
    u_exit: np.ndarray,
    exit_chance: np.ndarray,
    state: np.ndarray,
    cohort: np.ndarray,
    lost: np.ndarray,
    exits: np.ndarray,
    cohort_lost: np.ndarray,
    rows: np.ndarray,
) -> int:
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
                    _count_against_cohort(cohort_lost, f, cohort[i, f])
    if k:
        for f in range(F):
            lost[f] += count[f]
        for f in range(F):
            exits[f] += count[f]
    return k


def defections(market: "LoyaltyModel", step: "StepRecord") -> None:
    """Relationships end by the relationship hazard, and quietly after a
    purchase (a visit round's, in a step of several rounds), and where a
    complainant decided to leave (:mod:`sim.recovery`): a row-wise
    compiled rule over the customers (:func:`_end_relationships`; the
    hazard: :mod:`sim.hazard`). Leaving the category is separate
    (:func:`leaving_the_category`)."""
    cust, cfg, ev = market.customers, market.config, step.events
    p, lat = required(step.purchases, "step.purchases"), required(step.latents, "step.latents")
    draws = required(step.draws, "step.draws")
    coefficients = hazard.hazard_coefficients(cfg.churn)
    unit = market.step_length
    staff_firm = market.staff.firm
    drop = np.float32(cfg.churn.defect_expectation_drop)

    leaves = p.leaves if p.leaves is not None else np.zeros(len(p.buyers), dtype=np.bool_)
    cohorts = market.cohorts
    refusal = market.modifiers.refusal.values
    refusal = _NOBODY_REFUSED if refusal is None else refusal

    def rule(rows: slice) -> tuple[np.ndarray, np.ndarray]:
        lost = np.zeros(market.n_firms, dtype=np.int64)
        cohort_lost = np.zeros_like(cohorts.lost)
        _end_relationships(
            rows.start,
            rows.stop,
            p.buyers,
            p.firm,
            leaves,
            cust.dropout,
            cust.visits_per_purchase,
            cust.churn_proneness,
            cust.satisfaction,
            lat.switching,
            lat.cognitive,
            cust.incident,
            cust.acquisition_discount,
            cust.bond,
            staff_firm,
            cust.since,
            market.t,
            1.0 / cfg.steps_per_year,
            coefficients,
            unit.dt,
            draws.churn,
            cust.state,
            cust.reconsidered,
            cust.dropped_out,
            cust.expectation,
            cust.purchases,
            cust.cohort,
            drop,
            cfg.churn.exclusive_relationships,
            cfg.customers.dropout_final,
            cfg.customers.dropout_after_first_purchase,
            refusal,
            lost,
            cohort_lost,
        )
        return lost, cohort_lost

    for lost, cohort_lost in market.blocks.map(rule, cust.n):
        ev.lost += lost
        cohorts.lost += cohort_lost


def leaving_the_category(market: "LoyaltyModel", step: "StepRecord") -> None:
    """Some customers leave the category, at their exit rate, and are
    replaced by new prospects: one compiled pass over the customers
    (:func:`_leave_category`)."""
    cust, ev = market.customers, step.events
    leavers = np.empty(cust.n, dtype=np.int64)
    k = _leave_category(
        required(step.draws, "step.draws").exit,
        cust.exit_chance,
        cust.state,
        cust.cohort,
        ev.lost,
        ev.exits,
        market.cohorts.lost,
        leavers,
    )
    step.replaced = leavers[:k]
    if k:
        replace_leavers(market, step.replaced)


def replace_leavers(market: "LoyaltyModel", rows: np.ndarray) -> None:
    """New prospects move in where customers left the category: the next
    newcomers' traits (:class:`agents.newcomers.Newcomers`, drawn ahead from
    the ``newcomers`` stream), neutral modifiers, and awareness of some of
    the firms present, which they consider."""
    cust, cfg = market.customers, market.config
    traits, u_aware = market.newcomers.take(len(rows), cfg.customers, market.step_length, market.segments())
    cust.replace(rows, traits)
    market.modifiers.reset(rows)
    _newcomers_aware(
        rows,
        u_aware,
        np.float32(cfg.customers.newcomer_awareness),
        market.present,
        market.by_firm("promise"),
        cust.state,
        cust.expectation,
        cust.reconsidered,
    )


@compiled
def _newcomers_aware(
    rows: np.ndarray,
    u_aware: np.ndarray,
    awareness: np.float32,
    present: np.ndarray,
    promise: np.ndarray,
    state: np.ndarray,
    expectation: np.ndarray,
    reconsidered: np.ndarray,
) -> None:
    """A newcomer (row ``rows[j]``) is aware of each firm present whose draw
    ``u_aware[j, f]`` is below ``awareness``, expecting what it promises
    and considering it; a prospect expecting nothing of the others."""
    for j in range(len(rows)):
        i = rows[j]
        for f in range(state.shape[1]):
            if u_aware[j, f] < awareness and present[f]:
                state[i, f] = AWARE
                expectation[i, f] = promise[f]
                reconsidered[i, f] = True
            else:
                state[i, f] = PROSPECT
                expectation[i, f] = 0
