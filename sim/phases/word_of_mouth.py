"""Word of mouth and awareness: stories travel over the network (TARP 1986;
Anderson 1998: the dissatisfied talk more)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.units import compounded
from sim.columns import flat
from sim.states import I8, LoyaltyState as S

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import LoyaltyModel
    from sim.records import StepRecord


def word_of_mouth_and_awareness(market: "LoyaltyModel", step: "StepRecord") -> None:
    """Stories travel over the network as sparse products; positive stories
    and advertising make prospects aware; stories move expectations.

    Each talker tells one story (positive or negative, about the firm
    bought from); the products of the talkers' rows of the symmetric
    network, transposed, with their positive and with their negative
    stories give what each customer heard (``[n, firms]`` each), so the
    work grows with the talkers' ties, not with the whole network.
    Listening is a row-wise rule, applied block by block.
    """
    cust, cfg, p = market.customers, market.config, step.purchases
    w, n, F = cfg.word_of_mouth, cust.n, market.n_firms
    b, c, outcome = p.buyers, p.firm, p.outcome
    u_talk, u_aware = step.draws.wom, step.draws.awareness
    soc = cust.sociability[b]
    negative = (outcome < 0) & ~p.resolved
    p_talk = np.where(outcome > 0, w.talk_delighted, np.where(negative, w.talk_disappointed, w.talk_satisfied))
    talks = u_talk[b] < compounded(p_talk * soc, cust.visits_per_purchase[b])
    talkers = np.flatnonzero(talks)
    told = np.zeros((2, len(talkers), F), dtype=np.float32)     # positive, negative stories
    told[negative[talkers].astype(np.intp), np.arange(len(talkers)), c[talkers]] = 1.0
    ties = market.network[b[talkers]].T
    heard_pos, heard_neg = ties @ told[0], ties @ told[1]
    reach = market.step_length.probability(market.by_firm("advertising_awareness_per_year", np.float64)).astype(np.float32)
    promise = market.by_firm("promise")
    present = market.present
    per_story = np.float32(np.log1p(-min(w.awareness_per_story, 1 - 1e-7)))

    def listen(rows: slice) -> None:
        pos, neg = heard_pos[rows], heard_neg[rows]
        state, expectation, affect = cust.state[rows], cust.expectation[rows], cust.affect[rows]
        # stories move the expectations and affect of those who know the firm
        knows = state != I8[S.PROSPECT]
        shift = w.expectation_shift * (w.positive_strength * pos - w.negative_strength * neg)
        np.clip(expectation + shift, 0, 1, out=expectation, where=knows)
        np.subtract(affect, w.affect_shift * w.negative_strength * neg, out=affect, where=knows)
        np.maximum(affect, 0, out=affect)
        # advertising and positive stories make prospects aware (cells of flat views)
        cell = np.flatnonzero(~knows)
        f = cell % F
        heard = flat(pos)[cell]
        p_aware = 1 - (1 - reach[f]) * np.exp(heard * per_story)
        becomes = (flat(u_aware[rows])[cell] < p_aware) & present[f]
        cell, f, heard = cell[becomes], f[becomes], heard[becomes]
        flat(expectation)[cell] = np.clip(promise[f] + w.referral_boost * heard, 0, 1)
        flat(state)[cell] = S.AWARE

    market.blocks.map(listen, n)
