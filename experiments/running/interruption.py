"""Stopping long work cleanly on Ctrl-C, and leaving no worker processes behind.

Every app that runs long work (``loyalty-sim``, ``loyalty-market``,
``loyalty-sim-sensitivity``, the trials of ``loyalty-sim-optimise``,
``loyalty-sim-calibrate``, ``loyalty-sim-validate``) runs it inside :func:`stop_cleanly`. Ctrl-C (SIGINT,
a KeyboardInterrupt in Python) then prints no traceback: the app tidies up
(a job marks its folder ``interrupted`` in ``status.json``, see
:func:`experiments.sweeps.jobs.running_job`, so that a sweep re-run redoes it;
``loyalty-market`` removes its partial results), writes one line
``interrupted: <folder> (<what was done>)`` to stderr and exits with status
130 (128 + SIGINT, what a shell reports for a process stopped by Ctrl-C).

Replications run in joblib's reusable pool of loky worker processes, which
outlives a ``Parallel`` call so that the next call need not start processes
again (seconds per job). :func:`stop_workers` shuts the pool down when the
work ends, whether it finished, failed or was interrupted (then the workers
are killed in the middle of their tasks), so no worker outlives the app; the
jobs of a sweep keep the pool for the next job (``keep_workers``) and it is
shut down when the sweep ends, at the latest when the process exits. The
workers ignore SIGINT (:func:`ignore_sigint`, their pool's initializer):
Ctrl-C reaches the whole process group, and the app, not each worker,
decides what stops; they also start with SIGINT blocked (:func:`starting_workers`).
Every pool of the project starts through :func:`run_in_workers`.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import sys
import threading
from typing import Any, Callable, Iterable, Iterator

from agents.compiled import interrupted

#: exit status of a run stopped by Ctrl-C (128 + SIGINT)
EXIT_INTERRUPTED = 128 + int(signal.SIGINT)


def notice(where: str | os.PathLike, done: str | None = None) -> str:
    """The one line that says a run was interrupted: where, and what was done about it."""
    return f"interrupted: {where}" + (f" ({done})" if done else "")


def ignore_sigint() -> None:
    """Make this process ignore SIGINT (the initializer of worker processes:
    the parent process handles Ctrl-C and stops them)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def sigint_held() -> Iterator[None]:
    """SIGINT blocked in this thread in the body, not lost: worker processes
    started in the body inherit the block, so that Ctrl-C cannot break them
    while they start (before :func:`ignore_sigint` runs: Python would print
    their tracebacks); a Ctrl-C meanwhile arrives here when the body ends."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextlib.contextmanager
def starting_workers() -> Iterator[None]:
    """Start joblib's worker processes in the body immune to Ctrl-C from their
    first instruction (:func:`sigint_held`). The resource trackers of loky and
    multiprocessing unblock SIGINT once they have started, so they are
    started first."""
    from multiprocessing import resource_tracker

    from joblib.externals.loky.backend import resource_tracker as loky_tracker

    loky_tracker.ensure_running()
    resource_tracker.ensure_running()
    with sigint_held():
        yield


def run_in_workers(tasks: Iterable[Any], workers: int, **parallel: Any) -> Any:
    """joblib's ``Parallel(n_jobs=workers, **parallel)`` over ``tasks`` (its
    ``delayed`` calls), in worker processes immune to Ctrl-C from their first
    instruction (:func:`starting_workers`, :func:`ignore_sigint`): the app's
    main process decides what stops, and a worker never prints a traceback.
    With ``return_as="generator"`` the results come as they are consumed."""
    from joblib import Parallel

    with starting_workers():
        return Parallel(n_jobs=workers, initializer=ignore_sigint, **parallel)(tasks)


def stop_workers(kill: bool = False) -> None:
    """Shut down joblib's reusable pool of worker processes if this process
    started one, and wait until the workers have exited; with ``kill``,
    terminate them in the middle of their tasks."""
    if "joblib" not in sys.modules:
        return
    from joblib.externals.loky import reusable_executor

    executor = getattr(reusable_executor, "_executor", None)
    flags = getattr(executor, "_flags", None)
    if executor is None or getattr(flags, "shutdown", False):
        return
    if hasattr(executor, "terminate"):  # joblib's executor: also removes its temporary folder
        executor.terminate(kill_workers=kill)
    else:
        executor.shutdown(wait=True, kill_workers=kill)


@contextlib.contextmanager
def _sigint_handled_by(handler: Callable | int, when: bool = True) -> Iterator[None]:
    """SIGINT handled by ``handler`` in the body (if ``when``), the previous
    handler restored after it. Only the main thread can change signal
    handlers; elsewhere the body runs unchanged."""
    if not when:
        yield
        return
    try:
        previous = signal.signal(signal.SIGINT, handler)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def sigint_ignored(ignore: bool = True) -> contextlib.AbstractContextManager[None]:
    """SIGINT ignored in the body (if ``ignore``): a second Ctrl-C must not
    break the tidying up, and a job in a worker process leaves Ctrl-C to the
    app's main process."""
    return _sigint_handled_by(signal.SIG_IGN, ignore)


#: modules whose Python code a Ctrl-C must not break into: numba's compiler,
#: and LLVM's callbacks into Python through ctypes (llvmlite), where an
#: exception raised by Ctrl-C is lost and the process can crash (segmentation
#: fault) instead of stopping cleanly
_COMPILER = ("numba.", "llvmlite.")
#: seconds after which a Ctrl-C deferred while compiling is delivered again
COMPILER_RETRY_S = 0.05


def _in_compiler(frame) -> bool:
    """Whether the interrupted Python code, or code calling it, is numba's or llvmlite's."""
    while frame is not None:
        if str(frame.f_globals.get("__name__", "")).startswith(_COMPILER):
            return True
        frame = frame.f_back
    return False


def _interrupt_outside_compiler(signum: int, frame) -> None:
    """Python's Ctrl-C (a KeyboardInterrupt), except inside the compiler:
    there the signal is sent again after :data:`COMPILER_RETRY_S` seconds,
    until the compiler has returned (it compiles a rule in well under a
    second), and the interrupt lands in the app's own code."""
    if _in_compiler(frame):
        retry = threading.Timer(COMPILER_RETRY_S, os.kill, (os.getpid(), signal.SIGINT))
        retry.daemon = True
        retry.start()
        return
    raise KeyboardInterrupt


def sigint_outside_compiler() -> contextlib.AbstractContextManager[None]:
    """Ctrl-C in the body stops the app as usual, but never in the middle of
    compiling a rule (:func:`_interrupt_outside_compiler`): a fresh install
    compiles the engine's rules in its first seconds, the moment a user is
    most likely to change their mind. Only where Ctrl-C raises Python's
    KeyboardInterrupt (a worker that ignores it keeps ignoring it)."""
    return _sigint_handled_by(
        _interrupt_outside_compiler, signal.getsignal(signal.SIGINT) is signal.default_int_handler
    )


_AT_EXIT: list[bool] = []


@contextlib.contextmanager
def stop_cleanly(
    where: str | os.PathLike | Callable[[], str | os.PathLike],
    on_interrupt: Callable[[], str | None] | None = None,
    keep_workers: bool = False,
) -> Iterator[None]:
    """Run the body; on Ctrl-C (also one that arrived inside a compiled rule
    outside a step, e.g. while a market is built, which Python reports as a
    ``SystemError``: :func:`agents.compiled.interrupted`) kill the worker
    processes, call ``on_interrupt``
    (which tidies up and returns what it did, for the notice), print the one
    line :func:`notice` on stderr (``where`` may be a function, called after
    ``on_interrupt``) and exit with status :data:`EXIT_INTERRUPTED`.
    However the body ends, the pool of worker processes is shut down, unless
    ``keep_workers`` (a job of a sweep: the next job reuses them); then it is
    shut down when the process exits. A Ctrl-C that arrives while numba
    compiles a rule waits until the rule is compiled
    (:func:`sigint_outside_compiler`)."""
    if not _AT_EXIT:
        atexit.register(stop_workers)
        _AT_EXIT.append(True)
    try:
        with sigint_outside_compiler():
            yield
    except (KeyboardInterrupt, SystemError) as e:
        if not interrupted(e):
            raise
        with sigint_ignored():
            stop_workers(kill=True)
            try:
                done = on_interrupt() if on_interrupt is not None else None
            except Exception as e:  # noqa: BLE001 - the notice must still come, in one line
                done = " ".join(f"could not tidy up: {type(e).__name__}: {e}".split())
            with contextlib.suppress(Exception):
                sys.stdout.flush()
            print(notice(where() if callable(where) else where, done), file=sys.stderr, flush=True)
        raise SystemExit(EXIT_INTERRUPTED) from None
    finally:
        if not keep_workers:
            stop_workers()
