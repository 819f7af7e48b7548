"""The invariance table: per-customer results must not depend on the market's
size or the step length (``loyalty-sim-validate table=invariance``, settings ``invariance.*``).

A market of 1,000 customers and one of 20,000, simulated in weekly or in
monthly steps, describe the same business at different resolutions: profit
per customer-year, annual retention, the shares of loyal customers and of
deal-seekers, the margin, and what a strategy earns per customer of the
market should agree. This module measures that. For every combination of
size and step length it runs the default experiment's baseline and the four
four headline strategies on the default retail market
(:func:`experiments.running.runner.run_experiment`: common random numbers, every
scenario on the same seeds), with the horizon and burn-in given in years and
converted to steps; the strategies state their schedules in weeks and their
costs per driver and year, and convert them to the step length themselves
(``ctx.units``, :mod:`sim.units`). :func:`invariance_table` gives one
row per combination x KPI x scenario with the mean and its Student-t interval
over the replications (a strategy's NPV difference from the baseline on
paired replications, :func:`experiments.running.statistics.paired_interval`, per
customer of the market); :func:`verdicts` compares every combination with
the reference one (the default market: 5,000 customers, weekly).

Two combinations agree on a KPI when their intervals overlap, or when their
means differ by no more than the KPI's tolerance (:data:`MEASURES`), so that
intervals made tiny by many replications do not fail on differences too small
to matter. The claim is an equality, which a finite experiment can refute but
not prove: overlap is the lenient test (two 95% intervals of equal means fail
to overlap about once in 200 pairs), and a FAIL is a difference worth a look.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from experiments.running.statistics import paired_interval
from sim.config import ConfigError, param, validate

#: the four headline strategies: with the baseline, the scenarios compared
HEADLINE_STRATEGIES = ("price_war", "club_marketing", "differentiated_service", "staff_loyalty")
#: the reference combination: the default retail market, weekly
REFERENCE_SIZE, REFERENCE_STEPS_PER_YEAR = 5000, 52
#: the KPI of the strategies' rows (the others are the baseline's levels)
NPV_DIFFERENCE = "npv_difference_per_customer"
TABLE_COLUMNS = ["n_customers", "steps_per_year", "kpi", "scenario", "n", "mean", "low", "high"]
VERDICT_COLUMNS = ["kpi", "scenario", "label", "tolerance", "worst", "worst_difference", "verdict"]
PASS, FAIL = "PASS", "FAIL"
DEFAULT_OUTPUT = "docs/invariance.md"


@dataclass(frozen=True)
class Measure:
    """A KPI of the table, its display and the tolerance of its verdict."""

    kpi: str  # a column of the runs table, or NPV_DIFFERENCE
    label: str
    kind: str  # "pct" (a share, shown in %) or "money"
    tolerance: float  # in the KPI's own unit (a share for "pct")
    reason: str  # why this tolerance


#: the KPIs compared, in the table's order, each with the absolute tolerance
#: under which two combinations agree even when their intervals are apart
MEASURES: dict[str, Measure] = {
    m.kpi: m
    for m in (
        Measure(
            "profit_per_customer",
            "profit per customer-year",
            "money",
            2.0,
            "1% of the reference's profit per customer-year (about 210) and under 0.2% of its revenue per "
            "customer-year (about 1,240): no decision turns on less",
        ),
        Measure(
            "retention_rate",
            "retention (annual)",
            "pct",
            0.01,
            "one percentage point of customers a year, about 1.4% of the reference's 70%; the model's "
            "first version, whose rates were per step, gave 20 points more in monthly steps",
        ),
        Measure(
            "loyal_advocate_share",
            "loyal + advocate share",
            "pct",
            0.01,
            "one percentage point of the firm's customers, about 2.5% of the reference's share (about 40%)",
        ),
        Measure(
            "deal_seeker_share",
            "deal-seeker share",
            "pct",
            0.01,
            "one percentage point of the firm's customers, about 7% of the reference's share (about 14%)",
        ),
        Measure(
            "margin_pct",
            "margin",
            "pct",
            0.005,
            "half a percentage point of revenue, 3% of the reference's margin (about 17%): about the "
            "tolerance of profit per customer-year, as a share of revenue",
        ),
        Measure(
            NPV_DIFFERENCE,
            "NPV difference from baseline per customer",
            "money",
            2.0,
            "the tolerance of profit per customer-year, over the whole (two-year) horizon: under a sixth "
            "of the smallest effect of a headline strategy at the reference (about 13)",
        ),
    )
}


@dataclass(frozen=True)
class Combination:
    """A market size and a step length."""

    n_customers: int
    steps_per_year: int

    @property
    def label(self) -> str:
        step = {52: "weekly", 12: "monthly", 365: "daily", 4: "quarterly", 1: "yearly"}.get(
            self.steps_per_year, f"{self.steps_per_year}/year"
        )
        return f"{self.n_customers:,} {step}"


@dataclass
class InvarianceConfig:
    """Settings of the invariance table (``loyalty-sim-validate table=invariance``: the keys ``invariance.*``)."""

    sizes: list[int] = param([1000, 5000, 20000], doc="market sizes (customers)")
    steps_per_year: list[int] = param([52, 12], doc="step lengths, as steps per year (52 weekly, 12 monthly)")
    replications: int = param(8, 2, 100_000, "replications of every combination (seeds seed .. seed + r - 1)")
    horizon_years: float = param(
        2.0, 0.0, 1000.0, "reported horizon in years (default: the default experiment's 104 weeks)", lo_open=True
    )
    burn_in_years: float = param(3.0, 0.0, 1000.0, "burn-in in years (default: the default experiment's 156 weeks)")
    seed: int = param(0, 0, 2**63 - 1, "seed of replication 0; replication r uses seed + r everywhere")
    workers: int = param(0, 0, 1024, "processes running replications (0: all available cores)")
    confidence: float = param(0.95, 0.5, 0.9999, "confidence level of the intervals")
    output: str = param(DEFAULT_OUTPUT, doc="the table's path (markdown)")

    def __post_init__(self) -> None:
        check_settings(self)

    @property
    def combinations(self) -> list[Combination]:
        """Every size at every step length, the sizes outermost."""
        return [Combination(n, s) for n in self.sizes for s in self.steps_per_year]

    @property
    def reference(self) -> Combination:
        """The combination nearest the default market: the listed size nearest
        5,000 customers at the listed step length nearest weekly."""
        return Combination(
            min(self.sizes, key=lambda n: (abs(n - REFERENCE_SIZE), n)),
            min(self.steps_per_year, key=lambda s: (abs(s - REFERENCE_STEPS_PER_YEAR), -s)),
        )

    def steps(self, years: float, steps_per_year: int) -> int:
        """``years`` as whole steps."""
        return int(round(years * steps_per_year))


def check_settings(s: InvarianceConfig) -> None:
    """Raise ConfigError (one line naming the key) on settings that cannot run."""
    validate({k: v for k, v in dataclasses.asdict(s).items() if k not in ("sizes", "steps_per_year")}, InvarianceConfig)
    for key, values, lo, hi, example in (
        ("sizes", s.sizes, 1, 100_000_000, "[1000,5000]"),
        ("steps_per_year", s.steps_per_year, 1, 10_000, "[52,12]"),
    ):
        text = f"[{','.join(map(str, values))}]"
        if not values:
            raise ConfigError(f"{key} = {text}: give at least one, e.g. {example}")
        if any(isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi for v in values):
            raise ConfigError(f"{key} = {text}: each must be a whole number in [{lo}, {hi:,}]")
        if len(set(values)) != len(values):
            raise ConfigError(f"{key} = {text}: each may be listed once")
    shortest = min(s.steps_per_year)
    if s.steps(s.horizon_years, shortest) < 1:
        raise ConfigError(
            f"horizon_years = {s.horizon_years:g}: shorter than one step at {shortest} steps per "
            f"year; must be at least {1 / shortest:.3g}"
        )


# =========================================================================== the runs


def design_card_scenarios(scenarios: Sequence[Mapping]) -> list[dict]:
    """The baseline and the four headline strategies among the default
    experiment's ``scenarios``, as they are: the strategies take their
    schedules in weeks and their costs per driver and year, so one config
    serves every step length."""
    return [dict(sc) for sc in scenarios if sc["name"] == "baseline" or sc["name"] in HEADLINE_STRATEGIES]


def combination_config(combination: Combination, settings: InvarianceConfig) -> tuple:
    """The typed market and experiment of one combination: the default app
    config with the combination's size and step length, horizon and burn-in
    in its steps, and the baseline with the four headline strategies."""
    from experiments.running.app import compose_app
    from experiments.running.config import validate_experiment
    from experiments.running.runner import experiment_config

    spy = combination.steps_per_year
    container = compose_app(
        [
            f"market.n_customers={combination.n_customers}",
            f"market.steps_per_year={spy}",
            f"market.steps={settings.steps(settings.horizon_years, spy)}",
            f"market.burn_in={settings.steps(settings.burn_in_years, spy)}",
            f"experiment.replications={settings.replications}",
            f"experiment.seed={settings.seed}",
            f"experiment.workers={settings.workers}",
            f"experiment.confidence={settings.confidence}",
            "experiment.progress=false",
            "experiment.figures=false",
        ]
    )
    exp = container["experiment"]
    exp["scenarios"] = design_card_scenarios(exp["scenarios"])
    validate_experiment(container)
    return experiment_config(container)


def combination_rows(
    runs: pd.DataFrame, combination: Combination, firm: str, baseline: str, confidence: float = 0.95
) -> list[dict]:
    """The table's rows of one combination from its runs table: the
    baseline's levels, then each strategy's paired NPV difference from the
    baseline per customer of the market."""
    mine = runs[runs["firm"] == firm]
    wide = {s: g.set_index("replication") for s, g in mine.groupby("scenario", sort=False)}
    base = wide[baseline]
    where = {"n_customers": combination.n_customers, "steps_per_year": combination.steps_per_year}
    rows = []
    for kpi in MEASURES:
        if kpi != NPV_DIFFERENCE:
            mean, low, high = paired_interval(base[kpi].to_numpy(float), confidence)
            rows.append(
                {**where, "kpi": kpi, "scenario": baseline, "n": len(base), "mean": mean, "low": low, "high": high}
            )
    for scenario, table in wide.items():
        if scenario == baseline:
            continue
        common = table.index.intersection(base.index)
        diffs = (table.loc[common, "npv"] - base.loc[common, "npv"]).to_numpy(float) / combination.n_customers
        mean, low, high = paired_interval(diffs, confidence)
        rows.append(
            {
                **where,
                "kpi": NPV_DIFFERENCE,
                "scenario": scenario,
                "n": len(common),
                "mean": mean,
                "low": low,
                "high": high,
            }
        )
    return rows


def invariance_table(settings: InvarianceConfig, log: Any = None) -> pd.DataFrame:
    """Run every combination of ``settings``; one row per combination x KPI x
    scenario with the mean and its interval (columns :data:`TABLE_COLUMNS`).
    ``log``, if given, is called with a line after each combination."""
    from experiments.running.runner import run_experiment

    rows = []
    for combination in settings.combinations:
        started = time.perf_counter()
        market, experiment = combination_config(combination, settings)
        result = run_experiment(market, experiment, progress=False)
        rows += combination_rows(
            result.runs, combination, experiment.focal_firm, experiment.baseline, settings.confidence
        )
        if log:
            log(
                f"invariance: {combination.label}: {market.steps} steps after {market.burn_in}, "
                f"{len(experiment.scenarios)} scenarios x {experiment.replications} replications "
                f"({time.perf_counter() - started:.0f} s)"
            )
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


# =========================================================================== verdicts


def agree(reference: Mapping, other: Mapping, tolerance: float) -> bool:
    """Two rows (mean, low, high) agree: their intervals overlap, or their
    means differ by at most ``tolerance``."""
    overlap = other["low"] <= reference["high"] and reference["low"] <= other["high"]
    close = abs(other["mean"] - reference["mean"]) <= tolerance
    return bool(overlap or close)


def verdicts(table: pd.DataFrame, reference: Combination, measures: Mapping[str, Measure] = MEASURES) -> pd.DataFrame:
    """Per KPI and scenario of ``table`` (:func:`invariance_table`): PASS if
    every combination agrees with ``reference`` (:func:`agree`), with the
    combination whose mean is furthest from the reference's and by how much
    (columns :data:`VERDICT_COLUMNS`). A KPI missing at the reference, or a
    mean that is not a number, fails."""
    rows = []
    at_ref = (table["n_customers"] == reference.n_customers) & (table["steps_per_year"] == reference.steps_per_year)
    for (kpi, scenario), group in table.groupby(["kpi", "scenario"], sort=False):
        measure = measures[kpi]
        ref = group[at_ref.loc[group.index]]
        others = group[~at_ref.loc[group.index]]
        worst, worst_diff, ok = "", 0.0, len(ref) == 1 and np.isfinite(ref["mean"].iloc[0])
        if ok:
            r = ref.iloc[0]
            diffs = others["mean"] - r["mean"]
            ok = bool(np.isfinite(diffs).all()) and all(agree(r, o, measure.tolerance) for _, o in others.iterrows())
            if len(others) and np.isfinite(diffs).any():
                i = diffs.abs().idxmax()
                worst = Combination(int(others.at[i, "n_customers"]), int(others.at[i, "steps_per_year"])).label
                worst_diff = float(diffs[i])
        rows.append(
            {
                "kpi": kpi,
                "scenario": scenario,
                "label": measure.label,
                "tolerance": measure.tolerance,
                "worst": worst,
                "worst_difference": worst_diff,
                "verdict": PASS if ok else FAIL,
            }
        )
    return pd.DataFrame(rows, columns=VERDICT_COLUMNS)
