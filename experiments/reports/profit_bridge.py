"""The profit bridge: why a scenario's NPV differs from the baseline's.

A scenario's paired NPV difference from the baseline is split, line by line
of the focal firm's books, into what moved it: revenue (from volume, price,
mix, a programme's basket lift and fees beyond purchases), cost of goods,
serving, wages and hiring, complaint handling, advertising, each programme's
own costs and fixed costs. Every line is the present value over the reported
horizon, discounted as the NPV is (:class:`sim.ledger.Ledger`: a step's
amount at ``step_discount^k`` in the ``k``-th reported step), so the lines
add up to the NPV difference exactly, replication by replication; each
line's interval is the paired Student-t interval of its replications'
differences (:func:`experiments.running.statistics.paired_interval`), as
the comparison table's are.

The revenue split is the price-volume-mix analysis of management
accounting (Horngren, Datar & Rajan, 'Cost Accounting: A Managerial
Emphasis', sales-variance analysis), on the step table's purchases, their
value at the firm's list price (``list_revenue``; ``unlifted_list_revenue``
without a programme's basket lift) and the money taken (``purchase_revenue``):

* **volume**: the change in purchases at the baseline's list value per
  purchase, split into **customers** (the change in customer-steps at the
  baseline's purchases per customer: retention and acquisition) and
  **frequency** (purchases per customer);
* **basket lift**: what a programme's lift of its customers' baskets (the
  ``basket_factor`` modifier, e.g. differentiated service's assumed lift)
  added at list prices;
* **mix**: the rest of the change in list value: bigger or smaller baskets
  and who buys (a loyal customer's basket is larger);
* **price**: the change in what was taken below (or above) the list price:
  discounts of a price war, members' discounts, win-back offers;
* **fees**: revenue beyond purchases (membership fees).

The sentence per scenario reads volume, lift and mix at their gross margin
(after the cost of goods they bring, the baseline's cost of goods per unit of
list value), the sales-volume variance at contribution margin of the same
texts, so that an extra sale is not counted once as revenue and once against
it as cost of goods.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from experiments.reports.units import ReportUnits
from experiments.running.statistics import paired_interval
from sim.ledger import BASE_COSTS
from sim.metrics import METRICS
from sim.units import StepLength


@dataclass(frozen=True)
class BridgeLine:
    """A line of the bridge: its key, label, and the line it is a part of
    (the revenue's split), or ``margin`` for a line of the margin view that
    the sentences read, or empty for a term of the sum."""

    key: str
    label: str
    part_of: str = ""


REVENUE = BridgeLine("revenue", "revenue (present value)")
#: the revenue's split; the six add up to the revenue line
REVENUE_PARTS = (
    BridgeLine("customers", "volume: customers", "revenue"),
    BridgeLine("frequency", "volume: purchases per customer", "revenue"),
    BridgeLine("price", "price (discounts)", "revenue"),
    BridgeLine("lift", "basket lift (programme)", "revenue"),
    BridgeLine("mix", "mix (basket size, who buys)", "revenue"),
    BridgeLine("fees", "fees and other revenue", "revenue"),
)
#: the cost lines: ledger categories, some merged; a programme's categories follow them
COST_LINES: tuple[tuple[BridgeLine, tuple[str, ...]], ...] = (
    (BridgeLine("cost_of_goods", "cost of goods"), ("cost_of_goods",)),
    (BridgeLine("serving", "serving costs (per visit)"), ("serving",)),
    (BridgeLine("wages_and_hiring", "wages and hiring"), ("wages", "hiring")),
    (BridgeLine("complaint_costs", "complaint handling"), ("complaint_costs",)),
    (BridgeLine("advertising", "advertising"), ("advertising",)),
    (BridgeLine("fixed", "fixed costs"), ("fixed",)),
)
NPV = BridgeLine("npv", "profit (NPV)")
MARGIN = "margin"
#: the margin view of the sentences: the revenue's quantity lines at their
#: gross margin, and the cost of goods they do not explain
MARGIN_LINES = (
    BridgeLine("margin:customers", "margin on customers", MARGIN),
    BridgeLine("margin:frequency", "margin on purchases per customer", MARGIN),
    BridgeLine("margin:lift", "margin on a programme's basket lift", MARGIN),
    BridgeLine("margin:mix", "margin on the mix", MARGIN),
    BridgeLine("margin:cost_of_goods", "cost of goods beyond the volume", MARGIN),
)
#: the step table's columns that say which run, step and firm a row is
RUN_KEYS = ("scenario", "replication", "seed", "step", "firm", "firm_index")
#: the ledger's accounts that are not a cost category (:meth:`sim.ledger.Ledger.close`)
ACCOUNTS = ("revenue", "costs", "profit", "cumulative_profit", "npv")
#: step-table columns the bridge reads besides the ledger's
NEEDED = (
    *RUN_KEYS[:5],
    "revenue",
    "costs",
    "customers",
    "purchases",
    "purchase_revenue",
    "list_revenue",
    "unlifted_list_revenue",
)


def programme_categories(steps: pd.DataFrame) -> list[str]:
    """The ledger's cost categories beyond the engine's own: one per programme
    that booked a cost (any step-table column that is neither the run's
    keys, nor an account of the engine, nor a metric)."""
    known = {*RUN_KEYS, *ACCOUNTS, *BASE_COSTS, *METRICS}
    return [c for c in steps.columns if c not in known]


def bridge_lines(steps: pd.DataFrame) -> list[BridgeLine]:
    """The bridge's lines for this step table, in the order of the table:
    revenue and its parts, the costs, each programme's own costs, fixed
    costs, NPV; then the margin view."""
    costs = [line for line, _ in COST_LINES]
    programmes = [
        BridgeLine(f"programme:{c}", f"programme: {c.replace('_', ' ')}") for c in programme_categories(steps)
    ]
    return [REVENUE, *REVENUE_PARTS, *costs[:-1], *programmes, costs[-1], NPV, *MARGIN_LINES]


def _discount_weights(steps: pd.DataFrame, units: ReportUnits) -> np.ndarray:
    """Each row's discount factor: ``step_discount^(k+1)`` in the ``k``-th
    reported step of its run, as the ledger discounts the NPV."""
    d = StepLength(units.steps_per_year).step_discount(units.discount_rate)
    k = steps.groupby(["scenario", "replication", "firm"], sort=False, observed=True)["step"].rank(method="first")
    return np.power(d, k.to_numpy(float))


def present_values(steps: pd.DataFrame, firm: str, units: ReportUnits) -> pd.DataFrame:
    """The present value of every line of ``firm``'s books, one row per
    scenario and replication: revenue, the money taken for purchases, their
    value at list prices (with and without a programme's basket lift),
    purchases and customer-steps (discounted alike, so that their ratios
    are the horizon's), every cost category, and the NPV they make."""
    missing = [c for c in NEEDED if c not in steps.columns]
    if missing:
        raise ValueError(f"the step table has no {', '.join(missing)} (written by an older version?)")
    mine = steps[steps["firm"] == firm]
    if mine.empty:
        raise ValueError(f"firm = {firm!r}: not in the step table")
    categories = [c for _, cats in COST_LINES for c in cats] + programme_categories(steps)
    amounts = [
        "revenue",
        "purchase_revenue",
        "list_revenue",
        "unlifted_list_revenue",
        "purchases",
        "customers",
        *categories,
    ]
    weighted = mine[amounts].fillna(0.0).to_numpy(float) * _discount_weights(mine, units)[:, None]
    frame = pd.DataFrame(weighted, columns=amounts, index=mine.index)
    frame[["scenario", "replication"]] = mine[["scenario", "replication"]].astype({"scenario": str})
    pv = frame.groupby(["scenario", "replication"], sort=False)[amounts].sum()
    pv["npv"] = pv["revenue"] - pv[categories].sum(axis=1)
    return pv


def _per(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    return numerator / denominator.where(denominator > 0)


def _line_values(pv: pd.DataFrame, base: pd.DataFrame, lines: Sequence[BridgeLine]) -> dict[str, np.ndarray]:
    """Each line's contribution to the NPV difference, per replication (costs
    with their sign in the profit: a higher cost is a negative line)."""
    diff = pv - base
    value_per_purchase = _per(base["list_revenue"], base["purchases"])
    volume = (diff["purchases"] * value_per_purchase).fillna(0.0)
    customers = (diff["customers"] * _per(base["list_revenue"], base["customers"])).fillna(0.0)
    values = {
        "revenue": diff["revenue"],
        "customers": customers,
        "frequency": volume - customers,
        "lift": diff["list_revenue"] - diff["unlifted_list_revenue"],
        "mix": diff["unlifted_list_revenue"] - volume,
        "price": diff["purchase_revenue"] - diff["list_revenue"],
        "fees": diff["revenue"] - diff["purchase_revenue"],
        "npv": diff["npv"],
    }
    for line, cats in COST_LINES:
        values[line.key] = -diff[list(cats)].sum(axis=1)
    for line in lines:
        if line.key.startswith("programme:"):
            values[line.key] = -diff[line.key.split(":", 1)[1]]
    keep = 1.0 - _per(base["cost_of_goods"], base["list_revenue"]).fillna(0.0)  # gross margin per list value
    for part in ("customers", "frequency", "lift", "mix"):
        values[f"margin:{part}"] = values[part] * keep
    values["margin:cost_of_goods"] = values["cost_of_goods"] + diff["list_revenue"] * (1.0 - keep)
    return {k: np.asarray(v, float) for k, v in values.items()}


def _line_levels(base: pd.DataFrame, lines: Sequence[BridgeLine]) -> dict[str, float]:
    """The baseline's own present value of each line (a cost negative);
    nan for the revenue's parts, which are differences only."""
    mean = base.mean()
    levels = {"revenue": mean["revenue"], "npv": mean["npv"]}
    levels |= {line.key: -float(mean[list(cats)].sum()) for line, cats in COST_LINES}
    levels |= {ln.key: -float(mean[ln.key.split(":", 1)[1]]) for ln in lines if ln.key.startswith("programme:")}
    return levels


def profit_bridge(
    steps: pd.DataFrame,
    firm: str,
    baseline: str,
    units: ReportUnits,
    confidence: float = 0.95,
    scenarios: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The profit bridge of every scenario against ``baseline``: one row per
    scenario (the baseline's own row first: its levels) and line, with
    columns ``scenario, line, label, part_of, baseline_level, diff, ci_low,
    ci_high, n``; money in ``units.currency``, present values over the
    horizon. The lines with an empty ``part_of`` add up to the NPV
    difference; those of part ``margin`` are the sentences' view."""
    pv = present_values(steps, firm, units)
    present = list(dict.fromkeys(pv.index.get_level_values("scenario")))
    if baseline not in present:
        raise ValueError(f"baseline = {baseline!r}: not in the step table; available: {', '.join(present)}")
    order = [s for s in (scenarios or present) if s in present and s != baseline]
    base = pv.xs(baseline, level="scenario")
    lines = bridge_lines(steps)
    levels = _line_levels(base, lines)
    rows = []
    for scenario in [baseline, *order]:
        mine = pv.xs(scenario, level="scenario")
        common = mine.index.intersection(base.index)
        values = _line_values(mine.loc[common], base.loc[common], lines)
        for line in lines:
            mean, lo, hi = paired_interval(values[line.key], confidence)
            rows.append(
                {
                    "scenario": scenario,
                    "line": line.key,
                    "label": line.label,
                    "part_of": line.part_of,
                    "baseline_level": levels.get(line.key, float("nan")),
                    "diff": mean,
                    "ci_low": lo,
                    "ci_high": hi,
                    "n": int(len(common)),
                }
            )
    return pd.DataFrame(rows)


def books(bridge: pd.DataFrame) -> pd.DataFrame:
    """The bridge's lines of the books (the table and the waterfall), without
    the sentences' margin view."""
    return bridge[bridge["part_of"] != MARGIN]


def unchanged_lines(bridge: pd.DataFrame, tolerance: float = 0.5) -> list[str]:
    """The lines of the books that are zero everywhere: under ``tolerance``
    (half the smallest money unit shown) in the baseline's level and in every
    scenario's difference and interval. A report leaves them out and names them."""
    shown = books(bridge)
    scale = shown[["baseline_level", "diff", "ci_low", "ci_high"]].abs().fillna(0.0)
    small = (scale < tolerance).all(axis=1).groupby(shown["line"], sort=False).all()
    return [line for line, is_small in small.items() if is_small and line != NPV.key]


def _amount(value: float, currency: str) -> str:
    magnitude = abs(value)
    text = f"{magnitude / 1e6:,.2f} million" if magnitude >= 1e6 else f"{magnitude:,.0f}"
    return f"{text} {currency}"


#: how a sentence names a line that raised the NPV, and one that lowered it
PHRASES = {
    "margin:customers": ("the margin on more customers", "the margin lost with fewer customers"),
    "margin:frequency": (
        "the margin on more purchases per customer",
        "the margin lost on fewer purchases per customer",
    ),
    "margin:lift": ("the margin on the programme's basket lift", "the margin lost to a lower basket lift"),
    "margin:mix": ("the margin on a richer mix (bigger baskets, more loyal buyers)", "a poorer mix (smaller baskets)"),
    "margin:cost_of_goods": ("lower cost of goods", "higher cost of goods"),
    "price": ("higher prices paid", "discounts"),
    "fees": ("fees", "lost fees"),
}
#: the sentence names a line only if it is at least this share of the largest line it names
MATERIAL = 0.05


def phrase(line: str, label: str, diff: float) -> str:
    """A line of the bridge in words, by the way it moved the NPV: ``the
    margin on more customers``, ``higher wages and hiring``, ``the club
    marketing programme's own costs``."""
    if line in PHRASES:
        return PHRASES[line][0 if diff > 0 else 1]
    if line.startswith("programme:"):
        name = label.split(": ", 1)[1]
        return f"the {name} programme's own costs" if diff < 0 else f"lower {name} programme costs"
    return f"{'lower' if diff > 0 else 'higher'} {label}"


def drivers_sentence(bridge: pd.DataFrame, scenario: str, units: ReportUnits, baseline: str) -> str:
    """One sentence saying what drove ``scenario``'s NPV difference from the
    baseline: the clear lines (interval excluding 0) that raised and that
    lowered it, largest first (at most three each, none under
    :data:`MATERIAL` of the largest), volume, lift and mix at their gross
    margin. When the NPV's own interval spans 0 it says so and sets the two
    sides against each other rather than saying which outweighs."""
    rows = bridge[bridge["scenario"] == scenario].set_index("line")
    npv = rows.loc[NPV.key]
    terms = rows[((rows["part_of"] == "") | rows.index.isin(["price", "fees"]) | (rows["part_of"] == MARGIN))]
    terms = terms[~terms.index.isin([REVENUE.key, NPV.key, "cost_of_goods"])]
    terms = terms[(terms["ci_low"] > 0) | (terms["ci_high"] < 0)]
    terms = terms[terms["diff"].abs() >= MATERIAL * terms["diff"].abs().max()] if len(terms) else terms
    gains = terms[terms["diff"] > 0].sort_values("diff", ascending=False).head(3)
    losses = terms[terms["diff"] < 0].sort_values("diff").head(3)

    def listed(part: pd.DataFrame) -> str:
        items = [
            f"{phrase(str(line), row['label'], row['diff'])} ({'+' if row['diff'] > 0 else '−'}"
            f"{_amount(row['diff'], units.currency)})"
            for line, row in part.iterrows()
        ]
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]

    clear = bool(npv["ci_low"] > 0 or npv["ci_high"] < 0)
    verb = "gains" if npv["diff"] > 0 else "loses"
    head = (
        f"**{scenario}** {verb} {_amount(npv['diff'], units.currency)} of NPV against {baseline} "
        f"[{npv['ci_low']:+,.0f}, {npv['ci_high']:+,.0f}]"
    )
    if not clear:
        head = (
            f"**{scenario}** makes no clear difference to the NPV against {baseline} ({npv['diff']:+,.0f} "
            f"{units.currency} [{npv['ci_low']:+,.0f}, {npv['ci_high']:+,.0f}])"
        )
    if gains.empty and losses.empty:
        return head + "; no line of the books moved clearly."
    if gains.empty or losses.empty:
        side = listed(gains if losses.empty else losses)
        return f"{head}: {side}, and nothing clearly {'against it' if losses.empty else 'for it'}."
    if not clear:
        return f"{head}: {listed(gains)}, against {listed(losses)}."
    big, small = (gains, losses) if npv["diff"] > 0 else (losses, gains)
    return f"{head}: {listed(big)} {'outweigh' if len(big) > 1 else 'outweighs'} {listed(small)}."
