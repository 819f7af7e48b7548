"""Points / VIP card (MODEL.md §6; seeds 001, 003: a financial bond and a switching cost)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.context import StepContext
from strategies.base import Strategy, StrategyConfig, param
from strategies.registry import register

ACCOUNTING = ("accrual", "cash")


@dataclass
class LoyaltyPointsConfig(StrategyConfig):
    """Parameters of :class:`LoyaltyPoints`."""
    earn_rate: float = param(1.0, 0.0, 1e6, "points earned per unit of money spent at the firm (base tier)")
    point_value: float = param(0.02, 0.0, 1e6,
                               "money a redeemed point is worth to the customer and costs the firm "
                               "(0.02 at 1 point per unit: 2% back, the usual retail 1-3%)")
    min_redeem: float = param(100.0, 0.0, 1e12, "balance (points) from which a buyer redeems at a purchase")
    redeem_share: float = param(0.3, 0.0, 1.0, "share of the balance a buyer above min_redeem burns at a purchase")
    expiry_per_year: float = param(1.05054, 0.0, 1000.0,
                                   "rate per year at which balances expire (a hazard: a step keeps "
                                   "exp(-rate x step in years) of every balance, a year exp(-1.05) = 35%; "
                                   "default: 2% a week; breakage, with the redemptions this leaves about "
                                   "15-25% of points unredeemed)")
    expected_breakage: float = param(0.2, 0.0, 1.0,
                                     "share of issued points the firm expects never to be redeemed "
                                     "(prices the liability)")
    silver_spend: float = param(1000.0, 0.0, 1e12,
                                "annualised spend at the firm from which a member is silver "
                                "(about the top fifth, 80/20)")
    gold_spend: float = param(2500.0, 0.0, 1e12, "annualised spend from which a member is gold (about the top 5%)")
    silver_multiplier: float = param(1.25, 0.0, 100.0, "earning multiplier of silver members")
    gold_multiplier: float = param(1.5, 0.0, 100.0, "earning multiplier of gold members")
    bond_per_point: float = param(0.001, 0.0, 10.0, "switching-cost bond per point of balance")
    bond_cap: float = param(0.25, 0.0, 10.0, "largest bond the balance gives (switching-cost units)")
    silver_bond: float = param(0.03, 0.0, 10.0, "extra bond of silver status (losing the tier is a switching cost)")
    gold_bond: float = param(0.06, 0.0, 10.0, "extra bond of gold status")
    accounting: str = param("accrual", doc="what is booked: accrual (expected cost of points as issued) "
                            "or cash (value of points redeemed)", choices=ACCOUNTING)
    admin_cost_per_store_per_year: float = param(5200.0, 0.0, 1e12, "running cost of the scheme per store and "
                                                 "year (cards, IT; default: 100 a week for the default market's "
                                                 "one store)")


@register
class LoyaltyPoints(Strategy):
    """Points / VIP card: earn and burn, tiers and breakage; a financial bond.

    Models the points and VIP cards of MODEL.md §6 ("financial bond and
    switching cost; rewards must feel like recognition, not a bargain tool",
    seeds 001 and 003): a balance of unredeemed points, and a status tier,
    are what a customer gives up by switching, so they enter the switching
    cost; 001 warns that such bonds make customers captive (they stay for the
    cost of leaving, not for affect) rather than loyal.

    Mechanics (vectorised, firm ``f`` running it). Each active step every
    buyer at the firm (``ctx.purchases``: buyers, firm, spent) earns ``earn_rate``
    points per unit spent, times the multiplier of their tier: silver from
    ``silver_spend``, gold from ``gold_spend`` of annualised spend at the firm
    (the engine's ``revenue`` column). A buyer whose balance is at least
    ``min_redeem`` burns ``redeem_share`` of it at that purchase; the reward
    is worth ``point_value`` a point and is a cost to the firm, not a lower
    price (the ``price_factor`` modifier is not used: rewards do not pull deal-seekers
    like a discount, and do not move reference prices). Balances expire at
    ``expiry_per_year`` (a rate: each step ``1 - exp(-rate x dt)`` of every
    balance expires, breakage). Balances are kept on the
    strategy (``balance`` [n]); a customer who leaves the category is
    replaced by a newcomer (the engine redraws their traits and zeroes the
    modifiers, ``Strategy.replaced_customers``), and their points lapse. A customer who defects to a rival keeps the points until they
    expire (they are part of the pull back). The bond ``min(bond_per_point *
    balance, bond_cap)`` plus the tier bond (``silver_bond``, ``gold_bond``)
    is the firm's column of the ``switching_bonus`` modifier (added to switching costs,
    MODEL.md §4), set after the step for the next one; only the strategy's
    own contribution is added or removed, so other users of the modifier compose.

    Money: under ``accounting="accrual"`` (default) the firm books, under
    ``loyalty_points``, the expected cost of the points it issues, ``issued *
    point_value * (1 - expected_breakage)`` (the increase of the redemption
    liability from issuance; the liability is not trued up to the actual
    breakage); under ``"cash"`` it books the value of the points redeemed.
    Either way it books ``admin_cost_per_store_per_year`` per store (people
    in the market / ``customers_per_store``, the step's share), and reports ``liability``
    (outstanding balance x ``point_value`` x (1 - ``expected_breakage``)),
    ``issued``, ``redeemed``, ``expired`` (points, cumulative) and
    ``breakage`` (share of the points that left balances by expiry or exit).
    When the programme ends the scheme closes: the bond is removed and the
    outstanding points lapse (nothing more is booked once inactive).

    Parameters: ``start``, ``duration`` (weeks), ``earn_rate``, ``point_value``,
    ``min_redeem``, ``redeem_share``, ``expiry_per_year``, ``expected_breakage``,
    ``silver_spend``, ``gold_spend``, ``silver_multiplier``,
    ``gold_multiplier``, ``bond_per_point``, ``bond_cap``, ``silver_bond``,
    ``gold_bond``, ``accounting``, ``admin_cost_per_store_per_year``
    (:class:`LoyaltyPointsConfig`).

    Expected signature against the baseline on the same seeds: switching
    costs and the repeat-purchase rate of the firm's customers rise, and so
    does the share of captive customers (bonded without affect, 001); the
    programme costs about ``point_value * earn_rate`` of the members' spend.
    """

    name = "loyalty_points"
    description = "points / VIP card: earn, burn, tiers, breakage; the balance is a switching-cost bond (001, 003)"
    config_class = LoyaltyPointsConfig

    def setup(self, ctx: StepContext) -> None:
        n = ctx.customers.n
        self.balance = np.zeros(n)
        self.running = False
        self.issued = self.redeemed = self.expired = self.lapsed = 0.0
        self.liability = 0.0

    # ---------------------------------------------------------------- helpers
    def _tiers(self, ctx: StepContext, f: int) -> tuple[np.ndarray, np.ndarray]:
        annual = ctx.customers.revenue[:, f]
        return annual >= self.config.silver_spend, annual >= self.config.gold_spend


    def _lapse_replaced(self, ctx: StepContext) -> None:
        """Points of customers who left the category (replaced by newcomers) lapse."""
        gone = self.replaced_customers(ctx)
        if gone.any():
            self.lapsed += float(self.balance[gone].sum())
            self.balance[gone] = 0.0

    @property
    def breakage(self) -> float:
        """Share of the points that left balances unredeemed (expiry, exits)."""
        out = self.redeemed + self.expired + self.lapsed
        return (self.expired + self.lapsed) / out if out > 0 else float("nan")

    # ---------------------------------------------------------------- hooks
    def adjust_offer(self, ctx: StepContext) -> None:
        if self.running and not self.active(ctx):
            # the scheme closes: outstanding points lapse and the bond goes
            self._lapse_replaced(ctx)
            self.lapsed += float(self.balance.sum())
            self.balance[:] = 0.0
            self.set_share(ctx, "switching_bonus", np.zeros(ctx.customers.n))
            self.liability = 0.0
            self.running = False

    def after_step(self, ctx: StepContext) -> None:
        if not self.active(ctx):
            return
        cfg, f = self.config, ctx.firm.index
        self.running = True
        self._lapse_replaced(ctx)
        silver, gold = self._tiers(ctx, f)
        multiplier = np.where(gold, cfg.gold_multiplier, np.where(silver, cfg.silver_multiplier, 1.0))
        bought = ctx.purchases
        issued = burned = 0.0
        for in_round in bought.in_rounds():         # a customer buys at most once a visit round
            mine = in_round & (bought.firm == f)
            buyers = bought.buyers[mine]
            earned = cfg.earn_rate * multiplier[buyers] * bought.spent[mine]
            # burn at this purchase (on the balance held before it), then earn
            held = self.balance[buyers]
            burn = np.where(held >= cfg.min_redeem, cfg.redeem_share * held, 0.0)
            self.balance[buyers] = held - burn + earned
            issued, burned = issued + float(earned.sum()), burned + float(burn.sum())
        expired = ctx.units.probability(cfg.expiry_per_year) * self.balance
        self.balance -= expired
        self.issued += issued
        self.redeemed += burned
        self.expired += float(expired.sum())
        self.liability = float(self.balance.sum()) * cfg.point_value * (1 - cfg.expected_breakage)
        if cfg.accounting == "accrual":
            programme = issued * cfg.point_value * (1 - cfg.expected_breakage)
        else:
            programme = burned * cfg.point_value
        self.book(ctx, programme + self.per_store(ctx, cfg.admin_cost_per_store_per_year))
        # the bond for the next step: balance plus status (recomputed after this step's spend)
        silver, gold = self._tiers(ctx, f)
        bond = np.minimum(cfg.bond_per_point * self.balance, cfg.bond_cap)
        bond += np.where(gold, cfg.gold_bond, np.where(silver, cfg.silver_bond, 0.0))
        self.set_share(ctx, "switching_bonus", bond)


__all__ = ["LoyaltyPoints", "LoyaltyPointsConfig"]
