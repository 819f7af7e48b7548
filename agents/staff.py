"""Front-line staff as columns (MODEL.md §5, DESIGN.md §1).

Each firm's employees occupy a fixed block of positions; a leaver's position
is taken by a novice. ``employed`` marks positions that are filled (lay-offs
empty them). ``person`` changes whenever someone new takes a position, so a
customer's bond to a person breaks when that person leaves.
"""

from __future__ import annotations

import numpy as np

from sim.config import FirmConfig, StaffConfig


class StaffPopulation:
    """All employees of all firms."""

    def __init__(self, firms: list[FirmConfig], n_customers: int, cfg: StaffConfig,
                 rng: np.random.Generator) -> None:
        heads = [max(1, int(round(f.staff_per_1k_customers * n_customers / 1000.0))) for f in firms]
        self.firm = np.repeat(np.arange(len(firms)), heads).astype(np.int8)
        m = len(self.firm)
        self.m = m
        self.start = np.concatenate([[0], np.cumsum(heads)[:-1]]).astype(np.int64)
        self.size = np.array(heads, dtype=np.int64)
        init_skill = np.array([f.initial_skill for f in firms])[self.firm]
        # tenure that gives the firm's initial skill on the learning curve, with spread
        gap = np.clip((cfg.max_skill - init_skill) / max(cfg.max_skill - cfg.novice_skill, 1e-9), 1e-3, 1.0)
        mean_tenure = -cfg.learning_steps * np.log(gap)
        self.tenure = (mean_tenure * rng.exponential(1.0, m)).astype(np.float32)
        self.skill = skill_at(self.tenure, cfg)
        self.trait = (0.1 * rng.standard_normal(m)).astype(np.float32)  # personal engagement offset
        self.engagement = np.zeros(m, dtype=np.float32)
        self.employed = np.ones(m, dtype=bool)
        self.person = np.arange(m, dtype=np.int64)
        self._next_person = m
        self.service_level = np.zeros(m, dtype=np.float32)
        self.service_spread = np.zeros(m, dtype=np.float32)
        self.wage = np.array([f.wage for f in firms], dtype=np.float64)[self.firm]

    def headcount(self, n_firms: int) -> np.ndarray:
        return np.bincount(self.firm[self.employed], minlength=n_firms)

    def hire(self, positions: np.ndarray, cfg: StaffConfig, engagement: np.ndarray) -> None:
        """Novices take the given positions."""
        k = len(positions)
        self.tenure[positions] = 0.0
        self.skill[positions] = cfg.novice_skill
        self.engagement[positions] = engagement
        self.employed[positions] = True
        self.person[positions] = np.arange(self._next_person, self._next_person + k)
        self._next_person += k

    def roster(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Employed positions grouped by firm: (positions, start, count) per firm."""
        pos = np.flatnonzero(self.employed)
        counts = np.bincount(self.firm[pos], minlength=len(self.size))
        start = np.concatenate([[0], np.cumsum(counts)[:-1]])
        return pos, start, counts


def skill_at(tenure: np.ndarray, cfg: StaffConfig) -> np.ndarray:
    """Skill grows with tenure toward ``max_skill`` (MODEL.md §5)."""
    return (cfg.max_skill - (cfg.max_skill - cfg.novice_skill)
            * np.exp(-tenure / cfg.learning_steps)).astype(np.float32)
