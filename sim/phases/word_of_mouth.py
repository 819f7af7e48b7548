"""Word of mouth and awareness: stories travel over the network (TARP 1986;
Anderson 1998: the dissatisfied talk more)."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from sim.audience import audience_key, audience_size, fill_audience, log_unmoved_by_story
from sim.columns import flat
from sim.records import required
from agents.compiled import Real, compiled
from agents.states import Channel, LoyaltyState as S
from sim.units import StepLength

if TYPE_CHECKING:  # pragma: no cover
    import scipy.sparse as sp
    from sim.model import LoyaltyModel
    from sim.records import StepRecord


def word_of_mouth_and_awareness(market: "LoyaltyModel", step: "StepRecord") -> None:
    """Stories travel over the network's ties; positive stories
    and advertising make prospects aware; stories move expectations. A
    firm a customer left comes back into their consideration set by
    advertising or by a slow reconsideration of its own (:func:`_reconsider`),
    or by a friend's positive story about it; with limited consideration
    so does a firm the customer came to know but has not yet weighed up, at
    its own slow rate (``customers.consideration_per_year``). Advocates
    tell more stories.

    Each talker tells one story (positive or negative, about the firm
    bought from) to each friend; the stories are gathered by who hears them
    (:func:`stories_heard`), so the work grows with the talkers' ties, not
    with the whole network, and each block of listeners sums its own.
    Listening is a row-wise rule, applied block by block (:func:`_listen`).
    """
    cust, cfg, p = market.customers, market.config, required(step.purchases, "step.purchases")
    draws = required(step.draws, "step.draws")
    w, n, F = cfg.word_of_mouth, cust.n, market.n_firms
    network = market.network
    # the stories a buyer tells over the purchase's visits: at most one a visit round
    # to each friend, told with chance min(s, 1) and counted max(s, 1) times,
    # so a long step's talkers tell as many stories as its visits would
    shift = chunk_shift(F)
    p.talked, p.audience, *gathered = _talk(
        p.buyers,
        p.firm,
        required(p.outcome, "purchases.outcome"),
        required(p.resolved, "purchases.resolved"),
        cust.sociability,
        cust.visits_per_purchase,
        cust.state,
        draws.wom,
        float(w.talk_delighted),
        float(w.talk_satisfied),
        float(w.talk_disappointed),
        float(w.advocate_talk_ratio),
        draws.audience,
        draws.strangers,
        float(w.audience_delighted),
        float(w.audience_satisfied),
        float(w.audience_disappointed),
        float(w.audience_dispersion),
        float(w.stranger_weight),
        network.indptr,
        network.indices,
        n,
        F,
        shift,
    )
    heard = HeardStories(shift, *gathered)
    reach = market.firm_rule(advertising_reach, "advertising_awareness_per_year", np.float64, market.step_length)
    promise = market.by_firm("promise")
    present = market.present
    per_story, fit = float(w.awareness_per_story), float(w.referral_fit)
    state, expectation, affect = flat(cust.state), flat(cust.expectation), flat(cust.affect)
    channel, taste = flat(cust.channel), flat(cust.taste)
    u_aware = flat(draws.awareness)
    shifts = (
        float(w.expectation_shift),
        float(w.positive_strength),
        float(w.negative_strength),
        float(w.affect_shift * w.negative_strength),
    )
    boost = float(w.referral_boost)

    back = market.firm_rule(
        reconsideration_chance,
        "advertising_awareness_per_year",
        np.float64,
        market.step_length,
        cfg.churn.reconsideration_per_year,
        cfg.churn.advertising_reconsideration,
    )
    limited = bool(cfg.choice.limited_consideration)
    consider = (
        market.firm_rule(
            reconsideration_chance,
            "advertising_awareness_per_year",
            np.float64,
            market.step_length,
            cfg.customers.consideration_per_year,
            cfg.churn.advertising_reconsideration,
        )
        if limited
        else np.zeros(F, np.float32)
    )
    reconsidered = flat(cust.reconsidered)
    per_story_back = float(np.log1p(-min(w.reconsideration_per_story, 1 - 1e-7)))

    def listen(rows: slice) -> None:
        _reconsider(rows.start * F, rows.stop * F, state, reconsidered, u_aware, back, consider, F)
        cell, positive = _listen(
            rows.start,
            rows.stop,
            F,
            heard.chunk_shift,
            heard.chunk_end,
            heard.slot,
            heard.told,
            state,
            expectation,
            affect,
            u_aware,
            reach,
            present,
            promise,
            *shifts,
            boost,
            reconsidered,
            back,
            consider,
            limited,
            per_story_back,
            channel,
        )
        if len(cell):
            # prospects who heard positive stories: the chance they stay unaware
            # is numpy's float32 exp (the compiled exp rounds differently)
            unmoved = np.exp(positive * log_unmoved_by_story(per_story, fit, taste[cell]).astype(np.float32))
            _hear_of(cell, positive, unmoved, F, state, expectation, u_aware, reach, present, promise, boost, channel)

    market.blocks.map(listen, n)


def advertising_reach(per_year: np.ndarray, unit: StepLength) -> np.ndarray:
    """Each firm's chance per step that its advertising makes a prospect
    aware, from its rate a year (float32)."""
    return unit.probability(per_year).astype(np.float32)


def reconsideration_chance(
    advertising_per_year: np.ndarray, unit: StepLength, reconsideration_per_year: float, advertising_share: float
) -> np.ndarray:
    """Each firm's chance per step of coming (back) into the consideration
    set of a customer who left it, or who knows it without having weighed
    it up: a share of its advertising's rate and the customer's own slow
    (re)consideration, two rates a year that add (float32)."""
    return unit.probability(advertising_share * advertising_per_year + reconsideration_per_year).astype(np.float32)


@compiled
def _reconsider(
    start: int,
    stop: int,
    state: np.ndarray,
    reconsidered: np.ndarray,
    u_aware: np.ndarray,
    back: np.ndarray,
    consider: np.ndarray,
    n_firms: int,
) -> None:
    """The churned relationships of cells ``start..stop`` (flat) whose
    awareness draw is below their firm's chance ``back`` return to the
    consideration set, and the aware ones not yet in it enter it below
    ``consider`` (a prospect's awareness reads the same draw; a cell is one
    or the other)."""
    churned, aware = np.int8(S.CHURNED), np.int8(S.AWARE)
    for c in range(start, stop):
        s = state[c]
        if (s == churned or s == aware) and not reconsidered[c]:
            if u_aware[c] < (back[c % n_firms] if s == churned else consider[c % n_firms]):
                reconsidered[c] = True


class HeardStories(NamedTuple):
    """The stories told, gathered by who heard them: the listeners are cut
    into chunks of ``2 ** chunk_shift`` customers, and chunk ``c``'s stories
    are ``chunk_end[c - 1]:chunk_end[c]`` (from 0 for the first), in telling
    order. Each story lands in the slot ``(listener * firms + firm) * 2 +
    negative`` and counts for ``told`` stories (float64)."""

    chunk_shift: int
    chunk_end: np.ndarray  #: int64, one per chunk of listeners
    slot: np.ndarray  #: int64
    told: np.ndarray  #: float64

    def counts(self, n: int, n_firms: int) -> np.ndarray:
        """How many positive and how many negative stories about each firm
        each customer heard: ``[2, n, firms]`` float32 (positive, negative),
        each slot's stories summed in telling order in float64."""
        sums = np.bincount(self.slot, self.told, minlength=2 * n * n_firms).astype(np.float32)
        return np.ascontiguousarray(sums.reshape(n, n_firms, 2).transpose(2, 0, 1))


def chunk_shift(n_firms: int) -> int:
    """Listeners are gathered in chunks of ``2 ** chunk_shift(firms)``
    customers, whose sums (two float64 per firm) fit a core's cache: the
    stories land at random places across the network, so summing them chunk
    by chunk replaces a scatter over the whole market by one within the cache."""
    return max(6, 15 - int(n_firms - 1).bit_length())


def stories_heard(
    network: "sp.csr_matrix",
    tellers: np.ndarray,
    negative: np.ndarray,
    firm: np.ndarray,
    n_firms: int,
    told: np.ndarray | None = None,
) -> HeardStories:
    """The stories each customer heard (:class:`HeardStories`; summed per
    customer and firm by :meth:`HeardStories.counts`), when each of
    ``tellers`` tells all their ties one story about ``firm`` (or ``told``
    stories each), negative where ``negative`` holds.

    The counts are the product of the tellers' rows of the symmetric 0/1
    network, transposed, with their stories as one-hot columns, computed
    over the tellers' ties only (the work grows with them, not with the
    network), each customer's stories summed in telling order. (The phase
    tells audiences of drawn sizes, ties first: :func:`_gathered`.)"""
    tellers = np.ascontiguousarray(tellers, dtype=np.int64)
    weight = np.ones(len(tellers)) if told is None else np.ascontiguousarray(told, dtype=np.float64)
    size = np.diff(network.indptr)[tellers].astype(np.int64)
    shift = chunk_shift(n_firms)
    return HeardStories(
        shift,
        *_gathered(
            network.indptr,
            network.indices,
            tellers,
            np.ascontiguousarray(negative, dtype=np.bool_),
            np.ascontiguousarray(firm, dtype=np.int64),
            weight,
            size,
            np.zeros(len(tellers), np.uint64),
            network.shape[0],
            n_firms,
            shift,
        ),
    )


@compiled
def _talk(
    buyers: np.ndarray,
    firm: np.ndarray,
    outcome: np.ndarray,
    resolved: np.ndarray,
    sociability: np.ndarray,
    visits: np.ndarray,
    state: np.ndarray,
    u_talk: np.ndarray,
    talk_delighted: Real,
    talk_satisfied: Real,
    talk_disappointed: Real,
    advocate_ratio: Real,
    u_audience: np.ndarray,
    u_strangers: np.ndarray,
    audience_delighted: Real,
    audience_satisfied: Real,
    audience_disappointed: Real,
    dispersion: Real,
    stranger_weight: Real,
    indptr: np.ndarray,
    indices: np.ndarray,
    n: int,
    n_firms: int,
    shift: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Who talks (:func:`_talkers`), how many people each buyer told, and
    the stories those people heard (:func:`_gathered`), in one call."""
    talked, audience, tellers, negative, told_firm, told, size, key = _talkers(
        buyers,
        firm,
        outcome,
        resolved,
        sociability,
        visits,
        state,
        u_talk,
        talk_delighted,
        talk_satisfied,
        talk_disappointed,
        advocate_ratio,
        u_audience,
        u_strangers,
        audience_delighted,
        audience_satisfied,
        audience_disappointed,
        dispersion,
        n,
    )
    chunk_end, slot, told_by_story = _gathered(
        indptr, indices, tellers, negative, told_firm, told, size, key, n, n_firms, shift, stranger_weight
    )
    return talked, audience, chunk_end, slot, told_by_story


@compiled
def _talkers(
    buyers: np.ndarray,
    firm: np.ndarray,
    outcome: np.ndarray,
    resolved: np.ndarray,
    sociability: np.ndarray,
    visits: np.ndarray,
    state: np.ndarray,
    u_talk: np.ndarray,
    talk_delighted: Real,
    talk_satisfied: Real,
    talk_disappointed: Real,
    advocate_ratio: Real,
    u_audience: np.ndarray,
    u_strangers: np.ndarray,
    audience_delighted: Real,
    audience_satisfied: Real,
    audience_disappointed: Real,
    dispersion: Real,
    n: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Which buyers talk (``talked``, one per buyer), how many people each
    told (``audience``, 0 for the silent) and, for the talkers in buyer
    order, who they are, whether their story is negative (disappointed and
    not recovered), its firm, how many stories it counts for, how many
    people hear it and the key that picks them (:mod:`sim.audience`).

    A buyer tells ``s = p_talk * sociability * visits`` stories, times
    ``advocate_ratio`` for an advocate of the firm whose story is not
    negative (``state``: ``[n, firms]``, after this round's states: a buyer
    this purchase made an advocate already talks as one), talks with chance
    ``min(s, 1)`` and counts ``max(s, 1)`` (float64, as numpy promotes the
    float32 traits against the float64 chances). A talker tells
    :func:`~sim.audience.audience_size` people, of mean ``audience_<outcome>
    * sociability`` (the story's own outcome: a complaint put right tells
    as a satisfied purchase), at most everyone else."""
    advocate = np.int8(S.ADVOCATE)
    m = len(buyers)
    talked = np.empty(m, np.bool_)
    audience = np.zeros(m, np.int64)
    tellers = np.empty(m, np.int64)
    negative = np.empty(m, np.bool_)
    told_firm = np.empty(m, np.int64)
    told = np.empty(m, np.float64)
    size = np.empty(m, np.int64)
    key = np.empty(m, np.uint64)
    k = 0
    for j in range(m):
        i = buyers[j]
        bad = outcome[j] < 0 and not resolved[j]
        p_talk = talk_delighted if outcome[j] > 0 else (talk_disappointed if bad else talk_satisfied)
        people = audience_delighted if outcome[j] > 0 else (audience_disappointed if bad else audience_satisfied)
        stories = p_talk * sociability[i] * visits[i]
        if state[i, firm[j]] == advocate and not bad:
            stories *= advocate_ratio
        chance = 1.0 if stories > 1.0 else stories
        talked[j] = u_talk[i] < chance
        if talked[j]:
            tellers[k] = i
            negative[k] = bad
            told_firm[k] = firm[j]
            told[k] = 1.0 if stories < 1.0 else stories
            size[k] = audience_size(u_audience[i], people * sociability[i], dispersion, n - 1)
            key[k] = audience_key(u_strangers[0, i], u_strangers[1, i])
            audience[j] = size[k]
            k += 1
    return talked, audience, tellers[:k], negative[:k], told_firm[:k], told[:k], size[:k], key[:k]


@compiled
def _gathered(
    indptr: np.ndarray,
    indices: np.ndarray,
    tellers: np.ndarray,
    negative: np.ndarray,
    firm: np.ndarray,
    told: np.ndarray,
    size: np.ndarray,
    key: np.ndarray,
    n: int,
    n_firms: int,
    shift: int,
    stranger_weight: Real = 1.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The stories heard: each teller's ``size`` listeners
    (:func:`~sim.audience.fill_audience`: their ties first, then people
    outside them, whose story weighs ``stranger_weight``), sorted by the chunk of the listener (a counting sort,
    stable, so each chunk's stories stay in telling order)."""
    n_heard = 0
    for t in range(len(tellers)):
        n_heard += size[t]
    listener = np.empty(n_heard, np.int64)
    k = 0
    for t in range(len(tellers)):
        i = tellers[t]
        fill_audience(i, key[t], indices[indptr[i] : indptr[i + 1]], n, listener[k : k + size[t]])
        k += size[t]
    chunk_end = np.zeros((n >> shift) + 1, np.int64)
    for k in range(n_heard):
        chunk_end[listener[k] >> shift] += 1
    start = 0
    for c in range(len(chunk_end)):  # each chunk's first story
        start, chunk_end[c] = start + chunk_end[c], start
    slot = np.empty(n_heard, np.int64)
    told_by_story = np.empty(n_heard, np.float64)
    k = 0
    for t in range(len(tellers)):
        story = firm[t] * 2 + (1 if negative[t] else 0)
        ties = indptr[tellers[t] + 1] - indptr[tellers[t]]
        for d in range(size[t]):
            j = listener[k]
            c = j >> shift
            slot[chunk_end[c]] = j * n_firms * 2 + story
            told_by_story[chunk_end[c]] = told[t] if d < ties else told[t] * stranger_weight
            chunk_end[c] += 1  # ends as the chunk's end
            k += 1
    return chunk_end, slot, told_by_story


@compiled
def _listen(
    start: int,
    stop: int,
    n_firms: int,
    shift: int,
    chunk_end: np.ndarray,
    slot: np.ndarray,
    told: np.ndarray,
    state: np.ndarray,
    expectation: np.ndarray,
    affect: np.ndarray,
    u_aware: np.ndarray,
    reach: np.ndarray,
    present: np.ndarray,
    promise: np.ndarray,
    expectation_shift: Real,
    positive_strength: Real,
    negative_strength: Real,
    affect_per_negative: Real,
    referral_boost: Real,
    reconsidered: np.ndarray,
    back: np.ndarray,
    consider: np.ndarray,
    limited: bool,
    log_unmoved_back: Real,
    channel: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Listening, for the customers ``start:stop`` (flat ``[n * firms]``
    views of the relationship columns; float32 throughout, as numpy
    computes with these float32 arrays and the constants as float32).

    Stories move the expectation (clipped to 0-1) and lower the affect
    (not below 0) of those who know the firm; a prospect becomes aware
    with the advertising's reach when the firm is present, expecting its
    promise. Prospects who heard positive stories are returned (cells and
    stories, for :func:`_hear_of`), not decided here. A firm the customer
    left comes back into their consideration set when the awareness draw
    is below ``1 - (1 - back) * unmoved ** positive`` (``back``: the
    reconsideration chance of :func:`_reconsider`, which read the same draw;
    with ``limited`` consideration, a firm they know without considering
    it the same with ``consider``;
    ``log_unmoved_back``: the log of the chance one story leaves it out;
    float64, as the reference computes it). A prospect made aware by the
    advertising is marked so in ``channel``.

    Chunk by chunk of listeners: the stories heard are summed (float64, in
    telling order, then float32) and the cells that heard any are noted;
    the others listen to nothing (:func:`_unheard`, a loop the compiler
    vectorises), then the noted cells listen to their stories."""
    zero, one = np.float32(0.0), np.float32(1.0)
    prospect, churned, aware = np.int8(S.PROSPECT), np.int8(S.CHURNED), np.int8(S.AWARE)
    e_shift, pos_strength = np.float32(expectation_shift), np.float32(positive_strength)
    neg_strength, neg_affect = np.float32(negative_strength), np.float32(affect_per_negative)
    boost = np.float32(referral_boost)
    # what nothing heard does: a shift and a loss of affect of (signed) zero,
    # the advertising's reach alone (exp(0) = 1), the promise without referral
    tile = _TILE_ROWS * n_firms
    reached = np.empty(tile, np.float32)
    promised = np.empty(tile, np.float32)
    open_ = np.empty(tile, np.bool_)
    for k in range(tile):
        f = k % n_firms
        reached[k] = one - (one - reach[f]) * one
        e = promise[f] + boost * zero
        promised[k] = zero if e < zero else (one if e > one else e)
        open_[k] = present[f]
    no_shift = e_shift * (pos_strength * zero - neg_strength * zero)
    no_loss = neg_affect * zero
    rows = min(1 << shift, stop - start)
    sums = np.zeros(2 * n_firms * rows)  # a chunk's, positive and negative
    heard = np.zeros(n_firms * rows, np.bool_)  # a chunk's cells that heard stories
    first, last = start >> shift, (stop - 1) >> shift if stop > start else -1
    n_stories = chunk_end[last] - (chunk_end[first - 1] if first > 0 else 0) if last >= first else 0
    cell = np.empty(min(n_stories, (stop - start) * n_firms), np.int64)
    positive = np.empty(len(cell), np.float32)
    negative = np.empty(len(cell), np.float32)
    m = 0
    for c in range(first, last + 1):
        r0, r1 = max(start, c << shift), min(stop, (c + 1) << shift)
        base, top = 2 * n_firms * r0, 2 * n_firms * r1
        s0, s1 = chunk_end[c - 1] if c > 0 else 0, chunk_end[c]
        for s in range(s0, s1):
            if base <= slot[s] < top:
                sums[slot[s] - base] += told[s]
        h = m  # after the deferred prospects of earlier chunks
        for s in range(s0, s1):  # each cell that heard stories, once
            if base <= slot[s] < top:
                q = (slot[s] - base) & ~1
                if sums[q] != 0.0 or sums[q + 1] != 0.0:
                    cell[h], positive[h], negative[h] = slot[s] >> 1, np.float32(sums[q]), np.float32(sums[q + 1])
                    heard[q >> 1] = True
                    sums[q] = 0.0
                    sums[q + 1] = 0.0
                    h += 1
        # the others first, in order, so the noted cells are in the cache when they listen
        for x in range(r0 * n_firms, r1 * n_firms, tile):
            end = min(x + tile, r1 * n_firms)
            k = x - r0 * n_firms
            _unheard(
                state[x:end],
                expectation[x:end],
                affect[x:end],
                u_aware[x:end],
                heard[k : k + end - x],
                reached,
                promised,
                open_,
                no_shift,
                no_loss,
                channel[x:end],
            )
        for k in range(m, h):
            x, pos, neg = cell[k], positive[k], negative[k]
            a = affect[x]
            if state[x] != prospect:
                if (state[x] == churned or (limited and state[x] == aware)) and pos != zero and not reconsidered[x]:
                    f = x % n_firms
                    base = back[f] if state[x] == churned else consider[f]
                    if u_aware[x] < 1.0 - (1.0 - np.float64(base)) * np.exp(np.float64(pos) * log_unmoved_back):
                        reconsidered[x] = True
                e = expectation[x] + e_shift * (pos_strength * pos - neg_strength * neg)
                expectation[x] = zero if e < zero else (one if e > one else e)  # numpy's clip: nan stays
                a = a - neg_affect * neg
            elif pos != zero:  # decided by _hear_of
                cell[m], positive[m] = x, pos
                m += 1
            else:  # only negative stories: as if none
                f = x % n_firms
                if u_aware[x] < reached[f] and open_[f]:
                    expectation[x] = promised[f]
                    state[x] = np.int8(S.AWARE)
                    channel[x] = np.int8(Channel.ADVERTISING)
            affect[x] = zero if a <= zero else a  # numpy's maximum(a, 0): -0 becomes 0, nan stays
    return cell[:m], positive[:m]


#: rows of the per-firm values :func:`_unheard` reads beside the cells
_TILE_ROWS = 64


@compiled
def _unheard(
    state: np.ndarray,
    expectation: np.ndarray,
    affect: np.ndarray,
    u_aware: np.ndarray,
    heard: np.ndarray,
    reached: np.ndarray,
    promised: np.ndarray,
    open_: np.ndarray,
    shift: Real,
    affect_loss: Real,
    channel: np.ndarray,
) -> None:
    """Listening by the cells of a tile of whole customers that heard no
    story (the cells marked ``heard`` are left as they are, and unmarked;
    ``reached``, ``promised`` and ``open_`` hold the firms' reach, promise
    and presence cell by cell): those who know the firm move by ``shift``
    and lose ``affect_loss`` (both zero), affect stays at least 0; a
    prospect becomes aware with the reach when the firm is present,
    expecting its promise, by the advertising (``channel``). Written without branches, over views indexed
    from 0 (numba's wraparound of a possibly negative index would keep
    the compiler from vectorising the loop)."""
    zero, one = np.float32(0.0), np.float32(1.0)
    prospect, aware = np.int8(S.PROSPECT), np.int8(S.AWARE)
    advertising = np.int8(Channel.ADVERTISING)
    for k in range(len(state)):
        s = state[k]
        knows = s != prospect
        listens = not heard[k]
        heard[k] = False
        e0 = expectation[k]
        e = e0 + shift
        e = zero if e < zero else (one if e > one else e)
        becomes = listens & (not knows) & (u_aware[k] < reached[k]) & open_[k]
        expectation[k] = e if knows & listens else (promised[k] if becomes else e0)
        state[k] = aware if becomes else s
        channel[k] = advertising if becomes else channel[k]
        a0 = affect[k]
        a = a0 - affect_loss if knows else a0
        a = zero if a <= zero else a
        affect[k] = a if listens else a0


@compiled
def _hear_of(
    cell: np.ndarray,
    positive: np.ndarray,
    unmoved: np.ndarray,
    n_firms: int,
    state: np.ndarray,
    expectation: np.ndarray,
    u_aware: np.ndarray,
    reach: np.ndarray,
    present: np.ndarray,
    promise: np.ndarray,
    referral_boost: Real,
    channel: np.ndarray,
) -> None:
    """Prospects who heard positive stories (``cell``, ``positive``) become
    aware with the advertising's reach or through the stories (``unmoved``:
    the chance the stories leave them unaware), when the firm is present,
    expecting its promise plus a referral boost. The awareness draw tells
    which (``channel``): below the reach, the advertising would have done
    it alone; above it, the stories did (a referral)."""
    zero, one = np.float32(0.0), np.float32(1.0)
    boost = np.float32(referral_boost)
    for k in range(len(cell)):
        x = cell[k]
        f = x % n_firms
        if u_aware[x] < one - (one - reach[f]) * unmoved[k] and present[f]:
            e = promise[f] + boost * positive[k]
            expectation[x] = zero if e < zero else (one if e > one else e)
            state[x] = np.int8(S.AWARE)
            channel[x] = np.int8(Channel.ADVERTISING) if u_aware[x] < reach[f] else np.int8(Channel.REFERRAL)
