"""Points / VIP card: a financial bond that raises switching costs and makes captives (001, 003); the
reward's expected value draws members back and purchases speed up as it nears (Kivetz, Urminsky & Zheng
2006, "The goal-gradient hypothesis resurrected")."""

from __future__ import annotations

import numpy as np

import dataclasses

from experiments.validation.claims.probes import goal_gradient_probe
from sim.model import LoyaltyModel
from agents.states import is_customer
from tests.strategies.contract import SMALL, StrategyContract, mean_after, run_market, total

SEEDS = (0, 1, 2)


def switching_of_customers(model, firm: int = 0) -> float:
    """Mean switching cost (latent) of the firm's current customers at the end."""
    mine = is_customer(model.customers.state[:, firm])
    return float(model.last_step.latents.switching[mine, firm].mean())


def captive_share(table, start: int = 10) -> float:
    return mean_after(table, "n_captive", start=start) / mean_after(table, "customers", start=start)


def members_choosing_the_firm(spec: dict, seed: int, settle: int = 10) -> float:
    """Share of the programme's members' purchases made at the focal firm
    (members as they are before each step), from reported step ``settle``."""
    model = run_market({0: [spec]}, seed=seed, keep=True, steps=settle)
    programme = model.firms[0].strategies[0]
    here = total_ = 0
    for _ in range(SMALL["steps"] - settle):
        member = programme.member.copy()
        model.step()
        p = model.last_step.purchases
        mine = member[p.buyers]
        here += int((p.firm[mine] == 0).sum())
        total_ += int(mine.sum())
    return here / total_


class TestLoyaltyPoints(StrategyContract):
    name = "loyalty_points"
    params = {"start": 5}
    bad_value = ("goal_gradient", -0.1)

    def test_points_raise_switching_costs_repeat_purchase_and_captives(self):
        for seed in SEEDS:
            model, base = self.run(seed=seed, keep=True), self.baseline(seed=seed, keep=True)
            with_it, without = model.step_table(), base.step_table()
            assert switching_of_customers(model) > switching_of_customers(base) + 0.05
            assert mean_after(with_it, "repeat_rate", start=10) > mean_after(without, "repeat_rate", start=10)
            assert captive_share(with_it) > 1.3 * captive_share(without)

    def test_no_bond_no_effect_on_captives(self):
        """The captives come from the bond: without it the scheme is only a rebate."""
        for seed in SEEDS[:2]:
            bonded = captive_share(self.run(seed=seed))
            unbonded = captive_share(self.run(seed=seed, bond_per_point=0.0, silver_bond=0.0, gold_bond=0.0))
            assert unbonded < bonded
            assert abs(unbonded - captive_share(self.baseline(seed=seed))) < 0.02

    def test_points_are_earned_burned_and_partly_break(self):
        model = self.run(seed=0, keep=True)
        s = model.firms[0].strategies[0]
        assert s.issued > s.redeemed > 0 and s.expired > 0
        assert s.rewards > 0 and s.redeemed == s.rewards * s.config.reward_points
        assert (s.balance < s.config.reward_points).all() and s.balance.dtype == np.float32
        assert 0.0 < s.breakage < 0.5
        assert s.liability > 0
        # accrual books the expected cost of what is issued, plus administration
        cfg = s.config
        booked = total(model.step_table(), self.name)
        steps = model.config.steps - cfg.start + 1
        stores = model.config.n_customers / model.firms[0].customers_per_store
        expected = (
            s.issued * cfg.point_value * (1 - cfg.expected_breakage)
            + steps * cfg.admin_cost_per_store_per_year * stores / 52
        )
        assert np.isclose(booked, expected, rtol=1e-9)

    def test_a_richer_reward_draws_members_back_more_often(self):
        """point_value is what the reward is worth: members choose the firm more
        when it is worth more. That the pull grows in proportion to the value is
        checked against scripted customers (test_scripted_market.py); here the
        members' choices, with a reward worth nothing and one worth three times
        the default."""
        for seed in SEEDS[:2]:
            worthless, rich = (members_choosing_the_firm(self.spec(point_value=v), seed) for v in (0.0, 0.06))
            assert rich > worthless + 0.02

    def test_a_nearer_reward_pulls_harder(self):
        """The same reward for fewer points is nearer at every balance: it draws members back more."""
        for seed in SEEDS[:2]:
            far = members_choosing_the_firm(self.spec(reward_points=1600.0, point_value=0.02), seed)
            near = members_choosing_the_firm(self.spec(reward_points=400.0, point_value=0.08), seed)
            assert near > far + 0.01

    def test_members_buy_more_often_as_a_reward_nears_and_less_right_after_it(self):
        """Within members, the gaps between purchases shorten toward the reward and lengthen again after
        it (post-reward resetting), beyond what the same programme without the reward's pull shows."""
        market = LoyaltyModel(
            market=SMALL["market"], seed=0, n_customers=3000, burn_in=SMALL["burn_in"], steps=SMALL["steps"]
        ).config
        market = dataclasses.replace(market, firms=[dataclasses.replace(f, strategies=[]) for f in market.firms])
        for seed in SEEDS[:2]:
            pulled = goal_gradient_probe(market, seed, strategy=self.spec(start=1))
            flat = goal_gradient_probe(market, seed, strategy=self.spec(start=1, goal_gradient=0.0, reward_weight=0.0))
            assert pulled["rate_ratio"] > 1.0
            assert pulled["rate_ratio"] > flat["rate_ratio"] + 0.05
            assert pulled["gap_first"] > pulled["gap_last"]

    def test_the_goal_gradient_follows_progress_and_resets_after_the_reward(self):
        model = self.run(seed=0, keep=True)
        s = model.firms[0].strategies[0]
        progress = s.progress()
        lift = model.modifiers.occasion_lift.column(0)
        np.testing.assert_allclose(lift, np.float32(s.config.goal_gradient * progress), atol=2e-6)
        assert progress[s.member].max() > 0.8 and (progress[s.member] < 0.2).any()
        assert not lift[~s.member].any() and not model.modifiers.choice_bonus.column(0)[~s.member].any()
        # the pull is the reward's value earned so far, weighed as money off the member's basket
        cust = model.customers
        value = s.config.reward_points * s.config.point_value * progress
        np.testing.assert_allclose(
            model.modifiers.choice_bonus.column(0),
            (cust.price_sensitivity * value / cust.spend).astype(np.float32),
            rtol=1e-5,
            atol=2e-6,
        )
