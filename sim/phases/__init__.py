"""The phases of a step, in order: each is a function ``phase(market, step)``
that reads the market and the records earlier phases wrote into ``step``
(:class:`sim.records.StepRecord`) and writes its own.

:data:`PHASES` is the step: ``LoyaltyModel.step`` runs ``model.phases`` (a
copy of it) one after another, so a probe may substitute a phase of one
model without touching the engine. Every phase is vectorised over all
customers; the random draws of the step were made for all agents before
the first phase (common random numbers).

The phases marked as a *visit round* (:func:`visit_round`) are what a
customer's visit sets off: a choice of firm, the experience and its
feelings, word of mouth and defections. A step longer than a visit round
(:attr:`sim.units.StepLength.rounds`, from ``market.visit_round_weeks``)
runs the phases from the first of a round's to the last (with any phase a
probe put among them) once a round, in order, each round a step of its own
length with fresh draws of the customers' streams, so a month's visits are
made one round after another, as weekly steps make them; the rest (offers,
staff, leaving the category, the books, the step table) runs once a step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from sim.phases.books import close_books
from sim.phases.churn_smoothing import smooth_churn
from sim.phases.complaints import complaints_and_recovery
from sim.phases.disconfirmation import disconfirmation
from sim.phases.experience import experience
from sim.phases.lapse_churn import defections, leaving_the_category
from sim.phases.loyalty_latents import loyalty_latents
from sim.phases.offers import adjust_offers
from sim.phases.purchase_choice import purchase_occasions_and_choice
from sim.phases.states import states
from sim.phases.step_table import record_step
from sim.phases.staff import staff_phase
from sim.phases.word_of_mouth import word_of_mouth_and_awareness

if TYPE_CHECKING:  # pragma: no cover
    from sim.model import LoyaltyModel
    from sim.records import StepRecord

#: a phase of the step
Phase = Callable[["LoyaltyModel", "StepRecord"], None]

#: the step, phase by phase
PHASES: tuple[Phase, ...] = (
    adjust_offers,  # strategies set the step's offers and modifiers
    staff_phase,  # engagement, turnover, novices; bonds to leavers break
    purchase_occasions_and_choice,  # who buys, and where
    experience,  # what each buyer gets: service, quality, price, belonging
    disconfirmation,  # experience against expectation
    complaints_and_recovery,  # the disappointed complain; recovery softens it
    loyalty_latents,  # affect, inertia, satisfaction, incidents, expectations
    states,  # each relationship's place on the loyalty ladder
    word_of_mouth_and_awareness,  # stories over the network; prospects become aware
    defections,  # the disappointed and uncommitted drop the firm
    leaving_the_category,  # some customers leave the category; newcomers take their place
    smooth_churn,  # the churn outlook of customer lifetime value
    close_books,  # costs, programmes' after-step hooks, profit
    record_step,  # the step table's rows
)

#: the phases of a visit round, in their order in :data:`PHASES`
VISIT_ROUND: frozenset[Phase] = frozenset(
    (
        purchase_occasions_and_choice,
        experience,
        disconfirmation,
        complaints_and_recovery,
        loyalty_latents,
        states,
        word_of_mouth_and_awareness,
        defections,
    )
)


def visit_round(phase: Phase) -> bool:
    """Whether ``phase`` is one of a visit round's (a probe's wrapper made
    with ``functools.wraps`` keeps its phase's ``__wrapped__``)."""
    return getattr(phase, "__wrapped__", phase) in VISIT_ROUND


__all__ = ["PHASES", "Phase", "VISIT_ROUND", "visit_round"]
