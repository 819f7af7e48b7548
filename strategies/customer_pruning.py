"""Customer pruning (seeds 001, 003; Reinartz & Kumar 2002)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agents.states import is_customer
from sim.context import StepContext
from sim.units import WEEKS_PER_YEAR
from sim.units import period_begins
from strategies.base import Strategy, StrategyConfig, param
from strategies.registry import register


@dataclass
class CustomerPruningConfig(StrategyConfig):
    """Parameters of :class:`CustomerPruning`."""

    cost_per_visit: float = param(
        10.0,
        0.0,
        1e9,
        "cost of serving one visit at the firm (handling, staff time), booked for every visit while the programme runs",
        unit="currency per visit",
        source="assumption (no empirical source)",
    )
    prune_below: float = param(
        1.0,
        0.0,
        100.0,
        "refuse a customer whose annual margin is below this multiple "
        "of their annual cost to serve (1: they cost more than they bring; 0: never "
        "refuse, the cost accounting alone)",
        unit="multiplier (annual margin / annual cost to serve)",
        source="definition (no empirical source)",
    )
    review_every_weeks: int = param(
        4,
        1,
        1_000_000,
        "weeks between reviews of the customer base (the first at "
        "start; monthly: a review in every step that reaches the next multiple)",
        unit="weeks",
        source="assumption (no empirical source)",
    )
    min_purchases: int = param(
        4,
        0,
        255,
        "purchases at the firm before a customer is assessed (new relationships have not shown their value yet)",
        unit="purchases",
        source="assumption (no empirical source)",
    )
    review_cost: float = param(
        200.0,
        0.0,
        1e12,
        "cost of one review of the customer base (analysis), per review",
        unit="currency per review",
        source="assumption (no empirical source)",
    )


@register
class CustomerPruning(Strategy):
    """Stop serving customers whose cost to serve exceeds the margin they bring.

    Models customer pruning (seeds 001 and 003: not every
    customer is worth keeping, serve the profitable ones). Reinartz & Kumar
    (2002) found about half of long-tenure "loyal" customers
    barely profitable: loyalty is not profit. The engine has no cost of
    serving a visit, so the programme defines one: it books ``cost_per_visit``
    for every visit at the firm while it runs (a purchase holds
    ``visits_per_purchase`` visits; the firm's cost to serve, under the
    category ``customer_pruning``, together with ``review_cost`` per review).
    Every ``review_every_weeks`` weeks from ``start`` it reviews its current
    customers with at least ``min_purchases`` purchases there: a customer's
    annual margin is their annualised revenue at the firm x the margin rate
    (1 - unit_cost / price paid), their annual cost to serve is their visit
    rate (the engine's repeat-purchase rate ``behaviour``, visits a week, x 52) x
    ``cost_per_visit``; those whose margin is below ``prune_below`` x their
    cost to serve are refused (the "refusal" modifier: they can no longer choose the
    firm, drift to rivals and churn). Refusals last while the programme runs
    and are lifted when it ends; a newcomer taking a refused customer's place
    starts unrefused. ``prune_below`` = 0 keeps the same accounting without
    pruning, the fair comparison.

    Parameters: ``start``, ``duration`` (weeks), ``cost_per_visit``, ``prune_below``,
    ``review_every_weeks``, ``min_purchases``, ``review_cost``
    (:class:`CustomerPruningConfig`).

    Expected signature against the same programme without pruning
    (``prune_below`` = 0) on the same seeds: visits and the cost to serve
    fall proportionally more than revenue (the refused bring small baskets),
    so margin per visit rises; customers and market share fall.
    """

    name = "customer_pruning"
    description = "refuse customers whose cost to serve exceeds their margin (001, 003; Reinartz & Kumar)"
    config_class = CustomerPruningConfig
    config: CustomerPruningConfig

    def setup(self, ctx: StepContext) -> None:
        self.steps_run = 0
        self.reviewed = False
        self.refusing = False
        self.pruned = 0  # customers refused so far (a diagnostic)

    def adjust_offer(self, ctx: StepContext) -> None:
        self.reviewed = False
        if not self.active(ctx):
            if self.refusing:
                ctx.modifiers.refusal.column(ctx.firm.index)[:] = False
                self.refusing = False
            return
        if period_begins(self.steps_run, self.config.review_every_weeks, ctx.units.weeks):
            self._review(ctx)
            self.reviewed = True
        self.steps_run += 1

    def _review(self, ctx: StepContext) -> None:
        cfg, cust, f = self.config, ctx.customers, ctx.firm.index
        margin_rate = 1.0 - ctx.firm.unit_cost / ctx.firm.effective_price
        margin = cust.revenue[:, f].astype(np.float64) * margin_rate
        cost_to_serve = cust.behaviour[:, f].astype(np.float64) * WEEKS_PER_YEAR * cfg.cost_per_visit
        assessed = is_customer(cust.state[:, f]) & (cust.purchases[:, f] >= cfg.min_purchases)
        prune = assessed & (margin < cfg.prune_below * cost_to_serve)
        refused = ctx.modifiers.refusal.array()
        self.pruned += int(np.count_nonzero(prune & ~refused[:, f]))
        refused[:, f] |= prune
        self.refusing = True

    def after_step(self, ctx: StepContext) -> None:
        if not self.active(ctx):
            return
        visits = self.visits(ctx, ctx.step_purchases.firm == ctx.firm.index)
        self.book(ctx, self.config.cost_per_visit * visits + (self.config.review_cost if self.reviewed else 0.0))
