"""Word of mouth and awareness: stories travel over the network (TARP 1986;
Anderson 1998: the dissatisfied talk more)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from agents.network import ties_of
from sim.columns import flat
from sim.states import I8, LoyaltyState as S

if TYPE_CHECKING:  # pragma: no cover
    import scipy.sparse as sp
    from sim.model import LoyaltyModel
    from sim.records import StepRecord


def word_of_mouth_and_awareness(market: "LoyaltyModel", step: "StepRecord") -> None:
    """Stories travel over the network's ties; positive stories
    and advertising make prospects aware; stories move expectations.

    Each talker tells one story (positive or negative, about the firm
    bought from) to each friend; what each customer heard is counted over
    the talkers' ties (:func:`stories_heard`), so the work grows with the
    talkers' ties, not with the whole network.
    Listening is a row-wise rule, applied block by block.
    """
    cust, cfg, p = market.customers, market.config, step.purchases
    w, n, F = cfg.word_of_mouth, cust.n, market.n_firms
    b, c, outcome = p.buyers, p.firm, p.outcome
    u_talk, u_aware = step.draws.wom, step.draws.awareness
    soc = cust.sociability[b]
    negative = (outcome < 0) & ~p.resolved
    p_talk = np.where(outcome > 0, w.talk_delighted, np.where(negative, w.talk_disappointed, w.talk_satisfied))
    # the stories a buyer tells over the purchase's visits: at most one a step
    # to each friend, told with chance min(s, 1) and counted max(s, 1) times,
    # so a long step's talkers tell as many stories as its visits would
    stories = p_talk * soc * cust.visits_per_purchase[b]
    talks = u_talk[b] < np.minimum(stories, 1.0)
    talkers = np.flatnonzero(talks)
    p.talked = talks
    heard_pos, heard_neg = stories_heard(market.network, b[talkers], negative[talkers], c[talkers], F,
                                         np.maximum(stories[talkers], 1.0))
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


def stories_heard(network: "sp.csr_matrix", tellers: np.ndarray, negative: np.ndarray, firm: np.ndarray,
                  n_firms: int, told: np.ndarray | None = None) -> np.ndarray:
    """How many positive and how many negative stories about each firm each
    customer heard (``[2, n, firms]`` float32: positive, negative), when
    each of ``tellers`` tells their friends one story about ``firm`` (or
    ``told`` stories each), negative where ``negative`` holds.

    This is the product of the tellers' rows of the symmetric 0/1 network,
    transposed, with their stories as one-hot columns, computed as counts
    over the tellers' ties (:func:`agents.network.ties_of`): exact, so equal
    to the product however it is summed."""
    n = network.shape[0]
    friend, teller = ties_of(network, tellers)
    kind = negative.astype(np.intp)[teller]
    cell = (kind * n + friend) * n_firms + firm[teller]
    weights = None if told is None or (told == 1.0).all() else told[teller]
    return np.bincount(cell, weights, minlength=2 * n * n_firms).astype(np.float32).reshape(2, n, n_firms)
