"""A sweep's jobs before they run: their folder names and their headings.

When a multirun starts (:class:`experiments.sweeps.callback.SweepSummary`),
:func:`make_plan` lists the sweep's jobs the way Hydra's basic sweeper will
(the command line's sweeps and ``hydra.sweeper.params``, every combination in
Hydra's order), finds the *swept* keys (those whose value differs between the
jobs, as :func:`experiments.sweeps.catalogue.swept_parameters` does), names
every job's folder, and writes it all to ``<sweep>/.sweep/plan.json``
(:func:`write_plan`). Each job then finds its folder name there (the resolver
``job_dirname`` of :mod:`experiments.running.schema`, :func:`planned_name`)
and its heading (:func:`job_heading`).

A folder name (:func:`job_name`) is ``key=value`` of every swept key, joined
by ``,`` in the order of the full keys, for example
``price=0.95,depth=0.05``:

* a key is shortened to its last dotted components, as few as keep the keys
  of the name apart (:func:`short_keys`: ``market.firms.0.price`` and
  ``market.firms.1.price`` become ``0.price`` and ``1.price``);
* a value is written as it was given on the command line (``1.050`` stays
  ``1.050``, where Hydra would pass the job ``1.05``); ``/`` becomes ``_``;
* a short hash of all the job's overrides is added (``-<8 hex digits>``)
  only when needed: when the name would be longer than a file name may be
  (:data:`MAX_NAME_BYTES`; the name is then cut before the hash), when two
  jobs of the sweep would share a name, or when a folder of that name in the
  sweep folder holds a job with other overrides (an earlier sweep with other
  constants, re-run into the same folder). So a re-run of the same sweep
  finds its finished jobs again (:mod:`experiments.sweeps.jobs`).

Constants (overrides with one value in every job) do not name the folder;
they are in each job's ``.hydra/overrides.yaml`` and in the sweep report.
Without a plan (another app's sweep, or a job run where the plan cannot be
read) the name is made of all the job's overrides the same way.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

#: hidden folder in the sweep folder holding the plan and the progress markers
PLAN_DIR = ".sweep"
PLAN_FILE = "plan.json"
#: a file name may be at most this many bytes (ext4, XFS, APFS, NTFS: 255)
MAX_NAME_BYTES = 255
#: hex digits of the hash that keeps a name short enough or unique
HASH_DIGITS = 8
#: the name of a job without overrides
NO_OVERRIDES = "no_overrides"
_CALL = re.compile(r"\s*[A-Za-z_]\w*\s*\(")


# --------------------------------------------------------------------------- overrides
def split_override(text: str) -> tuple[str, str | None]:
    """``"+market.n_customers=800"`` -> ``("market.n_customers", "800")``:
    the key without Hydra's ``+``, ``++`` and ``~`` prefixes, and the value as
    written (None for a deletion without one)."""
    key, sep, value = str(text).partition("=")
    return key.strip().lstrip("+~"), (value if sep else None)


def kept_overrides(overrides: Iterable[str], exclude: Iterable[str] = ()) -> list[str]:
    """The overrides that name a job: not Hydra's own, not an excluded key
    (settings that do not change the results, ``override_dirname.exclude_keys``)."""
    excluded = set(exclude)
    kept = []
    for text in overrides:
        key, _ = split_override(text)
        if key in excluded or key == "hydra" or key.startswith(("hydra.", "hydra/")):
            continue
        kept.append(str(text))
    return kept


def split_top_level(text: str, sep: str = ",") -> list[str]:
    """``text`` split at ``sep`` outside brackets, braces, parentheses and quotes."""
    parts, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(text):
        if quote:
            if ch == quote and (i == 0 or text[i - 1] != "\\"):
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        elif ch == sep and depth == 0 and (i == 0 or text[i - 1] != "\\"):
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


# --------------------------------------------------------------------------- names
def short_keys(keys: Sequence[str]) -> dict[str, str]:
    """Each key's last dotted components, as few as keep the keys apart:
    ``market.firms.0.price`` alone is ``price``; with ``market.firms.1.price``
    they are ``0.price`` and ``1.price``; a key that is the last part of
    another keeps its full name (``price`` and ``x.price``)."""
    parts = {k: k.split(".") for k in dict.fromkeys(keys)}
    used = dict.fromkeys(parts, 1)
    while True:
        short = {k: ".".join(p[-used[k] :]) for k, p in parts.items()}
        groups: dict[str, list[str]] = {}
        for k, s in short.items():
            groups.setdefault(s, []).append(k)
        longer = [k for group in groups.values() if len(group) > 1 for k in group if used[k] < len(parts[k])]
        if not longer:
            return short
        for k in longer:
            used[k] += 1


def overrides_hash(overrides: Iterable[str]) -> str:
    """A short hash of a job's overrides, in any order."""
    text = ",".join(sorted(str(o) for o in overrides))
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:HASH_DIGITS]


def _cut_to_bytes(text: str, size: int) -> str:
    """The longest start of ``text`` of at most ``size`` bytes in UTF-8 (no character split)."""
    return text.encode("utf-8")[:size].decode("utf-8", errors="ignore")


def with_hash(name: str, digest: str) -> str:
    """``name-<digest>``, ``name`` cut so that the whole fits :data:`MAX_NAME_BYTES`."""
    return f"{_cut_to_bytes(name, MAX_NAME_BYTES - len(digest) - 1)}-{digest}"


def job_name(values: Sequence[tuple[str, str | None]], digest: str) -> str:
    """A job folder's name from ``(key, value)`` pairs (in the order given):
    ``short=value,...`` (:func:`short_keys`), ``/`` as ``_``; with the hash
    ``digest`` only if longer than :data:`MAX_NAME_BYTES` bytes."""
    if not values:
        return NO_OVERRIDES
    short = short_keys([k for k, _ in values])
    name = ",".join(short[k] if v is None else f"{short[k]}={v}" for k, v in values).replace("/", "_")
    if name in (".", ".."):
        name = name.replace(".", "_")
    return name if len(name.encode("utf-8")) <= MAX_NAME_BYTES else with_hash(name, digest)


def dirname_of(overrides: Sequence[str], exclude: Iterable[str] = ()) -> str:
    """The folder name of a job without a plan: all its kept overrides
    (:func:`kept_overrides`) in the order of their keys."""
    kept = kept_overrides(overrides, exclude)
    pairs = sorted((split_override(o) for o in kept), key=lambda kv: kv[0])
    return job_name(pairs, overrides_hash(kept))


# --------------------------------------------------------------------------- the plan
@dataclass
class PlannedJob:
    """One job of a sweep: its overrides (as Hydra passes them to the job),
    its swept values (full key, value as given), and its folder's name."""

    overrides: list[str]
    values: list[tuple[str, str]]
    name: str


@dataclass
class SweepPlan:
    """The jobs of a sweep in Hydra's order and the keys they sweep."""

    swept: list[str]
    jobs: list[PlannedJob] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.jobs)

    def index(self, overrides: Sequence[str]) -> int | None:
        """The position of the job with these overrides (None if not in the plan)."""
        wanted = [str(o) for o in overrides]
        return next((i for i, job in enumerate(self.jobs) if job.overrides == wanted), None)

    def by_name(self, name: str) -> int | None:
        return next((i for i, job in enumerate(self.jobs) if job.name == name), None)

    def heading(self, i: int) -> str:
        """``job 3/12: market.firms.0.price=0.95, experiment.seed=10``."""
        values = ", ".join(f"{k}={v}" for k, v in self.jobs[i].values)
        return f"job {i + 1}/{self.total}" + (f": {values}" if values else "")

    def as_dict(self) -> dict:
        return {
            "total": self.total,
            "swept": self.swept,
            "exclude": self.exclude,
            "jobs": [
                {"name": j.name, "values": [list(v) for v in j.values], "overrides": j.overrides} for j in self.jobs
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SweepPlan:
        jobs = [
            PlannedJob([str(o) for o in j["overrides"]], [(str(k), str(v)) for k, v in j["values"]], str(j["name"]))
            for j in data["jobs"]
        ]
        return cls([str(k) for k in data["swept"]], jobs, [str(k) for k in data.get("exclude", [])])


def given_values(arguments: Sequence[str], parser: Any) -> dict[str, dict[str, str]]:
    """Per key of a comma-separated sweep (``key=0.05,1.050``), the value
    Hydra passes a job (``1.05``) -> the value as given (``1.050``). Sweeps
    written otherwise (``range(...)``, ``choice(...)``, ``glob(...)``) give
    nothing: their jobs' values are Hydra's."""
    given: dict[str, dict[str, str]] = {}
    for text in arguments:
        try:
            (ov,) = parser.parse_overrides([text])
            if not ov.is_sweep_override() or not ov.is_discrete_sweep():
                continue
            hydra_values = list(ov.sweep_string_iterator())
        except Exception:  # noqa: BLE001 - a sweep Hydra expands with its config loader: Hydra's values
            continue
        key, raw = text.split("=", 1)
        parts = [p.strip() for p in split_top_level(raw)]
        if len(parts) != len(hydra_values) or any(_CALL.match(p) for p in parts):
            continue  # range(...), choice(...), a cast: Hydra's values
        try:
            again = [_value_text(parser.parse_overrides([f"{key}={p}"])[0]) for p in parts]
        except Exception:  # noqa: BLE001 - a part that does not parse alone: keep Hydra's values
            continue
        if again == hydra_values:
            given[split_override(text)[0]] = dict(zip(hydra_values, parts))
    return given


def _value_text(override: Any) -> str:
    """The value Hydra passes a job for a one-value override."""
    if override.is_sweep_override():
        return str(next(iter(override.sweep_string_iterator())))
    return str(override.get_value_element_as_str())


def sweep_overrides(
    arguments: Sequence[str], params: Mapping[str, Any] | None = None, config_loader: Any = None
) -> list[list[str]]:
    """Every job's overrides, as Hydra's basic sweeper makes them from the
    command line's ``arguments`` and ``hydra.sweeper.params``."""
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parser = OverridesParser.create(config_loader=config_loader)
    texts = [f"{k}={v}" for k, v in (params or {}).items()] + list(arguments)
    (batch,) = BasicSweeper.split_arguments(parser.parse_overrides(texts), None)
    return [list(job) for job in batch]


def make_plan(
    jobs: Sequence[Sequence[str]],
    exclude: Iterable[str] = (),
    given: Mapping[str, Mapping[str, str]] | None = None,
    sweep_dir: str | Path | None = None,
) -> SweepPlan:
    """The plan of a sweep of ``jobs`` (each job's overrides; :func:`sweep_overrides`).

    ``exclude``: keys that do not name a folder; ``given``: the values as
    given (:func:`given_values`); ``sweep_dir``: where earlier jobs may lie
    (a folder of the same name holding other overrides gets a hash)."""
    exclude = list(exclude)
    given = given or {}
    kept = [kept_overrides(job, exclude) for job in jobs]
    values = [dict(split_override(o) for o in job) for job in kept]
    keys = sorted(dict.fromkeys(k for v in values for k in v))
    absent = object()
    swept = [k for k in keys if len({repr(v.get(k, absent)) for v in values}) > 1]
    planned = []
    for job, mine in zip(jobs, values):
        shown = [(k, given.get(k, {}).get(mine[k] or "", mine[k])) for k in swept if k in mine]
        pairs = shown if swept else sorted(mine.items())
        digest = overrides_hash(kept_overrides(job, exclude))
        planned.append(
            PlannedJob([str(o) for o in job], [(k, "" if v is None else v) for k, v in shown], job_name(pairs, digest))
        )
    _keep_apart(planned, exclude, Path(sweep_dir) if sweep_dir is not None else None)
    return SweepPlan(swept, planned, exclude)


def _keep_apart(planned: list[PlannedJob], exclude: list[str], sweep_dir: Path | None) -> None:
    """Give a hash to the names two different jobs would share, and to a name
    whose folder holds a job of other overrides."""
    kept = [sorted(kept_overrides(job.overrides, exclude)) for job in planned]
    for name, members in itertools.groupby(
        sorted(range(len(planned)), key=lambda i: planned[i].name), key=lambda i: planned[i].name
    ):
        group = list(members)
        if len({tuple(kept[i]) for i in group}) > 1:
            for i in group:
                planned[i].name = with_hash(name, overrides_hash(kept[i]))
    if sweep_dir is None:
        return
    for i, job in enumerate(planned):
        earlier = folder_overrides(sweep_dir / job.name)
        if earlier is not None and sorted(kept_overrides(earlier, exclude)) != kept[i]:
            job.name = with_hash(job.name, overrides_hash(kept[i]))


def folder_overrides(folder: Path) -> list[str] | None:
    """The overrides of the job in ``folder`` (Hydra's ``.hydra/overrides.yaml``), or None."""
    import yaml

    try:
        data = yaml.safe_load((folder / ".hydra" / "overrides.yaml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None
    return [str(o) for o in data] if isinstance(data, list) else None


# --------------------------------------------------------------------------- files
def plan_path(sweep_dir: str | Path) -> Path:
    return Path(sweep_dir) / PLAN_DIR / PLAN_FILE


def write_plan(sweep_dir: str | Path, plan: SweepPlan) -> Path:
    """Write the plan into ``<sweep_dir>/.sweep/plan.json`` (atomically)."""
    from experiments.running.outputs import write_text

    path = plan_path(sweep_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_text(path, json.dumps(plan.as_dict(), indent=1) + "\n")


def read_plan(sweep_dir: str | Path) -> SweepPlan | None:
    """The sweep's plan, or None if there is none (or it cannot be read)."""
    try:
        return SweepPlan.from_dict(json.loads(plan_path(sweep_dir).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def planned_name(sweep_dir: str | Path, overrides: Sequence[str]) -> str | None:
    """The folder name the sweep's plan gives the job with ``overrides`` (None without one)."""
    plan = read_plan(sweep_dir)
    i = plan.index(overrides) if plan is not None else None
    return None if i is None or plan is None else plan.jobs[i].name


def job_heading(folder: str | Path) -> str:
    """The line that heads a job's printed results in a sweep, ending with a
    newline: ``job 3/12: market.firms.0.price=0.95, experiment.seed=10`` (the
    swept values, from the sweep's plan); without a plan, ``job <n>: <its
    overrides>`` when Hydra runs a multirun; nothing outside a sweep."""
    folder = Path(folder)
    plan = read_plan(folder.parent)
    i = plan.by_name(folder.name) if plan is not None else None
    if plan is not None and i is not None:
        return plan.heading(i) + "\n"
    try:
        from hydra.core.hydra_config import HydraConfig
        from hydra.types import RunMode

        if not HydraConfig.initialized() or HydraConfig.get().mode != RunMode.MULTIRUN:
            return ""
        hc = HydraConfig.get()
        exclude = list(hc.job.config.override_dirname.exclude_keys or [])
        shown = ", ".join(kept_overrides(list(hc.overrides.task), exclude))
        return f"job {int(hc.job.num) + 1}" + (f": {shown}" if shown else "") + "\n"
    except Exception:  # noqa: BLE001 - a heading is never worth failing a job
        return ""
