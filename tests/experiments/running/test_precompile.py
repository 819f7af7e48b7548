"""Compiling ahead (``make setup``): every kind of market a user runs is covered."""

from __future__ import annotations

import pytest

from sim.config_loading import CONF_DIR
from experiments.running.precompile import TINY, main, runs


def test_every_named_experiment_and_every_market_preset_is_compiled_ahead():
    chosen = runs()
    experiments = {a.split("=", 1)[1] for o in chosen for a in o if a.startswith("experiment=")}
    markets = {a.split("=", 1)[1] for o in chosen for a in o if a.startswith("market=")}
    assert experiments == {p.stem for p in (CONF_DIR / "experiment").glob("*.yaml")}
    assert markets == {p.stem for p in (CONF_DIR / "market").glob("*.yaml")}
    assert any("experiment.record_transactions=true" in o for o in chosen)  # the purchase log's rules


@pytest.mark.slow
def test_the_tiny_market_is_a_valid_experiment_on_every_run():
    from experiments.running.app import compose_app
    from experiments.running.config import validate_experiment

    for overrides in runs():
        validate_experiment(compose_app([*overrides, *TINY]))


def test_an_argument_is_refused_with_status_2(capsys):
    assert main(["--fast"]) == 2
    assert capsys.readouterr().err.startswith("usage: python -m experiments.running.precompile")
