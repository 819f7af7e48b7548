"""Hydra structured-config schema of the ``loyalty-sim`` app.

Registers :class:`experiments.running.config.AppConfig` as ``app_schema``, extended by
``conf/app.yaml``, next to the market schemas of :mod:`sim.schema`. The named
experiments in ``conf/experiment/`` are ``# @package _global_`` files: they
set keys of ``experiment`` and ``market`` and are checked against this schema.
It also registers the resolvers ``job_dirname`` (names a sweep job's folder,
:mod:`experiments.sweeps.plan`),
``config_groups`` (an app's ``--help``) and ``strategy_default`` (a strategy
parameter's default, for presets that name it without copying it).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import OmegaConf

import sim.schema  # noqa: F401  (market/market_schema)
from experiments.running.config import AppConfig
from strategies.registry import load_builtin
from sim.config import ConfigError
from sim.config_loading import CONF_DIR

load_builtin()  # strategy/<name>_schema
ConfigStore.instance().store(name="app_schema", node=AppConfig)


def job_dirname(overrides: Any, sweep_dir: Any = None, exclude: Any = ()) -> str:
    """A sweep job's folder name (the resolver of ``hydra.sweep.subdir``):
    ``key=value`` of every swept key with short keys, values as given, such
    as ``price=0.95,depth=0.05``, so that a re-run of the sweep finds the job
    again; the name the sweep's plan gives the job with ``overrides`` (its
    ``hydra.overrides.task``) in ``sweep_dir``, or without a plan one made
    of all its overrides but the ``exclude`` keys. ``overrides`` may also be
    Hydra's ``override_dirname`` (``key=value,...``). A hash is added only
    when the name would exceed a file name's 255 bytes or not be unique
    (:mod:`experiments.sweeps.plan`)."""
    from experiments.sweeps.plan import dirname_of, planned_name, split_top_level

    if isinstance(overrides, str):
        items = [o for o in split_top_level(overrides) if o]
    else:
        items = [str(o) for o in (overrides or [])]
    if sweep_dir is not None and not isinstance(overrides, str):
        name = planned_name(str(sweep_dir), items)
        if name is not None:
            return name
    return dirname_of(items, [str(k) for k in (exclude or [])])


def config_groups(*groups: str) -> str:
    """The options of config groups, one line per group (``group: a, b``), for
    an app's ``--help``: the named files of ``conf/<group>/``, without the
    schemas Hydra also lists."""
    return "\n".join(
        f"{group}: " + ", ".join(sorted(p.stem for p in (CONF_DIR / group).glob("*.yaml"))) for group in groups
    )


def strategy_default(strategy: str, key: str) -> Any:
    """The default of a strategy's parameter, read from its config class:
    ``${strategy_default:price_war,depth}``. A preset that names a parameter
    so that a sweep or a search can vary it (``optimise.params.depth``) takes
    its value from the one place it is written instead of copying it."""
    from strategies.registry import REGISTRY

    if strategy not in REGISTRY:
        raise ConfigError(
            f"strategy_default = {strategy!r}: unknown strategy; available: {', '.join(sorted(REGISTRY))}"
        )
    config = REGISTRY[strategy].config_class()
    if key not in {f.name for f in dataclasses.fields(config)}:
        raise ConfigError(f"strategy_default = {strategy},{key}: {strategy} has no parameter {key!r}")
    value = getattr(config, key)
    if isinstance(value, list):
        return [dataclasses.asdict(v) if dataclasses.is_dataclass(v) else v for v in value]
    return value


if not OmegaConf.has_resolver("job_dirname"):
    OmegaConf.register_new_resolver("job_dirname", job_dirname)
if not OmegaConf.has_resolver("config_groups"):
    OmegaConf.register_new_resolver("config_groups", config_groups)
if not OmegaConf.has_resolver("strategy_default"):
    OmegaConf.register_new_resolver("strategy_default", strategy_default)
