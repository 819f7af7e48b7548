"""Club marketing: members' belonging, affect and retention build slowly (000, 003)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.config import ConfigError
from sim.model import LoyaltyModel
from agents.states import LoyaltyState as S
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

    @pytest.mark.slow
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

    def test_event_costs_follow_attendance(self):
        """Members come to an event at about its attendance rate, each at the
        event's cost. Which weeks events fall in, who the members are, and the
        costs of members, leavers, fees and the club's closing are checked
        against scripted customers (test_scripted_market.py)."""
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

    def test_segment_criteria_limit_membership(self):
        model = market([{"name": self.name, "segments": ["service"]}], seed=0)
        model.step()
        member = model.firms[0].strategies[0].member
        assert member.any() and np.all(model.customers.segment[member] == 2)

    def test_a_bad_event_names_its_key_value_and_what_is_allowed(self):
        bad = {**LECTURE, "attendance": 1.5}
        with pytest.raises(ConfigError, match=r"^strategy\.club_marketing\.events\[1\]\.attendance = 1\.5: must"):
            make_strategy({"name": self.name, "events": [LECTURE, bad]})
        with pytest.raises(ConfigError, match=r"^strategy\.club_marketing\.events\[0\]\.colour = 'red': unknown key"):
            make_strategy({"name": self.name, "events": [{**LECTURE, "colour": "red"}]})
        without_phase = {k: v for k, v in LECTURE.items() if k != "phase"}
        with pytest.raises(
            ConfigError, match=r"^strategy\.club_marketing\.events\[0\]\.phase = \(missing\): must be given"
        ):
            make_strategy({"name": self.name, "events": [without_phase]})
        with pytest.raises(ConfigError, match=r"^strategy\.club_marketing\.segments\[0\] = 'vip': must"):
            market([{"name": self.name, "segments": ["vip"]}], seed=0, n_customers=50, burn_in=0)
