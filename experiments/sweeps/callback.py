"""What a sweep did, printed when it ends (a Hydra callback).

Hydra runs the jobs of ``loyalty-sim -m ...`` through its launcher; each job
records its status in its folder (:mod:`experiments.sweeps.jobs`). When the sweep
ends, :class:`SweepSummary` counts finished and failed jobs, names the
failures with their one-line errors, writes the sweep report
(:mod:`experiments.sweeps.report`) when any job finished, and ends with exit
status 1 if any job failed (after all the others ran).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback

from experiments.sweeps.jobs import STATUS, read_status


def sweep_statuses(sweep_dir: Path) -> dict[str, dict]:
    """Each job folder under ``sweep_dir`` (relative path) with its status."""
    sweep_dir = Path(sweep_dir)
    return {str(p.parent.relative_to(sweep_dir)): read_status(p.parent) for p in sorted(sweep_dir.rglob(STATUS))}


class SweepSummary(Callback):
    """Print the jobs' outcome at the end of a multirun; write the sweep report."""

    def on_multirun_end(self, config: Any, **kwargs: Any) -> None:
        sweep_dir = Path(str(config.hydra.sweep.dir))
        statuses = sweep_statuses(sweep_dir)
        failed = {job: s for job, s in statuses.items() if s.get("status") == "failed"}
        finished = len(statuses) - len(failed)
        print(f"\nsweep {sweep_dir}: {finished} job(s) finished, {len(failed)} failed")
        for job, status in failed.items():
            print(f"  failed: {job}: {status.get('error', '?')} (see {sweep_dir / job / 'error.txt'})", file=sys.stderr)
        if finished:
            from experiments.sweeps.report import main as report

            report([str(sweep_dir)])
        if failed:
            raise SystemExit(1)  # the sweep went on, but it did not all succeed
