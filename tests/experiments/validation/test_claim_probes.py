"""The probes' own arithmetic, on numbers small enough to check by hand."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from experiments.validation.claims.tenure_probes import cohort_retention_probe
from experiments.validation.claims.probes import word_of_mouth_balance
from sim.config import MarketConfig
from sim.disconfirmation import DELIGHTED, DISAPPOINTED, SATISFIED


def test_word_of_mouth_balance_counts_people_told_and_a_complaint_put_right_tells_as_positive():
    firm = np.array([0, 0, 1, 1, 1])
    outcome = np.array([DELIGHTED, DISAPPOINTED, SATISFIED, DISAPPOINTED, DISAPPOINTED])
    resolved = np.array([False, False, False, True, False])
    told = np.array([4, 10, 0, 2, 6])
    out = word_of_mouth_balance(firm, outcome, resolved, told, 2)
    # positive: 4 (delighted) + 0 (satisfied, silent) + 2 (disappointment put right); negative: 10 + 6
    assert out["positive_to_negative"] == pytest.approx(6 / 16)
    # firm 0: 4/6 of the positive word of mouth and 2/5 of the purchases; firm 1: 2/6 and 3/5
    assert out["positive_share_gap"] == pytest.approx(abs(4 / 6 - 2 / 5))


def test_the_cohort_probe_needs_a_horizon_three_years_past_its_quarter():
    market = dataclasses.replace(MarketConfig(), n_customers=300, burn_in=4, steps=52)
    with pytest.raises(ValueError, match="needs a horizon of 169 steps"):
        cohort_retention_probe(market, seed=0)
