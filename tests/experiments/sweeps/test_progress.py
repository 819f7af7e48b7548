"""Progress over a whole sweep or optimisation (experiments/sweeps/progress.py):
jobs marked done wherever they ran, counted and shown in the main process."""

from __future__ import annotations

import io
import time

from experiments.sweeps.progress import SweepProgress, count_done, done_dir, mark_done, progress_line


def test_the_line_shows_jobs_done_of_the_total_elapsed_and_left():
    line = progress_line(3, 12, 62.0)
    assert line.startswith("sweep |") and "3/12 jobs done (25%)" in line
    assert "01:02 elapsed" in line and "about 03:06 left" in line  # 9 more at 20.7 s each
    last = progress_line(12, 12, 250.0, "optimisation", "trial")
    assert "12/12 trials done (100%)" in last and "04:10 elapsed" in last and "left" not in last
    assert progress_line(2, None, 5.0) == "sweep: 2 jobs done, 00:05 elapsed"  # total unknown


def test_jobs_marked_done_are_counted_once_each_and_a_line_printed_per_job(tmp_path):
    clock = iter([0.0, 10.0, 20.0, 30.0, 40.0])
    out = io.StringIO()
    progress = SweepProgress(tmp_path, 4, stream=out, clock=lambda: next(clock))
    progress.started = 0.0
    assert progress.check() is None  # nothing done yet: nothing printed
    mark_done(tmp_path, 0)
    mark_done(tmp_path, 0)  # a job marks itself once however often its end is reported
    mark_done(tmp_path, "3")
    assert count_done(tmp_path) == 2
    assert "2/4 jobs done (50%)" in progress.check()
    assert "1/4 jobs done (25%)" in out.getvalue()  # two jobs ended within one count: a line each
    assert progress.check() is None  # no change, no line
    mark_done(tmp_path, 1)
    assert "3/4 jobs done (75%)" in progress.check()
    assert out.getvalue().count("\n") == 3


def test_the_watcher_prints_as_jobs_end_and_clears_its_marks(tmp_path, monkeypatch):
    import experiments.sweeps.progress as module

    monkeypatch.setattr(module, "POLL_SECONDS", 0.01)
    mark_done(tmp_path, 7)  # left by an earlier run into the same folder: forgotten at the start
    out = io.StringIO()
    progress = SweepProgress(tmp_path, 2, stream=out).start()
    for job in (0, 1):
        mark_done(tmp_path, job)
    deadline = time.monotonic() + 5
    while "2/2 jobs done" not in out.getvalue() and time.monotonic() < deadline:
        time.sleep(0.01)  # the thread counts every POLL_SECONDS
    seen_by_the_thread = out.getvalue()
    progress.stop()
    assert "2/2 jobs done (100%)" in seen_by_the_thread and "3/2" not in out.getvalue()
    assert not done_dir(tmp_path).exists() and not done_dir(tmp_path).parent.exists()


def test_a_job_ending_in_a_sweep_marks_itself_done(tmp_path):
    from hydra.types import RunMode
    from omegaconf import OmegaConf

    from experiments.sweeps.callback import SweepSummary

    def config(mode, num):
        return OmegaConf.create({"hydra": {"mode": mode, "sweep": {"dir": str(tmp_path)}, "job": {"num": num}}})

    SweepSummary().on_job_end(config(RunMode.MULTIRUN, 4), job_return=None)
    SweepSummary().on_job_end(config(RunMode.RUN, 5), job_return=None)  # a single run is no sweep
    SweepSummary(progress=False).on_job_end(config(RunMode.MULTIRUN, 6), job_return=None)  # no progress wanted
    assert sorted(p.name for p in done_dir(tmp_path).iterdir()) == ["4"]


def test_the_callbacks_hand_no_thread_to_a_launchers_workers(tmp_path):
    import pickle

    from experiments.analysis.optimise import OptimisationReport
    from experiments.sweeps.callback import SweepSummary

    for callback in (SweepSummary(), OptimisationReport(progress=False)):
        callback._bar = SweepProgress(tmp_path, 3).start()
        copy = pickle.loads(pickle.dumps(callback))  # what joblib sends a worker process
        assert copy._bar is None and copy.progress == callback.progress
        callback._bar.stop()
