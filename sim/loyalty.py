"""The four loyalty latents and the loyalty ladder (MODEL.md §4; 004, 002, 001).

Cognitive loyalty is the belief that a firm offers the best value; affective
loyalty is liking (stored, built by delight and belonging, eroded by
disappointment); conative loyalty is the intention to come back (affect plus
switching costs plus cognition); behavioural loyalty is the repeat-purchase
rate (stored). The state of each relationship is derived from these and from
behaviour each step.
"""

from __future__ import annotations

import numpy as np

from sim.config import LoyaltyConfig
from sim.states import I8 as _I8, LoyaltyState as S, is_customer

#: top of the likelihood-to-recommend survey scale, 0-10 (Reichheld 2003): a definition
RECOMMEND_SCALE_TOP = 10


def _pick(condition: np.ndarray, a: np.ndarray | np.int8, b: np.ndarray | np.int8) -> np.ndarray:
    """``np.where(condition, a, b)`` for int8 states, as ``b + condition * (a - b)``:
    exact for small integers, and several times faster than ``np.where``, which
    branches on every element."""
    return b + condition * (a - b)


def cognitive(value: np.ndarray, available: np.ndarray, scale: float, certain_lead: float) -> np.ndarray:
    """Belief that each firm offers the best value: a logistic of its value
    lead over the best other known firm, in units of ``scale``
    (``cognitive_scale``), ``[n, firms]``. A firm with no known rival is
    credited ``certain_lead`` scales (``cognitive_certain_lead``: believed
    best with near certainty), a firm the customer does not know minus that.

    Not parameters: ``floor`` marks an unknown firm (the lowest float32,
    below any value), and the clip at 30 scales only keeps ``exp`` finite
    (the logistic is 1 or 0 to float32 precision beyond it)."""
    floor = np.finfo(np.float32).min
    v = np.where(available, value, floor)
    rival_best = best_other(v, floor)
    lead = np.where(rival_best > floor, v - rival_best, scale * certain_lead)
    lead = np.where(available, lead, -scale * certain_lead)
    # the logistic 1 / (1 + exp(-clip(lead / scale))), in place after the division
    lead = lead / scale
    np.clip(lead, -30, 30, out=lead)
    np.exp(np.negative(lead, out=lead), out=lead)
    lead += 1.0
    return np.divide(1.0, lead, out=lead).astype(np.float32, copy=False)


def best_other(v: np.ndarray, floor: np.float32) -> np.ndarray:
    """For each row and column, the largest value among the row's *other*
    columns (``floor`` where there is none). With few firms, each column's
    maximum of the others directly; with more, the maximum of the running
    maxima from the left and from the right (fewer array operations then)."""
    n, f = v.shape
    if f <= 2:  # no other firm, or the one other
        return np.full_like(v, floor) if f == 1 else v[:, ::-1].copy()
    out = np.empty_like(v)
    if f < 6:
        for k in range(f):
            first, second, *rest = (j for j in range(f) if j != k)
            np.maximum(v[:, first], v[:, second], out=out[:, k])
            for j in rest:
                np.maximum(out[:, k], v[:, j], out=out[:, k])
        return out
    running = np.full(n, floor, dtype=v.dtype)
    for k in range(f):
        out[:, k] = running
        np.maximum(running, v[:, k], out=running)
    running.fill(floor)
    for k in reversed(range(f)):
        np.maximum(out[:, k], running, out=out[:, k])
        np.maximum(running, v[:, k], out=running)
    return out


def intention(affect: np.ndarray, switching: np.ndarray, cognition: np.ndarray,
              cfg: LoyaltyConfig) -> np.ndarray:
    """Conative loyalty: the intention to return (0-1). Switching costs count
    up to 1 (a contract can exceed it): with weights summing to 1 the
    intention stays on the 0-1 scale of its parts, a definition."""
    return (cfg.conative_affect * affect + cfg.conative_switching * np.minimum(switching, 1.0)
            + cfg.conative_cognitive * cognition)


def recommend_score(satisfaction: np.ndarray, affect: np.ndarray, cfg: LoyaltyConfig) -> np.ndarray:
    """Likelihood to recommend, a whole number on the 0-10 survey scale
    (Reichheld 2003; promoters from ``promoter_recommend``, detractors up to
    ``detractor_recommend``). Affect counts from its middle, 0.5, so that
    ``recommend_midpoint`` is the answer of a customer met exactly with
    middling affect: a centring that defines the midpoint, not a parameter
    (any other centre is the same model with another midpoint)."""
    raw = (cfg.recommend_midpoint + cfg.recommend_satisfaction * satisfaction
           + cfg.recommend_affect * (affect - 0.5))
    return np.clip(np.round(raw), 0, RECOMMEND_SCALE_TOP)


def next_state(state: np.ndarray, aware: np.ndarray, bought: np.ndarray,
               purchases: np.ndarray, rival_run: np.ndarray, affect: np.ndarray,
               switching: np.ndarray, satisfaction: np.ndarray, intent: np.ndarray,
               recommend: np.ndarray, cfg: LoyaltyConfig) -> np.ndarray:
    """The state of each relationship after this step's events.

    Prospects become aware, buyers enter the ladder, churned customers who buy
    again are won back (002). Established customers are captive when switching
    costs hold them without affect (001), loyal when attached and intending to
    return, advocates when also very satisfied, intending to stay and
    recommending, i.e. promoters (001's three conditions), at risk when recently disappointed or lapsing to rivals, and
    churned after a run of purchases at rivals (the disappointed who defect
    outright are churned by the lapse-and-churn phase).
    """
    customer = is_customer(state)
    churn = customer & (rival_run >= cfg.churn_rival_purchases)
    new_rel = ~customer & bought & ~churn
    established = purchases >= cfg.repeat_purchases
    loyal = (affect >= cfg.loyal_affect) & (intent >= cfg.loyal_intention)
    advocate = (loyal & (satisfaction >= cfg.advocate_satisfaction)
                & (intent >= cfg.advocate_intention) & (recommend >= cfg.promoter_recommend))
    captive = (switching >= cfg.captive_switching) & (affect < cfg.captive_affect)
    at_risk = (satisfaction < cfg.at_risk_satisfaction) | (rival_run >= cfg.at_risk_rival_purchases)
    ladder = _pick(advocate, _I8[S.ADVOCATE],
                   _pick(loyal, _I8[S.LOYAL], _pick(captive, _I8[S.CAPTIVE], _I8[S.REPEAT])))
    # a new or won-back customer keeps that label until established
    early = _pick((state == _I8[S.WON_BACK]) | (state == _I8[S.CHURNED]), _I8[S.WON_BACK], _I8[S.FIRST_TIME])
    kept = _pick(established, ladder, early)
    kept = _pick(at_risk, _I8[S.AT_RISK], kept)
    not_customer = _pick(state == _I8[S.CHURNED], _I8[S.CHURNED],
                         _pick(aware, _I8[S.AWARE], _I8[S.PROSPECT]))
    out = _pick(customer | new_rel, kept, not_customer)
    return _pick(churn, _I8[S.CHURNED], out)
