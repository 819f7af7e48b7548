"""Figures of a sweep: a KPI against one parameter, or over two.

Plot functions take the tidy numbers of :mod:`experiments.sweeps.catalogue`
(:func:`~experiments.sweeps.catalogue.sweep_lines`, :func:`~experiments.sweeps.catalogue.heatmap_grid`)
and an optional ``ax``, and return a matplotlib Figure. Their title and axis
labels are wrapped until they lie inside the figure (:func:`fit_text`): a
heatmap's title is centred over its axes, which a colour bar pushes to the
left, and a long scenario name or parameter key would run off both edges.
"""

from __future__ import annotations

import itertools
import math
import re
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from experiments.sweeps.catalogue import is_numeric_parameter, value_key, value_label, value_positions
from experiments.reports.plots import BASELINE_COLOUR, FONT, SCENARIO_COLOURS, kind_scale, kind_units, new_axes
from experiments.reports.units import ReportUnits
from experiments.reports.report import kpi_of


#: pixels a fitted text keeps from the figure's edges
EDGE_PIXELS = 2.0
_BREAKS = re.compile(r"(?<= )|(?<=\.)(?!\d)|(?<=[^\d]\.)")


def wrap_text(text: str, width: int) -> str:
    """``text`` in lines of at most ``width`` characters where it can be
    broken: after a space, or after a dot that is not inside a number (so a
    dotted key breaks between its parts, ``0.95`` never)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for piece in (p for p in _BREAKS.split(paragraph) if p):
            if line and len((line + piece).rstrip()) > width:
                lines.append(line.rstrip())
                line = piece.lstrip()
            else:
                line += piece
        lines.append(line.rstrip())
    return "\n".join(lines)


def text_inside(text: Any, margin: float = 0.5) -> bool:
    """True if the drawn ``text`` (a matplotlib Text) lies inside its figure."""
    box, fig = text.get_window_extent(), text.figure.bbox
    return (
        box.x0 >= fig.x0 - margin
        and box.x1 <= fig.x1 + margin
        and box.y0 >= fig.y0 - margin
        and box.y1 <= fig.y1 + margin
    )


def fit_text(text: Any, shortest: int = 8) -> None:
    """Wrap ``text`` (a title or an axis label) until, with the figure laid
    out again, it lies inside the figure (:func:`text_inside`), a line at a
    time no narrower than ``shortest`` characters. Text that fits is left alone."""
    fig = text.figure
    original = text.get_text()
    width = max(len(line) for line in original.split("\n")) if original else 0
    vertical = round(text.get_rotation()) % 180 == 90
    while original:
        fig.draw_without_rendering()  # lays out (constrained layout) and places the text
        if text_inside(text) or width <= shortest:
            return
        box, frame = text.get_window_extent(), fig.bbox
        lo, hi, low_edge, high_edge = (
            (box.y0, box.y1, frame.y0, frame.y1) if vertical else (box.x0, box.x1, frame.x0, frame.x1)
        )
        centre = (lo + hi) / 2
        room = 2 * min(centre - low_edge, high_edge - centre) - 2 * EDGE_PIXELS
        width = max(shortest, min(width - 1, int(width * max(room, 1.0) / max(hi - lo, 1.0))))
        text.set_text(wrap_text(original, width))


def fit_labels(ax: Any) -> None:
    """Fit the title and the axis labels of ``ax`` inside its figure (:func:`fit_text`)."""
    for text in (ax.title, ax.xaxis.label, ax.yaxis.label):
        if text.get_text():
            fit_text(text)


def plot_sweep_lines(
    lines: pd.DataFrame,
    parameter: str,
    kpi: str,
    confidence: float = 0.95,
    ax: Any = None,
    units: ReportUnits | None = None,
) -> Figure:
    """The KPI against a swept parameter: per scenario its mean over the
    replications as a line with markers and its interval as a band. A numeric
    parameter is drawn on a numeric axis, any other as categories in the
    order of ``lines``.

    Args:
        lines: the numbers (:func:`sweep_lines`).
        parameter: the parameter's column in ``lines``.
        kpi: the KPI's name (for its label and unit).
        confidence: the bands' level (for the title).
        ax: ``None`` (a new Figure) or the Axes to draw on.
    """
    fig, ax = new_axes((7.5, 4.6)) if ax is None else (ax.figure, ax)
    info, scale = kpi_of(kpi), kind_scale(kpi_of(kpi).kind)
    values = list(pd.unique(lines[parameter].astype(object)))
    numeric = is_numeric_parameter(values)
    position = value_positions(values)
    baselines = set(lines["baseline"])
    others = itertools.cycle(SCENARIO_COLOURS)
    for scenario, rows in lines.groupby("scenario", sort=False):
        x = (
            rows[parameter].astype(float).to_numpy()
            if numeric
            else np.array([position[value_key(v)] for v in rows[parameter]])
        )
        is_base = scenario in baselines
        colour = BASELINE_COLOUR if is_base else next(others)
        ax.fill_between(
            x,
            scale * rows["ci_low"].to_numpy(float),
            scale * rows["ci_high"].to_numpy(float),
            color=colour,
            alpha=0.18,
            linewidth=0,
        )
        ax.plot(
            x,
            scale * rows["mean"].to_numpy(float),
            color=colour,
            marker="o",
            linewidth=2.2 if is_base else 1.6,
            label=f"{scenario} (baseline)" if is_base and scenario != "baseline" else str(scenario),
        )
    if not numeric:
        ax.set_xticks(range(len(values)), [value_label(v) for v in values])
    firm = ", ".join(map(str, pd.unique(lines["firm"])))
    ax.set_title(f"{info.label} of {firm}: mean, band = {confidence:.0%} interval", fontsize=FONT["title"])
    ax.set_xlabel(parameter, fontsize=FONT["label"])
    ax.set_ylabel(f"{info.label} ({kind_units(units).get(info.kind, 'value')})", fontsize=FONT["label"])
    ax.tick_params(labelsize=FONT["tick"])
    if info.kind == "money":
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.legend(title="scenario", frameon=False, fontsize=FONT["legend"], title_fontsize=FONT["legend"])
    fit_labels(ax)
    return fig


def _cell_text(value: float, kind: str) -> str:
    """A heatmap cell: a share's difference in percentage points, any other
    number to the unit when large, else to three significant digits."""
    if math.isnan(value):
        return ""
    if kind == "pct":
        return f"{100 * value:+.1f} pp"
    if abs(value) >= 100:
        return f"{value:+,.0f}"
    return f"{value:+.3g}"


def plot_heatmap(
    grid: pd.DataFrame, kpi: str, scenario: str, ax: Any = None, units: ReportUnits | None = None
) -> Figure:
    """The difference of ``scenario`` from the baseline over two parameters:
    a diverging colour map centred at 0 (blue where the KPI is better than
    the baseline's, red where worse), every cell annotated with its value.

    Args:
        grid: the numbers (:func:`heatmap_grid`): rows and columns are the two
            parameters' values.
        kpi: the KPI's name (for its label, unit and better direction).
        scenario: the scenario's name (for the title).
        ax: ``None`` (a new Figure) or the Axes to draw on.
    """
    n_rows, n_cols = grid.shape
    size = (max(5.0, 1.1 * n_cols + 3.0), max(3.5, 0.6 * n_rows + 2.0))
    fig, ax = new_axes(size) if ax is None else (ax.figure, ax)
    info = kpi_of(kpi)
    values = grid.to_numpy(dtype=float)
    largest = float(np.nanmax(np.abs(values))) if np.isfinite(values).any() else 0.0
    largest = largest or 1.0
    cmap = "RdBu" if info.higher_is_better else "RdBu_r"
    image = ax.imshow(
        kind_scale(info.kind) * values,
        cmap=cmap,
        aspect="auto",
        norm=Normalize(-kind_scale(info.kind) * largest, kind_scale(info.kind) * largest),
    )
    for i in range(n_rows):
        for j in range(n_cols):
            v = values[i, j]
            dark = not math.isnan(v) and abs(v) > 0.6 * largest
            ax.text(
                j,
                i,
                _cell_text(v, info.kind),
                ha="center",
                va="center",
                fontsize=FONT["tick"],
                color="white" if dark else "black",
            )
    ax.set_xticks(range(n_cols), [value_label(v) for v in grid.columns])
    ax.set_yticks(range(n_rows), [value_label(v) for v in grid.index])
    ax.set_xlabel(str(grid.columns.name), fontsize=FONT["label"])
    ax.set_ylabel(str(grid.index.name), fontsize=FONT["label"])
    ax.tick_params(labelsize=FONT["tick"])
    ax.set_title(f"{scenario}: {info.label}, difference from the baseline", fontsize=FONT["title"])
    unit = "pp" if info.kind == "pct" else kind_units(units).get(info.kind, "value")
    bar = fig.colorbar(image, ax=ax)
    bar.set_label(f"mean paired difference ({unit})", fontsize=FONT["label"])
    fit_labels(ax)
    return fig
