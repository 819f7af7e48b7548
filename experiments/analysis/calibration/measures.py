"""What a calibration compares between data and simulation, and the loss.

The simulated cohort is acquired at its own pace, so its members are
reweighted to the observed cohort's entry periods (:func:`entry_weights`):
each simulated customer who entered in period ``e`` stands for
``n_observed(e) / n_simulated(e)`` observed customers. Every measure is then
an expected count or share for a cohort entering exactly as the observed one
did:

* the cumulative number of repeat purchases by period (the tracking curve);
* the share of customers with 0, 1, ..., ``cap``+ repeat purchases;
* the share of repeat buyers by periods since their last purchase (what
  separates a slow buyer from one who has left, Fader, Hardie & Lee 2005);
* the 10%, 50% and 90% quantiles of each customer's mean amount (log scale).

The transaction loss is a weighted sum of squared errors of these
(:func:`transaction_loss`, weights in :class:`LossWeights`); the survival
loss is the mean squared error of the share still active by period.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from experiments.analysis.calibration.config import LossWeights
from experiments.analysis.calibration.observed import CohortLog
from sim.transactions import customer_summary

#: bounds of the recency classes: periods since the last purchase
RECENCY_BOUNDS = (0, 4, 13, 26)
SPEND_QUANTILES = (0.1, 0.5, 0.9)


def entry_weights(observed_entry: pd.Series, simulated_entry: pd.Series) -> pd.Series:
    """Weight of each simulated customer so that the simulated cohort enters
    as the observed one did; an entry period without simulated customers
    borrows those of the nearest period that has some."""
    n_obs = observed_entry.value_counts()
    n_sim = simulated_entry.value_counts()
    if n_sim.empty:
        return pd.Series(dtype=float)
    have = np.sort(n_sim.index.to_numpy())
    nearest = {e: have[np.argmin(np.abs(have - e))] for e in n_obs.index}
    borrowed = pd.Series({e: n for e, n in n_obs.items()}).groupby(pd.Series(nearest)).sum()
    per_member = (borrowed / n_sim.reindex(borrowed.index)).reindex(have, fill_value=0.0)
    return simulated_entry.map(per_member).astype(float)


def _repeats(log: CohortLog) -> pd.DataFrame:
    """The purchases after each customer's first (none of an empty log)."""
    p = log.purchases
    if p.empty:
        return p
    return p[p["period"].to_numpy() > p["customer_id"].map(log.entry).to_numpy()]


def repeat_curve(log: CohortLog, periods: int, weights: pd.Series | None = None) -> np.ndarray:
    """Cumulative repeat purchases of the cohort by the end of each period 1..``periods``."""
    rep = _repeats(log)
    rep = rep[rep["period"] <= periods]
    w = None if weights is None else rep["customer_id"].map(weights).to_numpy()
    return np.cumsum(np.bincount(rep["period"].to_numpy(), weights=w, minlength=periods + 1)[1 : periods + 1])


def calibration_summary(log: CohortLog, last: int) -> pd.DataFrame:
    """Per customer (the index) up to period ``last``: frequency, recency and T
    in the layout of the customer-lifetime-value libraries
    (:func:`sim.transactions.customer_summary`), and the mean amount of all
    their purchases."""
    p = log.upto(last).purchases
    summary = customer_summary(p.rename(columns={"period": "week"}), last).set_index("customer_id")
    summary["mean_amount"] = p.groupby("customer_id", sort=True)["amount"].mean()
    return summary.drop(columns="monetary_value")


def _shares(classes: np.ndarray, n_classes: int, weights: np.ndarray) -> np.ndarray:
    total = np.bincount(classes, weights=weights, minlength=n_classes)
    return total / max(total.sum(), 1e-12)


def frequency_shares(summary: pd.DataFrame, cap: int, weights: np.ndarray) -> np.ndarray:
    """Share of customers with 0, 1, ..., ``cap``+ repeat purchases."""
    return _shares(np.minimum(summary["frequency"].to_numpy(dtype=int), cap), cap + 1, weights)


def recency_shares(summary: pd.DataFrame, weights: np.ndarray) -> np.ndarray:
    """Share of repeat buyers by periods since their last purchase (classes of :data:`RECENCY_BOUNDS`)."""
    repeaters = summary["frequency"].to_numpy() > 0
    since = (summary["T"] - summary["recency"]).to_numpy()[repeaters]
    classes = np.searchsorted(RECENCY_BOUNDS, since, side="right") - 1
    return _shares(classes, len(RECENCY_BOUNDS), weights[repeaters])


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, qs: tuple[float, ...]) -> np.ndarray:
    """Quantiles of ``values`` with ``weights`` (the inverse of the weighted distribution)."""
    order = np.argsort(values, kind="stable")
    v, w = np.asarray(values)[order], np.asarray(weights)[order]
    cum = np.cumsum(w)
    return np.array([v[min(np.searchsorted(cum, q * cum[-1]), len(v) - 1)] for q in qs])


def cohort_measures(log: CohortLog, last: int, cap: int, weights: pd.Series | None = None) -> dict:
    """The measures the calibration compares, of a cohort up to period ``last``."""
    summary = calibration_summary(log, last)
    w = np.ones(len(summary)) if weights is None else summary.index.map(weights).to_numpy(dtype=float)
    return {
        "curve": repeat_curve(log, last, weights),
        "frequency": frequency_shares(summary, cap, w),
        "recency": recency_shares(summary, w),
        "spend": np.log(np.maximum(weighted_quantiles(summary["mean_amount"].to_numpy(), w, SPEND_QUANTILES), 1e-9)),
    }


def transaction_loss(observed: dict, simulated: dict, weights: LossWeights) -> tuple[float, dict]:
    """The calibration loss and its parts (each before weighting):

    * curve: mean over periods of ((simulated - observed) / observed total)²;
    * frequency, recency: sum over classes of the squared difference of shares;
    * spend: mean squared difference of the log quantiles.
    """
    scale = max(observed["curve"][-1], 1.0)
    parts = {
        "curve": float(np.mean(((simulated["curve"] - observed["curve"]) / scale) ** 2)),
        "frequency": float(np.sum((simulated["frequency"] - observed["frequency"]) ** 2)),
        "recency": float(np.sum((simulated["recency"] - observed["recency"]) ** 2)),
        "spend": float(np.mean((simulated["spend"] - observed["spend"]) ** 2)),
    }
    total = sum(getattr(weights, name) * value for name, value in parts.items())
    return float(total), parts


def survival_loss(
    observed: np.ndarray, simulated: np.ndarray, weights: LossWeights, measure: str = "squared"
) -> tuple[float, dict]:
    """The survival loss (weighted) and its part: ``squared``, the mean over
    periods 1.. of the squared difference of the share still active;
    ``likelihood``, :func:`lifetime_divergence`."""
    if measure == "likelihood":
        part = lifetime_divergence(observed, simulated)
    else:
        part = float(np.mean((np.asarray(simulated)[1:] - np.asarray(observed)[1:]) ** 2))
    return weights.survival * part, {"survival": part}


#: the smallest chance a simulated curve gives a period's churn (a simulated
#: cohort of thousands in which nobody left that period would make the
#: observed churn impossible): not a parameter
_LEAST_CHANCE = 1e-9


def lifetime_divergence(observed: np.ndarray, simulated: np.ndarray) -> float:
    """The Kullback-Leibler divergence of the simulated lifetimes from the
    observed, over periods 1..T of two survival curves (shares still active,
    1 first): each period's churn share ``S(t-1) - S(t)`` and the share still
    active after T. Times twice the cohort's size it is the deviance of the
    observed churn counts and survivors under the simulated curve, so
    minimising it is maximum likelihood, as the shifted-beta-geometric model
    is fitted (Fader & Hardie 2007, 'How to project customer retention'); it
    is 0 when the curves agree and weighs each period by its churners."""
    obs, sim = np.asarray(observed, dtype=float), np.asarray(simulated, dtype=float)
    p = np.append(-np.diff(obs), obs[-1])
    q = np.maximum(np.append(-np.diff(sim), sim[-1]), _LEAST_CHANCE)
    seen = p > 0
    return float(np.sum(p[seen] * np.log(p[seen] / q[seen])))
