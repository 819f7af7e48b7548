"""What a purchase feels like (MODEL.md §3).

Experience is the customer's weighted sum of four scores: price fairness,
product quality, service and belonging. A quality failure is a large negative
shock, and good service after it recovers only part (000: "good quality is the
hard truth"; the failing IC-card phone is not saved by 24-hour repair).
"""

from __future__ import annotations

import numpy as np

from sim.config import ExperienceConfig


def failure_probability(quality: np.ndarray | float, cfg: ExperienceConfig) -> np.ndarray:
    """Chance of a quality failure per purchase, falling steeply with quality (000)."""
    return cfg.failure_rate_at_zero_quality * (1.0 - np.asarray(quality)) ** cfg.failure_quality_exponent


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
    return np.clip(score, 0.0, 1.0)


def quality_score(quality: np.ndarray, failed: np.ndarray, noise: np.ndarray,
                  cfg: ExperienceConfig) -> np.ndarray:
    """Perceived product quality of one purchase; a failure is a large drop."""
    return quality + cfg.quality_noise * noise - cfg.failure_shock * failed


def service_score(service: np.ndarray, failed: np.ndarray, cfg: ExperienceConfig) -> np.ndarray:
    """Service as it counts in the experience: after a failure only a share of it does."""
    return np.where(failed, cfg.service_offset_after_failure * service, service)


def overall(weights: np.ndarray, fairness: np.ndarray, quality: np.ndarray,
            service: np.ndarray, belonging: np.ndarray) -> np.ndarray:
    """The customer's weighted experience (weights on price, quality, service, belonging)."""
    return (weights[..., 0] * fairness + weights[..., 1] * quality
            + weights[..., 2] * service + weights[..., 3] * belonging)
