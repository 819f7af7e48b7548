"""Retention two ways: true (the relationship has not ended) and observed
(a purchase within a few expected inter-purchase times), per firm and
acquisition cohort."""

from __future__ import annotations

import numpy as np

from sim.model import LoyaltyModel
from sim.retention import COLUMNS, observed_active
from agents.states import LoyaltyState as S


def test_a_relationship_looks_retained_while_its_silence_is_shorter_than_the_window():
    # a customer visiting 26 times a year (every 2 weekly steps): with 3 gaps, a window of 6 steps
    last = np.array([[100, 94, 93, -1]])
    seen = observed_active(last.T, np.full(4, 26.0), t=100, steps_per_year=52, gaps=3.0)
    assert seen[:, 0].tolist() == [True, True, False, False]


def test_true_and_observed_retention_by_cohort_at_each_year_end():
    m = LoyaltyModel(seed=0, n_customers=3000, burn_in=104, steps=104)
    m.run()
    table = m.retention_by_cohort()
    assert list(table.columns) == list(COLUMNS)
    assert sorted(table["reported_step"].unique().tolist()) == [52, 104]
    assert (table["true_retained"] <= table["acquired"]).all()
    assert (table["observed_retained"] <= table["acquired"]).all()
    focal = table[table.firm == "Focal"].set_index(["reported_step", "cohort_year"])
    assert focal.loc[(104, 1), "acquired"] == focal.loc[(52, 1), "acquired"]  # a cohort keeps its size
    assert focal.loc[(104, 1), "true_retention"] < focal.loc[(52, 1), "true_retention"]  # and shrinks
    # the lag: some ended relationships still look retained, some current ones look lapsed
    cust = m.customers
    seen = observed_active(cust.last_purchase, cust.visit_rate, m.t, 52.0, m.config.loyalty.lapse_gaps)
    ended = cust.state == S.CHURNED
    current = (cust.state >= S.FIRST_TIME) & ~ended
    assert seen[ended].any() and (~seen[current]).any()
    assert seen[current].mean() > seen[ended].mean()
