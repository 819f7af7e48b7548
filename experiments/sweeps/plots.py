"""Figures of a sweep: a KPI against one parameter, or over two.

Plot functions take the tidy numbers of :mod:`experiments.sweeps.catalogue`
(:func:`~experiments.sweeps.catalogue.sweep_lines`, :func:`~experiments.sweeps.catalogue.heatmap_grid`)
and an optional ``ax``, and return a matplotlib Figure.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from experiments.sweeps.catalogue import is_numeric_parameter, value_key, value_label, value_positions
from experiments.reports.plots import BASELINE_COLOUR, FONT, SCENARIO_COLOURS, UNITS, kind_scale, new_axes
from experiments.reports.report import kpi_of


def plot_sweep_lines(lines: pd.DataFrame, parameter: str, kpi: str, confidence: float = 0.95, ax: Any = None) -> Figure:
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
    ax.set_ylabel(f"{info.label} ({UNITS.get(info.kind, 'value')})", fontsize=FONT["label"])
    ax.tick_params(labelsize=FONT["tick"])
    if info.kind == "money":
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.legend(title="scenario", frameon=False, fontsize=FONT["legend"], title_fontsize=FONT["legend"])
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


def plot_heatmap(grid: pd.DataFrame, kpi: str, scenario: str, ax: Any = None) -> Figure:
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
    unit = "pp" if info.kind == "pct" else UNITS.get(info.kind, "value")
    bar = fig.colorbar(image, ax=ax)
    bar.set_label(f"mean paired difference ({unit})", fontsize=FONT["label"])
    return fig
