"""A scripted market: a handful of customers whose moves a test writes, on the real engine.

In the spirit of Axelrod's tests of a player against a scripted opponent, a
:class:`ScriptedMarket` is a tiny :class:`~sim.model.LoyaltyModel` (six
customers by default, no burn-in, weekly steps) in which the test decides
what the customers do, so that a strategy's rules can be checked exactly, in
milliseconds a step, against hand-computed values:

- which customers buy, and where (``buys``: the scripted choice replaces the
  engine's purchase occasions and choice of firm), or which customers have
  a purchase occasion while the engine's own choice picks the firm
  (``occasions``);
- how a purchase was felt (``felt``: the transaction satisfaction in zone
  units, replacing the engine's judgement of it);
- any random draw of the step for any customer (``draws``), over a quiet
  default: nobody leaves the category, no relationship ends by the hazard,
  no staff quit, no quality failures, no complaints, no word of mouth, no
  new awareness, no variety seeking, no noise around service and quality;
- any customer column, trait or relationship, before a step
  (:meth:`ScriptedMarket.set_traits`, :meth:`ScriptedMarket.set_relationship`).

Everything else is the engine's: the firms' offers and the strategies' hooks
(``adjust_offer``, ``after_step``), the experience and the takings, the
complaint process, the latents, the loyalty ladder, the books. A test then
reads the firms' levers, the modifiers a strategy wrote, the ledger's
bookings of the step and the customer columns.

The scripting goes through the model's public surfaces only: the phase list
(``LoyaltyModel.phases``, which a probe may substitute; the scripted phases
wrap the engine's with ``functools.wraps`` so that they keep their place in a
visit round), the step's draws (:class:`sim.records.StepDraws`) and the
columns of the customer population.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any, Iterable, Mapping

import numpy as np

from agents.customers import RELATIONSHIP, TRAITS
from agents.states import LoyaltyState as S
from sim.choice import known
from sim.config import market_config
from sim.model import LoyaltyModel, load_market_preset
from sim.phases import Phase
from sim.phases.disconfirmation import disconfirmation
from sim.phases.purchase_choice import purchase_occasions_and_choice
from sim.records import DRAW_PLAN, Purchases, StepDraws, StepRecord
from strategies.base import Strategy

#: the largest float32 draw below 1: an event of any chance below 1 does not happen on it
NEVER = float(np.nextafter(np.float32(1.0), np.float32(0.0)))
#: a draw on which an event of any positive chance happens
ALWAYS = 0.0

#: the draws of a quiet step, by stream: one value for every customer (or
#: staff position), or one per row of a stream drawn several times a
#: customer (``choice``: variety seeking, then the logit's pick; ``service``:
#: the employee picked, own employee serves, a bond forms; ``complaint``:
#: complains, resolved, quickly); streams not listed keep the seed's draws
QUIET: dict[str, float | tuple[float, ...]] = {
    "staff": NEVER,  # no employee quits
    "choice": (NEVER, 0.5),  # nobody seeks variety; the logit picks at the middle of its draw
    "service": (0.5, NEVER, NEVER),  # served by the firm's employee in the middle of its hours; no bonds form
    "service_noise": 0.0,  # the employee's usual level of service
    "experience": NEVER,  # no quality failures
    "experience_noise": 0.0,  # the firm's usual quality
    "complaint": (NEVER, NEVER, NEVER),  # nobody complains
    "wom": NEVER,  # nobody tells a story
    "awareness": NEVER,  # nobody becomes aware of a firm
    "churn": NEVER,  # no relationship ends by the hazard or by quiet dropout
    "exit": NEVER,  # nobody leaves the category
    "renewal": NEVER,  # no subscriber reviews the market at a renewal point
    "incident_decision": NEVER,  # a customer with a problem stays
}

#: the step's streams, with how many draws each makes a customer (0: one, or one a firm)
_DRAWS_A_CUSTOMER = {name: lead for name, _kind, _of, lead in DRAW_PLAN}

#: customer columns of one value per customer that a script may set
CUSTOMER_COLUMNS = (*TRAITS, "reference_price", "bond")
#: relationship columns (one value per customer and firm) that a script may set
RELATIONSHIP_COLUMNS = RELATIONSHIP


class ScriptedMarket:
    """A tiny real market whose customers do what the test says.

    Args:
        strategies: the strategies each firm runs, ``{firm index: [specs]}``
            (names, dicts, instances or functions, as a firm's config lists them).
        n_customers: customers in the market (a handful: every one is scripted).
        seed: seed of the market's random streams (the customers' traits, and
            every draw the script leaves to the seed).
        market: the preset the firms and rules come from ("retail", ...).
        quiet: start every step from the quiet draws (:data:`QUIET`); False
            keeps the seed's draws where the script says nothing.
        aware: every customer starts aware of every firm, expecting its
            promise and considering it (False: as the engine drew it).
        **overrides: any other top-level market key (``steps=...``, ...).

    Each :meth:`step` is one reported step of the engine, the first one
    reported step 1 (a programme that starts in week 1 runs from it).
    """

    def __init__(
        self,
        strategies: Mapping[int, list] | None = None,
        *,
        n_customers: int = 6,
        seed: int = 0,
        market: str = "retail",
        quiet: bool = True,
        aware: bool = True,
        **overrides: Any,
    ) -> None:
        preset = market_config(load_market_preset(market))
        firms = [dataclasses.asdict(f) for f in preset.firms]
        for f, specs in (strategies or {}).items():
            firms[f]["strategies"] = list(specs)
        overrides.setdefault("steps", 104)
        overrides.setdefault("engine", {"threads": 1})
        self.model = LoyaltyModel(
            market=market, seed=seed, n_customers=n_customers, burn_in=0, firms=firms, **overrides
        )
        if self.model.step_length.rounds != 1:
            raise ValueError(
                f"market.visit_round_weeks = {self.model.config.visit_round_weeks}: a scripted market makes its "
                "visits in one round a step (the script writes the step's draws, which later rounds draw afresh)"
            )
        self.quiet = quiet
        self.customers = self.model.customers
        self.firms = self.model.firms
        if aware:
            cust = self.customers
            cust.state[:] = S.AWARE
            cust.reconsidered[:] = True
            cust.expectation[:] = self.model.by_firm("promise")[None, :]
        #: the ledger's accounts of every step so far, in order
        self.books: list[dict[str, np.ndarray]] = []
        #: the last step's scripted purchases that did not happen, ``{customer: firm}``: the firm refused
        #: the customer, or was not in the market, or the customer never heard of it
        self.turned_away: dict[int, int] = {}
        self._buys: dict[int, int] | None = None
        self._occasions: np.ndarray | None = None
        self._felt: dict[int, float] = {}
        self._draws: dict[str, Mapping[int, Any]] = {}
        self.model.phases = self._scripted_phases(self.model.phases)

    # ------------------------------------------------------------------ the script
    def step(
        self,
        buys: Mapping[int, int] | None = None,
        *,
        occasions: Iterable[int] | None = None,
        felt: Mapping[int, float] | None = None,
        draws: Mapping[str, Mapping[int, Any]] | None = None,
    ) -> StepRecord:
        """Run one reported step in which the customers do what the script says.

        Args:
            buys: ``{customer: firm}``: these customers buy, each at the firm
                given, and nobody else buys (a purchase at a firm that refuses
                the customer, or is not in the market, does not happen:
                :attr:`turned_away`). With neither ``buys`` nor ``occasions``
                nobody buys.
            occasions: instead of ``buys``: these customers, and no others,
                have a purchase occasion, and the engine's choice picks the
                firm (or none) by its own rules.
            felt: ``{customer: satisfaction}``: how the customer's purchase
                was felt, in zone units (below 0: under the adequate level, a
                disappointment; above 1: over the desired level, a delight;
                satisfied between), before any complaint handling.
            draws: ``{stream: {customer: draw}}``: the step's draws of these
                customers (a tuple for a stream drawn several times a
                customer, such as ``complaint``: complains, resolved, quickly;
                the ``staff`` stream is keyed by staff position), over the
                quiet draws.

        Returns the step's record (:class:`sim.records.StepRecord`).
        """
        if buys is not None and occasions is not None:
            raise ValueError("a step is scripted with buys (the customers' choices) or occasions, not both")
        self._buys = None if occasions is not None else dict(buys or {})
        self._occasions = None if occasions is None else np.fromiter(occasions, dtype=np.int64)
        self._felt = dict(felt or {})
        self._draws = dict(draws or {})
        self.turned_away = {}
        self.model.step()
        self.books.append(self.model.last_step.accounts)
        return self.model.last_step

    def run(self, steps: int, **script: Any) -> StepRecord:
        """Run ``steps`` steps with the same script (:meth:`step`'s arguments); the last step's record."""
        record = self.model.last_step
        for _ in range(steps):
            record = self.step(**script)
        return record

    # ------------------------------------------------------------------ setting columns
    def set_traits(self, customers: int | Iterable[int], **values: Any) -> None:
        """Set customer columns (traits such as ``spend``, ``voice``,
        ``visits_per_purchase``, ``weights``; ``reference_price``; ``bond``) of
        these customers."""
        rows = _rows(customers)
        for name, value in values.items():
            if name not in CUSTOMER_COLUMNS:
                raise KeyError(f"customer column {name!r}: must be one of {', '.join(CUSTOMER_COLUMNS)}")
            getattr(self.customers, name)[rows] = value

    def set_relationship(self, customers: int | Iterable[int], firm: int, **values: Any) -> None:
        """Set relationship columns (``state``, ``satisfaction``, ``affect``,
        ``revenue``, ``behaviour``, ``purchases``, ...) of these customers with ``firm``."""
        rows = _rows(customers)
        for name, value in values.items():
            if name not in RELATIONSHIP_COLUMNS:
                raise KeyError(f"relationship column {name!r}: must be one of {', '.join(RELATIONSHIP_COLUMNS)}")
            getattr(self.customers, name)[rows, firm] = value

    # ------------------------------------------------------------------ reading the market
    def strategy(self, firm: int = 0, k: int = 0) -> Strategy:
        """The ``k``-th strategy firm ``firm`` runs."""
        return self.firms[firm].strategies[k]

    def booked(self, category: str, firm: int = 0, step: int = -1) -> float:
        """What the ledger holds under ``category`` (a cost, or ``revenue``,
        ``profit``) for ``firm`` in a step (the last by default; 0 for a
        category nothing was ever booked under)."""
        accounts = self.books[step]
        return float(accounts[category][firm]) if category in accounts else 0.0

    def modifier(self, name: str, firm: int = 0) -> np.ndarray:
        """The stored values of a modifier at ``firm``, one per customer (a
        copy; zeros while no programme has written it): the share off for
        ``price_factor``, the lift for ``basket_factor``, the bonus, refusal
        or balance otherwise."""
        mod = self.model.modifiers[name]
        return mod.values[:, firm].copy() if mod.in_use else np.zeros(self.customers.n, dtype=mod.dtype)

    def state(self, customer: int, firm: int = 0) -> S:
        """The customer's place on the loyalty ladder with ``firm``."""
        return S(int(self.customers.state[customer, firm]))

    @property
    def purchases(self) -> Purchases:
        """The last step's purchases."""
        return self.model.last_step.purchases

    # ------------------------------------------------------------------ the scripted phases
    def _scripted_phases(self, phases: list[Phase]) -> list[Phase]:
        """The engine's phases with the step's draws scripted first, the
        choice scripted in place of the engine's, and the felt value
        scripted after the engine's judgement."""
        out: list[Phase] = [self._script_draws]
        for phase in phases:
            if phase is purchase_occasions_and_choice:
                out.append(self._scripted_choice(phase))
            elif phase is disconfirmation:
                out.append(self._scripted_feelings(phase))
            else:
                out.append(phase)
        return out

    def _script_draws(self, market: LoyaltyModel, step: StepRecord) -> None:
        """The quiet draws, then the script's, into the step's draws."""
        draws = step.draws
        if self.quiet:
            for name, value in QUIET.items():
                _fill(draws, name, slice(None), value)
        if self._occasions is not None:
            draws.purchase[:] = NEVER
            draws.purchase[self._occasions] = ALWAYS
        for name, by_customer in self._draws.items():
            if name not in _DRAWS_A_CUSTOMER:
                raise KeyError(f"draws[{name!r}]: no such stream; streams: {', '.join(_DRAWS_A_CUSTOMER)}")
            for customer, value in by_customer.items():
                _fill(draws, name, customer, value)

    def _scripted_choice(self, engine_choice: Phase) -> Phase:
        @functools.wraps(engine_choice)
        def scripted_choice(market: LoyaltyModel, step: StepRecord) -> None:
            """The script's purchases (``buys``), or the engine's choice on the
            script's occasions. A firm not in the market this step, or one
            that refuses the customer (the ``refusal`` modifier), or one the
            customer cannot buy from (a firm they never heard of, or left for
            good: :func:`sim.choice.known`) turns the scripted purchase away."""
            if self._buys is None:
                engine_choice(market, step)
                return
            refusal = market.modifiers.refusal
            cust = market.customers
            made = []
            for customer, firm in sorted(self._buys.items()):
                refused = refusal.in_use and bool(refusal.values[customer, firm])
                can_buy = known(cust.state[customer, firm], cust.dropped_out[customer, firm])
                if market.present[firm] and not refused and can_buy:
                    made.append((customer, firm))
                else:
                    self.turned_away[customer] = firm
            buyers = np.array([c for c, _ in made], dtype=np.int64)
            firm = np.array([f for _, f in made], dtype=np.int64)
            step.purchases = Purchases(buyers=buyers, firm=firm)

        return scripted_choice

    def _scripted_feelings(self, engine_judgement: Phase) -> Phase:
        @functools.wraps(engine_judgement)
        def scripted_feelings(market: LoyaltyModel, step: StepRecord) -> None:
            """The engine's judgement of every purchase, then the script's
            felt values: disappointed below 0, delighted above 1."""
            engine_judgement(market, step)
            p = step.purchases
            for customer, value in self._felt.items():
                j = np.flatnonzero(p.buyers == customer)
                if not len(j):
                    raise LookupError(f"felt[{customer}]: the customer made no purchase this step")
                p.felt[j] = np.float32(value)
                p.outcome[j] = -1 if value < 0 else (1 if value > 1 else 0)

        return scripted_feelings


def _rows(customers: int | Iterable[int]) -> np.ndarray:
    """Customer rows from one row or several."""
    return np.atleast_1d(np.asarray(customers if isinstance(customers, int) else list(customers), dtype=np.int64))


def _fill(draws: StepDraws, stream: str, who: int | slice, value: float | tuple[float, ...]) -> None:
    """Write the draws of a stream for a customer (or for all, ``who`` a
    slice): one value, or a tuple of one per draw of a stream drawn several
    times a customer (``[k, customers]``: ``choice``, ``service``,
    ``complaint``, ``strangers``) or once a firm (``awareness``)."""
    array = getattr(draws, stream)
    if _DRAWS_A_CUSTOMER.get(stream, 0):
        column = np.asarray(value, dtype=array.dtype)
        array[:, who] = column[:, None] if isinstance(who, slice) and column.ndim else column
    else:
        array[who] = value
