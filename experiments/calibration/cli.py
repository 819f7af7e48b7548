"""``loyalty-sim-calibrate``: fit the market to observed data and report the holdout (issue 6, items 2-4).

Usage::

    loyalty-sim-calibrate                                   # the CDNOW worked example
    loyalty-sim-calibrate calibration=fader_hardie_regular  # a survival table (subscription market)
    loyalty-sim-calibrate calibration.trials=200 calibration.transactions.path=my_log.csv \\
        calibration.transactions.separator=, calibration.transactions.header=true
    loyalty-sim-calibrate calibration.market_out=conf/market/cdnow.yaml   # then: market=cdnow anywhere

A Hydra app (``conf/calibrate.yaml``; named calibrations in
``conf/calibration/``). It reads the data, fits the market's parameters on
the calibration periods (:mod:`experiments.calibration.fit`), forecasts the
holdout with the fitted market and with the standard model
(:mod:`experiments.calibration.forecast`), prints the fitted values and the
errors and writes them into ``outputs/calibrate/<name>/<date>/<time>/``
(:mod:`experiments.calibration.report`). Bad input stops before anything is
written with one line ``error: <key> = <value>: <what is allowed>`` and exit
status 2.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any, Sequence

from hydra.core.config_store import ConfigStore

import experiments.schema  # noqa: F401  (market_schema, the resolvers)
from experiments.calibration.config import CalibrateApp, CalibrationConfig, validate_calibration
from sim.cli import EXIT_BAD_INPUT

CONFIG_NAME = "calibrate"
ConfigStore.instance().store(name="calibrate_schema", node=CalibrateApp)


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point: check the config, then hand over to Hydra."""
    from experiments.app import hydra_entry
    hydra_entry(argv, CONFIG_NAME, run_job, check_calibration, CalibrateApp)


def check_calibration(config: dict) -> None:
    """Check a calibration config and its data before anything runs: the keys
    and ranges, and that the data can be read and cover the split."""
    from sim.config import to_dataclass
    validate_calibration(config)
    load_data(to_dataclass(config, CalibrateApp).calibration)


def load_data(cal: CalibrationConfig) -> tuple[Any, str]:
    """The observed data of ``cal`` (a cohort log or survival counts) and a
    line describing them; raises ConfigError if they cannot be read or are
    shorter than the calibration and holdout periods."""
    from experiments.calibration import observed
    if cal.kind == "transactions":
        data = observed.read_transactions(cal.transactions)
        _check_split(cal, int(data.purchases["period"].max()))
        return data, (f"{cal.transactions.path}: {data.purchases['customer_id'].nunique():,} customers, "
                      f"{len(data.purchases):,} purchase periods of {cal.transactions.days_per_period} days")
    data = observed.read_survival(cal.survival)
    _check_split(cal, len(data) - 1)
    return data, (f"survival table of {int(data[0]):,} customers over {len(data) - 1} periods "
                  f"({cal.survival.steps_per_period} steps each)")


def run_job(cfg: Any) -> None:
    """Hydra's task: calibrate and write into the run folder."""
    from hydra.core.hydra_config import HydraConfig
    from omegaconf import OmegaConf

    from sim.config import ConfigError

    container = OmegaConf.to_container(cfg, resolve=True)
    container.pop("hydra", None)
    try:
        calibrate(container, Path(HydraConfig.get().runtime.output_dir))
    except ConfigError as e:
        print(f"error: {' '.join(str(e).split())}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)


def calibrate(config: dict, folder: Path, progress: bool = True) -> Path:
    """Run the calibration of a resolved config and write it into ``folder``; return the report's path."""
    from experiments.calibration import fit as fitting, forecast as fc
    from experiments.calibration.report import console_summary, write_calibration
    from sim.config import to_dataclass

    started = time.perf_counter()
    validate_calibration(config)
    app = to_dataclass(config, CalibrateApp)
    market, cal = app.market, app.calibration
    data, line = load_data(cal)
    objective = (fitting.transaction_objective(market, cal, data) if cal.kind == "transactions"
                 else fitting.survival_objective(market, cal, data))
    result = fitting.fit(market, cal, objective, progress=progress)
    calibrated = fitting.with_values(market, result.values)
    forecast = (fc.transaction_forecast(calibrated, cal, data) if cal.kind == "transactions"
                else fc.survival_forecast(calibrated, cal, data))
    report = write_calibration(folder, cal, market, calibrated, result, forecast, line, config,
                               time.perf_counter() - started)
    print(console_summary(cal, result, forecast))
    print(f"\nresults: {folder} ({time.perf_counter() - started:.1f} s)")
    return report


def _check_split(cal: CalibrationConfig, periods: int) -> None:
    """The data must cover the calibration and holdout periods."""
    from sim.config import ConfigError
    if cal.calibration_periods + cal.holdout_periods > periods:
        raise ConfigError(f"calibration.holdout_periods = {cal.holdout_periods}: the data cover {periods} periods; "
                          f"calibration ({cal.calibration_periods}) + holdout must not exceed them")


if __name__ == "__main__":
    main()
