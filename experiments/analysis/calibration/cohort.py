"""Simulated cohorts, measured the way the data were.

A transaction log such as CDNOW holds a cohort of a firm's *new* customers:
people whose first purchase there fell in the first weeks of the
observation, followed for the rest of it. :func:`simulate_purchases` runs a
market (after its burn-in, so the market is in its steady state) and keeps
the same cohort of its firm: customers who had never bought there before
and made their first purchase in the entry periods, with every later
purchase. A survival table follows a cohort of a firm's customers who joined
together: :func:`simulate_survival` counts how many of them are still the
firm's customers after each period (a relationship ends by the hazard, by
switching to a rival or by leaving the category). By default the cohort is
every customer of the firm after the first step of a market simulated from
its opening (all relationships start on one date); the customers new to the
firm after a burn-in are the alternative (:func:`cohort_start`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from experiments.analysis.calibration.observed import CohortLog
from sim.config import MarketConfig
from agents.states import I8, LoyaltyState as S, is_customer
from sim.transactions import TransactionLog, customer_ids

if TYPE_CHECKING:  # the model is imported when a market is simulated (it pulls in the engine)
    from sim.model import LoyaltyModel


def _model(market: MarketConfig, seed: int, steps: int, **overrides: int) -> "LoyaltyModel":
    from sim.model import LoyaltyModel

    return LoyaltyModel(market=market, seed=seed, steps=steps, **overrides)


def _firm_index(market: MarketConfig, firm: str) -> int:
    return [f.name for f in market.firms].index(firm)


def _known_before(model, firm: int) -> np.ndarray:
    """Ids of customers who bought from ``firm`` before period 1 (not new to it)."""
    state = model.customers.state[:, firm]
    return customer_ids(model, np.flatnonzero((state != I8[S.PROSPECT]) & (state != I8[S.AWARE])))


def simulate_purchases(market: MarketConfig, firm: str, seed: int, periods: int, entry_periods: int) -> CohortLog:
    """The simulated cohort of ``firm``'s new customers who first bought in
    periods 1..``entry_periods``, with their purchases in periods 1..``periods``."""
    model = _model(market, seed, periods)
    f = _firm_index(market, firm)
    before = _known_before(model, f)
    log = TransactionLog(model)
    log.run(periods)
    tx = log.table()
    tx = tx[tx["firm"] == firm]
    entry = tx.groupby("customer_id", sort=True)["week"].min()
    members = entry.index[(entry <= entry_periods) & ~entry.index.isin(before)]
    tx = tx[tx["customer_id"].isin(members)]
    cohort = pd.DataFrame(
        {
            "customer_id": tx["customer_id"].astype("int64").to_numpy(),
            "period": tx["week"].astype("int64").to_numpy(),
            "amount": tx["amount"].to_numpy(dtype=float),
        }
    )
    # one row a customer and period, as an observed log (a long step's visit rounds may hold several)
    return CohortLog(cohort.groupby(["customer_id", "period"], as_index=False, sort=False)["amount"].sum())


def pooled(logs: list[CohortLog]) -> CohortLog:
    """Cohorts of several simulated markets as one (ids made distinct: ``<replication>:<id>``)."""
    parts = [
        log.purchases.assign(customer_id=str(r) + ":" + log.purchases["customer_id"].astype(str))
        for r, log in enumerate(logs)
    ]
    return CohortLog(pd.concat(parts, ignore_index=True))


def simulate_survival(
    market: MarketConfig, firm: str, seed: int, periods: int, steps_per_period: int, cohort: str = "opening"
) -> np.ndarray:
    """Share of ``firm``'s cohort still its customers after each of
    ``periods`` periods (1.0 first). The cohort (``cohort``, see
    :func:`cohort_start`) is either every customer of the firm after the
    first step of the market simulated from its opening, or the customers
    new to it in the first period after the burn-in. A relationship that
    ends (churn to a rival, or the customer leaves the category) stays
    ended, as a cancelled subscription does in the data."""
    model, alive = cohort_start(market, firm, seed, periods, steps_per_period, cohort)
    f = _firm_index(market, firm)
    generation = model.customers.generation.copy()
    size = int(alive.sum())
    share = [1.0]
    for _ in range(periods):
        for _ in range(steps_per_period):
            model.step()
            alive &= (model.customers.generation == generation) & is_customer(model.customers.state[:, f])
        share.append(alive.sum() / max(size, 1))
    return np.asarray(share)


def cohort_start(
    market: MarketConfig, firm: str, seed: int, periods: int, steps_per_period: int, cohort: str
) -> tuple["LoyaltyModel", np.ndarray]:
    """The model at the cohort's start and the cohort (a mask of customers).

    ``opening``: the market simulated from its opening (no burn-in, nobody a
    customer yet) for one step; the cohort is every customer of the firm
    then, so every relationship starts on the same date and the cohort is
    about the firm's share of the market (a fixed-date cohort, not
    left-truncated: as a year's subscribers of Fader & Hardie 2007, "How to
    project customer retention"). ``new_customers``: after the burn-in, the
    customers the firm acquired in the first period who had never bought
    from it before (in a steady state only newcomers to the market, so few)."""
    f = _firm_index(market, firm)
    if cohort == "opening":
        model = _model(market, seed, periods * steps_per_period + 1, burn_in=0)
        model.step()
        return model, is_customer(model.customers.state[:, f])
    model = _model(market, seed, (periods + 1) * steps_per_period)
    before = _known_before(model, f)
    for _ in range(steps_per_period):
        model.step()
    alive = is_customer(model.customers.state[:, f])
    alive[np.flatnonzero(alive)[np.isin(customer_ids(model, np.flatnonzero(alive)), before)]] = False
    return model, alive
