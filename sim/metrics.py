"""Per-firm metrics of a step and of a run.

The step metrics are computed from the populations and the step's events;
:func:`summarise` turns the step table into the per-firm summary of a run.
"""

from __future__ import annotations

import functools
import math
import operator
from typing import TYPE_CHECKING, Any, Iterable, Sequence

import numpy as np
import pandas as pd

from agents.compiled import compiled
from sim.records import FirmStepEvents  # noqa: F401  (re-exported: events were defined here)
from sim.records import required
from agents.states import CHANNEL_NAMES, N_STATES, STATE_NAMES, LoyaltyState
from sim.survey import SURVEY_METRICS, new_counts, scales, survey_columns, survey_tallies

FIRST_TIME, CHURNED = int(LoyaltyState.FIRST_TIME), int(LoyaltyState.CHURNED)

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import LoyaltyModel
    from sim.records import StepRecord

#: step-table columns besides step, firm, firm_index and the ledger's accounts
METRICS = (
    "customers",
    "market_share",
    "customer_share",
    "retention_rate",
    "churn_rate",
    "lost",
    "exits",
    "acquisitions",
    *(f"acquisitions_{name}" for name in CHANNEL_NAMES),
    "win_backs",
    "deal_seeker_share",
    "mean_satisfaction",
    "promoter_score",
    "mean_expectation",
    "mean_affect",
    "mean_cognitive",
    "mean_intention",
    "repeat_rate",
    "visits",
    "purchases",
    "purchase_revenue",
    "list_revenue",
    "unlifted_list_revenue",
    "failures",
    "delighted",
    "disappointed",
    "complaints",
    "recoveries",
    "clv",
    "top20_revenue_share",
    "headcount",
    "staff_engagement",
    "staff_turnover",
    "service_level",
    "service_spread",
    "workload",
    *SURVEY_METRICS,
    *(f"n_{name}" for name in STATE_NAMES),
)
#: the step-table columns of the customers in each state
_STATE_COLUMNS = METRICS[-N_STATES:]
_METRIC_NAMES = frozenset(METRICS)


def top_share(values: np.ndarray, top: float = 0.2) -> float:
    """Share of the total held by the top ``top`` fraction of values (80/20).
    The 0.2 defines the metric (``top20_revenue_share``: the Pareto top
    fifth), it is not a parameter of the market."""
    values = np.asarray(values)
    total = values.sum(dtype=np.float64)
    if len(values) == 0 or total <= 0:
        return float("nan")
    k = max(1, int(round(top * len(values))))
    return float(np.partition(values, len(values) - k)[len(values) - k :].sum(dtype=np.float64) / total)


#: customers of a firm up to which :func:`_exact_top_shares` works out its top
#: share (beyond, numpy's vectorised partition is the faster)
_COMPILED_TOP_SHARE_UP_TO = 16384


@compiled
def _exact_top_shares(
    spend: np.ndarray, customers: np.ndarray, top_k: np.ndarray, share: np.ndarray, exact: np.ndarray
) -> None:
    """:func:`top_share` of each firm's values ``spend[f, :customers[f]]``
    (the top ``top_k[f]`` of them), where the float64 sums are exact: the
    values are multiples of ``2**g`` (``g`` below the last bit of the
    smallest nonzero value) and the sum of their magnitudes is below
    ``2**(52 + g)``, so every partial sum is a float64 and any order of
    summation gives numpy's pairwise sums to the bit (and the top values
    are chosen in place: ``spend`` is left rearranged). ``exact[f]`` is False
    where that does not hold (non-finite values, too wide a range) or the
    firm has more than ``_COMPILED_TOP_SHARE_UP_TO`` customers: the caller
    uses :func:`top_share` there. The total is typically about 1e6 times
    the smallest nonzero revenue, well below the 2**28 allowed."""
    for f in range(len(customers)):
        m, k = customers[f], top_k[f]
        if m > _COMPILED_TOP_SHARE_UP_TO:
            exact[f] = False
            continue
        values = spend[f, :m]
        total, magnitude, smallest = 0.0, 0.0, np.inf
        for i in range(m):
            v = np.float64(values[i])
            total += v
            magnitude += abs(v)
            if v != 0.0 and abs(v) < smallest:
                smallest = abs(v)
        # a NaN or an infinity leaves the magnitude non-finite
        exact[f] = np.isfinite(magnitude) and (
            smallest == np.inf or magnitude < math.ldexp(1.0, 52 + math.frexp(smallest)[1] - 24)
        )
        if not exact[f]:
            continue
        if m == 0 or total <= 0:
            share[f] = np.nan
            continue
        _select(values, m - k)
        top_sum = 0.0
        for i in range(m - k, m):
            top_sum += np.float64(values[i])
        share[f] = top_sum / total


@compiled
def _select(values: np.ndarray, kth: int) -> None:
    """Rearrange ``values`` (finite) in place so that ``values[kth:]`` are
    its ``len - kth`` largest (quickselect, Hoare's partition around a
    median of three)."""
    lo, hi = 0, len(values) - 1
    while lo < hi:
        a, b, c = values[lo], values[(lo + hi) // 2], values[hi]
        pivot = max(min(a, b), min(max(a, b), c))
        i, j = lo, hi
        while i <= j:
            while values[i] < pivot:
                i += 1
            while values[j] > pivot:
                j -= 1
            if i <= j:
                values[i], values[j] = values[j], values[i]
                i += 1
                j -= 1
        if kth <= j:
            hi = j
        elif kth >= i:
            lo = i
        else:
            return


#: the relationship columns averaged over each firm's customers, in the order of their metrics
MEAN_SOURCES = ("satisfaction", "expectation", "affect", "cognitive", "intention", "behaviour")


@compiled
def _customer_tallies(
    state: np.ndarray,
    recommend: np.ndarray,
    deal_proneness: np.ndarray,
    promoter_from: float,
    detractor_to: float,
    seeker_from: float,
    revenue: np.ndarray,
    start: int,
    stop: int,
    counts: np.ndarray,
    tallies: np.ndarray,
    weight: np.ndarray,
    spend: np.ndarray,
) -> None:
    """One pass over each firm's relationships of the rows ``start:stop``:
    customers in each state (``counts``, ``[firms, states]``); customers,
    promoters, detractors and deal-seekers among its customers (``tallies``,
    ``[4, firms]``); whether the relationship is a customer's (``weight``, 1
    or 0 in float32); its customers' revenue in row order from the block's
    first row on (``spend[f, start:start + customers]``). Writes only the
    block's rows."""
    F = state.shape[1]
    for f in range(F):
        customers, promoters, detractors, seekers = 0, 0, 0, 0
        for i in range(start, stop):
            s = state[i, f]
            if s < 0 or s >= N_STATES:
                raise ValueError("a loyalty state out of range")
            counts[f, s] += 1
            customer = s >= FIRST_TIME and s != CHURNED
            weight[i, f] = np.float32(1.0) if customer else np.float32(0.0)
            if customer:
                spend[f, start + customers] = revenue[i, f]
                customers += 1
                r = recommend[i, f]
                promoters += r >= promoter_from
                detractors += r <= detractor_to
                seekers += deal_proneness[i] >= seeker_from
        tallies[0, f], tallies[1, f], tallies[2, f], tallies[3, f] = customers, promoters, detractors, seekers


@compiled
def _staff_tallies(
    firm: np.ndarray, employed: np.ndarray, engagement: np.ndarray, people: np.ndarray, engaged: np.ndarray
) -> None:
    """Employed people of each firm and the sum of their engagement (in
    position order, as ``np.bincount`` sums its weights)."""
    for p in range(len(firm)):
        if employed[p]:
            people[firm[p]] += 1
            engaged[firm[p]] += np.float64(engagement[p])


@functools.lru_cache(maxsize=64)
def _thresholds(promoter: float, detractor: float, deal_seeker: float) -> tuple[float, float, float]:
    """The promoter, detractor and deal-seeker thresholds as float32 columns
    (likelihood to recommend, deal proneness) are compared with them: a
    Python number taken as float32, as numpy does (NEP 50)."""
    return float(np.float32(promoter)), float(np.float32(detractor)), float(np.float32(deal_seeker))


def step_metrics(model: "LoyaltyModel", step: "StepRecord") -> list[dict[str, Any]]:
    """One record per firm for the step just closed, from the populations and
    the step's records (events, latents, workload, smoothed churn, accounts).

    The promoter score is the share of promoters (likelihood to recommend at
    least ``loyalty.promoter_recommend``) less the share of detractors (at
    most ``loyalty.detractor_recommend``), in points (Reichheld 2003).
    Customer lifetime value is the margin per customer of the step times
    ``r / (1 + d - r)``: retention ``r`` (one less the smoothed churn of
    :mod:`sim.phases.churn_smoothing`) and discount rate ``d`` per step, an
    infinite horizon of constant margin and retention (Gupta & Lehmann 2003;
    Berger & Nasr 1998); NaN where retention is too high for it to converge.

    The counts, which relationships are customers' and the customers'
    revenue come from one compiled pass over the relationships, block by
    block of rows (:func:`_customer_tallies`); the means are float64 sums
    of the columns over the customers, in row order whatever the blocks,
    worked out in one call with the top shares and the staff's tallies
    (:func:`_firm_totals`). The per-firm arithmetic is on Python
    floats (a few firms: the same IEEE operations as numpy's, without its
    per-call cost).
    """
    cust, F = model.customers, model.n_firms
    ev, accounts = step.events, required(step.accounts, "step.accounts")
    lat, lc = required(step.latents, "step.latents"), model.config.loyalty
    weight = np.empty((cust.n, F), dtype=np.float32)
    spend = np.empty((F, cust.n), dtype=np.float32)
    thresholds = _thresholds(
        lc.promoter_recommend, lc.detractor_recommend, model.config.customers.deal_seeker_threshold
    )

    survey_scales = scales(model.config.survey)

    def rule(rows: slice) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        counts, tallies = np.zeros((F, N_STATES), dtype=np.int64), np.zeros((4, F), dtype=np.int64)
        _customer_tallies(
            cust.state,
            lat.recommend,
            cust.deal_proneness,
            *thresholds,
            cust.revenue,
            rows.start,
            rows.stop,
            counts,
            tallies,
            weight,
            spend,
        )
        answers = new_counts(F)  # the survey view's answers (sim/survey.py)
        survey_tallies(
            cust.state, cust.satisfaction, lat.intention, lat.recommend, *survey_scales, rows.start, rows.stop, answers
        )
        return counts, tallies, answers

    blocks = model.blocks.map(rule, cust.n)
    counts, tallies, answers = blocks[0]
    if len(blocks) > 1:  # each block's customers' revenue after the last block's
        counts, tallies = _summed(b[0] for b in blocks), _summed(b[1] for b in blocks)
        answers = _summed(b[2] for b in blocks)
        starts = [rows.start for rows in model.blocks.slices(cust.n)]
        spend = _joined(spend, starts, [b[1][0] for b in blocks])
    n_cust, promoters, detractors, deal = tallies.tolist()
    safe = [max(k, 1) for k in n_cust]
    staff = model.staff
    totals = np.zeros((_TOTALS, F))
    _firm_totals(
        cust.satisfaction,
        cust.expectation,
        cust.affect,
        lat.cognitive,
        lat.intention,
        cust.behaviour,
        weight,
        spend,
        tallies[0],
        staff.firm,
        staff.employed,
        staff.engagement,
        totals,
    )
    total_rows = totals.tolist()
    means = [[x / k for x, k in zip(row, safe)] for row in total_rows[: len(MEAN_SOURCES)]]
    top = _or_numpys_top_shares(spend, n_cust, total_rows[_TOP_SHARE], total_rows[_TOP_SHARE + 1])
    people, engaged = total_rows[_TOP_SHARE + 2], total_rows[_TOP_SHARE + 3]
    revenue, cogs = accounts["revenue"].tolist(), accounts["cost_of_goods"].tolist()
    total_rev = float(accounts["revenue"].sum())
    all_customers = max(sum(n_cust), 1)
    d = model.ledger.step_discount**-1 - 1

    def floats(a: np.ndarray) -> list[float]:
        as_list: list[float] = np.asarray(a, dtype=np.float64).tolist()
        return as_list

    churn = required(step.churn, "step.churn")
    churn_rate, smoothed = floats(churn.rate), floats(churn.smoothed)
    clv = []
    for f, s in enumerate(smoothed):
        r = 1 - s
        clv.append((revenue[f] - cogs[f]) / safe[f] * r / (1 + d - r) if r < 1 + d else math.nan)
    service_level, service_spread = [], []
    visit_counts = floats(ev.visits)
    purchase_revenue, list_revenue = floats(ev.purchase_revenue), floats(ev.list_revenue)
    unlifted = floats(ev.unlifted_list_revenue)
    for visits, service_sum, service_sq in zip(visit_counts, floats(ev.service_sum), floats(ev.service_sq)):
        visits = max(visits, 1)
        svc_mean = service_sum / visits
        service_level.append(svc_mean)
        service_spread.append(math.sqrt(max(service_sq / visits - svc_mean**2, 0.0)))
    # the counts as whole numbers (one float64 table when any is float, as np.array makes it)
    event_counts = np.concatenate(
        (
            ev.lost,
            ev.exits,
            ev.acquisitions,
            ev.win_backs,
            ev.purchases,
            ev.failures,
            ev.delighted,
            ev.disappointed,
            ev.complaints,
            ev.recoveries,
            ev.acquisitions_prior,
            ev.acquisitions_advertising,
            ev.acquisitions_referral,
        )
    )
    event_counts = event_counts.astype(np.int64).tolist()
    (
        lost,
        exits,
        acquisitions,
        win_backs,
        purchases,
        failures,
        delighted,
        disappointed,
        complaints,
        recoveries,
        *by_channel,
    ) = (event_counts[k : k + F] for k in range(0, 13 * F, F))
    satisfaction, expectation, affect, cognitive, intention, behaviour = means
    headcount = floats(ev.headcount)
    leaving, workload = floats(ev.leavers), floats(required(step.staff, "step.staff").workload)
    if not _METRIC_NAMES.isdisjoint(accounts):
        raise RuntimeError(f"a ledger category shadows a metric: {sorted(_METRIC_NAMES & set(accounts))}")
    by_firm = np.concatenate(tuple(accounts.values()), dtype=np.float64).reshape(-1, F).T.tolist()
    in_state = counts.tolist()
    survey = survey_columns(answers)
    share_of_revenue = total_rev > 0
    rows = []
    for f, firm in enumerate(model.firms):
        rows.append(
            {
                "step": model.steps,
                "firm": firm.name,
                "firm_index": f,
                **dict(zip(accounts, by_firm[f])),
                "customers": n_cust[f],
                "market_share": revenue[f] / total_rev if share_of_revenue else 0.0,
                "customer_share": n_cust[f] / all_customers,
                "retention_rate": 1 - churn_rate[f],
                "churn_rate": churn_rate[f],
                "lost": lost[f],
                "exits": exits[f],
                "acquisitions": acquisitions[f],
                **{f"acquisitions_{name}": counts[f] for name, counts in zip(CHANNEL_NAMES, by_channel)},
                "win_backs": win_backs[f],
                "deal_seeker_share": deal[f] / safe[f],
                "mean_satisfaction": satisfaction[f],
                "promoter_score": 100.0 * (promoters[f] - detractors[f]) / safe[f],
                "mean_expectation": expectation[f],
                "mean_affect": affect[f],
                "mean_cognitive": cognitive[f],
                "mean_intention": intention[f],
                "repeat_rate": behaviour[f],
                "visits": visit_counts[f],
                "purchases": purchases[f],
                "purchase_revenue": purchase_revenue[f],
                "list_revenue": list_revenue[f],
                "unlifted_list_revenue": unlifted[f],
                "failures": failures[f],
                "delighted": delighted[f],
                "disappointed": disappointed[f],
                "complaints": complaints[f],
                "recoveries": recoveries[f],
                "clv": clv[f],
                "top20_revenue_share": top[f],
                "headcount": headcount[f],
                "staff_engagement": engaged[f] / max(people[f], 1),
                "staff_turnover": leaving[f] / max(headcount[f], 1e-9),
                "service_level": service_level[f],
                "service_spread": service_spread[f],
                "workload": workload[f],
                **{name: survey[name][f] for name in SURVEY_METRICS},
                **dict(zip(_STATE_COLUMNS, in_state[f])),
            }
        )
    if rows and tuple(rows[0])[3 + len(accounts) :] != METRICS:  # pragma: no cover - a metric listed in one place only
        raise RuntimeError(f"the step metrics differ from METRICS: {sorted(set(rows[0]) ^ set(METRICS))}")
    return rows


#: rows of :func:`_firm_totals`' table: the sums of :data:`MEAN_SOURCES`, then
#: the top share, whether it is exact, the people employed and their engagement
_TOP_SHARE = len(MEAN_SOURCES)
_TOTALS = _TOP_SHARE + 4


@compiled
def _firm_totals(
    satisfaction: np.ndarray,
    expectation: np.ndarray,
    affect: np.ndarray,
    cognitive: np.ndarray,
    intention: np.ndarray,
    behaviour: np.ndarray,
    weight: np.ndarray,
    spend: np.ndarray,
    customers: np.ndarray,
    staff_firm: np.ndarray,
    employed: np.ndarray,
    engagement: np.ndarray,
    totals: np.ndarray,
) -> None:
    """What :func:`step_metrics` sums after the tallies, in one call, into
    the rows of ``totals`` (zeroed, ``[_TOTALS, firms]``): the sums over
    each firm's customers (:func:`_sums_over_customers`), the top fifth's
    share of their revenue where it is exact
    (:func:`_exact_top_fifth_shares`) and 1 where it is, the people each
    firm employs and the sum of their engagement (:func:`_staff_tallies`)."""
    F = weight.shape[1]
    _sums_over_customers(
        satisfaction, expectation, affect, cognitive, intention, behaviour, weight, totals[:_TOP_SHARE]
    )
    share, exact = np.empty(F), np.empty(F, np.bool_)
    _exact_top_fifth_shares(spend, customers, share, exact)
    people, engaged = np.zeros(F, np.int64), np.zeros(F)
    _staff_tallies(staff_firm, employed, engagement, people, engaged)
    for f in range(F):
        totals[_TOP_SHARE, f] = share[f] if exact[f] else 0.0
        totals[_TOP_SHARE + 1, f] = 1.0 if exact[f] else 0.0
        totals[_TOP_SHARE + 2, f] = people[f]
        totals[_TOP_SHARE + 3, f] = engaged[f]


@compiled
def _sums_over_customers(
    satisfaction: np.ndarray,
    expectation: np.ndarray,
    affect: np.ndarray,
    cognitive: np.ndarray,
    intention: np.ndarray,
    behaviour: np.ndarray,
    weight: np.ndarray,
    out: np.ndarray,
) -> None:
    """``out[k, f]``: the float64 sum of column ``k`` (in the order of
    :data:`MEAN_SOURCES`) over the rows where ``weight[:, f]`` is not 0."""
    n, F = weight.shape
    for i in range(n):
        for f in range(F):
            if weight[i, f] != 0:
                out[0, f] += satisfaction[i, f]
                out[1, f] += expectation[i, f]
                out[2, f] += affect[i, f]
                out[3, f] += cognitive[i, f]
                out[4, f] += intention[i, f]
                out[5, f] += behaviour[i, f]


def _summed(arrays: Iterable[np.ndarray]) -> np.ndarray:
    """The blocks' tables (counts) added in order: ``sum(arrays)`` without its start of 0."""
    total: np.ndarray = functools.reduce(operator.add, arrays)
    return total


def _joined(spend: np.ndarray, starts: list[int], customers: list[np.ndarray]) -> np.ndarray:
    """Each firm's customers' revenue of all blocks, in block order: block
    ``b`` left its customers' at ``spend[f, starts[b]:]``."""
    out = np.empty_like(spend)
    for f in range(len(spend)):
        k = 0
        for start, count in zip(starts, customers):
            out[f, k : k + count[f]] = spend[f, start : start + count[f]]
            k += count[f]
    return out


def _top_shares(spend: np.ndarray, customers: np.ndarray) -> list[float]:
    """:func:`top_share` of each firm's customers' revenue
    (``spend[f, :customers[f]]``): compiled where its sums are exact
    (:func:`_exact_top_fifth_shares`, as :func:`_firm_totals` works them
    out), else numpy's (:func:`_or_numpys_top_shares`)."""
    F = len(customers)
    share, exact = np.empty(F), np.empty(F, dtype=np.bool_)
    _exact_top_fifth_shares(spend, customers, share, exact)
    return _or_numpys_top_shares(spend, customers.tolist(), share.tolist(), exact.tolist())


def _or_numpys_top_shares(
    spend: np.ndarray, customers: list[int], share: list[float], exact: Sequence[float]
) -> list[float]:
    """Each firm's compiled top share where it is exact (``exact``: true or non-zero), else numpy's
    :func:`top_share` of its customers' revenue."""
    return [s if ok else top_share(spend[f, : customers[f]]) for f, (s, ok) in enumerate(zip(share, exact))]


@compiled
def _exact_top_fifth_shares(spend: np.ndarray, customers: np.ndarray, share: np.ndarray, exact: np.ndarray) -> None:
    """:func:`_exact_top_shares` of the top fifth of each firm's customers
    (at least one; the count rounded half to even, as Python's ``round``)."""
    top_k = np.empty(len(customers), np.int64)
    for f in range(len(customers)):
        top_k[f] = max(np.int64(1), np.int64(np.rint(0.2 * customers[f])))
    _exact_top_shares(spend, customers, top_k, share, exact)


def annual_churn(lost: Any, mean_customers: Any, years: Any) -> Any:
    """Relationships lost a year per customer: the customers lost over a
    period over their mean number (at least one) and the period's years;
    annual retention is 1 less it. The one definition of the run tables
    (:func:`summarise`), the reports' trailing-year figures and the
    classroom's cards, for numbers, arrays or Series alike."""
    return lost / np.maximum(mean_customers, 1) / years


def summarise(table: pd.DataFrame, steps_per_year: float) -> pd.DataFrame:
    """Per-firm summary of a run: money over the horizon, annual retention
    and churn, states at the end, mean satisfaction and promoter score, and
    the survey view (:data:`sim.survey.SURVEY_METRICS`: top-box shares and
    mean answers), each a mean over the horizon's steps."""
    if table.empty:
        return pd.DataFrame()
    g = table.groupby("firm", sort=False)
    last = g.tail(1).set_index("firm")
    years = g["step"].count() / steps_per_year
    churn = annual_churn(g["lost"].sum(), g["customers"].mean(), years)
    out = pd.DataFrame(
        {
            "profit": g["profit"].sum(),
            "npv": last["npv"],
            "revenue": g["revenue"].sum(),
            "market_share": g["market_share"].mean(),
            "retention_rate": 1 - churn,
            "churn_rate": churn,
            "customers": last["customers"],
            "mean_satisfaction": g["mean_satisfaction"].mean(),
            "promoter_score": g["promoter_score"].mean(),
            "deal_seeker_share": last["deal_seeker_share"],
            "top20_revenue_share": last["top20_revenue_share"],
        }
    )
    for name in SURVEY_METRICS:
        out[name] = g[name].mean()
    for name in STATE_NAMES:
        out[f"n_{name}"] = last[f"n_{name}"]
    return out
