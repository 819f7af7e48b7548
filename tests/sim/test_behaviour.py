"""Behaviour the market must show."""

from __future__ import annotations

import numpy as np
import pytest

from sim.config import DisconfirmationConfig, ExperienceConfig, LoyaltyConfig, MarketConfig
from sim.disconfirmation import (
    adequate_level,
    judged,
    satisfaction_with_failed_visit,
    transaction_satisfaction,
    zone_of_tolerance,
)
from sim.experience import overall, quality_score, service_score
from sim.loyalty_economics import TOLERANCE_WIDENING, state_factors
from sim.metrics import top_share
from sim.model import LoyaltyModel
from sim.phases.disconfirmation import disconfirmation
from sim.phases.experience import experience
from agents.states import LoyaltyState as S


class Recorder(LoyaltyModel):
    """The engine, keeping each step's purchases after it is built: buyer,
    firm, outcome, failure (a phase added after disconfirmation)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.trips: list[dict] = []
        self.phases.insert(self.phases.index(disconfirmation) + 1, self.record)

    def record(self, market, step) -> None:
        p = step.purchases
        self.trips.append(
            {"b": p.buyers.copy(), "c": p.firm.copy(), "outcome": p.outcome.copy(), "failed": p.failed.copy()}
        )


@pytest.fixture(scope="module")
def baseline() -> Recorder:
    m = Recorder(seed=1, n_customers=4000, burn_in=120)
    m.trips = []
    m.run(52)
    return m


class Treated(Recorder):
    """The engine where, at one step, every buyer's experience is set to
    expectation + ``gap``: the same buyers, the same random streams."""

    treat_step: int = 0
    gap: float = 0.0

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.phases[self.phases.index(experience)] = self.treated_experience

    def treated_experience(self, market, step) -> None:
        experience(market, step)
        if self.steps == self.treat_step:
            p = step.purchases
            p.experience = self.customers.expectation[p.buyers, p.firm] + np.float32(self.gap)


def repurchase_after(gap: float) -> float:
    """Share of the treated buyers whose next purchase is at the same firm."""
    m = Treated(seed=1, n_customers=4000, burn_in=120)
    m.treat_step, m.gap, m.trips = 1, gap, []
    m.run(20)
    treated = m.trips[0]
    firm = np.full(m.customers.n, -1)
    firm[treated["b"]] = treated["c"]
    nxt = np.full(m.customers.n, -1)
    for t in m.trips[1:]:
        fresh = nxt[t["b"]] < 0
        nxt[t["b"][fresh]] = t["c"][fresh]
    seen = (firm >= 0) & (nxt >= 0)
    return float((nxt[seen] == firm[seen]).mean())


@pytest.fixture(scope="module")
def repurchase() -> dict[str, float]:
    return {name: repurchase_after(g) for name, g in (("delighted", 0.25), ("satisfied", 0.0), ("disappointed", -0.25))}


@pytest.mark.slow
def test_delight_raises_repurchase_more_than_mere_satisfaction(repurchase):
    assert repurchase["delighted"] > repurchase["satisfied"] > repurchase["disappointed"]


def test_a_shortfall_below_the_zone_weighs_more_than_an_equal_excess_above_it():
    """Below the adequate level a shortfall weighs ``loss_aversion`` times an
    equal excess above the desired level (beyond the delight bonus); inside
    the zone satisfaction is the place in it, 0 to 1 (zone units)."""
    cfg = DisconfirmationConfig(surprise_weight=0.0)
    adequate, desired = 0.5, 0.7
    x = np.array([0.45, 0.6, 0.75])
    s = transaction_satisfaction(x, x, adequate, desired, cfg)
    assert s[1] == pytest.approx(0.5)
    excess = s[2] - 1.0 - cfg.delight_bonus
    assert excess == pytest.approx(0.25)
    assert s[0] == pytest.approx(-cfg.loss_aversion * 0.25)
    assert zone_of_tolerance(x, adequate, desired).tolist() == [-1, 0, 1]


def test_a_better_known_alternative_raises_the_adequate_level_but_not_to_the_desired():
    cfg = DisconfirmationConfig()
    rest = adequate_level(0.7, 0.08, -np.inf, cfg.alternative_weight)
    assert rest == pytest.approx(0.54)
    raised = adequate_level(0.7, 0.08, 0.64, cfg.alternative_weight)
    assert raised == pytest.approx(0.54 + cfg.alternative_weight * 0.1)
    assert adequate_level(0.7, 0.08, 0.95, 1.0) == pytest.approx(0.62)  # the zone keeps a half-width
    assert adequate_level(0.7, 0.08, 0.4, cfg.alternative_weight) == pytest.approx(0.54)  # a worse one: no change


def test_the_compiled_judgement_is_the_zone_of_tolerance_and_the_transaction_satisfaction():
    """The phase judges each purchase in one compiled loop (sim.disconfirmation.judged):
    the outcome and the satisfaction of the array rules, the adequate level
    raised by the best other firm the buyer knows and lowered for a loyal
    relationship, a failed visit of
    several felt on its own."""
    cfg = DisconfirmationConfig()
    rng = np.random.default_rng(2)
    n, F = 500, 3
    expectation = rng.random((n, F), dtype=np.float32)
    state = rng.integers(0, 9, (n, F)).astype(np.int8)
    desired = (0.5 + 0.3 * rng.random(n)).astype(np.float32)
    tolerance = (0.02 + rng.random(n) * 0.1).astype(np.float32)
    buyers = np.sort(rng.choice(n, 300, replace=False))
    firm = rng.integers(0, F, len(buyers))
    cell = buyers * F + firm
    experience = rng.random(len(buyers), dtype=np.float32)
    failed = np.arange(len(buyers)) % 3 == 1
    visits = np.where(np.arange(len(buyers)) % 2 == 0, 1.0, 1.0 + rng.random(len(buyers)) * 3).astype(np.float32)
    drop = rng.random(len(buyers)) * 0.4
    widening = state_factors(LoyaltyConfig())[TOLERANCE_WIDENING]  # loyal relationships forgive more
    outcome_c, felt_c = judged(
        experience,
        expectation.reshape(-1),
        state.reshape(-1),
        cell,
        F,
        desired,
        tolerance,
        buyers,
        failed,
        drop,
        visits,
        cfg.loss_aversion,
        cfg.delight_bonus,
        cfg.alternative_weight,
        cfg.surprise_weight,
        widening,
    )
    others = np.where(
        (state[buyers] != S.PROSPECT) & (np.arange(F) != firm[:, None]), expectation[buyers].astype(np.float64), -np.inf
    ).max(axis=1)
    adequate = adequate_level(
        desired[buyers], tolerance[buyers], others, cfg.alternative_weight, widening[state[buyers, firm]]
    )
    e = expectation.reshape(-1)[cell]
    expected = transaction_satisfaction(experience, e, adequate, desired[buyers], cfg)
    several = failed & (visits > 1)
    assert several.sum() > 20
    expected[several] = satisfaction_with_failed_visit(
        experience[several],
        drop[several],
        visits[several],
        e[several],
        adequate[several],
        desired[buyers][several],
        cfg,
    )
    assert outcome_c.dtype == np.int8 and felt_c.dtype == np.float32
    assert outcome_c.tolist() == zone_of_tolerance(experience, adequate, desired[buyers]).tolist()
    assert set(outcome_c.tolist()) == {-1, 0, 1}
    np.testing.assert_allclose(felt_c, expected.astype(np.float32), rtol=1e-5, atol=1e-5)


def test_a_failed_visit_among_ordinary_ones_is_felt_as_in_single_visits():
    """A purchase of four visits, one failed, feels like the four visits
    judged one by one: worse than its mean experience would feel, because
    a shortfall below the adequate level weighs ``loss_aversion`` times."""
    cfg = DisconfirmationConfig()
    adequate, desired, drop = 0.5, 0.66, 0.3
    ordinary = 0.6
    mean = ordinary - drop / 4
    judge = lambda x: transaction_satisfaction(x, 0.58, adequate, desired, cfg)  # noqa: E731
    one_by_one = (3 * judge(ordinary) + judge(ordinary - drop)) / 4
    felt = satisfaction_with_failed_visit(mean, drop, 4.0, 0.58, adequate, desired, cfg)
    assert felt == pytest.approx(float(one_by_one), abs=1e-9)
    assert felt < judge(mean) - 0.1


def test_disappointment_lowers_repurchase_more_than_delight_raises_it(repurchase):
    lost = repurchase["satisfied"] - repurchase["disappointed"]
    gained = repurchase["delighted"] - repurchase["satisfied"]
    assert lost > gained > 0


def test_only_very_satisfied_customers_become_advocates(baseline):
    """001: an advocate is very satisfied, intends to stay and recommends (all three)."""
    cust, lc, lat = baseline.customers, baseline.config.loyalty, baseline.last_step.latents
    adv = cust.state == S.ADVOCATE
    assert adv.sum() > 0
    assert (cust.satisfaction[adv] >= lc.advocate_satisfaction).all()
    assert (lat.intention[adv] >= lc.advocate_intention).all()
    assert (lat.recommend[adv] >= lc.promoter_recommend).all()  # advocates are promoters
    customers = (cust.state >= S.FIRST_TIME) & (cust.state != S.CHURNED)
    assert cust.satisfaction[adv].mean() > np.percentile(cust.satisfaction[customers], 75)


@pytest.mark.parametrize("voice", [0.10, 0.30])
def test_about_the_configured_share_of_disappointed_customers_complain(voice):
    m = LoyaltyModel(seed=2, n_customers=3000, burn_in=40, customers={"voice_mean": voice})
    t = m.run(40)
    share = t["complaints"].sum() / t["disappointed"].sum()
    assert share == pytest.approx(voice, abs=0.25 * voice)


def test_quality_failures_are_not_offset_by_good_service():
    cfg = ExperienceConfig()
    for w in MarketConfig().customers.segments:
        weights = np.asarray(w.weights, float) / np.sum(w.weights)
        failed_perfect_service = overall(
            weights, 0.5, quality_score(0.7, True, 0.0, cfg), service_score(1.0, True, cfg), 0.3
        )
        sound_mediocre_service = overall(
            weights, 0.5, quality_score(0.7, False, 0.0, cfg), service_score(0.4, False, cfg), 0.3
        )
        assert failed_perfect_service < sound_mediocre_service


def test_failures_disappoint_even_at_the_best_served_firm(baseline):
    premium = 2  # highest service level of the default market
    table = baseline.step_table()
    levels = table.groupby("firm_index")["service_level"].mean()
    assert levels.idxmax() == premium
    failed = np.concatenate([t["outcome"][t["failed"] & (t["c"] == premium)] for t in baseline.trips])
    assert len(failed) > 20
    assert (failed < 0).mean() > 0.8


def test_top_fifth_of_customers_bring_55_to_80_percent_of_revenue(baseline):
    assert 0.55 <= top_share(baseline.customers.revenue.sum(axis=1)) <= 0.80


@pytest.mark.slow
def test_higher_staff_turnover_lowers_service_and_retention():
    def run(turnover: float):
        m = LoyaltyModel(seed=3, n_customers=4000, burn_in=104, staff={"turnover_per_year": turnover})
        t = m.run(52)
        focal = t[t.firm_index == 0]
        return focal["service_level"].mean(), 1 - focal["lost"].sum() / focal["customers"].mean()

    service_low, retention_low = run(0.26)  # 0.5% a week
    service_high, retention_high = run(4.3)  # 8% a week
    assert service_high < service_low - 0.03
    assert retention_high < retention_low


@pytest.mark.slow
def test_a_store_whose_staff_leave_more_often_loses_its_own_staff_and_not_its_rivals():
    """``staff_turnover_factor`` is one firm's: its staff leave at that
    multiple of the market's rate; rivals' staff are untouched."""

    def leavers(factor: float) -> np.ndarray:
        firms = [
            {"name": "Focal", "staff_turnover_factor": factor},
            {"name": "Discounter", "price": 0.85},
            {"name": "Premium", "price": 1.2},
        ]
        t = LoyaltyModel(seed=5, n_customers=100_000, burn_in=0, firms=firms).run(52)  # 160 FTE at the focal firm
        return t.groupby("firm_index")["staff_turnover"].sum().to_numpy()  # share of staff leaving in the year

    usual, threefold = leavers(1.0), leavers(3.0)
    assert 0.1 < usual[0] < 0.3  # 27% a year at engagement 0.5; the focal firm's are keener
    assert 2.2 < threefold[0] / usual[0] < 4.2  # engagement and chance move the rate a little
    np.testing.assert_allclose(threefold[1:], usual[1:], rtol=0.25)
    assert leavers(0.0)[0] == 0.0


@pytest.mark.slow
def test_engaged_staff_satisfy_customers_who_then_spend_more_the_employee_customer_profit_chain():
    """Rucci, Kirn & Quinn 1998 (Sears): employee attitude drives customer
    impression, which drives revenue; the chain's probe reads each link."""
    from experiments.validation.claims.staff_measures import employee_customer_chain_probe
    from sim.config import market_config

    for seed in (0, 1):
        out = employee_customer_chain_probe(
            market_config(n_customers=3000, burn_in=104, steps=78), seed, settle_weeks=26
        )
        assert 4.0 < out["attitude"] < 5.5  # morale +0.05: about 5 points of 0-100 once settled
        assert out["impression"] > 0.4 and out["revenue"] > 1.0
        assert out["impression_per_5"] == pytest.approx(out["impression"] * 5 / out["attitude"])
        assert out["revenue_per_5"] == pytest.approx(out["revenue_per_1_3"] * out["impression_per_5"] / 1.3)


def test_captive_customers_leave_in_a_wave_when_a_clearly_better_rival_appears():
    """001: captive customers look loyal in behaviour but leave in a wave when a
    real alternative appears; attached customers stay."""
    from sim.model import load_market_preset

    market = load_market_preset("subscription")
    incumbent, weak = dict(market["firms"][0]), dict(market["firms"][1])
    incumbent.update(name="Incumbent", quality=0.55, price=1.15, promise=0.55, belonging=0.1, switching_cost=0.5)
    weak.update(quality=0.4, promise=0.4)
    challenger = {
        "name": "Challenger",
        "price": 0.75,
        "quality": 0.95,
        "promise": 0.85,
        "unit_cost": 0.45,
        "switching_cost": 0.35,
        "entry_week": 53,
        "advertising_awareness_per_year": 8.3178,
        "staff_per_1k_customers": 1.0,
        "wage_per_year": 31200.0,
        "initial_skill": 0.85,
        "training": 0.5,
        "empowerment": 0.5,
        "recognition": 0.5,
    }
    market.update(firms=[incumbent, weak, challenger], steps=24)
    t = LoyaltyModel(market=market, seed=4, n_customers=4000).run()
    inc = t[t.firm_index == 0].set_index("step")
    assert t[(t.firm_index == 2) & (t.step < 13)]["customers"].max() == 0
    captive_before, captive_after = inc.loc[9:12, "n_captive"].mean(), inc.loc[19:24, "n_captive"].mean()
    attached = inc["n_loyal"] + inc["n_advocate"]
    attached_before, attached_after = attached.loc[9:12].mean(), attached.loc[19:24].mean()
    assert captive_before > 300
    assert captive_after < 0.7 * captive_before  # the wave
    assert attached_after > 0.9 * attached_before  # the attached stay
    assert inc.loc[13:17, "lost"].mean() > 1.5 * inc.loc[2:12, "lost"].mean()  # losses spike
    calm = inc.loc[2:12, "n_captive"]
    assert calm.max() - calm.min() < 0.25 * captive_before  # no wave before entry
