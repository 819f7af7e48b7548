"""The holdout forecast of the calibrated market, beside the standard models (issue 6, item 3).

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

The errors compared (issue 6, item 3): the total holdout repeat purchases,
the cumulative repeat-purchase curve by period, and the per-customer error of
the conditional forecast.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from experiments.calibration.cohort import simulate_survival
from experiments.calibration.config import CalibrationConfig
from experiments.calibration.fit import entry_periods, simulated_cohort, with_values
from experiments.calibration.measures import calibration_summary, entry_weights, repeat_curve
from experiments.calibration.observed import CohortLog
from experiments.standard_models import fit_bgnbd, fit_sbg
from sim.config import MarketConfig

SIMULATOR, BGNBD_NAME, SBG_NAME = "simulator", "BG/NBD", "sBG"


@dataclass
class Forecast:
    """Every model's forecast next to the data, and the errors."""
    tracking: pd.DataFrame      # period, actual, one column per model (cumulative repeats or share active)
    errors: pd.DataFrame        # one row per model: the holdout errors
    customers: pd.DataFrame | None = None   # per customer: actual and each model's conditional forecast
    standard_params: dict | None = None     # the standard model's fitted parameters


def forecast_seeds(cal: CalibrationConfig) -> list[int]:
    """Seeds of the forecast's markets: after the fit's, so the fit never saw them."""
    return [cal.seed + cal.replications + r for r in range(cal.forecast_replications)]


def holdout_repeats(log: CohortLog, first: int, last: int) -> pd.Series:
    """Repeat purchases of each customer in periods ``first``..``last``."""
    held = log.between(first, last)
    held = held[held["period"] > held["customer_id"].map(log.entry)]
    return held.groupby("customer_id").size().reindex(log.entry.index, fill_value=0).astype(float)


def neighbour_forecast(history: pd.DataFrame, simulated: pd.DataFrame, outcome: np.ndarray,
                       k: int) -> np.ndarray:
    """Each customer's expected outcome: the mean outcome of the ``k`` simulated
    customers nearest in (repeat purchases, periods since the last purchase,
    periods since the first), one repeat purchase weighing as 13 periods."""
    def features(s: pd.DataFrame) -> np.ndarray:
        return np.column_stack([s["frequency"], (s["T"] - s["recency"]) / 13.0, s["T"] / 13.0])
    a, b = features(history), features(simulated)
    k = min(k, len(b))
    out = np.empty(len(a))
    for start in range(0, len(a), 512):          # blocks of customers bound the distance matrix's memory
        d = ((a[start:start + 512, None, :] - b[None, :, :]) ** 2).sum(axis=2)
        nearest = np.argpartition(d, k - 1, axis=1)[:, :k]
        out[start:start + 512] = outcome[nearest].mean(axis=1)
    return out


def _errors(name: str, tracking: pd.DataFrame, model: np.ndarray, cal_end: int,
            per_customer: np.ndarray, truth: np.ndarray) -> dict:
    """A model's holdout errors on a transaction log."""
    periods, a, m = tracking["period"].to_numpy(), tracking["actual"].to_numpy(), np.asarray(model)
    hold = periods > cal_end
    fit = ~hold & (a > 0)
    at_end = int(np.flatnonzero(periods == cal_end)[0])
    held_actual, held_model = a[-1] - a[at_end], m[-1] - m[at_end]
    diff = per_customer - truth
    return {"model": name, "holdout_repeats": held_model, "actual_repeats": held_actual,
            "holdout_error_pct": 100 * (held_model - held_actual) / max(held_actual, 1e-9),
            "curve_mape_pct": 100 * float(np.mean(np.abs(m[hold] - a[hold]) / np.maximum(a[hold], 1e-9))),
            "curve_error_end": m[-1] - a[-1],
            "calibration_mape_pct": 100 * float(np.mean(np.abs(m[fit] - a[fit]) / a[fit])),
            "customer_mae": float(np.mean(np.abs(diff))), "customer_rmse": float(np.sqrt(np.mean(diff ** 2)))}


def transaction_forecast(market: MarketConfig, cal: CalibrationConfig, observed: CohortLog) -> Forecast:
    """The holdout forecasts of a transaction log: simulator against BG/NBD."""
    last, total = cal.calibration_periods, cal.calibration_periods + cal.holdout_periods
    obs_cal = observed.upto(last)
    cohort = CohortLog(observed.purchases[observed.purchases["customer_id"].isin(obs_cal.entry.index)])
    cohort = cohort.upto(total)
    actual = repeat_curve(cohort, total)
    entries = cohort.entry
    # the simulator
    sim_market = market_with_horizon(market, cal, total)
    sim = simulated_cohort(sim_market, cal, forecast_seeds(cal), total, entry_periods(cal, obs_cal))
    weights = entry_weights(entries, sim.entry)
    simulated = repeat_curve(sim, total, weights)
    history = calibration_summary(obs_cal, last)
    truth = holdout_repeats(cohort, last + 1, total).reindex(history.index).to_numpy()
    sim_history = calibration_summary(sim.upto(last), last)
    sim_outcome = holdout_repeats(sim, last + 1, total).reindex(sim_history.index).to_numpy()
    sim_customer = neighbour_forecast(history, sim_history, sim_outcome, cal.neighbours)
    # BG/NBD on the same calibration summary
    bg = fit_bgnbd(history)
    expected = bg.expected_purchases(np.arange(total + 1, dtype=float))
    counts = np.bincount(entries.to_numpy(), minlength=total + 1)
    bg_curve = np.array([sum(counts[e] * expected[w - e] for e in range(1, w + 1)) for w in range(1, total + 1)])
    bg_customer = bg.conditional_purchases(float(cal.holdout_periods), history["frequency"].to_numpy(),
                                           history["recency"].to_numpy(), history["T"].to_numpy())
    tracking = pd.DataFrame({"period": np.arange(1, total + 1), "actual": actual,
                             SIMULATOR: simulated, BGNBD_NAME: bg_curve})
    errors = pd.DataFrame([_errors(SIMULATOR, tracking, simulated, last, sim_customer, truth),
                           _errors(BGNBD_NAME, tracking, bg_curve, last, bg_customer, truth)])
    customers = pd.DataFrame({"customer_id": history.index, **history[["frequency", "recency", "T"]].to_dict("series"),
                              "actual": truth, SIMULATOR: sim_customer, BGNBD_NAME: bg_customer}).reset_index(drop=True)
    return Forecast(tracking, errors, customers, {"r": bg.r, "alpha": bg.alpha, "a": bg.a, "b": bg.b})


def market_with_horizon(market: MarketConfig, cal: CalibrationConfig, steps: int) -> MarketConfig:
    """The calibrated market at the calibration's size, burn-in and ``steps``."""
    return with_values(market, {}, n_customers=cal.n_customers, burn_in=cal.burn_in, steps=steps)


def survival_forecast(market: MarketConfig, cal: CalibrationConfig, observed: np.ndarray) -> Forecast:
    """The holdout forecasts of a survival table: simulator against sBG, period by period."""
    last = cal.calibration_periods
    total = min(last + cal.holdout_periods, len(observed) - 1)
    share = observed[:total + 1] / observed[0]
    sim = np.mean([simulate_survival(market_with_horizon(market, cal, 1), cal.firm, s, total,
                                     cal.survival.steps_per_period) for s in forecast_seeds(cal)], axis=0)
    sbg = fit_sbg(observed[:last + 1])
    sbg_share = sbg.survival(total)
    tracking = pd.DataFrame({"period": np.arange(total + 1), "actual": share, SIMULATOR: sim, SBG_NAME: sbg_share})
    hold = tracking["period"] > last
    rows = []
    for name, values in ((SIMULATOR, sim), (SBG_NAME, sbg_share)):
        diff = values[hold] - share[hold]
        rows.append({"model": name, "holdout_mae_pp": 100 * float(np.mean(np.abs(diff))),
                     "holdout_mape_pct": 100 * float(np.mean(np.abs(diff) / np.maximum(share[hold], 1e-9))),
                     "end_error_pp": 100 * float(values[-1] - share[-1]),
                     "calibration_mae_pp": 100 * float(np.mean(np.abs(values[~hold] - share[~hold])))})
    return Forecast(tracking, pd.DataFrame(rows), None, {"alpha": sbg.alpha, "beta": sbg.beta})
