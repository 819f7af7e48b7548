"""The invariance table as text and markdown, and its command line
(``loyalty-sim-validate table=invariance 'invariance.sizes=[1000,5000,20000]'
'invariance.steps_per_year=[52,12]'``, the settings under ``invariance.*``
of ``conf/validate.yaml``).

The table (:mod:`experiments.validation.invariance`) has one row per KPI (and, for the
strategies' NPV differences, per scenario), one column per combination of
market size and step length with ``mean [low, high]``, and the verdict last.
It is printed, and written atomically as markdown (default
``docs/invariance.md``) with the options, the replications, the tolerances and
the run time. The exit status is 0 whether or not the verdicts pass (it is a
report), 2 on bad input, with nothing written.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import pandas as pd

from experiments.validation.invariance import (
    HEADLINE_STRATEGIES,
    MEASURES,
    NPV_DIFFERENCE,
    PASS,
    Combination,
    InvarianceConfig,
    invariance_table,
    verdicts,
)
from experiments.cli.errors import one_line
from sim.config import ConfigError


@dataclass
class Invariance:
    """A measured invariance table: settings, rows, verdicts, run time."""

    settings: InvarianceConfig
    table: pd.DataFrame
    verdicts: pd.DataFrame
    elapsed: float

    @property
    def passed(self) -> int:
        return int((self.verdicts["verdict"] == PASS).sum())


def run_invariance(settings: InvarianceConfig) -> Invariance:
    """Measure the table of ``settings`` and judge it."""
    started = time.perf_counter()
    table = invariance_table(settings, log=lambda line: print(line, file=sys.stderr, flush=True))
    return Invariance(settings, table, verdicts(table, settings.reference), time.perf_counter() - started)


# =========================================================================== cells


def format_value(value: float, kind: str) -> str:
    """A share in % with two decimals, money with two decimals."""
    if pd.isna(value):
        return "–"
    return f"{100 * value:.2f}%" if kind == "pct" else f"{value:,.2f}"


def format_cell(mean: float, low: float, high: float, kind: str) -> str:
    """``mean [low, high]``, a share's bounds in % without the sign."""
    bounds = [format_value(v, kind).rstrip("%") for v in (low, high)]
    return f"{format_value(mean, kind)} [{bounds[0]}, {bounds[1]}]"


def wide_table(inv: Invariance) -> pd.DataFrame:
    """Rows = KPI (and scenario), columns = combinations (the reference
    first), cells ``mean [low, high]``, then the verdict."""
    combos = [inv.settings.reference] + [c for c in inv.settings.combinations if c != inv.settings.reference]
    cells = {
        (r.kpi, r.scenario, Combination(int(r.n_customers), int(r.steps_per_year))): r for r in inv.table.itertuples()
    }
    rows = []
    for v in inv.verdicts.itertuples():
        kind = MEASURES[v.kpi].kind
        name = v.label if v.kpi != NPV_DIFFERENCE else f"{v.label}: {v.scenario}"
        row = {"KPI": name}
        for c in combos:
            r = cells.get((v.kpi, v.scenario, c))
            row[c.label + (" (reference)" if c == inv.settings.reference else "")] = (
                format_cell(r.mean, r.low, r.high, kind) if r is not None else "–"
            )
        row["verdict"] = v.verdict
        rows.append(row)
    return pd.DataFrame(rows)


def _markdown(frame: pd.DataFrame) -> list[str]:
    head = "| " + " | ".join(frame.columns) + " |"
    rule = "|" + "---|" * len(frame.columns)
    return [head, rule] + ["| " + " | ".join(map(str, row)) + " |" for row in frame.itertuples(index=False)]


def command(s: InvarianceConfig) -> str:
    """The command line that gives the table of ``s`` (the lists quoted for the shell)."""
    return (
        f"loyalty-sim-validate table=invariance 'invariance.sizes=[{','.join(map(str, s.sizes))}]' "
        f"'invariance.steps_per_year=[{','.join(map(str, s.steps_per_year))}]' "
        f"invariance.replications={s.replications} invariance.horizon_years={s.horizon_years:g} "
        f"invariance.burn_in_years={s.burn_in_years:g} invariance.seed={s.seed}"
    )


def render_text(inv: Invariance) -> str:
    """The table for the terminal, aligned, with its summary line."""
    frame = wide_table(inv)
    rows = [list(frame.columns)] + [list(map(str, r)) for r in frame.itertuples(index=False)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(frame.columns))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows]
    return "\n".join(lines) + f"\n{inv.passed} of {len(inv.verdicts)} KPIs agree across the combinations"


def render(inv: Invariance) -> str:
    """The markdown report of an invariance table."""
    s = inv.settings
    level = f"{100 * s.confidence:g}%"
    steps = ", ".join(
        f"{spy} steps a year: {s.steps(s.horizon_years, spy)} steps after {s.steps(s.burn_in_years, spy)}"
        for spy in s.steps_per_year
    )
    lines = [
        "# Invariance to market size and step length",
        "",
        "Per-customer results of the default retail market must not depend on how many customers are "
        "simulated or on the step length. For every market size at every step length the baseline and the "
        f"four headline strategies ({', '.join(HEADLINE_STRATEGIES)}) run on the same seeds (common random "
        "numbers); each cell is the focal firm's mean over the replications with its "
        f"{level} Student-t interval. The strategies' rows are the paired NPV difference from the baseline "
        "over the horizon, per customer of the market. Generated by `loyalty-sim-validate table=invariance` "
        "(experiments/validation/invariance.py); do not edit by hand.",
        "",
        f"- Command: `{command(s)}`",
        f"- Horizon {s.horizon_years:g} years after a burn-in of {s.burn_in_years:g} years ({steps}).",
        f"- Replications: {s.replications} per combination, seeds {s.seed}, {s.seed + 1}, ...",
        f"- Reference: {s.reference.label}. A KPI passes when every combination agrees with the reference: "
        "their intervals overlap, or their means differ by no more than the KPI's tolerance (below).",
        f"- Run time: {inv.elapsed:.0f} s.",
        "",
        f"**Summary: {inv.passed} of {len(inv.verdicts)} KPIs agree across the combinations.**",
        "",
        *_markdown(wide_table(inv)),
        "",
        "## Tolerances",
        "",
        "| KPI | tolerance | why |",
        "|---|---|---|",
        *(
            f"| {m.label} | {format_value(m.tolerance, m.kind)}{' points' if m.kind == 'pct' else ''} | {m.reason} |"
            for m in MEASURES.values()
        ),
        "",
        "## Strategy schedules",
        "",
        "The strategies state their schedules (start, duration) and other durations in weeks, their rates "
        "per year or as half-lives and their costs per driver and year (store, full-time employee, member, "
        "1,000 people reached), and convert them to the step length themselves. A programme starts in the "
        "step holding its start week and runs in every step that begins before its end; its reported steps:",
        "",
        *_schedules(s.steps_per_year),
    ]
    return "\n".join(lines) + "\n"


def _schedules(steps_per_year: Sequence[int]) -> list[str]:
    from sim.units import StepLength
    from sim.units import end_step, first_step
    from strategies.registry import REGISTRY, load_builtin

    load_builtin()
    lines = [
        "| strategy | schedule | " + " | ".join(f"{spy} steps a year" for spy in steps_per_year) + " |",
        "|---|---|" + "---|" * len(steps_per_year),
    ]
    for name in HEADLINE_STRATEGIES:
        cfg = REGISTRY[name].config_class()
        shown = f"week {cfg.start}, " + (f"{cfg.duration} weeks" if cfg.duration else "to the end")
        cells = []
        for spy in steps_per_year:
            weeks = StepLength(spy).weeks
            first, end = first_step(cfg.start, weeks), end_step(cfg.start, cfg.duration, weeks)
            cells.append(f"steps {first}-{end - 1}" if end is not None else f"from step {first}")
        lines.append(f"| {name} | {shown} | " + " | ".join(cells) + " |")
    return lines


# =========================================================================== command line


def settings_from(node: Mapping) -> InvarianceConfig:
    """Validated settings from the ``invariance`` node of a composed
    ``conf/validate.yaml`` (raises ConfigError naming the key as typed,
    ``invariance.<key>``)."""
    try:
        return InvarianceConfig(**node)
    except ConfigError as e:
        raise ConfigError(f"invariance.{one_line(str(e))}") from None


def write_table(read_settings: Callable[[], InvarianceConfig]) -> int:
    """Measure, print and write the invariance table of the settings
    ``read_settings`` gives (or ConfigError); the exit status."""
    from experiments.validation.report import write_report

    return write_report(
        read_settings,
        run_invariance,
        render,
        lambda inv, out: f"{render_text(inv)}\nreport: {out} ({inv.elapsed:.0f} s)",
        output_key="invariance.output",
    )
