"""The transaction log of a run, and the per-customer summary of it.

Researchers fit customer-base models (BG/NBD, Pareto/NBD) to transaction
logs; to compare the simulator with them, and to calibrate it, a run can
record every purchase: customer, firm, reported week, amount and visits (a
purchase holds all the visits a customer makes in a visit round: a weekly
step, one visit in most weeks; a long step makes its visits in several
rounds, so a customer may have several purchases a step). A customer who
leaves the category is replaced by a newcomer in the same row,
so a customer's id combines the row with the row's
generation and is never reused; a purchase carries the id of the customer
who made it, though they left the category later in the same step.

The summary follows the layout of the customer-lifetime-value libraries
(``lifetimes.utils.summary_data_from_transaction_data``): per customer of a
firm, purchases are totalled per week; ``frequency`` is the number of weeks
with a purchase after the first, ``recency`` the weeks from the first to the
last, ``T`` the weeks from the first to the end of the observation, and
``monetary_value`` the mean weekly amount of the repeat weeks (0 without
repeats).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.records import required

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import LoyaltyModel

COLUMNS = ["customer_id", "firm", "week", "amount", "visits", "first"]
SUMMARY_COLUMNS = ["customer_id", "frequency", "recency", "T", "monetary_value"]


def customer_ids(model: "LoyaltyModel", rows: np.ndarray, generation: np.ndarray | None = None) -> np.ndarray:
    """Ids of the customers now in ``rows`` (or of the ``generation`` given
    for each): a row's newcomers get new ids."""
    if generation is None:
        generation = model.customers.generation[rows]
    return generation.astype(np.int64) * model.customers.n + rows.astype(np.int64)


def buyer_ids(model: "LoyaltyModel") -> np.ndarray:
    """Ids of the last step's buyers, purchase by purchase: a buyer who left
    the category after buying in the step has the id they bought under, not
    their newcomer's (whose generation is one more)."""
    step = model.last_step
    rows = required(step.purchases, "the last step's purchases").buyers
    generation = model.customers.generation[rows].astype(np.int64)
    if step.replaced is not None and len(step.replaced):
        generation -= np.isin(rows, step.replaced)
    return customer_ids(model, rows, generation)


class TransactionLog:
    """Every purchase of the reported steps of a model, read from the step's
    purchases (``model.last_step.purchases``: buyers, firm, spent) after each step."""

    def __init__(self, model: "LoyaltyModel") -> None:
        self.model = model
        self._parts: list[tuple[np.ndarray, np.ndarray, int, np.ndarray, np.ndarray, np.ndarray]] = []

    def record(self) -> None:
        """Add the purchases of the step just simulated."""
        model = self.model
        bought = required(model.last_step.purchases, "the last step's purchases")
        # a relationship begun this step (acquired or won back) began with this purchase
        first = model.customers.since[bought.buyers, bought.firm] == model.t - 1
        self._parts.append(
            (
                buyer_ids(model),
                bought.firm.astype(np.int16),
                int(model.steps),
                required(bought.spent, "purchases.spent").astype(np.float64),
                required(bought.visits, "purchases.visits").astype(np.float64),
                first,
            )
        )

    def run(self, steps: int | None = None) -> pd.DataFrame:
        """Run the model's horizon (or ``steps`` steps) recording every purchase;
        return the step table, as :meth:`LoyaltyModel.run` does."""
        for _ in range(self.model.config.steps if steps is None else steps):
            self.model.step()
            self.record()
        return self.model.step_table()

    def table(self) -> pd.DataFrame:
        """One row per purchase: customer_id, firm (name), week (reported step),
        amount, visits, and whether it began the customer's relationship with
        the firm (``first``: an acquisition or a win-back, as the firm's own
        records know it)."""
        names = np.array([f.name for f in self.model.firms])
        if not self._parts:
            return pd.DataFrame(
                {
                    c: pd.Series(dtype=t)
                    for c, t in zip(COLUMNS, ("int64", "object", "int64", "float64", "float64", "bool"))
                }
            )
        ids, firms, weeks, amounts, visits, first = zip(*self._parts)
        return pd.DataFrame(
            {
                "customer_id": np.concatenate(ids),
                "firm": names[np.concatenate(firms)],
                "week": np.repeat(np.array(weeks, dtype=np.int64), [len(i) for i in ids]),
                "amount": np.concatenate(amounts),
                "visits": np.concatenate(visits),
                "first": np.concatenate(first),
            }
        )


def customer_summary(transactions: pd.DataFrame, end_week: int, firm: str | None = None) -> pd.DataFrame:
    """Frequency, recency, T and monetary value per customer (of ``firm``, or of
    every firm together), observed up to ``end_week`` (the lifetimes layout)."""
    log = transactions if firm is None else transactions[transactions["firm"] == firm]
    log = log[log["week"] <= end_week]
    weekly = log.groupby(["customer_id", "week"], sort=True)["amount"].sum().reset_index()
    g = weekly.groupby("customer_id", sort=True)
    first, last, weeks, total = g["week"].min(), g["week"].max(), g["week"].count(), g["amount"].sum()
    first_amount = g["amount"].first()
    repeats = weeks - 1
    monetary = ((total - first_amount) / repeats.where(repeats > 0)).fillna(0.0)
    return pd.DataFrame(
        {
            "customer_id": first.index,
            "frequency": repeats.to_numpy(dtype=float),
            "recency": (last - first).to_numpy(dtype=float),
            "T": (end_week - first).to_numpy(dtype=float),
            "monetary_value": monetary.to_numpy(dtype=float),
        },
        columns=SUMMARY_COLUMNS,
    )


def customer_summaries(transactions: pd.DataFrame, end_week: int, firms: list[str]) -> pd.DataFrame:
    """:func:`customer_summary` of each firm, with a ``firm`` column first."""
    parts = [customer_summary(transactions, end_week, firm).assign(firm=firm) for firm in firms]
    return pd.concat(parts, ignore_index=True)[["firm", *SUMMARY_COLUMNS]]


def run_summaries(
    transactions: pd.DataFrame, end_week: int, firms: list[str], by: tuple[str, ...] = ("scenario", "replication")
) -> pd.DataFrame:
    """:func:`customer_summaries` of every run of an experiment's log (one per
    ``by`` group, e.g. scenario and replication), with the ``by`` columns first."""
    parts = [
        customer_summaries(log, end_week, firms).assign(**dict(zip(by, key if isinstance(key, tuple) else (key,))))
        for key, log in transactions.groupby(list(by), sort=False, observed=True)
    ]
    if not parts:
        return pd.DataFrame(columns=[*by, "firm", *SUMMARY_COLUMNS])
    return pd.concat(parts, ignore_index=True)[[*by, "firm", *SUMMARY_COLUMNS]]
