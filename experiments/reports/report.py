"""The report of an experiment: console table, report.md, CSVs and figures.

An experiment runs its scenarios x replications on common
random numbers and compares each scenario with the baseline on paired
differences (:mod:`experiments.running.statistics`). This module turns that comparison
into what a reader sees:

* :func:`format_table`, the table printed after a run: for the baseline, its
  mean KPIs; for every other scenario, the mean paired difference from the
  baseline with its interval, formatted by the KPI's kind (money with thousands
  separators, shares in percent and their differences in percentage points);
  then the ranking;
* :func:`write_report`, the job folder's ``report.md`` (the same tables in
  Markdown, the scenarios and the figures), ``comparison.csv`` and
  ``ranking.csv`` at full precision, and the figures of
  :mod:`experiments.reports.plots` under ``figures/``, with the survey view of every
  firm at the end of the horizon (:func:`survey_cells`: top-box shares, mean
  answers and promoter score as a customer survey would show them).

Both present the same cells (:func:`comparison_cells`, :func:`ranking_cells`),
so the console and the report cannot disagree. KPIs are laid out as rows and
scenarios as columns, wrapped into blocks that fit the terminal: an
experiment has about eight KPIs but any number of scenarios.

``meta`` is a plain dict describing the experiment: ``name``, ``description``,
``baseline``, ``focal_firm``, ``scenarios`` (a list of ``{"name",
"description"}``), ``replications``, ``confidence``, ``rank_by``, ``kpis``
(default: the keys of :data:`experiments.running.kpis.KPIS`), ``market`` (one line)
and optionally ``elapsed_seconds`` and ``survey_scale`` (the survey's scales
in words, :func:`sim.survey.scale_definition`; default: the default scales).
"""

from __future__ import annotations

import math
import os
import textwrap
from pathlib import Path
from typing import Any, Mapping, Sequence

import pandas as pd

from experiments.running.kpis import ALL_KPIS, KPIS, Kpi
from experiments.running.outputs import save_figure, write_csv, write_text
from experiments.reports.plots import plot_kpi_bands, plot_profit_vs_retention, plot_state_composition
from sim.survey import SURVEY_METRICS

#: the console table's default width (characters)
WIDTH = 120
#: resolution of the report's figures
DPI = 110
#: shown for an interval that cannot be computed (fewer than two replications)
NO_INTERVAL = "n/a"
#: the figures of the report: file name (under ``figures/``) and caption
FIGURES = {
    "kpi_bands.png": "KPIs of the focal firm over time: mean over replications with its interval",
    "loyalty_states.png": "People by loyalty state towards the focal firm, per scenario",
    "profit_vs_retention.png": "Profit (NPV) against annual retention rate, per replication and scenario mean",
}


# --------------------------------------------------------------------- values


def kpi_of(name: str) -> Kpi:
    """The KPI ``name`` (a plain float KPI when it is not in :data:`ALL_KPIS`)."""
    return ALL_KPIS.get(name) or Kpi(name, name.replace("_", " "), "float", True)


def _rounded(x: float, decimals: int) -> float:
    return round(x, decimals) + 0.0  # + 0.0 turns -0.0 into 0.0


def format_value(value: float, kind: str, signed: bool = False) -> str:
    """An absolute value: money as ``-33,940``, a share as ``62.5%``, a count's
    mean as ``250.3``, any other number as ``-55.78``; ``signed``: a difference,
    always with its sign (and shares in percentage points, without ``%``)."""
    if value is None or math.isnan(value):
        return NO_INTERVAL
    sign = "+" if signed else ""
    if kind == "money":
        return f"{_rounded(value, 0):{sign},.0f}"
    if kind == "pct":
        return f"{_rounded(100 * value, 1):{sign}.1f}" + ("" if signed else "%")
    if kind == "int":
        return f"{_rounded(value, 1):{sign},.1f}"
    return f"{_rounded(value, 2):{sign},.2f}"


def _signed(value: float, kind: str) -> str:
    return format_value(value, kind, signed=True)


def format_difference(diff: float, low: float, high: float, kind: str) -> str:
    """A difference with its interval: ``+12,345 [+8,100, +16,590]``; a share's
    in percentage points: ``+1.2 pp [+0.4, +2.0]``."""
    unit = " pp" if kind == "pct" else ""
    if any(v is None or math.isnan(v) for v in (low, high)):
        interval = NO_INTERVAL
    else:
        interval = f"{_signed(low, kind)}, {_signed(high, kind)}"
    return f"{_signed(diff, kind)}{unit} [{interval}]"


# --------------------------------------------------------------------- meta


def _kpis(meta: Mapping[str, Any]) -> list[str]:
    return list(meta.get("kpis") or KPIS)


def _confidence(meta: Mapping[str, Any]) -> float:
    return float(meta.get("confidence", 0.95))


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
    return pd.DataFrame(columns, index=pd.Index([kpi_of(k).label for k in kpis], name="KPI"))


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
            "revenue a year",
            "margin a year",
            "median margin",
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
        "Shares in %, their differences in percentage points (pp)."
    )
    return [*textwrap.wrap(title, width), *textwrap.wrap(how, width)]


def format_table(comparison: pd.DataFrame, ranking: pd.DataFrame, meta: Mapping[str, Any], width: int = WIDTH) -> str:
    """The comparison table printed after a run, then the ranking.

    KPIs are rows and scenarios columns (the baseline's first, its means; the
    others' paired differences with intervals); when the scenarios do not fit
    in ``width`` characters the table continues in further blocks, each
    repeating the KPI labels and the baseline column.
    """
    baseline = meta["baseline"]
    cells = comparison_cells(comparison, meta).rename(columns={baseline: f"{baseline} (mean)"})
    lines = _heading(meta, width)
    for group in _blocks(cells, width):
        rows = [[label, *values] for label, values in zip(cells.index, cells[group].to_numpy().tolist())]
        lines += ["", *_text_rows(["KPI", *group], rows, [False, *([True] * len(group))])]
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


def report_markdown(
    meta: Mapping[str, Any],
    comparison: pd.DataFrame,
    ranking: pd.DataFrame,
    survey: pd.DataFrame | None = None,
    retention: pd.DataFrame | None = None,
    tenure: pd.DataFrame | None = None,
) -> str:
    """The text of ``report.md`` (with the survey view's table ``survey``,
    :func:`survey_cells`, the retention table ``retention``,
    :func:`retention_cells`, and the value by tenure ``tenure``,
    :func:`tenure_cells`, when given)."""
    confidence, baseline = _confidence(meta), meta["baseline"]
    cells = comparison_cells(comparison, meta).rename(columns={baseline: f"{baseline} (baseline: mean)"})
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
        f"**Baseline:** {baseline}",
        f"**Replications:** {meta.get('replications')} per scenario",
        f"**Confidence:** {confidence:.0%}",
    ]
    if meta.get("elapsed_seconds") is not None:
        facts.append(f"**Run time:** {float(meta['elapsed_seconds']):,.1f} s")
    rank_by = kpi_of(meta.get("rank_by", "npv"))
    parts = [
        f"# Experiment: {meta.get('name', '')}",
        "",
        str(meta.get("description", "")).strip(),
        "",
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
        f"difference due to the strategy. Shares are in %, their differences in percentage "
        f"points (pp). `comparison.csv` holds these numbers at full precision, with the wider "
        f"unpaired intervals for comparison.",
        "",
        markdown_table(cells, right=[False, *([True] * cells.shape[1])], index=True),
        "",
        f"## Ranking by {rank_by.label}",
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
            "in the comparison above is the true one, annual, over all customers. `retention.parquet` "
            "holds both for every firm at every year end.",
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
    drawings = {
        "kpi_bands.png": lambda: plot_kpi_bands(steps, firm, confidence=confidence, baseline=baseline),
        "loyalty_states.png": lambda: plot_state_composition(steps, firm, baseline=baseline),
        "profit_vs_retention.png": lambda: plot_profit_vs_retention(runs, firm, confidence, baseline=baseline),
    }
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
    return write_text(
        folder / "report.md",
        report_markdown(
            meta,
            comparison,
            ranking,
            survey_cells(steps, meta),
            retention_cells(retention, meta),
            tenure_cells(tenure, meta),
        ),
    )
