"""Whom a programme targets: by value, by risk or by expected uplift.

A programme aimed at the best customers by spend (seeds 000, 003: the 20%
who bring 80%) reaches customers who already buy from the firm almost
surely; one aimed at those likeliest to leave reaches customers who may not
respond (Ascarza 2018, 'Retention futility: targeting high-risk customers
might be ineffective'). Targeting by expected uplift aims at the business
a programme can still move (Lemmens & Gupta 2020, 'Managing churn to
maximize profits'). The scores, from the firm's view of its customers
(:meth:`sim.context.StepContext.outlook`):

- ``value``: the customer's annual spend at the firm;
- ``risk``: the chance their relationship ends within a year;
- ``uplift``: the category spend the firm has not secured, ``category spend
  x (1 - chance of choosing the firm x chance the relationship lasts the
  year)``: large for a big spender whose business is open, small for one
  the firm already holds (whatever a programme does) and for one who
  spends little. A proxy for the programme's effect, not its estimate.
"""

from __future__ import annotations

import numpy as np

from sim.context import StepContext

#: the ways a programme may rank customers
TARGETING = ("value", "risk", "uplift")


def target_scores(ctx: StepContext, by: str) -> np.ndarray:
    """Every customer's score for the firm (higher: targeted first)."""
    f = ctx.firm.index
    if by == "value":
        return ctx.customers.revenue[:, f].astype(np.float64)
    view = ctx.outlook()
    if by == "risk":
        return view.ending_chance
    if by == "uplift":
        held = view.choice_probability * (1.0 - view.ending_chance)
        return view.category_spend * (1.0 - held)
    raise ValueError(f"targeting = {by!r}: must be one of {', '.join(TARGETING)}")


def top(scores: np.ndarray, pool: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` customers of ``pool`` with the highest scores (ties in
    customer order), as a mask over all customers."""
    rows = np.flatnonzero(pool)
    chosen = rows[np.argsort(-scores[rows], kind="stable")[: max(k, 0)]]
    out = np.zeros(len(scores), dtype=bool)
    out[chosen] = True
    return out
