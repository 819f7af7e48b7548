"""Price war (seeds 000, 001, 003; Lewis 2006)."""

from __future__ import annotations

from dataclasses import dataclass

from sim.context import StepContext
from sim.units import WEEKS_SLACK
from strategies.base import Strategy, StrategyConfig, param
from strategies.registry import register

RETALIATION = ("none", "match", "partial")


@dataclass
class PriceWarConfig(StrategyConfig):
    """Parameters of :class:`PriceWar`."""

    duration: int = param(
        12,
        0,
        1_000_000,
        ("weeks the discount runs (0: to the end of the run); 12 weeks, a quarter: a temporary promotion"),
        unit="weeks",
        source="assumption (no empirical source)",
    )
    depth: float = param(
        0.2,
        0.0,
        0.9,
        "discount share off the list price while the war runs",
        lo_open=True,
        unit="share of the list price",
        source="assumption (no empirical source)",
    )
    retaliation: str = param(
        "none",
        doc="how rivals respond: none, match the depth, or partial",
        choices=RETALIATION,
        unit="label",
        source="setting (not a behavioural assumption)",
    )
    partial_share: float = param(
        0.5,
        0.0,
        1.0,
        "share of the depth the rivals match under 'partial'",
        unit="share (0–1)",
        source="assumption (no empirical source)",
    )
    reaction_delay_weeks: int = param(
        2,
        0,
        1_000_000,
        "weeks after the start before rivals respond (they respond in the first step that begins at least this late)",
        unit="weeks",
        source="assumption (no empirical source)",
    )
    campaign_cost_per_1k_per_year: float = param(
        6240.0,
        0.0,
        1e12,
        "cost of announcing the discount (flyers, ads) per 1,000 people of the market "
        "reached and year while it runs; the campaign reaches the whole market (default: 600 a week at "
        "5,000 people, about 3/4 of the firms' own advertising_cost_per_1k_per_year of 8,320)",
        unit="currency per 1,000 people per year",
        source="assumption (no empirical source)",
    )


@register
class PriceWar(Strategy):
    """Cut the price for a while: share bought with deal-seekers who leave.

    Models the price war of seeds 000, 001 and 003 (and customers'
    deal proneness): a firm that competes on price wins "profit-seeking
    customers with no loyalty", who leave as soon as the discount ends or a
    rival undercuts it, while the discount trains every buyer's reference
    price down, so the old list price later feels like a loss.
    In the literature, a promotion's bump comes mostly from switching, permanent
    effects on baseline sales are virtually absent (Gupta 1988; Pauwels,
    Hanssens & Siddarth 2002), and customers acquired at a deep discount are
    worth about half as much (Lewis 2006).

    While the programme runs the firm sets ``firm.discount`` to ``depth``
    (customers pay ``price * (1 - depth)``; deal-prone customers are pulled
    by the discount in the choice). Rivals may retaliate after
    ``reaction_delay_weeks`` weeks: under ``"match"`` every other firm sets its
    own ``discount`` to ``depth``, under ``"partial"`` to ``partial_share *
    depth`` (a rival's own larger discount is kept); they stop when the war
    ends. Costs: the discount itself is forgone margin and shows up as lower
    revenue (cost of goods is unchanged per unit), so it is never booked as
    a cost; the firm books the announcing campaign, ``campaign_cost_per_1k_per_year``
    per 1,000 people of the market and year (its step's share, while the war
    runs), under ``price_war``. Rivals' lost margin is likewise in
    their revenue; they book nothing.

    Parameters: ``start`` (week), ``duration`` (default 12 weeks), ``depth``,
    ``retaliation`` (none | match | partial), ``partial_share``,
    ``reaction_delay_weeks``, ``campaign_cost_per_1k_per_year``
    (:class:`PriceWarConfig`).

    Expected signature against the baseline on the same seeds: market share
    and the share of deal-seekers among the firm's customers rise fast during
    the war; the margin per unit of revenue falls; reference prices drop;
    when the discount ends, churn spikes and deal-seekers leave; profit over
    the horizon falls; with rivals matching, the share gain mostly vanishes.
    """

    name = "price_war"
    description = "deep temporary discount, optional rival retaliation: deal-seekers come and go (000, 001, 003)"
    config_class = PriceWarConfig
    config: PriceWarConfig

    def adjust_offer(self, ctx: StepContext) -> None:
        if not self.active(ctx):
            return
        cfg = self.config
        ctx.firm.discount = max(ctx.firm.discount, cfg.depth)
        if cfg.retaliation == "none" or self.weeks_running(ctx) < cfg.reaction_delay_weeks - WEEKS_SLACK:
            return
        answer = cfg.depth if cfg.retaliation == "match" else cfg.partial_share * cfg.depth
        for rival in ctx.firms:
            if rival is not ctx.firm:
                rival.discount = max(rival.discount, answer)

    def after_step(self, ctx: StepContext) -> None:
        if self.active(ctx):
            self.book(ctx, self.per_1k_people(ctx, self.config.campaign_cost_per_1k_per_year))
