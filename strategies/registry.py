"""Registry of strategies: a decorator registers a class by its ``name``;
strategies may be given by name, by config dict or as instances."""

from __future__ import annotations

import dataclasses
from typing import Any

from sim.config import ConfigError
from strategies.base import Strategy

REGISTRY: dict[str, type[Strategy]] = {}


def register(cls: type[Strategy]) -> type[Strategy]:
    """Class decorator: make a strategy available by its ``name`` and store its
    config schema in Hydra's ConfigStore (group ``strategy``)."""
    if not cls.name:
        raise TypeError(f"{cls.__name__} needs a class attribute 'name'")
    REGISTRY[cls.name] = cls
    try:
        from hydra.core.config_store import ConfigStore
        ConfigStore.instance().store(group="strategy", name=f"{cls.name}_schema", node=cls.config_class)
    except ImportError:  # pragma: no cover
        pass
    return cls


def available() -> list[str]:
    return sorted(REGISTRY)


def make_strategy(spec: Any) -> Strategy:
    """A strategy from a name, a dict with ``name`` and parameters, or an instance."""
    if isinstance(spec, Strategy):
        return spec
    if isinstance(spec, str):
        name, params = spec, {}
    else:
        try:
            params = dict(spec)
        except (TypeError, ValueError):
            raise ConfigError(f"strategy = {spec!r}: must be a name, a mapping with 'name', or a Strategy")
        name = params.pop("name", None)
    if name not in REGISTRY:
        allowed = ", ".join(available()) or "(none registered)"
        raise ConfigError(f"strategy = {name!r}: unknown strategy; available: {allowed}")
    cls = REGISTRY[name]
    fields = {f.name for f in dataclasses.fields(cls.config_class)}
    for key in params:
        if key not in fields:
            raise ConfigError(f"strategy.{name}.{key} = {params[key]!r}: unknown key; "
                              f"allowed keys: {', '.join(sorted(fields))}")
    return cls(cls.config_class(**params))


def resolve_strategies(specs: Any) -> list[Strategy]:
    return [make_strategy(s) for s in (specs or [])]
