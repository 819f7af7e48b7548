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
from agents.compiled import compiled
from sim.config import MarketConfig
from sim.units import StepLength

#: the categories :func:`driver_costs` books, in the ledger's order
DRIVER_COSTS = ("wages", "hiring", "advertising", "fixed")


def driver_costs(
    staff: StaffPopulation,
    leavers_fte: np.ndarray,
    present: np.ndarray,
    by_firm: Callable[[str], np.ndarray],
    cfg: MarketConfig,
    step: StepLength,
) -> dict[str, np.ndarray]:
    """The step's wages, hiring, advertising and fixed costs of each firm.

    Wages are paid per full-time equivalent employed (``wage_per_year``, pro
    rata); a replacement costs ``hiring_cost_per_fte`` per FTE hired;
    advertising keeps the whole market reached (``advertising_cost_per_1k_per_year``
    per 1,000 people); each store costs ``fixed_cost_per_store_per_year``.
    Firms not yet in the market pay no advertising or store costs.
    """
    F = len(present)
    out = np.empty((len(DRIVER_COSTS), F))
    _driver_costs(
        staff.firm,
        staff.wage,
        staff.fte,
        staff.employed,
        np.asarray(leavers_fte, dtype=np.float64),
        np.asarray(present, dtype=np.float64),
        by_firm("customers_per_store"),
        by_firm("advertising_cost_per_1k_per_year"),
        by_firm("fixed_cost_per_store_per_year"),
        float(cfg.n_customers),
        float(step.dt),
        float(cfg.staff.hiring_cost_per_fte),
        out,
    )
    return dict(zip(DRIVER_COSTS, out))


@compiled
def _driver_costs(
    firm: np.ndarray,
    wage: np.ndarray,
    fte: np.ndarray,
    employed: np.ndarray,
    leavers_fte: np.ndarray,
    on: np.ndarray,
    customers_per_store: np.ndarray,
    advertising: np.ndarray,
    fixed_cost: np.ndarray,
    people: float,
    dt: float,
    hiring_cost: float,
    out: np.ndarray,
) -> None:
    """:func:`driver_costs` into the rows of ``out`` (wages, hiring,
    advertising, fixed), with numpy's operations in its order: the wage
    bill summed over the employed positions in position order, each amount
    per year times the step's share of a year ``dt``."""
    F = out.shape[1]
    bill = np.zeros(F)
    for p in range(len(firm)):
        if employed[p]:
            bill[firm[p]] += wage[p] * fte[p]
    for f in range(F):
        out[0, f] = bill[f] * dt
        out[1, f] = leavers_fte[f] * hiring_cost
        out[2, f] = on[f] * (advertising[f] * people / 1000.0 * dt)
        out[3, f] = on[f] * (fixed_cost[f] * (people / customers_per_store[f]) * dt)
