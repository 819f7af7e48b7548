"""The sweep's figures keep their titles and labels inside the figure
(experiments/sweeps/plots.py, fit_text): drawn, then measured."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from experiments.sweeps.plots import fit_text, plot_heatmap, plot_sweep_lines, text_inside, wrap_text
from experiments.reports.plots import new_axes


def _grid(rows: str, columns: str) -> pd.DataFrame:
    return pd.DataFrame(
        np.array([[1.0, -2.0], [3.0, 4.0]]) * 1000,
        index=pd.Index([0.95, 1.05], name=rows, dtype=object),
        columns=pd.Index([0.05, 0.1], name=columns, dtype=object),
    )


def _inside_after_drawing(fig, texts) -> bool:
    fig.canvas.draw()  # as saving does: constrained layout, then every artist placed
    return all(text_inside(t) for t in texts)


def test_wrapping_breaks_at_spaces_and_between_a_keys_parts_never_in_a_number():
    assert wrap_text("war_rivals_partial: profit (NPV), difference from the baseline", 30) == (
        "war_rivals_partial: profit\n(NPV), difference from the\nbaseline"
    )
    assert wrap_text("experiment.scenarios.1.strategies.Focal.0.depth at 0.95", 20).split("\n") == [
        "experiment.",
        "scenarios.1.",
        "strategies.Focal.0.",
        "depth at 0.95",
    ]


@pytest.mark.parametrize("scenario", ["club", "war_rivals_partial", "a_scenario_with_a_really_rather_long_name_indeed"])
def test_a_heatmaps_title_and_labels_lie_inside_the_figure(scenario):
    grid = _grid("market.firms.0.price", "experiment.scenarios.1.strategies.Focal.0.depth")
    fig = plot_heatmap(grid, "npv", scenario)
    ax = fig.axes[0]
    assert scenario in ax.get_title().replace("\n", " ")
    assert _inside_after_drawing(fig, [ax.title, ax.xaxis.label, ax.yaxis.label])
    if scenario == "club":  # a title that fits is left on one line
        assert "\n" not in ax.get_title()


def test_the_unfitted_title_would_have_run_off_both_edges():
    """What the user saw: the same title set without fitting leaves the figure on both sides."""
    fig = plot_heatmap(_grid("market.firms.0.price", "price_war.depth"), "loyal_advocate_share", "war_rivals_partial")
    ax = fig.axes[0]
    ax.set_title(ax.get_title().replace("\n", " "))
    fig.canvas.draw()
    box, frame = ax.title.get_window_extent(), fig.bbox
    assert box.x0 < frame.x0 and box.x1 > frame.x1


def test_a_line_plots_title_lies_inside_the_figure():
    lines = pd.DataFrame(
        {
            "experiment.scenarios.1.strategies.Focal.0.depth": [0.05, 0.1, 0.05, 0.1],
            "scenario": ["baseline", "baseline", "war", "war"],
            "baseline": "baseline",
            "firm": "A firm with a long name, Inc.",
            "n": 2,
            "mean": [1.0, 2.0, 1.5, 2.5],
            "ci_low": [0.5, 1.5, 1.0, 2.0],
            "ci_high": [1.5, 2.5, 2.0, 3.0],
        }
    )
    fig = plot_sweep_lines(lines, "experiment.scenarios.1.strategies.Focal.0.depth", "loyal_advocate_share")
    ax = fig.axes[0]
    assert _inside_after_drawing(fig, [ax.title, ax.xaxis.label, ax.yaxis.label])


def test_fit_text_works_on_a_vertical_label_too():
    fig, ax = new_axes((3.0, 2.0))
    ax.set_ylabel("a rather long vertical label that does not fit the short height of this figure")
    fit_text(ax.yaxis.label)
    assert "\n" in ax.get_ylabel() and _inside_after_drawing(fig, [ax.yaxis.label])
