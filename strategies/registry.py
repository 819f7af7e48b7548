"""Registry of strategies: a decorator registers a class by its ``name``;
strategies may be given by name, by config dict, as instances (of any
:class:`~strategies.base.Strategy` subclass, registered or not) or as plain
functions of a :class:`~sim.context.StepContext`, called every step at the
offer phase."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from typing import Any

from sim.config import ConfigError, describe
from sim.units import StepLength
from strategies.base import FunctionStrategy, Strategy

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


_NOT_STRATEGIES = {"base", "registry", "__main__"}
_loaded = False


def load_builtin() -> None:
    """Import every module of the ``strategies`` package, so that each
    strategy registers itself by being defined (one file, one edit)."""
    global _loaded
    if _loaded:
        return
    import strategies

    for info in pkgutil.iter_modules(strategies.__path__):
        if info.name not in _NOT_STRATEGIES:
            importlib.import_module(f"strategies.{info.name}")
    _loaded = True


def available() -> list[str]:
    """Names of the registered strategies."""
    load_builtin()
    return sorted(REGISTRY)


def catalogue() -> str:
    """Every strategy with its one-line description, then each parameter on
    a line: key, default, unit, allowed values, meaning and the source of the
    default."""
    lines = []
    for name in available():
        cls = REGISTRY[name]
        lines.append(f"{name}: {cls.description}")
        for row in describe(cls.config_class):
            lines.append(
                f"    {row.key:<30} {row.default!s:<10} {row.unit:<28} {row.allowed:<20} {row.meaning}"
                f" — source: {row.source}"
            )
    return "\n".join(lines)


def make_strategy(spec: Any) -> Strategy:
    """A strategy from a name, a dict with ``name`` and parameters, an
    instance, or a function ``f(ctx)`` (:class:`FunctionStrategy`)."""
    if isinstance(spec, Strategy):
        return spec
    if callable(spec) and not isinstance(spec, type):
        return FunctionStrategy(spec)
    if isinstance(spec, str):
        name, params = spec, {}
    else:
        try:
            params = dict(spec)
        except (TypeError, ValueError):
            raise ConfigError(
                f"strategy = {spec!r}: must be a name, a mapping with 'name', a Strategy or a function of a StepContext"
            )
        name = params.pop("name", None)
    load_builtin()
    if name not in REGISTRY:
        allowed = ", ".join(available()) or "(none registered)"
        raise ConfigError(f"strategy = {name!r}: unknown strategy; available: {allowed}")
    cls = REGISTRY[name]
    fields = {f.name for f in dataclasses.fields(cls.config_class)}
    for key in params:
        if key not in fields:
            raise ConfigError(
                f"strategy.{name}.{key} = {params[key]!r}: unknown key; allowed keys: {', '.join(sorted(fields))}"
            )
    return cls(cls.config_class(**params))  # the strategy validates and types its config


def check_strategies(where: str, specs: Any, steps: int | None = None, steps_per_year: float = 52.0) -> None:
    """Check a firm's list of strategies as a user wrote it: every entry names a
    known strategy with parameters in range and, given the horizon ``steps``
    (steps of a market with ``steps_per_year``), starts within it: its
    ``start`` week falls in one of the horizon's steps (a programme that never
    runs would make its scenario equal the baseline). Errors name the entry,
    ``<where>[j]`` or ``<where>[j].<key>``."""
    if not isinstance(specs, (list, tuple)):
        raise ConfigError(f"{where} = {specs!r}: must be a list of strategies")
    unit = StepLength(float(steps_per_year))
    for j, spec in enumerate(specs):
        entry = f"{where}[{j}]"
        try:
            strategy = make_strategy(spec)
        except ConfigError as e:
            raise ConfigError(_placed(entry, spec, e)) from None
        except (TypeError, ValueError) as e:
            raise ConfigError(f"{entry} = {spec!r}: {' '.join(str(e).split())}") from None
        start = getattr(strategy.config, "start", None)
        if steps is not None and start is not None and start > unit.last_week(steps):
            last_week, weeks = unit.last_week(steps), unit.weeks
            horizon = f"market.steps = {steps}" + ("" if weeks == 1 else f" steps of {weeks:.4g} weeks")
            raise ConfigError(
                f"{entry}.start = {start}: {strategy.name} would start after the horizon "
                f"({horizon}; start is a week); must be at most {last_week}"
            )


def _placed(entry: str, spec: Any, e: ConfigError) -> str:
    """A strategy's error placed at its list entry: ``<entry>.<key> = ...``."""
    text = " ".join(str(e).split())
    key = text.split(" = ", 1)[0]
    if key.startswith("strategy.") and key.count(".") >= 2:  # a parameter of a known strategy
        return entry + "." + key.split(".", 2)[2] + text[len(key) :]
    detail = text.split(": ", 1)[1] if ": " in text else text
    return f"{entry} = {spec!r}: {detail}"


def resolve_strategies(specs: Any) -> list[Strategy]:
    """The strategies of a firm from its config list."""
    return [make_strategy(s) for s in (specs or [])]
