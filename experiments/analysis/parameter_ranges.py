"""Ranges of app-config keys that an analysis varies, checked the same way by every app.

The sensitivity analysis (:mod:`experiments.analysis.sensitivity`) and the
strategy maps (:mod:`experiments.analysis.strategy_map`) both take a list of
``{key, lo, hi}``: a numeric dotted key of the app config
(``market.firms.0.price``, :mod:`experiments.running.config_keys`) and the
range it is varied over. :func:`check_ranges` checks such a list against the
composed app config (the key exists and holds a number, it is a key of the
market or the experiment's design, each key once, lo < hi, both ends allowed
by the key's schema) and :func:`applied_values` turns sampled inputs into the
values the runs use (whole-number keys rounded).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd

from experiments.running.config_keys import get_key, parts_of, set_value
from sim.config import ConfigError, param, validate

#: the config sections a varied key may belong to
PARAMETER_SECTIONS = ("market", "experiment")
#: keys that change how an experiment runs or is reported, never its results
NOT_RESULTS = (
    "experiment.workers",
    "experiment.progress",
    "experiment.figures",
    "experiment.confidence",
    "experiment.record_transactions",
)


@dataclass
class ParameterRange:
    """One input of an analysis: a numeric key of the app config and its range."""

    key: str = param(
        "market.customers.visits_per_year_mean", doc="dotted key of the app config, e.g. market.firms.0.price"
    )
    lo: float = param(15.6, doc="lowest value (inside the key's allowed range)")
    hi: float = param(31.2, doc="highest value (above lo, inside the key's allowed range)")


def check_ranges(
    app: dict, entries: list, where: str, cls: type[ParameterRange] = ParameterRange
) -> tuple[list[Any], list[bool]]:
    """The checked entries (as ``cls``) and whether each key holds a whole number.

    Each entry of ``entries`` (at ``where``, e.g. ``sensitivity.parameters``)
    names an existing numeric key of the app config ``app`` once, with
    lo < hi and both ends allowed by the key's schema (checked by validating
    the app config with the key set to each end, as a run would set it:
    :func:`experiments.running.config_keys.set_value`). Raises one
    ConfigError naming the entry, its value and what is allowed.
    """
    from experiments.running.config import validate_experiment
    from sim.config import to_dataclass

    if not entries:
        raise ConfigError(f"{where} = []: needs at least one {{key, lo, hi}}")
    ranges: list[Any] = []
    whole: list[bool] = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(entries):
        at = f"{where}[{i}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{at} = {entry!r}: must be a mapping {{key, lo, hi}}")
        validate(entry, cls, at + ".")
        missing = [k for k in ("key", "lo", "hi") if k not in entry]
        if missing:
            raise ConfigError(f"{at} = {entry!r}: must give {', '.join(missing)}")
        p = to_dataclass(entry, cls)
        p.key = ".".join(parts_of(p.key))
        if (parts_of(p.key) or [""])[0] not in PARAMETER_SECTIONS:
            raise ConfigError(
                f"{at}.key = {p.key!r}: must be a key of {' or '.join(PARAMETER_SECTIONS)} (e.g. market.firms.0.price)"
            )
        try:
            current = get_key(app, p.key)
        except KeyError as e:
            raise ConfigError(f"{at}.key = {p.key!r}: {e.args[0]}") from None
        if isinstance(current, bool) or not isinstance(current, (int, float)):
            raise ConfigError(f"{at}.key = {p.key!r}: must name a numeric key (its value is {current!r})")
        if p.key in NOT_RESULTS or p.key.startswith("market.engine."):
            raise ConfigError(
                f"{at}.key = {p.key!r}: changes how the experiment runs or is reported, not "
                "its results; must be a key of the market or the experiment's design "
                "(e.g. market.firms.0.price, experiment.replications)"
            )
        if p.key in seen:
            raise ConfigError(f"{at}.key = {p.key!r}: already {where}[{seen[p.key]}]")
        seen[p.key] = i
        if not p.lo < p.hi:
            raise ConfigError(f"{at}.lo = {p.lo!r}: must be below hi ({p.hi!r})")
        is_whole = isinstance(current, int)
        if is_whole and math.floor(p.hi) < math.ceil(p.lo):
            raise ConfigError(
                f"{at}.lo = {p.lo!r}: {p.key} is a whole number and [{p.lo}, {p.hi}] holds "
                "none; must span at least one whole number"
            )
        for end in ("lo", "hi"):
            value = getattr(p, end)
            trial = copy.deepcopy(app)
            set_value(trial, p.key, round(value) if is_whole else float(value))
            try:
                validate_experiment(trial)
            except ConfigError as e:
                detail = " ".join(str(e).split())
                key, _, allowed = detail.partition(" = ")
                allowed = allowed.split(": ", 1)[1] if ": " in allowed else allowed
                shown = ".".join(parts_of(key))
                what = f"{p.key} {allowed}" if shown == p.key else f"makes the config invalid ({detail})"
                raise ConfigError(f"{at}.{end} = {value!r}: {what}") from None
        ranges.append(p)
        whole.append(is_whole)
    return ranges, whole


def applied_values(keys: Sequence[str], whole: Sequence[bool], inputs: np.ndarray) -> pd.DataFrame:
    """The sampled ``inputs`` (one column per key) as run: whole-number keys rounded."""
    table = pd.DataFrame(np.asarray(inputs, dtype=float).reshape(-1, len(keys)), columns=list(keys))
    for key, is_whole in zip(keys, whole):
        if is_whole:
            table[key] = table[key].round().astype("int64")
    return table
