"""Customers in play: how firmly each current customer holds to their main firm.

A strategy can only move customers whose choice is open. Random-utility
choice (Guadagni & Little 1983) gives each customer a probability of
choosing each firm they consider; a customer is *in play* when the firm
they are most likely to choose gets less than ``below`` (0.9 by default)
of it, so a better offer, a service collapse or a club can tip them. The
presets hold a fifth to a half of their customers in play
(:mod:`sim.plausibility`): a judgement, not a published figure, that
reflects how many satisfied customers still defect (Reichheld 1993,
'Loyalty-based management': 65-85% of defectors said they were satisfied;
Jones & Sasser 1995: only completely satisfied customers are secure). The
measure is a snapshot of one moment.

In a market of contracts the choice that matters is the one at a renewal
point, where the contract's switching cost is waived (Fornell 1992's
'defensive' switching barriers hold customers only between renewals); it
is measured there, for a subscriber who reviews the market then (with
limited consideration among every firm they know; one who does not renews by default:
``customers.renewal_review_mean``). Variety
seeking is left out: it moves customers at random, not by what the firms
do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.loyalty_economics import PRICE_SENSITIVITY, state_factors
from sim import choice
from sim.phases.purchase_choice import contract_term_steps
from agents.states import is_customer

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import LoyaltyModel


def main_firm_probability(market: "LoyaltyModel") -> np.ndarray:
    """For each customer with a current relationship, the logit choice
    probability of the firm they are most likely to choose now (``[m]``,
    float64, in customer order), among the firms they consider; in a
    market of contracts, as at a renewal point (the current firm's chance
    includes a default renewal by a subscriber who does not review)."""
    p = choice_probabilities_now(market)
    return p[is_customer(market.customers.state).any(axis=1)].max(axis=1)


def choice_probabilities_now(market: "LoyaltyModel") -> np.ndarray:
    """Each customer's logit choice probability of each firm now (``[n,
    firms]``, float64; a row with no firm considered is 0), as
    :func:`main_firm_probability` reads it."""
    cust, cfg = market.customers, market.config
    switching = market.latents()["switching"]
    current = is_customer(cust.state)
    if cfg.churn.exclusive_relationships:
        switching = switching - market.by_firm("switching_cost")[None, :] * current
    util = choice.utility(
        cust.taste,
        cust.expectation,
        cust.satisfaction,
        cust.affect,
        cust.inertia,
        switching,
        market.price,
        cust.reference_price,
        cust.price_sensitivity,
        market.discount,
        cust.deal_proneness,
        cfg.choice,
        cust.acquisition_discount,
        state_factors(cfg.loyalty)[PRICE_SENSITIVITY][cust.state],
    )
    util = util + market.modifiers.choice_bonus.at(slice(None))  # a reward's expected value (0 while unset)
    # the choice's own rule, over arrays
    limited, contracts = cfg.choice.limited_consideration, contract_term_steps(cfg) > 0
    if limited and contracts:  # a review at a renewal point weighs up every firm known
        available = choice.known.py_func(cust.state, cust.dropped_out)
    else:
        available = choice.considered.py_func(cust.state, cust.reconsidered, cust.dropped_out, limited)
    assert isinstance(available, np.ndarray)  # the rule over arrays gives arrays
    p = choice.choice_probabilities(util, available, cfg.choice.logit_scale)
    if contracts:
        # a subscriber who does not review the market renews by default
        review = cust.renewal_review[:, None].astype(np.float64)
        p = review * p + (1.0 - review) * current
    return p


def in_play_share(market: "LoyaltyModel", below: float = 0.9) -> float:
    """Share of the customers with a current relationship who give their
    main firm a choice probability below ``below``
    (:func:`main_firm_probability`); 0 in a market without customers."""
    top = main_firm_probability(market)
    return float((top < below).mean()) if len(top) else 0.0
