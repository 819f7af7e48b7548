"""Per-firm metrics of a step and of a run (MODEL.md §7).

The step metrics are computed from the populations and the step's events;
:func:`summarise` turns the step table into the per-firm summary of a run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.columns import column_count, column_mean
from sim.states import STATE_NAMES, is_customer

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import LoyaltyModel

PROMOTER, DETRACTOR = 9, 6

#: step-table columns besides step, firm, firm_index and the ledger's accounts
METRICS = ("customers", "market_share", "customer_share", "retention_rate", "churn_rate", "lost",
           "exits", "acquisitions", "win_backs", "deal_seeker_share", "mean_satisfaction",
           "promoter_score", "mean_expectation", "mean_affect", "mean_cognitive", "mean_intention",
           "repeat_rate", "visits", "failures", "delighted", "disappointed", "complaints",
           "recoveries", "clv", "top20_revenue_share", "headcount", "staff_engagement",
           "staff_turnover", "service_level", "service_spread", "workload",
           *(f"n_{name}" for name in STATE_NAMES))


class FirmStepEvents:
    """Counts of what happened to each firm during one step."""

    FIELDS = ("customers_at_start", "acquisitions", "win_backs", "lost", "exits", "complaints",
              "recoveries", "delighted", "disappointed", "visits", "failures", "service_sum",
              "service_sq", "leavers", "headcount")

    def __init__(self, n_firms: int) -> None:
        for name in self.FIELDS:
            setattr(self, name, np.zeros(n_firms))


def top_share(values: np.ndarray, top: float = 0.2) -> float:
    """Share of the total held by the top ``top`` fraction of values (80/20)."""
    values = np.asarray(values)
    total = values.sum(dtype=np.float64)
    if len(values) == 0 or total <= 0:
        return float("nan")
    k = max(1, int(round(top * len(values))))
    return float(np.partition(values, len(values) - k)[len(values) - k:].sum(dtype=np.float64) / total)


def step_metrics(model: "LoyaltyModel", ev: FirmStepEvents, accounts: dict) -> list[dict]:
    """One record per firm for the step just closed."""
    cust, F = model.customers, model.n_firms
    counts = model.state_counts()
    cust_mask = is_customer(cust.state)
    n_cust = column_count(cust_mask)
    safe = np.maximum(n_cust, 1)
    lat = model._latents
    promoters = column_count(cust_mask & (lat["recommend"] >= PROMOTER))
    detractors = column_count(cust_mask & (lat["recommend"] <= DETRACTOR))
    seeker = cust.deal_proneness >= model.config.customers.deal_seeker_threshold
    deal = column_count(cust_mask & seeker[:, None])
    mean = lambda a: column_mean(a, cust_mask, n_cust)  # noqa: E731
    sat, aff, expc = mean(cust.satisfaction), mean(cust.affect), mean(cust.expectation)
    cog, intent, rep = mean(lat["cognitive"]), mean(lat["intention"]), mean(cust.behaviour)
    revenue = accounts["revenue"]
    total_rev = revenue.sum()
    staff = model.staff
    eng = np.bincount(staff.firm[staff.employed], staff.engagement[staff.employed], minlength=F)
    heads = np.maximum(ev.headcount, 1)
    start = np.maximum(ev.customers_at_start, 1)
    churn_rate = ev.lost / start
    margin = revenue - accounts["cost_of_goods"]
    d = model.ledger.step_discount ** -1 - 1
    rows = []
    for f, firm in enumerate(model.firms):
        prev = model._churn_ema[f]
        model._churn_ema[f] = churn_rate[f] if np.isnan(prev) else 0.9 * prev + 0.1 * churn_rate[f]
        r = 1 - model._churn_ema[f]
        m = margin[f] / safe[f]
        visits = max(ev.visits[f], 1)
        svc_mean = ev.service_sum[f] / visits
        row = {"step": model.steps, "firm": firm.name, "firm_index": f}
        row.update({k: float(v[f]) for k, v in accounts.items()})
        n_money = len(row)
        row.update({
            "customers": int(n_cust[f]),
            "market_share": float(revenue[f] / total_rev) if total_rev > 0 else 0.0,
            "customer_share": float(n_cust[f] / max(n_cust.sum(), 1)),
            "retention_rate": float(1 - churn_rate[f]),
            "churn_rate": float(churn_rate[f]),
            "lost": int(ev.lost[f]), "exits": int(ev.exits[f]),
            "acquisitions": int(ev.acquisitions[f]), "win_backs": int(ev.win_backs[f]),
            "deal_seeker_share": float(deal[f] / safe[f]),
            "mean_satisfaction": float(sat[f]),
            "promoter_score": float(100.0 * (promoters[f] - detractors[f]) / safe[f]),
            "mean_expectation": float(expc[f]), "mean_affect": float(aff[f]),
            "mean_cognitive": float(cog[f]), "mean_intention": float(intent[f]),
            "repeat_rate": float(rep[f]),
            "visits": int(ev.visits[f]), "failures": int(ev.failures[f]),
            "delighted": int(ev.delighted[f]), "disappointed": int(ev.disappointed[f]),
            "complaints": int(ev.complaints[f]), "recoveries": int(ev.recoveries[f]),
            "clv": float(m * r / (1 + d - r)) if r < 1 + d else float("nan"),
            "top20_revenue_share": top_share(cust.revenue[cust_mask[:, f], f]),
            "headcount": int(ev.headcount[f]),
            "staff_engagement": float(eng[f] / heads[f]),
            "staff_turnover": float(ev.leavers[f] / heads[f]),
            "service_level": float(svc_mean),
            "service_spread": float(np.sqrt(max(ev.service_sq[f] / visits - svc_mean ** 2, 0.0))),
            "workload": float(model._workload[f]),
        })
        row.update({f"n_{name}": int(counts[f, s]) for s, name in enumerate(STATE_NAMES)})
        if len(row) != n_money + len(METRICS):
            raise RuntimeError(f"a ledger category shadows a metric: {sorted(set(accounts) & set(METRICS))}")
        rows.append(row)
    return rows


def summarise(table: pd.DataFrame, steps_per_year: float) -> pd.DataFrame:
    """Per-firm summary of a run: money over the horizon, annual retention
    and churn, states at the end, mean satisfaction and promoter score."""
    if table.empty:
        return pd.DataFrame()
    g = table.groupby("firm", sort=False)
    last = g.tail(1).set_index("firm")
    years = g["step"].count() / steps_per_year
    annual_churn = g["lost"].sum() / g["customers"].mean().clip(lower=1) / years
    out = pd.DataFrame({
        "profit": g["profit"].sum(), "npv": last["npv"], "revenue": g["revenue"].sum(),
        "market_share": g["market_share"].mean(),
        "retention_rate": 1 - annual_churn, "churn_rate": annual_churn,
        "customers": last["customers"],
        "mean_satisfaction": g["mean_satisfaction"].mean(),
        "promoter_score": g["promoter_score"].mean(),
        "deal_seeker_share": last["deal_seeker_share"],
        "top20_revenue_share": last["top20_revenue_share"],
    })
    for name in STATE_NAMES:
        out[f"n_{name}"] = last[f"n_{name}"]
    return out
