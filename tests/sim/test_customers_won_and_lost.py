"""Customers who can be won and lost: random-utility choice among the firms
a customer considers, satisfaction anchored to standards, and a
relationship hazard (Guadagni & Little 1983; Zeithaml, Berry & Parasuraman
1993; Bolton 1998; Jones & Sasser 1995; Fader & Hardie 2007)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sim import choice, hazard, loyalty
from sim.config import ChurnConfig, LoyaltyConfig, MarketConfig
from sim.in_play import in_play_share
from sim.model import LoyaltyModel, load_market_preset
from sim.phases.lapse_churn import defections
from sim.phases.purchase_choice import contract_term_steps, purchase_occasions_and_choice
from sim.phases.word_of_mouth import _talkers
from agents.states import Channel, LoyaltyState as S, is_customer
from sim.transactions import TransactionLog


def _market(**kwargs) -> LoyaltyModel:
    kwargs.setdefault("n_customers", 3000)
    kwargs.setdefault("burn_in", 104)
    return LoyaltyModel(seed=kwargs.pop("seed", 0), **kwargs)


class BeforeChoice(LoyaltyModel):
    """The engine, keeping what each visit round's choice saw and chose:
    states, reconsiderations and tenure before it, the buyers and firms after."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.seen: list[dict] = []
        at = self.phases.index(purchase_occasions_and_choice)
        self.phases[at] = self._choosing

    def _choosing(self, market, step) -> None:
        cust = market.customers
        before = {
            "state": cust.state.copy(),
            "reconsidered": cust.reconsidered.copy(),
            "dropped_out": cust.dropped_out.copy(),
            "since": cust.since.copy(),
            "t": market.t,
        }
        purchase_occasions_and_choice(market, step)
        before.update(buyers=step.purchases.buyers.copy(), firm=step.purchases.firm.copy())
        self.seen.append(before)


# ---------------------------------------------------------------------- choice
def test_each_customer_keeps_a_persistent_taste_for_each_firm():
    m = _market(burn_in=0)
    taste, generation = m.customers.taste.copy(), m.customers.generation.copy()
    m.run(26)
    stayed = m.customers.generation == generation
    assert stayed.mean() > 0.9
    assert np.array_equal(m.customers.taste[stayed], taste[stayed])
    assert not np.array_equal(m.customers.taste[~stayed], taste[~stayed])  # newcomers bring their own
    assert abs(taste.std() - 1.0) < 0.05  # a standard normal, scaled in the choice


def test_inertia_is_the_smoothed_share_of_the_customers_own_choices():
    m = _market()
    inertia = m.customers.inertia
    assert inertia.min() >= 0.0 and inertia.sum(axis=1).max() <= 1.0 + 1e-5
    buyers = inertia.sum(axis=1) > 0.5
    most_bought = m.customers.purchases.argmax(axis=1)
    agree = inertia[buyers].argmax(axis=1) == most_bought[buyers]
    assert agree.mean() > 0.8


@pytest.mark.slow
@pytest.mark.parametrize("preset", ["retail", "home_furnishing", "subscription"])
def test_a_plausible_share_of_customers_is_in_play(preset):
    """20-50% of current customers give their main firm a choice
    probability below 0.9 (a subscriber's at renewal), so a better offer, a
    service collapse or a club can move them; and the share falls when
    inertia weighs more (the test fails if the measure ignores the choice)."""
    m = LoyaltyModel(market=preset, seed=0, n_customers=5000)
    m.run()
    assert 0.2 <= in_play_share(m) <= 0.5
    held = LoyaltyModel(market=preset, seed=0, n_customers=5000, choice={"beta_inertia": 3.0})
    held.run()
    assert in_play_share(held) < 0.5 * in_play_share(m)


def test_inter_purchase_gaps_spread_across_and_within_customers_as_repeat_buying_does():
    """Ehrenberg's repeat buying (NBD): purchase rates differ widely across
    customers (gamma mixing), and each customer's timing is irregular
    (Poisson-like). Measured on the retail market: customers' mean gaps run
    from 8 days (10th percentile) through 17 to 48 days (90th), and a
    customer's gaps vary with a coefficient of variation of about 0.7 (1 for
    Poisson purchases, less when at most one purchase a week is counted)."""
    m = LoyaltyModel(seed=0, n_customers=4000)
    log = TransactionLog(m)
    log.run(m.config.steps)
    tx = log.table().sort_values(["customer_id", "week"])
    gap = tx.groupby("customer_id")["week"].diff() * 7.0
    per = gap.groupby(tx["customer_id"]).agg(["mean", "std", "count"])
    per = per[per["count"] >= 4]
    p10, p50, p90 = np.percentile(per["mean"], [10, 50, 90])
    assert p50 > 10 and p90 / p10 > 4  # not a market of weekly shoppers alike
    assert 0.5 < (per["std"] / per["mean"]).median() < 1.0


def test_a_firm_the_customer_left_is_chosen_only_when_they_have_left_every_firm_they_know():
    m = BeforeChoice(seed=1, n_customers=3000, burn_in=104)
    m.run(13)
    chosen_left, fallback = 0, 0
    for seen in m.seen:
        st, rc = seen["state"][seen["buyers"]], seen["reconsidered"][seen["buyers"]]
        considered = choice.considered.py_func(st, rc, seen["dropped_out"][seen["buyers"]], False)
        cell = np.arange(len(seen["buyers"])), seen["firm"]
        left = ~considered[cell]
        chosen_left += left.sum()
        fallback += (left & ~considered.any(axis=1)).sum()
    assert chosen_left > 0
    assert chosen_left == fallback  # only customers with nothing else in their consideration set


#: limited consideration: awareness is not consideration, and a customer who considers no firm buys elsewhere
_LIMITED = dict(choice={"limited_consideration": True})


def test_limited_consideration_never_chooses_a_firm_outside_the_set_and_who_considers_none_buys_elsewhere():
    """Neither a firm the customer left nor one they came to know but have
    not weighed up is chosen until it enters their consideration set; a
    customer who considers no firm buys outside the modelled firms."""
    m = BeforeChoice(seed=1, n_customers=3000, burn_in=104, **_LIMITED)
    m.run(13)
    chosen_outside, considering_none = 0, 0
    for seen in m.seen:
        considered = choice.considered.py_func(seen["state"], seen["reconsidered"], seen["dropped_out"], True)
        buyers = seen["buyers"]
        chosen_outside += (~considered[buyers, seen["firm"]]).sum()
        knows_one = choice.known.py_func(seen["state"], seen["dropped_out"]).any(axis=1)
        considering_none += (knows_one & ~considered.any(axis=1)).sum()
        assert not (~considered.any(axis=1))[buyers].any()
    assert chosen_outside == 0
    assert considering_none > 0.03 * 3000 * len(m.seen)  # about a tenth know a firm and consider none


def test_with_limited_consideration_a_firm_learned_of_after_arriving_enters_the_set_slowly():
    """Awareness is not consideration (Hauser & Wernerfelt 1990): a firm a
    customer knew on arriving is considered at once; one they came to know
    later only by the slow rate, advertising or friends' stories."""
    fresh = _market(burn_in=0, **_LIMITED)
    aware = fresh.customers.state == S.AWARE
    assert aware.sum() > 1000 and fresh.customers.reconsidered[aware].all()
    shut = dict(churn={"advertising_reconsideration": 0.0}, word_of_mouth={"reconsideration_per_story": 0.0})
    never = _market(customers={"consideration_per_year": 0.0}, **shut, **_LIMITED)
    quick = _market(customers={"consideration_per_year": 5.0}, **shut, **_LIMITED)
    learned = lambda m: (m.customers.state == S.AWARE) & (m.customers.channel != Channel.PRIOR)  # noqa: E731
    assert learned(never).sum() > 100 and not never.customers.reconsidered[learned(never)].any()
    assert quick.customers.reconsidered[learned(quick)].mean() > 0.5
    # without limited consideration every firm a customer knows and has not left is in the set
    c = never.customers
    assert choice.considered.py_func(c.state, c.reconsidered, c.dropped_out, False)[learned(never)].all()


# ---------------------------------------------------------------------- satisfaction
def _focal_satisfaction(seed: int, **focal) -> tuple[float, float]:
    firms = [dataclasses.asdict(f) for f in MarketConfig().firms]
    firms[0].update(focal)
    m = LoyaltyModel(seed=seed, n_customers=3000, burn_in=52, firms=firms)
    means = []
    for _ in range(2):
        m.run(52)
        current = is_customer(m.customers.state[:, 0])
        means.append(float(m.customers.satisfaction[current, 0].mean()))
    return means[0], means[1]


@pytest.mark.slow
def test_a_firm_with_better_service_leaves_its_customers_more_satisfied_and_it_does_not_wash_out():
    """Staff who are trained, empowered and recognised serve better; the
    focal firm's customers are then more satisfied (cumulative satisfaction,
    zone units), as much in the second year as in the first: the standards
    do not adapt to the service."""
    gaps = []
    for seed in (0, 1):
        better = _focal_satisfaction(seed, training=0.9, empowerment=0.9, recognition=0.9)
        worse = _focal_satisfaction(seed, training=0.0, empowerment=0.0, recognition=0.0)
        gaps.append((better[0] - worse[0], better[1] - worse[1]))
    first, second = np.mean(gaps, axis=0)
    assert first > 0.1
    assert second > 0.7 * first


# ---------------------------------------------------------------------- the hazard
def test_with_every_effect_off_the_hazard_is_the_churn_proneness_alone():
    """The sBG story: a beta-distributed chance a year per customer,
    constant for each (Fader & Hardie 2007)."""
    off = ChurnConfig(
        satisfaction_hazard=0.0,
        dissatisfied_hazard_ratio=1.0,
        incident_hazard=0.0,
        switching_hazard=0.0,
        bond_hazard_ratio=1.0,
        rival_hazard=0.0,
        tenure_hazard=0.0,
        at_risk_hazard_ratio=1.0,
        won_back_hazard_ratio=1.0,
    )
    chance_a_year = np.array([0.05, 0.3, 0.8])
    rate = -np.log1p(-chance_a_year)
    h = hazard.annual_hazard(
        rate, np.array([-1.0, 0.5, 2.0]), 0.3, 0.1, 1.0, True, 5.0, np.array([S.AT_RISK, S.LOYAL, S.WON_BACK]), off
    )
    np.testing.assert_allclose(h, rate)
    np.testing.assert_allclose(hazard.ending_chance(h, 1.0), chance_a_year)


def test_retention_is_convex_in_satisfaction_the_completely_satisfied_far_safer():
    """Jones & Sasser 1995: merely satisfied customers leave alike, wherever
    they sit in the zone of tolerance; the completely satisfied (above
    ``satisfaction_reference``) are far safer, so a year's retention rises
    more from the top of the zone to beyond it than across the zone; below
    the adequate level customers leave faster (the zone of defection)."""
    cfg = ChurnConfig()
    cs = np.array([-0.5, 0.1, 0.5, 0.9, 1.2, 1.5])
    h = hazard.annual_hazard(0.3, cs, 0.0, 0.5, 0.0, False, 0.0, S.LOYAL, cfg)
    kept = 1 - hazard.ending_chance(h, 1.0)
    assert h[1] == h[2] == h[3]  # merely satisfied, all alike
    assert h[0] == pytest.approx(cfg.dissatisfied_hazard_ratio * h[2])
    assert h[4] < h[3] / 2 and h[5] < h[4]
    assert kept[4] - kept[3] > kept[3] - kept[1] >= 0  # convex: the gain is at the top
    assert (kept[5] - kept[4]) / 0.3 > (kept[3] - kept[2]) / 0.4


def test_relationships_no_longer_end_by_a_count_of_rival_purchases():
    lc = LoyaltyConfig()
    one = lambda v, dtype=np.float32: np.array([[v]], dtype=dtype)  # noqa: E731
    state = loyalty.next_state(
        np.array([[S.REPEAT]], dtype=np.int8),
        one(True, bool),
        one(False, bool),
        one(10, np.uint16),
        one(60000, np.uint16),
        one(0.2),
        one(0.0),
        one(0.5),
        one(0.3),
        one(7.0),
        lc,
    )
    assert state[0, 0] == S.AT_RISK  # lapsing to rivals: at risk, not ended


def test_an_ended_relationship_leaves_the_consideration_set_until_something_brings_it_back():
    still = _market(
        churn={"reconsideration_per_year": 0.0, "advertising_reconsideration": 0.0},
        word_of_mouth={"reconsideration_per_story": 0.0},
    )
    churned = still.customers.state == S.CHURNED
    assert churned.sum() > 500
    assert not still.customers.reconsidered[churned].any()
    back = _market(churn={"reconsideration_per_year": 2.0, "advertising_reconsideration": 0.0})
    churned = back.customers.state == S.CHURNED
    assert 0.3 < back.customers.reconsidered[churned].mean() < 0.99


def test_a_friends_positive_story_brings_a_lost_firm_back_into_consideration():
    closed = {"reconsideration_per_year": 0.0, "advertising_reconsideration": 0.0}
    told = _market(churn=closed, word_of_mouth={"reconsideration_per_story": 0.5})
    churned = told.customers.state == S.CHURNED
    assert 0.05 < told.customers.reconsidered[churned].mean() < 0.9
    deaf = _market(
        churn=closed,
        word_of_mouth={
            "reconsideration_per_story": 0.5,
            "talk_delighted": 0.0,
            "talk_satisfied": 0.0,
            "talk_disappointed": 0.0,
        },
    )
    assert not deaf.customers.reconsidered[deaf.customers.state == S.CHURNED].any()  # stories, not a rate


def test_advocates_tell_more_stories_than_other_buyers_with_the_same_experience():
    n, firms = 40_000, 3
    rng = np.random.default_rng(0)
    state = np.full((n, firms), S.REPEAT, dtype=np.int8)
    state[: n // 2, 1] = S.ADVOCATE  # the first half advocate the firm they buy from
    buyers, firm = np.arange(n), np.ones(n, dtype=np.int64)
    ones = np.ones(n, dtype=np.float32)
    audience = (rng.random(n, dtype=np.float32), rng.random((2, n), dtype=np.float32), 16.0, 8.0, 35.0, 0.5, n)
    talked, _, tellers, _, _, told, _, _ = _talkers(
        buyers,
        firm,
        np.zeros(n, dtype=np.int8),
        np.zeros(n, dtype=bool),
        ones,
        ones,
        state,
        rng.random(n, dtype=np.float32),
        0.5,
        0.1,
        0.9,
        3.0,
        *audience,
    )
    advocates, others = talked[: n // 2].mean(), talked[n // 2 :].mean()
    assert abs(others - 0.1) < 0.01 and abs(advocates - 0.3) < 0.015  # 3x the chance (binomial sd 0.003)
    _, _, _, _, _, told, _, _ = _talkers(
        buyers,
        firm,
        np.ones(n, dtype=np.int8),
        np.zeros(n, dtype=bool),
        ones,
        ones,
        state,
        rng.random(n, dtype=np.float32),
        0.5,
        0.1,
        0.9,
        3.0,
        *audience,
    )
    assert set(np.unique(told)) == {1.0, 1.5}  # delighted advocates tell 1.5 stories, others one


def test_quiet_dropout_after_purchases_ends_relationships_of_its_own():
    quiet = dict(churn_proneness_a=0.02, churn_proneness_b=50.0, exit_per_year_mean=0.0)
    calm = _market(customers={**quiet, "dropout_mean": 0.0}).run(52)
    dropping = _market(customers={**quiet, "dropout_mean": 0.02}).run(52)
    assert dropping["lost"].sum() > 5 * calm["lost"].sum()


#: a relationship hazard of mean 2e-6 a year: relationships end by quiet dropout alone
_NO_HAZARD = dict(churn_proneness_a=0.02, churn_proneness_b=1e4, exit_per_year_mean=0.0)
#: no purchase is a problem, so no stay-or-leave decision ends a relationship
_NO_DECISIONS = dict(complaints={"problem_disappointment": 1e9})
#: every way back into the consideration set wide open
_OPEN_DOORS = dict(
    churn={"reconsideration_per_year": 5.0, "advertising_reconsideration": 1.0},
    word_of_mouth={"reconsideration_per_story": 1.0},
)


def test_a_customer_who_drops_out_for_good_never_buys_from_that_firm_again():
    """BG/NBD's dropout is permanent (Fader, Hardie & Lee 2005): with
    ``dropout_final`` no reconsideration, story or fallback brings the firm
    back, though every door is open; without it, the same doors win many back."""
    final = BeforeChoice(
        seed=2,
        n_customers=3000,
        burn_in=26,
        **_OPEN_DOORS,
        **_NO_DECISIONS,
        customers={**_NO_HAZARD, "dropout_mean": 0.1, "dropout_final": True},
    )
    final.run(26)
    gone = final.customers.dropped_out
    assert gone.sum() > 1000
    assert (final.customers.state[gone] == S.CHURNED).all()
    assert not (final.customers.state == S.WON_BACK).any()
    bought_from_gone = sum(seen["dropped_out"][seen["buyers"], seen["firm"]].sum() for seen in final.seen)
    assert bought_from_gone == 0
    lapsing = _market(seed=2, burn_in=52, **_OPEN_DOORS, customers={**_NO_HAZARD, "dropout_mean": 0.1})
    assert not lapsing.customers.dropped_out.any()
    assert (lapsing.customers.state == S.WON_BACK).sum() > 300


class AroundDefections(LoyaltyModel):
    """The engine, counting relationships that end at their first purchase
    (all their visits so far this round's, whatever state it left them in)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.first_purchase_endings = 0
        at = self.phases.index(defections)
        self.phases[at] = self._defections

    def _defections(self, market, step) -> None:
        cust, b, f = market.customers, step.purchases.buyers, step.purchases.firm
        first = cust.purchases[b, f] == np.rint(cust.visits_per_purchase[b])
        defections(market, step)
        self.first_purchase_endings += int((first & (cust.state[b, f] == S.CHURNED)).sum())


def test_dropout_can_be_kept_to_repeat_purchases_as_bg_nbd_has_it():
    """MBG/NBD lets a customer drop out after the first purchase (Batislam et
    al. 2007), BG/NBD only after a repeat purchase; the market can be either."""
    counts = {}
    for after_first in (True, False):
        m = AroundDefections(
            seed=3,
            n_customers=3000,
            burn_in=0,
            **_NO_DECISIONS,
            customers={**_NO_HAZARD, "dropout_mean": 0.3, "dropout_after_first_purchase": after_first},
        )
        m.run(26)
        counts[after_first] = m.first_purchase_endings
    assert counts[True] > 500
    assert counts[False] == 0


def test_a_first_purchase_at_the_trial_rate_does_not_select_heavy_buyers():
    """A cohort that first bought in its first fortnight is made of heavy buyers when the first
    purchase comes at the customer's own rate; at a common trial rate
    (``first_purchase_per_year``) its purchase rates are the population's
    (the BG/NBD cohort's story), within sampling error."""
    ratio = {}
    for trial in (0.0, 10.0):
        m = _market(
            seed=4,
            n_customers=20_000,
            burn_in=0,
            customers={"initial_awareness": 1.0, "exit_per_year_mean": 0.0, "first_purchase_per_year": trial},
        )
        rate = m.customers.visit_rate.astype(np.float64)
        m.run(2)
        bought = (m.customers.state >= S.FIRST_TIME).any(axis=1)
        assert 0.1 < bought.mean() < 0.9
        ratio[trial] = rate[bought].mean() / rate.mean()
    assert ratio[0.0] > 1.2  # retail: 1.29, the early buyers are the heavier ones
    assert abs(ratio[10.0] - 1.0) < 0.05  # a cohort of about 6,500: the mean's standard error ~1.5%


def test_higher_churn_proneness_loses_more_customers():
    low = _market(customers={"churn_proneness_a": 0.2}).run(52)
    high = _market(customers={"churn_proneness_a": 1.0}).run(52)
    rate = lambda t: t["lost"].sum() / t["customers"].mean()  # noqa: E731
    assert rate(high) > 1.5 * rate(low)


# ---------------------------------------------------------------------- contracts
def test_subscribers_hold_one_contract_and_pay_their_firm_until_a_renewal_point():
    m = BeforeChoice(market="subscription", seed=0, n_customers=3000, burn_in=24)
    m.run(24)
    term = contract_term_steps(m.config)
    assert term == 12
    assert (is_customer(m.customers.state).sum(axis=1) <= 1).all()  # one relationship at a time
    switched_between, switched_at_renewal = 0, 0
    for seen in m.seen:
        st, since = seen["state"][seen["buyers"]], seen["since"][seen["buyers"]]
        current = is_customer(st)
        bound = current.any(axis=1)
        firm_before = current.argmax(axis=1)
        tenure = seen["t"] - since[np.arange(len(since)), firm_before]
        renewing = bound & (tenure > 0) & (tenure % term == 0)
        moved = bound & (seen["firm"] != firm_before)
        switched_between += (moved & ~renewing).sum()
        switched_at_renewal += (moved & renewing).sum()
    assert switched_between == 0
    assert switched_at_renewal > 0


def _subscription(seed: int = 0, n_customers: int = 3000, burn_in: int = 24, **customers) -> dict:
    """The subscription preset with some customer keys set (the rest of its section kept)."""
    market = load_market_preset("subscription")
    market["customers"] = {**market["customers"], **customers}
    return {"market": market, "seed": seed, "n_customers": n_customers, "burn_in": burn_in}


def _renewal_moves(m: BeforeChoice) -> tuple[np.ndarray, np.ndarray]:
    """The renewal_review of the subscribers at each renewal point of ``m``'s
    choices, and whether each moved to another firm there."""
    term = contract_term_steps(m.config)
    review, moved = [], []
    for seen in m.seen:
        st, since = seen["state"][seen["buyers"]], seen["since"][seen["buyers"]]
        current = is_customer(st)
        firm_before = current.argmax(axis=1)
        tenure = seen["t"] - since[np.arange(len(since)), firm_before]
        renewing = current.any(axis=1) & (tenure > 0) & (tenure % term == 0)
        review.append(m.customers.renewal_review[seen["buyers"][renewing]])
        moved.append(seen["firm"][renewing] != firm_before[renewing])
    return np.concatenate(review), np.concatenate(moved)


def test_a_subscriber_who_does_not_review_the_market_at_renewal_renews_by_default():
    everyone = BeforeChoice(**_subscription())
    everyone.run(24)
    some = BeforeChoice(**_subscription(renewal_review_mean=0.3, renewal_review_concentration=2.0))
    some.run(24)
    assert (everyone.customers.renewal_review == 1.0).all()
    review, moved = _renewal_moves(some)
    _, moved_all = _renewal_moves(everyone)
    assert moved_all.mean() > 0.05 and len(review) > 1000
    assert abs(moved.mean() / moved_all.mean() - 0.3) < 0.12  # about the share who review
    assert review[moved].mean() > 1.3 * review[~moved].mean()  # those who moved had reviewed: 0.47 vs 0.29
    inert = review < 0.02
    assert inert.sum() > 100 and moved[inert].mean() < 0.2 * moved.mean()


def test_a_subscriber_who_will_renew_by_default_is_not_in_play():
    reviewing = LoyaltyModel(**_subscription(n_customers=4000, burn_in=36))
    inert = LoyaltyModel(
        **_subscription(n_customers=4000, burn_in=36, renewal_review_mean=0.05, renewal_review_concentration=2.0)
    )
    assert 0.15 < in_play_share(reviewing) < 0.5  # 23% after the preset's burn-in
    assert in_play_share(inert) < 0.2 * in_play_share(reviewing)  # 1 in 20 reviews: few can be tipped


def test_the_attentive_switch_at_early_renewals_so_a_cohorts_survivors_are_the_inert():
    m = LoyaltyModel(
        **_subscription(n_customers=20000, burn_in=0, renewal_review_mean=0.5, renewal_review_concentration=1.0)
    )
    m.step()
    cohort = is_customer(m.customers.state).any(axis=1)
    generation = m.customers.generation.copy()
    review = m.customers.renewal_review
    mean_review = [float(review[cohort].mean())]
    for _ in range(4):
        m.run(12)
        cohort &= (m.customers.generation == generation) & is_customer(m.customers.state).any(axis=1)
        cohort &= m.customers.since.max(axis=1) <= 1  # still with the firm they began with
        mean_review.append(float(review[cohort].mean()))
    assert abs(mean_review[0] - 0.5) < 0.03
    # about 8% of reviewers move at a renewal, so four renewals take the mean from 0.50 to about 0.45
    # (a cohort of about 6,500: the mean's standard error is about 0.006)
    assert mean_review[4] < mean_review[0] - 0.025
    assert mean_review[2] < mean_review[0] and mean_review[4] < mean_review[2]
