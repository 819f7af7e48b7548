"""Staff: engagement, turnover and novices (Heskett et al. 1994; Reichheld 1996)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.records import StaffWork
from sim.staffing import update_staff

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import LoyaltyModel
    from sim.records import StepRecord


def staff_phase(market: "LoyaltyModel", step: "StepRecord") -> None:
    """Last step's visits per unit of staff capacity set the workload;
    engagement moves toward its target, some staff leave and novices take
    their places; customers bonded to leavers lose the bond."""
    cfg, staff, ev = market.config.staff, market.staff, step.events
    heads = np.maximum(staff.headcount(market.n_firms), 1)
    workload = step.visits / (heads * cfg.capacity_per_staff)
    staff.wage[:] = market.by_firm("wage", np.float64)[staff.firm]
    leavers = update_staff(staff, market.engagement_target(workload), workload, step.draws.staff, cfg)
    ev.leavers = np.bincount(staff.firm[leavers], minlength=market.n_firms)
    ev.headcount = staff.headcount(market.n_firms)
    market.break_bonds(leavers)
    step.staff = StaffWork(workload, staff.roster())
