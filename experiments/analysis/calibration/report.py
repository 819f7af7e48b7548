"""The calibration's report, tables, figure and calibrated market.

Everything a reader needs to judge the fit: the data and split, the loss
(stated in words, with its weights), the fitted parameters beside their
ranges and starting values (flagged when they end at an end of their
range), the holdout errors of the simulator and of the standard model side
by side (and of the simulator's nested special case, when the calibration
names one), the spread of the errors across the simulated markets of the
fit and of the forecast, the tracking table and plot, and the
calibrated market as a preset YAML that every command accepts
(``market=<name>`` once it is in ``conf/market/``).
"""

from __future__ import annotations

import dataclasses
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from matplotlib.figure import Figure

from experiments.analysis.calibration.config import CalibrationConfig, parameter_range
from experiments.analysis.calibration.fit import FitResult
from experiments.analysis.calibration.forecast import FIT_ROLE, FORECAST_ROLE, SIMULATOR, SPECIAL_CASE, Forecast
from experiments.running.outputs import save_figure, write_csv, write_parquet, write_text
from experiments.reports.report import markdown_table
from sim.config import MarketConfig

LOSS_TEXT = {
    "transactions": (
        "loss = w_curve x mean over calibration periods of ((simulated - observed cumulative repeat "
        "purchases) / observed total)^2 + w_frequency x sum over classes 0..{cap}+ of (difference in the "
        "share of customers with that many repeat purchases)^2 + w_recency x sum over classes "
        "(0-3, 4-12, 13-25, 26+ periods since the last purchase) of (difference in the share of repeat "
        "buyers)^2 + w_spend x mean of (difference in the log 10/50/90% quantiles of each customer's mean "
        "amount)^2"
    ),
    "survival": "loss = w_survival x mean over calibration periods of (simulated - observed share still active)^2",
    "survival likelihood": (
        "loss = w_survival x the Kullback-Leibler divergence of the simulated lifetimes from the observed over "
        "the calibration periods (sum over periods of the observed churn share x log(observed / simulated churn "
        "share), the survivors at the end counted as one more class): the deviance of the observed churn "
        "counts under the simulated curve, per customer, halved; maximum likelihood"
    ),
}

#: how a table shows a value that does not exist (no data to compare, or no error without a holdout)
NO_VALUE = "–"

#: column headings of the errors tables
ERROR_LABELS = {
    "holdout_repeats": "holdout repeat purchases",
    "actual_repeats": "actual",
    "holdout_error_pct": "error (%)",
    "curve_mape_pct": "cumulative curve: mean abs. error (%)",
    "curve_error_end": "cumulative curve: error at the end",
    "customer_mae": "per customer: MAE",
    "customer_mae_median": "per customer: MAE of the median forecast",
    "customer_rmse": "per customer: RMSE",
    "calibration_mape_pct": "calibration curve: mean abs. error (%)",
    "holdout_mae_pp": "holdout: mean abs. error (pp)",
    "holdout_mape_pct": "holdout: mean abs. error (%)",
    "end_error_pp": "error at the end (pp)",
    "calibration_mae_pp": "calibration: mean abs. error (pp)",
}


def calibrated_market_yaml(market: MarketConfig, cal: CalibrationConfig, result: FitResult) -> str:
    """The calibrated market as a preset for ``conf/market/``: the keys whose
    values differ from the schema's defaults, so that every other default
    stays in one place (:mod:`sim.config`)."""
    data = changed_keys(
        dataclasses.asdict(dataclasses.replace(market, name=cal.name)), dataclasses.asdict(MarketConfig())
    )
    fitted = "\n".join(f"#   {k}: {v:.6g}" for k, v in result.values.items())
    header = (
        f"# The market calibrated by loyalty-sim-calibrate ({cal.name}: {cal.kind}, "
        f"{cal.calibration_periods} calibration periods, loss {result.loss:.6g}).\n"
        f"# Fitted:\n{fitted}\n# Every other key has its default (sim/config.py).\n"
    )
    body = yaml.safe_dump({"defaults": ["market_schema", "_self_"], **data}, sort_keys=False, allow_unicode=True)
    return header + body


def changed_keys(data: dict, defaults: dict) -> dict:
    """The entries of ``data`` that differ from ``defaults``, sections walked
    (a list differs as a whole: a preset's list replaces the default's)."""
    out = {}
    for key, value in data.items():
        default = defaults.get(key)
        if isinstance(value, dict) and isinstance(default, dict):
            inner = changed_keys(value, default)
            if inner:
                out[key] = inner
        elif value != default:
            out[key] = value
    return out


#: a fitted value within this share of its range (of the range of its logarithm
#: on a log scale) of an end is flagged: the loss may keep falling beyond the
#: range, so the value is the range's, not the data's
BOUND_SHARE = 0.02


def range_position(value: float, lo: float, hi: float, log: bool) -> float:
    """How far ``value`` lies from ``lo`` toward ``hi``, 0-1 (on the log scale when ``log``)."""
    if log:
        value, lo, hi = np.log(value), np.log(lo), np.log(hi)
    return float((value - lo) / (hi - lo))


def bound_flag(value: float, lo: float, hi: float, log: bool, share: float = BOUND_SHARE) -> str:
    """'lo' or 'hi' when ``value`` lies within ``share`` of its range of that
    end (on the log scale when ``log``), else ''."""
    where = range_position(value, lo, hi, log)
    return "lo" if where <= share else "hi" if where >= 1 - share else ""


def fit_table(market: MarketConfig, cal: CalibrationConfig, result: FitResult) -> pd.DataFrame:
    """One row per fitted parameter: its range, starting value, fitted value
    and the end of the range it is stuck at ('lo', 'hi'; '' if neither)."""
    start = result.trials.iloc[0]
    rows = []
    for p in cal.parameters:
        p = dataclasses.asdict(parameter_range(p))
        fitted = result.values[p["key"]]
        rows.append(
            {
                "parameter": p["key"],
                "lo": p["lo"],
                "hi": p["hi"],
                "log_scale": bool(p["log"]),
                "start": float(start[p["key"]]),
                "fitted": fitted,
                "at_bound": bound_flag(fitted, p["lo"], p["hi"], bool(p["log"])),
            }
        )
    return pd.DataFrame(rows)


def bound_warnings(fit: pd.DataFrame) -> list[str]:
    """A warning line for each fitted parameter at an end of its range."""
    return [
        f"**Warning**: {r.parameter} = {r.fitted:.4g} ended within {BOUND_SHARE:.0%} of its range's "
        f"{r.at_bound} ({getattr(r, r.at_bound):g}{', log scale' if r.log_scale else ''}): the loss may "
        "fall further outside the range; the value is the range's, not the data's."
        for r in fit.itertuples()
        if r.at_bound
    ]


#: the per-seed error that shows whether the fit's seeds agree with the forecast's, by kind of data
SEED_ERROR = {"transactions": "holdout_error_pct", "survival": "holdout_mape_pct"}
#: the same without a holdout: the calibration periods' error
SEED_CALIBRATION_ERROR = {"transactions": "calibration_mape_pct", "survival": "calibration_mae_pp"}


def seed_column(cal: CalibrationConfig) -> str:
    """The per-seed error the spread is summarised by (the holdout's, else the calibration's)."""
    return (SEED_ERROR if cal.holdout_periods else SEED_CALIBRATION_ERROR)[cal.kind]


def seed_spread(seeds: pd.DataFrame, column: str) -> pd.DataFrame:
    """Per role (fit, forecast): the number of seeds and the mean, standard
    deviation (NaN for one seed), minimum and maximum of ``column``."""
    stats = seeds.groupby("role", sort=False)[column].agg(["count", "mean", "std", "min", "max"])
    return stats.rename(columns={"count": "seeds", "std": "sd"}).reset_index()


def seed_warnings(spread: pd.DataFrame, column: str) -> list[str]:
    """A warning when the fit's seeds are not typical of the forecast's: their
    mean error lies outside the forecast seeds' range (the fit may have
    tuned itself to the luck of its own markets: more customers or seeds)."""
    by_role = spread.set_index("role")
    if not {FIT_ROLE, FORECAST_ROLE} <= set(by_role.index):
        return []
    fit_mean = by_role.at[FIT_ROLE, "mean"]
    lo, hi = by_role.at[FORECAST_ROLE, "min"], by_role.at[FORECAST_ROLE, "max"]
    if lo <= fit_mean <= hi:
        return []
    return [
        f"**Warning**: the fit's seeds average {ERROR_LABELS.get(column, column)} {fit_mean:.3g}, outside "
        f"the forecast seeds' range {lo:.3g} to {hi:.3g}: the fit's markets are not typical; raise "
        "calibration.n_customers or calibration.replications."
    ]


def plot_tracking(
    tracking: pd.DataFrame, cal_end: int, kind: str, ax: Any = None, holdout_end: int | None = None
) -> Figure:
    """Data against each model by period; the calibration periods end at the
    first dashed line, the holdout at the second (when forecast periods follow it)."""
    if ax is None:
        fig = Figure(figsize=(8, 4.5), layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    x = tracking["period"]
    ax.plot(x, tracking["actual"], color="black", lw=2, label="actual")
    for column, style in zip([c for c in tracking.columns if c not in ("period", "actual")], ("-", "--", ":")):
        ax.plot(x, tracking[column], style, lw=1.6, label=column)
    holdout = holdout_end is None or holdout_end > cal_end
    forecast = holdout_end is not None and holdout_end < tracking["period"].max()
    top = ax.get_ylim()[1]
    ax.axvline(cal_end, color="grey", ls="--", lw=1)
    if holdout:
        ax.text(cal_end, top, " holdout →", va="top", ha="left", color="grey")
    if forecast:
        ax.axvline(holdout_end, color="grey", ls=":", lw=1)
        ax.text(holdout_end, top * (0.93 if holdout else 1.0), " forecast only →", va="top", ha="left", color="grey")
    ylabel = "cumulative repeat purchases" if kind == "transactions" else "share of the cohort still active"
    parts = ["calibration"] + (["holdout"] if holdout else []) + (["forecast"] if forecast else [])
    ax.set(xlabel="period", ylabel=ylabel, title=f"Tracking: {', then '.join(parts)}")
    ax.legend(frameon=False)
    return fig


def _formatted(table: pd.DataFrame, digits: int = 3) -> pd.DataFrame:
    out = table.copy()
    for c in out.columns:
        if pd.api.types.is_float_dtype(out[c]):
            out[c] = out[c].map(
                lambda v: (
                    NO_VALUE
                    if not np.isfinite(v)
                    else f"{v:.{digits}g}"
                    if abs(v) < 1
                    else f"{v:.2f}"
                    if abs(v) < 100
                    else f"{v:,.1f}"
                )
            )
    return out


def tracking_excerpt(
    tracking: pd.DataFrame, cal_end: int, every: int = 13, holdout_end: int | None = None
) -> pd.DataFrame:
    """The tracking table at every ``every``-th period, the ends of the
    calibration and of the holdout, and the last period (every period of a
    table no longer than ``every``)."""
    p = tracking["period"]
    if len(p) <= every:
        return tracking
    keep = (p % every == 0) | (p == cal_end) | (p == p.max()) | (p == holdout_end)
    return tracking[keep]


def split_text(cal: CalibrationConfig) -> str:
    """The calibration, holdout and forecast periods in words."""
    last, end = cal.calibration_periods, cal.calibration_periods + cal.holdout_periods
    text = f"calibration periods 1-{last}, " + (
        f"holdout periods {last + 1}-{end}; the fit never saw the holdout" if cal.holdout_periods else "no holdout"
    )
    if cal.forecast_periods:
        text += f"; forecast only (no data compared) periods {end + 1}-{end + cal.forecast_periods}"
    return text


def standard_text(cal: CalibrationConfig, forecast: Forecast, emphasis: str = "") -> str:
    """The standard model's fit in words, or why it failed (its name between ``emphasis`` marks)."""
    name = "BG/NBD" if cal.kind == "transactions" else "shifted-beta-geometric"
    name = f"{emphasis}{name}{emphasis}"
    if forecast.standard_failure:
        return (
            f"{name} did not converge on the same calibration data ({forecast.standard_failure}); only the "
            "simulator's forecast is shown"
        )
    params = ", ".join(f"{k} = {v:.4g}" for k, v in (forecast.standard_params or {}).items())
    return f"{name} fitted on the same calibration data: {params}"


def report_markdown(
    cal: CalibrationConfig, market: MarketConfig, result: FitResult, forecast: Forecast, data_line: str, elapsed: float
) -> str:
    """The calibration report (report.md)."""
    fit = fit_table(market, cal, result)
    errors = forecast.errors.rename(columns=ERROR_LABELS)
    holdout_end = cal.calibration_periods + cal.holdout_periods
    no_holdout = (
        []
        if cal.holdout_periods
        else [
            f"No holdout: the forecast has no data to compare with ({NO_VALUE}); only the calibration "
            "periods' errors are shown.",
            "",
        ]
    )
    weights = ", ".join(
        f"w_{k} = {v:g}"
        for k, v in dataclasses.asdict(cal.loss).items()
        if (k == "survival") == (cal.kind == "survival")
    )
    lines = [
        f"# Calibration: {cal.name}",
        "",
        *([cal.description.strip(), ""] if cal.description.strip() else []),
        f"- **Data**: {data_line}",
        f"- **Split**: {split_text(cal)}.",
        f"- **Simulated market**: {market.name} base with {cal.n_customers:,} customers {_start_text(cal)}; "
        f"firm {cal.firm}; fit on seeds {cal.seed}..{cal.seed + cal.replications - 1}, "
        f"forecast on {cal.forecast_replications} other seeds.",
        f"- **Optimiser**: Optuna multivariate TPE (seed {cal.seed}), {cal.trials} trials, the first "
        f"{cal.startup_trials} at random; the first trial is the base market.",
        f"- **Loss**: {LOSS_TEXT[_loss_kind(cal)].format(cap=cal.frequency_cap)}; {weights}.",
        f"- **Loss at the start** {_loss(result.start_loss)}, **fitted** {result.loss:.4g} "
        f"({', '.join(f'{k} {v:.3g}' for k, v in result.parts.items())}).",
        f"- {standard_text(cal, forecast, '**')}.",
        f"- Run time {elapsed:.0f} s.",
        "",
        "## Fitted parameters",
        "",
        markdown_table(_formatted(fit, 4)),
        "",
        f"`at_bound`: the fitted value lies within {BOUND_SHARE:.0%} of that end of its range (of its "
        "logarithm on a log scale).",
        "",
        *_paragraphs(bound_warnings(fit)),
        "## Holdout errors",
        "",
        *no_holdout,
        markdown_table(_formatted(errors, 3)),
        "",
        *_paragraphs(retention_lines(cal, forecast)),
        *_paragraphs(per_customer_lines(forecast)),
        *_paragraphs(special_case_lines(cal, forecast)),
        *seed_section(cal, forecast),
        "## Tracking",
        "",
        markdown_table(
            _formatted(tracking_excerpt(forecast.tracking, cal.calibration_periods, holdout_end=holdout_end), 3)
        ),
        "",
        "Every period is in `tracking.csv`"
        + (f"; periods after {holdout_end} are forecast only (no actual value)" if cal.forecast_periods else "")
        + ".",
        "",
    ]
    if cal.figures:
        lines += ["![tracking](figures/tracking.png)", ""]
    lines += [
        "## Files",
        "",
        "`market.yaml` (the calibrated market, a preset for `conf/market/`), `fit.csv`, `trials.csv`, "
        "`tracking.csv`, `errors.csv`, `seeds.csv` (each simulated market's errors)"
        + (
            ", `customers.parquet` (each customer's holdout purchases and the conditional forecasts)"
            if forecast.customers is not None
            else ""
        )
        + ", `config.yaml`.",
        "",
    ]
    return "\n".join(lines)


def write_calibration(
    folder: Path,
    cal: CalibrationConfig,
    market: MarketConfig,
    calibrated: MarketConfig,
    result: FitResult,
    forecast: Forecast,
    data_line: str,
    config: dict,
    elapsed: float,
) -> Path:
    """Write every output of a calibration into ``folder`` (each file atomically); the report last."""
    folder.mkdir(parents=True, exist_ok=True)
    text = calibrated_market_yaml(calibrated, cal, result)
    write_text(folder / "market.yaml", text)
    if cal.market_out:
        Path(cal.market_out).parent.mkdir(parents=True, exist_ok=True)
        write_text(cal.market_out, text)
    write_csv(folder / "fit.csv", fit_table(market, cal, result), index=False)
    write_csv(folder / "trials.csv", result.trials, index=False)
    write_csv(folder / "tracking.csv", forecast.tracking, index=False)
    write_csv(folder / "errors.csv", forecast.errors, index=False)
    if forecast.seeds is not None:
        write_csv(folder / "seeds.csv", forecast.seeds, index=False)
    if forecast.customers is not None:
        write_parquet(folder / "customers.parquet", forecast.customers)
    write_text(folder / "config.yaml", yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    if cal.figures:
        (folder / "figures").mkdir(exist_ok=True)
        save_figure(
            folder / "figures" / "tracking.png",
            plot_tracking(
                forecast.tracking,
                cal.calibration_periods,
                cal.kind,
                holdout_end=cal.calibration_periods + cal.holdout_periods,
            ),
            dpi=120,
        )
    return write_text(folder / "report.md", report_markdown(cal, market, result, forecast, data_line, elapsed))


def _start_text(cal: CalibrationConfig) -> str:
    """Where the simulated cohort starts: after the burn-in, or at the market's opening."""
    if cal.kind == "survival" and cal.survival.cohort == "opening":
        return (
            "simulated from the market's opening (no burn-in); the cohort is every customer of the firm "
            "after the first step, all starting on one date"
        )
    return f"after {cal.burn_in} burn-in steps"


def _paragraphs(lines: list[str]) -> list[str]:
    """Each line as a paragraph of the report."""
    return [part for line in lines for part in (line, "")]


def seed_section(cal: CalibrationConfig, forecast: Forecast) -> list[str]:
    """The report's section on the spread across simulated markets: the
    summary by role, any warning and every seed's errors."""
    if forecast.seeds is None or forecast.seeds.empty:
        return []
    column = seed_column(cal)
    spread = seed_spread(forecast.seeds, column)
    label = ERROR_LABELS.get(column, column)
    return [
        "## Spread across seeds",
        "",
        f"Each simulated market's own {label} (the simulator's curve of one seed). The fit saw the "
        f"`fit` seeds' calibration periods; the forecast above is the mean of the `forecast` seeds.",
        "",
        markdown_table(_formatted(spread.rename(columns={"mean": f"mean {label}"}), 3)),
        "",
        *_paragraphs(seed_warnings(spread, column)),
        markdown_table(_formatted(forecast.seeds.rename(columns=ERROR_LABELS), 3)),
        "",
    ]


def retention_by_tenure(tracking: pd.DataFrame, column: str) -> pd.Series:
    """Retention rate of each period of a survival curve: the share of the
    period's starting customers still active at its end (by period, from 1)."""
    share = tracking.set_index("period")[column]
    return (share / share.shift(1)).iloc[1:]


def retention_lines(cal: CalibrationConfig, forecast: Forecast, early: int = 2) -> list[str]:
    """How retention rises with tenure (the sign of heterogeneity that sBG
    captures): each curve's retention in period ``early`` and in the last
    period with data, and the rise between them."""
    if cal.kind != "survival":
        return []
    last = cal.calibration_periods + cal.holdout_periods
    if last <= early:
        return []
    parts = []
    for column in [c for c in forecast.tracking.columns if c != "period"]:
        rate = retention_by_tenure(forecast.tracking, column)
        parts.append(f"{column} {rate[early]:.3f} to {rate[last]:.3f} ({rate[last] - rate[early]:+.3f})")
    return [f"Retention rate, period {early} to period {last}: " + "; ".join(parts) + "."]


def per_customer_lines(forecast: Forecast) -> list[str]:
    """The per-customer errors against forecasting that nobody buys in the
    holdout, and which point forecast each error rewards: squared error the
    mean of a customer's predictive distribution, absolute error its median
    (Gneiting 2011, "Making and evaluating point forecasts"); BG/NBD gives
    the mean only."""
    if forecast.customers is None or forecast.customers.empty:
        return []
    errors = forecast.errors.set_index("model")
    zero = float(forecast.customers["actual"].abs().mean())
    parts = [
        f"{model}'s mean forecast {errors.at[model, 'customer_mae']:.3f}"
        for model in errors.index
        if np.isfinite(errors.at[model, "customer_mae"])
    ]
    parts += [
        f"{model}'s median forecast {value:.3f}" for model, value in errors["customer_mae_median"].dropna().items()
    ]
    return [
        f"Per customer, the mean absolute error of forecasting that nobody buys in the holdout is {zero:.3f}; "
        f"of {', '.join(parts)}. Squared error rewards a customer's expected purchases (the mean of their "
        "predictive distribution), absolute error its median (Gneiting 2011), so a mean forecast can lose to "
        "zero on absolute error where most customers buy nothing. The simulator gives both, from its nearest "
        "simulated customers; BG/NBD's median is not computed here, so compare medians with zero only."
    ]


def special_case_lines(cal: CalibrationConfig, forecast: Forecast) -> list[str]:
    """The comparison of the full model with its nested special case (the
    simulator reduced to the standard model's story, at the standard
    model's fitted parameters), when the calibration names one."""
    if not cal.special_case:
        return []
    if forecast.special_case_note:
        return [f"Nested special case: {forecast.special_case_note}."]
    errors = forecast.errors.set_index("model")
    if SPECIAL_CASE not in errors.index:
        return ["Nested special case: not forecast (the standard model could not be fitted)."]
    column = seed_column(cal)
    full, nested = abs(errors.at[SIMULATOR, column]), abs(errors.at[SPECIAL_CASE, column])
    verdict = "worse than" if full > nested else "as well as or better than"
    keys = ", ".join(f"{k} = {v}" for k, v in cal.special_case.items())
    return [
        f"Nested special case (`{SPECIAL_CASE}`): the market with {keys}, at the standard model's fitted "
        f"parameters. The full model forecasts {verdict} its nested special case "
        f"({ERROR_LABELS.get(column, column)} {full:.3g} against {nested:.3g})."
    ]


def _loss_kind(cal: CalibrationConfig) -> str:
    """The key of :data:`LOSS_TEXT` that states this calibration's loss."""
    return "survival likelihood" if cal.kind == "survival" and cal.survival.measure == "likelihood" else cal.kind


def _loss(value: float) -> str:
    """A trial's loss; none (NaN) when its values made a market the config refuses."""
    return "none (an invalid market)" if np.isnan(value) else f"{value:.4g}"


#: the printed summary's width (characters): a terminal of 100 columns shows it unbroken
CONSOLE_WIDTH = 100


def _console_cell(value: Any) -> str:
    if isinstance(value, (float, np.floating)):
        return NO_VALUE if not np.isfinite(value) else f"{value:,.3f}"
    return str(value)


def errors_lines(errors: pd.DataFrame, width: int = CONSOLE_WIDTH) -> list[str]:
    """The errors table as text no wider than ``width``: one row per error
    measure (its label) and one column per model, the models wrapped into
    blocks that each repeat the labels when they do not fit side by side."""
    cells = errors.set_index("model").T
    labels = [ERROR_LABELS.get(c, c) for c in cells.index]
    label_width = max(len("error"), *(len(x) for x in labels))
    columns = [(str(m), [_console_cell(v) for v in cells[m]]) for m in cells.columns]
    blocks: list[list[tuple[str, list[str]]]] = [[]]
    used = label_width
    for name, values in columns:
        w = 2 + max(len(name), *(len(v) for v in values))
        if blocks[-1] and used + w > width:
            blocks.append([])
            used = label_width
        blocks[-1].append((name, values))
        used += w
    lines: list[str] = []
    for block in blocks:
        widths = [max(len(name), *(len(v) for v in values)) for name, values in block]
        head = "error".ljust(label_width) + "".join("  " + n.rjust(w) for (n, _), w in zip(block, widths))
        lines += [*([""] if lines else []), head.rstrip(), "-" * min(width, len(head.rstrip()))]
        for i, label in enumerate(labels):
            row = label.ljust(label_width) + "".join("  " + vals[i].rjust(w) for (_, vals), w in zip(block, widths))
            lines.append(row.rstrip())
    return lines


def console_summary(cal: CalibrationConfig, result: FitResult, forecast: Forecast, width: int = CONSOLE_WIDTH) -> str:
    """What the command prints: the fitted values and the holdout errors (one
    row per error, one column per model), no line wider than ``width``."""
    fitted = [
        textwrap.fill(f"{k} = {v:.4g}", width, initial_indent="  ", subsequent_indent="    ")
        for k, v in result.values.items()
    ]
    notes = [f"{split_text(cal)}."]
    if forecast.standard_failure:
        notes.append(f"{standard_text(cal, forecast)}.")
    head = f"calibrated {cal.name}: loss {_loss(result.start_loss)} -> {result.loss:.4g}"
    return "\n".join(
        [
            textwrap.fill(head, width),
            *fitted,
            "",
            *errors_lines(forecast.errors, width),
            "",
            *(textwrap.fill(note, width) for note in notes),
        ]
    )
