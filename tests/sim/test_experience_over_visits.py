"""A purchase of several visits feels like the mean of its visits: a month
of purchases holds the same experiences as the weeks it covers (the step
length must not change the model)."""

from __future__ import annotations

import numpy as np

from sim.config import ExperienceConfig
from sim.experience import delivered_service, overall, quality_score, service_score
from sim.units import compounded

WEIGHTS = np.array([0.25, 0.3, 0.35, 0.1], dtype=np.float32)
QUALITY, LEVEL, SPREAD, P_FAIL = 0.7, 0.6, 0.2, 0.05


def one_experience(u: np.ndarray, z_service: np.ndarray, z_quality: np.ndarray, visits: float) -> np.ndarray:
    """The engine's experience of purchases of ``visits`` visits (price and belonging fixed)."""
    cfg = ExperienceConfig()
    service = delivered_service(np.float32(LEVEL), np.float32(SPREAD), z_service, visits)
    failed = u < compounded(np.float32(P_FAIL), np.full(len(u), visits, np.float32))
    x_q = quality_score(np.float32(QUALITY), failed, z_quality, cfg, visits)
    x_s = service_score(service, failed, cfg, visits)
    return overall(WEIGHTS, 0.5, x_q, x_s, 0.4)


def test_a_purchase_of_four_visits_feels_like_the_mean_of_four_single_visits():
    rng = np.random.default_rng(7)
    k, n = 4, 200_000
    singles = one_experience(rng.random(n * k), rng.standard_normal(n * k), rng.standard_normal(n * k), 1.0)
    weekly = singles.reshape(n, k).mean(axis=1)
    monthly = one_experience(rng.random(n), rng.standard_normal(n), rng.standard_normal(n), float(k))
    # the failures of four visits are counted once per purchase: E = 1 - (1 - p)^4 of a failure
    # weighing a quarter, against 4p failures of a quarter each; 2.6% of the failures' weight at p = 0.05
    assert abs(monthly.mean() - weekly.mean()) < 0.002
    # the day-to-day spread averages out as over four weeks (without the
    # 1/sqrt(visits) the ratio would be about 2); counting at most one failure
    # per purchase leaves the monthly spread about 5% narrower
    assert abs(monthly.std() / weekly.std() - 1) < 0.08


def test_failures_per_visit_do_not_depend_on_how_visits_are_grouped():
    rng = np.random.default_rng(11)
    n, k = 400_000, 3
    u = rng.random(n)
    failed = u < compounded(np.float32(P_FAIL), np.full(n, k, np.float32))
    # purchases of k visits fail as often as any of k single visits would
    assert abs(failed.mean() - (1 - (1 - P_FAIL) ** k)) < 0.002
    single = one_experience(u, np.zeros(n, np.float32), np.zeros(n, np.float32), 1.0)
    grouped = one_experience(u, np.zeros(n, np.float32), np.zeros(n, np.float32), float(k))
    # a failed visit weighs one visit's share of the purchase's experience
    drop_single = single.max() - single.min()
    drop_grouped = grouped.max() - grouped.min()
    assert abs(drop_grouped - drop_single / k) < 1e-5


def test_the_step_tables_spread_of_service_is_per_visit_whatever_the_step_length():
    """Every employee serves at level 0.5 with a day-to-day spread of 0.1:
    the spread of service a visit receives is 0.1 in weekly and monthly
    steps alike, though a monthly purchase holds the mean of its visits
    (counted alone, a month's purchases would read about 0.08)."""
    from sim.model import LoyaltyModel
    from sim.phases.staff import staff_phase

    for steps_per_year in (52, 12):
        model = LoyaltyModel(seed=3, n_customers=3000, burn_in=0, steps_per_year=steps_per_year)

        def even_staff(market, step):
            staff_phase(market, step)
            market.staff.service_level[:] = 0.5
            market.staff.service_spread[:] = 0.1

        model.phases[model.phases.index(staff_phase)] = even_staff
        table = model.run(6)
        spread = np.average(table["service_spread"], weights=table["visits"])
        assert abs(spread - 0.1) < 0.005, (steps_per_year, spread)
