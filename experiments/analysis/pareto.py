"""The results of a strategy optimisation: trials, Pareto front, report, figures.

``loyalty-sim-optimise`` (:mod:`experiments.analysis.optimise`) searches a strategy's
parameters with Hydra's Optuna sweeper; each trial writes ``<n>/trial.json``
into the sweep folder and the starting point ``start/trial.json``. When the
sweep ends, :func:`write_sweep_report` turns them into

* ``trials.csv`` (:func:`trials_table`): one row per trial, ``trial``, the
  strategy's parameters, the objective and retention KPIs (columns named by
  the KPI), the baseline's, each KPI's paired difference from the baseline
  with its interval (``<kpi>_diff``, ``<kpi>_ci_low``, ``<kpi>_ci_high``),
  ``shortfall_points``, ``feasible``, ``score``;
* ``optimisation.md``: the question, search space, starting point, the
  summary (:func:`summary_lines`, also printed when the sweep ends: the best
  trial with its parameters and value, or that the starting point beat every
  trial), the answer, and the check against Optuna's own result
  (``optimization_results.yaml``);
* single objective: ``figures/history.png`` (:func:`plot_history`);
* two objectives: ``pareto.csv`` (:func:`front_table`) and
  ``figures/pareto.png`` (:func:`plot_pareto`).

:func:`pareto_front` is the non-dominated rule of maximised objectives, the
same as Optuna's ``study.best_trials``: a point is dominated if another is
at least as good in every objective and better in one; equal points do not
dominate each other, so both stay on the front. The figures draw the
numbers of :func:`front_table` and :func:`best_so_far`, tested on their own;
they are drawn on the Agg canvas without pyplot, as in :mod:`experiments.reports.plots`.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from experiments.reports.plots import (
    BASELINE_COLOUR,
    FONT,
    SCENARIO_COLOURS,
    kind_scale,
    label_axes,
    new_axes,
    unit_label,
)
from experiments.reports.report import format_difference, kpi_of, markdown_table
from experiments.reports.units import ReportUnits

TRIAL_FILE = "trial.json"
START_DIR = "start"
RESULTS_FILE = "optimization_results.yaml"  # written by the Optuna sweeper
PARAMS = "optimise.params."  # the config keys of the strategy's parameters

#: colours of the optimisation figures: trials, the front / best line, the starting point
TRIAL_COLOUR = "#9e9e9e"
FRONT_COLOUR = SCENARIO_COLOURS[3]
START_COLOUR = SCENARIO_COLOURS[0]


# --------------------------------------------------------------------------- numbers
def pareto_front(points: Any) -> np.ndarray:
    """Which rows of ``points`` (n x k, every column maximised) are non-dominated.

    Row ``i`` is dominated if some row ``j`` is ``>=`` in every column and
    ``>`` in at least one. Equal rows do not dominate each other. Rows with a
    NaN are never on the front and dominate nothing. O(n^2 k): nothing at the
    few hundred trials of a sweep.

    Returns:
        A boolean array of length n, True for the rows on the front.
    """
    values = np.asarray(points, dtype=np.float64)
    if values.ndim != 2:
        raise ValueError(f"points = array of shape {values.shape}: must be 2-D (one row per point)")
    valid = ~np.isnan(values).any(axis=1)
    others = values[valid]
    on_front = valid.copy()
    for i in np.flatnonzero(valid):
        dominated = (others >= values[i]).all(axis=1) & (others > values[i]).any(axis=1)
        on_front[i] = not dominated.any()
    return on_front


def front_table(trials: pd.DataFrame, objectives: Sequence[str]) -> pd.DataFrame:
    """The trials on the Pareto front of ``objectives`` (all maximised),
    sorted by the first objective, highest first: the order in which a line
    joins them along the trade-off. The index is reset."""
    objectives = list(objectives)
    front = trials.loc[pareto_front(trials[objectives].to_numpy())]
    return front.sort_values(objectives, ascending=False, kind="stable").reset_index(drop=True)


def best_so_far(scores: Any, feasible: Any) -> np.ndarray:
    """After each trial, the best score among the feasible trials so far
    (NaN until the first feasible trial)."""
    scores = np.asarray(scores, dtype=np.float64)
    ok = np.asarray(feasible, dtype=bool)
    if scores.shape != ok.shape:
        raise ValueError(f"scores and feasible differ in shape ({scores.shape} and {ok.shape})")
    masked = np.where(ok & ~np.isnan(scores), scores, -np.inf)
    best = np.maximum.accumulate(masked) if masked.size else masked
    return np.where(np.isneginf(best), np.nan, best)


def best_feasible(trials: pd.DataFrame) -> pd.Series | None:
    """The trial with the highest score among those meeting the floor (the
    first such if tied), or None if none does."""
    ok = trials[trials["feasible"].astype(bool)]
    return None if ok.empty else ok.loc[ok["score"].idxmax()]


def front_matches_optuna(
    front: pd.DataFrame, objectives: Sequence[str], optuna: Mapping[str, Any] | None
) -> bool | None:
    """True if the front's values are those of Optuna's ``best_trials`` (the
    sweeper's ``solutions``), compared as multisets; None without them."""
    if not optuna or "solutions" not in optuna:
        return None
    mine = sorted(tuple(row) for row in front[list(objectives)].to_numpy(dtype=float).tolist())
    theirs = sorted(tuple(float(v) for v in s["values"]) for s in optuna["solutions"])
    return len(mine) == len(theirs) and bool(np.allclose(mine, theirs, rtol=1e-12, atol=0.0))


# --------------------------------------------------------------------------- files
def read_trials(sweep_dir: str | Path, n_trials: int | None = None) -> list[dict]:
    """The ``trial.json`` of every trial folder (``0``, ``1``, ...) of a sweep
    in trial order; with ``n_trials``, only the trials below it (a sweep re-run
    into an old folder overwrites those, and leftovers beyond are ignored)."""
    records = []
    for path in Path(sweep_dir).glob(f"*/{TRIAL_FILE}"):
        if path.parent.name.isdigit() and (n_trials is None or int(path.parent.name) < n_trials):
            records.append(json.loads(path.read_text(encoding="utf-8")))
    return sorted(records, key=lambda r: r["trial"])


def read_start(sweep_dir: str | Path) -> dict | None:
    """The starting point's ``trial.json``, or None if it was not evaluated."""
    path = Path(sweep_dir) / START_DIR / TRIAL_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def read_optuna_results(sweep_dir: str | Path) -> dict | None:
    """The sweeper's ``optimization_results.yaml``, or None."""
    import yaml

    path = Path(sweep_dir) / RESULTS_FILE
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None


def trials_table(records: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """One row per trial record: ``trial``, the strategy's parameters, the
    objective and retention KPIs (named by the KPI), the baseline's
    (``baseline_<kpi>``), ``shortfall_points``, ``feasible`` and ``score``."""
    rows = []
    for r in records:
        obj, ret = r["objective_kpi"], r["retention_kpi"]
        intervals = {}
        for kpi, which in ((obj, "objective"), (ret, "retention")):
            if r.get(f"{which}_diff") is not None:  # (trials written before intervals were recorded have none)
                low, high = r.get(f"{which}_ci") or (None, None)
                intervals.update({f"{kpi}_diff": r[f"{which}_diff"], f"{kpi}_ci_low": low, f"{kpi}_ci_high": high})
        rows.append(
            {
                "trial": r["trial"],
                **r["params"],
                obj: r["objective"],
                ret: r["retention"],
                f"baseline_{obj}": r["baseline_objective"],
                f"baseline_{ret}": r["baseline_retention"],
                **intervals,
                "shortfall_points": r["shortfall_points"],
                "feasible": r["feasible"],
                "score": r["score"],
            }
        )
    return pd.DataFrame(rows)


def search_space(sweeper: Mapping[str, Any], task_overrides: Sequence[str] = ()) -> list[tuple[str, str]]:
    """The sweep's search space as (key, sweep) pairs: ``hydra.sweeper.params``
    and the command line's sweep overrides (which the sweeper adds to it)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    space = [(str(k), str(v)) for k, v in (sweeper.get("params") or {}).items()]
    parser = OverridesParser.create()
    for text in task_overrides:
        ov = parser.parse_override(text)
        if ov.is_sweep_override():
            space.append((ov.get_key_element().lstrip("+"), text.split("=", 1)[1]))
    return space


def searched_params(sweeper: Mapping[str, Any], task_overrides: Sequence[str] = ()) -> list[str]:
    """The names of the strategy's parameters the sweep searches."""
    return [k.removeprefix(PARAMS) for k, _ in search_space(sweeper, task_overrides) if k.startswith(PARAMS)]


def write_sweep_report(
    sweep_dir: str | Path, container: Mapping[str, Any], sweeper: Mapping[str, Any], task_overrides: Sequence[str] = ()
) -> list[Path]:
    """Write ``trials.csv``, ``optimisation.md`` and the figures (and for two
    objectives ``pareto.csv``) of a finished sweep into ``sweep_dir``.

    Args:
        sweep_dir: the sweep folder, holding the trials' folders.
        container: the sweep's resolved config without Hydra's node
            (``market``, ``experiment``, ``optimise``).
        sweeper: the resolved ``hydra.sweeper`` node.
        task_overrides: the command line's overrides (``hydra.overrides.task``).

    Returns:
        The paths written.
    """
    from experiments.running.outputs import save_figure, write_csv, write_text

    sweep_dir = Path(sweep_dir)
    opt = container["optimise"]
    obj, ret = opt["objective"], opt["retention"]
    records = read_trials(sweep_dir, sweeper.get("n_trials"))
    if not records:
        raise RuntimeError(f"{sweep_dir}: no trial wrote {TRIAL_FILE}")
    trials = trials_table(records)
    start, optuna = read_start(sweep_dir), read_optuna_results(sweep_dir)
    (sweep_dir / "figures").mkdir(parents=True, exist_ok=True)
    written = [write_csv(sweep_dir / "trials.csv", trials, index=False)]
    title = f"{opt['strategy']}: {len(trials)} trials"
    front = None
    if opt["mode"] == "pareto":
        front = front_table(trials, [obj, ret])
        written.append(write_csv(sweep_dir / "pareto.csv", front, index=False))
        marked = {obj: start["objective"], ret: start["retention"]} if start else None
        baseline = {obj: records[0]["baseline_objective"], ret: records[0]["baseline_retention"]}
        fig = plot_pareto(
            trials,
            obj,
            ret,
            start=marked,
            baseline=baseline,
            floor=opt["retention_floor"],
            title=title,
            units=ReportUnits.of_keys(container.get("market")),
        )
        written.append(save_figure(sweep_dir / "figures" / "pareto.png", fig, dpi=120))
    else:
        fig = plot_history(
            trials,
            start_score=start["score"] if start else None,
            score_label=f"score: {kpi_of(obj).label}, less any floor penalty",
            title=title,
        )
        written.append(save_figure(sweep_dir / "figures" / "history.png", fig, dpi=120))
    text = optimisation_markdown(container, sweeper, task_overrides, trials, start, optuna, front)
    written.append(write_text(sweep_dir / "optimisation.md", text))
    return written


def sweep_summary(
    sweep_dir: str | Path, container: Mapping[str, Any], sweeper: Mapping[str, Any], task_overrides: Sequence[str] = ()
) -> list[str]:
    """The summary of a finished sweep's trials (:func:`summary_lines`), read from its folder."""
    opt = container["optimise"]
    records = read_trials(sweep_dir, sweeper.get("n_trials"))
    if not records:
        return [f"{opt['strategy']}: no trial wrote {TRIAL_FILE}"]
    trials = trials_table(records)
    searched = [p for p in searched_params(sweeper, task_overrides) if p in trials.columns]
    confidence = float(container.get("experiment", {}).get("confidence", 0.95))
    return summary_lines(trials, read_start(sweep_dir), opt, searched, read_optuna_results(sweep_dir), confidence)


# --------------------------------------------------------------------------- report
def format_value(value: float, kpi: str) -> str:
    """A KPI value for the report: money as ``-12,345``, a share as ``69.12%``."""
    kind = kpi_of(kpi).kind
    if kind == "pct":
        return f"{100 * value:.2f}%"
    return f"{value:,.0f}" if kind in ("money", "int") else f"{value:,.3f}"


def _short(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def params_text(params: Mapping[str, Any]) -> str:
    """``key=value, ...`` (floats to 4 significant digits)."""
    return ", ".join(f"{k}={_short(v)}" for k, v in params.items()) or "(no parameters)"


# --------------------------------------------------------------------------- summary
def _get(row: Any, key: str) -> Any:
    value = row.get(key) if hasattr(row, "get") else None
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def value_text(row: Any, kpi: str, confidence: float | None = None) -> str:
    """A trial's mean KPI and, if the trial recorded it, its paired difference
    from the baseline with its interval: ``npv -14,781 (-1,234 [-2,010, -458]
    against the baseline, 95% interval)``. ``row``: a row of :func:`trials_table`."""
    text = f"{kpi} {format_value(float(row[kpi]), kpi)}"
    diff = _get(row, f"{kpi}_diff")
    if diff is None:
        return text
    low, high = _get(row, f"{kpi}_ci_low"), _get(row, f"{kpi}_ci_high")
    interval = format_difference(
        float(diff), float("nan") if low is None else low, float("nan") if high is None else high, kpi_of(kpi).kind
    )
    level = f"{confidence:.0%} " if confidence else ""
    return f"{text} ({interval} against the baseline, {level}interval)"


def start_row(start: Mapping[str, Any]) -> pd.Series:
    """The starting point's record as a row of :func:`trials_table`."""
    return trials_table([start]).iloc[0]


def best_trial(trials: pd.DataFrame) -> tuple[pd.Series, bool]:
    """The answer of a single-objective search: the best score among the
    trials that meet the floor, or, if none does, among all (then False)."""
    best = best_feasible(trials)
    return (best, True) if best is not None else (trials.loc[trials["score"].idxmax()], False)


def start_is_best(trials: pd.DataFrame, start: Mapping[str, Any] | None) -> bool:
    """True if no trial improved on the starting point (single objective):
    where the start and the trials differ in meeting the floor, the side that
    meets it is better; otherwise the start's score is at least the best trial's."""
    if start is None or trials.empty:
        return False
    best, any_feasible = best_trial(trials)
    if bool(start["feasible"]) != any_feasible:
        return bool(start["feasible"])
    return float(start["score"]) >= float(best["score"])


def dominated_by(trials: pd.DataFrame, point: Mapping[str, float], objectives: Sequence[str]) -> pd.DataFrame:
    """The trials at least as good as ``point`` in every objective (maximised) and better in one."""
    values = trials[list(objectives)].to_numpy(dtype=float)
    p = np.array([float(point[k]) for k in objectives])
    return trials[(values >= p).all(axis=1) & (values > p).any(axis=1)]


def summary_lines(
    trials: pd.DataFrame,
    start: Mapping[str, Any] | None,
    opt: Mapping[str, Any],
    searched: Sequence[str],
    optuna: Mapping[str, Any] | None = None,
    confidence: float | None = None,
) -> list[str]:
    """What the optimisation found, in a few lines (printed when the sweep
    ends, and at the head of the report's result): the best trial with its
    number, parameters, and value with its interval (single objective), or
    the trials of the Pareto front (two); the starting point; and, when no
    trial improved on it, ``the starting point is best: no trial improved on
    it`` with its value. Optuna's own "best value" is named for what it is:
    the best trial's score, the starting point not being one of its trials."""
    obj, ret = opt["objective"], opt["retention"]
    floor = float(opt.get("retention_floor", 0.0))
    shown = list(searched)

    def described(row: Any) -> str:
        values = {p: row[p] for p in shown if p in row}
        return (
            f"{params_text(values)} -> {value_text(row, obj, confidence)}, {ret} {format_value(float(row[ret]), ret)}"
        )

    lines = [f"{opt['strategy']}: {len(trials)} trials"]
    first = start_row(start) if start else None
    if opt["mode"] == "single":
        best, feasible = best_trial(trials)
        if floor <= 0:
            label = "best trial"
        elif feasible:
            meeting = int(trials["feasible"].sum())
            label = f"best trial meeting the floor of {format_value(floor, ret)} ({meeting} of {len(trials)} do)"
        else:
            label = f"no trial met the floor of {format_value(floor, ret)}; the least penalised"
        trial_line = f"{label}: trial {int(best['trial'])}: {described(best)}; score {float(best['score']):,.0f}"
        if first is None:
            lines.append(trial_line)
        else:
            met = "" if floor <= 0 else ", meets the floor" if bool(start["feasible"]) else ", below the floor"
            start_line = f"starting point: {described(first)}{met}; score {float(start['score']):,.0f}"
            if start_is_best(trials, start):
                lines += [
                    f"the starting point is best: no trial improved on it (its score {float(start['score']):,.0f}, "
                    f"the best trial's {float(best['score']):,.0f})",
                    start_line,
                    trial_line,
                ]
            else:
                lines += [
                    trial_line,
                    start_line,
                    f"trial {int(best['trial'])} improves on the starting point: score "
                    f"{float(best['score']) - float(start['score']):+,.0f}, "
                    f"{obj} {float(best[obj]) - float(start['objective']):+,.0f}",
                ]
        if optuna and "best_value" in optuna:
            value = float(optuna["best_value"])
            which = trials.loc[np.isclose(trials["score"].to_numpy(float), value, rtol=1e-12, atol=0.0), "trial"]
            named = f"trial {int(which.iloc[0])}'s score" if len(which) else "the best score among the trials"
            lines.append(
                f"Optuna's 'Best value' ({value:,.0f}) is {named}, the best of its trials; "
                "the starting point is not one of them"
            )
        return lines
    front = front_table(trials, [obj, ret])
    lines.append(f"{len(front)} of {len(trials)} trials on the Pareto front of {obj} and {ret}, highest {obj} first:")
    lines += [f"  trial {int(row['trial'])}: {described(row)}" for _, row in front.head(5).iterrows()]
    if len(front) > 5:
        lines.append(f"  ... and {len(front) - 5} more (pareto.csv)")
    if first is not None:
        lines.append(f"starting point: {described(first)}")
        point = {obj: float(start["objective"]), ret: float(start["retention"])}
        better = dominated_by(trials, point, [obj, ret])
        beats_all = all(len(dominated_by(pd.DataFrame([point]), row, [obj, ret])) for _, row in trials.iterrows())
        if beats_all:
            lines.append(
                f"the starting point is best: no trial improved on it (it beats every trial in {obj} and {ret})"
            )
        elif better.empty:
            lines.append(f"no trial improved on the starting point in both {obj} and {ret}: it is on the front")
        else:
            named = ", ".join(str(int(t)) for t in better["trial"].head(5))
            lines.append(
                f"{len(better)} trial(s) improve on the starting point in both {obj} and {ret} (trial {named})"
            )
    return lines


def optimisation_markdown(
    container: Mapping[str, Any],
    sweeper: Mapping[str, Any],
    task_overrides: Sequence[str],
    trials: pd.DataFrame,
    start: Mapping[str, Any] | None,
    optuna: Mapping[str, Any] | None,
    front: pd.DataFrame | None = None,
) -> str:
    """The sweep's ``optimisation.md``: the question, the search space, the
    starting point, the answer, and the check against Optuna's own result."""
    opt, exp, market = container["optimise"], container["experiment"], container["market"]
    obj, ret, floor = opt["objective"], opt["retention"], float(opt["retention_floor"])
    searched = [p for p in searched_params(sweeper, task_overrides) if p in trials.columns]
    first = trials.iloc[0]
    seed, reps = int(exp.get("seed", 0)), int(exp.get("replications", 0))
    sampler = sweeper.get("sampler") or {}
    lines = [f"# Optimisation: {opt['strategy']} run by {exp.get('focal_firm', 'Focal')}", ""]
    if opt["mode"] == "single" and floor > 0:
        scale = abs(first[f"baseline_{obj}"]) or 1.0
        lines += [
            f"Maximise the mean {kpi_of(obj).label} (`{obj}`) subject to a mean {kpi_of(ret).label} "
            f"(`{ret}`) of at least {format_value(floor, ret)}.",
            f"A trial below the floor scores its {obj} less {opt['floor_penalty']:g} x |baseline {obj}| = "
            f"{opt['floor_penalty'] * scale:,.0f} per percentage point of shortfall: a soft constraint, "
            "so the answer is the best trial that meets the floor.",
        ]
    elif opt["mode"] == "single":
        lines.append(f"Maximise the mean {kpi_of(obj).label} (`{obj}`); no retention floor.")
    else:
        lines.append(
            f"Maximise both the mean {kpi_of(obj).label} (`{obj}`) and the mean {kpi_of(ret).label} "
            f"(`{ret}`): the Pareto front of the trade-off"
            + (f"; the floor of {format_value(floor, ret)} is marked, not enforced." if floor > 0 else ".")
        )
    lines += [
        "",
        f"- market: {market.get('name', '?')}, {int(market.get('n_customers', 0)):,} customers, "
        f"{market.get('steps')} steps after {market.get('burn_in')} burn-in steps",
        f"- each trial: the baseline scenario and the candidate on the same {reps} replications "
        f"(seeds {seed}..{seed + reps - 1}, common random numbers); values are means over them",
        f"- sampler: {str(sampler.get('_target_', '?')).rsplit('.', 1)[-1]} (seed {sampler.get('seed')}), "
        f"{len(trials)} trials",
        f"- baseline (no programme): {obj} {format_value(first[f'baseline_{obj}'], obj)}, "
        f"{ret} {format_value(first[f'baseline_{ret}'], ret)}",
        "",
        "## Search space",
        "",
    ]
    lines += [f"- `{k}`: `{v}`" for k, v in search_space(sweeper, task_overrides)] or ["- (none)"]
    lines += ["", "Other parameters stay at the starting point.", "", "## Starting point", ""]
    if start:
        met = (
            ""
            if opt["mode"] == "pareto" or floor <= 0
            else "; meets the floor"
            if start["feasible"]
            else f"; {start['shortfall_points']:.2f} points below the floor"
        )
        lines.append(
            f"{params_text({p: start['params'][p] for p in searched})}: {obj} "
            f"{format_value(start['objective'], obj)}, {ret} {format_value(start['retention'], ret)}{met}; "
            f"score {start['score']:,.0f}."
        )
    else:
        lines.append("(not evaluated)")
    confidence = float(exp.get("confidence", 0.95))
    lines += ["", "## Summary", ""]
    for line in summary_lines(trials, start, opt, searched, optuna, confidence)[1:]:
        line = line.strip()
        lines.append(f"- **{line}**" if line.startswith("the starting point is best") else f"- {line}")
    lines += ["", "## Result", ""]
    if opt["mode"] == "single":
        lines += _single_result(trials, start, optuna, searched, obj, ret, floor)
    else:
        lines += _pareto_result(trials, front, optuna, searched, obj, ret, floor)
    lines += [
        "",
        "Every trial's parameters and values: `trials.csv`; each trial's own: `<n>/trial.json`; "
        "the starting point's: `start/trial.json`.",
        "",
    ]
    return "\n".join(lines)


def _single_result(
    trials: pd.DataFrame,
    start: Mapping[str, Any] | None,
    optuna: Mapping[str, Any] | None,
    searched: list[str],
    obj: str,
    ret: str,
    floor: float,
) -> list[str]:
    lines = []
    best, top = best_feasible(trials), trials.loc[trials["score"].idxmax()]
    if best is None:
        lines.append(
            f"**No trial met the retention floor**: all {len(trials)} are penalised. The least "
            f"penalised, trial {int(top['trial'])} ({params_text({p: top[p] for p in searched})}), "
            f"reached {ret} {format_value(top[ret], ret)} ({top['shortfall_points']:.2f} points short) "
            f"with {obj} {format_value(top[obj], obj)}."
        )
    else:
        which = (
            f"Best trial meeting the floor ({int(trials['feasible'].sum())} of {len(trials)} do)"
            if floor > 0
            else "Best trial"
        )
        lines += [
            f"{which}: trial {int(best['trial'])}, {params_text({p: best[p] for p in searched})}: "
            f"**{obj} {format_value(best[obj], obj)}**, {ret} {format_value(best[ret], ret)}.",
            "",
            f"- against the baseline (no programme): {obj} {best[obj] - best[f'baseline_{obj}']:+,.0f}",
        ]
        if start:
            verdict = "better than" if best["score"] > start["score"] else "no better than"
            lines.append(
                f"- against the starting point: {obj} {best[obj] - start['objective']:+,.0f}; "
                f"its score {best['score']:,.0f} is {verdict} the start's {start['score']:,.0f}"
            )
    if optuna and "best_value" in optuna:
        same = math.isclose(float(optuna["best_value"]), float(top["score"]), rel_tol=1e-12)
        lines.append(
            f"- Optuna's best value ({RESULTS_FILE}): {float(optuna['best_value']):,.0f}, "
            + ("the highest score in `trials.csv`" if same else "NOT the highest score in `trials.csv`")
        )
    return lines


def _pareto_result(
    trials: pd.DataFrame,
    front: pd.DataFrame,
    optuna: Mapping[str, Any] | None,
    searched: list[str],
    obj: str,
    ret: str,
    floor: float,
) -> list[str]:
    cells = pd.DataFrame({"trial": front["trial"].astype(int).astype(str)})
    for p in searched:
        cells[p] = [_short(v) for v in front[p]]
    cells[obj] = [format_value(v, obj) for v in front[obj]]
    cells[ret] = [format_value(v, ret) for v in front[ret]]
    if floor > 0:
        cells["meets floor"] = ["yes" if v >= floor else "no" for v in front[ret]]
    matches = front_matches_optuna(front, [obj, ret], optuna)
    check = "not checked (no optimization_results.yaml)" if matches is None else "yes" if matches else "NO"
    return [
        f"{len(front)} of {len(trials)} trials are on the Pareto front (`pareto.csv`, `figures/pareto.png`), "
        f"highest {obj} first:",
        "",
        markdown_table(cells, right=[True] * cells.shape[1]),
        "",
        f"The front (experiments/analysis/pareto.py) is the same as Optuna's `best_trials` ({RESULTS_FILE}): {check}.",
    ]


# --------------------------------------------------------------------------- figures
def _axis_label(name: str, units: ReportUnits | None = None) -> str:
    kpi = kpi_of(name)
    return f"{kpi.label} ({unit_label(kpi, units)})"


def _finish(ax: Any, title: str, xlabel: str, ylabel: str) -> None:
    label_axes(ax, title, xlabel, ylabel)
    ax.legend(fontsize=FONT["legend"], frameon=False, loc="best")


def plot_pareto(
    trials: pd.DataFrame,
    objective: str,
    retention: str,
    start: Mapping[str, float] | None = None,
    baseline: Mapping[str, float] | None = None,
    floor: float | None = None,
    title: str = "",
    ax: Any = None,
    units: ReportUnits | None = None,
) -> Figure:
    """Every trial as a point (retention KPI across, objective up), the
    Pareto front (:func:`front_table`) highlighted and joined, the starting
    point and the baseline marked, and the retention floor as a line.

    Args:
        trials: the trials table, with columns ``objective`` and ``retention``.
        objective, retention: the two maximised KPIs (column names).
        start, baseline: ``{objective: value, retention: value}`` to mark, or None.
        floor: the retention floor (drawn if given and above 0).
        title: the figure's title.
        ax: ``None`` (a new Figure) or the Axes to draw on.
    """
    fig, ax = new_axes((7.6, 5.0)) if ax is None else (ax.figure, ax)
    sx, sy = kind_scale(kpi_of(retention).kind), kind_scale(kpi_of(objective).kind)
    front = front_table(trials, [objective, retention])
    ax.scatter(
        sx * trials[retention],
        sy * trials[objective],
        s=26,
        color=TRIAL_COLOUR,
        linewidths=0,
        label=f"trials ({len(trials)})",
    )
    ax.plot(
        sx * front[retention],
        sy * front[objective],
        "-o",
        color=FRONT_COLOUR,
        markersize=7,
        linewidth=1.8,
        label=f"Pareto front ({len(front)})",
    )
    for point, colour, marker, size, label in (
        (baseline, BASELINE_COLOUR, "D", 60, "baseline (no programme)"),
        (start, START_COLOUR, "*", 170, "starting point"),
    ):
        if point is not None:
            ax.scatter(
                [sx * point[retention]],
                [sy * point[objective]],
                s=size,
                marker=marker,
                color=colour,
                zorder=5,
                label=label,
            )
    if floor is not None and floor > 0:
        ax.axvline(
            sx * floor,
            color=BASELINE_COLOUR,
            linestyle=":",
            linewidth=1.2,
            label=f"retention floor ({format_value(floor, retention)})",
        )
    if kpi_of(objective).kind == "money":
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    _finish(
        ax,
        title or f"{kpi_of(objective).label} against {kpi_of(retention).label}",
        _axis_label(retention, units),
        _axis_label(objective, units),
    )
    return fig


def plot_history(
    trials: pd.DataFrame, start_score: float | None = None, score_label: str = "score", title: str = "", ax: Any = None
) -> Figure:
    """The score of every trial in order (filled: meets the floor; hollow:
    below it, penalised), the best feasible score so far (:func:`best_so_far`)
    as a step line, and the starting point's score as a dashed line.

    Args:
        trials: the trials table, with columns ``trial``, ``score`` and ``feasible``.
        start_score: the starting point's score, or None.
        score_label: the y axis label.
        title: the figure's title.
        ax: ``None`` (a new Figure) or the Axes to draw on.
    """
    fig, ax = new_axes((7.6, 4.4)) if ax is None else (ax.figure, ax)
    ok = trials["feasible"].astype(bool).to_numpy()
    x, y = trials["trial"].to_numpy(), trials["score"].to_numpy(dtype=float)
    if ok.any():
        ax.scatter(x[ok], y[ok], s=30, color=TRIAL_COLOUR, label="trial")
    if (~ok).any():
        ax.scatter(
            x[~ok], y[~ok], s=30, facecolors="none", edgecolors=TRIAL_COLOUR, label="trial below the floor (penalised)"
        )
    ax.step(x, best_so_far(y, ok), where="post", color=FRONT_COLOUR, linewidth=1.8, label="best feasible so far")
    if start_score is not None:
        ax.axhline(start_score, color=START_COLOUR, linestyle="--", linewidth=1.4, label="starting point")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    _finish(ax, title or "score by trial", "trial", score_label)
    return fig
