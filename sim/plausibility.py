"""Plausibility of a baseline market.

The reported horizon of a baseline run must start from a steady state and
look like a real market: loyalty-state shares move by less than
``max_quarterly_drift`` per quarter, each firm loses 20-40% of its customers a
year (002), a real share of customers is loyal and some are advocates, and the
top fifth of customers brings most of the revenue (Kim, Singh & Winer 2017),
and a fifth to a half of the customers are in play (:mod:`sim.in_play`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from agents.states import STATE_NAMES


@dataclass(frozen=True)
class Bounds:
    max_quarterly_drift: float = 0.03
    annual_churn: tuple[float, float] = (0.20, 0.40)
    min_loyal_share: float = 0.10  # of the firm's customers, loyal or advocate
    min_advocates: int = 1
    top20_revenue_share: tuple[float, float] = (0.55, 0.80)
    # customers whose main firm's choice probability is below 0.9 (a judgement)
    in_play: tuple[float, float] = (0.20, 0.50)


def quarterly_drift(table: pd.DataFrame, n_customers: int, steps_per_year: float) -> pd.Series:
    """Largest change, per firm, of any loyalty-state share between quarter starts."""
    quarter = max(int(round(steps_per_year / 4)), 1)
    cols = [f"n_{s}" for s in STATE_NAMES]
    q = table[(table["step"] - 1) % quarter == 0]
    out = {}
    for firm, x in q.groupby("firm", sort=False):
        shares = x[cols] / n_customers
        out[firm] = float(shares.diff().abs().max().max()) if len(x) > 1 else 0.0
    return pd.Series(out, name="max_quarterly_drift")


def plausibility(
    table: pd.DataFrame, n_customers: int, steps_per_year: float, market_revenue_top20: float, market_in_play: float
) -> pd.DataFrame:
    """Per-firm plausibility measures of a baseline run, with two of the
    market's: the top fifth's revenue share and the share of customers in
    play (:func:`sim.in_play.in_play_share`)."""
    g = table.groupby("firm", sort=False)
    years = g["step"].count() / steps_per_year
    last = g.tail(1).set_index("firm")
    out = pd.DataFrame(
        {
            "annual_churn": g["lost"].sum() / g["customers"].mean().clip(lower=1) / years,
            "max_quarterly_drift": quarterly_drift(table, n_customers, steps_per_year),
            "loyal_share": (last["n_loyal"] + last["n_advocate"]) / last["customers"].clip(lower=1),
            "advocates": last["n_advocate"],
        }
    )
    out["market_top20_revenue_share"] = market_revenue_top20
    out["market_in_play"] = market_in_play
    return out


def violations(measures: pd.DataFrame, bounds: Bounds = Bounds()) -> list[str]:
    """Human-readable list of the bounds a run breaks (empty when plausible)."""
    bad = []
    for firm, r in measures.iterrows():
        lo, hi = bounds.annual_churn
        if not lo <= r.annual_churn <= hi:
            bad.append(f"{firm}: annual churn {r.annual_churn:.3f} outside [{lo}, {hi}]")
        if r.max_quarterly_drift >= bounds.max_quarterly_drift:
            bad.append(f"{firm}: state shares moved {r.max_quarterly_drift:.3f} in a quarter")
        if r.loyal_share < bounds.min_loyal_share:
            bad.append(f"{firm}: loyal share {r.loyal_share:.3f} < {bounds.min_loyal_share}")
        if r.advocates < bounds.min_advocates:
            bad.append(f"{firm}: {r.advocates} advocates")
    top = float(measures["market_top20_revenue_share"].iloc[0])
    lo, hi = bounds.top20_revenue_share
    if not lo <= top <= hi:
        bad.append(f"market: top-20% revenue share {top:.3f} outside [{lo}, {hi}]")
    in_play = float(measures["market_in_play"].iloc[0])
    lo, hi = bounds.in_play
    if not lo <= in_play <= hi:
        bad.append(f"market: customers in play {in_play:.3f} outside [{lo}, {hi}]")
    return bad
