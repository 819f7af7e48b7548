"""The win-back probe: how many lapsed customers a win-back programme wins
back within a year, against how many new prospects are won, and how that
falls with time since the customer left (Griffin & Lowenstein 2001,
'Customer winback: how to recapture lost customers and keep them loyal').

Its signature is :data:`experiments.validation.claims.experiments.Probe`.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from sim.config import MarketConfig
from agents.states import LoyaltyState as S, is_customer
from sim.units import StepLength


def _with_programme(market: MarketConfig, firm: int, spec: object) -> MarketConfig:
    """The market, single-threaded, with ``firm`` running ``spec`` and nobody else anything."""
    firms = [dataclasses.replace(f, strategies=[spec] if i == firm else []) for i, f in enumerate(market.firms)]
    return dataclasses.replace(market, firms=firms, engine=dataclasses.replace(market.engine, threads=1))


def win_back_probe(
    market: MarketConfig,
    seed: int,
    follow_weeks: float = 52.0,
    recent_weeks: float = 13.0,
    old_weeks: float = 52.0,
    firm: int = 0,
) -> dict:
    """Lapsed customers of ``firm`` (default the focal firm) and the
    market's new prospects, followed for ``follow_weeks``.

    Two runs of the market on ``seed``, each built from its first step (the
    programme watches the burn-in to know when each customer left):

    - *programme*: ``firm`` runs the win-back programme of
      ``conf/experiment/win_back.yaml`` (its defaults: customers churned
      within 8 weeks, 20% off for 6 weeks) from the first week. Every
      relationship of ``firm`` that lapses (enters CHURNED) in the first
      ``follow_weeks`` of the horizon is followed for ``follow_weeks``: won
      back if it is a customer relationship again within them
      (``lapsed_won_back``: the share). Every relationship that becomes aware
      of a firm (a new prospect, of any firm: Griffin & Lowenstein's chance
      of a sale to a new prospect is the market's, and a firm's own new
      prospects are too few in a market of 5,000 to measure the ratio
      below) in the same weeks is followed as long: acquired if it becomes
      a customer relationship (``prospects_acquired``; ``lost_vs_new`` is
      the first share over the second). Over the
      offer's weeks instead: every customer the programme contacts in the
      first ``follow_weeks``, from the step of the contact, over the offer's
      steps (``contacted_bought_in_offer``), against every new prospect of
      the same weeks over as many steps after the step they became aware in
      (``prospects_bought_in_offer``: the firm's advertising or a friend's
      story reached them, the firm's acquisition contact);
      ``lost_vs_new_offer`` is the first over the second. A customer who leaves the category
      (replaced) counts as not won. The horizon must hold twice
      ``follow_weeks``.
    - *campaign*: the same programme contacting every lapsed customer
      whatever the time since they left (no window), from the first week.
      The relationships of ``firm`` lapsed at its start, by weeks since they
      left: under ``recent_weeks`` and over ``old_weeks``; the share of each
      won back within ``follow_weeks`` (``won_back_recent``,
      ``won_back_old``), and the same of a run without the programme
      (``own_return_recent``, ``own_return_old``).
    """
    from sim.model import LoyaltyModel

    unit = StepLength(market.steps_per_year)
    follow = unit.whole_steps(follow_weeks)
    if 2 * follow > market.steps:
        raise ValueError(f"the horizon ({market.steps} steps) must hold twice {follow} steps")
    out: dict[str, float] = {}

    # ---------------------------------------------------------------- the programme, as run
    model = LoyaltyModel(market=_with_programme(market, firm, "win_back"), seed=seed)
    cust, programme = model.customers, model.firms[firm].strategies[0]
    offer = programme.offer_steps
    # episode -> (step each followed one began, -1 none; steps followed; whether the step it began in counts:
    # a contact comes before the step's purchases, awareness and lapsing after them)
    # (relationships: [customers, firms]; the lapsed and contacted are ``firm``'s, the prospects every firm's)
    episodes = {
        key: (np.full(cust.state.shape, -1, dtype=np.int64), steps, same_step)
        for key, steps, same_step in (
            ("lapsed", follow, False),
            ("aware", follow, False),
            ("contacted", offer, True),
            ("aware_offer", offer, False),
        )
    }
    counts = {key: [0, 0] for key in episodes}  # episodes, won within the follow-up
    for t in range(2 * follow):
        before, gen, offered = cust.state.copy(), cust.generation.copy(), programme.offer_until.copy()
        model.step()
        now, same = cust.state, (cust.generation == gen)[:, None]
        if t < follow:
            episodes["contacted"][0][(programme.offer_until > offered) & same[:, 0], firm] = t
        for key, (since, steps, same_step) in episodes.items():
            open_ = since >= 0
            won = open_ & same & is_customer(now)
            closed = open_ & (~same | won | (t - since >= steps - int(same_step)))
            counts[key][1] += int(won.sum())
            counts[key][0] += int(closed.sum())
            since[closed] = -1
        if t < follow:
            lapsing = (now[:, firm] == S.CHURNED) & (before[:, firm] != S.CHURNED) & same[:, 0]
            aware = (now == S.AWARE) & (before == S.PROSPECT) & same
            episodes["lapsed"][0][lapsing, firm] = t
            for key in ("aware", "aware_offer"):
                episodes[key][0][aware] = t
    for key, (since, _, _) in episodes.items():
        counts[key][0] += int((since >= 0).sum())  # none left open: each ends within the run
    share = {key: won / followed if followed else float("nan") for key, (followed, won) in counts.items()}
    out["lapsed_followed"], out["prospects_followed"] = float(counts["lapsed"][0]), float(counts["aware"][0])
    out["contacted_followed"] = float(counts["contacted"][0])
    out["lapsed_won_back"], out["prospects_acquired"] = share["lapsed"], share["aware"]
    out["lost_vs_new"] = share["lapsed"] / share["aware"]
    out["contacted_bought_in_offer"], out["prospects_bought_in_offer"] = share["contacted"], share["aware_offer"]
    out["lost_vs_new_offer"] = share["contacted"] / share["aware_offer"] if share["aware_offer"] else float("nan")

    # ---------------------------------------------------------------- the campaign to every lapsed customer
    per_year = market.steps_per_year
    recent, old = recent_weeks * per_year / 52, old_weeks * per_year / 52
    for key, spec in (
        ("won_back", {"name": "win_back", "window_weeks": 1_000_000}),
        ("own_return", {"name": "win_back", "reach_per_week": 0.0}),
    ):
        model = LoyaltyModel(market=_with_programme(market, firm, spec), seed=seed)
        cust, programme = model.customers, model.firms[firm].strategies[0]
        age = model.t - programme.churned_at
        lapsed = cust.state[:, firm] == S.CHURNED
        groups = {"recent": lapsed & (age < recent), "old": lapsed & (age > old)}
        gen, back = cust.generation.copy(), np.zeros(cust.n, dtype=bool)
        for _ in range(follow):
            model.step()
            back |= is_customer(cust.state[:, firm]) & (cust.generation == gen)
        for name, rows in groups.items():
            out[f"{key}_{name}"] = float(back[rows].mean()) if rows.any() else float("nan")
            out[f"lapsed_{name}"] = float(rows.sum())
    return out
