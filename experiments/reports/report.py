"""The report of an experiment: console table, report.md, CSVs and figures.

An experiment runs its scenarios x replications on common
random numbers and compares each scenario with the baseline on paired
differences (:mod:`experiments.running.statistics`). This module turns that comparison
into what a reader sees:

* :func:`format_table`, the table printed after a run: for the baseline, its
  mean KPIs; for every other scenario, the mean paired difference from the
  baseline with its interval, formatted by the KPI's kind (money with thousands
  separators and the currency, shares in percent and their differences in
  percentage points; a small value keeps the digits that show it, a row that
  shows zero everywhere is left out and named); then the profit bridge
  (:mod:`experiments.reports.profit_bridge`: why the NPV differs, line by line
  of the books, with a sentence per scenario); then the ranking;
* :func:`write_report`, the job folder's ``report.md`` (the same tables in
  Markdown, the scenarios and the figures), its self-contained ``report.html``
  (:mod:`experiments.reports.html_report`), ``comparison.csv``,
  ``bridge.csv`` and ``ranking.csv`` at full precision, and the figures of
  :mod:`experiments.reports.plots` and :mod:`experiments.reports.bridge_plot`
  under ``figures/`` (each also as SVG), with the survey view of every
  firm at the end of the horizon (:func:`survey_cells`: top-box shares, mean
  answers and promoter score as a customer survey would show them). Both
  open with a warning when the baseline's market is still settling
  (:mod:`experiments.reports.steady_state`).

Both present the same cells (:func:`comparison_cells`, :func:`ranking_cells`),
so the console and the report cannot disagree. KPIs are laid out as rows and
scenarios as columns, wrapped into blocks that fit the terminal: an
experiment has about eight KPIs but any number of scenarios.

``meta`` is a plain dict describing the experiment: ``name``, ``description``,
``baseline``, ``focal_firm``, ``scenarios`` (a list of ``{"name",
"description"}``), ``replications``, ``confidence``, ``rank_by``, ``kpis``
(default: the keys of :data:`experiments.running.kpis.KPIS`), ``market`` (one line)
and optionally ``elapsed_seconds``, ``survey_scale`` (the survey's scales
in words, :func:`sim.survey.scale_definition`; default: the default scales),
``units`` (:class:`experiments.reports.units.ReportUnits` as a dict; default:
the default market's), ``burn_in``, ``steady_state_drift``,
``steady_state_window_weeks``, ``steady_state`` (the check's line) and
``warnings``.
"""

from __future__ import annotations

import math
import os
import re
import textwrap
from pathlib import Path
from typing import Any, Mapping, Sequence

import pandas as pd

from experiments.reports.bridge_plot import plot_profit_bridge
from experiments.reports.html_report import write_html_report
from experiments.reports.plots import plot_kpi_bands, plot_profit_vs_retention, plot_state_composition
from experiments.reports.profit_bridge import NEEDED, books, drivers_sentence, profit_bridge, unchanged_lines
from experiments.reports.steady_state import Drift, drift_warning, state_drift
from experiments.reports.units import ReportUnits
from experiments.running.kpis import ALL_KPIS, KPIS, Kpi
from experiments.running.outputs import save_figure, write_csv, write_text
from sim.units import StepLength
from sim.survey import SURVEY_METRICS

#: the console table's default width (characters)
WIDTH = 120
#: resolution of the report's figures
DPI = 110
#: shown for an interval that cannot be computed (fewer than two replications)
NO_INTERVAL = "n/a"
#: the waterfall of the profit bridge, shown in its section
FIGURE_BRIDGE = ("profit_bridge.png", "Profit bridge: each scenario's NPV difference from the baseline, line by line")
#: the other figures of the report: file name (under ``figures/``) and caption
FIGURES = {
    "kpi_bands.png": "KPIs of the focal firm over time (retention: annual, over the trailing year): mean over "
    "replications with its interval",
    "loyalty_states.png": "Shares of the people by loyalty state towards the focal firm, per scenario, and each "
    "scenario's difference from the baseline in percentage points",
    "profit_vs_retention.png": "Profit (NPV) against annual retention: per replication and scenario mean, and each "
    "scenario's paired difference from the baseline with its interval",
}


# --------------------------------------------------------------------- values


def kpi_of(name: str) -> Kpi:
    """The KPI ``name`` (a plain float KPI when it is not in :data:`ALL_KPIS`)."""
    return ALL_KPIS.get(name) or Kpi(name, name.replace("_", " "), "float", True)


def _rounded(x: float, decimals: int) -> float:
    return round(x, decimals) + 0.0  # + 0.0 turns -0.0 into 0.0


#: decimals of each kind of value (shares: of their percentage), and the most a small value is given
DECIMALS = {"money": 0, "pct": 1, "int": 1, "float": 2}
MAX_DECIMALS = 4


def decimals_for(scale: float, kind: str) -> int:
    """Decimals that show a number of size ``scale`` (a share's as a
    fraction) with two significant digits when the kind's usual decimals
    would round it to zero: a satisfaction difference of 0.004 reads
    ``+0.0040``, not ``+0.00``; money stays in whole units."""
    usual = DECIMALS.get(kind, 2)
    size = abs(100 * scale if kind == "pct" else scale)
    if kind == "money" or not size or math.isnan(size) or math.isinf(size) or round(size, usual):
        return usual
    return max(usual, min(MAX_DECIMALS, 1 - math.floor(math.log10(size))))


def format_value(value: float, kind: str, signed: bool = False, decimals: int | None = None) -> str:
    """An absolute value: money as ``-33,940``, a share as ``62.5%``, a count's
    mean as ``250.3``, any other number as ``-55.78``; ``signed``: a difference,
    always with its sign (and shares in percentage points, without ``%``),
    the sign of a small one kept when it rounds to zero (``-0.0``: an interval
    ``[-0.0, +0.2]`` spans 0). A value that the kind's decimals would round to
    zero gets more (:func:`decimals_for`), unless ``decimals`` is given."""
    if value is None or math.isnan(value):
        return NO_INTERVAL
    sign = "+" if signed else ""
    places = decimals_for(value, kind) if decimals is None else decimals
    scaled = 100 * value if kind == "pct" else value
    shown = round(scaled, places) if signed and value else _rounded(scaled, places)
    if signed and value and not shown:
        shown = math.copysign(0.0, value)
    text = f"{shown:{sign}.{places}f}" if kind == "pct" else f"{shown:{sign},.{places}f}"
    return text + ("%" if kind == "pct" and not signed else "")


def format_difference(diff: float, low: float, high: float, kind: str) -> str:
    """A difference with its interval: ``+12,345 [+8,100, +16,590]``; a share's
    in percentage points: ``+1.2 pp [+0.4, +2.0]``; with the decimals that
    show the interval's half-width (:func:`decimals_for`)."""
    unit = " pp" if kind == "pct" else ""
    if any(v is None or math.isnan(v) for v in (low, high)):
        interval, places = NO_INTERVAL, None
    else:
        places = decimals_for((high - low) / 2 or diff, kind)
        interval = f"{format_value(low, kind, True, places)}, {format_value(high, kind, True, places)}"
    return f"{format_value(diff, kind, True, places)}{unit} [{interval}]"


# --------------------------------------------------------------------- meta


def _kpis(meta: Mapping[str, Any]) -> list[str]:
    return list(meta.get("kpis") or KPIS)


def _confidence(meta: Mapping[str, Any]) -> float:
    return float(meta.get("confidence", 0.95))


def units_of(meta: Mapping[str, Any]) -> ReportUnits:
    """The units of the experiment's results (``meta["units"]``, else the default market's)."""
    return ReportUnits.of_meta(meta)


def kpi_label(name: str, units: ReportUnits) -> str:
    """A KPI's label with its unit: money names the currency (the NPV also
    its horizon and discount rate are in the table's heading)."""
    kpi = kpi_of(name)
    return f"{kpi.label}, {units.currency}" if kpi.kind == "money" or kpi.in_money else kpi.label


#: a cell whose every number is zero, as displayed ("+0.0 pp [+0.0, +0.0]", "0.0%", "-0")
_ZERO_CELL = re.compile(r"^[^1-9]*$")


def zero_rows(cells: pd.DataFrame) -> list[str]:
    """The rows of a table of display strings whose every cell shows zero
    (an interval of "n/a" counts as zero): rows a report leaves out and names."""
    return [str(label) for label, row in cells.iterrows() if all(_ZERO_CELL.match(str(c)) for c in row)]


def scenario_names(meta: Mapping[str, Any], comparison: pd.DataFrame) -> list[str]:
    """Scenarios in the order of ``meta["scenarios"]`` (then any others of the
    comparison), the baseline first."""
    named = [s["name"] for s in meta.get("scenarios", [])]
    names = list(dict.fromkeys([*named, *pd.unique(comparison["scenario"])]))
    baseline = meta["baseline"]
    return [baseline, *(n for n in names if n != baseline)]


# --------------------------------------------------------------------- cells


def comparison_cells(comparison: pd.DataFrame, meta: Mapping[str, Any]) -> pd.DataFrame:
    """The comparison as display strings: one row per KPI of ``meta["kpis"]``
    (indexed by its label), one column per scenario, the baseline's first.

    The baseline's cells are its means (:func:`format_value`), the other
    scenarios' the mean paired difference from the baseline with its interval
    (:func:`format_difference`).
    """
    baseline = meta["baseline"]
    kpis = _kpis(meta)
    missing = [k for k in kpis if k not in set(comparison["kpi"])]
    if missing:
        raise ValueError(f"meta['kpis']: {', '.join(missing)} not in the comparison table")
    table = comparison.set_index(["scenario", "kpi"])
    columns = {}
    for scenario in scenario_names(meta, comparison):
        cells = []
        for name in kpis:
            row, kind = table.loc[(scenario, name)], kpi_of(name).kind
            cells.append(
                format_value(row["mean"], kind)
                if scenario == baseline
                else format_difference(row["diff"], row["ci_low"], row["ci_high"], kind)
            )
        columns[scenario] = cells
    return pd.DataFrame(columns, index=pd.Index([kpi_label(k, units_of(meta)) for k in kpis], name="KPI"))


def ranking_cells(ranking: pd.DataFrame, meta: Mapping[str, Any]) -> pd.DataFrame:
    """The ranking as display strings: rank, scenario, mean, difference from
    the baseline with its interval (none for the baseline itself), verdict."""
    baseline = meta["baseline"]
    kind = kpi_of(str(ranking["kpi"].iloc[0]) if len(ranking) else meta.get("rank_by", "npv")).kind
    is_base = ranking["scenario"] == baseline
    difference = [
        ("—" if base else format_difference(d, lo, hi, kind))
        for base, d, lo, hi in zip(is_base, ranking["diff"], ranking["ci_low"], ranking["ci_high"])
    ]
    return pd.DataFrame(
        {
            "rank": ranking["rank"].astype(int).astype(str),
            "scenario": ranking["scenario"].astype(str),
            "mean": [format_value(v, kind) for v in ranking["mean"]],
            "difference": difference,
            "verdict": ranking["verdict"].where(~is_base, "baseline"),
        }
    )


# --------------------------------------------------------------------- the bridge


def report_bridge(steps: pd.DataFrame | None, meta: Mapping[str, Any]) -> pd.DataFrame | None:
    """The focal firm's profit bridge (:func:`profit_bridge`) in the order of
    the scenarios; None for a step table without the books' split (one
    written by an older version)."""
    if steps is None or steps.empty or not set(NEEDED) <= set(steps.columns):
        return None
    order = [s["name"] for s in meta.get("scenarios", [])]
    return profit_bridge(steps, meta["focal_firm"], meta["baseline"], units_of(meta), _confidence(meta), order or None)


#: how a part of a line is marked in the bridge's table
PART = "↳ "
#: a line a scenario leaves unchanged (mean and interval under ZERO_MONEY)
UNCHANGED = "0"
#: money that shows as 0 in whole units
ZERO_MONEY = 0.5


def bridge_cells(bridge: pd.DataFrame, meta: Mapping[str, Any]) -> pd.DataFrame:
    """The profit bridge as display strings: one row per line that is not
    zero everywhere (the revenue's parts marked ``↳``), the baseline's
    present value of each line (costs negative), then each scenario's mean
    paired difference from the baseline with its interval."""
    baseline = meta["baseline"]
    hidden = set(unchanged_lines(bridge, ZERO_MONEY))
    shown = books(bridge)[lambda b: ~b["line"].isin(hidden)]
    lines = list(dict.fromkeys(shown["line"]))
    first = shown.drop_duplicates("line").set_index("line")
    columns: dict[str, list[str]] = {}
    for scenario, rows in shown.groupby("scenario", sort=False):
        rows = rows.set_index("line")
        if scenario == baseline:
            columns[str(scenario)] = [
                "" if first.loc[ln, "part_of"] else format_value(rows.loc[ln, "baseline_level"], "money")
                for ln in lines
            ]
        else:
            columns[str(scenario)] = [
                UNCHANGED
                if rows.loc[ln, ["diff", "ci_low", "ci_high"]].abs().fillna(0.0).max() < ZERO_MONEY
                else format_difference(rows.loc[ln, "diff"], rows.loc[ln, "ci_low"], rows.loc[ln, "ci_high"], "money")
                for ln in lines
            ]
    labels = [(PART if first.loc[ln, "part_of"] else "") + str(first.loc[ln, "label"]) for ln in lines]
    return pd.DataFrame(columns, index=pd.Index(labels, name="line"))


def bridge_sentences(bridge: pd.DataFrame, meta: Mapping[str, Any]) -> list[str]:
    """One sentence per scenario on what drove its NPV difference (Markdown)."""
    baseline, units = meta["baseline"], units_of(meta)
    return [drivers_sentence(bridge, str(s), units, baseline) for s in pd.unique(bridge["scenario"]) if s != baseline]


def _bridge_note(bridge: pd.DataFrame) -> str:
    hidden = [
        str(bridge.loc[bridge["line"] == ln, "label"].iloc[0]).split(" (")[0]
        for ln in unchanged_lines(bridge, ZERO_MONEY)
    ]
    return f"Zero in every scenario, left out: {', '.join(hidden)}." if hidden else ""


def _bridge_heading(meta: Mapping[str, Any]) -> str:
    units = units_of(meta)
    return (
        f"Profit bridge of {meta.get('focal_firm', '')}: present values in {units.currency} over "
        f"{units.horizon()}, discounted at {units.rate()} as the NPV is. Column {meta['baseline']!r}: "
        f"its own amounts (costs negative); other columns: the mean paired difference from it "
        f"[{_confidence(meta):.0%} interval], each line's effect on the NPV (a higher cost is negative). "
        f"The lines without {PART.strip()} add up to the NPV difference; the revenue's parts ({PART.strip()}) "
        "add up to the revenue's."
    )


# --------------------------------------------------------------------- steady state


def _baseline_drift(steps: pd.DataFrame | None, meta: Mapping[str, Any]) -> tuple[Drift, float] | None:
    """The baseline's largest drift of a state's share (:func:`state_drift`)
    and the experiment's tolerance; None without state counts."""
    from experiments.running.config import ExperimentConfig

    if steps is None or steps.empty or "n_prospect" not in steps.columns:
        return None
    steps_per_year = units_of(meta).steps_per_year
    tolerance = float(meta.get("steady_state_drift", ExperimentConfig.steady_state_drift))
    weeks = float(meta.get("steady_state_window_weeks", ExperimentConfig.steady_state_window_weeks))
    window = StepLength(steps_per_year).whole_steps(weeks)
    return state_drift(steps, meta["focal_firm"], meta["baseline"], steps_per_year, window), tolerance


def steady_state(steps: pd.DataFrame | None, meta: Mapping[str, Any]) -> dict[str, Any]:
    """The steady-state check for the report's ``meta``: ``steady_state``, its
    line, passed or not (None without state counts), and ``warnings``, the
    warning when the baseline's loyalty states still drift over the horizon
    by more than the experiment's ``steady_state_drift`` (percentage points a
    year)."""
    checked = _baseline_drift(steps, meta)
    if checked is None:
        return {"steady_state": None, "warnings": []}
    drift, tolerance = checked
    verdict = "within" if abs(drift.pp_per_year) <= tolerance else "beyond"
    warning = drift_warning(drift, tolerance, meta.get("burn_in"))
    return {
        "steady_state": (
            f"the baseline's largest drift over the horizon is the {drift.state} share of the people, "
            f"{drift.pp_per_year:+.1f} percentage points a year, {verdict} the tolerance of ±{tolerance:g}"
        ),
        "warnings": [warning] if warning else [],
    }


def steady_state_warning(steps: pd.DataFrame | None, meta: Mapping[str, Any]) -> str | None:
    """The steady-state check's warning alone (:func:`steady_state`), or None."""
    return next(iter(steady_state(steps, meta)["warnings"]), None)


def _warnings(meta: Mapping[str, Any]) -> list[str]:
    return [str(w) for w in meta.get("warnings", []) if w]


#: the survey view's columns in the report: step-table column, heading, kind
SURVEY_TABLE = (
    ("customers", "customers surveyed", "int"),
    ("csat_top_box", "very satisfied (top box)", "pct"),
    ("csat_top2_box", "satisfied or very (top two)", "pct"),
    ("csat_bottom2_box", "dissatisfied or very (bottom two)", "pct"),
    ("mean_csat_5", "mean satisfaction (1-5)", "float"),
    ("mean_csat_10", "mean satisfaction (0-10)", "float"),
    ("intent_top_box", "will definitely buy again (top box)", "pct"),
    ("promoter_score", "promoter score", "float"),
)


def survey_cells(steps: pd.DataFrame, meta: Mapping[str, Any]) -> pd.DataFrame | None:
    """The survey view at the end of the horizon as display strings: one row
    per scenario and firm (the baseline first, then the scenarios in the
    order of ``meta["scenarios"]``; firms in their market's order), each
    value the mean over the replications of the firm's last reported step.
    None when the steps hold no survey view (a step table of an older version)."""
    needed = {"scenario", "replication", "firm", "firm_index", "step", *(c for c, _, _ in SURVEY_TABLE)}
    if steps is None or steps.empty or not needed <= set(steps.columns):
        return None
    at_end = steps[steps["step"] == steps.groupby(["scenario", "replication"], observed=True)["step"].transform("max")]
    means = at_end.groupby(["scenario", "firm_index", "firm"], observed=True)[[c for c, _, _ in SURVEY_TABLE]].mean()
    present = list(dict.fromkeys(str(s) for s in at_end["scenario"]))
    named = [s["name"] for s in meta.get("scenarios", [])]
    baseline = meta.get("baseline")
    order = list(
        dict.fromkeys([*([baseline] if baseline in present else []), *(n for n in named if n in present), *present])
    )
    rows = []
    for scenario in order:
        part = means.xs(scenario, level="scenario").sort_index(level="firm_index")
        for (_, firm), values in part.iterrows():
            rows.append([scenario, str(firm), *(format_value(values[c], kind) for c, _, kind in SURVEY_TABLE)])
    return pd.DataFrame(rows, columns=["scenario", "firm", *(heading for _, heading, _ in SURVEY_TABLE)])


def retention_cells(retention: pd.DataFrame | None, meta: Mapping[str, Any]) -> pd.DataFrame | None:
    """The focal firm's retention two ways at the end of the horizon, as
    display strings: one row per scenario and cohort year (the baseline
    first), each the mean over the replications of the last snapshot
    (:mod:`sim.retention`). None without a retention table."""
    if retention is None or retention.empty:
        return None
    mine = retention[retention["firm"] == meta.get("focal_firm")]
    if mine.empty:
        return None
    last = mine[mine["reported_step"] == mine.groupby(["scenario", "replication"])["reported_step"].transform("max")]
    means = last.groupby(["scenario", "cohort_year"])[["acquired", "true_retention", "observed_retention"]].mean()
    baseline = meta.get("baseline")
    present = list(dict.fromkeys(str(s) for s in last["scenario"]))
    order = [*([baseline] if baseline in present else []), *(s for s in present if s != baseline)]
    rows = [
        [
            scenario,
            str(int(year)),
            format_value(v["acquired"], "float"),
            format_value(v["true_retention"], "pct"),
            format_value(v["observed_retention"], "pct"),
        ]
        for scenario in order
        for year, v in means.xs(scenario, level="scenario").iterrows()
    ]
    return pd.DataFrame(
        rows, columns=["scenario", "won in year", "relationships won", "truly retained", "looks retained"]
    )


def tenure_cells(tenure: pd.DataFrame | None, meta: Mapping[str, Any]) -> pd.DataFrame | None:
    """The focal firm's current relationships by tenure band at the end of
    the horizon, as display strings: one row per scenario and band (the
    baseline first), each the mean over the replications
    (:mod:`sim.tenure_value`). None without the table."""
    if tenure is None or tenure.empty:
        return None
    mine = tenure[tenure["firm"] == meta.get("focal_firm")]
    if mine.empty:
        return None
    columns = ["relationships", "annual_revenue", "annual_margin", "median_margin", "barely_profitable"]
    currency = units_of(meta).currency
    means = mine.groupby(["scenario", "band_from_years", "tenure_band"], sort=True)[columns].mean()
    baseline = meta.get("baseline")
    present = list(dict.fromkeys(str(s) for s in mine["scenario"]))
    order = [*([baseline] if baseline in present else []), *(s for s in present if s != baseline)]
    rows = [
        [
            scenario,
            str(band),
            format_value(v["relationships"], "float"),
            format_value(v["annual_revenue"], "money"),
            format_value(v["annual_margin"], "money"),
            format_value(v["median_margin"], "money"),
            format_value(v["barely_profitable"], "pct"),
        ]
        for scenario in order
        for (_, band), v in means.xs(scenario, level="scenario").iterrows()
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "scenario",
            "tenure",
            "relationships",
            f"revenue a year ({currency})",
            f"margin a year ({currency})",
            f"median margin ({currency})",
            "barely profitable",
        ],
    )


def _lapse_gaps(meta: Mapping[str, Any]) -> str:
    """How many expected inter-purchase times of silence make a lapse: the
    run's (``meta["lapse_gaps"]``), else the default's."""
    if meta.get("lapse_gaps") is not None:
        return f"{float(meta['lapse_gaps']):g}"
    from sim.config import LoyaltyConfig

    return f"{LoyaltyConfig().lapse_gaps:g}"


def _survey_scale(meta: Mapping[str, Any]) -> str:
    """The survey's scales in words: the run's (``meta["survey_scale"]``),
    else the default scales'."""
    if meta.get("survey_scale"):
        return str(meta["survey_scale"])
    from sim.config import MarketConfig
    from sim.survey import scale_definition

    market = MarketConfig()
    return f"(The default scales.) {scale_definition(market.survey, market.loyalty)}"


# --------------------------------------------------------------------- console


def _text_rows(header: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool]) -> list[str]:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(str(c).rjust(w) if r else str(c).ljust(w) for c, w, r in zip(cells, widths, right)).rstrip()

    return [line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def _blocks(cells: pd.DataFrame, width: int) -> list[list[str]]:
    """Column groups that fit ``width``: every group repeats the KPI labels and
    the baseline column, then takes as many other scenarios as fit."""

    def col_width(name: str) -> int:
        return max(len(name), *(len(c) for c in cells[name]))

    fixed = max(len(cells.index.name or ""), *(len(i) for i in cells.index)) + 2 + col_width(cells.columns[0])
    groups: list[list[str]] = [[]]
    used = fixed
    for name in cells.columns[1:]:
        w = 2 + col_width(name)
        if groups[-1] and used + w > width:
            groups.append([])
            used = fixed
        groups[-1].append(name)
        used += w
    return [[cells.columns[0], *g] for g in groups]


def _heading(meta: Mapping[str, Any], width: int) -> list[str]:
    confidence, reps = _confidence(meta), meta.get("replications")
    n_scen = len(meta.get("scenarios", [])) or "?"
    title = (
        f"Experiment {meta.get('name', '')}: {n_scen} scenarios x {reps} replications, "
        f"focal firm {meta.get('focal_firm', '?')}, {confidence:.0%} confidence"
    )
    how = (
        f"Column {meta['baseline']!r} (the baseline): its mean over the replications. Other "
        f"columns: the mean paired difference from the baseline [{confidence:.0%} interval]; "
        "paired on common random numbers (replication r of every scenario ran on the same seed). "
        f"{units_of(meta).caption()} Shares in %, their differences in percentage points (pp)."
    )
    warnings = [line for w in _warnings(meta) for line in textwrap.wrap(f"WARNING: {w}", width)]
    return [*warnings, *textwrap.wrap(title, width), *textwrap.wrap(how, width)]


def _text_table(cells: pd.DataFrame, first: str, width: int) -> list[str]:
    """A table of display strings (rows labelled by its index, the first
    column repeated) in blocks that fit ``width``."""
    lines: list[str] = []
    for group in _blocks(cells, width):
        rows = [[label, *values] for label, values in zip(cells.index, cells[group].to_numpy().tolist())]
        lines += ["", *_text_rows([first, *group], rows, [False, *([True] * len(group))])]
    return lines


def _plain(markdown: str) -> str:
    return markdown.replace("**", "")


def format_table(
    comparison: pd.DataFrame,
    ranking: pd.DataFrame,
    meta: Mapping[str, Any],
    width: int = WIDTH,
    bridge: pd.DataFrame | None = None,
) -> str:
    """The comparison table printed after a run, then the profit bridge
    (with ``bridge``: :func:`report_bridge`) and its sentences, then the ranking.

    KPIs are rows and scenarios columns (the baseline's first, its means; the
    others' paired differences with intervals); when the scenarios do not fit
    in ``width`` characters the table continues in further blocks, each
    repeating the KPI labels and the baseline column. Rows that show zero in
    every column are left out and named.
    """
    baseline = meta["baseline"]
    cells = comparison_cells(comparison, meta)
    zeros = zero_rows(cells)
    cells = cells.drop(index=zeros).rename(columns={baseline: f"{baseline} (mean)"})
    lines = [*_heading(meta, width), *_text_table(cells, "KPI", width)]
    if zeros:
        lines += textwrap.wrap(f"Zero in every column, left out: {', '.join(zeros)}.", width)
    if bridge is not None:
        table = bridge_cells(bridge, meta).rename(columns={baseline: f"{baseline} (amount)"})
        lines += ["", *textwrap.wrap(_bridge_heading(meta), width), *_text_table(table, "line", width)]
        note = _bridge_note(bridge)
        lines += textwrap.wrap(note, width) if note else []
        for sentence in bridge_sentences(bridge, meta):
            lines += textwrap.wrap(f"- {_plain(sentence)}", width, subsequent_indent="  ")
    rank_by = kpi_of(meta.get("rank_by", "npv"))
    ranked = ranking_cells(ranking, meta)
    lines += [
        "",
        f"Ranking by {rank_by.label} (difference from the baseline [{_confidence(meta):.0%} interval]):",
        *_text_rows(list(ranked.columns), ranked.to_numpy().tolist(), [True, False, True, True, False]),
    ]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------- markdown


def _md_cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown_table(table: pd.DataFrame, right: Sequence[bool] | None = None, index: bool = False) -> str:
    """A pipe table of ``table``'s strings (with its index as first column if ``index``)."""
    frame = table.reset_index() if index else table
    right = list(right) if right is not None else [False] * frame.shape[1]
    header = "| " + " | ".join(_md_cell(c) for c in frame.columns) + " |"
    rule = "|" + "|".join("---:" if r else "---" for r in right) + "|"
    rows = ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in frame.to_numpy().tolist()]
    return "\n".join([header, rule, *rows])


def _bridge_markdown(bridge: pd.DataFrame | None, meta: Mapping[str, Any]) -> list[str]:
    """The report's profit-bridge section: how to read it, the table, a
    sentence per scenario, the waterfall figure."""
    if bridge is None:
        return [
            "## Profit bridge",
            "",
            "No profit bridge: the step table has no split of the revenue (written by an older version).",
            "",
        ]
    table = bridge_cells(bridge, meta).rename(columns={meta["baseline"]: f"{meta['baseline']} (amount)"})
    note = _bridge_note(bridge)
    figure = (
        [f"![{FIGURE_BRIDGE[1]}](figures/{FIGURE_BRIDGE[0]})", "", f"*{FIGURE_BRIDGE[1]}.*", ""]
        if meta.get("figures", True)
        else []
    )
    return [
        "## Profit bridge: why the NPV differs",
        "",
        f"*How to read:* {_bridge_heading(meta)} **Volume** values the change in purchases at the baseline's "
        "list value per purchase, split into **customers** (more or fewer customers: retention and "
        "acquisition) and **purchases per customer**; a **programme's basket lift** is what a programme "
        "added to its customers' baskets at list prices (an assumption of the programme: see its "
        "parameters); **mix** is the rest of the change in the purchases' value at list prices (basket "
        "sizes, who buys); **price** is the change in what customers paid below (or above) the list price; "
        "**fees** are revenue beyond purchases. A programme's line holds its own costs only: its discounts "
        "are in price, a wage premium in wages. The sentences count volume, lift and mix at their gross "
        "margin, after the cost of goods they bring. `bridge.csv` holds every line at full precision, and "
        "the margin view (`part_of` = margin).",
        "",
        markdown_table(table, right=[False, *([True] * table.shape[1])], index=True),
        "",
        *([note, ""] if note else []),
        *(f"- {sentence}" for sentence in bridge_sentences(bridge, meta)),
        "",
        *figure,
    ]


def report_markdown(
    meta: Mapping[str, Any],
    comparison: pd.DataFrame,
    ranking: pd.DataFrame,
    survey: pd.DataFrame | None = None,
    retention: pd.DataFrame | None = None,
    tenure: pd.DataFrame | None = None,
    bridge: pd.DataFrame | None = None,
) -> str:
    """The text of ``report.md`` (with the survey view's table ``survey``,
    :func:`survey_cells`, the retention table ``retention``,
    :func:`retention_cells`, the value by tenure ``tenure``,
    :func:`tenure_cells`, and the profit bridge ``bridge``,
    :func:`report_bridge`, when given)."""
    confidence, baseline, units = _confidence(meta), meta["baseline"], units_of(meta)
    cells = comparison_cells(comparison, meta)
    zeros = zero_rows(cells)
    cells = cells.drop(index=zeros).rename(columns={baseline: f"{baseline} (baseline: mean)"})
    ranked = ranking_cells(ranking, meta).rename(columns={"difference": f"difference [{confidence:.0%} interval]"})
    described = {s["name"]: s.get("description", "") for s in meta.get("scenarios", [])}
    scenarios = pd.DataFrame(
        {
            "scenario": [
                f"**{n}** (baseline)" if n == baseline else f"**{n}**" for n in scenario_names(meta, comparison)
            ],
            "description": [described.get(n, "") for n in scenario_names(meta, comparison)],
        }
    )
    facts = [
        f"**Market:** {meta.get('market', '')}",
        f"**Focal firm:** {meta.get('focal_firm', '')}",
        f"**Units:** {units.caption()}",
        f"**Baseline:** {baseline}",
        f"**Replications:** {meta.get('replications')} per scenario",
        f"**Confidence:** {confidence:.0%}",
    ]
    if meta.get("steady_state"):
        facts.append(f"**Steady state:** {meta['steady_state']}")
    if meta.get("elapsed_seconds") is not None:
        facts.append(f"**Run time:** {float(meta['elapsed_seconds']):,.1f} s")
    rank_by = kpi_of(meta.get("rank_by", "npv"))
    warnings = [f"> **Warning:** {w}\n" for w in _warnings(meta)]
    parts = [
        f"# Experiment: {meta.get('name', '')}",
        "",
        str(meta.get("description", "")).strip(),
        "",
        *warnings,
        "  \n".join(facts),
        "",
        "## Scenarios",
        "",
        markdown_table(scenarios),
        "",
        "## Comparison with the baseline",
        "",
        f"*How to read:* the baseline's column holds its mean over the replications; every other "
        f"column holds the scenario's mean **paired difference** from the baseline with its "
        f"{confidence:.0%} interval. Replication r of every scenario ran on the same seed (common "
        f"random numbers), so the luck a pair shares cancels: an interval that excludes 0 is a "
        f"difference due to the strategy, within the model and its assumptions. Shares are in %, their "
        f"differences in percentage "
        f"points (pp). `comparison.csv` holds these numbers at full precision, with the wider "
        f"unpaired intervals for comparison. Revenue and profit per customer-year are undiscounted "
        f"totals over the horizon, the NPV is discounted; CLV is a customer's at the end of the "
        f"horizon, on gross margin before programme costs; the loyal + advocate and deal-seeker shares "
        f"are of the focal firm's customers at the end, the promoter score the mean over the horizon "
        f"(the survey view below gives it at the end).",
        "",
        markdown_table(cells, right=[False, *([True] * cells.shape[1])], index=True),
        "",
        *([f"Zero in every column, left out: {', '.join(zeros)}.", ""] if zeros else []),
        *_bridge_markdown(bridge, meta),
        f"## Ranking by {kpi_label(rank_by.name, units)}",
        "",
        markdown_table(ranked, right=[True, False, True, True, False]),
        "",
    ]
    if survey is not None:
        parts += [
            "## Survey view at the end of the horizon",
            "",
            f"*How to read:* each firm's current customers as a customer survey would report them at the "
            f"last step, the mean over the replications: shares of the five-point satisfaction answers "
            f"(top box: 5 of 5), the mean five-point and 0-10 satisfaction answers, the share who will "
            f"definitely buy again and the promoter score. `steps.parquet` holds them for every step "
            f"({', '.join(f'`{c}`' for c in SURVEY_METRICS)}, `promoter_score`).",
            "",
            f"*Scales:* {_survey_scale(meta)}",
            "",
            markdown_table(survey, right=[False, False, *([True] * (survey.shape[1] - 2))]),
            "",
        ]
    if retention is not None:
        parts += [
            f"## Retention two ways: {meta.get('focal_firm', '')}'s customers by the year they were won",
            "",
            "*How to read:* of the relationships the focal firm won in each reported year (its first "
            "acquisitions, win-backs not counted again), the share **truly retained** at the end of the "
            "horizon (the relationship has not ended, which the simulator knows) and the share that "
            f"**looks retained** in the firm's own data (a purchase within {_lapse_gaps(meta)} of the "
            "customer's expected inter-purchase times); the mean over the replications. The retention rate "
            "in the comparison above is the true one, annual, over all customers. The years are not "
            "comparable with each other: a later year's relationships have had less time to end. "
            "`retention.parquet` holds both for every firm at every year end.",
            "",
            markdown_table(retention, right=[False, True, True, True, True]),
            "",
        ]
    if tenure is not None:
        parts += [
            f"## Does loyalty pay? {meta.get('focal_firm', '')}'s customers by tenure",
            "",
            "*How to read:* the focal firm's current relationships at the end of the horizon by how long "
            "they have lasted, the mean over the replications: their number, their annual revenue and gross "
            "margin (revenue less cost of goods and the serving cost of their visits; staff, fixed and "
            "programme costs are not allocated), the median margin and the share **barely profitable** "
            "(a margin below a fifth of the firm's mean per relationship, `loyalty.barely_profitable_share`). "
            "Reinartz & Kumar (2002, 'The mismanagement of customer loyalty') found about half of "
            "long-tenure customers barely profitable: a long relationship is not by itself a valuable one. "
            "`value_by_tenure.parquet` holds every firm.",
            "",
            markdown_table(tenure, right=[False, False, True, True, True, True, True]),
            "",
        ]
    parts += ["## Figures", ""]
    if not meta.get("figures", True):
        parts += ["No figures: the experiment ran with `experiment.figures=false`.", ""]
    else:
        for name, caption in FIGURES.items():
            parts += [f"![{caption}](figures/{name})", "", f"*{caption}.*", ""]
    return "\n".join(parts)


def write_report(
    folder: str | os.PathLike,
    meta: Mapping[str, Any],
    runs: pd.DataFrame,
    steps: pd.DataFrame,
    comparison: pd.DataFrame,
    ranking: pd.DataFrame,
    retention: pd.DataFrame | None = None,
    tenure: pd.DataFrame | None = None,
    bridge: pd.DataFrame | None = None,
) -> Path:
    """Write the experiment's report into ``folder``; return the path of ``report.md``.

    Writes ``figures/kpi_bands.png``, ``figures/loyalty_states.png``,
    ``figures/profit_vs_retention.png``, ``comparison.csv``, ``ranking.csv``
    and, last, ``report.md`` (with the survey view of the last step of
    ``steps``, :func:`survey_cells`, the focal firm's retention two ways
    by cohort, :func:`retention_cells`, and its relationships by tenure,
    :func:`tenure_cells`): each file atomically (a reader never sees a
    half-written file, a failure leaves no temporary file), so a folder with
    ``report.md`` holds the whole report. With ``meta["figures"]`` false
    (``experiment.figures=false``, e.g. in large sweeps) no figure is drawn.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    figures = folder / "figures"
    firm, baseline, confidence = meta["focal_firm"], meta["baseline"], _confidence(meta)
    if "warnings" not in meta or "steady_state" not in meta:
        meta = {**steady_state(steps, meta), **meta}
    if bridge is None:
        bridge = report_bridge(steps, meta)
    units = units_of(meta)
    drawings = {
        "kpi_bands.png": lambda: plot_kpi_bands(steps, firm, confidence=confidence, baseline=baseline, units=units),
        "loyalty_states.png": lambda: plot_state_composition(steps, firm, baseline=baseline, units=units),
        "profit_vs_retention.png": lambda: plot_profit_vs_retention(
            runs, firm, confidence, baseline=baseline, units=units
        ),
    }
    if bridge is not None:
        drawings[FIGURE_BRIDGE[0]] = lambda: plot_profit_bridge(bridge, baseline, units, confidence=confidence)
    if meta.get("figures", True):
        figures.mkdir(exist_ok=True)
    for name, draw in drawings.items() if meta.get("figures", True) else ():
        fig = draw()
        try:
            save_figure(figures / name, fig, dpi=DPI)
        finally:
            fig.clear()  # Agg figures without pyplot: nothing else holds them
    write_csv(folder / "comparison.csv", comparison, index=False)
    write_csv(folder / "ranking.csv", ranking, index=False)
    if bridge is not None:
        write_csv(folder / "bridge.csv", bridge, index=False)
    text = report_markdown(
        meta,
        comparison,
        ranking,
        survey_cells(steps, meta),
        retention_cells(retention, meta),
        tenure_cells(tenure, meta),
        bridge,
    )
    report = write_text(folder / "report.md", text)
    write_html_report(folder, text)
    return report
