"""The key performance indicators an experiment compares.

A run's KPIs are computed per firm from its step table (one row per reported
step and firm) by :func:`run_kpis`; an experiment compares them between
scenarios (:mod:`experiments.running.statistics`). Each KPI has a label for tables
and plots, a display kind and the direction in which it is better, so that
a ranking knows which way to sort.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sim.metrics import summarise


@dataclass(frozen=True)
class Kpi:
    """One indicator: its column in ``runs.parquet``, label and display."""

    name: str
    label: str
    kind: str  # "money", "pct", "float" or "int": how to print it
    higher_is_better: bool
    in_money: bool = False  #: a "float" that is money per something (its label names the currency)


#: the KPIs of the comparison table; the last two do not grow with the market's
#: size or the step length, so markets of any size can be compared on them
KPIS: dict[str, Kpi] = {
    k.name: k
    for k in (
        Kpi("npv", "profit (NPV)", "money", True),
        Kpi("revenue", "revenue (undiscounted)", "money", True),
        Kpi("retention_rate", "retention (annual, true)", "pct", True),
        Kpi("churn_rate", "churn rate (annual)", "pct", False),
        Kpi("loyal_advocate_share", "loyal + advocate share (end)", "pct", True),
        Kpi("deal_seeker_share", "deal-seeker share (end)", "pct", False),
        Kpi("promoter_score", "promoter score (horizon mean)", "float", True),
        Kpi("clv", "CLV per customer at the end", "money", True),
        Kpi("profit_per_customer", "profit per customer-year", "float", True, in_money=True),
        Kpi("margin_pct", "margin (profit / revenue)", "pct", True),
    )
}

#: further per-run columns of ``runs.parquet`` that experiments may compare
EXTRA_KPIS: dict[str, Kpi] = {
    k.name: k
    for k in (
        Kpi("profit", "profit (undiscounted)", "money", True),
        Kpi("market_share", "market share (revenue)", "pct", True),
        Kpi("customers", "customers at the end", "int", True),
        Kpi("mean_satisfaction", "mean satisfaction", "float", True),
        Kpi("complaints", "complaints", "int", False),
        Kpi("recoveries", "recovered complaints", "int", True),
        Kpi("disappointed", "disappointed purchases", "int", False),
        Kpi("acquisitions", "customers acquired", "int", True),
        Kpi("win_backs", "customers won back", "int", True),
        Kpi("top20_revenue_share", "revenue share of the top 20%", "pct", False),
        Kpi("staff_turnover", "staff turnover (mean per step)", "pct", False),
        Kpi("staff_turnover_annual", "staff turnover (annual)", "pct", False),
        Kpi("service_level", "service level (mean)", "float", True),
        # the survey view (sim/survey.py, market.survey): horizon means of the step table's
        Kpi("csat_top_box", "satisfaction top box (5 of 5)", "pct", True),
        Kpi("csat_top2_box", "satisfaction top two boxes (4-5 of 5)", "pct", True),
        Kpi("csat_bottom2_box", "satisfaction bottom two boxes (1-2 of 5)", "pct", False),
        Kpi("mean_csat_5", "mean satisfaction answer (1-5)", "float", True),
        Kpi("mean_csat_10", "mean satisfaction answer (0-10)", "float", True),
        Kpi("intent_top_box", "will definitely buy again (5 of 5)", "pct", True),
        Kpi("intent_top2_box", "will buy again (4-5 of 5)", "pct", True),
        Kpi("mean_intent_5", "mean repurchase-intention answer (1-5)", "float", True),
    )
}

ALL_KPIS: dict[str, Kpi] = {**KPIS, **EXTRA_KPIS}

#: step-table columns summed over the horizon into a run KPI
_SUMMED = ("complaints", "recoveries", "disappointed", "acquisitions", "win_backs")
#: step-table columns averaged over the horizon into a run KPI
_AVERAGED = ("staff_turnover", "service_level")


def run_kpis(table: pd.DataFrame, steps_per_year: float) -> pd.DataFrame:
    """One row per firm of a run's KPIs (every key of :data:`ALL_KPIS`).

    Money is totalled over the horizon (NPV discounted), retention and churn
    are annual rates, shares and customer lifetime value are read at the end
    of the horizon, satisfaction, promoter score and the survey view's
    top-box shares and mean answers are horizon means.
    Profit per customer-year is the horizon's profit over the firm's mean
    customers times the horizon's years; the margin is the horizon's profit
    over its revenue (nan without revenue).
    """
    out = summarise(table, steps_per_year)
    g = table.groupby("firm", sort=False)
    last = g.tail(1).set_index("firm")
    years = g["step"].count() / steps_per_year
    out["profit_per_customer"] = out["profit"] / (g["customers"].mean().clip(lower=1) * years)
    out["margin_pct"] = out["profit"] / out["revenue"].where(out["revenue"] != 0)
    loyal = last["n_loyal"] + last["n_advocate"]
    out["loyal_advocate_share"] = loyal / last["customers"].clip(lower=1)
    out["clv"] = last["clv"]
    for col in _SUMMED:
        out[col] = g[col].sum()
    for col in _AVERAGED:
        out[col] = g[col].mean()
    out["staff_turnover_annual"] = g["staff_turnover"].sum() / years  # leavers per FTE a year
    keep = list(ALL_KPIS) + [c for c in out.columns if c.startswith("n_")]
    return out[keep].rename_axis("firm").reset_index()
