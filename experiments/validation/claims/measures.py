"""Measures comparing scenarios on the runs and steps tables.

Each function here returns a measure: a function
:class:`~experiments.validation.claims.evidence.Evidence` -> one number per replication,
mostly a scenario against its baseline on the same seeds (paired). A
difference carries the measure of the baseline's level as its ``level``
attribute (:func:`with_level`), so that the report can state its size
relative to that level (a trivial size is seen as such).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from experiments.validation.claims.evidence import Evidence, loyal_share, ratio_of_sums, run_kpi, step_stat
from experiments.validation.claims.schedules import entry_step


Measure = Callable[[Evidence], np.ndarray]


def with_level(measure: Measure, level: Measure) -> Measure:
    """``measure`` with ``level`` attached as its ``level`` attribute: the
    level (one number per replication) a difference is relative to."""
    measure.level = level  # type: ignore[attr-defined]
    return measure


def kpi_difference(scenario: str, kpi: str, baseline: str = "baseline") -> Measure:
    """A run KPI of the focal firm in ``scenario`` minus the baseline's (paired)."""
    return with_level(
        lambda ev: run_kpi(ev, scenario, kpi) - run_kpi(ev, baseline, kpi), lambda ev: run_kpi(ev, baseline, kpi)
    )


def kpi_value(scenario: str, kpi: str) -> Callable[[Evidence], np.ndarray]:
    """A run KPI of the focal firm in ``scenario``."""
    return lambda ev: run_kpi(ev, scenario, kpi)


def step_difference(
    scenario: str,
    column: str,
    baseline: str = "baseline",
    how: str = "mean",
    window: Callable[[Evidence], tuple[int | None, int | None]] | None = None,
) -> Callable[[Evidence], np.ndarray]:
    """A step column's mean (or sum) over a window, ``scenario`` minus baseline."""

    def measure(ev: Evidence) -> np.ndarray:
        start, stop = window(ev) if window else (None, None)
        return step_stat(ev, scenario, column, how, start, stop) - step_stat(ev, baseline, column, how, start, stop)

    def level(ev: Evidence) -> np.ndarray:
        start, stop = window(ev) if window else (None, None)
        return step_stat(ev, baseline, column, how, start, stop)

    return with_level(measure, level)


def share_difference(
    scenario: str,
    numerator: str,
    denominator: str,
    baseline: str = "baseline",
    window: Callable[[Evidence], tuple[int | None, int | None]] | None = None,
) -> Callable[[Evidence], np.ndarray]:
    """A ratio of step-column sums (e.g. complaints per disappointed purchase), scenario minus baseline."""

    def measure(ev: Evidence) -> np.ndarray:
        start, stop = window(ev) if window else (None, None)
        return ratio_of_sums(ev, scenario, numerator, denominator, start, stop) - ratio_of_sums(
            ev, baseline, numerator, denominator, start, stop
        )

    def level(ev: Evidence) -> np.ndarray:
        start, stop = window(ev) if window else (None, None)
        return ratio_of_sums(ev, baseline, numerator, denominator, start, stop)

    return with_level(measure, level)


def captive_wave(scenario: str, before: int, after: tuple[int, int]) -> Callable[[Evidence], np.ndarray]:
    """Extra fall of the focal firm's captive customers after a rival enters:
    1 - (after / before in ``scenario``) / (after / before in the baseline),
    ``before`` steps before the entry against steps ``after`` = (from, to) after it."""

    def measure(ev: Evidence) -> np.ndarray:
        entry = entry_step(ev, scenario)

        def kept(s: str) -> np.ndarray:
            pre = step_stat(ev, s, "n_captive", "mean", entry - before, entry)
            post = step_stat(ev, s, "n_captive", "mean", entry + after[0], entry + after[1])
            return post / pre

        return 1 - kept(scenario) / kept("baseline")

    return measure


def loyal_gap_growth(scenario: str, early: tuple[int, int], late: tuple[int, int]) -> Callable[[Evidence], np.ndarray]:
    """Growth of the loyal + advocate share gain over the baseline from an
    early window to a late one (club marketing builds loyalty slowly)."""

    def measure(ev: Evidence) -> np.ndarray:
        gap = lambda w: loyal_share(ev, scenario, *w) - loyal_share(ev, "baseline", *w)  # noqa: E731
        return gap(late) - gap(early)

    return with_level(measure, lambda ev: loyal_share(ev, "baseline", *late))


def loyal_share_difference(scenario: str, other: str, last: int) -> Callable[[Evidence], np.ndarray]:
    """Loyal + advocate share over the last ``last`` steps, ``scenario`` minus ``other``."""

    def measure(ev: Evidence) -> np.ndarray:
        start = ev.market.steps - last + 1
        return loyal_share(ev, scenario, start) - loyal_share(ev, other, start)

    return with_level(measure, lambda ev: loyal_share(ev, other, ev.market.steps - last + 1))


def cost_to_serve_cut(pruned: str, kept: str, category: str) -> Callable[[Evidence], np.ndarray]:
    """Revenue kept minus cost to serve kept (shares of the same programme
    without pruning): positive when the cost to serve falls more than revenue."""

    def measure(ev: Evidence) -> np.ndarray:
        ratio = lambda col: step_stat(ev, pruned, col, "sum") / step_stat(ev, kept, col, "sum")  # noqa: E731
        return ratio("revenue") - ratio(category)

    return measure


def profit_per_retention(scenario: str, points: float) -> Callable[[Evidence], np.ndarray]:
    """Reichheld & Sasser 1990: relative change of the focal firm's profit per
    ``points`` percentage points fewer annual defections, ``scenario`` against
    the baseline (linear in the fall of defections)."""

    def measure(ev: Evidence) -> np.ndarray:
        fewer = (run_kpi(ev, "baseline", "churn_rate") - run_kpi(ev, scenario, "churn_rate")) * 100
        profit, base = run_kpi(ev, scenario, "profit"), run_kpi(ev, "baseline", "profit")
        return (profit - base) / np.abs(base) * points / fewer

    return measure
