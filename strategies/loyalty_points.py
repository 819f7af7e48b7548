"""Points / VIP card (seeds 001, 003: a financial bond and a switching cost; the reward's
expected value and the goal gradient: Kivetz, Urminsky & Zheng 2006)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.context import StepContext
from sim.records import required
from strategies.base import Strategy, StrategyConfig, param
from strategies.registry import register

ACCOUNTING = ("accrual", "cash")


@dataclass
class LoyaltyPointsConfig(StrategyConfig):
    """Parameters of :class:`LoyaltyPoints`."""

    earn_rate: float = param(
        1.0,
        0.0,
        1e6,
        "points earned per unit of money spent at the firm (base tier)",
        unit="points per unit of currency",
        source="assumption (no empirical source)",
    )
    point_value: float = param(
        0.02,
        0.0,
        1e6,
        "money a redeemed point is worth to the customer and costs the firm "
        "(0.02 at 1 point per unit: 2% back, the usual retail 1-3%)",
        unit="currency per point",
        source="assumption (no empirical source)",
    )
    reward_points: float = param(
        400.0,
        1.0,
        1e12,
        "points a reward costs: a member whose balance reaches it redeems one reward "
        "(worth reward_points x point_value money, 8 by default) at that purchase; "
        "default: about ten median baskets (38.3) at 1 point per unit, as the "
        "ten-stamp coffee card of Kivetz, Urminsky & Zheng 2006",
        unit="points",
        source="Kivetz, Urminsky & Zheng 2006 (a ten-stamp coffee card)",
    )
    reward_weight: float = param(
        1.0,
        0.0,
        100.0,
        "utility of the reward's expected value in the choice, per unit of the "
        "customer's price sensitivity x (value / their basket): 1 = the value earned so "
        "far weighs as the same money off one basket would (the choice's price term); "
        "the expected value is the reward's value x progress to it (a reward far off is "
        "worth little yet: the goal-gradient hypothesis, Kivetz, Urminsky & Zheng 2006)",
        unit="multiplier (of the choice's price term)",
        source="assumption (no empirical source)",
    )
    goal_gradient: float = param(
        0.15,
        0.0,
        100.0,
        "rise of a member's chance of a purchase occasion at the threshold, as a share of "
        "it: chance x (1 + goal_gradient x progress), reset by the reward (post-reward "
        "resetting); 0.15 calibrated so that, with the reward's pull in the choice, "
        "members buy at the firm about 1.25 times as often in the last fifth of the way "
        "to a reward as in the first, within members (inter-purchase time 20% shorter: "
        "Kivetz, Urminsky & Zheng 2006, the coffee card)",
        unit="share of the purchase chance",
        source="calibrated to Kivetz, Urminsky & Zheng 2006 (inter-purchase time 20% shorter near the reward)",
    )
    expiry_per_year: float = param(
        1.05054,
        0.0,
        1000.0,
        "rate per year at which balances expire (a hazard: a step keeps "
        "exp(-rate x step in years) of every balance, a year exp(-1.05) = 35%; "
        "default: 2% a week; breakage, with the redemptions this leaves about "
        "15-25% of points unredeemed)",
        unit="rate per year",
        source="assumption (no empirical source)",
    )
    expected_breakage: float = param(
        0.2,
        0.0,
        1.0,
        "share of issued points the firm expects never to be redeemed (prices the liability)",
        unit="share (0–1)",
        source="assumption (no empirical source)",
    )
    silver_spend: float = param(
        1000.0,
        0.0,
        1e12,
        "annualised spend at the firm from which a member is silver (about the top fifth, 80/20)",
        unit="currency per year",
        source="assumption (no empirical source)",
    )
    gold_spend: float = param(
        2500.0,
        0.0,
        1e12,
        "annualised spend from which a member is gold (about the top 5%)",
        unit="currency per year",
        source="assumption (no empirical source)",
    )
    silver_multiplier: float = param(
        1.25,
        0.0,
        100.0,
        "earning multiplier of silver members",
        unit="multiplier",
        source="assumption (no empirical source)",
    )
    gold_multiplier: float = param(
        1.5,
        0.0,
        100.0,
        "earning multiplier of gold members",
        unit="multiplier",
        source="assumption (no empirical source)",
    )
    bond_per_point: float = param(
        0.001,
        0.0,
        10.0,
        "switching-cost bond per point of balance",
        unit="switching-cost units per point",
        source="assumption (no empirical source)",
    )
    bond_cap: float = param(
        0.25,
        0.0,
        10.0,
        "largest bond the balance gives",
        unit="switching-cost units",
        source="assumption (no empirical source)",
    )
    silver_bond: float = param(
        0.03,
        0.0,
        10.0,
        "extra bond of silver status (losing the tier is a switching cost)",
        unit="switching-cost units",
        source="assumption (no empirical source)",
    )
    gold_bond: float = param(
        0.06,
        0.0,
        10.0,
        "extra bond of gold status",
        unit="switching-cost units",
        source="assumption (no empirical source)",
    )
    accounting: str = param(
        "accrual",
        doc="what is booked: accrual (expected cost of points as issued) or cash (value of points redeemed)",
        choices=ACCOUNTING,
        unit="label",
        source="setting (not a behavioural assumption)",
    )
    admin_cost_per_store_per_year: float = param(
        5200.0,
        0.0,
        1e12,
        "running cost of the scheme per store and "
        "year (cards, IT; default: 100 a week for the default market's "
        "one store)",
        unit="currency per store per year",
        source="assumption (no empirical source)",
    )


@register
class LoyaltyPoints(Strategy):
    """Points / VIP card: earn and burn, tiers and breakage; a financial bond.

    Models points and VIP cards ("financial bond and
    switching cost; rewards must feel like recognition, not a bargain tool",
    seeds 001 and 003): a balance of unredeemed points, and a status tier,
    are what a customer gives up by switching, so they enter the switching
    cost; 001 warns that such bonds make customers captive (they stay for the
    cost of leaving, not for affect) rather than loyal. The reward also pulls
    forward: its expected value enters the choice, and purchases speed up as
    it nears (the goal gradient: Kivetz, Urminsky & Zheng 2006, "The
    goal-gradient hypothesis resurrected: purchase acceleration, illusionary
    goal progress, and customer retention": coffee-card members bought about
    20% more often, in inter-purchase time, at the end of the card than at
    its start, and slowed down again after the free coffee).

    Mechanics (vectorised, firm ``f`` running it). Each active step every
    buyer at the firm (``ctx.purchases``: buyers, firm, spent) earns ``earn_rate``
    points per unit spent, times the multiplier of their tier: silver from
    ``silver_spend``, gold from ``gold_spend`` of annualised spend at the firm
    (the engine's ``revenue`` column); a buyer is then a member. A member
    whose balance reaches ``reward_points`` redeems a reward at that
    purchase (as many as the balance holds), each worth ``reward_points *
    point_value`` and a cost to the firm, not a lower price (the
    ``price_factor`` modifier is not used: rewards do not pull deal-seekers
    like a discount, and do not move reference prices). Balances expire at
    ``expiry_per_year`` (a rate: each step ``1 - exp(-rate x dt)`` of every
    balance expires, breakage). Balances are kept per relationship in the
    ``points`` column of the modifiers (float32, ``[customers, firms]``, the
    firm's column); a customer who leaves the category is replaced by a
    newcomer (the engine zeroes their modifiers, ``Strategy.replaced_customers``),
    and their points lapse. A customer who defects to a rival keeps the
    points until they expire (they are part of the pull back).

    What the customer does with it, set after the step for the next one,
    for members, from their progress ``p = min(balance / reward_points, 1)``:

    - the bond ``min(bond_per_point * balance, bond_cap)`` plus the tier bond
      (``silver_bond``, ``gold_bond``) is the firm's column of the
      ``switching_bonus`` modifier (added to switching costs);
    - the reward's expected value, ``reward_weight * price_sensitivity *
      (reward_points * point_value * p) / spend`` (utility units:
      ``spend`` is the customer's basket of one visit, so the value earned so
      far weighs as the same share off a basket would in the choice's price
      term; discounted linearly by the distance still to go), is the firm's
      column of the ``choice_bonus`` modifier, added to the firm's utility;
      ``point_value`` and ``reward_points`` thus change what members choose;
    - the goal gradient, ``goal_gradient * p``, is the firm's column of the
      ``occasion_lift`` modifier: the member's chance of a purchase occasion
      is multiplied by ``1 + goal_gradient * p`` (at most 1; a customer who
      already buys every visit round cannot speed up). Redeeming resets ``p``
      to what is left over (post-reward resetting).

    Only the strategy's own contribution to a modifier is added or removed,
    so other users of it compose.

    Money: under ``accounting="accrual"`` (default) the firm books, under
    ``loyalty_points``, the expected cost of the points it issues, ``issued *
    point_value * (1 - expected_breakage)`` (the increase of the redemption
    liability from issuance; the liability is not trued up to the actual
    breakage); under ``"cash"`` it books the value of the rewards redeemed
    (``reward_points * point_value`` per redemption). Either way it books
    ``admin_cost_per_store_per_year`` per store (people in the market /
    ``customers_per_store``, the step's share), and reports ``liability``
    (outstanding balance x ``point_value`` x (1 - ``expected_breakage``)),
    ``issued``, ``redeemed``, ``expired`` (points, cumulative), ``rewards``
    (redemptions) and ``breakage`` (share of the points that left balances
    by expiry or exit). When the programme ends the scheme closes: the bond,
    the reward's pull and the goal gradient are removed and the outstanding
    points lapse (nothing more is booked once inactive).

    Parameters: ``start``, ``duration`` (weeks), ``earn_rate``, ``point_value``,
    ``reward_points``, ``reward_weight``, ``goal_gradient``,
    ``expiry_per_year``, ``expected_breakage``, ``silver_spend``,
    ``gold_spend``, ``silver_multiplier``, ``gold_multiplier``,
    ``bond_per_point``, ``bond_cap``, ``silver_bond``, ``gold_bond``,
    ``accounting``, ``admin_cost_per_store_per_year``
    (:class:`LoyaltyPointsConfig`).

    Expected signature against the baseline on the same seeds: switching
    costs and the repeat-purchase rate of the firm's customers rise, and so
    does the share of captive customers (bonded without affect, 001); members
    buy more often as a reward nears and less right after it; a richer
    reward draws members back more often; the programme costs about
    ``point_value * earn_rate`` of the members' spend.
    """

    name = "loyalty_points"
    description = (
        "points / VIP card: earn, burn, tiers, breakage; the balance is a switching-cost bond (001, 003), "
        "the reward's expected value pulls members, who buy faster as it nears (Kivetz et al. 2006)"
    )
    config_class = LoyaltyPointsConfig
    config: LoyaltyPointsConfig

    def setup(self, ctx: StepContext) -> None:
        n = ctx.customers.n
        self.member = np.zeros(n, dtype=bool)
        self.running = False
        self.issued = self.redeemed = self.expired = self.lapsed = 0.0
        self.rewards = 0
        self.liability = 0.0
        self._held = 0.0  # points held after the last step (what newcomers' resets took is lapsed)
        self._balance: np.ndarray | None = None

    # ---------------------------------------------------------------- helpers
    @property
    def balance(self) -> np.ndarray:
        """Points each customer holds at the firm (float32, the firm's column
        of the ``points`` modifier; zeros before the scheme first runs)."""
        return self._balance if self._balance is not None else np.zeros(len(self.member), dtype=np.float32)

    def progress(self) -> np.ndarray:
        """Each member's way to the next reward, 0-1 (0 for non-members)."""
        p = np.minimum(self.balance.astype(np.float64) / self.config.reward_points, 1.0)
        return np.where(self.member, p, 0.0)

    def _tiers(self, ctx: StepContext, f: int) -> tuple[np.ndarray, np.ndarray]:
        annual = ctx.customers.revenue[:, f]
        return annual >= self.config.silver_spend, annual >= self.config.gold_spend

    def _lapse_replaced(self, ctx: StepContext) -> None:
        """Points of customers who left the category (replaced by newcomers,
        whose modifiers the engine zeroed) lapse; newcomers are not members."""
        gone = self.replaced_customers(ctx)
        if gone.any():
            self.member[gone] = False
        if self._balance is not None:
            held = float(self._balance.sum(dtype=np.float64))
            self.lapsed += max(self._held - held, 0.0)
            self._held = held

    @property
    def breakage(self) -> float:
        """Share of the points that left balances unredeemed (expiry, exits)."""
        out = self.redeemed + self.expired + self.lapsed
        return (self.expired + self.lapsed) / out if out > 0 else float("nan")

    # ---------------------------------------------------------------- hooks
    def adjust_offer(self, ctx: StepContext) -> None:
        if self.running and not self.active(ctx):
            # the scheme closes: outstanding points lapse, the bond and the reward's pull go
            self._lapse_replaced(ctx)
            self.lapsed += self._held
            assert self._balance is not None  # running: after_step has taken the balance column
            self._balance[:] = 0.0
            self._held = 0.0
            self.member[:] = False
            for modifier in ("switching_bonus", "choice_bonus", "occasion_lift"):
                self.set_share(ctx, modifier, np.zeros(ctx.customers.n))
            self.liability = 0.0
            self.running = False

    def after_step(self, ctx: StepContext) -> None:
        if not self.active(ctx):
            return
        cfg, f = self.config, ctx.firm.index
        if self._balance is None:
            self._balance = ctx.modifiers.points.column(f)
        self.running = True
        self._lapse_replaced(ctx)
        balance = self._balance
        silver, gold = self._tiers(ctx, f)
        multiplier = np.where(gold, cfg.gold_multiplier, np.where(silver, cfg.silver_multiplier, 1.0))
        bought = ctx.step_purchases
        spent = required(bought.spent, "purchases.spent")
        issued = burned = 0.0
        rewards = 0
        for in_round in bought.in_rounds():  # a customer buys at most once a visit round
            mine = in_round & (bought.firm == f)
            buyers = bought.buyers[mine]
            earned = cfg.earn_rate * multiplier[buyers] * spent[mine]
            # earn, then redeem the rewards the balance now reaches (at this purchase)
            held = balance[buyers].astype(np.float64) + earned
            won = np.floor(held / cfg.reward_points)
            burn = won * cfg.reward_points
            balance[buyers] = held - burn
            self.member[buyers] = True
            issued, burned = issued + float(earned.sum()), burned + float(burn.sum())
            rewards += int(won.sum())
        expired = ctx.units.probability(cfg.expiry_per_year) * balance.astype(np.float64)
        balance -= expired.astype(np.float32)
        self._held = float(balance.sum(dtype=np.float64))
        self.issued += issued
        self.redeemed += burned
        self.rewards += rewards
        self.expired += float(expired.sum())
        self.liability = self._held * cfg.point_value * (1 - cfg.expected_breakage)
        if cfg.accounting == "accrual":
            programme = issued * cfg.point_value * (1 - cfg.expected_breakage)
        else:
            programme = burned * cfg.point_value
        self.book(ctx, programme + self.per_store(ctx, cfg.admin_cost_per_store_per_year))
        # what the balance does in the next step (recomputed after this step's spend)
        silver, gold = self._tiers(ctx, f)
        bond = np.minimum(cfg.bond_per_point * balance.astype(np.float64), cfg.bond_cap)
        bond += np.where(gold, cfg.gold_bond, np.where(silver, cfg.silver_bond, 0.0))
        self.set_share(ctx, "switching_bonus", bond)
        progress = self.progress()
        value = cfg.reward_points * cfg.point_value * progress  # money: the reward's expected value
        basket = np.maximum(ctx.customers.spend.astype(np.float64), _SMALLEST_BASKET)
        self.set_share(ctx, "choice_bonus", cfg.reward_weight * ctx.customers.price_sensitivity * value / basket)
        self.set_share(ctx, "occasion_lift", cfg.goal_gradient * progress)


#: a basket below this (money) counts as this when the reward is weighed
#: against it (a lognormal basket is never 0; this only guards the division)
_SMALLEST_BASKET = 1e-6


__all__ = ["LoyaltyPoints", "LoyaltyPointsConfig"]
