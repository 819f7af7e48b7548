"""report.html in a real headless Chromium, with the network closed.

An experiment's report is written by ``write_report`` on a small synthetic
experiment (as ``tests/experiments/reports/test_report.py`` does), one of its
figures also as SVG (as ``save_figure`` will write them) and a wide table
added; its ``report.html`` is opened from ``file://`` in a context that is
offline and aborts any request that is not for the file itself.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.conftest import SCREENSHOTS

pytestmark = pytest.mark.slow

#: a common laptop's width: the page must not scroll sideways at it
WIDTH = 1366
#: columns of the wide table appended to the report (far wider than the page)
WIDE_COLUMNS = 40


def wide_table() -> str:
    header = "| scenario | " + " | ".join(f"a long KPI name {i}" for i in range(WIDE_COLUMNS)) + " |"
    rule = "|---|" + "---:|" * WIDE_COLUMNS
    row = "| club | " + " | ".join(f"+{i},345 [+8,100, +16,590]" for i in range(WIDE_COLUMNS)) + " |"
    return "\n".join(["## A wide table", "", header, rule, row, ""])


@pytest.fixture(scope="module")
def report_folder(tmp_path_factory) -> Path:
    """A job folder written by write_report, with report.html built from its
    report.md plus a wide table; the loyalty-state figure's SVG twin removed,
    so that one figure is embedded as PNG."""
    from experiments.reports.html_report import write_html_report
    from experiments.reports.report import write_report
    from tests.experiments.reports.test_report import meta, tables

    folder = tmp_path_factory.mktemp("job")
    m = meta()
    runs, steps, comparison, ranked = tables(m)
    report = write_report(folder, m, runs, steps, comparison, ranked)
    (folder / "figures" / "loyalty_states.svg").unlink(missing_ok=True)
    write_html_report(folder, report.read_text(encoding="utf-8") + "\n" + wide_table())
    return folder


@pytest.fixture
def offline_page(browser, report_folder, request):
    """The report's page opened offline; yields (page, every URL requested)."""
    context = browser.new_context(viewport={"width": WIDTH, "height": 900}, offline=True)
    requested: list[str] = []
    context.on("request", lambda r: requested.append(r.url))
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
    page = context.new_page()
    page.goto((report_folder / "report.html").as_uri(), wait_until="load")
    yield page, requested
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def test_html_report_opens_offline_with_every_figure_drawn_and_nothing_fetched(offline_page, report_folder):
    page, requested = offline_page
    images = page.evaluate(
        "[...document.images].map(i => ({src: i.src.split(',')[0], ok: i.complete && i.naturalWidth > 0}))"
    )
    # every figure of report.md, as its SVG twin where there is one
    links = re.findall(r"!\[[^\]]*\]\(figures/([^)]+)\)", (report_folder / "report.md").read_text())
    twins = [(report_folder / "figures" / name).with_suffix(".svg").exists() for name in links]
    assert "loyalty_states.png" in links and not all(twins)
    assert [i["src"] for i in images] == ["data:image/svg+xml;base64" if t else "data:image/png;base64" for t in twins]
    assert all(i["ok"] for i in images), images
    assert page.locator(".figure-missing").count() == 0
    assert [u for u in requested if not u.startswith(("file:", "data:"))] == []


def test_html_report_fits_a_laptop_width_with_wide_tables_scrolling_in_their_box(offline_page):
    page, _ = offline_page
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    tables = page.locator("table")
    assert tables.count() >= 4  # scenarios, comparison, ranking, survey, ..., the wide table
    for i in range(tables.count()):
        assert tables.nth(i).is_visible()
    box = page.locator(".table-scroll").last
    assert box.evaluate("b => b.scrollWidth > b.clientWidth")  # the wide table scrolls inside its box
    assert page.locator("td").last.evaluate("td => getComputedStyle(td).textAlign") == "right"
    assert page.title().startswith("Experiment: ")
