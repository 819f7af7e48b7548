"""The trainer's dashboard: a lesson of the model live in the browser.

A Mesa SolaraViz page over :class:`experiments.classroom.lesson.Classroom` (Mesa is
the frame). The sidebar holds SolaraViz's Play, Step and Reset
and the lesson's controls (:func:`model_params`): a setting takes effect on
Reset, which rebuilds the classroom from the controls. The main area shows
the lesson's story, KPI cards per firm and five charts; in every chart the
baseline twin (the same seed without the strategy) is drawn faint and dashed,
so the strategy's effect is the gap between solid and dashed. Last, the
lesson's strategy map (:class:`StrategyMapPanel`): where the strategy pays
over two market conditions, with a star at the market on the screen.

Serve it with ``solara run experiments.classroom.dashboard`` (``make dashboard``).
Each browser session builds its own classroom inside :func:`Page`
(``solara.use_memo``), never at module level: one tab never changes another,
and a closed session's classroom goes with it. A session whose tab is gone
is closed by Solara (at once when the tab says goodbye, else after
``SOLARA_KERNEL_CULL_TIMEOUT``, which ``make dashboard`` sets); the memory
it held is then handed back to the operating system (:func:`release_memory`),
so that the server does not grow with every session it has served.

A lesson file that fails validation is not offered; the page names it and
the one-line reason above the lesson (:func:`experiments.classroom.lesson.read_lessons`).

Charts are matplotlib figures drawn without pyplot (thread-safe: Play steps
the model in a worker thread), with big fonts and few colours so that they
read from the back of a room; the numbers they show come from
:meth:`Classroom.snapshot`, tested in tests/experiments/classroom/test_lesson.py.
"""

from __future__ import annotations

import ctypes
import gc
import html
import io
import re
import threading
import time
from typing import Callable

import numpy as np
import pandas as pd
import solara
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from experiments.analysis.map_plots import plot_map
from experiments.classroom.lesson import (
    AS_IN_LESSON,
    CUSTOMER_GROUPS,
    DEFAULT_N_CUSTOMERS,
    KEEP,
    N_CUSTOMERS_RANGE,
    NO_STRATEGY,
    OUTCOMES,
    PRICE_SEGMENT,
    STATE_GROUPS,
    Classroom,
    SkippedLesson,
    Snapshot,
    first_lesson,
    lesson_names,
    lesson_presets,
    max_teaching_scenarios,
    skipped_lessons,
    state_groups,
)
from experiments.classroom.lesson_map_view import MapView, classroom_map_view
from strategies.price_war import RETALIATION
from strategies.registry import available

# --------------------------------------------------------------------------- look
#: font sizes in points: legible on a projector from the back of a room
TITLE_SIZE, LABEL_SIZE, TICK_SIZE, LEGEND_SIZE = 18, 15, 13, 13
#: size of a chart in inches and its resolution (648 x 360 pixels: about the
#: width of a grid cell, so the browser barely rescales it)
FIGURE_SIZE, FIGURE_DPI = (9.0, 5.0), 72
#: fixed margins of a chart, as shares of the figure (a layout engine would
#: double the drawing time, and Play redraws five charts every step)
MARGINS = {"left": 0.12, "right": 0.97, "top": 0.88, "bottom": 0.14, "wspace": 0.3}
#: the loyalty-state chart's margins: a suptitle above, the legend below
STATES_MARGINS = {**MARGINS, "left": 0.1, "top": 0.8, "bottom": 0.27, "wspace": 0.08}
#: the network view's margins: the legend on the right
NETWORK_MARGINS = {"left": 0.0, "right": 0.7, "top": 0.9, "bottom": 0.0}
#: one colour per firm, the focal firm first (market order); a fifth firm reuses grey
FIRM_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#7f7f7f")
#: the focal firm's line is drawn thicker than the rivals'
FOCAL_WIDTH, RIVAL_WIDTH = 3.5, 2.0
#: the baseline twin: faint and dashed
BASELINE_STYLE = {"linestyle": "--", "alpha": 0.45, "linewidth": 2.0}
#: one colour per loyalty-state group (cold outside, warm loyal, grey lost; as experiments/reports/plots.py)
GROUP_COLOURS = {
    "not a customer": "#d9d9d9",
    "new": "#6baed6",
    "repeat": "#3182bd",
    "loyal & advocate": "#31a354",
    "captive": "#b15928",
    "at risk": "#fd8d3c",
    "churned": "#636363",
}
#: the network view's ties: thin and light, so the customers stand out
TIE_COLOUR, TIE_WIDTH = "#bbbbbb", 0.8
#: marker area of a customer in the network view (points squared) and its ring's width
NODE_SIZE, RING_WIDTH = 90, 2.5
#: top of the disconfirmation chart's % axis: room above 100% for the legend
LEGEND_HEADROOM_PCT = 125
#: one colour per disconfirmation outcome
OUTCOME_COLOURS = {"delighted": "#31a354", "satisfied": "#bdbdbd", "disappointed": "#d62728"}
#: steps averaged in the retention and churn lines: a month of weekly steps
#: steadies the weekly noise of a 2,000-customer market
ROLLING_STEPS = 4
#: milliseconds between two steps while playing; drawing the five charts takes
#: about 0.5-0.7 s more, so a 52-week lesson plays in under a minute (raise
#: SolaraViz's "Render Interval" to skip drawings and play faster)
PLAY_INTERVAL_MS = 100
#: highest seed the seed slider offers (a handful of different worlds is enough in class)
SEED_MAX = 99
#: the market-size slider's step
N_CUSTOMERS_STEP = 500
#: top of the price-war depth slider (PriceWarConfig allows up to 0.9) and its step
DEPTH_MAX, DEPTH_STEP = 0.6, 0.05
#: the latest start week the strategy-start slider offers
START_MAX = 52
#: range and step of the price-segment share slider
PRICE_SHARE_RANGE, PRICE_SHARE_STEP = (0.1, 0.8), 0.05
#: the strategy map of two conditions (one heatmap) in inches, wider than the
#: report's, and its resolution: 532 x 312 pixels, so that the map and the
#: rule under it fit a grid cell; a map of more conditions keeps its own size
MAP_SIZE, MAP_DPI = (7.0, 4.1), 76
#: the strategy map's width on the page (CSS): its own, or the cell's if narrower
MAP_WIDTH = "min(100%, 532px)"


def _default_price_share() -> float:
    """The price segment's share in the first lesson's market (the slider's start)."""
    segments = lesson_presets()[first_lesson()].market.customers.segments
    return float(next(s.share for s in segments if s.name == PRICE_SEGMENT))


def model_params() -> dict:
    """SolaraViz's controls: one per keyword of :class:`Classroom`, with the
    ranges of experiments/classroom/lesson.py; 0 and "lesson" keep the lesson's value."""
    return {
        "lesson": {"type": "Select", "label": "Lesson", "value": first_lesson(), "values": lesson_names()},
        "scenario_number": {
            "type": "SliderInt",
            "label": "Scenario of the lesson",
            "value": 1,
            "min": 1,
            "max": max_teaching_scenarios(),
            "step": 1,
        },
        "n_customers": {
            "type": "SliderInt",
            "label": "Customers in the market",
            "value": DEFAULT_N_CUSTOMERS,
            "min": N_CUSTOMERS_RANGE[0],
            "max": N_CUSTOMERS_RANGE[1],
            "step": N_CUSTOMERS_STEP,
        },
        "price_share": {
            "type": "SliderFloat",
            "label": "Share of price-driven customers",
            "value": _default_price_share(),
            "min": PRICE_SHARE_RANGE[0],
            "max": PRICE_SHARE_RANGE[1],
            "step": PRICE_SHARE_STEP,
        },
        "strategy": {
            "type": "Select",
            "label": "Focal firm's strategy",
            "value": AS_IN_LESSON,
            "values": [AS_IN_LESSON, NO_STRATEGY, *available()],
        },
        "depth": {
            "type": "SliderFloat",
            "label": "Price-war discount (0 = lesson's)",
            "value": float(KEEP),
            "min": 0.0,
            "max": DEPTH_MAX,
            "step": DEPTH_STEP,
        },
        "start": {
            "type": "SliderInt",
            "label": "Strategy starts in week (0 = lesson's)",
            "value": KEEP,
            "min": 0,
            "max": START_MAX,
            "step": 1,
        },
        "retaliation": {
            "type": "Select",
            "label": "Rivals answer a price war",
            "value": AS_IN_LESSON,
            "values": [AS_IN_LESSON, *RETALIATION],
        },
        "seed": {
            "type": "SliderInt",
            "label": "Seed (another random world)",
            "value": 0,
            "min": 0,
            "max": SEED_MAX,
            "step": 1,
        },
    }


def initial_settings(params: dict) -> dict:
    """The keywords of the first classroom: each control's starting value."""
    return {name: spec["value"] for name, spec in params.items()}


# --------------------------------------------------------------------------- figures
def _figure(margins: dict = MARGINS) -> Figure:
    """An empty chart of the page's size, drawn without pyplot."""
    fig = Figure(figsize=FIGURE_SIZE, dpi=FIGURE_DPI)
    fig.subplots_adjust(**margins)
    return fig


def _style(ax, title: str, ylabel: str = "") -> None:
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(title, fontsize=TITLE_SIZE, loc="left")
    ax.set_ylabel(ylabel, fontsize=LABEL_SIZE)
    ax.tick_params(labelsize=TICK_SIZE)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(alpha=0.25)


def _firm_colour(i: int) -> str:
    return FIRM_COLOURS[min(i, len(FIRM_COLOURS) - 1)]


def _by_firm(table: pd.DataFrame, firm: str) -> pd.DataFrame:
    return table[table["firm"] == firm] if not table.empty else table


def _baseline_legend(ax, **where) -> None:
    """The legend, with one entry for every dashed (baseline twin) mark."""
    ax.plot([], [], color="black", **BASELINE_STYLE, label="without the strategy")
    ax.legend(fontsize=LEGEND_SIZE, frameon=False, **({"loc": "best"} | where))


def loyalty_states_figure(snap: Snapshot) -> Figure:
    """Customers of each firm by loyalty state (stacked areas); the baseline
    twin's group boundaries dashed."""
    fig = _figure(STATES_MARGINS)
    axes = fig.subplots(1, len(snap.firms), sharey=True, squeeze=False)[0]
    colours = [GROUP_COLOURS[g] for g in CUSTOMER_GROUPS]
    treated, plain = state_groups(snap.scenario_steps), state_groups(snap.baseline_steps)
    for ax, firm in zip(axes, snap.firms):
        _style(ax, firm)
        rows = _by_firm(treated, firm)
        if len(rows):
            ax.stackplot(
                rows["step"], *[rows[g] for g in CUSTOMER_GROUPS], colors=colours, labels=CUSTOMER_GROUPS, alpha=0.9
            )
            base = _by_firm(plain, firm)
            tops = base[list(CUSTOMER_GROUPS)].cumsum(axis=1)
            for g in CUSTOMER_GROUPS:
                ax.plot(base["step"], tops[g], color="black", **{**BASELINE_STYLE, "linewidth": 1.2})
        ax.set_xlabel("step", fontsize=LABEL_SIZE)
    axes[0].set_ylabel("customers", fontsize=LABEL_SIZE)
    handles, labels = axes[0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="lower center", ncols=len(CUSTOMER_GROUPS), fontsize=LEGEND_SIZE, frameon=False)
    fig.suptitle("Customers by loyalty state (dashed: without the strategy)", fontsize=TITLE_SIZE)
    return fig


def _draw_lines(ax, snap: Snapshot, column: str, scale: float = 1.0, rolling: int = 1) -> None:
    """One line per firm of a step-table column (a ``rolling``-step mean,
    times ``scale``); the focal firm thicker, the baseline twin dashed."""
    for i, firm in enumerate(snap.firms):
        width = FOCAL_WIDTH if i == snap.focal_index else RIVAL_WIDTH
        for table, style, label in (
            (snap.scenario_steps, {"linewidth": width}, firm),
            (snap.baseline_steps, BASELINE_STYLE, None),
        ):
            rows = _by_firm(table, firm)
            if len(rows):
                values = rows[column].rolling(rolling, min_periods=1).mean() * scale
                ax.plot(rows["step"], values, color=_firm_colour(i), **style, label=label)
    ax.set_xlabel("step", fontsize=LABEL_SIZE)


def profit_figure(snap: Snapshot) -> Figure:
    """Cumulative profit per firm."""
    fig = _figure()
    ax = fig.subplots()
    _style(ax, "Cumulative profit", "since step 1")
    _draw_lines(ax, snap, "cumulative_profit")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _format("npv", v)))
    _baseline_legend(ax)
    return fig


def retention_churn_figure(snap: Snapshot) -> Figure:
    """Retention and churn per firm, in % of the step's starting customers
    kept and lost."""
    fig = _figure()
    axes = fig.subplots(1, 2)
    for ax, column, title in zip(axes, ("retention_rate", "churn_rate"), ("Retention %", "Churn %")):
        _style(ax, f"{title} ({ROLLING_STEPS}-step mean)")
        _draw_lines(ax, snap, column, scale=100, rolling=ROLLING_STEPS)
    _baseline_legend(axes[1])
    return fig


def disconfirmation_shares(counts: pd.DataFrame) -> pd.DataFrame:
    """Each firm's buyers of the step by outcome, in % of its buyers (0 without buyers)."""
    buyers = counts.sum(axis=1).replace(0, np.nan)
    return (100 * counts.div(buyers, axis=0)).fillna(0.0)


def disconfirmation_figure(snap: Snapshot) -> Figure:
    """This step's buyers per firm: delighted, satisfied, disappointed (the
    zone of tolerance); the baseline twin as dashed outlines."""
    fig = _figure()
    ax = fig.subplots()
    _style(ax, f"This step's buyers: expectation vs experience (step {snap.step})", "% of the firm's buyers")
    shares, base = disconfirmation_shares(snap.disconfirmation), disconfirmation_shares(snap.baseline_disconfirmation)
    x = np.arange(len(snap.firms))
    width = 0.8 / len(OUTCOMES)
    for k, outcome in enumerate(OUTCOMES):
        at = x + (k - (len(OUTCOMES) - 1) / 2) * width
        ax.bar(at, shares[outcome].to_numpy(), width, color=OUTCOME_COLOURS[outcome], label=outcome)
        ax.bar(at, base[outcome].to_numpy(), width, fill=False, edgecolor="black", **BASELINE_STYLE)
    ax.set_xticks(x, snap.firms)
    ax.set_ylim(0, LEGEND_HEADROOM_PCT)
    ax.set_yticks(range(0, 101, 20))
    _baseline_legend(ax, loc="upper center", ncols=len(OUTCOMES) + 1, handlelength=1.2, columnspacing=0.8)
    return fig


def network_figure(snap: Snapshot, classroom: Classroom) -> Figure:
    """About 200 customers and their ties, coloured by their state with the
    focal firm; the ring around each shows the state without the strategy."""
    sample = classroom.network_sample
    fig = _figure(NETWORK_MARGINS)
    ax = fig.subplots()
    focal = snap.firms[snap.focal_index]
    ax.set_title(
        f"Word of mouth: {len(sample.nodes)} customers and their ties, by state with {focal}",
        fontsize=TITLE_SIZE - 2,
        loc="left",
    )
    ax.set_axis_off()
    lines = sample.layout[sample.edges]
    ax.add_collection(LineCollection(lines, colors=TIE_COLOUR, linewidths=TIE_WIDTH, zorder=1))
    palette = np.array([GROUP_COLOURS[group] for group in STATE_GROUPS])  # by group index
    ax.scatter(
        sample.layout[:, 0],
        sample.layout[:, 1],
        s=NODE_SIZE,
        c=palette[snap.network_groups],
        edgecolors=palette[snap.baseline_network_groups],
        linewidths=RING_WIDTH,
        zorder=2,
    )
    for group in STATE_GROUPS:
        ax.scatter([], [], s=NODE_SIZE, c=GROUP_COLOURS[group], label=group)
    ax.scatter(
        [], [], s=NODE_SIZE, c="white", edgecolors="black", linewidths=RING_WIDTH, label="ring: without strategy"
    )
    ax.legend(fontsize=LEGEND_SIZE - 2, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
    ax.autoscale_view()
    return fig


def map_png(view: MapView) -> bytes:
    """The lesson's strategy map as a PNG, the star at the market on the
    screen (:func:`experiments.analysis.map_plots.plot_map`); empty without a map."""
    if not view.found:
        return b""
    fig = plot_map(view.points, view.meta, view.current)
    if len(view.meta["conditions"]) == 2:
        fig.set_size_inches(*MAP_SIZE)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=MAP_DPI)
    return buffer.getvalue()


# --------------------------------------------------------------------------- components
def _show(fig: Figure, classroom: Classroom, snap: Snapshot) -> None:
    solara.FigureMatplotlib(fig, format="png", dependencies=[id(classroom), snap.step])


@solara.component
def LessonStory(model: Classroom):
    """The lesson's story at the top: what the class is looking at and against what."""
    update_counter.get()
    snap = model.snapshot()
    shown, base = model.twins.scenario, model.twins.baseline
    solara.HTML(
        tag="div",
        style="font-size: 1.2rem; line-height: 1.45; height: 100%; overflow-y: auto;",
        unsafe_innerHTML=(
            f"<h2 style='margin:0'>Lesson: {html.escape(model.preset.name)} &mdash; "
            f"step {snap.step} of {snap.horizon}</h2>"
            f"<p style='margin:4px 0'><b>Solid: {html.escape(shown.name)}</b> &mdash; "
            f"{html.escape(shown.description)}<br><b>Dashed: {html.escape(base.name)}</b> &mdash; "
            f"{html.escape(base.description)}</p>"
            f"<p style='margin:4px 0'>{html.escape(model.story)}</p>"
            f"<p style='font-size:1rem;color:#555;margin:4px 0'>{html.escape(settings_line(model))}</p>"
        ),
    )


def _describe_strategy(spec: str | dict) -> str:
    """A strategy spec in words: its name and the parameters it sets."""
    if isinstance(spec, str):
        return spec
    return " ".join([spec["name"], *(f"{k}={v}" for k, v in spec.items() if k != "name")])


def settings_line(model: Classroom) -> str:
    """The settings this classroom was built with, in words (the sliders show
    no numbers, and a moved control only counts after Reset)."""
    market = model.twins.scenario.market
    focal = market.firms[model.focal_index]
    price = next((seg.share for seg in market.customers.segments if seg.name == PRICE_SEGMENT), float("nan"))
    strategies = ", ".join(_describe_strategy(spec) for spec in focal.strategies) or "no strategy"
    return (
        f"Settings: {market.n_customers:,} customers, {100 * price:.0f}% price-driven; "
        f"{focal.name} runs {strategies}; burn-in {market.burn_in} steps; seed {model.settings.seed}. "
        "Move the controls, then press Reset."
    )


def _format(column: str, value: float) -> str:
    if not np.isfinite(value):
        return "&ndash;"
    if column in ("market_share", "retention_rate", "churn_rate"):
        return f"{100 * value:.1f}%"
    if column in ("cumulative_profit", "npv"):
        return f"{round(value / 1000):,}k"  # round() to an int: no "-0k"
    if column == "customers":
        return f"{value:,.0f}"
    return f"{value:.0f}"


#: KPI card rows: step-table column -> label
KPI_LABELS = {
    "customers": "customers",
    "market_share": "market share",
    "retention_rate": "retention",
    "cumulative_profit": "profit",
    "npv": "NPV",
    "promoter_score": "promoter score",
}


@solara.component
def KpiCards(model: Classroom):
    """The KPI cards: one column per firm, big numbers now and, in small grey
    print, the baseline twin's."""
    update_counter.get()
    snap = model.snapshot()
    head = "".join(
        f"<th style='color:{_firm_colour(i)};font-size:1.4rem;text-align:left;padding:0 10px'>{html.escape(firm)}</th>"
        for i, firm in enumerate(snap.firms)
    )
    rows = []
    for col, label in KPI_LABELS.items():
        cells = "".join(
            f"<td style='padding:2px 10px;white-space:nowrap'>"
            f"<span style='font-size:1.6rem;font-weight:600'>{_format(col, snap.kpis.at[firm, col])}</span> "
            f"<span style='font-size:0.95rem;color:#777'>"
            f"vs {_format(col, snap.baseline_kpis.at[firm, col])}</span></td>"
            for firm in snap.firms
        )
        rows.append(f"<tr><td style='font-size:1.05rem;color:#555;padding-right:6px'>{label}</td>{cells}</tr>")
    solara.HTML(
        tag="div",
        unsafe_innerHTML=(
            f"<div style='font-size:1.05rem;color:#555'>Step {snap.step}: each firm now, "
            f"<span style='color:#777'>vs without the strategy</span></div>"
            f"<table style='border-collapse:collapse'><tr><th></th>{head}</tr>{''.join(rows)}</table>"
        ),
    )


def _panel(model: Classroom, draw: Callable[[Snapshot, Classroom], Figure]) -> None:
    """Redraw ``draw(snapshot, classroom)`` whenever the model steps or resets."""
    update_counter.get()
    snap = model.snapshot()
    _show(draw(snap, model), model, snap)


@solara.component
def LoyaltyStatesChart(model: Classroom):
    _panel(model, lambda snap, _: loyalty_states_figure(snap))


@solara.component
def ProfitChart(model: Classroom):
    _panel(model, lambda snap, _: profit_figure(snap))


@solara.component
def RetentionChurnChart(model: Classroom):
    _panel(model, lambda snap, _: retention_churn_figure(snap))


@solara.component
def DisconfirmationChart(model: Classroom):
    _panel(model, lambda snap, _: disconfirmation_figure(snap))


@solara.component
def NetworkView(model: Classroom):
    _panel(model, network_figure)


def _with_code(text: str) -> str:
    """Plain text as HTML, a `command` in backticks set as code."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


@solara.component
def StrategyMapPanel(model: Classroom):
    """The lesson's strategy map (:mod:`experiments.classroom.lesson_map_view`):
    where the shown strategy pays over two market conditions, with a star at
    the market on the screen, and under it the map's rule and where this
    market lies. The map does not change as the model steps, so the panel
    does not follow the step counter: it is worked out once per classroom
    (a Reset builds a new one) and drawn again only when the map or this
    market's place on it changes."""
    view = solara.use_memo(lambda: classroom_map_view(model), [model])
    png = solara.use_memo(lambda: map_png(view), [view.key])
    rule = f"<p style='margin:2px 0'><b>{html.escape(view.rule_line)}</b></p>" if view.rule_line else ""
    lines = "".join(f"<p style='margin:2px 0'>{_with_code(line)}</p>" for line in [view.where_line, *view.notes])
    with solara.Column(gap="2px", style={"height": "100%", "overflow-y": "auto"}, classes=["strategy-map-panel"]):
        if png:
            solara.Image(png, width=MAP_WIDTH, classes=["strategy-map"])
        solara.HTML(tag="div", style="font-size: 0.95rem; line-height: 1.35;", unsafe_innerHTML=rule + lines)


#: the page's panels in reading order (SolaraViz lays them out two per row)
COMPONENTS = [
    LessonStory,
    KpiCards,
    LoyaltyStatesChart,
    ProfitChart,
    RetentionChurnChart,
    DisconfirmationChart,
    NetworkView,
    StrategyMapPanel,
]


@solara.component
def SkippedLessonsNotice(skipped: tuple[SkippedLesson, ...]):
    """Above the lesson: each lesson file the page skipped, with the one-line
    reason the command line gives for it, so that the trainer knows why a
    lesson is missing and what to fix (nothing when every file is fine)."""
    if not skipped:
        return
    with solara.Warning(dense=True, style={"margin": "8px 16px 0", "font-size": "1rem"}):
        many = len(skipped) > 1
        solara.Text(
            f"{len(skipped)} lesson file{'s' if many else ''} skipped; fix and restart the "
            f"dashboard to offer {'them' if many else 'it'}:"
        )
        for item in skipped:
            solara.Text(item.notice, style={"display": "block", "font-family": "monospace"})


@solara.component
def LessonViz():
    """A SolaraViz over this session's own classroom. The classroom is built
    here, once per browser session (``use_memo``), so tabs never share a
    model; SolaraViz's Reset replaces it with one built from the controls."""
    params = solara.use_memo(model_params, [])
    classroom = solara.use_memo(lambda: Classroom(**initial_settings(params)), [])
    SolaraViz(
        classroom,
        components=[(c, 0) for c in COMPONENTS],
        model_params=params,
        name="Loyalty classroom",
        play_interval=PLAY_INTERVAL_MS,
    )


@solara.component
def Page():
    """The page: the notice of skipped lesson files, then the lesson (or, if
    no lesson file passes validation, only the notice and what to do)."""
    skipped = skipped_lessons()
    with solara.Column(gap="0px"):
        SkippedLessonsNotice(skipped)
        if lesson_names():
            LessonViz()
        else:
            solara.Error(
                "No lesson to show: every lesson file fails validation (see above). Fix one and restart the dashboard."
            )


# --------------------------------------------------------------------------- memory
#: seconds between a session's close and handing its memory back: after
#: Solara's own collection of the closed session (1 s after the close), and
#: time for the closing code to drop its last references
RELEASE_DELAY_S = 2.0


def _find_malloc_trim() -> Callable[[int], int] | None:
    """The C library's ``malloc_trim`` (glibc, as on Linux); None where there
    is none (e.g. macOS), and then :func:`release_memory` only collects."""
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError, TypeError):
        return None


_malloc_trim = _find_malloc_trim()
_release_lock = threading.Lock()
_release_pending = False


def release_memory() -> None:
    """Free the objects of closed sessions and hand the freed memory back to
    the operating system. A closed session's widgets, render tree and
    classroom are reference cycles, freed only by a collection; and glibc
    keeps the freed heap pages (the twin markets' arrays, drawn charts) for
    reuse instead of returning them: with sessions culled but no trim, the
    server still grew from 328 to 507 MB over eight sessions, one after the
    other (with the trim it ends where the first session left it)."""
    gc.collect()
    if _malloc_trim is not None:
        _malloc_trim(0)


def _schedule_release() -> None:
    """Run :func:`release_memory` :data:`RELEASE_DELAY_S` after a session
    closes, in a background thread, once for a burst of closes."""
    global _release_pending
    with _release_lock:
        if _release_pending:
            return
        _release_pending = True

    def run() -> None:
        global _release_pending
        time.sleep(RELEASE_DELAY_S)
        with _release_lock:
            _release_pending = False
        release_memory()

    thread = threading.Thread(target=run, daemon=True, name="dashboard-release-memory")
    # Solara's Thread captures the current session at creation: this thread
    # must not run inside the closing session, nor keep it alive
    thread.current_context = None  # type: ignore[attr-defined]
    thread.start()


def _on_session_start() -> Callable[[], None]:
    """Solara calls this when a session (virtual kernel) starts, and the
    function it returns when the session closes."""
    return _schedule_release


solara.lifecycle.on_kernel_start(_on_session_start)

#: what ``solara run experiments.classroom.dashboard`` serves
page = Page
