"""Loading market presets and user YAML with clear errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import yaml

from sim.config import ConfigError

CONF_DIR = Path(__file__).resolve().parents[1] / "conf"


class _UniqueKeyLoader(yaml.SafeLoader):  # type: ignore[misc]  # PyYAML ships no type information
    """YAML's safe loader, refusing a key given twice in one mapping (plain
    YAML keeps the last silently; Hydra stops with a traceback)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"key {key!r} given twice", key_node.start_mark)
            seen.add(key)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


def load_yaml_text(text: str) -> Any:
    """The data of a YAML text; a key given twice is malformed YAML."""
    return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader


def read_yaml(path: str | Path) -> dict[str, Any]:
    """A YAML mapping from a file; malformed YAML stops with one message."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(
            f"config file = {str(path)!r}: cannot be read ({e.strerror}); must be a readable YAML file"
        ) from None
    try:
        data = load_yaml_text(text)
    except yaml.YAMLError as e:
        raise ConfigError(
            f"config file = {str(path)!r}: {yaml_problem(e)}; must be a YAML mapping of config keys"
        ) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"config file = {str(path)!r}: holds a {type(data).__name__}; must be a YAML mapping of config keys"
        )
    return data


def yaml_problem(e: yaml.YAMLError) -> str:
    """What is wrong with a YAML text and where, on one line."""
    mark = getattr(e, "problem_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    problem = getattr(e, "problem", None) or str(e).splitlines()[0]
    return f"malformed YAML{where} ({' '.join(str(problem).split())})"


SEARCHPATH = "hydra.searchpath="


def search_dirs(overrides: Sequence[str]) -> list[Path]:
    """The config folders Hydra searches: the project's ``conf/``, then the
    user's own given as ``hydra.searchpath=[file:///my/conf]`` (each holding
    ``experiment/``, ``market/`` ... like ``conf/``)."""
    dirs = [CONF_DIR]
    for text in overrides:
        if text.startswith(SEARCHPATH):
            items = text[len(SEARCHPATH) :].strip("[]")
            dirs += [
                Path(item.strip().strip("'\"").removeprefix("file://"))
                for item in items.split(",")
                if item.strip() and not item.strip().startswith("pkg://")
            ]
    return dirs


def read_group_files(selections: dict[str, Any], conf_dirs: Sequence[Path] = (CONF_DIR,)) -> dict[str, Any]:
    """Read the config files that overrides such as ``experiment=my_lesson``
    select (``<group>/<name>.yaml`` in the first of ``conf_dirs`` holding it)
    before Hydra composes them: a file that is malformed, or empty (Hydra would
    silently compose the defaults), is bad input named by its override. Returns
    the files' values by dotted key (``experiment.name``,
    ``market.n_customers``), for error messages."""
    values: dict[str, Any] = {}
    for group, name in selections.items():
        if "." in str(group) or not any((d / str(group)).is_dir() for d in conf_dirs):
            continue
        if not isinstance(name, str) or not name or "/" in name or name.startswith("."):
            options = sorted({p.stem for d in conf_dirs for p in (d / str(group)).glob("*.yaml")})
            sweep = (
                f"; to run several, sweep with -m: {group}={','.join(map(str, name))}" if isinstance(name, list) else ""
            )
            raise ConfigError(f"{group} = {name!r}: must name one of {', '.join(options)}{sweep}")
        found = [d / str(group) / f"{name}.yaml" for d in conf_dirs if (d / str(group) / f"{name}.yaml").is_file()]
        if not found:
            continue
        path = found[0]
        shown = f"conf/{group}/{name}.yaml" if path.parent.parent == CONF_DIR else str(path)
        text = path.read_text(encoding="utf-8")
        try:
            data = load_yaml_text(text)
        except yaml.YAMLError as e:
            raise ConfigError(
                f"{group} = {name!r}: {shown} is {yaml_problem(e)}; must be a YAML mapping of config keys"
            ) from None
        if isinstance(data, dict):
            data.pop("defaults", None)
        if not data:
            raise ConfigError(
                f"{group} = {name!r}: {shown} sets no keys; must set keys of the {group} "
                f"(copy one of conf/{group}/*.yaml)"
            )
        if not isinstance(data, dict):
            raise ConfigError(
                f"{group} = {name!r}: {shown} holds a {type(data).__name__}; must be a YAML mapping of config keys"
            )
        header = text.lstrip().splitlines()[:3]
        prefix = "" if any("@package _global_" in line for line in header) else f"{group}."
        for section, node in data.items() if not prefix else ():
            if (any((d / str(section)).is_dir() for d in conf_dirs) or section == str(group)) and not isinstance(
                node, dict
            ):
                raise ConfigError(f"{section} = {node!r}: {shown} must give a mapping of {section} keys here")
        values.update(flatten(data, prefix))
    return values


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted keys (list entries as ``.0``) of nested mappings and lists, for error messages."""
    out: dict[str, Any] = {}
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for k, v in items:
        out[f"{prefix}{k}"] = v
        out.update(flatten(v, f"{prefix}{k}."))
    return out


def market_presets() -> list[str]:
    """Names of the market presets in ``conf/market/``."""
    return sorted(p.stem for p in (CONF_DIR / "market").glob("*.yaml"))


def load_market_yaml(name: str) -> dict[str, Any]:
    """The preset ``conf/market/<name>.yaml`` (without Hydra's defaults list)."""
    path = CONF_DIR / "market" / f"{name}.yaml"
    if not path.exists():
        raise ConfigError(f"market = {name!r}: unknown market preset; available: {', '.join(market_presets())}")
    data = read_yaml(path)
    data.pop("defaults", None)
    return data
