"""The strategy plug-in interface (MODEL.md §6, DESIGN.md §5).

A strategy is a programme a firm runs for a period: it changes the firm's
offer or its customers' experience through hooks the step calls, and books
its own costs in the firm's ledger under its own category.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from sim.config import param

if TYPE_CHECKING:  # pragma: no cover
    from agents.firm import Firm
    from sim.model import LoyaltyModel


@dataclass
class StrategyConfig:
    """Schedule every strategy shares: it runs from ``start`` for ``duration`` steps
    (``duration`` 0 = to the end of the run)."""
    start: int = param(1, 1, 1_000_000, "reported step at which the programme starts")
    duration: int = param(0, 0, 1_000_000, "steps it runs (0: to the end of the run)")


class Strategy:
    """Base class: override the hooks a programme needs."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    config_class: ClassVar[type] = StrategyConfig
    #: True if the programme watches the market during burn-in (e.g. when each
    #: customer churned), so it must be there from the first step. False: it is
    #: inert until it starts, and an experiment may attach it to a copy of a
    #: market that was burnt in without it (experiments/scenarios.py), which
    #: gives bit-identical results (tests/experiments/test_scenarios.py).
    observes_burn_in: ClassVar[bool] = False

    def __init__(self, config: StrategyConfig | None = None) -> None:
        self.config = config if config is not None else self.config_class()
        self._shares: dict[str, np.ndarray] = {}
        self._generation_seen: np.ndarray | None = None

    def active(self, model: "LoyaltyModel") -> bool:
        """True while the schedule runs (reported steps; never during burn-in)."""
        t = model._t - model.config.burn_in + 1
        end = self.config.start + self.config.duration
        return t >= self.config.start and (self.config.duration == 0 or t < end)

    @property
    def category(self) -> str:
        """Ledger category of the programme's costs: its name."""
        return self.name

    def book(self, model: "LoyaltyModel", firm: "Firm", amount: float) -> None:
        """Book a cost of the programme for the firm (MODEL.md §7)."""
        model.ledger.book(firm.index, self.category, float(amount))

    def set_share(self, model: "LoyaltyModel", firm: "Firm", lever: str, values: np.ndarray) -> None:
        """Make this programme's own contribution to a per-relationship lever
        (``agents/customers.py`` LEVERS) at its firm equal to ``values``;
        other programmes' contributions to the same lever add up and are kept."""
        column = model.customers.lever(lever)[:, firm.index]
        new = np.array(values, dtype=np.float32)
        column += new - self._shares.get(lever, np.float32(0))
        np.maximum(column, 0, out=column)          # float round-off of the sum
        self._shares[lever] = new

    def has_shares(self) -> bool:
        """True while this programme contributes to any lever."""
        return any(share.any() for share in self._shares.values())

    def replaced_customers(self, model: "LoyaltyModel") -> np.ndarray:
        """Places whose customer left the category and was taken by a
        newcomer since the last call (MODEL.md §2). The engine zeroes their
        levers, so this programme's shares there are forgotten too."""
        generation = model.customers.generation
        if self._generation_seen is None:
            self._generation_seen = np.zeros_like(generation)
        gone = generation != self._generation_seen
        if gone.any():
            self._generation_seen[gone] = generation[gone]
            for share in self._shares.values():
                share[gone] = 0
        return gone

    def setup(self, model: "LoyaltyModel", firm: "Firm") -> None:
        """Called once when the model is built."""

    def adjust_offer(self, model: "LoyaltyModel", firm: "Firm") -> None:
        """Called at the start of each step: change price, discount, levers."""

    def after_step(self, model: "LoyaltyModel", firm: "Firm") -> None:
        """Called before the books close: book the programme's costs."""
