"""The report warns when the market is still settling over the horizon."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from agents.states import STATE_NAMES
from experiments.reports.report import report_markdown, steady_state_warning
from experiments.reports.steady_state import drift_warning, state_drift
from tests.experiments.reports.test_report import meta, tables


def market_steps(churned_per_step: float, steps: int = 52) -> pd.DataFrame:
    """A baseline whose churned people grow by ``churned_per_step`` a step,
    half of them taken from the prospects, half from the aware; the other
    states fixed."""
    rows = []
    for step in range(1, steps + 1):
        counts = {f"n_{name}": 100.0 for name in STATE_NAMES}
        counts["n_churned"] = 100.0 + churned_per_step * step
        counts["n_prospect"] = 100.0 - churned_per_step * step / 2
        counts["n_aware"] = 100.0 - churned_per_step * step / 2
        for r in range(2):
            rows.append({"scenario": "baseline", "replication": r, "step": step, "firm": "Focal", **counts})
    return pd.DataFrame(rows)


def test_drift_is_the_largest_change_of_a_states_share_in_points_a_year():
    total = 100.0 * len(STATE_NAMES)
    drift = state_drift(market_steps(1.0), "Focal", "baseline", 52.0, 13)
    assert drift.state == "churned"
    # first quarter's mean step 7, last quarter's 46: 39 steps apart, 39 people of `total`, in 39/52 of a year
    assert drift.pp_per_year == pytest.approx(100 * 39 / total / (39 / 52))
    assert drift.first == pytest.approx((100 + 7) / total)


def test_a_settled_market_passes_and_a_drifting_one_is_warned_about():
    settled = state_drift(market_steps(0.0), "Focal", "baseline", 52.0, 13)
    assert settled.pp_per_year == 0.0 and drift_warning(settled, 3.0) is None
    drifting = state_drift(market_steps(1.0), "Focal", "baseline", 52.0, 13)
    warning = drift_warning(drifting, 3.0, burn_in=52)
    assert warning is not None
    assert "burn-in of 52 steps" in warning and "churned" in warning and "market.burn_in" in warning
    assert drift_warning(drifting, abs(drifting.pp_per_year) + 0.1) is None


def test_the_warning_heads_the_report_and_follows_the_configured_tolerance():
    steps = market_steps(1.0)
    strict = steady_state_warning(steps, meta(steady_state_drift=1.0, burn_in=20))
    assert strict is not None
    assert steady_state_warning(steps, meta(steady_state_drift=50.0)) is None
    m = meta(warnings=[strict])
    _, _, comparison, ranked = tables(m)
    text = report_markdown(m, comparison, ranked)
    assert text.index("> **Warning:** The market is not at a steady state") < text.index("## Scenarios")


def test_a_step_table_without_state_counts_gives_no_warning():
    steps = market_steps(0.0).drop(columns=[f"n_{n}" for n in STATE_NAMES])
    assert steady_state_warning(steps, meta()) is None


def test_a_monthly_market_measures_its_drift_a_year_too():
    weekly = state_drift(market_steps(1.0, steps=52), "Focal", "baseline", 52.0, 13).pp_per_year
    monthly = state_drift(market_steps(52 / 12, steps=12), "Focal", "baseline", 12.0, 3).pp_per_year
    assert np.isfinite(monthly) and monthly == pytest.approx(weekly, rel=0.05)
