"""The bad-input table: every app, every kind of bad input, one contract.

A :class:`Case` is what a user types (an app and its arguments, and any input
files it reads); :func:`check_case` runs the app in this process, as its
console script would, and checks the contract every command keeps: exit
status 2, exactly one line on stderr, ``error: <key> = <value>: <what is
allowed>``, naming the expected key, and nothing written (no file or folder
appears in the working directory other than the inputs).
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

#: console script -> module whose ``main(argv)`` it runs (pyproject.toml's [project.scripts])
APPS = {
    "loyalty-sim": "experiments.running.app",
    "loyalty-market": "experiments.cli.market",
    "loyalty-sim-calibrate": "experiments.analysis.calibration.cli",
    "loyalty-sim-sensitivity": "experiments.analysis.sensitivity",
    "loyalty-sim-optimise": "experiments.analysis.optimise",
    "loyalty-sim-map": "experiments.analysis.strategy_map",
    "loyalty-sim-validate": "experiments.validation.report",
    "loyalty-sim-report": "experiments.sweeps.report",
}

LINE = re.compile(r"^error: (?P<key>\S+) = (?P<value>.*?): (?P<allowed>.+)$")


@dataclass(frozen=True)
class Case:
    """One bad input: ``app`` run with ``args`` (``{tmp}`` stands for the
    case's working folder) after writing ``files`` (name -> text or bytes)
    there (a user's own experiment files go in ``{tmp}/conf/experiment/``,
    found through ``hydra.searchpath``); the error line must name ``key``
    and contain ``value`` and ``allowed``."""

    id: str
    app: str
    args: tuple[str, ...]
    key: str
    value: str = ""
    allowed: str = ""
    files: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        assert self.app in APPS, self.app


def _snapshot(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def run_app(app: str, args: list[str]) -> tuple[int, str, str]:
    """Run ``app``'s ``main(args)`` in this process; return (status, stdout, stderr)."""
    main = importlib.import_module(APPS[app]).main
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(args)
        except SystemExit as e:
            status = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    return int(status or 0), out.getvalue(), err.getvalue()


def check_case(case: Case, tmp_path: Path) -> str:
    """Run ``case`` in ``tmp_path`` and assert the bad-input contract; return the error line."""
    for name, content in case.files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        (path.write_bytes if isinstance(content, bytes) else path.write_text)(content)
    before = _snapshot(tmp_path)
    args = [a.replace("{tmp}", str(tmp_path)) for a in case.args]
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        status, _, stderr = run_app(case.app, args)
    finally:
        os.chdir(cwd)
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert status == 2, f"exit status {status}; stderr:\n{stderr}"
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}:\n{stderr}"
    match = LINE.match(lines[0])
    assert match, f"not 'error: key = value: allowed': {lines[0]!r}"
    assert match["key"] == case.key, f"names {match['key']!r}, expected {case.key!r}: {lines[0]!r}"
    assert case.value in match["value"], f"value {case.value!r} not in {lines[0]!r}"
    assert case.allowed in match["allowed"], f"{case.allowed!r} not in {lines[0]!r}"
    after = _snapshot(tmp_path)
    assert after == before, f"wrote {sorted(after - before)}"
    return lines[0]
