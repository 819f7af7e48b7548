"""A long step makes its customers' visits in rounds, in order: each round
a choice of firm, the experience and its feelings, word of mouth and
defections, as weekly steps make them (a step otherwise holds one purchase a
customer, all its visits at one firm). The invariance table shows what that
does to the results (tests/experiments/validation/test_invariance.py)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model import LoyaltyModel
from sim.records import Purchases
from sim.units import StepLength


@pytest.mark.parametrize(
    "steps_per_year, round_weeks, rounds",
    [(52, 1.0, 1), (12, 1.0, 4), (26, 1.0, 2), (1, 1.0, 52), (12, 4.35, 1), (12, 2.0, 2), (365, 1.0, 1)],
)
def test_a_step_holds_its_weeks_over_the_rounds_weeks_rounds_rounded_at_least_one(steps_per_year, round_weeks, rounds):
    step = StepLength.of(steps_per_year, round_weeks)
    assert step.rounds == rounds
    assert step.visit_round == (step if rounds == 1 else StepLength(steps_per_year * rounds))


def test_a_monthly_steps_visits_are_made_in_four_rounds_so_a_customer_can_shop_at_two_firms_in_a_month():
    model = LoyaltyModel(seed=2, n_customers=2000, burn_in=6, steps=1, steps_per_year=12)
    assert model.step_length.rounds == 4
    model.step()
    p = model.last_step.purchases
    assert sorted(np.unique(p.visit_round)) == [0, 1, 2, 3]
    rows = [np.flatnonzero(m) for m in p.in_rounds()]
    assert all(len(np.unique(p.buyers[r])) == len(r) for r in rows)  # at most once a round
    firms_per_buyer = {}
    for b, f in zip(p.buyers, p.firm):
        firms_per_buyer.setdefault(int(b), set()).add(int(f))
    assert max(len(f) for f in firms_per_buyer.values()) >= 2
    # the step's visits are the rounds' visits
    table = model.step_table()
    np.testing.assert_allclose(
        table["visits"].to_numpy(), np.bincount(p.firm, p.visits.astype(np.float64), minlength=model.n_firms)
    )


def test_a_market_billed_per_period_makes_one_purchase_a_step():
    """The subscription market's round is its month: one round a step, the
    purchases unmarked, as in a weekly market."""
    for model in (
        LoyaltyModel(market="subscription", seed=0, n_customers=300, burn_in=2, steps=1),
        LoyaltyModel(seed=0, n_customers=300, burn_in=2, steps=1),
    ):
        assert model.step_length.rounds == 1
        model.step()
        assert model.last_step.purchases.visit_round is None
        assert len(model.last_step.purchases.in_rounds()) == 1


def test_a_customer_visits_as_often_a_year_whatever_the_rounds():
    """A round's purchase chance is a week's: a year of monthly steps of
    four rounds holds the visits of a year of weekly steps (to 1%)."""
    visits = {}
    for spy in (52, 12):
        model = LoyaltyModel(seed=4, n_customers=4000, burn_in=0, steps=spy, steps_per_year=spy)
        visits[spy] = model.run()["visits"].sum()
    assert visits[12] == pytest.approx(visits[52], rel=0.01)


def test_the_rounds_purchases_are_joined_in_round_order():
    first = Purchases(buyers=np.array([3, 5]), firm=np.array([0, 1]), visits=np.array([1.0, 1.0], np.float32))
    second = Purchases(buyers=np.array([5]), firm=np.array([0]), visits=np.array([1.5], np.float32))
    joined = Purchases.joined([first, second])
    np.testing.assert_array_equal(joined.buyers, [3, 5, 5])
    np.testing.assert_array_equal(joined.visit_round, [0, 0, 1])
    assert joined.experience is None
    np.testing.assert_array_equal(joined.in_rounds()[1], [False, False, True])


def test_a_probe_put_among_a_rounds_phases_runs_once_a_round():
    from sim.phases import disconfirmation

    model = LoyaltyModel(seed=2, n_customers=500, burn_in=0, steps=1, steps_per_year=12)
    seen = []
    model.phases.insert(model.phases.index(disconfirmation), lambda market, step: seen.append(step.purchases))
    model.step()
    assert len(seen) == model.step_length.rounds == 4
