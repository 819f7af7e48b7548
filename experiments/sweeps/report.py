"""The report of a sweep: ``loyalty-sim-report SWEEP_DIR``.

Writes into the sweep folder (or ``--out``):

* ``sweep.csv``: one row per job x scenario x KPI
  (:func:`experiments.sweeps.catalogue.sweep_table`): the swept parameters' values,
  the scenario's mean with its interval, the baseline's mean, and the mean
  paired difference from the baseline with its interval;
* a figure: for a one-parameter sweep ``sweep_<kpi>.png``, the KPI against
  the parameter, one line per scenario with its band; for a two-parameter
  sweep ``heatmap_<kpi>_<scenario>.png`` per compared scenario, the
  difference from the baseline over the grid of the two parameters; with
  more parameters none (:mod:`experiments.sweeps.plots`);
* ``sweep_report.md``: the sweep folder, the parameters and their values,
  the table, the failed jobs with their one-line error, the figures.

Failed jobs are listed, never fatal. Bad input stops before anything is
written with one line ``error: <key> = <value>: <what is allowed>`` and exit
status 2. Every file is written atomically (:mod:`experiments.running.outputs`).
The sweep's end (:mod:`experiments.sweeps.callback`) runs it on every multirun.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any, Mapping, Sequence

import duckdb
import pandas as pd
import yaml
from matplotlib.figure import Figure

from experiments.sweeps.catalogue import (
    BadInput,
    compared_scenarios,
    constant_overrides,
    firms,
    heatmap_grid,
    kpi_columns,
    open_catalogue,
    parameter_values,
    sweep_lines,
    sweep_parameters,
    sweep_table,
    value_label,
)
from experiments.sweeps.jobs import ERROR
from experiments.running.kpis import KPIS
from experiments.running.outputs import folder_problem, remove_stray_temporaries, save_figure, write_csv, write_text
from experiments.reports.report import format_difference, format_value, kpi_of, markdown_table
from experiments.reports.units import ReportUnits
from experiments.sweeps.plots import plot_heatmap, plot_sweep_lines
from experiments.cli.errors import EXIT_BAD_INPUT, OneLineParser, UsageError

TABLE = "sweep.csv"
REPORT = "sweep_report.md"
DPI = 110


def sweep_units(sweep_dir: Path, jobs: pd.DataFrame) -> ReportUnits | None:
    """The units of the sweep's jobs (their ``config.yaml``), when every job
    has the same; None when they differ (a sweep over the horizon or the
    discount rate), so that no figure claims one horizon for all."""
    found = set()
    for folder in jobs["job"]:
        path = sweep_dir / str(folder) / "config.yaml"
        market = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("market", {}) if path.is_file() else {}
        found.add(ReportUnits.of_keys(market))
    return found.pop() if len(found) == 1 else None


def _file_part(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", str(name)) or "_"


def sweep_figures(
    table: pd.DataFrame,
    parameters: Sequence[str],
    kpis: Sequence[str],
    scenario: str | None = None,
    confidence: float = 0.95,
    units: ReportUnits | None = None,
) -> dict[str, tuple[Figure, str]]:
    """The sweep's figures by file name, each with its caption: a line plot
    per KPI for one parameter, a heatmap per KPI and compared scenario (or
    ``scenario`` only) for two, none otherwise."""
    figures: dict[str, tuple[Figure, str]] = {}
    if len(parameters) == 1:
        (parameter,) = parameters
        for kpi in kpis:
            lines = sweep_lines(table, parameter, kpi, None if scenario is None else [scenario])
            figures[f"sweep_{_file_part(kpi)}.png"] = (
                plot_sweep_lines(lines, parameter, kpi, confidence, units=units),
                f"{kpi_of(kpi).label} against {parameter}: mean per scenario with its {confidence:.0%} interval",
            )
    elif len(parameters) == 2:
        rows, columns = parameters
        for kpi in kpis:
            for name in [scenario] if scenario is not None else compared_scenarios(table):
                grid = heatmap_grid(table, rows, columns, kpi, name)
                figures[f"heatmap_{_file_part(kpi)}_{_file_part(name)}.png"] = (
                    plot_heatmap(grid, kpi, name, units=units),
                    f"{name}: mean paired difference from the baseline in {kpi_of(kpi).label}, "
                    f"by {rows} and {columns} (blue: better than the baseline, red: worse)",
                )
    return figures


def no_figure_reason(parameters: Sequence[str]) -> str | None:
    """Why the sweep has no figure (None when it has one)."""
    if not parameters:
        return "No figure: no parameter differs between the jobs."
    if len(parameters) > 2:
        return (
            f"No figure: the sweep varies {len(parameters)} parameters "
            f"({', '.join(f'`{p}`' for p in parameters)}); a line plot shows one parameter and a "
            f"heatmap two. `{TABLE}` holds every result; slice it, or query the catalogue "
            f"(`experiments.sweeps.catalogue.open_catalogue`)."
        )
    return None


# --------------------------------------------------------------------- report


def sweep_cells(table: pd.DataFrame, parameters: Sequence[str], kpis: Sequence[str]) -> pd.DataFrame:
    """The sweep table as display strings: one row per job x scenario, the
    parameters' values, the scenario, then per KPI (by its label) the
    baseline's mean or a scenario's difference from it with its interval."""
    rows = []
    for (job, scenario), group in table.groupby(["job", "scenario"], sort=False):
        first = group.iloc[0]
        is_base = first["scenario"] == first["baseline"]
        row = {p: value_label(first[p]) for p in parameters}
        row["scenario"] = f"{scenario} (baseline)" if is_base and scenario != "baseline" else str(scenario)
        by_kpi = group.set_index("kpi")
        for kpi in kpis:
            kind, label = kpi_of(kpi).kind, kpi_of(kpi).label
            if kpi not in by_kpi.index:
                row[label] = ""
            elif is_base:
                row[label] = format_value(float(by_kpi.at[kpi, "mean"]), kind)
            else:
                r = by_kpi.loc[kpi]
                row[label] = format_difference(float(r["diff"]), float(r["ci_low"]), float(r["ci_high"]), kind)
        rows.append(row)
    columns = [*parameters, "scenario", *(kpi_of(k).label for k in kpis)]
    return pd.DataFrame(rows, columns=columns)


def sweep_markdown(
    sweep_dir: str | Path,
    jobs: pd.DataFrame,
    table: pd.DataFrame,
    parameters: Sequence[str],
    kpis: Sequence[str],
    figures: Mapping[str, str],
    constants: Mapping[str, Any],
    firm: str | None,
    confidence: float,
    units: ReportUnits | None = None,
) -> str:
    """The text of ``sweep_report.md``; ``figures`` maps file names to captions;
    ``units`` those of every job (None when the jobs' differ)."""
    finished = int((jobs["status"] == "finished").sum())
    failed = jobs[jobs["status"] == "failed"]
    unfinished = jobs[~jobs["status"].isin(["finished", "failed"])]
    focal = ", ".join(map(str, pd.unique(jobs["focal_firm"])))
    facts = [
        f"**Sweep folder:** `{Path(sweep_dir).resolve()}`",
        f"**Jobs:** {len(jobs)}: {finished} finished, {len(failed)} failed"
        + (f", {len(unfinished)} not finished" if len(unfinished) else ""),
        f"**Firm:** {firm}" if firm else f"**Firm:** each job's focal firm ({focal})",
        f"**Confidence:** {confidence:.0%}",
        f"**Units:** {units.caption()}"
        if units
        else "**Units:** the jobs differ in currency, horizon, step length or discount rate: see each job's report",
    ]
    parameter_rows = pd.DataFrame(
        {
            "parameter": [f"`{p}`" for p in parameters],
            "values": [", ".join(value_label(v) for v in parameter_values(jobs, p)) for p in parameters],
        }
    )
    parts = ["# Sweep report", "", "  \n".join(facts), "", "## Parameters", ""]
    parts += [markdown_table(parameter_rows), ""] if parameters else ["No parameter differs between the jobs.", ""]
    if constants:
        parts += [
            "Set the same in every job: " + ", ".join(f"`{k}={value_label(v)}`" for k, v in constants.items()) + ".",
            "",
        ]
    cells = sweep_cells(table, parameters, kpis)
    parts += [
        "## Results",
        "",
        f"*How to read:* one row per finished job and scenario. A baseline's row holds its mean over the "
        f"replications; every other row holds the scenario's mean **paired difference** from its job's "
        f"baseline (replication r against replication r, on the same seed) with its {confidence:.0%} "
        f"interval; an interval that excludes 0 is a difference due to the strategy. Shares are in %, "
        f"their differences in percentage points (pp). `{TABLE}` holds these numbers at full precision.",
        "",
        markdown_table(cells, right=[False] * (len(parameters) + 1) + [True] * len(kpis)),
        "",
    ]
    if len(failed):
        listing = pd.DataFrame(
            {
                "job": [f"`{j}`" for j in failed["job"]],
                "error": [str(e) if isinstance(e, str) else "?" for e in failed["error"]],
                "traceback": [f"`{j}/{ERROR}`" for j in failed["job"]],
            }
        )
        parts += ["## Failed jobs", "", markdown_table(listing), ""]
    if len(unfinished):
        parts += [
            "## Jobs not finished",
            "",
            "Interrupted (status `interrupted`), or not run, still running or killed (no status): "
            + ", ".join(f"`{j}` ({state})" for j, state in zip(unfinished["job"], unfinished["status"]))
            + ".",
            "",
        ]
    parts += ["## Figures", ""]
    reason = no_figure_reason(parameters)
    if reason:
        parts += [reason, ""]
    for name, caption in figures.items():
        parts += [f"![{caption}]({name})", "", f"*{caption}.*", ""]
    return "\n".join(parts)


def write_sweep_report(
    sweep_dir: str | Path,
    out: str | Path,
    con: duckdb.DuckDBPyConnection,
    table: pd.DataFrame,
    kpis: Sequence[str],
    plot_kpis: Sequence[str],
    firm: str | None = None,
    scenario: str | None = None,
    confidence: float = 0.95,
) -> Path:
    """Write ``sweep.csv``, the figures and, last, ``sweep_report.md`` into
    ``out``, each atomically; return the report's path."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    remove_stray_temporaries(out, subfolders=())
    parameters = sweep_parameters(con)
    jobs = con.execute("SELECT * FROM jobs ORDER BY rowid").df()
    units = sweep_units(Path(sweep_dir), jobs)
    write_csv(out / TABLE, table, index=False)
    captions = {}
    for name, (fig, caption) in sweep_figures(table, parameters, plot_kpis, scenario, confidence, units).items():
        try:
            save_figure(out / name, fig, dpi=DPI)
        finally:
            fig.clear()
        captions[name] = caption
    text = sweep_markdown(
        sweep_dir, jobs, table, parameters, kpis, captions, constant_overrides(con), firm, confidence, units
    )
    return write_text(out / REPORT, text)


# --------------------------------------------------------------------- command line


def _parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="loyalty-sim-report",
        description="Read every job of a loyalty-sim sweep (Hydra multirun) through DuckDB and "
        f"write {TABLE}, {REPORT} and figures.",
    )
    parser.add_argument("sweep_dir", metavar="SWEEP_DIR", help="the sweep's folder (multirun/<date>/<time>)")
    parser.add_argument(
        "--kpi",
        metavar="NAME",
        nargs="+",
        action="extend",
        help=f"KPIs of the table and figures, also comma-separated; put them after SWEEP_DIR "
        f"or end them with -- (default: {', '.join(KPIS)}; figures: {next(iter(KPIS))})",
    )
    parser.add_argument("--firm", metavar="NAME", help="the firm to compare (default: each job's focal firm)")
    parser.add_argument("--scenario", metavar="NAME", help="draw only this scenario (default: every scenario)")
    parser.add_argument("--confidence", metavar="LEVEL", default="0.95", help="interval level (default: 0.95)")
    parser.add_argument("--out", metavar="DIR", help="where to write (default: SWEEP_DIR)")
    return parser


def _confidence(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0.0 < value < 1.0:
        raise BadInput("--confidence", text, "must be a number in (0, 1)")
    return value


def _chosen_kpis(con: duckdb.DuckDBPyConnection, given: Sequence[str] | None) -> tuple[list[str], list[str]]:
    """The KPIs of the table and of the figures."""
    available = kpi_columns(con)
    given = [name for text in given or () for name in text.split(",") if name]
    if given:
        for name in given:
            if name not in available:
                raise BadInput("--kpi", name, f"must be one of {', '.join(available)}")
        kpis = list(dict.fromkeys(given))
        return kpis, kpis
    kpis = [k for k in KPIS if k in available]
    if not kpis:
        raise BadInput(
            "--kpi",
            "(default)",
            f"none of {', '.join(KPIS)} is in the runs; choose with --kpi among {', '.join(available)}",
        )
    return kpis, kpis[:1]


def _check_firm(con: duckdb.DuckDBPyConnection, firm: str | None) -> None:
    if firm is not None and firm not in firms(con):
        raise BadInput("--firm", firm, f"no such firm in the runs; must be one of {', '.join(firms(con))}")


def _check_table(con: duckdb.DuckDBPyConnection, table: pd.DataFrame, scenario: str | None) -> None:
    if table.empty:
        focal = ", ".join(
            r[0] for r in con.execute("SELECT DISTINCT focal_firm FROM jobs WHERE status = 'finished'").fetchall()
        )
        raise BadInput("--firm", focal, f"no such firm in the runs; choose with --firm among {', '.join(firms(con))}")
    if scenario is not None and scenario not in compared_scenarios(table):
        raise BadInput(
            "--scenario",
            scenario,
            "must be one of the scenarios compared with a baseline: "
            + (", ".join(compared_scenarios(table)) or "(none)"),
        )


def _check_out(out: Path, key: str) -> None:
    """The report's folder must be a folder that can be written."""
    if out.exists() and not out.is_dir():
        raise BadInput(key, out, "not a folder")
    problem = folder_problem(out)
    if problem:
        raise BadInput(key, out, problem)


def main(argv: Sequence[str] | None = None) -> int:
    """``loyalty-sim-report SWEEP_DIR [--kpi NAME ...] [--firm NAME] [--scenario NAME]
    [--confidence 0.95] [--out DIR]``: write the sweep's report; return the exit status."""
    try:
        args = _parser().parse_args(argv)
    except UsageError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except SystemExit as e:  # --help
        return int(e.code or 0)
    try:
        confidence = _confidence(args.confidence)
        if args.out:
            _check_out(Path(args.out), "--out")
        con = open_catalogue(args.sweep_dir)
    except BadInput as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        kpis, plot_kpis = _chosen_kpis(con, args.kpi)
        _check_firm(con, args.firm)
        table = sweep_table(con, kpis, args.firm, confidence)
        _check_table(con, table, args.scenario)
        out = Path(args.out) if args.out else Path(args.sweep_dir)
        _check_out(out, "--out" if args.out else "SWEEP_DIR")
        report = write_sweep_report(
            args.sweep_dir, out, con, table, kpis, plot_kpis, args.firm, args.scenario, confidence
        )
    except BadInput as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    finally:
        con.close()
    print(f"sweep report: {report} (table {report.parent / TABLE})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
