"""Plots of run results.

Plot functions take tidy tables (one row per step and firm, as returned by
``LoyaltyModel.step_table()``; for an experiment, the same with ``scenario``
and ``replication`` columns) and an optional ``ax``, and return a matplotlib
Figure; the numbers a plot shows come from a separate, tested function.
Figures are drawn on the Agg canvas without pyplot, so plotting works
headless and in worker processes, whatever backend the session uses.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, NamedTuple, Sequence

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter
from scipy import stats

from experiments.running.kpis import ALL_KPIS, Kpi
from agents.states import CUSTOMER_STATES, STATE_NAMES

STATE_COLUMNS = [f"n_{name}" for name in STATE_NAMES]

#: one colour per loyalty state, from cold (outside) through warm (loyal) to grey (lost)
STATE_COLOURS = {
    "prospect": "#d9d9d9",
    "aware": "#bdd7e7",
    "first_time": "#6baed6",
    "repeat": "#3182bd",
    "loyal": "#31a354",
    "advocate": "#006d2c",
    "captive": "#b15928",
    "at_risk": "#fd8d3c",
    "churned": "#636363",
    "won_back": "#9e9ac8",
}


def loyalty_state_shares(table: pd.DataFrame) -> pd.DataFrame:
    """Share of the market's customers in each loyalty state, per step and firm.

    Args:
        table: a step table with columns ``step``, ``firm`` and ``n_<state>``
            for every state of :data:`agents.states.STATE_NAMES`.

    Returns:
        A DataFrame with columns ``step``, ``firm`` and one column per state
        name (``prospect``, ``aware``, ...), one row per step and firm in the
        order of ``table``; each row's shares add up to 1 (every one of the
        n customers is in exactly one state of each firm relationship).
    """
    missing = [c for c in ["step", "firm", *STATE_COLUMNS] if c not in table.columns]
    if missing:
        raise ValueError(
            f"table lacks the columns {', '.join(missing)}; needs step, firm and n_<state> for every loyalty state"
        )
    counts = table[STATE_COLUMNS].to_numpy(dtype=np.float64)
    total = counts.sum(axis=1, keepdims=True)
    if (total <= 0).any():
        raise ValueError("a row of the table has no customers in any state")
    shares = pd.DataFrame(counts / total, columns=list(STATE_NAMES), index=table.index)
    out = pd.concat([table[["step", "firm"]], shares], axis=1).reset_index(drop=True)
    return out


def plot_loyalty_states(table: pd.DataFrame, ax: Any = None) -> Figure:
    """Customers by loyalty state over time: one stacked-area panel per firm.

    Args:
        table: a step table (see :func:`loyalty_state_shares`).
        ax: ``None`` (a new Figure), or one Axes per firm (a single Axes when
            the table has one firm, else a sequence of as many Axes as firms).

    Returns:
        The Figure holding the panels.
    """
    shares = loyalty_state_shares(table)
    firms = list(pd.unique(shares["firm"]))
    if ax is None:
        fig = Figure(figsize=(4.2 * len(firms) + 1.8, 3.8), layout="constrained")
        FigureCanvasAgg(fig)
        axes = np.atleast_1d(fig.subplots(1, len(firms), sharey=True, squeeze=False)[0])
    else:
        axes = np.atleast_1d(np.asarray(ax, dtype=object)).ravel()
        if len(axes) != len(firms):
            raise ValueError(f"ax = {len(axes)} Axes: need one Axes per firm ({len(firms)})")
        fig = axes[0].figure
    names = list(STATE_NAMES)
    for a, firm in zip(axes, firms):
        rows = shares[shares["firm"] == firm].sort_values("step")
        a.stackplot(
            rows["step"].to_numpy(),
            (100 * rows[names].to_numpy()).T,
            labels=[n.replace("_", " ") for n in names],
            colors=[STATE_COLOURS[n] for n in names],
            linewidth=0,
        )
        a.set_title(str(firm))
        a.set_xlabel("step")
        a.set_xlim(rows["step"].min(), rows["step"].max())
        a.set_ylim(0, 100)
        a.margins(0)
    axes[0].set_ylabel("customers in state (% of market)")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles[::-1], labels[::-1], loc="outside right center", frameon=False, title="loyalty state")
    return fig


# ---------------------------------------------------------------------------
# Experiments: scenarios x replications
#
# The tables below have a ``scenario`` and a ``replication`` column besides a
# run's columns: ``steps`` has one row per scenario x replication x step x firm,
# ``runs`` one row per scenario x replication x firm (experiments.running.kpis).
# Every scenario keeps one colour in every figure; the baseline is drawn first,
# in near-black.

#: the baseline's colour in every experiment figure
BASELINE_COLOUR = "#222222"
#: the other scenarios' colours, in order (matplotlib's tab10 without its grey)
SCENARIO_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf")
#: font sizes (points) of experiment figures; none is below 10
FONT = {"title": 12, "suptitle": 13, "label": 11, "tick": 10, "legend": 10}
#: what money is counted in (the model's prices are relative: no currency)
MONEY_UNIT = "currency units"

#: the KPI time series :func:`plot_kpi_bands` draws by default
BAND_KPIS = ("cumulative_profit", "customers", "retention_rate", "loyal_advocate_share")

#: states in which a person is the firm's customer, bottom of the stack first
CUSTOMER_STATE_NAMES: tuple[str, ...] = tuple(STATE_NAMES[i] for i in CUSTOMER_STATES)
#: the other states (not a customer of the firm), stacked above the customers:
#: churned (former customers) nearest to them, prospects (unaware) on top
OTHER_STATE_NAMES: tuple[str, ...] = tuple(reversed([n for n in STATE_NAMES if n not in CUSTOMER_STATE_NAMES]))


def loyal_advocate_share(steps: pd.DataFrame) -> pd.Series:
    """Share of the firm's customers who are loyal or advocates, per row of a
    step table (as :func:`experiments.running.kpis.run_kpis` computes it at the end)."""
    return (steps["n_loyal"] + steps["n_advocate"]) / steps["customers"].clip(lower=1)


#: series derived from a step table's columns rather than stored in it
DERIVED_SERIES: dict[str, Callable[[pd.DataFrame], pd.Series]] = {
    "loyal_advocate_share": loyal_advocate_share,
}

#: how the series of a step table are labelled and scaled (where this differs
#: from the run KPIs of experiments.running.kpis, whose rates are annual)
STEP_SERIES: dict[str, Kpi] = {
    k.name: k
    for k in (
        Kpi("cumulative_profit", "cumulative profit", "money", True),
        Kpi("npv", "cumulative profit (NPV)", "money", True),
        Kpi("profit", "profit per step", "money", True),
        Kpi("revenue", "revenue per step", "money", True),
        Kpi("customers", "customers", "int", True),
        Kpi("retention_rate", "retention rate (per step, true)", "pct", True),
        Kpi("churn_rate", "churn rate (per step)", "pct", False),
        Kpi("loyal_advocate_share", "loyal + advocate share of customers", "pct", True),
    )
}

UNITS = {"money": MONEY_UNIT, "pct": "%", "int": "count", "float": "value"}


def series_kpi(name: str) -> Kpi:
    """The label and display kind of a step-table series (a float when unknown)."""
    return STEP_SERIES.get(name) or ALL_KPIS.get(name) or Kpi(name, name.replace("_", " "), "float", True)


def step_series(steps: pd.DataFrame, name: str) -> pd.Series:
    """Series ``name`` of a step table: a column, or one of :data:`DERIVED_SERIES`."""
    if name in DERIVED_SERIES:
        return DERIVED_SERIES[name](steps)
    if name in steps.columns:
        return steps[name]
    raise ValueError(
        f"kpi = {name!r}: not a column of the step table nor a derived series ({', '.join(DERIVED_SERIES)})"
    )


def scenario_order(scenarios: Iterable[str], baseline: str | None = None) -> list[str]:
    """The distinct scenarios in order of appearance, the baseline (default:
    the first to appear) moved to the front."""
    names = list(pd.unique(pd.Series(list(scenarios), dtype=object)))
    if baseline is not None:
        if baseline not in names:
            raise ValueError(f"baseline = {baseline!r}: no such scenario; available: {', '.join(names)}")
        names.remove(baseline)
        names.insert(0, baseline)
    return names


def scenario_colours(scenarios: Iterable[str], baseline: str | None = None) -> dict[str, str]:
    """One colour per scenario, baseline first in :data:`BASELINE_COLOUR`, the
    others from :data:`SCENARIO_COLOURS` in order (cycling past nine)."""
    names = scenario_order(scenarios, baseline)
    return {
        name: BASELINE_COLOUR if i == 0 else SCENARIO_COLOURS[(i - 1) % len(SCENARIO_COLOURS)]
        for i, name in enumerate(names)
    }


def mean_intervals(
    values: pd.Series, keys: Sequence[pd.Series] | pd.DataFrame, confidence: float = 0.95
) -> pd.DataFrame:
    """Mean of ``values`` per group of ``keys`` with the Student-t interval of
    that mean (nan with fewer than two values).

    Returns one row per group, in order of appearance: the key columns, ``n``,
    ``mean``, ``ci_low``, ``ci_high``.
    """
    keys = [keys[c] for c in keys.columns] if isinstance(keys, pd.DataFrame) else list(keys)
    g = values.astype(float).groupby(keys, sort=False)
    out = pd.DataFrame({"n": g.count(), "mean": g.mean(), "sd": g.std(ddof=1)})
    n = out["n"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = stats.t.ppf(0.5 + confidence / 2, np.where(n >= 2, n - 1, np.nan))
        half = t * out["sd"].to_numpy() / np.sqrt(n)
    out["ci_low"] = out["mean"] - half
    out["ci_high"] = out["mean"] + half
    return out.drop(columns="sd").reset_index()


def _of_firm(table: pd.DataFrame, firm: str) -> pd.DataFrame:
    mine = table[table["firm"] == firm]
    if mine.empty:
        raise ValueError(
            f"firm = {firm!r}: no such firm in the table; available: {', '.join(map(str, pd.unique(table['firm'])))}"
        )
    return mine


def kpi_bands(steps: pd.DataFrame, firm: str, kpi: str, confidence: float = 0.95) -> pd.DataFrame:
    """Series ``kpi`` of ``firm`` per scenario and step: the mean over the
    replications and the Student-t interval of that mean.

    Args:
        steps: an experiment's step table (scenario, replication, step, firm, ...).
        firm: the firm whose series it is.
        kpi: a column of the step table or a :data:`DERIVED_SERIES` name.
        confidence: the interval's confidence level.

    Returns:
        Columns ``scenario``, ``step``, ``mean``, ``ci_low``, ``ci_high``; one row
        per scenario (in order of appearance) and step (ascending).
    """
    mine = _of_firm(steps, firm)
    bands = mean_intervals(step_series(mine, kpi), mine[["scenario", "step"]], confidence)
    bands = bands.sort_values("step", kind="stable")
    order = {s: i for i, s in enumerate(pd.unique(mine["scenario"]))}
    bands = bands.sort_values("scenario", key=lambda s: s.map(order), kind="stable")
    return bands[["scenario", "step", "mean", "ci_low", "ci_high"]].reset_index(drop=True)


def _new_figure(
    n_panels: int, ncols: int, panel: tuple[float, float], extra_width: float = 0.0, sharey: bool = False
) -> tuple[Figure, np.ndarray]:
    ncols = max(1, min(ncols, n_panels))
    nrows = -(-n_panels // ncols)
    fig = Figure(figsize=(panel[0] * ncols + extra_width, panel[1] * nrows + 0.6), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, sharey=sharey, squeeze=False).ravel()
    for a in axes[n_panels:]:
        a.set_visible(False)
    return fig, axes[:n_panels]


def _given_axes(axes: Any, n: int, what: str) -> tuple[Figure, np.ndarray]:
    axes = np.atleast_1d(np.asarray(axes, dtype=object)).ravel()
    if len(axes) != n:
        raise ValueError(f"axes = {len(axes)} Axes: need one Axes per {what} ({n})")
    return axes[0].figure, axes


def new_axes(size: tuple[float, float]) -> tuple[Figure, Any]:
    """A figure of ``size`` inches with one Axes (for the single-panel plots)."""
    fig = Figure(figsize=size, layout="constrained")
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot()


def label_axes(ax: Any, title: str, xlabel: str, ylabel: str) -> None:
    """Title and axis labels in the project's font sizes."""
    ax.set_title(title, fontsize=FONT["title"])
    ax.set_xlabel(xlabel, fontsize=FONT["label"])
    ax.set_ylabel(ylabel, fontsize=FONT["label"])
    ax.tick_params(labelsize=FONT["tick"])


def _thousands(axis: Any) -> None:
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))


def kind_scale(kind: str) -> float:
    """Factor that puts a KPI of this kind on its plotted scale (shares as percent)."""
    return 100.0 if kind == "pct" else 1.0


def unit_label(kpi: Kpi) -> str:
    """The unit of a KPI's axis."""
    return UNITS.get(kpi.kind, "value")


def plot_kpi_bands(
    steps: pd.DataFrame,
    firm: str,
    kpis: Sequence[str] = BAND_KPIS,
    confidence: float = 0.95,
    baseline: str | None = None,
    axes: Any = None,
) -> Figure:
    """KPI time series of ``firm``: per scenario the mean over the replications
    as a line and its interval (:func:`kpi_bands`) as a band; one panel per KPI.
    Bands of shares are drawn within 0-100%.

    Args:
        steps: an experiment's step table.
        firm: the firm to show.
        kpis: step-table series, one panel each.
        confidence: the bands' confidence level.
        baseline: the scenario drawn first in :data:`BASELINE_COLOUR` (default:
            the first scenario of ``steps``).
        axes: ``None`` (a new Figure) or one Axes per KPI.

    Returns:
        The Figure holding the panels.
    """
    kpis = list(kpis)
    colours = scenario_colours(steps["scenario"], baseline)
    if axes is None:
        fig, axes = _new_figure(len(kpis), 2, (5.0, 3.4), extra_width=2.0)
        fig.suptitle(
            f"{firm}: mean over replications, band = {confidence:.0%} interval of the mean", fontsize=FONT["suptitle"]
        )
    else:
        fig, axes = _given_axes(axes, len(kpis), "KPI")
    for ax, name in zip(axes, kpis):
        kpi = series_kpi(name)
        bands = kpi_bands(steps, firm, name, confidence)
        scale = kind_scale(kpi.kind)
        low, high = (0.0, 100.0) if kpi.kind == "pct" else (None, None)  # a share stays a share
        for scenario, colour in colours.items():
            rows = bands[bands["scenario"] == scenario]
            x = rows["step"].to_numpy()
            ax.fill_between(
                x,
                np.clip(scale * rows["ci_low"].to_numpy(), low, high),
                np.clip(scale * rows["ci_high"].to_numpy(), low, high),
                color=colour,
                alpha=0.18,
                linewidth=0,
            )
            ax.plot(
                x,
                scale * rows["mean"].to_numpy(),
                color=colour,
                label=str(scenario),
                linewidth=2.2 if colour == BASELINE_COLOUR else 1.6,
            )
        label_axes(ax, kpi.label, "step", unit_label(kpi))
        if kpi.kind == "money":
            _thousands(ax.yaxis)
        ax.margins(x=0)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(
        handles,
        labels,
        loc="outside right center",
        frameon=False,
        title="scenario",
        fontsize=FONT["legend"],
        title_fontsize=FONT["legend"],
    )
    return fig


def state_composition(steps: pd.DataFrame, firm: str) -> pd.DataFrame:
    """People in each loyalty state towards ``firm``, mean over the
    replications, per scenario and step.

    Every person of the market is in exactly one state, so a row sums to the
    number of people in the market; those in :data:`CUSTOMER_STATE_NAMES` sum
    to the firm's (mean) customers, the others (prospect, aware, churned) are
    not its customers.

    Returns:
        Columns ``scenario``, ``step`` and one per state name (``prospect``, ...,
        in the order of :data:`agents.states.STATE_NAMES`); one row per scenario
        (in order of appearance) and step (ascending).
    """
    mine = _of_firm(steps, firm)
    missing = [c for c in STATE_COLUMNS if c not in mine.columns]
    if missing:
        raise ValueError(f"steps lacks the columns {', '.join(missing)}; needs n_<state> for every loyalty state")
    out = (
        mine.groupby(["scenario", "step"], sort=False)[STATE_COLUMNS]
        .mean()
        .rename(columns=dict(zip(STATE_COLUMNS, STATE_NAMES)))
        .reset_index()
    )
    order = {s: i for i, s in enumerate(pd.unique(mine["scenario"]))}
    out = out.sort_values("step", kind="stable")
    out = out.sort_values("scenario", key=lambda s: s.map(order), kind="stable")
    return out.reset_index(drop=True)


def plot_state_composition(steps: pd.DataFrame, firm: str, baseline: str | None = None, axes: Any = None) -> Figure:
    """People by loyalty state towards ``firm`` over time (mean over the
    replications): one stacked-area panel per scenario, on a shared y axis.

    The firm's customers' states are stacked at the bottom in full colour, up
    to a black line at the number of customers; above it, paler, the people
    who are not its customers (churned, aware, prospect).

    Args:
        steps: an experiment's step table.
        firm: the firm to show.
        baseline: the scenario of the first panel (default: the first of ``steps``).
        axes: ``None`` (a new Figure) or one Axes per scenario.
    """
    composition = state_composition(steps, firm)
    scenarios = scenario_order(composition["scenario"], baseline)
    if axes is None:
        fig, axes = _new_figure(len(scenarios), 3, (4.2, 3.6), extra_width=2.6, sharey=True)
        fig.suptitle(f"{firm}: people by loyalty state (mean over replications)", fontsize=FONT["suptitle"])
    else:
        fig, axes = _given_axes(axes, len(scenarios), "scenario")
    names = [*CUSTOMER_STATE_NAMES, *OTHER_STATE_NAMES]
    labels = [n.replace("_", " ") for n in CUSTOMER_STATE_NAMES] + [
        f"{n.replace('_', ' ')} (not a customer)" for n in OTHER_STATE_NAMES
    ]
    top = float(composition[names].sum(axis=1).max())
    for ax, scenario in zip(axes, scenarios):
        rows = composition[composition["scenario"] == scenario]
        x = rows["step"].to_numpy()
        areas = ax.stackplot(
            x, rows[names].to_numpy().T, labels=labels, colors=[STATE_COLOURS[n] for n in names], linewidth=0
        )
        for area, name in zip(areas, names):
            if name in OTHER_STATE_NAMES:
                area.set_alpha(0.45)
        ax.plot(
            x,
            rows[list(CUSTOMER_STATE_NAMES)].sum(axis=1).to_numpy(),
            color="black",
            linewidth=1.2,
            label="customers (total)",
        )
        label_axes(ax, str(scenario), "step", "people")
        ax.set_xlim(x.min(), x.max())
        ax.set_ylim(0, top)
        _thousands(ax.yaxis)
    handles, legend_labels = axes[0].get_legend_handles_labels()
    fig.legend(
        handles[::-1],
        legend_labels[::-1],
        loc="outside right center",
        frameon=False,
        title="loyalty state",
        fontsize=FONT["legend"],
        title_fontsize=FONT["legend"],
    )
    return fig


class ProfitRetention(NamedTuple):
    """The numbers of :func:`plot_profit_vs_retention`."""

    #: one row per scenario and replication: scenario, replication, retention_rate, npv
    points: pd.DataFrame
    #: one row per scenario: scenario, n, then for retention_rate and npv the
    #: mean and its Student-t interval (``<kpi>``, ``<kpi>_low``, ``<kpi>_high``)
    means: pd.DataFrame


def profit_retention_points(runs: pd.DataFrame, firm: str, confidence: float = 0.95) -> ProfitRetention:
    """Annual retention rate and profit (NPV) of ``firm`` per replication, and
    per scenario their means with Student-t intervals (scenarios in order of
    appearance). These intervals are of each scenario's mean; the paired
    intervals of differences from the baseline (experiments.running.statistics) are
    narrower, as the pairs share their luck."""
    mine = _of_firm(runs, firm)
    points = mine[["scenario", "replication", "retention_rate", "npv"]].reset_index(drop=True)
    means = None
    for kpi in ("retention_rate", "npv"):
        m = mean_intervals(mine[kpi], [mine["scenario"]], confidence).rename(
            columns={"mean": kpi, "ci_low": f"{kpi}_low", "ci_high": f"{kpi}_high"}
        )
        means = m if means is None else means.merge(m.drop(columns="n"), on="scenario", sort=False)
    return ProfitRetention(points, means)


def plot_profit_vs_retention(
    runs: pd.DataFrame, firm: str, confidence: float = 0.95, baseline: str | None = None, ax: Any = None
) -> Figure:
    """Profit (NPV) against annual retention rate of ``firm``: a dot per
    replication, and per scenario its means with their interval on both axes
    (:func:`profit_retention_points`).

    Args:
        runs: an experiment's runs table (one row per scenario x replication x firm).
        firm: the firm to show.
        confidence: the intervals' confidence level.
        baseline: the scenario drawn first in :data:`BASELINE_COLOUR`.
        ax: ``None`` (a new Figure) or the Axes to draw on.
    """
    numbers = profit_retention_points(runs, firm, confidence)
    colours = scenario_colours(numbers.points["scenario"], baseline)
    if ax is None:
        fig = Figure(figsize=(7.6, 4.8), layout="constrained")
        FigureCanvasAgg(fig)
        ax = fig.subplots()
    else:
        fig = ax.figure
    means = numbers.means.set_index("scenario")
    for scenario, colour in colours.items():
        dots = numbers.points[numbers.points["scenario"] == scenario]
        ax.scatter(100 * dots["retention_rate"], dots["npv"], s=22, color=colour, alpha=0.45, linewidths=0)
        m = means.loc[scenario]
        x, y = 100 * m["retention_rate"], m["npv"]
        ax.errorbar(
            [x],
            [y],
            xerr=[[x - 100 * m["retention_rate_low"]], [100 * m["retention_rate_high"] - x]],
            yerr=[[y - m["npv_low"]], [m["npv_high"] - y]],
            fmt="o",
            markersize=7,
            color=colour,
            capsize=3,
            linewidth=1.6,
            label=str(scenario),
        )
    label_axes(
        ax,
        f"{firm}: profit against retention (dots: replications; bars: {confidence:.0%} interval of the mean)",
        "retention rate (annual, true, %)",
        f"profit, NPV ({MONEY_UNIT})",
    )
    ax.title.set_fontsize(FONT["label"])
    _thousands(ax.yaxis)
    ax.legend(title="scenario", fontsize=FONT["legend"], title_fontsize=FONT["legend"], frameon=False, loc="best")
    return fig
