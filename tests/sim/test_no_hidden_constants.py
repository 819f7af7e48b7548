"""The numbers that were hidden in the engine are config, and they act.

Each key below was once a bare constant in the code (the price weight of
cognitive loyalty, the lead that stands for certainty, the promoter and
detractor thresholds, the weight of the churn average behind customer
lifetime value). The tests pin their defaults to the values the constants
had, and check that each key moves the outcome it should: a key the code
ignored again (a constant back in its place) fails them. The per-agent
reference reads the same keys (``benchmarks/reference.py``).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from benchmarks.reference import ReferenceLoyaltyModel
from sim import loyalty
from sim.config import LoyaltyConfig
from sim.metrics import step_metrics
from sim.model import LoyaltyModel, load_market_preset
from sim.phases.churn_smoothing import smooth_churn
from sim.records import SmoothedChurn
from agents.states import LoyaltyState as S
from sim.units import StepLength, half_life_weeks


def _market(**loyalty_keys) -> dict:
    """The retail preset with some ``loyalty`` keys set."""
    m = load_market_preset("retail")
    m["loyalty"] = {**m.get("loyalty", {}), **loyalty_keys}
    return m


@pytest.fixture(scope="module")
def market() -> LoyaltyModel:
    model = LoyaltyModel(market="retail", seed=5, n_customers=1500, burn_in=30, steps=2)
    model.run()
    return model


def test_defaults_are_the_values_the_constants_had():
    lc = LoyaltyConfig()
    assert lc.cognitive_price_weight == 0.1
    assert lc.cognitive_certain_lead == 10.0
    assert (lc.promoter_recommend, lc.detractor_recommend) == (9, 6)  # Reichheld 2003: 9-10 and 0-6
    # 0.9 of the churn average kept a week (to the 3 figures of the half-life)
    assert StepLength(52).kept(lc.clv_churn_half_life_weeks) == pytest.approx(0.9, abs=1e-4)
    assert lc.clv_churn_half_life_weeks == pytest.approx(half_life_weeks(0.9), abs=0.005)


# ---------------------------------------------------------------------- cognitive loyalty
def test_price_weight_zero_makes_price_irrelevant_to_cognitive_loyalty(market):
    lc = market.config.loyalty
    saved_price, saved_weight = market.price.copy(), lc.cognitive_price_weight
    try:

        def cognitive_at(focal_price: float) -> np.ndarray:
            market.price = saved_price.copy()
            market.price[0] = focal_price
            return market.latents()["cognitive"][:, 0]

        lc.cognitive_price_weight = 0.0
        np.testing.assert_array_equal(cognitive_at(saved_price[0]), cognitive_at(saved_price[0] * 1.5))
        lc.cognitive_price_weight = saved_weight
        cheap, dear = cognitive_at(saved_price[0]), cognitive_at(saved_price[0] * 1.5)
        assert dear.mean() < cheap.mean() - 0.01  # a dearer firm is less often believed best
        lc.cognitive_price_weight = 2 * saved_weight
        assert cognitive_at(saved_price[0] * 1.5).mean() < dear.mean()  # and more so when price weighs more
    finally:
        market.price, lc.cognitive_price_weight = saved_price, saved_weight


def test_certain_lead_sets_the_belief_in_a_firm_without_known_rivals():
    value = np.array([[0.5, 0.2, 0.9]], dtype=np.float32)
    only_first = np.array([[True, False, False]])
    sure = loyalty.cognitive(value, only_first, 0.05, 10.0)[0]
    assert sure[0] == pytest.approx(1 / (1 + np.exp(-10.0)))  # the only firm known
    assert sure[1] == pytest.approx(1 / (1 + np.exp(10.0)), abs=1e-6)  # a firm not known
    assert loyalty.cognitive(value, only_first, 0.05, 0.0)[0][0] == pytest.approx(0.5)
    assert loyalty.cognitive(value, only_first, 0.05, 2.0)[0][0] == pytest.approx(1 / (1 + np.exp(-2.0)))
    # with a known rival the lead is the value gap, whatever the certain lead
    both = np.array([[True, True, False]])
    np.testing.assert_array_equal(
        loyalty.cognitive(value, both, 0.05, 10.0)[0][:2], loyalty.cognitive(value, both, 0.05, 3.0)[0][:2]
    )


# ---------------------------------------------------------------------- promoters and advocates
def _score(model: LoyaltyModel, **keys) -> np.ndarray:
    """The promoter score of the last step, recomputed with ``keys`` set."""
    lc = model.config.loyalty
    saved = {k: getattr(lc, k) for k in keys}
    try:
        for k, v in keys.items():
            setattr(lc, k, v)
        return np.array([r["promoter_score"] for r in step_metrics(model, model.last_step)])
    finally:
        for k, v in saved.items():
            setattr(lc, k, v)


def test_promoter_and_detractor_thresholds_set_the_promoter_score(market):
    base = _score(market)
    np.testing.assert_allclose(base, market.step_table().groupby("firm_index")["promoter_score"].last())
    rec = market.last_step.latents.recommend
    assert (rec == 9).any() and (rec == 7).any()
    assert (_score(market, promoter_recommend=10) < base).all()  # the 9s no longer promote
    assert (_score(market, detractor_recommend=7) < base).all()  # the 7s now detract
    assert (_score(market, promoter_recommend=8) > base).all()


def test_an_advocate_must_be_a_promoter():
    lc = LoyaltyConfig()
    one = lambda v, dtype=np.float32: np.array([[v]], dtype=dtype)  # noqa: E731
    args = dict(
        state=np.array([[S.LOYAL]], dtype=np.int8),
        aware=one(True, bool),
        bought=one(True, bool),
        purchases=one(10, np.uint8),
        rival_run=one(0, np.uint8),
        affect=one(0.9),
        switching=one(0.2),
        satisfaction=one(1.0),
        intent=one(0.9),
        recommend=one(9.0),
    )
    assert loyalty.next_state(**args, cfg=lc)[0, 0] == S.ADVOCATE
    lc.promoter_recommend = 10
    assert loyalty.next_state(**args, cfg=lc)[0, 0] == S.LOYAL


# ---------------------------------------------------------------------- the churn outlook of CLV
def _smoothed(half_life: float, steps_per_year: float, before: float, rate: float) -> float:
    lc = LoyaltyConfig(clv_churn_half_life_weeks=half_life)
    market = SimpleNamespace(config=SimpleNamespace(loyalty=lc), step_length=StepLength(steps_per_year))
    events = SimpleNamespace(lost=np.array([rate * 1000.0]), customers_at_start=np.array([1000.0]))
    step = SimpleNamespace(events=events, reported=True, churn=SmoothedChurn(np.array([np.nan]), np.array([before])))
    smooth_churn(market, step)
    return float(step.churn.smoothed[0])


def test_churn_average_follows_its_half_life_in_weeks():
    # weekly: 0.9 of the old average kept, 0.1 of the step's churn added
    assert _smoothed(half_life_weeks(0.9), 52, 0.02, 0.04) == pytest.approx(0.9 * 0.02 + 0.1 * 0.04)
    # a longer half-life keeps more of the old average
    assert _smoothed(20.0, 52, 0.02, 0.04) < _smoothed(6.58, 52, 0.02, 0.04)
    # in four-week steps the old average keeps what four weekly steps keep: the window is in weeks
    weekly_kept = StepLength(52).kept(6.58)
    assert _smoothed(6.58, 13, 1.0, 0.0) == pytest.approx(weekly_kept**4)


def test_churn_half_life_moves_clv_only():
    kw = dict(seed=4, n_customers=600, burn_in=10, steps=12)
    base = LoyaltyModel(market=_market(), **kw).run()
    short = LoyaltyModel(market=_market(clv_churn_half_life_weeks=0.5), **kw).run()
    assert not np.allclose(base["clv"], short["clv"], equal_nan=True)
    rest = [c for c in base.columns if c != "clv"]
    assert base[rest].equals(short[rest])


# ---------------------------------------------------------------------- the reference reads the same keys
def test_reference_follows_the_keys():
    m = _market(
        cognitive_price_weight=0.5,
        cognitive_certain_lead=5.0,
        promoter_recommend=8,
        detractor_recommend=5,
        clv_churn_half_life_weeks=3.0,
    )
    kw = dict(market=m, seed=2, n_customers=300, burn_in=3, steps=4)
    engine, reference = LoyaltyModel(**kw).run(), ReferenceLoyaltyModel(**kw).run()
    np.testing.assert_array_equal(engine["promoter_score"], reference["promoter_score"])
    np.testing.assert_array_equal(engine["n_advocate"], reference["n_advocate"])
    np.testing.assert_allclose(engine["mean_cognitive"], reference["mean_cognitive"], atol=1e-5)
    np.testing.assert_allclose(engine["clv"], reference["clv"], rtol=1e-5)
