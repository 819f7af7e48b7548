"""A tiny successful run of the CLI writes every result file, atomically, into
a dated folder; --help and --list-params describe what can be set."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from experiments.cli.market import RUN_FILES, main, write_run
from sim.config import RunConfig, describe, validate

ROOT = Path(__file__).resolve().parents[3]
TINY = ["market.n_customers=500", "market.steps=8", "market.burn_in=4"]


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "outputs"
    proc = subprocess.run(
        [sys.executable, "-m", "experiments.cli.market", *TINY, f"output_dir={out}", "seed=4"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return proc, out


def run_folders(out: Path) -> list[Path]:
    return [p for p in out.glob("*/*") if p.is_dir()]


@pytest.mark.slow
def test_run_succeeds_and_prints_the_summary(tiny_run):
    proc, _ = tiny_run
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    for text in (
        "Focal",
        "Discounter",
        "Premium",
        "profit",
        "revenue",
        "market share",
        "retention rate",
        "churn rate",
        "mean satisfaction",
        "promoter score",
        "loyal",
        "churned",
        "survey: very satisfied (top box)",
        "survey: mean satisfaction (1-5)",
    ):
        assert text in proc.stdout


@pytest.mark.slow
def test_files_in_a_dated_folder(tiny_run):
    _, out = tiny_run
    (folder,) = run_folders(out)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", folder.parent.name)
    assert re.fullmatch(r"\d{2}-\d{2}-\d{2}", folder.name)
    assert sorted(p.name for p in folder.iterdir()) == sorted(RUN_FILES)
    hidden = [p for p in out.rglob("*") if p.name.startswith(".") or "tmp" in p.name]
    assert hidden == [], f"temporary files left behind: {hidden}"


@pytest.mark.slow
def test_step_table_has_one_row_per_step_and_firm(tiny_run):
    _, out = tiny_run
    (folder,) = run_folders(out)
    table = pd.read_parquet(folder / "steps.parquet")
    assert len(table) == 8 * 3
    assert not table.duplicated(["step", "firm"]).any()
    assert sorted(table["step"].unique()) == list(range(1, 9))
    summary = pd.read_csv(folder / "summary.csv")
    assert list(summary["firm"]) == ["Focal", "Discounter", "Premium"]
    cohorts = pd.read_csv(folder / "cohort_survival.csv")
    assert list(cohorts.columns) == ["firm", "cohort", "acquired", "surviving", "survival"]
    assert (folder / "loyalty_states.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_saved_config_is_complete_and_valid(tiny_run):
    _, out = tiny_run
    (folder,) = run_folders(out)
    cfg = yaml.safe_load((folder / "config.yaml").read_text())
    validate(cfg, RunConfig)
    assert cfg["seed"] == 4 and cfg["market"]["n_customers"] == 500 and cfg["market"]["steps"] == 8
    assert len(cfg["market"]["firms"]) == 3 and "wage_per_year" in cfg["market"]["firms"][0]


def test_failed_write_leaves_nothing(tmp_path, monkeypatch):
    """If writing fails half-way, neither the run folder nor its parents remain."""
    import experiments.running.outputs as outputs
    from sim.model import LoyaltyModel

    model = LoyaltyModel(n_customers=300, burn_in=2, steps=3)
    table = model.run()

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(outputs, "save_figure", boom)
    out = tmp_path / "deep" / "outputs"
    with pytest.raises(RuntimeError, match="disk full"):
        write_run(out, table, model.summary(), model.cohort_survival(), "seed: 0\n")
    assert list(tmp_path.iterdir()) == []


def test_two_runs_in_one_second_get_two_folders(tmp_path):
    import datetime as dt
    from sim.model import LoyaltyModel

    model = LoyaltyModel(n_customers=300, burn_in=2, steps=2)
    table = model.run()
    now = dt.datetime(2024, 5, 6, 7, 8, 9)
    a = write_run(tmp_path, table, model.summary(), model.cohort_survival(), "x: 1\n", now=now)
    b = write_run(tmp_path, table, model.summary(), model.cohort_survival(), "x: 1\n", now=now)
    assert a != b and a.name == "07-08-09" and a.parent.name == "2024-05-06"
    assert sorted(p.name for p in b.iterdir()) == sorted(RUN_FILES)


def test_help_lists_presets(capsys):
    main(["--help"])
    text = capsys.readouterr().out
    assert text.startswith("loyalty-market:") and "--config-dir" in text
    for preset in (ROOT / "conf" / "market").glob("*.yaml"):
        assert preset.stem in text


def test_list_params_lists_every_parameter(capsys):
    main(["--list-params"])
    text = capsys.readouterr().out
    keys = {line.split()[0] for line in text.splitlines() if line.strip()}
    for row in describe(RunConfig):
        assert row.key in keys, row.key
    assert "market.customers.voice_mean" in text and "[0.0, 1.0]" in text
    assert "probability per disappointment" in text and "source: seed 002" in text
    assert "market.firms[i].price" in keys


def test_a_preset_of_the_users_own_folder_and_overrides(tmp_path):
    """A market of one's own is a preset in a folder given to Hydra
    (--config-dir on the command line, hydra.searchpath here), as for loyalty-sim."""
    from experiments.cli.market import compose_config

    (tmp_path / "market").mkdir()
    (tmp_path / "market" / "mine.yaml").write_text("defaults:\n  - subscription\n  - _self_\n\nname: mine\nsteps: 8\n")
    c = compose_config(
        ["market=mine", f"hydra.searchpath=[file://{tmp_path}]", "seed=9", "market.firms.0.price=0.9", *TINY[:1]]
    )
    assert c.seed == 9 and c.market.name == "mine" and c.market.steps == 8
    assert c.market.firms[0].price == 0.9 and c.market.steps_per_year == 12


@pytest.mark.slow
def test_hydra_writes_nothing_beside_the_results(tmp_path):
    """The run's folder is the only thing written: no .hydra folder, no log."""
    proc = subprocess.run(
        [sys.executable, "-m", "experiments.cli.market", *TINY, f"output_dir={tmp_path / 'out'}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    (run,) = (tmp_path / "out").glob("*/*")
    assert sorted(p.name for p in run.iterdir()) == sorted(RUN_FILES)
