"""The trainer's dashboard in a real headless Chromium.

Each test opens the page served by ``solara run experiments.classroom.dashboard`` (as
``make dashboard`` does, with the browser code served locally) and drives it
as a trainer would; every test saves a screenshot in ``outputs/browser/``.
"""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.slow

#: how long the page may take to react to a click (a Reset rebuilds two markets)
REACT_MS = 60_000


def time_shown(tab) -> float:
    """The model time in SolaraViz's Information card."""
    text = tab.page.get_by_text(re.compile(r"^Time: ")).first.inner_text()
    return float(text.split(":", 1)[1])


def wait_for_time(tab, value: float) -> None:
    tab.page.get_by_text(re.compile(rf"^Time: {value:.1f}$")).first.wait_for(timeout=REACT_MS)


#: the page's charts: SVG in the page (experiments/classroom/charts.py), one per chart
CHARTS = ".chart svg"
#: the charts the page draws: loyalty states, profit, retention, disconfirmation, network
N_CHARTS = 5
#: what tells a chart's drawing from the last: the step it shows and what it draws
CHARTS_JS = f'Array.from(document.querySelectorAll("{CHARTS}")).map(s => s.dataset.step + ":" + s.innerHTML)'


def chart_images(tab) -> list[str]:
    """Every chart as drawn (its step and its SVG's content)."""
    return tab.page.evaluate(CHARTS_JS)


def ready(tab) -> None:
    tab.page.get_by_role("button", name="Step").wait_for(timeout=REACT_MS)
    tab.page.get_by_text(re.compile(r"^Lesson: ")).first.wait_for(timeout=REACT_MS)
    tab.page.wait_for_function(f'document.querySelectorAll("{CHARTS}").length >= {N_CHARTS}', timeout=REACT_MS)


def wait_for_redrawn_charts(tab, old: list[str]) -> None:
    """Until the charts differ from ``old`` (a redrawing after a Step or a Reset)."""
    tab.page.wait_for_function(f"(old) => {CHARTS_JS}.some((c, i) => c !== old[i])", arg=old, timeout=REACT_MS)


def press(tab, name: str) -> None:
    tab.page.get_by_role("button", name=name).click()


def test_the_page_loads_with_no_console_error_and_draws_its_charts(open_tab, server):
    tab = open_tab()
    ready(tab)
    assert tab.errors == []
    assert len(chart_images(tab)) >= N_CHARTS  # states, profit, retention, disconfirmation, network
    body = tab.page.inner_text("body")
    for text in ("Controls", "Focal", "Discounter", "Premium", "market share", "without the strategy"):
        assert text in body
    assert "Could not load URL" not in server["log"].read_text()  # every asset served locally


def test_step_advances_time_and_redraws_the_charts(open_tab):
    tab = open_tab()
    ready(tab)
    before, charts = time_shown(tab), chart_images(tab)
    press(tab, "Step")
    wait_for_time(tab, before + 1)
    wait_for_redrawn_charts(tab, charts)
    assert tab.page.get_by_text(re.compile(rf"step {int(before + 1)} of \d+")).count() >= 1
    assert tab.errors == []


def _settings_line(tab) -> str:
    return tab.page.get_by_text(re.compile(r"^Settings: ")).first.inner_text()


def test_moving_a_slider_changes_the_model(open_tab):
    tab = open_tab()
    ready(tab)
    before = _settings_line(tab)
    slider = tab.page.get_by_role("slider").nth(_slider_index(tab, "Customers in the market"))
    slider.focus()
    for _ in range(3):
        slider.press("ArrowRight")
    press(tab, "Reset")
    tab.page.wait_for_function("(old) => !document.body.innerText.includes(old)", arg=before, timeout=REACT_MS)
    after = _settings_line(tab)
    customers = [int(re.search(r"([\d,]+) customers", s).group(1).replace(",", "")) for s in (before, after)]
    assert customers[1] > customers[0]
    assert tab.errors == []


def _slider_index(tab, label: str) -> int:
    """Position of the slider labelled ``label`` among the page's sliders."""
    labels = tab.page.locator(".v-input.v-input__slider")
    for i in range(labels.count()):
        if label in labels.nth(i).inner_text():
            return i
    raise AssertionError(f"no slider labelled {label!r}")


def test_switching_the_lesson_changes_the_story_and_the_charts(open_tab):
    tab = open_tab()
    ready(tab)
    press(tab, "Step")
    wait_for_time(tab, 1)
    charts = chart_images(tab)
    tab.page.get_by_role("button", name=re.compile("Lesson")).first.click()
    tab.page.get_by_role("option", name="price_war", exact=True).click()
    press(tab, "Reset")
    tab.page.get_by_text(re.compile(r"^Lesson: price_war")).first.wait_for(timeout=REACT_MS)
    assert "rivals" in tab.page.inner_text("body").lower()  # the price-war lesson's story
    press(tab, "Step")
    wait_for_time(tab, 1)
    wait_for_redrawn_charts(tab, charts)
    assert tab.errors == []


def test_two_sessions_stay_independent(open_tab):
    first, second = open_tab(), open_tab()
    ready(first)
    ready(second)
    start = time_shown(second)
    for k in (1, 2):
        press(first, "Step")
        wait_for_time(first, start + k)
    second.page.wait_for_timeout(1500)
    assert time_shown(second) == start
    press(second, "Step")
    wait_for_time(second, start + 1)
    assert time_shown(first) == start + 2


def test_a_lesson_file_that_fails_validation_is_skipped_with_a_notice(open_tab, server):
    """The server's extra lesson folder holds files that fail validation
    (conftest's BAD_LESSONS): the page still loads, names each file with the
    command line's one-line reason, does not offer them, and the other
    lessons work."""
    tab = open_tab()
    ready(tab)
    notice = tab.page.get_by_text(re.compile(r"lesson files? skipped")).first
    notice.wait_for(timeout=REACT_MS)
    body = tab.page.inner_text("body")
    for path, reason in server["bad_lessons"].items():
        assert f"{path}: " in body and reason in body
    tab.page.get_by_role("button", name=re.compile("Lesson")).first.click()
    tab.page.get_by_role("option").first.wait_for(timeout=REACT_MS)  # the menu opens after the click
    offered = tab.page.get_by_role("option").all_inner_texts()
    assert "price_war" in offered and "win_back" in offered
    assert not {path.stem for path in server["bad_lessons"]} & set(offered)
    tab.page.get_by_role("option", name="win_back").click()
    press(tab, "Reset")
    tab.page.get_by_text(re.compile(r"^Lesson: win_back")).first.wait_for(timeout=REACT_MS)
    press(tab, "Step")
    wait_for_time(tab, 1)
    assert tab.errors == []
