"""Per-firm metrics of a step and of a run (MODEL.md §7).

The step metrics are computed from the populations and the step's events;
:func:`summarise` turns the step table into the per-firm summary of a run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.columns import column_count, column_mean
from sim.records import FirmStepEvents  # noqa: F401  (re-exported: events were defined here)
from sim.states import STATE_NAMES, is_customer

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import LoyaltyModel
    from sim.records import StepRecord

#: step-table columns besides step, firm, firm_index and the ledger's accounts
METRICS = ("customers", "market_share", "customer_share", "retention_rate", "churn_rate", "lost",
           "exits", "acquisitions", "win_backs", "deal_seeker_share", "mean_satisfaction",
           "promoter_score", "mean_expectation", "mean_affect", "mean_cognitive", "mean_intention",
           "repeat_rate", "visits", "purchases", "failures", "delighted", "disappointed", "complaints",
           "recoveries", "clv", "top20_revenue_share", "headcount", "staff_engagement",
           "staff_turnover", "service_level", "service_spread", "workload",
           *(f"n_{name}" for name in STATE_NAMES))


def top_share(values: np.ndarray, top: float = 0.2) -> float:
    """Share of the total held by the top ``top`` fraction of values (80/20).
    The 0.2 defines the metric (``top20_revenue_share``: the Pareto top
    fifth), it is not a parameter of the market."""
    values = np.asarray(values)
    total = values.sum(dtype=np.float64)
    if len(values) == 0 or total <= 0:
        return float("nan")
    k = max(1, int(round(top * len(values))))
    return float(np.partition(values, len(values) - k)[len(values) - k:].sum(dtype=np.float64) / total)


def step_metrics(model: "LoyaltyModel", step: "StepRecord") -> list[dict]:
    """One record per firm for the step just closed, from the populations and
    the step's records (events, latents, workload, smoothed churn, accounts).

    The promoter score is the share of promoters (likelihood to recommend at
    least ``loyalty.promoter_recommend``) less the share of detractors (at
    most ``loyalty.detractor_recommend``), in points (Reichheld 2003).
    Customer lifetime value is the margin per customer of the step times
    ``r / (1 + d - r)``: retention ``r`` (one less the smoothed churn of
    :mod:`sim.phases.churn_smoothing`) and discount rate ``d`` per step, an
    infinite horizon of constant margin and retention (Gupta & Lehmann 2003;
    Berger & Nasr 1998); NaN where retention is too high for it to converge.

    Every metric is computed for all firms at once (a list of Python numbers
    per metric), then dealt out into the firms' records.
    """
    cust, F = model.customers, model.n_firms
    ev, accounts = step.events, step.accounts
    counts = model.state_counts()
    cust_mask = is_customer(cust.state)
    n_cust = column_count(cust_mask)
    safe = np.maximum(n_cust, 1)
    lat, lc = step.latents, model.config.loyalty
    promoters = column_count(cust_mask & (lat.recommend >= lc.promoter_recommend))
    detractors = column_count(cust_mask & (lat.recommend <= lc.detractor_recommend))
    seeker = cust.deal_proneness >= model.config.customers.deal_seeker_threshold
    deal = column_count(cust_mask, rows=seeker)
    mean = lambda a: column_mean(a, cust_mask, n_cust)  # noqa: E731
    revenue = accounts["revenue"]
    total_rev = revenue.sum()
    staff = model.staff
    eng = np.bincount(staff.firm[staff.employed], staff.engagement[staff.employed], minlength=F)
    people = np.maximum(staff.headcount(F), 1)
    fte = np.maximum(ev.headcount, 1e-9)
    churn_rate = step.churn.rate
    r = 1 - step.churn.smoothed
    d = model.ledger.step_discount ** -1 - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        clv = np.where(r < 1 + d, (revenue - accounts["cost_of_goods"]) / safe * r / (1 + d - r), np.nan)
    service_level, service_spread = [], []
    for f in range(F):
        visits = max(ev.visits[f], 1)
        svc_mean = ev.service_sum[f] / visits
        service_level.append(float(svc_mean))
        service_spread.append(float(np.sqrt(max(ev.service_sq[f] / visits - svc_mean ** 2, 0.0))))
    ints = lambda a: np.asarray(a).astype(np.int64).tolist()  # noqa: E731
    floats = lambda a: np.asarray(a, dtype=np.float64).tolist()  # noqa: E731
    values = {
        "customers": ints(n_cust),
        "market_share": floats(revenue / total_rev) if total_rev > 0 else [0.0] * F,
        "customer_share": floats(n_cust / max(n_cust.sum(), 1)),
        "retention_rate": floats(1 - churn_rate),
        "churn_rate": floats(churn_rate),
        "lost": ints(ev.lost), "exits": ints(ev.exits),
        "acquisitions": ints(ev.acquisitions), "win_backs": ints(ev.win_backs),
        "deal_seeker_share": floats(deal / safe),
        "mean_satisfaction": floats(mean(cust.satisfaction)),
        "promoter_score": floats(100.0 * (promoters - detractors) / safe),
        "mean_expectation": floats(mean(cust.expectation)), "mean_affect": floats(mean(cust.affect)),
        "mean_cognitive": floats(mean(lat.cognitive)), "mean_intention": floats(mean(lat.intention)),
        "repeat_rate": floats(mean(cust.behaviour)),
        "visits": floats(ev.visits), "purchases": ints(ev.purchases), "failures": ints(ev.failures),
        "delighted": ints(ev.delighted), "disappointed": ints(ev.disappointed),
        "complaints": ints(ev.complaints), "recoveries": ints(ev.recoveries),
        "clv": floats(clv),
        "top20_revenue_share": [top_share(cust.revenue[:, f][cust_mask[:, f]]) for f in range(F)],
        "headcount": floats(ev.headcount),
        "staff_engagement": floats(eng / people),
        "staff_turnover": floats(ev.leavers / fte),
        "service_level": service_level,
        "service_spread": service_spread,
        "workload": floats(step.staff.workload),
        **dict(zip((f"n_{name}" for name in STATE_NAMES), counts.T.tolist())),
    }
    if tuple(values) != METRICS:  # pragma: no cover - a metric listed in one place only
        raise RuntimeError(f"the step metrics differ from METRICS: {sorted(set(values) ^ set(METRICS))}")
    shadowed = set(accounts) & set(values)
    if shadowed:
        raise RuntimeError(f"a ledger category shadows a metric: {sorted(shadowed)}")
    money = {k: floats(v) for k, v in accounts.items()}
    return [{"step": model.steps, "firm": firm.name, "firm_index": f,
             **{k: v[f] for k, v in money.items()}, **{k: v[f] for k, v in values.items()}}
            for f, firm in enumerate(model.firms)]


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
