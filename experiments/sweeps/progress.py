"""Progress over a whole sweep or optimisation: jobs done of the total.

Each job, wherever the launcher runs it (Hydra's joblib workers, Ray,
submitit, or the main process), marks itself done when it ends, with a
file ``<sweep>/.sweep/done/<job number>`` (:func:`mark_done`, from the
callbacks' ``on_job_end``). In the app's main process a
:class:`SweepProgress` counts the marks twice a second and prints a line
with tqdm's meter for each job counted since the last count::

    sweep |██▌       | 3/12 jobs done (25%), 01:02 elapsed, about 03:06 left

A line per finished job, not a bar redrawn in place: the jobs print their own
tables to the same terminal meanwhile, and a bar redrawn in place would be
torn by them; a line also reads well in a log file. As everywhere in the
project (``experiment.progress``, ``map.progress``), a setting turns it off
(``progress`` of the callback: ``hydra.callbacks.sweep_summary.progress=false``,
``hydra.callbacks.optimisation_report.progress=false``).
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, TextIO

from experiments.sweeps.plan import PLAN_DIR

DONE_DIR = "done"
#: seconds between two counts of the marks
POLL_SECONDS = 0.5


def done_dir(sweep_dir: str | Path) -> Path:
    return Path(sweep_dir) / PLAN_DIR / DONE_DIR


def mark_done(sweep_dir: str | Path, job: Any) -> None:
    """Mark job ``job`` (its number) of the sweep in ``sweep_dir`` done."""
    folder = done_dir(sweep_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / str(job)).touch()
    except OSError:
        pass  # progress is never worth failing a job


def count_done(sweep_dir: str | Path) -> int:
    """How many jobs of the sweep are marked done."""
    try:
        return sum(1 for _ in done_dir(sweep_dir).iterdir())
    except OSError:
        return 0


def progress_line(done: int, total: int | None, elapsed: float, label: str = "sweep", unit: str = "job") -> str:
    """tqdm's meter as one line: the bar, ``done/total <unit>s done (pct)``,
    the time elapsed and, until the last, the time left at the pace so far."""
    from tqdm import tqdm

    if total:
        left = ", about {remaining} left" if done < total else ""
        fmt = "{desc} |{bar}| {n_fmt}/{total_fmt} " + unit + "s done ({percentage:.0f}%), {elapsed} elapsed" + left
    else:
        fmt = "{desc}: {n_fmt} " + unit + "s done, {elapsed} elapsed"
    return tqdm.format_meter(done, total or None, elapsed, prefix=label, unit=unit, bar_format=fmt)


class SweepProgress:
    """Counts the jobs marked done in a sweep folder and prints a progress
    line for each job that ended (in a thread of the app's main process)."""

    def __init__(
        self,
        sweep_dir: str | Path,
        total: int | None,
        label: str = "sweep",
        unit: str = "job",
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sweep_dir = Path(sweep_dir)
        self.total = total
        self.label, self.unit = label, unit
        self.stream = stream
        self.clock = clock
        self.started = clock()
        self.shown = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> SweepProgress:
        """Forget the marks of an earlier run into the folder; count in a thread."""
        shutil.rmtree(done_dir(self.sweep_dir), ignore_errors=True)
        self.started = self.clock()
        self._thread = threading.Thread(target=self._watch, name="sweep-progress", daemon=True)
        self._thread.start()
        return self

    def check(self) -> str | None:
        """Count the marks; print a line for each job done since the last
        count (jobs of one batch often end within one poll) and return the
        last, or None when no job has ended."""
        done = count_done(self.sweep_dir)
        if done <= self.shown:
            return None
        elapsed = self.clock() - self.started
        lines = [progress_line(n, self.total, elapsed, self.label, self.unit) for n in range(self.shown + 1, done + 1)]
        self.shown = done
        print("\n".join(lines), file=self.stream or sys.stderr, flush=True)
        return lines[-1]

    def stop(self) -> None:
        """Stop counting (a last count first) and remove the marks."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.check()
        shutil.rmtree(done_dir(self.sweep_dir), ignore_errors=True)
        try:
            done_dir(self.sweep_dir).parent.rmdir()  # (only if nothing else, such as a plan, is kept there)
        except OSError:
            pass

    def _watch(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            try:
                self.check()
            except Exception:  # noqa: BLE001 - a progress line is never worth stopping a sweep
                pass


class ProgressCallback:
    """What the sweep's and the optimiser's Hydra callbacks share: a
    :class:`SweepProgress` started in the main process, each job marking
    itself done where it ends (:func:`mark_done`), the line stopped before
    the summary.

    Args:
        progress: print a progress line as jobs finish (false: none).
    """

    def __init__(self, progress: bool = True) -> None:
        self.progress = bool(progress)
        self._bar: SweepProgress | None = None

    def __getstate__(self) -> dict:
        """What a launcher's worker process gets (the progress thread stays here)."""
        return {**self.__dict__, "_bar": None}

    def start_progress(self, sweep_dir: Path, total: int | None, label: str, unit: str) -> None:
        """Start the progress line over ``total`` jobs (unknown: None)."""
        if self.progress:
            self._bar = SweepProgress(sweep_dir, total, label, unit).start()

    def on_job_end(self, config: Any, job_return: Any = None, **kwargs: Any) -> None:
        from hydra.types import RunMode

        if self.progress and config.hydra.mode == RunMode.MULTIRUN:
            mark_done(Path(str(config.hydra.sweep.dir)), config.hydra.job.num)

    def stop_progress(self) -> None:
        """Stop the progress line (before the summary is printed)."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
