"""The results catalogue of a sweep.

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
is :func:`experiments.running.statistics.paired_interval`, the same function that
made each job's own ``comparison.csv``, so the sweep table agrees with it.

A *swept parameter* is an override key whose value differs between the
jobs (:func:`swept_parameters`); keys set to the same value in every job are
the sweep's constants. This module computes the sweep table
(:func:`sweep_table`) and the numbers of its figures (:func:`sweep_lines`,
:func:`heatmap_grid`); :mod:`experiments.sweeps.plots` draws them and
:mod:`experiments.sweeps.report` (``loyalty-sim-report``) writes the report.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import duckdb
import numpy as np
import pandas as pd
import yaml

from experiments.sweeps.jobs import STATUS, read_status
from experiments.running.kpis import KPIS
from experiments.running.statistics import paired_interval

RUNS = "runs.parquet"
OVERRIDES = ".hydra/overrides.yaml"
#: where a job's config is read from, first found first (Hydra's, then the app's resolved copy)
CONFIGS = (".hydra/config.yaml", "config.yaml")
HYDRA_CONFIG = ".hydra/hydra.yaml"
DEFAULT_BASELINE = "baseline"
DEFAULT_FOCAL_FIRM = "Focal"
#: the fixed columns of the catalogue's ``jobs`` table; one column per swept parameter follows
JOB_COLUMNS = ["job", "number", "status", "error", "elapsed_seconds", "baseline", "focal_firm"]
#: the columns of :func:`sweep_table` after ``job`` and the parameter columns
SWEEP_COLUMNS = [
    "scenario",
    "baseline",
    "firm",
    "kpi",
    "n",
    "mean",
    "mean_ci_low",
    "mean_ci_high",
    "baseline_mean",
    "diff",
    "ci_low",
    "ci_high",
]
#: columns of ``runs.parquet`` that are not KPIs
NOT_KPIS = {"replication", "seed", "file_row_number"}
_NUMERIC_TYPES = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "FLOAT",
    "DOUBLE",
    "DECIMAL",
    "REAL",
)


class BadInput(ValueError):
    """Input the report cannot use: ``key = value: what is allowed``."""

    def __init__(self, key: str, value: Any, allowed: str) -> None:
        super().__init__(f"{key} = {value}: {allowed}")


# --------------------------------------------------------------------- jobs


@dataclass(frozen=True)
class Job:
    """One job folder of a sweep: what it was asked to do and how it ended."""

    folder: str  # relative to the sweep folder, "/"-separated ("." for the sweep itself)
    status: str  # "finished", "failed", "interrupted" or "unfinished" (no status.json)
    error: str | None = None  # the one-line error of a failed job
    number: int | None = None  # Hydra's job number (the order of the sweep)
    elapsed_seconds: float | None = None
    baseline: str = DEFAULT_BASELINE
    focal_firm: str = DEFAULT_FOCAL_FIRM
    overrides: dict[str, Any] = field(default_factory=dict)  # key -> parsed value, in Hydra's order


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
    return Job(
        folder=relative,
        status=state,
        error=error,
        number=_job_number(folder),
        elapsed_seconds=float(elapsed) if isinstance(elapsed, (int, float)) else None,
        baseline=_experiment_setting(folder, "baseline", DEFAULT_BASELINE),
        focal_firm=_experiment_setting(folder, "focal_firm", DEFAULT_FOCAL_FIRM),
        overrides=_read_overrides(folder),
    )


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


def is_missing(value: Any) -> bool:
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
    frame = pd.DataFrame(
        {
            "job": pd.Series([j.folder for j in jobs], dtype=object),
            "number": pd.Series([j.number for j in jobs], dtype="Int64"),
            "status": pd.Series([j.status for j in jobs], dtype=object),
            "error": pd.Series([j.error for j in jobs], dtype=object),
            "elapsed_seconds": pd.Series([j.elapsed_seconds for j in jobs], dtype="float64"),
            "baseline": pd.Series([j.baseline for j in jobs], dtype=object),
            "focal_firm": pd.Series([j.focal_firm for j in jobs], dtype=object),
        }
    )
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
      name), with the ``job`` column first and ``file_row_number``. A job
      folder's name looks like a Hive partition (``seed=10``), but it is not
      read as one: the columns are the files' own.

    Raises:
        BadInput: no such folder, or no finished job in it.
    """
    root = Path(sweep_dir)
    if not root.is_dir():
        raise BadInput("SWEEP_DIR", sweep_dir, "no such folder")
    root = root.resolve()
    jobs = find_jobs(root)
    if not any(j.status == "finished" for j in jobs):
        raise BadInput(
            "SWEEP_DIR",
            sweep_dir,
            f"no finished job (a folder with status.json 'finished' and {RUNS}) in it; {len(jobs)} job folder(s) found",
        )
    con = duckdb.connect()
    frame = jobs_frame(jobs)
    con.register("jobs_frame", frame)
    con.execute("CREATE TABLE jobs AS SELECT * REPLACE (CAST(error AS VARCHAR) AS error) FROM jobs_frame")
    con.unregister("jobs_frame")
    params = pd.DataFrame(
        [(j.folder, k, "" if v is None else str(v)) for j in jobs for k, v in j.overrides.items()],
        columns=["job", "key", "value"],
    ).astype(object)
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
        FROM read_parquet({_sql_string(prefix + "/**/" + RUNS)}, filename = true,
                          union_by_name = true, file_row_number = true, hive_partitioning = false) AS r
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
    return [name for name, kind, *_ in rows if name not in NOT_KPIS and str(kind).upper().startswith(_NUMERIC_TYPES)]


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


def sweep_table(
    con: duckdb.DuckDBPyConnection, kpis: Sequence[str] = tuple(KPIS), firm: str | None = None, confidence: float = 0.95
) -> pd.DataFrame:
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
        ``ci_high``; :func:`experiments.running.statistics.paired_interval`); the
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
    stats = stats.assign(
        _job=stats["job"].map(job_order),
        _other=stats["scenario"] != stats["baseline"],
        _kpi=stats["kpi"].map(kpi_order),
    )
    stats = stats.sort_values(["_job", "_other", "first_row", "_kpi"], kind="stable").reset_index(drop=True)
    band = [paired_interval(_array(v), confidence) for v in stats["values"]]  # one-sample t interval
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
        position = value_positions(parameter_values(jobs, parameter))
        order[f"_{i}"] = [position[value_key(v)] for v in jobs[parameter].astype(object)]
    if order.empty:
        return jobs
    return jobs.loc[order.sort_values(list(order.columns), kind="stable").index]


def parameter_values(table: pd.DataFrame, parameter: str) -> list[Any]:
    """A parameter's distinct values: ascending if numeric, else in the order
    given (the order of the jobs in ``table``); a job without it is None, last."""
    values = list(pd.unique(table[parameter].astype(object)))
    present = [v for v in values if not is_missing(v)]
    missing = [None] if len(present) < len(values) else []
    if present and all(_is_number(v) for v in present):
        present = sorted(present)
    return [*present, *missing]


def is_numeric_parameter(values: Sequence[Any]) -> bool:
    present = [v for v in values if not is_missing(v)]
    return bool(present) and all(_is_number(v) for v in present)


_NONE = "\0none"


def value_key(value: Any) -> Any:
    """A parameter value as a dict key (all missing values alike)."""
    return _NONE if is_missing(value) else value


def value_positions(values: Sequence[Any]) -> dict[Any, int]:
    return {value_key(v): i for i, v in enumerate(values)}


def sweep_lines(table: pd.DataFrame, parameter: str, kpi: str, scenarios: Iterable[str] | None = None) -> pd.DataFrame:
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
    order = value_positions(parameter_values(table, parameter))
    scenario_rank = {s: i for i, s in enumerate(pd.unique(rows["scenario"]))}
    lines = pd.DataFrame(
        {
            parameter: rows[parameter].astype(object).map(lambda v: None if is_missing(v) else v),
            "scenario": rows["scenario"],
            "baseline": rows["baseline"],
            "firm": rows["firm"],
            "n": rows["n"],
            "mean": rows["mean"],
            "ci_low": rows["mean_ci_low"],
            "ci_high": rows["mean_ci_high"],
        }
    )
    lines["_s"] = lines["scenario"].map(scenario_rank)
    lines["_v"] = lines[parameter].map(lambda v: order[value_key(v)])
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
    grid = pd.DataFrame(
        np.nan,
        index=pd.Index(row_values, dtype=object, name=rows),
        columns=pd.Index(column_values, dtype=object, name=columns),
    )
    r_pos, c_pos = value_positions(row_values), value_positions(column_values)
    cells: dict[tuple[int, int], list[float]] = {}
    for r, c, d in zip(mine[rows].astype(object), mine[columns].astype(object), mine["diff"]):
        cells.setdefault((r_pos[value_key(r)], c_pos[value_key(c)]), []).append(float(d))
    for (i, j), diffs in cells.items():
        grid.iat[i, j] = float(np.mean(diffs))  # one job per cell in a two-parameter sweep
    return grid


def value_label(value: Any) -> str:
    return "—" if is_missing(value) else str(value)
