"""The profit bridge: a scenario's NPV difference from the baseline split by
the lines of the focal firm's books, each with its paired interval."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from experiments.reports.bridge_plot import plot_profit_bridge
from experiments.reports.units import money_ticks
from experiments.reports.profit_bridge import (
    MARGIN,
    NPV,
    REVENUE_PARTS,
    drivers_sentence,
    present_values,
    profit_bridge,
    programme_categories,
    unchanged_lines,
)
from experiments.reports.report import bridge_cells, format_table, report_bridge
from experiments.reports.units import ReportUnits
from experiments.running.statistics import compare, ranking
from sim.config import ConfigError, MarketConfig, validate
from tests.experiments.reports.test_plots import FOCAL, REPLICATIONS, experiment_tables
from tests.experiments.reports.test_report import meta

UNITS = ReportUnits(currency="CHF", horizon_steps=10, steps_per_year=52.0, discount_rate=0.08)


@pytest.fixture(scope="module")
def tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    runs, steps = experiment_tables()
    return runs, steps, profit_bridge(steps, FOCAL, "baseline", UNITS)


def _lines(bridge: pd.DataFrame, scenario: str) -> pd.DataFrame:
    return bridge[bridge["scenario"] == scenario].set_index("line")


def test_present_values_discount_as_the_ledger_so_they_make_each_runs_npv(tables):
    runs, steps, _ = tables
    pv = present_values(steps, FOCAL, UNITS)
    npv = runs[runs["firm"] == FOCAL].set_index(["scenario", "replication"])["npv"]
    np.testing.assert_allclose(pv["npv"], npv.reindex(pv.index), rtol=1e-9, atol=1e-6)


def test_the_lines_add_up_to_the_paired_npv_difference_of_the_comparison(tables):
    runs, _, bridge = tables
    comparison = compare(runs, "baseline", FOCAL, ["npv"]).set_index("scenario")
    for scenario in ("price_war", "club"):
        rows = _lines(bridge, scenario)
        terms = rows[(rows["part_of"] == "") & ~rows.index.isin(["revenue", NPV.key])]
        total = rows.loc["revenue", "diff"] + terms["diff"].sum()
        assert total == pytest.approx(rows.loc[NPV.key, "diff"], abs=1e-6)
        assert rows.loc[NPV.key, "diff"] == pytest.approx(comparison.loc[scenario, "diff"], abs=1e-6)
        assert rows.loc[NPV.key, "ci_low"] == pytest.approx(comparison.loc[scenario, "ci_low"], abs=1e-6)


def test_volume_price_mix_and_fees_add_up_to_the_revenue_difference(tables):
    _, _, bridge = tables
    for scenario in ("price_war", "club"):
        rows = _lines(bridge, scenario)
        parts = rows.loc[[p.key for p in REVENUE_PARTS], "diff"].sum()
        assert parts == pytest.approx(rows.loc["revenue", "diff"], abs=1e-6)


def test_a_price_war_shows_its_discount_as_price_and_its_extra_buyers_as_volume(tables):
    _, _, bridge = tables
    rows = _lines(bridge, "price_war")
    assert rows.loc["price", "ci_high"] < 0  # customers paid below the list price
    assert rows.loc["customers", "diff"] + rows.loc["frequency", "diff"] > 0  # the discount brought purchases
    assert rows.loc["lift", "diff"] == 0.0  # no programme lifts baskets
    assert rows.loc["fixed", "diff"] == 0.0


def test_differentiated_service_shows_its_assumed_basket_lift_apart_from_the_mix():
    from tests.experiments.reports.test_plots import N_CUSTOMERS
    from experiments.running.runner import experiment_config, run_experiment

    container = {
        "market": {"n_customers": N_CUSTOMERS, "steps": 10, "burn_in": 20},
        "experiment": {
            "replications": 3,
            "workers": 1,
            "progress": False,
            "scenarios": [
                {"name": "baseline"},
                {"name": "service", "strategies": {"Focal": ["differentiated_service"]}},
            ],
        },
    }
    steps = run_experiment(*experiment_config(container)).steps
    rows = _lines(profit_bridge(steps, FOCAL, "baseline", UNITS), "service")
    assert rows.loc["lift", "ci_low"] > 0
    assert rows.loc["price", "diff"] == 0.0


def test_the_margin_view_counts_volume_lift_and_mix_after_their_cost_of_goods(tables):
    _, steps, bridge = tables
    pv = present_values(steps, FOCAL, UNITS).xs("baseline", level="scenario")
    keep = 1 - (pv["cost_of_goods"] / pv["list_revenue"]).mean()
    for scenario in ("price_war", "club"):
        rows = _lines(bridge, scenario)
        margins = rows[rows["part_of"] == MARGIN]
        others = rows[(rows["part_of"] == "") & ~rows.index.isin(["revenue", "cost_of_goods", NPV.key])]
        total = margins["diff"].sum() + others["diff"].sum() + rows.loc[["price", "fees"], "diff"].sum()
        assert total == pytest.approx(rows.loc[NPV.key, "diff"], abs=1e-6)
        assert rows.loc["margin:customers", "diff"] == pytest.approx(rows.loc["customers", "diff"] * keep, rel=0.05)
        # this market's cost of goods is a fixed share of list value: the volume explains all of it
        assert abs(rows.loc["margin:cost_of_goods", "diff"]) < 1e-6 * abs(rows.loc["cost_of_goods", "diff"]) + 1e-6


def test_a_programmes_costs_are_a_line_of_their_own(tables):
    _, steps, bridge = tables
    assert "club_marketing" in programme_categories(steps)
    club = _lines(bridge, "club")
    assert club.loc["programme:club_marketing", "ci_high"] < 0
    assert _lines(bridge, "price_war").loc["programme:club_marketing", "diff"] == 0.0


def test_the_baselines_row_holds_its_own_present_values_with_costs_negative(tables):
    _, steps, bridge = tables
    base = _lines(bridge, "baseline")
    pv = present_values(steps, FOCAL, UNITS).xs("baseline", level="scenario").mean()
    assert base.loc["revenue", "baseline_level"] == pytest.approx(pv["revenue"])
    assert base.loc["cost_of_goods", "baseline_level"] == pytest.approx(-pv["cost_of_goods"])
    assert base.loc["wages_and_hiring", "baseline_level"] == pytest.approx(-(pv["wages"] + pv["hiring"]))
    assert (base["diff"] == 0).all()


def test_lines_zero_in_every_scenario_are_named_and_left_out_of_the_table(tables):
    _, _, bridge = tables
    hidden = unchanged_lines(bridge)
    assert "fees" in hidden and "serving" in hidden  # no fees, no cost per visit in this market
    assert "revenue" not in hidden and NPV.key not in hidden
    cells = bridge_cells(bridge, meta())
    assert not any("fees" in label for label in cells.index)
    assert not any("margin on" in label for label in cells.index)  # the sentences' view, not the books
    assert list(cells.columns) == ["baseline", "price_war", "club"]


def test_the_sentence_names_the_direction_the_size_and_the_clear_drivers(tables):
    _, _, bridge = tables
    club = _lines(bridge, "club")
    sentence = drivers_sentence(bridge, "club", UNITS, "baseline")
    clear = club.loc[NPV.key, "ci_low"] > 0 or club.loc[NPV.key, "ci_high"] < 0
    verb = ("gains" if club.loc[NPV.key, "diff"] > 0 else "loses") if clear else "makes no clear difference"
    assert sentence.startswith(f"**club** {verb} ")
    assert "CHF" in sentence and "club marketing programme's own costs" in sentence
    assert "cost of goods" not in sentence  # counted in the margins


def test_a_difference_whose_interval_spans_zero_is_said_to_be_unclear():
    rows = [
        ("revenue", "", 10.0, -5.0, 25.0),
        ("customers", "revenue", 10.0, -5.0, 25.0),
        ("wages_and_hiring", "", -2.0, -3.0, -1.0),
        ("margin:customers", MARGIN, 4.0, 1.0, 7.0),
        (NPV.key, "", 8.0, -6.0, 22.0),
    ]
    bridge = pd.DataFrame(
        [
            {
                "scenario": "s",
                "line": k,
                "label": k.replace("_", " "),
                "part_of": p,
                "diff": d,
                "ci_low": lo,
                "ci_high": hi,
            }
            for k, p, d, lo, hi in rows
        ]
    )
    sentence = drivers_sentence(bridge, "s", UNITS, "base")
    assert sentence.startswith("**s** makes no clear difference to the NPV against base (+8 CHF [-6, +22])")
    assert "the margin on more customers (+4 CHF), against higher wages and hiring (−2 CHF)" in sentence
    assert "outweigh" not in sentence


def test_the_waterfall_draws_a_panel_per_scenario_with_its_moved_lines(tables):
    _, _, bridge = tables
    fig = plot_profit_bridge(bridge, "baseline", UNITS)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title().split(":")[0] for ax in panels] == ["price_war", "club"]
    for ax, scenario in zip(panels, ("price_war", "club")):
        rows = _lines(bridge, scenario)
        terms = rows[~rows.index.isin(["revenue", NPV.key]) & (rows["part_of"] != MARGIN)]
        moved = (terms[["diff", "ci_low", "ci_high"]].abs() >= 0.5).any(axis=1).sum()
        assert len(ax.get_yticklabels()) == moved + 1  # and the total
        assert "CHF" in ax.get_xlabel()
    assert "8% a year" in fig._suptitle.get_text()


@pytest.mark.parametrize(
    ("value", "text"),
    [(7500, "7.5k"), (5000, "5k"), (2500, "2.5k"), (-40000, "-40k"), (1_250_000, "1.25M"), (750, "750")],
)
def test_money_ticks_keep_the_decimals_a_tick_needs(value, text):
    assert money_ticks(value) == text


def test_the_console_prints_the_bridge_and_a_sentence_per_scenario(tables):
    runs, steps, _ = tables
    m = meta()
    comparison = compare(runs, "baseline", FOCAL, m["kpis"])
    text = format_table(comparison, ranking(comparison, "npv", "baseline"), m, bridge=report_bridge(steps, m))
    assert "Profit bridge of Focal" in text and "↳ volume: customers" in text
    assert text.count("\n- ") == len(m["scenarios"]) - 1
    assert "**" not in text


def test_a_step_table_without_the_revenue_split_gives_no_bridge(tables):
    _, steps, _ = tables
    assert report_bridge(steps.drop(columns=["list_revenue"]), meta()) is None


def test_units_say_horizon_rate_and_currency():
    assert UNITS.horizon() == "10 weeks"
    assert ReportUnits(horizon_steps=24, steps_per_year=12).horizon() == "24 months"
    assert ReportUnits(horizon_steps=730, steps_per_year=365).horizon() == "730 steps (2.0 years)"
    assert UNITS.npv() == "NPV in CHF over 10 weeks, discounted at 8% a year"
    assert ReportUnits.of_meta({"units": UNITS.as_dict()}) == UNITS
    assert ReportUnits.of_meta({}).currency == MarketConfig().currency


def test_a_blank_currency_is_refused():
    with pytest.raises(ConfigError, match="currency"):
        validate({"currency": " "}, MarketConfig)


def test_replications_pair_on_common_seeds(tables):
    _, _, bridge = tables
    assert set(bridge["n"]) == {REPLICATIONS}
