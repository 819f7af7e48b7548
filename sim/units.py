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

import numpy as np

from sim.compiled import compiled

WEEKS_PER_YEAR = 52.0
#: slack when comparing times in weeks: a step count x the step in weeks
#: (52/12 for monthly steps) is not exact in floating point
WEEKS_SLACK = 1e-9


@dataclass(frozen=True)
class StepLength:
    """The step length of a market and the conversions to it."""

    steps_per_year: float

    @property
    def dt(self) -> float:
        """Length of a step in years."""
        return 1.0 / self.steps_per_year

    @property
    def weeks(self) -> float:
        """Length of a step in weeks."""
        return WEEKS_PER_YEAR / self.steps_per_year

    def probability(self, rate_per_year: float | np.ndarray) -> float | np.ndarray:
        """Chance per step of an event that happens at ``rate_per_year``
        (a constant hazard): ``1 - exp(-rate * dt)``."""
        p = -np.expm1(-np.asarray(rate_per_year, dtype=np.float64) * self.dt)
        return float(p) if p.ndim == 0 else p

    def kept(self, half_life_weeks: float) -> float:
        """Share of a quantity kept over one step, given its half-life in weeks."""
        return float(0.5 ** (self.weeks / half_life_weeks))

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
    what a visit moves by a share (habit, satisfaction, the chance to talk,
    to complain or to defect) moves by the compounded share, so a year holds
    the same change whether it is cut in weeks or in months.

    For a float share or a float32 share per visit count, over float32
    visit counts (the engine's case), the single visits are filled and the
    others gathered in one compiled pass (:func:`_single_visits`), and only
    those see numpy's ``log1p`` and ``expm1`` (whose float32 results the
    compiled ones would not match to the bit)."""
    if (type(visits) is np.ndarray and visits.dtype == np.float32 and visits.ndim == 1
            and (type(share) is float or (type(share) is np.ndarray and share.dtype == np.float32
                                          and share.shape == visits.shape))):
        return _compounded_f32(share, visits)
    visits = np.asarray(visits)
    out = np.empty(visits.shape, dtype=np.result_type(share, np.float32))
    out[...] = share
    many = np.flatnonzero(visits > 1)
    if len(many):
        with np.errstate(divide="ignore"):
            out[many] = -np.expm1(visits[many] * np.log1p(-np.minimum(out[many], 1.0)))
    return out


#: :func:`_single_visits`' share per visit when one float is shared by all
_NO_SHARES = np.empty(0, dtype=np.float32)


def _compounded_f32(share: float | np.ndarray, visits: np.ndarray) -> np.ndarray:
    """:func:`compounded` of a float share, or a float32 share per visit
    count, over float32 visit counts: numpy's operations on the counts
    above 1, in its order."""
    n = len(visits)
    out, exponent, times = np.empty(n, np.float32), np.empty(n, np.float32), np.empty(n, np.float32)
    if type(share) is float:
        m, certain = _single_visits(_NO_SHARES, share, visits, out, exponent, times)
    else:
        m, certain = _single_visits(share, 0.0, visits, out, exponent, times)
    if m:
        x = exponent[:m]
        if certain:                       # log1p(-1): -inf, as wanted
            with np.errstate(divide="ignore"):
                np.log1p(x, out=x)
        else:
            np.log1p(x, out=x)
        np.multiply(times[:m], x, out=x)
        np.expm1(x, out=x)
        _many_visits(visits, x, out)
    return out


@compiled
def _single_visits(shares: np.ndarray, share: float, visits: np.ndarray, out: np.ndarray,
                   exponent: np.ndarray, times: np.ndarray) -> tuple[int, bool]:
    """Each share (``shares``, or ``share`` as float32 where ``shares`` is
    empty) into ``out``; for the visit counts above 1, in order, the
    argument of ``log1p`` (``-min(share, 1)``, nan kept) into ``exponent``
    and the count into ``times``. Returns how many there are, and whether
    a share of them is at least 1 (``log1p(-1)``)."""
    m = 0
    certain = False
    one_share = np.float32(share)
    for k in range(len(visits)):
        s = shares[k] if len(shares) else one_share
        out[k] = s
        if visits[k] > 1:
            capped = np.float32(1.0) if s > 1 else s
            exponent[m] = -capped
            times[m] = visits[k]
            certain |= capped == 1
            m += 1
    return m, certain


@compiled
def _many_visits(visits: np.ndarray, minus_compounded: np.ndarray, out: np.ndarray) -> None:
    """The compounded shares of the visit counts above 1 into ``out``,
    from ``minus_compounded`` (in order): minus each."""
    m = 0
    for k in range(len(visits)):
        if visits[k] > 1:
            out[k] = -minus_compounded[m]
            m += 1


def felt_over_visits(adaptation: float, visits: np.ndarray) -> np.ndarray:
    """How many single visits' worth of disconfirmation a purchase of
    ``visits`` visits is felt as, when expectation moves ``adaptation`` of the
    way toward each experience: ``(1 - (1 - adaptation) ** visits) / adaptation``,
    exactly 1 for one visit and ``visits`` without adaptation."""
    if adaptation <= 0:
        return np.asarray(visits, dtype=np.float32)
    return (compounded(adaptation, visits) / np.float32(adaptation)).astype(np.float32)


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
