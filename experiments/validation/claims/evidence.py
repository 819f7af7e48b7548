"""The evidence a claim is measured on, and per-replication readers of it.

:class:`Evidence` holds an experiment's tidy tables (or a probe's table);
the readers here turn them into one number per replication, in the
evidence's replication order, for the measures of
:mod:`experiments.validation.claims.measures` and its siblings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.config import MarketConfig


@dataclass
class Evidence:
    """The tidy tables of one experiment, as :func:`experiments.running.runner.run_experiment`
    returns them (``runs``, ``steps``, ``transactions``), or a probe's
    ``probes`` table (one row per replication), with the configs they came from."""

    market: MarketConfig
    experiment: Any  # experiments.running.config.ExperimentConfig
    replications: list[int]
    runs: pd.DataFrame = field(default_factory=pd.DataFrame)
    steps: pd.DataFrame = field(default_factory=pd.DataFrame)
    transactions: pd.DataFrame | None = None
    probes: pd.DataFrame | None = None

    @property
    def focal(self) -> str:
        return self.experiment.focal_firm


# =========================================================================== table readers


def _scenario_rows(
    table: pd.DataFrame, scenario: str, firm: str | None, start: int | None = None, stop: int | None = None
) -> pd.DataFrame:
    rows = table[table["scenario"] == scenario]
    if rows.empty:
        raise KeyError(f"scenario {scenario!r} is not in the evidence")
    if firm is not None:
        rows = rows[rows["firm"] == firm]
    if start is not None:
        rows = rows[rows["step"] >= start]
    if stop is not None:
        rows = rows[rows["step"] < stop]
    return rows


def per_replication(ev: Evidence, values: pd.Series) -> np.ndarray:
    """Values indexed by replication, in the evidence's replication order."""
    return values.reindex(ev.replications).to_numpy(dtype=float)


def step_stat(
    ev: Evidence,
    scenario: str,
    column: str,
    how: str = "mean",
    start: int | None = None,
    stop: int | None = None,
    firm: str | None = "focal",
) -> np.ndarray:
    """Per replication: the mean or sum (``how``) of a step-table column over
    reported steps ``[start, stop)`` of ``firm`` (default the focal firm;
    None: all firms, summed per step first)."""
    who = ev.focal if firm == "focal" else firm
    rows = _scenario_rows(ev.steps, scenario, who, start, stop)
    if who is None:
        rows = rows.groupby(["replication", "step"])[column].sum().reset_index()
    return per_replication(ev, rows.groupby("replication")[column].agg(how))


def run_kpi(ev: Evidence, scenario: str, kpi: str, firm: str | None = None) -> np.ndarray:
    """Per replication: a KPI of the runs table (focal firm by default)."""
    rows = _scenario_rows(ev.runs, scenario, firm or ev.focal)
    return per_replication(ev, rows.set_index("replication")[kpi])


def probe(ev: Evidence, column: str) -> np.ndarray:
    """Per replication: a probe's number."""
    return per_replication(ev, ev.probes.set_index("replication")[column])


def ratio_of_sums(
    ev: Evidence,
    scenario: str,
    numerator: str,
    denominator: str,
    start: int | None = None,
    stop: int | None = None,
    firm: str | None = "focal",
) -> np.ndarray:
    """Per replication: sum of one step column over the sum of another."""
    num = step_stat(ev, scenario, numerator, "sum", start, stop, firm)
    den = step_stat(ev, scenario, denominator, "sum", start, stop, firm)
    with np.errstate(divide="ignore", invalid="ignore"):
        return num / den


def loyal_share(ev: Evidence, scenario: str, start: int | None = None, stop: int | None = None) -> np.ndarray:
    """Per replication: loyal + advocate customers over customers, mean over a window."""
    rows = _scenario_rows(ev.steps, scenario, ev.focal, start, stop)
    share = (rows["n_loyal"] + rows["n_advocate"]) / rows["customers"].clip(lower=1)
    return per_replication(ev, share.groupby(rows["replication"]).mean())
