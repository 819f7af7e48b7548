"""Staff dynamics: engagement, turnover, skill and the service they deliver.

001: "only loyal employees create loyal customers"; employee ability outweighs
price, brand and convenience. 002: "customer loyalty = employee sincerity +
customer satisfaction". Engagement follows pay against the market, training,
empowerment, recognition and strain; low engagement raises turnover; a
leaver is replaced by a novice; service rises with skill and engagement,
falls smoothly with utilisation, and its spread narrows with engagement.
Staff are counted in full-time equivalents (:mod:`agents.staff`).
"""

from __future__ import annotations

import numpy as np

from agents.staff import StaffPopulation, skill_at
from sim.config import StaffConfig
from sim.units import StepLength


def strain(utilisation: np.ndarray, cfg: StaffConfig) -> np.ndarray:
    """Work pressure at a utilisation (visits served over visits the staff
    can serve): a smoothed hockey stick, near 0 well below the knee and
    rising by one per unit of utilisation well above it.

    Under work pressure staff cut corners and service erodes gradually,
    not at a threshold (Oliva & Sterman 2001). This is an erosion curve, not
    a queue: an M/M/c queue's waiting time (Kleinrock 1975; Erlang C) grows
    far more steeply toward utilisation 1 and has no steady state above it;
    strain here grows one for one above the knee.
    ``softness * log(1 + exp((u - knee) / softness))`` is that curve without
    a kink: at the default 80% utilisation strain is 0.013, at 100% 0.069,
    at 120% 0.21, so extra staff time helps a little and extra work hurts
    more and more.
    """
    w = cfg.utilisation_softness
    return w * np.logaddexp(0.0, (np.asarray(utilisation, dtype=np.float64) - cfg.utilisation_knee) / w)


def engagement_target(wage: np.ndarray, training: np.ndarray, empowerment: np.ndarray,
                      recognition: np.ndarray, utilisation: np.ndarray, cfg: StaffConfig) -> np.ndarray:
    """Engagement each firm's conditions lead to (one value per firm); wages
    are per full-time employee and year, as the market wage."""
    return (cfg.base_engagement + cfg.pay_engagement * (wage / cfg.market_wage_per_year - 1.0)
            + cfg.training_engagement * training + cfg.empowerment_engagement * empowerment
            + cfg.recognition_engagement * recognition
            - cfg.workload_engagement * strain(utilisation, cfg))


def turnover_probability(engagement: np.ndarray, cfg: StaffConfig, step: StepLength) -> np.ndarray:
    """Chance per step that an employee leaves: falls with engagement.

    ``turnover_per_year`` is the rate at engagement 0.5, the middle of the
    0-1 scale; the 0.5 defines what that key means (any other reference
    engagement is the same model with another rate), it is not a parameter."""
    rate = cfg.turnover_per_year * np.exp(-cfg.turnover_engagement * (engagement.astype(np.float64) - 0.5))
    return step.probability(rate)


def delivered_service(skill: np.ndarray, engagement: np.ndarray, utilisation: np.ndarray,
                      cfg: StaffConfig) -> tuple[np.ndarray, np.ndarray]:
    """Mean and spread of the service an employee delivers."""
    level = (skill * (cfg.service_base + cfg.service_engagement * engagement)
             - cfg.workload_service * strain(utilisation, cfg))
    spread = cfg.service_spread * (1.0 - cfg.spread_engagement * engagement)
    return level.astype(np.float32), spread.astype(np.float32)


def update_staff(staff: StaffPopulation, target: np.ndarray, utilisation: np.ndarray,
                 u_leave: np.ndarray, cfg: StaffConfig, step: StepLength) -> np.ndarray:
    """One step of staff life; returns the positions whose holder left and
    was replaced by a novice."""
    person_target = np.clip(target[staff.firm] + staff.trait, 0.0, 1.0)
    closing = 1.0 - step.kept(cfg.engagement_half_life_weeks)
    staff.engagement += closing * (person_target - staff.engagement)
    leave = staff.employed & (u_leave < turnover_probability(staff.engagement, cfg, step))
    staff.tenure += step.weeks
    staff.skill[:] = skill_at(staff.tenure, cfg)
    leavers = np.flatnonzero(leave)
    if len(leavers):
        staff.hire(leavers, cfg, person_target[leavers] - cfg.novice_engagement_gap)
    staff.service_level[:], staff.service_spread[:] = delivered_service(
        staff.skill, staff.engagement, utilisation[staff.firm], cfg)
    return leavers


def utilisation(visits: np.ndarray, fte: np.ndarray, cfg: StaffConfig, step: StepLength) -> np.ndarray:
    """Each firm's utilisation: the visits of the last step against what its
    full-time equivalents can serve in a step (0 for a firm without staff:
    nobody is strained, and nobody serves)."""
    capacity = np.asarray(fte, dtype=np.float64) * step.per_step(cfg.visits_per_fte_per_year)
    return np.divide(visits, capacity, out=np.zeros(len(capacity)), where=capacity > 0)
