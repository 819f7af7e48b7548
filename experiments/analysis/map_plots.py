"""What a reader sees of a strategy map: the heatmaps, and the report.

:func:`plot_map` draws one panel per pair of mapped conditions: the paired
difference of the map's KPI at every point (red where the strategy loses
money, blue where it earns it), each point marked by its verdict (pays,
loses, unclear), the boundary where the difference crosses 0 (a map of two
conditions), the box of the rule where it pays, and a star at the market as
configured (the classroom marks the market on its screen there). The
dashboard draws the same figure (:mod:`experiments.classroom.dashboard`).
:func:`report_markdown` writes ``map.md``. ``meta`` is
:func:`experiments.analysis.strategy_map.map_meta` (map.json).
"""

from __future__ import annotations

import itertools
import math
import textwrap
from typing import Any, Mapping

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter

from experiments.analysis.scenario_discovery import condition_value
from experiments.reports.report import format_value, markdown_table
from experiments.reports.units import money_ticks

#: the figure's file name under ``figures/`` (written as .png and .svg)
FIGURE = "map"
DPI = 110
#: how each verdict is marked: (marker, face colour, label)
MARKERS = {
    "pays": ("o", "#08519c", "pays (interval above 0)"),
    "loses": ("X", "#a50f15", "loses (interval below 0)"),
    "unclear": ("o", "none", "unclear (interval spans 0)"),
}
CMAP = "RdBu"
#: the rules' boxes: (edge colour, legend label)
BOXES = {"pays": ("#08306b", "the rule's box: where it pays"), "loses": ("#67000d", "the rule's box: where it loses")}
CURRENT_COLOUR = "#ffb000"


def _norm(values: np.ndarray) -> TwoSlopeNorm:
    """A colour scale centred on 0, so that white is "no difference" on every map."""
    finite = values[np.isfinite(values)]
    top = float(np.max(np.abs(finite))) if finite.size else 1.0
    top = top or 1.0
    return TwoSlopeNorm(vcenter=0.0, vmin=-top, vmax=top)


def plot_map(points: pd.DataFrame, meta: Mapping[str, Any], current: Mapping[str, float] | None = None) -> Figure:
    """The map's heatmaps: one panel per pair of conditions (see the module).
    ``current``: the market to mark (None: the market as configured, ``meta["current"]``)."""
    conditions = list(meta["conditions"])
    current = dict(meta.get("current") or {}) if current is None else dict(current)
    pairs = list(itertools.combinations(range(len(conditions)), 2))
    columns = min(len(pairs), 3)
    rows = math.ceil(len(pairs) / columns)
    fig = Figure(figsize=(5.2 * columns + 1.2, 4.4 * rows + 1.1), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    axes = np.atleast_1d(fig.subplots(rows, columns, squeeze=False)).ravel()
    diff = points["diff"].to_numpy(dtype=float)
    norm = _norm(diff)
    boxes = {outcome: _limits(meta, outcome) for outcome in BOXES}
    image = None
    for ax, (i, j) in zip(axes, pairs):
        cx, cy = conditions[i], conditions[j]
        x, y = points[cx["key"]].to_numpy(dtype=float), points[cy["key"]].to_numpy(dtype=float)
        if len(conditions) == 2 and len(np.unique(x)) > 1 and len(np.unique(y)) > 1:
            image = ax.tricontourf(x, y, diff, levels=15, cmap=CMAP, norm=norm)
            if np.nanmin(diff) < 0 < np.nanmax(diff):
                ax.tricontour(x, y, diff, levels=[0.0], colors="black", linewidths=1.6)
        else:
            image = ax.scatter(x, y, c=diff, cmap=CMAP, norm=norm, s=160, alpha=0.55, linewidths=0)
        for verdict, (marker, face, label) in MARKERS.items():
            chosen = (points["verdict"] == verdict).to_numpy()
            if chosen.any():
                ax.scatter(
                    x[chosen],
                    y[chosen],
                    marker=marker,
                    facecolors=face,
                    edgecolors="black",
                    s=34,
                    label=label,
                    zorder=3,
                )
        for outcome, limits in boxes.items():
            if limits is not None:
                _draw_box(ax, limits, cx, cy, BOXES[outcome][0])
        if cx["key"] in current and cy["key"] in current:
            ax.scatter(
                [current[cx["key"]]],
                [current[cy["key"]]],
                marker="*",
                s=420,
                facecolors=CURRENT_COLOUR,
                edgecolors="black",
                linewidths=1.2,
                label="this market",
                zorder=4,
            )
        ax.set_xlabel(_axis_label(cx))
        ax.set_ylabel(_axis_label(cy))
        ax.set_xlim(*_padded(cx))
        ax.set_ylim(*_padded(cy))
    for ax in axes[len(pairs) :]:
        ax.set_visible(False)
    handles, labels = axes[0].get_legend_handles_labels()
    for outcome, limits in boxes.items():
        if limits is not None:
            colour, label = BOXES[outcome]
            handles.append(Rectangle((0, 0), 1, 1, fill=False, edgecolor=colour, linestyle="--"))
            labels.append(label)
    fig.legend(handles, labels, loc="outside lower center", ncol=2, fontsize=9, frameon=False)
    if image is not None:
        bar = fig.colorbar(image, ax=list(axes[: len(pairs)]), shrink=0.9, format=FuncFormatter(money_ticks))
        bar.set_label(f"{meta['kpi_label']}: {meta['scenario']} minus {meta['baseline']}")
    title = f"Where {meta['scenario']} pays against {meta['baseline']} ({meta['experiment']})"
    fig.suptitle("\n".join(textwrap.wrap(title, 90)), fontsize=12)
    return fig


def _padded(condition: Mapping[str, Any]) -> tuple[float, float]:
    """The condition's range with room for the markers on its edges."""
    pad = 0.04 * (float(condition["hi"]) - float(condition["lo"]))
    return float(condition["lo"]) - pad, float(condition["hi"]) + pad


def _axis_label(condition: Mapping[str, Any]) -> str:
    return "\n".join(textwrap.wrap(str(condition["label"]), 48))


def _limits(meta: Mapping[str, Any], outcome: str) -> dict[str, tuple[Any, Any]] | None:
    """The bounds of a rule's box by key (None: no box)."""
    rule = (meta.get("rules") or {}).get(outcome) or {}
    return {x["key"]: (x["lo"], x["hi"]) for x in rule.get("limits", [])} if rule.get("found") else None


def _draw_box(
    ax: Any, limits: Mapping[str, tuple[Any, Any]], cx: Mapping[str, Any], cy: Mapping[str, Any], colour: str
) -> None:
    """The rule's box projected on a panel (an unrestricted condition spans its whole range)."""
    x_lo, x_hi = limits.get(cx["key"], (None, None))
    y_lo, y_hi = limits.get(cy["key"], (None, None))
    if cx["key"] not in limits and cy["key"] not in limits:
        return
    x0, x1 = (cx["lo"] if x_lo is None else x_lo), (cx["hi"] if x_hi is None else x_hi)
    y0, y1 = (cy["lo"] if y_lo is None else y_lo), (cy["hi"] if y_hi is None else y_hi)
    ax.add_patch(
        Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, edgecolor=colour, linestyle="--", linewidth=1.6, zorder=2)
    )


def report_markdown(points: pd.DataFrame, meta: Mapping[str, Any], figure: str = f"figures/{FIGURE}.png") -> str:
    """``map.md``: what was mapped, the rules, the market as configured, the figure and every point."""
    counts = meta["counts"]
    total = sum(counts.values())
    lines = [
        f"# Strategy map: {meta['scenario']} against {meta['baseline']}",
        "",
        f"- Experiment: `{meta['experiment']}`; scenario `{meta['scenario']}`"
        + (f" ({meta['scenario_description']})" if meta.get("scenario_description") else "")
        + f", compared with `{meta['baseline']}`, firm {meta['firm']}.",
        f"- Market: {meta['market']}.",
        f"- At every point: {meta['kpi_label']} of {meta['scenario']} minus {meta['baseline']}, the mean paired "
        f"difference over {meta['replications']} replications on common random numbers (seeds {meta['seed']}.."
        f"{meta['seed'] + meta['replications'] - 1}) and its {meta['confidence']:.0%} Student-t interval. "
        "The strategy **pays** where the interval lies above 0, **loses** where it lies below 0, and is "
        "**unclear** where it spans 0.",
        f"- Design: {_design(meta)}; {total} points.",
    ]
    if meta.get("screened"):
        lines.append(
            "- Conditions chosen by a Morris screening of the same difference over "
            + ", ".join(f"`{k}`" for k in meta["screened"])
            + " (screening.csv): the map shows those with the largest mu*."
        )
    lines += [f"- Run time: {meta['elapsed_seconds']:.0f} s.", "", "## Where it pays", ""]
    lines += [f"**{meta['rule_text']['pays']}**", "", meta["rule_text"]["loses"], ""]
    if meta.get("note"):
        lines += [f"*Read with care:* {meta['note']}", ""]
    lines += [
        f"{counts['pays']} of {total} points pay, {counts['loses']} lose, {counts['unclear']} are unclear. "
        f"The rule is found by PRIM (scenario discovery): of the boxes of conditions in which at least "
        f"{meta['min_density']:.0%} of the points have the outcome, the one that holds most of them. "
        "Its bounds are values that were run: the boundary itself lies somewhere between a bound and the "
        "next value of the grid.",
        "",
        _multiple_testing(meta),
        "",
        "## The market as configured",
        "",
        _current_sentence(meta),
        "",
        "## Conditions",
        "",
    ]
    rows = pd.DataFrame(
        {
            "condition": [c["label"] for c in meta["conditions"]],
            "key": [f"`{c['key']}`" for c in meta["conditions"]],
            "range": [f"{condition_value(c['lo'])} to {condition_value(c['hi'])}" for c in meta["conditions"]],
            "as configured": [condition_value(meta["current"][c["key"]]) for c in meta["conditions"]],
        }
    )
    lines += [markdown_table(rows, right=[False, False, True, True]), "", f"![the map]({figure})", "", "## Points", ""]
    lines += [markdown_table(_points_cells(points, meta), right=[True] * (len(meta["conditions"]) + 2) + [False])]
    return "\n".join(lines) + "\n"


def _multiple_testing(meta: Mapping[str, Any]) -> str:
    """What testing every point means for the calls (Benjamini & Hochberg 1995)."""
    fdr = meta["counts_fdr"]
    return (
        f"Every point is a test: where the strategy made no difference at all, about "
        f"{meta['expected_false_calls']:.1f} of the {sum(meta['counts'].values())} points would still be called "
        "pays, and as many loses, by chance (and the points share their seeds, so such calls would cluster). "
        f"Adjusted for testing every point (Benjamini-Hochberg, false discovery rate "
        f"{meta['false_discovery_rate']:.0%}; column verdict_fdr of points.csv): {fdr['pays']} pay, "
        f"{fdr['loses']} lose, {fdr['unclear']} unclear. The intervals are of the simulation's noise only, "
        "not of the uncertainty in the model's parameters; NPV counts only the horizon, not the value of the "
        "customers still held at its end."
    )


def _design(meta: Mapping[str, Any]) -> str:
    if meta["design"] == "grid":
        return f"a grid of {meta['levels']} values per condition"
    return f"a Latin hypercube of {meta['samples']} points (seed {meta['design_seed']})"


def _current_sentence(meta: Mapping[str, Any]) -> str:
    where = ", ".join(f"{c['label']} {condition_value(meta['current'][c['key']])}" for c in meta["conditions"])
    inside = meta.get("current_in_rule", {})
    if inside.get("pays") is True:
        verdict = "inside the box where it pays"
    elif inside.get("loses") is True:
        verdict = "inside the box where it loses"
    else:
        verdict = "in neither rule's box"
    return f"The market as configured ({where}; the star in the figure) lies {verdict}."


def _points_cells(points: pd.DataFrame, meta: Mapping[str, Any]) -> pd.DataFrame:
    cells = pd.DataFrame({c["label"]: points[c["key"]].map(condition_value) for c in meta["conditions"]})
    cells["difference"] = points["diff"].map(lambda v: format_value(v, "money", signed=True))
    cells["interval"] = [
        f"[{format_value(lo, 'money', signed=True)}, {format_value(hi, 'money', signed=True)}]"
        for lo, hi in zip(points["ci_low"], points["ci_high"])
    ]
    cells["verdict"] = points["verdict"]
    return cells
