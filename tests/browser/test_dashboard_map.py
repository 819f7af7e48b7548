"""The dashboard's strategy-map panel in a real headless Chromium.

The panel shows the shipped map of the lesson on the screen
(``docs/maps/``, ``make maps``; and the folder named by
:data:`experiments.classroom.lesson_map_view.MAPS_ENV` if the server's
environment sets it) with a star at the market the class is looking at.
What it must say is worked out here without a browser
(:func:`experiments.classroom.lesson_map_view.map_view`, tested in
tests/experiments/classroom/test_lesson_map_view.py) for the market the
page runs, and read back from the page.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.test_dashboard_page import REACT_MS, _settings_line, _slider_index, press, ready

pytestmark = pytest.mark.slow

#: presses of the right arrow on the price-share slider (its step: 0.05)
PRICE_SHARE_PRESSES = 4


def expected_view(**settings):
    """The map view of the page's first classroom with ``settings`` changed,
    as the page builds it (the default lesson, its first scenario)."""
    from experiments.classroom.dashboard import initial_settings, model_params
    from experiments.classroom.lesson import ClassroomSettings, lesson_presets, twin_markets
    from experiments.classroom.lesson_map_view import map_view

    start = {**initial_settings(model_params()), **settings}
    shown = twin_markets(lesson_presets()[start["lesson"]], ClassroomSettings(**start)).scenario
    return map_view(start["lesson"], shown.name, shown.market)


def where_line(panel) -> str:
    return panel.get_by_text(re.compile(r"^This market \(the star")).first.inner_text()


def test_the_map_panel_shows_the_lessons_map_and_follows_the_market_on_the_screen(open_tab):
    view = expected_view()
    assert view.found, f"the page shows no map for the default lesson: {view.where_line}"
    tab = open_tab()
    ready(tab)
    panel = tab.page.locator(".strategy-map-panel")
    panel.get_by_text(view.rule_line).first.wait_for(timeout=REACT_MS)
    image = panel.locator("img.strategy-map")
    image.wait_for(timeout=REACT_MS)
    assert image.evaluate("img => img.complete && img.naturalWidth > 300")
    assert where_line(panel) == view.where_line
    for note in view.notes:  # e.g. whose map it is when the scenario shown has none
        assert panel.get_by_text(note).count() == 1
    drawn = image.get_attribute("src")

    # the price-share slider changes every segment's share: the market on the screen moves
    price_share = model_price_share() + PRICE_SHARE_PRESSES * 0.05
    moved = expected_view(price_share=price_share)
    before = _settings_line(tab)
    slider = tab.page.get_by_role("slider").nth(_slider_index(tab, "Share of price-driven customers"))
    slider.focus()
    for _ in range(PRICE_SHARE_PRESSES):
        slider.press("ArrowRight")
    # the slider's label shows its value once the server has it: only then Reset
    label = f"Share of price-driven customers: {100 * price_share:.0f}%"
    tab.page.get_by_text(label).first.wait_for(timeout=REACT_MS)
    press(tab, "Reset")
    tab.page.wait_for_function("(old) => !document.body.innerText.includes(old)", arg=before, timeout=REACT_MS)
    assert f"{100 * price_share:.0f}% price-driven" in _settings_line(tab)
    panel.get_by_text(moved.where_line).first.wait_for(timeout=REACT_MS)
    panel.get_by_text(moved.rule_line).first.wait_for(timeout=REACT_MS)
    assert image.evaluate("img => img.complete && img.naturalWidth > 300")
    if moved.key != view.key:  # e.g. a segment's share is a condition of the map: the star moved
        assert moved.where_line != view.where_line
        tab.page.wait_for_function(
            "([sel, old]) => document.querySelector(sel).src !== old",
            arg=[".strategy-map-panel img.strategy-map", drawn],
            timeout=REACT_MS,
        )
    assert tab.errors == []


def model_price_share() -> float:
    """The price-share slider's starting value."""
    from experiments.classroom.dashboard import model_params

    return float(model_params()["price_share"]["value"])
