"""Paired differences from the baseline, their intervals and the ranking."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from experiments.running.statistics import compare, paired_interval, ranking, unpaired_interval


def _runs(base: list[float], other: list[float], kpi: str = "npv") -> pd.DataFrame:
    rows = []
    for scenario, values in (("baseline", base), ("plan", other)):
        for r, v in enumerate(values):
            rows.append({"scenario": scenario, "replication": r, "firm": "Focal", kpi: v})
            rows.append({"scenario": scenario, "replication": r, "firm": "Rival", kpi: -v})
    return pd.DataFrame(rows)


def test_paired_interval_is_the_student_t_interval_of_the_differences():
    d = np.array([1.0, 3.0, 2.0, 5.0, 4.0])
    mean, lo, hi = paired_interval(d, 0.9)
    half = stats.t.ppf(0.95, 4) * d.std(ddof=1) / np.sqrt(5)
    assert mean == pytest.approx(3.0) and lo == pytest.approx(3 - half) and hi == pytest.approx(3 + half)


def test_unpaired_interval_is_welchs():
    a, b = np.array([5.0, 7.0, 6.0, 9.0]), np.array([1.0, 2.0, 4.0])
    diff, lo, hi = unpaired_interval(a, b)
    res = stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
    assert diff == pytest.approx(a.mean() - b.mean())
    assert (lo, hi) == pytest.approx((res.low, res.high))


def test_compare_pairs_replications_of_the_focal_firm_with_the_baseline():
    base, plan = [10.0, 20.0, 30.0, 40.0], [12.0, 21.0, 33.0, 41.0]
    table = compare(_runs(base, plan), "baseline", "Focal", ["npv"])
    row = table[table.scenario == "plan"].iloc[0]
    assert row["diff"] == pytest.approx(1.75)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(paired_interval(np.subtract(plan, base))[1:])
    assert row["mean"] == pytest.approx(np.mean(plan)) and row["baseline_mean"] == pytest.approx(25.0)
    # common luck cancels in the pairs: the paired interval is far narrower than Welch's
    assert row["ci_high"] - row["ci_low"] < 0.2 * (row["unpaired_ci_high"] - row["unpaired_ci_low"])
    own = table[table.scenario == "baseline"].iloc[0]
    assert own["diff"] == 0 and own["ci_low"] == 0 and own["ci_high"] == 0


def test_compare_names_a_missing_baseline_or_firm():
    with pytest.raises(ValueError, match="baseline = 'none'"):
        compare(_runs([1, 2], [3, 4]), "none", "Focal", ["npv"])
    with pytest.raises(ValueError, match="firm = 'Nobody'"):
        compare(_runs([1, 2], [3, 4]), "baseline", "Nobody", ["npv"])


def test_ranking_sorts_in_the_better_direction_of_the_kpi_and_gives_verdicts():
    runs = _runs([0.30, 0.32, 0.31], [0.20, 0.21, 0.22], kpi="churn_rate")
    rank = ranking(compare(runs, "baseline", "Focal", ["churn_rate"]), "churn_rate", "baseline")
    assert list(rank["scenario"]) == ["plan", "baseline"]  # less churn is better
    assert list(rank["verdict"]) == ["better", "baseline"]
    runs = _runs([1.0, 2.0, 3.0], [0.0, 1.0, 2.5])
    rank = ranking(compare(runs, "baseline", "Focal", ["npv"]), "npv", "baseline")
    assert list(rank["scenario"]) == ["baseline", "plan"] and rank["verdict"].iloc[1] == "worse"
