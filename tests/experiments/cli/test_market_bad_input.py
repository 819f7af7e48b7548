"""Every kind of bad input stops with one line naming key, value and what is
allowed, exit status != 0, no traceback and no output folder."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from sim.config import ConfigError
from sim.model import LoyaltyModel

ROOT = Path(__file__).resolve().parents[3]
SMALL = ["market.n_customers=300", "market.burn_in=2", "market.steps=3"]
LINE = re.compile(r"^error: (?P<key>\S+) = (?P<value>.+?): (?P<allowed>.+)$")

GOOD_FIRM = "{name: B, price: 1.0}"
CASES = {
    # id: (overrides, the market node of a preset of the user's own or None, key, value fragment, allowed fragment)
    "out_of_range": (["market.customers.voice_mean=1.5"], None, "market.customers.voice_mean", "1.5", "[0.0, 1.0]"),
    "wrong_type": (["market.customers.voice_mean=lots"], None, "market.customers.voice_mean", "lots", "number"),
    "negative_price_in_yaml": (
        [],
        f"market:\n  firms:\n    - {{name: A, price: -2.5}}\n    - {GOOD_FIRM}\n",
        "market.firms[0].price",
        "-2.5",
        "[1e-06, 100.0]",
    ),
    "unknown_key": (["market.foo=1"], None, "market.foo", "1", "unknown key"),
    "unknown_key_added": (["+market.foo=1"], None, "market.foo", "1", "unknown key"),
    "unknown_top_key": (["colour=red"], None, "colour", "red", "unknown key"),
    "unknown_key_in_yaml_firm": (
        [],
        f"market:\n  firms:\n    - {{name: A, colour: red}}\n    - {GOOD_FIRM}\n",
        "market.firms[0].colour",
        "red",
        "unknown key",
    ),
    "malformed_yaml": ([], "market:\n  firms: [ {name: A\n  steps: 3\n", "market", "mine", "malformed YAML"),
    "unknown_preset": (["market=bazaar"], None, "market", "bazaar", "unknown market preset"),
    "unknown_strategy_in_yaml": (
        [],
        "market:\n  firms:\n    - {name: A, strategies: [no_such_strategy]}\n",
        "market.firms[0].strategies[0]",
        "no_such_strategy",
        "unknown strategy",
    ),
    "strategy_parameter_out_of_range": (
        ["market.firms.0.strategies=[{name: price_war, depth: 1.5}]"],
        None,
        "market.firms[0].strategies[0].depth",
        "1.5",
        "(0.0, 0.9]",
    ),
    "strategy_unknown_parameter": (
        ["market.firms.1.strategies=[{name: win_back, colour: 2}]"],
        None,
        "market.firms[1].strategies[0].colour",
        "2",
        "unknown key",
    ),
    "bad_override_syntax": (["seed=="], None, "seed", "=", "override"),
    "sweep": (["market=retail,subscription"], None, "market", "retail,subscription", "one value"),
    "firm_entry_not_a_mapping": (["market.firms.0=3"], None, "market.firms[0]", "3", "mapping"),
    "preset_added_to_the_chosen_one": (["+market=subscription"], None, "market", "subscription", "chosen already"),
    "strategy_index_out_of_range": (
        ["market.firms.0.strategies.3.depth=0.1"],
        None,
        "market.firms[0].strategies[3].depth",
        "0.1",
        "index out of range",
    ),
    "firm_index_out_of_range": (["market.firms.7.price=1"], None, "market.firms[7].price", "1", "out of range"),
    "bad_choice": (["market.network.reorder=spiral"], None, "market.network.reorder", "spiral", "one of"),
    "survey_cut_point_out_of_range": (
        ["market.survey.intent_definitely_from=1.2"],
        None,
        "market.survey.intent_definitely_from",
        "1.2",
        "[0.0, 1.0]",
    ),
    "survey_cut_points_not_rising": (
        ["market.survey.csat_satisfied_from=1.0"],
        None,
        "market.survey.csat_satisfied_from",
        "1.0",
        "must be below",
    ),
    "survey_cut_points_not_rising_in_yaml": (
        [],
        "market:\n  survey: {intent_might_from: 0.2}\n",
        "market.survey.intent_probably_not_from",
        "0.2",
        "must rise",
    ),
}


def run_cli(args: list[str], cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "experiments.cli.market", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


@pytest.mark.slow
@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_stops_with_one_line(case, tmp_path):
    overrides, yaml_text, key, value, allowed = CASES[case]
    out = tmp_path / "outputs"
    args = [*SMALL, f"output_dir={out}", *overrides]
    if yaml_text is not None:  # a preset of the user's own, on top of retail
        preset = tmp_path / "conf" / "market" / "mine.yaml"
        preset.parent.mkdir(parents=True)
        market = textwrap.dedent(yaml_text.removeprefix("market:\n"))
        preset.write_text("defaults:\n  - retail\n  - _self_\n\n" + market)
        args += ["--config-dir", str(tmp_path / "conf"), "market=mine"]
    proc = run_cli(args)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{proc.stderr}"
    m = LINE.match(lines[0])
    assert m, lines[0]
    assert m["key"] == key
    assert value in m["value"]
    assert allowed in m["allowed"]
    assert "Traceback" not in proc.stderr
    assert not out.exists(), "bad input left an output folder"


def test_unknown_option(tmp_path):
    proc = run_cli(["--frobnicate", f"output_dir={tmp_path / 'o'}"])
    assert proc.returncode == 2
    (line,) = proc.stderr.splitlines()
    assert LINE.match(line) and "--frobnicate" in line and "key=value" in line
    assert not (tmp_path / "o").exists()


def test_api_rejects_zero_customers():
    with pytest.raises(ConfigError, match=r"n_customers = 0: must be in \[1, "):
        LoyaltyModel(n_customers=0)


def test_api_rejects_unknown_keyword():
    with pytest.raises(ConfigError, match=r"market\.colour = 'red': unknown key"):
        LoyaltyModel(n_customers=100, burn_in=0, colour="red")


def test_in_process_main_exits_with_2(tmp_path, capsys):
    from experiments.cli.market import main

    with pytest.raises(SystemExit) as stop:
        main([*SMALL, f"output_dir={tmp_path / 'o'}", "market.customers.voice_mean=1.5"])
    assert stop.value.code == 2
    err = capsys.readouterr().err.splitlines()
    assert err == ["error: market.customers.voice_mean = 1.5: must be in [0.0, 1.0]"]
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    "overrides, key", [({"firms": [3]}, "market.firms[0] = 3"), ({"customers": 3}, "market.customers = 3")]
)
def test_a_non_mapping_entry_names_its_key(overrides, key):
    from sim.config import market_config

    with pytest.raises(ConfigError, match=re.escape(key) + ": must be a mapping"):
        market_config(**overrides)
