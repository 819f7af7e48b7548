"""Staff: engagement, turnover and novices (Heskett et al. 1994; Reichheld 1996)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.records import StaffWork, required
from sim.staffing import staff_step, turnover_by_firm

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import LoyaltyModel
    from sim.records import StepRecord


def staff_phase(market: "LoyaltyModel", step: "StepRecord") -> None:
    """Last step's visits against what the staff's full-time equivalents
    can serve set the utilisation; engagement moves toward its target, some
    staff leave and novices take their places (leavers counted in FTE);
    customers bonded to leavers lose the bond."""
    cfg, staff, ev, F = market.config.staff, market.staff, step.events, market.n_firms
    wage = market.by_firm("wage_per_year", np.float64)
    np.take(wage, staff.firm, out=staff.wage)
    fte, workload, leavers = staff_step(
        staff,
        step.visits,
        wage,
        market.by_firm("training", np.float64),
        market.by_firm("empowerment", np.float64),
        market.by_firm("recognition", np.float64),
        required(step.draws, "step.draws").staff,
        cfg,
        market.step_length,
        market.by_firm("morale", np.float64),
        market.firm_rule(turnover_by_firm, "staff_turnover_factor", np.float64, float(cfg.turnover_per_year)),
    )
    ev.leavers = staff.hours_by_firm(leavers, F)
    ev.headcount = fte  # novices take the leavers' positions: the hours employed are as they were
    market.break_bonds(leavers)
    step.staff = StaffWork(workload, staff.roster())
