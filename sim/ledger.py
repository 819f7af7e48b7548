"""The firms' books (MODEL.md §7): revenue and costs by category, profit as
revenue minus costs every step, cumulative and discounted."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

BASE_COSTS = ("cost_of_goods", "serving", "wages", "hiring", "complaint_costs", "advertising", "fixed")


class Ledger:
    """Per-firm accounts for the current step, closed into a history."""

    def __init__(self, n_firms: int, step_discount: float) -> None:
        self.n_firms = n_firms
        self.step_discount = step_discount
        self.categories: list[str] = list(BASE_COSTS)
        self.revenue = np.zeros(n_firms)
        self._costs: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(n_firms))
        self.cumulative_profit = np.zeros(n_firms)
        self.npv = np.zeros(n_firms)
        self.periods = 0

    def add_revenue(self, amounts: np.ndarray) -> None:
        self.revenue += amounts

    def book(self, firm: int | np.ndarray | slice, category: str, amount: float | np.ndarray) -> None:
        """Book a cost (a positive amount) for a firm or for all firms."""
        if category not in self.categories:
            self.categories.append(category)
        self._costs[category][firm] += amount

    def costs(self) -> dict[str, np.ndarray]:
        return {c: self._costs[c].copy() for c in self.categories}

    def close(self, reported: bool) -> dict[str, np.ndarray]:
        """Close the step: profit = revenue - costs; roll cumulative and NPV
        (only over the reported horizon). Returns the step's accounts."""
        costs = self.costs()
        total = np.sum([costs[c] for c in self.categories], axis=0)
        profit = self.revenue - total
        accounts = {"revenue": self.revenue.copy(), **costs, "costs": total, "profit": profit}
        if reported:
            self.cumulative_profit += profit
            self.npv += profit * self.step_discount ** (self.periods + 1)
            self.periods += 1
        accounts["cumulative_profit"] = self.cumulative_profit.copy()
        accounts["npv"] = self.npv.copy()
        self.revenue[:] = 0.0
        for c in self._costs:
            self._costs[c][:] = 0.0
        return accounts
