"""Staff loyalty: engaged staff stay, serve better and steadier; retention follows (001, 002)."""

from __future__ import annotations

import pytest

from functools import lru_cache

from tests.strategies.contract import StrategyContract, mean_after, run_market

SEEDS = (0, 1, 2)
START = 5
#: a market with enough staff (19 at the focal firm) for turnover to be counted,
#: and a horizon long enough for the customers' response to show
MARKET = dict(n_customers=12000, steps=78)


@lru_cache(maxsize=None)
def pair(seed: int):
    """The step tables with the programme (from step START) and without, on one seed."""
    with_it = run_market({0: [{"name": "staff_loyalty", "start": START}]}, seed=seed, **MARKET)
    return with_it, run_market({}, seed=seed, **MARKET)


def leavers(table, start: int) -> float:
    rows = table[(table.firm_index == 0) & (table.step >= start)]
    return float((rows.staff_turnover * rows.headcount).sum())


class TestStaffLoyalty(StrategyContract):
    name = "staff_loyalty"
    params = {"start": START}
    bad_value = ("wage_premium", -0.1)

    @pytest.mark.slow
    def test_engagement_rises_and_staff_turnover_falls(self):
        quit_with = quit_without = 0.0
        for seed in SEEDS:
            with_it, base = pair(seed)
            engaged = mean_after(with_it, "staff_engagement", start=15)
            assert engaged > mean_after(base, "staff_engagement", start=15) + 0.1
            quit_with += leavers(with_it, START)
            quit_without += leavers(base, START)
        assert quit_with < 0.7 * quit_without

    @pytest.mark.slow
    def test_service_rises_and_its_spread_narrows(self):
        for seed in SEEDS:
            with_it, base = pair(seed)
            assert mean_after(with_it, "service_level", start=15) > mean_after(base, "service_level", start=15) + 0.05
            assert mean_after(with_it, "service_spread", start=15) < 0.9 * mean_after(base, "service_spread", start=15)

    @pytest.mark.slow
    def test_retention_rises_after_a_lag(self):
        for seed in SEEDS:
            with_it, base = pair(seed)
            # identical before the programme starts
            assert mean_after(with_it, "customers", stop=START) == mean_after(base, "customers", stop=START)
            # lower churn once service has risen
            assert mean_after(with_it, "churn_rate", start=40) < mean_after(base, "churn_rate", start=40)
            assert mean_after(with_it, "retention_rate", start=40) > mean_after(base, "retention_rate", start=40)

            # and the customer base grows apart only gradually
            def gap(**window):
                return mean_after(with_it, "customers", **window) - mean_after(base, "customers", **window)

            early, late = gap(start=START, stop=START + 5), gap(start=60)
            assert late > 0 and late > 3 * max(early, 0)

    def test_pays_the_premium_as_wages_and_the_programme_on_top(self):
        with_it, base = pair(0)
        ratio = mean_after(with_it, "wages", start=START) / mean_after(base, "wages", start=START)
        assert abs(ratio - 1.15) < 1e-9
        assert mean_after(with_it, "staff_loyalty", stop=START) == 0
        assert mean_after(with_it, "staff_loyalty", start=START) > 0

    def test_the_configured_levers_return_when_it_ends(self):
        model = self.run(seed=0, keep=True, duration=10)
        firm, cfg = model.firms[0], model.config.firms[0]
        for key in ("wage_per_year", "training", "empowerment", "recognition"):
            assert getattr(firm, key) == getattr(cfg, key)
        table = model.step_table()
        assert mean_after(table, "staff_loyalty", start=START + 10) == 0
        base = self.baseline(seed=0)
        assert mean_after(table, "wages", start=START + 10) == mean_after(base, "wages", start=START + 10)
