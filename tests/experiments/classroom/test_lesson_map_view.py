"""The classroom's strategy map, without a browser: which map the page shows
for a lesson, where the market on the screen lies on it (the star, the
rule's box, the nearest point) and what the panel writes under it.

The maps here are small ones written by the tests (a 3 x 3 grid over the
service segment's share and the horizon), so that every verdict and box is
known; the shipped maps (docs/maps/) are checked in
tests/experiments/analysis/test_strategy_map.py."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.analysis.strategy_map import LOSES, PAYS, UNCLEAR, verdicts
from experiments.classroom import dashboard
from experiments.classroom import lesson_map_view as view_module
from experiments.classroom.lesson import segment_mix
from experiments.classroom.lesson_map_view import (
    MAPS_ENV,
    find_map,
    map_folders,
    map_view,
    market_values,
    nearest_point,
)
from sim.config import MarketConfig

SHARE, STEPS = "market.customers.segments.2.share", "market.steps"
CONDITIONS = [
    {"key": SHARE, "label": "share of service-driven customers", "lo": 0.1, "hi": 0.7, "whole": False},
    {"key": STEPS, "label": "horizon (weeks)", "lo": 52.0, "hi": 260.0, "whole": True},
]
#: where the test map's strategy pays: a service share of at least 0.25 and a
#: horizon of at least 156 weeks; where it loses: a horizon of at most 52
RULES = {
    PAYS: {"found": True, "limits": [{"key": SHARE, "lo": 0.25, "hi": None}, {"key": STEPS, "lo": 156.0, "hi": None}]},
    LOSES: {"found": True, "limits": [{"key": STEPS, "lo": None, "hi": 52.0}]},
}
RULE_TEXT = {PAYS: "club_marketing pays when the share is at least 0.25 and ...", LOSES: "it loses when ..."}


def retail(price_share: float | None = None, steps: int | None = None) -> MarketConfig:
    """The retail market (price, value, service: 0.4, 0.4, 0.2; 104 weeks),
    with the page's price-share slider and another horizon if given."""
    market = MarketConfig()
    if price_share is not None:
        customers = dataclasses.replace(market.customers, segments=segment_mix(market.customers.segments, price_share))
        market = dataclasses.replace(market, customers=customers)
    return market if steps is None else dataclasses.replace(market, steps=steps)


def grid_points(conditions: list[dict] = CONDITIONS) -> pd.DataFrame:
    """A 3 x 3 grid over the conditions: the difference grows with both, ±1,000 around it."""
    axes = [np.linspace(c["lo"], c["hi"], 3) for c in conditions]
    x, y = (a.ravel() for a in np.meshgrid(*axes, indexing="ij"))
    diff = 4000 * (x - 0.35) + 10 * (y - 150)
    low, high = diff - 1000, diff + 1000
    return pd.DataFrame(
        {
            "point": np.arange(len(x)),
            conditions[0]["key"]: x,
            conditions[1]["key"]: y,
            "baseline_mean": 1e5,
            "mean": 1e5 + diff,
            "diff": diff,
            "ci_low": low,
            "ci_high": high,
            "verdict": verdicts(low, high),
        }
    )


def write_map(
    folder: Path,
    name: str,
    *,
    experiment: str = "default",
    scenario: str = "club_marketing",
    conditions: list[dict] = CONDITIONS,
    current: dict | None = None,
    rules: dict = RULES,
) -> Path:
    """A map as ``loyalty-sim-map`` writes it (map.json, points.csv) in ``folder/name``."""
    path = Path(folder) / name
    path.mkdir(parents=True)
    meta = {
        "experiment": experiment,
        "scenario": scenario,
        "baseline": "baseline",
        "kpi_label": "profit (NPV)",
        "confidence": 0.95,
        "conditions": conditions,
        "current": current or {SHARE: 0.2, STEPS: 104.0},
        "rules": rules,
        "rule_text": RULE_TEXT,
        "counts": {PAYS: 2, LOSES: 3, UNCLEAR: 4},
    }
    (path / "map.json").write_text(json.dumps(meta), encoding="utf-8")
    grid_points(conditions).to_csv(path / "points.csv", index=False)
    return path


@pytest.fixture
def maps(tmp_path) -> Path:
    """A maps folder with one map of the default lesson's club_marketing scenario."""
    write_map(tmp_path, "headline_club_marketing")
    return tmp_path


# --------------------------------------------------------------------------- which map
def test_the_shown_scenarios_map_is_preferred_over_the_lessons_other_maps(tmp_path):
    write_map(tmp_path, "headline_club_marketing", scenario="club_marketing")
    write_map(tmp_path, "headline_price_war", scenario="price_war")
    write_map(tmp_path, "price_war", experiment="price_war", scenario="war_no_retaliation")
    assert find_map("default", "price_war", [tmp_path]) == tmp_path / "headline_price_war"
    assert find_map("default", "club_marketing", [tmp_path]) == tmp_path / "headline_club_marketing"
    # no map of the scenario shown: the lesson's first map, and a note says whose it is
    assert find_map("default", "staff_loyalty", [tmp_path]) == tmp_path / "headline_club_marketing"
    view = map_view("default", "staff_loyalty", retail(), [tmp_path])
    assert view.notes[0] == (
        "This is the lesson's map of club_marketing (map headline_club_marketing): there is none of staff_loyalty."
    )
    assert find_map("win_back", "win_back", [tmp_path]) is None


def test_a_further_maps_folder_is_searched_first_and_the_shown_scenarios_map_wins_in_any(tmp_path, monkeypatch):
    mine, shipped = tmp_path / "mine", tmp_path / "shipped"
    write_map(mine, "my_club", scenario="club_marketing")
    write_map(shipped, "headline_price_war", scenario="price_war")
    monkeypatch.setenv(MAPS_ENV, str(mine))
    assert map_folders()[0] == mine.resolve() and len(map_folders()) == 2
    folders = [mine, shipped]
    assert find_map("default", "club_marketing", folders) == mine / "my_club"
    assert find_map("default", "price_war", folders) == shipped / "headline_price_war"
    assert find_map("default", "staff_loyalty", folders) == mine / "my_club"
    monkeypatch.delenv(MAPS_ENV)
    assert len(map_folders()) == 1


def test_a_lesson_without_a_map_says_so_and_names_the_commands_that_make_one(maps):
    view = map_view("win_back", "win_back", retail(), [maps])
    assert not view.found and view.rule_line == "" and view.notes == []
    assert view.where_line == (
        "Lesson win_back has no shipped strategy map: make one with `loyalty-sim-map map=win_back`, then `make maps`."
    )


def test_an_unreadable_map_is_said_in_one_line_and_not_drawn(maps):
    (maps / "headline_club_marketing" / "points.csv").unlink()
    view = map_view("default", "club_marketing", retail(), [maps])
    assert not view.found and view.rule_line == "" and view.notes == []
    assert "could not be read (FileNotFoundError" in view.where_line and "\n" not in view.where_line
    (maps / "headline_club_marketing" / "map.json").write_text("{not json", encoding="utf-8")
    view = map_view("default", "club_marketing", retail(), [maps])
    assert not view.found and view.where_line.startswith("The strategy maps could not be read (JSONDecodeError")


# --------------------------------------------------------------------------- where this market lies
def test_the_star_is_the_market_on_the_screen_at_the_maps_condition_keys():
    meta = {"conditions": CONDITIONS, "current": {SHARE: 0.2, STEPS: 104.0}}
    assert market_values(retail(), meta) == ({SHARE: 0.2, STEPS: 104.0}, ())
    # the price-share slider takes the service share with it (in proportion); a longer horizon moves the star up
    values, from_map = market_values(retail(price_share=0.7, steps=260), meta)
    assert values == {SHARE: pytest.approx(0.1), STEPS: 260.0} and from_map == ()


def test_a_condition_that_is_not_a_setting_of_the_market_takes_the_maps_own_value(maps):
    conditions = [
        {"key": "experiment.replications", "label": "replications", "lo": 2, "hi": 10, "whole": True},
        {"key": "market.no_such_key", "label": "no such thing", "lo": 0.0, "hi": 1.0, "whole": False},
    ]
    current = {"experiment.replications": 6.0, "market.no_such_key": 0.5}
    no_box = {outcome: {"found": False, "limits": []} for outcome in (PAYS, LOSES)}
    write_map(maps, "odd", experiment="odd", conditions=conditions, current=current, rules=no_box)
    view = map_view("odd", "club_marketing", retail(), [maps])
    assert view.problem == "" and view.current == current
    assert view.from_map == ("experiment.replications", "market.no_such_key")
    assert "replications 6 (the map's value), no such thing 0.5 (the map's value)" in view.where_line


@pytest.mark.parametrize(
    "price_share, steps, box, nearest",
    [
        # price share 0.1 (service 0.3), 260 weeks: in the box where it pays; the point (0.4, 260) pays
        (0.1, 260, "inside the box where it pays", "(0.4, 260) pays: +1,300"),
        # service share 0.2, 52 weeks: where it loses; the point (0.1, 52) loses
        (None, 52, "inside the box where it loses", "(0.1, 52) loses: -1,980"),
        # service share 0.2, 156 weeks: in neither box; the point (0.1, 156)'s interval spans 0
        (None, 156, "in neither rule's box", "(0.1, 156) is unclear: -940"),
    ],
)
def test_the_line_under_the_map_says_which_box_holds_this_market_and_what_the_nearest_point_says(
    maps, price_share, steps, box, nearest
):
    view = map_view("default", "club_marketing", retail(price_share, steps), [maps])
    assert view.found and view.rule_line == RULE_TEXT[PAYS]
    assert f"lies {box}; the nearest mapped point {nearest} (95% interval" in view.where_line
    assert view.where_line.startswith("This market (the star: share of service-driven customers ")


def test_the_nearest_point_weighs_each_condition_by_its_range():
    # two points of a Latin hypercube: in raw units 40 weeks dwarf a share's 0.4;
    # as shares of the ranges (208 weeks, 0.6) 40 weeks are the smaller step
    points = pd.DataFrame({SHARE: [0.1, 0.5], STEPS: [100.0, 60.0], "verdict": [PAYS, LOSES]})
    assert nearest_point(points, CONDITIONS, {SHARE: 0.1, STEPS: 60.0})["verdict"] == PAYS
    assert nearest_point(points, CONDITIONS, {SHARE: 0.45, STEPS: 100.0})["verdict"] == LOSES


def test_a_market_outside_the_mapped_ranges_is_said_to_be_beyond_the_map(maps):
    view = map_view("default", "club_marketing", retail(steps=520), [maps])
    assert view.outside == (STEPS,)
    assert view.notes == ["horizon (weeks) 520 lies outside the map (52 to 260): the map does not say there."]
    assert map_view("default", "club_marketing", retail(), [maps]).notes == []


# --------------------------------------------------------------------------- the page
def panel_text(rc) -> str:
    """The text of a rendered panel's HTML widgets."""
    import solara

    return " ".join(w.unsafe_innerHTML for w in rc.find(solara.widgets.widgets.HTML).widgets)


def test_the_drawn_map_moves_its_star_with_the_market_and_is_empty_without_a_map(maps):
    map_png = dashboard.map_png
    here = map_view("default", "club_marketing", retail(), [maps])
    there = map_view("default", "club_marketing", retail(steps=208), [maps])
    png = map_png(here)
    assert png.startswith(b"\x89PNG")
    assert here.key != there.key and map_png(there) != png
    # the same map made again (``make maps``) is drawn again
    os.utime(maps / "headline_club_marketing" / "map.json", ns=(0, 10**18))
    assert map_view("default", "club_marketing", retail(), [maps]).key != here.key
    assert map_png(map_view("win_back", "win_back", retail(), [maps])) == b""


def test_the_map_panel_is_drawn_again_only_when_the_market_moves_not_at_every_step(maps, monkeypatch):
    import ipywidgets
    import solara
    from mesa.visualization.utils import update_counter

    markets = {"first": retail(), "same again": retail(), "longer": retail(steps=208)}
    looked_up, drawn = [], []

    def view_of(model):  # the panel reads the classroom only through classroom_map_view
        looked_up.append(model)
        return map_view("default", "club_marketing", markets[model], [maps])

    def png_of(view):
        drawn.append(view.current[STEPS])
        return map_png(view)

    map_png = dashboard.map_png
    monkeypatch.setattr(dashboard, "classroom_map_view", view_of)
    monkeypatch.setattr(dashboard, "map_png", png_of)
    box, rc = solara.render(dashboard.StrategyMapPanel("first"), handle_error=False)
    texts = panel_text(rc)
    assert RULE_TEXT[PAYS] in texts and "This market (the star" in texts
    assert len(rc.find(ipywidgets.Image).widgets) == 1
    for _ in range(3):  # Play: the step counter moves
        update_counter.value += 1
    assert looked_up == ["first"] and drawn == [104.0]
    rc.render(dashboard.StrategyMapPanel("same again"), box)  # a Reset with the same market: not redrawn
    rc.render(dashboard.StrategyMapPanel("longer"), box)  # a Reset with a longer horizon: the star moves
    assert looked_up == ["first", "same again", "longer"] and drawn == [104.0, 208.0]
    assert "horizon (weeks) 208" in panel_text(rc)
    rc.close()


def test_without_a_map_the_panel_shows_the_one_line_and_no_image(maps, monkeypatch):
    import ipywidgets
    import solara

    monkeypatch.setattr(view_module, "map_folders", lambda: (maps,))
    monkeypatch.setattr(dashboard, "classroom_map_view", lambda model: map_view("win_back", "win_back", retail(), None))
    box, rc = solara.render(dashboard.StrategyMapPanel(object()), handle_error=False)
    texts = panel_text(rc)
    assert "has no shipped strategy map" in texts and "<code>loyalty-sim-map map=win_back</code>" in texts
    assert len(rc.find(ipywidgets.Image).widgets) == 0
    rc.close()


@pytest.mark.slow
def test_a_classroom_shows_its_lessons_map_at_its_own_market_and_says_when_its_strategy_is_not_the_maps(maps):
    from experiments.classroom.lesson import NO_STRATEGY, Classroom
    from experiments.classroom.lesson_map_view import classroom_map_view

    room = Classroom(n_customers=500, scenario_number=2)  # the default lesson's club_marketing
    view = classroom_map_view(room, [maps])
    assert view.scenario == "club_marketing" and view.name == "headline_club_marketing"
    assert view.current == {SHARE: pytest.approx(0.2), STEPS: 104.0} and view.notes == []
    moved = classroom_map_view(Classroom(n_customers=500, scenario_number=2, price_share=0.7), [maps])
    assert moved.current[SHARE] == pytest.approx(0.1) and moved.key != view.key
    off = classroom_map_view(Classroom(n_customers=500, scenario_number=2, strategy=NO_STRATEGY), [maps])
    assert off.notes == [
        "The map is of club_marketing as the lesson sets it; the focal firm's strategy set on this page is not."
    ]


@pytest.mark.slow
def test_every_shipped_map_puts_its_lessons_own_market_where_its_report_puts_the_market_as_configured():
    from experiments.analysis.strategy_map import shipped_maps
    from experiments.classroom.lesson import lesson_presets

    maps, presets = shipped_maps(), lesson_presets()
    assert maps, "docs/maps/ holds no map: run make maps"
    for name, meta in maps.items():
        scenario = next(s for s in presets[meta["experiment"]].scenarios if s.name == meta["scenario"])
        values, from_map = market_values(scenario.market, meta)
        not_market = {c["key"] for c in meta["conditions"] if not c["key"].startswith("market.")}
        assert set(from_map) == not_market and values == pytest.approx(meta["current"]), name
