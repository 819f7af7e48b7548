"""Complaint handling and service recovery (seeds 001, 002; TARP)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.context import StepContext
from sim.records import required
from strategies.base import Strategy, StrategyConfig, param
from strategies.registry import register


@dataclass
class ComplaintHandlingConfig(StrategyConfig):
    """Parameters of :class:`ComplaintHandling`."""

    voice_ease: float = param(
        3.0,
        0.0,
        10.0,
        "multiplier on customers' voice propensity while the programme runs "
        "(free hotline, easy forms: 002 says only ~10% of the dissatisfied voice it)",
        unit="multiplier",
        source="assumption (no empirical source)",
    )
    recovery_bonus: float = param(
        0.3,
        0.0,
        1.0,
        "extra chance a complaint is resolved at full staff empowerment; "
        "the firm gets recovery_bonus x its empowerment (001: front-line staff must be "
        "allowed to fix things)",
        unit="probability per complaint",
        source="assumption (no empirical source)",
    )
    quick_bonus: float = param(
        0.3,
        0.0,
        1.0,
        "extra share of resolutions that are quick (response speed, TARP)",
        unit="share (0–1)",
        source="assumption (no empirical source)",
    )
    cost_per_complaint: float = param(
        20.0,
        0.0,
        1e9,
        "extra handling cost of each complaint at the firm while the "
        "programme runs (on top of the engine's base cost per complaint)",
        unit="currency per complaint",
        source="assumption (no empirical source)",
    )
    cost_per_store_per_year: float = param(
        15600.0,
        0.0,
        1e12,
        "running cost of the programme per store and year "
        "(hotline, staff time for recovery; default: 300 a week for the "
        "default market's one store)",
        unit="currency per store per year",
        source="assumption (no empirical source)",
    )


@register
class ComplaintHandling(Strategy):
    """Make complaining easy and recover fast: voice, recovery, response speed.

    Models complaint handling / service recovery with response speed (seeds
    001 and 002). Seed 002: only about one in ten dissatisfied customers
    voices the complaint, the rest leave silently and talk; TARP:
    repurchase after a complaint is 95% (minor) / 82% (major)
    when resolved quickly, 70% / 54% when resolved slowly and 46% / 19% when
    not resolved. Seed 001 ties recovery to the front line's empowerment.

    While the programme runs the firm sets the engine's complaint levers:
    ``voice_ease`` multiplies its customers' voice propensity (ease of voice),
    ``recovery_bonus`` x the firm's current ``empowerment`` is added to the
    chance a complaint is resolved (an un-empowered front line cannot use the
    programme: with empowerment 0.3 the default bonus is +0.09), and
    ``quick_bonus`` is added to the share of resolutions that are quick
    (response speed). It books ``cost_per_store_per_year`` for each of its
    stores (people in the market / ``customers_per_store``, the step's share)
    plus ``cost_per_complaint``
    for every complaint made at the firm in the step (``ctx.purchases``
    "complained"), under ``complaint_handling``, beside the engine's base
    per-complaint cost (``complaint_costs``) that every firm pays. When the
    programme ends the levers return to their previous values.

    Parameters: ``start``, ``duration`` (weeks), ``voice_ease``, ``recovery_bonus``,
    ``quick_bonus``, ``cost_per_complaint``, ``cost_per_store_per_year``
    (:class:`ComplaintHandlingConfig`).

    Expected signature against the baseline on the same seeds: a larger share
    of the disappointed complain, more complaints are resolved and more of
    them quickly; complainants repurchase in the order resolved quickly >
    resolved slowly > not resolved (the TARP ladder); fewer customers
    defect, because problems that would have stayed silent (the worst
    handling: TARP's non-complainants repurchase 37% / 9%) are heard and
    mostly resolved (every problem ends in a stay-or-leave decision,
    :mod:`sim.recovery`; complaints about lesser disappointments make none).
    """

    name = "complaint_handling"
    description = "easy voice, empowered and quick recovery of complaints (001, 002, TARP)"
    config_class = ComplaintHandlingConfig
    config: ComplaintHandlingConfig

    def setup(self, ctx: StepContext) -> None:
        self.base = (ctx.firm.voice_ease, ctx.firm.recovery_bonus, ctx.firm.quick_bonus)
        self.on = False

    def adjust_offer(self, ctx: StepContext) -> None:
        cfg = self.config
        if self.active(ctx):
            if not self.on:
                self.base = (ctx.firm.voice_ease, ctx.firm.recovery_bonus, ctx.firm.quick_bonus)
                self.on = True
            voice, recovery, quick = self.base
            ctx.firm.voice_ease = voice * cfg.voice_ease
            ctx.firm.recovery_bonus = recovery + cfg.recovery_bonus * ctx.firm.empowerment
            ctx.firm.quick_bonus = quick + cfg.quick_bonus
        elif self.on:
            ctx.firm.voice_ease, ctx.firm.recovery_bonus, ctx.firm.quick_bonus = self.base
            self.on = False

    def after_step(self, ctx: StepContext) -> None:
        if not self.active(ctx):
            return
        bought = ctx.step_purchases
        complained = required(bought.complained, "purchases.complained")
        complaints = int(np.count_nonzero(complained & (bought.firm == ctx.firm.index)))
        self.book(
            ctx, self.per_store(ctx, self.config.cost_per_store_per_year) + self.config.cost_per_complaint * complaints
        )
