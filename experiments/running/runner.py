"""Run an experiment: scenarios x replications, in parallel processes.

Each replication (all scenarios on one seed, :func:`experiments.running.scenarios.run_replication`)
is one task; tasks run in ``experiment.workers`` processes through joblib
(each engine then on one thread), and their tables are put back in
replication order, so the results do not depend on the number of workers.
The workers ignore Ctrl-C: the app stops them (:mod:`experiments.running.interruption`),
and joblib keeps them for the next experiment until the app shuts the pool
down (:func:`experiments.running.interruption.stop_workers`).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any, Iterable

import pandas as pd

from experiments.running.config import ExperimentConfig
from experiments.running.scenarios import Scenario, build_scenarios, run_replication
from sim.blocks import available_cores
from sim.config import MarketConfig


@dataclass
class ExperimentResult:
    """The tidy tables of an experiment."""

    scenarios: list[Scenario]
    steps: pd.DataFrame  # one row per scenario x replication x step x firm
    runs: pd.DataFrame  # one row per scenario x replication x firm
    transactions: pd.DataFrame | None = None  # one row per purchase (experiment.record_transactions)
    #: true and observed retention per firm and acquisition cohort at each year end (sim.retention)
    retention: pd.DataFrame | None = None
    #: each firm's current relationships by tenure band at the end: revenue, margin, barely profitable
    #: (sim.tenure_value)
    tenure: pd.DataFrame | None = None


def workers_for(experiment: ExperimentConfig) -> int:
    """Processes to use: the configured number (0: all cores), at most one per replication."""
    return max(1, min(experiment.workers or available_cores(), experiment.replications))


def run_experiment(
    market: MarketConfig, experiment: ExperimentConfig, progress: bool | None = None
) -> ExperimentResult:
    """Run every scenario of ``experiment`` for its replications (common random numbers)."""
    scenarios = build_scenarios(market, experiment.scenarios)
    workers = workers_for(experiment)
    threads = 1 if workers > 1 else market.engine.threads
    seeds = [(r, experiment.seed + r) for r in range(experiment.replications)]
    show = experiment.progress if progress is None else progress
    record = experiment.record_transactions
    if workers == 1:
        results: Iterable = (run_replication(scenarios, r, s, threads, record) for r, s in seeds)
    else:
        from joblib import delayed

        from experiments.running.interruption import run_in_workers

        results = run_in_workers(
            (delayed(run_replication)(scenarios, r, s, threads, record) for r, s in seeds),
            workers,
            return_as="generator_unordered",
        )
    collected = list(_with_progress(results, len(seeds), show, f"{experiment.name}: {len(scenarios)} scenarios"))
    order = [s.name for s in scenarios]
    steps = _assemble([c.steps for c in collected], order, ["step", "firm_index"])
    runs = _assemble([c.runs for c in collected], order, ["firm"])
    purchases = _assemble([c.transactions for c in collected], order, ["week"]) if record else None
    retention = _assemble([c.retention for c in collected], order, [])
    tenure = _assemble([c.tenure for c in collected], order, [])
    return ExperimentResult(scenarios, steps, runs, purchases, retention, tenure)


def _with_progress(items: Iterable, total: int, show: bool, what: str) -> Iterable:
    if not show:
        return items
    from tqdm import tqdm

    return tqdm(items, total=total, desc=what, unit="replication", file=sys.stderr, dynamic_ncols=True)


def _assemble(frames: list[pd.DataFrame], order: list[str], within: list[str]) -> pd.DataFrame:
    """Concatenate in scenario, replication order; a cost category that only
    some scenarios book reads 0 in the others."""
    columns = [set(f.columns) for f in frames]
    table = pd.concat(frames, ignore_index=True)
    partial = [c for c in table.columns if any(c not in cols for cols in columns)]
    if partial:
        table[partial] = table[partial].fillna(0.0)
    table["scenario"] = pd.Categorical(table["scenario"], categories=order, ordered=True)
    by = ["scenario", "replication"] + [c for c in within if c in table.columns]
    if "firm" in within:  # keep the firms in the market's order
        table["_firm_order"] = table.groupby(["scenario", "replication"], observed=True).cumcount()
        by = ["scenario", "replication", "_firm_order"]
    table = table.sort_values(by, kind="stable").drop(columns=["_firm_order"], errors="ignore")
    table["scenario"] = table["scenario"].astype(str)
    return table.reset_index(drop=True)


def experiment_config(cfg: Any) -> tuple[MarketConfig, ExperimentConfig]:
    """The typed market and experiment of a validated app config."""
    from experiments.running.config import AppConfig
    from sim.config import to_dataclass

    app = to_dataclass(cfg, AppConfig)
    return app.market, app.experiment
