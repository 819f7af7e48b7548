"""Scenario discovery: a rule in plain words for where an outcome happens.

Given the points of an exploratory run and which of them show an outcome (a
strategy pays, or loses), PRIM (Friedman & Fisher 1999, 'Bump hunting in
high-dimensional data'; the EMA Workbench's implementation, Kwakkel 2017)
peels the space of conditions down, one small slice at a time, to boxes
ever denser in the outcome. Bryant & Lempert (2010, 'Thinking inside the
box: a participatory, computer-assisted approach to scenario discovery')
judge a box by its *coverage* (the share of all points with the outcome that
lie in it) and its *density* (the share of the points in it that have the
outcome), traded against each other along PRIM's peeling trajectory; here the
box is the one with the largest coverage among those at least
``min_density`` dense (ties: the denser, then the fewer conditions
restricted: at equal coverage a denser box holds the same points with the
outcome and fewer without it). The box's restricted conditions are the rule.
"""

from __future__ import annotations

import logging
import math
import warnings
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np
import pandas as pd

#: PRIM's smallest box, as a share of the points (the EMA Workbench's default)
MASS_MIN = 0.05


@dataclass(frozen=True)
class Limit:
    """One restricted condition of a rule: its key and the bounds that apply (None: open)."""

    key: str
    lo: float | None
    hi: float | None

    def holds(self, value: float) -> bool:
        return (self.lo is None or value >= self.lo) and (self.hi is None or value <= self.hi)


@dataclass(frozen=True)
class Rule:
    """Where an outcome happens: the box's limits, its coverage and density.

    ``found``: the outcome happens at some points and a box at least
    ``min_density`` dense exists; with no points of the outcome, or at
    every point, ``limits`` is empty and the sentence says so."""

    limits: tuple[Limit, ...]
    coverage: float
    density: float
    points_in: int
    outcome_points: int
    total_points: int
    found: bool
    min_density: float
    bounds: Mapping[str, tuple[float, float]] = field(default_factory=dict)  # the space: key -> (lo, hi)

    def contains(self, values: Mapping[str, float]) -> bool | None:
        """Whether a point of conditions lies in the rule's box (None if there is no box)."""
        if not self.found:
            return None
        return all(limit.holds(float(values[limit.key])) for limit in self.limits)

    @classmethod
    def from_dict(cls, data: Mapping) -> "Rule":
        """The rule as :meth:`as_dict` wrote it (map.json), without the space's
        bounds; a statistic it does not give is 0 (whether a point lies in the
        box needs only ``found`` and ``limits``)."""
        return cls(
            tuple(Limit(str(x["key"]), x["lo"], x["hi"]) for x in data.get("limits", [])),
            float(data.get("coverage", 0.0)),
            float(data.get("density", 0.0)),
            int(data.get("points_in", 0)),
            int(data.get("outcome_points", 0)),
            int(data.get("total_points", 0)),
            bool(data.get("found", False)),
            float(data.get("min_density", 0.0)),
        )

    def as_dict(self) -> dict:
        return {
            "limits": [{"key": x.key, "lo": x.lo, "hi": x.hi} for x in self.limits],
            "coverage": self.coverage,
            "density": self.density,
            "points_in": self.points_in,
            "outcome_points": self.outcome_points,
            "total_points": self.total_points,
            "found": self.found,
            "min_density": self.min_density,
        }

    def sentence(self, subject: str, outcome: str, labels: Mapping[str, str]) -> str:
        """The rule in plain words, e.g. "club_marketing pays when service share is at least 0.28 and
        horizon is at least 156 (coverage 90%: ...; density 95%: ...)"."""
        if self.outcome_points == 0:
            return f"{subject} {outcome} at none of the {self.total_points} points mapped."
        if self.outcome_points == self.total_points:
            return f"{subject} {outcome} at every one of the {self.total_points} points mapped."
        if not self.found:
            return (
                f"{subject} {outcome} at {self.outcome_points} of {self.total_points} points, scattered: no box of "
                f"conditions holds them at a density of {self.min_density:.0%} or more, so there is no simple rule."
            )
        if not self.limits:
            return (
                f"{subject} {outcome} across the whole space mapped, with no condition narrowing it: at "
                f"{self.outcome_points} of the {self.total_points} points ({self.density:.0%})."
            )
        clauses = " and ".join(_clause(labels.get(x.key, x.key), x) for x in self.limits)
        return (
            f"{subject} {outcome} when {clauses} (coverage {self.coverage:.0%}: {self.points_in_outcome} of the "
            f"{self.outcome_points} points where it {outcome} are in this box; density {self.density:.0%}: it "
            f"{outcome} at {self.points_in_outcome} of the {self.points_in} points in the box)."
        )

    @property
    def points_in_outcome(self) -> int:
        return int(round(self.density * self.points_in))


def condition_value(x: float) -> str:
    """A condition's value as a reader reads it: 104, 0.167, 1,200."""
    x = float(x)
    if not math.isfinite(x):
        return str(x)
    return f"{int(x):,}" if x.is_integer() else f"{x:.3g}"


def _clause(label: str, limit: Limit) -> str:
    if limit.lo is not None and limit.hi is not None:
        return f"{label} is between {condition_value(limit.lo)} and {condition_value(limit.hi)}"
    if limit.lo is not None:
        return f"{label} is at least {condition_value(limit.lo)}"
    return f"{label} is at most {condition_value(limit.hi)}"


def discover(x: pd.DataFrame, y: np.ndarray, min_density: float) -> Rule:
    """The rule for the points ``x`` (one column per condition) where ``y`` is True.

    Each bound is the nearest value run inside the box (on a grid, "at most
    156 weeks" rather than PRIM's cut half-way to the next value, 208).
    Deterministic: PRIM's peeling is.
    """
    y = np.asarray(y, dtype=bool)
    x = x.reset_index(drop=True).astype(float)
    bounds = {str(k): (float(x[k].min()), float(x[k].max())) for k in x.columns}
    total, hits = len(y), int(y.sum())
    empty = Rule((), 0.0, 0.0, 0, hits, total, False, float(min_density), bounds)
    if hits == 0 or hits == total:
        return Rule(
            (), 1.0 if hits else 0.0, 1.0 if hits else 0.0, total, hits, total, False, float(min_density), bounds
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ema_workbench: optional parallel back ends not installed
        from ema_workbench.analysis import prim

        logging.getLogger("EMA").setLevel(logging.WARNING)
        box = prim.Prim(x, y, mass_min=MASS_MIN).find_box()
    if box is None:
        return empty
    trajectory = box.peeling_trajectory
    eligible = trajectory[trajectory["density"] >= min_density - 1e-12]
    if eligible.empty:
        return empty
    best = eligible.sort_values(
        ["coverage", "density", "res_dim"], ascending=[False, False, True], kind="stable"
    ).index[0]
    lims = box.box_lims[int(trajectory.loc[best, "id"])]
    raw: list[tuple[str, float | None, float | None]] = []
    inside = np.ones(total, dtype=bool)
    for key in x.columns:
        lo, hi = float(lims.loc[0, key]), float(lims.loc[1, key])
        lo_open, hi_open = lo <= bounds[key][0], hi >= bounds[key][1]
        if lo_open and hi_open:
            continue
        column = x[key].to_numpy()
        inside &= (column >= lo) & (column <= hi)
        raw.append((str(key), None if lo_open else lo, None if hi_open else hi))
    # each bound said as the nearest value run inside the box, not PRIM's cut between two runs
    limits = [
        Limit(
            key,
            None if lo is None else float(x.loc[inside, key].min()),
            None if hi is None else float(x.loc[inside, key].max()),
        )
        for key, lo, hi in raw
    ]
    n_in = int(inside.sum())
    hits_in = int((y & inside).sum())
    return Rule(
        tuple(limits),
        hits_in / hits,
        hits_in / n_in if n_in else 0.0,
        n_in,
        hits,
        total,
        True,
        float(min_density),
        bounds,
    )
