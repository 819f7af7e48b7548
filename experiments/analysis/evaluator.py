"""One evaluator from parameter points to a KPI table, shared by the analysis apps.

Exploratory modelling runs a model over many points of a space of
uncertainties and levers and looks at the outcomes (Kwakkel 2017, *The
Exploratory Modeling Workbench*, Environmental Modelling & Software 96;
its ``perform_experiments`` returns the experiments and the outcomes). Here
a *point* is one row of a table whose columns are dotted keys of the app
config (``market.firms.0.price``, ``experiment.scenarios.1.strategies.Focal.0.depth``,
:mod:`experiments.running.config_keys`); :func:`evaluate_points` puts each
row's values into the app config, validates it, runs its experiment (the
scenarios on ``experiment.replications`` common random numbers,
:func:`experiments.running.runner.run_experiment`) and returns a tidy table,
one row per point x scenario x KPI of one firm: the scenario's mean over the
replications and its mean paired difference from the baseline with the
confidence interval (:func:`experiments.running.statistics.compare`, the same
numbers as ``comparison.csv`` of ``loyalty-sim``).

The sensitivity analysis (:mod:`experiments.analysis.sensitivity`) reads its
output per point from this table, the optimiser
(:mod:`experiments.analysis.optimise`) its trial (one point, the app config
as it is), so that both read the same numbers the same way.

Parallelism: with ``workers`` > 1 the points are spread over that many
processes (joblib), each point's replications then run one after another on
one engine thread; with ``workers`` = 1 the points run in this process one
after another, each experiment with its own ``experiment.workers`` (an
optimiser trial spreads its replications). Every point is deterministic (its
seeds are ``experiment.seed`` .. ``+ replications - 1``) and the tables are
put back in point order, so the result does not depend on the number of
workers.
"""

from __future__ import annotations

import copy
import sys
from typing import Any, Iterable, Sequence

import pandas as pd

import experiments.running.schema  # noqa: F401  (app_schema, strategies; also in worker processes)
from experiments.cli.errors import one_line
from experiments.running.config_keys import get_key, set_value
from experiments.running.kpis import ALL_KPIS
from experiments.running.statistics import COMPARISON_COLUMNS
from sim.config import ConfigError

#: the columns of the table :func:`evaluate_points` returns: the point (the
#: label of its row in ``points``), the firm, then those of
#: :func:`experiments.running.statistics.compare` (scenario, kpi, label, n,
#: mean, baseline_mean, diff, ci_low, ci_high, unpaired_ci_low, unpaired_ci_high)
KPI_TABLE_COLUMNS = ["point", "firm", *COMPARISON_COLUMNS]


def evaluate_points(
    app: dict,
    points: pd.DataFrame | None = None,
    *,
    workers: int = 1,
    firm: str | None = None,
    kpis: Sequence[str] | None = None,
    scenarios: Sequence[str] | None = None,
    baseline: str | None = None,
    confidence: float | None = None,
    progress: str | None = None,
) -> pd.DataFrame:
    """Run the experiment of every point and return its KPIs against the baseline.

    ``app``: an app config (``market`` and ``experiment``, as ``loyalty-sim``
    composes it; an app's own node, such as ``sensitivity``, is left out); it
    is not changed. ``points``: one row per point, one
    column per dotted key (None: one point, the app config as it is, labelled
    0). ``workers``: processes over the points (0: all available cores; at
    most one per point). ``firm``: whose KPIs (None: ``experiment.focal_firm``).
    ``kpis``: which (None: the experiment's ``experiment.kpis``).
    ``scenarios``: the scenarios to run (None: all of the experiment's); the
    baseline runs too. ``baseline``: the scenario the others are compared with
    (None: ``experiment.baseline``). ``confidence``: of the intervals (None:
    ``experiment.confidence``). ``progress``: a label shows a progress bar
    over the points on stderr.

    Returns :data:`KPI_TABLE_COLUMNS`, one row per point x scenario x KPI, in
    point order, then the experiment's scenario order, then ``kpis`` order;
    join it to ``points`` on ``point``. Bad input (a key, a value, a name)
    raises one ConfigError before anything runs; one that only a point makes
    names that point.
    """
    from sim.blocks import available_cores

    experiment = app.get("experiment", {})
    firm = firm if firm is not None else str(experiment.get("focal_firm", "Focal"))
    kpis = list(dict.fromkeys(kpis if kpis is not None else experiment.get("kpis", _default_kpis())))
    confidence = float(confidence if confidence is not None else experiment.get("confidence", 0.95))
    _check_reading(app, firm, kpis)
    configs = point_configs(app, points, scenarios=scenarios, baseline=baseline)
    if not configs:
        return pd.DataFrame(columns=KPI_TABLE_COLUMNS)
    n = max(1, min(workers or available_cores(), len(configs)))
    if n > 1:
        for _, config in configs:  # the processes share the cores: one engine thread, replications in turn
            config["experiment"].update(workers=1, progress=False)
            config.setdefault("market", {}).setdefault("engine", {})["threads"] = 1
    jobs = ((label, config, firm, kpis, confidence) for label, config in configs)
    if n == 1:
        tables: Iterable[pd.DataFrame] = (evaluate_config(*job) for job in jobs)
    else:
        from joblib import delayed

        from experiments.running.interruption import run_in_workers

        tables = run_in_workers((delayed(evaluate_config)(*job) for job in jobs), n, return_as="generator")
    if progress:
        from tqdm import tqdm

        tables = tqdm(tables, total=len(configs), desc=progress, unit="point", file=sys.stderr, dynamic_ncols=True)
    return pd.concat(list(tables), ignore_index=True)  # (list: the progress bar closes at the end)


def point_app(app: dict) -> dict:
    """The app config every point of an analysis starts from: a copy of
    ``app`` whose experiment runs each point's replications one after another,
    quietly, without figures or transaction files (the points are what runs in
    parallel; the analysis reads the KPI table)."""
    app = copy.deepcopy(app)
    app["experiment"].update(workers=1, progress=False, figures=False, record_transactions=False)
    return app


def point_configs(
    app: dict,
    points: pd.DataFrame | None = None,
    *,
    scenarios: Sequence[str] | None = None,
    baseline: str | None = None,
) -> list[tuple[Any, dict]]:
    """The validated app config of every point, with its label: ``app`` with
    the point's values set at its keys, only ``scenarios`` and the baseline
    kept (in the experiment's order) and ``experiment.baseline`` set.

    A value of a key that holds a whole number is taken as that whole number
    if it is one (a table column of whole numbers may arrive as floats); a
    segment's share rescales the other segments' shares in proportion
    (:func:`experiments.running.config_keys.set_value`).
    A key that does not exist or a value the schema does not allow raises
    ``ConfigError("point <label>: <key> = <value>: <what is allowed>")``.
    """
    from experiments.running.config import validate_experiment

    if points is None:
        points = pd.DataFrame(index=pd.RangeIndex(1))
    if not points.columns.is_unique:
        repeated = sorted({str(k) for k in points.columns[points.columns.duplicated()]})
        raise ConfigError(f"points = {repeated}: a key is given twice; name each key once")
    base = _scenarios_kept(app, scenarios, baseline)
    columns = {str(key): points[key].tolist() for key in points.columns}  # (tolist: Python numbers)
    configs = []
    for row, label in enumerate(points.index.tolist()):
        config = copy.deepcopy(base)
        for key, values in columns.items():
            value = values[row]
            try:
                current = get_key(config, key)
            except KeyError as e:
                raise ConfigError(f"point {label}: {key} = {value!r}: {e.args[0]}") from None
            if _is_whole(current) and isinstance(value, float) and value.is_integer():
                value = int(value)
            set_value(config, key, value)
        try:
            validate_experiment(config)
        except ConfigError as e:
            raise ConfigError(f"point {label}: {one_line(str(e))}") from None
        configs.append((label, config))
    return configs


def evaluate_config(label: Any, config: dict, firm: str, kpis: Sequence[str], confidence: float) -> pd.DataFrame:
    """Run one point's validated app config: the rows of :func:`evaluate_points`
    for that point (a function of the module, so that worker processes can run it)."""
    from experiments.running.runner import experiment_config, run_experiment
    from experiments.running.statistics import compare

    market, experiment = experiment_config(config)
    runs = run_experiment(market, experiment).runs
    table = compare(runs, experiment.baseline, firm, kpis, confidence)
    table.insert(0, "firm", firm)
    table.insert(0, "point", label)
    return table


def _scenarios_kept(app: dict, scenarios: Sequence[str] | None, baseline: str | None) -> dict:
    """A copy of ``app`` with only the named scenarios and the baseline."""
    config = copy.deepcopy({k: v for k, v in app.items() if k in ("market", "experiment")})
    experiment = config.setdefault("experiment", {})
    if "scenarios" not in experiment:
        import dataclasses

        from experiments.running.config import ExperimentConfig

        experiment["scenarios"] = [dataclasses.asdict(s) for s in ExperimentConfig().scenarios]
    names = [str(s.get("name")) for s in experiment["scenarios"]]
    baseline = baseline if baseline is not None else str(experiment.get("baseline", "baseline"))
    wanted = [*(scenarios if scenarios is not None else names), baseline]
    for given, value in (("scenarios", list(scenarios or [])), ("baseline", baseline)):
        unknown = [v for v in (value if isinstance(value, list) else [value]) if v not in names]
        if unknown:
            raise ConfigError(
                f"{given} = {value!r}: {unknown[0]!r} is not a scenario of experiment "
                f"{experiment.get('name', 'default')!r}; must be among {', '.join(names)}"
            )
    experiment["scenarios"] = [s for s, name in zip(experiment["scenarios"], names) if name in wanted]
    experiment["baseline"] = baseline
    return config


def _check_reading(config: dict, firm: str, kpis: Sequence[str]) -> None:
    """The firm must be one of the market's, the KPIs known."""
    firms = [str(f.get("name")) for f in config.get("market", {}).get("firms", _default_firms())]
    if firm not in firms:
        raise ConfigError(f"firm = {firm!r}: must be one of the market's firms ({', '.join(firms)})")
    if not kpis:
        raise ConfigError(f"kpis = []: must name at least one indicator; allowed: {', '.join(ALL_KPIS)}")
    for kpi in kpis:
        if kpi not in ALL_KPIS:
            raise ConfigError(f"kpis = {list(kpis)!r}: {kpi!r} is not an indicator; allowed: {', '.join(ALL_KPIS)}")


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _default_kpis() -> list[str]:
    from experiments.running.kpis import KPIS

    return list(KPIS)


def _default_firms() -> list[dict]:
    import dataclasses

    from sim.config import MarketConfig

    return [dataclasses.asdict(f) for f in MarketConfig().firms]
