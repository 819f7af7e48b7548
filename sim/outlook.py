"""What a firm can know of each customer's prospects, for a programme that
chooses whom to target (value, risk or expected uplift: Ascarza 2018,
'Retention futility: targeting high-risk customers might be ineffective';
Lemmens & Gupta 2020, 'Managing churn to maximize profits').

For one firm and every customer: the relationship's chance of ending within
a year by the relationship hazard (:mod:`sim.hazard`; 0 where there is no
current relationship), the customer's chance of choosing the firm on their
next occasion (:func:`sim.in_play.choice_probabilities_now`), and what they
spend a year in the category (basket times visits a year, at reference
price)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim import hazard
from sim.in_play import choice_probabilities_now
from agents.states import is_customer

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import LoyaltyModel


@dataclass(frozen=True)
class Outlook:
    """One firm's view of every customer's prospects (arrays ``[n]``, float64)."""

    ending_chance: np.ndarray  #: chance the current relationship ends within a year (0: none current)
    choice_probability: np.ndarray  #: chance of choosing the firm on the next occasion
    category_spend: np.ndarray  #: spend a year in the category, at reference price


def outlook(market: "LoyaltyModel", firm: int) -> Outlook:
    """The prospects of every customer of the market for ``firm``."""
    cust, cfg, f = market.customers, market.config, firm
    lat = market.latents()
    bond = cust.bond
    bonded = (bond >= 0) & (market.staff.firm[np.maximum(bond, 0)] == f)
    tenure = hazard.tenure_years(cust.since[:, f], market.t, cfg.steps_per_year)
    rate = hazard.annual_hazard(
        cust.churn_proneness,
        cust.satisfaction[:, f],
        lat["switching"][:, f],
        lat["cognitive"][:, f],
        cust.incident[:, f],
        bonded,
        tenure,
        cust.state[:, f],
        cfg.churn,
        cust.acquisition_discount[:, f],
    )
    current = is_customer(cust.state[:, f])
    ending = np.where(current, hazard.ending_chance(rate, 1.0), 0.0)
    spend = cust.spend.astype(np.float64) * cust.visit_rate.astype(np.float64)
    return Outlook(ending, choice_probabilities_now(market)[:, f], spend)
