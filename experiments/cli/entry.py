"""How every configured command is entered: a Hydra app, checked before it runs.

Each app (``loyalty-sim``, ``loyalty-market``, ``loyalty-sim-sensitivity``,
``loyalty-sim-optimise``, ``loyalty-sim-calibrate``, ``loyalty-sim-validate``)
is ``conf/<config name>.yaml`` on a registered schema, entered through
:func:`hydra_entry`: its ``--help`` is the config's help template, and its
config (every job's, in a sweep) is composed and validated before Hydra runs,
so that bad input stops with one line (``<key> = <value>: <what is allowed>``)
and exit status 2 before anything is written; Ctrl-C stops with one line and
exit status 130 (:func:`experiments.sweeps.jobs.running_app`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable, Sequence

from experiments.cli.errors import EXIT_BAD_INPUT, print_listing
from sim.config_loading import CONF_DIR

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


def check_sweep(args: Sequence[str], config_name: str, validator: Callable[[dict], Any], root: type) -> str | None:
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


def hydra_settings_problem(overrides: Sequence[str], settings: Sequence[str], config_name: str) -> str | None:
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
SCRIPTS = {"app": "loyalty-sim", "config": "loyalty-market"}


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
        elif validator is None or root is None:
            raise TypeError(f"hydra_entry({config_name!r}): give a check, or a validator and the schema root")
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


def run_in_job_folder(cfg: Any, run_and_write: Callable[[dict, Path], Any]) -> Any:
    """One Hydra job of an app that writes into its job's folder:
    ``run_and_write(container, folder)`` with the resolved config. Stray
    temporary files of a killed run are removed first; Ctrl-C marks the folder
    interrupted, says so in one line and exits with status 130, and no worker
    process outlives the job (:func:`experiments.sweeps.jobs.running_job`); a
    ConfigError stops with one line and exit status 2."""
    from hydra.core.hydra_config import HydraConfig
    from omegaconf import OmegaConf

    from experiments.cli.errors import one_line
    from experiments.sweeps.jobs import config_hash, running_job
    from sim.config import ConfigError

    folder = Path(HydraConfig.get().runtime.output_dir)
    container = OmegaConf.to_container(cfg, resolve=True)
    with running_job(folder, config_hash(container)):
        try:
            return run_and_write(container, folder)
        except ConfigError as e:
            print(f"error: {one_line(str(e))}", file=sys.stderr)
            raise SystemExit(EXIT_BAD_INPUT) from None


def app_help(config_name: str) -> str:
    """The app's ``--help``: its ``hydra.help.template``, resolved. Printed
    here because Hydra's own help first lists every config group and schema
    (seconds of searching) for a template that does not show them."""
    from omegaconf import OmegaConf

    import experiments.running.schema  # noqa: F401 - registers the template's config_groups resolver

    cfg = compose_config((), config_name, with_hydra=True)
    return str(OmegaConf.select(cfg, "hydra.help.template")).rstrip() + "\n"


def _is_hydra(override: str) -> bool:
    """True for an override of Hydra's own settings (``hydra.x=``, ``+hydra.x=``, ``hydra/launcher=``)."""
    return override.lstrip("+~").startswith(("hydra.", "hydra/"))


def _is_multirun(args: list[str]) -> bool:
    return any(a in ("-m", "--multirun") for a in args)


def compose_config(overrides: Sequence[str], config_name: str, with_hydra: bool = False) -> Any:
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


def compose_app(overrides: Sequence[str], config_name: str) -> dict:
    """The resolved config ``conf/<config_name>.yaml`` (without Hydra's own
    node) of ``overrides``, as a job would see it (:func:`compose_config`)."""
    from omegaconf import OmegaConf

    container = OmegaConf.to_container(compose_config(overrides, config_name), resolve=True)
    container.pop("hydra", None)
    return container


def check_overrides(
    overrides: Sequence[str], config_name: str, validator: Callable[[dict], Any], root: type
) -> str | None:
    """Compose ``conf/<config_name>.yaml`` with command-line overrides and
    check it with ``validator`` (errors looked up in the schema ``root``);
    return the one-line error (``key = value: what is allowed``) or None if it is fine."""
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

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
        validator(compose_app([*overrides, *searchpath], config_name))
        if hydra_settings:
            return hydra_settings_problem([*overrides, *searchpath], hydra_settings, config_name)
    except (HydraException, OmegaConfBaseException) as e:
        return translate_hydra_error(e, values, root=root)
    except ConfigError as e:
        return one_line(str(e))
    return None
