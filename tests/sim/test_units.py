"""Real units: rates per year, half-lives, costs per driver and staff in
full-time equivalents, converted to the step length in one place
(``sim/units.py``), and the weekly retail market restated in them."""

from __future__ import annotations

import math

import numpy as np
import pytest

from agents.customers import purchase_episodes
from agents.staff import StaffPopulation
from sim.config import FirmConfig, MarketConfig, StaffConfig
from sim.costs import driver_costs
from sim.staffing import strain
from sim.units import StepLength, compounded, half_life_weeks, rate_per_year

WEEKLY, MONTHLY, DAILY = StepLength(52.0), StepLength(12.0), StepLength(365.0)


# ----------------------------------------------------------------------------- conversions
@pytest.mark.parametrize("unit", [WEEKLY, MONTHLY, DAILY])
def test_a_rate_per_year_gives_the_same_chance_over_a_year_at_any_step_length(unit):
    p = unit.probability(0.3)
    survive_a_year = (1 - p) ** unit.steps_per_year
    assert survive_a_year == pytest.approx(math.exp(-0.3), rel=1e-12)


@pytest.mark.parametrize("unit", [WEEKLY, MONTHLY, DAILY])
def test_a_half_life_halves_in_its_weeks_at_any_step_length(unit):
    kept_over_26_weeks = unit.kept(26.0) ** unit.steps(26.0)
    assert kept_over_26_weeks == pytest.approx(0.5, rel=1e-12)


@pytest.mark.parametrize("unit", [WEEKLY, MONTHLY, DAILY])
def test_money_per_year_and_the_discount_add_up_over_a_year(unit):
    assert unit.per_step(31200.0) * unit.steps_per_year == pytest.approx(31200.0)
    assert unit.step_discount(0.08) ** unit.steps_per_year == pytest.approx(1 / 1.08)


def test_restating_a_weekly_decay_and_chance_gives_them_back_in_weekly_steps():
    assert WEEKLY.kept(half_life_weeks(0.99)) == pytest.approx(0.99, rel=1e-12)
    assert WEEKLY.probability(rate_per_year(0.006)) == pytest.approx(0.006, rel=1e-12)


def test_durations_in_weeks_become_whole_steps():
    assert [WEEKLY.whole_steps(w) for w in (0, 1, 12, 13)] == [0, 1, 12, 13]
    assert [MONTHLY.whole_steps(w) for w in (0, 1, 12, 13)] == [0, 1, 3, 3]


def test_a_share_per_visit_compounds_over_the_visits_of_a_purchase():
    visits = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    share = compounded(0.1, visits)
    assert share[0] == np.float32(0.1)  # one visit: the share itself
    np.testing.assert_allclose(share[1:], [1 - 0.9**2, 1 - 0.9**3], rtol=1e-6)
    assert compounded(1.0, visits).tolist() == [1.0, 1.0, 1.0]


@pytest.mark.parametrize("unit", [WEEKLY, MONTHLY, DAILY])
def test_expected_visits_a_year_do_not_depend_on_the_step_length(unit):
    rates = np.array([0.5, 5.0, 23.4, 52.0, 200.0])
    chance, visits = purchase_episodes(rates, unit)
    np.testing.assert_allclose(chance * visits * unit.steps_per_year, rates, rtol=1e-6)
    assert (chance <= 1).all() and (visits >= 1).all()


# ----------------------------------------------------------------------------- money and staff
def _costs(n_customers: int) -> dict[str, np.ndarray]:
    market = MarketConfig(n_customers=n_customers)
    staff = StaffPopulation(market.firms, n_customers, market.staff, np.random.default_rng(0))
    firms = market.firms
    by_firm = lambda name: np.array([getattr(f, name) for f in firms], dtype=np.float64)  # noqa: E731
    leavers = staff.full_time_equivalents(len(firms)) * 0.01
    return driver_costs(staff, leavers, np.ones(len(firms), dtype=bool), by_firm, market, WEEKLY)


def test_running_costs_per_customer_do_not_depend_on_market_size():
    small, large = _costs(1000), _costs(20000)
    for category in small:
        np.testing.assert_allclose(small[category] / 1000, large[category] / 20000, rtol=1e-9, err_msg=category)


def test_the_default_costs_are_those_of_the_first_version_at_5000_customers():
    """Restated per driver and year, the weekly retail market books what it
    booked per week before: fixed 4,000, advertising 800 and wages 600 per
    employee (1.6 per 1,000 customers: 8)."""
    costs = _costs(5000)
    np.testing.assert_allclose(costs["fixed"], [4000.0] * 3)
    np.testing.assert_allclose(costs["advertising"], [800.0] * 3)
    np.testing.assert_allclose(costs["wages"][0], 8 * 600.0)


def test_staff_are_full_time_equivalents_with_a_part_time_position_for_the_fraction():
    firms = [FirmConfig(name="A", staff_per_1k_customers=1.6), FirmConfig(name="B", staff_per_1k_customers=0.3)]
    staff = StaffPopulation(firms, 1000, StaffConfig(), np.random.default_rng(0))
    assert staff.fte[staff.firm == 0].tolist() == pytest.approx([1.0, 0.6])
    assert staff.fte[staff.firm == 1].tolist() == pytest.approx([0.3])
    assert staff.full_time_equivalents(2).tolist() == pytest.approx([1.6, 0.3])


def test_lay_offs_dismiss_full_time_equivalents_whole_positions_first():
    firms = [FirmConfig(name="A", staff_per_1k_customers=2.5)]
    staff = StaffPopulation(firms, 1000, StaffConfig(), np.random.default_rng(0))
    emptied = staff.dismiss_fte(0, 1.2, np.array([0, 1, 2]))
    assert emptied.tolist() == [0]
    assert staff.full_time_equivalents(1).tolist() == pytest.approx([1.3])
    assert staff.fte[1] == pytest.approx(0.8) and staff.employed[1]


def test_a_part_timer_serves_in_proportion_to_their_hours():
    firms = [FirmConfig(name="A", staff_per_1k_customers=1.5)]
    staff = StaffPopulation(firms, 1000, StaffConfig(), np.random.default_rng(0))
    u = np.random.default_rng(1).random(60000, dtype=np.float32)
    served = staff.roster().server(np.zeros(len(u), dtype=np.int64), u)
    share = np.bincount(served, minlength=2) / len(u)
    assert share == pytest.approx([2 / 3, 1 / 3], abs=0.01)  # 1 FTE and 0.5 FTE


def test_a_firm_without_staff_serves_nobody():
    firms = [FirmConfig(name="A")]
    staff = StaffPopulation(firms, 1000, StaffConfig(), np.random.default_rng(0))
    staff.employed[:] = False
    assert (staff.roster().server(np.zeros(5, dtype=np.int64), np.full(5, 0.5, np.float32)) == -1).all()


# ----------------------------------------------------------------------------- the service curve
def test_strain_rises_smoothly_with_utilisation_without_a_kink():
    cfg = StaffConfig()
    u = np.linspace(0.0, 2.0, 2001)
    s = strain(u, cfg)
    slope = np.diff(s) / np.diff(u)
    assert (slope > 0).all() and (np.diff(slope) > 0).all()  # rising, ever steeper
    assert np.abs(np.diff(slope)).max() < 0.01  # no jump in the slope
    assert s[800] < 0.02 and 0.05 < s[1000] < 0.1 and s[1200] > 0.2  # at 80%, 100%, 120%


def test_the_default_retail_staffing_runs_near_80_percent_utilisation():
    from sim.model import LoyaltyModel

    table = LoyaltyModel(market="retail", seed=2, n_customers=5000, burn_in=52, steps=13).run()
    focal = table[table.firm == "Focal"]
    assert 0.72 <= focal["workload"].mean() <= 0.88


def test_a_step_is_named_in_words_where_a_year_holds_a_whole_number_of_them():
    from sim.units import StepLength

    names = [StepLength(n).name for n in (52.0, 12.0, 4.0, 1.0, 365.0, 26.5)]
    assert names == ["week", "month", "quarter", "year", "step", "step"]
