"""A claim: what the model should show, its source, and how the validation
measures and judges it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from experiments.validation.claims.criteria import UNITS, Criterion
from experiments.validation.claims.evidence import Evidence

#: what a claim tests: ``figure``, a figure a publication gives (a range whose
#: tolerance the claim justifies from the source); ``direction``, a sign (or an
#: order) from a source that gives no figure, reported with its size against the
#: baseline's level so that a trivial size is seen; ``invariant``, an identity of
#: the engine that must hold exactly (conservation)
KINDS = ("figure", "direction", "invariant")


@dataclass(frozen=True)
class Claim:
    """One claim about the model and how it is checked.

    A claim that does not hold in the current model is not flagged here: it
    fails, and is listed with its reason in
    :data:`experiments.validation.claims.known_gaps.KNOWN_GAPS`.
    """

    id: str
    claim: str
    source: str
    experiment: str
    measured: str  # how, in words (printed in the report)
    measure: Callable[[Evidence], np.ndarray]  # one number per replication
    criterion: Criterion
    unit: str = "float"
    #: one of :data:`KINDS`
    kind: str = ""
    #: the parameters set from, or fitted to, the claim's own figure (config keys: ``word_of_mouth.
    #: audience_disappointed``; a strategy's ``strategy.<name>.<key>``): a calibration target, whose
    #: passing shows the fit holds at the report's size and seeds, not that the model predicts the figure
    calibrated: tuple[str, ...] = ()
    #: the level the measured difference is taken from, one number per replication (e.g. the
    #: baseline's NPV for an NPV difference), so that the report states the size relative to it;
    #: None: the measure's own ``level`` attribute if it has one (the scenario-difference measures
    #: of :mod:`~experiments.validation.claims.measures` carry it), else no relative size
    level: Callable[[Evidence], np.ndarray] | None = None
    #: why the claim can be measured in weekly steps only (its measure counts a window in steps,
    #: or reads events at the end of a step), or "" when it converts to other step lengths
    weekly_only: str = ""

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"claim {self.id}: unit = {self.unit!r}: must be one of {', '.join(UNITS)}")
        if self.kind not in KINDS:
            raise ValueError(f"claim {self.id}: kind = {self.kind!r}: must be one of {', '.join(KINDS)}")
        if self.kind == "invariant" and self.criterion.kind != "every":
            raise ValueError(f"claim {self.id}: an invariant must hold in every replication (criterion every)")

    @property
    def level_measure(self) -> Callable[[Evidence], np.ndarray] | None:
        """The measure of the level the claim's size is relative to, or None."""
        return self.level if self.level is not None else getattr(self.measure, "level", None)
