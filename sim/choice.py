"""Firm choice on a purchase occasion: choice by random utility (docs/model.md).

A multinomial logit over the firms in the customer's consideration set
(McFadden 1974; Guadagni & Little 1983): a persistent taste for each firm,
attitude (expected experience, cumulative satisfaction, affect), inertia
(the smoothed share of the customer's own recent choices), switching costs
and bonds, the price against the customer's reference price, and a
discount's pull on deal-prone customers (000, 001: price wars attract
profit-seeking customers); the occasion's Gumbel noise makes it a logit,
whose scale ``logit_scale`` sets. A firm the customer left is not
considered until something brings it back (:func:`considered`); with
limited consideration (``limited_consideration``) neither is a firm the
customer has come to know but never weighed up, and a customer who
considers no firm buys outside the modelled firms on that occasion. A
variety-seeking customer sometimes picks any considered firm at random
(002, 001: not every customer can be made loyal).
"""

from __future__ import annotations


import numpy as np

from sim.columns import colwise, rule_constants
from agents.compiled import compiled, inlined
from sim.config import ChoiceConfig
from sim.loyalty import is_customer_rule, switching_cost
from agents.states import LoyaltyState as S

_PROSPECT = int(S.PROSPECT)
_CHURNED = int(S.CHURNED)
_AWARE = int(S.AWARE)
#: :func:`contract_locks`: a chooser bound to no firm, and one at a renewal point
FREE, RENEWING = -1, -2


@compiled
def contract_locks(
    choosers: np.ndarray,
    state: np.ndarray,
    since: np.ndarray,
    t: int,
    term_steps: int,
    u_renewal: np.ndarray,
    review: np.ndarray,
    out: np.ndarray,
) -> None:
    """In a market of contracts (one relationship at a time), each
    chooser's current firm while their contract binds them (they pay it and
    do not choose), :data:`RENEWING` at a renewal point (every
    ``term_steps`` steps of tenure: the contract ends and they choose
    freely, its switching cost waived) if they review the market then (at
    their chance ``review``, with draw ``u_renewal``; otherwise the contract
    renews by default and binds them again), :data:`FREE` without a current
    firm (001's telecom: under 10% switch while locked in; a wave when a
    real alternative appears at renewal)."""
    for k in range(choosers.shape[0]):
        i = choosers[k]
        out[k] = FREE
        for f in range(state.shape[1]):
            if is_customer_rule(state[i, f]):
                tenure = t - since[i, f]
                renewal = tenure > 0 and tenure % term_steps == 0
                out[k] = RENEWING if renewal and u_renewal[i] < review[i] else f
                break


@inlined
def known(state: int | np.ndarray, dropped_out: bool | np.ndarray) -> bool | np.ndarray:
    """Whether the customer can still buy from a firm at all: they know it,
    and their relationship with it did not go quietly inactive for good
    (``dropped_out``: ``customers.dropout_final``, BG/NBD's permanent
    dropout). One relationship's in compiled code; over arrays (its
    ``py_func``), every relationship's."""
    return (state != _PROSPECT) & np.logical_not(dropped_out)


@inlined
def considered(
    state: int | np.ndarray, reconsidered: bool | np.ndarray, dropped_out: bool | np.ndarray, limited: bool
) -> bool | np.ndarray:
    """Whether a firm is in the customer's consideration set: they know it
    (:func:`known`), and if they left it, something let it back in
    (``reconsidered``: a slow reconsideration, advertising, a friend's
    positive story, or a personal offer that reached them,
    :meth:`sim.context.StepContext.bring_back`). With ``limited``
    consideration a firm they came to know after arriving must be let in
    too (a firm they knew on arriving is in the set), since weighing up a
    new firm costs effort (Hauser & Wernerfelt 1990, "An evaluation cost
    model of consideration sets"; Roberts & Lattin 1991), and a customer
    who considers no firm buys outside the modelled firms on that occasion
    (Griffin & Lowenstein 2001: lapsed customers and prospects are won at
    rates well below certainty); without it, a customer who has left every
    firm they know considers them all again (:func:`logit_exponents`)."""
    held_out = (state == _CHURNED) | (limited & (state == _AWARE))
    in_set: bool | np.ndarray = known(state, dropped_out) & (np.logical_not(held_out) | reconsidered)
    return in_set


def utility(
    taste: np.ndarray,
    expectation: np.ndarray,
    satisfaction: np.ndarray,
    affect: np.ndarray,
    inertia: np.ndarray,
    switching: np.ndarray,
    price: np.ndarray,
    reference_price: np.ndarray,
    price_sensitivity: np.ndarray,
    discount: np.ndarray,
    deal_proneness: np.ndarray,
    cfg: ChoiceConfig,
    acquisition_discount: np.ndarray | float = 0.0,
    price_weight: np.ndarray | float = 1.0,
) -> np.ndarray:
    """Deterministic utility of each firm (``[n, firms]``) for each chooser
    (``taste``: standard normal, scaled by ``taste_sd``); ``price`` and
    ``discount`` are per firm or per chooser and firm (personal offers);
    ``acquisition_discount``: the discount off the list price at which each
    relationship began (a deal-acquired relationship is worth less to the
    customer: Lewis 2006); ``price_weight``: the share of the customer's
    price sensitivity each relationship keeps (less for a loyal one:
    :func:`sim.loyalty_economics.state_factors`)."""
    rel_price = colwise(np.divide, np.atleast_2d(price), reference_price[:, None]) - 1.0
    utility: np.ndarray = (
        cfg.taste_sd * taste
        + cfg.beta_expectation * expectation
        + cfg.beta_satisfaction * satisfaction
        + cfg.beta_affect * affect
        + cfg.beta_inertia * inertia
        + cfg.beta_switching * switching
        - cfg.beta_deal_acquired * np.asarray(acquisition_discount)
        - colwise(np.multiply, price_sensitivity[:, None], rel_price) * price_weight
        + colwise(np.multiply, cfg.beta_deal * deal_proneness[:, None], np.atleast_2d(discount))
    )
    return utility


def choose(
    util: np.ndarray,
    available: np.ndarray,
    variety: np.ndarray,
    u_choice: np.ndarray,
    u_variety: np.ndarray,
    logit_scale: float,
) -> np.ndarray:
    """Index of the chosen firm for each chooser, -1 where no firm is considered."""
    explore = np.flatnonzero(u_variety < variety)  # the few variety seekers on this occasion
    z = np.where(available, logit_scale * util, -np.inf).astype(np.float32, copy=False)
    z[explore] = np.where(available[explore], 0.0, -np.inf)
    z = z.T.copy()  # firms x choosers: the operations over the few firms run along long rows
    zmax = z.max(axis=0)
    none = ~np.isfinite(zmax)
    zmax[none] = 0.0
    cum = np.exp(z - zmax)
    for k in range(1, len(cum)):  # cumulative sum over firms (np.cumsum would loop over the short axis)
        cum[k] += cum[k - 1]
    target = u_choice * cum[-1]
    below = (cum <= target).sum(axis=0)
    pick: np.ndarray = np.minimum(below, util.shape[1] - 1).astype(np.int64)
    pick[none] = -1
    return pick


def choice_probabilities(util: np.ndarray, available: np.ndarray, logit_scale: float) -> np.ndarray:
    """The logit's choice probability of each firm for each chooser (without
    variety seeking), ``[n, firms]``; a row with no firm considered is all 0.
    What the share of customers *in play* is measured with."""
    z = np.where(available, logit_scale * np.asarray(util, dtype=np.float64), -np.inf)
    zmax = np.max(z, axis=1, keepdims=True)
    zmax[~np.isfinite(zmax)] = 0.0
    w = np.exp(z - zmax)
    total = w.sum(axis=1, keepdims=True)
    return np.divide(w, total, out=np.zeros_like(w), where=total > 0)


# ----------------------------------------------------------------- the engine's compiled choice
# The engine makes the same choice as :func:`utility` and :func:`choose`, for
# the choosers of a block of rows in three compiled loops, with numpy's own
# exponentials in between (numpy's float32 exp, log1p and expm1 differ from
# the compiled ones in the last bit, which would move a rare chooser): the
# arithmetic is float32 as numpy does it, operation for operation.


def logit_coefficients(cfg: ChoiceConfig) -> np.ndarray:
    """The choice's weights and logit scale as :func:`logit_exponents` reads
    them: float32, as numpy applies a Python float to float32 columns
    (read-only: kept for each set of values, a step reads them)."""
    return rule_constants(
        np.float32,
        cfg.beta_expectation,
        cfg.beta_affect,
        cfg.beta_switching,
        cfg.beta_deal,
        cfg.logit_scale,
        cfg.taste_sd,
        cfg.beta_satisfaction,
        cfg.beta_inertia,
        cfg.beta_deal_acquired,
    )


@compiled
def variety_exponents(
    choosers: np.ndarray, variety: np.ndarray, visits: np.ndarray, share: np.ndarray, times: np.ndarray
) -> int:
    """For the choosers whose purchase holds several visits, in order, the
    argument of ``log1p`` in :func:`sim.units.compounded` (``-min(variety, 1)``)
    and the visits; returns how many there are."""
    m = 0
    for k in range(choosers.shape[0]):
        i = choosers[k]
        if visits[i] > 1:
            v = variety[i]
            if v > 1:
                v = np.float32(1.0)
            share[m] = -v
            times[m] = visits[i]
            m += 1
    return m


@compiled
def logit_exponents(
    choosers: np.ndarray,
    u_variety: np.ndarray,
    variety: np.ndarray,
    visits: np.ndarray,
    compounded_variety: np.ndarray,
    state: np.ndarray,
    present: np.ndarray,
    refusal: np.ndarray,
    reconsidered: np.ndarray,
    dropped_out: np.ndarray,
    taste: np.ndarray,
    expectation: np.ndarray,
    satisfaction: np.ndarray,
    affect: np.ndarray,
    inertia: np.ndarray,
    contract: np.ndarray,
    switching_bonus: np.ndarray,
    price: np.ndarray,
    discount: np.ndarray,
    price_cut: np.ndarray,
    reference_price: np.ndarray,
    price_sensitivity: np.ndarray,
    deal_proneness: np.ndarray,
    acquisition_discount: np.ndarray,
    price_weight: np.ndarray,
    choice_bonus: np.ndarray,
    coefficients: np.ndarray,
    lock: np.ndarray,
    limited: bool,
    z: np.ndarray,
    none: np.ndarray,
) -> None:
    """``z - max(z)`` of each chooser's firms (``z``: the scaled utility of
    :func:`utility`, 0 for every considered firm on a variety-seeking
    occasion, -inf for a firm not available), and ``none`` where no firm is
    (the arguments of :func:`choose`'s exponential). A firm is available to
    a customer who considers it (:func:`considered`) where it is present
    and does not refuse them; a customer who considers none considers every
    firm they know, unless consideration is ``limited``, where they buy
    outside the modelled firms and a subscriber who reviews the market at a
    renewal point weighs up every firm they know (the review is the
    evaluation; 001: a wave when a real alternative appears at renewal). Switching
    costs are :meth:`sim.model.LoyaltyModel.switching`'s; the price offered
    is the firm's times the personal price factor, and the share a personal
    offer takes off counts as a discount too
    (:class:`sim.modifiers.PriceFactor`), weighed by the relationship's
    state (``price_weight``, by state). ``compounded_variety`` holds
    ``-compounded(variety, visits)`` for the choosers of several visits, in
    order (:func:`variety_exponents`); ``choice_bonus`` (the modifier of
    that name, utility units) is added to a firm's utility: what a
    programme's reward still to earn is worth to the customer
    (:mod:`strategies.loyalty_points`); an empty modifier is neutral. In a
    market of contracts ``lock`` holds each chooser's :func:`contract_locks`
    (empty: no contracts): a bound chooser pays their firm, if it is
    available; at a renewal point the contract's switching cost is waived.
    ``coefficients``: float32 ``beta_expectation``, ``beta_affect``,
    ``beta_switching``, ``beta_deal``, ``logit_scale``, ``taste_sd``,
    ``beta_satisfaction``, ``beta_inertia`` and ``beta_deal_acquired``
    (:func:`logit_coefficients`)."""
    (
        beta_expectation,
        beta_affect,
        beta_switching,
        beta_deal,
        logit_scale,
        taste_sd,
        beta_satisfaction,
        beta_inertia,
        beta_deal_acquired,
    ) = coefficients
    n_firms = z.shape[1]
    refusing = refusal.shape[0] > 0
    cutting = price_cut.shape[0] > 0
    bonus = switching_bonus.shape[0] > 0
    rewarding = choice_bonus.shape[0] > 0
    one = np.float32(1.0)
    open_ = np.empty(n_firms, np.bool_)
    contracts = lock.shape[0] > 0
    m = 0
    for k in range(choosers.shape[0]):
        i = choosers[k]
        chance = variety[i]
        if visits[i] > 1:
            chance = -compounded_variety[m]
            m += 1
        explore = u_variety[i] < chance
        bound = lock[k] if contracts else FREE
        waived = np.float32(0.0) if bound == RENEWING else one
        if bound >= 0 and present[bound] and not (refusing and refusal[i, bound]):
            for f in range(n_firms):
                z[k, f] = 0.0 if f == bound else -np.inf
            none[k] = False
            continue
        anyone: bool | np.ndarray = False  # (a bool: the rules' values are one relationship's)
        for f in range(n_firms):
            open_[f] = present[f] and not (refusing and refusal[i, f])
            anyone |= open_[f] and considered(state[i, f], reconsidered[i, f], dropped_out[i, f], limited)
        for f in range(n_firms):
            cut = np.float32(0.0)
            if cutting:
                cut = price_cut[i, f]
            # the consideration set; every firm known on a limited set's renewal review, or (unlimited) when
            # the customer has left them all
            if (limited and bound == RENEWING) or not (limited or anyone):
                available = open_[f] and known(state[i, f], dropped_out[i, f])
            else:
                available = open_[f] and considered(state[i, f], reconsidered[i, f], dropped_out[i, f], limited)
            if not available:
                z[k, f] = -np.inf
            elif explore:
                z[k, f] = 0.0
            else:
                switching = switching_cost(
                    contract[f] * waived, state[i, f], switching_bonus[i, f] if bonus else np.float32(0.0)
                )
                p = price[f] * (one - cut)
                rel_price = p / reference_price[i] - one
                util = (
                    taste_sd * taste[i, f]
                    + beta_expectation * expectation[i, f]
                    + beta_satisfaction * satisfaction[i, f]
                    + beta_affect * affect[i, f]
                    + beta_inertia * inertia[i, f]
                    + beta_switching * switching
                    - beta_deal_acquired * acquisition_discount[i, f]
                    - price_sensitivity[i] * rel_price * price_weight[state[i, f]]
                    + (beta_deal * deal_proneness[i]) * (discount[f] + cut)
                )
                if rewarding:
                    util = util + choice_bonus[i, f]
                z[k, f] = logit_scale * util
        zmax = z[k, 0]
        for f in range(1, n_firms):
            if z[k, f] > zmax or np.isnan(z[k, f]):
                if not np.isnan(zmax):
                    zmax = z[k, f]
        none[k] = not np.isfinite(zmax)
        if none[k]:
            zmax = np.float32(0.0)
        for f in range(n_firms):
            z[k, f] = z[k, f] - zmax


@compiled
def logit_picks(
    weights: np.ndarray, u_choice: np.ndarray, choosers: np.ndarray, none: np.ndarray, pick: np.ndarray
) -> int:
    """The firm each chooser picks from the weights ``exp(z - max(z))``
    (overwritten by their running sums over the firms), -1 where no firm is
    available; returns how many choosers picked none."""
    n_firms = weights.shape[1]
    nobody = 0
    for k in range(weights.shape[0]):
        for f in range(1, n_firms):
            weights[k, f] += weights[k, f - 1]
        target = u_choice[choosers[k]] * weights[k, n_firms - 1]
        chosen = 0
        for f in range(n_firms):
            if weights[k, f] <= target:
                chosen += 1
        pick[k] = min(chosen, n_firms - 1)
        if none[k]:
            pick[k] = -1
            nobody += 1
    return nobody
