"""Strategy maps: where a strategy pays over market conditions (loyalty-sim-map)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from experiments.analysis.evaluator import evaluate_points, point_app
from experiments.analysis.map_index import index_markdown
from experiments.analysis.map_plots import report_markdown
from experiments.analysis.strategy_map import (
    LOSES,
    PAYS,
    UNCLEAR,
    Condition,
    adjusted_verdicts,
    MapConfig,
    compose_map,
    design,
    lesson_map,
    plan_of,
    read_map,
    run_and_write,
    shipped_maps,
    verdicts,
)
from experiments.running.config_keys import get_key, rescaled_shares, set_value
from sim.config import ConfigError
from sim.config_loading import CONF_DIR

#: a small, short market: a map of 2 x 2 points in seconds
SMALL = [
    "market.n_customers=300",
    "market.burn_in=8",
    "market.steps=12",
    "experiment.replications=2",
    "map.levels=2",
    "map.workers=1",
    "map.progress=false",
]
STEPS = "{key: market.steps, lo: 8, hi: 16, label: 'horizon (weeks)'}"
SERVICE = "{key: market.customers.segments.2.share, lo: 0.1, hi: 0.7, label: service share}"


def test_a_segment_share_set_as_a_condition_takes_the_others_shares_in_proportion():
    app = compose_map([])
    before = [s["share"] for s in app["market"]["customers"]["segments"]]
    set_value(app, "market.customers.segments.2.share", 0.6)
    after = [s["share"] for s in app["market"]["customers"]["segments"]]
    assert after[2] == 0.6 and abs(sum(after) - 1.0) < 1e-12
    assert after[0] / after[1] == pytest.approx(before[0] / before[1])
    assert rescaled_shares([0.0, 0.0, 1.0], 2, 0.4) == [0.3, 0.3, 0.4]


def test_a_grid_runs_every_combination_and_whole_number_conditions_only_at_whole_values():
    conditions = [Condition("market.steps", 52, 60, "horizon"), Condition("market.firms.1.price", 0.8, 1.0, "price")]
    points = design(conditions, [True, False], MapConfig(design="grid", levels=4))
    assert list(points.columns) == ["market.steps", "market.firms.1.price"]
    assert sorted(points["market.steps"].unique()) == [52, 55, 57, 60]
    assert points["market.steps"].dtype == np.int64
    assert len(points) == 16 and not points.duplicated().any()


def test_a_latin_hypercube_is_seeded_and_stays_in_the_ranges():
    conditions = [Condition("market.steps", 52, 260, "horizon"), Condition("market.firms.1.price", 0.8, 1.0, "price")]
    one = design(conditions, [True, False], MapConfig(design="lhs", samples=30, seed=3))
    again = design(conditions, [True, False], MapConfig(design="lhs", samples=30, seed=3))
    other = design(conditions, [True, False], MapConfig(design="lhs", samples=30, seed=4))
    assert one.equals(again) and not one.equals(other)
    assert len(one) == 30 and one["market.steps"].between(52, 260).all()
    assert one["market.firms.1.price"].between(0.8, 1.0).all()
    # a Latin hypercube: each tenth of a range holds three points
    assert (np.bincount(((one["market.firms.1.price"] - 0.8) / 0.02).astype(int).clip(0, 9)) == 3).all()


def test_testing_every_point_keeps_only_the_calls_that_survive_the_false_discovery_rate():
    """25 points whose intervals just clear 0 (p about 0.04 each, what chance alone gives at 1 in 20)
    lose their calls after the Benjamini-Hochberg adjustment, unless most points are that clear;
    a point far from 0 keeps its call."""
    from scipy import stats

    q = stats.t.ppf(0.975, 5)
    se = 1.0
    diffs = np.array([2.8 * se] + [0.0] * 23 + [-40 * se])
    points = pd.DataFrame({"diff": diffs, "ci_low": diffs - q * se, "ci_high": diffs + q * se})
    plain = verdicts(points["ci_low"], points["ci_high"])
    adjusted = adjusted_verdicts(points, 0.95, 6, 0.05)
    assert plain[0] == PAYS and adjusted[0] == UNCLEAR
    assert plain[-1] == LOSES and adjusted[-1] == LOSES
    assert (adjusted[1:-1] == UNCLEAR).all()
    all_clear = pd.DataFrame({"diff": [2.8] * 25, "ci_low": [2.8 - q] * 25, "ci_high": [2.8 + q] * 25})
    assert (adjusted_verdicts(all_clear, 0.95, 6, 0.05) == PAYS).all()


def test_a_point_pays_only_when_its_whole_interval_lies_above_zero():
    low = np.array([1.0, -5.0, -1.0, 0.0])
    high = np.array([9.0, -1.0, 3.0, 2.0])
    assert verdicts(low, high).tolist() == [PAYS, LOSES, UNCLEAR, UNCLEAR]


@pytest.mark.parametrize(
    "overrides, message",
    [
        ([f"map.conditions=[{STEPS}]"], "map.conditions = 1 conditions: a map shows 2 to 4"),
        (["map.scenario=baseline"], "map.scenario = 'baseline': must differ from the baseline"),
        (["map.scenario=nosuch"], "map.scenario = 'nosuch': must be one of the experiment's scenarios"),
        (["map.choose=2"], "map.choose = 2: must be below the number of conditions listed (2)"),
        (["map.choose=1", f"map.conditions=[{STEPS},{SERVICE}]"], "map.choose = 1: must be 0 or 2 to 4"),
        (["map.firm=Nobody"], "map.firm = 'Nobody': must be one of the market's firms"),
    ],
)
def test_a_map_that_cannot_be_drawn_is_refused_before_anything_runs(overrides, message):
    with pytest.raises(ConfigError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        plan_of(compose_map(overrides))


def test_a_map_of_a_kpi_that_is_not_money_is_refused():
    with pytest.raises(ConfigError, match="^map.kpi = 'churn_rate'"):
        plan_of(compose_map(["map.kpi=churn_rate"]))


def test_every_named_map_composes_and_is_checked():
    names = sorted(p.stem for p in (CONF_DIR / "map").glob("*.yaml"))
    assert len(names) >= 15
    for name in names:
        plan = plan_of(compose_map([f"map={name}"]))
        assert plan.scenario != plan.baseline


def test_the_map_writes_its_points_rule_report_and_figures_with_each_verdict_from_its_interval(tmp_path):
    container = compose_map([*SMALL, f"map.conditions=[{STEPS},{SERVICE}]"])
    result = run_and_write(container, tmp_path)
    for name in (
        "points.csv",
        "points.parquet",
        "map.json",
        "map.md",
        "config.yaml",
        "figures/map.png",
        "figures/map.svg",
    ):
        assert (tmp_path / name).exists(), name
    points, meta = read_map(tmp_path)
    assert len(points) == 4 and sorted(points["market.steps"].unique()) == [8, 16]
    assert (points["verdict"] == verdicts(points["ci_low"], points["ci_high"])).all()
    assert set(points["verdict_fdr"]) <= {PAYS, LOSES, UNCLEAR}
    assert ((points["verdict_fdr"] == UNCLEAR) | (points["verdict_fdr"] == points["verdict"])).all()
    assert sum(meta["counts"].values()) == 4
    assert meta["current"] == {"market.steps": 12.0, "market.customers.segments.2.share": 0.2}
    assert meta["rule_text"][PAYS].startswith("club_marketing pays")
    assert pd.read_parquet(tmp_path / "points.parquet").equals(result.points)
    assert "## Where it pays" in (tmp_path / "map.md").read_text(encoding="utf-8")


def test_the_map_reads_the_same_paired_differences_as_the_shared_evaluator(tmp_path):
    """Every point is the experiment of that point on common random numbers:
    the map's difference and interval are the evaluator's, number for number."""
    container = compose_map([*SMALL, f"map.conditions=[{STEPS},{SERVICE}]"])
    result = run_and_write(container, tmp_path)
    plan = result.plan
    one = result.points.iloc[[3]][[c.key for c in result.conditions]].reset_index(drop=True)
    table = evaluate_points(point_app(plan.app), one, kpis=["npv"], scenarios=[plan.scenario], baseline=plan.baseline)
    row = table[table["scenario"] == plan.scenario].iloc[0]
    assert row["diff"] == result.points.loc[3, "diff"]
    assert (row["ci_low"], row["ci_high"]) == (result.points.loc[3, "ci_low"], result.points.loc[3, "ci_high"])


@pytest.mark.slow
def test_a_screening_keeps_the_conditions_with_the_largest_mu_star(tmp_path):
    price = "{key: market.firms.0.price, lo: 0.8, hi: 1.2, label: focal price}"
    container = compose_map(
        [*SMALL, "map.choose=2", "map.screening_samples=2", f"map.conditions=[{STEPS},{SERVICE},{price}]"]
    )
    result = run_and_write(container, tmp_path)
    screening = pd.read_csv(tmp_path / "screening.csv")
    assert len(screening) == 3 and screening["mu_star"].is_monotonic_decreasing
    assert [c.key for c in result.conditions] == [
        k
        for k in ("market.steps", "market.customers.segments.2.share", "market.firms.0.price")
        if k in set(screening["parameter"].head(2))
    ]
    assert json.loads((tmp_path / "map.json").read_text())["screened"] == screening["parameter"].tolist()


def test_the_report_names_the_market_as_configured_and_whether_it_lies_in_a_rule():
    meta = {
        "scenario": "club_marketing",
        "baseline": "baseline",
        "experiment": "default",
        "scenario_description": "",
        "firm": "Focal",
        "market": "retail",
        "kpi_label": "profit (NPV)",
        "replications": 2,
        "seed": 0,
        "confidence": 0.95,
        "design": "grid",
        "levels": 2,
        "samples": 2,
        "design_seed": 0,
        "elapsed_seconds": 1.0,
        "min_density": 0.8,
        "counts": {PAYS: 1, LOSES: 1, UNCLEAR: 0},
        "counts_fdr": {PAYS: 0, LOSES: 1, UNCLEAR: 1},
        "false_discovery_rate": 0.05,
        "expected_false_calls": 0.05,
        "note": "the downturn is permanent",
        "rule_text": {PAYS: "it pays when x is at least 2", LOSES: "it loses when x is at most 1"},
        "conditions": [{"key": "x", "label": "x", "lo": 1, "hi": 2}, {"key": "y", "label": "y", "lo": 0, "hi": 1}],
        "current": {"x": 1.0, "y": 0.5},
        "current_in_rule": {PAYS: False, LOSES: True},
    }
    points = pd.DataFrame(
        {
            "x": [1, 2],
            "y": [0.5, 0.5],
            "diff": [-3.0, 4.0],
            "ci_low": [-5.0, 1.0],
            "ci_high": [-1.0, 7.0],
            "verdict": [LOSES, PAYS],
        }
    )
    text = report_markdown(points, meta)
    assert "lies inside the box where it loses" in text
    assert "**it pays when x is at least 2**" in text
    assert "*Read with care:* the downturn is permanent" in text
    assert "0 pay, 1 lose, 1 unclear" in text


def test_the_shipped_maps_cover_every_named_map_and_every_lesson_and_their_index_is_current():
    maps = shipped_maps()
    names = sorted(p.stem for p in (CONF_DIR / "map").glob("*.yaml"))
    assert sorted(maps) == names
    lessons = sorted(p.stem for p in (CONF_DIR / "experiment").glob("*.yaml"))
    assert all(lesson_map(lesson) is not None for lesson in lessons)
    assert lesson_map("default", "staff_loyalty") == "headline_staff_loyalty"
    index = (CONF_DIR.parent / "docs" / "maps.md").read_text(encoding="utf-8")
    assert index == index_markdown(maps), "docs/maps.md is out of date: run make maps"
    for name, meta in maps.items():
        config = compose_map([f"map={name}"])
        assert meta["scenario"] == get_key(config, "map.scenario"), name
        assert [c["key"] for c in meta["conditions"]] == [c["key"] for c in config["map"]["conditions"]] or meta[
            "screened"
        ], name


def test_the_maps_colour_bar_reads_its_ticks_without_rounding_them_away():
    from pathlib import Path

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from experiments.analysis.map_plots import plot_map

    shipped = Path(__file__).resolve().parents[3] / "docs" / "maps" / "headline_club_marketing"
    meta = json.loads((shipped / "map.json").read_text())
    points = pd.read_csv(shipped / "points.csv")
    money = [c for c in ("diff", "ci_low", "ci_high", "mean", "baseline_mean") if c in points]
    points[money] *= 0.1  # differences of a few thousand: ticks at fractions of a thousand
    fig = plot_map(points, meta)
    FigureCanvasAgg(fig).draw()
    bar = fig.axes[-1]
    axis = bar.yaxis if bar.get_yticklabels() else bar.xaxis
    ticks = [t for t in axis.get_majorticklocs() if axis.get_view_interval()[0] <= t <= axis.get_view_interval()[1]]
    labels = [t.get_text() for t in axis.get_ticklabels() if t.get_text()]
    scale = {"k": 1e3, "M": 1e6}
    shown = [
        float(x[:-1].replace(",", "").replace("−", "-")) * scale[x[-1]]
        if x[-1] in scale
        else float(x.replace(",", "").replace("−", "-"))
        for x in labels
    ]
    np.testing.assert_allclose(shown, ticks[: len(shown)], rtol=1e-3, atol=0.5)
