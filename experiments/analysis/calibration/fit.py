"""Fitting the market to the calibration period with Optuna.

Each trial sets the fitted parameters on the market, simulates the
calibration period for the same ``replications`` seeds (common random
numbers, so that two trials differ by their parameters, not by luck),
measures the simulated cohort as the data were measured
(:mod:`experiments.analysis.calibration.measures`) and scores the loss. The first
trial is the market as configured, so the report can show how far the fit
moved from it. Optuna's TPE sampler (multivariate) is seeded: the same
config gives the same fit. The holdout periods are never simulated here.

A whole-number market key (``loyalty.repeat_purchases``) is searched over
the whole numbers of its range (Optuna's integer suggestion), so the value
reported as fitted is the value the calibrated market holds. A trial whose
values make an invalid market (a combination of values inside their ranges
that the market refuses; the ends of each range are checked before the fit,
:func:`experiments.analysis.calibration.config.check_parameters`) is pruned quietly
and kept in the trials with no loss; if every trial is invalid the fit stops
with one ConfigError.
"""

from __future__ import annotations

import dataclasses
import sys
import warnings
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pandas as pd

from experiments.running import config_keys
from experiments.analysis.calibration.cohort import pooled, simulate_purchases, simulate_survival
from experiments.analysis.calibration.config import CalibrationConfig, market_field, parameter_range, whole_ends
from experiments.analysis.calibration.measures import cohort_measures, entry_weights, survival_loss, transaction_loss
from experiments.analysis.calibration.observed import CohortLog
from sim.config import ConfigError, MarketConfig, market_config


@dataclass
class FitResult:
    """The fitted parameters, their loss and every trial."""

    values: dict[str, float]  # whole numbers (int) for whole-number keys
    loss: float
    parts: dict[str, float]
    start_loss: float
    trials: pd.DataFrame  # trial, one column per parameter, loss (NaN: an invalid market), loss parts


def get_key(market: MarketConfig, key: str) -> Any:
    """The value of a dotted market key (``customers.exit_per_year_mean``, ``firms.0.price``)."""
    return config_keys.get_key(dataclasses.asdict(market), key)


def with_values(market: MarketConfig, values: dict[str, float], **top: Any) -> MarketConfig:
    """A validated copy of ``market`` with dotted keys set (whole numbers for integer keys)."""
    data = dataclasses.asdict(market)
    for key, value in values.items():
        whole = isinstance(config_keys.get_key(data, key), int)
        config_keys.set_key(data, key, int(round(value)) if whole else float(value))
    return market_config({**data, **top})


def simulated_cohort(
    market: MarketConfig, cal: CalibrationConfig, seeds: list[int], periods: int, entry_periods: int
) -> CohortLog:
    """The cohorts of the markets on ``seeds``, pooled."""
    return pooled([simulate_purchases(market, cal.firm, s, periods, entry_periods) for s in seeds])


def fit_seeds(cal: CalibrationConfig) -> list[int]:
    """Seeds of the simulated markets of every trial."""
    return [cal.seed + r for r in range(cal.replications)]


def entry_periods(cal: CalibrationConfig, observed: CohortLog) -> int:
    """Periods in which the simulated cohort is acquired."""
    return cal.entry_periods or int(observed.entry.max())


def transaction_objective(
    market: MarketConfig, cal: CalibrationConfig, observed: CohortLog
) -> Callable[[dict[str, float]], tuple[float, dict]]:
    """Loss of a set of parameter values against the calibration period of a transaction log."""
    last = cal.calibration_periods
    obs = observed.upto(last)
    obs_measures = cohort_measures(obs, last, cal.frequency_cap)
    entries = entry_periods(cal, obs)

    def objective(values: dict[str, float]) -> tuple[float, dict]:
        fitted = with_values(market, values, n_customers=cal.n_customers, burn_in=cal.burn_in, steps=last)
        sim = simulated_cohort(fitted, cal, fit_seeds(cal), last, entries)
        if sim.purchases.empty:
            return float("inf"), {}
        weights = entry_weights(obs.entry, sim.entry)
        return transaction_loss(obs_measures, cohort_measures(sim, last, cal.frequency_cap, weights), cal.loss)

    return objective


def survival_objective(
    market: MarketConfig, cal: CalibrationConfig, observed: np.ndarray
) -> Callable[[dict[str, float]], tuple[float, dict]]:
    """Loss of a set of parameter values against the calibration periods of a survival table."""
    last = cal.calibration_periods
    share = observed[: last + 1] / observed[0]
    steps = cal.survival.steps_per_period

    def objective(values: dict[str, float]) -> tuple[float, dict]:
        fitted = with_values(market, values, n_customers=cal.n_customers, burn_in=cal.burn_in)
        sim = np.mean(
            [simulate_survival(fitted, cal.firm, s, last, steps, cal.survival.cohort) for s in fit_seeds(cal)], axis=0
        )
        return survival_loss(share, sim, cal.loss, cal.survival.measure)

    return objective


def start_values(market: MarketConfig, cal: CalibrationConfig) -> dict[str, float]:
    """The configured market's values of the fitted parameters, inside their
    search ranges (whole numbers inside the range's whole numbers for a
    whole-number key)."""
    values: dict[str, float] = {}
    for p in _ranges(cal):
        value = get_key(market, p["key"])
        if _is_whole(p):
            lo, hi = whole_ends(parameter_range(p))
            values[p["key"]] = int(np.clip(int(value), lo, hi))
        else:
            values[p["key"]] = float(np.clip(value, p["lo"], p["hi"]))
    return values


def _ranges(cal: CalibrationConfig) -> list[dict]:
    """The fitted parameters as dicts with every key (``log`` filled in when a config left it out)."""
    return [dataclasses.asdict(parameter_range(p)) for p in cal.parameters]


def _is_whole(p: dict) -> bool:
    """Whether the fitted key holds whole numbers (searched with Optuna's integer suggestion)."""
    return market_field(p["key"])[0] is int


def _suggest(trial: Any, p: dict) -> float:
    """A trial's value of one fitted parameter: a whole number for a whole-number key."""
    if _is_whole(p):
        lo, hi = whole_ends(parameter_range(p))
        return trial.suggest_int(p["key"], lo, hi, log=bool(p["log"]))
    return trial.suggest_float(p["key"], p["lo"], p["hi"], log=bool(p["log"]))


def _sampler(cal: CalibrationConfig) -> Any:
    """Optuna's TPE, seeded, modelling the parameters jointly (multivariate):
    rates, exits, churn proneness and dropout all end a customer's buying, so
    the loss's valleys run along combinations of them that an independent
    search of each parameter misses."""
    import optuna

    return optuna.samplers.TPESampler(seed=cal.seed, multivariate=True, n_startup_trials=cal.startup_trials)


def fit(
    market: MarketConfig,
    cal: CalibrationConfig,
    objective: Callable[[dict[str, float]], tuple[float, dict]],
    progress: bool = True,
) -> FitResult:
    """Minimise ``objective`` over the calibration's parameter ranges with Optuna (TPE, seeded)."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    ranges = _ranges(cal)
    with warnings.catch_warnings():  # multivariate TPE and enqueue_trial are marked experimental
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        study = optuna.create_study(direction="minimize", sampler=_sampler(cal))
        study.enqueue_trial(start_values(market, cal))
    rows: list[dict] = []

    def trial_loss(trial: "optuna.Trial") -> float:
        values = {p["key"]: _suggest(trial, p) for p in ranges}
        try:
            loss, parts = objective(values)
        except ConfigError:  # a combination the market refuses: no loss, not an error of the command
            rows.append({"trial": trial.number, **values, "loss": float("nan")})
            raise optuna.TrialPruned() from None
        rows.append({"trial": trial.number, **values, "loss": loss, **parts})
        return loss

    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=cal.trials, desc=f"calibrating {cal.name}", unit="trial", file=sys.stderr, dynamic_ncols=True)

    def tick(study: "optuna.Study", trial: "optuna.trial.FrozenTrial") -> None:
        if bar is not None:
            bar.update(1)
            if any(t.state == optuna.trial.TrialState.COMPLETE for t in study.trials):
                bar.set_postfix(best=f"{study.best_value:.4g}")

    try:
        study.optimize(trial_loss, n_trials=cal.trials, callbacks=[tick])
    finally:
        if bar is not None:
            bar.close()
    trials = pd.DataFrame(rows)
    keys = [p["key"] for p in ranges]
    if trials["loss"].isna().all():
        raise ConfigError(
            f"calibration.parameters = {keys}: every one of the {len(trials)} trials made an invalid "
            "market; must be ranges whose values the market accepts together"
        )
    best = trials.loc[trials["loss"].idxmin()]
    parts = {k: float(best[k]) for k in trials.columns if k not in {"trial", "loss", *keys}}
    values = {p["key"]: int(best[p["key"]]) if _is_whole(p) else float(best[p["key"]]) for p in ranges}
    return FitResult(values, float(best["loss"]), parts, float(trials["loss"].iloc[0]), trials)
