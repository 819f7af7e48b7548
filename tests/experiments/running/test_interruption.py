"""Ctrl-C, killed runs and worker processes: runs stop cleanly, leave no
temporary files and no processes behind.

The apps run as a user runs them (console scripts in their own session, so
that their process group can be searched for processes left behind); Ctrl-C
is SIGINT sent to the whole process group, as a terminal sends it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import pandas as pd
import pytest

from experiments.running.interruption import EXIT_INTERRUPTED
from experiments.sweeps.jobs import is_finished, read_status, record_interrupted, running_job
from experiments.running.outputs import atomic_path, claim, remove_stray_temporaries

ROOT = Path(__file__).resolve().parents[3]
ENV = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "PYTHONPATH": str(ROOT)}
#: a small market whose replications take long enough to be interrupted
#: runs far longer than any test waits (a loaded machine must not finish them before Ctrl-C comes);
#: each stops at the Ctrl-C
LONG = [
    "experiment.replications=4",
    "experiment.workers=2",
    "market.n_customers=700",
    "market.burn_in=30",
    "market.steps=20000",
]
#: a tiny experiment that finishes in seconds
TINY = [
    "experiment.replications=2",
    "experiment.progress=false",
    "market.n_customers=300",
    "market.burn_in=4",
    "market.steps=6",
]

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def command(script: str, module: str) -> list[str]:
    """The console script ``script`` of the venv, or ``python -m module``."""
    path = Path(sys.executable).with_name(script)
    return [str(path)] if path.exists() else [sys.executable, "-m", module]


def _as_from_a_terminal() -> None:
    """In the child, before the app starts: Ctrl-C as a terminal delivers
    it. A shell starts a background job (``cmd &``) with SIGINT ignored,
    and an ignored signal stays ignored across exec, so a suite run in the
    background would otherwise start every app deaf to Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(cmd: list[str], cwd: Path, log: Path) -> subprocess.Popen:
    """Start ``cmd`` in a new session (its own process group), as from a
    terminal (:func:`_as_from_a_terminal`); stdout and stderr go to files,
    so the test can read them while it runs."""
    with open(log.with_suffix(".out"), "w") as out, open(log.with_suffix(".err"), "w") as err:
        proc = subprocess.Popen(
            cmd, cwd=cwd, env=ENV, start_new_session=True, stdout=out, stderr=err, preexec_fn=_as_from_a_terminal
        )
    proc.err_path = log.with_suffix(".err")  # type: ignore[attr-defined]
    return proc


def live_processes(pgid: int) -> list[str]:
    """The command lines of the processes of group ``pgid`` that still run
    (an exited process waiting to be reaped by init is not counted)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                found.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except (OSError, IndexError, ValueError):
            continue
    return found


def wait_for(condition: Callable[[], object], timeout: float, what: str, proc: subprocess.Popen | None = None):
    """Poll ``condition`` until it holds; fail after ``timeout`` seconds (or if ``proc`` ends first)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"the process ended (status {proc.returncode}) before {what}")
        time.sleep(0.05)
    pytest.fail(f"no {what} after {timeout} s")


def no_process_left(pgid: int, timeout: float = 10) -> bool:
    """True once no process of group ``pgid`` runs (within ``timeout`` s)."""
    deadline = time.monotonic() + timeout
    while live_processes(pgid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def cpu_seconds(pid: int) -> float:
    """The CPU time process ``pid`` has used so far (user + system)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _stderr(proc: subprocess.Popen) -> str:
    return proc.err_path.read_text()  # type: ignore[attr-defined]


def last_line(text: str) -> str:
    lines = [line for line in text.replace("\r", "\n").splitlines() if line.strip()]
    return lines[-1] if lines else ""


def temporaries(folder: Path) -> list[Path]:
    return list(folder.rglob(".tmp-*"))


def loky_workers(pgid: int) -> list[str]:
    return [c for c in live_processes(pgid) if "LokyProcess" in c]


# --------------------------------------------------------------------------- Ctrl-C
@pytest.mark.slow
@pytest.mark.parametrize("to", ["process group", "main process"])
def test_ctrl_c_stops_cleanly_marks_the_run_interrupted_and_leaves_no_workers(tmp_path, to):
    """Ctrl-C while the workers run replications: one line, status
    interrupted, exit 130, no temporary file, no process left (SIGINT to the
    whole group as a terminal sends it, or ``kill -INT`` to the app alone)."""
    folder = tmp_path / "run"
    proc = start(
        [*command("loyalty-sim", "experiments.running.app"), *LONG, f"hydra.run.dir={folder}"],
        tmp_path,
        tmp_path / "log",
    )
    # the workers start or run replications by the time Ctrl-C comes
    err = _interrupt_when(
        proc,
        lambda: "replication" in _stderr(proc) and len(loky_workers(proc.pid)) == 2,
        "progress bar and two worker processes",
        settle=1.0,
        whole_group=to == "process group",
    )
    assert proc.returncode == EXIT_INTERRUPTED, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert last_line(err) == f"interrupted: {folder} (status: interrupted)"
    status = read_status(folder)
    assert status["status"] == "interrupted" and status["config_hash"]
    assert not is_finished(folder, status["config_hash"])  # a sweep re-run redoes it
    assert not (folder / "runs.parquet").exists()
    assert temporaries(folder) == []
    assert no_process_left(proc.pid), live_processes(proc.pid)


def _sweep(tmp_path: Path, steps: str, *extra: str) -> tuple[subprocess.Popen, Path]:
    sweep = tmp_path / "sweep"
    args = [
        "-m",
        *TINY[:-1],
        "experiment.workers=1",
        "experiment.figures=false",
        f"market.steps={steps}",
        f"hydra.sweep.dir={sweep}",
        *extra,
    ]
    return start([*command("loyalty-sim", "experiments.running.app"), *args], tmp_path, tmp_path / "log"), sweep


def _job(sweep: Path, steps: int) -> Path:
    return sweep / f"steps={steps}"  # a job's folder is named by its swept value (experiments/sweeps/plan.py)


def _interrupt_when(
    proc: subprocess.Popen, ready: Callable[[], object], what: str, settle: float = 1.5, whole_group: bool = True
) -> str:
    """Ctrl-C ``settle`` seconds after ``ready`` holds, to the whole process
    group as a terminal sends it (or ``kill -INT`` to the app alone); return
    stderr after the app has ended."""
    try:
        wait_for(ready, 120, what, proc)
        time.sleep(settle)
        (os.killpg if whole_group else os.kill)(proc.pid, signal.SIGINT)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    return _stderr(proc)


@pytest.mark.slow  # a sweep (make test-fast leaves the sweeps out)
def test_ctrl_c_in_a_sweep_marks_the_jobs_its_launcher_workers_ran_interrupted(tmp_path):
    """The default launcher runs a sweep's jobs in worker processes, which
    Ctrl-C kills: the app marks the job that was running interrupted, keeps the
    finished one, says so in one line and leaves no process."""
    proc, sweep = _sweep(tmp_path, "6,30000")
    err = _interrupt_when(
        proc,
        lambda: read_status(_job(sweep, 6)).get("status") == "finished" and (_job(sweep, 30000) / ".hydra").is_dir(),
        "second job running alone",
    )
    assert proc.returncode == EXIT_INTERRUPTED, err
    assert "Traceback" not in err, err
    assert last_line(err) == f"interrupted: {_job(sweep, 30000)} (status: interrupted)"
    assert err.count("interrupted:") == 1
    assert read_status(_job(sweep, 6))["status"] == "finished"
    assert read_status(_job(sweep, 30000))["status"] == "interrupted"
    assert temporaries(sweep) == []
    assert no_process_left(proc.pid), live_processes(proc.pid)


@pytest.mark.slow  # a sweep (make test-fast leaves the sweeps out)
def test_ctrl_c_in_a_sequential_sweep_stops_it_and_marks_the_current_job_interrupted(tmp_path):
    """Jobs one after the other in the app's process: Ctrl-C in the second
    marks it interrupted and the third never starts."""
    proc, sweep = _sweep(tmp_path, "6,30000,7", "hydra/launcher=basic")
    err = _interrupt_when(proc, lambda: (_job(sweep, 30000) / ".hydra").is_dir(), "second job started")
    assert proc.returncode == EXIT_INTERRUPTED, err
    assert "Traceback" not in err, err
    assert last_line(err) == f"interrupted: {_job(sweep, 30000)} (status: interrupted)"
    assert read_status(_job(sweep, 6))["status"] == "finished"
    assert read_status(_job(sweep, 30000))["status"] == "interrupted"
    assert not _job(sweep, 7).exists()
    assert temporaries(sweep) == []
    assert no_process_left(proc.pid), live_processes(proc.pid)


#: the other Hydra apps, each configured to run long: console script, module, arguments
OTHER_APPS = {
    "sensitivity": (
        "loyalty-sim-sensitivity",
        "experiments.analysis.sensitivity",
        [
            "market.n_customers=300",
            "market.burn_in=10",
            "market.steps=3000",
            "experiment.replications=2",
            "sensitivity.samples=40",
            "sensitivity.workers=1",
            "sensitivity.difference_from=null",
            "sensitivity.scenario=null",
            "sensitivity.parameters=[{key: market.firms.0.price, lo: 0.9, hi: 1.1}]",
        ],
    ),
    "calibrate": (
        "loyalty-sim-calibrate",
        "experiments.analysis.calibration.cli",
        [
            "calibration.trials=5000",
            "calibration.n_customers=3000",
            "calibration.burn_in=10",
            "calibration.replications=1",
            "calibration.forecast_replications=1",
            "calibration.figures=false",
        ],
    ),
    "map": (
        "loyalty-sim-map",
        "experiments.analysis.strategy_map",
        [
            "market.n_customers=300",
            "market.burn_in=10",
            "experiment.replications=2",
            "map.workers=1",
            "map.levels=2",
            "map.conditions=[{key: market.steps, lo: 2000, hi: 3000}, {key: market.firms.1.price, lo: 0.8, hi: 0.9}]",
        ],
    ),
    "optimise": (
        "loyalty-sim-optimise",
        "experiments.analysis.optimise",
        [
            "hydra.mode=RUN",
            "market.n_customers=700",
            "market.burn_in=30",
            "market.steps=30000",
            "experiment.replications=2",
            "experiment.workers=1",
        ],
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(OTHER_APPS))
def test_ctrl_c_stops_the_other_apps_with_one_line_and_marks_their_folder_interrupted(tmp_path, name):
    script, module, args = OTHER_APPS[name]
    folder = tmp_path / "run"
    proc = start([*command(script, module), *args, f"hydra.run.dir={folder}"], tmp_path, tmp_path / "log")
    err = _interrupt_when(proc, lambda: (folder / ".hydra" / "overrides.yaml").exists(), "job started")
    assert proc.returncode == EXIT_INTERRUPTED, err
    assert "Traceback" not in err, err
    assert last_line(err) == f"interrupted: {folder} (status: interrupted)"
    assert read_status(folder)["status"] == "interrupted"
    assert temporaries(folder) == []
    assert no_process_left(proc.pid), live_processes(proc.pid)


@pytest.mark.slow
def test_ctrl_c_stops_loyalty_market_with_one_line_and_writes_nothing(tmp_path):
    out = tmp_path / "outputs"
    args = ["market.n_customers=4000", "market.burn_in=10", "market.steps=30000", f"output_dir={out}"]
    proc = start([*command("loyalty-market", "experiments.cli.market"), *args], ROOT, tmp_path / "log")
    # start-up and composing the config take about 1.5 s of CPU: past 5 s the market is simulated
    err = _interrupt_when(proc, lambda: cpu_seconds(proc.pid) > 5.0, "5 s of CPU time", settle=0.0)
    assert proc.returncode == EXIT_INTERRUPTED, err
    assert "Traceback" not in err, err
    assert last_line(err) == f"interrupted: {out} (nothing written)"
    assert not out.exists() or [p for p in out.rglob("*")] == []
    assert no_process_left(proc.pid), live_processes(proc.pid)


@pytest.mark.slow
def test_ctrl_c_stops_loyalty_sim_validate_with_one_line_and_writes_nothing(tmp_path):
    """The validation report runs its replications in worker processes; Ctrl-C
    while they run stops it with one line naming the report, exit status 130,
    nothing written (no report, no Hydra folder or log) and no process left."""
    work, logs = tmp_path / "work", tmp_path / "logs"
    work.mkdir()
    logs.mkdir()
    out = work / "validation.md"
    args = ["only=[quality.fewer_complaints]", "n_customers=50000", "replications=4", "workers=2", f"output={out}"]
    proc = start([*command("loyalty-sim-validate", "experiments.validation.report"), *args], work, logs / "log")
    err = _interrupt_when(proc, lambda: "validate: 1 experiments" in _stderr(proc), "the experiments started")
    assert proc.returncode == EXIT_INTERRUPTED, err
    assert "Traceback" not in err, err
    assert last_line(err) == f"interrupted: {out} (nothing written)"
    assert list(work.rglob("*")) == []
    assert no_process_left(proc.pid), live_processes(proc.pid)


def test_ctrl_c_while_loyalty_market_writes_removes_the_partial_results(tmp_path, monkeypatch, capsys):
    """Ctrl-C arriving while the files are written (here: raised by the figure
    writer) removes the staging folder and every folder the run created."""
    import experiments.running.outputs as outputs
    from experiments.cli.market import compose_config, run

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(outputs, "save_figure", interrupted)
    out = tmp_path / "deep" / "outputs"
    cfg = compose_config(["market.n_customers=300", "market.burn_in=2", "market.steps=3", f"output_dir={out}"])
    with pytest.raises(SystemExit) as stop:
        run(cfg)
    assert stop.value.code == EXIT_INTERRUPTED
    assert last_line(capsys.readouterr().err) == f"interrupted: {out} (partial results removed)"
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- temporary files
@pytest.mark.slow  # a sweep (make test-fast leaves the sweeps out)
def test_a_resumed_sweep_removes_stray_temporary_files_but_not_one_being_written(tmp_path):
    """Temporary files of a killed run (a 0-byte, mode-0600 Parquet file, a
    status, a figure) are removed when the sweep is re-run into the folder,
    although the finished job is skipped; one a live process is writing stays."""
    sweep = tmp_path / "sweep"
    args = ["-m", *TINY, "experiment.workers=1", "hydra/launcher=basic", f"hydra.sweep.dir={sweep}"]
    cmd = [*command("loyalty-sim", "experiments.running.app"), *args]
    first = subprocess.run(cmd, cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    (job,) = [p.parent for p in sweep.glob("*/status.json")]
    runs = pd.read_parquet(job / "runs.parquet")
    stray = [job / ".tmp-runs-abc.parquet", job / ".tmp-status-x.json", job / "figures" / ".tmp-report-y.png"]
    for path in stray:
        path.touch(mode=0o600)
    live = job / ".tmp-steps-live.parquet"
    live.touch(mode=0o600)
    held = claim(live)  # as a writer does while it writes
    try:
        again = subprocess.run(cmd, cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=120)
    finally:
        os.close(held)
    assert again.returncode == 0, again.stderr
    assert "finished in an earlier run of this sweep, skipped" in again.stdout
    assert [p for p in stray if p.exists()] == []
    assert live.exists()
    assert read_status(job)["status"] == "finished"
    pd.testing.assert_frame_equal(pd.read_parquet(job / "runs.parquet"), runs)
    assert (job / "report.md").stat().st_size > 0 and len(list((job / "figures").glob("*.png"))) >= 3


def test_a_temporary_file_is_stray_only_once_its_writer_is_dead(tmp_path):
    """A writer killed with SIGKILL while writing leaves its temporary file;
    while the writer lives the file is not touched, once it is dead it is removed."""
    target = tmp_path / "runs.parquet"
    code = (
        "import sys, time\n"
        "from experiments.running.outputs import atomic_path\n"
        f"with atomic_path({str(target)!r}) as tmp:\n"
        "    tmp.write_bytes(b'half')\n"
        "    print(tmp, flush=True)\n"
        "    time.sleep(120)\n"
    )
    writer = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=ENV, stdout=subprocess.PIPE, text=True)
    try:
        tmp = Path(writer.stdout.readline().strip())
        assert tmp.name.startswith(".tmp-runs-") and tmp.exists()
        assert remove_stray_temporaries(tmp_path) == [] and tmp.exists()
    finally:
        writer.kill()
        writer.wait(timeout=30)
    assert tmp.exists()  # kill -9: nothing could remove it
    assert remove_stray_temporaries(tmp_path) == [tmp]
    assert not tmp.exists() and not target.exists()


def test_writing_locks_its_temporary_file_until_it_is_renamed(tmp_path):
    with atomic_path(tmp_path / "a.csv") as tmp:
        tmp.write_text("x\n")
        assert remove_stray_temporaries(tmp_path) == []
        with pytest.raises(BlockingIOError):
            os.close(claim(tmp))
    assert (tmp_path / "a.csv").read_text() == "x\n"
    assert list(tmp_path.iterdir()) == [tmp_path / "a.csv"]


def test_each_job_cleans_only_its_own_folder(tmp_path):
    mine, other = tmp_path / "a=1", tmp_path / "a=2"
    for folder in (mine, other, tmp_path):
        (folder / "figures").mkdir(parents=True, exist_ok=True)
        (folder / ".tmp-runs-x.parquet").touch()
        (folder / "figures" / ".tmp-f-x.png").touch()
    removed = remove_stray_temporaries(mine)
    assert sorted(removed) == sorted([mine / ".tmp-runs-x.parquet", mine / "figures" / ".tmp-f-x.png"])
    assert len(list(other.rglob(".tmp-*"))) == 2 and (tmp_path / ".tmp-runs-x.parquet").exists()


def test_loyalty_market_removes_staging_folders_of_killed_runs(tmp_path):
    """A staging folder left by a killed loyalty-market run (any day) goes at
    the next run into the same output folder; one being written stays."""
    import datetime as dt

    from experiments.cli.market import RUN_FILES, write_run
    from sim.model import LoyaltyModel

    stale = [tmp_path / "2024-05-06" / ".07-08-09-partial-abc", tmp_path / "2024-05-07" / ".10-11-12-partial-x"]
    for folder in stale:
        folder.mkdir(parents=True)
        (folder / "steps.parquet").write_bytes(b"half")
    live = tmp_path / "2024-05-07" / ".10-11-13-partial-y"
    live.mkdir()
    model = LoyaltyModel(n_customers=300, burn_in=2, steps=2)
    table = model.run()
    held = claim(live)
    try:
        final = write_run(
            tmp_path, table, model.summary(), model.cohort_survival(), "x: 1\n", now=dt.datetime(2024, 5, 7, 13, 0, 0)
        )
    finally:
        os.close(held)
    assert [p for p in stale if p.exists()] == []
    assert live.is_dir()
    assert sorted(p.name for p in final.iterdir()) == sorted(RUN_FILES)


# --------------------------------------------------------------------------- status and workers
def test_an_interrupted_job_is_not_finished_so_a_re_run_redoes_it(tmp_path):
    record_interrupted(tmp_path, "abc", 1.5)
    status = json.loads((tmp_path / "status.json").read_text())
    assert status["status"] == "interrupted" and status["config_hash"] == "abc"
    assert not is_finished(tmp_path, "abc")
    assert list(tmp_path.glob(".tmp-*")) == []


def _my_loky_workers() -> list[int]:
    me = str(os.getpid())
    found = []
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (entry / "cmdline").read_bytes()
        except (OSError, IndexError):
            continue
        if fields[1] == me and fields[0] != "Z" and b"LokyProcess" in cmdline:
            found.append(int(entry.name))
    return found


@pytest.mark.slow
def test_a_finished_job_leaves_no_worker_process_but_a_sweep_job_keeps_them_for_the_next(tmp_path):
    """Without the shutdown, joblib keeps its workers alive (for reuse) long
    after the job; a job of a sweep keeps them for the next job."""
    from experiments.running.app import compose_app
    from experiments.running.interruption import stop_workers
    from experiments.running.runner import experiment_config, run_experiment

    market, experiment = experiment_config(
        compose_app(
            [*TINY[:3], "market.burn_in=2", "market.steps=2", "experiment.workers=2", "experiment.figures=false"]
        )
    )
    try:
        with running_job(tmp_path / "sweep-job", "abc", keep_workers=True):
            run_experiment(market, experiment)
        assert len(_my_loky_workers()) == 2
        with running_job(tmp_path / "job", "abc"):
            run_experiment(market, experiment)
        assert _my_loky_workers() == []
    finally:
        stop_workers(kill=True)


def test_a_ctrl_c_inside_a_compiled_rule_while_a_market_is_built_stops_as_ctrl_c_does(capsys):
    """numba returns from a compiled rule with the KeyboardInterrupt pending,
    and Python raises a SystemError chained to it: outside a step (building
    a market) only the app's Ctrl-C handling sees it."""
    from experiments.running.interruption import stop_cleanly

    def build_interrupted():
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as pending:
            raise SystemError("<numba dispatcher> returned a result with an exception set") from pending

    with pytest.raises(SystemExit) as stopped:
        with stop_cleanly("outputs/run", lambda: "nothing written"):
            build_interrupted()
    assert stopped.value.code == EXIT_INTERRUPTED
    assert capsys.readouterr().err.strip() == "interrupted: outputs/run (nothing written)"
    with pytest.raises(SystemError, match="another fault"):
        with stop_cleanly("outputs/run"):
            raise SystemError("another fault")


#: a stand-in for numba's compiler: Python code in a numba module, busy for ``wait`` seconds after a Ctrl-C
_COMPILER_STAND_IN = """
def compile_rule(wait):
    import os, signal, time
    os.kill(os.getpid(), signal.SIGINT)
    started = time.monotonic()
    while time.monotonic() - started < wait:
        pass
    return "compiled"
"""


def test_a_ctrl_c_while_numba_compiles_lands_once_the_compiler_has_returned():
    """LLVM calls back into Python while numba compiles, and a Ctrl-C raised
    there crashed a fresh install's calibration (a segmentation fault, exit
    -11, instead of 130): the app now takes Ctrl-C only outside the
    compiler, a moment later; outside it at once. A process that ignores
    Ctrl-C (a worker) keeps ignoring it."""
    from experiments.running.interruption import sigint_outside_compiler

    compiler = {"__name__": "numba.core.compiler_stand_in"}
    exec(_COMPILER_STAND_IN, compiler)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        events = []
        with sigint_outside_compiler():
            try:
                events.append(compiler["compile_rule"](0.3))
                time.sleep(2.0)
                events.append("not interrupted")
            except KeyboardInterrupt:
                events.append("interrupted")
        assert events == ["compiled", "interrupted"]
        with sigint_outside_compiler(), pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(2.0)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        with sigint_outside_compiler():
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.2)
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)


def _sigint_in_this_worker() -> tuple[bool, bool]:
    """(SIGINT ignored, SIGINT blocked) in the process that runs this."""
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    return signal.getsignal(signal.SIGINT) is signal.SIG_IGN, signal.SIGINT in blocked


def test_workers_started_for_any_pool_ignore_ctrl_c_and_are_stopped_by_the_app():
    """A worker that took Ctrl-C itself would print its traceback before the
    app kills it (a validation run printed one): every worker ignores SIGINT."""
    from joblib import delayed

    from experiments.running.interruption import run_in_workers, stop_workers

    try:
        seen = run_in_workers((delayed(_sigint_in_this_worker)() for _ in range(4)), 2)
        lazily = list(run_in_workers((delayed(_sigint_in_this_worker)() for _ in range(2)), 2, return_as="generator"))
    finally:
        stop_workers(kill=True)
    assert [ignored for ignored, _ in seen + lazily] == [True] * 6
    assert not _sigint_in_this_worker()[1]  # the app's own thread takes Ctrl-C again


def test_every_pool_of_worker_processes_starts_through_run_in_workers():
    """joblib's Parallel is called in one place (run_in_workers): a pool
    started another way has workers that take Ctrl-C themselves."""
    callers = [
        str(path.relative_to(ROOT))
        for folder in ("sim", "agents", "strategies", "experiments", "benchmarks")
        for path in (ROOT / folder).rglob("*.py")
        if "Parallel(" in path.read_text(encoding="utf-8")
    ]
    assert callers == ["experiments/running/interruption.py"]
