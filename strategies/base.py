"""The strategy plug-in interface (MODEL.md §6, DESIGN.md §5).

A strategy is a programme a firm runs for a period: it changes the firm's
offer or its customers' experience through hooks the step calls, and books
its own costs in the firm's ledger under its own category.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

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

    def __init__(self, config: StrategyConfig | None = None) -> None:
        self.config = config if config is not None else self.config_class()

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

    def setup(self, model: "LoyaltyModel", firm: "Firm") -> None:
        """Called once when the model is built."""

    def adjust_offer(self, model: "LoyaltyModel", firm: "Firm") -> None:
        """Called at the start of each step: change price, discount, levers."""

    def after_step(self, model: "LoyaltyModel", firm: "Firm") -> None:
        """Called before the books close: book the programme's costs."""
