"""Dotted keys into a config (``market.customers.exit_per_year_mean``, ``market.firms.0.price``).

The sensitivity analysis, the strategy maps and the calibration name the
parameters they vary by such keys; these read and set them in a plain config
dict. :func:`set_value` sets a key as a what-if means it: a segment's share
grows or shrinks at the other segments' expense (:func:`rescaled_shares`), so
that the market's shares still add up to 1.
"""

from __future__ import annotations

import re
from typing import Any, Sequence

#: the key of a customer segment's share in the app config
SEGMENT_SHARE = re.compile(r"^market\.customers\.segments\.(\d+)\.share$")


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


def rescaled_shares(shares: Sequence[float], index: int, share: float) -> list[float]:
    """The shares with entry ``index`` set to ``share`` and the rest of the
    whole split among the others in proportion to their shares (equally if
    they all had none), so that the shares still add up to 1."""
    others = sum(float(s) for i, s in enumerate(shares) if i != index)
    rest = 1.0 - float(share)
    n_others = len(shares) - 1
    return [
        float(share) if i == index else rest * (float(s) / others if others > 0 else 1.0 / n_others)
        for i, s in enumerate(shares)
    ]


def set_value(container: dict, key: str, value: Any) -> None:
    """Set the value at an existing dotted key (:func:`set_key`); a segment's
    share (``market.customers.segments.<i>.share``) rescales the other
    segments' shares in proportion (:func:`rescaled_shares`)."""
    key = ".".join(parts_of(key))
    match = SEGMENT_SHARE.match(key)
    segments = get_key(container, "market.customers.segments") if match else None
    if not match or not isinstance(segments, list) or len(segments) < 2:
        set_key(container, key, value)
        return
    index = int(match.group(1))
    get_key(container, key)  # (an index past the end raises KeyError here)
    shares = rescaled_shares([float(s.get("share", 0.0)) for s in segments], index, float(value))
    for segment, share in zip(segments, shares):
        segment["share"] = share
