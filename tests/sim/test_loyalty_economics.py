"""What loyalty is worth (Reichheld & Sasser 1990, 'Zero defections'; Reinartz
& Kumar 2002, 'The mismanagement of customer loyalty'): a loyal or advocate
relationship buys a bigger basket, takes less staff time, weighs price a
little less and forgives more; and a report of value by tenure."""

from __future__ import annotations

import pytest

import copy
import dataclasses

import numpy as np

from sim import disconfirmation as dc
from sim.choice import utility
from sim.config import ChoiceConfig, LoyaltyConfig, MarketConfig
from sim.loyalty_economics import BASKET, PRICE_SENSITIVITY, SERVING_LOAD, TOLERANCE_WIDENING, state_factors
from sim.model import LoyaltyModel
from agents.states import LoyaltyState as S, is_customer
from sim.tenure_value import COLUMNS


def _loyalty(**kw) -> dict:
    return {**dataclasses.asdict(LoyaltyConfig()), **kw}


_SETTLED: list[LoyaltyModel] = []


def _first_step(**loyalty) -> LoyaltyModel:
    """One step of a copy of the same settled market (default economics
    through its burn-in), with the loyalty economics ``loyalty`` from then."""
    if not _SETTLED:
        _SETTLED.append(LoyaltyModel(seed=5, n_customers=3000, burn_in=60, steps=4))
    model = copy.deepcopy(_SETTLED[0])
    model.config.loyalty = LoyaltyConfig(**_loyalty(**loyalty))
    model.step()
    return model


def test_only_loyal_and_advocate_relationships_differ():
    f = state_factors(
        LoyaltyConfig(loyal_basket_lift=0.2, loyal_cost_saving=0.3, loyal_price_insensitivity=0.4, loyal_tolerance=0.5)
    )
    for s in S:
        attached = s in (S.LOYAL, S.ADVOCATE)
        assert np.isclose(f[BASKET, s], 1.2 if attached else 1.0)
        assert np.isclose(f[SERVING_LOAD, s], 0.7 if attached else 1.0)
        assert np.isclose(f[PRICE_SENSITIVITY, s], 0.6 if attached else 1.0)
        assert np.isclose(f[TOLERANCE_WIDENING, s], 0.5 if attached else 0.0)


@pytest.mark.slow
def test_a_loyal_customer_buys_across_more_of_the_range():
    """The same market and draws with and without the lift: loyal and
    advocate buyers spend the lift more a visit, the others the same."""
    plain, lifted = _first_step(loyal_basket_lift=0.0), _first_step(loyal_basket_lift=0.5)
    p, q = plain.last_step.purchases, lifted.last_step.purchases
    assert np.array_equal(p.buyers, q.buyers) and np.array_equal(p.firm, q.firm)
    state = _SETTLED[0].customers.state  # the relationships' states when they bought
    attached = np.isin(state[p.buyers, p.firm], (S.LOYAL, S.ADVOCATE))
    assert attached.sum() > 100
    ratio = q.spent / p.spent
    assert np.allclose(ratio[attached], 1.5, rtol=1e-5) and np.allclose(ratio[~attached], 1.0, rtol=1e-6)


@pytest.mark.slow
def test_loyal_customers_take_less_of_the_staffs_time():
    plain, saving = _first_step(loyal_cost_saving=0.0), _first_step(loyal_cost_saving=0.5)
    assert (saving.last_step.visits < plain.last_step.visits).all()
    a, b = plain.step_table(), saving.step_table()
    assert np.allclose(a["visits"], b["visits"])  # the visits made are the same; the staff's work is not


def test_a_loyal_relationship_forgives_a_shortfall_a_stranger_would_not():
    desired, tolerance = np.array([0.7, 0.7, 0.1]), np.array([0.1, 0.1, 0.1])
    level = dc.adequate_level(desired, tolerance, -np.inf, 0.25, np.array([0.0, 0.5, 5.0]))
    assert np.allclose(level, [0.5, 0.45, 0.0])
    # an experience between the two levels disappoints only the stranger
    assert dc.zone_of_tolerance(0.47, level[0], 0.7) == dc.DISAPPOINTED
    assert dc.zone_of_tolerance(0.47, level[1], 0.7) == dc.SATISFIED


def test_a_loyal_customer_weighs_price_a_little_less():
    cfg = ChoiceConfig()
    args = [np.zeros((1, 2))] * 6 + [np.array([1.2, 1.2]), np.ones(1), np.full(1, 0.5), np.zeros(2), np.zeros(1), cfg]
    plain = utility(*args)
    loyal = utility(*args, price_weight=np.array([[0.8, 1.0]]))
    assert loyal[0, 0] - plain[0, 0] > 0 and np.isclose(loyal[0, 1], plain[0, 1])
    assert np.isclose(loyal[0, 0] - plain[0, 0], 0.2 * 0.5 * 0.2)


def test_the_value_by_tenure_counts_every_current_relationship_once():
    model = LoyaltyModel(seed=1, n_customers=3000, steps=10)
    model.run()
    table = model.value_by_tenure()
    assert list(table.columns) == list(COLUMNS)
    current = is_customer(model.customers.state).sum(axis=0)
    assert list(table.groupby("firm", sort=False)["relationships"].sum()) == list(current)
    shares = table["barely_profitable"].dropna()
    assert ((shares >= 0) & (shares <= 1)).all()
    assert table["band_from_years"].nunique() == MarketConfig().loyalty.tenure_bands
