"""Scenario discovery finds the box of conditions where an outcome happens and says it in words."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from experiments.analysis.scenario_discovery import discover

LABELS = {"share": "share of service-driven customers", "weeks": "horizon (weeks)"}


def _grid() -> pd.DataFrame:
    shares = np.linspace(0.1, 0.7, 7)
    weeks = np.array([52.0, 104.0, 156.0, 208.0, 260.0])
    return pd.DataFrame(list(itertools.product(shares, weeks)), columns=["share", "weeks"])


def test_a_box_shaped_outcome_is_found_exactly_with_bounds_at_values_that_were_run():
    x = _grid()
    pays = ((x["share"] >= 0.3 - 1e-9) & (x["weeks"] >= 156)).to_numpy()
    rule = discover(x, pays, min_density=0.8)
    assert rule.found
    assert rule.coverage == 1.0 and rule.density == 1.0
    bounds = {limit.key: (limit.lo, limit.hi) for limit in rule.limits}
    assert bounds["weeks"] == (156.0, None)  # a value of the grid, not PRIM's cut between 104 and 156
    assert bounds["share"][0] is not None and abs(bounds["share"][0] - 0.3) < 1e-9 and bounds["share"][1] is None
    text = rule.sentence("club_marketing", "pays", LABELS)
    assert text.startswith("club_marketing pays when ")
    assert "horizon (weeks) is at least 156" in text and "share of service-driven customers is at least 0.3" in text
    assert "coverage 100%" in text and "density 100%" in text


def test_the_rule_trades_coverage_for_the_density_asked():
    x = _grid()
    pays = (x["weeks"] >= 156).to_numpy().copy()
    pays[0] = True  # one paying point far from the rest
    strict = discover(x, pays, min_density=1.0)
    assert strict.found and strict.density == 1.0 and strict.coverage < 1.0
    assert strict.points_in_outcome == int(pays.sum()) - 1


def test_a_rule_contains_the_points_in_its_box_only():
    x = _grid()
    rule = discover(x, (x["weeks"] <= 104).to_numpy(), min_density=0.8)
    assert rule.contains({"share": 0.5, "weeks": 52.0}) is True
    assert rule.contains({"share": 0.5, "weeks": 260.0}) is False


def test_no_point_and_every_point_with_the_outcome_are_said_without_a_box():
    x = _grid()
    none = discover(x, np.zeros(len(x), dtype=bool), 0.8)
    every = discover(x, np.ones(len(x), dtype=bool), 0.8)
    assert not none.found and none.contains({"share": 0.5, "weeks": 52.0}) is None
    assert none.sentence("price_war", "pays", LABELS) == f"price_war pays at none of the {len(x)} points mapped."
    assert (
        every.sentence("price_war", "loses", LABELS) == f"price_war loses at every one of the {len(x)} points mapped."
    )


def test_a_scattered_outcome_has_no_simple_rule():
    x = _grid()
    checkerboard = (np.arange(len(x)) % 2) == 0
    rule = discover(x, checkerboard, min_density=1.0)
    assert not rule.found
    assert "no simple rule" in rule.sentence("club_marketing", "pays", LABELS)


def test_an_outcome_dense_enough_everywhere_is_said_to_hold_across_the_whole_space():
    x = _grid()
    mostly = np.ones(len(x), dtype=bool)
    mostly[[0, 1]] = False
    rule = discover(x, mostly, min_density=0.8)
    assert rule.found and rule.limits == ()
    assert rule.sentence("win_back", "pays", LABELS) == (
        f"win_back pays across the whole space mapped, with no condition narrowing it: at {len(x) - 2} of the "
        f"{len(x)} points ({(len(x) - 2) / len(x):.0%})."
    )
