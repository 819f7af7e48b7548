"""The report of an experiment: the console table, report.md, CSVs and figures."""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import experiments.running.outputs as outputs
from experiments.running.kpis import KPIS
from experiments.reports.report import (
    SURVEY_TABLE,
    comparison_cells,
    format_difference,
    format_table,
    format_value,
    kpi_label,
    ranking_cells,
    survey_cells,
    units_of,
    write_report,
    zero_rows,
)
from experiments.running.statistics import compare, ranking
from tests.experiments.reports.test_plots import FOCAL, REPLICATIONS, SCENARIOS, experiment_tables

PNG = b"\x89PNG\r\n\x1a\n"
DESCRIPTIONS = {
    "baseline": "Every firm as configured: no strategy.",
    "price_war": "The focal firm cuts its price by 20% for 12 weeks.",
    "club": "The focal firm runs a customer club with events.",
}


def meta(**changes) -> dict:
    m = {
        "name": "price_or_club",
        "description": "Does a price war or a customer club pay for the focal firm? A small test market.",
        "baseline": "baseline",
        "focal_firm": FOCAL,
        "scenarios": [{"name": n, "description": DESCRIPTIONS[n]} for n in SCENARIOS],
        "replications": REPLICATIONS,
        "confidence": 0.95,
        "rank_by": "npv",
        "kpis": list(KPIS),
        "market": "retail, 400 customers, 10 weeks after 20 burn-in",
        "elapsed_seconds": 2.5,
    }
    return {**m, **changes}


def tables(m: dict | None = None):
    m = m or meta()
    runs, steps = experiment_tables()
    comparison = compare(runs, m["baseline"], m["focal_firm"], m["kpis"], m["confidence"])
    ranked = ranking(comparison, m["rank_by"], m["baseline"])
    return runs.copy(), steps.copy(), comparison, ranked


@pytest.fixture(scope="module")
def report_folder(tmp_path_factory) -> Path:
    runs, steps, comparison, ranked = tables()
    folder = tmp_path_factory.mktemp("job")
    assert write_report(folder, meta(), runs, steps, comparison, ranked) == folder / "report.md"
    return folder


# --------------------------------------------------------------------- formatting


def test_values_are_formatted_by_kind():
    assert format_value(-33939.77, "money") == "-33,940"
    assert format_value(0.62516, "pct") == "62.5%"
    assert format_value(250.25, "int") == "250.2"
    assert format_value(-55.7777, "float") == "-55.78"
    assert format_value(float("nan"), "money") == "n/a"


def test_differences_carry_a_sign_and_their_interval():
    assert format_difference(12345.4, 8100.2, 16589.6, "money") == "+12,345 [+8,100, +16,590]"
    assert format_difference(0.0123, 0.004, 0.02, "pct") == "+1.2 pp [+0.4, +2.0]"
    assert format_difference(-0.0004, -0.0004, 0.001, "pct") == "-0.0 pp [-0.0, +0.1]"  # the interval spans 0
    assert format_difference(0.0, 0.0, 0.0, "pct") == "+0.0 pp [+0.0, +0.0]"
    assert format_difference(13.6, -4.1, 31.31, "float") == "+13.60 [-4.10, +31.31]"
    assert format_difference(5.0, float("nan"), float("nan"), "int") == "+5.0 [n/a]"


def numbers_in(cell: str) -> list[float]:
    return [float(x.replace(",", "")) for x in re.findall(r"[+-]?\d[\d,]*(?:\.\d+)?", cell)]


# --------------------------------------------------------------------- console table


def test_console_table_fits_120_columns_and_shows_every_scenario_and_kpi():
    _, _, comparison, ranked = tables()
    text = format_table(comparison, ranked, meta())
    assert max(len(line) for line in text.splitlines()) <= 120
    for scenario in SCENARIOS:
        assert scenario in text
    for kpi in KPIS.values():
        assert kpi.label in text


def test_console_table_states_confidence_replications_and_pairing():
    _, _, comparison, ranked = tables()
    text = format_table(comparison, ranked, meta(confidence=0.9))
    assert "90%" in text and "95%" not in text
    assert f"{REPLICATIONS} replications" in text
    assert "paired" in text and "common random numbers" in text


def test_console_table_shows_baseline_means_and_paired_differences():
    _, _, comparison, ranked = tables()
    text = format_table(comparison, ranked, meta())
    rows = comparison.set_index(["scenario", "kpi"])
    npv_line = next(line for line in text.splitlines() if line.startswith("profit (NPV)"))
    assert format_value(rows.loc[("baseline", "npv"), "mean"], "money") in npv_line
    for scenario in ("price_war", "club"):
        r = rows.loc[(scenario, "npv")]
        assert format_difference(r["diff"], r["ci_low"], r["ci_high"], "money") in npv_line
    # the baseline's column comes first
    header = next(line for line in text.splitlines() if line.startswith("KPI"))
    assert header.index("baseline") < header.index("price_war") < header.index("club")


def test_a_narrow_console_wraps_scenarios_into_blocks_that_repeat_the_baseline():
    _, _, comparison, ranked = tables()
    text = format_table(comparison, ranked, meta(), width=80)
    headers = [line for line in text.splitlines() if line.startswith("KPI")]
    assert len(headers) == 2
    assert all("baseline (mean)" in h for h in headers)
    assert "price_war" in headers[0] and "club" in headers[1]
    table_lines = [line for line in text.splitlines() if not line.startswith("Ranking")]
    assert max(len(line) for line in table_lines) <= 80


def test_console_ranking_follows_the_ranking_table():
    _, _, comparison, ranked = tables()
    text = format_table(comparison, ranked, meta())
    section = text[text.index("Ranking by profit (NPV)") :].splitlines()[3:]
    lines = [line for line in section if line.strip()]
    assert [line.split()[1] for line in lines] == ranked["scenario"].tolist()
    for line, verdict in zip(lines, ranked["verdict"]):
        assert line.endswith(verdict)


def test_ranking_cells_mark_the_baseline_and_format_the_rank_kpi():
    _, _, comparison, ranked = tables()
    cells = ranking_cells(ranked, meta()).set_index("scenario")
    assert cells.loc["baseline", "verdict"] == "baseline"
    assert cells.loc["baseline", "difference"] == "—"
    r = ranked.set_index("scenario").loc["price_war"]
    assert cells.loc["price_war", "difference"] == format_difference(r["diff"], r["ci_low"], r["ci_high"], "money")


def test_comparison_cells_follow_meta_kpis_and_scenario_order():
    m = meta(
        kpis=["retention_rate", "npv"],
        scenarios=[
            {"name": "club", "description": ""},
            {"name": "baseline", "description": ""},
            {"name": "price_war", "description": ""},
        ],
    )
    _, _, comparison, _ = tables(m)
    cells = comparison_cells(comparison, m)
    assert list(cells.index) == ["retention (annual, true)", "profit (NPV), EUR"]
    assert list(cells.columns) == ["baseline", "club", "price_war"]
    with pytest.raises(ValueError, match="customers"):
        comparison_cells(comparison, meta(kpis=["npv", "customers"]))


# --------------------------------------------------------------------- report folder


def markdown_rows(text: str, first_header: str) -> list[list[str]]:
    """The body rows of the pipe table whose header starts with ``first_header``."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {first_header} |"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip("|").split(" | ")])
    return rows


def test_report_lists_every_scenario_with_its_description(report_folder):
    text = (report_folder / "report.md").read_text()
    assert text.startswith("# Experiment: price_or_club")
    assert meta()["description"] in text
    assert meta()["market"] in text
    rows = markdown_rows(text, "scenario")
    assert [re.sub(r"\*\*(.*)\*\*.*", r"\1", r[0]) for r in rows] == list(SCENARIOS)
    assert [r[1] for r in rows] == [DESCRIPTIONS[s] for s in SCENARIOS]


def test_report_intervals_are_the_comparison_values_formatted(report_folder):
    text = (report_folder / "report.md").read_text()
    _, _, comparison, _ = tables()
    rows = comparison.set_index(["scenario", "kpi"])
    body = {r[0]: r[1:] for r in markdown_rows(text, "KPI")}
    units = units_of(meta())
    assert list(body) == [kpi_label(k, units) for k in KPIS]
    for kpi_name, kpi in KPIS.items():
        cells = dict(zip(SCENARIOS, body[kpi_label(kpi_name, units)]))
        scale, tolerance = (100, 0.05) if kpi.kind == "pct" else (1, 0.5 if kpi.kind == "money" else 0.005)
        assert numbers_in(cells["baseline"])[0] == pytest.approx(
            scale * rows.loc[("baseline", kpi_name), "mean"], abs=tolerance
        )
        for scenario in ("price_war", "club"):
            r = rows.loc[(scenario, kpi_name)]
            assert cells[scenario] == format_difference(r["diff"], r["ci_low"], r["ci_high"], kpi.kind)
            shown = numbers_in(cells[scenario])
            np.testing.assert_allclose(
                shown, scale * np.array([r["diff"], r["ci_low"], r["ci_high"]]), atol=tolerance * 1.0001
            )


def test_report_explains_paired_intervals_and_ranks(report_folder):
    text = (report_folder / "report.md").read_text()
    assert "paired difference" in text and "common random numbers" in text
    assert "95%" in text and f"{REPLICATIONS} per scenario" in text
    ranked = markdown_rows(text, "rank")
    assert [r[1] for r in ranked] == tables()[3]["scenario"].tolist()
    assert [r[0] for r in ranked] == [str(i) for i in range(1, len(SCENARIOS) + 1)]


def test_report_embeds_its_figures_which_are_png_files(report_folder):
    text = (report_folder / "report.md").read_text()
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert links == [
        "figures/profit_bridge.png",
        "figures/kpi_bands.png",
        "figures/loyalty_states.png",
        "figures/profit_vs_retention.png",
    ]
    for link in links:
        data = (report_folder / link).read_bytes()
        assert data.startswith(PNG) and len(data) > 5000


def test_report_csvs_hold_the_tables_at_full_precision(report_folder):
    _, _, comparison, ranked = tables()
    pd.testing.assert_frame_equal(
        pd.read_csv(report_folder / "comparison.csv"), comparison, check_exact=False, rtol=1e-15
    )
    pd.testing.assert_frame_equal(pd.read_csv(report_folder / "ranking.csv"), ranked, check_exact=False, rtol=1e-15)


def test_report_leaves_no_temporary_files(report_folder):
    names = {p.name for p in report_folder.rglob("*") if p.suffix != ".svg"}  # figures' SVG twins aside
    assert names == {
        "report.md",
        "report.html",
        "comparison.csv",
        "ranking.csv",
        "bridge.csv",
        "figures",
        "profit_bridge.png",
        "kpi_bands.png",
        "loyalty_states.png",
        "profit_vs_retention.png",
    }


def test_a_failed_write_leaves_no_partial_files_and_no_report(tmp_path, monkeypatch):
    runs, steps, comparison, ranked = tables()
    real_replace, calls = os.replace, []

    def replace_fails_on_the_second_file(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(outputs.os, "replace", replace_fails_on_the_second_file)
    with pytest.raises(OSError, match="No space left"):
        write_report(tmp_path, meta(), runs, steps, comparison, ranked)
    left = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    assert left == ["figures", "figures/kpi_bands.png"]


def test_a_folder_that_cannot_be_made_fails_without_files(tmp_path):
    runs, steps, comparison, ranked = tables()
    (tmp_path / "job").write_text("a file where the folder should be")
    with pytest.raises(OSError):
        write_report(tmp_path / "job", meta(), runs, steps, comparison, ranked)
    assert [p.name for p in tmp_path.iterdir()] == ["job"]


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_fails_without_files(tmp_path):
    runs, steps, comparison, ranked = tables()
    folder = tmp_path / "job"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(PermissionError):
            write_report(folder, meta(), runs, steps, comparison, ranked)
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


def test_the_report_of_one_replication_has_no_intervals(tmp_path):
    runs, steps, _, _ = tables()
    runs, steps = runs[runs["replication"] == 0], steps[steps["replication"] == 0]
    m = meta(replications=1)
    comparison = compare(runs, "baseline", FOCAL, m["kpis"], 0.95)
    ranked = ranking(comparison, "npv", "baseline")
    text = write_report(tmp_path, m, runs, steps, comparison, ranked).read_text()
    assert "[n/a]" in text
    assert not math.isnan(comparison["diff"].iloc[-1])


# --------------------------------------------------------------------- survey view


def test_report_shows_each_firms_survey_view_at_the_end_with_its_scales(report_folder):
    text = (report_folder / "report.md").read_text()
    assert "## Survey view at the end of the horizon" in text
    assert "5 very satisfied (the top box) from 0.9" in text and "Promoter score: % answering 9-10" in text
    _, steps, _, _ = tables()
    rows = markdown_rows(text, "scenario | firm")
    firms = steps.sort_values("firm_index")["firm"].unique().tolist()
    assert [(r[0], r[1]) for r in rows] == [(s, f) for s in SCENARIOS for f in firms]
    headings = [heading for _, heading, _ in SURVEY_TABLE]
    last = steps[steps["step"] == steps["step"].max()].groupby(["scenario", "firm"])
    for r in rows:
        cells = dict(zip(headings, r[2:]))
        for column, heading, kind in SURVEY_TABLE:
            mean = last[column].mean()[(r[0], r[1])]
            assert cells[heading] == format_value(mean, kind), (r[:2], heading)
        assert float(cells["very satisfied (top box)"].rstrip("%")) <= float(
            cells["satisfied or very (top two)"].rstrip("%")
        )


def test_the_report_states_the_runs_own_scales(tmp_path):
    runs, steps, comparison, ranked = tables()
    m = meta(figures=False, survey_scale="Five-point satisfaction: 5 very satisfied from 1.5.")
    text = write_report(tmp_path, m, runs, steps, comparison, ranked).read_text()
    assert "*Scales:* Five-point satisfaction: 5 very satisfied from 1.5." in text
    assert "default scales" not in text


def test_steps_without_a_survey_view_give_a_report_without_it(tmp_path):
    runs, steps, comparison, ranked = tables()
    old = steps.drop(columns=["csat_top_box"])
    assert survey_cells(old, meta()) is None
    text = write_report(tmp_path, meta(figures=False), runs, old, comparison, ranked).read_text()
    assert "Survey view" not in text and "## Ranking by" in text


# --------------------------------------------------------------------- rows that round to nothing


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [
        (0.004, "float", "+0.0040"),
        (0.35, "float", "+0.35"),
        (0.0004, "pct", "+0.040"),
        (0.025, "pct", "+2.5"),
        (0.3, "money", "+0"),
    ],
)
def test_a_small_difference_gets_the_decimals_that_keep_it_from_reading_zero(value, kind, text):
    assert format_value(value, kind, signed=True) == text


def test_an_interval_is_shown_with_the_decimals_its_half_width_needs():
    assert format_difference(0.001, -0.002, 0.004, "float") == "+0.0010 [-0.0020, +0.0040]"
    assert format_difference(0.5, 0.2, 0.8, "float") == "+0.50 [+0.20, +0.80]"


def test_kpi_rows_that_are_zero_in_every_column_are_left_out_and_named():
    m = meta(kpis=["npv", "complaints", "win_backs"])
    runs, _, _, _ = tables(m)
    runs["win_backs"] = 0.0
    comparison = compare(runs, "baseline", FOCAL, m["kpis"], 0.95)
    cells = comparison_cells(comparison, m)
    assert zero_rows(cells) == [kpi_label("win_backs", units_of(m))]
    text = format_table(comparison, ranking(comparison, "npv", "baseline"), m)
    assert "Zero in every column, left out: customers won back." in text
    assert "customers won back  " not in text


def test_money_rows_name_the_currency_and_the_heading_the_horizon_and_rate():
    m = meta(units={"currency": "SEK", "horizon_steps": 24, "steps_per_year": 12.0, "discount_rate": 0.1})
    _, _, comparison, ranked = tables(m)
    text = format_table(comparison, ranked, m)
    assert "profit (NPV), SEK" in text and "revenue (undiscounted), SEK" in text
    assert "horizon 24 months; NPV discounted at 10% a year" in " ".join(text.split())


def test_the_tenure_table_names_the_currency_of_its_money():
    from experiments.reports.report import tenure_cells

    tenure = pd.DataFrame(
        {
            "scenario": ["baseline", "baseline"],
            "replication": [0, 1],
            "firm": [FOCAL, FOCAL],
            "band_from_years": [0.0, 0.0],
            "tenure_band": ["under 1 year", "under 1 year"],
            "relationships": [10.0, 12.0],
            "annual_revenue": [500.0, 700.0],
            "annual_margin": [100.0, 140.0],
            "median_margin": [90.0, 95.0],
            "barely_profitable": [0.5, 0.4],
        }
    )
    m = meta(units={"currency": "JPY", "horizon_steps": 104, "steps_per_year": 52.0, "discount_rate": 0.08})
    cells = tenure_cells(tenure, m)
    assert list(cells.columns)[3:6] == ["revenue a year (JPY)", "margin a year (JPY)", "median margin (JPY)"]
    assert cells.iloc[0, 3] == "600"
