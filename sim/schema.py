"""Hydra structured-config schemas.

Registers the dataclasses of :mod:`sim.config` in Hydra's ConfigStore:

* ``config_schema`` (group-less): :class:`sim.config.RunConfig`, extended by
  ``conf/config.yaml``;
* ``market/market_schema``: :class:`sim.config.MarketConfig`, extended by every
  preset in ``conf/market/`` (``defaults: [market_schema, _self_]``).

Schemas are extended explicitly in defaults lists (Hydra 1.4 drops automatic
schema matching). OmegaConf's struct mode then rejects unknown keys and
wrongly typed scalars; :func:`sim.config.validate` checks ranges and the
entries of the ``firms`` and ``segments`` lists (typed as plain ``list``).
"""

from __future__ import annotations

from hydra.core.config_store import ConfigStore

from sim.config import MarketConfig, RunConfig

_registered = False


def register_schemas() -> None:
    """Store the schemas in Hydra's ConfigStore (idempotent)."""
    global _registered
    if _registered:
        return
    cs = ConfigStore.instance()
    cs.store(name="config_schema", node=RunConfig)
    cs.store(group="market", name="market_schema", node=MarketConfig)
    _registered = True


register_schemas()
