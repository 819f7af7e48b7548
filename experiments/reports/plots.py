"""Plots of run results.

Plot functions take tidy tables (one row per step and firm, as returned by
``LoyaltyModel.step_table()``; for an experiment, the same with ``scenario``
and ``replication`` columns) and an optional ``ax``, and return a matplotlib
Figure; the numbers a plot shows come from a separate, tested function.
Figures are drawn on the Agg canvas without pyplot, so plotting works
headless and in worker processes, whatever backend the session uses.

Every axis names its unit: money in the market's currency, the NPV with its
horizon and discount rate, retention as an annual rate, time in the step's
unit (``units``, a :class:`experiments.reports.units.ReportUnits`; ``None``:
the default market's).
"""

from __future__ import annotations

import math
import textwrap
from typing import Any, Callable, Iterable, NamedTuple, Sequence

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter
from scipy import stats

from agents.states import CUSTOMER_STATES, STATE_NAMES
from experiments.reports.units import ReportUnits
from experiments.running.kpis import ALL_KPIS, Kpi
from experiments.running.statistics import compare
from sim.metrics import annual_churn

STATE_COLUMNS = [f"n_{name}" for name in STATE_NAMES]

#: one colour per loyalty state: grey and sand outside (prospect, aware), blues
#: for new and repeat buyers, greens for loyal and advocate, brown captive,
#: orange at risk, dark grey lost, purple won back. Every pair is at least 25
#: apart in CIELAB (:func:`colour_distance`) and every colour at least 20 from
#: white, so areas and lines on white can be told apart.
STATE_COLOURS = {
    "prospect": "#b3b3b3",
    "aware": "#dfc27d",
    "first_time": "#67a9cf",
    "repeat": "#08519c",
    "loyal": "#74c476",
    "advocate": "#006d2c",
    "captive": "#8c510a",
    "at_risk": "#f16913",
    "churned": "#666666",
    "won_back": "#b07fd0",
}


def cielab(colour: Any) -> np.ndarray:
    """A matplotlib colour in CIELAB (L*, a*, b*) under the D65 white point,
    from sRGB as IEC 61966-2-1 defines it."""
    rgb = np.asarray(to_rgb(colour), dtype=float)
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    to_xyz = np.array(
        [[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750], [0.0193339, 0.1191920, 0.9503041]]
    )
    xyz = to_xyz @ linear / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def colour_distance(a: Any, b: Any) -> float:
    """How different two colours look: their Euclidean distance in CIELAB
    (CIE76 delta E; about 2.3 is just noticeable, white to black is 100)."""
    return float(np.linalg.norm(cielab(a) - cielab(b)))


def report_units(units: ReportUnits | None) -> ReportUnits:
    """``units``, or the default market's when None."""
    return units if units is not None else ReportUnits.of_meta(None)


def year_steps(units: ReportUnits) -> int:
    """The steps of one year (at least one)."""
    return max(1, round(units.steps_per_year))


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


#: states in which a person is the firm's customer, bottom of the stack first
CUSTOMER_STATE_NAMES: tuple[str, ...] = tuple(STATE_NAMES[i] for i in CUSTOMER_STATES)
#: the other states (not a customer of the firm), stacked above the customers:
#: churned (former customers) nearest to them, prospects (unaware) on top
OTHER_STATE_NAMES: tuple[str, ...] = tuple(reversed([n for n in STATE_NAMES if n not in CUSTOMER_STATE_NAMES]))
#: the stacking order of the state figures, bottom first
STACK_ORDER: tuple[str, ...] = (*CUSTOMER_STATE_NAMES, *OTHER_STATE_NAMES)


def state_label(name: str) -> str:
    """A state's legend label (``churned (not a customer)``, ``first time``)."""
    text = name.replace("_", " ")
    return f"{text} (not a customer)" if name in OTHER_STATE_NAMES else text


def _stack_shares(ax: Any, step: np.ndarray, shares: pd.DataFrame) -> None:
    """Stacked areas of the states' shares (0-1) in percent, customers at
    the bottom, with a black line at the firm's customers."""
    ax.stackplot(
        step,
        100 * shares[list(STACK_ORDER)].to_numpy().T,
        labels=[state_label(n) for n in STACK_ORDER],
        colors=[STATE_COLOURS[n] for n in STACK_ORDER],
        linewidth=0,
    )
    ax.plot(
        step,
        100 * shares[list(CUSTOMER_STATE_NAMES)].sum(axis=1).to_numpy(),
        color="black",
        linewidth=1.2,
        label="customers (total)",
    )
    ax.set_xlim(step.min(), step.max())
    ax.set_ylim(0, 100)
    ax.margins(0)


def plot_loyalty_states(table: pd.DataFrame, ax: Any = None, units: ReportUnits | None = None) -> Figure:
    """People by loyalty state towards each firm over time, as shares of the
    market's people (they sum to 100%): one stacked-area panel per firm.

    Args:
        table: a step table (see :func:`loyalty_state_shares`).
        ax: ``None`` (a new Figure), or one Axes per firm (a single Axes when
            the table has one firm, else a sequence of as many Axes as firms).
        units: the run's units (the step's length); None: the default market's.

    Returns:
        The Figure holding the panels.
    """
    units = report_units(units)
    shares = loyalty_state_shares(table)
    firms = list(pd.unique(shares["firm"]))
    if ax is None:
        fig = Figure(figsize=(4.2 * len(firms) + 2.6, 4.0), layout="constrained")
        FigureCanvasAgg(fig)
        axes = np.atleast_1d(fig.subplots(1, len(firms), sharey=True, squeeze=False)[0])
        fig.suptitle("People by loyalty state towards each firm, share of the market", fontsize=FONT["suptitle"])
    else:
        axes = np.atleast_1d(np.asarray(ax, dtype=object)).ravel()
        if len(axes) != len(firms):
            raise ValueError(f"ax = {len(axes)} Axes: need one Axes per firm ({len(firms)})")
        fig = axes[0].figure
    for a, firm in zip(axes, firms):
        rows = shares[shares["firm"] == firm].sort_values("step")
        _stack_shares(a, rows["step"].to_numpy(), rows)
        label_axes(a, str(firm), units.step_name, "")
    axes[0].set_ylabel("% of the market's people", fontsize=FONT["label"])
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(
        handles[::-1],
        labels[::-1],
        loc="outside right center",
        frameon=False,
        title="loyalty state",
        fontsize=FONT["legend"],
        title_fontsize=FONT["legend"],
    )
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

#: the KPI time series :func:`plot_kpi_bands` draws by default
BAND_KPIS = ("cumulative_profit", "customers", "annual_retention_rate", "loyal_advocate_share")


def loyal_advocate_share(steps: pd.DataFrame) -> pd.Series:
    """Share of the firm's customers who are loyal or advocates, per row of a
    step table (as :func:`experiments.running.kpis.run_kpis` computes it at the end)."""
    return (steps["n_loyal"] + steps["n_advocate"]) / steps["customers"].clip(lower=1)


def annual_retention(steps: pd.DataFrame, steps_per_year: float, window: int | None = None) -> pd.Series:
    """Annual retention rate over the trailing ``window`` steps (default: one
    year's), per row of a step table.

    It is the run tables' annual retention (:func:`sim.metrics.summarise`:
    1 - customers lost / mean customers / years) taken over the window that
    ends at the row's step instead of over the whole horizon, within each run
    (scenario, replication, firm). Before the window is full it is taken over
    the steps so far; NaN before a quarter of the window, where a few steps'
    losses would be scaled up to a year. With ``window`` = the horizon, the
    last step's value is the tables' annual retention.
    """
    window = window or max(1, round(steps_per_year))
    first = max(1, math.ceil(window / 4))
    keys = [c for c in ("scenario", "replication", "firm") if c in steps.columns]
    ordered = steps.sort_values([*keys, "step"], kind="stable")
    grouped = ordered.groupby(keys, sort=False)

    def trailing(column: str, how: str) -> pd.Series:
        return grouped[column].transform(lambda s: getattr(s.rolling(window, min_periods=first), how)())

    lost, customers, steps_in = trailing("lost", "sum"), trailing("customers", "mean"), trailing("customers", "count")
    return (1 - annual_churn(lost, customers, steps_in / steps_per_year)).reindex(steps.index)


#: series derived from a step table's columns rather than stored in it
DERIVED_SERIES: dict[str, Callable[[pd.DataFrame, ReportUnits], pd.Series]] = {
    "loyal_advocate_share": lambda steps, units: loyal_advocate_share(steps),
    "annual_retention_rate": lambda steps, units: annual_retention(steps, units.steps_per_year),
}


class StepSeries(NamedTuple):
    """How a series of a step table is shown; ``{step}`` (the step's unit),
    ``{year}`` (a year's steps), ``{currency}`` and ``{rate}`` (the discount
    rate) in the texts are filled in from the report's units."""

    label: str
    kind: str  # as Kpi.kind
    unit: str  # the y axis's label


#: the series of a step table and how they are labelled and scaled (where this
#: differs from the run KPIs of experiments.running.kpis, whose rates are annual)
STEP_SERIES: dict[str, StepSeries] = {
    "cumulative_profit": StepSeries("cumulative profit (undiscounted)", "money", "{currency}"),
    "npv": StepSeries("cumulative profit, discounted (NPV at {rate})", "money", "{currency}"),
    "profit": StepSeries("profit per {step}", "money", "{currency} per {step}"),
    "revenue": StepSeries("revenue per {step}", "money", "{currency} per {step}"),
    "customers": StepSeries("customers", "int", "people"),
    "annual_retention_rate": StepSeries(
        "retention rate (annual, over the trailing {year} {step}s)", "pct", "% of customers kept a year"
    ),
    "retention_rate": StepSeries("retention rate (per {step}, true)", "pct", "% of customers kept a {step}"),
    "churn_rate": StepSeries("churn rate (per {step})", "pct", "% of customers lost a {step}"),
    "loyal_advocate_share": StepSeries("loyal + advocate share of customers", "pct", "% of the firm's customers"),
}

#: the higher-is-better direction of the step series that are not run KPIs
_LOWER_IS_BETTER = {"churn_rate"}


def kind_units(units: ReportUnits | None = None) -> dict[str, str]:
    """The axis unit of each display kind of KPI: money in the currency."""
    return {"money": report_units(units).currency, "pct": "%", "int": "count", "float": "value"}


#: the axis unit of each display kind, for the default market (money in its
#: currency); :func:`kind_units` gives them for a report's own units
UNITS = kind_units(ReportUnits())


def _fill(text: str, units: ReportUnits) -> str:
    return text.format(step=units.step_name, year=year_steps(units), currency=units.currency, rate=units.rate())


def series_kpi(name: str, units: ReportUnits | None = None) -> Kpi:
    """The label and display kind of a step-table series (a float when unknown)."""
    if name in STEP_SERIES:
        s = STEP_SERIES[name]
        return Kpi(name, _fill(s.label, report_units(units)), s.kind, name not in _LOWER_IS_BETTER)
    return ALL_KPIS.get(name) or Kpi(name, name.replace("_", " "), "float", True)


def series_unit(name: str, units: ReportUnits | None = None) -> str:
    """The y axis label of a step-table series: its unit."""
    units = report_units(units)
    if name in STEP_SERIES:
        return _fill(STEP_SERIES[name].unit, units)
    return unit_label(series_kpi(name, units), units)


def step_series(steps: pd.DataFrame, name: str, units: ReportUnits | None = None) -> pd.Series:
    """Series ``name`` of a step table: a column, or one of :data:`DERIVED_SERIES`."""
    if name in DERIVED_SERIES:
        return DERIVED_SERIES[name](steps, report_units(units))
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


def kpi_bands(
    steps: pd.DataFrame, firm: str, kpi: str, confidence: float = 0.95, units: ReportUnits | None = None
) -> pd.DataFrame:
    """Series ``kpi`` of ``firm`` per scenario and step: the mean over the
    replications and the Student-t interval of that mean.

    Args:
        steps: an experiment's step table (scenario, replication, step, firm, ...).
        firm: the firm whose series it is.
        kpi: a column of the step table or a :data:`DERIVED_SERIES` name.
        confidence: the interval's confidence level.
        units: the experiment's units (a year's steps, for annual rates).

    Returns:
        Columns ``scenario``, ``step``, ``mean``, ``ci_low``, ``ci_high``; one row
        per scenario (in order of appearance) and step (ascending).
    """
    mine = _of_firm(steps, firm)
    bands = mean_intervals(step_series(mine, kpi, units), mine[["scenario", "step"]], confidence)
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


def _given_axes(axes: Any, n: int | Sequence[int], what: str) -> tuple[Figure, np.ndarray]:
    """The given Axes as an array, when there are ``n`` (or one of the counts ``n``) of them."""
    axes = np.atleast_1d(np.asarray(axes, dtype=object)).ravel()
    counts = [n] if isinstance(n, int) else list(n)
    if len(axes) not in counts:
        need = " or ".join(str(c) for c in counts)
        raise ValueError(f"axes = {len(axes)} Axes: need one Axes per {what} ({need})")
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


def _foot(fig: Figure, text: str, width: int) -> None:
    """A note under the figure's panels, wrapped to ``width`` characters."""
    fig.supxlabel("\n".join(textwrap.wrap(text, width)), fontsize=FONT["legend"], color="#444444")


def kind_scale(kind: str) -> float:
    """Factor that puts a KPI of this kind on its plotted scale (shares as percent)."""
    return 100.0 if kind == "pct" else 1.0


def unit_label(kpi: Kpi, units: ReportUnits | None = None) -> str:
    """The unit of a KPI's axis (money in the currency; an NPV with its horizon and discount rate)."""
    units = report_units(units)
    if kpi.name == "npv":
        return f"{units.currency} over {units.horizon()} at {units.rate()}"
    return kind_units(units).get(kpi.kind, "value")


def plot_kpi_bands(
    steps: pd.DataFrame,
    firm: str,
    kpis: Sequence[str] = BAND_KPIS,
    confidence: float = 0.95,
    baseline: str | None = None,
    axes: Any = None,
    units: ReportUnits | None = None,
) -> Figure:
    """KPI time series of ``firm``: per scenario the mean over the replications
    as a line and its interval (:func:`kpi_bands`) as a band; one panel per KPI.
    Bands of shares are drawn within 0-100%. Retention is the annual rate
    over the trailing year (:func:`annual_retention`), as the tables' is annual.

    Args:
        steps: an experiment's step table.
        firm: the firm to show.
        kpis: step-table series, one panel each.
        confidence: the bands' confidence level.
        baseline: the scenario drawn first in :data:`BASELINE_COLOUR` (default:
            the first scenario of ``steps``).
        axes: ``None`` (a new Figure) or one Axes per KPI.
        units: the experiment's units; None: the default market's.

    Returns:
        The Figure holding the panels.
    """
    units = report_units(units)
    kpis = list(kpis)
    colours = scenario_colours(steps["scenario"], baseline)
    if axes is None:
        fig, axes = _new_figure(len(kpis), 2, (5.0, 3.4), extra_width=2.0)
        fig.suptitle(
            f"{firm}: mean over replications, band = {confidence:.0%} interval of the mean", fontsize=FONT["suptitle"]
        )
        if "annual_retention_rate" in kpis:
            _foot(
                fig,
                f"Annual retention: 1 - customers lost over the trailing {year_steps(units)} {units.step_name}s "
                f"/ their mean number of customers, per year (over fewer {units.step_name}s in the first year); "
                f"the tables' annual retention is the same over the whole horizon of {units.horizon()}. "
                f"Money in {units.currency}.",
                130,
            )
    else:
        fig, axes = _given_axes(axes, len(kpis), "KPI")
    for ax, name in zip(axes, kpis):
        kpi = series_kpi(name, units)
        bands = kpi_bands(steps, firm, name, confidence, units)
        _draw_bands(ax, bands, colours, kpi.kind)
        label_axes(ax, kpi.label, units.step_name, series_unit(name, units))
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


def _draw_bands(ax: Any, bands: pd.DataFrame, colours: dict[str, str], kind: str) -> None:
    """Each scenario's mean line and interval band (shares in percent, within 0-100)."""
    scale = kind_scale(kind)
    low, high = (0.0, 100.0) if kind == "pct" else (None, None)  # a share stays a share
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


def state_shares(steps: pd.DataFrame, firm: str) -> pd.DataFrame:
    """:func:`state_composition` as shares of the market's people: each row's
    states sum to 1."""
    out = state_composition(steps, firm)
    names = list(STATE_NAMES)
    total = out[names].sum(axis=1)
    if (total <= 0).any():
        raise ValueError("a step of the table has nobody in any state")
    out[names] = out[names].div(total, axis=0)
    return out


def state_share_differences(steps: pd.DataFrame, firm: str, baseline: str | None = None) -> pd.DataFrame:
    """How far each non-baseline scenario's share of the market in each state
    lies from the baseline's, step by step, in percentage points.

    Args:
        steps: an experiment's step table.
        firm: the firm whose states they are.
        baseline: the scenario compared with (default: the first of ``steps``).

    Returns:
        Columns ``scenario``, ``step``, one per state name and ``customers``
        (the firm's customers, the sum of :data:`CUSTOMER_STATE_NAMES`): the
        scenario's share less the baseline's at the same step, times 100. A row
        sums to 0 over the states, since both sides' shares sum to 1. One row
        per non-baseline scenario (in order of appearance) and step.
    """
    shares = state_shares(steps, firm)
    scenarios = scenario_order(shares["scenario"], baseline)
    names = list(STATE_NAMES)
    shares["customers"] = shares[list(CUSTOMER_STATE_NAMES)].sum(axis=1)
    columns = [*names, "customers"]
    base = shares[shares["scenario"] == scenarios[0]].set_index("step")[columns]
    parts = []
    for scenario in scenarios[1:]:
        rows = shares[shares["scenario"] == scenario].set_index("step")[columns]
        diff = 100 * (rows - base.reindex(rows.index))
        parts.append(diff.reset_index().assign(scenario=scenario))
    if not parts:
        return pd.DataFrame(columns=["scenario", "step", *columns])
    return pd.concat(parts, ignore_index=True)[["scenario", "step", *columns]]


def _difference_lines(ax: Any, rows: pd.DataFrame) -> None:
    """One line per state (in its colour) and a black one for the firm's customers."""
    step = rows["step"].to_numpy()
    ax.axhline(0.0, color="#999999", linewidth=0.8)
    for name in STACK_ORDER:
        ax.plot(step, rows[name].to_numpy(), color=STATE_COLOURS[name], linewidth=1.6, label=state_label(name))
    ax.plot(step, rows["customers"].to_numpy(), color="black", linewidth=1.4, label="customers (total)")
    ax.set_xlim(step.min(), step.max())


def _state_grid(n: int, with_differences: bool) -> tuple[Figure, np.ndarray, np.ndarray]:
    """A figure with, per scenario, a shares panel and (below it) a differences
    panel; up to three scenarios a row. Returns the figure and both rows of Axes."""
    ncols = min(3, n)
    blocks = -(-n // ncols)
    rows = blocks * (2 if with_differences else 1)
    fig = Figure(figsize=(4.4 * ncols + 2.9, 3.0 * rows + 1.1), layout="constrained")
    FigureCanvasAgg(fig)
    grid = fig.subplots(rows, ncols, squeeze=False)
    shares, diffs = [], []
    for i in range(blocks * ncols):
        block, col = divmod(i, ncols)
        top = grid[block * (2 if with_differences else 1), col]
        below = grid[block * 2 + 1, col] if with_differences else None
        if i < n:
            shares.append(top)
            diffs.append(below)
        else:
            for a in (top, below):
                if a is not None:
                    a.set_visible(False)
    return fig, np.asarray(shares, dtype=object), np.asarray(diffs if with_differences else [], dtype=object)


def plot_state_composition(
    steps: pd.DataFrame, firm: str, baseline: str | None = None, axes: Any = None, units: ReportUnits | None = None
) -> Figure:
    """People by loyalty state towards ``firm`` over time (mean over the
    replications), as shares of the market's people: per scenario a
    stacked-area panel (the states sum to 100%) and, below each
    non-baseline scenario's, its difference from the baseline per state in
    percentage points (:func:`state_share_differences`), on one scale for
    all scenarios, so that scenarios whose stacks look alike can be told apart.

    The firm's customers' states are stacked at the bottom, up to a black
    line at its share of customers; above it the people who are not its
    customers (churned, aware, prospect).

    Args:
        steps: an experiment's step table.
        firm: the firm to show.
        baseline: the scenario of the first panel and the one compared with
            (default: the first of ``steps``).
        axes: ``None`` (a new Figure); one Axes per scenario (the shares
            only); or two per scenario, the shares panels then the
            differences panels (the baseline's difference Axes holds the legend).
        units: the experiment's units (the step's length); None: the default market's.
    """
    units = report_units(units)
    shares = state_shares(steps, firm)
    scenarios = scenario_order(shares["scenario"], baseline)
    n = len(scenarios)
    if axes is None:
        fig, share_axes, diff_axes = _state_grid(n, n > 1)
        replications = steps["replication"].nunique() if "replication" in steps.columns else 1
        fig.suptitle(
            f"{firm}: people by loyalty state, share of the market (mean over {replications} replications)",
            fontsize=FONT["suptitle"],
        )
    else:
        fig, given = _given_axes(axes, (n, 2 * n), "scenario")
        share_axes, diff_axes = given[:n], given[n:]
    differences = state_share_differences(steps, firm, scenarios[0]) if len(diff_axes) else None
    for i, (ax, scenario) in enumerate(zip(share_axes, scenarios)):
        rows = shares[shares["scenario"] == scenario]
        _stack_shares(ax, rows["step"].to_numpy(), rows)
        label_axes(ax, f"{scenario}: shares", units.step_name, "% of the market")
    if differences is not None:
        top = max(1.0, float(np.nanmax(np.abs(differences[[*STATE_NAMES, "customers"]].to_numpy()))) * 1.08)
        for i, (ax, scenario) in enumerate(zip(diff_axes, scenarios)):
            if i == 0:
                continue
            _difference_lines(ax, differences[differences["scenario"] == scenario])
            ax.set_ylim(-top, top)
            label_axes(ax, f"{scenario} − {scenarios[0]}", units.step_name, "difference (pp)")
    handles, labels = share_axes[0].get_legend_handles_labels()
    legend = {
        "handles": handles[::-1],
        "labels": labels[::-1],
        "frameon": False,
        "title": "loyalty state",
        "fontsize": FONT["legend"],
        "title_fontsize": FONT["legend"],
    }
    if len(diff_axes):
        holder = diff_axes[0]
        holder.axis("off")
        holder.legend(loc="center", **legend)
        if axes is None:
            _foot(
                fig,
                f"Under each scenario's shares: its share less {scenarios[0]}'s, per state and "
                f"{units.step_name}, in percentage points (pp), on one scale for all scenarios.",
                130,
            )
    else:
        fig.legend(loc="outside right center", **legend)
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
    intervals of differences from the baseline (:func:`paired_differences`)
    are narrower, as the pairs share their luck."""
    mine = _of_firm(runs, firm)
    points = mine[["scenario", "replication", "retention_rate", "npv"]].reset_index(drop=True)
    means = None
    for kpi in ("retention_rate", "npv"):
        m = mean_intervals(mine[kpi], [mine["scenario"]], confidence).rename(
            columns={"mean": kpi, "ci_low": f"{kpi}_low", "ci_high": f"{kpi}_high"}
        )
        means = m if means is None else means.merge(m.drop(columns="n"), on="scenario", sort=False)
    return ProfitRetention(points, means)


#: the KPIs of the profit-retention figure
PROFIT_RETENTION = ("retention_rate", "npv")


def paired_differences(
    runs: pd.DataFrame, firm: str, baseline: str | None = None, confidence: float = 0.95
) -> pd.DataFrame:
    """Each non-baseline scenario's difference from the baseline in annual
    retention and NPV of ``firm``, estimated on pairs: replication ``r`` of
    every scenario ran on seed ``r``, as did the baseline's, so the mean of
    the per-replication differences has the paired Student-t interval the
    tables use (:func:`experiments.running.statistics.compare`).

    Returns:
        One row per non-baseline scenario (in order of appearance): ``scenario``,
        ``n`` (pairs), then for ``retention_rate`` and ``npv`` the mean paired
        difference (``<kpi>``), its interval (``<kpi>_low``, ``<kpi>_high``)
        and, for comparison, the unpaired (Welch) interval of the difference
        of the two means (``<kpi>_unpaired_low``, ``<kpi>_unpaired_high``).
    """
    mine = _of_firm(runs, firm)
    base = scenario_order(mine["scenario"], baseline)[0]
    table = compare(mine, base, firm, PROFIT_RETENTION, confidence)
    table = table[table["scenario"] != base]
    out = table.loc[table["kpi"] == PROFIT_RETENTION[0], ["scenario", "n"]].reset_index(drop=True)
    for kpi in PROFIT_RETENTION:
        rows = table[table["kpi"] == kpi].set_index("scenario").loc[out["scenario"]]
        for column, suffix in (
            ("diff", ""),
            ("ci_low", "_low"),
            ("ci_high", "_high"),
            ("unpaired_ci_low", "_unpaired_low"),
            ("unpaired_ci_high", "_unpaired_high"),
        ):
            out[f"{kpi}{suffix}"] = rows[column].to_numpy()
    return out


def width_ratio(differences: pd.DataFrame, kpi: str = "npv") -> float:
    """How many times as wide the unpaired intervals of ``kpi`` are as the
    paired ones: the median over the scenarios of :func:`paired_differences`
    (NaN when none has both). Above 1 where the pairs share their luck."""
    paired = differences[f"{kpi}_high"] - differences[f"{kpi}_low"]
    unpaired = differences[f"{kpi}_unpaired_high"] - differences[f"{kpi}_unpaired_low"]
    ratio = (unpaired / paired)[(paired > 0) & np.isfinite(unpaired)]
    return float(ratio.median()) if len(ratio) else float("nan")


def _levels(ax: Any, numbers: ProfitRetention, colours: dict[str, str], units: ReportUnits) -> None:
    """Profit against retention: a small dot per replication, a large one per scenario's mean."""
    means = numbers.means.set_index("scenario")
    for scenario, colour in colours.items():
        dots = numbers.points[numbers.points["scenario"] == scenario]
        ax.scatter(100 * dots["retention_rate"], dots["npv"], s=22, color=colour, alpha=0.45, linewidths=0)
        m = means.loc[scenario]
        ax.plot(
            [100 * m["retention_rate"]],
            [m["npv"]],
            "o",
            markersize=8,
            color=colour,
            markeredgecolor="white",
            label=str(scenario),
        )
    label_axes(
        ax,
        "levels: small dots = replications, large = mean",
        "retention rate (annual, true, %)",
        f"NPV of profit ({units.currency})\nover {units.horizon()}, discounted at {units.rate()}",
    )
    _thousands(ax.yaxis)


def _paired(
    ax: Any, differences: pd.DataFrame, colours: dict[str, str], baseline: str, confidence: float, units: ReportUnits
) -> None:
    """Differences from the baseline with their paired intervals on both axes; the baseline at the origin."""
    ax.axhline(0.0, color="#999999", linewidth=0.8)
    ax.axvline(0.0, color="#999999", linewidth=0.8)
    ax.plot([0.0], [0.0], "o", markersize=8, color=colours[baseline])
    for row in differences.itertuples(index=False):
        x, y = 100 * row.retention_rate, row.npv
        xerr = np.nan_to_num([[x - 100 * row.retention_rate_low], [100 * row.retention_rate_high - x]])
        yerr = np.nan_to_num([[y - row.npv_low], [row.npv_high - y]])
        ax.errorbar([x], [y], xerr=xerr, yerr=yerr, fmt="o", markersize=7, color=colours[row.scenario], capsize=3)
    ax.text(
        0.98,
        0.98,
        "more profit and retention ↗",
        ha="right",
        va="top",
        transform=ax.transAxes,
        fontsize=FONT["legend"],
        color="#444444",
        bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8},
        zorder=5,
    )
    label_axes(
        ax,
        f"difference from {baseline}, paired by seed ({confidence:.0%} intervals)",
        "Δ retention rate (annual, percentage points)",
        f"Δ NPV of profit ({units.currency})",
    )
    _thousands(ax.yaxis)


def plot_profit_vs_retention(
    runs: pd.DataFrame,
    firm: str,
    confidence: float = 0.95,
    baseline: str | None = None,
    ax: Any = None,
    units: ReportUnits | None = None,
) -> Figure:
    """Profit (NPV) against annual retention rate of ``firm``: on the left
    the levels, a dot per replication and a larger one per scenario's mean
    (:func:`profit_retention_points`); on the right each scenario's
    difference from the baseline with its paired interval on both axes
    (:func:`paired_differences`), the intervals the tables' verdicts use,
    and a note on why they are narrower than intervals of each mean.

    Args:
        runs: an experiment's runs table (one row per scenario x replication x firm).
        firm: the firm to show.
        confidence: the intervals' confidence level.
        baseline: the scenario drawn first in :data:`BASELINE_COLOUR` and compared with.
        ax: ``None`` (a new Figure); one Axes (the levels only); or two
            Axes (the levels, then the differences).
        units: the experiment's units (currency, horizon, discount rate);
            None: the default market's.
    """
    units = report_units(units)
    numbers = profit_retention_points(runs, firm, confidence)
    colours = scenario_colours(numbers.points["scenario"], baseline)
    base = next(iter(colours))
    differences = paired_differences(runs, firm, base, confidence)
    own = ax is None
    if own:
        fig = Figure(figsize=(14.0, 5.8), layout="constrained")
        FigureCanvasAgg(fig)
        axes = fig.subplots(1, 2)
        fig.suptitle(f"{firm}: profit against retention", fontsize=FONT["suptitle"])
    else:
        fig, axes = _given_axes(ax, (1, 2), "panel")
    _levels(axes[0], numbers, colours, units)
    if len(axes) > 1:
        _paired(axes[1], differences, colours, base, confidence, units)
    handles, labels = axes[0].get_legend_handles_labels()
    legend = {"title": "scenario", "fontsize": FONT["legend"], "title_fontsize": FONT["legend"], "frameon": False}
    if own:
        fig.legend(handles, labels, loc="outside right center", **legend)
        _foot(fig, _pairing_note(differences, base, confidence), 160)
    else:
        axes[0].legend(handles, labels, loc="best", **legend)
    return fig


def _pairing_note(differences: pd.DataFrame, baseline: str, confidence: float) -> str:
    """Why the right panel's intervals are narrower than the spread on the left suggests."""
    npv, retention = width_ratio(differences, "npv"), width_ratio(differences, "retention_rate")
    here = (
        f" (here unpaired intervals would be {npv:.1f} times as wide for NPV and {retention:.1f} times for "
        "retention, median over the scenarios)"
        if math.isfinite(npv) and math.isfinite(retention)
        else ""
    )
    return (
        f"Right: replication r of every scenario ran on seed r, as did {baseline}'s, so each difference is "
        "taken within a pair of runs and the luck the pair shares cancels. A paired "
        f"{confidence:.0%} interval is therefore usually narrower than the unpaired interval of two means{here}; "
        "the tables' verdicts use the paired ones: an interval clear of 0 is a difference."
    )
