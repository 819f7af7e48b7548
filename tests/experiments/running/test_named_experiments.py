"""The named experiments of conf/experiment/: one per lesson
of the model. Each composes through Hydra and validates, is named after its
file, describes its lesson and every scenario, names a baseline it has, and
runs end to end (tiny)."""

from __future__ import annotations

import pytest

from sim.config_loading import CONF_DIR
from experiments.running.app import check_overrides, compose_app as compose

EXPERIMENTS = sorted(p.stem for p in (CONF_DIR / "experiment").glob("*.yaml"))
#: the lessons that must have a named experiment
LESSONS = (
    "price_war",
    "quality_vs_service",
    "club_payoff",
    "service_profit_chain",
    "layoffs_downturn",
    "captive_rival_entry",
    "complaint_iceberg",
    "win_back",
)
#: a tiny run of any experiment: a short, small market, two replications
TINY = [
    "experiment.replications=2",
    "experiment.workers=1",
    "experiment.progress=false",
    "experiment.figures=false",
    "market.n_customers=300",
    "market.burn_in=10",
    "market.steps=8",
]


def test_every_lesson_has_a_named_experiment():
    assert set(LESSONS) <= set(EXPERIMENTS)


@pytest.mark.slow
@pytest.mark.parametrize("name", EXPERIMENTS)
def test_named_experiment_composes_and_validates(name):
    assert check_overrides([f"experiment={name}"]) is None
    from experiments.running.runner import experiment_config

    market, exp = experiment_config(compose([f"experiment={name}"]))
    assert exp.name == name
    assert exp.description.strip()
    scenarios = [s if isinstance(s, dict) else vars(s) for s in exp.scenarios]
    names = [s["name"] for s in scenarios]
    assert exp.baseline in names
    assert len(names) >= 2 and len(set(names)) == len(names)
    for s in scenarios:
        assert str(s.get("description", "")).strip(), f"{name}: scenario {s['name']!r} has no description"
    assert exp.focal_firm in [f.name for f in market.firms]


def test_named_experiment_files_are_global_packages():
    for name in EXPERIMENTS:
        text = (CONF_DIR / "experiment" / f"{name}.yaml").read_text()
        assert text.startswith("# @package _global_"), name


@pytest.mark.slow
def test_every_named_experiment_runs_tiny():
    """Every named experiment end to end on a tiny market: one runs row per
    scenario x replication x firm, and the focal firm's comparison is finite."""
    from experiments.running.runner import experiment_config, run_experiment
    from experiments.running.statistics import compare

    for name in EXPERIMENTS:
        market, exp = experiment_config(compose([f"experiment={name}", *TINY]))
        result = run_experiment(market, exp)
        runs = result.runs
        firms = [f.name for f in market.firms]
        scenarios = [s.name for s in result.scenarios]
        assert len(runs) == len(scenarios) * exp.replications * len(firms), name
        assert sorted(runs.groupby(["scenario", "replication", "firm"]).size().unique()) == [1], name
        assert set(runs["scenario"]) == set(scenarios), name
        assert set(runs["firm"]) == set(firms), name
        table = compare(runs, exp.baseline, exp.focal_firm, exp.kpis)
        assert len(table) == len(scenarios) * len(exp.kpis), name
        base = table[table.scenario == exp.baseline]
        assert (base["diff"] == 0).all(), name
