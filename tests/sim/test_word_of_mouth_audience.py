"""Word of mouth reaches beyond one's ties (TARP 1986; Granovetter 1973):
a talker tells a heavy-tailed number of people, ties first, then people
outside them picked at random from the whole market; a story that makes a
prospect aware makes the relationship a referral's, and the step table
counts acquisitions by channel."""

from __future__ import annotations

import numpy as np
import pytest

from sim.audience import audience_key, audience_size, fill_audience
from sim.model import LoyaltyModel
from sim.records import DRAW_PLAN
from agents.states import CHANNEL_NAMES, Channel


def test_a_talker_tells_their_ties_first_then_people_outside_them():
    ties = np.array([3, 8, 11, 40], dtype=np.int64)
    key = audience_key(np.float32(0.25), np.float32(0.5))
    few = np.empty(2, np.int64)
    fill_audience(7, key, ties, 100, few)
    assert set(few) < set(ties) and len(set(few)) == 2
    many = np.empty(30, np.int64)
    fill_audience(7, key, ties, 100, many)
    assert list(many[:4]) == list(ties)  # every tie, in order
    strangers = many[4:]
    assert len(set(strangers)) == 26 and not set(strangers) & {7, *ties.tolist()}
    everyone = np.empty(99, np.int64)
    fill_audience(7, key, ties, 100, everyone)  # the cap: all but the talker
    assert sorted(everyone) == [i for i in range(100) if i != 7]


def test_the_same_key_picks_the_same_strangers():
    ties = np.array([1, 2], dtype=np.int64)
    first, again, other = (np.empty(20, np.int64) for _ in range(3))
    fill_audience(0, audience_key(np.float32(0.1), np.float32(0.9)), ties, 10_000, first)
    fill_audience(0, audience_key(np.float32(0.1), np.float32(0.9)), ties, 10_000, again)
    fill_audience(0, audience_key(np.float32(0.1), np.float32(0.8)), ties, 10_000, other)
    assert (first == again).all() and (first[2:] != other[2:]).any()


@pytest.mark.parametrize("mean, dispersion", [(10.0, 0.4), (37.0 * 0.5, 0.4), (5.0, 5.0)])
def test_audiences_are_heavy_tailed_with_the_mean_asked_for(mean, dispersion):
    u = np.random.default_rng(3).random(60_000)
    size = np.array([audience_size(x, mean, dispersion, 1_000_000) for x in u])
    assert size.min() >= 1 and abs(size.mean() - mean) < 0.04 * mean
    var = (mean - 1) + (mean - 1) ** 2 / dispersion  # 1 + negative binomial
    assert abs(size.var() - var) < 0.15 * var
    assert audience_size(0.999999, 1000.0, 0.4, 50) == 50  # at most everyone else


def test_the_audience_draws_come_from_streams_of_their_own():
    plan = {name: (kind, of, lead) for name, kind, of, lead in DRAW_PLAN}
    assert plan["audience"] == ("uniform", "customers", 0) and plan["strangers"] == ("uniform", "customers", 2)


@pytest.fixture(scope="module")
def market() -> LoyaltyModel:
    model = LoyaltyModel(seed=4, n_customers=3000, burn_in=20, steps=12)
    model.run()
    return model


def test_a_disappointed_customer_tells_strangers_beyond_their_ties(market):
    degree = np.diff(market.network.indptr)
    told, beyond, disappointed = 0, 0, 0
    for _ in range(6):
        market.step()
        p = market.last_step.purchases
        bad = p.talked & (p.outcome < 0) & ~p.resolved
        disappointed += bad.sum()
        told += p.audience[bad].sum()
        beyond += (p.audience[bad] > degree[p.buyers[bad]]).sum()
        assert (p.audience[~p.talked] == 0).all() and (p.audience[p.talked] >= 1).all()
    assert disappointed > 50 and beyond > 0.4 * disappointed
    assert told / disappointed > 2 * degree.mean()  # far more than their ties


def test_acquisitions_are_counted_by_channel(market):
    table = market.step_table()
    by_channel = table[[f"acquisitions_{name}" for name in CHANNEL_NAMES]].sum(axis=1)
    assert (by_channel == table["acquisitions"]).all()
    assert table["acquisitions_referral"].sum() > 0 and table["acquisitions_advertising"].sum() > 0


def test_nobody_is_acquired_by_referral_when_nobody_talks():
    silent = {"talk_delighted": 0.0, "talk_satisfied": 0.0, "talk_disappointed": 0.0}
    table = LoyaltyModel(seed=4, n_customers=1500, burn_in=10, steps=20, word_of_mouth=silent).run()
    assert table["acquisitions_referral"].sum() == 0 and table["acquisitions_advertising"].sum() > 0


def test_stories_bring_prospects_the_firm_suits():
    """A friend tells those the firm suits (referral_fit): the relationships
    made aware by a story have more taste for the firm than those made aware
    by advertising; with no screening, about the same."""

    def taste_gap(fit: float) -> float:
        model = LoyaltyModel(seed=2, n_customers=4000, burn_in=40, steps=1, word_of_mouth={"referral_fit": fit})
        c = model.customers
        return float(c.taste[c.channel == Channel.REFERRAL].mean() - c.taste[c.channel == Channel.ADVERTISING].mean())

    assert taste_gap(1.0) > 0.4 and abs(taste_gap(0.0)) < 0.25


def test_monthly_steps_tell_and_count_channels_round_by_round():
    table = LoyaltyModel(seed=1, n_customers=1500, burn_in=3, steps=6, steps_per_year=12).run()
    by_channel = table[[f"acquisitions_{name}" for name in CHANNEL_NAMES]].sum(axis=1)
    assert (by_channel == table["acquisitions"]).all() and table["acquisitions_referral"].sum() > 0
