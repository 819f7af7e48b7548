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
    share: float = param(0.3, 0.0, 1.0, "share of the firm's employed front-line staff dismissed at start")
    select: str = param("random", doc="who goes: 'random' (drawn from the strategy's own stream), 'junior' "
                        "(least tenure first: last in, first out) or 'senior' (most tenure first)",
                        choices=("random", "junior", "senior"))
    severance_per_employee: float = param(4800.0, 0.0, 1e12, "severance paid per dismissed employee "
                                          "(default: 8 weeks of the default wage)")


@register
class Layoffs(Strategy):
    """Cut front-line staff in a downturn: wages fall now, service and loyalty later.

    Models the anti-strategy of seed 001: in a downturn firms lay off exactly
    the front-line staff who create loyalty ("only loyal employees create
    loyal customers"; the "loyalty dilemma", MODEL.md §5, §6). At ``start``
    (one-off; ``duration`` has no effect: the positions stay empty for the
    rest of the run, the engine never refills a dismissed position) the firm
    dismisses ``round(share x`` its employed staff``)`` through
    ``ctx.dismiss``: chosen at random from the strategy's own stream, or the
    least / most tenured first (``select``). It books
    ``severance_per_employee`` per dismissed employee under ``layoffs`` in
    that step; the savings show as lower wages in the engine's books. The
    remaining staff carry a higher workload, which lowers their engagement and
    the service they deliver; customers attached to a dismissed employee lose
    the bond and some affect.

    Parameters: ``start``, ``duration`` (unused), ``share``, ``select``,
    ``severance_per_employee`` (:class:`LayoffsConfig`).

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
        self.dismissed = np.zeros(0, dtype=np.int64)

    def adjust_offer(self, ctx: StepContext) -> None:
        self.cut_now = False
        if self.done or not self.active(ctx):
            return
        self.done = self.cut_now = True
        staff = ctx.staff
        positions = np.flatnonzero(staff.employed & (staff.firm == ctx.firm.index))
        k = int(np.floor(self.config.share * len(positions) + 0.5))
        if self.config.select == "random":
            key = self.stream(ctx).random(staff.m)[positions]
        elif self.config.select == "junior":
            key = staff.tenure[positions]
        else:
            key = -staff.tenure[positions]
        self.dismissed = positions[np.argsort(key, kind="stable")[:k]]
        ctx.dismiss(self.dismissed)

    def after_step(self, ctx: StepContext) -> None:
        if self.cut_now and self.active(ctx):
            self.book(ctx, self.config.severance_per_employee * len(self.dismissed))
