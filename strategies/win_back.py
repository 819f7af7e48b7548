"""Win-back of churned customers (seed 002; Griffin & Lowenstein 2001, "Customer
winback: how to recapture lost customers and keep them loyal")."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from agents.states import LoyaltyState as S, is_customer
from sim.context import StepContext
from sim.units import WEEKS_SLACK
from strategies.base import Strategy, StrategyConfig, param
from strategies.registry import register
from strategies.targeting import TARGETING, target_scores, top

NEVER = -(10**9)


@dataclass
class WinBackConfig(StrategyConfig):
    """Parameters of :class:`WinBack`."""

    window_weeks: int = param(
        8,
        1,
        1_000_000,
        "weeks after churning within which a lapsed customer is contacted (win-back falls with time since they left)",
        unit="weeks",
        source="assumption (no empirical source)",
    )
    reach_per_week: float = param(
        0.04,
        0.0,
        1.0,
        "chance a week that a lapsed customer in the window is reached: contact "
        "details held, the message read and the firm weighed up again; a step of w "
        "weeks reaches with chance 1 - (1 - reach_per_week) ** w (about a quarter of "
        "the lapsed over the 8-week window). A judgement calibrated to Griffin & "
        "Lowenstein 2001, 'Customer winback' (20-40% of lapsed customers won back "
        "within a year under an offer) on the retail_consideration market",
        unit="probability per week",
        source=(
            "calibrated to Griffin & Lowenstein 2001 (20-40% of lapsed customers won back within a year under an offer)"
        ),
    )
    offer_depth: float = param(
        0.2,
        0.0,
        0.9,
        "personal discount share offered to a contacted customer",
        lo_open=True,
        unit="share of the list price",
        source="assumption (no empirical source)",
    )
    offer_weeks: int = param(
        6,
        1,
        1_000_000,
        "weeks the personal offer stays valid (it holds in every step that begins within them)",
        unit="weeks",
        source="assumption (no empirical source)",
    )
    contact_cost: float = param(
        3.0,
        0.0,
        1e9,
        "cost of contacting one lapsed customer (call, mail), per contact",
        unit="currency per contact",
        source="assumption (no empirical source)",
    )
    target_share: float = param(
        1.0,
        0.0,
        1.0,
        "share of the lapsed customers in the window the programme may "
        "contact, the top ones by the targeting score (1: all of them)",
        lo_open=True,
        unit="share (0–1)",
        source="assumption (no empirical source)",
    )
    targeting: str = param(
        "value",
        doc="how the lapsed customers to contact are chosen when target_share is "
        "below 1: value (their past annual spend at the firm), risk (the longest gone, least "
        "likely to come back on their own) or uplift (their category spend the firm does not "
        "hold: strategies.targeting)",
        choices=TARGETING,
        unit="label",
        source="setting (not a behavioural assumption)",
    )
    memory_half_life_weeks: float = param(
        26.0,
        0.0,
        1e9,
        "weeks since a customer left after which a contact reaches and moves "
        "them half as often as one right after they left (contact details go "
        "stale, the memory of the firm fades; the chance of a contact is "
        "reach times 0.5 ** (weeks since they left / half-life)): a judgement "
        "calibrated to Griffin & Lowenstein 2001, 'Customer winback' (the "
        "chance of winning a lapsed customer back falls with time since they "
        "left; no published half-life)",
        lo_open=True,
        unit="weeks",
        source=(
            "calibrated to Griffin & Lowenstein 2001 (the chance of winning a lapsed customer back "
            "falls with time since they left)"
        ),
    )


@register
class WinBack(Strategy):
    """Contact recently churned customers with a personal offer to win them back.

    Models the win-back of churned customers (seed 002: a lost customer is
    about twice as likely to buy as a new one) with the figure of Griffin &
    Lowenstein: lapsed customers are won back at 20-40% against 5-20% for new
    prospects, falling with time since they left (Griffin & Lowenstein 2001).
    A lapsed customer already knows the firm and has inertia, affect and an
    expectation of it left over, so a small personal incentive at the right
    time is enough. The longer they are gone the harder they are to win
    back: those still lapsed are the ones least drawn to the firm and their
    habit has moved to a rival (the engine's), and a contact reaches and
    moves them less often, by half every ``memory_half_life_weeks`` since
    they left (contact details go stale, the memory of the firm fades; a
    judgement calibrated to Griffin & Lowenstein, who give no half-life).

    Mechanics (vectorised, firm ``f`` running it). The strategy keeps the step
    at which each relationship with the firm entered CHURNED (``churned_at``
    [n], updated every step, burn-in included, by comparing the state with
    the previous step's). At the start of each active step every customer
    whose relationship is CHURNED, who churned at most ``window_weeks`` weeks
    ago and has not yet been contacted in this episode of churn, is reached
    with chance ``reach_per_week`` a week (``1 - (1 - reach_per_week) ** w``
    in a step of ``w`` weeks) times ``0.5 ** (weeks since they left /
    memory_half_life_weeks)`` (one uniform draw for every customer from the
    ``win_back`` stream each active step): the firm books ``contact_cost``
    per contacted customer under ``win_back`` and gives them a personal offer
    of ``offer_depth`` off the price (the ``price_factor`` modifier: a lower price paid,
    and a pull on deal-prone customers like a discount) for
    ``offer_weeks`` weeks (every step that begins within them), kept if they
    come back within it. The offer puts the firm back into the contacted
    customer's consideration set (:meth:`StepContext.bring_back`): a
    customer who left a firm does not consider it until something brings it
    back. The cost of
    the offer is lower revenue, not a booked cost. Only the strategy's own
    contribution to the modifier is added or removed; customers who leave the
    category (replaced by newcomers) are forgotten. When the programme ends the offers are withdrawn.

    Reported attributes: ``contacted`` (customers contacted), ``won``
    (contacted customers who bought again while their episode was open),
    ``won_in_offer`` (of them, those who came back while the offer ran),
    ``won_by_age`` (won back, by steps since churning at contact, the last
    bin that age or older; also ``contacted_by_age``).

    Parameters: ``start``, ``duration`` (weeks), ``window_weeks``, ``reach_per_week``,
    ``offer_depth``, ``offer_weeks``, ``contact_cost``, ``memory_half_life_weeks``
    (:class:`WinBackConfig`).

    Expected signature against the baseline on the same seeds: win-backs
    rise; revenue per returning customer is lower while the offer runs, and
    some of those won back are deal-seekers who lapse again. Measured
    (validation probe ``win_back_rates``, docs/model.md "Winning lapsed
    customers back"), on the retail market with limited consideration
    (``retail_consideration``): about 34% of the relationships lapsing under
    the programme are won back within a year (18% without it; Griffin &
    Lowenstein: 20-40%, a calibration target of ``reach_per_week`` and that
    market's reconsideration rates), against about 18% of new prospects
    acquired within a year (5-20%): lapsed over new about 2, as seed 002
    says; a campaign to every lapsed customer wins back about 30 points
    more of those gone under 13 weeks than of those gone over a year. On
    the default market, where a customer considers every firm they know
    but has not left, the lapsed and the prospects come back far more
    readily.
    """

    observes_burn_in = True  # churned_at is kept from the first step

    name = "win_back"
    description = "contact customers churned within a window with a personal offer (002; Griffin & Lowenstein 2001)"
    config_class = WinBackConfig
    config: WinBackConfig

    def setup(self, ctx: StepContext) -> None:
        n = ctx.customers.n
        f = ctx.firm.index
        self.prev = ctx.customers.state[:, f].copy()
        self.churned_at = np.full(n, NEVER, dtype=np.int64)
        self.contacted_now = np.zeros(n, dtype=bool)  # contacted in the current churn episode
        self.offer_until = np.zeros(n, dtype=np.int64)  # ctx.t until which the offer runs (exclusive)
        self.pending_cost = 0.0
        self.running = False
        self.contacted = 0
        self.won = 0
        self.won_in_offer = 0
        w, cfg = ctx.units.weeks, self.config
        #: the oldest churn contacted, in steps; the chance a step reaches a
        #: lapsed customer; the steps an offer holds
        self.window_steps = int(math.floor(cfg.window_weeks / w + WEEKS_SLACK))
        self.reach = 1.0 - (1.0 - cfg.reach_per_week) ** w
        #: the fade of a contact's chance per step since the customer left (memory half-life)
        self.fade_per_step = 0.5 ** (w / cfg.memory_half_life_weeks)
        self.offer_steps = int(math.ceil(cfg.offer_weeks / w - WEEKS_SLACK))
        #: won back and contacted, by steps since churning at contact (the last bin: that age or older)
        self.age_bins = min(self.window_steps, int(math.ceil(2 * cfg.memory_half_life_weeks / w))) + 1
        self.won_by_age = np.zeros(self.age_bins, dtype=np.int64)
        self.contacted_by_age = np.zeros(self.age_bins, dtype=np.int64)
        self.age_at_contact = np.zeros(n, dtype=np.int64)

    # ---------------------------------------------------------------- helpers
    def _forget_replaced(self, ctx: StepContext) -> None:
        """Customers who left the category were replaced (the engine reset their modifiers)."""
        gone = self.replaced_customers(ctx)
        if gone.any():
            self.churned_at[gone] = NEVER
            self.contacted_now[gone] = False
            self.offer_until[gone] = 0

    def _targeted(self, ctx: StepContext, lapsed: np.ndarray, age: np.ndarray) -> np.ndarray:
        """The top ``target_share`` of the lapsed customers in the window by
        the targeting score (risk: the longest gone)."""
        by = self.config.targeting
        scores = age.astype(np.float64) if by == "risk" else target_scores(ctx, by)
        return top(scores, lapsed, int(math.ceil(self.config.target_share * np.count_nonzero(lapsed))))

    # ---------------------------------------------------------------- hooks
    def adjust_offer(self, ctx: StepContext) -> None:
        f, cfg = ctx.firm.index, self.config
        if not self.active(ctx):
            if self.running:  # the programme ended: withdraw the offers
                self._forget_replaced(ctx)
                self.set_share(ctx, "price_factor", np.zeros(ctx.customers.n))
                self.running = False
            return
        self.running = True
        self._forget_replaced(ctx)
        now = ctx.t
        u = self.stream(ctx).random(ctx.customers.n, dtype=np.float32)
        age = now - self.churned_at
        lapsed = (ctx.customers.state[:, f] == S.CHURNED) & (age <= self.window_steps)
        if cfg.target_share < 1:
            lapsed = self._targeted(ctx, lapsed, age)
        fade = self.fade_per_step ** np.clip(age, 0, None).astype(np.float64)  # memory fades since they left
        reached = lapsed & ~self.contacted_now & (u < self.reach * fade)
        self.contacted_now |= reached
        ctx.bring_back(np.flatnonzero(reached))  # the offer puts the firm back in their consideration set
        self.offer_until[reached] = now + self.offer_steps
        self.age_at_contact[reached] = age[reached]
        k = int(reached.sum())
        self.contacted += k
        self.contacted_by_age += np.bincount(np.minimum(age[reached], self.age_bins - 1), minlength=self.age_bins)
        self.pending_cost += k * cfg.contact_cost
        offer = np.where(self.offer_until > now, np.float32(cfg.offer_depth), np.float32(0)).astype(np.float32)
        self.set_share(ctx, "price_factor", offer)

    def after_step(self, ctx: StepContext) -> None:
        f = ctx.firm.index
        state = ctx.customers.state[:, f]
        self._forget_replaced(ctx)
        # returns of contacted customers (CHURNED -> a customer state, i.e. WON_BACK)
        back = (self.prev == S.CHURNED) & is_customer(state) & self.contacted_now
        if back.any():
            self.won += int(back.sum())
            self.won_in_offer += int((back & (self.offer_until > ctx.t)).sum())
            self.won_by_age += np.bincount(
                np.minimum(self.age_at_contact[back], self.age_bins - 1), minlength=self.age_bins
            )
            self.contacted_now[back] = False
        # the step each relationship entered CHURNED; a new episode can be contacted again
        churned = (state == S.CHURNED) & (self.prev != S.CHURNED)
        self.churned_at[churned] = ctx.t
        self.contacted_now[churned] = False
        self.prev = state.copy()
        if self.active(ctx):
            self.book(ctx, self.pending_cost)
        self.pending_cost = 0.0

    @property
    def win_back_rate(self) -> float:
        """Share of the contacted customers who came back."""
        return self.won / self.contacted if self.contacted else float("nan")


__all__ = ["WinBack", "WinBackConfig"]
