"""Each relationship's place on the loyalty ladder, and the cohorts of
acquired relationships (Oliver 1999; Griffin & Lowenstein 2001)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim import loyalty
from sim.columns import flat
from sim.records import LATENTS, Latents
from sim.states import I8, LoyaltyState as S, is_customer

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import LoyaltyModel
    from sim.records import StepRecord


def states(market: "LoyaltyModel", step: "StepRecord") -> None:
    """The latents of every relationship (kept as the step's
    :class:`~sim.records.Latents`) and its next state, block by block of
    customers (:mod:`sim.blocks`); acquisitions, win-backs and losses are
    counted, and first acquisitions of reported steps start a cohort."""
    cust, lc, p, ev, reported = market.customers, market.config.loyalty, step.purchases, step.events, step.reported
    bought = np.zeros(cust.state.shape, dtype=bool)
    flat(bought)[p.cell] = True
    old = cust.state
    new = np.empty_like(old)
    lat = Latents(*(np.empty(old.shape, np.float32) for _ in LATENTS))
    if reported:
        market.cohorts.make_room(market.steps + 1)

    def rule(rows: slice) -> tuple:
        for key, value in market.latents(rows).items():
            getattr(lat, key)[rows] = value
        was = old[rows]
        new[rows] = loyalty.next_state(was, was != I8[S.PROSPECT], bought[rows],
                                       cust.purchases[rows], cust.rival_run[rows], cust.affect[rows],
                                       lat.switching[rows], cust.satisfaction[rows],
                                       lat.intention[rows], lat.recommend[rows], lc)
        return count_transitions(market, rows, was, new[rows], reported)

    cohorts = market.cohorts
    for counts, acquired, cohort_delta in market.blocks.map(rule, cust.n):
        ev.acquisitions += counts[0]
        ev.win_backs += counts[1]
        ev.lost += counts[2]
        if reported:
            cohorts.acquired[:, market.steps] += acquired
        cohorts.lost += cohort_delta
    cust.state = new
    step.latents = lat


def count_transitions(market: "LoyaltyModel", rows: slice, old: np.ndarray, new: np.ndarray,
                      reported: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Acquisitions, win-backs and losses of a block of customers: their
    counts per firm, first acquisitions in this step's cohort, and the
    change of each cohort's losses. Writes only the block's own rows."""
    cust, F = market.customers, market.n_firms
    was, now = is_customer(old), is_customer(new)
    # the relationships acquired, won back and lost, as cells of the block's flat [rows, firms] arrays
    acquired = np.flatnonzero(~was & now & (old != I8[S.CHURNED]))
    won = np.flatnonzero(now & (old == I8[S.CHURNED]))
    lost = np.flatnonzero(was & (new == I8[S.CHURNED]))
    counts = np.stack([np.bincount(cells % F, minlength=F) for cells in (acquired, won, lost)])
    first_acquired = np.zeros(F, dtype=np.int64)
    cohort = cust.cohort[rows]
    if reported:
        first = acquired[flat(cohort)[acquired] < 0]
        flat(cohort)[first] = market.steps
        first_acquired = np.bincount(first % F, minlength=F)
    delta = market.cohorts.delta(cohort, *np.divmod(lost, F)) - market.cohorts.delta(cohort, *np.divmod(won, F))
    flat(cust.purchases[rows])[lost] = 0
    return counts, first_acquired, delta
