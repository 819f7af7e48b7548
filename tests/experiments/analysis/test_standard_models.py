"""The standard customer-base models beside the simulator."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from experiments.analysis.standard_models import (
    BGNBD,
    ShiftedBetaGeometric,
    StandardModelError,
    cdnow_summary,
    fit_bgnbd,
    fit_sbg,
)
from sim.model import LoyaltyModel
from sim.transactions import TransactionLog, customer_summary


def test_bgnbd_on_cdnow_reproduces_the_published_fit():
    summary = cdnow_summary()
    assert len(summary) == 2357
    m = fit_bgnbd(summary)
    # Fader, Hardie & Lee (2005): r = 0.243, alpha = 4.414, a = 0.793, b = 2.426
    assert (m.r, m.alpha, m.a, m.b) == pytest.approx((0.243, 4.414, 0.793, 2.426), abs=0.005)


def test_bgnbd_forecasts_rise_with_time_and_with_a_customers_frequency():
    m = BGNBD(0.243, 4.414, 0.793, 2.426)
    assert np.all(np.diff(m.expected_purchases(np.array([10.0, 20.0, 39.0]))) > 0)
    light, heavy = m.conditional_purchases(39, np.array([1, 8]), np.array([30.0, 30.0]), np.array([38.86, 38.86]))
    assert heavy > light > 0


@pytest.mark.parametrize(
    "survivors, alpha, beta",
    [
        ([1000, 869, 743, 653, 593, 551, 517, 491], 0.668, 3.806),  # "high end" (Fader & Hardie 2007)
        ([1000, 631, 468, 382, 326, 289, 262, 241], 0.704, 1.182),  # "regular"
    ],
)
def test_shifted_beta_geometric_reproduces_fader_and_hardie(survivors, alpha, beta):
    m = fit_sbg(survivors)
    assert (m.alpha, m.beta) == pytest.approx((alpha, beta), abs=0.002)
    assert m.survival(7)[0] == 1.0 and np.all(np.diff(m.survival(7)) < 0)
    assert np.all(np.diff(m.retention(7)) > 0)  # the churn-prone leave first


def test_shifted_beta_geometric_recovers_its_own_parameters():
    truth = ShiftedBetaGeometric(0.9, 2.5)
    survivors = np.round(100_000 * truth.survival(12))
    fitted = fit_sbg(survivors)
    assert (fitted.alpha, fitted.beta) == pytest.approx((0.9, 2.5), rel=0.02)


def test_a_survival_table_that_grows_is_refused():
    with pytest.raises(ValueError, match="survivors = "):
        fit_sbg([100, 120, 80])


def test_bgnbd_fits_the_simulators_own_transaction_log():
    model = LoyaltyModel(seed=2, n_customers=1500, burn_in=30, steps=39, engine={"threads": 1})
    log = TransactionLog(model)
    log.run()
    summary = customer_summary(log.table(), end_week=39, firm="Focal")
    m = fit_bgnbd(summary, penalizer=0.001)
    assert all(np.isfinite([m.r, m.alpha, m.a, m.b])) and min(m.r, m.alpha, m.a, m.b) > 0
    assert m.expected_purchases(39.0) > 0


def test_bgnbd_on_six_weeks_of_cdnow_does_not_converge_and_says_why():
    from experiments.analysis.calibration.config import TransactionData
    from experiments.analysis.calibration.measures import calibration_summary
    from experiments.analysis.calibration.observed import read_transactions

    summary = calibration_summary(read_transactions(TransactionData()), 6)  # 1,132 customers, 124 repeat buyers
    with pytest.raises(StandardModelError, match=r"did not converge \(scipy: "):
        fit_bgnbd(summary)


def test_bgnbd_on_customers_who_never_came_back_is_not_identified():
    summary = pd.DataFrame({"frequency": [0.0, 0.0, 0.0], "recency": [0.0, 0.0, 0.0], "T": [5.0, 4.0, 3.0]})
    with pytest.raises(StandardModelError):
        fit_bgnbd(summary)


def test_shifted_beta_geometric_on_a_cohort_gone_after_one_period_does_not_converge():
    with pytest.raises(StandardModelError, match="did not converge"):
        fit_sbg([100, 0, 0])
