"""Measures of the service-profit chain across a sweep of staff turnover
(Heskett, Jones, Loveman, Sasser & Schlesinger 1994, 'Putting the
service-profit chain to work': the fifth of stores with the lowest staff
turnover had double the sales and 55% higher profit of the fifth with the
highest). The markets of the sweep differ only in the staff's base turnover
rate, run on the same seeds, so each replication compares the fifth of
markets with the lowest turnover with the fifth with the highest."""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from experiments.claims.evidence import Evidence, step_stat


def _fifth(ev: Evidence, variants: Sequence[str], column: str) -> np.ndarray:
    """Per replication: the focal firm's ``column`` summed over the horizon,
    averaged over the markets ``variants``."""
    return np.mean([step_stat(ev, v, column, "sum") for v in variants], axis=0)


def fifths_ratio(low: Sequence[str], high: Sequence[str], column: str) -> Callable[[Evidence], np.ndarray]:
    """The lowest-turnover fifth's total ``column`` over the highest's, less 1."""
    return lambda ev: _fifth(ev, low, column) / _fifth(ev, high, column) - 1.0


def fifths_gap(low: Sequence[str], high: Sequence[str], column: str) -> Callable[[Evidence], np.ndarray]:
    """The lowest-turnover fifth's total ``column`` minus the highest's."""
    return lambda ev: _fifth(ev, low, column) - _fifth(ev, high, column)


def _slope(ev: Evidence, markets: Sequence[str], rates: Sequence[float], column: str) -> np.ndarray:
    """Per replication: the least-squares slope of the focal firm's
    ``column`` (summed over the horizon) on the log of the staff's base
    turnover across the sweep's ``markets``."""
    x = np.log(np.asarray(rates, dtype=float))
    y = np.array([step_stat(ev, m, column, "sum") for m in markets])      # [markets, replications]
    x = x - x.mean()
    return (x[:, None] * (y - y.mean(axis=0))).sum(axis=0) / (x ** 2).sum()


def not_hiring_lead(markets: Sequence[str], rates: Sequence[float]) -> Callable[[Evidence], np.ndarray]:
    """How far the fall of profit before hiring costs with turnover exceeds
    the rise of hiring costs, per unit of log turnover across the whole
    sweep (positive: most of what turnover costs is not hiring):
    -slope(profit + hiring) - slope(hiring). A slope over all the markets
    is far less noisy than a gap between two fifths."""
    def measure(ev: Evidence) -> np.ndarray:
        hiring = _slope(ev, markets, rates, "hiring")
        before_hiring = _slope(ev, markets, rates, "profit") + hiring
        return -before_hiring - hiring
    return measure
