"""The strategy plug-in interface.

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
  basket_factor, belonging_bonus, refusal, choice_bonus, occasion_lift;
  ``points`` holds a points programme's balances);
- ``after_step(ctx)``: before the books close, with the step's purchases in
  ``ctx.purchases``: book the programme's costs (``self.book``).

Parameters are in real units, never in steps, so one config means the same
programme in weekly or monthly steps (``ctx.units``, :mod:`sim.units`, is the
only code that knows the step length): schedules and other durations in
weeks (a key that counts time says so: ``refresh_weeks``), rates per year or
half-lives in weeks, costs per driver and year (a store: ``n_customers /
firm.customers_per_store``; a full-time employee; a member; 1,000 people
reached) or per event (a contact, a complaint, a visit, a review). The
defaults are the former per-step values of weekly steps restated (x 52 a
year, a lump sum per step of the 5,000-customer default market divided by
its drivers there), so the default retail market behaves as before.

A strategy may also be a plain function ``f(ctx)``, called at the offer
phase of every step (:class:`FunctionStrategy`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, ClassVar

import numpy as np

from sim.config import param as param  # re-exported: the strategies' configs declare their fields with it
from sim.config import to_dataclass, validate
from sim.context import StepContext
from sim.records import required
from sim.units import end_step, first_step

#: what a modifier's stored sum may be off by after contributions are taken
#: back (float32 round-off of values about 1), not a parameter
_ROUND_OFF = np.float32(1e-6)


@dataclass
class StrategyConfig:
    """Schedule every strategy shares, in weeks of the reported horizon: it
    runs from week ``start`` for ``duration`` weeks (``duration`` 0 = to the
    end of the run). Week ``start`` begins ``start - 1`` weeks into the
    horizon; the programme starts in the step holding that moment and runs
    in every step that begins before ``start - 1 + duration`` weeks. In
    weekly steps week = reported step; in monthly steps week 27 is month 7
    and 12 weeks run 3 months (13 weeks)."""

    start: int = param(
        1,
        1,
        1_000_000,
        "week of the reported horizon in which the programme starts "
        "(1: from the first step; in longer steps, the step holding that week's start)",
        unit="week of the horizon",
        source="setting (not a behavioural assumption)",
    )
    duration: int = param(
        0,
        0,
        1_000_000,
        "weeks it runs (0: to the end of the run); it runs in every step that begins before start - 1 + duration weeks",
        unit="weeks",
        source="setting (not a behavioural assumption)",
    )


class Strategy:
    """Base class: override the hooks a programme needs."""

    name: str = ""  # a class's own (the registry's key); a FunctionStrategy's is its function's
    description: ClassVar[str] = ""
    config_class: ClassVar[type[StrategyConfig]] = StrategyConfig
    #: True if the programme watches the market during burn-in (e.g. when each
    #: customer churned), so it must be there from the first step. False: it is
    #: inert until it starts, and an experiment may attach it to a copy of a
    #: market that was burnt in without it (experiments/running/scenarios.py), which
    #: gives bit-identical results (tests/experiments/running/test_scenarios.py).
    observes_burn_in: ClassVar[bool] = False

    def __init__(self, config: StrategyConfig | None = None) -> None:
        if config is None:
            config = self.config_class()
        else:  # however it was built (registry, Python, a lesson), a config is checked once, here
            validate(config, self.config_class, f"strategy.{self.name}.")
            config = to_dataclass(config, self.config_class)
        self.config: StrategyConfig = config
        self._shares: dict[str, np.ndarray] = {}
        self._generation_seen: np.ndarray | None = None

    def first_step(self, ctx: StepContext) -> int:
        """The reported step in which the programme starts (its ``start`` week)."""
        return first_step(self.config.start, ctx.units.weeks)

    def active(self, ctx: StepContext) -> bool:
        """True while the schedule runs (never during burn-in): from the step
        holding week ``start`` through every step that begins before
        ``start - 1 + duration`` weeks (reported step = week in weekly steps)."""
        end = end_step(self.config.start, self.config.duration, ctx.units.weeks)
        return ctx.step >= self.first_step(ctx) and (end is None or ctx.step < end)

    def weeks_running(self, ctx: StepContext) -> float:
        """Weeks since the programme's first step began (0 in that step)."""
        return (ctx.step - self.first_step(ctx)) * ctx.units.weeks

    # ------------------------------------------------------------ costs per driver
    @staticmethod
    def stores(ctx: StepContext) -> float:
        """The firm's stores: people in the market / the people one store
        serves (``firm.customers_per_store``; fractional)."""
        return ctx.customers.n / ctx.firm.customers_per_store

    @staticmethod
    def fte(ctx: StepContext) -> float:
        """The firm's employed front-line staff in full-time equivalents."""
        return float(ctx.staff.full_time_equivalents(len(ctx.firms))[ctx.firm.index])

    def per_store(self, ctx: StepContext, amount_per_store_per_year: float) -> float:
        """This step's share of a cost stated per store and year."""
        return float(ctx.units.per_step(amount_per_store_per_year * self.stores(ctx)))

    def per_fte(self, ctx: StepContext, amount_per_fte_per_year: float) -> float:
        """This step's share of a cost stated per full-time employee and year."""
        return float(ctx.units.per_step(amount_per_fte_per_year * self.fte(ctx)))

    def per_1k_people(self, ctx: StepContext, amount_per_1k_per_year: float) -> float:
        """This step's share of a cost stated per 1,000 people of the market
        reached and year (a campaign addressed to the whole market)."""
        return float(ctx.units.per_step(amount_per_1k_per_year * ctx.customers.n / 1000.0))

    @staticmethod
    def visits(ctx: StepContext, bought: np.ndarray) -> float:
        """Visits in the step's purchases selected by ``bought`` (a mask of
        ``ctx.purchases``): a purchase holds the visits its buyer made in the
        step (more than one when a step is long), as recorded when it was
        made. By the time programmes look, a buyer who left the category has
        been replaced by a newcomer in the same row, with visits of their own."""
        return float(required(ctx.step_purchases.visits, "purchases.visits")[bought].astype(np.float64).sum())

    @property
    def category(self) -> str:
        """Ledger category of the programme's costs: its name."""
        return self.name

    def book(self, ctx: StepContext, amount: float) -> None:
        """Book a cost of the programme for its firm, under its own ledger category."""
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
        # float32 round-off of the running sum: a + (b - a) need not be b, so a
        # contribution taken back can leave a residue of a few ulps either way
        column[column < _ROUND_OFF] = 0
        self._shares[modifier] = new

    def has_shares(self) -> bool:
        """True while this programme contributes to any modifier."""
        return any(share.any() for share in self._shares.values())

    def replaced_customers(self, ctx: StepContext) -> np.ndarray:
        """Places whose customer left the category and was taken by a
        newcomer since the last call. The engine resets their
        modifiers, so this programme's shares there are forgotten too."""
        generation = ctx.customers.generation
        if self._generation_seen is None:
            self._generation_seen = np.zeros_like(generation)
        gone: np.ndarray = generation != self._generation_seen
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
