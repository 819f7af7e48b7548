"""The four loyalty latents and the loyalty ladder (004, 002, 001).

Cognitive loyalty is the belief that a firm offers the best value; affective
loyalty is liking (stored, built by delight and belonging, eroded by
disappointment); conative loyalty is the intention to come back (affect plus
switching costs plus cognition); behavioural loyalty is the repeat-purchase
rate (stored). The state of each relationship is derived from these and from
behaviour each step.

Each rule is written once, for one relationship, and compiled
(:mod:`agents.compiled`). The engine applies the rules to a block of customers
in a few loops (:func:`switching_and_exponents`, then :func:`derive_latents`
or, in the states phase, the same loop with the ladder: :func:`transitions`);
the array functions (:func:`cognitive`, :func:`intention`,
:func:`recommend_score`, :func:`next_state`) apply them to arrays of any
shape, for the per-agent reference model and tests. The rules' constants (:func:`rules`) come typed
as numpy 2 types a Python number that meets an array (NEP 50: the array's
float type), so the compiled rules round as the numpy expressions they stand
for would. The exponential of cognitive loyalty's logistic is left to numpy
(``np.exp`` on a block), whose float32 ``exp`` rounds differently from the
compiled one. The loops and the rules they inline stay in this module:
numba's cache of a compiled function is renewed when its own file changes,
not when a file it calls into does.
"""

from __future__ import annotations

import functools
import operator
from typing import NamedTuple

import numpy as np

from agents.compiled import Real, compiled, inlined
from sim.config import LoyaltyConfig
from agents.states import Channel, LoyaltyState as S

#: the channels acquisitions are counted by (:class:`Channel`)
N_CHANNELS = len(Channel)

#: top of the likelihood-to-recommend survey scale, 0-10 (Reichheld 2003): a definition
RECOMMEND_SCALE_TOP = 10

#: an unknown firm's value: the lowest float32, below any value
FLOOR = np.finfo(np.float32).min
#: the logistic of cognitive loyalty is clipped at this many scales, only to
#: keep ``exp`` finite (it is 1 or 0 to float32 precision beyond): not a parameter
LOGISTIC_CLIP = 30

# the states as plain integers, for the compiled rules
PROSPECT, AWARE, FIRST_TIME, REPEAT, LOYAL, ADVOCATE, CAPTIVE, AT_RISK, CHURNED, WON_BACK = (int(s) for s in S)


def _weak(x: np.ndarray | float) -> type:
    """The scalar type numpy 2 gives a Python number in an operation with
    ``x`` (NEP 50): ``x``'s own float type, float64 for an integer array."""
    dtype = np.asarray(x).dtype
    return dtype.type if dtype.kind == "f" else np.float64


#: the constants of the intention, recommendation and ladder rules: for each,
#: the latent whose float type it takes (NEP 50; "raw": the unrounded
#: recommendation's; "count": a count of visits, an integer), and its value
#: where it is a definition rather than a :class:`LoyaltyConfig` parameter
RULES: dict[str, tuple[str, float | None]] = {
    "conative_affect": ("affect", None),
    "conative_switching": ("switching", None),
    "switching_cap": ("switching", 1.0),  # switching costs count up to 1 in the intention
    "conative_cognitive": ("cognition", None),
    "recommend_midpoint": ("satisfaction", None),
    "recommend_satisfaction": ("satisfaction", None),
    "recommend_affect": ("affect", None),
    "affect_middle": ("affect", 0.5),  # recommendation counts affect from its middle
    "satisfaction_middle": ("satisfaction", 0.5),  # and satisfaction from the middle of the zone
    "recommend_bottom": ("raw", 0),
    "recommend_top": ("raw", RECOMMEND_SCALE_TOP),  # the survey scale
    "repeat_purchases": ("count", None),
    "at_risk_rival_purchases": ("count", None),
    "loyal_affect": ("affect", None),
    "captive_affect": ("affect", None),
    "loyal_intention": ("intent", None),
    "advocate_intention": ("intent", None),
    "advocate_satisfaction": ("satisfaction", None),
    "at_risk_satisfaction": ("satisfaction", None),
    "captive_switching": ("switching", None),
    "promoter_recommend": ("recommend", None),
}


class Rules(NamedTuple):
    """The rules' constants by name (:data:`RULES`, in its order), as compiled code reads them."""

    conative_affect: Real
    conative_switching: Real
    switching_cap: Real
    conative_cognitive: Real
    recommend_midpoint: Real
    recommend_satisfaction: Real
    recommend_affect: Real
    affect_middle: Real
    satisfaction_middle: Real
    recommend_bottom: Real
    recommend_top: Real
    repeat_purchases: Real  # a count of visits: an int
    at_risk_rival_purchases: Real  # a count of visits: an int
    loyal_affect: Real
    captive_affect: Real
    loyal_intention: Real
    advocate_intention: Real
    advocate_satisfaction: Real
    at_risk_satisfaction: Real
    captive_switching: Real
    promoter_recommend: Real


if Rules._fields != tuple(RULES):  # pragma: no cover
    raise AssertionError(f"Rules' fields {Rules._fields} are not the rules {tuple(RULES)}")


def rules(cfg: LoyaltyConfig, **types: type) -> tuple[Real, ...]:
    """The constants of the rules (:data:`RULES`), each of the scalar type
    of the latent it meets (``types``, e.g. ``affect=np.float64``; float32,
    the engine's, for any latent not given), as a plain tuple: compiled
    code takes a tuple several times faster than a named one, and names it
    (``Rules(*rules)``)."""
    return _typed(_FROM_CONFIG(cfg), tuple(sorted(types.items())) if types else ())


#: the :class:`LoyaltyConfig` parameters among the rules' constants, in order
_FROM_CONFIG = operator.attrgetter(*(name for name, (_, value) in RULES.items() if value is None))


@functools.lru_cache(maxsize=64)
def _typed(config_values: tuple[Real, ...], types: tuple[tuple[str, type], ...]) -> tuple[Real, ...]:
    given = iter(config_values)
    values = tuple(next(given) if value is None else value for _, value in RULES.values())
    of = {
        "affect": np.float32,
        "switching": np.float32,
        "cognition": np.float32,
        "satisfaction": np.float32,
        "intent": np.float32,
        "recommend": np.float32,
        **dict(types),
        "count": int,
    }
    of["raw"] = np.result_type(of["satisfaction"], of["affect"]).type
    return tuple(of[latent](value) for (latent, _), value in zip(RULES.values(), values))


# ---------------------------------------------------------------------- the rules of one relationship
@inlined
def is_customer_rule(state: int) -> bool:
    """True for a state in which the customer counts as the firm's customer (:func:`agents.states.is_customer`)."""
    return (state >= FIRST_TIME) & (state != CHURNED)


@inlined
def _maximum(a: Real, b: Real) -> Real:
    """``np.maximum``: nan if either is."""
    return a if (a > b) | (a != a) else b


@inlined
def leads(x: np.ndarray, start: int, known: np.ndarray, left: np.ndarray, certain: Real) -> None:
    """One customer's firms' values ``x[start:start + firms]`` replaced by
    their leads (``known``: which firms the customer knows; ``left``: room
    for a value per firm): a known firm's value over the best other known
    firm's, ``certain`` (``scale`` x ``cognitive_certain_lead``) with no
    known rival, and minus that for an unknown firm. The best other firm's
    value is the larger of the running maxima from the left and from the
    right, with :data:`FLOOR` for unknown firms, as in ``np.maximum`` (nan
    if any is)."""
    firms = known.shape[0]
    running: Real = FLOOR
    for j in range(firms):
        left[j] = running
        value = x[start + j]  # read whether known or not: a select, not a branch
        running = _maximum(running, value if known[j] else FLOOR)
    running = FLOOR
    for j in range(firms - 1, -1, -1):
        value = x[start + j]
        rival = _maximum(left[j], running)
        running = _maximum(running, value if known[j] else FLOOR)
        x[start + j] = (value - rival if rival > FLOOR else certain) if known[j] else -certain


@inlined
def logistic_exponents(lead: np.ndarray, scale: Real, limit: Real) -> None:
    """Leads (flat) replaced by the exponents of cognitive loyalty's
    logistic ``1 / (1 + exp(x))``, ``x = -clip(lead / scale, -limit, limit)``:
    one loop over all of them, where the divisions vectorise."""
    for k in range(lead.shape[0]):
        x = lead[k] / scale
        lead[k] = -(limit if x > limit else (-limit if x < -limit else x))


@inlined
def intention_rule(affect: Real, switching: Real, cognition: Real, r: Rules) -> Real:
    """Conative loyalty of one relationship (:func:`intention`)."""
    capped = r.switching_cap if switching > r.switching_cap else switching
    return r.conative_affect * affect + r.conative_switching * capped + r.conative_cognitive * cognition


@inlined
def recommend_rule(satisfaction: Real, affect: Real, r: Rules) -> Real:
    """Likelihood to recommend of one relationship (:func:`recommend_score`):
    rounded half to even, as ``np.round``."""
    score = np.rint(
        r.recommend_midpoint
        + r.recommend_satisfaction * (satisfaction - r.satisfaction_middle)
        + r.recommend_affect * (affect - r.affect_middle)
    )
    return r.recommend_bottom if score < r.recommend_bottom else (r.recommend_top if score > r.recommend_top else score)


@inlined
def next_state_rule(
    state: int,
    aware: bool,
    bought: bool,
    purchases: int,
    rival_run: int,
    affect: Real,
    switching: Real,
    satisfaction: Real,
    intent: Real,
    recommend: Real,
    r: Rules,
) -> int:
    """The state of one relationship after this step's events (:func:`next_state`).
    Every condition is evaluated and the state picked without branches
    (``&``, ``|`` and selects): branches on a block's varied states would be
    mispredicted."""
    customer = is_customer_rule(state)
    churned = state == CHURNED
    loyal = (affect >= r.loyal_affect) & (intent >= r.loyal_intention)
    advocate = (
        loyal
        & (satisfaction >= r.advocate_satisfaction)
        & (intent >= r.advocate_intention)
        & (recommend >= r.promoter_recommend)
    )
    captive = (switching >= r.captive_switching) & (affect < r.captive_affect)
    ladder = ADVOCATE if advocate else (LOYAL if loyal else (CAPTIVE if captive else REPEAT))
    # a new or won-back customer keeps that label until established
    early = WON_BACK if (state == WON_BACK) | churned else FIRST_TIME
    kept = ladder if purchases >= r.repeat_purchases else early
    at_risk = (satisfaction < r.at_risk_satisfaction) | (rival_run >= r.at_risk_rival_purchases)
    kept = AT_RISK if at_risk else kept
    not_customer = CHURNED if churned else (AWARE if aware else PROSPECT)
    return kept if customer | bought else not_customer


# ---------------------------------------------------------------------- the engine's blocks of customers
# Blocks are C-ordered ``[rows, firms]`` arrays, read through flat views
# (relationship ``k = row * firms + firm``): compiled loops over a few firms
# per row run several times faster that way than through two indices.
@inlined
def switching_cost(contract: np.float32, state: int, bonus: np.float32) -> np.float32:
    """Switching costs of one relationship: the contract that binds a
    current customer (001) and the programmes' bonus (points, social
    bonds), in float32. Inertia is not a cost: it enters the choice on its
    own (:mod:`sim.choice`)."""
    return contract * (np.float32(1.0) if is_customer_rule(state) else np.float32(0.0)) + bonus


@compiled
def switching_costs(state: np.ndarray, contract: np.ndarray, bonus: np.ndarray, out: np.ndarray) -> None:
    """Switching costs of a block of customers (:func:`switching_cost`),
    ``[rows, firms]``; ``bonus`` is empty while no programme gives one."""
    n, firms = state.shape
    zero = np.float32(0.0)
    state, bonus, out = state.reshape(-1), bonus.reshape(-1), out.reshape(-1)
    for i in range(n):
        for j in range(firms):
            k = i * firms + j
            out[k] = switching_cost(contract[j], state[k], bonus[k] if bonus.size else zero)


@compiled
def switching_and_exponents(
    state: np.ndarray,
    contract: np.ndarray,
    bonus: np.ndarray,
    expectation: np.ndarray,
    price: np.ndarray,
    reference_price: np.ndarray,
    price_sensitivity: np.ndarray,
    present: np.ndarray,
    belief: np.ndarray,
    switching: np.ndarray,
    exponent: np.ndarray,
) -> None:
    """For a block of customers, ``[rows, firms]`` float32: switching costs
    (:func:`switching_cost`) and the exponents of cognitive loyalty's
    logistic (:func:`leads`, :func:`logistic_exponents`). A firm's value is
    the expected experience less ``belief[0]`` (``cognitive_price_weight``)
    x the price sensitivity x the price relative to the reference price,
    less 1; a firm is known to customers aware of it, while present;
    ``belief[1:]`` is the scale and the certain lead times the scale."""
    n, firms = state.shape
    one, zero = np.float32(1.0), np.float32(0.0)
    state, bonus, expectation = state.reshape(-1), bonus.reshape(-1), expectation.reshape(-1)
    switching, x = switching.reshape(-1), exponent.reshape(-1)
    known, left = np.empty(firms, np.bool_), np.empty(firms, np.float32)
    for i in range(n):
        for j in range(firms):
            k = i * firms + j
            switching[k] = switching_cost(contract[j], state[k], bonus[k] if bonus.size else zero)
            x[k] = expectation[k] - price_sensitivity[i] * (price[j] / reference_price[i] - one) * belief[0]
            known[j] = (state[k] != PROSPECT) & present[j]
        leads(x, i * firms, known, left, belief[2])
    logistic_exponents(x, belief[1], np.float32(LOGISTIC_CLIP))


@inlined
def latents_rule(
    term: np.float32, affect: np.float32, switching: np.float32, satisfaction: np.float32, r: Rules
) -> tuple[Real, Real, Real]:
    """Cognitive loyalty of one relationship, the logistic ``1 / (1 + term)``
    (``term``: the exponential of :func:`switching_and_exponents`'
    exponent), its intention to return and its likelihood to recommend."""
    one = np.float32(1.0)
    cognition = one / (term + one)
    return cognition, intention_rule(affect, switching, cognition, r), recommend_rule(satisfaction, affect, r)


@compiled
def derive_latents(
    affect: np.ndarray,
    switching: np.ndarray,
    satisfaction: np.ndarray,
    rules: tuple[Real, ...],
    cognition: np.ndarray,
    intent: np.ndarray,
    recommend: np.ndarray,
) -> None:
    """Cognitive loyalty (``cognition`` holds the term of its logistic on
    entry, :func:`latents_rule`), the intention to return and the
    likelihood to recommend of a block of customers. The term is read from
    the array it is replaced in: were it another array that might overlap
    ``cognition``, the compiled loop would check and run unvectorised."""
    r = Rules(*rules)
    affect, switching, satisfaction = affect.reshape(-1), switching.reshape(-1), satisfaction.reshape(-1)
    cognition, intent, recommend = cognition.reshape(-1), intent.reshape(-1), recommend.reshape(-1)
    for k in range(affect.shape[0]):
        cognition[k], intent[k], recommend[k] = latents_rule(cognition[k], affect[k], switching[k], satisfaction[k], r)


@compiled
def transitions(
    affect: np.ndarray,
    switching: np.ndarray,
    satisfaction: np.ndarray,
    rules: tuple[Real, ...],
    cognition: np.ndarray,
    intent: np.ndarray,
    recommend: np.ndarray,
    old: np.ndarray,
    bought: np.ndarray,
    purchases: np.ndarray,
    rival_run: np.ndarray,
    cohort: np.ndarray,
    since: np.ndarray,
    t: int,
    step: int,
    reported: bool,
    cohorts: int,
    new: np.ndarray,
    channel: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For a block of customers: the latents of each relationship that are
    its own (:func:`derive_latents`: ``cognition`` holds the term of its
    logistic on entry) and its next state
    (:func:`next_state_rule`, into ``new``), in one loop; then the
    acquisitions, win-backs and losses, then the acquisitions by the
    channel that made the customer aware (``channel``, :class:`Channel`
    order): the counts per firm (``[3 + channels, firms]``), the first acquisitions, which start this ``step``'s
    cohort if it is ``reported`` (``[firms]``), and the change of each
    cohort's losses (``[firms, cohorts]``: a loss counts against the
    relationship's cohort, a win-back undoes one; relationships acquired
    before the reported horizon have none). A relationship acquired or won
    back begins at step ``t`` (``since``: its tenure counts from there). A
    lost relationship's purchases start again from 0. Writes only the
    block's own rows."""
    firms = old.shape[1]
    r = Rules(*rules)
    affect, switching, satisfaction = affect.reshape(-1), switching.reshape(-1), satisfaction.reshape(-1)
    cognition, intent, recommend = cognition.reshape(-1), intent.reshape(-1), recommend.reshape(-1)
    old, bought, purchases, rival_run, cohort, new = (
        old.reshape(-1),
        bought.reshape(-1),
        purchases.reshape(-1),
        rival_run.reshape(-1),
        cohort.reshape(-1),
        new.reshape(-1),
    )
    since, channel = since.reshape(-1), channel.reshape(-1)
    # the latents and the next state: no branches, so the loop vectorises
    for k in range(old.shape[0]):
        c, it, rc = latents_rule(cognition[k], affect[k], switching[k], satisfaction[k], r)
        cognition[k], intent[k], recommend[k] = c, it, rc
        new[k] = next_state_rule(
            old[k],
            old[k] != PROSPECT,
            bought[k],
            purchases[k],
            rival_run[k],
            affect[k],
            switching[k],
            satisfaction[k],
            it,
            rc,
            r,
        )
    counts = np.zeros((3 + N_CHANNELS, firms), np.int64)
    first = np.zeros(firms, np.int64)
    delta = np.zeros((firms, cohorts), np.int64)
    for k in range(old.shape[0]):
        was, now = old[k], new[k]
        if was == now:  # most relationships keep their state: one cheap test
            continue
        j = k % firms
        if was == CHURNED:
            if is_customer_rule(now):  # won back
                counts[1, j] += 1
                since[k] = t
                if cohort[k] >= 0:
                    delta[j, cohort[k]] -= 1
        elif is_customer_rule(was):
            if now == CHURNED:  # lost
                counts[2, j] += 1
                if cohort[k] >= 0:
                    delta[j, cohort[k]] += 1
                purchases[k] = 0
        elif is_customer_rule(now):  # acquired
            counts[0, j] += 1
            counts[3 + channel[k], j] += 1
            since[k] = t
            if reported and cohort[k] < 0:
                cohort[k] = step
                first[j] += 1
    return counts, first, delta


# ---------------------------------------------------------------------- arrays of any shape
def cognitive(value: np.ndarray, available: np.ndarray, scale: float, certain_lead: float) -> np.ndarray:
    """Belief that each firm offers the best value: a logistic of its value
    lead over the best other known firm, in units of ``scale``
    (``cognitive_scale``), ``[n, firms]``. A firm with no known rival is
    credited ``certain_lead`` scales (``cognitive_certain_lead``: believed
    best with near certainty), a firm the customer does not know minus that.

    Not parameters: :data:`FLOOR` marks an unknown firm, and the clip at
    :data:`LOGISTIC_CLIP` scales only keeps ``exp`` finite (the logistic is
    1 or 0 to float32 precision beyond it)."""
    t = _weak(value)
    lead: np.ndarray = np.array(value, dtype=t, order="C")
    available = np.ascontiguousarray(np.broadcast_to(available, lead.shape), dtype=bool)
    _cognitive_rows(lead, available, t(scale), t(scale * certain_lead), t(LOGISTIC_CLIP))
    np.exp(lead, out=lead)
    lead += 1.0
    cognition: np.ndarray = np.divide(1.0, lead, out=lead).astype(np.float32, copy=False)
    return cognition


@compiled
def _cognitive_rows(value: np.ndarray, available: np.ndarray, scale: float, certain: float, limit: float) -> None:
    """``[n, firms]`` values replaced by the exponents of cognitive loyalty's logistic."""
    left = np.empty(value.shape[1], value.dtype)
    for i in range(value.shape[0]):
        leads(value.reshape(-1), i * value.shape[1], available[i], left, certain)
    logistic_exponents(value.reshape(-1), scale, limit)


def _cells(*arrays: np.ndarray) -> tuple[tuple[int, ...], list[np.ndarray]]:
    """The shape the arrays broadcast to, and each of them broadcast, flat and contiguous."""
    arrays = np.broadcast_arrays(*arrays)
    return arrays[0].shape, [np.ascontiguousarray(a).reshape(-1) for a in arrays]


def intention(affect: np.ndarray, switching: np.ndarray, cognition: np.ndarray, cfg: LoyaltyConfig) -> np.ndarray:
    """Conative loyalty: the intention to return (0-1). Switching costs count
    up to 1 (a contract can exceed it): with weights summing to 1 the
    intention stays on the 0-1 scale of its parts, a definition."""
    types = dict(affect=_weak(affect), switching=_weak(switching), cognition=_weak(cognition))
    shape, (affect_at, switching_at, cognition_at) = _cells(affect, switching, cognition)
    out = np.empty(shape, np.result_type(*types.values()))
    _intentions(affect_at, switching_at, cognition_at, rules(cfg, **types), out.reshape(-1))
    return out


@compiled
def _intentions(
    affect: np.ndarray, switching: np.ndarray, cognition: np.ndarray, rules: tuple[Real, ...], out: np.ndarray
) -> None:
    r = Rules(*rules)
    for k in range(out.shape[0]):
        out[k] = intention_rule(affect[k], switching[k], cognition[k], r)


def recommend_score(satisfaction: np.ndarray, affect: np.ndarray, cfg: LoyaltyConfig) -> np.ndarray:
    """Likelihood to recommend, a whole number on the 0-10 survey scale
    (Reichheld 2003; promoters from ``promoter_recommend``, detractors up to
    ``detractor_recommend``). Affect counts from its middle, 0.5, so that
    ``recommend_midpoint`` is the answer of a customer met exactly with
    middling affect: a centring that defines the midpoint, not a parameter
    (any other centre is the same model with another midpoint)."""
    types = dict(satisfaction=_weak(satisfaction), affect=_weak(affect))
    shape, (satisfaction_at, affect_at) = _cells(satisfaction, affect)
    out = np.empty(shape, np.result_type(*types.values()))
    _recommend_scores(satisfaction_at, affect_at, rules(cfg, **types), out.reshape(-1))
    return out


@compiled
def _recommend_scores(satisfaction: np.ndarray, affect: np.ndarray, rules: tuple[Real, ...], out: np.ndarray) -> None:
    r = Rules(*rules)
    for k in range(out.shape[0]):
        out[k] = recommend_rule(satisfaction[k], affect[k], r)


def next_state(
    state: np.ndarray,
    aware: np.ndarray,
    bought: np.ndarray,
    purchases: np.ndarray,
    rival_run: np.ndarray,
    affect: np.ndarray,
    switching: np.ndarray,
    satisfaction: np.ndarray,
    intent: np.ndarray,
    recommend: np.ndarray,
    cfg: LoyaltyConfig,
) -> np.ndarray:
    """The state of each relationship after this step's events.

    Prospects become aware, buyers enter the ladder, churned customers who buy
    again are won back (002). Established customers are captive when switching
    costs hold them without affect (001), loyal when attached and intending to
    return, advocates when also very satisfied, intending to stay and
    recommending, i.e. promoters (001's three conditions), and at risk when
    dissatisfied (cumulative satisfaction below the adequate level) or
    lapsing to rivals. Relationships end by the relationship hazard (the
    defections phase), not here.
    """
    latents = dict(affect=affect, switching=switching, satisfaction=satisfaction, intent=intent, recommend=recommend)
    shape, cells = _cells(state, aware, bought, purchases, rival_run, *latents.values())
    state_at, aware_at, bought_at, purchases_at, rival_run_at, *latents_at = cells
    affect_at, switching_at, satisfaction_at, intent_at, recommend_at = latents_at
    out = np.empty(shape, np.int8)
    _next_states(
        state_at,
        aware_at,
        bought_at,
        purchases_at,
        rival_run_at,
        affect_at,
        switching_at,
        satisfaction_at,
        intent_at,
        recommend_at,
        rules(cfg, **{name: _weak(x) for name, x in latents.items()}),
        out.reshape(-1),
    )
    return out


@compiled
def _next_states(
    state: np.ndarray,
    aware: np.ndarray,
    bought: np.ndarray,
    purchases: np.ndarray,
    rival_run: np.ndarray,
    affect: np.ndarray,
    switching: np.ndarray,
    satisfaction: np.ndarray,
    intent: np.ndarray,
    recommend: np.ndarray,
    rules: tuple[Real, ...],
    out: np.ndarray,
) -> None:
    r = Rules(*rules)
    for k in range(out.shape[0]):
        out[k] = next_state_rule(
            state[k],
            aware[k],
            bought[k],
            purchases[k],
            rival_run[k],
            affect[k],
            switching[k],
            satisfaction[k],
            intent[k],
            recommend[k],
            r,
        )
