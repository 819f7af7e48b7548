"""The sweep report names its jobs' units, and none when they differ."""

from __future__ import annotations

import pandas as pd
import yaml

from experiments.reports.units import ReportUnits
from experiments.sweeps.report import sweep_units


def _job(root, name: str, market: dict) -> str:
    (root / name).mkdir()
    (root / name / "config.yaml").write_text(yaml.safe_dump({"market": market}))
    return name


def test_jobs_with_one_currency_horizon_and_rate_share_their_units(tmp_path):
    jobs = pd.DataFrame({"job": [_job(tmp_path, f"price={p}", {"currency": "GBP", "steps": 52}) for p in (1, 2)]})
    assert sweep_units(tmp_path, jobs) == ReportUnits(currency="GBP", horizon_steps=52)


def test_a_sweep_over_the_horizon_claims_no_single_horizon(tmp_path):
    jobs = pd.DataFrame({"job": [_job(tmp_path, f"steps={s}", {"steps": s}) for s in (52, 104)]})
    assert sweep_units(tmp_path, jobs) is None
