"""The dashboard's Step benchmark runs in a tiny mode and reports against its
target (a smoke check that its table is produced, not a timing test: it
starts the dashboard and a headless chromium, hence slow). It runs as a user
runs it, in a process of its own (Playwright's synchronous API cannot start
inside a process whose browser tests already drive one)."""

import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.classroom_step import TARGET_S, markdown

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_benchmark_times_steps_in_the_browser_and_writes_its_table(tmp_path):
    command = [sys.executable, "-m", "benchmarks.classroom_step", "--quick", "--steps", "2", "--out", str(tmp_path)]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    text = (tmp_path / "classroom_step.md").read_text()
    assert text.strip() in run.stdout
    assert "| one Step in the browser: click to painted page |" in text
    assert f"(target <= {TARGET_S} s: " in text and "median of 2 Step(s) (quick run)" in text
    assert "the model's step alone" in text and "load average" in text


def test_the_table_says_whether_the_target_is_met():
    measured = {
        "quick": False,
        "steps": 15,
        "walls": [0.1] * 15,
        "step_s": 0.1,
        "model_s": 0.004,
        "drawing_s": 0.015,
        "cores": 2,
        "load": (1.0, 1.2),
    }
    assert f"target <= {TARGET_S} s: met" in markdown(measured)
    assert "NOT met" in markdown({**measured, "step_s": TARGET_S + 0.1})
