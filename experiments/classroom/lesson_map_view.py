"""The classroom's strategy map: where the lesson's strategy pays, and where the class's market lies on it.

A trainer showing a strategy live is asked "would it pay in *our* market?".
The shipped strategy maps (``make maps``: ``docs/maps/<name>/``, written by
``loyalty-sim-map``, :mod:`experiments.analysis.strategy_map`) answer over two
market conditions; this module picks the map of the lesson on the screen
(its shown scenario's map if there is one, :func:`find_map`) and places the
market the class is looking at on it: the values at the map's condition keys
read from the market the page actually runs (after the page's settings, e.g.
the price-share slider changes every segment's share), the rule's box that
holds it (where it pays, where it loses, neither) and the verdict of the
nearest mapped point. :mod:`experiments.classroom.dashboard` draws it
(:func:`experiments.analysis.map_plots.plot_map`, the star at this market);
everything it writes under the figure comes from :class:`MapView`, so it is
tested without a browser (tests/experiments/classroom/test_lesson_map_view.py).

The maps are read from ``docs/maps/``; a further folder laid out the same
way (one sub-folder per map, as ``loyalty-sim-map`` writes it) can be named
by :data:`MAPS_ENV`, e.g. a trainer's maps of their own lessons
(:data:`experiments.classroom.lesson.EXTRA_LESSONS_ENV`); it is searched first.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from experiments.analysis.scenario_discovery import Rule, condition_value
from experiments.analysis.strategy_map import LOSES, MAPS_DIR, PAYS, lesson_map, read_map
from experiments.classroom.lesson import Classroom
from experiments.reports.report import format_value
from experiments.running.config_keys import get_key, parts_of
from sim.config import MarketConfig

#: environment variable naming a further folder of maps (laid out like
#: ``docs/maps/``), searched before ``docs/maps/``; unset: ``docs/maps/`` only
MAPS_ENV = "LOYALTY_SIM_MAPS"
#: the top key of the market in a condition's dotted key (``market.steps``)
MARKET_KEY = "market"
#: a value this close to a condition's range (as a share of the range) counts as inside it
RANGE_TOLERANCE = 1e-9


def map_folders() -> tuple[Path, ...]:
    """The folders the page reads maps from: the one named by :data:`MAPS_ENV`
    if it is set, then ``docs/maps/``."""
    extra = os.environ.get(MAPS_ENV, "").strip()
    return ((Path(extra).resolve(),) if extra else ()) + (MAPS_DIR,)


def find_map(lesson: str, scenario: str | None, folders: Sequence[Path] | None = None) -> Path | None:
    """The folder of the map the page shows for ``lesson`` (the experiment's
    name): a map of its ``scenario`` in any of ``folders`` (default
    :func:`map_folders`), else the lesson's map in the first folder that has
    one (:func:`experiments.analysis.strategy_map.lesson_map`); None if no
    folder has a map of the lesson."""
    found = []
    for folder in map_folders() if folders is None else folders:
        name = lesson_map(lesson, scenario, folder)
        if name is not None:
            found.append(Path(folder) / name)
    for path in found:
        if _meta(path).get("scenario") == scenario:
            return path
    return found[0] if found else None


def _meta(folder: Path) -> dict:
    return json.loads((folder / "map.json").read_text(encoding="utf-8"))


def market_values(market: MarketConfig, meta: Mapping[str, Any]) -> tuple[dict[str, float], tuple[str, ...]]:
    """The market's value at each of the map's condition keys, and the keys
    whose value is the map's own (``meta["current"]``, the market the map was
    made on) because the key is not a key of the market (e.g. an experiment
    setting), is missing from it or holds no number."""
    container = {MARKET_KEY: dataclasses.asdict(market)}
    values: dict[str, float] = {}
    from_map: list[str] = []
    for condition in meta["conditions"]:
        key = condition["key"]
        value: Any = None
        if parts_of(key)[0] == MARKET_KEY:
            try:
                value = get_key(container, key)
            except KeyError:
                value = None
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            value = meta["current"][key]
            from_map.append(key)
        values[key] = float(value)
    return values, tuple(from_map)


def boxes_holding(meta: Mapping[str, Any], values: Mapping[str, float]) -> tuple[str, ...]:
    """The outcomes (pays, loses) whose rule's box holds ``values``: a rule
    PRIM found, every one of whose limits the value at its key meets
    (:meth:`experiments.analysis.scenario_discovery.Rule.contains`)."""
    rules = meta.get("rules") or {}
    return tuple(o for o in (PAYS, LOSES) if rules.get(o) and Rule.from_dict(rules[o]).contains(values))


def nearest_point(points: pd.DataFrame, conditions: Sequence[Mapping[str, Any]], values: Mapping[str, float]) -> dict:
    """The mapped point nearest to ``values``, each condition measured as a
    share of its range (so that weeks and shares weigh alike); the first of
    equally near points. A row of the points table, as a dict."""
    distance = np.zeros(len(points))
    for c in conditions:
        span = float(c["hi"]) - float(c["lo"]) or 1.0
        distance += ((points[c["key"]].to_numpy(dtype=float) - values[c["key"]]) / span) ** 2
    return points.iloc[int(np.argmin(distance))].to_dict()


def outside_ranges(conditions: Sequence[Mapping[str, Any]], values: Mapping[str, float]) -> tuple[str, ...]:
    """The keys whose value lies outside the condition's mapped range: there
    the map does not say, and the nearest point lies on its edge."""
    out = []
    for c in conditions:
        lo, hi = float(c["lo"]), float(c["hi"])
        slack = RANGE_TOLERANCE * max(hi - lo, 1.0)
        if not lo - slack <= values[c["key"]] <= hi + slack:
            out.append(c["key"])
    return tuple(out)


def _money(x: float) -> str:
    return format_value(x, "money", signed=True)


@dataclass(frozen=True, eq=False)
class MapView:
    """What the map panel shows for one classroom: the lesson's map (None
    fields if the lesson has none) and where the market on the screen lies
    on it."""

    lesson: str
    scenario: str  # the scenario the class is shown
    folder: Path | None = None  # the map's folder (its name is the map's)
    meta: dict = field(default_factory=dict)  # map.json
    points: pd.DataFrame | None = None  # points.csv
    current: dict[str, float] = field(default_factory=dict)  # this market at each condition key
    from_map: tuple[str, ...] = ()  # keys whose value is the map's market's, not this one's
    inside: tuple[str, ...] = ()  # outcomes whose rule's box holds this market
    nearest: dict = field(default_factory=dict)  # the nearest mapped point's row
    outside: tuple[str, ...] = ()  # keys whose value lies outside the mapped range
    strategy_as_in_lesson: bool = True  # False: the page changed the focal firm's strategy
    problem: str = ""  # why the map's files could not be read (the view then shows no map)
    written: int = 0  # when map.json was written (ns): a map made again is drawn again

    @property
    def found(self) -> bool:
        """Whether there is a map to draw."""
        return self.folder is not None and not self.problem

    @property
    def name(self) -> str | None:
        """The map's name (``loyalty-sim-map map=<name>``)."""
        return None if self.folder is None else self.folder.name

    @property
    def key(self) -> tuple:
        """What the drawn figure depends on: the map (and when it was written)
        and this market's values (the page redraws the map only when it changes)."""
        return (str(self.folder), self.written, tuple(sorted(self.current.items())))

    def _labels(self) -> dict[str, str]:
        return {c["key"]: str(c.get("label") or c["key"]) for c in self.meta.get("conditions", [])}

    @property
    def rule_line(self) -> str:
        """The map's rule where the strategy pays, in plain words (PRIM's box)."""
        return str(self.meta["rule_text"][PAYS]) if self.found else ""

    @property
    def where_line(self) -> str:
        """One line: this market's values, the rule's box that holds it, and
        the verdict of the nearest mapped point with its difference."""
        if self.problem:
            where = f"The map in {self.folder}" if self.folder else "The strategy maps"
            return f"{where} could not be read ({self.problem}): run `make maps` again."
        if not self.found:
            return (
                f"Lesson {self.lesson} has no shipped strategy map: make one with "
                f"`loyalty-sim-map map={self.lesson}`, then `make maps`."
            )
        labels = self._labels()
        conditions = self.meta["conditions"]
        market = ", ".join(
            f"{labels[c['key']]} {condition_value(self.current[c['key']])}"
            + (" (the map's value)" if c["key"] in self.from_map else "")
            for c in conditions
        )
        if set(self.inside) == {PAYS, LOSES}:
            box = "inside both the box where it pays and the box where it loses"
        elif self.inside:
            box = f"inside the box where it {self.inside[0]}"
        else:
            box = "in neither rule's box"
        point = ", ".join(condition_value(self.nearest[c["key"]]) for c in conditions)
        verdict = str(self.nearest["verdict"])
        verdict = "is unclear" if verdict == "unclear" else verdict
        confidence = float(self.meta.get("confidence", 0.95))
        return (
            f"This market (the star: {market}) lies {box}; the nearest mapped point ({point}) {verdict}: "
            f"{_money(self.nearest['diff'])} ({confidence:.0%} interval {_money(self.nearest['ci_low'])} "
            f"to {_money(self.nearest['ci_high'])})."
        )

    @property
    def notes(self) -> list[str]:
        """What the trainer should know in reading the map for this market:
        the map's own caveat (``map.note``), a map of another of the lesson's scenarios (none of the one shown), a
        value outside the mapped range, a strategy changed on the page."""
        if not self.found:
            return []
        labels, ranges = self._labels(), {c["key"]: c for c in self.meta["conditions"]}
        out = [str(self.meta["note"])] if self.meta.get("note") else []
        if self.meta["scenario"] != self.scenario:
            out.append(
                f"This is the lesson's map of {self.meta['scenario']} (map {self.name}): "
                f"there is none of {self.scenario}."
            )
        out += [
            f"{labels[k]} {condition_value(self.current[k])} lies outside the map "
            f"({condition_value(ranges[k]['lo'])} to {condition_value(ranges[k]['hi'])}): the map does not say there."
            for k in self.outside
        ]
        if not self.strategy_as_in_lesson:
            out.append(
                f"The map is of {self.meta['scenario']} as the lesson sets it; the focal firm's strategy "
                "set on this page is not."
            )
        return out


def map_view(
    lesson: str,
    scenario: str,
    market: MarketConfig,
    folders: Sequence[Path] | None = None,
    strategy_as_in_lesson: bool = True,
) -> MapView:
    """The map of ``lesson`` (its ``scenario``'s if there is one, :func:`find_map`
    in ``folders``) and where ``market`` lies on it; a view without a map if
    the lesson has none."""
    try:
        folder = find_map(lesson, scenario, folders)
    except (OSError, ValueError) as e:  # an unreadable map.json: the page stays up and says so
        return MapView(lesson, scenario, problem=_reason(e))
    if folder is None:
        return MapView(lesson, scenario)
    try:
        written = (folder / "map.json").stat().st_mtime_ns
        points, meta = read_map(folder)
        current, from_map = market_values(market, meta)
        conditions = meta["conditions"]
        nearest = nearest_point(points, conditions, current)
        inside, outside = boxes_holding(meta, current), outside_ranges(conditions, current)
    except (OSError, ValueError, KeyError, TypeError) as e:
        return MapView(lesson, scenario, folder=folder, problem=_reason(e))
    return MapView(
        lesson,
        scenario,
        folder=folder,
        meta=meta,
        points=points,
        current=current,
        from_map=from_map,
        inside=inside,
        nearest=nearest,
        outside=outside,
        strategy_as_in_lesson=strategy_as_in_lesson,
        written=written,
    )


def _reason(error: Exception) -> str:
    """An error reading a map's files, in one line."""
    return " ".join(f"{type(error).__name__}: {error}".split())


def classroom_map_view(room: Classroom, folders: Sequence[Path] | None = None) -> MapView:
    """:func:`map_view` of the classroom on the screen: its lesson, the
    scenario shown and the market it runs (after the page's settings);
    whether the focal firm runs the strategy the lesson's scenario sets."""
    shown = room.twins.scenario
    lesson_scenario = room.preset.scenario(room.settings.scenario_number)
    focal = room.focal_index
    runs, sets = shown.market.firms[focal].strategies, lesson_scenario.market.firms[focal].strategies
    as_in_lesson = _specs(runs) == _specs(sets)
    return map_view(room.preset.name, shown.name, shown.market, folders, as_in_lesson)


def _specs(specs: Sequence[str | Mapping[str, Any]]) -> list[dict]:
    """Strategy specs as dicts (a bare name is ``{"name": name}``), to compare them."""
    return [{"name": s} if isinstance(s, str) else dict(s) for s in specs]
