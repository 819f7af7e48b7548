"""What one step produces, as typed records.

A step is a list of phases (:mod:`sim.phases`); each phase reads the market
and the records earlier phases wrote into the step's :class:`StepRecord`, and
writes its own. The records are what strategies (through
:class:`sim.context.StepContext`), the step table (:mod:`sim.metrics`),
probes and tests read: the step's random draws, its purchases, the loyalty
latents, the staff's workload, the firms' event counts and the smoothed
churn. The model keeps the record of the last step as ``model.last_step``.

Arrays over purchases are aligned: entry ``k`` of every field of
:class:`Purchases` is the ``k``-th purchase of the step.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, fields
from typing import Any, TypeVar

import numpy as np

from agents.staff import Roster

_T = TypeVar("_T")


def required(value: _T | None, what: str) -> _T:
    """``value``, a record (``what``) an earlier phase of the step wrote
    (the step's draws, its purchases, a field of them): an error naming it
    if that phase has not run."""
    if value is None:
        raise RuntimeError(f"{what} is not set: the phase that writes it has not run yet in this step")
    return value


#: the random streams of a step, each with its kind of draw and what its shape
#: counts ("customers", "staff", or a leading count of draws per customer, or
#: a draw per customer and firm); the order is the order the streams are created in
DRAW_PLAN: tuple[tuple[str, str, str, int], ...] = (
    ("staff", "uniform", "staff", 0),
    ("purchase", "uniform", "customers", 0),
    ("choice", "uniform", "customers", 2),
    ("service", "uniform", "customers", 3),
    ("service_noise", "normal", "customers", 0),
    ("experience", "uniform", "customers", 0),
    ("experience_noise", "normal", "customers", 0),
    ("complaint", "uniform", "customers", 3),
    ("wom", "uniform", "customers", 0),
    ("awareness", "uniform", "firms", 0),
    ("churn", "uniform", "customers", 0),
    ("exit", "uniform", "customers", 0),
    ("renewal", "uniform", "customers", 0),
    ("audience", "uniform", "customers", 0),
    ("strangers", "uniform", "customers", 2),
    ("incident_decision", "uniform", "customers", 0),
)


#: the streams drawn once a step; the others once a visit round (a long step
#: makes its customers' visits in several: :attr:`sim.units.StepLength.rounds`)
STEP_STREAMS = ("staff", "exit")


@dataclass
class StepDraws:
    """The random draws of one step: one draw per stream for all agents,
    whether a phase uses them or not, so that a change to one rule leaves the
    other streams' draws where they were (common random numbers; Glasserman
    & Yao 1992). Each stream is named after the event it decides."""

    staff: np.ndarray  #: [staff] uniform: who leaves
    purchase: np.ndarray  #: [n] uniform: who has a purchase occasion
    choice: np.ndarray  #: [2, n] uniform: variety seeking, then the logit choice
    service: np.ndarray  #: [3, n] uniform: employee picked, own employee serves, bond forms
    service_noise: np.ndarray  #: [n] normal: the employee's day-to-day spread
    experience: np.ndarray  #: [n] uniform: quality failure
    experience_noise: np.ndarray  #: [n] normal: quality noise
    complaint: np.ndarray  #: [3, n] uniform: complains, resolved, quickly
    wom: np.ndarray  #: [n] uniform: tells a story
    awareness: np.ndarray  #: [n, firms] uniform: becomes aware of the firm
    churn: np.ndarray  #: [n] uniform: a disappointed customer defects
    exit: np.ndarray  #: [n] uniform: leaves the category
    renewal: np.ndarray  #: [n] uniform: a subscriber at a renewal point reviews the market
    audience: np.ndarray  #: [n] uniform: how many people a talker tells (sim.audience.audience_size)
    strangers: np.ndarray  #: [2, n] uniform: the key of whom beyond their ties (sim.audience.audience_key)
    incident_decision: np.ndarray  #: [n] uniform: a customer with a problem leaves after its handling (sim.recovery)

    @staticmethod
    @functools.lru_cache(maxsize=8)
    def plan(n: int, n_firms: int, m: int) -> dict[str, tuple[str, int | tuple[int, int]]]:
        """The draws of a step with ``n`` customers, ``n_firms`` firms and
        ``m`` staff positions: stream name -> (kind, shape) (the same every
        step of a market, so kept; do not modify it)."""
        size = {"customers": n, "staff": m}
        out: dict[str, tuple[str, int | tuple[int, int]]] = {}
        for name, kind, of, lead in DRAW_PLAN:
            shape = (n, n_firms) if of == "firms" else ((lead, size[of]) if lead else size[of])
            out[name] = (kind, shape)
        return out

    @staticmethod
    @functools.lru_cache(maxsize=8)
    def round_plan(n: int, n_firms: int, m: int) -> dict[str, tuple[str, int | tuple[int, int]]]:
        """The draws of a visit round after the step's first: the streams of
        :meth:`plan` but those drawn once a step (:data:`STEP_STREAMS`)."""
        return {name: how for name, how in StepDraws.plan(n, n_firms, m).items() if name not in STEP_STREAMS}


@dataclass
class Purchases:
    """The step's purchases, one entry per purchase (a customer buys at most
    once a visit round: once a step, unless a long step makes its visits in
    rounds, :attr:`sim.units.StepLength.rounds`). The purchase-choice phase
    gives the buyers and firms, the experience phase what happened at the
    firm, later phases how it was felt (Oliver 1980: disconfirmation) and
    what the complaint process did with it."""

    buyers: np.ndarray  #: customer row of each purchase
    firm: np.ndarray  #: firm chosen
    cell: np.ndarray | None = None  #: buyers * n_firms + firm: the relationship in flat [n, firms] arrays
    experience: np.ndarray | None = None  #: overall experience (0-1)
    served: np.ndarray | None = None  #: staff position that served, -1 none
    own_employee: np.ndarray | None = None  #: served by the employee the customer is bonded to
    failed: np.ndarray | None = None  #: a quality failure (on one of the purchase's visits)
    failure_drop: np.ndarray | None = None  #: how far a failed visit's experience lies below an ordinary visit's
    discount: np.ndarray | None = None  #: share off the firm's list price paid (0 at the list price)
    service: np.ndarray | None = None  #: service received (0-1)
    belonging: np.ndarray | None = None  #: belonging felt (0-1)
    spent: np.ndarray | None = None  #: money spent
    visits: np.ndarray | None = None  #: visits the purchase holds (a long step's several)
    outcome: np.ndarray | None = None  #: disappointed -1, satisfied 0, delighted +1 (zone of tolerance)
    felt: np.ndarray | None = None  #: felt value of the disconfirmation, after any complaint handling
    complained: np.ndarray | None = None  #: complained
    resolved: np.ndarray | None = None  #: the complaint was resolved
    quick: np.ndarray | None = None  #: ... quickly
    #: the purchase was a problem, an incident with a decision (sim.recovery.is_problem)
    problem: np.ndarray | None = None
    major: np.ndarray | None = None  #: ... a major one (sim.recovery.major_problem)
    #: the customer with a problem decided to end the relationship after its handling
    leaves: np.ndarray | None = None
    talked: np.ndarray | None = None  #: the buyer told people about it
    audience: np.ndarray | None = None  #: people the buyer told (their ties first, then strangers; 0 if silent)
    visit_round: np.ndarray | None = None  #: the visit round of each purchase, from 0 (None: the step is one round)

    @classmethod
    def joined(cls, rounds: list["Purchases"]) -> "Purchases":
        """The purchases of a step's visit rounds, in round order, each
        marked with its round (a field some round left unset stays None)."""
        joined: dict[str, Any] = {}  # every round has buyers and firms: those two are never None
        for f in fields(cls):
            parts = [getattr(p, f.name) for p in rounds]
            joined[f.name] = None if any(x is None for x in parts) else np.concatenate(parts)
        joined["visit_round"] = np.repeat(np.arange(len(rounds), dtype=np.int64), [len(p.buyers) for p in rounds])
        return cls(**joined)

    def in_rounds(self) -> list[np.ndarray]:
        """The purchases of each visit round, in order, as masks: within one
        a customer buys at most once (a programme that follows its customers
        purchase by purchase, such as a points balance, goes round by round)."""
        if self.visit_round is None:
            return [np.ones(len(self.buyers), dtype=bool)]
        return [self.visit_round == r for r in range(int(self.visit_round.max(initial=-1)) + 1)]


#: the derived latents of :class:`Latents`, in order
LATENTS = ("switching", "cognitive", "intention", "recommend")


@dataclass
class Latents:
    """Derived loyalty latents of every relationship (``[n, firms]``), as the
    states phase computed them (Oliver 1999's phases; Dick & Basu 1994)."""

    switching: np.ndarray  #: switching costs: contracts and programme bonds
    cognitive: np.ndarray  #: cognitive loyalty: the firm's value against the others
    intention: np.ndarray  #: intention to return
    recommend: np.ndarray  #: likelihood to recommend (0-10)

    def as_dict(self) -> dict[str, np.ndarray]:
        """The latents by name (:data:`LATENTS`)."""
        return {name: getattr(self, name) for name in LATENTS}


@dataclass
class StaffWork:
    """The staff side of a step: how loaded each firm's staff were and who
    is on the roster to serve (Heskett et al. 1994: the service-profit chain)."""

    workload: np.ndarray  #: [firms] last step's visits per unit of staff capacity
    roster: Roster  #: employed positions by firm (positions, start, counts, cumulative hours)


@dataclass
class FirmStepEvents:
    """Counts of what happened to each firm during one step."""

    customers_at_start: np.ndarray
    acquisitions: np.ndarray
    win_backs: np.ndarray
    lost: np.ndarray
    exits: np.ndarray
    complaints: np.ndarray
    recoveries: np.ndarray
    delighted: np.ndarray
    disappointed: np.ndarray
    visits: np.ndarray
    purchases: np.ndarray
    failures: np.ndarray
    service_sum: np.ndarray
    service_sq: np.ndarray
    leavers: np.ndarray
    headcount: np.ndarray
    #: acquisitions by the channel that made the customer aware of the firm (agents.states.Channel)
    acquisitions_prior: np.ndarray
    acquisitions_advertising: np.ndarray
    acquisitions_referral: np.ndarray
    #: money taken for purchases (revenue beyond purchases, e.g. membership fees, is not in it)
    purchase_revenue: np.ndarray
    #: the same baskets at the firm's list price: what they would have cost without any discount
    list_revenue: np.ndarray
    #: those baskets without the lift a programme gives them (the ``basket_factor`` modifier)
    unlifted_list_revenue: np.ndarray

    @classmethod
    def zeros(cls, n_firms: int) -> "FirmStepEvents":
        """No events yet at any of ``n_firms`` firms (each count a row of
        one zeroed table: one allocation a step)."""
        return cls(*np.zeros((_N_EVENT_COUNTS, n_firms)))


_N_EVENT_COUNTS = len(fields(FirmStepEvents))


@dataclass
class SmoothedChurn:
    """Each firm's churn rate of the step and its moving average, which the
    customer lifetime value of the step table uses as the retention outlook
    (Gupta, Lehmann & Stuart 2004: CLV from margin, retention and discount rate)."""

    rate: np.ndarray  #: [firms] relationships lost this step per customer at its start
    #: [firms] moving average of the rate (half-life loyalty.clv_churn_half_life_weeks) over reported steps
    #: (NaN before)
    smoothed: np.ndarray


@dataclass
class StepRecord:
    """Everything one step wrote: filled phase by phase, then kept as
    ``model.last_step``. The draws are released when the step ends."""

    t: int  #: steps simulated before this one, burn-in included
    reported: bool  #: a reported step (False during burn-in)
    events: FirmStepEvents  #: counts per firm
    visits: np.ndarray  #: [firms] visit equivalents served (next step's workload)
    draws: StepDraws | None = None
    staff: StaffWork | None = None
    purchases: Purchases | None = None
    latents: Latents | None = None
    churn: SmoothedChurn | None = None
    accounts: dict[str, np.ndarray] | None = None  #: the ledger's accounts of the step
    #: rows whose customer left the category in the step: a newcomer took each
    #: place after the step's purchases (``customers.generation`` moved on by one)
    replaced: np.ndarray | None = None
