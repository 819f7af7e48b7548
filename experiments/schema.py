"""Hydra structured-config schema of the ``loyalty-sim`` app (DESIGN.md §6).

Registers :class:`experiments.config.AppConfig` as ``app_schema``, extended by
``conf/app.yaml``, next to the market schemas of :mod:`sim.schema`. The named
experiments in ``conf/experiment/`` are ``# @package _global_`` files: they
set keys of ``experiment`` and ``market`` and are checked against this schema.
"""

from __future__ import annotations

from hydra.core.config_store import ConfigStore

import sim.schema  # noqa: F401  (market/market_schema)
from experiments.config import AppConfig
from strategies.registry import load_builtin

load_builtin()                      # strategy/<name>_schema
ConfigStore.instance().store(name="app_schema", node=AppConfig)
