"""The trainer's dashboard on a 1366 x 768 classroom projector, in a real headless Chromium.

One page load at the projector's size (a module-scoped tab), read as a new
user read it: nothing runs off the side or is cut off (the KPI cards, the
lesson's story), no badge or other fixed element sits on a chart, no stray
"Page 0" tab, charts drawn and numbers on the cards before the first Step,
sliders that show their values, a retention card that says annual and shows
an annual rate, and tick labels that read evenly spaced numbers. The last
test steps the lesson and reads the ticks again. Screenshot:
``outputs/browser/projector_1366x768.png``.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from experiments.classroom.charts import parse_tick
from tests.browser.conftest import Tab
from tests.browser.test_dashboard_page import CHARTS, N_CHARTS, ready, time_shown, wait_for_time

pytestmark = pytest.mark.slow

#: the classroom projector's screen
PROJECTOR = {"width": 1366, "height": 768}
#: what a chart is on the page: the SVG charts and the strategy map's panel
CHART_BOXES = ".chart, .strategy-map-panel"
#: a number as the KPI cards print it: 1,294 / 25.4% / -55 / 37.9k / 1.23M / 0
NUMBER = re.compile(r"^[\u2212-]?[\d,]+(\.\d+)?[kM%]?$")
#: steps the last test takes before it reads the ticks again
STEPS = 3


@pytest.fixture(scope="module")
def tab(browser, server):
    tab = Tab(browser.new_context(viewport=PROJECTOR), server["url"])
    ready(tab)
    yield tab
    tab.screenshot("projector_1366x768")
    tab.context.close()


def test_nothing_runs_off_the_side_of_the_screen(tab):
    page = tab.page
    assert page.evaluate("document.documentElement.scrollWidth") <= PROJECTOR["width"]
    assert page.evaluate("document.body.scrollWidth") <= PROJECTOR["width"]
    wider = page.evaluate(
        """(width) => Array.from(document.querySelectorAll('.lesson-board *'))
            .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.right > width + 0.5; })
            .map(e => e.tagName + '.' + e.className.baseVal ?? e.className)""",
        PROJECTOR["width"],
    )
    assert wider == []
    cards = page.locator(".kpi-card")
    assert cards.count() == 3  # the default lesson's firms
    for i in range(cards.count()):
        box = cards.nth(i).evaluate("e => [e.scrollWidth, e.clientWidth, e.scrollHeight, e.clientHeight]")
        assert box[0] <= box[1] and box[2] <= box[3], cards.nth(i).inner_text()
    assert "Premium" in cards.nth(2).inner_text()


def test_the_lessons_story_is_shown_whole(tab):
    story = tab.page.locator(".lesson-story")
    scroll_height, client_height, clipped = story.evaluate(
        """e => {
            let clipped = [];
            const r = e.getBoundingClientRect();
            for (let a = e.parentElement; a; a = a.parentElement) {
                const s = getComputedStyle(a);
                if (/(hidden|clip)/.test(s.overflowX + s.overflowY)) {
                    const b = a.getBoundingClientRect();
                    if (r.top < b.top - 0.5 || r.bottom > b.bottom + 0.5
                        || r.left < b.left - 0.5 || r.right > b.right + 0.5)
                        clipped.push(a.tagName + '.' + a.className);
                }
            }
            return [e.scrollHeight, e.clientHeight, clipped];
        }"""
    )
    assert scroll_height <= client_height and clipped == []
    assert story.inner_text().rstrip().endswith("Move the controls, then press Reset.")  # the last sentence


def test_no_badge_tab_or_fixed_element_covers_a_chart(tab):
    page = tab.page
    body = page.inner_text("body")
    assert "runs on Solara" not in body and "Made with Solara" not in body
    assert not re.search(r"page 0", body, re.IGNORECASE)
    assert page.locator('[role="tab"], .v-tab').count() == 0
    overlaps = page.evaluate(
        """(sel) => {
            const charts = Array.from(document.querySelectorAll(sel));
            const boxes = charts.map(c => c.getBoundingClientRect());
            const hidden = e => {  // it or an element around it is not shown
                for (let a = e; a; a = a.parentElement) {
                    const s = getComputedStyle(a);
                    if (s.display === 'none' || s.visibility === 'hidden' || s.opacity === '0') return true;
                }
                return false;
            };
            const paints = e => {  // it draws something of its own: a background, a border, text or a picture
                const s = getComputedStyle(e);
                const text = Array.from(e.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
                const clear = /rgba\\(0, 0, 0, 0\\)|transparent/.test(s.backgroundColor);
                return text || s.backgroundImage !== 'none' || !clear
                    || parseFloat(s.borderTopWidth) + parseFloat(s.borderLeftWidth) > 0
                    || ['IMG', 'svg', 'CANVAS', 'VIDEO'].includes(e.tagName);
            };
            const out = [];
            for (const e of document.querySelectorAll('body *')) {
                const s = getComputedStyle(e);
                if (!['fixed', 'absolute', 'sticky'].includes(s.position)) continue;
                if (charts.some(c => c.contains(e) || e.contains(c))) continue;
                const drawn = [e, ...e.querySelectorAll('*')].filter(d => !hidden(d) && paints(d));
                if (!drawn.length) continue;  // e.g. Vuetify's transparent overlays
                for (const d of drawn) {
                    const r = d.getBoundingClientRect();
                    if (r.width < 1 || r.height < 1) continue;
                    boxes.forEach((b, i) => {
                        if (r.left < b.right && r.right > b.left && r.top < b.bottom && r.bottom > b.top)
                            out.push(e.tagName + '.' + e.className + ' over ' + charts[i].className);
                    });
                }
            }
            return out;
        }""",
        CHART_BOXES,
    )
    assert overlaps == []


def test_charts_and_cards_show_the_market_before_the_first_step(tab):
    page = tab.page
    assert time_shown(tab) == 0
    assert page.get_by_text(re.compile(r"step 0 of \d+")).count() >= 1
    drawn = page.evaluate(
        f"""Array.from(document.querySelectorAll('{CHARTS}')).map(s => [
            s.dataset.chart, s.dataset.step,
            Array.from(s.querySelectorAll('polyline')).filter(p => p.points.numberOfItems >= 2).length,
            s.querySelectorAll('polygon.area').length, s.querySelectorAll('rect.bar').length,
            s.querySelectorAll('circle').length])"""
    )
    assert len(drawn) == N_CHARTS
    by_name = {name: counts for name, step, *counts in drawn}
    assert {step for _, step, *_ in drawn} == {"0"}
    lines, areas, bars, dots = zip(*by_name.values())
    assert by_name["profit"][0] >= 3 and by_name["retention"][0] >= 3  # a line per firm, and the baseline's
    assert by_name["states"][1] >= 5 and by_name["disconfirmation"][2] >= 3 and by_name["network"][3] >= 200
    numbers = page.locator(".kpi-card .now").all_inner_texts()
    assert len(numbers) == 3 * 6 and all(NUMBER.match(n.strip()) for n in numbers), numbers
    assert "\u2013" not in page.locator(".kpi-cards").inner_text()


def test_sliders_show_their_values(tab):
    from experiments.classroom.dashboard import PLAY_INTERVAL_MS, control_text, model_params

    labels = tab.page.locator(".v-input.v-input__slider").all_inner_texts()
    labels = [" ".join(label.split()) for label in labels]
    assert f"Play interval: {PLAY_INTERVAL_MS} ms" in labels
    for name, spec in model_params().items():
        if spec["type"].startswith("Slider"):
            assert f"{spec['label']}: {control_text(name, spec['value'])}" in labels


def test_the_retention_card_shows_the_annual_rate(tab):
    from experiments.classroom.dashboard import initial_settings, kpi_text, model_params
    from experiments.classroom.lesson import ANNUAL_RETENTION, Classroom

    rows = tab.page.locator(".kpi-card [data-kpi='annual_retention']")
    assert rows.count() == 3
    expected = Classroom(**initial_settings(model_params())).snapshot()  # the page's first classroom
    for i, firm in enumerate(expected.firms):
        text = rows.nth(i).inner_text()
        assert "annual" in text
        shown = rows.nth(i).locator(".now").inner_text().strip()
        assert shown == kpi_text(ANNUAL_RETENTION, expected.kpis.at[firm, ANNUAL_RETENTION])
        assert 20 < float(shown.rstrip("%")) < 95  # an annual rate, well below the weekly 99%
    assert "annual rate" in tab.page.locator(".kpi-head").inner_text()


def chart_ticks(tab, chart: str, axis: str = "y-tick") -> list[float]:
    labels = tab.page.locator(f'{CHARTS}[data-chart="{chart}"] text.{axis}').all_text_contents()
    return [parse_tick(label) for label in labels]


def assert_evenly_spaced(values: list[float]) -> None:
    assert len(values) >= 3 and len(set(values)) == len(values)
    steps = np.diff(values)
    assert (steps > 0).all() and np.allclose(steps, steps[0])


def test_tick_labels_read_evenly_spaced_numbers_before_and_after_steps(tab):
    for chart in ("profit", "retention", "states", "disconfirmation"):
        assert_evenly_spaced(chart_ticks(tab, chart))
    for k in range(1, STEPS + 1):
        tab.page.get_by_role("button", name="Step").click()
        wait_for_time(tab, k)
    tab.page.wait_for_function(
        f"document.querySelector('{CHARTS}[data-chart=\"profit\"]').dataset.step === '{STEPS}'", timeout=60_000
    )
    profit = chart_ticks(tab, "profit")
    assert_evenly_spaced(profit)
    drawn = tab.page.evaluate(
        f"""Array.from(document.querySelectorAll('{CHARTS}[data-chart="profit"] polyline.line'))
            .map(p => Array.from({{length: p.points.numberOfItems}}, (_, i) => p.points.getItem(i).y))"""
    )
    assert drawn and all(len(ys) >= 2 for ys in drawn)
    for chart in ("profit", "retention", "states"):
        assert_evenly_spaced(chart_ticks(tab, chart))
        assert 0 in chart_ticks(tab, chart, "x-tick")  # the step axis: the lesson starts after step 0
    assert tab.errors == []
