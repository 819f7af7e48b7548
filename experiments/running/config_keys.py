"""Dotted keys into a config (``market.customers.exit_per_year_mean``, ``market.firms.0.price``).

The sensitivity analysis and the calibration name the parameters they vary
by such keys; these read and set them in a plain config dict.
"""

from __future__ import annotations

from typing import Any


def parts_of(key: str) -> list[str]:
    """The parts of a dotted key (``market.firms.0.price`` or ``market.firms[0].price``)."""
    return [p for p in str(key).replace("[", ".").replace("]", "").split(".") if p]


def get_key(container: dict, key: str) -> Any:
    """The value at a dotted key (``market.firms.0.price`` or ``market.firms[0].price``);
    raises KeyError with what exists where the path breaks."""
    node: Any = container
    walked: list[str] = []
    for p in parts_of(key):
        where = ".".join(walked) or "the app config"
        if isinstance(node, dict):
            if p not in node:
                raise KeyError(f"unknown key; allowed under {where}: {', '.join(map(str, node))}")
            node = node[p]
        elif isinstance(node, list):
            if not p.isdigit() or int(p) >= len(node):
                raise KeyError(f"{where} is a list of {len(node)} entries; use an index 0..{len(node) - 1}")
            node = node[int(p)]
        else:
            raise KeyError(f"{where} = {node!r} holds no keys")
        walked.append(p)
    return node


def set_key(container: dict, key: str, value: Any) -> None:
    """Set the value at an existing dotted key (see :func:`get_key`)."""
    parts = parts_of(key)
    parent = get_key(container, ".".join(parts[:-1])) if len(parts) > 1 else container
    last = parts[-1]
    if isinstance(parent, list):
        parent[int(last)] = value
    else:
        parent[last] = value
