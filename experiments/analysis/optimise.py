"""The ``loyalty-sim-optimise`` app: search a strategy's parameters with Optuna.

Usage::

    loyalty-sim-optimise                          # win-back offer: max NPV, retention >= floor
    loyalty-sim-optimise optimise=pareto          # the same search, two objectives: NPV and retention
    loyalty-sim-optimise optimise=price_war       # how deep and how long a price war, if any
    loyalty-sim-optimise hydra.sweeper.n_trials=40 market.n_customers=5000 experiment.replications=8
    loyalty-sim-optimise optimise.retention_floor=0.7 hydra.sweeper.sampler.seed=3
    loyalty-sim-optimise 'optimise.params.window_weeks=int(interval(2, 26))'   # one more parameter searched
    loyalty-sim-optimise --cfg hydra              # the sweeper's settings, search space included

A Hydra app (``conf/optimise.yaml``) whose sweeper is Hydra's Optuna sweeper
(``hydra-optuna-sweeper``, in-memory study). It composes the same ``market``
and ``experiment`` groups as ``loyalty-sim`` (:class:`OptimiseAppConfig`
extends its ``AppConfig``, so their keys are checked the same way) and an
``optimise`` node (:class:`OptimiseConfig`; the group ``conf/optimise/``
holds ready searches). The config sets ``hydra.mode: MULTIRUN``: the app
always sweeps, with or without ``-m`` (``hydra.mode=RUN`` evaluates just
the starting point).

Each trial (one Hydra job, :func:`run_trial`) runs an experiment of two
scenarios on common random numbers: the experiment's baseline scenario, and
a ``candidate`` in which the focal firm (``experiment.focal_firm``) also
runs ``optimise.strategy`` with ``optimise.params`` (the values the sweeper
varies, ``hydra.sweeper.params``). Every trial uses the same seeds
(``experiment.seed`` ..  ``+ replications - 1``), so trials differ only
through the parameters. The job writes ``trial.json`` into its folder and
returns to the sweeper:

* ``optimise.mode: single``: the *score*, the candidate's mean objective KPI
  (default ``npv``) if its mean retention KPI (default ``retention_rate``)
  meets ``optimise.retention_floor``, otherwise the objective minus a penalty
  per percentage point of shortfall: ``floor_penalty x |baseline objective|``
  per point. Why graded and not a constant: TPE learns from the scores where
  good trials lie; a constant for every trial below the floor would tell it
  nothing about which way the floor is, and rank a trial 0.01 points short
  with a disastrous one. Why scaled by the baseline: so that a point of
  shortfall costs the same share of the firm's profit in a market of any
  size. It is a soft constraint, so the report names the best trial *that
  meets the floor* as the answer (and says so if none does).
* ``optimise.mode: pareto``: the pair (objective, retention), both
  maximised (``direction: [maximize, maximize]``, NSGA-II); the floor is
  only marked in the report.

Before the first trial, :class:`OptimisationReport` evaluates the starting
point (the config's own ``optimise.params``) with the same job function into
``<sweep>/start/``; while the trials run it prints a progress line as each
ends (trials done of ``hydra.sweeper.n_trials``, time elapsed and left,
:mod:`experiments.sweeps.progress`); after the last, it prints a summary
(:func:`experiments.analysis.pareto.summary_lines`: the best trial's number,
parameters and value with its interval against the baseline, or "the
starting point is best: no trial improved on it" with the start's value;
Optuna's own "Best value" is only the best *trial's* score) and writes into
the sweep folder
``trials.csv`` (every trial's parameters and values), ``optimisation.md``
and ``figures/history.png`` (single) or ``pareto.csv`` and
``figures/pareto.png`` (pareto, the front computed by
:func:`experiments.analysis.pareto.pareto_front` and checked against Optuna's
``best_trials`` in ``optimization_results.yaml``). Bad input stops before
anything runs with one line ``error: <key> = <value>: <what is allowed>``
and exit status 2.
"""

from __future__ import annotations

import copy
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from hydra.core.config_store import ConfigStore
from hydra.experimental.callback import Callback

import experiments.running.schema  # noqa: F401  (app_schema, market and strategy schemas)
from experiments.cli.entry import compose_config, hydra_entry
from experiments.running.config import AppConfig
from experiments.running.kpis import ALL_KPIS
from experiments.analysis.pareto import (
    PARAMS,
    START_DIR,
    TRIAL_FILE,
    params_text,
    searched_params,
    sweep_summary,
    write_sweep_report,
)
from experiments.cli.errors import EXIT_BAD_INPUT
from experiments.sweeps.progress import ProgressCallback
from sim.config import ConfigError, param

CONFIG_NAME = "optimise"
CANDIDATE = "candidate"
MODES = ("single", "pareto")
#: objectives the sweeper may maximise: the KPIs that are better when higher
OBJECTIVES = tuple(k for k, v in ALL_KPIS.items() if v.higher_is_better)
#: retention KPIs a floor may be put on: shares that are better when higher
RETENTION_KPIS = tuple(k for k, v in ALL_KPIS.items() if v.higher_is_better and v.kind == "pct")


@dataclass
class OptimiseConfig:
    """What the optimiser searches and for what (``optimise`` in conf/optimise.yaml)."""

    mode: str = param(
        "single",
        doc="single: maximise the objective subject to the retention floor; "
        "pareto: maximise objective and retention (two objectives)",
        choices=MODES,
    )
    strategy: str = param(
        "win_back", doc="strategy the focal firm runs in the candidate scenario (python -m strategies lists them)"
    )
    params: dict = param(
        {},
        doc="its parameters at the starting point; the sweeper varies those named in "
        "hydra.sweeper.params or swept on the command line "
        "(e.g. 'optimise.params.window_weeks=int(interval(2, 26))')",
    )
    objective: str = param("npv", doc="KPI maximised: the focal firm's mean over the replications", choices=OBJECTIVES)
    retention: str = param(
        "retention_rate", doc="KPI held above the floor (single) or maximised too (pareto)", choices=RETENTION_KPIS
    )
    retention_floor: float = param(0.0, 0.0, 1.0, "least mean retention KPI a candidate must reach (a share)")
    floor_penalty: float = param(
        1.0,
        0.0,
        1e6,
        "score lost per percentage point below the floor, as a multiple of the baseline's |objective| (single mode)",
    )


@dataclass
class OptimiseAppConfig(AppConfig):
    """The top-level config of ``loyalty-sim-optimise``: the app's market and
    experiment (checked as in ``loyalty-sim``) and what to optimise."""

    optimise: OptimiseConfig = field(default_factory=OptimiseConfig)


ConfigStore.instance().store(name="optimise_app_schema", node=OptimiseAppConfig)


# --------------------------------------------------------------------------- entry point
def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point: check the config and search space, then hand over to Hydra."""
    hydra_entry(argv, CONFIG_NAME, run_trial, check=check_overrides)


def compose_optimise(overrides: Sequence[str] = ()) -> Any:
    """The composed config (a DictConfig with Hydra's node, for the sweeper's
    search space) of ``overrides``; raises Hydra's and OmegaConf's errors."""
    return compose_config(overrides, CONFIG_NAME, with_hydra=True)


def check_overrides(args: Sequence[str]) -> str | None:
    """Compose the config of command-line ``args`` and check it: the market
    and experiment, the ``optimise`` node, the strategy and its parameters,
    the search space and the sweeper's directions. Return the one-line error
    (``key = value: what is allowed``) or None if all is well."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    from experiments.cli.errors import one_line, translate_hydra_error
    from sim.config_loading import read_group_files, search_dirs

    parser = OverridesParser.create()
    fixed, sweeps, values = [], {}, {}
    for text in (a for a in args if a not in ("-m", "--multirun")):
        try:
            (ov,) = parser.parse_overrides([text])
        except HydraException:
            key, eq, value = text.partition("=")
            if not eq:
                return f"{text} = (missing): an override must be key=value (e.g. market.n_customers=2000)"
            return f"{key.lstrip('+~')} = {value!r}: bad override syntax; must be key=value in Hydra's override grammar"
        if ov.is_sweep_override():
            sweeps[ov.get_key_element()] = text.split("=", 1)[1]
            continue
        fixed.append(text)
        if not ov.key_or_group.startswith("hydra"):
            try:
                values[ov.key_or_group] = ov.value()
            except Exception:  # noqa: BLE001 - functions: keep the text
                values[ov.key_or_group] = ov.get_value_element_as_str()
    try:
        values = {**read_group_files(values, search_dirs(fixed)), **values}
        cfg = compose_optimise(fixed)
    except ConfigError as e:
        return one_line(str(e))
    except (HydraException, OmegaConfBaseException) as e:
        return translate_hydra_error(e, values, root=OptimiseAppConfig)
    try:
        container = {k: OmegaConf.to_container(cfg[k], resolve=True) for k in cfg if k != "hydra"}
        sweeper = cfg.hydra.sweeper
        params = OmegaConf.to_container(sweeper.params, resolve=True) if sweeper.get("params") else {}
        for k, v in (params or {}).items():
            if isinstance(v, dict):  # a dotted key given on the command line nests: the sweeper cannot read it
                raise ConfigError(
                    f"hydra.sweeper.params.{k} = {v!r}: a search space entry must be one dotted key "
                    "and its sweep; on the command line give it as optimise.params.<key>=<sweep> "
                    "(e.g. 'optimise.params.reach_per_week=interval(0.2, 1.0)')"
                )
        space = {
            **{f"hydra.sweeper.params.{k}": (k, str(v)) for k, v in (params or {}).items()},
            **{k.lstrip("+"): (k, v) for k, v in sweeps.items()},
        }
        check_config(container)
        check_search_space(
            container["optimise"],
            space,
            container["market"].get("steps"),
            container["market"].get("steps_per_year", 52.0),
        )
        if "direction" in sweeper:
            check_directions(container["optimise"]["mode"], OmegaConf.to_container(sweeper, resolve=True)["direction"])
        check_sweeper_counts(OmegaConf.to_container(sweeper, resolve=True))
    except OmegaConfBaseException as e:
        return one_line(f"config = {type(e).__name__}: {e}")
    except ConfigError as e:
        return one_line(str(e))
    return None


# --------------------------------------------------------------------------- checks
def check_config(container: Mapping[str, Any]) -> None:
    """Check a resolved optimise config (without Hydra's node): the market and
    experiment as ``loyalty-sim`` does, the ``optimise`` node, the strategy
    and its parameters, and the experiment a trial runs. Raises ConfigError."""
    from experiments.running.config import validate_experiment
    from sim.config import validate

    app = {k: v for k, v in container.items() if k != "optimise"}
    validate_experiment(app)
    opt = container.get("optimise", {})
    validate(opt, OptimiseConfig, "optimise.")
    opt = {**_defaults(), **opt}
    make_candidate(opt["strategy"], opt["params"], "optimise.params")
    validate_experiment(trial_experiment(container))


def _defaults() -> dict:
    import dataclasses

    return dataclasses.asdict(OptimiseConfig())


def make_candidate(strategy: str, params: Mapping[str, Any], where: str) -> Any:
    """The strategy of the candidate scenario; a bad name or parameter is a
    ConfigError naming ``optimise.strategy`` or ``<where>.<key>``."""
    from strategies.registry import make_strategy

    try:
        return make_strategy({"name": strategy, **dict(params)})
    except ConfigError as e:
        text = " ".join(str(e).split())
        key = text.split(" = ", 1)[0]
        if key == "strategy":
            raise ConfigError(f"optimise.strategy{text[len(key) :]}") from None
        raise ConfigError(f"{where}.{key.split('.', 2)[2]}{text[len(key) :]}") from None


def check_search_space(
    opt: Mapping[str, Any], space: Mapping[str, tuple[str, str]], steps: int | None = None, steps_per_year: float = 52.0
) -> None:
    """Every searched key must be a parameter of the strategy given in
    ``optimise.params`` (its starting value), and every value the sweeper can
    draw (both ends of an interval or range, every choice) must be allowed: in
    range, a whole number where one is needed, and a start within the horizon
    of ``steps`` (steps of a market with ``steps_per_year``; ``start`` is a week).

    ``space`` maps where the entry was given (``hydra.sweeper.params.<key>``
    or the command line's ``<key>``) to ``(key, sweep text)``."""
    import dataclasses

    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra_plugins.hydra_optuna_sweeper._impl import create_optuna_distribution_from_override

    from optuna.distributions import LogUniformDistribution, UniformDistribution

    from strategies.registry import REGISTRY, check_strategies

    _FRACTIONS = (UniformDistribution, LogUniformDistribution)
    prefix = PARAMS
    fields = sorted(f.name for f in dataclasses.fields(REGISTRY[opt["strategy"]].config_class))
    parser = OverridesParser.create()
    for where, (given, text) in space.items():
        key = given.lstrip("+")
        if key.startswith("hydra.sweeper.params."):
            rest = key[len("hydra.sweeper.params.") :]
            raise ConfigError(
                f"{where} = {text!r}: on the command line a search space entry is given as the key "
                f"and its sweep: '{rest}={text}'"
            )
        if not key.startswith(prefix):
            raise ConfigError(
                f"{where} = {text!r}: the optimiser searches the strategy's parameters; "
                f"must be {prefix}<key> with a key of {opt['strategy']}: {', '.join(fields)}"
            )
        name = key[len(prefix) :]
        if name not in fields:
            raise ConfigError(
                f"{where} = {text!r}: {name!r} is not a parameter of {opt['strategy']}; allowed: {', '.join(fields)}"
            )
        if name in opt["params"] and given.startswith("+"):
            raise ConfigError(
                f"{where} = {text!r}: {key} is already in the config (its starting value); "
                f"sweep it without the '+': {key}=<sweep>"
            )
        if name not in opt["params"] and not given.startswith("+"):
            raise ConfigError(
                f"{where} = {text!r}: {key} is not in the config; add it to the sweep as "
                f"+{key}=<sweep> (its starting value is then the strategy's default) or give "
                "its starting value in optimise.params"
            )
        try:
            (ov,) = parser.parse_overrides([f"{key}={text}"])
            distribution = create_optuna_distribution_from_override(ov)
            drawn = _extremes(distribution, ov)
        except Exception as e:  # noqa: BLE001 - any grammar or sweep error is bad input
            raise ConfigError(
                f"{where} = {text!r}: not a search space the Optuna sweeper takes "
                f"({' '.join(str(e).split())[:120]}); e.g. interval(0.1, 0.5), "
                "int(interval(1, 20)), choice(a, b)"
            ) from None
        kind = {f.name: f.type for f in dataclasses.fields(REGISTRY[opt["strategy"]].config_class)}[name]
        if kind in (int, "int") and isinstance(distribution, _FRACTIONS):
            raise ConfigError(
                f"{where} = {text!r}: may draw fractions; {key} must be a whole number: search it "
                f"with int(...), e.g. int({text})"
            )
        for value in drawn:
            try:
                make_candidate(opt["strategy"], {**opt["params"], name: value}, "optimise.params")
                check_strategies(
                    "optimise.params", [{"name": opt["strategy"], **opt["params"], name: value}], steps, steps_per_year
                )
            except ConfigError as e:
                detail = str(e).split(": ", 1)[1] if ": " in str(e) else str(e)
                raise ConfigError(f"{where} = {text!r}: may draw {value!r}; {key} {detail}") from None


def _extremes(distribution: Any, override: Any) -> list:
    """The values of a sweeper distribution that bound what it draws."""
    from optuna.distributions import CategoricalDistribution

    if isinstance(distribution, str):  # a fixed value, not a sweep
        return [override.value()]
    if isinstance(distribution, CategoricalDistribution):
        return list(distribution.choices)
    return [distribution.low, distribution.high]


def check_directions(mode: str, direction: Any) -> None:
    """The sweeper must maximise one value (single) or two (pareto)."""
    given = [str(d).rsplit(".", 1)[-1] for d in (direction if isinstance(direction, list) else [direction])]
    wanted = ["maximize"] * (1 if mode == "single" else 2)
    if given != wanted:
        shown = given[0] if len(given) == 1 else given
        raise ConfigError(
            f"hydra.sweeper.direction = {shown!r}: optimise.mode = {mode} returns "
            f"{len(wanted)} value(s) to maximise; must be "
            f"{'maximize' if len(wanted) == 1 else '[maximize, maximize]'}"
        )


def check_sweeper_counts(sweeper: Mapping[str, Any]) -> None:
    """The sweeper must run at least one trial, in batches of at least one."""
    for key in ("n_trials", "n_jobs"):
        value = sweeper.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise ConfigError(f"hydra.sweeper.{key} = {value!r}: must be a whole number of at least 1")


# --------------------------------------------------------------------------- one trial
def trial_experiment(container: Mapping[str, Any]) -> dict:
    """The app config (market, experiment) one trial runs: the experiment's
    baseline scenario and the ``candidate``, the same with the focal firm
    also running the strategy with ``optimise.params``."""
    opt = {**_defaults(), **container["optimise"]}
    experiment = copy.deepcopy(dict(container["experiment"]))
    scenarios = experiment.get("scenarios")
    if scenarios is None:
        import dataclasses

        from experiments.running.config import ExperimentConfig

        scenarios = [dataclasses.asdict(s) for s in ExperimentConfig().scenarios]
    name = experiment.get("baseline", "baseline")
    baseline = next((dict(s) for s in scenarios if s.get("name") == name), {"name": name})
    focal = experiment.get("focal_firm", "Focal")
    candidate = copy.deepcopy(baseline)
    candidate["name"] = CANDIDATE
    candidate["description"] = f"{focal} runs {opt['strategy']} with {params_text(opt['params'])}"
    strategies = dict(candidate.get("strategies") or {})
    strategies[focal] = [*strategies.get(focal, []), {"name": opt["strategy"], **dict(opt["params"])}]
    candidate["strategies"] = strategies
    experiment.update(name=f"optimise_{opt['strategy']}", scenarios=[baseline, candidate])
    return {"market": copy.deepcopy(container["market"]), "experiment": experiment}


@dataclass(frozen=True)
class Evaluation:
    """What one trial found: the candidate's and the baseline's mean KPIs."""

    strategy: str
    params: dict
    mode: str
    objective_kpi: str
    retention_kpi: str
    retention_floor: float
    floor_penalty: float
    objective: float  # candidate: mean objective KPI of the focal firm
    retention: float  # candidate: mean retention KPI
    baseline_objective: float
    baseline_retention: float
    replications: int
    seed: int
    #: the candidate's mean paired difference from the baseline in each KPI
    #: with its interval at ``confidence`` (None where not computed)
    objective_diff: float | None = None
    objective_ci: tuple[float, float] | None = None
    retention_diff: float | None = None
    retention_ci: tuple[float, float] | None = None
    confidence: float | None = None

    @property
    def shortfall_points(self) -> float:
        """Percentage points by which the candidate's retention misses the floor (0 if it meets it)."""
        return max(0.0, 100.0 * (self.retention_floor - self.retention))

    @property
    def feasible(self) -> bool:
        return self.shortfall_points == 0.0

    @property
    def score(self) -> float:
        """The objective, less ``floor_penalty x |baseline objective|`` per point of shortfall."""
        scale = abs(self.baseline_objective) or 1.0
        return self.objective - self.floor_penalty * scale * self.shortfall_points

    @property
    def returned(self) -> float | tuple[float, float]:
        """What the sweeper gets: the score (single) or (objective, retention) (pareto)."""
        return self.score if self.mode == "single" else (self.objective, self.retention)

    def record(self, trial: int | str | None, elapsed: float) -> dict:
        """The trial's ``trial.json``."""
        returned = self.returned
        return {
            "trial": trial,
            "strategy": self.strategy,
            "params": self.params,
            "mode": self.mode,
            "objective_kpi": self.objective_kpi,
            "retention_kpi": self.retention_kpi,
            "objective": self.objective,
            "retention": self.retention,
            "baseline_objective": self.baseline_objective,
            "baseline_retention": self.baseline_retention,
            "retention_floor": self.retention_floor,
            "floor_penalty": self.floor_penalty,
            "shortfall_points": self.shortfall_points,
            "feasible": self.feasible,
            "score": self.score,
            "returned": list(returned) if isinstance(returned, tuple) else returned,
            "objective_diff": _number(self.objective_diff),
            "objective_ci": _interval(self.objective_ci),
            "retention_diff": _number(self.retention_diff),
            "retention_ci": _interval(self.retention_ci),
            "confidence": self.confidence,
            "replications": self.replications,
            "seeds": [self.seed, self.seed + self.replications - 1],
            "elapsed_seconds": round(elapsed, 3),
        }

    def line(self, label: str, searched: Sequence[str] | None = None) -> str:
        """One line for the console, showing the ``searched`` parameters (default: all)."""
        shown = {k: v for k, v in self.params.items() if searched is None or k in searched}
        floor = (
            f", floor {100 * self.retention_floor:.2f}%: "
            + ("met" if self.feasible else f"short {self.shortfall_points:.2f} points")
            if self.retention_floor > 0
            else ""
        )
        score = f"; score {self.score:,.0f}" if self.mode == "single" else ""
        return (
            f"{label}: {params_text(shown)} -> {self.objective_kpi} {self.objective:,.0f}, "
            f"{self.retention_kpi} {100 * self.retention:.2f}%{floor}{score}"
        )


def _number(value: float | None) -> float | None:
    """A number for JSON: None for a missing one (NaN)."""
    return None if value is None or value != value else float(value)


def _interval(ci: tuple[float, float] | None) -> list[float | None] | None:
    return None if ci is None else [_number(ci[0]), _number(ci[1])]


def evaluate(container: Mapping[str, Any]) -> Evaluation:
    """Run one trial of a resolved optimise config (without Hydra's node):
    the baseline and the candidate on the same seeds, one point of the shared
    evaluator (:func:`experiments.analysis.evaluator.evaluate_points`, the
    replications spread as ``experiment.workers`` says); the focal firm's mean
    KPIs are read from its KPI table."""
    from experiments.analysis.evaluator import evaluate_points
    from experiments.running.runner import experiment_config

    check_config(container)
    opt = {**_defaults(), **container["optimise"]}
    app = trial_experiment(container)
    _, experiment = experiment_config(app)
    table = evaluate_points(app, workers=1, firm=experiment.focal_firm, kpis=[opt["objective"], opt["retention"]])
    rows = table.drop_duplicates(["scenario", "kpi"]).set_index(["scenario", "kpi"])
    means = rows["mean"]
    objective, retention = rows.loc[(CANDIDATE, opt["objective"])], rows.loc[(CANDIDATE, opt["retention"])]
    return Evaluation(
        strategy=opt["strategy"],
        params=dict(opt["params"]),
        mode=opt["mode"],
        objective_kpi=opt["objective"],
        retention_kpi=opt["retention"],
        retention_floor=float(opt["retention_floor"]),
        floor_penalty=float(opt["floor_penalty"]),
        objective=float(means[(CANDIDATE, opt["objective"])]),
        retention=float(means[(CANDIDATE, opt["retention"])]),
        baseline_objective=float(means[(experiment.baseline, opt["objective"])]),
        baseline_retention=float(means[(experiment.baseline, opt["retention"])]),
        replications=experiment.replications,
        seed=experiment.seed,
        objective_diff=float(objective["diff"]),
        objective_ci=(float(objective["ci_low"]), float(objective["ci_high"])),
        retention_diff=float(retention["diff"]),
        retention_ci=(float(retention["ci_low"]), float(retention["ci_high"])),
        confidence=float(experiment.confidence),
    )


def evaluate_into(container: Mapping[str, Any], folder: Path, trial: int | str | None) -> Evaluation:
    """Evaluate and write the trial's ``trial.json`` into ``folder`` (atomically)."""
    from experiments.running.outputs import write_text

    started = time.perf_counter()
    evaluation = evaluate(container)
    folder.mkdir(parents=True, exist_ok=True)
    write_text(
        folder / TRIAL_FILE, json.dumps(evaluation.record(trial, time.perf_counter() - started), indent=2) + "\n"
    )
    return evaluation


def run_trial(cfg: Any) -> float | tuple[float, float]:
    """One Hydra job: evaluate the trial's parameters, write ``trial.json``
    into the job's folder, and return the value(s) the sweeper maximises.
    Stray temporary files of a killed trial are removed first; Ctrl-C marks
    the trial interrupted, says so in one line and exits with status 130,
    which stops the sweep (:func:`experiments.sweeps.jobs.running_job`)."""
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    from experiments.sweeps.jobs import config_hash, running_job

    hc = HydraConfig.get()
    multirun = hc.mode == RunMode.MULTIRUN
    container = _job_container(cfg)
    trial = int(hc.job.num) if multirun else None
    folder = Path(hc.runtime.output_dir)
    with running_job(folder, config_hash(container), keep_workers=multirun):
        try:
            evaluation = evaluate_into(container, folder, trial)
        except ConfigError as e:
            if multirun:
                raise
            print(f"error: {' '.join(str(e).split())}", file=sys.stderr)
            raise SystemExit(EXIT_BAD_INPUT)
    searched = [
        o.split("=", 1)[0].lstrip("+").removeprefix(PARAMS)
        for o in hc.overrides.task
        if o.lstrip("+").startswith(PARAMS)
    ]
    print(evaluation.line(f"trial {trial}" if multirun else "starting point", searched or None))
    return evaluation.returned


def _job_container(config: Any) -> dict:
    from omegaconf import OmegaConf

    return {k: OmegaConf.to_container(config[k], resolve=True) for k in config if k != "hydra"}


# --------------------------------------------------------------------------- the sweep's report
class OptimisationReport(ProgressCallback, Callback):
    """Evaluate the starting point before the sweep; show the trials'
    progress (trials done of ``hydra.sweeper.n_trials``) while it runs; write
    its tables, report and figures after it and print its summary: the best
    trial, or that the starting point beat every trial (see the module's
    docstring).

    Args:
        progress: print a progress line as trials finish
            (``hydra.callbacks.optimisation_report.progress=false``: none).
    """

    def on_multirun_start(self, config: Any, **kwargs: Any) -> None:
        from omegaconf import OmegaConf

        sweep_dir = Path(str(config.hydra.sweep.dir))
        evaluation = evaluate_into(_job_container(config), sweep_dir / START_DIR, START_DIR)
        sweeper = OmegaConf.to_container(config.hydra.sweeper, resolve=True)
        searched = searched_params(sweeper, list(config.hydra.overrides.task))
        print(evaluation.line("starting point", searched or None))
        self.start_progress(sweep_dir, sweeper.get("n_trials"), "optimisation", "trial")

    def on_multirun_end(self, config: Any, **kwargs: Any) -> None:
        from omegaconf import OmegaConf

        self.stop_progress()
        sweep_dir = Path(str(config.hydra.sweep.dir))
        sweeper = OmegaConf.to_container(config.hydra.sweeper, resolve=True)
        task = list(config.hydra.overrides.task)
        container = _job_container(config)
        paths = write_sweep_report(sweep_dir, container, sweeper, task)
        lines = sweep_summary(sweep_dir, container, sweeper, task)
        print("\noptimisation summary: " + lines[0])
        print("\n".join(f"  {line}" for line in lines[1:]))
        print(f"optimisation: {sweep_dir} ({', '.join(p.name for p in paths)})")
