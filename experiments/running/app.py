"""The ``loyalty-sim`` app: run a configured experiment.

Usage::

    loyalty-sim                                  # the default experiment (make run)
    loyalty-sim experiment=price_war             # a named experiment (conf/experiment/)
    loyalty-sim experiment.replications=5 market.n_customers=2000
    loyalty-sim -m market.firms.0.price=0.9,1.0,1.1        # a sweep (Hydra multirun)
    loyalty-sim -m hydra/launcher=ray experiment=price_war,win_back
    loyalty-sim --help                           # the app's help: config groups, examples

One job runs every scenario of the experiment for its replications (in
parallel over the local cores, common random numbers), compares each
scenario with the baseline on paired differences, prints the comparison and
writes into the job's folder (``outputs/<date>/<time>/``, or the sweep's
``multirun/<date>/<time>/<overrides>/``): ``runs.parquet``, ``steps.parquet``,
``config.yaml``, ``report.md`` with ``figures/``, ``comparison.csv``,
``ranking.csv``, with ``experiment.record_transactions=true`` also
``transactions.parquet`` and ``customer_summary.parquet`` (frequency, recency,
T, monetary value per scenario, replication, firm and customer), and, last, ``status.json``. Every file is written
to a temporary name and renamed.

In a sweep, a job whose folder already holds a finished run of the same
config is skipped, and a job that fails records its error (``status.json``,
``error.txt``) while the sweep goes on. A single run with bad input stops
before anything is written with one line ``error: <key> = <value>: <what is
allowed>`` and exit status 2.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any, Sequence

import experiments.running.schema  # noqa: F401  (app_schema, the job_dirname resolver; also in workers)
from experiments.cli import entry
from experiments.cli.entry import hydra_entry
from experiments.cli.errors import EXIT_BAD_INPUT

CONFIG_NAME = "app"


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point: check a single run's config (every job's, in a
    sweep), then hand over to Hydra (:func:`experiments.cli.entry.hydra_entry`)."""
    from experiments.running.config import AppConfig, validate_experiment

    hydra_entry(argv, CONFIG_NAME, run_job, validate_experiment, AppConfig)


def compose_app(overrides: Sequence[str] = ()) -> dict:
    """The resolved config of the ``loyalty-sim`` app (``conf/app.yaml``) with
    ``overrides``, as a job would see it, without Hydra's own node."""
    return entry.compose_app(overrides, CONFIG_NAME)


def check_overrides(overrides: Sequence[str]) -> str | None:
    """The one-line error of the ``loyalty-sim`` app's config with
    ``overrides``, or None if it is fine (what the command line checks)."""
    from experiments.running.config import AppConfig, validate_experiment

    return entry.check_overrides(overrides, CONFIG_NAME, validate_experiment, AppConfig)


def run_job(cfg: Any) -> dict:
    """One Hydra job: run the experiment of ``cfg`` and write its results into
    the job's output folder; return its status.

    The job first removes the temporary files a killed run left in its folder;
    Ctrl-C marks it interrupted, says so in one line and exits with status 130
    (stopping a sweep: its re-run redoes this job), and no worker process
    outlives it (:func:`experiments.sweeps.jobs.running_job`)."""
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode
    from omegaconf import OmegaConf

    from experiments.sweeps.jobs import config_hash, is_finished, read_status, record_failure, running_job
    from agents.compiled import interrupted
    from sim.config import ConfigError

    hc = HydraConfig.get()
    folder = Path(hc.runtime.output_dir)
    multirun = hc.mode == RunMode.MULTIRUN
    container = OmegaConf.to_container(cfg, resolve=True)
    digest = config_hash(container)
    with running_job(folder, digest, keep_workers=multirun):
        if multirun and is_finished(folder, digest):
            print(f"{folder}: finished in an earlier run of this sweep, skipped")
            return read_status(folder)
        started = time.perf_counter()
        try:
            return run_and_write(container, folder, digest)
        except ConfigError as e:
            line = record_failure(folder, digest, e, time.perf_counter() - started)
            print(f"error: {line}", file=sys.stderr)
            if not multirun:
                raise SystemExit(EXIT_BAD_INPUT)
        except Exception as e:  # noqa: BLE001 - a failing job must not stop the sweep
            if interrupted(e):  # Ctrl-C inside a compiled rule outside a step (building a market)
                raise KeyboardInterrupt from None
            line = record_failure(folder, digest, e, time.perf_counter() - started)
            print(f"error: job {folder} failed: {line} (traceback in {folder / 'error.txt'})", file=sys.stderr)
            if not multirun:
                raise
    return read_status(folder)


def run_and_write(container: dict, folder: Path, digest: str) -> dict:
    """Run the experiment of a resolved app config and write its results into ``folder``."""
    import yaml

    from experiments.running.config import validate_experiment
    from experiments.sweeps.jobs import read_status, record_finished
    from experiments.running.outputs import write_parquet, write_text
    from experiments.reports.report import (
        format_table,
        report_bridge,
        steady_state,
        write_report,
    )
    from experiments.running.runner import experiment_config, run_experiment
    from experiments.running.statistics import compare, ranking
    from experiments.sweeps.plan import job_heading

    started = time.perf_counter()
    container = {k: v for k, v in container.items() if k != "hydra"}
    validate_experiment(container)
    market, experiment = experiment_config(container)
    result = run_experiment(market, experiment)
    comparison = compare(
        result.runs, experiment.baseline, experiment.focal_firm, experiment.kpis, experiment.confidence
    )
    rank = ranking(comparison, experiment.rank_by, experiment.baseline)
    meta = experiment_meta(market, experiment, result, time.perf_counter() - started)
    folder.mkdir(parents=True, exist_ok=True)
    write_parquet(folder / "runs.parquet", result.runs)
    write_parquet(folder / "steps.parquet", result.steps)
    write_parquet(folder / "retention.parquet", result.retention)
    write_parquet(folder / "value_by_tenure.parquet", result.tenure)
    if result.transactions is not None:
        from sim.transactions import run_summaries

        write_parquet(folder / "transactions.parquet", result.transactions)
        write_parquet(
            folder / "customer_summary.parquet",
            run_summaries(result.transactions, market.steps, [f.name for f in market.firms]),
        )
    write_text(folder / "config.yaml", yaml.safe_dump(container, sort_keys=False, allow_unicode=True))
    meta.update(steady_state(result.steps, meta))
    bridge = report_bridge(result.steps, meta)
    write_report(
        folder, meta, result.runs, result.steps, comparison, rank, result.retention, result.tenure, bridge=bridge
    )
    print(job_heading(folder) + format_table(comparison, rank, meta, bridge=bridge))  # "job 3/12: k=v, ..." in a sweep
    elapsed = time.perf_counter() - started
    record_finished(folder, digest, elapsed, experiment=experiment.name)
    print(f"\nresults: {folder} ({elapsed:.1f} s)")
    return read_status(folder)


def experiment_meta(market: Any, experiment: Any, result: Any, elapsed: float) -> dict:
    """What the report says about the experiment."""
    from experiments.reports.units import ReportUnits
    from sim.survey import scale_definition

    units = ReportUnits.of_market(market)
    return {
        "name": experiment.name,
        "description": experiment.description,
        "baseline": experiment.baseline,
        "focal_firm": experiment.focal_firm,
        "scenarios": [{"name": s.name, "description": s.description} for s in result.scenarios],
        "replications": experiment.replications,
        "confidence": experiment.confidence,
        "rank_by": experiment.rank_by,
        "kpis": list(experiment.kpis),
        "figures": experiment.figures,
        "market": (
            f"{market.name}, {market.n_customers:,} people (each may buy from several firms), "
            f"{len(market.firms)} firms, {units.horizon()} after a burn-in of {units.steps(market.burn_in)}, "
            f"seeds {experiment.seed}..{experiment.seed + experiment.replications - 1}"
        ),
        "elapsed_seconds": round(elapsed, 1),
        "survey_scale": scale_definition(market.survey, market.loyalty),
        "lapse_gaps": market.loyalty.lapse_gaps,
        "burn_in": market.burn_in,
        "steady_state_drift": experiment.steady_state_drift,
        "steady_state_window_weeks": experiment.steady_state_window_weeks,
        "units": units.as_dict(),
    }


if __name__ == "__main__":
    main()
