"""Relationships begun under a deep discount (Lewis 2006, 'Customer
acquisition promotions and customer asset value'), and reference prices that
remember the regular price."""

from __future__ import annotations

import pytest

import dataclasses

import numpy as np

from sim import hazard
from sim.config import ChurnConfig, ChoiceConfig, MarketConfig
from sim.model import LoyaltyModel
from sim.phases.experience import discount_off_list, remembered_price
from sim.phases.loyalty_latents import deal_acquired_gain
from agents.states import LoyaltyState as S
from sim.choice import utility

WAR = {"name": "price_war", "depth": 0.3, "duration": 8, "start": 3}


def _market(war: bool, seed: int = 0, **kw) -> LoyaltyModel:
    firms = [dataclasses.asdict(f) for f in MarketConfig().firms]
    if war:
        firms[0]["strategies"] = [WAR]
    return LoyaltyModel(seed=seed, n_customers=3000, burn_in=52, steps=30, firms=firms, **kw)


def test_a_relationship_begun_in_a_price_war_keeps_the_discount_it_was_won_at():
    """Each relationship begun while the war runs (weeks 3-10) carries its
    30% as the discount it was won at; one begun after it carries none."""
    model = _market(war=True)
    marks = {}
    for _ in range(12):
        model.step()
        c = model.customers
        new = c.since[:, 0] == model.t - 1
        marks[model.steps] = c.acquisition_discount[new, 0]
    during = np.concatenate([marks[t] for t in range(3, 11)])
    after = np.concatenate([marks[t] for t in (11, 12)])
    assert len(during) > 50 and len(after) > 5
    assert np.allclose(during, 0.3, atol=1e-6)
    assert np.all(after == 0)


def test_a_deal_acquired_relationship_is_chosen_less_ends_sooner_and_builds_less_liking():
    cfg = ChoiceConfig()
    args = [np.zeros((1, 2))] * 5 + [
        np.zeros((1, 2)),
        np.ones(2),
        np.ones(1),
        np.full(1, 0.5),
        np.zeros(2),
        np.full(1, 0.3),
        cfg,
    ]
    u = utility(*args, acquisition_discount=np.array([[0.3, 0.0]]))
    assert u[0, 0] < u[0, 1]
    assert np.isclose(u[0, 1] - u[0, 0], 0.3 * cfg.beta_deal_acquired)
    ch = ChurnConfig()
    plain, marked = (hazard.annual_hazard(0.1, 0.5, 0.0, 0.5, 0.0, False, 1.0, S.REPEAT, ch, d) for d in (0.0, 0.3))
    assert np.isclose(marked / plain, np.exp(0.3 * ch.deal_acquired_hazard))
    # liking: a gain shrinks with the discount the relationship was won at, a loss counts in full
    assert deal_acquired_gain.py_func(0.1, 0.3, 1.2) < 0.1
    assert deal_acquired_gain.py_func(0.1, 0.0, 1.2) == 0.1
    assert deal_acquired_gain.py_func(-0.1, 0.3, 1.2) == -0.1
    assert deal_acquired_gain.py_func(0.1, 1.0, 1.2) == 0.0


@pytest.mark.slow
def test_customers_won_by_a_price_war_buy_less_there_afterwards_than_those_won_at_the_list_price():
    """The same weeks' new relationships, war against no war, over the 20
    weeks after the war: those begun at 30% off spend less (with the mark
    switched off they spend about as much: the mark, not the selection,
    makes the gap)."""

    def spend_per_new(war: bool, **kw) -> float:
        model = _market(war, **kw)
        new = np.zeros(model.customers.n, bool)
        total = 0.0
        for _ in range(30):
            model.step()
            c = model.customers
            if 3 <= model.steps <= 10:
                new |= c.since[:, 0] == model.t - 1
            elif model.steps > 10:
                p = model.last_step.purchases
                at = (p.firm == 0) & new[p.buyers]
                total += p.spent[at].sum()
        return total / max(new.sum(), 1)

    off = {
        "choice": {"beta_deal_acquired": 0.0},
        "churn": {"deal_acquired_hazard": 0.0},
        "loyalty": {"deal_acquired_affect": 0.0},
    }
    ratios, unmarked = [], []
    for seed in range(3):
        ratios.append(spend_per_new(True, seed=seed) / spend_per_new(False, seed=seed))
    marked = np.mean(ratios)
    for seed in range(3):
        model_kw = {k: {**dataclasses.asdict(getattr(MarketConfig(), k)), **v} for k, v in off.items()}
        unmarked.append(spend_per_new(True, seed=seed, **model_kw) / spend_per_new(False, seed=seed, **model_kw))
    assert marked < 0.75 and np.mean(unmarked) > 0.85


def test_the_reference_price_remembers_the_regular_price():
    """A discount pulls the reference price toward the price paid, but part
    of the way toward the regular price too; at the list price it is the
    price paid."""
    assert remembered_price.py_func(0.7, 1.0, 0.3) == 0.7 + 0.3 * 0.3
    assert remembered_price.py_func(1.0, 1.0, 0.3) == 1.0
    assert discount_off_list.py_func(0.7, 1.0) == 1.0 - 0.7
    assert discount_off_list.py_func(1.1, 1.0) == 0.0
    war = _market(True)
    base = _market(False)
    for _ in range(10):
        war.step()
        base.step()
    drop = base.customers.reference_price.mean() - war.customers.reference_price.mean()
    assert drop > 0
    weights = {"customers": {**dataclasses.asdict(MarketConfig().customers), "reference_regular_weight": 0.0}}
    paid_only = _market(True, **weights)
    for _ in range(10):
        paid_only.step()
    assert base.customers.reference_price.mean() - paid_only.customers.reference_price.mean() > drop
