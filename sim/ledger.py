"""The firms' books: revenue and costs by category, profit as
revenue minus costs every step, cumulative and discounted."""

from __future__ import annotations

import numpy as np

BASE_COSTS = ("cost_of_goods", "serving", "wages", "hiring", "complaint_costs", "advertising", "fixed")


class Ledger:
    """Per-firm accounts for the current step, closed into a history.

    The step's costs are one table, a row per category (in the order of
    :attr:`categories`) and a column per firm, so that closing the step
    copies, sums and clears it in one operation each."""

    def __init__(self, n_firms: int, step_discount: float) -> None:
        self.n_firms = n_firms
        self.step_discount = step_discount
        self.categories: list[str] = list(BASE_COSTS)
        self.revenue = np.zeros(n_firms)
        self._row = {c: i for i, c in enumerate(self.categories)}
        self._costs = np.zeros((len(self.categories), n_firms))
        self.cumulative_profit = np.zeros(n_firms)
        self.npv = np.zeros(n_firms)
        self.periods = 0

    def add_revenue(self, amounts: np.ndarray) -> None:
        self.revenue += amounts

    def book(self, firm: int | np.ndarray | slice, category: str, amount: float | np.ndarray) -> None:
        """Book a cost (a positive amount) for a firm or for all firms."""
        row = self._row.get(category)
        if row is None:
            row = self._row[category] = len(self.categories)
            self.categories.append(category)
            self._costs = np.vstack([self._costs, np.zeros((1, self.n_firms))])
        self._costs[row, firm] += amount

    def costs(self) -> dict[str, np.ndarray]:
        return dict(zip(self.categories, self._costs.copy()))

    def close(self, reported: bool) -> dict[str, np.ndarray]:
        """Close the step: profit = revenue - costs; roll cumulative and NPV
        (only over the reported horizon). Returns the step's accounts."""
        table = self._costs.copy()
        total = table.sum(axis=0)  # category by category, in the order booked first
        profit = self.revenue - total
        accounts = {
            "revenue": self.revenue.copy(),
            **dict(zip(self.categories, table)),
            "costs": total,
            "profit": profit,
        }
        if reported:
            self.cumulative_profit += profit
            self.npv += profit * self.step_discount ** (self.periods + 1)
            self.periods += 1
        accounts["cumulative_profit"] = self.cumulative_profit.copy()
        accounts["npv"] = self.npv.copy()
        self.revenue[:] = 0.0
        self._costs[:] = 0.0
        return accounts
