"""The dashboard's charts as SVG text: light enough to redraw at every step.

Each chart is a function of a :class:`experiments.classroom.lesson.Snapshot`
that returns an ``<svg>`` element as a string, which the page puts in the
browser's DOM as it is (:mod:`experiments.classroom.dashboard`). A chart
costs about a millisecond to write, where a matplotlib figure took 60-160 ms
to draw and encode as a PNG, and the browser draws it as vectors: sharp at
any size on a projector, and its tick labels are text a test can read.

Why not a plotting library: a Step must render in under 0.3 s on two cores
(benchmarks/classroom_step.py). Measured on this page, one Step took 0.5 s
with the five charts as matplotlib PNGs and 0.47 s with them as Altair
(Vega-Lite) charts through ``solara.FigureAltair`` (100 ms building the
specs, 80 ms validating them, Solara's widget redrawing each chart from
scratch after a 100 ms delay, 250 KB a Step), against 0.044 s with these.
The reports' figures, drawn once, stay matplotlib (experiments/reports/plots.py).

The axes' ticks come from :func:`nice_ticks` (steps of 1, 2, 2.5 or 5 times a
power of ten) and their labels from :func:`tick_labels`, which gives every
label of an axis as many decimals as the step between ticks needs, so that
ticks 2.5k apart read ``0``, ``2.5k``, ``5.0k``, ``7.5k`` (never ``8k`` for
7,500). Tested without a browser in tests/experiments/classroom/test_charts.py.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

from experiments.classroom.lesson import CUSTOMER_GROUPS, OUTCOMES, STATE_GROUPS, NetworkSample, Snapshot

# --------------------------------------------------------------------------- look
#: one colour per firm, the focal firm first (market order); a fifth firm reuses grey
FIRM_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#7f7f7f")
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
#: one colour per disconfirmation outcome
OUTCOME_COLOURS = {"delighted": "#31a354", "satisfied": "#bdbdbd", "disappointed": "#d62728"}
#: font sizes in the chart's own units (a chart of :data:`WIDTH` units is
#: shown about 470 pixels wide on a 1366 x 768 screen, so about 0.9 px a unit)
TITLE_SIZE, TICK_SIZE, LEGEND_SIZE = 17, 14, 14
FONT = "Roboto, Helvetica, Arial, sans-serif"
#: a chart's size in its own units (the page scales it to its cell's width)
WIDTH, HEIGHT = 520, 330
#: the chart of loyalty states spans the page's width: one panel per firm
WIDE = 1040
#: the focal firm's line is drawn thicker than the rivals'
FOCAL_WIDTH, RIVAL_WIDTH = 3.5, 2.0
#: the baseline twin: faint and dashed
DASH, BASELINE_OPACITY = "7 5", 0.55
#: the steps before the lesson starts (the end of the burn-in) are shaded
HISTORY_FILL = "#f2f2f2"
#: top of the disconfirmation chart's % axis
PCT_TOP = 100
#: a customer's dot in the network view, and the width of its ring
NODE_RADIUS, RING_WIDTH = 5.5, 2.2
TIE_COLOUR = "#c8c8c8"
#: the minus sign of negative numbers (as matplotlib prints it)
MINUS = "\u2212"
#: the width of a character as a share of the font size (to lay out legends)
CHAR_WIDTH = 0.56


# --------------------------------------------------------------------------- ticks
def nice_ticks(lo: float, hi: float, target: int = 5) -> np.ndarray:
    """About ``target`` evenly spaced round ticks covering [lo, hi]: the step
    1, 2, 2.5 or 5 times a power of ten, the first tick at or below ``lo``
    and the last at or above ``hi``. An empty span is widened around its value."""
    lo, hi = float(lo), float(hi)
    if not (math.isfinite(lo) and math.isfinite(hi)):
        lo, hi = 0.0, 1.0
    if hi < lo:
        lo, hi = hi, lo
    if hi - lo <= 1e-12 * max(abs(lo), abs(hi), 1.0):
        pad = abs(lo) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
    raw = (hi - lo) / max(target, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw * (1 - 1e-9))
    first, last = math.floor(lo / step + 1e-9), math.ceil(hi / step - 1e-9)
    return np.arange(first, last + 1) * step


def decimals_for(step: float) -> int:
    """The fewest decimals that write ``step`` exactly (up to 6): 2.5 -> 1, 20 -> 0."""
    step = abs(float(step))
    for d in range(7):
        if abs(round(step, d) - step) <= 1e-7 * step:
            return d
    return 6


def _number(value: float, decimals: int) -> str:
    text = f"{abs(value):,.{decimals}f}"
    return (MINUS + text) if value < 0 and float(text.replace(",", "")) != 0 else text


def tick_labels(ticks: Sequence[float], unit: str = "") -> list[str]:
    """The labels of evenly spaced ``ticks``: each with the decimals that the
    step between ticks needs, so that distinct ticks read distinct numbers
    and every label is the tick's exact value. ``unit``: ``"money"`` (in
    thousands ``k`` or millions ``M`` when the largest tick is that big),
    ``"%"`` (the ticks are percentages) or ``""`` (plain numbers, thousands
    separated). Zero reads ``0``."""
    ticks = [float(t) for t in ticks]
    if not ticks:
        return []
    step = min((abs(b - a) for a, b in zip(ticks, ticks[1:]) if b != a), default=abs(ticks[0]) or 1.0)
    scale, suffix = 1.0, ""
    if unit == "money":  # in millions or thousands if the ticks are that big and the step needs few decimals
        biggest = max(abs(t) for t in ticks)
        for size, name in ((1e6, "M"), (1e3, "k")):
            if biggest >= size and decimals_for(step / size) <= 2:
                scale, suffix = size, name
                break
    elif unit == "%":
        suffix = "%"
    decimals = decimals_for(step / scale)
    out = []
    for t in ticks:
        value = round(t / scale, decimals)
        out.append("0" if value == 0 else _number(value, decimals) + suffix)
    return out


def parse_tick(label: str) -> float:
    """The number a tick label of :func:`tick_labels` stands for (``2.5k`` -> 2500)."""
    text = label.strip().replace(MINUS, "-").replace(",", "")
    scale = {"k": 1e3, "M": 1e6, "%": 1.0}.get(text[-1:], 1.0)
    return float(text.rstrip("kM%")) * scale


def money(value: float) -> str:
    """An amount of money in three significant figures: ``12.3k``, ``-4.56k``, ``1.23M``, ``850``."""
    if not math.isfinite(value):
        return "\u2013"
    size = abs(value)
    scale, suffix = (1e6, "M") if size >= 999_500 else (1e3, "k") if size >= 999.5 else (1.0, "")
    scaled = size / scale
    decimals = 0 if scaled >= 99.95 or scale == 1 else 1 if scaled >= 9.995 else 2
    return _number(math.copysign(round(scaled, decimals), value), decimals) + suffix


# --------------------------------------------------------------------------- drawing
def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _text(x: float, y: float, text: object, size: float, *, anchor: str = "start", cls: str = "", **attrs) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{_esc(v)}"' for k, v in attrs.items())
    klass = f' class="{cls}"' if cls else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"{klass}{extra}>{_esc(text)}</text>'


def _points(xs: np.ndarray, ys: np.ndarray) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs.tolist(), ys.tolist()))


@dataclass(frozen=True)
class Frame:
    """A plot area: its box in the chart's units and the data ranges it shows."""

    left: float
    top: float
    width: float
    height: float
    xlo: float
    xhi: float
    ylo: float
    yhi: float

    def x(self, v) -> np.ndarray:
        span = (self.xhi - self.xlo) or 1.0
        return self.left + (np.asarray(v, dtype=float) - self.xlo) / span * self.width

    def y(self, v) -> np.ndarray:
        span = (self.yhi - self.ylo) or 1.0
        return self.top + self.height - (np.asarray(v, dtype=float) - self.ylo) / span * self.height

    @property
    def bottom(self) -> float:
        return self.top + self.height


def value_ticks(
    values: Iterable[np.ndarray], *, floor: float | None = None, pad: float = 1.0, target: int = 5
) -> np.ndarray:
    """Ticks of an axis that shows every finite value of ``values`` (and
    ``floor``, if given); a single value is shown ``pad`` either side."""
    finite = [v[np.isfinite(v)] for v in (np.asarray(a, dtype=float).ravel() for a in values)]
    finite = [v for v in finite if v.size]
    lo = min((float(v.min()) for v in finite), default=0.0)
    hi = max((float(v.max()) for v in finite), default=1.0)
    if floor is not None:
        lo, hi = min(lo, floor), max(hi, floor)
    if hi - lo <= 1e-12 * max(abs(lo), abs(hi), 1.0):
        lo, hi = lo - pad, hi + pad
    return nice_ticks(lo, hi, target)


def step_ticks(lo: float, hi: float, target: int = 6) -> np.ndarray:
    """Whole-number ticks of the step axis inside [lo, hi], 0 among them when in range."""
    ticks = nice_ticks(lo, hi, target)
    step = max(1.0, float(round(ticks[1] - ticks[0]))) if len(ticks) > 1 else 1.0
    ticks = np.arange(math.ceil(lo / step), math.floor(hi / step) + 1) * step
    return ticks


def _axes(
    frame: Frame,
    yticks: np.ndarray,
    yunit: str,
    xticks: np.ndarray | None = None,
    *,
    xlabels: Sequence[str] | None = None,
    ylabels: bool = True,
    xlabel: str = "",
) -> str:
    """Grid lines, the y axis' tick labels (class ``y-tick``) and the x axis' (class ``x-tick``)."""
    out = ['<g class="grid" stroke="#000" stroke-opacity="0.12" stroke-width="1">']
    ys = frame.y(yticks)
    out += [f'<line x1="{frame.left:.1f}" x2="{frame.left + frame.width:.1f}" y1="{y:.1f}" y2="{y:.1f}"/>' for y in ys]
    out.append("</g>")
    out.append(
        f'<line x1="{frame.left:.1f}" x2="{frame.left:.1f}" y1="{frame.top:.1f}" y2="{frame.bottom:.1f}" '
        f'stroke="#444" stroke-width="1"/>'
        f'<line x1="{frame.left:.1f}" x2="{frame.left + frame.width:.1f}" y1="{frame.bottom:.1f}" '
        f'y2="{frame.bottom:.1f}" stroke="#444" stroke-width="1"/>'
    )
    if ylabels:
        out.append('<g class="y-axis" fill="#333">')
        labels = tick_labels(yticks, yunit)
        out += [
            _text(
                frame.left - 6,
                y + TICK_SIZE * 0.35,
                label,
                TICK_SIZE,
                anchor="end",
                cls="y-tick",
                data_value=repr(float(t)),
            )
            for t, y, label in zip(yticks.tolist(), ys.tolist(), labels)
        ]
        out.append("</g>")
    if xticks is not None:
        labels = list(xlabels) if xlabels is not None else tick_labels(xticks)
        out.append('<g class="x-axis" fill="#333">')
        out += [
            _text(x, frame.bottom + TICK_SIZE + 4, label, TICK_SIZE, anchor="middle", cls="x-tick")
            for x, label in zip(frame.x(xticks).tolist(), labels)
        ]
        if xlabel:
            out.append(
                _text(frame.left + frame.width, frame.bottom + 2 * TICK_SIZE + 8, xlabel, TICK_SIZE, anchor="end")
            )
        out.append("</g>")
    return "".join(out)


def _history(frame: Frame) -> str:
    """The steps before the lesson (<= 0) shaded, with a word saying so."""
    if frame.xlo >= 0:
        return ""
    x0, x1 = float(frame.x(frame.xlo)), float(frame.x(min(0.0, frame.xhi)))
    return (
        f'<rect class="history" x="{x0:.1f}" y="{frame.top:.1f}" width="{x1 - x0:.1f}" height="{frame.height:.1f}" '
        f'fill="{HISTORY_FILL}"><title>before the lesson: the end of the burn-in</title></rect>'
    )


def legend(items: Sequence[tuple[str, str, str]], left: float, top: float, width: float, size: float = LEGEND_SIZE):
    """A legend in rows from (left, top) within ``width``: (label, colour,
    kind) with kind ``line``, ``dash``, ``box`` or ``dot``. Returns the SVG
    and the height it took."""
    out, x, y = ['<g class="legend" fill="#333">'], left, top + size
    row = size * 1.45
    for label, colour, kind in items:
        need = 26 + len(label) * size * CHAR_WIDTH + 14
        if x > left and x + need > left + width:
            x, y = left, y + row
        mid = y - size * 0.35
        if kind in ("line", "dash"):
            dash = f' stroke-dasharray="{DASH}" stroke-opacity="{BASELINE_OPACITY + 0.2}"' if kind == "dash" else ""
            out.append(
                f'<line x1="{x:.1f}" x2="{x + 22:.1f}" y1="{mid:.1f}" y2="{mid:.1f}" '
                f'stroke="{colour}" stroke-width="3"{dash}/>'
            )
        elif kind == "dot":
            out.append(f'<circle cx="{x + 11:.1f}" cy="{mid:.1f}" r="{NODE_RADIUS:.1f}" fill="{colour}"/>')
        elif kind == "ring":
            out.append(
                f'<circle cx="{x + 11:.1f}" cy="{mid:.1f}" r="{NODE_RADIUS:.1f}" fill="#fff" stroke="{colour}" '
                f'stroke-width="{RING_WIDTH}"/>'
            )
        else:
            out.append(f'<rect x="{x + 4:.1f}" y="{mid - 7:.1f}" width="14" height="14" fill="{colour}"/>')
        out.append(_text(x + 26, y, label, size))
        x += need
    out.append("</g>")
    return "".join(out), y - top + size * 0.5


def fitted_size(text: str, width: float, size: float = TITLE_SIZE) -> float:
    """The font size (at most ``size``) at which ``text`` fits ``width`` units."""
    return round(min(size, width / max(len(text) * CHAR_WIDTH, 1.0)), 1)


def _svg(name: str, step: int, title: str, body: Iterable[str], width: float = WIDTH, height: float = HEIGHT) -> str:
    """The chart's ``<svg>``: ``data-chart`` names it, ``data-step`` says which step it shows."""
    size = fitted_size(title, width - 16)
    return (
        f'<svg class="chart-svg" data-chart="{name}" data-step="{int(step)}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{_esc(title)}" '
        f'preserveAspectRatio="xMidYMid meet" font-family="{FONT}">'
        f"<title>{_esc(title)}</title>"
        f"{_text(8, TITLE_SIZE + 4, title, size, cls='chart-title', font_weight='500')}"
        f"{''.join(body)}</svg>"
    )


def firm_colour(i: int) -> str:
    return FIRM_COLOURS[min(i, len(FIRM_COLOURS) - 1)]


def _firm_legend(snap: Snapshot) -> list[tuple[str, str, str]]:
    return [(firm, firm_colour(i), "line") for i, firm in enumerate(snap.firms)] + [
        ("without the strategy", "#000", "dash")
    ]


def _lines(frame: Frame, steps: np.ndarray, values: np.ndarray, baseline: np.ndarray, snap: Snapshot) -> str:
    """One line per firm (a column of ``values``), the focal firm's thicker;
    the baseline twin's dashed under it."""
    out = []
    xs = frame.x(steps)
    for table, dashed in ((baseline, True), (values, False)):
        for i in range(table.shape[1]):
            ys = frame.y(table[:, i])
            keep = np.isfinite(ys)
            if not keep.any():
                continue
            width = FOCAL_WIDTH if i == snap.focal_index else RIVAL_WIDTH
            style = f' stroke-dasharray="{DASH}" stroke-opacity="{BASELINE_OPACITY}"' if dashed else ""
            cls = "baseline" if dashed else "line"
            out.append(
                f'<polyline class="{cls}" data-firm="{_esc(snap.firms[i])}" fill="none" stroke="{firm_colour(i)}" '
                f'stroke-width="{RIVAL_WIDTH if dashed else width}" stroke-linejoin="round"{style} '
                f'points="{_points(xs[keep], ys[keep])}"/>'
            )
    return "".join(out)


def _time_frame(snap: Snapshot, left: float, top: float, width: float, height: float, yticks: np.ndarray) -> Frame:
    """A plot area over the lesson's steps: from the first step shown before
    the lesson to the horizon (fixed, so the lines grow to the right)."""
    return Frame(left, top, width, height, snap.first_step, max(snap.horizon, 1), yticks[0], yticks[-1])


def _time_chart(
    name: str, title: str, snap: Snapshot, values: np.ndarray, baseline: np.ndarray, unit: str, *, floor=None, pad=1.0
) -> str:
    """A chart of one line per firm over the steps, the baseline twin dashed."""
    head, legend_h = legend(_firm_legend(snap), 10, TITLE_SIZE + 12, WIDTH - 20)
    top = TITLE_SIZE + 16 + legend_h
    yticks = value_ticks([values, baseline], floor=floor, pad=pad)
    left = 14 + max(len(s) for s in tick_labels(yticks, unit)) * TICK_SIZE * CHAR_WIDTH
    frame = _time_frame(snap, left, top, WIDTH - left - 14, HEIGHT - top - 2 * TICK_SIZE - 16, yticks)
    return _svg(
        name,
        snap.step,
        title,
        [
            _history(frame),
            _axes(frame, yticks, unit, step_ticks(frame.xlo, frame.xhi), xlabel=snap.step_unit),
            _lines(frame, snap.steps, values, baseline, snap),
            head,
        ],
    )


# --------------------------------------------------------------------------- the charts
def profit_chart(snap: Snapshot) -> str:
    """Cumulative profit per firm since step 1 (0 before the lesson)."""
    return _time_chart(
        "profit",
        "Cumulative profit (since step 1)",
        snap,
        snap.values("cumulative_profit"),
        snap.values("cumulative_profit", baseline=True),
        "money",
        floor=0.0,
        pad=1000.0,
    )


def retention_chart(snap: Snapshot) -> str:
    """Annual retention per firm over a rolling window (the reports'
    definition, :func:`experiments.classroom.lesson.rolling_annual_retention`), in %."""
    window = snap.retention_window
    return _time_chart(
        "retention",
        f"Retention, annual rate ({window}-{snap.step_unit} window) %",
        snap,
        100 * snap.rolling_retention(),
        100 * snap.rolling_retention(baseline=True),
        "%",
    )


def loyalty_states_chart(snap: Snapshot) -> str:
    """Customers of each firm by loyalty state (stacked areas), one panel
    per firm; the baseline twin's group boundaries dashed."""
    groups, base = snap.group_counts(), snap.group_counts(baseline=True)  # [steps, firms, groups]
    tops, base_tops = np.cumsum(groups, axis=2), np.cumsum(base, axis=2)
    yticks = value_ticks([tops[:, :, -1], base_tops[:, :, -1]], floor=0.0)
    items = [(g, GROUP_COLOURS[g], "box") for g in CUSTOMER_GROUPS] + [("without the strategy", "#000", "dash")]
    head, legend_h = legend(items, 10, TITLE_SIZE + 12, WIDE - 20)
    top = TITLE_SIZE + 16 + legend_h + TICK_SIZE + 8  # room for the firms' names
    left = 14 + max(len(s) for s in tick_labels(yticks)) * TICK_SIZE * CHAR_WIDTH
    n = max(len(snap.firms), 1)
    gap = 16
    panel = (WIDE - left - 14 - gap * (n - 1)) / n
    height = HEIGHT - top - 2 * TICK_SIZE - 16
    body = [head]
    xs_steps = snap.steps
    for i, firm in enumerate(snap.firms):
        frame = _time_frame(snap, left + i * (panel + gap), top, panel, height, yticks)
        body.append(_text(frame.left, top - 6, firm, TICK_SIZE + 1, fill=firm_colour(i), font_weight="600"))
        body.append(_history(frame))
        body.append(
            _axes(frame, yticks, "", step_ticks(frame.xlo, frame.xhi, 4), ylabels=i == 0, xlabel=snap.step_unit)
        )
        xs = frame.x(xs_steps)
        lower = np.zeros(len(xs_steps))
        for k, g in enumerate(CUSTOMER_GROUPS):
            upper = tops[:, i, k]
            if len(xs):
                path = _points(xs, frame.y(upper)) + " " + _points(xs[::-1], frame.y(lower)[::-1])
                body.append(f'<polygon class="area" fill="{GROUP_COLOURS[g]}" fill-opacity="0.9" points="{path}"/>')
            lower = upper
        for k in range(len(CUSTOMER_GROUPS)):
            if len(xs):
                body.append(
                    f'<polyline class="baseline" fill="none" stroke="#000" stroke-width="1.2" '
                    f'stroke-dasharray="{DASH}" stroke-opacity="{BASELINE_OPACITY}" '
                    f'points="{_points(xs, frame.y(base_tops[:, i, k]))}"/>'
                )
    return _svg("states", snap.step, "Customers by loyalty state (dashed: without the strategy)", body, WIDE, HEIGHT)


def disconfirmation_shares(counts) -> np.ndarray:
    """Each firm's buyers of the step by outcome, in % of its buyers (0 without buyers): [firms, outcomes]."""
    counts = np.asarray(counts, dtype=float)
    buyers = counts.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(buyers > 0, 100 * counts / np.where(buyers > 0, buyers, 1), 0.0)


def disconfirmation_chart(snap: Snapshot) -> str:
    """This step's buyers per firm: delighted, satisfied, disappointed (the
    zone of tolerance); the baseline twin as dashed outlines."""
    shares = disconfirmation_shares(snap.disconfirmation[list(OUTCOMES)].to_numpy())
    base = disconfirmation_shares(snap.baseline_disconfirmation[list(OUTCOMES)].to_numpy())
    items = [(o, OUTCOME_COLOURS[o], "box") for o in OUTCOMES] + [("without the strategy", "#000", "dash")]
    head, legend_h = legend(items, 10, TITLE_SIZE + 12, WIDTH - 20)
    top = TITLE_SIZE + 16 + legend_h
    yticks = np.arange(0, PCT_TOP + 1, 20, dtype=float)
    left = 14 + 4 * TICK_SIZE * CHAR_WIDTH
    n = max(len(snap.firms), 1)
    frame = Frame(left, top, WIDTH - left - 14, HEIGHT - top - TICK_SIZE - 14, -0.5, n - 0.5, 0, PCT_TOP)
    body = [_axes(frame, yticks, "%", np.arange(n, dtype=float), xlabels=snap.firms)]
    k_out = len(OUTCOMES)
    bar = 0.8 / k_out * frame.width / n
    for f in range(n):
        for k, outcome in enumerate(OUTCOMES):
            x = float(frame.x(f + (k - (k_out - 1) / 2) * 0.8 / k_out)) - bar / 2
            for value, dashed in ((shares[f, k], False), (base[f, k], True)):
                y = float(frame.y(value))
                if dashed:
                    body.append(
                        f'<rect class="baseline" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" '
                        f'height="{frame.bottom - y:.1f}" '
                        f'fill="none" stroke="#000" stroke-width="1.5" stroke-dasharray="{DASH}" '
                        f'stroke-opacity="{BASELINE_OPACITY}"/>'
                    )
                else:
                    body.append(
                        f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{frame.bottom - y:.1f}" '
                        f'fill="{OUTCOME_COLOURS[outcome]}"><title>{_esc(snap.firms[f])}, {outcome}: '
                        f"{value:.0f}%</title></rect>"
                    )
    body.append(head)
    return _svg("disconfirmation", snap.step, f"This step's buyers: expectation vs experience (step {snap.step})", body)


@dataclass(frozen=True)
class NetworkPicture:
    """The network view's fixed part: where each sampled customer is drawn and
    the ties between them, worked out once per classroom."""

    x: np.ndarray
    y: np.ndarray
    ties: str  # one SVG path of every tie


#: the network view's plot area (the legend on its right)
NETWORK_BOX = (12.0, TITLE_SIZE + 20.0, 320.0, HEIGHT - TITLE_SIZE - 30.0)


def network_picture(sample: NetworkSample) -> NetworkPicture:
    """Scale the sample's layout into the plot area; write its ties as one path."""
    left, top, width, height = NETWORK_BOX
    layout = sample.layout
    lo, hi = layout.min(axis=0), layout.max(axis=0)
    span = np.where(hi - lo > 0, hi - lo, 1.0)
    pad = NODE_RADIUS + RING_WIDTH
    x = left + pad + (layout[:, 0] - lo[0]) / span[0] * (width - 2 * pad)
    y = top + pad + (layout[:, 1] - lo[1]) / span[1] * (height - 2 * pad)
    ties = " ".join(f"M{x[a]:.1f} {y[a]:.1f}L{x[b]:.1f} {y[b]:.1f}" for a, b in sample.edges.tolist())
    return NetworkPicture(x, y, ties)


def network_chart(snap: Snapshot, picture: NetworkPicture, focal: str) -> str:
    """The sampled customers and their ties, coloured by their state with the
    focal firm; the ring around each shows the state without the strategy."""
    palette = list(GROUP_COLOURS.values())
    fill, ring = snap.network_groups.tolist(), snap.baseline_network_groups.tolist()
    dots = "".join(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{NODE_RADIUS}" fill="{palette[a]}" stroke="{palette[b]}"/>'
        for x, y, a, b in zip(picture.x.tolist(), picture.y.tolist(), fill, ring)
    )
    left, _, width, _ = NETWORK_BOX
    items = [(g, GROUP_COLOURS[g], "dot") for g in STATE_GROUPS] + [("ring: without strategy", "#000", "ring")]
    rows = []
    x0 = left + width + 10
    for k, item in enumerate(items):
        part, _ = legend([item], x0, TITLE_SIZE + 22 + k * LEGEND_SIZE * 1.55, WIDTH - x0, LEGEND_SIZE - 1)
        rows.append(part)
    return _svg(
        "network",
        snap.step,
        f"Word of mouth: {len(fill)} customers and their ties, by state with {focal}",
        [
            f'<path class="ties" d="{picture.ties}" stroke="{TIE_COLOUR}" stroke-width="0.8" fill="none"/>',
            f'<g class="customers" stroke-width="{RING_WIDTH}">{dots}</g>',
            *rows,
        ],
    )
