"""Quality investment (seed 000: "good quality is the hard truth")."""

from __future__ import annotations

from dataclasses import dataclass

from sim.context import StepContext
from strategies.base import Strategy, StrategyConfig, param
from strategies.registry import register


@dataclass
class QualityInvestmentConfig(StrategyConfig):
    """Parameters of :class:`QualityInvestment`."""

    quality_gain: float = param(
        0.15,
        0.0,
        1.0,
        "rise of product quality once the investment has ramped up",
        unit="score (0–1)",
        source="assumption (no empirical source)",
    )
    ramp_weeks: int = param(
        8,
        1,
        10_000,
        "weeks over which quality rises to the full gain (about two months to fix a product)",
        unit="weeks",
        source="assumption (no empirical source)",
    )
    cost_per_store_per_year: float = param(
        78000.0,
        0.0,
        1e12,
        "investment cost per store and year while the "
        "programme runs (quality control, better supplies; default: 1,500 a "
        "week for the default market's one store)",
        unit="currency per store per year",
        source="assumption (no empirical source)",
    )


@register
class QualityInvestment(Strategy):
    """Invest in product quality: fewer failures, fewer complaints.

    Models seed 000's lesson that "good quality is the hard truth": a phone
    card that keeps failing is not saved by 24-hour repair service, so a firm
    that fixes the product removes the large negative shocks that no service
    can offset. While the programme runs, the firm's quality
    rises linearly over ``ramp_weeks`` to ``quality_gain`` above its configured
    level (capped at 1) and the firm books ``cost_per_store_per_year`` for
    each of its stores (people in the market / ``customers_per_store``), its
    step's share, under ``quality_investment``; when it ends, quality returns to the configured
    level.

    Parameters: ``start``, ``duration`` (weeks), ``quality_gain``,
    ``ramp_weeks``, ``cost_per_store_per_year`` (:class:`QualityInvestmentConfig`).

    Expected signature against the baseline on the same seeds: quality
    failures and complaints fall; satisfaction and retention rise after a lag.
    """

    name = "quality_investment"
    description = "raise product quality over a ramp: fewer failures and complaints (000)"
    config_class = QualityInvestmentConfig
    config: QualityInvestmentConfig

    def setup(self, ctx: StepContext) -> None:
        self.base_quality = ctx.firm.quality
        self.steps_run = 0

    def adjust_offer(self, ctx: StepContext) -> None:
        if not self.active(ctx):
            ctx.firm.quality = self.base_quality
            return
        self.steps_run += 1
        ramp = min(self.steps_run * ctx.units.weeks / self.config.ramp_weeks, 1.0)
        ctx.firm.quality = min(self.base_quality + ramp * self.config.quality_gain, 1.0)

    def after_step(self, ctx: StepContext) -> None:
        if self.active(ctx):
            self.book(ctx, self.per_store(ctx, self.config.cost_per_store_per_year))
