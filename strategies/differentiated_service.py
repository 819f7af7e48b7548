"""Differentiated service (seed 000: in-store interior-design advice)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agents.states import is_customer
from sim.context import StepContext
from sim.units import period_begins
from strategies.base import Strategy, StrategyConfig, param
from strategies.registry import register
from strategies.targeting import TARGETING, target_scores, top


@dataclass
class DifferentiatedServiceConfig(StrategyConfig):
    """Parameters of :class:`DifferentiatedService`."""

    segment: int = param(
        -1,
        -1,
        2,
        "segment targeted (0 price, 1 value, 2 service); -1: all segments",
        unit="segment index (-1 = all)",
        source="setting (not a behavioural assumption)",
    )
    target_share: float = param(
        0.2,
        0.0,
        1.0,
        "share of the firm's current customers (of the segment) "
        "targeted, the top ones by the targeting score (by spend: 002, 003's 80/20)",
        lo_open=True,
        unit="share (0–1)",
        source=(
            "seed 002 (On consumer loyalty: your views); seed 003 (Customer retention cases): 20% of "
            "customers bring 80% of revenue"
        ),
    )
    targeting: str = param(
        "value",
        doc="how targets are chosen: value (annual spend at the firm), risk (chance "
        "the relationship ends within a year) or uplift (the category spend the firm has not "
        "secured): strategies.targeting",
        choices=TARGETING,
        unit="label",
        source="setting (not a behavioural assumption)",
    )
    refresh_weeks: int = param(
        13,
        1,
        1_000_000,
        "weeks between two selections of the targets (13: quarterly)",
        unit="weeks",
        source="assumption (no empirical source)",
    )
    service_lift: float = param(
        0.2,
        0.0,
        1.0,
        "service level added for a targeted customer at full empowerment (personal advice)",
        unit="service (0–1)",
        source="assumption (no empirical source)",
    )
    basket_lift: float = param(
        0.3,
        0.0,
        10.0,
        "relative rise of a targeted customer's basket at full empowerment (000: customers bought whole sets)",
        unit="share of the basket",
        source="assumption (no empirical source)",
    )
    empowerment_weight: float = param(
        0.5,
        0.0,
        1.0,
        "share of the lifts that depends on staff empowerment: lifts x (1 - w x (1 - empowerment))",
        unit="share (0–1)",
        source="assumption (no empirical source)",
    )
    skill_threshold: float = param(
        0.6,
        0.0,
        1.0,
        "mean skill of the firm's employed staff above which the personalised service can be delivered at all",
        unit="score (0–1)",
        source="assumption (no empirical source)",
    )
    cost_per_visit: float = param(
        5.0,
        0.0,
        1e9,
        "cost of the advice per targeted visit (000: the store "
        "hired design experts); a purchase holds visits_per_purchase visits",
        unit="currency per targeted visit",
        source="assumption (no empirical source)",
    )
    staff_time: float = param(
        0.25,
        0.0,
        100.0,
        "front-line staff time a targeted visit takes on top of "
        "an ordinary visit, in visits (raises next step's workload)",
        unit="visits of staff time per targeted visit",
        source="assumption (no empirical source)",
    )
    cost_per_store_per_year: float = param(
        15600.0,
        0.0,
        1e12,
        "running cost of the programme per store and "
        "year (customer records, coordination), booked while it runs "
        "(default: 300 a week for the default market's one store)",
        unit="currency per store per year",
        source="assumption (no empirical source)",
    )


@register
class DifferentiatedService(Strategy):
    """Personalised service for targeted customers: better service, bigger baskets.

    Models seed 000's home-furnishing dealers who offered every shopper an
    in-store interior-design consultation: "customers came like clouds, and
    most bought whole sets". The programme targets the firm's
    top ``target_share`` current customers by annualised spend at the firm
    (002/003: focus on the valuable 20-30%), optionally only within one
    ``segment``; the targets are chosen again every ``refresh_weeks`` weeks. A
    targeted customer who shops at the firm gets ``service_lift`` added to the
    service level delivered (the ``service_bonus`` modifier) and a basket larger by
    ``basket_lift`` (the ``basket_factor`` modifier, ``1 + basket_lift``); both are scaled by
    ``1 - empowerment_weight * (1 - ctx.firm.empowerment)`` (empowered staff can
    tailor advice) and apply only while the mean skill of the firm's employed
    staff exceeds ``skill_threshold`` (unskilled staff cannot give expert
    advice). The advice costs staff time: each targeted visit (a purchase
    holds ``visits_per_purchase`` visits) adds ``staff_time`` visits to the
    firm's workload of the next step (this lowers everyone's service and
    staff engagement when staff are stretched) and books ``cost_per_visit``;
    the programme books ``cost_per_store_per_year`` per store (people in the
    market / ``customers_per_store``, the step's share) while it runs,
    whether or not the staff can deliver. No published figure sizes the
    lifts; the defaults are assumptions.

    Parameters: ``start``, ``duration`` (weeks), ``segment``, ``target_share``,
    ``refresh_weeks``, ``service_lift``, ``basket_lift``,
    ``empowerment_weight``, ``skill_threshold``, ``cost_per_visit``,
    ``staff_time``, ``cost_per_store_per_year`` (:class:`DifferentiatedServiceConfig`).

    Expected signature against the baseline on the same seeds: the targeted
    customers get better service, buy bigger baskets and stay longer;
    workload rises a little; nothing changes but the programme's cost when
    the staff's skill is below the threshold.
    """

    name = "differentiated_service"
    description = "personalised service for top customers or a segment: service and basket lift (000)"
    config_class = DifferentiatedServiceConfig
    config: DifferentiatedServiceConfig

    def setup(self, ctx: StepContext) -> None:
        self.targets = np.zeros(ctx.customers.n, dtype=bool)
        self.first_targets: np.ndarray | None = None
        self.steps_run = 0
        self.delivering = False

    # ------------------------------------------------------------ helpers
    def staff_skill(self, ctx: StepContext) -> float:
        """Mean skill of the firm's employed staff (0 if it has none)."""
        staff = ctx.staff
        mine = (staff.firm == ctx.firm.index) & staff.employed
        return float(staff.skill[mine].mean()) if mine.any() else 0.0

    def select_targets(self, ctx: StepContext) -> np.ndarray:
        """The top ``target_share`` of the firm's current customers (of the
        segment) by the targeting score (:mod:`strategies.targeting`)."""
        cust, f, cfg = ctx.customers, ctx.firm.index, self.config
        pool = is_customer(cust.state[:, f])
        if cfg.segment >= 0:
            pool &= cust.segment == cfg.segment
        return top(target_scores(ctx, cfg.targeting), pool, int(np.ceil(cfg.target_share * pool.sum())))

    def _forget_replaced(self, ctx: StepContext) -> None:
        """Customers who left the category were replaced by new prospects,
        whose modifiers the engine reset: they are no longer targets."""
        self.targets &= ~self.replaced_customers(ctx)

    def _apply(self, ctx: StepContext, service: np.ndarray, basket: np.ndarray) -> None:
        """Replace this strategy's contribution to the modifiers by the given one
        (other strategies may add their own to the same modifiers)."""
        self.set_share(ctx, "service_bonus", service)
        self.set_share(ctx, "basket_factor", basket)

    # ------------------------------------------------------------ hooks
    def adjust_offer(self, ctx: StepContext) -> None:
        cfg, n = self.config, ctx.customers.n
        if not self.active(ctx):
            self.delivering = False
            if self.has_shares():  # the programme has ended
                self._forget_replaced(ctx)
                zero = np.zeros(n, dtype=np.float32)
                self._apply(ctx, zero, zero.copy())
            return
        self._forget_replaced(ctx)
        if period_begins(self.steps_run, cfg.refresh_weeks, ctx.units.weeks):
            self.targets = self.select_targets(ctx)
            if self.first_targets is None:
                self.first_targets = self.targets.copy()
        self.steps_run += 1
        self.delivering = self.staff_skill(ctx) > cfg.skill_threshold
        if self.delivering:
            scale = 1.0 - cfg.empowerment_weight * (1.0 - ctx.firm.empowerment)
            service = np.where(self.targets, cfg.service_lift * scale, 0.0).astype(np.float32)
            basket = np.where(self.targets, cfg.basket_lift * scale, 0.0).astype(np.float32)
            self._apply(ctx, service, basket)
        elif self.has_shares():  # skill fell below the threshold
            zero = np.zeros(n, dtype=np.float32)
            self._apply(ctx, zero, zero.copy())

    def after_step(self, ctx: StepContext) -> None:
        if not self.active(ctx):
            return
        cfg = self.config
        self.book(ctx, self.per_store(ctx, cfg.cost_per_store_per_year))
        if not self.delivering:
            return
        bought = ctx.step_purchases
        served = self.visits(ctx, (bought.firm == ctx.firm.index) & self.targets[bought.buyers])
        self.book(ctx, cfg.cost_per_visit * served)
        # the advice takes staff time: it counts toward the next step's workload
        ctx.add_staff_time(cfg.staff_time * served)
