"""The simulator nests the shifted-beta-geometric model and BG/NBD.

With every other mechanism switched off (the ``special_case`` of
``conf/calibration/fader_hardie_regular.yaml``: no category exit, no quiet
dropout, no contract that a rival's purchase ends, every hazard effect
neutral), a relationship ends at its customer's churn proneness alone: it
survives each year with chance 1 - p, p ~ Beta(a, b) drawn once per customer.
That is the sBG model (Fader & Hardie 2007, "How to project customer
retention"), so a fixed-date cohort of the simulator must follow sBG's
survival curve within sampling error, and an sBG fitted to the simulated
calibration years must recover a and b and forecast the holdout years.

The cohort is every customer of the firm after the first step of a market
simulated from its opening (:func:`experiments.analysis.calibration.cohort.cohort_start`);
those customers have already survived that step's hazard (one step: ``d``
years), which turns Beta(a, b) into Beta(a, b + d) exactly, so the curve to
match is sBG(a, b + d).

Tolerances come from the binomial standard error: each year's share of a
cohort of n is within ``Z`` standard errors sqrt(S (1 - S) / n) of the
expected S; fitted parameters and forecasts are within ``Z`` standard
errors of the maximum-likelihood fit (its observed information), added to
the holdout share's binomial variance. The full subscription market at the
same a and b must fail the same check, so the check can fail.

For transaction logs, the special case of ``conf/calibration/cdnow.yaml``
(one firm, no category exit, a negligible hazard, dropout for good after
repeat purchases, a first purchase at a trial rate, from the market's
opening) is BG/NBD in weeks (Fader, Hardie & Lee 2005, "Counting your
customers the easy way"): a customer buys in a week with chance
min(lambda, 1), lambda ~ gamma(r, alpha) a week, and drops out after each
repeat purchase with chance p ~ beta(a, b). A purchase period of the data
is a week with a purchase, so the simulator counts weeks where BG/NBD
counts purchases: at CDNOW's parameters the two expectations differ by
under 1% (checked below), well inside the sampling error of a cohort.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import experiments.analysis.calibration.cli  # noqa: F401  (registers the calibrate schema)
from experiments.cli.entry import compose_app
from experiments.analysis.calibration.cli import CONFIG_NAME
from experiments.analysis.calibration.cohort import cohort_start, simulate_purchases, simulate_survival
from experiments.analysis.calibration.config import CalibrateApp, special_case_market
from experiments.analysis.calibration.forecast import bgnbd_special_case, holdout_repeats
from experiments.analysis.calibration.measures import calibration_summary
from experiments.analysis.standard_models import BGNBD, ShiftedBetaGeometric, _sbg_log_likelihood, fit_sbg
from sim.config import to_dataclass
from sim.config import MarketConfig, market_config

#: standard errors a simulated share or a fitted parameter may lie from its expectation
#: (two-sided chance of a false alarm below 1e-4 for each of the dozen or so comparisons)
Z = 4.0
#: the proneness beta of the check: near sBG's fit to Fader & Hardie's regular customers
A, B = 0.7, 1.2
#: customers of the simulated market: the opening cohort is the focal firm's share, about a third
N_CUSTOMERS = 10_000
#: years followed, and the calibration years an sBG is fitted to (the paper's split: 7 and 5)
YEARS, CALIBRATION_YEARS = 12, 7
SEED = 11


@pytest.fixture(scope="module")
def preset() -> dict:
    """The Fader & Hardie calibration as a user composes it (its market and special case)."""
    return compose_app(["calibration=fader_hardie_regular"], CONFIG_NAME)


def _market(preset: dict, special: bool) -> MarketConfig:
    """The preset's market at proneness Beta(A, B), with its special case switched on or not."""
    data = preset["market"]
    if special:
        data = special_case_market(data, preset["calibration"]["special_case"])
    data = {**data, "customers": {**data["customers"], "churn_proneness_a": A, "churn_proneness_b": B}}
    return market_config(data, n_customers=N_CUSTOMERS)


def _cohort(market: MarketConfig) -> tuple[np.ndarray, int]:
    """The opening cohort's share still active after 0..YEARS years, and its size."""
    steps = int(market.steps_per_year)
    share = simulate_survival(market, "Focal", SEED, YEARS, steps, "opening")
    _, members = cohort_start(market, "Focal", SEED, YEARS, steps, "opening")
    return share, int(members.sum())


def _expected(market: MarketConfig) -> ShiftedBetaGeometric:
    """sBG(A, B + one step in years): the survival of customers who already survived the first step."""
    return ShiftedBetaGeometric(A, B + 1.0 / market.steps_per_year)


def _within_binomial_error(share: np.ndarray, expected: np.ndarray, n: int) -> np.ndarray:
    """Each year's distance from the expectation in binomial standard errors."""
    se = np.sqrt(expected * (1 - expected) / n)
    return np.abs(share[1:] - expected[1:]) / se[1:]


def _information_se(alpha: float, beta: float, counts: np.ndarray) -> np.ndarray:
    """Standard errors of log alpha and log beta: the inverse of the observed
    information (the log-likelihood's numerical Hessian) at the fit."""
    x, h = np.log([alpha, beta]), 1e-4
    hess = np.empty((2, 2))
    for i in range(2):
        for j in range(2):
            ei, ej = np.eye(2)[i] * h, np.eye(2)[j] * h
            hess[i, j] = (
                _sbg_log_likelihood(x + ei + ej, counts)
                - _sbg_log_likelihood(x + ei - ej, counts)
                - _sbg_log_likelihood(x - ei + ej, counts)
                + _sbg_log_likelihood(x - ei - ej, counts)
            ) / (4 * h * h)
    return np.linalg.inv(-hess)


@pytest.mark.slow
def test_with_every_other_mechanism_off_a_cohort_survives_as_sbg(preset):
    market = _market(preset, special=True)
    share, n = _cohort(market)
    assert n > 2500  # the opening cohort: about a third of the market
    distance = _within_binomial_error(share, _expected(market).survival(YEARS), n)
    assert distance.max() < Z, distance


@pytest.mark.slow
def test_the_full_market_is_not_sbg_so_the_check_can_fail(preset):
    market = _market(preset, special=False)
    share, n = _cohort(market)
    distance = _within_binomial_error(share, _expected(market).survival(YEARS), n)
    assert distance.max() > 2 * Z, distance


@pytest.mark.slow
def test_an_sbg_fitted_to_the_special_case_recovers_a_and_b_and_forecasts_the_holdout(preset):
    market = _market(preset, special=True)
    share, n = _cohort(market)
    counts = np.round(share * n)
    fitted = fit_sbg(counts[: CALIBRATION_YEARS + 1])
    truth = _expected(market)
    cov = _information_se(fitted.alpha, fitted.beta, counts[: CALIBRATION_YEARS + 1])
    se = np.sqrt(np.diag(cov))
    gap = np.abs(np.log([fitted.alpha, fitted.beta]) - np.log([truth.alpha, truth.beta])) / se
    assert gap.max() < Z, (fitted, truth, se)
    # the holdout years: the fit's forecast against the simulated shares, within the forecast's
    # own standard error (delta method on log alpha, log beta) and the shares' binomial error
    forecast = fitted.survival(YEARS)
    step = 1e-5
    grad = np.column_stack(
        [
            (ShiftedBetaGeometric(*(np.exp(np.log([fitted.alpha, fitted.beta]) + step * e))).survival(YEARS) - forecast)
            / step
            for e in np.eye(2)
        ]
    )
    var = np.einsum("ti,ij,tj->t", grad, cov, grad) + forecast * (1 - forecast) / n
    holdout = slice(CALIBRATION_YEARS + 1, YEARS + 1)
    z = np.abs(forecast[holdout] - share[holdout]) / np.sqrt(var[holdout])
    assert z.max() < Z, z


def test_the_special_case_switches_off_every_effect_of_the_hazard(preset):
    """Every coefficient of the relationship hazard is neutral in the special
    case, and the ways a relationship ends besides the hazard are off."""
    from sim.hazard import annual_hazard

    market = _market(preset, special=True)
    proneness = np.array([0.1, 0.5, 2.0])
    rate = annual_hazard(
        proneness,
        satisfaction=np.array([-1.0, 0.3, 2.0]),
        switching=np.array([0.35, 0, 1]),
        cognition=np.array([0.0, 0.5, 1.0]),
        incident=np.array([1.0, 0.0, 0.5]),
        bonded=np.array([True, False, True]),
        tenure_years=np.array([0.0, 3.0, 10.0]),
        state=np.array([7, 9, 3]),
        cfg=market.churn,
    )
    np.testing.assert_allclose(rate, proneness)
    assert market.customers.exit_per_year_mean == 0 and market.customers.dropout_mean == 0
    assert not market.churn.exclusive_relationships
    assert market.complaints.problem_disappointment >= 1e9  # no problem ends in a decision to leave
    assert dataclasses.asdict(market.churn) != dataclasses.asdict(_market(preset, special=False).churn)


# ---------------------------------------------------------------------- BG/NBD
#: BG/NBD's fit to the CDNOW sample (Fader, Hardie & Lee 2005): r, alpha (a week), a, b
CDNOW_BGNBD = BGNBD(0.243, 4.414, 0.793, 2.426)
#: customers of the simulated market: about a fifth try the category in the 12 entry weeks
BG_CUSTOMERS = 150_000
#: entry weeks, weeks followed, the calibration weeks (the CDNOW split), and weeks since entry checked
ENTRY_WEEKS, WEEKS, CALIBRATION_WEEKS = 12, 78, 39
SINCE_ENTRY = (13, 26, 39, 52, 66)
BG_SEED = 21


@pytest.fixture(scope="module")
def cdnow() -> dict:
    """The CDNOW calibration as a user composes it (its market, split and special case)."""
    return compose_app(["calibration=cdnow"], CONFIG_NAME)


def _bgnbd_market(cdnow: dict, special: bool) -> MarketConfig:
    """The calibration's market at CDNOW's BG/NBD parameters (:func:`bgnbd_special_case`, the
    report's own mapping), with its special case switched on or not."""
    app = to_dataclass({k: v for k, v in cdnow.items() if k != "hydra"}, CalibrateApp)
    cal = app.calibration if special else dataclasses.replace(app.calibration, special_case={})
    nested, note = bgnbd_special_case(app.market, cal, CDNOW_BGNBD)
    assert note is None, note
    return market_config(dataclasses.asdict(nested), n_customers=BG_CUSTOMERS, burn_in=0, steps=WEEKS)


def _repeats_since_entry(log, weeks: int) -> np.ndarray:
    """Each cohort member's repeat purchase weeks within ``weeks`` weeks of their first."""
    p = log.purchases
    since = p["period"].to_numpy() - p["customer_id"].map(log.entry).to_numpy()
    kept = p[(since > 0) & (since <= weeks)]
    return kept.groupby("customer_id").size().reindex(log.entry.index, fill_value=0).to_numpy(float)


def _distance_from_bgnbd(log) -> np.ndarray:
    """At each of :data:`SINCE_ENTRY` weeks, the cohort's mean repeat purchases
    against BG/NBD's expectation, in standard errors of the mean."""
    out = []
    for t in SINCE_ENTRY:
        x = _repeats_since_entry(log, t)
        expected = float(CDNOW_BGNBD.expected_purchases(np.array([float(t)]))[0])
        out.append(abs(x.mean() - expected) / (x.std(ddof=1) / np.sqrt(len(x))))
    return np.array(out)


@pytest.fixture(scope="module")
def nested_cohort(cdnow):
    return simulate_purchases(_bgnbd_market(cdnow, special=True), "Focal", BG_SEED, WEEKS, ENTRY_WEEKS)


def test_in_weeks_bgnbd_counts_as_the_simulator_does_within_one_percent():
    """The simulator counts weeks with a purchase; BG/NBD purchases. The
    exact weekly expectation, E[q (1 - (1 - d)^t) / d] with q = min(lambda, 1)
    and d = q p, against BG/NBD's, at CDNOW's parameters (a large sample of
    lambda and p, so the check is of the counting alone)."""
    rng = np.random.default_rng(0)
    lam = rng.gamma(CDNOW_BGNBD.r, 1.0 / CDNOW_BGNBD.alpha, 2_000_000)
    p = rng.beta(CDNOW_BGNBD.a, CDNOW_BGNBD.b, 2_000_000)
    q = np.minimum(lam, 1.0)
    d = q * (1.0 - (1.0 - p) ** np.maximum(lam, 1.0))
    for t in SINCE_ENTRY:
        weekly = float(np.mean(q * (1.0 - (1.0 - d) ** t) / d))
        continuous = float(CDNOW_BGNBD.expected_purchases(np.array([float(t)]))[0])
        assert abs(weekly / continuous - 1.0) < 0.01, (t, weekly, continuous)


@pytest.mark.slow
def test_with_every_other_mechanism_off_a_cohort_buys_as_bgnbd(nested_cohort):
    assert len(nested_cohort.entry) > 20_000  # about a fifth of the market tried in 12 weeks
    distance = _distance_from_bgnbd(nested_cohort)
    assert distance.max() < Z, distance


@pytest.mark.slow
def test_the_full_cdnow_market_is_not_bgnbd_so_the_check_can_fail(cdnow):
    log = simulate_purchases(_bgnbd_market(cdnow, special=False), "Focal", BG_SEED, WEEKS, ENTRY_WEEKS)
    distance = _distance_from_bgnbd(log)
    assert distance.max() > 2 * Z, distance


@pytest.mark.slow
def test_the_special_case_forecasts_the_holdout_weeks_as_bgnbd_does(nested_cohort):
    """The cohort's repeat purchases in weeks 40-78 (the CDNOW holdout),
    each member from their own week of entry, against BG/NBD's expectation
    for the same members, within ``Z`` standard errors of the total.
    (BG/NBD *fitted* to these weekly data is another matter: it counts a
    week with a purchase as a purchase of a Poisson process, and its fit,
    r 0.26, alpha 5.1, a 0.68, b 2.3 on seed 21, forecasts 10% above.)"""
    history = calibration_summary(nested_cohort.upto(CALIBRATION_WEEKS), CALIBRATION_WEEKS)
    outcome = holdout_repeats(nested_cohort, CALIBRATION_WEEKS + 1, WEEKS).reindex(history.index).to_numpy()
    since = history["T"].to_numpy(float)  # weeks from the first purchase to the end of week 39
    expected = CDNOW_BGNBD.expected_purchases(since + WEEKS - CALIBRATION_WEEKS) - CDNOW_BGNBD.expected_purchases(since)
    se = outcome.std(ddof=1) * np.sqrt(len(outcome))
    assert abs(expected.sum() - outcome.sum()) < Z * se, (expected.sum(), outcome.sum(), se)
