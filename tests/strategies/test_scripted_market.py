"""Strategies against scripted customers: each programme's rules checked exactly, in milliseconds.

A :class:`~tests.strategies.scripted_market.ScriptedMarket` is the real engine
with six customers whose purchases, feelings and chance events the test
writes; the full-market tests of ``tests/strategies/test_<name>.py`` then
only need to show each programme's market-level signature. The values
asserted here are worked out by hand from the rules in ``strategies/<name>.py``.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from agents.states import LoyaltyState as S
from tests.strategies.scripted_market import ALWAYS, NEVER, ScriptedMarket

FOCAL, DISCOUNTER, PREMIUM = 0, 1, 2
#: six customers in a market of 5,000 customers per store: 6 / 5,000 of a store
STORES = 6 / 5000


def off_list(share: float) -> np.float32:
    """The share off the list price a buyer records who paid a personal
    price ``1 - share`` of a list price of 1 (float32, as the engine works it out)."""
    paid = np.float32(1.0) * (np.float32(1.0) - np.float32(share))
    return np.float32(1.0 - paid)


def per_store(amount_per_store_per_year: float) -> float:
    """A weekly step's share of a cost per store and year in the scripted market."""
    return amount_per_store_per_year * STORES / 52


# ====================================================================== the scripted market itself
class TestScriptedMarket:
    def test_customers_buy_where_the_script_says_and_nobody_else_buys(self):
        market = ScriptedMarket()
        record = market.step({0: FOCAL, 3: PREMIUM})
        assert record.purchases.buyers.tolist() == [0, 3]
        assert record.purchases.firm.tolist() == [FOCAL, PREMIUM]
        spent = record.purchases.spent
        assert spent.min() > 0
        assert market.booked("revenue", FOCAL) == pytest.approx(spent[0], rel=1e-12)
        assert market.booked("revenue", PREMIUM) == pytest.approx(spent[1], rel=1e-12)
        assert market.booked("revenue", DISCOUNTER) == 0.0

    def test_a_quiet_market_keeps_its_customers_and_their_relationships(self):
        market = ScriptedMarket()
        market.run(20)
        assert not market.customers.generation.any()  # nobody left the category
        assert (market.customers.state == S.AWARE).all()  # every relationship where it started
        assert market.model.staff.employed.all()

    def test_a_scripted_draw_decides_the_event_for_that_customer_alone(self):
        market = ScriptedMarket()
        market.step(draws={"exit": {4: ALWAYS}})
        assert market.customers.generation.tolist() == [0, 0, 0, 0, 1, 0]

    def test_occasions_leave_the_choice_of_firm_to_the_engine_among_the_firms_the_customer_knows(self):
        market = ScriptedMarket()
        market.set_relationship(0, FOCAL, state=S.PROSPECT)
        market.set_relationship(0, PREMIUM, state=S.PROSPECT)
        record = market.step(occasions=[0])
        assert record.purchases.buyers.tolist() == [0]
        assert record.purchases.firm.tolist() == [DISCOUNTER]

    def test_a_firm_that_refuses_a_customer_turns_the_scripted_purchase_away(self):
        market = ScriptedMarket()
        market.model.modifiers.refusal.column(FOCAL)[1] = True
        record = market.step({1: FOCAL, 2: FOCAL})
        assert market.turned_away == {1: FOCAL}
        assert record.purchases.buyers.tolist() == [2]

    def test_the_scripted_feeling_replaces_the_engines_judgement(self):
        market = ScriptedMarket()
        record = market.step({0: FOCAL, 1: FOCAL, 2: FOCAL}, felt={0: -0.5, 1: 0.5, 2: 1.5})
        assert record.purchases.felt.tolist() == [-0.5, 0.5, 1.5]
        assert record.purchases.outcome.tolist() == [-1, 0, 1]
        assert record.events.disappointed[FOCAL] == 1 and record.events.delighted[FOCAL] == 1

    def test_columns_are_set_by_name_and_an_unknown_name_is_refused(self):
        market = ScriptedMarket()
        market.set_traits([1, 2], spend=40.0)
        market.set_relationship(1, PREMIUM, state=S.LOYAL, revenue=900.0)
        assert market.customers.spend[1:3].tolist() == [40.0, 40.0]
        assert market.state(1, PREMIUM) is S.LOYAL and market.customers.revenue[1, PREMIUM] == 900.0
        with pytest.raises(KeyError, match="customer column 'loyalty'"):
            market.set_traits(0, loyalty=1.0)
        with pytest.raises(KeyError, match="relationship column 'spend'"):
            market.set_relationship(0, FOCAL, spend=1.0)

    def test_a_scripted_step_runs_in_milliseconds(self):
        """Measured: about 0.5-1 ms a step once the engine's compiled rules are loaded."""
        market = ScriptedMarket({FOCAL: [{"name": "loyalty_points"}]})
        market.step({0: FOCAL})
        times = []
        for _ in range(20):
            began = time.perf_counter()
            market.step({0: FOCAL, 1: DISCOUNTER, 2: FOCAL})
            times.append(time.perf_counter() - began)
        assert np.median(times) < 0.025


# ====================================================================== price war
class TestPriceWarScripted:
    def test_the_discount_runs_only_in_its_window_and_rivals_answer_after_the_delay(self):
        """Weeks 3-6 at 20% off; under partial retaliation the rivals take
        half of it off from the second week of the war (a delay of 2 weeks)."""
        war = {"name": "price_war", "start": 3, "duration": 4, "retaliation": "partial", "reaction_delay_weeks": 2}
        market = ScriptedMarket({FOCAL: [war]})
        seen = []
        for _ in range(8):
            market.step({0: FOCAL, 1: DISCOUNTER})
            seen.append(market.model.discount.tolist())
        off, half = np.float32(0.2), np.float32(0.1)
        assert seen == [[0, 0, 0]] * 2 + [[off, 0, 0]] * 2 + [[off, half, half]] * 2 + [[0, 0, 0]] * 2

    def test_matching_rivals_take_the_whole_depth_off(self):
        war = {"name": "price_war", "start": 1, "duration": 3, "retaliation": "match", "reaction_delay_weeks": 1}
        market = ScriptedMarket({FOCAL: [war]})
        seen = []
        for _ in range(4):
            market.step()
            seen.append(market.model.discount.tolist())
        assert seen == [[np.float32(0.2), 0, 0]] + [[np.float32(0.2)] * 3] * 2 + [[0, 0, 0]]

    def test_the_margin_given_up_shows_in_revenue_and_only_the_campaign_is_booked(self):
        """The same purchases with and without the war: in a week of the war
        the focal firm takes exactly 20% less for them, its cost of goods is
        unchanged, and it books the announcing campaign (6,240 per 1,000
        people a year: 0.72 a week for six people) under price_war, no more."""
        script = {0: FOCAL, 1: FOCAL, 2: DISCOUNTER}
        war = ScriptedMarket({FOCAL: [{"name": "price_war", "start": 2, "duration": 1}]})
        base = ScriptedMarket()
        for week in (1, 2, 3):
            war.step(script)
            base.step(script)
            campaign = 0.72 if week == 2 else 0.0
            assert war.booked("price_war") == pytest.approx(campaign, rel=1e-12, abs=0)
            assert war.booked("cost_of_goods") == base.booked("cost_of_goods")
            paid = np.float32(0.8) if week == 2 else 1.0
            assert war.purchases.spent[:2].tolist() == (base.purchases.spent[:2] * paid).tolist()
            assert war.booked("revenue", DISCOUNTER) == base.booked("revenue", DISCOUNTER)
        given_up = base.booked("revenue", step=1) - war.booked("revenue", step=1)
        assert given_up == pytest.approx((1 - np.float32(0.8)) * base.booked("revenue", step=1), rel=1e-9)
        assert base.booked("profit", step=1) - war.booked("profit", step=1) == pytest.approx(given_up + 0.72, rel=1e-9)


# ====================================================================== loyalty points
def points_market(**params) -> ScriptedMarket:
    """Customers 0-2 buy at the focal firm with annual spend there in the base
    tier, silver (from 1,000) and gold (from 2,500); customer 3 buys at the
    discounter. Every basket is one visit of 40 at the list price."""
    market = ScriptedMarket({FOCAL: [{"name": "loyalty_points", "start": 1, **params}]})
    market.set_traits(range(6), spend=40.0, visits_per_purchase=1.0)
    market.set_relationship([0, 1, 2], FOCAL, state=S.REPEAT, purchases=5)
    market.set_relationship([0, 1, 2], FOCAL, revenue=[0.0, 1500.0, 4000.0])
    return market


BUY_POINTS = {0: FOCAL, 1: FOCAL, 2: FOCAL, 3: DISCOUNTER}


class TestLoyaltyPointsScripted:
    def test_points_accrue_on_purchases_at_the_firm_by_tier_and_then_expire(self):
        market = points_market()
        market.step(BUY_POINTS)
        points = market.strategy()
        spent = market.purchases.spent[:3]
        earned = np.array([1.0, 1.25, 1.5]) * spent
        kept = np.float32(earned) - np.float32(market.model.step_length.probability(1.05054) * np.float32(earned))
        assert points.balance[:3].tolist() == kept.tolist()
        assert points.balance[3:].tolist() == [0, 0, 0]
        assert points.member.tolist() == [True, True, True, False, False, False]
        assert points.issued == pytest.approx(earned.sum(), rel=1e-12)
        # accrual: the expected cost of the points issued (2% back, 20% breakage), and the scheme's running cost
        assert market.booked("loyalty_points") == pytest.approx(earned.sum() * 0.02 * 0.8 + per_store(5200.0), rel=1e-9)
        assert market.booked("loyalty_points", DISCOUNTER) == 0.0

    def test_a_balance_that_reaches_the_reward_is_redeemed_and_cash_accounting_books_it(self):
        market = points_market(accounting="cash")
        market.model.modifiers.points.column(FOCAL)[0] = 395.0
        market.step({0: FOCAL})
        points = market.strategy()
        spent = market.purchases.spent[0]
        assert points.rewards == 1 and points.redeemed == 400.0
        left = np.float32(395.0 + spent - 400.0)
        assert points.balance[0] == left - np.float32(market.model.step_length.probability(1.05054) * left)
        assert market.booked("loyalty_points") == pytest.approx(400 * 0.02 + per_store(5200.0), rel=1e-9)

    def test_the_balance_bonds_pulls_and_speeds_up_members_for_the_next_step(self):
        """Bond: 0.001 a point (at most 0.25) plus the tier's (silver 0.03,
        gold 0.06); the reward's pull: its value earned so far over the
        member's basket, times their price sensitivity; the goal gradient:
        0.15 x progress to the 400-point reward."""
        market = points_market()
        market.step(BUY_POINTS)
        balance = market.strategy().balance[:3].astype(np.float64)
        progress = np.minimum(balance / 400.0, 1.0)
        bond = np.minimum(0.001 * balance, 0.25) + [0.0, 0.03, 0.06]
        assert market.modifier("switching_bonus")[:3].tolist() == np.float32(bond).tolist()
        sensitivity = market.customers.price_sensitivity[:3]
        pull = sensitivity * (400 * 0.02 * progress) / 40.0
        assert market.modifier("choice_bonus")[:3].tolist() == np.float32(pull).tolist()
        assert market.modifier("occasion_lift")[:3].tolist() == np.float32(0.15 * progress).tolist()
        for name in ("switching_bonus", "choice_bonus", "occasion_lift"):
            assert not market.modifier(name)[3:].any()

    def test_a_richer_reward_pulls_members_in_proportion_to_its_value(self):
        """The same purchases earn the same points; a point worth 0.06 makes
        the reward's pull three times that of a point worth 0.02."""
        pull = {}
        for value in (0.02, 0.06):
            market = points_market(point_value=value)
            market.step(BUY_POINTS)
            pull[value] = market.modifier("choice_bonus")[:3]
        assert pull[0.02].min() > 0
        np.testing.assert_allclose(pull[0.06], 3 * pull[0.02], rtol=1e-6)

    def test_when_the_scheme_closes_the_points_lapse_and_the_bond_goes(self):
        market = points_market(duration=1)
        market.step(BUY_POINTS)
        held = float(market.strategy().balance.sum(dtype=np.float64))
        market.step(BUY_POINTS)
        points = market.strategy()
        for name in ("switching_bonus", "choice_bonus", "occasion_lift", "points"):
            assert not market.modifier(name).any()
        assert not points.member.any() and points.liability == 0.0
        assert points.lapsed == pytest.approx(held, rel=1e-12)
        assert market.booked("loyalty_points") == 0.0


# ====================================================================== club marketing
TASTING = {
    "kind": "tasting",
    "per_year": 52.0,
    "phase": 0.0,
    "attendance": 1.0,
    "cost_per_attendee": 5.0,
    "belonging": 0.1,
}


def club_market(**params) -> ScriptedMarket:
    """Customers 0-3 of the focal firm with annual spend there of 400, 300,
    200 and 100; customer 5 spends 1,000 a year at the discounter. The club
    takes the top 40% of the firm's customers, rounded up (two of four);
    every member attends a tasting every week."""
    club = {
        "name": "club_marketing",
        "start": 1,
        "member_share": 0.4,
        "events": [TASTING],
        "fee_per_member_per_year": 52.0,
        **params,
    }
    market = ScriptedMarket({FOCAL: [club]})
    market.set_relationship([0, 1, 2, 3], FOCAL, state=S.REPEAT, purchases=5, revenue=[400.0, 300.0, 200.0, 100.0])
    market.set_relationship(5, DISCOUNTER, state=S.REPEAT, purchases=5, revenue=1000.0)
    return market


class TestClubMarketingScripted:
    def test_the_top_customers_by_spend_join_and_get_the_member_discount(self):
        market = club_market()
        market.step({0: FOCAL, 2: FOCAL})
        assert market.strategy().member.tolist() == [True, True, False, False, False, False]
        assert market.modifier("price_factor").tolist() == [np.float32(0.03)] * 2 + [0.0] * 4
        assert market.purchases.discount.tolist() == [off_list(0.03), 0.0]

    def test_members_gain_belonging_at_events_and_feel_it_at_their_next_purchase(self):
        """A tasting adds 0.1 belonging (and 0.3 of it to switching costs: the
        social bond); at the next visit a member feels the firm's belonging
        and the club's, a non-member the firm's alone."""
        market = club_market()
        market.step()
        assert market.modifier("belonging_bonus").tolist() == [np.float32(0.1)] * 2 + [0.0] * 4
        assert market.modifier("switching_bonus").tolist() == [np.float32(0.3) * np.float32(0.1)] * 2 + [0.0] * 4
        market.step({0: FOCAL, 2: FOCAL})
        firm = np.float32(market.firms[FOCAL].belonging)
        assert market.purchases.belonging.tolist() == [firm + np.float32(0.1), firm]

    def test_members_costs_events_and_fees_are_booked_each_week(self):
        """Two members: two tastings at 5, members' services at 26 a year
        each (0.5 a week), fees of 52 a year each (1 a week) as revenue."""
        market = club_market()
        market.step({2: FOCAL})
        assert market.booked("club_marketing") == pytest.approx(2 * 5.0 + 2 * 0.5, rel=1e-12)
        assert market.booked("revenue") == pytest.approx(market.purchases.spent[0] + 2 * 1.0, rel=1e-12)
        assert market.booked("club_marketing", DISCOUNTER) == 0.0

    def test_a_member_who_stops_being_a_customer_drops_out_of_the_club(self):
        market = club_market()
        market.step()
        market.step(draws={"churn": {1: ALWAYS}})  # the relationship ends during the week
        assert market.state(1) is S.CHURNED
        assert market.strategy().member.tolist() == [True, False, False, False, False, False]
        assert market.booked("club_marketing") == pytest.approx(5.0 + 0.5, rel=1e-12)
        assert market.modifier("price_factor")[1] == 0.0

    def test_events_follow_the_calendar(self):
        """A quarterly lecture in the middle of its quarter: weeks 7, 20 and 33."""
        lecture = {**TASTING, "kind": "lecture", "per_year": 4.0, "phase": 0.5, "cost_per_attendee": 30.0}
        market = club_market(events=[lecture], cost_per_member_per_year=0.0, fee_per_member_per_year=0.0)
        market.run(33)
        weeks = [week + 1 for week in range(33) if market.booked("club_marketing", step=week) > 0]
        assert weeks == [7, 20, 33]
        assert market.booked("club_marketing") == 2 * 30.0

    def test_membership_is_reviewed_quarterly_and_a_new_top_customer_joins_at_the_next_review(self):
        """Annual spend decays by 1/52 a week: by week 14 customer 3's 5,000
        and customer 0's 400 are the top two; customer 1 drops out then."""
        market = club_market()
        market.step()
        market.set_relationship(3, FOCAL, revenue=5000.0)
        market.run(12)
        assert market.strategy().member.tolist() == [True, True, False, False, False, False]
        market.step()
        assert market.strategy().member.tolist() == [True, False, False, True, False, False]

    def test_the_club_costs_only_while_it_runs_and_belonging_fades_after_it_closes(self):
        """Open in weeks 2 and 3; when it closes, members and their discount
        go, and club belonging halves every 34.3 weeks (2% a week)."""
        market = club_market(start=2, duration=2)
        market.run(3)
        peak = market.modifier("belonging_bonus")
        market.run(3)
        costs = [market.booked("club_marketing", step=week) for week in range(6)]
        assert [cost > 0 for cost in costs] == [False, True, True, False, False, False]
        assert not market.strategy().member.any() and not market.modifier("price_factor").any()
        kept = np.float32(market.model.step_length.kept(34.3096))
        assert peak[:2].min() > 0
        assert market.modifier("belonging_bonus").tolist() == (peak * kept * kept * kept).tolist()


# ====================================================================== win back
WIN_BACK = {
    "name": "win_back",
    "start": 11,
    "window_weeks": 8,
    "offer_weeks": 2,
    "reach_per_week": 1.0,
    "memory_half_life_weeks": 1e9,
}


def win_back_market(**params) -> ScriptedMarket:
    """Customer 0 is a loyal customer of the focal firm; customer 1 a
    repeat customer who lapses in week 10; customer 2 lapsed before week
    1, longer ago than the 8-week window by week 11, when the programme
    starts; it reaches every lapsed customer in the window."""
    market = ScriptedMarket({FOCAL: [{**WIN_BACK, **params}]})
    market.set_relationship(0, FOCAL, state=S.LOYAL, purchases=30, affect=0.8, satisfaction=1.0)
    market.set_relationship(1, FOCAL, state=S.REPEAT, purchases=5)
    market.set_relationship(2, FOCAL, state=S.CHURNED, reconsidered=False)
    market.run(9)
    market.step(draws={"churn": {1: ALWAYS}})
    return market


class TestWinBackScripted:
    def test_a_customer_lapsed_within_the_window_gets_the_offer_and_a_loyal_one_does_not(self):
        market = win_back_market()
        assert market.state(1) is S.CHURNED
        market.step()
        win_back = market.strategy()
        assert market.modifier("price_factor").tolist() == [0.0, np.float32(0.2), 0.0, 0.0, 0.0, 0.0]
        assert market.customers.reconsidered[:3, FOCAL].tolist() == [True, True, False]  # the offer brought it back
        assert win_back.contacted == 1
        assert market.booked("win_back") == 3.0

    def test_the_offer_runs_its_weeks_and_a_customer_who_comes_back_in_them_is_won_back(self):
        market = win_back_market()
        market.step()
        market.step({1: FOCAL})
        assert market.purchases.discount.tolist() == [off_list(0.2)]
        assert market.state(1) is S.WON_BACK
        win_back = market.strategy()
        assert win_back.won == 1 and win_back.won_in_offer == 1
        assert market.booked("win_back") == 0.0  # contacted once an episode
        market.step({1: FOCAL})
        assert not market.modifier("price_factor").any()  # two weeks of offer
        assert market.purchases.discount.tolist() == [0.0]

    def test_offers_are_withdrawn_when_the_programme_ends(self):
        market = win_back_market(duration=1)
        market.step()
        assert market.modifier("price_factor")[1] == np.float32(0.2)
        market.step({1: FOCAL})
        assert not market.modifier("price_factor").any()
        assert market.purchases.discount.tolist() == [0.0]

    def test_no_contact_before_the_programme_starts(self):
        market = win_back_market()
        assert market.strategy().contacted == 0
        assert not market.modifier("price_factor").any()
        assert all(market.booked("win_back", step=week) == 0.0 for week in range(10))


# ====================================================================== customer pruning
PRUNING = {"name": "customer_pruning", "start": 1, "duration": 2}


def pruning_market() -> ScriptedMarket:
    """Customers 0-3 of the focal firm, five purchases there, buying half a
    visit a week: their cost to serve is 0.5 x 52 x 10 = 260 a year; their
    margin is 40% of annual spend (1 - unit cost 0.6 / price 1.0): 500 ->
    200 and 640 -> 256 fall short, 660 -> 264 and 700 -> 280 do not.
    Customer 4 spends little but has made only 2 purchases (not yet
    assessed); customer 5 is not the firm's customer."""
    market = ScriptedMarket({FOCAL: [PRUNING]})
    market.set_traits(range(6), visits_per_purchase=1.0)
    rows = [0, 1, 2, 3, 4]
    market.set_relationship(rows, FOCAL, state=S.REPEAT, behaviour=0.5, purchases=[5, 5, 5, 5, 2])
    market.set_relationship(rows, FOCAL, revenue=[500.0, 700.0, 640.0, 660.0, 50.0])
    market.set_relationship(5, DISCOUNTER, state=S.REPEAT, purchases=5, revenue=50.0)
    return market


class TestCustomerPruningScripted:
    def test_customers_whose_margin_falls_short_of_their_cost_to_serve_are_refused(self):
        market = pruning_market()
        market.step({i: FOCAL for i in range(5)})
        assert market.modifier("refusal").tolist() == [True, False, True, False, False, False]
        assert market.strategy().pruned == 2
        assert market.turned_away == {0: FOCAL, 2: FOCAL}
        assert [market.state(i) for i in (0, 2)] == [S.CHURNED, S.CHURNED]  # the firm ended the relationships
        assert market.purchases.buyers.tolist() == [1, 3, 4]

    def test_the_cost_to_serve_is_booked_per_visit_and_the_review_per_review(self):
        """Three visits at 10 and the review at 200 in week 1; no review in week 2 (monthly)."""
        market = pruning_market()
        market.step({i: FOCAL for i in range(5)})
        assert market.booked("customer_pruning") == 3 * 10.0 + 200.0
        market.step({1: FOCAL})
        assert market.booked("customer_pruning") == 10.0

    def test_a_refused_customer_who_knows_no_other_firm_has_no_purchase_occasion(self):
        """The engine's own choice: customer 2 knows the focal firm alone; once
        refused they have nowhere to buy, where without pruning they buy there."""
        bought = {}
        for prune_below in (1.0, 0.0):
            market = ScriptedMarket({FOCAL: [{**PRUNING, "prune_below": prune_below}]})
            market.set_relationship(2, FOCAL, state=S.REPEAT, behaviour=0.5, purchases=5, revenue=640.0)
            market.set_relationship(2, DISCOUNTER, state=S.PROSPECT)
            market.set_relationship(2, PREMIUM, state=S.PROSPECT)
            market.step()
            market.step(occasions=[2])
            bought[prune_below] = list(zip(market.purchases.buyers.tolist(), market.purchases.firm.tolist()))
        assert bought == {1.0: [], 0.0: [(2, FOCAL)]}

    def test_refusals_are_lifted_when_the_programme_ends(self):
        market = pruning_market()
        market.run(2)
        assert market.modifier("refusal").any()
        market.step()
        assert not market.modifier("refusal").any()
        assert market.booked("customer_pruning") == 0.0


# ====================================================================== complaint handling
#: a purchase at the focal firm felt half a zone below adequate, by a
#: customer of voice 0.1 (0.3 with a hotline that triples it) whose draws
#: complain below 0.3, are resolved below 0.78 and quickly below 0.8: the
#: programme's levers alone (base chances 0.1, 0.69, 0.5) make the difference
COMPLAINT = dict(felt={0: -0.5}, draws={"complaint": {0: (0.2, 0.75, 0.7)}})


def complaint_market(strategies: list) -> ScriptedMarket:
    market = ScriptedMarket({FOCAL: strategies})
    market.set_traits(0, voice=0.1, visits_per_purchase=1.0)
    market.set_relationship(0, FOCAL, state=S.REPEAT, purchases=5)
    return market


class TestComplaintHandlingScripted:
    def test_a_complaint_it_makes_heard_is_recovered_quickly(self):
        """Firm empowerment 0.3: resolution 0.6 + 0.3 x 0.3 + the programme's
        0.3 x 0.3; quick 0.5 + 0.3. A quick recovery undoes 110% of the
        disappointment (quick_offset 1.1)."""
        handled = complaint_market([{"name": "complaint_handling", "start": 1}])
        record = handled.step({0: FOCAL}, **COMPLAINT)
        p = record.purchases
        assert (p.complained[0], p.resolved[0], p.quick[0]) == (True, True, True)
        assert p.felt[0] == np.float32(-0.5) * np.float32(1 - 1.1)
        assert record.events.recoveries[FOCAL] == 1

    def test_without_it_the_same_customer_stays_silent(self):
        record = complaint_market([]).step({0: FOCAL}, **COMPLAINT)
        p = record.purchases
        assert (p.complained[0], p.resolved[0], p.quick[0]) == (False, False, False)
        assert p.felt[0] == np.float32(-0.5)

    def test_its_running_cost_and_each_complaint_are_booked_at_its_firm_only(self):
        market = complaint_market([{"name": "complaint_handling", "start": 1}])
        market.step(
            {0: FOCAL, 3: DISCOUNTER},
            felt={0: -0.5, 3: -0.5},
            draws={"complaint": {0: (0.2, 0.75, 0.7), 3: (ALWAYS, NEVER, NEVER)}},
        )
        assert market.purchases.complained.tolist() == [True, True]
        assert market.booked("complaint_handling") == pytest.approx(per_store(15600.0) + 20.0, rel=1e-12)
        assert market.booked("complaint_handling", DISCOUNTER) == 0.0
        assert market.booked("complaint_costs") == market.booked("complaint_costs", DISCOUNTER) == 15.0

    def test_the_levers_return_when_it_ends(self):
        market = complaint_market([{"name": "complaint_handling", "start": 1, "duration": 1}])
        market.step()
        focal = market.firms[FOCAL]
        assert (focal.voice_ease, focal.recovery_bonus, focal.quick_bonus) == (3.0, 0.3 * 0.3, 0.3)
        record = market.step({0: FOCAL}, **COMPLAINT)
        assert (focal.voice_ease, focal.recovery_bonus, focal.quick_bonus) == (1.0, 0.0, 0.0)
        assert not record.purchases.complained[0]
        assert market.booked("complaint_handling") == 0.0
