"""The results catalogue of a sweep and its report (experiments/sweeps/catalogue.py,
sweep_plots.py, sweep_report.py).

Every test builds a synthetic sweep folder as Hydra and the app would leave
it (``.hydra/overrides.yaml``, ``.hydra/hydra.yaml``, ``status.json``,
``runs.parquet``) with known numbers, and checks the catalogue against a
direct computation from the Parquet files.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from scipy import stats

from experiments.sweeps.catalogue import (
    BadInput,
    constant_overrides,
    heatmap_grid,
    open_catalogue,
    parameter_values,
    parse_override,
    sweep_lines,
    sweep_parameters,
    sweep_table,
    swept_parameters,
)
from experiments.sweeps.plots import plot_heatmap, plot_sweep_lines
from experiments.sweeps.report import main
from experiments.running.kpis import KPIS
from experiments.reports.report import format_difference

PNG = b"\x89PNG\r\n\x1a\n"
SCENARIOS = ("baseline", "price_war", "club")
FIRMS = ("Focal", "Rival")
REPLICATIONS = 4
#: how each scenario shifts the focal firm's KPIs (per unit of the job's level)
EFFECTS = {"baseline": 0.0, "price_war": -0.3, "club": 0.2}


def synthetic_runs(
    seed: int, level: float, scenarios=SCENARIOS, firms=FIRMS, replications: int = REPLICATIONS
) -> pd.DataFrame:
    """One row per scenario x replication x firm with every KPI of KPIS (and
    ``customers``): a level, a scenario effect on the focal firm, and noise."""
    rng = np.random.default_rng(seed)
    luck = rng.normal(size=(replications, len(KPIS)))  # shared by a replication's scenarios
    scale = np.array([0.04 if k.kind == "pct" else 1.0 for k in KPIS.values()])  # shares stay below 1
    rows = []
    for scenario in scenarios:
        for r in range(replications):
            for firm in firms:
                effect = EFFECTS.get(scenario, 0.1) if firm == firms[0] else 0.0
                noise = rng.normal(scale=0.05, size=len(KPIS))
                values = level * scale * (1 + effect + 0.2 * luck[r] + noise)
                row = {"scenario": scenario, "replication": r, "seed": 100 + r, "firm": firm}
                row.update(dict(zip(KPIS, values)))
                row["customers"] = int(1000 * level) + r
                rows.append(row)
    return pd.DataFrame(rows)


def make_job(
    sweep: Path,
    folder: str,
    overrides: list[str],
    number: int | None = None,
    *,
    runs: pd.DataFrame | None = None,
    failed: str | None = None,
    experiment: dict | None = None,
) -> Path:
    """A job folder as Hydra and loyalty-sim leave it."""
    job = sweep / folder
    (job / ".hydra").mkdir(parents=True)
    (job / ".hydra" / "overrides.yaml").write_text(yaml.safe_dump(overrides))
    if number is not None:
        (job / ".hydra" / "hydra.yaml").write_text(yaml.safe_dump({"hydra": {"job": {"num": number}}}))
    if experiment is not None:
        (job / ".hydra" / "config.yaml").write_text(yaml.safe_dump({"experiment": experiment}))
    if runs is not None:
        runs.to_parquet(job / "runs.parquet", index=False)
    if failed is not None:
        status = {"status": "failed", "error": failed, "config_hash": "abc", "elapsed_seconds": 0.5}
        (job / "error.txt").write_text(f"Traceback (most recent call last):\n{failed}\n")
    else:
        status = {"status": "finished", "config_hash": "abc", "elapsed_seconds": 12.3}
    (job / "status.json").write_text(json.dumps(status))
    return job


N_CUSTOMERS = (1600, 400, 800)  # the order given on the command line (job numbers 0, 1, 2)


def one_parameter_sweep(root: Path) -> Path:
    """``-m market.n_customers=1600,400,800 experiment.replications=4``, plus a
    failed job (3200) that left a stale runs.parquet from an earlier run."""
    sweep = root / "one"
    for number, n in enumerate(N_CUSTOMERS):
        make_job(
            sweep,
            f"experiment.replications=4,market.n_customers={n}",
            ["experiment.replications=4", f"market.n_customers={n}"],
            number,
            runs=synthetic_runs(number, n / 100),
        )
    make_job(
        sweep,
        "experiment.replications=4,market.n_customers=3200",
        ["experiment.replications=4", "market.n_customers=3200"],
        3,
        runs=synthetic_runs(99, 1e6),
        failed="MemoryError: too many customers",
    )
    return sweep


PRICES = (0.9, 1.1)
MARKETS = ("retail", "subscription", "home_furnishing")


def two_parameter_sweep(root: Path) -> Path:
    """``-m market.firms.0.price=0.9,1.1 market=retail,subscription,home_furnishing``
    with the experiment's own baseline name and focal firm (in .hydra/config.yaml)."""
    sweep = root / "two"
    scenarios = ("status_quo", "price_war", "club")
    number = 0
    for price in PRICES:
        for market in MARKETS:
            make_job(
                sweep,
                str(number),
                [f"market.firms.0.price={price}", f"market={market}", "seed=7"],
                number,
                runs=synthetic_runs(
                    10 + number, 10 * price * (1 + MARKETS.index(market)), scenarios=scenarios, firms=("Mine", "Rival")
                ),
                experiment={"baseline": "status_quo", "focal_firm": "Mine"},
            )
            number += 1
    return sweep


@pytest.fixture(scope="module")
def one(tmp_path_factory) -> Path:
    return one_parameter_sweep(tmp_path_factory.mktemp("sweeps"))


@pytest.fixture(scope="module")
def two(tmp_path_factory) -> Path:
    return two_parameter_sweep(tmp_path_factory.mktemp("sweeps"))


def files_under(folder: Path) -> dict[str, float]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*")}


# --------------------------------------------------------------------- jobs and parameters


def test_overrides_are_parsed_numbers_as_numbers():
    assert parse_override("market.n_customers=800") == ("market.n_customers", 800)
    assert parse_override("+market.firms.0.price=0.95") == ("market.firms.0.price", 0.95)
    assert parse_override("++seed=-3") == ("seed", -3)
    assert parse_override("experiment=price_war") == ("experiment", "price_war")
    assert parse_override("name='1.5'") == ("name", "1.5")
    assert parse_override("rate=1e-3") == ("rate", 0.001)
    assert parse_override("~market.voice") == ("market.voice", None)


def test_swept_parameters_are_the_keys_whose_values_differ():
    jobs = [
        {"experiment.replications": 4, "market.n_customers": 400, "a": "x"},
        {"experiment.replications": 4, "market.n_customers": 800, "a": "x", "b": 1},
        {"experiment.replications": 4, "market.n_customers": 800.0, "a": "y"},
    ]
    assert swept_parameters(jobs) == ["market.n_customers", "a", "b"]  # b is missing from two jobs
    assert swept_parameters(jobs[:1]) == []
    assert swept_parameters([{"k": 1}, {"k": 1.0}]) == []  # the same number


def test_the_catalogue_holds_every_job_and_the_finished_jobs_runs(one):
    con = open_catalogue(one)
    jobs = con.execute('SELECT job, number, status, error, "market.n_customers" FROM jobs ORDER BY number').df()
    assert jobs["number"].tolist() == [0, 1, 2, 3]
    assert jobs["status"].tolist() == ["finished"] * 3 + ["failed"]
    assert jobs["error"].iloc[3] == "MemoryError: too many customers"
    assert jobs["market.n_customers"].tolist() == [*N_CUSTOMERS, 3200]
    types = {row[0]: row[1] for row in con.execute("DESCRIBE jobs").fetchall()}
    assert types["market.n_customers"] == "BIGINT" and types["error"] == "VARCHAR"
    assert sweep_parameters(con) == ["market.n_customers"]  # replications is constant
    assert constant_overrides(con) == {"experiment.replications": "4"}
    params = con.execute("SELECT count(*) FROM params").fetchone()[0]
    assert params == 8
    # the runs of the finished jobs only (the failed job's stale runs.parquet is left out)
    counts = dict(con.execute("SELECT job, count(*) FROM runs GROUP BY job").fetchall())
    expected = len(SCENARIOS) * REPLICATIONS * len(FIRMS)
    assert counts == {f"experiment.replications=4,market.n_customers={n}": expected for n in N_CUSTOMERS}
    con.close()


def test_open_catalogue_refuses_a_missing_folder_or_one_without_finished_jobs(tmp_path):
    with pytest.raises(BadInput, match="no such folder"):
        open_catalogue(tmp_path / "nowhere")
    make_job(tmp_path, "0", ["a=1"], 0, failed="ValueError: bad")
    with pytest.raises(BadInput, match="no finished job"):
        open_catalogue(tmp_path)


# --------------------------------------------------------------------- the sweep table


def direct_comparison(job: Path, baseline: str, firm: str, kpi: str, confidence: float) -> dict:
    """Each scenario's numbers straight from the job's runs.parquet with numpy and scipy."""
    runs = pd.read_parquet(job / "runs.parquet")
    runs = runs[runs["firm"] == firm]
    base = runs[runs["scenario"] == baseline].set_index("replication")[kpi]
    out = {}
    for scenario, rows in runs.groupby("scenario"):
        values = rows.set_index("replication")[kpi]
        d = (values - base.loc[values.index]).to_numpy()
        t = stats.t.ppf(0.5 + confidence / 2, len(d) - 1)
        half = t * d.std(ddof=1) / np.sqrt(len(d))
        mean_half = t * values.std(ddof=1) / np.sqrt(len(values))
        out[scenario] = {
            "n": len(d),
            "mean": values.mean(),
            "baseline_mean": base.mean(),
            "diff": d.mean(),
            "ci_low": d.mean() - half,
            "ci_high": d.mean() + half,
            "mean_ci_low": values.mean() - mean_half,
            "mean_ci_high": values.mean() + mean_half,
        }
    return out


@pytest.mark.parametrize("firm, confidence", [(None, 0.95), ("Rival", 0.9)])
def test_the_sweep_table_equals_a_direct_computation(one, firm, confidence):
    con = open_catalogue(one)
    table = sweep_table(con, list(KPIS), firm, confidence)
    con.close()
    assert list(table.columns[:2]) == ["job", "market.n_customers"]
    assert len(table) == len(N_CUSTOMERS) * len(SCENARIOS) * len(KPIS)
    # jobs by their parameter's value, then the baseline and the scenarios, then the KPIs
    assert list(pd.unique(table["market.n_customers"])) == sorted(N_CUSTOMERS)
    assert list(pd.unique(table["scenario"])) == list(SCENARIOS)
    assert table["kpi"].iloc[: len(KPIS)].tolist() == list(KPIS)
    checked = 0
    for n in N_CUSTOMERS:
        job = f"experiment.replications=4,market.n_customers={n}"
        for kpi in ("npv", "churn_rate", "clv"):
            direct = direct_comparison(one / job, "baseline", firm or "Focal", kpi, confidence)
            for scenario, expected in direct.items():
                row = table[(table["job"] == job) & (table["scenario"] == scenario) & (table["kpi"] == kpi)]
                assert len(row) == 1
                row = row.iloc[0]
                assert row["market.n_customers"] == n and row["firm"] == (firm or "Focal")
                for column, value in expected.items():
                    assert row[column] == pytest.approx(value, rel=1e-9, abs=1e-9), (job, scenario, kpi, column)
                checked += 1
    assert checked == len(N_CUSTOMERS) * 3 * len(SCENARIOS)
    # the effect the synthetic data put in is found, and the baseline differs by 0 from itself
    focal = table[(table["kpi"] == "npv") & (table["scenario"] == "price_war")]
    if firm is None:
        assert (focal["ci_high"] < 0).all()
    assert (table.loc[table["scenario"] == "baseline", "diff"] == 0).all()


def test_the_baseline_and_focal_firm_come_from_each_jobs_config(two):
    con = open_catalogue(two)
    table = sweep_table(con, ["npv"])
    con.close()
    assert set(table["baseline"]) == {"status_quo"} and set(table["firm"]) == {"Mine"}
    direct = direct_comparison(two / "4", "status_quo", "Mine", "npv", 0.95)
    row = table[(table["job"] == "4") & (table["scenario"] == "club")].iloc[0]
    assert row["diff"] == pytest.approx(direct["club"]["diff"], rel=1e-12)
    assert row["ci_low"] == pytest.approx(direct["club"]["ci_low"], rel=1e-12)


# --------------------------------------------------------------------- numbers of the figures


def test_parameter_values_numeric_ascending_categories_in_the_order_given(one, two):
    con = open_catalogue(two)
    table = sweep_table(con, ["npv"])
    con.close()
    assert parameter_values(table, "market.firms.0.price") == list(PRICES)
    assert parameter_values(table, "market") == list(MARKETS)  # not alphabetical
    lines = sweep_lines(
        pd.DataFrame(
            {
                "p": [1600, 400, 800] * 2,
                "scenario": ["b"] * 3 + ["x"] * 3,
                "baseline": "b",
                "firm": "F",
                "kpi": "npv",
                "n": 4,
                "mean": [3.0, 1.0, 2.0, 6.0, 4.0, 5.0],
                "mean_ci_low": 0.0,
                "mean_ci_high": 9.0,
            }
        ),
        "p",
        "npv",
    )
    assert lines["p"].tolist() == [400, 800, 1600] * 2
    assert lines["mean"].tolist() == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]


def test_the_line_plot_numbers_are_the_scenarios_means_with_their_bands(one):
    con = open_catalogue(one)
    table = sweep_table(con, ["npv", "revenue"])
    con.close()
    lines = sweep_lines(table, "market.n_customers", "npv")
    assert list(lines.columns) == [
        "market.n_customers",
        "scenario",
        "baseline",
        "firm",
        "n",
        "mean",
        "ci_low",
        "ci_high",
    ]
    assert lines["market.n_customers"].tolist() == [400, 800, 1600] * 3
    expected = table[table["kpi"] == "npv"].set_index(["scenario", "market.n_customers"])
    for _, row in lines.iterrows():
        source = expected.loc[(row["scenario"], row["market.n_customers"])]
        assert (row["mean"], row["ci_low"], row["ci_high"]) == (
            source["mean"],
            source["mean_ci_low"],
            source["mean_ci_high"],
        )
    only = sweep_lines(table, "market.n_customers", "npv", scenarios=["club"])
    assert list(pd.unique(only["scenario"])) == ["baseline", "club"]


def test_the_heatmap_grid_holds_each_jobs_difference_in_its_cell(two):
    con = open_catalogue(two)
    table = sweep_table(con, ["npv", "churn_rate"])
    con.close()
    grid = heatmap_grid(table, "market.firms.0.price", "market", "npv", "price_war")
    assert grid.index.name == "market.firms.0.price" and grid.columns.name == "market"
    assert grid.index.tolist() == list(PRICES) and grid.columns.tolist() == list(MARKETS)
    for number in range(6):
        price, market = PRICES[number // 3], MARKETS[number % 3]
        expected = direct_comparison(two / str(number), "status_quo", "Mine", "npv", 0.95)["price_war"]["diff"]
        assert grid.loc[price, market] == pytest.approx(expected, rel=1e-12)
    # a cell without a finished job is empty
    partial = heatmap_grid(table[table["job"] != "5"], "market.firms.0.price", "market", "npv", "club")
    assert np.isnan(partial.loc[1.1, "home_furnishing"]) and partial.notna().sum().sum() == 5


def test_plot_functions_draw_on_a_given_axes(two):
    con = open_catalogue(two)
    table = sweep_table(con, ["npv"])
    con.close()
    fig = Figure()
    FigureCanvasAgg(fig)
    left, right = fig.subplots(1, 2)
    assert plot_sweep_lines(sweep_lines(table, "market", "npv"), "market", "npv", ax=left) is fig
    assert [t.get_text() for t in left.get_xticklabels()] == list(MARKETS)  # categorical axis
    assert len(left.get_lines()) == 3
    grid = heatmap_grid(table, "market.firms.0.price", "market", "npv", "club")
    assert plot_heatmap(grid, "npv", "club", ax=right) is fig
    norm = right.images[0].norm  # diverging, centred at 0
    assert norm.vmin == -norm.vmax and norm.vmax == pytest.approx(np.nanmax(np.abs(grid.to_numpy(float))))
    texts = [t.get_text() for t in right.texts]
    assert len(texts) == 6 and all(t.startswith(("+", "-")) for t in texts)


# --------------------------------------------------------------------- the command


def test_a_one_parameter_sweep_writes_the_table_line_plot_and_report(one, tmp_path, capsys):
    out = tmp_path / "report"
    assert main([str(one), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert str(out / "sweep_report.md") in printed
    written = sorted(p.name for p in out.iterdir() if p.suffix != ".svg")  # (save_figure adds an .svg of each figure)
    assert written == ["sweep.csv", "sweep_npv.png", "sweep_report.md"]
    assert (out / "sweep_npv.png").read_bytes()[:8] == PNG
    table = pd.read_csv(out / "sweep.csv")
    assert len(table) == len(N_CUSTOMERS) * len(SCENARIOS) * len(KPIS)
    assert {"market.n_customers", "mean", "baseline_mean", "diff", "ci_low", "ci_high", "n"} <= set(table.columns)
    report = (out / "sweep_report.md").read_text()
    assert str(one.resolve()) in report
    assert "| `market.n_customers` | 400, 800, 1600, 3200 |" in report
    assert "`experiment.replications=4`" in report
    assert "## Failed jobs" in report and "MemoryError: too many customers" in report
    assert "market.n_customers=3200" in report
    assert "![" in report and "(sweep_npv.png)" in report
    club = table[(table["market.n_customers"] == 1600) & (table["scenario"] == "club") & (table["kpi"] == "npv")]
    club_cell = format_difference(*club[["diff", "ci_low", "ci_high"]].iloc[0], "money")
    assert f"| 1600 | club | {club_cell} |" in report and "| 400 | baseline | 4 |" in report


@pytest.mark.slow
def test_a_two_parameter_sweep_writes_a_heatmap_per_compared_scenario(two, tmp_path):
    out = tmp_path / "all"
    assert main([str(two), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.glob("*.png")) == ["heatmap_npv_club.png", "heatmap_npv_price_war.png"]
    chosen = tmp_path / "chosen"
    assert (
        main(
            [
                str(two),
                "--out",
                str(chosen),
                "--scenario",
                "club",
                "--kpi",
                "churn_rate",
                "revenue",
                "--confidence",
                "0.9",
            ]
        )
        == 0
    )
    assert sorted(p.name for p in chosen.glob("*.png")) == ["heatmap_churn_rate_club.png", "heatmap_revenue_club.png"]
    table = pd.read_csv(chosen / "sweep.csv")
    assert set(table["kpi"]) == {"churn_rate", "revenue"}
    again = tmp_path / "again"  # KPIs comma-separated, or before SWEEP_DIR ended by --
    assert main(["--kpi", "churn_rate,revenue", "--scenario", "club", "--out", str(again), "--", str(two)]) == 0
    assert sorted(p.name for p in again.glob("*.png")) == sorted(p.name for p in chosen.glob("*.png"))
    assert "(heatmap_revenue_club.png)" in (chosen / "sweep_report.md").read_text()


def test_more_than_two_parameters_give_the_table_only_and_say_why(tmp_path):
    sweep = tmp_path / "three"
    for number, (a, b, c) in enumerate([(1, "x", 0.1), (2, "y", 0.2), (1, "y", 0.3)]):
        make_job(sweep, str(number), [f"a={a}", f"b={b}", f"c={c}"], number, runs=synthetic_runs(number, 1.0))
    assert main([str(sweep)]) == 0
    assert not list(sweep.glob("*.png"))
    report = (sweep / "sweep_report.md").read_text()
    assert "No figure: the sweep varies 3 parameters" in report
    assert (sweep / "sweep.csv").is_file()


@pytest.mark.parametrize(
    "args, key",
    [
        (["{missing}"], "SWEEP_DIR"),
        (["{empty}"], "SWEEP_DIR"),
        (["{sweep}", "--kpi", "nvp"], "--kpi"),
        (["{sweep}", "--firm", "Nobody"], "--firm"),
        (["{sweep}", "--scenario", "layoffs"], "--scenario"),
        (["{sweep}", "--scenario", "baseline"], "--scenario"),
        (["{sweep}", "--confidence", "1.5"], "--confidence"),
        (["{sweep}", "--confidence", "high"], "--confidence"),
    ],
)
def test_bad_input_gives_one_line_and_exit_2_and_writes_nothing(tmp_path, capsys, args, key):
    sweep = one_parameter_sweep(tmp_path)
    empty = tmp_path / "empty"
    make_job(empty, "0", ["a=1"], 0, failed="ValueError: bad")
    before = files_under(tmp_path)
    argv = [a.format(missing=tmp_path / "nowhere", empty=empty, sweep=sweep) for a in args]
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {key} = "), captured.err
    assert captured.out == ""
    assert files_under(tmp_path) == before


def test_a_usage_error_is_one_line_too(capsys):
    assert main(["--bogus"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
