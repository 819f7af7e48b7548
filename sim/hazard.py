"""The relationship hazard: how a relationship ends (docs/model.md).

Each current relationship ends with a rate a year: the customer's churn
proneness (heterogeneous and kept, the mixing distribution of the
shifted-beta-geometric model: Fader & Hardie 2007, 'How to project customer
retention') times the effects of cumulative satisfaction (Jones & Sasser
1995, 'Why satisfied customers defect': flat through the zone of tolerance,
far lower for the completely satisfied, higher below the adequate level, so
retention is convex in satisfaction), an unrecovered incident
(TARP 1986), the discount the relationship began under (Lewis 2006,
'Customer acquisition promotions and customer asset value'), switching
costs and a bond to an employee (Gremler & Gwinner 2000), the best known
rival's attraction, tenure, and the relationship's
state (at risk, won back). With every effect switched off the rate is the
churn proneness alone: a beta-distributed chance a year per customer,
constant for each, which is the sBG story.

The engine applies the same rule row by row in compiled code
(:func:`sim.phases.lapse_churn._ending_chance`); :func:`annual_hazard` is
its array form, for the per-agent reference and the tests.
"""

from __future__ import annotations


import numpy as np

from sim.columns import rule_constants
from sim.config import ChurnConfig
from agents.states import LoyaltyState as S

#: the belief in a firm's value (cognitive loyalty, 0-1) at which a rival
#: neither pulls nor pushes: even odds that the firm is the best (a definition)
EVEN_BELIEF = 0.5


def hazard_coefficients(cfg: ChurnConfig) -> np.ndarray:
    """The hazard's coefficients as the compiled rule reads them (float64, read-only)."""
    return rule_constants(
        np.float64,
        cfg.satisfaction_hazard,
        cfg.satisfaction_reference,
        cfg.dissatisfied_hazard_ratio,
        cfg.incident_hazard,
        cfg.switching_hazard,
        cfg.bond_hazard_ratio,
        cfg.rival_hazard,
        cfg.tenure_hazard,
        cfg.at_risk_hazard_ratio,
        cfg.won_back_hazard_ratio,
        cfg.deal_acquired_hazard,
    )


def tenure_years(since: np.ndarray, t: int, steps_per_year: float) -> np.ndarray:
    """Each relationship's tenure in years at step ``t`` (burn-in included),
    from the step it began (``since``; -1, none begun: 0), as the hazard
    counts it."""
    return np.where(since >= 0, (t - since) / steps_per_year, 0.0)


def annual_hazard(
    proneness: np.ndarray,
    satisfaction: np.ndarray,
    switching: np.ndarray,
    cognition: np.ndarray,
    incident: np.ndarray,
    bonded: np.ndarray,
    tenure_years: np.ndarray,
    state: np.ndarray,
    cfg: ChurnConfig,
    acquisition_discount: np.ndarray | float = 0.0,
) -> np.ndarray:
    """Each relationship's rate a year of ending (arrays broadcast):
    ``proneness * exp(-satisfaction_hazard * max(satisfaction - reference, 0)
    - switching_hazard * switching + rival_hazard * (0.5 - cognition)
    + deal_acquired_hazard * acquisition_discount)``
    * (dissatisfied_hazard_ratio if satisfaction < 0)
    * (1 + incident_hazard * incident) * bond * (1 + tenure) ** -tenure_hazard
    * state ratio``."""
    satisfaction = np.asarray(satisfaction, dtype=np.float64)
    x = (
        -cfg.satisfaction_hazard * np.maximum(satisfaction - cfg.satisfaction_reference, 0.0)
        - cfg.switching_hazard * np.asarray(switching, dtype=np.float64)
        + cfg.rival_hazard * (EVEN_BELIEF - np.asarray(cognition, dtype=np.float64))
        + cfg.deal_acquired_hazard * np.asarray(acquisition_discount, dtype=np.float64)
    )
    h = np.asarray(proneness, dtype=np.float64) * np.exp(x) * (1.0 + cfg.incident_hazard * np.asarray(incident))
    h = h * np.where(bonded, cfg.bond_hazard_ratio, 1.0)
    h = h * np.where(satisfaction < 0, cfg.dissatisfied_hazard_ratio, 1.0)
    if cfg.tenure_hazard > 0:
        h = h * (1.0 + np.asarray(tenure_years, dtype=np.float64)) ** -cfg.tenure_hazard
    state = np.asarray(state)
    return h * np.where(
        state == S.AT_RISK, cfg.at_risk_hazard_ratio, np.where(state == S.WON_BACK, cfg.won_back_hazard_ratio, 1.0)
    )


def ending_chance(annual: np.ndarray, years: float) -> np.ndarray:
    """The chance a relationship with this rate a year ends within ``years``."""
    return -np.expm1(-np.asarray(annual, dtype=np.float64) * years)
