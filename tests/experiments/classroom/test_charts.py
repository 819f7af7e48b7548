"""The dashboard's charts and cards without a browser: the tick labels of
every chart (exact and evenly spaced: ticks 2.5k apart never read ``8k``),
the money of the KPI cards, and the annual retention the card shows (the
reports' definition, :func:`sim.metrics.summarise`)."""

from __future__ import annotations

import re
from xml.etree import ElementTree

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from experiments.classroom import charts
from experiments.classroom.lesson import (
    ANNUAL_RETENTION,
    N_CUSTOMERS_RANGE,
    Classroom,
    annual_retention,
    rolling_annual_retention,
    year_window,
)
from sim.metrics import summarise

M = charts.MINUS


# --------------------------------------------------------------------------- ticks
@pytest.mark.parametrize(
    "ticks, unit, labels",
    [
        ([0, 2500, 5000, 7500, 10000], "money", ["0", "2.5k", "5.0k", "7.5k", "10.0k"]),
        ([-7500, -5000, -2500, 0], "money", [f"{M}7.5k", f"{M}5.0k", f"{M}2.5k", "0"]),
        ([0, 20_000, 40_000], "money", ["0", "20k", "40k"]),
        ([0, 1_250_000, 2_500_000], "money", ["0", "1.25M", "2.50M"]),
        ([-1000, -500, 0, 500, 1000], "money", [f"{M}1.0k", f"{M}0.5k", "0", "0.5k", "1.0k"]),
        ([0, 200, 400], "money", ["0", "200", "400"]),
        ([98.5, 99.0, 99.5], "%", ["98.5%", "99.0%", "99.5%"]),
        ([40, 50, 60], "%", ["40%", "50%", "60%"]),
        ([0, 500, 1000, 1500], "", ["0", "500", "1,000", "1,500"]),
        ([-20, 0, 20, 40], "", [f"{M}20", "0", "20", "40"]),
    ],
)
def test_tick_labels_carry_the_decimals_their_step_needs(ticks, unit, labels):
    assert charts.tick_labels(ticks, unit) == labels
    assert [charts.parse_tick(label) for label in labels] == pytest.approx(ticks)


def test_the_old_formatter_bug_is_gone():
    """Ticks 2.5k apart read 8k, 5k, 2k, 0k with the old formatter (7.5k rounded to 8k)."""
    labels = charts.tick_labels(charts.nice_ticks(0, 10_000, 4), "money")
    assert labels == ["0", "2.5k", "5.0k", "7.5k", "10.0k"]


@settings(max_examples=300, deadline=None)
@given(
    lo=st.floats(-5e6, 5e6, allow_nan=False),
    span=st.floats(1e-3, 1e7, allow_nan=False),
    unit=st.sampled_from(["money", "%", ""]),
)
def test_every_axis_reads_evenly_spaced_exact_numbers(lo, span, unit):
    ticks = charts.nice_ticks(lo, lo + span)
    step = ticks[1] - ticks[0]
    assert ticks[0] <= lo + 1e-6 * step and ticks[-1] >= lo + span - 1e-6 * step  # the axis shows the range
    assert 2 <= len(ticks) <= 12
    labels = charts.tick_labels(ticks, unit)
    assert len(set(labels)) == len(labels)  # distinct ticks read distinct numbers
    values = np.array([charts.parse_tick(label) for label in labels])
    assert values == pytest.approx(ticks, abs=1e-4 * step)  # every label is its tick's exact value
    assert np.diff(values) == pytest.approx(np.full(len(values) - 1, step), rel=1e-4)


def test_a_flat_axis_is_widened_around_its_value():
    assert list(charts.nice_ticks(0, 0)) == pytest.approx([-1, -0.5, 0, 0.5, 1])
    assert list(charts.value_ticks([np.zeros(5)], floor=0.0, pad=1000.0)) == pytest.approx([-1000, -500, 0, 500, 1000])


@pytest.mark.parametrize(
    "value, text",
    [
        (0, "0"),
        (850, "850"),
        (7500, "7.50k"),
        (12_345, "12.3k"),
        (-4560, f"{M}4.56k"),
        (123_456, "123k"),
        (999_999, "1.00M"),
        (1_234_567, "1.23M"),
        (float("nan"), "\u2013"),
    ],
)
def test_kpi_money_reads_three_significant_figures(value, text):
    assert charts.money(value) == text


# --------------------------------------------------------------------------- charts
@pytest.fixture(scope="module")
def room() -> Classroom:
    room = Classroom(n_customers=N_CUSTOMERS_RANGE[0])
    for _ in range(6):
        room.step()
    return room


def svg_ticks(svg: str, cls: str = "y-tick") -> list[str]:
    root = ElementTree.fromstring(svg)
    return [e.text for e in root.iter() if e.get("class") == cls]


def test_every_charts_value_ticks_are_evenly_spaced_numbers(room):
    snap = room.snapshot()
    picture = charts.network_picture(room.network_sample)
    for svg in (
        charts.profit_chart(snap),
        charts.retention_chart(snap),
        charts.loyalty_states_chart(snap),
        charts.disconfirmation_chart(snap),
    ):
        labels = svg_ticks(svg)
        values = [charts.parse_tick(label) for label in labels]
        assert len(values) >= 3 and len(set(labels)) == len(labels)
        assert np.allclose(np.diff(values), values[1] - values[0]) and values[1] > values[0]
        root = ElementTree.fromstring(svg)
        for axis in (e for e in root.iter() if e.get("class") == "x-axis"):  # one a panel
            labels = [e.text for e in axis if e.get("class") == "x-tick"]
            if all(re.fullmatch(r"\u2212?\d+", label) for label in labels):  # the step axis
                values = [charts.parse_tick(label) for label in labels]
                assert np.allclose(np.diff(values), values[1] - values[0]) and 0 in values
    assert 'data-chart="network"' in charts.network_chart(snap, picture, "Focal")


def test_the_profit_axis_spans_the_firms_profit(room):
    snap = room.snapshot()
    values = [charts.parse_tick(t) for t in svg_ticks(charts.profit_chart(snap))]
    profit = snap.values("cumulative_profit")
    assert values[0] <= min(0.0, profit.min()) and values[-1] >= profit.max()


# --------------------------------------------------------------------------- annual retention
def toy_table(weeks: int, customers: int = 100, lost: int = 1, start: int = 1) -> pd.DataFrame:
    steps = np.arange(start, start + weeks)
    return pd.DataFrame({"step": steps, "firm": "A", "customers": customers, "lost": lost})


def test_annual_retention_is_one_less_the_years_losses_over_mean_customers():
    assert annual_retention(toy_table(52), 52)["A"] == pytest.approx(1 - 52 / 100)
    assert annual_retention(toy_table(26), 52)["A"] == pytest.approx(1 - 26 / 100 / 0.5)  # annualised
    longer = pd.concat([toy_table(52, customers=200), toy_table(52, start=53)])
    assert annual_retention(longer, 52)["A"] == pytest.approx(1 - 52 / 100)  # the last year only
    assert annual_retention(longer, 52, now=52)["A"] == pytest.approx(1 - 52 / 200)
    assert list(year_window(longer, 52)["step"]) == list(range(53, 105))
    assert annual_retention(toy_table(52, lost=5), 52)["A"] == 0  # more lost than there were: none kept
    assert np.isnan(annual_retention(toy_table(52, customers=0, lost=0), 52)["A"])  # none to keep: no rate


def test_the_cards_retention_is_the_reports_annual_rate_over_the_last_year(room):
    snap = room.snapshot()
    table = snap.scenario_steps
    window = year_window(table, snap.steps_per_year)
    assert window["step"].min() == snap.first_step and window["step"].max() == snap.step == 6  # history included
    reports = summarise(window, snap.steps_per_year)["retention_rate"]
    assert snap.kpis[ANNUAL_RETENTION].to_numpy() == pytest.approx(reports.loc[snap.firms].to_numpy())
    weekly = snap.kpis["retention_rate"]
    assert (snap.kpis[ANNUAL_RETENTION] < 0.95).all() and (weekly > 0.98).all()  # annual, not weekly
    assert (snap.kpis[ANNUAL_RETENTION] > 0.2).all()


def test_the_card_says_annual_and_shows_that_rate_before_the_first_step():
    from experiments.classroom.dashboard import kpi_cards_html, kpi_text

    snap = Classroom(n_customers=N_CUSTOMERS_RANGE[0]).snapshot()
    assert snap.step == 0 and snap.first_step < 0
    html = kpi_cards_html(snap)
    assert "annual" in html and "&ndash;" not in html
    for firm in snap.firms:
        shown = kpi_text(ANNUAL_RETENTION, snap.kpis.at[firm, ANNUAL_RETENTION])
        card = html.split(f"data-firm='{firm}'", 1)[1]
        row = card.split("data-kpi='annual_retention'", 1)[1].split("</div>", 1)[0]
        assert "retention, annual" in row and f"<span class='now'>{shown}</span>" in row
        assert 20 < float(shown.rstrip("%")) < 95


def test_the_rolling_retention_is_the_annual_rate_of_each_full_window(room):
    snap = room.snapshot()
    rolling = snap.rolling_retention()
    window = snap.retention_window
    assert np.isnan(rolling[: window - 1]).all() and np.isfinite(rolling[window - 1 :]).all()
    for k in (window - 1, len(snap.steps) - 1):
        step = int(snap.steps[k])
        rows = snap.scenario_steps[snap.scenario_steps["step"].between(step - window + 1, step)]
        expected = summarise(rows, snap.steps_per_year)["retention_rate"].loc[snap.firms]
        assert rolling[k] == pytest.approx(expected.to_numpy())
    assert rolling_annual_retention(np.zeros((0, 2)), np.zeros((0, 2)), 4, 52).shape == (0, 2)
