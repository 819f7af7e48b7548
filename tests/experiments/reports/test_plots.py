"""Plots of a run and of an experiment: the numbers and the figures.

A run: loyalty-state shares and their stacked-area plot. An experiment
(scenarios x replications): KPI bands over time, loyalty-state composition
per scenario, profit against retention.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text
from scipy import stats

from experiments.running.kpis import run_kpis
from experiments.running.statistics import compare
from experiments.reports.plots import (
    BASELINE_COLOUR,
    CUSTOMER_STATE_NAMES,
    OTHER_STATE_NAMES,
    STATE_COLOURS,
    STATE_COLUMNS,
    annual_retention,
    cielab,
    colour_distance,
    kpi_bands,
    loyalty_state_shares,
    paired_differences,
    plot_kpi_bands,
    plot_loyalty_states,
    plot_profit_vs_retention,
    plot_state_composition,
    profit_retention_points,
    scenario_colours,
    state_composition,
    state_share_differences,
    state_shares,
    width_ratio,
)
from experiments.reports.units import ReportUnits
from agents.states import STATE_NAMES


def table(n: int = 10) -> pd.DataFrame:
    rows = []
    for step in (1, 2):
        for f, firm in enumerate(("A", "B")):
            counts = dict.fromkeys(STATE_COLUMNS, 0)
            counts["n_prospect"] = n - 4 - step - f
            counts["n_loyal"] = 4
            counts["n_churned"] = step + f
            rows.append({"step": step, "firm": firm, "profit": 1.0, **counts})
    return pd.DataFrame(rows)


def test_shares_are_counts_over_n():
    s = loyalty_state_shares(table(10))
    assert list(s.columns) == ["step", "firm", *STATE_NAMES]
    assert len(s) == 4
    np.testing.assert_allclose(s[list(STATE_NAMES)].sum(axis=1), 1.0)
    row = s[(s["step"] == 2) & (s["firm"] == "B")].iloc[0]
    assert row["loyal"] == pytest.approx(0.4)
    assert row["churned"] == pytest.approx(0.3)
    assert row["prospect"] == pytest.approx(0.3)
    assert row["advocate"] == 0.0


def test_shares_need_the_state_columns():
    with pytest.raises(ValueError, match="n_loyal"):
        loyalty_state_shares(table().drop(columns="n_loyal"))


def test_shares_of_a_model_run():
    from sim.model import LoyaltyModel

    m = LoyaltyModel(n_customers=400, burn_in=3, steps=4)
    t = m.run()
    s = loyalty_state_shares(t)
    last = s[s["step"] == 4].set_index("firm")
    for f, firm in enumerate(m.firms):
        np.testing.assert_allclose(
            last.loc[firm.name, list(STATE_NAMES)].to_numpy(dtype=float), m.state_counts()[f] / 400
        )


def test_plot_returns_a_figure_with_one_panel_per_firm():
    fig = plot_loyalty_states(table())
    assert isinstance(fig, Figure)
    panels = [a for a in fig.axes if a.get_title()]
    assert [a.get_title() for a in panels] == ["A", "B"]
    assert fig.canvas.__class__.__name__ == "FigureCanvasAgg"


def test_plot_on_given_axes():
    fig = Figure()
    axes = fig.subplots(1, 2)
    assert plot_loyalty_states(table(), ax=axes) is fig
    with pytest.raises(ValueError, match="one Axes per firm"):
        plot_loyalty_states(table(), ax=axes[0])


# ---------------------------------------------------------------------------
# Experiments: a small one, 3 scenarios x 3 replications on common seeds

SCENARIOS = {"baseline": [], "price_war": ["price_war"], "club": ["club_marketing"]}
REPLICATIONS = 3
N_CUSTOMERS = 400
STEPS = 10
FOCAL = "Focal"


@functools.cache
def experiment_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    """(runs, steps) of a small experiment: the focal firm runs each scenario's
    strategies; replication r of every scenario runs on seed 100 + r."""
    from sim.model import LoyaltyModel

    probe = LoyaltyModel(market="retail", seed=0, n_customers=10, burn_in=0)
    runs, steps = [], []
    for scenario, strategies in SCENARIOS.items():
        for r in range(REPLICATIONS):
            firms = [dataclasses.asdict(f) for f in probe.config.firms]
            firms[0]["strategies"] = list(strategies)
            model = LoyaltyModel(
                seed=100 + r, n_customers=N_CUSTOMERS, burn_in=20, steps=STEPS, firms=firms, engine={"threads": 1}
            )
            table = model.run()
            key = {"scenario": scenario, "replication": r, "seed": 100 + r}
            steps.append(pd.DataFrame(key, index=table.index).join(table))
            kpis = run_kpis(table, model.config.steps_per_year)
            runs.append(pd.DataFrame(key, index=kpis.index).join(kpis))
    return pd.concat(runs, ignore_index=True), pd.concat(steps, ignore_index=True)


def runs_table() -> pd.DataFrame:
    return experiment_tables()[0].copy()


def steps_table() -> pd.DataFrame:
    return experiment_tables()[1].copy()


def t_interval(values, confidence):
    values = np.asarray(values, dtype=float)
    return stats.t.interval(confidence, len(values) - 1, loc=values.mean(), scale=stats.sem(values))


def test_kpi_bands_are_the_t_interval_of_the_replications():
    steps = steps_table()
    bands = kpi_bands(steps, FOCAL, "cumulative_profit", confidence=0.9)
    assert list(bands.columns) == ["scenario", "step", "mean", "ci_low", "ci_high"]
    for scenario in SCENARIOS:
        for step in (1, 4, STEPS):
            values = steps.loc[
                (steps["firm"] == FOCAL) & (steps["scenario"] == scenario) & (steps["step"] == step),
                "cumulative_profit",
            ]
            assert len(values) == REPLICATIONS
            row = bands[(bands["scenario"] == scenario) & (bands["step"] == step)].iloc[0]
            low, high = t_interval(values, 0.9)
            assert row["mean"] == pytest.approx(values.mean())
            assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high))


def test_kpi_bands_list_scenarios_in_order_then_steps_ascending():
    bands = kpi_bands(steps_table(), FOCAL, "customers")
    assert len(bands) == len(SCENARIOS) * STEPS
    assert list(pd.unique(bands["scenario"])) == list(SCENARIOS)
    for _, rows in bands.groupby("scenario"):
        assert rows["step"].tolist() == list(range(1, STEPS + 1))
    assert (bands["ci_low"] <= bands["mean"]).all() and (bands["mean"] <= bands["ci_high"]).all()


def test_loyal_advocate_share_is_derived_per_step_and_ends_at_the_run_kpi():
    steps, runs = steps_table(), runs_table()
    bands = kpi_bands(steps, FOCAL, "loyal_advocate_share")
    mine = steps[(steps["firm"] == FOCAL) & (steps["scenario"] == "price_war") & (steps["step"] == 3)]
    direct = (mine["n_loyal"] + mine["n_advocate"]) / mine["customers"]
    row = bands[(bands["scenario"] == "price_war") & (bands["step"] == 3)].iloc[0]
    assert row["mean"] == pytest.approx(direct.mean())
    last = bands[bands["step"] == STEPS].set_index("scenario")["mean"]
    at_end = runs[runs["firm"] == FOCAL].groupby("scenario")["loyal_advocate_share"].mean()
    pd.testing.assert_series_equal(last.sort_index(), at_end.sort_index(), check_names=False)


def test_kpi_bands_refuse_an_unknown_series_or_firm():
    with pytest.raises(ValueError, match="'happiness'"):
        kpi_bands(steps_table(), FOCAL, "happiness")
    with pytest.raises(ValueError, match="'Nobody'.*Focal"):
        kpi_bands(steps_table(), "Nobody", "customers")


def test_a_band_needs_two_replications():
    steps = steps_table()
    one = steps[steps["replication"] == 0]
    bands = kpi_bands(one, FOCAL, "customers")
    assert bands["ci_low"].isna().all() and bands["ci_high"].isna().all()
    assert bands["mean"].notna().all()


def test_state_composition_rows_sum_to_the_market_and_customers():
    steps = steps_table()
    comp = state_composition(steps, FOCAL)
    assert list(comp.columns) == ["scenario", "step", *STATE_NAMES]
    assert len(comp) == len(SCENARIOS) * STEPS
    np.testing.assert_allclose(comp[list(STATE_NAMES)].sum(axis=1), N_CUSTOMERS)
    customers = (
        steps[steps["firm"] == FOCAL].groupby(["scenario", "step"], sort=False)["customers"].mean().reset_index()
    )
    merged = comp.merge(customers, on=["scenario", "step"])
    np.testing.assert_allclose(merged[list(CUSTOMER_STATE_NAMES)].sum(axis=1), merged["customers"])
    assert set(CUSTOMER_STATE_NAMES) | set(OTHER_STATE_NAMES) == set(STATE_NAMES)
    assert not set(CUSTOMER_STATE_NAMES) & set(OTHER_STATE_NAMES)


def test_state_composition_is_the_mean_over_replications():
    steps = steps_table()
    comp = state_composition(steps, FOCAL)
    mine = steps[(steps["firm"] == FOCAL) & (steps["scenario"] == "club") & (steps["step"] == 5)]
    row = comp[(comp["scenario"] == "club") & (comp["step"] == 5)].iloc[0]
    for name in STATE_NAMES:
        assert row[name] == pytest.approx(mine[f"n_{name}"].mean())


def test_profit_retention_points_are_the_replications_and_their_t_intervals():
    runs = runs_table()
    numbers = profit_retention_points(runs, FOCAL, confidence=0.8)
    assert len(numbers.points) == len(SCENARIOS) * REPLICATIONS
    assert list(numbers.means["scenario"]) == list(SCENARIOS)
    for scenario in SCENARIOS:
        mine = runs[(runs["firm"] == FOCAL) & (runs["scenario"] == scenario)]
        row = numbers.means.set_index("scenario").loc[scenario]
        assert row["n"] == REPLICATIONS
        for kpi in ("retention_rate", "npv"):
            low, high = t_interval(mine[kpi], 0.8)
            assert row[kpi] == pytest.approx(mine[kpi].mean())
            assert (row[f"{kpi}_low"], row[f"{kpi}_high"]) == pytest.approx((low, high))


def test_scenario_colours_put_the_baseline_first_in_black():
    colours = scenario_colours(["a", "b", "base", "a"], baseline="base")
    assert list(colours) == ["base", "a", "b"]
    assert colours["base"] == BASELINE_COLOUR
    assert len(set(colours.values())) == 3
    assert list(scenario_colours(["a", "b"])) == ["a", "b"]
    with pytest.raises(ValueError, match="'z'"):
        scenario_colours(["a"], baseline="z")


def legend_colours(fig: Figure) -> dict[str, str]:
    from matplotlib.colors import to_hex

    legend = fig.legends[0] if fig.legends else fig.axes[0].get_legend()
    out = {}
    for handle, text in zip(legend.legend_handles, legend.get_texts()):
        colour = handle.get_color() if hasattr(handle, "get_color") else handle.get_facecolor()
        out[text.get_text()] = to_hex(np.atleast_2d(colour)[0] if not isinstance(colour, str) else colour)
    return out


def test_every_experiment_figure_gives_a_scenario_the_same_colour():
    runs, steps = runs_table(), steps_table()
    bands = legend_colours(plot_kpi_bands(steps, FOCAL, baseline="baseline"))
    scatter = legend_colours(plot_profit_vs_retention(runs, FOCAL, baseline="baseline"))
    assert list(bands) == list(SCENARIOS)
    assert bands == scatter
    assert bands["baseline"] == BASELINE_COLOUR


def test_kpi_band_plot_has_one_panel_per_kpi_each_axis_with_its_unit():
    kpis = ("cumulative_profit", "customers", "retention_rate", "loyal_advocate_share", "npv", "annual_retention_rate")
    fig = plot_kpi_bands(steps_table(), FOCAL, kpis, units=CHF_MONTHS)
    panels = [a for a in fig.axes if a.get_visible()]
    assert [a.get_title() for a in panels] == [
        "cumulative profit (undiscounted)",
        "customers",
        "retention rate (per month, true)",
        "loyal + advocate share of customers",
        "cumulative profit, discounted (NPV at 5% a year)",
        "retention rate (annual, over the trailing 12 months)",
    ]
    assert [a.get_ylabel() for a in panels] == [
        "CHF",
        "people",
        "% of customers kept a month",
        "% of the firm's customers",
        "CHF",
        "% of customers kept a year",
    ]
    assert all(a.get_xlabel() == "month" for a in panels)
    assert fig.canvas.__class__.__name__ == "FigureCanvasAgg"


def test_share_bands_are_drawn_in_percent():
    fig = plot_kpi_bands(steps_table(), FOCAL, ["loyal_advocate_share"], baseline="baseline")
    line = fig.axes[0].get_lines()[0]
    bands = kpi_bands(steps_table(), FOCAL, "loyal_advocate_share")
    np.testing.assert_allclose(line.get_ydata(), 100 * bands.loc[bands["scenario"] == "baseline", "mean"])


def test_state_composition_plot_has_a_shares_panel_per_scenario_and_a_difference_panel_per_other():
    fig = plot_state_composition(steps_table(), FOCAL, baseline="club")
    titles = [a.get_title() for a in fig.axes if a.get_visible() and a.axison]
    assert titles == [
        "club: shares",
        "baseline: shares",
        "price_war: shares",
        "baseline − club",
        "price_war − club",
    ]
    for a in fig.axes[:3]:
        assert a.get_ylim() == pytest.approx((0, 100))
    legend = next(a.get_legend() for a in fig.axes if a.get_legend() is not None)
    labels = [t.get_text() for t in legend.get_texts()]
    assert "customers (total)" in labels
    assert "churned (not a customer)" in labels and "loyal" in labels


def test_profit_vs_retention_plot_shows_every_replication():
    fig = plot_profit_vs_retention(runs_table(), FOCAL)
    ax = fig.axes[0]
    dots = sum(
        len(c.get_offsets())
        for c in ax.collections
        if hasattr(c, "get_offsets") and c.__class__.__name__ == "PathCollection"
    )
    assert dots == len(SCENARIOS) * REPLICATIONS
    assert "retention" in ax.get_xlabel() and "annual" in ax.get_xlabel() and "%" in ax.get_xlabel()
    assert "NPV" in ax.get_ylabel()


@pytest.mark.parametrize(
    "draw",
    [
        lambda r, s: plot_kpi_bands(s, FOCAL),
        lambda r, s: plot_state_composition(s, FOCAL),
        lambda r, s: plot_profit_vs_retention(r, FOCAL),
    ],
    ids=["kpi_bands", "state_composition", "profit_vs_retention"],
)
def test_experiment_figures_are_legible(draw):
    fig = draw(runs_table(), steps_table())
    fig.canvas.draw()
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    assert texts
    small = {t.get_text(): t.get_fontsize() for t in texts if t.get_fontsize() < 10}
    assert not small


def test_experiment_plots_draw_on_given_axes():
    runs, steps = runs_table(), steps_table()
    fig = Figure()
    axes = fig.subplots(1, 3)
    assert plot_state_composition(steps, FOCAL, axes=axes) is fig
    assert plot_kpi_bands(steps, FOCAL, ["customers", "npv", "revenue"], axes=axes) is fig
    assert plot_profit_vs_retention(runs, FOCAL, ax=axes[0]) is fig
    with pytest.raises(ValueError, match="one Axes per KPI"):
        plot_kpi_bands(steps, FOCAL, ["customers", "npv"], axes=axes)
    with pytest.raises(ValueError, match="one Axes per scenario"):
        plot_state_composition(steps, FOCAL, axes=axes[:2])


# ---------------------------------------------------------------------------
# Units, colours, shares and paired differences, on small synthetic tables

CHF_MONTHS = ReportUnits(currency="CHF", horizon_steps=24, steps_per_year=12.0, discount_rate=0.05)


def synthetic_steps(people: int = 1000, steps: int = 8) -> pd.DataFrame:
    """Two replications of a baseline and a scenario that moves 1% of the
    market a step from prospect to loyal; everything else in prospect or repeat."""
    rows = []
    for scenario, shift in (("base", 0), ("loyalty", 10)):
        for replication in (0, 1):
            for step in range(1, steps + 1):
                counts = dict.fromkeys(STATE_COLUMNS, 0)
                counts["n_repeat"] = 300 + replication
                counts["n_loyal"] = 100 + shift * step
                counts["n_prospect"] = people - counts["n_repeat"] - counts["n_loyal"]
                rows.append(
                    {
                        "scenario": scenario,
                        "replication": replication,
                        "step": step,
                        "firm": FOCAL,
                        "customers": counts["n_repeat"] + counts["n_loyal"],
                        "lost": 4 + replication,
                        "cumulative_profit": 100.0 * step,
                        **counts,
                    }
                )
    return pd.DataFrame(rows)


def test_colour_distance_is_the_cielab_distance_of_srgb_colours():
    assert colour_distance("white", "black") == pytest.approx(100.0, abs=0.01)
    np.testing.assert_allclose(cielab("#ff0000"), [53.24, 80.09, 67.20], atol=0.02)  # sRGB red, D65
    assert colour_distance("#b3b3b3", "#b3b3b3") == 0.0


def test_every_state_colour_is_clearly_distinct_from_every_other_and_from_white_and_black():
    assert set(STATE_COLOURS) == set(STATE_NAMES)
    names = list(STATE_COLOURS)
    closest = min(colour_distance(STATE_COLOURS[a], STATE_COLOURS[b]) for i, a in enumerate(names) for b in names[:i])
    assert closest >= 25  # areas and lines of two states never look alike
    assert colour_distance(STATE_COLOURS["prospect"], STATE_COLOURS["aware"]) >= 25
    assert min(colour_distance(c, "white") for c in STATE_COLOURS.values()) >= 20  # a line shows on white
    assert min(colour_distance(c, "black") for c in STATE_COLOURS.values()) >= 25  # and beside the customers' line


def test_state_figure_shows_shares_that_sum_to_one():
    shares = state_shares(synthetic_steps(), FOCAL)
    np.testing.assert_allclose(shares[list(STATE_NAMES)].sum(axis=1), 1.0)
    row = shares[(shares["scenario"] == "loyalty") & (shares["step"] == 3)].iloc[0]
    assert row["loyal"] == pytest.approx(0.13) and row["repeat"] == pytest.approx(0.3005)
    fig = plot_state_composition(synthetic_steps(), FOCAL)
    stacked = fig.axes[1].collections  # the loyalty scenario's shares panel
    tops = [np.max(p.get_paths()[0].vertices[:, 1]) for p in stacked]
    assert max(tops) == pytest.approx(100.0)


def test_state_share_differences_are_percentage_points_from_the_baseline_and_sum_to_zero():
    diffs = state_share_differences(synthetic_steps(), FOCAL, baseline="base")
    assert list(pd.unique(diffs["scenario"])) == ["loyalty"] and len(diffs) == 8
    assert diffs["loyal"].tolist() == pytest.approx([1.0 * step for step in range(1, 9)])
    assert diffs["prospect"].tolist() == pytest.approx([-1.0 * step for step in range(1, 9)])
    np.testing.assert_allclose(diffs[list(STATE_NAMES)].sum(axis=1), 0.0, atol=1e-12)
    np.testing.assert_allclose(diffs["customers"], diffs["loyal"])
    other_way = state_share_differences(synthetic_steps(), FOCAL, baseline="loyalty")
    np.testing.assert_allclose(other_way["loyal"], -diffs["loyal"])


def test_state_figure_draws_each_difference_per_state_on_one_scale():
    fig = plot_state_composition(synthetic_steps(), FOCAL, baseline="base", units=CHF_MONTHS)
    panel = next(a for a in fig.axes if a.get_title() == "loyalty − base")
    lines = {line.get_label(): line for line in panel.get_lines() if not line.get_label().startswith("_")}
    assert set(lines) == {*(n.replace("_", " ") for n in CUSTOMER_STATE_NAMES), "customers (total)"} | {
        f"{n.replace('_', ' ')} (not a customer)" for n in OTHER_STATE_NAMES
    }
    np.testing.assert_allclose(lines["loyal"].get_ydata(), np.arange(1, 9))
    assert lines["loyal"].get_color() == STATE_COLOURS["loyal"]
    assert panel.get_ylabel() == "difference (pp)" and panel.get_xlabel() == "month"
    assert panel.get_ylim()[1] >= 8 and panel.get_ylim()[0] == -panel.get_ylim()[1]


def test_annual_retention_is_the_tables_formula_over_a_trailing_year_within_each_run():
    steps = synthetic_steps(steps=60)
    retention = annual_retention(steps, steps_per_year=52.0)
    mine = steps.assign(retention=retention)
    base0 = mine[(mine["scenario"] == "base") & (mine["replication"] == 0)].set_index("step")["retention"]
    assert base0.loc[1:12].isna().all() and base0.loc[13:].notna().all()  # from a quarter of a year on
    # base, replication 0: 4 of 400 customers lost a week, 52 weeks a year
    assert base0.loc[52] == pytest.approx(1 - 4 * 52 / 400)
    loyal1 = mine[(mine["scenario"] == "loyalty") & (mine["replication"] == 1)].set_index("step")
    window = loyal1.loc[9:60]  # the trailing 52 weeks of step 60
    assert loyal1.loc[60, "retention"] == pytest.approx(1 - window["lost"].sum() / window["customers"].mean())


def test_annual_retention_over_the_horizon_ends_at_the_run_tables_annual_retention():
    steps, runs = steps_table(), runs_table()
    retention = annual_retention(steps, steps_per_year=52.0, window=STEPS)
    last = steps.assign(retention=retention)
    last = last[last["step"] == STEPS].set_index(["scenario", "replication", "firm"])["retention"]
    table = runs.set_index(["scenario", "replication", "firm"])["retention_rate"]
    pd.testing.assert_series_equal(last.sort_index(), table.sort_index(), check_names=False)


def test_kpi_bands_draw_annual_retention_in_percent_by_default():
    steps = synthetic_steps(steps=30)
    fig = plot_kpi_bands(steps, FOCAL, baseline="base")
    panel = next(a for a in fig.axes if "retention" in a.get_title())
    assert "annual" in panel.get_title() and panel.get_ylabel() == "% of customers kept a year"
    line = panel.get_lines()[0]
    bands = kpi_bands(steps, FOCAL, "annual_retention_rate", units=ReportUnits.of_meta(None))
    np.testing.assert_allclose(line.get_ydata(), 100 * bands.loc[bands["scenario"] == "base", "mean"])
    assert np.nanmin(line.get_ydata()) > 40  # an annual rate, not a weekly one near 99%


def paired_runs() -> pd.DataFrame:
    """Four seeds whose luck (+-40,000 NPV) both scenarios share; "better"
    earns 5,000 more on every seed, give or take 100."""
    luck = np.array([-40_000.0, -10_000.0, 15_000.0, 35_000.0])
    rows = []
    for scenario, gain in (("base", 0.0), ("better", 5_000.0)):
        for r in range(4):
            rows.append(
                {
                    "scenario": scenario,
                    "replication": r,
                    "firm": FOCAL,
                    "npv": 100_000 + luck[r] + gain + (100.0 if scenario == "better" and r % 2 else 0.0),
                    "retention_rate": 0.7 + luck[r] / 1e6 + gain / 1e6,
                }
            )
    return pd.DataFrame(rows)


def test_paired_differences_are_the_comparison_tables_intervals():
    runs = paired_runs()
    diffs = paired_differences(runs, FOCAL, confidence=0.9).set_index("scenario")
    table = compare(runs, "base", FOCAL, ("npv", "retention_rate"), 0.9).set_index(["scenario", "kpi"])
    for kpi in ("npv", "retention_rate"):
        row = table.loc[("better", kpi)]
        assert diffs.loc["better", kpi] == pytest.approx(row["diff"])
        assert diffs.loc["better", f"{kpi}_low"] == pytest.approx(row["ci_low"])
        assert diffs.loc["better", f"{kpi}_unpaired_high"] == pytest.approx(row["unpaired_ci_high"])
    assert diffs.loc["better", "npv_low"] > 0 > diffs.loc["better", "npv_unpaired_low"]  # only pairing sees it
    assert width_ratio(diffs.reset_index()) > 100


def test_profit_vs_retention_draws_paired_error_bars_and_says_why_they_are_narrower():
    runs = paired_runs()
    fig = plot_profit_vs_retention(runs, FOCAL, units=CHF_MONTHS)
    levels, paired = fig.axes[:2]
    assert "NPV" in levels.get_ylabel() and "CHF" in levels.get_ylabel() and "24 months" in levels.get_ylabel()
    assert "5% a year" in levels.get_ylabel()
    assert paired.get_ylabel() == "Δ NPV of profit (CHF)" and "annual" in paired.get_xlabel()
    diffs = paired_differences(runs, FOCAL).iloc[0]
    (container,) = paired.containers
    vertical = container.lines[2][1].get_segments()[0]
    assert vertical[:, 1] == pytest.approx([diffs["npv_low"], diffs["npv_high"]])
    assert vertical[0, 1] > 0  # the paired interval is clear of 0
    note = fig.get_supxlabel()
    assert "paired" in note and "narrower" in note and "seed" in note


def test_no_figure_says_currency_units():
    steps, runs = synthetic_steps(), paired_runs()
    figures = [
        plot_kpi_bands(steps, FOCAL, units=CHF_MONTHS),
        plot_state_composition(steps, FOCAL, units=CHF_MONTHS),
        plot_profit_vs_retention(runs, FOCAL, units=CHF_MONTHS),
        plot_loyalty_states(steps[(steps["scenario"] == "base") & (steps["replication"] == 0)], units=CHF_MONTHS),
    ]
    for fig in figures:
        fig.canvas.draw()
        texts = " ".join(t.get_text() for t in fig.findobj(Text))
        assert "currency units" not in texts and "step" not in texts.split()
        for ax in fig.axes:
            if ax.axison and ax.get_visible():
                assert ax.get_xlabel() and (ax.get_ylabel() or ax.get_subplotspec().colspan.start > 0)
