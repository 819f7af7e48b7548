"""Strategies compose: a firm runs two programmes at once and a
rival runs its own; the combination differs measurably from each alone."""

from __future__ import annotations

import pytest

import numpy as np

from tests.strategies.contract import mean_after, run_market, total

SERVICE = {"name": "differentiated_service", "start": 3, "segment": 2, "service_lift": 0.3}
STAFF = {"name": "staff_loyalty", "start": 3}
RIVAL_WAR = {"name": "price_war", "start": 10, "duration": 8}
MARKET = dict(n_customers=5000, steps=40)


def _runs(seed: int) -> dict:
    return {
        "service": run_market({0: [SERVICE]}, seed=seed, **MARKET),
        "staff": run_market({0: [STAFF]}, seed=seed, **MARKET),
        "both": run_market({0: [SERVICE, STAFF]}, seed=seed, **MARKET),
        "both_rival_war": run_market({0: [SERVICE, STAFF], 1: [RIVAL_WAR]}, seed=seed, **MARKET),
    }


@pytest.mark.slow
def test_differentiated_service_with_staff_loyalty_differs_from_each_alone():
    for seed in (0, 1):
        runs = _runs(seed)
        both, service, staff = runs["both"], runs["service"], runs["staff"]
        # each programme books its own costs, side by side
        assert total(both, "differentiated_service") > 0 and total(both, "staff_loyalty") > 0
        assert "staff_loyalty" not in service.columns and "differentiated_service" not in staff.columns
        # engaged staff deliver the targeted lift on top of better service for everyone
        level = {k: mean_after(t, "service_level", start=10) for k, t in runs.items()}
        assert level["both"] > level["service"] + 0.02
        assert level["both"] > level["staff"] + 0.005
        engagement = {k: mean_after(t, "staff_engagement", start=10) for k, t in runs.items()}
        assert engagement["both"] > engagement["service"] + 0.05
        revenue = {k: mean_after(t, "revenue", start=10) for k, t in runs.items()}
        assert revenue["both"] > revenue["staff"]


def test_a_rival_runs_its_own_strategy_against_the_combination():
    runs = _runs(0)
    both, war = runs["both"], runs["both_rival_war"]
    assert total(war, "price_war", firm=1) > 0 and total(war, "price_war", firm=0) == 0
    visits = lambda t, f: mean_after(t, "visits", firm=f, start=10, stop=18)  # noqa: E731
    assert visits(war, 1) > 1.05 * visits(both, 1)
    assert visits(war, 0) < visits(both, 0)
    np.testing.assert_array_equal(both[both.step < 10]["revenue"], war[war.step < 10]["revenue"])
