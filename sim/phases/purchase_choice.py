"""Purchase occasions and the choice of firm (a logit with variety seeking)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from agents.customers import first_purchase_chance
from sim import choice
from sim.choice import known
from agents.compiled import compiled
from sim.loyalty_economics import PRICE_SENSITIVITY, state_factors
from sim.modifiers import Modifier
from sim.records import Purchases, required
from agents.states import LoyaltyState as S
from sim.units import StepLength

if TYPE_CHECKING:  # pragma: no cover
    from sim.config import MarketConfig
    from sim.model import LoyaltyModel
    from sim.records import StepRecord

_FIRST_TIME = int(S.FIRST_TIME)
#: what the compiled rules read for a modifier no programme has written (neutral)
_UNSET = {np.float32: np.zeros((0, 0), dtype=np.float32), np.bool_: np.zeros((0, 0), dtype=np.bool_)}
#: what the choice reads in a market without contracts
_NO_LOCKS = np.zeros(0, dtype=np.int64)


def purchase_occasions_and_choice(market: "LoyaltyModel", step: "StepRecord") -> None:
    """Customers who know a firm that serves them have a purchase occasion
    at their purchase rate; each chooses among the firms they know by
    taste, attitude, inertia, switching costs, price and deals (Guadagni &
    Little 1983: a logit of brand choice), or varies for variety's sake.
    Only the firms in their consideration set count (with limited
    consideration, a customer who considers none buys outside the modelled
    firms)."""
    cust, cfg, draws = market.customers, market.config.choice, required(step.draws, "step.draws")
    u_buy, u_choice = draws.purchase, draws.choice
    present, refusal = market.present, _stored(market.modifiers.refusal)
    cut = _stored(market.modifiers.price_factor)
    found = np.empty(cust.n, dtype=np.int64)

    first = first_purchase_chance(market.config.customers, market.step_length)
    lift = _stored(market.modifiers.occasion_lift)

    def occasions(rows: slice) -> int:
        return purchase_occasions(
            rows.start,
            rows.stop,
            u_buy,
            cust.purchase_chance,
            first,
            cust.state,
            cust.dropped_out,
            present,
            refusal,
            lift,
            found,
        )

    counts = market.blocks.map(occasions, cust.n)
    b = (
        found[: counts[0]]
        if len(counts) == 1
        else np.concatenate([found[s.start : s.start + k] for s, k in zip(market.blocks.slices(cust.n), counts)])
    )
    c = np.empty(len(b), dtype=np.int64)
    contract = market.by_firm("switching_cost")
    bonus = _stored(market.modifiers.switching_bonus)
    utility_bonus = _stored(market.modifiers.choice_bonus)
    standing = market.modifiers.standing_order
    coefficients = choice.logit_coefficients(cfg)
    price_weight = state_factors(market.config.loyalty)[PRICE_SENSITIVITY]
    term_steps = contract_term_steps(market.config)

    def rule(k: slice) -> int:
        i = b[k]
        # a long step's visits vary more: the variety share compounded over
        # the visits (sim.units.compounded), with numpy's log1p and expm1
        share = np.empty(len(i), dtype=np.float32)
        times = np.empty(len(i), dtype=np.float32)
        m = choice.variety_exponents(i, cust.variety, cust.visits_per_purchase, share, times)
        if m:
            x = share[:m]
            np.log1p(x, out=x)
            np.multiply(times[:m], x, out=x)
            np.expm1(x, out=x)
        z = np.empty((len(i), market.n_firms), dtype=np.float32)
        none = np.empty(len(i), dtype=np.bool_)
        lock = _NO_LOCKS
        if term_steps:
            lock = np.empty(len(i), dtype=np.int64)
            choice.contract_locks(
                i, cust.state, cust.since, market.t, term_steps, draws.renewal, cust.renewal_review, lock
            )
        if standing.values is not None:
            lock = standing_locks(standing.values[i], lock)
        choice.logit_exponents(
            i,
            u_choice[1],
            cust.variety,
            cust.visits_per_purchase,
            share,
            cust.state,
            present,
            refusal,
            cust.reconsidered,
            cust.dropped_out,
            cust.taste,
            cust.expectation,
            cust.satisfaction,
            cust.affect,
            cust.inertia,
            contract,
            bonus,
            market.price,
            market.discount,
            cut,
            cust.reference_price,
            cust.price_sensitivity,
            cust.deal_proneness,
            cust.acquisition_discount,
            price_weight,
            utility_bonus,
            coefficients,
            lock,
            cfg.limited_consideration,
            z,
            none,
        )
        np.exp(z, out=z)
        return choice.logit_picks(z, u_choice[0], i, none, c[k])

    if sum(market.blocks.map(rule, len(b))):
        keep = c >= 0
        b, c = b[keep], c[keep]
    step.purchases = Purchases(buyers=b, firm=c)


def standing_locks(standing: np.ndarray, lock: np.ndarray) -> np.ndarray:
    """The choosers' locks (:func:`sim.choice.contract_locks`; empty: no
    contracts) with each free chooser who has a standing order this step
    (``standing``, ``[choosers, firms]``, the ``standing_order`` modifier)
    bound to the firm of the order: the occasion goes through its ordering
    system without weighing up the firms (seed 003: a structural bond), if
    the firm is present and serves them; a contract that binds, or a renewal
    review, comes first."""
    if lock.shape[0] == 0:
        lock = np.full(standing.shape[0], choice.FREE, dtype=np.int64)
    ordered = standing.any(axis=1) & (lock == choice.FREE)
    lock[ordered] = standing[ordered].argmax(axis=1)
    return lock


def contract_term_steps(cfg: "MarketConfig") -> int:
    """Steps between a contract's renewal points (0: no contracts, every
    occasion is a free choice)."""
    ch = cfg.churn
    if not (ch.exclusive_relationships and ch.contract_term_weeks > 0):
        return 0
    return max(1, round(ch.contract_term_weeks / StepLength(cfg.steps_per_year).weeks))


def _stored(modifier: Modifier) -> np.ndarray:
    """The modifier's stored ``[n, firms]`` values, or an empty array while
    it is neutral."""
    return _UNSET[modifier.dtype] if modifier.values is None else modifier.values


@compiled
def purchase_occasions(
    start: int,
    stop: int,
    u_buy: np.ndarray,
    purchase_chance: np.ndarray,
    first_chance: float,
    state: np.ndarray,
    dropped_out: np.ndarray,
    present: np.ndarray,
    refusal: np.ndarray,
    lift: np.ndarray,
    found: np.ndarray,
) -> int:
    """The customers of rows ``start..stop`` with a purchase occasion, in
    order, into ``found[start:]``; returns how many. A customer has one at
    their purchase chance if some firm is available to them: one they can
    still buy from (:func:`sim.choice.known`; with limited consideration,
    on an occasion a customer who considers none of them buys outside the
    modelled firms: :func:`sim.choice.considered`), present this step, that does not
    refuse them (an empty ``refusal`` refuses nobody). A customer who has
    never bought in the category has one at ``first_chance`` instead, when
    it is not negative (:func:`agents.customers.first_purchase_chance`).
    Programmes may raise a customer's chance (``lift``, the
    ``occasion_lift`` modifier, empty while unset: a reward drawing near
    speeds purchases up, Kivetz, Urminsky & Zheng 2006): their chance times
    ``1 +`` the sum of their lifts over the firms available to them, at most 1."""
    refusing = refusal.shape[0] > 0
    lifting = lift.shape[0] > 0
    trial = first_chance >= 0
    n = start
    for i in range(start, stop):
        available = False
        bought = False
        extra = 0.0
        for f in range(state.shape[1]):
            here = known(state[i, f], dropped_out[i, f]) & present[f] & (not (refusing and refusal[i, f]))
            available |= here
            bought |= state[i, f] >= _FIRST_TIME
            if lifting and here:
                extra += np.float64(lift[i, f])
        chance = first_chance if trial and not bought else np.float64(purchase_chance[i])
        if extra > 0.0:
            chance = min(chance * (1.0 + extra), 1.0)
        found[n] = i  # kept only if the customer has an occasion (no branch to mispredict)
        n += (u_buy[i] < chance) & available
    return n - start
