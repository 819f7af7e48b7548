"""Probes of what tenure does: how the customers a market's firms acquire
in one quarter are retained in the years after (Fader & Hardie 2007, 'How
to project customer retention': retention rates rise with tenure, mostly
because the customers likeliest to leave go first), and how many long
relationships pay (Reinartz & Kumar 2002, 'The mismanagement of customer
loyalty': about half of long-tenure customers were barely profitable).

Their signature is :data:`experiments.validation.claims.experiments.Probe`.
"""

from __future__ import annotations

from experiments.validation.claims.probes import _single_threaded
from sim.config import MarketConfig
from agents.states import is_customer


def cohort_retention_probe(market: MarketConfig, seed: int, cohort_weeks: float = 13.0, years: int = 3) -> dict:
    """A baseline run of the market: the relationships every firm acquires
    in the first ``cohort_weeks`` of the horizon, pooled, followed in their
    first spell (a relationship that ends is lost for good, as a contract
    cancelled in Fader & Hardie's data: winning it back does not return it)
    to the end of the quarter and then to the end of each of the next
    ``years`` years, so that every one of them is between k years and k
    years and a quarter old at the k-th count.

    Returns ``retention_year<k>`` for k = 1 .. ``years``: the relationships
    still in their first spell at the k-th count over those at the one
    before. The horizon (``market.steps``) must reach the last count."""
    from sim.model import LoyaltyModel

    model = LoyaltyModel(market=_single_threaded(market), seed=seed)
    quarter, year = model.step_length.whole_steps(cohort_weeks), round(model.config.steps_per_year)
    if quarter + years * year > model.config.steps:
        raise ValueError(
            f"the cohort probe needs a horizon of {quarter + years * year} steps, {years} years after "
            f"its cohort's quarter (market.steps = {model.config.steps})"
        )
    start = model.t
    model.run(quarter)
    cust = model.customers
    since, generation = cust.since.copy(), cust.generation.copy()
    cohort = is_customer(cust.state) & (since >= start)

    def first_spell() -> int:
        alive = is_customer(cust.state) & (cust.since == since) & (cust.generation == generation)[:, None]
        return int((cohort & alive).sum())

    counts = [first_spell()]
    for _ in range(years):
        model.run(year)
        counts.append(first_spell())
    return {f"retention_year{k}": counts[k] / counts[k - 1] for k in range(1, years + 1)}


def long_tenure_profit_probe(market: MarketConfig, seed: int, firm: int = 0) -> dict:
    """A baseline run of the market over its horizon: of ``firm``'s (default
    the focal firm's) current relationships at the end, those in the
    longest tenure band (``loyalty.tenure_bands`` of
    ``loyalty.tenure_band_years``; by default three years or more), the
    share barely profitable (:func:`sim.tenure_value.value_by_tenure`:
    annual gross margin below ``loyalty.barely_profitable_share`` of the
    firm's mean), ``long_barely_profitable``."""
    from sim.model import LoyaltyModel

    model = LoyaltyModel(market=_single_threaded(market), seed=seed)
    model.run()
    table = model.value_by_tenure()
    mine = table[table["firm"] == model.firms[firm].name]
    return {"long_barely_profitable": float(mine.iloc[-1]["barely_profitable"])}
