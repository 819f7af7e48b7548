"""The holdout forecast of the calibrated market, beside the standard models.

On the same data and split, three forecasts of the holdout periods:

* the **simulator**: the calibrated market simulated over calibration and
  holdout periods on seeds the fit never used, its cohort reweighted to the
  observed entry periods; the per-customer conditional forecast of a
  customer is the mean holdout purchases of the ``neighbours`` simulated
  customers with the most similar calibration history (repeat purchases,
  periods since the last purchase, periods since the first);
* **BG/NBD** (Fader, Hardie & Lee 2005, through ``lifetimes``) fitted to the
  calibration summary, for transaction logs;
* the **shifted-beta-geometric** model (Fader & Hardie 2007) fitted to the
  calibration periods, for survival tables.

The errors compared: the total holdout repeat purchases,
the cumulative repeat-purchase curve by period, and the per-customer error of
the conditional forecast.

After the holdout, ``forecast_periods`` more periods are forecast with no
data to compare (a forecast beyond the data's end): the tracking table holds
them with no actual value, and no error is computed on them. A standard
model that cannot be fitted to the data (:class:`StandardModelError`) is
left out of the tables and reported as not converged; the simulator's
forecast stands.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from experiments.analysis.calibration.cohort import pooled, simulate_purchases, simulate_survival
from experiments.analysis.calibration.config import CalibrationConfig, special_case_market
from experiments.analysis.calibration.fit import entry_periods, fit_seeds, with_values
from experiments.analysis.calibration.measures import calibration_summary, entry_weights, repeat_curve
from experiments.analysis.calibration.observed import CohortLog
from experiments.analysis.standard_models import BGNBD, ShiftedBetaGeometric, StandardModelError, fit_bgnbd, fit_sbg
from sim.config import ConfigError, MarketConfig, market_config
from sim.units import WEEKS_PER_YEAR

SIMULATOR, BGNBD_NAME, SBG_NAME = "simulator", "BG/NBD", "sBG"
#: the row of the simulator with every mechanism but the standard model's story switched off
SPECIAL_CASE = "simulator, special case"
#: the role of a seed in the per-seed table
FIT_ROLE, FORECAST_ROLE = "fit", "forecast"


@dataclass
class Forecast:
    """Every model's forecast next to the data, and the errors."""

    tracking: pd.DataFrame  # period, actual, one column per model (cumulative repeats or share active)
    errors: pd.DataFrame  # one row per model: the holdout errors
    customers: pd.DataFrame | None = None  # per customer: actual and each model's conditional forecast
    standard_params: dict | None = None  # the standard model's fitted parameters
    standard_failure: str | None = None  # why the standard model could not be fitted (None: it was)
    seeds: pd.DataFrame | None = None  # per simulated market (fit and forecast seeds): its own errors
    special_case_note: str | None = None  # why the special case's forecast is missing (None: shown or not asked)


def forecast_seeds(cal: CalibrationConfig) -> list[int]:
    """Seeds of the forecast's markets: after the fit's, so the fit never saw them."""
    return [cal.seed + cal.replications + r for r in range(cal.forecast_replications)]


def _role(cal: CalibrationConfig, seed: int) -> str:
    """Whether a seed's market was one the fit saw or one only the forecast did."""
    return FIT_ROLE if seed in fit_seeds(cal) else FORECAST_ROLE


def holdout_repeats(log: CohortLog, first: int, last: int) -> pd.Series:
    """Repeat purchases of each customer in periods ``first``..``last``."""
    held = log.between(first, last)
    if not held.empty:
        held = held[held["period"].to_numpy() > held["customer_id"].map(log.entry).to_numpy()]
    return held.groupby("customer_id").size().reindex(log.entry.index, fill_value=0).astype(float)


def neighbour_forecast(
    history: pd.DataFrame, simulated: pd.DataFrame, outcome: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each customer's predictive distribution of the outcome: that of the
    ``k`` simulated customers nearest in (repeat purchases, periods since the
    last purchase, periods since the first), one repeat purchase weighing as
    13 periods. Returns its mean (the expected outcome, which squared error
    rewards) and its median (the point forecast absolute error rewards:
    Gneiting 2011, "Making and evaluating point forecasts"); NaN if no
    customer was simulated."""

    def features(s: pd.DataFrame) -> np.ndarray:
        return np.column_stack([s["frequency"], (s["T"] - s["recency"]) / 13.0, s["T"] / 13.0])

    a, b = features(history), features(simulated)
    k = min(k, len(b))
    mean, median = np.full(len(a), np.nan), np.full(len(a), np.nan)
    if k == 0:
        return mean, median
    for start in range(0, len(a), 512):  # blocks of customers bound the distance matrix's memory
        d = ((a[start : start + 512, None, :] - b[None, :, :]) ** 2).sum(axis=2)
        nearest = outcome[np.argpartition(d, k - 1, axis=1)[:, :k]]
        mean[start : start + 512] = nearest.mean(axis=1)
        median[start : start + 512] = np.median(nearest, axis=1)
    return mean, median


def _mean_pct(model: np.ndarray, actual: np.ndarray, where: np.ndarray) -> float:
    """Mean absolute error in % of the actual over the periods ``where`` with an actual above 0 (NaN if none)."""
    use = where & (actual > 0)
    return 100 * float(np.mean(np.abs(model[use] - actual[use]) / actual[use])) if use.any() else float("nan")


def _errors(
    name: str,
    tracking: pd.DataFrame,
    model: np.ndarray,
    cal_end: int,
    end: int,
    per_customer: np.ndarray | None,
    truth: np.ndarray | None,
) -> dict:
    """A model's errors on a transaction log: the holdout (periods after
    ``cal_end`` up to ``end``; NaN without a holdout) and the calibration curve."""
    periods, a, m = tracking["period"].to_numpy(), tracking["actual"].to_numpy(), np.asarray(model)
    nan = float("nan")
    row = {
        "model": name,
        "holdout_repeats": nan,
        "actual_repeats": nan,
        "holdout_error_pct": nan,
        "curve_mape_pct": nan,
        "curve_error_end": nan,
        "calibration_mape_pct": _mean_pct(m, a, periods <= cal_end),
        "customer_mae": nan,
        "customer_rmse": nan,
    }
    if end > cal_end:
        at_cal, at_end = int(np.flatnonzero(periods == cal_end)[0]), int(np.flatnonzero(periods == end)[0])
        held_actual, held_model = a[at_end] - a[at_cal], m[at_end] - m[at_cal]
        row.update(
            holdout_repeats=held_model,
            actual_repeats=held_actual,
            holdout_error_pct=100 * (held_model - held_actual) / held_actual if held_actual > 0 else nan,
            curve_mape_pct=_mean_pct(m, a, (periods > cal_end) & (periods <= end)),
            curve_error_end=m[at_end] - a[at_end],
        )
    if per_customer is not None and truth is not None and len(truth):
        diff = per_customer - truth
        row.update(customer_mae=float(np.mean(np.abs(diff))), customer_rmse=float(np.sqrt(np.mean(diff**2))))
    return row


def transaction_forecast(market: MarketConfig, cal: CalibrationConfig, observed: CohortLog) -> Forecast:
    """The forecasts of a transaction log, simulator against BG/NBD: the
    holdout (compared with the data) and the forecast periods after it."""
    last, end = cal.calibration_periods, cal.calibration_periods + cal.holdout_periods
    horizon = end + cal.forecast_periods
    obs_cal = observed.upto(last)
    cohort = CohortLog(observed.purchases[observed.purchases["customer_id"].isin(obs_cal.entry.index)])
    cohort = cohort.upto(end)
    actual = np.full(horizon, np.nan)
    actual[:end] = repeat_curve(cohort, end)
    entries = cohort.entry
    # the simulator
    entry = entry_periods(cal, obs_cal)
    logs = _cohorts(market, cal, fit_seeds(cal) + forecast_seeds(cal), horizon, entry)
    sim = pooled([logs[s] for s in forecast_seeds(cal)])
    curves = {SIMULATOR: _entry_weighted_curve(sim, entries, horizon)}
    history = calibration_summary(obs_cal, last)
    per_customer: dict[str, np.ndarray] = {}
    truth, note, median = None, None, None
    if cal.holdout_periods:
        truth = holdout_repeats(cohort, last + 1, end).reindex(history.index).to_numpy()
        sim_history = calibration_summary(sim.upto(last), last)
        sim_outcome = holdout_repeats(sim, last + 1, end).reindex(sim_history.index).to_numpy()
        per_customer[SIMULATOR], median = neighbour_forecast(history, sim_history, sim_outcome, cal.neighbours)
    # BG/NBD on the same calibration summary
    params, failure = None, None
    try:
        bg = fit_bgnbd(history)
    except StandardModelError as e:
        failure = str(e)
    else:
        expected = bg.expected_purchases(np.arange(horizon + 1, dtype=float))
        counts = np.bincount(entries.to_numpy(), minlength=horizon + 1)
        curves[BGNBD_NAME] = np.array(
            [sum(counts[e] * expected[w - e] for e in range(1, w + 1)) for w in range(1, horizon + 1)]
        )
        if cal.holdout_periods:
            per_customer[BGNBD_NAME] = bg.conditional_purchases(
                float(cal.holdout_periods),
                history["frequency"].to_numpy(),
                history["recency"].to_numpy(),
                history["T"].to_numpy(),
            )
        params = {"r": bg.r, "alpha": bg.alpha, "a": bg.a, "b": bg.b}
        if cal.special_case:
            special, note = bgnbd_special_case(market, cal, bg)
            if special is not None:
                nested = pooled(list(_cohorts(special, cal, forecast_seeds(cal), horizon, entry).values()))
                curves[SPECIAL_CASE] = _entry_weighted_curve(nested, entries, horizon)
    tracking = pd.DataFrame({"period": np.arange(1, horizon + 1), "actual": actual, **curves})
    errors = pd.DataFrame(
        [_errors(name, tracking, curve, last, end, per_customer.get(name), truth) for name, curve in curves.items()]
    )
    errors["customer_mae_median"] = np.nan
    if median is not None:
        errors.loc[errors["model"] == SIMULATOR, "customer_mae_median"] = float(np.mean(np.abs(median - truth)))
    seeds = pd.DataFrame(
        [
            {
                "seed": s,
                "role": _role(cal, s),
                **_errors(SIMULATOR, tracking, _entry_weighted_curve(log, entries, horizon), last, end, None, None),
            }
            for s, log in logs.items()
        ]
    )
    customers = None
    if truth is not None:
        medians = {} if median is None else {f"{SIMULATOR}, median": median}
        customers = pd.DataFrame(
            {
                "customer_id": history.index,
                **history[["frequency", "recency", "T"]].to_dict("series"),
                "actual": truth,
                **per_customer,
                **medians,
            }
        ).reset_index(drop=True)
    return Forecast(
        tracking,
        errors,
        customers,
        params,
        failure,
        seeds[["seed", "role", "calibration_mape_pct", "holdout_error_pct", "curve_mape_pct"]],
        note,
    )


def _cohorts(
    market: MarketConfig, cal: CalibrationConfig, seeds: list[int], horizon: int, entry: int
) -> dict[int, CohortLog]:
    """Each seed's simulated cohort of ``market`` over ``horizon`` periods,
    acquired in periods 1..``entry``."""
    sim_market = market_with_horizon(market, cal, horizon)
    return {s: simulate_purchases(sim_market, cal.firm, s, horizon, entry) for s in seeds}


def _entry_weighted_curve(log: CohortLog, entries: pd.Series, horizon: int) -> np.ndarray:
    """A simulated cohort's cumulative repeat purchases, reweighted to enter
    as the observed cohort (``entries``) did (:func:`entry_weights`)."""
    return repeat_curve(log, horizon, entry_weights(entries, log.entry))


def market_with_horizon(market: MarketConfig, cal: CalibrationConfig, steps: int) -> MarketConfig:
    """The calibrated market at the calibration's size, burn-in and ``steps``."""
    return with_values(market, {}, n_customers=cal.n_customers, burn_in=cal.burn_in, steps=steps)


def survival_forecast(market: MarketConfig, cal: CalibrationConfig, observed: np.ndarray) -> Forecast:
    """The forecasts of a survival table, simulator against sBG, period by
    period: the holdout (compared with the data) and the forecast periods
    after it; the simulator's special case at sBG's parameters when the
    calibration names one; and each simulated market's own errors (the fit's
    seeds and the forecast's), to show that they agree."""
    last = cal.calibration_periods
    end = last + cal.holdout_periods
    horizon = end + cal.forecast_periods
    share = np.full(horizon + 1, np.nan)
    share[: end + 1] = observed[: end + 1] / observed[0]
    per_seed = {s: _survival_curve(market, cal, s, horizon) for s in fit_seeds(cal) + forecast_seeds(cal)}
    curves = {SIMULATOR: np.mean([per_seed[s] for s in forecast_seeds(cal)], axis=0)}
    params, failure, note = None, None, None
    try:
        sbg = fit_sbg(observed[: last + 1])
    except StandardModelError as e:
        failure = str(e)
    else:
        curves[SBG_NAME] = sbg.survival(horizon)
        params = {"alpha": sbg.alpha, "beta": sbg.beta}
        if cal.special_case:
            special, note = sbg_special_case(market, cal, sbg)
            if special is not None:
                curves[SPECIAL_CASE] = np.mean(
                    [_survival_curve(special, cal, s, horizon) for s in forecast_seeds(cal)], axis=0
                )
    tracking = pd.DataFrame({"period": np.arange(horizon + 1), "actual": share, **curves})
    errors = pd.DataFrame([_survival_errors(name, values, share, last, end) for name, values in curves.items()])
    seeds = pd.DataFrame(
        [
            {"seed": s, "role": _role(cal, s), **_survival_errors(SIMULATOR, curve, share, last, end)}
            for s, curve in per_seed.items()
        ]
    ).drop(columns="model")
    return Forecast(tracking, errors, None, params, failure, seeds, note)


def _survival_curve(market: MarketConfig, cal: CalibrationConfig, seed: int, periods: int) -> np.ndarray:
    """One simulated market's share of the cohort still active after 0..``periods`` periods."""
    return simulate_survival(
        market_with_horizon(market, cal, 1), cal.firm, seed, periods, cal.survival.steps_per_period, cal.survival.cohort
    )


def _survival_errors(name: str, values: np.ndarray, share: np.ndarray, last: int, end: int) -> dict:
    """A survival curve's errors against the data: the holdout's (periods
    after ``last`` up to ``end``; NaN without a holdout) and the calibration's."""
    period = np.arange(len(values))
    hold, fit = (period > last) & (period <= end), period <= last
    diff = values[hold] - share[hold]
    nan = float("nan")
    return {
        "model": name,
        "holdout_mae_pp": 100 * float(np.mean(np.abs(diff))) if hold.any() else nan,
        "holdout_mape_pct": (100 * float(np.mean(np.abs(diff) / np.maximum(share[hold], 1e-9))) if hold.any() else nan),
        "end_error_pp": 100 * float(values[end] - share[end]) if hold.any() else nan,
        "calibration_mae_pp": 100 * float(np.mean(np.abs(values[fit] - share[fit]))),
    }


def bgnbd_special_case(
    market: MarketConfig, cal: CalibrationConfig, bg: BGNBD
) -> tuple[MarketConfig | None, str | None]:
    """The market with the calibration's special case switched on and its
    purchase rates and dropout at BG/NBD's fitted parameters (the
    simulator's nested BG/NBD, in steps), or None and why not. BG/NBD's rate
    a period is gamma (shape r, rate alpha) and its dropout chance a repeat
    purchase beta (a, b) (Fader, Hardie & Lee 2005): a period must be one
    step of the market, as the rate a period becomes a rate a year, and the
    market is followed from its opening (no burn-in)."""
    days = cal.transactions.days_per_period
    per_year = 7.0 * WEEKS_PER_YEAR / days
    if abs(per_year - market.steps_per_year) > 1e-6 * per_year:
        return None, (
            f"the special case is not forecast: a period of the log is {days} days and a step of the "
            f"market {7.0 * WEEKS_PER_YEAR / market.steps_per_year:g}, while BG/NBD's rates are per "
            "period"
        )
    if cal.burn_in:
        return None, (
            f"the special case is not forecast: it follows the market from its opening "
            f"(calibration.burn_in 0, not {cal.burn_in}), as BG/NBD's cohort starts at its first purchase"
        )
    data = special_case_market(dataclasses.asdict(market), cal.special_case)
    data["customers"].update(
        visits_per_year_mean=bg.r / bg.alpha * market.steps_per_year,
        visits_per_year_shape=bg.r,
        dropout_mean=bg.a / (bg.a + bg.b),
        dropout_concentration=bg.a + bg.b,
    )
    try:
        return market_config(data), None
    except ConfigError as e:
        return None, f"the special case is not forecast: BG/NBD's parameters make no valid market ({e})"


def _cohort_beta(beta: float, market: MarketConfig, cal: CalibrationConfig) -> float:
    """The proneness beta b whose opening cohort follows sBG's beta: the cohort
    is counted after its first step, whose survivors' proneness is Beta(a,
    b + one step in years), so b = beta - one step (when that stays above 0)."""
    if cal.survival.cohort != "opening":
        return beta
    shifted = beta - 1.0 / market.steps_per_year
    return shifted if shifted > 0 else beta


def sbg_special_case(
    market: MarketConfig, cal: CalibrationConfig, sbg: ShiftedBetaGeometric
) -> tuple[MarketConfig | None, str | None]:
    """The market with the calibration's special case switched on and its
    churn proneness at sBG's fitted alpha and beta (the simulator's nested
    sBG; :func:`_cohort_beta`), or None and why not: the proneness is a
    chance a year, so the table's period must be a year of the market's steps."""
    steps = cal.survival.steps_per_period
    if steps != market.steps_per_year:
        return None, (
            f"the special case is not forecast: a period of the table is {steps} steps and the market "
            f"has {market.steps_per_year} a year, while churn proneness is a chance a year"
        )
    data = special_case_market(dataclasses.asdict(market), cal.special_case)
    data["customers"].update(churn_proneness_a=sbg.alpha, churn_proneness_b=_cohort_beta(sbg.beta, market, cal))
    try:
        return market_config(data), None
    except ConfigError as e:
        return None, f"the special case is not forecast: sBG's parameters make no valid market ({e})"
