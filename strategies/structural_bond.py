"""Structural bonds (seed 003: the third level of customer retention, 结构性联系)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.context import StepContext
from agents.states import is_customer
from sim.units import period_begins
from strategies.base import Strategy, StrategyConfig, param
from strategies.registry import register
from strategies.targeting import TARGETING, target_scores, top


@dataclass
class StructuralBondConfig(StrategyConfig):
    """Parameters of :class:`StructuralBond`."""

    offer_share: float = param(
        0.2,
        0.0,
        1.0,
        "share of the firm's current customers offered the system, the top "
        "ones by the targeting score (003: the 20% who bring 80% of the revenue)",
        lo_open=True,
        unit="share (0–1)",
        source="seed 003 (Customer retention cases): the 20% of customers who bring 80% of revenue",
    )
    targeting: str = param(
        "value",
        doc="how the customers offered the system are chosen: value (annual spend at "
        "the firm), risk (chance the relationship ends within a year) or uplift (the category "
        "spend the firm has not secured): strategies.targeting",
        choices=TARGETING,
        unit="label",
        source="setting (not a behavioural assumption)",
    )
    refresh_weeks: int = param(
        13,
        1,
        1_000_000,
        "weeks between two offer rounds: each round offers the system "
        "to the top customers who do not use it yet (13: quarterly)",
        unit="weeks",
        source="assumption (no empirical source)",
    )
    adoption_half_life_weeks: float = param(
        13.0,
        0.0,
        1e9,
        "weeks until half of the customers offered the system use it: adopting a system is a "
        "project, not a purchase (most adopt within a year)",
        lo_open=True,
        unit="weeks",
        source="assumption (no empirical source)",
    )
    efficiency_saving: float = param(
        0.05,
        0.0,
        1.0,
        "what the system saves an adopter in their own costs of buying (ordering, stock, "
        "payment), as a share of the basket's value; it weighs in the choice as the same money "
        "off the price would, for that customer's price sensitivity (003: 为客户提高效率和产出); above the "
        "1-3% a points card gives back, below a 20-30% price cut",
        unit="share of the basket's value",
        source="assumption (no empirical source)",
    )
    routine_share: float = param(
        0.5,
        0.0,
        1.0,
        "share of an adopter's purchase occasions the system places at the firm as routine "
        "orders, without weighing up the firms (003: the system manages ordering, 管理订货; "
        "replenishment)",
        unit="share (0–1)",
        source="assumption (no empirical source)",
    )
    integration_bond: float = param(
        0.35,
        0.0,
        10.0,
        "an adopter's switching cost ('switching_bonus' modifier "
        "units): the routines built around the system, which a rival could not "
        "offer for years (003); the size of the subscription preset's contract (0.35), "
        "above the club's social bond (at most 0.15) and a points balance (at most "
        "0.25 plus the tier)",
        unit="switching-cost units",
        source="assumption (no empirical source)",
    )
    setup_cost_per_adopter: float = param(
        150.0,
        0.0,
        1e12,
        "one-off cost of installing the system for an adopter and training them (booked when they adopt)",
        unit="currency per adopter",
        source="assumption (no empirical source)",
    )
    cost_per_adopter_per_year: float = param(
        50.0,
        0.0,
        1e12,
        "running cost per adopter and year (support, accounts)",
        unit="currency per adopter per year",
        source="assumption (no empirical source)",
    )
    system_cost_per_store_per_year: float = param(
        15600.0,
        0.0,
        1e12,
        "cost of developing and running the "
        "system per store and year, booked while the programme runs "
        "(default: 300 a week for the default market's one store)",
        unit="currency per store per year",
        source="assumption (no empirical source)",
    )


@register
class StructuralBond(Strategy):
    """Structural bonds: a system that makes the customer's buying cheaper, and hard to leave.

    Models seed 003's third level of retention (Walmart), beyond financial
    bonds (price incentives: points, discounts) and social bonds (personal
    ties: the club): "结构性联系即提供以技术为基础的客户化服务,从而为客户提高效率和产出"
    (technology-based customised service that raises the customer's
    efficiency and output), such as "特定的设备或网络系统,以帮助客户管理订货、维护、
    付款、存款等事务" (equipment or a network system to manage ordering,
    maintenance, payment), which "竞争者要开发类似的系统需要花上几年时间" (rivals
    need years to copy). The seed's point: "无论是财务性联系还是社会性联系,当面临较大
    的价格差别时,都难以维持" (financial and social bonds both fail in the face of a
    large price difference); a structural bond gives "一个非价格动力" (a non-price
    motive) and raises the cost of switching suppliers.

    Mechanics (vectorised over all customers). Every ``refresh_weeks`` weeks
    the firm offers the system to the top ``offer_share`` of its current
    customers by the targeting score (:mod:`strategies.targeting`); each
    customer offered who does not use it yet adopts it in a step with the
    chance ``1 - 0.5 ** (step weeks / adoption_half_life_weeks)`` (one
    uniform draw each, from the strategy's own stream). An adopter keeps the
    system while they are the firm's customer and the programme runs; one
    whose relationship ends, or who leaves the category, loses it. The
    system places a ``routine_share`` of an adopter's purchase occasions at
    the firm as routine orders (one draw per adopter and step: the
    ``standing_order`` modifier), and those occasions are not a choice: a
    rival's price is not weighed on them (:func:`sim.phases.purchase_choice.standing_locks`).
    On the others, the firm's utility in the choice rises by ``efficiency_saving x
    price_sensitivity`` (the ``choice_bonus`` modifier): the saving is money,
    so it weighs most for exactly the price-sensitive customers a rival's
    price cut tempts, where a social bond weighs the same for everyone; and
    their switching costs rise by ``integration_bond`` (the
    ``switching_bonus`` modifier), which enters the choice and lowers the
    relationship's hazard (:mod:`sim.hazard`) as a contract's would, but
    without binding anyone. The programme books
    ``setup_cost_per_adopter`` per new adopter, ``cost_per_adopter_per_year``
    per adopter and ``system_cost_per_store_per_year`` per store, each step's
    share. When the programme ends the system is switched off and the bonds
    go with it. No published figure sizes a structural bond in retail; the
    defaults are assumptions, sized against the other bonds of the model.

    Parameters: ``start``, ``duration`` (weeks), ``offer_share``,
    ``targeting``, ``refresh_weeks``, ``adoption_half_life_weeks``,
    ``routine_share``, ``efficiency_saving``, ``integration_bond``, ``setup_cost_per_adopter``,
    ``cost_per_adopter_per_year``, ``system_cost_per_store_per_year``
    (:class:`StructuralBondConfig`).

    Expected signature against the baseline on the same seeds: the customers
    offered the system buy a larger share of their category at the firm, and
    their relationships end a little less often; when a rival cuts its price
    deeply, they keep more of their purchases at the firm than the same
    customers do as members of a club (a social bond) or of a points
    programme (a financial bond), through the routine orders (docs/model.md,
    "Structural bonds").
    """

    name = "structural_bond"
    description = (
        "an ordering system for top customers: routine orders, a saving in their own costs and a switching cost (003)"
    )
    config_class = StructuralBondConfig
    config: StructuralBondConfig

    def setup(self, ctx: StepContext) -> None:
        n = ctx.customers.n
        self.offered = np.zeros(n, dtype=bool)
        self.adopter = np.zeros(n, dtype=bool)
        self.routine: np.ndarray | None = None  # this step's routine orders
        self.new_adopters = 0
        self.steps_run = 0

    def _keep_current(self, ctx: StepContext) -> None:
        """Customers who left the category (replaced by newcomers) or whose
        relationship with the firm ended lose the system and the offer."""
        gone = self.replaced_customers(ctx)
        current = is_customer(ctx.customers.state[:, ctx.firm.index])
        self.adopter &= current & ~gone
        self.offered &= current & ~gone

    def _set_bonds(self, ctx: StepContext, routine: np.ndarray | None = None) -> None:
        """The adopters' saving and bond, and the routine orders
        ``routine`` (None: none)."""
        cfg = self.config
        saving = np.float32(cfg.efficiency_saving) * ctx.customers.price_sensitivity.astype(np.float32)
        self.set_share(ctx, "choice_bonus", np.where(self.adopter, saving, np.float32(0)))
        self.set_share(ctx, "switching_bonus", self.adopter * np.float32(cfg.integration_bond))
        standing = ctx.modifiers.standing_order
        if routine is not None or standing.in_use:
            standing.column(ctx.firm.index)[:] = False if routine is None else routine

    def adjust_offer(self, ctx: StepContext) -> None:
        if not self.active(ctx):
            if self.adopter.any() or self.offered.any():  # the programme ended: the system is switched off
                self.replaced_customers(ctx)
                self.adopter[:] = False
                self.offered[:] = False
                self.routine = None
                self._set_bonds(ctx)
            return
        cfg = self.config
        self._keep_current(ctx)
        if period_begins(self.steps_run, cfg.refresh_weeks, ctx.units.weeks):
            current = is_customer(ctx.customers.state[:, ctx.firm.index])
            k = int(math.ceil(cfg.offer_share * np.count_nonzero(current)))
            reached = self.adopter | self.offered
            self.offered |= top(
                target_scores(ctx, cfg.targeting), current & ~reached, k - int(np.count_nonzero(reached))
            )
        self.steps_run += 1
        waiting = self.offered & ~self.adopter
        chance = 1.0 - ctx.units.kept(cfg.adoption_half_life_weeks)
        adopts = waiting & (self.stream(ctx).random(ctx.customers.n) < chance)
        self.adopter |= adopts
        self.new_adopters = int(np.count_nonzero(adopts))
        self.routine = None
        if cfg.routine_share > 0:
            self.routine = self.adopter & (self.stream(ctx).random(ctx.customers.n) < cfg.routine_share)
        self._set_bonds(ctx, self.routine)

    def after_step(self, ctx: StepContext) -> None:
        if not self.active(ctx):
            return
        cfg = self.config
        self._keep_current(ctx)
        self._set_bonds(ctx, None if self.routine is None else self.routine & self.adopter)
        adopters = int(np.count_nonzero(self.adopter))
        self.book(
            ctx,
            self.new_adopters * cfg.setup_cost_per_adopter
            + ctx.units.per_step(adopters * cfg.cost_per_adopter_per_year)
            + self.per_store(ctx, cfg.system_cost_per_store_per_year),
        )
