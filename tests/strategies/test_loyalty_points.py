"""Points / VIP card: a financial bond that raises switching costs and makes captives (001, 003)."""

from __future__ import annotations

import numpy as np

from sim.states import is_customer
from tests.strategies.contract import StrategyContract, mean_after, total

SEEDS = (0, 1, 2)


def switching_of_customers(model, firm: int = 0) -> float:
    """Mean switching cost (latent) of the firm's current customers at the end."""
    mine = is_customer(model.customers.state[:, firm])
    return float(model.last_step.latents.switching[mine, firm].mean())


def captive_share(table, start: int = 10) -> float:
    return mean_after(table, "n_captive", start=start) / mean_after(table, "customers", start=start)


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
        assert 0.0 < s.breakage < 0.5
        assert s.liability > 0
        # accrual books the expected cost of what is issued, plus administration
        cfg = s.config
        booked = total(model.step_table(), self.name)
        steps = model.config.steps - cfg.start + 1
        stores = model.config.n_customers / model.firms[0].customers_per_store
        expected = (s.issued * cfg.point_value * (1 - cfg.expected_breakage)
                    + steps * cfg.admin_cost_per_store_per_year * stores / 52)
        assert np.isclose(booked, expected, rtol=1e-9)

    def test_cash_accounting_books_the_redemptions(self):
        model = self.run(seed=0, keep=True, accounting="cash", admin_cost_per_store_per_year=0.0)
        s = model.firms[0].strategies[0]
        assert np.isclose(total(model.step_table(), self.name), s.redeemed * s.config.point_value, rtol=1e-9)

    def test_the_bond_goes_when_the_scheme_closes(self):
        model = self.run(seed=0, keep=True, duration=10)
        assert not model.modifiers.switching_bonus.column(0).any()
        assert model.firms[0].strategies[0].balance.sum() == 0
