"""What a purchase feels like.

Experience is the customer's weighted sum of four scores: price fairness,
product quality, service and belonging. A quality failure is a large negative
shock, and good service after it recovers only part (000: "good quality is the
hard truth"; the failing IC-card phone is not saved by 24-hour repair).

A purchase holds the step's visits of its buyer (one in a weekly market for
most customers, about two a month in a monthly one). Its experience is the
mean of its visits' experiences: the day-to-day spread of service and quality
averages over the visits (its standard deviation falls with the square root
of their number), each visit may fail, and a failed visit weighs one visit's
share of the mean. So a year of visits holds the same experiences, failures
included, whether it is cut in weeks or in months.
"""

from __future__ import annotations

import numpy as np

from sim.config import ExperienceConfig


def failure_probability(quality: np.ndarray | float, cfg: ExperienceConfig) -> np.ndarray:
    """Chance of a quality failure per visit, falling steeply with quality (000)."""
    return failure_probability_at(quality, cfg.failure_rate_at_zero_quality, cfg.failure_quality_exponent)


def failure_probability_at(quality: np.ndarray | float, rate_at_zero_quality: float, exponent: float) -> np.ndarray:
    """:func:`failure_probability` with the config's two values given."""
    return rate_at_zero_quality * (1.0 - np.asarray(quality)) ** exponent


def spread_over_visits(visits: np.ndarray | float) -> np.ndarray | float:
    """Standard deviation of the mean of ``visits`` visits' independent
    day-to-day spreads, in units of one visit's: ``1 / sqrt(visits)``."""
    return 1.0 / np.sqrt(visits)


def delivered_service(
    level: np.ndarray, spread: np.ndarray, noise: np.ndarray, visits: np.ndarray | float = 1.0
) -> np.ndarray:
    """Service a buyer meets over a purchase's visits: the server's level
    plus their day-to-day spread, averaged over the visits, on the 0-1 scale."""
    service: np.ndarray = np.clip(level + spread * noise * spread_over_visits(visits), 0.0, 1.0)
    return service


def price_fairness(price: np.ndarray, reference_price: np.ndarray, cfg: ExperienceConfig) -> np.ndarray:
    """0.5 at the reference price; a price above it hurts more than a cut pleases
    (reference-price loss aversion; a long discount lowers the reference: Kalyanaraman & Winer 1995).

    The 0.5 anchors the score: a price equal to the reference price is
    neither fair nor unfair, the middle of the 0-1 scale of the experience
    scores (clipped to it). Moving it would shift every experience against
    the firms' promises, which are set on the same scale, so it is kept as
    the scale's definition (the promises are the free levels), not a
    separate behavioural parameter."""
    rel = (price - reference_price) / reference_price
    score = 0.5 - np.where(rel > 0, cfg.fairness_loss_slope, cfg.fairness_gain_slope) * rel
    fairness: np.ndarray = np.clip(score, 0.0, 1.0)
    return fairness


def quality_score(
    quality: np.ndarray, failed: np.ndarray, noise: np.ndarray, cfg: ExperienceConfig, visits: np.ndarray | float = 1.0
) -> np.ndarray:
    """Perceived product quality over a purchase's visits; a failed visit is a
    large drop, one visit's share of the mean."""
    score: np.ndarray = (
        quality + cfg.quality_noise * noise * spread_over_visits(visits) - cfg.failure_shock * failed / visits
    )
    return score


def service_score(
    service: np.ndarray, failed: np.ndarray, cfg: ExperienceConfig, visits: np.ndarray | float = 1.0
) -> np.ndarray:
    """Service as it counts in the experience: on a failed visit only a share
    of it does, and that visit is one visit's share of the mean."""
    counted: np.ndarray = service - failed * ((1.0 - cfg.service_offset_after_failure) * service / visits)
    return counted


def failure_drop(weights: np.ndarray, service: np.ndarray, cfg: ExperienceConfig) -> np.ndarray:
    """How far a failed visit's experience lies below an ordinary visit's:
    the quality shock and the service that no longer counts
    (:func:`quality_score`, :func:`service_score` for one visit), weighted
    as in :func:`overall`."""
    drop: np.ndarray = weights[..., 1] * cfg.failure_shock + weights[..., 2] * (
        (1.0 - cfg.service_offset_after_failure) * service
    )
    return drop


def overall(
    weights: np.ndarray, fairness: np.ndarray, quality: np.ndarray, service: np.ndarray, belonging: np.ndarray
) -> np.ndarray:
    """The customer's weighted experience (weights on price, quality, service, belonging)."""
    experience: np.ndarray = (
        weights[..., 0] * fairness + weights[..., 1] * quality + weights[..., 2] * service + weights[..., 3] * belonging
    )
    return experience
