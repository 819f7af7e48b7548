"""Loyalty-state shares (the numbers) and their stacked-area plot."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from experiments.plots import STATE_COLUMNS, loyalty_state_shares, plot_loyalty_states
from sim.states import STATE_NAMES


def table(n: int = 10) -> pd.DataFrame:
    rows = []
    for step in (1, 2):
        for f, firm in enumerate(("A", "B")):
            counts = dict.fromkeys(STATE_COLUMNS, 0)
            counts["n_prospect"] = n - 4 - step - f
            counts["n_loyal"] = 4
            counts["n_churned"] = step + f
            rows.append({"step": step, "firm": firm, "profit": 1.0, **counts})
    return pd.DataFrame(rows)


def test_shares_are_counts_over_n():
    s = loyalty_state_shares(table(10))
    assert list(s.columns) == ["step", "firm", *STATE_NAMES]
    assert len(s) == 4
    np.testing.assert_allclose(s[list(STATE_NAMES)].sum(axis=1), 1.0)
    row = s[(s["step"] == 2) & (s["firm"] == "B")].iloc[0]
    assert row["loyal"] == pytest.approx(0.4)
    assert row["churned"] == pytest.approx(0.3)
    assert row["prospect"] == pytest.approx(0.3)
    assert row["advocate"] == 0.0


def test_shares_need_the_state_columns():
    with pytest.raises(ValueError, match="n_loyal"):
        loyalty_state_shares(table().drop(columns="n_loyal"))


def test_shares_of_a_model_run():
    from sim.model import LoyaltyModel

    m = LoyaltyModel(n_customers=400, burn_in=3, steps=4)
    t = m.run()
    s = loyalty_state_shares(t)
    last = s[s["step"] == 4].set_index("firm")
    for f, firm in enumerate(m.firms):
        np.testing.assert_allclose(last.loc[firm.name, list(STATE_NAMES)].to_numpy(dtype=float),
                                   m.state_counts()[f] / 400)


def test_plot_returns_a_figure_with_one_panel_per_firm():
    fig = plot_loyalty_states(table())
    assert isinstance(fig, Figure)
    panels = [a for a in fig.axes if a.get_title()]
    assert [a.get_title() for a in panels] == ["A", "B"]
    assert fig.canvas.__class__.__name__ == "FigureCanvasAgg"


def test_plot_on_given_axes():
    fig = Figure()
    axes = fig.subplots(1, 2)
    assert plot_loyalty_states(table(), ax=axes) is fig
    with pytest.raises(ValueError, match="one Axes per firm"):
        plot_loyalty_states(table(), ax=axes[0])
