"""Lay-offs / cost cutting, the anti-strategy (MODEL.md §5, §6; seed 001)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.context import StepContext
from strategies.base import Strategy, StrategyConfig, param
from strategies.registry import register


@dataclass
class LayoffsConfig(StrategyConfig):
    """Parameters of :class:`Layoffs`."""
    share: float = param(0.3, 0.0, 1.0, "share of the firm's employed front-line staff, in full-time "
                         "equivalents, dismissed at start")
    select: str = param("random", doc="who goes: 'random' (drawn from the strategy's own stream), 'junior' "
                        "(least tenure first: last in, first out) or 'senior' (most tenure first)",
                        choices=("random", "junior", "senior"))
    severance_per_fte: float = param(4800.0, 0.0, 1e12, "severance paid per full-time equivalent dismissed, "
                                     "once (default: 8 weeks of the default wage_per_year of 31,200)")


@register
class Layoffs(Strategy):
    """Cut front-line staff in a downturn: wages fall now, service and loyalty later.

    Models the anti-strategy of seed 001: in a downturn firms lay off exactly
    the front-line staff who create loyalty ("only loyal employees create
    loyal customers"; the "loyalty dilemma", MODEL.md §5, §6). At ``start``
    (a week, one-off; ``duration`` has no effect: the positions stay empty
    for the rest of the run, the engine never refills a dismissed position)
    the firm dismisses ``share`` of its employed full-time equivalents (FTE)
    through ``ctx.dismiss_fte``, so a market of 1,000 people loses the same
    share of its staff as one of 20,000: positions chosen at random from the
    strategy's own stream, or the least / most tenured first (``select``),
    are emptied while they fit and the next one's hours are cut. It books
    ``severance_per_fte`` per FTE dismissed under ``layoffs`` in that step; the savings show as lower wages in the engine's books. The
    remaining staff carry a higher workload, which lowers their engagement and
    the service they deliver; customers attached to a dismissed employee lose
    the bond and some affect.

    Parameters: ``start`` (week), ``duration`` (unused), ``share``, ``select``,
    ``severance_per_fte`` (:class:`LayoffsConfig`).

    Expected signature against the baseline on the same seeds: profit rises
    in the weeks after the cut (lower wages), the workload rises, staff
    engagement and service level fall, and later retention, customers and
    revenue fall (the loyalty dilemma).
    """

    name = "layoffs"
    description = "one-off lay-off of a share of front-line staff: cheaper now, less loyalty later (001)"
    config_class = LayoffsConfig

    def setup(self, ctx: StepContext) -> None:
        self.done = False
        self.cut_now = False
        self.dismissed = np.zeros(0, dtype=np.int64)   # positions emptied
        self.dismissed_fte = 0.0                         # full-time equivalents dismissed

    def adjust_offer(self, ctx: StepContext) -> None:
        self.cut_now = False
        if self.done or not self.active(ctx):
            return
        self.done = self.cut_now = True
        staff = ctx.staff
        positions = np.flatnonzero(staff.employed & (staff.firm == ctx.firm.index))
        if self.config.select == "random":
            key = self.stream(ctx).random(staff.m)[positions]
        elif self.config.select == "junior":
            key = staff.tenure[positions]
        else:
            key = -staff.tenure[positions]
        self.dismissed_fte = self.config.share * float(staff.fte[positions].sum())
        self.dismissed = ctx.dismiss_fte(self.dismissed_fte, positions[np.argsort(key, kind="stable")])

    def after_step(self, ctx: StepContext) -> None:
        if self.cut_now and self.active(ctx):
            self.book(ctx, self.config.severance_per_fte * self.dismissed_fte)
