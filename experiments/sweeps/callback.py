"""What a sweep does before, while and after its jobs run (a Hydra callback).

Hydra runs the jobs of ``loyalty-sim -m ...`` through its launcher; each job
records its status in its folder (:mod:`experiments.sweeps.jobs`).
:class:`SweepSummary`

* when the sweep starts, lists its jobs and names their folders
  (:mod:`experiments.sweeps.plan`: ``<sweep>/.sweep/plan.json``, read by the
  ``job_dirname`` resolver and by each job's heading) and starts the
  progress line over the whole sweep (:mod:`experiments.sweeps.progress`);
* when a job ends (in whichever process ran it), marks it done;
* when the sweep ends, counts finished and failed jobs, names the failures
  with their one-line errors, writes the sweep report
  (:mod:`experiments.sweeps.report`) when any job finished, and ends with
  exit status 1 if any job failed (after all the others ran).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback

from experiments.sweeps.jobs import STATUS, read_status
from experiments.sweeps.progress import ProgressCallback


def sweep_statuses(sweep_dir: Path) -> dict[str, dict]:
    """Each job folder under ``sweep_dir`` (relative path) with its status."""
    sweep_dir = Path(sweep_dir)
    return {str(p.parent.relative_to(sweep_dir)): read_status(p.parent) for p in sorted(sweep_dir.rglob(STATUS))}


def plan_sweep(config: Any) -> Any:
    """The plan of the multirun of ``config`` (the main process's config,
    whose ``hydra.overrides.task`` holds the command line's sweeps), written
    into its sweep folder; None if Hydra's basic sweeper does not run it or
    its jobs cannot be listed here (the jobs then name their folders by all
    their overrides)."""
    from hydra.core.global_hydra import GlobalHydra
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from omegaconf import OmegaConf

    from experiments.sweeps.plan import given_values, make_plan, sweep_overrides, write_plan

    sweeper = OmegaConf.to_container(config.hydra.sweeper, resolve=True)
    if not str(sweeper.get("_target_", "")).endswith("BasicSweeper"):
        return None
    arguments = [str(a) for a in config.hydra.overrides.task]
    loader = GlobalHydra.instance().config_loader() if GlobalHydra.instance().is_initialized() else None
    try:
        jobs = sweep_overrides(arguments, sweeper.get("params"), loader)
    except Exception:  # noqa: BLE001 - Hydra reports a sweep it cannot expand itself
        return None
    exclude = list(config.hydra.job.config.override_dirname.exclude_keys or [])
    sweep_dir = Path(str(config.hydra.sweep.dir))
    plan = make_plan(jobs, exclude, given_values(arguments, OverridesParser.create(config_loader=loader)), sweep_dir)
    write_plan(sweep_dir, plan)
    return plan


class SweepSummary(ProgressCallback, Callback):
    """Plan the sweep and show its progress; print the jobs' outcome at the
    end of a multirun and write the sweep report.

    Args:
        progress: print a progress line over the whole sweep as jobs finish
            (``hydra.callbacks.sweep_summary.progress=false``: none).
    """

    def on_multirun_start(self, config: Any, **kwargs: Any) -> None:
        plan = plan_sweep(config)
        total = plan.total if plan is not None else None
        self.start_progress(Path(str(config.hydra.sweep.dir)), total, "sweep", "job")

    def on_multirun_end(self, config: Any, **kwargs: Any) -> None:
        self.stop_progress()
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
