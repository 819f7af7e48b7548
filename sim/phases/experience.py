"""What each buyer experiences at the chosen firm: service, quality, price
fairness and belonging, weighted by what the customer cares about."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from agents.staff import serving_position
from sim import experience as ex
from sim.loyalty_economics import BASKET, SERVING_LOAD, state_factors
from agents.compiled import Real, compiled, inlined
from sim.modifiers import Modifier
from sim.records import required
from sim.units import compounded

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import LoyaltyModel
    from sim.records import StepRecord

#: an unset modifier, passed to the compiled rule as an empty array (neutral)
_UNSET = np.empty(0, dtype=np.float32)


def experience(market: "LoyaltyModel", step: "StepRecord") -> None:
    """A buyer is served by a random employee of the firm, or by the employee
    they are bonded to (Gremler & Gwinner 2000: rapport); service is the
    employee's level and day-to-day spread, quality may fail, the price paid
    is judged against the reference price (Kalyanaraman & Winer 1995), and
    belonging comes from the firm, the bond and any club. Revenue, cost of
    goods, the cost of serving and visits are booked. A purchase holds all
    the visit round's visits of the buyer (``visits_per_purchase``; a round
    is the step unless a long step makes its visits in rounds), so its basket
    and the staff time it takes count them, and its experience is their mean
    (:mod:`sim.experience`: the rules, which :func:`purchase_experiences`
    applies to all purchases in one compiled pass)."""
    cust, cfg, staff, mods = market.customers, market.config, market.staff, market.modifiers
    F, ev, ecfg = market.n_firms, step.events, cfg.experience
    p, draws = required(step.purchases, "step.purchases"), required(step.draws, "step.draws")
    b, c = p.buyers, p.firm
    visits = cust.visits_per_purchase[b]
    quality = market.by_firm("quality")
    p_fail = compounded(
        market.firm_rule(
            ex.failure_probability_at,
            "quality",
            np.float32,
            ecfg.failure_rate_at_zero_quality,
            ecfg.failure_quality_exponent,
        )[c],
        visits,
    )
    adapt = compounded(cfg.customers.reference_price_adaptation, visits)
    regular_weight = np.float32(cfg.customers.reference_regular_weight)

    def at(modifier: Modifier) -> np.ndarray:
        return modifier.at(b, c) if modifier.in_use else _UNSET

    roster = required(step.staff, "step.staff").roster
    n = len(b)
    served, own = np.empty(n, np.int64), np.empty(n, np.bool_)
    service, failed = np.empty(n, np.float32), np.empty(n, np.bool_)
    experienced, belonging, spent = np.empty(n, np.float32), np.empty(n, np.float64), np.empty(n, np.float64)
    drop, cell, discount = np.empty(n, np.float64), np.empty(n, np.int64), np.empty(n, np.float32)
    sums = np.zeros((9, F), np.float64)
    purchases = np.zeros(F, np.int64)
    purchase_experiences(
        b,
        c,
        visits,
        draws.service[0],
        draws.service[1],
        draws.service_noise,
        cust.bond,
        np.float32(cfg.staff.bond_service_prob),
        staff.firm,
        staff.employed,
        staff.service_level,
        staff.service_spread,
        roster.positions,
        roster.start,
        roster.counts,
        roster.edges,
        at(mods.service_bonus),
        p_fail,
        draws.experience,
        draws.experience_noise,
        quality,
        np.float32(ecfg.quality_noise),
        ecfg.failure_shock,
        np.float32(1.0 - ecfg.service_offset_after_failure),
        market.price,
        at(mods.price_factor),
        cust.reference_price,
        ecfg.fairness_loss_slope,
        ecfg.fairness_gain_slope,
        market.by_firm("belonging"),
        ecfg.bond_belonging,
        at(mods.belonging_bonus),
        cust.weights,
        cust.spend,
        market.by_firm("basket_multiplier"),
        at(mods.basket_factor),
        market.by_firm("unit_cost", np.float64),
        adapt,
        market.by_firm("price"),
        regular_weight,
        cust.state,
        state_factors(cfg.loyalty),
        served,
        own,
        service,
        failed,
        experienced,
        belonging,
        spent,
        drop,
        sums,
        purchases,
        F,
        cell,
        discount,
    )
    revenue, cost_of_goods, visit_sum, failures, service_sum, service_sq, staff_load, at_list, unlifted = sums
    market.ledger.add_revenue(revenue)
    ev.purchase_revenue += revenue
    ev.list_revenue += at_list
    ev.unlifted_list_revenue += unlifted
    market.ledger.book(slice(None), "cost_of_goods", cost_of_goods)
    step.visits = staff_load  # the staff's visits, a round's (sim.model sums a step's rounds)
    market.ledger.book(slice(None), "serving", staff_load * market.by_firm("cost_per_visit", np.float64))
    ev.visits += visit_sum
    ev.purchases += purchases  # purchases: a long step's purchase holds several visits
    ev.failures += failures
    ev.service_sum += service_sum  # per visit
    ev.service_sq += service_sq
    p.experience = experienced
    p.cell = cell  # each purchase's relationship in flat [n, firms] arrays
    p.served, p.own_employee, p.failed, p.service = served, own, failed, service
    p.belonging, p.spent, p.visits = belonging, spent, visits
    p.failure_drop = drop
    p.discount = discount


@inlined
def remembered_price(paid: Real, regular: Real, regular_weight: Real) -> Real:
    """What a purchase moves the buyer's reference price toward: the price
    paid, pulled toward the firm's regular (list) price by ``regular_weight``
    (``customers.reference_regular_weight``): buyers remember the regular
    price, so a discount lowers their reference price but not all the way
    (Kalwani, Yim, Rinne & Sugita 1990, 'A price expectations model of
    customer brand choice'; Mazumdar, Raj & Sinha 2005, 'Reference price
    research: review and propositions')."""
    return paid + regular_weight * (regular - paid)


@inlined
def discount_off_list(paid: Real, regular: Real) -> Real:
    """The share off the firm's list price that a buyer paid, 0 at the list
    price or above (what marks a relationship begun under a deal: Lewis 2006,
    'Customer acquisition promotions and customer asset value')."""
    if not regular > 0.0:  # a list price of 0 (a float32 underflow): nothing off it
        return 0.0
    cut = 1.0 - paid / regular
    return cut if cut > 0.0 else 0.0


@compiled
def purchase_experiences(
    b: np.ndarray,
    c: np.ndarray,
    visits: np.ndarray,
    u_server: np.ndarray,
    u_bond: np.ndarray,
    z_service: np.ndarray,
    bond: np.ndarray,
    bond_service_prob: Real,
    staff_firm: np.ndarray,
    employed: np.ndarray,
    service_level: np.ndarray,
    service_spread: np.ndarray,
    positions: np.ndarray,
    start: np.ndarray,
    count: np.ndarray,
    edges: np.ndarray,
    service_bonus: np.ndarray,
    p_fail: np.ndarray,
    u_fail: np.ndarray,
    z_quality: np.ndarray,
    quality: np.ndarray,
    quality_noise: Real,
    failure_shock: Real,
    failure_service_loss: Real,
    price: np.ndarray,
    price_factor: np.ndarray,
    reference_price: np.ndarray,
    loss_slope: Real,
    gain_slope: Real,
    firm_belonging: np.ndarray,
    bond_belonging: Real,
    belonging_bonus: np.ndarray,
    weights: np.ndarray,
    spend: np.ndarray,
    basket_multiplier: np.ndarray,
    basket_factor: np.ndarray,
    unit_cost: np.ndarray,
    adapt: np.ndarray,
    list_price: np.ndarray,
    regular_weight: Real,
    state: np.ndarray,
    factors: np.ndarray,
    served: np.ndarray,
    own: np.ndarray,
    service: np.ndarray,
    failed: np.ndarray,
    experienced: np.ndarray,
    belonging: np.ndarray,
    spent: np.ndarray,
    drop: np.ndarray,
    sums: np.ndarray,
    purchases: np.ndarray,
    n_firms: int,
    cell: np.ndarray,
    discount: np.ndarray,
) -> None:
    """Every purchase's experience and takings, in purchase order (the sums
    per firm add up in that order, as ``np.bincount`` does). The rules of
    :mod:`sim.experience` (:func:`~sim.experience.delivered_service`,
    :func:`~sim.experience.quality_score`, :func:`~sim.experience.service_score`,
    :func:`~sim.experience.price_fairness`, :func:`~sim.experience.overall`),
    the server drawn in proportion to hours (:func:`agents.staff.serving_position`),
    the reference price moving toward the price paid, pulled toward the
    firm's list price by ``regular_weight`` (:func:`remembered_price`),
    with numpy's float32
    and float64 arithmetic kept operation for operation (the results equal
    the array code's exactly). Sums per firm: revenue, cost of goods, visits,
    failures, service and squared service per visit, and the staff's load
    in visits (a loyal relationship's visit takes less: ``factors``,
    :func:`sim.loyalty_economics.state_factors`, by the relationship's
    ``state``, which also scales its basket) (a purchase of ``k``
    visits holds their mean service; the squares add the visits' expected
    spread around it, ``(k - 1)`` times the employee's spread squared, so the
    step table's spread of service is per visit in steps of any length).
    ``drop``:
    :func:`~sim.experience.failure_drop`. ``cell``: each purchase's
    relationship in flat ``[n, n_firms]`` arrays, ``buyer * n_firms + firm``.
    ``discount``: each purchase's share off the firm's list price (0 at the
    list price, :func:`discount_off_list`)."""
    for j in range(len(b)):
        i, f = b[j], c[j]
        k = visits[j]
        who = serving_position(f, u_server[i], positions, start, count, edges)
        tie = bond[i]
        mine = tie >= 0 and u_bond[i] < bond_service_prob and staff_firm[max(tie, 0)] == f and employed[max(tie, 0)]
        if mine:
            who = tie
        level = service_level[who] if who >= 0 else np.float32(0.0)
        spread = service_spread[who] if who >= 0 else np.float32(0.0)
        if len(service_bonus):
            level = level + service_bonus[j]
        over_visits = np.float32(1.0) / np.float32(np.sqrt(k))
        svc = np.float32(min(max(level + spread * z_service[i] * over_visits, np.float32(0.0)), np.float32(1.0)))
        fail = u_fail[i] < p_fail[j]
        x_q = (quality[f] + quality_noise * z_quality[i] * over_visits) - failure_shock * fail / np.float64(k)
        x_s = svc - np.float32(fail) * (failure_service_loss * svc / k)
        paid = price[f] * price_factor[j] if len(price_factor) else price[f]
        ref = reference_price[i]
        rel = (paid - ref) / ref
        x_p = min(max(0.5 - (loss_slope if rel > 0 else gain_slope) * rel, 0.0), 1.0)
        x_b = firm_belonging[f] + bond_belonging * mine
        if len(belonging_bonus):
            x_b = x_b + belonging_bonus[j]
        x_b = min(max(x_b, 0.0), 1.0)
        w = weights[i]
        experienced[j] = np.float32(w[0] * x_p + w[1] * x_q + w[2] * x_s + w[3] * x_b)
        s = state[i, f]
        basket = spend[i] * k * basket_multiplier[f] * factors[BASKET, s]
        sums[8, f] += np.float64(basket) * list_price[f]  # before a programme's lift
        if len(basket_factor):
            basket = basket * basket_factor[j]
        spent[j] = np.float64(basket) * paid
        reference_price[i] = ref + adapt[j] * (remembered_price(paid, list_price[f], regular_weight) - ref)
        discount[j] = discount_off_list(paid, list_price[f])
        served[j], own[j], service[j], failed[j], belonging[j] = who, mine, svc, fail, x_b
        drop[j] = w[1] * failure_shock + w[2] * (failure_service_loss * svc)  # failure_drop, in float64
        sums[0, f] += spent[j]
        sums[1, f] += basket * unit_cost[f]
        sums[2, f] += k
        sums[3, f] += fail
        sums[4, f] += svc * k
        # a visit's spread around the purchase's mean service: the employee's
        # day-to-day spread, (k - 1) of it over k visits in expectation
        sums[5, f] += np.float64(svc) ** 2 * k + np.float64(spread) ** 2 * (k - 1)
        sums[6, f] += k * np.float64(factors[SERVING_LOAD, s])
        sums[7, f] += np.float64(basket) * list_price[f]
        purchases[f] += 1
        cell[j] = i * n_firms + f
