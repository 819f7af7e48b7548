"""The status of a job's folder (finished, failed, interrupted, or not done), and
the running jobs every app marks interrupted on Ctrl-C (:func:`running_app`).

A job's ``status.json`` is written last, atomically, once all its result
files are in place: a folder without it holds no finished job, whatever else
it holds. It records the hash of the job's config, so that a sweep re-run
into the same folder skips exactly the jobs already finished with the same
config, and re-runs failed, interrupted (Ctrl-C) or changed ones.

A job runs inside :func:`running_job`: it first removes the temporary files a
killed run left in the folder, and Ctrl-C marks the job ``interrupted``. An
app's main process runs inside :func:`running_app`: a sweep's jobs that run
in a launcher's worker processes (Hydra's joblib launcher) are killed on
Ctrl-C before they could mark themselves, so they register while they run and
the main process marks the ones left over.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import multiprocessing
import os
import shutil
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any, Iterator

from experiments.running.interruption import sigint_ignored, stop_cleanly
from experiments.running.outputs import remove_stray_temporaries, write_text

STATUS = "status.json"
ERROR = "error.txt"
#: environment variable naming the folder where the app's running jobs register
#: (set by :func:`running_app`, inherited by a launcher's worker processes)
RUNNING_JOBS = "LOYALTY_SIM_RUNNING_JOBS"

#: keys that change how a job runs, not its results
_NOT_RESULTS = {("experiment", "workers"), ("experiment", "progress"), ("market", "engine")}


def config_hash(container: dict) -> str:
    """A hash of the config's result-relevant keys."""
    data = {
        k: ({kk: vv for kk, vv in v.items() if (k, kk) not in _NOT_RESULTS} if isinstance(v, dict) else v)
        for k, v in container.items()
    }
    text = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def read_status(folder: Path) -> dict:
    """The folder's status (``{}`` if none or unreadable)."""
    try:
        return json.loads((Path(folder) / STATUS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def is_finished(folder: Path, digest: str) -> bool:
    """True if the folder holds a finished job of this config."""
    status = read_status(folder)
    return status.get("status") == "finished" and status.get("config_hash") == digest


def record_finished(folder: Path, digest: str, elapsed: float, **extra: Any) -> None:
    """Mark the job finished (after all its files are written)."""
    (Path(folder) / ERROR).unlink(missing_ok=True)
    _write(folder, {"status": "finished", "config_hash": digest, "elapsed_seconds": round(elapsed, 3), **extra})


def record_failure(folder: Path, digest: str, error: BaseException, elapsed: float) -> str:
    """Record why the job failed (``error.txt`` with the traceback); return the one-line error."""
    text = str(error) if _is_bad_input(error) else f"{type(error).__name__}: {error}"
    line = " ".join(text.split())
    write_text(Path(folder) / ERROR, "".join(traceback.format_exception(error)))
    _write(folder, {"status": "failed", "config_hash": digest, "error": line, "elapsed_seconds": round(elapsed, 3)})
    return line


def record_interrupted(folder: Path, digest: str, elapsed: float) -> None:
    """Mark the job interrupted (Ctrl-C): not finished, so a sweep re-run redoes it."""
    (Path(folder) / ERROR).unlink(missing_ok=True)
    _write(folder, {"status": "interrupted", "config_hash": digest, "elapsed_seconds": round(elapsed, 3)})


@contextlib.contextmanager
def running_job(folder: Path, digest: str, keep_workers: bool = False) -> Iterator[None]:
    """Run a job writing into ``folder``: first remove the temporary files a
    killed run left there (in the folder and its ``figures/``); on Ctrl-C mark
    the job interrupted, say so in one line and exit with status 130
    (:func:`experiments.running.interruption.stop_cleanly`), unless the job had
    finished already (then its status stays). The pool of worker processes is
    shut down however the job ends, unless ``keep_workers`` (a job of a sweep,
    whose next job reuses them; they are stopped on Ctrl-C all the same)."""
    folder = Path(folder)
    remove_stray_temporaries(folder)
    started = time.perf_counter()

    def mark() -> str:
        if is_finished(folder, digest):
            return "it had finished; status: finished"
        record_interrupted(folder, digest, time.perf_counter() - started)
        return "status: interrupted"

    entry = _register(folder, digest)
    in_worker = entry is not None and multiprocessing.parent_process() is not None
    try:
        with sigint_ignored(in_worker), stop_cleanly(folder, mark, keep_workers):
            yield
    finally:
        if entry is not None:
            entry.unlink(missing_ok=True)


@contextlib.contextmanager
def running_app(name: str) -> Iterator[None]:
    """Run an app's jobs from its main process. Jobs register while they run
    (:func:`running_job`; a job in a launcher's worker process leaves Ctrl-C
    to this process). On Ctrl-C the worker processes are killed, the jobs they
    were running are marked interrupted and their temporary files removed
    (:func:`mark_stopped_jobs`), one line names them, and the app exits with
    status 130; no worker process outlives the app."""
    registry = Path(tempfile.mkdtemp(prefix=f"{name}-jobs-"))
    previous = os.environ.get(RUNNING_JOBS)
    os.environ[RUNNING_JOBS] = str(registry)
    stopped: list[Path] = []

    def tidy() -> str:
        stopped.extend(mark_stopped_jobs(registry))
        if len(stopped) < 2:
            return "status: interrupted" if stopped else "no job was running"
        common = Path(os.path.commonpath(stopped))
        return "status: interrupted: " + ", ".join(str(p.relative_to(common)) for p in stopped)

    def where() -> str:
        if len(stopped) < 2:
            return str(stopped[0]) if stopped else name
        return os.path.commonpath(stopped)

    try:
        with stop_cleanly(where, tidy):
            yield
    finally:
        if previous is None:
            os.environ.pop(RUNNING_JOBS, None)
        else:
            os.environ[RUNNING_JOBS] = previous
        shutil.rmtree(registry, ignore_errors=True)


def mark_stopped_jobs(registry: Path, wait: float = 5.0) -> list[Path]:
    """Mark interrupted the jobs still registered in ``registry`` whose process
    has ended (killed before it could mark its job; waiting up to ``wait``
    seconds for it to end), unless they had finished, and remove their
    temporary files; return their folders."""
    deadline = time.monotonic() + wait
    marked = []
    for entry in sorted(Path(registry).glob("*.json")):
        try:
            job = json.loads(entry.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        while not _ended(int(job["pid"])) and time.monotonic() < deadline:
            time.sleep(0.05)
        if not _ended(int(job["pid"])):
            continue
        folder = Path(job["folder"])
        if not is_finished(folder, job["digest"]):
            record_interrupted(folder, job["digest"], time.time() - float(job["started"]))
        remove_stray_temporaries(folder)
        entry.unlink(missing_ok=True)
        marked.append(folder)
    return marked


def _register(folder: Path, digest: str) -> Path | None:
    """Register a running job in the app's registry (None if there is none)."""
    registry = os.environ.get(RUNNING_JOBS)
    if not registry or not Path(registry).is_dir():
        return None
    entry = Path(registry) / f"{os.getpid()}-{time.monotonic_ns()}.json"
    record = {"folder": str(folder.resolve()), "digest": digest, "pid": os.getpid(), "started": time.time()}
    write_text(entry, json.dumps(record))
    return entry


def _ended(pid: int) -> bool:
    """True if process ``pid`` no longer runs (gone, or exited and not yet reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def _is_bad_input(error: BaseException) -> bool:
    from sim.config import ConfigError

    return isinstance(error, ConfigError)


def _write(folder: Path, status: dict) -> None:
    status["finished_at"] = time.strftime("%Y-%m-%dT%H:%M:%S")
    Path(folder).mkdir(parents=True, exist_ok=True)
    write_text(Path(folder) / STATUS, json.dumps(status, indent=2) + "\n")
