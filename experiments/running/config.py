"""Typed configuration of an experiment.

An experiment is a market (``market``, as in :class:`sim.config.MarketConfig`)
and a list of scenarios, each naming the strategies that firms run in it and,
where a lesson needs it, firm settings it changes (a rival that enters, a
higher price). Every scenario is run for the same replications; replication
``r`` uses the seed ``experiment.seed + r`` in every scenario (common random
numbers). ``experiments/running/schema.py`` registers :class:`AppConfig` with Hydra as
``app_schema``; ``conf/app.yaml`` extends it and ``conf/experiment/*.yaml``
are the named experiments.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from experiments.running.kpis import ALL_KPIS, KPIS
from sim.config import ConfigError, FirmConfig, MarketConfig, check_entry, param, validate


@dataclass
class ScenarioConfig:
    """One scenario of an experiment: what differs from the market as configured."""

    name: str = param("baseline", doc="scenario name, unique in the experiment", nonblank=True)
    description: str = param("", doc="what the scenario shows (printed in the report)")
    strategies: dict = param(
        {}, doc="firm name -> strategies it runs here (names, or mappings {name: <strategy>, <key>: value})"
    )
    firms: dict = param({}, doc="firm name -> firm keys changed in this scenario (e.g. {Challenger: {entry_week: 26}})")


def _default_scenarios() -> list:
    """The default experiment: the four headline strategies and one combination."""
    return [
        ScenarioConfig("baseline", "the focal firm runs no programme"),
        ScenarioConfig(
            "price_war",
            "a 20% discount for 12 weeks; the rivals keep their prices (000, 001, 003)",
            {"Focal": ["price_war"]},
        ),
        ScenarioConfig(
            "club_marketing", "a members' club for the top customers by value (000)", {"Focal": ["club_marketing"]}
        ),
        ScenarioConfig(
            "differentiated_service",
            "personal service for the best customers (000)",
            {"Focal": ["differentiated_service"]},
        ),
        ScenarioConfig(
            "staff_loyalty", "wage premium, training, empowerment, recognition (001, 002)", {"Focal": ["staff_loyalty"]}
        ),
        ScenarioConfig(
            "service_and_staff",
            "differentiated service run by loyal staff (001: only loyal employees create loyal customers)",
            {"Focal": ["differentiated_service", "staff_loyalty"]},
        ),
    ]


@dataclass
class ExperimentConfig:
    """Scenarios x replications compared with a baseline."""

    name: str = param("default", doc="experiment name (the file in conf/experiment/)")
    description: str = param(
        "The focal firm under each of the four headline strategies and one combination, against doing nothing.",
        doc="the lesson, shown in the report",
    )
    focal_firm: str = param("Focal", doc="the firm whose indicators are compared")
    baseline: str = param("baseline", doc="the scenario every other is compared with")
    scenarios: list[ScenarioConfig] = field(
        default_factory=_default_scenarios,
        metadata={
            "doc": "the scenarios, the baseline among them",
            "empty": "needs at least one scenario, the baseline (experiment.baseline)",
        },
    )
    replications: int = param(20, 2, 1_000_000, "replications of every scenario (common random numbers)")
    seed: int = param(0, 0, 2**63 - 1, "seed of replication 0; replication r uses seed + r in every scenario")
    confidence: float = param(0.95, 0.5, 0.9999, "confidence level of the intervals")
    rank_by: str = param("npv", doc="indicator the scenarios are ranked by", choices=tuple(ALL_KPIS))
    kpis: list[str] = param(list(KPIS), doc="indicators of the comparison table (see experiments/running/kpis.py)")
    workers: int = param(0, 0, 1024, "processes running replications (0: all available cores)")
    progress: bool = param(True, doc="show a progress bar")
    figures: bool = param(True, doc="draw the report's figures")
    steady_state_drift: float = param(
        3.0,
        0.0,
        100.0,
        "the report warns when a loyalty state's share of the people moves by more than this over the horizon "
        "in the baseline (the burn-in too short: the market still settling); the default market moves by about "
        "1.5 after its 156-week burn-in, 5.5 after 52 weeks and 20 with none",
        unit="percentage points a year",
        source="setting (not a behavioural assumption)",
    )
    steady_state_window_weeks: float = param(
        13.0,
        1.0,
        520.0,
        "the stretch at each end of the horizon whose mean state shares the drift compares (a quarter of a year)",
        unit="weeks",
        source="setting (not a behavioural assumption)",
    )
    record_transactions: bool = param(
        False,
        doc="also write every purchase (transactions.parquet: scenario, replication, customer, firm, week, amount)",
    )


@dataclass
class AppConfig:
    """The top-level config of ``loyalty-sim``: a market and an experiment on it."""

    market: MarketConfig = field(default_factory=MarketConfig)
    experiment: ExperimentConfig = field(default_factory=ExperimentConfig)


def validate_experiment(cfg: Any) -> None:
    """Check an app config (dict or DictConfig): the market, the experiment's
    keys and ranges, and that every scenario names known firms, strategies and
    firm keys. Raises one ConfigError naming key, value and what is allowed."""
    from strategies.registry import check_strategies

    data = cfg if isinstance(cfg, dict) else _container(cfg)
    validate(data, AppConfig)
    exp, market = data.get("experiment", {}), data.get("market", {})
    market_firms = market.get("firms", [dataclasses.asdict(f) for f in MarketConfig().firms])
    firms = [str(f.get("name")) for f in market_firms]
    steps = market.get("steps", MarketConfig.steps)
    steps_per_year = market.get("steps_per_year", MarketConfig.steps_per_year)
    kpis = exp.get("kpis", list(KPIS))
    if not kpis:
        raise ConfigError(f"experiment.kpis = []: must name at least one indicator; allowed: {', '.join(ALL_KPIS)}")
    for i, k in enumerate(kpis):
        if k not in ALL_KPIS:
            raise ConfigError(f"experiment.kpis[{i}] = {k!r}: must be one of {', '.join(ALL_KPIS)}")
        if k in kpis[:i]:
            raise ConfigError(f"experiment.kpis[{i}] = {k!r}: listed twice; name each indicator once")
    if exp.get("focal_firm", "Focal") not in firms:
        raise ConfigError(
            f"experiment.focal_firm = {exp['focal_firm']!r}: must be one of the market's firms ({', '.join(firms)})"
        )
    for i, firm in enumerate(market_firms):
        check_strategies(f"market.firms[{i}].strategies", firm.get("strategies", []), steps, steps_per_year)
        if firm.get("name") == exp.get("focal_firm", "Focal"):
            check_entry(f"market.firms[{i}].entry_week", firm.get("entry_week", 0), steps, steps_per_year)
    scenarios = exp.get("scenarios", _default_scenarios())
    if not scenarios:
        raise ConfigError(
            f"experiment.scenarios = []: needs at least one scenario, the baseline "
            f"(experiment.baseline = {exp.get('baseline', 'baseline')!r})"
        )
    names: list[str] = []
    for i, sc in enumerate(scenarios):
        where = f"experiment.scenarios[{i}]"
        if dataclasses.is_dataclass(sc):
            sc = dataclasses.asdict(sc)
        if not isinstance(sc, dict):
            raise ConfigError(
                f"{where} = {sc!r}: must be a mapping of scenario keys: "
                + ", ".join(f.name for f in dataclasses.fields(ScenarioConfig))
            )
        validate(sc, ScenarioConfig, where + ".")
        if sc.get("name") in names:
            raise ConfigError(f"{where}.name = {sc['name']!r}: scenario names must be distinct")
        names.append(sc.get("name", "baseline"))
        for kind, entries in (("strategies", sc.get("strategies", {})), ("firms", sc.get("firms", {}))):
            for firm, value in entries.items():
                key = f"{where}.{kind}.{firm}"
                if firm not in firms:
                    raise ConfigError(
                        f"{key} = {value!r}: {firm!r} is not a firm of the market; allowed: {', '.join(firms)}"
                    )
                if kind == "strategies":
                    check_strategies(key, value, steps, steps_per_year)
                    continue
                if not isinstance(value, dict):
                    raise ConfigError(f"{key} = {value!r}: must be a mapping of firm keys")
                if "strategies" in value or "name" in value:
                    raise ConfigError(
                        f"{key} = {value!r}: may not change the firm's name or strategies "
                        "(give strategies under the scenario's 'strategies')"
                    )
                validate(value, FirmConfig, key + ".")
                if "entry_week" in value:
                    check_entry(f"{key}.entry_week", value["entry_week"], steps, steps_per_year)
    if exp.get("baseline", "baseline") not in names:
        raise ConfigError(
            f"experiment.baseline = {exp.get('baseline', 'baseline')!r}: must be one of the "
            f"scenarios ({', '.join(names)})"
        )
    _check_memory(data, scenarios)


def _check_memory(data: dict, scenarios: list) -> None:
    """The experiment must fit in memory: each worker process holds a burnt-in
    market per distinct set of firm changes, and the scenario it runs."""
    from sim.blocks import available_cores
    from sim.config import to_dataclass
    from sim.memory_budget import check_fits

    app = to_dataclass(data, AppConfig)
    exp, market = app.experiment, app.market
    workers = max(1, min(exp.workers or available_cores(), exp.replications))
    changes = {
        repr(sorted((sc if isinstance(sc, dict) else dataclasses.asdict(sc)).get("firms", {}).items()))
        for sc in scenarios
    }
    per_worker = len(changes) + 1
    check_fits(
        market.n_customers,
        workers * per_worker,
        market.engine,
        f"{workers} worker{'s' if workers != 1 else ''} x {per_worker} markets",
    )


def _container(cfg: Any) -> dict:
    from omegaconf import OmegaConf

    return OmegaConf.to_container(cfg, resolve=True)  # type: ignore[return-value]
