"""Club marketing (seed 000 "俱乐部营销", seed 003 social bonds)."""

from __future__ import annotations

import math
from dataclasses import MISSING, dataclass
from typing import Any

import numpy as np

from sim.config import ConfigError
from agents.customers import CustomerPopulation
from agents.states import is_customer
from sim.context import StepContext
from sim.units import period_begins
from strategies.base import Strategy, StrategyConfig, param
from strategies.registry import register
from strategies.targeting import TARGETING, target_scores, top

_EVENT_SIZES = "assumption (no empirical source)"
_CALENDAR = "seed 000 (The fourth degree of customer management: loyalty): the event calendar"


@dataclass
class ClubEvent:
    """One kind of event of the club's calendar (seed 000: VIP lectures,
    sports training, outings, holiday gifts, a year-end gala)."""

    kind: str = param(MISSING, doc="what the event is", nonblank=True, unit="label", source=_CALENDAR)
    per_year: float = param(
        MISSING, 0.0, 10_000.0, "events of this kind a year", lo_open=True, unit="per year", source=_EVENT_SIZES
    )
    phase: float = param(
        MISSING,
        0.0,
        1.0,
        "when in its period the event falls (0: at the start)",
        unit="share of the period (0–1)",
        source=_EVENT_SIZES,
    )
    attendance: float = param(
        MISSING, 0.0, 1.0, "chance a member attends", unit="probability per member and event", source=_EVENT_SIZES
    )
    cost_per_attendee: float = param(
        MISSING, 0.0, 1e12, "what an attendee costs the firm", unit="currency per attendee", source=_EVENT_SIZES
    )
    belonging: float = param(
        MISSING, 0.0, 1.0, "club belonging an attendee gains", unit="score (0–1) per attendance", source=_EVENT_SIZES
    )


#: seed 000's calendar: VIP lectures quarterly, sports training quarterly,
#: outdoor outings monthly, holiday cards/gifts, a year-end thank-you gala
DEFAULT_EVENTS = [
    ClubEvent("lecture", 4.0, 0.5, 0.3, 30.0, 0.05),
    ClubEvent("sports", 4.0, 0.25, 0.25, 40.0, 0.06),
    ClubEvent("outdoor", 12.0, 0.5, 0.2, 15.0, 0.04),
    ClubEvent("holiday_gift", 4.0, 0.75, 1.0, 10.0, 0.03),
    ClubEvent("year_end_gala", 1.0, 0.0, 0.5, 80.0, 0.1),
]


@dataclass
class ClubMarketingConfig(StrategyConfig):
    """Parameters of :class:`ClubMarketing`."""

    member_share: float = param(
        0.2,
        0.0,
        1.0,
        "share of the firm's customers admitted, the top ones by the "
        "targeting score (000/003: the 20% 'big customers' who bring 80%)",
        lo_open=True,
        unit="share (0–1)",
        source=(
            "seed 000 (The fourth degree of customer management: loyalty); seed 003 (Customer "
            "retention cases): the 20% of customers who bring 80% of revenue"
        ),
    )
    targeting: str = param(
        "value",
        doc="how members are chosen: value (annual spend at the firm), risk (chance "
        "the relationship ends within a year) or uplift (the category spend the firm has not "
        "secured): strategies.targeting",
        choices=TARGETING,
        unit="label",
        source="setting (not a behavioural assumption)",
    )
    segments: list[str] = param(
        [],
        doc="segment names eligible for membership (criteria); [] = every segment",
        unit="list of segment names",
        source="setting (not a behavioural assumption)",
    )
    refresh_weeks: int = param(
        13,
        1,
        1_000_000,
        "weeks between membership reviews (13: quarterly)",
        unit="weeks",
        source="assumption (no empirical source)",
    )
    member_discount: float = param(
        0.03,
        0.0,
        0.9,
        "members' personal discount share via the 'price_factor' modifier (material benefit, 000: 优惠)",
        unit="share of the price",
        source="assumption (no empirical source)",
    )
    cost_per_member_per_year: float = param(
        26.0,
        0.0,
        1e12,
        "cost per member and year of extended and value-added services (000: 延伸服务与增值服务; default: 0.5 a week)",
        unit="currency per member per year",
        source="assumption (no empirical source)",
    )
    fee_per_member_per_year: float = param(
        0.0,
        0.0,
        1e12,
        "membership fee per member and year, booked as revenue",
        unit="currency per member per year",
        source="assumption (no empirical source)",
    )
    belonging_half_life_weeks: float = param(
        34.3096,
        0.0,
        1e9,
        "half-life of club belonging: it fades without events (default: 2% lost a week)",
        lo_open=True,
        unit="weeks",
        source="assumption (no empirical source)",
    )
    belonging_cap: float = param(
        0.5,
        0.0,
        1.0,
        "most belonging the club can grant a customer",
        unit="score (0–1)",
        source="assumption (no empirical source)",
    )
    social_bond: float = param(
        0.3,
        0.0,
        10.0,
        "switching cost ('switching_bonus' modifier units) per unit of club "
        "belonging: the social ties a member would lose (000: social resources; 003: social "
        "bonds)",
        unit="switching-cost units per unit of belonging",
        source="assumption (no empirical source)",
    )
    events: list[ClubEvent] = param(
        DEFAULT_EVENTS,
        doc="the event calendar (each kind of event: :class:`ClubEvent`)",
        unit="list of events",
        source=_CALENDAR,
    )


def _error(key: str, value: Any, what: str) -> ConfigError:
    return ConfigError(f"strategy.club_marketing.{key} = {value!r}: must {what}")


@register
class ClubMarketing(Strategy):
    """Club marketing: a members' club for the top customers with an event calendar.

    Models seed 000's third loyalty method, 俱乐部营销: "客户组成会员团体或俱乐部,
    通过加强内部的联系,让客户产生参与归属感,进而发展成店铺的忠诚客户" (customers form a
    members' club; closer ties inside it give them a sense of participation and
    belonging, and they become loyal), where "物质利益是基础,而情感的建立才是关键"
    (material benefit is the base, building emotion is the key), aimed at "大客户"
    (big customers) with "优先、优惠和优质" and the calendar "VIP大讲堂 ... 每季度
    举办一次; 健身训练 ... 每季度举办一次; 户外活动 ... 每月举办一次; 节假日寄送贺卡或
    小礼品; 每年末举办答谢晚会". Seed 003 (Walmart) gives the target, "20%的客户为企业
    带来80%的收入", and the social bond: holiday cards and small gifts "都会增加此客户
    留在该企业的可能性" (make the customer likelier to stay).

    Mechanics (vectorised over all customers). Every ``refresh_weeks`` weeks the
    firm admits the top ``member_share`` of its current customers by annualised
    spend (``customers.revenue``), among the ``segments`` listed (all if empty);
    in between, members who stop being its customers drop out. Members get the
    ``member_discount`` through the personal "price_factor" modifier and cost
    ``cost_per_member_per_year`` (material benefits; the step's share for every
    member); a ``fee_per_member_per_year`` is booked as revenue likewise.
    Each event of ``events`` falls ``per_year`` times a year
    (at ``phase`` of its period); each member attends with its ``attendance``
    rate (one uniform draw per event and customer, every active step, from the
    strategy's own stream); attending adds the event's ``belonging`` to
    the firm's ``belonging_bonus`` modifier (capped at ``belonging_cap``) and books
    ``cost_per_attendee``. Club belonging halves every
    ``belonging_half_life_weeks`` weeks, also after the programme ends, and ``social_bond`` times it is added to
    the member's switching costs ("switching_bonus" modifier): the social ties one loses by
    leaving. Belonging enters each purchase's experience and affect, so loyalty builds slowly, event by event.

    Parameters: ``start``, ``duration`` (weeks), ``member_share``, ``segments``,
    ``refresh_weeks``, ``member_discount``, ``cost_per_member_per_year``,
    ``fee_per_member_per_year``, ``belonging_half_life_weeks``, ``belonging_cap``,
    ``social_bond``, ``events`` (:class:`ClubMarketingConfig`).

    Expected signature against the baseline on the same seeds: the members'
    affective loyalty and retention exceed those of the same customers without
    the club, and the gap widens over months as belonging accumulates; event
    and member costs are booked every step, with peaks on event steps.
    """

    name = "club_marketing"
    description = "members' club for the top 20% by spend with an event calendar: slow belonging (000, 003)"
    config_class = ClubMarketingConfig
    config: ClubMarketingConfig

    # ------------------------------------------------------------------ hooks
    def setup(self, ctx: StepContext) -> None:
        cfg, cust = self.config, ctx.customers
        names = list(cust.segment_names)
        for i, s in enumerate(cfg.segments):
            if s not in names:
                raise _error(f"segments[{i}]", s, f"be one of the market's segments {', '.join(names)}")
        spy = ctx.steps_per_year
        for i, ev in enumerate(cfg.events):
            if ev.per_year > spy:
                raise _error(
                    f"events[{i}].per_year",
                    ev.per_year,
                    f"be at most the market's steps_per_year ({spy:g}): one event a step",
                )
        self.eligible = [names.index(s) for s in cfg.segments] or None  # segment indices
        events = cfg.events
        self.per_year = np.array([ev.per_year for ev in events], dtype=np.float64)
        self.phase = np.array([ev.phase for ev in events], dtype=np.float64)
        self.attendance = np.array([ev.attendance for ev in events], dtype=np.float32)
        self.event_cost = np.array([ev.cost_per_attendee for ev in events], dtype=np.float64)
        self.event_belonging = np.array([ev.belonging for ev in events], dtype=np.float32)
        self.kinds = [ev.kind for ev in events]
        self.steps_per_year = float(spy)
        self.member = np.zeros(cust.n, dtype=bool)
        self.steps_run = 0
        self.touched = False
        self.attendees = np.zeros(len(events), dtype=np.int64)  # attendees at the last step's events

    def due(self, k: int) -> np.ndarray:
        """Which events fall in the programme's ``k``-th step (0-based): an
        event ``per_year`` times a year falls where its count crosses an integer."""
        now = np.floor(self.per_year * (k + 1) / self.steps_per_year - self.phase)
        before = np.floor(self.per_year * k / self.steps_per_year - self.phase)
        return now > before

    def adjust_offer(self, ctx: StepContext) -> None:
        if not self.active(ctx):
            if self.touched and self.member.any():  # the programme ended: the club closes
                self._forget_replaced(ctx)
                self.member[:] = False
                self._set_offer(ctx)
            return
        self.touched = True
        self._forget_replaced(ctx)
        cust, f = ctx.customers, ctx.firm.index
        current = is_customer(cust.state[:, f])
        if period_begins(self.steps_run, self.config.refresh_weeks, ctx.units.weeks):
            self.member = self._select(cust, target_scores(ctx, self.config.targeting), current)
        else:
            self.member &= current  # members who stop being customers drop out
        self.steps_run += 1
        self._set_offer(ctx)

    def _select(self, cust: CustomerPopulation, scores: np.ndarray, current: np.ndarray) -> np.ndarray:
        """The top ``member_share`` of the firm's current customers by the
        targeting score, among the eligible segments (newcomers replace
        leavers, so read them now)."""
        pool = current if self.eligible is None else current & np.isin(cust.segment, self.eligible)
        return top(scores, pool, int(math.ceil(self.config.member_share * np.count_nonzero(current))))

    def _forget_replaced(self, ctx: StepContext) -> None:
        """Customers who left the category were replaced by newcomers: the
        engine reset their modifiers (club belonging too), so forget our shares."""
        self.member[self.replaced_customers(ctx)] = False

    def _set_offer(self, ctx: StepContext) -> None:
        """Members' discount through the 'price_factor' modifier, as a change of this
        club's own share (other programmes' offers are kept)."""
        if self.config.member_discount <= 0:
            return
        self.set_share(ctx, "price_factor", self.member * np.float32(self.config.member_discount))

    def after_step(self, ctx: StepContext) -> None:
        if not self.touched:
            return
        cust, f, cfg = ctx.customers, ctx.firm.index, self.config
        self._forget_replaced(ctx)
        club = ctx.modifiers.belonging_bonus.column(f)
        club *= np.float32(ctx.units.kept(cfg.belonging_half_life_weeks))
        if self.active(ctx):
            self.member &= is_customer(cust.state[:, f])  # this step's leavers drop out
            self._set_offer(ctx)
            u = self.stream(ctx).random((len(self.kinds), cust.n), dtype=np.float32)
            due = self.due(self.steps_run - 1)
            attend = (u < self.attendance[:, None]) & due[:, None] & self.member[None, :]
            gain = self.event_belonging @ attend.astype(np.float32)
            got = gain > 0
            club[got] = np.maximum(np.minimum(club[got] + gain[got], np.float32(cfg.belonging_cap)), club[got])
            self.attendees = attend.sum(axis=1)
            members = int(np.count_nonzero(self.member))
            self.book(
                ctx,
                float(self.attendees @ self.event_cost) + ctx.units.per_step(members * cfg.cost_per_member_per_year),
            )
            if cfg.fee_per_member_per_year > 0:
                ctx.add_revenue(ctx.units.per_step(members * cfg.fee_per_member_per_year))
        if cfg.social_bond > 0:
            self.set_share(ctx, "switching_bonus", np.float32(cfg.social_bond) * club)
