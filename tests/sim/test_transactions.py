"""The transaction log of a run and its per-customer summary."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from experiments.cli.market import main
from sim.model import LoyaltyModel
from sim.transactions import TransactionLog, customer_summary

SMALL = dict(n_customers=600, burn_in=20, steps=12, engine={"threads": 1})


@pytest.fixture(scope="module")
def logged():
    model = LoyaltyModel(seed=3, **SMALL)
    log = TransactionLog(model)
    return log.run(), log.table()


def test_the_log_adds_up_to_the_step_tables_revenue_and_visits(logged):
    table, tx = logged
    by_week = tx.groupby(["week", "firm"]).agg(
        amount=("amount", "sum"), visits=("visits", "sum"), purchases=("amount", "size")
    )
    steps = table.set_index(["step", "firm"])
    assert np.allclose(by_week["amount"], steps.loc[by_week.index, "revenue"], rtol=1e-9)
    assert np.allclose(by_week["visits"], steps.loc[by_week.index, "visits"], rtol=1e-9)
    assert (by_week["purchases"] == steps.loc[by_week.index, "purchases"]).all()
    assert sorted(tx["week"].unique()) == list(range(1, 13))


def test_recording_does_not_change_the_run(logged):
    table, _ = logged
    plain = LoyaltyModel(seed=3, **SMALL).run()
    pd.testing.assert_frame_equal(table, plain)


def test_a_newcomer_in_a_customers_row_gets_a_new_id():
    model = LoyaltyModel(
        seed=1, n_customers=400, burn_in=5, steps=30, engine={"threads": 1}, customers={"exit_per_year_mean": 2.6}
    )
    log = TransactionLog(model)
    log.run()
    tx = log.table()
    rows = tx["customer_id"] % 400
    ids_per_row = tx.groupby(rows)["customer_id"].nunique()
    assert (ids_per_row > 1).any()  # rows whose customer left and was replaced
    assert (model.customers.generation > 0).any()


def test_the_summary_counts_repeat_weeks_as_the_lifetimes_layout_does():
    tx = pd.DataFrame(
        {
            "customer_id": [1, 1, 1, 1, 2, 3, 3],
            "firm": ["A", "A", "A", "B", "A", "A", "A"],
            "week": [2, 2, 5, 6, 4, 1, 9],
            "amount": [10.0, 5.0, 20.0, 99.0, 7.0, 3.0, 9.0],
        }
    )
    s = customer_summary(tx, end_week=8, firm="A").set_index("customer_id")
    # customer 1: weeks 2 (15) and 5 (20): one repeat week of 20; customer 3's week 9 is after the end
    assert s.loc[1].tolist() == [1.0, 3.0, 6.0, 20.0]
    assert s.loc[2].tolist() == [0.0, 0.0, 4.0, 0.0]
    assert s.loc[3].tolist() == [0.0, 0.0, 7.0, 0.0]
    both = customer_summary(tx, end_week=8).set_index("customer_id")
    assert both.loc[1, "frequency"] == 2.0 and both.loc[1, "monetary_value"] == pytest.approx((20 + 99) / 2)


@pytest.mark.slow
def test_a_run_can_write_its_transactions_and_customer_summary(tmp_path):
    main(
        [
            "record_transactions=true",
            "market.n_customers=300",
            "market.steps=6",
            "market.burn_in=5",
            f"output_dir={tmp_path}",
        ]
    )
    (folder,) = [p for p in tmp_path.glob("*/*") if p.is_dir()]
    tx = pd.read_parquet(folder / "transactions.parquet")
    summary = pd.read_parquet(folder / "customer_summary.parquet")
    assert list(tx.columns) == ["customer_id", "firm", "week", "amount", "visits", "first"] and len(tx) > 0
    assert list(summary.columns) == ["firm", "customer_id", "frequency", "recency", "T", "monetary_value"]
    assert set(summary["firm"]) <= set(tx["firm"])


@pytest.mark.parametrize("steps_per_year", [52, 12])
def test_a_purchase_carries_the_id_of_its_buyer_who_left_the_category_later_in_the_step(steps_per_year):
    """Newcomers arrive after the step's purchases: no purchase of a step
    may carry an id that a row took during that step."""
    model = LoyaltyModel(
        seed=5,
        n_customers=800,
        burn_in=5,
        steps=10,
        steps_per_year=steps_per_year,
        customers={"exit_per_year_mean": 4.0},
    )
    log = TransactionLog(model)
    n, left_buyers = model.customers.n, 0
    for week in range(1, 11):
        before = model.customers.generation.astype(np.int64) * n + np.arange(n)
        model.step()
        log.record()
        ids = log.table().query("week == @week")["customer_id"].to_numpy()
        assert np.isin(ids, before).all()
        left_buyers += np.isin(model.last_step.purchases.buyers, model.last_step.replaced).sum()
    assert left_buyers > 0
