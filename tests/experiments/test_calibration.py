"""Calibration to observed data (issue 6, items 2-4 and 8).

The calibration must recover parameters from data the model itself made,
never look at the holdout, measure the simulated cohort the way the data
were measured, and write a calibrated market that every command accepts.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from experiments.app import compose_app
from experiments.calibration.cli import CONFIG_NAME, calibrate
from experiments.calibration.cohort import simulate_purchases, simulate_survival
from experiments.calibration.config import CalibrationConfig, LossWeights, ParameterRange, TransactionData
from experiments.calibration.fit import fit, transaction_objective, with_values
from experiments.calibration.measures import (calibration_summary, cohort_measures, entry_weights,
                                              repeat_curve, transaction_loss)
from experiments.calibration.observed import CohortLog, read_transactions
from sim.config import market_config
from sim.config_loading import load_market_yaml

ROOT = Path(__file__).resolve().parents[2]


def _log(rows: list[tuple[str, int, float]]) -> CohortLog:
    return CohortLog(pd.DataFrame(rows, columns=["customer_id", "period", "amount"]))


@pytest.fixture(scope="module")
def retail():
    return market_config(load_market_yaml("retail"))


# ----------------------------------------------------------------------------- the data
def test_cdnow_sample_reads_as_2357_new_customers_over_78_weeks():
    log = read_transactions(TransactionData(start="1997-01-01"))
    entry = log.entry
    assert entry.size == 2357
    assert entry.min() == 1 and entry.max() == 12          # first purchases in the first 12 weeks
    assert log.purchases["period"].max() == 78
    curve = repeat_curve(log, 78)
    assert curve[38] == 2231 and curve[-1] - curve[38] == 1787   # repeat purchase-weeks, calibration / holdout


def test_calibration_summary_matches_the_published_cdnow_summary():
    from experiments.standard_models import cdnow_summary
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
    assert w.sum() == pytest.approx(18)                       # as many as observed customers
    assert w["x"] == pytest.approx(1.0)                       # 3 observed for 3 simulated in period 4
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


# ----------------------------------------------------------------------------- the fit (item 8)
@pytest.mark.slow
def test_calibration_recovers_the_parameters_of_data_the_model_made(retail):
    """Tolerances: the purchase rate within 15%, the exit rate within 40%
    (it shows only through the lapse of repeat buyers in 26 periods)."""
    truth = {"customers.purchase_rate_mean": 0.15, "customers.exit_rate_mean": 0.03}
    made = simulate_purchases(with_values(retail, truth, n_customers=30000, burn_in=20), "Focal", 999, 26, 8)
    observed = CohortLog(made.purchases.assign(customer_id=made.purchases["customer_id"].astype(str)))
    cal = CalibrationConfig(trials=30, n_customers=20000, burn_in=20, replications=1, calibration_periods=26,
                            parameters=[ParameterRange("customers.purchase_rate_mean", 0.03, 0.6, True),
                                        ParameterRange("customers.exit_rate_mean", 0.003, 0.3, True)])
    result = fit(retail, cal, transaction_objective(retail, cal, observed), progress=False)
    assert result.values["customers.purchase_rate_mean"] == pytest.approx(0.15, rel=0.15)
    assert result.values["customers.exit_rate_mean"] == pytest.approx(0.03, rel=0.40)
    assert result.loss < result.start_loss / 10          # the base market (0.45, 0.0015) fits far worse


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
    return ["calibration.trials=3", "calibration.n_customers=3000", "calibration.burn_in=10",
            "calibration.replications=1", "calibration.forecast_replications=1", "calibration.figures=false",
            *extra]


@pytest.fixture(scope="module")
def cdnow_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cdnow")
    market_out = folder / "conf_market" / "cdnow_test.yaml"
    calibrate(compose_app(_tiny(f"calibration.market_out={market_out}"), CONFIG_NAME), folder, progress=False)
    return folder, market_out


def test_calibration_writes_the_market_the_fit_and_the_holdout_comparison(cdnow_run):
    folder, market_out = cdnow_run
    for name in ("market.yaml", "fit.csv", "trials.csv", "tracking.csv", "errors.csv", "customers.parquet",
                 "config.yaml", "report.md"):
        assert (folder / name).is_file(), name
    errors = pd.read_csv(folder / "errors.csv")
    assert errors["model"].tolist() == ["simulator", "BG/NBD"]
    assert (errors["actual_repeats"] == 1787).all()
    tracking = pd.read_csv(folder / "tracking.csv")
    assert len(tracking) == 78 and tracking["actual"].iloc[-1] == 2231 + 1787
    customers = pd.read_parquet(folder / "customers.parquet")
    assert len(customers) == 2357
    diff = customers["BG/NBD"] - customers["actual"]
    assert errors.set_index("model").loc["BG/NBD", "customer_mae"] == pytest.approx(diff.abs().mean())
    report = (folder / "report.md").read_text()
    assert "## Holdout errors" in report and "loss = w_curve" in report and "BG/NBD" in report
    assert market_out.read_text() == (folder / "market.yaml").read_text()


def test_the_calibrated_market_is_a_preset_with_the_fitted_values(cdnow_run):
    folder, _ = cdnow_run
    data = yaml.safe_load((folder / "market.yaml").read_text())
    assert data.pop("defaults") == ["market_schema", "_self_"]
    market = market_config(data)
    fitted = pd.read_csv(folder / "fit.csv").set_index("parameter")["fitted"]
    assert market.customers.purchase_rate_mean == pytest.approx(fitted["customers.purchase_rate_mean"])
    assert market.name == "cdnow" and market.n_customers == 5000     # the base market's size, not the fit's


def test_a_calibrated_market_runs_in_every_command(cdnow_run, tmp_path):
    """Placed in conf/market/, the calibrated market is a preset like any other."""
    folder, _ = cdnow_run
    target = ROOT / "conf" / "market" / "calibrated_test_tmp.yaml"
    target.write_text((folder / "market.yaml").read_text())
    try:
        app = compose_app(["market=calibrated_test_tmp"])
        assert app["market"]["name"] == "cdnow"
        from sim.model import LoyaltyModel
        model = LoyaltyModel(market="calibrated_test_tmp", n_customers=300, burn_in=2, steps=2)
        assert len(model.run()) == 2 * len(model.firms)
    finally:
        target.unlink()


@pytest.mark.slow
def test_a_survival_table_is_fitted_and_forecast_beside_the_sbg_model(tmp_path):
    config = compose_app(["calibration=fader_hardie_regular", "calibration.trials=3", "calibration.n_customers=2000",
                          "calibration.burn_in=12", "calibration.replications=1",
                          "calibration.forecast_replications=1"], CONFIG_NAME)
    calibrate(config, tmp_path, progress=False)
    errors = pd.read_csv(tmp_path / "errors.csv")
    assert errors["model"].tolist() == ["simulator", "sBG"]
    tracking = pd.read_csv(tmp_path / "tracking.csv")
    assert tracking["period"].tolist() == list(range(13))
    assert tracking["actual"].iloc[-1] == pytest.approx(0.173)
    report = (tmp_path / "report.md").read_text()
    assert "alpha = 0.704" in report and "beta = 1.182" in report      # Fader & Hardie 2007's fit, years 1-7
    assert (tmp_path / "figures" / "tracking.png").stat().st_size > 10_000


@pytest.mark.parametrize("override, message", [
    ("calibration.parameters.0.lo=0.7", "calibration.parameters[0].lo = 0.7: must be below hi (0.6)"),
    ("calibration.parameters.4.hi=1.5", "calibration.parameters[4].hi = 1.5: churn.disappointed_defect_prob "
                                        "must be in [0.0, 1.0]"),
    ("calibration.parameters.0.key=customers.nope", "calibration.parameters[0].key = 'customers.nope': unknown "
                                                    "market key 'nope'"),
    ("calibration.kind=panel", "calibration.kind = 'panel': must be one of 'transactions', 'survival'"),
    ("calibration.holdout_periods=60", "calibration.holdout_periods = 60: the data cover 78 periods"),
    ("calibration.transactions.path=/nonexistent.csv", "calibration.transactions.path = '/nonexistent.csv': "
                                                       "no such file"),
    ("calibration.firm=Nobody", "calibration.firm = 'Nobody': must be one of the market's firms"),
])
def test_bad_input_stops_with_one_line_and_writes_nothing(override, message, tmp_path):
    run_dir = tmp_path / "run"
    done = subprocess.run([sys.executable, "-m", "experiments.calibration.cli", override, *_tiny()[:4],
                           f"hydra.run.dir={run_dir}"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 2, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and message in errors[0], done.stderr
    assert not run_dir.exists()           # stopped before Hydra made the run folder
