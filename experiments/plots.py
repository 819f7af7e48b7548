"""Plots of run results (DESIGN.md §8).

Plot functions take tidy tables (one row per step and firm, as returned by
``LoyaltyModel.step_table()``) and an optional ``ax``, and return a matplotlib
Figure; the numbers a plot shows come from a separate, tested function.
Figures are drawn on the Agg canvas without pyplot, so plotting works
headless and in worker processes, whatever backend the session uses.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sim.states import STATE_NAMES

STATE_COLUMNS = [f"n_{name}" for name in STATE_NAMES]

#: one colour per loyalty state, from cold (outside) through warm (loyal) to grey (lost)
STATE_COLOURS = {
    "prospect": "#d9d9d9", "aware": "#bdd7e7", "first_time": "#6baed6", "repeat": "#3182bd",
    "loyal": "#31a354", "advocate": "#006d2c", "captive": "#b15928", "at_risk": "#fd8d3c",
    "churned": "#636363", "won_back": "#9e9ac8",
}


def loyalty_state_shares(table: pd.DataFrame) -> pd.DataFrame:
    """Share of the market's customers in each loyalty state, per step and firm.

    Args:
        table: a step table with columns ``step``, ``firm`` and ``n_<state>``
            for every state of :data:`sim.states.STATE_NAMES`.

    Returns:
        A DataFrame with columns ``step``, ``firm`` and one column per state
        name (``prospect``, ``aware``, ...), one row per step and firm in the
        order of ``table``; each row's shares add up to 1 (every one of the
        n customers is in exactly one state of each firm relationship).
    """
    missing = [c for c in ["step", "firm", *STATE_COLUMNS] if c not in table.columns]
    if missing:
        raise ValueError(f"table lacks the columns {', '.join(missing)}; "
                         "needs step, firm and n_<state> for every loyalty state")
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
        a.stackplot(rows["step"].to_numpy(), (100 * rows[names].to_numpy()).T,
                    labels=[n.replace("_", " ") for n in names],
                    colors=[STATE_COLOURS[n] for n in names], linewidth=0)
        a.set_title(str(firm))
        a.set_xlabel("step")
        a.set_xlim(rows["step"].min(), rows["step"].max())
        a.set_ylim(0, 100)
        a.margins(0)
    axes[0].set_ylabel("customers in state (% of market)")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles[::-1], labels[::-1], loc="outside right center", frameon=False,
               title="loyalty state")
    return fig


