"""Strategy maps: where in a space of market conditions a strategy pays.

Usage::

    loyalty-sim-map                                  # the members' club over service-driven share x horizon
    loyalty-sim-map map=headline_staff_loyalty       # a named map (conf/map/)
    loyalty-sim-map map.design=lhs map.samples=60    # a Latin hypercube instead of a grid
    loyalty-sim-map map=screened_club                # choose two of five conditions by Morris screening

A strategist does not only ask "does the club pay?" but "in a market like
mine, does it pay, and what would have to be true for it to pay?". Following
exploratory modelling (Bankes 1993, 'Exploratory modeling for policy
analysis'; Kwakkel 2017, 'The Exploratory Modeling Workbench'), the app
samples a space of two to four market conditions (``map.conditions``: dotted
keys of the app config with ranges, e.g. the service segment's share, the
rival's price, staff turnover, the horizon) on a grid or a Latin hypercube
(SALib), runs the strategy's scenario and its baseline at every point on
common random numbers (the shared evaluator,
:func:`experiments.analysis.evaluator.evaluate_points`) and marks each
point by the paired difference of a money KPI (NPV by default) and its
confidence interval: the strategy *pays* where the interval lies above 0,
*loses* where it lies below, and is *unclear* otherwise.

The rule in plain words comes from scenario discovery (Bryant & Lempert
2010, 'Thinking inside the box: a participatory, computer-assisted approach
to scenario discovery'): PRIM (Friedman & Fisher 1999, 'Bump hunting in
high-dimensional data', as implemented in the EMA Workbench) peels the space
down to a box of conditions in which the strategy pays; of the boxes on its
peeling trajectory whose density (the share of points in the box where it
pays) is at least ``map.min_density``, the rule is the one with the largest
coverage (the share of all paying points that lie in the box). The same is
done for where it loses.

The conditions can be chosen by hand, or from a Morris screening of the same
paired difference (``map.choose``: keep that many of the listed conditions,
those with the largest mu*; :mod:`experiments.analysis.sensitivity`).

Outputs, in the Hydra run folder ``outputs/<date>/<time>/``: ``points.csv``
and ``points.parquet`` (the conditions and the paired difference with its
interval and verdict at every point), ``map.json`` (what was mapped, the
rules, the market as configured), ``map.md`` (the report),
``figures/map.png`` and ``figures/map.svg`` (heatmaps with the boundary where
the difference crosses 0, the rule's box and the configured market marked),
``screening.csv`` after a screening, and ``config.yaml``; the rule is
printed. Bad input stops before anything is written with one line
``error: <key> = <value>: <what is allowed>`` and exit status 2.
"""

from __future__ import annotations

import copy
import itertools
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Sequence

import numpy as np
import pandas as pd

import experiments.running.schema  # noqa: F401  (app_schema, strategies; also in worker processes)
from experiments.analysis.parameter_ranges import ParameterRange, applied_values, check_ranges
from experiments.analysis.scenario_discovery import Rule, discover
from experiments.cli.entry import compose_app, hydra_entry, run_in_job_folder
from experiments.running.config import AppConfig, ExperimentConfig  # noqa: F401  (ExperimentConfig: schema type lookup)
from experiments.running.config_keys import get_key
from experiments.running.kpis import ALL_KPIS
from sim.config import ConfigError, MarketConfig, param, validate  # noqa: F401  (MarketConfig: type lookup)
from sim.config_loading import CONF_DIR

CONFIG_NAME = "map"
#: where ``make maps`` writes the named maps of conf/map/ (docs/maps/<name>/), read by the classroom
MAPS_DIR = CONF_DIR.parent / "docs" / "maps"
DESIGNS = ("grid", "lhs")
#: what a point's paired difference says, by where its interval lies
PAYS, LOSES, UNCLEAR = "pays", "loses", "unclear"
VERDICTS = (PAYS, LOSES, UNCLEAR)
#: the KPIs a map can be drawn for: money (and profit per customer-year), more is better
MONEY_KPIS = (
    *(k for k, kpi in ALL_KPIS.items() if kpi.kind == "money" and kpi.higher_is_better),
    "profit_per_customer",
)
#: the fewest and most conditions a map shows
MIN_CONDITIONS, MAX_CONDITIONS = 2, 4
#: the columns of points.csv after the conditions
RESULT_COLUMNS = ["baseline_mean", "mean", "diff", "ci_low", "ci_high", "verdict", "verdict_fdr"]


# --------------------------------------------------------------------- config


@dataclass
class Condition(ParameterRange):
    """A market condition of the map: a numeric key of the app config, its range and its name."""

    label: str = param("", doc="the condition in plain words, for the rule and the figures (empty: the key)")


@dataclass
class MapConfig:
    """Which strategy is mapped, over which conditions, and how."""

    scenario: str = param("club_marketing", doc="the strategy's scenario of the experiment")
    baseline: Optional[str] = field(
        default=None, metadata={"doc": "the scenario it is compared with (null: experiment.baseline)"}
    )
    firm: Optional[str] = field(default=None, metadata={"doc": "whose KPI (null: experiment.focal_firm)"})
    kpi: str = param(
        "npv", doc="the money KPI whose paired difference decides where the strategy pays", choices=MONEY_KPIS
    )
    design: str = param(
        "grid", doc="grid: levels per condition; lhs: a Latin hypercube of `samples` points", choices=DESIGNS
    )
    levels: int = param(5, 2, 50, "grid: values per condition, evenly spaced (points: levels ^ conditions)")
    samples: int = param(40, 4, 100_000, "lhs: points of the Latin hypercube")
    seed: int = param(0, 0, 2**31 - 1, "seed of the Latin hypercube and of the screening's trajectories")
    confidence: float = param(0.95, 0.5, 0.9999, "level of a point's interval: pays if it lies above 0")
    min_density: float = param(
        0.8,
        0.5,
        1.0,
        "the rule's box: of PRIM's boxes in which at least this share of the points pays, "
        "the one covering most paying points",
        unit="share (0–1)",
        source="setting (Bryant & Lempert 2010 trade coverage against density by judgement)",
    )
    choose: int = param(
        0,
        0,
        MAX_CONDITIONS,
        "0: map every condition listed; 2-4: screen the listed conditions first (Morris) and map this many, "
        "those with the largest mu*",
    )
    screening_samples: int = param(6, 2, 1000, "screening: Morris trajectories (points: samples x (conditions + 1))")
    false_discovery_rate: float = param(
        0.05,
        0.001,
        0.5,
        "the share of false calls allowed among the points called pays or loses after the adjustment for "
        "testing every point (Benjamini & Hochberg 1995), reported beside the per-point verdicts",
        unit="share (0–1)",
        source="setting (Benjamini & Hochberg 1995, 'Controlling the false discovery rate')",
    )
    note: str = param(
        "", doc="what a reader must know to read this map: an assumption of the model behind it (shown with the rule)"
    )
    workers: int = param(0, 0, 1024, "processes evaluating points (0: all available cores)")
    progress: bool = param(True, doc="show a progress bar over the points")
    conditions: list[Condition] = field(
        default_factory=list, metadata={"doc": "the market conditions: a list of {key, lo, hi, label}"}
    )


@dataclass
class MapAppConfig(AppConfig):
    """The top config of ``loyalty-sim-map``: the app's market and experiment
    (validated as in ``loyalty-sim``) and the map."""

    map: MapConfig = field(default_factory=MapConfig)


def _register() -> None:
    from hydra.core.config_store import ConfigStore

    ConfigStore.instance().store(name="map_app_schema", node=MapAppConfig)


_register()


@dataclass
class MapPlan:
    """A validated map: the app config, the candidate conditions and what is compared."""

    settings: MapConfig
    app: dict  # the app config (market, experiment), without ``map``
    conditions: list[Condition]
    whole: list[bool]  # whether each condition's key holds a whole number
    firm: str
    scenario: str
    baseline: str


@dataclass
class StrategyMap:
    """A map: every point's conditions, difference and verdict, and the rules."""

    plan: MapPlan
    conditions: list[Condition]  # the mapped ones (after a screening)
    whole: list[bool]
    points: pd.DataFrame  # point, the condition keys, RESULT_COLUMNS
    rules: dict[str, Rule]  # PAYS, LOSES
    current: dict[str, float]  # the market as configured, at each mapped key
    screening: pd.DataFrame | None = None  # parameter, mu, mu_star, mu_star_conf, sigma


# --------------------------------------------------------------------- validation


def plan_of(container: dict) -> MapPlan:
    """Check a composed config (app + ``map``) and return the plan; raise one
    ConfigError naming the key, the value and what is allowed."""
    from experiments.running.config import validate_experiment

    data = copy.deepcopy({k: v for k, v in container.items() if k != "hydra"})
    node = data.pop("map", None) or {}
    validate_experiment(data)
    optional = ("firm", "baseline")
    validate({k: v for k, v in node.items() if k not in optional}, MapConfig, "map.")
    settings = MapConfig(**{k: v for k, v in node.items() if k != "conditions"})
    for name in optional:
        value = getattr(settings, name)
        if value is not None and not isinstance(value, str):
            raise ConfigError(f"map.{name} = {value!r}: must be a name or null")
    experiment = data["experiment"]
    firms = [str(f["name"]) for f in data["market"]["firms"]]
    scenarios = [str(s["name"]) for s in experiment["scenarios"]]
    firm = settings.firm or str(experiment["focal_firm"])
    baseline = settings.baseline or str(experiment["baseline"])
    if firm not in firms:
        raise ConfigError(f"map.firm = {firm!r}: must be one of the market's firms ({', '.join(firms)})")
    for name, value in (("scenario", settings.scenario), ("baseline", baseline)):
        if value not in scenarios:
            raise ConfigError(
                f"map.{name} = {value!r}: must be one of the experiment's scenarios ({', '.join(scenarios)})"
            )
    if settings.scenario == baseline:
        raise ConfigError(f"map.scenario = {settings.scenario!r}: must differ from the baseline ({baseline!r})")
    conditions, whole = check_ranges(data, list(node.get("conditions") or []), "map.conditions", Condition)
    n = len(conditions)
    if settings.choose == 0 and not MIN_CONDITIONS <= n <= MAX_CONDITIONS:
        raise ConfigError(
            f"map.conditions = {n} conditions: a map shows {MIN_CONDITIONS} to {MAX_CONDITIONS}; "
            "list that many, or more with map.choose to screen them"
        )
    if settings.choose:
        if settings.choose < MIN_CONDITIONS:
            raise ConfigError(f"map.choose = {settings.choose}: must be 0 or {MIN_CONDITIONS} to {MAX_CONDITIONS}")
        if n <= settings.choose:
            raise ConfigError(
                f"map.choose = {settings.choose}: must be below the number of conditions listed ({n}) to screen them"
            )
    return MapPlan(settings, data, conditions, whole, firm, settings.scenario, baseline)


# --------------------------------------------------------------------- the design


def design(conditions: Sequence[Condition], whole: Sequence[bool], settings: MapConfig) -> pd.DataFrame:
    """The points of the map, one column per condition key, as run.

    grid: ``levels`` evenly spaced values of each condition (a whole-number
    key's distinct rounded values), every combination; lhs: a Latin
    hypercube of ``samples`` points (SALib, seeded), whole-number keys rounded.
    """
    keys = [c.key for c in conditions]
    if settings.design == "grid":
        axes = []
        for c, is_whole in zip(conditions, whole):
            values = np.linspace(c.lo, c.hi, settings.levels)
            axes.append(np.unique(np.round(values)) if is_whole else values)
        inputs = np.array(list(itertools.product(*axes)), dtype=float)
    else:
        from SALib.sample import latin

        problem = {"num_vars": len(keys), "names": keys, "bounds": [[c.lo, c.hi] for c in conditions]}
        inputs = latin.sample(problem, settings.samples, seed=settings.seed)
    return applied_values(keys, whole, inputs)


def adjusted_verdicts(points: pd.DataFrame, confidence: float, replications: int, rate: float) -> np.ndarray:
    """The verdicts after the adjustment for testing every point of the map.

    A map of N points, each judged at ``confidence``, calls about
    N x (1 - confidence) / 2 points "pays" (and as many "loses") where the
    strategy makes no difference. Each point's two-sided p-value of the
    paired t-test (recovered from its interval: the standard error is the
    half-width over the t quantile) enters the Benjamini & Hochberg (1995)
    procedure at false discovery rate ``rate``; a point keeps its call if
    its adjusted p-value is at most ``rate``, and is unclear otherwise."""
    from scipy import stats

    df = max(int(replications) - 1, 1)
    quantile = stats.t.ppf(0.5 + confidence / 2, df)
    diff = points["diff"].to_numpy(dtype=float)
    se = (points["ci_high"].to_numpy(dtype=float) - points["ci_low"].to_numpy(dtype=float)) / (2 * quantile)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(se > 0, np.abs(diff) / se, np.where(diff != 0, np.inf, 0.0))
    p = 2 * stats.t.sf(t, df)
    adjusted = stats.false_discovery_control(p, method="bh")
    keep = adjusted <= rate
    return np.where(keep & (diff > 0), PAYS, np.where(keep & (diff < 0), LOSES, UNCLEAR))


def verdicts(low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """A point's verdict from its interval: pays above 0, loses below 0, unclear across it."""
    low, high = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
    return np.where(low > 0, PAYS, np.where(high < 0, LOSES, UNCLEAR))


# --------------------------------------------------------------------- running


def evaluate_map(plan: MapPlan, points: pd.DataFrame) -> pd.DataFrame:
    """The paired difference of the plan's KPI, with its interval and verdict, at every point."""
    from experiments.analysis.evaluator import evaluate_points, point_app

    s = plan.settings
    table = evaluate_points(
        point_app(plan.app),
        points,
        workers=s.workers,
        firm=plan.firm,
        kpis=[s.kpi],
        scenarios=[plan.scenario],
        baseline=plan.baseline,
        confidence=s.confidence,
        progress=f"map of {plan.scenario}" if s.progress else None,
    )
    rows = table[table["scenario"] == plan.scenario].set_index("point").reindex(points.index)
    out = points.copy()
    out.insert(0, "point", np.arange(len(points)))
    for column in RESULT_COLUMNS[:-2]:
        out[column] = rows[column].to_numpy(dtype=float)
    out["verdict"] = verdicts(out["ci_low"], out["ci_high"])
    reps = int(plan.app["experiment"]["replications"])
    out["verdict_fdr"] = adjusted_verdicts(out, s.confidence, reps, s.false_discovery_rate)
    return out.reset_index(drop=True)


def screen(plan: MapPlan) -> pd.DataFrame:
    """Morris screening of the paired difference over the listed conditions:
    one row per condition (mu, mu_star, mu_star_conf, sigma), largest mu* first."""
    from experiments.analysis import sensitivity

    s = plan.settings
    target = sensitivity.Target(s.kpi, plan.firm, plan.scenario, plan.baseline)
    settings = sensitivity.SensitivityConfig(
        method="morris", samples=s.screening_samples, seed=s.seed, workers=s.workers, progress=s.progress
    )
    splan = sensitivity.Plan(settings, plan.app, list(plan.conditions), list(plan.whole), target)
    analysis = sensitivity.analyse(
        splan.problem(),
        "morris",
        lambda x: sensitivity.outputs_at(splan, x),
        samples=s.screening_samples,
        levels=settings.levels,
        seed=s.seed,
        confidence=s.confidence,
    )
    return analysis.indices.sort_values("mu_star", ascending=False, kind="stable").reset_index(drop=True)


def configured_values(app: dict, keys: Sequence[str]) -> dict[str, float]:
    """The market as configured: the app config's value at each key."""
    return {key: float(get_key(app, key)) for key in keys}


def run_map(plan: MapPlan) -> StrategyMap:
    """Screen (if asked), sample the mapped conditions, evaluate every point and find the rules."""
    screening = None
    chosen = list(zip(plan.conditions, plan.whole))
    if plan.settings.choose:
        screening = screen(plan)
        keep = set(screening["parameter"].head(plan.settings.choose))
        chosen = [(c, w) for c, w in chosen if c.key in keep]
    conditions = [c for c, _ in chosen]
    whole = [w for _, w in chosen]
    points = evaluate_map(plan, design(conditions, whole, plan.settings))
    inputs = points[[c.key for c in conditions]]
    rules = {
        outcome: discover(inputs, (points["verdict"] == outcome).to_numpy(), plan.settings.min_density)
        for outcome in (PAYS, LOSES)
    }
    current = configured_values(plan.app, [c.key for c in conditions])
    return StrategyMap(plan, conditions, whole, points, rules, current, screening)


# --------------------------------------------------------------------- reading a map


def label_of(condition: Condition) -> str:
    """The condition's name in the rule and the figures."""
    return condition.label or condition.key


def map_meta(result: StrategyMap, elapsed: float) -> dict:
    """What map.json holds: what was mapped, on which market, the counts and the rules."""
    plan, s = result.plan, result.plan.settings
    market, experiment = plan.app["market"], plan.app["experiment"]
    counts = result.points["verdict"].value_counts()
    labels = {c.key: label_of(c) for c in result.conditions}
    return {
        "experiment": experiment["name"],
        "scenario": plan.scenario,
        "scenario_description": _description(experiment, plan.scenario),
        "baseline": plan.baseline,
        "firm": plan.firm,
        "kpi": s.kpi,
        "kpi_label": ALL_KPIS[s.kpi].label,
        "confidence": s.confidence,
        "design": s.design,
        "levels": s.levels if s.design == "grid" else None,
        "samples": len(result.points),
        "design_seed": s.seed,
        "replications": experiment["replications"],
        "seed": experiment["seed"],
        "market": (
            f"{market['name']}, {market['n_customers']:,} customers, {len(market['firms'])} firms, "
            + ("the horizon as mapped" if "market.steps" in labels else f"{market['steps']} steps")
            + f" after {market['burn_in']} burn-in steps"
        ),
        "conditions": [
            {"key": c.key, "label": labels[c.key], "lo": c.lo, "hi": c.hi, "whole": w}
            for c, w in zip(result.conditions, result.whole)
        ],
        "current": result.current,
        "counts": {v: int(counts.get(v, 0)) for v in VERDICTS},
        "counts_fdr": {v: int((result.points["verdict_fdr"] == v).sum()) for v in VERDICTS},
        "false_discovery_rate": s.false_discovery_rate,
        "expected_false_calls": len(result.points) * (1 - s.confidence) / 2,
        "note": s.note,
        "rules": {outcome: rule.as_dict() for outcome, rule in result.rules.items()},
        "rule_text": {outcome: rule.sentence(plan.scenario, outcome, labels) for outcome, rule in result.rules.items()},
        "current_in_rule": {outcome: rule.contains(result.current) for outcome, rule in result.rules.items()},
        "min_density": s.min_density,
        "screened": None if result.screening is None else result.screening["parameter"].tolist(),
        "elapsed_seconds": round(elapsed, 1),
    }


def _description(experiment: dict, name: str) -> str:
    return next((str(s.get("description") or "") for s in experiment["scenarios"] if s["name"] == name), "")


def read_map(folder: str | Path) -> tuple[pd.DataFrame, dict]:
    """A written map: its points table and its meta (map.json)."""
    folder = Path(folder)
    meta = json.loads((folder / "map.json").read_text(encoding="utf-8"))
    return pd.read_csv(folder / "points.csv"), meta


def shipped_maps(folder: str | Path = MAPS_DIR) -> dict[str, dict]:
    """The maps written under ``folder`` (``make maps``: one sub-folder per
    named map of conf/map/), by name: each one's meta (map.json)."""
    found = {}
    for path in sorted(Path(folder).glob("*/map.json")):
        found[path.parent.name] = json.loads(path.read_text(encoding="utf-8"))
    return found


def lesson_map(lesson: str, scenario: str | None = None, folder: str | Path = MAPS_DIR) -> str | None:
    """The name of the shipped map of the lesson (the experiment ``lesson``):
    the one of its ``scenario`` if there is one, else the map named after the
    lesson, else its first; None if the lesson has none."""
    maps = {name: meta for name, meta in shipped_maps(folder).items() if meta.get("experiment") == lesson}
    if not maps:
        return None
    same = [name for name, meta in maps.items() if meta.get("scenario") == scenario]
    return same[0] if same else (lesson if lesson in maps else next(iter(maps)))


# --------------------------------------------------------------------- the app


def compose_map(overrides: Sequence[str] = ()) -> dict:
    """The resolved config of ``conf/map.yaml`` with ``overrides`` (without Hydra's own node)."""
    return compose_app(overrides, CONFIG_NAME)


def check_overrides(overrides: Sequence[str]) -> str | None:
    """Compose and check the config of command-line overrides; return the
    one-line error (``key = value: what is allowed``) or None if it is fine."""
    from experiments.cli.entry import check_overrides as check

    return check(overrides, CONFIG_NAME, plan_of, MapAppConfig)


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point: check the config, then hand over to Hydra."""
    hydra_entry(argv, CONFIG_NAME, run_job, plan_of, MapAppConfig)


def run_job(cfg: Any) -> StrategyMap:
    """One Hydra job: map and write into the job's folder (:func:`experiments.cli.entry.run_in_job_folder`)."""
    return run_in_job_folder(cfg, run_and_write)


def run_and_write(container: dict, folder: Path) -> StrategyMap:
    """Map a composed config and write its outputs into ``folder``."""
    import yaml

    from experiments.analysis.map_plots import FIGURE, plot_map, report_markdown
    from experiments.running.outputs import save_figure, write_csv, write_parquet, write_text

    started = time.perf_counter()
    plan = plan_of(container)
    result = run_map(plan)
    meta = map_meta(result, time.perf_counter() - started)
    folder = Path(folder)
    (folder / "figures").mkdir(parents=True, exist_ok=True)
    write_parquet(folder / "points.parquet", result.points)
    write_csv(folder / "points.csv", result.points, index=False)
    if result.screening is not None:
        write_csv(folder / "screening.csv", result.screening, index=False)
    figure = plot_map(result.points, meta)
    save_figure(folder / "figures" / f"{FIGURE}.png", figure)  # and its SVG twin
    clean = {k: v for k, v in container.items() if k != "hydra"}
    write_text(folder / "config.yaml", yaml.safe_dump(clean, sort_keys=False, allow_unicode=True))
    write_text(folder / "map.json", json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
    write_text(folder / "map.md", report_markdown(result.points, meta))
    print(meta["rule_text"][PAYS])
    print(meta["rule_text"][LOSES])
    counts = meta["counts"]
    print(
        f"{counts[PAYS]} points pay, {counts[LOSES]} lose, {counts[UNCLEAR]} unclear of {len(result.points)}"
        f"\nresults: {folder} ({time.perf_counter() - started:.1f} s)"
    )
    return result


if __name__ == "__main__":
    main()
