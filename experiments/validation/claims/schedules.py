"""When things happen in a scenario: a strategy's schedule, a rival's entry,
and windows of steps relative to them, read from the experiment's config."""

from __future__ import annotations

import dataclasses
from typing import Callable

from experiments.validation.claims.evidence import Evidence
from sim.units import StepLength, end_step, first_step, steps_after


def _scenario_config(ev: Evidence, scenario: str) -> dict:
    for sc in ev.experiment.scenarios:
        data = sc if isinstance(sc, dict) else dataclasses.asdict(sc)
        if data.get("name") == scenario:
            return data
    raise KeyError(f"scenario {scenario!r} is not in experiment {ev.experiment.name!r}")


def schedule(ev: Evidence, scenario: str, strategy: str) -> dict:
    """The config of ``strategy`` as the focal firm runs it in ``scenario``
    (its defaults where the scenario does not set them; ``start``,
    ``duration`` and the other durations are weeks), with, in reported steps
    of the market: ``first``, the step it starts in; ``end``, the first step
    after it (the horizon's end + 1 if open-ended); and for a price war
    ``reaction_step``, the steps from its start to the rivals' reaction."""
    from strategies.registry import make_strategy

    weeks = StepLength(ev.market.steps_per_year).weeks
    specs = _scenario_config(ev, scenario).get("strategies", {}).get(ev.focal, [])
    for spec in specs:
        name = spec if isinstance(spec, str) else spec.get("name")
        if name == strategy:
            cfg = dataclasses.asdict(make_strategy(spec).config)
            cfg["first"] = first_step(cfg["start"], weeks)
            end = end_step(cfg["start"], cfg["duration"], weeks)
            cfg["end"] = ev.market.steps + 1 if end is None else end
            if "reaction_delay_weeks" in cfg:
                cfg["reaction_step"] = steps_after(cfg["reaction_delay_weeks"], weeks)
            return cfg
    raise KeyError(f"the focal firm runs no {strategy!r} in scenario {scenario!r}")


def entry_step(ev: Evidence, scenario: str) -> int:
    """The reported step at which a firm enters in ``scenario`` (the earliest,
    if several): the step holding its ``entry_week``."""
    weeks = StepLength(ev.market.steps_per_year).weeks
    steps = [
        first_step(int(v["entry_week"]), weeks)
        for v in _scenario_config(ev, scenario).get("firms", {}).values()
        if "entry_week" in v
    ]
    if not steps:
        raise KeyError(f"no firm enters in scenario {scenario!r}")
    return min(steps)


def war_window(
    scenario: str, offset: int = 0, length: int | None = None, after_end: bool = False, after_delay: bool = False
) -> Callable[[Evidence], tuple[int, int | None]]:
    """Steps relative to the price war of ``scenario``: from its start (or its
    end, ``after_end``; or the rivals' reaction, ``after_delay``) plus
    ``offset``, for ``length`` steps (None: to the war's end, or to the horizon's
    end after it)."""

    def window(ev: Evidence) -> tuple[int, int | None]:
        war = schedule(ev, scenario, "price_war")
        first = war["end"] if after_end else war["first"] + (war["reaction_step"] if after_delay else 0)
        first += offset
        if length is not None:
            return first, first + length
        return first, (None if after_end else war["end"])

    return window


def after_start(scenario: str, strategy: str, offset: int, length: int) -> Callable[[Evidence], tuple[int, int]]:
    """``length`` steps from ``offset`` steps after the start of the focal
    firm's ``strategy`` in ``scenario``."""

    def window(ev: Evidence) -> tuple[int, int]:
        first = schedule(ev, scenario, strategy)["first"] + offset
        return first, first + length

    return window
