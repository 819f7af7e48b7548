"""Complaints and service recovery (TARP 1986; Hart, Heskett & Sasser 1990)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.units import compounded

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import LoyaltyModel
    from sim.records import StepRecord


def complaints_and_recovery(market: "LoyaltyModel", step: "StepRecord") -> None:
    """About 10% of the disappointed complain; empowered staff resolve more
    complaints, and a resolution softens the disappointment, more when quick;
    an unresolved complaint makes it worse."""
    cfg, cust, p, ev = market.config.complaints, market.customers, step.purchases, step.events
    b, c, outcome, felt = p.buyers, p.firm, p.outcome, p.felt
    u = step.draws.complaint
    empower = market.by_firm("empowerment")
    voice = compounded(np.minimum(cust.voice[b] * market.by_firm("voice_ease")[c], 1), cust.visits_per_purchase[b])
    complain = (outcome < 0) & (u[0, b] < voice)
    p_resolve = np.minimum(cfg.recovery_rate + cfg.empowerment_recovery * empower
                           + market.by_firm("recovery_bonus"), 1.0)
    resolved = complain & (u[1, b] < p_resolve[c])
    quick_share = np.minimum(cfg.quick_share + market.by_firm("quick_bonus"), 1.0)
    quick = resolved & (u[2, b] < quick_share[c])
    p.felt = np.where(quick, felt * (1 - cfg.quick_offset),
                      np.where(resolved, felt * (1 - cfg.slow_offset),
                               np.where(complain, felt - cfg.unresolved_penalty, felt))
                      ).astype(np.float32)
    p.complained, p.resolved, p.quick = complain, resolved, quick
    F = market.n_firms
    ev.complaints = np.bincount(c, complain, minlength=F)
    ev.recoveries = np.bincount(c, resolved, minlength=F)
    ev.delighted = np.bincount(c, outcome > 0, minlength=F)
    ev.disappointed = np.bincount(c, outcome < 0, minlength=F)
    market.ledger.book(slice(None), "complaint_costs", ev.complaints * cfg.cost_per_complaint)
