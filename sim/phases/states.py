"""Each relationship's place on the loyalty ladder, and the cohorts of
acquired relationships (Oliver 1999; Griffin & Lowenstein 2001)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim import loyalty
from sim.columns import flat
from sim.records import LATENTS, Latents, required
from agents.states import Channel

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import LoyaltyModel
    from sim.records import StepRecord


def states(market: "LoyaltyModel", step: "StepRecord") -> None:
    """The latents of every relationship (kept as the step's
    :class:`~sim.records.Latents`) and its next state, block by block of
    customers (:mod:`sim.blocks`); acquisitions, win-backs and losses are
    counted (acquisitions by channel too), and first acquisitions of reported steps start a cohort."""
    cust, p, ev, reported = market.customers, required(step.purchases, "step.purchases"), step.events, step.reported
    bought = np.zeros(cust.state.shape, dtype=bool)
    flat(bought)[required(p.cell, "purchases.cell")] = True
    old = cust.state
    new = np.empty_like(old)
    lat = Latents(*np.empty((len(LATENTS), *old.shape), np.float32))  # a new table every step
    rules = loyalty.rules(market.config.loyalty)
    if reported:
        market.cohorts.make_room(market.steps + 1)
    cohorts = market.cohorts

    def rule(rows: slice) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        block = lat if rows.stop - rows.start == len(old) else Latents(*(getattr(lat, name)[rows] for name in LATENTS))
        market.switching_and_beliefs(rows, block)
        return loyalty.transitions(
            cust.affect[rows],
            block.switching,
            cust.satisfaction[rows],
            rules,
            block.cognitive,
            block.intention,
            block.recommend,
            old[rows],
            bought[rows],
            cust.purchases[rows],
            cust.rival_run[rows],
            cust.cohort[rows],
            cust.since[rows],
            market.t,
            market.steps,
            reported,
            cohorts.lost.shape[1],
            new[rows],
            cust.channel[rows],
        )

    for counts, acquired, cohort_delta in market.blocks.map(rule, cust.n):
        ev.acquisitions += counts[0]
        ev.win_backs += counts[1]
        ev.lost += counts[2]
        ev.acquisitions_prior += counts[3 + Channel.PRIOR]
        ev.acquisitions_advertising += counts[3 + Channel.ADVERTISING]
        ev.acquisitions_referral += counts[3 + Channel.REFERRAL]
        if reported:
            cohorts.acquired[:, market.steps] += acquired
        cohorts.lost += cohort_delta
    cust.state = new
    step.latents = lat
