"""Differences of scenarios from the baseline, with confidence intervals.

Replication ``r`` of every scenario runs on the same seed, so its random
streams are the baseline's (common random numbers). The
difference of a scenario from the baseline is therefore estimated on pairs:
``d_r = kpi(scenario, r) - kpi(baseline, r)``, with the Student-t interval
of the mean of the ``d_r``. Luck shared by the pair cancels, so this interval
is narrower than the unpaired (Welch) interval of the two means, which is
also reported for comparison.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd
from scipy import stats

from experiments.running.kpis import ALL_KPIS, KPIS

COMPARISON_COLUMNS = [
    "scenario",
    "kpi",
    "label",
    "n",
    "mean",
    "baseline_mean",
    "diff",
    "ci_low",
    "ci_high",
    "unpaired_ci_low",
    "unpaired_ci_high",
]


def paired_interval(diffs: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float]:
    """Mean of the paired differences and its Student-t interval (nan with fewer than 2)."""
    d = np.asarray(diffs, dtype=float)
    d = d[~np.isnan(d)]
    n = len(d)
    if n == 0:
        return float("nan"), float("nan"), float("nan")
    mean = float(d.mean())
    if n < 2:
        return mean, float("nan"), float("nan")
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1) * d.std(ddof=1) / np.sqrt(n))
    return mean, mean - half, mean + half


def unpaired_interval(a: np.ndarray, b: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float]:
    """Difference of means ``mean(a) - mean(b)`` and its Welch interval, ignoring pairing."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    a, b = a[~np.isnan(a)], b[~np.isnan(b)]
    if len(a) < 2 or len(b) < 2:
        return float(a.mean() - b.mean()) if len(a) and len(b) else float("nan"), float("nan"), float("nan")
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    diff = float(a.mean() - b.mean())
    se = np.sqrt(va + vb)
    if se == 0:
        return diff, diff, diff
    dof = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    half = float(stats.t.ppf(0.5 + confidence / 2, dof) * se)
    return diff, diff - half, diff + half


def compare(
    runs: pd.DataFrame, baseline: str, firm: str, kpis: Iterable[str] = tuple(KPIS), confidence: float = 0.95
) -> pd.DataFrame:
    """For each scenario (baseline included, in the order of ``runs``) and KPI
    of ``firm``: the scenario's mean, the baseline's mean, and the mean paired
    difference with its interval (columns :data:`COMPARISON_COLUMNS`).

    ``runs`` is a runs table (one row per scenario x replication x firm).
    """
    mine = runs[runs["firm"] == firm]
    if mine.empty:
        raise ValueError(
            f"firm = {firm!r}: no such firm in the runs; available: {', '.join(map(str, runs['firm'].unique()))}"
        )
    wide = {s: g.set_index("replication") for s, g in mine.groupby("scenario", sort=False)}
    if baseline not in wide:
        raise ValueError(f"baseline = {baseline!r}: no such scenario in the runs; available: {', '.join(wide)}")
    base = wide[baseline]
    rows = []
    for scenario, table in wide.items():
        common = table.index.intersection(base.index)
        for kpi in kpis:
            x, b = table.loc[common, kpi].to_numpy(float), base.loc[common, kpi].to_numpy(float)
            diff, lo, hi = paired_interval(x - b, confidence)
            _, ulo, uhi = unpaired_interval(table[kpi].to_numpy(float), base[kpi].to_numpy(float), confidence)
            rows.append(
                {
                    "scenario": scenario,
                    "kpi": kpi,
                    "label": ALL_KPIS[kpi].label if kpi in ALL_KPIS else kpi,
                    "n": int(len(common)),
                    "mean": float(np.nanmean(table[kpi])),
                    "baseline_mean": float(np.nanmean(base[kpi])),
                    "diff": diff,
                    "ci_low": lo,
                    "ci_high": hi,
                    "unpaired_ci_low": ulo,
                    "unpaired_ci_high": uhi,
                }
            )
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


def ranking(comparison: pd.DataFrame, by: str = "npv", baseline: str | None = None) -> pd.DataFrame:
    """Scenarios ranked by their difference from the baseline in KPI ``by``
    (best first, in the KPI's better direction); rank 1 is best. A scenario
    whose interval lies wholly on the better side is ``better``, wholly on the
    worse side ``worse``, else ``no clear difference``."""
    kpi = ALL_KPIS.get(by)
    up = kpi.higher_is_better if kpi else True
    rows = comparison[comparison["kpi"] == by].copy()
    rows["verdict"] = np.where(
        rows["ci_low"] > 0,
        "better" if up else "worse",
        np.where(rows["ci_high"] < 0, "worse" if up else "better", "no clear difference"),
    )
    rows.loc[rows["scenario"] == baseline, "verdict"] = "baseline"
    rows = rows.sort_values("diff", ascending=not up, kind="stable")
    rows.insert(0, "rank", np.arange(1, len(rows) + 1))
    return rows[["rank", "scenario", "kpi", "mean", "diff", "ci_low", "ci_high", "verdict"]].reset_index(drop=True)
