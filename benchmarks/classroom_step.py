"""Speed of one Step of the trainer's dashboard, in a real browser, against its 0.3 s target.

    python -m benchmarks.classroom_step               # 15 Steps of the default lesson, median
    python -m benchmarks.classroom_step --steps 30
    python -m benchmarks.classroom_step --quick       # 3 Steps (smoke run)

The dashboard is served as ``make dashboard`` serves it (``solara run
experiments.classroom.dashboard``, the browser code from ``.solara-assets``)
on a free port of 127.0.0.1 and opened in Debian's headless chromium through
Playwright at a projector's 1366 x 768, on the default lesson (a fresh page:
2,000 customers, seed 0). Each Step is timed in the page, from the click on
Step until the step counter shows the next time, every chart shows the new
step (its ``data-step``) and the KPI cards say so, and the browser has painted
that frame (``requestAnimationFrame``): the time a trainer waits for the page
after pressing Step. The median of ``--steps`` Steps (after one untimed
warm-up Step) is set against :data:`TARGET_S` on two cores.

The baselines in the same run, in this process on the same lesson: the
model's step alone (:meth:`Classroom.step`: both twins), and the page's own
drawing in Python without the browser (the snapshot, the five charts' SVG and
the cards' HTML). What is left of the browser's time is Solara's rendering,
the websocket and the browser's drawing. The machine's load average is read
before and after: other sessions' tests may run on the same cores.

Prints the table and writes ``<out>/classroom_step.md`` (to a temporary file,
then renamed). Needs ``make`` 's dashboard assets (``.solara-assets``) and
``chromium`` (``make browser``). This is a script, never a timed unit test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence
from contextlib import contextmanager

#: one Step's target on two cores, in seconds (click to painted page)
TARGET_S = 0.3
#: Steps timed by default, and in a quick run
STEPS, QUICK_STEPS = 15, 3
#: the projector's screen
VIEWPORT = {"width": 1366, "height": 768}
ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / ".solara-assets"
SERVER_START_S = 120
#: longest a Step may take before the run gives up, in ms
STEP_TIMEOUT_MS = 60_000
#: what a headless chromium needs here: no sandbox as root, no GPU, and no
#: background connections (the network is closed); the browser tests' too
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

#: in the page: click Step, wait until the step counter, every chart and the
#: cards show the next step, then for the next painted frame; the ms it took
STEP_JS = """async ([timeout]) => {
  const counter = () => Array.from(document.querySelectorAll('span, div'))
      .find(e => e.children.length === 0 && /^Time: /.test(e.textContent));
  const before = parseFloat(counter().textContent.split(':')[1]);
  const want = String(Math.round(before) + 1);
  const done = () => {
    const charts = Array.from(document.querySelectorAll('.chart svg'));
    const head = document.querySelector('.kpi-head');
    return parseFloat(counter().textContent.split(':')[1]) === before + 1
      && charts.length >= 5 && charts.every(s => s.dataset.step === want)
      && head && head.textContent.startsWith('Step ' + want + ':');
  };
  const button = Array.from(document.querySelectorAll('button'))
      .find(b => b.textContent.trim().toUpperCase() === 'STEP');
  const t0 = performance.now();
  button.click();
  return await new Promise((resolve, reject) => {
    const timer = setTimeout(() => { observer.disconnect(); reject(new Error('no redraw after Step')); }, timeout);
    const observer = new MutationObserver(() => {
      if (!done()) return;
      observer.disconnect();
      clearTimeout(timer);
      requestAnimationFrame(() => resolve(performance.now() - t0));
    });
    observer.observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
  });
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_serving(url: str, proc: subprocess.Popen, log: Callable[[], str], timeout_s: float) -> None:
    """Wait until the dashboard's server at ``url`` answers (its process
    ``proc``); raise RuntimeError with the end of its ``log`` if it exits or
    does not answer within ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the dashboard did not start:\n{log()[-3000:]}")
        time.sleep(0.5)


@contextmanager
def dashboard_server() -> Iterator[str]:
    """``make dashboard``'s server on a free port of 127.0.0.1; yields its url."""
    if not (ASSETS / ".installed").exists():
        raise SystemExit(f"error: {ASSETS} is missing: `make dashboard` (or `make test`) installs the browser code")
    port = _free_port()
    env = {
        **os.environ,
        "SOLARA_ASSETS_PROXY_CACHE_DIR": str(ASSETS),
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
        "PYTHONPATH": str(ROOT),
    }
    solara = Path(sys.executable).with_name("solara")
    command = [str(solara) if solara.exists() else "solara", "run", "experiments.classroom.dashboard"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--production", "--no-open"]
    with tempfile.NamedTemporaryFile() as log:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}/"
            wait_until_serving(url, proc, Path(log.name).read_text, SERVER_START_S)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


def time_browser_steps(url: str, steps: int) -> list[float]:
    """Seconds of each of ``steps`` Steps in a fresh page (after one untimed warm-up Step)."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("error: chromium is missing: `make browser` installs Debian's chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_context(viewport=VIEWPORT).new_page()
            page.goto(url, wait_until="networkidle", timeout=120_000)
            page.wait_for_function("document.querySelectorAll('.chart svg').length >= 5", timeout=120_000)
            page.wait_for_timeout(500)
            times = []
            for k in range(steps + 1):
                ms = page.evaluate(STEP_JS, [STEP_TIMEOUT_MS])
                if k:  # the first Step warms up
                    times.append(ms / 1000)
                page.wait_for_timeout(100)
            return times
        finally:
            browser.close()


def time_in_process(steps: int) -> dict[str, float]:
    """Median seconds, on the dashboard's first classroom in this process, of
    the model's step alone and of the page's drawing in Python (snapshot,
    charts and cards) after it."""
    from experiments.classroom import charts
    from experiments.classroom.dashboard import initial_settings, kpi_cards_html, model_params
    from experiments.classroom.lesson import Classroom

    room = Classroom(**initial_settings(model_params()))
    picture = charts.network_picture(room.network_sample)
    model, drawing = [], []
    for _ in range(steps + 1):
        started = time.perf_counter()
        room.step()
        stepped = time.perf_counter()
        snap = room.snapshot()
        for draw in (charts.loyalty_states_chart, charts.profit_chart, charts.retention_chart):
            draw(snap)
        charts.disconfirmation_chart(snap)
        charts.network_chart(snap, picture, snap.firms[snap.focal_index])
        kpi_cards_html(snap)
        drawing.append(time.perf_counter() - stepped)
        model.append(stepped - started)
    return {"model_s": statistics.median(model[1:]), "drawing_s": statistics.median(drawing[1:])}


def measure(quick: bool, steps: int | None = None) -> dict[str, Any]:
    steps = steps or (QUICK_STEPS if quick else STEPS)
    load_before = os.getloadavg()
    with dashboard_server() as url:
        walls = time_browser_steps(url, steps)
    load_after = os.getloadavg()
    return {
        "quick": quick,
        "steps": steps,
        "walls": walls,
        "step_s": statistics.median(walls),
        **time_in_process(steps),
        "cores": os.cpu_count() or 1,
        "load": (load_before[0], load_after[0]),
    }


def markdown(m: dict[str, Any]) -> str:
    status = "met" if m["step_s"] <= TARGET_S else "NOT met"
    rest = m["step_s"] - m["model_s"] - m["drawing_s"]
    return "\n".join(
        [
            "# One Step of the trainer's dashboard",
            "",
            f"The default lesson (2,000 customers, seed 0) in headless chromium at "
            f"{VIEWPORT['width']} x {VIEWPORT['height']}; median of {m['steps']} Step(s)"
            + (" (quick run)" if m["quick"] else "")
            + f", on {m['cores']} cores, load average {m['load'][0]:.1f} before and {m['load'][1]:.1f} after.",
            "",
            "| measure | median |",
            "|---|---|",
            f"| one Step in the browser: click to painted page | {m['step_s']:.3f} s "
            f"(target <= {TARGET_S} s: {status}) |",
            f"| the model's step alone, both twins (baseline) | {m['model_s'] * 1000:.1f} ms |",
            f"| the page's drawing in Python: snapshot, 5 charts, cards | {m['drawing_s'] * 1000:.1f} ms |",
            f"| the rest: Solara, websocket, the browser's drawing | {rest * 1000:.0f} ms |",
            f"| Steps | {', '.join(f'{w:.3f}' for w in m['walls'])} s |",
            "",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.classroom_step", description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=None, help=f"Steps timed (median; default {STEPS})")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_STEPS} Steps")
    parser.add_argument("--out", default=str(Path(__file__).parent), help="folder of classroom_step.md")
    args = parser.parse_args(argv)
    if args.steps is not None and args.steps < 1:
        print(f"error: --steps = {args.steps}: must be at least 1", file=sys.stderr)
        return 2
    text = markdown(measure(args.quick, args.steps))
    print(text)
    from experiments.running.outputs import write_text

    write_text(Path(args.out) / "classroom_step.md", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
