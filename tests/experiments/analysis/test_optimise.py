"""loyalty-sim-optimise: the Optuna sweep of a strategy's parameters.

The sweeps run the console script as a user would (no ``-m``: the config
sets ``hydra.mode: MULTIRUN``) on a tiny market, seeded, so that each
takes a few seconds and gives the same trials every time.
"""

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

from experiments.analysis.optimise import (
    Evaluation,
    check_directions,
    check_overrides,
    compose_optimise,
    evaluate,
    main,
)
from experiments.analysis.pareto import (
    best_so_far,
    front_table,
    optimisation_markdown,
    pareto_front,
    start_is_best,
    summary_lines,
    trials_table,
)
from sim.config import ConfigError

ROOT = Path(__file__).resolve().parents[3]
#: a tiny market: a trial (baseline + candidate, 3 replications) takes about 1.5 s on one core
TINY = [
    "market.n_customers=400",
    "market.burn_in=20",
    "market.steps=26",
    "experiment.replications=3",
    "experiment.workers=1",
]
#: the price-war search of conf/optimise/price_war.yaml, 8 trials of which TPE models 4
PRICE_WAR = ["optimise=price_war", *TINY, "hydra.sweeper.n_trials=8", "hydra.sweeper.sampler.n_startup_trials=4"]


def optimise(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the console script ``loyalty-sim-optimise``."""
    script = Path(sys.executable).with_name("loyalty-sim-optimise")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "experiments.analysis.optimise"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([*cmd, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)


def container_of(overrides: list[str]) -> dict:
    """The job config (without Hydra's node) of ``overrides``, as a trial sees it."""
    from omegaconf import OmegaConf

    cfg = compose_optimise(overrides)
    return {k: OmegaConf.to_container(cfg[k], resolve=True) for k in cfg if k != "hydra"}


# --------------------------------------------------------------------------- the front
def test_the_pareto_front_of_hand_made_points():
    points = np.array(
        [
            [1.0, 5.0],  # 0 front
            [2.0, 4.0],  # 1 front
            [3.0, 3.0],  # 2 front
            [2.0, 2.0],  # 3 dominated by 1 and 2
            [1.0, 5.0],  # 4 equal to 0: equal points do not dominate each other
            [0.5, 5.0],  # 5 dominated by 0 (worse in one, equal in the other)
            [3.0, 2.5],  # 6 dominated by 2
            [np.nan, 9.0],  # 7 never on the front, dominates nothing
            [-1.0, 0.0],  # 8 dominated by all
        ]
    )
    assert pareto_front(points).tolist() == [True, True, True, False, True, False, False, False, False]
    # three objectives: a point better in the third survives
    three = np.array([[1, 1, 1], [2, 2, 0], [1, 1, 0], [2, 2, 1]], dtype=float)
    assert pareto_front(three).tolist() == [False, False, False, True]
    assert pareto_front(np.empty((0, 2))).tolist() == []
    with pytest.raises(ValueError, match="must be 2-D"):
        pareto_front([1.0, 2.0])


def test_the_front_table_is_sorted_along_the_trade_off_and_best_so_far_skips_infeasible_trials():
    trials = pd.DataFrame(
        {"trial": range(5), "npv": [10.0, 30.0, 20.0, 5.0, 30.0], "retention_rate": [0.9, 0.5, 0.7, 0.6, 0.4]}
    )
    front = front_table(trials, ["npv", "retention_rate"])
    assert front["trial"].tolist() == [1, 2, 0]  # highest npv first; trial 4 is dominated by 1
    scores = [5.0, 9.0, 7.0, 12.0, 11.0]
    best = best_so_far(scores, [False, True, True, False, True])
    assert np.isnan(best[0]) and best[1:].tolist() == [9.0, 9.0, 9.0, 11.0]


def test_the_score_is_the_objective_less_a_penalty_per_point_below_the_floor():
    common = dict(
        strategy="price_war",
        params={},
        objective_kpi="npv",
        retention_kpi="retention_rate",
        floor_penalty=0.5,
        baseline_objective=-2000.0,
        baseline_retention=0.7,
        replications=2,
        seed=0,
    )
    met = Evaluation(mode="single", retention_floor=0.6, objective=-1500.0, retention=0.65, **common)
    short = Evaluation(mode="single", retention_floor=0.7, objective=-1500.0, retention=0.675, **common)
    assert met.feasible and met.score == met.returned == -1500.0
    assert not short.feasible and short.shortfall_points == pytest.approx(2.5)
    assert short.score == pytest.approx(-1500.0 - 0.5 * 2000.0 * 2.5)
    pareto = Evaluation(mode="pareto", retention_floor=0.7, objective=-1500.0, retention=0.675, **common)
    assert pareto.returned == (-1500.0, 0.675)  # two objectives: the floor is not applied


def test_a_trial_records_its_difference_from_the_baseline_with_its_interval():
    common = dict(
        strategy="price_war",
        params={"depth": 0.2},
        mode="single",
        objective_kpi="npv",
        retention_kpi="retention_rate",
        retention_floor=0.0,
        floor_penalty=1.0,
        objective=-1500.0,
        retention=0.7,
        baseline_objective=-1000.0,
        baseline_retention=0.7,
        replications=2,
        seed=0,
    )
    with_ci = Evaluation(**common, objective_diff=-500.0, objective_ci=(-800.0, -200.0), confidence=0.95)
    record = with_ci.record(3, 1.0)
    assert record["objective_diff"] == -500.0 and record["objective_ci"] == [-800.0, -200.0]
    assert record["confidence"] == 0.95 and record["retention_ci"] is None
    row = trials_table([record]).iloc[0]
    assert (row["npv_diff"], row["npv_ci_low"], row["npv_ci_high"]) == (-500.0, -800.0, -200.0)
    one_sided = Evaluation(**common, objective_diff=-500.0, objective_ci=(float("nan"), float("nan"))).record(4, 1.0)
    assert one_sided["objective_ci"] == [None, None]  # (JSON has no NaN)
    assert "npv_diff" not in trials_table([Evaluation(**common).record(5, 1.0)]).columns  # none recorded


# --------------------------------------------------------------------------- the summary
def record(trial, depth, objective, retention=0.7, floor=0.0, diff=None, ci=None, mode="single") -> dict:
    """A trial.json as a trial writes it (baseline npv -10,000, penalty 1 x |baseline| per point)."""
    shortfall = max(0.0, 100 * (floor - retention))
    return {
        "trial": trial,
        "strategy": "price_war",
        "params": {"depth": depth, "duration": 12},
        "mode": mode,
        "objective_kpi": "npv",
        "retention_kpi": "retention_rate",
        "objective": objective,
        "retention": retention,
        "baseline_objective": -10_000.0,
        "baseline_retention": 0.7,
        "retention_floor": floor,
        "floor_penalty": 1.0,
        "shortfall_points": shortfall,
        "feasible": shortfall == 0.0,
        "score": objective - 10_000.0 * shortfall,
        "objective_diff": diff,
        "objective_ci": ci,
    }


OPT = {"strategy": "price_war", "mode": "single", "objective": "npv", "retention": "retention_rate"}


def test_the_summary_names_the_best_trial_with_its_parameters_value_and_interval():
    trials = trials_table(
        [
            record(0, 0.3, -20_000.0, diff=-10_000.0, ci=[-12_000.0, -8_000.0]),
            record(1, 0.05, -12_000.0, diff=-2_000.0, ci=[-3_100.0, -900.0]),
        ]
    )
    start = record("start", 0.2, -14_781.0, diff=-4_781.0, ci=[-6_000.0, -3_500.0])
    lines = summary_lines(trials, start, {**OPT, "retention_floor": 0.0}, ["depth"], {"best_value": -12_000.0}, 0.95)
    assert lines[0] == "price_war: 2 trials"
    assert lines[1] == (
        "best trial: trial 1: depth=0.05 -> npv -12,000 (-2,000 [-3,100, -900] against the baseline, 95% interval), "
        "retention_rate 70.00%; score -12,000"
    )
    assert lines[2].startswith("starting point: depth=0.2 -> npv -14,781 (-4,781 [-6,000, -3,500] against the baseline")
    assert lines[3] == "trial 1 improves on the starting point: score +2,781, npv +2,781"
    assert "Optuna's 'Best value' (-12,000) is trial 1's score" in lines[4]
    assert not start_is_best(trials, start)


def test_the_summary_says_when_the_starting_point_beats_every_trial():
    trials = trials_table([record(0, 0.3, -20_000.0), record(1, 0.05, -16_000.0)])  # no intervals recorded
    start = record("start", 0.2, -14_781.0)
    assert start_is_best(trials, start)
    lines = summary_lines(trials, start, {**OPT, "retention_floor": 0.0}, ["depth"], {"best_value": -16_000.0})
    assert (
        lines[1] == "the starting point is best: no trial improved on it (its score -14,781, the best trial's -16,000)"
    )
    assert lines[2] == "starting point: depth=0.2 -> npv -14,781, retention_rate 70.00%; score -14,781"
    assert lines[3].startswith("best trial: trial 1: depth=0.05 -> npv -16,000,")
    assert (
        "Optuna's 'Best value' (-16,000) is trial 1's score, the best of its trials; the starting point is not"
        in lines[4]
    )
    # the report says it too, in bold, with the start's value
    container = {
        "optimise": {**OPT, "retention_floor": 0.0, "floor_penalty": 1.0},
        "experiment": {"seed": 0, "replications": 2, "focal_firm": "Focal"},
        "market": {"name": "retail", "n_customers": 300, "steps": 20, "burn_in": 10},
    }
    sweeper = {"params": {"optimise.params.depth": "interval(0.05, 0.5)"}}
    text = optimisation_markdown(container, sweeper, [], trials, start, {"best_value": -16_000.0})
    assert "- **the starting point is best: no trial improved on it (its score -14,781" in text


def test_with_a_floor_the_side_that_meets_it_is_best():
    floor = {**OPT, "retention_floor": 0.69}
    below = record("start", 0.2, -5_000.0, retention=0.6, floor=0.69)  # high npv, but below the floor
    meets = [record(0, 0.3, -20_000.0, retention=0.7, floor=0.69), record(1, 0.1, -9_000.0, retention=0.5, floor=0.69)]
    trials = trials_table(meets)
    assert not start_is_best(trials, below)
    lines = summary_lines(trials, below, floor, ["depth"])
    assert lines[1].startswith("best trial meeting the floor of 69.00% (1 of 2 do): trial 0: depth=0.3")
    assert lines[2].endswith("below the floor; score -95,000") and lines[3].startswith("trial 0 improves")
    none_meet = trials_table([record(0, 0.3, -9_000.0, retention=0.6, floor=0.69)])
    fine = record("start", 0.2, -14_781.0, retention=0.7, floor=0.69)
    assert start_is_best(none_meet, fine)  # it meets the floor and no trial does, whatever the scores
    assert summary_lines(none_meet, fine, floor, ["depth"])[1].startswith(
        "the starting point is best: no trial improved"
    )


def test_the_pareto_summary_lists_the_front_and_whether_any_trial_beats_the_start():
    pareto = {**OPT, "mode": "pareto", "retention_floor": 0.0}
    records = [record(0, 0.3, -20_000.0, 0.75), record(1, 0.1, -9_000.0, 0.6), record(2, 0.2, -21_000.0, 0.55)]
    trials = trials_table(records)
    lines = summary_lines(trials, record("start", 0.2, -8_000.0, 0.8), pareto, ["depth"])
    assert lines[1] == "2 of 3 trials on the Pareto front of npv and retention_rate, highest npv first:"
    assert lines[2].startswith("  trial 1: depth=0.1") and lines[3].startswith("  trial 0: depth=0.3")
    assert lines[-1] == (
        "the starting point is best: no trial improved on it (it beats every trial in npv and retention_rate)"
    )
    lines = summary_lines(trials, record("start", 0.2, -15_000.0, 0.7), pareto, ["depth"])
    assert lines[-1] == "no trial improved on the starting point in both npv and retention_rate: it is on the front"
    lines = summary_lines(trials, record("start", 0.2, -25_000.0, 0.5), pareto, ["depth"])
    assert lines[-1] == "3 trial(s) improve on the starting point in both npv and retention_rate (trial 0, 1, 2)"


# --------------------------------------------------------------------------- single objective
@pytest.fixture(scope="module")
def single_sweep(tmp_path_factory) -> Path:
    """The price-war search without a floor: 8 seeded TPE trials."""
    folder = tmp_path_factory.mktemp("single")
    sweep = folder / "sweep"
    res = optimise(*PRICE_WAR, "optimise.retention_floor=0", f"hydra.sweep.dir={sweep}", cwd=folder)
    assert res.returncode == 0, res.stderr[-3000:]
    (folder / "stdout.txt").write_text(res.stdout)
    (folder / "stderr.txt").write_text(res.stderr)
    return sweep


@pytest.mark.slow
def test_the_single_objective_sweep_writes_every_trial_and_its_report(single_sweep):
    trials = pd.read_csv(single_sweep / "trials.csv")
    assert trials["trial"].tolist() == list(range(8))
    assert {"depth", "duration", "npv", "retention_rate", "baseline_npv", "feasible", "score"} <= set(trials.columns)
    assert trials["depth"].between(0.05, 0.5).all() and trials["duration"].between(1, 26).all()
    assert trials["duration"].nunique() > 1  # the sweeper really varied the parameters
    assert (trials["score"] == trials["npv"]).all()  # no floor: nothing is penalised
    assert trials["baseline_npv"].nunique() == 1  # every trial on the same seeds
    optuna = yaml.safe_load((single_sweep / "optimization_results.yaml").read_text())
    assert optuna["best_value"] == pytest.approx(trials["score"].max(), rel=1e-12)
    report = (single_sweep / "optimisation.md").read_text()
    best = trials.loc[trials["score"].idxmax()]
    assert f"trial {int(best['trial'])}," in report and f"{best['npv']:,.0f}" in report
    assert "the highest score in `trials.csv`" in report
    assert (single_sweep / "figures" / "history.png").stat().st_size > 0
    assert not list(single_sweep.rglob(".tmp-*"))


@pytest.mark.slow
def test_the_optimiser_improves_on_its_starting_point(single_sweep):
    """The starting point is the strategy's defaults (a 20%
    discount for 12 weeks), inside the search space. The optimiser's answer,
    Optuna's best parameters, evaluated again by the same job function, must
    score strictly better than the start, and give what the sweep recorded.
    This fails if the sweeper minimised (its best would be the worst trial),
    if a trial's value did not follow its parameters (all equal to the start,
    or not reproduced), or if trials and start ran on different seeds."""
    trials = pd.read_csv(single_sweep / "trials.csv")
    start = json.loads((single_sweep / "start" / "trial.json").read_text())
    assert start["params"]["depth"] == 0.2 and start["params"]["duration"] == 12
    again = evaluate(container_of([*PRICE_WAR, "optimise.retention_floor=0"]))
    assert again.score == start["score"] and again.objective == start["objective"]

    optuna = yaml.safe_load((single_sweep / "optimization_results.yaml").read_text())
    answer = [f"{key}={value!r}" for key, value in optuna["best_params"].items()]
    best = evaluate(container_of([*PRICE_WAR, "optimise.retention_floor=0", *answer]))
    assert best.score == pytest.approx(optuna["best_value"], rel=1e-12)
    assert best.score > start["score"]
    assert best.score == pytest.approx(trials["score"].max(), rel=1e-12)
    # on this seed the 4 random start-up trials are all worse than the start:
    # the improvement comes from the trials TPE chose
    assert (trials["score"].iloc[:4] < start["score"]).all()


@pytest.mark.slow
def test_the_sweep_prints_its_progress_and_a_summary_naming_the_best_trial(single_sweep):
    printed = (single_sweep.parent / "stdout.txt").read_text()
    progress = (single_sweep.parent / "stderr.txt").read_text()
    assert [f"{n}/8 trials done" in progress for n in range(1, 9)] == [True] * 8
    trials = pd.read_csv(single_sweep / "trials.csv")
    best = trials.loc[trials["score"].idxmax()]
    summary = printed[printed.index("optimisation summary: price_war: 8 trials") :]
    assert f"best trial: trial {int(best['trial'])}: depth=" in summary
    assert f"npv {best['npv']:,.0f} (" in summary and "against the baseline, 95% interval)" in summary
    assert f"trial {int(best['trial'])} improves on the starting point" in summary  # on this seed it does
    assert "the starting point is best" not in summary
    assert "## Summary" in (single_sweep / "optimisation.md").read_text()


@pytest.mark.slow
def test_a_floor_no_candidate_reaches_penalises_every_trial_and_says_so(tmp_path):
    sweep = tmp_path / "sweep"
    res = optimise(
        "optimise=price_war",
        *TINY,
        "experiment.replications=2",
        "hydra.sweeper.n_trials=3",
        "optimise.retention_floor=0.99",
        f"hydra.sweep.dir={sweep}",
        cwd=tmp_path,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    trials = pd.read_csv(sweep / "trials.csv")
    assert len(trials) == 3 and not trials["feasible"].any()
    shortfall = 100 * (0.99 - trials["retention_rate"])
    assert np.allclose(trials["shortfall_points"], shortfall)
    penalty = 1.0 * trials["baseline_npv"].abs() * shortfall  # floor_penalty 1.0 of price_war.yaml
    assert np.allclose(trials["score"], trials["npv"] - penalty)
    assert (trials["score"] < trials["npv"]).all()
    assert "**No trial met the retention floor**" in (sweep / "optimisation.md").read_text()


# --------------------------------------------------------------------------- two objectives
@pytest.mark.slow
def test_the_two_objective_sweep_reports_the_pareto_front(tmp_path):
    sweep = tmp_path / "sweep"
    res = optimise(
        "optimise=pareto",
        *TINY,
        "experiment.replications=2",
        "hydra.sweeper.n_trials=8",
        "hydra.sweeper.sampler.population_size=4",
        f"hydra.sweep.dir={sweep}",
        cwd=tmp_path,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    trials = pd.read_csv(sweep / "trials.csv")
    front = pd.read_csv(sweep / "pareto.csv")
    assert len(trials) == 8 and 1 <= len(front) <= 8
    values = trials[["npv", "retention_rate"]].to_numpy()
    for _, row in front.iterrows():  # no trial dominates a front point
        p = row[["npv", "retention_rate"]].to_numpy(dtype=float)
        assert not ((values >= p).all(axis=1) & (values > p).any(axis=1)).any()
    off = trials[~trials["trial"].isin(front["trial"])]
    for _, row in off.iterrows():  # every other trial is dominated
        p = row[["npv", "retention_rate"]].to_numpy(dtype=float)
        assert ((values >= p).all(axis=1) & (values > p).any(axis=1)).any()
    solutions = yaml.safe_load((sweep / "optimization_results.yaml").read_text())["solutions"]
    theirs = np.array(sorted(tuple(s["values"]) for s in solutions))
    mine = np.array(sorted(map(tuple, front[["npv", "retention_rate"]].to_numpy().tolist())))
    assert theirs.shape == mine.shape and np.allclose(theirs, mine, rtol=1e-12, atol=0)
    assert "same as Optuna's `best_trials` (optimization_results.yaml): yes" in (sweep / "optimisation.md").read_text()
    assert (sweep / "figures" / "pareto.png").stat().st_size > 0


# --------------------------------------------------------------------------- bad input
@pytest.mark.slow
def test_bad_input_stops_the_console_script_with_one_line(tmp_path):
    sweep = tmp_path / "sweep"
    res = optimise("optimise.strategy=nope", f"hydra.sweep.dir={sweep}", cwd=tmp_path)
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: optimise.strategy = 'nope': unknown strategy; available: club_marketing")
    assert not sweep.exists()


def test_a_parameter_out_of_range_stops_the_entry_point_before_hydra_runs(tmp_path, capsys):
    sweep = tmp_path / "sweep"
    with pytest.raises(SystemExit) as stop:
        main(["optimise=price_war", "optimise.params.depth=1.5", f"hydra.sweep.dir={sweep}"])
    assert stop.value.code == 2
    assert capsys.readouterr().err.splitlines() == ["error: optimise.params.depth = 1.5: must be in (0.0, 0.9]"]
    assert not sweep.exists()


@pytest.mark.slow
@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["optimise=price_war", "optimise.params.depth=interval(0.05, 1.5)"],
            "optimise.params.depth = 'interval(0.05, 1.5)': may draw 1.5; optimise.params.depth must be in (0.0, 0.9]",
        ),
        (["optimise.params.nope=interval(0.1, 0.2)"], "'nope' is not a parameter of win_back"),
        (["market.n_customers=int(interval(100, 500))"], "the optimiser searches the strategy's parameters"),
        (["optimise.mode=pareto"], "hydra.sweeper.direction = 'maximize': optimise.mode = pareto returns 2 value(s)"),
        (["optimise.retention_floor=1.5"], "optimise.retention_floor = 1.5: must be in [0.0, 1.0]"),
        (["optimise.objective=churn_rate"], "optimise.objective = 'churn_rate': must be one of 'npv'"),
        (["experiment.replications=1"], "experiment.replications = 1: must be in [2, 1000000]"),
    ],
)
def test_bad_config_and_search_space_are_named_in_one_line(args, message):
    error = check_overrides(args)
    assert error is not None and message in error and "\n" not in error


def test_the_shipped_searches_are_valid_and_the_sweeper_must_maximise():
    for name in ("single", "pareto", "price_war"):
        assert check_overrides([f"optimise={name}"]) is None, name
    check_directions("pareto", ["maximize", "maximize"])
    with pytest.raises(ConfigError, match="must be maximize"):
        check_directions("single", "minimize")


def test_the_pareto_figure_names_the_runs_currency_horizon_and_rate():
    from experiments.analysis.pareto import plot_pareto
    from experiments.reports.units import ReportUnits

    trials = pd.DataFrame({"npv": [1000.0, 2000.0, 1500.0], "retention_rate": [0.7, 0.6, 0.65]})
    units = ReportUnits.of_keys({"currency": "USD", "steps": 24, "steps_per_year": 12, "discount_rate": 0.1})
    fig = plot_pareto(trials, "npv", "retention_rate", units=units)
    assert fig.axes[0].get_ylabel().endswith("(USD over 24 months at 10% a year)")
    assert ReportUnits.of_keys({}) == ReportUnits.of_keys(None)  # the default market's
