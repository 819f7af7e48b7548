"""The shared evaluator: parameter points in, a KPI table out.

Every run is a tiny market (300 customers, 10 steps after 10 burn-in steps,
2 replications), so a point takes a fraction of a second; only the test that
starts worker processes is slow.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from experiments.analysis.evaluator import KPI_TABLE_COLUMNS, evaluate_points, point_configs
from experiments.cli.entry import compose_app
from sim.config import ConfigError

TINY = [
    "market.n_customers=300",
    "market.burn_in=10",
    "market.steps=10",
    "experiment.replications=2",
    "experiment.workers=1",
    "experiment.progress=false",
]
PRICE = "market.firms.0.price"


@pytest.fixture(scope="module")
def app() -> dict:
    """The app config of ``loyalty-sim`` on a tiny market (the default experiment: six scenarios)."""
    return compose_app(TINY, "app")


def test_a_points_value_reaches_its_run_a_dearer_focal_firm_ends_with_fewer_customers(app):
    points = pd.DataFrame({PRICE: [0.7, 1.6]}, index=["cheap", "dear"])
    table = evaluate_points(app, points, scenarios=[], kpis=["customers", "market_share"])
    assert list(table.columns) == KPI_TABLE_COLUMNS
    assert set(table["scenario"]) == {"baseline"} and set(table["firm"]) == {"Focal"}
    mean = table.set_index(["point", "kpi"])["mean"]
    assert mean[("dear", "customers")] < 0.7 * mean[("cheap", "customers")]
    assert mean[("dear", "market_share")] < mean[("cheap", "market_share")]


def test_the_table_has_a_row_per_point_scenario_and_kpi_in_order_and_the_baseline_differs_by_zero(app):
    points = pd.DataFrame({PRICE: [0.9, 1.1]})
    table = evaluate_points(app, points, scenarios=["price_war"], kpis=["npv", "retention_rate"])
    assert list(zip(table["point"], table["scenario"], table["kpi"])) == [
        (p, s, k) for p in (0, 1) for s in ("baseline", "price_war") for k in ("npv", "retention_rate")
    ]
    assert (table["n"] == 2).all()
    base = table[table["scenario"] == "baseline"]
    assert (base[["diff", "ci_low", "ci_high"]] == 0.0).all().all()
    assert (base["mean"] == base["baseline_mean"]).all()
    war = table[table["scenario"] == "price_war"]
    assert (war["diff"] != 0.0).all()  # the price war does change the focal firm's results
    assert ((war["ci_low"] <= war["diff"]) & (war["diff"] <= war["ci_high"])).all()


def test_a_point_gives_the_numbers_of_loyalty_sims_comparison_of_the_same_config(app):
    """The rows are statistics.compare of the point's own experiment: the same
    means, paired differences and intervals, bit for bit."""
    from experiments.running.runner import experiment_config, run_experiment
    from experiments.running.statistics import compare

    points = pd.DataFrame({PRICE: [1.2]})
    table = evaluate_points(app, points, scenarios=["price_war"], kpis=["npv", "revenue"], confidence=0.9)
    config = copy.deepcopy(app)
    config["market"]["firms"][0]["price"] = 1.2
    config["experiment"]["scenarios"] = config["experiment"]["scenarios"][:2]
    market, experiment = experiment_config(config)
    expected = compare(run_experiment(market, experiment).runs, "baseline", "Focal", ["npv", "revenue"], 0.9)
    pd.testing.assert_frame_equal(table.drop(columns=["point", "firm"]), expected, check_exact=True)


def test_without_points_the_app_config_is_one_point_and_is_left_unchanged(app):
    before = copy.deepcopy(app)
    table = evaluate_points(app, scenarios=["club_marketing"], baseline="price_war", firm="Discounter", kpis=["npv"])
    assert table["point"].tolist() == [0, 0] and set(table["firm"]) == {"Discounter"}
    assert table["scenario"].tolist() == ["price_war", "club_marketing"]  # the experiment's order
    assert table.loc[table["scenario"] == "price_war", "diff"].tolist() == [0.0]  # the baseline asked for
    assert app == before


def test_a_point_config_has_the_values_set_and_only_the_scenarios_asked_for(app):
    points = pd.DataFrame({"market.loyalty.repeat_purchases": [4.0], "market.firms[1].price": [0.75]})
    ((label, config),) = point_configs(app, points, scenarios=["price_war"], baseline="club_marketing")
    assert label == 0
    assert config["market"]["loyalty"]["repeat_purchases"] == 4
    assert isinstance(config["market"]["loyalty"]["repeat_purchases"], int)  # a whole-number key stays whole
    assert config["market"]["firms"][1]["price"] == 0.75
    assert [s["name"] for s in config["experiment"]["scenarios"]] == ["price_war", "club_marketing"]
    assert config["experiment"]["baseline"] == "club_marketing"


@pytest.mark.parametrize(
    "points, message",
    [
        (
            pd.DataFrame({PRICE: [1.0, -0.5]}, index=["ok", "negative"]),
            "point negative: market.firms[0].price = -0.5: must be in ",
        ),
        (
            pd.DataFrame({"market.customers.nope": [1.0]}),
            "point 0: market.customers.nope = 1.0: unknown key; allowed under market.customers: ",
        ),
        (pd.DataFrame({"market.firms.7.price": [1.0]}), "point 0: market.firms.7.price = 1.0: market.firms is a list"),
        (
            pd.DataFrame({"market.loyalty.repeat_purchases": [3.0, 3.5]}),
            "point 1: market.loyalty.repeat_purchases = 3.5: must be a whole number",
        ),
        (pd.DataFrame({PRICE: [np.nan]}), "point 0: market.firms[0].price = nan: must be a finite number"),
    ],
)
def test_a_bad_key_or_value_is_one_line_naming_the_point_before_anything_runs(app, points, message, monkeypatch):
    import experiments.analysis.evaluator as evaluator

    monkeypatch.setattr(evaluator, "evaluate_config", lambda *job: pytest.fail("a point ran"))
    with pytest.raises(ConfigError) as error:
        evaluate_points(app, points)
    text = str(error.value)
    assert "\n" not in text and text.startswith(message), text


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"firm": "Nobody"}, "firm = 'Nobody': must be one of the market's firms (Focal, "),
        ({"kpis": ["npv", "nope"]}, "kpis = ['npv', 'nope']: 'nope' is not an indicator"),
        ({"kpis": []}, "kpis = []: must name at least one indicator"),
        ({"scenarios": ["nope"]}, "scenarios = ['nope']: 'nope' is not a scenario of experiment 'default'"),
        ({"baseline": "nope"}, "baseline = 'nope': 'nope' is not a scenario of experiment 'default'"),
    ],
)
def test_a_bad_reading_is_one_line_naming_what_is_allowed(app, kwargs, message):
    with pytest.raises(ConfigError) as error:
        evaluate_points(app, pd.DataFrame({PRICE: [1.0]}), **kwargs)
    assert str(error.value).startswith(message), str(error.value)


def test_no_points_run_nothing_and_give_an_empty_table(app):
    table = evaluate_points(app, pd.DataFrame({PRICE: []}))
    assert table.empty and list(table.columns) == KPI_TABLE_COLUMNS


def test_a_key_given_twice_is_refused(app):
    points = pd.DataFrame([[1.0, 1.1]], columns=[PRICE, PRICE])
    with pytest.raises(ConfigError, match="a key is given twice"):
        evaluate_points(app, points)


@pytest.mark.slow
def test_results_do_not_depend_on_the_number_of_workers(app):
    points = pd.DataFrame({PRICE: [0.8, 1.0, 1.3], "market.customers.visits_per_year_mean": [20.0, 26.0, 16.0]})
    kwargs = dict(scenarios=["price_war"], kpis=["npv", "customers"])
    one = evaluate_points(app, points, workers=1, **kwargs)
    two = evaluate_points(app, points, workers=2, **kwargs)
    pd.testing.assert_frame_equal(one, two, check_exact=True)
    assert one["mean"].nunique() > 2  # the points differ
