"""What a strategy sees and may do: the public surface of a step.

A strategy hook gets a :class:`StepContext` for its own firm: the clock,
the firms, the market's public columns (customers, staff), the step's
purchases (after the step), the per-relationship modifiers, its random
stream, the step length with its conversions from real units (``units``:
rates per year, half-lives and durations in weeks, amounts per year), and
the actions a programme may take (book a cost, add revenue, dismiss staff,
use staff time, bring the firm back to customers who left it). Strategies need nothing else of the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from agents.customers import CustomerPopulation
from agents.firm import Firm
from agents.staff import StaffPopulation
from sim.modifiers import Modifiers
from sim.records import Purchases, required
from agents.states import LoyaltyState as S
from sim.units import StepLength

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import LoyaltyModel
    from sim.outlook import Outlook


@dataclass
class StepContext:
    """One firm's view of the current step, for its strategies' hooks."""

    t: int  #: steps simulated before this one, burn-in included
    step: int  #: reported step, ``t - burn_in + 1`` (<= 0 during burn-in)
    steps_per_year: float  #: steps in a year (52 for weekly steps)
    firms: list[Firm]  #: all firms (a strategy may move a rival's offer: retaliation)
    firm: Firm  #: the strategy's own firm
    customers: CustomerPopulation  #: the customers' public columns
    staff: StaffPopulation  #: the staff's public columns
    modifiers: Modifiers  #: per-relationship modifiers (:mod:`sim.modifiers`)
    units: StepLength  #: the step length and its conversions from real units (:mod:`sim.units`)
    purchases: Purchases | None = None  #: this step's purchases (in ``after_step``; None before)
    _market: "LoyaltyModel" = field(kw_only=True, repr=False)  #: the market the step runs in (always given)

    @property
    def step_purchases(self) -> Purchases:
        """This step's purchases (:attr:`purchases`), which ``after_step`` is
        given: an error naming them in a hook that runs before they exist."""
        return required(self.purchases, "ctx.purchases (the step's purchases, given in after_step)")

    def stream(self, name: str) -> np.random.Generator:
        """The random stream ``name`` (a strategy's own is named after it):
        independent of the engine's streams, so a programme's draws leave
        the rest of the market's draws where they were."""
        return self._market.streams[name]

    def book(self, category: str, amount: float) -> None:
        """Book a cost of the firm in the ledger under ``category``."""
        self._market.ledger.book(self.firm.index, category, float(amount))

    def add_revenue(self, amount: float) -> None:
        """Add revenue of the firm beyond purchases (e.g. membership fees)."""
        revenue = np.zeros(len(self.firms))
        revenue[self.firm.index] = amount
        self._market.ledger.add_revenue(revenue)

    def dismiss(self, positions: np.ndarray) -> None:
        """Lay off the employees in these staff positions: the positions stay
        empty and their customers' bonds break."""
        self._market.dismiss(positions)

    def dismiss_fte(self, fte: float, order: np.ndarray) -> np.ndarray:
        """Lay off ``fte`` full-time equivalents of the firm's staff, taking its
        employed positions in ``order``: whole positions while they fit, then
        the next one's hours are cut (:meth:`StaffPopulation.dismiss_fte`).
        The emptied positions' customers lose their bonds; returns them."""
        emptied = self.staff.dismiss_fte(self.firm.index, fte, order)
        self._market.dismiss(emptied)
        return emptied

    def bring_back(self, rows: np.ndarray) -> None:
        """Put the firm back into the consideration set of these customers
        who left it (a personal offer reached them: Griffin & Lowenstein
        2001); customers who did not leave it are unchanged."""
        f = self.firm.index
        rows = np.asarray(rows)
        left = rows[self.customers.state[rows, f] == S.CHURNED]
        self.customers.reconsidered[left, f] = True

    def outlook(self) -> "Outlook":
        """Every customer's prospects for this firm now: the chance their
        relationship ends within a year, their chance of choosing the firm,
        their spend in the category (:mod:`sim.outlook`): what a programme
        targets by risk or by expected uplift."""
        from sim.outlook import outlook

        return outlook(self._market, self.firm.index)

    def add_staff_time(self, visits: float) -> None:
        """Staff time the programme used this step beyond serving purchases,
        in visit equivalents: it counts toward the next step's workload."""
        self._market.add_staff_time(self.firm.index, visits)
