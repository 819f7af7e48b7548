"""Sensitivity analysis: the SALib core on functions
with known indices, the command end to end on a tiny market, and bad input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from matplotlib.container import ErrorbarContainer

from experiments.analysis.sensitivity import (
    INDEX_COLUMNS,
    Target,
    analyse,
    check_overrides,
    compose_sensitivity,
    main,
    applied_values,
    plan_of,
    points_of,
    problem_of,
    reading_of,
    run_and_write,
    target_values,
)
from experiments.analysis.evaluator import point_app, point_configs
from experiments.running.config_keys import get_key
from experiments.analysis.sensitivity_plots import index_bars, indices_cells, plot_indices
from experiments.reports.units import ReportUnits

ROOT = Path(__file__).resolve().parents[3]
#: a tiny market and two parameters: 2 Morris trajectories x 3 points
TINY = [
    "market.n_customers=300",
    "market.burn_in=10",
    "market.steps=10",
    "experiment.replications=2",
    "sensitivity.samples=2",
    "sensitivity.progress=false",
    "sensitivity.difference_from=null",
    "sensitivity.scenario=null",
    "sensitivity.parameters=[{key: market.customers.visits_per_year_mean, lo: 15.6, hi: 31.2}, "
    "{key: market.firms.0.price, lo: 0.9, hi: 1.1}]",
]


# --------------------------------------------------------------------- the analysis core


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_indices(a: float = 7.0, b: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """The analytic first-order and total indices of the Ishigami function on [-pi, pi]^3."""
    v1 = 0.5 * (1 + b * np.pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = 8 * b**2 * np.pi**8 / 225
    total = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / total, np.array([v1 + v13, v2, v13]) / total


def test_the_analytic_ishigami_indices_are_the_textbook_ones():
    s1, st = ishigami_indices()
    assert s1 == pytest.approx([0.314, 0.442, 0.0], abs=5e-4)
    assert st == pytest.approx([0.558, 0.442, 0.244], abs=5e-4)


def test_sobol_on_ishigami_returns_the_known_indices_within_their_intervals():
    problem = problem_of(["x1", "x2", "x3"], [(-np.pi, np.pi)] * 3)
    result = analyse(problem, "sobol", ishigami, samples=1024, seed=1)
    s1, st = ishigami_indices()
    table = result.indices
    assert list(table.columns) == ["parameter", *INDEX_COLUMNS["sobol"]]
    assert len(result.outputs) == points_of("sobol", 1024, 3) == 1024 * 5
    # tolerance: 0.03 on every index (N = 1024, Saltelli's estimators)
    assert table["S1"].to_numpy() == pytest.approx(s1, abs=0.03)
    assert table["ST"].to_numpy() == pytest.approx(st, abs=0.03)
    # the bootstrap intervals cover the truth and are narrower than 0.1
    for col, truth in (("S1", s1), ("ST", st)):
        assert (np.abs(table[col] - truth) <= table[f"{col}_conf"]).all(), col
        assert (table[f"{col}_conf"] < 0.1).all()
    again = analyse(problem, "sobol", ishigami, samples=1024, seed=1)
    pd.testing.assert_frame_equal(table, again.indices)  # same seed: same indices


def test_sobol_second_order_finds_the_only_interaction_of_ishigami():
    problem = problem_of(["x1", "x2", "x3"], [(-np.pi, np.pi)] * 3)
    result = analyse(problem, "sobol", ishigami, samples=1024, seed=2, second_order=True)
    s2 = result.second_order.set_index(["parameter_1", "parameter_2"])["S2"]
    assert len(result.outputs) == 1024 * 8
    assert s2[("x1", "x3")] == pytest.approx(ishigami_indices()[1][2], abs=0.06)  # S13 = ST3
    assert abs(s2[("x1", "x2")]) < 0.05 and abs(s2[("x2", "x3")]) < 0.05


def test_morris_ranks_a_linear_function_by_its_coefficients_times_ranges():
    problem = problem_of(["a", "b", "c", "none"], [(0, 2), (0, 1), (0, 1), (0, 1)])
    result = analyse(problem, "morris", lambda x: 10 * x[:, 0] + x[:, 1] + 0.1 * x[:, 2], samples=10, seed=3)
    table = result.indices.set_index("parameter")
    assert list(result.indices.columns) == ["parameter", *INDEX_COLUMNS["morris"]]
    assert table["mu_star"].to_numpy() == pytest.approx([20.0, 1.0, 0.1, 0.0], abs=1e-9)  # per whole range
    assert table["mu"].to_numpy() == pytest.approx([20.0, 1.0, 0.1, 0.0], abs=1e-9)
    assert table["sigma"].to_numpy() == pytest.approx([0, 0, 0, 0], abs=1e-9)  # linear: no spread
    assert list(table.sort_values("mu_star", ascending=False).index) == ["a", "b", "c", "none"]


def test_morris_sigma_shows_an_interaction():
    problem = problem_of(["x", "y", "z"], [(0, 1)] * 3)
    result = analyse(problem, "morris", lambda x: x[:, 0] * x[:, 1] + 0.5 * x[:, 2], samples=20, seed=4)
    table = result.indices.set_index("parameter")
    assert table.loc["x", "sigma"] > 0.1 and table.loc["y", "sigma"] > 0.1
    assert table.loc["z", "sigma"] == pytest.approx(0.0, abs=1e-9)
    assert table.loc["z", "mu_star"] == pytest.approx(0.5)


def test_the_core_rejects_outputs_it_cannot_analyse():
    problem = problem_of(["x", "y"], [(0, 1)] * 2)
    with pytest.raises(ValueError, match="not a finite number at 6 of 6 points"):
        analyse(problem, "morris", lambda x: np.full(len(x), np.nan), samples=2)
    with pytest.raises(ValueError, match="returned 1 outputs"):
        analyse(problem, "morris", lambda x: np.zeros(1), samples=2)
    with pytest.raises(ValueError, match="power of 2"):
        analyse(problem, "sobol", lambda x: x[:, 0], samples=12)


# --------------------------------------------------------------------- the output of a point


def test_the_output_is_the_mean_or_the_paired_mean_difference_read_from_the_kpi_table():
    # an evaluator's KPI table of two points (baseline "base"), two firms, two KPIs
    rows = [
        (point, firm, scenario, kpi, 100 * point + 10 * (firm == "Rival") + (kpi == "npv"), 1000.0 + point)
        for point in (1, 0)
        for firm in ("Focal", "Rival")
        for scenario in ("base", "new")
        for kpi in ("revenue", "npv")
    ]
    table = pd.DataFrame(rows, columns=["point", "firm", "scenario", "kpi", "mean", "diff"])
    assert target_values(table, Target("npv", "Focal", "new")).tolist() == [1.0, 101.0]  # in point order
    assert target_values(table, Target("npv", "Focal", "new", "base")).tolist() == [1000.0, 1001.0]
    assert target_values(table, Target("revenue", "Rival", "base")).tolist() == [10.0, 110.0]


def test_a_point_config_sets_the_values_and_keeps_the_scenarios_needed():
    plan = plan_of(
        compose_sensitivity(
            [
                "sensitivity.scenario=price_war",
                "sensitivity.difference_from=baseline",
                "sensitivity.parameters=[{key: market.loyalty.repeat_purchases, lo: 2, hi: 6}, "
                "{key: 'market.firms[1].price', lo: 0.7, hi: 0.8}]",
            ]
        )
    )
    assert plan.whole == [True, False]
    assert [p.key for p in plan.parameters] == ["market.loyalty.repeat_purchases", "market.firms.1.price"]
    points = applied_values(plan, np.array([[3.6, 0.75]]))
    reading = reading_of(plan.target)
    assert reading == {"firm": "Focal", "kpis": ["npv"], "scenarios": ["price_war"], "baseline": "baseline"}
    ((_, app),) = point_configs(
        point_app(plan.app), points, scenarios=reading["scenarios"], baseline=reading["baseline"]
    )
    assert app["market"]["loyalty"]["repeat_purchases"] == 4  # a whole-number key is rounded
    assert app["market"]["firms"][1]["price"] == 0.75
    assert [s["name"] for s in app["experiment"]["scenarios"]] == ["baseline", "price_war"]
    assert app["experiment"]["baseline"] == "baseline" and app["experiment"]["workers"] == 1
    assert app["experiment"]["progress"] is False and app["experiment"]["record_transactions"] is False
    assert plan.app["market"]["firms"][1]["price"] == 0.85  # the plan is left as it was
    assert len(plan.app["experiment"]["scenarios"]) == 6


@pytest.mark.slow
def test_the_presets_compose_and_cost_what_they_say():
    default = plan_of(compose_sensitivity([]))
    assert default.settings.method == "morris" and default.target.difference_from == "baseline"
    assert points_of("morris", default.settings.samples, len(default.parameters)) == 8 * 7
    assert default.app["market"]["n_customers"] == 2000
    sobol = plan_of(compose_sensitivity(["sensitivity=sobol"]))
    assert points_of("sobol", sobol.settings.samples, len(sobol.parameters)) == 32 * 6


@pytest.mark.parametrize(
    "preset, experiment, scenario, baseline",
    [
        ("lesson_layoffs", "layoffs_downturn", "layoffs", "keep_staff"),
        ("lesson_club", "club_payoff", "club", "baseline"),
    ],
)
def test_the_lesson_presets_screen_a_failing_lesson_on_its_own_experiment(preset, experiment, scenario, baseline):
    plan = plan_of(compose_sensitivity([f"sensitivity={preset}"]))
    assert plan.app["experiment"]["name"] == experiment
    assert (plan.target.scenario, plan.target.difference_from) == (scenario, baseline)
    assert points_of("morris", plan.settings.samples, len(plan.parameters)) == 8 * 9
    # the strategy's own parameters are swept through the scenario that runs it
    swept = [p.key for p in plan.parameters if p.key.startswith("experiment.scenarios.1.")]
    assert swept and all(np.isfinite(float(get_key(plan.app, key))) for key in swept)


def test_the_presets_restate_the_strategies_defaults_so_they_screen_the_default_programmes():
    """The lesson presets spell out their strategy's parameters so that a
    screening can sweep them; they must stay the strategy's defaults."""
    from strategies.club_marketing import ClubMarketingConfig
    from strategies.layoffs import LayoffsConfig
    from strategies.registry import make_strategy

    for preset, config in (("lesson_club", ClubMarketingConfig()), ("lesson_layoffs", LayoffsConfig())):
        spec = plan_of(compose_sensitivity([f"sensitivity={preset}"])).app["experiment"]["scenarios"][1]
        assert make_strategy(spec["strategies"]["Focal"][0]).config == config, preset


# --------------------------------------------------------------------- presentation


def test_the_bars_and_cells_follow_the_importance_of_the_parameters():
    indices = pd.DataFrame(
        {"parameter": ["a", "b"], "S1": [0.1, 0.5], "S1_conf": [0.02, 0.03], "ST": [0.2, 0.7], "ST_conf": [0.04, 0.05]}
    )
    bars = index_bars(indices, "sobol")
    assert list(bars["parameter"]) == ["b", "b", "a", "a"]
    assert list(bars["value"]) == [0.5, 0.7, 0.1, 0.2] and list(bars["conf"]) == [0.03, 0.05, 0.02, 0.04]
    meta = {"method": "sobol", "parameters": [{"key": "a", "lo": 0, "hi": 1}, {"key": "b", "lo": 2, "hi": 3}]}
    cells = indices_cells(indices, meta)
    assert cells.to_numpy().tolist() == [
        ["b", "2 .. 3", "0.500 ± 0.030", "0.700 ± 0.050"],
        ["a", "0 .. 1", "0.100 ± 0.020", "0.200 ± 0.040"],
    ]
    morris = pd.DataFrame(
        {"parameter": ["a"], "mu": [-0.02], "mu_star": [0.03], "mu_star_conf": [0.01], "sigma": [0.005]}
    )
    assert index_bars(morris, "morris")["conf"].isna().tolist() == [False, True]  # sigma has no interval
    assert indices_cells(morris, {"method": "morris", "kpi_kind": "pct"}).iloc[0, 2:].tolist() == [
        "-2.00 pp",
        "3.00 pp ± 1.00 pp",
        "0.50 pp",
    ]


def test_morris_mu_star_error_bars_stop_at_zero_and_the_axis_names_the_currency():
    # mu* is a mean of absolute effects: its interval (mean +- half-width) is cut at 0 below, not above
    morris = pd.DataFrame(
        {
            "parameter": ["small", "large"],
            "mu": [0.0, -900.0],
            "mu_star": [200.0, 1000.0],
            "mu_star_conf": [500.0, 300.0],
            "sigma": [50.0, 10.0],
        }
    )
    bars = index_bars(morris, "morris").set_index(["parameter", "index"])
    assert (bars.loc[("small", "mu_star"), ["err_low", "err_high"]] == [200.0, 500.0]).all()
    assert (bars.loc[("large", "mu_star"), ["err_low", "err_high"]] == [300.0, 300.0]).all()
    assert (bars.loc[("large", "sigma"), ["err_low", "err_high"]] == [0.0, 0.0]).all()
    meta = {"method": "morris", "output": "NPV of Focal", "kpi": "npv", "kpi_kind": "money"}
    fig = plot_indices(morris, "morris", meta, units=ReportUnits(currency="CHF"))
    ax = fig.axes[0]
    (mu_star,) = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]  # sigma has no interval
    ends = np.concatenate([seg[:, 0] for seg in mu_star.lines[2][0].get_segments()])
    assert ends.min() == 0.0 and ends.max() == 1300.0
    assert "CHF" in ax.get_xlabel() and "NPV over 104 weeks at 8% a year" in ax.get_xlabel()
    sobol = pd.DataFrame({"parameter": ["a"], "S1": [0.01], "S1_conf": [0.05], "ST": [0.02], "ST_conf": [0.01]})
    assert index_bars(sobol, "sobol")["err_low"].tolist() == [0.05, 0.01]  # estimates, not clipped


# --------------------------------------------------------------------- the command


def command(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run the console script ``loyalty-sim-sensitivity`` as a user would."""
    script = Path(sys.executable).with_name("loyalty-sim-sensitivity")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "experiments.analysis.sensitivity"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([*cmd, *args], cwd=cwd, capture_output=True, text=True, timeout=300, env=env)


@pytest.mark.slow
def test_the_command_writes_every_output_with_one_row_per_parameter(tmp_path):
    out = tmp_path / "run"
    res = command(*TINY, "sensitivity.workers=1", f"hydra.run.dir={out}", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    for name in ("samples.parquet", "indices.csv", "sensitivity.md", "figures/sensitivity.png", "config.yaml"):
        assert (out / name).stat().st_size > 0, name
    indices = pd.read_csv(out / "indices.csv")
    keys = ["market.customers.visits_per_year_mean", "market.firms.0.price"]
    assert list(indices.columns) == ["parameter", *INDEX_COLUMNS["morris"]]
    assert sorted(indices["parameter"]) == sorted(keys)
    samples = pd.read_parquet(out / "samples.parquet")
    assert list(samples.columns) == ["point", *keys, "output"] and len(samples) == 2 * 3
    assert samples["market.firms.0.price"].between(0.9, 1.1).all() and np.isfinite(samples["output"]).all()
    assert yaml.safe_load((out / "config.yaml").read_text())["sensitivity"]["method"] == "morris"
    report = (out / "sensitivity.md").read_text()
    assert "figures/sensitivity.png" in report and all(f"| {k} |" in report for k in keys)
    assert all(k in res.stdout for k in keys) and "mu*" in res.stdout
    assert not list(out.rglob(".tmp-*"))


@pytest.mark.slow
def test_results_do_not_depend_on_the_number_of_workers(tmp_path):
    cfg = compose_sensitivity([*TINY, "sensitivity.scenario=price_war", "sensitivity.difference_from=baseline"])
    one = run_and_write({**cfg, "sensitivity": {**cfg["sensitivity"], "workers": 1}}, tmp_path / "one")
    two = run_and_write({**cfg, "sensitivity": {**cfg["sensitivity"], "workers": 2}}, tmp_path / "two")
    np.testing.assert_array_equal(one.outputs, two.outputs)
    pd.testing.assert_frame_equal(
        pd.read_csv(tmp_path / "one" / "indices.csv"), pd.read_csv(tmp_path / "two" / "indices.csv")
    )
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "one" / "samples.parquet"), pd.read_parquet(tmp_path / "two" / "samples.parquet")
    )
    assert np.ptp(one.outputs) > 0  # the parameters do move the price war's payoff


@pytest.mark.parametrize(
    "override, message",
    [
        ("sensitivity.parameters.0.lo=31.2", "sensitivity.parameters[0].lo = 31.2: must be below hi (31.2)"),
        (
            "sensitivity.parameters.0.hi=20000",
            "sensitivity.parameters[0].hi = 20000: market.customers.visits_per_year_mean must be in (0.0, 10000.0]",
        ),
        (
            "sensitivity.parameters.1.key=market.customers.nope",
            "sensitivity.parameters[1].key = 'market.customers.nope': unknown key; allowed under market.customers: ",
        ),
        ("sensitivity.kpi=nope", "sensitivity.kpi = 'nope': must be one of 'npv', "),
    ],
)
def test_bad_input_is_one_line_naming_the_key_exit_2_and_nothing_written(
    override, message, tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stop:
        main([*TINY, override, f"hydra.run.dir={tmp_path / 'run'}"])
    assert stop.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {message}"), lines
    assert not list(tmp_path.iterdir())


@pytest.mark.slow
@pytest.mark.parametrize(
    "override, message",
    [
        ("sensitivity.method=fast", "sensitivity.method = 'fast': must be one of 'morris', 'sobol'"),
        (
            "sensitivity.parameters.0.key=market.name",
            "sensitivity.parameters[0].key = 'market.name': must name a numeric key",
        ),
        ("sensitivity.parameters.1.key=market.firms.5.price", "market.firms is a list of 3 entries"),
        ("sensitivity.parameters.1.key=sensitivity.seed", "must be a key of market or experiment"),
        ("sensitivity.parameters.1.key=market.customers.visits_per_year_mean", "already sensitivity.parameters[0]"),
        ("sensitivity.scenario=nope", "sensitivity.scenario = 'nope': must be one of the experiment's scenarios"),
        ("sensitivity.difference_from=baseline", "sensitivity.difference_from = 'baseline': must differ from"),
        ("sensitivity.firm=Nobody", "sensitivity.firm = 'Nobody': must be one of the market's firms"),
        ("sensitivity=sobol", None),
        ("sensitivity.method=sobol", None),  # samples = 2 is a power of 2
        ("sensitivity.levels=5", "sensitivity.levels = 5: must be even"),
        ("sensitivity.foo=1", "sensitivity.foo = 1: unknown key"),
    ],
)
def test_further_bad_input_is_named(override, message):
    found = check_overrides([*TINY, override])
    if message is None:
        assert found is None
    else:
        assert found is not None and message in found, found


def test_a_sobol_sample_size_must_be_a_power_of_2():
    assert check_overrides([*TINY, "sensitivity.method=sobol", "sensitivity.samples=12"]) == (
        "sensitivity.samples = 12: must be a power of 2 for method sobol (e.g. 8, 16, 32, 64)"
    )
