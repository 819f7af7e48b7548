"""The strategy plug-in interface (MODEL.md §6, DESIGN.md §5).

A strategy is a programme a firm runs for a period: it changes the firm's
offer or its customers' experience through hooks the step calls, and books
its own costs in the firm's ledger under its own category.

Every hook takes one argument, the :class:`~sim.context.StepContext` of the
strategy's firm (``ctx.firm``), and returns nothing:

- ``setup(ctx)``: once, when the strategy joins the market (at construction,
  or on a copy of a burnt-in market);
- ``adjust_offer(ctx)``: at the start of each step, burn-in included: set the
  firm's (or a rival's) offer and the per-relationship modifiers
  (``ctx.modifiers``: price_factor, switching_bonus, service_bonus,
  basket_factor, belonging_bonus, refusal);
- ``after_step(ctx)``: before the books close, with the step's purchases in
  ``ctx.purchases``: book the programme's costs (``self.book``).

A strategy may also be a plain function ``f(ctx)``, called at the offer
phase of every step (:class:`FunctionStrategy`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, ClassVar

import numpy as np

from sim.config import param
from sim.context import StepContext


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

    def active(self, ctx: StepContext) -> bool:
        """True while the schedule runs (reported steps; never during burn-in)."""
        t = ctx.step
        end = self.config.start + self.config.duration
        return t >= self.config.start and (self.config.duration == 0 or t < end)

    @property
    def category(self) -> str:
        """Ledger category of the programme's costs: its name."""
        return self.name

    def book(self, ctx: StepContext, amount: float) -> None:
        """Book a cost of the programme for its firm (MODEL.md §7)."""
        ctx.book(self.category, amount)

    def stream(self, ctx: StepContext) -> np.random.Generator:
        """The programme's own random stream (named after it)."""
        return ctx.stream(self.name)

    def set_share(self, ctx: StepContext, modifier: str, values: np.ndarray) -> None:
        """Make this programme's own contribution to a per-relationship
        modifier (:mod:`sim.modifiers`, in its stored unit: the share off for
        ``price_factor``, the lift for ``basket_factor``, the bonus otherwise)
        at its firm equal to ``values``; other programmes' contributions to
        the same modifier add up and are kept."""
        column = ctx.modifiers[modifier].column(ctx.firm.index)
        new = np.array(values, dtype=np.float32)
        column += new - self._shares.get(modifier, np.float32(0))
        np.maximum(column, 0, out=column)          # float round-off of the sum
        self._shares[modifier] = new

    def has_shares(self) -> bool:
        """True while this programme contributes to any modifier."""
        return any(share.any() for share in self._shares.values())

    def replaced_customers(self, ctx: StepContext) -> np.ndarray:
        """Places whose customer left the category and was taken by a
        newcomer since the last call (MODEL.md §2). The engine resets their
        modifiers, so this programme's shares there are forgotten too."""
        generation = ctx.customers.generation
        if self._generation_seen is None:
            self._generation_seen = np.zeros_like(generation)
        gone = generation != self._generation_seen
        if gone.any():
            self._generation_seen[gone] = generation[gone]
            for share in self._shares.values():
                share[gone] = 0
        return gone

    def setup(self, ctx: StepContext) -> None:
        """Called once when the strategy joins the market."""

    def adjust_offer(self, ctx: StepContext) -> None:
        """Called at the start of each step: change price, discount, modifiers."""

    def after_step(self, ctx: StepContext) -> None:
        """Called before the books close, with the step's purchases: book the programme's costs."""


class FunctionStrategy(Strategy):
    """A strategy given as a plain function ``f(ctx)``, called at the offer
    phase of every step, burn-in included (``ctx.step <= 0`` then): a
    classroom variation needs no class. Its costs, if any, it books itself
    (``ctx.book``)."""

    #: it runs from the first step, so a market cannot be burnt in without it
    observes_burn_in = True

    def __init__(self, function: Callable[[StepContext], None]) -> None:
        super().__init__()
        self.function = function
        self.name = getattr(function, "__name__", "function")

    def adjust_offer(self, ctx: StepContext) -> None:
        self.function(ctx)
