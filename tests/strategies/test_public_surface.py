"""Strategies act through the public surface (StepContext, modifiers): a
strategy written outside the engine, as a class or as a plain function, runs
and changes the market the expected way; the engine's modifiers stay neutral
and unallocated when no programme writes them; and no strategy or experiment
reaches into another object's private attributes."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import numpy as np
import pytest

from sim.config import market_config
from sim.context import StepContext
from sim.model import LoyaltyModel, load_market_preset
from strategies.base import Strategy
from strategies.registry import REGISTRY, make_strategy

ROOT = Path(__file__).resolve().parents[2]
SEED = 5
CUT = 0.3


def small_market():
    """The retail market, small: 300 customers, 10 steps after a 10-step burn-in."""
    return market_config(load_market_preset("retail"), n_customers=300, burn_in=10, steps=10)


def market_with(strategies: list) -> LoyaltyModel:
    """The small market with the focal firm (0) running ``strategies``."""
    cfg = small_market()
    firms = [dataclasses.replace(cfg.firms[0], strategies=strategies), *cfg.firms[1:]]
    return LoyaltyModel(market=dataclasses.replace(cfg, firms=firms), seed=SEED)


def focal_share(model: LoyaltyModel) -> float:
    """The focal firm's mean share of purchases over the reported horizon."""
    table = model.run()
    visits = table.pivot(index="step", columns="firm_index", values="visits")
    return float((visits[0] / visits.sum(axis=1)).mean())


def cut_focal_price(ctx: StepContext) -> None:
    """A classroom variation as a plain function: the focal firm cuts its
    price by a third from the first reported step."""
    if ctx.step >= 1:
        ctx.firm.discount = max(ctx.firm.discount, CUT)


class PersonalOffers(Strategy):
    """A strategy defined here, not registered: a personal offer of ``CUT``
    to every customer of the focal firm (price factor 1 - CUT), and the cost
    of the offers booked as its own category."""

    name = "test_personal_offers"

    def adjust_offer(self, ctx: StepContext) -> None:
        if self.active(ctx):
            self.replaced_customers(ctx)  # newcomers' modifiers were reset: offer to them again
            self.set_share(ctx, "price_factor", np.full(ctx.customers.n, CUT, dtype=np.float32))

    def after_step(self, ctx: StepContext) -> None:
        if self.active(ctx):
            mine = ctx.purchases.firm == ctx.firm.index
            self.book(ctx, float(ctx.purchases.spent[mine].sum()) * 0.01)


@pytest.fixture(scope="module")
def baseline_share() -> float:
    return focal_share(market_with([]))


def test_a_function_strategy_cuts_the_price_and_gains_share(baseline_share):
    model = market_with([cut_focal_price])
    assert model.firms[0].strategies[0].name == "cut_focal_price"
    assert focal_share(model) > baseline_share + 0.02
    assert model.firms[0].discount == CUT


def test_a_strategy_class_defined_outside_the_engine_runs(baseline_share):
    assert PersonalOffers.name not in REGISTRY
    model = market_with([PersonalOffers()])
    assert focal_share(model) > baseline_share + 0.02
    assert model.modifiers.in_use() == ["price_factor"]
    np.testing.assert_array_equal(model.modifiers.price_factor.at(slice(None))[:, 0], np.float32(1 - CUT))
    assert (model.step_table().loc[lambda t: t.firm_index == 0, PersonalOffers.name] > 0).all()


def test_functions_and_instances_are_accepted_as_strategies():
    assert make_strategy(cut_focal_price).function is cut_focal_price
    inst = PersonalOffers()
    assert make_strategy(inst) is inst


def test_modifiers_are_neutral_and_unallocated_without_programmes():
    model = market_with([])
    model.run()
    mods = model.modifiers
    assert mods.in_use() == [] and mods.nbytes() == 0
    rows, firms = np.arange(3), np.zeros(3, dtype=np.int64)
    assert mods.price_factor.at(rows, firms) == 1.0 and mods.price_factor.cut(rows) == 0.0
    assert mods.basket_factor.at(rows, firms) == 1.0
    for name in ("switching_bonus", "service_bonus", "belonging_bonus"):
        assert mods[name].at(rows, firms) == 0.0
    assert not mods.refusal.at(slice(None))


def test_replaced_customers_get_neutral_modifiers():
    model = market_with([PersonalOffers()])
    gen = model.customers.generation.copy()
    model.step()
    model.modifiers.service_bonus.array()[:] = 1.0
    for _ in range(5):
        model.step()
    replaced = model.customers.generation != gen
    assert replaced.any()
    # newcomers' modifiers were reset; the offer is set again for everyone at the next offer phase
    assert (model.modifiers.service_bonus.array()[replaced] == 0).all()
    assert (model.modifiers.service_bonus.array()[~replaced] == 1).all()


def private_accesses(path: Path) -> list[str]:
    """Attribute accesses ``x._name`` (one leading underscore, not a dunder)
    on anything but ``self`` or ``cls``, as ``path:line: expression``."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))
        ):
            out.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)}")
    return out


@pytest.mark.parametrize("package", ["strategies", "experiments"])
def test_no_private_access_from_strategies_or_experiments(package):
    found = [hit for path in sorted((ROOT / package).rglob("*.py")) for hit in private_accesses(path)]
    assert found == []


class VisitCounter(Strategy):
    """Counts, after each step, the visits the step's purchases held by
    :meth:`Strategy.visits`, and what the buyers' rows hold by then."""

    name = "test_visit_counter"

    def setup(self, ctx: StepContext) -> None:
        self.counted, self.rows_now, self.replaced_buyers = [], [], 0

    def after_step(self, ctx: StepContext) -> None:
        everything = np.ones(len(ctx.purchases.buyers), dtype=bool)
        self.counted.append(self.visits(ctx, everything))
        self.rows_now.append(float(ctx.customers.visits_per_purchase[ctx.purchases.buyers].astype(np.float64).sum()))
        self.replaced_buyers += int(self.replaced_customers(ctx)[ctx.purchases.buyers].sum())


def test_a_programme_counts_the_visits_its_purchases_held_though_a_buyer_was_replaced_in_the_step():
    """A monthly market (a purchase holds a customer's visits of the month),
    with customers leaving the category often: a buyer who left in the step
    is a newcomer's row by the time programmes look, yet the purchase's
    visits are the leaver's. They add up to the step's visits."""
    cfg = market_config(load_market_preset("retail"), n_customers=400, burn_in=0, steps=24, steps_per_year=12)
    cfg = dataclasses.replace(cfg, customers=dataclasses.replace(cfg.customers, exit_per_year_mean=3.0))
    counter = VisitCounter()
    firms = [dataclasses.replace(cfg.firms[0], strategies=[counter]), *cfg.firms[1:]]
    model = LoyaltyModel(market=dataclasses.replace(cfg, firms=firms), seed=SEED)
    table = model.run()
    np.testing.assert_allclose(counter.counted, table.groupby("step")["visits"].sum().to_numpy(), rtol=1e-9)
    assert counter.replaced_buyers > 0 and counter.counted != counter.rows_now
