"""The validation report: ``loyalty-sim-validate`` writes docs/validation.md.

Usage::

    loyalty-sim-validate                              # every claim at every size, docs/validation.md
    loyalty-sim-validate replications=20 workers=2
    loyalty-sim-validate 'only=[price_war.profit,club.pays_back]' 'sizes=[]' 'size_replications=[]' \\
        'steps_per_year=[52]' output=/tmp/v.md       # two claims, at the reference only
    loyalty-sim-validate --list                       # the claims: id, kind, experiment, known gap
    loyalty-sim-validate table=invariance 'invariance.sizes=[1000,5000,20000]' \\
        'invariance.steps_per_year=[52,12]'           # the invariance table
    loyalty-sim-validate --help                       # the keys; --cfg job: every key and its value

A Hydra app (``conf/validate.yaml``, the schema :class:`ValidateAppConfig`):
``table=claims`` (the default) writes the validation report with the
settings at the top (:class:`ValidationConfig`); ``table=invariance`` writes
the invariance table instead (default docs/invariance.md;
:mod:`experiments.validation.invariance_report`) with the settings under
``invariance.*`` (:class:`experiments.validation.invariance.InvarianceConfig`):
per-customer KPIs of the baseline and the four headline strategies at every
market size and step length, and whether they agree. Hydra itself writes
nothing (no run folder, no ``.hydra/``, no log): the command writes only its
report.

Every claim of the registry (:mod:`experiments.validation.claims`) is measured on the
default market (``conf/market/retail.yaml`` through the app config,
:func:`experiments.running.app.compose_app`): the experiments the chosen claims need
run once each, together (:func:`gather_all`: experiments on the same market
share its burn-in and run the scenarios they have in common once), every
claim turns its experiment's tidy tables into one number per replication,
and the report gives the mean with its Student-t interval over the
replications, its size against the baseline's level, the criterion and PASS
or FAIL (:func:`evaluate`) at the reference (``n_customers``, weekly), and a
verdict at every other size and step length (``sizes`` x ``steps_per_year``,
:func:`combinations`, each size with its ``size_replications``; in monthly
steps each experiment keeps its horizon and burn-in in years,
:func:`in_steps_of`, and a claim whose measure counts in weekly steps is
``weekly only``, :func:`measurable`). The headline counts the validation
claims that hold by kind (figure, direction, invariant); the calibration
targets (claims whose figure a parameter was set from) are in a table of
their own, FIT or NO FIT, not counted as validation; then the known gaps
(:data:`~experiments.validation.claims.known_gaps.KNOWN_GAPS`, reported as
FAIL, with their reasons), the means at every size, how each claim is
measured with the margin of its verdict (:data:`MARGIN`: a verdict must be
clear of its threshold to hold on other seeds and other machines) and what
each experiment ran. The report is written atomically; with the same
settings it is the same on one machine, but for the run times it states.

Bad input (also a key of the other table than the one chosen) stops with
one line ``error: <key> = <value>: <what is allowed>`` and exit status 2,
nothing written; Ctrl-C stops with one line and exit status 130, nothing
written.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

from experiments.validation.claims import CLAIMS, EXPERIMENTS, Claim, Evidence, ExperimentSpec, claim_ids, format_value
from experiments.validation.claims.claim import KINDS
from experiments.validation.claims.known_gaps import KNOWN_GAPS
from experiments.validation.invariance import REFERENCE_STEPS_PER_YEAR, Combination, InvarianceConfig
from experiments.cli.errors import EXIT_BAD_INPUT, one_line, print_listing
from sim.config import ConfigError, param, validate

#: the app's config, conf/validate.yaml
CONFIG_NAME = "validate"
#: what the command writes: the validation report of the claims, or the invariance table
TABLES = ("claims", "invariance")

ROOT = Path(__file__).resolve().parents[2]
#: where the report goes by default (relative to the working directory)
DEFAULT_OUTPUT = "docs/validation.md"
PASS, FAIL = "PASS", "FAIL"
#: a calibration target's result: its figure was used to set a parameter, so it fits or not; it does not pass
FIT, NO_FIT = "FIT", "NO FIT"
#: a verdict is clear when the number it turns on (the interval's edge, or the
#: mean for a range) lies at least this many half-widths of the interval from
#: the threshold, on the side of the verdict (:meth:`Criterion.margin`)
MARGIN = 1.0
#: the margin rule in words, for the report and the tests
MARGIN_RULE = (
    f"a verdict counts only if it is clear: the number it turns on (the interval's edge for an "
    f"interval criterion, the mean for a range) lies at least {MARGIN:g} half-width of the interval "
    f'from the threshold, on the side of the verdict (for "interval > 0": low ≥ {MARGIN:g} × '
    f"half-width, so the mean is at least {1 + MARGIN:g} half-widths above 0; for a range: the whole "
    f'interval inside it, or outside it); identities ("every replication") hold exactly'
)


@dataclass
class ValidationConfig:
    """Settings of the validation report (``loyalty-sim-validate``, the keys at the top): the
    reference (``n_customers``, weekly, ``replications``) and the other sizes and step lengths."""

    replications: int = param(10, 2, 100_000, "replications of every experiment (seeds seed .. seed + r - 1)")
    n_customers: int = param(
        0, 0, 100_000_000, "customers in every market (0: the default market's, conf/market/retail.yaml)"
    )
    seed: int = param(0, 0, 2**63 - 1, "seed of replication 0; replication r uses seed + r everywhere")
    workers: int = param(0, 0, 1024, "processes running replications (0: all available cores)")
    confidence: float = param(0.95, 0.5, 0.9999, "confidence level of the intervals")
    output: str = param(DEFAULT_OUTPUT, doc="the report's path")
    only: list[str] = param([], doc="ids of the claims to check (empty: every claim; see loyalty-sim-validate --list)")
    sizes: list[int] = param(
        [1000, 5000, 20000],
        doc="market sizes (customers) every claim is also measured at, each with its size_replications "
        "([]: the reference size, n_customers, only)",
    )
    steps_per_year: list[int] = param(
        [52, 12],
        doc="step lengths every size is measured in, as steps per year (52 weekly, 12 monthly); the "
        "reference is weekly",
    )
    size_replications: list[int] = param(
        [10, 10, 5],
        doc="replications at each of sizes, in order (each experiment's min_replications still applies; "
        "the reference, n_customers weekly, runs replications): 5 at 20,000 customers, whose noise between "
        "replications is about half that at 5,000, keep the standard error about that of 10 at 5,000",
    )


@dataclass
class ValidateAppConfig(ValidationConfig):
    """The config of ``loyalty-sim-validate`` (``conf/validate.yaml``): the
    table it writes, the validation report's settings (the keys of
    :class:`ValidationConfig`, at the top) and the invariance table's
    (``invariance.*``). The two tables keep their own settings, with their
    own defaults (10 replications of every experiment, 8 of every
    combination); a key of the table not chosen is bad input rather than
    silently unused (:func:`settings_from`)."""

    table: str = param(
        "claims",
        doc="claims: the validation report (docs/validation.md); invariance: the invariance table "
        "(docs/invariance.md), with the settings under invariance.*",
        choices=TABLES,
    )
    invariance: InvarianceConfig = field(default_factory=InvarianceConfig)


def _register() -> None:
    """Register the schema ``validate_schema`` that conf/validate.yaml extends."""
    from hydra.core.config_store import ConfigStore

    ConfigStore.instance().store(name="validate_schema", node=ValidateAppConfig)


_register()


# =========================================================================== evidence


def default_n_customers() -> int:
    """Customers of the default market (conf/market/retail.yaml via conf/app.yaml)."""
    from experiments.running.app import compose_app

    return int(compose_app([])["market"]["n_customers"])


def compose(
    spec: ExperimentSpec, settings: ValidationConfig, variant: Sequence[str] = (), steps_per_year: int | None = None
) -> tuple:
    """The typed market and experiment of ``spec`` (and one of its variants) on
    the default market with the settings' size, replications and seeds; with
    ``steps_per_year``, in steps of that length (:func:`in_steps_of`)."""
    from experiments.running.app import compose_app
    from experiments.running.config import validate_experiment
    from experiments.running.runner import experiment_config

    replications = max(settings.replications, spec.min_replications)
    overrides = [
        *spec.overrides,
        *variant,
        f"market.n_customers={settings.n_customers or default_n_customers()}",
        f"experiment.replications={replications}",
        f"experiment.seed={settings.seed}",
        f"experiment.workers={settings.workers}",
        f"experiment.confidence={settings.confidence}",
        "experiment.progress=false",
        "experiment.figures=false",
        f"experiment.record_transactions={str(spec.transactions).lower()}",
    ]
    container = compose_app(overrides)
    if steps_per_year is not None:
        in_steps_of(container["market"], steps_per_year, spec.name)
    exp = container["experiment"]
    if spec.scenarios is not None:
        exp["scenarios"] = [dict(s) for s in spec.scenarios]
        exp["baseline"] = spec.scenarios[0]["name"]
    if spec.keep:
        missing = set(spec.keep) - {s["name"] for s in exp["scenarios"]}
        if missing:
            raise ValueError(f"experiment {spec.name}: no scenario {', '.join(sorted(missing))} to keep")
        exp["scenarios"] = [s for s in exp["scenarios"] if s["name"] in spec.keep]
    validate_experiment(container)
    return experiment_config(container)


def in_steps_of(market: dict, steps_per_year: int, name: str = "") -> None:
    """Change the composed ``market`` (a weekly market) to ``steps_per_year``
    steps a year, as the invariance table does
    (:func:`experiments.validation.invariance.combination_config`): its horizon
    and burn-in are kept in years, rounded to whole steps; the strategies state
    their schedules in weeks and their costs per year, and convert them
    themselves (:mod:`sim.units`). A market in other steps than weekly (the
    subscription market, monthly) keeps its own: raises ValueError if asked
    for another step length than its own."""
    own = float(market["steps_per_year"])
    if own == steps_per_year:
        return
    if own != REFERENCE_STEPS_PER_YEAR:
        raise ValueError(f"experiment {name}: its market runs {own:g} steps a year, not {steps_per_year}")
    factor = steps_per_year / own
    market["steps_per_year"] = float(steps_per_year)
    market["steps"] = max(1, int(round(market["steps"] * factor)))
    market["burn_in"] = int(round(market["burn_in"] * factor))


def native_steps_per_year(spec: ExperimentSpec) -> float:
    """The steps a year of the market ``spec`` runs on (52 but for the subscription market's 12)."""
    from experiments.running.app import compose_app

    return float(compose_app(list(spec.overrides))["market"]["steps_per_year"])


def _run_probe(spec: ExperimentSpec, market, experiment) -> pd.DataFrame:
    """The probe of ``spec`` once per replication, in parallel processes."""
    from experiments.running.runner import workers_for

    seeds = [(r, experiment.seed + r) for r in range(experiment.replications)]
    workers = workers_for(experiment)
    if workers == 1:
        rows = [spec.probe(market, s) for _, s in seeds]
    else:
        from joblib import delayed

        from experiments.running.interruption import run_in_workers

        rows = run_in_workers((delayed(spec.probe)(market, s) for _, s in seeds), workers)
    table = pd.DataFrame(rows)
    table.insert(0, "seed", [s for _, s in seeds])
    table.insert(0, "replication", [r for r, _ in seeds])
    return table


def gather(spec: ExperimentSpec, settings: ValidationConfig, steps_per_year: int | None = None) -> Evidence:
    """Run the experiment of ``spec`` alone (every variant, or its probe) and
    return its evidence; :func:`gather_all` gives the same evidence for
    several experiments at once, sharing their runs."""
    from experiments.running.runner import run_experiment

    if spec.probe is not None:
        market, experiment = compose(spec, settings, steps_per_year=steps_per_year)
        reps = list(range(experiment.replications))
        return Evidence(market, experiment, reps, probes=_run_probe(spec, market, experiment))
    if not spec.variants:
        market, experiment = compose(spec, settings, steps_per_year=steps_per_year)
        reps = list(range(experiment.replications))
        result = run_experiment(market, experiment, progress=False)
        return Evidence(market, experiment, reps, result.runs, result.steps, result.transactions)
    parts, first = [], None
    for name, overrides in spec.variants:
        market, experiment = compose(spec, settings, overrides, steps_per_year)
        if len(experiment.scenarios) != 1:
            raise ValueError(f"experiment {spec.name}: a variant runs one scenario, not {len(experiment.scenarios)}")
        result = run_experiment(market, experiment, progress=False)
        first = first or (market, experiment)
        parts.append([t.assign(scenario=name) for t in (result.runs, result.steps)])
    market, experiment = first
    names = [n for n, _ in spec.variants]
    experiment = dataclasses.replace(experiment, scenarios=[{"name": n} for n in names], baseline=names[0])
    reps = list(range(experiment.replications))
    runs, steps = (pd.concat([p[i] for p in parts], ignore_index=True) for i in (0, 1))
    return Evidence(market, experiment, reps, runs, steps)


@dataclass
class _Plan:
    """What one experiment runs: its configs, and for each of its scenarios
    (in order) the index of the shared run that gives its tables."""

    spec: ExperimentSpec
    market: object
    experiment: object
    runs: list[tuple[str, int]] = field(default_factory=list)  # (scenario name, shared run)


def _plans(specs: Sequence[ExperimentSpec], settings: ValidationConfig, steps_per_year: int | None = None):
    """The plans of ``specs`` and the distinct runs they need: a scenario's
    market and whether it records purchases, with the replications needed."""
    from experiments.running.scenarios import Scenario, build_scenarios

    plans, runs, keys = [], [], []

    def run_of(scenario: Scenario, record: bool, replications: int) -> int:
        key = (scenario.market, record)
        if key not in keys:
            keys.append(key)
            runs.append([Scenario(f"#{len(runs)}", "", scenario.market), record, 0])
        i = keys.index(key)
        runs[i][2] = max(runs[i][2], replications)
        return i

    for spec in specs:
        if spec.probe is not None:
            market, experiment = compose(spec, settings, steps_per_year=steps_per_year)
            plans.append(_Plan(spec, market, experiment))
            continue
        if not spec.variants:
            market, experiment = compose(spec, settings, steps_per_year=steps_per_year)
            plan = _Plan(spec, market, experiment)
            for sc in build_scenarios(market, experiment.scenarios):
                plan.runs.append((sc.name, run_of(sc, spec.transactions, experiment.replications)))
            plans.append(plan)
            continue
        plan = None
        for name, overrides in spec.variants:
            market, experiment = compose(spec, settings, overrides, steps_per_year)
            if len(experiment.scenarios) != 1:
                raise ValueError(
                    f"experiment {spec.name}: a variant runs one scenario, not {len(experiment.scenarios)}"
                )
            if plan is None:
                names = [n for n, _ in spec.variants]
                experiment_all = dataclasses.replace(
                    experiment, scenarios=[{"name": n} for n in names], baseline=names[0]
                )
                plan = _Plan(spec, market, experiment_all)
            (sc,) = build_scenarios(market, experiment.scenarios)
            plan.runs.append((name, run_of(sc, spec.transactions, experiment.replications)))
        plans.append(plan)
    return plans, runs


def _one_seed(runs: list, probes: list, replication: int, seed: int, threads: int) -> tuple:
    """Replication ``replication`` (on ``seed``) of the shared runs and probes
    that need it: one :func:`experiments.running.scenarios.run_replication` for the
    runs that record no purchases and one for those that do, so that runs on
    the same market share its burn-in; then each probe."""
    from experiments.running.scenarios import run_replication

    tables = {}
    for record in (False, True):
        chosen = [sc for sc, rec in runs if rec == record]
        if chosen:
            tables[record] = run_replication(chosen, replication, seed, threads, record)
    return tables, {name: probe(market, seed) for name, probe, market in probes}


def _rows(plan: _Plan, tables: list, costs: set) -> list[pd.DataFrame] | None:
    """Per replication, the rows of the plan's scenarios in one shared table
    (each renamed to its scenario), as its own run of the experiment would
    have given them: with the cost categories its scenarios book (empty in
    the scenarios that do not book them), not those only other experiments'
    scenarios book."""
    if tables[0] is None:
        return None
    frames = [[t[t["scenario"] == f"#{i}"].assign(scenario=name) for name, i in plan.runs] for t in tables]
    booked = {c for rows in frames for f in rows for c in f.columns if c in costs and f[c].notna().any()}
    return [
        pd.concat(
            [f.drop(columns=[c for c in f.columns if c in costs and c not in booked]) for f in rows], ignore_index=True
        )
        for rows in frames
    ]


def gather_all(
    specs: Sequence[ExperimentSpec], settings: ValidationConfig, steps_per_year: int | None = None
) -> dict[str, Evidence]:
    """The evidence of every experiment of ``specs``, as :func:`gather` gives
    it for each alone (the same numbers in the same rows and columns; the
    columns may come in another order), from shared runs:
    a scenario that several experiments run on the same market (the default
    market's baseline, for one) runs once per replication, and the scenarios
    of all experiments on the same market share its burn-in, as the scenarios
    of one experiment do (:mod:`experiments.running.scenarios`). Replication ``r`` of
    everything runs in one task (seed ``settings.seed + r``), the tasks in
    parallel processes. With ``steps_per_year``, every experiment runs in
    steps of that length (:func:`in_steps_of`)."""
    from experiments.running.runner import _assemble
    from sim.blocks import available_cores
    from strategies.registry import available

    plans, runs = _plans(specs, settings, steps_per_year)
    probe_plans = [p for p in plans if p.spec.probe is not None]
    most = max([r for *_, r in runs] + [p.experiment.replications for p in probe_plans])
    tasks = []
    for r in range(most):
        chosen = [(sc, rec) for sc, rec, reps in runs if r < reps]
        probes = [(p.spec.name, p.spec.probe, p.market) for p in probe_plans if r < p.experiment.replications]
        tasks.append((chosen, probes, r, settings.seed + r))
    workers = max(1, min(settings.workers or available_cores(), len(tasks)))
    threads = 1 if workers > 1 else min(p.market.engine.threads for p in plans)
    if workers == 1:
        done = [_one_seed(*task, threads) for task in tasks]
    else:
        from joblib import delayed

        from experiments.running.interruption import run_in_workers

        done = run_in_workers((delayed(_one_seed)(*task, threads) for task in tasks), workers)

    costs = set(available())
    evidence = {}
    for plan in plans:
        reps = list(range(plan.experiment.replications))
        if plan.spec.probe is not None:
            table = pd.DataFrame([done[r][1][plan.spec.name] for r in reps])
            table.insert(0, "seed", [settings.seed + r for r in reps])
            table.insert(0, "replication", reps)
            evidence[plan.spec.name] = Evidence(plan.market, plan.experiment, reps, probes=table)
            continue
        tables = [done[r][0][plan.spec.transactions] for r in reps]
        order = [name for name, _ in plan.runs]
        steps, runs_table, bought = (
            _assemble(frames, order, within) if frames is not None else None
            for frames, within in (
                (_rows(plan, [t.steps for t in tables], costs), ["step", "firm_index"]),
                (_rows(plan, [t.runs for t in tables], costs), ["firm"]),
                (_rows(plan, [t.transactions for t in tables], costs), ["week"]),
            )
        )
        evidence[plan.spec.name] = Evidence(plan.market, plan.experiment, reps, runs_table, steps, bought)
    return evidence


# =========================================================================== verdicts


@dataclass
class Verdict:
    """A claim's numbers per replication, their mean and interval, and the result."""

    claim: Claim
    values: np.ndarray
    mean: float
    low: float
    high: float
    passed: bool
    #: the mean of the level the claim's number is relative to (:attr:`Claim.level_measure`), or nan
    level: float = float("nan")

    @property
    def result(self) -> str:
        """PASS or FAIL; FIT or NO FIT for a calibration target (its figure set a parameter, so its holding
        shows the fit, not a prediction)."""
        if self.claim.calibrated:
            return FIT if self.passed else NO_FIT
        return PASS if self.passed else FAIL

    @property
    def known_gap(self) -> bool:
        """True if the claim is a known gap (:data:`KNOWN_GAPS`)."""
        return self.claim.id in KNOWN_GAPS

    @property
    def as_expected(self) -> bool:
        """A known gap fails, every other claim passes (or fits)."""
        return self.passed != self.known_gap

    @property
    def margin(self) -> float:
        """How clearly the claim passes (> 0) or fails (< 0), in half-widths
        of the interval (:meth:`experiments.validation.claims.Criterion.margin`)."""
        return self.claim.criterion.margin(self.values, self.mean, self.low, self.high)

    @property
    def clear(self) -> bool:
        """True if the verdict is at least :data:`MARGIN` half-widths clear of the threshold."""
        return self.margin >= MARGIN if self.passed else self.margin <= -MARGIN

    def margin_text(self) -> str:
        """The margin as the report prints it."""
        m = self.margin
        if np.isinf(m):
            return "exact" if self.claim.criterion.kind == "every" else "∞"
        return "> 10000" if abs(m) > 10_000 else f"{abs(m):.1f}"  # (next to no spread)

    def measured(self) -> str:
        """``mean [low, high]`` in the claim's unit."""
        unit = self.claim.unit
        return f"{format_value(self.mean, unit)} [{format_value(self.low, unit)}, {format_value(self.high, unit)}]"

    def size(self) -> str:
        """The number's size against its level (a direction claim's effect
        relative to the baseline's level: ``+4.2% of 65.3%``), or "" when
        the claim has no level or the level is 0."""
        if not np.isfinite(self.level) or self.level == 0 or not np.isfinite(self.mean):
            return ""
        unit = "pct" if self.claim.unit == "pp" else self.claim.unit
        return f"{100 * self.mean / abs(self.level):+.1f}% of {format_value(self.level, unit)}"

    def cell(self) -> str:
        """The verdict as a per-size column prints it: the result, marked ``?``
        when it is not clear by the margin rule."""
        return self.result + ("" if self.clear else "?")


def evaluate(claim: Claim, evidence: Evidence, confidence: float = 0.95) -> Verdict:
    """Measure ``claim`` on its experiment's evidence and judge it."""
    from experiments.running.statistics import paired_interval

    values = np.asarray(claim.measure(evidence), dtype=float)
    if np.isnan(values).any():
        mean = low = high = float("nan")
    else:
        mean, low, high = paired_interval(values, confidence)
    level = claim.level_measure
    level_mean = float(np.mean(np.asarray(level(evidence), dtype=float))) if level is not None else float("nan")
    return Verdict(claim, values, mean, low, high, claim.criterion.holds(values, mean, low, high), level_mean)


def column_label(c: Combination) -> str:
    """A combination as a column of the report: ``1k``, ``20k monthly``."""
    n = f"{c.n_customers // 1000}k" if c.n_customers % 1000 == 0 else f"{c.n_customers:,}"
    return n if c.steps_per_year == REFERENCE_STEPS_PER_YEAR else f"{n} {c.label.split(' ', 1)[1]}"


@dataclass
class SizeRun:
    """The verdicts at one market size and step length: every claim measured
    there, and why the others were not (weekly only, or a monthly market)."""

    combination: Combination
    replications: int
    verdicts: dict[str, Verdict]
    not_measured: dict[str, str] = field(default_factory=dict)
    elapsed: float = 0.0

    def cell(self, claim_id: str) -> str:
        """The claim's verdict in this run's column, or why it was not measured there."""
        if claim_id in self.verdicts:
            return self.verdicts[claim_id].cell()
        return NOT_MEASURED_CELLS[self.not_measured[claim_id]]

    def counts(self, kind: str) -> tuple[int, int]:
        """(passing, measured) validation claims (not calibration targets) of ``kind``."""
        chosen = [v for v in self.verdicts.values() if v.claim.kind == kind and not v.claim.calibrated]
        return sum(v.passed for v in chosen), len(chosen)


#: why a claim was not measured at a step length, and the cell that says so
WEEKLY_ONLY, MONTHLY_MARKET = "weekly only", "monthly market"
NOT_MEASURED_CELLS = {WEEKLY_ONLY: "weekly only", MONTHLY_MARKET: "monthly market"}


@dataclass
class Validation:
    """Every verdict of one run of the validation, with what it ran: the
    reference run (the settings' size, weekly) and the run of every other
    size and step length (:attr:`sizes`)."""

    settings: ValidationConfig
    verdicts: list[Verdict]
    evidence: dict[str, Evidence] = field(default_factory=dict)
    elapsed: float = 0.0
    sizes: list[SizeRun] = field(default_factory=list)

    @property
    def validation(self) -> list[Verdict]:
        """The verdicts of the claims that test a prediction: every claim but the calibration targets."""
        return [v for v in self.verdicts if not v.claim.calibrated]

    @property
    def calibration(self) -> list[Verdict]:
        """The verdicts of the calibration targets (:attr:`experiments.validation.claims.Claim.calibrated`)."""
        return [v for v in self.verdicts if v.claim.calibrated]

    @property
    def reference(self) -> Combination:
        """The reference combination: the settings' size, weekly."""
        return Combination(self.settings.n_customers, REFERENCE_STEPS_PER_YEAR)

    def kind_counts(self) -> str:
        """The validation claims that hold at the reference, by kind: ``figures: 8 of 14 hold, ...``."""
        parts = []
        for kind in KINDS:
            chosen = [v for v in self.validation if v.claim.kind == kind]
            if chosen:
                parts.append(f"{KIND_TITLES[kind]}: {sum(v.passed for v in chosen)} of {len(chosen)} hold")
        return "; ".join(parts)

    def summary(self) -> str:
        """One line: the validation claims that hold at the reference, by kind, and the calibration targets that fit."""
        at = f"{self.reference.n_customers:,} customers (weekly)"
        line = f"{self.kind_counts()} at {at}"
        fitted = self.calibration
        if fitted:
            line += f" ({sum(v.passed for v in fitted)} of {len(fitted)} calibration targets fit)"
        return line


#: the kinds in the headline
KIND_TITLES = {"figure": "Figures", "direction": "Directions", "invariant": "Invariants"}


def combinations(settings: ValidationConfig) -> list[tuple[Combination, int]]:
    """Every combination the report has a column for, with its replications:
    the sizes at each step length (weekly first), each size with its
    ``size_replications``; the reference (the settings' size, weekly) with
    ``replications``, listed among the weekly sizes even when ``sizes`` does
    not hold it."""
    reps = dict(zip(settings.sizes, settings.size_replications))
    out = []
    for spy in settings.steps_per_year:
        sizes = sorted(set(settings.sizes) | ({settings.n_customers} if spy == REFERENCE_STEPS_PER_YEAR else set()))
        for n in sizes:
            ref = n == settings.n_customers and spy == REFERENCE_STEPS_PER_YEAR
            out.append((Combination(n, spy), settings.replications if ref else reps[n]))
    if not any(c.steps_per_year == REFERENCE_STEPS_PER_YEAR for c, _ in out):
        out.insert(0, (Combination(settings.n_customers, REFERENCE_STEPS_PER_YEAR), settings.replications))
    return out


def measurable(claims: Sequence[Claim], steps_per_year: int) -> tuple[list[Claim], dict[str, str]]:
    """The claims that can be measured in steps of ``steps_per_year``, and
    why each other cannot (:data:`WEEKLY_ONLY`: its measure or experiment
    counts in weekly steps; :data:`MONTHLY_MARKET`: its market runs in
    monthly steps in every column, so its monthly run is its weekly column's)."""
    if steps_per_year == REFERENCE_STEPS_PER_YEAR:
        return list(claims), {}
    chosen, skipped = [], {}
    native = {name: native_steps_per_year(EXPERIMENTS[name]) for name in {c.experiment for c in claims}}
    for c in claims:
        if c.weekly_only or EXPERIMENTS[c.experiment].weekly_only:
            skipped[c.id] = WEEKLY_ONLY
        elif native[c.experiment] != REFERENCE_STEPS_PER_YEAR:
            skipped[c.id] = MONTHLY_MARKET
        else:
            chosen.append(c)
    return chosen, skipped


def weekly_only_reason(claim: Claim) -> str:
    """Why ``claim`` is measured in weekly steps only, or ""."""
    return claim.weekly_only or EXPERIMENTS[claim.experiment].weekly_only


def judge(
    claims: Sequence[Claim], settings: ValidationConfig, steps_per_year: int | None = None
) -> tuple[list[Verdict], dict[str, Evidence]]:
    """Gather the evidence the claims need (each experiment once, in steps of
    ``steps_per_year``, None: each market's own) and judge them."""
    needed = list(dict.fromkeys(c.experiment for c in claims))
    if not needed:
        return [], {}
    evidence = gather_all([EXPERIMENTS[name] for name in needed], settings, steps_per_year)
    return [evaluate(c, evidence[c.experiment], settings.confidence) for c in claims], evidence


def run_validation(settings: ValidationConfig, claims: Sequence[Claim] | None = None, log: bool = True) -> Validation:
    """Judge the claims at the reference (the settings' size, weekly), then at
    every other size and step length of :func:`combinations`."""
    started = time.perf_counter()
    if not settings.n_customers:  # 0: the default market's size, stated as such in the report
        settings = dataclasses.replace(settings, n_customers=default_n_customers())
    claims = list(CLAIMS if claims is None else claims)
    if log:
        needed = list(dict.fromkeys(c.experiment for c in claims))
        print(f"validate: {len(needed)} experiments ({', '.join(needed)})", file=sys.stderr)
    verdicts, evidence = judge(claims, settings)
    elapsed = time.perf_counter() - started
    if log:
        print(f"validate: {len(claims)} claims judged at the reference ({elapsed:.0f} s)", file=sys.stderr)
    validation = Validation(settings, verdicts, evidence, elapsed)
    for combination, replications in combinations(settings):
        if combination == validation.reference:
            validation.sizes.append(
                SizeRun(combination, settings.replications, {v.claim.id: v for v in verdicts}, {}, elapsed)
            )
            continue
        begun = time.perf_counter()
        chosen, skipped = measurable(claims, combination.steps_per_year)
        at = dataclasses.replace(settings, n_customers=combination.n_customers, replications=replications)
        spy = None if combination.steps_per_year == REFERENCE_STEPS_PER_YEAR else combination.steps_per_year
        judged, _ = judge(chosen, at, spy)
        run = SizeRun(combination, replications, {v.claim.id: v for v in judged}, skipped)
        run.elapsed = time.perf_counter() - begun
        validation.sizes.append(run)
        if log:
            print(f"validate: {combination.label}: {len(judged)} claims judged ({run.elapsed:.0f} s)", file=sys.stderr)
    validation.elapsed = time.perf_counter() - started
    return validation


# =========================================================================== the report


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _experiment_row(name: str, ev: Evidence) -> str:
    m = ev.market
    unit = "weeks" if m.steps_per_year == 52 else ("months" if m.steps_per_year == 12 else "steps")
    if ev.probes is not None:
        scenarios = "(probe)"
    else:
        scenarios = ", ".join(s["name"] if isinstance(s, dict) else s.name for s in ev.experiment.scenarios)
    return (
        f"| {name} | {_cell(EXPERIMENTS[name].description)} | {m.name}, {m.n_customers:,} customers | "
        f"{m.steps} {unit} after {m.burn_in} | {_cell(scenarios)} | {len(ev.replications)} |"
    )


def _ints(values: Sequence[int]) -> str:
    return f"[{','.join(str(v) for v in values)}]"


def command(s: ValidationConfig) -> str:
    """The command line that gives the report of ``s`` (the claims chosen
    with ``only``, quoted for the shell)."""
    only = f" 'only=[{','.join(s.only)}]'" if s.only else ""
    return (
        f"loyalty-sim-validate replications={s.replications} n_customers={s.n_customers} seed={s.seed} "
        f"'sizes={_ints(s.sizes)}' 'steps_per_year={_ints(s.steps_per_year)}' "
        f"'size_replications={_ints(s.size_replications)}'{only}"
    )


#: the header of the main table's columns before the per-size verdicts
MAIN_COLUMNS = ("id", "kind", "claim", "source", "measured", "size", "criterion")
REFERENCE_MARK = " (reference)"


def _header(v: Validation) -> list[str]:
    """The per-size columns' titles, the reference marked."""
    return [column_label(r.combination) + (REFERENCE_MARK if r.combination == v.reference else "") for r in v.sizes]


def render(v: Validation) -> str:
    """The markdown report of a validation."""
    s = v.settings
    level = f"{100 * s.confidence:g}%"
    n = len(v.verdicts)
    ref_label = f"{s.n_customers:,} customers (weekly)"
    failing = [x for x in v.verdicts if not x.passed]
    surprises = [x for x in v.verdicts if not x.as_expected]
    unclear = [x for x in v.verdicts if not x.clear]
    subset = len(v.verdicts) < len(CLAIMS)
    others = [r for r in v.sizes if r.combination != v.reference]
    lines = [
        "# Validation report",
        "",
        "Every behavioural claim of the model (docs/model.md), every strategy signature and the published "
        "figures that the model can be measured against, each measured on the default "
        "market (`conf/market/retail.yaml`; four experiments change it: the captive wave is measured in the "
        "subscription market, lay-offs in a downturn, the win-back rates in the retail market with limited "
        "consideration, `conf/market/retail_consideration.yaml`, and the programmes' three-year payback in the "
        "service-driven retail market, `conf/market/retail_service_driven.yaml`) and judged against its criterion, "
        "at the reference size and at every other market size and step length. The "
        "claims, how each is measured and its criterion are the registry `experiments/validation/claims/`; "
        "`tests/experiments/validation/test_validation.py` checks the same claims with the same code and the "
        "same margin rule at the reference size, on the replications each experiment needs (fewer than here for "
        "most). Checks that restate an input (a figure that follows by arithmetic or by definition from a "
        "parameter) are not claims: they are mechanism tests in the test suite. Generated by "
        "`loyalty-sim-validate` (experiments/validation/report.py); do not edit by hand.",
        "",
        f"- Command: `{command(s)}`",
        f"- Reference: {s.n_customers:,} customers in every experiment, weekly steps; each experiment keeps the "
        "horizon and burn-in of its named experiment (see Experiments below: shortened where a claim allows). The "
        "measured values, sizes and margins below are the reference's.",
        "- Sizes and step lengths: "
        + ", ".join(f"{r.combination.label} ({r.replications} replications)" for r in v.sizes)
        + ". In monthly steps every experiment keeps its horizon and burn-in in years (rounded to whole steps), "
        "as the invariance table does (docs/invariance.md); the strategies state their schedules in weeks and "
        "their costs per year and convert them themselves. A claim whose measure or experiment counts a window in "
        "steps, or reads events at the end of a step, is measured in weekly steps only (`weekly only`, with the "
        "reason in How each claim is measured); the captive wave's subscription market runs in monthly steps in "
        "every column (`monthly market`).",
        f"- Replications: {s.replications} per experiment at the reference (more where an experiment needs them, "
        f"its `min_replications`, see Experiments below; they apply at every size), seeds {s.seed}, {s.seed + 1}, "
        "...; at the other sizes the `size_replications` above: the noise between replications of a "
        "per-customer number falls with the square root of the market's size (at 20,000 customers about half "
        "that at 5,000), so half the replications at four times the size keep the standard error about the same, "
        "within the run time. Replication r of every scenario runs on the same seed (common random numbers), so "
        f"differences between scenarios are paired. Measured: the mean over replications and its {level} "
        "Student-t interval.",
        f"- Margin: {MARGIN_RULE}. A claim's margin is in How each claim is measured below. The same seeds give "
        "the same numbers on one machine, but another machine's floating-point paths differ and its runs take "
        "other paths: a verdict at the edge of its threshold would flip there; a clear one does not. At the "
        "other sizes a verdict that is not clear by this rule is marked `?` (e.g. `PASS?`).",
        "- Kinds: a *figure* claim tests a figure its source gives, with the tolerance the claim justifies from "
        "the source; a *direction* claim tests a sign (or the plain reading of words such as 'most') from a "
        "source that gives no figure, and its size column states the effect against the baseline's level, so "
        "that a trivial size is seen (`-` where the number is itself a share, a ratio or a difference of "
        "shares, its own size); an *invariant* is an identity of the engine that must hold exactly.",
        f"- Run time: {v.elapsed:.0f} s in all; "
        + ", ".join(f"{r.combination.label} {r.elapsed:.0f} s" for r in v.sizes)
        + " (experiments on the same market share its burn-in, and run the scenarios they have in common once).",
        "",
        f"**{v.kind_counts()} at {ref_label}.**"
        + (" (a subset of the registry, chosen with only=[...])" if subset else ""),
        "",
    ]
    lines += ["| kind | " + " | ".join(_header(v)) + " |", "|---|" + "---|" * len(v.sizes)]
    for kind in KINDS:
        cells = []
        for r in v.sizes:
            held, measured = r.counts(kind)
            cells.append(f"{held} of {measured}")
        if any(r.counts(kind)[1] for r in v.sizes):
            lines.append(f"| {KIND_TITLES[kind]} | " + " | ".join(cells) + " |")
    lines += [""]
    targets = v.calibration
    if targets:
        lines += [
            f"{len(targets)} of the {n} claims are calibration targets, not counted as validation: a "
            "parameter was set from, or fitted to, the claim's own figure, so the figure holding shows only "
            "that the fit holds at this size and on these seeds, not that the model predicts it. They are "
            "in their own table (Calibration targets below), marked FIT or NO FIT.",
            "",
        ]
    if failing:
        known = sum(x.known_gap for x in failing)
        lines += [
            f"{len(failing)} claims fail or do not fit at the reference; {known} of them are known gaps "
            "(experiments/validation/claims/known_gaps.py, with the reason: see Known gaps below).",
            "",
        ]
    if surprises:
        lines += [
            "**Not as the known-gap list says:** "
            + ", ".join(
                f"{x.claim.id} ({x.result}, {'a known gap' if x.known_gap else 'not a known gap'})" for x in surprises
            )
            + ". Update experiments/validation/claims/known_gaps.py.",
            "",
        ]
    if unclear:
        lines += [
            f"**Not clear (margin under {MARGIN:g} half-width):** "
            + ", ".join(f"{x.claim.id} ({x.result} by {x.margin_text()})" for x in unclear)
            + ". Give the experiment more replications (`min_replications` in "
            "experiments/validation/claims/experiments.py) or list the claim as a known gap, with its numbers.",
            "",
        ]
    head = [
        "id",
        "kind",
        "claim",
        "source",
        f"measured at {s.n_customers:,} weekly: mean [interval]",
        "size",
        "criterion",
        *_header(v),
    ]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for x in v.validation:
        c = x.claim
        lines.append(
            f"| {c.id} | {c.kind} | {_cell(c.claim)} | {_cell(c.source)} | {x.measured()} | {x.size() or '-'} | "
            f"{_cell(c.criterion.describe(c.unit).replace('95%', level))} | "
            + " | ".join(r.cell(c.id) for r in v.sizes)
            + " |"
        )
    gaps = [x for x in v.verdicts if x.known_gap]
    if gaps:
        lines += [
            "",
            "## Known gaps",
            "",
            "Claims that fail in the current model, listed with the reason in "
            "experiments/validation/claims/known_gaps.py. They are reported as FAIL like any failing claim; the "
            "test suite checks that each still fails, so that a gap that closes must leave the list.",
            "",
        ]
        for x in gaps:
            c = x.claim
            why = KNOWN_GAPS[c.id]
            at_sizes = ", ".join(f"{column_label(r.combination)} {r.cell(c.id)}" for r in others)
            lines.append(
                f"- **{c.id}**: measured {x.measured()} ({c.measured}); criterion "
                f"{c.criterion.describe(c.unit).replace('95%', level)}: {x.result} at the reference"
                + (f" ({at_sizes})" if at_sizes else "")
                + f". {why[0].upper() + why[1:]}."
            )
    new_failures = [x for x in failing if not x.known_gap]
    if new_failures:
        lines += ["", "## Failing claims that are not known gaps", ""]
        for x in new_failures:
            c = x.claim
            lines.append(
                f"- **{c.id}**: measured {x.measured()} ({c.measured}); criterion "
                f"{c.criterion.describe(c.unit).replace('95%', level)}."
            )
    if targets:
        lines += [
            "",
            "## Calibration targets",
            "",
            "Claims whose figure a parameter was set from, or fitted to: the parameters are config keys of "
            "the market, or of a strategy (`strategy.<name>.<key>`), and each parameter's documentation "
            "gives the source. The same criterion and margin rule as above; FIT where the figure holds.",
            "",
            "| id | claim | source | parameters | measured: mean [interval] | criterion | "
            + " | ".join(_header(v))
            + " |",
            "|---|---|---|---|---|---|" + "---|" * len(v.sizes),
        ]
        lines += [
            f"| {x.claim.id} | {_cell(x.claim.claim)} | {_cell(x.claim.source)} | "
            f"{', '.join(f'`{k}`' for k in x.claim.calibrated)} | {x.measured()} | "
            f"{_cell(x.claim.criterion.describe(x.claim.unit).replace('95%', level))} | "
            + " | ".join(r.cell(x.claim.id) for r in v.sizes)
            + " |"
            for x in targets
        ]
    if others:
        lines += [
            "",
            "## Measured at every size",
            "",
            f"The mean and its {level} interval of every claim at every size and step length (the reference "
            "in its own column), in the claim's unit.",
            "",
            "| id | " + " | ".join(_header(v)) + " |",
            "|---|" + "---|" * len(v.sizes),
        ]
        for x in v.verdicts:
            cells = [
                r.verdicts[x.claim.id].measured() if x.claim.id in r.verdicts else r.cell(x.claim.id) for r in v.sizes
            ]
            lines.append(f"| {x.claim.id} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## How each claim is measured",
        "",
        "| id | experiment | one number per replication | weekly only | margin (half-widths) |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {x.claim.id} | {x.claim.experiment} | {_cell(x.claim.measured)} | "
        f"{_cell(weekly_only_reason(x.claim)) or '-'} | {x.margin_text()} |"
        for x in v.verdicts
    ]
    lines += [
        "",
        "## Experiments",
        "",
        f"At the reference ({ref_label}).",
        "",
        "| experiment | what runs | market | horizon (after burn-in) | scenarios | replications |",
        "|---|---|---|---|---|---|",
    ]
    lines += [_experiment_row(name, ev) for name, ev in v.evidence.items()]
    return "\n".join(lines) + "\n"


def read_table(text: str, first: str = "| id | kind |") -> dict[str, dict[str, str]]:
    """The rows of the report's table whose header starts with ``first``:
    ``{id: {column: cell}}``."""
    out: dict[str, dict[str, str]] = {}
    header: list[str] | None = None
    for line in text.splitlines():
        if line.startswith(first):
            header = [c.strip() for c in line.strip().strip("|").split(" | ")]
            continue
        if header is None:
            continue
        if not line.startswith("|"):
            if out:
                break
            continue
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if len(cells) == len(header) and not cells[0].startswith("---"):
            out[cells[0]] = dict(zip(header, cells))
    return out


def read_results(text: str) -> dict[str, str]:
    """The claims of a report's tables and their result at the reference:
    ``{id: "PASS" | "FAIL" | "FIT" | "NO FIT"}``, the validation claims first,
    then the calibration targets."""
    out = {}
    for first in ("| id | kind |", "| id | claim | source | parameters |"):
        for i, row in read_table(text, first).items():
            ref = next(k for k in row if k.endswith(REFERENCE_MARK))
            out[i] = row[ref].rstrip("?")
    return out


def read_sizes(text: str) -> dict[str, dict[str, str]]:
    """Every claim's verdict cell per column (``1k``, ``5k (reference)``,
    ``20k monthly``...), from the main table and the calibration targets'."""
    out = {}
    for first in ("| id | kind |", "| id | claim | source | parameters |"):
        for i, row in read_table(text, first).items():
            out[i] = {
                k: v
                for k, v in row.items()
                if k not in MAIN_COLUMNS and not k.startswith("measured") and k not in ("parameters",)
            }
    return out


# =========================================================================== command line


#: keys of the validation report that the invariance table does not take, and what it takes instead
CLAIMS_ONLY = {
    "n_customers": "the invariance table sets its market sizes with invariance.sizes",
    "only": "the invariance table measures no claims",
    "size_replications": "the invariance table runs invariance.replications at every size",
}


def settings_from(config: dict) -> ValidationConfig | InvarianceConfig:
    """The validated settings of the table a composed config chooses (raises
    ConfigError naming the key as typed: ``replications``,
    ``invariance.sizes``): the types and ranges of the schema, the claims
    chosen, the report's path, and that no key of the other table was set
    (it would be silently unused)."""
    validate(config, ValidateAppConfig)
    top = {f.name: config[f.name] for f in dataclasses.fields(ValidationConfig) if f.name in config}
    if config["table"] == "invariance":
        from experiments.validation.invariance_report import settings_from as invariance_settings

        for key, default in dataclasses.asdict(ValidationConfig()).items():
            if top.get(key, default) != default:
                instead = CLAIMS_ONLY.get(key, f"the invariance table's is invariance.{key}")
                raise ConfigError(f"{key} = {top[key]!r}: a setting of the validation report (table=claims); {instead}")
        settings = invariance_settings(config["invariance"])
        report_path(settings.output, "invariance.output")
        return settings
    for key, default in dataclasses.asdict(InvarianceConfig()).items():
        value = config.get("invariance", {}).get(key, default)
        if value != default:
            raise ConfigError(f"invariance.{key} = {value!r}: a setting of the invariance table; add table=invariance")
    check_sizes(top)
    known = set(claim_ids())
    for i in top.get("only", []):
        if i not in known:
            raise ConfigError(f"only = {i!r}: no such claim; see loyalty-sim-validate --list")
    settings = ValidationConfig(**top)
    report_path(settings.output)
    if not settings.n_customers:
        settings = dataclasses.replace(settings, n_customers=default_n_customers())
    return settings


def check_sizes(top: dict) -> None:
    """Raise ConfigError (one line naming the key) on sizes, step lengths or
    replications per size that cannot run: whole numbers in range, each
    listed once, one replication count per size."""
    defaults = ValidationConfig()
    sizes = top.get("sizes", defaults.sizes)
    spy = top.get("steps_per_year", defaults.steps_per_year)
    reps = top.get("size_replications", defaults.size_replications)
    for key, values, lo, hi, example in (
        ("sizes", sizes, 1, 100_000_000, "[1000,5000,20000]"),
        ("steps_per_year", spy, 1, 10_000, "[52,12]"),
        ("size_replications", reps, 2, 100_000, "[10,10,5]"),
    ):
        text = _ints(values)
        if any(isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi for v in values):
            raise ConfigError(f"{key} = {text}: each must be a whole number in [{lo}, {hi:,}], e.g. {example}")
        if key != "size_replications" and len(set(values)) != len(values):
            raise ConfigError(f"{key} = {text}: each may be listed once")
    if not spy:
        raise ConfigError("steps_per_year = []: give at least one, e.g. [52,12] (52: the reference, weekly)")
    if len(reps) != len(sizes):
        raise ConfigError(
            f"size_replications = {_ints(reps)}: give one per size (sizes = {_ints(sizes)}), in the same order"
        )


def check_config(config: dict) -> None:
    """The validator of the app (:func:`experiments.cli.entry.check_overrides`):
    raise ConfigError on a config that cannot run, before anything is written."""
    settings_from(config)


def check_args(args: list[str]) -> str | None:
    """The one-line error of the command-line overrides ``args``, or None:
    the composed config (:func:`check_config`), and a single run (the
    command writes one report; a sweep, ``-m``, would overwrite it)."""
    from experiments.cli.entry import check_overrides

    for flag in ("-m", "--multirun"):
        if flag in args:
            return f"{flag} = '': the command writes one report, not a sweep; give one value per key, without {flag}"
    for arg in args:
        key, eq, value = arg.partition("=")
        if key == "only" and eq and not value.lstrip().startswith("["):  # a bare id: Hydra reads a string
            example = value.strip() or "price_war.profit"
            return f"only = {value!r}: must be a list of claim ids, e.g. 'only=[{example}]' (see --list)"
    return check_overrides(args, CONFIG_NAME, check_config, ValidateAppConfig)


def list_claims() -> str:
    """The registry as text: id, kind, experiment, ``gap`` for a known gap (``-`` otherwise), claim."""
    return "\n".join(
        f"{c.id:<36} {c.kind:<9} {c.experiment:<24} {'gap' if c.id in KNOWN_GAPS else '-':<3} {c.claim}" for c in CLAIMS
    )


def report_path(output: str, key: str = "output") -> Path:
    """The report's path ``output``, checked: a file in a folder that exists
    and can be written (raises ConfigError naming ``key``)."""
    from experiments.running.outputs import folder_problem

    out = Path(output)
    if not output.strip() or (out.exists() and out.is_dir()):
        raise ConfigError(f"{key} = {output!r}: is a folder; give the report's file path")
    if not out.parent.exists():
        raise ConfigError(f"{key} = {output!r}: the folder {str(out.parent)!r} does not exist")
    problem = folder_problem(out.parent)
    if problem:
        raise ConfigError(f"{key} = {output!r}: {problem}")
    return out


def main(argv: Sequence[str] | None = None) -> None:
    """``loyalty-sim-validate [key=value ...]``: the Hydra app
    ``conf/validate.yaml`` (:func:`experiments.cli.entry.hydra_entry`):
    check the config (bad input: one line, exit status 2, nothing written),
    then measure the chosen table and write it (:func:`run_task`).
    ``--list`` lists the claims instead, like ``--help`` before Hydra starts."""
    from experiments.cli.entry import hydra_entry

    args = list(sys.argv[1:] if argv is None else argv)
    if "--list" in args:
        if len(args) > 1:
            others = " ".join(a for a in args if a != "--list")
            print(f"error: --list = {others!r}: lists the claims; give it alone", file=sys.stderr)
            raise SystemExit(EXIT_BAD_INPUT)
        print_listing(list_claims())
        return
    hydra_entry(args, CONFIG_NAME, run_task, check=check_args)


def run_task(cfg: Any) -> None:
    """Hydra's task: measure the table the config chooses and write it
    atomically (:func:`write_report`); exit status 2 on bad input, 130 on
    Ctrl-C, with nothing written."""
    from omegaconf import OmegaConf

    config = OmegaConf.to_container(cfg, resolve=True)
    config.pop("hydra", None)
    if config["table"] == "invariance":
        from experiments.validation.invariance_report import write_table

        status = write_table(lambda: settings_from(config))
    else:
        from experiments.validation.claims import get_claims

        status = write_report(
            lambda: settings_from(config),
            lambda s: run_validation(s, get_claims(s.only)),
            render,
            lambda v, out: f"{v.summary()}; report: {out} ({v.elapsed:.0f} s)",
        )
    if status:
        raise SystemExit(status)


def write_report(
    read_settings: Callable[[], Any],
    measure: Callable[[Any], Any],
    render_report: Callable[[Any], str],
    summary: Callable[[Any, Path], str],
    output_key: str = "output",
) -> int:
    """Read the settings (``read_settings``: settings with an ``output`` path,
    or ConfigError), measure, write the report atomically and print the
    summary; the exit status (2 on bad input, nothing written). ``output_key``
    names the path's key in an error."""
    from experiments.running.interruption import stop_cleanly
    from experiments.running.outputs import write_text

    try:
        settings = read_settings()
        out = report_path(settings.output, output_key)
    except ConfigError as e:
        print(f"error: {one_line(str(e))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    with stop_cleanly(out, lambda: "nothing written"):
        result = measure(settings)
        write_text(out, render_report(result))
    print(summary(result, out))
    return 0


if __name__ == "__main__":
    main()
