"""The strategy plug-in mechanism: registration, resolution, schedule, hooks."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from sim.config import ConfigError
from sim.model import LoyaltyModel
from strategies.base import Strategy, StrategyConfig
from strategies.registry import REGISTRY, make_strategy, register


@dataclass
class DiscountConfig(StrategyConfig):
    depth: float = 0.3


@pytest.fixture
def discount_strategy():
    @register
    class _Discount(Strategy):
        name = "test_discount"
        description = "a flat discount while scheduled"
        config_class = DiscountConfig

        def adjust_offer(self, ctx):
            if self.active(ctx):
                ctx.firm.discount = self.config.depth

        def after_step(self, ctx):
            if self.active(ctx):
                self.book(ctx, 100.0)

    yield _Discount
    REGISTRY.pop("test_discount")


def test_unknown_strategy_lists_the_available_ones(discount_strategy):
    with pytest.raises(ConfigError, match="'nope'.*available: .*test_discount"):
        make_strategy("nope")


def test_strategy_by_name_dict_or_instance(discount_strategy):
    assert make_strategy("test_discount").config.depth == 0.3
    assert make_strategy({"name": "test_discount", "depth": 0.1}).config.depth == 0.1
    inst = discount_strategy(DiscountConfig(depth=0.2))
    assert make_strategy(inst) is inst
    with pytest.raises(ConfigError, match="test_discount.bogus = 1: unknown key"):
        make_strategy({"name": "test_discount", "bogus": 1})


def test_scheduled_strategy_changes_offer_and_books_its_costs(discount_strategy):
    firms = [
        {"name": "Focal", "strategies": [{"name": "test_discount", "start": 3, "duration": 2}]},
        {"name": "Rival", "price": 0.9},
    ]
    m = LoyaltyModel(seed=0, n_customers=500, burn_in=5, firms=firms)
    t = m.run(6)
    focal = t[t.firm_index == 0].set_index("step")
    assert list(focal["test_discount"] > 0) == [False, False, True, True, False, False]
    costs = [c for c in t.columns if c not in ("revenue", "costs", "profit") and c in m.ledger.categories]
    assert (t[costs].sum(axis=1) - t["costs"]).abs().max() < 1e-6
    base = LoyaltyModel(seed=0, n_customers=500, burn_in=5, firms=[{"name": "Focal"}, {"name": "Rival", "price": 0.9}])
    tb = base.run(6)
    # identical before the schedule starts (common random numbers), different during it
    assert tb[tb.step <= 2]["revenue"].tolist() == t[t.step <= 2]["revenue"].tolist()
    assert tb[tb.step == 3]["revenue"].tolist() != t[t.step == 3]["revenue"].tolist()


def test_every_strategy_module_registers_itself_and_is_listed(capsys):
    """Each file of strategies/ but the shared parts (base, registry,
    targeting) defines one registered strategy; the catalogue
    (python -m experiments.cli.market --list-strategies) lists it with its parameters."""
    from pathlib import Path

    from experiments.cli.market import main
    from strategies.registry import available

    files = {
        p.stem
        for p in (Path(__file__).resolve().parents[2] / "strategies").glob("*.py")
        if p.stem not in {"__init__", "__main__", "base", "registry", "targeting"}
    }
    assert files and files <= set(available())
    main(["--list-strategies"])
    out = capsys.readouterr().out
    for name in files:
        cls = REGISTRY[name]
        assert f"{name}: {cls.description}" in out
    assert "quality_gain" in out and "[0.0, 1.0]" in out
