"""Calibration to observed data.

The calibration must recover parameters from data the model itself made,
never look at the holdout, measure the simulated cohort the way the data
were measured, and write a calibrated market that every command accepts.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from experiments.cli.entry import compose_app
from experiments.analysis.calibration.cli import CONFIG_NAME, calibrate
from experiments.analysis.calibration.cohort import simulate_purchases, simulate_survival
from experiments.analysis.calibration.config import (
    CalibrationConfig,
    LossWeights,
    ParameterRange,
    SurvivalData,
    TransactionData,
)
from experiments.analysis.calibration.fit import fit, transaction_objective, with_values
from experiments.analysis.calibration.measures import (
    calibration_summary,
    cohort_measures,
    entry_weights,
    repeat_curve,
    transaction_loss,
)
from experiments.analysis.calibration.observed import CohortLog, read_survival, read_transactions
from sim.config import ConfigError, market_config
from sim.config_loading import load_market_yaml

ROOT = Path(__file__).resolve().parents[3]


def _log(rows: list[tuple[str, int, float]]) -> CohortLog:
    return CohortLog(pd.DataFrame(rows, columns=["customer_id", "period", "amount"]))


@pytest.fixture(scope="module")
def retail():
    return market_config(load_market_yaml("retail"))


# ----------------------------------------------------------------------------- the data
def test_cdnow_sample_reads_as_2357_new_customers_over_78_weeks():
    log = read_transactions(TransactionData(start="1997-01-01"))
    # the preset starts period 1 on the day of the first purchase: the same day, 1 January 1997
    pd.testing.assert_frame_equal(log.purchases, read_transactions(TransactionData(start="")).purchases)
    entry = log.entry
    assert entry.size == 2357
    assert entry.min() == 1 and entry.max() == 12  # first purchases in the first 12 weeks
    assert log.purchases["period"].max() == 78
    curve = repeat_curve(log, 78)
    assert curve[38] == 2231 and curve[-1] - curve[38] == 1787  # repeat purchase-weeks, calibration / holdout


def test_calibration_summary_matches_the_published_cdnow_summary():
    from experiments.analysis.standard_models import cdnow_summary

    ours = calibration_summary(read_transactions(TransactionData(start="1997-01-01")), 39)
    published = cdnow_summary()
    # the published summary counts purchase days, ours purchase weeks: a second
    # purchase in the same week is not a repeat here (94% of customers agree)
    weeks, days = ours["frequency"].to_numpy(), published["frequency"].to_numpy()
    assert np.all(weeks <= days) and (weeks == days).mean() > 0.93
    # the published summary is in days / 7; ours in whole weeks
    assert np.abs(ours["T"].to_numpy() - published["T"].to_numpy()).max() < 1.0


# ----------------------------------------------------------------------------- measures
def test_repeat_curve_counts_purchases_after_each_customers_first():
    log = _log([("a", 1, 10.0), ("a", 3, 10.0), ("a", 4, 5.0), ("b", 2, 7.0), ("b", 4, 7.0)])
    assert repeat_curve(log, 5).tolist() == [0, 0, 1, 3, 3]
    weights = pd.Series({"a": 2.0, "b": 0.5})
    assert repeat_curve(log, 5, weights).tolist() == [0, 0, 2, 4.5, 4.5]


def test_entry_weights_make_the_simulated_cohort_enter_as_the_observed_one():
    observed = pd.Series([1] * 10 + [2] * 5 + [4] * 3)
    simulated = pd.Series([1, 1, 3, 4, 4, 4], index=list("uvwxyz"))
    w = entry_weights(observed, simulated)
    assert w.sum() == pytest.approx(18)  # as many as observed customers
    assert w["x"] == pytest.approx(1.0)  # 3 observed for 3 simulated in period 4
    # period 2 has no simulated entrant: its 5 customers are borrowed from the nearest period (1)
    assert w["u"] + w["v"] + w["w"] == pytest.approx(15)


def test_the_loss_is_zero_for_the_data_itself_and_grows_with_the_gap():
    log = read_transactions(TransactionData(start="1997-01-01")).upto(39)
    m = cohort_measures(log, 39, 7)
    loss, parts = transaction_loss(m, m, LossWeights())
    assert loss == 0 and set(parts) == {"curve", "frequency", "recency", "spend"}
    thinned = CohortLog(log.purchases.iloc[::2])
    assert transaction_loss(m, cohort_measures(thinned, 39, 7), LossWeights())[0] > 0.01


# ----------------------------------------------------------------------------- the simulated cohort
def test_the_simulated_cohort_holds_only_customers_new_to_the_firm(retail):
    market = with_values(retail, {}, n_customers=3000, burn_in=30)
    log = simulate_purchases(market, "Focal", 3, 10, 4)
    assert 1 <= log.entry.min() and log.entry.max() <= 4
    assert log.purchases.groupby(["customer_id", "period"]).size().max() == 1


def test_survival_of_a_cohort_never_rises(retail):
    sub = market_config(load_market_yaml("subscription"), n_customers=3000, burn_in=24)
    share = simulate_survival(sub, "Focal", 1, 4, 6)
    assert share[0] == 1.0 and np.all(np.diff(share) <= 0) and share[-1] > 0


# ----------------------------------------------------------------------------- the fit
@pytest.mark.slow
def test_calibration_recovers_the_parameters_of_data_the_model_made(retail):
    """Tolerances: the visit rate within 15%, the exit rate within 60%: it
    shows only through the lapse of repeat buyers in 26 periods, and the
    fitted value moves with the search's path. 60 trials: the loss at the
    truth is below that of the points 30 trials stopped at (0.0025 against
    0.005-0.012), and on sampler seeds 0-3 the fit gave visit rates of
    7.7-8.1 and exit rates of 1.16-1.80 (30 trials: 7.7-9.5 and 0.26-1.92,
    so a change of the model's random draws could move it out)."""
    truth = {"customers.visits_per_year_mean": 7.8, "customers.exit_per_year_mean": 1.56}
    made = simulate_purchases(with_values(retail, truth, n_customers=30000, burn_in=20), "Focal", 999, 26, 8)
    observed = CohortLog(made.purchases.assign(customer_id=made.purchases["customer_id"].astype(str)))
    cal = CalibrationConfig(
        trials=60,
        n_customers=20000,
        burn_in=20,
        replications=1,
        calibration_periods=26,
        parameters=[
            ParameterRange("customers.visits_per_year_mean", 1.56, 31.2, True),
            ParameterRange("customers.exit_per_year_mean", 0.156, 15.6, True),
        ],
    )
    result = fit(retail, cal, transaction_objective(retail, cal, observed), progress=False)
    assert result.values["customers.visits_per_year_mean"] == pytest.approx(7.8, rel=0.15)
    assert result.values["customers.exit_per_year_mean"] == pytest.approx(1.56, rel=0.60)
    assert result.loss < result.start_loss / 10  # the base market (23.4, 0.078) fits far worse


def _recording(losses: dict[float, float] | None = None, invalid_above: float | None = None):
    """An objective that needs no simulation: it records the values it is given and scores
    the distance of the first value from 4 (refusing, as the market does, values above ``invalid_above``)."""
    seen: list[dict] = []

    def objective(values: dict) -> tuple[float, dict]:
        seen.append(dict(values))
        x = next(iter(values.values()))
        if invalid_above is not None and x > invalid_above:
            raise ConfigError(f"market.x = {x}: must be at most {invalid_above}")
        return abs(x - 4.0), {"curve": abs(x - 4.0)}

    return objective, seen


def test_a_whole_number_key_is_fitted_over_whole_numbers_and_reported_as_the_market_holds_it(retail):
    cal = CalibrationConfig(trials=8, parameters=[{"key": "loyalty.repeat_purchases", "lo": 2.5, "hi": 7.5}])
    objective, seen = _recording()
    result = fit(retail, cal, objective, progress=False)
    tried = [v["loyalty.repeat_purchases"] for v in seen]
    assert all(isinstance(v, int) and 3 <= v <= 7 for v in tried), tried
    assert tried[0] == 3  # the base market's 2, brought inside the range's whole numbers
    fitted = result.values["loyalty.repeat_purchases"]
    assert isinstance(fitted, int) and fitted == min(tried, key=lambda v: abs(v - 4))
    assert with_values(retail, result.values).loyalty.repeat_purchases == fitted


def test_a_fitted_parameter_without_log_is_searched_on_a_linear_scale(retail):
    """``log`` may be left out of an entry: the schema's default (false) is used, in the fit and its report."""
    from experiments.analysis.calibration.report import fit_table

    cal = CalibrationConfig(trials=4, parameters=[{"key": "customers.exit_per_year_mean", "lo": 0.01, "hi": 0.1}])
    objective, seen = _recording()
    result = fit(retail, cal, objective, progress=False)
    assert len(seen) == 4 and all(0.01 <= v["customers.exit_per_year_mean"] <= 0.1 for v in seen)
    assert fit_table(retail, cal, result)["log_scale"].tolist() == [False]


def test_a_trial_that_makes_an_invalid_market_is_pruned_quietly_and_kept_without_a_loss(retail, capsys):
    cal = CalibrationConfig(trials=12, parameters=[ParameterRange("customers.exit_per_year_mean", 0.001, 0.1, False)])
    objective, seen = _recording(invalid_above=0.05)
    result = fit(retail, cal, objective, progress=False)
    invalid = result.trials["customers.exit_per_year_mean"] > 0.05
    assert 0 < invalid.sum() < len(seen) == len(result.trials) == 12
    assert result.trials.loc[invalid, "loss"].isna().all() and result.trials.loc[~invalid, "loss"].notna().all()
    assert result.values["customers.exit_per_year_mean"] <= 0.05
    assert capsys.readouterr().err == ""


def test_a_fit_in_which_every_trial_makes_an_invalid_market_stops_with_one_error(retail):
    cal = CalibrationConfig(trials=3, parameters=[ParameterRange("customers.exit_per_year_mean", 0.06, 0.1, False)])
    objective, _ = _recording(invalid_above=0.05)
    with pytest.raises(
        ConfigError,
        match=r"^calibration.parameters = \['customers.exit_per_year_mean'\]: every one "
        r"of the 3 trials made an invalid market",
    ):
        fit(retail, cal, objective, progress=False)


@pytest.mark.slow
def test_the_presets_ranges_keep_their_market_valid_at_both_ends():
    """The up-front check of the ranges (at lo, at hi, alone and together) accepts every shipped calibration."""
    from experiments.analysis.calibration.config import validate_calibration

    for preset in (ROOT / "conf" / "calibration").glob("*.yaml"):
        extra = ["calibration.transactions.path=x.csv"] if preset.stem == "own_log" else []
        validate_calibration(compose_app([f"calibration={preset.stem}", *extra], CONFIG_NAME))


@pytest.mark.slow
def test_the_fit_never_sees_the_holdout(retail):
    """Changing every purchase after the calibration period leaves the fit unchanged."""
    data = read_transactions(TransactionData(start="1997-01-01"))
    cut = CohortLog(data.purchases[data.purchases["period"] <= 39])
    cal = CalibrationConfig(trials=3, n_customers=2000, burn_in=10, replications=1)
    a = fit(retail, cal, transaction_objective(retail, cal, data), progress=False)
    b = fit(retail, cal, transaction_objective(retail, cal, cut), progress=False)
    pd.testing.assert_frame_equal(a.trials, b.trials)


# ----------------------------------------------------------------------------- the command
def _tiny(*extra: str) -> list[str]:
    return [
        "calibration.trials=3",
        "calibration.n_customers=3000",
        "calibration.replications=1",
        "calibration.forecast_replications=1",
        "calibration.figures=false",
        *extra,
    ]


@pytest.fixture(scope="module")
def cdnow_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cdnow")
    market_out = folder / "conf_market" / "cdnow_test.yaml"
    calibrate(compose_app(_tiny(f"calibration.market_out={market_out}"), CONFIG_NAME), folder, progress=False)
    return folder, market_out


@pytest.mark.slow
def test_calibration_writes_the_market_the_fit_and_the_holdout_comparison(cdnow_run):
    folder, market_out = cdnow_run
    for name in (
        "market.yaml",
        "fit.csv",
        "trials.csv",
        "tracking.csv",
        "errors.csv",
        "seeds.csv",
        "customers.parquet",
        "config.yaml",
        "report.md",
    ):
        assert (folder / name).is_file(), name
    errors = pd.read_csv(folder / "errors.csv")
    assert errors["model"].tolist() == ["simulator", "BG/NBD", "simulator, special case"]
    assert (errors["actual_repeats"] == 1787).all()
    tracking = pd.read_csv(folder / "tracking.csv")
    assert len(tracking) == 78 and tracking["actual"].iloc[-1] == 2231 + 1787
    customers = pd.read_parquet(folder / "customers.parquet")
    assert len(customers) == 2357
    diff = customers["BG/NBD"] - customers["actual"]
    assert errors.set_index("model").loc["BG/NBD", "customer_mae"] == pytest.approx(diff.abs().mean())
    median = customers["simulator, median"] - customers["actual"]
    assert errors.set_index("model").loc["simulator", "customer_mae_median"] == pytest.approx(median.abs().mean())
    assert (customers["simulator, median"] % 0.5 == 0).all()  # the median of 50 neighbours' counts
    report = (folder / "report.md").read_text()
    assert "## Holdout errors" in report and "loss = w_curve" in report and "BG/NBD" in report
    assert "## Spread across seeds" in report and "| at_bound |" in report
    assert "Nested special case" in report and "forecasting that nobody buys" in report
    seeds = pd.read_csv(folder / "seeds.csv")
    assert seeds["role"].tolist() == ["fit", "forecast"] and seeds["seed"].tolist() == [0, 1]
    assert market_out.read_text() == (folder / "market.yaml").read_text()


def test_the_calibrated_market_is_a_preset_with_the_fitted_values(cdnow_run):
    folder, _ = cdnow_run
    data = yaml.safe_load((folder / "market.yaml").read_text())
    assert data.pop("defaults") == ["market_schema", "_self_"]
    market = market_config(data)
    fitted = pd.read_csv(folder / "fit.csv").set_index("parameter")["fitted"]
    assert market.customers.visits_per_year_mean == pytest.approx(fitted["customers.visits_per_year_mean"])
    assert market.name == "cdnow" and market.n_customers == 5000  # the base market's size, not the fit's
    # only what differs from the schema's defaults is written: each default stays in one place
    assert "n_customers" not in data and "discount_rate" not in data and "firms" not in data
    assert "visits_per_year_mean" in data["customers"] and "exit_per_year_mean" not in data["customers"]


def test_a_calibrated_market_runs_in_every_command(cdnow_run, tmp_path):
    """Placed in conf/market/, the calibrated market is a preset like any other."""
    folder, _ = cdnow_run
    target = ROOT / "conf" / "market" / "calibrated_test_tmp.yaml"
    target.write_text((folder / "market.yaml").read_text())
    try:
        app = compose_app(["market=calibrated_test_tmp"], "app")
        assert app["market"]["name"] == "cdnow"
        from sim.model import LoyaltyModel

        model = LoyaltyModel(market="calibrated_test_tmp", n_customers=300, burn_in=2, steps=2)
        assert len(model.run()) == 2 * len(model.firms)
    finally:
        target.unlink()


@pytest.mark.slow
def test_a_survival_table_is_fitted_and_forecast_beside_the_sbg_model(tmp_path):
    config = compose_app(
        [
            "calibration=fader_hardie_regular",
            "calibration.trials=3",
            "calibration.n_customers=2000",
            "calibration.burn_in=12",
            "calibration.replications=1",
            "calibration.forecast_replications=1",
        ],
        CONFIG_NAME,
    )
    calibrate(config, tmp_path, progress=False)
    errors = pd.read_csv(tmp_path / "errors.csv")
    assert errors["model"].tolist() == ["simulator", "sBG", "simulator, special case"]
    assert np.isfinite(errors.set_index("model").loc["simulator, special case", "holdout_mape_pct"])
    report_text = (tmp_path / "report.md").read_text()
    assert "Nested special case" in report_text and "Retention rate, period 2 to period 12" in report_text
    tracking = pd.read_csv(tmp_path / "tracking.csv")
    assert tracking["period"].tolist() == list(range(13))
    assert tracking["actual"].iloc[-1] == pytest.approx(0.173)
    report = (tmp_path / "report.md").read_text()
    assert "alpha = 0.704" in report and "beta = 1.182" in report  # Fader & Hardie 2007's fit, years 1-7
    assert (tmp_path / "figures" / "tracking.png").stat().st_size > 10_000


# ----------------------------------------------------------------------------- the report's checks
@pytest.mark.parametrize(
    "value, log, flag",
    [
        (0.05, True, "lo"),
        (0.0505, True, "lo"),
        (0.06, True, ""),
        (4.9, True, "hi"),
        (4.4, True, ""),
        (0.0, False, "lo"),
        (4.95, False, "hi"),
        (2.5, False, ""),
    ],
)
def test_a_fitted_value_within_two_percent_of_an_end_of_its_range_is_flagged(value, log, flag):
    from experiments.analysis.calibration.report import bound_flag

    # on a log scale 2% of [0.05, 5] is a factor 1.096 from an end: 0.0505 and 4.9 are at an end, 0.06 and
    # 4.4 are not; on a linear scale 2% of [0, 5] is 0.1 from an end
    assert bound_flag(value, 0.05 if log else 0.0, 5.0, log) == flag


def test_the_report_names_each_parameter_at_a_bound_in_a_warning():
    from experiments.analysis.calibration.report import bound_warnings

    fit = pd.DataFrame(
        [
            {
                "parameter": "customers.exit_per_year_mean",
                "lo": 0.05,
                "hi": 5.0,
                "log_scale": True,
                "start": 0.08,
                "fitted": 4.9,
                "at_bound": "hi",
            },
            {
                "parameter": "customers.dropout_mean",
                "lo": 0.0,
                "hi": 0.6,
                "log_scale": False,
                "start": 0.004,
                "fitted": 0.2,
                "at_bound": "",
            },
        ]
    )
    lines = bound_warnings(fit)
    assert len(lines) == 1 and "customers.exit_per_year_mean = 4.9" in lines[0] and "hi (5, log scale)" in lines[0]


def test_the_seed_spread_summarises_fit_and_forecast_seeds_and_warns_when_the_fit_seeds_are_atypical():
    from experiments.analysis.calibration.report import seed_spread, seed_warnings

    seeds = pd.DataFrame(
        {
            "seed": range(6),
            "role": ["fit"] * 2 + ["forecast"] * 4,
            "holdout_error_pct": [-10.0, -12.0, -20.0, -18.0, -25.0, -22.0],
        }
    )
    spread = seed_spread(seeds, "holdout_error_pct").set_index("role")
    assert spread.loc["fit", "seeds"] == 2 and spread.loc["fit", "mean"] == -11.0
    assert spread.loc["forecast", "min"] == -25.0 and spread.loc["forecast", "max"] == -18.0
    assert spread.loc["forecast", "sd"] == pytest.approx(np.std([-20, -18, -25, -22], ddof=1))
    assert len(seed_warnings(spread.reset_index(), "holdout_error_pct")) == 1  # -11 lies outside -25..-18
    typical = seeds.assign(holdout_error_pct=[-21.0, -19.0, -20.0, -18.0, -25.0, -22.0])
    assert seed_warnings(seed_spread(typical, "holdout_error_pct"), "holdout_error_pct") == []


def test_retention_by_tenure_is_each_periods_survivors_over_its_starters():
    from experiments.analysis.calibration.report import retention_by_tenure

    tracking = pd.DataFrame({"period": [0, 1, 2, 3], "actual": [1.0, 0.631, 0.468, 0.382]})
    np.testing.assert_allclose(
        retention_by_tenure(tracking, "actual").to_numpy(), [0.631, 0.468 / 0.631, 0.382 / 0.468]
    )


def test_a_special_case_naming_a_key_the_market_lacks_or_an_invalid_value_is_refused(retail):
    import dataclasses
    from experiments.analysis.calibration.config import check_special_case

    market = dataclasses.asdict(retail)
    check_special_case({"churn.rival_hazard": 0.0, "customers.exit_per_year_mean": 0.0}, market)
    with pytest.raises(ConfigError, match=r"calibration.special_case.churn.nope = 1"):
        check_special_case({"churn.nope": 1}, market)
    with pytest.raises(ConfigError, match=r"calibration.special_case = .*dissatisfied_hazard_ratio"):
        check_special_case({"churn.dissatisfied_hazard_ratio": 0.5}, market)
    with pytest.raises(ConfigError, match=r"is not the market's behaviour"):
        check_special_case({"n_customers": 10}, market)


def test_the_default_fit_spans_bgnbds_heterogeneous_dropout():
    """BG/NBD's CDNOW fit (a = 0.79, b = 2.4: mean 0.25 a purchase, concentration 3.2) lies inside the
    default ranges of the dropout's mean and concentration."""
    ranges = {p.key: p for p in CalibrationConfig().parameters}
    mean, concentration = ranges["customers.dropout_mean"], ranges["customers.dropout_concentration"]
    assert mean.lo <= 0.79 / (0.79 + 2.43) <= mean.hi and concentration.lo <= 0.79 + 2.43 <= concentration.hi
    assert concentration.log


# ----------------------------------------------------------------------------- reading your own data
def test_a_survival_table_is_read_from_its_named_column_and_a_blank_line_inside_it_is_refused(tmp_path):
    path = tmp_path / "table.csv"
    path.write_text("year,subscribers\n0,1000\n1,631\n2,468\n\n")  # a blank line at the end holds no period
    assert read_survival(SurvivalData(path=str(path), column="subscribers")).tolist() == [1000, 631, 468]
    path.write_text("year,subscribers\n0,1000\n\n1,631\n2,468\n")  # pandas would skip it: 631 in period 1
    with pytest.raises(ConfigError, match=r"line 3 \(period 1\) is blank"):
        read_survival(SurvivalData(path=str(path), column="subscribers"))


def test_a_blank_line_in_a_log_is_skipped_since_each_purchase_carries_its_date(tmp_path):
    path = tmp_path / "log.csv"
    rows = ["customer,date,amount", "a,2024-01-01,10", "b,2024-01-09,5", "a,2024-01-15,7"]
    path.write_text("\n".join(rows) + "\n")
    plain = read_transactions(
        TransactionData(path=str(path), separator="comma", header=True, customer="customer", date_format="")
    ).purchases
    path.write_text("\n".join([*rows[:2], "", *rows[2:]]) + "\n")
    blank = read_transactions(
        TransactionData(path=str(path), separator="comma", header=True, customer="customer", date_format="")
    ).purchases
    pd.testing.assert_frame_equal(plain, blank)


def test_purchase_dates_from_1900_on_are_read(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("customer,date,amount\na,1900-01-01,10\nb,1900-01-09,5\n")
    log = read_transactions(
        TransactionData(path=str(path), separator="comma", header=True, customer="customer", date_format="")
    )
    assert log.purchases["period"].tolist() == [1, 2]


@pytest.mark.parametrize(
    "separator, char", [("comma", ","), (",", ","), ("semicolon", ";"), ("tab", "\t"), ("whitespace", "  ")]
)
def test_a_log_is_read_with_a_named_or_a_literal_separator(separator, char, tmp_path):
    path = tmp_path / "log.txt"
    rows = [("client", "day", "spend"), ("a", "2024-01-01", "10"), ("b", "2024-01-09", "5.5"), ("a", "2024-01-15", "7")]
    path.write_text("\n".join(char.join(r) for r in rows) + "\n")
    log = read_transactions(
        TransactionData(
            path=str(path),
            separator=separator,
            header=True,
            customer="client",
            date="day",
            amount="spend",
            date_format="",
        )
    )
    assert log.purchases.values.tolist() == [["a", 1, 10.0], ["a", 3, 7.0], ["b", 2, 5.5]]


def test_a_parquet_log_holding_dates_is_read_whatever_the_date_format(tmp_path):
    stamps = pd.to_datetime(["2024-01-01 09:30", "2024-01-08 23:00", "2024-01-20 12:00"])
    frame = pd.DataFrame(
        {
            "customer_id": [7, 7, 8],
            "amount": [10.0, 5.0, 2.5],
            "date": stamps,
            "local": stamps.tz_localize("Europe/Berlin"),
            "day": [d.date() for d in stamps],
        }
    )
    path = tmp_path / "log.parquet"
    frame.to_parquet(path)
    for column in ("date", "local", "day"):  # timestamps, time-zone-aware timestamps, Parquet dates
        log = read_transactions(TransactionData(path=str(path), date=column, date_format="%Y%m%d"))
        assert log.purchases.values.tolist() == [["7", 1, 10.0], ["7", 2, 5.0], ["8", 3, 2.5]], column


# ----------------------------------------------------------------------------- small data, short windows, forecasts
@pytest.mark.slow
def test_a_three_customer_log_is_calibrated_and_forecast_past_its_end(tmp_path):
    path = tmp_path / "small.csv"  # last purchase in period 5 (weeks from 2020-01-01)
    path.write_text("customer,date,amount\na,2020-01-01,5\nb,2020-01-02,3\nc,2020-01-09,4\na,2020-02-01,6\n")
    config = compose_app(
        _tiny(
            "calibration=own_log",
            f"calibration.transactions.path={path}",
            "calibration.calibration_periods=3",
            "calibration.holdout_periods=2",
            "calibration.forecast_periods=3",
        ),
        CONFIG_NAME,
    )
    calibrate(config, tmp_path / "run", progress=False)
    tracking = pd.read_csv(tmp_path / "run" / "tracking.csv")
    assert tracking["period"].tolist() == list(range(1, 9))
    assert tracking["actual"].tolist()[:5] == [0, 0, 0, 0, 1] and tracking["actual"].iloc[5:].isna().all()
    assert tracking["simulator"].notna().all()  # the forecast goes on past the data
    errors = pd.read_csv(tmp_path / "run" / "errors.csv").set_index("model")
    assert errors.loc["simulator", "actual_repeats"] == 1  # errors on the holdout only
    report = (tmp_path / "run" / "report.md").read_text()
    assert "3 customers" in report and "forecast only (no data compared) periods 6-8" in report


def test_bgnbd_that_does_not_converge_on_a_short_window_leaves_the_simulators_results(tmp_path, capsys):
    """Six weeks of CDNOW do not identify BG/NBD: lifetimes' fit fails to converge."""
    config = compose_app(_tiny("calibration.calibration_periods=6", "calibration.holdout_periods=6"), CONFIG_NAME)
    calibrate(config, tmp_path, progress=False)
    assert pd.read_csv(tmp_path / "errors.csv")["model"].tolist() == ["simulator"]
    assert list(pd.read_csv(tmp_path / "tracking.csv").columns) == ["period", "actual", "simulator"]
    assert "simulator" in pd.read_parquet(tmp_path / "customers.parquet").columns
    said = "did not converge on the same calibration data (the likelihood's maximisation did not converge"
    assert f"**BG/NBD** {said}" in (tmp_path / "report.md").read_text()
    assert f"BG/NBD {said}" in capsys.readouterr().out


@pytest.mark.slow
def test_a_survival_table_of_years_0_to_7_is_forecast_to_year_12(tmp_path):
    """Fader & Hardie (2007) fit years 1-7 and project years 8-12; so can a user who has only years 0-7."""
    config = compose_app(
        [
            "calibration=fader_hardie_regular",
            "calibration.survival.active=[1000,631,468,382,326,289,262,241]",
            "calibration.holdout_periods=0",
            "calibration.forecast_periods=5",
            "calibration.trials=2",
            "calibration.n_customers=1000",
            "calibration.burn_in=12",
            "calibration.replications=1",
            "calibration.forecast_replications=1",
        ],
        CONFIG_NAME,
    )
    calibrate(config, tmp_path, progress=False)
    tracking = pd.read_csv(tmp_path / "tracking.csv")
    assert tracking["period"].tolist() == list(range(13))
    assert tracking["actual"].iloc[7] == pytest.approx(0.241) and tracking["actual"].iloc[8:].isna().all()
    assert tracking[["simulator", "sBG"]].notna().all().all()
    assert tracking["sBG"].iloc[12] == pytest.approx(0.170, abs=0.002)  # the paper's sBG projection of year 12
    errors = pd.read_csv(tmp_path / "errors.csv")
    assert errors["holdout_mae_pp"].isna().all() and errors["calibration_mae_pp"].notna().all()
    report = (tmp_path / "report.md").read_text()
    assert "no holdout; forecast only (no data compared) periods 8-12" in report and "No holdout" in report
    assert (tmp_path / "figures" / "tracking.png").stat().st_size > 10_000


# ----------------------------------------------------------------------------- the command: help and the README
def test_help_is_short_and_names_the_main_keys():
    from tests.experiments.cli.bad_input.table import run_app

    status, out, _ = run_app("loyalty-sim-calibrate", ["--help"])
    assert status == 0 and 20 < len(out.splitlines()) < 60
    for key in (
        "kind",
        "transactions.path",
        "transactions.customer",
        "transactions.date",
        "transactions.amount",
        "transactions.separator",
        "transactions.header",
        "transactions.date_format",
        "transactions.start",
        "survival.column",
        "calibration_periods",
        "holdout_periods",
        "forecast_periods",
        "trials",
    ):
        assert key in out, key
    for preset in (ROOT / "conf" / "calibration").glob("*.yaml"):
        assert preset.stem in out, preset.stem
    assert "_schema" not in out and "outputs/calibrate/" in out


def _readme_own_log_example() -> tuple[list[str], list[str]]:
    """The README's own-log command (its arguments) and the sample CSV shown just before it."""
    blocks = re.findall(r"```(\w*)\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    at = next(i for i, (lang, body) in enumerate(blocks) if lang == "bash" and "calibration=own_log" in body)
    command = shlex.split(blocks[at][1].replace("\\\n", " "), comments=True)
    sample = next(body for lang, body in reversed(blocks[:at]) if lang == "text")
    assert command[0].endswith("loyalty-sim-calibrate")
    return command[1:], sample.strip().splitlines()


@pytest.mark.slow
def test_the_readmes_own_log_example_runs(tmp_path, monkeypatch):
    """The README's command, as printed, on a log with the README's columns (and its sample rows first);
    only the market's size and the trials are made small."""
    from tests.experiments.cli.bad_input.table import run_app

    args, sample = _readme_own_log_example()
    columns = sample[0].split(",")
    assert columns != ["customer", "date", "amount"]  # the example names its own columns
    rng = np.random.default_rng(1)
    rows = [line.split(",") for line in sample[1:]]
    for i in range(300):  # new customers of 12 weeks, followed for a year
        day = int(rng.integers(0, 84))
        while day < 366:
            date = np.datetime64("2024-01-01") + np.timedelta64(day, "D")
            rows.append([f"D-{i:04d}", str(date), f"{rng.lognormal(3, 0.5):.2f}"])
            day += int(rng.geometric(0.04))
    log = pd.DataFrame(rows, columns=columns)
    name = next(a.split("=", 1)[1] for a in args if a.startswith("calibration.transactions.path="))
    monkeypatch.chdir(tmp_path)
    log.to_csv(name, index=False)
    status, out, err = run_app("loyalty-sim-calibrate", [*args, *_tiny(), f"hydra.run.dir={tmp_path / 'run'}"])
    assert status == 0, err
    report = (tmp_path / "run" / "report.md").read_text()
    assert f"{len(log[columns[0]].unique()):,} customers" in report and "## Holdout errors" in report


def test_a_simulated_cohort_has_one_row_a_customer_and_period_as_the_observed_log_does():
    """A monthly retail step makes its visits in four rounds, so a customer
    may buy several times a step: the cohort sums them per period, as a
    transaction log is summed per period."""
    market = market_config(None, n_customers=1500, burn_in=3, steps=6, steps_per_year=12)
    cohort = simulate_purchases(market, market.firms[0].name, seed=1, periods=6, entry_periods=3).purchases
    assert len(cohort) > 0
    assert not cohort.duplicated(["customer_id", "period"]).any()


def test_the_likelihood_loss_fits_the_sbg_model_as_fader_and_hardie_did():
    """Minimising the lifetime divergence of the shifted-beta-geometric curve
    over years 1-7 of the regular cohort is maximum likelihood: it finds
    Fader & Hardie's (2007) alpha 0.704 and beta 1.182, where the squared
    error of shares stops elsewhere (0.713, 1.191)."""
    from scipy import optimize

    from experiments.analysis.calibration.measures import lifetime_divergence
    from experiments.analysis.standard_models import ShiftedBetaGeometric

    active = np.array([1000, 631, 468, 382, 326, 289, 262, 241], dtype=float)
    share = active / active[0]

    def fitted(loss) -> np.ndarray:
        def objective(x):
            return loss(share, ShiftedBetaGeometric(*np.exp(x)).survival(7))

        return np.exp(
            optimize.minimize(
                objective, np.zeros(2), method="Nelder-Mead", options={"xatol": 1e-9, "fatol": 1e-14, "maxiter": 4000}
            ).x
        )

    by_likelihood = fitted(lifetime_divergence)
    by_squares = fitted(lambda o, s: float(np.mean((s[1:] - o[1:]) ** 2)))
    assert by_likelihood == pytest.approx([0.704, 1.182], abs=0.001)
    assert abs(by_squares[0] - 0.704) > 0.005
    assert lifetime_divergence(share, share) == 0.0
    assert lifetime_divergence(share, ShiftedBetaGeometric(1.0, 1.0).survival(7)) > 0.01


@pytest.mark.slow
def test_a_survival_calibration_by_likelihood_states_its_loss(tmp_path):
    config = compose_app(
        [
            "calibration=fader_hardie_regular",
            "calibration.trials=2",
            "calibration.n_customers=2000",
            "calibration.replications=1",
            "calibration.forecast_replications=1",
            "calibration.survival.measure=likelihood",
            "calibration.figures=false",
        ],
        CONFIG_NAME,
    )
    calibrate(config, tmp_path, progress=False)
    assert "Kullback-Leibler divergence" in (tmp_path / "report.md").read_text()
    trials = pd.read_csv(tmp_path / "trials.csv")
    assert len(trials) == 2 and np.isfinite(trials["loss"]).all() and (trials["loss"] > 0).all()


def test_the_printed_summary_fits_a_terminal_of_100_columns():
    from experiments.analysis.calibration.fit import FitResult
    from experiments.analysis.calibration.forecast import Forecast
    from experiments.analysis.calibration.report import ERROR_LABELS, console_summary, errors_lines

    columns = [
        "holdout_repeats",
        "actual_repeats",
        "holdout_error_pct",
        "curve_mape_pct",
        "curve_error_end",
        "calibration_mape_pct",
        "customer_mae",
        "customer_rmse",
        "customer_mae_median",
    ]
    models = ["simulator", "BG/NBD", "simulator, special case"]
    errors = pd.DataFrame([{"model": m, **{c: -12_345.678 * (i + 1) for c in columns}} for i, m in enumerate(models)])
    errors.loc[1, "customer_mae_median"] = np.nan
    result = FitResult({"customers.visits_per_year_mean": 5.123}, 0.0123, {}, 0.5, pd.DataFrame())
    text = console_summary(CalibrationConfig(), result, Forecast(pd.DataFrame(), errors))
    lines = text.splitlines()
    assert max(map(len, lines)) <= 100  # it was 261 with the errors as columns
    rows = {line.split("  ")[0]: line for line in lines}
    for column in columns:  # one row per error, the models side by side
        assert ERROR_LABELS[column] in rows
    assert rows[ERROR_LABELS["customer_rmse"]].split()[-3:] == ["-12,345.678", "-24,691.356", "-37,037.034"]
    assert rows[ERROR_LABELS["customer_mae_median"]].split()[-2] == "–"
    narrow = errors_lines(errors, width=70)  # too narrow for all models: blocks repeat the labels
    assert max(map(len, narrow)) <= 70
    assert sum(line.startswith(ERROR_LABELS["customer_rmse"]) for line in narrow) == 2
    assert sum(line.startswith("error  ") for line in narrow) == 2  # the heading of each block
