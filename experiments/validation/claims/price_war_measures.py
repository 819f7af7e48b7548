"""Measures of the price war: its margin, where its bump
comes from, what is left of it afterwards, what rivals matching leaves of it
and what the customers it acquires are worth.

Each returns a function :class:`~experiments.validation.claims.evidence.Evidence` -> one
number per replication.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from experiments.validation.claims.evidence import Evidence, per_replication, step_stat
from experiments.validation.claims.schedules import schedule, war_window


def lasting_revenue_change(scenario: str, settle: int) -> Callable[[Evidence], np.ndarray]:
    """Relative change of the focal firm's revenue from ``settle`` steps after
    the war's end to the horizon's end (Pauwels et al. 2002: no lasting bump)."""

    def measure(ev: Evidence) -> np.ndarray:
        start, _ = war_window(scenario, offset=settle, after_end=True)(ev)
        war = step_stat(ev, scenario, "revenue", "sum", start)
        base = step_stat(ev, "baseline", "revenue", "sum", start)
        return war / base - 1

    return measure


def matched_share_gain(matched: str, unmatched: str) -> Callable[[Evidence], np.ndarray]:
    """The focal firm's market-share gain when rivals match the cut, over the
    gain when they do not, from the rivals' reaction to the war's end."""

    def measure(ev: Evidence) -> np.ndarray:
        start, stop = war_window(unmatched, after_delay=True)(ev)
        base = step_stat(ev, "baseline", "market_share", "mean", start, stop)
        gain = lambda s: step_stat(ev, s, "market_share", "mean", start, stop) - base  # noqa: E731
        return gain(matched) / gain(unmatched)

    return measure


def deal_acquired_value(scenario: str, weeks_after: int) -> Callable[[Evidence], np.ndarray]:
    """Lewis 2006: focal-firm spending in the ``weeks_after`` weeks after
    the war per relationship acquired during it (the relationship's first
    purchase in the war's weeks, as the firm's records know it: the
    transaction log's ``first``), in ``scenario`` over the same in the
    baseline (relationships begun in the same weeks at the list price). A
    customer who leaves the category stops spending, as one who churns.
    Needs the transaction log."""

    def value(tx: pd.DataFrame, start: int, end: int) -> pd.Series:
        during = tx[(tx["week"] >= start) & (tx["week"] < end) & tx["first"]]
        after = tx[(tx["week"] >= end) & (tx["week"] < end + weeks_after)]
        out = {}
        for r, d in during.groupby("replication"):
            new = set(d["customer_id"])
            spend = after[(after["replication"] == r) & after["customer_id"].isin(new)]["amount"].sum()
            out[r] = spend / max(len(new), 1)
        return pd.Series(out, dtype=float)

    def measure(ev: Evidence) -> np.ndarray:
        war = schedule(ev, scenario, "price_war")
        horizon = int(ev.steps["step"].max())
        if war["end"] + weeks_after - 1 > horizon:
            raise ValueError(
                f"the price war ends at step {war['end']}: {weeks_after} weeks after it need "
                f"{war['end'] + weeks_after - 1} steps, the run has {horizon}"
            )
        tx = ev.transactions[ev.transactions["firm"] == ev.focal]
        per = {
            s: per_replication(ev, value(tx[tx["scenario"] == s], war["first"], war["end"]))
            for s in (scenario, "baseline")
        }
        return per[scenario] / per["baseline"]

    return measure
