"""Progress of a test run: a line every few tests with the count, the time
elapsed and an estimate of the time left.

The estimate adds up how long each remaining test took the last time it ran
here (pytest's cache, ``.pytest_cache``), scaled by how fast this run goes so
far against the last one (a busy machine runs slower) and divided among the
worker processes (pytest-xdist, ``-n``); tests that never ran count at the
mean time of those that did. Without a record of earlier runs the estimate
is the mean time per test so far times the tests left.

A line is printed after every :data:`EVERY` finished tests, and after a test
that finishes :data:`QUIET` seconds or more after the last line (so a run of
slow tests still shows it is alive).
"""

from __future__ import annotations

import time

import pytest

#: a progress line after this many finished tests ...
EVERY = 25
#: ... or when this many seconds have passed since the last one
QUIET = 30.0
#: where the durations of the last run are kept in pytest's cache
CACHE_KEY = "loyalty-sim/durations"


def _clock(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    minutes, s = divmod(seconds, 60)
    return f"{minutes}m{s:02d}s" if minutes else f"{s}s"


class Progress:
    """Counts finished tests and prints a progress line now and then."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.cache = getattr(config, "cache", None)
        self.previous: dict[str, float] = dict(self.cache.get(CACHE_KEY, {})) if self.cache else {}
        self.durations: dict[str, float] = {}
        self.pending: list[str] = []
        self.finished: set[str] = set()
        self.workers = 0
        self.started = time.monotonic()
        self.last_line = self.started
        self.last_count = 0

    # ------------------------------------------------------------------ hooks
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        if session.items:  # none on the xdist controller
            self.workers = 1
            self._collected([item.nodeid for item in session.items])

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node, ids) -> None:
        """On the xdist controller: every worker collects the same tests."""
        self.workers += 1
        self._collected(list(ids))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.durations[report.nodeid] = self.durations.get(report.nodeid, 0.0) + report.duration
        if report.when == "teardown":
            self.finished.add(report.nodeid)
            self._maybe_print()

    def pytest_sessionfinish(self) -> None:
        if self.cache is not None and self.durations:
            self.cache.set(CACHE_KEY, {**self.previous, **{i: round(d, 3) for i, d in self.durations.items()}})

    def _collected(self, ids: list[str]) -> None:
        if not self.pending:
            self.pending = list(ids)

    # ------------------------------------------------------------------ the estimate
    def left(self, elapsed: float) -> float | None:
        """Seconds left, or None before any test finished."""
        done = len(self.finished)
        if not done:
            return None
        remaining = [i for i in self.pending if i not in self.finished]
        workers = max(1, self.workers)
        known_done = [i for i in self.finished if i in self.previous]
        if self.previous and known_done:
            mean = sum(self.previous.values()) / len(self.previous)
            expected = sum(self.previous.get(i, mean) for i in remaining)
            then = sum(self.previous[i] for i in known_done)
            now = sum(self.durations.get(i, 0.0) for i in known_done)
            speed = now / then if then > 0 else 1.0
            return expected * speed / workers
        return elapsed / done * len(remaining)

    def line(self) -> str:
        elapsed = time.monotonic() - self.started
        done, total = len(self.finished), max(len(self.pending), len(self.finished))
        left = self.left(elapsed)
        pct = f" ({100 * done // total}%)" if total else ""
        eta = f", about {_clock(left)} left" if left is not None and done < total else ""
        return f"[progress] {done}/{total} tests{pct}, {_clock(elapsed)} elapsed{eta}"

    def _maybe_print(self) -> None:
        now = time.monotonic()
        done = len(self.finished)
        if done - self.last_count < EVERY and now - self.last_line < QUIET and done < len(self.pending):
            return
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is None:
            return
        if reporter.currentfspath is None and reporter._tw.width_of_current_line:
            reporter.write("\n")  # after a row of dots (-q, xdist)
        reporter.write_line(self.line())
        self.last_line, self.last_count = now, done


def pytest_configure(config: pytest.Config) -> None:
    # on an xdist worker the controller reports; with --collect-only nothing runs
    if not hasattr(config, "workerinput") and not config.option.collectonly:
        config.pluginmanager.register(Progress(config), "loyalty-sim-progress")
