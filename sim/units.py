"""Time and money in real units, converted to the step length in one place.

Config states every rate per year, every decay as a half-life in weeks,
every duration in weeks and every cost per driver and year (a store, a
full-time employee, 1,000 people reached, a member, a visit). The engine
works in steps; :class:`StepLength` is the only code that knows how long a
step is, so changing ``steps_per_year`` changes the resolution of a run, not
its behaviour (Grimm et al. 2020, ODD "scheduling": the time step is a
resolution choice).

Conversions:
- a rate per year ``r`` (a hazard: leaving the category, staff quitting,
  learning of a firm) gives the per-step probability ``1 - exp(-r * dt)``;
- a half-life ``h`` (weeks) gives the per-step share kept ``0.5 ** (dt_weeks / h)``;
- an amount per year (a wage, a fixed cost) gives ``amount * dt`` per step;
- a count per year (visits) gives ``count * dt`` expected per step;
- an annual discount rate ``d`` gives the per-step factor ``(1 + d) ** -dt``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import overload

import numpy as np

from agents.compiled import compiled

WEEKS_PER_YEAR = 52.0
#: a step in words, by the steps in a year (any other step length: "step")
STEP_NAMES = {52: "week", 12: "month", 4: "quarter", 1: "year"}
#: slack when comparing times in weeks: a step count x the step in weeks
#: (52/12 for monthly steps) is not exact in floating point
WEEKS_SLACK = 1e-9


@dataclass(frozen=True)
class StepLength:
    """The step length of a market and the conversions to it."""

    steps_per_year: float
    #: visit rounds in a step: a long step makes its customers' visits in
    #: this many rounds, in order (:meth:`visit_round`); 1: the step is one round
    rounds: int = 1

    @classmethod
    def of(cls, steps_per_year: float, visit_round_weeks: float) -> "StepLength":
        """The step of a market of ``steps_per_year`` steps whose visits are
        made in rounds of about ``visit_round_weeks`` weeks: the step's weeks
        over the round's, rounded, at least one."""
        weeks = WEEKS_PER_YEAR / steps_per_year
        return cls(steps_per_year, max(1, int(round(weeks / visit_round_weeks))))

    @property
    def visit_round(self) -> "StepLength":
        """One visit round as a step of its own (a step of one round: this step)."""
        return self if self.rounds == 1 else StepLength(self.steps_per_year * self.rounds)

    @property
    def dt(self) -> float:
        """Length of a step in years."""
        return 1.0 / self.steps_per_year

    @property
    def weeks(self) -> float:
        """Length of a step in weeks."""
        return WEEKS_PER_YEAR / self.steps_per_year

    @property
    def name(self) -> str:
        """A step in words: ``week``, ``month``, ``quarter``, ``year``
        (:data:`STEP_NAMES`), else ``step``."""
        whole = self.steps_per_year % 1 == 0
        return STEP_NAMES.get(int(self.steps_per_year), "step") if whole else "step"

    @overload
    def probability(self, rate_per_year: float) -> float: ...
    @overload
    def probability(self, rate_per_year: np.ndarray) -> np.ndarray: ...  # (a 0-d array gives a float)
    def probability(self, rate_per_year: float | np.ndarray) -> float | np.ndarray:
        """Chance per step of an event that happens at ``rate_per_year``
        (a constant hazard): ``1 - exp(-rate * dt)``."""
        p = -np.expm1(-np.asarray(rate_per_year, dtype=np.float64) * self.dt)
        return float(p) if p.ndim == 0 else p

    def kept(self, half_life_weeks: float) -> float:
        """Share of a quantity kept over one step, given its half-life in weeks."""
        return float(0.5 ** (self.weeks / half_life_weeks))

    @overload
    def per_step(self, amount_per_year: float) -> float: ...
    @overload
    def per_step(self, amount_per_year: np.ndarray) -> np.ndarray: ...
    def per_step(self, amount_per_year: float | np.ndarray) -> float | np.ndarray:
        """An amount (money, visits) per year as the amount per step."""
        return amount_per_year * self.dt

    def last_week(self, steps: int) -> int:
        """The last week (1-based) that begins within a horizon of ``steps``
        steps: a schedule or an entry in a later week would never happen."""
        return math.ceil(steps * self.weeks - WEEKS_SLACK)

    def steps(self, weeks: float) -> float:
        """A duration in weeks as a number of steps (not rounded)."""
        return weeks / self.weeks

    def whole_steps(self, weeks: float) -> int:
        """A duration in weeks as whole steps: rounded, at least one for a
        positive duration, zero for zero."""
        if weeks <= 0:
            return 0
        return max(1, int(round(self.steps(weeks))))

    def step_discount(self, annual_rate: float) -> float:
        """Discount factor of one step at ``annual_rate`` a year."""
        return float((1.0 + annual_rate) ** (-self.dt))


def half_life_weeks(kept_per_week: float) -> float:
    """The half-life (weeks) of a quantity that keeps ``kept_per_week`` of
    itself each week: for restating a per-week decay."""
    return float(np.log(0.5) / np.log(kept_per_week))


def rate_per_year(probability_per_week: float) -> float:
    """The annual rate of an event with the given chance per week: for
    restating a per-week probability."""
    return float(-np.log1p(-probability_per_week) * WEEKS_PER_YEAR)


def compounded(share: float | np.ndarray, visits: np.ndarray) -> np.ndarray:
    """A share applied once per visit, over a purchase of ``visits`` visits:
    ``1 - (1 - share) ** visits``, exactly ``share`` for a single visit.

    A purchase in a long step holds several visits (:func:`agents.customers.purchase_episodes`);
    what a visit moves by a share (inertia, satisfaction, the chance to talk,
    to complain or to defect) moves by the compounded share, so a year holds
    the same change whether it is cut in weeks or in months. Worked out in
    float64 (:func:`_compound`) and given in the share's type (float32 for a
    Python number or a float32 array)."""
    visits = np.asarray(visits)
    out = np.empty(visits.shape, dtype=np.result_type(share, np.float32))
    shares = np.asarray(share, dtype=out.dtype).reshape(-1)
    if shares.size != 1 and shares.size != out.size:
        raise ValueError(f"compounded: {shares.size} shares for {out.size} purchases")
    _compound(shares, visits.reshape(-1), out.reshape(-1))
    return out


@compiled
def _compound(share: np.ndarray, visits: np.ndarray, out: np.ndarray) -> None:
    """``out[k] = 1 - (1 - share[k]) ** visits[k]`` (``share[0]`` for every
    ``k`` when it holds one value) as ``-expm1(visits * log1p(-share))`` in
    float64, the share capped at 1; ``share`` as it is for a visit or fewer."""
    one = share.size == 1
    for k in range(out.size):
        s = share[0] if one else share[k]
        v = visits[k]
        if v > 1:
            out[k] = -np.expm1(np.float64(v) * np.log1p(-min(np.float64(s), 1.0)))
        else:
            out[k] = s


# ----------------------------------------------------------------- schedules in weeks, run in steps
def first_step(start_week: float, weeks_per_step: float) -> int:
    """The reported step holding the beginning of week ``start_week`` (1-based)
    when a step lasts ``weeks_per_step`` weeks: the step a programme that starts
    that week starts in (= ``start_week`` in weekly steps)."""
    return int(math.floor((start_week - 1) / weeks_per_step + WEEKS_SLACK)) + 1


def end_step(start_week: float, duration_weeks: float, weeks_per_step: float) -> int | None:
    """The first reported step after a programme that starts in week
    ``start_week`` and runs ``duration_weeks`` weeks (None: 0, to the end of
    the run): it runs in every step that begins before week ``start_week +
    duration_weeks`` (= ``start_week + duration_weeks`` in weekly steps)."""
    if not duration_weeks:
        return None
    return int(math.ceil((start_week - 1 + duration_weeks) / weeks_per_step - WEEKS_SLACK)) + 1


def steps_after(weeks: float, weeks_per_step: float) -> int:
    """Steps from a programme's first step to the first step that begins at
    least ``weeks`` later (= ``weeks`` in weekly steps)."""
    return int(math.ceil(weeks / weeks_per_step - WEEKS_SLACK))


def period_begins(k: int, period_weeks: float, weeks_per_step: float) -> bool:
    """True if a period of ``period_weeks`` weeks begins in a programme's
    ``k``-th step (0-based): the first step, then each step that reaches the
    next multiple of the period (every ``period_weeks``-th step in weekly
    steps; every step when a step is longer than the period)."""
    if k == 0:
        return True
    before = (k - 1) * weeks_per_step / period_weeks
    return math.floor(k * weeks_per_step / period_weeks + WEEKS_SLACK) > math.floor(before + WEEKS_SLACK)
