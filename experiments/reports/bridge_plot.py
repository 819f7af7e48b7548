"""The profit bridge as a waterfall: one panel per scenario, each line of the
books a step from the baseline's NPV (0) to the scenario's NPV difference,
with the line's paired interval (:mod:`experiments.reports.profit_bridge`)."""

from __future__ import annotations

import math
import textwrap
from typing import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from experiments.reports.profit_bridge import NPV, REVENUE, books
from experiments.reports.units import ReportUnits, money_ticks

#: colours of a line that raised the NPV, one that lowered it, and the total
GAIN, LOSS, TOTAL = "#2e7d32", "#c62828", "#37474f"
#: panels side by side before a new row starts
COLUMNS = 2
#: inches of a panel's width and of one bar's height
PANEL_WIDTH, BAR_HEIGHT = 6.4, 0.42


def _steps(rows: pd.DataFrame, tolerance: float) -> pd.DataFrame:
    """The terms of the sum in order (the revenue by its parts, then the
    costs), each with where its bar starts and ends; a term that is zero in
    this scenario (mean and interval under ``tolerance``) is left out."""
    terms = books(rows)
    terms = terms[(terms["line"] != REVENUE.key) & (terms["line"] != NPV.key)].copy()
    moved = terms[["diff", "ci_low", "ci_high"]].abs().fillna(0.0).ge(tolerance).any(axis=1)
    terms = terms[moved]
    terms["end"] = terms["diff"].cumsum()
    terms["start"] = terms["end"] - terms["diff"]
    return terms


def plot_profit_bridge(
    bridge: pd.DataFrame,
    baseline: str,
    units: ReportUnits,
    scenarios: Sequence[str] | None = None,
    confidence: float = 0.95,
    tolerance: float = 0.5,
) -> Figure:
    """A waterfall per scenario of its NPV difference from ``baseline``, line
    by line (a line the scenario leaves unchanged, under ``tolerance`` in
    money, left out), every step with its paired interval, the total with
    its own."""
    names = [s for s in (scenarios or pd.unique(bridge["scenario"])) if s != baseline]
    n_rows = max(1, math.ceil(len(names) / COLUMNS))
    n_cols = max(1, min(COLUMNS, len(names)))
    shown = bridge[bridge["scenario"].isin(names)]
    n_bars = max((len(_steps(g, tolerance)) + 1 for _, g in shown.groupby("scenario")), default=1)
    fig = Figure(figsize=(PANEL_WIDTH * n_cols, 1.6 + n_rows * (0.9 + BAR_HEIGHT * n_bars)), layout="constrained")
    axes = np.atleast_1d(fig.subplots(n_rows, n_cols, squeeze=False)).ravel()
    for ax, name in zip(axes, names):
        rows = shown[shown["scenario"] == name]
        terms = _steps(rows, tolerance)
        total = rows[rows["line"] == NPV.key].iloc[0]
        labels = [*terms["label"], f"{NPV.label} difference"]
        y = np.arange(len(labels))[::-1]
        colours = [GAIN if d > 0 else LOSS for d in terms["diff"]]
        ax.barh(y[:-1], terms["diff"], left=terms["start"], color=colours, height=0.7)
        ax.barh(y[-1], total["diff"], color=TOTAL, height=0.7)
        ends = [*terms["end"], total["diff"]]
        lows = [*(terms["end"] - (terms["diff"] - terms["ci_low"])), total["ci_low"]]
        highs = [*(terms["end"] + (terms["ci_high"] - terms["diff"])), total["ci_high"]]
        err = np.array([np.subtract(ends, lows), np.subtract(highs, ends)])
        ax.errorbar(ends, y, xerr=np.nan_to_num(err), fmt="none", ecolor="black", elinewidth=1, capsize=3)
        ax.axvline(0, color="grey", linewidth=0.8)
        ax.set_yticks(y, [textwrap.shorten(label, 40) for label in labels])
        ax.xaxis.set_major_formatter(FuncFormatter(money_ticks))
        ax.set_title(f"{name}: {total['diff']:+,.0f} {units.currency}", fontsize=11)
        ax.set_xlabel(f"change in NPV ({units.currency})", fontsize=10)
        ax.tick_params(labelsize=9)
    for ax in axes[len(names) :]:
        ax.set_visible(False)
    fig.suptitle(
        f"Profit bridge: each scenario's NPV difference from {baseline}, line by line\n"
        f"{units.npv()}; each panel on its own scale; bars: mean over replications, whiskers: paired "
        f"{confidence:.0%} interval of each line alone (drawn at its bar's end)",
        fontsize=11,
    )
    return fig
