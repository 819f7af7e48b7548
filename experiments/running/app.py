"""The ``loyalty-sim`` app: run a configured experiment.

Usage::

    loyalty-sim                                  # the default experiment (make run)
    loyalty-sim experiment=price_war             # a named experiment (conf/experiment/)
    loyalty-sim experiment.replications=5 market.n_customers=2000
    loyalty-sim -m market.firms.0.price=0.9,1.0,1.1        # a sweep (Hydra multirun)
    loyalty-sim -m hydra/launcher=ray experiment=price_war,win_back
    loyalty-sim --help                           # Hydra's help: the config groups

One job runs every scenario of the experiment for its replications (in
parallel over the local cores, common random numbers), compares each
scenario with the baseline on paired differences, prints the comparison and
writes into the job's folder (``outputs/<date>/<time>/``, or the sweep's
``multirun/<date>/<time>/<overrides>/``): ``runs.parquet``, ``steps.parquet``,
``config.yaml``, ``report.md`` with ``figures/``, ``comparison.csv``,
``ranking.csv``, with ``experiment.record_transactions=true`` also
``transactions.parquet`` and ``customer_summary.parquet`` (frequency, recency,
T, monetary value per scenario, replication, firm and customer), and, last, ``status.json``. Every file is written
to a temporary name and renamed.

In a sweep, a job whose folder already holds a finished run of the same
config is skipped, and a job that fails records its error (``status.json``,
``error.txt``) while the sweep goes on. A single run with bad input stops
before anything is written with one line ``error: <key> = <value>: <what is
allowed>`` and exit status 2.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any, Callable, Sequence

import experiments.running.schema  # noqa: F401  (app_schema, the job_dirname resolver; also in workers)
from experiments.cli.errors import EXIT_BAD_INPUT, print_listing
from sim.config_loading import CONF_DIR

CONFIG_NAME = "app"

#: command-line flags after which Hydra does not run the job
HYDRA_INFO_FLAGS = (
    "--help",
    "-h",
    "--hydra-help",
    "--cfg",
    "-c",
    "--info",
    "-i",
    "--version",
    "--shell-completion",
    "-sc",
    "--resolve",
    "-p",
    "--package",
)


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point: check a single run's config, then hand over to Hydra."""
    hydra_entry(argv, CONFIG_NAME, run_job)


def hydra_entry(
    argv: Sequence[str] | None,
    config_name: str,
    task: Callable[[Any], Any],
    validator: Callable[[dict], Any] | None = None,
    root: type | None = None,
    check: Callable[[list[str]], str | None] | None = None,
) -> None:
    """Run the Hydra app ``conf/<config_name>.yaml`` with ``task``, after checking
    a single run's config (:func:`check_overrides`), or every run's with
    ``check``: bad input stops with one line and exit status 2 before Hydra
    creates the run folder. Ctrl-C, also in a sweep whose jobs run in a
    launcher's worker processes (and while Hydra starts), stops with one line
    and exit status 130, the running jobs marked interrupted, and no worker
    process left (:func:`experiments.sweeps.jobs.running_app`)."""
    from experiments.sweeps.jobs import running_app

    args = list(sys.argv[1:] if argv is None else argv)
    if any(a in ("--help", "-h") for a in args):
        print_listing(app_help(config_name))
        return
    with running_app(app_name(config_name)):
        _check_and_run(args, argv is not None, config_name, task, validator, root, check)


def check_sweep(
    args: Sequence[str],
    config_name: str = CONFIG_NAME,
    validator: Callable[[dict], None] | None = None,
    root: type | None = None,
) -> str | None:
    """Check every value of a sweep (``-m key=a,b,c``) before Hydra makes the
    sweep's folder: each value with the fixed overrides and the first value of
    every other swept key (each value once, not every combination). Return the
    first one-line error, or None."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    parser = OverridesParser.create()
    fixed: list[str] = []
    sweeps: dict[str, list[str]] = {}
    for text in (a for a in args if a not in ("-m", "--multirun")):
        try:
            (ov,) = parser.parse_overrides([text])
            values = list(ov.sweep_string_iterator()) if ov.is_sweep_override() else None
        except HydraException:
            values = None  # bad syntax, or a sweep Hydra expands itself: checked as given
        if values is None or _is_hydra(text):
            fixed.append(text)
        else:
            sweeps[text.split("=", 1)[0]] = values
    first = {key: values[0] for key, values in sweeps.items()}
    for key, values in sweeps.items():
        for value in values:
            chosen = {**first, key: value}
            message = check_overrides([*fixed, *(f"{k}={v}" for k, v in chosen.items())], config_name, validator, root)
            if message:
                return message
    return None if sweeps else check_overrides(fixed, config_name, validator, root)


def hydra_settings_problem(
    overrides: Sequence[str], settings: Sequence[str], config_name: str = CONFIG_NAME
) -> str | None:
    """The one-line error if Hydra's own settings given on the command line
    (``hydra.launcher.n_jobs=4``, ``hydra/launcher=ray``) do not compose, else
    None: the first setting that fails composed alone with the overrides, and
    what is wrong with it from the error's fields."""
    from hydra.errors import HydraException, MissingConfigException
    from omegaconf.errors import ConfigAttributeError, ConfigKeyError, OmegaConfBaseException

    from experiments.cli.errors import one_line

    for given in settings:
        try:
            compose_config([*overrides, given], config_name, with_hydra=True)
        except (HydraException, OmegaConfBaseException) as e:
            key, _, value = given.partition("=")
            if isinstance(e, MissingConfigException):
                options = [o for o in (getattr(e, "options", None) or []) if not o.endswith("_schema")]
                return f"{key} = {value!r}: available: {', '.join(options) or '(none)'}"
            cause = e if isinstance(e, OmegaConfBaseException) else e.__cause__ or e.__context__
            if isinstance(cause, (ConfigAttributeError, ConfigKeyError)):
                detail = "not a setting of Hydra"
            else:
                shown = cause if isinstance(cause, OmegaConfBaseException) else e
                detail = one_line(str(shown).splitlines()[0] if str(shown) else type(shown).__name__)
            return f"{key} = {value!r}: {detail}; see {app_name(config_name)} --hydra-help"
    return None


def _flag_value(args: Sequence[str], flag: str) -> str:
    i = list(args).index(flag)
    return args[i + 1] if "=" not in flag and i + 1 < len(args) and not args[i + 1].startswith("-") else ""


def output_folder_problem(args: Sequence[str]) -> str | None:
    """The one-line error if the run or sweep folder the user chose
    (``hydra.run.dir=``, ``hydra.sweep.dir=``) cannot be written, else None.
    The part of the path before an interpolation (``${now:...}``) is checked."""
    from experiments.running.outputs import folder_problem

    for a in args:
        key, eq, value = a.partition("=")
        if eq and key in ("hydra.run.dir", "hydra.sweep.dir"):
            fixed_part = value.split("${", 1)[0]  # "${now:...}" alone: the current folder
            problem = folder_problem(fixed_part if fixed_part or not value.strip() else ".")
            if problem:
                return f"{key} = {value!r}: {problem}"
    return None


def config_dir_as_searchpath(args: Sequence[str]) -> list[str]:
    """``args`` with Hydra's ``--config-dir DIR`` (``-cd DIR``; a folder of the
    user's own experiments, markets ...) given as the override
    ``hydra.searchpath=[file://DIR]``, which the checks compose with."""
    out: list[str] = []
    dirs: list[str] = []
    it = iter(args)
    for a in it:
        if a in ("--config-dir", "-cd"):
            dirs.append(next(it, ""))
        elif a.startswith("--config-dir="):
            dirs.append(a.split("=", 1)[1])
        else:
            out.append(a)
    if dirs:
        out.append("hydra.searchpath=[" + ",".join(f"file://{Path(d).resolve()}" for d in dirs) + "]")
    return out


#: the apps whose console script is not ``loyalty-sim-<config name>``
SCRIPTS = {CONFIG_NAME: "loyalty-sim", "config": "loyalty-market"}


def app_name(config_name: str) -> str:
    """The console script of the app ``conf/<config_name>.yaml``."""
    return SCRIPTS.get(config_name, f"loyalty-sim-{config_name}")


def _check_and_run(
    args: list[str],
    set_argv: bool,
    config_name: str,
    task: Callable[[Any], Any],
    validator: Callable[[dict], Any] | None,
    root: type | None,
    check: Callable[[list[str]], str | None] | None,
) -> None:
    import hydra

    info = [a for a in args if a.split("=")[0] in HYDRA_INFO_FLAGS]
    if info and _is_multirun(args):
        print(
            f"error: {info[0]} = {_flag_value(args, info[0])!r}: shows a single run's config or Hydra's "
            "settings; drop -m (a sweep's jobs are listed by running it)",
            file=sys.stderr,
        )
        raise SystemExit(EXIT_BAD_INPUT)
    message = output_folder_problem(args)
    if message:
        print(f"error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)
    if not info:
        given = config_dir_as_searchpath(args)
        if check is not None:
            message = check(given)
        elif _is_multirun(args):
            message = check_sweep(given, config_name, validator, root)
        else:
            message = check_overrides(given, config_name, validator, root)
        if message:
            print(f"error: {message}", file=sys.stderr)
            raise SystemExit(EXIT_BAD_INPUT)
    if set_argv:
        sys.argv = [sys.argv[0], *args]
    hydra.main(version_base="1.3", config_path=str(CONF_DIR), config_name=config_name)(task)()


def app_help(config_name: str) -> str:
    """The app's ``--help``: its ``hydra.help.template``, resolved. Printed
    here because Hydra's own help first lists every config group and schema
    (seconds of searching) for a template that does not show them."""
    from omegaconf import OmegaConf

    cfg = compose_config((), config_name, with_hydra=True)
    return str(OmegaConf.select(cfg, "hydra.help.template")).rstrip() + "\n"


def _is_hydra(override: str) -> bool:
    """True for an override of Hydra's own settings (``hydra.x=``, ``+hydra.x=``, ``hydra/launcher=``)."""
    return override.lstrip("+~").startswith(("hydra.", "hydra/"))


def _is_multirun(args: list[str]) -> bool:
    return any(a in ("-m", "--multirun") for a in args)


def compose_config(overrides: Sequence[str] = (), config_name: str = CONFIG_NAME, with_hydra: bool = False) -> Any:
    """The DictConfig of ``conf/<config_name>.yaml`` with ``overrides``, through
    Hydra's compose API (with Hydra's own node if ``with_hydra``); raises
    Hydra's and OmegaConf's errors on bad overrides."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    job = app_name(config_name)
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(version_base="1.3", config_dir=str(CONF_DIR), job_name=job):
            return compose(config_name=config_name, overrides=list(overrides), return_hydra_config=with_hydra)
    finally:
        GlobalHydra.instance().clear()


def compose_app(overrides: Sequence[str] = (), config_name: str = CONFIG_NAME) -> dict:
    """The resolved config ``conf/<config_name>.yaml`` (without Hydra's own
    node) of ``overrides``, as a job would see it (:func:`compose_config`)."""
    from omegaconf import OmegaConf

    container = OmegaConf.to_container(compose_config(overrides, config_name), resolve=True)
    container.pop("hydra", None)
    return container


def check_overrides(
    overrides: Sequence[str],
    config_name: str = CONFIG_NAME,
    validator: Callable[[dict], None] | None = None,
    root: type | None = None,
) -> str | None:
    """Compose and validate a config (default: the app's, with
    :func:`experiments.running.config.validate_experiment` against
    :class:`experiments.running.config.AppConfig`) from command-line overrides; return
    the one-line error (``key = value: what is allowed``) or None if it is fine."""
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    from experiments.running.config import AppConfig, validate_experiment
    from experiments.cli.errors import BadInput, chosen_groups, one_line, parse_overrides, translate_hydra_error
    from sim.config import ConfigError

    from sim.config_loading import SEARCHPATH, read_group_files, search_dirs

    searchpath = [o for o in overrides if o.startswith(SEARCHPATH)]
    hydra_settings = [o for o in overrides if _is_hydra(o) and o not in searchpath]
    overrides = [o for o in overrides if not _is_hydra(o)]
    try:
        values = parse_overrides(overrides, chosen_groups(config_name))
        values = {**read_group_files(values, search_dirs(searchpath)), **values}
    except BadInput as e:
        return str(e)
    except ConfigError as e:
        return one_line(str(e))
    try:
        (validator or validate_experiment)(compose_app([*overrides, *searchpath], config_name))
        if hydra_settings:
            return hydra_settings_problem([*overrides, *searchpath], hydra_settings, config_name)
    except (HydraException, OmegaConfBaseException) as e:
        return translate_hydra_error(e, values, root=root or AppConfig)
    except ConfigError as e:
        return one_line(str(e))
    return None


def run_job(cfg: Any) -> dict:
    """One Hydra job: run the experiment of ``cfg`` and write its results into
    the job's output folder; return its status.

    The job first removes the temporary files a killed run left in its folder;
    Ctrl-C marks it interrupted, says so in one line and exits with status 130
    (stopping a sweep: its re-run redoes this job), and no worker process
    outlives it (:func:`experiments.sweeps.jobs.running_job`)."""
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode
    from omegaconf import OmegaConf

    from experiments.sweeps.jobs import config_hash, is_finished, read_status, record_failure, running_job
    from agents.compiled import interrupted
    from sim.config import ConfigError

    hc = HydraConfig.get()
    folder = Path(hc.runtime.output_dir)
    multirun = hc.mode == RunMode.MULTIRUN
    container = OmegaConf.to_container(cfg, resolve=True)
    digest = config_hash(container)
    with running_job(folder, digest, keep_workers=multirun):
        if multirun and is_finished(folder, digest):
            print(f"{folder}: finished in an earlier run of this sweep, skipped")
            return read_status(folder)
        started = time.perf_counter()
        try:
            return run_and_write(container, folder, digest)
        except ConfigError as e:
            line = record_failure(folder, digest, e, time.perf_counter() - started)
            print(f"error: {line}", file=sys.stderr)
            if not multirun:
                raise SystemExit(EXIT_BAD_INPUT)
        except Exception as e:  # noqa: BLE001 - a failing job must not stop the sweep
            if interrupted(e):  # Ctrl-C inside a compiled rule outside a step (building a market)
                raise KeyboardInterrupt from None
            line = record_failure(folder, digest, e, time.perf_counter() - started)
            print(f"error: job {folder} failed: {line} (traceback in {folder / 'error.txt'})", file=sys.stderr)
            if not multirun:
                raise
    return read_status(folder)


def run_and_write(container: dict, folder: Path, digest: str) -> dict:
    """Run the experiment of a resolved app config and write its results into ``folder``."""
    import yaml

    from experiments.running.config import validate_experiment
    from experiments.sweeps.jobs import read_status, record_finished
    from experiments.running.outputs import write_parquet, write_text
    from experiments.reports.report import format_table, write_report
    from experiments.running.runner import experiment_config, run_experiment
    from experiments.running.statistics import compare, ranking

    started = time.perf_counter()
    container = {k: v for k, v in container.items() if k != "hydra"}
    validate_experiment(container)
    market, experiment = experiment_config(container)
    result = run_experiment(market, experiment)
    comparison = compare(
        result.runs, experiment.baseline, experiment.focal_firm, experiment.kpis, experiment.confidence
    )
    rank = ranking(comparison, experiment.rank_by, experiment.baseline)
    meta = experiment_meta(market, experiment, result, time.perf_counter() - started)
    folder.mkdir(parents=True, exist_ok=True)
    write_parquet(folder / "runs.parquet", result.runs)
    write_parquet(folder / "steps.parquet", result.steps)
    write_parquet(folder / "retention.parquet", result.retention)
    write_parquet(folder / "value_by_tenure.parquet", result.tenure)
    if result.transactions is not None:
        from sim.transactions import run_summaries

        write_parquet(folder / "transactions.parquet", result.transactions)
        write_parquet(
            folder / "customer_summary.parquet",
            run_summaries(result.transactions, market.steps, [f.name for f in market.firms]),
        )
    write_text(folder / "config.yaml", yaml.safe_dump(container, sort_keys=False, allow_unicode=True))
    write_report(folder, meta, result.runs, result.steps, comparison, rank, result.retention, result.tenure)
    print(format_table(comparison, rank, meta))
    elapsed = time.perf_counter() - started
    record_finished(folder, digest, elapsed, experiment=experiment.name)
    print(f"\nresults: {folder} ({elapsed:.1f} s)")
    return read_status(folder)


def experiment_meta(market: Any, experiment: Any, result: Any, elapsed: float) -> dict:
    """What the report says about the experiment."""
    from sim.survey import scale_definition

    return {
        "name": experiment.name,
        "description": experiment.description,
        "baseline": experiment.baseline,
        "focal_firm": experiment.focal_firm,
        "scenarios": [{"name": s.name, "description": s.description} for s in result.scenarios],
        "replications": experiment.replications,
        "confidence": experiment.confidence,
        "rank_by": experiment.rank_by,
        "kpis": list(experiment.kpis),
        "figures": experiment.figures,
        "market": (
            f"{market.name}, {market.n_customers:,} customers, {len(market.firms)} firms, "
            f"{market.steps} steps after {market.burn_in} burn-in steps, seeds "
            f"{experiment.seed}..{experiment.seed + experiment.replications - 1}"
        ),
        "elapsed_seconds": round(elapsed, 1),
        "survey_scale": scale_definition(market.survey, market.loyalty),
        "lapse_gaps": market.loyalty.lapse_gaps,
    }


if __name__ == "__main__":
    main()
