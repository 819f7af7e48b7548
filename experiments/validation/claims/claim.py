"""A claim: what the model should show, its source, and how the validation
measures and judges it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from experiments.validation.claims.criteria import UNITS, Criterion
from experiments.validation.claims.evidence import Evidence


@dataclass(frozen=True)
class Claim:
    """One claim about the model and how it is checked."""

    id: str
    claim: str
    source: str
    experiment: str
    measured: str  # how, in words (printed in the report)
    measure: Callable[[Evidence], np.ndarray]  # one number per replication
    criterion: Criterion
    unit: str = "float"
    expected: str = "pass"  # "fail": known not to hold (see reason)
    reason: str = ""
    #: the parameters set from, or fitted to, the claim's own figure (config keys: ``word_of_mouth.
    #: audience_disappointed``; a strategy's ``strategy.<name>.<key>``): a calibration target, whose
    #: passing shows the fit holds at the report's size and seeds, not that the model predicts the figure
    calibrated: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"claim {self.id}: unit = {self.unit!r}: must be one of {', '.join(UNITS)}")
        if self.expected not in ("pass", "fail"):
            raise ValueError(f"claim {self.id}: expected = {self.expected!r}: must be pass or fail")
        if self.expected == "fail" and not self.reason:
            raise ValueError(f"claim {self.id}: a claim expected to fail needs its reason")
