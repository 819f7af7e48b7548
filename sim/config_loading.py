"""Loading market presets and user YAML with clear errors (DESIGN.md §6)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from sim.config import ConfigError

CONF_DIR = Path(__file__).resolve().parents[1] / "conf"


def read_yaml(path: str | Path) -> dict:
    """A YAML mapping from a file; malformed YAML stops with one message."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"config file = {str(path)!r}: cannot be read ({e.strerror}); "
                          "must be a readable YAML file") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        where = ""
        mark = getattr(e, "problem_mark", None)
        if mark is not None:
            where = f" at line {mark.line + 1}, column {mark.column + 1}"
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise ConfigError(f"config file = {str(path)!r}: malformed YAML{where} ({problem}); "
                          "must be a YAML mapping of config keys") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"config file = {str(path)!r}: holds a {type(data).__name__}; "
                          "must be a YAML mapping of config keys")
    return data


def market_presets() -> list[str]:
    return sorted(p.stem for p in (CONF_DIR / "market").glob("*.yaml"))


def load_market_yaml(name: str) -> dict:
    """The preset ``conf/market/<name>.yaml`` (without Hydra's defaults list)."""
    path = CONF_DIR / "market" / f"{name}.yaml"
    if not path.exists():
        raise ConfigError(f"market = {name!r}: unknown market preset; available: {', '.join(market_presets())}")
    data = read_yaml(path)
    data.pop("defaults", None)
    return data
