"""The engine finds strategies through the ``loyalty_sim.strategies`` entry
point, so that it imports nothing from the strategies package."""

from __future__ import annotations

import pytest

import sim.strategy_provider as provider
from sim.config import ConfigError


def test_a_firms_strategy_names_become_the_installed_providers_strategies():
    (war,) = provider.resolve_strategies(["price_war"])
    assert type(war).__module__ == "strategies.price_war"


def test_a_firm_with_no_strategies_needs_no_provider(monkeypatch):
    monkeypatch.setattr(provider, "_provider", lambda: pytest.fail("looked for a provider"))
    assert provider.resolve_strategies([]) == []
    assert provider.resolve_strategies(None) == []


def test_without_an_installed_provider_a_named_strategy_is_one_line_of_bad_input(monkeypatch):
    provider._provider.cache_clear()
    monkeypatch.setattr(provider, "entry_points", lambda group: [])
    try:
        with pytest.raises(ConfigError, match=r"^strategies = \(none installed\): .*make setup") as e:
            provider.resolve_strategies(["price_war"])
        assert "\n" not in str(e.value)
    finally:
        provider._provider.cache_clear()
