"""Quality investment: failures and complaints fall (000)."""

from __future__ import annotations

from tests.strategies.contract import StrategyContract, mean_after


class TestQualityInvestment(StrategyContract):
    name = "quality_investment"
    params = {"start": 5, "quality_gain": 0.2}
    bad_value = ("quality_gain", 1.5)

    def test_failures_and_complaints_fall(self):
        for seed in (0, 1):
            with_it, base = self.run(seed=seed), self.baseline(seed=seed)
            fail = mean_after(with_it, "failures", start=15) / mean_after(with_it, "visits", start=15)
            fail0 = mean_after(base, "failures", start=15) / mean_after(base, "visits", start=15)
            assert fail < 0.6 * fail0
            assert mean_after(with_it, "complaints", start=15) < mean_after(base, "complaints", start=15)

    def test_quality_returns_when_the_programme_ends(self):
        model = self.run(seed=0, keep=True, duration=10)
        assert model.firms[0].quality == model.config.firms[0].quality
