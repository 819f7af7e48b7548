"""The status of one job's folder: finished, failed, or not done (DESIGN.md §7).

A job's ``status.json`` is written last, atomically, once all its result
files are in place: a folder without it holds no finished job, whatever else
it holds. It records the hash of the job's config, so that a sweep re-run
into the same folder skips exactly the jobs already finished with the same
config, and re-runs failed or changed ones.
"""

from __future__ import annotations

import hashlib
import json
import time
import traceback
from pathlib import Path
from typing import Any

from experiments.outputs import write_text

STATUS = "status.json"
ERROR = "error.txt"

#: keys that change how a job runs, not its results
_NOT_RESULTS = {("experiment", "workers"), ("experiment", "progress"), ("market", "engine")}


def config_hash(container: dict) -> str:
    """A hash of the config's result-relevant keys."""
    data = {k: ({kk: vv for kk, vv in v.items() if (k, kk) not in _NOT_RESULTS} if isinstance(v, dict) else v)
            for k, v in container.items()}
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
    line = " ".join(f"{type(error).__name__}: {error}".split()) if not _is_bad_input(error) else " ".join(str(error).split())
    write_text(Path(folder) / ERROR, "".join(traceback.format_exception(error)))
    _write(folder, {"status": "failed", "config_hash": digest, "error": line, "elapsed_seconds": round(elapsed, 3)})
    return line


def _is_bad_input(error: BaseException) -> bool:
    from sim.config import ConfigError
    return isinstance(error, ConfigError)


def _write(folder: Path, status: dict) -> None:
    status["finished_at"] = time.strftime("%Y-%m-%dT%H:%M:%S")
    Path(folder).mkdir(parents=True, exist_ok=True)
    write_text(Path(folder) / STATUS, json.dumps(status, indent=2) + "\n")
