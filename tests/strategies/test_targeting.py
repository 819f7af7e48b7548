"""Whom a programme targets: by value, by risk or by expected uplift
(Ascarza 2018, 'Retention futility'; Lemmens & Gupta 2020, 'Managing churn
to maximize profits')."""

from __future__ import annotations

import dataclasses

import pytest

from sim.config import MarketConfig
from sim.context import StepContext
from sim.model import LoyaltyModel
from agents.states import is_customer
from strategies.targeting import TARGETING, target_scores, top


@pytest.fixture(scope="module")
def ctx() -> StepContext:
    model = LoyaltyModel(seed=2, n_customers=3000, burn_in=104, steps=4)
    return model.context(model.firms[0])


def test_each_targeting_picks_what_it_says(ctx):
    """By value the chosen spend most at the firm, by risk their
    relationships are likeliest to end, by uplift the firm holds least of
    their category spend; the three groups differ."""
    f = ctx.firm.index
    pool = is_customer(ctx.customers.state[:, f])
    k = int(0.2 * pool.sum())
    view = ctx.outlook()
    chosen = {by: top(target_scores(ctx, by), pool, k) for by in TARGETING}
    assert all(c.sum() == k and not (c & ~pool).any() for c in chosen.values())
    rest = lambda by: pool & ~chosen[by]  # noqa: E731
    revenue = ctx.customers.revenue[:, f]
    assert revenue[chosen["value"]].mean() > 2 * revenue[rest("value")].mean()
    assert view.ending_chance[chosen["risk"]].mean() > 2 * view.ending_chance[rest("risk")].mean()
    held = view.choice_probability * (1 - view.ending_chance)
    assert held[chosen["uplift"]].mean() < held[chosen["value"]].mean()
    assert (chosen["value"] & chosen["uplift"]).sum() < 0.7 * k
    assert (chosen["value"] & chosen["risk"]).sum() < 0.5 * k


def test_the_outlook_is_a_probability_for_current_customers_only(ctx):
    view = ctx.outlook()
    f = ctx.firm.index
    current = is_customer(ctx.customers.state[:, f])
    assert ((view.ending_chance >= 0) & (view.ending_chance < 1)).all()
    assert (view.ending_chance[~current] == 0).all() and (view.ending_chance[current] > 0).all()
    assert ((view.choice_probability >= 0) & (view.choice_probability <= 1)).all()
    assert (view.category_spend > 0).all()


@pytest.mark.parametrize(
    "strategy, share_key", [("club_marketing", "member_share"), ("differentiated_service", "target_share")]
)
def test_a_programme_can_target_by_value_risk_or_uplift(strategy, share_key):
    """The same programme, three ways of choosing its customers: they reach
    different customers, so the market's paths part."""
    tables = {}
    for by in TARGETING:
        firms = [dataclasses.asdict(f) for f in MarketConfig().firms]
        firms[0]["strategies"] = [{"name": strategy, "targeting": by, share_key: 0.2}]
        tables[by] = LoyaltyModel(seed=1, n_customers=2000, burn_in=52, steps=20, firms=firms).run()
    revenue = {by: t.loc[t.firm == "Focal", "revenue"].sum() for by, t in tables.items()}
    assert len({round(v, 2) for v in revenue.values()}) == 3
