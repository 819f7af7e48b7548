"""Pass criteria of the validation claims, and how their numbers print.

A claim's numbers (one per replication) pass or fail by a :class:`Criterion`
on their mean and its interval, or on every replication; :func:`format_value`
prints a number in the claim's unit (:data:`UNITS`) for the report.

A verdict is only as good as its distance from the threshold: the same
claim measured on other seeds, or on another machine (whose floating-point
paths differ, so that its seeded runs take other paths), gives other numbers.
:meth:`Criterion.margin` measures that distance in half-widths of the
interval: how far the number the verdict turns on (the interval's edge for
``above``/``below``, the mean for ``range``) lies from the threshold,
positive on the passing side, negative on the failing side.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Criterion:
    """When a claim passes, given its numbers per replication.

    ``above``: the 95% interval of the mean lies above ``lo`` (e.g. a paired
    difference is positive); ``below``: it lies below ``hi``; ``range``: the
    mean lies in ``[lo, hi]`` (a published range; either end may be open);
    ``every``: every replication's number lies in ``[lo, hi]`` (an identity
    that must hold exactly, such as conservation).
    """

    kind: str
    lo: float | None = None
    hi: float | None = None

    def holds(self, values: np.ndarray, mean: float, low: float, high: float) -> bool:
        """True if the numbers meet the criterion (never with a missing number)."""
        values = np.asarray(values, dtype=float)
        if len(values) == 0 or np.isnan(values).any():
            return False
        if self.kind == "above":
            return bool(low > self.lo)
        if self.kind == "below":
            return bool(high < self.hi)
        inside = lambda x: (self.lo is None or x >= self.lo) and (self.hi is None or x <= self.hi)  # noqa: E731
        if self.kind == "range":
            return bool(inside(mean))
        if self.kind == "every":
            return bool(all(inside(v) for v in values))
        raise ValueError(f"criterion kind = {self.kind!r}: must be above, below, range or every")

    def margin(self, values: np.ndarray, mean: float, low: float, high: float) -> float:
        """How clearly the numbers pass (> 0) or fail (< 0): the distance from
        the threshold of the number the verdict turns on - the interval's lower
        edge for ``above``, its upper edge for ``below``, the mean for ``range``
        (to the nearer end) - in half-widths of the interval. An ``every``
        criterion is an identity, judged without an interval: +inf if it
        holds, -inf if not; so is a number with no spread (a zero half-width).
        A missing number gives -inf."""
        values = np.asarray(values, dtype=float)
        if len(values) == 0 or np.isnan(values).any() or any(math.isnan(x) for x in (mean, low, high)):
            return -math.inf
        if self.kind == "every":
            return math.inf if self.holds(values, mean, low, high) else -math.inf
        if self.kind == "above":
            gap = low - self.lo
        elif self.kind == "below":
            gap = self.hi - high
        elif self.kind == "range":
            gap = min(
                mean - self.lo if self.lo is not None else math.inf, self.hi - mean if self.hi is not None else math.inf
            )
        else:
            raise ValueError(f"criterion kind = {self.kind!r}: must be above, below, range or every")
        half = (high - low) / 2
        if half > 0:
            return gap / half
        return math.inf if gap > 0 else (-math.inf if gap < 0 else 0.0)

    def describe(self, unit: str) -> str:
        """The criterion in words, in the claim's unit."""
        if self.kind == "above":
            return f"95% interval > {format_value(self.lo, unit)}"
        if self.kind == "below":
            return f"95% interval < {format_value(self.hi, unit)}"
        what = "mean" if self.kind == "range" else "every replication"
        if self.lo is not None and self.hi is not None:
            if self.lo == self.hi:
                return f"{what} = {format_value(self.lo, unit)}"
            return f"{what} in [{format_value(self.lo, unit)}, {format_value(self.hi, unit)}]"
        if self.lo is not None:
            return f"{what} ≥ {format_value(self.lo, unit)}"
        return f"{what} ≤ {format_value(self.hi, unit)}"


def above(lo: float = 0.0) -> Criterion:
    """The 95% interval lies above ``lo``."""
    return Criterion("above", lo=lo)


def below(hi: float = 0.0) -> Criterion:
    """The 95% interval lies below ``hi``."""
    return Criterion("below", hi=hi)


def within(lo: float | None = None, hi: float | None = None) -> Criterion:
    """The mean lies in ``[lo, hi]``."""
    return Criterion("range", lo=lo, hi=hi)


def every(lo: float | None = None, hi: float | None = None) -> Criterion:
    """Every replication's number lies in ``[lo, hi]``."""
    return Criterion("every", lo=lo, hi=hi)


#: how a claim's numbers print: a share in %, a difference of shares in
#: percentage points, money, a count, a ratio or a plain number
UNITS = ("pct", "pp", "money", "count", "ratio", "float")


def format_value(x: float | None, unit: str) -> str:
    """A number as the report prints it in ``unit`` (one of :data:`UNITS`)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if unit == "pct":
        return f"{100 * x:.1f}%"
    if unit == "pp":
        return f"{100 * x:+.2f} pp"
    if unit == "money":
        return f"{x:,.0f}"
    if unit == "count":
        return f"{x:,.1f}"
    if unit == "ratio":
        return f"{x:.2f}"
    return f"{x:.3g}"
