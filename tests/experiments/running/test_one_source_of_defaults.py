"""Every default is written once, in its config class: presets name a key to
change it, or to let a search vary it (``${strategy_default:...}``), but do
not copy its value."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
import yaml

from experiments.running.schema import strategy_default
from sim.config import ConfigError, MarketConfig
from strategies.registry import REGISTRY, load_builtin

CONF = Path(__file__).resolve().parents[3] / "conf"
#: a preset value equal to the default that the preset states on purpose: the
#: retail_consideration market was calibrated with this key (its comment says so)
STATED = {("retail_consideration", "customers.consideration_per_year")}


def _copied_scalars(data: dict, defaults: dict, path: str = "") -> list[str]:
    """Keys of ``data`` (sections walked, lists not: a list replaces the default's) equal to their default."""
    out = []
    for key, value in data.items():
        default = defaults.get(key, dataclasses.MISSING)
        if isinstance(value, dict) and isinstance(default, dict):
            out += _copied_scalars(value, default, f"{path}{key}.")
        elif key != "name" and not isinstance(value, (list, dict)) and value == default:
            out.append(f"{path}{key}")
    return out


@pytest.mark.parametrize("preset", sorted(p.stem for p in (CONF / "market").glob("*.yaml")))
def test_a_market_preset_does_not_copy_a_default(preset):
    data = yaml.safe_load((CONF / "market" / f"{preset}.yaml").read_text()) or {}
    data.pop("defaults", None)
    copied = [k for k in _copied_scalars(data, dataclasses.asdict(MarketConfig())) if (preset, k) not in STATED]
    assert not copied, f"conf/market/{preset}.yaml restates defaults: {copied}"


def _literal_strategy_defaults(node: Any) -> list[str]:
    """``strategy.key`` of every strategy mapping in ``node`` that gives a parameter its default as a literal."""
    out = []
    if isinstance(node, dict):
        if node.get("name") in REGISTRY:
            defaults = REGISTRY[node["name"]].config_class()
            for key, value in node.items():
                literal = not (isinstance(value, str) and value.startswith("${"))
                if key != "name" and literal and hasattr(defaults, key) and value == getattr(defaults, key):
                    out.append(f"{node['name']}.{key}")
        for value in node.values():
            out += _literal_strategy_defaults(value)
    elif isinstance(node, list):
        for value in node:
            out += _literal_strategy_defaults(value)
    return out


@pytest.mark.parametrize(
    "path",
    sorted(str(p.relative_to(CONF)) for group in ("sensitivity", "optimise") for p in (CONF / group).glob("*.yaml")),
)
def test_a_search_preset_names_the_parameters_it_varies_without_copying_their_defaults(path):
    load_builtin()
    data = yaml.safe_load((CONF / path).read_text()) or {}
    copied = _literal_strategy_defaults(data)
    params = (data.get("optimise") or {}).get("params") or {}
    strategy = (data.get("optimise") or {}).get("strategy")
    if strategy in REGISTRY:
        copied += _literal_strategy_defaults({"name": strategy, **params})
    assert not copied, f"conf/{path} copies strategy defaults: {copied}"


def test_strategy_default_reads_the_config_class():
    assert strategy_default("price_war", "depth") == REGISTRY["price_war"].config_class().depth
    events = strategy_default("club_marketing", "events")
    assert events[0]["kind"] == "lecture" and isinstance(events[0], dict)  # plain data for OmegaConf


def test_strategy_default_names_what_is_wrong():
    with pytest.raises(ConfigError, match="unknown strategy"):
        strategy_default("nosuch", "depth")
    with pytest.raises(ConfigError, match="has no parameter 'deep'"):
        strategy_default("price_war", "deep")
