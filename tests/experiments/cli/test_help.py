"""Every command's --help is the app's own short page (its config groups,
keys and examples), never Hydra's internal schemas, and a listing cut short
by a pipe (``| head``) ends quietly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.experiments.cli.bad_input.table import run_app

ROOT = Path(__file__).resolve().parents[3]
#: what each page must show: its config groups with their options
APPS = {
    "loyalty-sim": ["\nexperiment: ", "\nmarket: "],
    "loyalty-market": ["\nmarket: "],
    "loyalty-sim-sensitivity": ["\nsensitivity: lesson_club, lesson_layoffs, morris, sobol", "\nexperiment: "],
    "loyalty-sim-optimise": ["\noptimise: pareto, price_war, single", "\nexperiment: "],
    "loyalty-sim-map": [
        "\nmap: bonds_under_price_war, captive_rival_entry",
        "headline_staff_loyalty",
        "\nexperiment: ",
    ],
    "loyalty-sim-calibrate": ["calibration=<name>", "own_log", "transactions.separator"],
    "loyalty-sim-validate": ["table=invariance", "invariance.sizes", "'only=[", "--list"],
}


@pytest.mark.parametrize("app", list(APPS))
def test_help_is_the_apps_own_short_page_without_schemas(app):
    status, out, err = run_app(app, ["--help"])
    assert status == 0 and err == ""
    assert out.startswith(f"{app}: ")
    assert "_schema" not in out and "$APP_CONFIG_GROUPS" not in out
    for needle in APPS[app]:
        assert needle in out, needle
    assert len(out.splitlines()) <= 60


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [
        ["experiments.running.app", "--help"],
        ["experiments.validation.report", "--list"],
        ["experiments.cli.market", "--list-params"],
    ],
)
def test_a_listing_cut_short_by_a_pipe_ends_without_a_traceback(args):
    done = subprocess.run(
        f"{sys.executable} -m {' '.join(args)} | head -n 1",
        shell=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.count("\n") == 1
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, done.stderr
