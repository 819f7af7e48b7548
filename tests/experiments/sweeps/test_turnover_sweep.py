"""The probe behind the claims on the fifths of staff turnover (Heskett et
al. 1994, 'Putting the service-profit chain to work'): each market of the
sweep sets the focal firm's own staff turnover from the start of the
burn-in, and only the focal firm's."""

from __future__ import annotations

import pytest

import sim.model
from experiments.validation.claims.staff_measures import (
    BOOKS,
    COMPARED,
    HIGH_FIFTH,
    LOW_FIFTH,
    TURNOVER_SWEEP,
    turnover_sweep_probe,
)
from sim.config import market_config


def test_each_market_of_the_sweep_sets_the_focal_firms_own_turnover_and_leaves_its_rivals_at_the_markets(monkeypatch):
    built = []

    class Recording(sim.model.LoyaltyModel):
        def __init__(self, market, seed):
            built.append((market.burn_in, [f.staff_turnover_factor for f in market.firms]))
            super().__init__(market=market, seed=seed)

    monkeypatch.setattr(sim.model, "LoyaltyModel", Recording)
    market = market_config(n_customers=1500, burn_in=26, steps=26)
    out = turnover_sweep_probe(market, seed=1)

    base = market.staff.turnover_per_year
    assert [b for b, _ in built] == [26] * 4  # each market burnt in at its own turnover
    for (_, factors), k in zip(built, COMPARED):
        assert factors[0] * base == pytest.approx(TURNOVER_SWEEP[k])
        assert factors[1:] == [1.0] * (len(factors) - 1)
    assert set(out) == {f"{book}_{k}" for book in BOOKS for k in COMPARED}
    assert out[f"hiring_{HIGH_FIFTH[-1]}"] > 5 * out[f"hiring_{LOW_FIFTH[0]}"]


def test_the_sweep_needs_a_base_turnover_to_take_multiples_of():
    with pytest.raises(ValueError, match="staff.turnover_per_year = 0"):
        turnover_sweep_probe(market_config(n_customers=500, steps=4, staff={"turnover_per_year": 0.0}), seed=0)
