"""Each relationship's place on the loyalty ladder, and the cohorts of
acquired relationships (Oliver 1999; Griffin & Lowenstein 2001)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.columns import flat
from sim.compiled import compiled
from sim import loyalty
from sim.loyalty import CHURNED, PROSPECT, Rules, is_customer_rule, latents_rule, next_state_rule
from sim.records import LATENTS, Latents

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import LoyaltyModel
    from sim.records import StepRecord


def states(market: "LoyaltyModel", step: "StepRecord") -> None:
    """The latents of every relationship (kept as the step's
    :class:`~sim.records.Latents`) and its next state, block by block of
    customers (:mod:`sim.blocks`); acquisitions, win-backs and losses are
    counted, and first acquisitions of reported steps start a cohort."""
    cust, p, ev, reported = market.customers, step.purchases, step.events, step.reported
    bought = np.zeros(cust.state.shape, dtype=bool)
    flat(bought)[p.cell] = True
    old = cust.state
    new = np.empty_like(old)
    lat = Latents(*(np.empty(old.shape, np.float32) for _ in LATENTS))
    r = loyalty.rules(market.config.loyalty)
    if reported:
        market.cohorts.make_room(market.steps + 1)
    cohorts = market.cohorts

    def rule(rows: slice) -> tuple:
        block = Latents(*(getattr(lat, name)[rows] for name in LATENTS))
        market.switching_and_beliefs(rows, block)
        return transitions(block.cognitive, cust.affect[rows], block.switching, cust.satisfaction[rows], r,
                           block.cognitive, block.intention, block.recommend, old[rows], bought[rows],
                           cust.purchases[rows], cust.rival_run[rows], cust.cohort[rows], market.steps, reported,
                           cohorts.lost.shape[1], new[rows])

    for counts, acquired, cohort_delta in market.blocks.map(rule, cust.n):
        ev.acquisitions += counts[0]
        ev.win_backs += counts[1]
        ev.lost += counts[2]
        if reported:
            cohorts.acquired[:, market.steps] += acquired
        cohorts.lost += cohort_delta
    cust.state = new
    step.latents = lat


@compiled
def transitions(term: np.ndarray, affect: np.ndarray, switching: np.ndarray, satisfaction: np.ndarray,
                r: Rules, cognition: np.ndarray, intent: np.ndarray, recommend: np.ndarray,
                old: np.ndarray, bought: np.ndarray, purchases: np.ndarray, rival_run: np.ndarray,
                cohort: np.ndarray, step: int, reported: bool, cohorts: int,
                new: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For a block of customers: the latents of each relationship that are
    its own (:func:`sim.loyalty.latents_rule`, from the ``term`` of cognitive
    loyalty's logistic, which may be ``cognition`` itself) and its next state
    (:func:`sim.loyalty.next_state_rule`, into ``new``), in one loop; then
    the acquisitions, win-backs and losses: the counts per firm
    (``[3, firms]``), the first acquisitions, which start this ``step``'s
    cohort if it is ``reported`` (``[firms]``), and the change of each
    cohort's losses (``[firms, cohorts]``: a loss counts against the
    relationship's cohort, a win-back undoes one; relationships acquired
    before the reported horizon have none). A lost relationship's purchases
    start again from 0. Writes only the block's own rows."""
    n, firms = old.shape
    term, affect, switching = term.reshape(-1), affect.reshape(-1), switching.reshape(-1)
    satisfaction, cognition = satisfaction.reshape(-1), cognition.reshape(-1)
    intent, recommend = intent.reshape(-1), recommend.reshape(-1)
    old, bought, purchases, rival_run, cohort, new = (old.reshape(-1), bought.reshape(-1), purchases.reshape(-1),
                                                      rival_run.reshape(-1), cohort.reshape(-1), new.reshape(-1))
    # the latents and the next state: no branches, so the loop vectorises
    for k in range(old.shape[0]):
        c, it, rc = latents_rule(term[k], affect[k], switching[k], satisfaction[k], r)
        cognition[k], intent[k], recommend[k] = c, it, rc
        new[k] = next_state_rule(old[k], old[k] != PROSPECT, bought[k], purchases[k], rival_run[k], affect[k],
                                 switching[k], satisfaction[k], it, rc, r)
    counts = np.zeros((3, firms), np.int64)
    first = np.zeros(firms, np.int64)
    delta = np.zeros((firms, cohorts), np.int64)
    for i in range(n):
        for j in range(firms):
            k = i * firms + j
            was, now = old[k], new[k]
            customer_was, customer_now = is_customer_rule(was), is_customer_rule(now)
            won = (was == CHURNED) & customer_now
            lost = customer_was & (now == CHURNED)
            acquired = (not customer_was) & (was != CHURNED) & customer_now
            if won | lost | acquired:   # rare: one branch, seldom taken
                if won:
                    counts[1, j] += 1
                    if cohort[k] >= 0:
                        delta[j, cohort[k]] -= 1
                elif lost:
                    counts[2, j] += 1
                    if cohort[k] >= 0:
                        delta[j, cohort[k]] += 1
                    purchases[k] = 0
                else:
                    counts[0, j] += 1
                    if reported and cohort[k] < 0:
                        cohort[k] = step
                        first[j] += 1
    return counts, first, delta
