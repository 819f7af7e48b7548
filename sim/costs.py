"""A firm's running costs, each tied to its driver.

Nothing is a lump sum per step: stores (``n_customers / customers_per_store``
of them, fractional), full-time equivalents of staff, people reached by
advertising and hires each carry a cost per year or per event, converted to
the step by :class:`sim.units.StepLength`. So a market of 1,000 people
carries a fifth of the costs of one of 5,000, and a month costs what four and
a third weeks cost.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from agents.staff import StaffPopulation
from sim.config import MarketConfig
from sim.units import StepLength

#: the categories :func:`driver_costs` books, in the ledger's order
DRIVER_COSTS = ("wages", "hiring", "advertising", "fixed")


def driver_costs(staff: StaffPopulation, leavers_fte: np.ndarray, present: np.ndarray,
                 by_firm: Callable[[str], np.ndarray], cfg: MarketConfig,
                 step: StepLength) -> dict[str, np.ndarray]:
    """The step's wages, hiring, advertising and fixed costs of each firm.

    Wages are paid per full-time equivalent employed (``wage_per_year``, pro
    rata); a replacement costs ``hiring_cost_per_fte`` per FTE hired;
    advertising keeps the whole market reached (``advertising_cost_per_1k_per_year``
    per 1,000 people); each store costs ``fixed_cost_per_store_per_year``.
    Firms not yet in the market pay no advertising or store costs.
    """
    employed = staff.employed
    wages = np.bincount(staff.firm[employed], staff.wage[employed] * staff.fte[employed],
                        minlength=len(present))
    people = cfg.n_customers
    on = present.astype(np.float64)
    stores = people / by_firm("customers_per_store")
    return {
        "wages": step.per_step(wages),
        "hiring": leavers_fte * cfg.staff.hiring_cost_per_fte,
        "advertising": on * step.per_step(by_firm("advertising_cost_per_1k_per_year") * people / 1000.0),
        "fixed": on * step.per_step(by_firm("fixed_cost_per_store_per_year") * stores),
    }
