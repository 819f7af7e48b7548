"""The probes: instrumented runs for claims about single purchases.

A probe runs an instrumented :class:`~sim.model.LoyaltyModel` per replication
and returns named numbers, for claims about single purchases that no step
table holds (what a delighted customer does next, what a complainant does
next, how many people a disappointed customer tells). Its signature is
:data:`experiments.validation.claims.experiments.Probe`: (market, seed) -> named numbers.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import numpy as np

from sim.config import MarketConfig
from sim.disconfirmation import DELIGHTED, DISAPPOINTED, SATISFIED
from sim.phases.experience import experience
from agents.states import Channel, LoyaltyState as S, is_customer


def _single_threaded(market: MarketConfig) -> MarketConfig:
    return dataclasses.replace(market, engine=dataclasses.replace(market.engine, threads=1))


def _felt_three_ways(base: Any, gap: float, follow: int) -> dict[str, tuple[int, int]]:
    """One treatment episode on copies of ``base``: for each outcome, (buyers
    whose next purchase within ``follow`` steps is at the same firm, buyers
    who bought again at all)."""
    out = {}
    for name, shift in (("delighted", gap), ("satisfied", 0.0), ("disappointed", -gap)):
        model = copy.deepcopy(base)
        treated: dict[str, np.ndarray] = {}
        at = model.phases.index(experience)

        def treated_experience(market: Any, step: Any, _shift: float = shift, _treated: dict = treated) -> None:
            experience(market, step)
            if not _treated:
                p = step.purchases
                expectation = market.customers.expectation[p.buyers, p.firm]
                p.experience = (expectation + np.float32(_shift)).astype(np.float32)
                _treated.update(b=p.buyers.copy(), c=p.firm.copy())

        model.phases[at] = treated_experience
        model.step()
        nxt = np.full(model.customers.n, -1, dtype=np.int64)
        for _ in range(follow):
            model.step()
            b, c = model.last_step.purchases.buyers, model.last_step.purchases.firm
            b, first = np.unique(b, return_index=True)  # a buyer's first purchase of the step (visit rounds)
            c = c[first]
            fresh = nxt[b] < 0
            nxt[b[fresh]] = c[fresh]
        b, c = treated["b"], treated["c"]
        seen = nxt[b] >= 0
        out[name] = (int((nxt[b][seen] == c[seen]).sum()), int(seen.sum()))
    return out


def disconfirmation_probe(
    market: MarketConfig, seed: int, gap: float = 0.25, follow: int = 20, episodes: int = 4, spacing: int = 25
) -> dict:
    """The same purchase felt three ways. After the burn-in the
    market runs on untreated; at ``episodes`` moments ``spacing`` steps apart
    it is copied three times, and in the copies every buyer of the next step
    gets the experience expectation + ``gap``, + 0 or - ``gap`` (delighted,
    satisfied, disappointed: the same buyers on the same random streams).
    Returns, for each outcome, the share of the treated buyers whose next
    purchase within ``follow`` steps is at the same firm, pooled over the
    episodes (``repurchase_<outcome>``)."""
    from sim.model import LoyaltyModel

    base = LoyaltyModel(market=_single_threaded(market), seed=seed)
    totals = {name: np.zeros(2) for name in ("delighted", "satisfied", "disappointed")}
    for episode in range(episodes):
        if episode:
            base.run(spacing)
        for name, counts in _felt_three_ways(base, gap, follow).items():
            totals[name] += counts
    return {f"repurchase_{name}": float(same / seen) for name, (same, seen) in totals.items()}


#: the kinds of problem the purchase probe follows: (severity, handling) and TARP's
#: repurchase share for each (Technical Assistance Research Programs 1986, 'Consumer
#: complaint handling in America: an update study'; Hart, Heskett & Sasser 1990,
#: 'The profitable art of service recovery'); "silent": no complaint was made
TARP_REPURCHASE = {
    ("minor", "quick"): 0.95,
    ("minor", "slow"): 0.70,
    ("minor", "unresolved"): 0.46,
    ("major", "quick"): 0.82,
    ("major", "slow"): 0.54,
    ("major", "unresolved"): 0.19,
}
TARP_SILENT_REPURCHASE = {("minor", "silent"): 0.37, ("major", "silent"): 0.09}


def purchase_probe(
    market: MarketConfig, seed: int, window_weeks: float = 0.0, many: int = 20, firm: int | None = None
) -> dict:
    """Every purchase of a baseline run of the market, followed.

    Returns: the share of quality failures at the best-served firm (highest
    mean service level) that disappoint (``failures_disappointed``); people
    told per purchase by its outcome (``told_<outcome>``: the people the
    talker told, ties and strangers, 0 for those who do not talk), the share
    of disappointed purchases told to more than ``many``
    (``told_many_disappointed``) and positive against negative word of mouth
    (:func:`word_of_mouth_balance`); and, for problems (:func:`sim.recovery.is_problem`)
    at ``firm``, minor or major, complained about and resolved quickly,
    slowly or not at all, or not complained about (``silent``), the share
    of those customers who repurchase as TARP counted it: still in the relationship ``window_weeks`` after the
    end of the problem's step (0, the default: at the end of that step; it never ended in between and the
    customer did not leave the category: ``repurchase_<severity>_<handling>``, and over both severities
    ``repurchase_<handling>``), at every firm (``firm`` None, the default: the decision's rule is the same at
    every firm, and three firms' complaints give the six cells three times the numbers) or at ``firm``. TARP
    asked complainants whether they would buy again, an intention right after the handling; a relationship
    still current at the end of the decision's week reads it without depending on how often the customer buys
    (a rule of 'bought again within N weeks' counts the rare buyer who stayed as lost), and without the later
    losses by other causes TARP did not ask about (about 5% of minor problems resolved quickly are lost within
    one more week, 10% within two).
    """
    from sim.model import LoyaltyModel
    from agents.states import is_customer

    model = LoyaltyModel(market=_single_threaded(market), seed=seed)
    n, F, steps = model.customers.n, model.n_firms, model.config.steps
    window = model.step_length.whole_steps(window_weeks)
    current = np.zeros((steps, n * F), dtype=bool)  # the relationship at the end of each step
    generation = np.zeros((steps, n), dtype=model.customers.generation.dtype)
    trips = []
    for t in range(steps):
        model.step()
        p = model.last_step.purchases
        b, c = p.buyers, p.firm
        current[t] = is_customer(model.customers.state).reshape(-1)
        generation[t] = model.customers.generation
        told = p.audience  # people told: ties first, then strangers; 0 if silent
        trips.append(
            {
                "b": b,
                "c": c,
                "cell": b * F + c,
                "outcome": p.outcome,
                "failed": p.failed,
                "complained": p.complained,
                "resolved": p.resolved,
                "quick": p.quick,
                "problem": p.problem,
                "major": p.major,
                "leaves": p.leaves,
                "told": told,
            }
        )
    table = model.step_table()
    best = int(table.groupby("firm_index")["service_level"].mean().idxmax())
    cat = {k: np.concatenate([t[k] for t in trips]) for k in ("c", "outcome", "failed", "told", "resolved")}
    failed_here = cat["failed"] & (cat["c"] == best)
    out = {"failures_disappointed": float((cat["outcome"][failed_here] < 0).mean())}
    for name, code in (("delighted", DELIGHTED), ("satisfied", SATISFIED), ("disappointed", DISAPPOINTED)):
        out[f"told_{name}"] = float(cat["told"][cat["outcome"] == code].mean())
    out["told_many_disappointed"] = float((cat["told"][cat["outcome"] == DISAPPOINTED] > many).mean())
    out.update(word_of_mouth_balance(cat["c"], cat["outcome"], cat["resolved"], cat["told"], F))
    out.update(_complainants_staying(trips, current, generation, window, firm))
    return out


def word_of_mouth_balance(
    firm: np.ndarray, outcome: np.ndarray, resolved: np.ndarray, told: np.ndarray, n_firms: int
) -> dict[str, float]:
    """Positive against negative word of mouth, read as East, Hammond &
    Wright (2007, 'The relative incidence of positive and negative word of
    mouth') asked for it, in instances of advice: people told a positive
    story over people told a negative one (a story is negative when its
    purchase disappointed and was not put right; a talker's several stories
    to the same people count once), ``positive_to_negative``; and the largest gap, over the firms,
    between a firm's share of the positive word of mouth and its share of
    the purchases, ``positive_share_gap`` (they found positive word of mouth
    spread over brands as their market shares)."""
    negative = (outcome == DISAPPOINTED) & ~resolved
    people = told.astype(np.float64)
    positive_by_firm = np.bincount(firm[~negative], weights=people[~negative], minlength=n_firms)
    purchases = np.bincount(firm, minlength=n_firms).astype(np.float64)
    gap = np.abs(positive_by_firm / positive_by_firm.sum() - purchases / purchases.sum()).max()
    return {
        "positive_to_negative": float(people[~negative].sum() / people[negative].sum()),
        "positive_share_gap": float(gap),
    }


def _complainants_staying(
    trips: list[dict], current: np.ndarray, generation: np.ndarray, window: int, firm: int | None
) -> dict[str, float]:
    """For the problems at ``firm`` (None: every firm) of each kind (severity
    and handling: complained about and resolved quickly, slowly or not at
    all, or silent), the share whose relationship is current at the end of
    the problem's step and of each of the ``window`` steps after it, held by
    the same customer (not a newcomer in their place):
    ``repurchase_<severity>_<handling>`` and, over both severities,
    ``repurchase_<handling>``. Complaints about disappointments that are not
    problems make no decision and are not followed."""
    kinds = (*TARP_REPURCHASE, *TARP_SILENT_REPURCHASE)
    stayed: dict[tuple[str, str], list[np.ndarray]] = {kind: [] for kind in kinds}
    for t in range(len(trips) - window):
        trip = trips[t]
        here = trip["problem"] if firm is None else (trip["c"] == firm) & trip["problem"]
        said = trip["complained"]
        handling = {
            "quick": trip["quick"],
            "slow": trip["resolved"] & ~trip["quick"],
            "unresolved": said & ~trip["resolved"],
            "silent": ~said,
        }
        kept = current[t : t + window + 1][:, trip["cell"]].all(axis=0)
        kept &= generation[t + window][trip["b"]] == generation[t][trip["b"]]
        for severity, major in (("minor", False), ("major", True)):
            for how, mask in handling.items():
                stayed[severity, how].append(kept[here & (trip["major"] == major) & mask])
    out = {}
    for how in ("quick", "slow", "unresolved", "silent"):
        for severity in ("minor", "major"):
            out[f"repurchase_{severity}_{how}"] = _share(np.concatenate(stayed[severity, how]))
        out[f"repurchase_{how}"] = _share(np.concatenate([*stayed["minor", how], *stayed["major", how]]))
    return out


def _share(flags: np.ndarray) -> float:
    return float(flags.mean()) if len(flags) else float("nan")


def acquisition_value_probe(
    market: MarketConfig, seed: int, window_weeks: float = 104.0, follow_weeks: float = 104.0
) -> dict:
    """What the relationships acquired by each channel spend (referrals;
    Villanueva, Yoo & Hanssens 2008; Schmitt, Skiera & Van den
    Bulte 2011). A baseline run of the market (all firms together); every
    relationship acquired in the first ``window_weeks`` of the reported
    horizon is followed for ``follow_weeks`` after its acquisition (the
    horizon must hold both), and its spending there summed, up to its end
    if the customer leaves the category (a relationship lost and won back
    spends again in the same account). Returns, for each channel
    (:class:`~agents.states.Channel`), the relationships acquired
    (``acquired_<channel>``) and their mean spending over the follow-up
    (``value_<channel>``), and the ratio of the referred relationships' to
    the advertised ones' (``value_ratio``)."""
    from sim.model import LoyaltyModel

    model = LoyaltyModel(market=_single_threaded(market), seed=seed)
    cust, F = model.customers, model.n_firms
    window, follow = model.step_length.whole_steps(window_weeks), model.step_length.whole_steps(follow_weeks)
    if window + follow > model.config.steps:
        raise ValueError(
            f"the horizon ({model.config.steps} steps) must hold {window} steps of acquisitions followed for {follow}"
        )
    shape = cust.n * F
    since = np.full(shape, -1, dtype=np.int64)  # step of the followed acquisition, -1 none
    channel = np.zeros(shape, dtype=np.int8)
    generation = np.zeros(shape, dtype=np.int32)
    spent = np.zeros(shape)
    followed = np.zeros(shape, dtype=bool)
    for t in range(model.config.steps):
        before = cust.state.reshape(-1).copy()
        gen_before = np.repeat(cust.generation, F)
        model.step()
        if t < window:  # acquired in the step (by its first purchase)
            now = cust.state.reshape(-1)
            fresh = ((before == S.PROSPECT) | (before == S.AWARE)) & is_customer(now) & ~followed
            fresh &= np.repeat(cust.generation, F) == gen_before
            since[fresh], channel[fresh], generation[fresh] = t, cust.channel.reshape(-1)[fresh], gen_before[fresh]
            followed |= fresh
        p = model.last_step.purchases  # spent by the same customer within the follow-up
        own = (since[p.cell] >= 0) & (t - since[p.cell] < follow) & (generation[p.cell] == gen_before[p.cell])
        np.add.at(spent, p.cell[own], p.spent[own])
    out = {}
    for c in Channel:
        mine = followed & (channel == c)
        out[f"acquired_{c.name.lower()}"] = float(mine.sum())
        out[f"value_{c.name.lower()}"] = float(spent[mine].mean()) if mine.any() else float("nan")
    out["value_ratio"] = out["value_referral"] / out["value_advertising"]
    return out


def goal_gradient_probe(
    market: MarketConfig, seed: int, first: float = 0.2, last: float = 0.8, strategy: Any = "loyalty_points"
) -> dict:
    """Purchase acceleration as a points reward nears (Kivetz, Urminsky &
    Zheng 2006, "The goal-gradient hypothesis resurrected"). The market is
    burnt in, then the focal firm runs ``strategy`` (a points programme, its
    defaults) over the reported horizon. Each member's purchases at the firm
    are followed: every gap between two purchases there (in weeks) is put
    with the member's progress to the next reward right after the first
    purchase of the gap (balance / reward, after earning and redeeming), as
    Kivetz et al. put each inter-purchase time with its place on the coffee
    card. As they did, the comparison is within members: a member's mean gap
    in the first fifth of the way (progress below ``first``) against their
    own in the last fifth (``last`` or more), over the members with gaps in
    both (a member who leaves the category is a new person in that place),
    so that frequent buyers, who reach the end of a card more often, do not
    make the end look faster. Returns the members compared (``members``),
    the mean over them of their mean gaps (``gap_first``, ``gap_last``,
    weeks) and the purchase rate of the last fifth over the first's
    (``rate_ratio`` = ``gap_first / gap_last``; Kivetz et al.: about 1.25,
    inter-purchase time 20% shorter at the end of the card)."""
    from experiments.running.scenarios import attach_strategies
    from sim.model import LoyaltyModel

    plain = _single_threaded(market)
    firms = [dataclasses.replace(f, strategies=[]) for f in plain.firms]
    plain = dataclasses.replace(plain, firms=firms)
    running = dataclasses.replace(plain, firms=[dataclasses.replace(firms[0], strategies=[strategy]), *firms[1:]])
    model = attach_strategies(LoyaltyModel(market=plain, seed=seed), running)
    programme = model.firms[0].strategies[0]
    cust, weeks = model.customers, model.step_length.weeks
    last_at = np.full(cust.n, -1, dtype=np.int64)  # step of the member's last purchase at the firm
    progress_at = np.zeros(cust.n)  # their progress right after it
    sums = np.zeros((cust.n, 2))  # gaps (weeks) in the first and last fifth, per member
    counts = np.zeros((cust.n, 2))
    done: list[np.ndarray] = []  # (first, last) mean gaps of members who left
    generation = cust.generation.copy()

    def close(rows: np.ndarray) -> None:
        both = rows[(counts[rows] > 0).all(axis=1)]
        done.append(sums[both] / counts[both])
        sums[rows], counts[rows], last_at[rows] = 0.0, 0.0, -1

    for t in range(plain.steps):
        model.step()
        close(np.flatnonzero(cust.generation != generation))
        generation = cust.generation.copy()
        p = model.last_step.purchases
        b = np.unique(p.buyers[p.firm == 0])
        again = b[last_at[b] >= 0]
        gap = (t - last_at[again]) * weeks
        prior = progress_at[again]
        for k, mine in enumerate((prior < first, prior >= last)):
            np.add.at(sums[:, k], again[mine], gap[mine])
            np.add.at(counts[:, k], again[mine], 1.0)
        last_at[b] = t
        progress_at[b] = programme.progress()[b]
    close(np.arange(cust.n))
    means = np.concatenate(done)
    out = {"members": float(len(means)), "gap_first": float(means[:, 0].mean()), "gap_last": float(means[:, 1].mean())}
    out["rate_ratio"] = out["gap_first"] / out["gap_last"]
    return out
