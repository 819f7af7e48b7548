"""Firm choice on a purchase occasion (MODEL.md §3, §4).

A multinomial logit over the firms a customer knows: expected experience,
affective loyalty and switching costs pull toward a firm; its price against
the customer's reference price pushes away; a discount pulls deal-prone
customers (000, 001: price wars attract profit-seeking customers). A
variety-seeking customer sometimes picks any known firm at random (002, 001:
not every customer can be made loyal).
"""

from __future__ import annotations

import numpy as np

from sim.columns import colwise
from sim.config import ChoiceConfig


def utility(expectation: np.ndarray, affect: np.ndarray, switching: np.ndarray,
            price: np.ndarray, reference_price: np.ndarray, price_sensitivity: np.ndarray,
            discount: np.ndarray, deal_proneness: np.ndarray, cfg: ChoiceConfig) -> np.ndarray:
    """Deterministic utility of each firm (``[n, firms]``) for each chooser;
    ``price`` and ``discount`` are per firm or per chooser and firm (personal offers)."""
    rel_price = colwise(np.divide, np.atleast_2d(price), reference_price[:, None]) - 1.0
    return (cfg.beta_expectation * expectation + cfg.beta_affect * affect
            + cfg.beta_switching * switching
            - colwise(np.multiply, price_sensitivity[:, None], rel_price)
            + colwise(np.multiply, cfg.beta_deal * deal_proneness[:, None], np.atleast_2d(discount)))


def choose(util: np.ndarray, available: np.ndarray, variety: np.ndarray,
           u_choice: np.ndarray, u_variety: np.ndarray, logit_scale: float) -> np.ndarray:
    """Index of the chosen firm for each chooser, -1 where no firm is known."""
    explore = np.flatnonzero(u_variety < variety)      # the few variety seekers on this occasion
    z = np.where(available, logit_scale * util, -np.inf).astype(np.float32, copy=False)
    z[explore] = np.where(available[explore], 0.0, -np.inf)
    z = z.T.copy()          # firms x choosers: the operations over the few firms run along long rows
    zmax = z.max(axis=0)
    none = ~np.isfinite(zmax)
    zmax[none] = 0.0
    cum = np.exp(z - zmax)
    for k in range(1, len(cum)):        # cumulative sum over firms (np.cumsum would loop over the short axis)
        cum[k] += cum[k - 1]
    target = u_choice * cum[-1]
    pick = (cum <= target).sum(axis=0)
    pick = np.minimum(pick, util.shape[1] - 1).astype(np.int64)
    pick[none] = -1
    return pick
