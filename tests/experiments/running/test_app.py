"""The loyalty-sim app end to end: one job, sweeps, resume and failures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

from sim.config_loading import CONF_DIR
from experiments.running.app import check_overrides, compose_app as compose, run_and_write
from experiments.sweeps.jobs import config_hash

#: a tiny experiment: the default scenarios on a small, short market
TINY = [
    "experiment.replications=4",
    "experiment.workers=1",
    "experiment.progress=false",
    "market.n_customers=700",
    "market.burn_in=30",
    "market.steps=16",
]
ROOT = Path(__file__).resolve().parents[3]


def app(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the console script ``loyalty-sim`` as a user would."""
    script = Path(sys.executable).with_name("loyalty-sim")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "experiments.running.app"]
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "PYTHONPATH": str(ROOT)}
    return subprocess.run([*cmd, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)


@pytest.fixture(scope="module")
def tiny_job(tmp_path_factory) -> Path:
    """The default scenarios run through Hydra's compose API into a folder."""
    folder = tmp_path_factory.mktemp("job")
    container = compose(TINY)
    run_and_write(container, folder, config_hash(container))
    return folder


def _paired_t_interval(runs: pd.DataFrame, scenario: str, kpi: str, confidence: float = 0.95):
    focal = runs[runs.firm == "Focal"]
    x = focal[focal.scenario == scenario].set_index("replication")[kpi]
    b = focal[focal.scenario == "baseline"].set_index("replication")[kpi]
    d = (x - b).to_numpy()
    half = stats.t.ppf(0.5 + confidence / 2, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
    return d.mean(), d.mean() - half, d.mean() + half


@pytest.mark.slow
def test_a_job_writes_its_tables_config_report_and_status(tiny_job):
    runs = pd.read_parquet(tiny_job / "runs.parquet")
    steps = pd.read_parquet(tiny_job / "steps.parquet")
    scenarios = [
        "baseline",
        "price_war",
        "club_marketing",
        "differentiated_service",
        "staff_loyalty",
        "service_and_staff",
    ]
    assert list(runs["scenario"].unique()) == scenarios
    assert len(runs) == 6 * 4 * 3  # scenario x replication x firm
    assert len(steps) == 6 * 4 * 16 * 3  # ... x week x firm
    assert steps.groupby(["scenario", "replication", "firm"]).size().eq(16).all()
    assert {"npv", "retention_rate", "loyal_advocate_share", "clv"} <= set(runs.columns)
    assert np.allclose(steps["profit"], steps["revenue"] - steps["costs"])
    for name in ("config.yaml", "report.md", "comparison.csv", "status.json"):
        assert (tiny_job / name).stat().st_size > 0, name
    figures = sorted(p.name for p in (tiny_job / "figures").glob("*.png"))
    assert len(figures) >= 3
    assert json.loads((tiny_job / "status.json").read_text())["status"] == "finished"
    assert not list(tiny_job.rglob(".tmp-*"))


@pytest.mark.slow
def test_the_intervals_of_the_report_are_those_of_the_runs_table(tiny_job):
    runs = pd.read_parquet(tiny_job / "runs.parquet")
    comparison = pd.read_csv(tiny_job / "comparison.csv")
    report = (tiny_job / "report.md").read_text()
    for scenario in runs["scenario"].unique()[1:]:
        for kpi in ("npv", "retention_rate", "promoter_score"):
            mean, lo, hi = _paired_t_interval(runs, scenario, kpi)
            row = comparison[(comparison.scenario == scenario) & (comparison.kpi == kpi)].iloc[0]
            assert (row["diff"], row["ci_low"], row["ci_high"]) == pytest.approx((mean, lo, hi), rel=1e-9)
        mean, lo, hi = _paired_t_interval(runs, scenario, "npv")
        assert f"{mean:+,.0f}" in report and f"{lo:+,.0f}" in report and f"{hi:+,.0f}" in report


@pytest.mark.slow
def test_common_random_numbers_make_the_paired_interval_narrower_than_the_unpaired(tiny_job):
    comparison = pd.read_csv(tiny_job / "comparison.csv")
    rows = comparison[(comparison.scenario != "baseline") & comparison.kpi.isin(["npv", "revenue"])]
    paired = rows["ci_high"] - rows["ci_low"]
    unpaired = rows["unpaired_ci_high"] - rows["unpaired_ci_low"]
    assert (paired < unpaired).all()
    assert (paired / unpaired).median() < 0.5


@pytest.mark.slow
def test_the_console_script_runs_a_job_and_prints_the_comparison(tmp_path):
    out = tmp_path / "run"
    res = app(
        *TINY,
        "experiment.replications=2",
        "experiment.scenarios=[{name: baseline}, "
        "{name: war, description: a short war, strategies: {Focal: [price_war]}}]",
        f"hydra.run.dir={out}",
        cwd=tmp_path,
    )
    assert res.returncode == 0, res.stderr
    assert "war" in res.stdout and "profit (NPV)" in res.stdout
    assert (out / "report.md").exists() and (out / "runs.parquet").exists()


@pytest.mark.parametrize(
    "override, message",
    [
        ("experiment.replications=1", "experiment.replications = 1: must be in [2, 1000000]"),
        ("experiment=nope", "experiment = 'nope': available: "),
        ("market.firms.0.price=-1", "market.firms[0].price = -1"),
        ("experiment.scenarios.1.strategies.Focal.0=nope", "experiment.scenarios[1].strategies.Focal[0] = 'nope'"),
    ],
)
def test_bad_input_is_named_in_one_line(override, message):
    assert message in check_overrides([override])


@pytest.mark.slow
def test_bad_input_stops_the_console_script_before_anything_is_written(tmp_path):
    out = tmp_path / "bad"
    res = app("experiment.confidence=1.5", f"hydra.run.dir={out}", cwd=tmp_path)
    assert res.returncode == 2
    assert res.stderr.strip().splitlines() == ["error: experiment.confidence = 1.5: must be in [0.5, 0.9999]"]
    assert not out.exists()


def _job_dirs(sweep: Path) -> dict[str, dict]:
    """The status of each job of a sweep, by the override that varies (``key=value``)."""
    jobs = {}
    for p in sweep.rglob("status.json"):
        overrides = (p.parent / ".hydra" / "overrides.yaml").read_text()
        fixed = {o.split("=")[0] for o in SWEEP}
        swept = [o for o in yaml.safe_load(overrides) if o.split("=")[0] not in fixed]
        jobs[",".join(swept)] = {**json.loads(p.read_text()), "folder": p.parent}
    return jobs


SWEEP = [*TINY, "experiment.replications=2", "market.steps=8"]


@pytest.mark.slow
def test_a_sweep_runs_its_jobs_through_joblib_resumes_and_writes_the_sweep_report(tmp_path):
    sweep = tmp_path / "sweep"
    res = app("-m", *SWEEP, "experiment.seed=0,10", f"hydra.sweep.dir={sweep}", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "Joblib" in res.stdout + res.stderr
    jobs = _job_dirs(sweep)
    assert sorted(jobs) == ["experiment.seed=0", "experiment.seed=10"]
    assert all(s["status"] == "finished" for s in jobs.values())
    seeds = {j: set(pd.read_parquet(s["folder"] / "runs.parquet")["seed"]) for j, s in jobs.items()}
    assert seeds == {"experiment.seed=0": {0, 1}, "experiment.seed=10": {10, 11}}
    assert jobs["experiment.seed=0"]["folder"].name == "seed=0"  # the swept value; the constants are in .hydra/
    assert "job 1/2: experiment.seed=0\n" in res.stdout and "job 2/2: experiment.seed=10\n" in res.stdout
    assert "sweep |██████████| 2/2 jobs done (100%)" in res.stderr
    assert (sweep / "sweep_report.md").exists()

    before = {j: (s["folder"] / "runs.parquet").stat().st_mtime_ns for j, s in jobs.items()}
    again = app("-m", *SWEEP, "experiment.seed=0,10,20", f"hydra.sweep.dir={sweep}", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert again.stdout.count("skipped") == 2
    assert {j: (s["folder"] / "runs.parquet").stat().st_mtime_ns for j, s in jobs.items()} == before
    assert _job_dirs(sweep)["experiment.seed=20"]["status"] == "finished"


@pytest.mark.slow
def test_a_sweep_with_a_bad_value_stops_before_any_job_runs(tmp_path):
    sweep = tmp_path / "sweep"
    res = app(
        "-m", *SWEEP, "market.customers.visits_per_year_mean=23.4,20000", f"hydra.sweep.dir={sweep}", cwd=tmp_path
    )
    assert res.returncode == 2
    assert res.stderr.strip().splitlines()[-1].startswith("error: market.customers.visits_per_year_mean = 20000")
    assert not sweep.exists()


@pytest.mark.slow
def test_a_failing_job_is_recorded_and_the_sweep_goes_on(tmp_path, monkeypatch, capsys):
    """A job that fails while it runs (here: seed 10 made to fail) records its
    error; the other jobs run, and the sweep ends with status 1."""
    import experiments.running.app as app_module

    real = app_module.run_and_write

    def failing(container, folder, digest):
        if container["experiment"]["seed"] == 10:
            raise RuntimeError("the market could not be simulated")
        return real(container, folder, digest)

    monkeypatch.setattr(app_module, "run_and_write", failing)
    sweep = tmp_path / "sweep"
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as e:
        app_module.main(["-m", *SWEEP, "experiment.seed=10,20", "hydra/launcher=basic", f"hydra.sweep.dir={sweep}"])
    assert e.value.code == 1  # the sweep ran to its end, but not all succeeded
    jobs = _job_dirs(sweep)
    bad, good = jobs["experiment.seed=10"], jobs["experiment.seed=20"]
    assert bad["status"] == "failed" and "could not be simulated" in bad["error"]
    assert (bad["folder"] / "error.txt").exists() and not (bad["folder"] / "runs.parquet").exists()
    assert good["status"] == "finished"
    assert "1 failed" in capsys.readouterr().out


@pytest.mark.slow
def test_a_job_interrupted_while_writing_leaves_no_partial_file_and_is_run_again(tmp_path, monkeypatch):
    import experiments.reports.report as report

    container = compose([*SWEEP])
    digest = config_hash(container)

    def broken(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(report, "write_report", broken)
    with pytest.raises(KeyboardInterrupt):
        run_and_write(container, tmp_path, digest)
    assert not (tmp_path / "status.json").exists()
    assert not list(tmp_path.rglob(".tmp-*"))
    monkeypatch.undo()
    run_and_write(container, tmp_path, digest)
    assert json.loads((tmp_path / "status.json").read_text())["status"] == "finished"


@pytest.mark.slow
def test_a_sweep_runs_on_a_local_ray_instance(tmp_path):
    pytest.importorskip("hydra_plugins.hydra_ray_launcher")
    sweep = tmp_path / "sweep"
    res = app(
        "-m",
        "hydra/launcher=ray",
        "+hydra.launcher.ray.init.num_cpus=2",
        *SWEEP,
        "experiment.seed=0,5",
        f"hydra.sweep.dir={sweep}",
        cwd=tmp_path,
        timeout=600,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    assert "Ray" in res.stdout + res.stderr
    jobs = _job_dirs(sweep)
    assert sorted(jobs) == ["experiment.seed=0", "experiment.seed=5"]
    assert all(s["status"] == "finished" for s in jobs.values())


def test_the_slurm_launcher_config_composes_over_submitit():
    from hydra import compose as hydra_compose, initialize_config_dir

    import experiments.running.schema  # noqa: F401

    with initialize_config_dir(version_base="1.3", config_dir=str(CONF_DIR), job_name="test"):
        cfg = hydra_compose("app", overrides=["hydra/launcher=slurm"], return_hydra_config=True)
    assert "submitit" in cfg.hydra.launcher._target_.lower() and "slurm" in cfg.hydra.launcher._target_.lower()
    assert cfg.hydra.launcher.cpus_per_task == 8


def test_a_job_folder_is_named_by_its_overrides_and_long_names_are_cut_with_a_hash():
    from experiments.running.schema import job_dirname
    from experiments.sweeps.plan import MAX_NAME_BYTES

    # without a sweep's plan (tests/experiments/sweeps/test_job_names.py: with one)
    assert job_dirname("experiment.seed=3,market.n_customers=800") == "seed=3,n_customers=800"
    assert job_dirname("market=subscription/x") == "market=subscription_x"
    long_a, long_b = "x=" + "a" * 300 + ",seed=1", "x=" + "a" * 300 + ",seed=2"
    assert len(job_dirname(long_a).encode("utf-8")) == MAX_NAME_BYTES
    assert job_dirname(long_a) != job_dirname(long_b) and job_dirname(long_a) == job_dirname(long_a)


@pytest.mark.slow
def test_help_names_the_named_experiments_and_examples(tmp_path):
    res = app("--help", cwd=tmp_path)
    assert res.returncode == 0
    assert "experiment: bonds_under_price_war, captive_rival_entry, club_payoff" in res.stdout
    assert "loyalty-sim-report <multirun folder>" in res.stdout


@pytest.mark.slow
def test_an_experiment_of_the_users_own_folder_runs_with_config_dir(tmp_path):
    own = tmp_path / "my_conf" / "experiment"
    own.mkdir(parents=True)
    (own / "mine.yaml").write_text(
        "# @package _global_\nexperiment:\n  name: mine\n  scenarios:\n"
        "    - {name: baseline}\n    - {name: war, strategies: {Focal: [price_war]}}\n"
    )
    done = app(
        "--config-dir",
        str(tmp_path / "my_conf"),
        "experiment=mine",
        *TINY,
        "experiment.figures=false",
        f"hydra.run.dir={tmp_path / 'run'}",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    runs = pd.read_parquet(tmp_path / "run" / "runs.parquet")
    assert list(runs["scenario"].unique()) == ["baseline", "war"]
    (own / "broken.yaml").write_text("# @package _global_\nexperiment: [\n")
    done = app(
        "-cd", str(tmp_path / "my_conf"), "experiment=broken", *TINY, f"hydra.run.dir={tmp_path / 'bad'}", cwd=tmp_path
    )
    assert done.returncode == 2 and done.stderr.strip().splitlines()[-1].startswith(
        f"error: experiment = 'broken': {own / 'broken.yaml'} is malformed YAML"
    ), done.stderr
    assert not (tmp_path / "bad").exists()
