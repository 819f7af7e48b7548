"""Customers and money are conserved every step: every
relationship is in exactly one valid state, and profit equals revenue minus
the sum of all cost categories, for every preset in conf/market/."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.ledger import BASE_COSTS
from sim.model import LoyaltyModel
from agents.states import N_STATES, STATE_NAMES
from strategies.base import Strategy

PRESETS = sorted(p.stem for p in (Path(__file__).resolve().parents[2] / "conf" / "market").glob("*.yaml"))
SMALL = dict(seed=3, n_customers=1000, burn_in=20, steps=30)
REL_TOL = 1e-9


class Programme(Strategy):
    """A strategy that books its own cost category every reported step."""

    name = "test_programme"

    def after_step(self, ctx):
        if self.active(ctx):
            ctx.book("programme", 123.456 + 0.001 * ctx.step)


def check_states(model: LoyaltyModel) -> None:
    state = model.customers.state
    assert state.shape == (model.config.n_customers, model.n_firms)
    assert state.min() >= 0 and state.max() < N_STATES, "a state code is out of range"
    counts = model.state_counts()
    assert counts.shape == (model.n_firms, N_STATES)
    assert (counts >= 0).all()
    np.testing.assert_array_equal(counts.sum(axis=1), model.config.n_customers)


def check_books(table, categories: list[str]) -> None:
    costs = table[categories].to_numpy(dtype=np.float64)
    scale = np.maximum.reduce([table["revenue"].abs().to_numpy(), np.abs(costs).sum(axis=1), np.ones(len(table))])
    err_costs = np.abs(table["costs"].to_numpy() - costs.sum(axis=1)) / scale
    assert err_costs.max() <= REL_TOL, "'costs' is not the sum of the cost categories"
    err = np.abs(table["profit"].to_numpy() - (table["revenue"].to_numpy() - costs.sum(axis=1))) / scale
    assert err.max() <= REL_TOL, f"profit != revenue - costs (worst relative error {err.max():.3g})"
    assert (costs >= 0).all(), "a cost category booked a negative amount"


def test_presets_are_found():
    assert {"retail", "subscription", "home_furnishing"} <= set(PRESETS)


@pytest.mark.slow
@pytest.mark.parametrize(
    "preset, steps_per_year", [(p, None) for p in PRESETS] + [("retail", 12)], ids=[*PRESETS, "retail-monthly"]
)
def test_states_and_money_are_conserved_every_step(preset, steps_per_year):
    """Every preset; and the retail market in monthly steps, whose visits
    are made in four rounds a step."""
    model = LoyaltyModel(market=preset, **SMALL, **({"steps_per_year": steps_per_year} if steps_per_year else {}))
    check_states(model)  # after the burn-in
    n_rows = 0
    for step in range(1, model.config.steps + 1):
        model.step()
        check_states(model)
        table = model.step_table()
        assert len(table) == n_rows + model.n_firms
        n_rows = len(table)
        last = table[table["step"] == step]
        assert len(last) == model.n_firms
        state_cols = [f"n_{s}" for s in STATE_NAMES]
        np.testing.assert_array_equal(last[state_cols].sum(axis=1), model.config.n_customers)
        np.testing.assert_array_equal(last[state_cols].to_numpy(), model.state_counts())
    table = model.step_table()
    categories = list(model.ledger.categories)
    assert set(BASE_COSTS) <= set(categories)
    assert set(categories) <= set(table.columns)
    check_books(table, categories)
    assert table["revenue"].gt(0).any()


def test_strategy_costs_are_in_the_books():
    market = LoyaltyModel(market="retail", **SMALL).config
    market.firms[0].strategies = [Programme()]
    model = LoyaltyModel(market=market, seed=3)
    model.run()
    table = model.step_table()
    assert "programme" in model.ledger.categories
    focal = table[table["firm_index"] == 0]
    np.testing.assert_allclose(focal["programme"], 123.456 + 0.001 * focal["step"], rtol=1e-12)
    assert (table.loc[table["firm_index"] != 0, "programme"] == 0).all()
    check_books(table, list(model.ledger.categories))


def test_check_books_detects_a_missing_cost():
    """The conservation check can fail: drop one cost category and it must."""
    model = LoyaltyModel(market="retail", **{**SMALL, "steps": 3})
    table = model.run()
    with pytest.raises(AssertionError):
        check_books(table, [c for c in model.ledger.categories if c != "wages"])
