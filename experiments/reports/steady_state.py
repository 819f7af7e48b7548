"""Is the market at a steady state over the reported horizon?

A run starts from an artificial market (every customer a prospect, or spread
over the firms by the initial shares) and is simulated for ``market.burn_in``
steps before the reported horizon so that the loyalty states settle. When the
burn-in is too short for the market (a small market, a slow one, a long
inter-purchase time) the states are still drifting during the horizon, and a
scenario's difference from the baseline mixes the strategy's effect with the
market's settling: the baseline's own retention and shares then describe no
market that lasts. The report measures the drift in the baseline and warns.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from agents.states import STATE_NAMES


@dataclass(frozen=True)
class Drift:
    """The largest drift of a loyalty state's share over the horizon."""

    state: str
    first: float  #: the state's share of the people at the start of the horizon
    last: float  #: and at its end
    pp_per_year: float  #: the change, in percentage points a year


def state_drift(steps: pd.DataFrame, firm: str, scenario: str, steps_per_year: float, window_steps: int) -> Drift:
    """The state whose share of the market's people (by their state towards
    ``firm``) moved most between the first and the last ``window_steps`` of
    the horizon in ``scenario``, the mean over the replications."""
    columns = [f"n_{name}" for name in STATE_NAMES]
    mine = steps[(steps["firm"] == firm) & (steps["scenario"].astype(str) == scenario)]
    if mine.empty:
        raise ValueError(f"no steps of firm {firm!r} in scenario {scenario!r}")
    per_step = mine.groupby("step")[columns].mean()
    shares = per_step.div(per_step.sum(axis=1).clip(lower=1), axis=0)
    window = max(1, min(window_steps, len(shares) // 2))
    first, last = shares.iloc[:window].mean(), shares.iloc[-window:].mean()
    years = max(len(shares) - window, 1) / steps_per_year
    change = (last - first) * 100 / years
    worst = change.abs().idxmax()
    return Drift(
        worst.removeprefix("n_").replace("_", "-"), float(first[worst]), float(last[worst]), float(change[worst])
    )


def drift_warning(drift: Drift, tolerance_pp_per_year: float, burn_in: int | None = None) -> str | None:
    """A warning when the drift exceeds ``tolerance_pp_per_year``, else None."""
    if abs(drift.pp_per_year) <= tolerance_pp_per_year:
        return None
    burn = f" after a burn-in of {burn_in} steps" if burn_in is not None else ""
    return (
        f"The market is not at a steady state{burn}: in the baseline the {drift.state} share of the people "
        f"moved from {drift.first:.1%} to {drift.last:.1%} over the horizon ({drift.pp_per_year:+.1f} "
        f"percentage points a year; tolerance ±{tolerance_pp_per_year:g}, experiment.steady_state_drift). "
        "Differences from the baseline mix the strategy's effect with the market's settling; "
        "lengthen market.burn_in."
    )
