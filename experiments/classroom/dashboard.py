"""The trainer's dashboard: a lesson of the model live in the browser.

A Solara page over :class:`experiments.classroom.lesson.Classroom`, with Mesa
as the frame: the sidebar holds Mesa's model controller (Reset, Play, Step;
:class:`mesa.visualization.solara_viz.ModelController`) and step counter, and
the lesson's controls (:func:`model_params`, each showing its value): a
setting takes effect on Reset, which rebuilds the classroom from the
controls. The main area (:func:`Board`) shows the lesson's story, a KPI card
per firm and five charts; in every chart the baseline twin (the same seed
without the strategy) is drawn faint and dashed, so the strategy's effect is
the gap between solid and dashed. Last, the lesson's strategy map
(:class:`StrategyMapPanel`): where the strategy pays over two market
conditions, with a star at the market on the screen.

The page is laid out for a 1366 x 768 projector and up: the cards and charts
wrap into as many columns as fit (:data:`PAGE_CSS`), nothing scrolls
sideways or is cut off, and Solara's badge is off (:func:`hide_solara_badge`).
Mesa's SolaraViz is not used for the main area: its grid of draggable cells
of fixed height cut the cards and the story off, and it showed a tab "Page 0".
Before the first Step the page already shows the market as the lesson starts:
the twins keep the burn-in's last steps (:class:`experiments.classroom.lesson.LessonMarket`).

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

Charts are SVG written in Python (:mod:`experiments.classroom.charts`, about
a millisecond each) and drawn by the browser; a Step redraws only what the
step changed: the charts, the cards and the story's step line (the story and
the strategy map stay as they are). Measured by ``python -m
benchmarks.classroom_step`` in a real browser against the target of 0.3 s a
Step on two cores. The numbers come from :meth:`Classroom.snapshot`, tested
in tests/experiments/classroom/.
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
import solara
import solara.lab
from mesa.visualization.solara_viz import ModelController, ShowSteps
from mesa.visualization.utils import update_counter

from experiments.analysis.map_plots import plot_map
from experiments.classroom import charts
from experiments.classroom.lesson import (
    ANNUAL_RETENTION,
    AS_IN_LESSON,
    DEFAULT_N_CUSTOMERS,
    KEEP,
    N_CUSTOMERS_RANGE,
    NO_STRATEGY,
    PRICE_SEGMENT,
    Classroom,
    SkippedLesson,
    Snapshot,
    first_lesson,
    lesson_names,
    lesson_presets,
    max_teaching_scenarios,
    skipped_lessons,
)
from experiments.classroom.lesson_map_view import MapView, classroom_map_view
from strategies.price_war import RETALIATION
from strategies.registry import available

# --------------------------------------------------------------------------- look
#: the page's title (app bar and browser tab)
TITLE = "Loyalty classroom"
#: milliseconds between two steps while playing (a Step's drawing takes
#: about 0.1 s more; raise the "Render interval" to skip drawings)
PLAY_INTERVAL_MS = 100
#: the play-interval slider's range in ms (its step: 10)
PLAY_INTERVAL_RANGE = (10, 500)
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
#: the narrowest a chart's column gets before the charts go one a row (CSS
#: pixels): two columns beside the sidebar on a 1366-pixel-wide screen
CHART_MIN_PX = 420
#: the narrowest a KPI card gets before the cards wrap (CSS pixels): three
#: or four cards a row beside the sidebar on a 1366-pixel-wide screen
CARD_MIN_PX = 210

#: the page's own CSS: the main area's cards and charts wrap into as many
#: columns as fit, never wider than the window; the sidebar's sliders carry
#: their label (with the value) on a line of its own above the slider
PAGE_CSS = f"""
.lesson-board {{ padding: 12px 16px 24px; max-width: 100%; box-sizing: border-box; }}
.lesson-board * {{ box-sizing: border-box; }}
.lesson-story h2 {{ margin: 0 0 4px; font-size: 1.6rem; line-height: 1.25; }}
.lesson-story p {{ margin: 4px 0; font-size: 1.1rem; line-height: 1.4; }}
.lesson-story .settings {{ font-size: 0.95rem; color: #555; }}
.lesson-story {{ overflow-wrap: anywhere; }}
.kpi-head {{ font-size: 1rem; color: #555; margin: 4px 0 6px; }}
.kpi-cards {{ display: grid; gap: 10px;
  grid-template-columns: repeat(auto-fit, minmax(min(100%, {CARD_MIN_PX}px), 1fr)); }}
.kpi-card {{ min-width: 0; max-width: 100%; border: 1px solid #ddd;
  border-top: 5px solid var(--firm); border-radius: 6px; padding: 6px 10px; background: #fff;
  color: #222; overflow-wrap: anywhere; }}
.kpi-card h3 {{ margin: 0 0 2px; font-size: 1.35rem; color: var(--firm); }}
.kpi-row {{ display: flex; flex-wrap: wrap; align-items: baseline; column-gap: 8px; padding: 1px 0; }}
.kpi-row .label {{ flex: 1 1 6.5em; min-width: 0; font-size: 0.95rem; color: #555; }}
.kpi-row .value {{ flex: 0 1 auto; min-width: 0; margin-left: auto; text-align: right; }}
.kpi-row .now {{ font-size: 1.45rem; font-weight: 600; }}
.kpi-row .vs {{ display: inline-block; margin-left: 6px; font-size: 0.85rem; color: #777; }}
.chart-grid {{ display: grid; gap: 12px; margin-top: 12px;
  grid-template-columns: repeat(auto-fill, minmax(min(100%, {CHART_MIN_PX}px), 1fr)); }}
.chart-grid > * {{ min-width: 0; }}
.chart {{ background: #fff; border: 1px solid #e3e3e3; border-radius: 6px; padding: 4px; }}
.chart svg {{ display: block; width: 100%; height: auto; }}
.chart-states {{ grid-column: 1 / -1; }}
.strategy-map-panel {{ background: #fff; color: #222; border: 1px solid #e3e3e3; border-radius: 6px;
  padding: 4px 8px; }}
.strategy-map-panel img {{ max-width: 100%; height: auto; }}
.v-navigation-drawer .v-input__slider .v-input__slot {{ flex-wrap: wrap; }}
.v-navigation-drawer .v-input__slider .v-input__slot > .v-label {{ flex: 0 0 100%; max-width: 100%;
  margin: 0 !important; white-space: normal; }}
"""


def hide_solara_badge() -> None:
    """Solara's badge ("This website runs on Solara", bottom right) sits on top
    of the page and covered a chart: off (as SOLARA_THEME_SHOW_BANNER=False)."""
    try:
        from solara.server import settings
    except ImportError:  # pragma: no cover - Solara without its server
        return
    settings.theme.show_banner = False


hide_solara_badge()


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


def control_text(name: str, value: object) -> str:
    """A control's value as its label shows it (0 and "lesson" keep the lesson's)."""
    if name == "n_customers":
        return f"{int(value):,}"
    if name == "price_share":
        return f"{100 * float(value):.0f}%"
    if name == "depth":
        return "lesson's" if float(value) == KEEP else f"{100 * float(value):.0f}%"
    if name == "start":
        return "lesson's" if int(value) == KEEP else f"week {int(value)}"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


# --------------------------------------------------------------------------- the map
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
def _describe_strategy(spec: str | dict) -> str:
    """A strategy spec in words: its name and the parameters it sets."""
    if isinstance(spec, str):
        return spec
    return " ".join([spec["name"], *(f"{k}={v}" for k, v in spec.items() if k != "name")])


def settings_line(model: Classroom) -> str:
    """The settings this classroom was built with, in words (a moved control
    only counts after Reset)."""
    market = model.twins.scenario.market
    focal = market.firms[model.focal_index]
    price = next((seg.share for seg in market.customers.segments if seg.name == PRICE_SEGMENT), float("nan"))
    strategies = ", ".join(_describe_strategy(spec) for spec in focal.strategies) or "no strategy"
    return (
        f"Settings: {market.n_customers:,} customers, {100 * price:.0f}% price-driven; "
        f"{focal.name} runs {strategies}; burn-in {market.burn_in} steps; seed {model.settings.seed}. "
        "Move the controls, then press Reset."
    )


def story_html(model: Classroom) -> str:
    """The lesson's story under the step line: what the class is looking at
    and against what (the same for the whole lesson)."""
    shown, base = model.twins.scenario, model.twins.baseline
    return (
        f"<p><b>Solid: {html.escape(shown.name)}</b> &mdash; {html.escape(shown.description)}<br>"
        f"<b>Dashed: {html.escape(base.name)}</b> &mdash; {html.escape(base.description)}</p>"
        f"<p>{html.escape(model.story)}</p>"
        f"<p class='settings'>{html.escape(settings_line(model))}</p>"
    )


@solara.component
def LessonStory(model: Classroom):
    """The lesson's story at the top: the step line follows the model; the
    story itself is written once per classroom."""
    update_counter.get()
    snap = model.snapshot()
    story = solara.use_memo(lambda: story_html(model), [model])
    with solara.Div(classes=["lesson-story"]):
        solara.HTML(
            tag="h2",
            unsafe_innerHTML=(
                f"Lesson: {html.escape(model.preset.name)} &mdash; step {snap.step} of {snap.horizon}"
                + (" (before the lesson starts)" if snap.step == 0 else "")
            ),
        )
        solara.HTML(tag="div", unsafe_innerHTML=story)


def kpi_text(column: str, value: float) -> str:
    """A KPI card's number: shares and rates in %, money in k and M (three
    significant figures), customers in thousands separated, scores whole."""
    if not np.isfinite(value):
        return "&ndash;"
    if column in ("market_share", "retention_rate", "churn_rate", ANNUAL_RETENTION):
        return f"{100 * value:.1f}%"
    if column in ("cumulative_profit", "npv"):
        return charts.money(value)
    if column == "customers":
        return f"{value:,.0f}"
    return f"{value:.0f}"


#: KPI card rows: column of :attr:`Snapshot.kpis` -> label
KPI_LABELS = {
    "customers": "customers",
    "market_share": "market share",
    ANNUAL_RETENTION: "retention, annual",
    "cumulative_profit": "profit",
    "npv": "NPV",
    "promoter_score": "promoter score",
}


def kpi_cards_html(snap: Snapshot) -> str:
    """The KPI cards: one card per firm, its numbers now big and, in small
    grey print, the baseline twin's."""
    year = round(snap.steps_per_year)
    shown = min(year, snap.step - snap.first_step + 1)
    unit = snap.step_unit
    notes = {
        ANNUAL_RETENTION: (
            f"Annual retention over the last {shown} {unit}s shown, as the reports: "
            "1 - customers lost / mean customers / years"
        ),
        "cumulative_profit": "cumulative profit since step 1",
        "npv": "net present value of the profit since step 1",
    }
    cards = []
    for i, firm in enumerate(snap.firms):
        rows = "".join(
            f"<div class='kpi-row' data-kpi='{col}' title='{html.escape(notes.get(col, label), quote=True)}'>"
            f"<span class='label'>{label}</span><span class='value'>"
            f"<span class='now'>{kpi_text(col, snap.kpis.at[firm, col])}</span>"
            f"<span class='vs'>vs {kpi_text(col, snap.baseline_kpis.at[firm, col])}</span></span></div>"
            for col, label in KPI_LABELS.items()
        )
        cards.append(
            f"<div class='kpi-card' data-firm='{html.escape(firm, quote=True)}' style='--firm:{charts.firm_colour(i)}'>"
            f"<h3>{html.escape(firm)}</h3>{rows}</div>"
        )
    when = "before the lesson starts" if snap.step == 0 else f"step {snap.step}"
    return (
        f"<div class='kpi-head'>{when.capitalize()}: each firm now, "
        f"<span style='color:#777'>vs without the strategy</span>; retention is the annual rate "
        f"over the last {shown} {unit}s</div><div class='kpi-cards'>{''.join(cards)}</div>"
    )


@solara.component
def KpiCards(model: Classroom):
    """The KPI cards (:func:`kpi_cards_html`), redrawn when the model steps."""
    update_counter.get()
    solara.HTML(tag="div", unsafe_innerHTML=kpi_cards_html(model.snapshot()), classes=["kpi-block"])


@solara.component
def Chart(model: Classroom, name: str, draw: Callable[[Snapshot, Classroom], str]):
    """One chart: ``draw(snapshot, classroom)``'s SVG, redrawn when the model steps or resets."""
    update_counter.get()
    solara.HTML(tag="div", unsafe_innerHTML=draw(model.snapshot(), model), classes=["chart", f"chart-{name}"])


@solara.component
def NetworkView(model: Classroom):
    """The network view: its layout and ties worked out once per classroom,
    the customers' colours at every step."""
    update_counter.get()
    picture = solara.use_memo(lambda: charts.network_picture(model.network_sample), [model])
    snap = model.snapshot()
    svg = charts.network_chart(snap, picture, snap.firms[snap.focal_index])
    solara.HTML(tag="div", unsafe_innerHTML=svg, classes=["chart", "chart-network"])


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
    with solara.Column(gap="2px", classes=["strategy-map-panel"]):
        if png:
            solara.Image(png, width=MAP_WIDTH, classes=["strategy-map"])
        solara.HTML(tag="div", style="font-size: 0.95rem; line-height: 1.35;", unsafe_innerHTML=rule + lines)


#: the charts drawn from the snapshot alone, in reading order: (name, what
#: draws it); the loyalty states span the page's width, the network view follows
CHARTS: list[tuple[str, Callable[[Snapshot, Classroom], str]]] = [
    ("states", lambda snap, _: charts.loyalty_states_chart(snap)),
    ("profit", lambda snap, _: charts.profit_chart(snap)),
    ("retention", lambda snap, _: charts.retention_chart(snap)),
    ("disconfirmation", lambda snap, _: charts.disconfirmation_chart(snap)),
]


@solara.component
def Board(model: Classroom):
    """The main area: the story, the KPI cards, the charts and the strategy map."""
    with solara.Div(classes=["lesson-board"]):
        LessonStory(model)
        KpiCards(model)
        with solara.Div(classes=["chart-grid"]):
            for name, draw in CHARTS:
                Chart(model, name, draw)
            NetworkView(model)
            StrategyMapPanel(model)


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
def LessonControls(params: dict, settings: solara.Reactive[dict]):
    """The lesson's controls (:func:`model_params`), each slider's label
    showing its value; they set ``settings``, which Reset builds from."""
    now = settings.value
    for name, spec in params.items():

        def change(value, name=name):
            settings.value = {**settings.value, name: value}

        value = now.get(name, spec["value"])
        if spec["type"] == "Select":
            solara.Select(spec["label"], value=value, values=spec["values"], on_value=change)
            continue
        slider = solara.SliderInt if spec["type"] == "SliderInt" else solara.SliderFloat
        slider(
            f"{spec['label']}: {control_text(name, value)}",
            value=value,
            min=spec["min"],
            max=spec["max"],
            step=spec["step"],
            on_value=change,
        )


@solara.component
def LessonViz():
    """The lesson on the page: Mesa's model controller and step counter and
    the lesson's controls in the sidebar, the :func:`Board` beside them. The
    classroom is built here, once per browser session (``use_memo``), so tabs
    never share a model; Reset replaces it with one built from the controls."""
    params = solara.use_memo(model_params, [])
    classroom = solara.use_memo(lambda: Classroom(**initial_settings(params)), [])
    model = solara.use_reactive(classroom)
    settings = solara.use_reactive(initial_settings(params))
    play_interval = solara.use_reactive(PLAY_INTERVAL_MS)
    render_interval = solara.use_reactive(1)
    use_threads = solara.use_reactive(False)
    solara.Title(TITLE)
    solara.Style(PAGE_CSS)
    with solara.AppBar():
        solara.AppBarTitle(TITLE)
        solara.lab.ThemeToggle()
    with solara.Sidebar(), solara.Column():
        with solara.Card("Controls"):
            solara.SliderInt(
                f"Play interval: {play_interval.value} ms",
                value=play_interval,
                min=PLAY_INTERVAL_RANGE[0],
                max=PLAY_INTERVAL_RANGE[1],
                step=10,
            )
            solara.SliderInt(
                f"Render interval: every {render_interval.value} step{'s' if render_interval.value > 1 else ''}",
                value=render_interval,
                min=1,
                max=100,
                step=2,
            )
            solara.Checkbox(label="Use threads", value=use_threads)
            ModelController(
                model,
                model_parameters=settings,
                play_interval=play_interval,
                render_interval=render_interval,
                use_threads=use_threads,
            )
        with solara.Card("Model Parameters"):
            LessonControls(params, settings)
        with solara.Card("Information"):
            ShowSteps(model.value)
    Board(model.value)


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
