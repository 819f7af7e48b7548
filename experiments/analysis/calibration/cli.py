"""``loyalty-sim-calibrate``: fit the market to observed data and report the holdout.

Usage::

    loyalty-sim-calibrate                                   # the CDNOW worked example
    loyalty-sim-calibrate calibration=fader_hardie_regular  # a survival table (subscription market)
    loyalty-sim-calibrate calibration.transactions.path=my_log.csv calibration.transactions.header=true \\
        calibration.transactions.separator=comma calibration.transactions.customer=client \\
        calibration.transactions.date=day calibration.transactions.amount=spend \\
        calibration.transactions.date_format=%Y-%m-%d calibration.name=mine      # your own log
    loyalty-sim-calibrate calibration=fader_hardie_regular calibration.holdout_periods=0 \\
        calibration.survival.active=[1000,631,468,382,326,289,262,241] \\
        calibration.forecast_periods=5                      # years 0-7 known: forecast years 8-12
    loyalty-sim-calibrate calibration.market_out=conf/market/cdnow.yaml   # then: market=cdnow anywhere
    loyalty-sim-calibrate --help                            # the keys; --hydra-help: Hydra's options

A separator is named (``comma``, ``semicolon``, ``tab``, ``whitespace``) so
that no shell quoting is needed; a literal comma needs Hydra's quotes
(``'calibration.transactions.separator=","'``), since a bare ``,`` is
Hydra's sweep syntax.

A Hydra app (``conf/calibrate.yaml``; named calibrations in
``conf/calibration/``). It reads the data, fits the market's parameters on
the calibration periods (:mod:`experiments.analysis.calibration.fit`), forecasts the
holdout (and any forecast periods after it) with the fitted market and with
the standard model (:mod:`experiments.analysis.calibration.forecast`), prints the
fitted values and the errors and writes them into
``outputs/calibrate/<name>/<date>/<time>/``
(:mod:`experiments.analysis.calibration.report`). Bad input, including data that
cannot be read or do not cover the split, stops before anything is written
with one line ``error: <key> = <value>: <what is allowed>`` and exit status 2.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any, Sequence

from hydra.core.config_store import ConfigStore

import experiments.running.schema  # noqa: F401  (market_schema, the resolvers)
from experiments.analysis.calibration.config import CalibrateApp, CalibrationConfig, validate_calibration
from experiments.cli.errors import EXIT_BAD_INPUT

CONFIG_NAME = "calibrate"
ConfigStore.instance().store(name="calibrate_schema", node=CalibrateApp)


#: separators typed bare, which Hydra's grammar reads as syntax (a sweep, a lexer error), and their names
BARE_SEPARATORS = {",": "comma", ";": "semicolon"}


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point: check the config, then hand over to Hydra."""
    from experiments.cli.entry import hydra_entry

    args = list(sys.argv[1:] if argv is None else argv)
    for arg in args:
        key, _, value = arg.partition("=")
        if key == "calibration.transactions.separator" and value in BARE_SEPARATORS:
            print(
                f"error: {key} = {value!r}: a bare {value} is Hydra syntax; must be named (comma, semicolon, "
                f"tab, whitespace: {key}={BARE_SEPARATORS[value]}) or quoted ('{key}=\"{value}\"')",
                file=sys.stderr,
            )
            raise SystemExit(EXIT_BAD_INPUT)
    hydra_entry(args, CONFIG_NAME, run_job, check_calibration, CalibrateApp)


def check_calibration(config: dict) -> None:
    """Check a calibration config and its data before anything runs: the keys
    and ranges, and that the data can be read and cover the split."""
    from sim.config import to_dataclass

    validate_calibration(config)
    load_data(to_dataclass(config, CalibrateApp).calibration)


def load_data(cal: CalibrationConfig) -> tuple[Any, str]:
    """The observed data of ``cal`` (a cohort log or survival counts) and a
    line describing them; raises ConfigError if they cannot be read, if no
    customer enters in the calibration periods, or if they are shorter than
    the calibration and holdout periods."""
    from experiments.analysis.calibration import observed

    if cal.kind == "transactions":
        tx = cal.transactions
        data = observed.read_transactions(tx)
        _check_entry(cal, data)
        periods = int(data.purchases["period"].max())
        _check_split(cal, periods, f"{_periods(periods)} of {tx.days_per_period} days")
        n = int((data.entry <= cal.calibration_periods).sum())
        return data, (
            f"{tx.path}: {data.purchases['customer_id'].nunique():,} customers ({n:,} first buying in "
            f"the calibration periods), {len(data.purchases):,} purchase periods of "
            f"{tx.days_per_period} days, period 1 starting {tx.start or 'on the day of the first purchase'}"
        )
    data = observed.read_survival(cal.survival)
    _check_split(cal, len(data) - 1, f"{_periods(len(data) - 1)} after period 0")
    source = f" ({cal.survival.path}, column {cal.survival.column})" if cal.survival.path else ""
    return data, (
        f"survival table{source} of {data[0]:,.0f} customers over {len(data) - 1} periods "
        f"({cal.survival.steps_per_period} steps each)"
    )


def run_job(cfg: Any) -> None:
    """Hydra's task: calibrate and write into the run folder. Stray temporary
    files of a killed run are removed first; Ctrl-C marks the folder
    interrupted, says so in one line and exits with status 130
    (:func:`experiments.sweeps.jobs.running_job`)."""
    from hydra.core.hydra_config import HydraConfig
    from omegaconf import OmegaConf

    from experiments.sweeps.jobs import config_hash, running_job
    from sim.config import ConfigError

    container = OmegaConf.to_container(cfg, resolve=True)
    container.pop("hydra", None)
    folder = Path(HydraConfig.get().runtime.output_dir)
    with running_job(folder, config_hash(container)):
        try:
            calibrate(container, folder)
        except ConfigError as e:
            print(f"error: {' '.join(str(e).split())}", file=sys.stderr)
            raise SystemExit(EXIT_BAD_INPUT)


def calibrate(config: dict, folder: Path, progress: bool = True) -> Path:
    """Run the calibration of a resolved config and write it into ``folder``; return the report's path."""
    from experiments.analysis.calibration import fit as fitting, forecast as fc
    from experiments.analysis.calibration.report import console_summary, write_calibration
    from sim.config import to_dataclass

    started = time.perf_counter()
    validate_calibration(config)
    app = to_dataclass(config, CalibrateApp)
    market, cal = app.market, app.calibration
    data, line = load_data(cal)
    objective = (
        fitting.transaction_objective(market, cal, data)
        if cal.kind == "transactions"
        else fitting.survival_objective(market, cal, data)
    )
    result = fitting.fit(market, cal, objective, progress=progress)
    calibrated = fitting.with_values(market, result.values)
    forecast = (
        fc.transaction_forecast(calibrated, cal, data)
        if cal.kind == "transactions"
        else fc.survival_forecast(calibrated, cal, data)
    )
    report = write_calibration(
        folder, cal, market, calibrated, result, forecast, line, config, time.perf_counter() - started
    )
    print(console_summary(cal, result, forecast))
    print(f"\nresults: {folder} ({time.perf_counter() - started:.1f} s)")
    return report


def _periods(n: int) -> str:
    return f"{n:,} period" + ("" if n == 1 else "s")


def _check_entry(cal: CalibrationConfig, data: Any) -> None:
    """Some customer must make their first purchase in the calibration periods (else there is nothing to fit)."""
    from sim.config import ConfigError

    first = int(data.entry.min())
    if first > cal.calibration_periods:
        tx = cal.transactions
        raise ConfigError(
            f"calibration.transactions.start = {tx.start!r}: the first purchase falls in period "
            f"{first:,}, after the calibration periods (1-{cal.calibration_periods}); must be at "
            f"most {cal.calibration_periods} periods of {tx.days_per_period} days before the first "
            "purchase, or '' for the day of the first purchase"
        )


def _check_split(cal: CalibrationConfig, periods: int, cover: str) -> None:
    """The data must cover the calibration and holdout periods (``cover`` says how far they reach)."""
    from sim.config import ConfigError

    if cal.calibration_periods > periods:
        raise ConfigError(
            f"calibration.calibration_periods = {cal.calibration_periods}: the data cover {cover}; must not exceed them"
        )
    if cal.calibration_periods + cal.holdout_periods > periods:
        raise ConfigError(
            f"calibration.holdout_periods = {cal.holdout_periods}: the data cover {cover}; "
            f"calibration ({cal.calibration_periods}) + holdout must not exceed them (forecast "
            "further with calibration.forecast_periods)"
        )


if __name__ == "__main__":
    main()
