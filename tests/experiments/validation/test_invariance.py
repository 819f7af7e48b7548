"""The invariance table (experiments/validation/invariance.py, experiments/validation/invariance_report.py):
its verdicts on synthetic rows, the strategies' schedules in weeks, its
command line's bad input, and (slow) the real table across market sizes and
step lengths, whose verdicts must pass (but for those the model does not yet make
step-free, listed in NOT_YET_STEP_FREE)."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from experiments.validation.invariance import (
    HEADLINE_STRATEGIES,
    FAIL,
    MEASURES,
    NPV_DIFFERENCE,
    PASS,
    TABLE_COLUMNS,
    Combination,
    InvarianceConfig,
    combination_rows,
    design_card_scenarios,
    invariance_table,
    verdicts,
)
from experiments.validation.invariance_report import Invariance, render, render_text
from tests.experiments.cli.bad_input.table import run_app

REF = Combination(5000, 52)
OTHERS = (Combination(1000, 52), Combination(20000, 12))


def rows(kpi: str, cells: dict[Combination, tuple[float, float, float]], scenario: str = "baseline") -> list[dict]:
    return [
        {
            "n_customers": c.n_customers,
            "steps_per_year": c.steps_per_year,
            "kpi": kpi,
            "scenario": scenario,
            "n": 8,
            "mean": m,
            "low": lo,
            "high": hi,
        }
        for c, (m, lo, hi) in cells.items()
    ]


def verdict_of(cells: dict[Combination, tuple[float, float, float]], kpi: str = "retention_rate") -> str:
    table = pd.DataFrame(rows(kpi, cells), columns=TABLE_COLUMNS)
    (verdict,) = verdicts(table, REF)["verdict"]
    return verdict


# =========================================================================== verdicts


def test_intervals_apart_by_more_than_the_tolerance_fail():
    tol = MEASURES["retention_rate"].tolerance
    assert (
        verdict_of(
            {
                REF: (0.90, 0.899, 0.901),
                OTHERS[0]: (0.90, 0.899, 0.901),
                OTHERS[1]: (0.90 + 3 * tol, 0.899 + 3 * tol, 0.901 + 3 * tol),
            }
        )
        == FAIL
    )


def test_overlapping_intervals_pass_however_far_apart_the_means():
    tol = MEASURES["retention_rate"].tolerance
    assert (
        verdict_of(
            {REF: (0.90, 0.85, 0.95), OTHERS[0]: (0.90 + 5 * tol, 0.94, 1.0), OTHERS[1]: (0.90 - 5 * tol, 0.80, 0.86)}
        )
        == PASS
    )


@pytest.mark.parametrize("kpi", list(MEASURES))
def test_tiny_intervals_pass_within_the_tolerance_and_fail_beyond_it(kpi):
    tol = MEASURES[kpi].tolerance
    tiny = 1e-9
    near = {
        REF: (1.0, 1.0 - tiny, 1.0 + tiny),
        OTHERS[0]: (1.0 + 0.9 * tol, 1.0 + 0.9 * tol - tiny, 1.0 + 0.9 * tol + tiny),
    }
    far = {REF: near[REF], OTHERS[0]: (1.0 - 1.1 * tol, 1.0 - 1.1 * tol - tiny, 1.0 - 1.1 * tol + tiny)}
    assert verdict_of(near, kpi) == PASS
    assert verdict_of(far, kpi) == FAIL


def test_a_missing_number_or_reference_fails_and_the_worst_combination_is_named():
    nan = float("nan")
    assert verdict_of({REF: (0.5, 0.4, 0.6), OTHERS[0]: (nan, nan, nan)}) == FAIL
    assert verdict_of({OTHERS[0]: (0.5, 0.4, 0.6), OTHERS[1]: (0.5, 0.4, 0.6)}) == FAIL
    table = pd.DataFrame(
        rows("margin_pct", {REF: (0.20, 0.19, 0.21), OTHERS[0]: (0.10, 0.09, 0.11), OTHERS[1]: (0.205, 0.20, 0.21)}),
        columns=TABLE_COLUMNS,
    )
    (v,) = verdicts(table, REF).itertuples()
    assert v.verdict == FAIL and v.worst == OTHERS[0].label and v.worst_difference == pytest.approx(-0.10)


def test_each_scenario_of_the_npv_difference_has_its_own_verdict():
    same = {c: (-3.0, -3.5, -2.5) for c in (REF, *OTHERS)}
    apart = {REF: (4.0, 3.5, 4.5), OTHERS[0]: (-2.0, -3.0, -1.0), OTHERS[1]: (4.2, 4.0, 4.4)}
    table = pd.DataFrame(
        rows(NPV_DIFFERENCE, same, "price_war") + rows(NPV_DIFFERENCE, apart, "service"), columns=TABLE_COLUMNS
    )
    v = verdicts(table, REF).set_index("scenario")["verdict"]
    assert v.to_dict() == {"price_war": PASS, "service": FAIL}


# =========================================================================== the runs' pieces


def test_the_strategies_take_weeks_so_the_design_card_scenarios_are_kept_as_they_are():
    from experiments.running.config import ExperimentConfig
    import dataclasses

    default = [dataclasses.asdict(s) for s in ExperimentConfig().scenarios]
    kept = design_card_scenarios(default)
    assert [s["name"] for s in kept] == [
        "baseline",
        "price_war",
        "club_marketing",
        "differentiated_service",
        "staff_loyalty",
    ]
    assert kept == [s for s in default if s["name"] in ("baseline", *HEADLINE_STRATEGIES)]  # unconverted


def test_a_schedule_in_weeks_maps_to_steps_exactly_weekly_and_by_the_week_monthly():
    from sim.units import end_step, first_step, period_begins

    assert [first_step(w, 1.0) for w in (1, 9, 27)] == [1, 9, 27]  # weekly: week = step
    assert end_step(1, 12, 1.0) == 13 and end_step(9, 12, 1.0) == 21 and end_step(1, 0, 1.0) is None
    month = 52 / 12
    assert [first_step(w, month) for w in (1, 5, 14, 27)] == [1, 1, 4, 7]  # the step holding the week's start
    assert end_step(1, 12, month) == 4  # 12 weeks: 3 months
    assert end_step(1, 52, month) == 13 and end_step(1, 104, month) == 25  # a year: 12 months
    assert [k for k in range(30) if period_begins(k, 13, 1.0)] == [0, 13, 26]
    assert [k for k in range(10) if period_begins(k, 13, month)] == [0, 3, 6, 9]  # quarterly
    assert all(period_begins(k, 4, month) for k in range(10))  # a period shorter than a step


def test_combination_rows_are_baseline_levels_and_paired_npv_differences_per_customer():
    rng = np.random.default_rng(1)
    records = []
    for r in range(6):
        luck = rng.normal(scale=1000.0)
        for scenario, effect in (("baseline", 0.0), ("price_war", -500.0)):
            for firm in ("Focal", "Rival"):
                records.append(
                    {
                        "scenario": scenario,
                        "replication": r,
                        "firm": firm,
                        "npv": 10_000.0 + luck + effect + r,
                        **{k: 0.5 + 0.01 * r for k in MEASURES},
                    }
                )
    combo = Combination(1000, 52)
    table = pd.DataFrame(combination_rows(pd.DataFrame(records), combo, "Focal", "baseline"), columns=TABLE_COLUMNS)
    levels = table[table["kpi"] != NPV_DIFFERENCE]
    assert list(levels["kpi"]) == [k for k in MEASURES if k != NPV_DIFFERENCE]
    assert (levels["scenario"] == "baseline").all() and levels["mean"].tolist() == pytest.approx([0.525] * 5)
    (diff,) = table[table["kpi"] == NPV_DIFFERENCE].itertuples()
    assert diff.scenario == "price_war" and diff.n == 6
    assert diff.mean == pytest.approx(-0.5) and diff.low == pytest.approx(-0.5) and diff.high == pytest.approx(-0.5)


def test_the_rendered_table_has_the_reference_first_and_the_verdict_last():
    settings = InvarianceConfig(sizes=[1000, 5000], steps_per_year=[52], replications=3)
    table = pd.DataFrame(
        rows("margin_pct", {Combination(1000, 52): (0.1, 0.05, 0.15), REF: (0.12, 0.1, 0.14)})
        + rows(NPV_DIFFERENCE, {Combination(1000, 52): (-2.0, -3.0, -1.0), REF: (4.0, 3.0, 5.0)}, "price_war"),
        columns=TABLE_COLUMNS,
    )
    text = render(Invariance(settings, table, verdicts(table, REF), 12.3))
    lines = text.splitlines()
    header = next(line for line in lines if line.startswith("| KPI |"))
    assert header == "| KPI | 5,000 weekly (reference) | 1,000 weekly | verdict |"
    body = lines[lines.index(header) + 2 : lines.index(header) + 4]
    assert body == [
        "| margin | 12.00% [10.00, 14.00] | 10.00% [5.00, 15.00] | PASS |",
        "| NPV difference from baseline per customer: price_war | 4.00 [3.00, 5.00] | -2.00 [-3.00, -1.00] | FAIL |",
    ]
    assert (
        "- Command: `loyalty-sim-validate table=invariance 'invariance.sizes=[1000,5000]' "
        "'invariance.steps_per_year=[52]' invariance.replications=3 invariance.horizon_years=2 "
        "invariance.burn_in_years=3 invariance.seed=0`" in text
    )
    assert "Run time: 12 s" in text
    assert all(m.reason in text for m in MEASURES.values())
    assert render_text(Invariance(settings, table, verdicts(table, REF), 1.0)).endswith(
        "1 of 2 KPIs agree across the combinations"
    )


# =========================================================================== command line


INVARIANCE = "table=invariance"


@pytest.mark.parametrize(
    "args, key",
    [
        (["invariance.sizes=[0]"], "invariance.sizes"),
        (["invariance.sizes=[abc]"], "invariance.sizes[0]"),
        (["invariance.sizes=[]"], "invariance.sizes"),
        (["invariance.sizes=1000"], "invariance.sizes"),
        (["invariance.steps_per_year=[0]"], "invariance.steps_per_year"),
        (["invariance.steps_per_year=[52,52]"], "invariance.steps_per_year"),
        (["invariance.horizon_years=0"], "invariance.horizon_years"),
        (["invariance.horizon_years=0.01", "invariance.steps_per_year=[12]"], "invariance.horizon_years"),
        (["invariance.replications=1"], "invariance.replications"),
        (["n_customers=500"], "n_customers"),
        (["only=[price_war.profit]"], "only"),
        (["replications=8"], "replications"),
        (["invariance.bogus=1"], "invariance.bogus"),
    ],
)
def test_bad_input_stops_with_one_line_naming_the_key_and_writes_nothing(args, key, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, _, err = run_app("loyalty-sim-validate", [INVARIANCE, *args, f"invariance.output={tmp_path / 't.md'}"])
    assert status == 2
    assert err.startswith(f"error: {key} = ") and err.count("\n") == 1, err
    assert not list(tmp_path.iterdir())


def test_a_key_of_the_validation_report_names_the_invariance_tables_own(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _, _, err = run_app("loyalty-sim-validate", [INVARIANCE, "workers=2"])
    assert err == (
        "error: workers = 2: a setting of the validation report (table=claims); "
        "the invariance table's is invariance.workers\n"
    )


def test_an_output_folder_that_does_not_exist_is_bad_input(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, _, err = run_app("loyalty-sim-validate", [INVARIANCE, f"invariance.output={tmp_path / 'no' / 't.md'}"])
    assert status == 2 and err.startswith("error: invariance.output = ")


def test_the_command_writes_the_table_with_the_settings_given_and_nothing_else(tmp_path, monkeypatch):
    """table=invariance measures with the invariance.* settings and writes
    only the table (measuring is stubbed: this is about the command)."""
    from experiments.validation import invariance_report

    measured = []

    def measure(settings: InvarianceConfig) -> Invariance:
        measured.append(settings)
        table = pd.DataFrame(rows("margin_pct", {REF: (0.12, 0.1, 0.14)}), columns=TABLE_COLUMNS)
        return Invariance(settings, table, verdicts(table, REF), 1.0)

    monkeypatch.setattr(invariance_report, "run_invariance", measure)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "docs").mkdir()  # the table's default path: docs/invariance.md
    status, stdout, err = run_app(
        "loyalty-sim-validate",
        [INVARIANCE, "invariance.sizes=[5000]", "invariance.steps_per_year=[52]", "invariance.replications=3"],
    )
    assert status == 0, err
    ((settings,),) = [measured]
    assert settings.sizes == [5000] and settings.steps_per_year == [52] and settings.replications == 3
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == ["docs", "docs/invariance.md"]
    assert (tmp_path / "docs" / "invariance.md").read_text().startswith("# Invariance to market size and step length")
    assert "1 of 1 KPIs agree across the combinations\nreport: docs/invariance.md" in stdout


# =========================================================================== the real table


#: replications of the real tables: 6 give intervals of a few percent at
#: 1,000 customers; most of the time goes to the 20,000-customer market
SLOW_REPLICATIONS = 6
#: what the weekly and the monthly market still disagree on (docs/invariance.md):
#: nothing. While a step held one purchase a customer, of all its visits at one
#: firm, the price war lost more per customer monthly (-18.6 against -10.9 at
#: 5,000 customers: a month of discount gave a customer three chances to
#: switch where weekly steps gave five or six) and the club's difference sat 2
#: above the weekly one (a variety-seeking occasion took all of a month's
#: visits to the firm tried). A choice per visit made on the state the step
#: began with narrowed the price war's gap to 3.7 but moved the baseline 9% off
#: weekly; with habit built between the choices the club agreed but the price
#: war did not (-17.2 against -11.2), as weekly steps also move affect,
#: expectation, the reference price, word of mouth and defections between
#: visits. Visits made in rounds of about a week, each its own choice,
#: experience, feelings, word of mouth and defections (sim.phases.VISIT_ROUND),
#: close both gaps: the price war -12.06 monthly against -10.89 weekly at 5,000
#: customers (-11.30 against -11.82 at 20,000), the club -44.99 against -44.60.
NOT_YET_STEP_FREE: set[tuple[str, str]] = set()


def _judged(settings: InvarianceConfig) -> tuple[pd.DataFrame, str]:
    started = time.perf_counter()
    table = invariance_table(settings)
    judged = verdicts(table, settings.reference)
    return judged, render_text(Invariance(settings, table, judged, time.perf_counter() - started))


@pytest.mark.slow
def test_per_customer_results_do_not_depend_on_market_size():
    """1,000, 5,000 and 20,000 customers, weekly: every KPI of the baseline
    and every strategy's paired NPV difference per customer agree."""
    judged, text = _judged(
        InvarianceConfig(sizes=[1000, 5000, 20000], steps_per_year=[52], replications=SLOW_REPLICATIONS, workers=2)
    )
    assert len(judged) == len(MEASURES) - 1 + len(HEADLINE_STRATEGIES)
    assert (judged["verdict"] == PASS).all(), text


@pytest.mark.slow
def test_per_customer_results_do_not_depend_on_the_step_length():
    """5,000 customers, weekly against monthly: every KPI agrees (but any
    of :data:`NOT_YET_STEP_FREE`)."""
    judged, text = _judged(
        InvarianceConfig(sizes=[5000], steps_per_year=[52, 12], replications=SLOW_REPLICATIONS, workers=2)
    )
    tested = judged[[(k, s) not in NOT_YET_STEP_FREE for k, s in zip(judged["kpi"], judged["scenario"])]]
    assert len(tested) == len(judged) - len(NOT_YET_STEP_FREE) > 0
    assert (tested["verdict"] == PASS).all(), text
