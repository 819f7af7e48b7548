"""Club marketing: members' belonging, affect and retention build slowly (000, 003)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.config import ConfigError
from sim.model import LoyaltyModel
from sim.states import LoyaltyState as S, is_customer
from strategies.registry import make_strategy
from tests.strategies.contract import StrategyContract, build_market, total

LECTURE = {
    "kind": "lecture",
    "per_year": 4.0,
    "phase": 0.5,
    "attendance": 0.3,
    "cost_per_attendee": 30.0,
    "belonging": 0.05,
}


def market(specs: list, seed: int, **kw) -> LoyaltyModel:
    """The market of ``run_market`` with firm 0 running ``specs``, built but not run
    (so that a test can step it and look at the customers on the way)."""
    return build_market({0: specs}, seed, **kw)


class TestClubMarketing(StrategyContract):
    name = "club_marketing"
    params = {"start": 3}
    bad_value = ("member_share", 1.5)

    def test_members_gain_affect_and_stay_more_than_the_same_customers_without_the_club(self):
        """The founding members (top 20% by spend at step 1) against the same
        customers in the baseline run on the same seed: affect and retention
        (never defected) are higher with the club, and the gaps grow from
        3 months (13 weekly steps) to 9 months (39 steps). Material benefits
        alone (the member discount, no events) give a bump that does not
        grow (000: material benefit is the base, emotion is the key): the
        discount raises the members' transaction satisfaction, which builds
        some liking, under 0.4 of the club's by 9 months."""
        steps, checkpoints = 39, (13, 39)
        affect_gap = {t: [] for t in checkpoints}
        discount_only_gap = {t: [] for t in checkpoints}
        defected = {t: np.zeros(2, dtype=int) for t in checkpoints}  # [club, baseline]
        for seed in (0, 1, 2):
            club = market([{"name": self.name}], seed, n_customers=8000, steps=steps)
            bare = market([{"name": self.name, "events": [], "social_bond": 0.0}], seed, n_customers=8000, steps=steps)
            base = market([], seed, n_customers=8000, steps=steps)
            models = (club, bare, base)
            for model in models:
                model.step()
            founders = club.firms[0].strategies[0].member.copy()
            assert founders.sum() > 300
            assert np.array_equal(founders, bare.firms[0].strategies[0].member)
            ever = [np.zeros(len(founders), dtype=bool) for _ in models]
            for t in range(2, steps + 1):
                for k, model in enumerate(models):
                    model.step()
                    ever[k] |= model.customers.state[:, 0] == S.CHURNED
                if t in checkpoints:
                    affect = [m.customers.affect[founders, 0].mean() for m in models]
                    affect_gap[t].append(affect[0] - affect[2])
                    discount_only_gap[t].append(affect[1] - affect[2])
                    defected[t] += [ever[0][founders].sum(), ever[2][founders].sum()]
        for early, late, bare_late in zip(affect_gap[13], affect_gap[39], discount_only_gap[39]):
            assert early > 0
            assert late > 1.5 * early
            assert bare_late < 0.4 * late
        # retention: fewer founding members ever defected with the club, and the saving grows
        saved = {t: defected[t][1] - defected[t][0] for t in checkpoints}
        assert saved[39] > 0
        assert saved[39] > saved[13]

    def test_members_are_the_top_customers_by_spend_and_leavers_drop_out(self):
        model = market([{"name": self.name}], seed=3)
        club = model.firms[0].strategies[0]
        cust = model.customers
        revenue = cust.revenue[:, 0].copy()
        customers = is_customer(cust.state[:, 0])
        model.step()  # the first review, on last step's spend
        member = club.member.copy()
        still = is_customer(cust.state[:, 0])
        admitted = math.ceil(0.2 * customers.sum())
        assert 0.97 * admitted <= member.sum() <= admitted  # a few left during the step
        assert not (member & ~still).any()
        assert revenue[member].min() >= revenue[customers & still & ~member].max()
        # members get the member discount through the personal price factor
        offer = model.modifiers.price_factor.column(0)
        assert np.all(offer[member] == np.float32(0.03)) and np.all(offer[~member] == 0)
        for _ in range(12):  # until the next review
            model.step()
            assert not (club.member & ~is_customer(cust.state[:, 0])).any()
            assert not (club.member & ~member).any()
        assert club.member.sum() < member.sum()  # some left and dropped out

    def test_event_costs_follow_the_calendar_and_attendance(self):
        table = self.run(seed=4, start=1, events=[LECTURE], cost_per_member_per_year=0.0, member_discount=0.0)
        cost = table.loc[table.firm_index == 0, ["step", self.name]]
        lecture_steps = sorted(cost.loc[cost[self.name] > 0, "step"])
        assert lecture_steps == [7, 20, 33]  # quarterly (13 weekly steps), mid-quarter
        model = market(
            [self.spec(start=1, events=[LECTURE], cost_per_member_per_year=0.0, member_discount=0.0)], seed=4
        )
        for _ in range(7):
            model.step()
        club = model.firms[0].strategies[0]
        attendees, members = int(club.attendees[0]), int(club.member.sum())
        assert total(model.step_table(), self.name) == pytest.approx(30.0 * attendees)
        assert 0.15 < attendees / members < 0.45  # ~30% of the members came
        assert not model.modifiers.price_factor.in_use  # no member discount configured

    def test_member_costs_are_booked_while_active_and_belonging_fades_after(self):
        model = market([self.spec(start=5, duration=20, events=[LECTURE])], seed=4)
        for _ in range(24):
            model.step()
        peak = model.modifiers.belonging_bonus.column(0).copy()
        model.run(16)
        table = model.step_table()
        cost = table.loc[table.firm_index == 0].set_index("step")[self.name]
        assert (cost.loc[5:24] > 0).all() and (cost.loc[:4] == 0).all() and (cost.loc[25:] == 0).all()
        assert not model.firms[0].strategies[0].member.any()  # the club closed
        assert not model.modifiers.price_factor.column(0).any()  # and its discount with it
        stayed = peak > 0
        stayed &= model.modifiers.belonging_bonus.column(0) > 0  # not replaced by newcomers
        assert stayed.sum() > 20
        assert np.allclose(model.modifiers.belonging_bonus.column(0)[stayed], peak[stayed] * 0.98**16, rtol=1e-4)

    def test_segment_criteria_limit_membership(self):
        model = market([{"name": self.name, "segments": ["service"]}], seed=0)
        model.step()
        member = model.firms[0].strategies[0].member
        assert member.any() and np.all(model.customers.segment[member] == 2)

    def test_a_bad_event_names_its_key_value_and_what_is_allowed(self):
        bad = {**LECTURE, "attendance": 1.5}
        with pytest.raises(ConfigError, match=r"^strategy\.club_marketing\.events\[1\]\.attendance = 1\.5: must"):
            make_strategy({"name": self.name, "events": [LECTURE, bad]})
        with pytest.raises(ConfigError, match=r"^strategy\.club_marketing\.events\[0\]\.colour = 'red': must"):
            make_strategy({"name": self.name, "events": [{**LECTURE, "colour": "red"}]})
        with pytest.raises(ConfigError, match=r"^strategy\.club_marketing\.segments\[0\] = 'vip': must"):
            market([{"name": self.name, "segments": ["vip"]}], seed=0, n_customers=50, burn_in=0)
