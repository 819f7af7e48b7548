"""Differentiated service: targeted customers get better service, buy bigger
baskets and stay; nothing happens when the staff lack the skill (000)."""

from __future__ import annotations

import pytest

from functools import lru_cache

import numpy as np
import pandas as pd

from sim.model import LoyaltyModel
from agents.states import LoyaltyState as S, is_customer
from tests.strategies.contract import StrategyContract, build_market, mean_after

SEEDS = (0, 1, 2)
START = 5
#: the service segment, all of it, with full lifts, fixed targets, in a larger market
TARGETED = dict(start=START, segment=2, target_share=1.0, service_lift=0.3, empowerment_weight=0.0, refresh_weeks=1000)
MARKET = dict(n_customers=4000)


def build(specs: list, seed: int, **market) -> LoyaltyModel:
    """The SMALL market (after burn-in) with the focal firm running ``specs``, not yet run."""
    return build_market({0: specs}, seed, **market)


def follow(model: LoyaltyModel) -> dict:
    """Run the horizon; per customer: visits, spend and service at the focal
    firm, defections from it, and whether they stayed in the category."""
    n = model.customers.n
    out = {k: np.zeros(n) for k in ("visits", "spent", "service", "defected")}
    spend = model.customers.spend.copy()
    for _ in range(model.config.steps):
        was = is_customer(model.customers.state[:, 0])
        model.step()
        p = model.last_step.purchases
        here = p.firm == 0
        for key, values in (("visits", 1.0), ("spent", p.spent[here]), ("service", p.service[here])):
            np.add.at(out[key], p.buyers[here], values)
        out["defected"] += was & (model.customers.state[:, 0] == S.CHURNED)
    out["stayed"] = model.customers.spend == spend  # not replaced by a newcomer
    out["customer"] = is_customer(model.customers.state[:, 0])
    return out


@lru_cache(maxsize=None)
def pair(seed: int):
    """The targets, and what happened to everyone with the programme and without."""
    model = build([{"name": "differentiated_service", **TARGETED}], seed, **MARKET)
    with_it = follow(model)
    targets = model.firms[0].strategies[0].first_targets
    return targets, with_it, follow(build([], seed, **MARKET))


class TestDifferentiatedService(StrategyContract):
    name = "differentiated_service"
    params = {"start": START}
    bad_value = ("target_share", 0.0)

    def test_targeted_customers_get_better_service_and_bigger_baskets(self):
        for seed in SEEDS:
            targets, with_it, base = pair(seed)
            assert targets.sum() > 100
            per_visit = lambda run, key: run[key][targets].sum() / run["visits"][targets].sum()  # noqa: E731
            assert per_visit(with_it, "service") > per_visit(base, "service") + 0.1
            assert per_visit(with_it, "spent") > 1.15 * per_visit(base, "spent")

    @pytest.mark.slow
    def test_targeted_customers_defect_less_and_stay_customers(self):
        """Paired on common random numbers over 8 seeds: the targets' defections
        fall by about 5 of 73 a seed (2-8), so the paired mean's 95% interval
        lies well above 0; a total over 3 seeds against a 5% threshold was
        at the edge of its noise."""
        fewer, kept = [], []
        for seed in range(8):
            targets, with_it, base = pair(seed)
            fewer.append(base["defected"][targets].sum() - with_it["defected"][targets].sum())
            kept.append(
                int((with_it["customer"] & with_it["stayed"] & targets).sum())
                - int((base["customer"] & base["stayed"] & targets).sum())
            )
        fewer = np.array(fewer)
        low = fewer.mean() - 2.365 * fewer.std(ddof=1) / np.sqrt(len(fewer))  # t(0.975, 7)
        assert low > 0, fewer
        assert min(kept) >= 0 and sum(kept) > 0, kept

    def test_no_lift_when_staff_skill_is_below_the_threshold(self):
        for seed in (0, 1):
            model = build([{"name": self.name, "start": START, "skill_threshold": 0.99}], seed)
            model.run()
            with_it, base = model.step_table(), self.baseline(seed=seed)
            bonus = model.modifiers.service_bonus
            assert not bonus.in_use or not bonus.column(0).any()
            money = ["costs", "profit", "cumulative_profit", "npv"]
            pd.testing.assert_frame_equal(
                with_it.drop(columns=money + [self.name]), base.drop(columns=money), check_exact=True
            )
            # only the programme's fixed cost is booked
            own = with_it.loc[with_it.firm_index == 0, self.name].to_numpy()
            extra = (with_it.costs - base.costs).to_numpy().reshape(-1, 3)[:, 0]
            np.testing.assert_allclose(extra, own, rtol=1e-9)
            per_store = model.firms[0].strategies[0].config.cost_per_store_per_year
            stores = model.config.n_customers / model.firms[0].customers_per_store
            np.testing.assert_allclose(own[START - 1 :], per_store * stores / 52, rtol=1e-9)

    def test_staff_time_raises_workload(self):
        with_it, base = self.run(seed=0), self.baseline(seed=0)
        assert mean_after(with_it, "workload", start=START + 1) > mean_after(base, "workload", start=START + 1)
        assert mean_after(with_it, "revenue", start=START) > mean_after(base, "revenue", start=START)

    def test_lifts_are_withdrawn_when_it_ends(self):
        model = self.run(seed=0, keep=True, duration=10)
        for name in ("service_bonus", "basket_factor"):
            assert not model.modifiers[name].column(0).any()
        assert mean_after(model.step_table(), self.name, start=START + 10) == 0


@pytest.mark.parametrize("empowerment", [0.3, 0.7, 1.0])
def test_the_lifts_scale_with_how_empowered_the_staff_are(empowerment):
    """Differentiated service does more with skilled, empowered staff (000,
    001): a targeted customer's service and basket lifts are the full lifts
    times ``1 - empowerment_weight x (1 - empowerment)``, so the programme adds
    more on top of a staff programme that raises empowerment than alone.
    Arithmetic from its parameters, so a mechanism test here rather than a
    validation claim."""
    spec = {"name": "differentiated_service", "start": 1, "segment": 2, "target_share": 1.0, "refresh_weeks": 1000}
    model = build([spec], seed=0)
    model.firms[0].empowerment = empowerment
    model.step()
    programme = model.firms[0].strategies[0]
    cfg = programme.config
    assert programme.delivering and programme.targets.any()
    scale = 1.0 - cfg.empowerment_weight * (1.0 - empowerment)
    for modifier, lift in (("service_bonus", cfg.service_lift), ("basket_factor", cfg.basket_lift)):
        column = model.modifiers[modifier].column(0)
        np.testing.assert_allclose(column[programme.targets], np.float32(lift * scale), rtol=1e-6)
        assert not column[~programme.targets].any()
