"""The service-profit chain across a sweep of staff turnover (Heskett,
Jones, Loveman, Sasser & Schlesinger 1994, 'Putting the service-profit chain
to work': the fifth of stores with the lowest staff turnover had double the
sales and 55% higher profit of the fifth with the highest).

A probe burns one market in, copies it once for each level of the staff's
base turnover of the sweep and runs each copy for the horizon (common random
numbers: the copies start alike and differ only in turnover from then on),
so each replication compares the fifth of markets with the lowest turnover
with the fifth with the highest, and splits the profit gap into its
sources."""

from __future__ import annotations

import copy
import dataclasses
from typing import Callable, Sequence

import numpy as np

from experiments.claims.evidence import Evidence, per_replication, quit_rate
from experiments.claims.probe_measures import probe
from experiments.claims.probes import _single_threaded
from sim.config import MarketConfig

#: the staff's base turnover (a year) of the sweep's ten markets, evenly spaced on a log scale from 0.1
#: (10% of staff leave a year) to 3 (95%): the range of store turnover in retail
TURNOVER_SWEEP = tuple(float(f"{x:.3g}") for x in np.geomspace(0.1, 3.0, 10))
#: the columns of the focal firm's books the probe sums over the horizon, for each market
BOOKS = ("revenue", "cost_of_goods", "serving", "wages", "hiring", "complaint_costs", "profit")
#: the sweep's fifths: the two markets of lowest and the two of highest turnover
LOW_FIFTH, HIGH_FIFTH = (0, 1), (len(TURNOVER_SWEEP) - 2, len(TURNOVER_SWEEP) - 1)


def turnover_sweep_probe(market: MarketConfig, seed: int, firm: int = 0) -> dict:
    """The focal firm's books (:data:`BOOKS`) over the horizon in each
    market of the sweep (``<book>_<k>``, market ``k`` of
    :data:`TURNOVER_SWEEP`), all copies of one burnt-in market."""
    from sim.model import LoyaltyModel

    base = LoyaltyModel(market=_single_threaded(market), seed=seed)
    out = {}
    for k, rate in enumerate(TURNOVER_SWEEP):
        model = copy.deepcopy(base)
        model.config.staff = dataclasses.replace(model.config.staff, turnover_per_year=rate)
        table = model.run()
        mine = table[table["firm_index"] == firm]
        for book in BOOKS:
            out[f"{book}_{k}"] = float(mine[book].sum())
    return out


def _fifth(ev: Evidence, markets: Sequence[int], book: str) -> np.ndarray:
    return np.mean([probe(ev, f"{book}_{k}") for k in markets], axis=0)


def fifths_gap(book: str) -> Callable[[Evidence], np.ndarray]:
    """The lowest-turnover fifth's ``book`` minus the highest's."""
    return lambda ev: _fifth(ev, LOW_FIFTH, book) - _fifth(ev, HIGH_FIFTH, book)


def survivors_quit_ratio(scenario: str, baseline: str,
                         window: Callable[[Evidence], tuple[int, int]]) -> Callable[[Evidence], np.ndarray]:
    """How many times as often the focal firm's staff quit in ``scenario``
    as in ``baseline`` over the steps of ``window``: per replication, the
    mean over those steps of the turnover rule's rate at each scenario's mean
    engagement, ``exp(-turnover_engagement * (e - 0.5))``, one over the
    other (paired). The rule's rate rather than the leavers counted: a
    store of a few full-time equivalents loses one or two people a year, too
    few to count a 30% rise in, while engagement moves every step."""
    def measure(ev: Evidence) -> np.ndarray:
        start, stop = window(ev)
        ratio = quit_rate(ev, scenario, start, stop) / quit_rate(ev, baseline, start, stop)
        return per_replication(ev, ratio.groupby(level=0).mean())
    return measure
