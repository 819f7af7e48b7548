"""Scenarios of an experiment, and one replication of all of them.

A scenario is the experiment's market with the firm changes and strategies
it names. Replication ``r`` of every scenario starts from the same seed, so
all scenarios share their random streams (common random numbers)
and differ only through what the scenario changes.

Scenarios whose markets differ only in strategies also share their burn-in:
strategies are inert before their start (``Strategy.observes_burn_in`` is
False for all but those that watch the market from the first step), so the
burn-in of the market without strategies is simulated once and each scenario
continues from a copy of it with its strategies attached. This gives results
bit-identical to building each scenario's model from scratch
(tests/experiments/running/test_scenarios.py) and saves most of the burn-in's time.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass
from typing import Any

import pandas as pd

from experiments.running.config import ScenarioConfig
from experiments.running.kpis import run_kpis
from sim.config import MarketConfig, to_dataclass
from sim.model import LoyaltyModel
from sim.transactions import TransactionLog
from strategies.registry import REGISTRY, load_builtin

#: columns that say where a row of an experiment's tables comes from
KEYS = ["scenario", "replication", "seed"]


@dataclass(frozen=True)
class Scenario:
    """A named market: the experiment's market with the scenario's changes."""

    name: str
    description: str
    market: MarketConfig

    @property
    def without_strategies(self) -> MarketConfig:
        """The same market with no firm running any strategy."""
        firms = [dataclasses.replace(f, strategies=[]) for f in self.market.firms]
        return dataclasses.replace(self.market, firms=firms)

    @property
    def shares_burn_in(self) -> bool:
        """True if every strategy here is inert before it starts."""
        load_builtin()
        return not any(_observes_burn_in(spec) for f in self.market.firms for spec in f.strategies)


def _observes_burn_in(spec: Any) -> bool:
    if isinstance(spec, str):
        name = spec
    elif isinstance(spec, dict):
        name = spec.get("name")
    else:
        name = getattr(spec, "name", None)
    cls = REGISTRY.get(str(name))
    return bool(cls is None or cls.observes_burn_in)


def build_scenarios(market: MarketConfig, scenarios: list) -> list[Scenario]:
    """The scenarios (configs, dicts or DictConfigs) applied to ``market``.

    A scenario's strategies are added to those the market already gives a
    firm; its firm changes replace the firm's settings."""
    out = []
    for raw in scenarios:
        sc = raw if isinstance(raw, ScenarioConfig) else to_dataclass(raw, ScenarioConfig)
        firms = []
        for firm in market.firms:
            changes = dict(sc.firms.get(firm.name, {}))
            extra = list(sc.strategies.get(firm.name, []))
            firms.append(dataclasses.replace(firm, **changes, strategies=list(firm.strategies) + extra))
        out.append(Scenario(sc.name, sc.description, dataclasses.replace(market, firms=firms)))
    return out


def with_engine_threads(market: MarketConfig, threads: int) -> MarketConfig:
    """The market with its engine on ``threads`` threads (results do not change)."""
    return dataclasses.replace(market, engine=dataclasses.replace(market.engine, threads=threads))


def attach_strategies(base: LoyaltyModel, market: MarketConfig) -> LoyaltyModel:
    """A copy of a burnt-in model whose firms run ``market``'s strategies from now on."""
    model = copy.deepcopy(base)
    model.config = market
    for firm, config in zip(model.firms, market.firms):
        firm.config = config
        model.set_strategies(firm, config.strategies)
    return model


@dataclass
class Replication:
    """The tables of one replication of every scenario, the
    columns :data:`KEYS` first."""

    steps: pd.DataFrame  # one row per scenario x step x firm
    runs: pd.DataFrame  # one row per scenario x firm
    transactions: pd.DataFrame | None = None  # one row per purchase, if recorded
    retention: pd.DataFrame | None = None  # one row per scenario x year end x firm x cohort year
    tenure: pd.DataFrame | None = None  # one row per scenario x firm x tenure band, at the end


def run_replication(
    scenarios: list[Scenario], replication: int, seed: int, threads: int = 1, transactions: bool = False
) -> Replication:
    """Run every scenario on ``seed``; with ``transactions``, record every
    purchase too (:class:`sim.transactions.TransactionLog`)."""
    burnt_in: dict[int, tuple[MarketConfig, LoyaltyModel]] = {}
    steps, runs, purchases, retention, tenure = [], [], [], [], []
    for scenario in scenarios:
        market = with_engine_threads(scenario.market, threads)
        if scenario.shares_burn_in:
            plain = with_engine_threads(scenario.without_strategies, threads)
            key = next((k for k, (m, _) in burnt_in.items() if m == plain), None)
            if key is None:
                key = len(burnt_in)
                burnt_in[key] = (plain, LoyaltyModel(market=plain, seed=seed))
            model = attach_strategies(burnt_in[key][1], market)
        else:
            model = LoyaltyModel(market=market, seed=seed)
        log = TransactionLog(model) if transactions else None
        table = log.run() if log else model.run()
        kpis = run_kpis(table, market.steps_per_year)
        bought = [log.table()] if log else []
        cohorts = model.retention_by_cohort()
        by_tenure = model.value_by_tenure()
        for frame in (table, kpis, cohorts, by_tenure, *bought):
            frame.insert(0, "seed", seed)
            frame.insert(0, "replication", replication)
            frame.insert(0, "scenario", scenario.name)
        steps.append(table)
        runs.append(kpis)
        purchases += bought
        retention.append(cohorts)
        tenure.append(by_tenure)
    return Replication(
        pd.concat(steps, ignore_index=True),
        pd.concat(runs, ignore_index=True),
        pd.concat(purchases, ignore_index=True) if transactions else None,
        pd.concat(retention, ignore_index=True),
        pd.concat(tenure, ignore_index=True),
    )
