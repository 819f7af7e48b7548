"""What a firm's relationships are worth by tenure, Reinartz & Kumar's test
of whether loyalty pays (2002, 'The mismanagement of customer loyalty':
about half of long-tenure customers were barely profitable; 2000, 'On the
profitability of long-life customers in a noncontractual setting').

Each current relationship's annual revenue is the smoothed annual spend at
the firm (the ``revenue`` column); its annual gross margin is that revenue
less the cost of goods (the firm's unit cost per unit of list price) and the
serving cost of its visits (the repeat-purchase rate, visits a week, times
52, times the firm's cost per visit and the state's share of a visit's
staff time: :mod:`sim.loyalty_economics`). Staff, fixed and programme costs
are not allocated to customers. A relationship is *barely profitable* when
its margin is below ``loyalty.barely_profitable_share`` of the firm's mean
margin per current relationship.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.hazard import tenure_years
from sim.loyalty_economics import SERVING_LOAD, state_factors
from agents.states import is_customer
from sim.units import WEEKS_PER_YEAR

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import LoyaltyModel

#: the columns of :func:`value_by_tenure`
COLUMNS = (
    "firm",
    "tenure_band",
    "band_from_years",
    "relationships",
    "annual_revenue",
    "annual_margin",
    "median_margin",
    "barely_profitable",
)


def band_labels(width_years: float, bands: int) -> list[str]:
    """The tenure bands' names, e.g. ``["<1 y", "1-2 y", "2-3 y", "3+ y"]``."""
    edges = [width_years * k for k in range(bands)]
    out = [f"{a:g}-{a + width_years:g} y" for a in edges[:-1]] + [f"{edges[-1]:g}+ y"]
    out[0] = f"<{width_years:g} y" if bands > 1 else "all"
    return out


def value_by_tenure(model: "LoyaltyModel") -> pd.DataFrame:
    """Per firm and tenure band: current relationships, their mean annual
    revenue and gross margin, the median margin and the share barely
    profitable (columns :data:`COLUMNS`)."""
    cfg, cust = model.config, model.customers
    lc = cfg.loyalty
    current = is_customer(cust.state)
    tenure = tenure_years(cust.since, model.t, cfg.steps_per_year)
    band = np.minimum((tenure // lc.tenure_band_years).astype(np.int64), lc.tenure_bands - 1)
    cost_share = model.by_firm("unit_cost", np.float64) / model.by_firm("price", np.float64)
    visits_per_year = cust.behaviour.astype(np.float64) * WEEKS_PER_YEAR
    load = state_factors(lc)[SERVING_LOAD][cust.state].astype(np.float64)
    margin = (
        cust.revenue.astype(np.float64) * (1.0 - cost_share[None, :])
        - visits_per_year * load * model.by_firm("cost_per_visit", np.float64)[None, :]
    )
    labels = band_labels(lc.tenure_band_years, lc.tenure_bands)
    rows = []
    for f, firm in enumerate(model.firms):
        mine = current[:, f]
        mean_margin = margin[mine, f].mean() if mine.any() else 0.0
        for k, label in enumerate(labels):
            at = mine & (band[:, f] == k)
            m = margin[at, f]
            rows.append(
                (
                    firm.name,
                    label,
                    k * lc.tenure_band_years,
                    int(at.sum()),
                    float(cust.revenue[at, f].mean()) if len(m) else float("nan"),
                    float(m.mean()) if len(m) else float("nan"),
                    float(np.median(m)) if len(m) else float("nan"),
                    float((m < lc.barely_profitable_share * mean_margin).mean()) if len(m) else float("nan"),
                )
            )
    return pd.DataFrame(rows, columns=list(COLUMNS))
