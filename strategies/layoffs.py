"""Lay-offs / cost cutting, the anti-strategy (seed 001)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.context import StepContext
from strategies.base import Strategy, StrategyConfig, param
from strategies.registry import register


@dataclass
class LayoffsConfig(StrategyConfig):
    """Parameters of :class:`Layoffs`."""

    share: float = param(
        0.3,
        0.0,
        1.0,
        "share of the firm's employed front-line staff, in full-time equivalents, dismissed at start",
        unit="share of FTE",
        source="assumption (no empirical source)",
    )
    select: str = param(
        "random",
        doc="who goes: 'random' (drawn from the strategy's own stream), 'junior' "
        "(least tenure first: last in, first out) or 'senior' (most tenure first)",
        choices=("random", "junior", "senior"),
        unit="label",
        source="setting (not a behavioural assumption)",
    )
    severance_per_fte: float = param(
        4800.0,
        0.0,
        1e12,
        "severance paid per full-time equivalent dismissed, "
        "once (default: 8 weeks of the default wage_per_year of 31,200)",
        unit="currency per FTE dismissed",
        source="assumption (no empirical source)",
    )
    survivor_engagement_drop: float = param(
        0.072,
        0.0,
        1.0,
        "engagement (0-1) the survivors lose when colleagues "
        "are laid off, whatever the share (the firm's morale; it adds to the "
        "engagement target beside pay, levers and strain): layoff survivor "
        "syndrome (Brockner, Grover, Reed, DeWitt & O'Malley 1987, 'Survivors' "
        "reactions to layoffs: we get by with a little help for our friends'; "
        "Noer 1993, 'Healing the wounds'). Calibrated to Trevor & Nyberg 2008, "
        "'Keeping your headcount when all about you are losing theirs': "
        "voluntary turnover of 13% at firms that laid off as little as 0.5% of "
        "their staff against about 10.4% at firms that did not, 1.25 times: the "
        "layoffs_downturn experiment's survivors quit about 1.25 times as often "
        "as without the lay-off in the year after it (an extrapolation to its "
        "30% cut: the study found the effect even for small cuts)",
        unit="engagement (0–1)",
        source="calibrated to Trevor & Nyberg 2008 (voluntary turnover about 1.25 times as high after a lay-off)",
    )
    survivor_half_life_weeks: float = param(
        52.0,
        0.01,
        1e6,
        "half-life of the survivors' lost engagement: slow; no published half-life, loosely "
        "consistent with Allen, Freeman, Russell, Reizenstein & Rentz 2001, 'Survivor reactions "
        "to organizational downsizing: does time ease the pain?', who followed survivors over "
        "three waves and found no general recovery (satisfaction with top management rose, job "
        "involvement fell further)",
        lo_open=True,
        unit="weeks",
        source="assumption (no empirical source)",
    )


@register
class Layoffs(Strategy):
    """Cut front-line staff in a downturn: wages fall now, service and loyalty later.

    Models the anti-strategy of seed 001: in a downturn firms lay off exactly
    the front-line staff who create loyalty ("only loyal employees create
    loyal customers"; the "loyalty dilemma"). At ``start``
    (a week, one-off; ``duration`` has no effect: the positions stay empty
    for the rest of the run, the engine never refills a dismissed position)
    the firm dismisses ``share`` of its employed full-time equivalents (FTE)
    through ``ctx.dismiss_fte``, so a market of 1,000 people loses the same
    share of its staff as one of 20,000: positions chosen at random from the
    strategy's own stream, or the least / most tenured first (``select``),
    are emptied while they fit and the next one's hours are cut. It books
    ``severance_per_fte`` per FTE dismissed under ``layoffs`` in that step;
    the savings show as lower wages in the engine's books. The
    remaining staff carry a higher workload, which lowers their engagement and
    the service they deliver; customers attached to a dismissed employee lose
    the bond and some affect. The survivors also lose engagement whatever
    their workload (layoff survivor syndrome: guilt, anxiety and broken
    trust; Brockner et al. 1987): from the cut the firm's ``morale`` lever
    is lowered by ``survivor_engagement_drop``, fading by half every
    ``survivor_half_life_weeks``, so they quit more often and serve less
    well. Calibrated to Trevor & Nyberg 2008: voluntary turnover about 25%
    higher in the year after a downsizing (docs/model.md). The drop does
    not depend on how the dismissed were treated (severance), which the
    studies found matters.

    Parameters: ``start`` (week), ``duration`` (unused), ``share``, ``select``,
    ``severance_per_fte``, ``survivor_engagement_drop``,
    ``survivor_half_life_weeks`` (:class:`LayoffsConfig`).

    Expected signature against the baseline on the same seeds: profit rises
    in the weeks after the cut (lower wages), the workload rises, staff
    engagement, service level and the survivors' tenure fall, and later
    retention, customers and revenue fall (the loyalty dilemma).
    """

    name = "layoffs"
    description = "one-off lay-off of a share of front-line staff: cheaper now, less loyalty later (001)"
    config_class = LayoffsConfig
    config: LayoffsConfig

    def setup(self, ctx: StepContext) -> None:
        self.done = False
        self.cut_now = False
        self.dismissed = np.zeros(0, dtype=np.int64)  # positions emptied
        self.dismissed_fte = 0.0  # full-time equivalents dismissed
        self.morale = 0.0  # this programme's part of the firm's morale

    def _survivors_morale(self, ctx: StepContext) -> None:
        """The survivors' lost engagement, fading since the cut (made in the
        programme's first step): only this programme's own part of the
        firm's ``morale`` changes."""
        weeks = self.weeks_running(ctx)
        now = -self.config.survivor_engagement_drop * 0.5 ** (weeks / self.config.survivor_half_life_weeks)
        ctx.firm.morale = ctx.firm.morale - self.morale + now
        self.morale = now

    def adjust_offer(self, ctx: StepContext) -> None:
        self.cut_now = False
        if self.done:
            if self.dismissed_fte > 0:
                self._survivors_morale(ctx)
            return
        if not self.active(ctx):
            return
        self.done = self.cut_now = True
        staff = ctx.staff
        positions = np.flatnonzero(staff.employed & (staff.firm == ctx.firm.index))
        if self.config.select == "random":
            key: np.ndarray = self.stream(ctx).random(staff.m)[positions]
        elif self.config.select == "junior":
            key = staff.tenure[positions]
        else:
            key = -staff.tenure[positions]
        self.dismissed_fte = self.config.share * float(staff.fte[positions].sum())
        self.dismissed = ctx.dismiss_fte(self.dismissed_fte, positions[np.argsort(key, kind="stable")])
        if self.dismissed_fte > 0:
            self._survivors_morale(ctx)

    def after_step(self, ctx: StepContext) -> None:
        if self.cut_now and self.active(ctx):
            self.book(ctx, self.config.severance_per_fte * self.dismissed_fte)
