"""What a reader sees of a sensitivity analysis: table, report and figure.

The indices table of :mod:`experiments.analysis.sensitivity` (one row per parameter;
Sobol: S1, S1_conf, ST, ST_conf; Morris: mu, mu_star, mu_star_conf, sigma)
becomes display cells (:func:`indices_cells`), printed (:func:`format_indices`)
and put into ``sensitivity.md`` (:func:`report_markdown`), and a bar chart
with confidence-interval error bars (:func:`plot_indices`) whose numbers come
from :func:`index_bars`. Parameters are shown most influential first (by ST,
or by mu_star); ``meta`` is :func:`experiments.analysis.sensitivity.analysis_meta`.
"""

from __future__ import annotations

import math
import textwrap
from typing import Any, Mapping

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from experiments.reports.report import _text_rows, format_value, markdown_table
from experiments.reports.units import ReportUnits

#: the figure's file name under ``figures/`` and its resolution
FIGURE = "sensitivity.png"
DPI = 110
#: per method: the indices drawn as bars (name, label, column of its interval half-width or None)
BARS = {
    "sobol": [("S1", "first order S1 (alone)", "S1_conf"), ("ST", "total ST (with interactions)", "ST_conf")],
    "morris": [
        ("mu_star", "mu* (mean |effect|)", "mu_star_conf"),
        ("sigma", "sigma (non-linearity, interactions)", None),
    ],
}
#: the least value an index can take, where it has one: mu* is a mean of
#: absolute effects and sigma a standard deviation, so neither is below 0, and
#: an error bar of either stops there (the bootstrap interval of Morris's mu*
#: is its mean plus or minus a half-width, which can reach below 0)
FLOOR = {"mu_star": 0.0, "sigma": 0.0}
#: the index that orders the parameters, per method
ORDER_BY = {"sobol": "ST", "morris": "mu_star"}
COLOURS = ("#3182bd", "#fd8d3c")
NO_VALUE = "n/a"


def importance_order(indices: pd.DataFrame, method: str) -> list[str]:
    """The parameters, most influential first (undefined indices last)."""
    key = indices[ORDER_BY[method]].fillna(-math.inf)
    return list(indices.assign(_k=key).sort_values("_k", ascending=False, kind="stable")["parameter"])


def index_bars(indices: pd.DataFrame, method: str) -> pd.DataFrame:
    """The bars of the figure: one row per parameter (most influential first)
    and index of :data:`BARS`, with columns ``parameter``, ``index``, ``label``,
    ``value``, ``conf`` (the half-width of the bootstrap interval; NaN where
    the index has none) and the error bar's reach below and above the value,
    ``err_low`` and ``err_high`` (0 without an interval): ``conf`` each, but
    never below the index's :data:`FLOOR` (mu* is not below 0)."""
    table = indices.set_index("parameter")
    rows = []
    for p in importance_order(indices, method):
        for name, label, conf in BARS[method]:
            value = float(table.at[p, name])
            half = float(table.at[p, conf]) if conf else float("nan")
            reach = 0.0 if math.isnan(half) else half
            low = reach if name not in FLOOR or math.isnan(value) else min(reach, max(value - FLOOR[name], 0.0))
            rows.append(
                {
                    "parameter": p,
                    "index": name,
                    "label": label,
                    "value": value,
                    "conf": half,
                    "err_low": low,
                    "err_high": reach,
                }
            )
    return pd.DataFrame(rows, columns=["parameter", "index", "label", "value", "conf", "err_low", "err_high"])


def effect_unit(meta: Mapping[str, Any], units: ReportUnits) -> str:
    """The unit of a Morris effect on the analysed output: percentage points
    for a share, the currency for money (an NPV with its horizon and discount
    rate), else none."""
    kind = meta.get("kpi_kind")
    if kind == "pct":
        return " (pp)"
    if kind == "money":
        if meta.get("kpi") == "npv":
            return f" ({units.currency}; NPV over {units.horizon()} at {units.rate()})"
        return f" ({units.currency})"
    return ""


def plot_indices(
    indices: pd.DataFrame, method: str, meta: Mapping[str, Any], ax: Any = None, units: ReportUnits | None = None
) -> Figure:
    """Horizontal bars of the indices per parameter, most influential on top,
    with the confidence intervals as error bars (asymmetric where an index
    cannot go below 0: :func:`index_bars`).

    Args:
        indices: the indices table of the method.
        method: ``"sobol"`` or ``"morris"``.
        meta: the analysis (``output``, ``confidence``, ``kpi``, ``kpi_kind``
            and optionally ``units``; see
            :func:`experiments.analysis.sensitivity.analysis_meta`).
        ax: ``None`` (a new Figure) or the Axes to draw on.
        units: the units of money in the output; None: ``meta["units"]``,
            else the default market's (:meth:`ReportUnits.of_meta`).
    """
    units = units if units is not None else ReportUnits.of_meta(meta)
    bars = index_bars(indices, method)
    params = list(dict.fromkeys(bars["parameter"]))
    own = ax is None
    if own:
        fig = Figure(figsize=(8.5, 1.6 + 0.55 * len(params)), layout="constrained")
        FigureCanvasAgg(fig)
        ax = fig.subplots()
    else:
        fig = ax.figure
    scale = 100.0 if method == "morris" and meta.get("kpi_kind") == "pct" else 1.0
    height = 0.8 / len(BARS[method])
    y = np.arange(len(params))[::-1].astype(float)
    for k, ((name, label, _), colour) in enumerate(zip(BARS[method], COLOURS)):
        rows = bars[bars["index"] == name].set_index("parameter").loc[params]
        err = scale * rows[["err_low", "err_high"]].to_numpy().T
        ax.barh(
            y + (len(BARS[method]) / 2 - k - 0.5) * height,
            scale * rows["value"].to_numpy(),
            height,
            xerr=err if err.any() else None,
            color=colour,
            label=label,
            capsize=3,
            error_kw={"elinewidth": 1.0, "ecolor": "#333333"},
        )
    ax.set_yticks(y, params, fontsize=8)
    ax.axvline(0.0, color="#777777", linewidth=0.8)
    unit = {
        "sobol": "share of the output's variance",
        "morris": "change of the output over the parameter's whole range" + effect_unit(meta, units),
    }[method]
    ax.set_xlabel(unit, fontsize=9)
    confidence = float(meta.get("confidence", 0.95))
    floor = " (mu* stops at 0: a mean of absolute effects)" if method == "morris" else ""
    title = (
        f"{method.capitalize()} indices, error bars: {confidence:.0%} bootstrap interval{floor}. "
        f"{meta.get('output', '')}"
    )
    ax.set_title("\n".join(textwrap.wrap(title, 100)), fontsize=9)
    if own:
        fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=2, fontsize=8, frameon=False)
    else:
        ax.legend(fontsize=8, frameon=False)
    ax.tick_params(axis="x", labelsize=8)
    if method == "morris" and meta.get("kpi_kind") == "money":
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    return fig


# --------------------------------------------------------------------- cells


def _effect(value: float, kind: str) -> str:
    """A Morris statistic in the output's units (a share's in percentage points)."""
    if value is None or math.isnan(value):
        return NO_VALUE
    if kind == "pct":
        return f"{100 * value:,.2f} pp"
    return format_value(value, kind)


def _share(value: float, conf: float) -> str:
    if math.isnan(value):
        return NO_VALUE
    return f"{value:.3f}" + ("" if math.isnan(conf) else f" ± {conf:.3f}")


def _range(p: Mapping[str, Any]) -> str:
    def end(v: float) -> str:
        return f"{round(v):,d}" if p.get("whole") else f"{v:,.6g}"

    return f"{end(p['lo'])} .. {end(p['hi'])}"


def indices_cells(indices: pd.DataFrame, meta: Mapping[str, Any]) -> pd.DataFrame:
    """The indices as display strings, one row per parameter (most influential
    first): parameter, range, then Sobol ``S1 ± conf``, ``ST ± conf`` or Morris
    mu, mu* ± conf, sigma (in the output's units)."""
    method, kind = meta["method"], meta.get("kpi_kind", "float")
    ranges = {p["key"]: _range(p) for p in meta.get("parameters", [])}
    table = indices.set_index("parameter")
    rows = []
    for p in importance_order(indices, method):
        r = table.loc[p]
        if method == "sobol":
            cells = [_share(r["S1"], r["S1_conf"]), _share(r["ST"], r["ST_conf"])]
        else:
            star = _effect(r["mu_star"], kind)
            if not math.isnan(r["mu_star_conf"]) and star != NO_VALUE:
                star += f" ± {_effect(r['mu_star_conf'], kind)}"
            cells = [_effect(r["mu"], kind), star, _effect(r["sigma"], kind)]
        rows.append([p, ranges.get(p, ""), *cells])
    columns = ["parameter", "range", *({"sobol": ["S1", "ST"], "morris": ["mu", "mu*", "sigma"]}[method])]
    return pd.DataFrame(rows, columns=columns)


def _how_to_read(meta: Mapping[str, Any]) -> str:
    confidence = float(meta.get("confidence", 0.95))
    if meta["method"] == "sobol":
        return (
            "S1: the share of the output's variance due to the parameter alone; ST: its share "
            "including all its interactions (ST - S1 large: the parameter acts through interactions; "
            f"ST near 0: it can be fixed anywhere in its range). ± is the half-width of the "
            f"{confidence:.0%} bootstrap interval."
        )
    return (
        "mu*: the mean absolute change of the output when the parameter alone moves across its whole "
        "range (elementary effects, scaled to the range); it ranks the parameters. mu: the same with "
        "signs (mu near -mu* or +mu*: a monotone effect). sigma: the spread of the effects (large: "
        "non-linear, or interacting with other parameters). ± is the half-width of the "
        f"{confidence:.0%} bootstrap interval of mu*. The simulation's own noise (the output is a mean "
        "over a few replications) adds to mu* and sigma alike: a parameter whose mu* is not well above "
        "that of the others may matter little; more replications (experiment.replications) reduce it."
    )


def _design(meta: Mapping[str, Any]) -> str:
    d = len(meta.get("parameters", []))
    if meta["method"] == "sobol":
        per = f"{d} x 2 + 2" if meta.get("second_order") else f"{d} + 2"
        return f"Sobol (Saltelli sampling), base sample N = {meta['samples']}, N x ({per}) = {meta['points']} points"
    return (
        f"Morris, {meta['samples']} trajectories x ({d} + 1) = {meta['points']} points "
        f"on a grid of {meta['levels']} levels"
    )


def format_indices(indices: pd.DataFrame, meta: Mapping[str, Any]) -> str:
    """The table printed after an analysis, under two lines saying what it is."""
    cells = indices_cells(indices, meta)
    lines = [
        f"Sensitivity of: {meta['output']}",
        f"Method: {_design(meta)}; {meta['runs']:,} runs; seed {meta['seed']}",
        "",
    ]
    lines += _text_rows(
        list(cells.columns), cells.to_numpy().tolist(), [False, False, *([True] * (cells.shape[1] - 2))]
    )
    return "\n".join(lines)


def report_markdown(indices: pd.DataFrame, second_order: pd.DataFrame | None, meta: Mapping[str, Any]) -> str:
    """The text of ``sensitivity.md``."""
    cells = indices_cells(indices, meta)
    facts = [
        f"**Output analysed:** {meta['output']}",
        f"**Experiment:** {meta.get('experiment', '')}",
        f"**Market:** {meta.get('market', '')}",
        f"**Method:** {_design(meta)}; {meta['runs']:,} simulation runs",
        f"**Confidence intervals:** {float(meta['confidence']):.0%}, {meta['resamples']} bootstrap "
        f"resamples; seed {meta['seed']}",
    ]
    if meta.get("elapsed_seconds") is not None:
        facts.append(f"**Run time:** {float(meta['elapsed_seconds']):,.1f} s")
    parts = [
        "# Sensitivity analysis",
        "",
        "  \n".join(facts),
        "",
        "## Indices",
        "",
        f"*How to read:* {_how_to_read(meta)} `indices.csv` holds these numbers at "
        "full precision, `samples.parquet` the parameter values and output of every point.",
        "",
        markdown_table(cells, right=[False, False, *([True] * (cells.shape[1] - 2))]),
        "",
    ]
    if second_order is not None and len(second_order):
        pairs = pd.DataFrame(
            {
                "parameters": second_order["parameter_1"] + " x " + second_order["parameter_2"],
                "S2": [_share(v, c) for v, c in zip(second_order["S2"], second_order["S2_conf"])],
            }
        )
        parts += [
            "## Second-order indices",
            "",
            "S2: the share of the variance due to the interaction of the pair alone (`second_order.csv`).",
            "",
            markdown_table(pairs, right=[False, True]),
            "",
        ]
    caption = (
        f"{meta['method'].capitalize()} indices per parameter with their {float(meta['confidence']):.0%} intervals"
    )
    parts += ["## Figure", "", f"![{caption}](figures/{FIGURE})", "", f"*{caption}.*", ""]
    return "\n".join(parts)
