"""The phases of a step, in order: each is a function ``phase(market, step)``
that reads the market and the records earlier phases wrote into ``step``
(:class:`sim.records.StepRecord`) and writes its own.

:data:`PHASES` is the step: ``LoyaltyModel.step`` runs ``model.phases`` (a
copy of it) one after another, so a probe may substitute a phase of one
model without touching the engine. Every phase is vectorised over all
customers; the random draws of the step were made for all agents before
the first phase (common random numbers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from sim.phases.books import close_books
from sim.phases.churn_smoothing import smooth_churn
from sim.phases.complaints import complaints_and_recovery
from sim.phases.disconfirmation import disconfirmation
from sim.phases.experience import experience
from sim.phases.lapse_churn import lapse_and_churn
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
    adjust_offers,                  # strategies set the step's offers and modifiers
    staff_phase,                    # engagement, turnover, novices; bonds to leavers break
    purchase_occasions_and_choice,  # who buys, and where
    experience,                     # what each buyer gets: service, quality, price, belonging
    disconfirmation,                # experience against expectation
    complaints_and_recovery,        # the disappointed complain; recovery softens it
    loyalty_latents,                # affect, habit, satisfaction, expectations
    states,                         # each relationship's place on the loyalty ladder
    word_of_mouth_and_awareness,    # stories over the network; prospects become aware
    lapse_and_churn,                # defections and leaving the category
    smooth_churn,                   # the churn outlook of customer lifetime value
    close_books,                    # costs, programmes' after-step hooks, profit
    record_step,                    # the step table's rows
)

__all__ = ["PHASES", "Phase"]
