"""Scenarios share their burn-in and random streams without changing results."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from experiments.running.config import ExperimentConfig, ScenarioConfig
from experiments.running.runner import run_experiment
from experiments.running.scenarios import attach_strategies, build_scenarios, run_replication
from sim.config import market_config
from sim.model import LoyaltyModel
from strategies.registry import REGISTRY, load_builtin

load_builtin()
SMALL = dict(n_customers=800, burn_in=40, steps=20, engine={"threads": 1})


def _numeric_equal(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    num = a.select_dtypes("number").columns
    return list(a.columns) == list(b.columns) and np.array_equal(a[num].to_numpy(), b[num].to_numpy(), equal_nan=True)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(n for n, cls in REGISTRY.items() if not cls.observes_burn_in))
def test_a_strategy_attached_after_a_shared_burn_in_gives_the_results_of_a_fresh_model(name):
    market = market_config(None, **SMALL)
    with_strategy = dataclasses.replace(
        market, firms=[dataclasses.replace(market.firms[0], strategies=[name]), *market.firms[1:]]
    )
    fresh = LoyaltyModel(market=with_strategy, seed=5).run()
    forked = attach_strategies(LoyaltyModel(market=market, seed=5), with_strategy).run()
    assert _numeric_equal(forked, fresh)


def test_win_back_watches_the_burn_in_so_it_is_never_attached_late():
    assert REGISTRY["win_back"].observes_burn_in
    market = market_config(None, **SMALL)
    (scenario,) = build_scenarios(market, [ScenarioConfig("wb", strategies={"Focal": ["win_back"]})])
    assert not scenario.shares_burn_in


def test_a_replication_equals_each_scenario_run_on_its_own():
    market = market_config(None, **SMALL)
    scenarios = build_scenarios(
        market,
        [
            ScenarioConfig("baseline"),
            ScenarioConfig("war", strategies={"Focal": [{"name": "price_war", "depth": 0.3}]}),
            ScenarioConfig("back", strategies={"Focal": ["win_back"]}),
            ScenarioConfig("dearer", firms={"Focal": {"price": 1.1}}),
        ],
    )
    rep = run_replication(scenarios, replication=2, seed=11)
    steps, runs = rep.steps, rep.runs
    assert rep.transactions is None
    for scenario in scenarios:
        alone = LoyaltyModel(market=scenario.market, seed=11).run()
        mine = steps[steps["scenario"] == scenario.name].reset_index(drop=True)
        assert _numeric_equal(mine[alone.columns], alone)
        assert mine.drop(columns=[*alone.columns, "scenario", "replication", "seed"]).isna().all().all()
    assert set(runs["scenario"]) == {s.name for s in scenarios}
    assert (runs["replication"] == 2).all() and (runs["seed"] == 11).all()


def test_scenario_firm_changes_and_strategies_add_to_the_market():
    market = market_config(None, **SMALL)
    firms = [dataclasses.replace(market.firms[0], strategies=["loyalty_points"]), *market.firms[1:]]
    market = dataclasses.replace(market, firms=firms)
    (sc,) = build_scenarios(
        market, [ScenarioConfig("s", strategies={"Focal": ["price_war"]}, firms={"Premium": {"entry_week": 10}})]
    )
    assert sc.market.firms[0].strategies == ["loyalty_points", "price_war"]
    assert sc.market.firms[2].entry_week == 10 and market.firms[2].entry_week == 0


@pytest.mark.slow
def test_results_do_not_depend_on_the_number_of_worker_processes():
    market = market_config(None, n_customers=600, burn_in=20, steps=10)
    scenarios = [ScenarioConfig("baseline"), ScenarioConfig("war", strategies={"Focal": ["price_war"]})]
    one = run_experiment(market, ExperimentConfig(scenarios=scenarios, replications=3, workers=1), progress=False)
    two = run_experiment(market, ExperimentConfig(scenarios=scenarios, replications=3, workers=2), progress=False)
    pd.testing.assert_frame_equal(one.steps, two.steps)
    pd.testing.assert_frame_equal(one.runs, two.runs)
    assert list(one.runs["scenario"].unique()) == ["baseline", "war"]
    assert list(one.runs["replication"].unique()) == [0, 1, 2]
    assert list(one.runs["firm"][:3]) == ["Focal", "Discounter", "Premium"]


def test_replications_share_seeds_across_scenarios_and_differ_between_replications():
    market = market_config(None, n_customers=600, burn_in=20, steps=10)
    scenarios = [ScenarioConfig("baseline"), ScenarioConfig("same")]  # no change at all
    res = run_experiment(
        market, ExperimentConfig(scenarios=scenarios, replications=2, seed=7, workers=1), progress=False
    )
    base = res.runs[res.runs.scenario == "baseline"].drop(columns="scenario").reset_index(drop=True)
    same = res.runs[res.runs.scenario == "same"].drop(columns="scenario").reset_index(drop=True)
    pd.testing.assert_frame_equal(base, same)
    assert sorted(res.runs["seed"].unique()) == [7, 8]
    r0, r1 = (base[base.replication == r]["npv"].to_numpy() for r in (0, 1))
    assert not np.array_equal(r0, r1)


def test_an_experiment_can_record_every_purchase_of_every_scenario():
    market = market_config(None, n_customers=500, burn_in=10, steps=6)
    scenarios = [ScenarioConfig("baseline"), ScenarioConfig("war", strategies={"Focal": ["price_war"]})]
    res = run_experiment(
        market,
        ExperimentConfig(scenarios=scenarios, replications=2, workers=1, record_transactions=True),
        progress=False,
    )
    tx = res.transactions
    assert list(tx.columns) == [
        "scenario",
        "replication",
        "seed",
        "customer_id",
        "firm",
        "week",
        "amount",
        "visits",
        "first",
    ]
    by_run = tx.groupby(["scenario", "replication", "firm"])["amount"].sum()
    revenue = res.steps.groupby(["scenario", "replication", "firm"])["revenue"].sum()
    assert np.allclose(by_run, revenue.loc[by_run.index], rtol=1e-9)
    from sim.transactions import customer_summary, run_summaries

    summary = run_summaries(tx, market.steps, ["Focal", "Discounter", "Premium"])
    one = tx[(tx.scenario == "war") & (tx.replication == 1)]
    expected = customer_summary(one, market.steps, "Focal")
    got = summary[(summary.scenario == "war") & (summary.replication == 1) & (summary.firm == "Focal")]
    pd.testing.assert_frame_equal(
        got.drop(columns=["scenario", "replication", "firm"]).reset_index(drop=True), expected.reset_index(drop=True)
    )
    weeks = tx.groupby(["scenario", "replication", "firm", "customer_id"])["week"].nunique()
    assert (
        summary.set_index(["scenario", "replication", "firm", "customer_id"])["frequency"]
        == weeks.loc[summary.set_index(["scenario", "replication", "firm", "customer_id"]).index] - 1
    ).all()
