"""Win-back: lapsed customers come back more readily than new prospects are won (002; Griffin & Lowenstein 2001)."""

from __future__ import annotations

import pytest

import functools

from tests.strategies.contract import StrategyContract, total

SEEDS = (0, 1, 2)


def hazards(table, firm: int = 0, start: int = 5) -> tuple[float, float]:
    """Per step: win-backs per churned relationship, acquisitions per aware non-customer."""
    rows = table[(table.firm_index == firm) & (table.step >= start)]
    return rows.win_backs.sum() / rows.n_churned.sum(), rows.acquisitions.sum() / rows.n_aware.sum()


class TestWinBack(StrategyContract):
    name = "win_back"
    params = {"start": 5}
    bad_value = ("offer_depth", 0.95)

    def test_contacted_lapsed_customers_are_won_back(self):
        for seed in SEEDS:
            with_it, base = self.run(seed=seed), self.baseline(seed=seed)
            assert total(with_it, "win_backs") > 1.1 * total(base, "win_backs")  # about 1.2: a quarter reached

    def test_reacquiring_the_lapsed_beats_acquiring_new_prospects(self):
        for seed in SEEDS:
            model = self.run(seed=seed, keep=True)
            back, new = hazards(model.step_table())
            back0, new0 = hazards(self.baseline(seed=seed))
            # per step, churned customers come back more often, against aware prospects, with
            # the programme: its offers put the firm back in their consideration set (most
            # churned customers left long ago and have not reconsidered, so the rate over
            # all of them is no higher than a prospect's)
            assert back - new > back0 - new0
            # contacted customers, over the offer, against an aware prospect over as many steps
            s = model.firms[0].strategies[0]
            assert s.won_in_offer / s.contacted > 1 - (1 - new) ** s.offer_steps

    def test_no_offer_no_win_back(self):
        """A contact without an offer (a tiny one) wins back little: the offer does the work."""
        for seed in SEEDS[:2]:
            weak = total(self.run(seed=seed, offer_depth=0.01), "win_backs")
            assert weak < total(self.run(seed=seed), "win_backs")

    def test_a_contact_reaches_fewer_lapsed_customers_the_longer_they_have_been_gone(self):
        """The memory half-life: with a short one the programme reaches fewer of the lapsed, and
        those it reaches it reaches sooner after they left."""
        for seed in SEEDS[:2]:
            fading = self.run(seed=seed, keep=True, window_weeks=26, reach_per_week=0.2, memory_half_life_weeks=2)
            lasting = self.run(seed=seed, keep=True, window_weeks=26, reach_per_week=0.2, memory_half_life_weeks=1e6)
            short, long = fading.firms[0].strategies[0], lasting.firms[0].strategies[0]
            assert short.contacted < long.contacted
            assert short.contacted_by_age[:3].sum() / short.contacted > long.contacted_by_age[:3].sum() / long.contacted


@functools.lru_cache(maxsize=None)
def _followed(seed: int) -> dict:
    """The win-back probe on a small market: lapsed customers and prospects followed half a year."""
    from experiments.validation.claims.win_back_probe import win_back_probe
    from sim.config import market_config

    return win_back_probe(market_config(n_customers=2000, burn_in=104, steps=52), seed=seed, follow_weeks=26)


@pytest.mark.slow
def test_the_longer_a_customer_has_been_gone_the_harder_they_are_to_win_back():
    """A campaign to every lapsed customer at once wins back more of those gone under 13
    weeks than of those gone over a year (Griffin & Lowenstein 2001)."""
    for seed in SEEDS:
        out = _followed(seed)
        assert out["lapsed_recent"] > 0 and out["lapsed_old"] > 0
        assert out["won_back_recent"] > out["won_back_old"] + 0.1


@pytest.mark.slow
def test_the_programme_wins_back_lapsed_customers_who_would_not_come_back_on_their_own():
    """Judged over the seeds together (about 50 customers a seed gone under
    13 weeks): those gone under 13 weeks gain 20-45 points a seed, those
    gone over a year, whom a contact reaches half as often every 26 weeks,
    about 4."""
    recent_gain, old_gain = 0.0, 0.0
    for seed in SEEDS:
        out = _followed(seed)
        assert out["won_back_recent"] > out["own_return_recent"]
        recent_gain += out["won_back_recent"] - out["own_return_recent"]
        old_gain += out["won_back_old"] - out["own_return_old"]
        assert 0 < out["prospects_acquired"] <= 1 and 0 < out["lapsed_won_back"] <= 1
    assert recent_gain > 0.5 and old_gain > 0.06
