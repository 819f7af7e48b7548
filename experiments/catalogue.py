"""The results catalogue of a sweep, and its report (DESIGN.md §7-8, issue 4).

A sweep (``loyalty-sim -m key=a,b other=x,y``) is a Hydra multirun: every job
runs one experiment (scenarios x replications on common random numbers) and
writes ``runs.parquet`` into its own folder under the sweep folder, with
Hydra's ``.hydra/overrides.yaml`` and its own ``status.json``. To compare
the jobs, DuckDB reads all jobs' Parquet files as one catalogue
(:func:`open_catalogue`) rather than each job being loaded and concatenated
in pandas: one ``read_parquet`` over ``<sweep>/**/runs.parquet`` with the file
name of each row, joined with a ``jobs`` table that says what each job's
parameters were and whether it finished. The pairing of each scenario's
replication with the baseline's replication of the same job and firm, and
the means and counts, are SQL; the interval of the mean paired difference
is :func:`experiments.statistics.paired_interval`, the same function that
made each job's own ``comparison.csv``, so the sweep table agrees with it.

``loyalty-sim-report SWEEP_DIR`` (:func:`main`) writes into the sweep folder
(or ``--out``):

* ``sweep.csv``: one row per job x scenario x KPI (:func:`sweep_table`): the
  swept parameters' values, the scenario's mean with its interval, the
  baseline's mean, and the mean paired difference from the baseline with
  its interval;
* a figure: for a one-parameter sweep ``sweep_<kpi>.png``, the KPI against
  the parameter, one line per scenario with its band (:func:`sweep_lines`,
  :func:`plot_sweep_lines`); for a two-parameter sweep
  ``heatmap_<kpi>_<scenario>.png`` per compared scenario, the difference
  from the baseline over the grid of the two parameters
  (:func:`heatmap_grid`, :func:`plot_heatmap`); with more parameters none;
* ``sweep_report.md``: the sweep folder, the parameters and their values,
  the table, the failed jobs with their one-line error, the figures.

A *swept parameter* is an override key whose value differs between the
jobs (:func:`swept_parameters`); keys set to the same value in every job are
the sweep's constants. Failed jobs are listed, never fatal. Bad input stops
before anything is written with one line ``error: <key> = <value>: <what is
allowed>`` and exit status 2. Every file is written atomically
(:mod:`experiments.outputs`).
"""

from __future__ import annotations

import argparse
import itertools
import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import duckdb
import numpy as np
import pandas as pd
import yaml
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from experiments.jobs import ERROR, STATUS, read_status
from experiments.kpis import KPIS
from experiments.outputs import save_figure, write_csv, write_text
from experiments.plots import BASELINE_COLOUR, FONT, MONEY_UNIT, SCENARIO_COLOURS
from experiments.report import format_difference, format_value, kpi_of, markdown_table
from experiments.statistics import paired_interval

EXIT_BAD_INPUT = 2
RUNS = "runs.parquet"
OVERRIDES = ".hydra/overrides.yaml"
#: where a job's config is read from, first found first (Hydra's, then the app's resolved copy)
CONFIGS = (".hydra/config.yaml", "config.yaml")
HYDRA_CONFIG = ".hydra/hydra.yaml"
DEFAULT_BASELINE = "baseline"
DEFAULT_FOCAL_FIRM = "Focal"
TABLE = "sweep.csv"
REPORT = "sweep_report.md"
DPI = 110
#: the fixed columns of the catalogue's ``jobs`` table; one column per swept parameter follows
JOB_COLUMNS = ["job", "number", "status", "error", "elapsed_seconds", "baseline", "focal_firm"]
#: the columns of :func:`sweep_table` after ``job`` and the parameter columns
SWEEP_COLUMNS = ["scenario", "baseline", "firm", "kpi", "n", "mean", "mean_ci_low", "mean_ci_high",
                 "baseline_mean", "diff", "ci_low", "ci_high"]
#: columns of ``runs.parquet`` that are not KPIs
NOT_KPIS = {"replication", "seed", "file_row_number"}
_NUMERIC_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
                  "UINTEGER", "UBIGINT", "FLOAT", "DOUBLE", "DECIMAL", "REAL")
_UNITS = {"money": MONEY_UNIT, "pct": "%", "int": "count", "float": "value"}


class BadInput(ValueError):
    """Input the report cannot use: ``key = value: what is allowed``."""

    def __init__(self, key: str, value: Any, allowed: str) -> None:
        super().__init__(f"{key} = {value}: {allowed}")


# --------------------------------------------------------------------- jobs

@dataclass(frozen=True)
class Job:
    """One job folder of a sweep: what it was asked to do and how it ended."""
    folder: str                          # relative to the sweep folder, "/"-separated ("." for the sweep itself)
    status: str                          # "finished", "failed" or "unfinished" (no status.json)
    error: str | None = None             # the one-line error of a failed job
    number: int | None = None            # Hydra's job number (the order of the sweep)
    elapsed_seconds: float | None = None
    baseline: str = DEFAULT_BASELINE
    focal_firm: str = DEFAULT_FOCAL_FIRM
    overrides: dict[str, Any] = field(default_factory=dict)   # key -> parsed value, in Hydra's order


_INT = re.compile(r"[+-]?\d+")
_FLOAT = re.compile(r"[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?")


def parse_value(text: str) -> Any:
    """An override's value as written on the command line: an int or float
    when it is a number, else the string (without enclosing quotes)."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    return text


def parse_override(text: str) -> tuple[str, Any]:
    """``"market.n_customers=800"`` -> ``("market.n_customers", 800)``; Hydra's
    ``+``, ``++`` and ``~`` prefixes are dropped (a deletion's value is None)."""
    key, sep, value = str(text).partition("=")
    key = key.strip().lstrip("+~")
    return key, (parse_value(value) if sep else None)


def _load_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, yaml.YAMLError):
        return None


def _read_overrides(folder: Path) -> dict[str, Any]:
    items = _load_yaml(folder / OVERRIDES) or []
    pairs = (parse_override(o) for o in items if isinstance(o, str))
    return {k: v for k, v in pairs if not k.startswith("hydra")}


def _experiment_setting(folder: Path, key: str, default: str) -> str:
    for name in CONFIGS:
        config = _load_yaml(folder / name)
        if isinstance(config, dict) and isinstance(config.get("experiment"), dict):
            value = config["experiment"].get(key)
            return str(value) if value is not None else default
    return default


def _job_number(folder: Path) -> int | None:
    hydra = _load_yaml(folder / HYDRA_CONFIG)
    try:
        return int(hydra["hydra"]["job"]["num"])
    except (TypeError, KeyError, ValueError):
        return None


def read_job(sweep_dir: Path, folder: Path) -> Job:
    """The job in ``folder`` (a folder under ``sweep_dir``)."""
    status = read_status(folder)
    state, error = status.get("status") or "unfinished", status.get("error")
    if state == "finished" and not (folder / RUNS).is_file():
        state, error = "failed", f"{RUNS} is missing although status.json says finished"
    relative = folder.relative_to(sweep_dir).as_posix()
    elapsed = status.get("elapsed_seconds")
    return Job(folder=relative, status=state, error=error, number=_job_number(folder),
               elapsed_seconds=float(elapsed) if isinstance(elapsed, (int, float)) else None,
               baseline=_experiment_setting(folder, "baseline", DEFAULT_BASELINE),
               focal_firm=_experiment_setting(folder, "focal_firm", DEFAULT_FOCAL_FIRM),
               overrides=_read_overrides(folder))


def _natural_key(text: str) -> list[Any]:
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text)]


def find_jobs(sweep_dir: str | Path) -> list[Job]:
    """Every job folder under ``sweep_dir`` (one with ``status.json`` or
    ``.hydra/overrides.yaml``), in the order of the sweep (Hydra's job number,
    else the folder names in natural order)."""
    sweep_dir = Path(sweep_dir).resolve()
    folders = {p.parent for p in sweep_dir.rglob(STATUS)}
    folders |= {p.parent.parent for p in sweep_dir.rglob("overrides.yaml") if p.parent.name == ".hydra"}
    jobs = [read_job(sweep_dir, f) for f in folders]
    return sorted(jobs, key=lambda j: (j.number is None, j.number or 0, _natural_key(j.folder)))


_ABSENT = object()


def swept_parameters(overrides: Sequence[Mapping[str, Any]]) -> list[str]:
    """The override keys whose values differ between the jobs (a key missing
    from some jobs differs), in order of first appearance; a key set to the
    same value in every job is a constant of the sweep, not a parameter."""
    keys = list(dict.fromkeys(k for o in overrides for k in o))
    swept = []
    for key in keys:
        values = [o.get(key, _ABSENT) for o in overrides]
        if any(v is _ABSENT for v in values) or any(v != values[0] for v in values[1:]):
            swept.append(key)
    return swept


def _is_missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, (float, np.floating)) and math.isnan(value))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def _parameter_column(values: list[Any]) -> pd.Series:
    """A parameter's values as one typed column: integers, floats, or strings."""
    present = [v for v in values if v is not None]
    if present and all(_is_number(v) for v in present):
        if all(isinstance(v, (int, np.integer)) for v in present):
            return pd.Series(values, dtype="Int64")
        return pd.Series([np.nan if v is None else float(v) for v in values], dtype="float64")
    return pd.Series([None if v is None else str(v) for v in values], dtype=object)


def jobs_frame(jobs: Sequence[Job]) -> pd.DataFrame:
    """One row per job: :data:`JOB_COLUMNS`, then one typed column per swept parameter."""
    frame = pd.DataFrame({
        "job": pd.Series([j.folder for j in jobs], dtype=object),
        "number": pd.Series([j.number for j in jobs], dtype="Int64"),
        "status": pd.Series([j.status for j in jobs], dtype=object),
        "error": pd.Series([j.error for j in jobs], dtype=object),
        "elapsed_seconds": pd.Series([j.elapsed_seconds for j in jobs], dtype="float64"),
        "baseline": pd.Series([j.baseline for j in jobs], dtype=object),
        "focal_firm": pd.Series([j.focal_firm for j in jobs], dtype=object),
    })
    for key in swept_parameters([j.overrides for j in jobs]):
        frame[key] = _parameter_column([j.overrides.get(key) for j in jobs])
    return frame


# --------------------------------------------------------------------- catalogue

def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _sql_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def open_catalogue(sweep_dir: str | Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection over the sweep in ``sweep_dir`` with

    * ``jobs``: one row per job folder (:func:`jobs_frame`): ``job`` (the folder
      relative to ``sweep_dir``), ``number``, ``status``, ``error``,
      ``elapsed_seconds``, ``baseline``, ``focal_firm``, then one column per
      swept parameter (numbers as numbers); failed jobs included;
    * ``params``: every job's overrides, one row per job and key
      (``job``, ``key``, ``value`` as written);
    * ``runs``: a view over every finished job's ``runs.parquet`` (one
      ``read_parquet`` over ``<sweep_dir>/**/runs.parquet``, columns united by
      name), with the ``job`` column first and ``file_row_number``.

    Raises:
        BadInput: no such folder, or no finished job in it.
    """
    root = Path(sweep_dir)
    if not root.is_dir():
        raise BadInput("sweep_dir", sweep_dir, "no such folder")
    root = root.resolve()
    jobs = find_jobs(root)
    if not any(j.status == "finished" for j in jobs):
        raise BadInput("sweep_dir", sweep_dir, f"no finished job (a folder with status.json "
                       f"'finished' and {RUNS}) in it; {len(jobs)} job folder(s) found")
    con = duckdb.connect()
    frame = jobs_frame(jobs)
    con.register("jobs_frame", frame)
    con.execute("CREATE TABLE jobs AS SELECT * REPLACE (CAST(error AS VARCHAR) AS error) FROM jobs_frame")
    con.unregister("jobs_frame")
    params = pd.DataFrame([(j.folder, k, "" if v is None else str(v)) for j in jobs for k, v in j.overrides.items()],
                          columns=["job", "key", "value"]).astype(object)
    con.register("params_frame", params)
    con.execute("CREATE TABLE params (job VARCHAR, key VARCHAR, value VARCHAR)")
    con.execute("INSERT INTO params SELECT * FROM params_frame")
    con.unregister("params_frame")
    prefix = root.as_posix()
    folder = "parse_dirpath(r.filename)"
    job = f"CASE WHEN {folder} = {_sql_string(prefix)} THEN '.' ELSE substr({folder}, {len(prefix) + 2}) END"
    con.execute(f"""
        CREATE VIEW runs AS
        SELECT j.job, r.* EXCLUDE (filename)
        FROM read_parquet({_sql_string(prefix + '/**/' + RUNS)}, filename = true,
                          union_by_name = true, file_row_number = true) AS r
        JOIN jobs AS j ON j.job = {job}
        WHERE j.status = 'finished'
    """)
    return con


def sweep_parameters(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The swept parameters of the catalogue: the columns of ``jobs`` after :data:`JOB_COLUMNS`."""
    columns = [row[0] for row in con.execute("DESCRIBE jobs").fetchall()]
    return [c for c in columns if c not in JOB_COLUMNS]


def constant_overrides(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The override keys set to the same value in every job (the sweep's
    constants), with that value as written, in order of first appearance."""
    rows = con.execute("""
        SELECT key, any_value(value) FROM params GROUP BY key
        HAVING count(DISTINCT value) = 1 AND count(*) = (SELECT count(*) FROM jobs)
        ORDER BY min(rowid)
    """).fetchall()
    return {key: value for key, value in rows}


def kpi_columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The numeric columns of ``runs`` that can be compared (not replication or seed)."""
    rows = con.execute("DESCRIBE runs").fetchall()
    return [name for name, kind, *_ in rows
            if name not in NOT_KPIS and str(kind).upper().startswith(_NUMERIC_TYPES)]


def firms(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The firms in the finished jobs' runs."""
    return [row[0] for row in con.execute("SELECT DISTINCT firm FROM runs ORDER BY firm").fetchall()]


def _scenario_statistics(con: duckdb.DuckDBPyConnection, kpis: Sequence[str], firm: str | None) -> pd.DataFrame:
    """Per job, scenario and KPI: the runs' mean and values, the
    baseline's mean, and the paired differences from the baseline (by replication)."""
    casts = ", ".join(f"CAST(r.{_sql_name(k)} AS DOUBLE) AS {_sql_name(k)}" for k in kpis)
    columns = ", ".join(_sql_name(k) for k in kpis)
    query = f"""
        WITH chosen AS (
            SELECT r.job, r.scenario, r.replication, r.firm, j.baseline, r.file_row_number AS row_number, {casts}
            FROM runs AS r JOIN jobs AS j USING (job)
            WHERE r.firm = coalesce($firm, j.focal_firm)
        ),
        long AS (
            SELECT * FROM (UNPIVOT chosen ON {columns} INTO NAME kpi VALUE value)
            WHERE NOT isnan(value)
        ),
        scenarios AS (
            SELECT job, scenario, firm, baseline, kpi, avg(value) AS mean,
                   list(value ORDER BY replication) AS "values", min(row_number) AS first_row
            FROM long GROUP BY job, scenario, firm, baseline, kpi
        ),
        pairs AS (
            SELECT s.job, s.scenario, s.kpi, count(*) AS n,
                   list(s.value - b.value ORDER BY s.replication) AS diffs
            FROM long AS s JOIN long AS b
              ON b.job = s.job AND b.firm = s.firm AND b.kpi = s.kpi
             AND b.replication = s.replication AND b.scenario = s.baseline
            GROUP BY s.job, s.scenario, s.kpi
        )
        SELECT s.job, s.scenario, s.baseline, s.firm, s.kpi, s.mean, s."values", s.first_row,
               b.mean AS baseline_mean, coalesce(p.n, 0) AS n, p.diffs
        FROM scenarios AS s
        LEFT JOIN scenarios AS b ON b.job = s.job AND b.kpi = s.kpi AND b.scenario = s.baseline
        LEFT JOIN pairs AS p ON p.job = s.job AND p.scenario = s.scenario AND p.kpi = s.kpi
    """
    return con.execute(query, {"firm": firm}).df()


def _array(values: Any) -> np.ndarray:
    """A list cell of DuckDB as a float array (empty when NULL)."""
    if values is None or (isinstance(values, float) and math.isnan(values)):
        return np.empty(0)
    return np.asarray(values, dtype=float)


def sweep_table(con: duckdb.DuckDBPyConnection, kpis: Sequence[str] = tuple(KPIS), firm: str | None = None,
                confidence: float = 0.95) -> pd.DataFrame:
    """The sweep's results: one row per finished job x scenario x KPI.

    Args:
        con: a catalogue (:func:`open_catalogue`).
        kpis: columns of ``runs``.
        firm: the firm whose KPIs to compare (default: each job's focal firm).
        confidence: the level of the intervals.

    Returns:
        Columns ``job``, one per swept parameter, then :data:`SWEEP_COLUMNS`:
        ``mean`` is the scenario's mean over its replications with the
        Student-t interval of that mean (``mean_ci_low``, ``mean_ci_high``),
        ``diff`` the mean paired difference from the job's baseline over the
        ``n`` replications both have, with its interval (``ci_low``,
        ``ci_high``; :func:`experiments.statistics.paired_interval`); the
        baseline's own rows have ``diff`` 0. Rows are sorted by the
        parameters' values (:func:`jobs_in_parameter_order`), then the
        baseline and the scenarios in the order of the runs, then ``kpis``.
        Missing values (NaN) are left out.
    """
    kpis = list(kpis)
    stats = _scenario_statistics(con, kpis, firm)
    jobs = con.execute("SELECT * FROM jobs ORDER BY rowid").df()
    params = sweep_parameters(con)
    job_order = {job: i for i, job in enumerate(jobs_in_parameter_order(jobs, params)["job"])}
    kpi_order = {k: i for i, k in enumerate(kpis)}
    stats = stats.assign(_job=stats["job"].map(job_order), _other=stats["scenario"] != stats["baseline"],
                         _kpi=stats["kpi"].map(kpi_order))
    stats = stats.sort_values(["_job", "_other", "first_row", "_kpi"], kind="stable").reset_index(drop=True)
    band = [paired_interval(_array(v), confidence) for v in stats["values"]]     # one-sample t interval
    paired = [paired_interval(_array(d), confidence) for d in stats["diffs"]]
    out = stats[["job", "scenario", "baseline", "firm", "kpi", "n", "mean"]].copy()
    out["n"] = out["n"].astype(int)
    out["mean_ci_low"] = [b[1] for b in band]
    out["mean_ci_high"] = [b[2] for b in band]
    out["baseline_mean"] = stats["baseline_mean"].astype(float)
    out["diff"] = [p[0] for p in paired]
    out["ci_low"] = [p[1] for p in paired]
    out["ci_high"] = [p[2] for p in paired]
    out = out.merge(jobs[["job", *params]], on="job", how="left", validate="many_to_one")
    return out[["job", *params, *SWEEP_COLUMNS]]


# --------------------------------------------------------------------- numbers of the figures

def jobs_in_parameter_order(jobs: pd.DataFrame, parameters: Sequence[str]) -> pd.DataFrame:
    """The jobs sorted by their parameters' values (the first parameter
    first, each in the order of :func:`parameter_values`), else kept in order."""
    order = pd.DataFrame(index=jobs.index)
    for i, parameter in enumerate(parameters):
        position = _position(parameter_values(jobs, parameter))
        order[f"_{i}"] = [position[_key(v)] for v in jobs[parameter].astype(object)]
    if order.empty:
        return jobs
    return jobs.loc[order.sort_values(list(order.columns), kind="stable").index]


def parameter_values(table: pd.DataFrame, parameter: str) -> list[Any]:
    """A parameter's distinct values: ascending if numeric, else in the order
    given (the order of the jobs in ``table``); a job without it is None, last."""
    values = list(pd.unique(table[parameter].astype(object)))
    present = [v for v in values if not _is_missing(v)]
    missing = [None] if len(present) < len(values) else []
    if present and all(_is_number(v) for v in present):
        present = sorted(present)
    return [*present, *missing]


def _is_numeric_parameter(values: Sequence[Any]) -> bool:
    present = [v for v in values if not _is_missing(v)]
    return bool(present) and all(_is_number(v) for v in present)


_NONE = "\0none"


def _key(value: Any) -> Any:
    """A parameter value as a dict key (all missing values alike)."""
    return _NONE if _is_missing(value) else value


def _position(values: Sequence[Any]) -> dict[Any, int]:
    return {_key(v): i for i, v in enumerate(values)}


def sweep_lines(table: pd.DataFrame, parameter: str, kpi: str,
                scenarios: Iterable[str] | None = None) -> pd.DataFrame:
    """The numbers of :func:`plot_sweep_lines`: per scenario and value of
    ``parameter``, the scenario's mean ``kpi`` with its interval.

    Args:
        table: a sweep table (:func:`sweep_table`).
        parameter: the swept parameter (a column of ``table``).
        kpi: the KPI.
        scenarios: the scenarios to keep besides the baselines (default: all).

    Returns:
        Columns ``parameter``, ``scenario``, ``baseline``, ``firm``, ``n``,
        ``mean``, ``ci_low``, ``ci_high``; the baseline's rows first, then the
        scenarios in the order of ``table``, each along the parameter's values
        (:func:`parameter_values`).
    """
    rows = table[table["kpi"] == kpi]
    if scenarios is not None:
        keep = set(scenarios)
        rows = rows[rows["scenario"].isin(keep) | (rows["scenario"] == rows["baseline"])]
    order = _position(parameter_values(table, parameter))
    scenario_rank = {s: i for i, s in enumerate(pd.unique(rows["scenario"]))}
    lines = pd.DataFrame({
        parameter: rows[parameter].astype(object).map(lambda v: None if _is_missing(v) else v),
        "scenario": rows["scenario"], "baseline": rows["baseline"], "firm": rows["firm"], "n": rows["n"],
        "mean": rows["mean"], "ci_low": rows["mean_ci_low"], "ci_high": rows["mean_ci_high"],
    })
    lines["_s"] = lines["scenario"].map(scenario_rank)
    lines["_v"] = lines[parameter].map(lambda v: order[_key(v)])
    return lines.sort_values(["_s", "_v"], kind="stable").drop(columns=["_s", "_v"]).reset_index(drop=True)


def compared_scenarios(table: pd.DataFrame) -> list[str]:
    """The scenarios compared with a baseline (not a baseline themselves), in order."""
    return [str(s) for s in pd.unique(table.loc[table["scenario"] != table["baseline"], "scenario"])]


def heatmap_grid(table: pd.DataFrame, rows: str, columns: str, kpi: str, scenario: str) -> pd.DataFrame:
    """The numbers of :func:`plot_heatmap`: the mean paired difference of
    ``scenario`` from the baseline in ``kpi``, one cell per pair of values of
    the two parameters (NaN where no finished job has the pair).

    Returns:
        A DataFrame indexed by the values of ``rows`` (named ``rows``), with
        one column per value of ``columns`` (the columns' index named
        ``columns``), each in the order of :func:`parameter_values`.
    """
    mine = table[(table["kpi"] == kpi) & (table["scenario"] == scenario)]
    row_values, column_values = parameter_values(table, rows), parameter_values(table, columns)
    grid = pd.DataFrame(np.nan, index=pd.Index(row_values, dtype=object, name=rows),
                        columns=pd.Index(column_values, dtype=object, name=columns))
    r_pos, c_pos = _position(row_values), _position(column_values)
    cells: dict[tuple[int, int], list[float]] = {}
    for r, c, d in zip(mine[rows].astype(object), mine[columns].astype(object), mine["diff"]):
        cells.setdefault((r_pos[_key(r)], c_pos[_key(c)]), []).append(float(d))
    for (i, j), diffs in cells.items():
        grid.iat[i, j] = float(np.mean(diffs))     # one job per cell in a two-parameter sweep
    return grid


# --------------------------------------------------------------------- figures

def _new_axes(size: tuple[float, float]) -> tuple[Figure, Any]:
    fig = Figure(figsize=size, layout="constrained")
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot()


def _scale(kind: str) -> float:
    return 100.0 if kind == "pct" else 1.0


def _value_label(value: Any) -> str:
    return "—" if _is_missing(value) else str(value)


def plot_sweep_lines(lines: pd.DataFrame, parameter: str, kpi: str, confidence: float = 0.95,
                     ax: Any = None) -> Figure:
    """The KPI against a swept parameter: per scenario its mean over the
    replications as a line with markers and its interval as a band. A numeric
    parameter is drawn on a numeric axis, any other as categories in the
    order of ``lines``.

    Args:
        lines: the numbers (:func:`sweep_lines`).
        parameter: the parameter's column in ``lines``.
        kpi: the KPI's name (for its label and unit).
        confidence: the bands' level (for the title).
        ax: ``None`` (a new Figure) or the Axes to draw on.
    """
    fig, ax = _new_axes((7.5, 4.6)) if ax is None else (ax.figure, ax)
    info, scale = kpi_of(kpi), _scale(kpi_of(kpi).kind)
    values = list(pd.unique(lines[parameter].astype(object)))
    numeric = _is_numeric_parameter(values)
    position = _position(values)
    baselines = set(lines["baseline"])
    others = itertools.cycle(SCENARIO_COLOURS)
    for scenario, rows in lines.groupby("scenario", sort=False):
        x = (rows[parameter].astype(float).to_numpy() if numeric
             else np.array([position[_key(v)] for v in rows[parameter]]))
        is_base = scenario in baselines
        colour = BASELINE_COLOUR if is_base else next(others)
        ax.fill_between(x, scale * rows["ci_low"].to_numpy(float), scale * rows["ci_high"].to_numpy(float),
                        color=colour, alpha=0.18, linewidth=0)
        ax.plot(x, scale * rows["mean"].to_numpy(float), color=colour, marker="o",
                linewidth=2.2 if is_base else 1.6,
                label=f"{scenario} (baseline)" if is_base and scenario != "baseline" else str(scenario))
    if not numeric:
        ax.set_xticks(range(len(values)), [_value_label(v) for v in values])
    firm = ", ".join(map(str, pd.unique(lines["firm"])))
    ax.set_title(f"{info.label} of {firm}: mean, band = {confidence:.0%} interval", fontsize=FONT["title"])
    ax.set_xlabel(parameter, fontsize=FONT["label"])
    ax.set_ylabel(f"{info.label} ({_UNITS.get(info.kind, 'value')})", fontsize=FONT["label"])
    ax.tick_params(labelsize=FONT["tick"])
    if info.kind == "money":
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.legend(title="scenario", frameon=False, fontsize=FONT["legend"], title_fontsize=FONT["legend"])
    return fig


def _cell_text(value: float, kind: str) -> str:
    """A heatmap cell: a share's difference in percentage points, any other
    number to the unit when large, else to three significant digits."""
    if math.isnan(value):
        return ""
    if kind == "pct":
        return f"{100 * value:+.1f} pp"
    if abs(value) >= 100:
        return f"{value:+,.0f}"
    return f"{value:+.3g}"


def plot_heatmap(grid: pd.DataFrame, kpi: str, scenario: str, ax: Any = None) -> Figure:
    """The difference of ``scenario`` from the baseline over two parameters:
    a diverging colour map centred at 0 (blue where the KPI is better than
    the baseline's, red where worse), every cell annotated with its value.

    Args:
        grid: the numbers (:func:`heatmap_grid`): rows and columns are the two
            parameters' values.
        kpi: the KPI's name (for its label, unit and better direction).
        scenario: the scenario's name (for the title).
        ax: ``None`` (a new Figure) or the Axes to draw on.
    """
    n_rows, n_cols = grid.shape
    size = (max(5.0, 1.1 * n_cols + 3.0), max(3.5, 0.6 * n_rows + 2.0))
    fig, ax = _new_axes(size) if ax is None else (ax.figure, ax)
    info = kpi_of(kpi)
    values = grid.to_numpy(dtype=float)
    largest = float(np.nanmax(np.abs(values))) if np.isfinite(values).any() else 0.0
    largest = largest or 1.0
    cmap = "RdBu" if info.higher_is_better else "RdBu_r"
    image = ax.imshow(_scale(info.kind) * values, cmap=cmap, aspect="auto",
                      norm=Normalize(-_scale(info.kind) * largest, _scale(info.kind) * largest))
    for i in range(n_rows):
        for j in range(n_cols):
            v = values[i, j]
            dark = not math.isnan(v) and abs(v) > 0.6 * largest
            ax.text(j, i, _cell_text(v, info.kind), ha="center", va="center", fontsize=FONT["tick"],
                    color="white" if dark else "black")
    ax.set_xticks(range(n_cols), [_value_label(v) for v in grid.columns])
    ax.set_yticks(range(n_rows), [_value_label(v) for v in grid.index])
    ax.set_xlabel(str(grid.columns.name), fontsize=FONT["label"])
    ax.set_ylabel(str(grid.index.name), fontsize=FONT["label"])
    ax.tick_params(labelsize=FONT["tick"])
    ax.set_title(f"{scenario}: {info.label}, difference from the baseline", fontsize=FONT["title"])
    unit = "pp" if info.kind == "pct" else _UNITS.get(info.kind, "value")
    bar = fig.colorbar(image, ax=ax)
    bar.set_label(f"mean paired difference ({unit})", fontsize=FONT["label"])
    return fig


def _file_part(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", str(name)) or "_"


def sweep_figures(table: pd.DataFrame, parameters: Sequence[str], kpis: Sequence[str],
                  scenario: str | None = None, confidence: float = 0.95) -> dict[str, tuple[Figure, str]]:
    """The sweep's figures by file name, each with its caption: a line plot
    per KPI for one parameter, a heatmap per KPI and compared scenario (or
    ``scenario`` only) for two, none otherwise."""
    figures: dict[str, tuple[Figure, str]] = {}
    if len(parameters) == 1:
        (parameter,) = parameters
        for kpi in kpis:
            lines = sweep_lines(table, parameter, kpi, None if scenario is None else [scenario])
            figures[f"sweep_{_file_part(kpi)}.png"] = (
                plot_sweep_lines(lines, parameter, kpi, confidence),
                f"{kpi_of(kpi).label} against {parameter}: mean per scenario with its {confidence:.0%} interval")
    elif len(parameters) == 2:
        rows, columns = parameters
        for kpi in kpis:
            for name in ([scenario] if scenario is not None else compared_scenarios(table)):
                grid = heatmap_grid(table, rows, columns, kpi, name)
                figures[f"heatmap_{_file_part(kpi)}_{_file_part(name)}.png"] = (
                    plot_heatmap(grid, kpi, name),
                    f"{name}: mean paired difference from the baseline in {kpi_of(kpi).label}, "
                    f"by {rows} and {columns} (blue: better than the baseline, red: worse)")
    return figures


def no_figure_reason(parameters: Sequence[str]) -> str | None:
    """Why the sweep has no figure (None when it has one)."""
    if not parameters:
        return "No figure: no parameter differs between the jobs."
    if len(parameters) > 2:
        return (f"No figure: the sweep varies {len(parameters)} parameters "
                f"({', '.join(f'`{p}`' for p in parameters)}); a line plot shows one parameter and a "
                f"heatmap two. `{TABLE}` holds every result; slice it, or query the catalogue "
                f"(`experiments.catalogue.open_catalogue`).")
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
        row = {p: _value_label(first[p]) for p in parameters}
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


def sweep_markdown(sweep_dir: str | Path, jobs: pd.DataFrame, table: pd.DataFrame, parameters: Sequence[str],
                   kpis: Sequence[str], figures: Mapping[str, str], constants: Mapping[str, Any],
                   firm: str | None, confidence: float) -> str:
    """The text of ``sweep_report.md``; ``figures`` maps file names to captions."""
    finished = int((jobs["status"] == "finished").sum())
    failed = jobs[jobs["status"] == "failed"]
    unfinished = jobs[~jobs["status"].isin(["finished", "failed"])]
    focal = ", ".join(map(str, pd.unique(jobs["focal_firm"])))
    facts = [f"**Sweep folder:** `{Path(sweep_dir).resolve()}`",
             f"**Jobs:** {len(jobs)}: {finished} finished, {len(failed)} failed"
             + (f", {len(unfinished)} without a status" if len(unfinished) else ""),
             f"**Firm:** {firm}" if firm else f"**Firm:** each job's focal firm ({focal})",
             f"**Confidence:** {confidence:.0%}"]
    parameter_rows = pd.DataFrame({
        "parameter": [f"`{p}`" for p in parameters],
        "values": [", ".join(_value_label(v) for v in parameter_values(jobs, p)) for p in parameters]})
    parts = ["# Sweep report", "", "  \n".join(facts), "", "## Parameters", ""]
    parts += [markdown_table(parameter_rows), ""] if parameters else ["No parameter differs between the jobs.", ""]
    if constants:
        parts += ["Set the same in every job: " + ", ".join(f"`{k}={_value_label(v)}`" for k, v in constants.items())
                  + ".", ""]
    cells = sweep_cells(table, parameters, kpis)
    parts += [
        "## Results", "",
        f"*How to read:* one row per finished job and scenario. A baseline's row holds its mean over the "
        f"replications; every other row holds the scenario's mean **paired difference** from its job's "
        f"baseline (replication r against replication r, on the same seed) with its {confidence:.0%} "
        f"interval; an interval that excludes 0 is a difference due to the strategy. Shares are in %, "
        f"their differences in percentage points (pp). `{TABLE}` holds these numbers at full precision.", "",
        markdown_table(cells, right=[False] * (len(parameters) + 1) + [True] * len(kpis)), "",
    ]
    if len(failed):
        listing = pd.DataFrame({"job": [f"`{j}`" for j in failed["job"]],
                                "error": [str(e) if isinstance(e, str) else "?" for e in failed["error"]],
                                "traceback": [f"`{j}/{ERROR}`" for j in failed["job"]]})
        parts += ["## Failed jobs", "", markdown_table(listing), ""]
    if len(unfinished):
        parts += ["## Jobs without a status", "",
                  "Not run, still running, or stopped: " + ", ".join(f"`{j}`" for j in unfinished["job"]) + ".", ""]
    parts += ["## Figures", ""]
    reason = no_figure_reason(parameters)
    if reason:
        parts += [reason, ""]
    for name, caption in figures.items():
        parts += [f"![{caption}]({name})", "", f"*{caption}.*", ""]
    return "\n".join(parts)


def write_sweep_report(sweep_dir: str | Path, out: str | Path, con: duckdb.DuckDBPyConnection,
                       table: pd.DataFrame, kpis: Sequence[str], plot_kpis: Sequence[str],
                       firm: str | None = None, scenario: str | None = None, confidence: float = 0.95) -> Path:
    """Write ``sweep.csv``, the figures and, last, ``sweep_report.md`` into
    ``out``, each atomically; return the report's path."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    parameters = sweep_parameters(con)
    jobs = con.execute("SELECT * FROM jobs ORDER BY rowid").df()
    write_csv(out / TABLE, table, index=False)
    captions = {}
    for name, (fig, caption) in sweep_figures(table, parameters, plot_kpis, scenario, confidence).items():
        try:
            save_figure(out / name, fig, dpi=DPI)
        finally:
            fig.clear()
        captions[name] = caption
    text = sweep_markdown(sweep_dir, jobs, table, parameters, kpis, captions, constant_overrides(con),
                          firm, confidence)
    return write_text(out / REPORT, text)


# --------------------------------------------------------------------- command line

class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:   # one line, no usage block
        raise _UsageError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="loyalty-sim-report",
                     description="Read every job of a loyalty-sim sweep (Hydra multirun) through DuckDB and "
                                 f"write {TABLE}, {REPORT} and figures.")
    parser.add_argument("sweep_dir", metavar="SWEEP_DIR", help="the sweep's folder (multirun/<date>/<time>)")
    parser.add_argument("--kpi", metavar="NAME", nargs="+", action="extend",
                        help=f"KPIs of the table and figures, also comma-separated; put them after SWEEP_DIR "
                             f"or end them with -- (default: {', '.join(KPIS)}; figures: {next(iter(KPIS))})")
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
        raise BadInput("confidence", text, "must be a number in (0, 1)")
    return value


def _chosen_kpis(con: duckdb.DuckDBPyConnection, given: Sequence[str] | None) -> tuple[list[str], list[str]]:
    """The KPIs of the table and of the figures."""
    available = kpi_columns(con)
    given = [name for text in given or () for name in text.split(",") if name]
    if given:
        for name in given:
            if name not in available:
                raise BadInput("kpi", name, f"must be one of {', '.join(available)}")
        kpis = list(dict.fromkeys(given))
        return kpis, kpis
    kpis = [k for k in KPIS if k in available]
    if not kpis:
        raise BadInput("kpi", "(default)", f"none of {', '.join(KPIS)} is in the runs; "
                       f"choose with --kpi among {', '.join(available)}")
    return kpis, kpis[:1]


def _check_firm(con: duckdb.DuckDBPyConnection, firm: str | None) -> None:
    if firm is not None and firm not in firms(con):
        raise BadInput("firm", firm, f"no such firm in the runs; must be one of {', '.join(firms(con))}")


def _check_table(con: duckdb.DuckDBPyConnection, table: pd.DataFrame, scenario: str | None) -> None:
    if table.empty:
        focal = ", ".join(r[0] for r in con.execute(
            "SELECT DISTINCT focal_firm FROM jobs WHERE status = 'finished'").fetchall())
        raise BadInput("firm", focal, f"no such firm in the runs; choose with --firm among {', '.join(firms(con))}")
    if scenario is not None and scenario not in compared_scenarios(table):
        raise BadInput("scenario", scenario, "must be one of the scenarios compared with a baseline: "
                       + (", ".join(compared_scenarios(table)) or "(none)"))


def main(argv: Sequence[str] | None = None) -> int:
    """``loyalty-sim-report SWEEP_DIR [--kpi NAME ...] [--firm NAME] [--scenario NAME]
    [--confidence 0.95] [--out DIR]``: write the sweep's report; return the exit status."""
    try:
        args = _parser().parse_args(argv)
    except _UsageError as e:
        print(f"error: {e} (usage: loyalty-sim-report SWEEP_DIR [--kpi NAME ...] [--firm NAME] "
              f"[--scenario NAME] [--confidence 0.95] [--out DIR])", file=sys.stderr)
        return EXIT_BAD_INPUT
    except SystemExit as e:        # --help
        return int(e.code or 0)
    try:
        confidence = _confidence(args.confidence)
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
        if out.exists() and not out.is_dir():
            raise BadInput("out", args.out, "not a folder")
        report = write_sweep_report(args.sweep_dir, out, con, table, kpis, plot_kpis, args.firm, args.scenario,
                                    confidence)
    except BadInput as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    finally:
        con.close()
    print(f"sweep report: {report} (table {report.parent / TABLE})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
