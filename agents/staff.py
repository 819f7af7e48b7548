"""Front-line staff as columns, counted in full-time equivalents.

Each firm's staff (``staff_per_1k_customers`` FTE per 1,000 people in the
market, not rounded) occupy a fixed block of positions: whole full-time
positions and, for a fraction, one part-time position whose ``fte`` is that
fraction. Wages, hiring costs and capacity count ``fte``, so a market of
1,000 people has the same staff per customer as one of 20,000. A leaver's
position is taken by a novice. ``employed`` marks positions that are filled
(lay-offs empty them or cut their hours). ``person`` changes whenever
someone new takes a position, so a customer's bond to a person breaks when
that person leaves.
"""

from __future__ import annotations

import math
from typing import NamedTuple, TYPE_CHECKING

import numpy as np

from agents.compiled import compiled, inlined

if TYPE_CHECKING:  # the engine's config and units, for annotations only (agents sit below sim)
    from sim.config import FirmConfig, StaffConfig


class StaffPopulation:
    """All employees of all firms."""

    def __init__(self, firms: list[FirmConfig], n_customers: int, cfg: StaffConfig, rng: np.random.Generator) -> None:
        fte = [round(f.staff_per_1k_customers * n_customers / 1000.0, 9) for f in firms]
        heads = [max(1, math.ceil(x - 1e-9)) for x in fte]
        self.firm = np.repeat(np.arange(len(firms)), heads).astype(np.int8)
        m = len(self.firm)
        self.m = m
        self.start = np.concatenate([[0], np.cumsum(heads)[:-1]]).astype(np.int64)
        self.size = np.array(heads, dtype=np.int64)
        self.fte = np.ones(m, dtype=np.float64)  # hours of each position, 1 = full time
        for f, (total, k) in enumerate(zip(fte, heads)):
            self.fte[self.start[f] + k - 1] = total - (k - 1)
        init_skill = np.array([f.initial_skill for f in firms])[self.firm]
        # tenure that gives the firm's initial skill on the learning curve, with spread
        gap = np.clip((cfg.max_skill - init_skill) / max(cfg.max_skill - cfg.novice_skill, 1e-9), 1e-3, 1.0)
        mean_tenure = -cfg.learning_weeks * np.log(gap)
        self.tenure = (mean_tenure * rng.exponential(1.0, m)).astype(np.float32)
        self.skill = skill_at(self.tenure, cfg)
        self.trait = (cfg.engagement_spread * rng.standard_normal(m)).astype(np.float32)  # personal offset
        self.engagement = np.zeros(m, dtype=np.float32)
        self.employed = np.ones(m, dtype=bool)
        self.person = np.arange(m, dtype=np.int64)
        self._next_person = m
        self.service_level = np.zeros(m, dtype=np.float32)
        self.service_spread = np.zeros(m, dtype=np.float32)
        self.wage = np.array([f.wage_per_year for f in firms], dtype=np.float64)[self.firm]

    def headcount(self, n_firms: int) -> np.ndarray:
        """Employed positions of each firm (people, whatever their hours)."""
        return np.bincount(self.firm[self.employed], minlength=n_firms)

    def full_time_equivalents(self, n_firms: int) -> np.ndarray:
        """Employed full-time equivalents of each firm (summed in position
        order, as ``np.bincount`` of the employed positions' hours)."""
        out = np.zeros(n_firms)
        _employed_hours(self.firm, self.fte, self.employed, out)
        return out

    def hours_by_firm(self, positions: np.ndarray, n_firms: int) -> np.ndarray:
        """Full-time equivalents of the given positions, by firm (summed in
        the order given, as ``np.bincount``)."""
        out = np.zeros(n_firms)
        _hours_of(self.firm, self.fte, np.asarray(positions, dtype=np.int64), out)
        return out

    def dismiss_fte(self, firm: int, fte: float, order: np.ndarray) -> np.ndarray:
        """Dismiss ``fte`` full-time equivalents of ``firm``'s employed staff,
        taking positions in ``order`` (indices of its employed positions):
        whole positions while they fit, then the next one's hours are cut.
        Returns the positions emptied (their holders' customers lose their bonds)."""
        order = np.asarray(order, dtype=np.int64)
        left = round(float(fte), 9)
        cum = np.cumsum(self.fte[order])
        k = int(np.count_nonzero(cum <= left + 1e-9))
        emptied = order[:k]
        self.employed[emptied] = False
        rest = left - (cum[k - 1] if k else 0.0)
        if k < len(order) and rest > 1e-9:
            self.fte[order[k]] -= rest
        return emptied

    def hire(self, positions: np.ndarray, cfg: StaffConfig, engagement: np.ndarray) -> None:
        """Novices take the given positions."""
        k = len(positions)
        self.tenure[positions] = 0.0
        self.skill[positions] = cfg.novice_skill
        self.engagement[positions] = engagement
        self.employed[positions] = True
        self.person[positions] = np.arange(self._next_person, self._next_person + k)
        self._next_person += k

    def roster(self) -> "Roster":
        """Employed positions grouped by firm, with their hours (one compiled
        pass: :func:`_roster`)."""
        pos = np.empty(self.m, dtype=np.int64)
        start, counts = np.empty(len(self.size), dtype=np.int64), np.zeros(len(self.size), dtype=np.int64)
        edges = np.empty(self.m)
        k = _roster(self.firm, self.fte, self.employed, pos, start, counts, edges)
        return Roster(pos[:k], start, counts, edges[:k])


class Roster(NamedTuple):
    """The employed positions of each firm, for choosing who serves a visit."""

    positions: np.ndarray  # employed positions, grouped by firm
    start: np.ndarray  # each firm's first entry in ``positions``
    counts: np.ndarray  # each firm's employed positions (not ``count``: that is the tuple's method)
    edges: np.ndarray  # cumulative hours along ``positions``

    def server(self, firms: np.ndarray, u: np.ndarray) -> np.ndarray:
        """The position serving each visit to ``firms``, drawn from ``u``
        (uniform) in proportion to the positions' hours; -1 where the firm
        has no staff (:func:`serving_position`, visit by visit)."""
        out = np.empty(len(firms), dtype=np.int64)
        _servers(np.asarray(firms, dtype=np.int64), u, self.positions, self.start, self.counts, self.edges, out)
        return out


@inlined
def serving_position(
    firm: int, u: float, positions: np.ndarray, start: np.ndarray, count: np.ndarray, edges: np.ndarray
) -> int:
    """The position of ``firm`` serving a visit, drawn from the uniform ``u``
    in proportion to the positions' hours (``edges``: cumulative hours along
    ``positions``, grouped by firm); -1 where the firm has no staff."""
    n_pos = len(positions)
    s, m = start[firm], count[firm]
    if n_pos == 0 or m == 0:
        return -1
    before = edges[max(s - 1, 0)] if s > 0 else 0.0
    hours = edges[min(s + max(m - 1, 0), n_pos - 1)] - before
    pick = np.searchsorted(edges, before + u * hours, side="right") - s
    pick = min(max(pick, 0), max(m - 1, 0))
    position: int = positions[min(s + pick, n_pos - 1)]
    return position


@compiled
def _servers(
    firms: np.ndarray,
    u: np.ndarray,
    positions: np.ndarray,
    start: np.ndarray,
    count: np.ndarray,
    edges: np.ndarray,
    out: np.ndarray,
) -> None:
    """:func:`serving_position` of each visit into ``out``."""
    for j in range(len(firms)):
        out[j] = serving_position(firms[j], u[j], positions, start, count, edges)


@compiled
def _employed_hours(firm: np.ndarray, fte: np.ndarray, employed: np.ndarray, out: np.ndarray) -> None:
    """Hours of the employed positions summed by firm into ``out``, in position order."""
    for p in range(len(firm)):
        if employed[p]:
            out[firm[p]] += fte[p]


@compiled
def _hours_of(firm: np.ndarray, fte: np.ndarray, positions: np.ndarray, out: np.ndarray) -> None:
    """Hours of ``positions`` summed by firm into ``out``, in the order given."""
    for p in positions:
        out[firm[p]] += fte[p]


@compiled
def _roster(
    firm: np.ndarray,
    fte: np.ndarray,
    employed: np.ndarray,
    positions: np.ndarray,
    start: np.ndarray,
    count: np.ndarray,
    edges: np.ndarray,
) -> int:
    """The employed positions (in position order, which groups them by
    firm), each firm's first entry and count, and the cumulative hours along
    them; returns how many are employed. ``count`` comes zeroed; a firm's
    positions are one block (:class:`StaffPopulation`), so its first entry is
    the count of the firms before it."""
    k, hours = 0, 0.0
    for p in range(len(firm)):
        if employed[p]:
            positions[k] = p
            hours += fte[p]
            edges[k] = hours
            count[firm[p]] += 1
            k += 1
    first = 0
    for f in range(len(count)):
        start[f] = first
        first += count[f]
    return k


def skill_at(tenure: np.ndarray, cfg: StaffConfig) -> np.ndarray:
    """Skill grows with tenure (weeks) toward ``max_skill``."""
    return (cfg.max_skill - (cfg.max_skill - cfg.novice_skill) * np.exp(-tenure / cfg.learning_weeks)).astype(
        np.float32
    )
