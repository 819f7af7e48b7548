"""The ``loyalty-market`` app: simulate one market once (``make run`` runs an experiment instead).

Usage::

    loyalty-market [key=value ...]                  python -m experiments.cli.market ...
    loyalty-market market=subscription market.n_customers=2000 seed=3
    loyalty-market --config-dir my_conf market=my_market output_dir=/tmp/runs
    loyalty-market --list-params | --list-strategies | --help

A Hydra app like the others (``conf/config.yaml``, the :class:`sim.config.RunConfig`
schema, entered through :func:`experiments.cli.entry.hydra_entry`): the config
is composed from the overrides and validated before the run. The run's results
go into ``<output_dir>/<YYYY-MM-DD>/<HH-MM-SS>/``: the step table
(``steps.parquet``), the per-firm summary (``summary.csv``), cohort survival
(``cohort_survival.csv``), the resolved config (``config.yaml``) and a plot of
people by loyalty state towards each firm, as shares of the market
(``loyalty_states.png`` and its ``.svg``). The folder is created only
once the simulation has succeeded, and every file is written to a temporary
name and renamed; Hydra itself writes nothing.

Bad input stops with one line on stderr, ``error: <key> = <value>: <what is
allowed>``, and exit status 2; nothing is written. Ctrl-C stops with one line,
``interrupted: <output_dir> (...)``, and exit status 130; nothing is written.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import io
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from sim.config import (
    ConfigError,
    FirmConfig,
    MarketConfig,
    RunConfig,
    SegmentConfig,
    check_entry,
    to_dataclass,
)
import sim.schema  # noqa: F401  (config_schema and market/market_schema of conf/config.yaml)
from sim.config_loading import market_presets
from experiments.cli.errors import (
    BadInput,
    EXIT_BAD_INPUT,
    print_listing,
)

if TYPE_CHECKING:
    from experiments.reports.units import ReportUnits


RUN_FILES = (
    "steps.parquet",
    "summary.csv",
    "cohort_survival.csv",
    "config.yaml",
    "loyalty_states.png",
    "loyalty_states.svg",
)
#: the staging folder of a run being written: ``<output_dir>/<date>/.<HH-MM-SS>-partial-<random>``
PARTIAL_MARK = "-partial-"
PARTIAL_GLOB = f".??-??-??{PARTIAL_MARK}*"


#: the app's config, ``conf/config.yaml``
CONFIG = "config"


# --------------------------------------------------------------------------- entry point
def main(argv: Sequence[str] | None = None) -> None:
    """Run the app: the listings, or one market from ``conf/config.yaml`` and
    the overrides (bad input: one line, exit status 2; Ctrl-C: one line, exit
    status 130; nothing written either way)."""
    from experiments.cli.entry import hydra_entry

    args = list(sys.argv[1:] if argv is None else argv)
    if "--list-params" in args:
        print_listing(format_params())
        return
    if "--list-strategies" in args:
        from strategies.registry import catalogue

        print_listing(catalogue())
        return
    for a in args:
        key = a.lstrip("+~").partition("=")[0]
        if a in ("-m", "--multirun") or key in ("hydra.run.dir", "hydra.sweep.dir", "hydra.output_subdir"):
            value = a.partition("=")[2] if "=" in a else a
            print(
                f"error: {key if '=' in a else 'option'} = {value!r}: not used by loyalty-market, which runs one "
                "market and writes its results under output_dir (sweeps: loyalty-sim -m)",
                file=sys.stderr,
            )
            raise SystemExit(EXIT_BAD_INPUT)
    hydra_entry(argv, CONFIG, run_task, validator=check_market, root=RunConfig)


def run_task(cfg: Any) -> None:
    """Hydra's task: the run, with a failure to write the results as one line and exit status 2."""
    try:
        run(cfg)
    except BadInput as e:
        print(f"error: {e}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT) from None


# --------------------------------------------------------------------------- config
def compose_config(overrides: Sequence[str] = ()) -> Any:
    """The run config of ``overrides`` (``conf/config.yaml``), validated as the
    app validates it (:func:`check_market`): for Python and the tests. Returns
    a DictConfig; raises :class:`BadInput` on bad input."""
    from experiments.cli.entry import check_overrides, compose_config as compose

    problem = check_overrides(list(overrides), CONFIG, check_market, RunConfig)
    if problem:
        raise BadInput(problem)
    return compose(list(overrides), CONFIG)


def check_market(container: dict) -> None:
    """Check a composed run config: keys and ranges (:class:`RunConfig`), the
    firms' strategies and entries within the horizon, the market fitting in
    memory, and the output folder writable. Raises ConfigError."""
    from sim.config import validate

    validate(container, RunConfig)
    _check_strategies(container)
    _check_memory(container)
    _check_output_dir(container)


def _check_strategies(container: dict) -> None:
    """Every strategy a firm names must exist and start within the horizon,
    and every firm must enter within it (a firm or programme that never acts
    makes a run that only looks like it tested something)."""
    import strategies  # noqa: F401  (the package registers its strategies)
    from strategies.registry import check_strategies

    market = container.get("market") or {}
    steps = market.get("steps", MarketConfig.steps)
    for i, firm in enumerate(market.get("firms") or []):
        check_strategies(
            f"market.firms[{i}].strategies",
            (firm or {}).get("strategies") or [],
            steps,
            market.get("steps_per_year", MarketConfig.steps_per_year),
        )
        check_entry(
            f"market.firms[{i}].entry_week",
            (firm or {}).get("entry_week", 0),
            steps,
            market.get("steps_per_year", MarketConfig.steps_per_year),
        )


def _check_output_dir(container: dict) -> None:
    """The results must be writable where they go, checked before the run."""
    from experiments.running.outputs import folder_problem

    output_dir = str(container.get("output_dir", RunConfig.output_dir))
    problem = folder_problem(output_dir)
    if problem:
        raise ConfigError(f"output_dir = {output_dir!r}: {problem}")


def _check_memory(container: dict) -> None:
    """The market must fit in this machine's memory (one live model)."""
    from sim.memory_budget import check_fits

    market = to_dataclass(container["market"], MarketConfig)
    check_fits(market.n_customers, 1, market.engine)


# --------------------------------------------------------------------------- the run
def run(cfg: Any) -> int:
    """Simulate, print the summary, write the results; return 0. Ctrl-C stops
    with one line on stderr and exit status 130, leaving no partial results
    (:func:`experiments.running.interruption.stop_cleanly`; :func:`write_run` removes
    its staging folder)."""
    from omegaconf import OmegaConf

    from experiments.running.interruption import stop_cleanly
    from sim.config import to_dataclass
    from sim.model import LoyaltyModel
    from sim.transactions import TransactionLog, customer_summaries

    output_dir = Path(str(cfg.output_dir))
    stage = {"now": "nothing written"}  # what Ctrl-C leaves, for its notice
    with stop_cleanly(output_dir, lambda: stage["now"]):
        started = time.perf_counter()
        model = LoyaltyModel.from_config(cfg)
        extra: dict[str, Any] = {}
        if bool(cfg.get("record_transactions", False)):
            log = TransactionLog(model)
            table = log.run()
            extra["transactions.parquet"] = log.table()
            extra["customer_summary.parquet"] = customer_summaries(
                extra["transactions.parquet"], model.steps, [f.name for f in model.firms]
            )
        else:
            table = model.run()
        elapsed = time.perf_counter() - started
        summary = model.summary()
        cohorts = model.cohort_survival()
        resolved = OmegaConf.to_yaml(OmegaConf.structured(to_dataclass(cfg, RunConfig)))
        market = model.config
        print(
            f"market {market.name!r}: {market.n_customers:,} customers, {len(market.firms)} firms, "
            f"{market.steps} steps after {market.burn_in} burn-in steps, seed {model.seed} "
            f"({elapsed:.1f} s)\n"
        )
        print(format_summary(summary))
        stage["now"] = "partial results removed"
        folder = write_run(output_dir, table, summary, cohorts, resolved, extra=extra, units=units_of(market))
        stage["now"] = f"the results were complete: {folder}"
        print(f"\nresults: {folder}")
    return 0


def write_run(
    output_dir: Path,
    table: Any,
    summary: Any,
    cohorts: Any,
    resolved_yaml: str,
    now: _dt.datetime | None = None,
    extra: dict[str, Any] | None = None,
    units: ReportUnits | None = None,
) -> Path:
    """Write a run's files into ``<output_dir>/<date>/<time>/``; all or nothing.
    ``extra`` maps further Parquet file names to tables (the transaction log);
    ``units`` (a :class:`experiments.reports.units.ReportUnits`; None: the
    default market's) label the figure ``loyalty_states.png`` and its SVG twin.

    The files are written (each to a temporary name, then renamed) into a hidden
    staging folder next to the final one, which is renamed into place at the
    end. On failure (or Ctrl-C) the staging folder and any folders created are
    removed. The staging folder is locked while it is written, so a later run
    into ``output_dir`` removes the staging folders of killed runs
    (``kill -9``) and only those.
    """
    from experiments.running.outputs import (
        UMASK,
        claim,
        remove_stray_temporaries,
        save_figure,
        write_csv,
        write_parquet,
        write_text,
    )
    from experiments.reports.plots import plot_loyalty_states

    now = now or _dt.datetime.now()
    day = output_dir / now.strftime("%Y-%m-%d")
    created = [p for p in (day, output_dir, *output_dir.parents) if not p.exists()]
    for earlier in output_dir.glob("????-??-??") if output_dir.is_dir() else ():
        remove_stray_temporaries(earlier, subfolders=(), pattern=PARTIAL_GLOB)
    staging: Path | None = None
    lock = -1
    try:
        day.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{now.strftime('%H-%M-%S')}{PARTIAL_MARK}", dir=day))
        lock = claim(staging)
        write_parquet(staging / "steps.parquet", table)
        write_csv(staging / "summary.csv", summary.reset_index(), index=False)
        write_csv(staging / "cohort_survival.csv", cohorts, index=False)
        write_text(staging / "config.yaml", resolved_yaml)
        save_figure(staging / "loyalty_states.png", plot_loyalty_states(table, units=units), dpi=110)
        for name, frame in (extra or {}).items():
            write_parquet(staging / name, frame)
        os.chmod(staging, 0o777 & ~UMASK)
        final = _free_name(day / now.strftime("%H-%M-%S"))
        os.rename(staging, final)
        return final
    except BaseException as e:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        for p in created:  # innermost first
            with contextlib.suppress(OSError):
                p.rmdir()
        if isinstance(e, OSError):
            raise BadInput(
                f"output_dir = {str(output_dir)!r}: cannot write the results "
                f"({e.strerror or e}); must be a writable folder"
            ) from None
        raise
    finally:
        if lock >= 0:
            os.close(lock)


def units_of(market: Any) -> ReportUnits:
    """The report units (currency, horizon, step length) of a run's market config."""
    from experiments.reports.units import ReportUnits

    return ReportUnits.of_market(market)


def _free_name(path: Path) -> Path:
    """``path``, or ``path_1``, ``path_2``, ... if a run of the same second exists."""
    candidate, k = path, 0
    while candidate.exists():
        k += 1
        candidate = path.with_name(f"{path.name}_{k}")
    return candidate


# --------------------------------------------------------------------------- printing
_SUMMARY_ROWS = [
    ("profit", "profit", "money"),
    ("npv", "NPV of profit", "money"),
    ("revenue", "revenue", "money"),
    ("market_share", "market share (revenue)", "pct"),
    ("retention_rate", "retention rate (annual, true)", "pct"),
    ("churn_rate", "churn rate (annual)", "pct"),
    ("customers", "customers at the end", "int"),
    ("mean_satisfaction", "mean satisfaction", "float"),
    ("promoter_score", "promoter score", "float1"),
    ("deal_seeker_share", "deal-seekers among customers", "pct"),
    ("top20_revenue_share", "revenue share of top 20%", "pct"),
    # the survey view (sim/survey.py; scales and cut points: market.survey), horizon means
    ("csat_top_box", "survey: very satisfied (top box)", "pct"),
    ("csat_top2_box", "survey: satisfied or very (top two)", "pct"),
    ("mean_csat_5", "survey: mean satisfaction (1-5)", "answer"),
    ("mean_csat_10", "survey: mean satisfaction (0-10)", "answer"),
    ("intent_top_box", "survey: will definitely buy again", "pct"),
]


def _fmt(value: Any, kind: str) -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if v != v:
        return "n/a"
    return {
        "money": f"{v:,.0f}",
        "pct": f"{100 * v:.1f}%",
        "int": f"{v:,.0f}",
        "float": f"{v:+.3f}",
        "float1": f"{v:+.1f}",
        "answer": f"{v:.2f}",
    }[kind]


def format_summary(summary: Any) -> str:
    """The per-firm summary as a table: one column per firm, one row per metric,
    then customers in each loyalty state at the end."""
    from agents.states import STATE_NAMES

    if summary is None or len(summary) == 0:
        return "(no reported steps)"
    firms = [str(f) for f in summary.index]
    rows: list[tuple[str, list[str]]] = []
    for col, label, kind in _SUMMARY_ROWS:
        if col in summary.columns:
            rows.append((label, [_fmt(v, kind) for v in summary[col]]))
    states = [s for s in STATE_NAMES if f"n_{s}" in summary.columns]
    if states:
        rows.append(("customers by loyalty state", [""] * len(firms)))
        for s in states:
            rows.append((f"  {s.replace('_', ' ')}", [_fmt(v, "int") for v in summary[f"n_{s}"]]))
    w0 = max(len(r[0]) for r in rows)
    widths = [max(len(f), *(len(r[1][i]) for r in rows)) for i, f in enumerate(firms)]
    out = io.StringIO()
    out.write(" " * w0 + "  " + "  ".join(f.rjust(w) for f, w in zip(firms, widths)) + "\n")
    out.write("-" * w0 + "  " + "  ".join("-" * w for w in widths) + "\n")
    for label, cells in rows:
        out.write(label.ljust(w0) + "  " + "  ".join(c.rjust(w) for c, w in zip(cells, widths)) + "\n")
    return out.getvalue().rstrip("\n")


def format_params() -> str:
    """Every parameter, one a line: key, default, unit, allowed range, meaning
    and the source of the default (``docs/parameters.md`` is the same as
    Markdown tables)."""
    from sim.config import describe

    rows: list[tuple[str, str, str, str, str, str]] = []

    def add(cls: type, prefix: str) -> None:
        for row in describe(cls, prefix):
            default, doc = row.default, row.meaning
            if isinstance(default, list) and default and dataclasses.is_dataclass(default[0]):
                item = type(default[0]).__name__
                shown = f"{len(default)} entries"
                doc = doc or f"list of {item} entries, keys below ({row.key}[i].*)"
            else:
                shown = repr(default) if isinstance(default, str) else str(default)
            rows.append((row.key, shown, row.unit, row.allowed, doc, row.source))

    add(RunConfig, "")
    add(FirmConfig, "market.firms[i].")
    add(SegmentConfig, "market.customers.segments[i].")
    w = [max(len(r[i]) for r in rows) for i in range(4)]
    head = ("key", "default", "unit", "allowed")
    lines = [
        "  ".join(h.ljust(w[i]) for i, h in enumerate(head)) + "  meaning — source",
        "  ".join("-" * x for x in w) + "  ----------------",
    ]
    for r in rows:
        source = f" — source: {r[5]}" if r[5] else ""
        lines.append("  ".join(r[i].ljust(w[i]) for i in range(4)) + "  " + r[4] + source)
    lines.append("")
    lines.append(f"market presets (market=<name>): {', '.join(market_presets())}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
