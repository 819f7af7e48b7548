"""The survey view: the latents read as a five-point and a 0-10 survey would
show them (sim/survey.py), per firm and step in the step table.

The default cut points are in zone units (0 adequate, 1 desired). Where a
test needs answers spread over the scale in a simulated market, it places
the cut points at quantiles of the market's own latents, so that it holds
whatever the scale of the latents.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from benchmarks.reference import ReferenceLoyaltyModel
from experiments.running.kpis import ALL_KPIS, run_kpis
from sim.config import SURVEY_RISING, ConfigError, MarketConfig, SurveyConfig, market_config
from sim.metrics import METRICS, step_metrics
from sim.model import LoyaltyModel
from agents.states import LoyaltyState as S, is_customer
from sim.survey import (
    CSAT_5,
    CSAT_10,
    INTENT_5,
    RECOMMEND_10,
    SCALES,
    SURVEY_METRICS,
    scale_definition,
    scales,
    survey_answers,
    survey_columns,
    survey_distribution,
)
from experiments.validation.claims.satisfaction_probes import five_point_answers

SMALL = dict(n_customers=400, burn_in=12, steps=3)


def _one_firm(satisfaction, intention=None, recommend=None, state=S.LOYAL) -> tuple:
    """Arrays of one column (one firm) whose customers hold these latents."""
    sat = np.asarray(satisfaction, dtype=np.float32).reshape(-1, 1)
    n = len(sat)
    intent = np.full((n, 1), 0.5, np.float32) if intention is None else np.asarray(intention, np.float32).reshape(-1, 1)
    rec = np.full((n, 1), 7.0, np.float32) if recommend is None else np.asarray(recommend, np.float32).reshape(-1, 1)
    return np.full((n, 1), int(state), np.int8), sat, intent, rec


def _spread(model: LoyaltyModel) -> dict:
    """Survey keys whose cut points split the market's customers' latents
    into fifths, and a 0-10 line from the 10th to the 90th percentile."""
    cust = is_customer(model.customers.state)
    sat = model.customers.satisfaction[cust].astype(np.float64)
    intent = model.last_step.latents.intention[cust].astype(np.float64)
    q_sat = np.quantile(sat, [0.2, 0.4, 0.6, 0.8, 0.1, 0.9])
    q_int = np.quantile(intent, [0.2, 0.4, 0.6, 0.8])
    lo, hi = float(q_sat[4]), float(q_sat[5])
    slope = 10.0 / (hi - lo)
    return dict(
        csat_dissatisfied_from=float(q_sat[0]),
        csat_neutral_from=float(q_sat[1]),
        csat_satisfied_from=float(q_sat[2]),
        csat_very_satisfied_from=float(q_sat[3]),
        intent_probably_not_from=float(q_int[0]),
        intent_might_from=float(q_int[1]),
        intent_probably_from=float(q_int[2]),
        intent_definitely_from=float(q_int[3]),
        csat10_at_adequate=float(np.clip(-lo * slope, -100, 100)),
        csat10_at_desired=float(np.clip((1 - lo) * slope, -100, 100)),
    )


@pytest.fixture(scope="module")
def market() -> LoyaltyModel:
    """A small retail market run a few steps, then surveyed with cut points
    at the fifths of its own latents (answers spread over the scales)."""
    probe = LoyaltyModel(market="retail", seed=7, **SMALL)
    probe.run()
    model = LoyaltyModel(market="retail", seed=7, survey=_spread(probe), **SMALL)
    model.run()
    return model


def _survey_keys(model: LoyaltyModel) -> dict:
    return dataclasses.asdict(model.config.survey)


# ---------------------------------------------------------------------- one answer
def test_each_cut_point_starts_its_answer():
    cfg = SurveyConfig()
    cuts = [cfg.csat_dissatisfied_from, cfg.csat_neutral_from, cfg.csat_satisfied_from, cfg.csat_very_satisfied_from]
    below = [c - 0.01 for c in cuts]
    counts = survey_answers(*_one_firm([cuts[0] - 1.0, *cuts, *below, cuts[-1] + 1.0]), cfg)[CSAT_5, 0]
    # a latent at a cut point gets the answer it starts; just below, the answer before
    assert counts.tolist() == [0, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0]  # five points: answers 1-5
    for answer, value in enumerate([cuts[0] - 1.0, *cuts], start=1):
        assert survey_answers(*_one_firm([value]), cfg)[CSAT_5, 0, answer] == 1
    for answer, value in enumerate(below, start=1):
        assert survey_answers(*_one_firm([value]), cfg)[CSAT_5, 0, answer] == 1


def test_a_survey_followed_up_reads_each_customer_as_the_surveys_counts_do():
    """The validation's survey follow-up (Jones & Sasser's convexity) gives
    each customer the answer the step table's survey counts."""
    cfg = SurveyConfig()
    cuts = [cfg.csat_dissatisfied_from, cfg.csat_neutral_from, cfg.csat_satisfied_from, cfg.csat_very_satisfied_from]
    values = np.array([cuts[0] - 1.0, *cuts, *[c - 0.01 for c in cuts], cuts[-1] + 1.0, np.nan], dtype=np.float32)
    answers = five_point_answers(values, scales(cfg)[0])
    counts = survey_answers(*_one_firm(values), cfg)[CSAT_5, 0]
    assert np.bincount(answers, minlength=11).tolist() == counts.tolist()


def test_intention_is_read_by_its_own_cut_points():
    cfg = SurveyConfig()
    values = [
        0.0,
        cfg.intent_probably_not_from,
        cfg.intent_might_from,
        cfg.intent_probably_from,
        cfg.intent_definitely_from,
        1.0,
    ]
    counts = survey_answers(*_one_firm(np.zeros(len(values)), intention=values), cfg)[INTENT_5, 0]
    assert counts.tolist() == [0, 1, 1, 1, 1, 2, 0, 0, 0, 0, 0]
    moved = dataclasses.replace(cfg, intent_definitely_from=0.95)
    assert survey_answers(*_one_firm(np.zeros(len(values)), intention=values), moved)[INTENT_5, 0, 5] == 1


def test_the_0_to_10_satisfaction_answer_is_a_rounded_clipped_line_through_its_anchors():
    cfg = SurveyConfig(csat10_at_adequate=6.0, csat10_at_desired=9.0)
    latents = [0.0, 1.0, 0.5, 1 / 6 - 1e-3, 1 / 6 + 1e-3, -10.0, 10.0]
    # 6, 9, 7.5 rounds up to 8, 6.497 to 6, 6.503 to 7, clipped at 0 and 10
    expected = [6, 9, 8, 6, 7, 0, 10]
    counts = survey_answers(*_one_firm(latents), cfg)[CSAT_10, 0]
    assert counts.tolist() == np.bincount(expected, minlength=11).tolist()
    steeper = survey_answers(*_one_firm([1.0]), dataclasses.replace(cfg, csat10_at_desired=10.0))[CSAT_10, 0]
    assert steeper[10] == 1


def test_recommendation_is_counted_as_answered():
    counts = survey_answers(*_one_firm(np.zeros(4), recommend=[0.0, 6.0, 9.0, 10.0]), SurveyConfig())[RECOMMEND_10, 0]
    assert counts.tolist() == [1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 1]


def test_only_a_firms_current_customers_answer_its_survey():
    sat = np.full((len(S), 1), 2.0, np.float32)
    state = np.array([[int(s)] for s in S], dtype=np.int8)
    counts = survey_answers(state, sat, np.full_like(sat, 0.5), np.full_like(sat, 7.0), SurveyConfig())
    customers = int(is_customer(state).sum())
    assert customers == len([S.FIRST_TIME, S.REPEAT, S.LOYAL, S.ADVOCATE, S.CAPTIVE, S.AT_RISK, S.WON_BACK])
    for s in range(len(SCALES)):
        assert counts[s, 0].sum() == customers


# ---------------------------------------------------------------------- per firm
def test_a_firm_whose_customers_are_more_satisfied_shows_a_higher_top_box_and_mean():
    rng = np.random.default_rng(3)
    base = rng.normal(0.3, 0.6, 2000)
    state = np.full((2000, 2), int(S.REPEAT), np.int8)
    sat = np.stack([base, base + 0.3], axis=1).astype(np.float32)  # firm 1: the same customers, better served
    counts = survey_answers(state, sat, np.full_like(sat, 0.5), np.full_like(sat, 7.0), SurveyConfig())
    cols = survey_columns(counts)
    for name in ("csat_top_box", "csat_top2_box", "mean_csat_5", "mean_csat_10"):
        assert cols[name][1] > cols[name][0], name
    assert cols["csat_bottom2_box"][1] < cols["csat_bottom2_box"][0]


def test_five_point_shares_of_each_firm_sum_to_one_and_the_top_box_lies_within_the_top_two(market):
    dist = survey_distribution(market_counts(market), [f.name for f in market.firms])
    shares = dist.groupby(["firm", "scale"])["share"].sum()
    np.testing.assert_allclose(shares.to_numpy(), 1.0, rtol=0, atol=1e-12)
    table = market.step_table()
    assert (table["customers"] > 0).all()
    assert (table["csat_top_box"] <= table["csat_top2_box"]).all()
    assert (table["intent_top_box"] <= table["intent_top2_box"]).all()
    assert (table["csat_top2_box"] + table["csat_bottom2_box"] <= 1 + 1e-12).all()
    assert table["mean_csat_5"].between(1, 5).all() and table["mean_intent_5"].between(1, 5).all()
    assert table["mean_csat_10"].between(0, 10).all()
    # the answers are spread: every box is used somewhere, so the checks above can fail
    assert (table["csat_top_box"] > 0).all() and (table["csat_bottom2_box"] > 0).all()
    assert (table["intent_top_box"] > 0).any()


def market_counts(model: LoyaltyModel) -> np.ndarray:
    return survey_answers(
        model.customers.state,
        model.customers.satisfaction,
        model.last_step.latents.intention,
        model.last_step.latents.recommend,
        model.config.survey,
    )


def test_the_step_table_reports_the_last_steps_answers(market):
    counts = market_counts(market)
    last = market.step_table().groupby("firm_index").tail(1).sort_values("firm_index")
    assert (counts[CSAT_5].sum(axis=1) == last["customers"].to_numpy()).all()
    expected = survey_columns(counts)
    for name in SURVEY_METRICS:
        np.testing.assert_allclose(last[name].to_numpy(), expected[name], rtol=0, atol=1e-12, err_msg=name)
    # the recommendation's answers give the promoter score the step table reports
    rec = counts[RECOMMEND_10].astype(float)
    lc = market.config.loyalty
    score = 100 * (rec[:, lc.promoter_recommend :].sum(1) - rec[:, : lc.detractor_recommend + 1].sum(1)) / rec.sum(1)
    np.testing.assert_allclose(last["promoter_score"].to_numpy(), score, rtol=1e-12)


def test_raising_one_firms_satisfaction_raises_its_top_box_and_mean_only(market):
    before = pd.DataFrame(step_metrics(market, market.last_step))
    cust = market.customers
    saved = cust.satisfaction.copy()
    premium = [f.name for f in market.firms].index("Premium")
    try:
        cust.satisfaction[:, premium] += np.float32(1.0)
        after = pd.DataFrame(step_metrics(market, market.last_step))
    finally:
        cust.satisfaction[:] = saved
    for name in ("csat_top_box", "csat_top2_box", "mean_csat_5", "mean_csat_10"):
        assert after[name][premium] > before[name][premium], name
    others = [f for f in range(market.n_firms) if f != premium]
    pd.testing.assert_frame_equal(after.loc[others, list(SURVEY_METRICS)], before.loc[others, list(SURVEY_METRICS)])


def _raised(keys: dict, key: str) -> dict:
    """``key`` raised halfway to the next cut point of its scale (the last
    one by half its gap to the one before)."""
    scale = next(k for k in SURVEY_RISING if key in k)
    i = scale.index(key)
    step = (keys[scale[i + 1]] - keys[key]) / 2 if i + 1 < len(scale) else (keys[key] - keys[scale[i - 1]]) / 2
    return {key: keys[key] + step}


@pytest.mark.parametrize(
    "changes, column, direction",
    [
        (lambda k: _raised(k, "csat_very_satisfied_from"), "csat_top_box", -1),
        (lambda k: _raised(k, "csat_satisfied_from"), "csat_top2_box", -1),
        (lambda k: _raised(k, "csat_neutral_from"), "csat_bottom2_box", +1),
        (lambda k: _raised(k, "csat_dissatisfied_from"), "mean_csat_5", -1),
        (lambda k: _raised(k, "intent_definitely_from"), "intent_top_box", -1),
        (lambda k: _raised(k, "intent_probably_from"), "intent_top2_box", -1),
        (lambda k: {**_raised(k, "intent_might_from"), **_raised(k, "intent_probably_not_from")}, "mean_intent_5", -1),
        (
            lambda k: {
                "csat10_at_adequate": k["csat10_at_adequate"] + 2,
                "csat10_at_desired": k["csat10_at_desired"] + 2,
            },
            "mean_csat_10",
            +1,
        ),
    ],
    ids=["top_box", "top2", "bottom2", "mean_5", "intent_top_box", "intent_top2", "intent_mean", "anchors"],
)
def test_each_survey_key_moves_what_it_defines(market, changes, column, direction):
    """No number of the scales is hidden in code: moving a key moves its column."""
    sv = market.config.survey
    keys = _survey_keys(market)
    base = np.array([r[column] for r in step_metrics(market, market.last_step)])
    try:
        for key, value in changes(keys).items():
            setattr(sv, key, value)
        moved = np.array([r[column] for r in step_metrics(market, market.last_step)])
    finally:
        for key, value in keys.items():
            setattr(sv, key, value)
    assert (direction * (moved - base) >= 0).all() and direction * (moved - base).sum() > 0, (base, moved)


def test_the_survey_does_not_depend_on_blocks_or_threads(market):
    kw = dict(market="retail", seed=7, survey=_survey_keys(market), **SMALL)
    one = LoyaltyModel(**kw, engine={"threads": 1, "block_rows": 1_000_000}).run()
    many = LoyaltyModel(**kw, engine={"threads": 2, "block_rows": 37}).run()
    pd.testing.assert_frame_equal(one[list(SURVEY_METRICS)], many[list(SURVEY_METRICS)])


def test_the_reference_gives_the_same_survey_answers(market):
    """Customer by customer in the per-agent reference, with answers spread
    over the scales: the same shares and means as the engine's pass."""
    kw = dict(seed=2, n_customers=300, burn_in=4, steps=3, survey=_survey_keys(market))
    engine = LoyaltyModel(**kw).run()
    reference = ReferenceLoyaltyModel(**kw).run()
    cols = list(SURVEY_METRICS)
    assert engine[cols].std().gt(0).all()
    np.testing.assert_allclose(reference[cols].to_numpy(), engine[cols].to_numpy(), rtol=0, atol=1e-12)


# ---------------------------------------------------------------------- surfaces
def test_the_survey_view_is_in_the_step_table_summary_and_kpis(market):
    table = market.step_table()
    assert set(SURVEY_METRICS) <= set(METRICS) <= set(table.columns)
    summary = market.summary()
    kpis = run_kpis(table, market.config.steps_per_year).set_index("firm")
    for name in SURVEY_METRICS:
        assert name in ALL_KPIS
        expected = table.groupby("firm", sort=False)[name].mean()
        np.testing.assert_allclose(summary[name].loc[expected.index], expected)
        np.testing.assert_allclose(kpis[name].loc[expected.index], expected)


def test_the_scale_definition_states_the_cut_points():
    cfg = SurveyConfig(csat_very_satisfied_from=1.25, intent_might_from=0.35)
    text = scale_definition(cfg, MarketConfig().loyalty)
    assert "very satisfied (the top box) from 1.25" in text
    assert "might or might not from 0.35" in text and "9-10" in text and "0-6" in text


# ---------------------------------------------------------------------- config
def test_defaults_read_the_zone_of_tolerance():
    cfg = SurveyConfig()
    # below the adequate level (0) a customer says they are dissatisfied; the top box begins near the desired (1)
    assert cfg.csat_neutral_from == 0.0 and cfg.csat_dissatisfied_from < 0
    assert 0 < cfg.csat_satisfied_from < cfg.csat_very_satisfied_from <= 1
    assert cfg.csat10_at_adequate < cfg.csat10_at_desired
    assert MarketConfig().survey == cfg


@pytest.mark.parametrize(
    "keys, named",
    [
        ({"csat_satisfied_from": 0.95}, "market.survey.csat_satisfied_from"),
        ({"csat_neutral_from": -0.5}, "market.survey.csat_dissatisfied_from"),  # equal: an empty answer
        ({"intent_might_from": 0.7}, "market.survey.intent_might_from"),
        ({"csat10_at_adequate": 9.0}, "market.survey.csat10_at_adequate"),
    ],
)
def test_cut_points_that_do_not_rise_are_refused_naming_the_key(keys, named):
    with pytest.raises(ConfigError, match=rf"^{named} = .*must be below"):
        market_config(survey=keys)


@pytest.mark.parametrize(
    "key, value",
    [
        ("csat_very_satisfied_from", 11.0),
        ("intent_definitely_from", 1.5),
        ("intent_probably_not_from", -0.1),
        ("csat10_at_desired", 101.0),
    ],
)
def test_cut_points_out_of_range_are_refused(key, value):
    with pytest.raises(ConfigError, match=rf"^market.survey.{key} = {value}: must be in"):
        market_config(survey={key: value})


def test_rising_cut_points_of_any_spacing_are_accepted():
    cfg = market_config(
        survey={
            "csat_dissatisfied_from": -3.0,
            "csat_neutral_from": -0.1,
            "csat_satisfied_from": 0.0,
            "csat_very_satisfied_from": 4.0,
            "csat10_at_adequate": -20.0,
            "csat10_at_desired": 40.0,
        }
    ).survey
    assert (cfg.csat_very_satisfied_from, cfg.csat10_at_desired) == (4.0, 40.0)
