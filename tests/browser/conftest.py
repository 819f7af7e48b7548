"""A real headless Chromium against the dashboard served on 127.0.0.1.

`make test` installs the page's browser code into ``.solara-assets`` (served
by Solara instead of its CDN, which this machine cannot reach) and Debian's
``chromium``; Playwright drives that chromium (``executable_path``: no
browser download). Every test saves a screenshot under ``outputs/browser/``.

The server is ``make dashboard``'s with two test settings: a short kernel
cull timeout (:data:`CULL_TIMEOUT_S`), so that the memory test sees closed
sessions culled within seconds, and a further lesson folder holding lesson
files that fail validation (:data:`BAD_LESSONS`; never written into the
shared ``conf/``), so that every page is served with bad lesson files present.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

from benchmarks.classroom_step import CHROMIUM_FLAGS, wait_until_serving

ROOT = Path(__file__).resolve().parents[2]
ASSETS = ROOT / ".solara-assets"
SCREENSHOTS = ROOT / "outputs" / "browser"
SERVER_START_S = 90
#: seconds a session whose tab has gone lives on (Solara's kernel cull
#: timeout; ``make dashboard`` keeps a couple of minutes for reconnects):
#: short, so that the memory test waits seconds, not minutes
CULL_TIMEOUT_S = 3
#: lesson files that fail validation, in the server's extra lesson folder
#: (:data:`experiments.classroom.lesson.EXTRA_LESSONS_ENV`): file name -> (text, the reason
#: the page must give, as the command line gives it)
BAD_LESSONS = {
    "duplicate_names.yaml": (
        """# @package _global_
experiment:
  name: duplicate_names
  description: Two scenarios share a name.
  scenarios:
    - name: baseline
      description: the market as it is
    - name: baseline
      description: the same name again
""",
        "experiment.scenarios[1].name = 'baseline': scenario names must be distinct",
    ),
    "unclosed_list.yaml": ("# @package _global_\nexperiment: [unclosed\n", "malformed YAML"),
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _solara() -> str:
    script = Path(sys.executable).with_name("solara")
    return str(script) if script.exists() else "solara"


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Iterator[dict]:
    """``make dashboard``'s server on a free port, with the test settings of
    this module's docstring; yields its url, log file, process id and its
    bad lesson files (path -> the reason the page must give)."""
    from experiments.classroom.lesson import EXTRA_LESSONS_ENV, LESSON_GROUP

    if not (ASSETS / ".installed").exists():
        pytest.fail(f"{ASSETS} is missing: `make test` installs the dashboard's browser code")
    port = _free_port()
    folder = tmp_path_factory.mktemp("dashboard")
    log = folder / "server.log"
    lessons = folder / "lessons"
    (lessons / LESSON_GROUP).mkdir(parents=True)
    for name, (text, _) in BAD_LESSONS.items():
        (lessons / LESSON_GROUP / name).write_text(text)
    env = {
        **os.environ,
        "SOLARA_ASSETS_PROXY_CACHE_DIR": str(ASSETS),
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
        "PYTHONPATH": str(ROOT),
        "SOLARA_KERNEL_CULL_TIMEOUT": f"{CULL_TIMEOUT_S}s",
        EXTRA_LESSONS_ENV: str(lessons),
    }
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [
                _solara(),
                "run",
                "experiments.classroom.dashboard",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--production",
                "--no-open",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_serving(url, proc, log.read_text, SERVER_START_S)
    except RuntimeError as e:
        proc.kill()
        pytest.fail(str(e))
    bad = {lessons / LESSON_GROUP / name: reason for name, (_, reason) in BAD_LESSONS.items()}
    yield {"url": url, "log": log, "pid": proc.pid, "bad_lessons": bad}
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's chromium, headless, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("chromium is missing: `make test` installs Debian's chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_FLAGS)
        yield b
        b.close()


class Tab:
    """One browser tab on the dashboard, with the console errors it logged."""

    def __init__(self, context: object, url: str, wait_until: str = "networkidle") -> None:
        self.context = context
        self.page = context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(url, wait_until=wait_until, timeout=120_000)

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def open_tab(browser, server, request) -> Iterator:
    """Open dashboard tabs (each in its own browser context: its own session);
    every tab is screenshot when the test ends."""
    tabs: list[Tab] = []

    def _open() -> Tab:
        tab = Tab(browser.new_context(viewport={"width": 1600, "height": 1100}), server["url"])
        tabs.append(tab)
        return tab

    yield _open
    for i, tab in enumerate(tabs):
        tab.screenshot(request.node.name + (f"_{i}" if i else ""))
        tab.context.close()
