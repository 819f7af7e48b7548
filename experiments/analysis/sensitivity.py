"""Global sensitivity analysis of a KPI over configured parameter ranges.

Usage::

    loyalty-sim-sensitivity                          # Morris screening (conf/sensitivity/morris.yaml)
    loyalty-sim-sensitivity sensitivity=sobol        # Sobol indices (conf/sensitivity/sobol.yaml)
    loyalty-sim-sensitivity sensitivity.kpi=retention_rate sensitivity.difference_from=null
    loyalty-sim-sensitivity 'sensitivity.parameters=[{key: market.firms.0.price, lo: 0.9, hi: 1.1}]'
    loyalty-sim-sensitivity experiment=price_war sensitivity.scenario=war_rivals_match

The question is: which of the declared parameters move one number, the
*output*: the mean over the experiment's replications of a KPI of one firm
in one scenario, or, with ``sensitivity.difference_from``, the mean paired
difference of that KPI between two scenarios (common random numbers).
SALib draws the points of the parameter space (Morris trajectories or
Saltelli's extension of the Sobol' sequence); at each point the parameter
values are put into the composed app config (``conf/sensitivity.yaml``: the
same ``market`` and ``experiment`` groups as ``loyalty-sim``), which is
validated and run with only the scenarios needed by the evaluator the
analysis apps share (:func:`experiments.analysis.evaluator.evaluate_points`);
the output is read from its KPI table. Points run in parallel processes
(joblib, ``sensitivity.workers``); each point is deterministic and the
outputs are put back in point order, so the results do not depend on the
number of workers.

The analysis core (:func:`analyse`) knows nothing of the simulator: it takes a
SALib problem and any function from an (n, D) array of inputs to n outputs,
so it is tested on functions with known indices (Ishigami).

Outputs, in the Hydra run folder ``outputs/<date>/<time>/``: ``samples.parquet``
(the parameter values and the output of every point), ``indices.csv`` (Sobol:
S1, S1_conf, ST, ST_conf; Morris: mu, mu_star, mu_star_conf, sigma; one row per
parameter), with Sobol second-order indices also ``second_order.csv``,
``sensitivity.md`` (the report), ``figures/sensitivity.png`` and
``config.yaml``; the table is printed. Bad input stops before anything is
written with one line ``error: <key> = <value>: <what is allowed>`` and exit
status 2.

A parameter whose key holds a whole number (e.g. ``market.loyalty.repeat_purchases``)
is rounded at every point; the table of a scenario's firm changes
(``experiment.scenarios[i].firms``) wins over a swept firm key in that scenario.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

import numpy as np
import pandas as pd

import experiments.running.schema  # noqa: F401  (app_schema, strategies; also in worker processes)
from experiments.cli.entry import compose_app, hydra_entry, run_in_job_folder
from experiments.analysis.parameter_ranges import ParameterRange, check_ranges
from experiments.analysis.parameter_ranges import applied_values as values_as_run
from experiments.running.config import AppConfig, ExperimentConfig  # noqa: F401  (ExperimentConfig: schema type lookup)
from experiments.running.kpis import ALL_KPIS
from sim.config import ConfigError, MarketConfig, param, validate  # noqa: F401  (MarketConfig: type lookup)

CONFIG_NAME = "sensitivity"
METHODS = ("morris", "sobol")
#: the columns of indices.csv after ``parameter``, per method
INDEX_COLUMNS = {"sobol": ["S1", "S1_conf", "ST", "ST_conf"], "morris": ["mu", "mu_star", "mu_star_conf", "sigma"]}


@dataclass
class SensitivityConfig:
    """What is analysed, how, and over which parameter ranges."""

    method: str = param(
        "morris",
        doc="morris: elementary-effects screening (cheap, ranks inputs); "
        "sobol: variance-based indices S1 and ST (costly, quantifies)",
        choices=METHODS,
    )
    kpi: str = param("npv", doc="the indicator analysed (experiments/running/kpis.py)", choices=tuple(ALL_KPIS))
    firm: Optional[str] = field(
        default=None, metadata={"doc": "firm whose KPI is analysed (null: experiment.focal_firm)"}
    )
    scenario: Optional[str] = field(
        default=None, metadata={"doc": "scenario whose KPI is analysed (null: experiment.baseline)"}
    )
    difference_from: Optional[str] = field(
        default=None,
        metadata={"doc": "null, or a scenario: then the output is the mean paired difference scenario minus this one"},
    )
    samples: int = param(
        8,
        2,
        1_000_000,
        "Morris: trajectories (points: samples x (parameters + 1)); "
        "Sobol: base sample N, a power of 2 (points: N x (parameters + 2))",
    )
    levels: int = param(4, 2, 1000, "Morris: levels of the grid (even)")
    second_order: bool = param(False, doc="Sobol: also the second-order indices (points: N x (2 parameters + 2))")
    confidence: float = param(0.95, 0.5, 0.9999, "confidence level of the indices' bootstrap intervals")
    resamples: int = param(100, 10, 1_000_000, "bootstrap resamples of the intervals")
    seed: int = param(0, 0, 2**63 - 2, "seed of the sample (the bootstrap uses seed + 1)")
    workers: int = param(0, 0, 1024, "processes evaluating points (0: all available cores)")
    progress: bool = param(True, doc="show a progress bar over the points")
    parameters: list = field(
        default_factory=list, metadata={"items": ParameterRange, "doc": "the inputs: a list of {key, lo, hi}"}
    )


@dataclass
class SensitivityAppConfig(AppConfig):
    """The top config of ``loyalty-sim-sensitivity``: the app's market and
    experiment (validated as in ``loyalty-sim``) and the analysis."""

    sensitivity: SensitivityConfig = field(default_factory=SensitivityConfig)


def _register() -> None:
    from hydra.core.config_store import ConfigStore

    ConfigStore.instance().store(name="sensitivity_app_schema", node=SensitivityAppConfig)


_register()


@dataclass(frozen=True)
class Target:
    """The output of a point: a KPI of a firm in a scenario (minus another)."""

    kpi: str
    firm: str
    scenario: str
    difference_from: str | None = None


@dataclass
class Plan:
    """A validated analysis: the app config, the inputs and the output."""

    settings: SensitivityConfig
    app: dict  # the app config (market, experiment), without ``sensitivity``
    parameters: list[ParameterRange]
    whole: list[bool]  # whether each parameter's key holds a whole number
    target: Target

    def problem(self) -> dict:
        """The SALib problem of the parameters."""
        return problem_of([p.key for p in self.parameters], [(p.lo, p.hi) for p in self.parameters])


# --------------------------------------------------------------------- the analysis core


class OutputError(ValueError):
    """The function analysed gave a value that is not a finite number."""


@dataclass
class Analysis:
    """The result of :func:`analyse`."""

    method: str
    problem: dict
    inputs: np.ndarray  # (points, parameters)
    outputs: np.ndarray  # (points,)
    indices: pd.DataFrame  # ``parameter`` + INDEX_COLUMNS[method], one row per parameter
    second_order: pd.DataFrame | None = None  # Sobol: parameter_1, parameter_2, S2, S2_conf


def problem_of(names: Sequence[str], bounds: Sequence[tuple[float, float]]) -> dict:
    """A SALib problem: ``num_vars``, ``names`` and ``bounds``."""
    return {"num_vars": len(names), "names": list(names), "bounds": [[float(lo), float(hi)] for lo, hi in bounds]}


def design(
    problem: dict, method: str, samples: int, levels: int = 4, seed: int = 0, second_order: bool = False
) -> np.ndarray:
    """The points at which to evaluate the model, in the problem's bounds.

    Morris: ``samples`` trajectories of D + 1 points on a grid of ``levels``;
    Sobol: Saltelli's extension of the scrambled Sobol' sequence with base
    ``samples`` (a power of 2), N(D + 2) points, N(2D + 2) with ``second_order``.
    """
    if method == "morris":
        from SALib.sample import morris

        return morris.sample(problem, samples, num_levels=levels, seed=seed)
    if method == "sobol":
        if samples < 2 or samples & (samples - 1):
            raise ValueError(f"samples = {samples}: Sobol needs a power of 2")
        from SALib.sample import sobol

        return sobol.sample(problem, samples, calc_second_order=second_order, seed=seed)
    raise ValueError(f"method = {method!r}: must be one of {', '.join(METHODS)}")


def indices_of(
    problem: dict,
    method: str,
    inputs: np.ndarray,
    outputs: np.ndarray,
    levels: int = 4,
    seed: int = 0,
    confidence: float = 0.95,
    resamples: int = 100,
    second_order: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The sensitivity indices of ``outputs`` at the points ``inputs`` of :func:`design`.

    The bootstrap intervals use ``seed + 1``: SALib's Sobol analysis treats
    seed 0 as no seed, and would then draw different intervals every time.
    """
    names = problem["names"]
    y = np.asarray(outputs, dtype=float).reshape(-1)
    if method == "morris":
        from SALib.analyze import morris

        si = morris.analyze(
            problem,
            np.asarray(inputs, dtype=float),
            y,
            num_resamples=resamples,
            conf_level=confidence,
            num_levels=levels,
            seed=seed + 1,
        )
        second = None
    elif method == "sobol":
        from SALib.analyze import sobol

        si = sobol.analyze(
            problem, y, calc_second_order=second_order, num_resamples=resamples, conf_level=confidence, seed=seed + 1
        )
        second = _second_order(names, si) if second_order else None
    else:
        raise ValueError(f"method = {method!r}: must be one of {', '.join(METHODS)}")
    table = pd.DataFrame({"parameter": names, **{c: np.asarray(si[c], dtype=float) for c in INDEX_COLUMNS[method]}})
    return table, second


def _second_order(names: Sequence[str], si: Any) -> pd.DataFrame:
    rows = [
        {
            "parameter_1": names[i],
            "parameter_2": names[j],
            "S2": float(si["S2"][i, j]),
            "S2_conf": float(si["S2_conf"][i, j]),
        }
        for i in range(len(names))
        for j in range(i + 1, len(names))
    ]
    return pd.DataFrame(rows, columns=["parameter_1", "parameter_2", "S2", "S2_conf"])


def analyse(
    problem: dict,
    method: str,
    evaluate: Callable[[np.ndarray], np.ndarray],
    *,
    samples: int,
    levels: int = 4,
    seed: int = 0,
    confidence: float = 0.95,
    resamples: int = 100,
    second_order: bool = False,
) -> Analysis:
    """Sample the problem, evaluate every point with ``evaluate`` (an (n, D)
    array of inputs to n outputs) and compute the indices of ``method``.
    Raises ValueError if there are not n outputs, OutputError if one is not
    a finite number (the indices would be undefined)."""
    x = design(problem, method, samples, levels, seed, second_order)
    y = np.asarray(evaluate(x), dtype=float).reshape(-1)
    if len(y) != len(x):
        raise ValueError(f"evaluate returned {len(y)} outputs for {len(x)} points")
    if not np.isfinite(y).all():
        bad = np.flatnonzero(~np.isfinite(y))
        raise OutputError(
            f"the output is not a finite number at {len(bad)} of {len(y)} points "
            f"(first: point {bad[0]}, {dict(zip(problem['names'], x[bad[0]].tolist()))})"
        )
    table, second = indices_of(problem, method, x, y, levels, seed, confidence, resamples, second_order)
    return Analysis(method, problem, x, y, table, second)


def points_of(method: str, samples: int, n_parameters: int, second_order: bool = False) -> int:
    """How many points :func:`design` draws."""
    if method == "morris":
        return samples * (n_parameters + 1)
    return samples * (2 * n_parameters + 2 if second_order else n_parameters + 2)


# --------------------------------------------------------------------- validation


def plan_of(container: dict) -> Plan:
    """Check a composed config (app + ``sensitivity``) and return the plan;
    raise one ConfigError naming the key, the value and what is allowed."""
    from experiments.running.config import validate_experiment

    data = copy.deepcopy({k: v for k, v in container.items() if k != "hydra"})
    node = data.pop("sensitivity", None) or {}
    validate_experiment(data)
    optional = ("firm", "scenario", "difference_from")
    validate({k: v for k, v in node.items() if k not in optional}, SensitivityConfig, "sensitivity.")
    settings = SensitivityConfig(**node)  # (to_dataclass cannot resolve the Optional fields)
    for name in optional:
        value = getattr(settings, name)
        if value is not None and not isinstance(value, str):
            raise ConfigError(f"sensitivity.{name} = {value!r}: must be a name or null")
    experiment = data.get("experiment", {})
    firms = [str(f["name"]) for f in data["market"]["firms"]]
    scenarios = [str(s["name"]) for s in experiment["scenarios"]]
    target = Target(
        settings.kpi,
        settings.firm or experiment["focal_firm"],
        settings.scenario or experiment["baseline"],
        settings.difference_from,
    )
    if target.firm not in firms:
        raise ConfigError(f"sensitivity.firm = {target.firm!r}: must be one of the market's firms ({', '.join(firms)})")
    for name, value in (("scenario", target.scenario), ("difference_from", target.difference_from)):
        if value is not None and value not in scenarios:
            raise ConfigError(
                f"sensitivity.{name} = {value!r}: must be one of the experiment's scenarios ({', '.join(scenarios)})"
            )
    if target.difference_from == target.scenario:
        raise ConfigError(
            f"sensitivity.difference_from = {target.difference_from!r}: must differ from "
            f"the scenario analysed ({target.scenario!r})"
        )
    _check_method(settings)
    parameters, whole = check_ranges(data, settings.parameters, "sensitivity.parameters")
    return Plan(settings, data, parameters, whole, target)


def _check_method(s: SensitivityConfig) -> None:
    if s.method == "sobol" and s.samples & (s.samples - 1):
        raise ConfigError(
            f"sensitivity.samples = {s.samples}: must be a power of 2 for method sobol (e.g. 8, 16, 32, 64)"
        )
    if s.method == "morris" and s.levels % 2:
        raise ConfigError(f"sensitivity.levels = {s.levels}: must be even (Morris grid)")


# --------------------------------------------------------------------- evaluation


def outputs_at(plan: Plan, inputs: np.ndarray) -> np.ndarray:
    """The output at every point, in point order: the points' experiments run
    by the shared evaluator (:func:`experiments.analysis.evaluator.evaluate_points`,
    in ``sensitivity.workers`` processes), the output read from its KPI table."""
    from experiments.analysis.evaluator import evaluate_points, point_app

    s = plan.settings
    table = evaluate_points(
        point_app(plan.app),
        applied_values(plan, inputs),
        workers=s.workers,
        progress=f"sensitivity ({s.method})" if s.progress else None,
        **reading_of(plan.target),
    )
    return target_values(table, plan.target)


def reading_of(target: Target) -> dict:
    """What the evaluator runs and reports for ``target``: its firm and KPI,
    its scenario and, as the baseline, the scenario it is compared with
    (itself without ``difference_from``: then only that one runs)."""
    return {
        "firm": target.firm,
        "kpis": [target.kpi],
        "scenarios": [target.scenario],
        "baseline": target.difference_from or target.scenario,
    }


def target_values(table: pd.DataFrame, target: Target) -> np.ndarray:
    """The output of every point of an evaluator's KPI table, in point order:
    the firm's mean KPI in the scenario over the replications or, with
    ``difference_from`` (the table's baseline), the mean paired difference
    scenario minus that one."""
    rows = table[(table["scenario"] == target.scenario) & (table["kpi"] == target.kpi) & (table["firm"] == target.firm)]
    column = "mean" if target.difference_from is None else "diff"
    return rows.sort_values("point", kind="stable")[column].to_numpy(dtype=float)


def applied_values(plan: Plan, inputs: np.ndarray) -> pd.DataFrame:
    """The parameter values as run (whole-number keys rounded), one column per key."""
    return values_as_run([p.key for p in plan.parameters], plan.whole, inputs)


# --------------------------------------------------------------------- the app


def compose_sensitivity(overrides: Sequence[str] = ()) -> dict:
    """The resolved config of ``conf/sensitivity.yaml`` with ``overrides``
    (without Hydra's own node); raises Hydra's and OmegaConf's errors."""
    return compose_app(overrides, CONFIG_NAME)


def check_overrides(overrides: Sequence[str]) -> str | None:
    """Compose and check the config of command-line overrides; return the
    one-line error (``key = value: what is allowed``) or None if it is fine."""
    from experiments.cli.entry import check_overrides as check

    return check(overrides, CONFIG_NAME, plan_of, SensitivityAppConfig)


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point: check the config, then hand over to Hydra."""
    hydra_entry(argv, CONFIG_NAME, run_job, plan_of, SensitivityAppConfig)


def run_job(cfg: Any) -> Analysis:
    """One Hydra job: analyse and write into the job's folder (:func:`experiments.cli.entry.run_in_job_folder`)."""
    return run_in_job_folder(cfg, run_and_write)


def run_and_write(container: dict, folder: Path) -> Analysis:
    """Run the analysis of a composed config and write its outputs into ``folder``."""
    import yaml

    from experiments.running.outputs import save_figure, write_csv, write_parquet, write_text
    from experiments.analysis.sensitivity_plots import DPI, FIGURE, format_indices, plot_indices, report_markdown

    started = time.perf_counter()
    plan = plan_of(container)
    s = plan.settings
    try:
        analysis = analyse(
            plan.problem(),
            s.method,
            lambda x: outputs_at(plan, x),
            samples=s.samples,
            levels=s.levels,
            seed=s.seed,
            confidence=s.confidence,
            resamples=s.resamples,
            second_order=s.second_order,
        )
    except OutputError as e:
        raise ConfigError(
            f"sensitivity.kpi = {s.kpi!r}: {e}; choose another KPI, firm or scenario, or narrower ranges"
        ) from None
    meta = analysis_meta(plan, analysis, time.perf_counter() - started)
    samples = applied_values(plan, analysis.inputs)
    samples.insert(0, "point", np.arange(len(samples)))
    samples["output"] = analysis.outputs
    folder = Path(folder)
    (folder / "figures").mkdir(parents=True, exist_ok=True)
    write_parquet(folder / "samples.parquet", samples)
    write_csv(folder / "indices.csv", analysis.indices, index=False)
    if analysis.second_order is not None:
        write_csv(folder / "second_order.csv", analysis.second_order, index=False)
    save_figure(folder / "figures" / FIGURE, plot_indices(analysis.indices, s.method, meta), dpi=DPI)
    clean = {k: v for k, v in container.items() if k != "hydra"}
    write_text(folder / "config.yaml", yaml.safe_dump(clean, sort_keys=False, allow_unicode=True))
    write_text(folder / "sensitivity.md", report_markdown(analysis.indices, analysis.second_order, meta))
    print(format_indices(analysis.indices, meta))
    print(f"\nresults: {folder} ({time.perf_counter() - started:.1f} s)")
    return analysis


def output_description(plan: Plan) -> str:
    """One line: what the output of a point is."""
    t, reps = plan.target, plan.app["experiment"]["replications"]
    kpi = ALL_KPIS[t.kpi].label
    if t.difference_from is None:
        return f"{kpi} of {t.firm} in scenario {t.scenario!r}, mean over {reps} replications"
    return (
        f"{kpi} of {t.firm}, scenario {t.scenario!r} minus {t.difference_from!r}: mean paired difference "
        f"over {reps} replications (common random numbers)"
    )


def analysis_meta(plan: Plan, analysis: Analysis, elapsed: float) -> dict:
    """What the report and the console table say about the analysis."""
    from experiments.reports.units import ReportUnits
    from sim.config import market_config

    s, market, exp = plan.settings, plan.app["market"], plan.app["experiment"]
    scenarios = 1 + (plan.target.difference_from is not None)
    points = len(analysis.outputs)
    return {
        "method": s.method,
        "samples": s.samples,
        "levels": s.levels,
        "second_order": s.second_order,
        "confidence": s.confidence,
        "resamples": s.resamples,
        "seed": s.seed,
        "kpi": s.kpi,
        "kpi_kind": ALL_KPIS[s.kpi].kind,
        "output": output_description(plan),
        "points": points,
        "runs": points * scenarios * exp["replications"],
        "parameters": [{"key": p.key, "lo": p.lo, "hi": p.hi, "whole": w} for p, w in zip(plan.parameters, plan.whole)],
        "experiment": exp["name"],
        "market": (
            f"{market['name']}, {market['n_customers']:,} customers, {len(market['firms'])} firms, "
            f"{market['steps']} steps after {market['burn_in']} burn-in steps, seeds "
            f"{exp['seed']}..{exp['seed'] + exp['replications'] - 1} at every point"
        ),
        "elapsed_seconds": round(elapsed, 1),
        "units": ReportUnits.of_market(market_config(market)).as_dict(),
    }


if __name__ == "__main__":
    main()
