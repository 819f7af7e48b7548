"""What loyalty is worth: how a loyal or advocate relationship differs from
any other in basket, cost to serve, price sensitivity and tolerance
(Reichheld & Sasser 1990, 'Zero defections: quality comes to services';
Reinartz & Kumar 2002, 'The mismanagement of customer loyalty', warn that
none of these is large, so the defaults are small).

The effects are kept as a table by loyalty state, so the compiled rules
and the per-agent reference read them by the relationship's state."""

from __future__ import annotations

import functools

import numpy as np

from sim.config import LoyaltyConfig
from agents.states import LoyaltyState as S, N_STATES

#: the rows of :func:`state_factors`
BASKET, SERVING_LOAD, PRICE_SENSITIVITY, TOLERANCE_WIDENING = range(4)
#: the states whose relationships are attached: loyal and advocate
ATTACHED = (S.LOYAL, S.ADVOCATE)


def state_factors(cfg: LoyaltyConfig) -> np.ndarray:
    """float32 ``[4, states]``: the basket's factor, the share of a visit's
    staff time and serving cost, the factor on price sensitivity in choice,
    and the widening of the zone of tolerance (in tolerance half-widths)
    of a relationship in each state (read-only)."""
    return _factors(cfg.loyal_basket_lift, cfg.loyal_cost_saving, cfg.loyal_price_insensitivity, cfg.loyal_tolerance)


@functools.lru_cache(maxsize=64)
def _factors(basket_lift: float, cost_saving: float, price_insensitivity: float, tolerance: float) -> np.ndarray:
    out = np.zeros((4, N_STATES), dtype=np.float32)
    out[BASKET] = out[SERVING_LOAD] = out[PRICE_SENSITIVITY] = 1.0
    for s in ATTACHED:
        out[BASKET, s] = 1.0 + basket_lift
        out[SERVING_LOAD, s] = 1.0 - cost_saving
        out[PRICE_SENSITIVITY, s] = 1.0 - price_insensitivity
        out[TOLERANCE_WIDENING, s] = tolerance
    out.flags.writeable = False
    return out
