"""Staff dynamics (MODEL.md §5): engagement, turnover, skill and the service
they deliver.

001: "only loyal employees create loyal customers"; employee ability outweighs
price, brand and convenience. 002: "customer loyalty = employee sincerity +
customer satisfaction". Engagement follows pay against the market, training,
empowerment, recognition and workload; low engagement raises turnover; a
leaver is replaced by a novice; service rises with skill and engagement, falls
with workload, and its spread narrows with engagement.
"""

from __future__ import annotations

import numpy as np

from agents.staff import StaffPopulation, skill_at
from sim.config import StaffConfig


def engagement_target(wage: np.ndarray, training: np.ndarray, empowerment: np.ndarray,
                      recognition: np.ndarray, workload: np.ndarray, cfg: StaffConfig) -> np.ndarray:
    """Engagement each firm's conditions lead to (one value per firm)."""
    return (cfg.base_engagement + cfg.pay_engagement * (wage / cfg.market_wage - 1.0)
            + cfg.training_engagement * training + cfg.empowerment_engagement * empowerment
            + cfg.recognition_engagement * recognition
            - cfg.workload_engagement * np.maximum(workload - 1.0, 0.0))


def turnover_probability(engagement: np.ndarray, cfg: StaffConfig) -> np.ndarray:
    """Chance per step that an employee leaves: falls with engagement."""
    return np.clip(cfg.base_turnover * np.exp(-cfg.turnover_engagement * (engagement - 0.5)), 0.0, 1.0)


def delivered_service(skill: np.ndarray, engagement: np.ndarray, workload: np.ndarray,
                      cfg: StaffConfig) -> tuple[np.ndarray, np.ndarray]:
    """Mean and spread of the service an employee delivers."""
    level = (skill * (cfg.service_base + cfg.service_engagement * engagement)
             - cfg.workload_service * np.maximum(workload - 1.0, 0.0))
    spread = cfg.service_spread * (1.0 - cfg.spread_engagement * engagement)
    return level.astype(np.float32), spread.astype(np.float32)


def update_staff(staff: StaffPopulation, target: np.ndarray, workload: np.ndarray,
                 u_leave: np.ndarray, cfg: StaffConfig) -> np.ndarray:
    """One step of staff life; returns the positions whose holder left and
    was replaced by a novice."""
    person_target = np.clip(target[staff.firm] + staff.trait, 0.0, 1.0)
    staff.engagement += cfg.engagement_adaptation * (person_target - staff.engagement)
    leave = staff.employed & (u_leave < turnover_probability(staff.engagement, cfg))
    staff.tenure += 1.0
    staff.skill[:] = skill_at(staff.tenure, cfg)
    leavers = np.flatnonzero(leave)
    if len(leavers):
        staff.hire(leavers, cfg, person_target[leavers] - 0.05)
    staff.service_level[:], staff.service_spread[:] = delivered_service(
        staff.skill, staff.engagement, workload[staff.firm], cfg)
    return leavers
