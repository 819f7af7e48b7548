"""The model's books: the largest error, per replication, of the
identities that must hold exactly - every customer in one state, profit =
revenue - costs."""

from __future__ import annotations

import numpy as np

from experiments.validation.claims.evidence import Evidence, per_replication
from sim.ledger import BASE_COSTS
from agents.states import STATE_NAMES


def state_count_error(ev: Evidence) -> np.ndarray:
    """Per replication: the largest gap, over scenarios, steps and firms,
    between the customers counted in the loyalty states and the market's
    customers (every customer is in exactly one state: 0)."""
    counted = ev.steps[[f"n_{s}" for s in STATE_NAMES]].sum(axis=1)
    gap = (counted - ev.market.n_customers).abs()
    return per_replication(ev, gap.groupby(ev.steps["replication"]).max())


def books_error(ev: Evidence) -> np.ndarray:
    """Per replication: the largest error, over scenarios, steps and firms, of
    profit = revenue - costs and costs = the sum of the cost categories (money)."""
    from strategies.registry import available

    categories = [c for c in (*BASE_COSTS, *available()) if c in ev.steps.columns]
    costs = ev.steps[categories].sum(axis=1)
    err = np.maximum(
        (ev.steps["profit"] - (ev.steps["revenue"] - ev.steps["costs"])).abs(), (ev.steps["costs"] - costs).abs()
    )
    return per_replication(ev, err.groupby(ev.steps["replication"]).max())
