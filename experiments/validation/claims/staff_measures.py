"""The service-profit chain across a sweep of staff turnover (Heskett,
Jones, Loveman, Sasser & Schlesinger 1994, 'Putting the service-profit chain
to work': the fifth of stores with the lowest staff turnover had double the
sales and 55% higher profit of the fifth with the highest).

Heskett et al. compared the stores of one chain, each with its own
turnover. The probe reads that as turnover the store's own management
makes, which its rivals do not share: in each market of the sweep the
focal firm's staff leave at one level of turnover (its
``staff_turnover_factor``), its rivals' at the market's rate, from the
start of the burn-in, so that its staff, customers and books have settled
at that turnover when the horizon begins; each replication compares the
fifth of markets with the lowest turnover with the fifth with the highest,
and splits the profit gap into its sources. A second probe reads the chain's links as Rucci, Kirn & Quinn
found them at Sears (:func:`employee_customer_chain_probe`)."""

from __future__ import annotations

import copy
import dataclasses
from typing import Callable, Sequence

import numpy as np

from experiments.validation.claims.evidence import Evidence
from experiments.validation.claims.probe_measures import probe
from experiments.validation.claims.probes import _single_threaded
from sim.config import MarketConfig
from sim.units import StepLength

#: the focal staff's base turnover (a year, at engagement 0.5) of the sweep's ten markets, evenly spaced on
#: a log scale from 0.1 to 3 (the chance that a given employee leaves within a year: 10% to 95%)
TURNOVER_SWEEP = tuple(float(f"{x:.3g}") for x in np.geomspace(0.1, 3.0, 10))
#: the columns of the focal firm's books the probe sums over the horizon, for each market
BOOKS = ("revenue", "cost_of_goods", "serving", "wages", "hiring", "complaint_costs", "profit")
#: the sweep's fifths: the two markets of lowest and the two of highest turnover
LOW_FIFTH, HIGH_FIFTH = (0, 1), (len(TURNOVER_SWEEP) - 2, len(TURNOVER_SWEEP) - 1)
#: the markets the probe runs: the two fifths the claims compare
COMPARED = (*LOW_FIFTH, *HIGH_FIFTH)


def turnover_sweep_probe(market: MarketConfig, seed: int, firm: int = 0) -> dict:
    """The focal firm's books (:data:`BOOKS`) over the horizon in the
    markets of the sweep's two fifths (``<book>_<k>``, market ``k`` of
    :data:`TURNOVER_SWEEP`; the middle fifths do not enter the comparison
    and are not run): ``firm``'s staff leave at that level of turnover
    through the burn-in and the horizon, its rivals' at the market's."""
    from sim.model import LoyaltyModel

    if market.staff.turnover_per_year <= 0:
        raise ValueError(
            f"staff.turnover_per_year = {market.staff.turnover_per_year}: the sweep's levels are "
            "multiples of it, so it must be above 0"
        )
    market = _single_threaded(market)
    out = {}
    for k in COMPARED:
        factor = TURNOVER_SWEEP[k] / market.staff.turnover_per_year
        firms = [
            dataclasses.replace(f, staff_turnover_factor=factor) if i == firm else f for i, f in enumerate(market.firms)
        ]
        table = LoyaltyModel(market=dataclasses.replace(market, firms=firms), seed=seed).run()
        mine = table[table["firm_index"] == firm]
        for book in BOOKS:
            out[f"{book}_{k}"] = float(mine[book].sum())
    return out


#: Rucci, Kirn & Quinn 1998, "The employee-customer-profit chain at Sears": 5 units more employee attitude
#: drove 1.3 units more customer impression (which drove 0.5% more revenue growth)
SEARS_ATTITUDE, SEARS_IMPRESSION = 5.0, 1.3


def employee_customer_chain_probe(
    market: MarketConfig, seed: int, firm: int = 0, lift: float = 0.05, settle_weeks: float = 52.0
) -> dict:
    """The employee-customer-profit chain of Sears, read in the model. After
    the burn-in the market is copied; in one copy ``firm``'s staff gain
    ``lift`` of engagement (its ``morale`` lever) for the whole run, against
    the unchanged copy (common random numbers). Read after the first
    ``settle_weeks`` (engagement settles in weeks, satisfaction over many
    purchases; Sears's links ran from one quarter to the next), it returns
    the changes of the firm's mean staff engagement and of its customers'
    mean answer to the five-point satisfaction question, both in points of
    a 0-100 scale (the answer's 1-5 mapped onto it), and of its revenue, in
    % (``attitude``, ``impression``, ``revenue``); and each link per Sears's
    step: the impression per 5 points of attitude (``impression_per_5``),
    the revenue per 1.3 points of impression (``revenue_per_1_3``) and the
    whole chain, revenue per 5 points of attitude (``revenue_per_5``).
    Sears's indices are its own: reading a unit as a point of 0-100 is an
    assumption, so these are reported beside Sears's figures, not judged
    against them (docs/model.md)."""
    from sim.model import LoyaltyModel

    settled = StepLength(market.steps_per_year).whole_steps(settle_weeks)
    if settled >= market.steps:
        raise ValueError(f"the horizon ({market.steps} steps) must outlast {settled} steps of settling")
    base = LoyaltyModel(market=_single_threaded(market), seed=seed)
    rows = {}
    for morale in (0.0, lift):
        model = copy.deepcopy(base)
        model.firms[firm].morale = morale
        table = model.run()
        mine = table[(table["firm_index"] == firm) & (table["step"] > settled)]
        rows[morale] = (
            100.0 * float(mine["staff_engagement"].mean()),
            100.0 * float(((mine["mean_csat_5"] - 1.0) / 4.0).mean()),
            float(mine["revenue"].sum()),
        )
    (e0, c0, r0), (e1, c1, r1) = rows[0.0], rows[lift]
    attitude, impression, revenue = e1 - e0, c1 - c0, 100.0 * (r1 / r0 - 1.0)
    return {
        "attitude": attitude,
        "impression": impression,
        "revenue": revenue,
        "impression_per_5": impression * SEARS_ATTITUDE / attitude,
        "revenue_per_1_3": revenue * SEARS_IMPRESSION / impression,
        "revenue_per_5": revenue * SEARS_ATTITUDE / attitude,
    }


def _fifth(ev: Evidence, markets: Sequence[int], book: str) -> np.ndarray:
    return np.mean([probe(ev, f"{book}_{k}") for k in markets], axis=0)


def fifths_gap(book: str) -> Callable[[Evidence], np.ndarray]:
    """The lowest-turnover fifth's ``book`` minus the highest's; its level is the highest's."""
    from experiments.validation.claims.measures import with_level

    return with_level(
        lambda ev: _fifth(ev, LOW_FIFTH, book) - _fifth(ev, HIGH_FIFTH, book), lambda ev: _fifth(ev, HIGH_FIFTH, book)
    )


def fifths_ratio(book: str) -> Callable[[Evidence], np.ndarray]:
    """The lowest-turnover fifth's ``book`` over the highest's, less one
    (0.55: 55% more)."""
    return lambda ev: _fifth(ev, LOW_FIFTH, book) / _fifth(ev, HIGH_FIFTH, book) - 1.0


def fifths_gap_not_hiring(ev: Evidence) -> np.ndarray:
    """The share of the fifths' profit gap that is not the hiring cost the
    lowest-turnover fifth saves: what the service-profit chain earns
    (margin on sales, complaint handling) rather than the cost of replacing
    people."""
    profit, hiring = fifths_gap("profit")(ev), fifths_gap("hiring")(ev)
    return 1.0 + hiring / profit
