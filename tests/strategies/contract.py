"""The generic tests every strategy passes (Axelrod's TestPlayer).

A strategy's test module subclasses :class:`StrategyContract`, names the
strategy, the parameters that make it act in a small market and one bad value,
and then only states the strategy's signature effect. The helpers
:meth:`StrategyContract.run` and :meth:`StrategyContract.baseline` run the same
market on the same seeds (common random numbers) with and without it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pytest

from sim.config import ConfigError
from sim.ledger import BASE_COSTS
from sim.model import LoyaltyModel
from strategies.registry import REGISTRY, available, load_builtin, make_strategy
from tests.sim.test_conservation import check_books, check_states

ROOT = Path(__file__).resolve().parents[2]

#: a small retail market for the generic tests
SMALL = dict(market="retail", n_customers=1500, burn_in=30, steps=40)


def build_market(firms_strategies: dict[int, list], seed: int = 0, **market: Any) -> LoyaltyModel:
    """The SMALL market (``market`` overrides its keys) where firm ``i`` runs
    ``firms_strategies[i]``, built but not run, so that a test can step it
    and look at the customers on the way."""
    kw = {**SMALL, **market}
    probe = LoyaltyModel(market=kw["market"], seed=seed, n_customers=10, burn_in=0)
    firms = [dataclasses.asdict(f) for f in probe.config.firms]
    for i, specs in firms_strategies.items():
        firms[i]["strategies"] = list(specs)
    return LoyaltyModel(seed=seed, firms=firms, **kw)


def run_market(
    firms_strategies: dict[int, list], seed: int = 0, keep: bool = False, **market: Any
) -> LoyaltyModel | pd.DataFrame:
    """Run a market where firm ``i`` runs ``firms_strategies[i]``; the step
    table, or the model itself with ``keep``."""
    model = build_market(firms_strategies, seed, **market)
    model.run()
    return model if keep else model.step_table()


class StrategyContract:
    """Generic tests; subclasses set the class attributes below."""

    name: ClassVar[str]
    #: parameters that make the strategy act within SMALL's 40 reported steps
    params: ClassVar[dict] = {}
    #: a parameter and a value outside its allowed range
    bad_value: ClassVar[tuple[str, Any]]
    #: the firm that runs it (0: the focal firm)
    firm: ClassVar[int] = 0

    @pytest.fixture(autouse=True)
    def _strategies_registered(self) -> None:
        """The registry fills as strategy modules are imported: a test may
        be the first of its process (pytest-xdist hands out single tests)."""
        load_builtin()

    # ------------------------------------------------------------ helpers
    def spec(self, **params: Any) -> dict:
        return {"name": self.name, **self.params, **params}

    def run(self, seed: int = 0, keep: bool = False, **params: Any):
        return run_market({self.firm: [self.spec(**params)]}, seed=seed, keep=keep)

    def baseline(self, seed: int = 0, keep: bool = False):
        return run_market({}, seed=seed, keep=keep)

    # ------------------------------------------------------------ generic tests
    def test_registered_with_a_description_and_a_documented_config(self):
        assert self.name in available()
        cls = REGISTRY[self.name]
        assert cls.description and cls.__doc__ and len(cls.__doc__) > 200
        for f in dataclasses.fields(cls.config_class):
            assert f.metadata.get("doc"), f"{self.name}.{f.name} has no documentation"

    def test_given_by_name_by_dict_or_as_instance(self):
        cls = REGISTRY[self.name]
        assert isinstance(make_strategy(self.name), cls)
        by_dict = make_strategy(self.spec())
        assert isinstance(by_dict, cls)
        assert make_strategy(by_dict) is by_dict

    def test_config_round_trip(self):
        first = make_strategy(self.spec()).config
        again = make_strategy({"name": self.name, **dataclasses.asdict(first)}).config
        assert again == first

    def test_hydra_composes_its_schema_to_the_defaults(self, tmp_path):
        """The config class is the one source of the defaults: Hydra's
        ConfigStore holds it as ``strategy/<name>_schema``, with no YAML copy."""
        from hydra import compose, initialize_config_dir
        from omegaconf import OmegaConf

        load_builtin()  # every strategy's schema is in the ConfigStore, whatever ran before
        with initialize_config_dir(version_base="1.3", config_dir=str(tmp_path), job_name="contract"):
            cfg = compose(config_name=f"strategy/{self.name}_schema")
        params = OmegaConf.to_container(cfg.strategy, resolve=True)
        assert make_strategy({"name": self.name, **params}).config == REGISTRY[self.name].config_class()
        assert not (ROOT / "conf" / "strategy" / f"{self.name}.yaml").exists()

    def test_a_bad_value_names_key_value_and_what_is_allowed(self):
        key, value = self.bad_value
        with pytest.raises(ConfigError, match=rf"^strategy\.{self.name}\.{key} = {value!r}: must"):
            make_strategy(self.spec(**{key: value}))

    def test_an_unknown_key_is_refused(self):
        with pytest.raises(ConfigError, match=rf"strategy\.{self.name}\.bogus = 1: unknown key"):
            make_strategy(self.spec(bogus=1))

    def test_same_seed_same_result(self):
        pd.testing.assert_frame_equal(self.run(seed=5), self.run(seed=5), check_exact=True)

    def test_customers_and_money_are_conserved_and_its_costs_booked(self):
        model = self.run(seed=1, keep=True)
        check_states(model)
        table = model.step_table()
        categories = [c for c in model.ledger.categories if c in table.columns]
        check_books(table, categories)
        own = [c for c in categories if c not in BASE_COSTS]
        assert self.name in own, f"{self.name} booked no costs under its own category"
        assert table[self.name].sum() > 0

    def test_an_empty_schedule_is_the_baseline_bit_for_bit(self):
        idle = self.run(seed=2, start=SMALL["steps"] + 1)
        pd.testing.assert_frame_equal(idle, self.baseline(seed=2), check_exact=True)


def mean_after(table: pd.DataFrame, column: str, firm: int = 0, start: int = 1, stop: int | None = None) -> float:
    """Mean of a step-table column for a firm over reported steps [start, stop)."""
    rows = table[(table.firm_index == firm) & (table.step >= start)]
    if stop is not None:
        rows = rows[rows.step < stop]
    return float(rows[column].mean())


def total(table: pd.DataFrame, column: str, firm: int = 0) -> float:
    return float(table.loc[table.firm_index == firm, column].sum())


__all__ = ["StrategyContract", "build_market", "run_market", "mean_after", "total", "SMALL", "np"]
